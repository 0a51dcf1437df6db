"""What a job's log lines say about what it works on: a task may name a provider that turns its
arguments into log fields (booking_id -> booking_ref); the worker binds them for the whole job,
retries and failure lines included."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
Provider = Callable[..., dict[str, object]]

logger = logging.getLogger("innkeeper.jobs")


def log_context(provider: Provider) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        func.log_context = provider  # type: ignore[attr-defined]
        return func

    return decorate


def context_for(func: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, object]:
    provider: Provider | None = getattr(func, "log_context", None)
    if provider is None:
        return {}
    try:
        return provider(**kwargs)
    except Exception:  # a log field is never worth failing the job for
        logger.exception("log context of %s failed", getattr(func, "__name__", func))
        return {}
