"""The dialect class: kakaorm-sqlite's SQL, value conversions, error mapping and schema
reading, with a driver of its own (:mod:`.driver`)."""

from __future__ import annotations

from typing import ClassVar

from kakaorm.dialect import DriverPool
from kakaorm.url import URLRules
from kakaorm_sqlite import SQLiteDialect
from kakaorm_sqlite.errors import ERROR_TYPES

from .driver import open_pool


class StdlibSQLiteDialect(SQLiteDialect):
    """SQLite through ``sqlite3`` in one worker thread. Options: ``pool_timeout``
    (seconds a task waits for the connection, default 30) and ``busy_timeout``
    (seconds SQLite waits for another process's lock, default 5)."""

    driver: ClassVar[str] = "stdlib"
    install_hint: ClassVar[str] = "pip install kakaorm-sqlite-stdlib"
    url_rules: ClassVar[URLRules] = URLRules(example="sqlite+stdlib:///./app.db", server=False)

    async def create_pool(self) -> DriverPool:
        # sqlite3 is always there: nothing to import lazily, nothing to report missing
        self.error_types = ERROR_TYPES
        return await open_pool(self.url.database or ":memory:", self.pool_timeout, self.busy_timeout)


__all__ = ["StdlibSQLiteDialect"]
