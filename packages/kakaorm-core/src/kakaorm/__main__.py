"""``python -m kakaorm``: runs the KakaORM CLI when kakaorm-cli is installed."""

from __future__ import annotations

import sys


def main() -> int:
    try:
        from kakaorm_cli import main as cli_main  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        print(
            "The KakaORM command line is a separate distribution: pip install kakaorm-cli",
            file=sys.stderr,
        )
        return 1
    result = cli_main()
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
