"""What is particular to this dialect: its scheme, its driver thread, its options."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

import kakaorm
from kakaorm_sqlite_stdlib import StdlibSQLiteDialect


async def test_the_scheme_finds_this_dialect_and_repr_shows_it() -> None:
    async with await kakaorm.connect("sqlite+stdlib:///:memory:") as engine:
        assert type(engine.dialect) is StdlibSQLiteDialect
        assert repr(engine) == "<Engine sqlite+stdlib:///:memory:>"
    assert "sqlite+stdlib" in kakaorm.installed_schemes()


async def test_statements_run_in_one_worker_thread_not_the_event_loop(tmp_path: Path) -> None:
    async with await kakaorm.connect(f"sqlite+stdlib:///{tmp_path / 'app.db'}") as engine:
        await engine.execute("CREATE TABLE t (x INTEGER)")
        await engine.execute("INSERT INTO t (x) VALUES (%s), (%s)", [1, 2])
        assert await engine.fetch("SELECT x FROM t ORDER BY x") == [{"x": 1}, {"x": 2}]
        names = {t.name for t in threading.enumerate()}
        assert any(name.startswith("kakaorm-sqlite-stdlib") for name in names), names


async def test_a_url_naming_a_server_is_refused_with_this_scheme_in_the_message() -> None:
    with pytest.raises(kakaorm.InvalidURLError) as info:
        await kakaorm.connect("sqlite+stdlib://localhost/app.db")
    assert str(info.value) == (
        "a SQLite URL has three slashes before the path: 'sqlite+stdlib:///./app.db' or 'sqlite+stdlib:///:memory:'"
    )


async def test_an_unknown_option_is_refused_listing_the_accepted_ones() -> None:
    with pytest.raises(kakaorm.ConfigurationError, match=r"busy_timeout.*pool_timeout"):
        await kakaorm.connect("sqlite+stdlib:///:memory:", pool_size=3)


async def test_a_task_cancelled_inside_a_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    async with await kakaorm.connect(f"sqlite+stdlib:///{tmp_path / 'app.db'}") as engine:
        await engine.execute("CREATE TABLE t (x INTEGER)")
        inside = asyncio.Event()

        async def writer() -> None:
            async with engine.transaction():
                await engine.execute("INSERT INTO t (x) VALUES (%s)", [1])
                inside.set()
                await asyncio.sleep(30)

        task = asyncio.create_task(writer())
        await inside.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await engine.fetchval("SELECT COUNT(*) FROM t") == 0
        assert engine.pool_stats().in_use == 0


async def test_a_second_task_waits_for_the_connection_up_to_pool_timeout() -> None:
    async with await kakaorm.connect("sqlite+stdlib:///:memory:", pool_timeout=0.2) as engine:
        holding = asyncio.Event()

        async def holder() -> None:
            async with engine.transaction():
                holding.set()
                await asyncio.sleep(1)

        task = asyncio.create_task(holder())
        await holding.wait()
        with pytest.raises(kakaorm.PoolTimeoutError, match=r"^waited 0\.2 s for the SQLite connection"):
            await engine.fetchval("SELECT 1")
        await task
        assert await engine.fetchval("SELECT 1") == 1
