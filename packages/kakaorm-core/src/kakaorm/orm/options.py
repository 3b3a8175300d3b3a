"""A model's table description (``Model._meta``) and the registry of concrete models
by class name, through which string references (``ForeignKey("User")``) resolve."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from kakaorm import exc
from kakaorm.orm.deletion import HARD_DELETE, DeleteStrategy
from kakaorm.orm.state import PK_KEY, reads_attributes

if TYPE_CHECKING:
    from kakaorm.orm.columns import Column
    from kakaorm.orm.model import Model
    from kakaorm.orm.relations import Relation

__all__ = ["ModelOptions", "is_model_class", "register_model", "resolve_model", "snake_case", "when_defined"]

#: concrete models by class name, then by module (two apps may both have a ``User``)
_models_by_name: dict[str, dict[str, type[Model]]] = {}


def snake_case(name: str) -> str:
    """``BlogPost`` -> ``blog_post``: a model's default table name."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def resolve_model(name: str, needed_by: str, module: str | None = None) -> type[Model]:
    """Find a concrete model class by class name.

    A model of that name defined in ``module`` (the module of the model that refers
    to it) wins; otherwise the name must belong to exactly one model.

    Raises:
        ModelError: no model of that name is defined (the message lists the known
            ones), or several modules define one and none is ``module``.
    """
    candidates = _models_by_name.get(name)
    if not candidates:
        known = ", ".join(sorted(_models_by_name)) or "none"
        raise exc.ModelError(
            f"{needed_by} refers to a model named {name!r}, but no such model is defined. "
            f"Known models: {known}"
        )
    if module is not None and module in candidates:
        return candidates[module]
    if len(candidates) > 1:
        raise exc.ModelError(
            f"{needed_by} refers to a model named {name!r}, which is ambiguous: the modules "
            f"{', '.join(sorted(candidates))} each define one. Pass the model class instead "
            "of its name"
        )
    return next(iter(candidates.values()))


class ModelOptions:
    """A model's table description, as ``Model._meta``."""

    def __init__(
        self,
        model: type[Model],
        table_name: str,
        columns: dict[str, Column[Any]],
        indexes: list[tuple[str, ...]],
        abstract: bool,
    ) -> None:
        self.model = model
        self.table_name = table_name
        self.columns = columns
        self.indexes = indexes
        self.abstract = abstract
        self.column_list: tuple[Column[Any], ...] = tuple(columns.values())
        self.names: tuple[str, ...] = tuple(columns)
        #: the compile-cache key of the model's own column list
        self.columns_key = ("model-columns", tuple(c._uid for c in self.column_list))
        pks = [c for c in self.column_list if c.primary_key]
        self.pk: Column[Any] = pks[0] if pks else None  # type: ignore[assignment]
        generated = tuple(c for c in self.column_list if not (c.primary_key and c.auto_increment))
        #: see insert_shape()
        self._insert_shapes: dict[bool, tuple[tuple[Column[Any], ...], Hashable]] = {
            True: (generated, tuple(c._uid for c in generated)),
            False: (self.column_list, tuple(c._uid for c in self.column_list)),
        }
        #: compile-cache keys of one instance's INSERT, by (key generated, RETURNING
        #: the key): see kakaorm.orm.persist.insert_row
        self.insert_keys: dict[tuple[bool, bool], Hashable] = {}
        self.auto_now = tuple(c for c in self.column_list if c.auto_now)
        self.auto_now_add = tuple(c for c in self.column_list if c.auto_now_add)
        #: True when some column has ``validators=`` (writes must run them)
        self.validated = any(c.validators for c in self.column_list)
        #: relation descriptors by attribute name
        self.relations: dict[str, Relation[Any]] = {}
        #: what delete() does and which rows queries see (see kakaorm.orm.deletion)
        self.deletion: DeleteStrategy = HARD_DELETE
        if not abstract:
            # this object is the columns' table in the SQL layer (kakaorm.expr.TableRef)
            for column in self.column_list:
                column.table = self

    def insert_shape(self, key_generated: bool) -> tuple[tuple[Column[Any], ...], Hashable]:
        """The columns an INSERT of one instance names (all but an auto-increment key
        when the database makes the key: ``key_generated``), and that list's part of
        the INSERT's compile-cache key, made once (``Insert(columns_key=...)``)."""
        return self._insert_shapes[key_generated]

    @functools.cached_property
    def attribute_access(self) -> bool:
        """Whether KakaORM reads and stores the instances' column values and loaded key
        as attributes rather than through ``__dict__`` (see
        :func:`~kakaorm.orm.state.reads_attributes`), decided at first use."""
        return reads_attributes(self.model, (*self.names, PK_KEY))

    @property
    def display_name(self) -> str:
        """How messages name the table: its model's class name (``TableRef``)."""
        return self.model.__name__

    def all_indexes(self) -> list[tuple[str, ...]]:
        """``Meta.indexes`` plus one index per ``index=True`` column."""
        out = list(self.indexes)
        for col in self.column_list:
            if col.index and not col.primary_key and not col.unique and (col.name,) not in out:
                out.append((col.name,))
        return out

    def column(self, name: str) -> Column[Any]:
        """The column called ``name``; ValueError naming the valid ones otherwise."""
        col = self.columns.get(name)
        if col is None:
            raise ValueError(
                f"Unknown column {name!r} for {self.model.__name__}; its columns are: "
                + ", ".join(self.names)
            )
        return col


def register_model(model: type[Model]) -> None:
    """Make a concrete model findable by its class name (the metaclass calls this), and
    run what waited for a model of that name (see :func:`when_defined`)."""
    _models_by_name.setdefault(model.__name__, {})[model.__module__] = model
    for callback in _waiting.pop(model.__name__, []):
        callback()


#: callbacks waiting for a model of a class name to be defined
_waiting: dict[str, list[Callable[[], None]]] = {}


def when_defined(name: str, callback: Callable[[], None]) -> None:
    """Call ``callback`` once a model called ``name`` is defined (now, if one is)."""
    if name in _models_by_name:
        callback()
    else:
        _waiting.setdefault(name, []).append(callback)


def is_model_class(obj: object) -> bool:
    """True for a model class (abstract or concrete), whatever defined it."""
    return isinstance(obj, type) and isinstance(getattr(obj, "_meta", None), ModelOptions)
