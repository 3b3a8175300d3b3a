"""psycopg: statements run through the raw cursor in ``$n`` form, and the pool keeps
released connections in a stack of idle ones (see docs/production.md, "What a
statement costs on PostgreSQL")."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kakaorm
from kakaorm import IntColumn, Model, StrColumn
from kakaorm.dialect import PoolStats
from kakaorm_postgres import psycopg_driver
from kakaorm_postgres.psycopg_driver import _number_placeholders

pytestmark = pytest.mark.backends("postgres-psycopg")


class PercentNote(Model):
    body = StrColumn(nullable=False)
    n = IntColumn(nullable=False)

    class Meta:
        table_name = "percent_note"


@pytest.mark.parametrize(
    ("written", "numbered"),
    [
        ("SELECT 1", "SELECT 1"),
        ("SELECT %s, %s", "SELECT $1, $2"),
        ("LIKE '50%%' AND x = %s", "LIKE '50%' AND x = $1"),
        ("SELECT '%%s', %s", "SELECT '%s', $1"),
        ("SELECT '%%%s'", "SELECT '%$1'"),
        ("VALUES (%s, %s), (%s, %s)", "VALUES ($1, $2), ($3, $4)"),
    ],
)
def test_placeholders_are_numbered_and_a_doubled_percent_is_one(written, numbered):
    assert _number_placeholders(written) == numbered


@pytest.mark.parametrize("stray", ["SELECT 5 %", "SELECT %d", "SELECT '%' || %s"])
def test_a_stray_percent_is_left_for_psycopg_to_refuse(stray):
    assert _number_placeholders(stray) is None


async def test_raw_sql_with_percent_signs_and_placeholders(engine):
    assert await engine.fetchval("SELECT %s || '%%s' || %s || '%%'", ["a", "b"]) == "a%sb%"
    assert await engine.fetch("SELECT %s::int AS n, '100%%' AS pct", [7]) == [{"n": 7, "pct": "100%"}]


async def test_bulk_insert_longer_than_psycopgs_query_cache_round_trips(engine):
    # 1,500 rows: batches of 1,000 rows, each INSERT far longer than 4 KB
    await engine.create_table(PercentNote)
    bodies = [f"%s {i} %% $1 '{i}'" for i in range(1500)]
    notes = await PercentNote.bulk_create([PercentNote(body=b, n=i) for i, b in enumerate(bodies)])
    assert [note.id for note in notes] == list(range(1, 1501))
    got = await PercentNote.all().order_by(PercentNote.n.asc)
    assert [(note.id, note.body, note.n) for note in got] == [(i + 1, b, i) for i, b in enumerate(bodies)]
    assert await PercentNote.where(PercentNote.body.contains("%% $1 '7'")).count() == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bodies=st.lists(
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
        min_size=1,
        max_size=700,
    )
)
async def test_any_texts_come_back_unchanged_through_bulk_create(engine, bodies):
    await engine.drop_table(PercentNote)
    await engine.create_table(PercentNote)
    await PercentNote.bulk_create([PercentNote(body=b, n=i) for i, b in enumerate(bodies)])
    got = await PercentNote.all().order_by(PercentNote.n.asc)
    assert [note.body for note in got] == bodies


async def test_released_connections_are_lent_again_and_counted_idle(engine, connect_url):
    async with await kakaorm.connect(connect_url(), pool_min_size=3, pool_max_size=3) as eng:
        pool = eng._pool
        held = [await pool.acquire() for _ in range(3)]
        assert eng.pool_stats() == PoolStats(size=3, idle=0, in_use=3)
        for conn in held:
            await pool.release(conn)
        assert eng.pool_stats() == PoolStats(size=3, idle=3, in_use=0)
        assert len(pool._idle) == 3  # kept in the stack, not handed back to psycopg_pool
        last = await eng.fetchval("SELECT pg_backend_pid()")
        # the connection released last is lent next, every time
        assert {await eng.fetchval("SELECT pg_backend_pid()") for _ in range(5)} == {last}
        assert eng.pool_stats() == PoolStats(size=3, idle=3, in_use=0)


async def test_connections_out_longer_than_the_hold_go_back_to_psycopg_pool(
    engine, connect_url, monkeypatch
):
    async with await kakaorm.connect(connect_url(), pool_min_size=2, pool_max_size=2) as eng:
        pool = eng._pool
        assert await eng.fetchval("SELECT 1") == 1
        assert len(pool._idle) == 1
        monkeypatch.setattr(psycopg_driver, "_HOLD_SECONDS", 0.0)
        assert await eng.fetchval("SELECT 2") == 2
        assert pool._idle == []  # handed back to psycopg_pool
        assert eng.pool_stats() == PoolStats(size=2, idle=2, in_use=0)
        assert await asyncio.gather(*(eng.fetchval("SELECT %s::int", [i]) for i in range(6))) == list(range(6))
        assert eng.pool_stats() == PoolStats(size=2, idle=2, in_use=0)


async def test_a_waiter_in_psycopg_pool_gets_the_released_connection(engine, connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=1, pool_timeout=5) as eng:
        pool = eng._pool
        held = await pool.acquire()
        waiter = asyncio.create_task(eng.fetchval("SELECT 3"))
        for _ in range(5):
            await asyncio.sleep(0)
        assert not waiter.done() and pool._getting == 1
        await pool.release(held)  # not kept in the stack: someone waits in psycopg_pool
        assert await asyncio.wait_for(waiter, 5) == 3
        assert eng.pool_stats() == PoolStats(size=1, idle=1, in_use=0)
