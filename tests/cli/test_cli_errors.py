"""Every failure is one ``error: ...`` line on stderr with exit code 1, never a traceback."""

from __future__ import annotations

import pytest

SQLITE = "sqlite+aiosqlite:///./dev.db"


def test_no_database_url_anywhere_says_where_to_give_one(project, one_line_error):
    (project.root / "migrations").mkdir()
    for command in ("migrate", "showmigrations", "makemigrations"):
        one_line_error(
            project.run(command, "--models", "shop.models") if command == "makemigrations" else project.run(command),
            "no database URL given: pass --db URL, set KAKAORM_DATABASE_URL",
            "set database_url in kakaorm.toml",
        )


def test_unknown_scheme_names_it_and_the_installed_ones(project, one_line_error):
    (project.root / "migrations").mkdir()
    line = one_line_error(
        project.run("migrate", "--db", "nosuchdb+nodriver://h/db"),
        "no dialect is installed for the URL scheme 'nosuchdb+nodriver'",
        "Installed schemes:",
        "sqlite+aiosqlite",
    )
    assert "'kakaorm.dialects' entry-point group" in line


def test_unknown_driver_of_a_known_backend_gives_the_pip_line(project, one_line_error):
    (project.root / "migrations").mkdir()
    one_line_error(
        project.run("showmigrations", "--db", "mysql+nosuchdriver://root@127.0.0.1/test"),
        "no dialect is installed for the URL scheme 'mysql+nosuchdriver'",
        "Install it with: pip install kakaorm-mysql",
    )


def test_an_unparsable_url_is_reported(project, one_line_error):
    (project.root / "migrations").mkdir()
    one_line_error(project.run("migrate", "--db", "not a url"), "cannot parse database URL 'not a url'")


UNREACHABLE = {
    "sqlite": ("sqlite+aiosqlite:////nonexistent-kakaorm-dir/app.db", "cannot open the SQLite database '/nonexistent-kakaorm-dir/app.db'"),
    "postgres": ("{scheme}://postgres:pw-not-shown@127.0.0.1:1/test", "cannot connect to PostgreSQL at 127.0.0.1:1"),
    "mysql": ("{scheme}://root:pw-not-shown@127.0.0.1:1/test", "cannot connect to the MySQL/MariaDB server at 127.0.0.1:1"),
}


@pytest.mark.parametrize("command", ["migrate", "showmigrations"])
def test_an_unreachable_server_is_one_line(backend, project, one_line_error, command):
    template, fragment = UNREACHABLE[backend.family]
    (project.root / "migrations").mkdir()
    line = one_line_error(project.run(command, "--db", template.format(scheme=backend.scheme)), fragment)
    assert "pw-not-shown" not in line


def test_a_models_module_that_is_missing_is_reported(project, one_line_error):
    (project.root / "migrations").mkdir()
    one_line_error(
        project.run("makemigrations", "--db", SQLITE, "--models", "shop.nothere"),
        "cannot import the models module 'shop.nothere': ModuleNotFoundError: No module named 'shop.nothere'",
        "Run kakaorm from your project's root directory",
    )


def test_a_models_module_that_fails_to_import_says_where(project, one_line_error):
    (project.root / "migrations").mkdir()
    (project.root / "shop" / "broken.py").write_text("from kakaorm import Model\n\n\nraise RuntimeError('settings missing')\n")
    (project.root / "shop" / "typo.py").write_text("class Book(Model)\n    pass\n")
    one_line_error(
        project.run("makemigrations", "--db", SQLITE, "--models", "shop.broken"),
        "cannot import the models module 'shop.broken': RuntimeError: settings missing (broken.py, line 4)",
    )
    one_line_error(
        project.run("makemigrations", "--db", SQLITE, "--models", "shop.typo"),
        "cannot import the models module 'shop.typo': SyntaxError:",
        "(typo.py, line 1)",
    )


def test_a_models_module_without_models_is_reported(project, one_line_error):
    (project.root / "migrations").mkdir()
    (project.root / "shop" / "empty.py").write_text("from kakaorm import Model\n\nclass Base(Model):\n    class Meta:\n        abstract = True\n")
    one_line_error(
        project.run("makemigrations", "--db", SQLITE, "--models", "shop.empty"),
        "the module 'shop.empty' defines no concrete kakaorm.Model subclass",
    )


def test_a_file_path_as_models_is_refused(project, one_line_error):
    (project.root / "migrations").mkdir()
    one_line_error(
        project.run("makemigrations", "--db", SQLITE, "--models", "shop/models.py"),
        "'shop/models.py' is not a Python module path: give a dotted name such as myapp.models",
    )


def test_no_models_module_anywhere_says_where_to_give_one(project, one_line_error):
    (project.root / "migrations").mkdir()
    one_line_error(
        project.run("makemigrations", "--db", SQLITE),
        "no models module given: pass --models MODULE",
        "KAKAORM_MODELS",
    )


@pytest.mark.parametrize("command", ["migrate", "showmigrations", "makemigrations"])
def test_a_missing_migrations_directory_is_reported(project, one_line_error, command):
    one_line_error(
        project.run(command, "--db", SQLITE, *(["--models", "shop.models"] if command == "makemigrations" else [])),
        "the migrations directory 'migrations' does not exist",
        "run 'kakaorm init'",
    )
    assert not (project.root / "dev.db").exists()


def test_an_invalid_migration_name_is_refused(project, one_line_error):
    (project.root / "migrations").mkdir()
    one_line_error(
        project.run("makemigrations", "--db", SQLITE, "--models", "shop.models", "--name", "../escape"),
        "--name '../escape' is not a valid migration name",
    )
    assert list((project.root / "migrations").iterdir()) == []


def test_steps_without_direction_down_is_refused(project, one_line_error):
    (project.root / "migrations").mkdir()
    one_line_error(
        project.run("migrate", "--db", SQLITE, "--steps", "2"),
        "--steps only applies to --direction down",
    )


def test_a_failing_migration_file_is_one_line(project, one_line_error):
    project.run("init", "--db", SQLITE)
    (project.root / "migrations" / "0001_bad.py").write_text(
        '# written by hand\nup = [\n    "CREATE TABLE cli_bad (id INTEGER PRIMARY KEY",\n]\ndown = []\n'
    )
    result = project.run("migrate")
    line = one_line_error(result, "cli_bad")
    assert "unexpected" not in line
