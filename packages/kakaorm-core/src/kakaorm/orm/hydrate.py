"""Turning result rows into model instances, with no per-column work that a type
does not need."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from kakaorm.dialect import Processor

if TYPE_CHECKING:
    from kakaorm.orm.model import Model

Hydrator = Callable[[Sequence[Sequence[Any]]], list[Any]]


def model_hydrator(
    model: type[Model], names: Sequence[str], procs: Sequence[Processor | None] | None
) -> Hydrator:
    """A function building ``model`` instances from rows whose columns are ``names``.

    Instances are made without calling ``__init__``: the row's values go straight into
    the instance dict, plus the loaded primary key (marking the instance as saved).
    """
    from kakaorm.orm.model import PK_KEY

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
