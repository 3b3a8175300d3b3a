"""QuerySet: a lazy, immutable query builder. Awaiting it runs the query."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from kakaorm import exc
from kakaorm.compiler.describe import describe_select
from kakaorm.engine.engine import get_engine
from kakaorm.expr import Avg, Condition, Expression, Max, Min, Not, Ordering, Sum
from kakaorm.orm.cte import CTE as CTEObject
from kakaorm.orm.deletion import DEFAULT_SCOPE, INCLUDE_SCOPE, ONLY_SCOPE
from kakaorm.orm.hydrate import hydrate_models
from kakaorm.orm.options import is_model_class
from kakaorm.orm.query_aggregate import aggregate, count_rows, has_rows
from kakaorm.orm.query_build import (
    build_select,
    check_compound,
    check_condition,
    check_same_cte,
    ordering,
    where_condition,
)
from kakaorm.orm.query_clauses import MODEL_ROWS, NO_FILTERS, NO_SLICE, TABLE_ONLY, Filters, Projection, Slice, Sources
from kakaorm.orm.query_inspect import QueryInspection
from kakaorm.orm.query_write import check_bulk, insert_into, update
from kakaorm.orm.relations import check_prefetch_path, prefetch_related
from kakaorm.statements import Delete, Join, Select

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine
    from kakaorm.orm.model import Model

__all__ = ["QuerySet"]

R = TypeVar("R")

_PREFETCH_DICTS = (
    "prefetch() loads relations onto model instances, but select() makes this query return "
    "dicts; drop select() to get instances, or join() the related table and select its columns"
)



class QuerySet(QueryInspection, Generic[R]):
    """A query over a model's table; nothing runs until it is awaited.

    Every method returns a new QuerySet, so a QuerySet can be reused and extended.

    Example::

        recent = Post.where(Post.published == True).order_by(Post.id.desc).limit(10)
        posts = await recent                      # list[Post]
        titles = await recent.select(Post.title)  # list[dict[str, Any]]
    """

    def __init__(self, model: type[Model]) -> None:
        self._model = model
        self._engine: Engine | None = None
        self._filters: Filters = NO_FILTERS
        self._order: tuple[Ordering, ...] = ()
        self._slice: Slice = NO_SLICE
        self._projection: Projection = MODEL_ROWS
        self._sources: Sources = TABLE_ONLY
        #: which rows of a SoftDeleteModel/ArchiveModel (a scope of kakaorm.orm.deletion)
        self._scope = DEFAULT_SCOPE
        self._prefetch: tuple[str, ...] = ()
        #: "update" to lock the rows read (SELECT ... FOR UPDATE); see _for_update()
        self._lock: str | None = None

    @classmethod
    def _for(cls, model: type[Model]) -> QuerySet[Any]:
        """A fresh QuerySet over ``model`` (the hot path: one dict copy, no __init__)."""
        qs: QuerySet[Any] = object.__new__(cls)
        d = _BLANK.copy()
        d["_model"] = model
        qs.__dict__ = d
        return qs

    @classmethod
    def _over_cte(cls, cte: CTEObject) -> QuerySet[dict[str, Any]]:
        qs: QuerySet[dict[str, Any]] = cls(None)  # type: ignore[arg-type, assignment]
        qs._sources = Sources(ctes=(cte.clause,), cte=cte)
        qs._projection = Projection(columns=tuple(getattr(cte.c, n) for n in cte.column_names))
        return qs

    def _need_model(self, action: str) -> type[Model]:
        if self._model is None:
            raise exc.QueryError(
                f"{action}() needs a model query; a query over the CTE {self._cte_name()!r} "
                "returns dicts (use limit/order_by/where on it instead)"
            )
        return self._model

    def _cte_name(self) -> str:
        return self._sources.cte.name if self._sources.cte is not None else "?"

    def _clone(self) -> QuerySet[Any]:
        new: QuerySet[Any] = object.__new__(QuerySet)
        new.__dict__ = self.__dict__.copy()
        return new

    @property
    def model(self) -> type[Model]:
        """The model whose table this query reads."""
        return self._model

    # -- building -------------------------------------------------------------------
    def using(self, engine: Engine) -> QuerySet[R]:
        """Run this query on ``engine`` instead of the default engine."""
        new = self._clone()
        new._engine = engine
        return new

    def where(self, *conditions: Condition) -> QuerySet[R]:
        """Keep rows matching every condition (chained calls AND together)."""
        new = self._clone()
        checked = tuple(check_condition(c, "where") for c in conditions)
        new._filters = Filters(self._filters.where + checked, self._filters.having)
        return new

    def exclude(self, condition: Condition) -> QuerySet[R]:
        """Drop rows matching the condition: ``WHERE NOT (condition)``."""
        return self.where(Not(check_condition(condition, "where")))

    def order_by(self, *items: Ordering | Expression[Any] | str) -> QuerySet[R]:
        """Sort by columns or expressions (``Post.views.desc``), replacing any earlier order.

        A string names a column of the query: ``"views"``, ``"-views"`` or
        ``"views DESC"``; anything else raises ValueError. Raw SQL is never taken
        from a string.
        """
        new = self._clone()
        new._order = tuple(ordering(self, item) for item in items)
        return new

    def limit(self, n: int) -> QuerySet[R]:
        """Return at most ``n`` rows."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"limit() takes a non-negative int, got {n!r}")
        new = self._clone()
        new._slice = Slice(n, self._slice.offset)
        return new

    def offset(self, n: int) -> QuerySet[R]:
        """Skip the first ``n`` rows."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"offset() takes a non-negative int, got {n!r}")
        new = self._clone()
        new._slice = Slice(self._slice.limit, n)
        return new

    def select(self, *columns: Expression[Any]) -> QuerySet[dict[str, Any]]:
        """Return dicts of the given columns/expressions instead of model instances."""
        if not columns:
            raise TypeError("select() needs at least one column or expression")
        for col in columns:
            if not isinstance(col, Expression):
                raise TypeError(f"select() takes columns or expressions, got {col!r}")
        if self._prefetch:
            raise exc.QueryError(_PREFETCH_DICTS)
        projection = self._projection
        new = self._clone()
        new._projection = Projection(tuple(columns), projection.distinct, projection.group_by)
        return new

    def also_select(self, *columns: Expression[Any]) -> QuerySet[dict[str, Any]]:
        """Add columns to the current ``select()`` (or to the model's columns)."""
        selected = self._projection.columns
        base = selected if selected is not None else self._model._meta.column_list
        return self.select(*base, *columns)

    def distinct(self) -> QuerySet[R]:
        """``SELECT DISTINCT``."""
        projection = self._projection
        new = self._clone()
        new._projection = Projection(projection.columns, True, projection.group_by)
        return new

    def join(self, model: type[Model] | CTEObject, on: Condition) -> QuerySet[R]:
        """``INNER JOIN model ON condition`` (a :class:`~kakaorm.CTE` may stand for the model)."""
        return self._join("INNER", model, on)

    def left_join(self, model: type[Model] | CTEObject, on: Condition) -> QuerySet[R]:
        """``LEFT JOIN model ON condition``."""
        return self._join("LEFT", model, on)

    def right_join(self, model: type[Model] | CTEObject, on: Condition) -> QuerySet[R]:
        """``RIGHT JOIN model ON condition``."""
        return self._join("RIGHT", model, on)

    def _join(self, kind: str, model: Any, on: Condition) -> QuerySet[R]:
        new = self._clone()
        if isinstance(model, CTEObject):
            new = new._attach(model)
        elif not (is_model_class(model) and not model._meta.abstract):
            raise TypeError(f"join() takes a model class or a CTE, got {model!r}")
        sources = new._sources
        target = model.clause if isinstance(model, CTEObject) else model
        join = Join(kind, target, check_condition(on, "join"))
        new._sources = Sources((*sources.joins, join), sources.ctes, sources.compounds, sources.cte)
        return new

    def _attach(self, cte: CTEObject) -> QuerySet[R]:
        sources = self._sources
        if any(c.name == cte.name for c in sources.ctes):
            check_same_cte(sources.ctes, cte.clause)
            return self
        new = self._clone()
        new._sources = Sources(sources.joins, (*sources.ctes, cte.clause), sources.compounds, sources.cte)
        return new

    def group_by(self, *exprs: Expression[Any]) -> QuerySet[R]:
        """``GROUP BY`` the given columns or expressions."""
        for expr in exprs:
            if not isinstance(expr, Expression):
                raise TypeError(f"group_by() takes columns or expressions, got {expr!r}")
        projection = self._projection
        new = self._clone()
        new._projection = Projection(projection.columns, projection.distinct, projection.group_by + tuple(exprs))
        return new

    def having(self, condition: Condition) -> QuerySet[R]:
        """Filter groups: ``HAVING condition`` (chained calls AND together)."""
        checked = check_condition(condition, "having")
        new = self._clone()
        new._filters = Filters(self._filters.where, (*self._filters.having, checked))
        return new

    def with_cte(self, name: str | CTEObject, queryset: QuerySet[Any] | None = None) -> QuerySet[R]:
        """Add ``WITH name AS (queryset)`` to this query (or ``with_cte(cte)`` for a
        :class:`~kakaorm.CTE`). Joining a CTE adds it by itself."""
        if isinstance(name, CTEObject):
            return self._attach(name)
        if queryset is None:
            raise TypeError("with_cte() takes a name and a QuerySet, or a kakaorm.CTE")
        return self._attach(CTEObject(name, queryset))

    def union(self, other: QuerySet[Any]) -> QuerySet[R]:
        """``UNION``: the rows of both queries, without duplicates."""
        return self._compound("UNION", other)

    def union_all(self, other: QuerySet[Any]) -> QuerySet[R]:
        """``UNION ALL``: the rows of both queries, duplicates kept."""
        return self._compound("UNION ALL", other)

    def _compound(self, op: str, other: QuerySet[Any]) -> QuerySet[R]:
        if not isinstance(other, QuerySet):
            raise TypeError(f"{op.lower().replace(' ', '_')}() takes a QuerySet, got {other!r}")
        check_compound(self, other)
        sources = self._sources
        new = self._clone()
        new._sources = Sources(sources.joins, sources.ctes, (*sources.compounds, (op, other)), sources.cte)
        return new

    def _effective_columns(self) -> Sequence[Expression[Any]]:
        selected = self._projection.columns
        if selected is not None:
            return selected
        return self._need_model("select")._meta.column_list

    def _for_update(self) -> QuerySet[R]:
        """Lock the rows read until the transaction ends (``FOR UPDATE``) where the
        database has row locks; for the CRUD helpers, not public."""
        new = self._clone()
        new._lock = "update"
        return new

    # -- statements -----------------------------------------------------------------
    def _where_condition(self) -> Condition | None:
        return where_condition(self)

    def _build_select(self, columns: Sequence[Expression[Any]] | None = None) -> Select:
        return build_select(self, columns)

    def _engine_or_default(self) -> Engine:
        if self._engine is not None:
            return self._engine
        return get_engine()

    # -- running --------------------------------------------------------------------
    def __subquery__(self) -> Select:
        """The SELECT this query runs, to nest in another statement (``in_()``,
        a scalar subquery, a CTE's body)."""
        return self._build_select()

    def __await__(self) -> Generator[Any, None, list[R]]:
        return self._fetch_all().__await__()

    async def _fetch_all(self) -> list[R]:
        engine = self._engine_or_default()
        stmt = self._build_select()
        entry, rows = await engine._select(stmt)
        if self._projection.columns is None and all(
            qs._projection.columns is None for _, qs in self._sources.compounds
        ):
            instances = hydrate_models(entry, self._model, rows)
            if self._prefetch:
                for path in self._prefetch:
                    await prefetch_related(self._engine, instances, path)
            return cast(list[R], instances)
        return cast(list[R], entry.hydrate_dicts(rows))

    async def execute(self) -> list[R]:
        """Run the query and return its rows: exactly what ``await query`` gives
        (model instances, or dicts after ``select()``). Kept for code written for
        kakaorm 0.4, where this was the explicit spelling."""
        return await self._fetch_all()

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
        model = self._need_model("get")
        qs = self.where(*conditions) if conditions else self
        rows = await qs.limit(2)
        if not rows:
            raise model.NotFound(
                f"{self._model.__name__}.get(): no row matches the query"
            )
        if len(rows) > 1:
            raise model.MultipleResults(
                f"{self._model.__name__}.get(): more than one row matches the query; "
                "add conditions, or use first() or a list query"
            )
        return rows[0]

    async def get_or_none(self, *conditions: Condition) -> R | None:
        """The one row matching the query, or None (MultipleResults if several match)."""
        try:
            return await self.get(*conditions)
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
    def _scoped(self, scope: str, action: str) -> QuerySet[R]:
        model = self._need_model(action)
        if not model._meta.deletion.keeps_deleted_rows:
            raise exc.QueryError(
                f"{action}() is for SoftDeleteModel and ArchiveModel; {model.__name__} deletes rows"
            )
        return self._with_scope(scope)

    def _with_scope(self, scope: str) -> QuerySet[R]:
        """The same query over the rows of ``scope`` (for deletion strategies)."""
        new = self._clone()
        new._scope = scope
        return new

    def include_deleted(self) -> QuerySet[R]:
        """Deleted rows too (SoftDeleteModel: no ``deleted_at`` filter; ArchiveModel:
        the main and the archive table, UNION ALL)."""
        return self._scoped(INCLUDE_SCOPE, "include_deleted")

    def only_deleted(self) -> QuerySet[R]:
        """Only deleted rows (soft-deleted, or archived)."""
        return self._scoped(ONLY_SCOPE, "only_deleted")

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

    def prefetch(self, *paths: str) -> QuerySet[R]:
        """Load relations of every fetched row up front: one query per relation
        (``"author"``), following paths through relations with ``__``
        (``"author__profile"``). Awaiting a prefetched relation runs no query."""
        model = self._need_model("prefetch")
        if self._projection.columns is not None:
            raise exc.QueryError(_PREFETCH_DICTS)
        for path in paths:
            check_prefetch_path(model, path)
        new = self._clone()
        new._prefetch = self._prefetch + paths
        return new

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

