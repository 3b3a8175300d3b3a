"""QuerySet: a lazy, immutable query builder. Awaiting it runs the query.

The clauses and the methods that chain them are in :mod:`kakaorm.orm.query_chain`;
this module adds what runs the query."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from kakaorm import exc
from kakaorm.compiler.describe import describe_select
from kakaorm.engine.engine import get_engine
from kakaorm.engine.routing import check_route
from kakaorm.expr import Avg, Condition, Expression, Max, Min, Ordering, Param, Sum
from kakaorm.orm.cte import CTE as CTEObject
from kakaorm.orm.hydrate import hydrate_models
from kakaorm.orm.locking import check_lock
from kakaorm.orm.query_aggregate import aggregate, count_rows, has_rows
from kakaorm.orm.query_build import build_select, model_query_key, where_condition
from kakaorm.orm.query_chain import PREFETCH_DICTS, QueryChain
from kakaorm.orm.query_clauses import Filters, Projection, Slice, Sources
from kakaorm.orm.query_inspect import QueryInspection
from kakaorm.orm.query_write import check_bulk, insert_into, update
from kakaorm.orm.relations import prefetch_related
from kakaorm.orm.stream import queryset_iterator
from kakaorm.statements import Delete, Select

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine
    from kakaorm.orm.model import Model

__all__ = ["QuerySet"]

R = TypeVar("R")
T = TypeVar("T")
T1 = TypeVar("T1")
T2 = TypeVar("T2")
T3 = TypeVar("T3")
T4 = TypeVar("T4")
T5 = TypeVar("T5")
T6 = TypeVar("T6")


#: ``get()`` reads at most two rows (one more than it returns, to see a second match)
GET_SLICE = Slice(2, None)


def one_row(model: type[Model], rows: list[R], or_none: bool = False) -> R | None:
    """The one instance of ``get()``: NotFound for none (None if ``or_none``),
    MultipleResults for several."""
    if len(rows) == 1:
        return rows[0]
    if not rows:
        if or_none:
            return None
        raise model.NotFound(f"{model.__name__}.get(): no row matches the query")
    raise model.MultipleResults(
        f"{model.__name__}.get(): more than one row matches the query; "
        "add conditions, or use first() or a list query"
    )


class QuerySet(QueryInspection, QueryChain[R]):
    """A query over a model's table; nothing runs until it is awaited.

    Every method returns a new QuerySet, so a QuerySet can be reused and extended.

    Example::

        recent = Post.where(Post.published == True).order_by(Post.id.desc).limit(10)
        posts = await recent                      # list[Post]
        titles = await recent.select(Post.title)  # list[dict[str, Any]]
    """

    @classmethod
    def _for(cls, model: type[Model], where: tuple[Condition, ...] = ()) -> QuerySet[Any]:
        """A fresh QuerySet over ``model`` (the hot path: one dict copy, no __init__),
        filtered by ``where`` (conditions already checked, see ``where_conditions``)."""
        qs: QuerySet[Any] = object.__new__(cls)
        d = _BLANK.copy()
        d["_model"] = model
        if where:
            d["_filters"] = Filters(where, ())
        qs.__dict__ = d
        return qs

    @classmethod
    def _over_cte(cls, cte: CTEObject) -> QuerySet[dict[str, Any]]:
        qs: QuerySet[dict[str, Any]] = cls(None)  # type: ignore[arg-type, assignment]
        qs._sources = Sources(ctes=(cte.clause,), cte=cte)
        qs._projection = Projection(columns=tuple(getattr(cte.c, n) for n in cte.column_names))
        return qs

    # -- building -------------------------------------------------------------------
    def using(self, target: Engine | str) -> QuerySet[R]:
        """Run this query on ``target``, an engine, or pin its reads to ``"primary"`` or
        ``"replica"`` (see :mod:`kakaorm.engine.routing`); other strings: ValueError."""
        new = self._clone()
        if isinstance(target, str):
            new._route = check_route(target)
        else:
            new._engine = target
        return new

    def select(self, *columns: Expression[Any]) -> QuerySet[dict[str, Any]]:
        """Return dicts of the given columns/expressions instead of model instances."""
        if not columns:
            raise TypeError("select() needs at least one column or expression")
        for col in columns:
            if not isinstance(col, Expression):
                raise TypeError(f"select() takes columns or expressions, got {col!r}")
        if self._prefetch:
            raise exc.QueryError(PREFETCH_DICTS)
        projection = self._projection
        new: QuerySet[Any] = self._clone()
        new._projection = Projection(tuple(columns), projection.distinct, projection.group_by)
        return new

    @overload
    def tuples(self, c1: Expression[T1], /) -> QuerySet[tuple[T1]]: ...
    @overload
    def tuples(self, c1: Expression[T1], c2: Expression[T2], /) -> QuerySet[tuple[T1, T2]]: ...
    @overload
    def tuples(
        self, c1: Expression[T1], c2: Expression[T2], c3: Expression[T3], /
    ) -> QuerySet[tuple[T1, T2, T3]]: ...
    @overload
    def tuples(
        self, c1: Expression[T1], c2: Expression[T2], c3: Expression[T3], c4: Expression[T4], /
    ) -> QuerySet[tuple[T1, T2, T3, T4]]: ...
    @overload
    def tuples(
        self, c1: Expression[T1], c2: Expression[T2], c3: Expression[T3], c4: Expression[T4],
        c5: Expression[T5], /,
    ) -> QuerySet[tuple[T1, T2, T3, T4, T5]]: ...
    @overload
    def tuples(
        self, c1: Expression[T1], c2: Expression[T2], c3: Expression[T3], c4: Expression[T4],
        c5: Expression[T5], c6: Expression[T6], /,
    ) -> QuerySet[tuple[T1, T2, T3, T4, T5, T6]]: ...
    @overload
    def tuples(self, *columns: Expression[Any]) -> QuerySet[tuple[Any, ...]]: ...
    def tuples(self, *columns: Expression[Any]) -> QuerySet[Any]:
        """Rows as tuples of the given columns/expressions, in order: the typed
        ``select()``. ``await Post.all().tuples(Post.id, Post.title)`` is a
        ``list[tuple[int, str]]`` to a type checker (typed up to six columns).

        Raises:
            TypeError: no column, or something that is not a column or expression.
            QueryError: as for ``select()``.
        """
        new: QuerySet[Any] = self.select(*columns)
        new._projection = new._projection._replace(tuples=True)
        return new

    def also_select(self, *columns: Expression[Any]) -> QuerySet[dict[str, Any]]:
        """Add columns to the current ``select()`` (or to the model's columns)."""
        selected = self._projection.columns
        base = selected if selected is not None else self._model._meta.column_list
        return self.select(*base, *columns)

    # -- statements -----------------------------------------------------------------
    def _where_condition(self) -> Condition | None:
        return where_condition(self)

    def _build_select(self, columns: Sequence[Expression[Any]] | None = None) -> Select:
        return build_select(self, columns)

    def _engine_or_default(self) -> Engine:
        engine = self._engine or get_engine()
        return engine if self._route is None else engine._routed(self._route)

    # -- running --------------------------------------------------------------------
    def __subquery__(self) -> Select:
        """The SELECT this query runs, to nest in another statement (``in_()``,
        a scalar subquery, a CTE's body)."""
        return self._build_select()

    def __await__(self) -> Generator[Any, None, list[R]]:
        return self._fetch_all().__await__()

    async def _fetch_all(self) -> list[R]:
        # _engine_or_default(), inline on this path
        engine = self._engine or get_engine()
        if self._route is not None:
            engine = engine._routed(self._route)
        if self._lock is not None and self._lock.strict:
            check_lock(self, engine, "select")
        # the usual model query, already compiled: run it without building its statement
        params: list[Param] = []
        key = model_query_key(self, params)
        entry = None if key is None else engine._compiled(key)
        if entry is None:
            entry, rows = await engine._select(self._build_select())
        else:
            rows = await engine._fetch_compiled(entry, entry.values(params), self._lock is not None)
        if self._returns_models():
            instances: list[Any] = hydrate_models(entry, self._model, rows)
            if self._prefetch:
                for path in self._prefetch:
                    await prefetch_related(engine, instances, path)
            return instances
        dicts = entry.hydrate_dicts(rows)
        if self._projection.tuples:
            return cast(list[R], [tuple(d.values()) for d in dicts])
        return cast(list[R], dicts)

    async def execute(self) -> list[R]:
        """Run the query and return its rows: exactly what ``await query`` gives
        (model instances, or dicts after ``select()``). Kept for code written for
        kakaorm 0.4, where this was the explicit spelling."""
        return await self._fetch_all()

    def iterator(self, chunk_size: int = 2000) -> AsyncIterator[R]:
        """Stream the results (what awaiting the query gives), holding about
        ``chunk_size`` rows at a time; see :func:`kakaorm.orm.stream.queryset_iterator`.

        Example::

            async for post in Post.where(Post.published == True).iterator(chunk_size=500):
                await export(post)
        """
        return queryset_iterator(self, chunk_size)

    async def __aiter__(self) -> AsyncIterator[R]:
        # Rows are fetched first, so the loop body may run queries of its own (on
        # SQLite's single connection, streaming would block them).
        for item in await self._fetch_all():
            yield item

    async def get(self, *conditions: Condition) -> R:
        """The one row matching the query (and ``conditions``).

        Raises:
            NotFound: no row matches (also ``Model.NotFound``).
            MultipleResults: several rows match (also ``Model.MultipleResults``).
        """
        if self._model is None:
            self._need_model("get")  # raises
        # where() returns a new query: limit(2) is set on it rather than on another copy
        return await (self.where(*conditions) if conditions else self._clone())._one()

    async def _one(self, or_none: bool = False) -> R:
        """get() (``or_none``: get_or_none()) of a query that nobody else holds (a
        copy made for it): its slice is set in place."""
        offset = self._slice.offset
        self._slice = GET_SLICE if offset is None else Slice(2, offset)
        return one_row(self._model, await self._fetch_all(), or_none)  # type: ignore[return-value]

    async def get_or_none(self, *conditions: Condition) -> R | None:
        """The one row matching the query, or None (MultipleResults if several match)."""
        try:
            return await self.get(*conditions)  # through get(), which a subclass may extend
        except exc.NotFound:
            return None

    async def first(self) -> R | None:
        """The first row (by the query's order, else by primary key), or None."""
        qs = self if self._order else self.order_by(self._need_model("first")._meta.pk.asc)
        rows = await qs.limit(1)
        return rows[0] if rows else None

    async def last(self) -> R | None:
        """The last row (the query's order reversed, else the highest primary key), or None."""
        if self._order:
            qs = self._clone()
            qs._order = tuple(Ordering(o.expr, not o.descending) for o in self._order)
        else:
            qs = self.order_by(self._need_model("last")._meta.pk.desc)
        rows = await qs.limit(1)
        return rows[0] if rows else None

    async def count(self) -> int:
        """The number of rows the query matches."""
        return await count_rows(self)

    async def exists(self) -> bool:
        """True if the query matches at least one row (limit, offset and groups included)."""
        return await has_rows(self)

    async def aggregate(self, **aggregates: Expression[Any]) -> dict[str, Any]:
        """Several aggregates in one query: ``aggregate(total=Sum(Post.views), n=Count())``.

        Aggregates of no rows are None (``COUNT`` is 0).

        Raises:
            QueryError: the query has a limit, offset or group_by, which an aggregate
                over the whole filtered table would silently ignore.
        """
        return await aggregate(self, aggregates)

    async def scalar(self, aggregate: Expression[T]) -> T:
        """One aggregate of the rows the query matches, typed by the aggregate:
        ``await Post.all().scalar(Count())`` is an ``int``, ``scalar(Sum(Post.views))``
        an ``int | None`` (None when no row matches).

        Raises:
            TypeError: ``aggregate`` is not an aggregate.
            QueryError: as for :meth:`aggregate`.
        """
        return cast(T, (await self.aggregate(value=aggregate))["value"])

    async def sum(self, column: Expression[Any]) -> Any:
        """``SUM(column)``; None when no row matches."""
        return (await self.aggregate(value=Sum(column)))["value"]

    async def avg(self, column: Expression[Any]) -> Any:
        """``AVG(column)`` (float; Decimal for a decimal column); None when no row matches."""
        return (await self.aggregate(value=Avg(column)))["value"]

    async def max(self, column: Expression[Any]) -> Any:
        """``MAX(column)``; None when no row matches."""
        return (await self.aggregate(value=Max(column)))["value"]

    async def min(self, column: Expression[Any]) -> Any:
        """``MIN(column)``; None when no row matches."""
        return (await self.aggregate(value=Min(column)))["value"]

    async def insert_into(self, model: type[Model], **columns: Any) -> int:
        """``INSERT INTO model (columns) SELECT ...``: copy rows computed by this query.

        Each keyword names a column of ``model``; its value is an expression over
        this query (``emp_id=Employee.id``) or a constant. Returns the rows inserted.

        Raises:
            ValueError: a keyword is not a column of ``model``.
            ValidationError: ``model``'s column validators refused a constant value;
                nothing was sent.
        """
        return await insert_into(self, model, columns)

    async def update(self, **values: Any) -> int:
        """UPDATE every matched row; values may be constants or expressions
        (``views=Post.views + 1``). Hooks do not run. Columns with ``auto_now`` are
        set to the current time unless given. Returns the number of rows matched.

        Raises:
            ValueError: a key is not a column of the model.
            ValidationError: column validators refused a constant value; nothing was sent.
        """
        check_bulk(self, "update")
        return await update(self, values)

    async def delete(self) -> int:
        """Delete every matched row (hooks do not run); returns the number deleted.

        A SoftDeleteModel marks the rows deleted; an ArchiveModel moves them to its
        archive table.
        """
        check_bulk(self, "delete")
        return await self._model._meta.deletion.delete_rows(self)

    async def _delete_rows(self) -> int:
        engine = self._engine_or_default()
        return await engine._execute_stmt(Delete(self._model, self._where_condition()))

    # -- deletion strategies and relations --------------------------------------------
    async def restore(self) -> int:
        """Bring matched deleted rows back; returns how many."""
        model = self._scoped(self._scope, "restore")._model
        check_bulk(self, "restore")
        return await model._meta.deletion.restore_rows(self)

    async def purge(self) -> int:
        """Remove matched deleted rows for good; returns how many."""
        model = self._scoped(self._scope, "purge")._model
        check_bulk(self, "purge")
        return await model._meta.deletion.purge_rows(self)

    def __repr__(self) -> str:
        # the query in a generic SQL-like form, values inline: for reading only
        source = self._model.__name__ if self._model is not None else f"CTE {self._cte_name()}"
        try:
            text = describe_select(self._build_select())
        except Exception:  # noqa: BLE001 - a repr never raises, even for an invalid query
            return f"<QuerySet of {source}>"
        return f"<QuerySet of {source}: {text}>"


#: the state of a new QuerySet, copied by QuerySet._for
_BLANK: dict[str, Any] = dict(QuerySet(None).__dict__)  # type: ignore[arg-type]

