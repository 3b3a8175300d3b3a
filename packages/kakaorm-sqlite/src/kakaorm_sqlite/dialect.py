"""The SQLite dialect class, found through the ``kakaorm.dialects`` entry points."""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import uuid as _uuid
from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, ClassVar

from kakaorm.dialect import Dialect, DialectFeatures, DriverPool, Processor, SchemaExecutor
from kakaorm.exc import ConfigurationError, DatabaseError, DataError, DriverNotInstalledError
from kakaorm.json_values import dump_json, load_json
from kakaorm.types import SQLType, read_bytes, read_decimal, read_float, read_int, to_uuid
from kakaorm.url import DatabaseURL, URLRules

from .compiler import SQLITE_VERSION, SQLiteCompiler, format_datetime

if TYPE_CHECKING:
    from kakaorm.schema import TableSchema

_UTC = _dt.UTC


_datetime_from_text = _dt.datetime.fromisoformat
_date_from_text = _dt.date.fromisoformat
_time_from_text = _dt.time.fromisoformat


def _parse_datetime(value: Any) -> Any:
    # The stored text is read as it is; only when that fails (a rare row: see
    # _padded_year) is there any further work. A value that still cannot be read
    # raises here, and the engine reports it as a DataError naming table and column.
    try:
        parsed = _datetime_from_text(value)
    except (TypeError, ValueError):
        parsed = _datetime_from_text(_padded_year(value))
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=_UTC)
    # KakaORM 0.4 stored an offset ('2024-05-01T08:00:00+00:00')
    return parsed.astimezone(_UTC)


def _padded_year(value: Any) -> str:
    """Text whose year has fewer than four digits with the year zero-padded, as
    earlier releases of kakaorm-sqlite wrote years before 1000 (``999-12-31 ...``);
    other text as it is.

    Raises:
        TypeError: the value is not text (a number typed into the column by hand).
    """
    if not isinstance(value, str):
        raise TypeError(f"the database holds {type(value).__name__}, not text")
    year, dash, rest = value.partition("-")
    if dash and len(year) < 4 and year.isdigit():
        return f"{year:0>4}-{rest}"
    return value


def _parse_date(value: Any) -> Any:
    try:
        return _date_from_text(value)
    except TypeError:
        raise TypeError(f"the database holds {type(value).__name__}, not text") from None


def _parse_time(value: Any) -> Any:
    try:
        return _time_from_text(value)
    except TypeError:
        raise TypeError(f"the database holds {type(value).__name__}, not text") from None


def _format_time(value: _dt.time) -> str:
    return value.isoformat(timespec="microseconds")


#: SQLite turns a NaN it is given into NULL: refused instead (a missing value is None)
_NAN_REFUSED = (
    "{} cannot be stored on SQLite, which would store NULL instead; store None for a "
    "missing value, or a number (PostgreSQL stores NaN)"
)


def _bind_float(v: Any) -> Any:
    """A float as it is; NaN (the one float not equal to itself) is a DataError.
    Infinities are stored and read back as they are."""
    if v != v:
        raise DataError(_NAN_REFUSED.format("float('nan')"))
    return v


def _bind_decimal(v: Any) -> Any:
    """A Decimal as the number SQLite's NUMERIC affinity would store anyway (an integer
    when whole, else a REAL), so it also compares as a number with computed values.
    NaN and infinities are DataErrors: a REAL would hold NULL or a value no decimal
    column reads back."""
    if isinstance(v, _decimal.Decimal):
        if not v.is_finite():
            if v.is_qnan():
                raise DataError(_NAN_REFUSED.format("Decimal('NaN')"))
            raise DataError(
                f"{v!r} cannot be stored on SQLite, which keeps decimals as REAL numbers; "
                "store a finite number, or None"
            )
        return int(v) if v == v.to_integral_value() and abs(v) < 2**63 else float(v)
    return v


#: the values of SQLite's ``PRAGMA journal_mode``
JOURNAL_MODES = ("delete", "truncate", "persist", "memory", "wal", "off")


class SQLiteDialect(Dialect):
    """SQLite through aiosqlite. Options: ``pool_timeout`` (seconds a task waits for the
    connection, default 30), ``busy_timeout`` (seconds SQLite waits for a file lock
    held by another process, default 5) and ``journal_mode`` (one of
    :data:`JOURNAL_MODES`, set when the connection opens; ``wal`` is then kept in the
    file for every later connection, the others last as long as the connection; by
    default the connection uses the file's mode, ``delete`` unless it is in WAL)."""

    name: ClassVar[str] = "sqlite"
    driver: ClassVar[str] = "aiosqlite"
    compiler_class = SQLiteCompiler
    install_hint: ClassVar[str] = "pip install kakaorm-sqlite"
    accepted_options: ClassVar[frozenset[str]] = frozenset({"pool_timeout", "busy_timeout", "journal_mode"})
    url_rules: ClassVar[URLRules] = URLRules(example="sqlite+aiosqlite:///./app.db", server=False)
    features: ClassVar[DialectFeatures] = DialectFeatures(
        returning=SQLITE_VERSION >= (3, 35, 0),
        window_functions=SQLITE_VERSION >= (3, 25, 0),
        transactional_ddl=True,
        right_join=SQLITE_VERSION >= (3, 39, 0),
        savepoints=True,
        max_params=32766 if SQLITE_VERSION >= (3, 32, 0) else 999,
        single_connection=True,
    )

    def __init__(self, url: DatabaseURL, options: Mapping[str, Any]) -> None:
        super().__init__(url, options)
        if url.host or url.username:
            scheme = f"{self.name}+{self.driver}"
            raise ConfigurationError(
                f"a SQLite URL names a file, not a server: use '{scheme}:///./app.db' "
                f"(relative), '{scheme}:////abs/app.db' or '{scheme}:///:memory:'"
            )
        try:
            self.pool_timeout = float(self.options.get("pool_timeout", 30.0))
            self.busy_timeout = float(self.options.get("busy_timeout", 5.0))
        except (TypeError, ValueError) as err:
            raise ConfigurationError(f"pool_timeout and busy_timeout are numbers of seconds: {err}") from None
        if self.pool_timeout <= 0:
            raise ConfigurationError("pool_timeout must be a positive number of seconds")
        mode = self.options.get("journal_mode")
        if mode is not None and (not isinstance(mode, str) or mode.lower() not in JOURNAL_MODES):
            raise ConfigurationError(
                f"journal_mode must be one of {', '.join(JOURNAL_MODES)} (SQLite's PRAGMA "
                f"journal_mode), got {mode!r}"
            )
        self.journal_mode: str | None = None if mode is None else mode.lower()

    async def create_pool(self) -> DriverPool:
        try:
            from . import driver
        except ImportError as err:
            raise DriverNotInstalledError(
                f"the SQLite dialect needs aiosqlite, which is not installed ({err}). "
                "Install it with: pip install kakaorm-sqlite"
            ) from err
        from .errors import ERROR_TYPES

        self.error_types = ERROR_TYPES
        return await driver.open_pool(
            self.url.database or ":memory:", self.pool_timeout, self.busy_timeout, self.journal_mode
        )

    def translate_error(
        self, exc: BaseException, statement: str | None, params: Sequence[Any] | None
    ) -> DatabaseError:
        from .errors import translate_error

        return translate_error(exc, statement, params)

    def describe(self) -> str:
        # name and driver, not a fixed scheme: a subclass serving another driver shows its own
        return f"{self.name}+{self.driver}:///{self.url.database}"

    async def read_schema(
        self, engine: SchemaExecutor, tables: Collection[str] | None = None
    ) -> dict[str, TableSchema]:
        """The tables of the database, from its catalog (see :mod:`.introspect`)."""
        from .introspect import read_schema

        return await read_schema(engine, tables)

    def migration_lock(self, engine: SchemaExecutor) -> AbstractAsyncContextManager[None]:
        """A transaction holding SQLite's write lock, foreign keys handled (see :mod:`.introspect`)."""
        from .introspect import migration_lock

        return migration_lock(engine)

    def bind_processor(self, sql_type: SQLType) -> Processor | None:
        kind = sql_type.kind
        if kind == "bool":
            return int
        if kind == "datetime":
            return lambda v: format_datetime(v) if isinstance(v, _dt.datetime) else v
        if kind == "date":
            return lambda v: v.isoformat() if isinstance(v, _dt.date) else v
        if kind == "time":
            return lambda v: _format_time(v) if isinstance(v, _dt.time) else v
        if kind == "decimal":
            return _bind_decimal
        if kind == "float":
            return _bind_float
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
            return _parse_datetime
        if kind == "date":
            return _parse_date
        if kind == "time":
            return _parse_time
        if kind == "decimal":
            return read_decimal(sql_type.scale)
        if kind == "uuid":
            return to_uuid
        if kind == "json":
            return load_json
        if kind == "bytes":
            return read_bytes
        if kind == "float" and not plain_column:
            # a REAL column always yields floats; computed values may be ints
            return read_float
        if kind == "int" and not plain_column:
            return read_int
        return None


__all__ = ["SQLiteDialect"]
