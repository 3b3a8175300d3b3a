"""JSONColumn without a database: refused defaults, comparisons and path steps, the
readable reprs of paths, and the pydantic schemas."""

from __future__ import annotations

import math

import pytest

from kakaorm import IntColumn, JSONColumn, Model, ModelError


class JsCore(Model):
    n = IntColumn()
    data = JSONColumn()
    items = JSONColumn(nullable=False, default=list)


def test_a_literal_mutable_default_is_refused_saying_to_pass_a_callable():
    with pytest.raises(
        ModelError,
        match=r"^JSONColumn\(default=\{\}\) would share one dict between every instance: pass a callable that "
        r"makes a new one, default=dict or default=lambda: \{\}$",
    ):
        JSONColumn(default={})
    with pytest.raises(ModelError, match=r"^JSONColumn\(default=\[1\]\) would share one list between every "):
        JSONColumn(default=[1])


def test_a_json_key_unique_or_index_is_refused():
    with pytest.raises(ModelError, match=r"^a JSONColumn cannot be a primary key; use an IntColumn or a UUIDColumn key$"):
        JSONColumn(primary_key=True)
    for option in ("unique", "index"):
        with pytest.raises(
            ModelError,
            match=r"^a JSONColumn cannot be unique=True or index=True: MariaDB and MySQL cannot index a whole "
            r"JSON document; keep the value to index in a column of its own$",
        ):
            JSONColumn(**{option: True})


# -- refused comparisons -----------------------------------------------------------------


def test_comparing_a_whole_document_is_refused_with_what_to_do():
    message = (
        r"^JsCore\.data is a JSONColumn; == on the whole document is not supported \(each database compares "
        r"JSON text differently\): compare a path instead, e\.g\. JsCore\.data\['key'\] == 'value', or test "
        r"JsCore\.data\.is_null\(\)$"
    )
    with pytest.raises(TypeError, match=message):
        JsCore.data == {"a": 1}  # noqa: B015
    with pytest.raises(TypeError, match=r"^JsCore\.data is a JSONColumn; in_\(\) on the whole document"):
        JsCore.data.in_([{"a": 1}])
    with pytest.raises(TypeError, match=r"^JsCore\.data is a JSONColumn; < on the whole document"):
        JsCore.data < [1]  # noqa: B015


def test_bad_path_steps_and_operands_are_type_errors():
    with pytest.raises(TypeError, match=r"^JsCore\.data\['a'\]\[1\.5\]: a JSON path step is a str \(an object key\) "
                                        r"or an int \(an array index\), not float$"):
        JsCore.data["a"][1.5]  # type: ignore[index]
    with pytest.raises(TypeError, match=r"^JsCore\.data\[-1\]: a JSON path takes array indexes from 0; negative "):
        JsCore.data[-1]
    with pytest.raises(TypeError, match=r"^JsCore\.data\['a'\] = \{'b': 1\}: a JSON path compares with a str, int, "
                                        r"float or bool, not dict"):
        JsCore.data["a"] == {"b": 1}  # noqa: B015
    with pytest.raises(TypeError, match=r"^JsCore\.data\['t'\] < True: true and false have no order; use == or !=$"):
        JsCore.data["t"] < True  # noqa: B015
    with pytest.raises(TypeError, match=r"^JsCore\.data\['n'\] = nan: JSON numbers are finite"):
        JsCore.data["n"] == math.nan  # noqa: B015
    with pytest.raises(TypeError, match=r"^JsCore\.data\['n'\]\.in_\(\[1, 'x'\]\) mixes JSON types \(number, str\); "
                                        r"give values of one type, or combine two in_\(\) with \|$"):
        JsCore.data["n"].in_([1, "x"])
    with pytest.raises(TypeError, match=r"^JsCore\.data\['n'\] > None is never true"):
        JsCore.data["n"] > None  # noqa: B015


def test_in_on_a_path_takes_a_list_of_values():
    with pytest.raises(TypeError, match=r"^JsCore\.data\['n'\]\.in_\(\) takes a list of str, int, float or bool "
                                        r"values, got 'abc'$"):
        JsCore.data["n"].in_("abc")
    with pytest.raises(TypeError, match=r"^JsCore\.data\['n'\]\.in_\(\) takes a list of str, int, float or bool "):
        JsCore.data["n"].in_(JsCore.where(JsCore.n == 1))
    with pytest.raises(TypeError, match=r"^JsCore\.data\['n'\]\.in_\(\) holds None, which matches nothing in SQL: "
                                        r"use JsCore\.data\['n'\] == None for a missing value or JSON null$"):
        JsCore.data["n"].in_([1, None])


def test_paths_and_their_readings_have_readable_reprs():
    assert repr(JsCore.data["a"][0] == 1) == "<Comparison js_core.data['a'][0] AS NUMBER = 1>"
    assert repr(JsCore.data["s"] != "x") == "<Comparison js_core.data['s'] AS STR != 'x'>"
    assert repr(JsCore.data["a"].is_null()) == "<IsNull js_core.data['a'] IS NULL>"
    assert repr(JsCore.data["a"]) == "<JSONPath js_core.data['a']>"


def test_pydantic_schemas_type_the_field_as_a_json_object_or_array():
    pytest.importorskip("pydantic")
    schema = JsCore.create_schema()
    body = schema.model_validate({"data": {"a": [1, 2.5, None]}, "items": [True]})
    assert (body.data, body.items) == ({"a": [1, 2.5, None]}, [True])
    body = schema.model_validate_json('{"data": [1, {"x": "y"}]}')
    assert (body.data, body.items) == ([1, {"x": "y"}], [])
    with pytest.raises(Exception, match=r"data"):
        schema.model_validate({"data": "text"})
    with pytest.raises(Exception, match=r"Value error, JsCore\.data is a JSONColumn and takes JSON values only: "
                                        r"value\['x'\] is nan, which JSON cannot hold"):
        schema.model_validate({"data": {"x": math.nan}})
    with pytest.raises(Exception, match=r"Value error, JsCore\.data is a JSONColumn and takes JSON values only: "
                                        r"value\[0\] is set"):
        JsCore.model_validate({"data": [{1}]})
    props = JsCore.model_json_schema()["properties"]
    assert props["items"]["anyOf"] == [{"type": "object"}, {"type": "array"}]
    assert props["data"]["anyOf"] == [{"type": "object"}, {"type": "array"}, {"type": "null"}]
