"""``connect(echo=True)``: every statement printed to the current stderr."""

from __future__ import annotations

import logging
import sys

__all__ = ["enable_echo"]

log = logging.getLogger("kakaorm.sql")


class _EchoHandler(logging.Handler):
    """Writes to the current ``sys.stderr`` (not the one that existed at connect time,
    which test runners and notebooks replace)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - logging never breaks the caller
            self.handleError(record)


def enable_echo() -> None:
    """Send the ``kakaorm.sql`` log (every statement) to stderr: ``connect(echo=True)``."""
    log.setLevel(logging.DEBUG)
    if not any(isinstance(h, _EchoHandler) for h in log.handlers):
        handler = _EchoHandler()
        handler.setFormatter(logging.Formatter("[kakaorm.sql] %(message)s"))
        log.addHandler(handler)
