"""Conditions on array values: containment, overlap and membership.

Built by :class:`~kakaorm.ArrayColumn`'s methods; only dialects whose features say
``arrays=True`` run them (the engine refuses them elsewhere, before compiling).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from kakaorm.expr.conditions import Condition
from kakaorm.expr.elements import Expression, Param

__all__ = ["ARRAY_OPS", "ArrayCondition"]

#: what an :class:`ArrayCondition` tests
ARRAY_OPS = ("contains", "overlaps", "any")


class ArrayCondition(Condition):
    """``array @> operand`` (``contains``: every item of the operand list is in the
    array), ``array && operand`` (``overlaps``: some item is in both) or
    ``operand = ANY(array)`` (``any``: the operand value is an item of the array)."""

    __slots__ = ("array", "op", "operand")

    def __init__(self, array: Expression[Any], op: str, operand: Expression[Any] | Param) -> None:
        if op not in ARRAY_OPS:
            raise ValueError(f"an array condition is one of {', '.join(ARRAY_OPS)}, not {op!r}")
        self.array, self.op, self.operand = array, op, operand

    def _key(self, params: list[Param]) -> Hashable:
        return ("array", self.op, self.array._key(params), self.operand._key(params))

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.array, self.operand)
