"""Property tests of the TIME rules (RULES.md section 1), with ``whenever`` as the oracle.

``whenever`` is an independent implementation of IANA-zone arithmetic (its own Rust core). Its
``disambiguation="compatible"`` resolves a wall time in a gap by moving it forward by the gap
and an ambiguous one to the earlier instant, which is exactly TIME-5 / Q39. Its tz search path
is pinned here to the ``tzdata`` package, as the root conftest pins :mod:`zoneinfo`'s, so both
read the same database.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

import pytest
import whenever
from dateutil.relativedelta import relativedelta
from hypothesis import example, given
from hypothesis import strategies as st

from loyalty_core import clock
from tests.properties import strategies as lst

whenever.reset_tzpath([])
whenever.clear_tzcache()

Unit = Literal["days", "weeks", "months", "years"]
UNITS: Final[tuple[Unit, ...]] = ("days", "weeks", "months", "years")
ONE_SECOND: Final = timedelta(seconds=1)
ONE_MICROSECOND: Final = timedelta(microseconds=1)
NOON: Final = whenever.Time(12)


# --- oracle helpers (whenever and plain arithmetic, never loyalty_core) --------------------


def w_resolve(wall: datetime, zone_name: str) -> datetime:
    """Resolve a naive wall time with whenever's ``compatible`` rule, as a UTC instant."""
    zoned = whenever.PlainDateTime(wall).assume_tz(zone_name, disambiguation="compatible")
    return zoned.to_instant().to_stdlib()


def w_start_of_day(day: date, zone_name: str) -> datetime:
    """The first instant of local date ``day`` per whenever (a gap snaps to its end).

    Built from the day's noon so that it also works for a day that does not exist (Apia
    2011-12-30): then it is the first instant after the gap, as TIME-8 says.
    """
    noon = whenever.Date(day).at(NOON).assume_tz(zone_name, disambiguation="compatible")
    return noon.start_of("day").to_instant().to_stdlib()


def w_is_last_second(instant: datetime, zone_name: str) -> bool:
    """Whether ``instant`` is the last second of its local day (start of next day − 1 s)."""
    local_day = whenever.Instant(instant).to_tz(zone_name).date().to_stdlib()
    return instant == w_start_of_day(local_day + timedelta(days=1), zone_name) - ONE_SECOND


def add_months_by_hand(day: date, months: int) -> date:
    """Plain month arithmetic with month-end clamping (Q8), for the month-clamp law."""
    total = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(total, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def target_date(day: date, unit: Unit, amount: int) -> date:
    """TIME-6 by hand: N days, 7·N days, N months (clamped) or 12·N months."""
    if unit == "days":
        return day + timedelta(days=amount)
    if unit == "weeks":
        return day + timedelta(days=7 * amount)
    return add_months_by_hand(day, amount if unit == "months" else 12 * amount)


def as_local_wall(instant: datetime, zone_name: str) -> datetime:
    """The naive local wall time of an instant in a zone."""
    return instant.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


def assert_utc_instant(value: datetime) -> None:
    """TIME-1: a plain datetime whose tzinfo is datetime.UTC."""
    assert type(value) is datetime
    assert value.tzinfo is UTC


# --- TIME-5: wall time to instant ----------------------------------------------------------


@given(lst.zoned_walls())
def test_time5_wall_to_instant_matches_whenever_compatible(
    zoned_wall: tuple[str, datetime],
) -> None:
    """TIME-5/Q39: ``wall_to_instant`` equals whenever's ``compatible`` resolution, in UTC.

    Gap: forward by the gap (whenever's "later"); fold: the earlier instant. A wall time that
    exists exactly once reads back as itself in the zone.
    """
    zone_name, wall = zoned_wall
    result = clock.wall_to_instant(wall, ZoneInfo(zone_name))
    assert_utc_instant(result)
    assert result == w_resolve(wall, zone_name)
    try:
        whenever.PlainDateTime(wall).assume_tz(zone_name, disambiguation="raise")
    except (whenever.SkippedTime, whenever.RepeatedTime):
        return
    assert as_local_wall(result, zone_name) == wall


@given(lst.gap_walls())
def test_time5_wall_in_gap_moves_forward_by_the_gap(zoned_wall: tuple[str, datetime]) -> None:
    """TIME-5: a wall time inside a DST gap moves forward by exactly the gap's length.

    The gap's length is the offset after the transition minus the offset before it (taken
    from whenever's "later" and "earlier" readings). The result reads locally as the wall
    time plus that length, which is at or after the requested wall time.
    """
    zone_name, wall = zoned_wall
    plain = whenever.PlainDateTime(wall)
    with pytest.raises(whenever.SkippedTime):  # the strategy really drew a gap
        plain.assume_tz(zone_name, disambiguation="raise")
    before = plain.assume_tz(zone_name, disambiguation="earlier").offset.to_stdlib()
    after = plain.assume_tz(zone_name, disambiguation="later").offset.to_stdlib()
    gap = after - before
    assert gap > timedelta(0)

    result = clock.wall_to_instant(wall, ZoneInfo(zone_name))
    assert_utc_instant(result)
    local = as_local_wall(result, zone_name)
    assert local >= wall
    assert local - wall == gap
    assert result == (wall - before).replace(tzinfo=UTC)  # read with the offset before the gap


@given(lst.fold_walls())
def test_time5_ambiguous_wall_takes_the_earlier_instant(zoned_wall: tuple[str, datetime]) -> None:
    """TIME-5/Q39: an ambiguous wall time takes the earlier of its two instants.

    The two candidates are the stdlib readings with ``fold=0`` and ``fold=1``, converted to UTC
    (never compared as wall times). The result reads back as the wall time.
    """
    zone_name, wall = zoned_wall
    tz = ZoneInfo(zone_name)
    with pytest.raises(whenever.RepeatedTime):  # the strategy really drew a fold
        whenever.PlainDateTime(wall).assume_tz(zone_name, disambiguation="raise")
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    assert first != second

    result = clock.wall_to_instant(wall, tz)
    assert_utc_instant(result)
    assert result == min(first, second)
    assert result < max(first, second)
    assert as_local_wall(result, zone_name) == wall
    earlier = whenever.PlainDateTime(wall).assume_tz(zone_name, disambiguation="earlier")
    assert result == earlier.to_instant().to_stdlib()


@given(lst.zoned_walls(), st.sampled_from((0, 1)))
def test_time5_ignores_the_walls_own_fold_and_zone(
    zoned_wall: tuple[str, datetime], fold: int
) -> None:
    """TIME-5: the result depends on the wall reading only, not on a ``fold`` or ``tzinfo``."""
    zone_name, wall = zoned_wall
    tz = ZoneInfo(zone_name)
    dressed = wall.replace(fold=fold, tzinfo=ZoneInfo("Asia/Kathmandu"))
    assert clock.wall_to_instant(dressed, tz) == w_resolve(wall, zone_name)


# --- TIME-4 / TIME-8: local dates and day bounds -------------------------------------------


@given(lst.zoned_instants())
def test_time4_local_date_is_the_zone_reading(zoned_instant: tuple[str, datetime]) -> None:
    """TIME-4: the local date of an instant is its date in the zone (same as whenever's)."""
    zone_name, instant = zoned_instant
    expected = whenever.Instant(instant).to_tz(zone_name).date().to_stdlib()
    assert clock.local_date(instant, ZoneInfo(zone_name)) == expected


@given(lst.local_dates())
# A gap over midnight that does not start at midnight (23:30 -> 00:30): the day starts at
# 00:30, not at TIME-5's 01:00 (the hardening issue's row 11).
@example(("America/Toronto", date(1919, 3, 31)))
@example(("America/Toronto", date(1919, 3, 30)))
@example(("Canada/Eastern", date(1919, 3, 31)))
def test_time8_day_bounds(zoned_day: tuple[str, date]) -> None:
    """TIME-8: start and last second of a local date d.

    The start of d is whenever's start of the day (a midnight in a gap snaps to the gap's end);
    the last second of d is one second before the start of d + 1 day. When d exists in the
    zone: both fall on d, ``start <= end``, the instant before the start is on an earlier date
    and the second after the end on a later date; ``is_end_of_day`` holds exactly for the end.
    When d does not exist (Pacific/Apia 2011-12-30), the start is the first instant after the
    gap and the end is the second before it.
    """
    zone_name, day = zoned_day
    tz = ZoneInfo(zone_name)
    start = clock.start_of_day(day, tz)
    end = clock.end_of_day(day, tz)
    assert_utc_instant(start)
    assert_utc_instant(end)
    assert start == w_start_of_day(day, zone_name)
    assert end == w_start_of_day(day + timedelta(days=1), zone_name) - ONE_SECOND
    assert end == clock.start_of_day(day + timedelta(days=1), tz) - ONE_SECOND
    assert clock.is_end_of_day(end, tz)
    assert not clock.is_end_of_day(end - ONE_SECOND, tz)
    assert not clock.is_end_of_day(end + ONE_MICROSECOND, tz)
    if lst.day_exists(day, zone_name):
        assert start <= end
        assert start.astimezone(tz).date() == day
        assert end.astimezone(tz).date() == day
        assert (start - ONE_MICROSECOND).astimezone(tz).date() < day
        assert (end + ONE_SECOND).astimezone(tz).date() > day
    else:
        assert start == end + ONE_SECOND


# --- TIME-6: calendar arithmetic -----------------------------------------------------------

_DATES: Final = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.builds(
        lambda y, m, back: date(y, m, calendar.monthrange(y, m)[1] - back),
        st.integers(1900, 2200),
        st.integers(1, 12),
        st.integers(0, 3),
    ),
    st.integers(1904, 2196).filter(calendar.isleap).map(lambda y: date(y, 2, 29)),
)
_AMOUNTS: Final[dict[Unit, st.SearchStrategy[int]]] = {
    "days": st.integers(-40_000, 40_000),
    "weeks": st.integers(-5_000, 5_000),
    "months": st.integers(-1_200, 1_200),
    "years": st.integers(-100, 100),
}


@st.composite
def unit_and_amount(draw: st.DrawFn, *, small: bool = False) -> tuple[Unit, int]:
    """A calendar unit and an amount of it (up to ~a century, or ~3 years when ``small``)."""
    unit = draw(st.sampled_from(UNITS))
    if small:
        limit = {"days": 1_100, "weeks": 160, "months": 36, "years": 3}[unit]
        return unit, draw(st.integers(-limit, limit))
    return unit, draw(_AMOUNTS[unit])


@given(_DATES, unit_and_amount())
def test_time6_add_to_date_matches_whenever(day: date, unit_amount: tuple[Unit, int]) -> None:
    """TIME-6/Q8: date arithmetic equals whenever's ``Date.add`` (months clamp to month end)."""
    unit, amount = unit_amount
    expected = whenever.Date(day).add(**{unit: amount}).to_stdlib()
    assert clock.add_to_date(day, amount, unit) == expected


@given(_DATES, _AMOUNTS["days"], _AMOUNTS["weeks"])
def test_time6_days_and_weeks_are_calendar_days(day: date, days: int, weeks: int) -> None:
    """TIME-6: N days is a local-date difference of N; N weeks is 7·N days."""
    assert (clock.add_to_date(day, days, "days") - day).days == days
    assert (clock.add_to_date(day, weeks, "weeks") - day).days == 7 * weeks


@given(_DATES, _AMOUNTS["months"], _AMOUNTS["years"])
def test_time6_month_clamp(day: date, months: int, years: int) -> None:
    """TIME-6/Q8: N months moves the month by N and keeps the day, clamped to the month's end.

    The result never has a day beyond the target month's length, and keeps the day when it
    exists there. N years is 12·N months (29 Feb + 1 year = 28 Feb).
    """
    result = clock.add_to_date(day, months, "months")
    expected = add_months_by_hand(day, months)
    assert result == expected
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= calendar.monthrange(result.year, result.month)[1]
    if day.day <= calendar.monthrange(result.year, result.month)[1]:
        assert result.day == day.day
    assert clock.add_to_date(day, years, "years") == add_months_by_hand(day, 12 * years)


def _back_by(instant: datetime, unit: Unit, amount: int) -> datetime:
    """Roughly undo a shift in UTC, so that the shifted result lands near ``instant``."""
    delta = relativedelta(
        days=amount if unit == "days" else 0,
        weeks=amount if unit == "weeks" else 0,
        months=amount if unit == "months" else 0,
        years=amount if unit == "years" else 0,
    )
    return instant - delta


@st.composite
def shift_cases(draw: st.DrawFn) -> tuple[str, datetime, Unit, int]:
    """A zone, a start instant, a unit and an amount for ``shift_keep_wall``.

    The start itself, or the *result* of the shift, lies near one of the zone's transitions;
    the start is sometimes the last second of its local day.
    """
    zone_name, near = draw(lst.zoned_instants())
    unit, amount = draw(unit_and_amount(small=True))
    start = near if draw(st.booleans()) else _back_by(near, unit, amount)
    if draw(st.booleans()):  # make it the last second of its local day sometimes
        start = (
            w_start_of_day(
                start.astimezone(ZoneInfo(zone_name)).date() + timedelta(days=1), zone_name
            )
            - ONE_SECOND
        )
    return zone_name, start, unit, amount


def w_shift_keep_wall(start: datetime, zone_name: str, unit: Unit, amount: int) -> datetime:
    """The oracle of TIME-6's "keep the wall time" shift, with whenever.

    Add the units to the local date, keep the time of day, resolve with ``compatible``; the
    last second of a local day becomes the last second of the new local date.
    """
    plain = whenever.Instant(start).to_tz(zone_name).to_plain()
    target = plain.date().add(**{unit: amount})
    if w_is_last_second(start, zone_name):
        next_day = target.to_stdlib() + timedelta(days=1)
        return w_start_of_day(next_day, zone_name) - ONE_SECOND
    shifted = plain.replace_date(target).assume_tz(zone_name, disambiguation="compatible")
    return shifted.to_instant().to_stdlib()


@given(shift_cases())
def test_time6_shift_keep_wall_matches_whenever(case: tuple[str, datetime, Unit, int]) -> None:
    """TIME-6/Q6/Q28: ``shift_keep_wall`` equals the whenever oracle.

    Local date + N units, same wall time, resolved by TIME-5 (gap: forward by the gap; fold:
    earlier instant); an instant that is the last second of its local day stays the last second
    of the new local date.
    """
    zone_name, start, unit, amount = case
    result = clock.shift_keep_wall(start, ZoneInfo(zone_name), amount, unit)
    assert_utc_instant(result)
    assert result == w_shift_keep_wall(start, zone_name, unit, amount)


@given(shift_cases())
def test_time6_shift_keep_wall_local_date_and_time(case: tuple[str, datetime, Unit, int]) -> None:
    """TIME-6: a shift moves the local date by N units and keeps the wall time.

    Unless the target wall time does not exist (a gap: it then reads later) or the whole
    target day is missing (Pacific/Apia 2011-12-30). The last second of a day stays the last
    second of the target day.
    """
    zone_name, start, unit, amount = case
    tz = ZoneInfo(zone_name)
    result = clock.shift_keep_wall(start, tz, amount, unit)
    local_start = start.astimezone(tz)
    target = target_date(local_start.date(), unit, amount)
    if not lst.day_exists(target, zone_name):
        return
    if w_is_last_second(start, zone_name):
        assert result.astimezone(tz).date() == target
        assert w_is_last_second(result, zone_name)
        return
    wall = datetime.combine(target, local_start.time())
    try:
        whenever.PlainDateTime(wall).assume_tz(zone_name, disambiguation="raise")
    except whenever.SkippedTime:
        assert as_local_wall(result, zone_name) > wall
        return
    except whenever.RepeatedTime:
        pass
    assert as_local_wall(result, zone_name) == wall
    if unit == "days":
        assert (result.astimezone(tz).date() - local_start.date()).days == amount


@given(lst.zoned_instants(), st.sampled_from(UNITS))
def test_time6_shift_by_zero_resolves_the_wall_time(
    zoned_instant: tuple[str, datetime], unit: Unit
) -> None:
    """TIME-6 with N = 0: the wall time is re-resolved by TIME-5.

    An instant in the second reading of a fold moves to the first reading; every other instant
    stays where it is.
    """
    zone_name, instant = zoned_instant
    tz = ZoneInfo(zone_name)
    result = clock.shift_keep_wall(instant, tz, 0, unit)
    local = instant.astimezone(tz)
    if w_is_last_second(instant, zone_name):
        assert result == instant
        return
    assert result == w_resolve(local.replace(tzinfo=None), zone_name)
    assert result <= instant
    assert as_local_wall(result, zone_name) == local.replace(tzinfo=None)
