"""Aggregates in select() with group_by/having/order_by on every backend, with the
same Python result types everywhere (COUNT int, SUM of ints int, AVG float or
Decimal, MAX/MIN the column's type)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kakaorm import (
    Avg,
    Case,
    Count,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    IntColumn,
    Max,
    Min,
    Model,
    StrColumn,
    Sum,
    When,
)

UTC = dt.UTC


class AdvGSale(Model):
    region = StrColumn(nullable=False, max_length=20)
    units = IntColumn(nullable=False)
    weight = FloatColumn(nullable=False)
    amount = DecimalColumn(max_digits=12, decimal_places=2, nullable=False)
    sold_on = DateColumn(nullable=False)
    sold_at = DateTimeColumn(nullable=False)


SALES = [
    ("north", 3, 1.5, "10.25", dt.date(2024, 1, 5), dt.datetime(2024, 1, 5, 10, 0, tzinfo=UTC)),
    ("north", 7, 2.5, "0.75", dt.date(2024, 2, 1), dt.datetime(2024, 2, 1, 9, 30, 0, 250000, tzinfo=UTC)),
    ("north", 5, 0.5, "5.10", dt.date(2023, 11, 30), dt.datetime(2023, 11, 30, 23, 59, tzinfo=UTC)),
    ("south", 10, 2.0, "100.00", dt.date(2023, 12, 24), dt.datetime(2023, 12, 24, 18, 0, tzinfo=UTC)),
    ("east", 4, 0.25, "1.00", dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 8, 0, tzinfo=UTC)),
    ("east", 6, 0.75, "2.00", dt.date(2024, 3, 2), dt.datetime(2024, 3, 2, 8, 0, tzinfo=UTC)),
]


async def seed(engine):
    await engine.create_table(AdvGSale)
    for region, units, weight, amount, sold_on, sold_at in SALES:
        await AdvGSale.create(
            region=region, units=units, weight=weight, amount=Decimal(amount),
            sold_on=sold_on, sold_at=sold_at,
        )


async def test_group_by_with_every_aggregate_gives_exact_values_and_types(engine):
    await seed(engine)
    S = AdvGSale
    rows = await (
        S.all()
        .select(
            S.region,
            Count().label("n"),
            Sum(S.units).label("units"),
            Avg(S.units).label("avg_units"),
            Sum(S.weight).label("weight"),
            Sum(S.amount).label("amount"),
            Max(S.units).label("max_units"),
            Min(S.region).label("min_region"),
            Max(S.amount).label("max_amount"),
            Min(S.sold_on).label("first_day"),
            Max(S.sold_at).label("last_at"),
        )
        .group_by(S.region)
        .order_by(S.region)
    )
    assert rows == [
        {
            "region": "east", "n": 2, "units": 10, "avg_units": 5.0, "weight": 1.0,
            "amount": Decimal("3.00"), "max_units": 6, "min_region": "east",
            "max_amount": Decimal("2.00"), "first_day": dt.date(2024, 3, 1),
            "last_at": dt.datetime(2024, 3, 2, 8, 0, tzinfo=UTC),
        },
        {
            "region": "north", "n": 3, "units": 15, "avg_units": 5.0, "weight": 4.5,
            "amount": Decimal("16.10"), "max_units": 7, "min_region": "north",
            "max_amount": Decimal("10.25"), "first_day": dt.date(2023, 11, 30),
            "last_at": dt.datetime(2024, 2, 1, 9, 30, 0, 250000, tzinfo=UTC),
        },
        {
            "region": "south", "n": 1, "units": 10, "avg_units": 10.0, "weight": 2.0,
            "amount": Decimal("100.00"), "max_units": 10, "min_region": "south",
            "max_amount": Decimal("100.00"), "first_day": dt.date(2023, 12, 24),
            "last_at": dt.datetime(2023, 12, 24, 18, 0, tzinfo=UTC),
        },
    ]
    expected_types = {
        "region": str, "n": int, "units": int, "avg_units": float, "weight": float,
        "amount": Decimal, "max_units": int, "min_region": str, "max_amount": Decimal,
        "first_day": dt.date, "last_at": dt.datetime,
    }
    for row in rows:
        assert {k: type(v) for k, v in row.items()} == expected_types
        assert row["last_at"].utcoffset() == dt.timedelta(0)
        # a Decimal sum keeps the column's scale on every backend
        assert str(row["amount"]) == {"east": "3.00", "north": "16.10", "south": "100.00"}[row["region"]]


async def test_avg_of_a_decimal_column_has_the_scale_plus_four_digits_everywhere(engine):
    await seed(engine)
    rows = await (
        AdvGSale.all()
        .select(AdvGSale.region, Avg(AdvGSale.amount).label("mean"))
        .group_by(AdvGSale.region)
        .order_by(AdvGSale.region)
    )
    # 16.10 / 3 = 5.3666..., rounded to 2 + 4 decimal places
    assert [(r["region"], str(r["mean"])) for r in rows] == [
        ("east", "1.500000"), ("north", "5.366667"), ("south", "100.000000"),
    ]
    assert all(type(r["mean"]) is Decimal for r in rows)


async def test_avg_of_an_integer_column_is_a_float_even_when_not_whole(engine):
    await seed(engine)
    rows = await (
        AdvGSale.where(AdvGSale.units != 5)
        .select(AdvGSale.region, Avg(AdvGSale.units).label("mean"), Avg(AdvGSale.weight).label("w"))
        .group_by(AdvGSale.region)
        .order_by(AdvGSale.region)
    )
    assert rows == [
        {"region": "east", "mean": 5.0, "w": 0.5},
        {"region": "north", "mean": 5.0, "w": 2.0},
        {"region": "south", "mean": 10.0, "w": 2.0},
    ]
    one = await AdvGSale.where(AdvGSale.region == "north", AdvGSale.units > 3).select(
        Avg(AdvGSale.units).label("mean")
    )
    assert one == [{"mean": 6.0}] and type(one[0]["mean"]) is float
    odd = await AdvGSale.where(AdvGSale.units < 5).select(Avg(AdvGSale.units).label("mean"))
    assert odd == [{"mean": 3.5}] and type(odd[0]["mean"]) is float


async def test_having_filters_groups_by_an_aggregate_comparison(engine):
    await seed(engine)
    rows = await (
        AdvGSale.all()
        .select(AdvGSale.region, Count(AdvGSale.id).label("cnt"))
        .group_by(AdvGSale.region)
        .having(Count(AdvGSale.id) >= 2)
        .order_by(AdvGSale.region)
    )
    assert rows == [{"region": "east", "cnt": 2}, {"region": "north", "cnt": 3}]


async def test_chained_having_calls_are_joined_with_and(engine):
    await seed(engine)
    base = (
        AdvGSale.all()
        .select(AdvGSale.region, Sum(AdvGSale.units).label("units"))
        .group_by(AdvGSale.region)
        .order_by(AdvGSale.region)
    )
    assert await base.having(Sum(AdvGSale.units) >= 10) == [
        {"region": "east", "units": 10}, {"region": "north", "units": 15}, {"region": "south", "units": 10},
    ]
    assert await base.having(Sum(AdvGSale.units) >= 10).having(Count() >= 2) == [
        {"region": "east", "units": 10}, {"region": "north", "units": 15},
    ]
    assert await base.having(Sum(AdvGSale.units) >= 10).having(Count() >= 2).having(
        Max(AdvGSale.units) > 6
    ) == [{"region": "north", "units": 15}]


async def test_having_compares_a_decimal_aggregate_with_a_decimal_value(engine):
    await seed(engine)
    rows = await (
        AdvGSale.all()
        .select(AdvGSale.region, Max(AdvGSale.amount).label("top"))
        .group_by(AdvGSale.region)
        .having(Max(AdvGSale.amount) > Decimal("5"))
        .order_by(AdvGSale.region)
    )
    assert rows == [
        {"region": "north", "top": Decimal("10.25")}, {"region": "south", "top": Decimal("100.00")},
    ]


async def test_having_with_an_or_of_aggregates(engine):
    await seed(engine)
    rows = await (
        AdvGSale.all()
        .select(AdvGSale.region)
        .group_by(AdvGSale.region)
        .having((Count() == 1) | (Min(AdvGSale.units) == 4))
        .order_by(AdvGSale.region)
    )
    assert rows == [{"region": "east"}, {"region": "south"}]


async def test_where_having_and_limit_parameters_bind_in_order(engine):
    await seed(engine)
    rows = await (
        AdvGSale.where(AdvGSale.units > 3)
        .select(AdvGSale.region, Sum(AdvGSale.units).label("units"))
        .group_by(AdvGSale.region)
        .having(Sum(AdvGSale.units) > 9)
        .order_by(AdvGSale.region)
        .limit(1)
        .offset(1)
    )
    # north without its 3-unit sale: 12; east: 10; south: 10 -> east, north, south; take the 2nd
    assert rows == [{"region": "north", "units": 12}]


async def test_order_by_an_aggregate_descending(engine):
    await seed(engine)
    rows = await (
        AdvGSale.all()
        .select(AdvGSale.region, Count(AdvGSale.id).label("cnt"))
        .group_by(AdvGSale.region)
        .order_by(Count(AdvGSale.id).desc)
    )
    assert rows == [
        {"region": "north", "cnt": 3}, {"region": "east", "cnt": 2}, {"region": "south", "cnt": 1},
    ]


async def test_order_by_the_label_of_an_aggregate_given_as_text(engine):
    await seed(engine)
    qs = (
        AdvGSale.all()
        .select(AdvGSale.region, Sum(AdvGSale.amount).label("total"))
        .group_by(AdvGSale.region)
    )
    assert [r["region"] for r in await qs.order_by("-total")] == ["south", "north", "east"]
    assert [r["region"] for r in await qs.order_by("total")] == ["east", "north", "south"]


async def test_count_distinct_and_count_of_a_column(engine):
    await seed(engine)
    rows = await AdvGSale.all().select(
        Count(AdvGSale.region, distinct=True).label("regions"),
        Count(AdvGSale.units).label("sales"),
        Sum(AdvGSale.units, distinct=True).label("distinct_units"),
    )
    # units 3, 7, 5, 10, 4, 6: all distinct
    assert rows == [{"regions": 3, "sales": 6, "distinct_units": 35}]
    assert [type(v) for v in rows[0].values()] == [int, int, int]


async def test_a_bare_aggregate_is_keyed_by_its_function_and_column(engine):
    await seed(engine)
    rows = await AdvGSale.all().select(AdvGSale.region, Count(), Sum(AdvGSale.units)).group_by(
        AdvGSale.region
    ).order_by(AdvGSale.region)
    assert rows[0] == {"region": "east", "count(*)": 2, "sum(units)": 10}


async def test_group_by_two_columns(engine):
    await seed(engine)
    rows = await (
        AdvGSale.where(AdvGSale.region == "east")
        .select(AdvGSale.region, AdvGSale.units, Count().label("n"))
        .group_by(AdvGSale.region, AdvGSale.units)
        .order_by(AdvGSale.units.desc)
    )
    assert rows == [
        {"region": "east", "units": 6, "n": 1},
        {"region": "east", "units": 4, "n": 1},
    ]


async def test_count_of_a_grouped_query_counts_the_groups(engine):
    await seed(engine)
    grouped = AdvGSale.all().select(AdvGSale.region).group_by(AdvGSale.region)
    assert await grouped.count() == 3
    assert await grouped.having(Count() > 1).count() == 2


async def test_counting_rows_per_group_that_match_a_condition_with_sum_of_a_case(engine):
    await seed(engine)
    big = Sum(Case(When(AdvGSale.units >= 5, then=1), default=0))
    rows = await (
        AdvGSale.all()
        .select(AdvGSale.region, big.label("big"), Count().label("all"))
        .group_by(AdvGSale.region)
        .having(big >= 1)
        .order_by(AdvGSale.region)
    )
    assert rows == [
        {"region": "east", "big": 1, "all": 2},
        {"region": "north", "big": 2, "all": 3},
        {"region": "south", "big": 1, "all": 1},
    ]
    assert all(type(r["big"]) is int for r in rows)
