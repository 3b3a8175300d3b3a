"""Column arithmetic and CASE in select(), where(), order_by() and update(), on every
backend, including the division rules (integer / integer truncates toward zero)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kakaorm import (
    Case,
    DataError,
    DecimalColumn,
    FloatColumn,
    IntColumn,
    Model,
    StrColumn,
    When,
)


class AdvEItem(Model):
    name = StrColumn(nullable=False, max_length=20)
    qty = IntColumn(nullable=False)
    step = IntColumn(nullable=False)
    ratio = FloatColumn(nullable=False)
    price = DecimalColumn(max_digits=10, decimal_places=2, nullable=False)
    tier = StrColumn(max_length=20)


ITEMS = [
    ("a", 7, 2, 0.5, "10.25"),
    ("b", -7, 2, 1.5, "3.00"),
    ("c", 10, 3, 2.0, "0.10"),
    ("d", 0, 4, 0.25, "100.00"),
]

I = AdvEItem  # noqa: E741 - a one-letter alias keeps the expression tables below readable


async def seed(engine):
    await engine.create_table(AdvEItem)
    for name, qty, step, ratio, price in ITEMS:
        await I.create(name=name, qty=qty, step=step, ratio=ratio, price=Decimal(price))


def ordered(*columns):
    return I.all().select(I.name, *columns).order_by(I.id)


async def test_integer_arithmetic_in_select_gives_ints(engine):
    await seed(engine)
    rows = await ordered(
        (I.qty + 1).label("plus"),
        (I.qty - I.step).label("minus"),
        (I.qty * I.step).label("times"),
        (100 - I.qty).label("from_100"),
        (2 * I.qty + I.step).label("mixed"),
    )
    assert [tuple(r.values()) for r in rows] == [
        ("a", 8, 5, 14, 93, 16),
        ("b", -6, -9, -14, 107, -12),
        ("c", 11, 7, 30, 90, 23),
        ("d", 1, -4, 0, 100, 4),
    ]
    assert all(type(v) is int for r in rows for k, v in r.items() if k != "name")


async def test_integer_divided_by_integer_truncates_toward_zero_on_every_backend(engine):
    await seed(engine)
    rows = await ordered((I.qty / I.step).label("q"), (I.qty / 2).label("half"), (I.qty / -4).label("neg"))
    # -7 / 2 is -3 (toward zero), not -4 (floor) nor -3.5
    assert [(r["name"], r["q"], r["half"], r["neg"]) for r in rows] == [
        ("a", 3, 3, -1), ("b", -3, -3, 1), ("c", 3, 5, -2), ("d", 0, 0, 0),
    ]
    assert all(type(r[k]) is int for r in rows for k in ("q", "half", "neg"))


async def test_a_float_operand_makes_the_division_exact_and_the_result_a_float(engine):
    await seed(engine)
    rows = await ordered(
        (I.qty / 2.0).label("half"), (I.qty * I.ratio).label("scaled"), (I.ratio / I.step).label("per_step")
    )
    assert [(r["half"], r["scaled"], r["per_step"]) for r in rows] == [
        (3.5, 3.5, 0.25), (-3.5, -10.5, 0.75), (5.0, 20.0, 2.0 / 3), (0.0, 0.0, 0.0625),
    ]
    assert all(type(r[k]) is float for r in rows for k in ("half", "scaled", "per_step"))


async def test_decimal_arithmetic_gives_decimals_with_a_fixed_scale_everywhere(engine):
    await seed(engine)
    rows = await I.where(I.name != "d").select(
        I.name,
        (I.price * 3).label("triple"),
        (I.price + I.qty).label("plus_qty"),
        (I.price - Decimal("0.005")).label("less"),
        (I.price * Decimal("1.5")).label("times"),
        (I.price / 3).label("third"),
    ).order_by(I.id)
    assert [
        (str(r["triple"]), str(r["plus_qty"]), str(r["less"]), str(r["times"]), str(r["third"])) for r in rows
    ] == [
        ("30.75", "17.25", "10.245", "15.375", "3.416667"),
        ("9.00", "-4.00", "2.995", "4.500", "1.000000"),
        ("0.30", "10.10", "0.095", "0.150", "0.033333"),
    ]
    assert all(type(r[k]) is Decimal for r in rows for k in r if k != "name")


async def test_a_decimal_holding_a_whole_number_divides_exactly(engine):
    await seed(engine)
    rows = await I.where(I.name == "d").select(
        (I.price / 3).label("third"), (I.price / I.step).label("quarter"), (I.price / Decimal("8")).label("eighth")
    )
    # 100.00 / 3: a decimal division, not an integer one, although the value is whole
    assert [{k: str(v) for k, v in r.items()} for r in rows] == [
        {"third": "33.333333", "quarter": "25.000000", "eighth": "12.500000"}
    ]


async def test_a_float_constant_added_to_an_integer_column_is_not_truncated(engine):
    await seed(engine)
    rows = await ordered((I.qty + 0.5).label("up"), (0.5 - I.qty).label("down"))
    assert [(r["up"], r["down"]) for r in rows] == [(7.5, -6.5), (-6.5, 7.5), (10.5, -9.5), (0.5, 0.5)]
    assert all(type(r["up"]) is float and type(r["down"]) is float for r in rows)


async def test_a_decimal_times_a_float_is_a_float(engine):
    await seed(engine)
    rows = await ordered((I.price * 0.5).label("half"))
    assert [r["half"] for r in rows] == [5.125, 1.5, 0.05, 50.0]
    assert all(type(r["half"]) is float for r in rows)


async def test_division_by_zero_is_null_on_sqlite_and_mysql_and_an_error_on_postgres(engine, backend):
    await seed(engine)
    qs = I.where(I.name == "a").select((I.qty / 0).label("q"))
    if backend.family == "postgres":
        with pytest.raises(DataError, match="division by zero"):
            await qs
    else:
        assert await qs == [{"q": None}]


async def test_arithmetic_in_where_and_order_by(engine):
    await seed(engine)
    assert [i.name for i in await I.where(I.qty * 2 > 10).order_by(I.id)] == ["a", "c"]
    # 7 / 2 and 10 / 3 both truncate to 3
    assert [i.name for i in await I.where(I.qty / I.step == 3).order_by(I.id)] == ["a", "c"]
    # qty - step * 3: a 1, b -13, c 1, d -12
    assert [i.name for i in await I.all().order_by((I.qty - I.step * 3).desc, I.id)] == ["a", "c", "d", "b"]


async def test_update_with_column_arithmetic(engine):
    await seed(engine)
    assert await I.all().update(qty=I.qty + 1) == 4
    assert [i.qty for i in await I.all().order_by(I.id)] == [8, -6, 11, 1]
    assert await I.where(I.qty > 0).update(qty=I.qty * I.step - 1, ratio=I.ratio * 2) == 3
    rows = await I.all().order_by(I.id)
    assert [(i.qty, i.ratio) for i in rows] == [(15, 1.0), (-6, 1.5), (32, 4.0), (3, 0.5)]
    assert all(type(i.qty) is int and type(i.ratio) is float for i in rows)


async def test_update_with_integer_division_truncates_toward_zero(engine):
    await seed(engine)
    assert await I.all().update(qty=I.qty / 2) == 4
    assert [i.qty for i in await I.all().order_by(I.id)] == [3, -3, 5, 0]


async def test_update_a_decimal_column_by_a_float_factor(engine):
    await seed(engine)
    await I.all().update(price=I.price * 0.97)
    rows = await I.all().order_by(I.id)
    # 10.25 * 0.97 = 9.9425 and 0.10 * 0.97 = 0.097 are stored rounded to 2 places
    assert [str(i.price) for i in rows] == ["9.94", "2.91", "0.10", "97.00"]
    assert all(type(i.price) is Decimal for i in rows)


async def test_case_in_select(engine):
    await seed(engine)
    rows = await ordered(
        Case(When(I.qty >= 7, then="hi"), When(I.qty >= 0, then="mid"), default="lo").label("band"),
        Case(When(I.ratio > 1, then=I.qty), default=0).label("big_qty"),
        Case(When(I.name == "a", then=1)).label("only_a"),
    )
    assert rows == [
        {"name": "a", "band": "hi", "big_qty": 0, "only_a": 1},
        {"name": "b", "band": "lo", "big_qty": -7, "only_a": None},
        {"name": "c", "band": "hi", "big_qty": 10, "only_a": None},
        {"name": "d", "band": "mid", "big_qty": 0, "only_a": None},
    ]
    assert type(rows[1]["big_qty"]) is int and type(rows[0]["only_a"]) is int


async def test_case_with_decimal_results_keeps_the_decimal_type(engine):
    await seed(engine)
    rows = await ordered(Case(When(I.qty > 0, then=I.price), default=Decimal("0.00")).label("paid"))
    assert [r["paid"] for r in rows] == [Decimal("10.25"), Decimal("0.00"), Decimal("0.10"), Decimal("0.00")]
    assert all(type(r["paid"]) is Decimal for r in rows)


async def test_case_in_update(engine):
    await seed(engine)
    changed = await I.all().update(
        tier=Case(
            When(I.price >= Decimal("10"), then="premium"),
            When(I.price >= Decimal("1"), then="standard"),
            default="budget",
        )
    )
    assert changed == 4
    assert [(i.name, i.tier) for i in await I.all().order_by(I.id)] == [
        ("a", "premium"), ("b", "standard"), ("c", "budget"), ("d", "premium"),
    ]


async def test_case_in_update_with_a_column_as_the_default(engine):
    await seed(engine)
    assert await I.all().update(qty=Case(When(I.qty < 0, then=0), default=I.qty)) == 4
    assert [i.qty for i in await I.all().order_by(I.id)] == [7, 0, 10, 0]


async def test_case_in_where_and_order_by(engine):
    await seed(engine)
    band = Case(When(I.qty >= 7, then="hi"), default="lo")
    assert [i.name for i in await I.where(band == "hi").order_by(I.id)] == ["a", "c"]
    first_d = Case(When(I.name == "d", then=0), default=1)
    assert [i.name for i in await I.all().order_by(first_d, I.id)] == ["d", "a", "b", "c"]


async def test_an_exact_quotient_of_two_integer_columns_through_a_float_factor(engine):
    await seed(engine)
    rows = await ordered((I.qty * 1.0 / I.step).label("exact"))
    assert [r["exact"] for r in rows] == [3.5, -3.5, 10 / 3, 0.0]
    assert all(type(r["exact"]) is float for r in rows)
