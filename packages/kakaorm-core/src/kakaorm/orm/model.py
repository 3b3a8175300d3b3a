"""Models: classes whose columns map to a table, and their instances (rows)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, ParamSpec, TypeVar

from kakaorm import exc
from kakaorm.engine.engine import get_engine
from kakaorm.expr import Comparison, Condition, Param
from kakaorm.orm import crud
from kakaorm.orm import validation as _validation
from kakaorm.orm.column_types import IntColumn
from kakaorm.orm.columns import Column, coerce_value, utcnow
from kakaorm.orm.deletion import DEFAULT_SCOPE
from kakaorm.orm.model_meta import ModelMeta
from kakaorm.orm.options import ModelOptions, resolve_model
from kakaorm.orm.persist import bulk_insert, insert_row, insert_values, row_values
from kakaorm.orm.pydantic_api import PydanticModelAPI
from kakaorm.orm.query_build import where_conditions
from kakaorm.orm.queryset import QuerySet
from kakaorm.orm.relations import forget_prefetched
from kakaorm.orm.single_get import get_one
from kakaorm.orm.state import PK_KEY, put, stored
from kakaorm.orm.table import model_table_schema
from kakaorm.orm.upsert import bulk_upsert, upsert_one
from kakaorm.statements import Update

if TYPE_CHECKING:
    from typing import Self

    from kakaorm.engine.engine import Engine
    from kakaorm.schema import TableSchema

# ModelMeta, ModelOptions, resolve_model and PK_KEY are re-exported: they lived here
__all__ = ["PK_KEY", "Model", "ModelMeta", "ModelOptions", "resolve_model"]

M = TypeVar("M", bound="Model")
P = ParamSpec("P")


class Model(PydanticModelAPI, metaclass=ModelMeta):
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
                value = values[name]
                # a value of exactly the column's plain type needs no check or conversion
                d[name] = value if type(value) is col.write_exact_type else coerce_value(col, value)
            else:
                d[name] = col.get_default()

    @classmethod
    def __table_schema__(cls) -> TableSchema:
        """The model's table in portable terms (:mod:`kakaorm.orm.table`): what the
        engine's DDL methods and the migration planner write DDL from."""
        return model_table_schema(cls)

    @classmethod
    def __table_ref__(cls) -> ModelOptions:
        """The model's table as statements name it (see kakaorm.expr.tables)."""
        return cls._meta

    # -- representation -------------------------------------------------------------
    def __repr__(self) -> str:
        pk = self._meta.pk
        return f"<{type(self).__name__} {pk.name}={stored(self, pk.name)!r}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Model):
            return NotImplemented
        mine = stored(self, PK_KEY)
        if mine is None:
            return self is other
        return type(self) is type(other) and mine == stored(other, PK_KEY)

    def __hash__(self) -> int:
        pk = stored(self, PK_KEY)
        if pk is None:
            raise TypeError(f"an unsaved {type(self).__name__} is not hashable: save it first")
        return hash((type(self), pk))

    def to_dict(self) -> dict[str, Any]:
        """The row as ``{column name: value}``."""
        if self._meta.attribute_access:
            return {name: getattr(self, name, None) for name in self._meta.names}
        d = self.__dict__
        return {name: d.get(name) for name in self._meta.names}

    @property
    def is_saved(self) -> bool:
        """True once the instance has been inserted or was loaded from the database."""
        return stored(self, PK_KEY) is not None

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
        if stored(self, PK_KEY) is None:
            await self._insert()
        else:
            await self._update()

    def _row_values(self, columns: Sequence[Column[Any]]) -> list[Any]:
        """The values to write to ``columns``, type-checked and validated (see
        :func:`kakaorm.orm.persist.row_values`)."""
        return row_values(self, columns)

    async def _insert(self) -> None:
        cls = type(self)
        if _runs(hook := self.before_insert):
            await hook()
        columns, columns_key, values, key_generated = insert_values(self)
        pk = self._meta.pk
        key = await insert_row(cls, columns, columns_key, values, key_generated)
        if key_generated:
            put(self, pk.name, key)
        put(self, PK_KEY, stored(self, pk.name))
        if _runs(hook := self.after_insert):
            await hook()

    async def _update(self) -> None:
        if _runs(hook := self.before_update):
            await hook()
        cls = type(self)
        meta = self._meta
        if meta.auto_now:
            now = utcnow()
            for col in meta.auto_now:
                put(self, col.name, now)
        pk = meta.pk
        old_pk = stored(self, PK_KEY)
        # the key is only written when it was changed (custom primary keys)
        columns = [c for c in meta.column_list if c is not pk or stored(self, pk.name) != old_pk]
        values = self._row_values(columns)
        where = Comparison(pk, "=", Param(old_pk, pk.type))
        stmt = Update(cls, [(c, Param(v, c.type)) for c, v in zip(columns, values)], where)
        count = await cls._engine()._execute_stmt(stmt)
        if count == 0:
            raise cls.NotFound(
                f"save(): no {cls.__name__} row with {pk.name}={old_pk!r} exists any more "
                "(it was deleted); nothing was written"
            )
        put(self, PK_KEY, stored(self, pk.name))
        if _runs(hook := self.after_update):
            await hook()

    async def delete(self) -> None:
        """DELETE the instance's row; ``before_delete``/``after_delete`` run around it.

        Raises:
            QueryError: the instance was never saved (or is already deleted).
        """
        cls = type(self)
        pk_value = stored(self, PK_KEY)
        if pk_value is None:
            raise exc.QueryError(
                f"cannot delete this {cls.__name__}: it is not in the database "
                "(never saved, or already deleted)"
            )
        if _runs(hook := self.before_delete):
            await hook()
        await self._meta.deletion.delete_instance(cls, self, pk_value)
        if _runs(hook := self.after_delete):
            await hook()

    async def refresh(self) -> None:
        """Reload the instance's values from its row (a soft-deleted row too) and forget
        prefetched relations. With read replicas, the row is read from the primary.

        Raises:
            QueryError: the instance is not in the database.
            NotFound: its row no longer exists.
        """
        cls = type(self)
        pk = self._meta.pk
        pk_value = stored(self, PK_KEY)
        if pk_value is None:
            raise exc.QueryError(
                f"cannot refresh this {cls.__name__}: it is not in the database "
                "(never saved, or deleted); save() it first"
            )
        qs = cls.all().using("primary")  # the row as written, not as a replica last saw it
        scope = self._meta.deletion.refresh_scope
        if scope != DEFAULT_SCOPE:
            qs = qs._with_scope(scope)
        fresh = await qs.where(Comparison(pk, "=", Param(pk_value, pk.type))).get()
        # prefetched relations may no longer match the reloaded keys
        forget_prefetched(self)
        self.__dict__.update(fresh.__dict__)

    # -- class-level queries ----------------------------------------------------------
    @classmethod
    def all(cls) -> QuerySet[Self]:
        """A QuerySet of every row."""
        return QuerySet._for(cls)

    @classmethod
    def where(cls, *conditions: Condition) -> QuerySet[Self]:
        """Rows matching every condition: ``Post.where(Post.views > 10)``."""
        if getattr(cls.all, "__func__", None) is not _MODEL_ALL:
            return cls.all().where(*conditions)  # a model's own all() is where its queries start
        return QuerySet._for(cls, where_conditions(conditions))

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
        if getattr(cls.all, "__func__", None) is not _MODEL_ALL or not conditions:
            return await cls.all().get(*conditions)
        return await get_one(cls, conditions, False)  # type: ignore[no-any-return]

    @classmethod
    async def get_or_none(cls, *conditions: Condition) -> Self | None:
        """The one row matching the conditions, or None."""
        if getattr(cls.all, "__func__", None) is not _MODEL_ALL or not conditions:
            return await cls.all().get_or_none(*conditions)
        return await get_one(cls, conditions, True)  # type: ignore[no-any-return]

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
        return await crud.find(cls, pk)

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
        return await crud.get_or_create(cls, defaults, lookup)

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
        return await crud.update_or_create(cls, defaults, lookup)

    # typed as the constructor, so checkers check the fields of a TypedModel
    @classmethod  # pyright: ignore[reportArgumentType]
    async def create(cls: Callable[P, M], *args: P.args, **values: P.kwargs) -> M:
        """Build an instance from ``values`` and INSERT it.

        Raises:
            TypeError: an unknown field, or a value of the wrong type.
            ValidationError: column validators refused values; nothing was sent.
        """
        obj = cls(*args, **values)
        await obj.save()
        return obj

    @classmethod
    async def upsert(
        cls, *, conflict: Sequence[str] | None = None, update: Sequence[str] | None = None, **values: Any
    ) -> Self:
        """INSERT a row, or UPDATE the stored row it collides with on ``conflict``.

        Args:
            conflict: the primary key (default) or one ``unique=True`` column.
            update: the columns to overwrite on a collision (default: every given
                column but the conflict column, and ``auto_now`` columns).
            **values: the row, as for ``create()`` (defaults, validation, timestamps;
                hooks do not run).

        Returns:
            An instance holding the row as stored (key and every column).

        Raises:
            TypeError: an unknown field. ValueError: an unknown ``update`` column.
            QueryError: ``conflict`` is not the key or a unique column, or has no value.
        """
        return await upsert_one(cls, conflict, update, values)

    @classmethod
    async def bulk_create(
        cls,
        objects: Sequence[Self],
        *,
        batch_size: int | None = None,
        on_conflict: Literal["ignore", "update"] | None = None,
        conflict: Sequence[str] | None = None,
        update: Sequence[str] | None = None,
    ) -> list[Self]:
        """INSERT many instances in as few statements as the backend allows, in one
        transaction.

        With ``on_conflict="update"`` a row colliding on ``conflict`` (the primary key
        or a unique column) updates the stored row's ``update`` columns (default: all
        but the key, the conflict column and ``auto_now_add`` ones); with ``"ignore"``
        the stored row is kept. Every instance then holds its row as stored (an
        ignored one: the stored row's values and key). See :meth:`upsert`.

        Returns the instances given (the same objects; the same list when given a
        list), each holding its primary key, defaults and automatic timestamps.
        Hooks do not run (as for QuerySet updates). Every instance is checked (types,
        NOT NULL, column validators) before the first statement is sent.

        Raises:
            ValidationError: an instance's values are refused (``.instance`` is the
                first such instance); nothing was written.
            ValueError: ``batch_size`` is not a positive int.
        """
        if on_conflict is not None:
            return await bulk_upsert(cls, objects, batch_size, on_conflict, conflict, update)
        if conflict is not None or update is not None:
            raise ValueError("bulk_create(conflict=..., update=...) need on_conflict='ignore' or 'update'")
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
        return await crud.bulk_update(cls, objects, fields, batch_size)

    @classmethod
    async def truncate(cls, *, restart_identity: bool = True) -> None:
        """Delete every row and (unless ``restart_identity=False``) restart the
        generated keys; see :meth:`Engine.truncate`."""
        await cls._engine().truncate(cls, restart_identity=restart_identity)


#: Model.all's function: where() and get() build their query directly unless a model
#: defines an all() of its own
_MODEL_ALL = Model.__dict__["all"].__func__

#: Model's own hooks, which do nothing; save() and delete() skip a hook that is one of them
_NO_OP_HOOKS = frozenset(
    Model.__dict__[f"{when}_{what}"] for when in ("before", "after") for what in ("insert", "update", "delete")
)


def _runs(hook: Callable[[], Awaitable[None]]) -> bool:
    """Whether save() or delete() calls ``hook`` (an instance's bound lifecycle hook):
    not when it is Model's own, which does nothing (a coroutine fewer per write),
    but when a class, a mixin or the instance itself put another in its place."""
    return getattr(hook, "__func__", None) not in _NO_OP_HOOKS
