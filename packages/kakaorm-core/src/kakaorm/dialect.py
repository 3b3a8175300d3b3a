"""The dialect protocol: what a database plugin provides. Public and versioned.

A plugin distribution registers a :class:`Dialect` subclass in the
``kakaorm.dialects`` entry-point group under ``<backend>.<driver>`` (and a bare
``<backend>`` for its default driver)::

    [project.entry-points."kakaorm.dialects"]
    "duckdb.aioduck" = "kakaorm_duckdb:DuckDialect"

``kakaorm.connect("duckdb+aioduck://...")`` then loads that class, checks that it is
a :class:`Dialect` speaking :data:`PROTOCOL_VERSION`, and uses it. A dialect is three
things:

* a :class:`~kakaorm.compiler.SQLCompiler` subclass (pure SQL generation),
* value conversions (:meth:`Dialect.bind_processor`, :meth:`Dialect.result_processor`),
* a driver adapter: :meth:`Dialect.create_pool` returning a :class:`DriverPool` whose
  connections implement :class:`DriverConnection`, and :meth:`Dialect.translate_error`
  mapping driver exceptions to :mod:`kakaorm.exc`.

Importing a dialect module must not import its driver; import it in ``create_pool``.

What a dialect can do and takes is declared as data on the class: :attr:`Dialect.features`
(a :class:`DialectFeatures`), :attr:`Dialect.accepted_options` (the ``connect()``
options it understands), :attr:`Dialect.url_rules`. Its compiler changes SQL through
small hooks (``quote``, ``like``, ``ilike``, ``limit_clause``, ``column_type_sql``,
``type_names``, ...), and quotes every identifier with ``quote()``.

Migrations (:mod:`kakaorm.migration`) need three more methods, added to protocol
version 1 with defaults, so older dialects keep working without them:
:meth:`Dialect.read_schema`, :meth:`Dialect.schema_type` and
:meth:`Dialect.migration_lock`; the DDL comes from the compiler's migration
methods (``add_column``, ``alter_column``, ``alter_table``, ... inherited by every
:class:`~kakaorm.compiler.SQLCompiler`). Those methods run their statements through a
:class:`SchemaExecutor` (the engine is one), so this module knows nothing of the engine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Protocol,
)

from kakaorm.exc import DatabaseError, MigrationError
from kakaorm.schema import ColumnType, portable_type
from kakaorm.types import SQLType
from kakaorm.url import DatabaseURL, URLRules

if TYPE_CHECKING:
    from kakaorm.compiler import SQLCompiler
    from kakaorm.schema import TableSchema

__all__ = [
    "PROTOCOL_VERSION",
    "READ_SIZE",
    "Dialect",
    "DialectFeatures",
    "DriverConnection",
    "DriverPool",
    "PoolStats",
    "Processor",
    "SchemaExecutor",
    "URLRules",
    "limit_reads",
]

#: The version of this protocol. A dialect declares the version it was written for.
PROTOCOL_VERSION = 1

#: A conversion applied to one non-None value.
Processor = Callable[[Any], Any]

#: The most bytes a driver's asyncio socket transport asks for per read, once
#: :func:`limit_reads` has set it. asyncio's own default (256 KiB) is above glibc's
#: initial mmap threshold (128 KiB), so until the process happens to free a larger
#: block (glibc then raises the threshold), each read maps a fresh buffer, faults
#: its pages in and unmaps it: about 12 microseconds per round trip on this
#: project's CI machine. A buffer of this size comes from the heap; a large result
#: takes a few more reads.
READ_SIZE = 64 * 1024


def limit_reads(transport: object) -> None:
    """Make an asyncio socket transport read at most :data:`READ_SIZE` bytes at a
    time (a driver calls it on each new connection's transport). A transport
    without asyncio's ``max_size`` attribute (another event loop's) is left as it is."""
    size = getattr(transport, "max_size", None)
    if type(size) is int and size > READ_SIZE:
        transport.max_size = READ_SIZE  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DialectFeatures:
    """What a database can do; core reads these instead of checking dialect names.

    Attributes:
        returning: ``INSERT ... RETURNING`` is available.
        window_functions: ``OVER (...)`` is available.
        transactional_ddl: CREATE/ALTER/DROP take part in transactions.
        right_join: ``RIGHT JOIN`` is available.
        savepoints: nested transactions can use SAVEPOINT.
        max_params: the most bind parameters one statement may carry.
        single_connection: all statements share one connection (other tasks wait
            while a transaction holds it).
        consecutive_insert_keys: without RETURNING, the keys one multi-row INSERT
            generates are consecutive from the one ``execute_insert`` reports. When
            False, ``bulk_create`` inserts rows that need a generated key one per
            statement.
        max_statement_bytes: the longest statement the server accepts with its values
            (MySQL's ``max_allowed_packet``); ``bulk_create`` keeps each batch under
            it. None: no limit that matters.
        reported_insert_keys: the driver reports the key an INSERT generated
            (``execute_insert``) without a result set to read, at less cost than
            reading a RETURNING result. KakaORM then takes generated keys from there
            even where ``returning`` is available: always for one row, and for a
            multi-row INSERT when ``consecutive_insert_keys`` holds (otherwise
            RETURNING gives each row's key).
        arrays: native array columns (``BIGINT[]``, ``TEXT[]``) and their operators
            (``@>``, ``&&``, ``= ANY(...)``) are available, so an ``ArrayColumn`` may be
            used; when False, using one raises :class:`~kakaorm.exc.NotSupportedError`.
    """

    returning: bool = False
    window_functions: bool = True
    transactional_ddl: bool = False
    right_join: bool = True
    savepoints: bool = True
    max_params: int = 999
    single_connection: bool = False
    consecutive_insert_keys: bool = True
    max_statement_bytes: int | None = None
    arrays: bool = False
    reported_insert_keys: bool = False


@dataclass(frozen=True)
class PoolStats:
    """A snapshot of a pool: connections open, idle and lent out."""

    size: int
    idle: int
    in_use: int


class DriverConnection(Protocol):
    """One database connection as the engine uses it. Never builds SQL."""

    async def execute(self, sql: str, params: Sequence[Any]) -> int:
        """Run a statement; return the number of rows it affected (matched)."""
        ...

    async def execute_insert(self, sql: str, params: Sequence[Any]) -> Any:
        """Run an INSERT; return the generated key of its (first) row, or None."""
        ...

    async def fetch(self, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
        """Run a query; return its rows as positional sequences."""
        ...

    async def fetch_described(
        self, sql: str, params: Sequence[Any]
    ) -> tuple[list[str], Sequence[Sequence[Any]]]:
        """Run a query; return its column names and its rows."""
        ...

    def iterate(
        self, sql: str, params: Sequence[Any], *, chunk_size: int = 500
    ) -> AsyncIterator[Sequence[Any]]:
        """Stream a query's rows without loading them all.

        The adapter reads about ``chunk_size`` rows from the database at a time (a
        server-side cursor, an unbuffered result, ``fetchmany``) and holds no more.
        Closing the iterator early (``aclose()``) leaves the connection usable: the
        adapter closes its cursor, or reads what is left of the result. Adapters
        written before ``chunk_size`` existed (``iterate(sql, params)``) still work;
        the engine then passes no chunk size.
        """
        ...

    async def begin(self) -> None:
        """Start a transaction."""
        ...

    async def commit(self) -> None:
        """Commit the current transaction."""
        ...

    async def rollback(self) -> None:
        """Roll the current transaction back."""
        ...


class DriverPool(Protocol):
    """A pool of :class:`DriverConnection` objects."""

    async def acquire(self) -> DriverConnection:
        """Lend a connection; raise :class:`~kakaorm.exc.PoolTimeoutError` after the timeout."""
        ...

    async def release(self, conn: DriverConnection, *, discard: bool = False) -> None:
        """Take a connection back; ``discard=True`` closes it instead of reusing it."""
        ...

    async def close(self) -> None:
        """Close every connection."""
        ...

    def stats(self) -> PoolStats:
        """Connections open, idle and lent out."""
        ...


class SchemaExecutor(Protocol):
    """What :meth:`Dialect.read_schema` and :meth:`Dialect.migration_lock` run their
    statements through. The :class:`~kakaorm.Engine` is one; the dialect never needs
    more of it than this."""

    @property
    def dialect(self) -> Dialect:
        """The dialect the statements are written for."""
        ...

    async def fetch(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Run a raw query with ``%s`` placeholders; return the rows as dicts."""
        ...

    async def fetchval(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """Run a raw query; return the first column of the first row (None if no row)."""
        ...

    async def execute(self, sql: str, params: Sequence[Any] | None = None) -> int:
        """Run a raw statement with ``%s`` placeholders; return the affected row count."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Any]:
        """A transaction block for the current task (nested blocks are savepoints)."""
        ...


class Dialect:
    """Base class of dialects. Subclass it, set the class attributes, implement the methods.

    Class attributes:
        name: the backend (``"sqlite"``), the URL scheme's first part.
        driver: the driver (``"aiosqlite"``), the URL scheme's ``+driver`` part.
        protocol_version: the :data:`PROTOCOL_VERSION` the dialect was written for.
        features: a :class:`DialectFeatures`.
        compiler_class: the dialect's :class:`~kakaorm.compiler.SQLCompiler` subclass.
        install_hint: the pip line that installs the driver, for error messages.
        url_rules: the :class:`URLRules` its URLs are checked against before
            connecting (None: only parsed; set it so that wrong URLs fail early).
        accepted_options: the names of the ``connect()`` options the dialect takes
            besides the engine's own (``echo``, ``compile_cache_size``); ``connect()``
            refuses any other, listing these.
    """

    name: ClassVar[str] = ""
    driver: ClassVar[str] = ""
    protocol_version: ClassVar[int] = PROTOCOL_VERSION
    features: ClassVar[DialectFeatures] = DialectFeatures()
    compiler_class: ClassVar[type[SQLCompiler]]
    install_hint: ClassVar[str] = ""
    url_rules: ClassVar[URLRules | None] = None
    accepted_options: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, url: DatabaseURL, options: Mapping[str, Any]) -> None:
        self.url = url
        self.options = dict(options)
        self.compiler = self.compiler_class()
        #: driver exception classes that :meth:`translate_error` maps; filled by create_pool
        self.error_types: tuple[type[BaseException], ...] = ()

    async def create_pool(self) -> DriverPool:
        """Import the driver, open the pool (and check it can connect)."""
        raise NotImplementedError

    def translate_error(
        self, exc: BaseException, statement: str | None, params: Sequence[Any] | None
    ) -> DatabaseError:
        """Map a driver exception to the :mod:`kakaorm.exc` type that fits it."""
        return DatabaseError(str(exc), orig=exc, statement=statement, params=params)

    def bind_processor(self, sql_type: SQLType) -> Processor | None:
        """How to convert a Python value of this type for the driver (None: unchanged)."""
        return None

    def result_processor(self, sql_type: SQLType, plain_column: bool) -> Processor | None:
        """How to convert a driver value back to Python (None: unchanged).

        ``plain_column`` is True when the value is read straight from a table column
        (the driver already knows its type), False for computed values such as
        aggregates or arithmetic.
        """
        return None

    def describe(self) -> str:
        """A short description for ``repr(engine)``: never includes the password."""
        return f"{self.name}+{self.driver}://{self.url.safe_location()}"

    # -- migrations (optional: a dialect without them still runs queries) ---------------
    async def read_schema(
        self, engine: SchemaExecutor, tables: Collection[str] | None = None
    ) -> dict[str, TableSchema]:
        """Read the live schema of the connected database (its default schema).

        Args:
            engine: what to run catalog queries on (``engine.fetch``): the engine.
            tables: read only these tables (missing ones are simply absent); None: all.

        Returns:
            The tables by name, described in portable terms (see :mod:`kakaorm.schema`).
        """
        raise MigrationError(
            f"the {self.name}+{self.driver} dialect cannot read the database schema, so "
            "migrations cannot be planned: it does not implement Dialect.read_schema(); "
            "ask its maintainers to add it, or write the migration SQL by hand"
        )

    def schema_type(self, type_sql: str) -> ColumnType:
        """The portable type of a type as this database spells it (in DDL or catalogs)."""
        return portable_type(type_sql)

    def migration_lock(self, engine: SchemaExecutor) -> AbstractAsyncContextManager[None]:
        """An ``async with`` block that runs one migration step.

        On entry a transaction is open for the current task (``engine.transaction()``)
        and this database's migration lock is held, so that two processes migrating the
        same database take turns; the lock is released only after the transaction has
        ended. Statements of the block run through ``engine.execute``.
        """
        raise MigrationError(
            f"the {self.name}+{self.driver} dialect has no migration lock, so migrations "
            "cannot be applied safely: it does not implement Dialect.migration_lock(); "
            "ask its maintainers to add it, or apply the migration SQL by hand"
        )
