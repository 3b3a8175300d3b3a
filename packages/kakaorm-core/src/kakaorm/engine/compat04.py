"""The per-driver engine class names of kakaorm 0.4, as checks on our one Engine.

kakaorm 0.4 had a class per driver (``AsyncpgEngine``, ``Psycopg3Engine``,
``AioSQLiteEngine``, ``AioMySQLEngine``). Here every database is served by one
:class:`~kakaorm.Engine` whose dialect plugin knows the driver, so these names are
kept for what 0.4 code does with them:

* ``isinstance(engine, AsyncpgEngine)`` is True when ``engine`` runs PostgreSQL
  through asyncpg (decided by ``engine.dialect.name`` and ``engine.dialect.driver``);
* constructing one (``AsyncpgEngine(dsn)``) raises ConfigurationError giving the
  ``kakaorm.connect("postgresql+asyncpg://...")`` spelling that replaces it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from kakaorm.engine.engine import Engine
from kakaorm.exc import ConfigurationError

__all__ = ["AioMySQLEngine", "AioSQLiteEngine", "AsyncpgEngine", "Psycopg3Engine"]


class _DriverEngineMeta(type):
    """Makes ``isinstance(engine, <driver class>)`` look at the engine's dialect."""

    serves: frozenset[tuple[str, str]]

    def __instancecheck__(cls, instance: object) -> bool:
        if not isinstance(instance, Engine):
            return False
        dialect = instance.dialect
        return (dialect.name, dialect.driver) in cls.serves


class _DriverEngine(Engine, metaclass=_DriverEngineMeta):
    """Base of the 0.4 per-driver names; never instantiated."""

    serves: ClassVar[frozenset[tuple[str, str]]] = frozenset()
    #: the URL that opens such an engine with kakaorm.connect()
    example_url: ClassVar[str] = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name = type(self).__name__
        raise ConfigurationError(
            f"{name}(...) cannot be constructed: open the database with "
            f'`engine = await kakaorm.connect("{self.example_url}")` (pool sizes are the '
            "connect() options pool_min_size= and pool_max_size=). The name "
            f"{name} remains for checks such as isinstance(engine, {name})"
        )


class AsyncpgEngine(_DriverEngine):
    """An engine on PostgreSQL through asyncpg (``postgresql+asyncpg://``)."""

    serves = frozenset({("postgresql", "asyncpg")})
    example_url = "postgresql+asyncpg://user:password@localhost:5432/dbname"


class Psycopg3Engine(_DriverEngine):
    """An engine on PostgreSQL through psycopg 3 (``postgresql+psycopg3://``)."""

    serves = frozenset({("postgresql", "psycopg3")})
    example_url = "postgresql+psycopg3://user:password@localhost:5432/dbname"


class AioSQLiteEngine(_DriverEngine):
    """An engine on SQLite through aiosqlite (``sqlite+aiosqlite://``)."""

    serves = frozenset({("sqlite", "aiosqlite")})
    example_url = "sqlite+aiosqlite:///path/to/app.db"


class AioMySQLEngine(_DriverEngine):
    """An engine on MySQL or MariaDB through aiomysql (``mysql+aiomysql://``)."""

    serves = frozenset({("mysql", "aiomysql"), ("mariadb", "aiomysql")})
    example_url = "mysql+aiomysql://user:password@localhost:3306/dbname"
