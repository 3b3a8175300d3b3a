"""Pydantic v2 integration: models as pydantic types, validation, request schemas.

Everything here speaks pydantic's protocol (``__get_pydantic_core_schema__``,
``__get_pydantic_json_schema__``, ``model_validate``, ``model_json_schema``,
``create_schema``, ``update_schema``) and imports pydantic when first called; without
it these raise ImportError naming ``pip install pydantic``. Importing kakaorm never
imports pydantic. Models reach these functions through
:mod:`kakaorm.orm.pydantic_bridge`, which this module fills in when imported (this
module reads models; the ORM does not import it). Dumping (``model_dump``,
``model_dump_json``) needs no pydantic and lives in :mod:`kakaorm.orm.dump`; its
names are re-exported here.

Column ``validators=`` run in pydantic validation too (request bodies,
``model_validate``, the request schemas): a field's failures become one pydantic error
of type ``kakaorm_validation`` whose ``msg`` holds the messages in the current locale
(see :mod:`kakaorm.i18n`) and whose ``ctx`` is ``{"rules": [...]}``.

JSON choices (the OpenAPI document shows them): datetimes are ISO 8601 strings
(``Z`` for UTC), dates and times ISO 8601, decimals strings (``"12.50"``: exact,
unlike a JSON number) with ``format: decimal``; input accepts a decimal as a string or
a number. Float NaN and infinities become ``null``, as pydantic does.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from kakaorm._pydantic_columns import (
    bytes_from_json,
    bytes_to_json,
    column_check,
    generated,
    json_document,
    managed,
    required,
    title,
    value_schema,
)
from kakaorm.orm.dump import FieldSet, dump, dump_json, json_value
from kakaorm.orm.model import Model
from kakaorm.orm.pydantic_bridge import install_pydantic_bridge
from kakaorm.types import ArrayType, EnumType

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic.annotated_handlers import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic_core import CoreSchema, SchemaValidator

    from kakaorm.orm.columns import Column

__all__ = [
    "FieldSet",
    "core_schema",
    "dump",
    "dump_json",
    "json_schema",
    "json_value",
    "model_json_schema",
    "request_schema",
    "validate",
]

_PIP = "pip install pydantic (or pip install 'kakaorm-core[pydantic]')"


# -- pydantic: loading it --------------------------------------------------------------


def _require(what: str) -> None:
    """Import pydantic v2 or raise ImportError saying what needs it and what to install."""
    try:
        import pydantic
    except ImportError:
        raise ImportError(
            f"{what} needs pydantic v2, which is not installed; install it with: {_PIP}"
        ) from None
    version = getattr(pydantic, "VERSION", None)
    if version is None:  # e.g. a directory named pydantic on sys.path, not the package
        where = ", ".join(getattr(pydantic, "__path__", [])) or getattr(pydantic, "__file__", "?")
        raise ImportError(
            f"{what} needs pydantic v2, but 'import pydantic' found {where}, which is not "
            f"pydantic; install it with: {_PIP}"
        )
    if not str(version).startswith("2."):
        raise ImportError(
            f"{what} needs pydantic v2, but pydantic {version} is installed; "
            f"upgrade it with: {_PIP.replace('install', 'install -U', 1)}"
        )


def _field_schema(column: Column[Any]) -> CoreSchema:
    from pydantic_core import core_schema as cs

    schema = value_schema(column)
    if column.validators:
        schema = cs.no_info_after_validator_function(column_check(column), schema)
    return schema


def _fields_schema(model: type[Model]) -> CoreSchema:
    from pydantic_core import core_schema as cs

    fields = {
        col.name: cs.typed_dict_field(_field_schema(col), required=required(col))
        for col in model._meta.column_list
    }
    return cs.typed_dict_schema(fields, extra_behavior="forbid", cls_name=model.__name__)


def _as_mapping(model: type[Model], value: Any) -> Any:
    """Turn a model instance or a pydantic model into ``{column: value}`` (attributes
    named like ``model``'s columns; others are ignored); anything else is returned as
    is, for pydantic to accept (a mapping) or reject."""
    from pydantic import BaseModel

    names = model._meta.names
    if isinstance(value, Model):
        src = value.__dict__
        return {n: src[n] for n in names if n in src and n in value._meta.columns}
    if isinstance(value, BaseModel):
        declared = type(value).model_fields
        return {n: getattr(value, n) for n in names if n in declared}
    return value


def _builder(model: type[Model]) -> Callable[[dict[str, Any]], Model]:
    def build(values: dict[str, Any]) -> Model:
        try:
            return model(**values)
        except TypeError as err:  # a value the column's own check refuses
            raise ValueError(str(err)) from None

    return build


def _validation_schema(model: type[Model], *, keep_instances: bool) -> CoreSchema:
    """Python input: a mapping, a model instance or a pydantic model. With
    ``keep_instances`` an instance of ``model`` is accepted as it is (a saved row
    returned by an endpoint keeps its identity); otherwise a new instance is built."""
    from pydantic_core import core_schema as cs

    build = cs.chain_schema([_fields_schema(model), cs.no_info_plain_validator_function(_builder(model))])

    def from_python(value: Any, handler: cs.ValidatorFunctionWrapHandler) -> Any:
        if keep_instances and isinstance(value, model):
            return value
        return handler(_as_mapping(model, value))

    return cs.no_info_wrap_validator_function(from_python, build)


def _check_concrete(model: type[Model], what: str) -> None:
    if model._meta.abstract:
        raise TypeError(
            f"{what}: {model.__name__} is abstract and has no columns of its own; "
            "use one of its concrete subclasses"
        )


def core_schema(model: type[Model], handler: GetCoreSchemaHandler | None = None) -> CoreSchema:
    """The pydantic core schema of ``model`` (what ``__get_pydantic_core_schema__`` returns).

    Validation takes a model instance as it is, or builds an unsaved instance from a
    mapping (JSON object), another model's instance or a pydantic model, checking each
    value against its column. Serialization gives ``model_dump()`` (``mode="json"`` in
    JSON mode), honouring the caller's include/exclude/exclude_none.
    """
    _require(f"using {model.__name__} as a pydantic type")
    _check_concrete(model, "pydantic schema")
    from pydantic_core import core_schema as cs

    def serialize(value: Any, info: cs.SerializationInfo) -> Any:
        if not isinstance(value, model):
            return value
        include: Any = info.include  # names, as pydantic hands them to a nested value
        exclude: Any = info.exclude
        return dump(
            value,
            mode="json" if info.mode_is_json() else "python",
            include=include,
            exclude=exclude,
            exclude_none=info.exclude_none,
            strict_names=False,
        )

    json_input = cs.chain_schema([_fields_schema(model), cs.no_info_plain_validator_function(_builder(model))])
    return cs.json_or_python_schema(
        json_schema=json_input,
        python_schema=_validation_schema(model, keep_instances=True),
        serialization=cs.plain_serializer_function_ser_schema(serialize, info_arg=True),
        ref=f"{model.__module__}.{model.__qualname__}:{id(model)}",
    )


# -- JSON schema ------------------------------------------------------------------------

_JSON_TYPES: dict[str, dict[str, Any]] = {
    "int": {"type": "integer"},
    "str": {"type": "string"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time"},
    "decimal": {"type": "string", "format": "decimal"},
    "bytes": {"type": "string", "format": "base64"},
    "uuid": {"type": "string", "format": "uuid"},
}


def _column_json_schema(column: Column[Any], mode: str) -> dict[str, Any]:
    sql_type = column.type
    base = dict(_JSON_TYPES.get(sql_type.kind, {}))
    if isinstance(sql_type, EnumType):
        base["enum"] = [m.value for m in sql_type.enum]
        base.pop("maxLength", None)
    elif isinstance(sql_type, ArrayType):
        base = {"type": "array", "items": dict(_JSON_TYPES.get(sql_type.item.kind, {}))}
    if sql_type.kind == "str" and sql_type.length is not None and not isinstance(sql_type, EnumType):
        base["maxLength"] = sql_type.length
    options = [base]
    if sql_type.kind == "json":
        options = [{"type": "object"}, {"type": "array"}]
    if sql_type.kind == "decimal" and mode == "validation":
        options = [{"type": "number"}, base]
    # a generated column is always filled in a stored row, so only a nullable one is null
    if column.nullable:
        options.append({"type": "null"})
    out: dict[str, Any] = {"title": title(column.name)}
    out.update(options[0] if len(options) == 1 else {"anyOf": options})
    if column.has_default and not callable(column.default):
        out["default"] = json_value(column.sql_type.normalize(column.default))
    elif column.nullable and not generated(column):
        out["default"] = None
    if generated(column):
        out["readOnly"] = True
    return out


def _model_json_schema(model: type[Model], mode: str) -> dict[str, Any]:
    columns = model._meta.column_list
    schema: dict[str, Any] = {"title": model.__name__, "type": "object"}
    doc = model.__dict__.get("__doc__")
    if doc:
        schema["description"] = inspect.cleandoc(doc)
    schema["properties"] = {col.name: _column_json_schema(col, mode) for col in columns}
    if mode == "serialization":
        schema["required"] = [col.name for col in columns]  # a dump has every column
    else:
        schema["required"] = [col.name for col in columns if required(col)]
        schema["additionalProperties"] = False
    if not schema["required"]:
        del schema["required"]
    return schema


def json_schema(model: type[Model], handler: GetJsonSchemaHandler) -> dict[str, Any]:
    """The JSON schema of ``model`` (what ``__get_pydantic_json_schema__`` returns).

    Named after the model; every column with its JSON type and format, nullable
    columns as ``anyOf [..., null]``, generated columns ``readOnly``. In
    serialization mode every column is required (a dump always has it); in
    validation mode only the columns without a default, and extra keys are refused.
    """
    return _model_json_schema(model, handler.mode)


def model_json_schema(model: type[Model], mode: str = "validation") -> dict[str, Any]:
    """The JSON schema document of ``model`` alone, as pydantic's TypeAdapter gives it."""
    _require(f"{model.__name__}.model_json_schema()")
    from pydantic import TypeAdapter

    if mode not in ("validation", "serialization"):
        raise ValueError(f"model_json_schema(mode={mode!r}): mode is 'validation' or 'serialization'")
    result: dict[str, Any] = TypeAdapter(model).json_schema(mode=mode)  # type: ignore[arg-type]
    return result


# -- model_validate -------------------------------------------------------------------

_validators: dict[type[Any], SchemaValidator] = {}


def validate(model: type[Model], obj: Any, *, strict: bool | None = None) -> Model:
    """A new, unsaved instance of ``model`` built from ``obj`` and checked by pydantic.

    Raises:
        pydantic.ValidationError: a value has the wrong type, a required column is
            missing or a mapping has a key that is not a column (each error names
            the field).
        ImportError: pydantic v2 is not installed.
    """
    validator = _validators.get(model)
    if validator is None:
        _require(f"{model.__name__}.model_validate()")
        _check_concrete(model, "model_validate()")
        from pydantic_core import SchemaValidator
        from pydantic_core import core_schema as cs

        schema = _validation_schema(model, keep_instances=False)
        validator = SchemaValidator(schema, cs.CoreConfig(title=model.__name__))
        _validators[model] = validator
    result: Model = validator.validate_python(obj, strict=strict)
    return result


# -- request schemas --------------------------------------------------------------------

_request_schemas: dict[tuple[type[Any], str], type[BaseModel]] = {}


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def request_schema(model: type[Model], kind: str) -> type[BaseModel]:
    """The pydantic model of a request body for creating (``kind="create"``) or
    updating (``kind="update"``) rows of ``model``; built once per model and kind.

    ``create``: every column except generated ones (auto-increment key, auto_now,
    auto_now_add) and a soft-delete mark; required when NOT NULL without a default,
    else defaulting like the column. ``update``: the same columns minus the primary
    key, all optional (default None; read them with ``model_dump(exclude_unset=True)``);
    a NOT NULL column still refuses an explicit null. Both refuse unknown fields.
    """
    key = (model, kind)
    cached = _request_schemas.get(key)
    if cached is not None:
        return cached
    _require(f"{model.__name__}.{kind}_schema()")
    _check_concrete(model, f"{kind}_schema()")
    from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, PlainSerializer, create_model

    fields: dict[str, Any] = {}
    for col in model._meta.column_list:
        if managed(model, col) or (kind == "update" and col.primary_key):
            continue
        sql_type = col.type
        constraints: dict[str, Any] = {}
        if sql_type.kind == "str" and sql_type.length is not None and not isinstance(sql_type, EnumType):
            constraints["max_length"] = sql_type.length
        if sql_type.kind == "decimal":
            constraints["max_digits"] = sql_type.precision
            constraints["decimal_places"] = sql_type.scale
        annotation: Any = sql_type.python_type
        if sql_type.kind == "json":  # an object or array holding only what JSON can (no NaN)
            annotation = Annotated[dict[str, Any] | list[Any], AfterValidator(json_document(col))]
        if isinstance(sql_type, ArrayType):
            annotation = list[sql_type.item.python_type]  # type: ignore[name-defined]
        if sql_type.kind == "bytes":  # base64 in JSON, as model_dump_json writes bytes
            annotation = Annotated[
                bytes,
                BeforeValidator(bytes_from_json),
                PlainSerializer(bytes_to_json, when_used="json"),
            ]
        if col.nullable:
            annotation = annotation | None
        if col.validators:
            annotation = Annotated[annotation, AfterValidator(column_check(col))]
        if kind == "update":
            extra = None if col.nullable else _drop_default
            field = Field(default=None, json_schema_extra=extra, **constraints)
        elif col.has_default:
            default = col.default
            if callable(default):
                field = Field(default_factory=default, **constraints)
            else:
                field = Field(default=col.sql_type.normalize(default), **constraints)
        elif col.nullable:
            field = Field(default=None, **constraints)
        else:
            field = Field(**constraints)
        fields[col.name] = (annotation, field)
    action = "creating" if kind == "create" else "updating"
    schema: type[BaseModel] = create_model(
        f"{model.__name__}{kind.title()}",
        __config__=ConfigDict(extra="forbid"),
        __doc__=f"Request body for {action} a {model.__name__} (derived from its columns).",
        __module__=model.__module__,
        **fields,
    )
    _request_schemas[key] = schema
    return schema


class _PydanticBridge:
    """The functions ``Model``'s pydantic methods reach through the ORM's bridge."""

    validate = staticmethod(validate)
    model_json_schema = staticmethod(model_json_schema)
    request_schema = staticmethod(request_schema)
    core_schema = staticmethod(core_schema)
    json_schema = staticmethod(json_schema)


# importing kakaorm imports this module, so every model has its pydantic methods
install_pydantic_bridge(_PydanticBridge())
