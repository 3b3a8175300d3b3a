"""Deletion strategies: mark rows deleted (SoftDeleteModel) or move them to an
archive table (ArchiveModel). The base class decides what ``delete()`` does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from kakaorm import exc
from kakaorm.orm.columns import Column, DateTimeColumn, utcnow
from kakaorm.orm.model import PK_KEY, Model, ModelMeta
from kakaorm.expr import Comparison, Condition, IsNull, Param, value
from kakaorm.statements import Select

if TYPE_CHECKING:
    from typing import Self

    from kakaorm.orm.queryset import QuerySet
    from kakaorm.schema import TableSchema

__all__ = ["ArchiveModel", "SoftDeleteModel"]

#: keys are moved between tables in batches of this many per statement
_KEY_BATCH = 500


class SoftDeleteModel(Model):
    """A model whose ``delete()`` sets ``deleted_at`` (aware UTC) instead of removing
    the row.

    Default queries (``all``, ``where``, ``get``, ``count``, aggregates, relations,
    prefetch) leave deleted rows out; ``include_deleted()`` and ``only_deleted()``
    widen or narrow that; ``restore()`` clears ``deleted_at``; ``only_deleted().purge()``
    removes rows for good. ``before_delete``/``after_delete`` run around an
    instance's ``delete()`` (not around ``QuerySet.delete()``, as for every model);
    ``restore()`` runs no hook.
    """

    deleted_at = DateTimeColumn(nullable=True, index=True)

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls._meta.deletion = "soft"
        cls._meta.scoped = True

    @classmethod
    def _scope_where(cls, scope: str) -> Condition | None:
        col = cls._meta.columns["deleted_at"]
        if scope == "default":
            return IsNull(col, negate=False)
        if scope == "only":
            return IsNull(col, negate=True)
        return None

    @classmethod
    def include_deleted(cls) -> QuerySet[Self]:
        """Every row, deleted or not."""
        return cls.all().include_deleted()

    @classmethod
    def only_deleted(cls) -> QuerySet[Self]:
        """Only the soft-deleted rows."""
        return cls.all().only_deleted()

    @classmethod
    async def _delete_row(cls, instance: Model, pk_value: Any) -> None:
        now = utcnow()
        pk = cls._meta.pk
        by_key = cls.all().where(Comparison(pk, "=", Param(pk_value, pk.type)))
        # a row deleted before keeps its first deletion time, as in QuerySet.delete()
        if await by_key.update(deleted_at=now) == 1:
            instance.__dict__["deleted_at"] = now
            return
        stored = await by_key.only_deleted().select(cls._meta.columns["deleted_at"]).first()
        if stored is None:
            raise cls.NotFound(
                f"delete(): no {cls.__name__} row with {pk.name}={pk_value!r} exists; "
                "it was removed (purged) since it was loaded"
            )
        instance.__dict__["deleted_at"] = stored["deleted_at"]

    async def restore(self) -> None:
        """Clear ``deleted_at``: the row is visible to default queries again.

        No hook runs. Restoring a row that is not deleted changes nothing.

        Raises:
            QueryError: the instance was never saved.
            NotFound: the row no longer exists (it was purged).
        """
        cls = type(self)
        pk_value = self.__dict__.get(PK_KEY)
        if pk_value is None:
            raise exc.QueryError(
                f"cannot restore this {cls.__name__}: it was never saved, so there is no row "
                "to restore; save() it instead"
            )
        pk = cls._meta.pk
        by_key = cls.all().include_deleted().where(Comparison(pk, "=", Param(pk_value, pk.type)))
        if await by_key.update(deleted_at=None) == 0:
            raise cls.NotFound(
                f"restore(): no {cls.__name__} row with {pk.name}={pk_value!r} exists; "
                "it was removed (purged), so it cannot be restored"
            )
        self.__dict__["deleted_at"] = None

    @classmethod
    async def _bulk_delete(cls, qs: QuerySet[Any]) -> int:
        if qs._scope == "only":
            # every selected row is deleted already and keeps its first deletion time
            return 0
        return await qs._with_scope("default").update(deleted_at=utcnow())

    @classmethod
    async def _bulk_restore(cls, qs: QuerySet[Any]) -> int:
        # only deleted rows count as restored, whatever scope the query was built with
        return await qs._with_scope("only").update(deleted_at=None)

    @classmethod
    async def _bulk_purge(cls, qs: QuerySet[Any]) -> int:
        # purge never removes a live row, even from include_deleted()
        return await qs._with_scope("only")._delete_rows()


class ArchiveModel(Model):
    """A model whose ``delete()`` moves the row into ``archive_<table>`` (the same
    columns plus ``archived_at``), insert and delete in one transaction.

    Create the archive with ``engine.create_archive_table(Model)``. Default queries
    read the main table; ``include_deleted()`` reads both (UNION ALL);
    ``only_deleted()`` the archive. ``restore()`` moves rows back (a key that is in
    use again raises IntegrityError and moves nothing); ``only_deleted().purge()``
    deletes archived rows for good.
    """

    class Meta:
        abstract = True

    #: the generated model of the archive table (one per ArchiveModel subclass)
    _archive: ClassVar[type[Model] | None] = None

    @classmethod
    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls._meta.deletion = "archive"
        cls._meta.scoped = True
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

    @classmethod
    def _scope_source(cls, scope: str) -> Select | None:
        if scope == "default":
            return None
        archive = cls.archive_model()
        archived_cols = [archive._meta.columns[n] for n in cls._meta.names]
        archived = Select(archive, archived_cols)
        if scope == "only":
            return archived
        main = Select(cls, list(cls._meta.column_list), compounds=(("UNION ALL", archived),))
        return main

    @classmethod
    async def _move(cls, keys: list[Any], source: type[Model], target: type[Model], stamp: bool) -> int:
        """Copy rows by key from ``source`` to ``target`` and delete them from ``source``,
        in one transaction. Returns the number of rows moved."""
        engine = cls._engine()
        moved = 0
        names = cls._meta.names
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
                        f"moving {cls.__name__} rows from {source._meta.table_name} to "
                        f"{target._meta.table_name} copied {inserted} rows but deleted "
                        f"{deleted}; the move was rolled back and no row moved. Retry it"
                    )
                moved += deleted
        return moved

    @classmethod
    async def _keys(cls, qs: QuerySet[Any]) -> list[Any]:
        pk = cls._meta.pk
        plain = qs._clone()
        plain._prefetch = ()
        # in key order: batches are reproducible and rows are locked in one order
        rows = await plain.order_by(pk.asc).select(pk.label("k"))
        return [r["k"] for r in rows]

    @classmethod
    async def _delete_row(cls, instance: Model, pk_value: Any) -> None:
        moved = await cls._move([pk_value], cls, cls.archive_model(), stamp=True)
        if moved == 0:
            raise cls.NotFound(
                f"delete(): no {cls.__name__} row with key {pk_value!r} is in "
                f"{cls._meta.table_name}; it was deleted or archived since it was loaded"
            )
        instance.__dict__[PK_KEY] = None

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
        moved = await cls._move([pk_value], cls.archive_model(), cls, stamp=False)
        if moved == 0:
            raise cls.NotFound(
                f"restore(): archive_{cls._meta.table_name} holds no {cls.__name__} row with key "
                f"{pk_value!r}; it was restored or purged already"
            )
        self.__dict__[PK_KEY] = pk_value

    @classmethod
    async def _bulk_delete(cls, qs: QuerySet[Any]) -> int:
        if qs._scope == "only":
            # archived rows are deleted already
            return 0
        keys = await cls._keys(qs._with_scope("default"))
        return await cls._move(keys, cls, cls.archive_model(), stamp=True) if keys else 0

    @classmethod
    async def _bulk_restore(cls, qs: QuerySet[Any]) -> int:
        keys = await cls._keys(qs._with_scope("only"))
        return await cls._move(keys, cls.archive_model(), cls, stamp=False) if keys else 0

    @classmethod
    async def _bulk_purge(cls, qs: QuerySet[Any]) -> int:
        keys = await cls._keys(qs._with_scope("only"))
        if not keys:
            return 0
        archive = cls.archive_model()
        total = 0
        engine = cls._engine()
        async with engine.transaction():
            for start in range(0, len(keys), _KEY_BATCH):
                total += await archive.all().where(archive._meta.pk.in_(keys[start : start + _KEY_BATCH]))._delete_rows()
        return total

