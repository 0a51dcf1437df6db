"""Logging: the standard library's loggers, rendered by structlog.

structlog because every library we run (Django, gunicorn, django-tasks-db) logs through the
standard library: structlog's ProcessorFormatter renders those records as JSON with the same
context (request id, job id) as our own lines, without wrapping each call site. `LOG_FORMAT=json`
in production; the default stays the plain one-line format for `make run` and a terminal.
"""

from __future__ import annotations

import logging.config
from typing import Any

import structlog
from structlog.types import EventDict, WrappedLogger

from innkeeper.core.requestid import current_request_id

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def add_request_id(logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
    request_id = current_request_id()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


def _pre_chain() -> list[Any]:
    """What every record goes through, ours or a library's, before it is rendered."""
    return [
        structlog.contextvars.merge_contextvars,
        add_request_id,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def logging_settings(
    *,
    log_format: str,
    level: str,
    filters: dict[str, Any] | None = None,
    filtered_loggers: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The LOGGING dict for settings.py: `json` (one object per line) or `plain`. `filters`
    apply to the handler and to `filtered_loggers` (servers that bring their own handlers)."""
    filters = filters or {}
    json_formatter = {
        "()": structlog.stdlib.ProcessorFormatter,
        "foreign_pre_chain": _pre_chain(),
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": PLAIN_FORMAT}, "json": json_formatter},
        "filters": filters,
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json" if log_format == "json" else "plain",
                "filters": list(filters),
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "django.server": {"level": "WARNING"},
            **{name: {"filters": list(filters)} for name in filtered_loggers},
        },
    }


def configure(config: dict[str, Any]) -> None:
    """LOGGING_CONFIG: the standard dictConfig, plus structlog loggers routed through it."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            add_request_id,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    logging.config.dictConfig(config)
