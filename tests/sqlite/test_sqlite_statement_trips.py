"""Statements without rows take one trip to aiosqlite's thread, and no statement
leaves SQLite's lock held against other connections."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import kakaorm
from kakaorm import IntColumn, Model, StrColumn


class TrNote(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "trnote"


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "app.db"


@pytest.fixture
async def file_engine(db_path) -> AsyncIterator[Any]:
    # the default rollback journal: a reader's shared lock blocks other writers
    async with await kakaorm.connect(f"sqlite+aiosqlite:///{db_path}") as engine:
        await engine.create_table(TrNote)
        await TrNote.bulk_create([TrNote(title=f"n{i}", views=i) for i in range(5)])
        yield engine


@pytest.fixture
def trips(file_engine, monkeypatch) -> list[str]:
    """The name of every function KakaORM's connection sends to aiosqlite's thread."""
    raw = file_engine._pool._conn.raw
    sent: list[str] = []
    send = raw._execute

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(fn.__name__)
        return await send(fn, *args, **kwargs)

    monkeypatch.setattr(raw, "_execute", counted)
    return sent


def _write_from_another_connection(path: Path, title: str) -> None:
    """An INSERT by a second connection that gives up at once if the file is locked."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("INSERT INTO trnote (title, views) VALUES (?, 0)", (title,))
    finally:
        other.close()


async def test_an_update_and_a_delete_take_one_trip_each_and_hold_no_lock(db_path, trips):
    assert await TrNote.where(TrNote.views >= 3).update(views=TrNote.views + 10) == 2
    assert trips == ["execute"]
    _write_from_another_connection(db_path, "after update")
    assert await TrNote.where(TrNote.title == "n0").delete() == 1
    assert trips == ["execute", "execute"]
    _write_from_another_connection(db_path, "after delete")
    assert sorted((n.title, n.views) for n in await TrNote.all()) == [
        ("after delete", 0), ("after update", 0), ("n1", 1), ("n2", 2), ("n3", 13), ("n4", 14),
    ]


async def test_raw_sql_that_returns_rows_is_closed_so_other_connections_can_write(file_engine, db_path, trips):
    assert await file_engine.execute("SELECT title FROM trnote") == -1
    assert trips == ["execute", "close"]
    _write_from_another_connection(db_path, "after select")
    assert await file_engine.execute("UPDATE trnote SET views = 0 WHERE title = 'n4' RETURNING id") == 0
    assert trips == ["execute", "close", "execute", "close"]
    _write_from_another_connection(db_path, "after returning")
    assert await TrNote.count() == 7
    assert (await TrNote.get(TrNote.title == "n4")).views == 0
