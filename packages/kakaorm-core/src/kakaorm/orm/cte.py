"""Common table expressions: named queries for ``WITH``, plain or recursive."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kakaorm.exc import QueryError
from kakaorm.expr import result_key
from kakaorm.expr.columns import CTEColumn
from kakaorm.statements import CTE as CTEClause
from kakaorm.statements import Select

if TYPE_CHECKING:
    from kakaorm.orm.queryset import QuerySet
    from kakaorm.types import SQLType

# CTEColumn lives in the SQL layer (kakaorm.expr.columns); it stays importable here
__all__ = ["CTE", "CTEColumn"]


class _Columns:
    """``cte.c.<name>``: the CTE's columns as expressions."""

    def __init__(self, cte: CTE) -> None:
        self._cte = cte

    def __getattr__(self, name: str) -> CTEColumn:
        cte = self._cte
        if name.startswith("_") or name not in cte.column_names:
            raise AttributeError(
                f"the CTE {cte.name!r} has no column {name!r}; its columns are: "
                + ", ".join(cte.column_names)
            )
        return CTEColumn(cte.name, name, cte.column_types[cte.column_names.index(name)])


class CTE:
    """A named query usable in ``WITH``: join it, filter on its columns (``cte.c.x``),
    or query it directly with :meth:`query`.

    Example::

        rich = CTE("rich_depts", Employee.where(Employee.salary >= 1000).select(Employee.dept_id))
        rows = await (
            Department.all()
            .join(rich, on=rich.c.dept_id == Department.id)
            .select(Department.name)
            .distinct()
        )

    A query that joins a CTE gets its ``WITH`` clause automatically.
    """

    def __init__(self, name: str, query: QuerySet[Any]) -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"a CTE name is an identifier such as 'rich_depts', got {name!r}")
        self.name = name
        # query() builds a query of the same kind as the one given (no import of it here)
        self._query_type = type(query)
        select = query.__subquery__()
        self.column_names: list[str] = [result_key(c) for c in select.columns]
        self.column_types: list[SQLType | None] = [c.type for c in select.columns]
        if len(set(self.column_names)) != len(self.column_names):
            raise QueryError(
                f"the CTE {name!r} has two columns named alike ({', '.join(self.column_names)}); "
                "give them distinct .label() names"
            )
        self.clause = CTEClause(name, select)
        self.c = _Columns(self)

    @classmethod
    def recursive(
        cls,
        name: str,
        base: QuerySet[Any],
        step: Callable[[CTE], QuerySet[Any]],
        *,
        union_all: bool = True,
    ) -> CTE:
        """``WITH RECURSIVE name(cols) AS (base UNION ALL step)``.

        Args:
            name: the CTE's name.
            base: the starting rows (its column names become the CTE's columns).
            step: called with the CTE; returns the query producing the next rows,
                usually by joining the CTE (``.join(tree, on=Node.parent_id == tree.c.id)``).
                It must select as many columns as ``base``, in the same order.
            union_all: keep duplicate rows (``UNION ALL``); False uses ``UNION``.

        Example::

            tree = CTE.recursive(
                "tree",
                Node.where(Node.parent_id == None).select(Node.id, kakaorm.value(0).label("depth")),
                lambda t: Node.all().join(t, on=Node.parent_id == t.c.id)
                              .select(Node.id, (t.c.depth + 1).label("depth")),
            )
            rows = await tree.query().order_by("depth")
        """
        cte = cls(name, base)
        step_select = step(cte).__subquery__()
        # the step refers to the CTE being defined: no nested WITH of itself
        step_select.ctes = tuple(c for c in step_select.ctes if c.name != name)
        if len(step_select.columns) != len(cte.column_names):
            raise QueryError(
                f"the recursive step of {name!r} selects {len(step_select.columns)} columns but "
                f"the base selects {len(cte.column_names)} ({', '.join(cte.column_names)}); "
                "select the same columns in the same order"
            )
        base_select = cte.clause.select
        combined = Select(
            base_select.table,
            base_select.columns,
            where=base_select.where,
            joins=base_select.joins,
            from_cte=base_select.from_cte,
            compounds=(("UNION ALL" if union_all else "UNION", step_select),),
        )
        cte.clause = CTEClause(name, combined, recursive=True, columns=tuple(cte.column_names))
        return cte

    def query(self) -> QuerySet[dict[str, Any]]:
        """A QuerySet reading this CTE's rows as dicts (``SELECT ... FROM name``)."""
        over: QuerySet[dict[str, Any]] = self._query_type._over_cte(self)
        return over

    def __subquery__(self) -> Select:
        """The SELECT of this CTE's rows, with its WITH clause, to nest as a subquery."""
        return self.query().__subquery__()

    def __repr__(self) -> str:
        return f"<CTE {self.name} ({', '.join(self.column_names)})>"
