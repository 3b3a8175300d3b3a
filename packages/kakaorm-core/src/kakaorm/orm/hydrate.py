"""Turning result rows into model instances, with no per-column work that a type
does not need.

The engine returns a query's rows with its cache entry (:class:`CompiledEntry`); the
hydrator built for a model and that entry's result columns is kept on the entry, so
a repeated query reuses it.

A hydrator is a small function written for its row shape (like the ``__init__``
that :mod:`dataclasses` writes): each row is unpacked into locals, with a
conversion call only on the columns that have one, and the values are stored on a
new instance one attribute at a time (``obj.title = v1``). CPython keeps such
attributes in the instance itself, in the order of a key table the class shares,
until something asks for ``__dict__``: building an instance this way costs about
half of building a dict and assigning it, and freeing it less too.

Column names are written into the source only when they are plain ASCII identifiers
that no data descriptor or ``__setattr__`` of the model would intercept (see
:func:`~kakaorm.orm.state.stores_attributes`). Otherwise, the instance dict is one
dict display instead, and the names are passed in by position (``k3``), so no name
can change the code. Conversions are always passed in (``p3``). The written
factories are kept by shape, so a statement compiled anew costs a closure, not a
compile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from kakaorm.dialect import Processor
from kakaorm.engine.cache import CompiledEntry, RowsBuilder
from kakaorm.orm.state import PK_KEY, stores_attributes

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
    the instance's attributes, plus the loaded primary key (marking the instance as
    saved). A NULL is never passed to a conversion. A row of another length than
    ``names`` is a ValueError.
    """
    names = tuple(names)
    pk_index = names.index(model._meta.pk.name)
    converted = tuple(i for i in range(len(names)) if procs is not None and procs[i] is not None)
    written = names if stores_attributes(model, (*names, PK_KEY)) else None
    make = _factory(len(names), converted, pk_index, written)
    # object.__new__ with the model bound: a call without arguments per row (callgrind:
    # 127 instructions fewer per row fetched with asyncpg)
    return make(partial(object.__new__, model), PK_KEY, *names, *(procs[i] for i in converted))  # type: ignore[index]


#: hydrator factories by row shape: (width, converted positions, key position, the
#: names written into the source or None)
_factories: dict[tuple[int, tuple[int, ...], int, tuple[str, ...] | None], Callable[..., Hydrator]] = {}
#: shapes beyond this many are written each time instead of kept
_MAX_FACTORIES = 512


def _factory(
    width: int, converted: tuple[int, ...], pk_index: int, written: tuple[str, ...] | None
) -> Callable[..., Hydrator]:
    """The function that makes hydrators for rows of one shape, from the model, the
    column names and the conversions.

    ``written``: the column names to store as attributes, written into the source
    (checked by :func:`~kakaorm.orm.state.stores_attributes`); None builds a dict
    display whose keys are passed in.
    """
    key = (width, converted, pk_index, written)
    make = _factories.get(key)
    if make is not None:
        return make
    values: list[str] = []
    key_line = ""
    for i in range(width):
        if i not in converted:
            values.append(f"v{i}")
        elif i == pk_index:
            # the key is converted once, for its column and for the loaded key
            key_line = f"            v{i} = None if v{i} is None else p{i}(v{i})\n"
            values.append(f"v{i}")
        else:
            values.append(f"None if v{i} is None else p{i}(v{i})")
    if written is None:
        entries = [f"k{i}: {value}" for i, value in enumerate(values)]
        entries.append(f"PK: v{pk_index}")
        store = f"            obj.__dict__ = {{{', '.join(entries)}}}\n"
    else:
        lines = [f"            obj.{name} = {value}\n" for name, value in zip(written, values)]
        lines.append(f"            obj.{PK_KEY} = v{pk_index}\n")
        store = "".join(lines)
    params = ["new", "PK", *(f"k{i}" for i in range(width)), *(f"p{i}" for i in converted)]
    unpack = "".join(f"v{i}, " for i in range(width))
    source = (
        f"def make({', '.join(params)}):\n"
        "    def hydrate(rows):\n"
        "        out = []\n"
        "        append = out.append\n"
        f"        for ({unpack}) in rows:\n"
        f"{key_line}"
        "            obj = new()\n"
        f"{store}"
        "            append(obj)\n"
        "        return out\n"
        "    return hydrate\n"
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<kakaorm hydrator for rows of {width} columns>", "exec"), namespace)
    make = namespace["make"]
    if len(_factories) < _MAX_FACTORIES:
        _factories[key] = make
    return make  # type: ignore[no-any-return]
