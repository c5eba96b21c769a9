"""The one converter: field kinds, the value base class, and the JSON loop (PAY rules).

A field kind (:class:`Kind`) is the one place a kind of field is defined: how its JSON is
shaped into Python (``shape``), what a valid value is (``check``), how it is written back
(``render``), and values one step from valid (``bad``, for the testing strategies). A value
class declares each field with :func:`field` and a kind. Its constructor runs every field's
check, collects every problem, then the class's cross-field invariants, and raises one
:class:`~loyalty_core.errors.InvalidRequest` naming each bad field. ``from_api`` shapes each
JSON field and runs the *same* checks, so a value built by ``from_api`` is exactly one a
constructor would accept; ``to_api`` renders each field back. Keys a value does not model are
kept, read-only, in its ``extra`` mapping and written back (PAY-10). Class quirks are hook
methods (:meth:`Value._read_hook`, :meth:`Value._write_hook`), not tests of concrete classes.
"""

from __future__ import annotations

import math
import operator
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from itertools import repeat
from typing import Any, Final, Self, TypeVar

import attrs

from loyalty_core import _display, clock
from loyalty_core.conditions import Condition, to_condition
from loyalty_core.errors import ConditionError, InvalidRequest, PayloadError, Problem
from loyalty_core.limits import (
    MAX_DAYS,
    MAX_HOURS,
    MAX_INT,
    MAX_MONEY,
    MAX_MONEY_PLACES,
    MIN_INT,
    ShapeError,
    closest,
    copy_json,
    key_segment,
    show,
)
from loyalty_core.periods import PeriodType, period_type_of

__all__ = [
    "BadValue",
    "JSONArray",
    "JSONObject",
    "Kind",
    "Problems",
    "Value",
    "changed_fields",
    "check_values",
    "checked",
    "extra_field",
    "field",
    "integral",
    "shape_instant",
]

KIND: Final = "loyalty_core.kind"


class BadValue(ValueError):  # noqa: N818 - internal signal, never escapes the library
    """A single field's value is bad; the text says what was expected and what came."""


BadExample = tuple[Any, str]
"""A value one step from valid, and where ``from_api`` reports it below the field's path."""


@attrs.frozen
class Kind:
    """A kind of field: the one place its JSON shape, check, rendering and bad values live.

    ``check`` takes an already-shaped Python value and returns it normalised (e.g. an aware
    datetime as a plain UTC instant) or raises :class:`BadValue`. ``shape`` turns the JSON form
    into the Python one first (``"2021-03-05 00:06:51"`` into a datetime, ``30.0`` into 30);
    ``render`` turns a stored value back into JSON (PAY-5, PAY-8). ``nullable`` kinds accept
    ``None`` without calling ``check``. ``value_class`` marks an embedded value (a list of them
    when ``many``), read and written by the same loop. ``bad`` holds values one step from valid
    with the path suffix where they are reported, for :mod:`loyalty_core.testing.strategies`.
    """

    name: str
    check: Callable[[Any], Any]
    nullable: bool = True
    shape: Callable[[Any], Any] | None = None
    render: Callable[[Any], Any] | None = None
    bad: tuple[BadExample, ...] = ()
    value_class: type[Value] | None = None
    many: bool = False


def bad_examples(values: tuple[object, ...]) -> tuple[BadExample, ...]:
    """Bad examples reported at the field's own path (for the testing strategies)."""
    return tuple((value, "") for value in values)


def field(kind: Kind, *, default: Any = None) -> Any:
    """Declare an attrs field of the given kind (keyword-only, with a default)."""
    return attrs.field(default=default, metadata={KIND: kind})


# --- checks --------------------------------------------------------------------------------


def _int(value: object, *, minimum: int, maximum: int, expected: str) -> int:
    if type(value) is int and minimum <= value <= maximum:
        return value
    if type(value) is not int or (value < minimum and minimum >= 0):
        msg = f"expected {expected}, got {show(value)}"
    else:  # outside a limit of the docs' Limits page
        msg = f"expected an integer from {minimum} to {maximum}, got {show(value)}"
    raise BadValue(msg)


def check_count(value: object) -> int:
    """Check a count or limit: an ``int`` (not a ``bool``) from 0 to :data:`MAX_INT` (PAY-7)."""
    return _int(value, minimum=0, maximum=MAX_INT, expected="an integer >= 0")


def check_positive(value: object, maximum: int) -> int:
    """Check a count argument or an extension: an ``int`` from 1 to ``maximum`` (RED-2, EXT-1)."""
    return _int(value, minimum=1, maximum=maximum, expected="an integer >= 1")


def check_payload_count(value: object) -> int:
    """Check a count read from JSON: :func:`check_positive` to :data:`MAX_INT`, ``1.0`` as 1.

    RED-2 for the redeem request body and a scenario's events (PAY-7: an integral float is
    its integer).
    """
    return checked(lambda count: check_positive(count, MAX_INT), integral, value)


def check_days(value: object) -> int:
    """Check a number of days to extend by: an ``int`` from 1 to :data:`MAX_DAYS` (EXT-1)."""
    return check_positive(value, MAX_DAYS)


def check_int(value: object) -> int:
    """Check an id: an ``int`` that is not a ``bool``, within 64 bits (PAY-7)."""
    return _int(value, minimum=MIN_INT, maximum=MAX_INT, expected="an integer")


def check_period(value: object) -> int:
    """Check a period or a number of days: an ``int`` from 0 to :data:`MAX_DAYS` (PAY-7).

    A period's unit can lower the bound further (:func:`loyalty_core.periods.period_problems`).
    """
    return _int(value, minimum=0, maximum=MAX_DAYS, expected="an integer >= 0")


def _offset(value: object, limit: int) -> int:
    expected = f"an integer from -{limit} to {limit}"
    return _int(value, minimum=-limit, maximum=limit, expected=expected)


def check_day_offset(value: object) -> int:
    """Check an offset in days (``notify_*_offset_days``): at most :data:`MAX_DAYS` either way."""
    return _offset(value, MAX_DAYS)


def check_hour_offset(value: object) -> int:
    """Check an offset in hours (NTF-2, NTF-5, NTF-6): at most :data:`MAX_HOURS` either way."""
    return _offset(value, MAX_HOURS)


def check_hour(value: object) -> int:
    """Check a notification hour: an ``int`` from 0 to 23 (NTF-7)."""
    return _int(value, minimum=0, maximum=23, expected="an integer from 0 to 23")


def check_bool(value: object) -> bool:
    """Check a flag: a real ``bool``; strings and 0/1 are rejected (PAY-6)."""
    if type(value) is not bool:
        msg = f"expected true or false, got {show(value)}"
        raise BadValue(msg)
    return value


def check_text(value: object) -> str:
    """Check a string field; a number is rejected (PAY-7: string ids stay strings)."""
    if type(value) is not str:
        msg = f"expected a string, got {show(value)}"
        raise BadValue(msg)
    return value


def check_texts(value: object) -> tuple[str, ...]:
    """Check a list of strings (``meta``), stored as a tuple."""
    if isinstance(value, list | tuple) and all(type(v) is str for v in value):
        return tuple(value)
    msg = f"expected an array of strings, got {show(value)}"
    raise BadValue(msg)


def check_instant(value: object) -> datetime:
    """Check an instant: an aware ``datetime``, stored as a plain UTC instant (TIME-1/2).

    A stored instant must lie within :data:`~loyalty_core.limits.EARLIEST` and
    :data:`~loyalty_core.limits.LATEST`, so that its local time exists in every zone.
    """
    if isinstance(value, datetime):
        try:
            return clock.as_instant(value, name="")
        except InvalidRequest as exc:
            raise BadValue(exc.problems[0].message) from None
    msg = f"expected an aware datetime, got {show(value)}"
    raise BadValue(msg)


def check_zone(value: object) -> str:
    """Check an IANA zone name (TIME-3); a ``ZoneInfo`` is stored by its key."""
    key = getattr(value, "key", None) if not isinstance(value, str) else value
    problem = clock.zone_error(key)
    if problem is not None:
        raise BadValue(
            problem
            if isinstance(key, str)
            else f"expected an IANA time zone name, got {show(value)}"
        )
    return key  # type: ignore[return-value]


_MONEY_TEXT: Final = re.compile(r"-?+\d++(?:\.\d++)?+", re.ASCII)
MONEY_EXPECTED: Final = (
    "a money amount (an integer, a finite number or a decimal string such as '12.50', "
    f"below 10**18 with at most {MAX_MONEY_PLACES} decimal places)"
)


def to_money(value: object) -> Decimal:
    r"""Convert a money value exactly to ``Decimal`` (PAY-8, Q40), or raise :class:`BadValue`.

    An ``int`` is exact; a ``float`` goes through its shortest round-trip text (``0.1`` →
    ``Decimal('0.1')``); a string must match ``-?\d+(\.\d+)?`` and keeps its scale; a finite
    ``Decimal`` is kept. Booleans, NaN, infinities, exponents and whitespace are rejected, and
    so is any amount of :data:`~loyalty_core.limits.MAX_MONEY` or more, or with more than
    :data:`~loyalty_core.limits.MAX_MONEY_PLACES` decimal places.
    """
    if type(value) is Decimal and value.is_finite() and _in_money_range(value):
        return value  # the common case, first
    amount = _as_decimal(value)
    if amount is not None and _in_money_range(amount):
        return amount
    msg = f"expected {MONEY_EXPECTED}, got {show(value)}"
    raise BadValue(msg)


def _as_decimal(value: object) -> Decimal | None:
    """The exact Decimal of a money value before its range is checked, or None (PAY-8)."""
    amount: Decimal | None = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, Decimal):
        if value.is_finite():
            amount = value
    elif isinstance(value, int):
        if -MAX_INT <= value <= MAX_INT:  # larger ints fail the range check below anyway
            amount = Decimal(value)
    elif isinstance(value, str):
        if _MONEY_TEXT.fullmatch(value):
            amount = Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        amount = Decimal(repr(value))
    return amount


def to_positive_money(value: object) -> Decimal:
    """Convert a redemption amount like money (:func:`to_money`) and require it > 0.

    RWD-4, CRD-5: a zero or negative amount is a caller's bug, as a zero count is (RED-2).
    Raises :class:`BadValue`.
    """
    amount = to_money(value)
    if amount <= 0:
        msg = f"expected a money amount > 0, got {show(value)}"
        raise BadValue(msg)
    return amount


def _in_money_range(amount: Decimal) -> bool:
    # Below MAX_MONEY in size (Decimal compares by exponent first: 1E+999999999 is never
    # expanded), then at most MAX_MONEY_PLACES places and no exponent above it.
    if not -MAX_MONEY < amount < MAX_MONEY:
        return False
    text = str(amount)  # plain notation unless the exponent is positive or very small
    if "E" not in text:
        point = text.find(".")
        return point < 0 or len(text) - point - 1 <= MAX_MONEY_PLACES
    exponent = amount.as_tuple().exponent
    return isinstance(exponent, int) and -MAX_MONEY_PLACES <= exponent <= MAX_MONEY_PLACES


def check_money_nonnegative(value: object) -> Decimal:
    """Check a money value that must be ``>= 0`` (CRD-15, RWD-8)."""
    amount = to_money(value)
    if amount < 0:
        msg = f"expected a money amount >= 0, got {show(value)}"
        raise BadValue(msg)
    return amount


def check_money(value: object) -> Decimal:
    """Check a money value of either sign (a redemption's ``total`` and item ``value``, PAY-8)."""
    return to_money(value)


def check_period_type(value: object) -> PeriodType:
    """Check a period type: a :class:`~loyalty_core.PeriodType` or one of its string values."""
    try:
        return period_type_of(value)
    except InvalidRequest as exc:
        raise BadValue(exc.problems[0].message if exc.problems else str(exc)) from None


def check_condition(value: object) -> Condition | None:
    """Check a condition field (COND-1 to COND-3): ``""``, ``[]``, ``{}`` and null mean none.

    Anything else must compile, or :class:`~loyalty_core.errors.ConditionError` propagates with
    paths rooted at ``$``; the caller re-roots them at the field.
    """
    return to_condition(value)


# --- JSON shaping (PAY-2, PAY-3, PAY-7) -----------------------------------------------------


def integral(raw: Any) -> Any:
    """Return an integral float or Decimal (``30.0``) as an ``int`` (PAY-7), else ``raw``.

    The caller's integer check then rejects everything else (``30.5``, ``"30"``, ``True``).
    """
    kind = type(raw)
    if kind is float:
        if raw.is_integer():
            return int(raw)
    elif (
        kind is Decimal
        and raw.is_finite()
        # Only modest Decimals are converted: int(Decimal("1E+999999999")) never ends.
        and raw.adjusted() < _DIGITS_TO_CONVERT
        and raw == raw.to_integral_value()
    ):
        return int(raw)
    return raw


_DIGITS_TO_CONVERT: Final = 40
"""Larger integral Decimals stay Decimals (every integer field rejects them anyway)."""


def shape_instant(raw: object, naive_zone: Any = UTC) -> datetime:
    """Parse a payload datetime into an aware datetime (PAY-2); the instant check follows.

    A string takes the three PAY-2 shapes; a ``datetime`` object is taken as it is. A naive
    value is a wall time in ``naive_zone``: UTC in what the platform returns, the item's zone
    in request bodies (PAY-3, Q35).
    """
    if isinstance(raw, str):
        try:
            parsed = clock.parse_datetime(raw)
        except ValueError as exc:
            raise BadValue(str(exc)) from None
    elif isinstance(raw, datetime):
        parsed = raw
    else:
        msg = f"expected a datetime string, got {show(raw)}"
        raise BadValue(msg)
    if parsed.tzinfo is None:
        if naive_zone is UTC:
            return parsed.replace(tzinfo=UTC)
        try:
            return clock.wall_to_instant(parsed, naive_zone)
        except OverflowError:
            msg = f"expected a wall time whose instant Python can represent, got {show(raw)}"
            raise BadValue(msg) from None
    return parsed


T = TypeVar("T")


def checked(check: Callable[[Any], T], shaper: Callable[[Any], Any] | None, raw: object) -> T:
    """Shape ``raw`` for its kind, then check it; an error shows ``raw`` itself (PAY-12).

    ``shaper`` turns the JSON form into the Python one (:func:`integral` makes ``30.0`` an int);
    ``check`` is a field check that raises ``BadValue``. The message then shows the payload's own
    value, not the shaped one.
    """
    shaped = raw if shaper is None else shaper(raw)
    try:
        return check(shaped)
    except BadValue as exc:
        if shaped is raw:
            raise
        # PAY-12 shows the payload's own value, not the shape it was parsed into.
        raise BadValue(str(exc).removesuffix(show(shaped)) + show(raw)) from None


# --- read-only JSON (PAY-10) -----------------------------------------------------------------


def json_equal(a: object, b: object) -> bool:
    """Compare two JSON values as JSON does: ``true`` is not ``1``, ``1`` is ``1.0`` (PAY-6).

    Objects compare by their items (key order aside) and arrays item by item. Depth is bounded
    by :data:`~loyalty_core.limits.MAX_NESTING` for every value this module freezes.
    """
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    if isinstance(a, Mapping):
        return (
            isinstance(b, Mapping)
            and len(a) == len(b)
            and all(key in b and json_equal(item, b[key]) for key, item in a.items())
        )
    if isinstance(a, list | tuple):
        return (
            isinstance(b, list | tuple)
            and len(a) == len(b)
            and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(b, Mapping | list | tuple):
        return False
    return a == b


class JSONArray(tuple[Any, ...]):
    """A read-only JSON array: a tuple that also equals a list with the same items.

    Items compare as JSON values (:func:`json_equal`): ``[true]`` is not ``[1]``.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        """Compare item by item with a list or a tuple."""
        if isinstance(other, list | tuple):
            return json_equal(self, other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        """The negation of ``==``."""
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = tuple.__hash__


class JSONObject(Mapping[str, Any]):
    r"""A read-only JSON object: keys in their original order, values read-only too.

    Equal to any mapping with equal items (a plain ``dict`` included); hashable, so values
    that hold one stay hashable. Nested objects are ``JSONObject``\s and arrays
    :class:`JSONArray`\s; ``to_api`` writes them back as dicts and lists.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        """Wrap a mapping, freezing a copy of it; bad JSON raises ``ShapeError`` (internal)."""
        self._data: dict[str, Any] = {} if not data else freeze_json(data)._data  # noqa: SLF001

    def __getitem__(self, key: str) -> Any:
        """Return the value at ``key``."""
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the keys in their original order."""
        return iter(self._data)

    def __len__(self) -> int:
        """Return the number of keys."""
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        """Tell whether ``key`` is present."""
        return key in self._data

    def __eq__(self, other: object) -> bool:
        """Compare with any mapping, item by item, as JSON values (:func:`json_equal`)."""
        if isinstance(other, Mapping):
            return json_equal(self, other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        """The negation of ``==``."""
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        """Hash the key set: equal mappings have equal keys, and it never reads the values."""
        return hash(frozenset(self._data))

    def __repr__(self) -> str:
        """Render like the dict it holds."""
        return f"JSONObject({self._data})"


EMPTY: Final = JSONObject()
"""The ``extra`` of a value that keeps no unmodelled key."""


def _frozen(item: Any) -> Any:
    # Depth is already bounded by copy_json (MAX_NESTING), so this recursion is too.
    if type(item) is dict:
        obj = JSONObject()
        obj._data = {key: _frozen(value) for key, value in item.items()}  # noqa: SLF001
        return obj
    if type(item) is list:
        return JSONArray(_frozen(value) for value in item)
    return item


def freeze_json(value: Any) -> Any:
    """Return a read-only copy of a JSON value, or raise ``ShapeError`` (internal) naming where.

    Objects become :class:`JSONObject` and arrays :class:`JSONArray`; the value must be JSON and
    nested at most :data:`~loyalty_core.limits.MAX_NESTING` levels (checked without recursion).
    """
    kind = type(value)
    if (
        kind in _SCALARS
        or (kind is int and -_JSON_NUMBER_LIMIT < value < _JSON_NUMBER_LIMIT)
        or (kind is float and math.isfinite(value))
    ):
        return value
    return _frozen(copy_json(value))


_SCALARS: Final = frozenset({str, bool, type(None)})
_JSON_NUMBER_LIMIT: Final = 2**1024
"""Numbers of this size or more are not JSON (they are Infinity in JavaScript; limits)."""


def thaw(value: Any) -> Any:
    """Return a plain JSON copy (dicts and lists) of a read-only JSON value."""
    if type(value) in _SCALARS:
        return value
    return copy_json(value)


def check_json_object(value: object) -> JSONObject:
    """Check a JSON object field kept as it is (``type_attributes``, ``transaction``)."""
    if not isinstance(value, Mapping):
        msg = f"expected an object, got {show(value)}"
        raise BadValue(msg)
    frozen: JSONObject = freeze_json(value)
    return frozen


def check_json_array(value: object) -> JSONArray:
    """Check a JSON array field kept as it is (a benefit's or a redemption's ``meta``)."""
    if not isinstance(value, list | tuple):
        msg = f"expected an array, got {show(value)}"
        raise BadValue(msg)
    frozen: JSONArray = freeze_json(list(value))
    return frozen


# --- the field kinds --------------------------------------------------------------------------

_BAD_INSTANTS: Final = bad_examples(
    (
        "2021-02-30 10:00:00",
        "2023-11-07T05:31:56",
        "07/11/2023",
        "2021-03-05 24:00:00",
        "2021-03-05 10:00",
        "2021-03-05 10:00:60",
        "2021-03-05T10:00:00.1234567Z",
        "0001-01-01 00:00:00",
        "",
        1614902811,
        True,
    )
)
_BAD_MONEY: Final = bad_examples(
    ("1e3", "1E-2", "2.5e1", "12.50 ", " 12.50", "NaN", "Infinity", True, "12,50", "+5", ".5")
)


def _render_money(value: Decimal) -> str:
    return format(value, "f")


def _render_condition(value: Condition) -> Any:
    return value.rule


def _render_period_type(value: PeriodType) -> str:
    return value.value


COUNT: Final = Kind(
    "count",
    check_count,
    shape=integral,
    bad=bad_examples((-1, -(2**31), "3", True, False, 1.5, "", [3])),
)
INT: Final = Kind(
    "int",
    check_int,
    shape=integral,
    bad=bad_examples(("7", True, 1.5, [1], {"id": 1})),
)
PERIOD: Final = Kind(
    "period",
    check_period,
    shape=integral,
    bad=bad_examples((-1, "3", True, 1.5, MAX_DAYS + 1)),
)
DAY_OFFSET: Final = Kind(
    "day_offset",
    check_day_offset,
    shape=integral,
    bad=bad_examples(("3", True, 1.5, MAX_DAYS + 1)),
)
HOUR_OFFSET: Final = Kind(
    "hour_offset",
    check_hour_offset,
    shape=integral,
    bad=bad_examples(("3", True, 1.5, MAX_HOURS + 1)),
)
HOUR: Final = Kind(
    "hour",
    check_hour,
    shape=integral,
    bad=bad_examples((24, -1, 100, "3", True, 3.5)),
)
FLAG: Final = Kind(
    "flag",
    check_bool,
    nullable=False,
    bad=bad_examples(("true", "false", 1, 0, "yes", [])),
)
OPTIONAL_FLAG: Final = Kind(
    "optional_flag",
    check_bool,
    bad=bad_examples(("true", "false", 1, 0, "no")),
)
TEXT: Final = Kind(
    "text",
    check_text,
    bad=bad_examples((7, 1.5, True, ["a"], {"a": 1})),
)
TEXTS: Final = Kind(
    "texts",
    check_texts,
    render=list,
    bad=bad_examples(("abc", [1], ["a", None], {"a": "b"}, 5)),
)
INSTANT: Final = Kind(
    "instant", check_instant, shape=shape_instant, render=clock.format_wall, bad=_BAD_INSTANTS
)
ZONE: Final = Kind(
    "zone",
    check_zone,
    bad=bad_examples(("Mars/Olympus", "", "Australia/Melbourn", 10, True)),
)
MONEY: Final = Kind(
    "money",
    check_money_nonnegative,
    render=_render_money,
    bad=(
        *_BAD_MONEY,
        *bad_examples(("-1", "-0.01", -5)),
    ),
)
SIGNED_MONEY: Final = Kind("signed_money", check_money, render=_render_money, bad=_BAD_MONEY)
PERIOD_TYPE: Final = Kind(
    "period_type",
    check_period_type,
    nullable=False,
    render=_render_period_type,
    bad=bad_examples(("fortnight", "DAYS", "day", 3, True)),
)
CONDITION: Final = Kind(
    "condition",
    check_condition,
    render=_render_condition,
    bad=(
        ({"foo": [1]}, ""),
        ({"==": [1]}, ""),
        ({"var": ["a", 1, 2]}, ""),
        ("not json", ""),
        ('{"==": [1, 2]', ""),
        ([1], ""),
        (5, ""),
        (True, ""),
        ({"a": 1, "b": 2}, ""),
        ({"and": [True, {"foo": 1}]}, ".and[1]"),
        ('{"or": [false, {"nope": []}]}', ".or[1]"),
    ),
)
JSON_OBJECT: Final = Kind(
    "json_object",
    check_json_object,
    render=thaw,
    bad=bad_examples(("x", 5, [1], True)),
)
JSON_ARRAY: Final = Kind(
    "json_array",
    check_json_array,
    render=thaw,
    bad=bad_examples(("x", 5, {"a": 1})),
)


def check_values(
    items: object, name: str, types: type | tuple[type, ...], what: str
) -> tuple[Any, ...]:
    """Check an argument that is an iterable of values (holdings, rewards, items to extend).

    Returns the values as a tuple (the same tuple when one is given). Something that is not
    iterable is an :class:`InvalidRequest` at ``name``; a value that is not one of ``types`` is
    one at ``name[index]``; ``what`` names the types in the message.

    >>> check_values([1, "two"], "numbers", int, "number")
    Traceback (most recent call last):
    ...
    loyalty_core.errors.InvalidRequest: numbers[1]: expected a number, got 'two'
    """
    try:
        values = items if type(items) is tuple else tuple(items)  # type: ignore[arg-type]
    except TypeError:
        msg = f"expected an iterable of {what} values, got {show(items)}"
        raise InvalidRequest(Problem(name, msg)) from None
    for index, value in enumerate(values):
        if not isinstance(value, types):
            msg = f"expected a {what}, got {show(value)}"
            raise InvalidRequest(Problem(f"{name}[{index}]", msg))
    return values


def check_arguments(given: Iterable[tuple[str, Kind, object]]) -> dict[str, Any]:
    """Check optional arguments by their field kinds: ``(name, kind, value)``, null allowed.

    Returns each checked value by name; raises one :class:`InvalidRequest` naming every bad
    one (a claim's ``external_id`` and ``meta``, a redemption record's extras).
    """
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, kind, value in given:
        if value is None:
            values[name] = None
            continue
        try:
            values[name] = kind.check(value)
        except BadValue as exc:
            problems.append(Problem(name, str(exc)))
        except ShapeError as exc:
            problems.append(Problem(exc.where(name), str(exc)))
    if problems:
        raise InvalidRequest(problems)
    return values


def required(kind: Kind) -> Kind:
    """Return ``kind`` made non-nullable (PAY-9 required keys)."""
    return attrs.evolve(kind, nullable=False)


def nested(cls: type[Value], *, many: bool = False) -> Kind:
    """Return the kind of an embedded value of class ``cls`` (a list of them when ``many``)."""

    def check(value: object) -> object:
        if many:
            if isinstance(value, list | tuple) and all(isinstance(v, cls) for v in value):
                return tuple(value)
            msg = f"expected a list of {cls.__name__} values, got {show(value)}"
            raise BadValue(msg)
        if isinstance(value, cls):
            return value
        msg = f"expected a {cls.__name__}, got {show(value)}"
        raise BadValue(msg)

    return Kind(
        f"nested:{cls.__name__}",
        check,
        value_class=cls,
        many=many,
        bad=bad_examples(([], "x", 5, True, 1.5)) if not many else bad_examples(("x", 5, {"a": 1})),
    )


# --- the value base class ------------------------------------------------------------------

DERIVED: Final = frozenset(
    {
        "is_expired",
        "is_redeemable",
        "is_active",
        "issued_local_at",
        "expires_local_at",
        "notify_issue_at",
        "notify_expiry_at",
        "total_global_redemptions_remaining",
    }
)
"""Keys computed from other fields: never stored, never kept in ``extra`` (PAY-10)."""

V = TypeVar("V", bound="Value")


class Value:
    """Base of the platform values: validates every field on construction, converts JSON.

    Subclasses are ``@attrs.frozen(kw_only=True)`` classes whose fields come from
    :func:`field`, plus ``extra = extra_field()``. They may override :meth:`_complete` and
    :meth:`_invariants` for cross-field rules, and :meth:`_read_hook` and :meth:`_write_hook`
    for keys the generic loop does not handle.
    """

    __slots__ = ()

    extra: Mapping[str, Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Give each value class the short :meth:`__repr__`.

        attrs writes a ``__repr__`` of every field into each class it builds, unless the class
        body defines one; setting it here, before the decorator runs, is that definition.
        """
        super().__init_subclass__(**kwargs)
        if "__repr__" not in cls.__dict__:
            cls.__repr__ = Value.__repr__  # type: ignore[method-assign]

    def __repr__(self) -> str:
        """Show the fields that differ from their defaults, each value shortened.

        Values are cut to about 80 characters (conditions show their JSON rule, instants
        ``YYYY-MM-DDTHH:MM:SSZ``), ``security_code`` is masked, and after about 1,000
        characters the rest is counted, not shown: a repr stays short whatever the value holds.
        Equality and hashing still compare every field.

        >>> from loyalty_core import BenefitDefinition
        >>> BenefitDefinition(handle="coffee", is_claimable=True, claim_condition={
        ...     "in": ["vip", {"var": "flattened_tags"}]})
        BenefitDefinition(handle='coffee', is_claimable=True, \
claim_condition={"in": ["vip", {"var": "flattened_tags"}]})
        """
        return _value_repr(self, _REPR_VALUE, _REPR_LIMIT)

    def _repr_html_(self) -> str:
        """Return an HTML table of the fields that differ from their defaults (notebooks).

        One row per field (one per key of ``extra``), values shortened as in :meth:`__repr__`
        but longer; the caption names the class and its ``handle`` or ``id``. The table is
        bounded in rows (100) and length, and every text is escaped.
        """
        return _display.html_table(
            _caption(self),
            ("field", "value"),
            _html_rows(self),
            empty="every field has its default value",
        )

    def __attrs_post_init__(self) -> None:
        """Check and normalise every field, then the invariants; raise one error naming each.

        The error is :class:`InvalidRequest`, or :class:`ConditionError` when a condition is
        among the bad fields (COND-3); either lists every problem.
        """
        problems: list[Problem] = []
        condition_error = self._check_fields(problems)
        problems.extend(self._check_extra())
        if not problems:
            self._complete()
            problems.extend(self._invariants(""))
        if condition_error is not None:
            raise ConditionError(problems) from condition_error
        if problems:
            raise InvalidRequest(problems)

    def _check_fields(self, problems: list[Problem]) -> ConditionError | None:
        """Check and normalise each field; return the first condition error (COND-3)."""
        condition_error: ConditionError | None = None
        setter = object.__setattr__
        for name, kind in specs(type(self)):
            value = getattr(self, name)
            if value is None:
                if kind.nullable:
                    continue
                problems.append(Problem(name, "must not be null"))
                continue
            try:
                normalised = kind.check(value)
            except BadValue as exc:
                problems.append(Problem(name, str(exc)))
                continue
            except ShapeError as exc:
                problems.append(Problem(exc.where(name), str(exc)))
                continue
            except ConditionError as exc:
                # COND-3: a rejected condition makes a constructor raise ConditionError; its
                # JSON paths are rooted at the field ("claim_condition.and[1]").
                condition_error = condition_error or exc
                problems.extend(Problem(name + p.where[1:], p.message) for p in exc.problems)
                continue
            if normalised is not value:
                setter(self, name, normalised)
        return condition_error

    def _check_extra(self) -> list[Problem]:
        extra = self.extra
        if type(extra) is not JSONObject:
            if not isinstance(extra, Mapping):
                return [Problem("extra", f"expected a mapping, got {show(extra)}")]
            try:
                extra = JSONObject(extra)
            except ShapeError as exc:
                return [Problem(exc.where("extra"), str(exc))]
            object.__setattr__(self, "extra", extra)
        known = known_keys(type(self))
        return [
            Problem(
                f"extra{key_segment(key)}",
                "is derived from the fields (PAY-10), never kept"
                if key in DERIVED
                else f"is a field of {type(self).__name__}, not an extra key",
            )
            for key in extra
            if key in known
        ]

    @classmethod
    def from_api(cls, payload: object, *, strict: bool = False) -> Self:
        """Build the value from the platform's JSON shape (PAY rules).

        Datetimes without an offset are UTC (PAY-3), money becomes ``Decimal`` (PAY-8), derived
        keys are ignored and every other unmodelled key is kept, read-only, in :attr:`extra`
        (PAY-10); with ``strict=True`` an unmodelled key is an error instead, with the closest
        known key as a hint. Every bad field is reported at once in one
        :class:`~loyalty_core.errors.PayloadError`, by JSON path and value (PAY-12).
        """
        found = Problems(strict=strict)
        value = _read(cls, payload, "$", found)
        if found.problems or value is None:
            raise PayloadError(found.problems) from found.cause
        return value

    def to_api(self) -> dict[str, Any]:
        """Return the platform's JSON shape (PAY-5), ``extra`` included: lossless (PAY-10).

        ``from_api(x.to_api()) == x``, and ``from_api(p).to_api()`` has every non-derived key
        of ``p``, modelled keys in canonical form.
        """
        return _write(self)

    def _complete(self) -> None:
        """Fill fields whose null means another field's value (PAY-9); a no-op by default."""

    def _invariants(self, prefix: str) -> Iterable[Problem]:
        """Return the cross-field problems; ``prefix`` is ``""`` or a JSON path like ``$.``."""
        del prefix
        return ()

    @classmethod
    def _read_hook(
        cls,
        payload: Mapping[str, Any],
        values: dict[str, Any],
        prefix: str,
        problems: list[Problem],
    ) -> None:
        """Read what the generic loop does not (PAY-9 fills); a no-op by default."""
        del payload, values, prefix, problems

    def _write_hook(self, out: dict[str, Any]) -> None:
        """Add derived keys the platform writes (PAY-5 local twins); a no-op by default."""
        del out


# --- showing a value (short reprs and notebook tables) ------------------------------


class DerivedValue(Value):
    """A value that may keep one private, derived answer beside its fields.

    The slot ``_derived`` is written by the module that derives the answer (the claim check
    keeps its plan of a definition there, :func:`loyalty_core.claims.definition_plan`). It is
    not a field: never compared, hashed, copied, pickled or shown, and a changed copy
    (``attrs.evolve``) starts without it.
    """

    __slots__ = ("_derived",)


_REPR_VALUE: Final = 80
"""Characters of one field's value in a repr."""
_REPR_LIMIT: Final = 1_000
"""Characters of fields a repr shows before it counts the rest instead."""
_MASKED: Final = frozenset({"security_code"})
"""Fields shown as ``'***'`` when set: a repr or a table may end up in a log or a notebook."""


def _is_default(item: object, default: object) -> bool:
    # Only the same type counts: a count of 0 is not the default False of a flag.
    return item is default or (type(item) is type(default) and item == default)


def changed_fields(value: Value) -> Iterator[tuple[str, Any]]:
    """Yield ``(name, value)`` for each field of ``value`` that differs from its default.

    Fields come in declaration order, ``extra`` (when it holds a key) last.
    """
    for attribute in attrs.fields(type(value)):  # type: ignore[arg-type]
        default = attribute.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        item = getattr(value, attribute.name)
        if not _is_default(item, default) and not (
            attribute.name == "extra" and isinstance(item, Mapping) and not item
        ):
            yield attribute.name, item


def _value_repr(value: Value, value_limit: int, limit: int) -> str:
    """Render ``Class(name=value, ...)``: fields in about ``limit`` characters, then a count."""
    parts: list[str] = []
    size = 0
    changed = list(changed_fields(value))
    kinds = dict(specs(type(value)))
    for index, (name, item) in enumerate(changed):
        part = f"{name}={_short(item, value_limit, kinds.get(name), masked=name in _MASKED)}"
        if size + len(part) > limit:
            parts.append(f"... {len(changed) - index} more")
            break
        parts.append(part)
        size += len(part) + 2
    return f"{type(value).__name__}({', '.join(parts)})"


_NESTED_VALUE: Final = 40
"""Characters of one field's value in the repr of an embedded value."""
_SHOWN_AS_IS: Final = (str, int, float, Decimal, datetime, Mapping, tuple, type(None))
"""Field values shown as they are; others (a claim timeframe) as their kind renders them."""


def _short(item: object, limit: int, kind: Kind | None, *, masked: bool = False) -> str:
    """Render one field's value in at most ``limit`` characters, brackets balanced."""
    if masked and item is not None:
        return "'***'"
    if isinstance(item, Condition):
        # The canonical text, decoded (linear in its size): what the value stores (COND-3).
        return _display.compact(item.rule, limit, style="json")
    if isinstance(item, Value):
        # An embedded value (a benefit's definition): its own fields, shorter still.
        return _value_repr(item, _NESTED_VALUE, limit)
    if isinstance(item, tuple) and item and isinstance(item[0], Value):
        return _values_repr(item, limit)
    if not isinstance(item, _SHOWN_AS_IS) and kind is not None and kind.render is not None:
        item = kind.render(item)
    return _display.compact(item, limit)


def _values_repr(values: tuple[Value, ...], limit: int) -> str:
    """Render embedded values (a redemption's items) in about ``limit`` characters."""
    shown: list[str] = []
    size = 0
    for index, each in enumerate(values):
        text = _value_repr(each, _NESTED_VALUE, max(limit - size, 0))
        if shown and size + len(text) > limit:
            shown.append(f"... {len(values) - index} more")
            break
        shown.append(text)
        size += len(text) + 2
    return "(" + ", ".join(shown) + ("," if len(values) == 1 else "") + ")"


def _caption(value: Value) -> str:
    caption = type(value).__name__
    handle = getattr(value, "handle", None)
    if isinstance(handle, str):
        caption += f" {show(handle)}"
    ident = getattr(value, "id", None)
    if ident is not None:
        caption += f" (id {show(ident)})" if isinstance(handle, str) else f" id {show(ident)}"
    return caption


def _html_rows(value: Value) -> Iterator[tuple[str, str]]:
    kinds = dict(specs(type(value)))
    for name, item in changed_fields(value):
        if name == "extra":
            # One row per kept key (PAY-10), named by its JSON path under extra.
            for key, kept in item.items():
                yield f"extra{key_segment(key)}", _display.compact(kept)
        else:
            yield name, _short(item, _display.MAX_TEXT, kinds.get(name), masked=name in _MASKED)


def extra_field() -> Any:
    """Declare a value's ``extra``: the unmodelled keys of its payload, read-only (PAY-10)."""
    return attrs.field(default=EMPTY)


_SPECS_CACHE: dict[type, tuple[tuple[str, Kind], ...]] = {}
_KNOWN_CACHE: dict[type, frozenset[str]] = {}


def specs(cls: type) -> tuple[tuple[str, Kind], ...]:
    """Return ``(field name, kind)`` for every declared field of an attrs value class."""
    found = _SPECS_CACHE.get(cls)
    if found is None:
        found = tuple((a.name, a.metadata[KIND]) for a in attrs.fields(cls) if KIND in a.metadata)
        _SPECS_CACHE[cls] = found
    return found


def known_keys(cls: type) -> frozenset[str]:
    """Return the keys ``cls.from_api`` reads or ignores: its fields and the derived keys."""
    found = _KNOWN_CACHE.get(cls)
    if found is None:
        found = frozenset(name for name, _ in specs(cls)) | DERIVED
        _KNOWN_CACHE[cls] = found
    return found


def build_trusted(cls: type[V], values: Mapping[str, Any]) -> V:
    """Build a value from fields that were already checked (the converter's fast path).

    Every field not in ``values`` takes its declared default. Only the converter and
    ``edit_credit`` call this, after running each field's check and the invariants themselves.
    """
    defaults = _DEFAULTS.get(cls)
    if defaults is None:
        defaults = _DEFAULTS.setdefault(
            cls,
            tuple(
                (
                    a.name,
                    a.default.factory if isinstance(a.default, attrs.Factory) else None,  # type: ignore[arg-type]
                    a.default,
                )
                for a in attrs.fields(cls)  # type: ignore[arg-type]
            ),
        )
    obj = cls.__new__(cls)
    setter = object.__setattr__
    for name, factory, default in defaults:
        if name in values:
            setter(obj, name, values[name])
        else:
            setter(obj, name, default if factory is None else factory())
    return obj


_DEFAULTS: dict[type, tuple[tuple[str, Callable[[], Any] | None, Any], ...]] = {}
"""Per value class: each field's name, its default factory (or None) and its default."""


_FIELD_READERS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def evolve_trusted(value: V, **changes: Any) -> V:
    """Return ``attrs.evolve(value, **changes)`` without re-checking any field.

    Only for changes the caller has proved keep every field and invariant valid (a smaller
    non-negative remainder, a counter advanced within its cap): ``attrs.evolve`` re-validates
    every field, which costs tens of microseconds on a definition, while copying the slots
    costs a fraction of that. The copy has no derived slot (:class:`DerivedValue`).
    """
    cls = type(value)
    found = _FIELD_READERS.get(cls)
    if found is None:
        names = tuple(a.name for a in attrs.fields(cls))  # type: ignore[arg-type]
        found = _FIELD_READERS.setdefault(cls, (names, operator.attrgetter(*names)))
    names, read = found
    copy = object.__new__(cls)
    # Every slot in one pass of C calls: the field values, then the changed ones.
    deque(map(object.__setattr__, repeat(copy), names, read(value)), maxlen=0)
    for name, changed in changes.items():
        object.__setattr__(copy, name, changed)
    return copy


# --- from_api: one loop for every value (PAY-1 to PAY-12) -----------------------------------


class Problems:
    """The problems found in one payload, by JSON path, raised together (PAY-12).

    The one collector of the payload boundary: ``from_api``, the request-body parsers and the
    scenario parser each add to one, and :meth:`raise_if_any` raises them as one
    :class:`~loyalty_core.errors.PayloadError`. It also keeps the first condition error (the
    error's cause) and whether unmodelled keys are errors (``strict``, PAY-10).
    """

    __slots__ = ("cause", "problems", "strict")

    def __init__(self, *, strict: bool = False) -> None:
        self.problems: list[Problem] = []
        self.cause: ConditionError | None = None
        self.strict = strict

    def add(self, where: str, message: str) -> None:
        """Add the problem ``message`` at the JSON path ``where``."""
        self.problems.append(Problem(where, message))

    def reroot(self, error: PayloadError, path: str) -> None:
        """Add ``error``'s problems, whose paths start at ``$``, under ``path``."""
        self.problems.extend(error.under(path))

    def check(self, check: Callable[[Any], T], raw: object, path: str) -> T | None:
        """Return ``check(raw)``, or ``None`` after adding its :class:`BadValue` at ``path``."""
        try:
            return check(raw)
        except BadValue as exc:
            self.add(path, str(exc))
            return None

    def optional(
        self, check: Callable[[Any], T], data: Mapping[str, Any], key: str, path: str
    ) -> T | None:
        """Check ``data[key]`` at ``path.key`` when present and not null; else ``None``."""
        raw = data.get(key)
        return None if raw is None else self.check(check, raw, f"{path}.{key}")

    def required(
        self, check: Callable[[Any], T], data: Mapping[str, Any], key: str, path: str
    ) -> T | None:
        """Check ``data[key]``; a missing or null one is a problem (PAY-9)."""
        if data.get(key) is None:
            self.add(f"{path}.{key}", "is required, got null or nothing")
            return None
        return self.check(check, data[key], f"{path}.{key}")

    def raise_if_any(self) -> None:
        """Raise every problem found as one :class:`~loyalty_core.errors.PayloadError`."""
        if self.problems:
            raise PayloadError(self.problems) from self.cause


def _read(cls: type[V], payload: object, path: str, found: Problems) -> V | None:
    if not isinstance(payload, Mapping):
        found.problems.append(Problem(path, f"expected an object, got {show(payload)}"))
        return None
    problems = found.problems
    before = len(problems)
    prefix = f"{path}."
    values: dict[str, Any] = {}
    for name, kind in specs(cls):
        raw = payload.get(name)
        if raw is None:
            if not kind.nullable and _has_no_default(cls, name):
                # PAY-9: required keys must be present and non-null.
                problems.append(Problem(prefix + name, "is required, got null or nothing"))
            continue
        values[name] = _read_field(kind, raw, prefix + name, found)
    cls._read_hook(payload, values, prefix, problems)
    extra = _read_extra(cls, payload, path, found)
    if len(problems) != before:
        return None
    if extra:
        values["extra"] = extra
    value = build_trusted(cls, values)
    value._complete()  # noqa: SLF001 - the converter completes what it builds
    problems.extend(value._invariants(prefix))  # noqa: SLF001 - shared invariant checks
    return value if len(problems) == before else None


def _read_field(kind: Kind, raw: Any, path: str, found: Problems) -> Any:
    cls = kind.value_class
    if cls is not None:
        if not kind.many:
            return _read(cls, raw, path, found)
        if not isinstance(raw, list | tuple):
            found.problems.append(Problem(path, f"expected an array, got {show(raw)}"))
            return None
        return tuple(_read(cls, item, f"{path}[{index}]", found) for index, item in enumerate(raw))
    try:
        return checked(kind.check, kind.shape, raw)
    except BadValue as exc:
        found.problems.append(Problem(path, str(exc)))
    except ShapeError as exc:
        found.problems.append(Problem(exc.where(path), str(exc)))
    except ConditionError as exc:
        # COND-3: recorded at the field's path; the first one is chained as the cause.
        found.problems.extend(Problem(path + p.where[1:], p.message) for p in exc.problems)
        if found.cause is None:
            found.cause = exc
    return None


def _read_extra(cls: type, payload: Mapping[Any, Any], path: str, found: Problems) -> JSONObject:
    """Keep every unmodelled key, in order and read-only (PAY-10); strict mode names them."""
    known = known_keys(cls)
    if len(payload) <= len(known) and all(key in known for key in payload):
        return EMPTY
    kept: dict[str, Any] = {}
    problems = found.problems
    for key, raw in payload.items():
        if key in known:
            continue
        if type(key) is str and not found.strict:
            try:
                kept[key] = freeze_json(raw)
            except ShapeError as exc:
                problems.append(Problem(exc.where(path + key_segment(key)), str(exc)))
        elif isinstance(key, str):
            problems.append(Problem(path + key_segment(key), _unknown_key(cls, key)))
        else:
            msg = f"expected a string key, got {show(key)}"
            problems.append(Problem(path + key_segment(key), msg))
    extra = JSONObject()
    extra._data = kept  # noqa: SLF001 - already frozen
    return extra


def _unknown_key(cls: type, key: str) -> str:
    message = f"is not a key of {cls.__name__} (strict mode)"
    close = closest(key, (name for name, _ in specs(cls)), n=1, cutoff=0.8)
    if close:
        message += f"; did you mean {show(close[0])}?"
    return message


def _has_no_default(cls: type, name: str) -> bool:
    return getattr(attrs.fields(cls), name).default is None


# --- to_api ---------------------------------------------------------------------------------


def _write(value: Value) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, kind in specs(type(value)):
        item = getattr(value, name)
        if item is None:
            out[name] = None
        elif kind.value_class is not None:
            out[name] = [_write(each) for each in item] if kind.many else _write(item)
        else:
            render = kind.render
            out[name] = item if render is None else render(item)
    value._write_hook(out)  # noqa: SLF001 - the class's own hook
    for key, item in value.extra.items():
        out[key] = thaw(item)
    return out
