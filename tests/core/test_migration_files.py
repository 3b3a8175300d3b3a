"""Migration files: names, numbering, the written format and reading it back (no database)."""

from __future__ import annotations

import pytest

from kakaorm import MigrationError
from kakaorm.migration._files import list_migration_files, migration_source, next_file_name, read_migration


def test_written_files_read_back_exactly(tmp_path):
    up = ['CREATE TABLE "user" ("id" INTEGER PRIMARY KEY, "bio" TEXT DEFAULT \'50%% "off"\')', "SELECT 'é'"]
    down = ['DROP TABLE "user"']
    text = migration_source("0001_add_bio.py", up, down, ["Changes: create table user"])
    assert text.startswith("# 0001_add_bio.py: written by KakaORM's VersionedMigrator.autogenerate()")
    assert "# Changes: create table user\n" in text
    assert '\nup = [\n    "CREATE TABLE \\"user\\" (' in text
    assert text.endswith('down = [\n    "DROP TABLE \\"user\\"",\n]\n')
    path = tmp_path / "0001_add_bio.py"
    path.write_text(text, encoding="utf-8")
    assert read_migration(path) == (up, down)
    namespace: dict[str, object] = {}
    exec(compile(text, str(path), "exec"), namespace)  # also a valid Python module
    assert (namespace["up"], namespace["down"]) == (up, down)


def test_files_are_listed_in_number_order_and_others_ignored(tmp_path):
    for name in ("0010_later.py", "0002_second.py", "0001_first.py", "README.md", "helpers.py", "0003-bad.py"):
        (tmp_path / name).write_text("up = []\ndown = []\n")
    (tmp_path / "0004_dir.py").mkdir()
    files = list_migration_files(tmp_path)
    assert [(f.number, f.name) for f in files] == [(1, "0001_first"), (2, "0002_second"), (10, "0010_later")]
    assert next_file_name(files, "Add user bio!") == "0011_add_user_bio.py"
    assert next_file_name([], "") == "0001_auto.py"


def test_two_files_with_one_number_are_an_error(tmp_path):
    (tmp_path / "0002_a.py").write_text("up = []\ndown = []\n")
    (tmp_path / "0002_b.py").write_text("up = []\ndown = []\n")
    with pytest.raises(MigrationError, match=r"two migration files have the number 0002: 0002_a\.py and 0002_b\.py"):
        list_migration_files(tmp_path)


def test_a_missing_directory_is_an_error(tmp_path):
    with pytest.raises(MigrationError, match="does not exist; create it"):
        list_migration_files(tmp_path / "missing")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("up = ['x']\n", "does not define down; a migration file assigns two lists"),
        ("down = []\n", "does not define up; a migration file assigns two lists"),
        ("up = ['a'] + ['b']\ndown = []\n", "up must be a list of SQL strings written as literals"),
        ("up = ['a', 1]\ndown = []\n", "up must be a list of SQL strings written as literals"),
        ("up = []\ndown = 'DROP TABLE t'\n", "down must be a list of SQL strings written as literals"),
        ("up = [\n", "cannot read the migration file"),
    ],
)
def test_malformed_files_are_refused_with_the_reason(tmp_path, source, message):
    path = tmp_path / "0001_x.py"
    path.write_text(source)
    with pytest.raises(MigrationError, match=message):
        read_migration(path)


def test_reading_a_file_never_executes_it(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "0001_x.py"
    path.write_text(f"open({str(marker)!r}, 'w').close()\nup = []\ndown = []\n")
    assert read_migration(path) == ([], [])
    assert not marker.exists()
