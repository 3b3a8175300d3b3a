"""Server faults on PostgreSQL (both drivers) and MariaDB: sessions terminated from a
separate admin connection (``pg_terminate_backend`` / ``KILL CONNECTION``).

Where nothing was in flight (idle pooled connections) the next statements succeed
without a retry. Where a statement or a transaction was in flight, the caller gets
``kakaorm.exc.ConnectionLostError`` (an ``OperationalError``), nothing of the
transaction is committed, and the pool serves the next statements.
"""

from __future__ import annotations

import pytest

from kakaorm import exc
from stress.workloads import kill_busy, kill_idle, kill_in_transaction, settle_pool, setup_faults

pytestmark = pytest.mark.backends("postgres", "mysql")


def _assert_connection_lost(err: BaseException | None) -> None:
    assert isinstance(err, exc.OperationalError), repr(err)
    assert isinstance(err, exc.ConnectionLostError), repr(err)
    assert err.orig is not None


async def test_killing_every_idle_pooled_connection_costs_no_statement_a_retry(pooled, admin, pool_max):
    await setup_faults(pooled)

    fault = await kill_idle(pooled, admin, sessions=pool_max)

    # pool_max statements one after another, then pool_max at once: all at the first try
    assert (fault.injected, fault.recoveries, dict(fault.errors), fault.samples) == (
        pool_max, 2 * pool_max, {}, []
    )
    stats = await settle_pool(pooled)
    assert (stats.in_use, stats.size <= pool_max) == (0, True)


async def test_killing_idle_connections_twice_in_a_row_costs_no_statement_a_retry(pooled, admin):
    await setup_faults(pooled)
    first = await kill_idle(pooled, admin, sessions=3)
    second = await kill_idle(pooled, admin, sessions=3)
    assert [(f.injected, f.recoveries, dict(f.errors)) for f in (first, second)] == [(3, 6, {}), (3, 6, {})]


async def test_a_statement_whose_session_is_killed_raises_connection_lost_error(pooled, admin, backend):
    await setup_faults(pooled)

    fault = await kill_busy(pooled, admin, statements=1)

    assert fault.injected == 1
    _assert_connection_lost(fault.last_in_flight)
    if backend.family == "postgres":
        assert "SQLSTATE" in str(fault.last_in_flight)
    # the next statements (2 in a row, then 2 at once) all succeed
    assert (dict(fault.in_flight), fault.recoveries, dict(fault.errors)) == ({"ConnectionLostError": 1}, 4, {})


async def test_every_busy_statement_of_the_pool_killed_at_once_raises_connection_lost_error(pooled, admin, pool_max):
    await setup_faults(pooled)

    fault = await kill_busy(pooled, admin, statements=pool_max)

    assert fault.injected == pool_max
    _assert_connection_lost(fault.last_in_flight)
    assert (dict(fault.in_flight), fault.recoveries, dict(fault.errors)) == (
        {"ConnectionLostError": pool_max}, 4, {}
    )
    stats = await settle_pool(pooled)
    assert (stats.in_use, stats.size <= pool_max) == (0, True)


async def test_a_transaction_whose_session_is_killed_commits_nothing_and_raises_connection_lost_error(pooled, admin):
    await setup_faults(pooled)

    fault = await kill_in_transaction(pooled, admin, tag="killed")

    assert fault.injected == 1
    _assert_connection_lost(fault.last_in_flight)
    assert fault.partial_commits == 0
    assert (dict(fault.in_flight), fault.recoveries, dict(fault.errors)) == ({"ConnectionLostError": 1}, 4, {})
