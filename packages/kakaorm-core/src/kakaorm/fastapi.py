"""FastAPI (and any Starlette app): answer a :class:`kakaorm.ValidationError` with 422.

A model used as a request body already reports its column validators as FastAPI's
own 422 errors. Values an endpoint sets itself are checked when it saves; install
the handler once so that failure gets the same answer instead of a 500::

    from kakaorm.fastapi import install_validation_handler

    app = FastAPI()
    install_validation_handler(app)

The response body has FastAPI's shape, one entry per failing field::

    {"detail": [{"type": "kakaorm_validation", "loc": ["body", "name"],
                 "msg": "Too short: ...", "input": "X", "ctx": {"rules": ["min_length"]}}]}

Importing this module needs neither FastAPI nor Starlette; the handler imports
Starlette when it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kakaorm._pydantic import json_value
from kakaorm.exc import ValidationError
from kakaorm.orm.validation import field_errors

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

__all__ = ["install_validation_handler", "validation_error_detail", "validation_error_handler"]


def _json_safe(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    value = json_value(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def validation_error_detail(err: ValidationError, *, loc_prefix: Sequence[str] = ("body",)) -> list[dict[str, Any]]:
    """``err`` as the ``detail`` list of a FastAPI 422 answer: one JSON-safe entry per
    failing field with ``type`` (``"kakaorm_validation"``), ``loc`` (``loc_prefix`` +
    the field), ``msg`` (the field's messages), ``input`` and ``ctx`` (``{"rules": [...]}``)."""
    return [
        {**entry, "input": _json_safe(entry["input"])}
        for entry in field_errors(err, tuple(loc_prefix))
    ]


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    """An exception handler answering a ValidationError with 422 and
    :func:`validation_error_detail` as ``detail``."""
    from starlette.responses import JSONResponse

    if not isinstance(exc, ValidationError):
        raise TypeError(f"validation_error_handler() handles kakaorm.ValidationError, got {exc!r}")
    return JSONResponse(status_code=422, content={"detail": validation_error_detail(exc)})


def install_validation_handler(app: Starlette) -> None:
    """Register :func:`validation_error_handler` on ``app`` for ``kakaorm.ValidationError``."""
    app.add_exception_handler(ValidationError, validation_error_handler)
