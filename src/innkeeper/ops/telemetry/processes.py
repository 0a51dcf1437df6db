"""CPU and memory of every live process that records metrics (web workers, job worker,
scheduler), each labelled with its pid: the client's process collector, pointed at each one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from prometheus_client import ProcessCollector, multiprocess
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from innkeeper.ops.telemetry.multiproc import pid_alive, pids_in


class ProcessesCollector(Collector):
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Metric] = {}
        for pid in sorted(pids_in(self.directory)):
            if not pid_alive(pid):
                # Drops a dead process's live gauges; its counters stay in the sums.
                multiprocess.mark_process_dead(pid, str(self.directory))  # type: ignore[no-untyped-call]
                continue
            collector = ProcessCollector(pid=lambda pid=pid: pid, registry=None)  # type: ignore[misc]
            for family in collector.collect():
                target = families.setdefault(
                    family.name, Metric(family.name, family.documentation, family.type)
                )
                for sample in family.samples:
                    labels = {**sample.labels, "pid": str(pid)}
                    target.add_sample(sample.name, labels, sample.value)
        yield from families.values()
