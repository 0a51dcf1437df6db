"""Fixtures the backup, PITR and disaster-recovery tests share (innkeeper/testing/backups.py)."""

from innkeeper.testing.backups import empty_database, private_cluster, s3, s3_endpoint

__all__ = ["empty_database", "private_cluster", "s3", "s3_endpoint"]
