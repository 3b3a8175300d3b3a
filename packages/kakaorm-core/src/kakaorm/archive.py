"""``kakaorm.archive``: the kakaorm 0.4 import path of :class:`~kakaorm.ArchiveModel`.

``ArchiveQuerySet`` names :class:`~kakaorm.QuerySet` (see :mod:`kakaorm.soft_delete`).
"""

from __future__ import annotations

from typing import Any

from kakaorm.orm.archive import ArchiveModel
from kakaorm.orm.columns import Column
from kakaorm.orm.queryset import QuerySet as ArchiveQuerySet

__all__ = ["ArchiveModel", "ArchiveQuerySet", "archive_columns"]


def archive_columns(model: type[ArchiveModel]) -> dict[str, Column[Any]]:
    """The columns of ``model``'s archive table by name, ``archived_at`` last
    (those of ``model.archive_model()``)."""
    if not (isinstance(model, type) and issubclass(model, ArchiveModel)):
        raise TypeError(f"archive_columns() takes an ArchiveModel subclass, got {model!r}")
    return dict(model.archive_model()._meta.columns)
