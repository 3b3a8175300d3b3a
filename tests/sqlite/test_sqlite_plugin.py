"""What is specific to the SQLite plugin: packaging, files, locking, LIKE, indexes."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap

import pytest

import kakaorm
from kakaorm import IntColumn, Model, StrColumn
from kakaorm_sqlite import SQLiteDialect

pytestmark = pytest.mark.backends("sqlite")


class SqlpNote(Model):
    title = StrColumn(nullable=False, index=True)
    rank = IntColumn(nullable=False, default=0)

    class Meta:
        indexes = [("rank", "title")]


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)


def test_importing_the_plugin_does_not_import_aiosqlite():
    proc = run_python("""
        import json, sys
        import kakaorm_sqlite, kakaorm_sqlite.dialect, kakaorm_sqlite.compiler
        print(json.dumps("aiosqlite" in sys.modules))
    """)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) is False


def test_missing_aiosqlite_is_a_driver_not_installed_error_with_the_pip_line():
    proc = run_python("""
        import asyncio, sys
        sys.modules["aiosqlite"] = None  # as if it were not installed
        import kakaorm
        try:
            asyncio.run(kakaorm.connect("sqlite+aiosqlite:///:memory:"))
        except kakaorm.DriverNotInstalledError as err:
            print(err)
    """)
    assert proc.returncode == 0, proc.stderr
    assert "the SQLite dialect needs aiosqlite, which is not installed" in proc.stdout
    assert "Install it with: pip install kakaorm-sqlite" in proc.stdout


def test_the_plugin_registers_both_schemes():
    assert {"sqlite", "sqlite+aiosqlite"} <= set(kakaorm.installed_schemes())


async def test_a_file_database_keeps_its_data_across_connections(tmp_path, engine):
    url = f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"
    async with await kakaorm.connect(url) as first:
        await first.create_table(SqlpNote)
        await SqlpNote.create(title="persisted")
    async with await kakaorm.connect(url) as second:
        assert [n.title for n in await SqlpNote.all().using(second)] == ["persisted"]


async def test_an_unopenable_file_is_an_operational_error(tmp_path, engine):
    with pytest.raises(kakaorm.OperationalError, match="cannot open the SQLite database"):
        await kakaorm.connect(f"sqlite+aiosqlite:///{tmp_path / 'missing-dir' / 'app.db'}")


async def test_a_url_with_a_host_is_an_invalid_url(engine):
    with pytest.raises(kakaorm.InvalidURLError, match="a SQLite URL has three slashes before the path"):
        await kakaorm.connect("sqlite+aiosqlite://localhost/app.db")


async def test_create_table_creates_the_declared_indexes(engine):
    await engine.create_table(SqlpNote)
    rows = await engine.fetch(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s ORDER BY name", ["sqlp_note"]
    )
    assert [r["name"] for r in rows] == ["ix_sqlp_note_rank_title", "ix_sqlp_note_title"]


async def test_foreign_keys_pragma_is_on(engine):
    assert await engine.fetchval("PRAGMA foreign_keys") == 1


async def test_like_is_case_sensitive_and_ilike_is_not(engine):
    await engine.create_table(SqlpNote)
    await SqlpNote.create(title="Apple")
    await SqlpNote.create(title="apple pie")
    assert [n.title for n in await SqlpNote.where(SqlpNote.title.like("app%"))] == ["apple pie"]
    assert sorted(n.title for n in await SqlpNote.where(SqlpNote.title.ilike("APP%"))) == ["Apple", "apple pie"]


async def test_another_task_waits_until_the_transaction_ends(engine):
    await engine.create_table(SqlpNote)
    events: list[str] = []
    opened = asyncio.Event()

    async def writer() -> None:
        async with engine.transaction():
            await SqlpNote.create(title="in-tx")
            opened.set()
            await asyncio.sleep(0.1)
            events.append("commit")

    async def reader() -> None:
        await opened.wait()
        events.append("reader-start")
        n = await SqlpNote.count()
        events.append(f"reader-saw-{n}")

    await asyncio.gather(writer(), reader())
    assert events == ["reader-start", "commit", "reader-saw-1"]


async def test_waiting_longer_than_pool_timeout_is_a_pool_timeout_error(tmp_path, engine):
    async with await kakaorm.connect(f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}", pool_timeout=0.2) as busy:
        await busy.create_table(SqlpNote)
        opened, done = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            async with busy.transaction():
                opened.set()
                await done.wait()

        holder = asyncio.create_task(hold())
        await opened.wait()
        with pytest.raises(kakaorm.PoolTimeoutError, match=r"waited 0\.2 s for the SQLite connection"):
            await busy.fetchval("SELECT 1")
        done.set()
        await holder
        assert await busy.fetchval("SELECT 1") == 1


async def test_truncate_restarts_the_autoincrement_sequence(engine):
    await engine.create_table(SqlpNote)
    for title in "abc":
        await SqlpNote.create(title=title)
    await SqlpNote.where(SqlpNote.id == 3).delete()
    assert (await SqlpNote.create(title="d")).id == 4  # AUTOINCREMENT never reuses a key
    await SqlpNote.truncate()
    assert (await SqlpNote.create(title="e")).id == 1


@pytest.mark.parametrize("ending", ["return", "raise"])
def test_a_script_that_never_disconnects_still_exits(ending):
    proc = run_python(f"""
        import asyncio
        import kakaorm

        async def main():
            engine = await kakaorm.connect("sqlite+aiosqlite:///:memory:")
            await engine.fetchval("SELECT 1")
            if {ending == "raise"!r}:
                raise SystemExit(3)

        asyncio.run(main())
    """)
    assert proc.returncode == (3 if ending == "raise" else 0), proc.stderr


async def test_a_decimal_wider_than_sqlite_keeps_exactly_is_refused_at_create_table(tmp_path):
    from decimal import Decimal

    import kakaorm
    from kakaorm import DecimalColumn, Model, QueryError

    class SqlpWide(Model):
        amount = DecimalColumn(max_digits=20, decimal_places=2)

    class SqlpNarrow(Model):
        amount = DecimalColumn(max_digits=15, decimal_places=2)

    async with await kakaorm.connect(f"sqlite+aiosqlite:///{tmp_path / 'dec.db'}") as engine:
        with pytest.raises(QueryError, match=r"SqlpWide\.amount has max_digits=20.*15 significant digits"):
            await engine.create_table(SqlpWide)
        await engine.create_table(SqlpNarrow)
        row = await SqlpNarrow.create(amount=Decimal("1234567890123.45"))
        assert (await SqlpNarrow.get(SqlpNarrow.id == row.id)).amount == Decimal("1234567890123.45")


class SqlpName(Model):
    name = StrColumn(nullable=True)


async def test_ilike_folds_non_ascii_case_and_skips_null(engine):
    await engine.create_table(SqlpName)
    await SqlpName.bulk_create([SqlpName(name="Émile"), SqlpName(name="ÅSA"), SqlpName(name=None),
                                SqlpName(name="emile")])
    assert sorted(n.name for n in await SqlpName.where(SqlpName.name.ilike("ÉMILE"))) == ["Émile"]
    assert [n.name for n in await SqlpName.where(SqlpName.name.ilike("%å%"))] == ["ÅSA"]
    # every non-NULL row matches "%"; the NULL row does not (the lower function keeps NULL)
    assert await SqlpName.where(SqlpName.name.ilike("%")).count() == 3
    assert await engine.fetchval("SELECT kakaorm_lower(NULL) IS NULL") == 1


class _OtherDriverSQLiteDialect(SQLiteDialect):
    driver = "otherdriver"


async def test_a_subclass_serving_another_driver_shows_its_own_scheme():
    kakaorm.register_dialect("sqlite.otherdriver", _OtherDriverSQLiteDialect)
    async with await kakaorm.connect("sqlite+otherdriver:///:memory:") as engine:
        assert repr(engine) == "<Engine sqlite+otherdriver:///:memory:>"
    with pytest.raises(kakaorm.InvalidURLError) as info:
        await kakaorm.connect("sqlite+otherdriver://host/app.db")
    assert str(info.value) == (
        "a SQLite URL has three slashes before the path: 'sqlite+otherdriver:///./app.db' or "
        "'sqlite+otherdriver:///:memory:'"
    )
