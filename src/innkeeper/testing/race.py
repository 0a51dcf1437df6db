"""Run one callable from many real threads at once (a barrier starts them together)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from django.db import connections

from innkeeper.core.errors import ApplicationError


def race(target: Callable[[int], str], count: int) -> Counter[str]:
    """Outcome counts: what `target(index)` returned, an ApplicationError's code, or
    `error: ...` for anything else (which a test should never see)."""
    barrier = threading.Barrier(count)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait()
            result = target(index)
        except ApplicationError as error:
            result = error.code
        except Exception as error:  # a test asserts none of these happen
            result = f"error: {type(error).__name__}: {error}"
        finally:
            connections.close_all()
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes
