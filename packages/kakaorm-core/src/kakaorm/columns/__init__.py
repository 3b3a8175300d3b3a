"""``kakaorm.columns``: the kakaorm 0.4 package path of the column types
(:mod:`kakaorm.columns.types`) and expressions (:mod:`kakaorm.columns.base`).

New code imports these names from ``kakaorm``.
"""

from kakaorm.columns import base, types

__all__ = ["base", "types"]
