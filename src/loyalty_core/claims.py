"""Claim eligibility, claiming and visibility (CLM and VIS rules).

``check_claim`` runs every CLM rule in the order of the rulebook's table and returns a
:class:`~loyalty_core.Decision` listing each failure; ``claim_benefit`` builds the new benefit and
advances the definition's counters when the claim is allowed. The library keeps no state: pass
the definition returned by one operation to the next (CLM-18).

>>> from datetime import UTC, datetime
>>> from loyalty_core import BenefitDefinition, Profile
>>> definition = BenefitDefinition(is_claimable=True, is_published=True, is_assignable=True,
...                                period=50, max_redemptions=1)
>>> result = claim_benefit(definition, Profile(id="p-1"),
...                        at=datetime(2021, 3, 5, 0, 6, 51, tzinfo=UTC), timezone="UTC")
>>> result.decision.allowed, str(result.benefit.expires_at)
(True, '2021-04-24 23:59:59+00:00')
>>> result.definition.total_global_created
1
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

import attrs

from loyalty_core import clock
from loyalty_core._fields import JSON_ARRAY, TEXT, check_arguments, check_values
from loyalty_core.benefits import Benefit, BenefitDefinition, ClaimTimeframe, global_remaining
from loyalty_core.decisions import (
    Decision,
    Reason,
    ReasonCode,
    after,
    bound_reason,
    first_change,
)
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.jsonlogic import truthy
from loyalty_core.limits import show
from loyalty_core.periods import before_issue, compute_expiry, past_expiry
from loyalty_core.policy import DEFAULT_POLICY, Policy
from loyalty_core.profiles import Profile

__all__ = [
    "CLAIM_RULES",
    "ClaimResult",
    "ClaimRule",
    "check_claim",
    "claim_benefit",
    "counts_for",
    "is_active",
    "is_of_definition",
    "is_visible",
]

_iso = clock.format_instant


def _redemptions(count: int | None) -> str:
    if count is None:
        return "unlimited redemptions"
    return f"{count} redemption" + ("" if count == 1 else "s")


@attrs.frozen(kw_only=True)
class ClaimResult:
    """The outcome of :func:`claim_benefit` (and ``claim_and_redeem``).

    ``benefit`` is the new instance, or ``None`` when refused; ``definition`` is the definition
    with its counters advanced (CLM-18), or the one given, unchanged, when refused.
    """

    decision: Decision
    benefit: Benefit | None
    definition: BenefitDefinition


# --- holdings (CLM-15) and states (RED-1) ----------------------------------------------------


def counts_for(holding: Benefit, profile: Profile) -> bool:
    """Tell whether a holding counts for ``profile`` (CLM-15).

    It does unless both its ``profile_id`` and ``profile.id`` are set and differ.
    """
    return holding.profile_id is None or profile.id is None or holding.profile_id == profile.id


def is_of_definition(holding: Benefit, definition: BenefitDefinition) -> bool:
    """Tell whether a holding is an instance of ``definition`` (CLM-15).

    Both definition ids set and equal; or, when either is null, both handles set and equal.
    """
    mine, theirs = holding.definition, definition
    if mine.id is not None and theirs.id is not None:
        return mine.id == theirs.id
    return mine.handle is not None and mine.handle == theirs.handle


def is_active(benefit: Benefit, at: datetime) -> bool:
    """Tell whether a benefit is active at ``at``: issued, not expired, not used up (RED-1).

    Issued means ``issued_at`` is null or ``<= at`` (Q36); expired follows EXP-1; used up
    means ``redemptions_remaining == 0``.
    """
    return (
        not before_issue(benefit.issued_at, at)
        and not past_expiry(benefit.expires_at, at)
        and benefit.redemptions_remaining != 0
    )


# --- the claim check ---------------------------------------------------------------------------


def _timeframe_window(timeframe: ClaimTimeframe, day: date) -> tuple[int, ...]:
    unit = timeframe.unit
    if unit == "day":
        return (day.toordinal(),)
    if unit == "week":
        year, week, _ = day.isocalendar()
        return (year, week)
    if unit == "month":
        return (day.year, day.month)
    return (day.year,)


def _window_start(timeframe: ClaimTimeframe, day: date) -> date:
    """The first day of the calendar window (CLM-16) that holds ``day``."""
    unit = timeframe.unit
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return date(day.year, 1, 1)


def _next_window_start(timeframe: ClaimTimeframe, day: date) -> date:
    unit = timeframe.unit
    if unit == "day":
        return day + timedelta(days=1)
    if unit == "week":
        return day + timedelta(days=7 - day.weekday())
    if unit == "month":
        return date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return date(day.year + 1, 1, 1)


def _beyond_9999(compute: Callable[[], datetime]) -> datetime | None:
    """Return ``compute()``, or ``None`` when the instant lies past year 9999 (never, here)."""
    try:
        return compute()
    except clock.OUT_OF_RANGE:  # date arithmetic past 9999
        return None


def _window_bound(
    first: Callable[[ClaimTimeframe, date], date],
    timeframe: ClaimTimeframe,
    day: date,
    tz: ZoneInfo,
) -> datetime | None:
    """The local start of a window's ``first`` day, or ``None`` outside years 1 to 9999."""
    return _beyond_9999(lambda: clock.start_of_day(first(timeframe, day), tz))


def _or_never(instant: datetime | None) -> str:
    return "never (past year 9999)" if instant is None else _iso(instant)


class _Claim:
    """One claim check: the arguments, and one method per rule that depends on the instant."""

    __slots__ = (
        "_plan",
        "_static",
        "_windows",
        "claimed",
        "definition",
        "holdings",
        "policy",
        "profile",
        "tz",
    )

    def __init__(
        self,
        definition: BenefitDefinition,
        profile: Profile,
        tz: ZoneInfo,
        holdings: tuple[Benefit, ...],
        policy: Policy,
    ) -> None:
        self.definition = definition
        self.profile = profile
        self.tz = tz
        self.holdings = holdings
        self.policy = policy
        # CLM-15: the claimed holdings of this definition that count for this profile.
        self.claimed = (
            tuple(
                h
                for h in holdings
                if h.claimed_at is not None
                and counts_for(h, profile)
                and is_of_definition(h, definition)
            )
            if holdings
            else ()
        )
        self._plan: tuple[Reason | _InstantCheck, ...] | None = None
        self._static = False
        self._windows: dict[tuple[int, ...], datetime] | None = None

    # The rules of the CLM table, one method each (the table itself: CLAIM_RULES) ------------

    def condition_reason(self) -> Reason | None:
        """CLM-8: the claim condition does not hold for the profile."""
        return _condition_fails(self.definition.claim_condition, self.profile)

    def already_claimed(self) -> Reason | None:
        """CLM-9: not reclaimable, and a claimed copy is held in any state (Q10)."""
        if not self.claimed:
            return None
        ids = [h.id for h in self.claimed]
        return Reason.lazy(
            ReasonCode.ALREADY_CLAIMED,
            lambda: (
                (
                    f"the profile already claimed this definition ({len(ids)} claimed "
                    f"holding{'s' if len(ids) != 1 else ''}, ids {show(ids)}) and it is "
                    "not reclaimable"
                ),
                {"holding_ids": ids, "is_reclaimable": False},
            ),
        )

    def window_not_open(self, at: datetime) -> Reason | None:
        """CLM-5: before ``claim_period_start_at``; the start itself is allowed (Q2)."""
        return _not_open(self.definition.claim_period_start_at, at)  # type: ignore[arg-type]

    def window_closed(self, at: datetime) -> Reason | None:
        """CLM-6: after ``claim_period_end_at``; the end itself is allowed (Q2)."""
        return _closed(self.definition.claim_period_end_at, at)  # type: ignore[arg-type]

    def ended(self, at: datetime) -> Reason | None:
        """CLM-7: after the definition's ``end_at`` (Q16)."""
        return _ended(self.definition.end_at, at)  # type: ignore[arg-type]

    def active_claim(self, at: datetime) -> Reason | None:
        """CLM-10: a reclaimable definition with an active claimed copy held (Q10, POL-2)."""
        if not self.claimed:
            return None
        active = [h for h in self.claimed if is_active(h, at)]
        if not active:
            return None
        first = active[0]
        return Reason.lazy(
            ReasonCode.ACTIVE_CLAIM_EXISTS,
            lambda: (
                (
                    f"the profile holds an active claimed copy (id {show(first.id)}, "
                    f"{_redemptions(first.redemptions_remaining)} remaining, expires at "
                    f"{_iso(first.expires_at) if first.expires_at else 'never'}); a reclaim needs "
                    "none active"
                ),
                {
                    "holding_id": first.id,
                    "redemptions_remaining": first.redemptions_remaining,
                    "expires_at": None if first.expires_at is None else _iso(first.expires_at),
                },
            ),
        )

    def timeframe(self, at: datetime) -> Reason | None:
        """CLM-11/CLM-16: the claim timeframe (its instants for TIME-9: ``timeframe_bounds``)."""
        if not self.claimed:
            return None
        timeframe: ClaimTimeframe = self.definition.claim_timeframe  # type: ignore[assignment]
        tz = self.tz
        if timeframe.count is None:
            # A calendar window: at most one claim per local day, ISO week, month or year.
            day = clock.local_date(at, tz)
            claimed_at = self._claimed_windows(timeframe).get(_timeframe_window(timeframe, day))
            if claimed_at is None:
                return None

            def render() -> tuple[str, dict[str, Any]]:
                opens = _window_bound(_next_window_start, timeframe, day, tz)
                message = (
                    f"already claimed this {timeframe.unit} (at {_iso(claimed_at)}, "
                    f"{tz.key}); the next {timeframe.unit} starts at {_or_never(opens)}"
                )
                return (
                    message,
                    {
                        "claim_timeframe": timeframe.to_api(),
                        "claimed_at": _iso(claimed_at),
                        "next_window_at": None if opens is None else _iso(opens),
                        "timezone": tz.key,
                    },
                )

            return Reason.lazy(ReasonCode.CLAIM_TIMEFRAME_LIMIT, render)
        latest, allowed_from = self._rolling_end(timeframe)
        if allowed_from is not None and at >= allowed_from:
            return None
        return Reason.lazy(
            ReasonCode.CLAIM_TIMEFRAME_LIMIT,
            lambda: (
                (
                    f"the latest claim was at {_iso(latest)}; {timeframe.to_api()} must pass, "
                    f"so the next claim is allowed from {_or_never(allowed_from)}"
                ),
                {
                    "claim_timeframe": timeframe.to_api(),
                    "claimed_at": _iso(latest),
                    "allowed_from": None if allowed_from is None else _iso(allowed_from),
                    "timezone": tz.key,
                },
            ),
        )

    def _claimed_windows(self, timeframe: ClaimTimeframe) -> dict[tuple[int, ...], datetime]:
        """Each calendar window holding a claim, with its first claimed holding's claimed_at.

        Computed once per check: ``retry_at`` runs the rules at many instants.
        """
        windows = self._windows
        if windows is None:
            windows = {}
            for h in self.claimed:
                claimed_at: datetime = h.claimed_at  # type: ignore[assignment]
                key = _timeframe_window(timeframe, clock.local_date(claimed_at, self.tz))
                windows.setdefault(key, claimed_at)
            self._windows = windows
        return windows

    def _rolling_end(self, timeframe: ClaimTimeframe) -> tuple[datetime, datetime | None]:
        """A rolling window: the latest claim, and N units after it, wall time kept (TIME-6)."""
        latest = max(h.claimed_at for h in self.claimed if h.claimed_at is not None)
        unit: clock.CalendarUnit = f"{timeframe.unit}s"  # type: ignore[assignment]
        count: int = timeframe.count  # type: ignore[assignment]
        return latest, _beyond_9999(lambda: clock.shift_keep_wall(latest, self.tz, count, unit))

    def campaign(self, at: datetime) -> Reason | None:
        """CLM-14: one active claimed benefit per campaign (Q13, POL-3)."""
        campaign = self.definition.campaign
        for h in self.campaign_holdings():
            if is_active(h, at):
                return Reason.lazy(
                    ReasonCode.CAMPAIGN_ALREADY_CLAIMED,
                    lambda h=h: (  # type: ignore[misc]
                        (
                            "the profile holds an active claimed benefit of campaign "
                            f"{show(campaign)} (id {show(h.id)})"
                        ),
                        {"campaign": campaign, "holding_id": h.id},
                    ),
                )
        return None

    def reads_holdings(self) -> bool:
        """Whether any rule of this check reads a holding (CLM-15).

        A claimed copy of the definition (CLM-9 to CLM-11, CLM-16) or, under
        ``one_claim_per_campaign``, a claimed benefit of its campaign (CLM-14).
        """
        if self.claimed:
            return True
        return bool(
            self.policy.one_claim_per_campaign
            and self.definition.campaign
            and self.campaign_holdings()
        )

    def campaign_holdings(self) -> list[Benefit]:
        """The claimed holdings of the profile in this definition's campaign (CLM-14)."""
        campaign = self.definition.campaign
        return [
            h
            for h in self.holdings
            if h.claimed_at is not None
            and counts_for(h, self.profile)
            and h.definition.campaign == campaign
        ]

    def evaluate(self, at: datetime) -> tuple[list[Reason], bool]:
        """Every failure at ``at`` in the order of the CLM table, and whether one is static.

        The table (:data:`CLAIM_RULES`) is prepared once per check from the definition's plan
        (:func:`definition_plan`): a rule that does not read the instant is decided then and
        its reason kept; one that reads it is kept as a check, only when it can fail at some
        instant. ``retry_at`` runs the prepared plan at each candidate instant.
        """
        plan = self._plan
        found: list[Reason] = []
        if plan is None:
            # The first instant prepares the plan and decides in the same pass.
            steps: list[Reason | _InstantCheck] = []
            for reads, step in definition_plan(self.definition, self.policy).rows:
                if reads == "instant":
                    steps.append(step)
                    reason = step(self, at)
                    if reason is not None:
                        found.append(reason)
                    continue
                if reads == "claimant":
                    step = step(self)  # noqa: PLW2901 - the check's answer for this claimant
                    if step is None:
                        continue
                self._static = True  # a failure that no instant cures
                steps.append(step)
                found.append(step)
            self._plan = tuple(steps)
            return found, self._static
        for step in plan:
            if type(step) is Reason:
                found.append(step)
            else:
                reason = step(self, at)  # type: ignore[operator]
                if reason is not None:
                    found.append(reason)
        return found, self._static

    def allowed_at(self, at: datetime) -> bool:
        """Whether the claim is allowed at ``at``."""
        return not self.evaluate(at)[0]

    def candidates(self) -> list[datetime | None]:
        """TIME-9: the instants at which the outcome may change (the same for every ``at``)."""
        d = self.definition
        found: list[datetime | None] = [d.claim_period_start_at]
        found.extend(after(b) for b in (d.claim_period_end_at, d.end_at) if b is not None)
        # By identity: hashing a benefit hashes its whole embedded definition.
        holdings = {id(h): h for h in self.claimed}
        if self.policy.one_claim_per_campaign and d.campaign:
            holdings.update((id(h), h) for h in self.campaign_holdings())
        for h in holdings.values():
            found.append(h.issued_at)
            if h.expires_at is not None:
                found.append(after(h.expires_at))
        found.extend(self.timeframe_bounds())
        return found

    def timeframe_bounds(self) -> list[datetime | None]:
        """CLM-16's part of TIME-9: where the claim timeframe starts or stops refusing.

        A calendar window refuses exactly in the windows that hold a claimed holding's
        ``claimed_at``, so each such window's start and the next window's start are
        candidates, whether the window lies before or after ``at``; a rolling window refuses
        until the latest ``claimed_at`` + N.
        """
        timeframe = self.definition.claim_timeframe
        if timeframe is None or not self.claimed:
            return []
        tz = self.tz
        if timeframe.count is None:
            days = {clock.local_date(h.claimed_at, tz) for h in self.claimed}  # type: ignore[arg-type]
            return [
                _window_bound(first, timeframe, day, tz)
                for day in days
                for first in (_window_start, _next_window_start)
            ]
        return [self._rolling_end(timeframe)[1]]


def _fixed(code: ReasonCode, message: str, **detail: Any) -> Reason:
    return Reason(code, message, detail)


# The reasons of CLM-1 to CLM-4 never vary, so each is built once.
_NOT_CLAIMABLE: Final = _fixed(
    ReasonCode.NOT_CLAIMABLE, "the definition is not claimable", is_claimable=False
)
_ARCHIVED: Final = _fixed(ReasonCode.ARCHIVED, "the definition is archived", is_archived=True)
_UNPUBLISHED: Final = _fixed(
    ReasonCode.UNPUBLISHED, "the definition is not published", is_published=False
)
_NOT_ASSIGNABLE: Final = _fixed(
    ReasonCode.NOT_ASSIGNABLE,
    "the definition is not assignable, and the policy requires it",
    is_assignable=False,
    policy="claims_require_assignable",
)


def _not_open(start: datetime, at: datetime) -> Reason | None:
    # CLM-5: before the window opens; the start itself is allowed (Q2).
    if at >= start:
        return None
    return Reason.lazy(
        ReasonCode.CLAIM_WINDOW_NOT_OPEN,
        lambda: (
            (
                f"the claim window opens at {_iso(start)}, in "
                f"{clock.describe_span(at, start)}; at is {_iso(at)}"
            ),
            {"at": _iso(at), "claim_period_start_at": _iso(start)},
        ),
    )


def _closed(end: datetime, at: datetime) -> Reason | None:
    # CLM-6: after the window closes; the end itself is allowed (Q2).
    if at <= end:
        return None
    return bound_reason(
        ReasonCode.CLAIM_WINDOW_CLOSED, "the claim window closed at", "claim_period_end_at", end, at
    )


def _ended(end_at: datetime, at: datetime) -> Reason | None:
    # CLM-7: after the definition's end_at (Q16).
    if at <= end_at:
        return None
    return bound_reason(
        ReasonCode.DEFINITION_ENDED, "the definition ended at", "end_at", end_at, at
    )


def _condition_fails(condition: Any, profile: Profile) -> Reason | None:
    # CLM-8: the claim condition does not hold for the profile.
    if condition.holds(profile.condition_data()):
        return None
    return _condition_reason(condition, profile)


def _condition_reason(condition: Any, profile: Profile) -> Reason:
    def render() -> tuple[str, dict[str, Any]]:
        data = profile.condition_data()  # the same data as the context, read faster
        explanation = condition.explain(data)
        return (
            # Every failing clause of a top-level `and`, not only the first.
            f"the claim condition does not hold: {condition.why_not(data)}",
            {"condition": condition.rule, "reads": dict(explanation.reads)},
        )

    return Reason.lazy(ReasonCode.CONDITION_NOT_MET, render)


_ClaimantCheck = Callable[["_Claim"], Reason | None]
_InstantCheck = Callable[["_Claim", datetime], Reason | None]
_Reads = Literal["definition", "claimant", "instant"]


@attrs.frozen
class ClaimRule:
    """One row of the CLM table; :data:`CLAIM_RULES` holds the rows in the table's order.

    ``rule_id`` is the rule's ID and ``code`` the reason it refuses with. ``reads`` says what
    its answer depends on besides the definition and the policy: nothing (``"definition"``),
    the profile and holdings (``"claimant"``) or also the instant (``"instant"``).
    ``prepare(definition, policy)`` is run once per definition and policy: a ``"definition"``
    rule gives its :class:`~loyalty_core.Reason` or ``None``; the others give ``None`` when they
    cannot fail for this definition, else the check to run per claim (or per instant).
    ``holdings`` is true for the rows that can fail only when the claimant holds benefits
    (CLM-15): a claim with no holdings skips them.
    """

    rule_id: str
    code: ReasonCode
    reads: _Reads = attrs.field(kw_only=True)
    holdings: bool = attrs.field(default=False, kw_only=True)
    prepare: Callable[
        [BenefitDefinition, Policy], Reason | _ClaimantCheck | _InstantCheck | None
    ] = attrs.field(kw_only=True, repr=False)


def _global_exhausted(d: BenefitDefinition, _policy: Policy) -> Reason | None:
    """CLM-12: ``max_global_redemptions`` is set and none remain (RED-11)."""
    cap = d.max_global_redemptions
    if cap is None or global_remaining(d) != 0:
        return None
    used = d.total_global_redemptions
    return _fixed(
        ReasonCode.GLOBAL_REDEMPTIONS_EXHAUSTED,
        f"the global redemptions are exhausted: {used} used of {cap}",
        total_global_redemptions=used,
        max_global_redemptions=cap,
    )


def _allocations_exhausted(d: BenefitDefinition, _policy: Policy) -> Reason | None:
    """CLM-13: ``force_allocation`` and no allocation remains (Q17)."""
    allocations = d.total_allocations_remaining
    if not d.force_allocation or (allocations is not None and allocations > 0):
        return None
    return _fixed(
        ReasonCode.ALLOCATIONS_EXHAUSTED,
        f"no allocations remain: total_allocations_remaining is {show(allocations)}",
        total_allocations_remaining=allocations,
        force_allocation=True,
    )


CLAIM_RULES: Final[tuple[ClaimRule, ...]] = (
    ClaimRule(
        "CLM-1",
        ReasonCode.NOT_CLAIMABLE,
        reads="definition",
        prepare=lambda d, _p: None if d.is_claimable else _NOT_CLAIMABLE,
    ),
    ClaimRule(
        "CLM-2",
        ReasonCode.ARCHIVED,
        reads="definition",
        prepare=lambda d, _p: _ARCHIVED if d.is_archived else None,
    ),
    ClaimRule(  # Q15
        "CLM-3",
        ReasonCode.UNPUBLISHED,
        reads="definition",
        prepare=lambda d, _p: None if d.is_published else _UNPUBLISHED,
    ),
    ClaimRule(  # Q14, POL-4
        "CLM-4",
        ReasonCode.NOT_ASSIGNABLE,
        reads="definition",
        prepare=lambda d, p: (
            None if d.is_assignable or not p.claims_require_assignable else _NOT_ASSIGNABLE
        ),
    ),
    ClaimRule(  # Q2: a null bound is open
        "CLM-5",
        ReasonCode.CLAIM_WINDOW_NOT_OPEN,
        reads="instant",
        prepare=lambda d, _p: None if d.claim_period_start_at is None else _Claim.window_not_open,
    ),
    ClaimRule(
        "CLM-6",
        ReasonCode.CLAIM_WINDOW_CLOSED,
        reads="instant",
        prepare=lambda d, _p: None if d.claim_period_end_at is None else _Claim.window_closed,
    ),
    ClaimRule(  # Q16
        "CLM-7",
        ReasonCode.DEFINITION_ENDED,
        reads="instant",
        prepare=lambda d, _p: None if d.end_at is None else _Claim.ended,
    ),
    ClaimRule(
        "CLM-8",
        ReasonCode.CONDITION_NOT_MET,
        reads="claimant",
        prepare=lambda d, _p: None if d.claim_condition is None else _Claim.condition_reason,
    ),
    ClaimRule(  # Q10
        "CLM-9",
        ReasonCode.ALREADY_CLAIMED,
        reads="claimant",
        holdings=True,
        prepare=lambda d, _p: None if d.is_reclaimable else _Claim.already_claimed,
    ),
    ClaimRule(  # Q10, POL-2
        "CLM-10",
        ReasonCode.ACTIVE_CLAIM_EXISTS,
        reads="instant",
        holdings=True,
        prepare=lambda d, p: (
            _Claim.active_claim if d.is_reclaimable and p.reclaim_requires_inactive else None
        ),
    ),
    ClaimRule(  # CLM-16, Q11
        "CLM-11",
        ReasonCode.CLAIM_TIMEFRAME_LIMIT,
        reads="instant",
        holdings=True,
        prepare=lambda d, _p: None if d.claim_timeframe is None else _Claim.timeframe,
    ),
    ClaimRule(
        "CLM-12",
        ReasonCode.GLOBAL_REDEMPTIONS_EXHAUSTED,
        reads="definition",
        prepare=_global_exhausted,
    ),
    ClaimRule(
        "CLM-13",
        ReasonCode.ALLOCATIONS_EXHAUSTED,
        reads="definition",
        prepare=_allocations_exhausted,
    ),
    ClaimRule(  # Q13, POL-3
        "CLM-14",
        ReasonCode.CAMPAIGN_ALREADY_CLAIMED,
        reads="instant",
        holdings=True,
        prepare=lambda d, p: _Claim.campaign if p.one_claim_per_campaign and d.campaign else None,
    ),
)
"""The CLM table, in its order: :func:`check_claim` runs these rows and lists each failure in
this order (``reasons``); the analysis frame's reason columns follow it too."""

_Plan = tuple[tuple[_Reads, Any], ...]


class DefinitionPlan:
    """What the claim check needs of one definition under one policy, decided once.

    ``rows`` are the rows of :data:`CLAIM_RULES` that can fail, each as (``reads``, what its
    ``prepare`` gave). The rest serves a claim with no holdings (the common request), which
    skips the ``holdings`` rows: the definition-only reasons before and after the others
    (``head``: CLM-1 to CLM-4, ``tail``: CLM-12 and CLM-13), the bounds of CLM-5 to CLM-7 (and,
    in ``bounds``, each set one with its rule function), the claim condition (CLM-8), and the
    shared allowed :class:`~loyalty_core.Decision` (its ``retry_at`` is the first instant past
    the window's end or ``end_at``, whatever the instant allowed: TIME-9).
    """

    __slots__ = (
        "allowed",
        "bounds",
        "condition",
        "end",
        "end_at",
        "head",
        "policy",
        "rows",
        "start",
        "tail",
    )

    def __init__(self, definition: BenefitDefinition, policy: Policy) -> None:
        """Prepare every row of :data:`CLAIM_RULES` for ``definition`` under ``policy``."""
        self.policy = policy
        prepared = [(rule, rule.prepare(definition, policy)) for rule in CLAIM_RULES]
        self.rows: _Plan = tuple((rule.reads, step) for rule, step in prepared if step is not None)
        # A definition row's answer is a Reason; those before the first other row come first.
        first_bound = next(i for i, rule in enumerate(CLAIM_RULES) if rule.reads != "definition")
        static = [
            (index, step)
            for index, (rule, step) in enumerate(prepared)
            if rule.reads == "definition" and isinstance(step, Reason)
        ]
        self.head = tuple(step for index, step in static if index < first_bound)
        self.tail = tuple(step for index, step in static if index > first_bound)
        self.start = definition.claim_period_start_at
        self.end = definition.claim_period_end_at
        self.end_at = definition.end_at
        condition = definition.claim_condition
        self.condition: Callable[[object], object] | None = (
            None if condition is None else condition.compiled
        )
        self.bounds: tuple[tuple[Callable[[datetime, datetime], Reason | None], datetime], ...]
        self.bounds = tuple(
            (check, bound)
            for check, bound in (
                (_not_open, self.start),
                (_closed, self.end),
                (_ended, self.end_at),
            )
            if bound is not None
        )
        ends = [after(bound) for bound in (self.end, self.end_at) if bound is not None]
        self.allowed = Decision.trusted((), min(ends, default=None))


def definition_plan(definition: BenefitDefinition, policy: Policy) -> DefinitionPlan:
    """The claim check's :class:`DefinitionPlan` of ``definition`` under ``policy``.

    Kept on the definition itself, in a derived slot that is not a field (``DerivedValue``),
    for the last policy it was checked under or one equal to it: a service that holds its
    definitions decides their definition-only rules once, and the plan lives and dies with
    the definition. Safe under threads: two threads may both build it, with equal results.
    """
    plan: DefinitionPlan | None = getattr(definition, "_derived", None)
    if plan is None or (plan.policy is not policy and plan.policy != policy):
        plan = DefinitionPlan(definition, policy)
        object.__setattr__(definition, "_derived", plan)
    return plan


def prepare_claim(  # noqa: PLR0913, PLR0917 - check_claim's arguments, validated once
    definition: object,
    profile: object,
    at: object,
    timezone: object,
    holdings: Iterable[object],
    policy: object,
) -> tuple[_Claim, datetime]:
    """Validate check_claim's arguments (TIME-2, TIME-3) and gather the claim's holdings."""
    if type(definition) is not BenefitDefinition and not isinstance(definition, BenefitDefinition):
        raise InvalidRequest(
            Problem("definition", f"expected a BenefitDefinition, got {show(definition)}")
        )
    if not isinstance(profile, Profile):
        raise InvalidRequest(Problem("profile", f"expected a Profile, got {show(profile)}"))
    if not isinstance(policy, Policy):
        raise InvalidRequest(Problem("policy", f"expected a Policy, got {show(policy)}"))
    now = clock.as_instant(at, name="at")
    tz = clock.zone(timezone)  # type: ignore[arg-type]
    # No holdings (the default) is the common case: nothing to check.
    held = (
        holdings
        if type(holdings) is tuple and not holdings
        else check_values(holdings, "holdings", Benefit, "Benefit")
    )
    return _Claim(definition, profile, tz, held, policy), now


def decide_claim(claim: _Claim, now: datetime) -> Decision:
    """Run the CLM table at ``now``; ``retry_at`` is computed lazily (TIME-9)."""
    found, static = claim.evaluate(now)
    reasons = tuple(found)
    if static:
        # A failure that no instant can cure: retry_at is None (TIME-9).
        return Decision.trusted(reasons, None)
    allowed = not reasons
    return Decision.trusted(
        reasons, lambda: first_change(now, allowed, claim.candidates(), claim.allowed_at)
    )


def check_claim(  # noqa: PLR0913 - the signature is fixed by the public API
    definition: BenefitDefinition,
    profile: Profile,
    *,
    at: datetime,
    timezone: str | ZoneInfo,
    holdings: Iterable[Benefit] = (),
    policy: Policy = DEFAULT_POLICY,
) -> Decision:
    """Decide whether ``profile`` may claim ``definition`` at ``at`` (CLM-1 to CLM-16).

    Every rule runs; the decision lists each failure in the order of the CLM table, and its
    ``retry_at`` is the earliest later instant at which the answer changes (TIME-9).
    ``timezone`` is the zone the new benefit would have; ``holdings`` are the profile's existing
    benefits. A naive ``at`` or an unknown ``timezone`` raises :class:`InvalidRequest`.

    >>> from datetime import UTC, datetime
    >>> from loyalty_core import BenefitDefinition, Profile
    >>> d = BenefitDefinition(is_claimable=True, is_published=True, is_assignable=True,
    ...                       claim_period_start_at=datetime(2021, 1, 1, tzinfo=UTC))
    >>> decision = check_claim(d, Profile(id="p-1"), at=datetime(2020, 12, 31, tzinfo=UTC),
    ...                        timezone="UTC")
    >>> [r.code.value for r in decision.reasons], str(decision.retry_at)
    (['claim_window_not_open'], '2021-01-01 00:00:00+00:00')
    """
    # The common request, decided without building a claim: a BenefitDefinition, a Profile, a
    # UTC instant in range, a zone seen before, no holdings and a Policy. Anything else takes
    # the general path below, which checks every argument and runs every row.
    if (
        type(definition) is BenefitDefinition
        and type(profile) is Profile
        and type(at) is datetime
        and at.tzinfo is UTC
        and type(holdings) is tuple
        and not holdings
        and type(policy) is Policy
        and type(timezone) is str
        and timezone in clock.KNOWN_ZONES
        and clock.EARLIEST <= at <= clock.LATEST
    ):
        plan: DefinitionPlan | None = getattr(definition, "_derived", None)
        if plan is None or plan.policy is not policy:
            plan = definition_plan(definition, policy)
        start, end, end_at, condition = plan.start, plan.end, plan.end_at, plan.condition
        if (
            not plan.head
            and not plan.tail
            and (start is None or at >= start)  # CLM-5
            and (end is None or at <= end)  # CLM-6
            and (end_at is None or at <= end_at)  # CLM-7
            and (condition is None or truthy(condition(profile.condition_data())))  # CLM-8
        ):
            return plan.allowed
        return _refused_without_holdings(plan, definition, profile, at, timezone)
    claim, now = prepare_claim(definition, profile, at, timezone, holdings, policy)
    return decide_claim(claim, now)


def _refused_without_holdings(
    plan: DefinitionPlan, definition: BenefitDefinition, profile: Profile, at: datetime, zone: str
) -> Decision:
    """The CLM rows of a claim with no holdings, in the table's order, when one may fail."""
    # The same rule functions as the table's rows (CLM-5 to CLM-8), in the table's order.
    found = list(plan.head)
    for check, bound in plan.bounds:
        if (reason := check(bound, at)) is not None:
            found.append(reason)
    static = bool(plan.head or plan.tail)
    condition = definition.claim_condition
    if condition is not None and (reason := _condition_fails(condition, profile)) is not None:
        found.append(reason)
        static = True  # no instant changes the profile
    found.extend(plan.tail)
    if static:
        return Decision.trusted(tuple(found), None)
    if not found:
        return plan.allowed

    def retry() -> datetime | None:
        claim = _Claim(definition, profile, clock.KNOWN_ZONES[zone], (), plan.policy)
        return first_change(at, False, claim.candidates(), claim.allowed_at)  # noqa: FBT003

    return Decision.trusted(tuple(found), retry)


def new_benefit(  # noqa: PLR0913 - every field the new instance takes from the claim
    definition: BenefitDefinition,
    profile: Profile,
    *,
    at: datetime,
    tz: tzinfo,
    external_id: str | None,
    meta: Any = None,
) -> Benefit:
    """Build the benefit an allowed claim creates, with the definition's counters advanced.

    CLM-17: issued and claimed at ``at`` in the claim's zone, expiry per EXP-3 to EXP-7,
    ``redemptions_remaining = max_redemptions``. CLM-18: ``total_global_created`` + 1, and with
    ``force_allocation`` one allocation consumed.
    """
    changes: dict[str, Any] = {"total_global_created": definition.total_global_created + 1}
    if definition.force_allocation and definition.total_allocations_remaining is not None:
        changes["total_allocations_remaining"] = definition.total_allocations_remaining - 1
    advanced = attrs.evolve(definition, **changes)
    key = getattr(tz, "key", "UTC")
    return Benefit(
        profile_id=profile.id,
        external_id=external_id,
        timezone=key,
        issued_at=at,
        claimed_at=at,
        expires_at=compute_expiry(
            at,
            timezone=key,
            period=definition.period,
            period_type=definition.period_type,
            absolute_expiry=definition.absolute_expiry,
            end_at=definition.end_at,
        ),
        extended_at=None,
        redemptions_remaining=definition.max_redemptions,
        meta=meta,
        definition=advanced,
    )


def claim_benefit(  # noqa: PLR0913 - the signature is fixed by the public API
    definition: BenefitDefinition,
    profile: Profile,
    *,
    at: datetime,
    timezone: str | ZoneInfo,
    holdings: Iterable[Benefit] = (),
    policy: Policy = DEFAULT_POLICY,
    external_id: str | None = None,
    meta: list[Any] | tuple[Any, ...] | None = None,
) -> ClaimResult:
    """Claim ``definition`` for ``profile`` at ``at``: the decision, the new benefit, the counters.

    When :func:`check_claim` allows it, the result holds the new :class:`Benefit` (CLM-17) and
    the definition with ``total_global_created`` (and allocations) advanced (CLM-18). When it
    refuses, ``benefit`` is ``None`` and ``definition`` is the one given. ``external_id`` (a
    string) and ``meta`` (a JSON array, e.g. the Claim Benefit body's ``meta``) are stored on
    the new benefit as given; bad ones raise :class:`InvalidRequest` whatever the decision.

    >>> from datetime import UTC, datetime
    >>> from loyalty_core import Profile
    >>> coffee = BenefitDefinition(is_claimable=True, is_published=True, is_assignable=True)
    >>> result = claim_benefit(coffee, Profile(id="p-1"),
    ...                        at=datetime(2026, 3, 1, tzinfo=UTC), timezone="UTC",
    ...                        external_id="order-77", meta=["app", "spring"])
    >>> result.benefit.external_id, result.benefit.meta
    ('order-77', ('app', 'spring'))
    """
    claim, now = prepare_claim(definition, profile, at, timezone, holdings, policy)
    # CLM-17: what the claim stores on the new benefit, checked before deciding.
    extras = check_arguments((("external_id", TEXT, external_id), ("meta", JSON_ARRAY, meta)))
    decision = decide_claim(claim, now)
    if not decision.allowed:
        return ClaimResult(decision=decision, benefit=None, definition=definition)
    benefit = new_benefit(definition, profile, at=now, tz=claim.tz, **extras)
    return ClaimResult(decision=decision, benefit=benefit, definition=benefit.definition)


def is_visible(
    definition: BenefitDefinition,
    profile: Profile,
    *,
    at: datetime,
    policy: Policy = DEFAULT_POLICY,
) -> bool:
    """Tell whether ``profile`` may see ``definition`` (VIS-1 to VIS-3, Q12).

    Published, not archived, and both ``view_condition`` and ``visibility_condition`` hold
    when set. Never looks at the claim condition, window or holdings (VIS-2).
    """
    del policy  # no visibility rule reads a switch yet
    if not (  # the common request: these types and a UTC instant in range (VIS-3)
        type(definition) is BenefitDefinition
        and type(profile) is Profile
        and type(at) is datetime
        and at.tzinfo is UTC
        and clock.EARLIEST <= at <= clock.LATEST
    ):
        _check_visibility_arguments(definition, profile, at)
    if not definition.is_published or definition.is_archived:
        return False
    view, visibility = definition.view_condition, definition.visibility_condition
    if view is None and visibility is None:
        return True
    context = profile.condition_data()
    return (view is None or truthy(view.compiled(context))) and (
        visibility is None or truthy(visibility.compiled(context))
    )


def _check_visibility_arguments(definition: object, profile: object, at: object) -> None:
    clock.as_instant(at, name="at")  # VIS-3: at must be aware; no rule reads it yet
    if not isinstance(definition, BenefitDefinition):
        msg = f"expected a BenefitDefinition, got {show(definition)}"
        raise InvalidRequest(Problem("definition", msg))
    if not isinstance(profile, Profile):
        raise InvalidRequest(Problem("profile", f"expected a Profile, got {show(profile)}"))
