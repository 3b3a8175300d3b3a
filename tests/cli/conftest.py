"""Fixtures for the CLI tests: a project directory and the real ``kakaorm`` console script.

Every test runs the installed console script (``kakaorm`` next to ``sys.executable``)
in a subprocess whose current directory is a fresh project holding a small models
package (``shop.models``). The subprocess sees none of the caller's ``KAKAORM_*``
variables, so only what a test sets reaches it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import kakaorm

KAKAORM_SCRIPT = Path(sys.executable).parent / ("kakaorm.exe" if os.name == "nt" else "kakaorm")

MODELS = '''
from kakaorm import IntColumn, Model, StrColumn


class Author(Model):
    name = StrColumn(max_length=100, nullable=False)

    class Meta:
        table_name = "cli_author"


class Book(Model):
    title = StrColumn(max_length=200, nullable=False)
    pages = IntColumn()
{extra}
    class Meta:
        table_name = "cli_book"


class Base(Model):
    """Abstract: has no table, so makemigrations must ignore it."""

    class Meta:
        abstract = True
'''


@dataclass
class Result:
    """What one run of the console script did."""

    code: int
    out: str
    err: str

    @property
    def words(self) -> str:
        """stdout with every run of whitespace made one space (help text wraps)."""
        return " ".join(self.out.split())


class Project:
    """A project directory with a ``shop.models`` module, where ``kakaorm`` runs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "shop").mkdir(parents=True)
        (root / "shop" / "__init__.py").write_text("")
        self.write_models()

    def write_models(self, extra: str = "") -> None:
        """(Re)write shop/models.py; ``extra`` adds lines to the Book class body."""
        (self.root / "shop" / "models.py").write_text(MODELS.format(extra=extra))

    def migration_files(self) -> list[str]:
        """The file names in migrations/, sorted, without caches."""
        return sorted(p.name for p in (self.root / "migrations").iterdir() if p.suffix == ".py")

    def run(self, *args: str, env: dict[str, str] | None = None, module: bool = False) -> Result:
        """Run ``kakaorm ARGS`` (or ``python -m kakaorm ARGS``) in the project directory."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("KAKAORM_")}
        # rewritten models modules must be re-read even within the same second
        clean["PYTHONDONTWRITEBYTECODE"] = "1"
        clean.update(env or {})
        command = [sys.executable, "-m", "kakaorm"] if module else [str(KAKAORM_SCRIPT)]
        proc = subprocess.run(
            [*command, *args], cwd=self.root, env=clean, capture_output=True, text=True, timeout=180
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)


def assert_one_line_error(result: Result, *fragments: str) -> str:
    """The run failed with exit 1 and exactly one ``error: ...`` line holding ``fragments``."""
    assert result.code == 1, (result.code, result.out, result.err)
    assert "Traceback" not in result.err
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@pytest.fixture
def one_line_error() -> Callable[..., str]:
    """``one_line_error(result, *fragments)``: see :func:`assert_one_line_error`."""
    return assert_one_line_error


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A fresh project directory with the shop.models package."""
    assert KAKAORM_SCRIPT.exists(), f"the console script is not installed at {KAKAORM_SCRIPT}: pip install -e packages/kakaorm-cli"
    return Project(tmp_path / "proj")


@pytest.fixture
def db_url(backend: Any, connect_url: Callable[[], str], tmp_path: Path) -> str:
    """The URL the subprocess uses: the run's test database, or a SQLite file.

    An in-memory SQLite database would vanish with each process, so SQLite uses a file.
    """
    if backend.family == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"
    return connect_url()


@pytest.fixture
def database(engine: kakaorm.Engine, backend: Any, db_url: str) -> Callable[[], Any]:
    """``async with database() as db:`` an engine on the database the CLI changed."""

    @asynccontextmanager
    async def open_db() -> AsyncIterator[kakaorm.Engine]:
        if backend.family != "sqlite":
            yield engine
            return
        eng = await kakaorm.connect(db_url)
        try:
            yield eng
        finally:
            await eng.disconnect()

    return open_db

