"""kakaorm.testing (the dialect compliance suite) sits on top of core: core never
imports it, and it needs only the ``testing`` extra."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "packages" / "kakaorm-core"


def test_import_kakaorm_imports_neither_the_suite_nor_pytest_nor_hypothesis():
    code = """
        import json, sys
        import kakaorm
        print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('pytest', '_pytest', 'hypothesis')
                                or m.startswith('kakaorm.testing'))))
    """
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_the_testing_extra_installs_what_the_suite_imports():
    project = tomllib.loads((CORE / "pyproject.toml").read_text())["project"]
    assert project["optional-dependencies"]["testing"] == ["pytest>=8.0", "pytest-asyncio>=0.24", "hypothesis>=6.100"]


def test_the_suite_exports_its_test_classes_and_the_column_registry():
    from kakaorm.testing import COLUMN_CASES, suite

    assert suite.__all__ == [
        "TestColumnRoundTrips", "TestErrors", "TestFilters", "TestReading", "TestSchema", "TestTransactions", "TestWriting",
    ]
    assert [c.name for c in COLUMN_CASES] == [
        "int", "str", "float", "bool", "datetime", "date", "time", "decimal", "bytes", "uuid", "json", "enum", "array",
    ]
    assert all(len(set(map(repr, c.examples))) >= 2 for c in COLUMN_CASES)
