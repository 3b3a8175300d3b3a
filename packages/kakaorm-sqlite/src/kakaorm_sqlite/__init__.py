"""SQLite dialect for KakaORM (aiosqlite).

Installed, it serves the URL schemes ``sqlite`` and ``sqlite+aiosqlite``; users never
import it. Importing it does not import aiosqlite.
"""

from __future__ import annotations

from .dialect import SQLiteDialect

__all__ = ["SQLiteDialect"]
