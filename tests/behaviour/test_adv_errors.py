"""Advanced queries that cannot work fail with a QueryError that says what to do,
before any SQL reaches the database (checked on every backend with the SQL log)."""

from __future__ import annotations

import pytest

from kakaorm import (
    CTE,
    Count,
    ForeignKey,
    IntColumn,
    Lag,
    Model,
    QueryError,
    RowNumber,
    StrColumn,
    Sum,
)


class AdvXAuthor(Model):
    name = StrColumn(nullable=False, max_length=20)


class AdvXPost(Model):
    title = StrColumn(nullable=False, max_length=20)
    views = IntColumn(nullable=False, default=0)
    author_id = ForeignKey(AdvXAuthor, nullable=True)


P, A = AdvXPost, AdvXAuthor

WINDOW = r"a window function cannot be used in {}\(\): SQL allows it only in select\(\) and order_by\(\)"
AGGREGATE = r"an aggregate cannot be used in {}\(\).*\.group_by\(\.\.\.\)\.having\(condition\) instead"
NOT_IN_QUERY = r"AdvXAuthor\.name is used, but AdvXAuthor is not in this query: add \.join\(AdvXAuthor, on=\.\.\.\)"


@pytest.fixture
async def log(engine, sql_log):
    await engine.create_table(AdvXAuthor, AdvXPost)
    ann = await A.create(name="ann")
    await P.create(title="t", views=3, author_id=ann.id)
    sql_log.clear()
    yield sql_log
    assert sql_log.statements == [], "a rejected query must not reach the database"


def test_a_window_function_in_where_is_rejected(log):
    with pytest.raises(QueryError, match=WINDOW.format("where")):
        P.where(RowNumber().over(order_by=[P.id]) <= 2)
    with pytest.raises(QueryError, match=WINDOW.format("where")):
        P.where((P.views > 1) & (Lag(P.views).over(order_by=[P.id]) == 0))


def test_a_window_function_in_where_suggests_a_cte(log):
    with pytest.raises(QueryError, match=r"wrap that query in kakaorm\.CTE\(name, query\) and filter cte\.query\(\) instead"):
        P.exclude(RowNumber().over(order_by=[P.id]) == 1)


def test_a_window_function_in_having_or_a_join_condition_is_rejected(log):
    grouped = P.all().select(P.author_id).group_by(P.author_id)
    with pytest.raises(QueryError, match=WINDOW.format("having")):
        grouped.having(RowNumber().over(order_by=[P.author_id]) > 1)
    with pytest.raises(QueryError, match=WINDOW.format("join")):
        P.all().join(A, on=(P.author_id == A.id) & (RowNumber().over(order_by=[A.id]) == 1))


def test_an_aggregate_in_where_points_to_having(log):
    with pytest.raises(QueryError, match=AGGREGATE.format("where")):
        P.where(Count() > 1)
    with pytest.raises(QueryError, match=AGGREGATE.format("where")):
        P.where((P.views > 1) | ~(Sum(P.views) >= 10))
    with pytest.raises(QueryError, match=AGGREGATE.format("join")):
        P.all().join(A, on=(P.author_id == A.id) & (Count() > 0))


async def test_a_column_of_a_model_not_in_the_query_points_to_join(log):
    with pytest.raises(QueryError, match=NOT_IN_QUERY):
        await P.where(A.name == "ann")
    with pytest.raises(QueryError, match=NOT_IN_QUERY):
        await P.all().select(P.title, A.name)
    with pytest.raises(QueryError, match=NOT_IN_QUERY):
        await P.all().order_by(A.name)
    with pytest.raises(QueryError, match=NOT_IN_QUERY):
        await P.all().select(P.author_id, Count().label("n")).group_by(P.author_id).having(Count(A.name) > 1)
    with pytest.raises(QueryError, match=NOT_IN_QUERY):
        await P.all().select(Count().label("n")).group_by(A.name)
    with pytest.raises(QueryError, match=NOT_IN_QUERY):
        await P.where(A.name == "ann").count()


async def test_the_same_query_with_the_join_runs(log):
    rows = await P.all().join(A, on=P.author_id == A.id).where(A.name == "ann").select(P.title, A.name)
    assert rows == [{"title": "t", "name": "ann"}]
    assert len(log.statements) == 1
    log.clear()


async def test_an_unnamed_expression_in_select_asks_for_a_label(log):
    with pytest.raises(QueryError, match=r"select\(\) cannot name the expression Arithmetic: give it a name with \.label\('name'\)"):
        await P.all().select(P.views + 1)
    with pytest.raises(QueryError, match=r"cannot name the expression Window"):
        await P.all().select(RowNumber().over(order_by=[P.id]))


def test_a_union_with_mismatched_columns_is_rejected(log):
    with pytest.raises(QueryError, match=r"union of queries with 1 and 2 columns"):
        P.all().select(P.title).union_all(P.all().select(P.title, P.views))


async def test_bulk_update_of_a_joined_query_is_rejected(log):
    joined = P.all().join(A, on=P.author_id == A.id).where(A.name == "ann")
    with pytest.raises(QueryError, match=r"update\(\) applies where\(\) filters only; remove join/limit/offset/group_by"):
        await joined.update(views=0)


async def test_model_only_methods_on_a_cte_query_are_rejected(log):
    cte = CTE("named", P.all().select(P.title))
    with pytest.raises(QueryError, match=r"get\(\) needs a model query; a query over the CTE 'named' returns dicts"):
        await cte.query().get()
