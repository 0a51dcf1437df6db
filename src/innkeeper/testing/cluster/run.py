"""`make test-cluster`: innkeeper on several nodes on loopback, under a booking load, while
nodes are killed and restarted. nginx in front of 3 web processes, 2 workers, 2 schedulers,
one PostgreSQL database (a scratch one on TEST_POSTGRES_URL's server), a private Redis, a real
SMTP server. Exits 1 when a request failed other than by design, bookings overlap, an email
went out twice, or a periodic job ran more than once per period.

Events (events.py): SIGKILL of a web node and its restart; SIGKILL of a worker while its job
is RUNNING (its email held by the SMTP server) and its restart; SIGKILL of the scheduler holding
the leader lock; maintenance on and off from the CLI (another process); a rolling release of
every web node onto a new version with an expand-only migration, nginx draining each node and
taking it back only once /ready answers 200. nginx's access log proves no request started on a
node while it was out; a 502/504/connection error is a failure except for requests in flight on
the SIGKILLed web node."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path

import psycopg

from innkeeper.testing.cluster.events import Cluster, cli, job_recovered, release_tags, timeline
from innkeeper.testing.cluster.load import Load, failures, proxy_errors, report
from innkeeper.testing.cluster.nodes import Node, Proxy, start_web, web_node
from innkeeper.testing.ports import free_port
from innkeeper.testing.processes import server_env, wait_until
from innkeeper.testing.redis_server import private_redis
from innkeeper.testing.smtp import RecordingHandler, SmtpServer

DURATION = float(os.environ.get("CLUSTER_SECONDS", "90"))
CLIENTS = int(os.environ.get("CLUSTER_CLIENTS", "4"))
TAIL = float(os.environ.get("CLUSTER_TAIL_SECONDS", "15"))


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

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
    tokens = []
    for n in range(clients):
        user = User.objects.create_user(
            email=f"load{n}@example.com",
            password="a-long-load-password-42",  # noqa: S106 - throwaway load users
            name=f"Load {n}",
        )
        tokens.append(token_issue(user=user).token)
    return tokens, list(Room.objects.values_list("pk", flat=True))


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
    problems.extend(periodic_once())
    return problems


def periodic_once() -> list[str]:
    """Each periodic job ran at most once per period: between two runs that were not skipped
    (a run skipped in maintenance is made due again by design), at least its period less a tick."""
    from django_tasks_db.models import DBTaskResult

    from innkeeper.jobs.schedule import PERIODIC_JOBS

    problems = []
    paths = Counter(job.task.module_path for job in PERIODIC_JOBS.values())
    for job in PERIODIC_JOBS.values():
        if job.last_planned is not None or paths[job.task.module_path] > 1:
            continue  # cron-like, or one task under several schedules: no fixed gap
        runs = [
            r.enqueued_at
            for r in DBTaskResult.objects.filter(task_path=job.task.module_path).order_by(
                "enqueued_at"
            )
            if not (isinstance(r.return_value, dict) and "skipped" in r.return_value)
        ]
        gaps = [(b - a).total_seconds() for a, b in pairwise(runs)]
        short = [gap for gap in gaps if gap < job.every.total_seconds() - 2]
        shortest = min(gaps, default=0)
        print(f"periodic {job.name}: {len(runs)} run(s), shortest gap {shortest:.1f} s")
        if short:
            problems.append(f"{job.name} ran twice within a period: gaps {short}")
    return problems


def started(workers: list[Node], schedulers: list[Node]) -> None:
    """Both workers beating and one scheduler leading before the load (cold starts on a busy
    2-core machine take many seconds)."""
    from innkeeper.jobs.models import WorkerHeartbeat

    def up() -> bool:
        leads = any("leader" in node.log.read_text() for node in schedulers)
        return leads and WorkerHeartbeat.objects.count() >= len(workers)

    if not wait_until(up, 180, 0.5):
        raise RuntimeError("workers or schedulers did not start in 180 s")


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
            started(workers, schedulers)
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


def run(cluster: Cluster, tokens: list[str], rooms: list[int]) -> int:
    load = Load(f"http://127.0.0.1:{cluster.proxy.port}", tokens, rooms)
    threads = load.run(CLIENTS)
    events = play(cluster, load)
    # Some load after the last event, so the new version serves for a while.
    time.sleep(max(TAIL, DURATION - (time.monotonic() - load.started)))
    load.stop.set()
    for thread in threads:
        thread.join(timeout=60)
    seconds = time.monotonic() - load.started
    maintenance = next(e for e in events if e[2].startswith("maintenance down"))[0]
    maintained = next(e for e in events if e[2].startswith("maintenance up"))[1]
    bad = failures(load.samples, (maintenance, maintained))
    killed = [(at, done + 1) for at, done, name in events if name.startswith("SIGKILL web")]
    bad_proxy = proxy_errors(load.samples, killed)
    problems = verify(cluster.env, load, cluster.smtp, seconds) + after_events(cluster)
    print(report(load.samples, events, bad))
    print(
        "first-attempt proxy errors outside the SIGKILLed web node's in-flight requests: "
        + (", ".join(f"{k}: {v}" for k, v in sorted(bad_proxy.items())) or "none")
    )
    print(f"bookings created: {len(load.created)}; emails: {len(cluster.smtp.messages)}")
    for note in cluster.notes:
        print(note)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    ok = not bad and not bad_proxy and not problems
    print("cluster run passed" if ok else "cluster run FAILED")
    return 0 if ok else 1


def play(cluster: Cluster, load: Load) -> list[tuple[float, float, str]]:
    """Runs the timeline; returns (start, end, name) of each event, in seconds of the load."""
    events = []
    for at, label, action in timeline(cluster):
        time.sleep(max(0.0, at - (time.monotonic() - load.started)))
        began = time.monotonic() - load.started
        action()
        done = time.monotonic() - load.started
        events.append((began, done, label))
        print(f"t={began:5.1f}s {label} (done at t={done:5.1f}s)", flush=True)
    return events


def after_events(cluster: Cluster) -> list[str]:
    problems = []
    survivors = [node for node in cluster.schedulers if node.process is not None]
    if not any("leader" in node.log.read_text() for node in survivors):
        problems.append("no surviving scheduler took the leader lock")
    cluster.notes.append(f"scheduler alive at the end: {', '.join(n.name for n in survivors)}")
    leaked = cluster.proxy.sent_while_out()
    windows = [end - start for spans in cluster.proxy.out.values() for start, end in spans]
    cluster.notes.append(
        f"requests nginx started on a node while it was out (drained until ready, "
        f"{len(windows)} windows, {sum(windows):.1f} s in all): {len(leaked)}"
    )
    if leaked:
        problems.append(f"nginx sent requests to a node that was out: {leaked[:3]}")
    if cluster.killed_job and (problem := job_recovered(cluster)):
        problems.append(problem)
    new, old = release_tags()
    cluster.notes.append(f"bookings written by the new version: {new}, by the old: {old}")
    if not new:
        problems.append("no booking was written by the new version after the release")
    return problems


if __name__ == "__main__":
    sys.exit(main())
