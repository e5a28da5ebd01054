"""One log format, a request id on every line of a request, the task id on every line of a task,
and error reports that carry no personal data."""

import datetime as dt
import io
import json
import logging
import os
import subprocess
import sys

import pytest
import sentry_sdk
from celery import shared_task
from celery.signals import setup_logging
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from consortium import observability
from consortium.observability import (
    ContextFilter,
    JsonFormatter,
    PlainFormatter,
    RequestLogMiddleware,
    request_id_var,
    scrub_event,
)

logger = logging.getLogger("kyoso.test")


@shared_task(name="tests.logging.say")
def say(word: str) -> str:
    logger.warning("saying %s", word)
    return word


class Lines:
    """What the site's log handler writes, as JSON objects."""

    def __init__(self, stream: io.StringIO):
        self.stream = stream

    def all(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line]

    def of(self, name: str) -> list[dict]:
        return [line for line in self.all() if line["logger"] == name]


def _site_handler() -> logging.Handler:
    return next(h for h in logging.getLogger().handlers if h.get_name() == "console")


@pytest.fixture
def log_lines():
    """A handler like the site's (its filters), writing JSON lines into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    for log_filter in _site_handler().filters:
        handler.addFilter(log_filter)
    handler.setFormatter(JsonFormatter(tz=settings.TIME_ZONE))
    root = logging.getLogger()
    root.addHandler(handler)
    yield Lines(stream)
    root.removeHandler(handler)


def request_line(lines: Lines) -> dict:
    (line,) = lines.of("consortium.request")
    return line


def test_the_site_handler_writes_kyoso_lines_with_context():
    handler = _site_handler()
    assert any(isinstance(f, ContextFilter) for f in handler.filters)
    assert isinstance(handler.formatter, PlainFormatter)  # LOG_FORMAT unset
    assert settings.MIDDLEWARE[0] == "consortium.observability.RequestLogMiddleware"


def test_a_json_line_has_time_level_logger_message_and_extra_fields(log_lines):
    logger.warning("rolled up %s", "2024年度", extra={"fiscal_year": 2024})

    (line,) = log_lines.of("kyoso.test")
    assert line["level"] == "WARNING"
    assert line["message"] == "rolled up 2024年度"
    assert line["fiscal_year"] == 2024
    moment = dt.datetime.fromisoformat(line["time"])
    assert moment.utcoffset() == dt.timedelta(hours=9)  # Asia/Tokyo, with its offset
    assert abs(moment - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def test_a_plain_line_carries_the_same_fields():
    record = logging.makeLogRecord(
        {"name": "kyoso.test", "levelname": "INFO", "msg": "hello", "fiscal_year": 2024}
    )
    ContextFilter().filter(record)

    line = PlainFormatter(tz="Asia/Tokyo").format(record)

    assert " INFO kyoso.test hello fiscal_year=2024" in line
    assert line.split(" ", 1)[0].endswith("+09:00")


def test_every_request_logs_one_line_and_echoes_its_id(db, client, log_lines):
    response = client.get(reverse("account_login"))

    line = request_line(log_lines)
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    assert line["request_id"] == request_id
    assert line["method"] == "GET"
    assert line["path"] == "/accounts/login/"
    assert line["status"] == 200
    assert line["user_id"] is None
    assert line["duration_ms"] >= 0


def test_a_sane_incoming_request_id_is_kept(db, client, log_lines):
    response = client.get(reverse("account_login"), HTTP_X_REQUEST_ID="caddy-7f3a.91")

    assert response.headers["X-Request-ID"] == "caddy-7f3a.91"
    assert request_line(log_lines)["request_id"] == "caddy-7f3a.91"


@pytest.mark.parametrize("forged", ["x\nINFO forged line", "a" * 129, "<script>", ""])
def test_an_odd_incoming_request_id_is_replaced(db, client, log_lines, forged):
    response = client.get(reverse("account_login"), HTTP_X_REQUEST_ID=forged)

    assert response.headers["X-Request-ID"] != forged
    assert len(response.headers["X-Request-ID"]) == 32
    assert "forged" not in log_lines.stream.getvalue()


def test_the_logged_path_has_no_query_string(db, client, log_lines):
    client.get(reverse("account_login") + "?email=hanako.yamada@example.jp&next=/members/")

    assert request_line(log_lines)["path"] == "/accounts/login/"
    assert "hanako" not in log_lines.stream.getvalue()


def test_a_signed_in_request_logs_the_user_id(client_as, people, log_lines):
    client_as("member_a").get(reverse("reports:dashboard"))

    assert request_line(log_lines)["user_id"] == people["member_a"].pk


def test_records_logged_during_a_request_carry_its_id(log_lines):
    def view(request):
        logger.warning("inside the view")
        return HttpResponse("ok")

    response = RequestLogMiddleware(view)(RequestFactory().get("/somewhere/"))

    (inside,) = log_lines.of("kyoso.test")
    assert inside["request_id"] == response.headers["X-Request-ID"]
    assert request_id_var.get() is None  # the id ends with its request
    logger.warning("after the request")
    assert "request_id" not in log_lines.of("kyoso.test")[-1]


def test_a_task_log_line_carries_the_task_id_and_name(log_lines):
    result = say.apply(args=["こんにちは"])

    (line,) = log_lines.of("kyoso.test")
    assert line["message"] == "saying こんにちは"
    assert line["task_id"] == result.id
    assert line["task_name"] == "tests.logging.say"


def test_celery_lines_about_a_task_carry_its_id():
    context = {"id": "4f1c", "name": "reports.rollup_pending", "args": "(1,)"}
    record = logging.makeLogRecord(
        {
            "name": "celery.worker.strategy",
            "msg": "Task %(name)s[%(id)s] received",
            "args": context,
            "data": context,
        }
    )
    ContextFilter().filter(record)

    line = json.loads(JsonFormatter().format(record))
    assert (line["task_id"], line["task_name"]) == ("4f1c", "reports.rollup_pending")
    assert "data" not in line  # Celery's copy holds the task's arguments


def test_workers_and_beat_log_in_the_site_format():
    receivers = [ref() for _, ref in setup_logging.receivers]
    assert observability.celery_setup_logging in receivers


# --- Error reports -------------------------------------------------------------------------------


def test_without_sentry_dsn_no_error_reports_are_sent():
    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


def test_with_sentry_dsn_settings_start_error_reports():
    env = {**os.environ, "SENTRY_DSN": "https://public@sentry.invalid/1"}
    env["SENTRY_ENVIRONMENT"] = "staging"
    code = (
        "import django, sentry_sdk; django.setup(); c = sentry_sdk.get_client(); "
        "print(c.is_active(), c.options['environment'], c.options['send_default_pii'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )

    assert done.stdout.split() == ["True", "staging", "False"]


def test_error_reports_use_the_django_and_celery_integrations_and_the_scrubber():
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    options = observability.sentry_options(
        dsn="https://k@x.invalid/1", environment="e", release="r"
    )

    kinds = {type(integration) for integration in options["integrations"]}
    assert {DjangoIntegration, CeleryIntegration} <= kinds
    assert options["send_default_pii"] is False
    assert options["include_local_variables"] is False
    assert options["before_send"] is scrub_event
    assert (options["environment"], options["release"]) == ("e", "r")


def event_with_personal_data() -> dict:
    return {
        "message": "could not notify hanako.yamada@example.jp",
        "request": {
            "url": "https://kyoso.example.jp/members/?q=山田花子",
            "method": "POST",
            "query_string": "q=山田花子",
            "data": {"name": "山田花子", "email": "hanako.yamada@example.jp"},
            "cookies": {"sessionid": "abc"},
            "headers": {
                "Cookie": "sessionid=abc",
                "Referer": "https://kyoso.example.jp/members/?q=山田花子",
                "User-Agent": "Mozilla/5.0",
                "X-Forwarded-For": "203.0.113.7",
            },
            "env": {"REMOTE_ADDR": "203.0.113.7"},
        },
        "user": {"id": 7, "email": "hanako.yamada@example.jp", "username": "hanako"},
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": "bad address taro@example.co.jp",
                    "stacktrace": {"frames": [{"function": "f", "vars": {"name": "山田花子"}}]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"message": "mail to taro@example.co.jp"}]},
        "extra": {"person": "山田花子"},
    }


def test_error_reports_drop_request_bodies_cookies_and_personal_headers():
    event = scrub_event(event_with_personal_data(), {})

    request = event["request"]
    assert "data" not in request
    assert "cookies" not in request
    assert "query_string" not in request
    assert "env" not in request
    assert request["headers"] == {"User-Agent": "Mozilla/5.0"}
    assert request["url"] == "https://kyoso.example.jp/members/"
    assert event["user"] == {"id": 7}
    assert "extra" not in event
    assert "vars" not in event["exception"]["values"][0]["stacktrace"]["frames"][0]


def test_error_reports_mask_email_addresses_everywhere():
    event = scrub_event(event_with_personal_data(), {})

    text = json.dumps(event, ensure_ascii=False)
    assert "@example" not in text
    assert "山田花子" not in text
    assert event["message"] == "could not notify [email]"
    assert event["exception"]["values"][0]["value"] == "bad address [email]"
    assert event["breadcrumbs"]["values"][0]["message"] == "mail to [email]"


def test_error_reports_inside_a_request_are_tagged_with_its_id():
    token = request_id_var.set("req-42")
    try:
        event = scrub_event({"message": "boom"}, {})
    finally:
        request_id_var.reset(token)

    assert event["tags"]["request_id"] == "req-42"
