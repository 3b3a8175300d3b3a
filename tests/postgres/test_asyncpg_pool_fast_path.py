"""asyncpg pool: what the uncontended acquire and release keep doing without a detour."""

from __future__ import annotations

import asyncio

import pytest

import kakaorm


@pytest.mark.backends("postgres-asyncpg")
async def test_a_clean_connection_is_lent_again_as_the_same_connection(engine, connect_url):
    eng = await kakaorm.connect(connect_url(), pool_max_size=2, pool_min_size=1)
    try:
        pool = eng._pool
        first = await pool.acquire()
        await pool.release(first)
        again = await pool.acquire()
        assert again is first
        assert await again.fetch("SELECT 41 + 1", []) == [(42,)]
        await pool.release(again)
        assert eng.pool_stats().in_use == 0
    finally:
        await asyncio.wait_for(eng.disconnect(), 10)


@pytest.mark.backends("postgres-asyncpg")
async def test_a_connection_released_in_a_transaction_is_rolled_back_before_it_is_lent_again(engine, connect_url):
    eng = await kakaorm.connect(connect_url(), pool_max_size=1, pool_min_size=1)
    try:
        pool = eng._pool
        conn = await pool.acquire()
        await conn.begin()
        assert conn.raw.is_in_transaction()
        await pool.release(conn)
        again = await pool.acquire()
        assert not again.raw.is_in_transaction()
        await pool.release(again)
    finally:
        await asyncio.wait_for(eng.disconnect(), 10)


@pytest.mark.backends("postgres-asyncpg")
async def test_an_idle_connection_closed_meanwhile_is_replaced_by_a_new_one(engine, connect_url):
    eng = await kakaorm.connect(connect_url(), pool_max_size=1, pool_min_size=1)
    try:
        pool = eng._pool
        conn = await pool.acquire()
        await pool.release(conn)
        conn.raw.terminate()  # closed while idle
        fresh = await pool.acquire()
        assert fresh is not conn
        assert await fresh.fetch("SELECT 1", []) == [(1,)]
        await pool.release(fresh)
        assert eng.pool_stats().in_use == 0
    finally:
        await asyncio.wait_for(eng.disconnect(), 10)
