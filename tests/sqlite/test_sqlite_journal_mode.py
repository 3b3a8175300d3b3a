"""``journal_mode``: a SQLite file switched to the journal asked for, checked."""

from __future__ import annotations

import pytest

import kakaorm
from kakaorm import Model, StrColumn


class JmNote(Model):
    title = StrColumn(nullable=False)


@pytest.mark.parametrize(("asked", "later"), [("wal", "wal"), ("WAL", "wal"), ("truncate", "delete")])
async def test_the_connection_takes_the_mode_asked_for_and_only_wal_stays_in_the_file(tmp_path, asked, later):
    path = tmp_path / "app.db"
    async with await kakaorm.connect(f"sqlite+aiosqlite:///{path}", journal_mode=asked) as engine:
        assert await engine.fetchval("PRAGMA journal_mode") == asked.lower()
        await engine.create_table(JmNote)
        await JmNote.create(title="kept")
    # WAL is written into the file: a later connection without the option finds it;
    # the other modes are the connection's own
    async with await kakaorm.connect(f"sqlite+aiosqlite:///{path}") as engine:
        assert await engine.fetchval("PRAGMA journal_mode") == later
        assert [n.title for n in await JmNote.all().using(engine)] == ["kept"]


async def test_without_the_option_a_new_file_has_sqlites_default_journal(tmp_path):
    async with await kakaorm.connect(f"sqlite+aiosqlite:///{tmp_path / 'app.db'}") as engine:
        assert await engine.fetchval("PRAGMA journal_mode") == "delete"


@pytest.mark.parametrize("bad", ["wall", "", 1, True])
async def test_an_unknown_mode_is_refused_before_the_file_is_opened(tmp_path, bad):
    path = tmp_path / "app.db"
    with pytest.raises(kakaorm.ConfigurationError) as err:
        await kakaorm.connect(f"sqlite+aiosqlite:///{path}", journal_mode=bad)
    assert str(err.value) == (
        "journal_mode must be one of delete, truncate, persist, memory, wal, off (SQLite's "
        f"PRAGMA journal_mode), got {bad!r}"
    )
    assert not path.exists()


async def test_an_in_memory_database_cannot_take_wal():
    with pytest.raises(kakaorm.ConfigurationError) as err:
        await kakaorm.connect("sqlite+aiosqlite:///:memory:", journal_mode="wal")
    assert str(err.value) == (
        "SQLite kept journal_mode=memory for ':memory:' instead of wal: an in-memory database "
        "has no journal file of its own (its mode is always memory); give a file path, or "
        "leave journal_mode out"
    )


async def test_a_file_locked_by_another_writer_is_an_operational_error_and_keeps_its_mode(tmp_path):
    import sqlite3

    path = tmp_path / "app.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(kakaorm.OperationalError) as err:
            await kakaorm.connect(f"sqlite+aiosqlite:///{path}", journal_mode="wal", busy_timeout=0.05)
        assert str(err.value).startswith(f"cannot set journal_mode=wal on the SQLite database {str(path)!r}: ")
        assert "locked" in str(err.value)
    finally:
        holder.execute("ROLLBACK")
    assert holder.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    holder.close()
