"""Example KakaORM dialect: SQLite through the standard library's ``sqlite3``.

Installed, it serves the URL scheme ``sqlite+stdlib``::

    engine = await kakaorm.connect("sqlite+stdlib:///./app.db")

Users never import it; importing it does not open any thread or connection.
"""

from __future__ import annotations

from .dialect import StdlibSQLiteDialect

__all__ = ["StdlibSQLiteDialect"]
