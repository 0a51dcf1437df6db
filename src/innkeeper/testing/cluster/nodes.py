"""The processes of the multi-node run, all on loopback: nginx in front of web nodes, workers
and schedulers of innkeeper, each its own OS process with its own log."""

# Fixed binaries with fixed arguments.
# ruff: noqa: S603

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from innkeeper.testing.ports import free_port
from innkeeper.testing.processes import INNKEEPER, wait_until

NGINX = "/usr/sbin/nginx"
LOG_LINE = re.compile(r'^(?P<msec>\S+) (?P<took>\S+) "(?P<upstreams>[^"]*)" \d+$')


@dataclass
class Node:
    name: str
    args: list[str]
    env: dict[str, str]
    folder: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.folder / f"{self.name}.log"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [INNKEEPER, *self.args], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def ready(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.port}/api/health/ready"
            return requests.get(url, timeout=1).status_code == 200
        except requests.RequestException:
            return False


def web_node(name: str, env: dict[str, str], folder: Path) -> Node:
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker", "--no-scheduler"]
    return Node(name, args, env, folder, port)


def start_web(node: Node) -> None:
    node.start()
    # Generous: on a busy 2-core machine a cold start under load has taken over a minute.
    if not wait_until(node.ready, 180, 0.2):
        raise RuntimeError(f"{node.name} did not become ready; see {node.log}")


@dataclass
class Proxy:
    """nginx with a passive upstream; a node is drained by marking it `down` and reloading, and
    nginx's access log (start time, upstream) shows which node served each request."""

    folder: Path
    backends: list[int]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    down: set[int] = field(default_factory=set)
    # port -> [(drained at, back at)], wall clock: the windows no request may reach the node.
    out: dict[int, list[tuple[float, float]]] = field(default_factory=dict)

    @property
    def access_log(self) -> Path:
        return self.folder / "nginx-access.log"

    def config(self) -> str:
        servers = "\n".join(
            f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=2s"
            + (" down;" if port in self.down else ";")
            for port in self.backends
        )
        return (
            f"pid {self.folder}/nginx.pid;\nerror_log {self.folder}/nginx-error.log;\n"
            "daemon off;\nworker_processes 1;\nevents { worker_connections 1024; }\nhttp {\n"
            "  log_format timing '$msec $request_time \"$upstream_addr\" $status';\n"
            f"  access_log {self.access_log} timing;\n"
            f"  client_body_temp_path {self.folder}/body;\n"
            f"  proxy_temp_path {self.folder}/proxy;\n"
            f"  upstream innkeeper {{\n{servers}\n    keepalive 16;\n  }}\n"
            f"  server {{\n    listen 127.0.0.1:{self.port};\n    location / {{\n"
            "      proxy_pass http://innkeeper;\n      proxy_http_version 1.1;\n"
            '      proxy_set_header Connection "";\n      proxy_set_header Host $host;\n'
            "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
            "      proxy_connect_timeout 1s;\n"
            "      proxy_next_upstream error timeout http_502;\n    }\n  }\n}\n"
        )

    def start(self) -> None:
        conf = self.folder / "nginx.conf"
        conf.write_text(self.config())
        log = (self.folder / "nginx.out").open("ab")
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.folder), "-c", str(conf)], stdout=log, stderr=log
        )
        base = f"http://127.0.0.1:{self.port}/api/health/live"
        if not wait_until(lambda: _answers(base), 20, 0.2):
            raise RuntimeError("nginx did not start")

    def reload(self) -> None:
        """New config, then wait until the old worker has finished its in-flight requests and
        exited: from then on only the new upstream list is used."""
        assert self.process is not None
        (self.folder / "nginx.conf").write_text(self.config())
        before = _children(self.process.pid)
        os.kill(self.process.pid, signal.SIGHUP)

        def switched() -> bool:
            now = _children(self.process.pid) if self.process else set()
            return len(now) == 1 and not now & before

        if not wait_until(switched, 60, 0.05):
            raise RuntimeError("nginx did not finish its reload in 60 s")

    def drain(self, port: int) -> None:
        self.down.add(port)
        self.reload()
        self.out.setdefault(port, []).append((time.time(), float("inf")))

    def restore(self, port: int) -> None:
        """Only called once the node answers /ready with 200."""
        windows = self.out[port]
        windows[-1] = (windows[-1][0], time.time())
        self.down.discard(port)
        self.reload()

    def stop(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGQUIT)
            self.process.wait(timeout=20)

    def sent_while_out(self) -> list[str]:
        """Access-log lines of requests that started on a node inside one of its out windows."""
        found = []
        for line in self.access_log.read_text().splitlines():
            match = LOG_LINE.match(line)
            if match is None:
                continue
            began = float(match["msec"]) - float(match["took"])
            for port, windows in self.out.items():
                hit = f"127.0.0.1:{port}" in match["upstreams"]
                if hit and any(start < began < end for start, end in windows):
                    found.append(line)
        return found


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (nginx's workers), from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False
