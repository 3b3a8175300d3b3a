"""Values round-trip with their exact Python types on every backend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kakaorm import (
    BoolColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    IntColumn,
    Model,
    StrColumn,
    TimeColumn,
)

UTC = dt.UTC
TOKYO = dt.timezone(dt.timedelta(hours=9))
NEW_YORK_WINTER = dt.timezone(dt.timedelta(hours=-5))


class TypValue(Model):
    i = IntColumn()
    s = StrColumn()
    v = StrColumn(max_length=40)
    f = FloatColumn()
    b = BoolColumn()
    at = DateTimeColumn()
    day = DateColumn()
    tm = TimeColumn()
    money = DecimalColumn(max_digits=10, decimal_places=2)
    rate = DecimalColumn(max_digits=15, decimal_places=4)


async def roundtrip(**values):
    row = await TypValue.create(**values)
    fresh = await TypValue.get(TypValue.id == row.id)
    return row, fresh


async def test_aware_datetime_comes_back_aware_and_equal(engine):
    await engine.create_table(TypValue)
    value = dt.datetime(2024, 3, 10, 21, 30, 15, 123456, tzinfo=TOKYO)
    row, fresh = await roundtrip(at=value)
    assert fresh.at == value
    assert fresh.at.utcoffset() == dt.timedelta(0)
    assert fresh.at == dt.datetime(2024, 3, 10, 12, 30, 15, 123456, tzinfo=UTC)
    assert row.at == fresh.at and row.at.tzinfo is not None


async def test_naive_datetime_is_taken_as_utc(engine):
    await engine.create_table(TypValue)
    naive = dt.datetime(2023, 12, 31, 23, 59, 59, 999999)
    row, fresh = await roundtrip(at=naive)
    expected = naive.replace(tzinfo=UTC)
    assert fresh.at == expected
    assert fresh.at.tzinfo is not None
    assert row.at == expected  # the instance holds what the row holds


async def test_datetimes_compare_and_sort_by_instant_across_offsets(engine):
    await engine.create_table(TypValue)
    early = dt.datetime(2024, 1, 1, 20, 0, tzinfo=TOKYO)  # 11:00 UTC
    late = dt.datetime(2024, 1, 1, 7, 0, tzinfo=NEW_YORK_WINTER)  # 12:00 UTC
    await TypValue.create(s="late", at=late)
    await TypValue.create(s="early", at=early)
    ordered = await TypValue.all().order_by(TypValue.at)
    assert [r.s for r in ordered] == ["early", "late"]
    match = await TypValue.where(TypValue.at == dt.datetime(2024, 1, 1, 11, 0, tzinfo=UTC))
    assert [r.s for r in match] == ["early"]
    after = await TypValue.where(TypValue.at > dt.datetime(2024, 1, 1, 11, 30))
    assert [r.s for r in after] == ["late"]


async def test_decimal_keeps_its_type_and_scale(engine):
    await engine.create_table(TypValue)
    _, a = await roundtrip(money=Decimal("12.3"), rate=Decimal("0.0001"))
    _, b = await roundtrip(money=Decimal("-99999999.99"), rate=Decimal("12345678901.2345"))
    _, c = await roundtrip(money=7, rate="3.5")
    assert type(a.money) is Decimal and str(a.money) == "12.30"
    assert str(a.rate) == "0.0001"
    assert str(b.money) == "-99999999.99"
    assert str(b.rate) == "12345678901.2345"
    assert (str(c.money), str(c.rate)) == ("7.00", "3.5000")


async def test_decimal_is_quantized_on_the_instance_as_in_the_row(engine):
    await engine.create_table(TypValue)
    row, fresh = await roundtrip(money=Decimal("1.5"))
    assert str(row.money) == str(fresh.money) == "1.50"
    assert await TypValue.where(TypValue.money == Decimal("1.50")).count() == 1


async def test_bool_comes_back_as_bool(engine):
    await engine.create_table(TypValue)
    _, t = await roundtrip(b=True)
    _, f = await roundtrip(b=False)
    assert (t.b, f.b) == (True, False)
    assert type(t.b) is bool and type(f.b) is bool
    assert [r.id for r in await TypValue.where(TypValue.b == True)] == [t.id]  # noqa: E712


async def test_date_comes_back_as_date_not_datetime(engine):
    await engine.create_table(TypValue)
    _, fresh = await roundtrip(day=dt.date(1999, 12, 31))
    assert fresh.day == dt.date(1999, 12, 31)
    assert type(fresh.day) is dt.date
    assert await TypValue.where(TypValue.day < dt.date(2000, 1, 1)).count() == 1


async def test_time_comes_back_as_time_with_microseconds(engine):
    await engine.create_table(TypValue)
    _, fresh = await roundtrip(tm=dt.time(13, 45, 30, 123456))
    assert fresh.tm == dt.time(13, 45, 30, 123456)
    assert type(fresh.tm) is dt.time


async def test_integers_and_floats_round_trip_exactly(engine):
    await engine.create_table(TypValue)
    _, big = await roundtrip(i=2**62, f=0.1 + 0.2)
    _, neg = await roundtrip(i=-(2**62), f=-1.5e-300)
    _, zero = await roundtrip(i=0, f=3)
    assert (big.i, neg.i, zero.i) == (2**62, -(2**62), 0)
    assert (big.f, neg.f, zero.f) == (0.1 + 0.2, -1.5e-300, 3.0)
    assert type(zero.f) is float and type(zero.i) is int


@pytest.mark.parametrize(
    "text",
    [
        "naïve café — 日本語テキスト",
        "emoji 🎉👍🏽👩‍👩‍👧 flags 🇯🇵",
        "quotes ' \" ` and backslash \\ and newline\nand tab\t",
        "",
    ],
    ids=["accents-cjk", "emoji", "punctuation", "empty"],
)
async def test_text_round_trips_unchanged(engine, text):
    await engine.create_table(TypValue)
    _, fresh = await roundtrip(s=text, v=text[:40])
    assert fresh.s == text
    assert fresh.v == text[:40]
    assert [r.s for r in await TypValue.where(TypValue.s == text)] == [text]


async def test_none_round_trips_for_every_nullable_type(engine):
    await engine.create_table(TypValue)
    row = await TypValue.create()
    fresh = await TypValue.get(TypValue.id == row.id)
    assert fresh.to_dict() == {"id": row.id, **{n: None for n in TypValue._meta.names if n != "id"}}


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("i", "5", "TypValue.i is a IntColumn and takes an int, not str"),
        ("i", True, "takes an int, not bool"),
        ("s", 5, "takes a str, not int"),
        ("day", dt.datetime(2024, 1, 1), "takes a date, not a datetime"),
        ("at", dt.date(2024, 1, 1), "takes a datetime, not date"),
        ("money", 1.5, "takes a Decimal (or int or numeric str), not float"),
        ("money", "a lot", "TypValue.money"),
    ],
)
async def test_a_value_of_the_wrong_type_is_rejected_before_anything_is_sent(engine, field, value, fragment):
    await engine.create_table(TypValue)
    with pytest.raises(TypeError) as info:
        await TypValue.create(**{field: value})
    assert fragment in str(info.value)
    assert await TypValue.count() == 0
