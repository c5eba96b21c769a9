"""Limits on input, and the size-safe way the library shows a value in a message.

Services put loyalty_core in front of member data and partner payloads, so no input may make it
crash with someone else's exception or stall. This module is the one home of the limits that
keep every input within what the rules can compute, in time linear in its size (the docs page
*Limits and hostile input* lists them with the error each gives):

- :data:`MAX_NESTING`: arrays and objects nest at most 128 levels, in every JSON-ish value the
  library reads, copies or decodes (profile data, conditions and their literals, payloads,
  scenario files). Deeper input is an error at its JSON path, found without recursion.
- :data:`EARLIEST` and :data:`LATEST`: the instants a value may store; :data:`MAX_DAYS`, the
  number of days between them, bounds every period, offset and extension, so that a field
  whose value could never reach year 9999 is rejected when the value is built, not when a
  rule uses it.
- :data:`MAX_INT`: ids, counts and limits fit in 64 bits, as the platform stores them.
- :data:`MAX_MONEY` and :data:`MAX_MONEY_PLACES`: money below 10¹⁸ with at most 18 decimal
  places, so that exact arithmetic stays small.

:func:`show` renders a value for an error message like ``repr`` does for small values, and
shortens long text, huge numbers and big or deep containers, so a message never holds an
unbounded value (and never fails on an integer past Python's 4,300-digit ``str`` limit).

>>> show("gold")
"'gold'"
>>> show("1" * 50_000)
"'1111111111111111111111111111111111111111'... (50000 characters)"
>>> show(-(10**5000))
'a negative integer of 5001 digits'
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import re
import reprlib
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact
from itertools import accumulate
from typing import Any, Final, TypeAlias

__all__ = [
    "DECIMAL_DIGITS_SHOWN",
    "EARLIEST",
    "EXACT_MONEY",
    "HINTED_LENGTH",
    "HINTED_NAMES",
    "LATEST",
    "MAX_DAYS",
    "MAX_HOURS",
    "MAX_INT",
    "MAX_MONEY",
    "MAX_MONEY_PLACES",
    "MAX_NESTING",
    "MIN_INT",
    "STORABLE",
    "TEXT_SHOWN",
    "TEXT_WHOLE",
    "ShapeError",
    "closest",
    "copy_json",
    "is_too_deep_text",
    "key_segment",
    "listing",
    "path_segments",
    "path_text",
    "shorten",
    "show",
    "show_instant",
]

MAX_NESTING: Final = 128
"""The deepest nesting of arrays and objects in any JSON-ish value (a scalar nests 0 levels, a
container one more than its deepest element). Twice the rule depth of COND-7, so every rule
that COND-7 accepts fits, operand arrays included."""

EARLIEST: Final = datetime(1, 1, 2, tzinfo=UTC)
"""The earliest instant a value may store: its local time exists in every zone."""
LATEST: Final = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)
"""The latest instant a value may store: its local time exists in every zone."""

MAX_DAYS: Final = (LATEST.date() - EARLIEST.date()).days
"""The days from :data:`EARLIEST` to :data:`LATEST` (3,652,057): the longest period, offset or
extension in days that can reach a representable date from some other one."""
MAX_HOURS: Final = MAX_DAYS * 24
"""The largest hour offset (``notify_schedule_offset``, a reward's legacy hour offsets)."""

MAX_INT: Final = 2**63 - 1
"""The largest id, count or limit: the platform's 64-bit integers."""
MIN_INT: Final = -(2**63)
"""The smallest id."""

MAX_MONEY: Final = Decimal(10) ** 18
"""Money amounts lie strictly between ``-MAX_MONEY`` and ``MAX_MONEY``."""
MAX_MONEY_PLACES: Final = 18
"""Money amounts have at most this many decimal places."""

EXACT_MONEY: Final = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact])
"""The context of every money sum and difference: exact, never rounded to the default
context's 28 digits (Q40), which cannot hold 18 integer and 18 decimal digits at once."""

STORABLE: Final = f"{EARLIEST.date().isoformat()} to {LATEST.date().isoformat()} UTC"
"""The storable range of instants, as messages say it: ``0001-01-02 to 9999-12-30 UTC``."""


# --- showing values in messages -------------------------------------------------------------

TEXT_SHOWN: Final = 40
"""Characters of a long string that a message keeps."""
TEXT_WHOLE: Final = 80
"""Strings up to this length are shown whole."""
_INT_SHOWN: Final = 10**48
"""Integers of up to 48 digits are shown whole."""
_INT_BITS_COUNTED: Final = 100_000
"""Integers below 2**100000 (about 30,000 digits) have their digits counted exactly, with one
power of ten; larger ones approximately, from their bit length."""
DECIMAL_DIGITS_SHOWN: Final = 48
"""Decimals of up to 48 digits are shown whole."""
_LONGEST_SHOWN: Final = 300
"""The longest rendering of a container or other object."""


def _show_int(value: int) -> str:
    if -_INT_SHOWN < value < _INT_SHOWN:
        return int.__repr__(value)
    size = abs(value)
    sign = "a negative" if value < 0 else "an"
    bits = size.bit_length()
    digits = math.floor((bits - 1) * math.log10(2)) + 1  # exact, or one short
    if bits > _INT_BITS_COUNTED:
        return f"{sign} integer of about {digits} digits"
    if size >= 10**digits:
        digits += 1
    return f"{sign} integer of {digits} digits"


def _show_text(value: str) -> str:
    if len(value) <= TEXT_WHOLE:
        return repr(value)
    return f"{value[:TEXT_SHOWN]!r}... ({len(value)} characters)"


def _show_decimal(value: Decimal) -> str:
    if len(value.as_tuple().digits) <= DECIMAL_DIGITS_SHOWN:
        return repr(value)
    sign = "a negative" if value.is_signed() else "a"
    return f"{sign} Decimal of {len(value.as_tuple().digits)} digits"


class _BoundedRepr(reprlib.Repr):
    """``reprlib`` with bounded ints, strings and Decimals, and dicts in insertion order."""

    def __init__(self) -> None:
        """Set the bounds: 3 levels, 6 items, 40 characters of a string."""
        super().__init__()
        self.maxlevel = 3
        self.maxtuple = self.maxlist = self.maxdict = 6
        self.maxset = self.maxfrozenset = self.maxdeque = self.maxarray = 6
        self.maxstring = TEXT_SHOWN
        self.maxother = 80

    def repr_int(self, x: int, level: int) -> str:  # noqa: ARG002 - reprlib's signature
        return _show_int(x)

    def repr_str(self, x: str, level: int) -> str:  # noqa: ARG002 - reprlib's signature
        return _show_text(x)

    def repr_Decimal(self, x: Decimal, level: int) -> str:  # noqa: ARG002, N802 - reprlib's
        return _show_decimal(x)

    def repr_instance(self, x: object, level: int) -> str:  # noqa: ARG002 - reprlib's
        try:
            shown = repr(x)
        except Exception:  # noqa: BLE001 - a message must never fail on the value it shows
            return f"<{type(x).__name__} object>"
        if len(shown) > self.maxother:
            return shown[: self.maxother - 3] + "..."
        return shown

    def repr_dict(self, x: dict[Any, Any], level: int) -> str:
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        shown = [
            f"{self.repr1(key, level - 1)}: {self.repr1(item, level - 1)}"
            for key, item in list(x.items())[: self.maxdict]
        ]
        more = ", ..." if len(x) > self.maxdict else ""
        return "{" + ", ".join(shown) + more + "}"


_REPR: Final = _BoundedRepr()


def show_instant(value: datetime) -> str:
    """Render a datetime as every message and JSON detail shows one: ISO 8601 with ``T``.

    UTC ends in ``Z``, another offset is written out, and a naive datetime says so. The year
    always has four digits. :func:`loyalty_core.clock.format_instant` is this, in UTC. Never
    raises: a datetime whose zone cannot give its offset is named by its type.

    >>> from datetime import timedelta, timezone
    >>> show_instant(datetime(2026, 11, 1, 6, 30, tzinfo=UTC))
    '2026-11-01T06:30:00Z'
    >>> show_instant(datetime(2026, 11, 1, 15, 30, tzinfo=timezone(timedelta(hours=9))))
    '2026-11-01T15:30:00+09:00'
    >>> show_instant(datetime(2026, 11, 1, 6, 30))
    '2026-11-01T06:30:00 (naive)'
    """
    try:
        offset = value.utcoffset()
        if offset is None:
            return value.isoformat(sep="T") + " (naive)"
        if not offset:
            return value.replace(tzinfo=None).isoformat(sep="T") + "Z"
        return value.isoformat(sep="T")
    except Exception:  # noqa: BLE001 - a message must never fail on the value it shows
        return f"<{type(value).__name__} object>"


_SIMPLE: Final[dict[type, Callable[[Any], str]]] = {
    datetime: show_instant,
    date: date.isoformat,
    type(None): repr,
    bool: repr,
    float: repr,
    int: _show_int,
    str: _show_text,
    Decimal: _show_decimal,
}


def show(value: object) -> str:
    """Render ``value`` for a message: its ``repr`` when small, a bounded summary otherwise.

    Strings over 80 characters keep their first 40 and say their length; integers of more than
    48 digits say how many digits they have; containers show at most 6 items and 3 levels, in
    at most 300 characters; datetimes as :func:`show_instant` writes them.
    Rendering takes time linear in the value's size at most, and never raises.

    >>> show(-1), show([1, 2, 3]), show({"b": 1, "a": 2})
    ('-1', '[1, 2, 3]', "{'b': 1, 'a': 2}")
    >>> show(list(range(10)))
    '[0, 1, 2, 3, 4, 5, ...]'
    """
    simple = _SIMPLE.get(type(value))
    if simple is not None:
        return simple(value)
    if isinstance(value, datetime):  # a subclass (pendulum's, say): shown as an instant too
        return show_instant(value)
    try:
        shown = _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a message must never fail on the value it shows
        return f"<{type(value).__name__} object>"
    return shown if len(shown) <= _LONGEST_SHOWN else shown[: _LONGEST_SHOWN - 3] + "..."


# --- JSON paths -------------------------------------------------------------------------------

_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*+")

Path: TypeAlias = "tuple[Path, str | int] | None"
"""A JSON path as a linked list (parent, key or index), rendered only when an error needs it."""


def key_segment(key: object) -> str:
    """Render one step of a JSON path: ``.key``, ``["odd key"]`` or ``[3]``; long keys shortened.

    >>> key_segment("spend_12m"), key_segment("a b"), key_segment(3)
    ('.spend_12m', '["a b"]', '[3]')
    """
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{_show_int(key)}]"
    text = key if isinstance(key, str) else str(key)
    if len(text) <= TEXT_WHOLE and _IDENTIFIER.fullmatch(text):
        return f".{text}"
    return f"[{json.dumps(shorten(text), ensure_ascii=False)}]"


def shorten(text: str) -> str:
    """Return text for a sentence or a path: whole up to 80 characters, else its head and length.

    >>> shorten("tier_handle"), shorten("a." * 50)
    ('tier_handle', 'a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.... (100 characters)')
    """
    return text if len(text) <= TEXT_WHOLE else f"{text[:TEXT_SHOWN]}... ({len(text)} characters)"


HINTED_LENGTH: Final = 200
"""Names longer than this get no "did you mean" hint (a comparison costs the product of lengths)."""
HINTED_NAMES: Final = 5_000
"""A hint compares the name with at most this many candidates."""


def closest(name: str, names: Iterable[str], *, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` of ``names`` most like ``name``, for a "did you mean" hint; bounded work.

    A name or candidate longer than :data:`HINTED_LENGTH` is not compared, and only the first
    :data:`HINTED_NAMES` candidates are, so a hostile key or frame costs little.

    >>> closest("aggregations.spend12m", ["id", "aggregations.spend_12m", "tier_handle"])
    ['aggregations.spend_12m']
    >>> closest("x" * 50_000, ["x"])
    []
    """
    if len(name) > HINTED_LENGTH:
        return []
    candidates = [
        candidate
        for candidate in itertools.islice(names, HINTED_NAMES)
        if len(candidate) <= HINTED_LENGTH
    ]
    return difflib.get_close_matches(name, candidates, n=n, cutoff=cutoff)


def path_segments(path: Path) -> list[str | int]:
    """Return the keys and indexes of a linked-list path, outermost first.

    >>> path_segments(((None, "a"), 0)), path_segments(None)
    (['a', 0], [])
    """
    segments: list[str | int] = []
    while path is not None:
        path, segment = path
        segments.append(segment)
    segments.reverse()
    return segments


def path_text(root: str, path: Path) -> str:
    """Render a linked-list path under ``root`` (``"$"``, ``"context"``, ``"$.claim_condition"``).

    >>> path_text("$", ((None, "a"), 0))
    '$.a[0]'
    """
    return root + "".join(key_segment(segment) for segment in path_segments(path))


# --- lists in messages ------------------------------------------------------------------------

_LISTED: Final = 10
"""The most items a message lists (variables, clauses, operands, thresholds): :func:`listing`
says how many more there are."""


def listing(
    parts: Iterable[str],
    count: int,
    separator: str,
    *,
    budget: int | None = None,
    more: str = " (and {} more)",
) -> str:
    """Join the first ten of ``count`` parts, then say how many are left out: ``(and 2 more)``.

    The one home of "list up to ten, then say how many more" in messages. ``parts`` is read
    lazily, at most ten items. With a ``budget``, a part after the first is listed only while
    the listed parts' lengths add up to at most ``budget``: the first that does not fit ends
    the list. ``more`` is the tail, formatted with the count of the parts left out; there is
    none when every part is listed.

    >>> listing((f"v{i}" for i in range(12)), 12, ", ")
    'v0, v1, v2, v3, v4, v5, v6, v7, v8, v9 (and 2 more)'
    >>> listing(["a" * 6, "b" * 6, "c"], 3, "; ", budget=10, more="; and {} more")
    'aaaaaa; and 2 more'
    """
    shown: list[str] = []
    length = 0
    for part in itertools.islice(parts, _LISTED):
        if budget is not None and shown and length + len(part) > budget:
            break  # each part is bounded by its caller; the line is too, whatever the parts
        shown.append(part)
        length += len(part)
    left = count - len(shown)
    return separator.join(shown) + (more.format(left) if left > 0 else "")


# --- nesting ----------------------------------------------------------------------------------


class ShapeError(ValueError):
    """A JSON-ish value is too deep or holds something that is not JSON (internal).

    ``path`` says where. Each boundary turns it into its own error type (``PayloadError``,
    ``InvalidRequest`` or ``ConditionError``) at its own root.
    """

    def __init__(self, path: Path, message: str) -> None:
        """Record where the value goes wrong, and how."""
        super().__init__(message)
        self.path = path

    def where(self, root: str) -> str:
        """Return the JSON path of the offending item, under ``root``."""
        return path_text(root, self.path)


_CONTAINERS: Final = (Mapping, list, tuple)
_PLAIN: Final = frozenset({str, bool, type(None)})
_DOUBLE_LIMIT: Final = 2**1024
"""Numbers of this size or more are Infinity in JavaScript, which JSON cannot write."""


def _not_json(item: object) -> str | None:
    """Say why a scalar is not a JSON value, or return ``None`` when it is one."""
    if item is None or isinstance(item, bool | str):
        return None
    # COND-5: int, float and Decimal are all numbers; NaN and the infinities are not JSON.
    finite = isinstance(item, int) or (
        item.is_finite()
        if isinstance(item, Decimal)
        else isinstance(item, float) and math.isfinite(item)
    )
    if finite and abs(item) < _DOUBLE_LIMIT:  # type: ignore[arg-type]
        return None
    return f"expected a JSON value (a finite number below 2**1024 in size), got {show(item)}"


def _copied(item: Any, level: int, path: Path, stack: list[Any]) -> Any:
    """Return the copy of one item: a scalar itself, or a new container queued on ``stack``."""
    if type(item) in _PLAIN:
        return item
    if isinstance(item, _CONTAINERS):
        if level >= MAX_NESTING:
            raise ShapeError(path, f"nested deeper than {MAX_NESTING} levels")
        child: dict[Any, Any] | list[Any] = {} if isinstance(item, Mapping) else []
        stack.append((item, child, level + 1, path))
        return child
    problem = _not_json(item)
    if problem is not None:
        raise ShapeError(path, problem)
    return item


def copy_json(value: Any) -> Any:
    """Copy a JSON value: mappings become dicts and arrays lists, without recursion.

    Scalars are shared, not copied. They must be JSON: strings, booleans, null, and numbers
    (``int``, ``float`` or ``Decimal``, COND-5) that are finite and below 2**1024 in size;
    object keys must be strings. Anything else, and a container nested deeper than
    :data:`MAX_NESTING` (a cycle, too), raises :class:`ShapeError` naming its path.

    >>> data = {"tags": ("vip",), "aggregations": {"spend_12m": 10}}
    >>> copy_json(data)
    {'tags': ['vip'], 'aggregations': {'spend_12m': 10}}
    """
    stack: list[tuple[Any, dict[Any, Any] | list[Any], int, Path]] = []
    top = _copied(value, 0, None, stack)
    while stack:
        source, target, level, path = stack.pop()
        if type(target) is dict:
            for key, item in source.items():
                if not isinstance(key, str):
                    raise ShapeError(path, f"expected a string key, got {show(key)}")
                target[key] = _copied(item, level, (path, key), stack)
        else:
            target.extend(  # type: ignore[union-attr]
                _copied(item, level, (path, index), stack) for index, item in enumerate(source)
            )
    return top


# The strings of JSON text (escapes included) and everything that is not a bracket: removed
# before counting how deep the brackets nest. Possessive, so neither can backtrack.
_JSON_STRING: Final = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_BRACKET: Final = re.compile(r"[^\[\]{}]++")
_DEPTH_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}


def is_too_deep_text(text: str) -> bool:
    """Tell whether JSON text nests arrays and objects deeper than :data:`MAX_NESTING`.

    Checked before decoding, in time linear in the text, so that a hostile document never
    reaches a recursive decoder. Brackets inside strings do not count.

    >>> is_too_deep_text("[" * 129 + "]" * 129), is_too_deep_text('["[[[[", [1]]')
    (True, False)
    """
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return False
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > MAX_NESTING
