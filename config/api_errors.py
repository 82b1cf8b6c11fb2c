"""One error format for the whole API: {"error": {"status", "code", "message", "details"}}.

DRF's default bodies differ per exception ({"detail": ...} or a field dict); integrations want
one shape. Django's ValidationError and PermissionDenied raised by services map to 400 / 403.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _django_to_drf(exc):
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return exceptions.ValidationError(detail)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    return exc


def _message(data) -> str:
    if isinstance(data, dict):
        if "detail" in data:
            return str(data["detail"])
        first_key = next(iter(data), None)
        return f"{first_key}: {_message(data[first_key])}" if first_key else "Invalid request."
    if isinstance(data, list) and data:
        return _message(data[0])
    return str(data)


def exception_handler(exc, context):
    exc = _django_to_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else code
    details = response.data if isinstance(response.data, dict | list) else None
    if isinstance(details, dict) and set(details) == {"detail"}:
        details = None
    body = {
        "error": {
            "status": response.status_code,
            "code": code,
            "message": _message(response.data),
            "details": details,
        }
    }
    return Response(body, status=response.status_code, headers=dict(response.items()))


def error_body(status_code: int, code: str, message: str, details=None) -> dict:
    """The same shape, for views that answer errors themselves (412, 428)."""
    return {"error": {"status": status_code, "code": code, "message": message, "details": details}}
