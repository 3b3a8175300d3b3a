"""The typed APIs at run time, on every backend: a TypedModel is an ordinary model,
``tuples()`` gives rows as tuples in the order asked, ``scalar()`` one aggregate of
its exact type; ``select()`` and ``aggregate()`` still give dicts (kakaorm 0.4)."""

from __future__ import annotations

import decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kakaorm import (
    Avg,
    Column,
    Count,
    DecimalColumn,
    FloatColumn,
    IntColumn,
    Max,
    Min,
    ModelError,
    QueryError,
    StrColumn,
    Sum,
    TypedModel,
)


class TqPost(TypedModel):
    title: Column[str] = StrColumn(nullable=False)
    views: Column[int] = IntColumn(nullable=False, default=0)
    rating: Column[float | None] = FloatColumn()
    price: Column[decimal.Decimal | None] = DecimalColumn(10, 2)


async def _three_posts() -> None:
    await TqPost.create(title="a", views=5, rating=1.5, price=decimal.Decimal("2.50"))
    await TqPost.create(title="b", views=7, price=decimal.Decimal("1.25"))
    await TqPost.create(title="c", views=5, rating=4.0)


async def test_a_typed_model_creates_reads_and_defaults_like_any_model(engine):
    await engine.create_table(TqPost)
    post = await TqPost.create(title="x")
    got = await TqPost.get(TqPost.id == post.id)
    assert (got.id, got.title, got.views, got.rating, got.price) == (post.id, "x", 0, None, None)
    assert type(got.id) is int and type(got.views) is int


async def test_a_typed_model_rejects_unknown_fields_at_run_time_too(engine):
    await engine.create_table(TqPost)
    with pytest.raises(TypeError, match=r"^Unknown field 'titel' for TqPost\(\); valid fields: id, price, rating, title, views$"):
        await TqPost.create(titel="x")
    assert await TqPost.count() == 0


def test_a_typed_model_column_without_annotation_is_a_model_error():
    with pytest.raises(ModelError) as info:

        class TqBad(TypedModel):
            title: Column[str] = StrColumn(nullable=False)
            views = IntColumn()

    assert str(info.value) == (
        "TqBad.views is a TypedModel column without an annotation, so type checkers leave "
        "it out of TqBad(): declare it as 'views: Column[<value type>] = IntColumn(...)'"
    )


async def test_tuples_gives_rows_as_tuples_in_the_order_asked(engine):
    await engine.create_table(TqPost)
    await _three_posts()
    rows = await TqPost.all().order_by(TqPost.title).tuples(TqPost.title, TqPost.views, TqPost.rating)
    assert rows == [("a", 5, 1.5), ("b", 7, None), ("c", 5, 4.0)]
    assert [tuple(type(v) for v in row) for row in rows] == [
        (str, int, float), (str, int, type(None)), (str, int, float)
    ]


async def test_tuples_keeps_filters_and_works_with_first_distinct_and_group_by(engine):
    await engine.create_table(TqPost)
    await _three_posts()
    query = TqPost.where(TqPost.views == 5).order_by(TqPost.title)
    assert await query.tuples(TqPost.title).first() == ("a",)
    assert await TqPost.where(TqPost.views == 5).tuples(TqPost.views).distinct() == [(5,)]
    grouped = (
        TqPost.all().tuples(TqPost.views, Count().label("n"))
        .group_by(TqPost.views).order_by(TqPost.views)
    )
    assert await grouped == [(5, 2), (7, 1)]


async def test_tuples_streams_tuples_from_iterator(engine):
    await engine.create_table(TqPost)
    await _three_posts()
    got = [row async for row in TqPost.all().order_by(TqPost.id).tuples(TqPost.id, TqPost.title).iterator(chunk_size=2)]
    assert [title for _, title in got] == ["a", "b", "c"]
    assert all(type(row) is tuple and type(row[0]) is int for row in got)


async def test_select_and_aggregate_still_give_dicts(engine):
    await engine.create_table(TqPost)
    await _three_posts()
    assert await TqPost.all().order_by(TqPost.title).select(TqPost.title) == [
        {"title": "a"}, {"title": "b"}, {"title": "c"}
    ]
    assert await TqPost.all().aggregate(n=Count(), total=Sum(TqPost.views)) == {"n": 3, "total": 17}


def test_tuples_refuses_what_select_refuses():
    with pytest.raises(TypeError, match=r"^select\(\) needs at least one column or expression$"):
        TqPost.all().tuples()
    with pytest.raises(TypeError, match=r"^select\(\) takes columns or expressions, got 'title'$"):
        TqPost.all().tuples("title")  # type: ignore[call-overload]


async def test_scalar_gives_each_aggregate_its_exact_type(engine):
    await engine.create_table(TqPost)
    await _three_posts()
    qs = TqPost.all()
    count = await qs.scalar(Count())
    total = await qs.scalar(Sum(TqPost.views))
    average = await qs.scalar(Avg(TqPost.views))
    top = await qs.scalar(Max(TqPost.title))
    low = await qs.scalar(Min(TqPost.rating))
    price = await qs.scalar(Sum(TqPost.price))
    assert (count, total, top, low, price) == (3, 17, "c", 1.5, decimal.Decimal("3.75"))
    assert average == pytest.approx(17 / 3)
    assert [type(v) for v in (count, total, average, top, low, price)] == [
        int, int, float, str, float, decimal.Decimal
    ]
    assert await TqPost.where(TqPost.views > 5).scalar(Count()) == 1


async def test_scalar_of_no_rows_is_none_and_count_is_zero(engine):
    await engine.create_table(TqPost)
    qs = TqPost.where(TqPost.views > 100)
    assert await qs.scalar(Count()) == 0
    assert [await qs.scalar(a) for a in (Sum(TqPost.views), Avg(TqPost.views), Max(TqPost.title))] == [None, None, None]


async def test_scalar_refuses_what_aggregate_refuses(engine):
    await engine.create_table(TqPost)
    with pytest.raises(TypeError, match=r"^aggregate\(value=\.\.\.\) takes an aggregate such as Sum\(Post\.views\), got "):
        await TqPost.all().scalar(TqPost.views)
    with pytest.raises(QueryError, match=r"^aggregate\(\), sum\(\), avg\(\), max\(\) and min\(\) apply where\(\) filters only"):
        await TqPost.all().limit(1).scalar(Count())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(st.text(max_size=20).filter(lambda s: "\x00" not in s), st.integers(-(2**31), 2**31 - 1)),
        max_size=6,
    )
)
async def test_tuples_and_scalar_agree_with_what_was_written(engine, rows):
    await engine.drop_table(TqPost)
    await engine.create_table(TqPost)
    for title, views in rows:
        await TqPost.create(title=title, views=views)
    got = await TqPost.all().order_by(TqPost.id).tuples(TqPost.title, TqPost.views)
    assert got == rows
    assert await TqPost.all().scalar(Count()) == len(rows)
    assert await TqPost.all().scalar(Sum(TqPost.views)) == (sum(v for _, v in rows) if rows else None)
