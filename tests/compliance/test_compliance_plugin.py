"""The compliance suite as a third party uses it: a conftest that loads the plugin, a
test module that imports the suite, a URL from --kakaorm-url or the environment; and
a dialect that gets something wrong fails it. Each run is a pytest of its own in a
fresh directory (pytest-asyncio in its default, strict mode)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

CONFTEST = 'pytest_plugins = ["kakaorm.testing.plugin"]\n'

BROKEN_DIALECT = '''
from typing import Any
from kakaorm_sqlite import SQLiteDialect

class BoolAsIntDialect(SQLiteDialect):
    """Forgets to turn SQLite's 0/1 back into booleans."""
    driver = "boolasint"

    def result_processor(self, sql_type: Any, plain_column: bool) -> Any:
        if sql_type.kind == "bool":
            return None
        return super().result_processor(sql_type, plain_column)
'''


def run_suite(project: Path, test_module: str, *args: str, env_url: str | None = None) -> subprocess.CompletedProcess[str]:
    (project / "conftest.py").write_text(CONFTEST)
    (project / "test_dialect.py").write_text(textwrap.dedent(test_module))
    env = {k: v for k, v in os.environ.items() if k != "KAKAORM_COMPLIANCE_URL"}
    if env_url is not None:
        env["KAKAORM_COMPLIANCE_URL"] = env_url
    env["PYTHONPATH"] = str(project)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(project), *args],
        cwd=project, capture_output=True, text=True, timeout=300, env=env,
    )


def test_without_a_url_the_suite_fails_saying_how_to_give_one(tmp_path):
    result = run_suite(tmp_path, "from kakaorm.testing.suite import TestSchema  # noqa: F401\n")
    assert result.returncode == 1, result.stdout
    assert "the KakaORM compliance suite needs a database: pass --kakaorm-url URL or set KAKAORM_COMPLIANCE_URL" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("4 errors in ")


def test_the_url_comes_from_the_option_or_the_environment(tmp_path):
    module = "from kakaorm.testing.suite import TestSchema  # noqa: F401\n"
    by_option = run_suite(tmp_path, module, "--kakaorm-url", "sqlite+aiosqlite:///:memory:")
    assert by_option.returncode == 0, by_option.stdout
    assert by_option.stdout.strip().splitlines()[-1].startswith("4 passed in ")
    by_env = run_suite(tmp_path, module, env_url=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    assert by_env.returncode == 0, by_env.stdout
    assert by_env.stdout.strip().splitlines()[-1].startswith("4 passed in ")
    # the suite dropped every table it made
    with sqlite3.connect(tmp_path / "c.db") as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'compliance%'").fetchall() == []


def test_a_dialect_that_reads_booleans_back_wrong_fails_the_round_trips(tmp_path):
    (tmp_path / "broken_dialect.py").write_text(BROKEN_DIALECT)
    module = """
        import kakaorm
        kakaorm.register_dialect("sqlite.boolasint", "broken_dialect:BoolAsIntDialect")
        from kakaorm.testing.suite import TestColumnRoundTrips  # noqa: F401
    """
    result = run_suite(tmp_path, module, "-k", "bool", "--kakaorm-url", "sqlite+boolasint:///:memory:")
    assert result.returncode == 1, result.stdout
    failed = sorted(line.split(" - ")[0] for line in result.stdout.splitlines() if line.startswith("FAILED"))
    assert failed == ["FAILED test_dialect.py::TestColumnRoundTrips::test_every_value_of_the_type_round_trips_exactly[bool]"]
    # create() and bulk_create() keep the instance's value; every read gives 1
    assert "AssertionError: (True, [True, True, 1, 1, 1, 1, 1, 1])" in result.stdout
