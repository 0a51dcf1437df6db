"""Jobs: confirmation emails per second sent by ONE `innkeeper worker` to a local SMTP sink,
vs plain `smtplib` sending as many messages of the same size to the same sink.

Bookings are made with `booking_create` (the service every door uses), so each one enqueues
its `send_booking_email` job in the tasks table inside the booking's transaction. Then one
real worker process drains the `notifications` queue. Rates are taken at the sink, from the
first message received to the last, for the worker and the raw client alike.

Raw limit: one SMTP connection per message, because that is what the worker does (Django's
SMTP backend opens, EHLOs and QUITs a connection for every `EmailMessage.send()`); messages
pre-rendered, so it is the transport alone. One connection for all messages is reported
beside it, to show what connection reuse would be worth.

`BENCH_PROFILE=1` also records the worker with py-spy (raw folded stacks) into
bench/results/jobs-worker-profile.tmp when py-spy is installed in the venv.
"""

from __future__ import annotations

import email.policy
import itertools
import os
import re
import signal
import smtplib
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail.utils import DNS_NAME
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from bench.config import RESULTS_DIR, VENV_BIN
from bench.context import Context, Result
from bench.dbsetup import bench_env
from bench.server import free_port
from bench.smtpsink import Sink, cpu_seconds, running_sink
from bench.stats import ratio
from innkeeper.bookings.models import Booking
from innkeeper.bookings.services import booking_create
from innkeeper.core.errors import RoomUnavailable
from innkeeper.notifications.emails import render_booking_email
from innkeeper.notifications.models import SentEmail
from innkeeper.notifications.services import CONFIRMED

QUEUE = "notifications"
REFERENCE = re.compile(r"\(([A-Z]+-[0-9A-Z]+)\)\s*$")  # "... is confirmed (IK-7XK2M9QA)"
PROFILE = RESULTS_DIR / "jobs-worker-profile.tmp"
RECIPIENT = "guest@example.com"


def _create_bookings(ctx: Context, count: int) -> list[Booking]:
    """`count` confirmed one-night bookings past the generated data (skipping any slot an
    earlier scenario booked), each with its confirmation-email job enqueued."""
    first_free_day = ctx.sizes.days // 2 + 5
    rooms = ctx.data.room_ids
    made: list[Booking] = []
    for n in itertools.count():
        if len(made) == count or n > count * 4:
            break
        check_in = ctx.data.today + timedelta(days=first_free_day + 2 * (n // len(rooms)))
        try:
            booking = booking_create(
                room_id=rooms[n % len(rooms)],
                check_in=check_in,
                check_out=check_in + timedelta(days=1),
                guests=1,
                created_by=None,
                guest_name=f"Jobs guest {n}",
                guest_email=f"jobs{n}@example.com",
            )
        except RoomUnavailable:
            continue
        made.append(booking)
    return made


def _payloads(booking: Booking, count: int) -> list[bytes]:
    """`count` copies of a real rendered confirmation email, each with its own Subject."""
    message = render_booking_email(booking, CONFIRMED)
    message.subject = "bench raw XXXXXX"
    raw = message.message(policy=email.policy.SMTP).as_bytes()  # as the SMTP backend
    return [raw.replace(b"XXXXXX", f"{n:06d}".encode(), 1) for n in range(count)]


def _rate(times: list[float]) -> float:
    """Messages per second between the first and the last one received."""
    if len(times) < 2 or times[-1] == times[0]:
        return 0.0
    return round((len(times) - 1) / (times[-1] - times[0]), 1)


@dataclass
class Phase:
    """What the sink saw of one sender: messages, rate, and the sink's own CPU meanwhile."""

    rows: list[tuple[float, str]]
    rate: float
    sink_busy: float  # share of one core the sink used from first to last message

    def as_dict(self) -> Result:
        return {"received": len(self.rows), "per_second": self.rate, "sink_busy": self.sink_busy}


def _collect(sink: Sink, start: int, cpu_before: float, count: int, timeout: float) -> Phase:
    """Wait until `count` messages after the first `start` reached the sink (or time out)."""
    deadline = time.monotonic() + timeout
    rows = sink.received()[start:]
    while len(rows) < count and time.monotonic() < deadline:
        time.sleep(0.1)
        rows = sink.received()[start:]
    span = rows[-1][0] - rows[0][0] if len(rows) > 1 else 0.0
    busy = (sink.cpu_seconds() - cpu_before) / span if span else 0.0
    return Phase(rows, _rate([stamp for stamp, _ in rows]), round(busy, 2))


def _raw(sink: Sink, payloads: list[bytes], *, per_message: bool) -> Phase:
    start, cpu_before = len(sink.received()), sink.cpu_seconds()
    sender = settings.DEFAULT_FROM_EMAIL
    host = DNS_NAME.get_fqdn()  # what Django passes, so no getfqdn() per connection
    if per_message:
        for payload in payloads:
            with smtplib.SMTP("127.0.0.1", sink.port, local_hostname=host, timeout=10) as smtp:
                smtp.sendmail(sender, [RECIPIENT], payload)
    else:
        with smtplib.SMTP("127.0.0.1", sink.port, local_hostname=host, timeout=10) as smtp:
            for payload in payloads:
                smtp.sendmail(sender, [RECIPIENT], payload)
    return _collect(sink, start, cpu_before, len(payloads), timeout=30)


def _profiler(pid: int) -> subprocess.Popen[bytes] | None:
    spy = VENV_BIN / "py-spy"
    if not os.environ.get("BENCH_PROFILE") or not spy.exists():
        return None
    command = [
        str(spy),
        "record",
        "--pid",
        str(pid),
        "-r",
        "200",
        "--idle",
        "-f",
        "raw",
        "-o",
        str(PROFILE),
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _drain(ctx: Context, sink: Sink, count: int, log: Path) -> tuple[Phase, Result]:
    """Run one worker until `count` messages reached the sink. Also: seconds from its start
    (process start-up and Django set-up included) to the last message, and its CPU time
    per email between the first message and the last."""
    start, cpu_before = len(sink.received()), sink.cpu_seconds()
    command = [str(VENV_BIN / "innkeeper"), "worker", "--queue", QUEUE]
    env = {**bench_env(ctx.db_name), "EMAIL_URL": sink.url}
    began = time.time()
    with log.open("ab") as out:
        worker = subprocess.Popen(command, env=env, stdout=out, stderr=out)  # noqa: S603
    profiler = _profiler(worker.pid)
    try:
        _collect(sink, start, cpu_before, 1, timeout=60)  # start-up done
        worker_cpu = cpu_seconds(worker.pid)
        phase = _collect(sink, start, cpu_before, count, timeout=max(120.0, count / 2))
        worker_cpu = cpu_seconds(worker.pid) - worker_cpu
    finally:
        _stop(worker)
        if profiler is not None:
            profiler.wait(timeout=60)
    return phase, {
        "seconds_from_start": round(phase.rows[-1][0] - began, 2) if phase.rows else 0.0,
        "cpu_ms_per_email": round(1000 * worker_cpu / max(1, len(phase.rows) - 1), 1),
    }


def _delivery_check(bookings: list[Booking], rows: list[tuple[float, str]]) -> Result:
    """Every booking's confirmation arrived exactly once, and nothing else arrived."""
    wanted = {b.reference for b in bookings}
    seen = Counter(m.group(1) for _, s in rows if (m := REFERENCE.search(s)))
    jobs = Counter(DBTaskResult.objects.filter(queue_name=QUEUE).values_list("status", flat=True))
    sent = SentEmail.objects.filter(booking__in=bookings, status="sent").count()
    return {
        "received": len(rows),
        "missing": len(wanted - set(seen)),
        "duplicates": sum(n - 1 for n in seen.values() if n > 1),
        "unexpected": sum(n for ref, n in seen.items() if ref not in wanted),
        "sent_email_rows": sent,
        "job_statuses": dict(jobs),
    }


def run(ctx: Context, log: Path) -> list[Result]:
    count = ctx.sizes.emails
    # The booking scenario (its server runs no worker) left confirmation jobs behind; they
    # are not part of this measurement.
    leftover, _ = DBTaskResult.objects.filter(status=TaskResultStatus.READY).delete()
    bookings = _create_bookings(ctx, count)
    if len(bookings) < count or any(b.status != "confirmed" for b in bookings):
        raise RuntimeError(f"jobs: could only make {len(bookings)} confirmed bookings")
    with running_sink(free_port(), RESULTS_DIR / "smtp-sink.tmp") as sink:
        payloads = _payloads(bookings[0], count)
        raw = _raw(sink, payloads, per_message=True)
        one_connection = _raw(sink, payloads, per_message=False)
        worker, process = _drain(ctx, sink, count, log)
    check = _delivery_check(bookings, worker.rows)
    return [
        {
            "scenario": "jobs_email",
            "emails": count,
            "message_bytes": len(payloads[0]),
            "leftover_jobs_removed": leftover,
            "worker": {**worker.as_dict(), **process},
            "raw_per_message_connection": raw.as_dict(),
            "raw_one_connection": one_connection.as_dict(),
            "delivery": check,
            "exactly_once": check["received"] == count
            and not (check["missing"] or check["duplicates"] or check["unexpected"]),
            "double_bookings_zero": ctx.verify_no_double_bookings(),
            "ratios": {
                "worker_share_of_raw": ratio(worker.rate, raw.rate),
                "worker_share_of_one_connection": ratio(worker.rate, one_connection.rate),
            },
        }
    ]
