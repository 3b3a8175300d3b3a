"""kakaorm 0.4's migration names with kakaorm-core alone: the top-level migrators, the
error 0.4 code catches as LookupError, relation checks without a database, and the
base compiler's DDL for filling an added auto_now column."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import kakaorm
from kakaorm import DateTimeColumn, Model, StrColumn, belongs_to
from kakaorm.compiler import SQLCompiler
from kakaorm.migration import MigrationRecord, Migrator, VersionedMigrator
from kakaorm.schema import AddColumnOp, ColumnSchema, ColumnType, DropColumnOp

CORE_SRC = Path(kakaorm.__file__).resolve().parent.parent


class CoreStamped(Model):
    title = StrColumn(nullable=False)
    touched = DateTimeColumn(nullable=False, auto_now=True)

    class Meta:
        table_name = "core_stamped"


class CoreOrphan(Model):
    parent_id = StrColumn()
    parent = belongs_to("CoreNoSuchParent", foreign_key="parent_id")

    class Meta:
        table_name = "core_orphan"


def test_migrators_import_from_kakaorm_with_core_alone_and_no_driver():
    code = """
        import json, sys
        import kakaorm
        from kakaorm.migration import Migrator, VersionedMigrator
        loaded = sorted(m for m in sys.modules if m.split('.')[0] in
                        {'asyncpg', 'aiomysql', 'aiosqlite', 'psycopg', 'pymysql', 'sqlite3',
                         'kakaorm_sqlite', 'kakaorm_postgres', 'kakaorm_mysql', 'kakaorm_cli'})
        print(json.dumps([kakaorm.Migrator is Migrator, kakaorm.VersionedMigrator is VersionedMigrator,
                          issubclass(VersionedMigrator, Migrator), loaded]))
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(CORE_SRC)
    proc = subprocess.run(
        [sys.executable, "-S", "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [True, True, True, []]


def test_unresolved_relation_error_is_a_migration_error_and_a_lookup_error():
    error = kakaorm.UnresolvedRelationError("x")
    assert isinstance(error, kakaorm.MigrationError)
    assert isinstance(error, kakaorm.KakaORMError)
    assert isinstance(error, LookupError)
    assert kakaorm.exc.UnresolvedRelationError is kakaorm.UnresolvedRelationError
    assert "UnresolvedRelationError" in kakaorm.exc.__all__
    assert "└── UnresolvedRelationError   a relation names a model that is not defined" in kakaorm.exc.__doc__


def test_validate_relationships_needs_no_database():
    migrator = Migrator(engine=object())  # type: ignore[arg-type]  # never used: no query runs
    assert migrator.validate_relationships([CoreStamped]) is None
    with pytest.raises(LookupError) as caught:
        migrator.validate_relationships([CoreStamped, CoreOrphan])
    assert type(caught.value) is kakaorm.UnresolvedRelationError
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("1 relation(s) refer to a model that cannot be resolved; ")
    assert lines[1].startswith(
        "- CoreOrphan.parent refers to a model named 'CoreNoSuchParent', but no such model is defined. Known models: "
    )
    assert len(lines) == 2


def test_base_compiler_fills_an_added_column_with_the_current_time_then_drops_the_default():
    compiler = SQLCompiler()
    column = ColumnSchema("touched", ColumnType("datetime"), nullable=False, type_sql="TIMESTAMP WITH TIME ZONE")
    op = AddColumnOp(column, fill_now=True)
    assert compiler.table_op("core_stamped", op) == [
        'ALTER TABLE "core_stamped" ADD COLUMN "touched" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP',
        'ALTER TABLE "core_stamped" ALTER COLUMN "touched" DROP DEFAULT',
    ]
    assert compiler.table_op("core_stamped", AddColumnOp(column)) == [
        'ALTER TABLE "core_stamped" ADD COLUMN "touched" TIMESTAMP WITH TIME ZONE NOT NULL'
    ]
    assert op.inverse() == DropColumnOp(column)


def test_a_dialect_compiler_chooses_its_own_current_time_expression():
    class ClockCompiler(SQLCompiler):
        def current_timestamp(self) -> str:
            return "clock_now()"

    column = ColumnSchema("touched", ColumnType("datetime"), nullable=False, type_sql="TIMESTAMPTZ")
    assert ClockCompiler().add_column_filled_now("t", column) == [
        'ALTER TABLE "t" ADD COLUMN "touched" TIMESTAMPTZ NOT NULL DEFAULT clock_now()',
        'ALTER TABLE "t" ALTER COLUMN "touched" DROP DEFAULT',
    ]


def test_a_migration_record_shows_its_down_statements_as_0_4_stored_them():
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    assert MigrationRecord("0001_a", when, ("DROP TABLE a",)).down_sql == '["DROP TABLE a"]'
    assert MigrationRecord("0002_b", when, ()).down_sql == "[]"
    assert MigrationRecord("manual", when, (), reversible=False).down_sql == ""
    assert VersionedMigrator.HISTORY_TABLE == "kakaorm_migrations"
