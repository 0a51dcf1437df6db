"""The "next version" of `make test-cluster`'s rolling release: an expand-only migration (a
nullable column on the bookings table) and the code that writes it. Enabled only by the
settings module `innkeeper.testing.cluster.release.settings`; never part of the product's
migrations, so a real database never gets the column."""
