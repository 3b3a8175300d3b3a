"""The compiler's small hooks, each overridden by a tiny SQLCompiler subclass: the core
calls it where documented and the SQL changes exactly as the override says."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kakaorm import IntColumn, Lag, Model, StrColumn, Subquery
from kakaorm.compiler import NestedRole, SQLCompiler
from kakaorm.expr import Expression, Param, WindowFunction
from kakaorm.expr.tables import TableRef
from kakaorm.statements import Delete, Insert, Select, Update


class HkPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)


P = HkPost


def sql_params(stmt: Any, compiler: SQLCompiler) -> tuple[str, list[Any]]:
    compiled = compiler.compile(stmt)
    return compiled.sql, [p.value for p in compiled.params]


# -- param_placeholder --------------------------------------------------------------------


class CastingCompiler(SQLCompiler):
    def param_placeholder(self, node: Param, placeholder: str) -> str:
        return f"CAST({placeholder} AS T)"


def test_param_placeholder_spells_each_expression_parameter_but_not_limit():
    stmt = P.where(P.views > 3).select(P.id).limit(2)._build_select()
    assert sql_params(stmt, CastingCompiler()) == (
        'SELECT "hk_post"."id" FROM "hk_post" WHERE "hk_post"."views" > CAST(? AS T) LIMIT ?',
        [3, 2],
    )


def test_param_placeholder_default_is_the_placeholder():
    stmt = P.where(P.views > 3).select(P.id)._build_select()
    assert SQLCompiler().compile(stmt).sql == (
        'SELECT "hk_post"."id" FROM "hk_post" WHERE "hk_post"."views" > ?'
    )


# -- window_function_argument ---------------------------------------------------------------


class OffsetCompiler(SQLCompiler):
    def window_function_argument(
        self, node: WindowFunction, index: int, arg: Expression[Any], params: list[Param]
    ) -> str:
        text = super().window_function_argument(node, index, arg, params)
        return f"INT({text})" if index == 1 else text


def test_window_function_argument_sees_each_argument_with_its_index():
    stmt = P.all().select(Lag(P.views, 2, 0).over(order_by=[P.id]).label("prev"))._build_select()
    assert sql_params(stmt, OffsetCompiler()) == (
        'SELECT LAG("hk_post"."views", INT(?), ?) OVER (ORDER BY "hk_post"."id" ASC) AS "prev" FROM "hk_post"',
        [2, 0],
    )


# -- writing_table ----------------------------------------------------------------------------


class WatchingCompiler(SQLCompiler):
    """Writes the table being written next to each parameter."""

    def param_placeholder(self, node: Param, placeholder: str) -> str:
        table = self.writing_table
        return f"{placeholder}/*{table.table_name if table is not None else '-'}*/"


def test_writing_table_is_set_while_an_update_or_delete_compiles():
    compiler = WatchingCompiler()
    sub = P.where(P.views > 1).select(P.id)
    update = Update(P, [(P.views, P.views + 1)], P.id.in_(sub))
    assert sql_params(update, compiler) == (
        'UPDATE "hk_post" SET "views" = ("hk_post"."views" + ?/*hk_post*/) WHERE "hk_post"."id" IN '
        '(SELECT "hk_post"."id" FROM "hk_post" WHERE "hk_post"."views" > ?/*hk_post*/)',
        [1, 1],
    )
    assert compiler.writing_table is None
    delete = Delete(P, P.views == 0)
    assert compiler.compile(delete).sql == 'DELETE FROM "hk_post" WHERE "hk_post"."views" = ?/*hk_post*/'
    assert compiler.writing_table is None
    select = P.where(P.views == 0).select(P.id)._build_select()
    assert compiler.compile(select).sql.endswith('WHERE "hk_post"."views" = ?/*-*/')


# -- nested_select ------------------------------------------------------------------------------


class DerivedCompiler(SQLCompiler):
    """Reads every nested SELECT from a derived table named after its role."""

    def nested_select(self, stmt: Select, params: list[Param], role: NestedRole) -> str:
        inner = super().nested_select(stmt, params, role)
        return f"SELECT * FROM ({inner}) AS {self.quote('_' + role)}"


def test_nested_select_builds_the_select_inside_in_and_a_scalar_subquery():
    sub = P.where(P.views > 1).select(P.id)
    avg = Subquery(P.all().select(P.views).limit(1))
    stmt = P.where(P.id.in_(sub), P.views == avg).select(P.title)._build_select()
    assert sql_params(stmt, DerivedCompiler()) == (
        'SELECT "hk_post"."title" FROM "hk_post" WHERE ("hk_post"."id" IN (SELECT * FROM '
        '(SELECT "hk_post"."id" FROM "hk_post" WHERE "hk_post"."views" > ?) AS "_in")) AND '
        '("hk_post"."views" = (SELECT * FROM (SELECT "hk_post"."views" FROM "hk_post" LIMIT ?) AS "_scalar"))',
        [1, 1],
    )


def test_nested_select_writing_table_tells_an_update_subquery_apart():
    class OnlyWhileWriting(SQLCompiler):
        def nested_select(self, stmt: Select, params: list[Param], role: NestedRole) -> str:
            inner = super().nested_select(stmt, params, role)
            written: TableRef | None = self.writing_table
            return inner if written is None else f"SELECT * FROM ({inner}) AS {self.quote('d')}"

    sub = P.where(P.views > 1).select(P.id)
    compiler = OnlyWhileWriting()
    assert compiler.compile(Delete(P, P.id.in_(sub))).sql == (
        'DELETE FROM "hk_post" WHERE "hk_post"."id" IN (SELECT * FROM '
        '(SELECT "hk_post"."id" FROM "hk_post" WHERE "hk_post"."views" > ?) AS "d")'
    )
    assert compiler.compile(P.where(P.id.in_(sub)).select(P.id)._build_select()).sql == (
        'SELECT "hk_post"."id" FROM "hk_post" WHERE "hk_post"."id" IN '
        '(SELECT "hk_post"."id" FROM "hk_post" WHERE "hk_post"."views" > ?)'
    )


# -- select_scope -------------------------------------------------------------------------------


class DepthCompiler(SQLCompiler):
    """Marks each parameter with the nesting depth of the SELECT it belongs to."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0

    @contextmanager
    def select_scope(self, stmt: Select) -> Iterator[None]:
        self.depth += 1
        try:
            with super().select_scope(stmt):
                yield
        finally:
            self.depth -= 1

    def param_placeholder(self, node: Param, placeholder: str) -> str:
        return f"{placeholder}/*{self.depth}*/"


def test_select_scope_wraps_every_select_and_its_nested_ones():
    sub = P.where(P.views > 1).select(P.id)
    stmt = P.where(P.id.in_(sub), P.views < 9).select(P.id)._build_select()
    compiler = DepthCompiler()
    assert compiler.compile(stmt).sql == (
        'SELECT "hk_post"."id" FROM "hk_post" WHERE ("hk_post"."id" IN (SELECT "hk_post"."id" FROM "hk_post" '
        'WHERE "hk_post"."views" > ?/*2*/)) AND ("hk_post"."views" < ?/*1*/)'
    )
    assert compiler.depth == 0
    update = Update(P, [(P.views, P.views + 1)])
    assert compiler.compile(update).sql == 'UPDATE "hk_post" SET "views" = ("hk_post"."views" + ?/*0*/)'


# -- finish_insert --------------------------------------------------------------------------------


class WrappingCompiler(SQLCompiler):
    def finish_insert(self, stmt: Insert, sql: str, params: list[Param]) -> str:
        return f"WITH {self.quote('w')} AS ({sql}) SELECT 1"


def test_finish_insert_receives_the_insert_without_returning():
    stmt = Insert(P, [P.title], [["a"]], returning=[P.id])
    assert WrappingCompiler().compile(stmt).sql == (
        'WITH "w" AS (INSERT INTO "hk_post" ("title") VALUES (?)) SELECT 1'
    )
    assert SQLCompiler().compile(stmt).sql == 'INSERT INTO "hk_post" ("title") VALUES (?) RETURNING "id"'
