"""Retry policy per task: attempts and exponential backoff with full jitter.

Declared on the task function, under `@task`, so code keeps using only the `django.tasks` API:

    @task(queue_name="notifications")
    @retry_policy(max_attempts=8)
    def send_booking_email(...): ...
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

POLICY_ATTRIBUTE = "innkeeper_retry_policy"


@dataclass(frozen=True)
class RetryPolicy:
    """None means "use the JOBS_* setting", so operators can tune all tasks at once."""

    max_attempts: int | None = None
    base_delay: float | None = None
    max_delay: float | None = None
    # Exceptions that retrying cannot fix (bad input, missing rows): fail at once.
    give_up_on: tuple[type[BaseException], ...] = ()

    def attempts(self) -> int:
        return self.max_attempts or settings.JOBS_MAX_ATTEMPTS

    def delay(self, attempt: int) -> float:
        """Seconds before the next try after `attempt` failed: uniform in [c/2, c] where
        c = base * 2^(attempt-1), capped at max_delay."""
        base = self.base_delay if self.base_delay is not None else settings.JOBS_RETRY_BASE_SECONDS
        cap = self.max_delay if self.max_delay is not None else settings.JOBS_RETRY_MAX_SECONDS
        ceiling = min(cap, base * 2 ** max(0, attempt - 1))
        # Jitter (half fixed, half random) spreads the retries of jobs that failed together.
        return random.uniform(ceiling / 2, ceiling)

    def should_retry(self, attempt: int, error: BaseException) -> bool:
        if isinstance(error, self.give_up_on):
            return False
        return attempt < self.attempts()


DEFAULT_POLICY = RetryPolicy()


def retry_policy[F: Callable[..., Any]](
    *,
    max_attempts: int | None = None,
    base_delay: float | None = None,
    max_delay: float | None = None,
    give_up_on: tuple[type[BaseException], ...] = (),
) -> Callable[[F], F]:
    policy = RetryPolicy(max_attempts, base_delay, max_delay, give_up_on)

    def attach(func: F) -> F:
        setattr(func, POLICY_ATTRIBUTE, policy)
        return func

    return attach


def policy_for(func: Callable[..., Any]) -> RetryPolicy:
    policy = getattr(func, POLICY_ATTRIBUTE, None)
    return policy if isinstance(policy, RetryPolicy) else DEFAULT_POLICY
