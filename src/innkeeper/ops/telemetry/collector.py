"""Figures read at scrape time (queue depth, bookings, payments, backups, modes), by the one
process that answers the scrape, cached for METRICS_CACHE_SECONDS so that several Prometheus
servers (or a fast scrape interval) cost at most one round of queries per interval."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from innkeeper.ops.telemetry import readings
from innkeeper.ops.telemetry.channels import channels_section

logger = logging.getLogger(__name__)

Section = Callable[[], Iterable[Metric]]


def _gauge(name: str, doc: str, value: float | None) -> Iterator[Metric]:
    if value is not None:
        yield GaugeMetricFamily(name, doc, value=value)


def _labelled(name: str, doc: str, label: str, values: dict[str, float]) -> Iterator[Metric]:
    family = GaugeMetricFamily(name, doc, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    yield family


def database_section() -> Iterator[Metric]:
    connection.ensure_connection()
    yield from _gauge("innkeeper_database_up", "1 when the database answers.", 1)
    used, limit = readings.database_connections()
    yield from _gauge("innkeeper_database_connections", "Connections open on the server.", used)
    yield from _gauge("innkeeper_database_max_connections", "The server's max_connections.", limit)


def bookings_section() -> Iterator[Metric]:
    yield from _labelled(
        "innkeeper_bookings", "Bookings by current status.", "status", readings.bookings()
    )
    window = timedelta(hours=1)
    changes, ratio = readings.booking_changes(window)
    yield from _labelled(
        "innkeeper_booking_status_changes_1h",
        "Booking status changes in the last hour, by new status.",
        "to_status",
        changes,
    )
    yield from _gauge(
        "innkeeper_booking_success_ratio",
        "confirmed / (confirmed + expired) over the last hour; absent without either.",
        ratio,
    )


def payments_section() -> Iterator[Metric]:
    by_status, oldest_open, refunds_open = readings.payments()
    yield from _labelled(
        "innkeeper_payments",
        "Payments by status (every status, final ones too).",
        "status",
        by_status,
    )
    yield from _gauge(
        "innkeeper_payment_oldest_open_age_seconds",
        "Age of the oldest payment still open at the provider (0: none).",
        oldest_open,
    )
    yield from _gauge("innkeeper_refunds_open", "Refunds asked for, not yet done.", refunds_open)


def queue_section() -> Iterator[Metric]:
    stats = readings.queues()
    fields = {
        "innkeeper_queue_waiting": ("waiting", "Jobs due and waiting for a worker."),
        "innkeeper_queue_scheduled": ("scheduled", "Jobs waiting for a retry or a later time."),
        "innkeeper_queue_running": ("running", "Jobs running now."),
        "innkeeper_queue_failed": ("failed", "Jobs that failed for good (innkeeper queue failed)."),
        "innkeeper_queue_oldest_waiting_seconds": (
            "oldest_waiting_seconds",
            "Age of the oldest due job (0: none).",
        ),
    }
    for name, (field, doc) in fields.items():
        family = GaugeMetricFamily(name, doc, labels=["queue"])
        for stat in stats:
            family.add_metric([stat.queue], float(getattr(stat, field) or 0))
        yield family
    workers = readings.live_workers()
    yield from _gauge("innkeeper_workers_live", "Job workers with a fresh heartbeat.", workers)
    yield from _labelled(
        "innkeeper_scheduler_last_run_timestamp_seconds",
        "When the scheduler last enqueued each periodic job (Unix time).",
        "job",
        readings.scheduler_last_runs(),
    )
    yield from _labelled(
        "innkeeper_emails", "Guest emails by delivery status.", "status", readings.emails()
    )


def modes_section() -> Iterator[Metric]:
    maintenance, read_only = readings.modes()
    yield from _gauge("innkeeper_maintenance_mode", "1 while in maintenance mode.", maintenance)
    yield from _gauge("innkeeper_read_only_mode", "1 while in read-only mode.", read_only)


def backups_section() -> Iterator[Metric]:
    last_backup, last_drill, drill_ok = readings.backups()
    yield from _gauge(
        "innkeeper_backup_last_success_timestamp_seconds",
        "When the newest backup was taken (Unix time).",
        last_backup,
    )
    yield from _gauge(
        "innkeeper_backup_last_drill_timestamp_seconds",
        "When the last restore drill ran (Unix time).",
        last_drill,
    )
    yield from _gauge("innkeeper_backup_last_drill_success", "1: last drill passed.", drill_ok)
    offsite, drill_seconds, wal_lag = readings.backup_extras()
    yield from _gauge(
        "innkeeper_backup_last_offsite_timestamp_seconds",
        "When the newest backup verified off-site was taken (Unix time).",
        offsite,
    )
    yield from _gauge(
        "innkeeper_backup_last_drill_duration_seconds",
        "How long the last restore drill took.",
        drill_seconds,
    )
    yield from _gauge(
        "innkeeper_backup_wal_archive_lag_seconds",
        "How long written WAL has waited to be archived (PITR; 0: nothing waits).",
        wal_lag,
    )


def host_section() -> Iterator[Metric]:
    usage = shutil.disk_usage(settings.VAR_DIR)
    yield from _gauge("innkeeper_disk_free_bytes", "Free space where var/ lives.", usage.free)
    yield from _gauge("innkeeper_disk_size_bytes", "Size of the disk var/ lives on.", usage.total)
    configured, fallback = readings.redis_state()
    yield from _gauge("innkeeper_redis_configured", "1 when REDIS_URL is set.", configured)
    yield from _gauge(
        "innkeeper_redis_fallback_active",
        "1 while Redis is configured but unreachable (in-process fallbacks in use).",
        fallback,
    )


# The database ones first: when the database is down the rest are skipped in one go.
DB_SECTIONS: tuple[Section, ...] = (
    database_section,
    bookings_section,
    payments_section,
    queue_section,
    modes_section,
    channels_section,
)
OTHER_SECTIONS: tuple[Section, ...] = (backups_section, host_section)


def gather() -> list[Metric]:
    families: list[Metric] = []
    try:
        for section in DB_SECTIONS:
            families.extend(section())
    except DatabaseError as error:
        logger.warning("metrics: database unavailable (%s)", type(error).__name__)
        families = list(_gauge("innkeeper_database_up", "1 when the database answers.", 0))
    for section in OTHER_SECTIONS:
        try:
            families.extend(section())
        except Exception:  # one broken reading must not hide the others
            logger.exception("metrics: %s failed", section.__name__)
    return families


class StateCollector(Collector):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: list[Metric] = []
        self._expires = 0.0

    def describe(self) -> list[Metric]:
        return []  # nothing at registration time: collect() reads the database

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            now = time.monotonic()
            if now >= self._expires:
                self._cached = gather()
                self._expires = now + settings.METRICS_CACHE_SECONDS
            cached = self._cached
        yield from cached
