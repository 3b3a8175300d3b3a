"""Many windows of different partitions and orderings in one query give, on every
backend, exactly the rows the SQL standard defines (computed here in Python): LAG and
LEAD defaults (which MariaDB lacks and KakaORM rewrites) do not disturb the ranks,
row numbers and sums beside them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kakaorm import Count, DenseRank, IntColumn, Lag, Lead, Model, Rank, RowNumber, StrColumn, Sum


class WinMix(Model):
    grp = StrColumn(nullable=False, max_length=5)
    sub = StrColumn(nullable=False, max_length=5)
    score = IntColumn(nullable=False)
    val = IntColumn()  # NULLs are real values: a LAG/LEAD default never replaces them
    amount = IntColumn(nullable=False)


W = WinMix

# (grp, sub, score, val, amount): ties in score, NULLs in val, partitions of 1 to 6 rows
ROWS = [
    ("a", "x", 30, 1, 5),
    ("a", "y", 10, None, 7),
    ("a", "x", 30, 3, 11),
    ("b", "y", 20, 4, 13),
    ("a", "y", 50, 5, 17),
    ("b", "x", 20, None, 19),
    ("c", "x", 40, 7, 23),
    ("a", "x", 10, 8, 29),
    ("b", "y", 60, 9, 31),
    ("b", "x", 20, 10, 37),
    ("a", "y", 30, 11, 41),
    ("b", "y", 40, None, 43),
    ("a", "x", 70, 13, 47),
    ("b", "x", 10, 14, 53),
]

Row = dict[str, Any]
Key = Callable[[Row], Any]


def _windows(rows: list[Row], partition: list[str], order: list[tuple[str, bool]]) -> dict[int, tuple[list[Row], int]]:
    """Each row's id -> (its partition sorted by ``order``, its position in it)."""
    parts: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        parts.setdefault(tuple(row[p] for p in partition), []).append(row)
    out: dict[int, tuple[list[Row], int]] = {}
    for members in parts.values():
        ordered = list(members)
        for name, desc in reversed(order):  # stable sorts, last key first
            ordered.sort(key=lambda r: r[name], reverse=desc)
        for i, row in enumerate(ordered):
            out[row["id"]] = (ordered, i)
    return out


def _keys(row: Row, order: list[tuple[str, bool]]) -> tuple[Any, ...]:
    return tuple(row[name] for name, _ in order)


def expected_rank(rows, partition, order, dense=False):
    found = _windows(rows, partition, order)
    out = {}
    for row_id, (ordered, i) in found.items():
        # peers are next to each other: the rows before this one with other keys rank higher
        before = [_keys(r, order) for r in ordered[:i] if _keys(r, order) != _keys(ordered[i], order)]
        out[row_id] = 1 + (len(set(before)) if dense else len(before))
    return out


def expected_row_number(rows, partition, order):
    return {row_id: i + 1 for row_id, (_, i) in _windows(rows, partition, order).items()}


def expected_shift(rows, partition, order, step, default):
    """LAG (step < 0) or LEAD (step > 0) of ``val``."""
    out = {}
    for row_id, (ordered, i) in _windows(rows, partition, order).items():
        j = i + step
        out[row_id] = ordered[j]["val"] if 0 <= j < len(ordered) else default
    return out


def expected_sum(rows, partition, order=None):
    """SUM(amount) over the whole partition, or running (ordered by a unique key)."""
    out = {}
    for row_id, (ordered, i) in _windows(rows, partition, order or []).items():
        upto = ordered[: i + 1] if order else ordered
        out[row_id] = sum(r["amount"] for r in upto)
    return out


def expected_count(rows, partition):
    return {row_id: len(ordered) for row_id, (ordered, _) in _windows(rows, partition, []).items()}


def _col(name: str) -> Any:
    return getattr(W, name)


def _order(order: list[tuple[str, bool]]) -> list[Any]:
    return [_col(n).desc if desc else _col(n) for n, desc in order]


def _part(partition: list[str]) -> list[Any]:
    return [_col(n) for n in partition]


BY_ID = [("id", False)]
SCORE_DESC = [("score", True), ("id", False)]
SCORE_ASC = [("score", False), ("id", True)]

#: label -> (the window, what it gives for the rows), every kind and several shapes
WINDOWS: dict[str, tuple[Any, Callable[[list[Row]], dict[int, Any]]]] = {
    "rank_grp": (
        Rank().over(partition_by=_part(["grp"]), order_by=_order([("score", True)])),
        lambda rows: expected_rank(rows, ["grp"], [("score", True)]),
    ),
    "dense_all": (
        DenseRank().over(order_by=_order([("score", False)])),
        lambda rows: expected_rank(rows, [], [("score", False)], dense=True),
    ),
    "dense_sub": (
        DenseRank().over(partition_by=_part(["sub"]), order_by=_order([("score", True)])),
        lambda rows: expected_rank(rows, ["sub"], [("score", True)], dense=True),
    ),
    "rn_sub": (
        RowNumber().over(partition_by=_part(["sub"]), order_by=_order(SCORE_DESC)),
        lambda rows: expected_row_number(rows, ["sub"], SCORE_DESC),
    ),
    "lead1_grp": (
        Lead(W.val, 1, -1).over(partition_by=_part(["grp"]), order_by=_order(BY_ID)),
        lambda rows: expected_shift(rows, ["grp"], BY_ID, 1, -1),
    ),
    "lead2_sub": (
        Lead(W.val, 2, -2).over(partition_by=_part(["sub"]), order_by=_order(SCORE_DESC)),
        lambda rows: expected_shift(rows, ["sub"], SCORE_DESC, 2, -2),
    ),
    "lead3_all": (
        Lead(W.val, 3, -3).over(order_by=_order(SCORE_ASC)),
        lambda rows: expected_shift(rows, [], SCORE_ASC, 3, -3),
    ),
    "lead3_grp_sub": (
        Lead(W.val, 3, -33).over(partition_by=_part(["grp", "sub"]), order_by=_order(BY_ID)),
        lambda rows: expected_shift(rows, ["grp", "sub"], BY_ID, 3, -33),
    ),
    "lead1_plain": (
        Lead(W.val).over(partition_by=_part(["sub"]), order_by=_order(BY_ID)),
        lambda rows: expected_shift(rows, ["sub"], BY_ID, 1, None),
    ),
    "lag1_sub": (
        Lag(W.val, 1, 100).over(partition_by=_part(["sub"]), order_by=_order(SCORE_ASC)),
        lambda rows: expected_shift(rows, ["sub"], SCORE_ASC, -1, 100),
    ),
    "lag2_grp": (
        Lag(W.val, 2, 200).over(partition_by=_part(["grp"]), order_by=_order(SCORE_DESC)),
        lambda rows: expected_shift(rows, ["grp"], SCORE_DESC, -2, 200),
    ),
    "lag3_all": (
        Lag(W.val, 3, 300).over(order_by=_order(BY_ID)),
        lambda rows: expected_shift(rows, [], BY_ID, -3, 300),
    ),
    "rank_by_grp": (
        Rank().over(order_by=_order([("grp", False)])),
        lambda rows: expected_rank(rows, [], [("grp", False)]),
    ),
    "dense_by_sub": (
        DenseRank().over(order_by=_order([("sub", False)])),
        lambda rows: expected_rank(rows, [], [("sub", False)], dense=True),
    ),
    "running_by_sub": (
        Sum(W.amount).over(order_by=_order([("sub", False), ("id", False)])),
        lambda rows: expected_sum(rows, [], [("sub", False), ("id", False)]),
    ),
    "sum_grp": (
        Sum(W.amount).over(partition_by=_part(["grp"])),
        lambda rows: expected_sum(rows, ["grp"]),
    ),
    "running_sub": (
        Sum(W.amount).over(partition_by=_part(["sub"]), order_by=_order(BY_ID)),
        lambda rows: expected_sum(rows, ["sub"], BY_ID),
    ),
    "sum_all": (
        Sum(W.amount).over(),
        lambda rows: expected_sum(rows, []),
    ),
    "n_all": (
        Count().over(),
        lambda rows: expected_count(rows, []),
    ),
    "n_grp_sub": (
        Count().over(partition_by=_part(["grp", "sub"])),
        lambda rows: expected_count(rows, ["grp", "sub"]),
    ),
}


async def seed(engine) -> list[Row]:
    await engine.create_table(WinMix)
    created = await WinMix.bulk_create(
        [WinMix(grp=g, sub=s, score=sc, val=v, amount=a) for g, s, sc, v, a in ROWS]
    )
    return [dict(r.to_dict()) for r in created]


def expected_rows(rows: list[Row], labels: list[str]) -> list[Row]:
    per_label = {label: WINDOWS[label][1](rows) for label in labels}
    return [
        {"id": r["id"], **{label: per_label[label][r["id"]] for label in labels}}
        for r in sorted(rows, key=lambda r: r["id"])
    ]


async def query(labels: list[str]) -> list[Row]:
    return await W.all().select(W.id, *(WINDOWS[label][0].label(label) for label in labels)).order_by(W.id)


async def test_every_window_kind_together_in_one_query(engine):
    rows = await seed(engine)
    labels = list(WINDOWS)
    got = await query(labels)
    assert got == expected_rows(rows, labels)
    assert {type(v) for r in got for v in r.values()} == {int, type(None)}
    # no default: None after the last row of each sub (12, 14) and before a NULL (3, 11)
    assert [r["id"] for r in got if r["lead1_plain"] is None] == [3, 11, 12, 14]


SHIFTS = ["lead1_grp", "lead2_sub", "lead3_all", "lead3_grp_sub", "lag1_sub", "lag2_grp", "lag3_all"]


@pytest.mark.parametrize("shift", SHIFTS)
async def test_a_lag_or_lead_default_beside_ranks_and_row_numbers(engine, shift):
    rows = await seed(engine)
    labels = ["rank_grp", "dense_all", "dense_sub", "rn_sub", shift, "running_sub"]
    assert await query(labels) == expected_rows(rows, labels)


@pytest.mark.parametrize("shift", SHIFTS)
async def test_a_lag_or_lead_default_beside_sums_and_counts_over_whole_partitions(engine, shift):
    rows = await seed(engine)
    labels = ["rank_grp", "dense_all", "rn_sub", shift, "sum_grp", "n_grp_sub", "n_all", "sum_all"]
    assert await query(labels) == expected_rows(rows, labels)


@pytest.mark.parametrize(
    "labels",
    [
        # a sum over a partition, a rank in it, a count over a finer partition
        ["sum_grp", "rank_grp", "n_grp_sub"],
        # a count over every row between windows with and without a partition
        ["n_all", "rank_grp", "dense_all", "rn_sub"],
        # a window ordered by the start of two windows ordered differently after it
        ["dense_sub", "dense_by_sub", "running_by_sub"],
        ["running_by_sub", "dense_by_sub", "lead2_sub"],
        ["rank_by_grp", "lead1_grp", "rank_grp", "sum_all"],
    ],
    ids=["finer-partition", "whole-result", "prefix-order", "prefix-order-lead", "prefix-order-sum"],
)
async def test_windows_with_sort_orders_that_start_alike(engine, labels):
    rows = await seed(engine)
    assert await query(labels) == expected_rows(rows, labels)


async def test_lead_defaults_of_every_offset_in_one_partition_of_the_rows(engine):
    rows = await seed(engine)
    got = await (
        W.where(W.grp == "b")
        .select(
            W.id,
            *(Lead(W.val, n, -n).over(order_by=[W.score.desc, W.id]).label(f"lead{n}") for n in (1, 2, 3)),
            Rank().over(order_by=[W.score]).label("rank"),
        )
        .order_by(W.id)
    )
    b_rows = [r for r in rows if r["grp"] == "b"]
    expected = [
        {
            "id": r["id"],
            **{f"lead{n}": expected_shift(b_rows, [], SCORE_DESC, n, -n)[r["id"]] for n in (1, 2, 3)},
            "rank": expected_rank(b_rows, [], [("score", False)])[r["id"]],
        }
        for r in b_rows
    ]
    assert got == expected
    # the expectation itself: b by score desc, id is ids 9 12 4 6 10 14 holding vals
    # 9 NULL 4 NULL 10 14, so in id order (4 6 9 10 12 14) the next vals are:
    assert [e["lead1"] for e in expected] == [None, 10, None, 14, 4, -1]
    assert [e["rank"] for e in expected] == [2, 2, 6, 2, 5, 1]
