"""kakaorm 0.4's manual migrations on every backend: run_manual(), record(),
applied_names() and ensure_history_table(), side by side with file migrations."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from kakaorm import IntColumn, MigrationError, Model, StrColumn, VersionedMigrator
from kakaorm.migration import MigrationRecord
from kakaorm.migration._files import migration_source


class ManUser(Model):
    name = StrColumn(nullable=False)

    class Meta:
        table_name = "man_user"


class ManTag(Model):
    label = StrColumn(nullable=False)

    class Meta:
        table_name = "man_tag"


class ManCounter(Model):
    hits = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "man_counter"


async def tables(engine) -> list[str]:
    return sorted(await engine.dialect.read_schema(engine))


def write(directory, name, up, down):
    (directory / name).write_text(migration_source(name, up, down), encoding="utf-8")


async def test_run_manual_applies_each_pending_migration_once_in_order(engine):
    migrator = VersionedMigrator(engine)
    calls: list[str] = []

    async def create_users() -> None:
        calls.append("users")
        await engine.create_table(ManUser)

    async def seed_users() -> None:
        calls.append("seed")
        await ManUser.create(name="ann")

    migrations = {"001_create_users": create_users, "002_seed_users": seed_users}
    assert await migrator.run_manual(migrations) == 2
    assert calls == ["users", "seed"]
    assert await migrator.run_manual(migrations) == 0
    assert calls == ["users", "seed"]
    assert [u.name for u in await ManUser.all()] == ["ann"]

    migrations["003_create_tags"] = lambda: engine.create_table(ManTag)
    assert await migrator.run_manual(migrations) == 1
    assert await tables(engine) == ["kakaorm_migrations", "man_tag", "man_user"]
    assert await migrator.applied_names() == {"001_create_users", "002_seed_users", "003_create_tags"}

    history = await migrator.history()
    assert [(r.name, r.down, r.reversible, r.down_sql) for r in history] == [
        ("001_create_users", (), False, ""),
        ("002_seed_users", (), False, ""),
        ("003_create_tags", (), False, ""),
    ]
    now = dt.datetime.now(dt.UTC)
    assert all(r.applied_at.utcoffset() == dt.timedelta(0) for r in history)
    assert all(abs((now - r.applied_at).total_seconds()) < 120 for r in history)
    assert await engine.fetchval("SELECT down_sql FROM kakaorm_migrations WHERE name = %s", ["002_seed_users"]) == ""


async def test_run_manual_accepts_plain_functions_and_logs_names_when_verbose(engine, caplog):
    migrator = VersionedMigrator(engine)
    seen: list[int] = []
    with caplog.at_level(logging.INFO, logger="kakaorm.migration"):
        assert await migrator.run_manual({"sync_step": lambda: seen.append(1)}, verbose=True) == 1
    assert seen == [1]
    messages = [r.getMessage() for r in caplog.records if r.name == "kakaorm.migration"]
    assert messages == ["applying manual migration sync_step", "applied manual migration sync_step"]


async def test_a_failing_manual_migration_is_not_recorded_and_earlier_ones_stay(engine):
    migrator = VersionedMigrator(engine)

    async def breaks() -> None:
        await engine.create_table(ManTag)
        await engine.execute("INSERT INTO man_missing (id) VALUES (1)")

    migrations = {"01_users": lambda: engine.create_table(ManUser), "02_breaks": breaks}
    with pytest.raises(MigrationError) as caught:
        await migrator.run_manual(migrations)
    message = str(caught.value)
    assert message.startswith("manual migration 02_breaks failed: ProgrammingError: ")
    assert caught.value.__cause__ is not None
    assert await migrator.applied_names() == {"01_users"}
    if engine.features.transactional_ddl:
        assert message.endswith("It was rolled back and not recorded; the migrations before it stay applied.")
        assert await tables(engine) == ["kakaorm_migrations", "man_user"]
    else:
        assert message.endswith(
            "This database cannot roll DDL back, so whatever it changed before failing stays; "
            "nothing was recorded for it: repair the schema by hand, then run it again."
        )
        assert await tables(engine) == ["kakaorm_migrations", "man_tag", "man_user"]


async def test_a_failing_manual_data_migration_is_rolled_back_where_ddl_is_transactional_only(engine):
    await engine.create_table(ManCounter)
    await ManCounter.create(hits=1)
    migrator = VersionedMigrator(engine)

    async def bump_then_fail() -> None:
        await ManCounter.all().update(hits=ManCounter.hits + 10)
        raise RuntimeError("stop here")

    with pytest.raises(MigrationError, match=r"^manual migration bump failed: RuntimeError: stop here\n"):
        await migrator.run_manual({"bump": bump_then_fail})
    # MySQL runs manual migrations outside a transaction (their DDL would end it), as 0.4 did
    assert [c.hits for c in await ManCounter.all()] == [1 if engine.features.transactional_ddl else 11]
    assert await migrator.applied_names() == set()


async def test_run_manual_checks_every_name_and_callable_before_running_anything(engine):
    migrator = VersionedMigrator(engine)
    ran: list[str] = []

    async def step() -> None:
        ran.append("step")

    bad_names = ["", "../etc/passwd", "x;DROP TABLE t", "-starts-with-dash", "x" * 256, "name\n", "ends ", "it's"]
    for bad in bad_names:
        with pytest.raises(MigrationError, match=r"is not a usable migration name: use 1 to 255 letters, digits, spaces"):
            await migrator.run_manual({"ok_first": step, bad: step})
    with pytest.raises(MigrationError, match=r"^7 is not a usable migration name"):
        await migrator.run_manual({7: step})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"^run_manual\(\): the migration 'b' is 'not callable', not a callable$"):
        await migrator.run_manual({"a": step, "b": "not callable"})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"^run_manual\(\) takes a dict of \{name: async function\}, got list$"):
        await migrator.run_manual([step])  # type: ignore[arg-type]
    assert ran == []
    assert await migrator.applied_names() == set()
    assert await migrator.run_manual({"x" * 255: step, "0004_ユーザー.v2-fix": step}) == 2
    assert ran == ["step", "step"]


async def test_ensure_history_table_creates_it_once(engine):
    migrator = VersionedMigrator(engine)
    assert await migrator.applied_names() == set()
    assert await tables(engine) == []
    await migrator.ensure_history_table()
    await migrator.ensure_history_table()
    assert await tables(engine) == ["kakaorm_migrations"]
    assert VersionedMigrator.HISTORY_TABLE == "kakaorm_migrations"
    assert await migrator.history() == []


async def test_record_marks_a_name_applied_and_stores_its_down_statements(engine):
    migrator = VersionedMigrator(engine)
    await engine.execute("CREATE TABLE man_by_hand (id INTEGER PRIMARY KEY)")
    await migrator.record("0001_by_hand", ["DROP TABLE man_by_hand"])
    await migrator.record("0002_json_list", json.dumps(["SELECT 1", "SELECT 2"]))
    await migrator.record("0003_one_statement", "SELECT 3")
    await migrator.record("0004_nothing_to_undo", [])
    await migrator.record("0005_no_down")
    assert await migrator.applied_names() == {
        "0001_by_hand", "0002_json_list", "0003_one_statement", "0004_nothing_to_undo", "0005_no_down"
    }
    history = await migrator.history()
    assert [(r.name, r.down, r.reversible) for r in history] == [
        ("0001_by_hand", ("DROP TABLE man_by_hand",), True),
        ("0002_json_list", ("SELECT 1", "SELECT 2"), True),
        ("0003_one_statement", ("SELECT 3",), True),
        ("0004_nothing_to_undo", (), True),
        ("0005_no_down", (), False),
    ]
    assert type(history[0]) is MigrationRecord
    assert history[1].down_sql == '["SELECT 1", "SELECT 2"]'
    assert history[3].down_sql == "[]"
    rows = await engine.fetch("SELECT name, down_sql FROM kakaorm_migrations ORDER BY id")
    assert [r["down_sql"] for r in rows] == [
        '["DROP TABLE man_by_hand"]', '["SELECT 1", "SELECT 2"]', '["SELECT 3"]', "[]", ""
    ]


async def test_names_written_as_04_allowed_them_with_spaces_and_punctuation_are_accepted(engine):
    migrator = VersionedMigrator(engine)
    ran: list[str] = []

    async def step() -> None:
        ran.append("step")

    names = ["0001 create users", "0002_fill (v2), part 1: #3", "x" * 255]
    assert await migrator.run_manual({n: step for n in names}) == 3
    assert ran == ["step"] * 3
    assert await migrator.applied_names() == set(names)


async def test_record_refuses_a_name_already_recorded_and_bad_input(engine):
    migrator = VersionedMigrator(engine)
    await migrator.record("0001_once")
    with pytest.raises(
        MigrationError,
        match=r"^the migration '0001_once' is already recorded in kakaorm_migrations; record each migration once",
    ):
        await migrator.record("0001_once", ["SELECT 1"])
    with pytest.raises(MigrationError, match=r"^'bad/name' is not a usable migration name"):
        await migrator.record("bad/name")
    with pytest.raises(TypeError, match=r"^record\('0002_x', down_sql=\.\.\.\) takes SQL strings, got \[1\]$"):
        await migrator.record("0002_x", [1])  # type: ignore[list-item]
    assert [(r.name, r.reversible) for r in await migrator.history()] == [("0001_once", False)]


async def test_downgrade_undoes_recorded_down_statements_and_refuses_manual_ones(engine, tmp_path):
    migrator = VersionedMigrator(engine)
    write(tmp_path, "0001_users.py", ["CREATE TABLE man_files (id INTEGER PRIMARY KEY)"], ["DROP TABLE man_files"])
    assert await migrator.run_files(tmp_path) == 1
    assert await migrator.run_manual({"0002_tags": lambda: engine.create_table(ManTag)}) == 1
    await migrator.record("0003_nothing", [])

    # the newest record has an empty down list: rolling it back only removes the record
    assert await migrator.downgrade() == ["0003_nothing"]
    message = (
        "cannot roll back migration 0002_tags: it was recorded without down statements (by "
        "run_manual() or record() without down_sql), so KakaORM does not know how to undo it. "
        "Nothing was rolled back. Undo its changes by hand and delete its row from "
        "kakaorm_migrations, or roll back fewer steps"
    )
    with pytest.raises(MigrationError) as caught:
        await migrator.downgrade(steps=2)
    assert str(caught.value) == message
    with pytest.raises(MigrationError) as caught:
        await migrator.downgrade()
    assert str(caught.value) == message
    # nothing was undone: the file migration below it is still applied
    assert [r.name for r in await migrator.history()] == ["0001_users", "0002_tags"]
    assert await tables(engine) == ["kakaorm_migrations", "man_files", "man_tag"]

    # the documented way out: undo by hand, delete the row; downgrade then goes on
    await engine.execute("DROP TABLE man_tag")
    await engine.execute("DELETE FROM kakaorm_migrations WHERE name = %s", ["0002_tags"])
    assert await migrator.downgrade() == ["0001_users"]
    assert await tables(engine) == ["kakaorm_migrations"]


async def test_manual_and_file_migrations_share_one_history(engine, tmp_path):
    migrator = VersionedMigrator(engine)
    write(tmp_path, "0001_files.py", ["CREATE TABLE man_files (id INTEGER PRIMARY KEY)"], ["DROP TABLE man_files"])
    assert await migrator.run_manual({"0000_users": lambda: engine.create_table(ManUser)}) == 1
    assert await migrator.pending(tmp_path) == ["0001_files"]
    assert await migrator.run_files(tmp_path) == 1
    await migrator.record("0002_hand", ["DROP TABLE man_files_hand"])
    await engine.execute("CREATE TABLE man_files_hand (id INTEGER PRIMARY KEY)")
    assert await migrator.run_manual({"0000_users": lambda: engine.create_table(ManUser)}) == 0
    assert [r.name for r in await migrator.history()] == ["0000_users", "0001_files", "0002_hand"]
    assert await migrator.applied_names() == {"0000_users", "0001_files", "0002_hand"}
    assert await migrator.downgrade(steps=2) == ["0002_hand", "0001_files"]
    assert await tables(engine) == ["kakaorm_migrations", "man_user"]
    assert await migrator.pending(tmp_path) == ["0001_files"]


async def test_run_files_logs_names_when_verbose(engine, tmp_path, caplog):
    write(tmp_path, "0001_files.py", ["CREATE TABLE man_files (id INTEGER PRIMARY KEY)"], ["DROP TABLE man_files"])
    with caplog.at_level(logging.INFO, logger="kakaorm.migration"):
        assert await VersionedMigrator(engine).run_files(str(tmp_path), verbose=True) == 1
    messages = [r.getMessage() for r in caplog.records if r.name == "kakaorm.migration"]
    assert messages == ["applying migration 0001_files", "applied migration 0001_files"]


async def test_downgrade_with_directory_checks_the_recorded_down_against_the_files(engine, tmp_path):
    migrator = VersionedMigrator(engine)
    write(tmp_path, "0001_a.py", ["CREATE TABLE man_a (id INTEGER PRIMARY KEY)"], ["DROP TABLE man_a"])
    write(tmp_path, "0002_b.py", ["CREATE TABLE man_b (id INTEGER PRIMARY KEY)"], ["DROP TABLE man_b"])
    assert await migrator.run_files(tmp_path) == 2
    await migrator.record("0003_hand", [])

    write(tmp_path, "0002_b.py", ["CREATE TABLE man_b (id INTEGER PRIMARY KEY)"], ["DROP TABLE man_other"])
    with pytest.raises(MigrationError) as caught:
        await migrator.downgrade(steps=2, directory=tmp_path)
    assert str(caught.value) == (
        "cannot roll back migration 0002_b: the down statements recorded in kakaorm_migrations differ "
        f"from those in {tmp_path / '0002_b.py'}, so one of them was edited after it was applied. "
        "Nothing was rolled back: make them agree, or call downgrade() without directory= to run "
        "the recorded ones"
    )
    assert [r.name for r in await migrator.history()] == ["0001_a", "0002_b", "0003_hand"]

    (tmp_path / "0002_b.py").unlink()
    with pytest.raises(MigrationError, match=r"has no file 0002_b\.py\. Nothing was rolled back: restore the file"):
        await migrator.downgrade(steps=2, directory=str(tmp_path))
    write(tmp_path, "0002_b.py", ["CREATE TABLE man_b (id INTEGER PRIMARY KEY)"], ["DROP TABLE man_b"])
    # the manual record has no file and nothing to undo; the file's down matches
    assert await migrator.downgrade(steps=2, directory=str(tmp_path)) == ["0003_hand", "0002_b"]
    assert await tables(engine) == ["kakaorm_migrations", "man_a"]
