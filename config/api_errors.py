"""Every API error body is {"message": "...", "extra": {...}} (CONTRACT.md)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import NotAllowed, RuleBroken


def _first_message(detail: object) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            inner = _first_message(value)
            return inner if key in ("non_field_errors", "detail") else f"{key}: {inner}"
        return "Invalid input."
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, RuleBroken):
        return Response({"message": exc.message, "extra": exc.extra}, status=400)
    if isinstance(exc, NotAllowed):
        return Response({"message": exc.message, "extra": exc.extra}, status=403)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        body = {"message": _first_message(detail), "extra": {"errors": detail}}
    else:
        body = {"message": _first_message(detail), "extra": {}}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        body["extra"]["retry_after"] = getattr(exc, "wait", None)
    response.data = body
    return response
