"""An archive move, restore or purge that fails part-way leaves every row where it was."""

from __future__ import annotations

import pytest

from kakaorm import (
    ArchiveModel,
    DatabaseError,
    ForeignKey,
    IntColumn,
    IntegrityError,
    Model,
    ProgrammingError,
    StrColumn,
)

calls: list[str] = []


class SafeLog(ArchiveModel):
    body = StrColumn(nullable=False)
    level = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "log"

    async def after_delete(self) -> None:
        calls.append("after_delete")


class SafeRef(Model):
    """Holds a RESTRICT reference, so deleting the referenced log row fails."""

    log_id = ForeignKey(SafeLog, nullable=False, on_delete="RESTRICT")

    class Meta:
        table_name = "log_ref"


@pytest.fixture(autouse=True)
def clear_calls():
    calls.clear()


#: how each plugin translates an error raised by a trigger
_TRIGGER_ERROR = {"sqlite": IntegrityError, "postgres": DatabaseError, "mysql": DatabaseError}


def _guard(family: str, name: str, event: str, table: str, condition: str) -> list[str]:
    """SQL creating a trigger that rejects ``event`` on ``table`` where ``condition`` holds
    (``condition`` uses NEW for INSERT, OLD for DELETE)."""
    message = f"rejected by {name}"
    if family == "sqlite":
        return [
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        ]
    if family == "postgres":
        return [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN "
            f"IF {condition} THEN RAISE EXCEPTION '{message}'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $f$",
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
    return [
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW BEGIN "
        f"IF {condition} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message}'; END IF; END"
    ]


async def _setup(engine, n: int) -> None:
    await engine.create_table(SafeLog, SafeRef)
    await engine.create_archive_table(SafeLog)
    await SafeLog.bulk_create([SafeLog(body=f"b{i}", level=i) for i in range(1, n + 1)])


async def _state(engine) -> tuple[int, int]:
    """(rows in the main table, rows in the archive)."""
    return (
        await engine.fetchval("SELECT COUNT(*) FROM log"),
        await engine.fetchval("SELECT COUNT(*) FROM archive_log"),
    )


async def test_a_missing_archive_table_fails_the_delete_and_keeps_the_row(engine):
    await _setup(engine, 3)
    log = await SafeLog.get(SafeLog.id == 2)
    await engine.execute("DROP TABLE archive_log")
    with pytest.raises(ProgrammingError, match="archive_log") as info:
        await log.delete()
    assert type(info.value) is ProgrammingError
    assert log.is_saved
    assert calls == []
    with pytest.raises(ProgrammingError, match="archive_log"):
        await SafeLog.all().delete()
    assert [r.id for r in await SafeLog.all().order_by(SafeLog.id.asc)] == [1, 2, 3]


async def test_an_insert_failing_in_a_later_batch_moves_nothing(engine, backend, sql_log):
    # keys move in batches of 500: the first batch is copied and deleted, the second fails
    await _setup(engine, 600)
    for sql in _guard(backend.family, "archive_guard", "INSERT", "archive_log", "NEW.body = 'b550'"):
        await engine.execute(sql)
    sql_log.clear()
    with pytest.raises(DatabaseError, match="rejected by archive_guard") as info:
        await SafeLog.all().delete()
    assert type(info.value) is _TRIGGER_ERROR[backend.family]
    verbs = [s.split()[0].upper() for s in sql_log.statements]
    assert verbs == ["SELECT", "BEGIN", "INSERT", "DELETE", "INSERT", "ROLLBACK"]
    assert await _state(engine) == (600, 0)
    assert await SafeLog.where(SafeLog.id <= 500).delete() == 500
    assert await _state(engine) == (100, 500)


async def test_a_delete_blocked_after_the_copy_leaves_the_archive_empty(engine, sql_log):
    await _setup(engine, 3)
    await SafeRef.create(log_id=2)
    log = await SafeLog.get(SafeLog.id == 2)
    sql_log.clear()
    with pytest.raises(IntegrityError):
        await log.delete()
    verbs = [s.split()[0].upper() for s in sql_log.statements]
    assert verbs == ["BEGIN", "INSERT", "DELETE", "ROLLBACK"]
    assert await _state(engine) == (3, 0)
    assert log.is_saved
    assert calls == []
    with pytest.raises(IntegrityError):
        await SafeLog.all().delete()
    assert await _state(engine) == (3, 0)
    assert await SafeLog.where(SafeLog.id != 2).delete() == 2
    assert await _state(engine) == (1, 2)


async def test_a_restore_failing_on_the_archive_delete_leaves_both_tables_as_they_were(engine, backend):
    await _setup(engine, 3)
    await SafeLog.all().delete()
    for sql in _guard(backend.family, "restore_guard", "DELETE", "archive_log", "OLD.body = 'b3'"):
        await engine.execute(sql)
    with pytest.raises(DatabaseError, match="rejected by restore_guard") as info:
        await SafeLog.only_deleted().restore()
    assert type(info.value) is _TRIGGER_ERROR[backend.family]
    assert await _state(engine) == (0, 3)
    archived = await SafeLog.only_deleted().where(SafeLog.id == 3).get()
    with pytest.raises(_TRIGGER_ERROR[backend.family]):
        await archived.restore()
    assert await _state(engine) == (0, 3)
    assert await SafeLog.only_deleted().where(SafeLog.id <= 2).restore() == 2
    assert await _state(engine) == (2, 1)


async def test_a_purge_failing_in_a_later_batch_removes_nothing(engine, backend):
    await _setup(engine, 600)
    await SafeLog.all().delete()
    for sql in _guard(backend.family, "purge_guard", "DELETE", "archive_log", "OLD.body = 'b580'"):
        await engine.execute(sql)
    with pytest.raises(DatabaseError, match="rejected by purge_guard"):
        await SafeLog.only_deleted().purge()
    assert await _state(engine) == (0, 600)
    assert await SafeLog.only_deleted().where(SafeLog.body != "b580").purge() == 599
    assert await _state(engine) == (0, 1)
