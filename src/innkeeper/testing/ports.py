"""Free local ports for the servers tests start (the OS picks one; nothing listens there yet)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_port_url() -> str:
    """An address where nothing listens: a remote provider that is down."""
    return f"http://127.0.0.1:{free_port()}"
