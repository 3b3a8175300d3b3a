"""An application written for kakaorm 0.4.x (examples/legacy_04_app.py, 0.4 spellings
only) runs unchanged on every backend, in its own process, with the output it had on 0.4
(on SQLite, where 0.4's versioned migrations worked); only the wording of the English
validation messages is ours."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "legacy_04_app.py"

EXPECTED = """\
migrations applied: 2 then 0 ['0001_writers', '0002_articles']
get_or_create: True False True Ada
update_or_create: True False Grace H.
rejected fields: ['email', 'name']
in English: [('name', 'Too short: at least 2 characters are required (got 1).'), ('email', 'Wrong format: the value must match the pattern "^[^@\\\\s]+@[^@\\\\s]+$".')]
writers stored: 2
bulk_create: 5 True
published: ['Notes 1', 'Notes 2', 'Notes 3']
find: Notes 1 None
belongs_to: Ada
has_many prefetched: 5
soft delete: 4 5 1
restored: 5
by status: [('draft', 2, 90), ('published', 3, 60)]
priced from 3.00: 4
after truncate: 0
"""


def _run(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(APP), url], capture_output=True, text=True, timeout=180, cwd=ROOT
    )


async def test_the_04_application_runs_unchanged_with_its_04_output(backend):
    proc = await asyncio.to_thread(_run, backend.url())
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.splitlines() == EXPECTED.splitlines()
