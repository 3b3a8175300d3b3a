"""Every distribution's src/ (and stress/) passes ``mypy --strict`` (part of the test suite, so CI runs it)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(str(p) for p in (ROOT / "packages").glob("*/src"))
#: the reliability workloads (python -m stress) are typed as strictly
STRESS = str(ROOT / "stress")
#: the example third-party dialect of docs/writing-a-dialect.md
EXAMPLE_DIALECT = str(ROOT / "examples" / "dialect-plugin" / "src")


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install -r requirements-dev.txt)")
def test_every_src_directory_passes_mypy_strict() -> None:
    assert len(SOURCES) >= 2, SOURCES
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *SOURCES, STRESS, EXAMPLE_DIALECT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


#: every example, typed as strictly as the sources (the OpenTelemetry one needs
#: opentelemetry-api, which is optional); tests/test_typing_checkers.py runs pyright on them
EXAMPLES = sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "examples").glob("*.py")
    if p.name != "observability_opentelemetry.py" or importlib.util.find_spec("opentelemetry") is not None
)


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install -r requirements-dev.txt)")
def test_every_example_passes_mypy_strict() -> None:
    assert "examples/fastapi_todo.py" in EXAMPLES and "examples/fastapi_advanced.py" in EXAMPLES, EXAMPLES
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *EXAMPLES],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
