"""Compare the schema the models describe with the schema the database has.

The models are first described in the same portable terms the dialect reads the
database in (:mod:`kakaorm.schema`): each column's type is the one the dialect's
compiler would write, read back through ``Dialect.schema_type``, so whatever a
``create_table`` produced compares equal to the model that produced it.

What counts as the same:

* an index (or UNIQUE constraint) is matched by its columns and uniqueness, never by
  its name: KakaORM 0.4's ``idx_<table>_<columns>`` indexes and the names databases give
  inline UNIQUE constraints (``<table>_<column>_key``, ``sqlite_autoindex_*``, the column
  name on MySQL) match the model's ``ix_*``/``uq_*`` ones;
* foreign keys by columns, target and ON DELETE action, not by name;
* a column by portable type (``int4`` is ``bigint``), nullability and default; a type
  the dialect lists in ``ColumnSchema.also_matches`` is the same type;
* in a table KakaORM 0.4 created (``TableSchema.origin``), a column without a database
  default matches a model default: 0.4 never wrote defaults into the database and
  filled them in on insert, as KakaORM also does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from kakaorm.engine.cache import check_table_features
from kakaorm.exc import MigrationError
from kakaorm.orm.model import Model
from kakaorm.schema import (
    NULL_DEFAULT,
    ORIGIN_KAKAORM_04,
    AddColumnOp,
    AddForeignKeyOp,
    AddIndexOp,
    AlterColumnOp,
    ColumnSchema,
    DropColumnOp,
    DropForeignKeyOp,
    DropIndexOp,
    TableOp,
    TableSchema,
    same_default,
)

if TYPE_CHECKING:
    from kakaorm.dialect import Dialect

__all__ = ["AlterTable", "Change", "CreateTable", "DropTable", "SchemaDiff", "diff_schema", "model_tables"]

#: the table VersionedMigrator records applied migrations in; never part of a diff
HISTORY_TABLE = "kakaorm_migrations"


@dataclass(frozen=True)
class CreateTable:
    """A table the models have and the database has not."""

    model: type[Model]
    table: TableSchema

    def describe(self) -> str:
        """One line for people."""
        return f"create table {self.table.name}"


@dataclass(frozen=True)
class DropTable:
    """A table the database has and the models have not."""

    table: TableSchema

    def describe(self) -> str:
        """One line for people."""
        return f"drop table {self.table.name}"


@dataclass(frozen=True)
class AlterTable:
    """Changes to a table both have: ``ops`` turn ``old`` (the database's) into ``new``."""

    old: TableSchema
    new: TableSchema
    ops: tuple[TableOp, ...]

    def describe(self) -> str:
        """One line per op, for people."""
        return "\n".join(describe_op(self.old.name, op) for op in self.ops)


#: one planned change
Change = CreateTable | DropTable | AlterTable


@dataclass
class SchemaDiff:
    """The changes, in the order they must run, and the drops left out of them."""

    changes: list[Change] = field(default_factory=list)
    skipped_drops: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def describe_op(table: str, op: TableOp) -> str:
    """``add column post.bio``, ``alter column post.views: type int -> str`` ..."""
    if isinstance(op, AddColumnOp):
        return f"add column {table}.{op.column.name}"
    if isinstance(op, DropColumnOp):
        return f"drop column {table}.{op.column.name}"
    if isinstance(op, AlterColumnOp):
        what = []
        if op.type_changed:
            what.append(f"type {op.old.type} -> {op.new.type}")
        if op.null_changed:
            what.append("NOT NULL" if not op.new.nullable else "nullable")
        if op.default_changed:
            what.append(f"default {op.old.default!r} -> {op.new.default!r}")
        return f"alter column {table}.{op.new.name}: {', '.join(what)}"
    if isinstance(op, AddIndexOp):
        kind = "unique index" if op.index.unique else "index"
        return f"add {kind} {op.index.name} on {table} ({', '.join(op.index.columns)})"
    if isinstance(op, DropIndexOp):
        kind = "unique index" if op.index.unique else "index"
        return f"drop {kind} {op.index.name} on {table} ({', '.join(op.index.columns)})"
    if isinstance(op, AddForeignKeyOp):
        return f"add foreign key {table}({', '.join(op.fk.columns)}) -> {op.fk.ref_table}"
    return f"drop foreign key {table}({', '.join(op.fk.columns)}) -> {op.fk.ref_table}"


# -- the models' schema ---------------------------------------------------------------------


def model_tables(models: Iterable[Any]) -> list[type[Model]]:
    """The concrete models to plan for, plus the archive model of each ArchiveModel.

    Raises:
        TypeError: something that is not a concrete model class was given.
    """
    out: list[type[Model]] = []
    for model in models:
        if not (isinstance(model, type) and issubclass(model, Model)) or model._meta.abstract:
            raise TypeError(f"migrations plan concrete model classes; got {model!r}")
        if model not in out:
            out.append(model)
        archive_model = getattr(model, "archive_model", None)
        if archive_model is not None:
            archive = archive_model()
            if archive not in out:
                out.append(archive)
        for relation in model._meta.relations.values():
            # a many_to_many's own link table (Post.tags.through)
            for implied in relation.implied_models():
                if implied not in out:
                    out.append(implied)
    names: dict[str, type[Model]] = {}
    for model in out:
        other = names.setdefault(model._meta.table_name, model)
        if other is not model:
            raise MigrationError(
                f"{other.__name__} and {model.__name__} both use the table "
                f"{model._meta.table_name!r}; pass only one model per table"
            )
    return out


def model_schema(dialect: Dialect, model: type[Model]) -> TableSchema:
    """The table ``engine.create_table(model)`` creates, in the terms the dialect reads
    a database in: each column's type read back from the type the compiler writes,
    defaults as the database holds them, and every constraint named."""
    compiler = dialect.compiler
    declared = model.__table_schema__()
    check_table_features(dialect, declared)
    table = compiler.table_schema(declared)
    columns = []
    for col, declared_col in zip(table.columns, declared.columns):
        default = col.default
        if default == NULL_DEFAULT:
            default = None  # DEFAULT NULL reads back as no default
        elif default is not None:
            default = declared_col.type.sql_type().normalize(default)
        columns.append(replace(col, type=dialect.schema_type(col.type_sql), default=default))
    fks = tuple(
        replace(fk, name=fk.name or compiler.constraint_name("fk", table.name, fk.columns))
        for fk in table.foreign_keys
    )
    return replace(table, columns=tuple(columns), foreign_keys=fks, declared_by=None)


# -- the comparison ---------------------------------------------------------------------------


def diff_schema(
    dialect: Dialect,
    models: Sequence[type[Model]],
    actual: Mapping[str, TableSchema],
    *,
    drop: bool,
) -> SchemaDiff:
    """The changes that make the database match ``models`` (see :func:`model_tables`).

    Columns and tables the models lack are dropped only when ``drop`` is True;
    otherwise they are listed in ``skipped_drops`` and kept.
    """
    result = SchemaDiff()
    expected = {m._meta.table_name: (m, model_schema(dialect, m)) for m in models}
    created: list[CreateTable] = []
    altered: list[AlterTable] = []
    for name, (model, table) in expected.items():
        current = actual.get(name)
        if current is None:
            created.append(CreateTable(model, table))
            continue
        change = _diff_table(current, table, drop, result)
        if change is not None:
            altered.append(change)
    result.changes.extend(_creation_order(created))
    result.changes.extend(altered)
    extra = [t for n, t in actual.items() if n not in expected and n != HISTORY_TABLE]
    if drop:
        result.changes.extend(DropTable(t) for t in _drop_order(extra))
    else:
        result.skipped_drops.extend(f"table {t.name}" for t in sorted(extra, key=lambda t: t.name))
    return result


def _diff_table(old: TableSchema, model: TableSchema, drop: bool, result: SchemaDiff) -> AlterTable | None:
    name = old.name
    if old.primary_key != model.primary_key:
        result.problems.append(
            f"the primary key of {name} is ({', '.join(old.primary_key)}) in the database and "
            f"({', '.join(model.primary_key)}) in the model; migrations cannot change a primary "
            "key: write that migration by hand"
        )
    added: list[TableOp] = []
    altered: list[TableOp] = []
    dropped: list[TableOp] = []
    added_names: set[str] = set()
    kept_extra: list[ColumnSchema] = []
    for col in model.columns:
        current = old.column(col.name)
        if current is None:
            added.append(AddColumnOp(col, model.foreign_key_of(col.name)))
            added_names.add(col.name)
        elif not col.primary_key and _differs(current, col, legacy=old.origin == ORIGIN_KAKAORM_04):
            altered.append(AlterColumnOp(current, col))
    gone = [c for c in old.columns if model.column(c.name) is None]
    for col in gone:
        if drop:
            dropped.append(DropColumnOp(col, old.foreign_key_of(col.name)))
        else:
            kept_extra.append(col)
            result.skipped_drops.append(f"column {name}.{col.name}")
    gone_names = {c.name for c in gone}
    kept_names = {c.name for c in kept_extra}

    # foreign keys: those of added or dropped columns go with their column
    fk_drops: list[TableOp] = []
    fk_adds: list[TableOp] = []
    model_fks = {fk.key: fk for fk in model.foreign_keys if not set(fk.columns) & added_names}
    old_fks = {fk.key: fk for fk in old.foreign_keys}
    for key, fk in old_fks.items():
        if key in model_fks or set(fk.columns) & kept_names:
            continue
        if drop and len(fk.columns) == 1 and fk.columns[0] in gone_names and fk == old.foreign_key_of(fk.columns[0]):
            continue  # dropped with its column
        fk_drops.append(DropForeignKeyOp(fk))
    for key, fk in model_fks.items():
        if key not in old_fks:
            fk_adds.append(AddForeignKeyOp(fk))

    index_drops: list[TableOp] = []
    index_adds: list[TableOp] = []
    model_indexes = {ix.key: ix for ix in model.indexes}
    old_indexes = {ix.key: ix for ix in old.indexes if not ix.implicit}
    for ix_key, ix in old_indexes.items():
        if ix_key not in model_indexes and not set(ix.columns) & kept_names:
            index_drops.append(DropIndexOp(ix))
    for ix_key, ix in model_indexes.items():
        if ix_key not in old_indexes:
            index_adds.append(AddIndexOp(ix))

    ops = tuple(fk_drops + index_drops + dropped + added + altered + index_adds + fk_adds)
    if not ops:
        return None
    new = model
    if kept_extra:
        # the table keeps what the plan does not drop (a rebuild must carry it over)
        keep_fks = tuple(fk for fk in old.foreign_keys if set(fk.columns) & kept_names)
        keep_ix = tuple(ix for ix in old.indexes if set(ix.columns) & kept_names and not ix.implicit)
        new = TableSchema(
            name,
            model.columns + tuple(kept_extra),
            model.primary_key,
            model.indexes + keep_ix,
            model.foreign_keys + keep_fks,
        )
    return AlterTable(old, new, ops)


def _differs(current: ColumnSchema, wanted: ColumnSchema, *, legacy: bool) -> bool:
    """Whether ``current`` (the database's column) needs changing into ``wanted``;
    ``legacy``: the table is KakaORM 0.4's, which never wrote defaults."""
    default_missing_by_design = legacy and current.default is None
    return (
        not current.stores(wanted.type)
        or current.nullable != wanted.nullable
        or not (same_default(current.default, wanted.default) or default_missing_by_design)
    )


def _creation_order(created: list[CreateTable]) -> list[CreateTable]:
    """Referenced tables first (a cycle keeps the given order)."""
    names = {c.table.name for c in created}
    pending = list(created)
    ordered: list[CreateTable] = []
    done: set[str] = set()
    while pending:
        for change in pending:
            needs = {fk.ref_table for fk in change.table.foreign_keys} & names - done - {change.table.name}
            if not needs:
                break
        else:
            change = pending[0]
        pending.remove(change)
        ordered.append(change)
        done.add(change.table.name)
    return ordered


def _drop_order(tables: list[TableSchema]) -> list[TableSchema]:
    """Referencing tables first, so no drop breaks a foreign key still in place."""
    names = {t.name for t in tables}
    pending = sorted(tables, key=lambda t: t.name)
    ordered: list[TableSchema] = []
    while pending:
        for table in pending:
            referenced_by = {
                other.name for other in pending
                if other is not table and any(fk.ref_table == table.name for fk in other.foreign_keys)
            } & names
            if not referenced_by:
                break
        else:
            table = pending[0]
        pending.remove(table)
        ordered.append(table)
    return ordered
