"""Hypothesis strategies shared by the property tests of loyalty_core.

Time strategies aim at the places where calendar code breaks: real DST transitions of real
zones (found once per zone by scanning its UTC offset, then cached), month ends, leap days and
the odd zones (Lord Howe's 30-minute DST, Havana's skipped midnight, Nuuk's late-evening
changes, Apia's skipped 2011-12-30). Plain random instants would need thousands of examples to
land within a second of a transition; these land there on purpose.

Value strategies build the seven platform values through their constructors with valid field
values only, for the payload round-trip laws (PAY-1).
"""

from __future__ import annotations

import calendar
import functools
import zoneinfo
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Final, NamedTuple, TypeVar

from hypothesis import strategies as st

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    ClaimTimeframe,
    Credit,
    CreditDefinition,
    PeriodType,
    Profile,
    Reward,
    RewardDefinition,
)

__all__ = [
    "CURATED_ZONES",
    "Transition",
    "all_zone_names",
    "aware_instants",
    "benefit_definitions",
    "benefits",
    "claim_timeframes",
    "conditions",
    "credit_definitions",
    "credit_items",
    "day_exists",
    "fold_walls",
    "gap_walls",
    "instants_near_transitions",
    "json_values",
    "local_dates",
    "month_end_instants",
    "plain_instants",
    "profiles",
    "reward_definitions",
    "rewards",
    "transition_instants",
    "transitions",
    "utc_instants",
    "zoned_instants",
    "zoned_walls",
    "zones",
]

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
_SCAN_STEP: Final = timedelta(hours=6)
_ONE_SECOND: Final = timedelta(seconds=1)

_PLAIN_MIN: Final = datetime(1970, 1, 1)
_PLAIN_MAX: Final = datetime(2100, 12, 31, 23, 59, 59, 999_999)


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
    assert offset is not None
    return offset


@functools.cache
def transitions(zone_name: str) -> tuple[Transition, ...]:
    """Return every offset change of ``zone_name`` from 2000 to 2035, to the second.

    The zone's offset is sampled every 6 hours; each change is then bisected down to the first
    whole second of the new offset. Only offset changes count (not abbreviation-only changes).
    Cached: a zone is scanned once per test session.
    """
    tz = zoneinfo.ZoneInfo(zone_name)
    found: list[Transition] = []
    t = _SCAN_FROM
    previous = _offset(t, tz)
    while t < _SCAN_TO:
        step = t + _SCAN_STEP
        current = _offset(step, tz)
        if current != previous:
            low, high = t, step  # offset(low) == previous, offset(high) == current
            while high - low > _ONE_SECOND:
                middle = (low + (high - low) / 2).replace(microsecond=0)
                if _offset(middle, tz) == previous:
                    low = middle
                else:
                    high = middle
            found.append(Transition(high, previous, current))
            previous = current
        t = step
    return tuple(found)


@functools.cache
def all_zone_names() -> tuple[str, ...]:
    """Every IANA name the (pinned) tz database knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def zones(*, curated_only: bool = False) -> st.SearchStrategy[str]:
    """IANA zone names: mostly :data:`CURATED_ZONES`, sometimes any zone of the database.

    Shrinks towards ``"UTC"``, then the earlier entries of :data:`CURATED_ZONES`.
    """
    curated = st.sampled_from(CURATED_ZONES)
    if curated_only:
        return curated
    everything = st.sampled_from(all_zone_names())
    return st.one_of(curated, curated, curated, everything)


# Offsets from a transition: exactly on it, one second or one microsecond either side, the
# usual sizes of a DST shift, a day or a week either side, then anything within three days.
_SPECIAL_DELTAS: Final = tuple(
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
    st.sampled_from(_SPECIAL_DELTAS),
    st.integers(-3 * 86_400, 3 * 86_400).map(lambda s: timedelta(seconds=s)),
    st.integers(-3 * 86_400 * 10**6, 3 * 86_400 * 10**6).map(lambda us: timedelta(microseconds=us)),
)


def plain_instants() -> st.SearchStrategy[datetime]:
    """Random UTC instants 1970–2100 (microseconds included); shrinks towards 2000-01-01."""
    return st.datetimes(min_value=_PLAIN_MIN, max_value=_PLAIN_MAX, timezones=st.just(UTC))


@st.composite
def month_end_instants(draw: st.DrawFn, zone_name: str = "UTC") -> datetime:
    """Instants on a local month end (or a leap day, or the 1st) of ``zone_name``, 1970–2100.

    The wall time is usually the day's edge (23:59:59, 00:00:00) and is resolved with a random
    ``fold``, so both readings of a repeated wall time occur. Shrinks towards
    1970-01-31 23:59:59 local.
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


def near_midnight(transition: Transition) -> bool:
    """Whether a transition's wall time (before or after it) is within 2 hours of midnight."""
    for offset in (transition.before, transition.after):
        wall = (transition.at + offset).time()
        if wall >= time(22) or wall <= time(2):
            return True
    return False


def _transition_choices(found: tuple[Transition, ...]) -> st.SearchStrategy[Transition]:
    """Any transition, with those near local midnight (where day bounds break) drawn more."""
    midnight = tuple(t for t in found if near_midnight(t))
    if not midnight:
        return st.sampled_from(found)
    return st.one_of(st.sampled_from(found), st.sampled_from(midnight))


def transition_instants(zone_name: str) -> st.SearchStrategy[datetime]:
    """Aware UTC instants near the real offset changes of ``zone_name``.

    Mostly a transition of the zone (2000–2035; those near local midnight drawn more often)
    plus a small offset: exactly 0, ±1 µs, ±1 s,
    ±1–59 min, ±1–25 h, ±1 or 7 days, or anything within three days. Mixed in are local month
    ends of the zone and plain random instants 1970–2100. A zone without transitions (UTC,
    Asia/Kolkata) gets only the last two.

    Shrinks towards the zone's first transition after 2000-01-01 exactly (offset 0); failing
    that, towards a month end in 1970, then towards 2000-01-01 00:00:00Z.
    """
    found = transitions(zone_name)
    others = (month_end_instants(zone_name), plain_instants())
    if not found:
        return st.one_of(*others)
    near = st.builds(lambda t, delta: t.at + delta, _transition_choices(found), _DELTAS)
    return st.one_of(near, near, near, *others)


@st.composite
def zoned_instants(draw: st.DrawFn, *, curated_only: bool = False) -> tuple[str, datetime]:
    """A zone (:func:`zones`) and an instant near one of its transitions.

    Shrinks towards UTC, then as :func:`transition_instants`.
    """
    zone_name = draw(zones(curated_only=curated_only))
    return zone_name, draw(transition_instants(zone_name))


@st.composite
def instants_near_transitions(draw: st.DrawFn) -> datetime:
    """An aware UTC instant near a DST transition of some real zone (see :func:`zoned_instants`).

    Shrinks like :func:`zoned_instants`: towards instants of UTC's branch (a month end in 1970
    or 2000-01-01 00:00:00Z), otherwise towards the first transition of the earliest curated
    zone that still fails.
    """
    return draw(zoned_instants())[1]


def aware_instants(instants: st.SearchStrategy[datetime]) -> st.SearchStrategy[datetime]:
    """The given UTC instants, re-expressed in a random zone or fixed offset (same instant)."""
    fixed = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
    named = st.sampled_from(CURATED_ZONES).map(zoneinfo.ZoneInfo)
    return st.builds(
        lambda instant, tz: instant if tz is None else instant.astimezone(tz),
        instants,
        st.one_of(st.none(), fixed, named),
    )


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
    """A zone and a naive wall time inside one of its gaps (a wall time that does not exist).

    Shrinks towards the start of the first gap after 2000 of America/New_York.
    """
    zone_names = [z for z in _DST_ZONES if any(t.after > t.before for t in transitions(z))]
    return st.sampled_from(zone_names).flatmap(_walls_in("gap"))


def fold_walls() -> st.SearchStrategy[tuple[str, datetime]]:
    """A zone and a naive wall time inside one of its folds (a wall time that occurs twice).

    Shrinks towards the start of the first fold after 2000 of America/New_York.
    """
    zone_names = [z for z in _DST_ZONES if any(t.after < t.before for t in transitions(z))]
    return st.sampled_from(zone_names).flatmap(_walls_in("fold"))


@st.composite
def zoned_walls(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone and a naive wall time near its transitions, on a month end, or random.

    Near a transition the instant is read with the offset before or after it, so wall times in
    gaps and folds come up often. Microseconds included.
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


@st.composite
def local_dates(draw: st.DrawFn) -> tuple[str, date]:
    """A zone and a local date on which it changes offset (± 2 days), or a month end.

    The date of a transition is read with the offset before and after it, so a change at
    local midnight (Havana, Santiago, Cairo) or late in the evening (Nuuk) and Apia's missing
    day all come up. Shrinks towards UTC's month ends, then the first transition's date.
    """
    zone_name = draw(zones())
    found = transitions(zone_name)
    if found and draw(st.integers(0, 4)) > 0:
        t = draw(_transition_choices(found))
        offset = draw(st.sampled_from((t.before, t.after)))
        day = (t.at + offset).date()
        return zone_name, day + timedelta(days=draw(st.integers(-2, 2)))
    instant = draw(month_end_instants(zone_name))
    return zone_name, instant.astimezone(zoneinfo.ZoneInfo(zone_name)).date()


def day_exists(day: date, zone_name: str) -> bool:
    """Tell whether some instant has local date ``day`` in the zone (stdlib, by brute force).

    Every wall time of the day is tried at each whole hour and half hour; a day exists iff
    one of them reads back as itself. (Only Pacific/Apia 2011-12-30 fails in 1970–2100.)
    """
    tz = zoneinfo.ZoneInfo(zone_name)
    for minutes in range(0, 24 * 60, 15):
        wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
        for fold in (0, 1):
            back = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC).astimezone(tz)
            if back.replace(tzinfo=None) == wall:
                return True
    return False


# --- value strategies (PAY-1 round trips) --------------------------------------------------


def utc_instants() -> st.SearchStrategy[datetime]:
    """UTC instants 1900–2200, microseconds included; shrinks towards 2000-01-01 00:00:00Z."""
    return st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 12, 31, 23, 59, 59, 999_999),
        timezones=st.just(UTC),
    )


T = TypeVar("T")


def _optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.one_of(st.none(), strategy)


_IDS: Final = st.integers(-(2**53), 2**53)
_COUNTS: Final = st.integers(0, 2**40)
_HOURS: Final = st.integers(0, 23)
_TEXTS: Final = st.text(max_size=12)
_PERIOD_TYPES: Final = st.sampled_from(PeriodType)
_FLAGS: Final = st.booleans()


def money(*, max_units: int = 10**12) -> st.SearchStrategy[Decimal]:
    """Non-negative money with 0–4 decimal places, scale kept (``Decimal('12.50')``)."""
    return st.builds(
        lambda units, places: Decimal(units).scaleb(-places),
        st.integers(0, max_units),
        st.integers(0, 4),
    )


@st.composite
def money_pairs(draw: st.DrawFn) -> tuple[Decimal, Decimal | None]:
    """``(value_initial, value_remaining)`` with ``value_remaining <= value_initial`` or None."""
    initial = draw(money())
    remaining = draw(_optional(money()).filter(lambda r: r is None or r <= initial))
    return initial, remaining


_SCALARS: Final = st.one_of(
    st.text(max_size=8),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)


def conditions() -> st.SearchStrategy[Any]:
    """Simple one-key JSON Logic rules (as a dict, or as JSON text), or None.

    For example ``{"==": [{"var": "tier_handle"}, "gold"]}``.
    """
    import json

    rule = st.builds(
        lambda op, var, value: {op: [{"var": var}, value]},
        st.sampled_from(("==", "===", "!=", "!==", ">", ">=", "<", "<=")),
        st.sampled_from(("tier_handle", "aggregations.spend_12m", "custom_fields.store")),
        _SCALARS,
    )
    return st.one_of(st.none(), rule, rule.map(json.dumps))


def claim_timeframes() -> st.SearchStrategy[ClaimTimeframe | None]:
    """Calendar (``count=None``) or rolling (``count >= 1``) claim timeframes, or None."""
    return _optional(
        st.builds(
            ClaimTimeframe,
            unit=st.sampled_from(("day", "week", "month", "year")),
            count=_optional(st.integers(1, 10**6)),
        )
    )


@st.composite
def _claim_window(draw: st.DrawFn) -> tuple[datetime | None, datetime | None]:
    start = draw(_optional(utc_instants()))
    end = draw(_optional(utc_instants()))
    if start is not None and end is not None and start > end:
        start, end = end, start
    return start, end


def _fields(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=strategies)


def _instants() -> st.SearchStrategy[datetime]:
    return aware_instants(utc_instants())


@st.composite
def benefit_definitions(draw: st.DrawFn) -> BenefitDefinition:
    """Valid :class:`BenefitDefinition` values built through the constructor."""
    start, end = draw(_claim_window())
    fields = draw(
        _fields(
            id=_IDS,
            name=_TEXTS,
            handle=_TEXTS,
            region_id=_IDS,
            campaign=_TEXTS,
            period=_COUNTS,
            period_type=_PERIOD_TYPES,
            absolute_expiry=_instants(),
            end_at=_instants(),
            is_claimable=_FLAGS,
            is_archived=_FLAGS,
            is_published=_FLAGS,
            is_assignable=_FLAGS,
            is_reassignable=_FLAGS,
            is_reclaimable=_FLAGS,
            is_extendable=_FLAGS,
            allow_user_redeem=_FLAGS,
            force_allocation=_FLAGS,
            claim_condition=conditions(),
            view_condition=conditions(),
            visibility_condition=conditions(),
            claim_timeframe=claim_timeframes(),
            max_redemptions=_COUNTS,
            max_global_redemptions=_COUNTS,
            total_global_redemptions=_COUNTS,
            total_global_created=_COUNTS,
            total_allocations=_COUNTS,
            total_allocations_remaining=_COUNTS,
            same_campaign_count=_COUNTS,
            notify_schedule_offset=_IDS,
            notify_issue_offset_days=_IDS,
            notify_issue_offset_hour=_HOURS,
            notify_remind_offset_days=_IDS,
            notify_remind_offset_hour=_HOURS,
            notify_extend_offset_days=_IDS,
            notify_extend_offset_hour=_HOURS,
            issue_target_id=_IDS,
            remind_target_id=_IDS,
            extend_target_id=_IDS,
        )
    )
    return BenefitDefinition(claim_period_start_at=start, claim_period_end_at=end, **fields)


@st.composite
def benefits(draw: st.DrawFn) -> Benefit:
    """Valid :class:`Benefit` values (with an embedded definition)."""
    fields = draw(
        _fields(
            id=_IDS,
            profile_id=_TEXTS,
            external_id=_TEXTS,
            timezone=zones(),
            issued_at=_instants(),
            claimed_at=_instants(),
            expires_at=_instants(),
            extended_at=_instants(),
            redemptions_remaining=_COUNTS,
        )
    )
    return Benefit(definition=draw(benefit_definitions()), **fields)


_NOTIFY_FIELDS: Final[Mapping[str, st.SearchStrategy[Any]]] = {
    "notify_schedule_offset": _IDS,
    "notify_issue_offset_days": _IDS,
    "notify_issue_offset_hour": _HOURS,
    "notify_remind_offset_days": _IDS,
    "notify_remind_offset_hour": _HOURS,
    "issue_target_id": _IDS,
    "expiry_target_id": _IDS,
    "extend_target_id": _IDS,
}


def reward_definitions() -> st.SearchStrategy[RewardDefinition]:
    """Valid :class:`RewardDefinition` values built through the constructor."""
    return _fields(
        id=_IDS,
        name=_TEXTS,
        handle=_TEXTS,
        region_id=_IDS,
        period=_COUNTS,
        period_type=_PERIOD_TYPES,
        absolute_expiry=_instants(),
        is_extendable=_FLAGS,
        is_assignable=_FLAGS,
        is_reassignable=_FLAGS,
        is_published=_FLAGS,
        extend_days=_COUNTS,
        notify_issue_offset=_IDS,
        notify_expiry_offset=_IDS,
        notify_extend_offset_days=_IDS,
        notify_extend_offset_hour=_HOURS,
        **_NOTIFY_FIELDS,
    ).map(lambda fields: RewardDefinition(**fields))


@st.composite
def rewards(draw: st.DrawFn) -> Reward:
    """Valid :class:`Reward` values (``value_remaining <= value_initial``)."""
    initial, remaining = draw(money_pairs())
    fields = draw(
        _fields(
            id=_IDS,
            profile_id=_TEXTS,
            timezone=zones(),
            issued_at=_instants(),
            expires_at=_instants(),
            extended_at=_instants(),
            has_notified_issue=_FLAGS,
            has_notified_expiry=_FLAGS,
            has_notified_extend=_FLAGS,
            definition=reward_definitions(),
        )
    )
    fields["value_remaining"] = remaining
    return Reward(value_initial=initial, **fields)


def credit_definitions() -> st.SearchStrategy[CreditDefinition]:
    """Valid :class:`CreditDefinition` values built through the constructor."""
    return _fields(
        id=_IDS,
        name=_TEXTS,
        handle=_TEXTS,
        region_id=_IDS,
        timezone=zones(),
        period=_COUNTS,
        period_type=_PERIOD_TYPES,
        absolute_expiry=_instants(),
        release_period=_COUNTS,
        release_period_type=_PERIOD_TYPES,
        release_period_absolute_expiry=_instants(),
        is_published=_FLAGS,
        is_archived=_FLAGS,
        is_extendable=_FLAGS,
        is_assignable=_FLAGS,
        is_releasable=_FLAGS,
        is_reassignable=_FLAGS,
        require_security_code=_FLAGS,
        extend_days=_COUNTS,
        release_target_id=_IDS,
        **_NOTIFY_FIELDS,
    ).map(lambda fields: CreditDefinition(**fields))


@st.composite
def credit_items(draw: st.DrawFn) -> Credit:
    """Valid :class:`Credit` values (``value_remaining <= value_initial``)."""
    initial, remaining = draw(money_pairs())
    fields = draw(
        _fields(
            id=_IDS,
            profile_id=_TEXTS,
            creator_profile_id=_TEXTS,
            location_id=_IDS,
            credit_definition_id=_IDS,
            timezone=zones(),
            recipient_first_name=_TEXTS,
            recipient_email=_TEXTS,
            message=_TEXTS,
            issued_at=_instants(),
            expires_at=_instants(),
            released_at=_instants(),
            extended_at=_instants(),
            external_id=_TEXTS,
            external_namespace=_TEXTS,
            credit_number=_TEXTS,
            security_code=_TEXTS,
            location_external_id=_TEXTS,
            location_external_code=_TEXTS,
            locked=_FLAGS,
            lock_expires_at=_instants(),
            is_imported=_FLAGS,
            has_notified_issue=_FLAGS,
            has_notified_expiry=_FLAGS,
            has_notified_release=_FLAGS,
            has_notified_remind=_FLAGS,
            has_notified_extend=_FLAGS,
            meta=st.lists(_TEXTS, max_size=3).map(tuple),
            definition=credit_definitions(),
        )
    )
    fields["value_remaining"] = remaining
    return Credit(value_initial=initial, **fields)


def json_values(*, finite: bool = True) -> st.SearchStrategy[Any]:
    """JSON data: dicts, lists, strings, ints, floats, booleans and null, nested.

    With ``finite=False`` floats include NaN and ±Infinity (``json.loads`` accepts them).
    """
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=not finite, allow_infinity=not finite),
        st.text(max_size=10),
    )
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=8), children, max_size=4),
        ),
        max_leaves=12,
    )


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    """Valid :class:`Profile` values: a string id (or none) and a JSON context."""
    context = draw(st.dictionaries(st.text(max_size=8), json_values(), max_size=5))
    context.pop("id", None)
    profile_id = draw(_optional(_TEXTS))
    return Profile(context=context, id=profile_id)
