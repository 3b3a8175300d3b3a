"""Schema migrations: compare models with the live database and change the database.

* :class:`Migrator` plans the SQL that makes the database match the models
  (``plan``/``plan_with_drop``) and applies or undoes it.
  ``run`` plans and applies in one call.
* :class:`VersionedMigrator` (a Migrator too) writes that SQL to numbered files
  (``autogenerate``), applies the pending files in order (``run_files``), records
  them in the ``kakaorm_migrations`` table (``history``) and rolls them back
  (``downgrade``). ``run_manual`` runs async functions once each, recorded by name.

Both are also importable as ``kakaorm.Migrator`` and ``kakaorm.VersionedMigrator``.

Example::

    from kakaorm.migration import VersionedMigrator

    migrator = VersionedMigrator(engine)
    await migrator.autogenerate([Author, Post], "./migrations", name="add_bio")
    await migrator.run_files("./migrations")
"""

from __future__ import annotations

from kakaorm.migration._diff import AlterTable, Change, CreateTable, DropTable, SchemaDiff
from kakaorm.migration._plan import ColumnDiff, MigrationPlan, Migrator
from kakaorm.migration._versioned import MigrationRecord, VersionedMigrator

__all__ = [
    "AlterTable",
    "Change",
    "ColumnDiff",
    "CreateTable",
    "DropTable",
    "MigrationPlan",
    "MigrationRecord",
    "Migrator",
    "SchemaDiff",
    "VersionedMigrator",
]
