"""The compiler: statement tree in, ``(sql, params)`` out. Pure, synchronous.

A dialect subclasses :class:`SQLCompiler` and overrides what its database spells
differently (placeholders, identifier quoting, column types, LIMIT, LIKE, ...) through
small hooks. Every value becomes a bind parameter; every identifier goes through
:meth:`~kakaorm.compiler.dml.DMLCompiler.quote`.

:class:`SQLCompiler` joins the DML compiler (:mod:`kakaorm.compiler.dml`: SELECT,
INSERT, UPDATE, DELETE and expressions) with the DDL compiled from
:class:`kakaorm.schema.TableSchema` (:mod:`kakaorm.compiler.ddl` for CREATE/DROP,
:mod:`kakaorm.compiler.alter` for the migration statements).
"""

from __future__ import annotations

from kakaorm.compiler.ddl import SchemaDDL
from kakaorm.compiler.dml import Compiled, DMLCompiler, NestedRole

__all__ = ["Compiled", "NestedRole", "SQLCompiler"]


class SQLCompiler(DMLCompiler, SchemaDDL):
    """Base compiler producing portable SQL; dialects subclass it.

    Class attributes a dialect sets: :class:`~kakaorm.compiler.dml.DMLCompiler`'s
    ``paramstyle`` and ``quote_char``, and :class:`~kakaorm.compiler.ddl.SchemaDDL`'s
    type names and identifier limits.
    """

    def string_literal(self, text: str) -> str:
        """A quoted SQL string constant."""
        literal = "'" + text.replace("'", "''") + "'"
        if self.paramstyle == "format":
            literal = literal.replace("%", "%%")
        return literal
