"""Backup schedules operators set (cron or fixed times in the property's time zone) and the
retention tiers (issue 17 #1). In process: the scheduler's tick and the pure rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from django_tasks_db.models import DBTaskResult

from innkeeper.core.errors import InvalidInput
from innkeeper.jobs.schedule import PERIODIC_JOBS, register_periodic, scheduler_tick
from innkeeper.ops.backups import retention
from innkeeper.ops.backups.manifest import Manifest
from innkeeper.ops.backups.schedule import last_planned, next_planned, parse_schedule
from innkeeper.ops.backups.selectors import backup_status
from innkeeper.ops.backups.tasks import nightly_backup, register_backup_jobs

PARIS = "Europe/Paris"


def test_schedules_are_cron_or_fixed_times_or_off():
    assert parse_schedule("03:15", default="x") == ["15 3 * * *"]
    assert parse_schedule("03:15,15:45; 0 */4 * * *", default="x") == [
        "15 3 * * *",
        "45 15 * * *",
        "0 */4 * * *",
    ]
    assert parse_schedule("off", default="x") == [] == parse_schedule("false", default="x")
    assert parse_schedule("true", default="0 */4 * * *") == ["0 */4 * * *"]
    for bad in ("25:00", "every day", "0 */4 * *", "* * * * * *"):
        with pytest.raises(InvalidInput) as error:
            parse_schedule(bad, default="x")
        assert f"BACKUP_SCHEDULE: '{bad}' is neither a cron expression" in error.value.detail


def test_fixed_times_follow_the_property_clock_across_daylight_saving(settings):
    settings.BACKUP_TIME_ZONE = PARIS
    plan = parse_schedule("03:15", default="x")
    # Paris is UTC+1 in winter and UTC+2 from 29 March 2026: 03:15 local both days.
    winter = last_planned(plan, datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    summer = last_planned(plan, datetime(2026, 3, 29, 12, 0, tzinfo=UTC))
    assert winter.astimezone(UTC) == datetime(2026, 3, 28, 2, 15, tzinfo=UTC)
    assert summer.astimezone(UTC) == datetime(2026, 3, 29, 1, 15, tzinfo=UTC)
    every4 = parse_schedule("0 */4 * * *", default="x")
    now = datetime(2026, 1, 10, 9, 30, tzinfo=UTC)  # 10:30 in Paris
    assert last_planned(every4, now).astimezone(ZoneInfo(PARIS)).hour == 8
    assert next_planned(every4, now).astimezone(ZoneInfo(PARIS)).hour == 12


@pytest.fixture
def only_backup_job(settings) -> Iterator[list[str]]:
    saved = dict(PERIODIC_JOBS)
    PERIODIC_JOBS.clear()
    settings.BACKUP_TIME_ZONE = PARIS
    plan = parse_schedule("02:00; 14:00", default="x")
    register_periodic(
        "ops.backup",
        nightly_backup,
        every=timedelta(hours=1),
        writes=False,
        last_planned=partial(last_planned, plan),
    )
    yield plan
    PERIODIC_JOBS.clear()
    PERIODIC_JOBS.update(saved)


@pytest.mark.django_db
def test_the_scheduler_runs_a_backup_once_per_planned_time(only_backup_job):
    def tick(hour: int, minute: int = 0) -> list[str]:
        return scheduler_tick(owner="test", now=datetime(2026, 1, 10, hour, minute, tzinfo=UTC))

    assert tick(0) == ["ops.backup"]  # never ran: due at once
    assert tick(0, 30) == []  # 01:30 Paris: 02:00 not reached yet
    assert tick(1, 1) == ["ops.backup"]  # 02:01 Paris
    assert tick(1, 30) == [] and tick(12, 59) == []  # a second scheduler finds nothing due
    assert tick(13, 0) == ["ops.backup"]  # 14:00 Paris
    assert DBTaskResult.objects.filter(task_path=nightly_backup.module_path).count() == 3


@pytest.mark.django_db
def test_an_invalid_schedule_registers_nothing_and_turns_status_red(settings, backup_dir):
    saved = dict(PERIODIC_JOBS)
    PERIODIC_JOBS.clear()
    try:
        settings.BACKUP_SCHEDULE = "every night"
        register_backup_jobs()
        assert "ops.backup" not in PERIODIC_JOBS
        status = backup_status()
        assert "BACKUP_SCHEDULE: 'every night' is neither a cron expression" in " ".join(
            status.problems
        )
        settings.BACKUP_SCHEDULE = "03:00"
        settings.BACKUP_DRILL_SCHEDULE = "off"
        register_backup_jobs()
        assert set(PERIODIC_JOBS) == {"ops.backup"}
        assert PERIODIC_JOBS["ops.backup"].plan.startswith("at '0 3 * * *'")
    finally:
        PERIODIC_JOBS.clear()
        PERIODIC_JOBS.update(saved)


def manifests_every_4_hours(days: int, end: datetime) -> list[Manifest]:
    made = []
    for step in range(days * 6, 0, -1):
        created = end - timedelta(hours=4 * (step - 1))
        made.append(
            Manifest(
                id=created.strftime("%Y%m%d-%H%M%S"),
                engine="sqlite",
                database="x",
                file="x",
                created_at=created.isoformat(),
                size=1,
                sha256="0",
            )
        )
    return made


def test_retention_tiers_keep_recent_daily_weekly_and_monthly_backups():
    end = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    manifests = manifests_every_4_hours(120, end)
    policy = retention.Policy(keep_last=12, keep_days=0, daily=7, weekly=4, monthly=3)
    kept = retention.kept(manifests, now=end, zone=UTC, policy=policy)
    newest = {m.id for m in manifests[-12:]}
    assert newest <= set(kept)  # the last two days of 4-hourly backups
    by_reason: dict[str, list[str]] = {}
    for backup_id, why in kept.items():
        by_reason.setdefault(why, []).append(backup_id)
    # daily/weekly/monthly name only what an earlier tier did not already keep
    # 24-30 June (daily); the ISO weeks ending 21 and 14 June (weekly: the other two of the
    # four are within the daily ones); 31 May and 30 April (monthly: June is already kept).
    days = {"20260614", "20260621", "20260531", "20260430"}
    assert {i[:8] for i in kept} == days | {f"202606{d}" for d in range(24, 31)}
    assert {i[:6] for i in kept} == {"202604", "202605", "202606"}
    assert min(kept) == "20260430-220000"  # the newest backup of April
    assert len(kept) < len(manifests) / 20
    with_age = retention.kept(manifests, now=end, zone=UTC, policy=retention.Policy(0, 30, 0, 0, 0))
    assert len(with_age) == 30 * 6 + 1  # everything from the last 30 days (both ends)
    assert "weekly" in by_reason and "monthly" in by_reason


@pytest.mark.django_db(transaction=True)
def test_status_exits_1_when_the_drill_is_overdue_and_shows_its_duration(
    settings, backup_dir, make_booking
):
    from innkeeper.ops.backups.manifest import write_manifest
    from innkeeper.ops.backups.services import backup_run
    from innkeeper.testing.cli import innkeeper

    make_booking()
    manifest = backup_run(actor="test")
    assert backup_status().ok  # no drill yet, but the backup is younger than the limit
    settings.BACKUP_DRILL_MAX_AGE_HOURS = 1e-6
    assert any("no restore drill ran in" in p for p in backup_status().problems)
    two_days_ago = (datetime.now(UTC) - timedelta(hours=48)).isoformat()
    manifest.verification = {"ok": True, "verified_at": two_days_ago, "duration_seconds": 4.2}
    write_manifest(manifest)
    settings.BACKUP_DRILL_MAX_AGE_HOURS = 24.0
    problems = backup_status().problems
    assert problems == ["the last restore drill ran 48.0 h ago (limit 24 h)"], problems
    env = {"BACKUP_DIR": str(backup_dir), "BACKUP_HMAC_KEY": settings.BACKUP_HMAC_KEY}
    late = innkeeper("backup", "status", BACKUP_DRILL_MAX_AGE_HOURS="24", **env)
    assert late.returncode == 1 and "the last restore drill ran 48.0 h ago" in late.stderr
    assert f"last restore drill: {manifest.id} at" in late.stdout and "in 4.2 s" in late.stdout
    fine = innkeeper("backup", "status", "--json", BACKUP_DRILL_MAX_AGE_HOURS="72", **env)
    assert fine.returncode == 0, fine.stderr
    assert '"last_drill_seconds": 4.2' in fine.stdout
