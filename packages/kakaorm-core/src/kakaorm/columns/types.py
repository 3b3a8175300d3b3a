"""``kakaorm.columns.types``: the kakaorm 0.4 import path of the column types.

Every name is the :mod:`kakaorm` object of the same name.
"""

from __future__ import annotations

from kakaorm.orm.columns import (
    BoolColumn,
    Column,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    StrColumn,
    TimeColumn,
)

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
