"""distinct(), union()/union_all() and insert_into() (INSERT ... SELECT) on every backend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kakaorm import (
    BoolColumn,
    DateTimeColumn,
    DecimalColumn,
    ForeignKey,
    IntColumn,
    Model,
    QueryError,
    StrColumn,
)

UTC = dt.UTC
WHEN = dt.datetime(2024, 2, 29, 23, 59, 58, 500000, tzinfo=UTC)


class AdvUAuthor(Model):
    name = StrColumn(nullable=False, max_length=20)


class AdvUPost(Model):
    title = StrColumn(nullable=False, max_length=20)
    views = IntColumn(nullable=False)
    price = DecimalColumn(max_digits=8, decimal_places=2, nullable=False)
    live = BoolColumn(nullable=False)
    at = DateTimeColumn(nullable=False)
    author_id = ForeignKey(AdvUAuthor, nullable=False)


class AdvUArchive(Model):
    post_id = IntColumn(nullable=False)
    title = StrColumn(max_length=40)
    views = IntColumn()
    price = DecimalColumn(max_digits=8, decimal_places=2)
    live = BoolColumn()
    at = DateTimeColumn()
    note = StrColumn(max_length=20)


P, A, R = AdvUPost, AdvUAuthor, AdvUArchive


async def seed(engine):
    await engine.create_table(AdvUAuthor, AdvUPost, AdvUArchive)
    ann = await A.create(name="ann")
    bob = await A.create(name="bob")
    for title, views, price, live, author in [
        ("p0", 0, "1.10", True, ann), ("p1", 10, "2.20", False, ann), ("p2", 20, "3.30", True, ann),
        ("p3", 30, "4.40", True, bob), ("p4", 40, "5.50", False, bob),
    ]:
        await P.create(title=title, views=views, price=Decimal(price), live=live, at=WHEN, author_id=author.id)
    return ann, bob


# -- distinct -----------------------------------------------------------------------


async def test_distinct_removes_duplicate_rows(engine):
    await seed(engine)
    rows = await P.all().select(P.author_id, P.live).distinct().order_by(P.author_id, P.live)
    assert rows == [
        {"author_id": 1, "live": False}, {"author_id": 1, "live": True},
        {"author_id": 2, "live": False}, {"author_id": 2, "live": True},
    ]
    assert await P.all().select(P.author_id).distinct().count() == 2


async def test_distinct_over_a_join(engine):
    await seed(engine)
    rows = await (
        A.all().join(P, on=P.author_id == A.id).where(P.views >= 10).select(A.name).distinct().order_by(A.name)
    )
    assert rows == [{"name": "ann"}, {"name": "bob"}]


# -- union ----------------------------------------------------------------------------


async def test_union_all_keeps_duplicates_and_union_removes_them(engine):
    await seed(engine)
    low = P.where(P.views <= 20).select(P.title)
    mid = P.where(P.views >= 20, P.views <= 30).select(P.title)
    assert await low.union_all(mid).order_by("title") == [
        {"title": "p0"}, {"title": "p1"}, {"title": "p2"}, {"title": "p2"}, {"title": "p3"},
    ]
    assert await low.union(mid).order_by("title") == [
        {"title": "p0"}, {"title": "p1"}, {"title": "p2"}, {"title": "p3"},
    ]


async def test_order_by_and_limit_apply_to_the_whole_union(engine):
    await seed(engine)
    low = P.where(P.views < 10).select(P.title, P.views)
    high = P.where(P.views > 25).select(P.title, P.views)
    assert await low.union_all(high).order_by(P.views.desc).limit(2) == [
        {"title": "p4", "views": 40}, {"title": "p3", "views": 30},
    ]
    assert await low.union_all(high).order_by("views").limit(2).offset(1) == [
        {"title": "p3", "views": 30}, {"title": "p4", "views": 40},
    ]


async def test_parameters_of_each_part_and_of_the_limit_bind_in_order(engine):
    await seed(engine)
    first = P.where(P.views == 10).select(P.title)
    second = P.where(P.views == 30).select(P.title)
    third = P.where(P.title == "p4").select(P.title)
    rows = await first.union_all(second).union_all(third).order_by("-title").limit(2)
    assert rows == [{"title": "p4"}, {"title": "p3"}]


async def test_a_union_of_two_models_is_keyed_by_the_first_part(engine):
    await seed(engine)
    rows = await A.all().select(A.name).union(P.where(P.views > 30).select(P.title)).order_by("name")
    assert rows == [{"name": "ann"}, {"name": "bob"}, {"name": "p4"}]


async def test_a_union_of_model_queries_returns_instances(engine):
    await seed(engine)
    posts = await P.where(P.views == 0).union(P.where(P.views == 40)).order_by(P.views)
    assert [type(p) for p in posts] == [P, P]
    assert [(p.title, p.price, p.live, p.at) for p in posts] == [
        ("p0", Decimal("1.10"), True, WHEN), ("p4", Decimal("5.50"), False, WHEN),
    ]


async def test_union_keeps_the_python_types_of_its_columns(engine):
    await seed(engine)
    rows = await P.where(P.views == 0).select(P.price, P.live, P.at).union_all(
        P.where(P.views == 10).select(P.price, P.live, P.at)
    ).order_by("price")
    assert rows == [
        {"price": Decimal("1.10"), "live": True, "at": WHEN},
        {"price": Decimal("2.20"), "live": False, "at": WHEN},
    ]
    assert [type(v) for v in rows[0].values()] == [Decimal, bool, dt.datetime]


async def test_count_of_a_union(engine):
    await seed(engine)
    low = P.where(P.views <= 20).select(P.author_id)
    high = P.where(P.views >= 20).select(P.author_id)
    assert await low.union_all(high).count() == 6
    assert await low.union(high).count() == 2


async def test_a_part_with_order_by_or_limit_is_a_query_error(engine, sql_log):
    await seed(engine)
    sql_log.clear()
    base = P.all().select(P.title)
    with pytest.raises(QueryError, match=r"order_by/limit/offset apply to the combined query: call them after union\(\)"):
        base.order_by(P.title).union(base)
    with pytest.raises(QueryError, match=r"call them after union\(\)/union_all\(\), not on its parts"):
        base.union_all(base.limit(1))
    with pytest.raises(QueryError, match=r"not on its parts"):
        base.offset(1).union_all(base)
    assert sql_log.statements == []


async def test_a_union_of_different_column_counts_is_a_query_error(engine, sql_log):
    await seed(engine)
    sql_log.clear()
    with pytest.raises(QueryError, match=r"union of queries with 2 and 1 columns: select the same number of columns"):
        P.all().select(P.title, P.views).union(A.all().select(A.name))
    with pytest.raises(QueryError, match=r"union of queries with 7 and 1 columns"):
        P.all().union_all(P.all().select(P.title))
    assert sql_log.statements == []


# -- insert_into ------------------------------------------------------------------------


async def test_insert_into_copies_the_selected_rows_and_returns_their_number(engine):
    await seed(engine)
    inserted = await P.where(P.views >= 20).insert_into(
        R, post_id=P.id, title=P.title, views=P.views, price=P.price, live=P.live, at=P.at
    )
    assert inserted == 3
    rows = await R.all().order_by(R.post_id)
    assert [(r.post_id, r.title, r.views, r.price, r.live, r.at, r.note) for r in rows] == [
        (3, "p2", 20, Decimal("3.30"), True, WHEN, None),
        (4, "p3", 30, Decimal("4.40"), True, WHEN, None),
        (5, "p4", 40, Decimal("5.50"), False, WHEN, None),
    ]
    assert [type(v) for v in (rows[0].price, rows[0].live, rows[0].at)] == [Decimal, bool, dt.datetime]


async def test_insert_into_with_expressions_constants_and_a_join(engine):
    await seed(engine)
    inserted = await (
        P.all().join(A, on=P.author_id == A.id).where(A.name == "bob")
        .insert_into(R, post_id=P.id, title=A.name, views=P.views * 2 + 1, note="copied")
    )
    assert inserted == 2
    rows = await R.all().order_by(R.post_id)
    assert [(r.post_id, r.title, r.views, r.note) for r in rows] == [(4, "bob", 61, "copied"), (5, "bob", 81, "copied")]


async def test_insert_into_of_no_rows_returns_zero(engine):
    await seed(engine)
    assert await P.where(P.views > 1000).insert_into(R, post_id=P.id) == 0
    assert await R.all().count() == 0


async def test_insert_into_with_order_and_limit(engine):
    await seed(engine)
    assert await P.all().order_by(P.views.desc).limit(2).insert_into(R, post_id=P.id) == 2
    assert [r.post_id for r in await R.all().order_by(R.post_id)] == [4, 5]


async def test_insert_into_an_unknown_column_is_a_value_error_before_any_sql(engine, sql_log):
    await seed(engine)
    sql_log.clear()
    with pytest.raises(ValueError, match=r"Unknown column 'postid' for AdvUArchive; its columns are: id, post_id, title"):
        await P.all().insert_into(R, postid=P.id)
    assert sql_log.statements == []
    assert await R.all().count() == 0
