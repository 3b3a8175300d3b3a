"""A model's table in portable terms: the :class:`~kakaorm.schema.TableSchema` every
DDL statement about the model is written from.

``Model.__table_schema__()`` returns :func:`model_table_schema`; the engine's DDL
methods, the compiler and the migration planner all start from it. The description
leaves to the dialect what only the dialect knows: ``type_sql`` is empty and index
and UNIQUE constraint names are empty (``SQLCompiler.table_schema`` fills both in).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kakaorm.orm.columns import ForeignKey, column_schema
from kakaorm.schema import ForeignKeySchema, IndexSchema, TableSchema

if TYPE_CHECKING:
    from kakaorm.orm.model import Model

__all__ = ["model_table_schema"]


def model_table_schema(model: type[Model]) -> TableSchema:
    """The table ``engine.create_table(model)`` creates, before the dialect spells it.

    Indexes come in this order: one UNIQUE constraint per ``unique=True`` column,
    then ``Meta.indexes``, then one index per ``index=True`` column.

    Raises:
        TypeError: ``model`` is abstract (it has no table).
    """
    meta = getattr(model, "_meta", None)
    if meta is None or meta.abstract:
        raise TypeError(f"{model!r} is not a concrete model class")
    table = meta.table_name
    indexes = [
        IndexSchema("", (col.name,), unique=True, constraint=True)
        for col in meta.column_list
        if col.unique and not col.primary_key
    ]
    indexes.extend(IndexSchema("", tuple(cols)) for cols in meta.all_indexes())
    foreign_keys = []
    for col in meta.column_list:
        if isinstance(col, ForeignKey):
            target = col.target_column
            foreign_keys.append(
                ForeignKeySchema(None, (col.name,), target.model._meta.table_name, (target.name,), col.on_delete)
            )
    return TableSchema(
        table,
        tuple(column_schema(c) for c in meta.column_list),
        (meta.pk.name,),
        tuple(indexes),
        tuple(foreign_keys),
        declared_by=model.__name__,
    )
