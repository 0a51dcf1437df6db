-- The database round trip alone: what any request that touches PostgreSQL pays at least.
SELECT 1;
