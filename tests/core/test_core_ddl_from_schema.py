"""DDL is written from a portable table description: a model describes its table
(``__table_schema__``), and the compiler writes the same statements from that
description as from a hand-written one, without the ORM."""

from __future__ import annotations

import pytest

from kakaorm import ArchiveModel, ForeignKey, IntColumn, Model, StrColumn
from kakaorm.compiler import SQLCompiler
from kakaorm.dialect import Dialect
from kakaorm.schema import (
    NULL_DEFAULT,
    ArchiveTableSource,
    ColumnSchema,
    ColumnType,
    ForeignKeySchema,
    IndexSchema,
    TableSchema,
    TableSource,
)


class DdsAuthor(Model):
    name = StrColumn(nullable=False, max_length=80, unique=True)


class DdsBook(Model):
    title = StrColumn(nullable=False, index=True)
    note = StrColumn(default=None)
    author = ForeignKey(DdsAuthor, on_delete="SET NULL")


class DdsLog(ArchiveModel):
    line = IntColumn(nullable=False)


HAND_WRITTEN_BOOK = TableSchema(
    "dds_book",
    (
        ColumnSchema("id", ColumnType("int"), nullable=False, primary_key=True, auto_increment=True),
        ColumnSchema("title", ColumnType("str"), nullable=False),
        ColumnSchema("note", ColumnType("str"), default=NULL_DEFAULT),
        ColumnSchema("author", ColumnType("int")),
    ),
    ("id",),
    (IndexSchema("", ("title",)),),
    (ForeignKeySchema(None, ("author",), "dds_author", ("id",), "SET NULL"),),
)


def test_a_model_describes_its_table_portably():
    table = DdsBook.__table_schema__()
    assert table == HAND_WRITTEN_BOOK
    assert table.declared_by == "DdsBook"
    assert all(c.type_sql == "" for c in table.columns)


def test_the_compiler_writes_the_same_ddl_from_a_model_and_from_its_description():
    compiler = SQLCompiler()
    expected = [
        'CREATE TABLE IF NOT EXISTS "dds_book" ("id" INTEGER PRIMARY KEY, "title" TEXT NOT NULL, '
        '"note" TEXT DEFAULT NULL, "author" INTEGER REFERENCES "dds_author" ("id") ON DELETE SET NULL)',
        'CREATE INDEX IF NOT EXISTS "ix_dds_book_title" ON "dds_book" ("title")',
    ]
    assert compiler.create_table(DdsBook) == expected
    assert compiler.create_table(HAND_WRITTEN_BOOK) == expected


def test_the_compiler_completes_a_description_with_types_and_names():
    completed = SQLCompiler().table_schema(DdsAuthor)
    assert [c.type_sql for c in completed.columns] == ["INTEGER", "VARCHAR(80)"]
    assert completed.indexes == (IndexSchema("uq_dds_author_name", ("name",), unique=True, constraint=True),)
    assert SQLCompiler().table_schema(completed) == completed


def test_models_and_archive_models_are_table_sources():
    assert isinstance(DdsBook, TableSource)
    assert not isinstance(DdsBook, ArchiveTableSource)
    assert isinstance(DdsLog, ArchiveTableSource)
    archive = DdsLog.__archive_table_schema__()
    assert (archive.name, archive.column_names) == ("archive_dds_log", ("id", "line", "archived_at"))


def test_something_that_describes_no_table_is_refused():
    with pytest.raises(TypeError, match=r"^'dds_book' is not a concrete model class or a TableSchema$"):
        SQLCompiler().create_table("dds_book")  # type: ignore[arg-type]


def test_a_dialect_declares_the_connect_options_it_accepts():
    assert Dialect.accepted_options == frozenset()


def test_create_table_writes_a_unique_constraint_over_several_columns():
    # a many_to_many link table declares its key pair this way
    table = TableSchema(
        "post_tags",
        (
            ColumnSchema("id", ColumnType("int"), nullable=False),
            ColumnSchema("post_id", ColumnType("int"), nullable=False),
            ColumnSchema("tag_id", ColumnType("int"), nullable=False),
        ),
        ("id",),
        (IndexSchema("", ("post_id", "tag_id"), unique=True, constraint=True),),
    )
    (create,) = SQLCompiler().create_table(table)
    assert create.endswith(
        ', CONSTRAINT "uq_post_tags_post_id_tag_id" UNIQUE ("post_id", "tag_id"))'
    ), create
