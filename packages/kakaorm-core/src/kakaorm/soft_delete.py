"""``kakaorm.soft_delete``: the kakaorm 0.4 import path of :class:`~kakaorm.SoftDeleteModel`.

``SoftDeleteQuerySet`` names :class:`~kakaorm.QuerySet`, which serves every model
(``include_deleted()``, ``only_deleted()``, ``restore()`` and ``purge()`` are methods
of it), so it fits annotations; as an isinstance check it is true of every QuerySet.
"""

from __future__ import annotations

from kakaorm.orm.queryset import QuerySet as SoftDeleteQuerySet
from kakaorm.orm.soft_delete import SoftDeleteModel

__all__ = ["SoftDeleteModel", "SoftDeleteQuerySet"]
