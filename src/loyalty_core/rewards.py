"""Reward definitions and rewards (the values of the RWD, EXT and NTF rules).

>>> Reward(value_initial="10.00").value_remaining
Decimal('10.00')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from loyalty_core import _fields as f
from loyalty_core import clock
from loyalty_core._fields import Value, check_values, extra_field, field
from loyalty_core._value_items import ValueItem, redemption_amount, value_problems, with_remaining
from loyalty_core.decisions import Decision, Reason, ReasonCode, after, first_change
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import EXACT_MONEY, show
from loyalty_core.periods import PeriodType, before_issue, past_expiry, period_problems

__all__ = [
    "Reward",
    "RewardDefinition",
    "RewardRedemption",
    "ValueItem",
    "is_reward_active",
    "redeem_rewards",
    "reward_balance",
    "value_problems",
]


@attrs.frozen(kw_only=True)
class RewardDefinition(Value):
    """A reward template: period, extension and notification fields (EXP, EXT, NTF).

    ``notify_issue_offset`` and ``notify_expiry_offset`` are the legacy hour offsets (NTF-2,
    NTF-5); the ``notify_*_days``/``_hour`` pairs are the day-based schedule.
    """

    id: int | None = field(f.INT)
    name: str | None = field(f.TEXT)
    handle: str | None = field(f.TEXT)
    region_id: int | None = field(f.INT)
    period: int | None = field(f.PERIOD)
    period_type: PeriodType = field(f.PERIOD_TYPE, default=PeriodType.DAYS)
    absolute_expiry: datetime | None = field(f.INSTANT)
    is_extendable: bool = field(f.FLAG, default=False)
    is_assignable: bool = field(f.FLAG, default=False)
    is_reassignable: bool = field(f.FLAG, default=False)
    is_published: bool = field(f.FLAG, default=False)
    extend_days: int | None = field(f.PERIOD)
    notify_issue_offset: int | None = field(f.HOUR_OFFSET)
    notify_expiry_offset: int | None = field(f.HOUR_OFFSET)
    notify_schedule_offset: int | None = field(f.HOUR_OFFSET)
    notify_issue_offset_days: int | None = field(f.DAY_OFFSET)
    notify_issue_offset_hour: int | None = field(f.HOUR)
    notify_remind_offset_days: int | None = field(f.DAY_OFFSET)
    notify_remind_offset_hour: int | None = field(f.HOUR)
    notify_extend_offset_days: int | None = field(f.DAY_OFFSET)
    notify_extend_offset_hour: int | None = field(f.HOUR)
    issue_target_id: int | None = field(f.INT)
    expiry_target_id: int | None = field(f.INT)
    extend_target_id: int | None = field(f.INT)
    extra: Mapping[str, Any] = extra_field()
    """Every key of the payload this class does not model, read-only and in order (PAY-10)."""

    def _invariants(self, prefix: str) -> Iterable[Problem]:
        return period_problems(self, prefix, (("period", "period_type"),))


@attrs.frozen(kw_only=True)
class Reward(ValueItem):
    """One reward issued to a member: a ``Decimal`` value, an expiry and its definition.

    ``value_initial`` is required; ``value_remaining`` given as ``None`` takes
    ``value_initial`` (PAY-9), and ``0 <= value_remaining <= value_initial`` (RWD-8).
    """

    id: int | None = field(f.INT)
    profile_id: str | None = field(f.TEXT)
    timezone: str | None = field(f.ZONE)
    value_initial: Decimal = field(f.required(f.MONEY))
    value_remaining: Decimal = field(f.MONEY)
    issued_at: datetime | None = field(f.INSTANT)
    expires_at: datetime | None = field(f.INSTANT)
    extended_at: datetime | None = field(f.INSTANT)
    has_notified_issue: bool = field(f.FLAG, default=False)
    has_notified_expiry: bool = field(f.FLAG, default=False)
    has_notified_extend: bool = field(f.FLAG, default=False)
    definition: RewardDefinition | None = field(f.nested(RewardDefinition))
    extra: Mapping[str, Any] = extra_field()
    """Every key of the payload this class does not model, read-only and in order (PAY-10)."""

    def _write_hook(self, out: dict[str, Any]) -> None:
        # PAY-5: rewards also carry their local twins, as the platform returns them.
        tz = self.zone
        for name, twin in (("issued_at", "issued_local_at"), ("expires_at", "expires_local_at")):
            instant = getattr(self, name)
            out[twin] = None if instant is None else clock.format_wall(instant, tz).split(".")[0]


# --- balance and redemption (RWD-1 to RWD-7) ------------------------------------------------

_NEVER: Final = datetime.max.replace(tzinfo=UTC)
"""Sort stand-in for a null instant: later than every stored one (``clock.LATEST``)."""

_NO_ID: Final = math.inf
"""Sort stand-in for a null id: greater than every integer id."""

_REWARD_FIELDS: Final = tuple(a.name for a in attrs.fields(Reward))


@attrs.frozen(kw_only=True)
class RewardRedemption:
    """The outcome of :func:`redeem_rewards` (RWD-5 to RWD-7).

    ``requested`` is the converted amount; ``redeemed`` is what was taken (the exact sum of
    ``deductions``, ``Decimal("0")`` when nothing was); ``deductions`` lists
    ``(reward_id, amount)`` in consumption order, non-zero amounts only; ``rewards`` holds every
    input reward in input order, the consumed ones replaced by updated copies.
    """

    decision: Decision
    requested: Decimal
    redeemed: Decimal
    deductions: tuple[tuple[int | None, Decimal], ...]
    rewards: tuple[Reward, ...]


def _active(reward: Reward, at: datetime) -> bool:
    # RWD-1: issued (Q36), not expired (EXP-1) and something left. Both instants are UTC
    # already (TIME-1).
    return (
        not before_issue(reward.issued_at, at)
        and not past_expiry(reward.expires_at, at)
        and reward.value_remaining > 0
    )


def _order(pair: tuple[Reward, int]) -> tuple[datetime, datetime, float]:
    # RWD-3 (Q24): expires_at, then issued_at, then id, each ascending with null last. The
    # stand-ins sort after every real value; equal keys keep input order (a stable sort).
    reward = pair[0]
    expires, issued, ident = reward.expires_at, reward.issued_at, reward.id
    return (
        _NEVER if expires is None else expires,
        _NEVER if issued is None else issued,
        _NO_ID if ident is None else ident,
    )


def _checked_rewards(rewards: Iterable[Reward]) -> tuple[Reward, ...]:
    return check_values(rewards, "rewards", Reward, "Reward")


def _balance(rewards: Iterable[Reward], at: datetime) -> Decimal:
    # RWD-2: the exact sum of value_remaining over the active rewards.
    total = Decimal(0)
    for reward in rewards:
        if _active(reward, at):
            total = EXACT_MONEY.add(total, reward.value_remaining)
    return total


def is_reward_active(reward: Reward, *, at: datetime) -> bool:
    """Tell whether ``reward`` is active at ``at`` (RWD-1).

    Active means issued (``issued_at`` null or ``<= at``, Q36), not expired (EXP-1: ``at`` not
    after ``expires_at``; a null expiry never expires) and ``value_remaining > 0``.

    >>> from datetime import UTC, datetime
    >>> r = Reward(value_initial="5.00", expires_at=datetime(2025, 7, 1, 13, 59, 59, tzinfo=UTC))
    >>> is_reward_active(r, at=datetime(2025, 7, 1, 13, 59, 59, tzinfo=UTC))
    True
    >>> is_reward_active(r, at=datetime(2025, 7, 1, 14, tzinfo=UTC))
    False
    """
    if not isinstance(reward, Reward):
        raise InvalidRequest(Problem("reward", f"expected a Reward, got {show(reward)}"))
    return _active(reward, clock.as_instant(at, name="at"))


def reward_balance(rewards: Iterable[Reward], *, at: datetime) -> Decimal:
    """Return the exact sum of ``value_remaining`` over the rewards active at ``at`` (RWD-2).

    With none active the balance is ``Decimal("0")``. Each item must be a :class:`Reward`
    (else :class:`InvalidRequest` naming ``rewards[i]``).

    >>> from datetime import UTC, datetime
    >>> at = datetime(2025, 6, 25, 2, tzinfo=UTC)
    >>> reward_balance([Reward(value_initial="10.00"), Reward(value_initial="2.5")], at=at)
    Decimal('12.50')
    >>> reward_balance([], at=at)
    Decimal('0')
    """
    items = _checked_rewards(rewards)
    return _balance(items, clock.as_instant(at, name="at"))


def _insufficient(wanted: Decimal, balance: Decimal) -> Reason:
    # RWD-5: the detail holds money as fixed-point strings (PAY-8).
    def render() -> tuple[str, dict[str, str]]:
        requested, available = format(wanted, "f"), format(balance, "f")
        return (
            f"requested {requested} exceeds the balance {available}",
            {"requested": requested, "balance": available},
        )

    return Reason.lazy(ReasonCode.INSUFFICIENT_BALANCE, render)


def redeem_rewards(
    rewards: Iterable[Reward],
    amount: Decimal | float | str,
    *,
    at: datetime,
    strict: bool = False,
) -> RewardRedemption:
    """Redeem ``amount`` from the rewards active at ``at``, nearest expiry first (RWD-3 to RWD-7).

    Active rewards (RWD-1) are used by ascending ``expires_at``, then ``issued_at``, then
    ``id``, each with null last (RWD-3, Q24), taking ``min(still needed, value_remaining)``
    from each until the amount is covered (RWD-6). ``amount`` is converted like money (PAY-8)
    and must be > 0 (RWD-4), else :class:`InvalidRequest`.

    With ``strict=True`` and a balance below ``amount`` the decision is refused with
    ``insufficient_balance``, nothing is taken and the rewards come back unchanged (RWD-5, Q25);
    its ``retry_at`` follows TIME-9. Otherwise the decision is allowed, ``redeemed`` is
    ``min(amount, balance)`` and ``retry_at`` is ``None``. The arithmetic is exact ``Decimal``
    and no remainder goes below 0 (RWD-7).

    >>> from datetime import UTC, datetime
    >>> at = datetime(2025, 6, 25, 2, tzinfo=UTC)
    >>> soon = Reward(id=9, value_initial="4.00", expires_at=datetime(2025, 7, 1, tzinfo=UTC))
    >>> later = Reward(id=2, value_initial="20.00")
    >>> result = redeem_rewards([later, soon], "10", at=at)
    >>> result.redeemed, result.deductions
    (Decimal('10.00'), ((9, Decimal('4.00')), (2, Decimal('6.00'))))
    >>> [r.value_remaining for r in result.rewards]
    [Decimal('14.00'), Decimal('0.00')]
    >>> refused = redeem_rewards([later, soon], 30, at=at, strict=True)
    >>> refused.decision.reasons[0].message, refused.redeemed
    ('requested 30 exceeds the balance 24.00', Decimal('0'))
    """
    items = _checked_rewards(rewards)
    wanted = redemption_amount(amount)
    now = clock.as_instant(at, name="at")
    active = [(reward, index) for index, reward in enumerate(items) if _active(reward, now)]

    if strict:
        balance = Decimal(0)
        for reward, _ in active:
            balance = EXACT_MONEY.add(balance, reward.value_remaining)
        if balance < wanted:
            # RWD-5 (Q25): refused, nothing consumed.
            decision = Decision.trusted(
                (_insufficient(wanted, balance),), _strict_retry(items, wanted, now, allowed=False)
            )
            return RewardRedemption(
                decision=decision,
                requested=wanted,
                redeemed=Decimal(0),
                deductions=(),
                rewards=items,
            )
        decision = Decision.trusted((), _strict_retry(items, wanted, now, allowed=True))
    else:
        # TIME-9: a non-strict redemption is always allowed, whatever the instant.
        decision = Decision.trusted((), None)

    active.sort(key=_order)
    # RWD-6: walk the RWD-3 order, taking min(still needed, value_remaining) from each.
    needed = wanted
    redeemed = Decimal(0)
    deductions: list[tuple[int | None, Decimal]] = []
    updated = list(items)
    for reward, index in active:
        remaining = reward.value_remaining
        # On a tie the reward's whole remainder is taken, in the reward's own scale.
        take = min(remaining, needed)
        deductions.append((reward.id, take))
        redeemed = EXACT_MONEY.add(redeemed, take)
        # RWD-7: exact Decimal; take <= remaining, so the remainder is never below 0.
        updated[index] = with_remaining(reward, EXACT_MONEY.subtract(remaining, take))
        needed = EXACT_MONEY.subtract(needed, take)
        if not needed:
            break
    return RewardRedemption(
        decision=decision,
        requested=wanted,
        redeemed=redeemed,
        deductions=tuple(deductions),
        rewards=tuple(updated),
    )


def _strict_retry(
    items: tuple[Reward, ...], wanted: Decimal, now: datetime, *, allowed: bool
) -> Callable[[], datetime | None]:
    # TIME-9: a strict redemption's outcome changes only when a reward is issued (issued_at) or
    # expires (expires_at + 1 µs); a used-up reward never becomes active, so it adds nothing.
    def retry() -> datetime | None:
        candidates: list[datetime | None] = []
        for reward in items:
            if reward.value_remaining > 0:
                expires = reward.expires_at
                candidates.append(reward.issued_at)
                candidates.append(None if expires is None else after(expires))
        return first_change(now, allowed, candidates, lambda t: _balance(items, t) >= wanted)

    return retry
