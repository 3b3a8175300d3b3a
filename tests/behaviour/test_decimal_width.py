"""A DecimalColumn holds exactly what its NUMERIC(max_digits, decimal_places) can,
whatever the width: values round-trip digit for digit, and a value that does not
fit is a DataError (before anything is sent where KakaORM can tell)."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest

from kakaorm import DataError, DecimalColumn, Max, Model, Sum

#: the widest DecimalColumn each backend has (SQLite keeps decimals as REAL: 15 digits)
WIDEST = {"sqlite": 15, "postgres": 1000, "mysql": 65}


class DecWide(Model):
    w = DecimalColumn(max_digits=38, decimal_places=10)


class DecNarrow(Model):
    m = DecimalColumn(max_digits=5, decimal_places=2)


WIDE_VALUES = [
    "1234567890123456789012345678.1234567891",
    "9999999999999999999999999999.9999999999",
    "-9999999999999999999999999999.9999999999",
    "0.0000000001",
    "1" + "0" * 27,
]


@pytest.mark.backends("postgres", "mysql")
@pytest.mark.parametrize("text", WIDE_VALUES)
async def test_38_digit_decimal_round_trips_exactly(engine, text):
    await engine.create_table(DecWide)
    value = Decimal(text)
    row = await DecWide.create(w=value)
    expected = value.quantize(Decimal("1E-10"), context=decimal.Context(prec=38))
    assert type(row.w) is Decimal and row.w == value and str(row.w) == str(expected)
    fresh = await DecWide.get(DecWide.id == row.id)
    assert type(fresh.w) is Decimal and str(fresh.w) == str(expected)
    assert [r.id for r in await DecWide.where(DecWide.w == value)] == [row.id]


@pytest.mark.backends("postgres", "mysql")
async def test_38_digit_decimal_updates_and_aggregates_exactly(engine):
    await engine.create_table(DecWide)
    big = Decimal("9999999999999999999999999999.9999999999")
    a = await DecWide.create(w=Decimal("1"))
    a.w = big
    await a.save()
    b = await DecWide.create(w=Decimal("0"))
    assert await DecWide.where(DecWide.id == b.id).update(w="-1234567890123456789012345678.0000000001") == 1
    assert str((await DecWide.get(DecWide.id == a.id)).w) == str(big)
    assert str((await DecWide.get(DecWide.id == b.id)).w) == "-1234567890123456789012345678.0000000001"
    # a sum wider than the column (39 digits) comes back exactly, at the column's scale
    await DecWide.create(w=big)
    total = await DecWide.where(DecWide.w > 0).sum(DecWide.w)
    assert type(total) is Decimal and str(total) == "19999999999999999999999999999.9999999998"
    both = await DecWide.all().aggregate(top=Max(DecWide.w), total=Sum(DecWide.w))
    assert {k: str(v) for k, v in both.items()} == {
        "top": str(big), "total": "18765432109876543210987654321.9999999997"
    }


async def test_the_widest_decimal_of_each_backend_round_trips_exactly(engine, backend):
    digits = WIDEST[backend.family]
    places = digits // 3

    class DecWidest(Model):
        v = DecimalColumn(max_digits=digits, decimal_places=places)

    await engine.create_table(DecWidest)
    values = [
        Decimal("9" * (digits - places) + "." + "9" * places),
        Decimal("-" + ("1234567890" * 7)[: digits - places] + "." + "5" * places),
        Decimal("0." + "0" * (places - 1) + "1"),
    ]
    for value in values:
        row = await DecWidest.create(v=value)
        fresh = await DecWidest.get(DecWidest.id == row.id)
        assert type(fresh.v) is Decimal and fresh.v == value and str(fresh.v) == str(value)


# -- values that do not fit ---------------------------------------------------------------

NARROW_MISFITS = [
    # (value, what the message says about it)
    (Decimal("1000"), "Decimal('1000') has 4"),
    (Decimal("-12345.6"), "Decimal('-12345.6') has 5"),
    (Decimal("999.995"), "Decimal('999.995') rounds to 1000.00 at 2 decimal places, which has 4"),
    (Decimal("1E+10"), "Decimal('1E+10') has 11"),
    (10**20, "Decimal('100000000000000000000') has 21"),
    ("1234.5", "Decimal('1234.5') has 4"),
]

NARROW_PREFIX = (
    "DecNarrow.m is a DecimalColumn(max_digits=5, decimal_places=2), which holds at most "
    "3 digits before the decimal point; "
)
NARROW_FIX = ": use a smaller value, or a column with a larger max_digits"


def _misfit_message(what: str) -> str:
    return NARROW_PREFIX + what + NARROW_FIX


@pytest.mark.parametrize("value,what", NARROW_MISFITS, ids=[str(v) for v, _ in NARROW_MISFITS])
async def test_a_decimal_too_wide_for_its_column_is_a_data_error_before_sending(engine, sql_log, value, what):
    await engine.create_table(DecNarrow)
    kept = await DecNarrow.create(m=Decimal("999.99"))
    sql_log.clear()
    with pytest.raises(DataError) as create:
        await DecNarrow.create(m=value)
    assert str(create.value) == _misfit_message(what)
    assert create.value.statement is None and create.value.orig is None
    with pytest.raises(DataError) as update:
        await DecNarrow.where(DecNarrow.id == kept.id).update(m=value)
    assert str(update.value) == _misfit_message(what)
    kept.m = value
    with pytest.raises(DataError) as save:
        await kept.save()
    assert str(save.value) == _misfit_message(what)
    with pytest.raises(DataError) as bulk:
        await DecNarrow.bulk_create([DecNarrow(m=Decimal("1")), _unchecked(m=value)])
    assert str(bulk.value) == _misfit_message(what)
    assert sql_log.statements == []
    assert [str(r.m) for r in await DecNarrow.all()] == ["999.99"]


def _unchecked(**values: object) -> DecNarrow:
    """An instance holding ``values`` as set by attribute (checked when written)."""
    row = DecNarrow()
    for name, value in values.items():
        setattr(row, name, value)
    return row


@pytest.mark.parametrize("text", ["Infinity", "-Infinity"])
async def test_an_infinite_decimal_is_a_data_error_before_sending(engine, sql_log, text):
    await engine.create_table(DecNarrow)
    sql_log.clear()
    with pytest.raises(DataError) as err:
        await DecNarrow.create(m=Decimal(text))
    assert str(err.value) == (
        f"DecNarrow.m is a DecimalColumn(max_digits=5, decimal_places=2); Decimal('{text}') "
        "is not a finite number: a DecimalColumn holds finite numbers only"
    )
    assert sql_log.statements == []


async def test_a_decimal_that_fits_only_after_rounding_away_digits_is_kept(engine):
    await engine.create_table(DecNarrow)
    row = await DecNarrow.create(m=Decimal("-999.994999"))
    assert str(row.m) == "-999.99"
    assert str((await DecNarrow.get(DecNarrow.id == row.id)).m) == "-999.99"


SERVER_OVERFLOW = {
    "postgres": (
        "numeric field overflow (A field with precision 5, scale 2 must round to an absolute "
        "value less than 10^3.) [SQLSTATE 22003]. Use a value inside the range of the column's "
        "type (IntColumn is 64-bit: -2**63 .. 2**63-1; a DecimalColumn holds max_digits - "
        "decimal_places digits before the point)"
    ),
    "mysql": (
        "Out of range value for column 'm' at row 1 (MySQL error 1264); the value is outside "
        "the column's range: use a smaller value or a wider column type"
    ),
}


@pytest.mark.backends("postgres", "mysql")  # SQLite stores whatever a computed value is
async def test_a_computed_decimal_too_wide_for_its_column_is_refused_by_the_server_as_data_error(engine, backend):
    await engine.create_table(DecNarrow)
    await DecNarrow.create(m=Decimal("999.99"))
    with pytest.raises(DataError) as err:
        await DecNarrow.all().update(m=DecNarrow.m * 10)
    assert err.value.statement is not None and err.value.statement.startswith("UPDATE")
    assert str(err.value).split("\n")[0] == SERVER_OVERFLOW[backend.family]
    assert [str(r.m) for r in await DecNarrow.all()] == ["999.99"]


async def test_a_filter_compares_with_a_decimal_wider_than_the_column_as_written(engine):
    # a filter value is never stored: it must not be refused for its width, nor rounded
    await engine.create_table(DecNarrow)
    await DecNarrow.create(m=Decimal("999.99"))
    await DecNarrow.create(m=Decimal("-999.99"))
    assert await DecNarrow.where(DecNarrow.m < Decimal("1E10")).count() == 2
    assert await DecNarrow.where(DecNarrow.m > Decimal("-123456789.5")).count() == 2
    assert await DecNarrow.where(DecNarrow.m >= Decimal("999.985")).count() == 1
    assert await DecNarrow.where(DecNarrow.m.between(Decimal("-1E12"), Decimal("0.001"))).count() == 1
