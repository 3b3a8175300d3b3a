"""Portable types and defaults, the model-versus-schema diff and the base compiler's
migration DDL, without a database (kakaorm-core alone)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import kakaorm
from kakaorm import ArchiveModel, BoolColumn, ForeignKey, IntColumn, MigrationError, Model, StrColumn
from kakaorm.compiler import SQLCompiler
from kakaorm.dialect import Dialect
from kakaorm.migration import AlterTable, CreateTable, DropTable
from kakaorm.migration._diff import describe_op, diff_schema, model_schema, model_tables
from kakaorm.schema import (
    AddColumnOp,
    AddForeignKeyOp,
    AddIndexOp,
    AlterColumnOp,
    ColumnSchema,
    ColumnType,
    DefaultExpression,
    DropColumnOp,
    DropForeignKeyOp,
    DropIndexOp,
    ForeignKeySchema,
    IndexSchema,
    TableSchema,
    parse_default,
    portable_type,
)

UTC = dt.UTC


class PortableDialect(Dialect):
    name = "portable"
    driver = "none"
    compiler_class = SQLCompiler


DIALECT = PortableDialect(kakaorm.parse_url("portable://host/db"), {})


# -- portable types -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("INTEGER", ColumnType("int")),
        ("int4", ColumnType("int")),
        ("bigint(20) unsigned", ColumnType("int")),
        ("VARCHAR(255)", ColumnType("str", length=255)),
        ("character varying(255)", ColumnType("str", length=255)),
        ("character  varying( 40 )", ColumnType("str", length=40)),
        ("TEXT", ColumnType("str")),
        ("longtext", ColumnType("str")),
        ("DOUBLE PRECISION", ColumnType("float")),
        ("REAL", ColumnType("float")),
        ("boolean", ColumnType("bool")),
        ("TIMESTAMP WITH TIME ZONE", ColumnType("datetime")),
        ("timestamp(6) with time zone", ColumnType("datetime")),
        ("datetime(6)", ColumnType("datetime")),
        ("DATE", ColumnType("date")),
        ("time without time zone", ColumnType("time")),
        ("TIME(6)", ColumnType("time")),
        ("NUMERIC(10, 2)", ColumnType("decimal", precision=10, scale=2)),
        ("decimal(10,2)", ColumnType("decimal", precision=10, scale=2)),
        ("numeric", ColumnType("decimal")),
        ("jsonb", ColumnType("json")),
        ("JSON", ColumnType("json")),
        ("tsvector", ColumnType("other", name="tsvector")),
        ("timestamp without time zone", ColumnType("other", name="timestamp without time zone")),
    ],
)
def test_portable_type_reads_every_spelling_of_a_type(spelling, expected):
    assert portable_type(spelling) == expected


def test_column_types_print_for_people():
    assert [str(t) for t in (ColumnType("int"), ColumnType("str", 20), ColumnType("decimal", None, 8, 3))] == [
        "int", "str(20)", "decimal(8, 3)"
    ]
    assert str(ColumnType("other", name="jsonb")) == "jsonb"


# -- defaults --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        (None, "str", None),
        ("NULL", "int", None),
        ("'abc'::text", "str", "abc"),
        ("'it''s'::character varying", "str", "it's"),
        ("('x')", "str", "x"),
        ("0", "int", 0),
        ("'-3'::bigint", "int", -3),
        ("1.5", "float", 1.5),
        ("'-0.25'::double precision", "float", -0.25),
        ("12.50", "decimal", Decimal("12.50")),
        ("'-1.250'::numeric", "decimal", Decimal("-1.250")),
        ("true", "bool", True),
        ("0", "bool", False),
        ("'2020-01-02 03:04:05+00'::timestamp with time zone", "datetime", dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("'2020-01-02 05:04:05+02'", "datetime", dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("'2020-01-02 03:04:05.000000'", "datetime", dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("'2024-01-31'::date", "date", dt.date(2024, 1, 31)),
        ("'23:59:58.5'::time without time zone", "time", dt.time(23, 59, 58, 500000)),
        ("CURRENT_TIMESTAMP", "datetime", DefaultExpression("CURRENT_TIMESTAMP")),
        ("nextval('t_id_seq'::regclass)", "int", DefaultExpression("nextval('t_id_seq'::regclass)")),
        ("abc", "str", DefaultExpression("abc")),
    ],
)
def test_parse_default_reads_catalog_defaults_as_python_values(text, kind, expected):
    assert parse_default(text, kind) == expected


def test_parse_default_undoes_backslash_escapes_when_asked():
    assert parse_default(r"'ab\'c\\d'", "str", backslash_escapes=True) == "ab'c\\d"
    assert parse_default(r"'a\b'", "str") == "a\\b"  # standard SQL: a backslash is itself


# -- the models' schema -----------------------------------------------------------------------


class SchAuthor(Model):
    name = StrColumn(nullable=False, max_length=80)
    email = StrColumn(unique=True)
    active = BoolColumn(nullable=False, default=True)

    class Meta:
        table_name = "sch_author"


class SchPost(Model):
    title = StrColumn(nullable=False, index=True)
    views = IntColumn(nullable=False, default=0, check="views >= 0")
    author = ForeignKey(SchAuthor, on_delete="SET NULL")

    class Meta:
        table_name = "sch_post"
        indexes = [("views", "title")]


class SchLog(ArchiveModel):
    body = StrColumn(nullable=False)

    class Meta:
        table_name = "sch_log"


def test_model_schema_describes_what_create_table_makes():
    table = model_schema(DIALECT, SchPost)
    assert table.name == "sch_post"
    assert table.primary_key == ("id",)
    assert table.column_names == ("id", "title", "views", "author")
    views = table.column("views")
    assert views == ColumnSchema("views", ColumnType("int"), nullable=False, default=0)
    assert (views.type_sql, views.check) == ("INTEGER", "views >= 0")  # type: ignore[union-attr]
    assert table.indexes == (
        IndexSchema("ix_sch_post_views_title", ("views", "title")),
        IndexSchema("ix_sch_post_title", ("title",)),
    )
    assert table.foreign_keys == (
        ForeignKeySchema("fk_sch_post_author", ("author",), "sch_author", ("id",), "SET NULL"),
    )
    author = model_schema(DIALECT, SchAuthor)
    assert author.indexes == (IndexSchema("uq_sch_author_email", ("email",), unique=True, constraint=True),)


def test_model_tables_adds_archive_tables_and_rejects_non_models():
    assert [m._meta.table_name for m in model_tables([SchLog, SchAuthor, SchLog])] == [
        "sch_log", "archive_sch_log", "sch_author"
    ]
    with pytest.raises(TypeError, match="migrations plan concrete model classes; got 'sch_post'"):
        model_tables(["sch_post"])


def test_two_models_of_one_table_are_refused():
    class SchAuthorAgain(Model):
        name = StrColumn()

        class Meta:
            table_name = "sch_author"

    with pytest.raises(MigrationError, match="SchAuthor and SchAuthorAgain both use the table 'sch_author'"):
        model_tables([SchAuthor, SchAuthorAgain])


# -- the diff --------------------------------------------------------------------------------


def live(*models):
    """The schema as if ``create_table`` had made the models."""
    return {m._meta.table_name: model_schema(DIALECT, m) for m in models}


def test_matching_schema_gives_no_change():
    found = diff_schema(DIALECT, [SchAuthor, SchPost], live(SchAuthor, SchPost), drop=True)
    assert (found.changes, found.skipped_drops, found.problems) == ([], [], [])


def test_new_tables_are_created_referenced_first():
    found = diff_schema(DIALECT, model_tables([SchPost, SchAuthor, SchLog]), {}, drop=False)
    assert [type(c) for c in found.changes] == [CreateTable] * 4
    assert [c.table.name for c in found.changes] == ["sch_author", "sch_post", "sch_log", "archive_sch_log"]  # type: ignore[union-attr]


def test_column_changes_are_ops_in_a_safe_order():
    db = model_schema(DIALECT, SchPost)
    db = TableSchema(
        db.name,
        (
            db.columns[0],
            ColumnSchema("title", ColumnType("str", 20), nullable=True, type_sql="VARCHAR(20)"),
            ColumnSchema("views", ColumnType("int"), nullable=False, default=5, type_sql="INTEGER"),
            ColumnSchema("legacy", ColumnType("str"), type_sql="TEXT"),
        ),
        db.primary_key,
        (IndexSchema("ix_old", ("legacy",)), IndexSchema("ix_sch_post_title", ("title",))),
        (),
    )
    found = diff_schema(DIALECT, [SchAuthor, SchPost], {"sch_post": db, **live(SchAuthor)}, drop=False)
    (change,) = found.changes
    assert isinstance(change, AlterTable)
    assert [describe_op("sch_post", op) for op in change.ops] == [
        "add column sch_post.author",
        "alter column sch_post.title: type str(20) -> str, NOT NULL",
        "alter column sch_post.views: default 5 -> 0",
        "add index ix_sch_post_views_title on sch_post (views, title)",
    ]
    assert isinstance(change.ops[0], AddColumnOp) and change.ops[0].fk is not None
    assert found.skipped_drops == ["column sch_post.legacy"]
    # the index on the kept column stays; the kept column is carried into the new table
    assert change.new.column_names == ("id", "title", "views", "author", "legacy")
    assert IndexSchema("ix_old", ("legacy",)) in change.new.indexes


def test_plan_with_drop_drops_columns_indexes_foreign_keys_and_tables():
    db = live(SchAuthor, SchPost)
    post = db["sch_post"]
    db["sch_post"] = TableSchema(
        post.name,
        (*post.columns, ColumnSchema("gone", ColumnType("int"), type_sql="INTEGER")),
        post.primary_key,
        (*post.indexes, IndexSchema("ix_gone", ("gone",))),
        (*post.foreign_keys, ForeignKeySchema("fk_gone", ("gone",), "sch_author", ("id",))),
    )
    db["sch_orphan"] = TableSchema("sch_orphan", (ColumnSchema("id", ColumnType("int"), primary_key=True),), ("id",))
    found = diff_schema(DIALECT, [SchAuthor, SchPost], db, drop=True)
    alter, drop = found.changes
    assert isinstance(alter, AlterTable) and isinstance(drop, DropTable)
    assert alter.ops == (
        DropIndexOp(IndexSchema("ix_gone", ("gone",))),
        DropColumnOp(db["sch_post"].column("gone"), ForeignKeySchema("fk_gone", ("gone",), "sch_author", ("id",))),  # type: ignore[arg-type]
    )
    assert drop.table.name == "sch_orphan"
    assert found.skipped_drops == []
    kept = diff_schema(DIALECT, [SchAuthor, SchPost], db, drop=False)
    assert kept.changes == []
    assert kept.skipped_drops == ["column sch_post.gone", "table sch_orphan"]


def test_foreign_key_and_unique_changes_on_existing_columns():
    db = live(SchAuthor, SchPost)
    post, author = db["sch_post"], db["sch_author"]
    db["sch_post"] = TableSchema(post.name, post.columns, post.primary_key, post.indexes, ())
    db["sch_author"] = TableSchema(
        author.name, author.columns, author.primary_key,
        (IndexSchema("sch_author_name_key", ("name",), unique=True, constraint=True),), (),
    )
    found = diff_schema(DIALECT, [SchAuthor, SchPost], db, drop=False)
    ops = {c.old.name: c.ops for c in found.changes if isinstance(c, AlterTable)}
    assert ops["sch_post"] == (AddForeignKeyOp(model_schema(DIALECT, SchPost).foreign_keys[0]),)
    assert ops["sch_author"] == (
        DropIndexOp(IndexSchema("sch_author_name_key", ("name",), unique=True, constraint=True)),
        AddIndexOp(IndexSchema("uq_sch_author_email", ("email",), unique=True, constraint=True)),
    )
    moved = TableSchema(post.name, post.columns, post.primary_key, post.indexes,
                        (ForeignKeySchema("old_fk", ("author",), "sch_author", ("id",), "CASCADE"),))
    again = diff_schema(DIALECT, [SchAuthor, SchPost], {**live(SchAuthor), "sch_post": moved}, drop=False)
    (change,) = again.changes
    assert [type(op) for op in change.ops] == [DropForeignKeyOp, AddForeignKeyOp]  # type: ignore[union-attr]


def test_a_primary_key_change_is_a_problem_not_a_statement():
    db = live(SchAuthor)
    author = db["sch_author"]
    db["sch_author"] = TableSchema(author.name, author.columns, ("name",), author.indexes, ())
    found = diff_schema(DIALECT, [SchAuthor], db, drop=False)
    assert found.problems == [
        "the primary key of sch_author is (name) in the database and (id) in the model; migrations "
        "cannot change a primary key: write that migration by hand"
    ]


def test_an_implicit_index_is_neither_dropped_nor_created():
    db = live(SchAuthor, SchPost)
    post = db["sch_post"]
    db["sch_post"] = TableSchema(
        post.name, post.columns, post.primary_key, (*post.indexes, IndexSchema("author", ("author",), implicit=True)),
        post.foreign_keys,
    )
    assert diff_schema(DIALECT, [SchAuthor, SchPost], db, drop=True).changes == []


# -- base compiler DDL ------------------------------------------------------------------------


C = SQLCompiler()
VIEWS = ColumnSchema("views", ColumnType("int"), nullable=False, default=0, type_sql="INTEGER")
TITLE = ColumnSchema("title", ColumnType("str", 20), type_sql="VARCHAR(20)", default="it's")


def test_base_ddl_for_columns():
    fk = ForeignKeySchema("fk_post_author", ("author",), "author", ("id",), "CASCADE")
    author = ColumnSchema("author", ColumnType("int"), type_sql="INTEGER")
    assert C.add_column("post", VIEWS) == ['ALTER TABLE "post" ADD COLUMN "views" INTEGER NOT NULL DEFAULT 0']
    assert C.add_column("post", author, fk) == [
        'ALTER TABLE "post" ADD COLUMN "author" INTEGER CONSTRAINT "fk_post_author" '
        'REFERENCES "author" ("id") ON DELETE CASCADE'
    ]
    assert C.drop_column("post", VIEWS) == ['ALTER TABLE "post" DROP COLUMN "views"']
    wider = ColumnSchema("title", ColumnType("str", 200), nullable=False, type_sql="VARCHAR(200)", default="new")
    assert C.alter_column("post", TITLE, wider) == [
        'ALTER TABLE "post" ALTER COLUMN "title" DROP DEFAULT',
        'ALTER TABLE "post" ALTER COLUMN "title" TYPE VARCHAR(200)',
        'ALTER TABLE "post" ALTER COLUMN "title" SET NOT NULL',
        'ALTER TABLE "post" ALTER COLUMN "title" SET DEFAULT \'new\'',
    ]
    assert C.alter_column("post", wider, ColumnSchema("title", ColumnType("str", 200), type_sql="VARCHAR(200)")) == [
        'ALTER TABLE "post" ALTER COLUMN "title" DROP NOT NULL',
        'ALTER TABLE "post" ALTER COLUMN "title" DROP DEFAULT',
    ]


def test_base_ddl_for_indexes_constraints_and_tables():
    plain = IndexSchema("ix_post_title", ("title",))
    unique = IndexSchema("uq_post_slug", ("slug",), unique=True, constraint=True)
    assert C.add_index("post", plain) == ['CREATE INDEX "ix_post_title" ON "post" ("title")']
    assert C.add_index("post", unique) == ['ALTER TABLE "post" ADD CONSTRAINT "uq_post_slug" UNIQUE ("slug")']
    assert C.drop_index("post", plain) == ['DROP INDEX "ix_post_title"']
    assert C.drop_index("post", unique) == ['ALTER TABLE "post" DROP CONSTRAINT "uq_post_slug"']
    fk = ForeignKeySchema("fk_post_a", ("a",), "author", ("id",), "SET NULL")
    assert C.add_foreign_key("post", fk) == [
        'ALTER TABLE "post" ADD CONSTRAINT "fk_post_a" FOREIGN KEY ("a") REFERENCES "author" ("id") ON DELETE SET NULL'
    ]
    assert C.drop_foreign_key("post", fk) == ['ALTER TABLE "post" DROP CONSTRAINT "fk_post_a"']
    with pytest.raises(kakaorm.QueryError, match="cannot drop the unnamed foreign key of post\\(a\\) in place"):
        C.drop_foreign_key("post", ForeignKeySchema(None, ("a",), "author", ("id",)))
    table = TableSchema(
        "post",
        (ColumnSchema("id", ColumnType("int"), nullable=False, primary_key=True, type_sql="INTEGER"), VIEWS, TITLE),
        ("id",),
        (plain, unique),
        (fk,),
    )
    assert C.create_table_from_schema(table) == [
        'CREATE TABLE "post" ("id" INTEGER PRIMARY KEY, "views" INTEGER NOT NULL DEFAULT 0, '
        '"title" VARCHAR(20) DEFAULT \'it\'\'s\', CONSTRAINT "uq_post_slug" UNIQUE ("slug"), '
        'CONSTRAINT "fk_post_a" FOREIGN KEY ("a") REFERENCES "author" ("id") ON DELETE SET NULL)',
        'CREATE INDEX "ix_post_title" ON "post" ("title")',
    ]
    assert C.drop_table_by_name("post") == ['DROP TABLE "post"']
    assert C.rows_probe("post") == 'SELECT 1 FROM "post" LIMIT 1'
    assert C.rows_probe("post", "title") == 'SELECT 1 FROM "post" WHERE "title" IS NULL LIMIT 1'


def test_every_op_has_an_inverse_and_alter_table_renders_them_in_order():
    old = TableSchema("post", (VIEWS,))
    ops = (AddColumnOp(TITLE), AlterColumnOp(VIEWS, ColumnSchema("views", ColumnType("int"), type_sql="INTEGER")))
    assert [op.inverse().inverse() for op in ops] == list(ops)
    assert C.alter_table(old, old, ops) == [
        'ALTER TABLE "post" ADD COLUMN "title" VARCHAR(20) DEFAULT \'it\'\'s\'',
        'ALTER TABLE "post" ALTER COLUMN "views" DROP NOT NULL',
        'ALTER TABLE "post" ALTER COLUMN "views" DROP DEFAULT',
    ]


def test_constraint_names_fit_the_identifier_limit():
    name = C.constraint_name("fk", "t" * 60, ("column_a", "column_b"))
    assert len(name) == C.max_identifier_length
    assert name == C.constraint_name("fk", "t" * 60, ("column_a", "column_b"))


def test_a_dialect_without_migration_support_says_what_to_do():
    with pytest.raises(MigrationError, match="the portable\\+none dialect has no migration lock"):
        DIALECT.migration_lock(None)  # type: ignore[arg-type]
