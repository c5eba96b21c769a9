"""Benefit definitions and benefit instances (the values of the CLM, VIS and RED rules).

A :class:`BenefitDefinition` is the template: claim window, conditions, limits and counters,
allocations, flags, period and notification fields. A :class:`Benefit` is one instance issued
to a member; it embeds its definition, as the platform's JSON does.

>>> d = BenefitDefinition(max_redemptions=3, max_global_redemptions=100,
...                       total_global_redemptions=97)
>>> global_remaining(d)
3
>>> Benefit(definition=d, redemptions_remaining=2).total_global_redemptions_remaining
2
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

import attrs

from loyalty_core import _fields as f
from loyalty_core import clock
from loyalty_core._fields import BadValue, DerivedValue, Value, extra_field, field, integral
from loyalty_core.conditions import Condition
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import show
from loyalty_core.periods import MAX_PERIOD, PeriodType, period_problems

__all__ = [
    "Benefit",
    "BenefitDefinition",
    "ClaimTimeframe",
    "global_remaining",
    "parse_claim_timeframe",
]

TimeframeUnit = Literal["day", "week", "month", "year"]


@attrs.frozen(kw_only=True)
class ClaimTimeframe:
    """A parsed ``claim_timeframe`` (CLM-16, Q11).

    ``count`` is ``None`` for a *calendar* window (``"month"``: at most one claim per local
    month) and N for a *rolling* window (``"30 days"``: N units after the latest claim), from 1
    to the longest period of its unit (``periods.MAX_PERIOD``); anything else raises
    :class:`~loyalty_core.InvalidRequest`.
    """

    unit: TimeframeUnit
    count: int | None = None

    def __attrs_post_init__(self) -> None:
        """Check the unit and the count (CLM-16; at most the Limits page's longest window)."""
        longest = _LONGEST_WINDOW.get(self.unit)
        if longest is None:
            msg = f"expected day, week, month or year, got {show(self.unit)}"
            raise InvalidRequest(Problem("unit", msg))
        count = self.count
        if count is not None and (type(count) is not int or not 1 <= count <= longest):
            msg = f"expected None or an integer from 1 to {longest}, got {show(count)}"
            raise InvalidRequest(Problem("count", msg))

    def to_api(self) -> str:
        """Render as the platform writes it: ``"month"`` or ``"30 days"``."""
        if self.count is None:
            return self.unit
        return f"{self.count} {self.unit}" + ("" if self.count == 1 else "s")

    def __str__(self) -> str:
        """Return :meth:`to_api`."""
        return self.to_api()


_TIMEFRAME: Final = re.compile(
    r"(?:(?P<count>\d++) (?P<rolling>day|week|month|year)s?+|(?P<calendar>day|week|month|year))",
    re.ASCII,
)
_LONGEST_WINDOW: Final = {
    "day": MAX_PERIOD[PeriodType.DAYS],
    "week": MAX_PERIOD[PeriodType.WEEKS],
    "month": MAX_PERIOD[PeriodType.MONTHS],
    "year": MAX_PERIOD[PeriodType.YEARS],
}
"""The longest rolling window per unit: a longer one passes year 9999 from any claim."""


def parse_claim_timeframe(value: object) -> ClaimTimeframe | None:
    """Parse a ``claim_timeframe`` value (CLM-16, Q11), or raise :class:`InvalidRequest`.

    Null, ``""`` and ``[]`` mean no limit. A string, or a list of strings joined with single
    spaces, is trimmed and lower-cased and must then be ``day|week|month|year`` (a calendar
    window) or ``<N> <unit>`` with N ≥ 1 and the unit singular or plural (a rolling window).

    >>> parse_claim_timeframe(["1", "months"])
    ClaimTimeframe(unit='month', count=1)
    >>> parse_claim_timeframe(" Month ")
    ClaimTimeframe(unit='month', count=None)
    """
    try:
        return _timeframe(value)
    except BadValue as exc:
        raise InvalidRequest(Problem("claim_timeframe", str(exc))) from None


def _timeframe(value: object) -> ClaimTimeframe | None:
    if isinstance(value, ClaimTimeframe) or value is None:
        return value
    if isinstance(value, list | tuple) and all(type(v) is str for v in value):
        text = " ".join(value)
    elif isinstance(value, str):
        text = value
    else:
        text = None
    if text is not None:
        text = text.strip().lower()
        if not text:
            return None
        match = _TIMEFRAME.fullmatch(text)
        if match is not None:
            if match["calendar"]:
                return ClaimTimeframe(unit=match["calendar"])  # type: ignore[arg-type]
            digits, unit = match["count"], match["rolling"]
            longest = _LONGEST_WINDOW[unit]
            # Counted on the digits first: int() of thousands of digits is refused by Python.
            if len(digits) <= len(str(longest)) and 1 <= int(digits) <= longest:
                return ClaimTimeframe(unit=unit, count=int(digits))  # type: ignore[arg-type]
            msg = f"expected N from 1 to {longest} in '<N> {unit}s', got {show(value)}"
            raise BadValue(msg)
    msg = (
        "expected day, week, month, year or '<N> <unit>' with N >= 1 "
        f"(days, weeks, months, years), got {show(value)}"
    )
    raise BadValue(msg)


def _check_timeframe(value: object) -> ClaimTimeframe:
    # CLM-16: "", [] and blank strings mean no limit; the field check then stores None.
    return _timeframe(value)  # type: ignore[return-value]


def _render_timeframe(value: ClaimTimeframe) -> str:
    return value.to_api()


TIMEFRAME: Final = f.Kind(
    "timeframe",
    _check_timeframe,
    render=_render_timeframe,
    bad=f.bad_examples(("fortnight", "0 days", "-1 days", "30 dayz", 5, True)),
)


@attrs.frozen(kw_only=True)
class BenefitDefinition(DerivedValue):
    """A benefit template: the fields the CLM, VIS, RED, EXP and NTF rules read.

    Every field is named like its JSON key. Flags are ``bool`` (null reads as false, except
    ``allow_user_redeem``, true); counters default to 0; limits are ``None`` for unlimited.
    Definition datetimes are UTC instants (TIME-7).
    """

    id: int | None = field(f.INT)
    name: str | None = field(f.TEXT)
    handle: str | None = field(f.TEXT)
    region_id: int | None = field(f.INT)
    campaign: str | None = field(f.TEXT)
    # Period and expiry (EXP).
    period: int | None = field(f.PERIOD)
    period_type: PeriodType = field(f.PERIOD_TYPE, default=PeriodType.DAYS)
    absolute_expiry: datetime | None = field(f.INSTANT)
    end_at: datetime | None = field(f.INSTANT)
    # Flags (CLM-1 to CLM-4, RED-6, RED-14, EXT-4).
    is_claimable: bool = field(f.FLAG, default=False)
    is_archived: bool = field(f.FLAG, default=False)
    is_published: bool = field(f.FLAG, default=False)
    is_assignable: bool = field(f.FLAG, default=False)
    is_reassignable: bool = field(f.FLAG, default=False)
    is_reclaimable: bool = field(f.FLAG, default=False)
    is_extendable: bool = field(f.FLAG, default=False)
    allow_user_redeem: bool = field(f.FLAG, default=True)
    force_allocation: bool = field(f.FLAG, default=False)
    # Claim window, conditions and timeframe (CLM-5 to CLM-11, VIS).
    claim_period_start_at: datetime | None = field(f.INSTANT)
    claim_period_end_at: datetime | None = field(f.INSTANT)
    claim_condition: Condition | None = field(f.CONDITION)
    view_condition: Condition | None = field(f.CONDITION)
    visibility_condition: Condition | None = field(f.CONDITION)
    claim_timeframe: ClaimTimeframe | None = field(TIMEFRAME)
    # Limits and counters (CLM-12, CLM-13, CLM-18, RED-9 to RED-11).
    max_redemptions: int | None = field(f.COUNT)
    max_global_redemptions: int | None = field(f.COUNT)
    total_global_redemptions: int = field(f.required(f.COUNT), default=0)
    total_global_created: int = field(f.required(f.COUNT), default=0)
    total_allocations: int | None = field(f.COUNT)
    total_allocations_remaining: int | None = field(f.COUNT)
    same_campaign_count: int | None = field(f.COUNT)
    # Notifications (NTF).
    notify_schedule_offset: int | None = field(f.HOUR_OFFSET)
    notify_issue_offset_days: int | None = field(f.DAY_OFFSET)
    notify_issue_offset_hour: int | None = field(f.HOUR)
    notify_remind_offset_days: int | None = field(f.DAY_OFFSET)
    notify_remind_offset_hour: int | None = field(f.HOUR)
    notify_extend_offset_days: int | None = field(f.DAY_OFFSET)
    notify_extend_offset_hour: int | None = field(f.HOUR)
    issue_target_id: int | None = field(f.INT)
    remind_target_id: int | None = field(f.INT)
    extend_target_id: int | None = field(f.INT)
    extra: Mapping[str, Any] = extra_field()
    """Every key of the payload this class does not model, read-only and in order (PAY-10)."""

    @classmethod
    def _read_hook(
        cls,
        payload: Mapping[str, Any],
        values: dict[str, Any],
        prefix: str,
        problems: list[Problem],
    ) -> None:
        # PAY-9: total_global_redemptions_remaining only fills a missing total_global_redemptions.
        remaining = payload.get("total_global_redemptions_remaining")
        cap = values.get("max_global_redemptions")
        if payload.get("total_global_redemptions") is not None or remaining is None or cap is None:
            return
        remaining = integral(remaining)
        if type(remaining) is not int or not 0 <= remaining <= cap:
            problems.append(
                Problem(
                    f"{prefix}total_global_redemptions_remaining",
                    f"expected an integer from 0 to max_global_redemptions {cap}, "
                    f"got {show(remaining)}",
                )
            )
            return
        values["total_global_redemptions"] = cap - remaining

    def _write_hook(self, out: dict[str, Any]) -> None:
        # RED-11, PAY-10: the platform writes the global remaining; it is derived, so recomputed.
        out["total_global_redemptions_remaining"] = global_remaining(self)

    def _invariants(self, prefix: str) -> Iterable[Problem]:
        yield from period_problems(self, prefix, (("period", "period_type"),))
        start, end = self.claim_period_start_at, self.claim_period_end_at
        if start is not None and end is not None and start > end:
            # PAY-11: a window that ends before it starts; equal bounds are one instant.
            yield Problem(
                f"{prefix}claim_period_start_at",
                f"the claim window starts after it ends: {show(clock.format_wall(start))} is "
                f"later than {prefix}claim_period_end_at {show(clock.format_wall(end))}",
            )


def global_remaining(definition: BenefitDefinition) -> int | None:
    """Return a definition's global remaining redemptions, ``None`` for unlimited (RED-11).

    ``max(0, max_global_redemptions - total_global_redemptions)``, or ``None`` when
    ``max_global_redemptions`` is null.
    """
    cap = definition.max_global_redemptions
    if cap is None:
        return None
    return max(0, cap - definition.total_global_redemptions)


@attrs.frozen(kw_only=True)
class Benefit(Value):
    """One benefit issued to a member, with its embedded definition.

    ``redemptions_remaining`` given as ``None`` takes the definition's ``max_redemptions``
    (PAY-9; ``None`` again means unlimited). ``timezone`` ``None`` means UTC (TIME-3).
    """

    id: int | None = field(f.INT)
    profile_id: str | None = field(f.TEXT)
    external_id: str | None = field(f.TEXT)
    timezone: str | None = field(f.ZONE)
    issued_at: datetime | None = field(f.INSTANT)
    claimed_at: datetime | None = field(f.INSTANT)
    expires_at: datetime | None = field(f.INSTANT)
    extended_at: datetime | None = field(f.INSTANT)
    redemptions_remaining: int | None = field(f.COUNT)
    meta: tuple[Any, ...] | None = field(f.JSON_ARRAY)
    """The claim's ``meta`` (the Claim Benefit body, CLM-17), kept as a read-only array."""
    definition: BenefitDefinition = field(f.required(f.nested(BenefitDefinition)))
    extra: Mapping[str, Any] = extra_field()
    """Every key of the payload this class does not model, read-only and in order (PAY-10)."""

    @property
    def zone(self) -> ZoneInfo:
        """The benefit's zone for local dates: its ``timezone``, else UTC (TIME-3)."""
        return clock.zone(self.timezone or "UTC")

    def _complete(self) -> None:
        if self.redemptions_remaining is None:
            # PAY-9: a null redemptions_remaining means the definition's max_redemptions.
            object.__setattr__(self, "redemptions_remaining", self.definition.max_redemptions)

    @property
    def total_global_redemptions_remaining(self) -> int | None:
        """How many more times this instance can be redeemed, all limits counted (RED-11, Q22).

        The minimum of ``redemptions_remaining`` and the definition's global remaining, null
        counting as unlimited; ``None`` only when both are unlimited.
        """
        limits = [
            n
            for n in (self.redemptions_remaining, global_remaining(self.definition))
            if n is not None
        ]
        return min(limits) if limits else None
