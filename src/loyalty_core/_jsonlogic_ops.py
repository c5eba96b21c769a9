"""JavaScript value semantics behind :mod:`loyalty_core.jsonlogic` (private).

Every function here takes JSON-like Python values (``None``, ``bool``, ``int``, ``float``,
``Decimal``, ``str``, ``list``/``tuple``, any ``Mapping``) and does what json-logic-js does with
the corresponding JavaScript values (RULES COND-9 to COND-12, DECISIONS Q38). None of them
raises for such values: a value of any other type is treated as a plain JavaScript object.

Numbers are JavaScript doubles: arithmetic always works on ``float`` and returns ``float``;
``int`` and ``Decimal`` operands are rounded to the nearest double first, as JavaScript does when
it parses the JSON text.
"""

from __future__ import annotations

import functools
import inspect
import math
import operator
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import FunctionType, MappingProxyType
from typing import Any, Final, TypeAlias

import attrs

__all__: list[str] = []

Evaluator: TypeAlias = Callable[[object], object]

_PROXY: Final = MappingProxyType

# isinstance() with these tuples, not with `list | tuple`: a union is built on every call.
ARRAYS: Final = (list, tuple)
NUMBERS: Final = (int, float, Decimal)
_ARRAYS_OR_TEXT: Final = (list, tuple, str)
_PRIMITIVES: Final = (bool, int, float, Decimal, str)

MISSING: Final = object()
"""JavaScript ``undefined``: an argument that was not given, a key that was not found."""

# Integers in this range are exactly representable as doubles, so Python's own int arithmetic
# and comparisons agree with JavaScript's on them.
SAFE_INT: Final = 2**53

NAN: Final = math.nan
INF: Final = math.inf

# JavaScript's StrWhiteSpaceChar (WhiteSpace and LineTerminator): what Number(" 12 ") and
# parseFloat skip. Python's str.strip() differs (it strips U+001C..U+001F and U+0085, and
# keeps U+FEFF).
JS_WHITESPACE: Final = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)

# StrDecimalLiteral, ASCII digits only (Python's float() also takes "1_0", "inf", "nan" and
# non-ASCII digits, which JavaScript rejects).
# Every quantifier is possessive: a digit run is never split two ways, so a 50,000-digit string
# that is not a number is rejected in linear time (a backtracking `[0-9]+\.?[0-9]*` took 26 s).
_DECIMAL = re.compile(
    r"[+-]?+(?:[0-9]++(?:\.[0-9]*+)?+|\.[0-9]++)(?:[eE][+-]?+[0-9]++)?+", re.ASCII
)
_INFINITY = re.compile(r"[+-]?+Infinity")
_RADIX = re.compile(r"0(?:[xX][0-9a-fA-F]++|[oO][0-7]++|[bB][01]++)", re.ASCII)
# The longest prefix parseFloat reads.
_FLOAT_PREFIX = re.compile(
    r"[+-]?+(?:Infinity|(?:[0-9]++(?:\.[0-9]*+)?+|\.[0-9]++)(?:[eE][+-]?+[0-9]++)?+)", re.ASCII
)
_RADIX_BASE: Final = {"x": 16, "o": 8, "b": 2}


# -- kinds and truthiness ------------------------------------------------------------------


def is_number(value: object) -> bool:
    """Tell whether ``value`` is a JSON number (a ``bool`` is not)."""
    return isinstance(value, NUMBERS) and not isinstance(value, bool)


def is_array(value: object) -> bool:
    """Tell whether ``value`` is a JSON array."""
    return isinstance(value, ARRAYS)


def is_primitive(value: object) -> bool:
    """Tell whether ``value`` is null, a boolean, a number or a string."""
    return value is None or isinstance(value, _PRIMITIVES)


def truthy(value: object) -> bool:
    """Give JSON Logic truthiness (RULES COND-10)."""
    kind = type(value)
    if kind is bool:
        return value is True
    if value is None:
        return False
    if kind is str or kind is list or kind is tuple:
        return len(value) != 0  # type: ignore[arg-type]
    if kind is int:
        return value != 0
    if kind is float:
        return value == value and value != 0  # noqa: PLR0124 - false for NaN on purpose
    return _truthy_other(value)


def _truthy_other(value: object) -> bool:
    if isinstance(value, Decimal):
        return not (value.is_nan() or value.is_zero())
    if isinstance(value, int | float):
        return truthy(float(value))
    if isinstance(value, _ARRAYS_OR_TEXT):
        return len(value) != 0
    return True  # objects, including {}, are truthy


# -- numbers -------------------------------------------------------------------------------


def to_double(value: float | Decimal) -> float:
    """Round a JSON number to the nearest double, as JavaScript's JSON.parse does."""
    if type(value) is float:
        return value
    if isinstance(value, Decimal):
        if value.is_nan():
            return NAN
        return float(value)  # correctly rounded; +-Infinity for huge exponents
    if isinstance(value, float):
        return float(value)
    try:
        return float(value)
    except OverflowError:
        return INF if value > 0 else -INF


def string_to_number(text: str) -> float:
    """Convert a string as JavaScript's ``Number(text)`` does."""
    text = text.strip(JS_WHITESPACE)
    if not text:
        return 0.0
    if _DECIMAL.fullmatch(text):
        return float(text)
    if _INFINITY.fullmatch(text):
        return -INF if text[0] == "-" else INF
    if _RADIX.fullmatch(text):
        return to_double(int(text[2:], _RADIX_BASE[text[1].lower()]))
    return NAN


def to_number(value: object) -> float:
    """Convert any value as JavaScript's ``ToNumber`` does (COND-11, COND-12)."""
    kind = type(value)
    if kind is int or kind is float or (kind is not bool and is_number(value)):
        return to_double(value)  # type: ignore[arg-type]
    if isinstance(value, str):
        return string_to_number(value)
    if value is None or kind is bool:
        return 1.0 if value is True else 0.0
    if isinstance(value, ARRAYS):
        return string_to_number(join_array(value))
    return NAN  # an object is "[object Object]"


def parse_float(value: object) -> float:
    """Convert a value as JavaScript's ``parseFloat`` does (``+`` and ``*``)."""
    if type(value) is int or type(value) is float or isinstance(value, Decimal):
        # parseFloat(String(n)) gives n back, except that -0 prints as "0".
        return to_double(value) + 0.0
    text = js_string(value).lstrip(JS_WHITESPACE)
    match = _FLOAT_PREFIX.match(text)
    if match is None:
        return NAN
    found = match.group()
    if found.endswith("Infinity"):
        return -INF if found[0] == "-" else INF
    return float(found)


def to_integer(value: object) -> float:
    """Convert as JavaScript's ``ToIntegerOrInfinity``: NaN is 0, fractions truncate."""
    number = to_number(value)
    if number != number:  # noqa: PLR0124 - NaN check without importing math
        return 0.0
    if number in {INF, -INF}:
        return number
    return float(math.trunc(number))


# -- strings -------------------------------------------------------------------------------


def number_to_string(value: float | Decimal) -> str:
    """Format a number as JavaScript's ``String(number)`` does (``1.0`` is ``"1"``)."""
    if type(value) is int and -SAFE_INT <= value <= SAFE_INT:
        return str(value)
    number = to_double(value)
    if number != number:  # noqa: PLR0124 - NaN check
        return "NaN"
    if number in {INF, -INF}:
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"  # also for -0
    if number.is_integer() and -SAFE_INT < number < SAFE_INT:
        return str(int(number))
    sign = "-" if number < 0 else ""
    return sign + _format_positive(repr(abs(number)))


def _format_positive(shortest: str) -> str:
    """Lay out Python's shortest round-trip digits the way Number::toString does."""
    mantissa, _, exponent = shortest.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        return digits + "0" * (point - count)
    if 0 < point <= 21:
        return digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    power = point - 1
    sign = "+" if power >= 0 else "-"
    head = digits[0] + ("." + digits[1:] if count > 1 else "")
    return f"{head}e{sign}{abs(power)}"


def js_string(value: object) -> str:
    """Convert a value as JavaScript's ``String(value)`` does."""
    if type(value) is str:
        return value
    if value is None or isinstance(value, bool):
        return "null" if value is None else "true" if value else "false"
    if isinstance(value, NUMBERS):
        return number_to_string(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, ARRAYS):
        return join_array(value)
    return "[object Object]"


def join_array(array: list[object] | tuple[object, ...]) -> str:
    """Give ``String(array)``: elements joined by commas, null as ``""``, nested arrays too.

    Iterative, so that deeply nested data cannot exhaust the stack; an array met again inside
    itself renders as ``""``, as JavaScript engines do.
    """
    parts: list[str] = []
    active = {id(array)}
    stack: list[tuple[list[object] | tuple[object, ...], int]] = [(array, 0)]
    while stack:
        current, index = stack.pop()
        if index == len(current):
            active.discard(id(current))
            continue
        if index:
            parts.append(",")
        stack.append((current, index + 1))
        element = current[index]
        if element is None:
            continue
        if isinstance(element, ARRAYS):
            if id(element) not in active:
                active.add(id(element))
                stack.append((element, 0))
            continue
        parts.append(js_string(element))
    return "".join(parts)


def utf16_length(text: str) -> int:
    """Count UTF-16 code units, as JavaScript's ``length`` does."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf16_slice(text: str, start: int, stop: int) -> str:
    """Slice by UTF-16 code units (a split surrogate pair leaves a lone surrogate)."""
    if text.isascii():
        return text[start:stop]
    units = text.encode("utf-16-le", "surrogatepass")
    return units[2 * start : 2 * stop].decode("utf-16-le", "surrogatepass")


def utf16_less(left: str, right: str) -> bool:
    """Compare strings by UTF-16 code units (COND-12)."""
    if left.isascii() and right.isascii():
        return left < right
    return left.encode("utf-16-be", "surrogatepass") < right.encode("utf-16-be", "surrogatepass")


def contains_text(haystack: str, needle: str) -> bool:
    """Give ``haystack.indexOf(needle) !== -1`` on UTF-16 code units."""
    if needle in haystack:
        return True
    if needle.isascii() or not any("\ud800" <= char <= "\udfff" for char in needle):
        # A needle without lone surrogates matches on code points exactly as on code units.
        return False
    units = haystack.encode("utf-16-le", "surrogatepass")
    wanted = needle.encode("utf-16-le", "surrogatepass")
    start = units.find(wanted)
    while start != -1:
        if start % 2 == 0:
            return True
        start = units.find(wanted, start + 1)
    return False


# -- equality and ordering -----------------------------------------------------------------


def _same_number(left: object, right: object) -> bool:
    if (
        type(left) is int
        and type(right) is int
        and -SAFE_INT <= left <= SAFE_INT
        and -SAFE_INT <= right <= SAFE_INT
    ):
        return left == right
    return to_double(left) == to_double(right)  # type: ignore[arg-type]


def strict_equal(left: object, right: object) -> bool:
    """Give JavaScript's ``left === right`` (COND-11): same JSON type and value."""
    if left is None or right is None:
        return left is right
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if is_number(left):
        return is_number(right) and _same_number(left, right)
    if isinstance(left, str):
        return isinstance(right, str) and left == right
    return left is right  # arrays and objects: the same object only


def to_primitive(value: object) -> object:
    """Give JavaScript's ``ToPrimitive``: arrays and objects become strings."""
    if is_primitive(value):
        return value
    if isinstance(value, ARRAYS):
        return join_array(value)
    return "[object Object]"


def loose_equal(left: object, right: object) -> bool:  # noqa: C901 - one branch per JS step
    """Give JavaScript's abstract equality ``left == right`` (COND-11)."""
    while True:
        if left is None or right is None:
            return left is right
        if isinstance(left, bool):
            left = int(left)
            continue
        if isinstance(right, bool):
            right = int(right)
            continue
        left_number, right_number = is_number(left), is_number(right)
        if left_number and right_number:
            return _same_number(left, right)
        left_text, right_text = isinstance(left, str), isinstance(right, str)
        if left_text and right_text:
            return left == right
        if left_number and right_text:
            return to_double(left) == string_to_number(right)  # type: ignore[arg-type]
        if left_text and right_number:
            return string_to_number(left) == to_double(right)  # type: ignore[arg-type]
        left_plain = left_number or left_text
        right_plain = right_number or right_text
        if not left_plain and not right_plain:
            return left is right  # two arrays or objects: the same object only
        if left_plain:
            right = to_primitive(right)
        else:
            left = to_primitive(left)


def less(left: object, right: object, *, or_equal: bool) -> bool:
    """Give JavaScript's ``left < right`` (or ``<=``) on any two values (COND-12)."""
    left = to_primitive(left)
    right = to_primitive(right)
    if isinstance(left, str) and isinstance(right, str):
        if or_equal:
            return not utf16_less(right, left)
        return utf16_less(left, right)
    if (
        type(left) is int
        and type(right) is int
        and -SAFE_INT <= left <= SAFE_INT
        and -SAFE_INT <= right <= SAFE_INT
    ):
        return left <= right if or_equal else left < right
    left_number = to_number(left)
    right_number = to_number(right)
    # Comparisons with NaN are False in Python too.
    return left_number <= right_number if or_equal else left_number < right_number


# -- arithmetic ----------------------------------------------------------------------------


def divide(left: float, right: float) -> float:
    """Give JavaScript's ``left / right`` on doubles: x/0 is +-Infinity, 0/0 is NaN."""
    if right == 0:
        if left == 0 or left != left:  # noqa: PLR0124 - NaN check
            return NAN
        return math.copysign(INF, left) * math.copysign(1.0, right)
    return left / right


def remainder(left: float, right: float) -> float:
    """Give JavaScript's ``left % right`` on doubles: the sign of the dividend."""
    if right == 0 or left != left or right != right or left in {INF, -INF}:  # noqa: PLR0124
        return NAN
    if right in {INF, -INF}:
        return left
    return math.fmod(left, right)


def maximum(numbers: list[float], *, largest: bool) -> float:
    """Give ``Math.max`` (or ``Math.min``) of one or more doubles: NaN wins, +0 is above -0."""
    if any(number != number for number in numbers):  # noqa: PLR0124 - NaN check
        return NAN
    result = numbers[0]
    for number in numbers[1:]:
        if number == result == 0:
            # Only the sign of zero can differ: Math.max prefers +0, Math.min prefers -0.
            if (math.copysign(1.0, number) > 0) == largest:
                result = number
        elif (number > result) == largest:
            result = number
    return result


def js_substr(text: str, start: object, length: object = MISSING) -> str:
    """Give ``String.prototype.substr(start, length)`` on UTF-16 code units."""
    size = utf16_length(text)
    begin = to_integer(start)
    begin = max(size + begin, 0) if begin < 0 else min(begin, size)
    count = float(size) if length is MISSING else to_integer(length)
    count = min(max(count, 0), size - begin)
    if count <= 0:
        return ""
    return utf16_slice(text, int(begin), int(begin + count))


# -- reading the data ----------------------------------------------------------------------


def _is_index(step: str) -> bool:
    """Tell whether ``step`` is a canonical array index ("0", "1", ..., no leading zeros)."""
    return len(step) <= 15 and step.isascii() and step.isdigit() and (step == "0" or step[0] != "0")


def step_into(data: object, step: str) -> object:
    """Read ``data[step]`` as JavaScript does on JSON values, or :data:`MISSING`.

    An object's own key; an array's or a string's ``length`` or in-range index (strings count
    UTF-16 code units). Prototype properties (``constructor``, ``map``, ...) are not read.
    """
    kind = type(data)
    if kind is dict or kind is _PROXY or isinstance(data, Mapping):
        return data.get(step, MISSING)  # type: ignore[attr-defined]
    if isinstance(data, _ARRAYS_OR_TEXT):
        size = utf16_length(data) if isinstance(data, str) else len(data)
        if step == "length":
            return size
        if _is_index(step) and int(step) < size:
            index = int(step)
            return utf16_slice(data, index, index + 1) if isinstance(data, str) else data[index]
    return MISSING


def walk(data: object, steps: tuple[str, ...], default: object) -> object:
    """Follow ``steps`` from ``data``; give ``default`` when a step finds nothing (COND table).

    A step from ``null`` finds nothing; a ``null`` found by the last step is returned.
    """
    for step in steps:
        kind = type(data)
        if kind is dict or kind is _PROXY:
            data = data.get(step, MISSING)  # type: ignore[attr-defined]
        elif data is None:
            return default
        else:
            data = step_into(data, step)
        if data is MISSING:
            return default
    return data


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


def length_of(value: object) -> object:
    """Give JavaScript's ``value.length`` on a JSON value (``MISSING`` when it has none)."""
    if isinstance(value, ARRAYS):
        return len(value)
    if isinstance(value, str):
        return utf16_length(value)
    if isinstance(value, Mapping):
        return step_into(value, "length")
    return MISSING


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


_BOOLEAN_RESULTS: Final = frozenset(
    {"==", "!=", "===", "!==", "!", "!!", ">", ">=", "<", "<=", "in", "all", "some", "none"}
)


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


# -- closures: control operators -----------------------------------------------------------


def build_control(name: str, args: tuple[Node, ...]) -> tuple[Evaluator, bool]:
    if name in {"and", "or"}:
        return _build_and_or(args, is_and=name == "and")
    if name in {"if", "?:"}:
        return _build_if(args), False
    return _build_iterating(name, args), name in _BOOLEAN_RESULTS


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
            return fn, name in _BOOLEAN_RESULTS
        return _generic(operation, args), name in _BOOLEAN_RESULTS
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
    if _is_index(step):
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
