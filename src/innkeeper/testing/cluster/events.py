"""The events of the multi-node run, each a function of the cluster: kill and restart nodes
behind a draining proxy, kill a worker while it holds a job, and a rolling release onto a new
version with an expand-only migration."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from innkeeper.testing.cluster.nodes import Node, Proxy, start_web
from innkeeper.testing.processes import INNKEEPER
from innkeeper.testing.smtp import SmtpServer

# The new nodes of the rolling release run the product plus innkeeper.testing.cluster.release.
NEXT_VERSION = "innkeeper.testing.cluster.release.settings"


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [INNKEEPER, *args], env=env, capture_output=True, text=True, timeout=300
    )


@dataclass
class Cluster:
    env: dict[str, str]
    proxy: Proxy
    webs: list[Node]
    workers: list[Node]
    schedulers: list[Node]
    smtp: SmtpServer
    # What the events leave for the checks after the run.
    killed_job: str = ""
    killed_worker: Node | None = None
    notes: list[str] = field(default_factory=list)


def leader(schedulers: list[Node]) -> Node:
    for node in schedulers:
        if "leader" in node.log.read_text():
            return node
    raise RuntimeError("no scheduler leads")


def kill_web(cluster: Cluster, node: Node) -> None:
    """SIGKILL, then take it out of the upstream (what an orchestrator does when the liveness
    probe fails); in-flight requests on it get a 502 and are retried by the client."""
    node.kill()
    cluster.proxy.drain(node.port)


def back_in(cluster: Cluster, node: Node) -> None:
    start_web(node)  # returns once /api/health/ready answers 200
    cluster.proxy.restore(node.port)


def kill_worker_mid_job(cluster: Cluster) -> None:
    """Hold the next email in the SMTP server (mid-DATA, not yet accepted), SIGKILL the worker
    whose job is RUNNING on it, and let the server refuse the held message afterwards."""
    from django_tasks_db.models import DBTaskResult

    from innkeeper.jobs.models import WorkerHeartbeat

    handler = cluster.smtp.handler
    handler.release.clear()
    handler.holding.clear()
    handler.hold_next = True
    if not handler.holding.wait(60):
        raise RuntimeError("no email reached the SMTP server in 60 s")
    time.sleep(1.0)  # the other worker's jobs finish; the held one stays RUNNING
    job = DBTaskResult.objects.filter(status="RUNNING").order_by("started_at").first()
    if job is None or not job.worker_ids:
        raise RuntimeError("the held email has no RUNNING job")
    pid = WorkerHeartbeat.objects.get(worker_id=job.worker_ids[-1]).pid
    node = next((n for n in cluster.workers if n.process and n.process.pid == pid), None)
    if node is None:
        raise RuntimeError(f"no worker node has pid {pid}")
    node.kill()
    handler.release.set()
    cluster.killed_job, cluster.killed_worker = str(job.id), node
    cluster.notes.append(f"SIGKILLed {node.name} (pid {pid}) while job {job.id} was RUNNING")


def restart_worker(cluster: Cluster) -> None:
    if cluster.killed_worker is not None:
        cluster.killed_worker.start()


def rolling_release(cluster: Cluster) -> None:
    """Expand first (the migration, while the old version serves), then each web node in turn:
    drain it, stop it, start it on the new version, put it back once it is ready."""
    env = {**cluster.env, "DJANGO_SETTINGS_MODULE": NEXT_VERSION}
    result = cli(env, "migrate", "--no-input", "-v", "0")
    if result.returncode != 0:
        raise RuntimeError(f"release migration failed: {result.stderr}")
    for node in cluster.webs:
        cluster.proxy.drain(node.port)  # returns once nginx's old worker finished its requests
        node.kill(signal.SIGTERM)
        node.env = env
        back_in(cluster, node)


def timeline(cluster: Cluster) -> list[tuple[float, str, Callable[[], object]]]:
    """(seconds after the load starts, event name, action)."""
    web2 = cluster.webs[1]
    env = cluster.env
    return [
        (8, "SIGKILL web-2 (and drain it)", lambda: kill_web(cluster, web2)),
        (13, "restart web-2, back in once ready", lambda: back_in(cluster, web2)),
        (20, "SIGKILL the leading scheduler", lambda: leader(cluster.schedulers).kill()),
        (26, "SIGKILL a worker mid-job", lambda: kill_worker_mid_job(cluster)),
        (31, "restart that worker", lambda: restart_worker(cluster)),
        (38, "maintenance down (CLI)", lambda: cli(env, "maintenance", "down", "--retry", "5")),
        (43, "maintenance up (CLI)", lambda: cli(env, "maintenance", "up")),
        (
            50,
            "rolling release (expand migration, drain each web node)",
            lambda: rolling_release(cluster),
        ),
    ]


def job_recovered(cluster: Cluster) -> str:
    """'' when the job killed mid-run finished on a later attempt, else the problem."""
    from django_tasks_db.models import DBTaskResult

    job = DBTaskResult.objects.get(id=cluster.killed_job)
    attempts = len(job.worker_ids)
    cluster.notes.append(f"job {job.id} (killed mid-run): {job.status} after {attempts} attempts")
    if job.status != "SUCCESSFUL" or attempts < 2:
        return f"job {job.id} killed mid-run ended {job.status} after {attempts} attempt(s)"
    return ""


def release_tags() -> tuple[int, int]:
    """Bookings written by the new version (tagged) and by the old one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(release_tag), COUNT(*) - COUNT(release_tag) FROM bookings_booking"
        )
        new, old = cursor.fetchone()
    return int(new), int(old)
