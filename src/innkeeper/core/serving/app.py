"""The ASGI target granian loads in each worker process (`factory=True`)."""

from __future__ import annotations

import os
import random

from innkeeper.core.serving.bridge import BridgeConfig, WsgiBridge

# Set by `innkeeper serve` for its worker processes (internal, not operator settings).
THREADS_ENV = "INNKEEPER_SERVE_THREADS"
MAX_REQUESTS_ENV = "INNKEEPER_SERVE_MAX_REQUESTS"
BODY_TIMEOUT_ENV = "INNKEEPER_SERVE_BODY_TIMEOUT"
# Multipart framing around an upload of exactly the allowed size.
MULTIPART_SLACK_BYTES = 64 * 1024


def build() -> WsgiBridge:
    from django.conf import settings

    from innkeeper.wsgi import application

    max_requests = int(os.environ.get(MAX_REQUESTS_ENV, "0"))
    if max_requests:
        # Jitter keeps the workers from all restarting at the same moment.
        max_requests += random.randint(0, max_requests // 10)
    largest = max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0, settings.UPLOAD_MAX_BYTES)
    config = BridgeConfig(
        threads=int(os.environ.get(THREADS_ENV, "8")),
        body_timeout=float(os.environ.get(BODY_TIMEOUT_ENV, settings.SERVER_BODY_TIMEOUT)),
        max_body_bytes=largest + MULTIPART_SLACK_BYTES,
        max_requests=max_requests,
    )
    return WsgiBridge(application, config)
