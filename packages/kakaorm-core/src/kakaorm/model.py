"""``kakaorm.model``: the kakaorm 0.4 import path of :class:`~kakaorm.Model`.

``AsyncORMMeta`` (0.4's name of the model metaclass) is the metaclass of our Model.
"""

from __future__ import annotations

from kakaorm.orm.model import Model
from kakaorm.orm.model import ModelMeta as AsyncORMMeta

__all__ = ["AsyncORMMeta", "Model"]
