"""The MySQL/MariaDB dialect class, found through the ``kakaorm.dialects`` entry points."""

from __future__ import annotations

import datetime as _dt
import uuid as _uuid
from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, ClassVar

from kakaorm.dialect import Dialect, DialectFeatures, DriverPool, Processor, SchemaExecutor
from kakaorm.exc import ConfigurationError, DatabaseError, DriverNotInstalledError
from kakaorm.json_values import dump_json, load_json
from kakaorm.types import SQLType, read_bytes, read_decimal, read_float, read_int, to_uuid
from kakaorm.url import DatabaseURL, URLRules

from .compiler import MySQLCompiler, to_utc_naive

if TYPE_CHECKING:
    from kakaorm.schema import ColumnType, TableSchema

    from .driver import ConnectSettings, ServerInfo

_UTC = _dt.UTC

#: MySQL's limit on the placeholders of one prepared statement; KakaORM interpolates
#: on the client, but stays under it so a statement would also fit a server-side prepare
MAX_PARAMS = 65535


def _read_datetime(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.replace(tzinfo=_UTC)
    if isinstance(value, (str, bytes)):
        text = value.decode() if isinstance(value, bytes) else value
        return _dt.datetime.fromisoformat(text).replace(tzinfo=_UTC)
    return value


def _read_time(value: Any) -> Any:
    # PyMySQL returns TIME as a timedelta (MySQL's TIME is a duration type)
    if isinstance(value, _dt.timedelta):
        return (_dt.datetime.min + value).time()
    if isinstance(value, (str, bytes)):
        return _dt.time.fromisoformat(value.decode() if isinstance(value, bytes) else value)
    return value


def _read_date(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, (str, bytes)):
        return _dt.date.fromisoformat(value.decode() if isinstance(value, bytes) else value)
    return value


def _write_datetime(v: Any) -> Any:
    return to_utc_naive(v) if isinstance(v, _dt.datetime) else v


def _option(options: Mapping[str, Any], name: str, default: float, kind: type, minimum: float) -> Any:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
        what = "an integer" if kind is int else "a number of seconds"
        raise ConfigurationError(f"connect() option {name} must be {what}, got {value!r}")
    if value < minimum:
        raise ConfigurationError(f"connect() option {name} must be at least {minimum:g}, got {value!r}")
    return kind(value)


class MySQLDialect(Dialect):
    """MySQL 8 and MariaDB (10.5+ recommended) through aiomysql.

    Options of ``kakaorm.connect()``: ``pool_min_size`` (connections opened at once,
    default 1), ``pool_max_size`` (default 10), ``pool_timeout`` (seconds a statement
    waits for a free connection before :class:`~kakaorm.PoolTimeoutError`, default
    30) and ``connect_timeout`` (seconds to open one connection, default 10).
    """

    name: ClassVar[str] = "mysql"
    driver: ClassVar[str] = "aiomysql"
    compiler_class = MySQLCompiler
    install_hint: ClassVar[str] = "pip install kakaorm-mysql"
    accepted_options: ClassVar[frozenset[str]] = frozenset(
        {"pool_min_size", "pool_max_size", "pool_timeout", "connect_timeout"}
    )
    url_rules: ClassVar[URLRules] = URLRules(example="mysql://user:password@localhost:3306/app")
    #: until the server is known; ``create_pool`` replaces it with what the server can do
    features: ClassVar[DialectFeatures] = DialectFeatures(
        returning=False,
        window_functions=True,
        transactional_ddl=False,
        right_join=True,
        savepoints=True,
        max_params=MAX_PARAMS,
        single_connection=False,
    )
    compiler: MySQLCompiler

    def __init__(self, url: DatabaseURL, options: Mapping[str, Any]) -> None:
        super().__init__(url, options)
        if url.query:
            raise ConfigurationError(
                f"{url.scheme} URLs take no query options (got {', '.join(sorted(url.query))}); "
                "pass pool and timeout settings to kakaorm.connect() as keyword arguments"
            )
        self.pool_min_size: int = _option(self.options, "pool_min_size", 1, int, 0)
        self.pool_max_size: int = _option(self.options, "pool_max_size", 10, int, 1)
        self.pool_timeout: float = _option(self.options, "pool_timeout", 30.0, float, 0.001)
        self.connect_timeout: float = _option(self.options, "connect_timeout", 10.0, float, 0.001)
        if self.pool_min_size > self.pool_max_size:
            raise ConfigurationError(
                f"connect(): pool_min_size={self.pool_min_size} is larger than "
                f"pool_max_size={self.pool_max_size}; lower the first or raise the second"
            )
        #: the server this engine talks to, known once connected
        self.server: ServerInfo | None = None

    async def create_pool(self) -> DriverPool:
        try:
            from . import driver
        except ImportError as err:
            raise DriverNotInstalledError(
                f"the MySQL/MariaDB dialect needs aiomysql, which is not installed ({err}). "
                f"Install it with: {self.install_hint}"
            ) from err
        from .errors import ERROR_TYPES

        self.error_types = ERROR_TYPES
        pool, server = await driver.open_pool(
            self.connect_settings(), self.pool_min_size, self.pool_max_size, self.pool_timeout
        )
        self.configure(server)
        return pool

    def connect_settings(self) -> ConnectSettings:
        """Where and how this dialect's connections connect (imports the driver module)."""
        from .driver import ConnectSettings

        url = self.url
        return ConnectSettings(
            host=url.host or "localhost",
            port=url.port or 3306,
            user=url.username,
            password=url.password or "",
            database=url.database,
            connect_timeout=self.connect_timeout,
        )

    async def read_schema(
        self, engine: SchemaExecutor, tables: Collection[str] | None = None
    ) -> dict[str, TableSchema]:
        """The tables of the database, from ``information_schema`` (see :mod:`.introspect`)."""
        from .introspect import read_schema

        return await read_schema(engine, tables)

    def schema_type(self, type_sql: str) -> ColumnType:
        """Portable type of a MySQL type; ``tinyint(1)`` is a boolean."""
        from .introspect import schema_type

        return schema_type(type_sql)

    def migration_lock(self, engine: SchemaExecutor) -> AbstractAsyncContextManager[None]:
        """A transaction while a separate session holds ``GET_LOCK`` (see :mod:`.introspect`)."""
        from .introspect import migration_lock

        return migration_lock(engine)

    def configure(self, server: ServerInfo) -> None:
        """Adapt features and SQL to the server (called once connected)."""
        self.server = server
        # an instance attribute: the Engine reads dialect.features once it is created
        self.features = self.features_for(server)  # type: ignore[misc]
        self.compiler.index_if_not_exists = server.mariadb
        self.compiler.shares_window_sorts = server.mariadb
        self.compiler.analyze_prefix = "ANALYZE" if server.mariadb else "EXPLAIN ANALYZE"
        self.compiler.json_text_collation = "utf8mb4_nopad_bin" if server.mariadb else "utf8mb4_0900_bin"

    @staticmethod
    def features_for(server: ServerInfo) -> DialectFeatures:
        """What this server can do.

        Generated keys of a multi-row INSERT: MariaDB 10.5+ returns them (RETURNING).
        Elsewhere only the first is reported, and the others follow it one by one
        only when InnoDB reserves the whole block at once (innodb_autoinc_lock_mode
        0 or 1; mode 2, MySQL 8's default, may interleave concurrent inserts) and
        auto_increment_increment is 1. Otherwise bulk_create inserts such rows one
        per statement.

        Keys come from the OK packet's insert id wherever it gives them all (one row,
        or consecutive keys), on MariaDB 10.5+ too: aiomysql reads a RETURNING result
        in Python, column descriptions and all, at more cost than the round trip to a
        local server.
        """
        return DialectFeatures(
            returning=server.mariadb and server.version_tuple >= (10, 5),
            window_functions=True,
            transactional_ddl=False,
            right_join=True,
            savepoints=True,
            max_params=MAX_PARAMS,
            single_connection=False,
            consecutive_insert_keys=server.autoinc_lock_mode in (0, 1)
            and server.auto_increment_increment == 1,
            max_statement_bytes=server.max_allowed_packet,
            reported_insert_keys=True,
        )

    def translate_error(
        self, exc: BaseException, statement: str | None, params: Sequence[Any] | None
    ) -> DatabaseError:
        from .errors import translate_error

        return translate_error(exc, statement, params)

    def describe(self) -> str:
        return f"{self.url.backend}+{self.driver}://{self.url.safe_location()}"

    def bind_processor(self, sql_type: SQLType) -> Processor | None:
        kind = sql_type.kind
        if kind == "datetime":
            return _write_datetime
        if kind == "uuid":
            return lambda v: str(v) if isinstance(v, _uuid.UUID) else v
        if kind == "json":
            return dump_json
        if kind == "bytes":
            return lambda v: bytes(v) if isinstance(v, (bytearray, memoryview)) else v
        return None

    def result_processor(self, sql_type: SQLType, plain_column: bool) -> Processor | None:
        kind = sql_type.kind
        if kind == "bool":
            return bool
        if kind == "datetime":
            return _read_datetime
        if kind == "time":
            return _read_time
        if kind == "uuid":
            return to_uuid
        if kind == "json":
            return load_json  # aiomysql returns the text
        if kind == "bytes":
            return read_bytes  # aiomysql may return a bytearray
        if plain_column:
            # DATE, DECIMAL, DOUBLE, INTEGER and text columns arrive as the right type
            return None
        if kind == "date":
            return _read_date
        if kind == "decimal":
            return read_decimal(sql_type.scale)
        if kind == "float":
            return read_float
        if kind == "int":
            return read_int  # SUM() of integers is a DECIMAL on MySQL
        return None


__all__ = ["MySQLDialect"]
