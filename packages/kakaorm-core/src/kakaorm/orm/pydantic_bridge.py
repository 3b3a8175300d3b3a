"""The bridge from models to the pydantic integration, which sits above the ORM.

``Model.model_validate``, ``model_json_schema``, ``create_schema``, ``update_schema``
and the ``__get_pydantic_*__`` hooks call the functions of
:mod:`kakaorm._pydantic`; that module is in the top layer (it reads models), so the
ORM may not import it. Instead it installs itself here when it is imported, which
importing ``kakaorm`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic.annotated_handlers import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic_core import CoreSchema

    from kakaorm.orm.model import Model

__all__ = ["PydanticBridge", "install_pydantic_bridge", "pydantic_bridge"]


class PydanticBridge(Protocol):
    """What the ORM needs of the pydantic integration."""

    def validate(self, model: type[Model], obj: Any, *, strict: bool | None = None) -> Model:
        """A new unsaved instance of ``model`` built from ``obj`` by pydantic."""
        ...

    def model_json_schema(self, model: type[Model], mode: str = "validation") -> dict[str, Any]:
        """The JSON schema document of ``model``."""
        ...

    def request_schema(self, model: type[Model], kind: str) -> type[BaseModel]:
        """The pydantic model of a create or update request body."""
        ...

    def core_schema(self, model: type[Model], handler: GetCoreSchemaHandler | None = None) -> CoreSchema:
        """The pydantic core schema of ``model``."""
        ...

    def json_schema(self, model: type[Model], handler: GetJsonSchemaHandler) -> dict[str, Any]:
        """The JSON schema of ``model`` inside a larger schema."""
        ...


_installed: list[PydanticBridge] = []


def install_pydantic_bridge(bridge: PydanticBridge) -> None:
    """Make ``bridge`` serve the models' pydantic methods (kakaorm._pydantic calls this)."""
    _installed[:] = [bridge]


def pydantic_bridge() -> PydanticBridge:
    """The installed bridge; RuntimeError when ``kakaorm`` was never imported whole."""
    if not _installed:
        raise RuntimeError(
            "the pydantic integration is not installed: import kakaorm (which imports "
            "kakaorm._pydantic) before using a model's pydantic methods"
        )
    return _installed[0]
