"""Arrays are a dialect capability: DialectFeatures.arrays decides, not the dialect's
name, so a third-party dialect opts in by setting it; portable types know arrays."""

from __future__ import annotations

import dataclasses

import pytest

import kakaorm
from kakaorm import ArrayColumn, Model, NotSupportedError, QueryError
from kakaorm.compiler import SQLCompiler
from kakaorm.dialect import Dialect, DialectFeatures
from kakaorm.engine.cache import check_table_features, compile_entry
from kakaorm.schema import ColumnType, portable_type


class CapPost(Model):
    nums = ArrayColumn(int, nullable=False, default=list)


class PlainDialect(Dialect):
    name = "plain"
    driver = "none"
    compiler_class = SQLCompiler


class ArrayDialect(PlainDialect):
    name = "arrayish"
    features = dataclasses.replace(DialectFeatures(), arrays=True)


def _dialect(cls: type[Dialect]) -> Dialect:
    return cls(kakaorm.parse_url(f"{cls.name}://host/db"), {})


def _compile(dialect: Dialect, qs):
    params: list = []
    stmt = qs._build_select()
    stmt._key(params)
    return compile_entry(dialect, stmt, params)


def test_arrays_are_off_by_default_and_not_supported_is_a_query_error():
    assert DialectFeatures().arrays is False
    assert issubclass(NotSupportedError, QueryError)


def test_a_dialect_without_arrays_refuses_the_table_and_the_query():
    dialect = _dialect(PlainDialect)
    with pytest.raises(NotSupportedError) as caught:
        check_table_features(dialect, CapPost.__table_schema__())
    assert str(caught.value) == (
        "CapPost.nums is an ArrayColumn, which needs a database with native arrays, such as PostgreSQL; "
        "the plain+none dialect has none (DialectFeatures.arrays is False): store the list in a JSONColumn instead"
    )
    with pytest.raises(NotSupportedError, match=r"^an ArrayColumn \(list\[int\]\) needs a database with native arrays"):
        _compile(dialect, CapPost.where(CapPost.nums.contains([1])))


def test_a_dialect_declaring_arrays_compiles_them_in_the_standard_spelling():
    dialect = _dialect(ArrayDialect)
    check_table_features(dialect, CapPost.__table_schema__())
    entry = _compile(dialect, CapPost.where(CapPost.nums.contains([1]), CapPost.nums.any(2)))
    assert entry.sql.endswith('WHERE ("cap_post"."nums" @> ?) AND (? = ANY("cap_post"."nums"))')
    assert dialect.compiler.create_table(CapPost)[0] == (
        'CREATE TABLE IF NOT EXISTS "cap_post" ("id" INTEGER PRIMARY KEY, "nums" INTEGER[] NOT NULL)'
    )


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("bigint[]", ColumnType("array", item=ColumnType("int"))),
        ("text[]", ColumnType("array", item=ColumnType("str"))),
        ("timestamp with time zone[]", ColumnType("array", item=ColumnType("datetime"))),
        ("character varying(10)[]", ColumnType("array", item=ColumnType("str", length=10))),
    ],
)
def test_portable_type_reads_array_spellings(spelling, expected):
    assert portable_type(spelling) == expected
    assert str(expected).startswith("array(")
