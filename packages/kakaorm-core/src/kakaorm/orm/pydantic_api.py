"""The pydantic-compatible methods of every model (``model_dump``, ``model_validate``,
``create_schema`` ...).

Dumping is done here with the standard library (:mod:`kakaorm.orm.dump`); the rest
speaks pydantic's protocol through :mod:`kakaorm.orm.pydantic_bridge`, which the
pydantic integration above the ORM fills in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, cast

from kakaorm.orm.dump import FieldSet, dump, dump_json
from kakaorm.orm.pydantic_bridge import pydantic_bridge

if TYPE_CHECKING:
    from typing import Self

    from pydantic import BaseModel
    from pydantic.annotated_handlers import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic_core import CoreSchema

    from kakaorm.orm.model import Model

__all__ = ["PydanticModelAPI"]


def _model(cls: type[Any]) -> type[Model]:
    # the methods below are only ever bound to Model subclasses
    return cast("type[Model]", cls)


class PydanticModelAPI:
    """The pydantic-compatible API, a base class of :class:`~kakaorm.Model`."""

    __slots__ = ()

    def model_dump(
        self, *, mode: Literal["python", "json"] = "python", include: FieldSet = None,
        exclude: FieldSet = None, exclude_none: bool = False,
    ) -> dict[str, Any]:
        """The row as a dict; ``mode="json"`` gives JSON-safe values. Needs no pydantic."""
        instance = cast("Model", self)
        return dump(instance, mode=mode, include=include, exclude=exclude, exclude_none=exclude_none)

    def model_dump_json(
        self, *, indent: int | None = None, include: FieldSet = None,
        exclude: FieldSet = None, exclude_none: bool = False,
    ) -> str:
        """The row as a JSON string. Needs no pydantic."""
        instance = cast("Model", self)
        return dump_json(instance, indent=indent, include=include, exclude=exclude, exclude_none=exclude_none)

    @classmethod
    def model_validate(cls, obj: Any, *, strict: bool | None = None) -> Self:
        """A new unsaved instance from a dict, a model instance or a pydantic model,
        each value checked against its column and its ``validators`` (pydantic's
        ValidationError otherwise)."""
        return cast("Self", pydantic_bridge().validate(_model(cls), obj, strict=strict))

    @classmethod
    def model_json_schema(cls, mode: Literal["validation", "serialization"] = "validation") -> dict[str, Any]:
        """The model's JSON schema (``mode="serialization"`` for what a dump holds)."""
        return pydantic_bridge().model_json_schema(_model(cls), mode)

    @classmethod
    def create_schema(cls) -> type[BaseModel]:
        """A pydantic model of a request body creating a row (no generated columns)."""
        return pydantic_bridge().request_schema(_model(cls), "create")

    @classmethod
    def update_schema(cls) -> type[BaseModel]:
        """A pydantic model of a request body updating a row (every field optional)."""
        return pydantic_bridge().request_schema(_model(cls), "update")

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """Makes a model class usable as a pydantic field type or FastAPI response_model."""
        return pydantic_bridge().core_schema(_model(cls), handler)

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        """The model's JSON schema, named after the model (see kakaorm._pydantic)."""
        return pydantic_bridge().json_schema(_model(cls), handler)
