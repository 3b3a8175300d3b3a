"""``kakaorm.query``: the kakaorm 0.4 import path of :class:`~kakaorm.QuerySet` and
:class:`~kakaorm.Subquery`.

The expression names 0.4 code also imported from here are those of
:mod:`kakaorm.columns.base`.
"""

from __future__ import annotations

from kakaorm.columns.base import (
    AggFunc,
    Avg,
    Case,
    ColumnCompare,
    ColumnMeta,
    Max,
    Min,
    Sum,
    UpdateExpr,
    WhereClause,
)
from kakaorm.expr import Subquery
from kakaorm.orm.queryset import QuerySet

__all__ = [
    "AggFunc",
    "Avg",
    "Case",
    "ColumnCompare",
    "ColumnMeta",
    "Max",
    "Min",
    "QuerySet",
    "Subquery",
    "Sum",
    "UpdateExpr",
    "WhereClause",
]
