"""Credit definitions and credits: release, lock and redemption (the CRD rules).

>>> Credit(value_initial=50, value_remaining="20.00", definition=CreditDefinition(
...     timezone="Australia/Melbourne")).zone.key
'Australia/Melbourne'
>>> from datetime import UTC, datetime
>>> credit = Credit(value_initial=50, value_remaining="20.00")
>>> used = redeem_credit(credit, "12.50", at=datetime(2025, 6, 1, tzinfo=UTC))
>>> used.decision.allowed, used.credit.value_remaining
(True, Decimal('7.50'))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from loyalty_core import _fields as f
from loyalty_core import clock
from loyalty_core._fields import Value, extra_field, field
from loyalty_core._value_items import ValueItem, redemption_amount, with_remaining
from loyalty_core.decisions import Decision, Reason, ReasonCode, after, bound_reason, first_change
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import EXACT_MONEY, show
from loyalty_core.periods import (
    PeriodType,
    before_issue,
    past_expiry,
    period_end,
    period_problems,
)

__all__ = [
    "Credit",
    "CreditDefinition",
    "CreditRedemption",
    "check_credit_redemption",
    "is_locked",
    "is_released",
    "redeem_credit",
    "release_at",
]


@attrs.frozen(kw_only=True)
class CreditDefinition(Value):
    """A credit template: zone, expiry and release periods, security code, notifications."""

    id: int | None = field(f.INT)
    name: str | None = field(f.TEXT)
    handle: str | None = field(f.TEXT)
    region_id: int | None = field(f.INT)
    timezone: str | None = field(f.ZONE)
    period: int | None = field(f.PERIOD)
    period_type: PeriodType = field(f.PERIOD_TYPE, default=PeriodType.DAYS)
    absolute_expiry: datetime | None = field(f.INSTANT)
    release_period: int | None = field(f.PERIOD)
    release_period_type: PeriodType = field(f.PERIOD_TYPE, default=PeriodType.DAYS)
    release_period_absolute_expiry: datetime | None = field(f.INSTANT)
    is_published: bool = field(f.FLAG, default=False)
    is_archived: bool = field(f.FLAG, default=False)
    is_extendable: bool = field(f.FLAG, default=False)
    is_assignable: bool = field(f.FLAG, default=False)
    is_releasable: bool = field(f.FLAG, default=False)
    is_reassignable: bool = field(f.FLAG, default=False)
    require_security_code: bool = field(f.FLAG, default=False)
    require_assigned: bool = field(f.FLAG, default=False)
    max_value: Decimal | None = field(f.MONEY)
    extend_days: int | None = field(f.PERIOD)
    notify_schedule_offset: int | None = field(f.HOUR_OFFSET)
    notify_issue_offset_days: int | None = field(f.DAY_OFFSET)
    notify_issue_offset_hour: int | None = field(f.HOUR)
    notify_remind_offset_days: int | None = field(f.DAY_OFFSET)
    notify_remind_offset_hour: int | None = field(f.HOUR)
    issue_target_id: int | None = field(f.INT)
    expiry_target_id: int | None = field(f.INT)
    release_target_id: int | None = field(f.INT)
    remind_target_id: int | None = field(f.INT)
    extend_target_id: int | None = field(f.INT)
    extra: Mapping[str, Any] = extra_field()
    """Every key of the payload this class does not model, read-only and in order (PAY-10)."""

    def _invariants(self, prefix: str) -> Iterable[Problem]:
        return period_problems(
            self, prefix, (("period", "period_type"), ("release_period", "release_period_type"))
        )


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
    meta: tuple[Any, ...] | None = field(f.JSON_ARRAY)
    definition: CreditDefinition | None = field(f.nested(CreditDefinition))
    extra: Mapping[str, Any] = extra_field()
    """Every key of the payload this class does not model, read-only and in order (PAY-10)."""

    @property
    def zone(self) -> ZoneInfo:
        """The credit's zone: its own, else its definition's, else UTC (CRD-1, TIME-3)."""
        name = self.timezone
        if name is None and self.definition is not None:
            name = self.definition.timezone
        return clock.zone(name or "UTC")


# --- release and lock (CRD-3, CRD-4) ---------------------------------------------------------

_UNITS: Final[dict[PeriodType, clock.CalendarUnit]] = {
    PeriodType.DAYS: "days",
    PeriodType.WEEKS: "weeks",
    PeriodType.MONTHS: "months",
    PeriodType.YEARS: "years",
}
_iso = clock.format_instant


def _check_credit(credit: object) -> Credit:
    if not isinstance(credit, Credit):
        raise InvalidRequest(Problem("credit", f"expected a Credit, got {show(credit)}"))
    return credit


def _release(credit: Credit) -> tuple[datetime | None, bool]:
    """Return the release instant (CRD-3, Q31) and whether it lies past year 9999.

    ``(None, False)`` means there is no release instant (released at every ``at``);
    ``(None, True)`` means the computed release lies past year 9999 (never released).
    Computed once per credit and kept on it (a derived slot, not a field).
    """
    kept: tuple[datetime | None, bool] | None = getattr(credit, "_derived", None)
    if kept is None:
        kept = _release_of(credit)
        object.__setattr__(credit, "_derived", kept)
    return kept


def _release_of(credit: Credit) -> tuple[datetime | None, bool]:
    if credit.released_at is not None:
        return credit.released_at, False
    d = credit.definition
    if d is None:
        # PAY-9: a credit without a definition reads every definition field as null.
        return None, False
    try:
        return _computed_release(credit, d), False
    except clock.OUT_OF_RANGE:  # date arithmetic past 9999
        return None, True


def _computed_release(credit: Credit, d: CreditDefinition) -> datetime | None:
    kind = d.release_period_type
    if kind is PeriodType.ABSOLUTE_DATE:
        # CRD-3: the absolute value, a UTC definition instant (TIME-7); period ignored.
        return d.release_period_absolute_expiry
    issued, period, unit = credit.issued_at, d.release_period, _UNITS.get(kind)
    if issued is None:
        # Without issued_at there is no local issue date to count from.
        return None
    tz = credit.zone
    if unit is None:
        # CRD-3 with EXP-5 / EXP-6: the last second of the week or month containing
        # D + period (a null period counts as 0).
        return period_end(clock.local_date(issued, tz), tz, period, kind)
    if period is None:
        # CRD-3: a null release_period with a relative type gives no release instant.
        return None
    if period == 0:
        # Adding nothing leaves issued_at as it is (even the later reading of a fold).
        return issued
    # CRD-3: issued_at advanced with the wall time kept (TIME-6), not snapped to the end of
    # the target day as an expiry is (EXP-3). TIME-6 is applied in full, so an issued_at that
    # is the last second of its local day stays the last second of the new local day.
    return clock.shift_keep_wall(issued, tz, period, unit)


def release_at(credit: Credit) -> datetime | None:
    """Return the instant ``credit`` is released, or ``None`` when it has none (CRD-3, Q31).

    The credit's own ``released_at`` when set. Otherwise it is computed from the definition's
    ``release_period`` and ``release_period_type`` (null = days) in the credit's zone (CRD-1):
    relative types advance ``issued_at`` keeping the local wall time (TIME-6, no end-of-day
    snapping); ``absolute_date`` is ``release_period_absolute_expiry``; ``absolute_week`` and
    ``absolute_month`` end like EXP-5 and EXP-6. A null relative ``release_period``, a null
    definition, or a null ``issued_at`` (for types counted from it) give ``None``. A release
    past year 9999 raises :class:`InvalidRequest` naming ``release_period``; the checks read
    such a credit as never released.

    >>> from datetime import UTC, datetime
    >>> credit = Credit(value_initial=10, timezone="America/New_York",
    ...                 issued_at=datetime(2025, 3, 5, 19, 20, tzinfo=UTC),
    ...                 definition=CreditDefinition(release_period=7))
    >>> str(release_at(credit))
    '2025-03-12 18:20:00+00:00'
    """
    checked = _check_credit(credit)
    instant, never = _release(checked)
    if never:
        d, issued = checked.definition, checked.issued_at
        assert d is not None  # noqa: S101 - only a computed release can overflow
        assert issued is not None  # noqa: S101 - it counts from issued_at
        msg = (
            f"the release {d.release_period_type.value} after issued_at {_iso(issued)} is past "
            f"year 9999, got {show(d.release_period)}"
        )
        raise InvalidRequest(Problem("release_period", msg))
    return instant


def is_released(credit: Credit, *, at: datetime) -> bool:
    """Tell whether ``credit`` is released at ``at``: no release instant, or it is ``<= at``.

    See :func:`release_at` (CRD-3). A release past year 9999 is never reached.

    >>> from datetime import UTC, datetime
    >>> credit = Credit(value_initial=10, released_at=datetime(2025, 3, 12, 18, 20, tzinfo=UTC))
    >>> is_released(credit, at=datetime(2025, 3, 12, 18, 20, tzinfo=UTC))
    True
    """
    checked = _check_credit(credit)
    now = clock.as_instant(at, name="at")
    instant, never = _release(checked)
    return not never and (instant is None or instant <= now)


def _locked(credit: Credit, at: datetime) -> bool:
    # CRD-4 (Q32): lock_expires_at is exclusive; a null one locks for good.
    if not credit.locked:
        return False
    until = credit.lock_expires_at
    return until is None or at < until


def is_locked(credit: Credit, *, at: datetime) -> bool:
    """Tell whether ``credit`` is locked at ``at`` (CRD-4, Q32).

    Locked iff ``locked`` is true and ``lock_expires_at`` is null or later than ``at``: at
    exactly ``lock_expires_at`` the credit is unlocked.

    >>> from datetime import UTC, datetime
    >>> until = datetime(2025, 6, 1, 10, tzinfo=UTC)
    >>> credit = Credit(value_initial=10, locked=True, lock_expires_at=until)
    >>> is_locked(credit, at=until), is_locked(credit, at=datetime(2025, 6, 1, 9, tzinfo=UTC))
    (False, True)
    """
    checked = _check_credit(credit)
    return _locked(checked, clock.as_instant(at, name="at"))


# --- redemption (CRD-5 to CRD-13) ------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CreditRedemption:
    """The outcome of :func:`redeem_credit`: the decision and the credit.

    ``credit`` has ``value_remaining`` lowered by the amount when the decision is allowed, and is
    the credit given, unchanged, when it is refused (CRD-13).
    """

    decision: Decision
    credit: Credit


def _security_code(security_code: object) -> str | None:
    if security_code is None or isinstance(security_code, str):
        return security_code
    msg = f"expected a string or None, got {show(security_code)}"
    raise InvalidRequest(Problem("security_code", msg))


def _never_released(at: datetime) -> Reason:
    def render() -> tuple[str, dict[str, object]]:
        now = _iso(at)
        return (
            f"the credit is released never (its release lies past year 9999); at is {now}",
            {"at": now, "released_at": None},
        )

    return Reason.lazy(ReasonCode.NOT_RELEASED, render)


def _locked_reason(until: datetime | None, at: datetime) -> Reason:
    if until is not None:
        return bound_reason(
            ReasonCode.LOCKED, "the credit is locked until", "lock_expires_at", until, at
        )

    def render() -> tuple[str, dict[str, object]]:
        now = _iso(at)
        return (
            f"the credit is locked with no lock_expires_at; at is {now}",
            {"at": now, "locked": True, "lock_expires_at": None},
        )

    return Reason.lazy(ReasonCode.LOCKED, render)


def _timed_reasons(
    credit: Credit, at: datetime, release: datetime | None, *, never: bool
) -> list[Reason]:
    """CRD-6 to CRD-9: the rules whose outcome depends on the instant."""
    found: list[Reason] = []
    issued = credit.issued_at
    if before_issue(issued, at):  # CRD-6 (Q36)
        found.append(
            bound_reason(
                ReasonCode.NOT_YET_ISSUED, "the credit is issued at", "issued_at", issued, at
            )
        )
    if never:  # CRD-7: a release past year 9999 is never reached
        found.append(_never_released(at))
    elif release is not None and at < release:  # CRD-7 (CRD-3)
        found.append(
            bound_reason(
                ReasonCode.NOT_RELEASED, "the credit is released at", "released_at", release, at
            )
        )
    expires = credit.expires_at
    if past_expiry(expires, at):  # CRD-8 (EXP-1)
        found.append(
            bound_reason(ReasonCode.EXPIRED, "the credit expired at", "expires_at", expires, at)
        )
    if _locked(credit, at):  # CRD-9 (CRD-4)
        found.append(_locked_reason(credit.lock_expires_at, at))
    return found


def _static_reasons(credit: Credit, amount: Decimal, security_code: str | None) -> list[Reason]:
    """CRD-10 to CRD-12: the rules no instant can change."""
    found: list[Reason] = []
    # CRD-10/CRD-11: "" counts as no code, on either side.
    given = security_code or None
    d = credit.definition
    if d is not None and d.require_security_code and given is None:  # CRD-10
        found.append(
            Reason(
                ReasonCode.SECURITY_CODE_REQUIRED,
                f"the definition requires a security code, got {show(security_code)}",
                {"require_security_code": True, "security_code": security_code},
            )
        )
    stored = credit.security_code or None
    if given is not None and stored is not None and given != stored:  # CRD-11: case-sensitive
        # Security codes are secrets: neither the given nor the stored code is shown.
        found.append(
            Reason(
                ReasonCode.SECURITY_CODE_MISMATCH,
                "the security code given does not match the credit's (codes are not shown)",
                {"security_code_matches": False},
            )
        )
    remaining = credit.value_remaining
    if amount > remaining:  # CRD-12: partial use is allowed, overdrawing is not
        shown, left = format(amount, "f"), format(remaining, "f")
        found.append(
            Reason(
                ReasonCode.INSUFFICIENT_VALUE,
                f"amount {shown} exceeds the value remaining {left}",
                {"amount": shown, "value_remaining": left},
            )
        )
    return found


def _decide(credit: Credit, amount: Decimal, at: datetime, security_code: str | None) -> Decision:
    release, never = _release(credit)
    timed = _timed_reasons(credit, at, release, never=never)
    static = _static_reasons(credit, amount, security_code)
    reasons = (*timed, *static)
    if static:
        # TIME-9: a static failure refuses at every instant, so nothing will change.
        return Decision.trusted(reasons, None)
    allowed = not timed
    expires = credit.expires_at
    candidates = (
        credit.issued_at,
        release,
        None if expires is None else after(expires),
        credit.lock_expires_at if credit.locked else None,
    )
    return Decision.trusted(
        reasons,
        lambda: first_change(
            at, allowed, candidates, lambda t: not _timed_reasons(credit, t, release, never=never)
        ),
    )


def check_credit_redemption(
    credit: Credit,
    amount: Decimal | float | str,
    *,
    at: datetime,
    security_code: str | None = None,
) -> Decision:
    """Decide whether ``amount`` of ``credit`` may be used at ``at`` (CRD-6 to CRD-12).

    The rules run in the order CRD-6 (not yet issued), CRD-7 (not released), CRD-8 (expired),
    CRD-9 (locked), CRD-10 (security code required), CRD-11 (security code mismatch) and
    CRD-12 (insufficient value), and the decision lists every failure. ``""`` counts as no
    security code; codes compare exactly. ``amount`` is money (PAY-8); one that is not, or is
    ``<= 0``, raises :class:`InvalidRequest` (CRD-5). ``retry_at`` follows TIME-9.

    >>> from datetime import UTC, datetime
    >>> credit = Credit(value_initial=50, value_remaining="25.00", locked=True,
    ...                 lock_expires_at=datetime(2025, 6, 1, 10, tzinfo=UTC))
    >>> d = check_credit_redemption(credit, 30, at=datetime(2025, 6, 1, 9, tzinfo=UTC))
    >>> [r.code.value for r in d.reasons], d.retry_at
    (['locked', 'insufficient_value'], None)
    >>> d = check_credit_redemption(credit, 20, at=datetime(2025, 6, 1, 9, tzinfo=UTC))
    >>> str(d.retry_at)
    '2025-06-01 10:00:00+00:00'
    """
    allowed = _allowed_until(credit, amount, at, security_code)
    if allowed is not None:
        return allowed[0]
    checked = _check_credit(credit)
    now = clock.as_instant(at, name="at")
    return _decide(checked, redemption_amount(amount), now, _security_code(security_code))


def _allowed_until(
    credit: object, amount: object, at: object, security_code: object
) -> tuple[Decision, Credit, Decimal] | None:
    """The allowed decision of the common request (with the credit and amount), or None.

    The common request: a Credit, a UTC instant in range, a string or no security code, an
    amount that is money > 0 (else :class:`InvalidRequest`, as on the general path), and every
    CRD rule passing. Its ``retry_at`` is the instant after ``expires_at`` (TIME-9: the other
    candidates, issue, release and lock end, have passed). None means: take the general path,
    which checks every argument and builds every reason.
    """
    if not (
        type(credit) is Credit
        and type(at) is datetime
        and at.tzinfo is UTC
        and (security_code is None or type(security_code) is str)
        and clock.EARLIEST <= at <= clock.LATEST
    ):
        return None
    amount = redemption_amount(amount)
    release, never = _release(credit)
    issued, expires, d = credit.issued_at, credit.expires_at, credit.definition
    given, stored = security_code or None, credit.security_code or None
    if (
        (issued is None or at >= issued)  # CRD-6
        and not never  # CRD-7
        and (release is None or at >= release)  # CRD-7
        and (expires is None or at <= expires)  # CRD-8
        and not _locked(credit, at)  # CRD-9
        and (d is None or not d.require_security_code or given is not None)  # CRD-10
        and (given is None or stored is None or given == stored)  # CRD-11
        and amount <= credit.value_remaining  # CRD-12
    ):
        return Decision.trusted((), None if expires is None else after(expires)), credit, amount
    return None


def redeem_credit(
    credit: Credit,
    amount: Decimal | float | str,
    *,
    at: datetime,
    security_code: str | None = None,
) -> CreditRedemption:
    """Use ``amount`` of ``credit`` at ``at``, all or nothing (CRD-13).

    The decision is :func:`check_credit_redemption`'s. When it is allowed, the result's
    ``credit`` has ``value_remaining`` lowered by ``amount`` exactly; when refused, it is the
    credit given, unchanged.

    >>> from datetime import UTC, datetime
    >>> credit = Credit(value_initial=50, value_remaining="25.00")
    >>> redeem_credit(credit, "30", at=datetime(2025, 6, 1, tzinfo=UTC)).credit == credit
    True
    >>> redeem_credit(credit, 25, at=datetime(2025, 6, 1, tzinfo=UTC)).credit.value_remaining
    Decimal('0.00')
    """
    allowed = _allowed_until(credit, amount, at, security_code)
    if allowed is not None:
        decision, checked, value = allowed
    else:
        checked = _check_credit(credit)
        now = clock.as_instant(at, name="at")
        value = redemption_amount(amount)
        decision = _decide(checked, value, now, _security_code(security_code))
    if not decision.allowed:
        return CreditRedemption(decision=decision, credit=checked)
    remaining = EXACT_MONEY.subtract(checked.value_remaining, value)
    # CRD-5: 0 <= remaining <= value_remaining, so the credit stays valid as it was.
    return CreditRedemption(decision=decision, credit=with_remaining(checked, remaining))
