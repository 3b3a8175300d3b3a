"""Running column validators: the one place every write and ``Model.validate()`` use."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from kakaorm.exc import ValidationError

if TYPE_CHECKING:
    from kakaorm.orm.columns import Column

__all__ = ["ERROR_TYPE", "Validator", "check_values", "column_issues", "field_errors", "summary"]

#: the ``type`` of a validator failure reported as a pydantic/FastAPI error
ERROR_TYPE = "kakaorm_validation"

#: a validator: called with the value (None included); raises ValidationError (or
#: ValueError) when the value is not acceptable; what it returns is ignored
Validator = Callable[[Any], object]


def column_issues(column: Column[Any], value: Any) -> list[dict[str, Any]]:
    """Run the column's validators on ``value``; one detail dict per failure."""
    issues: list[dict[str, Any]] = []
    for validator in column.validators:
        try:
            validator(value)
        except ValidationError as err:
            for issue in err.detail:
                issues.append(_for_field(issue, column.name, value))
        except ValueError as err:  # a plain ValueError from a validator of one's own
            issues.append(_for_field({"rule": "custom", "message": str(err)}, column.name, value))
    return issues


def check_values(pairs: Iterable[tuple[Column[Any], Any]], instance: Any = None) -> None:
    """Run the validators of each ``(column, value)``; raise one ValidationError with
    every failure of every column."""
    detail: list[dict[str, Any]] = []
    for column, value in pairs:
        if column.validators:
            detail.extend(column_issues(column, value))
    if detail:
        raise ValidationError(detail=detail, instance=instance)


def _for_field(issue: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """The issue as reported for ``field``: the keys in a fixed order, then the rule's own."""
    out = {
        "status": "validation_error",
        "field": field,
        "rule": issue.get("rule") or "custom",
        "message": issue.get("message", ""),
        "received": value,
    }
    for key, item in issue.items():
        if key not in out:
            out[key] = item
    return out


def summary(issues: Iterable[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """The failures of one field as one message (the messages joined) and its context
    ``{"rules": [...]}``: how a field's failures appear as a pydantic error."""
    listed = list(issues)
    return " ".join(str(i["message"]) for i in listed), {"rules": [i["rule"] for i in listed]}


def field_errors(err: ValidationError, loc_prefix: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """``err`` as pydantic-style error dicts, one per failing field, in the order the
    fields failed: ``type``, ``loc`` (``loc_prefix`` + the field; a message that
    belongs to no field has ``loc_prefix`` alone), ``msg``, ``input``, ``ctx``."""
    by_field: dict[str, list[dict[str, Any]]] = {}
    for issue in err.detail:
        by_field.setdefault(str(issue.get("field", "__all__")), []).append(issue)
    out: list[dict[str, Any]] = []
    for field, issues in by_field.items():
        msg, ctx = summary(issues)
        loc = list(loc_prefix) if field == "__all__" else [*loc_prefix, field]
        out.append({"type": ERROR_TYPE, "loc": loc, "msg": msg, "input": issues[0].get("received"), "ctx": ctx})
    return out
