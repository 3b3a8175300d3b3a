"""Validation as kakaorm 0.4 has it, without a server: column ``validators=``, the
built-in rules, ``Model.validate()``, ``ValidationError`` with every failing field, and
the messages in Japanese (the default) and English."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import kakaorm
import kakaorm.i18n
import kakaorm.validators
from kakaorm import (
    BoolColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    Model,
    ModelError,
    StrColumn,
    TimeColumn,
    ValidationError,
)
from kakaorm.fastapi import validation_error_detail
from kakaorm.i18n import SUPPORTED_LOCALES, get_locale, set_locale, translate_detail, use_locale
from kakaorm.validators import max_length, max_value, min_length, min_value, one_of, regex


@pytest.fixture(autouse=True)
def japanese_by_default() -> Iterator[None]:
    """Every test starts, and leaves the process, in the default locale."""
    set_locale("ja")
    yield
    set_locale("ja")


def even(value: Any) -> None:
    if value is not None and value % 2:
        raise ValidationError("must be even")


def no_spaces(value: Any) -> None:
    if value is not None and " " in value:
        raise ValueError("no spaces allowed")


class CvUser(Model):
    name = StrColumn(nullable=False, validators=[min_length(2), max_length(5), regex(r"^[a-z]+$")])
    age = IntColumn(validators=[min_value(0), max_value(150), even])
    status = StrColumn(validators=[one_of("draft", "published")])
    nick = StrColumn(validators=[no_spaces])
    notes = StrColumn()


def issue(field: str, rule: str, message: str, received: Any, **extra: Any) -> dict[str, Any]:
    return {"status": "validation_error", "field": field, "rule": rule, "message": message, "received": received, **extra}


# -- the rules, one by one ---------------------------------------------------------------

RULE_CASES = [
    # rule, a failing value, the rule's own detail keys, Japanese, English
    (min_length(3), "ab", {"expected_min": 3},
     "短すぎます。3 文字以上にしてください（入力は 2 文字）。",
     "Too short: at least 3 characters are required (got 2)."),
    (max_length(3), "abcd", {"expected_max": 3},
     "長すぎます。3 文字以内にしてください（入力は 4 文字）。",
     "Too long: at most 3 characters are allowed (got 4)."),
    (min_value(10), 9, {"expected_min": 10},
     "小さすぎます。10 以上にしてください（入力値: 9）。",
     "Too small: the value must be 10 or more (got 9)."),
    (max_value(Decimal("9.99")), Decimal("10.00"), {"expected_max": Decimal("9.99")},
     "大きすぎます。9.99 以下にしてください（入力値: 10.00）。",
     "Too large: the value must be 9.99 or less (got 10.00)."),
    (regex(r"^\d{3}-\d{4}$"), "1234567", {"pattern": r"^\d{3}-\d{4}$"},
     "形式が正しくありません。パターン「^\\d{3}-\\d{4}$」に合う値にしてください。",
     'Wrong format: the value must match the pattern "^\\d{3}-\\d{4}$".'),
    (one_of("draft", "published"), "gone", {"choices": ["draft", "published"]},
     "使用できない値です。'draft', 'published' のいずれかにしてください（入力値: 'gone'）。",
     "Not allowed: the value must be one of 'draft', 'published' (got 'gone')."),
]


@pytest.mark.parametrize("locale", ["ja", "en"])
@pytest.mark.parametrize(("rule", "bad", "keys", "ja", "en"), RULE_CASES, ids=lambda v: repr(v)[:20])
def test_a_failing_rule_raises_its_message_in_the_current_locale(rule, bad, keys, ja, en, locale):
    set_locale(locale)
    with pytest.raises(ValidationError) as info:
        rule(bad)
    expected = ja if locale == "ja" else en
    assert info.value.errors == {"__all__": [expected]}
    assert info.value.detail == [issue("__all__", rule.rule, expected, bad, **keys)]
    assert str(info.value) == f"validation failed: {expected}"
    assert info.value.instance is None


@pytest.mark.parametrize(
    ("rule", "good"),
    [
        (min_length(3), "abc"), (max_length(3), "abc"), (max_length(3), ""),
        (min_value(10), 10), (min_value(10), 10.5), (max_value(Decimal("9.99")), Decimal("9.99")),
        (min_value(dt.date(2024, 1, 1)), dt.date(2024, 1, 1)),
        (regex(r"^\d{3}-\d{4}$"), "123-4567"), (regex(r"\d"), "abc1def"), (regex(r"^1"), 123),
        (one_of("draft", "published"), "published"), (one_of(1, 2), 2),
    ],
    ids=repr,
)
def test_a_value_within_the_rule_passes_and_the_limit_itself_is_allowed(rule, good):
    assert rule(good) is None


@pytest.mark.parametrize("rule", [r[0] for r in RULE_CASES], ids=repr)
def test_every_rule_lets_none_pass(rule):
    assert rule(None) is None


def test_rules_show_what_they_check_in_their_repr():
    assert [repr(r) for r in (min_length(2), max_length(50), min_value(0), max_value(1.5))] == [
        "min_length(2)", "max_length(50)", "min_value(0)", "max_value(1.5)",
    ]
    assert repr(regex(r"^a$", message="only a")) == "regex('^a$', message='only a')"
    assert repr(one_of("x", 1)) == "one_of('x', 1)"


def test_regex_with_its_own_message_keeps_it_in_every_locale_and_says_so_in_detail():
    rule = regex(r"^[^@]+@[^@]+$", message="メールアドレスを入力してください")
    for locale in ("ja", "en"):
        with use_locale(locale), pytest.raises(ValidationError) as info:
            rule("nobody")
        assert info.value.detail == [
            issue("__all__", "regex", "メールアドレスを入力してください", "nobody",
                  pattern=r"^[^@]+@[^@]+$", custom_message=True)
        ]
    assert translate_detail(info.value.detail, "en")[0]["message"] == "メールアドレスを入力してください"


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: min_length("3"), TypeError, "min_length() takes a whole number of characters, got '3'"),
        (lambda: max_length(True), TypeError, "max_length() takes a whole number of characters, got True"),
        (lambda: min_length(-1), ValueError, "min_length() takes a number of characters >= 0, got -1"),
        (lambda: min_value(None), TypeError, "min_value() needs a limit to compare with, got None"),
        (lambda: one_of(), ValueError, "one_of() needs at least one allowed value, e.g. one_of('draft', 'published')"),
        (lambda: regex("a", message=3), TypeError, "regex(message=...) takes a str, got 3"),
    ],
)
def test_a_rule_built_with_a_wrong_argument_says_what_it_takes(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert str(info.value) == message


def test_a_bad_regular_expression_fails_when_the_rule_is_built():
    with pytest.raises(re.error):
        regex("(unclosed")


@pytest.mark.parametrize(
    ("rule", "value", "message"),
    [
        (min_length(2), 5, "the rule min_length(2) cannot check int value 5; use it on a column whose values it can compare"),
        (min_value(0), "7", "the rule min_value(0) cannot check str value '7'; use it on a column whose values it can compare"),
    ],
)
def test_a_rule_given_a_value_it_cannot_compare_is_a_type_error_naming_the_rule(rule, value, message):
    with pytest.raises(TypeError) as info:
        rule(value)
    assert str(info.value) == message


# -- ValidationError ---------------------------------------------------------------------


def test_validation_error_is_a_kakaorm_error_and_a_value_error():
    assert issubclass(ValidationError, kakaorm.KakaORMError)
    assert issubclass(ValidationError, ValueError)
    assert kakaorm.exc.ValidationError is ValidationError
    assert kakaorm.validators.ValidationError is ValidationError
    assert "ValidationError" in kakaorm.exc.__all__
    assert "├── ValidationError" in kakaorm.exc.__doc__


def test_validation_error_from_a_message_as_0_4_custom_validators_raise_it():
    err = ValidationError("must be even")
    assert err.errors == {"__all__": ["must be even"]}
    assert err.detail == [issue("__all__", "custom", "must be even", None)]
    assert str(err) == "validation failed: must be even"


def test_validation_error_from_a_dict_of_fields():
    err = ValidationError({"name": ["too short", "lowercase only"], "age": ["negative"]})
    assert err.errors == {"name": ["too short", "lowercase only"], "age": ["negative"]}
    assert err.detail == [
        issue("name", "custom", "too short", None),
        issue("name", "custom", "lowercase only", None),
        issue("age", "custom", "negative", None),
    ]
    assert str(err) == "validation failed: name: too short lowercase only; age: negative"


# -- Model.validate() --------------------------------------------------------------------


def test_validate_reports_every_failing_field_at_once_in_japanese_by_default():
    user = CvUser(name="X", age=-3, status="gone", nick="a b", notes="anything")
    with pytest.raises(ValidationError) as info:
        user.validate()
    err = info.value
    assert err.errors == {
        "name": ["短すぎます。2 文字以上にしてください（入力は 1 文字）。",
                 "形式が正しくありません。パターン「^[a-z]+$」に合う値にしてください。"],
        "age": ["小さすぎます。0 以上にしてください（入力値: -3）。", "must be even"],
        "status": ["使用できない値です。'draft', 'published' のいずれかにしてください（入力値: 'gone'）。"],
        "nick": ["no spaces allowed"],
    }
    assert err.detail == [
        issue("name", "min_length", err.errors["name"][0], "X", expected_min=2),
        issue("name", "regex", err.errors["name"][1], "X", pattern="^[a-z]+$"),
        issue("age", "min_value", err.errors["age"][0], -3, expected_min=0),
        issue("age", "custom", "must be even", -3),
        issue("status", "one_of", err.errors["status"][0], "gone", choices=["draft", "published"]),
        issue("nick", "custom", "no spaces allowed", "a b"),
    ]
    assert err.instance is user
    assert str(err).startswith("CvUser validation failed: name: 短すぎます。")


def test_validate_in_english_after_set_locale():
    set_locale("en")
    with pytest.raises(ValidationError) as info:
        CvUser(name="abcdefg", age=151).validate()
    assert info.value.errors == {
        "name": ["Too long: at most 5 characters are allowed (got 7)."],
        "age": ["Too large: the value must be 150 or less (got 151).", "must be even"],
    }
    assert str(info.value) == (
        "CvUser validation failed: name: Too long: at most 5 characters are allowed (got 7).; "
        "age: Too large: the value must be 150 or less (got 151). must be even"
    )


def test_validate_passes_for_good_values_and_for_nullable_columns_left_empty():
    assert CvUser(name="alice", age=30, status="draft", nick="al").validate() is None
    assert CvUser(name="bob").validate() is None


def test_custom_validators_are_called_with_none_as_in_0_4():
    seen: list[Any] = []

    class CvSeen(Model):
        note = StrColumn(validators=[seen.append])

    CvSeen().validate()
    assert seen == [None]


def test_a_custom_validator_raising_a_field_dict_reports_under_its_column():
    def two_problems(value: Any) -> None:
        raise ValidationError({"x": ["first"], "y": ["second"]})

    class CvTwo(Model):
        code = StrColumn(validators=[two_problems])

    with pytest.raises(ValidationError) as info:
        CvTwo(code="c").validate()
    assert info.value.errors == {"code": ["first", "second"]}
    assert info.value.detail == [issue("code", "custom", "first", "c"), issue("code", "custom", "second", "c")]


def test_an_exception_that_is_not_a_value_error_from_a_validator_is_not_hidden():
    def broken(value: Any) -> None:
        raise KeyError("bug in the validator")

    class CvBroken(Model):
        code = StrColumn(validators=[broken])

    with pytest.raises(KeyError):
        CvBroken(code="c").validate()


def test_validate_checks_values_as_a_write_would_convert_them():
    class CvPrice(Model):
        price = DecimalColumn(max_digits=6, decimal_places=2, validators=[min_value(0)])

    item = CvPrice(price=Decimal("1.00"))
    item.price = "-2.5"  # type: ignore[assignment]  # assigned without the column's conversion
    with pytest.raises(ValidationError) as info:
        item.validate()
    assert info.value.detail == [
        issue("price", "min_value", "小さすぎます。0 以上にしてください（入力値: -2.50）。", Decimal("-2.50"), expected_min=0)
    ]


# -- the validators= keyword ---------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda v: IntColumn(validators=v), lambda v: StrColumn(max_length=9, validators=v),
        lambda v: FloatColumn(validators=v), lambda v: BoolColumn(validators=v),
        lambda v: DateTimeColumn(validators=v), lambda v: DateColumn(validators=v),
        lambda v: TimeColumn(validators=v), lambda v: DecimalColumn(max_digits=5, decimal_places=1, validators=v),
        lambda v: ForeignKey("CvUser", validators=v),
    ],
    ids=["int", "str", "float", "bool", "datetime", "date", "time", "decimal", "foreign_key"],
)
def test_every_column_type_takes_validators_and_keeps_them_in_order(make):
    rules = [even, min_value(1)]
    column = make(rules)
    assert column.validators == (even, rules[1])
    assert make(None).validators == ()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (min_length(2), "validators= takes a list of validators, e.g. validators=[min_length(2)], got min_length(2)"),
        ("abc", "validators= takes a list of validators, e.g. validators=[min_length(2)], got 'abc'"),
        ([min_length(2), 5], "validators= holds 5, which is not callable; a validator is a callable taking "
                             "the value, such as min_length(2) or a function of your own"),
    ],
)
def test_validators_that_are_not_a_list_of_callables_are_a_model_error(given, message):
    with pytest.raises(ModelError) as info:
        StrColumn(validators=given)
    assert str(info.value) == message


def test_a_column_named_validate_is_refused_because_it_would_hide_the_method():
    with pytest.raises(ModelError) as info:
        class CvClash(Model):
            validate = StrColumn()
    assert str(info.value) == "CvClash.validate: 'validate' is the name of a Model method; rename the column"


# -- locales -------------------------------------------------------------------------------


def test_the_0_4_names_are_importable_from_the_0_4_paths_and_the_top_level():
    assert frozenset({"ja", "en"}) == SUPPORTED_LOCALES
    assert kakaorm.SUPPORTED_LOCALES is SUPPORTED_LOCALES
    assert kakaorm.translate_detail is translate_detail
    for name in ("min_length", "max_length", "min_value", "max_value", "regex", "one_of", "ValidationError"):
        assert getattr(kakaorm, name) is getattr(kakaorm.validators, name)


def test_the_default_locale_is_japanese_and_set_locale_changes_it_for_the_process():
    assert get_locale() == "ja"
    set_locale("en")
    assert get_locale() == "en"


@pytest.mark.parametrize("call", [set_locale, lambda loc: use_locale(loc).__enter__(), lambda loc: translate_detail([], loc)])
def test_an_unsupported_locale_is_a_value_error_naming_the_supported_ones(call):
    with pytest.raises(ValueError) as info:
        call("fr")
    assert str(info.value) == "Unsupported locale 'fr': validation messages exist for 'en' and 'ja'"
    assert get_locale() == "ja"


def test_use_locale_applies_to_its_block_and_task_only():
    async def in_task(locale: str | None, results: dict[str, str], key: str) -> None:
        if locale is None:
            await asyncio.sleep(0.01)  # runs while the other task is inside its block
            results[key] = get_locale()
            return
        with use_locale(locale):
            await asyncio.sleep(0.02)
            results[key] = get_locale()

    async def main() -> dict[str, str]:
        results: dict[str, str] = {}
        await asyncio.gather(in_task("en", results, "english"), in_task(None, results, "other"))
        return results

    assert asyncio.run(main()) == {"english": "en", "other": "ja"}
    with use_locale("en"):
        set_locale("ja")
        assert get_locale() == "en"  # the block wins over the process setting
    assert get_locale() == "ja"


def test_translate_detail_rewrites_built_in_messages_and_keeps_custom_ones():
    with pytest.raises(ValidationError) as info:
        CvUser(name="X", age=3).validate()
    detail = info.value.detail
    before = [dict(i) for i in detail]
    english = translate_detail(detail, locale="en")
    assert english == [
        issue("name", "min_length", "Too short: at least 2 characters are required (got 1).", "X", expected_min=2),
        issue("name", "regex", 'Wrong format: the value must match the pattern "^[a-z]+$".', "X", pattern="^[a-z]+$"),
        issue("age", "custom", "must be even", 3),
    ]
    assert detail == before  # the given list is not changed
    assert translate_detail(english) == before  # "ja" is the default target, as in 0.4


def test_translate_detail_keeps_the_message_of_a_hand_made_issue_missing_the_rules_keys():
    assert translate_detail([{"field": "x", "rule": "min_length", "message": "kept"}], "en") == [
        {"field": "x", "rule": "min_length", "message": "kept"}
    ]


# -- the FastAPI answer's shape (needs neither FastAPI nor pydantic) -----------------------


def test_validation_error_detail_gives_one_json_safe_entry_per_field():
    class CvWhen(Model):
        day = DateColumn(validators=[min_value(dt.date(2024, 1, 1))])
        price = DecimalColumn(max_digits=5, decimal_places=2, validators=[max_value(10), min_value(20)])

    with pytest.raises(ValidationError) as info:
        CvWhen(day=dt.date(2023, 5, 6), price=Decimal("15")).validate()
    set_locale("en")
    assert validation_error_detail(info.value) == [
        {"type": "kakaorm_validation", "loc": ["body", "day"],
         "msg": "小さすぎます。2024-01-01 以上にしてください（入力値: 2023-05-06）。",
         "input": "2023-05-06", "ctx": {"rules": ["min_value"]}},
        {"type": "kakaorm_validation", "loc": ["body", "price"],
         "msg": "大きすぎます。10 以下にしてください（入力値: 15.00）。 小さすぎます。20 以上にしてください（入力値: 15.00）。",
         "input": "15.00", "ctx": {"rules": ["max_value", "min_value"]}},
    ]
    assert validation_error_detail(ValidationError("whole form"), loc_prefix=()) == [
        {"type": "kakaorm_validation", "loc": [], "msg": "whole form", "input": None, "ctx": {"rules": ["custom"]}}
    ]


# -- without pydantic ------------------------------------------------------------------------


def test_validation_works_when_pydantic_cannot_be_imported():
    code = """
        import sys, json

        class NoPydantic:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("pydantic", "pydantic_core", "starlette", "fastapi"):
                    raise ModuleNotFoundError(name)
                return None

        sys.meta_path.insert(0, NoPydantic())
        import kakaorm.fastapi
        from kakaorm import IntColumn, Model, ValidationError, min_value

        class Plain(Model):
            n = IntColumn(validators=[min_value(1)])

        try:
            Plain(n=0).validate()
        except ValidationError as err:
            print(json.dumps([err.errors, kakaorm.fastapi.validation_error_detail(err)]))
    """
    core_src = Path(kakaorm.__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(core_src)
    proc = subprocess.run([sys.executable, "-S", "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    message = "小さすぎます。1 以上にしてください（入力値: 0）。"
    assert json.loads(proc.stdout) == [
        {"n": [message]},
        [{"type": "kakaorm_validation", "loc": ["body", "n"], "msg": message, "input": 0, "ctx": {"rules": ["min_value"]}}],
    ]
