"""The engine: compiles statements (cached by shape, see :mod:`kakaorm.engine.cache`),
runs them through the dialect's driver adapter, opens transactions (see
:mod:`kakaorm.engine.transaction`), and logs every statement.

The engine knows statements, not models: the ORM builds the statements, and turns the
rows the engine returns into instances (:mod:`kakaorm.orm.hydrate`,
:mod:`kakaorm.orm.persist`).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from kakaorm import exc
from kakaorm.compiler.ddl import TableLike
from kakaorm.dialect import Dialect, DriverConnection, DriverPool, PoolStats
from kakaorm.engine.cache import CompiledEntry, check_table_features, compile_entry
from kakaorm.engine.echo import enable_echo
from kakaorm.engine.events import EventSource, InsertedKey, Listener, emit_after, emit_before, rows_of
from kakaorm.engine.raw_sql import RawSQLMethods
from kakaorm.engine.registry import load_dialect
from kakaorm.engine.routing import ReadYourWrites, ReplicaRouter, open_replicas
from kakaorm.engine.transaction import Transaction, TransactionMethods, TransactionState, cancelled_statement_error
from kakaorm.expr import Param
from kakaorm.expr.columns import ColumnElement
from kakaorm.schema import ArchiveTableSource
from kakaorm.statements import Insert, Select, Statement
from kakaorm.url import check_url, parse_url

__all__ = ["Engine", "Transaction", "connect", "get_engine"]

log = logging.getLogger("kakaorm.sql")
T = TypeVar("T")

_default_engine: Engine | None = None
#: engines still connected, oldest first: when the default one disconnects, the newest
#: remaining engine becomes the default again
_open_engines: list[Engine] = []

#: options every engine understands; a dialect adds its own in ``accepted_options``
CORE_OPTIONS = frozenset({"echo", "compile_cache_size"})


def get_engine() -> Engine:
    """The default engine (the one ``connect()`` created last).

    Raises:
        ConfigurationError: no engine is connected.
    """
    if _default_engine is None:
        raise exc.ConfigurationError(
            "no database is connected: call `engine = await kakaorm.connect(url)` first"
        )
    return _default_engine


async def connect(
    url: str,
    /,
    *,
    replicas: Sequence[str] = (),
    replica_retry_after: float = 30.0,
    **options: Any,
) -> Engine:
    """Open a database and make it the default engine of every model.

    Args:
        url: ``backend[+driver]://...``, e.g. ``"sqlite+aiosqlite:///./app.db"``,
            ``"postgresql+asyncpg://user@localhost/app"``.
        echo: print every statement (via the ``kakaorm.sql`` logger).
        replicas: URLs of read replicas of ``url`` (same scheme). ORM reads outside a
            transaction take turns on them; writes, raw SQL and everything inside a
            transaction run on ``url``, the primary (see :mod:`kakaorm.engine.routing`).
            The options apply to every pool.
        replica_retry_after: seconds a replica that failed is skipped before it is
            tried again (default 30).
        compile_cache_size (in ``options``): compiled statements kept (default 512; 0
            keeps none, so every statement is compiled again).
        **options: pool and driver options of the dialect (``pool_min_size``,
            ``pool_max_size``, ``pool_timeout``, ``connect_timeout``, ...).

    Returns:
        The Engine, also usable as ``async with await kakaorm.connect(url) as engine:``.

    Raises:
        InvalidURLError: the URL cannot be parsed.
        NoSuchDialectError: no installed plugin serves the scheme (says what to install).
        DriverNotInstalledError: the plugin's driver package is missing.
        OperationalError: the database cannot be reached (an unreachable replica is
            no error: it is skipped until it answers).
        ConfigurationError: a replica URL names another dialect than ``url``.

    Example::

        engine = await kakaorm.connect("sqlite+aiosqlite:///:memory:")
        await engine.create_table(Task)
    """
    parsed = parse_url(url)
    dialect_cls = load_dialect(parsed)
    rules = dialect_cls.url_rules
    if rules is not None:
        check_url(parsed, rules)  # before the dialect exists: no connection attempt yet
    accepted = CORE_OPTIONS | dialect_cls.accepted_options
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise exc.ConfigurationError(
            f"connect() got unknown option(s) {', '.join(unknown)} for {parsed.scheme}; "
            f"valid options: {', '.join(sorted(accepted))}"
        )
    echo = bool(options.pop("echo", False))
    cache_size = options.pop("compile_cache_size", 512)
    if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 0:
        raise exc.ConfigurationError(
            f"connect() option compile_cache_size must be an integer of 0 or more (0 caches no "
            f"statement), got {cache_size!r}"
        )
    dialect = dialect_cls(parsed, options)
    router = await open_replicas(dialect_cls, parsed.scheme, replicas, replica_retry_after, options)
    try:
        pool = await dialect.create_pool()
    except BaseException:
        if router is not None:
            await router.close()
        raise
    engine = Engine(dialect, pool, echo=echo, compile_cache_size=cache_size)
    engine._router = router
    global _default_engine
    _default_engine = engine
    _open_engines.append(engine)
    return engine


def _caught(dialect: Dialect) -> tuple[type[BaseException], ...]:
    """What a statement's call turns into KakaORM errors (evaluated only when one fails)."""
    return (*dialect.error_types, UnicodeEncodeError)


class Engine(TransactionMethods, RawSQLMethods, EventSource):
    """A connected database: runs statements, raw SQL and transactions.

    Created by :func:`kakaorm.connect`; models use the most recent one by default.
    """

    def __init__(
        self, dialect: Dialect, pool: DriverPool, *, echo: bool = False, compile_cache_size: int = 512
    ) -> None:
        self.dialect = dialect
        self.features = dialect.features
        self._pool = pool
        self._cache: dict[Hashable, CompiledEntry] = {}
        self._cache_size = compile_cache_size
        self._tx: ContextVar[TransactionState | None] = ContextVar(f"kakaorm_tx_{id(self)}", default=None)
        self._closed = False
        #: the read replicas (None: every statement runs on the primary pool)
        self._router: ReplicaRouter | None = None
        #: "primary" or "replica" on a view made by _routed() for QuerySet.using()
        self._route: str | None = None
        #: the statement event hooks (kakaorm.engine.events); empty: no event work at all
        self._listeners: tuple[Listener, ...] = ()
        if echo:
            enable_echo()

    def __repr__(self) -> str:
        if self._router is None:
            return f"<Engine {self.dialect.describe()}>"
        return f"<Engine {self.dialect.describe()} with {self._router!r}>"

    async def __aenter__(self) -> Engine:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.disconnect()

    def pool_stats(self) -> PoolStats:
        """Connections open, idle and lent out right now, in the primary's pool
        (each replica's: ``replica_pool_stats()``)."""
        return self._pool.stats()

    def replica_pool_stats(self) -> list[PoolStats | None]:
        """Each read replica's pool, in ``replicas`` order (None: not connected now)."""
        return [] if self._router is None else self._router.stats()

    def read_your_writes(self) -> ReadYourWrites:
        """A ``with`` / ``async with`` block in which this engine's reads go to the
        primary (see :func:`kakaorm.read_your_writes`, which pins every engine)."""
        return ReadYourWrites(self._router)

    def _routed(self, route: str) -> Engine:
        """A view of this engine whose reads go to ``route`` ("primary" or "replica")."""
        if self._router is None:
            return self
        view = copy.copy(self)
        view._route = route
        return view

    async def disconnect(self) -> None:
        """Close every connection. The engine cannot be used afterwards."""
        global _default_engine
        if self._closed:
            return
        self._closed = True
        if self in _open_engines:
            _open_engines.remove(self)
        if _default_engine is self:
            _default_engine = _open_engines[-1] if _open_engines else None
        try:
            if self._router is not None:
                await self._router.close()
        finally:
            await self._pool.close()

    # -- compiling ------------------------------------------------------------------
    def _prepare(self, stmt: Statement) -> tuple[CompiledEntry, list[Any]]:
        params: list[Param] = []
        key = stmt._key(params)
        entry = self._cache.get(key)
        if entry is None:
            entry = compile_entry(self.dialect, stmt, params)
            # One Param object met twice (a condition reused within a query) makes the
            # placeholder order found by identity ambiguous; such an entry would bind the
            # wrong values for other statements of this shape, so it is not cached.
            if len({id(p) for p in params}) == len(params):
                self._remember(key, entry)
        if entry.values_insert:
            return entry, entry.row_values(stmt.rows)  # type: ignore[attr-defined]
        return entry, entry.values(params)

    # -- running --------------------------------------------------------------------
    async def _run(
        self,
        call: Callable[[DriverConnection], Awaitable[T]],
        sql: str,
        values: Sequence[Any],
    ) -> T:
        state = self._tx.get()
        if state is not None and state.task is asyncio.current_task():
            if state.cancelled_at is not None:
                raise cancelled_statement_error("this transaction cannot go on")
            try:
                if self._listeners or log.isEnabledFor(logging.DEBUG):
                    return await self._call(state.conn, call, sql, values)
                try:  # unwatched: as below
                    return await call(state.conn)
                except _caught(self.dialect) as err:
                    raise self._error(err, sql, values) from err
            except asyncio.CancelledError:
                # caught by the caller (a timeout), the transaction could otherwise go on
                # and commit with or without this statement
                state.cancelled_at = state.depth
                raise
        if self._closed:
            raise exc.InterfaceError("this engine is disconnected; call kakaorm.connect() again")
        conn = await self._pool.acquire()
        discard = False
        try:
            if self._listeners or log.isEnabledFor(logging.DEBUG):
                return await self._call(conn, call, sql, values)
            # nobody watches (the usual case): called here, one coroutine fewer per statement
            try:
                return await call(conn)
            except _caught(self.dialect) as err:
                raise self._error(err, sql, values) from err
        except (asyncio.CancelledError, exc.InterfaceError):
            # the connection may be mid-statement: do not hand it to anyone else
            discard = True
            raise
        finally:
            await self._pool.release(conn, discard=discard)

    async def _call(
        self,
        conn: DriverConnection,
        call: Callable[[DriverConnection], Awaitable[T]],
        sql: str,
        values: Sequence[Any],
    ) -> T:
        listeners = self._listeners
        if listeners:
            before = emit_before(listeners, self.dialect.name, self.dialect.driver, sql, values)
        logging_on = log.isEnabledFor(logging.DEBUG)
        start = time.perf_counter() if logging_on or listeners else 0.0
        try:
            result = await call(conn)
        except _caught(self.dialect) as err:
            if logging_on and isinstance(err, self.dialect.error_types):
                # the failing statement is the one a reader of the log needs most
                log.debug(
                    "%s  %r  (%.2f ms, failed: %s)", sql, list(values),
                    (time.perf_counter() - start) * 1000, type(err).__name__,
                )
            error = self._error(err, sql, values)
            if listeners:
                emit_after(listeners, before, time.perf_counter() - start, None, error)
            raise error from err
        except asyncio.CancelledError:
            if listeners:
                emit_after(listeners, before, time.perf_counter() - start, None, cancelled=True)
            raise
        if logging_on:
            log.debug("%s  %r  (%.2f ms)", sql, list(values), (time.perf_counter() - start) * 1000)
        if listeners:
            emit_after(listeners, before, time.perf_counter() - start, rows_of(result))
        return result

    def _error(self, err: BaseException, sql: str, values: Sequence[Any]) -> exc.DatabaseError:
        """The KakaORM error for a driver's error (or a text the driver cannot encode)."""
        if isinstance(err, self.dialect.error_types):
            return self.dialect.translate_error(err, sql, values)
        # a driver encodes text before sending: a lone surrogate cannot be stored
        text = err.object[err.start:err.end]  # type: ignore[attr-defined]
        return exc.DataError(
            f"a text value holds {text!r}, which UTF-8 cannot encode "
            "(a lone surrogate, e.g. from bytes decoded with errors='surrogateescape'); "
            "nothing was sent: clean the text first",
            orig=err, statement=sql, params=list(values),
        )

    # The statement-level methods below are what the ORM (kakaorm.orm) runs its
    # statements with; they take statements, never models.
    async def _select(self, stmt: Select) -> tuple[CompiledEntry, Sequence[Sequence[Any]]]:
        """Run a SELECT; return its cache entry (result names, conversions) and raw rows."""
        entry, values = self._prepare(stmt)
        return entry, await self._fetch_compiled(entry, values, stmt.lock is not None)

    def _compiled(self, key: Hashable) -> CompiledEntry | None:
        """The cached entry of the statement whose ``_key()`` is ``key``, if compiled
        (or of another key given to :meth:`_remember`)."""
        return self._cache.get(key)

    def _remember(self, key: Hashable, entry: CompiledEntry) -> None:
        """Cache ``entry`` under ``key``, dropping the oldest entry when the cache is full
        (with ``compile_cache_size=0``, nothing is cached)."""
        if self._cache_size == 0:
            return
        cache = self._cache
        if len(cache) >= self._cache_size:
            cache.pop(next(iter(cache)))
        cache[key] = entry

    def _fetch_compiled(
        self, entry: CompiledEntry, values: Sequence[Any], locking: bool
    ) -> Awaitable[Sequence[Sequence[Any]]]:
        """Run a compiled SELECT with its bind ``values`` (``entry.values(params)``);
        ``locking``: it locks rows (so a router sends it to the primary)."""
        sql = entry.sql
        if self._router is None:
            return self._run(lambda c: c.fetch(sql, values), sql, values)
        return self._router.read(self, lambda c: c.fetch(sql, values), sql, values, locking)

    async def _execute_stmt(self, stmt: Statement) -> int:
        """Run an INSERT, UPDATE or DELETE; return the affected row count."""
        entry, values = self._prepare(stmt)
        sql = entry.sql
        return await self._run(lambda c: c.execute(sql, values), sql, values)

    def _key_returned(self) -> bool:
        """Whether a one-row INSERT reads its generated key from a RETURNING clause
        (rather than from what the driver reports)."""
        features = self.features
        return features.returning and not features.reported_insert_keys

    async def _insert(self, stmt: Insert, key_column: ColumnElement[Any] | None) -> Any:
        """Run a one-row INSERT; return the generated value of ``key_column`` if given."""
        returning = False
        if key_column is not None and self._key_returned():
            stmt.returning = (key_column,)
            returning = True
        entry, values = self._prepare(stmt)
        return await self._insert_compiled(entry, values, key_column is not None, returning)

    async def _insert_compiled(
        self, entry: CompiledEntry, values: Sequence[Any], wants_key: bool, returning: bool
    ) -> Any:
        """Run a compiled one-row INSERT with its bind ``values``; return the generated
        key if ``wants_key`` (``returning``: the INSERT was compiled with
        ``RETURNING key``, as :meth:`_key_returned` decides)."""
        sql = entry.sql
        if not wants_key:
            await self._run(lambda c: c.execute(sql, values), sql, values)
            return None
        if returning:
            rows = await self._run(lambda c: c.fetch(sql, values), sql, values)
            return rows[0][0]
        key = await self._run(lambda c: InsertedKey.of(c.execute_insert(sql, values), 1), sql, values)
        return key.value

    async def _insert_many(self, stmt: Insert, key_column: ColumnElement[Any] | None) -> list[Any]:
        """Run a multi-row INSERT; return the generated keys in row order if asked."""
        if key_column is None:
            await self._execute_stmt(stmt)
            return []
        n = len(stmt.rows)
        features = self.features
        if features.returning and not (features.reported_insert_keys and features.consecutive_insert_keys):
            stmt.returning = (key_column,)
            entry, values = self._prepare(stmt)
            sql = entry.sql
            rows = await self._run(lambda c: c.fetch(sql, values), sql, values)
            return [r[0] for r in rows]
        entry, values = self._prepare(stmt)
        sql = entry.sql
        key = await self._run(lambda c: InsertedKey.of(c.execute_insert(sql, values), n), sql, values)
        first = key.value
        return list(range(first, first + n))

    async def _run_ddl(self, statements: Sequence[str], what: str = "") -> None:
        """Run DDL statements: atomically where the database has transactional DDL;
        elsewhere, a failure says which statement failed and what already ran."""
        if self.features.transactional_ddl:
            async with self.transaction():
                for sql in statements:
                    await self._run(lambda c, s=sql: c.execute(s, ()), sql, ())  # type: ignore[misc]
            return
        state = self._tx.get()
        if state is not None and state.task is asyncio.current_task():
            raise exc.QueryError(
                f"{what or 'DDL'} cannot run inside engine.transaction() on "
                f"{self.dialect.name}: the database commits the open transaction before any "
                "DDL, so the block could no longer roll back. Run it before or after the block"
            )
        done: list[str] = []
        for i, sql in enumerate(statements, 1):
            try:
                await self._run(lambda c, s=sql: c.execute(s, ()), sql, ())  # type: ignore[misc]
            except exc.DatabaseError as err:
                if len(statements) > 1:
                    already = "; ".join(done) if done else "nothing"
                    err.args = (
                        f"{what or 'DDL'}: statement {i} of {len(statements)} failed: {err.args[0]}. "
                        f"This database has no transactional DDL; already executed: {already}",
                    )
                raise
            done.append(sql)

    # -- schema ---------------------------------------------------------------------
    async def create_table(self, *tables: TableLike, if_not_exists: bool = True) -> None:
        """CREATE TABLE (and its indexes) for each table: a model class, or anything
        else that describes a table (:class:`~kakaorm.schema.TableSource`,
        :class:`~kakaorm.schema.TableSchema`).

        Args:
            if_not_exists: leave an existing table as it is (the default); False makes
                an existing table an error (``ProgrammingError``).
        """
        compiler = self.dialect.compiler
        for table in tables:
            schema = compiler.describe_table(table)
            check_table_features(self.dialect, schema)
            await self._run_ddl(compiler.create_table(schema, if_not_exists), f"create_table({schema.label})")

    async def create_archive_table(self, *tables: ArchiveTableSource, if_not_exists: bool = True) -> None:
        """CREATE TABLE ``archive_<table>`` for each ArchiveModel (see :meth:`create_table`)."""
        for table in tables:
            if not isinstance(table, ArchiveTableSource):
                raise TypeError(f"create_archive_table() takes ArchiveModel subclasses, got {table!r}")
            await self.create_table(table.__archive_table_schema__(), if_not_exists=if_not_exists)

    async def drop_table(self, *tables: TableLike, if_exists: bool = True, cascade: bool = False) -> None:
        """DROP TABLE for each table (a model class, ...), in the order given.

        Args:
            if_exists: a missing table is no error (the default).
            cascade: also drop the foreign keys of other tables that reference it
                (their rows stay); on PostgreSQL also the views that use it. Without
                it, dropping a referenced table raises ``IntegrityError`` on every
                backend. SQLite cannot drop such keys alone: there, ``cascade=True`` on
                a referenced table is a QueryError.
        """
        compiler = self.dialect.compiler
        for table in tables:
            schema = compiler.describe_table(table)
            referenced_by: list[tuple[str, str]] = []
            query = compiler.referencing_foreign_keys(schema, cascade)
            if query is not None:
                sql, values = query
                rows = await self._run(lambda c: c.fetch(sql, values), sql, values)  # noqa: B023 - awaited here
                referenced_by = [(str(r[0]), str(r[1])) for r in rows]
            statements = compiler.drop_table(
                schema, if_exists=if_exists, cascade=cascade, referenced_by=referenced_by
            )
            await self._run_ddl(statements, f"drop_table({schema.label})")

    async def truncate(self, *tables: TableLike, restart_identity: bool = True) -> None:
        """Delete every row of each table (a model class, ...).

        Args:
            restart_identity: also restart the generated keys at 1 (the default).
                False keeps counting from the highest key handed out; on MySQL,
                whose TRUNCATE always restarts, that is a ``DELETE FROM``.
        """
        compiler = self.dialect.compiler
        for table in tables:
            schema = compiler.describe_table(table)
            await self._run_ddl(compiler.truncate(schema, restart_identity), f"truncate({schema.label})")
