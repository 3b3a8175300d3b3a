"""Dates and times at the ends of Python's range, on both PostgreSQL drivers.

Year 1 and 9999-12-31 23:59:59.999999 are stored as themselves (never as
PostgreSQL's ``-infinity``/``infinity``) and come back equal, datetimes aware in
UTC. A stored value Python cannot hold (``infinity``, a year before 1 or after
9999) is a DataError when read, never a naive or clipped value.
"""

from __future__ import annotations

import datetime as dt

import pytest

import kakaorm
from kakaorm import DataError, DateColumn, DateTimeColumn, Max, Min, Model, TimeColumn

pytestmark = pytest.mark.backends("postgres")

UTC = dt.UTC


class PgExtreme(Model):
    at = DateTimeColumn(nullable=True)
    day = DateColumn(nullable=True)
    clock = TimeColumn(nullable=True)


DATETIMES = [
    (dt.datetime(1, 1, 1, tzinfo=UTC), "0001-01-01 00:00:00+00"),
    (dt.datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=UTC), "0001-01-01 00:00:00.000001+00"),
    (dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "9999-12-31 23:59:59.999999+00"),
    (dt.datetime(9999, 12, 31, 23, 59, 59, 999998, tzinfo=UTC), "9999-12-31 23:59:59.999998+00"),
    (dt.datetime(9999, 12, 31, 23, 59, 59, 999999), "9999-12-31 23:59:59.999999+00"),  # naive: UTC
    (dt.datetime(2000, 1, 1, tzinfo=UTC), "2000-01-01 00:00:00+00"),
    # 2**31 - 1 microseconds after PostgreSQL's epoch: a date's infinity, not a timestamp's
    (dt.datetime(2000, 1, 1, 0, 35, 47, 483647, tzinfo=UTC), "2000-01-01 00:35:47.483647+00"),
    (dt.datetime(1999, 12, 31, 23, 24, 12, 516352, tzinfo=UTC), "1999-12-31 23:24:12.516352+00"),
]
DATES = [
    (dt.date(1, 1, 1), "0001-01-01"),
    (dt.date(9999, 12, 31), "9999-12-31"),
    (dt.date(2000, 1, 1), "2000-01-01"),
    (dt.date(1999, 12, 31), "1999-12-31"),
]
TIMES = [(dt.time(0, 0), "00:00:00"), (dt.time(23, 59, 59, 999999), "23:59:59.999999")]


@pytest.fixture
async def table(engine):
    await engine.create_table(PgExtreme)


@pytest.mark.parametrize(("value", "text"), DATETIMES, ids=[t for _, t in DATETIMES])
async def test_a_datetime_at_the_ends_of_the_range_round_trips_aware_in_utc(engine, table, value, text):
    row = await PgExtreme.create(at=value)
    expected = value if value.tzinfo else value.replace(tzinfo=UTC)
    fresh = await PgExtreme.get(PgExtreme.id == row.id)
    assert fresh.at == expected and fresh.at.tzinfo is UTC
    assert await engine.fetchval("SELECT at::text FROM pg_extreme WHERE id = %s::bigint", [row.id]) == text
    assert await PgExtreme.where(PgExtreme.at == expected).count() == 1
    [[raw]] = [list(r.values()) for r in await engine.fetch("SELECT at FROM pg_extreme")]
    assert raw == expected and raw.tzinfo is UTC


async def test_max_and_min_of_extreme_datetimes_are_aware_utc(engine, table):
    low, high = dt.datetime(1, 1, 1, tzinfo=UTC), dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    await PgExtreme.create(at=low)
    await PgExtreme.create(at=high)
    result = await PgExtreme.all().aggregate(lo=Min(PgExtreme.at), hi=Max(PgExtreme.at))
    assert result == {"lo": low, "hi": high}
    assert result["lo"].tzinfo is UTC and result["hi"].tzinfo is UTC


@pytest.mark.parametrize(("value", "text"), DATES, ids=[t for _, t in DATES])
async def test_a_date_at_the_ends_of_the_range_round_trips(engine, table, value, text):
    row = await PgExtreme.create(day=value)
    assert (await PgExtreme.get(PgExtreme.id == row.id)).day == value
    assert await engine.fetchval("SELECT day::text FROM pg_extreme WHERE id = %s::bigint", [row.id]) == text
    assert await PgExtreme.where(PgExtreme.day == value).count() == 1


@pytest.mark.parametrize(("value", "text"), TIMES, ids=[t for _, t in TIMES])
async def test_a_time_at_the_ends_of_the_day_round_trips(engine, table, value, text):
    row = await PgExtreme.create(clock=value)
    assert (await PgExtreme.get(PgExtreme.id == row.id)).clock == value
    assert await engine.fetchval("SELECT clock::text FROM pg_extreme WHERE id = %s::bigint", [row.id]) == text


@pytest.mark.parametrize(
    ("column", "stored"),
    [
        ("at", "infinity"),
        ("at", "-infinity"),
        ("at", "10000-01-01 00:00:00+00"),
        ("at", "0001-12-31 23:59:59+00 BC"),
        ("day", "infinity"),
        ("day", "-infinity"),
        ("day", "10000-01-01"),
        ("day", "0001-12-31 BC"),
    ],
)
async def test_a_stored_value_python_cannot_hold_is_a_data_error_when_read(engine, backend, table, column, stored):
    await engine.execute(f"INSERT INTO pg_extreme ({column}) VALUES (%s::text::{'timestamptz' if column == 'at' else 'date'})", [stored])
    with pytest.raises(DataError) as info:
        await PgExtreme.all()
    if backend.id == "postgres-asyncpg":
        kind, python_type = ("timestamptz", "datetime") if column == "at" else ("date", "date")
        what = {"infinity": "'infinity'", "-infinity": "'-infinity'"}.get(stored) or (
            "a year before 1" if stored.endswith("BC") else "a year after 9999"
        )
        assert str(info.value) == (
            f"PostgreSQL sent a {kind} value that Python's {python_type} cannot hold ({what}). "
            "Store NULL or a value from year 1 to 9999 instead, or select the column as text "
            "(column::text)\n[SQL: " + info.value.statement + "]"
        )
    else:
        assert ("too large" in str(info.value)) or ("too small" in str(info.value)), str(info.value)
    # the connection is fine afterwards
    assert await engine.fetchval("SELECT 1") == 1


async def test_datetimes_still_round_trip_after_a_migration_drops_the_statement_caches(engine, table, connect_url):
    # asyncpg reloads its type caches after DDL (forget_statements): the codecs stay
    value = dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    await engine.dialect.forget_statements()
    row = await PgExtreme.create(at=value, day=dt.date(1, 1, 1))
    fresh = await PgExtreme.get(PgExtreme.id == row.id)
    assert (fresh.at, fresh.day) == (value, dt.date(1, 1, 1))
    assert await engine.fetchval("SELECT at::text FROM pg_extreme WHERE id = %s::bigint", [row.id]) == (
        "9999-12-31 23:59:59.999999+00"
    )
    assert isinstance(engine, kakaorm.Engine)
