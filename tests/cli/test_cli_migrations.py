"""makemigrations / migrate / showmigrations through the real console script, on every backend."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime, timedelta

import pytest

import kakaorm

ISBN = "    isbn = StrColumn(max_length=20)\n"


def setup_project(project, db_url):
    """init with the URL and models recorded in kakaorm.toml."""
    result = project.run("init", "--db", db_url, "--models", "shop.models")
    assert result.code == 0, result.err
    return result


async def test_makemigrations_writes_numbered_files_then_reports_no_change(engine, project, db_url):
    setup_project(project, db_url)
    first = project.run("makemigrations", "--name", "create_shop")
    assert (first.code, first.err) == (0, "")
    assert first.out == "Created migrations/0001_create_shop.py (models: Author, Book)\n"
    assert project.migration_files() == ["0001_create_shop.py"]
    text = (project.root / "migrations" / "0001_create_shop.py").read_text()
    assert "cli_author" in text and "cli_book" in text

    assert project.run("migrate").code == 0
    unchanged = project.run("makemigrations", "--name", "nothing")
    assert (unchanged.code, unchanged.err) == (0, "")
    assert unchanged.out == "No changes detected: the database already matches the models (Author, Book).\n"
    assert project.migration_files() == ["0001_create_shop.py"]

    project.write_models(extra=ISBN)
    second = project.run("makemigrations", "--name", "add_isbn")
    assert (second.code, second.err) == (0, "")
    assert second.out == "Created migrations/0002_add_isbn.py (models: Author, Book)\n"
    assert project.migration_files() == ["0001_create_shop.py", "0002_add_isbn.py"]
    assert "isbn" in (project.root / "migrations" / "0002_add_isbn.py").read_text()


async def test_makemigrations_refuses_while_a_migration_is_not_applied(engine, project, db_url, one_line_error):
    setup_project(project, db_url)
    assert project.run("makemigrations", "--name", "create_shop").code == 0
    result = project.run("makemigrations", "--name", "again")
    one_line_error(result, "1 migration(s) not applied yet (0001_create_shop)", "run 'kakaorm migrate' first")
    assert project.migration_files() == ["0001_create_shop.py"]


async def test_migrate_applies_pending_migrations_and_creates_the_tables(engine, project, db_url, database):
    setup_project(project, db_url)
    assert project.run("makemigrations", "--name", "create_shop").code == 0
    project.write_models(extra=ISBN)
    # a second file needs the first one applied; apply, generate, then roll back both
    assert project.run("migrate").code == 0
    assert project.run("makemigrations", "--name", "add_isbn").code == 0
    assert project.run("migrate", "--direction", "down", "--steps", "1").code == 0
    assert project.run("migrate", "--direction", "down").code == 0

    result = project.run("migrate")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "Applied 0001_create_shop\nApplied 0002_add_isbn\nApplied 2 migration(s).\n"
    )
    async with database() as db:
        await db.execute("INSERT INTO cli_author (name) VALUES (%s)", ["Ursula"])
        await db.execute("INSERT INTO cli_book (title, pages, isbn) VALUES (%s, %s, %s)", ["Earthsea", 183, "0-395-27653-7"])
        assert await db.fetch("SELECT title, pages, isbn FROM cli_book") == [
            {"title": "Earthsea", "pages": 183, "isbn": "0-395-27653-7"}
        ]

    again = project.run("migrate")
    assert (again.code, again.out, again.err) == (0, "No pending migrations: the database is up to date.\n", "")


async def test_migrate_down_rolls_back_the_latest_steps(engine, project, db_url, database, one_line_error):
    setup_project(project, db_url)
    assert project.run("makemigrations", "--name", "create_shop").code == 0
    assert project.run("migrate").code == 0
    project.write_models(extra=ISBN)
    assert project.run("makemigrations", "--name", "add_isbn").code == 0
    assert project.run("migrate").code == 0

    one = project.run("migrate", "--direction", "down", "--steps", "1")
    assert (one.code, one.err) == (0, "")
    assert one.out == "Rolled back 0002_add_isbn\nRolled back 1 migration(s).\n"
    async with database() as db:
        assert await db.fetchval("SELECT COUNT(*) FROM cli_book") == 0
        with pytest.raises(kakaorm.ProgrammingError):
            await db.fetch("SELECT isbn FROM cli_book")

    too_many = project.run("migrate", "--direction", "down", "--steps", "5")
    one_line_error(too_many, "cannot roll back 5 migration(s): only 1 are applied (0001_create_shop)")
    rest = project.run("migrate", "--direction", "down", "--steps", "1")
    assert (rest.code, rest.err) == (0, "")
    assert rest.out == "Rolled back 0001_create_shop\nRolled back 1 migration(s).\n"
    async with database() as db:
        with pytest.raises(kakaorm.ProgrammingError):
            await db.fetch("SELECT title FROM cli_book")

    none = project.run("migrate", "--direction", "down")
    assert (none.code, none.out, none.err) == (0, "Nothing to roll back: no migration is applied.\n", "")
    # the files stay: rolling back never deletes a migration
    assert project.migration_files() == ["0001_create_shop.py", "0002_add_isbn.py"]


ROW = re.compile(r"^(applied|pending)\s+(\S+)\s+(.+)$")


def table_rows(out):
    """The (status, name, applied at) rows of showmigrations' table."""
    lines = out.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("Status"))) + 2
    rows = []
    for line in lines[start:]:
        if not line:
            break
        match = ROW.match(line)
        assert match, line
        rows.append(match.groups())
    return rows


async def test_showmigrations_lists_applied_with_their_time_and_pending(engine, project, db_url):
    setup_project(project, db_url)
    empty = project.run("showmigrations")
    assert (empty.code, empty.err) == (0, "")
    assert empty.out.splitlines()[1:] == [
        "Migrations: migrations",
        "",
        "No migrations yet: run 'kakaorm makemigrations' to create the first one.",
    ]
    assert empty.out.splitlines()[0] == f"Database:   {kakaorm.parse_url(db_url)}"

    assert project.run("makemigrations", "--name", "create_shop").code == 0
    before = datetime.now(UTC).replace(microsecond=0)
    assert project.run("migrate").code == 0
    project.write_models(extra=ISBN)
    assert project.run("makemigrations", "--name", "add_isbn").code == 0

    result = project.run("showmigrations")
    assert (result.code, result.err) == (0, "")
    assert "Status   Migration         Applied at" in result.out
    rows = table_rows(result.out)
    assert [(s, n) for s, n, _ in rows] == [("applied", "0001_create_shop"), ("pending", "0002_add_isbn")]
    assert rows[1][2] == "-"
    applied_at = datetime.fromisoformat(rows[0][2])
    if applied_at.tzinfo is None:
        applied_at = applied_at.replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= applied_at <= datetime.now(UTC) + timedelta(seconds=1)
    assert result.out.endswith("\n1 applied, 1 pending.\n")


@pytest.mark.backends("postgres")
async def test_showmigrations_never_prints_the_password(engine, project, db_url):
    # the test server trusts loopback, so any password is accepted and must stay hidden
    parsed = kakaorm.parse_url(db_url)
    with_password = f"{parsed.scheme}://{parsed.username}:s3cr3t-pw@{parsed.host}:{parsed.port}/{parsed.database}"
    setup_project(project, db_url)
    result = project.run("showmigrations", "--db", with_password)
    assert result.code == 0, result.err
    assert "s3cr3t-pw" not in result.out + result.err
    assert result.out.splitlines()[0] == (
        f"Database:   {parsed.scheme}://{parsed.username}:***@{parsed.host}:{parsed.port}/{parsed.database}"
    )
    config = tomllib.loads((project.root / "kakaorm.toml").read_text())
    assert config["kakaorm"]["database_url"] == db_url
