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
)
from kakaorm.expr.conditions import (
    Between,
    BoolOp,
    Comparison,
    InList,
    InSubquery,
    IsNull,
    Like,
    Not,
    ParamList,
    Subquery,
)
from kakaorm.expr.conditions import (
    Condition as Condition,
)
from kakaorm.expr.conditions import (
    escape_like as escape_like,
)
from kakaorm.expr.elements import (
    Arithmetic,
    Expression,
    Label,
    Ordering,
    Param,
    Raw,
)
from kakaorm.expr.elements import (
    _as_expr as _as_expr,
)
from kakaorm.expr.elements import (
    coerce_value as coerce_value,
)
from kakaorm.expr.elements import (
    value as value,
)
from kakaorm.expr.functions import (
    Aggregate,
    Avg,
    Case,
    Count,
    DenseRank,
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
)
from kakaorm.expr.functions import (
    Function as Function,
)
from kakaorm.expr.functions import (
    result_key as result_key,
)
from kakaorm.expr.json import JSONPath, JSONValue
from kakaorm.expr.tables import (
    SubquerySource as SubquerySource,
)
from kakaorm.expr.tables import (
    TableRef as TableRef,
)
from kakaorm.expr.tables import (
    TableSource as TableSource,
)
from kakaorm.expr.tables import (
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
    "JSONPath",
    "JSONValue",
    "Label",
    "Lag",
    "Lead",
    "Like",
    "Max",
    "Min",
    "Not",
    "Ordering",
    "Param",
    "ParamList",
    "Rank",
    "Raw",
    "RowNumber",
    "Subquery",
    "Sum",
    "When",
    "Window",
    "WindowFunction",
]
