"""Reward definitions and rewards (the values of the RWD, EXT and NTF rules).

>>> Reward(value_initial="10.00").value_remaining
Decimal('10.00')
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs

from loyalty_core import _fields as f
from loyalty_core import clock
from loyalty_core._fields import Value, field
from loyalty_core.errors import Problem
from loyalty_core.periods import PeriodType

__all__ = ["Reward", "RewardDefinition", "ValueItem", "value_problems"]


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
    period: int | None = field(f.COUNT)
    period_type: PeriodType = field(f.PERIOD_TYPE, default=PeriodType.DAYS)
    absolute_expiry: datetime | None = field(f.INSTANT)
    is_extendable: bool = field(f.FLAG, default=False)
    is_assignable: bool = field(f.FLAG, default=False)
    is_reassignable: bool = field(f.FLAG, default=False)
    is_published: bool = field(f.FLAG, default=False)
    extend_days: int | None = field(f.COUNT)
    notify_issue_offset: int | None = field(f.INT)
    notify_expiry_offset: int | None = field(f.INT)
    notify_schedule_offset: int | None = field(f.INT)
    notify_issue_offset_days: int | None = field(f.INT)
    notify_issue_offset_hour: int | None = field(f.HOUR)
    notify_remind_offset_days: int | None = field(f.INT)
    notify_remind_offset_hour: int | None = field(f.HOUR)
    notify_extend_offset_days: int | None = field(f.INT)
    notify_extend_offset_hour: int | None = field(f.HOUR)
    issue_target_id: int | None = field(f.INT)
    expiry_target_id: int | None = field(f.INT)
    extend_target_id: int | None = field(f.INT)


def value_problems(initial: Decimal, remaining: Decimal, prefix: str) -> Iterable[Problem]:
    """Check ``value_remaining <= value_initial`` for a reward or credit (RWD-8, CRD-16, Q37).

    Both values are already known to be ``>= 0``; the problem names both paths and values.
    """
    if remaining > initial:
        yield Problem(
            f"{prefix}value_remaining",
            f"{format(remaining, 'f')} exceeds {prefix}value_initial {format(initial, 'f')}",
        )


class ValueItem(Value):
    """Base of rewards and credits: items with a ``Decimal`` value_initial and value_remaining."""

    __slots__ = ()

    value_initial: Decimal
    value_remaining: Decimal
    timezone: str | None

    @property
    def zone(self) -> ZoneInfo:
        """The item's zone for local dates: its ``timezone``, else UTC (TIME-3)."""
        return clock.zone(self.timezone or "UTC")

    def _complete(self) -> None:
        if self.value_remaining is None:
            # PAY-9: a null value_remaining means value_initial.
            object.__setattr__(self, "value_remaining", self.value_initial)

    def _invariants(self, prefix: str) -> Iterable[Problem]:
        return value_problems(self.value_initial, self.value_remaining, prefix)


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
