"""count/sum/avg/max/min and aggregate() with exact values and Python types."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kakaorm import (
    Avg,
    Count,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    IntColumn,
    Max,
    Min,
    Model,
    QueryError,
    StrColumn,
    Sum,
)

UTC = dt.UTC


class AggSale(Model):
    region = StrColumn(nullable=False, max_length=20)
    units = IntColumn(nullable=False)
    weight = FloatColumn()
    amount = DecimalColumn(max_digits=12, decimal_places=2, nullable=False)
    sold_at = DateTimeColumn()


SALES = [
    ("north", 3, 1.5, "10.25", dt.datetime(2024, 1, 5, 10, 0, tzinfo=UTC)),
    ("north", 7, None, "0.75", dt.datetime(2024, 2, 1, 9, 30, tzinfo=UTC)),
    ("south", 10, 2.25, "100.00", dt.datetime(2023, 12, 24, 18, 0, tzinfo=UTC)),
    ("east", 4, 0.25, "5.10", None),
]


async def seed(engine):
    await engine.create_table(AggSale)
    for region, units, weight, amount, sold_at in SALES:
        await AggSale.create(region=region, units=units, weight=weight, amount=Decimal(amount), sold_at=sold_at)


async def test_sum_of_an_integer_column_is_an_int(engine):
    await seed(engine)
    total = await AggSale.all().sum(AggSale.units)
    assert total == 24 and type(total) is int
    north = await AggSale.where(AggSale.region == "north").sum(AggSale.units)
    assert north == 10 and type(north) is int


async def test_sum_of_a_decimal_column_is_a_decimal_with_its_scale(engine):
    await seed(engine)
    total = await AggSale.all().sum(AggSale.amount)
    assert type(total) is Decimal
    assert str(total) == "116.10"


async def test_sum_of_a_float_column_is_a_float_ignoring_nulls(engine):
    await seed(engine)
    total = await AggSale.all().sum(AggSale.weight)
    assert total == 4.0 and type(total) is float


async def test_avg_is_a_float_for_numbers_and_decimal_for_decimals(engine):
    await seed(engine)
    units = await AggSale.all().avg(AggSale.units)
    assert units == 6.0 and type(units) is float
    weight = await AggSale.all().avg(AggSale.weight)
    assert weight == pytest.approx(4.0 / 3) and type(weight) is float
    amount = await AggSale.where(AggSale.region == "north").avg(AggSale.amount)
    assert type(amount) is Decimal and amount == Decimal("5.5")


async def test_max_and_min_keep_the_column_type(engine):
    await seed(engine)
    assert await AggSale.all().max(AggSale.units) == 10
    assert await AggSale.all().min(AggSale.units) == 3
    assert await AggSale.all().min(AggSale.region) == "east"
    latest = await AggSale.all().max(AggSale.sold_at)
    earliest = await AggSale.all().min(AggSale.sold_at)
    assert latest == dt.datetime(2024, 2, 1, 9, 30, tzinfo=UTC) and latest.tzinfo is not None
    assert earliest == dt.datetime(2023, 12, 24, 18, 0, tzinfo=UTC)
    top = await AggSale.all().max(AggSale.amount)
    assert type(top) is Decimal and str(top) == "100.00"


async def test_aggregates_of_no_rows_are_none_and_count_is_zero(engine):
    await seed(engine)
    empty = AggSale.where(AggSale.units > 1000)
    assert await empty.count() == 0
    assert await empty.sum(AggSale.units) is None
    assert await empty.avg(AggSale.units) is None
    assert await empty.max(AggSale.amount) is None
    assert await empty.min(AggSale.sold_at) is None


async def test_aggregate_returns_several_named_values_in_one_query(engine, sql_log):
    await seed(engine)
    sql_log.clear()
    stats = await AggSale.where(AggSale.region != "south").aggregate(
        total=Sum(AggSale.units),
        mean=Avg(AggSale.units),
        top=Max(AggSale.units),
        low=Min(AggSale.amount),
        n=Count(AggSale.id),
        rows=Count(),
        weighed=Count(AggSale.weight),
    )
    assert stats == {
        "total": 14, "mean": pytest.approx(14 / 3), "top": 7, "low": Decimal("0.75"),
        "n": 3, "rows": 3, "weighed": 2,
    }
    assert [type(stats[k]) for k in ("total", "mean", "top", "low", "n")] == [int, float, int, Decimal, int]
    assert sql_log.count == 1


async def test_aggregate_of_no_rows(engine):
    await seed(engine)
    stats = await AggSale.where(AggSale.region == "west").aggregate(n=Count(), total=Sum(AggSale.units))
    assert stats == {"n": 0, "total": None}


async def test_aggregate_rejects_plain_columns(engine):
    await seed(engine)
    with pytest.raises(TypeError, match=r"aggregate\(units=\.\.\.\) takes an aggregate"):
        await AggSale.all().aggregate(units=AggSale.units)


@pytest.mark.parametrize(
    "shape",
    [
        lambda qs: qs.order_by(AggSale.units).limit(2),
        lambda qs: qs.offset(1),
        lambda qs: qs.group_by(AggSale.region),
    ],
    ids=["limit", "offset", "group_by"],
)
async def test_aggregates_refuse_what_they_would_silently_ignore(engine, shape):
    await seed(engine)
    qs = shape(AggSale.all())
    with pytest.raises(QueryError, match="apply where\\(\\) filters only"):
        await qs.sum(AggSale.units)
    with pytest.raises(QueryError, match="limit/offset/group_by"):
        await qs.aggregate(n=Count())


async def test_grouped_select_with_aggregates(engine):
    await seed(engine)
    rows = await (
        AggSale.all()
        .select(AggSale.region, Count(AggSale.id).label("n"), Sum(AggSale.units).label("units"))
        .group_by(AggSale.region)
        .order_by(AggSale.region)
    )
    assert rows == [
        {"region": "east", "n": 1, "units": 4},
        {"region": "north", "n": 2, "units": 10},
        {"region": "south", "n": 1, "units": 10},
    ]
    busy = await (
        AggSale.all()
        .select(AggSale.region, Count(AggSale.id).label("n"))
        .group_by(AggSale.region)
        .having(Count(AggSale.id) >= 2)
    )
    assert busy == [{"region": "north", "n": 2}]
