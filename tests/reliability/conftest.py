"""Fixtures of the reliability tests.

* ``pooled``: an engine of the backend with a pool of 10 connections (SQLite: its one
  connection), on the database the ``engine`` fixture has just emptied. The workloads
  of :mod:`stress.workloads` run on it.
* ``admin``: a raw driver connection to the backend's server that kills sessions and
  reports which ones are inside a transaction (``None`` on SQLite).
* ``pool_max``: the most connections ``pooled`` lends at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

import kakaorm
from stress import servers, workloads

POOL_SIZE = 10


@pytest.fixture
async def pooled(engine: kakaorm.Engine, backend: Any) -> AsyncIterator[kakaorm.Engine]:
    url = backend.url()
    pooled_engine = await kakaorm.connect(url, **workloads.pool_options(url, POOL_SIZE))
    try:
        yield pooled_engine
    finally:
        await pooled_engine.disconnect()


@pytest.fixture
async def admin(engine: kakaorm.Engine, backend: Any) -> AsyncIterator[servers.ServerAdmin | None]:
    if backend.family == "sqlite":
        yield None
        return
    connection = await servers.open_admin(backend.family, backend.server_url, backend.database)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
def pool_max(backend: Any) -> int:
    """The most connections ``pooled`` lends at once on ``backend``."""
    return 1 if backend.family == "sqlite" else POOL_SIZE

