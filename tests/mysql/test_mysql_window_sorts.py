"""The MySQL/MariaDB compiler writes windows so that MariaDB, which computes windows
in groups sharing one sort, never computes a window on another window's order."""

from __future__ import annotations

import pytest

from kakaorm import Count, DenseRank, IntColumn, Lead, Model, Rank, RowNumber, StrColumn, Sum
from kakaorm_mysql.compiler import MySQLCompiler


class MyWs(Model):
    team = StrColumn(nullable=False, max_length=10)
    squad = StrColumn(nullable=False, max_length=10)
    score = IntColumn(nullable=False)


M = MyWs
T, S, SC, ID = "`my_ws`.`team`", "`my_ws`.`squad`", "`my_ws`.`score`", "`my_ws`.`id`"


def sql_of(*columns, mariadb: bool = True) -> str:
    compiler = MySQLCompiler()
    compiler.shares_window_sorts = mariadb
    sql = compiler.compile(M.all().select(M.id, *columns)._build_select()).sql
    return sql.split(" FROM ")[0].split(", ", 1)[1]


def test_a_partitioned_window_without_order_sorts_by_its_partition():
    assert sql_of(Sum(M.score).over(partition_by=[M.team, M.squad]).label("t")) == (
        f"SUM({SC}) OVER (PARTITION BY {T}, {S} ORDER BY {T}, {S}) AS `t`"
    )


def test_a_whole_result_aggregate_sorts_like_the_first_sorting_window_over_every_row():
    sql = sql_of(
        Count().over().label("n"),
        Rank().over(partition_by=[M.team], order_by=[M.score.desc]).label("r"),
    )
    assert sql == (
        f"COUNT(*) OVER (ORDER BY {T}, {SC} DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) "
        f"AS `n`, RANK() OVER (PARTITION BY {T} ORDER BY {SC} DESC) AS `r`"
    )


def test_windows_that_do_not_sort_stay_as_written_when_nothing_else_sorts():
    assert sql_of(Count().over().label("n"), Sum(M.score).over().label("s")) == (
        "COUNT(*) OVER () AS `n`, SUM(`my_ws`.`score`) OVER () AS `s`"
    )


def test_rank_over_an_empty_window_is_left_as_written():
    assert sql_of(Rank().over().label("r"), RowNumber().over(order_by=[M.id]).label("rn")) == (
        f"RANK() OVER () AS `r`, ROW_NUMBER() OVER (ORDER BY {ID} ASC) AS `rn`"
    )


def test_a_lead_default_counts_rows_on_the_same_window():
    assert sql_of(Lead(M.score, 2, 0).over(partition_by=[M.team]).label("x")) == (
        f"CASE WHEN COUNT(*) OVER (PARTITION BY {T} ORDER BY {T} ROWS BETWEEN CURRENT ROW AND UNBOUNDED "
        f"FOLLOWING) <= %s THEN %s ELSE LEAD({SC}, %s) OVER (PARTITION BY {T} ORDER BY {T}) END AS `x`"
    )


BRIDGED = (
    DenseRank().over(order_by=[M.team]).label("d"),
    RowNumber().over(partition_by=[M.team], order_by=[M.score]).label("by_score"),
    RowNumber().over(partition_by=[M.team], order_by=[M.squad]).label("by_squad"),
)


def test_a_window_sorting_by_the_start_of_two_different_orders_sorts_alone_on_mariadb():
    assert sql_of(*BRIDGED) == (
        f"DENSE_RANK() OVER (ORDER BY COALESCE({T}) ASC) AS `d`, "
        f"ROW_NUMBER() OVER (PARTITION BY {T} ORDER BY {SC} ASC) AS `by_score`, "
        f"ROW_NUMBER() OVER (PARTITION BY {T} ORDER BY {S} ASC) AS `by_squad`"
    )


def test_mysql_which_sorts_each_window_itself_gets_the_windows_as_written():
    assert sql_of(*BRIDGED, mariadb=False) == (
        f"DENSE_RANK() OVER (ORDER BY {T} ASC) AS `d`, "
        f"ROW_NUMBER() OVER (PARTITION BY {T} ORDER BY {SC} ASC) AS `by_score`, "
        f"ROW_NUMBER() OVER (PARTITION BY {T} ORDER BY {S} ASC) AS `by_squad`"
    )


def test_a_whole_result_aggregate_sorts_apart_with_a_window_that_does():
    sql = sql_of(Sum(M.score).over().label("s"), *BRIDGED)
    assert sql.startswith(
        f"SUM({SC}) OVER (ORDER BY COALESCE({T}) ASC ROWS BETWEEN UNBOUNDED PRECEDING AND "
        f"UNBOUNDED FOLLOWING) AS `s`, DENSE_RANK() OVER (ORDER BY COALESCE({T}) ASC) AS `d`"
    )


@pytest.mark.parametrize(
    "columns",
    [
        # windows whose keys start alike share a sort correctly
        (
            Rank().over(partition_by=[M.team], order_by=[M.score]).label("a"),
            RowNumber().over(partition_by=[M.team], order_by=[M.score, M.id]).label("b"),
            Sum(M.score).over(partition_by=[M.team]).label("c"),
        ),
        # expressions other than columns are never shared by MariaDB
        (
            Rank().over(order_by=[M.score + 1]).label("a"),
            RowNumber().over(order_by=[M.score + 1, M.id]).label("b"),
            RowNumber().over(order_by=[M.score + 1, M.team]).label("c"),
        ),
    ],
    ids=["prefixes", "expressions"],
)
def test_windows_mariadb_sorts_correctly_share_their_sorts(columns):
    assert "COALESCE" not in sql_of(*columns)
