"""SQLite keeps dates and times as text: the form it writes sorts as time sorts, the
forms earlier versions wrote still read, and text that is no date is a DataError
naming the table, the column and the value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kakaorm import (
    DataError,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    IntColumn,
    Max,
    Model,
    StrColumn,
    TimeColumn,
)

pytestmark = pytest.mark.backends("sqlite")

UTC = dt.UTC


class SqltEvent(Model):
    label = StrColumn(max_length=20, nullable=True)
    at = DateTimeColumn(nullable=True)
    day = DateColumn(nullable=True)
    tm = TimeColumn(nullable=True)
    price = DecimalColumn(max_digits=10, decimal_places=2, nullable=True)
    n = IntColumn(nullable=True)


async def stored(engine, column: str) -> list[object]:
    """The column's values as SQLite holds them."""
    rows = await engine.fetch(f'SELECT "{column}" AS v FROM sqlt_event ORDER BY id')
    return [r["v"] for r in rows]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.datetime(1, 1, 1, tzinfo=UTC), "0001-01-01 00:00:00.000000"),
        (dt.datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "0999-12-31 23:59:59.999999"),
        (dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))), "2024-05-01 06:00:00.000000"),
        (dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "9999-12-31 23:59:59.999999"),
    ],
    ids=["year-1", "year-999", "offset", "year-9999"],
)
async def test_a_datetime_is_stored_as_fixed_width_utc_text_with_a_four_digit_year(engine, value, text):
    await engine.create_table(SqltEvent)
    await SqltEvent.create(at=value, day=value.date(), tm=value.time())
    assert await stored(engine, "at") == [text]
    assert await stored(engine, "day") == [text[:10]]
    assert await stored(engine, "tm") == [value.time().isoformat(timespec="microseconds")]


async def test_the_stored_text_sorts_and_compares_as_the_datetimes_do(engine):
    await engine.create_table(SqltEvent)
    values = [dt.datetime(y, 1, 1, tzinfo=UTC) for y in (2024, 999, 1, 9999, 99, 1000)]
    for v in values:
        await SqltEvent.create(at=v, day=v.date())
    by_text = await engine.fetch("SELECT at, day FROM sqlt_event ORDER BY at")
    assert [r["at"][:4] for r in by_text] == ["0001", "0099", "0999", "1000", "2024", "9999"]
    by_day = await engine.fetch("SELECT day FROM sqlt_event WHERE day < %s ORDER BY day", ["1000-01-01"])
    assert [r["day"] for r in by_day] == ["0001-01-01", "0099-01-01", "0999-01-01"]


async def test_a_default_datetime_before_year_1000_is_written_with_a_four_digit_year(engine):
    class SqltDefault(Model):
        at = DateTimeColumn(default=dt.datetime(999, 3, 4, 5, 6, 7, tzinfo=UTC))

    ddl = engine.dialect.compiler.create_table(SqltDefault, True)[0]
    assert "DEFAULT '0999-03-04 05:06:07.000000'" in ddl


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # KakaORM 0.4's forms (docs/upgrading-from-0.4.md)
        ("2024-05-01T08:00:00+00:00", dt.datetime(2024, 5, 1, 8, 0, tzinfo=UTC)),
        ("2024-05-01T10:00:00.250000+02:00", dt.datetime(2024, 5, 1, 8, 0, 0, 250000, tzinfo=UTC)),
        # the three-digit years earlier versions wrote before year 1000
        ("999-12-31 23:59:59.999999", dt.datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        ("1-01-01 00:00:00.000000", dt.datetime(1, 1, 1, tzinfo=UTC)),
        ("45-06-07 08:09:10.000011", dt.datetime(45, 6, 7, 8, 9, 10, 11, tzinfo=UTC)),
    ],
    ids=["0.4", "0.4-offset", "year-999", "year-1", "year-45"],
)
async def test_datetimes_earlier_versions_stored_still_read(engine, text, expected):
    await engine.create_table(SqltEvent)
    await engine.execute("INSERT INTO sqlt_event (label, at) VALUES (%s, %s)", ["old", text])
    event = await SqltEvent.get(SqltEvent.label == "old")
    assert event.at == expected
    assert event.at.utcoffset() == dt.timedelta(0)


async def test_times_0_4_stored_still_read(engine):
    await engine.create_table(SqltEvent)
    await engine.execute("INSERT INTO sqlt_event (label, tm) VALUES (%s, %s)", ["old", "09:30:00"])
    assert (await SqltEvent.get(SqltEvent.label == "old")).tm == dt.time(9, 30)


@pytest.mark.parametrize(
    ("column", "value", "kind", "reason"),
    [
        ("at", "garbage", "datetime", "Invalid isoformat string: 'garbage'"),
        ("at", "2024-13-01 00:00:00", "datetime", "month must be in 1..12"),
        ("at", "99999-01-01 00:00:00", "datetime", "Invalid isoformat string: '99999-01-01 00:00:00'"),
        ("at", 20240501, "datetime", "the database holds int, not text"),
        ("day", "01/05/2024", "date", "Invalid isoformat string: '01/05/2024'"),
        ("tm", "25:00", "time", "hour must be in 0..23"),
        ("price", "lots", "decimal", "decimal.InvalidOperation"),
    ],
    ids=["garbage", "month-13", "year-5-digits", "integer", "date-format", "hour-25", "decimal-text"],
)
async def test_a_stored_value_that_cannot_be_read_is_a_data_error_naming_table_column_and_value(
    engine, column, value, kind, reason
):
    await engine.create_table(SqltEvent)
    await SqltEvent.create(label="fine", at=dt.datetime(2024, 1, 1, tzinfo=UTC))
    await engine.execute(f'INSERT INTO sqlt_event (label, "{column}") VALUES (%s, %s)', ["bad", value])
    message = (
        f"cannot read column {column!r} of table 'sqlt_event': the stored value {value!r} "
        f"is not a {kind} ({reason}). It was not written by KakaORM in a form it reads; "
        "correct the stored value (e.g. with engine.execute('UPDATE ...'))"
    )
    for query in (SqltEvent.all(), SqltEvent.where(SqltEvent.label == "bad")):
        with pytest.raises(DataError) as info:
            await query
        assert str(info.value).split("\n[SQL: ")[0] == message
        assert info.value.statement is not None and info.value.statement.startswith("SELECT")
        assert info.value.orig is not None and not isinstance(info.value.orig, DataError)
    with pytest.raises(DataError) as info:
        await SqltEvent.all().select(getattr(SqltEvent, column))
    assert str(info.value).split("\n[SQL: ")[0] == message
    # the other rows and columns of the table still read
    fine = await SqltEvent.get(SqltEvent.label == "fine")
    assert fine.at == dt.datetime(2024, 1, 1, tzinfo=UTC)
    assert await SqltEvent.all().select(SqltEvent.label).order_by(SqltEvent.id) == [
        {"label": "fine"},
        {"label": "bad"},
    ]


async def test_an_unreadable_computed_value_is_a_data_error_naming_the_result(engine):
    await engine.create_table(SqltEvent)
    await engine.execute("INSERT INTO sqlt_event (label, at) VALUES (%s, %s)", ["bad", "soon"])
    with pytest.raises(DataError) as info:
        await SqltEvent.all().aggregate(latest=Max(SqltEvent.at))
    assert str(info.value).split("\n[SQL: ")[0] == (
        "cannot read result 'latest' of a query on table 'sqlt_event': the value 'soon' is not "
        "a datetime (Invalid isoformat string: 'soon'). It was not written by KakaORM in a form "
        "it reads; correct the stored value (e.g. with engine.execute('UPDATE ...'))"
    )


async def test_decimals_read_back_unchanged(engine):
    await engine.create_table(SqltEvent)
    await SqltEvent.create(price=Decimal("12.50"))
    assert (await SqltEvent.all())[0].price == Decimal("12.50")
