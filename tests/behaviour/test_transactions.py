"""engine.transaction(): commit, rollback, savepoints, and ownership by one task."""

from __future__ import annotations

import asyncio

import pytest

from kakaorm import IntColumn, IntegrityError, Model, StrColumn


class TxItem(Model):
    name = StrColumn(nullable=False, unique=True, max_length=50)
    qty = IntColumn(nullable=False, default=0)


class Boom(Exception):
    pass


async def names():
    return sorted(i.name for i in await TxItem.all())


async def test_a_transaction_commits_when_the_block_succeeds(engine):
    await engine.create_table(TxItem)
    async with engine.transaction():
        await TxItem.create(name="a")
        await TxItem.create(name="b")
        await TxItem.where(TxItem.name == "a").update(qty=5)
    assert await names() == ["a", "b"]
    assert (await TxItem.get(TxItem.name == "a")).qty == 5


async def test_a_transaction_rolls_back_and_reraises_on_exception(engine):
    await engine.create_table(TxItem)
    await TxItem.create(name="before")
    with pytest.raises(Boom):
        async with engine.transaction():
            await TxItem.create(name="a")
            await TxItem.where(TxItem.name == "before").update(qty=9)
            await engine.execute("DELETE FROM tx_item WHERE name = %s", ["before"])
            raise Boom()
    assert await names() == ["before"]
    assert (await TxItem.get(TxItem.name == "before")).qty == 0


async def test_a_database_error_rolls_back_the_whole_block(engine):
    await engine.create_table(TxItem)
    with pytest.raises(IntegrityError):
        async with engine.transaction():
            await TxItem.create(name="a")
            await TxItem.create(name="a")
    assert await names() == []


async def test_failure_inside_a_nested_block_rolls_back_only_that_block(engine):
    await engine.create_table(TxItem)
    async with engine.transaction():
        await TxItem.create(name="outer-1")
        with pytest.raises(Boom):
            async with engine.transaction():
                await TxItem.create(name="inner")
                raise Boom()
        await TxItem.create(name="outer-2")
    assert await names() == ["outer-1", "outer-2"]


async def test_a_nested_block_survives_a_database_error_caught_inside_the_outer_one(engine):
    await engine.create_table(TxItem)
    async with engine.transaction():
        await TxItem.create(name="a")
        with pytest.raises(IntegrityError):
            async with engine.transaction():
                await TxItem.create(name="b")
                await TxItem.create(name="a")  # unique violation
        await TxItem.create(name="c")
    assert await names() == ["a", "c"]


async def test_failure_of_the_outer_block_discards_committed_inner_blocks(engine):
    await engine.create_table(TxItem)
    with pytest.raises(Boom):
        async with engine.transaction():
            async with engine.transaction():
                await TxItem.create(name="inner")
                async with engine.transaction():
                    await TxItem.create(name="innermost")
            raise Boom()
    assert await names() == []


async def test_sibling_nested_blocks_are_independent(engine):
    await engine.create_table(TxItem)
    async with engine.transaction():
        async with engine.transaction():
            await TxItem.create(name="first")
        with pytest.raises(Boom):
            async with engine.transaction():
                await TxItem.create(name="second")
                raise Boom()
        async with engine.transaction():
            await TxItem.create(name="third")
    assert await names() == ["first", "third"]


async def test_statements_of_another_task_are_never_part_of_the_transaction(engine):
    """Task A rolls back; task B's insert, issued while A's transaction is open, survives.

    (On SQLite B waits for A's transaction to end; on servers it runs on its own
    connection. Either way it is not inside A's transaction.)
    """
    await engine.create_table(TxItem)
    opened = asyncio.Event()

    async def task_a() -> None:
        with pytest.raises(Boom):
            async with engine.transaction():
                await TxItem.create(name="from-a")
                opened.set()
                await asyncio.sleep(0.2)  # let B issue its statement meanwhile
                raise Boom()

    async def task_b() -> None:
        await opened.wait()
        await TxItem.create(name="from-b")

    await asyncio.gather(task_a(), task_b())
    assert await names() == ["from-b"]


async def test_a_task_started_inside_a_transaction_does_not_join_it(engine):
    await engine.create_table(TxItem)
    child: asyncio.Task[None] | None = None

    async def insert_elsewhere() -> None:
        await TxItem.create(name="child")

    with pytest.raises(Boom):
        async with engine.transaction():
            await TxItem.create(name="parent")
            # the child inherits this task's context, yet must not use its transaction
            child = asyncio.create_task(insert_elsewhere())
            await asyncio.sleep(0.05)
            raise Boom()
    assert child is not None
    await child
    assert await names() == ["child"]


async def test_concurrent_transactions_of_two_tasks_both_commit(engine):
    await engine.create_table(TxItem)

    async def work(prefix: str) -> None:
        async with engine.transaction():
            for i in range(3):
                await TxItem.create(name=f"{prefix}{i}")
                await asyncio.sleep(0)

    await asyncio.gather(work("x"), work("y"))
    assert await names() == ["x0", "x1", "x2", "y0", "y1", "y2"]


async def test_a_cancelled_task_rolls_its_transaction_back(engine):
    await engine.create_table(TxItem)
    inside = asyncio.Event()

    async def stuck() -> None:
        async with engine.transaction():
            await TxItem.create(name="never")
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(stuck())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await names() == []
    await TxItem.create(name="after")
    assert await names() == ["after"]
