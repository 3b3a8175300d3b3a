"""The clauses a QuerySet holds, one small immutable object per kind.

A QuerySet method that changes a clause builds a new clause object and a new
QuerySet around it; clause objects are shared between the QuerySets derived from
one another, never changed. They are named tuples rather than frozen dataclasses:
building a query makes several of them, and a tuple is the cheapest immutable record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from kakaorm.expr import Condition, Expression
    from kakaorm.orm.cte import CTE as CTEObject
    from kakaorm.orm.queryset import QuerySet
    from kakaorm.statements import CTE, Join

__all__ = ["Filters", "Projection", "Slice", "Sources"]


class Filters(NamedTuple):
    """The WHERE and HAVING conditions; each tuple is ANDed."""

    where: tuple[Condition, ...] = ()
    having: tuple[Condition, ...] = ()


class Slice(NamedTuple):
    """``LIMIT`` and ``OFFSET`` (None: not given)."""

    limit: int | None = None
    offset: int | None = None

    @property
    def is_set(self) -> bool:
        """True when a limit or an offset is given."""
        return self.limit is not None or self.offset is not None


class Projection(NamedTuple):
    """What each result row holds: the selected expressions (None: the model's
    columns, giving instances), ``DISTINCT``, ``GROUP BY``, and whether selected rows
    are tuples (``tuples()``) rather than dicts (``select()``)."""

    columns: tuple[Expression[Any], ...] | None = None
    distinct: bool = False
    group_by: tuple[Expression[Any], ...] = ()
    tuples: bool = False


class Sources(NamedTuple):
    """Where rows come from besides the model's table: joins, the ``WITH`` clauses,
    the parts combined by UNION, and the CTE read instead of a table (if any)."""

    joins: tuple[Join, ...] = ()
    ctes: tuple[CTE, ...] = ()
    compounds: tuple[tuple[str, QuerySet[Any]], ...] = ()
    cte: CTEObject | None = None


#: the clauses of a new query
NO_FILTERS = Filters()
NO_SLICE = Slice()
MODEL_ROWS = Projection()
TABLE_ONLY = Sources()
