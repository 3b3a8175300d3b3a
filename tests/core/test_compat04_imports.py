"""The import paths and names of kakaorm 0.4 resolve to our own objects (thin
re-exports, never second implementations), and the names that cannot work as in 0.4
fail with an error that gives the new spelling."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kakaorm
from kakaorm import expr
from kakaorm.engine.compat04 import AioMySQLEngine, AioSQLiteEngine, AsyncpgEngine, Psycopg3Engine
from kakaorm.orm.queryset import QuerySet

#: (module, name) of kakaorm 0.4 -> our object; every row must be the very same object
SAME_OBJECT = [
    ("kakaorm.relationship", "belongs_to", kakaorm.belongs_to),
    ("kakaorm.relationship", "has_many", kakaorm.has_many),
    ("kakaorm.relationship", "has_one", kakaorm.has_one),
    ("kakaorm.soft_delete", "SoftDeleteModel", kakaorm.SoftDeleteModel),
    ("kakaorm.soft_delete", "SoftDeleteQuerySet", QuerySet),
    ("kakaorm.archive", "ArchiveModel", kakaorm.ArchiveModel),
    ("kakaorm.archive", "ArchiveQuerySet", QuerySet),
    ("kakaorm.query", "QuerySet", kakaorm.QuerySet),
    ("kakaorm.query", "Subquery", kakaorm.Subquery),
    ("kakaorm.query", "AggFunc", expr.Aggregate),
    ("kakaorm.query", "Avg", kakaorm.Avg),
    ("kakaorm.query", "Case", kakaorm.Case),
    ("kakaorm.query", "ColumnCompare", expr.Comparison),
    ("kakaorm.query", "ColumnMeta", kakaorm.Column),
    ("kakaorm.query", "Max", kakaorm.Max),
    ("kakaorm.query", "Min", kakaorm.Min),
    ("kakaorm.query", "Sum", kakaorm.Sum),
    ("kakaorm.query", "UpdateExpr", expr.Arithmetic),
    ("kakaorm.query", "WhereClause", expr.Condition),
    ("kakaorm.model", "Model", kakaorm.Model),
    ("kakaorm.model", "AsyncORMMeta", type(kakaorm.Model)),
    ("kakaorm.engine", "Engine", kakaorm.Engine),
    ("kakaorm.engine", "connect", kakaorm.connect),
    ("kakaorm.engine", "AsyncpgEngine", AsyncpgEngine),
    ("kakaorm.engine", "Psycopg3Engine", Psycopg3Engine),
    ("kakaorm.engine", "AioSQLiteEngine", AioSQLiteEngine),
    ("kakaorm.engine", "AioMySQLEngine", AioMySQLEngine),
    *[
        ("kakaorm.columns.types", name, getattr(kakaorm, name))
        for name in (
            "BoolColumn", "Column", "DateColumn", "DateTimeColumn", "DecimalColumn",
            "FloatColumn", "ForeignKey", "IntColumn", "StrColumn", "TimeColumn",
        )
    ],
    *[
        ("kakaorm.columns.base", name, getattr(kakaorm, name))
        for name in (
            "Avg", "Case", "Column", "Count", "DenseRank", "Lag", "Lead", "Max", "Min",
            "Rank", "RowNumber", "Sum", "When",
        )
    ],
    ("kakaorm.columns.base", "AggFunc", expr.Aggregate),
    ("kakaorm.columns.base", "WindowFunc", expr.WindowFunction),
    ("kakaorm.columns.base", "WindowedAgg", expr.Window),
    ("kakaorm.columns.base", "ColumnMeta", kakaorm.Column),
    ("kakaorm.columns.base", "ColumnCompare", expr.Comparison),
    ("kakaorm.columns.base", "WhereClause", expr.Condition),
    ("kakaorm.columns.base", "UpdateExpr", expr.Arithmetic),
    # top-level names 0.4 exported that we had not
    ("kakaorm", "AggFunc", expr.Aggregate),
    ("kakaorm", "WindowFunc", expr.WindowFunction),
    ("kakaorm", "WindowedAgg", expr.Window),
    ("kakaorm", "AsyncpgEngine", AsyncpgEngine),
    ("kakaorm", "Psycopg3Engine", Psycopg3Engine),
    ("kakaorm", "AioSQLiteEngine", AioSQLiteEngine),
    ("kakaorm", "AioMySQLEngine", AioMySQLEngine),
]


@pytest.mark.parametrize(("module", "name", "ours"), SAME_OBJECT, ids=[f"{m}.{n}" for m, n, _ in SAME_OBJECT])
def test_a_04_name_is_our_object(module, name, ours):
    assert getattr(importlib.import_module(module), name) is ours


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("kakaorm.relationship", ["belongs_to", "has_many", "has_one"]),
        ("kakaorm.soft_delete", ["SoftDeleteModel", "SoftDeleteQuerySet"]),
        ("kakaorm.archive", ["ArchiveModel", "ArchiveQuerySet", "archive_columns"]),
        ("kakaorm.model", ["AsyncORMMeta", "Model"]),
        (
            "kakaorm.engine",
            ["AioMySQLEngine", "AioSQLiteEngine", "AsyncpgEngine", "Engine", "Psycopg3Engine", "connect"],
        ),
        ("kakaorm.columns", ["base", "types"]),
        (
            "kakaorm.columns.types",
            [
                "BoolColumn", "Column", "DateColumn", "DateTimeColumn", "DecimalColumn",
                "FloatColumn", "ForeignKey", "IntColumn", "StrColumn", "TimeColumn",
            ],
        ),
        (
            "kakaorm.columns.base",
            [
                "AggFunc", "Avg", "Case", "Column", "ColumnCompare", "ColumnMeta", "Count",
                "DenseRank", "Lag", "Lead", "Max", "Min", "Rank", "RowNumber", "Sum",
                "UpdateExpr", "WhereClause", "When", "WindowFunc", "WindowedAgg",
            ],
        ),
        (
            "kakaorm.query",
            [
                "AggFunc", "Avg", "Case", "ColumnCompare", "ColumnMeta", "Max", "Min",
                "QuerySet", "Subquery", "Sum", "UpdateExpr", "WhereClause",
            ],
        ),
    ],
)
def test_each_04_module_exports_exactly_its_pinned_names(module, names):
    mod = importlib.import_module(module)
    assert mod.__all__ == names
    assert all(hasattr(mod, name) for name in names)


def test_the_04_public_names_of_the_top_level_resolve_except_the_other_parts_of_issue_12():
    # kakaorm 0.4.10's __all__, minus the validation, i18n and migration names that
    # other parts of the upgrade add
    names_04 = [
        "Engine", "AsyncpgEngine", "AioSQLiteEngine", "AioMySQLEngine", "Psycopg3Engine",
        "connect", "Model", "SoftDeleteModel", "ArchiveModel", "IntColumn", "StrColumn",
        "FloatColumn", "BoolColumn", "DateTimeColumn", "ForeignKey", "DecimalColumn",
        "DateColumn", "TimeColumn", "has_many", "has_one", "belongs_to", "Subquery",
        "AggFunc", "Count", "Sum", "Avg", "Max", "Min", "Case", "When", "WindowFunc",
        "RowNumber", "Rank", "DenseRank", "Lag", "Lead", "WindowedAgg", "cli_main",
    ]
    assert [n for n in names_04 if n not in kakaorm.__all__] == []


def test_import_kakaorm_makes_the_04_modules_attributes_as_04_did():
    code = (
        "import kakaorm; "
        "print(kakaorm.relationship.has_many is kakaorm.has_many, "
        "kakaorm.columns.types.IntColumn is kakaorm.IntColumn, "
        "kakaorm.columns.base.AggFunc is kakaorm.AggFunc, "
        "kakaorm.soft_delete.SoftDeleteModel is kakaorm.SoftDeleteModel, "
        "kakaorm.archive.ArchiveModel is kakaorm.ArchiveModel, "
        "kakaorm.query.QuerySet is kakaorm.QuerySet, "
        "kakaorm.model.Model is kakaorm.Model, "
        "kakaorm.engine.Engine is kakaorm.Engine)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True"] * 8


@pytest.mark.parametrize(
    ("cls", "url"),
    [
        (AsyncpgEngine, "postgresql+asyncpg://user:password@localhost:5432/dbname"),
        (Psycopg3Engine, "postgresql+psycopg3://user:password@localhost:5432/dbname"),
        (AioSQLiteEngine, "sqlite+aiosqlite:///path/to/app.db"),
        (AioMySQLEngine, "mysql+aiomysql://user:password@localhost:3306/dbname"),
    ],
)
def test_constructing_a_04_engine_class_is_a_configuration_error_giving_the_connect_url(cls, url):
    name = cls.__name__
    with pytest.raises(kakaorm.ConfigurationError) as info:
        cls("postgresql://u:p@h/db", min_size=1, max_size=5)
    assert str(info.value) == (
        f"{name}(...) cannot be constructed: open the database with "
        f'`engine = await kakaorm.connect("{url}")` (pool sizes are the connect() options '
        f"pool_min_size= and pool_max_size=). The name {name} remains for checks such as "
        f"isinstance(engine, {name})"
    )


@pytest.mark.parametrize("cls", [AsyncpgEngine, Psycopg3Engine, AioSQLiteEngine, AioMySQLEngine])
def test_a_04_engine_class_is_an_engine_subclass_that_no_non_engine_matches(cls):
    assert issubclass(cls, kakaorm.Engine)
    assert not isinstance(object(), cls)
    assert not isinstance("postgresql+asyncpg://h/db", cls)


def test_unknown_relation_error_is_a_query_error_and_an_attribute_error():
    err = kakaorm.UnknownRelationError("x")
    assert isinstance(err, kakaorm.QueryError)
    assert isinstance(err, AttributeError)
    assert kakaorm.UnknownRelationError is kakaorm.exc.UnknownRelationError
    assert "UnknownRelationError      prefetch() names no relation" in kakaorm.exc.__doc__


def test_archive_columns_gives_the_archive_tables_columns_by_name():
    from kakaorm.archive import archive_columns

    class C4Log(kakaorm.ArchiveModel):
        body = kakaorm.StrColumn(nullable=False)

    columns = archive_columns(C4Log)
    assert list(columns) == ["id", "body", "archived_at"]
    assert columns == dict(C4Log.archive_model()._meta.columns)
    with pytest.raises(TypeError, match=r"^archive_columns\(\) takes an ArchiveModel subclass, got <class"):
        archive_columns(kakaorm.Model)


def test_cli_main_without_kakaorm_cli_prints_the_pip_line_and_returns_1():
    # python -S with only kakaorm-core's src on the path: kakaorm-cli is not importable
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(Path(kakaorm.__file__).resolve().parent.parent)
    code = "import sys, kakaorm; sys.exit(kakaorm.cli_main(['--help']) + 10)"
    proc = subprocess.run([sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 11
    assert proc.stderr == "The KakaORM command line is a separate distribution: pip install kakaorm-cli\n"
