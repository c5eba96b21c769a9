"""The JSON Logic compiler behind :mod:`loyalty_core.jsonlogic` (private).

A rule is checked and compiled in one walk (COND-7, COND-8): every problem of a malformed
rule (an unknown operator, an argument count outside the arity, nesting too deep, a value that
is not JSON) is collected at its JSON path, and every well-formed node becomes a :class:`Node`
holding a closure ``data -> value``. The closures are specialised when the rule compiles: a
``var`` with a constant path becomes a direct reader, a comparison with a literal operand
compares without re-evaluating it, ``and``/``or`` of booleans skip ``truthy()``. Each node also
records the literal ``var`` paths it reads (COND-13), for :func:`unknown_variables
<loyalty_core.jsonlogic.unknown_variables>` and explanations.

The operators' meanings and arities are :mod:`loyalty_core._jsonlogic_ops`, JavaScript's value
semantics :mod:`loyalty_core._js`; the public API is :mod:`loyalty_core.jsonlogic`.
"""

from __future__ import annotations

import functools
import inspect
import operator
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from types import FunctionType, MappingProxyType
from typing import Any, Final, Literal, Protocol, TypeAlias, TypeGuard

import attrs

from loyalty_core._js import (
    ARRAYS,
    INF,
    MISSING,
    SAFE_INT,
    contains_text,
    is_index,
    is_number,
    is_primitive,
    js_string,
    step_into,
    strict_equal,
    string_to_number,
    to_double,
    truthy,
)
from loyalty_core._jsonlogic_ops import (
    BOOLEAN_RESULTS,
    BUILTINS_BY_NAME,
    CONTROL,
    ITERATING,
    Operation,
    op_in,
    op_less,
    op_less_equal,
    split_path,
)
from loyalty_core.errors import ConditionError, Problem
from loyalty_core.limits import MAX_NESTING, Path, path_text, show

__all__: list[str] = []

Evaluator: TypeAlias = Callable[[object], object]

_PROXY: Final = MappingProxyType


# -- compiled nodes ------------------------------------------------------------------------

LITERAL: Final = 0
ARRAY: Final = 1
OPERATOR: Final = 2


def constant(value: object) -> Evaluator:
    def literal(data: object) -> object:  # noqa: ARG001 - named data for entry_point
        return value

    return literal


def entry_point(fn: Evaluator) -> Callable[..., object]:
    """Give ``fn`` as a function of ``data=None``, for :class:`CompiledRule` to call directly.

    A plain function whose one parameter is ``data`` (every closure built here) is copied with
    that default: the copy shares its code and closure, so a call costs no extra frame. Any
    other callable is wrapped.
    """
    code = getattr(fn, "__code__", None)
    if (
        type(fn) is FunctionType
        and code is not None
        and code.co_argcount == 1
        and code.co_posonlyargcount == 0
        and code.co_kwonlyargcount == 0
        and not code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
        and code.co_varnames[:1] == ("data",)
        and fn.__defaults__ is None
    ):
        return FunctionType(code, fn.__globals__, fn.__name__, (None,), fn.__closure__)

    def call(data: object = None) -> object:
        return fn(data)

    return call


def _whole(data: object) -> object:
    return data


@attrs.define(eq=False)
class Node:
    """One compiled node of a rule: its closure and what explain() needs to know about it."""

    rule: object  # the source node
    kind: int
    fn: Evaluator
    op: str = ""
    args: tuple[Node, ...] = ()
    const: object = None  # the value of a literal
    boolean: bool = False  # fn always returns a bool
    reads: tuple[tuple[str, tuple[str, ...]], ...] = ()  # COND-13 literal paths, with steps
    depth: int = 0
    var_path: tuple[tuple[str, ...], object] | None = None  # a built-in var's constant path


def _is_safe_number(value: object) -> bool:
    return (type(value) is int or type(value) is float) and -SAFE_INT < value < SAFE_INT


# -- var operands and their paths ----------------------------------------------------------


def is_var(rule: object) -> TypeGuard[Mapping[str, object]]:
    """Tell whether ``rule`` is a ``var`` operator object: a mapping whose one key is ``"var"``.

    The one test of "this operand reads a variable", for the explanations and the analysis
    tools as for the compiler; what the ``var`` reads is :func:`var_argument`.

    >>> is_var({"var": "tier_handle"}), is_var({"var": ["a", 1]}), is_var({"var": 1, "x": 2})
    (True, True, False)
    """
    return isinstance(rule, Mapping) and len(rule) == 1 and "var" in rule


def var_argument(rule: object) -> object:
    """Give the path argument of a ``var`` operator object, as the compiler reads it (COND-8).

    An array operand holds the arguments (the path, then the default), any other operand is
    the one argument. :data:`~loyalty_core._js.MISSING` when ``rule`` is not a ``var`` or has
    no argument (``{"var": []}`` reads the whole data).

    >>> var_argument({"var": "a.b"}), var_argument({"var": ["a", 7]})
    ('a.b', 'a')
    >>> var_argument({"var": []}) is MISSING, var_argument({"+": 1}) is MISSING
    (True, True)
    """
    if not is_var(rule):
        return MISSING
    operand = rule["var"]
    if isinstance(operand, ARRAYS):
        return operand[0] if operand else MISSING
    return operand


def var_path(
    operation: Operation | None, args: tuple[Node, ...]
) -> tuple[tuple[str, ...], object] | None:
    """Give the steps and default of a built-in ``var`` with a constant, non-empty path."""
    if operation is not BUILTINS_BY_NAME["var"] or any(arg.kind != LITERAL for arg in args):
        return None
    steps = split_path(args[0].const if args else MISSING)
    if steps is None:
        return None
    return steps, (args[1].const if len(args) == 2 else None)


def _merge_reads(
    *groups: Iterable[tuple[str, tuple[str, ...]]],
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    seen: dict[str, tuple[str, ...]] = {}
    for group in groups:
        for path, steps in group:
            seen.setdefault(path, steps)
    return tuple(seen.items())


def _literal_path(node: Node) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Return the COND-13 literal path a literal key or ``var`` path names, if any."""
    if node.kind != LITERAL:
        return ()
    value = node.const
    if isinstance(value, str) or is_number(value):
        path = js_string(value)
        if path:
            return ((path, tuple(path.split("."))),)
    return ()


# -- checking and compiling a rule -----------------------------------------------------------

MAX_DEPTH: Final = 64
"""The deepest nesting :func:`compile_node` accepts (COND-7)."""


def _arity_text(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low} argument{'s' if low != 1 else ''}"
    if low == high:
        return f"{low} argument{'s' if low != 1 else ''}"
    return f"{low} to {high} arguments"


# The operators whose own operands name COND-13 paths, or whose element logic reads no data.
_READING: Final = frozenset({"var", "missing", "missing_some", *ITERATING})
# Literal types node() recognises without isinstance().
_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


class Table(Protocol):
    """The operator table the compiler reads: ``jsonlogic.Operations``."""

    def get(self, name: str) -> Operation | None:
        """Return the function operator called ``name``, or ``None``."""


class _Compiler:
    """Check and compile one rule; collects every problem (COND-7)."""

    def __init__(self, operations: Table, root: str) -> None:
        self.operations = operations
        self.root = root
        self.problems: list[Problem] = []
        self.memo: dict[int, Node] = {}

    def fail(self, where: Path, message: str) -> Node:
        self.problems.append(Problem(path_text(self.root, where), message))
        return Node(None, LITERAL, constant(None))

    def node(self, value: object, path: Path, level: int) -> Node:
        kind = type(value)
        if kind is dict:
            is_array, is_logic = False, len(value) == 1  # type: ignore[arg-type]
        elif kind is list or kind is tuple:
            is_array = is_logic = True
        elif kind in _SCALARS:
            is_array = is_logic = False
        else:
            is_array = isinstance(value, ARRAYS)
            is_logic = is_array or (isinstance(value, Mapping) and len(value) == 1)
        if not is_logic:
            return self.literal(value, path)
        known = self.memo.get(id(value))  # a subtree shared by a rule built in Python
        if known is not None:
            if level + known.depth - 1 > MAX_DEPTH:
                return self.fail(path, f"nesting deeper than {MAX_DEPTH} levels")
            return known
        if level > MAX_DEPTH:
            return self.fail(path, f"nesting deeper than {MAX_DEPTH} levels")
        built = (
            self.array(value, path, level)  # type: ignore[arg-type]
            if is_array
            else self.operator(value, path, level)  # type: ignore[arg-type]
        )
        self.memo[id(value)] = built
        return built

    def literal(self, value: object, path: Path) -> Node:
        kind = type(value)
        if value is None or kind is bool or kind is str:
            return Node(value, LITERAL, constant(value), const=value)
        if is_number(value):
            number = self.number(value, path)  # type: ignore[arg-type]
            return Node(value, LITERAL, constant(number), const=number)
        if isinstance(value, str):
            text = str(value)
            return Node(value, LITERAL, constant(text), const=text)
        if isinstance(value, Mapping):
            self.check_data(value, path)
            return Node(value, LITERAL, constant(value), const=value)
        return self.fail(path, f"expected a JSON value, got {show(value)}")

    def number(self, value: float | Decimal, path: Path) -> object:
        if type(value) is int:
            return value if -SAFE_INT <= value <= SAFE_INT else to_double(value)
        number = to_double(value)
        if number != number or number in {INF, -INF}:  # noqa: PLR0124 - NaN check
            self.fail(path, f"expected a finite number, got {show(value)}")
        if isinstance(value, int) and -SAFE_INT <= value <= SAFE_INT:
            return int(value)
        return number

    def check_data(self, value: Mapping[object, object], path: Path) -> None:
        """Check, iteratively, that a literal object is JSON and not nested too deep.

        Counted from the rule's root, arrays and objects nest at most
        :data:`~loyalty_core.limits.MAX_NESTING` levels.
        """
        level = 0  # the containers around the literal: the length of its path
        parent = path
        while parent is not None:
            parent, level = parent[0], level + 1
        # (item, its path or True at the end of a container, its nesting level)
        stack: list[tuple[object, Path | Literal[True], int]] = [(value, path, level + 1)]
        active: set[int] = set()  # the containers being checked: meeting one again is a cycle
        done: dict[int, int] = {}  # container -> the deepest level it was checked at
        while stack:
            item, where, level = stack.pop()
            if where is True:  # the end of a container
                active.discard(id(item))
                continue
            if self.is_scalar(item, where):
                continue
            if id(item) in active:
                self.fail(where, "expected a JSON value, got a value that contains itself")
            elif level <= done.get(id(item), 0):
                continue  # checked already, as deep or deeper in the rule (a shared subtree)
            elif level > MAX_NESTING:
                self.fail(where, f"nested deeper than {MAX_NESTING} levels")
            else:
                active.add(id(item))
                done[id(item)] = level
                stack.append((item, True, level))
                stack.extend(
                    (child, child_path, level + 1)
                    for child, child_path in reversed(self.children(item, where))
                )

    def is_scalar(self, item: object, where: Path) -> bool:
        """Check a value that is not a container; report one that is not JSON."""
        if item is None or isinstance(item, bool | str):
            return True
        if is_number(item):
            self.number(item, where)  # type: ignore[arg-type]
            return True
        if isinstance(item, Mapping | list | tuple):
            return False
        self.fail(where, f"expected a JSON value, got {show(item)}")
        return True

    def children(self, item: object, where: Path) -> list[tuple[object, Path]]:
        """List a container's items with their paths; report keys that are not strings."""
        found: list[tuple[object, Path]] = []
        if isinstance(item, list | tuple):
            found.extend((child, (where, i)) for i, child in enumerate(item))
        if not isinstance(item, Mapping):
            return found
        for key, child in item.items():
            if isinstance(key, str):
                found.append((child, (where, key)))
            else:
                self.fail(where, f"expected a string key, got {show(key)}")
        return found

    def array(self, value: list[object] | tuple[object, ...], path: Path, level: int) -> Node:
        items = tuple(self.node(item, (path, i), level + 1) for i, item in enumerate(value))
        depth = 1 + max((item.depth for item in items), default=0)
        reads = _merge_reads(*(item.reads for item in items))
        if all(item.kind == LITERAL for item in items):
            consts = tuple(item.const for item in items)

            def fresh_copy(data: object) -> object:  # noqa: ARG001 - see entry_point
                return list(consts)  # a new array on every evaluation, as in JavaScript

            return Node(value, ARRAY, fresh_copy, args=items, reads=reads, depth=depth)
        fns = tuple(item.fn for item in items)

        def elements(data: object) -> object:
            return [fn(data) for fn in fns]

        return Node(value, ARRAY, elements, args=items, reads=reads, depth=depth)

    def operator(self, value: Mapping[object, object], path: Path, level: int) -> Node:
        ((name, operand),) = value.items()
        if not isinstance(name, str):
            return self.fail(path, f"expected a string key, got {show(name)}")
        where: Path = (path, name)
        operation, low, high = self.arity(name, path)
        kind = type(operand)
        many = kind is list or kind is tuple or isinstance(operand, ARRAYS)
        count = len(operand) if many else 1  # type: ignore[arg-type]
        if not (low <= count and (high is None or count <= high)):
            self.fail(path, f"operator {show(name)} takes {_arity_text(low, high)}, got {count}")
        node, level = self.node, level + 1
        if many:
            items: Iterable[object] = operand  # type: ignore[assignment]
            args = tuple([node(item, (where, i), level) for i, item in enumerate(items)])
        else:  # COND-8: a single operand that is not an array is one argument
            args = (node(operand, where, level),)
        depth = 0
        for arg in args:
            if arg.depth > depth:  # noqa: PLR1730 - cheaper than a call to max()
                depth = arg.depth
        depth += 1
        reads = _operator_reads(name, args)
        if self.problems:
            return Node(value, OPERATOR, constant(None), name, args, depth=depth)
        if operation is None:
            fn, boolean = build_control(name, args)
        else:
            fn, boolean = build_function(operation, args)
        return Node(
            value,
            OPERATOR,
            fn,
            name,
            args,
            boolean=boolean,
            reads=reads,
            depth=depth,
            var_path=var_path(operation, args) if is_var(value) else None,
        )

    def arity(self, name: str, path: Path) -> tuple[Operation | None, int, int | None]:
        """Give the function operator called ``name`` (``None`` for control) and its arity."""
        if name in CONTROL:
            low, high = CONTROL[name]
            return None, low, high
        operation = self.operations.get(name)
        if operation is None:
            self.fail(path, f"unknown operator {show(name)}")
            return None, 0, None
        return operation, operation.min_args, operation.max_args


def _operator_reads(name: str, args: tuple[Node, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Give the COND-13 literal paths of an operator node, in order of first appearance."""
    if name not in _READING:  # only the operands' paths (each group is already deduplicated)
        groups = [arg.reads for arg in args if arg.reads]
        if len(groups) <= 1:
            return groups[0] if groups else ()
        return _merge_reads(*groups)
    own: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if name == "var" and args:
        own = _literal_path(args[0])
    elif name in {"missing", "missing_some"}:
        keys = args
        if name == "missing_some":
            keys = args[1:2]
            if keys and keys[0].kind == ARRAY:
                keys = keys[0].args
        if keys and keys[0].kind == ARRAY:
            keys = keys[0].args
        own = _merge_reads(*(_literal_path(key) for key in keys))
    if name in ITERATING:
        # COND-13: the element logic reads the elements, not the data.
        return _merge_reads(own, *(arg.reads for i, arg in enumerate(args) if i != 1))
    return _merge_reads(own, *(arg.reads for arg in args))


def compile_node(rule: object, path: str, operations: Table) -> Node:
    """Check and compile ``rule``; raise one :class:`ConditionError` with every problem (COND-7)."""
    compiler = _Compiler(operations, path)
    node = compiler.node(rule, None, 1)
    if compiler.problems:
        raise ConditionError(compiler.problems)
    return node


# -- closures: control operators -----------------------------------------------------------


def build_control(name: str, args: tuple[Node, ...]) -> tuple[Evaluator, bool]:
    if name in {"and", "or"}:
        return _build_and_or(args, is_and=name == "and")
    if name in {"if", "?:"}:
        return _build_if(args), False
    return _build_iterating(name, args), name in BOOLEAN_RESULTS


def _build_and_or(args: tuple[Node, ...], *, is_and: bool) -> tuple[Evaluator, bool]:
    """Build ``and``/``or``: the first falsy (truthy) value itself, else the last (COND table).

    Operands whose truthiness is known when the rule compiles (literals, arrays of literals)
    are folded away: one that decides ends the operand list, one that does not is dropped
    unless it is the last. Their evaluation reads nothing and has no effect, so the value,
    including a fresh array for an array operand, is what the full list gives.
    """
    kept: list[Node] = []
    for position, arg in enumerate(args, 1):
        known = _known_truth(arg)
        if known is None or known != is_and or position == len(args):
            kept.append(arg)
        if known is not None and known != is_and:
            break  # this operand decides: the rest is never evaluated
    args = tuple(kept)
    fns = tuple(arg.fn for arg in args)
    boolean = all(arg.boolean for arg in args)
    if len(fns) == 1:
        return fns[0], boolean
    if boolean:  # booleans need no truthy(): Python's and/or agree
        if len(fns) <= _UNROLLED:
            return (_chain_and(fns) if is_and else _chain_or(fns)), True
        return (_all_true(fns) if is_and else _any_true(fns)), True
    return (_all_of(fns) if is_and else _any_of(fns)), False


# Up to this many boolean operands, and/or is built from unrolled closures of up to four
# operands each (at most three nested calls); a loop costs more per operand than a call.
_UNROLLED: Final = 13


def _chain_and(fns: tuple[Evaluator, ...]) -> Evaluator:
    """Build ``a(data) and b(data) and ...`` for two or more boolean operands."""
    if len(fns) == 2:
        a, b = fns
        return lambda data: a(data) and b(data)
    if len(fns) == 3:
        a, b, c = fns
        return lambda data: a(data) and b(data) and c(data)
    a, b, c = fns[:3]
    d = fns[3] if len(fns) == 4 else _chain_and(fns[3:])
    return lambda data: a(data) and b(data) and c(data) and d(data)


def _chain_or(fns: tuple[Evaluator, ...]) -> Evaluator:
    """Build ``a(data) or b(data) or ...`` for two or more boolean operands."""
    if len(fns) == 2:
        a, b = fns
        return lambda data: a(data) or b(data)
    if len(fns) == 3:
        a, b, c = fns
        return lambda data: a(data) or b(data) or c(data)
    a, b, c = fns[:3]
    d = fns[3] if len(fns) == 4 else _chain_or(fns[3:])
    return lambda data: a(data) or b(data) or c(data) or d(data)


def _known_truth(node: Node) -> bool | None:
    """Give the truthiness of a node built from literals only, else ``None``."""
    if node.kind == LITERAL:
        return truthy(node.const)
    if node.kind == ARRAY and all(_known_truth(item) is not None for item in node.args):
        return bool(node.args)  # [] is falsy, any other array truthy (COND-10)
    return None


def _all_true(fns: tuple[Evaluator, ...]) -> Evaluator:
    def all_true(data: object) -> object:
        for fn in fns:  # noqa: SIM110 - a plain loop is faster than all() on a generator
            if not fn(data):
                return False
        return True

    return all_true


def _any_true(fns: tuple[Evaluator, ...]) -> Evaluator:
    def any_true(data: object) -> object:
        for fn in fns:  # noqa: SIM110 - a plain loop is faster than any() on a generator
            if fn(data):
                return True
        return False

    return any_true


def _all_of(fns: tuple[Evaluator, ...]) -> Evaluator:
    def all_of(data: object) -> object:
        value = None
        for fn in fns:
            value = fn(data)
            if not truthy(value):
                return value
        return value

    return all_of


def _any_of(fns: tuple[Evaluator, ...]) -> Evaluator:
    def any_of(data: object) -> object:
        value = None
        for fn in fns:
            value = fn(data)
            if truthy(value):
                return value
        return value

    return any_of


def _build_if(args: tuple[Node, ...]) -> Evaluator:
    """Build ``if``/``?:``: (condition, value) pairs, an odd trailing else (COND table)."""
    fns = tuple(arg.fn for arg in args)
    if len(fns) == 3:
        test, then, otherwise = fns
        return lambda data: then(data) if truthy(test(data)) else otherwise(data)
    pairs = tuple(zip(fns[0::2], fns[1::2], strict=False))
    fallback = fns[-1] if len(fns) % 2 else constant(None)

    def choose(data: object) -> object:
        for test, then in pairs:
            if truthy(test(data)):
                return then(data)
        return fallback(data)

    return choose


def _as_array(value: object) -> list[object] | tuple[object, ...] | None:
    kind = type(value)
    if kind is list or kind is tuple or isinstance(value, ARRAYS):
        return value  # type: ignore[return-value]
    return None


def _build_iterating(name: str, args: tuple[Node, ...]) -> Evaluator:
    """Build the operators that run their logic per element (COND-8)."""
    source, logic = args[0].fn, args[1].fn
    if name == "map":
        return lambda data: [logic(item) for item in (_as_array(source(data)) or ())]
    if name == "filter":
        return lambda data: [i for i in (_as_array(source(data)) or ()) if truthy(logic(i))]
    if name == "all":
        return lambda data: (
            bool(items := _as_array(source(data)))
            and all(
                truthy(logic(item))
                for item in items  # type: ignore[union-attr]
            )
        )
    if name == "some":
        return lambda data: any(truthy(logic(item)) for item in (_as_array(source(data)) or ()))
    if name == "none":
        return lambda data: not any(truthy(logic(item)) for item in (_as_array(source(data)) or ()))
    initial = args[2].fn if len(args) == 3 else constant(None)

    def reduce(data: object) -> object:
        items = _as_array(source(data))
        accumulator = initial(data)
        if items is None:
            return accumulator
        for item in items:
            accumulator = logic({"current": item, "accumulator": accumulator})
        return accumulator

    return reduce


# -- closures: function operators ----------------------------------------------------------


def build_function(operation: Operation, args: tuple[Node, ...]) -> tuple[Evaluator, bool]:
    name = operation.name
    if BUILTINS_BY_NAME.get(name) is operation:
        special = _SPECIALISED.get(name)
        fn = special(args) if special is not None else None
        if fn is not None:
            return fn, name in BOOLEAN_RESULTS
        return _generic(operation, args), name in BOOLEAN_RESULTS
    return _generic(operation, args), False


def _generic(operation: Operation, args: tuple[Node, ...]) -> Evaluator:
    """Evaluate every argument, then call the operator's function (COND-8)."""
    impl = operation.fn
    fns = tuple(arg.fn for arg in args)
    if operation.uses_data:
        return lambda data: impl(data, *[fn(data) for fn in fns])
    if len(fns) == 1:
        (only,) = fns
        return lambda data: impl(only(data))
    if len(fns) == 2:
        first, second = fns
        return lambda data: impl(first(data), second(data))
    return lambda data: impl(*[fn(data) for fn in fns])


# A path step's meaning on an array or a string, known when the rule compiles: a canonical
# index (>= 0), "length", or a key that neither has.
_LENGTH: Final = -2
_KEY: Final = -1


def _step_index(step: str) -> int:
    """Classify a ``var`` path step for :func:`_step`."""
    if is_index(step):
        return int(step)
    return _LENGTH if step == "length" else _KEY


def _step(value: object, key: str, index: int) -> object:
    """Give :func:`step_into` of ``value`` and ``key``, where ``index`` is ``_step_index(key)``.

    Lists, tuples and ASCII strings (where UTF-16 code units are characters) are read here
    without re-parsing the key; everything else takes :func:`step_into`.
    """
    kind = type(value)
    if kind is list or kind is tuple or (kind is str and value.isascii()):  # type: ignore[attr-defined]
        if index >= 0:
            return value[index] if index < len(value) else MISSING  # type: ignore[index,arg-type]
        return len(value) if index == _LENGTH else MISSING  # type: ignore[arg-type]
    if value is None:
        return MISSING
    return step_into(value, key)


def _reader(steps: tuple[str, ...], default: object) -> Evaluator:
    """Build a reader for a constant ``var`` path: what :func:`walk` gives, with fast paths.

    Each step's meaning as an array index is worked out here, once; plain dicts, lists, tuples
    and ASCII strings are read in place.
    """
    plan = tuple((step, _step_index(step)) for step in steps)
    if len(plan) == 1:
        return _read_one(plan[0], default)
    if len(plan) == 2:
        return _read_two(plan, default)
    walk_plan = _walk_plan(plan, default)
    if len(plan) == 3:
        (first, _), (second, _), (third, _) = plan

        def read_three(data: object) -> object:
            if type(data) is dict:
                value = data.get(first)
                if type(value) is dict:
                    value = value.get(second)
                    if type(value) is dict:
                        return value.get(third, default)
                if value is None:  # absent or null on the way: no further step
                    return default
            return walk_plan(data)

        return read_three
    return walk_plan


def _read_one(planned: tuple[str, int], default: object) -> Evaluator:
    (key, index), proxy, missing, step = planned, _PROXY, MISSING, _step

    def read_one(data: object) -> object:
        kind = type(data)
        if kind is dict or kind is proxy:
            return data.get(key, default)  # type: ignore[attr-defined]
        value = step(data, key, index)
        return default if value is missing else value

    return read_one


def _read_two(plan: tuple[tuple[str, int], ...], default: object) -> Evaluator:
    """Build the reader of a two-step path: a dict in a dict (or an index) first."""
    (first, _), (second, index) = plan
    read_any = _walk_plan(plan, default)
    if index >= 0:  # "tags.1": an array index first, an object key otherwise
        return _read_index(first, second, index, default, read_any)
    by_length = index == _LENGTH

    def read_two(data: object) -> object:
        if type(data) is dict:
            value: Any = data.get(first)
            kind = type(value)
            if kind is dict:
                return value.get(second, default)
            if value is None:  # absent or null: no second step
                return default
            if by_length and (kind is list or kind is tuple):
                return len(value)
        return read_any(data)

    return read_two


def _read_index(
    first: str, second: str, index: int, default: object, read_any: Evaluator
) -> Evaluator:
    """Build the reader of ``first.<index>``: an array (or ASCII string) element first."""

    def read_index(data: object) -> object:
        if type(data) is dict:
            value: Any = data.get(first)
            kind = type(value)
            if (kind is str and value.isascii()) or kind is list or kind is tuple:
                return value[index] if index < len(value) else default
            if kind is dict:
                return value.get(second, default)
            if value is None:  # absent or null: no second step
                return default
        return read_any(data)

    return read_index


def _walk_plan(plan: tuple[tuple[str, int], ...], default: object) -> Evaluator:
    """Build the general reader of :func:`_reader` for a path of any length."""
    proxy, missing, step = _PROXY, MISSING, _step

    def read_many(data: object) -> object:
        value: Any = data
        for key, index in plan:
            kind = type(value)
            if kind is dict or kind is proxy:
                value = value.get(key, missing)
            else:
                value = step(value, key, index)
            if value is missing:
                return default
        return value

    return read_many


def _special_var(args: tuple[Node, ...]) -> Evaluator | None:
    if any(arg.kind != LITERAL for arg in args):
        return None
    path = args[0].const if args else MISSING
    if type(path) is str and (len(args) == 1 or args[1].const is None):
        return _text_reader(path)
    steps = split_path(path)
    if steps is None:
        return _whole
    return _reader(steps, args[1].const if len(args) == 2 else None)


@functools.lru_cache(maxsize=1024)
def _text_reader(path: str) -> Evaluator:
    """Give the reader of ``{"var": path}`` (default null), shared by the rules that use it.

    A reader holds no state, so one closure serves every rule; compiling saves building it.
    """
    steps = split_path(path)
    return _whole if steps is None else _reader(steps, None)


def _literal_class(node: Node) -> str:
    """Classify a literal operand for the comparison fast paths."""
    if node.kind != LITERAL:
        return ""
    value = node.const
    if _is_safe_number(value):
        return "number"
    if type(value) is str:
        return "ascii" if value.isascii() else "string"
    if value is None:
        return "null"
    if type(value) is bool:
        return "bool"
    return ""


# How a comparison with a literal decides on the fast path, before the full JS semantics:
# _NUMBER when the value is an int or a float, _ASCII when it is an ASCII string, _TEXT when it
# is any string, _ANY always (=== against a string, null or a boolean needs no conversion).
_NUMBER: Final = 1
_ASCII: Final = 2
_TEXT: Final = 3
_ANY: Final = 4

_FAST_OPS: Final[Mapping[str, Callable[[Any, Any], bool]]] = _PROXY(
    {
        ">": operator.gt,
        ">=": operator.ge,
        "<": operator.lt,
        "<=": operator.le,
        "==": operator.eq,
        "===": operator.eq,
        "!=": operator.ne,
        "!==": operator.ne,
    }
)
_MIRROR: Final = _PROXY({">": "<", ">=": "<=", "<": ">", "<=": ">="})


def _special_compare(name: str) -> Callable[[tuple[Node, ...]], Evaluator | None]:
    """Specialise a comparison with one literal operand (COND-11, COND-12)."""

    def build(args: tuple[Node, ...]) -> Evaluator | None:
        if len(args) == 3:
            return _between(name, args)
        operand, literal = args
        op = name
        if _literal_class(operand) and not _literal_class(literal):
            # 1000 < x is x > 1000; equality is symmetric.
            operand, literal, op = literal, operand, _MIRROR.get(name, name)
        check = _check(op, literal)
        return None if check is None else _fused(operand, check)

    return build


_EQUALITY: Final = frozenset({"==", "!=", "===", "!=="})


def _check(op: str, literal: Node) -> _Check | None:
    """Work out how ``value <op> literal`` decides, or ``None`` for no fast path."""
    kind = _literal_class(literal)
    fast = _FAST_OPS[op]
    const = literal.const
    generic = BUILTINS_BY_NAME[op].fn
    equality = op in _EQUALITY

    def slow(value: object) -> object:
        return generic(value, const)

    # For null: 0 in an ordering (ToNumber); equal to no number or string (COND-11, COND-12).
    if kind == "number":
        none = fast(None, const) if equality else fast(0, const)
        return _Check(_NUMBER, fast, const, _number_slow(op, fast, const, slow), none)
    if kind in {"ascii", "string"} and equality:
        if op in {"===", "!=="}:
            return _Check(_ANY, fast, const, slow, fast(None, const))
        number = string_to_number(const)  # type: ignore[arg-type]
        loose = _text_slow(fast, number, slow)
        return _Check(_TEXT, fast, const, loose, fast(None, const), number)
    if kind == "ascii":
        return _Check(_ASCII, fast, const, slow, fast(0, string_to_number(const)))  # type: ignore[arg-type]
    if (kind == "null" and equality) or (kind == "bool" and op in {"===", "!=="}):
        # null equals only null (COND-11); a boolean is strictly equal only to itself.
        fast = operator.is_not if op in {"!=", "!=="} else operator.is_
        return _Check(_ANY, fast, const, slow, fast(None, const))
    return None


def _number_slow(
    op: str, fast: Callable[[Any, Any], bool], const: object, generic: Evaluator
) -> Evaluator:
    """Compare a value that is not an int or a float with a literal number.

    ``===`` never holds for a string, a boolean or null; otherwise a string compares as
    ``Number(value)`` and a boolean as 0 or 1 (COND-11, COND-12). Other values (``Decimal``,
    arrays, objects, ...) take the full semantics.
    """
    if op in {"===", "!=="}:
        unequal = op == "!=="

        def strict(value: object) -> object:
            kind = type(value)
            if kind is str or kind is bool or value is None:
                return unequal
            return generic(value)

        return strict

    def loose(value: object) -> object:
        kind = type(value)
        if kind is str:
            return fast(string_to_number(value), const)  # type: ignore[arg-type]
        if kind is bool:
            return fast(int(value), const)  # type: ignore[call-overload]
        return generic(value)

    return loose


def _text_slow(fast: Callable[[Any, Any], bool], number: float, generic: Evaluator) -> Evaluator:
    """Compare a value that is not a string with a literal string by ``==`` or ``!=``.

    A number (or a boolean, as 0 or 1) equals the string when it equals ``Number(string)``,
    worked out once as ``number`` (COND-11). Ints beyond 2**53, which JavaScript rounds, and
    other values take the full semantics.
    """

    def loose(value: object) -> object:
        kind = type(value)
        if kind is float or (kind is int and -SAFE_INT <= value <= SAFE_INT):  # type: ignore[operator]
            return fast(value, number)
        if kind is bool:
            return fast(int(value), number)  # type: ignore[call-overload]
        return generic(value)

    return loose


@attrs.define
class _Check:
    """How a comparison with a literal decides: ``fast(value, const)`` on the fast path."""

    mode: int
    fast: Callable[[Any, Any], bool]
    const: object
    slow: Callable[[object], object]  # the full JavaScript semantics, given the value
    none: object  # the result when the value is null (or absent)
    number: float = 0.0  # for == and != with a string: Number(string)


def _one_key(node: Node) -> str | None:
    """Give the key of a built-in ``var`` that reads one key of the data, else ``None``."""
    path = node.var_path
    if path is not None and len(path[0]) == 1:
        return path[0][0]
    return None


def _fused(operand: Node, check: _Check) -> Evaluator:
    """Compare an operand with a literal, reading a constant ``var`` path in place."""
    path, read = operand.var_path, operand.fn
    if path is not None and len(path[0]) == 1:
        return _fused_one(path[0][0], path[1], read, check)
    if path is not None and len(path[0]) == 2:
        if check.mode == _NUMBER:
            return _fused_two_numbers(path[0], path[1], read, check)
        return _fused_two(path[0], path[1], read, check)
    mode, fast, const, slow, none = check.mode, check.fast, check.const, check.slow, check.none
    accept = _ACCEPT[mode]

    def compare(data: object) -> object:
        value = read(data)
        if accept is None or (
            type(value) in accept and (mode != _ASCII or value.isascii())  # type: ignore[attr-defined]
        ):
            return fast(value, const)
        return none if value is None else slow(value)

    return compare


_ACCEPT: Final[Mapping[int, frozenset[type] | None]] = _PROXY(
    {
        _NUMBER: frozenset({int, float}),
        _ASCII: frozenset({str}),
        _TEXT: frozenset({str}),
        _ANY: None,
    }
)


def _fused_one(key: str, default: object, read: Evaluator, check: _Check) -> Evaluator:
    """Fuse a one-key ``var`` read into a comparison: one closure on a plain dict."""
    mode, fast, const, slow, none = check.mode, check.fast, check.const, check.slow, check.none
    if mode == _NUMBER:

        def number(data: object) -> object:
            value = data.get(key, default) if type(data) is dict else read(data)
            kind = type(value)
            if kind is float or kind is int:
                return fast(value, const)
            return none if value is None else slow(value)

        return number
    if mode == _ANY:

        def anything(data: object) -> object:
            if type(data) is dict:
                return fast(data.get(key, default), const)
            return fast(read(data), const)

        return anything
    if mode == _TEXT:
        return _fused_one_text(key, default, read, check)

    def ordered(data: object) -> object:
        value: Any = data.get(key, default) if type(data) is dict else read(data)
        if type(value) is str and value.isascii():
            return fast(value, const)
        return none if value is None else slow(value)

    return ordered


def _fused_one_text(key: str, default: object, read: Evaluator, check: _Check) -> Evaluator:
    """Fuse a one-key ``var`` read into ``==`` or ``!=`` with a literal string."""
    fast, const, slow, none = check.fast, check.const, check.slow, check.none
    as_number, low, high = check.number, -SAFE_INT, SAFE_INT

    def loose(data: object) -> object:
        value: Any = data.get(key, default) if type(data) is dict else read(data)
        kind = type(value)
        if kind is str:
            return fast(value, const)
        if kind is float or (kind is int and low <= value <= high):
            return fast(value, as_number)  # Number(const), worked out once
        return none if value is None else slow(value)

    return loose


def _fused_two_numbers(
    steps: tuple[str, ...], default: object, read: Evaluator, check: _Check
) -> Evaluator:
    """Fuse a two-step ``var`` read into a comparison with a literal number."""
    (first, second), missing = steps, MISSING
    fast, const, slow, none = check.fast, check.const, check.slow, check.none

    def number(data: object) -> object:
        value: Any = data.get(first, missing) if type(data) is dict else missing
        value = value.get(second, default) if type(value) is dict else read(data)
        kind = type(value)
        if kind is float or kind is int:
            return fast(value, const)
        return none if value is None else slow(value)

    return number


def _fused_two(
    steps: tuple[str, ...], default: object, read: Evaluator, check: _Check
) -> Evaluator:
    """Fuse a two-step ``var`` read into a comparison with a literal string, null or bool."""
    (first, second), missing = steps, MISSING
    fast, const, slow, none = check.fast, check.const, check.slow, check.none
    any_type, ascii_only = check.mode == _ANY, check.mode == _ASCII

    def other(data: object) -> object:
        value: Any = data.get(first, missing) if type(data) is dict else missing
        value = value.get(second, default) if type(value) is dict else read(data)
        if any_type or (type(value) is str and (not ascii_only or value.isascii())):
            return fast(value, const)
        return none if value is None else slow(value)

    return other


def _between(name: str, args: tuple[Node, ...]) -> Evaluator | None:
    """Specialise the three-argument "between" form with two literal bounds of one kind."""
    low, middle, high = args
    kind = _literal_class(low)
    if kind not in {"number", "ascii"} or _literal_class(high) != kind:
        return None
    read, lo, hi = middle.fn, low.const, high.const
    slow = op_less if name == "<" else op_less_equal
    fast = _FAST_OPS[name]
    key, default = _one_key(middle), middle.var_path[1] if middle.var_path else None
    accept: tuple[type, ...] = (float, int) if kind == "number" else (str,)
    ascii_only = kind == "ascii"

    if key is None:

        def between(data: object) -> object:
            value = read(data)
            if type(value) in accept and (not ascii_only or value.isascii()):  # type: ignore[attr-defined]
                return fast(lo, value) and fast(value, hi)
            return slow(lo, value, hi)

        return between

    def between_key(data: object) -> object:
        value: Any = data.get(key, default) if type(data) is dict else read(data)
        if type(value) in accept and (not ascii_only or value.isascii()):
            return fast(lo, value) and fast(value, hi)
        return slow(lo, value, hi)

    return between_key


def _special_not(*, negate: bool) -> Callable[[tuple[Node, ...]], Evaluator | None]:
    def build(args: tuple[Node, ...]) -> Evaluator | None:
        (arg,) = args
        read = arg.fn
        if arg.boolean:
            return (lambda data: not read(data)) if negate else read
        if negate:

            def falsy(data: object) -> bool:
                value = read(data)
                if value is None or value is False:
                    return True
                return value is not True and not truthy(value)

            return falsy

        def true(data: object) -> bool:
            value = read(data)
            if value is True:
                return True
            return value is not None and value is not False and truthy(value)

        return true

    return build


def _special_in(args: tuple[Node, ...]) -> Evaluator | None:
    """Specialise ``in`` on a literal string needle or a literal array of primitives."""
    needle, haystack = args
    slow = op_in
    if needle.kind == LITERAL and type(needle.const) is str and haystack.kind != LITERAL:
        text: str = needle.const
        read = haystack.fn
        key = _one_key(haystack)
        default = haystack.var_path[1] if haystack.var_path else None

        def needle_in(data: object) -> bool:
            found = data.get(key, default) if key is not None and type(data) is dict else read(data)
            kind = type(found)
            if kind is list or kind is tuple:
                return text in found  # type: ignore[operator]
            if kind is str:
                return found != "" and contains_text(found, text)  # type: ignore[arg-type]
            return slow(text, found)

        return needle_in
    if haystack.kind == ARRAY and all(
        item.kind == LITERAL and is_primitive(item.const) for item in haystack.args
    ):
        consts = tuple(item.const for item in haystack.args)
        texts = frozenset(const for const in consts if type(const) is str)
        read = needle.fn

        def one_of(data: object) -> bool:
            value = read(data)
            if type(value) is str:
                return value in texts
            return any(strict_equal(value, const) for const in consts)

        return one_of
    return None


_SPECIALISED: Final[Mapping[str, Callable[[tuple[Node, ...]], Evaluator | None]]] = _PROXY(
    {
        "var": _special_var,
        **{name: _special_compare(name) for name in _FAST_OPS},
        "!": _special_not(negate=True),
        "!!": _special_not(negate=False),
        "in": _special_in,
    }
)
