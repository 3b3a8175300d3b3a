"""PostgreSQL refuses to drop what other objects depend on (SQLSTATE 2BP01): the error's
hint fits every such case (a column or table a view uses, a table other tables
reference), not only drop_table() of a referenced table."""

from __future__ import annotations

import pytest

from kakaorm import ForeignKey, IntegrityError, Model, StrColumn

HINT = (
    "Other objects depend on it (named above): drop or change them first. For a table, "
    "drop_table(..., cascade=True) drops them with it: the foreign keys of other tables "
    "(their rows stay) and the views that use it"
)


class DhShelf(Model):
    label = StrColumn(nullable=False)


class DhBox(Model):
    shelf = ForeignKey(DhShelf, nullable=False)


@pytest.mark.backends("postgres")
async def test_dropping_a_column_a_view_uses_names_the_dependency_not_foreign_keys(engine):
    await engine.create_table(DhShelf)
    await engine.execute("CREATE VIEW dh_labels AS SELECT label FROM dh_shelf")
    with pytest.raises(IntegrityError) as info:
        await engine.execute("ALTER TABLE dh_shelf DROP COLUMN label")
    assert str(info.value) == (
        "cannot drop column label of table dh_shelf because other objects depend on it (view dh_labels "
        f"depends on column label of table dh_shelf) [SQLSTATE 2BP01]. {HINT}\n"
        "[SQL: ALTER TABLE dh_shelf DROP COLUMN label]"
    )


@pytest.mark.backends("postgres")
async def test_dropping_a_referenced_table_gets_the_same_hint(engine):
    await engine.create_table(DhShelf, DhBox)
    with pytest.raises(IntegrityError) as info:
        await engine.drop_table(DhShelf)
    assert str(info.value) == (
        "cannot drop table dh_shelf because other objects depend on it (constraint dh_box_shelf_fkey "
        f"on table dh_box depends on table dh_shelf) [SQLSTATE 2BP01]. {HINT}\n"
        '[SQL: DROP TABLE IF EXISTS "dh_shelf"]'
    )
