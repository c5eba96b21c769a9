"""Property tests of the CLM and RED rules: counters across members, atomicity, retry_at."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    Decision,
    InvalidRequest,
    Policy,
    Profile,
    check_claim,
    check_redemption,
    claim_and_redeem,
    claim_benefit,
    redeem_benefit,
    return_redemption,
)
from tests.helpers import budget, codes
from tests.properties.strategies import (
    benefit_definitions,
    benefits,
    near,
    optional,
    profiles,
    timeframe_values,
    transition_instants,
    utc_instants,
    within_1901_2199,
    zones,
)

US: Final = timedelta(microseconds=1)
DAY_US: Final = 86_400 * 10**6
CHANNELS: Final = ("api", "staff", "customer")
SETTINGS: Final = settings(max_examples=budget(150), suppress_health_check=[HealthCheck.too_slow])


def later(at: datetime) -> st.SearchStrategy[datetime]:
    """Instants strictly after ``at``, from 1 µs to about a year and a half later."""
    small = st.sampled_from([1, 2, 10**6, 3600 * 10**6, DAY_US, 7 * DAY_US, 31 * DAY_US])
    anywhere = st.integers(1, 550 * DAY_US)
    return st.one_of(small, anywhere).map(lambda us: at + timedelta(microseconds=us))


TIMEFRAMES: Final = timeframe_values()
CONDITIONS: Final[st.SearchStrategy[Any]] = st.sampled_from(
    [None, {"==": [{"var": "tier_handle"}, "gold"]}]
)
MOSTLY_TRUE: Final = st.sampled_from([True, True, True, False])
# Built once (per zone), not in every draw: a zone's transitions are scanned when its strategy
# is built.
ZONES: Final = zones()


@functools.cache
def bases(zone: str) -> st.SearchStrategy[datetime]:
    """Instants near the zone's transitions, 1901–2199 (``transition_instants``)."""
    return transition_instants(zone).filter(within_1901_2199)


@dataclass
class ClaimScenario:
    definition: BenefitDefinition
    profile: Profile
    holdings: list[Benefit]
    zone: str
    at: datetime
    policy: Policy

    def check(self, at: datetime) -> Decision:
        return check_claim(
            self.definition,
            self.profile,
            at=at,
            timezone=self.zone,
            holdings=self.holdings,
            policy=self.policy,
        )

    def candidates(self) -> list[datetime]:
        """The TIME-9 candidates a test can list without the calendar (± 1 µs each)."""
        d = self.definition
        found = [d.claim_period_start_at]
        found += [None if b is None else b + US for b in (d.claim_period_end_at, d.end_at)]
        for h in self.holdings:
            found.append(h.claimed_at)  # inside a refusing calendar window (CLM-16)
            found.append(h.issued_at)
            found.append(None if h.expires_at is None else h.expires_at + US)
        return [c + k * US for c in found if c is not None for k in (-1, 0, 1)]


@st.composite
def claim_scenarios(draw: st.DrawFn, *, future_claims: bool = False) -> ClaimScenario:
    """A definition, a profile and holdings whose instants all lie near one instant of a zone.

    Holdings were claimed no later than ``at`` (a claim cannot come from the future), unless
    ``future_claims``: an analysis asks about several instants with the holdings of today.
    """
    zone = draw(ZONES)
    base = draw(bases(zone))
    at = draw(near(base))
    start, end = draw(optional(near(base))), draw(optional(near(base)))
    if start is not None and end is not None and start > end:
        start, end = end, start
    cap = draw(optional(st.integers(0, 4)))
    definition = BenefitDefinition(
        id=1,
        handle="d-1",
        campaign=draw(st.sampled_from([None, "", "spring"])),
        period=draw(st.sampled_from([None, 0, 1, 30])),
        is_claimable=draw(MOSTLY_TRUE),
        is_archived=not draw(MOSTLY_TRUE),
        is_published=draw(MOSTLY_TRUE),
        is_assignable=draw(MOSTLY_TRUE),
        is_reclaimable=draw(st.booleans()),
        claim_period_start_at=start,
        claim_period_end_at=end,
        end_at=draw(optional(near(base))),
        claim_condition=draw(CONDITIONS),
        claim_timeframe=draw(TIMEFRAMES),
        max_redemptions=draw(optional(st.integers(0, 3))),
        max_global_redemptions=cap,
        total_global_redemptions=draw(st.integers(0, 5)),
        force_allocation=not draw(MOSTLY_TRUE),
        total_allocations_remaining=draw(optional(st.integers(0, 2))),
    )
    other = BenefitDefinition(id=2, handle="d-2", campaign="spring")
    holdings = []
    for index in range(draw(st.integers(0, 3))):
        claimed = draw(
            optional(near(base) if future_claims else near(base).map(lambda c: min(c, at)))
        )
        holdings.append(
            Benefit(
                id=index,
                profile_id=draw(st.sampled_from(["p-1", "p-2", None])),
                claimed_at=claimed,
                issued_at=draw(st.one_of(st.just(claimed), optional(near(base)))),
                expires_at=draw(optional(near(base))),
                redemptions_remaining=draw(optional(st.integers(0, 2))),
                definition=draw(st.sampled_from([definition, other])),
            )
        )
    policy = Policy(
        reclaim_requires_inactive=draw(MOSTLY_TRUE),
        one_claim_per_campaign=draw(st.booleans()),
        claims_require_assignable=draw(MOSTLY_TRUE),
    )
    profile = Profile(id="p-1", context={"tier_handle": draw(st.sampled_from(["gold", "silver"]))})
    return ClaimScenario(definition, profile, holdings, zone, at, policy)


# --- TIME-9 ---------------------------------------------------------------------------------------


@SETTINGS
@given(scenario=claim_scenarios(), data=st.data())
def test_claim_retry_at(scenario: ClaimScenario, data: st.DataObject) -> None:
    """TIME-9: retry_at changes `allowed`; nothing between `at` and retry_at does."""
    at = scenario.at
    decision = scenario.check(at)
    retry = decision.retry_at
    if retry is not None:
        assert retry > at
        assert retry.tzinfo is UTC
        assert scenario.check(retry).allowed != decision.allowed
        assert scenario.check(retry - US).allowed == decision.allowed
    probes = data.draw(st.lists(later(at), max_size=4))
    probes += [c for c in scenario.candidates() if c > at]
    for t in probes:
        if retry is None or t < retry:
            assert scenario.check(t).allowed == decision.allowed, t


@st.composite
def timeframe_scenarios(draw: st.DrawFn) -> ClaimScenario:
    """Only CLM-11 can refuse: a reclaimable definition with a claim timeframe and no window.

    Holdings are claimed before or after ``at``: an analysis asks about several instants with
    the holdings of today.
    """
    zone = draw(ZONES)
    base = draw(bases(zone))
    definition = BenefitDefinition(
        id=1,
        handle="d-1",
        is_claimable=True,
        is_published=True,
        is_assignable=True,
        is_reclaimable=True,
        claim_timeframe=draw(TIMEFRAMES.filter(lambda t: t is not None)),
    )
    holdings = [
        Benefit(id=index, profile_id="p-1", claimed_at=claimed, definition=definition)
        for index, claimed in enumerate(draw(st.lists(near(base), min_size=1, max_size=3)))
    ]
    policy = Policy(reclaim_requires_inactive=False)
    return ClaimScenario(definition, Profile(id="p-1"), holdings, zone, draw(near(base)), policy)


@SETTINGS
@given(scenario=timeframe_scenarios(), data=st.data())
def test_claim_timeframe_retry_at(scenario: ClaimScenario, data: st.DataObject) -> None:
    """TIME-9 (CLM-16): retry_at finds where a claim timeframe starts or stops refusing.

    A calendar window holding a claim made after `at` refuses from the window's local start,
    not from the claim.
    """
    test_claim_retry_at.hypothesis.inner_test(scenario, data)  # type: ignore[attr-defined]


@SETTINGS
@given(scenario=claim_scenarios(future_claims=True), data=st.data())
def test_claim_retry_at_with_later_claims(scenario: ClaimScenario, data: st.DataObject) -> None:
    """TIME-9 with every rule of the CLM table and holdings claimed before or after `at`."""
    test_claim_retry_at.hypothesis.inner_test(scenario, data)  # type: ignore[attr-defined]


@st.composite
def timed_benefits(draw: st.DrawFn) -> tuple[Benefit, datetime]:
    base = draw(utc_instants().filter(within_1901_2199))
    cap = draw(optional(st.integers(0, 4)))
    definition = BenefitDefinition(
        max_redemptions=draw(optional(st.integers(0, 3))),
        max_global_redemptions=cap,
        total_global_redemptions=draw(st.integers(0, 5)),
        is_archived=not draw(MOSTLY_TRUE),
        allow_user_redeem=draw(MOSTLY_TRUE),
    )
    benefit = Benefit(
        issued_at=draw(optional(near(base))),
        expires_at=draw(optional(near(base))),
        redemptions_remaining=draw(optional(st.integers(0, 3))),
        definition=definition,
    )
    return benefit, draw(near(base))


@SETTINGS
@given(
    case=timed_benefits(),
    count=st.integers(1, 4),
    channel=st.sampled_from(CHANNELS),
    data=st.data(),
)
def test_redemption_retry_at(
    case: tuple[Benefit, datetime], count: int, channel: str, data: st.DataObject
) -> None:
    """TIME-9 for check_redemption: candidates issued_at and expires_at + 1 µs."""
    benefit, at = case

    def allowed(t: datetime) -> bool:
        return check_redemption(benefit, at=t, count=count, channel=channel).allowed  # type: ignore[arg-type]

    decision = check_redemption(benefit, at=at, count=count, channel=channel)  # type: ignore[arg-type]
    retry = decision.retry_at
    if retry is not None:
        assert retry > at
        assert allowed(retry) != decision.allowed
        assert allowed(retry - US) == decision.allowed
    probes = data.draw(st.lists(later(at), max_size=4))
    for bound in (benefit.issued_at, benefit.expires_at):
        if bound is not None:
            probes += [bound - US, bound, bound + US]
    for t in probes:
        if t > at and (retry is None or t < retry):
            assert allowed(t) == decision.allowed, t


# --- CLM-6 monotonicity ---------------------------------------------------------------------------


@SETTINGS
@given(scenario=claim_scenarios(), data=st.data())
def test_window_closed_never_reopens(scenario: ClaimScenario, data: st.DataObject) -> None:
    """CLM-6: moving `at` later never turns a claim_window_closed refusal into an allowance."""
    decision = scenario.check(scenario.at)
    if "claim_window_closed" not in codes(decision):
        end = scenario.definition.claim_period_end_at
        assert end is None or scenario.at <= end
        return
    for t in data.draw(st.lists(later(scenario.at), min_size=1, max_size=4)):
        moved = scenario.check(t)
        assert not moved.allowed
        assert "claim_window_closed" in codes(moved)


# --- decisions are well formed --------------------------------------------------------------------


def well_formed(decision: Decision) -> None:
    found = codes(decision)
    assert len(found) == len(set(found))
    assert decision.allowed == (not decision.reasons)
    assert bool(decision) == decision.allowed
    for reason in decision.reasons:
        assert reason.message
        assert reason.message[0] == reason.message[0].lower()


@SETTINGS
@given(
    definition=benefit_definitions(),
    profile=profiles(),
    at=utc_instants(),
    zone=ZONES,
    policy=st.builds(Policy, one_claim_per_campaign=st.booleans()),
)
def test_any_claim_decision_is_well_formed(
    definition: BenefitDefinition, profile: Profile, at: datetime, zone: str, policy: Policy
) -> None:
    """Conventions: each code at most once; allowed iff reasons is empty (CLM-18 on refusal)."""
    well_formed(check_claim(definition, profile, at=at, timezone=zone, policy=policy))
    if definition.period is not None:
        # Keep the new benefit's expiry before year 9999 (compute_expiry refuses beyond it).
        definition = attrs.evolve(definition, period=min(definition.period, 1000))
    result = claim_benefit(definition, profile, at=at, timezone=zone, policy=policy)
    well_formed(result.decision)
    assert (result.benefit is not None) == result.decision.allowed
    if not result.decision.allowed:
        assert result.definition == definition


@SETTINGS
@given(scenario=claim_scenarios())
def test_scenario_claim_decision_is_well_formed(scenario: ClaimScenario) -> None:
    well_formed(scenario.check(scenario.at))


@SETTINGS
@given(
    benefit=benefits(),
    at=utc_instants(),
    count=st.integers(1, 5),
    channel=st.sampled_from(CHANNELS),
)
def test_any_redemption_decision_is_well_formed(
    benefit: Benefit, at: datetime, count: int, channel: str
) -> None:
    result = redeem_benefit(benefit, at=at, count=count, channel=channel)  # type: ignore[arg-type]
    well_formed(result.decision)
    if not result.decision.allowed:
        assert result.benefit == benefit


# --- redeem then return ---------------------------------------------------------------------------


@SETTINGS
@given(case=timed_benefits(), count=st.integers(1, 4), channel=st.sampled_from(CHANNELS))
def test_redeem_then_return_restores(
    case: tuple[Benefit, datetime], count: int, channel: str
) -> None:
    """RED-10/RED-12: returning what was just redeemed gives the benefit back unchanged."""
    benefit, at = case
    limit = benefit.definition.max_redemptions
    remaining = benefit.redemptions_remaining
    if limit is not None and remaining is not None and remaining > limit:
        benefit = attrs.evolve(benefit, redemptions_remaining=limit)
    result = redeem_benefit(benefit, at=at, count=count, channel=channel)  # type: ignore[arg-type]
    if not result.decision.allowed:
        assert result.benefit == benefit
        return
    assert return_redemption(result.benefit, count, at=at) == benefit


# --- sequences of operations across members -------------------------------------------------------


@dataclass
class World:
    """The latest definition and every member's holdings, threaded through each operation."""

    definition: BenefitDefinition
    held: dict[str, list[Benefit]] = field(default_factory=dict)

    def check_invariants(self) -> None:
        d = self.definition
        assert d.total_global_redemptions >= 0
        if d.max_global_redemptions is not None:
            assert d.total_global_redemptions <= d.max_global_redemptions
        if d.total_allocations_remaining is not None:
            assert d.total_allocations_remaining >= 0
        for benefits_of_member in self.held.values():
            for b in benefits_of_member:
                if b.redemptions_remaining is not None:
                    assert b.redemptions_remaining >= 0
                    limit = b.definition.max_redemptions
                    assert limit is not None
                    assert b.redemptions_remaining <= limit

    def claim(self, member: str, at: datetime, count: int | None, channel: str) -> None:
        """claim_benefit (count None) or claim_and_redeem; CLM-17, CLM-18, RED-13."""
        held = self.held.setdefault(member, [])
        latest = self.definition
        profile = Profile(id=member)
        if count is None:
            result = claim_benefit(latest, profile, at=at, timezone="UTC", holdings=held)
        else:
            result = claim_and_redeem(
                latest,
                profile,
                at=at,
                timezone="UTC",
                holdings=held,
                count=count,
                channel=channel,  # type: ignore[arg-type]
            )
        if not result.decision.allowed:
            assert result.benefit is None
            assert result.definition == latest
            return
        new = result.benefit
        assert new is not None
        assert new.definition == result.definition
        redeemed = count or 0
        assert result.definition.total_global_created == latest.total_global_created + 1
        assert (
            result.definition.total_global_redemptions == latest.total_global_redemptions + redeemed
        )
        allocations = latest.total_allocations_remaining
        if latest.force_allocation:
            assert allocations is not None
            allocations -= 1
        assert result.definition.total_allocations_remaining == allocations
        limit = latest.max_redemptions
        assert new.redemptions_remaining == (None if limit is None else limit - redeemed)
        held.append(new)
        self.definition = result.definition

    def redeem_or_return(
        self, kind: str, member: str, index: int, at: datetime, count: int, channel: str
    ) -> None:
        """redeem_benefit or return_redemption on one holding, with the latest definition."""
        held = self.held.setdefault(member, [])
        if not held:
            return
        latest = self.definition
        position = index % len(held)
        benefit = attrs.evolve(held[position], definition=latest)
        if kind == "redeem":
            outcome = redeem_benefit(benefit, at=at, count=count, channel=channel)  # type: ignore[arg-type]
            if not outcome.decision.allowed:
                assert outcome.benefit == benefit
                return
            after = outcome.benefit
            sign = -1
        else:
            limit = latest.max_redemptions
            remaining = benefit.redemptions_remaining
            redeemable = (
                latest.total_global_redemptions
                if limit is None or remaining is None
                else limit - remaining
            )
            if count > redeemable:
                try:
                    return_redemption(benefit, count, at=at)
                except InvalidRequest:
                    return
                raise AssertionError((count, redeemable))
            after = return_redemption(benefit, count, at=at)
            sign = 1
        before_left = benefit.redemptions_remaining
        assert after.redemptions_remaining == (
            None if before_left is None else before_left + sign * count
        )
        assert (
            after.definition.total_global_redemptions
            == latest.total_global_redemptions - sign * count
        )
        assert after.expires_at == benefit.expires_at
        held[position] = after
        self.definition = after.definition


SEQUENCE_TIMEFRAMES: Final[st.SearchStrategy[Any]] = st.sampled_from([None, "day", "2 days"])


@st.composite
def initial_definitions(draw: st.DrawFn) -> BenefitDefinition:
    cap = draw(optional(st.integers(0, 6)))
    used = draw(st.integers(0, cap if cap is not None else 6))
    return BenefitDefinition(
        id=1,
        handle="d-1",
        is_claimable=True,
        is_published=True,
        is_assignable=True,
        is_reclaimable=draw(st.booleans()),
        period=draw(st.sampled_from([None, 1, 30])),
        claim_timeframe=draw(SEQUENCE_TIMEFRAMES),
        allow_user_redeem=draw(st.booleans()),
        max_redemptions=draw(optional(st.integers(0, 3))),
        max_global_redemptions=cap,
        total_global_redemptions=used,
        force_allocation=draw(st.booleans()),
        total_allocations_remaining=draw(optional(st.integers(0, 4))),
    )


OPERATIONS: Final = st.tuples(
    st.sampled_from(["claim", "redeem", "return", "claim_and_redeem"]),
    st.sampled_from(["p-1", "p-2", "p-3"]),
    st.integers(0, 3),  # which holding
    st.integers(1, 3),  # count
    st.sampled_from(CHANNELS),
    st.integers(0, 3 * DAY_US),  # time step
)


@settings(max_examples=budget(150), suppress_health_check=[HealthCheck.too_slow])
@given(definition=initial_definitions(), operations=st.lists(OPERATIONS, max_size=25))
def test_sequences_across_members(
    definition: BenefitDefinition, operations: list[tuple[str, str, int, int, str, int]]
) -> None:
    """CLM-18/RED-10: the global cap holds across members when the definition is threaded.

    Nothing goes negative, a refused operation changes nothing, and every counter moves by
    exactly what the operation says.
    """
    world = World(definition)
    at = datetime(2025, 1, 1, tzinfo=UTC)
    for kind, member, index, count, channel, step in operations:
        at += timedelta(microseconds=step)
        if kind == "claim":
            world.claim(member, at, None, channel)
        elif kind == "claim_and_redeem":
            world.claim(member, at, count, channel)
        else:
            world.redeem_or_return(kind, member, index, at, count, channel)
        world.check_invariants()
