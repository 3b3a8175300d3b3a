"""Mapping sqlite3's exceptions to kakaorm.exc."""

from __future__ import annotations

import sqlite3
from typing import Any, Sequence

from kakaorm import exc

ERROR_TYPES: tuple[type[BaseException], ...] = (sqlite3.Error, OverflowError)

_PROGRAMMING_HINTS = ("no such table", "no such column", "syntax error", "has no column named",
                      "already exists", "no such index", "ambiguous column")


def translate_error(
    err: BaseException, statement: str | None, params: Sequence[Any] | None
) -> exc.DatabaseError:
    """The kakaorm.exc error for a sqlite3 (or value conversion) error."""
    message = str(err)
    cls: type[exc.DatabaseError]
    if isinstance(err, sqlite3.IntegrityError):
        cls = exc.IntegrityError
    elif isinstance(err, OverflowError):
        cls = exc.DataError
        message = f"a value does not fit in a SQLite INTEGER (64-bit): {message}"
    elif isinstance(err, sqlite3.DataError):
        cls = exc.DataError
    elif isinstance(err, (sqlite3.ProgrammingError, sqlite3.NotSupportedError)):
        cls = exc.ProgrammingError
    elif isinstance(err, sqlite3.OperationalError):
        lowered = message.lower()
        cls = exc.ProgrammingError if any(h in lowered for h in _PROGRAMMING_HINTS) else exc.OperationalError
    elif isinstance(err, sqlite3.InterfaceError):
        cls = exc.InterfaceError
    else:
        cls = exc.DatabaseError
    return cls(message, orig=err, statement=statement, params=params)
