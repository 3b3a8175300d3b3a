"""The compiled-statement cache: a statement compiled once per shape, with the value
conversions its parameters and result columns need.

The engine keys its cache by ``Statement._key(params)`` (the statement's shape, with
the values collected into ``params``); a :class:`CompiledEntry` holds what running
that shape again needs: the SQL, the order of the values, and the conversions.
"""

from __future__ import annotations

import decimal
import gc
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from kakaorm import exc
from kakaorm.dialect import Dialect, Processor
from kakaorm.expr import Param, ParamList
from kakaorm.expr.columns import ColumnElement
from kakaorm.schema import TableSchema
from kakaorm.statements import Insert, Select, Statement
from kakaorm.types import SQLType

__all__ = [
    "GC_PAUSE_ROWS", "CompiledEntry", "RowsBuilder", "arrays_not_supported", "build_paused", "check_table_features",
    "compile_entry",
]

_T = TypeVar("_T")

#: A build of at least this many rows runs with the cyclic garbage collector paused
#: (CPython's default young-generation threshold: a smaller build triggers at most one
#: collection anyway). None: never pause. Assign ``kakaorm.engine.cache.GC_PAUSE_ROWS``
#: to change it for the process (see docs/production.md).
GC_PAUSE_ROWS: int | None = 700

#: turns a batch of result rows into objects (e.g. the ORM's model hydrators)
RowsBuilder = Callable[[Sequence[Sequence[Any]]], list[Any]]


def build_paused(count: int, build: Callable[..., _T], *args: Any) -> _T:
    """``build(*args)``, run with the cyclic garbage collector paused when it makes ``count``
    objects and ``count`` reaches :data:`GC_PAUSE_ROWS` (see
    :meth:`CompiledEntry.build_rows`).

    The collector is on again afterwards, also when ``build`` fails. When it was off
    before the build, it is left alone. The switch is the process's own, not the
    thread's: code that turns the collector off while a build runs (another thread, a
    validator) finds it on again when the build ends; such an application sets
    :data:`GC_PAUSE_ROWS` to None."""
    limit = GC_PAUSE_ROWS
    if limit is None or count < limit or not gc.isenabled():
        return build(*args)
    gc.disable()
    try:
        return build(*args)
    finally:
        gc.enable()


class CompiledEntry:
    """A compiled statement kept in the cache, with everything needed to run it again."""

    __slots__ = (
        "_builders",
        "bind_procs",
        "perm",
        "result_kinds",
        "result_names",
        "result_procs",
        "result_sources",
        "row_procs",
        "sql",
        "values_insert",
    )

    def __init__(
        self,
        sql: str,
        perm: list[int | slice] | None,
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
        self._builders: dict[Hashable, RowsBuilder] = {}
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
        if len(rows) == 1:  # one instance's save(): no pass per column
            if procs is None:
                return list(rows[0])
            return [v if f is None or v is None else f(v) for v, f in zip(rows[0], procs)]
        out = [v for row in rows for v in row]
        if procs is None:
            return out
        # column by column: a column without a conversion costs nothing per value
        n = len(procs)
        for i, f in enumerate(procs):
            if f is not None:
                out[i::n] = [None if v is None else f(v) for v in out[i::n]]
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

    def build_rows(
        self,
        key: Hashable,
        make: Callable[[Any, Sequence[str], Sequence[Processor | None] | None], RowsBuilder],
        rows: Sequence[Sequence[Any]],
    ) -> list[Any]:
        """Turn ``rows`` into objects with the builder ``make(key, result_names,
        result_procs)``, made once per entry and ``key`` and then reused.

        The builder applies the result conversions itself (so it can do it in the
        same pass that builds each object); a stored value a conversion refuses
        becomes the :class:`~kakaorm.exc.DataError` of :meth:`unreadable_value`.

        A large batch is built with the cyclic garbage collector paused. The objects
        built form no cycles, yet CPython would otherwise run a young collection every
        700 of them, and each of those moves the survivors along and brings a full
        collection of the whole heap nearer. Measured on PostgreSQL, ten fetches of
        20,000 instances: 749 young, 68 middle and 6 full collections (103 ms) with the
        collector running, 236, 22 and 2 (51 ms) with it paused during the builds. See
        :func:`build_paused` for when the collector is turned back on.
        """
        build = self._builders.get(key)
        if build is None:
            build = make(key, self.result_names, self.result_procs)
            self._builders[key] = build
        try:
            limit = GC_PAUSE_ROWS
            if limit is None or len(rows) < limit:  # the usual small result
                return build(rows)
            return build_paused(len(rows), build, rows)
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


def result_source(stmt: Select, expr: Any) -> tuple[str, str | None]:
    """(table, column) a result column reads, column None for a computed value."""
    if isinstance(expr, ColumnElement) and expr.table is not None:
        return expr.table.table_name, expr.name
    return (stmt.table.table_name if stmt.table is not None else "?"), None


def arrays_not_supported(dialect: Dialect, subject: str) -> exc.NotSupportedError:
    """The error for ``subject`` (an array column or value) on a dialect without arrays."""
    return exc.NotSupportedError(
        f"{subject} needs a database with native arrays, such as PostgreSQL; the "
        f"{dialect.name}+{dialect.driver} dialect has none (DialectFeatures.arrays is False): "
        "store the list in a JSONColumn instead"
    )


def check_table_features(dialect: Dialect, schema: TableSchema) -> None:
    """Refuse a table ``dialect`` cannot create (an array column without arrays).

    Raises:
        NotSupportedError: naming the column and what to use instead.
    """
    if dialect.features.arrays:
        return
    for column in schema.columns:
        if column.type.kind == "array":
            raise arrays_not_supported(dialect, f"{schema.label}.{column.name} is an ArrayColumn, which")


def bind_processor(dialect: Dialect, sql_type: SQLType) -> Processor | None:
    """The dialect's bind processor for ``sql_type``, after the type's own Python-side
    conversion when it has one (an enum member becomes its value)."""
    proc = dialect.bind_processor(sql_type)
    if not sql_type.converts:
        return proc
    to_db = sql_type.to_db
    if proc is None:
        return to_db
    return lambda v: proc(to_db(v))


def result_processor(dialect: Dialect, sql_type: SQLType, plain: bool) -> Processor | None:
    """The dialect's result processor for ``sql_type``, followed by the type's own
    Python-side conversion when it has one (a stored value becomes an enum member)."""
    proc = dialect.result_processor(sql_type, plain)
    if not sql_type.converts:
        return proc
    from_db = sql_type.from_db
    if proc is None:
        return from_db
    return lambda v: from_db(proc(v))


def _position_of(param: Param, position: dict[int, int], key_params: list[Param]) -> int | slice:
    """Where ``param``'s value sits among the key's values: a ParamList takes the run
    of its members' values, which its IN list's key collected one after another.

    ``position`` holds each Param's last place; a member also used elsewhere in the
    statement (``value()`` objects reused) may sit later than its run, which is then
    looked for from the start.
    """
    if not isinstance(param, ParamList):
        return position[id(param)]
    members = param.members
    first = members[0]
    start = position[id(first)]
    if not _run_at(key_params, start, members):
        start = next(
            (i for i, p in enumerate(key_params) if p is first and _run_at(key_params, i, members)), -1
        )
        if start < 0:
            raise exc.QueryError("a ParamList's members must be keyed one after another (an IN list of values)")
    return slice(start, start + len(members))


def _run_at(key_params: list[Param], start: int, members: Sequence[Param]) -> bool:
    """True when ``members`` are ``key_params[start:]``'s first ones, in order."""
    if start + len(members) > len(key_params):
        return False
    return all(key_params[start + j] is m for j, m in enumerate(members))


def compile_entry(dialect: Dialect, stmt: Statement, key_params: list[Param]) -> CompiledEntry:
    """Compile ``stmt`` with ``dialect`` into a cache entry.

    ``key_params`` are the parameters in the order ``stmt._key()`` collected them;
    the entry remembers how to reorder their values into placeholder order.
    """
    compiled = dialect.compiler.compile(stmt)
    if not dialect.features.arrays:
        row_types = [c.type for c in stmt.columns] if isinstance(stmt, Insert) else []
        for t in (*(p.type for p in compiled.params), *compiled.result_types, *row_types):
            if t is not None and t.kind == "array":
                raise arrays_not_supported(dialect, f"an ArrayColumn ({t.label})")
    position = {id(p): i for i, p in enumerate(key_params)}
    perm = [_position_of(p, position, key_params) for p in compiled.params]
    bind_procs = [None if p.type is None else bind_processor(dialect, p.type) for p in compiled.params]
    result_procs = [
        None if t is None else result_processor(dialect, t, plain)
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
        entry.result_sources = [result_source(stmt, c) for c in stmt.columns]
        entry.result_kinds = [t.label if t is not None else "value" for t in compiled.result_types]
    if isinstance(stmt, Insert) and stmt.from_select is None and stmt.columns:
        entry.values_insert = True
        row_procs = [bind_processor(dialect, c.type) for c in stmt.columns]
        entry.row_procs = row_procs if any(f is not None for f in row_procs) else None
    return entry
