"""Retries of a transaction on serialization failure and deadlock, with real
concurrent conflicting tasks (asyncio barriers make the conflicts deterministic)."""

from __future__ import annotations

import asyncio

import pytest

import kakaorm
from kakaorm import DeadlockError, IntColumn, IntegrityError, Model, QueryError, SerializationError, StrColumn
from kakaorm.engine.retry import NESTED_CONFLICT_NOTE

RETRY_HINT = "retry the transaction (engine.transaction(retry=N) or @kakaorm.retry_on_conflict)"


class RetryCounter(Model):
    n = IntColumn(nullable=False, default=0)


class RetryName(Model):
    name = StrColumn(nullable=False, unique=True, max_length=20)


def conflict_type(backend):
    # PostgreSQL refuses the second writer (40001); MariaDB's serializable reads take
    # shared locks, so the two writers deadlock (1213)
    return SerializationError if backend.family == "postgres" else DeadlockError


async def bump_after_all_read(engine, counter_id: int, barrier: asyncio.Barrier, attempts: list[int]) -> None:
    """Read the counter, wait until every task has read it (first attempt only), write n + 1."""
    async with engine.transaction(isolation="serializable"):
        attempts.append(1)
        row = await RetryCounter.get(RetryCounter.id == counter_id)
        if len(attempts) <= barrier.parties:
            await barrier.wait()
        await RetryCounter.where(RetryCounter.id == counter_id).update(n=row.n + 1)


@pytest.mark.backends("postgres", "mysql")
async def test_without_retry_one_of_two_serializable_writers_fails(engine, backend):
    await engine.create_table(RetryCounter)
    counter = await RetryCounter.create(n=0)
    barrier, attempts = asyncio.Barrier(2), []
    results = await asyncio.gather(
        *(bump_after_all_read(engine, counter.id, barrier, attempts) for _ in range(2)), return_exceptions=True
    )
    errors = [r for r in results if r is not None]
    assert len(errors) == 1 and type(errors[0]) is conflict_type(backend)
    assert isinstance(errors[0], kakaorm.TransactionConflictError)
    assert RETRY_HINT in str(errors[0])
    assert (await RetryCounter.get(RetryCounter.id == counter.id)).n == 1


@pytest.mark.backends("postgres", "mysql")
async def test_with_retry_two_serializable_writers_both_count_and_the_loser_runs_twice(engine):
    await engine.create_table(RetryCounter)
    counter = await RetryCounter.create(n=0)
    barrier, attempts = asyncio.Barrier(2), []

    @engine.transaction(retry=3, isolation="serializable", backoff=0.01)
    async def bump() -> str:
        attempts.append(1)
        row = await RetryCounter.get(RetryCounter.id == counter.id)
        if len(attempts) <= 2:
            await barrier.wait()
        await RetryCounter.where(RetryCounter.id == counter.id).update(n=row.n + 1)
        return "done"

    assert await asyncio.gather(bump(), bump()) == ["done", "done"]
    assert len(attempts) == 3
    assert (await RetryCounter.get(RetryCounter.id == counter.id)).n == 2


@pytest.mark.backends("postgres", "mysql")
async def test_with_retry_n_concurrent_writers_all_succeed_and_count_n(engine):
    await engine.create_table(RetryCounter)
    counter = await RetryCounter.create(n=0)
    workers = 5
    barrier, attempts = asyncio.Barrier(workers), []

    async def bump() -> None:
        attempts.append(1)
        row = await RetryCounter.get(RetryCounter.id == counter.id)
        if len(attempts) <= workers:
            await barrier.wait()
        await RetryCounter.where(RetryCounter.id == counter.id).update(n=row.n + 1)

    await asyncio.gather(
        *(engine.run_in_transaction(bump, retry=20, isolation="serializable", backoff=0.01) for _ in range(workers))
    )
    assert (await RetryCounter.get(RetryCounter.id == counter.id)).n == workers
    # the first round: every worker read 0 and only one write could stand
    assert len(attempts) >= 2 * workers - 1


async def lock_in_order(engine, first: int, second: int, barrier: asyncio.Barrier, attempts: list[int]) -> None:
    attempts.append(1)
    await RetryCounter.where(RetryCounter.id == first).update(n=RetryCounter.n + 1)
    if len(attempts) <= 2:
        await barrier.wait()
    await RetryCounter.where(RetryCounter.id == second).update(n=RetryCounter.n + 1)


@pytest.mark.backends("postgres", "mysql")
async def test_two_tasks_locking_rows_in_opposite_order_deadlock_once(engine):
    await engine.create_table(RetryCounter)
    a, b = await RetryCounter.create(n=0), await RetryCounter.create(n=0)
    barrier, attempts = asyncio.Barrier(2), []
    results = await asyncio.gather(
        engine.run_in_transaction(lock_in_order, engine, a.id, b.id, barrier, attempts),
        engine.run_in_transaction(lock_in_order, engine, b.id, a.id, barrier, attempts),
        return_exceptions=True,
    )
    errors = [r for r in results if r is not None]
    assert len(errors) == 1 and type(errors[0]) is DeadlockError
    assert RETRY_HINT in str(errors[0])
    assert sorted(r.n for r in await RetryCounter.all()) == [1, 1]


@pytest.mark.backends("postgres", "mysql")
async def test_with_retry_the_deadlocked_task_runs_again_and_both_succeed(engine):
    await engine.create_table(RetryCounter)
    a, b = await RetryCounter.create(n=0), await RetryCounter.create(n=0)
    barrier, attempts = asyncio.Barrier(2), []
    await asyncio.gather(
        engine.run_in_transaction(lock_in_order, engine, a.id, b.id, barrier, attempts, retry=2, backoff=0.01),
        engine.run_in_transaction(lock_in_order, engine, b.id, a.id, barrier, attempts, retry=2, backoff=0.01),
    )
    assert len(attempts) == 3
    assert sorted(r.n for r in await RetryCounter.all()) == [2, 2]


async def conflict_every_time(engine, counter_id: int, attempts: list[int]) -> None:
    """Read the counter in a serializable transaction, let another task change it and
    commit, then write it: PostgreSQL refuses the write every time (40001)."""
    async with engine.transaction(isolation="serializable"):
        attempts.append(1)
        await RetryCounter.get(RetryCounter.id == counter_id)
        await asyncio.create_task(RetryCounter.where(RetryCounter.id == counter_id).update(n=RetryCounter.n + 1))
        await RetryCounter.where(RetryCounter.id == counter_id).update(n=0)


@pytest.mark.backends("postgres")
async def test_retry_on_conflict_raises_the_last_error_unchanged_after_the_last_attempt(engine):
    await engine.create_table(RetryCounter)
    counter = await RetryCounter.create(n=0)
    attempts: list[int] = []

    @kakaorm.retry_on_conflict(attempts=3, backoff=0.01)
    async def always_conflicting() -> None:
        await conflict_every_time(engine, counter.id, attempts)

    with pytest.raises(SerializationError) as info:
        await always_conflicting()
    assert len(attempts) == 3
    assert str(info.value).startswith(
        "could not serialize access due to concurrent update [SQLSTATE 40001]. Another transaction "
        f"changed the same rows; {RETRY_HINT}"
    )
    assert info.value.sqlstate == "40001"
    assert getattr(info.value, "__notes__", []) == []
    assert always_conflicting.__name__ == "always_conflicting"
    assert (await RetryCounter.get(RetryCounter.id == counter.id)).n == 3


@pytest.mark.backends("postgres")
async def test_a_conflict_inside_an_open_transaction_is_not_retried(engine):
    await engine.create_table(RetryCounter)
    counter = await RetryCounter.create(n=0)
    attempts: list[int] = []

    @kakaorm.retry_on_conflict(attempts=5, backoff=0.01)
    async def inner() -> None:
        await conflict_every_time(engine, counter.id, attempts)

    decorated = engine.transaction(retry=5)(conflict_every_time)
    for call in (inner(), decorated(engine, counter.id, attempts)):
        with pytest.raises(SerializationError) as info:
            async with engine.transaction(isolation="serializable"):
                await call
        assert info.value.__notes__ == [NESTED_CONFLICT_NOTE]
    assert len(attempts) == 2


async def test_errors_other_than_conflicts_are_never_retried(engine):
    await engine.create_table(RetryName)
    await RetryName.create(name="taken")
    attempts: list[int] = []

    @engine.transaction(retry=5)
    async def add() -> None:
        attempts.append(1)
        await RetryName.create(name="taken")

    with pytest.raises(IntegrityError):
        await add()
    assert len(attempts) == 1
    assert [r.name for r in await RetryName.all()] == ["taken"]


async def test_a_decorated_transaction_commits_and_returns_the_result(engine):
    await engine.create_table(RetryName)

    @engine.transaction(retry=2)
    async def add(name: str) -> int:
        return (await RetryName.create(name=name)).id

    new_id = await add("a")
    assert await engine.run_in_transaction(add, "b", retry=1) == new_id + 1
    assert sorted(r.name for r in await RetryName.all()) == ["a", "b"]


async def test_a_retrying_transaction_cannot_be_an_async_with_block(engine):
    with pytest.raises(QueryError) as info:
        async with engine.transaction(retry=3):
            pass
    assert str(info.value) == (
        "engine.transaction(retry=3) cannot be used as `async with`: a block cannot be run again. "
        "Decorate an async function with @engine.transaction(retry=3), or call await "
        "engine.run_in_transaction(fn, *args, retry=3)"
    )


async def test_bad_retry_arguments_are_value_errors(engine):
    with pytest.raises(ValueError) as info:
        engine.transaction(retry=-1)
    assert str(info.value) == "retry is how many times to re-run the transaction, an int of 0 or more; got -1"
    with pytest.raises(ValueError) as info:
        kakaorm.retry_on_conflict(attempts=0)
    assert str(info.value) == "the number of attempts must be an int of at least 1, got 0"
    with pytest.raises(ValueError) as info:
        kakaorm.retry_on_conflict(backoff=-1)
    assert str(info.value) == "backoff and max_backoff are seconds, 0 or more; got -1 and 2.0"
