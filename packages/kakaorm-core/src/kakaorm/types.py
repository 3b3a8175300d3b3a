"""The portable value types a column or expression can have.

A dialect maps each :class:`SQLType` to its DDL spelling (in its compiler) and to
the conversions its driver needs between Python values and wire values (in its
``bind_processor``/``result_processor``). Core never asks which database it runs on.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import enum as _enum
import re
import uuid as _uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from kakaorm.exc import DataError
from kakaorm.json_values import check_json

__all__ = [
    "BOOLEAN",
    "BYTES",
    "DATE",
    "DATETIME",
    "FLOAT",
    "INTEGER",
    "JSON",
    "TEXT",
    "TIME",
    "UUID",
    "ArrayType",
    "EnumType",
    "SQLType",
    "check_value",
]


# -- decimal arithmetic ---------------------------------------------------------------------

#: every digit kept: reading never rounds or refuses what the database holds
_EXACT = _decimal.Context(
    prec=_decimal.MAX_PREC, rounding=_decimal.ROUND_HALF_EVEN, Emax=_decimal.MAX_EMAX,
    Emin=_decimal.MIN_EMIN, traps=[_decimal.InvalidOperation, _decimal.DivisionByZero, _decimal.Overflow],
)

_CONTEXTS: dict[int, _decimal.Context] = {}


def _decimal_context(precision: int) -> _decimal.Context:
    """The decimal context of ``NUMERIC(precision, ...)``: ``precision`` significant
    digits, rounding half to even, so quantizing a value wider than the type signals
    ``InvalidOperation`` instead of rounding it. One shared context per precision."""
    context = _CONTEXTS.get(precision)
    if context is None:
        context = _CONTEXTS.setdefault(
            precision,
            _decimal.Context(
                prec=precision, rounding=_decimal.ROUND_HALF_EVEN, Emax=_decimal.MAX_EMAX,
                Emin=_decimal.MIN_EMIN,
                traps=[_decimal.InvalidOperation, _decimal.DivisionByZero, _decimal.Overflow],
            ),
        )
    return context


@dataclass(frozen=True, slots=True, eq=False)
class SQLType:
    """A portable SQL value type.

    Attributes:
        kind: one of ``"int"``, ``"str"``, ``"float"``, ``"bool"``, ``"datetime"``,
            ``"date"``, ``"time"``, ``"decimal"``, ``"bytes"``, ``"uuid"``, ``"json"``,
            ``"array"`` (an :class:`ArrayType`); an :class:`EnumType` is ``"str"`` or ``"int"``.
        length: maximum length of a string, or None for unbounded text.
        precision: total digits of a decimal.
        scale: digits after the point of a decimal.
    """

    # eq=False: compared and hashed by identity, which keeps compile-cache keys cheap;
    # compare the fields when two types must be matched by meaning.

    kind: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    #: a decimal's (exponent, context) for quantizing, made once per type, not per value
    _quantum: tuple[_decimal.Decimal, _decimal.Context] | None = field(
        default=None, init=False, repr=False
    )

    #: True when values are converted in Python on their way to and from the driver
    #: (:meth:`to_db`, :meth:`from_db`), around the dialect's own processors
    converts: ClassVar[bool] = False

    def to_db(self, value: Any) -> Any:
        """A checked Python value as the driver takes it (before the dialect's bind
        processor); only called when :attr:`converts` is True."""
        return value

    def from_db(self, value: Any) -> Any:
        """A driver value (after the dialect's result processor) as Python holds it;
        only called when :attr:`converts` is True. Raises ValueError for a stored value
        the type cannot hold."""
        return value

    @property
    def label(self) -> str:
        """What values of this type are, for messages (``"int"``, ``"Color"``)."""
        return self.kind

    def __post_init__(self) -> None:
        if self.kind == "decimal" and self.scale is not None:
            exponent = _decimal.Decimal(1).scaleb(-self.scale)
            context = _EXACT if self.precision is None else _decimal_context(self.precision)
            object.__setattr__(self, "_quantum", (exponent, context))

    @property
    def python_type(self) -> type:
        """The Python type values of this SQL type have."""
        return _PYTHON_TYPES[self.kind]

    def normalize(self, value: Any) -> Any:
        """Return ``value`` as the database will hold it (None stays None).

        Decimals are quantized to the scale, naive datetimes are read as UTC and
        every datetime is converted to UTC, so an instance holds after ``save()``
        what a fresh ``get()`` would return.

        Raises:
            DataError: a decimal does not fit ``NUMERIC(precision, scale)`` (too many
                digits before the point, or not finite).
        """
        if value is None:
            return None
        kind = self.kind
        if kind == "datetime":
            return utc_datetime(value) if isinstance(value, _dt.datetime) else value
        if kind == "decimal":
            if isinstance(value, (int, str, float)) and not isinstance(value, bool):
                value = _decimal.Decimal(str(value))
            quantum = self._quantum
            if isinstance(value, _decimal.Decimal) and quantum is not None:
                try:
                    return value.quantize(quantum[0], context=quantum[1])
                except _decimal.InvalidOperation:
                    raise DataError(self._decimal_misfit(value)) from None
            return value
        if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if kind == "bytes" and isinstance(value, (bytearray, memoryview)):
            return bytes(value)
        if kind == "uuid":
            return to_uuid(value)
        return value

    def _decimal_misfit(self, value: _decimal.Decimal, subject: str | None = None) -> str:
        """Why ``value`` cannot be quantized to this decimal type, for a DataError that
        starts with ``subject`` (default: the SQL type)."""
        if subject is None:
            subject = f"the type NUMERIC({self.precision}, {self.scale})"
        if not value.is_finite():
            return f"{subject}; {value!r} is not a finite number: a DecimalColumn holds finite numbers only"
        assert self.precision is not None and self.scale is not None
        room = self.precision - self.scale
        what = f"{value!r} has {value.adjusted() + 1}"
        if value.adjusted() < room:  # it fits as given; rounding to the scale carried a digit
            rounded = value.quantize(_decimal.Decimal(1).scaleb(-self.scale), context=_EXACT)
            what = (
                f"{value!r} rounds to {rounded} at {self.scale} decimal places, which has "
                f"{rounded.adjusted() + 1}"
            )
        return (
            f"{subject}, which holds at most {room} digits before the decimal point; {what}: "
            "use a smaller value, or a column with a larger max_digits"
        )


_PYTHON_TYPES: dict[str, type] = {
    "int": int,
    "str": str,
    "float": float,
    "bool": bool,
    "datetime": _dt.datetime,
    "date": _dt.date,
    "time": _dt.time,
    "decimal": _decimal.Decimal,
    "bytes": bytes,
    "uuid": _uuid.UUID,
    "json": object,  # a dict or a list
    "array": list,
}

INTEGER = SQLType("int")
TEXT = SQLType("str")
FLOAT = SQLType("float")
BOOLEAN = SQLType("bool")
DATETIME = SQLType("datetime")
DATE = SQLType("date")
TIME = SQLType("time")
BYTES = SQLType("bytes")
UUID = SQLType("uuid")
#: a JSON document: a dict or a list (see :mod:`kakaorm.json_values`)
JSON = SQLType("json")


@dataclass(frozen=True, slots=True, eq=False)
class EnumType(SQLType):
    """The values of a Python ``enum.Enum`` stored as their ``.value``: kind ``"str"``
    (``length`` the longest value) or ``"int"``, so DDL, casts and schema reading treat
    it as plain text or integer. Python holds the members (:meth:`from_db`)."""

    enum: Any = None
    _by_value: dict[Any, Any] = field(default_factory=dict, init=False, repr=False)

    converts: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_value", {m.value: m for m in self.enum})

    @property
    def python_type(self) -> type:
        """The enum class."""
        return self.enum  # type: ignore[no-any-return]

    @property
    def label(self) -> str:
        """The enum's class name."""
        return str(self.enum.__name__)

    def values_text(self) -> str:
        """The enum's values, for messages: ``'red', 'green', 'blue'``."""
        return ", ".join(repr(v) for v in self._by_value)

    def to_db(self, value: Any) -> Any:
        """A member as its value."""
        return value.value if isinstance(value, _enum.Enum) else value

    def from_db(self, value: Any) -> Any:
        """The member of a stored value; ValueError for a value of no member."""
        try:
            return self._by_value[value]
        except (KeyError, TypeError):
            raise ValueError(f"{self.label}'s values are {self.values_text()}") from None

    def member(self, value: Any, subject: Callable[[bool], str]) -> Any:
        """``value`` as a member: a member of the enum, or one of its values.

        Raises:
            TypeError: a member of another enum, or a value of no member.
        """
        enum_class = self.enum
        if isinstance(value, enum_class):
            return value
        if not isinstance(value, _enum.Enum) and not isinstance(value, bool):
            try:
                return self._by_value[value]
            except (KeyError, TypeError):
                pass
        raise TypeError(
            f"{subject(False)}({self.label}) and takes a {self.label} member or one of its "
            f"values ({self.values_text()}), not {type(value).__name__} ({value!r})"
        )


@dataclass(frozen=True, slots=True, eq=False)
class ArrayType(SQLType):
    """A native array (``BIGINT[]``, ``TEXT[]``) of ``item`` values, kind ``"array"``;
    Python holds a ``list``. Only dialects whose features say ``arrays=True`` store it."""

    item: SQLType = field(default_factory=lambda: TEXT)

    @property
    def python_type(self) -> type:
        """``list``."""
        return list

    @property
    def label(self) -> str:
        """``list[int]`` and the like."""
        return f"list[{self.item.label}]"

    def checked_list(self, value: Any, exact: bool, subject: Callable[[bool], str]) -> list[Any]:
        """``value`` (a list or tuple) as a list with every item checked against ``item``.

        Raises:
            TypeError: not a list or tuple, or an item of the wrong type or None.
        """
        if not isinstance(value, (list, tuple)):
            raise TypeError(
                f"{subject(False)} and takes a list of {self.item.label} values, not "
                f"{type(value).__name__} ({value!r})"
            )
        out = []
        for i, v in enumerate(value):
            if v is None:
                raise TypeError(
                    f"{subject(False)} and takes a list of {self.item.label} values; item {i} "
                    "is None, and the items of an ArrayColumn are never None"
                )
            try:
                out.append(check_value(self.item, v, exact=exact, subject=subject))
            except TypeError:
                raise TypeError(
                    f"{subject(False)} and takes a list of {self.item.label} values; item {i} "
                    f"is {type(v).__name__} ({v!r})"
                ) from None
        return out


# -- conversions dialects share ------------------------------------------------------------

_UTC = _dt.UTC


def utc_datetime(value: _dt.datetime) -> _dt.datetime:
    """``value`` as an aware UTC datetime (a naive one is taken as UTC).

    Raises:
        DataError: the instant falls outside years 1 to 9999 in UTC (an aware value
            near either end with an offset), which no UTC datetime can hold.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=_UTC)
    try:
        return value.astimezone(_UTC)
    except OverflowError:
        edge = "before 0001-01-01 00:00 UTC" if value.year == 1 else "after 9999-12-31 23:59:59.999999 UTC"
        raise DataError(
            f"{value.isoformat()} is {edge}, which a UTC datetime cannot hold; "
            "store it as a UTC datetime within years 1 to 9999"
        ) from None


def to_uuid(value: Any) -> Any:
    """``value`` as exactly a ``uuid.UUID``: a canonical str is parsed and a subclass
    (asyncpg's) is copied; anything else is returned as given."""
    if type(value) is _uuid.UUID:
        return value
    if isinstance(value, _uuid.UUID):
        return _uuid.UUID(int=value.int)
    if isinstance(value, (str, bytes, bytearray)):
        return _uuid.UUID(value.decode() if isinstance(value, (bytes, bytearray)) else value)
    return value


def read_bytes(value: Any) -> Any:
    """A driver value as exactly ``bytes`` (aiomysql may give a bytearray)."""
    return value if type(value) is bytes else bytes(value)


def read_int(value: Any) -> Any:
    """A driver value as an int (aggregates may arrive as Decimal or float)."""
    return value if type(value) is int else int(value)


def read_float(value: Any) -> Any:
    """A driver value as a float (AVG may arrive as Decimal)."""
    return value if type(value) is float else float(value)


def read_decimal(scale: int | None) -> Callable[[Any], Any]:
    """A reader turning a driver value (Decimal, int, float or text) into a Decimal,
    quantized to ``scale`` decimal places when a scale is known.

    Every digit before the point is kept, however many: a computed value (a sum) may
    be wider than its column, and what the database holds is never refused on reading.
    """
    if scale is None:
        return lambda v: v if isinstance(v, _decimal.Decimal) else _decimal.Decimal(str(v))
    exponent = _decimal.Decimal(1).scaleb(-scale)
    quantize = _decimal.Decimal.quantize

    def read(v: Any) -> Any:
        value = v if isinstance(v, _decimal.Decimal) else _decimal.Decimal(str(v))
        return quantize(value, exponent, context=_EXACT)

    return read


# -- checking values against a type ---------------------------------------------------------

#: the Python types a value of each kind may have when it is written or compared
_ACCEPTED: dict[str, type | tuple[type, ...]] = {
    "int": int,
    "str": str,
    "float": (float, int),
    "bool": bool,
    "datetime": _dt.datetime,
    "date": _dt.date,
    "time": _dt.time,
    "decimal": (_decimal.Decimal, int, str),
    "bytes": (bytes, bytearray, memoryview),
    "uuid": (_uuid.UUID, str),
}

#: a UUID in canonical form (8-4-4-4-12 hex digits, either case)
_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")

_DESCRIBE = {
    "int": "an int",
    "str": "a str",
    "float": "a float (or int)",
    "bool": "a bool",
    "datetime": "a datetime",
    "date": "a date",
    "time": "a time",
    "decimal": "a Decimal (or int or numeric str)",
    "bytes": "bytes (or bytearray or memoryview)",
    "uuid": "a uuid.UUID (or its canonical str)",
}


def check_value(
    sql_type: SQLType, value: Any, *, exact: bool, subject: Callable[[bool], str]
) -> Any:
    """``value`` (not None) checked against ``sql_type``, converted where lossless.

    Args:
        exact: keep a decimal as given instead of rounding it to the type's scale, and
            skip the length check of bounded text (a filter compares with the value
            as written).
        subject: builds the start of an error message naming what the value was
            checked against, e.g. ``"Post.views is a IntColumn"``; called with True
            for a decimal that does not fit (which names the type's sizes).

    Raises:
        TypeError: the value has a type ``sql_type`` cannot hold.
        DataError: a text is longer than the type's length, or a decimal does not fit.
    """
    if isinstance(sql_type, EnumType):
        return sql_type.member(value, subject)
    if isinstance(sql_type, ArrayType):
        return sql_type.checked_list(value, exact, subject)
    kind = sql_type.kind
    if kind == "json":
        return check_json(value, subject(False))
    expected = _ACCEPTED.get(kind)
    if expected is None:
        return value
    if not isinstance(value, expected) or (kind in ("int", "float", "decimal") and isinstance(value, bool)):
        raise TypeError(
            f"{subject(False)} and takes {_DESCRIBE[kind]}, not {type(value).__name__} ({value!r})"
        )
    if isinstance(value, str) and not exact and sql_type.length is not None and len(value) > sql_type.length:
        shown = repr(value) if len(value) <= 20 else f"{value[:20]!r}..."
        raise DataError(
            f"{subject(False)}(max_length={sql_type.length}) and {shown} has "
            f"{len(value)} characters; nothing was written: shorten the text or raise max_length"
        )
    if kind == "uuid" and isinstance(value, str):
        if not _CANONICAL_UUID.fullmatch(value):
            raise TypeError(
                f"{subject(False)} and takes {_DESCRIBE[kind]}; {value!r} is not a UUID in "
                "canonical form: pass e.g. uuid.UUID('12345678-1234-5678-1234-567812345678')"
            )
        return _uuid.UUID(value)
    if kind == "date" and isinstance(value, _dt.datetime):
        raise TypeError(f"{subject(False)} and takes a date, not a datetime")
    if kind == "decimal" and isinstance(value, str):
        try:
            number = _decimal.Decimal(value)
        except _decimal.InvalidOperation:
            raise TypeError(
                f"{subject(False)} and takes {_DESCRIBE[kind]}; "
                f"{value!r} is not a number: pass e.g. Decimal('12.50')"
            ) from None
        if exact:
            return number
    if exact and kind == "decimal":
        return _decimal.Decimal(value) if isinstance(value, int) else value
    try:
        return sql_type.normalize(value)
    except DataError:  # a decimal that does not fit NUMERIC(precision, scale)
        if kind != "decimal":
            raise
        number = value if isinstance(value, _decimal.Decimal) else _decimal.Decimal(str(value))
        raise DataError(sql_type._decimal_misfit(number, subject(True))) from None
