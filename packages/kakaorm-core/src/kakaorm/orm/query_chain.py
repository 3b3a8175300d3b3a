"""The chainable half of a QuerySet: its clause records and the methods that return a
new query with one clause changed (where, order_by, limit, join, group_by, ...).

:class:`~kakaorm.orm.queryset.QuerySet` adds what runs the query. Nothing here touches
the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from kakaorm import exc
from kakaorm.expr import Condition, Expression, Not, Ordering
from kakaorm.orm.cte import CTE as CTEObject
from kakaorm.orm.deletion import DEFAULT_SCOPE, INCLUDE_SCOPE, ONLY_SCOPE
from kakaorm.orm.locking import row_lock
from kakaorm.orm.options import is_model_class
from kakaorm.orm.query_build import check_compound, check_condition, check_same_cte, ordering, where_conditions
from kakaorm.orm.query_clauses import MODEL_ROWS, NO_FILTERS, NO_SLICE, TABLE_ONLY, Filters, Projection, Slice, Sources
from kakaorm.orm.relations import check_prefetch_path
from kakaorm.statements import FOR_UPDATE, Join, RowLock

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine
    from kakaorm.orm.model import Model
    from kakaorm.orm.queryset import QuerySet

__all__ = ["PREFETCH_DICTS", "QueryChain"]

R = TypeVar("R")

PREFETCH_DICTS = (
    "prefetch() loads relations onto model instances, but select() makes this query return "
    "dicts; drop select() to get instances, or join() the related table and select its columns"
)


class QueryChain(Generic[R]):
    """A query's clauses; every public method returns a new query (see QuerySet)."""

    def __init__(self, model: type[Model]) -> None:
        self._model = model
        self._engine: Engine | None = None
        self._route: str | None = None  # "primary"/"replica" from using()
        self._filters: Filters = NO_FILTERS
        self._order: tuple[Ordering, ...] = ()
        self._slice: Slice = NO_SLICE
        self._projection: Projection = MODEL_ROWS
        self._sources: Sources = TABLE_ONLY
        #: which rows of a SoftDeleteModel/ArchiveModel (a scope of kakaorm.orm.deletion)
        self._scope = DEFAULT_SCOPE
        self._prefetch: tuple[str, ...] = ()
        #: the row lock of the rows read (SELECT ... FOR UPDATE); see select_for_update()
        self._lock: RowLock | None = None

    def _need_model(self, action: str) -> type[Model]:
        if self._model is None:
            raise exc.QueryError(
                f"{action}() needs a model query; a query over the CTE {self._cte_name()!r} "
                "returns dicts (use limit/order_by/where on it instead)"
            )
        return self._model

    def _cte_name(self) -> str:
        return self._sources.cte.name if self._sources.cte is not None else "?"

    def _clone(self) -> Self:
        new = object.__new__(type(self))
        new.__dict__ = self.__dict__.copy()
        return new

    @property
    def model(self) -> type[Model]:
        """The model whose table this query reads."""
        return self._model

    def where(self, *conditions: Condition) -> Self:
        """Keep rows matching every condition (chained calls AND together)."""
        new = self._clone()
        filters = self._filters
        new._filters = Filters(filters.where + where_conditions(conditions), filters.having)
        return new

    def exclude(self, condition: Condition) -> Self:
        """Drop rows matching the condition: ``WHERE NOT (condition)``."""
        return self.where(Not(check_condition(condition, "where")))

    def order_by(self, *items: Ordering | Expression[Any] | str) -> Self:
        """Sort by columns or expressions (``Post.views.desc``), replacing any earlier order.

        A string names a column of the query: ``"views"``, ``"-views"`` or
        ``"views DESC"``; anything else raises ValueError. Raw SQL is never taken
        from a string.
        """
        new = self._clone()
        if len(items) == 1:  # the usual call, without a generator
            new._order = (ordering(self, items[0]),)
        else:
            new._order = tuple(ordering(self, item) for item in items)
        return new

    def limit(self, n: int) -> Self:
        """Return at most ``n`` rows."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"limit() takes a non-negative int, got {n!r}")
        new = self._clone()
        new._slice = Slice(n, self._slice.offset)
        return new

    def offset(self, n: int) -> Self:
        """Skip the first ``n`` rows."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"offset() takes a non-negative int, got {n!r}")
        new = self._clone()
        new._slice = Slice(self._slice.limit, n)
        return new

    def distinct(self) -> Self:
        """``SELECT DISTINCT``."""
        projection = self._projection
        new = self._clone()
        new._projection = projection._replace(distinct=True)
        return new

    def join(self, model: type[Model] | CTEObject, on: Condition) -> Self:
        """``INNER JOIN model ON condition`` (a :class:`~kakaorm.CTE` may stand for the model)."""
        return self._join("INNER", model, on)

    def left_join(self, model: type[Model] | CTEObject, on: Condition) -> Self:
        """``LEFT JOIN model ON condition``."""
        return self._join("LEFT", model, on)

    def right_join(self, model: type[Model] | CTEObject, on: Condition) -> Self:
        """``RIGHT JOIN model ON condition``."""
        return self._join("RIGHT", model, on)

    def _join(self, kind: str, model: Any, on: Condition) -> Self:
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

    def _attach(self, cte: CTEObject) -> Self:
        sources = self._sources
        if any(c.name == cte.name for c in sources.ctes):
            check_same_cte(sources.ctes, cte.clause)
            return self
        new = self._clone()
        new._sources = Sources(sources.joins, (*sources.ctes, cte.clause), sources.compounds, sources.cte)
        return new

    def group_by(self, *exprs: Expression[Any]) -> Self:
        """``GROUP BY`` the given columns or expressions."""
        for expr in exprs:
            if not isinstance(expr, Expression):
                raise TypeError(f"group_by() takes columns or expressions, got {expr!r}")
        projection = self._projection
        new = self._clone()
        new._projection = projection._replace(group_by=projection.group_by + tuple(exprs))
        return new

    def having(self, condition: Condition) -> Self:
        """Filter groups: ``HAVING condition`` (chained calls AND together)."""
        checked = check_condition(condition, "having")
        new = self._clone()
        new._filters = Filters(self._filters.where, (*self._filters.having, checked))
        return new

    def with_cte(self, name: str | CTEObject, queryset: QuerySet[Any] | None = None) -> Self:
        """Add ``WITH name AS (queryset)`` to this query (or ``with_cte(cte)`` for a
        :class:`~kakaorm.CTE`). Joining a CTE adds it by itself."""
        if isinstance(name, CTEObject):
            return self._attach(name)
        if queryset is None:
            raise TypeError("with_cte() takes a name and a QuerySet, or a kakaorm.CTE")
        return self._attach(CTEObject(name, queryset))

    def union(self, other: QuerySet[Any]) -> Self:
        """``UNION``: the rows of both queries, without duplicates."""
        return self._compound("UNION", other)

    def union_all(self, other: QuerySet[Any]) -> Self:
        """``UNION ALL``: the rows of both queries, duplicates kept."""
        return self._compound("UNION ALL", other)

    def _compound(self, op: str, other: QuerySet[Any]) -> Self:
        if not isinstance(other, QueryChain):
            raise TypeError(f"{op.lower().replace(' ', '_')}() takes a QuerySet, got {other!r}")
        check_compound(self, other)
        sources = self._sources
        new = self._clone()
        new._sources = Sources(sources.joins, sources.ctes, (*sources.compounds, (op, other)), sources.cte)
        return new

    def _returns_models(self) -> bool:
        """True when running the query gives model instances (no ``select()`` here or
        in a UNION'ed query), False when it gives dicts."""
        if self._projection is MODEL_ROWS and not self._sources.compounds:
            return True
        return self._projection.columns is None and all(
            other._projection.columns is None for _, other in self._sources.compounds
        )

    def _effective_columns(self) -> Sequence[Expression[Any]]:
        selected = self._projection.columns
        if selected is not None:
            return selected
        return self._need_model("select")._meta.column_list

    def select_for_update(
        self, *, nowait: bool = False, skip_locked: bool = False, of: Sequence[type[Model]] = ()
    ) -> Self:
        """Lock the rows read until the transaction ends (``SELECT ... FOR UPDATE``).

        Args:
            nowait: fail with LockNotAvailableError instead of waiting for a locked row.
            skip_locked: leave locked rows out of the result (a job queue's reader).
            of: lock only the rows of these tables of a join (PostgreSQL).

        Raises:
            QueryError: on SQLite, outside a transaction, or with a construct the
                database cannot lock (docs/queries.md lists them).
        """
        return self._for_update(row_lock(nowait, skip_locked, of))

    def _for_update(self, lock: RowLock = FOR_UPDATE) -> Self:
        new = self._clone()  # FOR_UPDATE: the CRUD helpers' best-effort lock
        new._lock = lock
        return new

    def _scoped(self, scope: str, action: str) -> Self:
        model = self._need_model(action)
        if not model._meta.deletion.keeps_deleted_rows:
            raise exc.QueryError(
                f"{action}() is for SoftDeleteModel and ArchiveModel; {model.__name__} deletes rows"
            )
        return self._with_scope(scope)

    def _with_scope(self, scope: str) -> Self:
        """The same query over the rows of ``scope`` (for deletion strategies)."""
        new = self._clone()
        new._scope = scope
        return new

    def include_deleted(self) -> Self:
        """Deleted rows too (SoftDeleteModel: no ``deleted_at`` filter; ArchiveModel:
        the main and the archive table, UNION ALL)."""
        return self._scoped(INCLUDE_SCOPE, "include_deleted")

    def only_deleted(self) -> Self:
        """Only deleted rows (soft-deleted, or archived)."""
        return self._scoped(ONLY_SCOPE, "only_deleted")

    def prefetch(self, *paths: str) -> Self:
        """Load relations of every fetched row up front: one query per relation
        (``"author"``), following paths through relations with ``__``
        (``"author__profile"``). Awaiting a prefetched relation runs no query."""
        model = self._need_model("prefetch")
        if self._projection.columns is not None:
            raise exc.QueryError(PREFETCH_DICTS)
        for path in paths:
            check_prefetch_path(model, path)
        new = self._clone()
        new._prefetch = self._prefetch + paths
        return new
