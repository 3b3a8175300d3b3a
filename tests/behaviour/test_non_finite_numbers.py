"""NaN and infinity are stored faithfully where the backend can hold them, and refused
with DataError before anything is written where it cannot: never silently NULL.

| value            | SQLite    | PostgreSQL | MariaDB   |
|------------------|-----------|------------|-----------|
| float NaN        | DataError | stored     | DataError |
| float ±inf       | stored    | stored     | DataError |
| Decimal NaN      | DataError | stored     | DataError |
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from kakaorm import DataError, DecimalColumn, FloatColumn, Model, QueryError, StrColumn


class NfValue(Model):
    label = StrColumn(max_length=20, nullable=True)
    f = FloatColumn(nullable=True)
    d = DecimalColumn(max_digits=10, decimal_places=2, nullable=True)


SQLITE_FLOAT_NAN = (
    "float('nan') cannot be stored on SQLite, which would store NULL instead; store None "
    "for a missing value, or a number (PostgreSQL stores NaN)"
)
SQLITE_DECIMAL_NAN = (
    "Decimal('NaN') cannot be stored on SQLite, which would store NULL instead; store None "
    "for a missing value, or a number (PostgreSQL stores NaN)"
)


def mysql_refusal(value: str) -> str:
    return f"{value} can not be used with MySQL: MySQL has no infinity or NaN; store None or a finite float"


def refusal(family: str, value: object) -> str | None:
    """The DataError message ``family`` gives for ``value``, or None if it stores it."""
    if family == "postgres":
        return None
    if isinstance(value, Decimal):
        return SQLITE_DECIMAL_NAN if family == "sqlite" else mysql_refusal("nan")
    if math.isnan(value):
        return SQLITE_FLOAT_NAN if family == "sqlite" else mysql_refusal("nan")
    return None if family == "sqlite" else mysql_refusal(repr(value))


CASES = [
    ("f", math.nan),
    ("f", math.inf),
    ("f", -math.inf),
    ("d", Decimal("NaN")),
]
IDS = ["float-nan", "float-inf", "float-minus-inf", "decimal-nan"]


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, Decimal) and isinstance(b, Decimal) and a.is_nan():
        return b.is_nan()
    return a == b


@pytest.mark.parametrize(("field", "value"), CASES, ids=IDS)
async def test_a_non_finite_value_is_stored_faithfully_or_refused_never_made_null(engine, backend, field, value):
    await engine.create_table(NfValue)
    expected_error = refusal(backend.family, value)
    if expected_error is not None:
        with pytest.raises(DataError) as info:
            await NfValue.create(label="x", **{field: value})
        assert str(info.value).split("\n[SQL: ")[0] == expected_error
        assert await NfValue.count() == 0
        return
    row = await NfValue.create(label="x", **{field: value})
    fresh = await NfValue.get(NfValue.id == row.id)
    stored = getattr(fresh, field)
    assert type(stored) is type(value)
    assert same(value, stored)
    assert await NfValue.where(getattr(NfValue, field).is_null()).count() == 0


@pytest.mark.parametrize(("field", "value"), CASES, ids=IDS)
async def test_a_non_finite_value_in_raw_sql_or_a_filter_is_bound_faithfully_or_refused(
    engine, backend, field, value
):
    await engine.create_table(NfValue)
    expected_error = refusal(backend.family, value)
    insert = f"INSERT INTO nf_value (label, {field}) VALUES (%s, %s)"
    if expected_error is not None:
        with pytest.raises(DataError) as info:
            await engine.execute(insert, ["raw", value])
        assert str(info.value).split("\n[SQL: ")[0] == expected_error
        assert await NfValue.count() == 0
        if backend.family == "sqlite":  # refused before the filter runs, not matched as NULL
            with pytest.raises(DataError) as info:
                await NfValue.where(getattr(NfValue, field) == value)
            assert str(info.value) == expected_error
        return
    await engine.execute(insert, ["raw", value])
    assert [r.label for r in await NfValue.all()] == ["raw"]
    assert same(value, getattr((await NfValue.all())[0], field))
    if not (isinstance(value, float) and math.isnan(value)) and not isinstance(value, Decimal):
        assert await NfValue.where(getattr(NfValue, field) == value).count() == 1


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize(
    "value", [Decimal("Infinity"), Decimal("-Infinity"), Decimal("sNaN")], ids=["inf", "minus-inf", "snan"]
)
async def test_sqlite_refuses_a_non_finite_decimal_in_raw_sql(engine, value):
    await engine.create_table(NfValue)
    with pytest.raises(DataError) as info:
        await engine.execute("INSERT INTO nf_value (d) VALUES (%s)", [value])
    assert str(info.value) == (
        f"{value!r} cannot be stored on SQLite, which keeps decimals as REAL numbers; "
        "store a finite number, or None"
    )
    assert await NfValue.count() == 0


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize(("default", "sql"), [(math.inf, "9e999"), (-math.inf, "-9e999")])
async def test_an_infinite_float_default_is_an_infinite_real_on_sqlite(engine, default, sql):
    class NfDefault(Model):
        label = StrColumn(nullable=True)
        f = FloatColumn(default=default)

    assert f'"f" REAL DEFAULT {sql}' in engine.dialect.compiler.create_table(NfDefault, True)[0]
    await engine.create_table(NfDefault)
    await engine.execute("INSERT INTO nf_default (label) VALUES (%s)", ["raw"])
    assert (await NfDefault.all())[0].f == default


@pytest.mark.backends("sqlite")
async def test_a_nan_float_default_is_refused_on_sqlite(engine):
    class NfNanDefault(Model):
        f = FloatColumn(default=math.nan)

    with pytest.raises(QueryError) as info:
        await engine.create_table(NfNanDefault)
    assert str(info.value) == (
        "NfNanDefault.f: a default of float('nan') cannot be stored on SQLite, which would "
        "store NULL instead; use default=None"
    )
