"""An independent oracle for ``compute_expiry``, compared around every UTC-offset transition.

The oracle below implements the expiry rules of RULES.md from their text, with nothing but
``datetime``, ``zoneinfo.ZoneInfo`` and ``calendar``; it calls no ``loyalty_core`` code:

- TIME-4: the local date of an instant is ``instant.astimezone(tz).date()``.
- TIME-6: calendar arithmetic on local dates (days, 7-day weeks, clamped months, 12-month years).
- TIME-8: the start of local date d is the earliest instant whose local date is d or later; if
  midnight falls in a gap that is the first instant after the gap, and an ambiguous midnight
  takes the earlier instant. The last second of d is the start of d + 1 day minus one second.
  The earliest such instant is always either a transition instant or midnight minus an offset
  the zone uses near that day, so the oracle takes the minimum of those candidates whose local
  date is at least d.
- EXP-3 (days, weeks, months, years), EXP-4 (absolute_date), EXP-5 (absolute_week), EXP-6
  (absolute_month) and EXP-7 (``end_at`` caps a computed expiry; EXP-4 is inside "EXP-3 to
  EXP-6", so an absolute date is capped too).

Transitions are found by sampling each zone's UTC offset (``astimezone(tz).utcoffset()``) on a
grid of UTC instants and bisecting every change to the second; zones come from the ``tzdata``
package (the root conftest empties the tz path). A one-day grid misses nothing from 1994 to
2032: checked once against a one-hour grid, the closest two transitions of any zone there are
6 days 23 hours apart. Outside that range the oracle scans the days around a midnight hourly.

The default run compares a curated set of zones (midnight gaps, midnight fall-backs, a skipped
day, a 30-minute shift), the 1919 gaps over midnight (the only gaps in the database that contain
midnight without starting at it) and a hypothesis search over all zones; the ``slow`` run
compares every zone in ``zoneinfo.available_timezones()`` around every transition from 1995 to
2030 (about 2.8 million comparisons).
"""

from __future__ import annotations

import bisect
import calendar
import functools
import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, NamedTuple
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty_core import compute_expiry

ONE_SECOND: Final = timedelta(seconds=1)
HALF_DAY: Final = timedelta(hours=12)
ONE_DAY: Final = timedelta(days=1)

# Transitions whose instants are sampled: 1995-01-01 to 2030-12-31.
SAMPLE_FROM: Final = datetime(1995, 1, 1, tzinfo=UTC)
SAMPLE_UNTIL: Final = datetime(2031, 1, 1, tzinfo=UTC)
# The zone-wide scan also covers the target dates of periods issued near those transitions.
SCAN_FROM: Final = datetime(1994, 1, 1, tzinfo=UTC)
SCAN_UNTIL: Final = datetime(2033, 1, 1, tzinfo=UTC)
SCAN_STEP: Final = timedelta(days=1)
# Outside the zone-wide scan, the oracle scans the days around a midnight hourly.
WINDOW: Final = timedelta(days=2)
WINDOW_STEP: Final = timedelta(hours=1)

RELATIVE: Final = ("days", "weeks", "months", "years")
PERIOD_TYPES: Final = (*RELATIVE, "absolute_date", "absolute_week", "absolute_month")

ALL_ZONES: Final = tuple(sorted(zoneinfo.available_timezones()))
CURATED_ZONES: Final = (
    "America/Havana",  # gaps at 00:00; ends 01:00 -> 00:00, so midnight occurs twice
    "America/Santiago",  # starts at 24:00, ends 24:00 -> 23:00 (the evening repeats)
    "America/Asuncion",  # midnight gaps
    "Africa/Cairo",  # midnight gaps, several rule changes
    "Asia/Beirut",  # midnight gaps and midnight fall-backs
    "America/Nuuk",  # since 2023: a gap 23:00 -> 00:00, a fall-back 00:00 -> 23:00
    "Pacific/Apia",  # skipped 2011-12-30 entirely
    "Australia/Lord_Howe",  # a 30-minute shift
    "America/Toronto",
    "America/New_York",
    "Australia/Melbourne",
    "Europe/London",
    "Africa/Casablanca",  # Ramadan suspensions, then a permanent change
    "Asia/Tehran",  # DST at midnight until 2022
    "America/Sao_Paulo",  # midnight gaps until 2019
)


# ---------------------------------------------------------------------------------------------
# The oracle: TIME-4, TIME-6, TIME-8, EXP-3 to EXP-7
# ---------------------------------------------------------------------------------------------


class Transition(NamedTuple):
    """A change of a zone's UTC offset: ``before`` up to ``at`` (exclusive), then ``after``."""

    at: datetime
    before: timedelta
    after: timedelta


def _offset(tz: ZoneInfo, instant: datetime) -> timedelta:
    """The UTC offset in force at ``instant``."""
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None
    return offset


def _local_date(tz: ZoneInfo, instant: datetime) -> date:
    """TIME-4: the local date of ``instant``."""
    return instant.astimezone(tz).date()


def _first_change(tz: ZoneInfo, low: datetime, high: datetime, offset: timedelta) -> datetime:
    """The second in (low, high] where ``offset`` (in force at ``low``) gives way to another."""
    before, after = 0, int((high - low).total_seconds())
    while after - before > 1:
        middle = (before + after) // 2
        if _offset(tz, low + timedelta(seconds=middle)) == offset:
            before = middle
        else:
            after = middle
    return low + timedelta(seconds=after)


def _refine(
    tz: ZoneInfo, low: datetime, high: datetime, low_offset: timedelta, high_offset: timedelta
) -> Iterator[Transition]:
    """The transitions between two grid points whose offsets differ, each to the second."""
    while low_offset != high_offset:
        at = _first_change(tz, low, high, low_offset)
        after = _offset(tz, at)
        yield Transition(at, low_offset, after)
        low, low_offset = at, after


@functools.cache
def _grid(start: datetime, end: datetime, step: timedelta) -> tuple[datetime, ...]:
    count = (end - start) // step
    return tuple(start + index * step for index in range(count + 1))


def _scan(tz: ZoneInfo, start: datetime, end: datetime, step: timedelta) -> list[Transition]:
    """Every offset change in [start, end], found on a grid of ``step`` and bisected."""
    grid = _grid(start, end, step)
    offsets = [_offset(tz, instant) for instant in grid]
    found: list[Transition] = []
    for index in range(1, len(grid)):
        if offsets[index] != offsets[index - 1]:
            found.extend(
                _refine(tz, grid[index - 1], grid[index], offsets[index - 1], offsets[index])
            )
    return found


@functools.cache
def _zone_transitions(zone: str) -> tuple[Transition, ...]:
    """The zone's transitions from 1994 to 2032 (cached: one scan per zone)."""
    return tuple(_scan(ZoneInfo(zone), SCAN_FROM, SCAN_UNTIL, SCAN_STEP))


@functools.cache
def _zone_transition_instants(zone: str) -> tuple[datetime, ...]:
    return tuple(transition.at for transition in _zone_transitions(zone))


def _transitions_near(zone: str, instant: datetime) -> tuple[Transition, ...]:
    """The transitions within ``WINDOW`` of ``instant``."""
    low, high = instant - WINDOW, instant + WINDOW
    if low >= SCAN_FROM and high <= SCAN_UNTIL:
        instants = _zone_transition_instants(zone)
        first, last = bisect.bisect_left(instants, low), bisect.bisect_right(instants, high)
        return _zone_transitions(zone)[first:last]
    return tuple(_scan(ZoneInfo(zone), low, high, WINDOW_STEP))


@functools.cache
def day_start(zone: str, day: date) -> datetime:
    """TIME-8: the earliest instant whose local date (TIME-4) is ``day`` or later.

    Candidates: midnight minus each UTC offset the zone uses within two days of it (the clock
    reaching 00:00), and each transition instant there (the clock jumping over 00:00, which
    lands on the first instant after a gap). Offsets never exceed 26 hours, so the earliest
    qualifying instant is among them.
    """
    tz = ZoneInfo(zone)
    midnight = datetime.combine(day, time(), tzinfo=UTC)  # the wall reading 00:00, as a number
    near = _transitions_near(zone, midnight)
    offsets = {_offset(tz, midnight - WINDOW), *(transition.after for transition in near)}
    candidates = [midnight - offset for offset in offsets]
    candidates += [transition.at for transition in near]
    start = min(instant for instant in candidates if _local_date(tz, instant) >= day)
    assert _local_date(tz, start - ONE_SECOND) < day  # nothing just before it qualifies
    return start


def last_second(zone: str, day: date) -> datetime:
    """TIME-8: the start of ``day`` + 1 day, minus one second."""
    return day_start(zone, day + ONE_DAY) - ONE_SECOND


def add_months(day: date, months: int) -> date:
    """TIME-6: change the month and clamp the day to the month's last day."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def target_date(issued_on: date, period: int | None, period_type: str) -> date | None:
    """The local date whose last second is the expiry (EXP-3, EXP-5, EXP-6; TIME-6)."""
    if period_type in RELATIVE:
        if not period:
            return None  # EXP-3: a null or 0 period never expires
        if period_type == "days":
            return issued_on + timedelta(days=period)
        if period_type == "weeks":
            return issued_on + timedelta(days=7 * period)
        return add_months(issued_on, period * (12 if period_type == "years" else 1))
    if period_type == "absolute_week":  # EXP-5: the Sunday ending the ISO week of D + 7·period
        shifted = issued_on + timedelta(days=7 * (period or 0))
        return shifted + timedelta(days=6 - shifted.weekday())
    assert period_type == "absolute_month"  # EXP-6: the last day of the month of D + period
    shifted = add_months(issued_on, period or 0)
    return shifted.replace(day=calendar.monthrange(shifted.year, shifted.month)[1])


@functools.cache
def _uncapped(zone: str, issued_on: date, period: int | None, period_type: str) -> datetime | None:
    target = target_date(issued_on, period, period_type)
    return None if target is None else last_second(zone, target)


def oracle_expiry(
    issued_at: datetime,
    *,
    zone: str,
    period: int | None,
    period_type: str,
    absolute_expiry: datetime | None = None,
    end_at: datetime | None = None,
) -> datetime | None:
    """EXP-3 to EXP-7 from the rule text."""
    if period_type == "absolute_date":  # EXP-4: the instant itself, no snapping
        expiry = None if absolute_expiry is None else absolute_expiry.astimezone(UTC)
    else:
        expiry = _uncapped(zone, _local_date(ZoneInfo(zone), issued_at), period, period_type)
    if expiry is not None and end_at is not None and expiry > end_at:
        return end_at.astimezone(UTC)  # EXP-7
    return expiry


# ---------------------------------------------------------------------------------------------
# Cases and comparison
# ---------------------------------------------------------------------------------------------


class Case(NamedTuple):
    """One call of ``compute_expiry``."""

    zone: str
    issued_at: datetime
    period: int | None
    period_type: str
    absolute_expiry: datetime | None = None
    end_at: datetime | None = None
    as_zoneinfo: bool = False  # pass ``ZoneInfo(zone)`` instead of the name


def oracle(case: Case) -> datetime | None:
    return oracle_expiry(
        case.issued_at,
        zone=case.zone,
        period=case.period,
        period_type=case.period_type,
        absolute_expiry=case.absolute_expiry,
        end_at=case.end_at,
    )


def library(case: Case) -> datetime | None:
    return compute_expiry(
        case.issued_at,
        timezone=ZoneInfo(case.zone) if case.as_zoneinfo else case.zone,
        period=case.period,
        period_type=case.period_type,
        absolute_expiry=case.absolute_expiry,
        end_at=case.end_at,
    )


def _text(instant: datetime | None) -> str:
    return "None" if instant is None else instant.isoformat()


def disagreement(case: Case) -> str | None:
    """``None`` when the library equals the oracle and returns UTC; otherwise a description."""
    expected = oracle(case)
    try:
        actual = library(case)
    except Exception as error:  # noqa: BLE001 - a raise is one more mismatch to list
        found = f"raised {error!r}"
    else:
        if expected == actual and (actual is None or actual.tzinfo is UTC):
            return None
        found = _text(actual) if actual is None or actual.tzinfo is UTC else repr(actual)
    extras = "".join(
        f" {name}={_text(value)}"
        for name, value in (("absolute_expiry", case.absolute_expiry), ("end_at", case.end_at))
        if value is not None
    )
    zone = f"ZoneInfo({case.zone!r})" if case.as_zoneinfo else case.zone
    return (
        f"{zone} issued_at={_text(case.issued_at)} period={case.period}"
        f" {case.period_type}{extras}: library {found}, oracle {_text(expected)}"
    )


def _compare(cases: Iterable[Case]) -> tuple[int, list[str]]:
    """How many cases ran, and every disagreement among them."""
    count = 0
    mismatches: list[str] = []
    for case in cases:
        count += 1
        problem = disagreement(case)
        if problem is not None:
            mismatches.append(problem)
    return count, mismatches


def _summary(count: int, mismatches: list[str]) -> str:
    shown = "\n".join(mismatches[:20])
    return f"{len(mismatches)} of {count} comparisons disagree; the first 20:\n{shown}"


# ---------------------------------------------------------------------------------------------
# Sampling around transitions
# ---------------------------------------------------------------------------------------------

FULL_PERIODS: Final = (
    (0, "days"),
    (1, "days"),
    (2, "days"),
    (7, "days"),
    (30, "days"),
    (365, "days"),
    (1, "weeks"),
    (2, "weeks"),
    (1, "months"),
    (12, "months"),
    (1, "years"),
    (0, "absolute_week"),
    (1, "absolute_week"),
    (0, "absolute_month"),
    (1, "absolute_month"),
)
QUICK_PERIODS: Final = (
    (1, "days"),
    (30, "days"),
    (1, "weeks"),
    (1, "months"),
    (1, "years"),
    (0, "absolute_week"),
    (0, "absolute_month"),
)


@functools.cache
def sampled_transitions(zone: str) -> tuple[Transition, ...]:
    """The zone's transitions from 1995 to 2030."""
    return tuple(t for t in _zone_transitions(zone) if SAMPLE_FROM <= t.at < SAMPLE_UNTIL)


def _wall(tz: ZoneInfo, day: date, wall: time, fold: int = 0) -> datetime:
    """The UTC instant of a local wall time (``fold`` picks the occurrence); only an input."""
    return datetime.combine(day, wall, tzinfo=tz).replace(fold=fold).astimezone(UTC)


def _dates_around(tz: ZoneInfo, transition: Transition) -> list[date]:
    """The local dates just before and at a transition (the same date, or two)."""
    return sorted({_local_date(tz, transition.at - ONE_SECOND), _local_date(tz, transition.at)})


def _issued_around(tz: ZoneInfo, transition: Transition, *, full: bool) -> list[datetime]:
    at = transition.at
    if not full:
        instants = [at - ONE_SECOND, at, at + ONE_SECOND]
        instants += [_wall(tz, day, time()) for day in _dates_around(tz, transition)]
        return list(dict.fromkeys(instants))
    instants = [at - ONE_SECOND, at, at + ONE_SECOND, at - HALF_DAY, at + HALF_DAY]
    instants += [at - ONE_DAY, at + ONE_DAY]
    instants += [
        _wall(tz, day, wall, fold)
        for day in _dates_around(tz, transition)
        for wall in (time(), time(23, 59, 59))
        for fold in (0, 1)
    ]
    return list(dict.fromkeys(instants))


def _landing(zone: str, tz: ZoneInfo, transition: Transition) -> Iterator[Case]:
    """Issue dates whose target date is the transition's date or the day before it."""
    first, *rest = _dates_around(tz, transition)
    for target in dict.fromkeys([first - ONE_DAY, first, *rest]):
        for period, period_type, issued_on in (
            (1, "days", target - ONE_DAY),
            (30, "days", target - timedelta(days=30)),
            (1, "weeks", target - timedelta(days=7)),
            (1, "months", add_months(target, -1)),
            (0, "absolute_week", target),
            (0, "absolute_month", target),
        ):
            yield Case(zone, _wall(tz, issued_on, time(12)), period, period_type)


def _edge_cases(zone: str, tz: ZoneInfo, transition: Transition) -> Iterator[Case]:
    """Absolute dates, caps and null periods at a transition (EXP-3, EXP-4, EXP-7)."""
    at = transition.at
    local = at.astimezone(tz)
    yield Case(zone, at, 1, "days", end_at=at + ONE_DAY)
    yield Case(zone, at, 1, "days", end_at=local)  # a cap given in local time, returned in UTC
    yield Case(zone, at, 0, "days", end_at=at)  # never expires stays never
    yield Case(zone, at, None, "days")
    yield Case(zone, at, None, "absolute_week")
    yield Case(zone, at, None, "absolute_month")
    yield Case(zone, at, 3, "absolute_date", absolute_expiry=at + ONE_DAY, end_at=at)
    yield Case(zone, at, 3, "absolute_date", absolute_expiry=None)


def cases_around(zone: str, transition: Transition, *, full: bool) -> Iterator[Case]:
    """Every case sampled around one transition of ``zone``."""
    tz = ZoneInfo(zone)
    periods = FULL_PERIODS if full else QUICK_PERIODS
    for issued in _issued_around(tz, transition, full=full):
        for period, period_type in periods:
            yield Case(zone, issued, period, period_type)
        # EXP-4: an absolute expiry near the transition, given in local time
        near = (transition.at + (issued - transition.at) / 2).astimezone(tz)
        yield Case(zone, issued, 5, "absolute_date", absolute_expiry=near)
    yield from _landing(zone, tz, transition)
    yield from _edge_cases(zone, tz, transition)


def cases_for(zones: Iterable[str], *, full: bool) -> Iterator[Case]:
    for zone in zones:
        for transition in sampled_transitions(zone):
            yield from cases_around(zone, transition, full=full)


# ---------------------------------------------------------------------------------------------
# The rulebook's examples: the oracle must reproduce them, and so must the library
# ---------------------------------------------------------------------------------------------


def _utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


EXAMPLES: Final = [
    pytest.param(
        Case("UTC", _utc(2021, 3, 5, 0, 6, 51), 50, "days"),
        _utc(2021, 4, 24, 23, 59, 59),
        id="EXP-3-golden-Q5",
    ),
    pytest.param(
        Case("Australia/Melbourne", _utc(2026, 3, 19, 23), 30, "days"),
        _utc(2026, 4, 19, 13, 59, 59),
        id="EXP-3-TIME-8-melbourne-dst-end",
    ),
    pytest.param(
        Case("Australia/Melbourne", _utc(2021, 2, 9, 13), 30, "days"),
        _utc(2021, 3, 12, 12, 59, 59),
        id="EXP-3-TIME-4-local-issue-date",
    ),
    pytest.param(
        Case("UTC", _utc(2021, 2, 9, 13), 30, "days"),
        _utc(2021, 3, 11, 23, 59, 59),
        id="EXP-3-TIME-4-same-instant-in-utc",
    ),
    pytest.param(
        Case("America/New_York", _utc(2024, 1, 31, 20), 1, "months"),
        _utc(2024, 3, 1, 4, 59, 59),
        id="EXP-3-TIME-6-month-clamp",
    ),
    pytest.param(
        Case("America/New_York", _utc(2025, 7, 16, 13, 30), 2, "absolute_week"),
        _utc(2025, 8, 4, 3, 59, 59),
        id="EXP-5-absolute-week-2",
    ),
    pytest.param(
        Case("America/New_York", _utc(2025, 7, 16, 13, 30), 0, "absolute_week"),
        _utc(2025, 7, 21, 3, 59, 59),
        id="EXP-5-absolute-week-0",
    ),
    pytest.param(
        Case("Australia/Melbourne", _utc(2025, 1, 31, 1), 1, "absolute_month"),
        _utc(2025, 2, 28, 12, 59, 59),
        id="EXP-6-absolute-month",
    ),
    pytest.param(
        Case("UTC", _utc(2025, 6, 1, 10), 50, "days", end_at=_utc(2025, 6, 30)),
        _utc(2025, 6, 30),
        id="EXP-7-end-at-caps",
    ),
    pytest.param(
        Case(
            "UTC",
            _utc(2025, 6, 1, 10),
            None,
            "absolute_date",
            absolute_expiry=datetime(2025, 7, 1, 12, tzinfo=ZoneInfo("Australia/Melbourne")),
        ),
        _utc(2025, 7, 1, 2),
        id="EXP-4-absolute-date-in-utc",
    ),
    pytest.param(
        Case(
            "UTC",
            _utc(2025, 6, 1, 10),
            7,
            "absolute_date",
            absolute_expiry=_utc(2025, 7, 1, 2),
            end_at=_utc(2025, 6, 30),
        ),
        _utc(2025, 6, 30),
        id="EXP-7-EXP-4-end-at-caps-an-absolute-date",
    ),
    pytest.param(
        Case("UTC", _utc(2025, 6, 1, 10), 0, "days", end_at=_utc(2025, 6, 30)),
        None,
        id="EXP-3-EXP-7-zero-period-never-expires",
    ),
    pytest.param(
        Case("America/Toronto", _utc(1919, 3, 29, 17), 1, "days"),
        _utc(1919, 3, 31, 4, 29, 59),
        id="TIME-8-toronto-1919-gap-after-2330",
    ),
    pytest.param(
        # 29 Dec 2011 ended at 23:59:59 -10 and 31 Dec began at 00:00 +14: 30 Dec never began,
        # so its last second is the one before 31 Dec started.
        Case("Pacific/Apia", _utc(2011, 12, 29, 22), 1, "days"),
        _utc(2011, 12, 30, 9, 59, 59),
        id="TIME-8-apia-2011-skipped-day",
    ),
    pytest.param(
        # Santiago fell back at 24:00 -03 to 23:00 -04 on 6 April 2024: the evening repeats,
        # and 6 April's last second is the second 23:59:59, at -04.
        Case("America/Santiago", _utc(2024, 4, 5, 16), 1, "days"),
        _utc(2024, 4, 7, 3, 59, 59),
        id="TIME-8-santiago-2024-evening-repeats",
    ),
    pytest.param(
        # Havana sprang forward at 00:00 -05 to 01:00 -04 on 10 March 2024: 10 March started at
        # 01:00 -04 = 05:00Z, so 9 March's last second is 04:59:59Z (23:59:59 -05).
        Case("America/Havana", _utc(2024, 3, 8, 17), 1, "days"),
        _utc(2024, 3, 10, 4, 59, 59),
        id="TIME-8-havana-2024-midnight-gap",
    ),
]


@pytest.mark.parametrize(("case", "expected"), EXAMPLES)
def test_the_oracle_reproduces_the_rulebook_examples(case: Case, expected: datetime | None) -> None:
    assert expected == oracle(case)


@pytest.mark.parametrize(("case", "expected"), EXAMPLES)
def test_compute_expiry_returns_the_rulebook_examples_in_utc(
    case: Case, expected: datetime | None
) -> None:
    actual = library(case)
    assert expected == actual
    assert actual is None or actual.tzinfo is UTC


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        pytest.param(
            "America/New_York",
            [
                Transition(_utc(2024, 3, 10, 7), timedelta(hours=-5), timedelta(hours=-4)),
                Transition(_utc(2024, 11, 3, 6), timedelta(hours=-4), timedelta(hours=-5)),
            ],
            id="TIME-8-new-york-2024",
        ),
        pytest.param(
            "Australia/Lord_Howe",
            [
                Transition(_utc(2024, 4, 6, 15), timedelta(hours=11), timedelta(hours=10.5)),
                Transition(_utc(2024, 10, 5, 15, 30), timedelta(hours=10.5), timedelta(hours=11)),
            ],
            id="TIME-8-lord-howe-2024-half-hour",
        ),
        pytest.param(
            "Pacific/Apia",
            [
                Transition(_utc(2011, 4, 2, 14), timedelta(hours=-10), timedelta(hours=-11)),
                Transition(_utc(2011, 9, 24, 14), timedelta(hours=-11), timedelta(hours=-10)),
                Transition(_utc(2011, 12, 30, 10), timedelta(hours=-10), timedelta(hours=14)),
            ],
            id="TIME-8-apia-2011",
        ),
    ],
)
def test_the_oracle_finds_transitions_to_the_second(zone: str, expected: list[Transition]) -> None:
    year = expected[0].at.year
    found = [t for t in _zone_transitions(zone) if t.at.year == year]
    assert expected == found


# ---------------------------------------------------------------------------------------------
# Comparisons: a curated sample by default, every zone in the slow run
# ---------------------------------------------------------------------------------------------


def test_compute_expiry_agrees_with_the_oracle_around_the_transitions_of_curated_zones() -> None:
    count, mismatches = _compare(cases_for(CURATED_ZONES, full=False))
    assert count > 10_000  # the sample is not vacuous
    assert not mismatches, _summary(count, mismatches)


# The only gaps that contain midnight without starting at it (every zone scanned, 1850–2040).
GAPS_OVER_MIDNIGHT: Final = (
    "America/Montreal",
    "America/Nassau",
    "America/Nipigon",
    "America/Thunder_Bay",
    "America/Toronto",
    "Canada/Eastern",
)


@pytest.mark.parametrize(
    "zone",
    [pytest.param(zone, id=f"TIME-8-{zone}-1919-gap-2330-to-0030") for zone in GAPS_OVER_MIDNIGHT],
)
def test_compute_expiry_agrees_with_the_oracle_around_the_1919_gaps_over_midnight(
    zone: str,
) -> None:
    tz = ZoneInfo(zone)
    (transition,) = _scan(tz, _utc(1919, 3, 30), _utc(1919, 4, 1), WINDOW_STEP)
    assert _utc(1919, 3, 31, 4, 30) == transition.at
    count, mismatches = _compare(cases_around(zone, transition, full=True))
    assert not mismatches, _summary(count, mismatches)


@st.composite
def transition_cases(draw: st.DrawFn) -> Case:
    """A random zone, an instant near one of its 1995–2030 transitions, a random period."""
    zone = draw(st.sampled_from(ALL_ZONES))
    transitions = sampled_transitions(zone)
    if transitions:
        anchor = draw(st.sampled_from(transitions)).at
    else:  # a zone without transitions: any instant in the range
        anchor = draw(
            st.datetimes(
                min_value=SAMPLE_FROM.replace(tzinfo=None),
                max_value=SAMPLE_UNTIL.replace(tzinfo=None),
                timezones=st.just(UTC),
            )
        )
    seconds = draw(
        st.sampled_from([0, -1, 1, -43_200, 43_200, -86_400, 86_400])
        | st.integers(-3 * 86_400, 3 * 86_400)
    )
    period_type = draw(st.sampled_from(PERIOD_TYPES))
    period = draw(st.none() | st.integers(0, 400))
    absolute_expiry = None
    if period_type == "absolute_date":
        absolute_expiry = draw(st.none() | st.just(anchor + timedelta(seconds=seconds // 2)))
    end_at = draw(
        st.none()
        | st.integers(-3 * 86_400, 40 * 86_400).map(lambda s: anchor + timedelta(seconds=s))
    )
    return Case(
        zone,
        anchor + timedelta(seconds=seconds),
        period,
        period_type,
        absolute_expiry=absolute_expiry,
        end_at=end_at,
        as_zoneinfo=draw(st.booleans()),
    )


@given(transition_cases())
def test_compute_expiry_agrees_with_the_oracle_near_a_random_transition(case: Case) -> None:
    expected = oracle(case)
    actual = library(case)
    assert expected == actual
    assert actual is None or actual.tzinfo is UTC


@pytest.mark.slow
def test_compute_expiry_agrees_with_the_oracle_around_every_transition_of_every_zone() -> None:
    count = 0
    mismatches: list[str] = []
    for zone in ALL_ZONES:
        zone_count, zone_mismatches = _compare(cases_for([zone], full=True))
        count += zone_count
        mismatches += zone_mismatches
        day_start.cache_clear()  # the per-day caches only help within a zone
        _uncapped.cache_clear()
    assert count > 1_000_000  # every zone was compared, not a sample
    assert not mismatches, _summary(count, mismatches)
