"""What a model instance's ``__dict__`` holds besides its column values, and how
KakaORM's generated code stores values on an instance."""

from __future__ import annotations

import keyword
from collections.abc import Iterable

__all__ = ["PK_KEY", "stores_attributes"]

#: instance-dict key holding the primary key the row was loaded or saved with;
#: absent or None means "not in the database"
PK_KEY = "_kakaorm_pk"


def stores_attributes(model: type, names: Iterable[str]) -> bool:
    """Whether code written for ``model`` may store ``names`` as attributes
    (``obj.title = v``) instead of writing them into ``obj.__dict__``.

    CPython keeps the attributes of a fresh instance inside the instance, in the order
    of a key table the class shares, until something asks for ``__dict__``; storing
    them one by one costs about half of building a dict and assigning (or updating)
    it, and the instance is smaller and freed faster. The two are the same only when
    the store lands in the instance dict and runs nothing else, so this is True only
    if the model keeps ``object.__setattr__`` and each name is a plain ASCII
    identifier (written into source, it names exactly itself), neither a keyword nor
    a dunder, and no class attribute of that name is a data descriptor (a property
    or slot would take the store).
    """
    if model.__setattr__ is not object.__setattr__:  # type: ignore[comparison-overlap]
        return False
    mro = model.__mro__
    for name in names:
        if not (name.isascii() and name.isidentifier()) or keyword.iskeyword(name) or name.startswith("__"):
            return False
        for klass in mro:
            if name in klass.__dict__:
                kind = type(klass.__dict__[name])
                if hasattr(kind, "__set__") or hasattr(kind, "__delete__"):
                    return False
                break
    return True
