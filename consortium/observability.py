"""What Kyoso tells its operators: one log format, a request id, and scrubbed error reports.

Logs
    ``LOG_FORMAT=json`` writes one JSON object per line (``time`` in ISO 8601 with its offset,
    ``level``, ``logger``, ``message`` and every extra field); otherwise a plain line carries the
    same fields as ``key=value``. ``ContextFilter`` sits on the handler, so every record that
    reaches it — Kyoso's, Django's, Celery's — gains the ``request_id`` of the request being
    served and the ``task_id``/``task_name`` of the Celery task being run.

Request id
    ``RequestLogMiddleware`` takes a sane ``X-Request-ID`` from the proxy (or makes one), echoes
    it in the response and logs one line per request: user id, method, path (never the query
    string: it can hold names or e-mail addresses typed into a search box), status and duration.
    The id lives in a ``ContextVar``: each thread (gunicorn's gthread workers) and each asyncio
    task sees its own value, so this is per-request context, not state shared between requests.

Error reports
    ``sentry_init`` (called from settings only when ``SENTRY_DSN`` is set) reports errors of web
    requests and Celery tasks without personal data: ``scrub_event`` drops request bodies,
    cookies, query strings and all but a few harmless headers, keeps only the user's id and
    masks every e-mail address left in messages, breadcrumbs and exception values.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.utils.functional import empty

if TYPE_CHECKING:  # imported by consortium.celery, before settings: no Django imports at run time
    from django.http import HttpRequest, HttpResponse

request_id_var: ContextVar[str | None] = ContextVar("kyoso_request_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id (Caddy's UUID, nginx's hex) fits; anything else could forge log lines.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

request_logger = logging.getLogger("consortium.request")

# Attributes every LogRecord has: anything else on a record is an extra field worth writing.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Django passes the HttpRequest (or a socket) as ``extra={"request": …}``: its repr holds the
# query string. The request id already ties the line to its request. The ``LOGGING`` setting
# (consortium/settings.py) wires ContextFilter and the formatters below to the one handler.
_DROPPED_EXTRAS = frozenset({"request"})
# Set by ContextFilter; written only when there is a value.
_CONTEXT_FIELDS = ("request_id", "task_id", "task_name")


# --- Context -------------------------------------------------------------------------------------


def _current_task_context() -> tuple[str | None, str | None]:
    from celery._state import get_current_task

    task = get_current_task()
    if task is None:
        return None, None
    return getattr(task.request, "id", None), task.name


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``task_id``/``task_name`` to every record the handler sees.

    Celery's own lines about a task (``Task … received``, ``… succeeded``) are logged outside the
    task's run, with the task's id and name in ``extra={"data": …}``: they are taken from there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "task_id", None) is None:
            task_id, task_name = _current_task_context()
            data = getattr(record, "data", None)
            if task_id is None and _is_celery(record) and isinstance(data, dict):
                task_id, task_name = data.get("id"), data.get("name")
            record.task_id = task_id
            record.task_name = task_name
        return True


def _is_celery(record: logging.LogRecord) -> bool:
    return record.name == "celery" or record.name.startswith("celery.")


# --- Formatters ----------------------------------------------------------------------------------


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key in _CONTEXT_FIELDS:
        value = getattr(record, key, None)
        if value is not None:
            fields[key] = value
    for key, value in vars(record).items():
        if key in _STANDARD_ATTRS or key in _DROPPED_EXTRAS or key in _CONTEXT_FIELDS:
            continue
        if key == "data" and _is_celery(record):
            continue  # Celery's copy of what its message says (and the task's arguments)
        fields[key] = value
    return fields


class _KyosoFormatter(logging.Formatter):
    def __init__(self, tz: str = "UTC", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tz = ZoneInfo(tz)

    def timestamp(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created, tz=self.tz)
        return moment.isoformat(timespec="milliseconds")

    def base(self, record: logging.LogRecord) -> dict[str, Any]:
        line = {
            "time": self.timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return line


class JsonFormatter(_KyosoFormatter):
    """One JSON object per line (``LOG_FORMAT=json``), for a log collector."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(self.base(record), ensure_ascii=False, default=str)


class PlainFormatter(_KyosoFormatter):
    """The same fields for a person reading a terminal: ``time LEVEL logger message key=value``."""

    def format(self, record: logging.LogRecord) -> str:
        line = self.base(record)
        head = f"{line.pop('time')} {line.pop('level')} {line.pop('logger')} {line.pop('message')}"
        traces = [line.pop(key) for key in ("exc_info", "stack_info") if key in line]
        rest = " ".join(f"{key}={_plain(value)}" for key, value in line.items())
        return "\n".join([f"{head} {rest}" if rest else head, *traces])


def _plain(value: Any) -> str:
    if value is None:
        return "-"
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (not text or " " in text) else text


def celery_setup_logging(**kwargs: Any) -> None:
    """Receiver of Celery's ``setup_logging``: workers and beat log with ``LOGGING`` too, instead
    of Celery's own format (a connected receiver makes Celery leave logging alone)."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# --- Requests ------------------------------------------------------------------------------------


def _incoming_request_id(value: str | None) -> str | None:
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return None


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, without a query of its own: the user is read only if some
    middleware or the view already loaded it (every Kyoso page does)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """First in ``MIDDLEWARE``: sets the request id for everything after it and logs one line per
    request. The duration ends when the response is returned; a streamed body is sent after."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = (
            _incoming_request_id(request.headers.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex
        )
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            request_logger.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "user_id": _user_id(request),
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id_var.reset(token)


# --- Error reports -------------------------------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
EMAIL_MASK = "[email]"
# Headers that say nothing about a person; every other one (Cookie, Authorization, Referer with
# its query string, X-Forwarded-For) is dropped.
_KEPT_HEADERS = frozenset(
    {"host", "user-agent", "accept", "accept-language", "content-type", "content-length"}
    | {REQUEST_ID_HEADER.lower(), "hx-request"}
)


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return _EMAIL.sub(EMAIL_MASK, value)
    if isinstance(value, dict):
        return {key: _mask(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(item) for item in value]
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry's ``before_send``: what leaves the server names nobody.

    Request bodies (form posts carry names, e-mail addresses and addresses), cookies, query
    strings and the environment are dropped; of the headers only harmless ones stay; of the user
    only the id; frame variables are dropped; e-mail addresses anywhere else are masked."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value for name, value in headers.items() if name.lower() in _KEPT_HEADERS
            }
        if isinstance(request.get("url"), str):
            request["url"] = request["url"].split("?", 1)[0]
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if user.get("id") is not None else {}
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    event.pop("extra", None)
    request_id = request_id_var.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return _mask(event)


def sentry_options(*, dsn: str, environment: str, release: str | None) -> dict[str, Any]:
    """Options for ``sentry_sdk.init``; apart so that a test can read them without a client."""
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    return {
        "dsn": dsn,
        "environment": environment,
        "release": release or None,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        "send_default_pii": False,
        "max_request_body_size": "never",
        # Local variables hold people (a Person's repr, an e-mail string): never sent.
        "include_local_variables": False,
        "before_send": scrub_event,
        "traces_sample_rate": 0.0,
    }


def sentry_init(*, dsn: str, environment: str, release: str | None) -> None:
    """Error reports to Sentry (``SENTRY_DSN``): from web requests and Celery tasks."""
    import sentry_sdk

    sentry_sdk.init(**sentry_options(dsn=dsn, environment=environment, release=release))
