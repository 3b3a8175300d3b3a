"""Window functions on every backend (SQLite included): ranking, LAG/LEAD with
defaults that keep their type, and aggregates over partitions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kakaorm import (
    CTE,
    Avg,
    Count,
    DateTimeColumn,
    DecimalColumn,
    DenseRank,
    IntColumn,
    Lag,
    Lead,
    Max,
    Min,
    Model,
    Rank,
    RowNumber,
    StrColumn,
    Sum,
)

UTC = dt.UTC


def at(day: int) -> dt.datetime:
    return dt.datetime(2024, 5, day, 12, 0, tzinfo=UTC)


class AdvWScore(Model):
    player = StrColumn(nullable=False, max_length=20)
    team = StrColumn(nullable=False, max_length=10)
    points = IntColumn()
    bonus = DecimalColumn(max_digits=8, decimal_places=2, nullable=False)
    played = DateTimeColumn(nullable=False)


SCORES = [
    ("ann", "red", 10, "1.50", at(1)),
    ("bob", "red", 20, "2.25", at(2)),
    ("cy", "red", 20, "0.25", at(3)),
    ("dan", "blue", 5, "3.00", at(4)),
    ("eve", "blue", None, "1.00", at(5)),  # a real NULL: LAG/LEAD defaults must not replace it
    ("fay", "blue", 15, "0.50", at(6)),
]

S = AdvWScore


async def seed(engine):
    await engine.create_table(AdvWScore)
    for player, team, points, bonus, played in SCORES:
        await AdvWScore.create(player=player, team=team, points=points, bonus=Decimal(bonus), played=played)


def by_team(*extra):
    """player and the extra labelled windows, in id order."""
    return S.all().select(S.player, *extra).order_by(S.id)


async def test_row_number_restarts_in_each_partition(engine):
    await seed(engine)
    rows = await by_team(RowNumber().over(partition_by=[S.team], order_by=[S.id]).label("rn"))
    assert [(r["player"], r["rn"]) for r in rows] == [
        ("ann", 1), ("bob", 2), ("cy", 3), ("dan", 1), ("eve", 2), ("fay", 3),
    ]
    assert all(type(r["rn"]) is int for r in rows)


async def test_rank_leaves_a_gap_after_ties_and_dense_rank_does_not(engine):
    await seed(engine)
    rows = await (
        S.where(S.team == "red")
        .select(
            S.player,
            Rank().over(order_by=[S.points.desc]).label("rank"),
            DenseRank().over(order_by=[S.points.desc]).label("dense"),
        )
        .order_by(S.id)
    )
    assert rows == [
        {"player": "ann", "rank": 3, "dense": 2},
        {"player": "bob", "rank": 1, "dense": 1},
        {"player": "cy", "rank": 1, "dense": 1},
    ]
    assert all(type(r["rank"]) is int and type(r["dense"]) is int for r in rows)


async def test_lag_with_a_default_uses_it_only_where_no_earlier_row_exists(engine):
    await seed(engine)
    rows = await by_team(Lag(S.points, 1, 0).over(partition_by=[S.team], order_by=[S.id]).label("prev"))
    # fay's previous row (eve) has a NULL: that stays None, it is not the default
    assert [(r["player"], r["prev"]) for r in rows] == [
        ("ann", 0), ("bob", 10), ("cy", 20), ("dan", 0), ("eve", 5), ("fay", None),
    ]
    assert [type(r["prev"]) for r in rows] == [int, int, int, int, int, type(None)]


async def test_lead_with_a_default_uses_it_only_where_no_later_row_exists(engine):
    await seed(engine)
    rows = await by_team(Lead(S.points, 1, -1).over(partition_by=[S.team], order_by=[S.id]).label("next"))
    assert [(r["player"], r["next"]) for r in rows] == [
        ("ann", 20), ("bob", 20), ("cy", -1), ("dan", None), ("eve", 15), ("fay", -1),
    ]
    assert type(rows[2]["next"]) is int and type(rows[5]["next"]) is int


async def test_lag_and_lead_with_an_offset_of_two(engine):
    await seed(engine)
    rows = await by_team(
        Lag(S.points, 2, 99).over(partition_by=[S.team], order_by=[S.id]).label("back2"),
        Lead(S.player, 2, "none").over(partition_by=[S.team], order_by=[S.id]).label("ahead2"),
    )
    assert [(r["player"], r["back2"], r["ahead2"]) for r in rows] == [
        ("ann", 99, "cy"), ("bob", 99, "none"), ("cy", 10, "none"),
        ("dan", 99, "fay"), ("eve", 99, "none"), ("fay", 5, "none"),
    ]


async def test_lag_and_lead_without_a_default_give_none(engine):
    await seed(engine)
    rows = await by_team(
        Lag(S.player).over(order_by=[S.id]).label("before"),
        Lead(S.player).over(order_by=[S.id]).label("after"),
    )
    assert [(r["before"], r["after"]) for r in rows] == [
        (None, "bob"), ("ann", "cy"), ("bob", "dan"), ("cy", "eve"), ("dan", "fay"), ("eve", None),
    ]


async def test_lag_of_decimal_and_datetime_columns_keeps_their_types(engine):
    await seed(engine)
    rows = await by_team(
        Lag(S.bonus, 1, Decimal("0.00")).over(partition_by=[S.team], order_by=[S.id]).label("prev_bonus"),
        Lead(S.played).over(partition_by=[S.team], order_by=[S.id]).label("next_played"),
    )
    assert [r["prev_bonus"] for r in rows] == [
        Decimal("0.00"), Decimal("1.50"), Decimal("2.25"), Decimal("0.00"), Decimal("3.00"), Decimal("1.00"),
    ]
    assert all(type(r["prev_bonus"]) is Decimal for r in rows)
    assert str(rows[1]["prev_bonus"]) == "1.50"
    assert [r["next_played"] for r in rows] == [at(2), at(3), None, at(5), at(6), None]
    assert rows[0]["next_played"].utcoffset() == dt.timedelta(0)


async def test_running_sum_per_partition(engine):
    await seed(engine)
    rows = await by_team(Sum(S.points).over(partition_by=[S.team], order_by=[S.id]).label("running"))
    # a NULL adds nothing to the running total
    assert [(r["player"], r["running"]) for r in rows] == [
        ("ann", 10), ("bob", 30), ("cy", 50), ("dan", 5), ("eve", 5), ("fay", 20),
    ]
    assert all(type(r["running"]) is int for r in rows)


async def test_aggregates_over_a_whole_partition(engine):
    await seed(engine)
    rows = await by_team(
        Avg(S.points).over(partition_by=[S.team]).label("avg"),
        Max(S.points).over(partition_by=[S.team]).label("max"),
        Min(S.played).over(partition_by=[S.team]).label("first"),
        Sum(S.bonus).over(partition_by=[S.team]).label("bonus"),
        Count().over(partition_by=[S.team]).label("n"),
    )
    red = {"avg": 50 / 3, "max": 20, "first": at(1), "bonus": Decimal("4.00"), "n": 3}
    blue = {"avg": 10.0, "max": 15, "first": at(4), "bonus": Decimal("4.50"), "n": 3}
    assert [{k: v for k, v in r.items() if k != "player"} for r in rows] == [red] * 3 + [blue] * 3
    assert [type(rows[0][k]) for k in ("avg", "max", "first", "bonus", "n")] == [
        float, int, dt.datetime, Decimal, int
    ]
    assert str(rows[0]["bonus"]) == "4.00"


async def test_a_window_over_the_whole_result_with_a_where_filter(engine):
    await seed(engine)
    rows = await (
        S.where(S.points.is_not_null(), S.points >= 10)
        .select(S.player, RowNumber().over(order_by=[S.points.desc, S.id]).label("place"))
        .order_by("place")
    )
    assert rows == [
        {"player": "bob", "place": 1}, {"player": "cy", "place": 2},
        {"player": "fay", "place": 3}, {"player": "ann", "place": 4},
    ]


async def test_filter_on_a_window_through_a_cte(engine):
    await seed(engine)
    ranked = CTE(
        "ranked",
        S.all().select(
            S.player, S.team,
            RowNumber().over(partition_by=[S.team], order_by=[S.bonus.desc]).label("rn"),
        ),
    )
    best = await ranked.query().where(ranked.c.rn == 1).order_by("team")
    assert best == [
        {"player": "dan", "team": "blue", "rn": 1},
        {"player": "bob", "team": "red", "rn": 1},
    ]
    assert type(best[0]["rn"]) is int


async def test_a_window_with_a_different_outer_order_and_a_limit(engine):
    await seed(engine)
    rows = await (
        S.all()
        .select(S.player, Lag(S.player, 1, "start").over(order_by=[S.played]).label("prev"))
        .order_by(S.played.desc)
        .limit(2)
    )
    assert rows == [{"player": "fay", "prev": "eve"}, {"player": "eve", "prev": "dan"}]


async def test_a_lag_default_beyond_32_bits_keeps_its_value_and_type(engine):
    await seed(engine)
    big = 3_000_000_000
    rows = await S.where(S.team == "red").select(
        S.player, Lag(S.points, 1, big).over(order_by=[S.id]).label("prev")
    ).order_by(S.id)
    assert rows == [{"player": "ann", "prev": big}, {"player": "bob", "prev": 10}, {"player": "cy", "prev": 20}]
    assert type(rows[0]["prev"]) is int
