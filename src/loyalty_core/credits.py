"""Credit definitions and credits (the values of the CRD, EXT and NTF rules).

>>> Credit(value_initial=50, value_remaining="20.00", definition=CreditDefinition(
...     timezone="Australia/Melbourne")).zone.key
'Australia/Melbourne'
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs

from loyalty_core import _fields as f
from loyalty_core import clock
from loyalty_core._fields import Value, field
from loyalty_core.periods import PeriodType
from loyalty_core.rewards import ValueItem

__all__ = ["Credit", "CreditDefinition"]


@attrs.frozen(kw_only=True)
class CreditDefinition(Value):
    """A credit template: zone, expiry and release periods, security code, notifications."""

    id: int | None = field(f.INT)
    name: str | None = field(f.TEXT)
    handle: str | None = field(f.TEXT)
    region_id: int | None = field(f.INT)
    timezone: str | None = field(f.ZONE)
    period: int | None = field(f.COUNT)
    period_type: PeriodType = field(f.PERIOD_TYPE, default=PeriodType.DAYS)
    absolute_expiry: datetime | None = field(f.INSTANT)
    release_period: int | None = field(f.COUNT)
    release_period_type: PeriodType = field(f.PERIOD_TYPE, default=PeriodType.DAYS)
    release_period_absolute_expiry: datetime | None = field(f.INSTANT)
    is_published: bool = field(f.FLAG, default=False)
    is_archived: bool = field(f.FLAG, default=False)
    is_extendable: bool = field(f.FLAG, default=False)
    is_assignable: bool = field(f.FLAG, default=False)
    is_releasable: bool = field(f.FLAG, default=False)
    is_reassignable: bool = field(f.FLAG, default=False)
    require_security_code: bool = field(f.FLAG, default=False)
    extend_days: int | None = field(f.COUNT)
    notify_schedule_offset: int | None = field(f.INT)
    notify_issue_offset_days: int | None = field(f.INT)
    notify_issue_offset_hour: int | None = field(f.HOUR)
    notify_remind_offset_days: int | None = field(f.INT)
    notify_remind_offset_hour: int | None = field(f.HOUR)
    issue_target_id: int | None = field(f.INT)
    expiry_target_id: int | None = field(f.INT)
    release_target_id: int | None = field(f.INT)
    remind_target_id: int | None = field(f.INT)
    extend_target_id: int | None = field(f.INT)


@attrs.frozen(kw_only=True)
class Credit(ValueItem):
    """One credit (gift card, store credit) with its embedded definition.

    ``value_initial`` is required; ``value_remaining`` given as ``None`` takes
    ``value_initial``, and ``0 <= value_remaining <= value_initial`` (Q37). Its zone is its
    own ``timezone``, else its definition's, else UTC (CRD-1).
    """

    id: int | None = field(f.INT)
    profile_id: str | None = field(f.TEXT)
    creator_profile_id: str | None = field(f.TEXT)
    location_id: int | None = field(f.INT)
    credit_definition_id: int | None = field(f.INT)
    timezone: str | None = field(f.ZONE)
    recipient_first_name: str | None = field(f.TEXT)
    recipient_email: str | None = field(f.TEXT)
    message: str | None = field(f.TEXT)
    issued_at: datetime | None = field(f.INSTANT)
    expires_at: datetime | None = field(f.INSTANT)
    released_at: datetime | None = field(f.INSTANT)
    extended_at: datetime | None = field(f.INSTANT)
    value_initial: Decimal = field(f.required(f.MONEY))
    value_remaining: Decimal = field(f.MONEY)
    external_id: str | None = field(f.TEXT)
    external_namespace: str | None = field(f.TEXT)
    credit_number: str | None = field(f.TEXT)
    security_code: str | None = field(f.TEXT)
    location_external_id: str | None = field(f.TEXT)
    location_external_code: str | None = field(f.TEXT)
    locked: bool = field(f.FLAG, default=False)
    lock_expires_at: datetime | None = field(f.INSTANT)
    is_imported: bool | None = field(f.OPTIONAL_FLAG)
    has_notified_issue: bool = field(f.FLAG, default=False)
    has_notified_expiry: bool = field(f.FLAG, default=False)
    has_notified_release: bool = field(f.FLAG, default=False)
    has_notified_remind: bool = field(f.FLAG, default=False)
    has_notified_extend: bool = field(f.FLAG, default=False)
    meta: tuple[str, ...] | None = field(f.TEXTS)
    definition: CreditDefinition | None = field(f.nested(CreditDefinition))

    @property
    def zone(self) -> ZoneInfo:
        """The credit's zone: its own, else its definition's, else UTC (CRD-1, TIME-3)."""
        name = self.timezone
        if name is None and self.definition is not None:
            name = self.definition.timezone
        return clock.zone(name or "UTC")
