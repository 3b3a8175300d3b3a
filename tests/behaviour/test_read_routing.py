"""Read/write routing on every backend: ``connect(url, replicas=[...])``,
``using("primary" | "replica")`` and ``read_your_writes()``.

The real streaming replica is tested in tests/postgres/test_replicas.py; here the
"replica" is a second pool on the same server (or, on SQLite, another file), which is
enough to see which pool served a read.
"""

from __future__ import annotations

import asyncio

import pytest

import kakaorm
from kakaorm import Model, StrColumn
from kakaorm.dialect import PoolStats
from kakaorm.expr import Label, Raw


class RoutedNote(Model):
    text = StrColumn(nullable=False)


def same_database_url(backend, connect_url, tmp_path) -> str:
    if backend.family == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/primary.db"
    return connect_url()


async def test_a_replica_of_the_same_database_serves_every_kind_of_read(engine, backend, connect_url, tmp_path):
    url = same_database_url(backend, connect_url, tmp_path)
    async with await kakaorm.connect(url, replicas=[url]) as routed:
        assert repr(routed).endswith(" with 1 replica>")
        await routed.create_table(RoutedNote)
        note = await RoutedNote.create(text="a")
        await RoutedNote.bulk_create([RoutedNote(text="b"), RoutedNote(text="c")])
        assert [n.text for n in await RoutedNote.all().order_by(RoutedNote.id)] == ["a", "b", "c"]
        assert (await RoutedNote.get(RoutedNote.id == note.id)).text == "a"
        assert await RoutedNote.count() == 3
        assert await RoutedNote.where(RoutedNote.text == "b").exists() is True
        assert await RoutedNote.all().using("replica").count() == 3
        assert await RoutedNote.all().using("primary").count() == 3
        with kakaorm.read_your_writes():
            assert await RoutedNote.count() == 3
        async with routed.read_your_writes():
            assert await RoutedNote.count() == 3
        async with routed.transaction():
            await RoutedNote.create(text="d")
            assert await RoutedNote.count() == 4  # inside the transaction: its connection
        assert await RoutedNote.count() == 4
        stats = routed.replica_pool_stats()
        assert len(stats) == 1 and isinstance(stats[0], PoolStats) and stats[0].in_use == 0
        assert routed.pool_stats().in_use == 0


@pytest.mark.backends("sqlite")
async def test_sqlite_reads_come_from_the_replica_file_and_writes_go_to_the_primary(engine, tmp_path):
    primary_url = f"sqlite+aiosqlite:///{tmp_path}/primary.db"
    replica_url = f"sqlite+aiosqlite:///{tmp_path}/replica.db"
    async with await kakaorm.connect(replica_url) as replica:
        await replica.create_table(RoutedNote)
        await RoutedNote.create(text="on the replica")
    async with await kakaorm.connect(primary_url, replicas=[replica_url]) as routed:
        await routed.create_table(RoutedNote)
        await RoutedNote.create(text="on the primary")
        assert [n.text for n in await RoutedNote.all()] == ["on the replica"]
        assert [n.text for n in await RoutedNote.all().using("primary")] == ["on the primary"]
        with kakaorm.read_your_writes():
            assert [n.text for n in await RoutedNote.all()] == ["on the primary"]
            assert [n.text for n in await RoutedNote.all().using("replica")] == ["on the replica"]
        async with routed.transaction():
            assert [n.text for n in await RoutedNote.all()] == ["on the primary"]
        assert await routed.fetchval("SELECT text FROM routed_note") == "on the primary"  # raw SQL


@pytest.mark.backends("postgres", "mysql")
async def test_reads_use_the_replica_pool_and_pinned_reads_the_primary_pool(engine, backend, connect_url):
    session_id = "pg_backend_pid()" if backend.family == "postgres" else "CONNECTION_ID()"
    url = connect_url()
    async with await kakaorm.connect(url, replicas=[url], pool_min_size=1, pool_max_size=1) as routed:
        await routed.create_table(RoutedNote)
        await RoutedNote.create(text="x")
        primary_id = await routed.fetchval(f"SELECT {session_id}")
        which = RoutedNote.all().select(Label(Raw(session_id), "id")).limit(1)

        async def served_by(qs: kakaorm.QuerySet[dict]) -> int:
            return int((await qs)[0]["id"])

        replica_id = await served_by(which)
        assert replica_id != primary_id
        assert await served_by(which) == replica_id
        assert await served_by(which.using("primary")) == primary_id
        with kakaorm.read_your_writes():
            assert await served_by(which) == primary_id
        assert await served_by(which) == replica_id

        async def other_task() -> int:
            return await served_by(which)

        async with routed.read_your_writes():
            # the pin belongs to this task (and tasks started inside the block)
            assert await asyncio.create_task(other_task()) == primary_id
        assert await asyncio.create_task(other_task()) == replica_id


async def test_using_takes_primary_replica_or_an_engine():
    with pytest.raises(ValueError) as caught:
        RoutedNote.all().using("secondary")
    assert str(caught.value) == (
        "using() takes an Engine, 'primary' or 'replica', got 'secondary': 'primary' pins "
        "the query to the primary database, 'replica' sends it to a read replica"
    )


async def test_replica_retry_after_must_be_seconds(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    with pytest.raises(kakaorm.ConfigurationError) as caught:
        await kakaorm.connect(url, replicas=[url], replica_retry_after=-1)
    assert str(caught.value) == "replica_retry_after takes a number of seconds (0 or more), got -1"
