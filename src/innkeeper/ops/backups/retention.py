"""Which backups to keep: the newest BACKUP_KEEP, everything younger than BACKUP_KEEP_DAYS,
the newest of each of the last BACKUP_KEEP_DAILY days, BACKUP_KEEP_WEEKLY ISO weeks and
BACKUP_KEEP_MONTHLY months (in the schedule's time zone), and the newest verified backup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from django.conf import settings

from innkeeper.ops.backups.manifest import Manifest


@dataclass(frozen=True)
class Policy:
    keep_last: int
    keep_days: int
    daily: int
    weekly: int
    monthly: int

    @classmethod
    def from_settings(cls, *, keep: int | None = None) -> Policy:
        return cls(
            keep_last=settings.BACKUP_KEEP if keep is None else keep,
            keep_days=settings.BACKUP_KEEP_DAYS,
            daily=settings.BACKUP_KEEP_DAILY,
            weekly=settings.BACKUP_KEEP_WEEKLY,
            monthly=settings.BACKUP_KEEP_MONTHLY,
        )


def _tier(
    manifests: list[Manifest], zone: tzinfo, count: int, bucket: Callable[[datetime], object]
) -> list[Manifest]:
    """The newest backup of each of the `count` newest buckets (days, weeks, months)."""
    newest: dict[object, Manifest] = {}
    for manifest in manifests:  # oldest first: later ones replace earlier ones
        newest[bucket(manifest.created.astimezone(zone))] = manifest
    return list(newest.values())[-count:] if count > 0 else []


def kept(
    manifests: list[Manifest],
    *,
    now: datetime,
    zone: tzinfo,
    policy: Policy,
    offsite: bool = False,
) -> dict[str, str]:
    """{backup id: why it is kept} for `manifests` (oldest first). With `offsite`, a backup
    whose off-site copy is not verified yet is kept whatever its age."""
    reasons: dict[str, str] = {}

    def keep(items: list[Manifest], why: str) -> None:
        for manifest in items:
            reasons.setdefault(manifest.id, why)

    keep(manifests[-policy.keep_last :] if policy.keep_last > 0 else [], "newest")
    if policy.keep_days > 0:
        since = now - timedelta(days=policy.keep_days)
        keep([m for m in manifests if m.created >= since], f"younger than {policy.keep_days} d")
    keep(_tier(manifests, zone, policy.daily, lambda t: t.date()), "daily")
    keep(_tier(manifests, zone, policy.weekly, lambda t: t.isocalendar()[:2]), "weekly")
    keep(_tier(manifests, zone, policy.monthly, lambda t: (t.year, t.month)), "monthly")
    verified = [m for m in manifests if m.verified]
    keep(verified[-1:], "newest verified")
    if offsite:
        keep([m for m in manifests if not (m.offsite or {}).get("verified")], "not yet off-site")
    return reasons
