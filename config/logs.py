"""Logging for every process: JSON lines in production, readable lines on a laptop.

Django (``LOGGING``), gunicorn (config/gunicorn.py) and Celery (config/celery.py) all take their
configuration from :func:`logging_config`, so web, worker and beat lines share one shape:
``timestamp``, ``level``, ``logger``, ``message``, then the request (``request_id``, ``method``,
``path``) or task (``task_id``, ``task_name``) the line was written for, and any ``extra``.
"""

import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from logging import Filter, LogRecord
from typing import Any

from celery import current_task
from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

LOG_FORMATS = ("json", "plain")
REQUEST_ID_HEADER = "X-Request-ID"
# A request id from a proxy is kept when it is short and plain; anything else is replaced, so a
# client cannot write arbitrary text into every log line of its request.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

_request_context: ContextVar[dict[str, str] | None] = ContextVar("request_context", default=None)

# gunicorn's access-log atoms (gunicorn.glogging.Logger.atoms) kept as named fields.
_ACCESS_FIELDS = {
    "remote_addr": "h",
    "method": "m",
    "path": "U",
    "query": "q",
    "status": "s",
    "bytes": "B",
    "duration_ms": "M",
    "user_agent": "a",
    "referer": "f",
    "forwarded_for": "{x-forwarded-for}i",
    "request_id": "{x-request-id}o",
}


class RequestContextMiddleware:
    """Tag every log line written while a request is served with its id, method and path.

    The id comes from the proxy's ``X-Request-ID`` when it is a plain token, otherwise a new one;
    the response carries it back so a user's report can be matched to the lines.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # Also on the request: Django logs 4xx/5xx responses (django.request) after middleware.
        request.request_id = request_id
        token = _request_context.set(
            {"request_id": request_id, "method": request.method, "path": request.path}
        )
        try:
            response = self.get_response(request)
        finally:
            _request_context.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestContextFilter(Filter):
    """Copy the current request's (or Celery task's) context onto each record."""

    def filter(self, record: LogRecord) -> bool:
        context = _request_context.get() or _context_of(getattr(record, "request", None))
        if context:
            for key, value in context.items():
                if not hasattr(record, key):
                    setattr(record, key, value)
        task = _current_task()
        if task is not None and not hasattr(record, "task_id"):
            record.task_id = task.request.id
            record.task_name = task.name
        return True


def _context_of(request) -> dict[str, str] | None:
    """The context of a Django request passed as ``extra`` (django.request does), if any."""
    if not hasattr(request, "method") or not hasattr(request, "path"):
        return None
    return {
        "request_id": getattr(request, "request_id", None),
        "method": request.method,
        "path": request.path,
    }


def _current_task():
    task = current_task._get_current_object()
    return task if task is not None and getattr(task.request, "id", None) else None


class JsonFormatter(BaseJsonFormatter):
    """python-json-logger's formatter with our field names and gunicorn's access fields."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        # A Django request object is summarised by RequestContextFilter, never dumped.
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "taskName", "request", "server_time"])
        super().__init__(["levelname", "name", "message"], **kwargs)

    def add_fields(self, log_data: dict, record: LogRecord, message_dict: dict) -> None:
        super().add_fields(log_data, record, message_dict)
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            for field, atom in _ACCESS_FIELDS.items():
                value = record.args.get(atom)
                if value not in (None, "-"):
                    log_data[field] = value

    def process_log_record(self, log_data: dict) -> dict:
        first = {key: log_data.pop(key) for key in ("timestamp", "level", "logger", "message")}
        return {**first, **log_data}


def logging_config(log_format: str, *, level: str = "INFO") -> dict:
    """The ``logging.config.dictConfig`` dictionary for ``log_format`` ("json" or "plain")."""
    if log_format not in LOG_FORMATS:
        known = ", ".join(LOG_FORMATS)
        raise ImproperlyConfigured(f"LOG_FORMAT must be one of {known}, not {log_format!r}")
    console = {"handlers": ["console"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "config.logs.RequestContextFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "config.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "axes": {"level": "WARNING"},
            # WeasyPrint logs seven progress steps per PDF at INFO; its warnings still show.
            "weasyprint": {"level": "WARNING"},
            # gunicorn's own loggers: named here so that Django's configuration, applied when a
            # worker loads the app, keeps them on the same handler instead of dropping them.
            "gunicorn.error": console,
            "gunicorn.access": {**console, "level": "INFO"},
        },
    }
