"""PostgreSQL dialect for KakaORM, on asyncpg (default) or psycopg 3.

Installed, it serves the URL schemes ``postgresql``, ``postgresql+asyncpg``,
``postgresql+psycopg3`` and ``postgresql+psycopg``; users never import it. Importing
it imports neither driver.
"""

from __future__ import annotations

from .compiler import AsyncpgCompiler, PostgresCompiler, PsycopgCompiler
from .dialect import AsyncpgDialect, PostgresDialect, PsycopgDialect

__all__ = [
    "AsyncpgCompiler",
    "AsyncpgDialect",
    "PostgresCompiler",
    "PostgresDialect",
    "PsycopgCompiler",
    "PsycopgDialect",
]
