from __future__ import annotations

from collections.abc import Iterator

import pytest

from innkeeper.ops.state import forget_state


@pytest.fixture(autouse=True)
def _fresh_ops_state() -> Iterator[None]:
    """Each test's database rolls back; the per-process mode snapshot must not outlive it."""
    forget_state()
    yield
    forget_state()
