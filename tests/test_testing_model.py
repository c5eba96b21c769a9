"""The reference model and the stateful machine of loyalty_core.testing.model.

The machine against the shipped adapter runs in ``test_testing_service.py``, and against the
broken adapters it must catch in ``test_broken_adapters.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

import loyalty_core as lc
from loyalty_core.testing.model import (
    DivergenceError,
    Member,
    Model,
    Snapshot,
    observe,
)
from tests.helpers import definition

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


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

    def test_redeem_of_another_members_benefit_is_not_owned(self) -> None:
        # RED-15: the request's profile is p-2, the benefit is p-1's.
        m, _ = model().claim("coffee", "p-1", "UTC")
        after, outcome = m.redeem("p-2", 0, owner="p-1")
        assert outcome.decision is not None
        assert outcome.decision.codes == {lc.ReasonCode.NOT_OWNED}
        assert after.member("p-1").benefits == m.member("p-1").benefits
        after, outcome = m.redeem("p-1", 0, owner="p-1")
        assert outcome.accepted
        assert after.member("p-1").benefits[0].redemptions_remaining == 1

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
