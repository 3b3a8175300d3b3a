"""examples/dialect-plugin, the third-party dialect of docs/writing-a-dialect.md, passes
its own tests and the whole compliance suite, run as its maintainers would run them."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "examples" / "dialect-plugin"

#: a skip is allowed only where the dialect itself says it lacks the feature
DECLARED_SKIP = re.compile(
    r"^SKIPPED \[\d+\] \S+: the sqlite\+stdlib dialect (refuses |declares DialectFeatures\.)", re.MULTILINE
)


@pytest.fixture(scope="module")
def plugin_run() -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec("kakaorm_sqlite_stdlib") is None:
        pytest.fail("the example dialect is not installed: pip install -e examples/dialect-plugin (requirements-dev.txt does)")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=PLUGIN, capture_output=True, text=True, timeout=300,
    )


def test_the_example_dialect_passes_its_tests_and_the_compliance_suite(plugin_run):
    assert plugin_run.returncode == 0, plugin_run.stdout[-5000:] + plugin_run.stderr[-2000:]
    summary = plugin_run.stdout.strip().splitlines()[-1]
    match = re.match(r"^(\d+) passed, (\d+) skipped in ", summary)
    assert match is not None, summary
    assert int(match.group(1)) >= 60, summary


def test_the_example_dialect_skips_only_what_it_declares_it_lacks(plugin_run):
    skips = [line for line in plugin_run.stdout.splitlines() if line.startswith("SKIPPED")]
    undeclared = [line for line in skips if not DECLARED_SKIP.match(line)]
    assert undeclared == []
    # select_for_update() and three isolation levels, which SQLite refuses, and the
    # ArrayColumn round trips (DialectFeatures.arrays is False)
    assert len(skips) == 5
