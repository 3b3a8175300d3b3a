"""The ``kakaorm`` command line: ``init``, ``makemigrations``, ``migrate``, ``showmigrations``.

Installed as the ``kakaorm`` console script, and run by ``python -m kakaorm``.

Example::

    kakaorm init --db sqlite+aiosqlite:///./dev.db --models myapp.models
    kakaorm makemigrations --name create_tables
    kakaorm migrate
    kakaorm showmigrations
"""

from __future__ import annotations

from collections.abc import Sequence

from ._app import app

__version__ = "0.4.0"

__all__ = ["app", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kakaorm`` command with ``argv`` (default: ``sys.argv[1:]``); return its exit code."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="kakaorm")
    except SystemExit as done:
        code = done.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        # click exits with a message instead of a number only for fatal usage problems
        print(code)
        return 1
    return 0
