"""Code written for kakaorm 0.4 runs on every backend: its import paths,
``QuerySet.execute()``, positional ``DecimalColumn(10, 2)``, isinstance checks on
relation descriptors and engines, and the error texts and types it catches.

The models import only through 0.4's module paths, as a 0.4 application does.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kakaorm import QueryError, UnknownRelationError
from kakaorm.columns.base import Count, Sum
from kakaorm.columns.types import DecimalColumn, ForeignKey, IntColumn, StrColumn
from kakaorm.engine import AioMySQLEngine, AioSQLiteEngine, AsyncpgEngine, Psycopg3Engine
from kakaorm.model import Model
from kakaorm.relationship import belongs_to, has_many, has_one


class CsAuthor(Model):
    name = StrColumn(nullable=False)
    posts = has_many("CsPost", foreign_key="author_id")
    profile = has_one("CsProfile", foreign_key="author_id")

    class Meta:
        table_name = "author"


class CsProfile(Model):
    bio = StrColumn(nullable=False)
    author_id = ForeignKey(CsAuthor, nullable=False)

    class Meta:
        table_name = "profile"


class CsPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)
    price = DecimalColumn(10, 2)
    author_id = ForeignKey(CsAuthor, nullable=True)
    author = belongs_to(CsAuthor, foreign_key="author_id")

    class Meta:
        table_name = "post"


class CsArchive(Model):
    post_id = IntColumn(nullable=False)
    title = StrColumn(nullable=False)

    class Meta:
        table_name = "post_archive"


async def _seed(engine) -> None:
    await engine.create_table(CsAuthor, CsProfile, CsPost, CsArchive)
    ann = await CsAuthor.create(name="ann")
    await CsAuthor.create(name="bob")
    await CsProfile.create(bio="writes", author_id=ann.id)
    for title, views in [("a", 5), ("b", 50), ("c", 500)]:
        await CsPost.create(title=title, views=views, author_id=ann.id)


# -- QuerySet.execute() ---------------------------------------------------------------


async def test_execute_returns_the_model_rows_that_awaiting_the_query_returns(engine):
    await _seed(engine)
    query = CsPost.where(CsPost.views >= 50).order_by(CsPost.views.desc)
    executed = await query.execute()
    assert [(type(p), p.title, p.views) for p in executed] == [(CsPost, "c", 500), (CsPost, "b", 50)]
    assert executed == await query
    assert await CsPost.where(CsPost.views > 10_000).execute() == []


async def test_execute_of_a_select_returns_dicts_as_awaiting_it_does(engine):
    await _seed(engine)
    query = CsPost.all().select(CsPost.title, CsPost.views).order_by(CsPost.title)
    assert await query.execute() == [
        {"title": "a", "views": 5}, {"title": "b", "views": 50}, {"title": "c", "views": 500},
    ]
    grouped = (
        CsPost.all()
        .select(CsPost.author_id, Count("*").label("n"), Sum(CsPost.views).label("total"))
        .group_by(CsPost.author_id)
    )
    assert await grouped.execute() == [{"author_id": 1, "n": 3, "total": 555}]


async def test_execute_runs_the_query_again_each_time_and_keeps_prefetch(engine, sql_log):
    await _seed(engine)
    query = CsPost.all().order_by(CsPost.id).prefetch("author")
    first = await query.execute()
    await CsPost.create(title="d", views=1)
    second = await query.execute()
    assert [p.title for p in first] == ["a", "b", "c"]
    assert [p.title for p in second] == ["a", "b", "c", "d"]
    sql_log.clear()
    assert [(a.name if a else None) for a in [await p.author for p in second]] == ["ann", "ann", "ann", None]
    assert sql_log.statements == []


# -- DecimalColumn(max_digits, decimal_places) -----------------------------------------


async def test_positional_decimal_column_stores_exact_values_at_its_scale(engine):
    await engine.create_table(CsAuthor, CsProfile, CsPost)
    column = CsPost.price
    assert (column.max_digits, column.decimal_places) == (10, 2)
    keyword = DecimalColumn(max_digits=10, decimal_places=2)
    assert engine.dialect.compiler.column_type(column) == engine.dialect.compiler.column_type(keyword)
    values = [Decimal("12345678.91"), Decimal("-0.05"), Decimal("1.5"), 7, "3.10"]
    for i, v in enumerate(values):
        await CsPost.create(title=f"p{i}", price=v)
    stored = [p.price for p in await CsPost.all().order_by(CsPost.id)]
    assert stored == [Decimal("12345678.91"), Decimal("-0.05"), Decimal("1.50"), Decimal("7.00"), Decimal("3.10")]
    assert [str(v) for v in stored] == ["12345678.91", "-0.05", "1.50", "7.00", "3.10"]
    assert all(type(v) is Decimal for v in stored)
    assert await CsPost.where(CsPost.price == Decimal("1.50")).count() == 1


# -- isinstance on relation descriptors and engines ------------------------------------


@pytest.mark.parametrize(
    ("model", "name", "kind"),
    [(CsAuthor, "posts", has_many), (CsAuthor, "profile", has_one), (CsPost, "author", belongs_to)],
)
async def test_relation_descriptors_are_instances_of_their_04_name_only(engine, model, name, kind):
    await _seed(engine)
    descriptor = model.__dict__[name]
    assert getattr(model, name) is descriptor
    assert [k.__name__ for k in (has_many, has_one, belongs_to) if isinstance(descriptor, k)] == [kind.__name__]
    # and the relation still loads through the descriptor
    ann = await CsAuthor.get(CsAuthor.name == "ann")
    post = await CsPost.get(CsPost.title == "a")
    loaded = await getattr(post if model is CsPost else ann, name)
    expected = {"posts": ["a", "b", "c"], "profile": "writes", "author": "ann"}[name]
    if name == "posts":
        assert [p.title for p in loaded] == expected
    else:
        assert getattr(loaded, "bio" if name == "profile" else "name") == expected


ENGINE_CLASS = {
    "sqlite": AioSQLiteEngine,
    "postgres-asyncpg": AsyncpgEngine,
    "postgres-psycopg": Psycopg3Engine,
    "mysql": AioMySQLEngine,
}


async def test_the_engine_is_an_instance_of_exactly_its_04_driver_class(engine, backend):
    matching = [cls.__name__ for cls in ENGINE_CLASS.values() if isinstance(engine, cls)]
    assert matching == [ENGINE_CLASS[backend.id].__name__]


# -- errors 0.4 code catches ------------------------------------------------------------


async def test_prefetch_of_an_unknown_relation_is_a_query_error_and_an_attribute_error(engine, sql_log):
    await _seed(engine)
    sql_log.clear()
    with pytest.raises(AttributeError) as info:
        await CsPost.all().prefetch("nope")
    assert type(info.value) is UnknownRelationError
    assert isinstance(info.value, QueryError)
    assert str(info.value) == (
        "prefetch('nope'): CsPost has no relation named 'nope'; its relations are: author. "
        "Declare it with belongs_to/has_many/has_one/many_to_many, or prefetch one of those"
    )
    with pytest.raises(QueryError, match=r"^prefetch\('author__nope'\): CsAuthor has no relation named 'nope'; its relations are: posts, profile\."):
        await CsPost.all().prefetch("author__nope")
    assert sql_log.statements == []


async def test_an_unknown_field_is_a_type_error_saying_unknown_field(engine):
    await _seed(engine)
    message = "Unknown field 'titel' for CsPost(); valid fields: author_id, id, price, title, views"
    with pytest.raises(TypeError) as info:
        CsPost(titel="x")
    assert str(info.value) == message
    with pytest.raises(TypeError) as info:
        await CsPost.create(titel="x")
    assert str(info.value) == message
    assert await CsPost.count() == 3


async def test_an_unknown_column_in_update_or_insert_into_is_a_value_error_saying_unknown_column(engine, sql_log):
    await _seed(engine)
    sql_log.clear()
    with pytest.raises(ValueError) as info:
        await CsPost.all().update(veiws=1)
    assert str(info.value) == (
        "Unknown column 'veiws' for CsPost; its columns are: id, title, views, price, author_id"
    )
    with pytest.raises(ValueError) as info:
        await CsPost.all().insert_into(CsArchive, postid=CsPost.id, title=CsPost.title)
    assert str(info.value) == "Unknown column 'postid' for CsArchive; its columns are: id, post_id, title"
    assert sql_log.statements == []
    assert sorted(p.views for p in await CsPost.all()) == [5, 50, 500]
    assert await CsArchive.count() == 0
