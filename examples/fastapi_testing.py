"""Testing a KakaORM + FastAPI app with pytest and httpx, without starting a server.

    pip install kakaorm-core kakaorm-sqlite pydantic fastapi httpx pytest pytest-asyncio
    pytest examples/fastapi_testing.py

httpx's ``ASGITransport`` calls the app directly, in the test's own task. The app's
lifespan does not run that way, so the fixtures connect the database themselves
(``kakaorm.connect`` makes that engine the models' default).

Two ways to give every test a clean database:

* ``fresh_db``: a new in-memory SQLite database per test, tables created, thrown
  away afterwards. Simple and completely isolated.
* ``@rolled_back``: one database for the whole run (a temporary SQLite file, or the
  URL in TEST_DATABASE_URL, e.g. a PostgreSQL test database) and each test inside a
  transaction that is rolled back when it ends. Because the app runs in the test's
  task, its statements join that transaction (a transaction the app opens itself
  becomes a savepoint), so nothing a test writes survives it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi_todo import Todo, app  # the app under test (examples/fastapi_todo.py)

import kakaorm


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


# -- way 1: a fresh database per test -------------------------------------------------------


@pytest_asyncio.fixture
async def fresh_db() -> AsyncIterator[kakaorm.Engine]:
    """An empty in-memory SQLite database with the app's tables."""
    engine = await kakaorm.connect("sqlite+aiosqlite:///:memory:")
    await engine.create_table(Todo)
    yield engine
    await engine.disconnect()


@pytest.mark.asyncio
async def test_created_todo_is_listed_and_fetched(fresh_db: kakaorm.Engine, client: httpx.AsyncClient) -> None:
    created = await client.post("/todos", json={"title": "write tests"})
    assert created.status_code == 201
    assert created.json() == {"id": 1, "title": "write tests", "description": None, "completed": False}

    listed = await client.get("/todos")
    assert listed.json() == [created.json()]
    fetched = await client.get("/todos/1")
    assert fetched.json() == created.json()


@pytest.mark.asyncio
async def test_bad_requests_are_refused(fresh_db: kakaorm.Engine, client: httpx.AsyncClient) -> None:
    missing = await client.post("/todos", json={"description": "no title"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "title"]

    unknown = await client.post("/todos", json={"title": "x", "owner": "mallory"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["type"] == "extra_forbidden"

    absent = await client.get("/todos/42")
    assert absent.status_code == 404
    assert absent.json() == {"detail": "no todo with id 42"}
    assert await Todo.count() == 0  # nothing was written


# -- way 2: one database, each test rolled back ----------------------------------------------


@pytest.fixture(scope="session")
def shared_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database every rolled-back test shares."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    path: Path = tmp_path_factory.mktemp("shared") / "todo.db"
    return f"sqlite+aiosqlite:///{path}"


@pytest_asyncio.fixture
async def shared_db(shared_url: str) -> AsyncIterator[kakaorm.Engine]:
    """A connection to the shared database, its tables created if missing."""
    engine = await kakaorm.connect(shared_url)
    await engine.create_table(Todo)
    yield engine
    await engine.disconnect()


class _Rollback(Exception):
    """Ends a test's transaction with a rollback."""


def rolled_back(test: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Run an async test inside a transaction of the default engine, rolled back after.

    The wrapper runs in the test's task (a fixture would run in another task, and a
    KakaORM transaction belongs to the task that opened it).
    """

    @functools.wraps(test)
    async def run(*args: Any, **kwargs: Any) -> None:
        try:
            async with kakaorm.get_engine().transaction():
                await test(*args, **kwargs)
                raise _Rollback
        except _Rollback:
            pass

    return run


@pytest.mark.asyncio
@rolled_back
async def test_patch_then_delete(shared_db: kakaorm.Engine, client: httpx.AsyncClient) -> None:
    todo_id = (await client.post("/todos", json={"title": "ship it"})).json()["id"]

    patched = await client.patch(f"/todos/{todo_id}", json={"completed": True})
    assert patched.json() == {"id": todo_id, "title": "ship it", "description": None, "completed": True}

    assert (await client.delete(f"/todos/{todo_id}")).status_code == 204
    assert (await client.get(f"/todos/{todo_id}")).status_code == 404


@pytest.mark.asyncio
@rolled_back
async def test_each_rolled_back_test_sees_only_its_own_rows(
    shared_db: kakaorm.Engine, client: httpx.AsyncClient
) -> None:
    await client.post("/todos", json={"title": "mine", "completed": True})
    # had an earlier test's rows survived, they would be listed here too
    assert [t["title"] for t in (await client.get("/todos")).json()] == ["mine"]


@pytest.mark.asyncio
@rolled_back
async def test_filter_by_completed(shared_db: kakaorm.Engine, client: httpx.AsyncClient) -> None:
    await client.post("/todos", json={"title": "done", "completed": True})
    await client.post("/todos", json={"title": "open"})
    assert [t["title"] for t in (await client.get("/todos?completed=false")).json()] == ["open"]
    assert [t["title"] for t in (await client.get("/todos?completed=true")).json()] == ["done"]


@pytest.mark.asyncio
async def test_openapi_documents_the_model(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]["Todo"]
    assert schema["required"] == ["id", "title", "description", "completed"]
    assert schema["properties"]["title"]["type"] == "string"
    assert schema["properties"]["description"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
