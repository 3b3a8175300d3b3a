"""The expression tree: columns, values, operators, functions, aggregates, windows.

Every node can do two things, and nothing else:

* ``_key(params)`` returns a hashable *shape* of the node and appends every bound
  :class:`Param` it contains to ``params``. Two trees with the same shape compile to
  the same SQL, so the shape is the compile-cache key.
* be read by a dialect's compiler (``kakaorm.compiler``), which turns it into SQL.

No node ever produces SQL text itself. The modules:

* :mod:`kakaorm.expr.elements`: the base :class:`Expression`, bound values, raw SQL,
  labels, orderings, arithmetic, and the value checking of :func:`coerce_value`;
* :mod:`kakaorm.expr.conditions`: comparisons, AND/OR/NOT, IN, BETWEEN, LIKE, NULL
  tests and scalar subqueries;
* :mod:`kakaorm.expr.functions`: functions, aggregates, windows and CASE;
* :mod:`kakaorm.expr.columns`: the column element the ORM's columns subclass, and
  a CTE's columns;
* :mod:`kakaorm.expr.tables`: the protocols through which tables and queries meet
  this layer (:class:`TableRef`, ``__table_ref__()``, ``__subquery__()``).
"""

from __future__ import annotations

# names outside __all__ are re-exported with `as`, as they were importable before the split

from kakaorm.expr.columns import ColumnElement as ColumnElement
from kakaorm.expr.columns import CTEColumn as CTEColumn
from kakaorm.expr.conditions import (
    LIKE_ESCAPE as LIKE_ESCAPE,
    Between,
    BoolOp,
    Comparison,
    Condition as Condition,
    InList,
    InSubquery,
    IsNull,
    Like,
    Not,
    Subquery,
    escape_like as escape_like,
)
from kakaorm.expr.elements import (
    Arithmetic,
    Expression,
    Label,
    Ordering,
    Param,
    Raw,
    _as_expr as _as_expr,
    coerce_value as coerce_value,
    value as value,
)
from kakaorm.expr.functions import (
    Aggregate,
    Avg,
    Case,
    Count,
    DenseRank,
    Function as Function,
    Lag,
    Lead,
    Max,
    Min,
    Rank,
    RowNumber,
    Sum,
    When,
    Window,
    WindowFunction,
    result_key as result_key,
)
from kakaorm.expr.tables import (
    SubquerySource as SubquerySource,
    TableRef as TableRef,
    TableSource as TableSource,
    table_ref as table_ref,
)

__all__ = [
    "Aggregate",
    "Arithmetic",
    "Avg",
    "Between",
    "BoolOp",
    "Case",
    "Comparison",
    "Count",
    "DenseRank",
    "Expression",
    "InList",
    "InSubquery",
    "IsNull",
    "Label",
    "Lag",
    "Lead",
    "Like",
    "Max",
    "Min",
    "Not",
    "Ordering",
    "Param",
    "Rank",
    "Raw",
    "RowNumber",
    "Subquery",
    "Sum",
    "When",
    "Window",
    "WindowFunction",
]
