"""`make test-cluster`: innkeeper on several nodes on loopback, under a booking load, while
nodes are killed and restarted. nginx in front of 3 web processes, 2 workers, 2 schedulers,
one PostgreSQL database (a scratch one on TEST_POSTGRES_URL's server), a private Redis, a real
SMTP server. Exits 1 when a request failed other than by design, bookings overlap, an email
went out twice, or a periodic job ran more than once per period.

Covered events: SIGKILL of a web node and its restart; SIGKILL of a worker and its restart;
SIGKILL of the scheduler holding the leader lock; maintenance on and off from the CLI (another
process); a rolling restart of every web node (same version). Not covered: a rolling release
with a new migration."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from innkeeper.testing.cluster.load import Load, failures, report
from innkeeper.testing.cluster.nodes import Node, Proxy, start_web, web_node
from innkeeper.testing.ports import free_port
from innkeeper.testing.processes import INNKEEPER, server_env
from innkeeper.testing.redis_server import private_redis
from innkeeper.testing.smtp import RecordingHandler, SmtpServer

DURATION = float(os.environ.get("CLUSTER_SECONDS", "90"))
CLIENTS = int(os.environ.get("CLUSTER_CLIENTS", "4"))


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [INNKEEPER, *args], env=env, capture_output=True, text=True, timeout=300
    )


def scratch_database(server_url: str, name: str, *, drop: bool = False) -> str:
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop:
            admin.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def prepare(env: dict[str, str], clients: int) -> tuple[list[str], list[int]]:
    """Schema, demo rooms and one API token per client, through the ORM of this process."""
    for args in (("migrate", "--no-input", "-v", "0"), ("demo", "--if-empty")):
        result = cli(env, *args)
        if result.returncode != 0:
            raise RuntimeError(result.stderr)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "innkeeper.settings"
    import django

    django.setup()
    from innkeeper.accounts.models import User
    from innkeeper.accounts.services import token_issue
    from innkeeper.rooms.models import Room

    tokens = []
    for n in range(clients):
        user = User.objects.create_user(
            email=f"load{n}@example.com",
            password="a-long-load-password-42",  # noqa: S106 - throwaway load users
            name=f"Load {n}",
        )
        tokens.append(token_issue(user=user).token)
    return tokens, list(Room.objects.values_list("pk", flat=True))


def leader(schedulers: list[Node]) -> Node:
    for node in schedulers:
        if "leader" in node.log.read_text():
            return node
    raise RuntimeError("no scheduler leads")


def timeline(
    env: dict[str, str], webs: list[Node], workers: list[Node], schedulers: list[Node]
) -> list[tuple[float, str, Callable[[], object]]]:
    """(seconds after the load starts, event name, action)."""

    def restart(node: Node) -> None:
        node.kill(signal.SIGTERM)
        start_web(node)

    def rolling() -> None:
        for node in webs:
            restart(node)

    steps: list[tuple[float, str, Callable[[], object]]] = [
        (8, "SIGKILL web-2", lambda: webs[1].kill()),
        (13, "restart web-2", lambda: start_web(webs[1])),
        (20, "SIGKILL the leading scheduler", lambda: leader(schedulers).kill()),
        (28, "SIGKILL worker-1", lambda: workers[0].kill()),
        (31, "restart worker-1", lambda: workers[0].start()),
        (38, "maintenance down (CLI)", lambda: cli(env, "maintenance", "down", "--retry", "5")),
        (43, "maintenance up (CLI)", lambda: cli(env, "maintenance", "up")),
        (50, "rolling restart of the web nodes", rolling),
    ]
    return steps


def drained(timeout: float) -> bool:
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
            return True
        time.sleep(0.5)
    return False


def verify(env: dict[str, str], load: Load, smtp: SmtpServer, seconds: float) -> list[str]:
    """What must hold after the run; returns the problems found."""
    from django_tasks_db.models import DBTaskResult

    problems = []
    if not drained(120):
        problems.append("the queue did not drain in 120 s")
    check = cli(env, "bookings", "verify")
    if check.returncode != 0:
        problems.append(f"bookings verify: {check.stdout}{check.stderr}")
    subjects = Counter(str(message["Subject"]) for message in smtp.messages)
    twice = [subject for subject, count in subjects.items() if count > 1]
    if twice:
        problems.append(f"emails sent more than once: {twice[:5]}")
    text = " ".join(subjects)
    missing = [reference for reference in load.created if reference not in text]
    if missing:
        problems.append(f"bookings without an email: {missing[:5]}")
    expiries = DBTaskResult.objects.filter(task_path__endswith="expire_pending_bookings").count()
    if expiries > seconds // 60 + 2:  # every minute; +1 for the first tick, +1 for the edge
        problems.append(f"expire_pending enqueued {expiries} times in {seconds:.0f} s")
    return problems


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="innkeeper-cluster-"))
    server_url = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"innkeeper_cluster_{os.getpid()}"
    smtp = SmtpServer(free_port(), RecordingHandler())
    smtp.start()
    nodes: list[Node] = []
    proxy: Proxy | None = None
    try:
        with private_redis() as redis:
            env = server_env(
                folder,
                DATABASE_URL=scratch_database(server_url, name),
                REDIS_URL=redis.url,
                EMAIL_URL=smtp.url,
                BEHIND_PROXY="true",
                SCHEDULER_TICK_SECONDS="1",
                JOBS_WORKER_POLL_SECONDS="0.2",
                JOBS_VISIBILITY_TIMEOUT_SECONDS="5",
                BACKUP_SCHEDULE="false",
            )
            tokens, rooms = prepare(env, CLIENTS)
            webs = [web_node(f"web-{n}", env, folder) for n in (1, 2, 3)]
            workers = [Node(f"worker-{n}", ["worker"], env, folder) for n in (1, 2)]
            schedulers = [Node(f"scheduler-{n}", ["scheduler"], env, folder) for n in (1, 2)]
            nodes = [*webs, *workers, *schedulers]
            for web in webs:
                start_web(web)
            for node in (*workers, *schedulers):
                node.start()
            proxy = Proxy(folder, [web.port for web in webs])
            proxy.start()
            return run(Cluster(env, proxy, webs, workers, schedulers, smtp), tokens, rooms)
    finally:
        for node in nodes:
            node.kill(signal.SIGTERM)
        if proxy is not None:
            proxy.stop()
        smtp.stop()
        from django.db import connections

        connections.close_all()
        scratch_database(server_url, name, drop=True)
        print(f"logs: {folder}" if os.environ.get("CLUSTER_KEEP") else "")
        if not os.environ.get("CLUSTER_KEEP"):
            shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Cluster:
    env: dict[str, str]
    proxy: Proxy
    webs: list[Node]
    workers: list[Node]
    schedulers: list[Node]
    smtp: SmtpServer


def run(cluster: Cluster, tokens: list[str], rooms: list[int]) -> int:
    env, webs, workers, schedulers = cluster.env, cluster.webs, cluster.workers, cluster.schedulers
    smtp = cluster.smtp
    load = Load(f"http://127.0.0.1:{cluster.proxy.port}", tokens, rooms)
    threads = load.run(CLIENTS)
    events: list[tuple[float, str]] = []
    maintenance = [0.0, 0.0]
    for at, label, action in timeline(env, webs, workers, schedulers):
        time.sleep(max(0.0, at - (time.monotonic() - load.started)))
        events.append((time.monotonic() - load.started, label))
        action()
        done = time.monotonic() - load.started
        # Maintenance is on from when `down` starts until `up` has returned.
        if label.startswith("maintenance down"):
            maintenance[0] = events[-1][0]
        elif label.startswith("maintenance up"):
            maintenance[1] = done
        print(f"t={events[-1][0]:5.1f}s {label} (done at t={done:5.1f}s)", flush=True)
    time.sleep(max(0.0, DURATION - (time.monotonic() - load.started)))
    load.stop.set()
    for thread in threads:
        thread.join(timeout=60)
    seconds = time.monotonic() - load.started
    bad = failures(load.samples, (maintenance[0], maintenance[1]))
    problems = verify(env, load, smtp, seconds)
    survivors = [node for node in schedulers if node.process is not None]
    if not any("leader" in node.log.read_text() for node in survivors):
        problems.append("no surviving scheduler took the leader lock")
    print(f"scheduler leading at the end: {', '.join(node.name for node in survivors)}")
    print(report(load.samples, events, bad))
    print(f"bookings created: {len(load.created)}; emails: {len(smtp.messages)}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    ok = not bad and not problems
    print("cluster run passed" if ok else "cluster run FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
