"""KakaORM: an async-native ORM with typed queries, for SQLite, PostgreSQL and MySQL/MariaDB.

Example::

    import kakaorm
    from kakaorm import Model, StrColumn, BoolColumn

    class Task(Model):
        title = StrColumn(nullable=False)
        done = BoolColumn(nullable=False, default=False)

    engine = await kakaorm.connect("sqlite+aiosqlite:///:memory:")
    await engine.create_table(Task)
    await Task.create(title="Try KakaORM")
    open_tasks = await Task.where(Task.done == False)

Database support comes from plugin distributions (kakaorm-sqlite, kakaorm-postgres,
kakaorm-mysql) found through the ``kakaorm.dialects`` entry points; importing this
package imports no database driver.
"""

from __future__ import annotations

# importing _pydantic installs the bridge through which models reach the pydantic integration
from kakaorm import (
    _pydantic,  # noqa: F401
    exc,
    i18n,
    validators,
)
from kakaorm._cli_entry import cli_main
from kakaorm.compiler import describe as _describe  # noqa: F401 - installs the repr of expressions
from kakaorm.engine.compat04 import AioMySQLEngine, AioSQLiteEngine, AsyncpgEngine, Psycopg3Engine
from kakaorm.engine.engine import Engine, Transaction, connect, get_engine
from kakaorm.engine.events import AfterExecute, BeforeExecute, Listener
from kakaorm.engine.registry import installed_schemes, register_dialect
from kakaorm.engine.retry import retry_on_conflict
from kakaorm.engine.routing import read_your_writes
from kakaorm.exc import (
    ConfigurationError,
    ConnectionLostError,
    DatabaseError,
    DataError,
    DeadlockError,
    DriverNotInstalledError,
    IntegrityError,
    InterfaceError,
    InvalidURLError,
    KakaORMError,
    LockNotAvailableError,
    MigrationError,
    ModelError,
    MultipleResults,
    NoSuchDialectError,
    NotFound,
    NotSupportedError,
    OperationalError,
    PluginError,
    PoolTimeoutError,
    ProgrammingError,
    QueryError,
    SerializationError,
    TransactionConflictError,
    UnknownRelationError,
    UnresolvedRelationError,
    ValidationError,
)
from kakaorm.expr import Aggregate as AggFunc
from kakaorm.expr import (
    Avg,
    Case,
    Count,
    DenseRank,
    Lag,
    Lead,
    Max,
    Min,
    Rank,
    Raw,
    RowNumber,
    Subquery,
    Sum,
    When,
    value,
)
from kakaorm.expr import Window as WindowedAgg
from kakaorm.expr import WindowFunction as WindowFunc
from kakaorm.i18n import SUPPORTED_LOCALES, translate_detail
from kakaorm.migration import Migrator, VersionedMigrator
from kakaorm.orm.archive import ArchiveModel
from kakaorm.orm.array_column import ArrayColumn
from kakaorm.orm.column_types import (
    BoolColumn,
    BytesColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    IntColumn,
    JSONColumn,
    StrColumn,
    TimeColumn,
    UUIDColumn,
)
from kakaorm.orm.columns import Column, ForeignKey
from kakaorm.orm.cte import CTE
from kakaorm.orm.enum_column import EnumColumn
from kakaorm.orm.many_to_many import many_to_many
from kakaorm.orm.model import Model
from kakaorm.orm.queryset import QuerySet
from kakaorm.orm.relations import belongs_to, has_many, has_one
from kakaorm.orm.soft_delete import SoftDeleteModel
from kakaorm.orm.typed_model import TypedModel
from kakaorm.request_schemas import CreateSchema, UpdateSchema
from kakaorm.url import DatabaseURL, parse_url
from kakaorm.validators import max_length, max_value, min_length, min_value, one_of, regex

__version__ = "0.4.0"


def raw(sql: str) -> Raw:
    """An explicit SQL fragment for use inside a query, e.g. ``raw("CURRENT_DATE")``.

    The text is pasted into the statement as written: never build it from user input.
    """
    return Raw(sql)


__all__ = [
    "AfterExecute",
    "AggFunc",
    "AioMySQLEngine",
    "AioSQLiteEngine",
    "ArchiveModel",
    "ArrayColumn",
    "AsyncpgEngine",
    "Avg",
    "BeforeExecute",
    "BoolColumn",
    "BytesColumn",
    "CTE",
    "Case",
    "Column",
    "ConfigurationError",
    "ConnectionLostError",
    "Count",
    "CreateSchema",
    "DataError",
    "DatabaseError",
    "DatabaseURL",
    "DateColumn",
    "DateTimeColumn",
    "DeadlockError",
    "DecimalColumn",
    "DenseRank",
    "DriverNotInstalledError",
    "Engine",
    "EnumColumn",
    "FloatColumn",
    "ForeignKey",
    "IntColumn",
    "IntegrityError",
    "InterfaceError",
    "InvalidURLError",
    "JSONColumn",
    "KakaORMError",
    "Lag",
    "Lead",
    "Listener",
    "LockNotAvailableError",
    "Max",
    "MigrationError",
    "Migrator",
    "Min",
    "Model",
    "ModelError",
    "MultipleResults",
    "NoSuchDialectError",
    "NotFound",
    "NotSupportedError",
    "OperationalError",
    "PluginError",
    "PoolTimeoutError",
    "ProgrammingError",
    "Psycopg3Engine",
    "QueryError",
    "QuerySet",
    "Rank",
    "RowNumber",
    "SUPPORTED_LOCALES",
    "SerializationError",
    "SoftDeleteModel",
    "StrColumn",
    "Subquery",
    "Sum",
    "TimeColumn",
    "Transaction",
    "TransactionConflictError",
    "TypedModel",
    "UUIDColumn",
    "UnknownRelationError",
    "UnresolvedRelationError",
    "UpdateSchema",
    "ValidationError",
    "VersionedMigrator",
    "When",
    "WindowFunc",
    "WindowedAgg",
    "belongs_to",
    "cli_main",
    "connect",
    "exc",
    "get_engine",
    "has_many",
    "has_one",
    "i18n",
    "installed_schemes",
    "many_to_many",
    "max_length",
    "max_value",
    "min_length",
    "min_value",
    "one_of",
    "parse_url",
    "raw",
    "read_your_writes",
    "regex",
    "register_dialect",
    "retry_on_conflict",
    "translate_detail",
    "validators",
    "value",
]

# The import paths of kakaorm 0.4 (``kakaorm.relationship``, ``kakaorm.columns.types``,
# ...), loaded here as 0.4 loaded them, so ``import kakaorm`` makes them attributes.
from kakaorm import (  # noqa: E402, F401 - loaded for their side effect: attributes of the package
    archive,
    columns,
    engine,
    model,
    query,
    relationship,
    soft_delete,
)
