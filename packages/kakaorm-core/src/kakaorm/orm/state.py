"""What a model instance's ``__dict__`` holds besides its column values, and how
KakaORM's generated code stores values on an instance."""

from __future__ import annotations

import keyword
from collections.abc import Iterable
from typing import Any

__all__ = ["PK_KEY", "put", "reads_attributes", "reserve_attributes", "stored", "stores_attributes"]

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


def reserve_attributes(model: type, names: Iterable[str]) -> None:
    """Make ``names`` part of the key table that ``model``'s instances share, before
    any instance exists; called once per concrete model class.

    CPython lets that shared table take new names only while few instances of the
    class have been made: each new instance takes away one of its free slots. A name
    first stored after that (a prefetched relation, after a process built many
    instances before its first save or fetch) goes into a dict that CPython then
    builds for each instance: callgrind counted 2,513 instructions per prefetched
    value stored so, 461 with the name in the table. Storing every name once, on a
    throwaway instance made without ``__init__``, puts them there while it has room.

    Skipped unless every name is stored as an attribute (:func:`stores_attributes`:
    the store runs no code of the model's), and for a model with ``__del__``, which
    the throwaway instance would run.
    """
    names = tuple(names)
    if not stores_attributes(model, names) or any("__del__" in klass.__dict__ for klass in model.__mro__):
        return
    probe: object = object.__new__(model)
    for name in names:
        setattr(probe, name, None)


def reads_attributes(model: type, names: Iterable[str]) -> bool:
    """Whether code written for ``model`` may also read ``names`` as attributes
    (``obj.title``) instead of from ``obj.__dict__``, and store them as
    :func:`stores_attributes` allows.

    Reading ``obj.__dict__`` makes CPython build a dict for an instance that kept its
    attributes inside itself, for as long as the instance lives. An attribute read
    gives what the dict holds under the name when the instance holds it, if the model
    keeps ``object.__getattribute__``, has no ``__getattr__`` and no data descriptor
    takes the name (checked by :func:`stores_attributes`). A name the instance does
    not hold reads as AttributeError, or as None for a column kept in its class
    (see ``kakaorm.orm.model_meta``): the caller treats both as "not set".
    """
    if model.__getattribute__ is not object.__getattribute__:  # type: ignore[comparison-overlap]
        return False
    if any("__getattr__" in klass.__dict__ for klass in model.__mro__):
        return False
    return stores_attributes(model, names)


def stored(obj: Any, name: str) -> Any:
    """What the model instance ``obj`` holds under ``name`` (a column, or
    :data:`PK_KEY`), None when nothing: ``obj.__dict__.get(name)``, read as an attribute
    where that gives the same (``ModelOptions.attribute_access``), so that CPython
    builds no dict for an instance that keeps its values inside itself."""
    if obj._meta.attribute_access:
        return getattr(obj, name, None)
    return obj.__dict__.get(name)


def put(obj: Any, name: str, value: Any) -> None:
    """Store ``value`` in the model instance ``obj`` under ``name``, as :func:`stored`
    reads it (an attribute store where that is the same as writing ``__dict__``)."""
    if obj._meta.attribute_access:
        setattr(obj, name, value)
    else:
        obj.__dict__[name] = value
