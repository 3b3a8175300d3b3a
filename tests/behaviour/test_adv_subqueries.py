"""Subqueries on every backend: IN / NOT IN with a Subquery or a QuerySet, and the
order in which a subquery's parameters bind among the outer query's."""

from __future__ import annotations

import pytest

from kakaorm import Avg, BoolColumn, ForeignKey, IntColumn, Model, QueryError, StrColumn, Subquery


class AdvSAuthor(Model):
    name = StrColumn(nullable=False, max_length=40)
    is_active = BoolColumn(nullable=False, default=True)


class AdvSPost(Model):
    title = StrColumn(nullable=False, max_length=40)
    views = IntColumn(nullable=False, default=0)
    author_id = ForeignKey(AdvSAuthor, nullable=True)


async def seed(engine):
    await engine.create_table(AdvSAuthor, AdvSPost)
    ann = await AdvSAuthor.create(name="Ann", is_active=True)
    bob = await AdvSAuthor.create(name="Bob", is_active=False)
    cy = await AdvSAuthor.create(name="Cy", is_active=True)
    for title, views, author in [
        ("a1", 10, ann), ("a2", 20, ann), ("b1", 30, bob), ("c1", 40, cy), ("none", 50, None),
    ]:
        await AdvSPost.create(title=title, views=views, author_id=None if author is None else author.id)


def titles(posts):
    return [p.title for p in posts]


async def test_in_a_subquery_object(engine):
    await seed(engine)
    active = AdvSAuthor.where(AdvSAuthor.is_active == True).select(AdvSAuthor.id)  # noqa: E712
    posts = await AdvSPost.where(AdvSPost.author_id.in_(Subquery(active))).order_by(AdvSPost.id)
    assert titles(posts) == ["a1", "a2", "c1"]


async def test_in_a_queryset_passed_directly(engine):
    await seed(engine)
    active = AdvSAuthor.where(AdvSAuthor.is_active == True).select(AdvSAuthor.id)  # noqa: E712
    posts = await AdvSPost.where(AdvSPost.author_id.in_(active)).order_by(AdvSPost.id)
    assert titles(posts) == ["a1", "a2", "c1"]


async def test_not_in_a_subquery(engine):
    await seed(engine)
    inactive = AdvSAuthor.where(AdvSAuthor.is_active == False).select(AdvSAuthor.id)  # noqa: E712
    posts = await AdvSPost.where(AdvSPost.author_id.not_in(inactive)).order_by(AdvSPost.id)
    # SQL's NOT IN is unknown for a NULL author_id, so the post without author is not kept
    assert titles(posts) == ["a1", "a2", "c1"]


async def test_parameters_before_inside_and_after_a_subquery_bind_in_order(engine):
    await seed(engine)
    # were the three values bound in another order, another set of rows would match
    qs = AdvSPost.where(
        AdvSPost.views >= 20,
        AdvSPost.id.in_(AdvSPost.where(AdvSPost.views <= 40).select(AdvSPost.id)),
        AdvSPost.views != 30,
    )
    assert titles(await qs.order_by(AdvSPost.id)) == ["a2", "c1"]
    # the same shape with other values reuses the compiled statement with the new values
    qs2 = AdvSPost.where(
        AdvSPost.views >= 10,
        AdvSPost.id.in_(AdvSPost.where(AdvSPost.views <= 30).select(AdvSPost.id)),
        AdvSPost.views != 20,
    )
    assert titles(await qs2.order_by(AdvSPost.id)) == ["a1", "b1"]


async def test_subquery_parameters_bind_in_order_with_selected_values_and_a_limit(engine):
    await seed(engine)
    names = AdvSAuthor.where(AdvSAuthor.name != "Bob").select(AdvSAuthor.id)
    rows = await (
        AdvSPost.where(AdvSPost.views > 10, AdvSPost.author_id.in_(names))
        .select(AdvSPost.title, (AdvSPost.views + 1).label("next"))
        .order_by(AdvSPost.views.desc)
        .limit(2)
    )
    assert rows == [{"title": "c1", "next": 41}, {"title": "a2", "next": 21}]


async def test_a_subquery_with_order_and_limit(engine):
    await seed(engine)
    top_two = AdvSPost.all().select(AdvSPost.id).order_by(AdvSPost.views.desc).limit(2)
    posts = await AdvSPost.where(AdvSPost.id.in_(top_two)).order_by(AdvSPost.id)
    assert titles(posts) == ["c1", "none"]


async def test_nested_subqueries(engine):
    await seed(engine)
    active_ids = AdvSAuthor.where(AdvSAuthor.is_active == True).select(AdvSAuthor.id)  # noqa: E712
    busy_posts = AdvSPost.where(AdvSPost.author_id.in_(active_ids), AdvSPost.views > 15).select(AdvSPost.id)
    posts = await AdvSPost.where(AdvSPost.id.in_(busy_posts), AdvSPost.views < 100).order_by(AdvSPost.id)
    assert titles(posts) == ["a2", "c1"]


async def test_a_subquery_in_a_join_query_selecting_dicts(engine):
    await seed(engine)
    rows = await (
        AdvSPost.all()
        .join(AdvSAuthor, on=AdvSPost.author_id == AdvSAuthor.id)
        .where(AdvSAuthor.id.not_in(AdvSAuthor.where(AdvSAuthor.name == "Ann").select(AdvSAuthor.id)))
        .select(AdvSAuthor.name, AdvSPost.title)
        .order_by(AdvSPost.id)
    )
    assert rows == [{"name": "Bob", "title": "b1"}, {"name": "Cy", "title": "c1"}]


async def test_a_scalar_subquery_compared_with_a_column(engine):
    await seed(engine)
    average = AdvSPost.all().select(Avg(AdvSPost.views))  # 30
    posts = await AdvSPost.where(AdvSPost.views > Subquery(average)).order_by(AdvSPost.id)
    assert titles(posts) == ["c1", "none"]


async def test_an_empty_subquery_matches_nothing_and_not_in_it_matches_everything(engine):
    await seed(engine)
    nobody = AdvSAuthor.where(AdvSAuthor.name == "Zed").select(AdvSAuthor.id)
    assert await AdvSPost.where(AdvSPost.author_id.in_(nobody)).count() == 0
    assert await AdvSPost.where(AdvSPost.author_id.not_in(nobody)).count() == 5


async def test_update_of_the_rows_a_subquery_selects(engine):
    await seed(engine)
    inactive = AdvSAuthor.where(AdvSAuthor.is_active == False).select(AdvSAuthor.id)  # noqa: E712
    changed = await AdvSPost.where(AdvSPost.author_id.in_(inactive)).update(views=AdvSPost.views + 5)
    assert changed == 1
    assert (await AdvSPost.get(AdvSPost.title == "b1")).views == 35


async def test_update_and_delete_with_a_subquery_on_the_same_table(engine):
    await seed(engine)
    low = AdvSPost.where(AdvSPost.views < 25).select(AdvSPost.id)
    assert await AdvSPost.where(AdvSPost.id.in_(low)).update(views=0) == 2
    assert await AdvSPost.where(AdvSPost.id.in_(AdvSPost.where(AdvSPost.views == 0).select(AdvSPost.id))).delete() == 2
    assert titles(await AdvSPost.all().order_by(AdvSPost.id)) == ["b1", "c1", "none"]


@pytest.mark.parametrize("negate", [False, True])
async def test_a_subquery_selecting_several_columns_is_a_query_error(engine, sql_log, negate):
    await seed(engine)
    sql_log.clear()
    whole_rows = AdvSAuthor.where(AdvSAuthor.name == "Ann")  # every column of the model
    method = AdvSPost.author_id.not_in if negate else AdvSPost.author_id.in_
    name = "not_in" if negate else "in_"
    with pytest.raises(QueryError, match=rf"{name}\(\) needs a subquery selecting one column, but this one selects 3: add \.select\(AdvSAuthor\.id\)"):
        method(whole_rows)
    assert sql_log.statements == []
