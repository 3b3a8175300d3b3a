"""Readable ``repr()`` of expressions and queries, in a generic SQL-like form.

``repr(Sum(Post.views))`` is ``<Sum SUM(post.views)>``; ``repr(Post.views >= 100)`` is
``<Comparison post.views >= 100>``. The text comes from :class:`DescribeCompiler`, a
subclass of the portable compiler that needs no dialect: names are left bare when
they are plain identifiers, values are written inline, and constructs keep their
portable spelling (``ILIKE``, ``SUM`` of a boolean) instead of a backend's rewrite.

This text is for people reading a debugger or a log; it is never sent to a database,
where every value is a bind parameter. Importing this module installs :func:`describe`
as the ``repr()`` of expression nodes (:func:`kakaorm.expr.elements.set_describer`);
``kakaorm/__init__.py`` imports it, so it is always in place.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from kakaorm.compiler import SQLCompiler
from kakaorm.expr import Aggregate, InList, JSONPath, Ordering, Param, When
from kakaorm.expr.columns import ColumnElement
from kakaorm.expr.elements import set_describer
from kakaorm.expr.tables import TableRef, TableSource, table_ref
from kakaorm.types import TEXT

if TYPE_CHECKING:
    from kakaorm.statements import Select

__all__ = ["DescribeCompiler", "describe", "describe_select"]

_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class DescribeCompiler(SQLCompiler):
    """The portable compiler, adjusted to show a statement to a reader."""

    def quote(self, name: str) -> str:
        if _PLAIN_NAME.match(name):
            return name
        return super().quote(name)

    def bind(self, param: Param, params: list[Param]) -> str:
        params.append(param)
        return self.show_value(param)

    def show_value(self, param: Param) -> str:
        """A bound value as an SQL constant (its Python repr when SQL has no spelling)."""
        value = param.value
        try:
            return self.literal(value, param.type or TEXT)
        except Exception:  # noqa: BLE001 - any value the DDL literal cannot spell
            return repr(value)

    def column(self, column: ColumnElement[Any], qualify: bool = True) -> str:
        if column.table is None:
            return self.quote(column.name or "?")
        return super().column(column, qualify)

    def table(self, table: TableRef | TableSource | None) -> str:
        return "?" if table is None else self.quote(table_ref(table).table_name)

    def ilike(self, left: str, right: str) -> str:
        return f"{left} ILIKE {right}"

    def visit_Aggregate(self, node: Aggregate[Any], params: list[Param]) -> str:
        if node.arg is None:
            return f"{node.function}(*)"
        distinct = "DISTINCT " if node.distinct else ""
        return f"{node.function}({distinct}{self.visit(node.arg, params)})"

    def visit_InList(self, node: InList, params: list[Param]) -> str:
        if node.items:
            return super().visit_InList(node, params)
        # the compiler writes 1 = 0 for an empty list; show what was asked for
        return f"{self.visit(node.expr, params)} {'NOT ' if node.negate else ''}IN ()"

    def json_document(self, path: JSONPath, params: list[Param]) -> str:
        return self.visit(path.column, params) + "".join(f"[{s!r}]" for s in path.segments)

    def json_value(self, path: JSONPath, kind: str, params: list[Param]) -> str:
        if kind == "present":
            return self.json_document(path, params)
        return f"{self.json_document(path, params)} AS {kind.upper()}"

    def describe_when(self, when: When) -> str:
        """``WHEN condition THEN value`` of one Case branch."""
        params: list[Param] = []
        return f"WHEN {self.visit(when.condition, params)} THEN {self.visit(when.then, params)}"

    def describe_ordering(self, ordering: Ordering) -> str:
        """``expr ASC`` or ``expr DESC``."""
        return self.ordering(ordering, [])


_COMPILER = DescribeCompiler()


def describe(node: Any) -> str:
    """``<ClassName SQL-like text>`` for an expression, a When or an Ordering."""
    name = type(node).__name__
    try:
        if isinstance(node, When):
            text = _COMPILER.describe_when(node)
        elif isinstance(node, Ordering):
            text = _COMPILER.describe_ordering(node)
        else:
            text = _COMPILER.visit(node, [])
    except Exception:  # noqa: BLE001 - a repr never raises, even for a half-built node
        return f"<{name}>"
    return f"<{name} {text}>"


def describe_select(stmt: Select) -> str:
    """The SQL-like text of a SELECT statement (values inline)."""
    return _COMPILER.visit_select(stmt, [])


set_describer(describe)
