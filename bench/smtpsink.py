"""A local SMTP sink for the jobs scenario: aiosmtpd in a process of its own, so it never
shares a core's Python with the worker or the raw client it is measuring.

It accepts every message and appends one line per message to `--log`: the time it was
received and its Subject. No MIME parsing (a regex over the header block), so the sink stays
far faster than what it measures. `python -m bench.smtpsink --port N --log FILE`; prints
`SINK READY` once it listens; SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bench.config import PROJECT_DIR

READY = "SINK READY"
FOLDED = re.compile(rb"\r?\n[ \t]+")
SUBJECT = re.compile(rb"^Subject:[ \t]*(.*?)\r?$", re.MULTILINE | re.IGNORECASE)


def subject_of(raw: bytes) -> str:
    header = FOLDED.sub(b" ", raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0])
    match = SUBJECT.search(header)
    return match.group(1).decode("ascii", "replace") if match else ""


class LoggingHandler:
    def __init__(self, out: IO[str]) -> None:
        self.out = out

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.out.write(f"{time.time():.6f}\t{subject_of(raw)}\n")
        self.out.flush()  # the bench reads the file while messages arrive
        return "250 OK"


def serve(port: int, log: Path) -> None:
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    with log.open("a", encoding="ascii") as out:
        # server_hostname: otherwise aiosmtpd calls socket.getfqdn() for every connection.
        controller = Controller(
            LoggingHandler(out), hostname="127.0.0.1", port=port, server_hostname="bench-sink"
        )
        controller.start()
        print(READY, flush=True)
        try:
            while not stopped.wait(0.5):
                pass
        finally:
            controller.stop()


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Sink:
    """The parent's view of a running sink: its port and the messages logged so far."""

    port: int
    log: Path
    pid: int

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def received(self) -> list[tuple[float, str]]:
        """(time received, subject) of every complete line logged so far."""
        text = self.log.read_text(encoding="ascii") if self.log.exists() else ""
        rows = []
        for line in text.splitlines(keepends=True):
            if line.endswith("\n"):  # a line being written is read on the next poll
                stamp, _, subject = line.rstrip("\n").partition("\t")
                rows.append((float(stamp), subject))
        return rows


@contextmanager
def running_sink(port: int, log: Path) -> Iterator[Sink]:
    log.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.smtpsink", "--port", str(port), "--log", str(log)]
    proc = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        command, cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if line.strip() != READY:
            raise RuntimeError(f"SMTP sink did not start (said {line!r})")
        yield Sink(port, log, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    args: Any = parser.parse_args(argv)
    serve(args.port, args.log)


if __name__ == "__main__":
    main()
