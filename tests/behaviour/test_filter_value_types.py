"""Filter values are checked against their column's type, by the rule create() uses.

A value of the wrong type is a TypeError while the query is built, on every backend:
MySQL would otherwise compare ``n = 'abc'`` as ``n = 0`` and ``n = '7abc'`` as ``n = 7``.
What create() converts (an int for a float column, a numeric str for a decimal
column, a naive datetime read as UTC) a filter converts the same way.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import kakaorm
from kakaorm import (
    BoolColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    IntColumn,
    Model,
    StrColumn,
    Subquery,
    Sum,
)


class FvRow(Model):
    n = IntColumn(nullable=False)
    label = StrColumn()
    ratio = FloatColumn()
    price = DecimalColumn(max_digits=10, decimal_places=2)
    flag = BoolColumn()
    day = DateColumn()
    at = DateTimeColumn()


class FvCopy(Model):
    n = IntColumn(nullable=False)
    label = StrColumn()


UTC = dt.UTC


async def seed(engine):
    await engine.create_table(FvRow, FvCopy)
    await FvRow.create(n=0, label="zero", ratio=0.5, price=Decimal("1.00"), flag=False,
                       day=dt.date(2024, 1, 1), at=dt.datetime(2024, 1, 1, 12, tzinfo=UTC))
    await FvRow.create(n=7, label="seven", ratio=2.0, price=Decimal("1.01"), flag=True,
                       day=dt.date(2024, 6, 1), at=dt.datetime(2024, 6, 1, 12, tzinfo=UTC))
    await FvRow.create(n=12, label="twelve", ratio=None, price=None, flag=None, day=None, at=None)


async def labels(qs):
    return sorted(r.label for r in await qs)


INT_MESSAGE = "FvRow.n is a IntColumn and takes an int, not str ({!r})"

WRONG_FOR_N = [
    ("==", lambda v: FvRow.n == v),
    ("!=", lambda v: FvRow.n != v),
    ("<", lambda v: FvRow.n < v),
    ("<=", lambda v: FvRow.n <= v),
    (">", lambda v: FvRow.n > v),
    (">=", lambda v: FvRow.n >= v),
    ("in_", lambda v: FvRow.n.in_([1, v])),
    ("not_in", lambda v: FvRow.n.not_in([v])),
    ("between low", lambda v: FvRow.n.between(v, 10)),
    ("between high", lambda v: FvRow.n.between(0, v)),
]


@pytest.mark.parametrize("value", ["abc", "7abc", "7"])
@pytest.mark.parametrize("op, build", WRONG_FOR_N, ids=[w[0] for w in WRONG_FOR_N])
async def test_a_str_compared_with_an_int_column_is_a_type_error_before_any_sql(engine, sql_log, op, build, value):
    await seed(engine)
    sql_log.clear()
    with pytest.raises(TypeError) as info:
        await FvRow.where(build(value))
    assert str(info.value) == INT_MESSAGE.format(value)
    assert sql_log.count == 0


async def test_a_wrong_value_in_the_statements_that_filter_is_refused_before_any_sql(engine, sql_log):
    await seed(engine)
    sql_log.clear()
    message = INT_MESSAGE.format("abc")
    with pytest.raises(TypeError) as info:
        await FvRow.where(FvRow.label == "zero").update(n="abc")
    assert str(info.value) == message
    with pytest.raises(TypeError) as info:
        await FvRow.where(FvRow.n == "abc").delete()
    assert str(info.value) == message
    with pytest.raises(TypeError) as info:
        await FvRow.all().exclude(FvRow.n > "abc").count()
    assert str(info.value) == message
    with pytest.raises(TypeError) as info:
        await FvRow.all().insert_into(FvCopy, n="abc", label=FvRow.label)
    assert str(info.value) == "FvCopy.n is a IntColumn and takes an int, not str ('abc')"
    assert sql_log.count == 0
    assert [(r.n, r.label) for r in await FvRow.all().order_by(FvRow.n)] == [
        (0, "zero"), (7, "seven"), (12, "twelve"),
    ]
    assert await FvCopy.count() == 0


WRONG_VALUES = [
    (lambda: FvRow.label == 7, "FvRow.label is a StrColumn and takes a str, not int (7)"),
    (lambda: FvRow.n == 7.0, "FvRow.n is a IntColumn and takes an int, not float (7.0)"),
    (lambda: FvRow.n == True, "FvRow.n is a IntColumn and takes an int, not bool (True)"),  # noqa: E712
    (lambda: FvRow.ratio < "0.5", "FvRow.ratio is a FloatColumn and takes a float (or int), not str ('0.5')"),
    (lambda: FvRow.price > 1.5,
     "FvRow.price is a DecimalColumn and takes a Decimal (or int or numeric str), not float (1.5)"),
    (lambda: FvRow.price > "1.5x",
     "FvRow.price is a DecimalColumn and takes a Decimal (or int or numeric str); '1.5x' is not a number: "
     "pass e.g. Decimal('12.50')"),
    (lambda: FvRow.flag == 1, "FvRow.flag is a BoolColumn and takes a bool, not int (1)"),
    (lambda: FvRow.day >= "2024-01-01", "FvRow.day is a DateColumn and takes a date, not str ('2024-01-01')"),
    (lambda: FvRow.day == dt.datetime(2024, 1, 1), "FvRow.day is a DateColumn and takes a date, not a datetime"),
    (lambda: FvRow.at < dt.date(2024, 1, 1),
     "FvRow.at is a DateTimeColumn and takes a datetime, not date (datetime.date(2024, 1, 1))"),
]


@pytest.mark.parametrize("build, message", WRONG_VALUES, ids=[m for _, m in WRONG_VALUES])
async def test_a_value_create_refuses_is_refused_in_a_filter_with_the_same_message(engine, sql_log, build, message):
    await seed(engine)
    sql_log.clear()
    with pytest.raises(TypeError) as info:
        await FvRow.where(build())
    assert str(info.value) == message
    assert sql_log.count == 0


NULL_ORDERINGS = [
    ("<", lambda: FvRow.n < None),
    ("<=", lambda: FvRow.n <= None),
    (">", lambda: FvRow.n > None),
    (">=", lambda: FvRow.n >= None),
]


@pytest.mark.parametrize("op, build", NULL_ORDERINGS, ids=[o for o, _ in NULL_ORDERINGS])
async def test_ordering_against_none_is_an_error_pointing_to_is_null(engine, op, build):
    await seed(engine)
    with pytest.raises(TypeError) as info:
        await FvRow.where(build())
    assert str(info.value) == (
        f"FvRow.n {op} None is never true (NULL is not ordered): to find the rows where "
        "FvRow.n is NULL write FvRow.n == None or FvRow.n.is_null()"
    )


@pytest.mark.parametrize(
    "build, call",
    [
        (lambda: FvRow.n.between(None, 3), "between()"),
        (lambda: FvRow.n.between(3, None), "between()"),
        (lambda: FvRow.n.in_([0, None]), "in_()"),
        (lambda: FvRow.n.not_in([None]), "not_in()"),
    ],
    ids=["between-low", "between-high", "in", "not_in"],
)
async def test_none_inside_between_or_in_is_an_error_pointing_to_is_null(engine, build, call):
    await seed(engine)
    with pytest.raises(TypeError) as info:
        await FvRow.where(build())
    assert str(info.value) == (
        f"{call} of FvRow.n got None, which never matches (NULL equals nothing): to find the "
        "rows where FvRow.n is NULL add | FvRow.n.is_null(), or write FvRow.n == None"
    )


async def test_none_equality_still_means_is_null(engine):
    await seed(engine)
    assert await labels(FvRow.where(FvRow.price == None)) == ["twelve"]  # noqa: E711
    assert await labels(FvRow.where(FvRow.price != None)) == ["seven", "zero"]  # noqa: E711


async def test_values_create_converts_are_converted_the_same_way_in_filters(engine):
    await seed(engine)
    # an int for a float column
    assert await labels(FvRow.where(FvRow.ratio == 2)) == ["seven"]
    assert await labels(FvRow.where(FvRow.ratio.between(0, 1))) == ["zero"]
    # an int and a numeric str for a decimal column
    assert await labels(FvRow.where(FvRow.price == 1)) == ["zero"]
    assert await labels(FvRow.where(FvRow.price == "1.01")) == ["seven"]
    assert await labels(FvRow.where(FvRow.price.in_(["1.00", Decimal("1.01")]))) == ["seven", "zero"]
    # a naive datetime is UTC, an aware one is compared as the instant it is
    assert await labels(FvRow.where(FvRow.at == dt.datetime(2024, 1, 1, 12))) == ["zero"]
    paris = dt.timezone(dt.timedelta(hours=2))
    assert await labels(FvRow.where(FvRow.at == dt.datetime(2024, 6, 1, 14, tzinfo=paris))) == ["seven"]
    assert await labels(FvRow.where(FvRow.day < dt.date(2024, 3, 1))) == ["zero"]
    assert await labels(FvRow.where(FvRow.flag == True)) == ["seven"]  # noqa: E712


async def test_a_decimal_filter_value_is_compared_as_written_not_rounded_to_the_column(engine):
    await seed(engine)
    # rounded to the column's 2 places, 1.005 would be 1.00 and match the first row
    assert await labels(FvRow.where(FvRow.price >= Decimal("1.005"))) == ["seven"]
    assert await labels(FvRow.where(FvRow.price == "1.001")) == []
    assert await labels(FvRow.where(FvRow.price < "1.009")) == ["zero"]


async def test_the_reported_mysql_coercions_match_nothing_they_should_not(engine):
    # n = 'abc' matched n = 0 and n = '7abc' matched 7 on MySQL; now the values are
    # refused, and the right spellings match exactly
    await seed(engine)
    assert await labels(FvRow.where(FvRow.n == 0)) == ["zero"]
    assert await labels(FvRow.where(FvRow.n == 7)) == ["seven"]
    assert await labels(FvRow.where(FvRow.label == "7")) == []
    with pytest.raises(TypeError):
        FvRow.n == "7abc"  # noqa: B015


async def test_columns_expressions_subqueries_and_raw_sql_are_still_accepted(engine):
    await seed(engine)
    await FvCopy.create(n=7, label="copy")
    assert await labels(FvRow.where(FvRow.n == FvRow.n)) == ["seven", "twelve", "zero"]
    assert await labels(FvRow.where(FvRow.n > FvRow.n - 1)) == ["seven", "twelve", "zero"]
    assert await labels(FvRow.where((FvRow.n + 1) == 8)) == ["seven"]
    assert await labels(FvRow.where(FvRow.n.between(FvRow.n, FvRow.n + 1))) == ["seven", "twelve", "zero"]
    assert await labels(FvRow.where(FvRow.n.in_([FvRow.n - 0, 99]))) == ["seven", "twelve", "zero"]
    assert await labels(FvRow.where(FvRow.n.in_(FvCopy.all().select(FvCopy.n)))) == ["seven"]
    assert await labels(FvRow.where(FvRow.n == Subquery(FvCopy.all().select(FvCopy.n)))) == ["seven"]
    assert await labels(FvRow.where(FvRow.n > kakaorm.raw("6"))) == ["seven", "twelve"]
    assert await labels(FvRow.where(FvRow.label == kakaorm.raw("'zero'"))) == ["zero"]
    rows = await FvRow.all().group_by(FvRow.flag).having(Sum(FvRow.n) > 6).select(FvRow.flag)
    assert sorted(rows, key=lambda r: str(r["flag"])) == [{"flag": None}, {"flag": True}]


async def test_a_wrong_value_against_an_aggregate_is_refused_like_against_a_column(engine, sql_log):
    await seed(engine)
    sql_log.clear()
    with pytest.raises(TypeError) as info:
        await FvRow.all().group_by(FvRow.flag).having(Sum(FvRow.n) > "6").select(FvRow.flag)
    assert str(info.value) == "<Sum SUM(fv_row.n)> is of type int and takes an int, not str ('6')"
    assert sql_log.count == 0
