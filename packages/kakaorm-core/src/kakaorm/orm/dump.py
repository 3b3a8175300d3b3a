"""Model instances as dicts and JSON (``model_dump``, ``model_dump_json``).

Standard library only: dumping works whether or not pydantic is installed.
"""

from __future__ import annotations

import base64
import datetime as _dt
import decimal as _decimal
import enum as _enum
import json
import math
import uuid as _uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from kakaorm.orm.model import Model

__all__ = ["FieldSet", "dump", "dump_json", "json_value"]

#: include/exclude as pydantic takes them: a set of names or a {name: True} mapping
FieldSet: TypeAlias = Iterable[str] | Mapping[str, Any] | None


def json_value(value: Any) -> Any:
    """``value`` as a JSON-safe Python value (str, int, float, bool, None): bytes as
    standard base64, a UUID in canonical form."""
    if isinstance(value, _enum.Enum):  # an EnumColumn's member: its value
        value = value.value
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, list):  # an ArrayColumn's list
        return [json_value(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, _dt.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, (_decimal.Decimal, _uuid.UUID)):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _names(model: type[Model], fields: FieldSet, argument: str, strict: bool) -> set[str] | None:
    if fields is None:
        return None
    if isinstance(fields, str):
        raise TypeError(f"{argument}= takes a set of column names, e.g. {{{fields!r}}}, not a str")
    if isinstance(fields, Mapping):
        chosen = {name for name, on in fields.items() if on is not False and on is not None}
    else:
        chosen = set(fields)
    if strict:
        unknown = sorted(n for n in chosen if n not in model._meta.columns)
        if unknown:
            raise ValueError(
                f"model_dump({argument}=...): {', '.join(map(repr, unknown))} "
                f"{'is not a column' if len(unknown) == 1 else 'are not columns'} of "
                f"{model.__name__}; its columns are: {', '.join(model._meta.names)}"
            )
    return chosen


def dump(
    instance: Model,
    *,
    mode: str = "python",
    include: FieldSet = None,
    exclude: FieldSet = None,
    exclude_none: bool = False,
    strict_names: bool = True,
) -> dict[str, Any]:
    """The instance's columns as a dict; ``mode="json"`` makes every value JSON-safe.

    Raises:
        ValueError: an unknown mode, or (with ``strict_names``) an unknown column in
            ``include``/``exclude``.
    """
    if mode not in ("python", "json"):
        raise ValueError(f"model_dump(mode={mode!r}): mode is 'python' or 'json'")
    model = type(instance)
    keep = _names(model, include, "include", strict_names)
    drop = _names(model, exclude, "exclude", strict_names) or set()
    as_json = mode == "json"
    d = instance.__dict__
    out: dict[str, Any] = {}
    for name in model._meta.names:
        if (keep is not None and name not in keep) or name in drop:
            continue
        value = d.get(name)
        if value is None and exclude_none:
            continue
        out[name] = json_value(value) if as_json else value
    return out


def dump_json(
    instance: Model,
    *,
    indent: int | None = None,
    include: FieldSet = None,
    exclude: FieldSet = None,
    exclude_none: bool = False,
) -> str:
    """The instance's columns as a JSON document (compact unless ``indent`` is given)."""
    data = dump(instance, mode="json", include=include, exclude=exclude, exclude_none=exclude_none)
    separators = (",", ":") if indent is None else None
    return json.dumps(data, indent=indent, separators=separators, ensure_ascii=False)

