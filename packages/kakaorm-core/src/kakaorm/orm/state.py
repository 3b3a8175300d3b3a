"""What a model instance keeps about its row besides its column values.

Hydration (:mod:`kakaorm.orm.hydrate`), persistence (:mod:`kakaorm.orm.persist`) and
the model itself read and write this marker, so it lives below all three.
"""

from __future__ import annotations

__all__ = ["PK_KEY"]

#: instance-dict key holding the primary key the row was loaded or saved with;
#: absent or None means "not in the database"
PK_KEY = "_kakaorm_pk"
