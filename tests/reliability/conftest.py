"""Fixtures of the reliability tests.

* ``pooled``: an engine of the backend with a pool of 10 connections (SQLite: its one
  connection), on the database the ``engine`` fixture has just emptied. The workloads
  of :mod:`stress.workloads` run on it.
* ``admin``: a raw driver connection to the backend's server that kills sessions and
  reports which ones are inside a transaction (``None`` on SQLite).
* ``pool_max``: the most connections ``pooled`` lends at once.
* ``known_defect(reason, *backend_ids)``: marks the running test as a strict xfail
  on those backends (all when none is named) for a defect this suite found outside
  issue 13's list. The test still states the correct behaviour; once the defect is
  fixed it passes, strict makes that an XPASS failure, and the mark must go.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Callable

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


@pytest.fixture
def known_defect(request: pytest.FixtureRequest) -> Callable[..., None]:
    def mark(reason: str, *backend_ids: str) -> None:
        backend = request.getfixturevalue("backend") if backend_ids else None
        if backend is None or backend.id in backend_ids:
            request.applymarker(pytest.mark.xfail(strict=True, reason=f"defect outside issue 13's list: {reason}"))

    return mark
