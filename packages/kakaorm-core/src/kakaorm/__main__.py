"""``python -m kakaorm``: runs the KakaORM CLI when kakaorm-cli is installed."""

from __future__ import annotations

import sys

from kakaorm._cli_entry import cli_main


def main() -> int:
    """Run the command line with this process's arguments; return its exit code."""
    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
