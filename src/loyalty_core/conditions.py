"""Conditions as values: a definition's JSON Logic rule, decoded and compiled once (COND-1 to 3).

A :class:`Condition` holds one compiled JSON Logic rule. It is immutable: the rule is kept as
canonical JSON text (which is what equality and hashing use), and :attr:`Condition.rule`
returns a fresh decoded copy. "No condition" (null, ``""``, ``[]``, ``{}``) is not a
``Condition`` at all: :func:`to_condition` returns ``None`` for it, and a missing condition
always holds (COND-1).

>>> gold = to_condition('{"===": [{"var": "tier_handle"}, "gold"]}')
>>> gold.rule
{'===': [{'var': 'tier_handle'}, 'gold']}
>>> gold.holds({"tier_handle": "gold"}), gold.holds({"tier_handle": "silver"})
(True, False)
>>> gold.explain({"tier_handle": "silver"}).summary()
"tier_handle is 'silver'; needs === 'gold'"
>>> to_condition("[]") is None
True
"""

from __future__ import annotations

import functools
import json
from typing import Any

import attrs

from loyalty_core import jsonlogic
from loyalty_core.errors import ConditionError, Problem
from loyalty_core.limits import MAX_NESTING, is_too_deep_text, listing, show

__all__ = ["Condition", "to_condition"]

JSON = Any
"""A JSON value as :func:`json.loads` returns it."""


@attrs.frozen
class Condition:
    """One compiled JSON Logic rule, compared by its canonical JSON text (keys sorted)."""

    source: str
    """The canonical JSON text of the rule."""

    compiled: jsonlogic.CompiledRule = attrs.field(eq=False, hash=False, repr=False)
    """The rule compiled once (COND-3); call it with the data, or use :meth:`holds`."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # noqa: FBT001 - IPython's protocol
        """Print as the call that builds it, in IPython and in hypothesis's failure reports.

        Their pretty-printers would otherwise walk into the compiled closures, which have no
        readable form (and made hypothesis's printer fail).
        """
        del cycle
        printer.text("to_condition(")
        printer.pretty(self.rule)
        printer.text(")")

    @property
    def rule(self) -> JSON:
        """The rule as JSON data (a fresh copy on every access)."""
        return json.loads(self.source)

    def holds(self, data: object) -> bool:
        """Tell whether the rule's value on ``data`` is truthy (COND-4, COND-10)."""
        return jsonlogic.truthy(self.compiled.evaluate(data))

    def explain(self, data: object) -> jsonlogic.Explanation:
        """Explain the rule's value on ``data`` (COND-14)."""
        return self.compiled.explain(data)

    def clauses(self) -> tuple[Condition, ...]:
        """The clauses a reader sees: each operand of a top-level ``and``, else the rule itself.

        An ``and`` holds when every clause does, so "why not" is the list of clauses that
        fail (:meth:`why_not`). When an operand is a literal rather than an operator object,
        the rule is one clause. Clauses are compiled once per rule text (a bounded memo of
        immutable values).

        >>> rule = to_condition({"and": [{">": [{"var": "spend"}, 1000]},
        ...                              {"==": [{"var": "tier"}, "gold"]}]})
        >>> [clause.source for clause in rule.clauses()]
        ['{">":[{"var":"spend"},1000]}', '{"==":[{"var":"tier"},"gold"]}']
        """
        return _clauses(self)

    def why_not(self, data: object) -> str:
        """Say in one lowercase line why the rule fails on ``data``: every failing clause.

        Where :meth:`jsonlogic.Explanation.summary` follows JSON Logic's short-circuit and
        names the first failing operand of an ``and``, this names each failing clause
        (:meth:`clauses`), so a member failing two clauses is told about both.

        >>> rule = to_condition({"and": [{">": [{"var": "spend"}, 1000]},
        ...                              {"==": [{"var": "tier"}, "gold"]}]})
        >>> rule.why_not({"spend": 900, "tier": "silver"})
        "spend is 900; needs > 1000, and tier is 'silver'; needs == 'gold'"
        """
        clauses = _clauses(self)
        if len(clauses) == 1:
            return self.explain(data).summary()
        failing = [clause for clause in clauses if not clause.holds(data)]
        if not failing:  # the rule holds: say why, as summary() does
            return self.explain(data).summary()
        # At most ten failing clauses are named (and how many more fail); each summary is
        # bounded, and the line is too, whatever the clauses.
        summaries = (clause.explain(data).summary() for clause in failing)
        return listing(summaries, len(failing), ", and ", budget=_LONGEST_WHY_NOT)

    def __str__(self) -> str:
        """Return the canonical JSON text."""
        return self.source


_LONGEST_WHY_NOT = 1_000
"""After the first, a failing clause is named only while the line stays within this length."""


@functools.lru_cache(maxsize=1024)
def _clauses(condition: Condition) -> tuple[Condition, ...]:
    rule = condition.rule
    operands = rule.get("and") if isinstance(rule, dict) else None
    if not isinstance(operands, list) or len(operands) < 2:
        return (condition,)
    if not all(isinstance(operand, dict) and len(operand) == 1 for operand in operands):
        return (condition,)
    found = [to_condition(operand) for operand in operands]
    # A clause repeated in the `and` is one clause: named once, and listed once by why_not.
    return tuple(dict.fromkeys(clause for clause in found if clause is not None))


def _is_empty(value: object) -> bool:
    # COND-1: null, "", [] and {} mean "no condition", decided before JSON Logic runs.
    return value is None or (isinstance(value, str | list | tuple | dict) and len(value) == 0)


def to_condition(value: object, *, path: str = "$") -> Condition | None:
    """Turn a definition's condition field into a :class:`Condition`, or ``None`` (COND-1 to 3).

    ``None``, ``""``, ``[]`` and ``{}`` mean no condition. Another string is decoded as JSON
    first (COND-2). What remains must be an operator object, a mapping with one key, that
    compiles (COND-3, COND-7). Anything else raises :class:`ConditionError`, each problem at
    its JSON path under ``path``.
    """
    if isinstance(value, Condition):
        return value
    if _is_empty(value):
        return None
    if isinstance(value, str):
        if is_too_deep_text(value):
            # One depth limit for every JSON-ish value, checked before decoding (limits).
            msg = f"expected JSON text nested at most {MAX_NESTING} levels, got {show(value)}"
            raise ConditionError(Problem(path, msg))
        try:
            value = json.loads(value)
        except ValueError:
            msg = f"expected a JSON Logic rule as JSON text, got {show(value)}"
            raise ConditionError(Problem(path, msg)) from None
        if _is_empty(value):
            return None
    if not (isinstance(value, dict) and len(value) == 1):
        msg = f"expected a JSON Logic operator object with one key, got {show(value)}"
        raise ConditionError(Problem(path, msg))
    compiled = jsonlogic.compile(value, path=path)
    try:
        source = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError):  # pragma: no cover - compile rejects non-JSON first
        msg = f"expected a rule made of JSON values, got {show(value)}"
        raise ConditionError(Problem(path, msg)) from None
    return Condition(source, compiled)
