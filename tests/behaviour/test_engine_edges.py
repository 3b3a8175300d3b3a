"""Edge cases of transactions, query shapes and keys that a review reproduced as bugs."""

from __future__ import annotations

import asyncio

import pytest

import kakaorm
from kakaorm import BoolColumn, ForeignKey, IntColumn, Model, QueryError, StrColumn


class EdgeItem(Model):
    name = StrColumn(nullable=False, max_length=50)
    views = IntColumn(nullable=False, default=0)
    flag = BoolColumn(nullable=False, default=False)


class EdgeCountry(Model):
    code = StrColumn(primary_key=True, max_length=2)
    name = StrColumn(nullable=False, max_length=50)


class EdgeCity(Model):
    name = StrColumn(nullable=False, max_length=50)
    country = ForeignKey(EdgeCountry, nullable=False)


class EdgePort(Model):
    name = StrColumn(nullable=False, max_length=50)
    country = ForeignKey("EdgeCountry", nullable=True)


async def test_a_transaction_closed_from_another_task_still_releases_its_connection(engine):
    await engine.create_table(EdgeItem)

    async def rows_in_a_transaction():
        async with engine.transaction():
            await EdgeItem.create(name="inside")
            yield 1
            yield 2

    gen = rows_in_a_transaction()
    assert await gen.__anext__() == 1
    # closing the generator from another task exits the block in another context
    await asyncio.create_task(gen.aclose())
    assert engine.pool_stats().in_use == 0
    assert await EdgeItem.all().count() == 0  # the unfinished block was rolled back
    await EdgeItem.create(name="after")
    assert [i.name for i in await EdgeItem.all()] == ["after"]


async def test_cancelling_inside_a_nested_transaction_raises_cancelled_and_rolls_back(engine):
    await engine.create_table(EdgeItem)
    started = asyncio.Event()

    async def work():
        async with engine.transaction():
            await EdgeItem.create(name="outer")
            async with engine.transaction():
                await EdgeItem.create(name="inner")
                started.set()
                await asyncio.sleep(30)

    task = asyncio.create_task(work())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert engine.pool_stats().in_use == 0
    assert await EdgeItem.all().count() == 0
    await EdgeItem.create(name="usable")
    assert await EdgeItem.all().count() == 1


async def test_exists_on_a_union_and_on_distinct_counts_the_rows_they_yield(engine):
    await engine.create_table(EdgeItem)
    await EdgeItem.bulk_create([EdgeItem(name="a", views=1), EdgeItem(name="b", views=1), EdgeItem(name="c", views=2)])
    low = EdgeItem.where(EdgeItem.views == 1)
    high = EdgeItem.where(EdgeItem.views == 2)
    assert await low.union(high).exists() is True
    assert await EdgeItem.where(EdgeItem.views > 5).union(EdgeItem.where(EdgeItem.views > 6)).exists() is False
    distinct_views = EdgeItem.all().select(EdgeItem.views).distinct()
    assert await distinct_views.order_by(EdgeItem.views).offset(1) == [{"views": 2}]
    assert await distinct_views.offset(1).exists() is True
    assert await distinct_views.offset(2).exists() is False


async def test_aggregates_refuse_a_union_or_distinct_query(engine):
    await engine.create_table(EdgeItem)
    union = EdgeItem.where(EdgeItem.views == 1).union(EdgeItem.where(EdgeItem.views == 2))
    with pytest.raises(QueryError, match="union/distinct"):
        await union.sum(EdgeItem.views)
    with pytest.raises(QueryError, match="union/distinct"):
        await EdgeItem.all().distinct().aggregate(n=kakaorm.Count())


async def test_sum_of_a_boolean_column_is_the_number_of_true_rows(engine):
    await engine.create_table(EdgeItem)
    await EdgeItem.bulk_create([EdgeItem(name=n, flag=f) for n, f in [("a", True), ("b", True), ("c", False)]])
    total = await EdgeItem.all().sum(EdgeItem.flag)
    assert total == 2
    assert type(total) is int


async def test_a_foreign_key_to_a_text_key_saves_and_loads(engine):
    await engine.create_table(EdgeCountry, EdgeCity, EdgePort)
    await EdgeCountry.create(code="fr", name="France")
    city = await EdgeCity.create(name="Lyon", country="fr")
    port = await EdgePort.create(name="Marseille", country="fr")
    loaded = await EdgeCity.get(EdgeCity.id == city.id)
    assert (loaded.name, loaded.country) == ("Lyon", "fr")
    assert (await EdgePort.get(EdgePort.id == port.id)).country == "fr"
    with pytest.raises(TypeError, match=r"EdgeCity\.country"):
        await EdgeCity.create(name="Nowhere", country=7)


class EdgeCode(Model):
    code = StrColumn(nullable=False, max_length=20, check="code NOT LIKE 'x%'")


async def test_a_check_constraint_with_a_percent_sign_is_created_and_enforced(engine):
    await engine.create_table(EdgeCode)
    await EdgeCode.create(code="abc")
    with pytest.raises(kakaorm.IntegrityError):
        await EdgeCode.create(code="xyz")
    assert [c.code for c in await EdgeCode.all()] == ["abc"]


class EdgeCopy(Model):
    name = StrColumn(nullable=False, max_length=50)


async def test_insert_into_with_explicit_keys_leaves_room_for_generated_ones(engine):
    await engine.create_table(EdgeItem, EdgeCopy)
    await EdgeItem.bulk_create([EdgeItem(name=n) for n in ("a", "b", "c")])
    copied = await EdgeItem.all().insert_into(EdgeCopy, id=EdgeItem.id, name=EdgeItem.name)
    assert copied == 3
    fresh = await EdgeCopy.create(name="d")
    assert fresh.id == 4
    assert [(c.id, c.name) for c in await EdgeCopy.all().order_by(EdgeCopy.id)] == [
        (1, "a"), (2, "b"), (3, "c"), (4, "d")
    ]


async def test_ilike_folds_non_ascii_letters(engine, backend):
    await engine.create_table(EdgeItem)
    await EdgeItem.create(name="Émile Zola")
    await EdgeItem.create(name="ÅSA")
    assert [i.name for i in await EdgeItem.where(EdgeItem.name.ilike("émile%"))] == ["Émile Zola"]
    assert [i.name for i in await EdgeItem.where(EdgeItem.name.ilike("åsa"))] == ["ÅSA"]


async def test_mistakes_in_raw_sql_are_programming_errors_on_every_backend(engine):
    await engine.create_table(EdgeItem)
    with pytest.raises(kakaorm.ProgrammingError):
        await engine.fetch("SELECT no_such_function_kk(1)")
    with pytest.raises(kakaorm.ProgrammingError):
        await engine.fetch("SELECT 1, 2 UNION SELECT 1")
