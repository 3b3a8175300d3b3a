"""``Model.get()`` and ``Model.get_or_none()`` of one of the model's own columns
compared with a value (``User.get(User.id == 3)``, ``User.get_or_none(User.email ==
e)``): the query a web service runs most, run here without a QuerySet.

The first such call for a column, operator and value type runs as any query does:
a QuerySet is built, checked, compiled and cached by the engine. The compiled
statement is then cached a second time, under a short key of that column (its
serial number), operator and type, and later calls look it up there and bind
their value to it straight away. What they skip, counted with callgrind on SQLite
per ``get()``: building the QuerySet (about 10,500 instructions), computing its
cache key from its clauses (12,400) and looking that key up (2,900), of about
60,000 that the ORM spent besides the driver.

Every other ``get()`` (another condition, several conditions, a model with its own
``all()`` or with a deletion scope) takes the QuerySet path each time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kakaorm.engine.engine import get_engine
from kakaorm.expr import Comparison, Condition, Param
from kakaorm.orm.columns import Column
from kakaorm.orm.hydrate import hydrate_models
from kakaorm.orm.query_build import model_query_key, where_conditions
from kakaorm.orm.queryset import GET_SLICE, QuerySet, one_row
from kakaorm.types import INTEGER

if TYPE_CHECKING:
    from collections.abc import Hashable, Sequence

    from kakaorm.engine.engine import Engine
    from kakaorm.orm.model import Model

__all__ = ["get_one"]

#: the LIMIT of a get(): two rows, to see a second match (GET_SLICE)
_LIMIT = GET_SLICE.limit
_LIMIT_PARAM = Param(_LIMIT, INTEGER)
#: first item of the short cache keys
_SHORT = "single-get"


async def get_one(model: type[Model], conditions: Sequence[Condition], or_none: bool) -> Any:
    """``model.get(*conditions)`` (``or_none``: ``get_or_none``) for a model whose
    queries start from the standard ``all()``."""
    if len(conditions) == 1:
        cond = conditions[0]
        if type(cond) is Comparison:
            left, right = cond.left, cond.right
            if type(right) is Param and isinstance(left, Column) and left.model is model:
                engine = get_engine()
                short_key = (_SHORT, left._uid, cond.op, right.type)
                entry = engine._compiled(short_key)
                if entry is None:
                    return await _first_get(engine, model, cond, short_key, or_none)
                if entry.perm is None and entry.bind_procs is None:
                    values = [right.value, _LIMIT]  # in placeholder order, unconverted
                else:
                    values = entry.values([right, _LIMIT_PARAM])
                rows = await engine._fetch_compiled(entry, values, False)
                return one_row(model, hydrate_models(entry, model, rows), or_none)
    return await QuerySet._for(model, where_conditions(conditions))._one(or_none)


async def _first_get(
    engine: Engine, model: type[Model], cond: Comparison, short_key: Hashable, or_none: bool
) -> Any:
    """Run the get() as a QuerySet; then cache its compiled statement under
    ``short_key`` too, if the engine cached it."""
    qs = QuerySet._for(model, (cond,))
    qs._slice = GET_SLICE
    params: list[Param] = []
    key = model_query_key(qs, params)
    try:
        return await qs._one(or_none)
    finally:
        # a query of another shape (under a deletion scope) has no such key; the
        # parameters are in cache-key order: the value, then the LIMIT
        entry = None if key is None else engine._compiled(key)
        if entry is not None and len(params) == 2 and params[0] is cond.right:
            engine._remember(short_key, entry)
