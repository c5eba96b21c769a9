"""Conditions as values: a definition's JSON Logic rule, decoded and checked once (COND-1 to 3).

A :class:`Condition` holds one JSON Logic rule. It is immutable: the rule is kept as canonical
JSON text, and :attr:`Condition.rule` returns a fresh decoded copy. "No condition" (null,
``""``, ``[]``, ``{}``) is not a ``Condition`` at all: :func:`to_condition` returns ``None`` for
it, and a missing condition always holds (COND-1).

>>> to_condition('{"===": [{"var": "tier_handle"}, "gold"]}').rule
{'===': [{'var': 'tier_handle'}, 'gold']}
>>> to_condition("[]") is None
True
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from loyalty_core.errors import ConditionError, Problem

__all__ = ["Condition", "to_condition"]

JSON = Any
"""A JSON value as :func:`json.loads` returns it."""


@attrs.frozen
class Condition:
    """One JSON Logic rule, stored as canonical JSON text (keys sorted, no spaces)."""

    source: str
    """The canonical JSON text of the rule."""

    @property
    def rule(self) -> JSON:
        """The rule as JSON data (a fresh copy on every access)."""
        return json.loads(self.source)

    def __str__(self) -> str:
        """Return the canonical JSON text."""
        return self.source


def _is_empty(value: object) -> bool:
    # COND-1: null, "", [] and {} mean "no condition", decided before JSON Logic runs.
    return value is None or (isinstance(value, str | list | tuple | dict) and len(value) == 0)


def to_condition(value: object, *, path: str = "$") -> Condition | None:
    """Turn a definition's condition field into a :class:`Condition`, or ``None`` (COND-1 to 3).

    ``None``, ``""``, ``[]`` and ``{}`` mean no condition. Another string is decoded as JSON
    first (COND-2). What remains must be an operator object: a mapping with exactly one key
    (COND-3, COND-7); a non-empty list, a number, a boolean, a multi-key object, a string that
    is not JSON or a value that is not JSON raises :class:`ConditionError` at ``path``.
    """
    if isinstance(value, Condition):
        return value
    if _is_empty(value):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ConditionError(
                Problem(path, f"expected a JSON Logic rule as JSON text, got {value!r}")
            ) from None
        if _is_empty(value):
            return None
    if not (isinstance(value, dict) and len(value) == 1):
        raise ConditionError(
            Problem(path, f"expected a JSON Logic operator object with one key, got {value!r}")
        )
    try:
        source = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError):
        raise ConditionError(
            Problem(path, f"expected a rule made of JSON values, got {value!r}")
        ) from None
    return Condition(source=source)
