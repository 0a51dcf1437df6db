"""Room photos on S3-compatible storage (MEDIA_STORAGE_URL), against moto's S3 server run as
a real process: uploads, resized copies and the health probe go to the bucket, pages link to
the bucket's URLs, and an `innkeeper` process configured by environment uses it too."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from innkeeper.core.storage import S3Options, media_storage
from innkeeper.ops.health_checks import check_storage
from innkeeper.rooms.models import RoomType, RoomTypePhoto
from innkeeper.rooms.photos import room_type_photo_resize
from innkeeper.testing.ports import free_port
from innkeeper.testing.processes import require_binary, server_env, wait_until

BUCKET = "innkeeper-media"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free loopback port, with an empty bucket."""
    binary = require_binary(Path(sys.executable).parent / "moto_server", "S3 stand-in")
    port = free_port()
    server = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(endpoint, timeout=1).status_code < 500
        except requests.RequestException:
            return False

    try:
        assert wait_until(answers, 30, 0.2), "moto_server did not start"
        client = bucket_client(endpoint)
        client.create_bucket(Bucket=BUCKET)
        # What README "Deploy" asks of the bucket: photos readable by anyone.
        client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def bucket_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def keys(endpoint: str, prefix: str) -> list[str]:
    listed = bucket_client(endpoint).list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


@pytest.fixture
def s3_media(settings: Any, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    prefix = f"media-{os.getpid()}-{id(settings)}"
    storage = media_storage(f"s3://{BUCKET}/{prefix}", S3Options(endpoint_url=s3_endpoint))
    settings.STORAGES = storage.storages  # Django resets default_storage on this change
    settings.MEDIA_URL = storage.media_url
    return prefix


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 150, 100)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_room_photos_go_to_the_bucket_and_pages_link_there(
    s3_media: str, s3_endpoint: str, room_type: RoomType
) -> None:
    photo = RoomTypePhoto.objects.create(
        room_type=room_type,
        original=SimpleUploadedFile("patio.jpg", jpeg(2000, 1000), content_type="image/jpeg"),
        alt_text="The patio",
    )
    photo = room_type_photo_resize(photo=photo)

    stored = keys(s3_endpoint, s3_media)
    assert f"{s3_media}/{photo.original.name}" in stored
    for size in ("large", "medium", "thumb"):
        assert f"{s3_media}/{getattr(photo, size)}" in stored

    # Browsers fetch the copies straight from the bucket.
    thumb_url = f"{s3_endpoint}/{BUCKET}/{s3_media}/{photo.thumb}"
    fetched = requests.get(thumb_url, timeout=5)
    assert fetched.status_code == 200
    assert Image.open(io.BytesIO(fetched.content)).size == (320, 160)
    assert thumb_url in Client().get("/").content.decode()


def test_health_storage_probe_writes_to_the_bucket_and_cleans_up(
    s3_media: str, s3_endpoint: str
) -> None:
    result = check_storage()
    assert result.status == "healthy"
    assert result.details == {"writable": True, "backend": "s3"}
    assert keys(s3_endpoint, f"{s3_media}/health/") == []


def run_health(env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "innkeeper"), "health", "check", "--detailed", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return dict(json.loads(result.stdout))


@pytest.mark.django_db(transaction=True)
def test_an_innkeeper_process_configured_by_environment_uses_s3(s3_endpoint, tmp_path):
    env = server_env(tmp_path, **CREDENTIALS)
    subprocess.run(
        [str(Path(sys.executable).parent / "innkeeper"), "migrate", "-v", "0"],
        env=env,
        check=True,
        timeout=120,
    )
    env.update(MEDIA_STORAGE_URL=f"s3://{BUCKET}/process", AWS_S3_ENDPOINT_URL=s3_endpoint)
    report = run_health(env)
    assert report["checks"]["storage"] == "healthy"
    assert report["details"]["storage"]["backend"] == "s3"

    env["MEDIA_STORAGE_URL"] = "s3://no-such-bucket/media"
    report = run_health(env)
    assert report["checks"]["storage"] == "unhealthy"
    assert "no-such-bucket" not in json.dumps(report)  # exception text never leaks


def test_a_malformed_media_storage_url_stops_startup_with_a_clear_message(tmp_path):
    env = server_env(tmp_path, MEDIA_STORAGE_URL="https://bucket.example.com/media")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "innkeeper"), "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "MEDIA_STORAGE_URL must look like s3://bucket/prefix" in result.stderr


@pytest.mark.parametrize(
    ("url", "options", "media_url"),
    [
        ("", S3Options(), "/media/"),
        ("s3://b/p", S3Options(endpoint_url="http://minio:9000/"), "http://minio:9000/b/p/"),
        ("s3://b", S3Options(region="eu-west-1"), "https://b.s3.eu-west-1.amazonaws.com/"),
        ("s3://b/p/", S3Options(custom_domain="media.example.com"), "https://media.example.com/p/"),
        (
            "s3://b/p",
            S3Options(media_url="https://cdn.example.com/m"),
            "https://cdn.example.com/m/",
        ),
    ],
)
def test_media_url_follows_the_storage_settings(url, options, media_url):
    assert media_storage(url, options).media_url == media_url
