"""Where the processes of one host keep their metric values (prometheus-client's multiprocess
mode), chosen before prometheus-client is imported.

prometheus-client picks its storage when it is first imported: with PROMETHEUS_MULTIPROC_DIR set,
every process (web workers, job worker, scheduler) writes its own files there and a scrape of any
web worker adds them all up. `innkeeper serve|worker|scheduler` call `prepare()` first thing, so
this works whatever server forks or spawns the web workers (no server hook needed).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
# Commands whose processes record metrics.
COMMANDS = frozenset({"serve", "worker", "scheduler"})
_FILE_PID = re.compile(r"_(\d+)\.db$")


def _enabled() -> bool:
    return os.environ.get("METRICS_ENABLED", "true").strip().lower() not in {"0", "false", "no"}


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pids_in(directory: Path) -> set[int]:
    """The processes that have written metrics into `directory`, dead or alive."""
    found = set()
    for entry in os.scandir(directory):
        match = _FILE_PID.search(entry.name)
        if match:
            found.add(int(match.group(1)))
    return found


def remove_dead_files(directory: Path) -> None:
    """Forget processes of an earlier run: their counters would otherwise be added forever.
    Files of live processes (a worker started before the server) are kept."""
    for entry in os.scandir(directory):
        match = _FILE_PID.search(entry.name)
        if match and not pid_alive(int(match.group(1))):
            Path(entry.path).unlink(missing_ok=True)


def prepare(command: str) -> Path | None:
    """Set PROMETHEUS_MULTIPROC_DIR for `command` and the processes it starts."""
    if command not in COMMANDS or not _enabled():
        return None
    configured = os.environ.get(ENV, "").strip()
    if configured:
        directory = Path(configured)
        directory.mkdir(parents=True, exist_ok=True)
        if command == "serve":
            remove_dead_files(directory)
        return directory
    if command != "serve":
        return None  # a lone worker or scheduler: one process, nothing to add up
    directory = Path(tempfile.mkdtemp(prefix="innkeeper-metrics-"))
    os.environ[ENV] = str(directory)
    owner = os.getpid()

    def cleanup() -> None:
        # Forked web workers inherit this hook: only the process that made the dir removes it.
        if os.getpid() == owner:
            shutil.rmtree(directory, ignore_errors=True)

    atexit.register(cleanup)
    return directory


def active_dir() -> Path | None:
    configured = os.environ.get(ENV, "").strip()
    return Path(configured) if configured else None
