"""The processes of the multi-node run, all on loopback: nginx in front of web nodes, workers
and schedulers of innkeeper, each its own OS process with its own log."""

# Fixed binaries with fixed arguments.
# ruff: noqa: S603

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import requests

from innkeeper.testing.processes import INNKEEPER, free_port, wait_until

NGINX = "/usr/sbin/nginx"


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
    folder: Path
    backends: list[int]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def config(self) -> str:
        servers = "\n".join(
            f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in self.backends
        )
        return (
            f"pid {self.folder}/nginx.pid;\nerror_log {self.folder}/nginx-error.log;\n"
            "daemon off;\nevents { worker_connections 1024; }\nhttp {\n"
            f"  access_log off;\n  client_body_temp_path {self.folder}/body;\n"
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

    def stop(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGQUIT)
            self.process.wait(timeout=20)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False
