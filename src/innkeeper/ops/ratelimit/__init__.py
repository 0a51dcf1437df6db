"""Rate limits (the `limits` library, Redis with an in-process fallback) and login lockout."""
