"""Read/write routing on a real streaming replica (``.ci/services.sh``: a second
PostgreSQL cluster on 5433 replicating the primary on 5432), on both drivers.

Which server answered a read is observable: ``pg_is_in_recovery()`` is true on the
replica only, and with replay paused (``pg_wal_replay_pause()``) a row written on the
primary is on the primary only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

import kakaorm
from kakaorm import IntColumn, Model, StrColumn
from kakaorm.dialect import PoolStats
from kakaorm.expr import Label, Raw

pytestmark = pytest.mark.backends("postgres")

DOWN_REPLICA = "127.0.0.1:5499"  # nothing listens there


class Replicated(Model):
    name = StrColumn(nullable=False, unique=True)
    n = IntColumn(nullable=False, default=0)


async def wait_replayed(primary: kakaorm.Engine, replica: kakaorm.Engine) -> None:
    """Wait until the replica has replayed everything the primary wrote so far."""
    lsn = await primary.fetchval("SELECT pg_current_wal_lsn()::text")
    for _ in range(300):
        if await replica.fetchval("SELECT pg_last_wal_replay_lsn() >= %s::text::pg_lsn", [lsn]):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the replica did not catch up with the primary in 15 s")


def server_is_replica(qs: kakaorm.QuerySet[Replicated] | None = None) -> kakaorm.QuerySet[dict]:
    """A read through the ORM whose one row says which server ran it."""
    base = qs if qs is not None else Replicated.all()
    return base.select(Label(Raw("pg_is_in_recovery()"), "replica")).limit(1)


async def is_replica(qs: kakaorm.QuerySet[Replicated] | None = None) -> bool:
    rows = await server_is_replica(qs)
    assert len(rows) == 1
    return bool(rows[0]["replica"])


@pytest.fixture
async def direct_replica(engine, replica_url) -> AsyncIterator[kakaorm.Engine]:
    """A plain engine on the replica (raw SQL on it: pause/resume replay, LSNs)."""
    eng = await kakaorm.connect(replica_url, pool_max_size=2)
    try:
        yield eng
    finally:
        await eng.disconnect()


@pytest.fixture
async def routed(engine, connect_url, replica_url, direct_replica) -> AsyncIterator[kakaorm.Engine]:
    """The run's database with the replica as its read replica, a table and one row."""
    eng = await kakaorm.connect(connect_url(), replicas=[replica_url])
    try:
        await eng.create_table(Replicated)
        await Replicated.create(name="seed")
        await wait_replayed(eng, direct_replica)
        yield eng
    finally:
        await eng.disconnect()


@pytest.fixture
async def paused(routed, direct_replica) -> AsyncIterator[None]:
    """Replay on the replica paused: what the primary writes now stays off the replica."""
    await direct_replica.execute("SELECT pg_wal_replay_pause()")
    try:
        for _ in range(300):
            if await direct_replica.fetchval("SELECT pg_get_wal_replay_pause_state()") == "paused":
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("replay did not pause in 6 s")
        yield
    finally:
        await direct_replica.execute("SELECT pg_wal_replay_resume()")


async def test_reads_go_to_the_replica_and_writes_to_the_primary(routed):
    assert await is_replica() is True
    assert await Replicated.count() == 1
    created = await Replicated.create(name="w", n=3)  # a write on the replica would fail
    await Replicated.where(Replicated.id == created.id).update(n=4)
    assert await routed.fetchval("SELECT pg_is_in_recovery()") is False  # raw SQL: primary
    assert repr(routed).endswith(" with 1 replica>")
    stats = routed.replica_pool_stats()
    assert len(stats) == 1 and isinstance(stats[0], PoolStats) and stats[0].in_use == 0


async def test_reads_inside_a_transaction_go_to_the_primary(routed):
    async with routed.transaction():
        assert await is_replica() is False
        assert await is_replica(Replicated.all().using("replica")) is False
    assert await is_replica() is True


async def test_a_pinned_read_sees_a_write_the_replica_has_not_replayed(routed, paused):
    await Replicated.create(name="fresh", n=1)
    fresh = Replicated.where(Replicated.name == "fresh")
    assert await fresh.first() is None  # the replica lags
    assert await fresh.count() == 0
    assert (await fresh.using("primary").get()).n == 1
    assert await fresh.using("primary").count() == 1
    with kakaorm.read_your_writes():
        assert (await fresh.get()).name == "fresh"
        assert await is_replica() is False
        assert await is_replica(Replicated.all().using("replica")) is True  # explicit wins
    async with routed.read_your_writes():
        assert await fresh.exists() is True
    assert await fresh.exists() is False  # the pin ended with the block


async def test_read_your_writes_pins_only_the_task_that_entered_it(routed, paused):
    await Replicated.create(name="mine")
    mine = Replicated.where(Replicated.name == "mine")
    entered = asyncio.Event()
    release = asyncio.Event()

    async def pinned() -> int:
        async with kakaorm.read_your_writes():
            entered.set()
            await release.wait()
            return await mine.count()

    task = asyncio.create_task(pinned())
    await entered.wait()
    assert await mine.count() == 0  # this task is not pinned
    release.set()
    assert await task == 1


async def test_the_replica_catches_up_after_replay_resumes(routed, direct_replica):
    await direct_replica.execute("SELECT pg_wal_replay_pause()")
    try:
        await Replicated.create(name="late")
    finally:
        await direct_replica.execute("SELECT pg_wal_replay_resume()")
    await wait_replayed(routed, direct_replica)
    assert (await Replicated.get(Replicated.name == "late")).name == "late"


async def test_a_down_replica_is_skipped_and_reads_still_work(routed, connect_url, replica_url, caplog, backend):
    down = backend.url(f"postgresql://postgres@{DOWN_REPLICA}/")
    caplog.set_level(logging.WARNING, logger="kakaorm.sql")
    async with await kakaorm.connect(
        connect_url(), replicas=[down, replica_url], connect_timeout=1, replica_retry_after=30
    ) as eng:
        warnings = [r.getMessage() for r in caplog.records if "unavailable" in r.getMessage()]
        assert len(warnings) == 1 and DOWN_REPLICA in warnings[0]  # marked down at connect()
        assert "reads skip it for 30 s: cannot connect to PostgreSQL at 127.0.0.1:5499" in warnings[0]
        stats = eng.replica_pool_stats()
        assert stats[0] is None and isinstance(stats[1], PoolStats)
        caplog.clear()
        answers = [await is_replica(Replicated.all().using(eng)) for _ in range(4)]
        assert answers == [True, True, True, True]
        # not tried again within replica_retry_after
        assert [r.getMessage() for r in caplog.records if "unavailable" in r.getMessage()] == []


async def test_with_every_replica_down_reads_go_to_the_primary(routed, connect_url, caplog, backend):
    down = backend.url(f"postgresql://postgres@{DOWN_REPLICA}/")
    async with await kakaorm.connect(connect_url(), replicas=[down], connect_timeout=1, replica_retry_after=0) as eng:
        with caplog.at_level(logging.WARNING, logger="kakaorm.sql"):
            caplog.clear()
            answers = [await is_replica(Replicated.all().using(eng)) for _ in range(3)]
        assert answers == [False, False, False]
        # retry_after=0: each read tries the replica again, finds it down, falls back
        warnings = [r.getMessage() for r in caplog.records if "unavailable" in r.getMessage()]
        assert len(warnings) == 3
        assert all(w.startswith(f"read replica {eng.dialect.name}+{eng.dialect.driver}://") for w in warnings)
        assert all(DOWN_REPLICA in w and "reads skip it for 0 s" in w for w in warnings)


async def test_round_robin_alternates_between_replicas(routed, connect_url, replica_url):
    async with await kakaorm.connect(
        connect_url(), replicas=[replica_url, replica_url], pool_min_size=1, pool_max_size=1
    ) as eng:
        pid = Replicated.all().using(eng).select(Label(Raw("pg_backend_pid()"), "pid")).limit(1)
        pids = [(await pid)[0]["pid"] for _ in range(6)]
        primary_pid = await eng.fetchval("SELECT pg_backend_pid()")
    first, second = pids[0], pids[1]
    assert first != second and primary_pid not in (first, second)
    assert pids == [first, second] * 3


async def test_a_database_error_on_the_replica_is_raised_not_retried(routed, caplog):
    bad = Replicated.all().select(Label(Raw("1 / 0"), "x"))
    with caplog.at_level(logging.WARNING, logger="kakaorm.sql"), pytest.raises(
        kakaorm.DataError, match="division by zero"
    ):
        await bad
    assert [r.getMessage() for r in caplog.records if "unavailable" in r.getMessage()] == []
    assert await is_replica() is True  # the replica was not marked down


async def test_a_replica_of_another_dialect_is_refused(engine, connect_url):
    with pytest.raises(kakaorm.ConfigurationError) as caught:
        await kakaorm.connect(connect_url(), replicas=["mysql://root@127.0.0.1/test"])
    assert str(caught.value).startswith("the replica URL scheme 'mysql' does not match the primary's 'postgresql+")
    assert str(caught.value).endswith(
        "replicas are connected with the primary's dialect; give them the same scheme"
    )
    with pytest.raises(TypeError, match=r"^replicas takes a list of URLs"):
        await kakaorm.connect(connect_url(), replicas="postgresql://x/y")  # type: ignore[arg-type]


async def test_a_replica_connection_lost_mid_read_retries_on_the_primary_and_marks_it_down(
    routed, connect_url, replica_url, direct_replica, caplog
):
    async with await kakaorm.connect(
        connect_url(), replicas=[replica_url], pool_min_size=1, pool_max_size=1
    ) as eng:
        pid_query = Replicated.all().using(eng).select(Label(Raw("pg_backend_pid()"), "pid")).limit(1)
        replica_pid = (await pid_query)[0]["pid"]
        slow = Replicated.all().using(eng).select(
            Label(Raw("(SELECT pg_is_in_recovery() FROM pg_sleep(0.5))"), "replica")
        ).limit(1)
        caplog.set_level(logging.WARNING, logger="kakaorm.sql")
        read = asyncio.create_task(slow.execute())
        for _ in range(250):
            active = await direct_replica.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND query LIKE %s",
                [replica_pid, "%pg_sleep%"],
            )
            if active:
                break
            await asyncio.sleep(0.02)
        assert await direct_replica.fetchval("SELECT pg_terminate_backend(%s)", [replica_pid]) is True
        assert await read == [{"replica": False}]  # answered by the primary
        warnings = [r.getMessage() for r in caplog.records if "unavailable" in r.getMessage()]
        assert len(warnings) == 1 and "reads skip it for 30 s" in warnings[0]
        assert await is_replica(Replicated.all().using(eng)) is False  # still skipped


async def test_refresh_and_get_or_create_read_the_primary(routed, paused):
    obj = await Replicated.create(name="r", n=1)
    await Replicated.where(Replicated.id == obj.id).update(n=2)
    await obj.refresh()
    assert obj.n == 2
    found, created = await Replicated.get_or_create(name="r", defaults={"n": 9})
    assert (found.id, found.n, created) == (obj.id, 2, False)
    updated, created = await Replicated.update_or_create(name="r", defaults={"n": 3})
    assert (updated.id, updated.n, created) == (obj.id, 3, False)
    assert await Replicated.where(Replicated.name == "r").count() == 0  # the replica still lags


async def test_a_streamed_read_goes_to_the_replica_unless_pinned(routed, paused):
    await Replicated.create(name="streamed")
    names = Replicated.all().order_by(Replicated.name)

    async def streamed(qs: kakaorm.QuerySet[Replicated]) -> list[str]:
        return [obj.name async for obj in qs.iterator(chunk_size=1)]

    assert await streamed(names) == ["seed"]  # the replica has not replayed the write
    assert [r["replica"] async for r in server_is_replica().iterator()] == [True]
    assert await streamed(names.using("primary")) == ["seed", "streamed"]
    with kakaorm.read_your_writes():
        assert await streamed(names) == ["seed", "streamed"]
    async with routed.transaction():
        assert await streamed(names) == ["seed", "streamed"]
    assert routed.replica_pool_stats()[0].in_use == 0
    assert routed.pool_stats().in_use == 0


async def test_a_locking_read_of_a_compiled_shape_still_reads_the_primary(routed, paused):
    """A query whose statement is already compiled runs from its cache key without
    being built again; that run must still say it locks rows, or it would go to the
    replica."""
    await Replicated.create(name="locked", n=5)
    for _ in range(3):  # the first run compiles, the later ones reuse the entry
        row = await Replicated.where(Replicated.name == "locked")._for_update().get_or_none()
        assert row is not None and row.n == 5
    assert await Replicated.where(Replicated.name == "locked").get_or_none() is None  # the replica lags
