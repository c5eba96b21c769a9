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
import threading
from typing import Any, Final, NamedTuple

import attrs

from loyalty_core import jsonlogic
from loyalty_core.errors import ConditionError, InvalidRequest, Problem
from loyalty_core.limits import (
    MAX_NESTING,
    ShapeError,
    copy_json,
    is_too_deep_text,
    listing,
    show,
)

__all__ = [
    "CACHED_LENGTH",
    "DEFAULT_CACHE_SIZE",
    "CacheInfo",
    "Condition",
    "cache_info",
    "clear_cache",
    "set_cache_size",
    "to_condition",
]

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
        return jsonlogic.truthy(self.compiled(data))

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
    text = value if type(value) is str else None
    if text is not None:
        seen = _CACHE.get(text)  # this very text was decoded before
        if seen is not None:
            _count_hit()
            return seen
    rule = _decoded(value, path)
    if rule is None:
        return None
    rule, source = _canonical(rule, path)
    seen = _CACHE.get(source)
    if seen is not None:
        _count_hit()
        _remember(text, seen)
        return seen
    # Compiled from our own copy: the caller may change their rule afterwards.
    condition = Condition(source, jsonlogic.compile(rule, path=path))
    _remember(source, condition, miss=True)
    _remember(text, condition)
    return condition


def _decoded(value: object, path: str) -> dict[str, Any] | None:
    """The rule as an operator object (COND-2: text is decoded first), or None for no rule."""
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
    return value


def _canonical(rule: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    """A private copy of ``rule`` and its canonical JSON text (the cache's key).

    :func:`~loyalty_core.limits.copy_json` checks, without recursion, that every value is
    JSON, every key a string and the nesting bounded, so that the text names exactly one
    rule; otherwise compiling reports the problem at its path.
    """
    try:
        copy = copy_json(rule)
        return copy, json.dumps(
            copy,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )
    except (ShapeError, TypeError, ValueError):
        jsonlogic.compile(rule, path=path)  # raises ConditionError at the bad value's path
        msg = f"expected a rule made of JSON values, got {show(rule)}"
        raise ConditionError(Problem(path, msg)) from None


# --- the cache of compiled conditions ---------------------------------------------------------


class CacheInfo(NamedTuple):
    """What :func:`cache_info` reports: hits, misses, the size limit and the current size."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


DEFAULT_CACHE_SIZE: Final = 1024
"""How many texts (canonical or as given) the condition cache keeps unless told otherwise."""

CACHED_LENGTH: Final = 65_536
"""Rules whose text is longer than this (in characters) are compiled every time, not kept: the
cache holds at most about ``maxsize`` times this much text."""

_CACHE: Final[dict[str, Condition]] = {}
_LOCK: Final = threading.Lock()
_STATE: Final = {"maxsize": DEFAULT_CACHE_SIZE, "hits": 0, "misses": 0}


def _count_hit() -> None:
    with _LOCK:
        _STATE["hits"] += 1


def _remember(text: str | None, condition: Condition, *, miss: bool = False) -> None:
    with _LOCK:
        if miss:
            _STATE["misses"] += 1
        if text is None or len(text) > CACHED_LENGTH:
            return
        maxsize = _STATE["maxsize"]
        if maxsize <= 0 or text in _CACHE:
            return
        while len(_CACHE) >= maxsize:
            del _CACHE[next(iter(_CACHE))]  # the oldest entry first
        _CACHE[text] = condition


def cache_info() -> CacheInfo:
    """Report the condition cache: hits, misses, its size limit and how many texts it holds.

    :func:`to_condition` (and so every constructor and ``from_api`` that reads a condition)
    keeps each compiled :class:`Condition` under its canonical JSON text, and under the text
    it was given when that was a string, so a rule seen before is not compiled again. Entries
    are immutable values shared by every caller; the oldest is dropped first when the cache is
    full. The cache is safe to use from several threads.

    >>> clear_cache()
    >>> first = to_condition({"==": [{"var": "tier"}, "gold"]})
    >>> to_condition({"==": [{"var": "tier"}, "gold"]}) is first
    True
    >>> cache_info()
    CacheInfo(hits=1, misses=1, maxsize=1024, currsize=1)
    """
    with _LOCK:
        return CacheInfo(_STATE["hits"], _STATE["misses"], _STATE["maxsize"], len(_CACHE))


def set_cache_size(maxsize: int) -> None:
    """Keep at most ``maxsize`` texts in the condition cache (0 turns it off; default 1024).

    Shrinking drops the oldest entries. A negative size or a non-integer raises
    :class:`~loyalty_core.InvalidRequest`.
    """
    if type(maxsize) is not int or maxsize < 0:
        msg = f"expected an integer >= 0, got {show(maxsize)}"
        raise InvalidRequest(Problem("maxsize", msg))
    with _LOCK:
        _STATE["maxsize"] = maxsize
        while len(_CACHE) > maxsize:
            del _CACHE[next(iter(_CACHE))]


def clear_cache() -> None:
    """Empty the condition cache and reset its counters."""
    with _LOCK:
        _CACHE.clear()
        _STATE["hits"] = _STATE["misses"] = 0
