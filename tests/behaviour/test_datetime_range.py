"""Dates, times and datetimes of every year from 1 to 9999 round-trip exactly, and
compare and sort by time, on every backend."""

from __future__ import annotations

import datetime as dt

import pytest

from kakaorm import DataError, DateColumn, DateTimeColumn, Model, StrColumn, TimeColumn

UTC = dt.UTC
PLUS_9 = dt.timezone(dt.timedelta(hours=9))
MINUS_5 = dt.timezone(dt.timedelta(hours=-5))


class RangeEvent(Model):
    label = StrColumn(max_length=20, nullable=True)
    at = DateTimeColumn(nullable=True)
    day = DateColumn(nullable=True)
    tm = TimeColumn(nullable=True)


#: values away from both ends of Python's range: every backend agrees today
MIDDLE = [
    dt.datetime(9, 2, 3, 4, 5, 6, 7, tzinfo=UTC),
    dt.datetime(99, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    dt.datetime(999, 1, 1, 8, 0, tzinfo=UTC),
    dt.datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    dt.datetime(1000, 1, 1, tzinfo=UTC),
    dt.datetime(2024, 2, 29, 12, 30, 45, 123456, tzinfo=UTC),
]

#: the first and the last instant a Python datetime can hold
EXTREMES = [
    dt.datetime(1, 1, 1, tzinfo=UTC),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]

def _ids(values: list[dt.datetime]) -> list[str]:
    return [v.isoformat() for v in values]


async def _round_trip(value: dt.datetime) -> RangeEvent:
    row = await RangeEvent.create(label="x", at=value, day=value.date(), tm=value.time())
    return await RangeEvent.get(RangeEvent.id == row.id)


@pytest.mark.parametrize("value", MIDDLE, ids=_ids(MIDDLE))
async def test_a_datetime_date_and_time_of_any_year_round_trip_exactly(engine, value):
    await engine.create_table(RangeEvent)
    fresh = await _round_trip(value)
    assert (fresh.at, fresh.day, fresh.tm) == (value, value.date(), value.time())
    assert fresh.at.tzinfo is not None and fresh.at.utcoffset() == dt.timedelta(0)
    assert (type(fresh.at), type(fresh.day), type(fresh.tm)) == (dt.datetime, dt.date, dt.time)
    assert await RangeEvent.where(RangeEvent.at == value).count() == 1
    assert await RangeEvent.where(RangeEvent.day == value.date()).count() == 1


@pytest.mark.parametrize("value", EXTREMES, ids=_ids(EXTREMES))
async def test_the_first_and_last_instant_python_holds_round_trip_exactly(engine, value):
    await engine.create_table(RangeEvent)
    fresh = await _round_trip(value)
    assert (fresh.at, fresh.day, fresh.tm) == (value, value.date(), value.time())
    assert fresh.at.utcoffset() == dt.timedelta(0)
    assert await RangeEvent.where(RangeEvent.at == value).count() == 1


async def test_datetimes_before_year_1000_sort_and_compare_by_time(engine):
    await engine.create_table(RangeEvent)
    values = {
        "y999": dt.datetime(999, 6, 1, tzinfo=UTC),
        "y2024": dt.datetime(2024, 6, 1, tzinfo=UTC),
        "y99": dt.datetime(99, 6, 1, tzinfo=UTC),
        "y1000": dt.datetime(1000, 6, 1, tzinfo=UTC),
        "y9": dt.datetime(9, 6, 1, tzinfo=UTC),
    }
    for label, value in values.items():
        await RangeEvent.create(label=label, at=value, day=value.date())
    by_time = ["y9", "y99", "y999", "y1000", "y2024"]
    assert [e.label for e in await RangeEvent.all().order_by(RangeEvent.at)] == by_time
    assert [e.label for e in await RangeEvent.all().order_by(RangeEvent.day)] == by_time
    earlier = RangeEvent.where(RangeEvent.at < dt.datetime(1000, 1, 1, tzinfo=UTC)).order_by(RangeEvent.at)
    assert [e.label for e in await earlier] == ["y9", "y99", "y999"]
    later = RangeEvent.where(RangeEvent.day >= dt.date(999, 6, 1)).order_by(RangeEvent.day)
    assert [e.label for e in await later] == ["y999", "y1000", "y2024"]


async def test_an_aware_datetime_before_year_1000_is_stored_as_its_utc_instant(engine):
    await engine.create_table(RangeEvent)
    tokyo = dt.datetime(999, 1, 1, 3, 0, tzinfo=PLUS_9)  # 998-12-31 18:00 UTC
    new_york = dt.datetime(998, 12, 31, 20, 0, tzinfo=MINUS_5)  # 999-01-01 01:00 UTC
    await RangeEvent.create(label="tokyo", at=tokyo)
    await RangeEvent.create(label="new_york", at=new_york)
    rows = await RangeEvent.all().order_by(RangeEvent.at)
    assert [(e.label, e.at) for e in rows] == [
        ("tokyo", dt.datetime(998, 12, 31, 18, 0, tzinfo=UTC)),
        ("new_york", dt.datetime(999, 1, 1, 1, 0, tzinfo=UTC)),
    ]


@pytest.mark.parametrize(
    ("value", "edge"),
    [
        (dt.datetime(1, 1, 1, 8, 59, tzinfo=PLUS_9), "before 0001-01-01 00:00 UTC"),
        (dt.datetime(9999, 12, 31, 19, 0, tzinfo=MINUS_5), "after 9999-12-31 23:59:59.999999 UTC"),
    ],
    ids=["before-year-1", "after-year-9999"],
)
async def test_an_aware_datetime_outside_the_utc_range_is_a_data_error(engine, value, edge):
    await engine.create_table(RangeEvent)
    with pytest.raises(DataError) as info:
        await RangeEvent.create(label="out", at=value)
    assert str(info.value) == (
        f"{value.isoformat()} is {edge}, which a UTC datetime cannot hold; "
        "store it as a UTC datetime within years 1 to 9999"
    )
    assert await RangeEvent.count() == 0
