"""Validation rules for columns: ``StrColumn(validators=[min_length(2), max_length(50)])``.

Every INSERT and UPDATE of a model instance (``save()``, ``create()``,
``bulk_create()``), and every constant given to ``QuerySet.update()`` or
``QuerySet.insert_into()``, is checked
first; when a value breaks a rule nothing is sent and :class:`ValidationError` reports
every failing field at once. ``Model.validate()`` runs the same checks on demand.

A validator is any callable taking the value. The built-in rules here pass ``None``
(a nullable column's "no value"); your own validators are called with ``None`` too.
To refuse a value, raise :class:`ValidationError` (or ``ValueError``) with a message::

    def even(value):
        if value is not None and value % 2:
            raise ValidationError("must be even")

    class Team(Model):
        name = StrColumn(nullable=False, validators=[min_length(2), regex(r"^[a-z]+$")])
        size = IntColumn(validators=[min_value(1), max_value(11), even])

The built-in messages follow :mod:`kakaorm.i18n`'s locale (Japanese unless set).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kakaorm import i18n
from kakaorm.exc import ValidationError
from kakaorm.orm.validation import Validator

__all__ = [
    "Rule",
    "ValidationError",
    "Validator",
    "max_length",
    "max_value",
    "min_length",
    "min_value",
    "one_of",
    "regex",
]


class Rule:
    """A built-in rule: called with a value, it raises ValidationError when the value
    breaks it (``None`` always passes). ``rule`` names it; ``params`` holds its limits."""

    __slots__ = ("_message", "_passes", "_shown", "params", "rule")

    def __init__(
        self,
        rule: str,
        params: dict[str, Any],
        passes: Callable[[Any], bool],
        *,
        message: str | None = None,
        shown: str = "",
    ) -> None:
        self.rule = rule
        self.params = params
        self._passes = passes
        self._message = message
        self._shown = shown

    def __call__(self, value: Any) -> None:
        if value is None:
            return
        try:
            ok = self._passes(value)
        except TypeError:
            raise TypeError(
                f"the rule {self!r} cannot check {type(value).__name__} value {value!r}; "
                "use it on a column whose values it can compare"
            ) from None
        if ok:
            return
        issue: dict[str, Any] = {
            "status": "validation_error",
            "field": "__all__",
            "rule": self.rule,
            "message": "",
            "received": value,
            **{key: list(item) if isinstance(item, tuple) else item for key, item in self.params.items()},
        }
        if self._message is not None:
            issue["message"] = self._message
            issue["custom_message"] = True
        else:
            issue["message"] = i18n.message(issue)
        raise ValidationError(detail=[issue])

    def __repr__(self) -> str:
        return f"{self.rule}({self._shown})"


def _count(name: str, n: Any) -> int:
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"{name}() takes a whole number of characters, got {n!r}")
    if n < 0:
        raise ValueError(f"{name}() takes a number of characters >= 0, got {n}")
    return n


def _bound(name: str, n: Any) -> Any:
    if n is None:
        raise TypeError(f"{name}() needs a limit to compare with, got None")
    return n


def min_length(n: int) -> Rule:
    """The value (a str) must have at least ``n`` characters."""
    n = _count("min_length", n)
    return Rule("min_length", {"expected_min": n}, lambda v: len(v) >= n, shown=repr(n))


def max_length(n: int) -> Rule:
    """The value (a str) must have at most ``n`` characters."""
    n = _count("max_length", n)
    return Rule("max_length", {"expected_max": n}, lambda v: len(v) <= n, shown=repr(n))


def min_value(n: Any) -> Rule:
    """The value must be ``>= n`` (numbers, or anything comparable such as dates)."""
    n = _bound("min_value", n)
    return Rule("min_value", {"expected_min": n}, lambda v: bool(v >= n), shown=repr(n))


def max_value(n: Any) -> Rule:
    """The value must be ``<= n`` (numbers, or anything comparable such as dates)."""
    n = _bound("max_value", n)
    return Rule("max_value", {"expected_max": n}, lambda v: bool(v <= n), shown=repr(n))


def regex(pattern: str | re.Pattern[str], message: str | None = None) -> Rule:
    """``re.search(pattern, str(value))`` must find a match: anchor the pattern with
    ``^...$`` to check the whole value. ``message`` replaces the built-in message in
    every locale.

    Raises:
        re.error: the pattern is not a valid regular expression.
    """
    compiled = re.compile(pattern)
    if message is not None and not isinstance(message, str):
        raise TypeError(f"regex(message=...) takes a str, got {message!r}")
    shown = repr(compiled.pattern) + (f", message={message!r}" if message is not None else "")
    return Rule(
        "regex",
        {"pattern": compiled.pattern},
        lambda v: compiled.search(str(v)) is not None,
        message=message,
        shown=shown,
    )


def one_of(*choices: Any) -> Rule:
    """The value must equal one of ``choices``."""
    if not choices:
        raise ValueError("one_of() needs at least one allowed value, e.g. one_of('draft', 'published')")
    allowed = tuple(choices)
    return Rule(
        "one_of",
        {"choices": allowed},
        lambda v: v in allowed,
        shown=", ".join(repr(c) for c in allowed),
    )
