"""connect / disconnect / async with, the default engine, DDL, and statement logging."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

import kakaorm
from kakaorm import ConfigurationError, IntColumn, InterfaceError, Model, StrColumn


class EngNote(Model):
    body = StrColumn(nullable=False)
    size = IntColumn(nullable=False, default=0)


@pytest.fixture
def restore_sql_logger() -> Iterator[None]:
    """Undo what echo=True does to the kakaorm.sql logger."""
    log = logging.getLogger("kakaorm.sql")
    handlers, level = list(log.handlers), log.level
    try:
        yield
    finally:
        log.handlers[:] = handlers
        log.setLevel(level)


async def test_connect_makes_the_newest_engine_the_default(engine, connect_url):
    assert kakaorm.get_engine() is engine
    other = await kakaorm.connect(connect_url())
    try:
        assert kakaorm.get_engine() is other
        assert other is not engine
    finally:
        await other.disconnect()
    # the newest engine still open becomes the default again
    assert kakaorm.get_engine() is engine


async def test_async_with_connect_disconnects_at_the_end(engine, connect_url):
    async with await kakaorm.connect(connect_url()) as inner:
        assert await inner.fetchval("SELECT 1 + %s", [1]) == 2
    with pytest.raises(InterfaceError, match="disconnected"):
        await inner.fetchval("SELECT 1")


async def test_disconnect_closes_the_engine_and_is_idempotent(engine, connect_url):
    other = await kakaorm.connect(connect_url())
    await other.disconnect()
    await other.disconnect()
    with pytest.raises(InterfaceError, match=r"call kakaorm\.connect\(\) again"):
        await other.execute("SELECT 1")
    # models fall back to the engine that is still open
    assert kakaorm.get_engine() is engine


async def test_queryset_using_runs_on_the_given_engine(engine, connect_url):
    await engine.create_table(EngNote)
    await EngNote.create(body="on the fixture engine")
    other = await kakaorm.connect(connect_url())
    try:
        rows = await EngNote.all().using(engine)
        assert [n.body for n in rows] == ["on the fixture engine"]
    finally:
        await other.disconnect()


async def test_connect_rejects_unknown_options_listing_the_valid_ones(engine, connect_url):
    with pytest.raises(ConfigurationError) as info:
        await kakaorm.connect(connect_url(), pool_sise=3)
    message = str(info.value)
    assert "unknown option(s) pool_sise" in message
    assert "echo" in message and "compile_cache_size" in message
    assert kakaorm.get_engine() is engine


async def test_a_compile_cache_of_size_zero_compiles_every_statement_and_keeps_none(engine, connect_url):
    uncached = await kakaorm.connect(connect_url(), compile_cache_size=0)
    try:
        await uncached.create_table(EngNote)
        for round_ in range(2):  # a second round would take every remembered path
            made = await EngNote.create(body=f"n{round_}", size=round_)
            assert (await EngNote.get(EngNote.id == made.id)).body == f"n{round_}"
            assert await EngNote.get_or_none(EngNote.size == 99) is None
            assert [n.size for n in await EngNote.where(EngNote.size >= 0).order_by(EngNote.id)] == list(
                range(round_ + 1)
            )
        assert uncached._cache == {}
    finally:
        await uncached.disconnect()


@pytest.mark.parametrize("size", [-1, 2.5, "512", True, None])
async def test_connect_refuses_a_compile_cache_size_that_is_not_a_count(engine, connect_url, size):
    with pytest.raises(ConfigurationError) as info:
        await kakaorm.connect(connect_url(), compile_cache_size=size)
    assert str(info.value) == (
        "connect() option compile_cache_size must be an integer of 0 or more (0 caches no statement), "
        f"got {size!r}"
    )
    assert kakaorm.get_engine() is engine


async def test_create_table_is_idempotent_and_drop_table_removes_it(engine):
    await engine.create_table(EngNote)
    await EngNote.create(body="kept")
    await engine.create_table(EngNote)
    assert [n.body for n in await EngNote.all()] == ["kept"]
    await engine.drop_table(EngNote)
    await engine.drop_table(EngNote)
    await engine.create_table(EngNote)
    assert await EngNote.count() == 0


async def test_every_statement_is_logged_on_kakaorm_sql_with_its_parameters(engine, caplog):
    await engine.create_table(EngNote)
    with caplog.at_level(logging.DEBUG, logger="kakaorm.sql"):
        await EngNote.create(body="logged", size=7)
        await engine.fetch("SELECT body FROM eng_note WHERE size = %s", [7])
    records = [r for r in caplog.records if r.name == "kakaorm.sql"]
    assert len(records) == 2
    assert all(r.levelno == logging.DEBUG for r in records)
    insert, select = (r.getMessage() for r in records)
    assert insert.startswith("INSERT INTO") and "'logged', 7" in insert
    assert "SELECT body FROM eng_note WHERE size =" in select and "[7]" in select
    assert " ms)" in select


async def test_echo_prints_statements_to_stderr(engine, connect_url, capsys, restore_sql_logger):
    async with await kakaorm.connect(connect_url(), echo=True) as echoing:
        await echoing.fetchval("SELECT %s", ["echoed value"])
    err = capsys.readouterr().err
    assert "[kakaorm.sql]" in err
    assert "'echoed value'" in err


async def test_repr_of_an_engine_names_the_backend(engine):
    assert repr(engine).startswith("<Engine ")
    assert engine.dialect.name in repr(engine)


async def test_a_statement_that_fails_is_logged_too(engine, caplog):
    with caplog.at_level(logging.DEBUG, logger="kakaorm.sql"), pytest.raises(kakaorm.ProgrammingError):
        await engine.fetch("SELECT * FROM eng_missing_table WHERE x = %s", [1])
    messages = [r.getMessage() for r in caplog.records if r.name == "kakaorm.sql"]
    assert len(messages) == 1
    assert "eng_missing_table" in messages[0] and "[1]" in messages[0]


async def test_many_concurrent_tasks_all_complete(engine):
    await engine.create_table(EngNote)

    async def work(i: int) -> int:
        note = await EngNote.create(body=f"n{i}", size=i)
        await EngNote.where(EngNote.id == note.id).update(size=EngNote.size * 2)
        return (await EngNote.get(EngNote.id == note.id)).size

    sizes = await asyncio.gather(*(work(i) for i in range(25)))
    assert sizes == [i * 2 for i in range(25)]
    assert await EngNote.count() == 25
