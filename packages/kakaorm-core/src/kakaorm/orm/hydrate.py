"""Turning result rows into model instances, with no per-column work that a type
does not need.

The engine returns a query's rows with its cache entry (:class:`CompiledEntry`); the
hydrator built for a model and that entry's result columns is kept on the entry, so
a repeated query reuses it.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    """
    new = object.__new__
    pk_name = model._meta.pk.name
    pk_index = list(names).index(pk_name)
    keys = (*names, PK_KEY)
    names = tuple(names)
    if procs is None:

        def hydrate_plain(rows: Sequence[Sequence[Any]]) -> list[Any]:
            out: list[Any] = []
            append = out.append
            for row in rows:
                obj = new(model)
                d = dict(zip(names, row))
                d[PK_KEY] = d[pk_name]
                obj.__dict__ = d
                append(obj)
            return out

        return hydrate_plain

    todo = [(i, f) for i, f in enumerate(procs) if f is not None]

    def hydrate_converted(rows: Sequence[Sequence[Any]]) -> list[Any]:
        out: list[Any] = []
        append = out.append
        for row in rows:
            values = list(row)
            for i, f in todo:
                v = values[i]
                if v is not None:
                    values[i] = f(v)
            values.append(values[pk_index])
            obj = new(model)
            obj.__dict__ = dict(zip(keys, values))
            append(obj)
        return out

    return hydrate_converted
