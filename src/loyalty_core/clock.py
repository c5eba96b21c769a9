"""Instants, zones and local dates: the only module that does calendar arithmetic (TIME rules).

Every instant the library stores or returns is a plain :class:`~datetime.datetime` whose
``tzinfo`` is :data:`datetime.UTC` (TIME-1), and instants are compared in UTC only.
Calendar arithmetic is done on *local dates* in an IANA zone (TIME-4, TIME-6), and a local wall
time becomes an instant through :func:`wall_to_instant` (TIME-5): a time in a DST gap moves
forward by the gap, an ambiguous one takes the earlier instant (Q39).

Rule arithmetic uses the standard library (:mod:`zoneinfo`) and :mod:`dateutil`'s
``relativedelta`` for months; pendulum is used only where people read time
(:func:`describe_span`, lenient CLI parsing in :func:`parse_lenient`). ``benchmarks/`` shows why.

>>> from datetime import date
>>> str(end_of_day(date(2021, 4, 24), zone("UTC")))
'2021-04-24 23:59:59+00:00'
>>> str(wall_to_instant(datetime(2026, 3, 8, 2, 30), zone("America/New_York")))
'2026-03-08 07:30:00+00:00'
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta

from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import EARLIEST, LATEST, STORABLE, show, show_instant

__all__ = [
    "EARLIEST",
    "KNOWN_ZONES",
    "LATEST",
    "OUT_OF_RANGE",
    "UTC",
    "CalendarUnit",
    "add_to_date",
    "as_instant",
    "describe_span",
    "end_of_day",
    "format_instant",
    "format_offset",
    "format_wall",
    "is_end_of_day",
    "local_date",
    "parse_datetime",
    "parse_lenient",
    "shift_keep_wall",
    "start_of_day",
    "wall_to_instant",
    "zone",
]

CalendarUnit = Literal["days", "weeks", "months", "years"]
"""The units of calendar arithmetic (TIME-6)."""

_ONE_SECOND: Final = timedelta(seconds=1)
_ONE_DAY: Final = timedelta(days=1)
_MIDNIGHT: Final = time()
_UTC_ZONE: Final = ZoneInfo("UTC")

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

OUT_OF_RANGE: Final = (OverflowError, ValueError)
"""What calendar arithmetic raises past Python's years 1 to 9999 (``datetime`` raises
``OverflowError``, ``relativedelta`` ``ValueError``): catch it as ``except clock.OUT_OF_RANGE``
around arithmetic on values already checked, and turn it into a result or a library error."""


# --- zones (TIME-3) -------------------------------------------------------------------------


KNOWN_ZONES: Final[dict[str, ZoneInfo]] = {}
"""Zones already resolved by name (:func:`zone`): a memo of immutable ``ZoneInfo`` values, never
invalidated (``ZoneInfo`` keeps such a cache itself; this one skips its slower lookup). Only
valid IANA names are kept, so it stays bounded. Read it, never write it: a name found here is
known to be valid, which is what the checks' fast paths ask."""


@lru_cache(maxsize=1024)
def _zone_by_name(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        msg = f"expected an IANA time zone name, got {show(name)}"
        raise ValueError(msg) from None


def zone(value: str | ZoneInfo, *, name: str = "timezone") -> ZoneInfo:
    """Resolve an IANA zone name (or a ``ZoneInfo``) for rule arithmetic (TIME-3).

    An unknown name, or anything that is not a name, raises :class:`InvalidRequest` naming
    the parameter ``name``.

    >>> zone("Australia/Melbourne").key
    'Australia/Melbourne'
    >>> zone("Mars/Olympus")
    Traceback (most recent call last):
    ...
    loyalty_core.errors.InvalidRequest: timezone: expected an IANA time zone name, got 'Mars...'
    """
    found = KNOWN_ZONES.get(value) if type(value) is str else None
    if found is not None:
        return found
    if isinstance(value, ZoneInfo):
        return value
    if isinstance(value, str) and value:
        try:
            found = KNOWN_ZONES[value] = _zone_by_name(value)
        except ValueError as exc:
            raise InvalidRequest(Problem(name, str(exc))) from None
        return found
    msg = f"expected an IANA time zone name, got {show(value)}"
    raise InvalidRequest(Problem(name, msg))


def zone_error(value: object) -> str | None:
    """Return why ``value`` is not a valid zone name, or ``None`` when it is one."""
    if isinstance(value, str) and value:
        try:
            _zone_by_name(value)
        except ValueError as exc:
            return str(exc)
        return None
    return f"expected an IANA time zone name, got {show(value)}"


# --- instants (TIME-1, TIME-2) --------------------------------------------------------------


def as_instant(value: object, *, name: str, bounded: bool = True) -> datetime:
    """Return an aware datetime as a plain UTC instant (TIME-1), or raise (TIME-2).

    Any zone and any ``datetime`` subclass (pendulum's included) is accepted; the result is
    always a plain ``datetime`` with ``tzinfo=datetime.UTC``, microseconds kept. A naive
    datetime, anything else, or (when ``bounded``, the default) an instant outside
    :data:`EARLIEST` .. :data:`LATEST` raises :class:`InvalidRequest` naming the parameter.

    >>> from datetime import timezone
    >>> as_instant(datetime(2023, 11, 7, 5, 31, 56, tzinfo=timezone(timedelta(hours=10))),
    ...            name="at")
    datetime.datetime(2023, 11, 6, 19, 31, 56, tzinfo=datetime.timezone.utc)
    >>> as_instant(datetime(2023, 11, 7), name="at")
    Traceback (most recent call last):
    ...
    loyalty_core.errors.InvalidRequest: at: expected an aware datetime, got 2023-11-07T00:00:00 ...
    """
    if type(value) is datetime and value.tzinfo is UTC:
        if EARLIEST <= value <= LATEST or not bounded:
            return value
        raise InvalidRequest(Problem(name, range_message(value)))
    if not isinstance(value, datetime):
        raise InvalidRequest(Problem(name, f"expected an aware datetime, got {show(value)}"))
    try:
        offset = value.utcoffset()
    except ValueError:  # a tzinfo of someone else's that gives 24 hours or more
        msg = f"expected an aware datetime with a valid UTC offset, got {show(value)}"
        raise InvalidRequest(Problem(name, msg)) from None
    if offset is None:
        msg = f"expected an aware datetime, got {show(value)}"
        raise InvalidRequest(Problem(name, msg))
    utc = _to_utc(value)
    if utc is not None and (not bounded or EARLIEST <= utc <= LATEST):
        if type(utc) is datetime:
            return utc
        return datetime(  # rebuilt to shed the subclass (TIME-1)
            utc.year,
            utc.month,
            utc.day,
            utc.hour,
            utc.minute,
            utc.second,
            utc.microsecond,
            tzinfo=UTC,
        )
    raise InvalidRequest(Problem(name, range_message(value)))


def _to_utc(value: datetime) -> datetime | None:
    """Convert an aware datetime to UTC; ``None`` when UTC is past Python's years 1 to 9999."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return None


def range_message(value: object) -> str:
    """Say that ``value`` is not an instant a value may store (EARLIEST to LATEST)."""
    return f"expected an instant from {STORABLE}, got {show(value)}"


def wall_to_instant(wall: datetime, tz: tzinfo) -> datetime:
    """Turn a local wall time into a UTC instant through its zone (TIME-5, Q39).

    A wall time inside a DST gap moves forward by the length of the gap; an ambiguous one
    takes the earlier instant. Both follow from ``fold=0``. Any ``tzinfo`` already on ``wall``
    is replaced.

    >>> str(wall_to_instant(datetime(2026, 11, 1, 1, 30), zone("America/New_York")))
    '2026-11-01 05:30:00+00:00'
    """
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def local_date(instant: datetime, tz: tzinfo) -> date:
    """Return the calendar date of ``instant`` in zone ``tz`` (TIME-4).

    >>> local_date(datetime(2021, 2, 9, 13, tzinfo=UTC), zone("Australia/Melbourne"))
    datetime.date(2021, 2, 10)
    """
    return instant.astimezone(tz).date()


def start_of_day(day: date, tz: tzinfo) -> datetime:
    """Return the first instant of local date ``day`` (TIME-8).

    That is its 00:00:00 resolved by TIME-5 (an ambiguous midnight takes the earlier instant).
    Where midnight falls in a gap it is the first instant after the gap, which is not TIME-5's
    shift by the gap's length when the gap does not start at midnight: America/Toronto's gap
    of 1919-03-30 ran 23:30 EST to 00:30 EDT, so 31 March started at 00:30 EDT (04:30Z).

    >>> str(start_of_day(date(1919, 3, 31), zone("America/Toronto")))
    '1919-03-31 04:30:00+00:00'
    """
    midnight = datetime.combine(day, _MIDNIGHT, tz)
    instant = midnight.astimezone(UTC)
    if tz is UTC or tz is _UTC_ZONE:
        return instant
    back = instant.astimezone(tz)  # midnight exists iff its instant reads as that midnight
    if back.hour or back.minute or back.second or back.day != day.day:
        return _end_of_gap(midnight, instant)
    return instant


def _end_of_gap(wall: datetime, later: datetime) -> datetime:
    """Return the first instant after the gap that the local wall time ``wall`` falls in.

    ``fold=1`` reads a wall time in a gap with the offset after the gap, so it lands before the
    gap's end; ``fold=0`` (``later``) reads it with the offset before, so it lands at or after
    the end. Offsets change on whole seconds, so the end is found by bisecting the seconds
    between the two for the first one that has the new offset.
    """
    tz = wall.tzinfo
    earlier = wall.replace(fold=1).astimezone(UTC)
    before = earlier.astimezone(tz).utcoffset()
    low = int((earlier - _EPOCH).total_seconds())
    high = int((later - _EPOCH).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if (_EPOCH + timedelta(seconds=middle)).astimezone(tz).utcoffset() == before:
            low = middle
        else:
            high = middle
    return _EPOCH + timedelta(seconds=high)


def end_of_day(day: date, tz: tzinfo) -> datetime:
    """Return the last second of local date ``day`` (TIME-8, Q4).

    Built as the start of the next local day (:func:`start_of_day`) minus one second, which
    stays right in zones that change offset at midnight or late in the evening, where 23:59:59
    built directly would be an hour wrong.

    >>> str(end_of_day(date(2026, 4, 19), zone("Australia/Melbourne")))
    '2026-04-19 13:59:59+00:00'
    >>> str(end_of_day(date(1919, 3, 30), zone("America/Toronto")))
    '1919-03-31 04:29:59+00:00'
    """
    return start_of_day(day + _ONE_DAY, tz) - _ONE_SECOND


def is_end_of_day(instant: datetime, tz: tzinfo) -> bool:
    """Tell whether ``instant`` is the last second of its local day in ``tz`` (TIME-8)."""
    return instant == end_of_day(local_date(instant, tz), tz)


# --- calendar arithmetic (TIME-6) -----------------------------------------------------------


def add_to_date(day: date, amount: int, unit: CalendarUnit) -> date:
    """Add calendar units to a local date (TIME-6, Q8).

    N days are N calendar days, N weeks 7·N days, N months change the month and clamp the day
    to the month's last day, N years are 12·N months (29 Feb + 1 year = 28 Feb).

    >>> add_to_date(date(2024, 1, 31), 1, "months")
    datetime.date(2024, 2, 29)
    >>> add_to_date(date(2024, 2, 29), 1, "years")
    datetime.date(2025, 2, 28)
    """
    if unit == "days":
        return day + timedelta(days=amount)
    if unit == "weeks":
        return day + timedelta(days=7 * amount)
    if unit == "months":
        return day + relativedelta(months=amount)
    if unit == "years":
        return day + relativedelta(months=12 * amount)
    msg = f"expected days, weeks, months or years, got {show(unit)}"
    raise InvalidRequest(Problem("unit", msg))


def shift_keep_wall(instant: datetime, tz: tzinfo, amount: int, unit: CalendarUnit) -> datetime:
    """Add calendar units to an instant, keeping its local wall time in ``tz`` (TIME-6, Q28).

    The local date moves by ``amount`` units, the time of day is kept and resolved by TIME-5.
    An instant that is the last second of its local day becomes the last second of the new
    local date. The UTC span can differ from N × 24 h by a DST shift.

    >>> mel = zone("Australia/Melbourne")
    >>> str(shift_keep_wall(datetime(2026, 4, 1, 12, 59, 59, tzinfo=UTC), mel, 10, "days"))
    '2026-04-11 13:59:59+00:00'
    """
    local = instant.astimezone(tz)
    day = local.date()
    target = add_to_date(day, amount, unit)
    if instant == end_of_day(day, tz):
        return end_of_day(target, tz)
    return wall_to_instant(datetime.combine(target, local.time()), tz)


# --- parsing and rendering (PAY-2, PAY-5) ---------------------------------------------------

_API_DATETIME: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:"
    r" \d{2}:\d{2}:\d{2}"  # (a) naive wall time
    r"|[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})"  # (b) instant
    r")?",  # (c) a bare date
    re.ASCII,
)

_SHAPES: Final = "'YYYY-MM-DD HH:MM:SS', 'YYYY-MM-DD', or ISO 8601 with seconds and an offset"


def parse_datetime(text: str) -> datetime:
    """Parse one of the API's datetime shapes exactly (PAY-2).

    Returns a *naive* datetime for ``YYYY-MM-DD HH:MM:SS`` and for a bare ``YYYY-MM-DD``
    (00:00:00), and an *aware* one for ISO 8601 with ``Z`` or ``±HH:MM``; which zone a naive
    one is in is the caller's rule (PAY-3). Anything else raises :class:`ValueError` with a
    message saying what was expected; the payload boundary turns it into a ``PayloadError``.

    >>> parse_datetime("2021-03-05 00:06:51")
    datetime.datetime(2021, 3, 5, 0, 6, 51)
    >>> parse_datetime("2023-11-07T05:31:56Z")
    datetime.datetime(2023, 11, 7, 5, 31, 56, tzinfo=datetime.timezone.utc)
    >>> parse_datetime("2021-02-30 10:00:00")
    Traceback (most recent call last):
    ...
    ValueError: expected a real date and time ..., got '2021-02-30 10:00:00'
    """
    if not isinstance(text, str) or _API_DATETIME.fullmatch(text) is None:
        msg = f"expected a datetime as {_SHAPES}, got {show(text)}"
        raise ValueError(msg)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        msg = f"expected a real date and time ({_SHAPES}), got {show(text)}"
        raise ValueError(msg) from None


_LENIENT_LONGEST: Final = 64
"""Longer text is not a datetime; it is refused before any parser sees it."""


def parse_lenient(text: str, tz: tzinfo, *, name: str = "datetime") -> datetime:
    """Parse a person's datetime for the command line, into a UTC instant.

    The API shapes (PAY-2) come first; a naive one is a wall time in ``tz`` (TIME-5). Other
    ISO 8601 forms that pendulum understands (``2026-03-01T09:00``, ``2026-03-01 09:00``, week
    dates) are accepted too, naive ones again in ``tz``. Anything else, and any instant outside
    :data:`EARLIEST` .. :data:`LATEST`, raises :class:`InvalidRequest` naming ``name``.

    >>> str(parse_lenient("2026-03-01T09:00", zone("Australia/Melbourne")))
    '2026-02-28 22:00:00+00:00'
    >>> parse_lenient("9999-12-31T23:59:59-14:00", zone("UTC"), name="--at")
    Traceback (most recent call last):
    ...
    loyalty_core.errors.InvalidRequest: --at: expected an instant from 0001-01-02 to ...
    """
    if not isinstance(text, str) or len(text) > _LENIENT_LONGEST:
        raise InvalidRequest(Problem(name, f"expected a datetime as {_SHAPES}, got {show(text)}"))
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = _parse_with_pendulum(text, name)
    try:
        if parsed.utcoffset() is None:
            parsed = wall_to_instant(parsed, tz)
        return as_instant(parsed, name=name)
    except (OverflowError, InvalidRequest):
        raise InvalidRequest(Problem(name, range_message(text))) from None


def _parse_with_pendulum(text: str, name: str) -> datetime:
    import pendulum  # noqa: PLC0415 - only the CLI needs lenient parsing

    try:
        parsed = pendulum.parse(text, exact=True, strict=False)
        if isinstance(parsed, datetime):
            parsed.utcoffset()  # an offset of 24 hours or more raises here
    except Exception:  # noqa: BLE001 - any failure of the lenient parser means "not a datetime"
        parsed = None
    if isinstance(parsed, datetime):
        if parsed.tzinfo is not None and _is_pendulum_default_utc(text):
            return parsed.replace(tzinfo=None)
        return parsed
    if isinstance(parsed, date):
        return datetime.combine(parsed, _MIDNIGHT)
    raise InvalidRequest(Problem(name, f"expected a datetime as {_SHAPES}, got {show(text)}"))


_TRAILING_OFFSET: Final = re.compile(r"[+-]\d{2}(?::?\d{2})?+$", re.ASCII)


def _is_pendulum_default_utc(text: str) -> bool:
    """Tell whether pendulum made up a UTC offset for text that carried none."""
    stamp = text.strip()
    return not (stamp.endswith(("Z", "z")) or _TRAILING_OFFSET.search(stamp[10:]))


def format_instant(instant: datetime) -> str:
    """Render a UTC instant for ``Reason.detail`` and JSON output: ``YYYY-MM-DDTHH:MM:SS[.f]Z``.

    >>> format_instant(datetime(2026, 11, 1, 6, 30, 0, 500000, tzinfo=UTC))
    '2026-11-01T06:30:00.500000Z'
    """
    return show_instant(instant.astimezone(UTC))  # the one way messages show an instant


def format_wall(instant: datetime, tz: tzinfo | None = None) -> str:
    """Render an instant as the API's wall-time shape (PAY-5), in UTC or in ``tz``.

    Shape (a) ``YYYY-MM-DD HH:MM:SS`` when the microseconds are 0; otherwise ``T``, six
    fraction digits and ``Z`` (only for UTC; a local rendering keeps shape (a) plus the
    fraction).

    >>> format_wall(datetime(2026, 4, 19, 13, 59, 59, tzinfo=UTC))
    '2026-04-19 13:59:59'
    >>> format_wall(datetime(2026, 4, 19, 13, 59, 59, tzinfo=UTC), zone("Australia/Melbourne"))
    '2026-04-19 23:59:59'
    """
    if tz is None:
        utc = instant.astimezone(UTC).replace(tzinfo=None)
        if utc.microsecond:
            return utc.isoformat(sep="T") + "Z"
        return utc.isoformat(sep=" ")
    return instant.astimezone(tz).replace(tzinfo=None).isoformat(sep=" ")


def format_offset(instant: datetime, tz: tzinfo) -> str:
    """Render the UTC offset of ``tz`` at ``instant`` as ``+HH:MM`` (``+HH:MM:SS`` for LMT).

    >>> format_offset(datetime(2026, 4, 19, 13, 59, 59, tzinfo=UTC), zone("Australia/Melbourne"))
    '+10:00'
    >>> format_offset(datetime(1850, 1, 1, tzinfo=UTC), zone("Australia/Melbourne"))
    '+09:39:52'
    """
    offset = instant.astimezone(tz).utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes, seconds = divmod(int(abs(offset).total_seconds()), 60)
    text = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{text}:{seconds:02d}" if seconds else text


def describe_span(start: datetime, end: datetime) -> str:
    """Describe the time from ``start`` to ``end`` for people, e.g. ``'1 month 3 weeks'``.

    Uses pendulum's calendar-aware durations; for messages and the CLI, never for rules.

    >>> describe_span(datetime(2021, 3, 5, tzinfo=UTC), datetime(2021, 4, 24, 23, 59, 59,
    ...               tzinfo=UTC))
    '1 month 2 weeks 5 days 23 hours 59 minutes 59 seconds'
    """
    import pendulum  # noqa: PLC0415 - pendulum is for people-facing text only

    first = pendulum.instance(start.astimezone(UTC))
    second = pendulum.instance(end.astimezone(UTC))
    if second < first:
        return f"-{(first - second).in_words(locale='en')}"
    return (second - first).in_words(locale="en")


UTC_ZONE: Final = _UTC_ZONE
"""``ZoneInfo("UTC")``: the zone of an item whose ``timezone`` is null (TIME-3)."""
