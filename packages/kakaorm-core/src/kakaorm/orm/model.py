"""Models: classes whose columns map to a table, and their instances (rows)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Literal, Mapping, Sequence, TypeVar

from kakaorm import _pydantic, exc
from kakaorm.orm import validation as _validation
from kakaorm.engine.engine import get_engine
from kakaorm.orm.columns import Column, IntColumn, coerce_value, utcnow
from kakaorm.orm.persist import bulk_insert
from kakaorm.orm.relations import CACHE_KEY as RELATION_CACHE_KEY, Relation
from kakaorm.orm.state import PK_KEY
from kakaorm.orm.table import model_table_schema
from kakaorm.expr import Comparison, Condition, Param
from kakaorm.statements import Delete, Insert, Update

if TYPE_CHECKING:
    from typing import Self

    from pydantic import BaseModel
    from pydantic.annotated_handlers import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic_core import CoreSchema

    from kakaorm.engine.engine import Engine
    from kakaorm.orm.queryset import QuerySet
    from kakaorm.schema import TableSchema

__all__ = ["PK_KEY", "Model", "ModelOptions", "resolve_model"]

M = TypeVar("M", bound="Model")

#: concrete models by class name, then by module (two apps may both have a ``User``)
_models_by_name: dict[str, dict[str, type[Model]]] = {}

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


def _snake_case(name: str) -> str:
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
        self.auto_now = tuple(c for c in self.column_list if c.auto_now)
        self.auto_now_add = tuple(c for c in self.column_list if c.auto_now_add)
        #: True when some column has ``validators=`` (writes must run them)
        self.validated = any(c.validators for c in self.column_list)
        #: relation descriptors by attribute name
        self.relations: dict[str, Relation[Any]] = {}
        #: what delete() does: "delete" (remove the row), "soft" or "archive"
        self.deletion = "delete"
        #: True when queries need the model's scope hooks (soft delete, archive)
        self.scoped = False
        if not abstract:
            # this object is the columns' table in the SQL layer (kakaorm.expr.TableRef)
            for column in self.column_list:
                column.table = self

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


class ModelMeta(type):
    """Builds ``_meta`` when a model class is defined, and checks the definition."""

    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any], **kw: Any) -> ModelMeta:
        cls = super().__new__(mcls, name, bases, ns, **kw)
        meta_cls = ns.get("Meta")
        is_root = not any(isinstance(b, ModelMeta) for b in bases)
        abstract = is_root or bool(getattr(meta_cls, "abstract", False))

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
                setattr(cls, attr, col)
                bound[attr] = col
            columns = bound

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

        table_name = getattr(meta_cls, "table_name", None) or _snake_case(name)
        base_options = next(
            (b.__dict__["_meta"] for b in cls.__mro__[1:] if isinstance(b.__dict__.get("_meta"), ModelOptions)),
            None,
        )
        cls._meta = ModelOptions(cls, table_name, columns, indexes, abstract)  # type: ignore[arg-type, attr-defined]
        cls._meta.relations = relations  # type: ignore[attr-defined]
        if base_options is not None:
            cls._meta.deletion = base_options.deletion  # type: ignore[attr-defined]
            cls._meta.scoped = base_options.scoped  # type: ignore[attr-defined]
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
        if not abstract:
            _models_by_name.setdefault(name, {})[cls.__module__] = cls  # type: ignore[assignment]
        return cls


class Model(metaclass=ModelMeta):
    """Base class of models. Each subclass is a table; each instance a row.

    Example::

        class Task(Model):
            title = StrColumn(nullable=False)
            done = BoolColumn(nullable=False, default=False)

        task = await Task.create(title="Write docs")
        open_tasks = await Task.where(Task.done == False).order_by(Task.id.desc)
    """

    _meta: ClassVar[ModelOptions]
    NotFound: ClassVar[type[exc.NotFound]]
    MultipleResults: ClassVar[type[exc.MultipleResults]]

    if TYPE_CHECKING:
        # Added at class creation when no column is the primary key.
        id: ClassVar[IntColumn[int]]

    def __init__(self, **values: Any) -> None:
        meta = self._meta
        if meta.abstract:
            raise TypeError(f"{type(self).__name__} is abstract and has no table; subclass it")
        columns = meta.columns
        for key in values:
            if key not in columns:
                raise TypeError(
                    f"Unknown field {key!r} for {type(self).__name__}(); valid fields: "
                    + ", ".join(sorted(columns))
                )
        d = self.__dict__
        for name, col in columns.items():
            if name in values:
                d[name] = coerce_value(col, values[name])
            else:
                d[name] = col.get_default()

    @classmethod
    def __table_schema__(cls) -> TableSchema:
        """The model's table in portable terms (:mod:`kakaorm.orm.table`): what the
        engine's DDL methods and the migration planner write DDL from."""
        return model_table_schema(cls)

    # -- representation -------------------------------------------------------------
    def __repr__(self) -> str:
        pk = self._meta.pk
        return f"<{type(self).__name__} {pk.name}={self.__dict__.get(pk.name)!r}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Model):
            return NotImplemented
        mine = self.__dict__.get(PK_KEY)
        if mine is None:
            return self is other
        return type(self) is type(other) and mine == other.__dict__.get(PK_KEY)

    def __hash__(self) -> int:
        pk = self.__dict__.get(PK_KEY)
        if pk is None:
            raise TypeError(f"an unsaved {type(self).__name__} is not hashable: save it first")
        return hash((type(self), pk))

    def to_dict(self) -> dict[str, Any]:
        """The row as ``{column name: value}``."""
        d = self.__dict__
        return {name: d.get(name) for name in self._meta.names}

    @property
    def is_saved(self) -> bool:
        """True once the instance has been inserted or was loaded from the database."""
        return self.__dict__.get(PK_KEY) is not None

    # -- pydantic-compatible API (kakaorm._pydantic; pydantic itself is optional) ------
    def model_dump(
        self, *, mode: Literal["python", "json"] = "python", include: _pydantic.FieldSet = None,
        exclude: _pydantic.FieldSet = None, exclude_none: bool = False,
    ) -> dict[str, Any]:
        """The row as a dict; ``mode="json"`` gives JSON-safe values. Needs no pydantic."""
        return _pydantic.dump(self, mode=mode, include=include, exclude=exclude, exclude_none=exclude_none)

    def model_dump_json(
        self, *, indent: int | None = None, include: _pydantic.FieldSet = None,
        exclude: _pydantic.FieldSet = None, exclude_none: bool = False,
    ) -> str:
        """The row as a JSON string. Needs no pydantic."""
        return _pydantic.dump_json(self, indent=indent, include=include, exclude=exclude, exclude_none=exclude_none)

    @classmethod
    def model_validate(cls, obj: Any, *, strict: bool | None = None) -> Self:
        """A new unsaved instance from a dict, a model instance or a pydantic model,
        each value checked against its column and its ``validators`` (pydantic's
        ValidationError otherwise)."""
        return _pydantic.validate(cls, obj, strict=strict)  # type: ignore[return-value]

    @classmethod
    def model_json_schema(cls, mode: Literal["validation", "serialization"] = "validation") -> dict[str, Any]:
        """The model's JSON schema (``mode="serialization"`` for what a dump holds)."""
        return _pydantic.model_json_schema(cls, mode)

    @classmethod
    def create_schema(cls) -> type[BaseModel]:
        """A pydantic model of a request body creating a row (no generated columns)."""
        return _pydantic.request_schema(cls, "create")

    @classmethod
    def update_schema(cls) -> type[BaseModel]:
        """A pydantic model of a request body updating a row (every field optional)."""
        return _pydantic.request_schema(cls, "update")

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """Makes a model class usable as a pydantic field type or FastAPI response_model."""
        return _pydantic.core_schema(cls, handler)

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        """The model's JSON schema, named after the model (see kakaorm._pydantic)."""
        return _pydantic.json_schema(cls, handler)

    @classmethod
    def __table_ref__(cls) -> ModelOptions:
        """The model's table as statements name it (see kakaorm.expr.tables)."""
        return cls._meta

    # -- hooks (override in subclasses) ---------------------------------------------
    async def before_insert(self) -> None:
        """Called by ``save()`` just before an INSERT."""

    async def after_insert(self) -> None:
        """Called by ``save()`` just after an INSERT."""

    async def before_update(self) -> None:
        """Called by ``save()`` just before an UPDATE."""

    async def after_update(self) -> None:
        """Called by ``save()`` just after an UPDATE."""

    async def before_delete(self) -> None:
        """Called by ``delete()`` just before the DELETE."""

    async def after_delete(self) -> None:
        """Called by ``delete()`` just after the DELETE."""

    # -- instance persistence -------------------------------------------------------
    @classmethod
    def _engine(cls) -> Engine:
        return get_engine()

    def validate(self) -> None:
        """Run every column's ``validators`` on the instance's current values.

        Writes do this by themselves; call it to check an instance without saving.

        Raises:
            TypeError: a value of a validated column has the wrong type (as ``save()``
                would say).
            ValidationError: one or more values are refused; it lists every failure.
        """
        d = self.__dict__
        pairs = []
        for col in self._meta.column_list:
            if col.validators:
                value = d.get(col.name)
                if value is not None:  # checked as a write would see it (a numeric str as a Decimal)
                    value = coerce_value(col, value)
                pairs.append((col, value))
        _validation.check_values(pairs, self)

    async def save(self) -> None:
        """INSERT the instance if it is new, else UPDATE its row (by primary key).

        Afterwards the instance holds what its row holds: the generated key, the
        defaults and the automatic timestamps. The column validators run on the values
        about to be written, after ``before_insert``/``before_update``.

        Raises:
            TypeError: a value has the wrong type for its column.
            ValidationError: column validators refused values; nothing was sent.
            NotFound: the row of a loaded instance no longer exists.
        """
        if self.__dict__.get(PK_KEY) is None:
            await self._insert()
        else:
            await self._update()

    def _row_values(self, columns: Sequence[Column[Any]]) -> list[Any]:
        """The values to write to ``columns``, type-checked and validated: every write of
        an instance (insert, update, bulk insert) takes its values from here.

        Raises:
            IntegrityError: a NOT NULL column has no value.
            TypeError: a value has the wrong type for its column.
            ValidationError: column validators refused values.
        """
        d = self.__dict__
        out: list[Any] = []
        append = out.append
        for col in columns:
            value = d.get(col.name)
            if value is None:
                if not col.nullable and not (col.primary_key and col.auto_increment):
                    raise exc.IntegrityError(
                        f"{type(self).__name__}.{col.name} is NOT NULL and has no value; "
                        "set it before saving"
                    )
            elif type(value) is not col.write_exact_type:
                value = coerce_value(col, value)
                d[col.name] = value
            append(value)
        if self._meta.validated:
            _validation.check_values(zip(columns, out), self)
        return out

    async def _insert(self) -> None:
        await self.before_insert()
        cls = type(self)
        meta = self._meta
        d = self.__dict__
        now = None
        for col in meta.auto_now_add:
            if d.get(col.name) is None:
                now = now or utcnow()
                d[col.name] = now
        for col in meta.auto_now:
            now = now or utcnow()
            d[col.name] = now
        pk = meta.pk
        columns = [c for c in meta.column_list if not (c is pk and c.auto_increment and d.get(c.name) is None)]
        values = self._row_values(columns)
        engine = cls._engine()
        stmt = Insert(cls, columns, [values])
        if d.get(pk.name) is None:
            d[pk.name] = await engine._insert(stmt, pk)
        else:
            await engine._insert(stmt, None)
        d[PK_KEY] = d[pk.name]
        await self.after_insert()

    async def _update(self) -> None:
        await self.before_update()
        cls = type(self)
        meta = self._meta
        d = self.__dict__
        if meta.auto_now:
            now = utcnow()
            for col in meta.auto_now:
                d[col.name] = now
        pk = meta.pk
        old_pk = d[PK_KEY]
        # the key is only written when it was changed (custom primary keys)
        columns = [c for c in meta.column_list if c is not pk or d.get(pk.name) != old_pk]
        values = self._row_values(columns)
        where = Comparison(pk, "=", Param(old_pk, pk.type))
        stmt = Update(cls, [(c, Param(v, c.type)) for c, v in zip(columns, values)], where)
        count = await cls._engine()._execute_stmt(stmt)
        if count == 0:
            raise cls.NotFound(
                f"save(): no {cls.__name__} row with {pk.name}={old_pk!r} exists any more "
                "(it was deleted); nothing was written"
            )
        d[PK_KEY] = d[pk.name]
        await self.after_update()

    async def delete(self) -> None:
        """DELETE the instance's row; ``before_delete``/``after_delete`` run around it.

        Raises:
            QueryError: the instance was never saved (or is already deleted).
        """
        cls = type(self)
        pk_value = self.__dict__.get(PK_KEY)
        if pk_value is None:
            raise exc.QueryError(
                f"cannot delete this {cls.__name__}: it is not in the database "
                "(never saved, or already deleted)"
            )
        await self.before_delete()
        await cls._delete_row(self, pk_value)
        await self.after_delete()

    # -- deletion strategy hooks (SoftDeleteModel and ArchiveModel override them) -------
    @classmethod
    async def _delete_row(cls, instance: Model, pk_value: Any) -> None:
        pk = cls._meta.pk
        await cls._engine()._execute_stmt(Delete(cls, Comparison(pk, "=", Param(pk_value, pk.type))))
        instance.__dict__[PK_KEY] = None

    @classmethod
    def _scope_where(cls, scope: str) -> Condition | None:
        return None

    @classmethod
    def _scope_source(cls, scope: str) -> Any:
        return None

    @classmethod
    async def _bulk_delete(cls, qs: QuerySet[Any]) -> int:
        return await qs._delete_rows()

    @classmethod
    async def _bulk_restore(cls, qs: QuerySet[Any]) -> int:
        raise exc.QueryError(f"{cls.__name__} deletes rows; there is nothing to restore")

    @classmethod
    async def _bulk_purge(cls, qs: QuerySet[Any]) -> int:
        raise exc.QueryError(f"{cls.__name__} deletes rows; there is nothing to purge")

    async def refresh(self) -> None:
        """Reload the instance's values from its row (a soft-deleted row too) and forget
        prefetched relations.

        Raises:
            QueryError: the instance is not in the database.
            NotFound: its row no longer exists.
        """
        cls = type(self)
        pk = self._meta.pk
        pk_value = self.__dict__.get(PK_KEY)
        if pk_value is None:
            raise exc.QueryError(
                f"cannot refresh this {cls.__name__}: it is not in the database "
                "(never saved, or deleted); save() it first"
            )
        qs = cls.all()
        if self._meta.deletion == "soft":
            qs = qs._with_scope("include")
        fresh = await qs.where(Comparison(pk, "=", Param(pk_value, pk.type))).get()
        # prefetched relations may no longer match the reloaded keys
        self.__dict__.pop(RELATION_CACHE_KEY, None)
        self.__dict__.update(fresh.__dict__)

    # -- class-level queries ----------------------------------------------------------
    @classmethod
    def all(cls) -> QuerySet[Self]:
        """A QuerySet of every row."""
        from kakaorm.orm.queryset import QuerySet

        return QuerySet._for(cls)

    @classmethod
    def where(cls, *conditions: Condition) -> QuerySet[Self]:
        """Rows matching every condition: ``Post.where(Post.views > 10)``."""
        return cls.all().where(*conditions)

    @classmethod
    def exclude(cls, condition: Condition) -> QuerySet[Self]:
        """Rows not matching the condition."""
        return cls.all().exclude(condition)

    @classmethod
    def order_by(cls, *items: Any) -> QuerySet[Self]:
        """Every row, ordered."""
        return cls.all().order_by(*items)

    @classmethod
    async def get(cls, *conditions: Condition) -> Self:
        """The one row matching the conditions.

        Raises:
            NotFound: no row matches (``Model.NotFound``).
            MultipleResults: more than one row matches (``Model.MultipleResults``).
        """
        return await cls.all().get(*conditions)

    @classmethod
    async def get_or_none(cls, *conditions: Condition) -> Self | None:
        """The one row matching the conditions, or None."""
        return await cls.all().get_or_none(*conditions)

    @classmethod
    async def first(cls) -> Self | None:
        """The row with the lowest primary key, or None."""
        return await cls.all().first()

    @classmethod
    async def last(cls) -> Self | None:
        """The row with the highest primary key, or None."""
        return await cls.all().last()

    @classmethod
    async def count(cls) -> int:
        """The number of rows."""
        return await cls.all().count()

    @classmethod
    async def find(cls, pk: Any) -> Self | None:
        """The row whose primary key is ``pk``, or None: ``await User.find(1)``."""
        from kakaorm.orm.crud import find

        return await find(cls, pk)

    @classmethod
    async def get_or_create(cls, defaults: Mapping[str, Any] | None = None, **lookup: Any) -> tuple[Self, bool]:
        """The row matching ``lookup`` (``field=value``, all ANDed), or a new one made
        from ``lookup`` and ``defaults``; returns ``(row, created)``.

        Race-safe when a unique constraint (or the primary key) covers the lookup
        fields: of concurrent calls, one creates the row, the others return it with
        ``created`` False. Without such a constraint, concurrent calls may each
        create a row.

        Raises:
            TypeError: an unknown field ("Unknown field ..."), or a value of the wrong type.
            MultipleResults: several rows match the lookup.
            IntegrityError: the new row breaks a constraint other than the lookup's.

        Example::

            tag, created = await Tag.get_or_create(name="python", defaults={"color": "blue"})
        """
        from kakaorm.orm.crud import get_or_create

        return await get_or_create(cls, defaults, lookup)

    @classmethod
    async def update_or_create(
        cls, defaults: Mapping[str, Any] | None = None, **lookup: Any
    ) -> tuple[Self, bool]:
        """Set ``defaults`` on the row matching ``lookup`` and save it, or create the
        row from ``lookup`` and ``defaults``; returns ``(row, created)``.

        The row is locked (``SELECT ... FOR UPDATE``; on SQLite transactions run one
        at a time) between reading and writing it, so concurrent calls never lose
        each other's changes. Race-safe as :meth:`get_or_create` (needs a unique
        constraint covering the lookup). Hooks run as for ``save()``.

        Raises:
            TypeError: an unknown field ("Unknown field ..."), or a value of the wrong type.
            MultipleResults: several rows match the lookup.
        """
        from kakaorm.orm.crud import update_or_create

        return await update_or_create(cls, defaults, lookup)

    @classmethod
    async def create(cls, **values: Any) -> Self:
        """Build an instance from ``values`` and INSERT it.

        Raises:
            TypeError: an unknown field, or a value of the wrong type.
            ValidationError: column validators refused values; nothing was sent.
        """
        obj = cls(**values)
        await obj.save()
        return obj

    @classmethod
    async def bulk_create(cls, objects: Sequence[Self], *, batch_size: int | None = None) -> list[Self]:
        """INSERT many instances in as few statements as the backend allows, in one
        transaction.

        Returns the instances given (the same objects; the same list when given a
        list), each holding its primary key, defaults and automatic timestamps.
        Hooks do not run (as for QuerySet updates). Every instance is checked (types,
        NOT NULL, column validators) before the first statement is sent.

        Raises:
            ValidationError: an instance's values are refused (``.instance`` is the
                first such instance); nothing was written.
            ValueError: ``batch_size`` is not a positive int.
        """
        return await bulk_insert(cls, objects, batch_size)

    @classmethod
    async def bulk_update(
        cls, objects: Sequence[Self], fields: Sequence[str] | None = None, *, batch_size: int | None = None
    ) -> list[Self]:
        """UPDATE many saved instances in batched statements, in one transaction.

        Each statement sets every field for a batch of rows
        (``SET f = CASE WHEN key = ? THEN ? ... END WHERE key IN (...)``), batches
        staying under the backend's parameter limit (and ``batch_size`` rows).
        ``auto_now`` columns are set to the current time, as ``save()`` does. Hooks
        do not run.

        Args:
            fields: the field names to write; None writes every column but the key.
            batch_size: at most this many rows per statement.

        Returns:
            The instances given (the same list when given a list).

        Raises:
            ValueError: an unknown field name ("Unknown field ..."), or ``batch_size``
                is not a positive int.
            QueryError: an instance is not saved, or its primary key was changed.
            NotFound: a row no longer exists (nothing is written then).
        """
        from kakaorm.orm.crud import bulk_update

        return await bulk_update(cls, objects, fields, batch_size)

    @classmethod
    async def truncate(cls, *, restart_identity: bool = True) -> None:
        """Delete every row and (unless ``restart_identity=False``) restart the
        generated keys; see :meth:`Engine.truncate`."""
        await cls._engine().truncate(cls, restart_identity=restart_identity)
