"""How pydantic sees one column: which columns a request body may leave out or must
not set, the pydantic-core schema of a column's values, and the validators that bring
a column's own checks (JSON documents, ``validators=``) into pydantic validation.

Part of the pydantic integration (:mod:`kakaorm._pydantic`); pydantic is imported only
when a schema is built.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kakaorm.orm import validation as _validation
from kakaorm.orm.columns import coerce_value
from kakaorm.types import ArrayType, EnumType, SQLType

if TYPE_CHECKING:
    from pydantic_core import CoreSchema
    from pydantic_core.core_schema import ValidationInfo

    from kakaorm.orm.columns import Column
    from kakaorm.orm.model import Model

__all__ = [
    "bytes_from_json",
    "bytes_to_json",
    "column_check",
    "generated",
    "json_document",
    "managed",
    "required",
    "title",
    "value_schema",
    "value_schema_of",
]


def generated(column: Column[Any]) -> bool:
    """True when the database or KakaORM fills the column (its value may be left out)."""
    return column.auto_increment or column.auto_now or column.auto_now_add


def managed(model: type[Model], column: Column[Any]) -> bool:
    """True for columns a request body must not set: generated ones, soft-delete marks."""
    return generated(column) or column.name in model._meta.deletion.managed_columns


def required(column: Column[Any]) -> bool:
    return not column.nullable and not column.has_default and not generated(column)


def title(name: str) -> str:
    return name.replace("_", " ").strip().title()


def value_schema(column: Column[Any]) -> CoreSchema:
    from pydantic_core import core_schema as cs

    schema = value_schema_of(column.type)  # a foreign key takes its target key's type
    if column.nullable or generated(column):
        schema = cs.nullable_schema(schema)
    return schema


def value_schema_of(sql_type: SQLType) -> CoreSchema:
    from pydantic_core import core_schema as cs

    kind = sql_type.kind
    schema: CoreSchema
    if isinstance(sql_type, EnumType):
        schema = cs.enum_schema(sql_type.enum, list(sql_type.enum), sub_type="int" if kind == "int" else "str")
    elif isinstance(sql_type, ArrayType):
        schema = cs.list_schema(value_schema_of(sql_type.item))
    elif kind == "int":
        schema = cs.int_schema()
    elif kind == "str":
        schema = cs.str_schema(max_length=sql_type.length)
    elif kind == "float":
        schema = cs.float_schema()
    elif kind == "bool":
        schema = cs.bool_schema()
    elif kind == "datetime":
        schema = cs.datetime_schema()
    elif kind == "date":
        schema = cs.date_schema()
    elif kind == "time":
        schema = cs.time_schema()
    elif kind == "bytes":  # JSON carries bytes as base64, as model_dump_json writes them
        schema = cs.json_or_python_schema(
            json_schema=cs.no_info_after_validator_function(_from_base64, cs.str_schema()),
            python_schema=cs.bytes_schema(),
        )
    elif kind == "uuid":
        schema = cs.uuid_schema()
    elif kind == "json":  # a JSON object or array; the model's own check refuses what JSON cannot hold
        schema = cs.union_schema([cs.dict_schema(cs.str_schema(), cs.any_schema()), cs.list_schema(cs.any_schema())])
    elif kind == "decimal":
        schema = cs.decimal_schema(max_digits=sql_type.precision, decimal_places=sql_type.scale)
    else:  # a column kind this module does not know: let the model's own check decide
        schema = cs.any_schema()
    return schema


def _from_base64(text: str) -> bytes:
    """The bytes a base64 JSON string holds (ValueError for anything else)."""
    return base64.b64decode(text, validate=True)


def bytes_from_json(value: Any, info: ValidationInfo) -> Any:
    """A request body's base64 text as bytes when validating JSON."""
    if info.mode == "json" and isinstance(value, str):
        return _from_base64(value)
    return value


def bytes_to_json(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def json_document(column: Column[Any]) -> Callable[[Any], Any]:
    """A pydantic after-validator refusing what a JSONColumn refuses (NaN, sets, ...)
    with the column's own message."""

    def check(value: Any) -> Any:
        try:
            return coerce_value(column, value)
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    return check


def column_check(column: Column[Any]) -> Callable[[Any], Any]:
    """A pydantic after-validator running the column's ``validators``; their failures
    become one pydantic error on the field (type ``kakaorm_validation``, the messages
    in the current locale, ``ctx = {"rules": [...]}``)."""
    from pydantic_core import PydanticCustomError

    def check(value: Any) -> Any:
        try:
            normalized = coerce_value(column, value)  # what save() would check
        except TypeError:
            return value  # the model's own type check reports it
        issues = _validation.column_issues(column, normalized)
        if issues:
            message, context = _validation.summary(issues)
            raise PydanticCustomError(_validation.ERROR_TYPE, message, context)
        return value

    return check
