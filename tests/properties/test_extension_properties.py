"""Properties of extend (EXT rules) and of the remind/extend notification instants (NTF-3, NTF-4).

Expectations are computed here with plain ``zoneinfo`` arithmetic on transition-heavy instants,
never with the library's clock helpers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    Credit,
    CreditDefinition,
    Policy,
    Reward,
    RewardDefinition,
)
from loyalty_core.extension import Extendable, extend
from loyalty_core.notifications import notification_schedule
from tests.helpers import budget
from tests.properties.strategies import (
    benefits,
    credit_items,
    day_exists,
    rewards,
    transition_instants,
    zoned_instants,
)

SECOND = timedelta(seconds=1)
AT = datetime(2026, 4, 3, tzinfo=UTC)
RESET = ("has_notified_expiry", "has_notified_remind")
CHANGED = ("expires_at", "extended_at", *RESET)
LIMIT = datetime(2200, 1, 1, tzinfo=UTC)

policies = st.builds(Policy, allow_extend_expired=st.booleans())


def start_of(day: date, tz: ZoneInfo) -> datetime:
    """TIME-8: local 00:00:00 of ``day`` resolved with fold=0, as a UTC instant."""
    return datetime.combine(day, time(), tz).replace(fold=0).astimezone(UTC)


def last_second(day: date, tz: ZoneInfo) -> datetime:
    """TIME-8: the start of the next local day minus one second."""
    return start_of(day + timedelta(days=1), tz) - SECOND


def resolve(wall: datetime, tz: ZoneInfo) -> datetime:
    """TIME-5: a naive wall time through its zone with fold=0."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def wall_exists(wall: datetime, tz: ZoneInfo) -> bool:
    back = resolve(wall, tz).astimezone(tz).replace(tzinfo=None)
    return back == wall


def earliest_reading(wall: datetime, tz: ZoneInfo) -> datetime:
    """The earliest instant whose local wall time in ``tz`` is ``wall`` (both folds tried)."""
    readings = [wall.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1)]
    return min(r for r in readings if r.astimezone(tz).replace(tzinfo=None) == wall)


def item_of(kind: str, zone_name: str, expires_at: datetime | None, **fields: Any) -> Extendable:
    if kind == "reward":
        return Reward(
            profile_id="p-1",
            timezone=zone_name,
            value_initial=Decimal(1),
            expires_at=expires_at,
            definition=RewardDefinition(is_extendable=True),
            **fields,
        )
    if kind == "benefit":
        return Benefit(
            profile_id="p-1",
            timezone=zone_name,
            expires_at=expires_at,
            definition=BenefitDefinition(is_extendable=True),
            **fields,
        )
    return Credit(
        profile_id="p-1",
        timezone=None,
        value_initial=Decimal(1),
        expires_at=expires_at,
        definition=CreditDefinition(is_extendable=True, timezone=zone_name),
        **fields,
    )


kinds = st.sampled_from(("reward", "benefit", "credit"))
# Built once, not in every draw (building it scans the zone's transitions).
NEW_YORK_INSTANTS: Final = transition_instants("America/New_York")


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """Either extend_days in 1..800 or an extend_date (naive string, offset string, datetime)."""
    if draw(st.booleans()):
        return {"extend_days": draw(st.integers(1, 800))}
    instant = draw(NEW_YORK_INSTANTS)
    choice = draw(st.sampled_from(("naive", "offset", "datetime")))
    if choice == "naive":
        return {"extend_date": instant.strftime("%Y-%m-%d %H:%M:%S")}
    if choice == "offset":
        return {"extend_date": instant.strftime("%Y-%m-%dT%H:%M:%SZ")}
    return {"extend_date": instant}


@settings(max_examples=budget(200))
@given(zoned_instants(), st.integers(1, 800), kinds)
def test_extend_days_moves_local_date_keeping_wall_time(
    zoned: tuple[str, datetime], days: int, kind: str
) -> None:
    """EXT-7 / TIME-6: the local date moves by N days, wall time (or the day's end) kept."""
    zone_name, old = zoned
    tz = ZoneInfo(zone_name)
    item = item_of(kind, zone_name, old)
    result = extend([item], profile_id="p-1", at=AT, extend_days=days)
    assert result.skipped == ()
    (extended,) = result.extended
    new = extended.expires_at
    assert new is not None
    assert new.tzinfo is UTC

    old_local = old.astimezone(tz)
    target = old_local.date() + timedelta(days=days)
    if old == last_second(old_local.date(), tz):
        assert last_second(target, tz) == new
        if day_exists(target, zone_name):
            assert target == new.astimezone(tz).date()
            assert new + SECOND == start_of(target + timedelta(days=1), tz)
    else:
        wall = datetime.combine(target, old_local.time())
        assert resolve(wall, tz) == new
        if wall_exists(wall, tz):
            # The earlier of the readings of the wall time (two inside a fold).
            assert earliest_reading(wall, tz) == new
            assert wall == new.astimezone(tz).replace(tzinfo=None)
        else:
            # A wall time in a gap is read with the offset in force before the gap, so it
            # moves forward by the gap's length.
            before = (wall - timedelta(days=1)).replace(tzinfo=tz).utcoffset()
            assert before is not None
            assert wall.replace(tzinfo=UTC) - before == new
            assert new.astimezone(tz).replace(tzinfo=None) > wall


@settings(max_examples=budget(200))
@given(zoned_instants(), kinds, requests(), st.data())
def test_an_extended_item_is_never_extended_again(
    zoned: tuple[str, datetime], kind: str, request: dict[str, Any], data: st.DataObject
) -> None:
    """EXT-3: a second extension skips the item with already_extended."""
    zone_name, old = zoned
    item = item_of(kind, zone_name, old)
    first = extend([item], profile_id="p-1", at=AT, **request)
    (extended,) = first.extended
    second_request = data.draw(requests(), label="second request")
    later = data.draw(st.sampled_from((AT, AT + timedelta(days=3650))), label="second at")
    second = extend(
        list(first.extended), profile_id="p-1", at=later, policy=Policy(), **second_request
    )
    assert second.extended == ()
    assert len(second.skipped) == 1
    skipped_id, decision = second.skipped[0]
    assert skipped_id == extended.id
    assert "already_extended" in [r.code.value for r in decision.reasons]
    assert decision.retry_at is None


any_items = st.one_of(rewards(), benefits(), credit_items())


def make_eligible(item: Extendable, *, extended: bool) -> Extendable:
    """The item owned by p-1, extendable, with an expiry before 2200, extended or not."""
    definition: Any = item.definition
    if definition is None:
        definition = RewardDefinition() if isinstance(item, Reward) else CreditDefinition()
    expires = item.expires_at
    if expires is None or expires > LIMIT:
        expires = AT
    return attrs.evolve(
        item,
        profile_id="p-1",
        expires_at=expires,
        extended_at=AT if extended else None,
        definition=attrs.evolve(definition, is_extendable=True),
    )


@settings(max_examples=budget(150))
@given(any_items, requests(), transition_instants("Australia/Melbourne"))
def test_extend_changes_only_expiry_extended_at_and_flags(
    raw: Extendable, request: dict[str, Any], at: datetime
) -> None:
    """EXT-9: nothing but expires_at, extended_at and the two notification flags changes."""
    item = make_eligible(raw, extended=False)
    result = extend([item], profile_id="p-1", at=at, **request)
    (extended,) = result.extended
    assert type(extended) is type(item)
    assert extended.extended_at == at
    assert extended.extended_at.tzinfo is UTC
    before = attrs.asdict(item, recurse=False)
    after = attrs.asdict(extended, recurse=False)
    for name in RESET:
        if name in before:
            assert after[name] is False
    for name in CHANGED:
        before.pop(name, None)
        after.pop(name, None)
    assert before == after


def expected_codes(
    item: Extendable, *, by_days: bool, at: datetime, policy: Policy, duplicate: bool
) -> list[str]:
    """The EXT-2 to EXT-6 table, restated."""
    found: list[str] = []
    if item.profile_id is None or item.profile_id != "p-1":
        found.append("not_owned")
    if item.extended_at is not None or duplicate:
        found.append("already_extended")
    if item.definition is None or item.definition.is_extendable is not True:
        found.append("not_extendable")
    if by_days and item.expires_at is None:
        found.append("no_expiry")
    if (
        not policy.allow_extend_expired
        and item.expires_at is not None
        and at.astimezone(UTC) > item.expires_at.astimezone(UTC)
    ):
        found.append("expired")
    return found


@st.composite
def mixed_items(draw: st.DrawFn) -> Extendable:
    raw = draw(any_items)
    item = make_eligible(raw, extended=draw(st.booleans()))
    changes: dict[str, Any] = {}
    if draw(st.booleans()):
        changes["id"] = draw(st.one_of(st.none(), st.integers(1, 4)))
    if draw(st.integers(0, 3)) == 0:
        changes["profile_id"] = draw(st.sampled_from((None, "p-2", "P-1")))
    if draw(st.integers(0, 3)) == 0:
        changes["expires_at"] = None
    if draw(st.integers(0, 3)) == 0:
        definition: Any = item.definition
        changes["definition"] = attrs.evolve(definition, is_extendable=False)
    return attrs.evolve(item, **changes)


@settings(max_examples=budget(200))
@given(st.lists(mixed_items(), max_size=8), requests(), policies)
def test_every_item_ends_up_in_exactly_one_list(
    items: list[Extendable], request: dict[str, Any], policy: Policy
) -> None:
    """EXT-10: extended and skipped partition the input, in input order, with Q27 reasons."""
    result = extend(items, profile_id="p-1", at=AT, policy=policy, **request)
    seen: set[tuple[type, int]] = set()
    want_extended: list[tuple[type, int | None]] = []
    want_skipped: list[tuple[int | None, list[str]]] = []
    for item in items:
        key = None if item.id is None else (type(item), item.id)
        duplicate = key is not None and key in seen
        if key is not None:
            seen.add(key)
        found = expected_codes(
            item, by_days="extend_days" in request, at=AT, policy=policy, duplicate=duplicate
        )
        if found:
            want_skipped.append((item.id, found))
        else:
            want_extended.append((type(item), item.id))
    assert len(result.extended) + len(result.skipped) == len(items)
    assert want_extended == [(type(r), r.id) for r in result.extended]
    assert want_skipped == [(i, [r.code.value for r in d.reasons]) for i, d in result.skipped]
    for _, decision in result.skipped:
        assert not decision.allowed
        assert decision.retry_at is None


@settings(max_examples=budget(200))
@given(
    zoned_instants(),
    st.integers(-60, 60),
    st.one_of(st.none(), st.integers(0, 23)),
    st.one_of(st.none(), st.integers(-48, 48)),
    st.sampled_from(("after", "before")),
    st.sampled_from(("remind", "extend")),
)
def test_remind_and_extend_local_date_is_expiry_date_plus_offset(
    zoned: tuple[str, datetime],
    days: int,
    hour: int | None,
    schedule_offset: int | None,
    sign: str,
    which: str,
) -> None:
    """NTF-3/NTF-4.

    Before the schedule offset, the local date is the local expiry date plus the offset days (sign
    per POL-6) at hour:00:00 local, resolved by TIME-5.
    """
    zone_name, expires = zoned
    tz = ZoneInfo(zone_name)
    fields: dict[str, Any] = {
        f"notify_{which}_offset_days": days,
        f"notify_{which}_offset_hour": hour,
    }
    definition = BenefitDefinition(
        is_extendable=True, notify_schedule_offset=schedule_offset, **fields
    )
    item = Benefit(timezone=zone_name, expires_at=expires, definition=definition)
    schedule = notification_schedule(item, policy=Policy(remind_offset_sign=sign))  # type: ignore[arg-type]
    planned = schedule.remind_at if which == "remind" else schedule.extend_at
    assert planned is not None
    assert planned.tzinfo is UTC
    raw = planned + timedelta(hours=schedule_offset or 0)

    signed = days if sign == "after" else -days
    target = expires.astimezone(tz).date() + timedelta(days=signed)
    wall = datetime.combine(target, time(hour or 0))
    assert resolve(wall, tz) == raw
    if wall_exists(wall, tz):
        assert earliest_reading(wall, tz) == raw
        assert target == raw.astimezone(tz).date()
        assert wall == raw.astimezone(tz).replace(tzinfo=None)
