"""The engine: compiles statements (cached by shape), runs them through the dialect's
driver adapter, owns transactions, and logs every statement."""

from __future__ import annotations

import asyncio
import contextlib
import decimal
import logging
import sys
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Hashable, Iterator, Sequence, TypeVar

from kakaorm import exc
from kakaorm.orm.columns import Column, utcnow
from kakaorm.engine.registry import load_dialect
from kakaorm.url import check_url, parse_url
from kakaorm.dialect import Dialect, DriverConnection, DriverPool, PoolStats, Processor
from kakaorm.compiler.ddl import TableLike
from kakaorm.expr import Param
from kakaorm.schema import ArchiveTableSource
from kakaorm.statements import Insert, Select, Statement

if TYPE_CHECKING:
    from kakaorm.orm.model import Model

__all__ = ["Engine", "Transaction", "connect", "get_engine"]

log = logging.getLogger("kakaorm.sql")
T = TypeVar("T")
M = TypeVar("M", bound="Model")

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


async def connect(url: str, /, **options: Any) -> Engine:
    """Open a database and make it the default engine of every model.

    Args:
        url: ``backend[+driver]://...``, e.g. ``"sqlite+aiosqlite:///./app.db"``,
            ``"postgresql+asyncpg://user@localhost/app"``.
        echo: print every statement (via the ``kakaorm.sql`` logger).
        **options: pool and driver options of the dialect (``pool_min_size``,
            ``pool_max_size``, ``pool_timeout``, ``connect_timeout``, ...).

    Returns:
        The Engine, also usable as ``async with await kakaorm.connect(url) as engine:``.

    Raises:
        InvalidURLError: the URL cannot be parsed.
        NoSuchDialectError: no installed plugin serves the scheme (says what to install).
        DriverNotInstalledError: the plugin's driver package is missing.
        OperationalError: the database cannot be reached.

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
    cache_size = int(options.pop("compile_cache_size", 512))
    dialect = dialect_cls(parsed, options)
    pool = await dialect.create_pool()
    engine = Engine(dialect, pool, echo=echo, compile_cache_size=cache_size)
    global _default_engine
    _default_engine = engine
    _open_engines.append(engine)
    return engine


class CompiledEntry:
    """A compiled statement kept in the cache, with everything needed to run it again."""

    __slots__ = (
        "sql", "perm", "bind_procs", "result_names", "result_procs", "values_insert",
        "row_procs", "_hydrators", "result_sources", "result_kinds",
    )

    def __init__(
        self,
        sql: str,
        perm: list[int] | None,
        bind_procs: list[Processor | None] | None,
        result_names: list[str],
        result_procs: list[Processor | None] | None,
    ) -> None:
        self.sql = sql
        self.perm = perm
        self.bind_procs = bind_procs
        self.result_names = result_names
        self.result_procs = result_procs
        #: an INSERT ... VALUES whose rows carry plain values (converted per column)
        self.values_insert = False
        self.row_procs: list[Processor | None] | None = None
        self._hydrators: dict[type, Callable[[Sequence[Sequence[Any]]], list[Any]]] = {}
        #: for error messages: (table, column) of each result column; column None
        #: for a computed value, table the query's own
        self.result_sources: list[tuple[str, str | None]] = []
        self.result_kinds: list[str] = []

    def values(self, params: list[Param]) -> list[Any]:
        """The bind values for ``params`` (in cache-key order), in placeholder order."""
        values = [p.value for p in params]
        if self.perm is not None:
            values = [values[i] for i in self.perm]
        procs = self.bind_procs
        if procs is not None:
            values = [v if f is None or v is None else f(v) for v, f in zip(values, procs)]
        return values

    def row_values(self, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """The bind values of an INSERT's plain rows, flattened and converted per column."""
        procs = self.row_procs
        if procs is None:
            return [v for row in rows for v in row]
        out: list[Any] = []
        append = out.append
        for row in rows:
            for v, f in zip(row, procs):
                append(v if f is None or v is None else f(v))
        return out

    def process_rows(self, rows: Sequence[Sequence[Any]]) -> Sequence[Sequence[Any]]:
        """Apply the result conversions to every row (rows unchanged when none apply)."""
        procs = self.result_procs
        if procs is None:
            return rows
        todo = [(i, f) for i, f in enumerate(procs) if f is not None]
        out = []
        try:
            for row in rows:
                r = list(row)
                for i, f in todo:
                    v = r[i]
                    if v is not None:
                        r[i] = f(v)
                out.append(r)
        except Exception as err:
            unreadable = self.unreadable_value(rows)
            if unreadable is None:
                raise
            raise unreadable from err
        return out

    def hydrate_models(self, model: type[M], rows: Sequence[Sequence[Any]]) -> list[M]:
        """Build model instances from rows of the model's own columns."""
        hydrate = self._hydrators.get(model)
        if hydrate is None:
            from kakaorm.orm.hydrate import model_hydrator

            hydrate = model_hydrator(model, self.result_names, self.result_procs)
            self._hydrators[model] = hydrate
        try:
            return hydrate(rows)
        except Exception as err:
            # a try block costs nothing until it catches: the rows that read are untouched
            unreadable = self.unreadable_value(rows)
            if unreadable is None:
                raise
            raise unreadable from err

    def unreadable_value(self, rows: Sequence[Sequence[Any]]) -> exc.DataError | None:
        """The DataError for the first stored value of ``rows`` that its column's
        conversion refuses (naming table, column and value), or None if all read."""
        procs = self.result_procs or []
        for row in rows:
            for i, f in enumerate(procs):
                v = row[i]
                if f is None or v is None:
                    continue
                try:
                    f(v)
                except Exception as err:  # noqa: BLE001 - any refusal is reported the same way
                    return self._unreadable_error(i, v, err)
        return None

    def _unreadable_error(self, index: int, value: Any, err: Exception) -> exc.DataError:
        table, column = self.result_sources[index] if index < len(self.result_sources) else ("?", None)
        kind = self.result_kinds[index] if index < len(self.result_kinds) else "value"
        reason = f"decimal.{type(err).__name__}" if isinstance(err, decimal.DecimalException) else str(err)
        shown = repr(value)
        if len(shown) > 200:
            shown = shown[:197] + "..."
        if column is not None:
            where = f"cannot read column {column!r} of table {table!r}: the stored value"
        else:
            where = f"cannot read result {self.result_names[index]!r} of a query on table {table!r}: the value"
        return exc.DataError(
            f"{where} {shown} is not a {kind} ({reason or type(err).__name__}). It was not "
            "written by KakaORM in a form it reads; correct the stored value "
            "(e.g. with engine.execute('UPDATE ...'))",
            orig=err,
            statement=self.sql,
        )

    def hydrate_dicts(self, rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
        """Rows as dicts keyed by the result names."""
        names = self.result_names
        return [dict(zip(names, row)) for row in self.process_rows(rows)]


def _result_source(stmt: Select, expr: Any) -> tuple[str, str | None]:
    """(table, column) a result column reads, column None for a computed value."""
    if isinstance(expr, Column) and expr.model is not None:
        return expr.model._meta.table_name, expr.name
    meta = getattr(stmt.model, "_meta", None)
    return (meta.table_name if meta is not None else "?"), None


class _TxState:
    __slots__ = ("conn", "task", "depth", "broken", "cancelled_at")

    def __init__(self, conn: DriverConnection, task: asyncio.Task[Any] | None) -> None:
        self.conn = conn
        self.task = task
        self.depth = 0
        #: a savepoint could not be rolled back: discard the connection at the end
        self.broken = False
        #: the depth of the block in which a statement was cancelled: whether it took
        #: effect is unknown, so that block can only roll back (None: no such statement)
        self.cancelled_at: int | None = None


def _cancelled_statement_error(outcome: str) -> exc.OperationalError:
    return exc.OperationalError(
        f"{outcome}: a statement of this transaction was cancelled (task.cancel() or a "
        "timeout) while the database ran it, so whether it took effect is unknown. Leave "
        "the `async with engine.transaction()` block (it rolls back) and retry the whole "
        "transaction"
    )


class Engine:
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
        self._tx: ContextVar[_TxState | None] = ContextVar(f"kakaorm_tx_{id(self)}", default=None)
        self._closed = False
        if echo:
            _enable_echo()

    def __repr__(self) -> str:
        return f"<Engine {self.dialect.describe()}>"

    async def __aenter__(self) -> Engine:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.disconnect()

    def pool_stats(self) -> PoolStats:
        """Connections open, idle and lent out right now."""
        return self._pool.stats()

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
        await self._pool.close()

    # -- compiling ------------------------------------------------------------------
    def _prepare(self, stmt: Statement) -> tuple[CompiledEntry, list[Any]]:
        params: list[Param] = []
        key = stmt._key(params)
        entry = self._cache.get(key)
        if entry is None:
            entry = self._compile(stmt, params)
            # One Param object met twice (a condition reused within a query) makes the
            # placeholder order found by identity ambiguous; such an entry would bind the
            # wrong values for other statements of this shape, so it is not cached.
            if len({id(p) for p in params}) == len(params):
                if len(self._cache) >= self._cache_size:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[key] = entry
        if entry.values_insert:
            return entry, entry.row_values(stmt.rows)  # type: ignore[attr-defined]
        return entry, entry.values(params)

    def _compile(self, stmt: Statement, key_params: list[Param]) -> CompiledEntry:
        compiled = self.dialect.compiler.compile(stmt)
        position = {id(p): i for i, p in enumerate(key_params)}
        perm = [position[id(p)] for p in compiled.params]
        dialect = self.dialect
        bind_procs = [None if p.type is None else dialect.bind_processor(p.type) for p in compiled.params]
        result_procs = [
            None if t is None else dialect.result_processor(t, plain)
            for t, plain in zip(compiled.result_types, compiled.plain_columns)
        ]
        entry = CompiledEntry(
            compiled.sql,
            None if perm == list(range(len(key_params))) else perm,
            bind_procs if any(f is not None for f in bind_procs) else None,
            compiled.result_names,
            result_procs if any(f is not None for f in result_procs) else None,
        )
        if isinstance(stmt, Select):
            entry.result_sources = [_result_source(stmt, c) for c in stmt.columns]
            entry.result_kinds = [t.kind if t is not None else "value" for t in compiled.result_types]
        if isinstance(stmt, Insert) and stmt.from_select is None and stmt.columns:
            entry.values_insert = True
            row_procs = [dialect.bind_processor(c.type) for c in stmt.columns]
            entry.row_procs = row_procs if any(f is not None for f in row_procs) else None
        return entry

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
                raise _cancelled_statement_error("this transaction cannot go on")
            try:
                return await self._call(state.conn, call, sql, values)
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
            return await self._call(conn, call, sql, values)
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
        logging_on = log.isEnabledFor(logging.DEBUG)
        start = time.perf_counter() if logging_on else 0.0
        try:
            result = await call(conn)
        except self.dialect.error_types as err:
            if logging_on:
                # the failing statement is the one a reader of the log needs most
                log.debug(
                    "%s  %r  (%.2f ms, failed: %s)", sql, list(values),
                    (time.perf_counter() - start) * 1000, type(err).__name__,
                )
            raise self.dialect.translate_error(err, sql, values) from err
        except UnicodeEncodeError as err:
            # a driver encodes text before sending: a lone surrogate cannot be stored
            raise exc.DataError(
                f"a text value holds {err.object[err.start:err.end]!r}, which UTF-8 cannot encode "
                "(a lone surrogate, e.g. from bytes decoded with errors='surrogateescape'); "
                "nothing was sent: clean the text first",
                orig=err, statement=sql, params=list(values),
            ) from err
        if logging_on:
            log.debug("%s  %r  (%.2f ms)", sql, list(values), (time.perf_counter() - start) * 1000)
        return result

    async def _select(self, stmt: Select) -> tuple[CompiledEntry, Sequence[Sequence[Any]]]:
        entry, values = self._prepare(stmt)
        sql = entry.sql
        rows = await self._run(lambda c: c.fetch(sql, values), sql, values)
        return entry, rows

    async def _execute_stmt(self, stmt: Statement) -> int:
        entry, values = self._prepare(stmt)
        sql = entry.sql
        return await self._run(lambda c: c.execute(sql, values), sql, values)

    async def _insert(self, stmt: Insert, key_column: Column[Any] | None) -> Any:
        """Run an INSERT; return the generated value of ``key_column`` if given."""
        if key_column is None:
            await self._execute_stmt(stmt)
            return None
        if self.features.returning:
            stmt.returning = (key_column,)
            entry, values = self._prepare(stmt)
            sql = entry.sql
            rows = await self._run(lambda c: c.fetch(sql, values), sql, values)
            return rows[0][0]
        entry, values = self._prepare(stmt)
        sql = entry.sql
        return await self._run(lambda c: c.execute_insert(sql, values), sql, values)

    async def _insert_many(self, stmt: Insert, key_column: Column[Any] | None) -> list[Any]:
        """Run a multi-row INSERT; return the generated keys in row order if asked."""
        if key_column is None:
            await self._execute_stmt(stmt)
            return []
        n = len(stmt.rows)
        if self.features.returning:
            stmt.returning = (key_column,)
            entry, values = self._prepare(stmt)
            sql = entry.sql
            rows = await self._run(lambda c: c.fetch(sql, values), sql, values)
            return [r[0] for r in rows]
        entry, values = self._prepare(stmt)
        sql = entry.sql
        first = await self._run(lambda c: c.execute_insert(sql, values), sql, values)
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

    # -- raw SQL --------------------------------------------------------------------
    async def fetch(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Run a raw query with ``%s`` placeholders; return the rows as dicts.

        ``%%`` is a literal percent sign. Values are always bound, never pasted.
        """
        text, values = self._raw(sql, params)
        names, rows = await self._run(lambda c: c.fetch_described(text, values), text, values)
        return [dict(zip(names, row)) for row in rows]

    async def execute(self, sql: str, params: Sequence[Any] | None = None) -> int:
        """Run a raw statement with ``%s`` placeholders; return the affected row count."""
        text, values = self._raw(sql, params)
        return await self._run(lambda c: c.execute(text, values), text, values)

    async def fetchval(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """Run a raw query; return the first column of the first row (None if no row)."""
        text, values = self._raw(sql, params)
        rows = await self._run(lambda c: c.fetch(text, values), text, values)
        return rows[0][0] if rows else None

    def _raw(self, sql: str, params: Sequence[Any] | None) -> tuple[str, list[Any]]:
        text, placeholders = self.dialect.compiler.raw_statement(sql)
        values = self._raw_values(params)
        if placeholders != len(values):
            raise exc.QueryError(
                f"raw SQL has {placeholders} %s placeholder(s) but {len(values)} parameter(s) "
                "were given; pass one value per %s (write a literal percent sign as %%)"
            )
        return text, values

    def _raw_values(self, params: Sequence[Any] | None) -> list[Any]:
        if params is None:
            return []
        if isinstance(params, (str, bytes)) or not isinstance(params, Sequence):
            raise TypeError("raw SQL parameters are a list or tuple, e.g. [42] or ('a', 1)")
        dialect = self.dialect
        out = []
        for value in params:
            p = Param(value)
            proc = dialect.bind_processor(p.type) if p.type is not None and value is not None else None
            out.append(proc(value) if proc is not None else value)
        return out

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
                rows = await self._run(lambda c: c.fetch(sql, values), sql, values)
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

    # -- transactions ---------------------------------------------------------------
    def transaction(self) -> Transaction:
        """``async with engine.transaction():`` commits on success, rolls back on error.

        Nested blocks are savepoints. The transaction belongs to the task that opened
        it: statements of other tasks never run inside it.
        """
        return Transaction(self)


class Transaction:
    """An ``async with`` transaction block; see :meth:`Engine.transaction`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._state: _TxState | None = None
        self._savepoint: str | None = None
        self._token: Any = None

    async def __aenter__(self) -> Transaction:
        engine = self._engine
        task = asyncio.current_task()
        state = engine._tx.get()
        if state is not None and state.task is task:
            if state.cancelled_at is not None:
                raise _cancelled_statement_error("this transaction cannot go on")
            state.depth += 1
            self._state = state
            self._savepoint = f"kakaorm_sp_{state.depth}"
            try:
                await self._exec(engine.dialect.compiler.savepoint(self._savepoint))
            except BaseException as err:
                state.depth -= 1
                if isinstance(err, asyncio.CancelledError):
                    # the savepoint may still be made: the enclosing block cannot go on
                    state.cancelled_at = state.depth
                raise
            return self
        if engine._closed:
            raise exc.InterfaceError("this engine is disconnected; call kakaorm.connect() again")
        conn = await engine._pool.acquire()
        try:
            await engine._call(conn, lambda c: c.begin(), "BEGIN", ())
        except BaseException:
            await engine._pool.release(conn, discard=True)
            raise
        self._state = _TxState(conn, task)
        self._token = engine._tx.set(self._state)
        return self

    async def _exec(self, sql: str) -> None:
        assert self._state is not None
        await self._engine._call(self._state.conn, lambda c: c.execute(sql, ()), sql, ())

    async def __aexit__(self, exc_type: type[BaseException] | None, exc_value: object, tb: object) -> bool:
        engine = self._engine
        state = self._state
        assert state is not None
        compiler = engine.dialect.compiler
        # a block left normally after one of its statements was cancelled rolls back
        # (and says why) rather than keep a change that may or may not have been made
        cancelled = exc_type is None and state.cancelled_at is not None
        if self._savepoint is not None:
            state.depth -= 1
            if exc_type is None and not cancelled:
                await self._exec(compiler.release_savepoint(self._savepoint))
                return False
            try:
                await self._exec(compiler.rollback_to_savepoint(self._savepoint))
                await self._exec(compiler.release_savepoint(self._savepoint))
            except asyncio.CancelledError:
                # the task was cancelled while rolling back: the cancel wins over the
                # error that ended the block (swallowing it would let the task go on as
                # if never cancelled); whether the rollback ran is unknown, so the outer
                # block cannot commit and discards the connection
                state.broken = True
                state.cancelled_at = state.depth
                raise
            except BaseException:
                # the error that ended the block is what the caller must see; the
                # connection's state is unknown now, so the outer block discards it
                state.broken = True
                if cancelled:
                    raise _cancelled_statement_error("this transaction cannot go on") from None
            else:
                if state.cancelled_at is not None and state.cancelled_at > state.depth:
                    state.cancelled_at = None  # the cancelled statement is undone
                if cancelled:
                    raise _cancelled_statement_error("the nested block was rolled back to its savepoint")
            return False
        conn = state.conn
        discard = state.broken
        try:
            with contextlib.suppress(ValueError):
                # ValueError: the block is being closed from another context (an async
                # generator finalised elsewhere); the connection must still be released
                engine._tx.reset(self._token)
            if exc_type is None and not cancelled:
                try:
                    await engine._call(conn, lambda c: c.commit(), "COMMIT", ())
                except BaseException:
                    discard = True
                    raise
            else:
                try:
                    await engine._call(conn, lambda c: c.rollback(), "ROLLBACK", ())
                except asyncio.CancelledError:
                    discard = True
                    raise
                except BaseException:
                    # the original error matters more; a connection that cannot roll
                    # back is closed rather than reused
                    discard = True
                if cancelled:
                    raise _cancelled_statement_error("the transaction was rolled back, not committed")
        finally:
            await engine._pool.release(conn, discard=discard)
        return False


async def bulk_insert(model: type[M], objects: Sequence[M], batch_size: int | None) -> list[M]:
    """INSERT many instances of one model in batches of multi-row statements."""
    from kakaorm.orm.model import PK_KEY

    check_batch_size("bulk_create", batch_size)
    objs = list(objects)
    for obj in objs:
        if type(obj) is not model:
            raise TypeError(
                f"{model.__name__}.bulk_create() takes {model.__name__} instances, got {obj!r}"
            )
        if obj.__dict__.get(PK_KEY) is not None:
            raise exc.QueryError(f"bulk_create(): {obj!r} is already saved; use save() to update it")
    # the very instances (and list) given come back, filled in
    result = objects if isinstance(objects, list) else objs
    if not objs:
        return result
    engine = model._engine()
    meta = model._meta
    pk = meta.pk
    now = utcnow()
    for obj in objs:
        d = obj.__dict__
        for col in meta.auto_now_add:
            if d.get(col.name) is None:
                d[col.name] = now
        for col in meta.auto_now:
            d[col.name] = now
    # rows that let the database generate the key, and rows that bring their own
    generated = [o for o in objs if pk.auto_increment and o.__dict__.get(pk.name) is None]
    given = [o for o in objs if not (pk.auto_increment and o.__dict__.get(pk.name) is None)]
    features = engine.features
    # every row's values are read (type-checked and validated) before the first
    # statement, so an instance that is refused leaves nothing written
    planned: list[tuple[bool, list[Column[Any]], list[tuple[list[M], list[list[Any]]]]]] = []
    for group, with_key in ((generated, True), (given, False)):
        if not group:
            continue
        columns = [c for c in meta.column_list if not (with_key and c is pk)]
        per_batch = max(1, features.max_params // max(1, len(columns)))
        if batch_size is not None:
            per_batch = min(per_batch, batch_size)
        per_batch = min(per_batch, 1000)
        if with_key and not features.returning and not features.consecutive_insert_keys:
            # only a single-row INSERT reports its key exactly
            per_batch = 1
        planned.append((with_key, columns, list(_batches(group, columns, per_batch, features.max_statement_bytes))))
    async with engine.transaction():
        for with_key, columns, batches in planned:
            for batch, rows in batches:
                stmt = Insert(model, columns, rows)
                keys = await engine._insert_many(stmt, pk if with_key else None)
                for obj, key in zip(batch, keys if with_key else [None] * len(batch)):
                    if with_key:
                        obj.__dict__[pk.name] = key
                    obj.__dict__[PK_KEY] = obj.__dict__[pk.name]
    return result


def check_batch_size(action: str, batch_size: int | None) -> None:
    """ValueError unless ``batch_size`` is None or a positive int (bulk_create/bulk_update)."""
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"{action}(batch_size=...) must be a positive int, got {batch_size!r}")


def _batches(
    objs: list[M], columns: Sequence[Column[Any]], per_batch: int, max_bytes: int | None,
    row_overhead: int = 0,
) -> Iterator[tuple[list[M], list[list[Any]]]]:
    """Split instances into batches of at most ``per_batch`` rows and, when the
    database limits statement size, of values that fit ``max_bytes`` (each row also
    counting ``row_overhead`` bytes of statement text and extra values)."""
    if max_bytes is None:
        for start in range(0, len(objs), per_batch):
            chunk = objs[start : start + per_batch]
            yield chunk, [o._row_values(columns) for o in chunk]
        return
    # a pessimistic size of each value written out as a literal: text may double
    # when escaped; numbers, dates and NULL stay well under 64 bytes
    text_columns = [i for i, c in enumerate(columns) if c.sql_type.kind == "str"]
    fixed = 64 * (len(columns) - len(text_columns)) + row_overhead
    budget = max_bytes - 4096  # the statement's own text: names, VALUES, RETURNING
    batch: list[M] = []
    rows: list[list[Any]] = []
    size = 0
    for obj in objs:
        row = obj._row_values(columns)
        n = fixed
        for i in text_columns:
            v = row[i]
            if isinstance(v, str):
                n += 2 * (len(v) if v.isascii() else len(v.encode("utf-8", "surrogatepass"))) + 3
            else:
                n += 64
        if batch and (len(batch) >= per_batch or size + n > budget):
            yield batch, rows
            batch, rows, size = [], [], 0
        batch.append(obj)
        rows.append(row)
        size += n
    if batch:
        yield batch, rows


class _EchoHandler(logging.Handler):
    """Writes to the current ``sys.stderr`` (not the one that existed at connect time,
    which test runners and notebooks replace)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - logging never breaks the caller
            self.handleError(record)


def _enable_echo() -> None:
    log.setLevel(logging.DEBUG)
    if not any(isinstance(h, _EchoHandler) for h in log.handlers):
        handler = _EchoHandler()
        handler.setFormatter(logging.Formatter("[kakaorm.sql] %(message)s"))
        log.addHandler(handler)
