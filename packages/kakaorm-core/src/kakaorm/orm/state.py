"""What a model instance's ``__dict__`` holds besides its column values."""

from __future__ import annotations

__all__ = ["PK_KEY"]

#: instance-dict key holding the primary key the row was loaded or saved with;
#: absent or None means "not in the database"
PK_KEY = "_kakaorm_pk"
