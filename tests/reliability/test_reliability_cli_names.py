"""The ``kakaorm`` command with hostile arguments: a name it cannot use is refused
(one line on stderr and exit code 1, or click's usage error and exit code 2) before
anything is written or run, and the values it keeps in kakaorm.toml read back
exactly. Run in-process through typer's CliRunner."""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

import pytest

testing = pytest.importorskip("typer.testing", reason="kakaorm-cli (and typer) is not installed")
kakaorm_cli = pytest.importorskip("kakaorm_cli", reason="kakaorm-cli is not installed")

MODELS = '''
from kakaorm import IntColumn, Model, StrColumn


class RelCliItem(Model):
    title = StrColumn(max_length=100, nullable=False)
    stock = IntColumn()

    class Meta:
        table_name = "rel_cli_item"
'''

PACKAGE = "relcli_shop"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory (the current directory) with a models module, an empty
    migrations directory, and no settings."""
    for name in list(os.environ):
        if name.startswith("KAKAORM_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    (tmp_path / PACKAGE).mkdir()
    (tmp_path / PACKAGE / "__init__.py").write_text("")
    (tmp_path / PACKAGE / "models.py").write_text(MODELS)
    (tmp_path / "migrations").mkdir()
    yield tmp_path
    for module in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[module]


def kakaorm(*args: str) -> testing.Result:  # type: ignore[name-defined]
    return testing.CliRunner().invoke(kakaorm_cli.app, list(args), prog_name="kakaorm")


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


PROJECT_FILES = [f"{PACKAGE}/__init__.py", f"{PACKAGE}/models.py"]


@pytest.mark.parametrize(
    "name",
    ["../../escape", "x; rm -rf /", "name with spaces", "add_bio\n", "$(touch pwned)", "`touch pwned`", "ünïcode"],
    ids=repr,
)
def test_makemigrations_refuses_a_name_that_is_not_letters_digits_and_underscores(project, name):
    result = kakaorm(
        "makemigrations", "--db", "sqlite+aiosqlite:///./app.db", "--models", f"{PACKAGE}.models", "--name", name
    )
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: --name {name!r} is not a valid migration name: use letters, digits and underscores "
        "only, e.g. add_user_bio\n"
    )
    # nothing was written: no database, no migration file, no file of a shell payload
    assert files_under(project) == PROJECT_FILES


def test_makemigrations_writes_the_file_a_valid_name_gives_and_nothing_else(project):
    result = kakaorm(
        "makemigrations", "--db", "sqlite+aiosqlite:///./app.db", "--models", f"{PACKAGE}.models", "--name", "add_items"
    )
    assert (result.exit_code, result.stderr) == (0, "")
    assert files_under(project) == sorted(["app.db", "migrations/0001_add_items.py", *PROJECT_FILES])


@pytest.mark.parametrize("module", ["os; import shutil", "../evil", "relcli_shop/models.py", "a..b", "x\ny"], ids=repr)
def test_makemigrations_refuses_a_models_argument_that_is_not_a_module_path(project, module):
    result = kakaorm("makemigrations", "--db", "sqlite+aiosqlite:///./app.db", "--models", module)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: {module!r} is not a Python module path: give a dotted name such as myapp.models "
        "(not a file path)\n"
    )
    assert files_under(project) == PROJECT_FILES


@pytest.mark.parametrize(
    "args",
    [
        ["--direction", "down", "--steps", "1; DROP TABLE kakaorm_migrations"],
        ["--direction", "down", "--steps", "0"],
        ["--direction", "down; DROP TABLE x"],
    ],
    ids=["steps-sql", "steps-zero", "direction-sql"],
)
def test_migrate_refuses_options_that_are_not_what_they_name_with_a_usage_error(project, args):
    result = kakaorm("migrate", "--db", "sqlite+aiosqlite:///./app.db", *args)
    assert result.exit_code == 2
    assert "Invalid value for '--" in result.stderr
    assert files_under(project) == PROJECT_FILES


def test_init_writes_hostile_option_values_into_kakaorm_toml_so_they_read_back_exactly(project):
    db = 'sqlite+aiosqlite:///./a".db\n[evil]\ninjected = "yes'
    models = "shop.models\"\nmigrations = \"/tmp/elsewhere"
    migrations = "mig'\"\\rations"
    result = kakaorm("init", "--db", db, "--models", models, "--migrations", migrations)
    assert (result.exit_code, result.stderr) == (0, "")
    config = tomllib.loads((project / "kakaorm.toml").read_text(encoding="utf-8"))
    assert config == {"kakaorm": {"database_url": db, "models": models, "migrations": migrations}}
    assert (project / migrations).is_dir()
