"""`innkeeper backup run|list|status|verify|restore` (the runbooks' backup:run, backup:status,
backup:restore --latest / --date=..., and the restore drill)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from innkeeper.core.errors import InvalidInput
from innkeeper.ops.backups import crypto, engines
from innkeeper.ops.backups.manifest import Manifest, data_path, find_backup, scan_manifests
from innkeeper.ops.backups.schedule import schedule_zone
from innkeeper.ops.backups.selectors import backup_status, backup_times, wal_archive
from innkeeper.ops.backups.services import backup_restore, backup_run, backups_prune
from innkeeper.ops.backups.verify import backup_verify
from innkeeper.ops.cliutil import operator_name, run_service


def _pick(parser: CommandParser, *, dates: bool) -> None:
    parser.add_argument("backup_id", nargs="?", help="a backup id from `innkeeper backup list`")
    parser.add_argument("--latest", action="store_true", help="the newest backup")
    if dates:
        parser.add_argument("--date", help="the newest backup of that day (YYYY-MM-DD, UTC)")


def parse_target_time(raw: str) -> datetime | None:
    """'2026-12-01 14:05' in the property's (schedule's) time zone, or an explicit offset;
    'latest' (None): all the archived WAL (a lost host)."""
    if raw.strip().lower() == "latest":
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError as error:
        raise InvalidInput(
            f"--to-time wants a time like '2026-12-01 14:05', not '{raw}'."
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=schedule_zone())


def _verified_label(manifest: Manifest) -> str:
    return {None: "not verified", True: "verified", False: "VERIFY FAILED"}[manifest.verified]


class Command(BaseCommand):
    help = "Backups: take, list, check (status/verify = restore drill) and restore."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        run = actions.add_parser("run", help="take a backup now (with its manifest)")
        run.add_argument("--json", action="store_true")
        listing = actions.add_parser("list", help="the backups in BACKUP_DIR, newest last")
        listing.add_argument("--json", action="store_true")
        status = actions.add_parser(
            "status", help="latest backup and drill; exit 1 if too old, none, or drill failed"
        )
        status.add_argument("--json", action="store_true")
        verify = actions.add_parser(
            "verify", help="restore drill: checksum, scratch restore, checks"
        )
        _pick(verify, dates=False)
        verify.add_argument("--json", action="store_true")
        verify.add_argument("--key-file", help="age private key file (encrypted backups)")
        verify.add_argument(
            "--offsite", action="store_true", help="drill the newest OFF-SITE copy (the bucket)"
        )
        restore = actions.add_parser("restore", help="replace the database with a backup")
        _pick(restore, dates=True)
        restore.add_argument("--key-file", help="age private key file (encrypted backups)")
        restore.add_argument(
            "--to-time",
            help="PostgreSQL PITR: the moment to go back to ('2026-12-01 14:05'), or 'latest'",
        )
        pitr = actions.add_parser("pitr", help="PostgreSQL point-in-time recovery (pgBackRest)")
        pitr_actions = pitr.add_subparsers(dest="pitr_action", required=True)
        pitr_actions.add_parser("setup", help="configure pgBackRest + WAL archiving, full backup")
        pitr_backup = pitr_actions.add_parser("backup", help="take a pgBackRest backup")
        pitr_backup.add_argument("--type", default="incr", choices=["full", "diff", "incr"])
        pitr_actions.add_parser("info", help="pgBackRest backups and the restorable window")
        pitr_actions.add_parser("sync", help="copy the pgBackRest repository off-site (S3)")
        pitr_actions.add_parser("pull", help="download the off-site pgBackRest repository")
        restore.add_argument(
            "--offsite", action="store_true", help="download the backup from BACKUP_S3_BUCKET first"
        )
        actions.add_parser(
            "sync", help="copy backups not yet off-site to BACKUP_S3_BUCKET; remote retention"
        )
        pull = actions.add_parser("pull", help="download an off-site backup into BACKUP_DIR")
        _pick(pull, dates=False)
        prune = actions.add_parser(
            "prune", help="delete backups no retention tier keeps (BACKUP_KEEP*, README)"
        )
        prune.add_argument("--dry-run", action="store_true", help="show what is kept and why")
        keygen = actions.add_parser(
            "keygen", help="new age key pair: private key to --out, public key printed"
        )
        keygen.add_argument("--out", required=True, help="where to write the private key")
        restore.add_argument("--confirm", metavar="DBNAME", help="the database name, retyped")
        restore.add_argument("--yes", action="store_true", help="skip the retype prompt")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"_{options['action']}")
        handler(options)
        self.stdout.flush()

    def _emit(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, indent=2, default=str))

    def _run(self, options: dict[str, Any]) -> None:
        manifest = run_service(lambda: backup_run(actor=operator_name(), source="cli"))
        if options["json"]:
            self._emit(manifest.as_dict())
            return
        self.stdout.write(
            f"Backup {manifest.id} written: {data_path(manifest)} ({manifest.size} bytes, "
            f"{sum(manifest.row_counts.values())} rows in {len(manifest.row_counts)} tables)."
        )
        self.stdout.write(f"Verify it (restore drill): innkeeper backup verify {manifest.id}")

    def _list(self, options: dict[str, Any]) -> None:
        manifests, refused = scan_manifests()
        for item in refused:
            self.stderr.write(f"REFUSED {item.name}: {item.reason}")
        if options["json"]:
            self._emit([m.as_dict() for m in manifests])
            return
        if not manifests:
            self.stdout.write("No backups yet. Take one: innkeeper backup run")
        for m in manifests:
            self.stdout.write(
                f"{m.id}  {m.created_at[:19]}  {m.engine:<10} {m.kind:<11} {m.size:>12} B  "
                f"{_verified_label(m)}"
            )

    def _status(self, options: dict[str, Any]) -> None:
        status = backup_status()
        wal = wal_archive()  # its problems are in status.problems already
        if options["json"]:
            self._emit({**status.as_dict(), "times": backup_times(), "wal_archive": wal})
        elif status.latest is not None:
            latest = status.latest
            self.stdout.write(
                f"latest backup: {latest.id} ({latest.created_at[:19]} UTC, "
                f"{status.age_hours:.1f} h old), {_verified_label(latest)}"
            )
            self._status_lines()
            if wal:
                self.stdout.write(
                    f"WAL archive: last segment {wal['last_archived_wal']} at "
                    f"{wal['last_archived']}, written WAL waiting {wal['lag_seconds']} s, "
                    f"{wal['failed_count']} failure(s)"
                )
        if not status.ok:
            raise CommandError("; ".join(status.problems), returncode=1)
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS("OK: backups are fresh."))

    def _chosen(self, options: dict[str, Any]) -> Manifest:
        if not (options["backup_id"] or options["latest"] or options.get("date")):
            raise CommandError("Name a backup: an ID, --latest or --date=YYYY-MM-DD.")
        manifest: Manifest = run_service(
            lambda: find_backup(backup_id=options["backup_id"], on_date=options.get("date"))
        )
        return manifest

    def _verify(self, options: dict[str, Any]) -> None:
        if options["offsite"]:
            self._verify_offsite(options)
            return
        manifest = self._chosen(options)
        self.stdout.write(f"Verifying backup {manifest.id} ({manifest.file})...")
        key_file = crypto.key_file_from(options["key_file"])
        result = run_service(lambda: backup_verify(manifest=manifest, key_file=key_file))
        if options["json"]:
            self._emit(result)
        if not result["ok"]:
            for problem in result["problems"]:
                self.stdout.write(f"  PROBLEM: {problem}")
            raise CommandError(f"Backup {manifest.id} FAILED verification.", returncode=1)
        if not options["json"]:
            checks = result["checks"]
            self.stdout.write(
                f"  checksum ok, restored into a scratch database, {checks.get('tables')} tables"
                " match the manifest's row counts, no overlapping bookings, ledger consistent."
            )
            self.stdout.write(self.style.SUCCESS(f"OK: backup {manifest.id} is restorable."))

    def _verify_offsite(self, options: dict[str, Any]) -> None:
        from innkeeper.ops.backups.offsite import offsite_drill, offsite_enabled

        if not offsite_enabled():
            raise CommandError("No off-site store: set BACKUP_S3_BUCKET (README 'Backups').")
        key_file = crypto.key_file_from(options["key_file"])
        result = run_service(lambda: offsite_drill(key_file))
        if options["json"]:
            self._emit(result)
        if result["ok"] is None:
            raise CommandError(
                f"Backup {result['backup']} is encrypted: give the private key (--key-file).",
                returncode=1,
            )
        if not result["ok"]:
            for problem in result["problems"]:
                self.stdout.write(f"  PROBLEM: {problem}")
            raise CommandError(f"Off-site backup {result['backup']} FAILED.", returncode=1)
        if not options["json"]:
            self.stdout.write(
                self.style.SUCCESS(f"OK: the off-site copy of {result['backup']} is restorable.")
            )

    def _confirmed(self, options: dict[str, Any], manifest: Manifest) -> None:
        name = engines.database_name()
        typed = options["confirm"]
        if typed is None and options["yes"]:
            return
        if typed is None:
            if not sys.stdin.isatty():
                raise CommandError(
                    f"Refusing to restore without confirmation: pass --confirm {name} "
                    "(or run it in a terminal)."
                )
            self.stdout.write(
                f"This REPLACES database {name} with backup {manifest.id} "
                f"(taken {manifest.created_at[:19]} UTC). A safety backup is taken first."
            )
            self.stdout.flush()
            typed = input("Type the database name to continue: ").strip()
        if typed != name:
            raise CommandError(f"'{typed}' is not '{name}': nothing was restored.")

    def _restore(self, options: dict[str, Any]) -> None:
        if options["to_time"]:
            self._restore_to_time(options)
            return
        if options["offsite"]:
            if options.get("date"):
                raise CommandError("--offsite takes an ID or --latest, not --date.")
            self._pull(options)
        manifest = self._chosen(options)
        self._confirmed(options, manifest)
        self.stdout.write(f"Restoring backup {manifest.id}; maintenance mode is on meanwhile...")
        self.stdout.flush()
        key_file = crypto.key_file_from(options["key_file"])
        report = run_service(
            lambda: backup_restore(manifest=manifest, actor=operator_name(), key_file=key_file)
        )
        if report.safety_backup:
            self.stdout.write(f"Safety backup of the replaced database: {report.safety_backup}")
        else:
            self.stdout.write("The database was empty: restored into it, no safety backup.")
        if report.migrated:
            self.stdout.write("Migrations newer than the backup were applied.")
        if report.files is not None:
            self.stdout.write(
                f"Media restored: {report.files.media_files} file(s) into {settings.MEDIA_ROOT}; "
                f"the backup's settings are in {report.files.settings_file}"
            )
            if report.files.settings_differ:
                names = ", ".join(report.files.settings_differ)
                self.stdout.write(f"  Settings that differ from this machine's: {names}")
        self.stdout.write(f"Site mode now: {report.mode_after}")
        if report.problems:
            for problem in report.problems:
                self.stdout.write(f"  PROBLEM: {problem}")
            raise CommandError("Restored, but the integrity check found problems.", returncode=1)
        self.stdout.write(
            self.style.SUCCESS(f"OK: restored backup {manifest.id}; integrity check passed.")
        )

    def _keygen(self, options: dict[str, Any]) -> None:
        out = Path(options["out"])
        public = run_service(lambda: crypto.keygen(out))
        self.stdout.write(f"Private key written to {out} (mode 0600). Public key:")
        self.stdout.write(public)
        self.stdout.write(
            "Next: move the private key OFF this machine (password manager, offline copy), "
            f"then set BACKUP_PUBLIC_KEYS={public} here (README 'Backups': key rotation)."
        )

    def _prune(self, options: dict[str, Any]) -> None:
        result = run_service(lambda: backups_prune(dry_run=options["dry_run"]))
        for backup_id, what in result.items():
            self.stdout.write(f"{backup_id}  {what}")
        if not options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(f"OK: {len(result)} backup(s) removed."))

    def _sync(self, options: dict[str, Any]) -> None:
        from innkeeper.ops.backups.offsite import offsite_enabled, offsite_sync

        if not offsite_enabled():
            raise CommandError("No off-site store: set BACKUP_S3_BUCKET (README 'Backups').")
        results = run_service(offsite_sync)
        for backup_id, ok in results.items():
            self.stdout.write(f"{backup_id}  {'copied and verified' if ok else 'FAILED'}")
        if not all(results.values()):
            raise CommandError("Some off-site copies failed (see the log).", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"OK: {len(results)} backup(s) copied off-site."))

    def _pull(self, options: dict[str, Any]) -> None:
        from innkeeper.ops.backups.offsite import offsite_enabled, offsite_pull

        if not offsite_enabled():
            raise CommandError("No off-site store: set BACKUP_S3_BUCKET (README 'Backups').")
        if not (options["backup_id"] or options["latest"]):
            raise CommandError("Name a backup: an ID or --latest.")
        manifest = run_service(lambda: offsite_pull(options["backup_id"]))
        options["backup_id"] = manifest.id
        self.stdout.write(f"Downloaded backup {manifest.id} into {data_path(manifest).parent}.")

    def _status_lines(self) -> None:
        times = backup_times()
        if times["last_offsite"] is not None:
            self.stdout.write(f"last off-site copy: {times['last_offsite']:%Y-%m-%d %H:%M:%S} UTC")
        if times["last_drill"] is not None:
            result = "passed" if times["last_drill_ok"] else "FAILED"
            self.stdout.write(
                f"last restore drill: {times['last_drill_backup']} at "
                f"{times['last_drill']:%Y-%m-%d %H:%M:%S} -> {result} "
                f"in {times['last_drill_seconds']} s"
            )

    def _pitr(self, options: dict[str, Any]) -> None:
        from innkeeper.ops.backups import pitr

        action = options["pitr_action"]
        if action in ("sync", "pull"):
            self._pitr_sync(pull=action == "pull")
            return
        if action == "setup":
            result = run_service(pitr.pitr_setup)
            self.stdout.write(f"pgBackRest configured ({result['config']}); WAL archiving on.")
        elif action == "backup":
            result = {"info": run_service(lambda: pitr.pitr_backup(options["type"]))}
        else:
            result = {"info": run_service(pitr.pitr_info)}
        info = result["info"]
        self.stdout.write(
            f"stanza: {info['status']}; {info['backups']} backup(s); restorable from "
            f"{info['oldest_restorable']} (unix time) to now."
        )

    def _pitr_sync(self, *, pull: bool) -> None:
        from innkeeper.ops.backups.offsite import S3Errors
        from innkeeper.ops.backups.pitr_offsite import pitr_repo_pull, pitr_repo_sync, repo_prefix

        if not settings.BACKUP_S3_BUCKET:
            raise CommandError("Set BACKUP_S3_BUCKET (and BACKUP_S3_*) first.")
        where = f"s3://{settings.BACKUP_S3_BUCKET}/{repo_prefix()}"
        try:
            if pull:
                count = pitr_repo_pull()
                self.stdout.write(f"{where} -> {settings.BACKUP_PITR_REPO}: {count} file(s).")
                return
            counts = pitr_repo_sync()
        except S3Errors as error:
            raise CommandError(f"Copying the pgBackRest repository failed: {error}") from error
        self.stdout.write(
            f"pgBackRest repository -> {where}: "
            f"{counts['uploaded']} uploaded, {counts['unchanged']} unchanged."
        )

    def _restore_to_time(self, options: dict[str, Any]) -> None:
        from innkeeper.ops.backups import pitr

        target = run_service(lambda: parse_target_time(options["to_time"]))
        name = engines.database_name()
        if options["confirm"] != name and not options["yes"]:
            raise CommandError(
                f"Point-in-time restore REPLACES the whole cluster of {name}: "
                f"pass --confirm {name}."
            )
        moment = target.isoformat() if target else "the end of the archived WAL"
        self.stdout.write(f"Restoring the cluster to {moment} (restarts PostgreSQL)")
        self.stdout.flush()
        report = run_service(lambda: pitr.pitr_restore(target=target))
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: restored to {moment} in {report.seconds} s; run `innkeeper bookings verify`."
            )
        )
