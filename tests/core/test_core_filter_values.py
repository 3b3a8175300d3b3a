"""Filter values are checked and converted by create()'s rule, without a database; the
text matchers build escaped patterns; both keep the compile cache's statement shapes."""

from __future__ import annotations

import datetime as dt
import importlib.util
from decimal import Decimal

import pytest

from kakaorm import (
    Case,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    Lag,
    Model,
    StrColumn,
    When,
    raw,
)
from kakaorm.compiler import SQLCompiler
from kakaorm.expr import Param
from kakaorm.expr.conditions import InList


class CfvTag(Model):
    name = StrColumn(primary_key=True)


class CfvItem(Model):
    n = IntColumn(nullable=False)
    body = StrColumn()
    ratio = FloatColumn()
    price = DecimalColumn(max_digits=6, decimal_places=2)
    at = DateTimeColumn()
    tag = ForeignKey(CfvTag)
    owner = ForeignKey("CfvOwner")


class CfvOwner(Model):
    code = StrColumn(primary_key=True)


UTC = dt.UTC


@pytest.mark.parametrize(
    "condition, value",
    [
        # a decimal is compared as written: never rounded to the column's 2 places
        (lambda: CfvItem.price >= Decimal("1.005"), Decimal("1.005")),
        (lambda: CfvItem.price == "1.5", Decimal("1.5")),
        (lambda: CfvItem.price < 3, Decimal(3)),
        (lambda: CfvItem.ratio == 2, 2.0),
        (lambda: CfvItem.at == dt.datetime(2024, 1, 1, 12), dt.datetime(2024, 1, 1, 12, tzinfo=UTC)),
        (lambda: CfvItem.at == dt.datetime(2024, 1, 1, 14, tzinfo=dt.timezone(dt.timedelta(hours=2))),
         dt.datetime(2024, 1, 1, 12, tzinfo=UTC)),
        (lambda: CfvItem.n == 7, 7),
    ],
)
def test_a_filter_value_is_converted_as_create_converts_it_without_rounding(condition, value):
    param = condition().right
    assert isinstance(param, Param)
    assert param.value == value and type(param.value) is type(value)
    if isinstance(value, Decimal):
        assert str(param.value) == str(value)


def test_the_checked_value_keeps_the_statement_shape_so_the_compiled_sql_is_reused():
    first, second = [], []
    assert (CfvItem.n > 1)._key(first) == (CfvItem.n > 2)._key(second)
    assert [p.value for p in first + second] == [1, 2]
    assert CfvItem.body.contains("a")._key([]) == CfvItem.body.contains("b%")._key([])
    assert CfvItem.body.like("a")._key([]) != CfvItem.body.like("a", escape="!")._key([])


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: CfvItem.tag == 3, "CfvItem.tag is a ForeignKey and takes a str, not int (3)"),
        (lambda: CfvItem.owner.in_([1]), "CfvItem.owner is a ForeignKey and takes a str, not int (1)"),
        (lambda: (CfvItem.n + 1) == "2", "<Arithmetic (cfv_item.n + 1)> is of type int and takes an int, not str ('2')"),
        (lambda: CfvItem.n.label("k") > "x", "<Label cfv_item.n AS k> is of type int and takes an int, not str ('x')"),
        (lambda: Case(When(CfvItem.n > 1, then="big"), default="small") == 1,
         "<Case CASE WHEN cfv_item.n > 1 THEN 'big' ELSE 'small' END> is of type str and takes a str, not int (1)"),
        (lambda: Lag(CfvItem.n, 1, default="none"), "CfvItem.n is a IntColumn and takes an int, not str ('none')"),
        (lambda: CfvItem.n.label("k").contains("1"),
         "contains() matches text, but <Label cfv_item.n AS k> is of type int: compare its values with ==, <, >, "
         "in_() or between()"),
    ],
)
def test_values_compared_with_a_foreign_key_or_a_typed_expression_follow_its_type(build, message):
    with pytest.raises(TypeError) as info:
        build()
    assert str(info.value) == message


def test_expressions_of_unknown_type_take_any_value():
    assert (raw("x") == "a").right.value == "a"
    assert (raw("x") == 1).right.value == 1
    assert raw("x").contains("a_").pattern.value == "%a\\_%"
    assert CfvItem.tag.like("a%").pattern.value == "a%"  # a foreign key to a text key holds text


def test_in_takes_any_iterable_once():
    condition = CfvItem.n.in_(i for i in (1, 2))
    assert [item.value for item in condition.items] == [1, 2]
    with pytest.raises(TypeError) as info:
        CfvItem.n.in_(v for v in (1, "2"))
    assert str(info.value) == "CfvItem.n is a IntColumn and takes an int, not str ('2')"


def test_escape_must_be_a_str():
    with pytest.raises(TypeError) as info:
        CfvItem.body.ilike("x", escape=1)  # type: ignore[arg-type]
    assert str(info.value) == "escape= takes a one-character str, e.g. escape='!'; got 1"


@pytest.mark.parametrize(
    "condition, sql, params",
    [
        (lambda: CfvItem.body.like("a%"), '"cfv_item"."body" LIKE ?', ["a%"]),
        (lambda: CfvItem.body.like("a!%", escape="!"), '"cfv_item"."body" LIKE ? ESCAPE ?', ["a!%", "!"]),
        (lambda: CfvItem.body.iendswith("_\\"), 'LOWER("cfv_item"."body") LIKE LOWER(?) ESCAPE ?', ["%\\_\\\\", "\\"]),
    ],
)
def test_the_portable_compiler_writes_an_escape_clause_only_for_an_escape_character(condition, sql, params):
    compiled = SQLCompiler().compile(CfvItem.where(condition())._build_select())
    assert compiled.sql.split(" WHERE ", 1)[1] == sql
    assert [p.value for p in compiled.params] == params


def test_the_repr_of_a_text_match_shows_the_escaped_pattern():
    assert repr(CfvItem.body.contains("50%")) == "<Like cfv_item.body LIKE '%50\\%%' ESCAPE '\\'>"
    assert repr(CfvItem.body.istartswith("a")) == "<Like cfv_item.body ILIKE 'a%' ESCAPE '\\'>"


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install mypy)")
def test_type_checkers_see_the_text_matchers_as_conditions(revealed_types):
    snippet = """
    from kakaorm import Model, StrColumn


    class Doc(Model):
        title = StrColumn(nullable=False)


    reveal_type(Doc.title.contains("a"))
    reveal_type(Doc.title.istartswith("a"))
    reveal_type(Doc.title.like("a!%", escape="!"))
    reveal_type(Doc.where(Doc.title.endswith("z")))
    """
    assert revealed_types(snippet) == [
        "kakaorm.expr.conditions.Condition",
        "kakaorm.expr.conditions.Condition",
        "kakaorm.expr.conditions.Condition",
        "kakaorm.orm.queryset.QuerySet[snippet.Doc]",
    ]


@pytest.mark.parametrize(
    ("column", "values", "one_param_type"),
    [
        ("n", [3, 1, 2], True),  # exact values: Params made directly, not checked again
        ("ratio", [1, 2.5], True),  # the int is converted on the way: checked one by one
        ("n", [1, "column"], False),  # an expression among the values
        ("n", [], False),
    ],
    ids=["exact", "converted", "expression", "empty"],
)
def test_in_list_of_exact_values_skips_the_item_check_with_the_same_outcome(column, values, one_param_type):
    col = getattr(CfvItem, column)
    fast = col.in_([CfvItem.n if v == "column" else v for v in values])
    checked = InList(fast.expr, list(fast.items), False)  # every item checked
    assert fast._param_type == checked._param_type
    assert (fast._param_type is not None) is one_param_type
    fast_params: list[Param] = []
    checked_params: list[Param] = []
    assert fast._key(fast_params) == checked._key(checked_params)
    assert [p.value for p in fast_params] == [p.value for p in checked_params]
