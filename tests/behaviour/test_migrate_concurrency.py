"""Two migrators on one database take turns: each migration file is applied once, by
one of them, on every backend (two engines in one process; two OS processes)."""

from __future__ import annotations

import asyncio
import sys
import textwrap
import time

import kakaorm
from kakaorm.migration import VersionedMigrator
from kakaorm.migration._files import migration_source

FILES = 5


def write_files(directory):
    """Files that fail if applied twice (CREATE TABLE without IF NOT EXISTS) and leave
    one ledger row each."""
    for n in range(1, FILES + 1):
        up = [f"CREATE TABLE cc_t{n} (id INTEGER PRIMARY KEY)"]
        if n == 1:
            up.insert(0, "CREATE TABLE cc_ledger (id INTEGER PRIMARY KEY, name VARCHAR(20))")
        up.append(f"INSERT INTO cc_ledger (id, name) VALUES ({n}, 'file {n}')")
        down = [f"DROP TABLE cc_t{n}"]
        name = f"{n:04d}_step{n}.py"
        (directory / name).write_text(migration_source(name, up, down), encoding="utf-8")


def shared_url(backend, connect_url, tmp_path):
    """A URL two engines (or processes) can share: SQLite needs a file."""
    if backend.family == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/shared.db"
    return connect_url()


async def check_result(engine, counts):
    assert sum(counts) == FILES
    history = await VersionedMigrator(engine).history()
    assert [r.name for r in history] == [f"{n:04d}_step{n}" for n in range(1, FILES + 1)]
    rows = await engine.fetch("SELECT id, name FROM cc_ledger ORDER BY id")
    assert [(r["id"], r["name"]) for r in rows] == [(n, f"file {n}") for n in range(1, FILES + 1)]


async def test_two_engines_running_run_files_at_once_apply_each_file_once(engine, backend, connect_url, tmp_path):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    write_files(migrations)
    url = shared_url(backend, connect_url, tmp_path)
    first = await kakaorm.connect(url)
    second = await kakaorm.connect(url)
    try:
        counts = await asyncio.gather(
            VersionedMigrator(first).run_files(migrations),
            VersionedMigrator(second).run_files(migrations),
        )
        await check_result(first, counts)
        assert await VersionedMigrator(second).run_files(migrations) == 0
    finally:
        await first.disconnect()
        await second.disconnect()


RUNNER = textwrap.dedent(
    """
    import asyncio, sys, time
    import kakaorm
    from kakaorm.migration import VersionedMigrator

    async def main(url, directory, start_at):
        engine = await kakaorm.connect(url)
        try:
            time.sleep(max(0.0, start_at - time.time()))
            print(await VersionedMigrator(engine).run_files(directory))
        finally:
            await engine.disconnect()

    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
    """
)


async def test_two_processes_running_run_files_at_once_apply_each_file_once(engine, backend, connect_url, tmp_path):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    write_files(migrations)
    url = shared_url(backend, connect_url, tmp_path)
    start_at = str(time.time() + 3)  # both processes start migrating at the same moment
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", RUNNER, url, str(migrations), start_at,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [await p.communicate() for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
    counts = [int(out.decode().strip()) for out, _ in outputs]
    checker = engine if backend.family != "sqlite" else await kakaorm.connect(url)
    try:
        await check_result(checker, counts)
    finally:
        if checker is not engine:
            await checker.disconnect()
