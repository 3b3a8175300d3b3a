"""``kakaorm.cli_main``: the command line, run from Python, when kakaorm-cli is installed."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["cli_main"]


def cli_main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kakaorm`` command with ``argv`` (default: ``sys.argv[1:]``); return its
    exit code.

    The command line is the separate distribution kakaorm-cli; without it this prints
    the ``pip install kakaorm-cli`` line and returns 1.
    """
    try:
        from kakaorm_cli import main  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        print(
            "The KakaORM command line is a separate distribution: pip install kakaorm-cli",
            file=sys.stderr,
        )
        return 1
    return int(main(argv) or 0)
