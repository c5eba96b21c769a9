"""JavaScript's value semantics behind :mod:`loyalty_core.jsonlogic` (private).

Every function here takes JSON-like Python values (``None``, ``bool``, ``int``, ``float``,
``Decimal``, ``str``, ``list``/``tuple``, any ``Mapping``) and does what JavaScript does with
the corresponding values, as json-logic-js relies on it: truthiness, ``String()`` and
``Number()``, ``==`` and ``===``, ``<``, arithmetic on doubles, UTF-16 strings, and reading a
property of a JSON value (COND-9 to COND-12, Q38). None of them raises for
such values: a value of any other type is treated as a plain JavaScript object.

Numbers are JavaScript doubles: arithmetic always works on ``float`` and returns ``float``;
``int`` and ``Decimal`` operands are rounded to the nearest double first, as JavaScript does when
it parses the JSON text.

What JSON Logic's operators do with these values is :mod:`loyalty_core._jsonlogic_ops`; how a
rule becomes closures is :mod:`loyalty_core._jsonlogic_compile`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Final

__all__: list[str] = []

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
    """Give JSON Logic truthiness (COND-10)."""
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


def is_index(step: str) -> bool:
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
        if is_index(step) and int(step) < size:
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


def length_of(value: object) -> object:
    """Give JavaScript's ``value.length`` on a JSON value (``MISSING`` when it has none)."""
    if isinstance(value, ARRAYS):
        return len(value)
    if isinstance(value, str):
        return utf16_length(value)
    if isinstance(value, Mapping):
        return step_into(value, "length")
    return MISSING
