"""Packaging: core alone imports no driver, finds plugins through entry points, and says
what to install when a plugin is missing. Runs with only kakaorm-core installed.

"Plugin absent" is simulated with a fresh interpreter started with ``-S`` (no
site-packages) whose path holds only kakaorm-core's sources plus, where a test needs
one, a temporary directory with throwaway ``*.dist-info`` plugins.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import kakaorm

CORE_SRC = Path(kakaorm.__file__).resolve().parent.parent
DRIVER_MODULES = {
    "aiosqlite", "asyncpg", "psycopg", "psycopg_pool", "aiomysql", "pymysql",
    "sqlite3", "_sqlite3", "kakaorm_sqlite", "kakaorm_postgres", "kakaorm_mysql", "kakaorm_cli",
}

#: a third-party dialect with a small real pool over the standard library's sqlite3
MEMO_PLUGIN = '''
import asyncio
import sqlite3

from kakaorm.compiler import SQLCompiler
from kakaorm.dialect import Dialect, DialectFeatures, PoolStats
from kakaorm.exc import DatabaseError, IntegrityError

SEEN_URLS = []


class MemoConnection:
    def __init__(self):
        self.db = sqlite3.connect(":memory:", isolation_level=None)

    async def execute(self, sql, params):
        return self.db.execute(sql, params).rowcount

    async def execute_insert(self, sql, params):
        return self.db.execute(sql, params).lastrowid

    async def fetch(self, sql, params):
        return self.db.execute(sql, params).fetchall()

    async def fetch_described(self, sql, params):
        cur = self.db.execute(sql, params)
        rows = cur.fetchall()
        return [d[0] for d in cur.description or ()], rows

    async def iterate(self, sql, params):
        for row in self.db.execute(sql, params).fetchall():
            yield row

    async def begin(self):
        self.db.execute("BEGIN")

    async def commit(self):
        self.db.execute("COMMIT")

    async def rollback(self):
        self.db.execute("ROLLBACK")


class MemoPool:
    def __init__(self):
        self.conn = MemoConnection()
        self.lock = asyncio.Lock()

    async def acquire(self):
        await self.lock.acquire()
        return self.conn

    async def release(self, conn, *, discard=False):
        self.lock.release()

    async def close(self):
        self.conn.db.close()

    def stats(self):
        busy = 1 if self.lock.locked() else 0
        return PoolStats(size=1, idle=1 - busy, in_use=busy)


class MemoCompiler(SQLCompiler):
    def primary_key_definition(self, column):
        if column.auto_increment:
            return "INTEGER PRIMARY KEY"
        return super().primary_key_definition(column)


class MemoDialect(Dialect):
    name = "fakedb"
    driver = "memo"
    compiler_class = MemoCompiler
    features = DialectFeatures(returning=False, transactional_ddl=True, single_connection=True)

    async def create_pool(self):
        SEEN_URLS.append(str(self.url))
        self.error_types = (sqlite3.Error,)
        return MemoPool()

    def translate_error(self, exc, statement, params):
        cls = IntegrityError if isinstance(exc, sqlite3.IntegrityError) else DatabaseError
        return cls(str(exc), orig=exc, statement=statement, params=params)


class NotADialect:
    pass
'''


def write_dist(root: Path, dist: str, entry_points: dict[str, str]) -> None:
    """A throwaway installed distribution: ``<dist>-1.0.dist-info`` with METADATA and entry points."""
    info = root / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = ["[kakaorm.dialects]"] + [f"{name} = {target}" for name, target in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")


def run_isolated(code: str, *extra_path: Path, module: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in ``python -S`` seeing only kakaorm-core (and ``extra_path``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join([str(CORE_SRC), *map(str, extra_path)])
    args = [sys.executable, "-S", "-m", code] if module else [sys.executable, "-S", "-c", textwrap.dedent(code)]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)


def last_json(proc: subprocess.CompletedProcess[str]) -> dict:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_kakaorm_imports_no_driver_or_plugin_module():
    code = f"""
        import json, sys
        import kakaorm
        kakaorm.installed_schemes()
        drivers = {sorted(DRIVER_MODULES)!r}
        print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in drivers)))
    """
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_missing_plugins_name_the_exact_pip_line_and_the_installed_schemes(tmp_path):
    (tmp_path / "memo_plugin.py").write_text(MEMO_PLUGIN)
    write_dist(tmp_path, "kakaorm-memo", {"fakedb": "memo_plugin:MemoDialect", "fakedb.memo": "memo_plugin:MemoDialect"})
    urls = [
        "sqlite+aiosqlite:///:memory:",
        "sqlite:///./app.db",
        "postgresql+asyncpg://user:secret@localhost/app",
        "postgresql+psycopg3://user@localhost/app",
        "postgresql://localhost/app",
        "mysql+aiomysql://root@localhost:3306/app",
        "mariadb://root@localhost/app",
    ]
    code = f"""
        import asyncio, json
        import kakaorm
        out = {{}}
        for url in {urls!r}:
            try:
                asyncio.run(kakaorm.connect(url))
            except kakaorm.NoSuchDialectError as err:
                out[url] = str(err)
            else:
                out[url] = "connected?!"
        print(json.dumps(out))
    """
    messages = last_json(run_isolated(code, tmp_path))
    expected_dist = {
        "sqlite": "kakaorm-sqlite", "postgresql": "kakaorm-postgres",
        "mysql": "kakaorm-mysql", "mariadb": "kakaorm-mysql",
    }
    for url, message in messages.items():
        backend = url.split(":")[0].split("+")[0]
        assert f"pip install {expected_dist[backend]}." in message, message
        assert f"no dialect is installed for the URL scheme {url.split(':')[0]!r}" in message
        assert message.endswith("Installed schemes: fakedb, fakedb+memo.")
        assert "secret" not in message
    assert len(messages) == len(urls)


def test_with_no_plugin_at_all_the_message_says_none_is_installed():
    code = """
        import asyncio
        import kakaorm
        try:
            asyncio.run(kakaorm.connect("sqlite+aiosqlite:///:memory:"))
        except kakaorm.NoSuchDialectError as err:
            print(err)
    """
    proc = run_isolated(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (
        "no dialect is installed for the URL scheme 'sqlite+aiosqlite'. Install it with: "
        "pip install kakaorm-sqlite. Installed schemes: none."
    )


async def test_an_unknown_backend_raises_no_such_dialect_listing_installed_schemes():
    with pytest.raises(kakaorm.NoSuchDialectError) as info:
        await kakaorm.connect("nosuchdb+nodriver://host/db")
    message = str(info.value)
    assert "'nosuchdb+nodriver'" in message
    assert "No KakaORM distribution is known for 'nosuchdb'" in message
    assert "'kakaorm.dialects' entry-point group" in message
    installed = kakaorm.installed_schemes()
    assert message.endswith(f"Installed schemes: {', '.join(installed) if installed else 'none'}.")


def test_a_third_party_distribution_is_found_and_used_by_connect(tmp_path):
    (tmp_path / "memo_plugin.py").write_text(MEMO_PLUGIN)
    write_dist(tmp_path, "kakaorm-memo", {"fakedb": "memo_plugin:MemoDialect", "fakedb.memo": "memo_plugin:MemoDialect"})
    code = """
        import asyncio, json
        import kakaorm
        from kakaorm import IntColumn, Model, StrColumn

        class Gadget(Model):
            name = StrColumn(nullable=False, unique=True)
            qty = IntColumn(nullable=False, default=0)

        async def main():
            out = {"schemes": kakaorm.installed_schemes()}
            async with await kakaorm.connect("fakedb+memo://someone:pw@somewhere/inventory") as engine:
                import memo_plugin
                out["dialect"] = type(engine.dialect).__module__ + "." + type(engine.dialect).__name__
                out["seen"] = list(memo_plugin.SEEN_URLS)
                await engine.create_table(Gadget)
                first = await Gadget.create(name="widget", qty=3)
                await Gadget.create(name="gizmo")
                await Gadget.where(Gadget.name == "gizmo").update(qty=Gadget.qty + 5)
                out["ids"] = [first.id]
                out["rows"] = [g.to_dict() for g in await Gadget.all().order_by(Gadget.name)]
                # its iterate() predates chunk_size: iterator() still streams through it
                out["streamed"] = [g.name async for g in Gadget.all().order_by(Gadget.name).iterator(chunk_size=1)]
                out["raw"] = await engine.fetchval("SELECT SUM(qty) FROM gadget WHERE qty > %s", [0])
                try:
                    await Gadget.create(name="widget")
                except kakaorm.IntegrityError as err:
                    out["error"] = type(err.orig).__module__ + "." + type(err.orig).__name__
            async with await kakaorm.connect("fakedb://elsewhere/db") as bare:
                out["bare"] = await bare.fetchval("SELECT 40 + %s", [2])
            out["seen"] = list(memo_plugin.SEEN_URLS)
            print(json.dumps(out))

        asyncio.run(main())
    """
    out = last_json(run_isolated(code, tmp_path))
    assert out["schemes"] == ["fakedb", "fakedb+memo"]
    assert out["dialect"] == "memo_plugin.MemoDialect"
    assert out["seen"] == ["fakedb+memo://someone:***@somewhere/inventory", "fakedb://elsewhere/db"]
    assert out["ids"] == [1]
    assert out["streamed"] == ["gizmo", "widget"]
    assert out["rows"] == [
        {"id": 2, "name": "gizmo", "qty": 5},
        {"id": 1, "name": "widget", "qty": 3},
    ]
    assert out["raw"] == 8
    assert out["error"] == "sqlite3.IntegrityError"
    assert out["bare"] == 42


def test_two_distributions_claiming_one_name_is_a_plugin_error_naming_both(tmp_path):
    (tmp_path / "memo_plugin.py").write_text(MEMO_PLUGIN)
    write_dist(tmp_path, "kakaorm-clash-one", {"clash": "memo_plugin:MemoDialect"})
    write_dist(tmp_path, "kakaorm-clash-two", {"clash": "memo_plugin:NotADialect"})
    code = """
        import asyncio
        import kakaorm
        try:
            asyncio.run(kakaorm.connect("clash://host/db"))
        except kakaorm.PluginError as err:
            print(err)
    """
    proc = run_isolated(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    message = proc.stdout.strip()
    assert "two installed distributions claim the dialect 'clash'" in message
    assert "kakaorm-clash-one (memo_plugin:MemoDialect)" in message
    assert "kakaorm-clash-two (memo_plugin:NotADialect)" in message
    assert message.endswith("Uninstall one of them.")


def test_broken_plugins_are_plugin_errors_naming_the_distribution(tmp_path):
    (tmp_path / "memo_plugin.py").write_text(MEMO_PLUGIN)
    write_dist(tmp_path, "kakaorm-broken", {"brokendb": "no_such_module_here:Dialect"})
    write_dist(tmp_path, "kakaorm-wrong", {"wrongdb": "memo_plugin:NotADialect"})
    code = """
        import asyncio, json
        import kakaorm
        out = []
        for url in ["brokendb://h/db", "wrongdb://h/db"]:
            try:
                asyncio.run(kakaorm.connect(url))
            except kakaorm.PluginError as err:
                out.append(str(err))
        print(json.dumps(out))
    """
    proc = run_isolated(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    broken, wrong = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "'brokendb' from distribution kakaorm-broken failed to load 'no_such_module_here:Dialect'" in broken
    assert "ModuleNotFoundError" in broken
    assert "'wrongdb' from distribution kakaorm-wrong" in wrong
    assert "not a kakaorm.dialect.Dialect subclass" in wrong


async def test_register_dialect_serves_a_module_class_target(tmp_path, monkeypatch):
    module = f"kakaorm_memo_{os.getpid()}"
    (tmp_path / f"{module}.py").write_text(MEMO_PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    kakaorm.register_dialect("memoreg.testing", f"{module}:MemoDialect")
    assert "memoreg+testing" in kakaorm.installed_schemes()
    async with await kakaorm.connect("memoreg+testing://h/db") as engine:
        assert type(engine.dialect).__module__ == module
        assert await engine.fetchval("SELECT %s || %s", ["kaka", "orm"]) == "kakaorm"
        assert kakaorm.get_engine() is engine


async def test_register_dialect_checks_its_target(tmp_path, monkeypatch):
    module = f"kakaorm_memo_bad_{os.getpid()}"
    (tmp_path / f"{module}.py").write_text(MEMO_PLUGIN + "\nclass OldDialect(MemoDialect):\n    protocol_version = 99\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    kakaorm.register_dialect("memobad.notdialect", f"{module}:NotADialect")
    kakaorm.register_dialect("memobad.old", f"{module}:OldDialect")
    with pytest.raises(kakaorm.PluginError, match=r"from register_dialect\(\) is .*NotADialect.* not a kakaorm\.dialect\.Dialect subclass"):
        await kakaorm.connect("memobad+notdialect://h/db")
    with pytest.raises(kakaorm.PluginError, match="speaks dialect protocol 99; this kakaorm-core speaks 1"):
        await kakaorm.connect("memobad+old://h/db")
    with pytest.raises(ValueError, match=r"looks like 'backend' or 'backend\.driver'"):
        kakaorm.register_dialect("memo+bad", f"{module}:MemoDialect")


def test_python_m_kakaorm_without_the_cli_says_what_to_install():
    proc = run_isolated("kakaorm", module=True)
    assert proc.returncode == 1
    assert "pip install kakaorm-cli" in proc.stderr


def test_public_names_are_pinned_and_sorted():
    expected = [
        "AfterExecute", "AggFunc", "AioMySQLEngine", "AioSQLiteEngine",
        "ArchiveModel", "ArrayColumn", "AsyncpgEngine", "Avg", "BeforeExecute", "BoolColumn", "BytesColumn", "CTE", "Case", "Column", "ConfigurationError",
        "ConnectionLostError", "Count", "CreateSchema", "DataError", "DatabaseError", "DatabaseURL", "DateColumn",
        "DateTimeColumn", "DeadlockError", "DecimalColumn", "DenseRank", "DriverNotInstalledError", "Engine", "EnumColumn",
        "FloatColumn", "ForeignKey", "IntColumn", "IntegrityError", "InterfaceError",
        "InvalidURLError", "JSONColumn", "KakaORMError", "Lag", "Lead", "Listener", "LockNotAvailableError", "Max", "MigrationError", "Migrator", "Min",
        "Model", "ModelError", "MultipleResults", "NoSuchDialectError", "NotFound", "NotSupportedError",
        "OperationalError", "PluginError", "PoolTimeoutError", "ProgrammingError", "Psycopg3Engine",
        "QueryError", "QuerySet", "Rank", "RowNumber", "SUPPORTED_LOCALES", "SerializationError", "SoftDeleteModel",
        "StrColumn", "Subquery", "Sum", "TimeColumn", "Transaction", "TransactionConflictError", "TypedModel", "UUIDColumn", "UnknownRelationError",
        "UnresolvedRelationError", "UpdateSchema", "ValidationError", "VersionedMigrator", "When", "WindowFunc",
        "WindowedAgg", "belongs_to", "cli_main", "connect", "exc", "get_engine", "has_many",
        "has_one", "i18n", "installed_schemes", "many_to_many", "max_length", "max_value", "min_length",
        "min_value", "one_of", "parse_url", "raw", "read_your_writes", "regex", "register_dialect",
        "retry_on_conflict", "translate_detail", "validators", "value",
    ]
    assert kakaorm.__all__ == expected
    assert kakaorm.__all__ == sorted(kakaorm.__all__)
    assert all(hasattr(kakaorm, name) for name in kakaorm.__all__)
    assert kakaorm.exc.__all__ == sorted(kakaorm.exc.__all__)
