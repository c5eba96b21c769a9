"""Extending rewards, benefits and credits (EXT rules).

``extend`` applies one extension request to any mix of rewards, benefits and credits: each
item is checked against EXT-2 to EXT-6, and the eligible ones get their new expiry. Items that
fail are skipped, each with a :class:`~loyalty_core.Decision` listing every reason (Q27).

>>> from datetime import UTC, datetime
>>> from decimal import Decimal
>>> from loyalty_core import Reward, RewardDefinition
>>> reward = Reward(id=1, profile_id="p-1", value_initial=Decimal(10),
...                 timezone="Australia/Melbourne",
...                 expires_at=datetime(2026, 4, 1, 12, 59, 59, tzinfo=UTC),
...                 definition=RewardDefinition(is_extendable=True))
>>> result = extend([reward], profile_id="p-1", at=datetime(2026, 4, 3, tzinfo=UTC),
...                 extend_days=10)
>>> str(result.extended[0].expires_at)   # 23:59:59 AEST, after the end of DST
'2026-04-11 13:59:59+00:00'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any, Final

import attrs

from loyalty_core import clock
from loyalty_core._fields import BadValue, check_days
from loyalty_core.benefits import Benefit
from loyalty_core.credits import Credit
from loyalty_core.decisions import Decision, Reason, ReasonCode
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import EARLIEST, LATEST, STORABLE, show
from loyalty_core.periods import is_expired
from loyalty_core.policy import DEFAULT_POLICY, Policy
from loyalty_core.rewards import Reward

__all__ = ["Extendable", "ExtensionResult", "extend", "is_extendable"]

Extendable = Reward | Benefit | Credit
"""The kinds of item ``extend`` works on."""

_KINDS: Final = (Reward, Benefit, Credit)


@attrs.frozen(kw_only=True)
class ExtensionResult:
    """The outcome of :func:`extend`, both in input order (EXT-10).

    ``extended`` holds the updated items; ``skipped`` holds ``(item_id, Decision)`` pairs, each
    decision refused with every reason (Q27) and ``retry_at`` ``None`` (TIME-9).
    """

    extended: tuple[Extendable, ...]
    skipped: tuple[tuple[int | None, Decision], ...]


def is_extendable(item: Extendable) -> bool:
    """Tell whether the item's definition allows an extension (EXT-4, Q30)."""
    definition = item.definition
    return definition is not None and definition.is_extendable


def _reasons(  # noqa: PLR0913 - each EXT rule reads one of these
    item: Extendable,
    *,
    profile_id: str,
    at: datetime,
    by_days: bool,
    policy: Policy,
    duplicate: bool,
) -> list[Reason]:
    found: list[Reason] = []
    if item.profile_id is None or item.profile_id != profile_id:  # EXT-2: null never matches
        found.append(
            Reason(
                ReasonCode.NOT_OWNED,
                f"the item belongs to profile {show(item.profile_id)}, not {show(profile_id)}",
                {"profile_id": item.profile_id, "requested_profile_id": profile_id},
            )
        )
    if item.extended_at is not None or duplicate:  # EXT-3, and EXT-10 for a repeated id
        if item.extended_at is not None:
            shown = clock.format_instant(item.extended_at)
            message = f"the item was already extended at {shown}; extension happens once"
        else:
            shown = None
            message = f"id {show(item.id)} appears earlier in this request; extension happens once"
        found.append(Reason(ReasonCode.ALREADY_EXTENDED, message, {"extended_at": shown}))
    if not is_extendable(item):  # EXT-4 (Q30)
        found.append(
            Reason(
                ReasonCode.NOT_EXTENDABLE,
                "the item's definition is not extendable"
                if item.definition is not None
                else "the item has no definition, so it is not extendable",
                {"is_extendable": False},
            )
        )
    if by_days and item.expires_at is None:  # EXT-5
        found.append(
            Reason(
                ReasonCode.NO_EXPIRY,
                "the item never expires, so there is no expiry to add days to",
                {"expires_at": None},
            )
        )
    if not policy.allow_extend_expired and is_expired(item.expires_at, at):  # EXT-6 (Q26)
        expires = clock.format_instant(item.expires_at)  # type: ignore[arg-type]
        found.append(
            Reason(
                ReasonCode.EXPIRED,
                f"the item expired at {expires}; at is {clock.format_instant(at)}, and the "
                "policy does not allow extending expired items",
                {"expires_at": expires, "at": clock.format_instant(at)},
            )
        )
    return found


def _new_expiry(
    item: Extendable, days: int | None, date_value: datetime | None, *, naive: bool
) -> datetime:
    tz: tzinfo = item.zone
    try:
        if days is not None:
            # EXT-7 (Q28): calendar days in the item's zone, wall time kept; the last second of
            # a day stays the last second of the new day (TIME-6).
            new = clock.shift_keep_wall(item.expires_at, tz, days, "days")  # type: ignore[arg-type]
        elif naive:
            # EXT-8 (Q35): a naive extend_date is a wall time in each item's zone.
            new = clock.wall_to_instant(date_value, tz)  # type: ignore[arg-type]
        else:
            new = date_value  # type: ignore[assignment]
    except clock.OUT_OF_RANGE:
        new = None
    if new is not None and EARLIEST <= new <= LATEST:
        return new
    # A stored expiry must lie in the storable range (the docs' Limits page).
    name = "extend_days" if days is not None else "extend_date"
    msg = f"item {show(item.id)}: the new expiry lies outside {STORABLE}"
    raise InvalidRequest(Problem(name, msg))


def _extend_how(days: object, date: object) -> tuple[datetime | None, bool]:
    """Check ``extend_days`` and ``extend_date`` (EXT-1); return the date and its naivety.

    ``extend_days`` is an int >= 1, at most the Limits page's bound; the date, if any, comes
    back with whether it is a naive wall time (EXT-8).
    """
    if days is not None:
        try:
            check_days(days)
        except BadValue as exc:
            raise InvalidRequest(Problem("extend_days", str(exc))) from None
    return (None, False) if date is None else _extend_date(date)


def _extend_date(value: object) -> tuple[datetime, bool]:
    """Check ``extend_date`` (EXT-1): an aware datetime or a PAY-2 string; ``(value, naive)``."""
    if isinstance(value, str):
        try:
            parsed = clock.parse_datetime(value)
        except ValueError as exc:
            raise InvalidRequest(Problem("extend_date", str(exc))) from None
        if parsed.tzinfo is None:
            return parsed, True
        return clock.as_instant(parsed, name="extend_date"), False
    if isinstance(value, datetime):
        return clock.as_instant(value, name="extend_date"), False
    msg = f"expected an aware datetime or a datetime string, got {show(value)}"
    raise InvalidRequest(Problem("extend_date", msg))


def _flags(item: Extendable) -> dict[str, Any]:
    # EXT-9: the expiry and remind notification flags reset, where the kind has them.
    return {
        name: False
        for name in ("has_notified_expiry", "has_notified_remind")
        if hasattr(item, name)
    }


def extend(  # noqa: PLR0913 - the signature is fixed by API.md
    items: Iterable[Extendable],
    *,
    profile_id: str,
    at: datetime,
    extend_days: int | None = None,
    extend_date: datetime | str | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> ExtensionResult:
    """Extend rewards, benefits and credits owned by ``profile_id`` (EXT-1 to EXT-10).

    Exactly one of ``extend_days`` (an ``int`` >= 1: calendar days in each item's zone, wall
    time kept) and ``extend_date`` (replaces the expiry; a naive ``YYYY-MM-DD HH:MM:SS`` string
    is a wall time in each item's zone, an offset string or an aware ``datetime`` one instant)
    must be given; otherwise :class:`InvalidRequest`. Extended items get ``extended_at = at``
    and their expiry/remind notification flags reset.
    """
    now = clock.as_instant(at, name="at")
    if not isinstance(profile_id, str):
        raise InvalidRequest(Problem("profile_id", f"expected a string, got {show(profile_id)}"))
    if not isinstance(policy, Policy):
        raise InvalidRequest(Problem("policy", f"expected a Policy, got {show(policy)}"))
    if (extend_days is None) == (extend_date is None):  # EXT-1
        msg = (
            "expected exactly one of extend_days and extend_date, got "
            f"extend_days={show(extend_days)}, extend_date={show(extend_date)}"
        )
        raise InvalidRequest(Problem("extend_days", msg))
    date_value, naive = _extend_how(extend_days, extend_date)
    checked = tuple(items)
    for index, item in enumerate(checked):
        if not isinstance(item, _KINDS):
            msg = f"expected a Reward, Benefit or Credit, got {show(item)}"
            raise InvalidRequest(Problem(f"items[{index}]", msg))

    extended: list[Extendable] = []
    skipped: list[tuple[int | None, Decision]] = []
    seen: set[tuple[type, int]] = set()
    for item in checked:
        key = (type(item), item.id) if item.id is not None else None
        duplicate = key is not None and key in seen  # EXT-10: null ids are never duplicates
        if key is not None:
            seen.add(key)
        reasons = _reasons(
            item,
            profile_id=profile_id,
            at=now,
            by_days=extend_days is not None,
            policy=policy,
            duplicate=duplicate,
        )
        if reasons:
            skipped.append((item.id, Decision.trusted(tuple(reasons), None)))
            continue
        expires = _new_expiry(item, extend_days, date_value, naive=naive)
        extended.append(attrs.evolve(item, expires_at=expires, extended_at=now, **_flags(item)))
    return ExtensionResult(extended=tuple(extended), skipped=tuple(skipped))
