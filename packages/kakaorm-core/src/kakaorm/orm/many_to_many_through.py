"""The through model of a many-to-many relation: the model ``many_to_many(Tag)``
creates for its link table, and finding the two foreign keys of a through model
given as ``through=``."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from kakaorm.exc import ModelError
from kakaorm.orm.columns import Column, ForeignKey
from kakaorm.orm.options import snake_case
from kakaorm.orm.table import model_table_schema
from kakaorm.schema import IndexSchema, TableSchema

if TYPE_CHECKING:
    from kakaorm.orm.model import Model

__all__ = ["Link", "find_keys", "make_through"]


@dataclasses.dataclass(frozen=True)
class Link:
    """A resolved through model: the model and its foreign keys to each side."""

    through: type[Model]
    source: Column[Any]  # to the model declaring the relation
    target: Column[Any]  # to the related model


def make_through(owner: type[Model], name: str, related: type[Model] | str) -> type[Model]:
    """The model of the link table of ``owner.<name>``: ``<owner table>_<name>`` with a
    foreign key to each side (ON DELETE CASCADE), unique as a pair."""
    related_name = related if isinstance(related, str) else related.__name__
    source = f"{snake_case(owner.__name__)}_id"
    target = f"{snake_case(related_name)}_id"
    if source == target:  # a model linked to itself
        source, target = f"from_{source}", f"to_{target}"
    class_name = owner.__name__ + "".join(part.title() for part in name.split("_"))
    # the root Model class, reached through the owner (this module sits below orm.model):
    # the first class of its line with options of its own
    root = next(b for b in reversed(owner.__mro__) if "_meta" in b.__dict__)

    def table_schema(cls: type[Model]) -> TableSchema:
        schema = model_table_schema(cls)
        pair = IndexSchema("", (source, target), unique=True, constraint=True)
        return dataclasses.replace(schema, indexes=(pair, *schema.indexes))

    namespace: dict[str, Any] = {
        "__module__": owner.__module__,
        "__qualname__": class_name,
        "__doc__": f"The link table of {owner.__name__}.{name} (created by many_to_many()).",
        "Meta": type("Meta", (), {"table_name": f"{owner._meta.table_name}_{name}"}),
        source: ForeignKey(owner, nullable=False),
        target: ForeignKey(related, nullable=False, index=True),
        "__table_schema__": classmethod(table_schema),
    }
    # the root's metaclass (a concrete owner's is its very own, see orm.model_meta)
    metaclass: Any = type(root)
    through: type[Model] = metaclass(class_name, (root,), namespace)
    return through


def find_keys(
    where: str, through: type[Model], owner: type[Model], related: type[Model],
    fields: tuple[str, ...] | None,
) -> Link:
    """The foreign keys of ``through`` to ``owner`` and to ``related``."""
    if through._meta.deletion.keeps_deleted_rows:
        raise ModelError(
            f"{where}: the through model {through.__name__} keeps deleted rows (a SoftDeleteModel "
            "or ArchiveModel); a link is either there or not: make it a plain Model"
        )
    keys = [c for c in through._meta.column_list if isinstance(c, ForeignKey)]
    if fields is not None:
        found = []
        for field, model in zip(fields, (owner, related), strict=True):
            col = through._meta.columns.get(field)
            if not isinstance(col, ForeignKey) or col.target_model is not model:
                names = ", ".join(f"{c.name} (to {c.target_model.__name__})" for c in keys) or "none"
                raise ModelError(
                    f"{where}: through_fields names {field!r}, which is not a foreign key of "
                    f"{through.__name__} to {model.__name__}; its foreign keys are: {names}"
                )
            found.append(col)
        return Link(through, found[0], found[1])
    to_owner = [c for c in keys if c.target_model is owner]
    to_related = [c for c in keys if c.target_model is related]
    if owner is related or len(to_owner) != 1 or len(to_related) != 1:
        names = ", ".join(f"{c.name} (to {c.target_model.__name__})" for c in keys) or "none"
        raise ModelError(
            f"{where}: the through model {through.__name__} needs exactly one ForeignKey to "
            f"{owner.__name__} and one to {related.__name__} to be told apart; its foreign keys "
            f"are: {names}. Add the missing key, or say which is which with "
            f"through_fields=('<key to {owner.__name__}>', '<key to {related.__name__}>')"
        )
    return Link(through, to_owner[0], to_related[0])
