"""Deletion strategies: what ``delete()`` does to a model's rows, as objects.

A model's ``_meta.deletion`` holds one strategy; the ORM asks it, through the hooks
below, how an instance or a query deletes, which rows default queries see, and
whether deleted rows can be restored or purged. :class:`DeleteStrategy` removes rows
(every plain model); :class:`~kakaorm.orm.soft_delete.SoftDeleteStrategy` and
:class:`~kakaorm.orm.archive.ArchiveStrategy` subclass it. A new strategy subclasses
it too and overrides the hooks it changes.

Scopes name which rows a query reads: ``"default"`` (what plain queries see),
``"include"`` (deleted rows too) and ``"only"`` (deleted rows only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from kakaorm import exc
from kakaorm.expr import Comparison, Condition, Param
from kakaorm.orm.state import PK_KEY, put
from kakaorm.statements import Delete, Select

if TYPE_CHECKING:
    from kakaorm.orm.model import Model
    from kakaorm.orm.queryset import QuerySet

__all__ = ["DEFAULT_SCOPE", "INCLUDE_SCOPE", "ONLY_SCOPE", "DeleteStrategy"]

#: the rows plain queries read
DEFAULT_SCOPE = "default"
#: deleted rows too (``include_deleted()``)
INCLUDE_SCOPE = "include"
#: deleted rows only (``only_deleted()``)
ONLY_SCOPE = "only"


class DeleteStrategy:
    """Hard delete: ``delete()`` removes the row; there are no deleted rows to see."""

    #: True when queries must ask :meth:`scope_where`/:meth:`scope_source` (a plain
    #: model skips both on the query hot path)
    scoped: ClassVar[bool] = False
    #: True when deleted rows stay somewhere (include_deleted, only_deleted, restore
    #: and purge apply)
    keeps_deleted_rows: ClassVar[bool] = False
    #: columns the strategy writes itself: request schemas leave them out
    managed_columns: ClassVar[frozenset[str]] = frozenset()
    #: the scope ``refresh()`` reloads an instance from
    refresh_scope: ClassVar[str] = DEFAULT_SCOPE

    def scope_where(self, model: type[Model], scope: str) -> Condition | None:
        """The condition a query in ``scope`` adds to its WHERE clause, if any."""
        return None

    def scope_source(self, model: type[Model], scope: str) -> Select | None:
        """A statement a query in ``scope`` reads from instead of the model's table."""
        return None

    def check_update(self, qs: QuerySet[Any]) -> None:
        """Refuse ``qs.update()`` where the strategy cannot apply it (nothing here)."""

    async def delete_instance(self, model: type[Model], instance: Model, pk_value: Any) -> None:
        """What ``instance.delete()`` does to the row keyed ``pk_value``."""
        pk = model._meta.pk
        await model._engine()._execute_stmt(Delete(model, Comparison(pk, "=", Param(pk_value, pk.type))))
        put(instance, PK_KEY, None)

    async def delete_rows(self, qs: QuerySet[Any]) -> int:
        """What ``qs.delete()`` does; returns the number of rows deleted."""
        return await qs._delete_rows()

    async def restore_rows(self, qs: QuerySet[Any]) -> int:
        """What ``qs.restore()`` does; returns the number of rows restored."""
        raise exc.QueryError(f"{qs.model.__name__} deletes rows; there is nothing to restore")

    async def purge_rows(self, qs: QuerySet[Any]) -> int:
        """What ``qs.purge()`` does; returns the number of rows removed."""
        raise exc.QueryError(f"{qs.model.__name__} deletes rows; there is nothing to purge")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


#: the strategy of every model that declares no other
HARD_DELETE = DeleteStrategy()
