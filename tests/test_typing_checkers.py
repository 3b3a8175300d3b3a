"""mypy --strict and pyright both check typed KakaORM code as documented (docs/typing.md):
the cases of tests/typecheck/typed_cases.py reveal exactly the types their ``# reveal:``
markers state and report errors on exactly the lines marked ``# expect-error``; every
example under examples/ passes pyright (tests/test_mypy_strict.py runs mypy --strict on them)."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "typecheck" / "typed_cases.py"
FIXTURES = [ROOT / "tests" / "typecheck" / "fixture_models.py", CASES]
#: every example; the OpenTelemetry one needs opentelemetry-api, which is optional
EXAMPLES = sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "examples").glob("*.py")
    if p.name != "observability_opentelemetry.py" or importlib.util.find_spec("opentelemetry") is not None
)
#: the first run of pyright's PyPI wrapper downloads pyright itself (npm)
TIMEOUT = 600

needs_mypy = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install -r requirements-dev.txt)"
)
needs_pyright = pytest.mark.skipif(
    importlib.util.find_spec("pyright") is None, reason="pyright is not installed (pip install -r requirements-dev.txt)"
)


def _expected() -> tuple[dict[int, str], set[int]]:
    """(line -> revealed type, lines with an error) as the markers of CASES state."""
    reveals: dict[int, str] = {}
    errors: set[int] = set()
    for number, line in enumerate(CASES.read_text().splitlines(), start=1):
        found = re.search(r"reveal_type\(.*# reveal: (.+)$", line)
        if found:
            reveals[number] = found.group(1).strip()
        if not line.startswith(("#", '"')) and line.rstrip().endswith("# expect-error"):
            errors.add(number)
    return reveals, errors


def _unqualified(type_text: str) -> str:
    """mypy's ``fixture_models.Post`` / ``decimal.Decimal | None`` as pyright writes them."""
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_])", "", type_text)


def _mypy(*files: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--no-error-summary",
         "--hide-error-context", *map(str, files)],
        capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT,
    )


def _pyright(*files: str | Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable, *map(str, files)],
        capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT,
    )
    try:
        report: dict[str, object] = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"pyright did not run:\n{result.stdout}\n{result.stderr}") from None
    return report


@needs_mypy
def test_mypy_strict_reveals_and_flags_exactly_what_the_cases_mark() -> None:
    result = _mypy(*FIXTURES)
    reveals: dict[int, str] = {}
    errors: set[int] = set()
    for line in result.stdout.splitlines():
        found = re.match(r"(.+?):(\d+): (error|note): (.*)$", line)
        assert found, line
        path, number, kind, message = found.groups()
        assert Path(path).name == CASES.name, line  # the fixture models are clean
        revealed = re.fullmatch(r'Revealed type is "(.*)"', message)
        if revealed:
            reveals[int(number)] = _unqualified(revealed.group(1))
        elif kind == "error":
            errors.add(int(number))
    assert (reveals, errors) == _expected(), result.stdout


@needs_pyright
def test_pyright_reveals_and_flags_exactly_what_the_cases_mark() -> None:
    report = _pyright(*FIXTURES)
    reveals: dict[int, str] = {}
    errors: set[int] = set()
    diagnostics = report["generalDiagnostics"]
    assert isinstance(diagnostics, list)
    for d in diagnostics:
        assert Path(d["file"]).name == CASES.name, d
        number = d["range"]["start"]["line"] + 1
        if d["severity"] == "information":
            revealed = re.fullmatch(r'Type of ".*" is "(.*)"', d["message"], re.S)
            assert revealed, d
            reveals[number] = revealed.group(1)
        elif d["severity"] == "error":
            errors.add(number)
        else:
            raise AssertionError(f"unexpected pyright warning: {d}")
    assert (reveals, errors) == _expected(), json.dumps(diagnostics, indent=1)


@needs_pyright
def test_every_example_passes_pyright() -> None:
    report = _pyright(*EXAMPLES)
    assert len(EXAMPLES) >= 9 and "examples/fastapi_todo.py" in EXAMPLES, EXAMPLES
    summary = report["summary"]
    assert isinstance(summary, dict)
    assert (summary["errorCount"], summary["filesAnalyzed"]) == (0, len(EXAMPLES)), json.dumps(report, indent=1)
