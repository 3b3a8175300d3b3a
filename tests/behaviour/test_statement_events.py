"""Statement events: engine.add_listener(before_execute=, after_execute=) sees every
statement with its parameters, row count, duration and error, on every backend."""

from __future__ import annotations

import contextlib
import logging

import pytest

from kakaorm import AfterExecute, BeforeExecute, IntColumn, Model, ProgrammingError, StrColumn


class EvItem(Model):
    name = StrColumn(nullable=False, max_length=20)
    qty = IntColumn(nullable=False, default=0)


class Recorder:
    def __init__(self) -> None:
        self.before: list[BeforeExecute] = []
        self.after: list[AfterExecute] = []

    def summary(self) -> list[tuple[str, int | None]]:
        return [(event.sql.split()[0], event.rows) for event in self.after]


async def create_get_update() -> None:
    item = await EvItem.create(name="a", qty=3)
    await EvItem.get(EvItem.id == item.id)
    await EvItem.where(EvItem.id == item.id).update(qty=4)


async def test_events_of_a_create_get_update_outside_a_transaction(engine):
    await engine.create_table(EvItem)
    rec = Recorder()
    listener = engine.add_listener(before_execute=rec.before.append, after_execute=rec.after.append)
    await create_get_update()
    listener.remove()
    assert rec.summary() == [("INSERT", 1), ("SELECT", 1), ("UPDATE", 1)]
    assert [b.statement_id for b in rec.before] == [a.statement_id for a in rec.after]
    assert [b.sql for b in rec.before] == [a.sql for a in rec.after]
    insert, _, update = rec.after
    assert list(insert.params) == ["a", 3]
    assert update.params[0] == 4
    assert all(type(a.duration) is float and a.duration >= 0 for a in rec.after)
    assert all(a.error is None and a.cancelled is False for a in rec.after)
    assert {(a.dialect, a.driver) for a in rec.after} == {(engine.dialect.name, engine.dialect.driver)}


async def test_events_of_a_transaction_include_begin_and_commit(engine):
    await engine.create_table(EvItem)
    rec = Recorder()
    with engine.listening(after_execute=rec.after.append):
        async with engine.transaction():
            await create_get_update()
    assert rec.summary() == [("BEGIN", None), ("INSERT", 1), ("SELECT", 1), ("UPDATE", 1), ("COMMIT", None)]


async def test_a_begin_at_an_isolation_level_shows_its_statements(engine, backend):
    rec = Recorder()
    with engine.listening(before_execute=rec.before.append):
        async with engine.transaction(isolation="serializable"):
            pass
    expected = {
        "sqlite": ["BEGIN", "COMMIT"],
        "postgres": ["BEGIN ISOLATION LEVEL SERIALIZABLE", "COMMIT"],
        "mysql": ["SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "START TRANSACTION", "COMMIT"],
    }
    assert [b.sql for b in rec.before] == expected[backend.family]


async def test_a_failing_statement_gives_an_after_event_with_its_error(engine):
    rec = Recorder()
    with engine.listening(after_execute=rec.after.append):
        with pytest.raises(ProgrammingError) as info:
            await engine.execute("SELECT nothing FROM no_such_table WHERE x = %s", [7])
        await engine.execute("SELECT 1")
    failed, ok = rec.after
    assert failed.error is info.value
    assert (failed.rows, list(failed.params)) == (None, [7])
    assert ok.error is None


async def test_a_rolled_back_transaction_shows_its_rollback(engine):
    await engine.create_table(EvItem)
    rec = Recorder()
    with engine.listening(after_execute=rec.after.append), pytest.raises(ZeroDivisionError):
        async with engine.transaction():
            await EvItem.create(name="x")
            1 / 0  # noqa: B018
    assert rec.summary() == [("BEGIN", None), ("INSERT", 1), ("ROLLBACK", None)]


async def test_a_raising_listener_is_logged_and_the_query_goes_on(engine, caplog):
    await engine.create_table(EvItem)
    rec = Recorder()

    def broken(event: BeforeExecute) -> None:
        raise RuntimeError("listener bug")

    engine.add_listener(before_execute=broken)
    engine.add_listener(after_execute=rec.after.append)
    with caplog.at_level(logging.ERROR, logger="kakaorm.events"):
        item = await EvItem.create(name="still")
    assert (await EvItem.get(EvItem.id == item.id)).name == "still"
    assert rec.summary() == [("INSERT", 1), ("SELECT", 1)]
    records = [r for r in caplog.records if r.name == "kakaorm.events"]
    assert len(records) == 2
    assert records[0].getMessage().startswith("a BeforeExecute listener ")
    assert records[0].getMessage().endswith(" raised; the statement goes on")
    assert records[0].exc_info is not None and str(records[0].exc_info[1]) == "listener bug"


async def test_a_removed_listener_sees_nothing_more(engine):
    rec = Recorder()
    listener = engine.add_listener(after_execute=rec.after.append)
    await engine.fetchval("SELECT 1")
    engine.remove_listener(listener)
    listener.remove()  # twice: no error
    await engine.fetchval("SELECT 1")
    with engine.listening(after_execute=rec.after.append):
        await engine.fetch("SELECT 1 AS one")
    await engine.fetchval("SELECT 1")
    assert rec.summary() == [("SELECT", 1), ("SELECT", 1)]
    assert engine._listeners == ()


async def test_ddl_fires_events(engine, backend):
    rec = Recorder()
    with engine.listening(after_execute=rec.after.append):
        await engine.create_table(EvItem)
    kinds = [a.sql.split()[0] for a in rec.after]
    assert "CREATE" in kinds
    if engine.features.transactional_ddl:
        assert (kinds[0], kinds[-1]) == ("BEGIN", "COMMIT")


def test_a_listener_needs_a_hook():
    from kakaorm.engine.events import Listener

    with pytest.raises(TypeError) as info:
        Listener(None, None, lambda _: None)
    assert str(info.value) == "add_listener() needs before_execute=, after_execute= or both"


async def test_a_streamed_query_gives_one_event_pair_with_the_rows_yielded(engine):
    await engine.create_table(EvItem)
    await EvItem.bulk_create([EvItem(name=f"s{i}", qty=i) for i in range(5)])
    rec = Recorder()
    with engine.listening(before_execute=rec.before.append, after_execute=rec.after.append):
        names = [item.name async for item in EvItem.all().order_by(EvItem.qty).iterator(chunk_size=2)]
        async with contextlib.aclosing(EvItem.all().order_by(EvItem.qty).iterator(chunk_size=2)) as stream:
            async for _ in stream:
                break
    assert names == ["s0", "s1", "s2", "s3", "s4"]
    assert rec.summary() == [("SELECT", 5), ("SELECT", 2)]  # the second loop left after one chunk
    assert [b.statement_id for b in rec.before] == [a.statement_id for a in rec.after]
    assert all(a.error is None and a.cancelled is False for a in rec.after)
