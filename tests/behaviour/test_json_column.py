"""JSONColumn: exact round trips, path filters, refused values, defaults, migrations
and pydantic schemas, on every backend."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kakaorm import IntColumn, JSONColumn, Model, StrColumn
from kakaorm.migration import Migrator


class JsDoc(Model):
    n = IntColumn()
    data = JSONColumn()
    items = JSONColumn(nullable=False, default=list)


class JsDefaults(Model):
    meta = JSONColumn(nullable=False, default=dict)
    tags = JSONColumn(default=lambda: ["new"])


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same Python type at every level (1 is not 1.0, nor True)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a == 0.0:
        return a == b  # PostgreSQL's numeric has no negative zero
    return bool(a == b)


async def _reload(doc: JsDoc) -> JsDoc:
    return await JsDoc.get(JsDoc.id == doc.id)


# -- round trips -------------------------------------------------------------------------

ROUND_TRIP = [
    {},
    [],
    {"a": 1, "b": 1.0, "c": True, "d": None, "e": "x", "f": [1, "2", 3.5, False, None, {}]},
    {"nested": {"deeper": {"deepest": [[], [[]], {"k": [{"z": 0}]}]}}},
    {"big": 12345678901234567890123, "neg": -(2**63), "zero": 0, "fzero": 0.0},
    {"floats": [0.1, 1e16, 1.5e300, 5e-324, -2.5e-7, 1.7976931348623157e308, 123456789.125]},
    {"unicode": "h\u00e9llo \u2603 \U0001f600", "\u00e9t\u00e9": "ok", "esc": "tab\tnl\nquote\" back\\ slash/"},
    {"it's": "single 'quotes'", 'say "hi"': 'double "quotes"', "a.b": 1, "$[0]": 2, "": "empty key"},
    [1, [2, [3, [4]]], {"x": [{"y": None}]}],
]


@pytest.mark.parametrize("value", ROUND_TRIP, ids=[f"doc{i}" for i in range(len(ROUND_TRIP))])
async def test_documents_round_trip_with_their_python_types(engine, value):
    await engine.create_table(JsDoc)
    doc = await JsDoc.create(data=value, items=value)
    got = await _reload(doc)
    assert got.data == value and _same(got.data, value)
    assert got.items == value and _same(got.items, value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8", exclude_characters="\x00")),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.lists(json_values, max_size=4), st.dictionaries(st.text(st.characters(
    codec="utf-8", exclude_characters="\x00"), max_size=8), json_values, max_size=4)))
async def test_any_json_document_comes_back_equal_with_the_same_types(engine, value):
    await engine.drop_table(JsDoc)
    await engine.create_table(JsDoc)
    doc = await JsDoc.create(data=value)
    got = await _reload(doc)
    assert got.data == value and _same(got.data, value)


async def test_none_is_sql_null_and_not_json_null(engine):
    await engine.create_table(JsDoc)
    doc = await JsDoc.create(n=1, data=None)
    await JsDoc.create(n=2, data={"a": None})
    got = await _reload(doc)
    assert got.data is None
    rows = await engine.fetch("SELECT n FROM js_doc WHERE data IS NULL")
    assert [r["n"] for r in rows] == [1]
    assert [d.n for d in await JsDoc.where(JsDoc.data == None)] == [1]  # noqa: E711
    assert [d.n for d in await JsDoc.where(JsDoc.data.is_not_null())] == [2]


async def test_save_and_update_write_new_documents(engine):
    await engine.create_table(JsDoc)
    doc = await JsDoc.create(n=1, data={"v": 1})
    doc.data = {"v": 2, "list": [1]}
    await doc.save()
    assert (await _reload(doc)).data == {"v": 2, "list": [1]}
    assert await JsDoc.where(JsDoc.n == 1).update(data=[{"v": 3}]) == 1
    assert (await _reload(doc)).data == [{"v": 3}]
    assert await JsDoc.where(JsDoc.n == 1).update(data=None) == 1
    assert (await _reload(doc)).data is None


# -- refused values ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("text", r"JsDoc\.data is a JSONColumn and takes a dict or a list \(a JSON object or array\), not str "
                 r"\('text'\); wrap a single value, e\.g\. \{'value': \.\.\.\}"),
        (5, r"JsDoc\.data is a JSONColumn and takes a dict or a list \(a JSON object or array\), not int \(5\); "
            r"wrap a single value, e\.g\. \{'value': \.\.\.\}"),
        ({"a": {1, 2}}, r"JsDoc\.data is a JSONColumn and takes JSON values only: value\['a'\] is set \(\{1, 2\}\); "
                        r"a JSON value is a dict, list, str, int, float, bool or None: convert it first \(e\.g\. "
                        r"a tuple to a list, a Decimal to str\)"),
        ([1, (2, 3)], r"JsDoc\.data is a JSONColumn and takes JSON values only: value\[1\] is tuple \(\(2, 3\)\); "
                      r"a JSON value is a dict"),
        ({"x": [math.nan]}, r"JsDoc\.data is a JSONColumn and takes JSON values only: value\['x'\]\[0\] is nan, "
                            r"which JSON cannot hold; store None or a finite number"),
        ({"x": -math.inf}, r"JsDoc\.data is a JSONColumn and takes JSON values only: value\['x'\] is -inf, which "
                           r"JSON cannot hold; store None or a finite number"),
        ({1: "a"}, r"JsDoc\.data is a JSONColumn and takes JSON values only: value has the key 1 \(int\); JSON "
                   r"object keys are str: convert the key, e\.g\. str\(key\)"),
        ({"a": "b\x00"}, r"JsDoc\.data is a JSONColumn and takes JSON values only: value\['a'\] holds a NUL "
                         r"character \('\\x00'\), which PostgreSQL's jsonb cannot store; remove it"),
        ({"k\ud800": 1}, r"JsDoc\.data is a JSONColumn and takes JSON values only: value key holds '\\ud800', a lone "
                         r"surrogate UTF-8 cannot encode \(e\.g\. from bytes decoded with errors='surrogateescape'\); "
                         r"clean the text first"),
    ],
    ids=["str", "int", "set", "tuple", "nan", "inf", "int-key", "nul", "surrogate-key"],
)
async def test_a_value_that_is_not_json_is_a_type_error_naming_the_column(engine, value, message):
    await engine.create_table(JsDoc)
    with pytest.raises(TypeError, match=f"^{message}"):
        await JsDoc.create(data=value)
    doc = await JsDoc.create(data={})
    with pytest.raises(TypeError, match=f"^{message}"):
        await JsDoc.where(JsDoc.id == doc.id).update(data=value)
    assert [(d.data) for d in await JsDoc.all()] == [{}]


async def test_a_not_null_document_refuses_none(engine):
    await engine.create_table(JsDoc)
    with pytest.raises(Exception, match=r"JsDoc\.items"):
        await JsDoc.create(items=None)
    assert await JsDoc.count() == 0


# -- defaults ----------------------------------------------------------------------------


async def test_callable_defaults_give_each_instance_its_own_document(engine):
    await engine.create_table(JsDefaults, JsDoc)
    a = await JsDefaults.create()
    b = await JsDefaults.create()
    a.meta["k"] = 1
    a.tags.append("x")
    assert (b.meta, b.tags) == ({}, ["new"])
    await a.save()
    got_a = await JsDefaults.get(JsDefaults.id == a.id)
    got_b = await JsDefaults.get(JsDefaults.id == b.id)
    assert (got_a.meta, got_a.tags, got_b.meta, got_b.tags) == ({"k": 1}, ["new", "x"], {}, ["new"])
    d1, d2 = JsDoc(), JsDoc()
    assert d1.items == [] and d1.items is not d2.items


# -- path filters ------------------------------------------------------------------------

DOCS: list[Any] = [
    {"a": {"b": 1}, "tags": ["x", "y"], "n": 3, "s": "abc", "t": True},        # 1
    {"a": {"b": 2}, "tags": ["y"], "n": 2.5, "s": "ABC", "t": False},          # 2
    {"a": {"b": "1"}, "tags": [], "n": "3", "s": None, "t": 1},                # 3
    {"a": {"b": True}, "tags": ["x"], "n": None, "t": 0, "s": "abd"},          # 4
    [1, 2, 3],                                                                 # 5
    {"n": 10, "s": "b", "t": "true", "a": {"b": 1.0}},                         # 6
]


async def _seed() -> None:
    for i, doc in enumerate(DOCS, start=1):
        await JsDoc.create(n=i, data=doc)
    await JsDoc.create(n=len(DOCS) + 1, data=None)  # 7


async def _ns(*conditions: Any) -> list[int]:
    return sorted(d.n for d in await JsDoc.where(*conditions))


async def test_equality_on_a_path_matches_the_value_and_its_json_type(engine):
    await engine.create_table(JsDoc)
    await _seed()
    assert await _ns(JsDoc.data["a"]["b"] == 1) == [1, 6]  # 1.0 is the number 1
    assert await _ns(JsDoc.data["a"]["b"] == 1.0) == [1, 6]
    assert await _ns(JsDoc.data["a"]["b"] == "1") == [3]
    assert await _ns(JsDoc.data["a"]["b"] == True) == [4]  # noqa: E712
    assert await _ns(JsDoc.data["t"] == True) == [1]  # noqa: E712 - not the number 1 of doc 3
    assert await _ns(JsDoc.data["t"] == False) == [2]  # noqa: E712 - not the number 0 of doc 4
    assert await _ns(JsDoc.data["t"] == 1) == [3]
    assert await _ns(JsDoc.data["t"] == 0) == [4]
    assert await _ns(JsDoc.data["t"] == "true") == [6]
    assert await _ns(JsDoc.data["tags"][0] == "x") == [1, 4]
    assert await _ns(JsDoc.data["tags"][1] == "y") == [1]
    assert await _ns(JsDoc.data[0] == 1) == [5]
    assert await _ns(JsDoc.data[2] == 3) == [5]
    assert await _ns(JsDoc.data["s"] == "abc") == [1]  # case-sensitive on every backend


def _family(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    return "str" if isinstance(value, str) else "number"


#: integers within a DOUBLE's exact range: MariaDB compares JSON numbers as DOUBLE
scalars = (
    st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6) | st.sampled_from(["a", "a ", "A", "", "b"])
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=scalars | st.none(), operand=scalars)
async def test_comparing_a_path_agrees_with_python_on_values_of_the_same_json_type(engine, stored, operand):
    await engine.drop_table(JsDoc)
    await engine.create_table(JsDoc)
    await JsDoc.create(n=1, data={"k": stored})
    path = JsDoc.data["k"]
    same = _family(stored) == _family(operand)
    assert await _ns(path == operand) == ([1] if same and stored == operand else [])
    assert await _ns(path != operand) == ([1] if same and stored != operand else [])
    if _family(operand) != "bool":
        assert await _ns(path < operand) == ([1] if same and stored < operand else [])
        assert await _ns(path >= operand) == ([1] if same and stored >= operand else [])


async def test_strings_at_a_path_compare_exactly_with_trailing_spaces_and_case(engine):
    await engine.create_table(JsDoc)
    for i, text in enumerate(["a", "a ", "A", "\u00e1"], start=1):
        await JsDoc.create(n=i, data={"s": text})
    assert await _ns(JsDoc.data["s"] == "a") == [1]
    assert await _ns(JsDoc.data["s"] == "a ") == [2]
    assert await _ns(JsDoc.data["s"] != "a") == [2, 3, 4]
    assert await _ns(JsDoc.data["s"].in_(["a", "A"])) == [1, 3]
    assert await _ns(JsDoc.data["s"].between("a", "a")) == [1]
    assert await _ns(JsDoc.data["s"] > "a") == [2, 4]
    assert await _ns(JsDoc.data["s"].like("a")) == [1]


async def test_not_equal_matches_only_values_of_the_operand_type(engine):
    await engine.create_table(JsDoc)
    await _seed()
    assert await _ns(JsDoc.data["n"] != 3) == [2, 6]
    assert await _ns(JsDoc.data["s"] != "abc") == [2, 4, 6]
    assert await _ns(JsDoc.data["t"] != True) == [2]  # noqa: E712


async def test_ordering_compares_numbers_as_numbers_and_strings_as_text(engine):
    await engine.create_table(JsDoc)
    await _seed()
    assert await _ns(JsDoc.data["n"] > 2) == [1, 2, 6]  # 10 > 2 as numbers, "3" is a string
    assert await _ns(JsDoc.data["n"] >= 3) == [1, 6]
    assert await _ns(JsDoc.data["n"] < 3) == [2]
    assert await _ns(JsDoc.data["n"] <= 2.5) == [2]
    assert await _ns(JsDoc.data["n"] > "2") == [3]  # only the string "3"
    assert await _ns(JsDoc.data["s"] < "abd") == [1, 2]  # "ABC" < "abc" < "abd" in code point order
    assert await _ns(JsDoc.data["s"] > "B") == [1, 4, 6]
    assert await _ns(JsDoc.data["n"].between(2.5, 3)) == [1, 2]
    assert await _ns(JsDoc.data["s"].between("a", "abc")) == [1]


async def test_none_matches_a_missing_path_json_null_and_a_null_column(engine):
    await engine.create_table(JsDoc)
    await _seed()
    assert await _ns(JsDoc.data["n"] == None) == [4, 5, 7]  # noqa: E711
    assert await _ns(JsDoc.data["n"].is_null()) == [4, 5, 7]
    assert await _ns(JsDoc.data["s"] == None) == [3, 5, 7]  # noqa: E711 - JSON null in 3
    assert await _ns(JsDoc.data["n"] != None) == [1, 2, 3, 6]  # noqa: E711
    assert await _ns(JsDoc.data["a"].is_not_null()) == [1, 2, 3, 4, 6]  # an object is a value
    assert await _ns(JsDoc.data["tags"][1].is_null()) == [2, 3, 4, 5, 6, 7]


async def test_in_and_not_in_on_a_path(engine):
    await engine.create_table(JsDoc)
    await _seed()
    assert await _ns(JsDoc.data["n"].in_([3, 10])) == [1, 6]
    assert await _ns(JsDoc.data["n"].in_([2.5, 3])) == [1, 2]
    assert await _ns(JsDoc.data["s"].in_(["abc", "b"])) == [1, 6]
    assert await _ns(JsDoc.data["t"].in_([True])) == [1]
    assert await _ns(JsDoc.data["n"].not_in([3])) == [2, 6]
    assert await _ns(JsDoc.data["n"].in_([])) == []


async def test_text_matching_on_a_string_path(engine):
    await engine.create_table(JsDoc)
    await _seed()
    assert await _ns(JsDoc.data["s"].like("ab%")) == [1, 4]
    assert await _ns(JsDoc.data["s"].ilike("ab%")) == [1, 2, 4]
    assert await _ns(JsDoc.data["s"].startswith("AB")) == [2]
    assert await _ns(JsDoc.data["s"].contains("b")) == [1, 4, 6]
    assert await _ns(JsDoc.data["s"].iendswith("C")) == [1, 2]
    assert await _ns(JsDoc.data["tags"][0].contains("x")) == [1, 4]


KEYS = ["it's", "50%", "%s", "tab\there\nnewline", 'say "hi"', "back\\slash", "a.b", "'; DROP TABLE js_doc; --", '"]', "$", "\u00e9t\u00e9", ""]


async def test_keys_with_quotes_and_path_syntax_are_found_and_never_run_as_sql(engine):
    await engine.create_table(JsDoc)
    for i, key in enumerate(KEYS):
        await JsDoc.create(n=i, data={key: i, "other": {key: [key]}})
    for i, key in enumerate(KEYS):
        assert await _ns(JsDoc.data[key] == i) == [i]
        assert await _ns(JsDoc.data["other"][key][0] == key) == [i]
    assert await JsDoc.count() == len(KEYS)


async def test_bulk_create_and_upsert_write_documents(engine):
    await engine.create_table(JsDoc)
    created = await JsDoc.bulk_create([JsDoc(n=1, data={"a": [1.5]}), JsDoc(n=2, data=None, items=[{}])])
    assert [(d.n, d.data, d.items) for d in created] == [(1, {"a": [1.5]}, []), (2, None, [{}])]
    await JsDoc.upsert(id=created[0].id, n=1, data={"b": True})
    got = await JsDoc.all().order_by("n")
    assert [(d.n, d.data, d.items) for d in got] == [(1, {"b": True}, []), (2, None, [{}])]


async def test_paths_filter_updates_and_deletes(engine):
    await engine.create_table(JsDoc)
    await _seed()
    assert await JsDoc.where(JsDoc.data["tags"][0] == "x").update(n=100) == 2
    assert await _ns(JsDoc.n == 100) == [100, 100]
    assert await JsDoc.where(JsDoc.data["n"] > 2).delete() == 3
    assert await JsDoc.count() == 4


async def test_a_selected_path_reads_the_json_value_there(engine):
    await engine.create_table(JsDoc)
    await _seed()
    rows = await JsDoc.where(JsDoc.n <= 6).order_by("n").select(JsDoc.n, JsDoc.data["a"].label("a"))
    assert rows == [
        {"n": 1, "a": {"b": 1}}, {"n": 2, "a": {"b": 2}}, {"n": 3, "a": {"b": "1"}},
        {"n": 4, "a": {"b": True}}, {"n": 5, "a": None}, {"n": 6, "a": {"b": 1.0}},
    ]



async def test_queries_order_by_a_number_or_a_string_at_a_path(engine):
    await engine.create_table(JsDoc)
    for n, doc in [(1, {"k": 3, "s": "b"}), (2, {"k": 10, "s": "a"}), (3, {"k": 2.5, "s": "c"}), (4, {"s": "d"})]:
        await JsDoc.create(n=n, data=doc)
    by_number = await JsDoc.where(~JsDoc.data["k"].is_null()).order_by(JsDoc.data["k"].as_number().asc)
    assert [d.n for d in by_number] == [3, 1, 2]  # 2.5 < 3 < 10: numbers, not text
    by_text = await JsDoc.all().order_by(JsDoc.data["s"].as_str().desc)
    assert [d.n for d in by_text] == [4, 3, 1, 2]


# -- the SQL each dialect sends ----------------------------------------------------------

PATH_SQL = {
    "sqlite": 'SELECT "js_doc"."id" FROM "js_doc" WHERE CASE WHEN json_type("js_doc"."data", ?) IN '
    "('integer', 'real') THEN json_extract(\"js_doc\".\"data\", ?) END > ?",
    "postgres-asyncpg": 'SELECT "js_doc"."id" FROM "js_doc" WHERE CASE WHEN jsonb_typeof("js_doc"."data" -> '
    "$1::text -> $2::integer) = 'number' THEN (\"js_doc\".\"data\" -> $3::text -> $4::integer)::numeric END "
    "> $5::bigint",
    "postgres-psycopg": 'SELECT "js_doc"."id" FROM "js_doc" WHERE CASE WHEN jsonb_typeof("js_doc"."data" -> '
    "%s::text -> %s::integer) = 'number' THEN (\"js_doc\".\"data\" -> %s::text -> %s::integer)::numeric END > %s",
    "mysql": "SELECT `js_doc`.`id` FROM `js_doc` WHERE CASE WHEN JSON_TYPE(JSON_EXTRACT(`js_doc`.`data`, %s)) IN "
    "('INTEGER', 'DOUBLE', 'UNSIGNED INTEGER', 'DECIMAL') THEN JSON_UNQUOTE(JSON_EXTRACT(`js_doc`.`data`, %s)) "
    "+ 0e0 END > %s",
}


async def test_a_path_compiles_to_each_dialects_json_functions_with_bound_steps(engine, backend):
    await engine.create_table(JsDoc)
    sql, params = JsDoc.where(JsDoc.data["it's"][0] > 2).select(JsDoc.id).sql()
    assert sql == PATH_SQL[backend.id]
    if backend.family == "postgres":
        assert params == ["it's", 0, "it's", 0, 2]
    else:
        assert params == ['$."it\'s"[0]', '$."it\'s"[0]', 2]
    await JsDoc.create(data={"it's": [5]})
    assert len(await JsDoc.where(JsDoc.data["it's"][0] > 2)) == 1


# -- migrations --------------------------------------------------------------------------


class JsTypeV1(Model):
    body = StrColumn()
    amount = IntColumn()

    class Meta:
        table_name = "js_type"


class JsTypeV2(Model):
    body = JSONColumn()
    amount = JSONColumn()

    class Meta:
        table_name = "js_type"


async def test_migration_plan_is_empty_after_create_table(engine):
    await engine.create_table(JsDoc, JsDefaults)
    plan = await Migrator(engine).plan([JsDoc, JsDefaults])
    assert plan.statements == []
    assert plan.is_empty()


async def test_the_database_type_reads_back_as_json(engine, backend):
    await engine.create_table(JsDoc)
    schema = (await engine.dialect.read_schema(engine, ["js_doc"]))["js_doc"]
    data = next(c for c in schema.columns if c.name == "data")
    if backend.family == "sqlite":  # TEXT, which holds a JSONColumn exactly
        assert (data.type.kind, data.stores(JsDoc.data.__column_schema__()[1].type)) == ("str", True)
    else:
        assert data.type.kind == "json"


async def test_changing_a_column_to_and_from_json_is_planned(engine, backend):
    await engine.create_table(JsTypeV1)
    await JsTypeV1.create(body='{"a": [1]}', amount=None)
    plan = await Migrator(engine).plan([JsTypeV2])
    if backend.family == "sqlite":  # a JSONColumn is TEXT there: only the INTEGER column changes
        assert plan.summary == ["alter column js_type.amount: type int -> str"]
    else:
        assert plan.summary == [
            "alter column js_type.body: type str -> json",
            "alter column js_type.amount: type int -> json",
        ]
    await plan.apply()
    assert (await Migrator(engine).plan([JsTypeV2])).statements == []
    got = await JsTypeV2.get(JsTypeV2.id == 1)
    assert (got.body, got.amount) == ({"a": [1]}, None)
    back = await Migrator(engine).plan([JsTypeV1])
    stored = "str" if backend.family == "sqlite" else "json"
    assert back.summary[-1] == f"alter column js_type.amount: type {stored} -> int"


# -- pydantic ----------------------------------------------------------------------------


async def test_models_dump_and_validate_their_documents(engine):
    pytest.importorskip("pydantic")
    await engine.create_table(JsDoc)
    doc = await JsDoc.create(n=1, data={"a": [1, 2.5, "x", None, True]}, items=[{"k": {}}])
    got = await _reload(doc)
    assert got.model_dump(mode="json")["data"] == {"a": [1, 2.5, "x", None, True]}
    again = JsDoc.model_validate(json.loads(got.model_dump_json()))
    assert (again.data, again.items) == ({"a": [1, 2.5, "x", None, True]}, [{"k": {}}])
