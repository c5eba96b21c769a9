"""Zones, DST transitions and instants: the time strategies of the public strategies module.

Private: import them from :mod:`loyalty_core.testing.strategies`. Real DST transitions of real
zones (found once per zone by scanning its UTC offset, then cached), month ends, wall times in
gaps and folds, and instants near the boundaries a test names.
"""

from __future__ import annotations

import calendar
import functools
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Final, NamedTuple

from hypothesis import strategies as st

from loyalty_core import clock
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import show

AT: Final = datetime(2026, 1, 31, 12, tzinfo=UTC)
"""A fixed instant for examples and tests (2026-01-31 12:00:00Z); the core never reads a clock."""

# ============================================================================================
# Zones and instants
# ============================================================================================

CURATED_ZONES: Final = (
    "UTC",
    "America/New_York",
    "Australia/Melbourne",
    "Australia/Lord_Howe",  # 30-minute DST
    "America/Havana",  # DST starts at midnight: 00:00 does not exist that day
    "America/Santiago",  # DST changes at local midnight
    "Africa/Cairo",  # DST suspended and restored, changes at midnight
    "America/Nuuk",  # offset changes late in the evening (-3 -> -2 in 2023)
    "Pacific/Apia",  # skipped the whole of 2011-12-30
    "Asia/Kolkata",  # +05:30, no DST
    "Europe/London",
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kathmandu",  # +05:45, no DST
    "America/Goose_Bay",  # 2000-2010: fold from 00:01 back to 23:01 (a day's end repeats)
    "America/Asuncion",  # DST changes at local midnight
    "Asia/Gaza",  # changes at midnight or 01:00, dates vary year to year
)
"""Real zones whose rules are known to break naive calendar code."""

_SCAN_FROM: Final = datetime(2000, 1, 1, tzinfo=UTC)
_SCAN_TO: Final = datetime(2036, 1, 1, tzinfo=UTC)
_SCAN_STEP: Final = timedelta(days=3)
_ONE_SECOND: Final = timedelta(seconds=1)

# Naive bounds, as st.datetimes takes them (its `timezones` argument makes the results aware).
_PLAIN_MIN: Final = datetime(1970, 1, 1, tzinfo=UTC).replace(tzinfo=None)
_PLAIN_MAX: Final = datetime(2100, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC).replace(tzinfo=None)
_WIDE_MIN: Final = datetime(1900, 1, 1, tzinfo=UTC).replace(tzinfo=None)
_WIDE_MAX: Final = datetime(2200, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC).replace(tzinfo=None)


class Transition(NamedTuple):
    """One change of a zone's UTC offset: the first instant of the new offset, and both offsets.

    ``after > before`` is a gap (wall times from ``at + before`` up to ``at + after`` do not
    exist); ``after < before`` is a fold (wall times from ``at + after`` up to ``at + before``
    occur twice).
    """

    at: datetime
    before: timedelta
    after: timedelta


def _offset(instant: datetime, tz: zoneinfo.ZoneInfo) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    if offset is None:  # pragma: no cover - a ZoneInfo always has an offset
        return timedelta(0)
    return offset


@functools.cache
def transitions(zone_name: str) -> tuple[Transition, ...]:
    """Return every offset change of ``zone_name`` from 2000 to 2035, to the second.

    The zone's offset is sampled every 3 days; each change is then bisected down to the first
    whole second of the new offset. No zone of the tz database changes its offset twice within
    6 days in those years (a slow test checks this against a 6-hour scan of every zone), so no
    pair of changes can hide inside one step. Only offset changes count (not abbreviation-only
    changes). Cached: a zone is scanned once per process.

    >>> transitions("Australia/Lord_Howe")[0].after - transitions("Australia/Lord_Howe")[0].before
    datetime.timedelta(days=-1, seconds=84600)
    """
    return _scan_transitions(zone_name, _SCAN_STEP)


def _scan_transitions(zone_name: str, step: timedelta) -> tuple[Transition, ...]:
    """The offset changes of ``zone_name`` from 2000 to 2035, sampling the offset every ``step``.

    Uncached; :func:`transitions` is this with a step proven safe.
    """
    tz = zoneinfo.ZoneInfo(zone_name)
    found: list[Transition] = []
    t = _SCAN_FROM
    previous = _offset(t, tz)
    while t < _SCAN_TO:
        following = t + step
        current = _offset(following, tz)
        if current != previous:
            low, high = t, following  # offset(low) == previous, offset(high) == current
            while high - low > _ONE_SECOND:
                middle = (low + (high - low) / 2).replace(microsecond=0)
                if _offset(middle, tz) == previous:
                    low = middle
                else:
                    high = middle
            found.append(Transition(high, previous, current))
            previous = current
        t = following
    return tuple(found)


@functools.cache
def all_zone_names() -> tuple[str, ...]:
    """Every IANA name the installed tz database knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def zones(*, curated_only: bool = False) -> st.SearchStrategy[str]:
    """Generate IANA zone names: mostly :data:`CURATED_ZONES`, sometimes any zone of the database.

    Shrinks towards ``"UTC"``, then the earlier entries of :data:`CURATED_ZONES`.
    """
    curated = st.sampled_from(CURATED_ZONES)
    if curated_only:
        return curated
    everything = st.sampled_from(all_zone_names())
    return st.one_of(curated, curated, curated, everything)


# Offsets from a transition or a boundary: exactly on it, one second or one microsecond either
# side, the usual sizes of a DST shift, a day or a week either side, then anything within three
# days.
SPECIAL_DELTAS: Final = tuple(
    timedelta(**{unit: sign * amount})
    for unit, amounts in (
        ("seconds", (0, 1)),
        ("microseconds", (1,)),
        ("minutes", (1, 15, 30, 45, 59)),
        ("hours", (1, 2, 3, 12, 23, 24, 25)),
        ("days", (1, 7)),
    )
    for amount in amounts
    for sign in (-1, 1)
)
_DELTAS: Final = st.one_of(
    st.sampled_from(SPECIAL_DELTAS),
    st.integers(-3 * 86_400, 3 * 86_400).map(lambda s: timedelta(seconds=s)),
    st.integers(-3 * 86_400 * 10**6, 3 * 86_400 * 10**6).map(lambda us: timedelta(microseconds=us)),
)


def _plain_instants() -> st.SearchStrategy[datetime]:
    return st.datetimes(min_value=_PLAIN_MIN, max_value=_PLAIN_MAX, timezones=st.just(UTC))


@st.composite
def month_end_instants(draw: st.DrawFn, zone_name: str = "UTC") -> datetime:
    """Generate instants on a local month end (or a leap day, or the 1st) of ``zone_name``.

    Years 1970–2100. The wall time is usually the day's edge (23:59:59, 00:00:00) and is
    resolved with a random ``fold``, so both readings of a repeated wall time occur. Shrinks
    towards 1970-01-31 23:59:59 local.
    """
    year = draw(st.integers(1970, 2100))
    month = draw(st.integers(1, 12))
    last = calendar.monthrange(year, month)[1]
    day = draw(st.sampled_from(sorted({last, last - 1, 28, 1})))
    wall = draw(
        st.one_of(
            st.sampled_from((time(23, 59, 59), time(0, 0), time(23, 0), time(12, 0))),
            st.times(),
        )
    )
    fold = draw(st.sampled_from((0, 1)))
    local = datetime.combine(date(year, month, day), wall, zoneinfo.ZoneInfo(zone_name))
    return local.replace(fold=fold).astimezone(UTC)


def _near_midnight(transition: Transition) -> bool:
    """Whether a transition's wall time (before or after it) is within 2 hours of midnight."""
    for offset in (transition.before, transition.after):
        wall = (transition.at + offset).time()
        if wall >= time(22) or wall <= time(2):
            return True
    return False


def _transition_choices(found: tuple[Transition, ...]) -> st.SearchStrategy[Transition]:
    """Any transition, with those near local midnight (where day bounds break) drawn more."""
    midnight = tuple(t for t in found if _near_midnight(t))
    if not midnight:
        return st.sampled_from(found)
    return st.one_of(st.sampled_from(found), st.sampled_from(midnight))


def transition_instants(zone_name: str) -> st.SearchStrategy[datetime]:
    """Generate UTC instants near the real offset changes of ``zone_name``.

    Mostly a transition of the zone (2000–2035; those near local midnight drawn more often)
    plus a small offset: exactly 0, ±1 µs, ±1 s, ±1–59 min, ±1–25 h, ±1 or 7 days, or anything
    within three days. Mixed in are local month ends of the zone and plain random instants
    1970–2100. A zone without transitions (UTC, Asia/Kolkata) gets only the last two.

    Shrinks towards the zone's first transition after 2000-01-01 exactly (offset 0); failing
    that, towards a month end in 1970, then towards 2000-01-01 00:00:00Z.
    """
    found = transitions(zone_name)
    others = (month_end_instants(zone_name), _plain_instants())
    if not found:
        return st.one_of(*others)
    near = st.builds(lambda t, delta: t.at + delta, _transition_choices(found), _DELTAS)
    return st.one_of(near, near, near, *others)


@st.composite
def zoned_instants(draw: st.DrawFn, *, curated_only: bool = False) -> tuple[str, datetime]:
    """Generate a zone (:func:`zones`) and a UTC instant near one of its transitions.

    Shrinks towards UTC, then as :func:`transition_instants`.
    """
    zone_name = draw(zones(curated_only=curated_only))
    return zone_name, draw(transition_instants(zone_name))


def _shift(anchor: datetime, delta: timedelta) -> datetime:
    """``anchor + delta``, or ``anchor`` itself when that leaves the storable range."""
    try:
        moved = anchor + delta
    except OverflowError:
        return anchor
    return moved if clock.EARLIEST <= moved <= clock.LATEST else anchor


def utc_instant(value: datetime, name: str) -> datetime:
    try:
        instant = clock.as_instant(value, name=name)
    except OverflowError:
        instant = None
    if instant is None or not clock.EARLIEST <= instant <= clock.LATEST:
        msg = f"expected an instant a value can store, got {show(value)}"
        raise InvalidRequest(Problem(name, msg))
    return instant


def instants(
    *,
    zone: str | None = None,
    near: Iterable[datetime] = (),
    min_value: datetime | None = None,
    max_value: datetime | None = None,
) -> st.SearchStrategy[datetime]:
    """Generate UTC instants where rules break: DST transitions, month ends and boundaries.

    Each instant is a plain ``datetime`` with ``tzinfo=UTC`` that a value can store. It is
    drawn from a mix of:

    - the boundaries in ``near`` (and ``min_value``/``max_value``), each plus a small offset:
      exactly 0, ±1 µs, ±1 s, ±1–59 min, ±1–25 h, ±1 or 7 days, or anything within three days;
    - :func:`transition_instants` of ``zone`` (without a ``zone``: of a curated zone), which
      mixes in local month ends and plain random instants 1970–2100.

    With ``min_value`` or ``max_value`` (inclusive), a draw outside the range is replaced by a
    uniform instant inside it. Naive bounds or boundaries raise :class:`InvalidRequest`.

    Shrinks towards the first boundary of ``near`` exactly; without boundaries, as
    :func:`transition_instants` (of ``"UTC"`` when no ``zone`` is given).

    >>> from hypothesis import find
    >>> find(instants(near=[AT]), lambda t: True) == AT
    True
    """
    if zone is not None:
        clock.zone(zone, name="zone")
    low = None if min_value is None else utc_instant(min_value, "min_value")
    high = None if max_value is None else utc_instant(max_value, "max_value")
    if low is not None and high is not None and low > high:
        msg = f"expected min_value <= max_value, got {show(min_value)} > {show(max_value)}"
        raise InvalidRequest(Problem("min_value", msg))
    anchors = tuple(utc_instant(t, "near") for t in near) + tuple(b for b in (low, high) if b)
    branches: list[st.SearchStrategy[datetime]] = []
    if anchors:
        branches.append(st.builds(_shift, st.sampled_from(anchors), _DELTAS))
    if zone is None:
        branches.append(zoned_instants(curated_only=True).map(lambda pair: pair[1]))
    else:
        branches.append(transition_instants(zone))
    mixed = st.one_of(*branches)
    if low is None and high is None:
        return mixed
    inside = st.datetimes(
        min_value=(low or clock.EARLIEST).replace(tzinfo=None),
        max_value=(high or clock.LATEST).replace(tzinfo=None),
        timezones=st.just(UTC),
    )

    def within(instant: datetime) -> bool:
        return (low is None or low <= instant) and (high is None or instant <= high)

    @st.composite
    def bounded(draw: st.DrawFn) -> datetime:
        instant = draw(mixed)
        return instant if within(instant) else draw(inside)

    return bounded()


def aware_instants(instants: st.SearchStrategy[datetime]) -> st.SearchStrategy[datetime]:
    """Re-express the given instants in a random zone or fixed offset (the same instant).

    Use it to check that a function accepts instants in any zone (TIME-2). Shrinks towards the
    instant unchanged.
    """
    fixed = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
    named = st.sampled_from(CURATED_ZONES).map(zoneinfo.ZoneInfo)

    def convert(instant: datetime, tz: timezone | zoneinfo.ZoneInfo | None) -> datetime:
        if tz is None:
            return instant
        try:
            return instant.astimezone(tz)
        except OverflowError:  # at the very ends of datetime's range
            return instant

    return st.builds(convert, instants, st.one_of(st.none(), fixed, named))


def _walls_in(kind: str) -> Callable[[str], st.SearchStrategy[tuple[str, datetime]]]:
    """Wall times strictly inside the gaps (``kind="gap"``) or folds of a zone."""

    def for_zone(zone_name: str) -> st.SearchStrategy[tuple[str, datetime]]:
        chosen = [
            t
            for t in transitions(zone_name)
            if (t.after > t.before) == (kind == "gap") and t.after != t.before
        ]
        if not chosen:
            return st.nothing()

        @st.composite
        def wall(draw: st.DrawFn) -> tuple[str, datetime]:
            t = draw(st.sampled_from(chosen))
            start = t.at.replace(tzinfo=None) + min(t.before, t.after)
            length = abs(t.after - t.before) // timedelta(microseconds=1)
            inside = draw(
                st.one_of(
                    st.sampled_from((0, 1, 10**6, length - 1, length - 10**6, length // 2)),
                    st.integers(0, length - 1),
                ).filter(lambda us: 0 <= us < length)
            )
            return zone_name, start + timedelta(microseconds=inside)

        return wall()

    return for_zone


_DST_ZONES: Final = tuple(
    z for z in CURATED_ZONES if z not in {"UTC", "Asia/Kolkata", "Asia/Kathmandu"}
)


def gap_walls() -> st.SearchStrategy[tuple[str, datetime]]:
    """Generate a zone and a naive wall time inside one of its gaps (a time that never occurs).

    Shrinks towards the start of the first gap after 2000 of America/New_York.
    """
    names = [z for z in _DST_ZONES if any(t.after > t.before for t in transitions(z))]
    return st.sampled_from(names).flatmap(_walls_in("gap"))


def fold_walls() -> st.SearchStrategy[tuple[str, datetime]]:
    """Generate a zone and a naive wall time inside one of its folds (a time that occurs twice).

    Shrinks towards the start of the first fold after 2000 of America/New_York.
    """
    names = [z for z in _DST_ZONES if any(t.after < t.before for t in transitions(z))]
    return st.sampled_from(names).flatmap(_walls_in("fold"))


@st.composite
def zoned_walls(draw: st.DrawFn) -> tuple[str, datetime]:
    """Generate a zone and a naive wall time near its transitions, on a month end, or random.

    Near a transition the instant is read with the offset before or after it, so wall times in
    gaps and folds come up often. Microseconds included. Shrinks like :func:`zoned_instants`.
    """
    zone_name = draw(zones())
    instant = draw(transition_instants(zone_name))
    found = transitions(zone_name)
    nearby = {
        o for t in found if abs(t.at - instant) <= timedelta(days=3) for o in (t.before, t.after)
    }
    offsets = sorted(nearby | {_offset(instant, zoneinfo.ZoneInfo(zone_name))})
    offset = draw(st.sampled_from(offsets))
    return zone_name, (instant + offset).replace(tzinfo=None)


def local_dates(*, zone: str | None = None) -> st.SearchStrategy[tuple[str, date]]:
    """Generate a zone and a local date on which it changes offset (± 2 days), or a month end.

    The zone is ``zone``, or drawn from :func:`zones`. The date of a transition is read with
    the offset before and after it, so a change at local midnight (Havana, Santiago, Cairo) or
    late in the evening (Nuuk) and Apia's missing 2011-12-30 all come up. Shrinks towards UTC's
    month ends, then the first transition's date.
    """
    names = zones() if zone is None else st.just(clock.zone(zone, name="zone").key)

    @st.composite
    def dates(draw: st.DrawFn) -> tuple[str, date]:
        zone_name = draw(names)
        found = transitions(zone_name)
        if found and draw(st.integers(0, 4)) > 0:
            t = draw(_transition_choices(found))
            offset = draw(st.sampled_from((t.before, t.after)))
            day = (t.at + offset).date()
            return zone_name, day + timedelta(days=draw(st.integers(-2, 2)))
        instant = draw(month_end_instants(zone_name))
        return zone_name, instant.astimezone(zoneinfo.ZoneInfo(zone_name)).date()

    return dates()


def stored_instants() -> st.SearchStrategy[datetime]:
    """Instants for value fields: special ones or any in 1900–2200, in a random zone."""
    wide = st.datetimes(min_value=_WIDE_MIN, max_value=_WIDE_MAX, timezones=st.just(UTC))
    return aware_instants(st.one_of(wide, instants()))
