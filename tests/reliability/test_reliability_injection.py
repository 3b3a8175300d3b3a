"""Hostile names and values: every entry point that takes a name refuses one that is
not a name it knows, with a clear error and before any SQL is sent; names a model
declares, however odd (quotes, backticks, brackets, semicolons, percent signs,
reserved words), are quoted correctly everywhere; every value is bound, so a hostile
string comes back unchanged and never appears in the SQL text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kakaorm import CTE, Count, IntColumn, MigrationError, Model, StrColumn, Sum
from kakaorm.migration import Migrator, VersionedMigrator


class InjAccount(Model):
    name = StrColumn(nullable=False, max_length=200)
    is_admin = IntColumn(nullable=False, default=0)
    select = StrColumn(max_length=200)

    class Meta:
        table_name = "inj_account"


COLUMN_LIST = "'id', 'name', 'is_admin', 'select'"

HOSTILE_NAMES = [
    "name; DROP TABLE inj_account",
    "name DESC, (SELECT 1)",
    "name--",
    "name /* */",
    '"name"',
    "`name`",
    "[name]",
    "name ASC NULLS FIRST",
    "inj_account.name",
    "nаme",  # a Cyrillic "а"
    "name\x00",
    "(name)",
    "*",
    "1",
    "",
    "-",
    "--name",
    "name DESC DESC",
    "password",
]


@pytest.mark.parametrize("text", HOSTILE_NAMES, ids=repr)
def test_order_by_refuses_any_string_that_is_not_a_column_name_of_the_query(text):
    with pytest.raises(ValueError) as info:
        InjAccount.all().order_by(text)
    assert str(info.value) == (
        f"order_by({text!r}): not a column of this query. Pass a column (e.g. Post.views.desc) "
        f"or one of {COLUMN_LIST}, optionally prefixed with '-' or followed by ASC/DESC"
    )


def test_order_by_refuses_a_minus_sign_and_desc_together():
    with pytest.raises(ValueError, match=r"^order_by\('-name DESC'\): use either '-name' or 'name DESC', not both$"):
        InjAccount.all().order_by("-name DESC")


HOSTILE_KEYS = [
    "is_admin = 1 --",
    "name = 'x', is_admin",
    "name`",
    'name"',
    "id; DROP TABLE inj_account",
    "NAME",
    "inj_account.name",
    "",
]


@pytest.mark.parametrize("key", HOSTILE_KEYS, ids=repr)
async def test_update_refuses_a_keyword_that_is_not_a_column(key):
    with pytest.raises(ValueError) as info:
        await InjAccount.all().update(**{"name": "b", key: 1})
    assert str(info.value) == f"Unknown column {key!r} for InjAccount; its columns are: id, name, is_admin, select"


@pytest.mark.parametrize("key", HOSTILE_KEYS, ids=repr)
async def test_create_and_the_constructor_refuse_a_field_that_is_not_a_column(key):
    message = f"Unknown field {key!r} for InjAccount(); valid fields: id, is_admin, name, select"
    with pytest.raises(TypeError) as built:
        InjAccount(name="a", **{key: 1})
    with pytest.raises(TypeError) as created:
        await InjAccount.create(name="a", **{key: 1})
    assert (str(built.value), str(created.value)) == (message, message)


@pytest.mark.parametrize("key", ["select = 'x', is_admin", "is_admin; DROP TABLE inj_account", "NAME"], ids=repr)
async def test_bulk_update_and_get_or_create_refuse_a_field_that_is_not_a_column(engine, key):
    await engine.create_table(InjAccount)
    account = await InjAccount.create(name="a")
    with pytest.raises(ValueError) as updated:
        await InjAccount.bulk_update([account], ["name", key])
    with pytest.raises(TypeError) as got:
        await InjAccount.get_or_create(**{"name": "a", key: 1})
    assert str(updated.value).startswith(f"Unknown field {key!r} in the fields of InjAccount.bulk_update()")
    assert str(updated.value).endswith("valid fields: id, is_admin, name, select")
    assert str(got.value).startswith(f"Unknown field {key!r} ")
    assert [(a.name, a.is_admin) for a in await InjAccount.all()] == [("a", 0)]


STRING_ENTRY_POINTS: dict[str, tuple[Callable[[], Any], str]] = {
    "select": (
        lambda: InjAccount.all().select("name; DROP TABLE inj_account"),
        "select() takes columns or expressions, got 'name; DROP TABLE inj_account'",
    ),
    "where": (
        lambda: InjAccount.where("1=1; DROP TABLE inj_account"),
        "where() takes conditions such as Post.views > 10, got '1=1; DROP TABLE inj_account'",
    ),
    "exclude": (
        lambda: InjAccount.all().exclude("1=1"),
        "where() takes conditions such as Post.views > 10, got '1=1'",
    ),
    "having": (
        lambda: InjAccount.all().group_by(InjAccount.name).having("COUNT(*) > 0"),
        "having() takes conditions such as Post.views > 10, got 'COUNT(*) > 0'",
    ),
    "group_by": (
        lambda: InjAccount.all().select(InjAccount.name).group_by("name; DROP TABLE inj_account"),
        "group_by() takes columns or expressions, got 'name; DROP TABLE inj_account'",
    ),
    "Sum": (
        lambda: Sum("is_admin"),
        "Sum() takes a column or expression such as Post.views, not the string 'is_admin': SQL is "
        "never read from a string (kakaorm.raw('...') marks a fragment you wrote)",
    ),
    "in_": (
        lambda: InjAccount.where(InjAccount.name.in_("a', 'b")),
        "in_()/not_in() take a list of values, a Subquery or a QuerySet, not str",
    ),
}


@pytest.mark.parametrize("entry", STRING_ENTRY_POINTS, ids=str)
def test_query_builders_refuse_strings_where_they_take_columns_or_conditions(entry):
    build, message = STRING_ENTRY_POINTS[entry]
    with pytest.raises(TypeError) as info:
        build()
    assert str(info.value) == message


async def test_aggregate_refuses_a_string(engine):
    await engine.create_table(InjAccount)
    with pytest.raises(TypeError) as info:
        await InjAccount.all().aggregate(n="COUNT(*); DROP TABLE inj_account")
    assert str(info.value) == (
        "aggregate(n=...) takes an aggregate such as Sum(Post.views), got 'COUNT(*); DROP TABLE inj_account'"
    )


@pytest.mark.parametrize("name", ['c"; DROP TABLE inj_account; --', "c d", "1c", "c`", ""], ids=repr)
def test_a_cte_name_must_be_an_identifier(name):
    with pytest.raises(ValueError) as info:
        CTE(name, InjAccount.all().select(InjAccount.name))
    assert str(info.value) == f"a CTE name is an identifier such as 'rich_depts', got {name!r}"


def test_prefetch_refuses_a_name_that_is_not_a_relation():
    with pytest.raises(AttributeError) as info:
        InjAccount.all().prefetch("author; DROP TABLE inj_account")
    assert str(info.value) == (
        "prefetch('author; DROP TABLE inj_account'): InjAccount has no relation named "
        "'author; DROP TABLE inj_account'; its relations are: none. Declare it with "
        "belongs_to/has_many/has_one/many_to_many, or prefetch one of those"
    )


# -- odd names a model declares are quoted everywhere -------------------------------------------

ODD_COLUMNS = {
    "select": StrColumn(max_length=50),
    'col"quote': IntColumn(),
    "col`tick": IntColumn(),
    "col]bracket[": IntColumn(),
    "col;semi -- /*": StrColumn(max_length=50),
    "pct%s%%": IntColumn(),
    "q?$1:x": IntColumn(),
    "naïve ñ": IntColumn(),
}
ODD_TABLE = 'inj "odd`name]; DROP TABLE inj_account; --%s'
InjOdd = type(
    "InjOdd",
    (Model,),
    {"__module__": __name__, **ODD_COLUMNS, "Meta": type("Meta", (), {"table_name": ODD_TABLE})},
)
C = InjOdd._meta.columns


async def test_tables_and_columns_with_quotes_backticks_brackets_semicolons_and_percents_work_everywhere(engine):
    await engine.create_table(InjAccount, InjOdd)
    await engine.create_table(InjOdd)  # again: IF NOT EXISTS sees the same quoted name
    await InjAccount.create(name="bystander")
    values = {"select": "s", 'col"quote': 1, "col`tick": 2, "col]bracket[": 3, "col;semi -- /*": "c", "pct%s%%": 4, "q?$1:x": 5, "naïve ñ": 6}
    row = await InjOdd.create(**values)
    await InjOdd.bulk_create([InjOdd(**{**values, "col`tick": 20}), InjOdd(**{**values, "col`tick": 30})])

    assert (await InjOdd.get(InjOdd.id == row.id)).to_dict() == {"id": row.id, **values}
    assert await InjOdd.where(C["pct%s%%"] == 4, C["q?$1:x"] == 5).count() == 3
    assert await InjOdd.where(C["col`tick"] == 20).update(**{"pct%s%%": 40, "col;semi -- /*": "d"}) == 1
    rows = await InjOdd.all().order_by(C["col`tick"].desc)
    for obj in rows:
        obj.__dict__["naïve ñ"] = obj.__dict__["col`tick"] + 1
    assert await InjOdd.bulk_update(rows, ["naïve ñ"]) is rows
    selected = await InjOdd.all().select(C["col`tick"], C["pct%s%%"], C["naïve ñ"], C["col;semi -- /*"]).order_by(C["col`tick"])
    assert selected == [
        {"col`tick": 2, "pct%s%%": 4, "naïve ñ": 3, "col;semi -- /*": "c"},
        {"col`tick": 20, "pct%s%%": 40, "naïve ñ": 21, "col;semi -- /*": "d"},
        {"col`tick": 30, "pct%s%%": 4, "naïve ñ": 31, "col;semi -- /*": "c"},
    ]
    grouped = await InjOdd.all().select(C["pct%s%%"], Count().label("n; DROP")).group_by(C["pct%s%%"]).order_by(C["pct%s%%"])
    assert grouped == [{"pct%s%%": 4, "n; DROP": 2}, {"pct%s%%": 40, "n; DROP": 1}]
    assert (await Migrator(engine).plan([InjAccount, InjOdd])).is_empty()
    assert await InjOdd.where(C["select"] == "s").delete() == 3
    await engine.drop_table(InjOdd)
    assert [a.name for a in await InjAccount.all()] == ["bystander"]


# -- values are always bound --------------------------------------------------------------------

PAYLOADS = [
    "'; DROP TABLE inj_account; --",
    "x' OR '1'='1",
    '" OR ""="',
    "` OR 1=1 -- ",
    "\\'; SELECT 1; --",
    "\\",
    "'\\",
    "\\0\\Z\\%\\_",
    "%s %% %(x)s {0} $1 ? :name",
    "\x1a\r\n\t",
    "*/ /* -- #",
    "\u2019 OR 1=1 \u02bc",
    "Robert'); DROP TABLE inj_account;--",
]


async def test_hostile_strings_as_values_are_bound_and_come_back_unchanged_on_every_path(engine, sql_log):
    await engine.create_table(InjAccount)
    sql_log.clear()
    created = [await InjAccount.create(name=p, select=p) for p in PAYLOADS]
    bulk = await InjAccount.bulk_create([InjAccount(name=p, select="") for p in PAYLOADS])
    for obj, payload in zip(bulk, PAYLOADS, strict=True):
        obj.select = payload
    assert await InjAccount.bulk_update(bulk, ["select"]) is bulk
    for payload in PAYLOADS:
        assert await InjAccount.where(InjAccount.select == payload).update(is_admin=0, name=payload) >= 2
        found, made = await InjAccount.get_or_create(name=payload + "!", defaults={"select": payload})
        assert (found.select, made) == (payload, True)
        again, made = await InjAccount.get_or_create(name=payload + "!", defaults={"select": "other"})
        assert (again.id, again.select, made) == (found.id, payload, False)

    for payload, row, b in zip(PAYLOADS, created, bulk, strict=True):
        # MySQL compares text case- and trailing-space-insensitively: match by id too
        matching = {a.id for a in await InjAccount.where(InjAccount.name == payload)}
        assert {row.id, b.id} <= matching
        assert {a.id for a in await InjAccount.where(InjAccount.name.in_([payload]))} >= {row.id, b.id}
        for obj_id in (row.id, b.id):
            got = await InjAccount.get(InjAccount.id == obj_id)
            assert (got.name, got.select) == (payload, payload)
        raw = await engine.fetch("SELECT name, is_admin FROM inj_account WHERE id = %s AND name = %s", [row.id, payload])
        assert raw == [{"name": payload, "is_admin": 0}]
        assert await engine.execute("UPDATE inj_account SET is_admin = 0 WHERE name = %s AND id = %s", [payload, row.id]) == 1
    assert await InjAccount.count() == 3 * len(PAYLOADS)
    assert await InjAccount.where(InjAccount.is_admin != 0).count() == 0
    assert sql_log.statements
    leaked = [(p, sql) for sql in sql_log.statements for p in PAYLOADS if len(p) > 2 and p in sql]
    assert leaked == []


# -- migration names -----------------------------------------------------------------------------

HOSTILE_MIGRATION_NAMES = [
    "x'; DROP TABLE kakaorm_migrations; --",
    "../../etc/passwd",
    "back\\slash",
    "new\nline",
    "-leading-dash",
    "",
    "a" * 256,
    "semi;colon",
]


@pytest.mark.parametrize("name", HOSTILE_MIGRATION_NAMES, ids=lambda n: repr(n)[:30])
async def test_recording_a_migration_refuses_a_name_with_quotes_separators_or_control_characters(engine, name):
    migrator = VersionedMigrator(engine)
    with pytest.raises(MigrationError) as recorded:
        await migrator.record(name)
    with pytest.raises(MigrationError) as ran:
        await migrator.run_manual({name: lambda: None})
    expected = (
        f"{name!r} is not a usable migration name: use 1 to 255 letters, digits, spaces and "
        "'_ . , : ( ) + # -', starting with a letter, digit or '_' and not ending with a "
        "space (e.g. '0003_fill_slugs')"
    )
    assert (str(recorded.value), str(ran.value)) == (expected, expected)
    assert [r.name for r in await migrator.history()] == []


async def test_a_migration_name_of_unusual_letters_is_recorded_exactly(engine):
    migrator = VersionedMigrator(engine)
    await migrator.record("0003_ñandú.v2-final")
    assert [r.name for r in await migrator.history()] == ["0003_ñandú.v2-final"]


@pytest.mark.parametrize(
    "name, file_name",
    [
        ("../../escape", "0001_escape.py"),
        ("/etc/passwd", "0001_etc_passwd.py"),
        ("x'; DROP TABLE inj_account; --", "0001_x_drop_table_inj_account.py"),
        ("..", "0001_auto.py"),
    ],
    ids=["parent-dirs", "absolute-path", "sql", "dots-only"],
)
async def test_autogenerate_turns_any_name_into_a_file_inside_the_migrations_directory(engine, tmp_path, name, file_name):
    directory = tmp_path / "project" / "migrations"
    path = await VersionedMigrator(engine).autogenerate([InjAccount], str(directory), name=name)
    assert path is not None
    assert (path.parent, path.name) == (directory, file_name)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        f"project/migrations/{file_name}"
    ]
