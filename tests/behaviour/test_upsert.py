"""Model.upsert() and bulk_create(on_conflict=...) on every backend."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kakaorm import DateTimeColumn, IntColumn, IntegrityError, Model, QueryError, StrColumn
from kakaorm.compiler import SQLCompiler
from kakaorm.statements import Insert, OnConflict
from kakaorm_mysql.compiler import MySQLCompiler
from kakaorm_postgres.compiler import PsycopgCompiler


class UpUser(Model):
    email = StrColumn(nullable=False, unique=True)
    name = StrColumn(nullable=False)
    visits = IntColumn(nullable=False, default=0)
    created_at = DateTimeColumn(auto_now_add=True)
    updated_at = DateTimeColumn(auto_now=True)


class UpCounter(Model):
    label = StrColumn(nullable=False)
    hits = IntColumn(nullable=False, default=0)


def _stored(u: UpUser) -> tuple:
    return (u.id, u.email, u.name, u.visits)


# -- SQL shape ------------------------------------------------------------------------


def _insert(update: list) -> Insert:
    m = UpUser._meta
    cols = [m.columns["email"], m.columns["name"]]
    return Insert(UpUser, cols, [["a@x", "A"]], on_conflict=OnConflict([m.columns["email"]], update))


@pytest.mark.parametrize(
    ("compiler", "update", "expected"),
    [
        (PsycopgCompiler(), ["name"], 'INSERT INTO "up_user" ("email", "name") VALUES (%s, %s) '
         'ON CONFLICT ("email") DO UPDATE SET "name" = excluded."name"'),
        (SQLCompiler(), [], 'INSERT INTO "up_user" ("email", "name") VALUES (?, ?) ON CONFLICT ("email") DO NOTHING'),
        (MySQLCompiler(), ["name", "visits"], "INSERT INTO `up_user` (`email`, `name`) VALUES (%s, %s) "
         "ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `visits` = VALUES(`visits`)"),
        (MySQLCompiler(), [], "INSERT INTO `up_user` (`email`, `name`) VALUES (%s, %s) "
         "ON DUPLICATE KEY UPDATE `email` = `email`"),
    ],
)
def test_the_conflict_clause_per_dialect(compiler, update, expected):
    cols = [UpUser._meta.columns[n] for n in update]
    assert compiler.compile(_insert(cols)).sql == expected


def test_the_conflict_clause_is_part_of_the_compile_cache_key():
    m = UpUser._meta
    keys = {_insert([])._key([]), _insert([m.columns["name"]])._key([]), Insert(UpUser, [m.columns["email"], m.columns["name"]], [["a", "b"]])._key([])}
    assert len(keys) == 3


# -- upsert() ---------------------------------------------------------------------------


async def test_upsert_inserts_a_new_row_and_returns_it_as_stored(engine):
    await engine.create_table(UpUser)
    u = await UpUser.upsert(conflict=["email"], email="a@x", name="Ann")
    assert _stored(u) == (1, "a@x", "Ann", 0)
    assert type(u.id) is int and type(u.visits) is int
    assert isinstance(u.created_at, dt.datetime) and u.is_saved
    assert [_stored(r) for r in await UpUser.all()] == [(1, "a@x", "Ann", 0)]


async def test_upsert_on_a_unique_column_updates_the_given_columns(engine):
    await engine.create_table(UpUser)
    first = await UpUser.upsert(conflict=["email"], email="a@x", name="Ann", visits=3)
    again = await UpUser.upsert(conflict=["email"], email="a@x", name="Anna")
    # visits was not given: it keeps its stored value
    assert _stored(again) == (first.id, "a@x", "Anna", 3)
    assert again.created_at == first.created_at
    assert again.updated_at >= first.updated_at
    assert await UpUser.count() == 1


async def test_upsert_updates_only_the_columns_named_by_update(engine):
    await engine.create_table(UpUser)
    await UpUser.upsert(conflict="email", email="a@x", name="Ann", visits=1)
    u = await UpUser.upsert(conflict="email", update=["visits"], email="a@x", name="ignored", visits=9)
    assert _stored(u) == (1, "a@x", "Ann", 9)


async def test_upsert_defaults_to_the_primary_key(engine):
    await engine.create_table(UpCounter)
    a = await UpCounter.upsert(id=7, label="x", hits=1)
    b = await UpCounter.upsert(id=7, label="y", hits=2)
    assert (a.id, a.label, a.hits) == (7, "x", 1)
    assert (b.id, b.label, b.hits) == (7, "y", 2)
    assert [(c.id, c.label, c.hits) for c in await UpCounter.all()] == [(7, "y", 2)]


async def test_upsert_refuses_a_conflict_target_that_is_not_unique(engine):
    await engine.create_table(UpUser)
    with pytest.raises(QueryError, match=re.escape(
        "UpUser.upsert(conflict=('name',)): a conflict target must be the primary key or one "
        "unique=True column, which a collision can be detected on; UpUser has: id, email"
    )):
        await UpUser.upsert(conflict=["name"], email="a@x", name="Ann")
    with pytest.raises(ValueError, match=r"^Unknown column 'nope' for UpUser"):
        await UpUser.upsert(conflict=["nope"], email="a@x", name="Ann")
    with pytest.raises(ValueError, match=r"^Unknown column 'nope' for UpUser"):
        await UpUser.upsert(conflict=["email"], update=["nope"], email="a@x", name="Ann")
    with pytest.raises(TypeError, match=r"^Unknown field 'nope' for UpUser\(\)"):
        await UpUser.upsert(conflict=["email"], email="a@x", name="Ann", nope=1)
    with pytest.raises(QueryError, match=r"^UpCounter.upsert\(\): the conflict column 'id' has no value"):
        await UpCounter.upsert(label="x")
    assert await UpUser.count() == 0


# -- bulk_create(on_conflict=...) -------------------------------------------------------


async def test_bulk_create_ignore_keeps_stored_rows_and_returns_them_as_stored(engine):
    await engine.create_table(UpUser)
    await UpUser.create(email="a@x", name="Ann", visits=5)
    objs = [UpUser(email="a@x", name="New Ann"), UpUser(email="b@x", name="Bob")]
    out = await UpUser.bulk_create(objs, on_conflict="ignore", conflict=["email"])
    assert out is objs
    assert [_stored(u) for u in out] == [(1, "a@x", "Ann", 5), (out[1].id, "b@x", "Bob", 0)]
    assert all(u.is_saved for u in out)
    assert sorted(_stored(u) for u in await UpUser.all()) == sorted(_stored(u) for u in out)


async def test_bulk_create_update_mixes_new_and_existing_rows(engine):
    await engine.create_table(UpUser)
    await UpUser.create(email="a@x", name="Ann", visits=5)
    objs = [UpUser(email=f"{i}@x", name=f"n{i}", visits=i) for i in range(30)]
    objs.append(UpUser(email="a@x", name="Ann 2", visits=6))
    out = await UpUser.bulk_create(objs, on_conflict="update", conflict=["email"], batch_size=7)
    assert [(u.email, u.name, u.visits) for u in out] == [(o.email, o.name, o.visits) for o in objs]
    assert out[-1].id == 1 and out[-1].name == "Ann 2"
    assert len({u.id for u in out}) == 31
    assert await UpUser.count() == 31


async def test_bulk_create_on_conflict_checks_its_arguments(engine):
    await engine.create_table(UpUser)
    with pytest.raises(ValueError, match=r"^bulk_create\(on_conflict=\.\.\.\) takes 'ignore' or 'update', got 'skip'$"):
        await UpUser.bulk_create([UpUser(email="a", name="b")], on_conflict="skip", conflict=["email"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^bulk_create\(conflict=\.\.\., update=\.\.\.\) need on_conflict="):
        await UpUser.bulk_create([UpUser(email="a", name="b")], conflict=["email"])
    with pytest.raises(ValueError, match=r"^UpUser.bulk_create\(\): two rows have email='a'"):
        await UpUser.bulk_create([UpUser(email="a", name="b"), UpUser(email="a", name="c")], on_conflict="update", conflict=["email"])
    with pytest.raises(QueryError, match=r"^UpUser.bulk_create\(conflict=\('visits',\)\): a conflict target"):
        await UpUser.bulk_create([UpUser(email="a", name="b")], on_conflict="ignore", conflict=["visits"])
    assert await UpUser.count() == 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(st.integers(1, 4), st.integers(0, 99)), min_size=1, max_size=12))
async def test_random_upserts_match_a_dict(engine, ops):
    await engine.drop_table(UpCounter)
    await engine.create_table(UpCounter)
    model: dict[int, int] = {}
    for key, hits in ops:
        row = await UpCounter.upsert(id=key, label=f"k{key}", hits=hits)
        model[key] = hits
        assert (row.id, row.hits) == (key, hits)
    stored = {c.id: c.hits for c in await UpCounter.all()}
    assert stored == model


async def test_a_collision_on_another_unique_column_changes_nothing(engine, backend):
    await engine.create_table(UpUser)
    await UpUser.create(email="a@x", name="Ann")
    if backend.family == "mysql":
        # ON DUPLICATE KEY UPDATE fires on any unique key: the row found is not the one
        # asked for, so the upsert is refused and rolled back
        with pytest.raises(QueryError, match=r"^UpUser.upsert\(\): the row with id=2 was not found after writing it"):
            await UpUser.upsert(id=2, email="a@x", name="Other")
    else:
        with pytest.raises(IntegrityError):
            await UpUser.upsert(id=2, email="a@x", name="Other")
    assert [_stored(u) for u in await UpUser.all()] == [(1, "a@x", "Ann", 0)]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    batches=st.lists(
        st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e"]), st.integers(0, 99), min_size=1),
        min_size=1, max_size=5,
    ),
    ignore=st.booleans(),
)
async def test_random_bulk_upserts_on_a_unique_column_match_a_dict(engine, batches, ignore):
    await engine.drop_table(UpUser)
    await engine.create_table(UpUser)
    model: dict[str, int] = {}
    for batch in batches:
        objs = [UpUser(email=k, name=k.upper(), visits=v) for k, v in batch.items()]
        out = await UpUser.bulk_create(objs, on_conflict="ignore" if ignore else "update", conflict=["email"])
        for k, v in batch.items():
            model[k] = model.get(k, v) if ignore else v
        assert {u.email: u.visits for u in out} == {k: model[k] for k in batch}
    assert {u.email: u.visits for u in await UpUser.all()} == model
