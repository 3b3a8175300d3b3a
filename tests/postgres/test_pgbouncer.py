"""Through a real PgBouncer in transaction pooling mode (``.ci/services.sh``, port 6432),
on both drivers, with ``pgbouncer=True``.

In transaction mode consecutive transactions of one client connection may run on
different server connections, so nothing may rely on session state: prepared
statements, SET, advisory locks held across transactions.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

import kakaorm
from kakaorm import IntColumn, Model, StrColumn

pytestmark = pytest.mark.backends("postgres")


class BouncedItem(Model):
    name = StrColumn(nullable=False, unique=True)
    n = IntColumn(nullable=False, default=0)


async def test_crud_and_filters_repeated_past_any_prepare_threshold(engine, pgbouncer_url):
    async with await kakaorm.connect(pgbouncer_url, pgbouncer=True, pool_max_size=3) as bounced:
        await bounced.create_table(BouncedItem)
        await BouncedItem.create(name="a", n=1)
        await BouncedItem.bulk_create([BouncedItem(name=f"b{i}", n=i) for i in range(10)])
        # psycopg prepares a statement run 5 times, asyncpg at once: 30 runs of each
        # shape would hit a missing or duplicate prepared statement if any were made
        for i in range(30):
            assert await BouncedItem.where(BouncedItem.n >= i % 10).count() == 11 - i % 10
            got = await BouncedItem.get(BouncedItem.name == f"b{i % 10}")
            assert (got.name, got.n) == (f"b{i % 10}", i % 10)
            await BouncedItem.where(BouncedItem.name == "a").update(n=BouncedItem.n + 1)
        assert (await BouncedItem.get(BouncedItem.name == "a")).n == 31
        assert await BouncedItem.where(BouncedItem.n > 100).first() is None
        await BouncedItem.where(BouncedItem.name == "b9").delete()
        assert await BouncedItem.count() == 10


async def test_raw_sql_and_an_empty_result_keep_their_column_names(engine, pgbouncer_url):
    async with await kakaorm.connect(pgbouncer_url, pgbouncer=True) as bounced:
        await bounced.create_table(BouncedItem)
        for _ in range(10):
            assert await bounced.fetch("SELECT name, n FROM bounced_item WHERE n > %s", [5]) == []
        assert await bounced.execute("INSERT INTO bounced_item (name, n) VALUES (%s, %s)", ["r", 7]) == 1
        assert await bounced.fetch("SELECT name, n FROM bounced_item") == [{"name": "r", "n": 7}]
        assert await bounced.fetchval("SELECT count(*) FROM bounced_item WHERE n = %s", [7]) == 1


async def test_transactions_savepoints_and_rollback(engine, pgbouncer_url):
    async with await kakaorm.connect(pgbouncer_url, pgbouncer=True) as bounced:
        await bounced.create_table(BouncedItem)
        async with bounced.transaction():
            await BouncedItem.create(name="kept")
            with pytest.raises(kakaorm.IntegrityError):
                async with bounced.transaction():
                    await BouncedItem.create(name="gone")
                    await BouncedItem.create(name="kept")
            await BouncedItem.create(name="also kept")
        with pytest.raises(RuntimeError, match=r"^undo$"):
            async with bounced.transaction():
                await BouncedItem.create(name="rolled back")
                raise RuntimeError("undo")
        assert sorted(r.name for r in await BouncedItem.all()) == ["also kept", "kept"]


async def test_twenty_tasks_on_a_pool_of_five(engine, pgbouncer_url):
    async with await kakaorm.connect(pgbouncer_url, pgbouncer=True, pool_max_size=5) as bounced:
        await bounced.create_table(BouncedItem)

        async def worker(i: int) -> None:
            for j in range(5):
                async with bounced.transaction():
                    item = await BouncedItem.create(name=f"t{i}-{j}", n=i)
                    await BouncedItem.where(BouncedItem.id == item.id).update(n=BouncedItem.n + 1)
                assert (await BouncedItem.get(BouncedItem.name == f"t{i}-{j}")).n == i + 1

        await asyncio.gather(*(worker(i) for i in range(20)))
        assert await BouncedItem.count() == 100
        assert await bounced.fetchval("SELECT sum(n) FROM bounced_item") == sum(5 * (i + 1) for i in range(20))
        assert bounced.pool_stats().in_use == 0


async def test_session_time_zone_is_utc_through_pgbouncer(engine, pgbouncer_url):
    async with await kakaorm.connect(pgbouncer_url, pgbouncer=True) as bounced:
        for _ in range(5):
            assert await bounced.fetchval("SHOW TimeZone") == "UTC"
        now = await bounced.fetchval("SELECT TIMESTAMPTZ '2026-01-02 03:04:05+02'")
        assert now == dt.datetime(2026, 1, 2, 1, 4, 5, tzinfo=dt.UTC)
        assert now.utcoffset() == dt.timedelta(0)


async def test_migration_through_pgbouncer(engine, pgbouncer_url, tmp_path):
    async with await kakaorm.connect(pgbouncer_url, pgbouncer=True) as bounced:
        # the migration lock is pg_advisory_xact_lock: held for one transaction only
        async with bounced.dialect.migration_lock(bounced):
            await bounced.execute("CREATE TABLE bounced_migrated (id int PRIMARY KEY)")
        schema = await bounced.dialect.read_schema(bounced, ["bounced_migrated"])
        assert list(schema) == ["bounced_migrated"]


@pytest.mark.backends("postgres-psycopg")
async def test_psycopg_without_the_option_is_told_to_set_it(engine, pgbouncer_url):
    with pytest.raises(kakaorm.OperationalError) as caught:
        await kakaorm.connect(pgbouncer_url, connect_timeout=5)
    message = str(caught.value)
    assert "unsupported startup parameter: options" in message
    assert message.endswith("The server is a PgBouncer: connect with pgbouncer=True")


def test_pgbouncer_option_refuses_a_statement_cache():
    with pytest.raises(kakaorm.ConfigurationError) as caught:
        asyncio.run(kakaorm.connect("postgresql://u@127.0.0.1:1/x", pgbouncer=True, statement_cache_size=100))
    assert str(caught.value) == (
        "pgbouncer=True turns prepared statements off, but statement_cache_size=100 asks "
        "for them; drop statement_cache_size"
    )
    with pytest.raises(kakaorm.ConfigurationError) as caught:
        asyncio.run(kakaorm.connect("postgresql://u@127.0.0.1:1/x?pgbouncer=maybe"))
    assert str(caught.value) == "the PostgreSQL option pgbouncer takes True or False, got 'maybe'"


@pytest.mark.backends("postgres-asyncpg")
async def test_asyncpg_without_the_option_is_told_to_set_it(engine, pgbouncer_url):
    async with await kakaorm.connect(pgbouncer_url, pool_max_size=1) as plain, await kakaorm.connect(
        pgbouncer_url, pgbouncer=True, pool_max_size=1
    ) as other:
        assert await plain.fetchval("SELECT %s::int + 1", [1]) == 2  # prepared on a server connection
        # the other client holds that server connection (PgBouncer reuses the last one
        # freed), so the plain client's next transaction runs on another one
        async with other.transaction():
            await other.fetchval("SELECT 1")
            with pytest.raises(kakaorm.ProgrammingError) as caught:
                await plain.fetchval("SELECT %s::int + 1", [1])
    message = str(caught.value)
    assert "[SQLSTATE 26000]" in message
    assert "Connect with pgbouncer=True, which turns prepared statements off" in message
