"""Every column type gives back, on every backend, every value it accepts: written
through ``create()``, ``bulk_create()`` and ``update()``, read back as a model and as
a ``select()`` dict, equal and of the same type. A value the backend cannot store is
refused with ``DataError`` on every way of writing it, and nothing is stored.

Hypothesis draws the values (derandomized, so a run is repeatable; raise
``KAKAORM_PROPERTY_EXAMPLES`` to draw more). What each backend cannot store, as the
plugin READMEs document it:

* text: PostgreSQL refuses NUL (``"\\x00"``); SQLite and MariaDB store it;
* float: NaN is refused on SQLite and MariaDB and stored on PostgreSQL; infinities
  are refused on MariaDB only; ``-0.0`` keeps its sign on PostgreSQL and comes back
  as ``0.0`` (equal to it) on SQLite and MariaDB;
* decimal: NaN is stored on PostgreSQL and refused elsewhere; infinities and values
  with more integer digits than the column has are refused everywhere; SQLite
  refuses a column of more than 15 digits at ``create_table``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kakaorm import (
    BoolColumn,
    DataError,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    IntColumn,
    Model,
    QueryError,
    StrColumn,
    TimeColumn,
)

PROPERTY = settings(
    max_examples=int(os.environ.get("KAKAORM_PROPERTY_EXAMPLES", "25")),
    deadline=None,
    derandomize=True,
    database=None,
    # one table per column type, shared by the examples of a test: the engine
    # fixture is function-scoped on purpose
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

UTC = dt.UTC
INT64 = (-(2**63), 2**63 - 1)


def _model(name: str, table: str, column: Any) -> type[Model]:
    meta = type("Meta", (), {"table_name": table})
    return type(name, (Model,), {"__module__": __name__, "v": column, "Meta": meta})


RtInt = _model("RtInt", "rt_int", IntColumn())
RtText = _model("RtText", "rt_text", StrColumn())
RtVarchar = _model("RtVarchar", "rt_varchar", StrColumn(max_length=8))
RtFloat = _model("RtFloat", "rt_float", FloatColumn())
RtBool = _model("RtBool", "rt_bool", BoolColumn())
RtDateTime = _model("RtDateTime", "rt_datetime", DateTimeColumn())
RtDate = _model("RtDate", "rt_date", DateColumn())
RtTime = _model("RtTime", "rt_time", TimeColumn())

DECIMAL_SIZES = [(1, 0), (5, 2), (15, 0), (15, 4), (15, 15), (18, 6), (28, 10), (38, 0), (38, 10), (38, 38)]
RtDecimal = {
    (p, s): _model(f"RtDecimal{p}x{s}", f"rt_decimal_{p}_{s}", DecimalColumn(p, s)) for p, s in DECIMAL_SIZES
}


class Tables:
    """Creates each test's table on its first example only."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.made: set[type[Model]] = set()

    async def of(self, model: type[Model]) -> type[Model]:
        if model not in self.made:
            await self.engine.create_table(model)
            self.made.add(model)
        return model


@pytest.fixture
def tables(engine):
    return Tables(engine)


@pytest.fixture
async def decimal_model(engine, backend, size):
    if backend.family == "sqlite" and size[0] > 15:
        pytest.skip(
            "SQLite keeps decimals as REAL, exact to 15 digits: create_table refuses this "
            "column (test_sqlite_refuses_decimal_columns_wider_than_15_digits)"
        )
    await engine.create_table(RtDecimal[size])
    return RtDecimal[size]


async def written_and_read(model: type[Model], value: Any) -> list[Any]:
    """``value`` written by create(), bulk_create() and update(), as each instance holds
    it after the write and as the database gives it back (models, then dicts)."""
    created = await model.create(v=value)
    [bulk] = await model.bulk_create([model(v=value)])
    updated = await model.create(v=None)
    assert await model.where(model.id == updated.id).update(v=value) == 1
    ids = [created.id, bulk.id, updated.id]
    models = {row.id: row.v for row in await model.where(model.id.in_(ids))}
    dicts = {row["id"]: row["v"] for row in await model.where(model.id.in_(ids)).select(model.id, model.v)}
    return [created.v, bulk.v] + [models[i] for i in ids] + [dicts[i] for i in ids]


async def outcome_of_storing(model: type[Model], value: Any) -> str:
    """``"refused"`` when create(), bulk_create() and update() each raise DataError and
    nothing of ``value`` is stored; otherwise what happened instead."""
    before = await model.count()
    target = await model.create(v=None)
    writes = {
        "create": lambda: model.create(v=value),
        "bulk_create": lambda: model.bulk_create([model(v=value)]),
        "update": lambda: model.where(model.id == target.id).update(v=value),
    }
    for how, write in writes.items():
        try:
            await write()
        except DataError:
            continue
        except Exception as err:  # noqa: BLE001 - the test reports what was raised instead
            return f"{how}() raised {type(err).__name__}: {' '.join(str(err).split())[:160]}"
        stored = [row.v for row in await model.where(model.id != target.id)] + [(await model.get(model.id == target.id)).v]
        return f"{how}() did not refuse it; the table holds {[v for v in stored if v is not None]!r}"
    if await model.count() != before + 1 or (await model.get(model.id == target.id)).v is not None:
        return "refused, but something was stored"
    return "refused"


async def assert_refused(model: type[Model], value: Any) -> None:
    """Every way of writing ``value`` raises DataError, and nothing of it is stored."""
    assert await outcome_of_storing(model, value) == "refused"


def assert_all_equal(value: Any, outs: list[Any]) -> None:
    assert all(type(out) is type(value) for out in outs), (value, outs)
    assert all(out == value for out in outs), (value, outs)


# -- the property tests, one per column type ------------------------------------------------


@PROPERTY
@given(value=st.integers(*INT64))
@example(value=INT64[1])
@example(value=INT64[0])
@example(value=0)
@example(value=2**53 + 1)
async def test_int_columns_round_trip_every_64_bit_integer(tables, value):
    model = await tables.of(RtInt)
    assert_all_equal(value, await written_and_read(model, value))


TEXT = st.text(st.characters(codec="utf-8"), max_size=40)


@PROPERTY
@given(value=TEXT)
@example(value="")
@example(value="a\x00b")
@example(value="\x00")
@example(value="😀 é 中 \u200b \ufeff \u0301")
@example(value="  padded  ")
@example(value="'\";`\\%_ -- /* */")
@example(value="\r\n\t\x1a\x7f")
@example(value="x" * 5000)
async def test_text_columns_round_trip_every_unicode_string_the_backend_stores(tables, backend, value):
    model = await tables.of(RtText)
    if backend.family == "postgres" and "\x00" in value:
        await assert_refused(model, value)
        return
    assert_all_equal(value, await written_and_read(model, value))


@PROPERTY
@given(value=st.text(st.characters(codec="utf-8"), max_size=8))
@example(value="abcdefgh")
@example(value="abc     ")
@example(value="😀" * 8)
@example(value=" ")
async def test_bounded_text_columns_round_trip_every_string_up_to_max_length(tables, backend, value):
    model = await tables.of(RtVarchar)
    if backend.family == "postgres" and "\x00" in value:
        await assert_refused(model, value)
        return
    assert_all_equal(value, await written_and_read(model, value))


def _float_refused(family: str, value: float) -> bool:
    if math.isnan(value):
        return family in ("sqlite", "mysql")
    return math.isinf(value) and family == "mysql"


@PROPERTY
@given(value=st.floats())
@example(value=0.0)
@example(value=-0.0)
@example(value=math.inf)
@example(value=-math.inf)
@example(value=math.nan)
@example(value=5e-324)
@example(value=2.2250738585072014e-308)
@example(value=1.7976931348623157e308)
@example(value=0.1)
async def test_float_columns_round_trip_every_float_the_backend_stores_and_refuse_the_others(tables, backend, value):
    model = await tables.of(RtFloat)
    if _float_refused(backend.family, value):
        await assert_refused(model, value)
        return
    outs = await written_and_read(model, value)
    assert all(type(out) is float for out in outs), outs
    if math.isnan(value):
        assert all(math.isnan(out) for out in outs), outs
        return
    assert all(out == value for out in outs), (value, outs)
    if backend.family == "postgres":
        # DOUBLE PRECISION keeps the sign of zero; SQLite and MariaDB store a plain 0
        assert [math.copysign(1, out) for out in outs] == [math.copysign(1, value)] * len(outs)


@PROPERTY
@given(value=st.booleans())
async def test_bool_columns_round_trip_both_booleans(tables, value):
    model = await tables.of(RtBool)
    assert_all_equal(value, await written_and_read(model, value))


DATETIMES = st.datetimes(
    min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59, 999999), timezones=st.just(UTC)
)


@PROPERTY
@given(value=DATETIMES)
@example(value=dt.datetime(1, 1, 1, tzinfo=UTC))
@example(value=dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC))
@example(value=dt.datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC))
@example(value=dt.datetime(1000, 1, 1, tzinfo=UTC))
@example(value=dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC))
@example(value=dt.datetime(2000, 2, 29, 12, 30, 0, 1, tzinfo=UTC))
async def test_datetime_columns_round_trip_every_aware_utc_datetime_of_years_1_to_9999(tables, value):
    model = await tables.of(RtDateTime)
    outs = await written_and_read(model, value)
    assert_all_equal(value, outs)
    assert all(out.tzinfo is not None and out.utcoffset() == dt.timedelta(0) for out in outs), outs


@PROPERTY
@given(
    value=st.datetimes(
        min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
        timezones=st.none() | st.builds(dt.timezone, st.timedeltas(min_value=dt.timedelta(hours=-23), max_value=dt.timedelta(hours=23))),
    )
)
@example(value=dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))))
@example(value=dt.datetime(2024, 6, 1, 12, 0))
async def test_datetime_columns_give_back_any_datetime_as_the_same_instant_in_utc(tables, value):
    model = await tables.of(RtDateTime)
    instant = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    outs = await written_and_read(model, value)
    assert_all_equal(instant, outs)
    assert all(out.utcoffset() == dt.timedelta(0) for out in outs), outs


async def test_an_aware_datetime_whose_utc_instant_is_outside_years_1_to_9999_is_refused_with_data_error(tables):
    model = await tables.of(RtDateTime)
    values = {
        "0001-01-01 00:30+01:00": dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        "9999-12-31 23:30-01:00": dt.datetime(9999, 12, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-1))),
    }
    outcomes = {label: await outcome_of_storing(model, value) for label, value in values.items()}
    assert outcomes == dict.fromkeys(values, "refused")


@PROPERTY
@given(value=st.dates())
@example(value=dt.date(1, 1, 1))
@example(value=dt.date(9999, 12, 31))
@example(value=dt.date(999, 12, 31))
@example(value=dt.date(2000, 2, 29))
async def test_date_columns_round_trip_every_date(tables, value):
    model = await tables.of(RtDate)
    assert_all_equal(value, await written_and_read(model, value))


@PROPERTY
@given(value=st.times())
@example(value=dt.time(0, 0))
@example(value=dt.time(23, 59, 59, 999999))
@example(value=dt.time(12, 0, 0, 1))
async def test_time_columns_round_trip_every_time_of_day(tables, value):
    model = await tables.of(RtTime)
    assert_all_equal(value, await written_and_read(model, value))


def _decimal(n: int, places: int) -> Decimal:
    # built from text, so no context rounds it whatever its number of digits
    return Decimal(f"{n}E-{places}")


@pytest.mark.parametrize("size", DECIMAL_SIZES, ids=[f"{p}.{s}" for p, s in DECIMAL_SIZES])
@PROPERTY
@given(data=st.data())
async def test_decimal_columns_round_trip_every_value_that_fits_with_its_scale(decimal_model, size, data):
    digits, places = size
    largest = 10**digits - 1
    n = data.draw(st.sampled_from([largest, -largest, 0, 1, -1]) | st.integers(-largest, largest), label="digits")
    value = _decimal(n, places)
    outs = await written_and_read(decimal_model, value)
    assert_all_equal(value, outs)
    # the column's scale is kept: Decimal("1.50") does not come back as Decimal("1.5")
    assert [out.as_tuple().exponent for out in outs] == [-places] * len(outs)


@pytest.mark.parametrize("size", DECIMAL_SIZES, ids=[f"{p}.{s}" for p, s in DECIMAL_SIZES])
async def test_decimal_values_wider_than_the_column_or_infinite_are_refused_with_data_error(decimal_model, size):
    digits, places = size
    too_wide = Decimal(10) ** (digits - places)
    values = {
        "one integer digit too many": too_wide,
        "negative, one integer digit too many": -too_wide,
        "Infinity": Decimal("Infinity"),
        "-Infinity": Decimal("-Infinity"),
    }
    outcomes = {label: await outcome_of_storing(decimal_model, value) for label, value in values.items()}
    assert outcomes == dict.fromkeys(values, "refused")


@pytest.mark.parametrize("size", [(5, 2), (15, 4)], ids=["5.2", "15.4"])
async def test_decimal_nan_is_stored_on_postgresql_and_refused_with_data_error_elsewhere(decimal_model, backend, size):
    if backend.family != "postgres":
        await assert_refused(decimal_model, Decimal("NaN"))
        return
    outs = await written_and_read(decimal_model, Decimal("NaN"))
    assert all(type(out) is Decimal and out.is_nan() for out in outs), outs


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("size", [s for s in DECIMAL_SIZES if s[0] > 15], ids=lambda s: f"{s[0]}.{s[1]}")
async def test_sqlite_refuses_decimal_columns_wider_than_15_digits(engine, size):
    model = RtDecimal[size]
    with pytest.raises(QueryError, match=f"^{model.__name__}.v has max_digits={size[0]}, but SQLite keeps decimals as REAL"):
        await engine.create_table(model)


# -- values no backend can store --------------------------------------------------------------


async def test_integers_outside_64_bits_are_refused_with_data_error(tables):
    model = await tables.of(RtInt)
    values = {"2**63": 2**63, "-2**63-1": -(2**63) - 1, "10**30": 10**30}
    outcomes = {label: await outcome_of_storing(model, value) for label, value in values.items()}
    assert outcomes == dict.fromkeys(values, "refused")


async def test_text_that_utf_8_cannot_encode_is_refused_with_data_error(tables):
    model = await tables.of(RtText)
    values = {"lone high surrogate": "\ud800", "lone low surrogate": "a\udfffb"}
    outcomes = {label: await outcome_of_storing(model, value) for label, value in values.items()}
    assert outcomes == dict.fromkeys(values, "refused")


async def test_text_longer_than_max_length_is_refused_with_data_error_never_cut(tables):
    model = await tables.of(RtVarchar)
    values = {
        "9 letters": "abcdefghi",
        "8 letters and a trailing space": "abcdefgh ",
        "8 letters and a trailing tab": "abcdefgh\t",
        "9 emoji": "😀" * 9,
    }
    outcomes = {label: await outcome_of_storing(model, value) for label, value in values.items()}
    assert outcomes == dict.fromkeys(values, "refused")
