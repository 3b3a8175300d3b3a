"""A KakaORM 0.4.10 migration history opens with this code, on every backend: whatever
reads or writes the history first upgrades the 0.4 table in place (records, order and
down SQL kept; a record that cannot be converted changes nothing), and concurrent
runners take turns. The 0.4 database comes from compat04_db (0.4's literal DDL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from compat04_db import (
    EXPECTED_HISTORY,
    FILES_04,
    MODELS,
    UPGRADE_LOG,
    UTC,
    build_04_database,
    down_sql_of,
    history_rows,
    history_schema,
    write_04_files,
)

import kakaorm
from kakaorm import MigrationError
from kakaorm.migration import Migrator, VersionedMigrator
from kakaorm.migration._files import migration_source


async def test_history_of_a_04_database_lists_its_records_in_order_converted(engine, backend, caplog):
    await build_04_database(engine, backend.family)
    with caplog.at_level(logging.INFO, logger="kakaorm.migration"):
        history = await VersionedMigrator(engine).history()
    assert [(r.name, r.applied_at) for r in history] == EXPECTED_HISTORY
    assert all(type(r.applied_at) is dt.datetime for r in history)
    assert [r.down for r in history] == [
        (),
        ("DROP TABLE tag",),
        (FILES_04["0002_add_bio.py"][1][backend.family],),  # type: ignore[index]
    ]
    assert [r.getMessage() for r in caplog.records if r.name == "kakaorm.migration"] == [UPGRADE_LOG]
    assert [r.levelno for r in caplog.records if r.name == "kakaorm.migration"] == [logging.INFO]


async def test_the_upgraded_history_table_has_the_current_layout_with_ids_in_04_order(engine, backend):
    await build_04_database(engine, backend.family)
    await VersionedMigrator(engine).history()
    table = (await engine.dialect.read_schema(engine, ["kakaorm_migrations"]))["kakaorm_migrations"]
    assert table.column_names == ("id", "name", "applied_at", "down_sql")
    assert table.primary_key == ("id",)
    assert [c.type.kind for c in table.columns] == ["int", "str", "datetime", "str"]
    assert [c.nullable for c in table.columns] == [False, False, False, False]
    assert [(ix.columns, ix.unique) for ix in table.indexes] == [(("name",), True)]
    rows = await engine.fetch("SELECT id, name, down_sql FROM kakaorm_migrations ORDER BY id")
    assert [(r["id"], r["name"], r["down_sql"]) for r in rows] == [
        (1, "001_create_tables", ""),
        (2, "0001_add_tag", '["DROP TABLE tag"]'),
        (3, "0002_add_bio", down_sql_of(backend.family, "0002_add_bio", None)),
    ]
    # nothing of the upgrade is left behind
    tables = await engine.dialect.read_schema(engine)
    assert not {"kakaorm_migrations_upgrade", "kakaorm_migrations_0_4"} & set(tables)


async def test_upgrading_twice_changes_nothing_the_second_time(engine, backend, sql_log, caplog):
    await build_04_database(engine, backend.family)
    migrator = VersionedMigrator(engine)
    first = await migrator.history()
    sql_log.clear()
    with caplog.at_level(logging.INFO, logger="kakaorm.migration"):
        assert await migrator.history() == first
        assert await VersionedMigrator(engine).history() == first
    writes = [s for s in sql_log.statements if s.split()[0].upper() in ("CREATE", "DROP", "INSERT", "RENAME", "ALTER")]
    assert writes == []
    assert [r for r in caplog.records if r.name == "kakaorm.migration"] == []


@pytest.mark.parametrize("first_call", ["history", "pending", "run_files", "autogenerate", "plan_then_pending"])
async def test_whatever_reads_the_history_first_upgrades_it(engine, backend, tmp_path, first_call):
    await build_04_database(engine, backend.family)
    write_04_files(tmp_path, backend.family)
    migrator = VersionedMigrator(engine)
    if first_call == "history":
        assert len(await migrator.history()) == 3
    elif first_call == "pending":
        assert await migrator.pending(tmp_path) == []
    elif first_call == "run_files":
        assert await migrator.run_files(tmp_path) == 0
    elif first_call == "autogenerate":
        assert await migrator.autogenerate(MODELS, tmp_path, name="nothing") is None
    else:
        assert (await Migrator(engine).plan(MODELS)).is_empty()  # plan() alone leaves the history alone
        assert (await history_schema(engine)) == ("name", "applied_at", "down_sql")
        assert await migrator.pending(tmp_path) == []
    assert await history_schema(engine) == ("id", "name", "applied_at", "down_sql")
    assert [(r.name, r.applied_at) for r in await migrator.history()] == EXPECTED_HISTORY


async def test_run_files_applies_a_new_file_after_the_04_records_and_downgrade_undoes_it(engine, backend, tmp_path):
    await build_04_database(engine, backend.family)
    write_04_files(tmp_path, backend.family)
    name = "0003_add_subtitle.py"
    (tmp_path / name).write_text(
        migration_source(name, ["ALTER TABLE post ADD COLUMN subtitle VARCHAR(80)"], ["ALTER TABLE post DROP COLUMN subtitle"]),
        encoding="utf-8",
    )
    migrator = VersionedMigrator(engine)
    assert await migrator.pending(tmp_path) == ["0003_add_subtitle"]
    assert await migrator.run_files(tmp_path) == 1
    history = await migrator.history()
    assert [r.name for r in history] == [n for n, _ in EXPECTED_HISTORY] + ["0003_add_subtitle"]
    assert history[-1].applied_at > EXPECTED_HISTORY[-1][1]
    assert history[-1].down == ("ALTER TABLE post DROP COLUMN subtitle",)
    rows = await engine.fetch("SELECT id, name FROM kakaorm_migrations ORDER BY id")
    assert [(r["id"], r["name"]) for r in rows][-1] == (4, "0003_add_subtitle")
    assert "subtitle" in (await engine.dialect.read_schema(engine, ["post"]))["post"].column_names

    assert await migrator.downgrade() == ["0003_add_subtitle"]
    assert "subtitle" not in (await engine.dialect.read_schema(engine, ["post"]))["post"].column_names
    assert [(r.name, r.applied_at) for r in await migrator.history()] == EXPECTED_HISTORY
    assert await migrator.pending(tmp_path) == ["0003_add_subtitle"]


async def test_downgrade_first_runs_the_down_sql_04_recorded(engine, backend):
    await build_04_database(engine, backend.family)
    migrator = VersionedMigrator(engine)
    assert await migrator.downgrade() == ["0002_add_bio"]
    assert (await engine.dialect.read_schema(engine, ["author"]))["author"].column_names == ("name", "email", "id")
    assert [(r.name, r.applied_at) for r in await migrator.history()] == EXPECTED_HISTORY[:2]
    # a manual 0.4 migration recorded no down statements: rolling it back is refused
    # before anything is undone (0.4 forgot the record, so run_manual ran it again)
    with pytest.raises(MigrationError) as caught:
        await migrator.downgrade(steps=2)
    assert str(caught.value).startswith(
        "cannot roll back migration 001_create_tables: it was recorded without down statements"
    )
    assert [r.name for r in await migrator.history()] == ["001_create_tables", "0001_add_tag"]
    assert "tag" in await engine.dialect.read_schema(engine)
    assert await migrator.downgrade() == ["0001_add_tag"]
    assert "tag" not in await engine.dialect.read_schema(engine)
    assert [(r.name, r.reversible) for r in await migrator.history()] == [("001_create_tables", False)]


@pytest.mark.parametrize("applied_at", ["yesterday", ""])
async def test_a_record_that_cannot_be_converted_stops_the_upgrade_and_changes_nothing(engine, backend, applied_at):
    await build_04_database(engine, backend.family)
    await engine.execute("UPDATE kakaorm_migrations SET applied_at = %s WHERE name = %s", [applied_at, "0001_add_tag"])
    before = await history_rows(engine)
    migrator = VersionedMigrator(engine)
    with pytest.raises(MigrationError) as caught:
        await migrator.history()
    assert str(caught.value) == (
        "cannot upgrade the migration history table kakaorm_migrations from the KakaORM 0.4 layout: "
        f"the record '0001_add_tag' cannot be converted: its applied_at {applied_at!r} is not an ISO 8601 "
        "date and time; set it to one (e.g. '2024-01-31T09:00:00+00:00'). Nothing was changed; fix that "
        "row and run again"
    )
    assert await history_schema(engine) == ("name", "applied_at", "down_sql")
    assert await history_rows(engine) == before
    # fixed by hand, the next call upgrades it
    await engine.execute(
        "UPDATE kakaorm_migrations SET applied_at = %s WHERE name = %s", ["2024-03-02T10:30:00+00:00", "0001_add_tag"]
    )
    assert [(r.name, r.applied_at) for r in await migrator.history()] == EXPECTED_HISTORY


@pytest.mark.backends("sqlite", "postgres")  # MariaDB's hand-made table cannot hold such a name
async def test_a_04_name_too_long_for_the_current_layout_stops_the_upgrade(engine, backend):
    await build_04_database(engine, backend.family)
    long_name = "0003_" + "x" * 251
    await engine.execute(
        "INSERT INTO kakaorm_migrations (name, applied_at, down_sql) VALUES (%s, %s, %s)",
        [long_name, "2024-03-04T00:00:00+00:00", "[]"],
    )
    with pytest.raises(MigrationError) as caught:
        await VersionedMigrator(engine).history()
    assert str(caught.value) == (
        "cannot upgrade the migration history table kakaorm_migrations from the KakaORM 0.4 layout: "
        f"the record {long_name!r} cannot be converted: its name must be text of 1 to 255 characters. "
        "Nothing was changed; fix that row and run again"
    )
    assert await history_schema(engine) == ("name", "applied_at", "down_sql")
    assert len(await history_rows(engine)) == 4


async def test_a_history_table_of_an_unknown_layout_is_refused(engine):
    await engine.execute("CREATE TABLE kakaorm_migrations (version INTEGER PRIMARY KEY, note VARCHAR(20))")
    with pytest.raises(MigrationError) as caught:
        await VersionedMigrator(engine).history()
    assert str(caught.value) == (
        "the table kakaorm_migrations has the columns (version, note), which is neither KakaORM's migration "
        "history (id, name, applied_at, down_sql) nor KakaORM 0.4's (name, applied_at, down_sql, without id); "
        "rename that table if it is not a migration history, or bring it to one of those layouts by hand"
    )


async def test_a_04_table_without_down_sql_keeps_its_records_with_nothing_to_undo(engine):
    # the layout before 0.4 added down_sql (0.4 added the column on its next start)
    await engine.execute("CREATE TABLE kakaorm_migrations (name VARCHAR(255) PRIMARY KEY, applied_at TEXT NOT NULL)")
    await engine.execute(
        "INSERT INTO kakaorm_migrations (name, applied_at) VALUES (%s, %s), (%s, %s)",
        ["b_second", "2024-01-02T00:00:00", "a_first", "2024-01-01T00:00:00"],
    )
    history = await VersionedMigrator(engine).history()
    assert [(r.name, r.applied_at, r.down) for r in history] == [
        ("a_first", dt.datetime(2024, 1, 1, tzinfo=UTC), ()),
        ("b_second", dt.datetime(2024, 1, 2, tzinfo=UTC), ()),
    ]


async def _upgraded_with_a_04_backup_left(engine, backend, record: list[str]) -> VersionedMigrator:
    """A 0.4 database already upgraded, with the old table left beside the new one, as
    if a process stopped between the swap and the drop of the old table."""
    await build_04_database(engine, backend.family)
    migrator = VersionedMigrator(engine)
    await migrator.history()
    await engine.execute(
        "CREATE TABLE kakaorm_migrations_0_4 (name VARCHAR(255) PRIMARY KEY, applied_at TEXT NOT NULL, "
        "down_sql TEXT NOT NULL)"
    )
    await engine.execute(
        "INSERT INTO kakaorm_migrations_0_4 (name, applied_at, down_sql) VALUES (%s, %s, %s)", record
    )
    return migrator


@pytest.mark.backends("mysql")  # only where DDL is not transactional is the old table renamed, then dropped
async def test_a_04_backup_left_by_an_interrupted_swap_is_dropped_once_its_records_are_kept(engine, backend):
    migrator = await _upgraded_with_a_04_backup_left(
        engine, backend, ["0001_add_tag", "2024-03-02T10:30:00+00:00", '["DROP TABLE tag"]']
    )
    assert [(r.name, r.applied_at) for r in await migrator.history()] == EXPECTED_HISTORY
    assert "kakaorm_migrations_0_4" not in await engine.dialect.read_schema(engine)


@pytest.mark.backends("mysql")  # as above
async def test_a_04_backup_holding_a_record_the_history_lacks_is_kept(engine, backend):
    migrator = await _upgraded_with_a_04_backup_left(
        engine, backend, ["0009_elsewhere", "2024-04-01T00:00:00+00:00", "[]"]
    )
    with pytest.raises(MigrationError) as caught:
        await migrator.history()
    assert str(caught.value) == (
        "kakaorm_migrations_0_4 (the KakaORM 0.4 history kept during its upgrade) holds records that "
        "kakaorm_migrations lacks (0009_elsewhere); it was kept. Compare the two tables and copy the "
        "missing records, then drop it"
    )
    assert "kakaorm_migrations_0_4" in await engine.dialect.read_schema(engine)


@pytest.mark.backends("sqlite", "postgres")
async def test_where_ddl_is_transactional_a_table_named_like_the_backup_is_left_alone(engine, backend):
    # the upgrade there never renames the old table, so such a table is the user's own
    await build_04_database(engine, backend.family)
    await engine.execute(
        "CREATE TABLE kakaorm_migrations_0_4 (name VARCHAR(255) PRIMARY KEY, applied_at TEXT NOT NULL, "
        "down_sql TEXT NOT NULL)"
    )
    await engine.execute(
        "INSERT INTO kakaorm_migrations_0_4 (name, applied_at, down_sql) VALUES (%s, %s, %s)",
        ["0001_add_tag", "2024-03-02T10:30:00+00:00", '["DROP TABLE tag"]'],
    )
    migrator = VersionedMigrator(engine)
    assert [(r.name, r.applied_at) for r in await migrator.history()] == EXPECTED_HISTORY
    assert [(r.name, r.applied_at) for r in await migrator.history()] == EXPECTED_HISTORY
    rows = await engine.fetch("SELECT name FROM kakaorm_migrations_0_4")
    assert [r["name"] for r in rows] == ["0001_add_tag"]


@pytest.mark.backends("mysql")  # only where DDL is not transactional is the new table filled beside the old
async def test_a_copy_left_by_an_interrupted_upgrade_is_replaced_and_the_upgrade_finished(engine, backend):
    await build_04_database(engine, backend.family)
    # as if a process stopped after filling the new table, before the swap
    await engine.execute(
        "CREATE TABLE kakaorm_migrations_upgrade (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
        "name VARCHAR(255) NOT NULL UNIQUE, applied_at DATETIME(6) NOT NULL, down_sql LONGTEXT NOT NULL)"
    )
    await engine.execute(
        "INSERT INTO kakaorm_migrations_upgrade (id, name, applied_at, down_sql) VALUES (1, %s, %s, %s)",
        ["001_create_tables", dt.datetime(2024, 3, 1, 9, 0, 0, 123456), ""],
    )
    assert [(r.name, r.applied_at) for r in await VersionedMigrator(engine).history()] == EXPECTED_HISTORY
    tables = await engine.dialect.read_schema(engine)
    assert not {"kakaorm_migrations_upgrade", "kakaorm_migrations_0_4"} & set(tables)


async def test_two_engines_upgrading_at_once_take_turns_and_keep_every_record(engine, backend, connect_url, tmp_path, caplog):
    if backend.family == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/shared.db"
        builder = await kakaorm.connect(url)
        await build_04_database(builder, backend.family)
        await builder.disconnect()
    else:
        url = connect_url()
        await build_04_database(engine, backend.family)
    first = await kakaorm.connect(url)
    second = await kakaorm.connect(url)
    try:
        with caplog.at_level(logging.INFO, logger="kakaorm.migration"):
            histories = await asyncio.gather(VersionedMigrator(first).history(), VersionedMigrator(second).history())
        for history in histories:
            assert [(r.name, r.applied_at) for r in history] == EXPECTED_HISTORY
        assert [r.getMessage() for r in caplog.records if r.name == "kakaorm.migration"] == [UPGRADE_LOG]
    finally:
        await first.disconnect()
        await second.disconnect()


async def test_a_04_table_met_inside_a_migration_step_is_upgraded_without_waiting_for_itself(engine, backend):
    # run_files makes sure of the table while it holds the migration lock; if a 0.4
    # table appears only then, the upgrade re-enters the lock instead of waiting on it
    await build_04_database(engine, backend.family)
    migrator = VersionedMigrator(engine)

    async def step() -> None:
        async with engine.dialect.migration_lock(engine):
            await migrator._ensure_history()

    await asyncio.wait_for(step(), timeout=60)
    assert await history_schema(engine) == ("id", "name", "applied_at", "down_sql")
    assert [(r.name, r.applied_at) for r in await migrator.history()] == EXPECTED_HISTORY


UPGRADE_SQL = {
    "sqlite": (
        'SELECT "name", "applied_at" FROM "kakaorm_migrations" ORDER BY "applied_at", "name"',
        ['ALTER TABLE "a" RENAME TO "b"', 'ALTER TABLE "c" RENAME TO "a"'],
    ),
    "postgres": (
        'SELECT "name", "applied_at" FROM "kakaorm_migrations" ORDER BY "applied_at", "name"',
        ['ALTER TABLE "a" RENAME TO "b"', 'ALTER TABLE "c" RENAME TO "a"'],
    ),
    "mysql": (
        "SELECT `name`, `applied_at` FROM `kakaorm_migrations` ORDER BY `applied_at`, `name`",
        ["RENAME TABLE `a` TO `b`, `c` TO `a`"],
    ),
}


async def test_the_sql_reading_and_swapping_history_tables_per_dialect(engine, backend):
    compiler = engine.dialect.compiler
    select, rename = UPGRADE_SQL[backend.family]
    assert compiler.select_rows("kakaorm_migrations", ["name", "applied_at"], ["applied_at", "name"]) == select
    assert compiler.rename_tables([("a", "b"), ("c", "a")]) == rename
    assert compiler.rename_tables([]) == []
