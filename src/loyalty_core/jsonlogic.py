"""JSON Logic: the condition language, compiled, exact and explainable (COND-7 to COND-14).

:func:`compile` turns a rule into a :class:`CompiledRule`, a callable ``data -> value`` built
from nested closures (no ``eval``/``exec``), specialised at compile time: a ``var`` with a
constant path becomes a direct reader, a comparison with a literal operand compares without
re-evaluating it. For every rule that compiles, the value is exactly what json-logic-js
computes (Q38), and evaluation never raises for JSON data (COND-9).

A malformed rule raises :class:`~loyalty_core.errors.ConditionError` at compile time (COND-7):
an unknown operator anywhere, an argument count outside the COND arity table, nesting deeper
than :data:`MAX_DEPTH`, or a value that is not JSON. Each problem names the JSON path of the bad
node, rooted at the ``path`` argument (``"$"`` by default): an object key is written ``.key``
when it is an identifier and ``["key"]`` (JSON-quoted) otherwise, an array index ``[i]``. An
operator that takes a single non-array operand has no index: ``$.and[1]``, ``$["=="][0]``,
``$["!"]``.

>>> rule = {"and": [{">": [{"var": "aggregations.spend_12m"}, 1000]},
...                 {"===": [{"var": "tier_handle"}, "tier-2"]}]}
>>> compile(rule)({"tier_handle": "tier-1", "aggregations": {"spend_12m": 1250.5}})
False
>>> explain(rule, {"tier_handle": "tier-1", "aggregations": {"spend_12m": 1250.5}}).summary()
"tier_handle is 'tier-1'; needs === 'tier-2'"

Deliberate choices where json-logic-js throws or reads more than JSON: an object read from the
data is never run as logic (``missing`` reads it as the key ``"[object Object]"``), object keys
such as ``toString`` never change how an object converts, ``missing_some`` with a key list that
has no length returns the missing keys, and ``log`` writes nothing.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from types import FunctionType, MappingProxyType
from typing import Any, Final, Protocol, TypeAlias, runtime_checkable

import attrs

from loyalty_core import _display
from loyalty_core import _js as js
from loyalty_core._jsonlogic_compile import (
    LITERAL,
    OPERATOR,
    Node,
    compile_node,
    entry_point,
    is_var,
    var_argument,
)
from loyalty_core._jsonlogic_compile import MAX_DEPTH as _MAX_DEPTH
from loyalty_core._jsonlogic_ops import BUILTINS_BY_NAME, CONTROL, ITERATING, Operation
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import listing, shorten, show

__all__ = [
    "DEFAULT_OPERATIONS",
    "MAX_DEPTH",
    "CompiledRule",
    "Explanation",
    "JSONValue",
    "Operation",
    "Operations",
    "apply",
    "compile",
    "explain",
    "truthy",
    "unknown_variables",
]

JSONValue: TypeAlias = (
    "bool | int | float | Decimal | str | list[JSONValue] | tuple[JSONValue, ...]"
    " | Mapping[str, JSONValue] | None"
)
"""A JSON value as the functions of this module take and return it."""

MAX_DEPTH: Final = _MAX_DEPTH
"""The deepest nesting :func:`compile` accepts (COND-7)."""

_PROXY: Final = MappingProxyType


def truthy(value: object) -> bool:
    """Tell whether a value is truthy in JSON Logic (COND-10).

    ``false``, ``null``, ``0``, ``-0``, NaN, ``""`` and ``[]`` are falsy; everything else,
    including ``"0"``, ``[0]`` and ``{}``, is truthy.

    >>> [truthy(v) for v in (0, "", [], "0", [0], {})]
    [False, False, False, True, True, True]
    """
    return js.truthy(value)


# -- the operator table --------------------------------------------------------------------


def _read_only(table: Mapping[str, Operation]) -> Mapping[str, Operation]:
    return _PROXY(dict(table))


@attrs.frozen
class Operations:
    """An immutable operator table; :data:`DEFAULT_OPERATIONS` is the COND table.

    :meth:`with_operation` returns a new table with one more (or one replaced) function
    operator; the control operators (``if``, ``?:``, ``and``, ``or``, ``map``, ``filter``,
    ``reduce``, ``all``, ``some``, ``none``) are always present and cannot be replaced.

    >>> table = DEFAULT_OPERATIONS.with_operation("double", lambda x: 2 * x, min_args=1,
    ...                                           max_args=1)
    >>> compile({"double": {"var": "n"}}, operations=table)({"n": 21})
    42
    >>> "double" in DEFAULT_OPERATIONS
    False
    """

    _functions: Mapping[str, Operation] = attrs.field(converter=_read_only)

    def __contains__(self, name: object) -> bool:
        """Tell whether ``name`` is an operator of this table."""
        return name in CONTROL or name in self._functions

    def get(self, name: str) -> Operation | None:
        """Return the function operator called ``name``, or ``None``."""
        return self._functions.get(name)

    def names(self) -> tuple[str, ...]:
        """Return every operator name, sorted."""
        return tuple(sorted({*CONTROL, *self._functions}))

    def with_operation(
        self,
        name: str,
        fn: Callable[..., object],
        *,
        min_args: int = 0,
        max_args: int | None = None,
        uses_data: bool = False,
    ) -> Operations:
        """Return a new table where ``name`` calls ``fn`` on the evaluated arguments.

        ``fn`` gets the data first when ``uses_data`` is true. Exceptions it raises propagate
        out of evaluation. Replacing a built-in function operator (``var``, ``+``, ...) is
        allowed, and turns off the compile-time specialisations of that operator.
        """
        problems = []
        if not isinstance(name, str) or not name:
            problems.append(Problem("name", f"expected a non-empty string, got {show(name)}"))
        elif name in CONTROL:
            problems.append(Problem("name", f"operator {show(name)} is built in and cannot change"))
        if not callable(fn):
            problems.append(Problem("fn", f"expected a callable, got {show(fn)}"))
        if not isinstance(min_args, int) or min_args < 0:
            problems.append(Problem("min_args", f"expected an integer >= 0, got {show(min_args)}"))
        elif max_args is not None and (not isinstance(max_args, int) or max_args < min_args):
            problems.append(
                Problem(
                    "max_args", f"expected None or an integer >= min_args, got {show(max_args)}"
                )
            )
        if problems:
            raise InvalidRequest(problems)
        operation = Operation(name, fn, min_args, max_args, uses_data=uses_data)
        return Operations({**self._functions, name: operation})

    def without_operation(self, name: str) -> Operations:
        """Return a new table without the function operator ``name``."""
        if name in CONTROL:
            raise InvalidRequest(
                Problem("name", f"operator {show(name)} is built in and cannot change")
            )
        return Operations({k: v for k, v in self._functions.items() if k != name})


DEFAULT_OPERATIONS: Final = Operations(BUILTINS_BY_NAME)
"""The operators of the COND rules, with their arity."""


# -- the public entry points -----------------------------------------------------------------


def _compile_node(rule: object, path: str, operations: Operations | None) -> Node:
    return compile_node(rule, path, DEFAULT_OPERATIONS if operations is None else operations)


class _Evaluate(Protocol):
    def __call__(self, data: object = None) -> JSONValue:
        """Evaluate the rule on ``data``."""


@runtime_checkable
class CompiledRule(Protocol):
    """A compiled JSON Logic rule: call it with the data to get the rule's value.

    :func:`compile` returns the compiled function itself, carrying these attributes, so that a
    call costs the rule and nothing more: no wrapper frame. It is compared and hashed by
    identity. Evaluation never raises for JSON data (COND-9); :attr:`rule` is the source rule.

    >>> is_gold = compile({"===": [{"var": "tier_handle"}, "gold"]})
    >>> is_gold({"tier_handle": "gold"}), is_gold({})
    (True, False)
    >>> isinstance(is_gold, CompiledRule), is_gold.rule
    (True, {'===': [{'var': 'tier_handle'}, 'gold']})
    """

    rule: object
    """The source rule, as given to :func:`compile`."""

    evaluate: _Evaluate
    """The same compiled function (``data`` defaults to None), kept for code written when the
    call went through a wrapper."""

    def __call__(self, data: object = None) -> JSONValue:
        """Evaluate the rule on ``data``."""
        ...

    def explain(self, data: object = None) -> Explanation:
        """Explain the value on ``data`` (COND-14); see :func:`explain`."""
        ...

    def variables(self) -> tuple[str, ...]:
        """Return the literal paths the rule reads from the data (COND-13), in order."""
        ...


def _compiled_rule(rule: object, node: Node) -> CompiledRule:
    """Give the compiled function of ``node`` the attributes of a :class:`CompiledRule`."""
    fn = entry_point(node.fn)  # a fresh function object of its own: attributes are safe
    # ``evaluate``: a twin sharing the code and closure (no wrapper), without the cycle that
    # pointing the function at itself would make.
    twin = FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)

    def explain(data: object = None) -> Explanation:
        return _explain(node, data)

    def variables() -> tuple[str, ...]:
        return tuple(path for path, _ in node.reads)

    attributes: dict[str, Any] = {
        "rule": rule,
        "evaluate": twin,
        "explain": explain,
        "variables": variables,
    }
    # What repr(), IPython and hypothesis's reports show: the call that builds the rule.
    attributes["__name__"] = attributes["__qualname__"] = f"compile({show(rule)})"
    for name, value in attributes.items():
        setattr(fn, name, value)
    return fn  # type: ignore[return-value]


def compile(  # noqa: A001 - the name is fixed by the public API
    rule: object, *, path: str = "$", operations: Operations | None = None
) -> CompiledRule:
    """Compile a JSON Logic rule into a :class:`CompiledRule` (COND-7, COND-8).

    Raises :class:`~loyalty_core.errors.ConditionError` listing every problem, each at its JSON
    path under ``path``: an unknown operator anywhere, an argument count outside the COND arity
    table, nesting deeper than :data:`MAX_DEPTH`, or a value that is not JSON. A string rule is
    a literal: decoding condition text (COND-2) is the caller's job.

    >>> compile({">": [{"var": "aggregations.spend_12m"}, 1000]})({"aggregations": {}})
    False
    >>> compile({"and": [True, {"foo": 1}]})
    Traceback (most recent call last):
    ...
    loyalty_core.errors.ConditionError: $.and[1]: unknown operator 'foo'
    """
    return _compiled_rule(rule, _compile_node(rule, path, operations))


def apply(rule: object, data: object = None, *, operations: Operations | None = None) -> JSONValue:
    """Evaluate ``rule`` on ``data``: ``compile(rule)(data)`` (Q38).

    >>> apply({"if": [{"<": [{"var": "n"}, 10]}, "small", "large"]}, {"n": 3})
    'small'
    >>> apply({"cat": [1.0, " ", None, True]})
    '1 true'
    """
    # The compiled function alone: a rule used once needs none of CompiledRule's attributes.
    return _compile_node(rule, "$", operations).fn(data)  # type: ignore[return-value]


def unknown_variables(
    rule: object, known: Iterable[str], *, operations: Operations | None = None
) -> tuple[str, ...]:
    """Return the literal paths ``rule`` reads that ``known`` does not cover (COND-13).

    A known path covers itself and every path that extends it by whole segments. Paths are in
    order of first appearance; the whole-data path, computed paths and the paths read by the
    element logic of ``map``, ``filter``, ``reduce``, ``all``, ``some`` and ``none`` are not
    reported. A malformed rule raises :class:`~loyalty_core.errors.ConditionError`.

    >>> unknown_variables({"and": [{"var": "aggregations.spend_12m"}, {"var": "tierr"}]},
    ...                   {"aggregations", "tier_handle"})
    ('tierr',)
    """
    if isinstance(known, str):
        raise InvalidRequest(Problem("known", f"expected a collection of paths, got {show(known)}"))
    covered = frozenset(known)
    node = _compile_node(rule, "$", operations)
    # A known path covers a read path that equals it or extends it by whole segments: only the
    # read path's prefixes ending at a segment boundary *and* as long as some known path can
    # match, so a path of 25,000 segments is not sliced 25,000 times.
    lengths = frozenset(len(path) for path in covered)
    unknown = []
    for path, _ in node.reads:
        ends = (n for n in lengths if n == len(path) or (n < len(path) and path[n] == "."))
        if not any(path[:n] in covered for n in ends):
            unknown.append(path)
    return tuple(unknown)


# -- explanations --------------------------------------------------------------------------


@attrs.frozen
class Explanation:
    """Why a rule has its value on some data (COND-14).

    ``value`` is what :func:`apply` returns and ``holds`` its truthiness. ``deciding`` pairs
    each operand that is logic and decided the outcome with its own explanation: for
    ``and``/``or`` the operand that short-circuited (or all of them), for ``if``/``?:`` the
    conditions tested and the branch taken, for every other operator all its operands (for
    the iterating operators, the array and the initial value: their element logic runs once
    per element and is not explained). ``reads`` maps each literal variable path of the rule
    (COND-13) to the value found in the data, ``None`` when absent. ``rule`` is the explained
    rule; it takes no part in equality.
    """

    value: JSONValue
    holds: bool
    deciding: tuple[tuple[JSONValue, Explanation], ...]
    reads: Mapping[str, JSONValue]
    rule: JSONValue = attrs.field(default=None, kw_only=True, eq=False, repr=False)

    def summary(self) -> str:
        """Say in one lowercase line why the rule holds or fails.

        This is the text behind a claim's ``condition_not_met`` reason.

        >>> explain({">": [{"var": "aggregations.spend_12m"}, 1000]},
        ...         {"aggregations": {"spend_12m": 900}}).summary()
        'aggregations.spend_12m is 900; needs > 1000'
        """
        return _summarise(self)

    def describe(self) -> str:
        """Render the explanation as an indented tree, one rule per line.

        >>> print(explain({"or": [{"var": "vip"}, {"in": ["vip", {"var": "tags"}]}]},
        ...               {"tags": ["new"]}).describe())
        {"or": [{"var": "vip"}, {"in": ["vip", {"var": "tags"}]}]} -> false
          {"var": "vip"} -> null
          {"in": ["vip", {"var": "tags"}]} -> false
            {"var": "tags"} -> ["new"]

        A line lists the variables it reads that no line below it shows.
        """
        lines: list[str] = []
        stack: list[tuple[Explanation, int]] = [(self, 0)]
        while stack:
            current, indent = stack.pop()
            line = f"{'  ' * indent}{_render(current.rule)} -> {_render(current.value)}"
            shown = {path for _, sub in current.deciding for path in sub.reads}
            if is_var(current.rule):
                shown.update(current.reads)
            unshown = {k: v for k, v in current.reads.items() if k not in shown}
            if unshown:
                line += f"  ({_observed(unshown)})"
            lines.append(line)
            stack.extend((sub, indent + 1) for _, sub in reversed(current.deciding))
        return "\n".join(lines)

    def __str__(self) -> str:
        """Render as :meth:`describe` does."""
        return self.describe()

    def __repr__(self) -> str:
        """Show the value, whether it holds, how many clauses decided, and the reads, shortened.

        The deciding clauses are counted, not shown (:meth:`describe` shows the tree), so a
        repr stays short and never recurses.

        >>> explain({"var": "tier_handle"}, {"tier_handle": "gold"})
        Explanation(value='gold', holds=True, deciding=<0 clauses>, reads={'tier_handle': 'gold'})
        """
        count = len(self.deciding)
        return (
            f"Explanation(value={_display.compact(self.value, 80)}, holds={self.holds}, "
            f"deciding=<{count} clause{'' if count == 1 else 's'}>, "
            f"reads={_display.compact(self.reads, 160)})"
        )

    def _repr_html_(self) -> str:
        """Return an HTML table of the explained tree for notebooks (COND-14).

        One row per explained clause, in :meth:`describe`'s order (depth first), its rule as
        compact JSON indented by its depth, its value, and a mark saying whether it holds
        (``✓ true``) or fails (``✗ false``). The walk uses an explicit stack; it shows at most
        100 rows and 64 levels, and every text is shortened and escaped.

        >>> html = explain({"!": {"var": "vip"}}, {"vip": True})._repr_html_()
        >>> html.count("<tr>") - 1, "\u2717 false" in html, "&quot;vip&quot;" in html
        (2, True, True)
        """
        return _display.html_table(
            f"Explanation: {'holds' if self.holds else 'fails'}",
            ("rule", "value", "holds"),
            self._rows(),
        )

    def _rows(self) -> Iterator[tuple[str, str, str]]:
        """Yield one ``(rule, value, mark)`` row per explained clause, depth first."""
        stack: list[tuple[Explanation, int]] = [(self, 0)]
        while stack:
            current, depth = stack.pop()
            yield (
                _display.indent(depth) + _display.compact(current.rule, style="json"),
                _display.compact(current.value, style="json"),
                _display.mark(current.holds),
            )
            deciding = current.deciding
            if not deciding:
                continue
            if depth + 1 >= _display.MAX_DEPTH:
                hidden = f"... {len(deciding)} deeper clause(s) not shown"
                yield (_display.indent(depth + 1) + hidden, "", "")
                continue
            # Only as many children as a table can show are queued: wide nodes stay cheap.
            shown = deciding[: _display.MAX_ROWS]
            stack.extend((sub, depth + 1) for _, sub in reversed(shown))


def explain(
    rule: object, data: object = None, *, operations: Operations | None = None
) -> Explanation:
    """Explain the value of ``rule`` on ``data`` (COND-14).

    Raises the same :class:`~loyalty_core.errors.ConditionError` as :func:`apply` for a
    malformed rule. :meth:`Explanation.summary` gives the one-line reason.

    >>> why = explain({"and": [{">": [{"var": "aggregations.spend_12m"}, 1000]},
    ...                        {"===": [{"var": "tier_handle"}, "tier-2"]}]},
    ...               {"tier_handle": "tier-1", "aggregations": {"spend_12m": 1250.5}})
    >>> why.value, why.holds, [sub for sub, _ in why.deciding]
    (False, False, [{'===': [{'var': 'tier_handle'}, 'tier-2']}])
    >>> dict(why.reads)
    {'aggregations.spend_12m': 1250.5, 'tier_handle': 'tier-1'}
    """
    return _explain(_compile_node(rule, "$", operations), data)


def _deciding_indexes(node: Node, data: object) -> list[int]:
    """Give the operands that decided the value (COND-14), in operand order."""
    args, name = node.args, node.op
    if name in {"and", "or"}:
        # The operand that short-circuited, or all of them.
        stop = next(
            (i for i, arg in enumerate(args) if js.truthy(arg.fn(data)) != (name == "and")), None
        )
        return list(range(len(args))) if stop is None else [stop]
    if name in {"if", "?:"}:
        return _branches_taken(args, data)
    if name in ITERATING:
        return [i for i in range(len(args)) if i != 1]  # element logic runs per element
    return list(range(len(args)))


def _branches_taken(args: tuple[Node, ...], data: object) -> list[int]:
    """Give the conditions ``if`` tested and the branch it took."""
    tested = []
    for index in range(0, len(args) - 1, 2):
        tested.append(index)
        if js.truthy(args[index].fn(data)):
            return [*tested, index + 1]
    return [*tested, len(args) - 1] if len(args) % 2 else tested


def _explain(node: Node, data: object) -> Explanation:
    value: JSONValue = node.fn(data)  # type: ignore[assignment]
    deciding: list[tuple[JSONValue, Explanation]] = []
    if node.kind != LITERAL:
        for index in _deciding_indexes(node, data):
            arg = node.args[index]
            if arg.kind == OPERATOR:
                deciding.append((arg.rule, _explain(arg, data)))  # type: ignore[arg-type]
    reads: dict[str, JSONValue] = {
        path: js.walk(data, steps, None)  # type: ignore[misc]
        for path, steps in node.reads
    }
    return Explanation(
        value,
        js.truthy(value),
        tuple(deciding),
        _PROXY(reads),
        rule=node.rule,  # type: ignore[arg-type]
    )


# -- rendering explanations ------------------------------------------------------------------


def _render(value: object, depth: int = 0) -> str:
    """Render a value as compact JSON text, cut short when long or deep."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return (
            "null"
            if value is None
            else js.js_string(value)
            if not isinstance(value, bool)
            else ("true" if value else "false")
        )
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 80 else value[:77] + "...", ensure_ascii=False)
    if depth >= 8:
        return "..."
    if isinstance(value, list | tuple):
        items = [_render(item, depth + 1) for item in value[:10]]
        return "[" + ", ".join(items + (["..."] if len(value) > 10 else [])) + "]"
    if isinstance(value, Mapping):
        pairs = [
            f"{_render(str(k))}: {_render(v, depth + 1)}"
            for k, v in itertools.islice(value.items(), 10)
        ]
        return "{" + ", ".join(pairs + (["..."] if len(value) > 10 else [])) + "}"
    return show(value)


def _show(value: object, depth: int = 0) -> str:
    """Render an observed value for a sentence: strings quoted as Python does."""
    if isinstance(value, str):
        return show(value)
    if depth < 3 and isinstance(value, list | tuple):
        items = [_show(item, depth + 1) for item in value[:5]]
        return "[" + ", ".join(items + (["..."] if len(value) > 5 else [])) + "]"
    if isinstance(value, list | tuple | Mapping) and depth >= 3:
        return "[...]" if isinstance(value, list | tuple) else "{...}"
    return _render(value, depth)


def _observed(reads: Mapping[str, object]) -> str:
    parts = (f"{shorten(path)} is {_show(value)}" for path, value in reads.items())
    return listing(parts, len(reads), ", ")


def _operand_text(operand: object) -> str:
    """Name a comparison operand: a variable by its path, a literal by its value."""
    path = var_argument(operand)
    if isinstance(path, str) or js.is_number(path):
        return shorten(js.js_string(path)) or "the data"
    if isinstance(operand, Mapping) and len(operand) == 1:
        return _render(operand)
    return _show(operand)


_COMPARISONS: Final = frozenset({"==", "!=", "===", "!==", ">", ">=", "<", "<="})


def _summarise(explanation: Explanation) -> str:
    """Build the one-line reason of :meth:`Explanation.summary`."""
    rule, value = explanation.rule, _show(explanation.value)
    if not (isinstance(rule, Mapping) and len(rule) == 1):
        return f"{_render(rule)} is {'truthy' if explanation.holds else 'falsy'}"
    ((name, raw),) = rule.items()
    if name in {"and", "or", "if", "?:", "!", "!!"}:
        deciding = explanation.deciding
        if not deciding:  # a literal operand decided
            return f"{_render(rule)} is {value}"
        subs = (_summarise(sub) for _, sub in deciding)
        return f"not ({next(subs)})" if name == "!" else listing(subs, len(deciding), ", and ")
    observed = _observed(explanation.reads)
    operands: list[object] = list(raw) if isinstance(raw, list | tuple) else [raw]
    if name in _COMPARISONS or (name == "in" and len(operands) == 2):
        need = _need(str(name), operands)
        return f"{observed}; {need}" if observed else f"{need}, is {value}"
    if name == "var" and observed:
        return observed
    return "; ".join(part for part in (observed, f"{_render(rule)} is {value}") if part)


def _need(name: str, operands: list[object]) -> str:
    """Say what a comparison needs: ``needs === 'tier-2'``, ``needs to contain 'vip'``."""
    texts = [_operand_text(operand) for operand in operands]
    first_is_var = isinstance(operands[0], Mapping) and "var" in operands[0]
    if name == "in":
        return f"needs to be in {texts[1]}" if first_is_var else f"needs to contain {texts[0]}"
    if first_is_var and len(operands) == 2:
        return f"needs {name} {texts[1]}"
    return "needs " + f" {name} ".join(texts)
