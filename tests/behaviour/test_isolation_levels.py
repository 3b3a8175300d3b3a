"""engine.transaction(isolation=...): the level holds for that transaction only, on
every backend, observed through what the database reports or how it behaves."""

from __future__ import annotations

import asyncio

import pytest

from kakaorm import IntColumn, Model, OperationalError, QueryError

LEVELS = ["serializable", "repeatable read", "read committed", "read uncommitted"]


class IsoRow(Model):
    v = IntColumn(nullable=False, default=0)


class Rollback(Exception):
    pass


async def value(row_id: int) -> int:
    return (await IsoRow.get(IsoRow.id == row_id)).v


async def read_around_an_outside_update(engine, row_id: int, **tx) -> tuple[int, int]:
    """Read the row, let another task (another connection) add 1 and commit, read again."""
    async with engine.transaction(**tx):
        first = await value(row_id)
        await asyncio.create_task(IsoRow.where(IsoRow.id == row_id).update(v=IsoRow.v + 1))
        second = await value(row_id)
    return first, second


@pytest.mark.backends("postgres")
@pytest.mark.parametrize("level", LEVELS)
async def test_postgres_reports_the_level_of_the_block_and_the_default_after_it(engine, level):
    async with engine.transaction(isolation=level):
        assert await engine.fetchval("SHOW transaction_isolation") == level
    async with engine.transaction():
        assert await engine.fetchval("SHOW transaction_isolation") == "read committed"
    assert await engine.fetchval("SHOW transaction_isolation") == "read committed"


@pytest.mark.backends("postgres", "mysql")
async def test_repeatable_read_keeps_its_snapshot_and_the_next_transaction_does_not(engine):
    await engine.create_table(IsoRow)
    row = await IsoRow.create(v=1)
    assert await read_around_an_outside_update(engine, row.id, isolation="repeatable read") == (1, 1)
    # the next transaction is back at the default (read committed on both servers)
    assert await read_around_an_outside_update(engine, row.id) == (2, 3)
    assert await read_around_an_outside_update(engine, row.id, isolation="read committed") == (3, 4)


@pytest.mark.backends("postgres", "mysql")
async def test_read_uncommitted_sees_an_open_write_on_mysql_only(engine, backend):
    await engine.create_table(IsoRow)
    row = await IsoRow.create(v=1)
    written, done = asyncio.Event(), asyncio.Event()

    async def open_write() -> None:
        with pytest.raises(Rollback):
            async with engine.transaction():
                await IsoRow.where(IsoRow.id == row.id).update(v=99)
                written.set()
                await done.wait()
                raise Rollback()

    writer = asyncio.create_task(open_write())
    await written.wait()
    try:
        async with engine.transaction(isolation="read uncommitted"):
            dirty = await value(row.id)
        async with engine.transaction():
            clean = await value(row.id)
    finally:
        done.set()
        await writer
    # PostgreSQL runs READ UNCOMMITTED as READ COMMITTED: it never reads a dirty row
    assert (dirty, clean) == ((99, 1) if backend.family == "mysql" else (1, 1))


@pytest.mark.backends("mysql")
async def test_mysql_serializable_reads_lock_the_row_and_the_next_transaction_does_not(engine):
    await engine.create_table(IsoRow)
    row = await IsoRow.create(v=1)

    async def lock_now() -> None:
        async with engine.transaction():
            await engine.fetch("SELECT v FROM iso_row WHERE id = %s FOR UPDATE NOWAIT", [row.id])

    async with engine.transaction(isolation="serializable"):
        assert await value(row.id) == 1
        with pytest.raises(OperationalError) as info:
            await asyncio.create_task(lock_now())
    assert "Lock wait timeout exceeded" in str(info.value)
    async with engine.transaction():
        assert await value(row.id) == 1
        await asyncio.create_task(lock_now())  # a READ COMMITTED read takes no lock


async def test_serializable_is_accepted_everywhere_and_commits(engine):
    await engine.create_table(IsoRow)
    async with engine.transaction(isolation="serializable"):
        row = await IsoRow.create(v=5)
    assert await value(row.id) == 5


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("level", ["repeatable read", "read committed", "read uncommitted"])
async def test_sqlite_refuses_any_level_but_serializable(engine, level):
    with pytest.raises(QueryError) as info:
        async with engine.transaction(isolation=level):
            pass
    assert str(info.value) == (
        f"SQLite has no isolation level {level!r}: its transactions are always serializable. "
        "Pass isolation='serializable' or leave isolation out"
    )
    async with engine.transaction():  # nothing was left open
        assert await engine.fetchval("SELECT 1") == 1


async def test_an_unknown_level_is_a_value_error_listing_the_choices(engine):
    with pytest.raises(ValueError) as info:
        engine.transaction(isolation="snapshot")
    assert str(info.value) == (
        "unknown isolation level 'snapshot'; choose one of 'serializable', 'repeatable read', "
        "'read committed', 'read uncommitted'"
    )


async def test_a_nested_block_may_repeat_the_level_but_not_change_it(engine):
    await engine.create_table(IsoRow)
    async with engine.transaction(isolation="serializable"):
        async with engine.transaction(isolation="serializable"):
            await IsoRow.create(v=1)
        async with engine.transaction():
            await IsoRow.create(v=2)
        with pytest.raises(QueryError) as info:
            async with engine.transaction(isolation="read committed"):
                pass
        assert str(info.value) == (
            "a nested engine.transaction(isolation='read committed') block is a savepoint of the "
            "open transaction, which runs at 'serializable': the isolation level is the outermost "
            "block's. Pass it to the outermost engine.transaction() instead"
        )
        await IsoRow.create(v=3)
    assert sorted(r.v for r in await IsoRow.all()) == [1, 2, 3]


async def test_a_nested_level_under_a_default_outer_block_is_refused(engine):
    async with engine.transaction():
        with pytest.raises(QueryError) as info:
            async with engine.transaction(isolation="serializable"):
                pass
    assert "which runs at the database's default: the isolation level is the outermost block's" in str(
        info.value
    )
