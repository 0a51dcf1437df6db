"""Where uploaded media (room photos) lives: local disk by default, S3-compatible object
storage (django-storages + boto3) when MEDIA_STORAGE_URL=s3://bucket/prefix is set, so
several web nodes share one copy. Pure functions: settings.py calls them at import time.

Credentials are not read here: boto3 takes AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the
environment (or the machine's role), so they never sit in a settings dict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

LOCAL_MEDIA_URL = "/media/"
STATICFILES = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


@dataclass(frozen=True)
class MediaStorage:
    storages: dict[str, dict[str, Any]]
    media_url: str
    remote: bool


@dataclass(frozen=True)
class S3Options:
    endpoint_url: str = ""
    region: str = ""
    custom_domain: str = ""
    media_url: str = ""


def media_storage(url: str, options: S3Options | None = None) -> MediaStorage:
    """MEDIA_STORAGE_URL -> STORAGES and MEDIA_URL. Empty: local disk under MEDIA_ROOT."""
    options = options or S3Options()
    if not url:
        local = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        media_url = options.media_url or LOCAL_MEDIA_URL
        return MediaStorage({"default": local, "staticfiles": STATICFILES}, media_url, False)
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL must look like s3://bucket/prefix, not {url!r}"
        )
    bucket, prefix = parts.netloc, parts.path.strip("/")
    s3 = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": prefix,
            "endpoint_url": options.endpoint_url or None,
            "region_name": options.region or None,
            "custom_domain": options.custom_domain or None,
            # Photos are public and named by content hash: plain URLs, never overwritten.
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
        },
    }
    media_url = options.media_url or _public_base(bucket, options)
    if not options.media_url and prefix:
        media_url = f"{media_url}/{prefix}"
    return MediaStorage(
        {"default": s3, "staticfiles": STATICFILES}, media_url.rstrip("/") + "/", True
    )


def _public_base(bucket: str, options: S3Options) -> str:
    """Where the bucket's objects are read by browsers (templates join MEDIA_URL + name)."""
    if options.custom_domain:
        return f"https://{options.custom_domain.strip('/')}"
    if options.endpoint_url:
        return f"{options.endpoint_url.rstrip('/')}/{bucket}"
    if options.region:
        return f"https://{bucket}.s3.{options.region}.amazonaws.com"
    return f"https://{bucket}.s3.amazonaws.com"
