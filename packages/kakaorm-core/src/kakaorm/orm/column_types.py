"""The typed column classes: one per SQL type a model column can have.

Each fixes the SQL type of :class:`~kakaorm.orm.columns.Column` and, through its
overloads, the Python type a type checker sees for the attribute (``int`` for
``IntColumn(nullable=False)``, ``int | None`` otherwise).
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import uuid as _uuid
from typing import Any, Literal, TypeVar, Unpack, overload

from kakaorm.exc import ModelError
from kakaorm.expr.conditions import Condition
from kakaorm.expr.json import JSONPath, whole_document_error
from kakaorm.orm.columns import Column, ColumnOptions, _Missing
from kakaorm.types import BOOLEAN, BYTES, DATE, DATETIME, FLOAT, INTEGER, JSON, TIME, UUID, SQLType

__all__ = [
    "BoolColumn",
    "BytesColumn",
    "DateColumn",
    "DateTimeColumn",
    "DecimalColumn",
    "FloatColumn",
    "IntColumn",
    "JSONColumn",
    "StrColumn",
    "TimeColumn",
    "UUIDColumn",
]

T = TypeVar("T")


class IntColumn(Column[T]):
    """An integer column (``INTEGER``)."""

    @overload
    def __init__(
        self: IntColumn[int], *, nullable: Literal[False], primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: IntColumn[int], *, primary_key: Literal[True], nullable: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: IntColumn[int | None], *, nullable: bool = ..., primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, **options: Any) -> None:
        super().__init__(INTEGER, **options)


class StrColumn(Column[T]):
    """A text column: ``TEXT``, or ``VARCHAR(max_length)`` when ``max_length`` is given."""

    @overload
    def __init__(
        self: StrColumn[str], *, nullable: Literal[False], primary_key: bool = ...,
        max_length: int | None = ..., **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: StrColumn[str], *, primary_key: Literal[True], nullable: bool = ...,
        max_length: int | None = ..., **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: StrColumn[str | None], *, nullable: bool = ..., primary_key: bool = ...,
        max_length: int | None = ..., **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, *, max_length: int | None = None, **options: Any) -> None:
        if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
            raise ModelError(f"max_length must be a positive integer, got {max_length!r}")
        self.max_length = max_length
        super().__init__(SQLType("str", length=max_length), **options)
        if max_length is not None:
            # every value written goes through coerce_value, which checks the length:
            # SQLite would store a longer text and VARCHAR(n) elsewhere cuts trailing
            # spaces past n without a word (a filter value needs no such check)
            self.write_exact_type = _Missing


class FloatColumn(Column[T]):
    """A floating-point column (``DOUBLE PRECISION``)."""

    @overload
    def __init__(
        self: FloatColumn[float], *, nullable: Literal[False], primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: FloatColumn[float | None], *, nullable: bool = ..., primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, **options: Any) -> None:
        super().__init__(FLOAT, **options)


class BoolColumn(Column[T]):
    """A boolean column; values come back as ``bool`` on every backend."""

    @overload
    def __init__(
        self: BoolColumn[bool], *, nullable: Literal[False], primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: BoolColumn[bool | None], *, nullable: bool = ..., primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, **options: Any) -> None:
        super().__init__(BOOLEAN, **options)


class DateTimeColumn(Column[T]):
    """A timestamp column. Values come back as aware UTC datetimes; a naive datetime
    given to KakaORM is taken to be UTC.

    Args:
        auto_now_add: set to the current UTC time when the row is inserted.
        auto_now: set to the current UTC time on every ``save()`` and ``update()``.
    """

    @overload
    def __init__(
        self: DateTimeColumn[_dt.datetime], *, nullable: Literal[False], primary_key: bool = ...,
        auto_now: bool = ..., auto_now_add: bool = ..., **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: DateTimeColumn[_dt.datetime | None], *, nullable: bool = ..., primary_key: bool = ...,
        auto_now: bool = ..., auto_now_add: bool = ..., **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, *, auto_now: bool = False, auto_now_add: bool = False, **options: Any) -> None:
        super().__init__(DATETIME, **options)
        self.auto_now = auto_now
        self.auto_now_add = auto_now_add


class DateColumn(Column[T]):
    """A calendar date column (``DATE``); values are ``datetime.date``."""

    @overload
    def __init__(
        self: DateColumn[_dt.date], *, nullable: Literal[False], primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: DateColumn[_dt.date | None], *, nullable: bool = ..., primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, **options: Any) -> None:
        super().__init__(DATE, **options)


class TimeColumn(Column[T]):
    """A time-of-day column (``TIME``); values are ``datetime.time``."""

    @overload
    def __init__(
        self: TimeColumn[_dt.time], *, nullable: Literal[False], primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: TimeColumn[_dt.time | None], *, nullable: bool = ..., primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, **options: Any) -> None:
        super().__init__(TIME, **options)


class DecimalColumn(Column[T]):
    """An exact decimal column, ``NUMERIC(max_digits, decimal_places)``.

    Values are ``decimal.Decimal`` quantized to ``decimal_places``. The two sizes may
    be given by keyword or, as kakaorm 0.4 took them, by position:
    ``DecimalColumn(10, 2)``.
    """

    @overload
    def __init__(
        self: DecimalColumn[_decimal.Decimal], max_digits: int = ..., decimal_places: int = ..., *,
        nullable: Literal[False], primary_key: bool = ..., **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: DecimalColumn[_decimal.Decimal | None], max_digits: int = ..., decimal_places: int = ...,
        *, nullable: bool = ..., primary_key: bool = ..., **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, max_digits: int = 10, decimal_places: int = 2, **options: Any) -> None:
        if not (isinstance(max_digits, int) and isinstance(decimal_places, int)) or not (
            0 <= decimal_places <= max_digits and max_digits >= 1
        ):
            raise ModelError(
                f"DecimalColumn needs 1 <= max_digits and 0 <= decimal_places <= max_digits, "
                f"got max_digits={max_digits!r}, decimal_places={decimal_places!r}"
            )
        self.max_digits = max_digits
        self.decimal_places = decimal_places
        super().__init__(
            SQLType("decimal", precision=max_digits, scale=decimal_places), **options
        )


class BytesColumn(Column[T]):
    """A binary column (``BLOB`` on SQLite, ``bytea`` on PostgreSQL, ``LONGBLOB`` on
    MariaDB). Values are ``bytes``; a ``bytearray`` or ``memoryview`` given is stored
    and kept as ``bytes``."""

    @overload
    def __init__(
        self: BytesColumn[bytes], *, nullable: Literal[False], primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: BytesColumn[bytes | None], *, nullable: bool = ..., primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, **options: Any) -> None:
        super().__init__(BYTES, **options)


class UUIDColumn(Column[T]):
    """A UUID column (native ``uuid`` on PostgreSQL, ``CHAR(36)`` on MariaDB, ``TEXT``
    on SQLite holding the canonical lower-case form). Values are ``uuid.UUID``; a str
    in canonical form given is converted."""

    @overload
    def __init__(
        self: UUIDColumn[_uuid.UUID], *, nullable: Literal[False], primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: UUIDColumn[_uuid.UUID], *, primary_key: Literal[True], nullable: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: UUIDColumn[_uuid.UUID | None], *, nullable: bool = ..., primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, **options: Any) -> None:
        super().__init__(UUID, **options)


class JSONColumn(Column[T]):
    """A JSON document: ``jsonb`` on PostgreSQL, ``JSON`` on MariaDB/MySQL, ``TEXT`` on
    SQLite. Values are a ``dict`` or a ``list`` holding str, int, float, bool, None,
    lists and dicts; they come back equal, with the same Python types.

    ``Doc.data["a"]["b"] == 1`` and ``Doc.data["tags"][0] == "x"`` filter on a path
    (see :class:`kakaorm.expr.JSONPath`). The whole document is only compared with
    None (``Doc.data == None``, ``Doc.data.is_null()``): other comparisons raise a
    TypeError. A default is a callable (``default=dict``), never a shared dict.
    """

    @overload
    def __init__(
        self: JSONColumn[dict[str, Any] | list[Any]], *, nullable: Literal[False], primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: JSONColumn[dict[str, Any] | list[Any] | None], *, nullable: bool = ..., primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, **options: Any) -> None:
        if options.get("primary_key"):
            raise ModelError("a JSONColumn cannot be a primary key; use an IntColumn or a UUIDColumn key")
        if options.get("unique") or options.get("index"):
            raise ModelError(
                "a JSONColumn cannot be unique=True or index=True: MariaDB and MySQL cannot index a whole "
                "JSON document; keep the value to index in a column of its own"
            )
        default = options.get("default")
        if isinstance(default, (dict, list)):
            kind = type(default).__name__
            raise ModelError(
                f"JSONColumn(default={default!r}) would share one {kind} between every instance: pass a "
                f"callable that makes a new one, default={kind} or default=lambda: {default!r}"
            )
        super().__init__(JSON, **options)

    def __getitem__(self, segment: str | int) -> JSONPath:
        """The place ``segment`` (an object key or an array index) in the document."""
        return JSONPath(self, ())[segment]

    __hash__ = Column.__hash__

    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        if other is None:
            return super().__eq__(other)
        raise whole_document_error(self, "==")

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        if other is None:
            return super().__ne__(other)
        raise whole_document_error(self, "!=")

    def __lt__(self, other: Any) -> Condition:
        raise whole_document_error(self, "<")

    def __le__(self, other: Any) -> Condition:
        raise whole_document_error(self, "<=")

    def __gt__(self, other: Any) -> Condition:
        raise whole_document_error(self, ">")

    def __ge__(self, other: Any) -> Condition:
        raise whole_document_error(self, ">=")

    def in_(self, values: Any) -> Condition:
        raise whole_document_error(self, "in_()")

    def not_in(self, values: Any) -> Condition:
        raise whole_document_error(self, "not_in()")

    def between(self, low: Any, high: Any) -> Condition:
        raise whole_document_error(self, "between()")
