"""Shared bits of the ops commands."""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError

from innkeeper.core.errors import ApplicationError


def operator_name() -> str:
    """Who ran the command, for the audit trail: the login behind sudo when there is one."""
    try:
        user = os.environ.get("SUDO_USER") or getpass.getuser()
    except OSError:  # no passwd entry (some containers)
        user = f"uid{os.getuid()}"
    return f"{user}@{socket.gethostname()}"


def run_service(call: Callable[[], Any]) -> Any:
    """Run a service, turning its ApplicationError into a clean CLI error (exit 1)."""
    try:
        return call()
    except ApplicationError as error:
        raise CommandError(error.detail) from error
