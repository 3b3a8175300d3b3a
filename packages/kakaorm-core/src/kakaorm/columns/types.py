"""``kakaorm.columns.types``: the kakaorm 0.4 import path of the column types.

Every name is the :mod:`kakaorm` object of the same name.
"""

from __future__ import annotations

from kakaorm.orm.column_types import (
    BoolColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    IntColumn,
    StrColumn,
    TimeColumn,
)
from kakaorm.orm.columns import Column, ForeignKey

__all__ = [
    "BoolColumn",
    "Column",
    "DateColumn",
    "DateTimeColumn",
    "DecimalColumn",
    "FloatColumn",
    "ForeignKey",
    "IntColumn",
    "StrColumn",
    "TimeColumn",
]
