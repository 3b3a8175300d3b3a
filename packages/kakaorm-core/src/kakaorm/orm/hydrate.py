"""Turning result rows into model instances, with no per-column work that a type
does not need.

The engine returns a query's rows with its cache entry (:class:`CompiledEntry`); the
hydrator built for a model and that entry's result columns is kept on the entry, so
a repeated query reuses it.

A hydrator is a small function written for its row shape (like the ``__init__``
that :mod:`dataclasses` writes): each row is unpacked into locals and the instance
dict is one dict display, with a conversion call only on the columns that have one.
That is about twice as fast per row as a generic loop over the columns. The source
holds nothing from the schema: column names and conversions are passed in by
position (``k3``, ``p3``), so no name can change the code, and one written factory
serves every query of the same shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from kakaorm.dialect import Processor
from kakaorm.engine.cache import CompiledEntry, RowsBuilder
from kakaorm.orm.state import PK_KEY

if TYPE_CHECKING:
    from kakaorm.orm.model import Model

__all__ = ["Hydrator", "hydrate_models", "model_hydrator"]

M = TypeVar("M", bound="Model")

#: builds instances from a batch of rows
Hydrator = RowsBuilder


def hydrate_models(entry: CompiledEntry, model: type[M], rows: Sequence[Sequence[Any]]) -> list[M]:
    """Build ``model`` instances from rows of the model's own columns fetched with ``entry``."""
    return entry.build_rows(model, model_hydrator, rows)


def model_hydrator(
    model: type[Model], names: Sequence[str], procs: Sequence[Processor | None] | None
) -> Hydrator:
    """A function building ``model`` instances from rows whose columns are ``names``.

    Instances are made without calling ``__init__``: the row's values go straight into
    the instance dict, plus the loaded primary key (marking the instance as saved).
    A NULL is never passed to a conversion. A row of another length than ``names``
    is a ValueError.
    """
    names = tuple(names)
    pk_index = names.index(model._meta.pk.name)
    converted = tuple(i for i in range(len(names)) if procs is not None and procs[i] is not None)
    make = _factory(len(names), converted, pk_index)
    return make(object.__new__, model, PK_KEY, *names, *(procs[i] for i in converted))  # type: ignore[index]


#: hydrator factories by row shape: (width, converted positions, key position)
_factories: dict[tuple[int, tuple[int, ...], int], Callable[..., Hydrator]] = {}
#: shapes beyond this many are written each time instead of kept
_MAX_FACTORIES = 512


def _factory(width: int, converted: tuple[int, ...], pk_index: int) -> Callable[..., Hydrator]:
    """The function that makes hydrators for rows of one shape, from the model, the
    column names and the conversions (passed in, never written into the source).

    Written once per shape and kept: a statement compiled anew (a shape not cached,
    an IN list of a new length) then costs a closure, not a compile.
    """
    key = (width, converted, pk_index)
    make = _factories.get(key)
    if make is not None:
        return make
    entries: list[str] = []
    key_line = ""
    for i in range(width):
        if i not in converted:
            entries.append(f"k{i}: v{i}")
        elif i == pk_index:
            # the key is converted once, for its column and for the loaded key
            key_line = f"            v{i} = None if v{i} is None else p{i}(v{i})\n"
            entries.append(f"k{i}: v{i}")
        else:
            entries.append(f"k{i}: None if v{i} is None else p{i}(v{i})")
    entries.append(f"PK: v{pk_index}")
    params = ["new", "model", "PK", *(f"k{i}" for i in range(width)), *(f"p{i}" for i in converted)]
    unpack = "".join(f"v{i}, " for i in range(width))
    source = (
        f"def make({', '.join(params)}):\n"
        "    def hydrate(rows):\n"
        "        out = []\n"
        "        append = out.append\n"
        f"        for ({unpack}) in rows:\n"
        f"{key_line}"
        "            obj = new(model)\n"
        f"            obj.__dict__ = {{{', '.join(entries)}}}\n"
        "            append(obj)\n"
        "        return out\n"
        "    return hydrate\n"
    )
    namespace: dict[str, Any] = {}
    # the source names only positions (k3, p3, v3): nothing of the schema is pasted in
    exec(compile(source, f"<kakaorm hydrator for rows of {width} columns>", "exec"), namespace)
    make = namespace["make"]
    if len(_factories) < _MAX_FACTORIES:
        _factories[key] = make
    return make  # type: ignore[no-any-return]
