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
from typing import Any, Final, Literal

import attrs

from loyalty_core import clock
from loyalty_core._fields import BadValue, check_days, check_int, check_values
from loyalty_core.benefits import Benefit
from loyalty_core.credits import Credit
from loyalty_core.decisions import Decision, Reason, ReasonCode
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import EARLIEST, LATEST, STORABLE, show
from loyalty_core.periods import is_expired
from loyalty_core.policy import DEFAULT_POLICY, Policy
from loyalty_core.rewards import Reward

__all__ = [
    "ExtendRequest",
    "Extendable",
    "ExtensionResult",
    "extend",
    "extend_request",
    "is_extendable",
]

Extendable = Reward | Benefit | Credit
"""The kinds of item ``extend`` works on."""

_KINDS: Final = (Reward, Benefit, Credit)


@attrs.frozen(kw_only=True)
class ExtendRequest:
    """The Extend Reward request body: whose items, which ids, and by how much (EXT-1)."""

    profile_id: str
    ids: tuple[int, ...]
    extend_days: int | None = None
    extend_date: str | None = None
    """The new expiry as written: a naive one is a wall time in each item's zone (EXT-8)."""

    def __attrs_post_init__(self) -> None:
        """Check the ids (64-bit integers, at least one), stored as a tuple (EXT-11).

        The rest is checked where it is used, by :func:`extend_request` (EXT-1).
        """
        ids = self.ids
        if not isinstance(ids, list | tuple) or not ids:
            msg = f"expected a list of at least one id, got {show(ids)}"
            raise InvalidRequest(Problem("ids", msg))
        problems = []
        for index, ident in enumerate(ids):
            try:
                check_int(ident)
            except BadValue as exc:
                problems.append(Problem(f"ids[{index}]", str(exc)))
        if problems:
            raise InvalidRequest(problems)
        object.__setattr__(self, "ids", tuple(ids))


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


def extend(  # noqa: PLR0913 - the signature is fixed by the public API
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
    how = _prepare(profile_id, at, extend_days, extend_date, policy)
    checked = _checked_items(items)
    extended: list[Extendable] = []
    skipped: list[tuple[int | None, Decision]] = []
    for item, outcome in zip(checked, _outcomes(checked, how), strict=True):
        if isinstance(outcome, Decision):
            skipped.append((item.id, outcome))
        else:
            extended.append(outcome)
    return ExtensionResult(extended=tuple(extended), skipped=tuple(skipped))


def _prepare(profile_id: object, at: object, days: object, date: object, policy: object) -> _How:
    """Check the arguments shared by :func:`extend` and :func:`extend_request` (EXT-1)."""
    now = clock.as_instant(at, name="at")
    if not isinstance(profile_id, str):
        raise InvalidRequest(Problem("profile_id", f"expected a string, got {show(profile_id)}"))
    if not isinstance(policy, Policy):
        raise InvalidRequest(Problem("policy", f"expected a Policy, got {show(policy)}"))
    if (days is None) == (date is None):  # EXT-1
        msg = (
            "expected exactly one of extend_days and extend_date, got "
            f"extend_days={show(days)}, extend_date={show(date)}"
        )
        raise InvalidRequest(Problem("extend_days", msg))
    date_value, naive = _extend_how(days, date)
    return _How(profile_id, now, days, date_value, naive, policy)  # type: ignore[arg-type]


def _checked_items(items: Iterable[object]) -> tuple[Extendable, ...]:
    return check_values(items, "items", _KINDS, "Reward, Benefit or Credit")


@attrs.frozen
class _How:
    """One extension request's checked arguments."""

    profile_id: str
    at: datetime
    days: int | None
    date: datetime | None
    naive: bool
    policy: Policy


def _outcomes(items: tuple[Extendable, ...], how: _How) -> list[Extendable | Decision]:
    """Per item, in input order: the extended item, or the refusal that skips it (EXT-10)."""
    found: list[Extendable | Decision] = []
    seen: set[tuple[type, int]] = set()
    for item in items:
        key = (type(item), item.id) if item.id is not None else None
        duplicate = key is not None and key in seen  # EXT-10: null ids are never duplicates
        if key is not None:
            seen.add(key)
        reasons = _reasons(
            item,
            profile_id=how.profile_id,
            at=how.at,
            by_days=how.days is not None,
            policy=how.policy,
            duplicate=duplicate,
        )
        if reasons:
            found.append(Decision.trusted(tuple(reasons), None))
            continue
        expires = _new_expiry(item, how.days, how.date, naive=how.naive)
        found.append(attrs.evolve(item, expires_at=expires, extended_at=how.at, **_flags(item)))
    return found


_KIND_NAMES: Final[dict[str, type[Extendable]]] = {
    "reward": Reward,
    "benefit": Benefit,
    "credit": Credit,
}


def extend_request(
    items: Iterable[Extendable],
    request: ExtendRequest,
    *,
    at: datetime,
    policy: Policy = DEFAULT_POLICY,
    kind: Literal["reward", "benefit", "credit"] | None = None,
) -> ExtensionResult:
    """Extend the items an Extend Reward request names by id (EXT-11, then EXT-1 to EXT-10).

    ``request`` is :func:`~loyalty_core.parse_extend_request` of the body; ``items`` are the
    member's items. Each id of the body is looked up, in the body's order, among the items of
    ``kind`` (by default the kind of the items given; say it when they mix kinds). An id that
    names no item is skipped with ``not_found``; the found items go through :func:`extend`
    with the body's ``profile_id``, ``extend_days`` or ``extend_date``. ``extended`` and
    ``skipped`` keep the body's order.

    >>> from datetime import UTC, datetime
    >>> from loyalty_core import Reward, RewardDefinition, parse_extend_request
    >>> mine = Reward(id=4, profile_id="p-1", value_initial=5,
    ...               expires_at=datetime(2026, 5, 1, 23, 59, 59, tzinfo=UTC),
    ...               definition=RewardDefinition(is_extendable=True))
    >>> body = parse_extend_request({"profile_id": "p-1", "ids": [4, 9], "extend_days": 10})
    >>> result = extend_request([mine], body, at=datetime(2026, 4, 3, tzinfo=UTC))
    >>> str(result.extended[0].expires_at)
    '2026-05-11 23:59:59+00:00'
    >>> [(ident, [r.code.value for r in d.reasons]) for ident, d in result.skipped]
    [(9, ['not_found'])]
    """
    if not isinstance(request, ExtendRequest):
        msg = f"expected an ExtendRequest (parse_extend_request of the body), got {show(request)}"
        raise InvalidRequest(Problem("request", msg))
    how = _prepare(request.profile_id, at, request.extend_days, request.extend_date, policy)
    pool = _checked_items(items)
    wanted = _request_kind(pool, kind)
    by_id: dict[int, Extendable] = {}
    for index, item in enumerate(pool):
        if type(item) is wanted and item.id is not None:
            if item.id in by_id:
                # An id must name one item (EXT-10, EXT-11): two would make the body ambiguous.
                msg = f"expected one {wanted.__name__} with id {show(item.id)}, got another here"
                raise InvalidRequest(Problem(f"items[{index}]", msg))
            by_id[item.id] = item
    found = tuple(by_id[i] for i in request.ids if i in by_id)
    outcomes = iter(_outcomes(found, how))
    extended: list[Extendable] = []
    skipped: list[tuple[int | None, Decision]] = []
    for ident in request.ids:
        outcome = next(outcomes) if ident in by_id else _not_found(wanted, ident)
        if isinstance(outcome, Decision):
            skipped.append((ident, outcome))
        else:
            extended.append(outcome)
    return ExtensionResult(extended=tuple(extended), skipped=tuple(skipped))


def _request_kind(items: tuple[Extendable, ...], kind: object) -> type[Extendable]:
    if kind is not None:
        found = _KIND_NAMES.get(kind) if isinstance(kind, str) else None
        if found is None:
            msg = f"expected 'reward', 'benefit' or 'credit', got {show(kind)}"
            raise InvalidRequest(Problem("kind", msg))
        return found
    classes = {type(item) for item in items}
    if len(classes) > 1:
        msg = (
            "expected items of one kind, or kind= naming the kind the request's ids name "
            "('reward', 'benefit' or 'credit'), got items that mix kinds"
        )
        raise InvalidRequest(Problem("kind", msg))
    return classes.pop() if classes else Reward


def _not_found(kind: type[Extendable], ident: int) -> Decision:
    # EXT-11: an id of the body that names none of the member's items of the request's kind.
    name = kind.__name__.lower()
    reason = Reason(
        ReasonCode.NOT_FOUND,
        f"no {name} with id {ident} is among the items given",
        {"id": ident, "kind": name},
    )
    return Decision.trusted((reason,), None)
