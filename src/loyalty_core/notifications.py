"""When to send an item's notifications (NTF rules).

``notification_schedule`` plans the issue, remind, extend and expiry notifications of a reward,
benefit or credit from its definition's ``notify_*`` fields, in the item's zone, with DST gaps
and folds resolved by TIME-5. It takes no ``at``: planned instants are returned even when past.

>>> from datetime import UTC, datetime
>>> from loyalty_core import Benefit, BenefitDefinition
>>> item = Benefit(timezone="Australia/Melbourne",
...                issued_at=datetime(2026, 3, 19, 23, tzinfo=UTC),
...                expires_at=datetime(2026, 4, 19, 13, 59, 59, tzinfo=UTC),
...                definition=BenefitDefinition(notify_issue_offset_days=0,
...                                             notify_issue_offset_hour=9,
...                                             notify_schedule_offset=2))
>>> str(notification_schedule(item).issue_at)   # 09:00 AEDT, two hours early
'2026-03-19 20:00:00+00:00'
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta, tzinfo

import attrs

from loyalty_core import clock
from loyalty_core.benefits import Benefit
from loyalty_core.credits import Credit
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import show
from loyalty_core.policy import DEFAULT_POLICY, Policy
from loyalty_core.rewards import Reward

__all__ = ["NotificationSchedule", "notification_schedule"]


@attrs.frozen(kw_only=True)
class NotificationSchedule:
    """The planned notification instants of an item, each a UTC instant or ``None``."""

    issue_at: datetime | None
    remind_at: datetime | None
    extend_at: datetime | None
    expiry_at: datetime | None


def _field(definition: object, name: str) -> int | None:
    # NTF-1: a notify_* field that the kind lacks counts as null.
    value: int | None = getattr(definition, name, None)
    return value


def _local_at(anchor: datetime, tz: tzinfo, days: int, hour: int | None) -> datetime:
    """The local date of ``anchor`` plus ``days``, at ``hour``:00:00, resolved by TIME-5."""
    day = clock.add_to_date(clock.local_date(anchor, tz), days, "days")
    return clock.wall_to_instant(datetime.combine(day, time(hour or 0)), tz)


def _issue_at(definition: object, issued: datetime, tz: tzinfo) -> datetime | None:
    """NTF-2: days and hour in the item's zone, else a reward's legacy hours after issue."""
    issue_days = _field(definition, "notify_issue_offset_days")
    if issue_days is not None:
        return _local_at(issued, tz, issue_days, _field(definition, "notify_issue_offset_hour"))
    legacy_issue = _field(definition, "notify_issue_offset")
    if legacy_issue is not None:
        return issued + timedelta(hours=legacy_issue)
    return None


def notification_schedule(
    item: Reward | Benefit | Credit, *, policy: Policy = DEFAULT_POLICY
) -> NotificationSchedule:
    """Plan an item's notifications (NTF-1 to NTF-6).

    - issue (NTF-2): the local issue date plus ``notify_issue_offset_days`` at
      ``notify_issue_offset_hour``; else a reward's legacy ``notify_issue_offset`` hours after
      ``issued_at``;
    - remind (NTF-3): the local expiry date plus ``notify_remind_offset_days`` (added under the
      policy's ``remind_offset_sign="after"``, subtracted under ``"before"``) at the remind hour;
    - extend (NTF-4): the same with the ``notify_extend_*`` fields, only while the definition is
      extendable and the item not yet extended;
    - expiry (NTF-5): a reward's legacy ``notify_expiry_offset`` hours before ``expires_at``.

    ``notify_schedule_offset`` hours are subtracted from each (NTF-6). An item without a
    definition plans nothing.
    """
    if not isinstance(item, Reward | Benefit | Credit):
        raise InvalidRequest(
            Problem("item", f"expected a Reward, Benefit or Credit, got {show(item)}")
        )
    if not isinstance(policy, Policy):
        raise InvalidRequest(Problem("policy", f"expected a Policy, got {show(policy)}"))
    definition = item.definition
    if definition is None:
        return NotificationSchedule(issue_at=None, remind_at=None, extend_at=None, expiry_at=None)
    tz = item.zone
    sign = 1 if policy.remind_offset_sign == "after" else -1  # NTF-3 (Q33)
    issued, expires = item.issued_at, item.expires_at
    offset = _field(definition, "notify_schedule_offset")
    shift = timedelta(hours=offset or 0)  # NTF-6 (Q34): subtracted; negative sends later
    issue_at = remind_at = extend_at = expiry_at = None
    if issued is not None:
        by_days = _field(definition, "notify_issue_offset_days") is not None
        name = "notify_issue_offset_days" if by_days else "notify_issue_offset"  # NTF-2
        issue_at = _planned(name, lambda: _issue_at(definition, issued, tz), shift)
    if expires is not None:
        remind_days = _field(definition, "notify_remind_offset_days")
        if remind_days is not None:  # NTF-3
            hour = _field(definition, "notify_remind_offset_hour")
            remind_at = _planned(
                "notify_remind_offset_days",
                lambda: _local_at(expires, tz, sign * remind_days, hour),
                shift,
            )
        extend_days = _field(definition, "notify_extend_offset_days")
        if extend_days is not None and definition.is_extendable and item.extended_at is None:
            extend_hour = _field(definition, "notify_extend_offset_hour")  # NTF-4
            extend_at = _planned(
                "notify_extend_offset_days",
                lambda: _local_at(expires, tz, sign * extend_days, extend_hour),
                shift,
            )
        legacy_expiry = _field(definition, "notify_expiry_offset")
        if legacy_expiry is not None:  # NTF-5
            expiry_at = _planned(
                "notify_expiry_offset", lambda: expires - timedelta(hours=legacy_expiry), shift
            )
    return NotificationSchedule(
        issue_at=issue_at, remind_at=remind_at, extend_at=extend_at, expiry_at=expiry_at
    )


def _planned(
    name: str, compute: Callable[[], datetime | None], shift: timedelta
) -> datetime | None:
    """Return ``compute()`` less the NTF-6 ``shift``; past Python's years 1 to 9999, an error.

    Every offset is within the bounds of the docs' Limits page, but an item issued near year 1
    or 9999 can still plan past them: that is an ``InvalidRequest`` naming the field.
    """
    try:
        instant = compute()
        return None if instant is None else instant - shift
    except clock.OUT_OF_RANGE:
        msg = f"the planned {name.split('_')[1]} notification lies outside years 1 to 9999"
        raise InvalidRequest(Problem(f"definition.{name}", msg)) from None
