"""The JSON Logic operator table behind :mod:`loyalty_core.jsonlogic` (private).

Each built-in function operator is an :class:`Operation`: its name, the function that
json-logic-js's semantics give it on the evaluated arguments, and its arity (the COND table,
COND-7 to COND-12). The control operators (``if``, ``and``, ``map``, ...) evaluate their
operands lazily or per element, so only their arity is here (:data:`CONTROL`); their closures,
and the fast paths of the function operators, are built by
:mod:`loyalty_core._jsonlogic_compile`. What JavaScript does to the values is
:mod:`loyalty_core._js`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

import attrs

from loyalty_core._js import (
    ARRAYS,
    MISSING,
    NAN,
    contains_text,
    divide,
    is_number,
    js_string,
    js_substr,
    length_of,
    less,
    loose_equal,
    maximum,
    parse_float,
    remainder,
    strict_equal,
    to_double,
    to_number,
    truthy,
    utf16_length,
    walk,
)

__all__: list[str] = []

_PROXY: Final = MappingProxyType


# -- reading the data ----------------------------------------------------------------------


def split_path(path: object) -> tuple[str, ...] | None:
    """Split a ``var`` path into steps; ``None`` for the whole data (``""``, null, absent)."""
    if path is MISSING or path is None or (path == "" and isinstance(path, str)):
        return None
    return tuple(js_string(path).split("."))


def read_var(data: object, path: object = MISSING, default: object = MISSING) -> object:
    """Give ``{"var": [path, default]}`` on ``data`` (COND table, ``var``)."""
    not_found = None if default is MISSING else default
    steps = split_path(path)
    if steps is None:
        return data
    return walk(data, steps, not_found)


def read_key(data: object, key: object) -> object:
    """Read one ``missing`` key as ``{"var": key}`` does.

    A key that is an array gives the path and the default. Unlike json-logic-js, an object key
    taken from the data is never run as logic: it is read as the path ``"[object Object]"``.
    """
    if isinstance(key, ARRAYS):
        path = key[0] if key else MISSING
        default = key[1] if len(key) > 1 else MISSING
        return read_var(data, path, default)
    return read_var(data, key)


def missing_keys(data: object, args: tuple[object, ...]) -> list[object]:
    """Give ``missing``: the keys whose value is null or ``""``."""
    keys = args[0] if args and isinstance(args[0], ARRAYS) else args
    found: list[object] = []
    for key in keys:
        value = read_key(data, key)
        if value is None or (value == "" and isinstance(value, str)):
            found.append(key)
    return found


def missing_some(data: object, need: object, options: object) -> list[object]:
    """Give ``missing_some``: ``[]`` if at least ``need`` of the keys are present.

    The keys are read as ``{"missing": options}`` reads them. Where json-logic-js throws (for a
    ``null`` key list), the missing keys are returned.
    """
    found = missing_keys(data, tuple(options) if isinstance(options, ARRAYS) else (options,))
    length = length_of(options)
    present = (NAN if length is MISSING else to_number(length)) - len(found)
    return [] if less(need, present, or_equal=True) else found


# -- built-in function operators (the generic implementations) ------------------------------


def op_var(data: object, path: object = MISSING, default: object = MISSING) -> object:
    return read_var(data, path, default)


def op_missing(data: object, *keys: object) -> list[object]:
    return missing_keys(data, keys)


def op_missing_some(data: object, need: object, options: object) -> list[object]:
    return missing_some(data, need, options)


def op_loose_equal(left: object, right: object) -> bool:
    return loose_equal(left, right)


def op_loose_unequal(left: object, right: object) -> bool:
    return not loose_equal(left, right)


def op_strict_equal(left: object, right: object) -> bool:
    return strict_equal(left, right)


def op_strict_unequal(left: object, right: object) -> bool:
    return not strict_equal(left, right)


def op_greater(left: object, right: object) -> bool:
    return less(right, left, or_equal=False)


def op_greater_equal(left: object, right: object) -> bool:
    return less(right, left, or_equal=True)


def op_less(left: object, right: object, bound: object = MISSING) -> bool:
    if bound is MISSING:
        return less(left, right, or_equal=False)
    return less(left, right, or_equal=False) and less(right, bound, or_equal=False)


def op_less_equal(left: object, right: object, bound: object = MISSING) -> bool:
    if bound is MISSING:
        return less(left, right, or_equal=True)
    return less(left, right, or_equal=True) and less(right, bound, or_equal=True)


def op_not(value: object) -> bool:
    return not truthy(value)


def op_truthy(value: object) -> bool:
    return truthy(value)


def op_max(*values: object) -> float:
    return maximum([to_number(v) for v in values], largest=True)


def op_min(*values: object) -> float:
    return maximum([to_number(v) for v in values], largest=False)


def op_add(*values: object) -> float:
    total = 0.0
    for value in values:
        total += parse_float(value)
    return total


def op_multiply(*values: object) -> object:
    product = values[0]  # a single argument comes back unchanged
    for value in values[1:]:
        product = parse_float(product) * parse_float(value)
    return product


def op_subtract(left: object, right: object = MISSING) -> float:
    if right is MISSING:
        return -to_number(left)
    return to_number(left) - to_number(right)


def op_divide(left: object, right: object) -> float:
    return divide(to_number(left), to_number(right))


def op_remainder(left: object, right: object) -> float:
    return remainder(to_number(left), to_number(right))


def op_merge(*values: object) -> list[object]:
    merged: list[object] = []
    for value in values:
        if isinstance(value, ARRAYS):
            merged.extend(value)
        else:
            merged.append(value)
    return merged


def op_in(needle: object, haystack: object) -> bool:
    if isinstance(haystack, str):
        return haystack != "" and contains_text(haystack, js_string(needle))
    if isinstance(haystack, ARRAYS):
        return any(strict_equal(needle, item) for item in haystack)
    return False


def op_cat(*values: object) -> str:
    return "".join("" if value is None else js_string(value) for value in values)


def op_substr(source: object, start: object, length: object = MISSING) -> str:
    text = js_string(source)
    if length is not MISSING and less(length, 0, or_equal=False):
        if not is_number(length):
            # json-logic-js adds a string to the length here: "5" + "-2" is NaN, so "".
            return ""
        # A negative length drops that many characters from the end.
        rest = js_substr(text, start)
        return js_substr(rest, 0, utf16_length(rest) + to_double(length))  # type: ignore[arg-type]
    return js_substr(text, start, length)


def op_log(value: object) -> object:
    return value  # COND-9: writes nothing


@attrs.frozen
class Operation:
    """One function operator: its implementation and its argument count (COND table).

    ``fn`` receives the evaluated arguments (preceded by the data when ``uses_data``);
    ``max_args`` of ``None`` means no upper limit.
    """

    name: str
    fn: Callable[..., object]
    min_args: int = 0
    max_args: int | None = None
    uses_data: bool = False

    def accepts(self, count: int) -> bool:
        """Tell whether ``count`` arguments are within the arity (COND-7, COND-8)."""
        return self.min_args <= count and (self.max_args is None or count <= self.max_args)


# The operators json-logic-js evaluates itself, lazily or per element (COND-8): they cannot be
# replaced, only the function operators can. Arity as (min, max).
CONTROL: Final[Mapping[str, tuple[int, int | None]]] = _PROXY(
    {
        "if": (0, None),
        "?:": (0, None),
        "and": (1, None),
        "or": (1, None),
        "map": (2, 2),
        "filter": (2, 2),
        "reduce": (2, 3),
        "all": (2, 2),
        "some": (2, 2),
        "none": (2, 2),
    }
)
ITERATING: Final = frozenset({"map", "filter", "reduce", "all", "some", "none"})


BUILTINS: Final = (
    Operation("var", op_var, 0, 2, uses_data=True),
    Operation("missing", op_missing, 0, None, uses_data=True),
    Operation("missing_some", op_missing_some, 2, 2, uses_data=True),
    Operation("==", op_loose_equal, 2, 2),
    Operation("!=", op_loose_unequal, 2, 2),
    Operation("===", op_strict_equal, 2, 2),
    Operation("!==", op_strict_unequal, 2, 2),
    Operation("!", op_not, 1, 1),
    Operation("!!", op_truthy, 1, 1),
    Operation(">", op_greater, 2, 2),
    Operation(">=", op_greater_equal, 2, 2),
    Operation("<", op_less, 2, 3),
    Operation("<=", op_less_equal, 2, 3),
    Operation("max", op_max, 1, None),
    Operation("min", op_min, 1, None),
    Operation("+", op_add, 0, None),
    Operation("*", op_multiply, 1, None),
    Operation("-", op_subtract, 1, 2),
    Operation("/", op_divide, 2, 2),
    Operation("%", op_remainder, 2, 2),
    Operation("merge", op_merge, 0, None),
    Operation("in", op_in, 2, 2),
    Operation("cat", op_cat, 0, None),
    Operation("substr", op_substr, 2, 3),
    Operation("log", op_log, 1, 1),
)
BUILTINS_BY_NAME: Final = _PROXY({operation.name: operation for operation in BUILTINS})


BOOLEAN_RESULTS: Final = frozenset(
    {"==", "!=", "===", "!==", "!", "!!", ">", ">=", "<", "<=", "in", "all", "some", "none"}
)
