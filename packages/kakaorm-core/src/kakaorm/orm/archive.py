"""Archiving: ``delete()`` moves rows into ``archive_<table>`` and ``restore()`` back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from kakaorm import exc
from kakaorm.expr import value
from kakaorm.orm.column_types import DateTimeColumn
from kakaorm.orm.columns import Column, utcnow
from kakaorm.orm.deletion import DEFAULT_SCOPE, ONLY_SCOPE, DeleteStrategy
from kakaorm.orm.model import Model, ModelMeta
from kakaorm.orm.state import PK_KEY
from kakaorm.statements import Select

if TYPE_CHECKING:
    from typing import Self

    from kakaorm.orm.queryset import QuerySet
    from kakaorm.schema import TableSchema

__all__ = ["ArchiveModel", "ArchiveStrategy"]

#: keys are moved between tables in batches of this many per statement
_KEY_BATCH = 500


class ArchiveStrategy(DeleteStrategy):
    """Move deleted rows into the model's archive table, stamped with ``archived_at``."""

    scoped: ClassVar[bool] = True
    keeps_deleted_rows: ClassVar[bool] = True

    def scope_source(self, model: type[Model], scope: str) -> Select | None:
        """The archive (only_deleted) or main table UNION ALL archive (include_deleted)."""
        if scope == DEFAULT_SCOPE:
            return None
        archive = _archive_of(model)
        archived_cols = [archive._meta.columns[n] for n in model._meta.names]
        archived = Select(archive, archived_cols)
        if scope == ONLY_SCOPE:
            return archived
        return Select(model, list(model._meta.column_list), compounds=(("UNION ALL", archived),))

    def check_update(self, qs: QuerySet[Any]) -> None:
        """update() writes the main table only: refuse a query reading the archive."""
        if qs._scope != DEFAULT_SCOPE:
            raise exc.QueryError("update() changes the main table only; restore() archived rows first")

    async def delete_instance(self, model: type[Model], instance: Model, pk_value: Any) -> None:
        """Move the row into the archive."""
        moved = await _move(model, [pk_value], model, _archive_of(model), stamp=True)
        if moved == 0:
            raise model.NotFound(
                f"delete(): no {model.__name__} row with key {pk_value!r} is in "
                f"{model._meta.table_name}; it was deleted or archived since it was loaded"
            )
        instance.__dict__[PK_KEY] = None

    async def delete_rows(self, qs: QuerySet[Any]) -> int:
        """Move the main-table rows the query matches into the archive."""
        if qs._scope == ONLY_SCOPE:
            # archived rows are deleted already
            return 0
        model = qs.model
        keys = await _keys(qs._with_scope(DEFAULT_SCOPE))
        return await _move(model, keys, model, _archive_of(model), stamp=True) if keys else 0

    async def restore_rows(self, qs: QuerySet[Any]) -> int:
        """Move the archived rows the query matches back to the main table."""
        model = qs.model
        keys = await _keys(qs._with_scope(ONLY_SCOPE))
        return await _move(model, keys, _archive_of(model), model, stamp=False) if keys else 0

    async def purge_rows(self, qs: QuerySet[Any]) -> int:
        """Delete the archived rows the query matches for good."""
        model = qs.model
        keys = await _keys(qs._with_scope(ONLY_SCOPE))
        if not keys:
            return 0
        archive = _archive_of(model)
        total = 0
        async with model._engine().transaction():
            for start in range(0, len(keys), _KEY_BATCH):
                batch = keys[start : start + _KEY_BATCH]
                total += await archive.all().where(archive._meta.pk.in_(batch))._delete_rows()
        return total


#: the strategy of every ArchiveModel
ARCHIVE = ArchiveStrategy()


def _archive_of(model: type[Model]) -> type[Model]:
    return cast("type[ArchiveModel]", model).archive_model()


async def _move(model: type[Model], keys: list[Any], source: type[Model], target: type[Model], stamp: bool) -> int:
    """Copy rows by key from ``source`` to ``target`` and delete them from ``source``,
    in one transaction. Returns the number of rows moved."""
    engine = model._engine()
    moved = 0
    names = model._meta.names
    async with engine.transaction():
        for start in range(0, len(keys), _KEY_BATCH):
            batch = keys[start : start + _KEY_BATCH]
            src_pk = source._meta.pk
            rows = source.all().where(src_pk.in_(batch))
            columns: dict[str, Any] = {n: source._meta.columns[n] for n in names}
            if stamp:
                columns["archived_at"] = value(utcnow())
            inserted = await rows.insert_into(target, **columns)
            deleted = await rows._delete_rows()
            if inserted != deleted:
                # another transaction changed the rows between the two statements
                raise exc.IntegrityError(
                    f"moving {model.__name__} rows from {source._meta.table_name} to "
                    f"{target._meta.table_name} copied {inserted} rows but deleted "
                    f"{deleted}; the move was rolled back and no row moved. Retry it"
                )
            moved += deleted
    return moved


async def _keys(qs: QuerySet[Any]) -> list[Any]:
    """The primary keys of the rows ``qs`` matches, in key order."""
    pk = qs.model._meta.pk
    plain = qs._clone()
    plain._prefetch = ()
    # in key order: batches are reproducible and rows are locked in one order
    rows = await plain.order_by(pk.asc).select(pk.label("k"))
    return [r["k"] for r in rows]


class ArchiveModel(Model):
    """A model whose ``delete()`` moves the row into ``archive_<table>`` (the same
    columns plus ``archived_at``), insert and delete in one transaction.

    Create the archive with ``engine.create_archive_table(Model)``. Default queries
    read the main table; ``include_deleted()`` reads both (UNION ALL);
    ``only_deleted()`` the archive. ``restore()`` moves rows back (a key that is in
    use again raises IntegrityError and moves nothing); ``only_deleted().purge()``
    deletes archived rows for good.
    """

    if not TYPE_CHECKING:  # a subclass's own Meta is no override of this one

        class Meta:
            abstract = True

    #: the generated model of the archive table (one per ArchiveModel subclass)
    _archive: ClassVar[type[Model] | None] = None

    @classmethod
    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls._meta.deletion = ARCHIVE
        cls._archive = None

    @classmethod
    def archive_model(cls) -> type[Model]:
        """The model of ``archive_<table>``: the same columns without constraints other
        than the primary key, plus ``archived_at``."""
        if cls._meta.abstract:
            raise TypeError(f"{cls.__name__} is abstract and has no archive table")
        if cls.__dict__.get("_archive") is None:
            attrs: dict[str, Any] = {}
            for name, col in cls._meta.columns.items():
                attrs[name] = Column(col.type, nullable=col.nullable, primary_key=col.primary_key)
            attrs["archived_at"] = DateTimeColumn(nullable=False)
            attrs["Meta"] = type("Meta", (), {"table_name": f"archive_{cls._meta.table_name}"})
            attrs["__module__"] = cls.__module__
            archive = ModelMeta(f"{cls.__name__}Archive", (Model,), attrs)
            cls._archive = archive  # type: ignore[assignment]
        return cls.__dict__["_archive"]  # type: ignore[no-any-return]

    @classmethod
    def __archive_table_schema__(cls) -> TableSchema:
        """The archive table in portable terms: what ``engine.create_archive_table()``
        creates."""
        return cls.archive_model().__table_schema__()

    @classmethod
    def include_deleted(cls) -> QuerySet[Self]:
        """Rows of the main table and of the archive (UNION ALL)."""
        return cls.all().include_deleted()

    @classmethod
    def only_deleted(cls) -> QuerySet[Self]:
        """Rows of the archive table."""
        return cls.all().only_deleted()

    async def restore(self) -> None:
        """Move this row back from the archive to the main table (one transaction).

        No hook runs.

        Raises:
            QueryError: the instance has no primary key value (it was never saved).
            NotFound: the archive holds no row with this key.
            IntegrityError: the main table uses the key again; nothing moved.
        """
        cls = type(self)
        pk_value = self.__dict__.get(cls._meta.pk.name)
        if pk_value is None:
            raise exc.QueryError(
                f"cannot restore this {cls.__name__}: it has no primary key value, so it was "
                "never saved; save() it instead"
            )
        moved = await _move(cls, [pk_value], cls.archive_model(), cls, stamp=False)
        if moved == 0:
            raise cls.NotFound(
                f"restore(): archive_{cls._meta.table_name} holds no {cls.__name__} row with key "
                f"{pk_value!r}; it was restored or purged already"
            )
        self.__dict__[PK_KEY] = pk_value
