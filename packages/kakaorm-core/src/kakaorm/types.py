"""The portable value types a column or expression can have.

A dialect maps each :class:`SQLType` to its DDL spelling (in its compiler) and to
the conversions its driver needs between Python values and wire values (in its
``bind_processor``/``result_processor``). Core never asks which database it runs on.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
from dataclasses import dataclass
from typing import Any, Callable

from .exc import DataError

__all__ = [
    "BOOLEAN",
    "DATE",
    "DATETIME",
    "FLOAT",
    "INTEGER",
    "TEXT",
    "TIME",
    "SQLType",
]


@dataclass(frozen=True, slots=True, eq=False)
class SQLType:
    """A portable SQL value type.

    Attributes:
        kind: one of ``"int"``, ``"str"``, ``"float"``, ``"bool"``, ``"datetime"``,
            ``"date"``, ``"time"``, ``"decimal"``.
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

    @property
    def python_type(self) -> type:
        """The Python type values of this SQL type have."""
        return _PYTHON_TYPES[self.kind]

    def normalize(self, value: Any) -> Any:
        """Return ``value`` as the database will hold it (None stays None).

        Decimals are quantized to the scale, naive datetimes are read as UTC and
        every datetime is converted to UTC, so an instance holds after ``save()``
        what a fresh ``get()`` would return.
        """
        if value is None:
            return None
        kind = self.kind
        if kind == "datetime":
            return utc_datetime(value) if isinstance(value, _dt.datetime) else value
        if kind == "decimal":
            if isinstance(value, (int, str, float)) and not isinstance(value, bool):
                value = _decimal.Decimal(str(value))
            if isinstance(value, _decimal.Decimal) and self.scale is not None:
                return value.quantize(_decimal.Decimal(1).scaleb(-self.scale))
            return value
        if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value


_PYTHON_TYPES: dict[str, type] = {
    "int": int,
    "str": str,
    "float": float,
    "bool": bool,
    "datetime": _dt.datetime,
    "date": _dt.date,
    "time": _dt.time,
    "decimal": _decimal.Decimal,
}

INTEGER = SQLType("int")
TEXT = SQLType("str")
FLOAT = SQLType("float")
BOOLEAN = SQLType("bool")
DATETIME = SQLType("datetime")
DATE = SQLType("date")
TIME = SQLType("time")


# -- conversions dialects share ------------------------------------------------------------

_UTC = _dt.timezone.utc


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


def read_int(value: Any) -> Any:
    """A driver value as an int (aggregates may arrive as Decimal or float)."""
    return value if type(value) is int else int(value)


def read_float(value: Any) -> Any:
    """A driver value as a float (AVG may arrive as Decimal)."""
    return value if type(value) is float else float(value)


def read_decimal(scale: int | None) -> Callable[[Any], Any]:
    """A reader turning a driver value (Decimal, int, float or text) into a Decimal,
    quantized to ``scale`` decimal places when a scale is known."""
    if scale is None:
        return lambda v: v if isinstance(v, _decimal.Decimal) else _decimal.Decimal(str(v))
    exponent = _decimal.Decimal(1).scaleb(-scale)

    def read(v: Any) -> Any:
        value = v if isinstance(v, _decimal.Decimal) else _decimal.Decimal(str(v))
        return value.quantize(exponent)

    return read
