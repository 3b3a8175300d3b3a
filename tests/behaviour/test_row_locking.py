"""select_for_update(): row locks held by real concurrent transactions, and the SQL
each dialect writes for them."""

from __future__ import annotations

import asyncio
import re

import pytest

from kakaorm import IntColumn, LockNotAvailableError, Model, QueryError, StrColumn
from kakaorm_mysql.compiler import MySQLCompiler
from kakaorm_postgres.compiler import AsyncpgCompiler, PsycopgCompiler


class LkJob(Model):
    status = StrColumn(nullable=False, default="new")
    taken_by = IntColumn()


class LkNote(Model):
    job_id = IntColumn(nullable=False)
    text = StrColumn(nullable=False)


async def _setup(engine, n: int) -> None:
    await engine.create_table(LkJob)
    await LkJob.bulk_create([LkJob() for _ in range(n)])


async def _session_id(engine) -> int:
    """The server's id of the connection this task's transaction runs on."""
    if engine.dialect.name == "mysql":
        return int(await engine.fetchval("SELECT CONNECTION_ID()"))
    return int(await engine.fetchval("SELECT pg_backend_pid()"))


async def _waits_for_a_lock(engine, session: int) -> bool:
    """True while the server session ``session`` waits for a lock."""
    if engine.dialect.name == "mysql":
        sql = "SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = %s AND trx_state = 'LOCK WAIT'"
    else:
        sql = "SELECT COUNT(*) FROM pg_locks WHERE pid = %s AND NOT granted"
    return int(await engine.fetchval(sql, [session])) > 0


# -- SQL shape, without a server -------------------------------------------------------


@pytest.mark.parametrize(
    ("compiler", "kwargs", "tail"),
    [
        (PsycopgCompiler(), {}, "LIMIT %s FOR UPDATE"),
        (PsycopgCompiler(), {"nowait": True}, "LIMIT %s FOR UPDATE NOWAIT"),
        (AsyncpgCompiler(), {"skip_locked": True}, "LIMIT $2 FOR UPDATE SKIP LOCKED"),
        (AsyncpgCompiler(), {"of": [LkJob], "skip_locked": True}, 'LIMIT $2 FOR UPDATE OF "lk_job" SKIP LOCKED'),
        (MySQLCompiler(), {}, "LIMIT %s FOR UPDATE"),
        (MySQLCompiler(), {"nowait": True}, "LIMIT %s FOR UPDATE NOWAIT"),
        (MySQLCompiler(), {"skip_locked": True, "of": [LkJob]}, "LIMIT %s FOR UPDATE SKIP LOCKED"),
    ],
)
def test_the_lock_clause_ends_the_select(compiler, kwargs, tail):
    qs = LkJob.where(LkJob.status == "new").order_by(LkJob.id).limit(5).select_for_update(**kwargs)
    sql = compiler.compile(qs._build_select()).sql
    assert sql.endswith(" ORDER BY " + sql.split(" ORDER BY ")[1])
    assert sql.endswith(tail)


def test_of_names_the_locked_tables_of_a_join_on_postgresql():
    qs = LkJob.all().join(LkNote, LkNote.job_id == LkJob.id).select_for_update(of=[LkJob])
    assert PsycopgCompiler().compile(qs._build_select()).sql.endswith(
        'INNER JOIN "lk_note" ON "lk_note"."job_id" = "lk_job"."id" FOR UPDATE OF "lk_job"'
    )


def test_mysql_refuses_of_that_leaves_out_a_joined_table():
    qs = LkJob.all().join(LkNote, LkNote.job_id == LkJob.id).select_for_update(of=[LkJob])
    with pytest.raises(QueryError, match=r"^MySQL/MariaDB have no FOR UPDATE OF: .* leaves out LkNote\. Leave of= out"):
        MySQLCompiler().compile(qs._build_select())


def test_nowait_and_skip_locked_together_are_a_value_error():
    with pytest.raises(ValueError, match=r"^select_for_update\(\) takes nowait=True or skip_locked=True, not both"):
        LkJob.all().select_for_update(nowait=True, skip_locked=True)


def test_of_takes_model_classes_only():
    with pytest.raises(TypeError, match=r"^select_for_update\(of=\.\.\.\) takes a sequence of model classes, got"):
        LkJob.all().select_for_update(of=LkJob)  # type: ignore[arg-type]


# -- errors before anything runs --------------------------------------------------------


@pytest.mark.backends("sqlite")
async def test_sqlite_refuses_select_for_update(engine):
    await _setup(engine, 1)
    async with engine.transaction():
        with pytest.raises(QueryError, match=r"^SQLite has no row locks, so select_for_update\(\) cannot run on it"):
            await LkJob.all().select_for_update()
        with pytest.raises(QueryError, match=r"^SQLite has no row locks, so select_for_update\(\) cannot run on it"):
            [job async for job in LkJob.all().select_for_update().iterator()]


@pytest.mark.backends("postgres", "mysql")
async def test_a_lock_outside_a_transaction_is_a_query_error(engine):
    await _setup(engine, 1)
    with pytest.raises(QueryError, match=r"^select_for_update\(\) outside a transaction: .* `async with engine\.transaction\(\):`"):
        await LkJob.all().select_for_update()
    with pytest.raises(QueryError, match=r"^select_for_update\(\) outside a transaction: .* `async with engine\.transaction\(\):`"):
        [job async for job in LkJob.all().select_for_update().iterator()]


@pytest.mark.parametrize(
    ("build", "refused"),
    [
        (lambda qs: qs.distinct(), "distinct()"),
        (lambda qs: qs.group_by(LkJob.status).select(LkJob.status), "group_by()/having()"),
        (lambda qs: qs.union(LkJob.all()), "union()"),
    ],
)
async def test_queries_whose_rows_are_not_table_rows_cannot_lock(engine, build, refused):
    await _setup(engine, 1)
    async with engine.transaction():
        with pytest.raises(QueryError, match="^" + re.escape(f"select_for_update() cannot lock the rows of a query with {refused}:")):
            await build(LkJob.all().select_for_update())
        with pytest.raises(QueryError, match=r"^select_for_update\(\) cannot lock the rows of a query with count\(\)"):
            await LkJob.all().select_for_update().count()
        with pytest.raises(QueryError, match=r"^select_for_update\(\) cannot lock the rows of a query with aggregate\(\)"):
            await LkJob.all().select_for_update().sum(LkJob.id)


# -- real concurrency -------------------------------------------------------------------


@pytest.mark.backends("postgres", "mysql")
async def test_a_second_locker_waits_until_the_first_commits(engine):
    await _setup(engine, 1)
    first_locked = asyncio.Event()
    second_session: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    order: list[str] = []

    async def first() -> None:
        async with engine.transaction():
            job = await LkJob.where(LkJob.id == 1).select_for_update().get()
            first_locked.set()
            # commit only once the second transaction is seen waiting for the lock
            session = await second_session
            while not await _waits_for_a_lock(engine, session):
                await asyncio.sleep(0.01)
            job.status = "done-by-first"
            await job.save()
            order.append("first commits")

    async def second() -> str:
        await first_locked.wait()
        async with engine.transaction():
            second_session.set_result(await _session_id(engine))
            job = await LkJob.where(LkJob.id == 1).select_for_update().get()
            order.append("second reads")
            return job.status

    _, seen = await asyncio.wait_for(asyncio.gather(first(), second()), 30)
    assert order == ["first commits", "second reads"]
    assert seen == "done-by-first"


@pytest.mark.backends("postgres", "mysql")
async def test_nowait_on_a_locked_row_raises_lock_not_available(engine):
    await _setup(engine, 2)
    async with engine.transaction():
        await LkJob.where(LkJob.id == 1).select_for_update()

        async def other() -> None:
            async with engine.transaction():
                await LkJob.where(LkJob.id == 1).select_for_update(nowait=True)

        with pytest.raises(LockNotAvailableError, match="select_for_update\\(skip_locked=True\\)") as info:
            await asyncio.create_task(other())
        assert info.value.statement is not None and info.value.statement.endswith("FOR UPDATE NOWAIT")

        async def free_row() -> list[int]:
            async with engine.transaction():
                return [j.id for j in await LkJob.where(LkJob.id == 2).select_for_update(nowait=True)]

        assert await asyncio.create_task(free_row()) == [2]


@pytest.mark.backends("postgres", "mysql")
async def test_skip_locked_leaves_out_the_rows_locked_elsewhere(engine):
    await _setup(engine, 4)
    async with engine.transaction():
        held = await LkJob.where(LkJob.id.in_([1, 3])).order_by(LkJob.id).select_for_update()
        assert [j.id for j in held] == [1, 3]

        async def other() -> list[int]:
            async with engine.transaction():
                rows = await LkJob.all().order_by(LkJob.id).select_for_update(skip_locked=True)
                return [j.id for j in rows]

        assert await asyncio.create_task(other()) == [2, 4]


@pytest.mark.backends("postgres", "mysql")
async def test_a_job_queue_of_ten_workers_takes_every_job_exactly_once(engine):
    await _setup(engine, 200)
    taken: dict[int, list[int]] = {w: [] for w in range(10)}

    async def worker(w: int) -> None:
        while True:
            async with engine.transaction():
                jobs = await (
                    LkJob.where(LkJob.status == "new").order_by(LkJob.id).limit(7)
                    .select_for_update(skip_locked=True)
                )
                if not jobs:
                    return
                ids = [j.id for j in jobs]
                await LkJob.where(LkJob.id.in_(ids)).update(status="taken", taken_by=w)
                taken[w].extend(ids)
            await asyncio.sleep(0)

    await asyncio.wait_for(asyncio.gather(*(worker(w) for w in range(10))), 120)
    all_taken = sorted(i for ids in taken.values() for i in ids)
    assert all_taken == list(range(1, 201))
    rows = await LkJob.all().order_by(LkJob.id)
    assert [r.status for r in rows] == ["taken"] * 200
    assert {r.id: r.taken_by for r in rows} == {i: w for w, ids in taken.items() for i in ids}
    assert sum(1 for ids in taken.values() if ids) >= 2


@pytest.mark.backends("postgres", "mysql")
async def test_a_join_locks_the_tables_named_by_of(engine, backend):
    await _setup(engine, 2)
    await engine.create_table(LkNote)
    await LkNote.create(job_id=1, text="hi")
    of = [LkJob] if backend.family == "postgres" else [LkJob, LkNote]
    async with engine.transaction():
        rows = await LkJob.all().join(LkNote, LkNote.job_id == LkJob.id).select_for_update(of=of)
        assert [j.id for j in rows] == [1]

        async def other() -> list[int]:
            async with engine.transaction():
                return [j.id for j in await LkJob.all().order_by(LkJob.id).select_for_update(skip_locked=True)]

        assert await asyncio.create_task(other()) == [2]
