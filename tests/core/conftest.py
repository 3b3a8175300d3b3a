"""Fixtures for the core-only tests."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest


def _normalise(revealed: str) -> str:
    # older mypy versions write builtins.str and Union[X, None] / Optional[X]
    revealed = revealed.replace("builtins.", "")
    m = re.fullmatch(r"(?:Union\[(.+), None\]|Optional\[(.+)\])", revealed)
    if m:
        return f"{m.group(1) or m.group(2)} | None"
    return revealed


@pytest.fixture
def revealed_types(tmp_path: Path) -> Callable[[str], list[str]]:
    """Run ``mypy --strict`` on a snippet (module ``snippet``); return its revealed
    types in order, failing the test on any mypy error."""

    def run(source: str) -> list[str]:
        (tmp_path / "snippet.py").write_text(textwrap.dedent(source))
        proc = subprocess.run(
            [
                sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                "--cache-dir", str(tmp_path / ".mypy_cache"), "--no-error-summary", "snippet.py",
            ],
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )
        lines = proc.stdout.strip().splitlines()
        errors = [line for line in lines if ": error:" in line]
        assert errors == [], proc.stdout + proc.stderr
        return [
            _normalise(line.split('Revealed type is "', 1)[1].rstrip('"'))
            for line in lines
            if "Revealed type is" in line
        ]

    return run
