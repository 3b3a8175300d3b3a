"""VersionedMigrator: migration files written, applied in order, recorded, rolled back,
on every backend."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from kakaorm import ArchiveModel, IntColumn, MigrationError, Model, StrColumn
from kakaorm.migration import Migrator, VersionedMigrator
from kakaorm.migration._files import migration_source, read_migration


class VerUserV1(Model):
    name = StrColumn(nullable=False)

    class Meta:
        table_name = "ver_user"


class VerUserV2(Model):
    name = StrColumn(nullable=False)
    bio = StrColumn()

    class Meta:
        table_name = "ver_user"


class VerUserV3(Model):
    name = StrColumn(nullable=False)
    bio = StrColumn()
    age = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "ver_user"


class VerLog(ArchiveModel):
    body = StrColumn(nullable=False)

    class Meta:
        table_name = "ver_log"


def write(directory, name, up, down=()):
    path = directory / name
    path.write_text(migration_source(name, list(up), list(down)), encoding="utf-8")
    return path


async def columns(engine, table):
    schema = await engine.dialect.read_schema(engine, [table])
    return [c.name for c in schema[table].columns] if table in schema else None


async def test_autogenerate_writes_numbered_files_and_run_files_applies_them(engine, tmp_path):
    migrator = VersionedMigrator(engine)
    first = await migrator.autogenerate([VerUserV1], tmp_path, name="create user")
    assert first == tmp_path / "0001_create_user.py"
    expected = await Migrator(engine).plan([VerUserV1])
    assert read_migration(first) == (expected.statements, expected.down_statements)
    assert await migrator.pending(tmp_path) == ["0001_create_user"]
    assert await migrator.run_files(tmp_path) == 1
    await VerUserV1.create(name="ann")

    second = await migrator.autogenerate([VerUserV2], tmp_path, name="add_bio")
    assert second is not None and second.name == "0002_add_bio.py"
    up, down = read_migration(second)
    assert len(up) == 1 and "ADD COLUMN" in up[0] and "bio" in up[0]
    assert await migrator.run_files(tmp_path) == 1
    assert await migrator.run_files(tmp_path) == 0
    assert await migrator.pending(tmp_path) == []
    assert await columns(engine, "ver_user") == ["id", "name", "bio"]
    assert [(u.name, u.bio) for u in await VerUserV2.all()] == [("ann", None)]

    history = await migrator.history()
    assert [r.name for r in history] == ["0001_create_user", "0002_add_bio"]
    now = dt.datetime.now(dt.UTC)
    for record in history:
        assert record.applied_at.tzinfo is not None
        assert record.applied_at.utcoffset() == dt.timedelta(0)
        assert abs((now - record.applied_at).total_seconds()) < 120
    assert list(history[1].down) == down


async def test_autogenerate_writes_nothing_when_the_database_matches(engine, tmp_path, caplog):
    await engine.create_table(VerUserV1)
    with caplog.at_level(logging.INFO, logger="kakaorm.migration"):
        assert await VersionedMigrator(engine).autogenerate([VerUserV1], tmp_path, name="noop") is None
    assert list(tmp_path.iterdir()) == []
    assert "the database matches the models; no migration file written" in caplog.text


async def test_numbering_continues_after_the_files_present(engine, tmp_path):
    write(tmp_path, "0007_by_hand.py", ["CREATE TABLE ver_hand (id INTEGER PRIMARY KEY)"], ["DROP TABLE ver_hand"])
    (tmp_path / "notes.txt").write_text("not a migration")
    migrator = VersionedMigrator(engine)
    assert await migrator.run_files(tmp_path) == 1
    path = await migrator.autogenerate([VerUserV1], tmp_path, name="Users!")
    assert path is not None and path.name == "0008_users.py"


async def test_autogenerate_refuses_while_files_are_pending(engine, tmp_path):
    migrator = VersionedMigrator(engine)
    await migrator.autogenerate([VerUserV1], tmp_path, name="one")
    with pytest.raises(MigrationError, match=r"1 migration file\(s\) in .* are not applied yet \(0001_one\)"):
        await migrator.autogenerate([VerUserV2], tmp_path, name="two")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0001_one.py"]


async def test_autogenerate_refuses_a_plan_with_blockers(engine, tmp_path):
    await engine.create_table(VerUserV1)
    await VerUserV1.create(name="a")

    class VerUserStrict(Model):
        name = StrColumn(nullable=False)
        code = StrColumn(nullable=False)

        class Meta:
            table_name = "ver_user"

    with pytest.raises(MigrationError, match=r"(?s)no migration file was written.*column ver_user\.code is added as NOT NULL"):
        await VersionedMigrator(engine).autogenerate([VerUserStrict], tmp_path, name="strict")
    assert list(tmp_path.iterdir()) == []


async def test_autogenerate_includes_the_archive_table_of_an_archive_model(engine, tmp_path):
    migrator = VersionedMigrator(engine)
    path = await migrator.autogenerate([VerLog], tmp_path, name="add_log")
    assert path is not None
    up, down = read_migration(path)
    assert [("archive_ver_log" in s, "CREATE TABLE" in s) for s in up] == [(False, True), (True, True)]
    assert len(down) == 2 and "archive_ver_log" in down[0]
    await migrator.run_files(tmp_path)
    log = await VerLog.create(body="event")
    await log.delete()
    assert [r.body for r in await VerLog.only_deleted()] == ["event"]


async def test_downgrade_runs_the_recorded_down_sql_newest_first(engine, tmp_path):
    migrator = VersionedMigrator(engine)
    await migrator.autogenerate([VerUserV1], tmp_path, name="a")
    await migrator.run_files(tmp_path)
    await migrator.autogenerate([VerUserV2], tmp_path, name="b")
    await migrator.run_files(tmp_path)
    second = await migrator.autogenerate([VerUserV3], tmp_path, name="c")
    assert second is not None
    await migrator.run_files(tmp_path)
    # the history keeps the down SQL of the time: editing the file changes nothing
    up, _ = read_migration(second)
    second.write_text(migration_source(second.name, up, ["SELECT broken FROM nowhere"]), encoding="utf-8")
    assert await columns(engine, "ver_user") == ["id", "name", "bio", "age"]

    assert await migrator.downgrade(steps=2) == ["0003_c", "0002_b"]
    assert await columns(engine, "ver_user") == ["id", "name"]
    assert [r.name for r in await migrator.history()] == ["0001_a"]
    assert await migrator.pending(tmp_path) == ["0002_b", "0003_c"]
    assert await migrator.downgrade() == ["0001_a"]
    assert await columns(engine, "ver_user") is None
    assert await migrator.history() == []


async def test_downgrade_refuses_more_steps_than_applied(engine, tmp_path):
    migrator = VersionedMigrator(engine)
    with pytest.raises(MigrationError, match=r"cannot roll back 1 migration\(s\): only 0 are applied \(none\)"):
        await migrator.downgrade(steps=1)
    with pytest.raises(MigrationError, match="takes a positive number of migrations, got 0"):
        await migrator.downgrade(steps=0)
    await migrator.autogenerate([VerUserV1], tmp_path, name="a")
    await migrator.run_files(tmp_path)
    with pytest.raises(MigrationError, match=r"only 1 are applied \(0001_a\); use steps=1 or fewer"):
        await migrator.downgrade(steps=3)
    assert [r.name for r in await migrator.history()] == ["0001_a"]


async def test_percent_signs_in_migration_files_mean_one_percent_on_every_backend(engine, tmp_path):
    write(
        tmp_path,
        "0001_percent.py",
        ["CREATE TABLE ver_pct (id INTEGER PRIMARY KEY, s VARCHAR(20))", "INSERT INTO ver_pct (id, s) VALUES (1, '50%%')"],
        ["DROP TABLE ver_pct"],
    )
    assert await VersionedMigrator(engine).run_files(tmp_path) == 1
    assert await engine.fetchval("SELECT s FROM ver_pct") == "50%"


async def test_a_failing_file_records_nothing_and_earlier_files_stay_applied(engine, tmp_path):
    write(tmp_path, "0001_ok.py", ["CREATE TABLE ver_ok (id INTEGER PRIMARY KEY)"], ["DROP TABLE ver_ok"])
    write(
        tmp_path,
        "0002_bad.py",
        ["CREATE TABLE ver_half (id INTEGER PRIMARY KEY)", "INSERT INTO ver_missing (id) VALUES (1)"],
        ["DROP TABLE ver_half"],
    )
    migrator = VersionedMigrator(engine)
    with pytest.raises(MigrationError) as caught:
        await migrator.run_files(tmp_path)
    message = str(caught.value)
    assert message.startswith(
        "migration 0002_bad.py failed at statement 2 of 2:\n  INSERT INTO ver_missing (id) VALUES (1)\nbecause: "
    )
    assert [r.name for r in await migrator.history()] == ["0001_ok"]
    assert await columns(engine, "ver_ok") == ["id"]
    if engine.features.transactional_ddl:
        assert message.endswith("It was rolled back: the schema and the migration history are as they were.")
        assert await columns(engine, "ver_half") is None
    else:
        assert "the statements before it stay applied:\n  CREATE TABLE ver_half (id INTEGER PRIMARY KEY)\n" in message
        assert "Nothing was recorded for it" in message
        assert await columns(engine, "ver_half") == ["id"]
    assert await migrator.pending(tmp_path) == ["0002_bad"]


async def test_run_files_reads_every_file_before_running_any(engine, tmp_path):
    write(tmp_path, "0001_ok.py", ["CREATE TABLE ver_ok (id INTEGER PRIMARY KEY)"], ["DROP TABLE ver_ok"])
    (tmp_path / "0002_broken.py").write_text("up = ['SELECT 1'] + extra\ndown = []\n")
    with pytest.raises(MigrationError, match="up must be a list of SQL strings written as literals"):
        await VersionedMigrator(engine).run_files(tmp_path)
    assert await columns(engine, "ver_ok") is None
    assert await VersionedMigrator(engine).history() == []


async def test_run_files_on_a_missing_directory_says_so(engine, tmp_path):
    with pytest.raises(MigrationError, match=r"the migrations directory .*nowhere.* does not exist"):
        await VersionedMigrator(engine).run_files(tmp_path / "nowhere")


async def test_the_history_table_is_never_part_of_a_plan(engine, tmp_path):
    migrator = VersionedMigrator(engine)
    await migrator.autogenerate([VerUserV1], tmp_path, name="a")
    await migrator.run_files(tmp_path)
    plan = await Migrator(engine).plan_with_drop([VerUserV1])
    assert plan.statements == []
    assert plan.skipped_drops == []
