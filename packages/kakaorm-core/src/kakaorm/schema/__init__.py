"""A database schema described in portable terms, and the changes between two schemas.

A dialect reads the live schema (:meth:`kakaorm.dialect.Dialect.read_schema`) into
these frozen dataclasses; the migration planner builds the same description from the
models and compares the two. Types are compared as :class:`ColumnType` (a kind plus
length, precision and scale), so ``int4`` and ``INTEGER``, or ``VARCHAR(255)`` and
``character varying(255)``, are the same type. Defaults are compared as Python values
(``'abc'::text`` and ``'abc'`` are the same default).

Tables written by KakaORM 0.4.x are recognised by the dialect that reads them
(:attr:`TableSchema.origin` is :data:`ORIGIN_KAKAORM_04`): 0.4 never wrote column
defaults, and on SQLite it spelled some types its own way
(:attr:`ColumnSchema.also_matches`); the planner takes both as what the models declare.

The ``*Op`` classes describe one change to one table. A dialect's compiler turns
them into DDL (:meth:`kakaorm.compiler.SQLCompiler.alter_table`); every op has an
``inverse()`` from which the down migration is built.

The descriptions and the protocols that give them live in :mod:`kakaorm.schema.tables`,
the ops in :mod:`kakaorm.schema.ops`, the reading of database spellings in
:mod:`kakaorm.schema.reading`; this package re-exports them.
"""

from __future__ import annotations

from kakaorm.schema.ops import (
    AddColumnOp,
    AddForeignKeyOp,
    AddIndexOp,
    AlterColumnOp,
    DropColumnOp,
    DropForeignKeyOp,
    DropIndexOp,
    TableOp,
)
from kakaorm.schema.ops import same_default as same_default
from kakaorm.schema.reading import parse_default, portable_type
from kakaorm.schema.tables import KINDS as KINDS
from kakaorm.schema.tables import (
    NULL_DEFAULT,
    ORIGIN_KAKAORM_04,
    ArchiveTableSource,
    ColumnSchema,
    ColumnSource,
    ColumnType,
    DefaultExpression,
    ForeignKeySchema,
    IndexSchema,
    TableSchema,
    TableSource,
)

__all__ = [
    "AddColumnOp",
    "AddForeignKeyOp",
    "AddIndexOp",
    "AlterColumnOp",
    "ArchiveTableSource",
    "ColumnSchema",
    "ColumnSource",
    "ColumnType",
    "DefaultExpression",
    "DropColumnOp",
    "DropForeignKeyOp",
    "DropIndexOp",
    "ForeignKeySchema",
    "IndexSchema",
    "NULL_DEFAULT",
    "ORIGIN_KAKAORM_04",
    "TableOp",
    "TableSchema",
    "TableSource",
    "parse_default",
    "portable_type",
]
