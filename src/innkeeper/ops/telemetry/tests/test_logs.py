"""JSON logs (LOG_FORMAT=json): a request's lines carry its id, its summary line the route,
status, problem code, user and duration; a job's lines its id and booking reference."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django_tasks_db.models import DBTaskResult

from innkeeper.core.logs import logging_settings
from innkeeper.jobs.worker import job_context
from innkeeper.ops.maintenance import maintenance_disable, maintenance_enable

pytestmark = pytest.mark.django_db


@contextmanager
def json_log(logger_name: str) -> Iterator[list[dict]]:
    """The records of `logger_name`, rendered by the production JSON formatter and parsed."""
    config = logging_settings(log_format="json", level="INFO")["formatters"]["json"]
    factory = config.pop("()")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(factory(**config))
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        lines.extend(json.loads(text) for text in stream.getvalue().splitlines())


def test_plain_lines_stay_the_default_for_make_run():
    assert django_settings.LOGGING["handlers"]["stderr"]["formatter"] == "plain"
    assert logging_settings(log_format="json", level="INFO")["handlers"]["stderr"] == {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "filters": [],
    }


def test_filters_apply_to_the_handler_and_the_named_loggers():
    config = logging_settings(
        log_format="json",
        level="INFO",
        filters={"quiet": {"()": "logging.Filter", "name": "innkeeper"}},
        filtered_loggers=("gunicorn.access",),
    )
    assert config["handlers"]["stderr"]["filters"] == ["quiet"]
    assert config["loggers"]["gunicorn.access"] == {"filters": ["quiet"]}
    logging.config.dictConfig({**config, "disable_existing_loggers": False})
    try:
        assert logging.getLogger("gunicorn.access").filters
    finally:
        logging.config.dictConfig(django_settings.LOGGING)


def test_a_slow_request_line_has_id_route_status_code_and_duration(settings):
    settings.SLOW_REQUEST_MS = 0
    with json_log("innkeeper.requests") as lines:
        response = Client().get("/api/v1/bookings/ABCD1234")
    (line,) = lines
    assert line["request_id"] == response["X-Request-ID"]
    assert line["route"] == "/api/v1/bookings/<reference>"
    assert line["path"] == "/api/v1/bookings/ABCD1234"
    assert (line["method"], line["status"], line["code"]) == ("GET", 401, "unauthorized")
    assert line["duration_ms"] >= 0
    assert (line["level"], line["logger"]) == ("warning", "innkeeper.requests")
    assert line["event"].startswith("Slow request GET /api/v1/bookings/ABCD1234 401 ")
    assert line["timestamp"].endswith("Z")


def test_a_server_error_line_names_its_problem_code_and_user(settings, guest_api, guest):
    settings.SLOW_REQUEST_MS = 0
    with json_log("innkeeper.requests") as signed_in:
        assert guest_api.get("/api/v1/auth/me").status_code == 200
    maintenance_enable(actor="ops@test", secret="", message="", refresh=None)
    try:
        with json_log("innkeeper") as lines:
            response = guest_api.post("/api/v1/bookings", {})
    finally:
        maintenance_disable(actor="ops@test")
    assert response.status_code == 503
    request_id = response["X-Request-ID"]
    assert response.json()["request_id"] == request_id
    (line,) = [line for line in lines if line["logger"] == "innkeeper.requests"]
    assert line["event"].startswith("Server error POST /api/v1/bookings 503 maintenance ")
    assert (line["status"], line["code"], line["request_id"]) == (503, "maintenance", request_id)
    assert line["user_id"] is None  # refused before anyone looked the user up
    assert all(other["request_id"] == request_id for other in lines)
    assert signed_in[0]["user_id"] == guest.pk


def test_a_job_s_lines_carry_its_id_and_booking_reference(make_booking):
    booking = make_booking()
    job = DBTaskResult.objects.filter(task_path__endswith="send_booking_email").first()
    assert job is not None
    with json_log("innkeeper.jobs") as lines, job_context(job):
        logging.getLogger("innkeeper.jobs").warning("job attempt failed; retrying")
    (line,) = lines
    assert line["job_id"] == str(job.id)
    assert line["booking_ref"] == booking.reference
    assert line["booking_id"] == booking.pk
    assert line["task"].endswith("send_booking_email")
    assert "request_id" not in line


def test_a_magic_link_token_never_reaches_the_log(settings):
    settings.SLOW_REQUEST_MS = 0
    with json_log("innkeeper.requests") as lines:
        Client().get("/manage/eyJyZWYiOiJBQkNEIn0:1xXpbq:fZd19JRShw8sIePFEJZAzRLk/")
    (line,) = lines
    assert "fZd19JRShw8sIePFEJZAzRLk" not in json.dumps(line)
    assert line["path"] == "/manage/[Filtered]/"
    assert line["route"] == "/manage/<str:token>/"
