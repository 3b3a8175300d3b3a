"""Joins on every backend: INNER/LEFT/RIGHT, columns of several models in one dict,
and the result-key rule when two selected columns share a name."""

from __future__ import annotations

import datetime as dt

import pytest

from kakaorm import (
    BoolColumn,
    Count,
    DateTimeColumn,
    ForeignKey,
    IntColumn,
    Model,
    QueryError,
    StrColumn,
)

UTC = dt.UTC
JOINED = dt.datetime(2024, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)


class AdvJAuthor(Model):
    name = StrColumn(nullable=False, max_length=40)
    active = BoolColumn(nullable=False, default=True)
    joined = DateTimeColumn()


class AdvJPost(Model):
    title = StrColumn(nullable=False, max_length=40)
    name = StrColumn(max_length=40)  # the same column name as AdvJAuthor.name
    views = IntColumn(nullable=False, default=0)
    author_id = ForeignKey(AdvJAuthor, nullable=True)


class AdvJComment(Model):
    name = StrColumn(max_length=40)
    post_id = ForeignKey(AdvJPost, nullable=False)


async def seed(engine):
    await engine.create_table(AdvJAuthor, AdvJPost, AdvJComment)
    ann = await AdvJAuthor.create(name="Ann", active=True, joined=JOINED)
    bob = await AdvJAuthor.create(name="Bob", active=False, joined=None)
    await AdvJAuthor.create(name="Cy", active=True, joined=None)  # no posts
    alpha = await AdvJPost.create(title="alpha", name="a-post", views=10, author_id=ann.id)
    await AdvJPost.create(title="beta", name="b-post", views=20, author_id=ann.id)
    await AdvJPost.create(title="gamma", name=None, views=30, author_id=bob.id)
    await AdvJPost.create(title="orphan", name="o-post", views=5, author_id=None)
    await AdvJComment.create(name="first!", post_id=alpha.id)
    return ann, bob


def post_author_join():
    return AdvJPost.all().join(AdvJAuthor, on=AdvJPost.author_id == AdvJAuthor.id)


async def test_inner_join_returns_columns_of_both_models_with_their_python_types(engine):
    await seed(engine)
    rows = await (
        post_author_join()
        .select(AdvJPost.title, AdvJPost.views, AdvJAuthor.name, AdvJAuthor.active, AdvJAuthor.joined)
        .order_by(AdvJPost.id)
    )
    # AdvJPost.name is not selected, so AdvJAuthor.name keeps its bare key
    assert rows == [
        {"title": "alpha", "views": 10, "name": "Ann", "active": True, "joined": JOINED},
        {"title": "beta", "views": 20, "name": "Ann", "active": True, "joined": JOINED},
        {"title": "gamma", "views": 30, "name": "Bob", "active": False, "joined": None},
    ]
    first = rows[0]
    assert [type(first[k]) for k in ("title", "views", "name", "active", "joined")] == [
        str, int, str, bool, dt.datetime
    ]
    assert first["joined"].tzinfo is not None and first["joined"].utcoffset() == dt.timedelta(0)


async def test_a_join_filters_on_the_joined_model_and_still_returns_model_instances(engine):
    await seed(engine)
    posts = await post_author_join().where(AdvJAuthor.active == True).order_by(AdvJPost.views.desc)  # noqa: E712
    assert [type(p) for p in posts] == [AdvJPost, AdvJPost]
    assert [(p.title, p.views, p.name) for p in posts] == [("beta", 20, "b-post"), ("alpha", 10, "a-post")]


async def test_a_shared_column_name_is_prefixed_with_the_joined_table(engine):
    await seed(engine)
    rows = await (
        post_author_join()
        .select(AdvJPost.title, AdvJPost.name, AdvJAuthor.name)
        .order_by(AdvJPost.id)
    )
    assert rows == [
        {"title": "alpha", "name": "a-post", "adv_j_author.name": "Ann"},
        {"title": "beta", "name": "b-post", "adv_j_author.name": "Ann"},
        {"title": "gamma", "name": None, "adv_j_author.name": "Bob"},
    ]


async def test_the_query_model_keeps_the_bare_name_whatever_the_select_order(engine):
    await seed(engine)
    rows = await (
        AdvJAuthor.all()
        .join(AdvJPost, on=AdvJPost.author_id == AdvJAuthor.id)
        .select(AdvJPost.name, AdvJAuthor.name)
        .where(AdvJPost.views >= 20)
        .order_by(AdvJPost.views)
    )
    assert rows == [
        {"adv_j_post.name": "b-post", "name": "Ann"},
        {"adv_j_post.name": None, "name": "Bob"},
    ]


async def test_when_no_colliding_column_is_of_the_query_model_every_one_is_prefixed(engine):
    await seed(engine)
    rows = await (
        AdvJComment.all()
        .join(AdvJPost, on=AdvJComment.post_id == AdvJPost.id)
        .join(AdvJAuthor, on=AdvJPost.author_id == AdvJAuthor.id)
        .select(AdvJPost.name, AdvJAuthor.name, AdvJPost.title)
    )
    assert rows == [{"adv_j_post.name": "a-post", "adv_j_author.name": "Ann", "title": "alpha"}]


async def test_three_colliding_names_including_the_query_model(engine):
    await seed(engine)
    rows = await (
        AdvJComment.all()
        .join(AdvJPost, on=AdvJComment.post_id == AdvJPost.id)
        .join(AdvJAuthor, on=AdvJPost.author_id == AdvJAuthor.id)
        .select(AdvJComment.name, AdvJPost.name, AdvJAuthor.name)
    )
    assert rows == [{"name": "first!", "adv_j_post.name": "a-post", "adv_j_author.name": "Ann"}]


async def test_a_label_resolves_a_collision(engine):
    await seed(engine)
    rows = await (
        post_author_join()
        .select(AdvJPost.name.label("post_name"), AdvJAuthor.name.label("author_name"))
        .where(AdvJPost.title == "alpha")
    )
    assert rows == [{"post_name": "a-post", "author_name": "Ann"}]


async def test_the_same_column_selected_twice_is_a_query_error_and_sends_nothing(engine, sql_log):
    await seed(engine)
    sql_log.clear()
    with pytest.raises(QueryError, match=r"several result columns named 'title'.*\.label\(\)"):
        await AdvJPost.all().select(AdvJPost.title, AdvJPost.title)
    assert sql_log.statements == []


async def test_a_label_equal_to_a_column_name_is_a_query_error_not_an_overwrite(engine, sql_log):
    await seed(engine)
    sql_log.clear()
    qs = post_author_join().select(AdvJPost.title, AdvJAuthor.name.label("title"))
    with pytest.raises(QueryError, match=r"several result columns named 'title'"):
        await qs
    assert sql_log.statements == []


async def test_a_label_named_like_a_prefixed_key_is_a_query_error(engine, sql_log):
    await seed(engine)
    sql_log.clear()
    qs = post_author_join().select(
        AdvJPost.name, AdvJAuthor.name, AdvJPost.title.label("adv_j_author.name")
    )
    with pytest.raises(QueryError, match=r"'adv_j_author\.name'"):
        await qs
    assert sql_log.statements == []


async def test_left_join_keeps_rows_without_a_match_and_counts_them_as_zero(engine):
    await seed(engine)
    rows = await (
        AdvJAuthor.all()
        .left_join(AdvJPost, on=AdvJPost.author_id == AdvJAuthor.id)
        .select(AdvJAuthor.name, Count(AdvJPost.id).label("post_count"))
        .group_by(AdvJAuthor.id, AdvJAuthor.name)
        .order_by(AdvJAuthor.name)
    )
    assert rows == [
        {"name": "Ann", "post_count": 2},
        {"name": "Bob", "post_count": 1},
        {"name": "Cy", "post_count": 0},
    ]
    assert all(type(r["post_count"]) is int for r in rows)


async def test_left_join_fills_the_missing_side_with_none(engine):
    await seed(engine)
    rows = await (
        AdvJAuthor.all()
        .left_join(AdvJPost, on=AdvJPost.author_id == AdvJAuthor.id)
        .select(AdvJAuthor.name, AdvJPost.title, AdvJPost.views)
        .where(AdvJAuthor.name != "Ann")
        .order_by(AdvJAuthor.name)
    )
    assert rows == [
        {"name": "Bob", "title": "gamma", "views": 30},
        {"name": "Cy", "title": None, "views": None},
    ]


async def test_right_join_keeps_rows_of_the_joined_model_without_a_match(engine):
    await seed(engine)
    rows = await (
        AdvJPost.all()
        .right_join(AdvJAuthor, on=AdvJPost.author_id == AdvJAuthor.id)
        .select(AdvJPost.title, AdvJAuthor.name, AdvJAuthor.active)
        .order_by(AdvJAuthor.id, AdvJPost.id)
    )
    # the post without an author is dropped, the author without posts is kept
    assert rows == [
        {"title": "alpha", "name": "Ann", "active": True},
        {"title": "beta", "name": "Ann", "active": True},
        {"title": "gamma", "name": "Bob", "active": False},
        {"title": None, "name": "Cy", "active": True},
    ]
    assert type(rows[3]["active"]) is bool


async def test_a_join_with_a_compound_on_condition_binds_its_values(engine):
    await seed(engine)
    rows = await (
        AdvJAuthor.all()
        .left_join(
            AdvJPost, on=(AdvJPost.author_id == AdvJAuthor.id) & (AdvJPost.views > 15)
        )
        .select(AdvJAuthor.name, AdvJPost.title)
        .where(AdvJAuthor.name != "Cy")
        .order_by(AdvJAuthor.name)
    )
    assert rows == [{"name": "Ann", "title": "beta"}, {"name": "Bob", "title": "gamma"}]


async def test_order_by_a_joined_column_name_given_as_text(engine):
    await seed(engine)
    rows = await post_author_join().select(AdvJPost.title, AdvJAuthor.joined).order_by("-views", "title")
    assert [r["title"] for r in rows] == ["gamma", "beta", "alpha"]
