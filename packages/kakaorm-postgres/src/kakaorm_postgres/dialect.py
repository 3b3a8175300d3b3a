"""The PostgreSQL dialect classes, found through the ``kakaorm.dialects`` entry points.

Importing this module imports neither asyncpg nor psycopg; ``create_pool`` does.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, ClassVar

from kakaorm.compiler import SQLCompiler
from kakaorm.dialect import Dialect, DialectFeatures, DriverPool, Processor, SchemaExecutor
from kakaorm.exc import DatabaseError, DriverNotInstalledError
from kakaorm.json_values import dump_json, load_json
from kakaorm.types import ArrayType, SQLType, read_bytes, read_decimal, read_float, read_int, to_uuid
from kakaorm.url import DatabaseURL, URLRules

from .compiler import AsyncpgCompiler, PsycopgCompiler
from .driver import OPTIONS, parse_settings

if TYPE_CHECKING:
    from kakaorm.schema import TableSchema

__all__ = ["AsyncpgDialect", "PostgresDialect", "PsycopgDialect"]

_UTC = _dt.UTC





def _to_utc(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=_UTC)
        if value.tzinfo is not _UTC:
            return value.astimezone(_UTC)
    return value


class PostgresDialect(Dialect):
    """What both PostgreSQL drivers share: features, options, conversions, errors.

    Options (``kakaorm.connect(url, **options)`` or the URL's query string):
    ``pool_min_size``, ``pool_max_size``, ``pool_timeout`` (seconds to wait for a free
    connection), ``connect_timeout`` (seconds), ``statement_cache_size`` (0 turns
    prepared statements off) and ``pgbouncer`` (True behind PgBouncer in transaction
    pooling mode: no prepared statements, the session time zone set without the
    ``options`` startup parameter PgBouncer refuses; see docs/production.md).
    """

    name: ClassVar[str] = "postgresql"
    accepted_options: ClassVar[frozenset[str]] = frozenset(OPTIONS)
    url_rules: ClassVar[URLRules] = URLRules(
        example="postgresql://user:password@localhost:5432/app", query_options=frozenset(OPTIONS)
    )
    features: ClassVar[DialectFeatures] = DialectFeatures(
        returning=True,
        window_functions=True,
        transactional_ddl=True,
        right_join=True,
        savepoints=True,
        max_params=32767,
        single_connection=False,
        arrays=True,
    )
    compiler_class: ClassVar[type[SQLCompiler]]

    def __init__(self, url: DatabaseURL, options: Mapping[str, Any]) -> None:
        super().__init__(url, options)
        self.settings = parse_settings(url, self.options)

    def translate_error(
        self, exc: BaseException, statement: str | None, params: Sequence[Any] | None
    ) -> DatabaseError:
        """Map an asyncpg or psycopg exception to kakaorm.exc (see :mod:`.errors`)."""
        from .errors import translate_error

        return translate_error(exc, statement, params)

    async def read_schema(
        self, engine: SchemaExecutor, tables: Collection[str] | None = None
    ) -> dict[str, TableSchema]:
        """The tables of the current schema, from ``pg_catalog`` (see :mod:`.introspect`)."""
        from .introspect import read_schema

        return await read_schema(engine, tables)

    def migration_lock(self, engine: SchemaExecutor) -> AbstractAsyncContextManager[None]:
        """A transaction holding the migration advisory lock (see :mod:`.introspect`)."""
        from .introspect import migration_lock

        return migration_lock(engine)

    async def forget_statements(self) -> None:
        """Drop client-side prepared statements after DDL (asyncpg keeps some)."""

    def bind_processor(self, sql_type: SQLType) -> Processor | None:
        """JSON documents are sent as their text (see :mod:`kakaorm.json_values`)."""
        return dump_json if sql_type.kind == "json" else None

    def result_processor(self, sql_type: SQLType, plain_column: bool) -> Processor | None:
        """None for plain columns; conversions for aggregates and computed values.

        UUIDs are always converted: asyncpg returns a subclass of ``uuid.UUID``."""
        kind = sql_type.kind
        if kind == "uuid":
            return to_uuid
        if kind == "json":
            return load_json  # asyncpg returns jsonb as text; psycopg decodes it
        if isinstance(sql_type, ArrayType):
            item = self.result_processor(sql_type.item, plain_column)
            return None if item is None else (lambda v: [None if x is None else item(x) for x in v])
        if kind == "bytes":
            return read_bytes  # psycopg may hand a memoryview for a computed value
        if plain_column:
            # both drivers already return the column's Python type: int, str, float,
            # bool, Decimal with the column's scale, date, time, aware UTC datetime
            return None
        if kind == "int":
            return read_int  # SUM(int) is bigint or numeric on PostgreSQL
        if kind == "float":
            return read_float  # AVG(int) is numeric
        if kind == "decimal":
            return read_decimal(sql_type.scale)
        if kind == "datetime":
            return _to_utc
        return None


class AsyncpgDialect(PostgresDialect):
    """PostgreSQL through asyncpg (``postgresql://`` and ``postgresql+asyncpg://``)."""

    driver: ClassVar[str] = "asyncpg"
    compiler_class = AsyncpgCompiler
    install_hint: ClassVar[str] = "pip install kakaorm-postgres"

    async def create_pool(self) -> DriverPool:
        """Import asyncpg and open its pool (raises if the server cannot be reached)."""
        try:
            import asyncpg  # type: ignore[import-untyped]  # noqa: F401
        except ImportError as err:
            raise DriverNotInstalledError(
                f"the PostgreSQL dialect for asyncpg needs the asyncpg package, which cannot "
                f"be imported ({err}). Install it with: {self.install_hint}"
            ) from err
        from . import asyncpg_driver
        from .errors import asyncpg_error_types

        self.error_types = asyncpg_error_types()
        self._asyncpg_pool = await asyncpg_driver.open_pool(self.settings)
        return self._asyncpg_pool

    async def forget_statements(self) -> None:
        """Drop asyncpg's prepared-statement caches (called after a migration step)."""
        pool = getattr(self, "_asyncpg_pool", None)
        if pool is not None:
            await pool.forget_statements()


class PsycopgDialect(PostgresDialect):
    """PostgreSQL through psycopg 3 (``postgresql+psycopg3://``, ``postgresql+psycopg://``)."""

    driver: ClassVar[str] = "psycopg3"
    compiler_class = PsycopgCompiler
    install_hint: ClassVar[str] = 'pip install "kakaorm-postgres[psycopg]"'

    async def create_pool(self) -> DriverPool:
        """Import psycopg and psycopg_pool and open the pool (raises if the server
        cannot be reached)."""
        try:
            import psycopg  # noqa: F401
            import psycopg_pool  # noqa: F401
        except ImportError as err:
            raise DriverNotInstalledError(
                f"the PostgreSQL dialect for psycopg needs psycopg and psycopg-pool, which "
                f"cannot be imported ({err}). Install them with: {self.install_hint}"
            ) from err
        from . import psycopg_driver
        from .errors import psycopg_error_types

        self.error_types = psycopg_error_types()
        return await psycopg_driver.open_pool(self.settings)
