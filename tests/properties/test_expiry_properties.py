"""Property tests of the EXP rules (RULES.md section 2): computed expiry, the cap, is_expired.

Expected values are worked out by hand (plain date arithmetic, stdlib ``zoneinfo`` read-backs),
never by calling the function under test with other arguments, except for the EXP-7 cap law,
which relates ``compute_expiry`` with and without ``end_at``.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Final
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from loyalty_core import Benefit, Credit, PeriodType, Reward, clock, compute_expiry, is_expired
from tests.properties import strategies as lst

ONE_SECOND: Final = timedelta(seconds=1)
RELATIVE: Final = (PeriodType.DAYS, PeriodType.WEEKS, PeriodType.MONTHS, PeriodType.YEARS)
COMPUTED: Final = (*RELATIVE, PeriodType.ABSOLUTE_WEEK, PeriodType.ABSOLUTE_MONTH)


def add_months(day: date, months: int) -> date:
    """Month arithmetic with month-end clamping (Q8), by hand."""
    total = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(total, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def expected_target(issued_on: date, period: int, period_type: PeriodType) -> date:
    """The local date whose last second is the expiry (EXP-3, EXP-5, EXP-6), by hand."""
    if period_type is PeriodType.DAYS:
        return issued_on + timedelta(days=period)
    if period_type is PeriodType.WEEKS:
        return issued_on + timedelta(days=7 * period)
    if period_type is PeriodType.MONTHS:
        return add_months(issued_on, period)
    if period_type is PeriodType.YEARS:
        return add_months(issued_on, 12 * period)
    if period_type is PeriodType.ABSOLUTE_WEEK:
        shifted = issued_on + timedelta(days=7 * period)
        return shifted + timedelta(days=6 - shifted.weekday())
    shifted = add_months(issued_on, period)
    return shifted.replace(day=calendar.monthrange(shifted.year, shifted.month)[1])


def is_last_second_of(instant: datetime, day: date, tz: ZoneInfo) -> bool:
    """Stdlib check: ``instant`` is on local date ``day`` and one second later it is not."""
    return (
        instant.astimezone(tz).date() == day
        and (instant + ONE_SECOND).astimezone(tz).date() > day
        and instant.microsecond == 0
    )


def _back(instant: datetime, period: int, period_type: PeriodType) -> datetime:
    """Roughly undo a period in UTC, so that the expiry lands near ``instant``."""
    if period_type in {PeriodType.DAYS, PeriodType.ABSOLUTE_WEEK}:
        unit = 7 if period_type is PeriodType.ABSOLUTE_WEEK else 1
        return instant - timedelta(days=unit * period)
    if period_type is PeriodType.WEEKS:
        return instant - timedelta(weeks=period)
    if period_type is PeriodType.YEARS:
        return instant - relativedelta(years=period)
    return instant - relativedelta(months=period)


@st.composite
def expiry_cases(draw: st.DrawFn) -> tuple[str, datetime, int | None, PeriodType]:
    """A zone, an issue instant, a period and a computed period type.

    Either the issue instant or the computed expiry lies near one of the zone's transitions
    (the issue instant is moved back by the period), so local-midnight changes such as
    Havana's, Santiago's or Nuuk's are hit at the target date.
    """
    zone_name, near = draw(lst.zoned_instants())
    period_type = draw(st.sampled_from(COMPUTED))
    period = draw(
        st.one_of(
            st.none(),
            st.just(0),
            st.integers(1, 400 if period_type is PeriodType.DAYS else 40),
            st.integers(0, 3_000 if period_type is PeriodType.DAYS else 200),
        )
    )
    issued = near if draw(st.booleans()) else _back(near, period or 0, period_type)
    return zone_name, issued, period, period_type


@given(expiry_cases())
def test_exp3_exp5_exp6_computed_expiry_is_an_end_of_day_at_or_after_issue(
    case: tuple[str, datetime, int | None, PeriodType],
) -> None:
    """EXP-3/5/6: a computed expiry is None only for a relative type with period 0 or null.

    Otherwise it is a UTC instant and the last second of a local day on or after the issue
    date (``clock.is_end_of_day`` and a stdlib read-back: one second later is a later date), so
    ``issued_at`` lies before the next day starts, one second after the expiry. The expiry can
    precede an ``issued_at`` inside that last second (23:59:59.000001 with period 0: TIME-8's
    last second is 23:59:59, and EXP-8 keeps such an expiry).
    """
    zone_name, issued, period, period_type = case
    tz = ZoneInfo(zone_name)
    expiry = compute_expiry(issued, timezone=zone_name, period=period, period_type=period_type)
    if period_type in RELATIVE and not period:
        assert expiry is None
        return
    assert expiry is not None
    assert type(expiry) is datetime
    assert expiry.tzinfo is UTC
    assert issued < expiry + ONE_SECOND
    assert clock.is_end_of_day(expiry, tz)
    assert (expiry + ONE_SECOND).astimezone(tz).date() > expiry.astimezone(tz).date()
    assert expiry.microsecond == 0


@given(expiry_cases())
def test_exp3_exp5_exp6_expiry_falls_on_the_target_local_date(
    case: tuple[str, datetime, int | None, PeriodType],
) -> None:
    """EXP-3/5/6: the expiry's local date is the target date worked out by hand.

    Days: the local issue date D + N (local-date difference N); weeks: D + 7·N; months/years:
    D + N (or 12·N) months clamped to the month's end; absolute_week: the Sunday ending the ISO
    week of D + 7·N; absolute_month: the last day of the month of D + N months. The exception
    is a target date that does not exist in the zone (Pacific/Apia 2011-12-30): then the
    expiry is the second before the first instant after the gap.
    """
    zone_name, issued, period, period_type = case
    tz = ZoneInfo(zone_name)
    if period_type in RELATIVE and not period:
        return
    issued_on = issued.astimezone(tz).date()
    target = expected_target(issued_on, period or 0, period_type)
    expiry = compute_expiry(issued, timezone=zone_name, period=period, period_type=period_type)
    assert expiry is not None
    if not lst.day_exists(target, zone_name):
        assert expiry.astimezone(tz).date() < target
        assert (expiry + ONE_SECOND).astimezone(tz).date() > target
        return
    assert is_last_second_of(expiry, target, tz)
    local = expiry.astimezone(tz).date()
    if period_type is PeriodType.DAYS:
        assert (local - issued_on).days == period
    elif period_type is PeriodType.ABSOLUTE_WEEK:
        assert local.weekday() == calendar.SUNDAY
        assert 0 <= (local - issued_on).days - 7 * (period or 0) <= 6
    elif period_type is PeriodType.ABSOLUTE_MONTH:
        assert local.day == calendar.monthrange(local.year, local.month)[1]


_NEAR: Final = st.one_of(
    st.sampled_from(
        (
            timedelta(0),
            ONE_SECOND,
            -ONE_SECOND,
            timedelta(microseconds=1),
            timedelta(microseconds=-1),
            timedelta(hours=1),
            timedelta(hours=-1),
        )
    ),
    st.integers(-(10**12), 10**12).map(lambda us: timedelta(microseconds=us)),
)


@given(expiry_cases(), st.data())
def test_exp7_end_at_caps_the_computed_expiry(
    case: tuple[str, datetime, int | None, PeriodType], data: st.DataObject
) -> None:
    """EXP-7/Q16: with ``end_at`` the expiry is ``min(uncapped, end_at)``; None stays None.

    ``end_at`` lies close to the uncapped expiry (or anywhere) and may be in any zone; the
    result is a UTC instant either way.
    """
    zone_name, issued, period, period_type = case
    uncapped = compute_expiry(issued, timezone=zone_name, period=period, period_type=period_type)
    around = issued if uncapped is None else uncapped
    end_at = data.draw(
        lst.aware_instants(st.one_of(_NEAR.map(lambda d: around + d), lst.plain_instants())),
        label="end_at",
    )
    capped = compute_expiry(
        issued, timezone=zone_name, period=period, period_type=period_type, end_at=end_at
    )
    if uncapped is None:
        assert capped is None
        return
    assert capped is not None
    assert capped.tzinfo is UTC
    assert type(capped) is datetime
    assert capped == min(uncapped, end_at.astimezone(UTC))


@st.composite
def expiry_and_at(draw: st.DrawFn) -> tuple[datetime | None, datetime]:
    """An ``expires_at`` (or None) and an ``at`` close to it, both in any zone.

    One branch takes the two readings of one ambiguous wall time (a fold) as ``expires_at``
    and ``at``, in that zone: compared as wall times (Python ignores ``fold`` within one zone)
    they look equal although they are an hour apart. Otherwise ``at`` is ``expires_at`` plus a
    small or random step, in the same zone or in random zones.
    """
    if draw(st.booleans()):
        zone_name, wall = draw(lst.fold_walls())
        tz = ZoneInfo(zone_name)
        first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)
        second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC).astimezone(tz)
        return (first, second) if draw(st.booleans()) else (second, first)
    zone_name, expiry = draw(lst.zoned_instants())
    at = expiry + draw(_NEAR)
    if draw(st.booleans()):
        tz = ZoneInfo(zone_name)
        expiry_in, at_in = expiry.astimezone(tz), at.astimezone(tz)
    else:
        expiry_in = draw(lst.aware_instants(st.just(expiry)))
        at_in = draw(lst.aware_instants(st.just(at)))
    return (None if draw(st.integers(0, 9)) == 0 else expiry_in), at_in


@given(expiry_and_at())
def test_exp1_is_expired_iff_at_is_later_in_utc(case: tuple[datetime | None, datetime]) -> None:
    """EXP-1/Q3: ``is_expired(e, at)`` is ``at > e`` compared in UTC; False for ``e`` None.

    At exactly ``e`` the item is not expired (``e`` is the last valid instant).
    """
    expires_at, at = case
    if expires_at is None:
        assert is_expired(None, at) is False
        return
    utc_at = at.astimezone(UTC)
    utc_expiry = expires_at.astimezone(UTC)
    assert is_expired(expires_at, at) is (utc_at > utc_expiry)
    assert is_expired(expires_at, expires_at) is False


_SHAPES: Final = ("naive", "Z", "offset", "offset-space")


def render(instant: datetime, shape: str, offset_minutes: int) -> str:
    """Write a UTC instant in one of the PAY-2 shapes (by hand, not through the library)."""
    if shape == "naive":
        return instant.strftime("%Y-%m-%d %H:%M:%S")
    fraction = f".{instant.microsecond:06d}" if instant.microsecond else ""
    if shape == "Z":
        return instant.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"
    local = instant.astimezone(timezone(timedelta(minutes=offset_minutes)))
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    separator = " " if shape == "offset-space" else "T"
    stamp = local.strftime(f"%Y-%m-%d{separator}%H:%M:%S")
    return f"{stamp}{fraction}{sign}{hours:02d}:{minutes:02d}"


@st.composite
def explicit_expiry_payloads(draw: st.DrawFn) -> tuple[type[Any], dict[str, Any], datetime]:
    """A benefit, reward or credit payload with an explicit ``expires_at`` and its instant.

    The definition has a period and an ``end_at`` (benefits) that would give a different
    computed expiry; ``expires_at`` may be earlier than ``issued_at``.
    """
    zone_name, expires = draw(lst.zoned_instants())
    shape = draw(st.sampled_from(_SHAPES))
    if shape == "naive":
        expires = expires.replace(microsecond=0)
    text = render(expires, shape, draw(st.integers(-23 * 60 - 59, 23 * 60 + 59)))
    issued = expires + timedelta(seconds=draw(st.integers(-(10**8), 10**8)))
    definition = {
        "period": draw(st.integers(0, 500)),
        "period_type": draw(st.sampled_from(list(PeriodType))).value,
        "end_at": render(expires - timedelta(days=draw(st.integers(1, 9))), "Z", 0),
    }
    payload: dict[str, Any] = {
        "timezone": zone_name,
        "issued_at": render(issued.replace(microsecond=0), "naive", 0),
        "expires_at": text,
        "definition": definition,
    }
    cls = draw(st.sampled_from((Benefit, Reward, Credit)))
    if cls is not Benefit:
        payload["value_initial"] = "10.00"
    return cls, payload, expires


@given(explicit_expiry_payloads())
def test_exp8_explicit_expires_at_survives_from_api(
    case: tuple[type[Any], dict[str, Any], datetime],
) -> None:
    """EXP-8/Q9/PAY-3: an explicit ``expires_at`` in a payload is kept exactly as parsed.

    Naive text is UTC, an offset is honoured; it is never snapped to an end of day, capped by
    ``end_at`` or recomputed, even when it is earlier than ``issued_at``.
    """
    cls, payload, expires = case
    value = cls.from_api(payload)
    assert value.expires_at == expires
    assert value.expires_at.tzinfo is UTC
