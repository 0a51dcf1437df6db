"""CPU seconds of a process and its descendants, from /proc (Linux): the robust figure on a
shared machine. Requests/s move with whatever else runs on the cores; CPU time per request much
less, so the cost of a change is read from both."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields after "pid (comm) "


def tree_cpu_seconds(root: int) -> float:
    """utime + stime of `root` and every live descendant (granian's worker processes)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is None:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICKS
    total = 0.0
    for pid, seconds in times.items():
        node = pid
        while node not in (root, 0, 1) and node in parents:
            node = parents[node]
        if node == root:
            total += seconds
    return total


def us_per_request(cpu_seconds: float, requests: int) -> float | None:
    return round(cpu_seconds / requests * 1e6, 1) if requests else None
