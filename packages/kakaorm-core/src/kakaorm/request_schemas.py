"""Request bodies that type checkers and FastAPI both understand.

``TodoCreate = Todo.create_schema()`` builds the pydantic model at run time, so a
type checker cannot use ``TodoCreate`` as an annotation (``body: TodoCreate``). Declare
it with a class statement instead::

    class TodoCreate(kakaorm.CreateSchema[Todo]):
        pass

    class TodoUpdate(kakaorm.UpdateSchema[Todo]):
        pass

At run time ``CreateSchema[Todo]`` *is* ``Todo.create_schema()`` (and ``UpdateSchema[Todo]``
``Todo.update_schema()``), so ``TodoCreate`` is a pydantic model with the generated
fields, their checks and ``extra="forbid"``; FastAPI reads it as it reads the generated
one. To a type checker it is a pydantic ``BaseModel``: ``body.model_dump()`` is typed.
The class body may add pydantic validators or a docstring; fields are the model's.
Importing this module needs no pydantic; subscribing does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

__all__ = ["CreateSchema", "UpdateSchema"]

M = TypeVar("M")

if TYPE_CHECKING:
    from pydantic import BaseModel

    class CreateSchema(BaseModel, Generic[M]):
        """The request body creating a row of ``M``; subclass ``CreateSchema[Model]``."""

    class UpdateSchema(BaseModel, Generic[M]):
        """The request body updating a row of ``M``; subclass ``UpdateSchema[Model]``."""

else:

    def _schema_of(base: str, model: Any, kind: str) -> Any:
        maker = getattr(model, f"{kind}_schema", None)
        if not isinstance(model, type) or maker is None:
            raise TypeError(f"{base}[...] takes a model class, e.g. {base}[Todo], got {model!r}")
        return maker()

    class CreateSchema(Generic[M]):
        """The request body creating a row of ``M``; subclass ``CreateSchema[Model]``."""

        def __class_getitem__(cls, model: Any) -> Any:
            return _schema_of("CreateSchema", model, "create")

        def __init_subclass__(cls, **kw: Any) -> None:
            raise TypeError(
                f"class {cls.__name__}(CreateSchema) needs the model: "
                f"class {cls.__name__}(CreateSchema[YourModel])"
            )

    class UpdateSchema(Generic[M]):
        """The request body updating a row of ``M``; subclass ``UpdateSchema[Model]``."""

        def __class_getitem__(cls, model: Any) -> Any:
            return _schema_of("UpdateSchema", model, "update")

        def __init_subclass__(cls, **kw: Any) -> None:
            raise TypeError(
                f"class {cls.__name__}(UpdateSchema) needs the model: "
                f"class {cls.__name__}(UpdateSchema[YourModel])"
            )
