"""Period types, computed expiry and the expiry bound (EXP rules).

>>> from datetime import UTC, datetime
>>> str(compute_expiry(datetime(2021, 3, 5, 0, 6, 51, tzinfo=UTC), timezone="UTC", period=50))
'2021-04-24 23:59:59+00:00'
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta, tzinfo
from types import MappingProxyType
from typing import Final, TypeGuard
from zoneinfo import ZoneInfo

import attrs

from loyalty_core import clock
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import LATEST, MAX_DAYS, show

__all__ = [
    "MAX_PERIOD",
    "ExpiryExplanation",
    "PeriodType",
    "before_issue",
    "compute_expiry",
    "explain_expiry",
    "is_expired",
    "past_expiry",
    "period_end",
    "period_problems",
    "period_type_of",
]


class PeriodType(enum.StrEnum):
    """How a definition's ``period`` counts (EXP-3 to EXP-6).

    ``days``, ``weeks``, ``months`` and ``years`` count calendar units from the local issue
    date; ``absolute_date`` uses the definition's ``absolute_expiry``; ``absolute_week`` and
    ``absolute_month`` end with the week or month that contains the issue date plus the period.
    """

    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"
    ABSOLUTE_DATE = "absolute_date"
    ABSOLUTE_WEEK = "absolute_week"
    ABSOLUTE_MONTH = "absolute_month"


_BY_VALUE: Final[dict[object, PeriodType]] = {p.value: p for p in PeriodType}
_BY_VALUE[None] = PeriodType.DAYS  # EXP-2: a null period_type means days
_RELATIVE: Final = frozenset(
    {PeriodType.DAYS, PeriodType.WEEKS, PeriodType.MONTHS, PeriodType.YEARS}
)


_MAX_MONTHS: Final = 9998 * 12 + 11
"""Months from January of year 1 to December of year 9999."""

MAX_PERIOD: Final[Mapping[PeriodType, int]] = MappingProxyType(
    {
        PeriodType.DAYS: MAX_DAYS,
        PeriodType.WEEKS: MAX_DAYS // 7,
        PeriodType.MONTHS: _MAX_MONTHS,
        PeriodType.YEARS: _MAX_MONTHS // 12,
        PeriodType.ABSOLUTE_DATE: MAX_DAYS,
        # The week or month must also end by 9999-12-30, the last day whose end is computable.
        PeriodType.ABSOLUTE_WEEK: MAX_DAYS // 7 - 1,
        PeriodType.ABSOLUTE_MONTH: _MAX_MONTHS - 1,
    }
)
"""The longest period of each type: a longer one ends past year 9999 from any issue date, so a
definition holding one is rejected when it is built (the *Limits* docs page). ``absolute_date``
ignores its period (EXP-4), which is bounded as days."""


def period_problems(
    definition: object, prefix: str, fields: tuple[tuple[str, str], ...]
) -> Iterator[Problem]:
    """Yield a problem for each ``(period, period type)`` field pair past :data:`MAX_PERIOD`.

    ``prefix`` roots the field names (``""`` for a constructor, ``"$."`` for a payload).
    """
    for period_name, type_name in fields:
        period = getattr(definition, period_name)
        kind = getattr(definition, type_name)
        longest = MAX_PERIOD[kind]
        if period is not None and period > longest:
            yield Problem(
                f"{prefix}{period_name}",
                f"expected at most {longest} for a period in {kind.value} (a longer one ends "
                f"past year 9999), got {show(period)}",
            )


def period_type_of(value: object, *, name: str = "period_type") -> PeriodType:
    """Return the :class:`PeriodType` for a member, its string value or ``None`` (= days).

    Anything else raises :class:`InvalidRequest` naming the parameter (EXP-2).
    """
    try:
        return _BY_VALUE[value]
    except (KeyError, TypeError):
        choices = ", ".join(p.value for p in PeriodType)
        msg = f"expected one of {choices} or None, got {show(value)}"
        raise InvalidRequest(Problem(name, msg)) from None


def period_end(
    issued_on: date,
    tz: tzinfo,
    period: int | None,
    period_type: PeriodType,
) -> datetime | None:
    """Return the uncapped expiry for a relative or absolute-week/month period (EXP-3, 5, 6).

    ``issued_on`` is the local issue date D. The result is the last second (TIME-8) of the
    target date, or ``None`` for a null or 0 relative period (EXP-3).
    """
    if period_type in _RELATIVE:
        # EXP-3: null or 0 means "never expires"; otherwise D + period units, end of that day.
        if not period:
            return None
        target = clock.add_to_date(issued_on, period, period_type.value)  # type: ignore[arg-type]
    elif period_type is PeriodType.ABSOLUTE_WEEK:
        # EXP-5: the Sunday ending the ISO week that contains D + 7·period days.
        shifted = issued_on + timedelta(days=7 * (period or 0))
        target = shifted + timedelta(days=6 - shifted.weekday())
    else:
        # EXP-6: the last day of the month containing D + period months.
        shifted = clock.add_to_date(issued_on, period or 0, "months")
        following = date(shifted.year + shifted.month // 12, shifted.month % 12 + 1, 1)
        target = following - timedelta(days=1)
    return clock.end_of_day(target, tz)


def compute_expiry(  # noqa: PLR0913 - the signature is fixed by the public API
    issued_at: datetime,
    *,
    timezone: str | ZoneInfo,
    period: int | None,
    period_type: PeriodType | str | None = PeriodType.DAYS,
    absolute_expiry: datetime | None = None,
    end_at: datetime | None = None,
) -> datetime | None:
    """Compute when an item issued at ``issued_at`` expires (EXP-2 to EXP-7).

    ``period_type`` ``days``/``weeks``/``months``/``years``: the last second of the local
    issue date (in ``timezone``) advanced by ``period`` units; null or 0 never expires.
    ``absolute_date``: ``absolute_expiry`` itself. ``absolute_week``/``absolute_month``: the
    last second of the week (Monday to Sunday) or month containing the issue date plus
    ``period`` weeks or months. A non-null ``end_at`` caps any computed result (Q16). The
    result is a UTC instant, or ``None`` for "never expires".

    >>> from datetime import UTC, datetime
    >>> issued = datetime(2026, 3, 19, 23, 0, tzinfo=UTC)
    >>> str(compute_expiry(issued, timezone="Australia/Melbourne", period=30))
    '2026-04-19 13:59:59+00:00'
    >>> compute_expiry(issued, timezone="UTC", period=0) is None
    True
    """
    issued = clock.as_instant(issued_at, name="issued_at")
    tz = clock.zone(timezone)
    kind = _BY_VALUE.get(period_type) if isinstance(period_type, str | None) else None
    if kind is None:
        kind = period_type_of(period_type)
    if period is not None and (type(period) is not int or period < 0):
        # EXP-2: an integer >= 0, never a bool.
        msg = f"expected an integer >= 0 or None, got {show(period)}"
        raise InvalidRequest(Problem("period", msg))
    if kind is PeriodType.ABSOLUTE_DATE:
        # EXP-4: the absolute instant itself; no end-of-day snapping.
        if absolute_expiry is None:
            expiry = None
        else:
            expiry = clock.as_instant(absolute_expiry, name="absolute_expiry")
    else:
        try:
            if period is not None and period > MAX_PERIOD[kind]:
                raise OverflowError  # never computed: it passes year 9999 from any date
            expiry = period_end(clock.local_date(issued, tz), tz, period, kind)
            if expiry is not None and expiry > LATEST:
                raise OverflowError  # representable, but past what a value may store
        except clock.OUT_OF_RANGE:
            msg = (
                f"the expiry of a {show(period)} {kind.value} period from "
                f"{clock.format_instant(issued)} is past the last storable day, 9999-12-30 UTC"
            )
            raise InvalidRequest(Problem("period", msg)) from None
    if end_at is not None:
        # EXP-7: end_at caps a computed expiry; "never expires" stays None.
        cap = clock.as_instant(end_at, name="end_at")
        if expiry is not None and expiry > cap:
            return cap
    return expiry


def is_expired(expires_at: datetime | None, at: datetime) -> bool:
    """Tell whether an item with this ``expires_at`` is expired at ``at`` (EXP-1, Q3).

    ``expires_at`` is the last valid instant: the item is expired iff ``at > expires_at``, and
    never when ``expires_at`` is ``None``. Both are compared in UTC.

    >>> from datetime import UTC, datetime
    >>> end = datetime(2021, 4, 24, 23, 59, 59, tzinfo=UTC)
    >>> is_expired(end, end), is_expired(end, datetime(2021, 4, 25, tzinfo=UTC))
    (False, True)
    """
    now = clock.as_instant(at, name="at")
    if expires_at is None:
        return False
    return past_expiry(clock.as_instant(expires_at, name="expires_at"), now)


def past_expiry(expires_at: datetime | None, at: datetime) -> TypeGuard[datetime]:
    """EXP-1 on instants already checked: ``at > expires_at``; a null expiry never passes.

    The checks call this on their own normalised UTC instants; :func:`is_expired` is the
    validating public form. True also tells the type checker that ``expires_at`` is set.
    """
    return expires_at is not None and at > expires_at


def before_issue(issued_at: datetime | None, at: datetime) -> TypeGuard[datetime]:
    """Q36 on instants already checked: an item is not yet issued iff ``at < issued_at``.

    A null ``issued_at`` counts as issued. Used by RED-1/RED-4, RWD-1 and CRD-6.
    """
    return issued_at is not None and at < issued_at


_RULE_OF: Final = {
    PeriodType.DAYS: "EXP-3",
    PeriodType.WEEKS: "EXP-3",
    PeriodType.MONTHS: "EXP-3",
    PeriodType.YEARS: "EXP-3",
    PeriodType.ABSOLUTE_DATE: "EXP-4",
    PeriodType.ABSOLUTE_WEEK: "EXP-5",
    PeriodType.ABSOLUTE_MONTH: "EXP-6",
}


_LAST: Final = "expires at its last second"


@attrs.frozen(kw_only=True)
class ExpiryExplanation:
    """How :func:`compute_expiry` reached its answer, for people (the CLI, docs, support).

    ``expires_at`` is exactly what :func:`compute_expiry` returns; ``uncapped`` is the result
    without ``end_at``; ``rule`` is the EXP rule that applied and ``summary`` says it in words.
    """

    expires_at: datetime | None
    uncapped: datetime | None
    capped_by_end_at: bool
    rule: str
    issued_on: date
    target_on: date | None
    zone: str
    summary: str


def explain_expiry(  # noqa: PLR0913 - mirrors compute_expiry's signature
    issued_at: datetime,
    *,
    timezone: str | ZoneInfo,
    period: int | None,
    period_type: PeriodType | str | None = PeriodType.DAYS,
    absolute_expiry: datetime | None = None,
    end_at: datetime | None = None,
) -> ExpiryExplanation:
    """Compute an expiry with :func:`compute_expiry` and say how it was reached.

    >>> from datetime import UTC, datetime
    >>> e = explain_expiry(datetime(2021, 3, 5, 0, 6, 51, tzinfo=UTC), timezone="UTC", period=50)
    >>> e.rule, e.summary
    ('EXP-3', 'local issue date 2021-03-05 + 50 days = 2021-04-24; expires at its last second')
    """
    kind = period_type_of(period_type)
    expires_at = compute_expiry(
        issued_at,
        timezone=timezone,
        period=period,
        period_type=kind,
        absolute_expiry=absolute_expiry,
        end_at=end_at,
    )
    uncapped = compute_expiry(
        issued_at,
        timezone=timezone,
        period=period,
        period_type=kind,
        absolute_expiry=absolute_expiry,
    )
    tz = clock.zone(timezone)
    issued_on = clock.local_date(clock.as_instant(issued_at, name="issued_at"), tz)
    target_on = None if uncapped is None else clock.local_date(uncapped, tz)
    capped = expires_at != uncapped
    n = period or 0
    if uncapped is None:
        if kind is PeriodType.ABSOLUTE_DATE:
            summary = "absolute_date without absolute_expiry: never expires"
        else:
            summary = f"period {show(period)} {kind.value}: never expires"
    elif kind in _RELATIVE:
        summary = f"local issue date {issued_on} + {n} {kind.value} = {target_on}; {_LAST}"
    elif kind is PeriodType.ABSOLUTE_DATE:
        summary = f"absolute_expiry {clock.format_instant(uncapped)}"
    elif kind is PeriodType.ABSOLUTE_WEEK:
        summary = (
            f"local issue date {issued_on} + {n} weeks; the Sunday ending that ISO week "
            f"is {target_on}; {_LAST}"
        )
    else:
        summary = f"local issue date {issued_on} + {n} months; that month ends {target_on}; {_LAST}"
    if capped and expires_at is not None:
        summary += f"; capped by end_at {clock.format_instant(expires_at)} (EXP-7)"
    return ExpiryExplanation(
        expires_at=expires_at,
        uncapped=uncapped,
        capped_by_end_at=capped,
        rule=_RULE_OF[kind],
        issued_on=issued_on,
        target_on=target_on,
        zone=tz.key,
        summary=summary,
    )
