import json
from datetime import datetime, timedelta
from typing import Any

import attrs
import numpy as np
import pytest

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    ClaimResult,
    InvalidRequest,
    PeriodType,
    Profile,
    RedemptionResult,
    check_redemption,
    claim_and_redeem,
    redeem_benefit,
    return_redemption,
)
from tests.helpers import codes, utc

US = timedelta(microseconds=1)
MELBOURNE = "Australia/Melbourne"


# --- RULES §6 example table -----------------------------------------------------------------------

RED_DEF = BenefitDefinition(
    max_redemptions=3,
    max_global_redemptions=100,
    total_global_redemptions=97,
    allow_user_redeem=False,
)
B = Benefit(
    id=5,
    profile_id="p-1",
    timezone=MELBOURNE,
    issued_at=utc("2026-01-10 00:00:00"),
    expires_at=utc("2026-06-30 13:59:59"),
    redemptions_remaining=2,
    definition=RED_DEF,
)
AT = utc("2026-03-01 00:00:00")


class TestRedTable:
    """RED example table: max 3, global 100 with 97 used, allow_user_redeem false (RULES §6)."""

    def test_b_derived(self) -> None:
        assert B.total_global_redemptions_remaining == 2

    def test_count_3_instance_limit(self) -> None:
        result = redeem_benefit(B, at=AT, count=3)
        assert codes(result.decision) == ["instance_limit_exceeded"]
        assert result.benefit == B

    def test_count_2_allowed(self) -> None:
        result = redeem_benefit(B, at=AT, count=2)
        assert result.decision.allowed
        after = result.benefit
        assert after.redemptions_remaining == 0
        assert after.definition.total_global_redemptions == 99
        assert after.definition.max_global_redemptions == 100
        assert after.total_global_redemptions_remaining == 0
        assert attrs.evolve(after, redemptions_remaining=2, definition=RED_DEF) == B

    def test_that_result_count_1_exhausted(self) -> None:
        after = redeem_benefit(B, at=AT, count=2).benefit
        result = redeem_benefit(after, at=AT, count=1)
        assert codes(result.decision) == ["redemptions_exhausted"]
        assert result.benefit == after

    def test_b_prime_global_limit(self) -> None:
        b_prime = attrs.evolve(
            B,
            redemptions_remaining=3,
            definition=attrs.evolve(RED_DEF, total_global_redemptions=99),
        )
        result = redeem_benefit(b_prime, at=AT, count=2)
        assert codes(result.decision) == ["global_limit_exceeded"]
        assert result.benefit == b_prime

    def test_expired_customer(self) -> None:
        decision = check_redemption(B, at=utc("2026-06-30 14:00:00"), count=1, channel="customer")
        assert codes(decision) == ["expired", "user_redeem_not_allowed"]

    @pytest.mark.parametrize("count", [0, True, 1.5])
    def test_invalid_counts(self, count: object) -> None:
        with pytest.raises(InvalidRequest, match="count"):
            check_redemption(B, at=AT, count=count)  # type: ignore[arg-type]

    def test_return_one_of_two(self) -> None:
        after = redeem_benefit(B, at=AT, count=2).benefit
        back = return_redemption(after, 1, at=AT)
        assert back.redemptions_remaining == 1
        assert back.definition.total_global_redemptions == 98


# --- RED-2, RED-3: arguments ----------------------------------------------------------------------

PLAIN = Benefit(
    issued_at=utc("2026-01-01 00:00:00"),
    expires_at=utc("2026-12-31 23:59:59"),
    definition=BenefitDefinition(max_redemptions=5),
)


class TestCount:
    """RED-2 (Q19, Q20): count defaults to 1 and must be an int >= 1, not a bool."""

    @pytest.mark.parametrize(
        "count",
        [
            pytest.param(0, id="RED-2-zero"),
            pytest.param(-1, id="RED-2-negative"),
            pytest.param(True, id="RED-2-true"),
            pytest.param(False, id="RED-2-false"),
            pytest.param(1.5, id="RED-2-fraction"),
            pytest.param(1.0, id="RED-2-float-integral"),
            pytest.param("1", id="RED-2-string"),
            pytest.param(None, id="RED-2-none"),
        ],
    )
    def test_invalid(self, count: object) -> None:
        for call in (check_redemption, redeem_benefit):
            with pytest.raises(InvalidRequest) as caught:
                call(PLAIN, at=AT, count=count)  # type: ignore[arg-type]
            assert "count" in str(caught.value)
            assert repr(count) in str(caught.value)

    def test_default_is_one(self) -> None:
        result = redeem_benefit(PLAIN, at=AT)
        assert result.benefit.redemptions_remaining == 4
        assert result.benefit.definition.total_global_redemptions == 1

    def test_large_count_within_limit(self) -> None:
        result = redeem_benefit(PLAIN, at=AT, count=5)
        assert result.decision.allowed
        assert result.benefit.redemptions_remaining == 0


class TestChannel:
    """RED-3: channel is "api" (default), "staff" or "customer"."""

    @pytest.mark.parametrize("channel", ["api", "staff", "customer"])
    def test_valid(self, channel: str) -> None:
        assert check_redemption(PLAIN, at=AT, channel=channel).allowed  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "channel",
        ["web", "API", "", None, 1, ["api"], np.array(["api"])],
        ids=["web", "API", "empty", "None", "1", "list", "array"],  # an array `in` a tuple
    )
    def test_invalid(self, channel: object) -> None:
        with pytest.raises(InvalidRequest, match="channel"):
            check_redemption(PLAIN, at=AT, channel=channel)  # type: ignore[arg-type]
        with pytest.raises(InvalidRequest, match="channel"):
            redeem_benefit(PLAIN, at=AT, channel=channel)  # type: ignore[arg-type]

    def test_other_arguments(self) -> None:
        with pytest.raises(InvalidRequest, match="at"):
            check_redemption(PLAIN, at=datetime(2026, 3, 1))
        with pytest.raises(InvalidRequest, match="benefit"):
            check_redemption(PLAIN.definition, at=AT)  # type: ignore[arg-type]


# --- RED-4 to RED-9: one rule at a time --------------------------------------------------------

ISSUED = utc("2026-01-01 00:00:00")
EXPIRES = utc("2026-06-30 13:59:59")


def benefit(
    *,
    issued_at: datetime | None = ISSUED,
    expires_at: datetime | None = EXPIRES,
    remaining: int | None = None,
    **definition: Any,
) -> Benefit:
    return Benefit(
        issued_at=issued_at,
        expires_at=expires_at,
        redemptions_remaining=remaining,
        definition=BenefitDefinition(**definition),
    )


class TestTimedRules:
    """RED-4 (Q36) and RED-5 (EXP-1): issued_at and expires_at are both inclusive."""

    @pytest.mark.parametrize(
        ("issued_at", "expires_at", "at", "expected"),
        [
            pytest.param(ISSUED, EXPIRES, ISSUED, [], id="RED-4-at-issued_at-allowed"),
            pytest.param(ISSUED, EXPIRES, ISSUED - US, ["not_yet_issued"], id="RED-4-1us-before"),
            pytest.param(None, EXPIRES, utc("1900-01-01 00:00:00"), [], id="RED-4-null-issued"),
            pytest.param(ISSUED, EXPIRES, EXPIRES, [], id="RED-5-at-expires_at-allowed"),
            pytest.param(ISSUED, EXPIRES, EXPIRES + US, ["expired"], id="RED-5-1us-after"),
            pytest.param(ISSUED, None, utc("2200-01-01 00:00:00"), [], id="RED-5-null-never"),
            pytest.param(
                utc("2026-02-01 00:00:00"),
                utc("2026-01-15 00:00:00"),
                utc("2026-01-20 00:00:00"),
                ["not_yet_issued", "expired"],
                id="RED-4-5-expiry-before-issue-Q9",
            ),
        ],
    )
    def test_bound(
        self,
        issued_at: datetime | None,
        expires_at: datetime | None,
        at: datetime,
        expected: list[str],
    ) -> None:
        b = benefit(issued_at=issued_at, expires_at=expires_at)
        assert expected == codes(check_redemption(b, at=at))


class TestDefinitionRules:
    """RED-14 (Q21c) archived; RED-6 (Q23) allow_user_redeem on the customer channel."""

    @pytest.mark.parametrize(
        ("fields", "channel", "expected"),
        [
            pytest.param({"is_archived": True}, "api", ["archived"], id="RED-14-archived"),
            pytest.param({"is_archived": False}, "api", [], id="RED-14-not-archived"),
            pytest.param(
                {"allow_user_redeem": False},
                "customer",
                ["user_redeem_not_allowed"],
                id="RED-6-customer-refused",
            ),
            pytest.param({"allow_user_redeem": False}, "staff", [], id="RED-6-staff-allowed"),
            pytest.param({"allow_user_redeem": False}, "api", [], id="RED-6-api-allowed"),
            pytest.param({"allow_user_redeem": True}, "customer", [], id="RED-6-customer-allowed"),
            pytest.param({}, "customer", [], id="RED-6-default-true"),
            pytest.param(
                {"is_archived": True, "allow_user_redeem": False},
                "customer",
                ["archived", "user_redeem_not_allowed"],
                id="RED-14-before-RED-6",
            ),
        ],
    )
    def test_rule(self, fields: dict[str, Any], channel: str, expected: list[str]) -> None:
        b = benefit(**fields)
        assert expected == codes(check_redemption(b, at=AT, channel=channel))  # type: ignore[arg-type]

    def test_null_allow_user_redeem_from_payload_is_true(self) -> None:
        """PAY-6: a null allow_user_redeem means true."""
        b = Benefit.from_api({"definition": {"allow_user_redeem": None}})
        assert check_redemption(b, at=AT, channel="customer").allowed


class TestLimits:
    """RED-7, RED-8 (Q18, Q21) and RED-9: instance and global limits, all or nothing."""

    @pytest.mark.parametrize(
        ("fields", "remaining", "count", "expected"),
        [
            pytest.param({"max_redemptions": 3}, 0, 1, ["redemptions_exhausted"], id="RED-7"),
            pytest.param(
                {"max_redemptions": 3}, 0, 5, ["redemptions_exhausted"], id="RED-7-not-RED-8"
            ),
            pytest.param(
                {"max_redemptions": 0}, None, 1, ["redemptions_exhausted"], id="RED-7-max-zero-Q21"
            ),
            pytest.param({"max_redemptions": None}, None, 10**6, [], id="RED-7-null-unlimited"),
            pytest.param({"max_redemptions": 3}, 2, 2, [], id="RED-8-count-equals-remaining"),
            pytest.param(
                {"max_redemptions": 3}, 2, 3, ["instance_limit_exceeded"], id="RED-8-one-over"
            ),
            pytest.param(
                {"max_global_redemptions": 10, "total_global_redemptions": 8},
                None,
                2,
                [],
                id="RED-9-count-equals-global-remaining",
            ),
            pytest.param(
                {"max_global_redemptions": 10, "total_global_redemptions": 8},
                None,
                3,
                ["global_limit_exceeded"],
                id="RED-9-one-over",
            ),
            pytest.param(
                {"max_global_redemptions": 10, "total_global_redemptions": 10},
                None,
                1,
                ["global_limit_exceeded"],
                id="RED-9-global-zero",
            ),
            pytest.param(
                {"max_global_redemptions": 10, "total_global_redemptions": 15},
                None,
                1,
                ["global_limit_exceeded"],
                id="RED-9-over-cap-is-zero",
            ),
            pytest.param(
                {"max_global_redemptions": 0},
                None,
                1,
                ["global_limit_exceeded"],
                id="RED-9-cap-zero",
            ),
            pytest.param(
                {"max_global_redemptions": None, "total_global_redemptions": 10**9},
                None,
                5,
                [],
                id="RED-9-null-unlimited",
            ),
            pytest.param(
                {"max_redemptions": 3, "max_global_redemptions": 10, "total_global_redemptions": 9},
                1,
                2,
                ["instance_limit_exceeded", "global_limit_exceeded"],
                id="RED-8-then-RED-9",
            ),
        ],
    )
    def test_limit(
        self, fields: dict[str, Any], remaining: int | None, count: int, expected: list[str]
    ) -> None:
        b = benefit(remaining=remaining, **fields)
        result = redeem_benefit(b, at=AT, count=count)
        assert expected == codes(result.decision)
        if expected:
            assert result.benefit == b
            assert result.decision.retry_at is None

    def test_limit_messages(self) -> None:
        b = benefit(
            remaining=1, max_redemptions=3, max_global_redemptions=10, total_global_redemptions=9
        )
        instance, global_ = check_redemption(b, at=AT, count=2).reasons
        assert instance.message[0].islower()
        assert "2" in instance.message
        assert "1" in instance.message
        assert global_.message[0].islower()
        assert "1" in global_.message
        assert "2" in global_.message
        for reason in (instance, global_):
            json.dumps(dict(reason.detail))
        exhausted = check_redemption(benefit(remaining=0, max_redemptions=3), at=AT).reasons[0]
        assert exhausted.message[0].islower()
        assert "3" in exhausted.message
        json.dumps(dict(exhausted.detail))


class TestOrder:
    """check_redemption runs RED-4, RED-5, RED-14, RED-6, RED-7, RED-8, RED-9 in that order."""

    def test_with_red_7(self) -> None:
        b = benefit(
            issued_at=utc("2026-02-01 00:00:00"),
            expires_at=utc("2026-01-15 00:00:00"),
            remaining=0,
            max_redemptions=3,
            is_archived=True,
            allow_user_redeem=False,
            max_global_redemptions=10,
            total_global_redemptions=10,
        )
        decision = check_redemption(b, at=utc("2026-01-20 00:00:00"), channel="customer")
        assert codes(decision) == [
            "not_yet_issued",
            "expired",
            "archived",
            "user_redeem_not_allowed",
            "redemptions_exhausted",
            "global_limit_exceeded",
        ]
        assert decision.retry_at is None
        for reason in decision.reasons:
            assert reason.message[0].islower()
            json.dumps(dict(reason.detail))

    def test_with_red_8(self) -> None:
        b = benefit(
            issued_at=utc("2026-02-01 00:00:00"),
            expires_at=utc("2026-01-15 00:00:00"),
            remaining=1,
            max_redemptions=3,
            is_archived=True,
            allow_user_redeem=False,
            max_global_redemptions=10,
            total_global_redemptions=9,
        )
        decision = check_redemption(b, at=utc("2026-01-20 00:00:00"), count=2, channel="customer")
        assert codes(decision) == [
            "not_yet_issued",
            "expired",
            "archived",
            "user_redeem_not_allowed",
            "instance_limit_exceeded",
            "global_limit_exceeded",
        ]

    def test_instant_details(self) -> None:
        b = benefit()
        (reason,) = check_redemption(b, at=EXPIRES + US).reasons
        assert "2026-06-30T13:59:59Z" in reason.message
        assert "2026-06-30T13:59:59.000001Z" in reason.message
        detail = json.loads(json.dumps(dict(reason.detail)))
        assert {"2026-06-30T13:59:59Z", "2026-06-30T13:59:59.000001Z"} <= set(detail.values())
        (reason,) = check_redemption(b, at=ISSUED - US).reasons
        assert "2026-01-01T00:00:00Z" in reason.message
        detail = json.loads(json.dumps(dict(reason.detail)))
        assert {"2026-01-01T00:00:00Z", "2025-12-31T23:59:59.999999Z"} <= set(detail.values())


# --- RED-10, RED-11: effect and derived counts ----------------------------------------------------


class TestEffect:
    """RED-10: remaining drops by count (null stays null); the global total rises by count."""

    def test_allowed(self) -> None:
        b = benefit(
            remaining=4, max_redemptions=5, max_global_redemptions=50, total_global_redemptions=7
        )
        result = redeem_benefit(b, at=AT, count=3)
        assert isinstance(result, RedemptionResult)
        assert result.benefit.redemptions_remaining == 1
        assert result.benefit.definition.total_global_redemptions == 10
        assert result.benefit.definition == attrs.evolve(b.definition, total_global_redemptions=10)
        assert result.benefit.expires_at == b.expires_at
        assert result.benefit.issued_at == b.issued_at

    def test_unlimited_stays_null(self) -> None:
        b = benefit(max_redemptions=None)
        result = redeem_benefit(b, at=AT, count=7)
        assert result.benefit.redemptions_remaining is None
        assert result.benefit.definition.total_global_redemptions == 7

    def test_refused_changes_nothing(self) -> None:
        b = benefit(is_archived=True, max_redemptions=2)
        result = redeem_benefit(b, at=AT)
        assert not result.decision.allowed
        assert result.benefit == b

    def test_check_and_redeem_share_the_decision(self) -> None:
        assert check_redemption(B, at=AT, count=3) == redeem_benefit(B, at=AT, count=3).decision

    def test_global_cap_across_members(self) -> None:
        """RED-10: threading the returned definition, the cap holds across members."""
        definition = BenefitDefinition(max_redemptions=2, max_global_redemptions=3)
        members = [
            Benefit(profile_id=p, issued_at=ISSUED, definition=definition) for p in ("a", "b")
        ]
        outcomes = []
        for held in (members[0], members[1], members[0], members[1]):
            result = redeem_benefit(attrs.evolve(held, definition=definition), at=AT)
            outcomes.append(codes(result.decision))
            definition = result.benefit.definition
            members = [result.benefit if m.profile_id == held.profile_id else m for m in members]
        assert outcomes == [[], [], [], ["global_limit_exceeded"]]
        assert definition.total_global_redemptions == 3


class TestDerivedCounts:
    """RED-11 (Q22): instance total_global_redemptions_remaining = min(remaining, global)."""

    @pytest.mark.parametrize(
        ("remaining", "fields", "expected"),
        [
            pytest.param(None, {}, None, id="RED-11-both-unlimited"),
            pytest.param(4, {"max_redemptions": 5}, 4, id="RED-11-instance-only"),
            pytest.param(
                None,
                {"max_global_redemptions": 10, "total_global_redemptions": 3},
                7,
                id="RED-11-global-only",
            ),
            pytest.param(
                4,
                {"max_redemptions": 5, "max_global_redemptions": 10, "total_global_redemptions": 8},
                2,
                id="RED-11-global-smaller",
            ),
            pytest.param(
                1,
                {"max_redemptions": 5, "max_global_redemptions": 10, "total_global_redemptions": 2},
                1,
                id="RED-11-instance-smaller",
            ),
            pytest.param(
                4,
                {
                    "max_redemptions": 5,
                    "max_global_redemptions": 10,
                    "total_global_redemptions": 12,
                },
                0,
                id="RED-11-over-cap-is-zero",
            ),
        ],
    )
    def test_remaining(
        self, remaining: int | None, fields: dict[str, Any], expected: int | None
    ) -> None:
        assert expected == benefit(remaining=remaining, **fields).total_global_redemptions_remaining


# --- RED-12: returns ------------------------------------------------------------------------------


class TestReturns:
    """RED-12: give back at most what was redeemed; expiry untouched."""

    def test_within_redeemed(self) -> None:
        b = benefit(remaining=0, max_redemptions=3, total_global_redemptions=99)
        for count, remaining, total in ((1, 1, 98), (2, 2, 97), (3, 3, 96)):
            back = return_redemption(b, count, at=AT)
            assert (remaining, total) == (
                back.redemptions_remaining,
                back.definition.total_global_redemptions,
            )

    @pytest.mark.parametrize(
        "count",
        [
            pytest.param(4, id="RED-12-more-than-redeemed"),
            pytest.param(0, id="RED-12-zero"),
            pytest.param(-1, id="RED-12-negative"),
            pytest.param(True, id="RED-12-bool"),
            pytest.param(1.0, id="RED-12-float"),
            pytest.param("1", id="RED-12-string"),
        ],
    )
    def test_invalid(self, count: object) -> None:
        b = benefit(remaining=0, max_redemptions=3, total_global_redemptions=99)
        with pytest.raises(InvalidRequest, match="count"):
            return_redemption(b, count, at=AT)  # type: ignore[arg-type]

    def test_nothing_redeemed(self) -> None:
        b = benefit(remaining=3, max_redemptions=3, total_global_redemptions=50)
        with pytest.raises(InvalidRequest, match="count"):
            return_redemption(b, 1, at=AT)

    def test_null_max_uses_global_total(self) -> None:
        b = benefit(max_redemptions=None, total_global_redemptions=5)
        back = return_redemption(b, 5, at=AT)
        assert back.redemptions_remaining is None
        assert back.definition.total_global_redemptions == 0
        with pytest.raises(InvalidRequest, match="count"):
            return_redemption(b, 6, at=AT)

    def test_expired_stays_expired(self) -> None:
        b = benefit(remaining=0, max_redemptions=2, total_global_redemptions=2)
        late = EXPIRES + timedelta(days=1)
        back = return_redemption(b, 2, at=late)
        assert back.expires_at == EXPIRES
        assert back.redemptions_remaining == 2
        assert codes(check_redemption(back, at=late)) == ["expired"]

    def test_naive_at(self) -> None:
        b = benefit(remaining=0, max_redemptions=3, total_global_redemptions=3)
        with pytest.raises(InvalidRequest, match="at"):
            return_redemption(b, 1, at=datetime(2026, 3, 1))

    def test_not_a_benefit(self) -> None:
        with pytest.raises(InvalidRequest, match="benefit"):
            return_redemption(RED_DEF, 1, at=AT)  # type: ignore[arg-type]

    def test_redeem_then_return_restores(self) -> None:
        result = redeem_benefit(B, at=AT, count=2)
        assert return_redemption(result.benefit, 2, at=AT) == B


# --- RED-13: claim and redeem ---------------------------------------------------------------------

P1 = Profile(id="p-1")


def claimable(**fields: Any) -> BenefitDefinition:
    base: dict[str, Any] = {
        "id": 1,
        "is_claimable": True,
        "is_published": True,
        "is_assignable": True,
        "period": 30,
        "max_redemptions": 3,
        "max_global_redemptions": 100,
        "total_global_redemptions": 10,
        "total_global_created": 4,
    }
    base.update(fields)
    return BenefitDefinition(**base)


class TestClaimAndRedeem:
    """RED-13: validate count/channel, check the claim, then the redemption; atomic."""

    def test_allowed(self) -> None:
        d = claimable()
        result = claim_and_redeem(d, P1, at=AT, timezone=MELBOURNE, count=2)
        assert isinstance(result, ClaimResult)
        assert result.decision.allowed
        b = result.benefit
        assert b is not None
        assert b.redemptions_remaining == 1
        assert b.issued_at == AT
        assert b.claimed_at == AT
        assert b.timezone == MELBOURNE
        assert b.expires_at == utc("2026-03-31 12:59:59")  # 2026-03-31 23:59:59 AEDT
        assert result.definition.total_global_created == 5
        assert result.definition.total_global_redemptions == 12
        assert b.definition == result.definition
        assert b.total_global_redemptions_remaining == 1

    def test_allocations_and_both_counters(self) -> None:
        d = claimable(force_allocation=True, total_allocations_remaining=1)
        result = claim_and_redeem(d, P1, at=AT, timezone="UTC")
        assert result.definition.total_allocations_remaining == 0
        assert result.definition.total_global_created == 5
        assert result.definition.total_global_redemptions == 11

    @pytest.mark.parametrize(
        ("fields", "count", "channel", "expected"),
        [
            pytest.param({}, 4, "api", ["instance_limit_exceeded"], id="RED-13-instance-limit"),
            pytest.param(
                {"total_global_redemptions": 99},
                2,
                "api",
                ["global_limit_exceeded"],
                id="RED-13-global-limit",
            ),
            pytest.param(
                {"allow_user_redeem": False},
                1,
                "customer",
                ["user_redeem_not_allowed"],
                id="RED-13-customer",
            ),
            pytest.param(
                {"max_redemptions": 0}, 1, "api", ["redemptions_exhausted"], id="RED-13-max-zero"
            ),
            pytest.param(
                {
                    "period_type": PeriodType.ABSOLUTE_DATE,
                    "absolute_expiry": utc("2026-02-01 00:00:00"),
                },
                1,
                "api",
                ["expired"],
                id="RED-13-born-expired",
            ),
        ],
    )
    def test_refused_redemption_claims_nothing(
        self, fields: dict[str, Any], count: int, channel: str, expected: list[str]
    ) -> None:
        d = claimable(**fields)
        result = claim_and_redeem(d, P1, at=AT, timezone="UTC", count=count, channel=channel)  # type: ignore[arg-type]
        assert expected == codes(result.decision)
        assert result.benefit is None
        assert result.definition == d

    def test_refused_claim_gives_claim_reasons(self) -> None:
        d = claimable(is_claimable=False, claim_period_start_at=utc("2026-04-01 00:00:00"))
        result = claim_and_redeem(d, P1, at=AT, timezone="UTC", count=4)
        assert codes(result.decision) == ["not_claimable", "claim_window_not_open"]
        assert result.benefit is None
        assert result.definition == d

    def test_refused_claim_by_holding(self) -> None:
        d = claimable()
        h = Benefit(profile_id="p-1", claimed_at=ISSUED, issued_at=ISSUED, definition=d)
        result = claim_and_redeem(d, P1, at=AT, timezone="UTC", holdings=[h])
        assert codes(result.decision) == ["already_claimed"]
        assert result.benefit is None

    @pytest.mark.parametrize("count", [0, -1, True, 1.5, "1"])
    def test_count_validated_first(self, count: object) -> None:
        d = claimable(is_claimable=False)
        with pytest.raises(InvalidRequest, match="count"):
            claim_and_redeem(d, P1, at=AT, timezone="UTC", count=count)  # type: ignore[arg-type]

    @pytest.mark.parametrize("channel", ["web", None])
    def test_channel_validated_first(self, channel: object) -> None:
        d = claimable(is_claimable=False)
        with pytest.raises(InvalidRequest, match="channel"):
            claim_and_redeem(d, P1, at=AT, timezone="UTC", channel=channel)  # type: ignore[arg-type]

    def test_other_arguments(self) -> None:
        with pytest.raises(InvalidRequest, match="at"):
            claim_and_redeem(claimable(), P1, at=datetime(2026, 3, 1), timezone="UTC")
        with pytest.raises(InvalidRequest, match="timezone"):
            claim_and_redeem(claimable(), P1, at=AT, timezone="Mars/Olympus")

    def test_retry_at_absolute_expiry(self) -> None:
        """TIME-9: claim_and_redeem adds absolute_expiry + 1 µs for absolute_date."""
        expiry = utc("2026-03-15 00:00:00")
        d = claimable(period_type=PeriodType.ABSOLUTE_DATE, absolute_expiry=expiry)
        result = claim_and_redeem(d, P1, at=AT, timezone="UTC")
        assert result.decision.allowed
        assert expiry + US == result.decision.retry_at

    def test_retry_at_window_end(self) -> None:
        end = utc("2026-03-10 00:00:00")
        d = claimable(claim_period_end_at=end)
        assert end + US == claim_and_redeem(d, P1, at=AT, timezone="UTC").decision.retry_at

    def test_retry_at_born_expired_is_none(self) -> None:
        d = claimable(
            period_type=PeriodType.ABSOLUTE_DATE, absolute_expiry=utc("2026-02-01 00:00:00")
        )
        assert claim_and_redeem(d, P1, at=AT, timezone="UTC").decision.retry_at is None


# --- TIME-9: retry_at for redemptions -------------------------------------------------------------


class TestRetryAt:
    """TIME-9 for check_redemption: candidates issued_at and expires_at + 1 µs."""

    @pytest.mark.parametrize(
        ("b", "at", "retry"),
        [
            pytest.param(benefit(), ISSUED - timedelta(days=2), ISSUED, id="TIME-9-issued_at"),
            pytest.param(benefit(), ISSUED - US, ISSUED, id="TIME-9-issued_at-1us"),
            pytest.param(benefit(), AT, EXPIRES + US, id="TIME-9-expiry"),
            pytest.param(benefit(), EXPIRES, EXPIRES + US, id="TIME-9-at-expiry"),
            pytest.param(benefit(), EXPIRES + US, None, id="TIME-9-expired-forever"),
            pytest.param(benefit(expires_at=None), AT, None, id="TIME-9-never-expires"),
            pytest.param(benefit(is_archived=True), ISSUED - US, None, id="TIME-9-static-archived"),
            pytest.param(
                benefit(remaining=0, max_redemptions=1), AT, None, id="TIME-9-static-exhausted"
            ),
            pytest.param(
                benefit(
                    issued_at=utc("2026-02-01 00:00:00"), expires_at=utc("2026-01-15 00:00:00")
                ),
                utc("2026-01-10 00:00:00"),
                None,
                id="TIME-9-expires-before-issue",
            ),
        ],
    )
    def test_retry(self, b: Benefit, at: datetime, retry: datetime | None) -> None:
        assert retry == check_redemption(b, at=at).retry_at

    def test_customer_refusal_is_static(self) -> None:
        b = benefit(allow_user_redeem=False)
        assert check_redemption(b, at=ISSUED - US, channel="customer").retry_at is None
        assert check_redemption(b, at=ISSUED - US, channel="staff").retry_at == ISSUED
