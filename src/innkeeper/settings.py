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

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("INNKEEPER_VAR_DIR", PROJECT_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(PROJECT_DIR / ".env", overwrite=False)


def _secret_key() -> str:
    """An explicit SECRET_KEY wins; otherwise one is generated once and kept in var/."""
    explicit = env.str("SECRET_KEY", default="")
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
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
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
    "innkeeper.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "innkeeper.core.middleware.ApiProblemMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
        db["OPTIONS"].setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=3))
        db["TEST"] = {
            "NAME": env.str("TEST_DATABASE_NAME", default=f"test_innkeeper_{checkout_tag}")
        }
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cache",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions live in the database, never only in a cache that may be down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
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
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Serve app static files straight from the packages: no collectstatic step for `make run`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Booking rules (see README "Configuration").
BOOKING_MAX_NIGHTS = env.int("BOOKING_MAX_NIGHTS", default=30)
BOOKING_HORIZON_DAYS = env.int("BOOKING_HORIZON_DAYS", default=730)
BOOKING_PENDING_TTL_MINUTES = env.int("BOOKING_PENDING_TTL_MINUTES", default=30)
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=24 * 14)
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=48)

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {"django.server": {"level": "WARNING"}},
}

# Payments (see README "Payments"). Keys come from the environment only, never the repository.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # empty: Stripe's own API
STRIPE_TIMEOUT_SECONDS = env.int("STRIPE_TIMEOUT_SECONDS", default=10)
PAYMENT_RECONCILE_AFTER_MINUTES = env.int("PAYMENT_RECONCILE_AFTER_MINUTES", default=5)
