"""Soft deletion: ``delete()`` sets ``deleted_at`` and default queries skip such rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from kakaorm import exc
from kakaorm.expr import Comparison, Condition, IsNull, Param
from kakaorm.orm.column_types import DateTimeColumn
from kakaorm.orm.columns import utcnow
from kakaorm.orm.deletion import DEFAULT_SCOPE, INCLUDE_SCOPE, ONLY_SCOPE, DeleteStrategy
from kakaorm.orm.model import Model
from kakaorm.orm.state import PK_KEY, stored

if TYPE_CHECKING:
    from typing import Self

    from kakaorm.orm.queryset import QuerySet

__all__ = ["SoftDeleteModel", "SoftDeleteStrategy"]


class SoftDeleteStrategy(DeleteStrategy):
    """Mark rows deleted with the time in ``deleted_at``; default queries leave them out."""

    scoped: ClassVar[bool] = True
    keeps_deleted_rows: ClassVar[bool] = True
    managed_columns: ClassVar[frozenset[str]] = frozenset({"deleted_at"})
    # a soft-deleted row is still in the table: refresh() reloads it
    refresh_scope: ClassVar[str] = INCLUDE_SCOPE

    def scope_where(self, model: type[Model], scope: str) -> Condition | None:
        """``deleted_at IS NULL`` by default, ``IS NOT NULL`` for only_deleted()."""
        col = model._meta.columns["deleted_at"]
        if scope == DEFAULT_SCOPE:
            return IsNull(col, negate=False)
        if scope == ONLY_SCOPE:
            return IsNull(col, negate=True)
        return None

    async def delete_instance(self, model: type[Model], instance: Model, pk_value: Any) -> None:
        """Set ``deleted_at`` on the row (a row deleted before keeps its first time)."""
        now = utcnow()
        pk = model._meta.pk
        by_key = model.all().where(Comparison(pk, "=", Param(pk_value, pk.type)))
        # a row deleted before keeps its first deletion time, as in QuerySet.delete()
        if await by_key.update(deleted_at=now) == 1:
            instance.__dict__["deleted_at"] = now
            return
        stored = await by_key.only_deleted().select(model._meta.columns["deleted_at"]).first()
        if stored is None:
            raise model.NotFound(
                f"delete(): no {model.__name__} row with {pk.name}={pk_value!r} exists; "
                "it was removed (purged) since it was loaded"
            )
        instance.__dict__["deleted_at"] = stored["deleted_at"]

    async def delete_rows(self, qs: QuerySet[Any]) -> int:
        """Set ``deleted_at`` on the live rows the query matches."""
        if qs._scope == ONLY_SCOPE:
            # every selected row is deleted already and keeps its first deletion time
            return 0
        return await qs._with_scope(DEFAULT_SCOPE).update(deleted_at=utcnow())

    async def restore_rows(self, qs: QuerySet[Any]) -> int:
        """Clear ``deleted_at`` on the deleted rows the query matches."""
        # only deleted rows count as restored, whatever scope the query was built with
        return await qs._with_scope(ONLY_SCOPE).update(deleted_at=None)

    async def purge_rows(self, qs: QuerySet[Any]) -> int:
        """Remove the deleted rows the query matches."""
        # purge never removes a live row, even from include_deleted()
        return await qs._with_scope(ONLY_SCOPE)._delete_rows()


#: the strategy of every SoftDeleteModel
SOFT_DELETE = SoftDeleteStrategy()


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

    if not TYPE_CHECKING:  # a subclass's own Meta is no override of this one

        class Meta:
            abstract = True

    @classmethod
    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls._meta.deletion = SOFT_DELETE

    @classmethod
    def include_deleted(cls) -> QuerySet[Self]:
        """Every row, deleted or not."""
        return cls.all().include_deleted()

    @classmethod
    def only_deleted(cls) -> QuerySet[Self]:
        """Only the soft-deleted rows."""
        return cls.all().only_deleted()

    async def restore(self) -> None:
        """Clear ``deleted_at``: the row is visible to default queries again.

        No hook runs. Restoring a row that is not deleted changes nothing.

        Raises:
            QueryError: the instance was never saved.
            NotFound: the row no longer exists (it was purged).
        """
        cls = type(self)
        pk_value = stored(self, PK_KEY)
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
