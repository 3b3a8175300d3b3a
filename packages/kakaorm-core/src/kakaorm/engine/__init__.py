"""``kakaorm.engine``: the kakaorm 0.4 import path of :class:`~kakaorm.Engine` and
:func:`~kakaorm.connect`.

The per-driver names (``AsyncpgEngine``, ``Psycopg3Engine``, ``AioSQLiteEngine``,
``AioMySQLEngine``) are isinstance checks on an Engine's dialect and driver;
constructing one raises ConfigurationError naming the ``kakaorm.connect(url)`` that
replaces it (see :mod:`kakaorm.engine.compat04`).
"""

from __future__ import annotations

from kakaorm.engine.compat04 import AioMySQLEngine, AioSQLiteEngine, AsyncpgEngine, Psycopg3Engine
from kakaorm.engine.engine import Engine, connect

__all__ = [
    "AioMySQLEngine",
    "AioSQLiteEngine",
    "AsyncpgEngine",
    "Engine",
    "Psycopg3Engine",
    "connect",
]
