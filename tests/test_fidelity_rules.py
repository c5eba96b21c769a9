"""RED-15, RED-16, EXT-11 and CRD-17 (RULES §6, §8, §9): example tables and properties.

Expected values are the rulebook's: its literals, or what a rule states, computed here without
the library's helpers. The properties compare each rule with a plain restatement of it.
"""

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    Credit,
    CreditDefinition,
    ExtensionResult,
    InvalidRequest,
    PayloadError,
    Policy,
    ReasonCode,
    Redemption,
    RedemptionItem,
    Reward,
    RewardDefinition,
    check_redemption,
    edit_credit,
    extend,
    extend_request,
    parse_extend_request,
    redeem_benefit,
)
from loyalty_core.testing.strategies import (
    aware_instants,
    benefit_definitions,
    benefits,
    instants,
    json_values,
    policies,
    rewards,
)
from tests.helpers import budget, codes, utc

MELBOURNE = "Australia/Melbourne"
NEW_YORK = "America/New_York"


def paths(error: PayloadError) -> list[str]:
    return sorted(p.where for p in error.problems)


# ==============================================================================================
# RED-15: a benefit owned by another profile is refused with not_owned
# ==============================================================================================

RED_AT = utc("2026-03-01 00:00:00")

# The order in which the RED table runs its rules, and `reasons` lists them (RULES §6).
RED_ORDER = (
    "not_yet_issued",  # RED-4
    "expired",  # RED-5
    "archived",  # RED-14
    "not_owned",  # RED-15
    "user_redeem_not_allowed",  # RED-6
    "redemptions_exhausted",  # RED-7
    "instance_limit_exceeded",  # RED-8
    "global_limit_exceeded",  # RED-9
)


def red_benefit(definition: BenefitDefinition | None = None, **fields: Any) -> Benefit:
    """An active benefit of p-1 (issued, not expired, 3 left) at RED_AT unless told otherwise."""
    base: dict[str, Any] = {
        "id": 41,
        "profile_id": "p-1",
        "timezone": "UTC",
        "issued_at": utc("2026-01-10 00:00:00"),
        "expires_at": utc("2026-06-30 23:59:59"),
        "redemptions_remaining": 3,
        "definition": definition or BenefitDefinition(max_redemptions=3),
    }
    base.update(fields)
    return Benefit(**base)


class TestRed15Table:
    """RED-15: `profile_id` given, the benefit's not null, and they differ → not_owned."""

    @pytest.mark.parametrize(
        ("owner", "profile_id", "expected"),
        [
            pytest.param("p-1", "p-2", ["not_owned"], id="RED-15-other-owner"),
            pytest.param("p-1", "p-1", [], id="RED-15-same-owner"),
            pytest.param("p-1", None, [], id="RED-15-no-profile-id-no-check"),
            pytest.param(None, "p-2", [], id="RED-15-benefit-owner-null-no-check"),
            pytest.param(None, None, [], id="RED-15-both-null"),
            pytest.param("p-1", "P-1", ["not_owned"], id="RED-15-exact-comparison"),
            pytest.param("", "p-1", ["not_owned"], id="RED-15-empty-owner-is-not-null"),
            pytest.param("p-1", "", ["not_owned"], id="RED-15-empty-profile-id-is-given"),
        ],
    )
    def test_ownership(
        self, owner: str | None, profile_id: str | None, expected: list[str]
    ) -> None:
        b = red_benefit(profile_id=owner)
        decision = check_redemption(b, at=RED_AT, profile_id=profile_id)
        assert codes(decision) == expected
        assert decision.allowed is (not expected)
        # TIME-9: no instant cures a refusal for ownership.
        if expected:
            assert decision.retry_at is None
        # check_x and x share one implementation (conventions).
        result = redeem_benefit(b, at=RED_AT, profile_id=profile_id)
        assert codes(result.decision) == expected
        if expected:
            assert result.benefit == b
            assert result.redemption is None
        else:
            assert result.benefit.redemptions_remaining == 2

    @pytest.mark.parametrize(
        ("fields", "definition", "call", "expected"),
        [
            pytest.param(
                {"expires_at": utc("2026-02-01 00:00:00")},
                BenefitDefinition(max_redemptions=3, is_archived=True, allow_user_redeem=False),
                {"channel": "customer", "profile_id": "p-2"},
                ["expired", "archived", "not_owned", "user_redeem_not_allowed"],
                id="RED-15-order-expired-archived-not_owned-user_redeem",
            ),
            pytest.param(
                {},
                BenefitDefinition(max_redemptions=3, allow_user_redeem=False),
                {"channel": "customer", "profile_id": "p-2"},
                ["not_owned", "user_redeem_not_allowed"],
                id="RED-15-before-RED-6",
            ),
            pytest.param(
                {},
                BenefitDefinition(max_redemptions=3, is_archived=True),
                {"profile_id": "p-2"},
                ["archived", "not_owned"],
                id="RED-14-before-RED-15",
            ),
            pytest.param(
                {
                    "issued_at": utc("2026-04-01 00:00:00"),
                    "expires_at": utc("2026-02-01 00:00:00"),
                    "redemptions_remaining": 0,
                },
                BenefitDefinition(
                    max_redemptions=3,
                    is_archived=True,
                    allow_user_redeem=False,
                    max_global_redemptions=5,
                    total_global_redemptions=5,
                ),
                {"channel": "customer", "profile_id": "p-2"},
                [
                    "not_yet_issued",
                    "expired",
                    "archived",
                    "not_owned",
                    "user_redeem_not_allowed",
                    "redemptions_exhausted",
                    "global_limit_exceeded",
                ],
                id="RED-15-order-every-rule-but-RED-8",
            ),
            pytest.param(
                {
                    "issued_at": utc("2026-04-01 00:00:00"),
                    "expires_at": utc("2026-02-01 00:00:00"),
                    "redemptions_remaining": 0,
                },
                BenefitDefinition(
                    max_redemptions=3,
                    is_archived=True,
                    allow_user_redeem=False,
                    max_global_redemptions=5,
                    total_global_redemptions=5,
                ),
                {"channel": "customer", "profile_id": "p-1"},
                [
                    "not_yet_issued",
                    "expired",
                    "archived",
                    "user_redeem_not_allowed",
                    "redemptions_exhausted",
                    "global_limit_exceeded",
                ],
                id="RED-15-same-owner-leaves-the-rest",
            ),
            pytest.param(
                {"redemptions_remaining": 1},
                BenefitDefinition(
                    max_redemptions=3, max_global_redemptions=10, total_global_redemptions=9
                ),
                {"count": 2, "profile_id": "p-2"},
                ["not_owned", "instance_limit_exceeded", "global_limit_exceeded"],
                id="RED-15-before-RED-8-and-RED-9",
            ),
            pytest.param(
                {"issued_at": utc("2026-04-01 00:00:00")},
                BenefitDefinition(max_redemptions=3),
                {"profile_id": "p-2"},
                ["not_yet_issued", "not_owned"],
                id="RED-4-before-RED-15",
            ),
        ],
    )
    def test_reason_order(
        self,
        fields: dict[str, Any],
        definition: BenefitDefinition,
        call: dict[str, Any],
        expected: list[str],
    ) -> None:
        b = red_benefit(definition, **fields)
        decision = check_redemption(b, at=RED_AT, **call)
        assert [r.code for r in decision.reasons] == [ReasonCode(c) for c in expected]
        assert not decision.allowed
        if "not_owned" in expected:
            # TIME-9: waiting for issue never helps a benefit the profile does not own.
            assert decision.retry_at is None

    def test_not_yet_issued_alone_still_retries(self) -> None:
        # The counterpart of RED-4-before-RED-15: the owner's own request may retry at issue.
        b = red_benefit(issued_at=utc("2026-04-01 00:00:00"))
        decision = check_redemption(b, at=RED_AT, profile_id="p-1")
        assert codes(decision) == ["not_yet_issued"]
        assert decision.retry_at == utc("2026-04-01 00:00:00")

    @pytest.mark.parametrize(
        "bad",
        [
            pytest.param(5, id="RED-15-profile-id-int"),
            pytest.param(["p-1"], id="RED-15-profile-id-list"),
            pytest.param(b"p-1", id="RED-15-profile-id-bytes"),
        ],
    )
    def test_profile_id_not_a_string(self, bad: object) -> None:
        b = red_benefit()
        with pytest.raises(InvalidRequest) as caught:
            check_redemption(b, at=RED_AT, profile_id=bad)  # type: ignore[arg-type]
        assert [p.where for p in caught.value.problems] == ["profile_id"]
        with pytest.raises(InvalidRequest) as caught:
            redeem_benefit(b, at=RED_AT, profile_id=bad)  # type: ignore[arg-type]
        assert [p.where for p in caught.value.problems] == ["profile_id"]


# ==============================================================================================
# RED-16: the redemption record
# ==============================================================================================

# 20:00 AEDT (+11) on 2026-03-01 is 09:00:00Z.
RED16_AT = datetime(2026, 3, 1, 20, 0, tzinfo=ZoneInfo(MELBOURNE))
RED16_AT_UTC = utc("2026-03-01 09:00:00")


class TestRed16Table:
    """RED-16: id null, request's else benefit's profile, type benefit, redeem_at = at, extras."""

    @pytest.mark.parametrize(
        ("owner", "profile_id", "extras", "count", "benefit_id", "expected_profile"),
        [
            pytest.param(
                "p-1",
                "p-1",
                {"location_id": 12, "transaction_id": "T-9", "meta": ["pos", {"lane": 3}]},
                2,
                41,
                "p-1",
                id="RED-16-request-profile-and-extras",
            ),
            pytest.param("p-1", None, {}, 1, 41, "p-1", id="RED-16-benefit-profile-when-none"),
            pytest.param(None, "p-9", {}, 1, 41, "p-9", id="RED-16-request-profile-no-owner"),
            pytest.param(None, None, {}, 3, 41, None, id="RED-16-no-profile-at-all"),
            pytest.param("", None, {}, 1, 41, "", id="RED-16-empty-owner-is-not-null"),
            pytest.param(
                "p-1",
                None,
                {"location_id": 2**63 - 1, "transaction_id": "", "meta": []},
                1,
                None,
                "p-1",
                id="RED-16-edge-extras-and-unstored-benefit",
            ),
        ],
    )
    def test_record(
        self,
        owner: str | None,
        profile_id: str | None,
        extras: dict[str, Any],
        count: int,
        benefit_id: int | None,
        expected_profile: str | None,
    ) -> None:
        b = red_benefit(id=benefit_id, profile_id=owner)
        result = redeem_benefit(b, at=RED16_AT, count=count, profile_id=profile_id, **extras)
        assert result.decision.allowed
        record = result.redemption
        assert isinstance(record, Redemption)
        assert record.id is None
        assert record.profile_id == expected_profile
        assert record.type == "benefit"
        assert record.redeem_at == RED16_AT_UTC
        assert type(record.redeem_at) is datetime
        assert record.redeem_at.tzinfo is UTC
        assert record.location_id == extras.get("location_id")
        assert record.transaction_id == extras.get("transaction_id")
        api = record.to_api()
        assert api["meta"] == extras.get("meta")
        assert len(record.items) == 1
        (item,) = record.items
        assert isinstance(item, RedemptionItem)
        assert (item.type, item.id, item.count) == ("benefit", benefit_id, count)
        assert api["items"][0]["type"] == "benefit"
        assert api["items"][0]["id"] == benefit_id
        assert api["items"][0]["count"] == count
        assert api["redeem_at"] == "2026-03-01 09:00:00"  # PAY-5
        assert Redemption.from_api(record.to_api()) == record
        assert Redemption.from_api(api) == record

    def test_record_equals_the_rule_built_by_hand(self) -> None:
        b = red_benefit(profile_id="p-1")
        result = redeem_benefit(
            b, at=RED16_AT, count=2, location_id=7, transaction_id="T-1", meta=["a"]
        )
        expected = Redemption(
            id=None,
            profile_id="p-1",
            type="benefit",
            redeem_at=RED16_AT_UTC,
            location_id=7,
            transaction_id="T-1",
            meta=("a",),
            items=(RedemptionItem(type="benefit", id=41, count=2),),
        )
        assert result.redemption == expected

    @pytest.mark.parametrize(
        ("fields", "call"),
        [
            pytest.param({}, {"profile_id": "p-2"}, id="RED-16-refused-not-owned"),
            pytest.param({"redemptions_remaining": 0}, {}, id="RED-16-refused-exhausted"),
            pytest.param(
                {"expires_at": utc("2026-02-01 00:00:00")}, {}, id="RED-16-refused-expired"
            ),
        ],
    )
    def test_refused_has_no_record(self, fields: dict[str, Any], call: dict[str, Any]) -> None:
        b = red_benefit(**fields)
        result = redeem_benefit(
            b, at=RED16_AT, location_id=12, transaction_id="T-9", meta=["x"], **call
        )
        assert not result.decision.allowed
        assert result.redemption is None
        assert result.benefit == b

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            pytest.param("location_id", "12", id="RED-16-location-id-string"),
            pytest.param("location_id", True, id="RED-16-location-id-bool"),
            pytest.param("location_id", 1.5, id="RED-16-location-id-fraction"),
            pytest.param("location_id", 2**63, id="RED-16-location-id-over-64-bits"),
            pytest.param("transaction_id", 9, id="RED-16-transaction-id-int"),
            pytest.param("meta", {"a": 1}, id="RED-16-meta-object"),
            pytest.param("meta", "abc", id="RED-16-meta-string"),
            pytest.param("meta", 5, id="RED-16-meta-number"),
        ],
    )
    @pytest.mark.parametrize("owner_call", ["p-1", "p-2"], ids=["allowed", "refused"])
    def test_bad_extras(self, name: str, value: object, owner_call: str) -> None:
        # Bad arguments raise InvalidRequest whatever the decision would be.
        with pytest.raises(InvalidRequest) as caught:
            redeem_benefit(red_benefit(), at=RED16_AT, profile_id=owner_call, **{name: value})  # type: ignore[arg-type]
        assert [p.where.split("[")[0] for p in caught.value.problems] == [name]


# ==============================================================================================
# EXT-11: extension by request
# ==============================================================================================

EXT_AT = utc("2026-04-03 00:00:00")
EXTENDABLE = RewardDefinition(is_extendable=True)


def ext_reward(ident: int, **fields: Any) -> Reward:
    base: dict[str, Any] = {
        "id": ident,
        "profile_id": "p-1",
        "timezone": "UTC",
        "value_initial": Decimal("10.00"),
        "expires_at": utc("2026-05-01 23:59:59"),
        "definition": EXTENDABLE,
    }
    base.update(fields)
    return Reward(**base)


# The EXT-11 example table (RULES §8).
A = ext_reward(
    1,
    timezone=MELBOURNE,
    expires_at=utc("2026-04-01 12:59:59"),
    has_notified_expiry=True,
    has_notified_issue=True,
)
B = ext_reward(2, timezone=NEW_YORK, expires_at=utc("2026-03-02 04:59:59"))
C = ext_reward(3, extended_at=utc("2026-02-01 00:00:00"))
D = ext_reward(4, profile_id="p-2")
E = ext_reward(5, expires_at=None)
F = ext_reward(
    6, extended_at=utc("2026-02-01 00:00:00"), definition=RewardDefinition(is_extendable=False)
)
TABLE = (A, B, C, D, E, F)


def body(*ids: int, **how: Any) -> Any:
    if not how:
        how = {"extend_days": 10}
    return parse_extend_request({"profile_id": "p-1", "ids": list(ids), **how})


def skipped_codes(result: ExtensionResult) -> list[tuple[int | None, list[str]]]:
    return [(ident, codes(decision)) for ident, decision in result.skipped]


class TestExt11Table:
    """EXT-11 table: at 2026-04-03 00:00:00Z, profile p-1, extend_days=10, default policy."""

    @pytest.mark.parametrize(
        ("ident", "new_expiry"),
        [
            pytest.param(1, utc("2026-04-11 13:59:59"), id="EXT-11-A-melbourne-dst-end"),
            pytest.param(2, utc("2026-03-12 03:59:59"), id="EXT-11-B-new-york-dst-start"),
        ],
    )
    def test_extended_rows(self, ident: int, new_expiry: datetime) -> None:
        result = extend_request(TABLE, body(ident), at=EXT_AT)
        assert result.skipped == ()
        (item,) = result.extended
        original = TABLE[ident - 1]
        assert item.expires_at == new_expiry
        assert item.expires_at.tzinfo is UTC
        # EXT-9: new expiry, extended_at = at, expiry/remind flags reset; nothing else changes.
        assert item == attrs.evolve(
            original, expires_at=new_expiry, extended_at=EXT_AT, has_notified_expiry=False
        )

    @pytest.mark.parametrize(
        ("ident", "expected"),
        [
            pytest.param(3, ["already_extended"], id="EXT-11-C-already-extended"),
            pytest.param(4, ["not_owned"], id="EXT-11-D-not-owned"),
            pytest.param(5, ["no_expiry"], id="EXT-11-E-no-expiry"),
            pytest.param(6, ["already_extended", "not_extendable"], id="EXT-11-F-two-reasons"),
            pytest.param(99, ["not_found"], id="EXT-11-unknown-id"),
        ],
    )
    def test_skipped_rows(self, ident: int, expected: list[str]) -> None:
        result = extend_request(TABLE, body(ident), at=EXT_AT)
        assert result.extended == ()
        assert skipped_codes(result) == [(ident, expected)]
        ((_, decision),) = result.skipped
        assert not decision.allowed
        assert decision.retry_at is None

    def test_ext11_a_with_allow_extend_expired_false(self) -> None:
        # The table's last row: A is already expired, and EXT-6 now applies (Q26).
        strict = Policy(allow_extend_expired=False)
        result = extend_request(TABLE, body(1), at=EXT_AT, policy=strict)
        assert result.extended == ()
        assert skipped_codes(result) == [(1, ["expired"])]

    def test_whole_body_keeps_body_order(self) -> None:
        # EXT-11 rows A-F, an unknown id (99, twice) and a duplicated id (1 and 4), shuffled.
        request = body(6, 2, 99, 1, 4, 3, 99, 5, 1, 4)
        result = extend_request(TABLE, request, at=EXT_AT)
        assert [item.id for item in result.extended] == [2, 1]
        assert [item.expires_at for item in result.extended] == [
            utc("2026-03-12 03:59:59"),
            utc("2026-04-11 13:59:59"),
        ]
        assert skipped_codes(result) == [
            (6, ["already_extended", "not_extendable"]),
            (99, ["not_found"]),
            (4, ["not_owned"]),
            (3, ["already_extended"]),
            (99, ["not_found"]),
            (5, ["no_expiry"]),
            (1, ["already_extended"]),  # EXT-10: a later occurrence of an id
            (4, ["not_owned", "already_extended"]),
        ]

    def test_item_order_does_not_matter(self) -> None:
        forward = extend_request(TABLE, body(6, 2, 99, 1), at=EXT_AT)
        backward = extend_request(tuple(reversed(TABLE)), body(6, 2, 99, 1), at=EXT_AT)
        assert forward.extended == backward.extended
        assert skipped_codes(forward) == skipped_codes(backward)

    @pytest.mark.parametrize(
        ("item", "extend_date", "new_expiry"),
        [
            pytest.param(
                A, "2030-01-01 11:00:00", utc("2030-01-01 00:00:00"), id="EXT-11-wall-melbourne"
            ),
            pytest.param(
                B, "2030-01-01 11:00:00", utc("2030-01-01 16:00:00"), id="EXT-11-wall-new-york"
            ),
            pytest.param(
                ext_reward(7, timezone=MELBOURNE, expires_at=utc("2026-06-30 13:59:59")),
                "2025-12-31T00:00:00Z",
                utc("2025-12-31 00:00:00"),
                id="EXT-11-offset-date-earlier",
            ),
        ],
    )
    def test_extend_date(self, item: Reward, extend_date: str, new_expiry: datetime) -> None:
        assert item.id is not None
        result = extend_request([item], body(item.id, extend_date=extend_date), at=EXT_AT)
        assert result.skipped == ()
        assert [i.expires_at for i in result.extended] == [new_expiry]

    def test_only_items_of_the_kind(self) -> None:
        other = Benefit(
            id=2,
            profile_id="p-1",
            expires_at=utc("2026-05-01 23:59:59"),
            definition=BenefitDefinition(is_extendable=True),
        )
        items: list[Reward | Benefit] = [ext_reward(1), other]
        result = extend_request(items, body(1, 2), at=EXT_AT, kind="reward")
        assert [i.id for i in result.extended] == [1]
        assert isinstance(result.extended[0], Reward)
        assert skipped_codes(result) == [(2, ["not_found"])]
        result = extend_request(items, body(1, 2), at=EXT_AT, kind="benefit")
        assert [(type(i), i.id) for i in result.extended] == [(Benefit, 2)]
        assert skipped_codes(result) == [(1, ["not_found"])]

    def test_mixed_kinds_need_kind(self) -> None:
        items: list[Reward | Benefit] = [
            ext_reward(1),
            Benefit(id=2, definition=BenefitDefinition()),
        ]
        with pytest.raises(InvalidRequest) as caught:
            extend_request(items, body(1), at=EXT_AT)
        assert [p.where for p in caught.value.problems] == ["kind"]

    def test_no_items_every_id_not_found(self) -> None:
        result = extend_request([], body(3, 1), at=EXT_AT)
        assert result.extended == ()
        assert skipped_codes(result) == [(3, ["not_found"]), (1, ["not_found"])]


# ==============================================================================================
# CRD-17: edits checked against the definition
# ==============================================================================================


def crd_credit(
    definition: CreditDefinition | None, owner: str | None = "p-1", **fields: Any
) -> Credit:
    base: dict[str, Any] = {
        "id": 8,
        "profile_id": owner,
        "timezone": MELBOURNE,
        "value_initial": Decimal("20.00"),
        "value_remaining": Decimal("5.00"),
        "definition": definition,
    }
    base.update(fields)
    return Credit(**base)


FIXED = CreditDefinition(is_reassignable=False)
MOVABLE = CreditDefinition(is_reassignable=True)
ASSIGNED = CreditDefinition(is_reassignable=True, require_assigned=True)
CAPPED = CreditDefinition(is_reassignable=True, max_value=Decimal("30.00"))


class TestCrd17Table:
    """CRD-17: owner change, null owner and value_initial above max_value are refused."""

    @pytest.mark.parametrize(
        ("credit", "changes", "expected"),
        [
            pytest.param(
                crd_credit(FIXED), {"profile_id": "p-2"}, ["$.profile_id"], id="CRD-17-reassign"
            ),
            pytest.param(
                crd_credit(ASSIGNED), {"profile_id": None}, ["$.profile_id"], id="CRD-17-null"
            ),
            pytest.param(
                crd_credit(ASSIGNED, owner=None),
                {"profile_id": None},
                ["$.profile_id"],
                id="CRD-17-null-on-unowned",
            ),
            pytest.param(
                crd_credit(CAPPED),
                {"value_initial": "30.01"},
                ["$.value_initial"],
                id="CRD-17-above-max-value",
            ),
            pytest.param(
                crd_credit(
                    CreditDefinition(
                        is_reassignable=False, require_assigned=True, max_value=Decimal(30)
                    )
                ),
                {"profile_id": "p-2", "value_initial": 31},
                ["$.profile_id", "$.value_initial"],
                id="CRD-17-two-refusals",
            ),
        ],
    )
    def test_refused(self, credit: Credit, changes: dict[str, Any], expected: list[str]) -> None:
        with pytest.raises(PayloadError) as caught:
            edit_credit(credit, changes)
        assert paths(caught.value) == expected

    def test_max_value_message_names_both_values(self) -> None:
        with pytest.raises(PayloadError) as caught:
            edit_credit(crd_credit(CAPPED), {"value_initial": "45.50"})
        (problem,) = caught.value.problems
        assert problem.where == "$.value_initial"
        assert "45.50" in problem.message
        assert "30.00" in problem.message

    @pytest.mark.parametrize(
        ("credit", "changes"),
        [
            pytest.param(crd_credit(MOVABLE), {"profile_id": "p-2"}, id="CRD-17-reassignable"),
            pytest.param(crd_credit(FIXED), {"profile_id": "p-1"}, id="CRD-17-same-owner-resent"),
            pytest.param(
                crd_credit(FIXED, owner=None), {"profile_id": "p-2"}, id="CRD-17-first-owner"
            ),
            pytest.param(crd_credit(FIXED), {"profile_id": None}, id="CRD-17-null-not-required"),
            pytest.param(crd_credit(ASSIGNED), {"profile_id": "p-3"}, id="CRD-17-assigned-kept"),
            pytest.param(crd_credit(CAPPED), {"value_initial": "30"}, id="CRD-17-value-equals-max"),
            pytest.param(
                crd_credit(CAPPED), {"value_initial": "30.0000"}, id="CRD-17-equal-other-scale"
            ),
            pytest.param(
                crd_credit(MOVABLE), {"value_initial": "1000000"}, id="CRD-17-max-value-null"
            ),
            pytest.param(
                crd_credit(None),
                {"profile_id": None, "value_initial": "1000000"},
                id="CRD-17-no-definition",
            ),
            pytest.param(
                crd_credit(ASSIGNED, owner=None),
                {"message": "hi"},
                id="CRD-17-decision-only-keys-sent",
            ),
            pytest.param(
                crd_credit(CAPPED, value_initial=Decimal(40), value_remaining=Decimal(40)),
                {"message": "hi"},
                id="CRD-17-decision-stored-value-over-cap-kept",
            ),
        ],
    )
    def test_allowed(self, credit: Credit, changes: dict[str, Any]) -> None:
        edited = edit_credit(credit, changes)
        for key, value in changes.items():
            expected = Decimal(value) if key == "value_initial" else value
            assert getattr(edited, key) == expected

    def test_problems_reported_together(self) -> None:
        # CRD-17's two paths, a CRD-15 field problem and a CRD-16 problem in one PayloadError.
        definition = CreditDefinition(require_assigned=True, max_value=Decimal(30))
        credit = crd_credit(definition, value_initial=Decimal(20), value_remaining=Decimal(20))
        changes = {
            "profile_id": None,
            "value_initial": 31,
            "value_remaining": "35",
            "recipient_email": "jsmith@example",
        }
        with pytest.raises(PayloadError) as caught:
            edit_credit(credit, changes)
        assert paths(caught.value) == sorted(
            ["$.profile_id", "$.value_initial", "$.value_remaining", "$.recipient_email"]
        )

    def test_bad_profile_id_reported_once(self) -> None:
        # A profile_id that is not a string is a CRD-15 problem; CRD-17 adds no second entry.
        with pytest.raises(PayloadError) as caught:
            edit_credit(crd_credit(ASSIGNED), {"profile_id": 5})
        assert paths(caught.value) == ["$.profile_id"]


# ==============================================================================================
# Properties
# ==============================================================================================

OWNERS = st.sampled_from([None, "p-1", "p-2", "", "P-1"])


# Built once: no conditions, as RED reads none and generating them is what costs time.
PLAIN_BENEFITS = benefits(definition=benefit_definitions(with_condition=False))
REWARDS = rewards()


@st.composite
def owned_benefits(draw: st.DrawFn) -> Benefit:
    return attrs.evolve(draw(PLAIN_BENEFITS), profile_id=draw(OWNERS))


@settings(max_examples=budget(100))
@given(
    benefit=owned_benefits(),
    profile_id=st.one_of(OWNERS, st.text(max_size=4)),
    at=instants(),
    count=st.integers(1, 4),
    channel=st.sampled_from(["api", "staff", "customer"]),
)
def test_red15_property(
    benefit: Benefit, profile_id: str | None, at: datetime, count: int, channel: str
) -> None:
    with_id = check_redemption(
        benefit,
        at=at,
        count=count,
        channel=channel,  # type: ignore[arg-type]
        profile_id=profile_id,
    )
    without = check_redemption(benefit, at=at, count=count, channel=channel)  # type: ignore[arg-type]
    owner = benefit.profile_id
    refused = profile_id is not None and owner is not None and owner != profile_id
    assert (ReasonCode.NOT_OWNED in with_id.codes) is refused
    assert ReasonCode.NOT_OWNED not in without.codes
    got = codes(with_id)
    assert [c for c in got if c != "not_owned"] == codes(without)
    # The table order, each code at most once.
    assert got == sorted(got, key=RED_ORDER.index)
    assert len(set(got)) == len(got)
    assert with_id.allowed is (not got)
    if refused:
        assert with_id.retry_at is None
    else:
        assert with_id.retry_at == without.retry_at


@settings(max_examples=budget(40))
@given(
    benefit=owned_benefits(),
    profile_id=OWNERS,
    at=aware_instants(instants()),  # any zone: the record holds the UTC instant
    count=st.integers(1, 3),
    location_id=st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
    transaction_id=st.one_of(st.none(), st.text(max_size=6)),
    meta=st.one_of(st.none(), st.lists(json_values(), max_size=3)),
)
def test_red16_property(
    benefit: Benefit,
    profile_id: str | None,
    at: datetime,
    count: int,
    location_id: int | None,
    transaction_id: str | None,
    meta: list[Any] | None,
) -> None:
    result = redeem_benefit(
        benefit,
        at=at,
        count=count,
        profile_id=profile_id,
        location_id=location_id,
        transaction_id=transaction_id,
        meta=meta,
    )
    assert result.decision == check_redemption(benefit, at=at, count=count, profile_id=profile_id)
    record = result.redemption
    if not result.decision.allowed:
        assert record is None
        assert result.benefit == benefit
        return
    assert record is not None
    assert record.id is None
    assert record.profile_id == (benefit.profile_id if profile_id is None else profile_id)
    assert record.type == "benefit"
    assert record.redeem_at == at
    assert record.redeem_at.tzinfo is UTC
    assert (record.location_id, record.transaction_id) == (location_id, transaction_id)
    api = record.to_api()
    assert api["meta"] == meta
    assert [(i["type"], i["id"], i["count"]) for i in api["items"]] == [
        ("benefit", benefit.id, count)
    ]
    assert Redemption.from_api(api) == record


@st.composite
def reward_pools(draw: st.DrawFn) -> list[Reward]:
    ids = draw(st.lists(st.integers(1, 12), max_size=5, unique=True))
    pool = [
        attrs.evolve(
            draw(REWARDS),
            id=ident,
            profile_id=draw(st.sampled_from([None, "p-1", "p-2"])),
        )
        for ident in ids
    ]
    # Items without an id can never be named by a body.
    pool.extend(attrs.evolve(r, id=None) for r in draw(st.lists(REWARDS, max_size=1)))
    return draw(st.permutations(pool))


HOW = st.one_of(
    st.integers(1, 400).map(lambda n: {"extend_days": n}),
    st.sampled_from(["2030-01-01 11:00:00", "2025-12-31T00:00:00Z", "2026-04-05 02:30:00"]).map(
        lambda text: {"extend_date": text}
    ),
)


def extended_flags(found: list[Reward], **kwargs: Any) -> list[bool]:
    """Per found item, in order: whether ``extend`` extends it.

    EXT-10: a later occurrence of an id is always skipped; any other item is judged alone.
    """
    flags: list[bool] = []
    seen: set[int | None] = set()
    for item in found:
        flags.append(item.id not in seen and bool(extend([item], **kwargs).extended))
        seen.add(item.id)
    return flags


@settings(max_examples=budget(100))
@given(
    pool=reward_pools(),
    data=st.data(),
    profile_id=st.sampled_from(["p-1", "p-2"]),
    how=HOW,
    at=instants(),
    policy=policies(),
)
def test_ext11_property(
    pool: list[Reward],
    data: st.DataObject,
    profile_id: str,
    how: dict[str, Any],
    at: datetime,
    policy: Policy,
) -> None:
    known = [r.id for r in pool if r.id is not None]
    any_id = st.integers(1, 14)
    id_choice = st.one_of(st.sampled_from(known), any_id) if known else any_id
    ids = data.draw(st.lists(id_choice, min_size=1, max_size=8))
    request = parse_extend_request({"profile_id": profile_id, "ids": ids, **how})
    result = extend_request(pool, request, at=at, policy=policy)

    by_id = {r.id: r for r in pool if r.id is not None}
    # not_found: exactly the ids naming no item, with multiplicity, in body order.
    missing = [i for i in ids if i not in by_id]
    not_found = [(i, d) for i, d in result.skipped if ReasonCode.NOT_FOUND in d.codes]
    assert [i for i, _ in not_found] == missing
    for _, decision in not_found:
        assert codes(decision) == ["not_found"]
        assert not decision.allowed
        assert decision.retry_at is None

    # The found items, in body order, go through extend with the body's profile_id.
    found = [by_id[i] for i in ids if i in by_id]
    kwargs = {"profile_id": profile_id, "at": at, "policy": policy, **how}
    reference = extend(found, **kwargs)
    assert result.extended == reference.extended
    rest = [(i, codes(d)) for i, d in result.skipped if ReasonCode.NOT_FOUND not in d.codes]
    assert rest == [(i, codes(d)) for i, d in reference.skipped]

    # Body order across both kinds of skip: merge the reference back between the not_found.
    flags = iter(extended_flags(found, **kwargs))
    from_reference = iter(reference.skipped)
    expected_skipped: list[tuple[int, list[str]]] = []
    for i in ids:
        if i not in by_id:
            expected_skipped.append((i, ["not_found"]))
        elif not next(flags):
            ident, decision = next(from_reference)
            assert ident == i
            expected_skipped.append((i, codes(decision)))
    assert skipped_codes(result) == expected_skipped


MONEY = st.decimals(min_value=0, max_value=100, places=2)


@settings(max_examples=budget(300))
@given(
    owner=st.sampled_from([None, "p-1", "p-2"]),
    has_definition=st.booleans(),
    reassignable=st.booleans(),
    require_assigned=st.booleans(),
    max_value=st.one_of(st.none(), MONEY),
    value_initial=MONEY,
    new_owner=st.sampled_from(["absent", None, "p-1", "p-2"]),
    new_value=st.one_of(st.none(), MONEY),
    data=st.data(),
)
def test_crd17_property(
    owner: str | None,
    has_definition: bool,
    reassignable: bool,
    require_assigned: bool,
    max_value: Decimal | None,
    value_initial: Decimal,
    new_owner: str | None,
    new_value: Decimal | None,
    data: st.DataObject,
) -> None:
    definition = (
        CreditDefinition(
            is_reassignable=reassignable, require_assigned=require_assigned, max_value=max_value
        )
        if has_definition
        else None
    )
    # value_remaining stays within both values, so CRD-16 never speaks here.
    low = value_initial if new_value is None else min(value_initial, new_value)
    remaining = data.draw(st.decimals(min_value=0, max_value=low, places=2))
    credit = crd_credit(
        definition, owner=owner, value_initial=value_initial, value_remaining=remaining
    )
    changes: dict[str, Any] = {}
    if new_owner != "absent":
        changes["profile_id"] = new_owner
    if new_value is not None:
        changes["value_initial"] = format(new_value, "f")

    expected: list[str] = []
    if definition is not None:
        # CRD-17, judged on the keys the body sets (the documented decision).
        null_owner = new_owner is None and require_assigned
        moved = owner is not None and new_owner not in {None, owner} and not reassignable
        if "profile_id" in changes and (null_owner or moved):
            expected.append("$.profile_id")
        if new_value is not None and max_value is not None and new_value > max_value:
            expected.append("$.value_initial")

    if expected:
        with pytest.raises(PayloadError) as caught:
            edit_credit(credit, changes)
        assert Counter(p.where for p in caught.value.problems) == Counter(expected)
    else:
        edited = edit_credit(credit, changes)
        assert edited.profile_id == changes.get("profile_id", owner)
        assert edited.value_initial == (value_initial if new_value is None else new_value)
        assert edited.value_remaining == remaining
