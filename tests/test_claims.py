import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from loyalty_core import (
    DEFAULT_POLICY,
    Benefit,
    BenefitDefinition,
    ClaimResult,
    Decision,
    InvalidRequest,
    PeriodType,
    Policy,
    Profile,
    check_claim,
    claim_benefit,
    is_visible,
)
from tests.helpers import codes, definition, utc

US = timedelta(microseconds=1)
MELBOURNE = "Australia/Melbourne"
NEW_YORK = "America/New_York"


def holding(
    of: BenefitDefinition,
    *,
    claimed_at: datetime | None,
    issued_at: datetime | None = None,
    expires_at: datetime | None = None,
    remaining: int | None = 1,
    profile_id: str | None = "p-1",
    holding_id: int | None = 100,
) -> Benefit:
    """A benefit the profile holds; issued when claimed unless told otherwise."""
    return Benefit(
        id=holding_id,
        profile_id=profile_id,
        claimed_at=claimed_at,
        issued_at=claimed_at if issued_at is None else issued_at,
        expires_at=expires_at,
        redemptions_remaining=remaining,
        definition=of,
    )


P1 = Profile(id="p-1")


# --- RULES §4 example tables --------------------------------------------------------------------

G = definition(
    id=None,
    handle=None,
    claim_period_start_at=utc("2020-12-25 07:00:00"),
    claim_period_end_at=utc("2021-05-08 23:00:00"),
    period=50,
    max_redemptions=1,
    max_global_redemptions=None,
    is_reclaimable=True,
    claim_condition={"===": ["female", {"var": "gender"}]},
)


class TestDefinitionGTable:
    """CLM example table: definition G, timezone UTC, no holdings (RULES §4)."""

    @pytest.mark.parametrize(
        ("at", "gender", "expected_codes", "expected_retry"),
        [
            pytest.param(
                utc("2021-03-05 00:06:51"),
                "female",
                [],
                utc("2021-05-08 23:00:00.000001"),
                id="CLM-G-1-allowed",
            ),
            pytest.param(
                utc("2021-05-08 23:00:00"),
                "female",
                [],
                utc("2021-05-08 23:00:00.000001"),
                id="CLM-G-2-end-inclusive",
            ),
            pytest.param(
                utc("2020-12-25 06:59:59"),
                "female",
                ["claim_window_not_open"],
                utc("2020-12-25 07:00:00"),
                id="CLM-G-3-not-open",
            ),
            pytest.param(
                utc("2021-05-09 00:00:00"),
                "male",
                ["claim_window_closed", "condition_not_met"],
                None,
                id="CLM-G-4-closed-and-condition",
            ),
        ],
    )
    def test_row(
        self,
        at: datetime,
        gender: str,
        expected_codes: list[str],
        expected_retry: datetime | None,
    ) -> None:
        profile = Profile(id="p-1", context={"gender": gender})
        decision = check_claim(G, profile, at=at, timezone="UTC")
        assert expected_codes == codes(decision)
        assert expected_retry == decision.retry_at
        assert decision.allowed is (not expected_codes)

    def test_new_benefit(self) -> None:
        profile = Profile(id="p-1", context={"gender": "female"})
        result = claim_benefit(G, profile, at=utc("2021-03-05 00:06:51"), timezone="UTC")
        assert result.decision.allowed
        benefit = result.benefit
        assert benefit is not None
        assert benefit.issued_at == utc("2021-03-05 00:06:51")
        assert benefit.claimed_at == utc("2021-03-05 00:06:51")
        assert benefit.expires_at == utc("2021-04-24 23:59:59")
        assert benefit.redemptions_remaining == 1
        assert benefit.total_global_redemptions_remaining == 1
        assert benefit.timezone == "UTC"
        assert benefit.profile_id == "p-1"
        assert benefit.id is None
        assert benefit.extended_at is None
        assert result.definition.total_global_created == 1
        assert benefit.definition == result.definition

    def test_check_and_claim_share_the_decision(self) -> None:
        profile = Profile(id="p-1", context={"gender": "male"})
        at = utc("2021-05-09 00:00:00")
        assert check_claim(G, profile, at=at, timezone="UTC") == (
            claim_benefit(G, profile, at=at, timezone="UTC").decision
        )


R_OPEN = definition(period=30, max_redemptions=1)
H_CLAIMED = utc("2025-05-01 10:00:00")
H_EXPIRES = utc("2025-05-31 23:59:59")


class TestReclaimTable:
    """CLM-9/CLM-10 example table: definition R, holding H claimed 2025-05-01 10:00:00Z (Q10)."""

    @pytest.mark.parametrize(
        ("reclaimable", "claimed_at", "remaining", "policy", "at", "expected", "retry"),
        [
            pytest.param(
                True,
                H_CLAIMED,
                1,
                DEFAULT_POLICY,
                utc("2025-05-31 23:59:59"),
                ["active_claim_exists"],
                utc("2025-05-31 23:59:59.000001"),
                id="CLM-10-active-at-expiry",
            ),
            pytest.param(
                True,
                H_CLAIMED,
                1,
                DEFAULT_POLICY,
                utc("2025-06-01 00:00:00"),
                [],
                None,
                id="CLM-10-expired-allowed",
            ),
            pytest.param(
                True,
                H_CLAIMED,
                0,
                DEFAULT_POLICY,
                utc("2025-05-20 00:00:00"),
                [],
                None,
                id="CLM-10-used-up-allowed",
            ),
            pytest.param(
                True,
                H_CLAIMED,
                1,
                Policy(reclaim_requires_inactive=False),
                utc("2025-05-20 00:00:00"),
                [],
                None,
                id="POL-2-reclaim-while-active",
            ),
            pytest.param(
                False,
                H_CLAIMED,
                1,
                DEFAULT_POLICY,
                utc("2025-06-01 00:00:00"),
                ["already_claimed"],
                None,
                id="CLM-9-expired-still-blocks",
            ),
            pytest.param(
                False,
                None,
                1,
                DEFAULT_POLICY,
                utc("2025-05-20 00:00:00"),
                [],
                None,
                id="CLM-15-unclaimed-never-blocks",
            ),
        ],
    )
    def test_row(
        self,
        reclaimable: bool,
        claimed_at: datetime | None,
        remaining: int,
        policy: Policy,
        at: datetime,
        expected: list[str],
        retry: datetime | None,
    ) -> None:
        r = attrs.evolve(R_OPEN, is_reclaimable=reclaimable)
        h = holding(
            r,
            claimed_at=claimed_at,
            issued_at=H_CLAIMED,
            expires_at=H_EXPIRES,
            remaining=remaining,
        )
        decision = check_claim(r, P1, at=at, timezone="UTC", holdings=[h], policy=policy)
        assert expected == codes(decision)
        assert retry == decision.retry_at


PREVIOUS_CLAIM = utc("2026-03-31 13:30:00")  # 2026-04-01 00:30 AEDT


class TestTimeframeTable:
    """CLM-11/CLM-16 example table: claims in Australia/Melbourne, previous claim used up."""

    @pytest.mark.parametrize(
        ("timeframe", "at", "expected", "retry"),
        [
            pytest.param(
                "month",
                utc("2026-04-20 02:00:00"),
                ["claim_timeframe_limit"],
                utc("2026-04-30 14:00:00"),
                id="CLM-16-month-same-month",
            ),
            pytest.param(
                "month", utc("2026-04-30 14:00:00"), [], None, id="CLM-16-month-next-month"
            ),
            pytest.param(
                ["1", "months"],
                utc("2026-04-30 14:29:59"),
                ["claim_timeframe_limit"],
                utc("2026-04-30 14:30:00"),
                id="CLM-16-rolling-month-before",
            ),
            pytest.param(
                ["1", "months"], utc("2026-04-30 14:30:00"), [], None, id="CLM-16-rolling-month-at"
            ),
        ],
    )
    def test_row(
        self, timeframe: object, at: datetime, expected: list[str], retry: datetime | None
    ) -> None:
        d = definition(is_reclaimable=True, claim_timeframe=timeframe, max_redemptions=1)
        h = holding(d, claimed_at=PREVIOUS_CLAIM, remaining=0)
        decision = check_claim(d, P1, at=at, timezone=MELBOURNE, holdings=[h])
        assert expected == codes(decision)
        assert retry == decision.retry_at


# --- RULES §5 VIS ----------------------------------------------------------------------------

VIS_DEF = definition(
    view_condition={"in": [{"var": "tier_handle"}, ["gold", "silver"]]},
    claim_condition={"===": [{"var": "tier_handle"}, "gold"]},
)
VIS_AT = utc("2025-01-01 00:00:00")


class TestVisibilityTable:
    """VIS-1/VIS-2 example table: view_condition and claim_condition are independent (Q12)."""

    @pytest.mark.parametrize(
        ("tier", "archived", "visible", "expected"),
        [
            pytest.param("silver", False, True, ["condition_not_met"], id="VIS-teaser-silver"),
            pytest.param("bronze", False, False, ["condition_not_met"], id="VIS-hidden-bronze"),
            pytest.param("gold", True, False, ["archived"], id="VIS-archived-gold"),
        ],
    )
    def test_row(self, tier: str, archived: bool, visible: bool, expected: list[str]) -> None:
        d = attrs.evolve(VIS_DEF, is_archived=archived)
        profile = Profile(id="p-1", context={"tier_handle": tier})
        assert visible == is_visible(d, profile, at=VIS_AT, policy=DEFAULT_POLICY)
        assert expected == codes(check_claim(d, profile, at=VIS_AT, timezone="UTC"))


class TestVisibilityRules:
    """VIS-1: published, not archived, view_condition and visibility_condition both hold."""

    GOLD = Profile(id="p-1", context={"tier_handle": "gold", "gender": "female"})

    @pytest.mark.parametrize(
        ("fields", "visible"),
        [
            pytest.param({}, True, id="VIS-1-plain"),
            pytest.param({"is_published": False}, False, id="VIS-1-unpublished"),
            pytest.param({"is_archived": True}, False, id="VIS-1-archived"),
            pytest.param(
                {"view_condition": {"==": [{"var": "tier_handle"}, "gold"]}},
                True,
                id="VIS-1-view-holds",
            ),
            pytest.param(
                {"visibility_condition": {"==": [{"var": "gender"}, "male"]}},
                False,
                id="VIS-1-visibility-fails",
            ),
            pytest.param(
                {
                    "view_condition": {"==": [{"var": "tier_handle"}, "gold"]},
                    "visibility_condition": {"==": [{"var": "gender"}, "male"]},
                },
                False,
                id="VIS-1-both-must-hold-second-fails",
            ),
            pytest.param(
                {
                    "view_condition": {"==": [{"var": "tier_handle"}, "silver"]},
                    "visibility_condition": {"==": [{"var": "gender"}, "female"]},
                },
                False,
                id="VIS-1-both-must-hold-first-fails",
            ),
            pytest.param(
                {
                    "view_condition": {"==": [{"var": "tier_handle"}, "gold"]},
                    "visibility_condition": {"==": [{"var": "gender"}, "female"]},
                },
                True,
                id="VIS-1-both-hold",
            ),
            pytest.param(
                {
                    "is_claimable": False,
                    "is_assignable": False,
                    "claim_condition": {"==": [1, 2]},
                    "claim_period_end_at": utc("2000-01-01 00:00:00"),
                },
                True,
                id="VIS-2-ignores-claim-rules",
            ),
        ],
    )
    def test_visible(self, fields: dict[str, Any], visible: bool) -> None:
        d = definition(**fields)
        assert visible == is_visible(d, self.GOLD, at=VIS_AT)

    def test_check_claim_never_reads_view_conditions(self) -> None:
        """VIS-2: failing view/visibility conditions do not refuse a claim."""
        d = definition(
            view_condition={"==": [1, 2]}, visibility_condition={"==": [{"var": "x"}, "y"]}
        )
        assert codes(check_claim(d, self.GOLD, at=VIS_AT, timezone="UTC")) == []

    def test_visible_ignores_holdings_state(self) -> None:
        """VIS-2: a profile that can no longer claim still sees the definition."""
        d = definition()
        h = holding(d, claimed_at=utc("2024-01-01 00:00:00"))
        assert codes(check_claim(d, P1, at=VIS_AT, timezone="UTC", holdings=[h])) == [
            "already_claimed"
        ]
        assert is_visible(d, P1, at=VIS_AT)

    def test_naive_at_is_invalid(self) -> None:
        """VIS-3: at must be aware."""
        with pytest.raises(InvalidRequest, match="at"):
            is_visible(definition(), P1, at=datetime(2025, 1, 1))


# --- CLM-1 to CLM-4: flags and POL-4 ----------------------------------------------------------

AT = utc("2025-03-01 12:00:00")


class TestFlags:
    """CLM-1 to CLM-4: claimable, archived, published, assignable (Q14, Q15; null = false)."""

    @pytest.mark.parametrize(
        ("fields", "policy", "expected"),
        [
            pytest.param({}, DEFAULT_POLICY, [], id="CLM-1-4-all-set"),
            pytest.param({"is_claimable": False}, DEFAULT_POLICY, ["not_claimable"], id="CLM-1"),
            pytest.param({"is_archived": True}, DEFAULT_POLICY, ["archived"], id="CLM-2"),
            pytest.param({"is_published": False}, DEFAULT_POLICY, ["unpublished"], id="CLM-3"),
            pytest.param({"is_assignable": False}, DEFAULT_POLICY, ["not_assignable"], id="CLM-4"),
            pytest.param(
                {"is_assignable": False},
                Policy(claims_require_assignable=False),
                [],
                id="POL-4-off-unassignable-allowed",
            ),
            pytest.param(
                {"is_claimable": False, "is_assignable": False},
                Policy(claims_require_assignable=False),
                ["not_claimable"],
                id="POL-4-off-other-flags-still-apply",
            ),
        ],
    )
    def test_flag(self, fields: dict[str, Any], policy: Policy, expected: list[str]) -> None:
        d = definition(**fields)
        decision = check_claim(d, P1, at=AT, timezone="UTC", policy=policy)
        assert expected == codes(decision)

    def test_null_flags_read_as_false(self) -> None:
        """CLM-1/CLM-3/CLM-4: null flags (here from a payload) refuse; null archived allows."""
        d = BenefitDefinition.from_api(
            {
                "is_claimable": None,
                "is_published": None,
                "is_assignable": None,
                "is_archived": None,
            }
        )
        decision = check_claim(d, P1, at=AT, timezone="UTC")
        assert codes(decision) == ["not_claimable", "unpublished", "not_assignable"]
        assert decision.retry_at is None

    def test_all_four_in_table_order(self) -> None:
        d = definition(
            is_claimable=False, is_archived=True, is_published=False, is_assignable=False
        )
        decision = check_claim(d, P1, at=AT, timezone="UTC")
        assert codes(decision) == ["not_claimable", "archived", "unpublished", "not_assignable"]


# --- CLM-5 to CLM-7: the claim window and end_at ----------------------------------------------

START = utc("2025-01-01 00:00:00")
END = utc("2025-01-31 23:59:59")


class TestClaimWindow:
    """CLM-5/CLM-6 (Q2): inclusive bounds, null bound open; CLM-7 (Q16): no claim after end_at."""

    @pytest.mark.parametrize(
        ("start", "end", "at", "expected"),
        [
            pytest.param(START, END, START, [], id="CLM-5-at-start-allowed"),
            pytest.param(START, END, START - US, ["claim_window_not_open"], id="CLM-5-1us-before"),
            pytest.param(START, END, END, [], id="CLM-6-window-end-inclusive"),
            pytest.param(START, END, END + US, ["claim_window_closed"], id="CLM-6-1us-after"),
            pytest.param(None, END, utc("1900-01-01 00:00:00"), [], id="CLM-5-null-start-open"),
            pytest.param(START, None, utc("2200-01-01 00:00:00"), [], id="CLM-6-null-end-open"),
            pytest.param(START, START, START, [], id="CLM-5-6-one-instant-window"),
            pytest.param(
                START, START, START + US, ["claim_window_closed"], id="CLM-6-one-instant-after"
            ),
            pytest.param(
                START, START, START - US, ["claim_window_not_open"], id="CLM-5-one-instant-before"
            ),
        ],
    )
    def test_window(
        self, start: datetime | None, end: datetime | None, at: datetime, expected: list[str]
    ) -> None:
        d = definition(claim_period_start_at=start, claim_period_end_at=end)
        assert expected == codes(check_claim(d, P1, at=at, timezone="UTC"))

    @pytest.mark.parametrize(
        ("at", "expected"),
        [
            pytest.param(END, [], id="CLM-7-at-end_at-allowed"),
            pytest.param(END + US, ["definition_ended"], id="CLM-7-1us-after"),
        ],
    )
    def test_end_at(self, at: datetime, expected: list[str]) -> None:
        d = definition(end_at=END)
        assert expected == codes(check_claim(d, P1, at=at, timezone="UTC"))

    def test_window_compared_as_instants(self) -> None:
        """TIME-1/TIME-7: an `at` in another zone is compared as an instant."""
        d = definition(claim_period_start_at=START)
        at_melbourne = START.astimezone(ZoneInfo(MELBOURNE))  # 11:00 AEDT, same instant
        assert codes(check_claim(d, P1, at=at_melbourne, timezone="UTC")) == []
        before = (START - US).astimezone(ZoneInfo(NEW_YORK))
        assert codes(check_claim(d, P1, at=before, timezone="UTC")) == ["claim_window_not_open"]

    def test_window_from_payload_is_utc(self) -> None:
        """TIME-7: a naive window bound in a payload is UTC, whatever the claim timezone."""
        d = BenefitDefinition.from_api(
            {
                "is_claimable": True,
                "is_published": True,
                "is_assignable": True,
                "claim_period_start_at": "2025-01-01 00:00:00",
            }
        )
        before = utc("2024-12-31 23:59:59")
        decision = check_claim(d, P1, at=before, timezone=MELBOURNE)
        assert codes(decision) == ["claim_window_not_open"]
        assert utc("2025-01-01 00:00:00") == decision.retry_at


# --- CLM-8: the claim condition ----------------------------------------------------------------


class TestClaimCondition:
    """CLM-8: claim_condition must hold for the profile (COND-1, COND-4)."""

    @pytest.mark.parametrize(
        ("condition", "context", "expected"),
        [
            pytest.param(None, {}, [], id="CLM-8-none"),
            pytest.param("", {}, [], id="CLM-8-empty-string"),
            pytest.param([], {}, [], id="CLM-8-empty-list"),
            pytest.param({}, {}, [], id="CLM-8-empty-object"),
            pytest.param(
                {">": [{"var": "aggregations.spend_12m"}, 1000]},
                {"aggregations": {"spend_12m": 1250.5}},
                [],
                id="CLM-8-holds",
            ),
            pytest.param(
                {">": [{"var": "aggregations.spend_12m"}, 1000]},
                {"aggregations": {"spend_12m": 999}},
                ["condition_not_met"],
                id="CLM-8-fails",
            ),
            pytest.param(
                {">": [{"var": "aggregations.spend_12m"}, 1000]},
                {},
                ["condition_not_met"],
                id="CLM-8-missing-path-is-null",
            ),
            pytest.param(
                '{"in":["vip",{"var":"flattened_tags"}]}',
                {"flattened_tags": ["vip"]},
                [],
                id="CLM-8-json-text",
            ),
            pytest.param({"==": [{"var": "id"}, "p-1"]}, {}, [], id="COND-4-id-in-context"),
        ],
    )
    def test_condition(
        self, condition: object, context: dict[str, Any], expected: list[str]
    ) -> None:
        d = definition(claim_condition=condition)
        profile = Profile(id="p-1", context=context)
        assert expected == codes(check_claim(d, profile, at=AT, timezone="UTC"))

    def test_message_mentions_observed_value(self) -> None:
        d = definition(claim_condition={"==": [{"var": "tier_handle"}, "gold"]})
        profile = Profile(id="p-1", context={"tier_handle": "silver"})
        (reason,) = check_claim(d, profile, at=AT, timezone="UTC").reasons
        assert reason.message[0].islower()
        assert "silver" in reason.message
        assert "gold" in reason.message
        json.dumps(dict(reason.detail))


# --- CLM-9, CLM-10, CLM-15: holdings ------------------------------------------------------------

CLAIMED = utc("2025-02-01 10:00:00")


class TestAlreadyClaimed:
    """CLM-9/CLM-10 (Q10, POL-2): non-reclaimable blocks any claimed copy; reclaimable, active."""

    @pytest.mark.parametrize(
        ("expires_at", "remaining", "expected"),
        [
            pytest.param(None, 1, ["already_claimed"], id="CLM-9-active"),
            pytest.param(utc("2025-02-10 00:00:00"), 1, ["already_claimed"], id="CLM-9-expired"),
            pytest.param(None, 0, ["already_claimed"], id="CLM-9-used-up"),
        ],
    )
    def test_not_reclaimable(
        self, expires_at: datetime | None, remaining: int, expected: list[str]
    ) -> None:
        d = definition(is_reclaimable=False)
        h = holding(d, claimed_at=CLAIMED, expires_at=expires_at, remaining=remaining)
        decision = check_claim(d, P1, at=AT, timezone="UTC", holdings=[h])
        assert expected == codes(decision)
        assert decision.retry_at is None

    def test_not_reclaimable_unaffected_by_pol2(self) -> None:
        """POL-2 only relaxes CLM-10; CLM-9 still applies."""
        d = definition(is_reclaimable=False)
        h = holding(d, claimed_at=CLAIMED, remaining=0)
        policy = Policy(reclaim_requires_inactive=False)
        decision = check_claim(d, P1, at=AT, timezone="UTC", holdings=[h], policy=policy)
        assert codes(decision) == ["already_claimed"]

    @pytest.mark.parametrize(
        ("issued_at", "expires_at", "remaining", "expected"),
        [
            pytest.param(CLAIMED, None, 1, ["active_claim_exists"], id="CLM-10-active"),
            pytest.param(CLAIMED, None, None, ["active_claim_exists"], id="CLM-10-unlimited"),
            pytest.param(CLAIMED, AT, 1, ["active_claim_exists"], id="CLM-10-expires-at-at"),
            pytest.param(CLAIMED, AT - US, 1, [], id="CLM-10-expired-1us-before"),
            pytest.param(CLAIMED, None, 0, [], id="CLM-10-used-up"),
            pytest.param(AT, None, 1, ["active_claim_exists"], id="CLM-10-issued-at-at"),
            pytest.param(AT + US, None, 1, [], id="CLM-10-not-yet-issued-Q36"),
        ],
    )
    def test_reclaimable(
        self,
        issued_at: datetime,
        expires_at: datetime | None,
        remaining: int | None,
        expected: list[str],
    ) -> None:
        d = definition(is_reclaimable=True, max_redemptions=None)
        h = holding(
            d, claimed_at=CLAIMED, issued_at=issued_at, expires_at=expires_at, remaining=remaining
        )
        assert expected == codes(check_claim(d, P1, at=AT, timezone="UTC", holdings=[h]))

    def test_several_active_copies_one_reason(self) -> None:
        d = definition(is_reclaimable=True)
        hs = [holding(d, claimed_at=CLAIMED, holding_id=i) for i in (1, 2, 3)]
        assert codes(check_claim(d, P1, at=AT, timezone="UTC", holdings=hs)) == [
            "active_claim_exists"
        ]

    def test_already_claimed_message(self) -> None:
        d = definition()
        h = holding(d, claimed_at=CLAIMED, holding_id=42)
        (reason,) = check_claim(d, P1, at=AT, timezone="UTC", holdings=[h]).reasons
        assert reason.message[0].islower()
        assert "42" in reason.message
        json.dumps(dict(reason.detail))


class TestHoldings:
    """CLM-15: which holdings count, which are of the definition, which are claimed."""

    @pytest.mark.parametrize(
        ("holding_profile", "profile_id", "expected"),
        [
            pytest.param("p-1", "p-1", ["already_claimed"], id="CLM-15-same-profile"),
            pytest.param("p-2", "p-1", [], id="CLM-15-other-profile-ignored"),
            pytest.param(None, "p-1", ["already_claimed"], id="CLM-15-holding-profile-null"),
            pytest.param("p-2", None, ["already_claimed"], id="CLM-15-profile-id-null"),
        ],
    )
    def test_profile(
        self, holding_profile: str | None, profile_id: str | None, expected: list[str]
    ) -> None:
        d = definition()
        h = holding(d, claimed_at=CLAIMED, profile_id=holding_profile)
        profile = Profile(id=profile_id)
        assert expected == codes(check_claim(d, profile, at=AT, timezone="UTC", holdings=[h]))

    @pytest.mark.parametrize(
        ("mine", "theirs", "expected"),
        [
            pytest.param((1, "a"), (1, "a"), ["already_claimed"], id="CLM-15-same-id-handle"),
            pytest.param(
                (1, "a"), (1, "b"), ["already_claimed"], id="CLM-15-id-wins-handles-differ"
            ),
            pytest.param((1, "a"), (2, "a"), [], id="CLM-15-ids-differ-same-handle"),
            pytest.param((None, "a"), (2, "a"), ["already_claimed"], id="CLM-15-null-id-by-handle"),
            pytest.param((1, "a"), (None, "a"), ["already_claimed"], id="CLM-15-holding-null-id"),
            pytest.param((None, "a"), (None, "b"), [], id="CLM-15-handles-differ"),
            pytest.param((None, None), (None, None), [], id="CLM-15-nothing-to-match"),
            pytest.param((None, "a"), (None, None), [], id="CLM-15-holding-handle-null"),
            pytest.param((1, None), (None, None), [], id="CLM-15-one-id-no-handles"),
        ],
    )
    def test_definition_matching(
        self,
        mine: tuple[int | None, str | None],
        theirs: tuple[int | None, str | None],
        expected: list[str],
    ) -> None:
        d = definition(id=mine[0], handle=mine[1])
        other = definition(id=theirs[0], handle=theirs[1])
        h = holding(other, claimed_at=CLAIMED)
        assert expected == codes(check_claim(d, P1, at=AT, timezone="UTC", holdings=[h]))

    def test_unclaimed_holding_never_blocks(self) -> None:
        """CLM-15: an instance issued without a claim never blocks (CLM-9, CLM-10, CLM-11)."""
        for reclaimable, timeframe in ((False, None), (True, None), (True, "year")):
            d = definition(is_reclaimable=reclaimable, claim_timeframe=timeframe)
            h = holding(d, claimed_at=None, issued_at=CLAIMED)
            decision = check_claim(d, P1, at=AT, timezone="UTC", holdings=[h])
            assert codes(decision) == []

    def test_holdings_may_be_any_iterable(self) -> None:
        d = definition()
        h = holding(d, claimed_at=CLAIMED)
        decision = check_claim(d, P1, at=AT, timezone="UTC", holdings=iter([h]))
        assert codes(decision) == ["already_claimed"]


# --- CLM-11 and CLM-16: claim_timeframe ---------------------------------------------------------


def timeframe_check(timeframe: object, claims: list[datetime], at: datetime, zone: str) -> Decision:
    d = definition(is_reclaimable=True, claim_timeframe=timeframe, max_redemptions=1)
    hs = [holding(d, claimed_at=c, remaining=0, holding_id=i) for i, c in enumerate(claims)]
    return check_claim(d, P1, at=at, timezone=zone, holdings=hs)


class TestCalendarTimeframe:
    """CLM-16 calendar windows: one claim per local day / ISO week / month / year (Q11)."""

    @pytest.mark.parametrize(
        ("timeframe", "zone", "claimed", "at", "expected", "retry"),
        [
            # day, New York, on the spring-forward day (a 23-hour day)
            pytest.param(
                "day",
                NEW_YORK,
                utc("2026-03-08 16:00:00"),
                utc("2026-03-09 03:59:59.999999"),
                ["claim_timeframe_limit"],
                utc("2026-03-09 04:00:00"),
                id="CLM-16-day-last-us-of-local-day",
            ),
            pytest.param(
                "day",
                NEW_YORK,
                utc("2026-03-08 16:00:00"),
                utc("2026-03-09 04:00:00"),
                [],
                None,
                id="CLM-16-day-next-local-day",
            ),
            pytest.param(
                "day",
                "UTC",
                utc("2026-03-08 16:00:00"),
                utc("2026-03-09 03:59:59"),
                [],
                None,
                id="CLM-16-day-claim-timezone-used",
            ),
            pytest.param(
                "day",
                NEW_YORK,
                utc("2026-03-08 16:00:00"),
                utc("2026-03-08 05:00:00"),
                ["claim_timeframe_limit"],
                utc("2026-03-09 04:00:00"),
                id="CLM-16-day-local-midnight",
            ),
            # week, Melbourne: Wed 2026-04-01 00:30 AEDT; the week ends after DST ends
            pytest.param(
                " Week ",
                MELBOURNE,
                PREVIOUS_CLAIM,
                utc("2026-04-05 13:59:59.999999"),
                ["claim_timeframe_limit"],
                utc("2026-04-05 14:00:00"),
                id="CLM-16-week-sunday-last-us",
            ),
            pytest.param(
                "week",
                MELBOURNE,
                PREVIOUS_CLAIM,
                utc("2026-04-05 14:00:00"),
                [],
                None,
                id="CLM-16-week-monday-start",
            ),
            pytest.param(
                "week",
                MELBOURNE,
                PREVIOUS_CLAIM,
                utc("2026-03-29 13:00:00"),
                ["claim_timeframe_limit"],
                utc("2026-04-05 14:00:00"),
                id="CLM-16-week-monday-00-00",
            ),
            pytest.param(
                "week",
                MELBOURNE,
                PREVIOUS_CLAIM,
                utc("2026-03-29 12:59:59.999999"),
                [],
                utc("2026-03-29 13:00:00"),  # the claim's week starts then
                id="CLM-16-week-previous-sunday",
            ),
            # ISO week across the new year: Mon 2024-12-30 is in 2025-W01
            pytest.param(
                "week",
                "UTC",
                utc("2024-12-30 08:00:00"),
                utc("2025-01-05 23:59:59"),
                ["claim_timeframe_limit"],
                utc("2025-01-06 00:00:00"),
                id="CLM-16-week-iso-across-new-year",
            ),
            # month, UTC, December to January
            pytest.param(
                "month",
                "UTC",
                utc("2025-12-15 00:00:00"),
                utc("2025-12-31 23:59:59.999999"),
                ["claim_timeframe_limit"],
                utc("2026-01-01 00:00:00"),
                id="CLM-16-month-december",
            ),
            pytest.param(
                "MONTH",
                "UTC",
                utc("2025-12-15 00:00:00"),
                utc("2026-01-01 00:00:00"),
                [],
                None,
                id="CLM-16-month-january",
            ),
            # year, Melbourne: the local new year is 13:00Z on 31 Dec
            pytest.param(
                "year",
                MELBOURNE,
                utc("2025-06-01 00:00:00"),
                utc("2025-12-31 12:59:59.999999"),
                ["claim_timeframe_limit"],
                utc("2025-12-31 13:00:00"),
                id="CLM-16-year-last-us",
            ),
            pytest.param(
                "year",
                MELBOURNE,
                utc("2025-06-01 00:00:00"),
                utc("2025-12-31 13:00:00"),
                [],
                None,
                id="CLM-16-year-local-new-year",
            ),
            pytest.param(
                ["year"],
                MELBOURNE,
                utc("2024-12-31 12:59:59"),
                utc("2025-06-01 00:00:00"),
                [],
                None,
                id="CLM-16-year-previous-local-year",
            ),
        ],
    )
    def test_window(
        self,
        timeframe: object,
        zone: str,
        claimed: datetime,
        at: datetime,
        expected: list[str],
        retry: datetime | None,
    ) -> None:
        decision = timeframe_check(timeframe, [claimed], at, zone)
        assert expected == codes(decision)
        assert retry == decision.retry_at

    @pytest.mark.parametrize("timeframe", [None, "", [], "  "])
    def test_no_limit(self, timeframe: object) -> None:
        decision = timeframe_check(timeframe, [AT - US], AT, "UTC")
        assert codes(decision) == []

    def test_other_profile_claims_ignored(self) -> None:
        d = definition(is_reclaimable=True, claim_timeframe="month")
        h = holding(d, claimed_at=AT - US, remaining=0, profile_id="p-2")
        assert codes(check_claim(d, P1, at=AT, timezone="UTC", holdings=[h])) == []

    def test_message_and_detail(self) -> None:
        decision = timeframe_check(
            "month", [utc("2026-04-01 00:00:00")], utc("2026-04-15 00:00:00"), "UTC"
        )
        (reason,) = decision.reasons
        assert reason.message[0].islower()
        assert "2026-04-01T00:00:00Z" in reason.message
        assert "2026-05-01T00:00:00Z" in reason.message
        detail = json.loads(json.dumps(dict(reason.detail)))
        assert "2026-04-01T00:00:00Z" in detail.values()

    def test_calendar_window_in_year_9999_is_a_refusal_not_a_crash(self) -> None:
        """CLM-16: a claim in the last storable year; the next window lies past year 9999."""
        decision = timeframe_check(
            "year", [utc("9999-06-01 00:00:00")], utc("9999-07-01 00:00:00"), "UTC"
        )
        assert codes(decision) == ["claim_timeframe_limit"]


class TestRollingTimeframe:
    """CLM-16 rolling windows: allowed iff at >= latest claimed_at + N units, wall time kept."""

    @pytest.mark.parametrize(
        ("timeframe", "zone", "claims", "at", "expected", "retry"),
        [
            # 30 days across Melbourne's DST end: 10:00 AEDT -> 10:00 AEST, 30 d 1 h later
            pytest.param(
                "30 days",
                MELBOURNE,
                [utc("2026-03-19 23:00:00")],
                utc("2026-04-18 23:00:00"),
                ["claim_timeframe_limit"],
                utc("2026-04-19 00:00:00"),
                id="CLM-16-30-days-not-30x24h",
            ),
            pytest.param(
                "30 days",
                MELBOURNE,
                [utc("2026-03-19 23:00:00")],
                utc("2026-04-18 23:59:59.999999"),
                ["claim_timeframe_limit"],
                utc("2026-04-19 00:00:00"),
                id="CLM-16-30-days-1us-before",
            ),
            pytest.param(
                "30 days",
                MELBOURNE,
                [utc("2026-03-19 23:00:00")],
                utc("2026-04-19 00:00:00"),
                [],
                None,
                id="CLM-16-30-days-wall-time-kept",
            ),
            pytest.param(
                "30 days",
                "UTC",
                [utc("2026-03-19 23:00:00")],
                utc("2026-04-18 23:00:00"),
                [],
                None,
                id="CLM-16-30-days-utc",
            ),
            pytest.param(
                ["2", "weeks"],
                "UTC",
                [utc("2025-01-01 12:00:00")],
                utc("2025-01-15 11:59:59.999999"),
                ["claim_timeframe_limit"],
                utc("2025-01-15 12:00:00"),
                id="CLM-16-2-weeks",
            ),
            pytest.param(
                "1 year",
                "UTC",
                [utc("2024-02-29 12:00:00")],
                utc("2025-02-28 11:59:59.999999"),
                ["claim_timeframe_limit"],
                utc("2025-02-28 12:00:00"),
                id="CLM-16-1-year-leap-day-clamped",
            ),
            pytest.param(
                "1 year",
                "UTC",
                [utc("2024-02-29 12:00:00")],
                utc("2025-02-28 12:00:00"),
                [],
                None,
                id="CLM-16-1-year-at-bound",
            ),
            pytest.param(
                "1 Month",
                NEW_YORK,
                [utc("2024-01-31 20:00:00")],
                utc("2024-02-29 19:59:59"),
                ["claim_timeframe_limit"],
                utc("2024-02-29 20:00:00"),
                id="CLM-16-1-month-clamped-to-29-feb",
            ),
            pytest.param(
                "1 day",
                NEW_YORK,
                [utc("2026-03-07 17:00:00")],
                utc("2026-03-08 15:59:59"),
                ["claim_timeframe_limit"],
                utc("2026-03-08 16:00:00"),
                id="CLM-16-1-day-over-spring-forward",
            ),
            pytest.param(
                "7 days",
                "UTC",
                [utc("2025-01-10 08:00:00"), utc("2025-01-01 08:00:00")],
                utc("2025-01-16 08:00:00"),
                ["claim_timeframe_limit"],
                utc("2025-01-17 08:00:00"),
                id="CLM-16-latest-claim-counts",
            ),
        ],
    )
    def test_window(
        self,
        timeframe: object,
        zone: str,
        claims: list[datetime],
        at: datetime,
        expected: list[str],
        retry: datetime | None,
    ) -> None:
        decision = timeframe_check(timeframe, claims, at, zone)
        assert expected == codes(decision)
        assert retry == decision.retry_at

    def test_message_and_detail(self) -> None:
        decision = timeframe_check(
            "7 days", [utc("2025-01-10 08:00:00")], utc("2025-01-12 00:00:00"), "UTC"
        )
        (reason,) = decision.reasons
        assert reason.message[0].islower()
        assert "2025-01-10T08:00:00Z" in reason.message
        assert "2025-01-17T08:00:00Z" in reason.message
        json.dumps(dict(reason.detail))

    def test_long_rolling_window_is_a_refusal_not_a_crash(self) -> None:
        """CLM-16: "8000 years" is a valid timeframe; its bound lies past year 9999."""
        decision = timeframe_check(
            "8000 years", [utc("2020-01-01 00:00:00")], utc("2020-06-01 00:00:00"), "UTC"
        )
        assert codes(decision) == ["claim_timeframe_limit"]


# --- CLM-12, CLM-13, CLM-18: global cap and allocations ------------------------------------------


class TestGlobalExhausted:
    """CLM-12: refused when max_global_redemptions is set and the global remaining is 0."""

    @pytest.mark.parametrize(
        ("cap", "used", "expected"),
        [
            pytest.param(None, 10**6, [], id="CLM-12-no-cap"),
            pytest.param(10, 9, [], id="CLM-12-one-left"),
            pytest.param(10, 10, ["global_redemptions_exhausted"], id="CLM-12-exhausted"),
            pytest.param(10, 12, ["global_redemptions_exhausted"], id="CLM-12-over-cap"),
            pytest.param(0, 0, ["global_redemptions_exhausted"], id="CLM-12-cap-zero"),
        ],
    )
    def test_global(self, cap: int | None, used: int, expected: list[str]) -> None:
        d = definition(max_global_redemptions=cap, total_global_redemptions=used)
        decision = check_claim(d, P1, at=AT, timezone="UTC")
        assert expected == codes(decision)
        if expected:
            assert decision.retry_at is None
            (reason,) = decision.reasons
            assert reason.message[0].islower()
            assert str(used) in reason.message
            assert str(cap) in reason.message
            json.dumps(dict(reason.detail))


class TestAllocations:
    """CLM-13/CLM-18 (Q17): force_allocation needs an allocation left and consumes one."""

    @pytest.mark.parametrize(
        ("force", "left", "expected", "left_after"),
        [
            pytest.param(True, None, ["allocations_exhausted"], None, id="CLM-13-null"),
            pytest.param(True, 0, ["allocations_exhausted"], 0, id="CLM-13-zero"),
            pytest.param(True, 1, [], 0, id="CLM-18-last-allocation-consumed"),
            pytest.param(True, 5, [], 4, id="CLM-18-decrement"),
            pytest.param(False, None, [], None, id="Q17-no-force-null-unchecked"),
            pytest.param(False, 0, [], 0, id="Q17-no-force-zero-not-checked"),
            pytest.param(False, 3, [], 3, id="Q17-no-force-not-consumed"),
        ],
    )
    def test_allocation(
        self, force: bool, left: int | None, expected: list[str], left_after: int | None
    ) -> None:
        d = definition(
            force_allocation=force, total_allocations_remaining=left, total_allocations=5
        )
        result = claim_benefit(d, P1, at=AT, timezone="UTC")
        assert expected == codes(result.decision)
        assert left_after == result.definition.total_allocations_remaining
        assert result.definition.total_allocations == 5
        if expected:
            assert result.benefit is None
            assert result.definition == d
            (reason,) = result.decision.reasons
            assert reason.message[0].islower()
            assert str(left) in reason.message
        else:
            assert result.benefit is not None
            assert result.benefit.definition == result.definition

    def test_allocations_across_members(self) -> None:
        """CLM-18: threading the returned definition, 2 allocations serve exactly 2 members."""
        d = definition(force_allocation=True, total_allocations_remaining=2)
        outcomes = []
        for member in ("p-1", "p-2", "p-3"):
            result = claim_benefit(d, Profile(id=member), at=AT, timezone="UTC")
            outcomes.append(codes(result.decision))
            d = result.definition
        assert outcomes == [[], [], ["allocations_exhausted"]]
        assert d.total_allocations_remaining == 0
        assert d.total_global_created == 2


class TestCounters:
    """CLM-18: an allowed claim adds 1 to total_global_created; a refusal changes nothing."""

    def test_allowed(self) -> None:
        d = definition(total_global_created=41, total_global_redemptions=3)
        result = claim_benefit(d, P1, at=AT, timezone="UTC")
        assert result.definition == attrs.evolve(d, total_global_created=42)
        assert result.definition.total_global_redemptions == 3

    def test_refused(self) -> None:
        d = definition(
            total_global_created=41,
            claim_period_end_at=AT - US,
            force_allocation=True,
            total_allocations_remaining=3,
        )
        result = claim_benefit(d, P1, at=AT, timezone="UTC")
        assert isinstance(result, ClaimResult)
        assert codes(result.decision) == ["claim_window_closed"]
        assert result.benefit is None
        assert result.definition == d
        assert result.definition.total_global_created == 41
        assert result.definition.total_allocations_remaining == 3

    def test_inputs_not_mutated(self) -> None:
        d = definition(total_global_created=1)
        h = holding(attrs.evolve(d, id=2), claimed_at=CLAIMED)
        before = (attrs.asdict(d, recurse=False), attrs.asdict(h, recurse=False))
        claim_benefit(d, P1, at=AT, timezone="UTC", holdings=[h])
        assert before == (attrs.asdict(d, recurse=False), attrs.asdict(h, recurse=False))


# --- CLM-14: one claim per campaign ---------------------------------------------------------------


class TestCampaign:
    """CLM-14 (Q13, POL-3): at most one active claimed benefit per non-empty campaign."""

    ON = Policy(one_claim_per_campaign=True)

    @pytest.mark.parametrize(
        ("campaign", "held_campaign", "claimed", "expires", "profile_id", "policy", "expected"),
        [
            pytest.param(
                "spring",
                "spring",
                CLAIMED,
                None,
                "p-1",
                ON,
                ["campaign_already_claimed"],
                id="CLM-14-active-same-campaign",
            ),
            pytest.param(
                "spring",
                "spring",
                CLAIMED,
                None,
                "p-1",
                DEFAULT_POLICY,
                [],
                id="POL-3-off-by-default",
            ),
            pytest.param(
                "spring",
                "spring",
                CLAIMED,
                AT - US,
                "p-1",
                ON,
                [],
                id="CLM-14-expired-copy",
            ),
            pytest.param(
                "spring",
                "spring",
                CLAIMED,
                AT,
                "p-1",
                ON,
                ["campaign_already_claimed"],
                id="CLM-14-expires-at-at",
            ),
            pytest.param(
                "spring",
                "autumn",
                CLAIMED,
                None,
                "p-1",
                ON,
                [],
                id="CLM-14-other-campaign",
            ),
            pytest.param("", "", CLAIMED, None, "p-1", ON, [], id="CLM-14-empty-campaign"),
            pytest.param(None, None, CLAIMED, None, "p-1", ON, [], id="CLM-14-null-campaign"),
            pytest.param(
                "spring",
                "spring",
                None,
                None,
                "p-1",
                ON,
                [],
                id="CLM-14-unclaimed-ignored",
            ),
            pytest.param(
                "spring",
                "spring",
                CLAIMED,
                None,
                "p-2",
                ON,
                [],
                id="CLM-14-other-profile",
            ),
        ],
    )
    def test_campaign(
        self,
        campaign: str | None,
        held_campaign: str | None,
        claimed: datetime | None,
        expires: datetime | None,
        profile_id: str,
        policy: Policy,
        expected: list[str],
    ) -> None:
        d = definition(id=1, campaign=campaign)
        other = definition(id=2, handle="d-2", campaign=held_campaign)
        h = holding(
            other, claimed_at=claimed, issued_at=CLAIMED, expires_at=expires, profile_id=profile_id
        )
        decision = check_claim(d, P1, at=AT, timezone="UTC", holdings=[h], policy=policy)
        assert expected == codes(decision)

    def test_this_definition_included(self) -> None:
        d = definition(campaign="spring", is_reclaimable=True)
        h = holding(d, claimed_at=CLAIMED)
        policy = Policy(one_claim_per_campaign=True, reclaim_requires_inactive=False)
        decision = check_claim(d, P1, at=AT, timezone="UTC", holdings=[h], policy=policy)
        assert codes(decision) == ["campaign_already_claimed"]

    def test_retry_when_the_campaign_copy_expires(self) -> None:
        d = definition(id=1, campaign="spring")
        other = definition(id=2, campaign="spring")
        expires = utc("2025-03-10 23:59:59")
        h = holding(other, claimed_at=CLAIMED, expires_at=expires)
        decision = check_claim(d, P1, at=AT, timezone="UTC", holdings=[h], policy=self.ON)
        assert codes(decision) == ["campaign_already_claimed"]
        assert expires + US == decision.retry_at

    def test_same_campaign_count_read_by_no_rule(self) -> None:
        d = definition(campaign="spring", same_campaign_count=0)
        assert codes(check_claim(d, P1, at=AT, timezone="UTC", policy=self.ON)) == []


# --- CLM-17: the new instance --------------------------------------------------------------------


class TestNewBenefit:
    """CLM-17: issued_at = claimed_at = at, the request's timezone, expiry per EXP, counters."""

    @pytest.mark.parametrize(
        ("fields", "at", "zone", "expires"),
        [
            pytest.param(
                {"period": 30},
                utc("2026-03-19 23:00:00"),
                MELBOURNE,
                utc("2026-04-19 13:59:59"),
                id="CLM-17-EXP-2-melbourne",
            ),
            pytest.param(
                {"period": 30},
                utc("2021-02-09 13:00:00"),
                "UTC",
                utc("2021-03-11 23:59:59"),
                id="CLM-17-EXP-3-utc",
            ),
            pytest.param(
                {"period": 30},
                utc("2021-02-09 13:00:00"),
                MELBOURNE,
                utc("2021-03-12 12:59:59"),
                id="CLM-17-EXP-3-local-date",
            ),
            pytest.param(
                {"period": 50, "end_at": utc("2025-06-30 00:00:00")},
                utc("2025-06-01 10:00:00"),
                "UTC",
                utc("2025-06-30 00:00:00"),
                id="CLM-17-EXP-7-capped-by-end_at",
            ),
            pytest.param(
                {
                    "period_type": PeriodType.ABSOLUTE_DATE,
                    "absolute_expiry": utc("2025-12-31 12:00:00"),
                },
                utc("2025-06-01 10:00:00"),
                MELBOURNE,
                utc("2025-12-31 12:00:00"),
                id="CLM-17-EXP-4-absolute",
            ),
            pytest.param({}, utc("2025-06-01 10:00:00"), "UTC", None, id="CLM-17-no-period"),
            pytest.param(
                {"period": 1, "period_type": "months"},
                utc("2024-01-31 20:00:00"),
                ZoneInfo(NEW_YORK),
                utc("2024-03-01 04:59:59"),
                id="CLM-17-EXP-4-zoneinfo-argument",
            ),
        ],
    )
    def test_expiry(
        self,
        fields: dict[str, Any],
        at: datetime,
        zone: str | ZoneInfo,
        expires: datetime | None,
    ) -> None:
        d = definition(**fields)
        result = claim_benefit(d, P1, at=at, timezone=zone)
        benefit = result.benefit
        assert benefit is not None
        assert expires == benefit.expires_at
        expected_zone = zone if isinstance(zone, str) else zone.key
        assert expected_zone == benefit.timezone

    def test_fields(self) -> None:
        d = definition(max_redemptions=3, max_global_redemptions=100, total_global_redemptions=98)
        at = datetime(2025, 6, 1, 20, 0, 0, 5, tzinfo=ZoneInfo(MELBOURNE))
        result = claim_benefit(d, P1, at=at, timezone=MELBOURNE, external_id="ext-9")
        benefit = result.benefit
        assert benefit is not None
        assert benefit.issued_at == utc("2025-06-01 10:00:00.000005")
        assert benefit.issued_at is not None
        assert benefit.issued_at.tzinfo is UTC  # TIME-1
        assert benefit.claimed_at == benefit.issued_at
        assert benefit.claimed_at is not None
        assert benefit.claimed_at.tzinfo is UTC
        assert benefit.profile_id == "p-1"
        assert benefit.external_id == "ext-9"
        assert benefit.id is None
        assert benefit.extended_at is None
        assert benefit.redemptions_remaining == 3
        assert benefit.total_global_redemptions_remaining == 2  # Q22: min(3, 100 - 98)
        assert benefit.definition.total_global_created == 1

    def test_unlimited(self) -> None:
        d = definition(max_redemptions=None)
        benefit = claim_benefit(d, P1, at=AT, timezone="UTC").benefit
        assert benefit is not None
        assert benefit.redemptions_remaining is None
        assert benefit.total_global_redemptions_remaining is None

    def test_profile_without_id(self) -> None:
        benefit = claim_benefit(definition(), Profile(), at=AT, timezone="UTC").benefit
        assert benefit is not None
        assert benefit.profile_id is None

    def test_max_redemptions_zero(self) -> None:
        """Q21: max 0 gives an instance with nothing to redeem (the claim itself is allowed)."""
        result = claim_benefit(definition(max_redemptions=0), P1, at=AT, timezone="UTC")
        assert result.benefit is not None
        assert result.benefit.redemptions_remaining == 0


# --- the whole table, reasons, messages and details ---------------------------------------------


class TestManyReasons:
    """CLM table order: every failed rule, in table order, each once."""

    def test_every_rule_fails(self) -> None:
        d = definition(
            id=1,
            campaign="spring",
            is_claimable=False,
            is_archived=True,
            is_published=False,
            is_assignable=False,
            claim_period_start_at=utc("2025-04-01 00:00:00"),
            end_at=utc("2025-02-01 00:00:00"),
            claim_condition={"==": [{"var": "tier_handle"}, "gold"]},
            claim_timeframe="month",
            max_global_redemptions=5,
            total_global_redemptions=5,
            force_allocation=True,
            total_allocations_remaining=0,
        )
        h = holding(d, claimed_at=utc("2025-03-01 00:00:00"), holding_id=9)
        profile = Profile(id="p-1", context={"tier_handle": "silver"})
        policy = Policy(one_claim_per_campaign=True)
        decision = check_claim(d, profile, at=AT, timezone="UTC", holdings=[h], policy=policy)
        expected = [
            "not_claimable",
            "archived",
            "unpublished",
            "not_assignable",
            "claim_window_not_open",
            "definition_ended",
            "condition_not_met",
            "already_claimed",
            "claim_timeframe_limit",
            "global_redemptions_exhausted",
            "allocations_exhausted",
            "campaign_already_claimed",
        ]
        assert expected == codes(decision)
        assert decision.retry_at is None
        self.check_reasons(decision)

    def test_reclaimable_variant(self) -> None:
        d = definition(
            is_reclaimable=True,
            claim_period_end_at=utc("2025-02-01 00:00:00"),
            claim_timeframe="30 days",
        )
        h = holding(d, claimed_at=utc("2025-02-25 00:00:00"), holding_id=9)
        decision = check_claim(d, P1, at=AT, timezone="UTC", holdings=[h])
        assert codes(decision) == [
            "claim_window_closed",
            "active_claim_exists",
            "claim_timeframe_limit",
        ]
        self.check_reasons(decision)

    @staticmethod
    def check_reasons(decision: Decision) -> None:
        for reason in decision.reasons:
            assert reason.message[0].islower(), reason.message
            assert reason.message == reason.message  # deterministic on re-read
            text = json.dumps(dict(reason.detail))
            assert json.loads(text) == json.loads(json.dumps(dict(reason.detail)))


class TestReasonText:
    """Conventions: a message starts lowercase and gives the observed value and the limit.

    ``detail`` is JSON-serialisable, instants as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``.
    """

    def test_window_not_open(self) -> None:
        d = definition(claim_period_start_at=START)
        (reason,) = check_claim(d, P1, at=START - US, timezone="UTC").reasons
        assert reason.message[0].islower()
        assert "2025-01-01T00:00:00Z" in reason.message
        assert "2024-12-31T23:59:59.999999Z" in reason.message
        detail = json.loads(json.dumps(dict(reason.detail)))
        assert "2025-01-01T00:00:00Z" in detail.values()
        assert "2024-12-31T23:59:59.999999Z" in detail.values()

    def test_window_closed(self) -> None:
        d = definition(claim_period_end_at=END)
        (reason,) = check_claim(d, P1, at=END + US, timezone="UTC").reasons
        assert "2025-01-31T23:59:59Z" in reason.message
        assert "2025-01-31T23:59:59.000001Z" in reason.message
        detail = json.loads(json.dumps(dict(reason.detail)))
        assert {"2025-01-31T23:59:59Z", "2025-01-31T23:59:59.000001Z"} <= set(detail.values())

    def test_definition_ended_in_other_zone(self) -> None:
        d = definition(end_at=END)
        at = (END + timedelta(seconds=1)).astimezone(ZoneInfo(MELBOURNE))
        (reason,) = check_claim(d, P1, at=at, timezone=MELBOURNE).reasons
        assert "2025-01-31T23:59:59Z" in reason.message
        assert "2025-02-01T00:00:00Z" in reason.message
        detail = json.loads(json.dumps(dict(reason.detail)))
        assert {"2025-01-31T23:59:59Z", "2025-02-01T00:00:00Z"} <= set(detail.values())

    def test_active_claim(self) -> None:
        d = definition(is_reclaimable=True)
        h = holding(d, claimed_at=CLAIMED, expires_at=END + timedelta(days=60), holding_id=77)
        (reason,) = check_claim(d, P1, at=AT, timezone="UTC", holdings=[h]).reasons
        assert reason.message[0].islower()
        assert "77" in reason.message
        json.dumps(dict(reason.detail))

    def test_same_check_same_text(self) -> None:
        d = definition(claim_period_start_at=START, is_claimable=False)
        first = check_claim(d, P1, at=START - US, timezone="UTC")
        second = check_claim(d, P1, at=START - US, timezone="UTC")
        assert [(r.message, dict(r.detail)) for r in first.reasons] == [
            (r.message, dict(r.detail)) for r in second.reasons
        ]


# --- TIME-9: retry_at -----------------------------------------------------------------------------


class TestRetryAt:
    """TIME-9: the earliest later instant at which `allowed` changes, or None."""

    def test_window_opening(self) -> None:
        d = definition(claim_period_start_at=START, claim_period_end_at=END)
        assert check_claim(d, P1, at=START - timedelta(days=3), timezone="UTC").retry_at == START

    def test_window_closing(self) -> None:
        d = definition(claim_period_start_at=START, claim_period_end_at=END)
        assert check_claim(d, P1, at=START, timezone="UTC").retry_at == END + US

    def test_end_at_earlier_than_window_end(self) -> None:
        d = definition(claim_period_end_at=END, end_at=END - timedelta(days=1))
        assert END - timedelta(days=1) + US == check_claim(d, P1, at=START, timezone="UTC").retry_at

    def test_closed_never_reopens(self) -> None:
        d = definition(claim_period_end_at=END)
        assert check_claim(d, P1, at=END + US, timezone="UTC").retry_at is None

    def test_not_open_but_ended_before_opening(self) -> None:
        """The window opens after end_at: the answer never changes, whatever the reasons do."""
        d = definition(
            claim_period_start_at=utc("2025-02-01 00:00:00"), end_at=utc("2025-01-15 00:00:00")
        )
        decision = check_claim(d, P1, at=utc("2025-01-10 00:00:00"), timezone="UTC")
        assert codes(decision) == ["claim_window_not_open"]
        assert decision.retry_at is None

    def test_open_forever(self) -> None:
        assert check_claim(definition(), P1, at=AT, timezone="UTC").retry_at is None

    def test_static_rule_fails(self) -> None:
        """A refusal no instant can cure gives None, even with a window about to open."""
        d = definition(is_claimable=False, claim_period_start_at=START)
        decision = check_claim(d, P1, at=START - US, timezone="UTC")
        assert codes(decision) == ["not_claimable", "claim_window_not_open"]
        assert decision.retry_at is None

    @pytest.mark.parametrize(
        "fields",
        [
            pytest.param({"claim_condition": {"==": [1, 2]}}, id="CLM-8"),
            pytest.param({"max_global_redemptions": 0}, id="CLM-12"),
            pytest.param({"force_allocation": True}, id="CLM-13"),
        ],
    )
    def test_static_rules_give_none(self, fields: dict[str, Any]) -> None:
        d = definition(claim_period_start_at=START, **fields)
        decision = check_claim(d, P1, at=START - US, timezone="UTC")
        assert not decision.allowed
        assert decision.retry_at is None

    def test_active_copy_expiring(self) -> None:
        d = definition(is_reclaimable=True)
        expires = utc("2025-03-10 13:59:59")
        h = holding(d, claimed_at=CLAIMED, expires_at=expires)
        decision = check_claim(d, P1, at=AT, timezone="UTC", holdings=[h])
        assert expires + US == decision.retry_at
        assert check_claim(d, P1, at=expires + US, timezone="UTC", holdings=[h]).allowed
        assert not check_claim(d, P1, at=expires, timezone="UTC", holdings=[h]).allowed

    def test_holding_not_yet_issued(self) -> None:
        """Allowed now; the claimed copy becomes active at its issued_at (Q36)."""
        d = definition(is_reclaimable=True)
        issued = AT + timedelta(hours=5)
        h = holding(d, claimed_at=CLAIMED, issued_at=issued)
        decision = check_claim(d, P1, at=AT, timezone="UTC", holdings=[h])
        assert decision.allowed
        assert issued == decision.retry_at

    def test_active_copy_expires_but_timeframe_still_blocks(self) -> None:
        d = definition(is_reclaimable=True, claim_timeframe="month")
        h = holding(d, claimed_at=utc("2025-05-01 00:00:00"), expires_at=utc("2025-05-10 23:59:59"))
        decision = check_claim(d, P1, at=utc("2025-05-05 00:00:00"), timezone="UTC", holdings=[h])
        assert codes(decision) == ["active_claim_exists", "claim_timeframe_limit"]
        assert utc("2025-06-01 00:00:00") == decision.retry_at

    def test_timeframe_reset_after_window_closes(self) -> None:
        """The timeframe resets after the window has closed: nothing changes, None."""
        d = definition(
            is_reclaimable=True,
            claim_timeframe="month",
            claim_period_end_at=utc("2025-05-20 00:00:00"),
        )
        h = holding(d, claimed_at=utc("2025-05-01 00:00:00"), remaining=0)
        decision = check_claim(d, P1, at=utc("2025-05-05 00:00:00"), timezone="UTC", holdings=[h])
        assert codes(decision) == ["claim_timeframe_limit"]
        assert decision.retry_at is None

    def test_allowed_until_window_end_with_timeframe(self) -> None:
        d = definition(is_reclaimable=True, claim_timeframe="day", claim_period_end_at=END)
        h = holding(d, claimed_at=utc("2025-01-10 00:00:00"), remaining=0)
        decision = check_claim(d, P1, at=utc("2025-01-20 00:00:00"), timezone="UTC", holdings=[h])
        assert decision.allowed
        assert decision.retry_at == END + US

    @pytest.mark.parametrize(
        ("timeframe", "zone", "opens"),
        [
            pytest.param("month", "UTC", "2025-03-01 00:00:00", id="CLM-16-TIME-9-later-month"),
            pytest.param(
                "week", MELBOURNE, "2025-03-09 13:00:00", id="CLM-16-TIME-9-later-local-week"
            ),
        ],
    )
    def test_retry_at_a_later_claims_window(self, timeframe: str, zone: str, opens: str) -> None:
        """A claim made after `at` refuses from its window's local start (CLM-16, TIME-9)."""
        d = definition(is_reclaimable=True, claim_timeframe=timeframe)
        h = holding(d, claimed_at=utc("2025-03-12 10:00:00"), remaining=0)
        decision = check_claim(d, P1, at=utc("2025-01-05 00:00:00"), timezone=zone, holdings=[h])
        assert decision.allowed
        assert utc(opens) == decision.retry_at

    def test_retry_in_utc(self) -> None:
        d = definition(claim_period_start_at=START)
        at = (START - timedelta(hours=1)).astimezone(ZoneInfo(MELBOURNE))
        retry = check_claim(d, P1, at=at, timezone=MELBOURNE).retry_at
        assert retry == START
        assert retry is not None
        assert retry.tzinfo is UTC


# --- invalid arguments -------------------------------------------------------------------


class TestInvalidArguments:
    """TIME-2, TIME-3 and argument types: InvalidRequest, never a refusal."""

    @pytest.mark.parametrize("call", [check_claim, claim_benefit])
    def test_naive_at(self, call: Any) -> None:
        with pytest.raises(InvalidRequest, match="at"):
            call(definition(), P1, at=datetime(2025, 3, 1, 12), timezone="UTC")

    @pytest.mark.parametrize("zone", ["Mars/Olympus", "", "utc+1", None, 10])
    def test_unknown_timezone(self, zone: object) -> None:
        with pytest.raises(InvalidRequest, match="timezone"):
            check_claim(definition(), P1, at=AT, timezone=zone)  # type: ignore[arg-type]
        with pytest.raises(InvalidRequest, match="timezone"):
            claim_benefit(definition(), P1, at=AT, timezone=zone)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "bad",
        [
            pytest.param({"claimed_at": "2025-01-01 00:00:00"}, id="mapping"),
            pytest.param(None, id="none"),
            pytest.param(definition(), id="definition"),
        ],
    )
    def test_non_benefit_holding(self, bad: object) -> None:
        d = definition()
        good = holding(d, claimed_at=None)
        with pytest.raises(InvalidRequest, match=r"holdings\[1\]"):
            check_claim(d, P1, at=AT, timezone="UTC", holdings=[good, bad])  # type: ignore[list-item]

    def test_string_at(self) -> None:
        with pytest.raises(InvalidRequest, match="at"):
            check_claim(definition(), P1, at="2025-03-01 12:00:00", timezone="UTC")  # type: ignore[arg-type]

    def test_refusal_is_not_an_exception_for_odd_but_valid_input(self) -> None:
        """Any zone works; a UTC string and a ZoneInfo give the same decision."""
        d = definition(claim_period_start_at=START)
        a = check_claim(d, P1, at=START - US, timezone="UTC")
        b = check_claim(d, P1, at=START - US, timezone=ZoneInfo("UTC"))
        assert a == b


class TestVisibleArguments:
    """VIS-1: is_visible names a bad argument instead of failing on an attribute."""

    @pytest.mark.parametrize("which", ["definition", "profile"])
    def test_wrong_type(self, which: str) -> None:
        arguments: dict[str, object] = {
            "definition": BenefitDefinition(is_published=True),
            "profile": Profile(id="p-1"),
        }
        arguments[which] = None
        with pytest.raises(InvalidRequest, match=rf"^{which}: expected a "):
            is_visible(
                arguments["definition"],  # type: ignore[arg-type]
                arguments["profile"],  # type: ignore[arg-type]
                at=datetime(2026, 1, 1, tzinfo=UTC),
            )
