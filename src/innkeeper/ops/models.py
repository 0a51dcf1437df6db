from __future__ import annotations

from django.db import models


class SiteMode(models.Model):
    """The one row (pk=1) every process reads: maintenance and read-only switches.

    In the database rather than a local file so that all web processes and workers on all
    machines see the same state.
    """

    SINGLETON_PK = 1

    maintenance = models.BooleanField(default=False)
    read_only = models.BooleanField(default=False)
    message = models.CharField(max_length=500, blank=True)
    retry_after = models.PositiveIntegerField(default=60)
    refresh = models.PositiveIntegerField(null=True, blank=True)
    # HMAC-SHA256 (keyed with SECRET_KEY) of the bypass secret: the secret is never stored.
    secret_hash = models.CharField(max_length=64, blank=True)
    changed_by = models.CharField(max_length=200, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"maintenance={self.maintenance} read_only={self.read_only}"


class BlockedNetwork(models.Model):
    """An address or CIDR range refused with 403 by every process."""

    network = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["network"]

    def __str__(self) -> str:
        return self.network
