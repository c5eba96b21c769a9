"""Hypothesis strategies for loyalty_core's values, API payloads, conditions and instants.

Use them to test a service against loyalty_core, the reference implementation. Every strategy
generates only values the library accepts (each value round-trips ``from_api(to_api())``),
except :func:`invalid_payloads`, which exists to produce input the library rejects.

Time strategies aim at the places where calendar code breaks: real DST transitions of real
zones (found once per zone by scanning its UTC offset, then cached), month ends, leap days,
the odd zones (Lord Howe's 30-minute DST, Havana's skipped midnight, Nuuk's late-evening
changes, Apia's skipped 2011-12-30) and the boundaries you name (a claim window's ends, an
expiry). Plain random instants would need thousands of examples to land within a second of a
transition; these land there on purpose.

Value strategies build the seven platform values through their constructors, with keyword-only
knobs where a test wants a particular kind of value (``benefit_definitions(claimable=True)``,
``rewards(active_at=at)``). Payload strategies give the platform's JSON shapes, valid
(:func:`api_payloads`) or broken in exactly one field (:func:`invalid_payloads`). Condition
strategies give well-formed JSON Logic rules over a profile schema (:func:`conditions`) and
profile data matching that schema (:func:`profile_contexts`).

>>> from hypothesis import given
>>> from loyalty_core import Reward, reward_balance
>>> @given(rewards(active_at=AT))
... def test_an_active_reward_counts(reward):
...     assert reward_balance([reward], at=AT) == reward.value_remaining
>>> test_an_active_reward_counts()
"""

from __future__ import annotations

import calendar
import functools
import itertools
import json
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, Literal, NamedTuple, TypeVar

from hypothesis import strategies as st

from loyalty_core import _fields, clock
from loyalty_core.benefits import Benefit, BenefitDefinition, ClaimTimeframe
from loyalty_core.credits import Credit, CreditDefinition
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import MAX_DAYS, MAX_HOURS, show
from loyalty_core.periods import MAX_PERIOD, PeriodType
from loyalty_core.policy import Policy
from loyalty_core.profiles import Profile
from loyalty_core.rewards import Reward, RewardDefinition

__all__ = [
    "AT",
    "CURATED_ZONES",
    "DEFAULT_PROFILE_SCHEMA",
    "InvalidPayload",
    "ProfileSchema",
    "Transition",
    "VariableType",
    "all_zone_names",
    "api_payloads",
    "aware_instants",
    "benefit_definitions",
    "benefits",
    "claim_timeframes",
    "conditions",
    "credit_definitions",
    "credits",
    "fold_walls",
    "gap_walls",
    "instants",
    "invalid_payloads",
    "json_values",
    "local_dates",
    "money",
    "month_end_instants",
    "policies",
    "profile_contexts",
    "profiles",
    "reward_definitions",
    "rewards",
    "transition_instants",
    "transitions",
    "zoned_instants",
    "zoned_walls",
    "zones",
]

T = TypeVar("T")

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


def _utc(value: datetime, name: str) -> datetime:
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
    low = None if min_value is None else _utc(min_value, "min_value")
    high = None if max_value is None else _utc(max_value, "max_value")
    if low is not None and high is not None and low > high:
        msg = f"expected min_value <= max_value, got {show(min_value)} > {show(max_value)}"
        raise InvalidRequest(Problem("min_value", msg))
    anchors = tuple(_utc(t, "near") for t in near) + tuple(b for b in (low, high) if b)
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


# ============================================================================================
# Profile schemas, profile data and JSON Logic conditions (COND)
# ============================================================================================

VariableType = Literal["string", "integer", "number", "boolean", "strings", "datetime"]
"""The type of one profile variable: ``"strings"`` is an array of strings (tags), and
``"datetime"`` a ``"YYYY-MM-DD HH:MM:SS"`` string (compared as text, COND-5)."""

ProfileSchema = Mapping[str, VariableType]
"""A profile schema: each variable's dotted path (``"aggregations.spend_12m"``) and type."""

_COMMS: Final = tuple(
    f"attributes.comms.{channel}_{kind}"
    for channel in ("email", "sms", "push", "phone", "post")
    for kind in ("promo", "optout")
)

DEFAULT_PROFILE_SCHEMA: Final[ProfileSchema] = MappingProxyType(
    {
        "tier_handle": "string",
        "first_name": "string",
        "last_name": "string",
        "email": "string",
        "gender": "string",
        "birth_year": "integer",
        "birth_month": "integer",
        "birth_day": "integer",
        "flattened_tags": "strings",
        "flattened_statuses": "strings",
        "reward_balance": "number",
        "point_balance": "number",
        "joined_at": "datetime",
        "aggregations.spend_12m": "number",
        "aggregations.spend_all": "number",
        "aggregations.spend_atv_12m": "number",
        "aggregations.shop_count": "integer",
        "tier.handle": "string",
        "tier.name": "string",
        **dict.fromkeys(_COMMS, "boolean"),
    }
)
"""The documented context variables of RULES COND-6 (``definition.handle``, null in a claim,
left out)."""

_VARIABLE_TYPES: Final = frozenset(
    ("string", "integer", "number", "boolean", "strings", "datetime")
)
_WORDS: Final = ("gold", "silver", "bronze", "tier-2", "vip", "stylist-client", "female", "")


def _checked_schema(schema: ProfileSchema) -> tuple[tuple[str, VariableType], ...]:
    """Validate a schema: non-empty, known types, whole-segment paths, no path inside another."""
    if not isinstance(schema, Mapping) or not schema:
        msg = f"expected a non-empty mapping of variable paths to types, got {show(schema)}"
        raise InvalidRequest(Problem("schema", msg))
    items = tuple(schema.items())
    for path, kind in items:
        if not isinstance(path, str) or not all(path.split(".")):
            msg = f"expected a dotted variable path, got {show(path)}"
            raise InvalidRequest(Problem("schema", msg))
        if kind not in _VARIABLE_TYPES:
            msg = (
                f"expected one of {', '.join(sorted(_VARIABLE_TYPES))} for {show(path)}, "
                f"got {show(kind)}"
            )
            raise InvalidRequest(Problem("schema", msg))
    for path, _ in items:
        for other, _ in items:
            if other.startswith(path + "."):
                msg = f"{show(other)} lies inside {show(path)}; a variable cannot hold both"
                raise InvalidRequest(Problem("schema", msg))
    return items


def _datetime_texts() -> st.SearchStrategy[str]:
    return st.datetimes(
        min_value=datetime(1990, 1, 1, tzinfo=UTC).replace(tzinfo=None),
        max_value=datetime(2035, 12, 31, tzinfo=UTC).replace(tzinfo=None),
    ).map(lambda d: d.replace(microsecond=0).isoformat(sep=" "))


_STRINGS: Final = st.one_of(st.sampled_from(_WORDS), st.text(max_size=8))
_NUMBERS: Final = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)


def _values_of(kind: VariableType) -> st.SearchStrategy[Any]:
    """The values a variable of ``kind`` holds; conditions compare with the same values."""
    if kind == "string":
        return _STRINGS
    if kind == "integer":
        return st.one_of(st.integers(0, 100), st.integers(1900, 2030), st.integers(-1000, 10**6))
    if kind == "number":
        return _NUMBERS
    if kind == "boolean":
        return st.booleans()
    if kind == "strings":
        return st.lists(st.sampled_from(_WORDS[:-1]), max_size=4, unique=True)
    return _datetime_texts()


def profile_contexts(
    schema: ProfileSchema = DEFAULT_PROFILE_SCHEMA, *, allow_missing: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """Generate profile data (the JSON a condition reads, COND-4) matching ``schema``.

    Each variable is set at its dotted path (``aggregations.spend_12m`` becomes
    ``{"aggregations": {"spend_12m": ...}}``) to a value of its type, drawn from the same
    values :func:`conditions` compares with, so rules hold and fail about equally often. With
    ``allow_missing`` (the default) a variable may also be absent or ``null`` (COND-5). Every
    value is plain JSON (finite floats). Shrinks towards ``{}`` (with ``allow_missing``),
    otherwise towards the simplest value of each variable (``"gold"``, ``0``, ``false``, ``[]``).
    """
    items = _checked_schema(schema)

    @st.composite
    def contexts(draw: st.DrawFn) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for path, kind in items:
            values = _values_of(kind)
            if allow_missing:
                choice = draw(st.sampled_from(("absent", "value", "null")))
                if choice == "absent":
                    continue
                value = None if choice == "null" else draw(values)
            else:
                value = draw(values)
            *parents, last = path.split(".")
            node = data
            for step in parents:
                node = node.setdefault(step, {})
            node[last] = value
        return data

    return contexts()


_EQUALITY: Final = ("==", "===", "!=", "!==")
_ORDER: Final = ("<", "<=", ">", ">=")


def _number_rules(path: str, kind: VariableType) -> st.SearchStrategy[dict[str, Any]]:
    var = {"var": path}
    values = _values_of(kind)
    operand = st.one_of(
        st.just(var),
        st.builds(lambda op, c: {op: [var, c]}, st.sampled_from(("+", "-", "*")), values),
        values.map(lambda default: {"var": [path, default]}),
    )
    return st.one_of(
        st.builds(
            lambda op, x, c: {op: [x, c]}, st.sampled_from(_EQUALITY + _ORDER), operand, values
        ),
        st.builds(lambda op, c, x: {op: [c, x]}, st.sampled_from(_ORDER), values, operand),
        st.builds(
            lambda op, a, b: {op: [min(a, b), var, max(a, b)]},
            st.sampled_from(("<", "<=")),
            values,
            values,
        ),
        st.builds(lambda c: {"==": [{"%": [var, 2]}, c]}, st.sampled_from((0, 1))),
    )


def _text_rules(path: str, kind: VariableType) -> st.SearchStrategy[dict[str, Any]]:
    var = {"var": path}
    values = _values_of(kind)
    rules = [
        st.builds(lambda op, c: {op: [var, c]}, st.sampled_from(_EQUALITY + _ORDER), values),
        st.builds(
            lambda op, a, b: {op: [min(a, b), var, max(a, b)]},
            st.sampled_from(("<", "<=")),
            values,
            values,
        ),
    ]
    if kind == "string":
        rules += [
            values.map(lambda c: {"in": [c, var]}),
            st.lists(values, min_size=1, max_size=3).map(lambda cs: {"in": [var, cs]}),
            st.builds(
                lambda n, c: {"===": [{"substr": [var, 0, n]}, c]}, st.integers(0, 4), values
            ),
            values.map(lambda c: {"==": [{"cat": [var, "-"]}, c + "-"]}),
        ]
    return st.one_of(*rules)


def _boolean_rules(path: str) -> st.SearchStrategy[dict[str, Any]]:
    var = {"var": path}
    return st.one_of(
        st.builds(lambda op, b: {op: [var, b]}, st.sampled_from(_EQUALITY), st.booleans()),
        st.sampled_from(("!!", "!")).map(lambda op: {op: [var]}),
    )


def _list_rules(path: str) -> st.SearchStrategy[dict[str, Any]]:
    var = {"var": path}
    words = st.sampled_from(_WORDS[:-1])
    return st.one_of(
        words.map(lambda c: {"in": [c, var]}),
        st.builds(
            lambda q, c: {q: [var, {"===": [{"var": ""}, c]}]},
            st.sampled_from(("some", "all", "none")),
            words,
        ),
        st.builds(
            lambda op, n: {op: [{"var": f"{path}.length"}, n]},
            st.sampled_from(_EQUALITY + _ORDER),
            st.integers(0, 4),
        ),
    )


def _leaf_rules(items: tuple[tuple[str, VariableType], ...]) -> st.SearchStrategy[dict[str, Any]]:
    per_variable: list[st.SearchStrategy[dict[str, Any]]] = []
    for path, kind in items:
        if kind in {"integer", "number"}:
            per_variable.append(_number_rules(path, kind))
        elif kind in {"string", "datetime"}:
            per_variable.append(_text_rules(path, kind))
        elif kind == "boolean":
            per_variable.append(_boolean_rules(path))
        else:
            per_variable.append(_list_rules(path))
    paths = st.lists(st.sampled_from([p for p, _ in items]), min_size=1, max_size=3, unique=True)
    missing = st.one_of(
        paths.map(lambda ps: {"missing": ps}),
        st.builds(lambda n, ps: {"missing_some": [n, ps]}, st.integers(0, 2), paths),
    )
    return st.one_of(*per_variable, missing)


def conditions(
    schema: ProfileSchema = DEFAULT_PROFILE_SCHEMA, *, max_depth: int = 3
) -> st.SearchStrategy[dict[str, Any]]:
    """Generate well-formed JSON Logic rules over the variables of ``schema`` (COND-6, COND-7).

    Each rule is an operator object (a ``dict`` with one key) that compiles: only operators of
    the COND arity table, with argument counts inside it. Leaves compare a variable with values
    of its type (``==``/``===``/``<``…, the three-argument "between" form, ``in`` on strings and
    tag arrays, ``some``/``all``/``none`` over tags, ``substr``, ``cat``, ``+``/``-``/``*``/``%``,
    ``var`` with a default, ``missing``/``missing_some``); up to ``max_depth`` (0–20) levels of
    ``and``, ``or``, ``!``, ``!!`` and ``if`` combine them. Every ``var`` path is a schema
    variable (or its ``.length``), except ``""`` inside the element logic of ``some``/``all``/
    ``none``, so ``unknown_variables(rule, schema)`` is empty. Use :func:`profile_contexts` for
    matching data.

    Shrinks towards ``{"==": [{"var": <first variable>}, <its simplest value>]}``: with the
    default schema, ``{"==": [{"var": "tier_handle"}, "gold"]}``.
    """
    items = _checked_schema(schema)
    if type(max_depth) is not int or not 0 <= max_depth <= 20:
        msg = f"expected an integer from 0 to 20, got {show(max_depth)}"
        raise InvalidRequest(Problem("max_depth", msg))
    rules = _leaf_rules(items)
    for _ in range(max_depth):
        inner = rules
        rules = st.one_of(
            inner,
            st.builds(
                lambda op, xs: {op: xs},
                st.sampled_from(("and", "or")),
                st.lists(inner, min_size=1, max_size=3),
            ),
            st.builds(lambda op, x: {op: [x]}, st.sampled_from(("!", "!!")), inner),
            st.tuples(inner, inner, inner).map(lambda t: {"if": list(t)}),
        )
    return rules


# ============================================================================================
# Values
# ============================================================================================


def _optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.one_of(st.none(), strategy)


def _some_of(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the given keyword fields (each present or not); shrinks towards none of them."""
    return st.fixed_dictionaries({}, optional=strategies)


def _as(value: T | st.SearchStrategy[T] | None, default: st.SearchStrategy[T]) -> Any:
    if value is None:
        return default
    if isinstance(value, st.SearchStrategy):
        return value
    return st.just(value)


_IDS: Final = st.integers(-(2**53), 2**53)
_COUNTS: Final = st.integers(0, 2**40)
# Periods valid for every period type (the longest years period, MAX_PERIOD), days to extend
# by, and offsets in days and hours, all within the bounds of the docs' Limits page.
_PERIODS: Final = st.integers(0, MAX_PERIOD[PeriodType.YEARS])
_EXTEND_DAYS: Final = st.integers(0, MAX_DAYS)
_DAY_OFFSETS: Final = st.integers(-MAX_DAYS, MAX_DAYS)
_HOUR_OFFSETS: Final = st.integers(-MAX_HOURS, MAX_HOURS)
_POSITIVE_COUNTS: Final = st.integers(1, 2**40)
_HOURS: Final = st.integers(0, 23)
_TEXTS: Final = st.text(max_size=12)
_PERIOD_TYPES: Final = st.sampled_from(PeriodType)
_FLAGS: Final = st.booleans()
_EXTRA: Final = st.dictionaries(
    st.text(max_size=8).map(lambda key: "x_" + key),
    st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), _TEXTS, st.lists(_TEXTS)),
    max_size=2,
)
"""A value's ``extra``: unmodelled keys (never a field name) kept verbatim (PAY-10)."""


def _stored_instants() -> st.SearchStrategy[datetime]:
    """Instants for value fields: special ones or any in 1900–2200, in a random zone."""
    wide = st.datetimes(min_value=_WIDE_MIN, max_value=_WIDE_MAX, timezones=st.just(UTC))
    return aware_instants(st.one_of(wide, instants()))


def money(*, max_units: int = 10**12, positive: bool = False) -> st.SearchStrategy[Decimal]:
    """Generate money: ``Decimal`` amounts ``>= 0`` with 0–4 decimal places, scale kept.

    ``Decimal('12.50')`` keeps its two places, as a payload's ``"12.50"`` does (PAY-8). With
    ``positive`` the amount is ``> 0``. At most ``max_units`` in the last place. Shrinks towards
    ``Decimal('0')`` (``Decimal('1')`` with ``positive``).
    """
    return st.builds(
        lambda units, places: Decimal(units).scaleb(-places),
        st.integers(1 if positive else 0, max_units),
        st.integers(0, 4),
    )


@st.composite
def _money_pair(draw: st.DrawFn, *, positive: bool = False) -> tuple[Decimal, Decimal | None]:
    """``(value_initial, value_remaining)``: remaining ``<= initial``, or None (= initial)."""
    initial = draw(money(positive=positive))
    if draw(st.booleans()):
        return initial, None
    places = draw(st.integers(0, 4))
    top = int(initial.scaleb(places))  # the most units of 10**-places that fit in initial
    if positive and top < 1:
        return initial, None
    units = draw(st.integers(1 if positive else 0, top))
    return initial, Decimal(units).scaleb(-places)


def claim_timeframes() -> st.SearchStrategy[ClaimTimeframe | None]:
    """Generate calendar (``count=None``) or rolling (``count >= 1``) timeframes, or None (CLM-16).

    Shrinks towards ``None``, then ``ClaimTimeframe(unit="day")``.
    """
    return _optional(
        st.builds(
            ClaimTimeframe,
            unit=st.sampled_from(("day", "week", "month", "year")),
            count=_optional(st.integers(1, MAX_PERIOD[PeriodType.YEARS])),
        )
    )


def _condition_fields(schema: ProfileSchema) -> st.SearchStrategy[Any]:
    """A condition field's input: a rule, its JSON text, or a "no condition" spelling."""
    rules = conditions(schema, max_depth=1)
    return st.one_of(rules, rules.map(json.dumps))


_NO_CONDITION: Final[st.SearchStrategy[Any]] = st.sampled_from((None, "", [], {}))

# (is_claimable, is_archived, is_published, is_assignable) that refuse a claim (CLM-1 to CLM-4).
_REFUSING_FLAGS: Final = tuple(
    flags
    for flags in itertools.product((False, True), repeat=4)
    if flags != (True, False, True, True)
)


_CLAIM_FLAGS: Final = ("is_claimable", "is_archived", "is_published", "is_assignable")


def _claim_flags(draw: st.DrawFn, *, claimable: bool | None) -> dict[str, bool]:
    """The flags of CLM-1 to CLM-4: free, all allowing a claim, or at least one refusing."""
    if claimable is None:
        flags: tuple[bool, ...] = draw(st.tuples(_FLAGS, _FLAGS, _FLAGS, _FLAGS))
    elif claimable:
        flags = (True, False, True, True)
    else:
        flags = draw(st.sampled_from(_REFUSING_FLAGS))
    return dict(zip(_CLAIM_FLAGS, flags, strict=True))


def _global_limit(
    draw: st.DrawFn, *, claimable: bool | None, with_limit: bool | None
) -> dict[str, int | None]:
    """``max_global_redemptions`` and ``total_global_redemptions`` (CLM-12, RED-11)."""
    if with_limit is None:
        cap = draw(_optional(_COUNTS))
    elif with_limit:
        cap = draw(_COUNTS)
    else:
        cap = None
    if claimable and cap is not None:
        cap = max(cap, 1)
        total = draw(st.integers(0, cap - 1))  # something left: CLM-12 allows the claim
    else:
        total = draw(_COUNTS)
    return {"max_global_redemptions": cap, "total_global_redemptions": total}


def _allocations(draw: st.DrawFn, *, claimable: bool | None) -> dict[str, Any]:
    """``force_allocation`` and ``total_allocations_remaining`` (CLM-13)."""
    force = draw(_FLAGS)
    remaining = draw(_optional(_COUNTS))
    if claimable and force and (remaining is None or remaining < 1):
        remaining = draw(_POSITIVE_COUNTS)
    return {"force_allocation": force, "total_allocations_remaining": remaining}


def _conditions(
    draw: st.DrawFn, rules: st.SearchStrategy[Any], *, with_condition: bool | None
) -> dict[str, Any]:
    """The three condition fields (CLM-8, VIS): a claim condition set, absent, or either."""
    some_condition = st.one_of(_NO_CONDITION, rules)
    if with_condition is None:
        claim = draw(some_condition)
    elif with_condition:
        claim = draw(rules)
    else:
        claim = draw(_NO_CONDITION)
    others = _NO_CONDITION if with_condition is False else some_condition
    return {
        "claim_condition": claim,
        "view_condition": draw(others),
        "visibility_condition": draw(others),
    }


def benefit_definitions(
    *,
    claimable: bool | None = None,
    with_global_limit: bool | None = None,
    with_condition: bool | None = None,
    open_at: datetime | None = None,
    schema: ProfileSchema = DEFAULT_PROFILE_SCHEMA,
) -> st.SearchStrategy[BenefitDefinition]:
    """Generate valid :class:`~loyalty_core.BenefitDefinition` values, built by the constructor.

    Every field is drawn independently (present or absent, any valid value) unless a knob
    fixes it:

    - ``claimable=True``: the flags allow a claim (``is_claimable``, ``is_published``,
      ``is_assignable`` true, ``is_archived`` false: CLM-1 to CLM-4), and no counter refuses
      one (global remaining > 0, CLM-12; allocations remaining > 0 when ``force_allocation``,
      CLM-13). The window, ``end_at``, the condition and the member's holdings may still
      refuse; combine with ``open_at`` and ``with_condition=False`` for definitions that any
      new member may claim at ``open_at``. ``claimable=False``: at least one of CLM-1 to
      CLM-4 refuses (under the default policy).
    - ``with_global_limit=True``: ``max_global_redemptions`` is set (``False``: it is null).
    - ``with_condition=True``: ``claim_condition`` is a rule from :func:`conditions` over
      ``schema`` (``max_depth=1``, as a dict or as JSON text), and the view and visibility
      conditions may be set too. ``False``: no condition at all (each given as null, ``""``,
      ``[]`` or ``{}``).
    - ``open_at``: the claim window contains the instant (bounds inclusive, CLM-5, CLM-6) and
      ``end_at`` is not before it (CLM-7); the bounds concentrate around it.

    Shrinks towards a definition with every field at its default, apart from what a knob fixes.
    """
    at = None if open_at is None else _utc(open_at, "open_at")
    near = () if at is None else (at,)
    stamps = _stored_instants()
    bound_before = stamps if at is None else instants(near=near, max_value=at)
    bound_after = stamps if at is None else instants(near=near, min_value=at)
    condition_values = _condition_fields(schema)

    @st.composite
    def definitions(draw: st.DrawFn) -> BenefitDefinition:
        fields = draw(
            _some_of(
                id=_IDS,
                name=_TEXTS,
                handle=_TEXTS,
                region_id=_IDS,
                campaign=_TEXTS,
                extra=_EXTRA,
                period=_PERIODS,
                period_type=_PERIOD_TYPES,
                absolute_expiry=stamps,
                is_reassignable=_FLAGS,
                is_reclaimable=_FLAGS,
                is_extendable=_FLAGS,
                allow_user_redeem=_FLAGS,
                claim_timeframe=claim_timeframes(),
                max_redemptions=_COUNTS,
                total_global_created=_COUNTS,
                total_allocations=_COUNTS,
                same_campaign_count=_COUNTS,
                notify_schedule_offset=_HOUR_OFFSETS,
                notify_issue_offset_days=_DAY_OFFSETS,
                notify_issue_offset_hour=_HOURS,
                notify_remind_offset_days=_DAY_OFFSETS,
                notify_remind_offset_hour=_HOURS,
                notify_extend_offset_days=_DAY_OFFSETS,
                notify_extend_offset_hour=_HOURS,
                issue_target_id=_IDS,
                remind_target_id=_IDS,
                extend_target_id=_IDS,
            )
        )
        # Claim window (CLM-5, CLM-6; PAY-11: start <= end) and end_at (CLM-7).
        start = draw(_optional(bound_before))
        end = draw(_optional(bound_after))
        if start is not None and end is not None and start > end:
            start, end = end, start
        fields["claim_period_start_at"] = start
        fields["claim_period_end_at"] = end
        fields["end_at"] = draw(_optional(bound_after))
        fields.update(_claim_flags(draw, claimable=claimable))
        fields.update(_global_limit(draw, claimable=claimable, with_limit=with_global_limit))
        fields.update(_allocations(draw, claimable=claimable))
        fields.update(_conditions(draw, condition_values, with_condition=with_condition))
        return BenefitDefinition(**fields)

    return definitions()


def _instance_times(
    draw: st.DrawFn, at: datetime | None, stamps: st.SearchStrategy[datetime]
) -> dict[str, Any]:
    """``issued_at`` and ``expires_at``: issued and not expired at ``at`` when given."""
    if at is None:
        return draw(_some_of(issued_at=stamps, expires_at=stamps))
    return {
        "issued_at": draw(_optional(instants(near=(at,), max_value=at))),
        "expires_at": draw(_optional(instants(near=(at,), min_value=at))),
    }


def benefits(
    *,
    definition: BenefitDefinition | st.SearchStrategy[BenefitDefinition] | None = None,
    active_at: datetime | None = None,
    claimed: bool | None = None,
) -> st.SearchStrategy[Benefit]:
    """Generate valid :class:`~loyalty_core.Benefit` values, each embedding its definition.

    ``definition`` is a definition, a strategy of them, or ``None`` for
    :func:`benefit_definitions`. ``active_at`` makes every benefit *active* at that instant
    (RED-1): issued (``issued_at`` null or ``<= active_at``), not expired (``expires_at`` null
    or ``>= active_at``) and not used up (``redemptions_remaining`` > 0, or null with a
    definition whose ``max_redemptions`` is not 0). ``claimed=True`` sets ``claimed_at``
    (``False``: it is null), which is what CLM-9/CLM-10 count as a claim. Shrinks towards a
    benefit with every field null but its (shrunk) definition.
    """
    at = None if active_at is None else _utc(active_at, "active_at")
    definitions: st.SearchStrategy[BenefitDefinition] = _as(definition, benefit_definitions())
    stamps = _stored_instants()

    @st.composite
    def build(draw: st.DrawFn) -> Benefit:
        embedded = draw(definitions)
        fields = draw(
            _some_of(
                id=_IDS,
                profile_id=_TEXTS,
                external_id=_TEXTS,
                timezone=zones(),
                extended_at=stamps,
                redemptions_remaining=_COUNTS,
                meta=st.lists(_TEXTS, max_size=3),
                extra=_EXTRA,
            )
        )
        fields.update(_instance_times(draw, at, stamps))
        if claimed is None:
            fields["claimed_at"] = draw(_optional(stamps))
        elif claimed:
            fields["claimed_at"] = draw(stamps)
        if at is not None:
            left = fields.get("redemptions_remaining")
            if left == 0 or (left is None and embedded.max_redemptions == 0):
                fields["redemptions_remaining"] = draw(_POSITIVE_COUNTS)
        return Benefit(definition=embedded, **fields)

    return build()


_NOTIFY_FIELDS: Final[Mapping[str, st.SearchStrategy[Any]]] = {
    "notify_schedule_offset": _HOUR_OFFSETS,
    "notify_issue_offset_days": _DAY_OFFSETS,
    "notify_issue_offset_hour": _HOURS,
    "notify_remind_offset_days": _DAY_OFFSETS,
    "notify_remind_offset_hour": _HOURS,
    "issue_target_id": _IDS,
    "expiry_target_id": _IDS,
    "extend_target_id": _IDS,
}


def reward_definitions(*, extendable: bool | None = None) -> st.SearchStrategy[RewardDefinition]:
    """Generate valid :class:`~loyalty_core.RewardDefinition` values, built by the constructor.

    ``extendable`` fixes ``is_extendable`` (EXT-4). Shrinks towards ``RewardDefinition()``
    (with ``is_extendable`` as fixed).
    """
    stamps = _stored_instants()
    fixed = {} if extendable is None else {"is_extendable": extendable}
    return _some_of(
        id=_IDS,
        name=_TEXTS,
        handle=_TEXTS,
        region_id=_IDS,
        period=_PERIODS,
        period_type=_PERIOD_TYPES,
        absolute_expiry=stamps,
        is_extendable=_FLAGS,
        is_assignable=_FLAGS,
        is_reassignable=_FLAGS,
        is_published=_FLAGS,
        extend_days=_EXTEND_DAYS,
        notify_issue_offset=_HOUR_OFFSETS,
        notify_expiry_offset=_HOUR_OFFSETS,
        notify_extend_offset_days=_DAY_OFFSETS,
        notify_extend_offset_hour=_HOURS,
        extra=_EXTRA,
        **_NOTIFY_FIELDS,
    ).map(lambda fields: RewardDefinition(**{**fields, **fixed}))


def rewards(
    *,
    definition: RewardDefinition | st.SearchStrategy[RewardDefinition | None] | None = None,
    active_at: datetime | None = None,
) -> st.SearchStrategy[Reward]:
    """Generate valid :class:`~loyalty_core.Reward` values (``value_remaining <= value_initial``).

    ``definition`` is a definition, a strategy of them (it may give ``None``), or ``None`` for
    an optional :func:`reward_definitions`. ``active_at`` makes every reward *active* at that
    instant (RWD-1): issued (``issued_at`` null or ``<= active_at``), not expired
    (``expires_at`` null or ``>= active_at``) and ``value_remaining > 0``, so
    ``reward_balance([r], at=active_at) == r.value_remaining``. Shrinks towards
    ``Reward(value_initial=Decimal('0'))`` (``Decimal('1')`` with ``active_at``).
    """
    at = None if active_at is None else _utc(active_at, "active_at")
    definitions: st.SearchStrategy[RewardDefinition | None] = _as(
        definition, _optional(reward_definitions())
    )
    stamps = _stored_instants()

    @st.composite
    def build(draw: st.DrawFn) -> Reward:
        initial, remaining = draw(_money_pair(positive=at is not None))
        fields = draw(
            _some_of(
                id=_IDS,
                profile_id=_TEXTS,
                timezone=zones(),
                extended_at=stamps,
                has_notified_issue=_FLAGS,
                has_notified_expiry=_FLAGS,
                has_notified_extend=_FLAGS,
                extra=_EXTRA,
            )
        )
        fields.update(_instance_times(draw, at, stamps))
        fields["value_remaining"] = remaining  # None means value_initial (PAY-9)
        return Reward(value_initial=initial, definition=draw(definitions), **fields)

    return build()


def credit_definitions(
    *, require_security_code: bool | None = None
) -> st.SearchStrategy[CreditDefinition]:
    """Generate valid :class:`~loyalty_core.CreditDefinition` values, built by the constructor.

    ``require_security_code`` fixes that flag (CRD-10). Shrinks towards ``CreditDefinition()``
    (with the flag as fixed).
    """
    stamps = _stored_instants()
    fixed = (
        {} if require_security_code is None else {"require_security_code": require_security_code}
    )
    return _some_of(
        id=_IDS,
        name=_TEXTS,
        handle=_TEXTS,
        region_id=_IDS,
        timezone=zones(),
        period=_PERIODS,
        period_type=_PERIOD_TYPES,
        absolute_expiry=stamps,
        release_period=_PERIODS,
        release_period_type=_PERIOD_TYPES,
        release_period_absolute_expiry=stamps,
        is_published=_FLAGS,
        is_archived=_FLAGS,
        is_extendable=_FLAGS,
        is_assignable=_FLAGS,
        is_releasable=_FLAGS,
        is_reassignable=_FLAGS,
        require_security_code=_FLAGS,
        require_assigned=_FLAGS,
        max_value=money(),
        extend_days=_EXTEND_DAYS,
        release_target_id=_IDS,
        remind_target_id=_IDS,
        extra=_EXTRA,
        **_NOTIFY_FIELDS,
    ).map(lambda fields: CreditDefinition(**{**fields, **fixed}))


def credits(  # noqa: A001 - named after the value it generates, like rewards() and benefits()
    *,
    definition: CreditDefinition | st.SearchStrategy[CreditDefinition | None] | None = None,
    redeemable_at: datetime | None = None,
) -> st.SearchStrategy[Credit]:
    """Generate valid :class:`~loyalty_core.Credit` values (``value_remaining <= value_initial``).

    ``definition`` is a definition, a strategy of them (it may give ``None``), or ``None`` for
    an optional :func:`credit_definitions`. ``redeemable_at`` makes every credit redeemable at
    that instant for any amount up to ``value_remaining`` (> 0) when the caller passes
    ``security_code=credit.security_code``: issued, released (``released_at`` set and
    ``<= redeemable_at``), not expired, not locked (CRD-6 to CRD-12), and holding a non-empty
    ``security_code`` when its definition requires one. Shrinks towards
    ``Credit(value_initial=Decimal('0'))`` (``Decimal('1')`` and the fields above with
    ``redeemable_at``).
    """
    at = None if redeemable_at is None else _utc(redeemable_at, "redeemable_at")
    definitions: st.SearchStrategy[CreditDefinition | None] = _as(
        definition, _optional(credit_definitions())
    )
    stamps = _stored_instants()

    @st.composite
    def build(draw: st.DrawFn) -> Credit:
        initial, remaining = draw(_money_pair(positive=at is not None))
        embedded = draw(definitions)
        fields = draw(
            _some_of(
                id=_IDS,
                profile_id=_TEXTS,
                creator_profile_id=_TEXTS,
                location_id=_IDS,
                credit_definition_id=_IDS,
                timezone=zones(),
                recipient_first_name=_TEXTS,
                recipient_email=_TEXTS,
                message=_TEXTS,
                released_at=stamps,
                extended_at=stamps,
                external_id=_TEXTS,
                external_namespace=_TEXTS,
                credit_number=_TEXTS,
                security_code=_TEXTS,
                location_external_id=_TEXTS,
                location_external_code=_TEXTS,
                locked=_FLAGS,
                lock_expires_at=stamps,
                is_imported=_optional(_FLAGS),
                has_notified_issue=_FLAGS,
                has_notified_expiry=_FLAGS,
                has_notified_release=_FLAGS,
                has_notified_remind=_FLAGS,
                has_notified_extend=_FLAGS,
                meta=_optional(st.lists(_TEXTS, max_size=3).map(tuple)),
                extra=_EXTRA,
            )
        )
        fields.update(_instance_times(draw, at, stamps))
        if at is not None:
            fields["released_at"] = draw(instants(near=(at,), max_value=at))
            if fields.get("locked"):
                # CRD-4: a lock that has expired by `at` (at == lock_expires_at is unlocked).
                fields["lock_expires_at"] = draw(instants(near=(at,), max_value=at))
            if embedded is not None and embedded.require_security_code:
                fields["security_code"] = draw(st.text(min_size=1, max_size=12))
        fields["value_remaining"] = remaining  # None means value_initial (PAY-9)
        return Credit(value_initial=initial, definition=embedded, **fields)

    return build()


def json_values(*, finite: bool = True) -> st.SearchStrategy[Any]:
    """Generate JSON data: dicts, lists, strings, ints, floats, booleans and null, nested.

    With ``finite=False`` floats include NaN and ±Infinity (``json.loads`` accepts them).
    Shrinks towards ``None``.
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


def profiles(*, schema: ProfileSchema | None = None) -> st.SearchStrategy[Profile]:
    """Generate valid :class:`~loyalty_core.Profile` values: a string id (or none) and a context.

    Without ``schema`` the context is any JSON object; with one it is
    :func:`profile_contexts` of that schema, so :func:`conditions` over the same schema read
    it. A context ``id`` that is not a string is dropped (a profile's id is a string, PAY-7).
    Shrinks towards ``Profile()``.
    """
    contexts: st.SearchStrategy[dict[str, Any]] = (
        st.dictionaries(st.text(max_size=8), json_values(), max_size=5)
        if schema is None
        else profile_contexts(schema)
    )

    @st.composite
    def build(draw: st.DrawFn) -> Profile:
        context = draw(contexts)
        if not isinstance(context.get("id"), str):
            context.pop("id", None)
        profile_id = context.get("id")
        if profile_id is None:
            profile_id = draw(_optional(_TEXTS))
        return Profile(context=context, id=profile_id)

    return build()


def policies() -> st.SearchStrategy[Policy]:
    """Generate every :class:`~loyalty_core.Policy`: each switch of POL-2 to POL-6 drawn freely.

    Shrinks towards ``DEFAULT_POLICY``.
    """
    default = Policy()

    def flag(name: str) -> st.SearchStrategy[bool]:
        value: bool = getattr(default, name)
        return st.sampled_from((value, not value))

    return st.builds(
        Policy,
        reclaim_requires_inactive=flag("reclaim_requires_inactive"),
        one_claim_per_campaign=flag("one_claim_per_campaign"),
        claims_require_assignable=flag("claims_require_assignable"),
        allow_extend_expired=flag("allow_extend_expired"),
        remind_offset_sign=st.sampled_from(("after", "before")),
    )


# ============================================================================================
# API payloads (PAY)
# ============================================================================================

_PAYLOAD_CLASSES: Final = (
    BenefitDefinition,
    Benefit,
    RewardDefinition,
    Reward,
    CreditDefinition,
    Credit,
    Profile,
)


def _values_for(cls: type[Any]) -> st.SearchStrategy[Any]:
    makers: dict[type[Any], Callable[[], st.SearchStrategy[Any]]] = {
        BenefitDefinition: benefit_definitions,
        Benefit: benefits,
        RewardDefinition: reward_definitions,
        Reward: rewards,
        CreditDefinition: credit_definitions,
        Credit: credits,
        Profile: profiles,
    }
    maker = makers.get(cls)
    if maker is None:
        names = ", ".join(c.__name__ for c in _PAYLOAD_CLASSES)
        msg = f"expected one of {names}, got {show(cls)}"
        raise InvalidRequest(Problem("cls", msg))
    return maker()


def _offset_text(draw: st.DrawFn, instant: datetime) -> str:
    """An instant as a PAY-2 (b) string with a random offset (the same instant)."""
    minutes = draw(st.integers(-14 * 60, 14 * 60))
    local = instant.astimezone(timezone(timedelta(minutes=minutes)))
    text = local.isoformat(sep=draw(st.sampled_from(("T", " "))))
    return text.replace("+00:00", "Z") if draw(st.booleans()) else text


def _vary(draw: st.DrawFn, value: object, payload: dict[str, Any]) -> dict[str, Any]:
    """Re-spell some fields of a value's payload in other accepted shapes (same value)."""
    for name, item in list(payload.items()):
        attribute = getattr(value, name, None)
        if item is None or attribute is None or not draw(st.booleans()):
            continue
        if isinstance(attribute, datetime):
            payload[name] = _offset_text(draw, attribute)  # PAY-2 (b)
        elif type(attribute) is int and abs(attribute) <= 2**53:
            payload[name] = float(attribute)  # PAY-7: an integral float is an integer
        elif isinstance(attribute, _fields.Value) and isinstance(item, dict):
            payload[name] = _vary(draw, attribute, item)
    return payload


_UNKNOWN_KEYS: Final = st.dictionaries(
    st.text(max_size=8).map(lambda s: "x-" + s),
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    max_size=3,
)


def api_payloads(cls: type[Any], *, vary: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Generate valid API payloads (the platform's JSON shape) of one of the seven values.

    ``cls`` is ``BenefitDefinition``, ``Benefit``, ``RewardDefinition``, ``Reward``,
    ``CreditDefinition``, ``Credit`` or ``Profile``. Each payload is ``x.to_api()`` of a value
    from this module's strategy for ``cls``; with ``vary`` (the default) some fields are then
    spelled in other shapes the platform also sends: instants as ISO 8601 with a random offset
    or ``Z`` (PAY-2), integers as integral floats (``30.0``, PAY-7), and unknown ``"x-…"`` keys
    (kept in ``extra``, PAY-10; a profile keeps them in its context). ``cls.from_api`` accepts
    every payload. Shrinks towards the payload of the simplest value, spelled as ``to_api``
    writes it.
    """
    values = _values_for(cls)

    @st.composite
    def payloads(draw: st.DrawFn) -> dict[str, Any]:
        value = draw(values)
        payload: dict[str, Any] = value.to_api()
        if not vary:
            return payload
        if not isinstance(value, Profile):
            payload = _vary(draw, value, payload)
        payload.update(draw(_UNKNOWN_KEYS))
        return payload

    return payloads()


class InvalidPayload(NamedTuple):
    """A near-valid payload and the JSON path of the one field that makes it invalid."""

    payload: Any
    """The payload: a valid one with exactly one field (or the whole of it) broken."""
    json_path: str
    """Where ``from_api`` reports the problem: ``$``, ``$.period``, ``$.definition.is_archived``."""


_NOT_OBJECTS: Final = st.sampled_from(([], "x", 5, True, 1.5))


def _break_window(draw: st.DrawFn, payload: dict[str, Any]) -> str:
    """PAY-11: a claim window that starts after it ends (both bounds valid)."""
    end = draw(instants())
    delta = draw(st.sampled_from(_SPECIAL_DELTAS).filter(lambda d: d > timedelta(0)))
    if end + delta > clock.LATEST:  # pragma: no cover - instants() stay far from year 9999
        end -= delta
    payload["claim_period_start_at"] = clock.format_wall(end + delta)
    payload["claim_period_end_at"] = clock.format_wall(end)
    return "claim_period_start_at"


def _break_remaining_global(draw: st.DrawFn, payload: dict[str, Any]) -> str:
    """PAY-9: a total_global_redemptions_remaining outside 0..max filling a missing total."""
    cap = draw(st.integers(0, 1000))
    payload["total_global_redemptions"] = None
    payload["max_global_redemptions"] = cap
    payload["total_global_redemptions_remaining"] = draw(
        st.one_of(
            st.integers(cap + 1, cap + 1000), st.integers(-1000, -1), st.sampled_from(("1", True))
        )
    )
    return "total_global_redemptions_remaining"


def _break_value(draw: st.DrawFn, payload: dict[str, Any]) -> str:
    """RWD-8, Q37: a value_remaining above value_initial."""
    initial = Decimal(payload["value_initial"])
    payload["value_remaining"] = format(initial + draw(money(positive=True)), "f")
    return "value_remaining"


def _break_required(draw: st.DrawFn, payload: dict[str, Any], name: str) -> str:
    """PAY-9: a required key null or missing."""
    if draw(st.booleans()):
        payload[name] = None
    else:
        payload.pop(name, None)
    return name


_CROSS_FIELD: Final[Mapping[type[Any], tuple[Callable[[st.DrawFn, dict[str, Any]], str], ...]]] = {
    BenefitDefinition: (_break_window, _break_remaining_global),
    Benefit: (functools.partial(_break_required, name="definition"),),
    Reward: (_break_value, functools.partial(_break_required, name="value_initial")),
    Credit: (_break_value, functools.partial(_break_required, name="value_initial")),
}
"""Per class: the ways to break a payload other than one field's value."""


def _break_field(draw: st.DrawFn, cls: type[Any], payload: dict[str, Any], name: str) -> str:
    """Give field ``name`` a value one step from valid; return the path below the field."""
    kind = dict(_fields.specs(cls))[name]
    nested = kind.value_class
    if nested is not None and not kind.many:
        inner = payload.get(name)
        if isinstance(inner, dict) and draw(st.booleans()):
            return "." + _break(draw, nested, inner)
    value, suffix = draw(st.sampled_from(kind.bad))
    payload[name] = value
    return str(suffix)


def _break(draw: st.DrawFn, cls: type[Any], payload: dict[str, Any]) -> str:
    """Break one thing in ``payload`` (a valid payload of ``cls``); return its path below ``$``."""
    names = [name for name, kind in _fields.specs(cls) if kind.bad]
    cross = _CROSS_FIELD.get(cls, ())
    choice = draw(st.integers(0, len(names) + len(cross) - 1))
    if choice < len(names):
        name = names[choice]
        return name + _break_field(draw, cls, payload, name)
    return cross[choice - len(names)](draw, payload)


def invalid_payloads(cls: type[Any]) -> st.SearchStrategy[InvalidPayload]:
    """Generate near-valid payloads of ``cls`` that break in exactly one place, with its path.

    Each item is an :class:`InvalidPayload` ``(payload, json_path)``: a valid payload of
    ``cls`` (see :func:`api_payloads`) with one thing wrong, and the JSON path at which
    ``cls.from_api`` reports it, its only problem. What breaks: one field given a value one
    step from valid (a negative period, a non-bool flag, a bad datetime string, an unknown
    zone, a money string with an exponent, an unknown period type or claim timeframe, a
    malformed condition, possibly inside the condition: ``$.claim_condition.and[1]``), a field
    of the embedded definition (``$.definition.period``), a required key missing (PAY-9), a
    claim window that ends before it starts (reported at ``$.claim_period_start_at``, PAY-11),
    a ``value_remaining`` above ``value_initial``, or a payload that is not an object (``$``).
    For ``Profile``: a non-string ``id``, or not an object.

    Assert that your service rejects the payload, at ``json_path`` if it reports paths.
    Shrinks towards the simplest value's payload with a field of the first kind broken.
    """
    values = _values_for(cls)

    @st.composite
    def broken(draw: st.DrawFn) -> InvalidPayload:
        value = draw(values)
        payload: dict[str, Any] = value.to_api()
        if draw(st.integers(0, 9)) == 0:
            return InvalidPayload(draw(st.one_of(_NOT_OBJECTS, st.just([payload]))), "$")
        if cls is Profile:
            payload["id"] = draw(st.sampled_from((5, 1.5, True, ["a"], {"a": 1})))
            return InvalidPayload(payload, "$.id")
        return InvalidPayload(payload, "$." + _break(draw, cls, payload))

    return broken()
