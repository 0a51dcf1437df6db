"""Recognise "the database is unreachable" however it surfaces."""

from __future__ import annotations

import pydantic
from django.db import InterfaceError, OperationalError

OUTAGE_ERRORS = (OperationalError, InterfaceError)
_OUTAGE_NAMES = tuple(f"{cls.__name__}:" for cls in OUTAGE_ERRORS)


def is_database_outage(error: BaseException) -> bool:
    """True for OperationalError/InterfaceError, also when wrapped or chained.

    Ninja serialises lazy querysets inside pydantic validation, which turns the
    OperationalError of a dead connection into a pydantic ValidationError carrying only the
    error's text: without this, a database outage there would be answered as a 500.
    """
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OUTAGE_ERRORS):
            return True
        seen = seen.__cause__ or seen.__context__
    if isinstance(error, pydantic.ValidationError):
        return any(
            item["type"] == "get_attribute_error"
            and str(item.get("ctx", {}).get("error", "")).startswith(_OUTAGE_NAMES)
            for item in error.errors()
        )
    return False
