"""``kakaorm.relationship``: the kakaorm 0.4 import path of the relation declarations.

The names are those of :mod:`kakaorm` (``kakaorm.relationship.has_many is
kakaorm.has_many``); new code imports them from ``kakaorm``.
"""

from __future__ import annotations

from kakaorm.orm.relations import belongs_to, has_many, has_one

__all__ = ["belongs_to", "has_many", "has_one"]
