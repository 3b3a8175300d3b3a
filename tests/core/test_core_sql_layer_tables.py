"""The SQL layer on its own: statements over a plain TableRef (no model), subqueries
through ``__subquery__()``, and a model standing for its table through ``__table_ref__()``."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import pytest

from kakaorm import IntColumn, Model, QueryError, StrColumn
from kakaorm.compiler import SQLCompiler
from kakaorm.expr import ColumnElement, Subquery, table_ref
from kakaorm.statements import Delete, Insert, Select, Update
from kakaorm.types import INTEGER, TEXT


@dataclass(eq=False)
class PlainTable:
    """A table described without the ORM."""

    table_name: str
    display_name: str
    column_list: list[ColumnElement[Any]] = field(default_factory=list)
    pk: ColumnElement[Any] | None = None

    @property
    def columns_key(self) -> Hashable:
        return ("plain-columns", self.table_name)

    def add(self, name: str, type: Any) -> ColumnElement[Any]:
        column: ColumnElement[Any] = ColumnElement(name, type, self)
        self.column_list.append(column)
        return column


def _ticket_table() -> tuple[PlainTable, ColumnElement[Any], ColumnElement[Any]]:
    table = PlainTable("ticket", "Ticket")
    key = table.add("id", INTEGER)
    title = table.add("title", TEXT)
    table.pk = key
    return table, key, title


def test_statements_over_a_plain_table_compile_without_any_model():
    table, key, title = _ticket_table()
    compiler = SQLCompiler()
    select = compiler.compile(Select(table, table.column_list, where=title == "a"))
    assert select.sql == 'SELECT "ticket"."id", "ticket"."title" FROM "ticket" WHERE "ticket"."title" = ?'
    assert [p.value for p in select.params] == ["a"]
    assert select.result_names == ["id", "title"]
    assert select.plain_columns == [True, True]
    assert compiler.compile(Insert(table, [title], [["x"]])).sql == 'INSERT INTO "ticket" ("title") VALUES (?)'
    update = compiler.compile(Update(table, [(title, title)], key == 1))
    assert update.sql == 'UPDATE "ticket" SET "title" = "ticket"."title" WHERE "ticket"."id" = ?'
    assert compiler.compile(Delete(table)).sql == 'DELETE FROM "ticket"'


def test_a_plain_table_column_checks_values_and_names_itself_in_messages():
    _table, key, _ = _ticket_table()
    with pytest.raises(TypeError, match=r"^Ticket\.id is a ColumnElement and takes an int, not str \('1'\)$"):
        key == "1"  # noqa: B015 - building the condition checks the value


def test_the_shape_key_of_a_tables_own_column_list_is_the_tables_key():
    table, _, _ = _ticket_table()
    params: list[Any] = []
    key = Select(table, table.column_list)._key(params)
    assert isinstance(key, tuple) and ("plain-columns", "ticket") in key


def test_a_select_nests_as_a_subquery_of_itself():
    table, key, title = _ticket_table()
    inner = Select(table, [key], where=title == "b")
    assert inner.__subquery__() is inner
    compiled = SQLCompiler().compile(Select(table, [title], where=key.in_(inner)))
    assert compiled.sql == (
        'SELECT "ticket"."title" FROM "ticket" WHERE "ticket"."id" IN '
        '(SELECT "ticket"."id" FROM "ticket" WHERE "ticket"."title" = ?)'
    )
    assert [p.value for p in compiled.params] == ["b"]


def test_an_in_subquery_of_several_columns_names_the_tables_key_as_the_fix():
    table, key, title = _ticket_table()
    with pytest.raises(QueryError, match=r"add \.select\(Ticket\.id\) to the QuerySet"):
        key.in_(Select(table, [key, title]))


class SqlLayerNote(Model):
    body = StrColumn(nullable=False)
    rank = IntColumn()


def test_a_model_stands_for_its_table_and_its_queries_for_their_select():
    assert table_ref(SqlLayerNote) is SqlLayerNote._meta
    assert SqlLayerNote.body.table is SqlLayerNote._meta
    assert Select(SqlLayerNote, [SqlLayerNote.body]).table is SqlLayerNote._meta
    query = SqlLayerNote.where(SqlLayerNote.rank > 1).select(SqlLayerNote.id)
    sub = Subquery(query)
    assert sub.source is query
    assert SQLCompiler().compile(sub.statement).sql == (
        'SELECT "sql_layer_note"."id" FROM "sql_layer_note" WHERE "sql_layer_note"."rank" > ?'
    )
