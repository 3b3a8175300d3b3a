"""Mapping sqlite3's exceptions to kakaorm.exc."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from kakaorm import exc

ERROR_TYPES: tuple[type[BaseException], ...] = (sqlite3.Error, OverflowError)

#: sqlite3 reports most mistakes in the SQL as OperationalError; these messages are
#: the truly operational ones (the database or its file, not the statement)
_OPERATIONAL_HINTS = ("locked", "busy", "disk", "i/o", "unable to open", "readonly",
                      "interrupted", "full", "out of memory")


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
        cls = exc.OperationalError if any(h in lowered for h in _OPERATIONAL_HINTS) else exc.ProgrammingError
    elif isinstance(err, sqlite3.InterfaceError):
        cls = exc.InterfaceError
    else:
        cls = exc.DatabaseError
    return cls(message, orig=err, statement=statement, params=params)
