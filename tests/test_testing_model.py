"""The reference model and the stateful machine of loyalty_core.testing.model (issue 6)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

import loyalty_core as lc
from loyalty_core.testing.model import (
    COMPARED,
    Adapter,
    Channel,
    DivergenceError,
    ItemRef,
    Kind,
    LoyaltyStateMachine,
    Member,
    Model,
    Snapshot,
    observe,
)
from tests.helpers import budget, definition

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


# --- an in-memory service built on the public API, as a real service would be --------------------


class InMemoryService:
    """A toy loyalty service: its own storage, its own ids, loyalty_core for every rule."""

    def __init__(self, start: Model) -> None:
        self.at = start.at
        self.policy = start.policy
        self.definitions: dict[str, lc.BenefitDefinition] = {
            d.handle or "": d for d in start.definitions
        }
        self.profiles = {m.profile_id: m.profile for m in start.members}
        self.benefits: dict[str, list[lc.Benefit]] = {
            m.profile_id: list(m.benefits) for m in start.members
        }
        self.rewards = {m.profile_id: list(m.rewards) for m in start.members}
        self.credits = {m.profile_id: list(m.credits) for m in start.members}
        self.next_id = 500  # the service's ids need not match the model's

    # Storage keeps each benefit's definition by handle; reads embed the latest one (RED-10).
    def current(self, benefit: lc.Benefit) -> lc.Benefit:
        latest = self.definitions[benefit.definition.handle or ""]
        return benefit if benefit.definition == latest else attrs.evolve(benefit, definition=latest)

    def save_benefit(self, profile_id: str, index: int, benefit: lc.Benefit) -> None:
        self.benefits[profile_id][index] = benefit
        self.definitions[benefit.definition.handle or ""] = benefit.definition

    def claim(self, handle: str, profile_id: str, timezone: str) -> Mapping[str, Any] | None:
        result = lc.claim_benefit(
            self.definitions[handle],
            self.profiles[profile_id],
            at=self.at,
            timezone=timezone,
            holdings=[self.current(b) for b in self.benefits[profile_id]],
            policy=self.policy,
        )
        if result.benefit is None:
            return None
        self.next_id += 1
        benefit = attrs.evolve(result.benefit, id=self.next_id)
        self.benefits[profile_id].append(benefit)
        self.definitions[handle] = result.definition
        return benefit.to_api()

    def redeem(
        self, profile_id: str, benefit_index: int, count: int, channel: Channel
    ) -> Mapping[str, Any] | None:
        benefit = self.current(self.benefits[profile_id][benefit_index])
        result = lc.redeem_benefit(
            benefit,
            at=self.at,
            count=count,
            channel=channel,
            profile_id=profile_id,
            policy=self.policy,
        )
        if not result.decision:
            return None
        self.save_benefit(profile_id, benefit_index, result.benefit)
        return result.benefit.to_api()

    def return_(self, profile_id: str, benefit_index: int, count: int) -> Mapping[str, Any] | None:
        benefit = self.current(self.benefits[profile_id][benefit_index])
        try:
            returned = lc.return_redemption(benefit, count, at=self.at)
        except lc.InvalidRequest:
            return None  # a 422 from a real service
        self.save_benefit(profile_id, benefit_index, returned)
        return returned.to_api()

    def store(self, kind: Kind) -> dict[str, list[Any]]:
        if kind == "benefit":
            return self.benefits
        if kind == "reward":
            return self.rewards
        return self.credits

    def extend(
        self,
        profile_id: str,
        kind: Kind,
        items: Sequence[ItemRef],
        extend_days: int | None,
        extend_date: str | None,
    ) -> Sequence[Mapping[str, Any]] | None:
        store = self.store(kind)
        found = [store[owner][index] for owner, index in items]
        if kind == "benefit":
            found = [self.current(b) for b in found]
        try:
            result = lc.extend(
                found,
                profile_id=profile_id,
                at=self.at,
                extend_days=extend_days,
                extend_date=extend_date,
                policy=self.policy,
            )
        except lc.InvalidRequest:
            return None
        extended = {item.id: item for item in result.extended}
        for owned in store.values():
            for index, item in enumerate(owned):
                if item.id in extended:
                    owned[index] = extended[item.id]
        return [item.to_api() for item in result.extended]

    def redeem_rewards(self, profile_id: str, amount: Decimal, *, strict: bool) -> Decimal | None:
        result = lc.redeem_rewards(self.rewards[profile_id], amount, at=self.at, strict=strict)
        if not result.decision:
            return None
        self.rewards[profile_id] = list(result.rewards)
        return result.redeemed

    def edit_credit(
        self, profile_id: str, credit_index: int, changes: Mapping[str, Any]
    ) -> Mapping[str, Any] | None:
        try:
            edited = lc.edit_credit(self.credits[profile_id][credit_index], changes)
        except lc.PayloadError:
            return None
        self.credits[profile_id][credit_index] = edited
        return edited.to_api()

    def advance(self, to: datetime) -> None:
        self.at = to

    def state(self) -> Snapshot:
        # Only the compared keys (COMPARED), with datetime values: cheaper than full to_api().
        def lean(part: str, item: Any) -> dict[str, Any]:
            return {key: getattr(item, key) for key in COMPARED[part]}

        return {
            "definitions": {h: lean("definitions", d) for h, d in self.definitions.items()},
            "members": {
                profile_id: {
                    "benefits": [lean("benefits", b) for b in self.benefits[profile_id]],
                    "rewards": [lean("rewards", r) for r in self.rewards[profile_id]],
                    "credits": [lean("credits", c) for c in self.credits[profile_id]],
                }
                for profile_id in self.profiles
            },
        }


class CapForgettingService(InMemoryService):
    """Broken: redeems without checking the global cap (it still advances the counter)."""

    def redeem(
        self, profile_id: str, benefit_index: int, count: int, channel: Channel
    ) -> Mapping[str, Any] | None:
        benefit = self.current(self.benefits[profile_id][benefit_index])
        cap = benefit.definition.max_global_redemptions
        uncapped = attrs.evolve(
            benefit, definition=attrs.evolve(benefit.definition, max_global_redemptions=None)
        )
        result = lc.redeem_benefit(uncapped, at=self.at, count=count, channel=channel)
        if not result.decision:
            return None
        redeemed = attrs.evolve(
            result.benefit,
            definition=attrs.evolve(result.benefit.definition, max_global_redemptions=cap),
        )
        self.save_benefit(profile_id, benefit_index, redeemed)
        return redeemed.to_api()


class StaleDefinitionService(InMemoryService):
    """Broken: redeems with the definition copied at claim time, not the latest (RED-10)."""

    def redeem(
        self, profile_id: str, benefit_index: int, count: int, channel: Channel
    ) -> Mapping[str, Any] | None:
        stale = self.benefits[profile_id][benefit_index]
        result = lc.redeem_benefit(stale, at=self.at, count=count, channel=channel)
        if not result.decision:
            return None
        self.save_benefit(profile_id, benefit_index, result.benefit)
        return result.benefit.to_api()


class InMemoryMachine(LoyaltyStateMachine):
    def make_adapter(self, start: Model) -> Adapter:
        return InMemoryService(start)


class CapForgettingMachine(LoyaltyStateMachine):
    def make_adapter(self, start: Model) -> Adapter:
        return CapForgettingService(start)


class StaleDefinitionMachine(LoyaltyStateMachine):
    def make_adapter(self, start: Model) -> Adapter:
        return StaleDefinitionService(start)


InMemoryMachine.TestCase.settings = settings(
    max_examples=budget(150),
    stateful_step_count=50,
    suppress_health_check=[HealthCheck.too_slow],
)
TestInMemoryService = InMemoryMachine.TestCase


def leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in leaves(inner)]
    return [error]


class TestTheMachineFindsBugs:
    """The machine catches a broken service within hypothesis's default search budget."""

    @pytest.mark.parametrize(
        "machine",
        [
            pytest.param(CapForgettingMachine, id="RED-9-cap-forgotten"),
            pytest.param(StaleDefinitionMachine, id="RED-10-stale-definition"),
        ],
    )
    def test_broken_service_fails(self, machine: type[LoyaltyStateMachine]) -> None:
        # The default search budget (100 examples of up to 50 steps). Not the example database,
        # so that each run searches afresh rather than replaying a saved failure, and not the
        # shrink phase, which only shortens the report (it takes 25-55 s more here).
        budget = settings(database=None, phases=[Phase.explicit, Phase.generate])
        started = time.perf_counter()
        with pytest.raises((DivergenceError, BaseExceptionGroup)) as caught:
            run_state_machine_as_test(machine, settings=budget)
        assert time.perf_counter() - started < 20
        found = leaves(caught.value)
        assert all(isinstance(error, DivergenceError) for error in found)
        assert any("global" in str(error) for error in found)


# --- the model's operations --------------------------------------------------------------------


def coffee(**fields: Any) -> lc.BenefitDefinition:
    """The model's one definition: 30 days, 2 redemptions each, 3 in all, extendable."""
    base: dict[str, Any] = {
        "handle": "coffee",
        "period": 30,
        "max_redemptions": 2,
        "max_global_redemptions": 3,
        "is_extendable": True,
    }
    return definition(**(base | fields))


def model(**fields: Any) -> Model:
    members = (
        Member(
            profile=lc.Profile(id="p-1"),
            rewards=(
                lc.Reward(
                    id=1, profile_id="p-1", value_initial=Decimal(10), expires_at=AT + timedelta(1)
                ),
                lc.Reward(id=2, profile_id="p-1", value_initial=Decimal(5)),
            ),
            credits=(
                lc.Credit(
                    id=7,
                    profile_id="p-1",
                    value_initial=Decimal(50),
                    timezone="UTC",
                    expires_at=AT + timedelta(days=30),
                    definition=lc.CreditDefinition(is_extendable=True),
                ),
            ),
        ),
        Member(profile=lc.Profile(id="p-2")),
    )
    return Model(at=AT, definitions=(coffee(**fields),), members=members)


class TestClaimAndRedeem:
    """CLM-18, RED-10: counters advance in the model and every holder sees them."""

    def test_claim_appends_a_benefit_and_counts_it(self) -> None:
        after, outcome = model().claim("coffee", "p-1", "UTC")
        assert outcome.accepted
        assert [b.id for b in after.member("p-1").benefits] == [1]
        assert after.definition("coffee").total_global_created == 1
        assert after.refusals == ()

    def test_redeem_advances_the_counter_seen_by_every_member(self) -> None:
        m, _ = model().claim("coffee", "p-1", "UTC")
        m, _ = m.claim("coffee", "p-2", "UTC")
        m, outcome = m.redeem("p-1", 0, count=2)
        assert outcome.accepted
        assert m.member("p-1").benefits[0].redemptions_remaining == 0
        assert m.definition("coffee").total_global_redemptions == 2
        assert m.member("p-2").benefits[0].definition.total_global_redemptions == 2
        assert m.member("p-2").benefits[0].total_global_redemptions_remaining == 1

    def test_global_cap_holds_across_members(self) -> None:
        m, _ = model().claim("coffee", "p-1", "UTC")
        m, _ = m.claim("coffee", "p-2", "UTC")
        m, _ = m.redeem("p-1", 0, count=2)
        m, outcome = m.redeem("p-2", 0, count=2)
        assert outcome.decision is not None
        assert {lc.ReasonCode.GLOBAL_LIMIT_EXCEEDED} == outcome.decision.codes
        assert m.refusals == (("redeem", outcome.decision),)

    def test_return_gives_back_to_instance_and_definition(self) -> None:
        m, _ = model().claim("coffee", "p-1", "UTC")
        m, _ = m.redeem("p-1", 0, count=2)
        m, outcome = m.return_("p-1", 0, count=1)
        assert outcome.accepted
        assert m.member("p-1").benefits[0].redemptions_remaining == 1
        assert m.definition("coffee").total_global_redemptions == 1

    def test_claim_and_redemption_are_immutable_steps(self) -> None:
        start = model()
        after, _ = start.claim("coffee", "p-1", "UTC")
        assert start.member("p-1").benefits == ()
        assert after != start


class TestRefusalsChangeNothing:
    """A refused operation or bad input leaves the state unchanged; refusals are logged."""

    def test_refused_claim(self) -> None:
        start = model(is_claimable=False)
        after, outcome = start.claim("coffee", "p-1", "UTC")
        assert not outcome.accepted
        assert after.snapshot() == start.snapshot()
        assert [op for op, _ in after.refusals] == ["claim"]

    def test_expired_benefit_is_not_redeemable(self) -> None:
        m, _ = model(period=1).claim("coffee", "p-1", "UTC")
        m, _ = m.advance(AT + timedelta(days=3))
        after, outcome = m.redeem("p-1", 0)
        assert outcome.decision is not None
        assert lc.ReasonCode.EXPIRED in outcome.decision.codes
        assert after.snapshot() == m.snapshot()

    @pytest.mark.parametrize(
        "operation",
        [
            pytest.param(lambda m: m.redeem("p-1", 0, count=0), id="RED-2-count-0"),
            pytest.param(lambda m: m.return_("p-1", 0, count=3), id="RED-12-over-return"),
            pytest.param(lambda m: m.redeem("p-9", 0), id="unknown-profile"),
            pytest.param(lambda m: m.redeem("p-1", 5), id="unknown-benefit"),
            pytest.param(lambda m: m.claim("tea", "p-1", "UTC"), id="unknown-handle"),
            pytest.param(lambda m: m.claim("coffee", "p-1", "Mars/Base"), id="unknown-zone"),
            pytest.param(lambda m: m.extend("p-1", "reward", [99], extend_days=1), id="bad-id"),
            pytest.param(lambda m: m.extend("p-1", "reward", [1], extend_days=0), id="EXT-1"),
            pytest.param(lambda m: m.redeem_rewards("p-1", "0"), id="RWD-4"),
            pytest.param(lambda m: m.edit_credit("p-1", 0, {"value_initial": 1}), id="CRD-16"),
            pytest.param(lambda m: m.advance(AT - timedelta(1)), id="back-in-time"),
        ],
    )
    def test_bad_input(self, operation: Any) -> None:
        start, _ = model().claim("coffee", "p-1", "UTC")
        after, outcome = operation(start)
        assert outcome.error is not None
        assert outcome.decision is None
        assert not outcome.accepted
        assert after.snapshot() == start.snapshot()
        assert after.refusals == start.refusals


class TestOtherOperations:
    """EXT, RWD and CRD operations through the model."""

    def test_extend_once_then_skipped(self) -> None:
        m, outcome = model().extend("p-1", "credit", [7], extend_days=10)
        assert outcome.accepted
        assert outcome.skipped == ()
        credit = m.member("p-1").credits[0]
        assert credit.extended_at == AT
        m, outcome = m.extend("p-1", "credit", [7], extend_days=10)
        assert outcome.items == ()
        assert [d.codes for _, d in outcome.skipped] == [
            frozenset({lc.ReasonCode.ALREADY_EXTENDED})
        ]
        assert [op for op, _ in m.refusals] == ["extend"]

    def test_extend_other_members_item_is_not_owned(self) -> None:
        m, _ = model().claim("coffee", "p-1", "UTC")
        m, outcome = m.extend("p-2", "benefit", [1], extend_days=5)
        assert [d.codes for _, d in outcome.skipped] == [frozenset({lc.ReasonCode.NOT_OWNED})]
        assert m.member("p-1").benefits[0].extended_at is None

    def test_redeem_rewards_nearest_expiry_first(self) -> None:
        m, outcome = model().redeem_rewards("p-1", Decimal(12))
        assert outcome.redeemed == Decimal(12)
        assert [r.value_remaining for r in m.member("p-1").rewards] == [0, 3]

    def test_strict_rewards_refusal_changes_nothing(self) -> None:
        start = model()
        after, outcome = start.redeem_rewards("p-1", Decimal(20), strict=True)
        assert not outcome.accepted
        assert after.snapshot() == start.snapshot()
        assert [op for op, _ in after.refusals] == ["redeem_rewards"]

    def test_edit_credit(self) -> None:
        m, outcome = model().edit_credit("p-1", 0, {"value_remaining": "12.50", "locked": True})
        assert outcome.accepted
        assert m.member("p-1").credits[0].value_remaining == Decimal("12.50")

    def test_advance(self) -> None:
        m, outcome = model().advance(AT + timedelta(hours=1))
        assert outcome.accepted
        assert m.at == AT + timedelta(hours=1)


class TestObserve:
    """observe() reads the compared keys, whatever the instant and money spelling."""

    def test_spellings_compare_equal(self) -> None:
        m, _ = model().claim("coffee", "p-1", "UTC")
        snapshot = m.snapshot()
        benefit = dict(snapshot["members"]["p-1"]["benefits"][0])
        benefit["expires_at"] = "2026-03-31T23:59:59Z"
        credit = dict(snapshot["members"]["p-1"]["credits"][0])
        credit["value_remaining"] = 50
        respelt: Snapshot = {
            "definitions": snapshot["definitions"],
            "members": {
                **snapshot["members"],
                "p-1": {**snapshot["members"]["p-1"], "benefits": [benefit], "credits": [credit]},
            },
        }
        assert observe(respelt) == observe(snapshot)

    def test_missing_key(self) -> None:
        snapshot: Snapshot = {"definitions": {"coffee": {"total_global_created": 1}}, "members": {}}
        with pytest.raises(DivergenceError, match="total_global_redemptions"):
            observe(snapshot)
