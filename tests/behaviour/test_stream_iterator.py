"""QuerySet.iterator(): rows streamed in chunks, converted and hydrated as awaiting
the query does, the connection given back however the loop ends."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import decimal

import pytest

from kakaorm import (
    BoolColumn,
    DateTimeColumn,
    DecimalColumn,
    ForeignKey,
    IntColumn,
    Model,
    QueryError,
    SoftDeleteModel,
    StrColumn,
    belongs_to,
)

CHUNK = 4


class StAuthor(Model):
    name = StrColumn(nullable=False, max_length=50)


class StPost(Model):
    n = IntColumn(nullable=False)
    title = StrColumn(nullable=False, max_length=50)
    author_id = ForeignKey(StAuthor, nullable=True)
    author = belongs_to(StAuthor, foreign_key="author_id")


class StTyped(Model):
    at = DateTimeColumn(nullable=False)
    price = DecimalColumn(max_digits=10, decimal_places=2, nullable=False)
    flag = BoolColumn(nullable=False)


class StSoft(SoftDeleteModel):
    n = IntColumn(nullable=False)


async def seed(engine, count):
    await engine.create_table(StAuthor, StPost)
    if count:
        await StPost.bulk_create([StPost(n=i, title=f"post {i}") for i in range(count)])


async def wait_released(engine, in_use=0):
    # an abandoned iterator is closed by the event loop in a task of its own
    for _ in range(200):
        if engine.pool_stats().in_use == in_use:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"connection not released: {engine.pool_stats()}")


@pytest.mark.parametrize("count", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 2])
async def test_iterator_yields_every_row_in_order(engine, count):
    await seed(engine, count)
    got = [p async for p in StPost.all().order_by(StPost.n.desc).iterator(chunk_size=CHUNK)]
    assert [(type(p), p.n, p.title) for p in got] == [
        (StPost, i, f"post {i}") for i in reversed(range(count))
    ]
    assert engine.pool_stats().in_use == 0


async def test_iterator_instances_are_saved_instances(engine):
    await seed(engine, 3)
    got = [p async for p in StPost.all().order_by(StPost.n).iterator(chunk_size=2)]
    got[1].title = "changed"
    await got[1].save()
    assert [p.title for p in await StPost.all().order_by(StPost.n)] == ["post 0", "changed", "post 2"]


async def test_iterator_converts_values_as_a_normal_fetch(engine):
    await engine.create_table(StTyped)
    at = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    for i in range(5):
        await StTyped.create(at=at + datetime.timedelta(days=i), price=decimal.Decimal(f"{i}.25"), flag=i % 2 == 0)
    fetched = await StTyped.all().order_by(StTyped.id)
    streamed = [t async for t in StTyped.all().order_by(StTyped.id).iterator(chunk_size=2)]
    rows = [(t.at, t.price, t.flag) for t in streamed]
    assert rows == [(t.at, t.price, t.flag) for t in fetched]
    assert rows[3] == (at + datetime.timedelta(days=3), decimal.Decimal("3.25"), False)
    assert [(type(a), type(p), type(f)) for a, p, f in rows] == [(datetime.datetime, decimal.Decimal, bool)] * 5
    dicts = [d async for d in StTyped.all().order_by(StTyped.id).select(StTyped.price, StTyped.flag).iterator(chunk_size=3)]
    assert dicts == [{"price": decimal.Decimal(f"{i}.25"), "flag": i % 2 == 0} for i in range(5)]


async def test_iterator_of_a_select_yields_dicts(engine):
    await seed(engine, 7)
    qs = StPost.where(StPost.n >= 2).order_by(StPost.n).select(StPost.n, StPost.title)
    got = [d async for d in qs.iterator(chunk_size=CHUNK)]
    assert got == [{"n": i, "title": f"post {i}"} for i in range(2, 7)]
    assert got == await qs


async def test_iterator_leaves_soft_deleted_rows_out(engine):
    await engine.create_table(StSoft)
    rows = [await StSoft.create(n=i) for i in range(6)]
    await rows[1].delete()
    await rows[4].delete()
    assert [r.n async for r in StSoft.all().order_by(StSoft.n).iterator(chunk_size=2)] == [0, 2, 3, 5]
    assert [r.n async for r in StSoft.all().include_deleted().order_by(StSoft.n).iterator(chunk_size=2)] == list(range(6))


async def test_leaving_the_loop_early_gives_the_connection_back(engine):
    await seed(engine, 3 * CHUNK)
    seen = []
    async for p in StPost.all().order_by(StPost.n).iterator(chunk_size=CHUNK):
        seen.append(p.n)
        if p.n == 5:
            break
    assert seen == [0, 1, 2, 3, 4, 5]
    await wait_released(engine)
    # the connection is clean: a later query (on the same pooled connection) reads all
    assert await StPost.all().count() == 3 * CHUNK


async def test_aclosing_gives_the_connection_back_at_once(engine):
    await seed(engine, 3 * CHUNK)
    async with contextlib.aclosing(StPost.all().order_by(StPost.n).iterator(chunk_size=CHUNK)) as rows:
        async for p in rows:
            assert engine.pool_stats().in_use == 1
            if p.n == 1:
                break
    assert engine.pool_stats().in_use == 0
    assert [p.n async for p in StPost.where(StPost.n < 3).order_by(StPost.n).iterator()] == [0, 1, 2]


async def test_an_exception_in_the_loop_body_gives_the_connection_back(engine):
    await seed(engine, 3 * CHUNK)
    with pytest.raises(RuntimeError, match=r"^body failed$"):
        async for p in StPost.all().order_by(StPost.n).iterator(chunk_size=CHUNK):
            if p.n == CHUNK + 1:
                raise RuntimeError("body failed")
    await wait_released(engine)
    assert await StPost.all().count() == 3 * CHUNK


async def test_a_cancelled_loop_gives_the_connection_back(engine):
    await seed(engine, 3 * CHUNK)
    reached = asyncio.Event()

    async def consume():
        async for p in StPost.all().order_by(StPost.n).iterator(chunk_size=CHUNK):
            if p.n == 2:
                reached.set()
                await asyncio.sleep(3600)

    task = asyncio.create_task(consume())
    await reached.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await wait_released(engine)
    assert await StPost.all().count() == 3 * CHUNK


async def test_iterator_inside_a_transaction_sees_its_uncommitted_rows(engine):
    await seed(engine, 2)
    async with engine.transaction():
        await StPost.bulk_create([StPost(n=i, title=f"new {i}") for i in range(2, 2 + CHUNK)])
        got = [p.title async for p in StPost.all().order_by(StPost.n).iterator(chunk_size=CHUNK)]
        assert got == ["post 0", "post 1"] + [f"new {i}" for i in range(2, 2 + CHUNK)]
        # the transaction's one connection is lent, and nothing more
        assert engine.pool_stats().in_use == 1
    assert engine.pool_stats().in_use == 0
    assert await StPost.all().count() == 2 + CHUNK


@pytest.mark.backends("sqlite", "postgres")
async def test_loop_body_may_write_inside_a_transaction(engine):
    await seed(engine, 2 * CHUNK)
    async with engine.transaction():
        async for p in StPost.all().order_by(StPost.n).iterator(chunk_size=CHUNK):
            await StPost.where(StPost.id == p.id).update(title=f"seen {p.n}")
    assert [p.title for p in await StPost.all().order_by(StPost.n)] == [f"seen {i}" for i in range(2 * CHUNK)]


@pytest.mark.backends("postgres", "mysql")
async def test_loop_body_may_query_outside_a_transaction(engine):
    await seed(engine, 2 * CHUNK)
    counts = []
    async for p in StPost.all().order_by(StPost.n).iterator(chunk_size=CHUNK):
        counts.append(await StPost.where(StPost.n <= p.n).count())
    assert counts == list(range(1, 2 * CHUNK + 1))
    assert engine.pool_stats().in_use == 0


@pytest.mark.backends("mysql")
async def test_mysql_statement_during_a_stream_in_a_transaction_is_a_query_error(engine):
    await seed(engine, 2 * CHUNK)
    async with engine.transaction():
        with pytest.raises(QueryError, match=r"^MariaDB/MySQL cannot run another statement on this connection while iterator\(\) streams"):
            async with contextlib.aclosing(StPost.all().order_by(StPost.n).iterator(chunk_size=CHUNK)) as rows:
                async for p in rows:
                    await StPost.where(StPost.id == p.id).update(title="x")
        # aclosing read the rest of the result when the loop raised: the transaction goes on
        assert await StPost.where(StPost.title == "x").count() == 0
        assert await StPost.all().count() == 2 * CHUNK
    assert engine.pool_stats().in_use == 0


@pytest.mark.backends("sqlite")
async def test_sqlite_query_in_the_loop_body_outside_a_transaction_is_a_query_error(engine):
    await seed(engine, 3)
    with pytest.raises(QueryError, match=r"^this task already holds SQLite's one connection \(an open QuerySet\.iterator\(\) loop\)"):
        async for _ in StPost.all().iterator(chunk_size=2):
            await StPost.all().count()
    await wait_released(engine)


async def test_prefetch_with_iterator_loads_relations_per_chunk(engine, backend):
    await seed(engine, 0)
    authors = [await StAuthor.create(name=f"a{i}") for i in range(3)]
    await StPost.bulk_create([StPost(n=i, title=f"p{i}", author_id=authors[i % 3].id) for i in range(7)])
    qs = StPost.all().order_by(StPost.n).prefetch("author").iterator(chunk_size=CHUNK)
    if backend.family == "sqlite":
        with pytest.raises(QueryError, match=r"^iterator\(\) with prefetch\(\) on sqlite: the database has one connection"):
            async for _ in qs:
                pass
        async with engine.transaction():
            got = [(p.n, (await p.author).name) async for p in StPost.all().order_by(StPost.n).prefetch("author").iterator(chunk_size=CHUNK)]
    else:
        got = [(p.n, (await p.author).name) async for p in qs]
    assert got == [(i, f"a{i % 3}") for i in range(7)]


@pytest.mark.parametrize("bad", [0, -1, 1.5, "10", True, None])
async def test_chunk_size_must_be_a_positive_int(engine, bad):
    with pytest.raises(ValueError, match=r"^chunk_size must be an int of at least 1 \(the rows read per round trip\), got "):
        StPost.all().iterator(chunk_size=bad)


@pytest.mark.backends("sqlite", "postgres")
async def test_an_abandoned_iterator_inside_a_transaction_lets_it_go_on_and_commit(engine):
    await seed(engine, 3 * CHUNK)
    async with engine.transaction():
        async for p in StPost.all().order_by(StPost.n).iterator(chunk_size=CHUNK):
            if p.n == 1:
                break
        await StPost.where(StPost.n == 0).update(title="first")
        assert await StPost.where(StPost.title == "first").count() == 1
    await asyncio.sleep(0.05)  # the event loop closes the abandoned iterator meanwhile
    assert [p.title for p in await StPost.where(StPost.n < 2).order_by(StPost.n)] == ["first", "post 1"]
    assert engine.pool_stats().in_use == 0


@pytest.mark.backends("mysql")
async def test_mysql_query_after_breaking_without_aclosing_in_a_transaction_is_a_query_error(engine):
    await seed(engine, 3 * CHUNK)
    with pytest.raises(QueryError, match=r"close the iterator before the next query \(async with contextlib\.aclosing"):
        async with engine.transaction():
            async for p in StPost.all().order_by(StPost.n).iterator(chunk_size=CHUNK):
                if p.n == 1:
                    break
            await StPost.where(StPost.n == 0).update(title="lost")
    await wait_released(engine)
    assert await StPost.where(StPost.title == "lost").count() == 0
    assert await StPost.all().count() == 3 * CHUNK
