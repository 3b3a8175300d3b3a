"""The column types the compliance suite round-trips: one :class:`ColumnCase` each.

Adding a column type to the suite is one entry in :data:`COLUMN_CASES`: how to make
the column, the values every conforming database stores and gives back unchanged
(a Hypothesis strategy), and, when only some databases have the type, the
:class:`~kakaorm.dialect.DialectFeatures` field that says a dialect has it.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from kakaorm import (
    ArrayColumn,
    BoolColumn,
    BytesColumn,
    Column,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    EnumColumn,
    FloatColumn,
    IntColumn,
    JSONColumn,
    Model,
    StrColumn,
    TimeColumn,
    UUIDColumn,
)

UTC = dt.UTC

#: the 64-bit integers every backend's INTEGER/BIGINT key and value columns hold
INT64 = (-(2**63), 2**63 - 1)


#: naive, UTC and any fixed offset within a day (Any: the stubs type only the default)
_ZONES: Any = st.none() | st.just(UTC) | st.builds(
    dt.timezone, st.timedeltas(min_value=dt.timedelta(hours=-23), max_value=dt.timedelta(hours=23))
)


def _same(value: Any) -> Any:
    return value


def _as_utc(value: dt.datetime) -> dt.datetime:
    """The ORM's rule: a naive datetime is UTC, an aware one is kept as its UTC instant."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _decimal(n: int) -> Decimal:
    # built from text, so no decimal context rounds it
    return Decimal(f"{n}E-4")


class ComplianceColor(enum.Enum):
    """The enum of the EnumColumn case: str values, one with a space and an accent."""

    RED = "red"
    GREEN = "green"
    OFF_WHITE = "off white é"


#: text JSON holds on every backend (NUL is refused by PostgreSQL's jsonb)
_JSON_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
_JSON_SCALARS = (
    st.none() | st.booleans() | st.integers(*INT64) | st.floats(allow_nan=False, allow_infinity=False) | _JSON_TEXT
)
_JSON_ANY = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
    max_leaves=12,
)
#: a JSONColumn holds an object or an array at the top
_JSON_DOCUMENTS = st.lists(_JSON_ANY, max_size=4) | st.dictionaries(_JSON_TEXT, _JSON_ANY, max_size=4)


@dataclass(frozen=True)
class ColumnCase:
    """One column type as the suite tests it.

    Attributes:
        name: a short id (``"int"``), used in test ids and the table name.
        column: makes a nullable column of the type (called once per case).
        values: the values every database claiming the type stores exactly.
        expected: what a written value reads back as (default: the value itself).
        requires: a :class:`~kakaorm.dialect.DialectFeatures` field that must be
            true for the dialect to have the type; the suite skips the case, naming
            the field, when the dialect declares it false (or lacks the field).
        examples: values always tried besides the drawn ones (the edges); at least
            two distinct ones, which the filter tests store and look up.
        filterable: the type has SQL equality, so ``==`` and ``in_()`` filters are
            tested (False for a type without it, such as a JSON document: the
            filter test is then not generated for the case).
    """

    name: str
    column: Callable[[], Column[Any]]
    values: st.SearchStrategy[Any]
    expected: Callable[[Any], Any] = _same
    requires: str | None = None
    examples: tuple[Any, ...] = field(default=())
    filterable: bool = True


#: every column type of the suite; the round-trip tests are parametrised over it
COLUMN_CASES: list[ColumnCase] = [
    ColumnCase("int", IntColumn, st.integers(*INT64), examples=(0, INT64[0], INT64[1], 2**53 + 1)),
    ColumnCase(
        "str",
        StrColumn,
        # NUL is left out: PostgreSQL refuses it in text (a documented difference)
        st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40),
        examples=("", "😀 é 中 \u200b", "  padded  ", "'\";`\\%_ -- /* */"),
    ),
    ColumnCase(
        "float",
        FloatColumn,
        # NaN and infinities are left out: SQLite and MariaDB refuse them
        st.floats(allow_nan=False, allow_infinity=False),
        examples=(0.0, 0.1, 5e-324, 1.7976931348623157e308),
    ),
    ColumnCase("bool", BoolColumn, st.booleans(), examples=(True, False)),
    ColumnCase(
        "datetime",
        DateTimeColumn,
        st.datetimes(
            min_value=dt.datetime(1, 1, 2),
            max_value=dt.datetime(9999, 12, 30),
            timezones=_ZONES,
        ),
        expected=_as_utc,
        examples=(dt.datetime(2024, 6, 1, 12, 0), dt.datetime(2000, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)),
    ),
    ColumnCase("date", DateColumn, st.dates(), examples=(dt.date(1, 1, 1), dt.date(9999, 12, 31))),
    ColumnCase("time", TimeColumn, st.times(), examples=(dt.time(0, 0), dt.time(23, 59, 59, 999999))),
    ColumnCase(
        "decimal",
        lambda: DecimalColumn(max_digits=15, decimal_places=4),
        st.integers(-(10**15) + 1, 10**15 - 1).map(_decimal),
        examples=(Decimal("0.0000"), Decimal("-99999999999.9999"), Decimal("1.5000")),
    ),
    ColumnCase("bytes", BytesColumn, st.binary(max_size=300), examples=(b"", b"\x00", bytes(range(256)))),
    ColumnCase(
        "uuid",
        UUIDColumn,
        st.uuids(),
        examples=(uuid.UUID("12345678-1234-5678-1234-567812345678"), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)),
    ),
    ColumnCase(
        "json",
        JSONColumn,
        _JSON_DOCUMENTS,
        examples=({}, [], {"a": {"b": [1, 2.5, None, True, "x"]}}, ["\u00e9 \"quoted\" \\", -(2**63), 1e300]),
        filterable=False,  # documents are compared through paths, not as a whole
    ),
    ColumnCase(
        "enum",
        lambda: EnumColumn(ComplianceColor),
        st.sampled_from(ComplianceColor),
        examples=tuple(ComplianceColor),
    ),
    ColumnCase(
        "array",
        lambda: ArrayColumn(int),
        st.lists(st.integers(*INT64), max_size=8),
        requires="arrays",
        examples=([], [0], [INT64[0], INT64[1]]),
    ),
]

_models: dict[str, type[Model]] = {}


def value_model(case: ColumnCase) -> type[Model]:
    """The model ``Compliance<Name>Value`` (table ``compliance_value_<name>``) with one
    column ``v`` of the case's type."""
    model = _models.get(case.name)
    if model is None:
        meta = type("Meta", (), {"table_name": f"compliance_value_{case.name}"})
        attrs = {"__module__": __name__, "v": case.column(), "Meta": meta}
        model = type(f"Compliance{case.name.title().replace('_', '')}Value", (Model,), attrs)
        _models[case.name] = model
    return model


def has_case(features: object, case: ColumnCase) -> bool:
    """True when a dialect with these :class:`~kakaorm.dialect.DialectFeatures` has the
    case's type (a case without ``requires`` is for every dialect)."""
    return case.requires is None or bool(getattr(features, case.requires, False))


def value_models(features: object | None = None) -> list[type[Model]]:
    """The value model of every case (made on first use); with a dialect's ``features``,
    only of the cases that dialect has."""
    return [value_model(case) for case in COLUMN_CASES if features is None or has_case(features, case)]


__all__ = ["COLUMN_CASES", "ColumnCase", "value_model", "value_models"]
