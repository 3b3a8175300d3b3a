"""ArchiveModel: delete() moves rows into archive_<table>; restore() moves them back."""

from __future__ import annotations

import datetime as dt

import pytest

from kakaorm import (
    ArchiveModel,
    DateTimeColumn,
    IntColumn,
    IntegrityError,
    QueryError,
    StrColumn,
)
from kakaorm.orm.queryset import QuerySet

calls: list[tuple[str, int | None, bool]] = []


class ArcLog(ArchiveModel):
    body = StrColumn(nullable=False, unique=True, max_length=50)
    level = IntColumn(nullable=False, default=0)
    seen_at = DateTimeColumn()

    class Meta:
        table_name = "log"

    async def before_delete(self) -> None:
        calls.append(("before_delete", self.id, self.is_saved))

    async def after_delete(self) -> None:
        calls.append(("after_delete", self.id, self.is_saved))


@pytest.fixture(autouse=True)
def clear_calls():
    calls.clear()


SEEN = dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)


async def _logs(engine, n: int = 4) -> list[ArcLog]:
    await engine.create_table(ArcLog)
    await engine.create_archive_table(ArcLog)
    return [await ArcLog.create(body=f"b{i}", level=i, seen_at=SEEN) for i in range(1, n + 1)]


async def _main_ids(engine) -> list[int]:
    return [r["id"] for r in await engine.fetch("SELECT id FROM log ORDER BY id")]


async def _archive_ids(engine) -> list[int]:
    return [r["id"] for r in await engine.fetch("SELECT id FROM archive_log ORDER BY id")]


def _ids(rows) -> list[int]:
    return sorted(r.id for r in rows)


async def test_the_archive_table_has_the_same_columns_plus_archived_at(engine):
    archive = ArcLog.archive_model()
    assert archive._meta.table_name == "archive_log"
    assert archive._meta.names == ("id", "body", "level", "seen_at", "archived_at")
    assert archive._meta.columns["archived_at"].nullable is False
    assert ArcLog.archive_model() is archive
    logs = await _logs(engine, 1)
    before = dt.datetime.now(dt.UTC)
    await logs[0].delete()
    after = dt.datetime.now(dt.UTC)
    stamp = (await archive.get(archive.id == 1)).archived_at
    assert type(stamp) is dt.datetime and stamp.utcoffset() == dt.timedelta(0)
    assert before - dt.timedelta(seconds=1) <= stamp <= after + dt.timedelta(seconds=1)
    rows = await engine.fetch("SELECT * FROM archive_log")
    assert len(rows) == 1
    assert set(rows[0]) == {"id", "body", "level", "seen_at", "archived_at"}
    assert (rows[0]["id"], rows[0]["body"], rows[0]["level"]) == (1, "b1", 1)
    assert rows[0]["archived_at"] is not None


async def test_instance_delete_moves_the_row_in_one_transaction(engine, sql_log):
    logs = await _logs(engine, 2)
    sql_log.clear()
    await logs[0].delete()
    verbs = [s.split()[0].upper() for s in sql_log.statements]
    assert verbs == ["BEGIN", "INSERT", "DELETE", "COMMIT"]
    assert "archive_log" in sql_log.statements[1]
    assert await _main_ids(engine) == [2]
    assert await _archive_ids(engine) == [1]
    assert not logs[0].is_saved


async def test_archived_rows_keep_their_values_and_types(engine):
    logs = await _logs(engine, 2)
    await logs[1].delete()
    archived = await ArcLog.only_deleted().get()
    assert type(archived) is ArcLog
    assert archived.to_dict() == {"id": 2, "body": "b2", "level": 2, "seen_at": SEEN}
    assert archived.seen_at.utcoffset() == dt.timedelta(0)


async def test_queryset_delete_moves_matching_rows_and_returns_the_count(engine):
    await _logs(engine)
    assert await ArcLog.where(ArcLog.level >= 3).delete() == 2
    assert await _main_ids(engine) == [1, 2]
    assert await _archive_ids(engine) == [3, 4]
    assert await ArcLog.where(ArcLog.level >= 3).delete() == 0
    assert await ArcLog.only_deleted().delete() == 0
    assert await _main_ids(engine) == [1, 2]


async def test_a_bulk_delete_of_many_rows_moves_them_all(engine):
    await engine.create_table(ArcLog)
    await engine.create_archive_table(ArcLog)
    await ArcLog.bulk_create([ArcLog(body=f"b{i}", level=i % 7) for i in range(1, 1201)])
    assert await ArcLog.where(ArcLog.level != 0).delete() == 1200 - 171
    assert await ArcLog.count() == 171
    assert await ArcLog.only_deleted().count() == 1029
    assert await engine.fetchval("SELECT COUNT(*) FROM archive_log WHERE level = 0") == 0


async def test_default_include_and_only_deleted_read_the_right_tables(engine):
    logs = await _logs(engine)
    await logs[0].delete()
    await logs[2].delete()
    assert _ids(await ArcLog.all()) == [2, 4]
    assert await ArcLog.count() == 2
    everything = ArcLog.include_deleted()
    archived = ArcLog.only_deleted()
    assert type(everything) is QuerySet and type(archived) is QuerySet
    assert [r.id for r in await everything.order_by(ArcLog.id.asc)] == [1, 2, 3, 4]
    assert await everything.count() == 4
    assert [r.body for r in await archived.order_by(ArcLog.body.desc)] == ["b3", "b1"]
    assert await archived.count() == 2
    assert await everything.where(ArcLog.level >= 2).count() == 3
    assert (await everything.where(ArcLog.body == "b3").get()).level == 3
    assert await archived.sum(ArcLog.level) == 4
    assert await everything.where(ArcLog.id == 3).exists() is True
    assert await ArcLog.where(ArcLog.id == 3).exists() is False
    assert await everything.select(ArcLog.body).order_by(ArcLog.id.desc).limit(2) == [
        {"body": "b4"}, {"body": "b3"},
    ]


async def test_instance_restore_moves_the_row_back(engine, backend, sql_log):
    logs = await _logs(engine, 2)
    await logs[0].delete()
    sql_log.clear()
    await logs[0].restore()
    verbs = [s.split()[0].upper() for s in sql_log.statements]
    # PostgreSQL wraps an INSERT of explicit identity keys in a WITH that also moves
    # the key's sequence past them
    insert = "WITH" if backend.family == "postgres" else "INSERT"
    assert verbs == ["BEGIN", insert, "DELETE", "COMMIT"]
    assert logs[0].is_saved
    assert await _main_ids(engine) == [1, 2]
    assert await _archive_ids(engine) == []
    restored = await ArcLog.get(ArcLog.id == 1)
    assert restored.to_dict() == {"id": 1, "body": "b1", "level": 1, "seen_at": SEEN}
    await restored.delete()  # a restored row can be archived again
    assert await _archive_ids(engine) == [1]


async def test_an_archived_instance_from_only_deleted_can_be_restored(engine):
    logs = await _logs(engine, 2)
    await logs[1].delete()
    archived = await ArcLog.only_deleted().get()
    await archived.restore()
    assert _ids(await ArcLog.all()) == [1, 2]


async def test_queryset_restore_moves_matching_archived_rows_back(engine):
    await _logs(engine)
    await ArcLog.all().delete()
    assert await ArcLog.only_deleted().where(ArcLog.level <= 2).restore() == 2
    assert await _main_ids(engine) == [1, 2]
    assert await ArcLog.where(ArcLog.level == 3).restore() == 1
    assert await ArcLog.include_deleted().restore() == 1
    assert await ArcLog.only_deleted().restore() == 0
    assert await _main_ids(engine) == [1, 2, 3, 4]
    assert await _archive_ids(engine) == []


async def test_restoring_a_key_in_use_again_raises_and_moves_nothing(engine):
    await _logs(engine, 3)
    await ArcLog.where(ArcLog.id <= 2).delete()
    await ArcLog.create(id=2, body="new", level=9)
    with pytest.raises(IntegrityError):
        await ArcLog.only_deleted().restore()
    assert await _main_ids(engine) == [2, 3]
    assert await _archive_ids(engine) == [1, 2]
    assert (await ArcLog.get(ArcLog.id == 2)).body == "new"
    archived = await ArcLog.only_deleted().where(ArcLog.id == 2).get()
    with pytest.raises(IntegrityError):
        await archived.restore()
    assert await _archive_ids(engine) == [1, 2]
    assert await ArcLog.only_deleted().where(ArcLog.id == 1).restore() == 1


async def test_restoring_a_unique_value_in_use_again_raises_and_moves_nothing(engine):
    logs = await _logs(engine, 2)
    await logs[0].delete()
    await ArcLog.create(body="b1")
    with pytest.raises(IntegrityError):
        await logs[0].restore()
    assert await _main_ids(engine) == [2, 3]
    assert await _archive_ids(engine) == [1]
    assert not logs[0].is_saved


async def test_only_deleted_purge_empties_the_selected_archive_rows(engine):
    await _logs(engine)
    await ArcLog.where(ArcLog.level >= 2).delete()
    assert await ArcLog.only_deleted().where(ArcLog.level == 3).purge() == 1
    assert await _archive_ids(engine) == [2, 4]
    assert await ArcLog.only_deleted().purge() == 2
    assert await _archive_ids(engine) == []
    assert await ArcLog.only_deleted().purge() == 0
    assert await _main_ids(engine) == [1]


async def test_purge_never_touches_the_main_table(engine):
    logs = await _logs(engine, 3)
    await logs[0].delete()
    assert await ArcLog.include_deleted().purge() == 1
    assert await ArcLog.all().purge() == 0
    assert await _main_ids(engine) == [2, 3]
    assert await _archive_ids(engine) == []


async def test_delete_hooks_run_for_an_instance_but_not_for_a_queryset_or_restore(engine):
    logs = await _logs(engine, 3)
    await logs[0].delete()
    assert calls == [("before_delete", 1, True), ("after_delete", 1, False)]
    calls.clear()
    await ArcLog.where(ArcLog.id >= 2).delete()
    await logs[0].restore()
    await ArcLog.only_deleted().restore()
    assert calls == []


async def test_update_of_archived_rows_is_refused(engine):
    await _logs(engine, 1)
    await ArcLog.all().delete()
    for query in (ArcLog.only_deleted(), ArcLog.include_deleted()):
        with pytest.raises(QueryError, match=r"^update\(\) changes the main table only; restore\(\) archived rows first"):
            await query.update(level=5)
    assert await ArcLog.only_deleted().sum(ArcLog.level) == 1


async def test_deleting_an_unsaved_instance_raises_query_error(engine):
    await _logs(engine, 0)
    with pytest.raises(QueryError, match=r"^cannot delete this ArcLog: it is not in the database"):
        await ArcLog(body="x").delete()
    with pytest.raises(QueryError, match=r"^cannot restore this ArcLog: it has no primary key value"):
        await ArcLog(body="x").restore()
    assert calls == []


async def test_deleting_an_instance_twice_raises_query_error(engine):
    logs = await _logs(engine, 1)
    await logs[0].delete()
    with pytest.raises(QueryError, match=r"^cannot delete this ArcLog: it is not in the database"):
        await logs[0].delete()
    assert await _archive_ids(engine) == [1]


async def test_deleting_a_copy_of_an_archived_row_raises_not_found(engine):
    logs = await _logs(engine, 1)
    stale = await ArcLog.get(ArcLog.id == 1)
    await logs[0].delete()
    with pytest.raises(ArcLog.NotFound, match=r"^delete\(\): no ArcLog row with key 1 is in log"):
        await stale.delete()
    assert await _archive_ids(engine) == [1]
    await stale.restore()
    with pytest.raises(ArcLog.NotFound, match=r"^restore\(\): archive_log holds no ArcLog row with key 1"):
        await logs[0].restore()
    assert await _main_ids(engine) == [1]


async def test_create_archive_table_takes_archive_models_only(engine):
    from kakaorm import Model

    class ArcPlain(Model):
        name = StrColumn()

    with pytest.raises(TypeError, match=r"create_archive_table\(\) takes ArchiveModel subclasses"):
        await engine.create_archive_table(ArcPlain)
    with pytest.raises(TypeError, match=r"ArchiveModel is abstract and has no archive table"):
        await engine.create_archive_table(ArchiveModel)


async def test_a_move_inside_a_rolled_back_transaction_is_undone(engine):
    logs = await _logs(engine, 2)

    class Abort(Exception):
        pass

    with pytest.raises(Abort):
        async with engine.transaction():
            await logs[0].delete()
            assert await _archive_ids(engine) == [1]
            raise Abort
    assert await _main_ids(engine) == [1, 2]
    assert await _archive_ids(engine) == []
    async with engine.transaction():
        assert await ArcLog.all().delete() == 2
    assert await _archive_ids(engine) == [1, 2]
