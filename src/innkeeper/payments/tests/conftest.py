from __future__ import annotations

from innkeeper.testing.stripe import stripe_standin

__all__ = ["stripe_standin"]
