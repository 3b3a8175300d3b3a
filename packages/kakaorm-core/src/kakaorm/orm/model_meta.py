"""The model metaclass: reads a model class definition into its ``_meta``."""

from __future__ import annotations

from typing import Any

from kakaorm import exc
from kakaorm.orm.column_types import IntColumn
from kakaorm.orm.columns import Column
from kakaorm.orm.instance_init import GENERATED, model_init
from kakaorm.orm.options import ModelOptions, register_model, snake_case
from kakaorm.orm.relations import Relation
from kakaorm.orm.state import PK_KEY, reserve_attributes

__all__ = ["ModelMeta"]

# ``select`` is deliberately not a Model method (use ``Model.all().select(...)``), so a
# column may be called ``select``.
_RESERVED = frozenset(
    {
        "save", "delete", "to_dict", "create", "get", "get_or_none", "first", "last", "all",
        "where", "exclude", "order_by", "count", "bulk_create", "truncate",
        "refresh", "before_insert", "after_insert", "before_update", "after_update",
        "before_delete", "after_delete", "NotFound", "MultipleResults", "using",
        "restore", "include_deleted", "only_deleted", "purge", "prefetch", "is_saved",
        "model_dump", "model_dump_json", "model_validate", "model_json_schema",
        "create_schema", "update_schema", "validate",
        "bulk_update", "find", "get_or_create", "update_or_create",
    }
)


class ModelMeta(type):
    """Builds ``_meta`` when a model class is defined, and checks the definition."""

    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any], **kw: Any) -> ModelMeta:
        meta_cls = ns.get("Meta")
        is_root = not any(isinstance(b, ModelMeta) for b in bases)
        abstract = is_root or bool(getattr(meta_cls, "abstract", False))
        for base in bases:  # as class statements do (a call of ModelMeta(...) may not)
            kind = type(base)
            if issubclass(kind, mcls):
                mcls = kind
        # A concrete model is the one instance of a metaclass of its own, which holds
        # its columns (see _place_columns).
        own = mcls if abstract else type(f"{name}Meta", (mcls,), {"__module__": ns.get("__module__")})
        cls: ModelMeta = super().__new__(own, name, bases, ns, **kw)

        columns: dict[str, Column[Any]] = {}
        for base in reversed(cls.__mro__[1:]):
            base_meta = base.__dict__.get("_meta")
            if isinstance(base_meta, ModelOptions):
                columns.update(base_meta.columns)
        for attr, value in ns.items():
            if isinstance(value, Column):
                if attr in _RESERVED:
                    raise exc.ModelError(
                        f"{name}.{attr}: {attr!r} is the name of a Model method; "
                        "rename the column"
                    )
                if attr.startswith("_"):
                    raise exc.ModelError(f"{name}.{attr}: column names may not start with '_'")
                columns[attr] = value

        pks = [n for n, c in columns.items() if c.primary_key]
        if len(pks) > 1:
            raise exc.ModelError(
                f"{name} declares more than one primary key ({', '.join(pks)}); "
                "a model has exactly one primary-key column"
            )
        if not abstract:
            if not pks:
                if "id" in columns:
                    raise exc.ModelError(
                        f"{name} has a column named 'id' that is not its primary key; "
                        "mark it primary_key=True or give another column primary_key=True"
                    )
                id_col: Column[Any] = IntColumn(primary_key=True, auto_increment=True)
                id_col.__set_name__(cls, "id")
                columns = {"id": id_col, **columns}
            bound: dict[str, Column[Any]] = {}
            for attr, col in columns.items():
                if col.model is None:
                    col.model = cls
                elif col.model is not cls:
                    col = col._copy_for(cls)  # type: ignore[arg-type]
                bound[attr] = col
            columns = bound
        _place_columns(cls, columns, abstract)

        indexes: list[tuple[str, ...]] = []
        for entry in getattr(meta_cls, "indexes", None) or []:
            if isinstance(entry, str) or not isinstance(entry, (tuple, list)) or not entry:
                raise exc.ModelError(
                    f"{name}.Meta.indexes entries are tuples of column names, e.g. "
                    f"('category', 'price') or ('name',); got {entry!r}"
                )
            for col_name in entry:
                if col_name not in columns:
                    raise exc.ModelError(
                        f"{name}.Meta.indexes names {col_name!r}, which is not a column of "
                        f"{name}; its columns are: {', '.join(columns)}"
                    )
            indexes.append(tuple(entry))

        relations: dict[str, Relation[Any]] = {}
        for base in reversed(cls.__mro__[1:]):
            base_meta = base.__dict__.get("_meta")
            if isinstance(base_meta, ModelOptions):
                relations.update(base_meta.relations)
        for attr, value in ns.items():
            if isinstance(value, Relation):
                if attr in _RESERVED or attr in columns:
                    raise exc.ModelError(
                        f"{name}.{attr}: the relation's name is taken by a column or a Model "
                        "method; rename it"
                    )
                relations[attr] = value

        table_name = getattr(meta_cls, "table_name", None) or snake_case(name)
        base_options = next(
            (b.__dict__["_meta"] for b in cls.__mro__[1:] if isinstance(b.__dict__.get("_meta"), ModelOptions)),
            None,
        )
        cls._meta = ModelOptions(cls, table_name, columns, indexes, abstract)  # type: ignore[arg-type, attr-defined]
        cls._meta.relations = relations  # type: ignore[attr-defined]
        if base_options is not None:
            cls._meta.deletion = base_options.deletion  # type: ignore[attr-defined]
        if "NotFound" not in ns:
            cls.NotFound = type(  # type: ignore[attr-defined]
                "NotFound", (exc.NotFound,), {"__module__": cls.__module__, "__qualname__": f"{name}.NotFound"}
            )
        if "MultipleResults" not in ns:
            cls.MultipleResults = type(  # type: ignore[attr-defined]
                "MultipleResults",
                (exc.MultipleResults,),
                {"__module__": cls.__module__, "__qualname__": f"{name}.MultipleResults"},
            )
        if not is_root and "__init__" not in ns:
            _install_init(cls, columns, abstract)
        if not abstract:
            register_model(cls)  # type: ignore[arg-type]
        for value in ns.values():
            if isinstance(value, Relation):
                value.attach(cls)  # type: ignore[arg-type]
        if not abstract:
            # what the ORM stores on instances: columns, the loaded key, prefetched relations
            reserve_attributes(cls, (*columns, PK_KEY, *relations))
        return cls


class _AbstractColumn:
    """Put on :class:`ModelMeta` under the name of an abstract model's column, so that
    ``Stamped.created`` reads the column from the abstract model's options.

    An abstract model shares its metaclass with others (so that a model may inherit
    from several), which therefore cannot hold its columns as a concrete model's own
    metaclass does. A ``__getattr__`` on the metaclass would do it too, but would put
    every read of any model class's attribute (``Post._meta``, ``Post.get``) on
    CPython's slow path, at about four times the cost. A concrete model's metaclass
    holds its own column of the name, which is found first.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, cls: type | None, owner: type | None = None) -> Column[Any]:
        if cls is not None:
            meta = cls.__dict__.get("_meta")
            if isinstance(meta, ModelOptions) and self.name in meta.columns:
                return meta.columns[self.name]
        name = (owner if cls is None else cls).__name__  # type: ignore[union-attr]
        raise AttributeError(f"type object {name!r} has no attribute {self.name!r}")


class _HidingColumn:
    """Kept in a model class under a column's name where a base class has an attribute
    of that name, to hide it: the class reads the column, an instance without a value
    reads None (its value, once set, is found in the instance first)."""

    __slots__ = ("column",)

    def __init__(self, column: Column[Any]) -> None:
        self.column = column

    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        return self.column if instance is None else None


def _place_columns(cls: type, columns: dict[str, Column[Any]], abstract: bool) -> None:
    """Take the columns out of the class ``__dict__``; a concrete model's go on its
    own metaclass instead, so that ``Post.views`` still reads the column.

    CPython specialises the attribute reads and stores of instances (``post.views``,
    the hydrator's ``obj.views = v``) only for names whose class attribute is absent
    or of a built-in type; a column, an object of a Python class, would make every
    one of them take the generic path, at about twice the cost. An abstract model's
    columns are read through an :class:`_AbstractColumn` of their name on ModelMeta
    (unless the name is already one of the metaclass's, such as ``mro``).
    Where a base class has an attribute of a column's name (a relation the model
    redefines as a column), a :class:`_HidingColumn` stays in the class, to hide it.
    """
    for attr, col in columns.items():
        if isinstance(cls.__dict__.get(attr), Column):
            delattr(cls, attr)
        if abstract:
            if attr not in dir(ModelMeta):  # its own, type's and those placed before
                setattr(ModelMeta, attr, _AbstractColumn(attr))
        else:
            setattr(type(cls), attr, col)
            if any(attr in base.__dict__ for base in cls.__mro__[1:]):
                type.__setattr__(cls, attr, _HidingColumn(col))
    if not abstract:
        _hide_foreign_columns(cls, columns)


def _hide_foreign_columns(cls: type, columns: dict[str, Column[Any]]) -> None:
    """A column that a concrete model inherits from a class that is no model (a plain
    mixin) is none of its columns; a column is no descriptor, so an instance would read
    the column object itself. It is hidden as a model's own column is: the class reads
    it, an instance without a value of that name reads None."""
    seen: set[str] = {*columns, *vars(cls)}
    for base in cls.__mro__[1:]:
        for attr, value in vars(base).items():
            if attr in seen:
                continue
            seen.add(attr)  # the first class holding the name is the one read
            if isinstance(value, Column):
                type.__setattr__(cls, attr, _HidingColumn(value))


def _install_init(cls: type, columns: dict[str, Column[Any]], abstract: bool) -> None:
    """Give a model that inherits ``Model.__init__`` (or another model's written one)
    an ``__init__`` written for its columns (see :mod:`kakaorm.orm.instance_init`); an
    abstract one gets the generic ``__init__`` back, which refuses to build it."""
    root = next(b for b in reversed(cls.__mro__) if isinstance(b, ModelMeta))
    generic = root.__dict__["__init__"]
    inherited = next(b.__dict__["__init__"] for b in cls.__mro__ if "__init__" in b.__dict__)
    written = getattr(inherited, GENERATED, False)
    if inherited is not generic and not written:
        return  # a model (or mixin) of the user's defines its own __init__
    init = None if abstract else model_init(cls, columns, generic)
    if init is not None:
        cls.__init__ = init  # type: ignore[misc]
    elif written:
        cls.__init__ = generic  # type: ignore[misc]
