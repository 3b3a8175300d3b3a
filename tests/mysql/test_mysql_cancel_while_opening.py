"""MariaDB pool: a task cancelled while its connection is being opened sees
CancelledError, runs no statement, and the connection opened for it is kept.

``asyncio.wait_for`` on Python 3.11 returns the result and drops the cancellation
when the cancel lands in the same loop step as the awaited work finishes. The open
used it twice (around aiomysql's handshake, and aiomysql around its socket
connect), so a task cancelled just as its connection came up went on and ran its
statement. These tests land the cancel exactly there: a wrapper around the step
cancels the waiting task as the step returns. Nothing is mocked: the step runs
against the server, only the moment of the cancel is chosen.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from typing import Any

import aiomysql  # type: ignore[import-untyped]
import aiomysql.connection  # type: ignore[import-untyped]
import pytest

import kakaorm
from kakaorm.dialect import PoolStats

pytestmark = pytest.mark.backends("mysql")

#: the step of opening a connection whose end the cancel coincides with:
#: aiomysql's whole handshake, or only its socket connect
STEPS = {
    "handshake": (aiomysql.Connection, "_connect"),
    "socket connect": (aiomysql.connection, "_open_connection"),
}


@pytest.fixture
async def loop_reports() -> Any:
    """What the event loop reports to its exception handler, collected instead of printed."""
    loop = asyncio.get_running_loop()
    reports: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reports.append(context))
    yield reports
    gc.collect()
    loop.set_exception_handler(previous)


def cancel_when_done(monkeypatch: pytest.MonkeyPatch, step: str) -> Callable[[asyncio.Task[Any]], None]:
    """Wrap ``step`` so that, once armed with a task, it cancels that task as it returns."""
    owner, name = STEPS[step]
    original = getattr(owner, name)
    armed: list[asyncio.Task[Any]] = []

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = await original(*args, **kwargs)
        if armed:
            armed.pop().cancel()
        return result

    monkeypatch.setattr(owner, name, wrapper)
    return armed.append


async def eventually(probe: Callable[[], Any], expected: Any) -> Any:
    """``probe()`` once it equals ``expected`` (polled for up to 5 s)."""
    for _ in range(250):
        value = probe()
        if value == expected:
            break
        await asyncio.sleep(0.02)
    return value


@pytest.mark.parametrize("step", list(STEPS))
async def test_a_cancel_landing_as_the_connection_opens_reaches_the_caller_and_no_statement_runs(
    engine, connect_url, loop_reports, monkeypatch, step
):
    await engine.execute("CREATE TABLE cancel_probe (n INT NOT NULL)")
    async with await kakaorm.connect(connect_url(), pool_max_size=2, pool_timeout=10) as eng:
        pool = eng._pool
        held = await pool.acquire()  # the only open connection: the next task opens one
        arm = cancel_when_done(monkeypatch, step)
        victim = asyncio.create_task(eng.execute("INSERT INTO cancel_probe (n) VALUES (1)"))
        arm(victim)
        with pytest.raises(asyncio.CancelledError):
            await victim
        assert victim.cancelled()
        monkeypatch.undo()
        await pool.release(held)
        assert await eng.fetchval("SELECT count(*) FROM cancel_probe") == 0
        # the connection opened for the cancelled task is kept for the next one
        assert await eventually(eng.pool_stats, PoolStats(size=2, idle=2, in_use=0)) == PoolStats(
            size=2, idle=2, in_use=0
        )
        ids = await asyncio.gather(*(eng.fetchval("SELECT CONNECTION_ID() + SLEEP(0.05)") for _ in range(2)))
        assert len(set(ids)) == 2
    assert await engine.fetchval("SELECT count(*) FROM cancel_probe") == 0
    gc.collect()
    await asyncio.sleep(0.05)
    gc.collect()
    assert [(c.get("message"), repr(c.get("exception"))) for c in loop_reports] == []
