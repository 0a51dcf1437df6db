"""Shared bits of the ops commands."""

from __future__ import annotations

import getpass
import os
import re
import socket
from collections.abc import Callable
from datetime import timedelta
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


AGE_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_age(raw: str, *, flag: str) -> timedelta:
    """`7d`, `12h`, `30m` as a timedelta; a clear usage error (exit 2) otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", raw)
    if not match:
        raise CommandError(
            f"{flag} {raw!r}: use a number and a unit, e.g. 7d, 12h, 30m.", returncode=2
        )
    return timedelta(**{AGE_UNITS[match[2]]: int(match[1])})
