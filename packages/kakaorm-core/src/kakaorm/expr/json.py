"""Paths into JSON documents: ``Doc.data["a"]["b"] == 1``, ``Doc.data["tags"][0] == "x"``.

A :class:`JSONPath` names a place inside a JSON column. Compared with a Python value,
it becomes a :class:`JSONValue`, the value at that place read as one JSON type: a
string for a ``str``, a number for an ``int`` or ``float``, ``true``/``false`` for a
``bool``. A value of another JSON type reads as NULL, so ``Doc.data["n"] == 1`` never
matches ``{"n": "1"}`` or ``{"n": true}``, and ``!=``, ``<`` and ``>`` match only values
of the operand's type (as a comparison with SQL NULL never matches).

``path == None`` and ``path.is_null()`` match a document where the path has no value:
the key or index is missing, or holds JSON ``null`` (or the column itself is NULL).

Each dialect spells the reading in its compiler (``json_value()`` and
``json_document()``): the path travels as bind parameters, both as the separate keys
and indexes (PostgreSQL's ``->``) and as one ``$."key"[0]`` path text (SQLite's and
MariaDB's functions), never as SQL text.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from typing import Any

from kakaorm.expr.conditions import Between, Comparison, Condition, InList, IsNull
from kakaorm.expr.elements import Expression, Param
from kakaorm.json_values import path_key_text
from kakaorm.types import BOOLEAN, FLOAT, JSON, TEXT, SQLType

__all__ = ["JSONPath", "JSONValue", "whole_document_error"]

#: the SQL type a reading of each kind has
_KIND_TYPES: dict[str, SQLType | None] = {"str": TEXT, "number": FLOAT, "bool": BOOLEAN, "present": None}


def whole_document_error(column: Expression[Any], operation: str) -> TypeError:
    """The error for comparing a whole JSON column with a value."""
    name = column._column_name() or repr(column)
    return TypeError(
        f"{name} is a JSONColumn; {operation} on the whole document is not supported (each "
        f"database compares JSON text differently): compare a path instead, e.g. "
        f"{name}['key'] == 'value', or test {name}.is_null()"
    )


def _segment(segment: Any, where: str) -> str | int:
    if type(segment) is str:
        if "\x00" in segment:
            raise TypeError(f"{where}: a JSON key cannot hold a NUL character ('\\x00')")
        return segment
    if type(segment) is int:
        if segment < 0:
            raise TypeError(
                f"{where}[{segment}]: a JSON path takes array indexes from 0; negative "
                "indexes (from the end) are not supported"
            )
        return segment
    raise TypeError(
        f"{where}[{segment!r}]: a JSON path step is a str (an object key) or an int "
        f"(an array index), not {type(segment).__name__}"
    )


class JSONPath(Expression[Any]):
    """A place inside a JSON column: ``Doc.data["a"]["b"]``, ``Doc.data["tags"][0]``.

    Index it further with ``[key]`` or ``[index]``; compare it with ``==``, ``!=``,
    ``<``, ``<=``, ``>``, ``>=`` against a str, int, float or bool; test it with
    ``is_null()``, ``in_()``, ``between()``, and match text with ``like()``,
    ``contains()`` and friends. Selected, it reads as the JSON value found there.
    """

    __slots__ = ("column", "path_param", "segment_params", "segments")
    type = JSON

    def __init__(self, column: Expression[Any], segments: tuple[str | int, ...]) -> None:
        self.column = column
        self.segments = segments
        #: one bind parameter per step, for dialects that walk the document step by step
        self.segment_params = tuple(Param(s, TEXT if type(s) is str else None) for s in segments)
        #: the whole path as ``$."key"[0]`` text, for dialects whose functions take one
        self.path_param = Param(
            "$" + "".join(f".{path_key_text(s)}" if type(s) is str else f"[{s}]" for s in segments), TEXT
        )

    def __getitem__(self, segment: str | int) -> JSONPath:
        return JSONPath(self.column, (*self.segments, _segment(segment, self._described())))

    def _described(self) -> str:
        base = self.column._column_name() or repr(self.column)
        return base + "".join(f"[{s!r}]" for s in self.segments)

    def _column_name(self) -> str | None:
        return self._described()

    def _key(self, params: list[Param]) -> Hashable:
        column = self.column._key(params)
        params.append(self.path_param)
        params.extend(self.segment_params)
        return ("jsonpath", column, tuple(type(s) is int for s in self.segments))

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.column,)

    # -- typed readings --------------------------------------------------------------
    def as_str(self) -> JSONValue:
        """The string at this path (NULL when it holds another JSON type)."""
        return JSONValue(self, "str")

    def as_number(self) -> JSONValue:
        """The number at this path (NULL when it holds another JSON type)."""
        return JSONValue(self, "number")

    def as_bool(self) -> JSONValue:
        """The boolean at this path (NULL when it holds another JSON type)."""
        return JSONValue(self, "bool")

    def _reading(self, value: Any, op: str) -> tuple[JSONValue, Param]:
        """The typed reading a comparison with ``value`` needs, and ``value`` bound."""
        kind = type(value)
        if kind is bool:
            if op not in ("=", "!=", "in"):
                raise TypeError(f"{self._described()} {op} {value!r}: true and false have no order; use == or !=")
            return JSONValue(self, "bool"), Param(value)
        if kind is int or kind is float:
            if kind is float and not math.isfinite(value):
                raise TypeError(
                    f"{self._described()} {op} {value!r}: JSON numbers are finite; compare with a finite number"
                )
            return JSONValue(self, "number"), Param(value)
        if kind is str:
            return JSONValue(self, "str"), Param(value)
        raise TypeError(
            f"{self._described()} {op} {value!r}: a JSON path compares with a str, int, float or bool, "
            f"not {kind.__name__}; compare the values inside a nested dict or list path by path"
        )

    def _compare(self, op: str, value: Any) -> Condition:
        if isinstance(value, Expression):
            raise TypeError(
                f"{self._described()} {op} {value!r}: compare a JSON path with a Python value, or read it "
                "with as_str(), as_number() or as_bool() to compare it with an expression"
            )
        reading, param = self._reading(value, op)
        return Comparison(reading, op, param)

    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        if other is None:
            return IsNull(JSONValue(self, "present"), negate=False)
        return self._compare("=", other)

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        if other is None:
            return IsNull(JSONValue(self, "present"), negate=True)
        return self._compare("!=", other)

    __hash__ = Expression.__hash__

    def __lt__(self, other: Any) -> Condition:
        return self._ordered("<", other)

    def __le__(self, other: Any) -> Condition:
        return self._ordered("<=", other)

    def __gt__(self, other: Any) -> Condition:
        return self._ordered(">", other)

    def __ge__(self, other: Any) -> Condition:
        return self._ordered(">=", other)

    def _ordered(self, op: str, other: Any) -> Condition:
        if other is None:
            raise TypeError(
                f"{self._described()} {op} None is never true (null is not ordered): to find documents "
                f"without a value there write {self._described()} == None"
            )
        return self._compare(op, other)

    def is_null(self) -> Condition:
        """Documents where this path has no value: missing, or JSON ``null``."""
        return IsNull(JSONValue(self, "present"), negate=False)

    def is_not_null(self) -> Condition:
        """Documents where this path holds a value other than JSON ``null``."""
        return IsNull(JSONValue(self, "present"), negate=True)

    def in_(self, values: Any) -> Condition:
        """The value at this path is one of ``values`` (all str, all numbers, or all
        bool); an empty list matches no document."""
        return self._in(values, negate=False)

    def not_in(self, values: Any) -> Condition:
        """The value at this path has the type of ``values`` and is none of them."""
        return self._in(values, negate=True)

    def _in(self, values: Any, negate: bool) -> Condition:
        listed = isinstance(values, Iterable) and not isinstance(values, (str, bytes, dict))
        if not listed or hasattr(values, "__subquery__"):
            raise TypeError(f"{self._described()}.in_() takes a list of str, int, float or bool values, got {values!r}")
        items = list(values)
        if not items:
            return InList(JSONValue(self, "present"), [], negate)
        readings = [self._reading(v, "in") if v is not None else None for v in items]
        if any(r is None for r in readings):
            raise TypeError(
                f"{self._described()}.in_() holds None, which matches nothing in SQL: use "
                f"{self._described()} == None for a missing value or JSON null"
            )
        kinds = {r[0].kind for r in readings if r is not None}
        if len(kinds) > 1:
            raise TypeError(
                f"{self._described()}.in_({items!r}) mixes JSON types ({', '.join(sorted(kinds))}); "
                "give values of one type, or combine two in_() with |"
            )
        return InList(JSONValue(self, kinds.pop()), [r[1] for r in readings if r is not None], negate)

    def between(self, low: Any, high: Any) -> Condition:
        """``low <= value <= high`` for a number or a string at this path."""
        reading, low_param = self._reading(low, "between")
        high_reading, high_param = self._reading(high, "between")
        if reading.kind != high_reading.kind or reading.kind == "bool":
            raise TypeError(
                f"{self._described()}.between({low!r}, {high!r}) takes two numbers or two str"
            )
        return Between(reading, low_param, high_param)

    def like(self, pattern: str, *, escape: str | None = None) -> Condition:
        """LIKE on the string at this path (see :meth:`Expression.like`)."""
        return self.as_str().like(pattern, escape=escape)

    def ilike(self, pattern: str, *, escape: str | None = None) -> Condition:
        """Case-insensitive LIKE on the string at this path."""
        return self.as_str().ilike(pattern, escape=escape)

    def contains(self, text: str) -> Condition:
        """The string at this path contains ``text`` (taken literally)."""
        return self.as_str().contains(text)

    def icontains(self, text: str) -> Condition:
        """:meth:`contains`, case-insensitive."""
        return self.as_str().icontains(text)

    def startswith(self, text: str) -> Condition:
        """The string at this path starts with ``text``."""
        return self.as_str().startswith(text)

    def istartswith(self, text: str) -> Condition:
        """:meth:`startswith`, case-insensitive."""
        return self.as_str().istartswith(text)

    def endswith(self, text: str) -> Condition:
        """The string at this path ends with ``text``."""
        return self.as_str().endswith(text)

    def iendswith(self, text: str) -> Condition:
        """:meth:`endswith`, case-insensitive."""
        return self.as_str().iendswith(text)


class JSONValue(Expression[Any]):
    """The value at a :class:`JSONPath` read as one JSON type.

    ``kind`` is ``"str"``, ``"number"``, ``"bool"`` (NULL when the value there has
    another type) or ``"present"`` (NULL when the path is missing or holds ``null``).
    """

    __slots__ = ("kind", "path")

    def __init__(self, path: JSONPath, kind: str) -> None:
        self.path, self.kind = path, kind

    @property
    def type(self) -> SQLType | None:  # type: ignore[override]
        return _KIND_TYPES[self.kind]

    def _column_name(self) -> str | None:
        return self.path._described()

    def _key(self, params: list[Param]) -> Hashable:
        return ("jsonvalue", self.kind, self.path._key(params))

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.path,)

