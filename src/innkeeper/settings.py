"""One settings module, driven by environment variables (every one is listed in .env.example).

The embedded default needs no variable at all: SQLite under var/, local-memory cache,
a secret key generated once into var/secret_key.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Any

import environ
from django.utils.csp import CSP

from innkeeper.core.logs import logging_settings
from innkeeper.core.storage import S3Options, media_storage
from innkeeper.ops.ratelimit.scopes import SCOPES as RATE_LIMIT_SCOPES

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("INNKEEPER_VAR_DIR", PROJECT_DIR / "var")).resolve()
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # database, keys, mail: private

env = environ.Env()
environ.Env.read_env(PROJECT_DIR / ".env", overwrite=False)


def _secret_key() -> str:
    """An explicit SECRET_KEY wins; otherwise one is generated once and kept in var/."""
    explicit: str = env.str("SECRET_KEY", default="")
    if explicit:
        return explicit
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS=true is the production switch: secure cookies, HSTS, redirect to https.
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^api/health/", r"^up$", r"^ready$"]
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy on every response. The pages run no inline script; inline styles
# stay allowed (error pages carry their own). CSP_IMG_SOURCES adds e.g. an S3 media origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", *env.list("CSP_IMG_SOURCES", default=[])],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "innkeeper.core",
    "innkeeper.accounts",
    "innkeeper.rooms",
    "innkeeper.bookings",
    "innkeeper.payments",
    "innkeeper.flows",
    "innkeeper.ops",
    "innkeeper.web",
    "django_tasks_db",
    "innkeeper.jobs",
    "innkeeper.notifications",
    "innkeeper.channels",
    "innkeeper.privacy",
    "innkeeper.reports",
]

MIDDLEWARE = [
    # Outermost: secrets in paths (manage/reset links, bypass) are redacted for access logs.
    "innkeeper.ops.redact.RedactPathMiddleware",
    # Outermost: request id, RED metrics and GET /metrics (innkeeper.ops.telemetry).
    "innkeeper.ops.telemetry.middleware.TelemetryMiddleware",
    "innkeeper.ops.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "innkeeper.ops.requestsize.RequestSizeLimitMiddleware",
    "innkeeper.ops.middleware.DatabaseOutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "innkeeper.web.views.errors.WebProblemMiddleware",
    "innkeeper.ops.middleware.OpsGateMiddleware",
    "innkeeper.core.middleware.ApiProblemMiddleware",
    "innkeeper.ops.ratelimit.middleware.ApiRateLimitMiddleware",
    # Django's session, authentication and message middleware, skipped for API and health
    # calls without a cookie (issue 18: a quarter of a liveness request's CPU).
    "innkeeper.core.browserstate.StatelessSkipSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "innkeeper.core.browserstate.StatelessSkipAuthenticationMiddleware",
    "innkeeper.core.browserstate.StatelessSkipMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "innkeeper.urls"
WSGI_APPLICATION = "innkeeper.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'innkeeper.sqlite3'}"
    db: dict[str, Any] = env.db_url_config(url)
    # Test databases get a name unique to this checkout, so two checkouts (or CI and a
    # developer) testing against one PostgreSQL server never drop each other's database.
    checkout_tag = hashlib.sha256(str(PROJECT_DIR).encode()).hexdigest()[:8]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["OPTIONS"] = {
            # IMMEDIATE: writers take the write lock at BEGIN, which is what serializes
            # concurrent bookings on SQLite (select_for_update is a no-op there).
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
        db["TEST"] = {"NAME": str(VAR_DIR / f"test-{checkout_tag}.sqlite3")}
    else:
        db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        db["CONN_HEALTH_CHECKS"] = True
        db.setdefault("OPTIONS", {})
        db["OPTIONS"].setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=2))
        db["TEST"] = {
            "NAME": env.str("TEST_DATABASE_NAME", default=f"test_innkeeper_{checkout_tag}")
        }
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Redis is optional: a slow or dead Redis must cost at most one short timeout, after which cache
# and rate limits use their fallbacks and retry Redis every REDIS_RETRY_SECONDS.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.25)
REDIS_RETRY_SECONDS = env.float("REDIS_RETRY_SECONDS", default=5.0)
if REDIS_URL:
    CACHES = {
        "default": {
            # RedisCache that answers "miss" instead of raising while Redis is down.
            "BACKEND": "innkeeper.ops.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="cache"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions live in the database, never only in a cache that may be down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
# LockoutBackend first: it refuses a locked account (too many failed logins) at every door.
AUTHENTICATION_BACKENDS = ["innkeeper.ops.ratelimit.lockout.LockoutBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Uploaded photos and receipts; backed up with the database (README "Backups").
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))).resolve()
# Uploaded media: local disk, or S3-compatible storage when MEDIA_STORAGE_URL is set (several
# web nodes then share it). README "Deploy"; innkeeper/core/storage.py.
_media = media_storage(
    env.str("MEDIA_STORAGE_URL", default=""),
    S3Options(
        endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=""),
        region=env.str("AWS_S3_REGION_NAME", default=""),
        custom_domain=env.str("AWS_S3_CUSTOM_DOMAIN", default=""),
        media_url=env.str("MEDIA_URL", default=""),
    ),
)
STORAGES = _media.storages
MEDIA_URL = _media.media_url
# Photos served from another origin (S3, a CDN) must pass the Content-Security-Policy.
if MEDIA_URL.startswith(("https://", "http://")):
    _media_origin = "/".join(MEDIA_URL.split("/", 3)[:3])
    if _media_origin not in SECURE_CSP["img-src"]:
        SECURE_CSP["img-src"].append(_media_origin)
# Serve app static files straight from the packages: no collectstatic step for `make run`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Booking rules (see README "Configuration").
BOOKING_MAX_NIGHTS = env.int("BOOKING_MAX_NIGHTS", default=30)
BOOKING_HORIZON_DAYS = env.int("BOOKING_HORIZON_DAYS", default=730)
BOOKING_PENDING_TTL_MINUTES = env.int("BOOKING_PENDING_TTL_MINUTES", default=30)
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=24 * 14)
# A valid token is remembered this long per process (no query per API request); a revocation
# made by another process (CLI, another worker) takes effect within it. 0: no cache.
API_TOKEN_CACHE_SECONDS = env.float("API_TOKEN_CACHE_SECONDS", default=5.0)
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=48)

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# LOG_FORMAT=json: one JSON object per line (production); plain: readable lines (default).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING_CONFIG = "innkeeper.core.logs.configure"
# Manage/reset link tokens never reach a log line (ops/redact.py): the redact filter sits on
# every handler and on the HTTP servers' own access loggers.
LOGGING = logging_settings(
    log_format=LOG_FORMAT,
    level=LOG_LEVEL,
    filters={"redact": {"()": "innkeeper.ops.redact.RedactSecretsFilter"}},
    filtered_loggers=("gunicorn.access", "uvicorn.access", "innkeeper.access"),
)

# Metrics (README "Monitoring"): GET /metrics in the Prometheus format. Never public: with
# neither METRICS_TOKEN nor METRICS_ALLOWED_CIDRS set, only loopback may read it.
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=True)
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_CIDRS = env.list("METRICS_ALLOWED_CIDRS", default=[])
# Database-backed gauges (queue, bookings, backups) are re-read at most this often.
METRICS_CACHE_SECONDS = env.float("METRICS_CACHE_SECONDS", default=10.0)

# Optional error reporting (README "Monitoring"): events are scrubbed of tokens and secrets.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from innkeeper.ops.telemetry.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# Web pages (guest booking pages and the front desk).
# Serve uploaded media (room photos) from this process: right for the embedded default; set
# false when a web server or object storage serves MEDIA_URL.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not _media.remote)
# Room photo uploads: bigger files, or more pixels (decoding costs ~3 bytes a pixel: a 136 KB
# PNG of 12000x12000 took a worker to 1.45 GB), are refused before anything is stored.
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=40_000_000)
# How long the emailed "manage your booking" link stays valid (README "Accounts and links":
# a week, and every reminder email carries a fresh one).
MAGIC_LINK_TTL_HOURS = env.int("MAGIC_LINK_TTL_HOURS", default=24 * 7)
# Emailed password-reset links: one use (the token dies when the password changes), 1 hour.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
# A login source (IP) that succeeded for an account within this many days still gets in when
# the account is locked by failures from elsewhere (README "Accounts and links").
LOGIN_KNOWN_SOURCE_DAYS = env.int("LOGIN_KNOWN_SOURCE_DAYS", default=90)
# Public address for emailed links (e.g. https://riad.example); empty: the address the guest used.
SITE_URL = env.str("SITE_URL", default="")
# Calendar import from booking channels (README "Booking channels"): each feed is fetched
# about every CHANNEL_SYNC_MINUTES (each feed's turn is jittered by up to a fifth).
CHANNEL_SYNC_MINUTES = env.int("CHANNEL_SYNC_MINUTES", default=10)
# A feed not fetched successfully for this long makes `health full` degraded.
CHANNEL_SYNC_STALE_MINUTES = env.int("CHANNEL_SYNC_STALE_MINUTES", default=60)
# Feed URLs on private, loopback or link-local addresses are refused (SSRF) unless true.
CHANNEL_ALLOW_PRIVATE_URLS = env.bool("CHANNEL_ALLOW_PRIVATE_URLS", default=False)
CHANNEL_FETCH_TIMEOUT_SECONDS = env.float("CHANNEL_FETCH_TIMEOUT_SECONDS", default=10.0)
CHANNEL_MAX_FEED_BYTES = env.int("CHANNEL_MAX_FEED_BYTES", default=5 * 1024 * 1024)
CHANNEL_MAX_EVENTS = env.int("CHANNEL_MAX_EVENTS", default=5000)
CHANNEL_MAX_REDIRECTS = env.int("CHANNEL_MAX_REDIRECTS", default=3)
# Imported events are read this many days ahead (recurring ones expanded up to then).
CHANNEL_IMPORT_DAYS = env.int("CHANNEL_IMPORT_DAYS", default=730)
# A form posted after its CSRF token went stale gets a friendly "session expired" page.
CSRF_FAILURE_VIEW = "innkeeper.web.views.errors.csrf_failure"
# Operations (health, maintenance, blocklist): see README "Operations".
# HEALTH_TOKEN lets monitors read /api/health/full without a user account (and mid-outage).
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")
# Requests slower than this are logged as "Slow request ..." (innkeeper.requests).
SLOW_REQUEST_MS = env.int("SLOW_REQUEST_MS", default=1000)
HEALTH_DISK_MIN_FREE_MB = env.int("HEALTH_DISK_MIN_FREE_MB", default=500)
HEALTH_QUEUE_MAX_WAITING = env.int("HEALTH_QUEUE_MAX_WAITING", default=1000)
# Jobs waiting this long with no live worker make the queue check degraded (worker down).
HEALTH_QUEUE_STALL_SECONDS = env.int("HEALTH_QUEUE_STALL_SECONDS", default=300)
# Backups (README "Backups"): files + a JSON manifest each, in BACKUP_DIR (relative: under the
# project). BACKUP_KEEP is a count: the newest N scheduled/manual backups are kept (plus the
# newest verified one), so a scheduler that stopped for weeks never ages every backup away.
BACKUP_DIR = (PROJECT_DIR / env.str("BACKUP_DIR", default=str(VAR_DIR / "backups"))).resolve()
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
BACKUP_MAX_AGE_HOURS = env.float("BACKUP_MAX_AGE_HOURS", default=26.0)
# `backup status` exits 1 when no restore drill passed for this long (0: not checked).
BACKUP_DRILL_MAX_AGE_HOURS = env.float("BACKUP_DRILL_MAX_AGE_HOURS", default=192.0)
# When the scheduler takes backups and runs restore drills, in BACKUP_TIME_ZONE (empty: the
# property's): cron expressions or fixed times ("03:15"), several separated by ";"; "off": none
# (backups are taken elsewhere). README "Backups" has examples.
BACKUP_SCHEDULE = env.str("BACKUP_SCHEDULE", default="0 */4 * * *")
BACKUP_DRILL_SCHEDULE = env.str("BACKUP_DRILL_SCHEDULE", default="30 4 * * *")
BACKUP_TIME_ZONE = env.str("BACKUP_TIME_ZONE", default="")
# Retention tiers besides BACKUP_KEEP (newest N): all younger than BACKUP_KEEP_DAYS (0: off),
# and the newest backup of each of the last N days, ISO weeks and months.
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=0)
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=4)
BACKUP_KEEP_MONTHLY = env.int("BACKUP_KEEP_MONTHLY", default=6)
# Off-site copies (S3-compatible; credentials from the usual AWS_* variables): empty: none.
BACKUP_S3_BUCKET = env.str("BACKUP_S3_BUCKET", default="")
BACKUP_S3_PREFIX = env.str("BACKUP_S3_PREFIX", default="innkeeper/")
BACKUP_S3_ENDPOINT_URL = env.str("BACKUP_S3_ENDPOINT_URL", default="")
BACKUP_S3_REGION = env.str("BACKUP_S3_REGION", default="")
BACKUP_S3_ATTEMPTS = env.int("BACKUP_S3_ATTEMPTS", default=3)
BACKUP_S3_RETRY_SECONDS = env.float("BACKUP_S3_RETRY_SECONDS", default=5.0)
# S3 Object Lock on every uploaded object, where the bucket has it on (created with Object
# Lock): retained this many days (0: off) in GOVERNANCE or COMPLIANCE mode.
BACKUP_S3_LOCK_DAYS = env.int("BACKUP_S3_LOCK_DAYS", default=0)
BACKUP_S3_LOCK_MODE = env.str("BACKUP_S3_LOCK_MODE", default="GOVERNANCE")
# PostgreSQL point-in-time recovery with pgBackRest (README "Point-in-time recovery"): the
# cluster's data directory (empty: no PITR), and where pgBackRest's config and repository go
# (readable by the cluster's owner, BACKUP_PITR_RUN_AS when innkeeper runs as root).
BACKUP_PITR_PGDATA = env.str("BACKUP_PITR_PGDATA", default="")
BACKUP_PITR_CONFIG = env.str("BACKUP_PITR_CONFIG", default="/etc/pgbackrest/innkeeper.conf")
BACKUP_PITR_REPO = env.str("BACKUP_PITR_REPO", default="/var/lib/pgbackrest")
BACKUP_PITR_STANZA = env.str("BACKUP_PITR_STANZA", default="innkeeper")
BACKUP_PITR_RUN_AS = env.str("BACKUP_PITR_RUN_AS", default="")
BACKUP_PITR_SOCKET_PATH = env.str("BACKUP_PITR_SOCKET_PATH", default="")
BACKUP_PITR_RETENTION_FULL = env.int("BACKUP_PITR_RETENTION_FULL", default=2)
# pgBackRest backups and the repository's off-site sync, run by innkeeper's scheduler (cron
# or fixed times, like BACKUP_SCHEDULE; "off" turns one off). ops/backups/pitr_tasks.py.
BACKUP_PITR_FULL_SCHEDULE = env.str("BACKUP_PITR_FULL_SCHEDULE", default="30 1 * * 0")
BACKUP_PITR_INCR_SCHEDULE = env.str("BACKUP_PITR_INCR_SCHEDULE", default="15 * * * *")
BACKUP_PITR_SYNC_SCHEDULE = env.str("BACKUP_PITR_SYNC_SCHEDULE", default="* * * * *")
# `backup status` exits 1 when WAL written this long ago is still not archived (the RPO).
BACKUP_WAL_MAX_LAG_SECONDS = env.float("BACKUP_WAL_MAX_LAG_SECONDS", default=300.0)
# Where pg_dump/pg_restore live; empty: /usr/lib/postgresql/<server major>/bin, then PATH.
BACKUP_PG_BIN_DIR = env.str("BACKUP_PG_BIN_DIR", default="")
# Key of the manifests' HMAC; empty: derived from SECRET_KEY. Keep it (or SECRET_KEY) with the
# backup private key, off this machine: restoring on a new machine needs it.
BACKUP_HMAC_KEY = env.str("BACKUP_HMAC_KEY", default="")
# age public keys (age1..., comma-separated) every new backup is encrypted to; empty: backups
# are not encrypted. `innkeeper backup keygen --out FILE` makes a pair.
BACKUP_PUBLIC_KEYS = env.list("BACKUP_PUBLIC_KEYS", default=[])
# A private key file for scheduled drills, set only on a drill host (never on the web host).
BACKUP_PRIVATE_KEY_FILE = env.str("BACKUP_PRIVATE_KEY_FILE", default="")
# How many reverse proxies in front append to X-Forwarded-For (0: use REMOTE_ADDR only).
# BEHIND_PROXY=true means one load balancer in front unless TRUSTED_PROXIES says otherwise.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=1 if env.bool("BEHIND_PROXY", False) else 0)
# X-Forwarded-For is read only when the direct peer is one of these (CIDRs, comma-separated).
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=["127.0.0.1/32", "::1/128"])

# --- HTTP server and request limits (README "Security") ---
# `innkeeper serve` closes a connection whose headers are not complete after this many
# seconds, and answers 408 to a body not complete after SERVER_BODY_TIMEOUT seconds.
SERVER_HEADER_TIMEOUT = env.int("SERVER_HEADER_TIMEOUT", default=10)
SERVER_BODY_TIMEOUT = env.int("SERVER_BODY_TIMEOUT", default=30)
# Bodies without files over DATA_UPLOAD_MAX_MEMORY_SIZE, and uploads (multipart) over
# UPLOAD_MAX_BYTES, are refused with 413 before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Django would otherwise take the script name from the server's SCRIPT_NAME, which some
# servers fill from a client header: routing and the ops gates must see the same path.
FORCE_SCRIPT_NAME = env.str("FORCE_SCRIPT_NAME", default="")

# --- Background jobs, scheduler and guest email (README "Background jobs and email") ---
TASKS = {
    "default": {
        # The database backend makes enqueueing part of the booking transaction (an outbox).
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        # "pitr": pgBackRest jobs, for a worker on the database host (ops/backups/pitr_tasks).
        "QUEUES": ["default", "notifications", "pitr"],
    }
}
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=5)
JOBS_RETRY_BASE_SECONDS = env.float("JOBS_RETRY_BASE_SECONDS", default=30.0)
JOBS_RETRY_MAX_SECONDS = env.float("JOBS_RETRY_MAX_SECONDS", default=3600.0)
# A RUNNING job whose worker sent no heartbeat for this long is re-queued (worker died).
JOBS_VISIBILITY_TIMEOUT_SECONDS = env.float("JOBS_VISIBILITY_TIMEOUT_SECONDS", default=300.0)
JOBS_WORKER_POLL_SECONDS = env.float("JOBS_WORKER_POLL_SECONDS", default=1.0)
JOBS_RETENTION_DAYS = env.int("JOBS_RETENTION_DAYS", default=7)
JOBS_FAILED_RETENTION_DAYS = env.int("JOBS_FAILED_RETENTION_DAYS", default=30)
# Guests are anonymised this long after their last stay ended (3 years; see README "Guest data").
GUEST_RETENTION_DAYS = env.int("GUEST_RETENTION_DAYS", default=1095)
SCHEDULER_TICK_SECONDS = env.float("SCHEDULER_TICK_SECONDS", default=30.0)
NOTIFICATIONS_REMINDER_DAYS_BEFORE = env.int("NOTIFICATIONS_REMINDER_DAYS_BEFORE", default=3)

# EMAIL_URL: smtp://user:pass@host:587 (plain), smtp+tls://... (STARTTLS), smtp+ssl://...
# (implicit TLS), consolemail://. Default: one file per connection under var/mail/.


def _mailer(url: str) -> dict[str, Any]:
    """EMAIL_URL -> Django 6.1's MAILERS["default"]. filemail:///srv/mail -> /srv/mail;
    plain filemail:// -> var/mail."""
    parsed = env.email_url_config(url)
    backend = parsed["EMAIL_BACKEND"]
    if backend.endswith("filebased.EmailBackend"):
        path = (
            "/" + parsed["EMAIL_FILE_PATH"] if parsed.get("EMAIL_FILE_PATH") else VAR_DIR / "mail"
        )
        return {"BACKEND": backend, "OPTIONS": {"file_path": str(path)}}
    if not backend.endswith("smtp.EmailBackend"):
        return {"BACKEND": backend}
    options = {
        "host": parsed.get("EMAIL_HOST") or "localhost",
        "port": parsed.get("EMAIL_PORT") or 25,
        "username": parsed.get("EMAIL_HOST_USER") or "",
        "password": parsed.get("EMAIL_HOST_PASSWORD") or "",
        "use_tls": bool(parsed.get("EMAIL_USE_TLS")),
        "use_ssl": bool(parsed.get("EMAIL_USE_SSL")),
        "timeout": env.int("EMAIL_TIMEOUT", default=10),
    }
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": _mailer(env.str("EMAIL_URL", default="filemail://"))}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="innkeeper <bookings@innkeeper.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Rate limits (README "Rate limits"). Each scope: RATE_LIMIT_<SCOPE>=<n>/<second|minute|hour|day>.
# Counted in Redis (keys `<RATE_LIMIT_KEY_PREFIX>:...`) when REDIS_URL is set, else in process.
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", default=True)
RATE_LIMITS = {
    name: env.str(f"RATE_LIMIT_{name.upper()}", default=scope.default)
    for name, scope in RATE_LIMIT_SCOPES.items()
}
RATE_LIMIT_KEY_PREFIX = env.str("RATE_LIMIT_KEY_PREFIX", default="rate")

# Payments (see README "Payments"). Keys come from the environment only, never the repository.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # empty: Stripe's own API
STRIPE_TIMEOUT_SECONDS = env.int("STRIPE_TIMEOUT_SECONDS", default=10)
# The guest pages offer "Pay the deposit online" (Stripe Checkout) when a secret key is set;
# false hides the button (e.g. while Stripe Checkout is degraded) without touching the API.
STRIPE_CHECKOUT_ENABLED = env.bool("STRIPE_CHECKOUT_ENABLED", default=True)
# "Pay the deposit online" posts a form that redirects to Stripe's hosted page, and browsers
# hold that redirect to the CSP's form-action: Stripe's page (or a stand-in's, which serves it
# from its API base) must be allowed.
SECURE_CSP["form-action"] = [CSP.SELF, "https://checkout.stripe.com"]
if STRIPE_API_BASE:
    SECURE_CSP["form-action"].append("/".join(STRIPE_API_BASE.split("/", 3)[:3]))
PAYMENT_RECONCILE_AFTER_MINUTES = env.int("PAYMENT_RECONCILE_AFTER_MINUTES", default=5)
