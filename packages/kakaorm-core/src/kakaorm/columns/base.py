"""``kakaorm.columns.base``: the kakaorm 0.4 import path of columns and expressions.

The 0.4 names map onto our expression classes (:mod:`kakaorm.expr`):

==================  ========================================================
0.4 name            our class
==================  ========================================================
``Column``          :class:`kakaorm.Column`
``ColumnMeta``      :class:`kakaorm.Column` (``Post.views`` is the column itself)
``AggFunc``         :class:`kakaorm.expr.Aggregate` (Count, Sum, Avg, Max, Min)
``WindowFunc``      :class:`kakaorm.expr.WindowFunction` (RowNumber, Rank, ...)
``WindowedAgg``     :class:`kakaorm.expr.Window`, what ``.over(...)`` returns
``WhereClause``     :class:`kakaorm.expr.Condition`, any condition
``ColumnCompare``   :class:`kakaorm.expr.Comparison`, ``a = b`` and the like
``UpdateExpr``      :class:`kakaorm.expr.Arithmetic`, ``Post.views + 1``
==================  ========================================================

``RowNumber().over(...)`` is a ``WindowedAgg`` (our Window) here, where 0.4 kept it
a ``WindowFunc``: test ``isinstance(x, (WindowFunc, WindowedAgg))`` for both.
"""

from __future__ import annotations

from kakaorm.expr import Aggregate as AggFunc
from kakaorm.expr import Arithmetic as UpdateExpr
from kakaorm.expr import (
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
)
from kakaorm.expr import Comparison as ColumnCompare
from kakaorm.expr import Condition as WhereClause
from kakaorm.expr import Window as WindowedAgg
from kakaorm.expr import WindowFunction as WindowFunc
from kakaorm.orm.columns import Column

ColumnMeta = Column

__all__ = [
    "AggFunc",
    "Avg",
    "Case",
    "Column",
    "ColumnCompare",
    "ColumnMeta",
    "Count",
    "DenseRank",
    "Lag",
    "Lead",
    "Max",
    "Min",
    "Rank",
    "RowNumber",
    "Sum",
    "UpdateExpr",
    "WhereClause",
    "When",
    "WindowFunc",
    "WindowedAgg",
]
