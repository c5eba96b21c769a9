"""Scenarios: parsing, running, rendering, and `loyalty-core run` (issue 7, part 1)."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import loyalty_core as lc
from loyalty_core.cli import main
from loyalty_core.model import Member, Model
from loyalty_core.scenarios import (
    Claim,
    Redeem,
    Scenario,
    parse_scenario,
    render_timeline,
    run_scenario,
    timeline_to_json,
)
from tests.helpers import utc

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples" / "scenarios"
GOLDEN = Path(__file__).parent / "data" / "scenarios"
SHIPPED = ["anniversary", "limited-voucher", "reward-extension-dst", "gift-card-credit"]


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def run_json(name: str) -> dict[str, Any]:
    status, out, err = run("run", str(EXAMPLES / f"{name}.json"), "--json")
    assert (status, err) == (0, "")
    result: dict[str, Any] = json.loads(out)
    return result


def codes(step: dict[str, Any]) -> list[str]:
    return [reason["code"] for reason in step["decision"]["reasons"]]


def field(step: dict[str, Any], kind: str, name: str, owner: str | None = None) -> Any:
    """Return the (before, after) of a field one step changed on the one item or definition."""
    for change in step["changes"]:
        if change["kind"] == kind and (owner is None or change.get("owner") == owner):
            for entry in change["fields"]:
                if entry["name"] == name:
                    return entry["before"], entry["after"]
    msg = f"step {step['number']} changed no {kind} {name}"
    raise AssertionError(msg)


# --- the shipped scenarios ---------------------------------------------------------------------


class TestGolden:
    """`loyalty-core run` prints exactly the reviewed golden text for each shipped scenario."""

    @pytest.mark.parametrize("name", SHIPPED)
    def test_text_matches_golden(self, name: str) -> None:
        status, out, err = run("run", str(EXAMPLES / f"{name}.json"))
        assert (status, err) == (0, "")
        assert out == (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")

    @pytest.mark.parametrize("name", SHIPPED)
    def test_json_has_the_same_steps(self, name: str) -> None:
        data = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
        result = run_json(name)
        assert [s["number"] for s in result["steps"]] == list(range(1, len(data["events"]) + 1))
        assert [s["event"]["type"] for s in result["steps"]] == [e["type"] for e in data["events"]]
        # JSON-serialisable: it survives a round trip unchanged.
        assert json.loads(json.dumps(result)) == result
        text = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
        for step in result["steps"]:
            assert f"\n{step['number']}. {step['at']}" in text
            if step["decision"] is not None:
                for reason in step["decision"]["reasons"]:
                    assert f"- {reason['code']}: {reason['message']}" in text


class TestAnniversary:
    """A reclaimable treat with a rolling one-year timeframe (CLM-10, CLM-11, CLM-16, EXP-3)."""

    steps = staticmethod(lambda: run_json("anniversary")["steps"])

    def test_first_claim_expires_at_the_last_local_second_after_dst(self) -> None:
        # EXP-3: 2026-03-10 (AEDT) + 30 days = 2026-04-09, whose last second is AEST (+10).
        first = self.steps()[0]
        assert first["result"] == "accepted"
        assert field(first, "benefit", "expires_at") == (None, "2026-04-09T13:59:59Z")
        assert field(first, "definition", "total_global_created") == (0, 1)

    def test_reclaim_while_active_fails_both_rules(self) -> None:
        second = self.steps()[1]
        assert codes(second) == ["active_claim_exists", "claim_timeframe_limit"]
        # CLM-16: a year after 2026-03-10 10:00 AEDT, wall time kept (TIME-6).
        assert second["decision"]["retry_at"] == "2027-03-09T23:00:00Z"

    def test_customer_channel_is_refused_then_staff_redeems(self) -> None:
        steps = self.steps()
        assert codes(steps[2]) == ["user_redeem_not_allowed"]  # RED-6
        assert field(steps[3], "benefit", "redemptions_remaining") == (1, 0)
        assert field(steps[3], "definition", "total_global_redemptions") == (0, 1)

    def test_expires_one_second_after_expires_at(self) -> None:
        steps = self.steps()
        assert steps[4]["changes"] == []  # EXP-1: at exactly expires_at, not expired
        assert field(steps[5], "benefit", "status") == ("used up", "expired")

    def test_timeframe_alone_refuses_until_the_anniversary(self) -> None:
        steps = self.steps()
        assert codes(steps[6]) == ["claim_timeframe_limit"]
        assert codes(steps[7]) == ["claim_timeframe_limit"]
        assert steps[8]["at"] == "2027-03-09T23:00:00Z"
        assert steps[8]["result"] == "accepted"
        assert field(steps[8], "benefit", "expires_at") == (None, "2027-04-09T13:59:59Z")

    def test_late_redemption_is_expired(self) -> None:
        assert codes(self.steps()[9]) == ["expired"]


class TestLimitedVoucher:
    """Allocations (CLM-13, CLM-18) and the global cap (CLM-12, RED-9, RED-10, RED-12)."""

    steps = staticmethod(lambda: run_json("limited-voucher")["steps"])

    def test_allocations_run_out_at_the_fourth_claim(self) -> None:
        steps = self.steps()
        remaining = [field(s, "definition", "total_allocations_remaining") for s in steps[:3]]
        assert remaining == [(3, 2), (2, 1), (1, 0)]
        assert codes(steps[3]) == ["allocations_exhausted"]
        assert steps[3]["changes"] == []

    def test_global_cap_is_all_or_nothing(self) -> None:
        steps = self.steps()
        assert codes(steps[6]) == ["global_limit_exceeded"]  # count 2, one left
        assert field(steps[7], "definition", "total_global_redemptions") == (3, 4)
        assert codes(steps[8]) == ["global_limit_exceeded"]  # none left

    def test_bad_return_is_rejected_and_the_run_goes_on(self) -> None:
        step = self.steps()[9]
        assert step["result"] == "rejected"
        assert step["decision"] is None
        assert "count" in step["error"]
        assert step["changes"] == []

    def test_return_frees_a_redemption_for_another_member(self) -> None:
        steps = self.steps()
        assert field(steps[10], "definition", "total_global_redemptions") == (4, 3)
        assert field(steps[10], "benefit", "redemptions_remaining", owner="p-1") == (0, 1)
        assert steps[11]["result"] == "accepted"
        assert field(steps[11], "benefit", "redemptions_remaining", owner="p-2") == (1, 0)

    def test_last_claim_fails_the_cap_and_the_allocations(self) -> None:
        assert codes(self.steps()[12]) == ["global_redemptions_exhausted", "allocations_exhausted"]


class TestRewardExtensionDst:
    """Extension across BST (EXT-2 to EXT-8) and nearest-expiry-first redemption (RWD-3 to 6)."""

    steps = staticmethod(lambda: run_json("reward-extension-dst")["steps"])

    def test_ten_days_keep_the_last_local_second(self) -> None:
        first = self.steps()[0]
        # 2026-03-26 23:59:59 GMT + 10 days = 2026-04-05 23:59:59 BST (EXT-7, TIME-6).
        assert field(first, "reward", "expires_at") == (
            "2026-03-26T23:59:59Z",
            "2026-04-05T22:59:59Z",
        )
        skipped = {s["id"]: [r["code"] for r in s["reasons"]] for s in first["skipped"]}
        assert skipped == {15: ["not_extendable"], 21: ["not_owned"]}

    def test_second_extension_is_skipped(self) -> None:
        second = self.steps()[1]
        assert [[r["code"] for r in s["reasons"]] for s in second["skipped"]] == [
            ["already_extended"]
        ]
        assert second["changes"] == []

    def test_wall_extend_date_is_read_in_the_item_zone(self) -> None:
        # EXT-8: 2026-10-31 23:59:59 in Europe/London is GMT again (BST ended on 25 October).
        assert field(self.steps()[2], "reward", "expires_at") == (
            "2026-04-30T22:59:59Z",
            "2026-10-31T23:59:59Z",
        )

    def test_redemptions_take_the_nearest_expiry_first(self) -> None:
        steps = self.steps()
        assert steps[3]["deductions"] == [[11, "10.00"], [15, "2.00"]]
        assert codes(steps[4]) == ["insufficient_balance"]
        assert steps[4]["deductions"] == []
        assert steps[6]["redeemed"] == "13.00"
        assert steps[6]["deductions"] == [[12, "5.00"], [13, "8.00"]]


class TestGiftCardCredit:
    """Release (CRD-3, CRD-7), security code (CRD-10, CRD-11), lock (CRD-4, CRD-9), edits."""

    steps = staticmethod(lambda: run_json("gift-card-credit")["steps"])

    def test_release_keeps_the_wall_time_across_dst(self) -> None:
        first = self.steps()[0]
        assert codes(first) == ["not_released"]
        # 14:20 EST on 5 March + 7 days = 14:20 EDT on 12 March (TIME-6, no end-of-day snapping).
        assert first["decision"]["retry_at"] == "2026-03-12T18:20:00Z"

    def test_security_code(self) -> None:
        steps = self.steps()
        assert codes(steps[1]) == ["security_code_required"]
        assert codes(steps[2]) == ["security_code_mismatch"]
        assert field(steps[3], "credit", "value_remaining") == ("50.00", "30.00")

    def test_lock_until_its_expiry(self) -> None:
        steps = self.steps()
        # Q35: the body's naive lock_expires_at is 09:00 EDT in the credit's zone.
        assert field(steps[4], "credit", "lock_expires_at") == (None, "2026-03-22T13:00:00Z")
        assert codes(steps[5]) == ["locked"]
        assert steps[6]["at"] == "2026-03-22T13:00:00Z"
        assert field(steps[6], "credit", "value_remaining") == ("30.00", "20.00")

    def test_overdraw_and_bad_edit(self) -> None:
        steps = self.steps()
        assert codes(steps[7]) == ["insufficient_value"]
        assert steps[8]["result"] == "rejected"
        assert steps[8]["error"].startswith("$.events[8].changes.value_remaining: 60.00 exceeds")
        assert run_json("gift-card-credit")["final"]["members"][0]["credits"][0][
            "value_remaining"
        ] == ("20.00")


# --- running -------------------------------------------------------------------------------------


def minimal(**overrides: Any) -> dict[str, Any]:
    scenario: dict[str, Any] = {
        "start_at": "2026-01-01T00:00:00Z",
        "definitions": [
            {
                "handle": "coffee",
                "is_claimable": True,
                "is_published": True,
                "is_assignable": True,
                "max_redemptions": 2,
                "period": 30,
            }
        ],
        "members": [
            {
                "profile": {"id": "p-1"},
                "credits": [{"value_initial": "10.00"}],
                "rewards": [{"id": 3, "value_initial": 5}],
            },
            {"profile": {"id": "p-2"}},
        ],
        "events": [{"type": "claim", "member": "p-1", "definition": "coffee"}],
    }
    scenario.update(overrides)
    return scenario


class TestRun:
    """Running through the reference model: refusals and run-time bad input are results."""

    def test_unknown_benefit_index_is_rejected_at_run_time(self) -> None:
        scenario = parse_scenario(
            minimal(events=[{"type": "redeem", "member": "p-2", "benefit": 0}])
        )
        (step,) = run_scenario(scenario).steps
        assert step.result == "rejected"
        assert "rejected as bad input: benefit_index: 'p-2' has no benefit 0" in (
            render_timeline(run_scenario(scenario))
        )

    def test_naive_instants_are_in_the_scenario_timezone(self) -> None:
        scenario = parse_scenario(
            minimal(
                start_at="2026-01-01 09:00:00",
                timezone="Australia/Melbourne",
                events=[{"type": "advance", "to": "2026-01-02"}],
            )
        )
        assert scenario.start_at == utc("2025-12-31 22:00:00")
        assert run_scenario(scenario).final.at == utc("2026-01-01 13:00:00")

    def test_claim_timezone_defaults_to_the_scenario_timezone(self) -> None:
        scenario = parse_scenario(minimal(timezone="Europe/London"))
        assert scenario.events == (
            Claim(member="p-1", definition="coffee", timezone="Europe/London"),
        )

    def test_holdings_get_their_member_id_and_named_definitions(self) -> None:
        scenario = parse_scenario(
            minimal(
                members=[
                    {
                        "profile": {"id": "p-1"},
                        "benefits": [{"id": 9, "definition": "coffee"}],
                    }
                ],
                events=[{"type": "redeem", "member": "p-1", "benefit": 0}],
            )
        )
        (member,) = scenario.members
        assert member.benefits[0].profile_id == "p-1"
        # PAY-9: the named definition gives the default redemptions_remaining.
        assert member.benefits[0].redemptions_remaining == 2
        (step,) = run_scenario(scenario).steps
        assert step.model.member("p-1").benefits[0].redemptions_remaining == 1

    def test_policy_switch(self) -> None:
        scenario = parse_scenario(minimal(policy={"claims_require_assignable": False}))
        assert scenario.policy == lc.Policy(claims_require_assignable=False)
        assert "policy: claims_require_assignable=false" in render_timeline(run_scenario(scenario))

    def test_no_events_gives_the_start_as_final(self) -> None:
        timeline = run_scenario(parse_scenario(minimal(events=[])))
        assert timeline.steps == ()
        assert timeline.final is timeline.start
        assert timeline_to_json(timeline)["final"] == timeline_to_json(timeline)["start"]

    def test_scenario_values_are_built_directly_too(self) -> None:
        scenario = Scenario(
            start_at=utc("2026-01-01 00:00:00"),
            definitions=[lc.BenefitDefinition(handle="c", max_redemptions=1)],
            members=[Member(profile=lc.Profile(id="p-1"))],
            events=[Redeem(member="p-1", benefit=0)],
        )
        assert [s.result for s in run_scenario(scenario).steps] == ["rejected"]


class TestModelAdditions:
    """The model's credit redemption (CRD-6 to CRD-13) and rewards deductions (RWD-7)."""

    def model(self) -> Model:
        credit = lc.Credit(value_initial=Decimal("50.00"), locked=True)
        reward = lc.Reward(id=4, value_initial=Decimal(5))
        return Model(
            at=utc("2026-01-01 00:00:00"),
            members=[Member(profile=lc.Profile(id="p-1"), credits=[credit], rewards=[reward])],
        )

    def test_redeem_credit_refused_changes_nothing(self) -> None:
        model, outcome = self.model().redeem_credit("p-1", 0, "10.00")
        assert outcome.describe() == "refused with locked"
        assert model.member("p-1").credits == self.model().member("p-1").credits
        assert [operation for operation, _ in model.refusals] == ["redeem_credit"]

    @pytest.mark.parametrize(
        ("profile_id", "index", "amount", "needle"),
        [
            pytest.param("p-9", 0, "1", "unknown profile", id="unknown-member"),
            pytest.param("p-1", 1, "1", "has no credit 1", id="unknown-credit"),
            pytest.param("p-1", 0, "0", "amount", id="CRD-5-zero-amount"),
        ],
    )
    def test_redeem_credit_bad_input(
        self, profile_id: str, index: int, amount: str, needle: str
    ) -> None:
        _, outcome = self.model().redeem_credit(profile_id, index, amount)
        assert outcome.error is not None
        assert needle in str(outcome.error)

    def test_redeem_rewards_reports_deductions(self) -> None:
        _, outcome = self.model().redeem_rewards("p-1", "2")
        assert outcome.deductions == ((4, Decimal(2)),)


# --- malformed scenarios -------------------------------------------------------------------------


def with_event(event: Any) -> dict[str, Any]:
    return minimal(events=[{"type": "claim", "member": "p-1", "definition": "coffee"}, event])


def broken_definition() -> dict[str, Any]:
    scenario = minimal()
    scenario["definitions"][0]["period"] = -1
    scenario["definitions"][0]["claim_timeframe"] = "fortnightly"
    return scenario


def duplicate(key: str) -> dict[str, Any]:
    scenario = minimal()
    scenario[key].append(copy.deepcopy(scenario[key][0]))
    return scenario


MALFORMED = [
    pytest.param(
        minimal(
            members=[
                {"profile": {"id": "p-1"}, "rewards": [{"id": 3, "value_initial": 5}]},
                {"profile": {"id": "p-2"}, "rewards": [{"id": 3, "value_initial": 1}]},
            ]
        ),
        "$.members[1].rewards[0].id: expected an id distinct from $.members[0].rewards[0].id",
        id="EXT-10-item-ids-name-one-item",
    ),
    pytest.param({"events": []}, "$.start_at: is required, got null or nothing", id="no-start"),
    pytest.param(
        minimal(events=None), "$.events: is required, got null or nothing", id="no-events"
    ),
    pytest.param(minimal(events={}), "$.events: expected an array, got {}", id="events-object"),
    pytest.param(minimal(extra=1), "$.extra: unknown key; expected one of", id="unknown-top-key"),
    pytest.param(
        minimal(start_at="2026-01-01T00:00:00"),
        "$.start_at: expected a datetime as",
        id="PAY-2-T-without-offset",
    ),
    pytest.param(
        minimal(timezone="Mars/Olympus"), "$.timezone: ", id="TIME-3-unknown-scenario-zone"
    ),
    pytest.param(
        minimal(policy={"allow_extend_expired": "no"}),
        "$.policy.allow_extend_expired: expected True or False, got 'no'",
        id="POL-bad-switch",
    ),
    pytest.param(
        minimal(policy={"strictness": True}),
        "$.policy.strictness: unknown key",
        id="POL-unknown-switch",
    ),
    pytest.param(
        broken_definition(),
        "$.definitions[0].period: expected an integer >= 0, got -1",
        id="PAY-12-nested-definition-rerooted",
    ),
    pytest.param(
        broken_definition(),
        "$.definitions[0].claim_timeframe: ",
        id="CLM-16-nested-timeframe-rerooted",
    ),
    pytest.param(
        minimal(definitions=[{"is_claimable": True}]),
        "$.definitions[0].handle: is required, got null or nothing",
        id="definition-without-handle",
    ),
    pytest.param(
        duplicate("definitions"),
        "$.definitions[1].handle: expected a handle distinct from $.definitions[0].handle, "
        "got 'coffee'",
        id="duplicate-handle",
    ),
    pytest.param(
        duplicate("members"),
        "$.members[2].profile.id: expected an id distinct from $.members[0].profile.id, got 'p-1'",
        id="duplicate-member",
    ),
    pytest.param(
        minimal(members=[{"profile": {"first_name": "Ava"}}]),
        "$.members[0].profile.id: is required, got null or nothing",
        id="profile-without-id",
    ),
    pytest.param(
        minimal(members=[{"profile": {"id": 7}}]),
        "$.members[0].profile.id: ",
        id="PAY-7-numeric-profile-id",
    ),
    pytest.param(
        minimal(members=[{"profile": {"id": "p-1"}, "rewards": [{"value_initial": "ten"}]}]),
        "$.members[0].rewards[0].value_initial: expected a money amount",
        id="PAY-8-nested-reward-rerooted",
    ),
    pytest.param(
        minimal(
            members=[
                {"profile": {"id": "p-1"}, "rewards": [{"profile_id": "p-2", "value_initial": 1}]}
            ]
        ),
        "$.members[0].rewards[0].profile_id: expected the member's id 'p-1' or null, got 'p-2'",
        id="holding-of-another-member",
    ),
    pytest.param(
        minimal(members=[{"profile": {"id": "p-1"}, "benefits": [{"definition": "tea"}]}]),
        "$.members[0].benefits[0].definition: expected one of the scenario's handles ('coffee'), "
        "got 'tea'",
        id="holding-unknown-handle",
    ),
    pytest.param(
        with_event({"type": "dance", "member": "p-1"}),
        "$.events[1].type: expected one of 'claim', 'redeem', 'return', 'extend', "
        "'redeem_rewards', 'edit_credit', 'redeem_credit', 'advance', got 'dance'",
        id="unknown-event-type",
    ),
    pytest.param(
        with_event({"member": "p-1"}), "$.events[1].type: expected one of", id="no-event-type"
    ),
    pytest.param(with_event([]), "$.events[1]: expected an object, got []", id="event-not-object"),
    pytest.param(
        with_event({"type": ["claim"]}),
        "$.events[1].type: expected one of 'claim', ",
        id="event-type-unhashable",
    ),
    pytest.param(
        with_event({"type": "claim", "member": "p-9", "definition": "coffee"}),
        "$.events[1].member: expected the id of one of the scenario's members ('p-1', 'p-2'), "
        "got 'p-9'",
        id="unknown-member",
    ),
    pytest.param(
        with_event({"type": "claim", "member": "p-1", "definition": "tea"}),
        "$.events[1].definition: expected one of the scenario's handles ('coffee'), got 'tea'",
        id="unknown-handle",
    ),
    pytest.param(
        with_event({"type": "redeem", "member": "p-1", "benefit": 0, "count": 0}),
        "$.events[1].count: expected an integer >= 1, got 0",
        id="RED-2-zero-count",
    ),
    pytest.param(
        with_event({"type": "redeem", "member": "p-1", "benefit": "0"}),
        "$.events[1].benefit: expected an integer >= 0, got '0'",
        id="benefit-index-string",
    ),
    pytest.param(
        with_event({"type": "redeem", "member": "p-1", "benefit": 0, "channel": "web"}),
        "$.events[1].channel: expected one of 'api', 'staff', 'customer', got 'web'",
        id="RED-3-channel",
    ),
    pytest.param(
        with_event({"type": "redeem", "member": "p-1", "benefit": 0, "cont": 2}),
        "$.events[1].cont: unknown key; expected one of 'type', 'at', 'note', 'member', "
        "'benefit', 'count', 'channel'",
        id="unknown-event-key",
    ),
    pytest.param(
        with_event({"type": "advance", "at": "2026-02-01T00:00:00Z"}),
        "$.events[1].at: unknown key; expected one of 'type', 'note', 'to'",
        id="advance-takes-to",
    ),
    pytest.param(
        with_event({"type": "advance"}),
        "$.events[1].to: is required, got null or nothing",
        id="advance-without-to",
    ),
    pytest.param(
        with_event({"type": "claim", "member": "p-1", "definition": "coffee", "at": "2025-12-31"}),
        "$.events[1].at: expected an instant at or after 2026-01-01T00:00:00Z, where "
        "$.start_at left the clock, got '2025-12-31'",
        id="time-goes-back-from-start",
    ),
    pytest.param(
        minimal(
            events=[
                {"type": "advance", "to": "2026-02-01T00:00:00Z"},
                {"type": "advance", "to": "2026-01-15T00:00:00+10:00"},
            ]
        ),
        "$.events[1].to: expected an instant at or after 2026-02-01T00:00:00Z, where "
        "$.events[0] left the clock, got '2026-01-15T00:00:00+10:00'",
        id="time-goes-back-between-events",
    ),
    pytest.param(
        with_event({"type": "redeem", "member": "p-1", "benefit": 0, "at": "2026-02-30"}),
        "$.events[1].at: ",
        id="PAY-2-impossible-date",
    ),
    pytest.param(
        with_event({"type": "extend", "member": "p-1", "kind": "reward", "ids": [3]}),
        "$.events[1].extend_days: expected exactly one of extend_days and extend_date",
        id="EXT-1-neither",
    ),
    pytest.param(
        with_event(
            {"type": "extend", "member": "p-1", "kind": "coupon", "ids": ["x"], "extend_days": 0}
        ),
        "$.events[1].kind: expected one of 'benefit', 'reward', 'credit', got 'coupon'; "
        "$.events[1].ids[0]: expected an integer, got 'x'; "
        "$.events[1].extend_days: expected an integer >= 1, got 0",
        id="EXT-1-every-field",
    ),
    pytest.param(
        with_event({"type": "redeem_rewards", "member": "p-1", "amount": "0.00"}),
        "$.events[1].amount: expected a money amount > 0, got '0.00'",
        id="RWD-4-zero-amount",
    ),
    pytest.param(
        with_event({"type": "redeem_rewards", "member": "p-1", "amount": "1e3"}),
        "$.events[1].amount: expected a money amount",
        id="PAY-8-exponent",
    ),
    pytest.param(
        with_event({"type": "redeem_rewards", "member": "p-1", "amount": 1, "strict": "yes"}),
        "$.events[1].strict: expected true or false, got 'yes'",
        id="strict-not-bool",
    ),
    pytest.param(
        with_event({"type": "edit_credit", "member": "p-1", "credit": 1, "changes": {}}),
        "$.events[1].credit: expected a position below 'p-1''s 1 credit(s), got 1",
        id="unknown-credit-position",
    ),
    pytest.param(
        with_event({"type": "edit_credit", "member": "p-1", "credit": 0, "changes": "lock"}),
        "$.events[1].changes: expected an object, got 'lock'",
        id="changes-not-object",
    ),
    pytest.param(
        with_event(
            {
                "type": "redeem_credit",
                "member": "p-1",
                "credit": 0,
                "amount": 1,
                "security_code": 1234,
            }
        ),
        "$.events[1].security_code: expected a string, got 1234",
        id="security-code-number",
    ),
]


class TestMalformed:
    """A malformed scenario raises one PayloadError naming each bad field by JSON path."""

    @pytest.mark.parametrize(("scenario", "message"), MALFORMED)
    def test_parse_names_the_path(self, scenario: dict[str, Any], message: str) -> None:
        with pytest.raises(lc.PayloadError) as caught:
            parse_scenario(scenario)
        assert message in str(caught.value)

    @pytest.mark.parametrize(("scenario", "message"), MALFORMED)
    def test_cli_exits_2_without_a_traceback(self, scenario: dict[str, Any], message: str) -> None:
        status, out, err = run("run", "-", stdin=json.dumps(scenario))
        assert (status, out) == (2, "")
        assert err.startswith("loyalty-core: error: -: not a valid scenario:\n  $")
        for part in message.split("; "):
            assert part in err
        assert "Traceback" not in err

    def test_every_problem_is_listed(self) -> None:
        scenario = with_event({"type": "redeem", "member": "p-9", "benefit": -1, "count": 0})
        scenario["start_at"] = "soon"
        with pytest.raises(lc.PayloadError) as caught:
            parse_scenario(scenario)
        assert [p.where for p in caught.value.problems] == [
            "$.start_at",
            "$.events[1].member",
            "$.events[1].benefit",
            "$.events[1].count",
        ]

    def test_a_bad_definition_or_member_does_not_cascade(self) -> None:
        scenario = broken_definition()
        scenario["members"][1]["profile"]["id"] = 2
        scenario["events"].append({"type": "redeem", "member": "p-2", "benefit": 0})
        with pytest.raises(lc.PayloadError) as caught:
            parse_scenario(scenario)
        assert [p.where for p in caught.value.problems] == [
            "$.definitions[0].period",
            "$.definitions[0].claim_timeframe",
            "$.members[1].profile.id",
        ]

    @pytest.mark.parametrize(
        ("stdin", "message"),
        [
            pytest.param(
                "[1, 2]",
                "-: not a valid scenario:\n  $: expected a scenario object, got [1, 2]",
                id="array",
            ),
            pytest.param('"x"', "$: expected a scenario object, got 'x'", id="string"),
            pytest.param("{not json", "-: not valid JSON", id="bad-json"),
            pytest.param(
                '{"start_at": NaN}', "-: not valid JSON: NaN is not a JSON value", id="nan"
            ),
            pytest.param('{"x": -Infinity}', "-Infinity is not a JSON value", id="infinity"),
            pytest.param('{"x": ' + "1" * 5000 + "}", "-: not valid JSON: ", id="huge-integer"),
            pytest.param("[" * 100_000, "-: not valid JSON: ", id="nested-too-deep"),
        ],
    )
    def test_cli_top_level(self, stdin: str, message: str) -> None:
        status, _, err = run("run", "-", stdin=stdin)
        assert status == 2
        assert message in err

    def test_cli_unreadable_file(self, tmp_path: Path) -> None:
        status, _, err = run("run", str(tmp_path / "missing.json"))
        assert status == 2
        assert "missing.json: cannot read" in err

    def test_cli_requires_a_scenario(self) -> None:
        assert run("run")[0] == 2

    def test_cli_prints_lone_surrogates_escaped(self) -> None:
        scenario = json.dumps({**minimal(), "name": "caf\ud800"})
        done = subprocess.run(
            [sys.executable, "-m", "loyalty_core.cli", "run", "-"],
            input=scenario,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
        assert (done.returncode, done.stderr) == (0, "")
        assert "scenario: caf\\ud800" in done.stdout


# --- packaging -----------------------------------------------------------------------------------


def test_scenarios_and_cli_do_not_import_hypothesis_or_frame_libraries() -> None:
    code = (
        "import sys, loyalty_core, loyalty_core.scenarios, loyalty_core.cli; "
        "loaded = [m for m in ('hypothesis', 'pandas', 'polars', 'matplotlib', 'numpy') "
        "if m in sys.modules]; "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - a fixed command


def test_testing_model_reexports_the_public_model() -> None:
    from loyalty_core import model as public_model
    from loyalty_core.testing import model

    for name in public_model.__all__:
        if name != "Item":
            assert getattr(model, name) is getattr(public_model, name)


def test_integral_floats_are_counts_and_positions_pay7() -> None:
    scenario = parse_scenario(
        minimal(
            events=[
                {"type": "claim", "member": "p-1", "definition": "coffee"},
                {"type": "redeem", "member": "p-1", "benefit": 0.0, "count": 2.0},
            ]
        )
    )
    redeem = scenario.events[1]
    assert isinstance(redeem, Redeem)
    assert (redeem.benefit, redeem.count) == (0, 2)
    assert type(redeem.count) is int


def test_a_release_past_year_9999_reads_as_never_released_crd3() -> None:
    scenario = minimal(
        members=[
            {
                "profile": {"id": "p-1"},
                "credits": [
                    {
                        "value_initial": "10.00",
                        "issued_at": "2026-01-01 00:00:00",
                        "definition": {"release_period": 3_000_000},
                    }
                ],
            }
        ],
        events=[{"type": "redeem_credit", "member": "p-1", "credit": 0, "amount": "1.00"}],
    )
    timeline = run_scenario(parse_scenario(scenario))
    (step,) = timeline.steps
    assert step.outcome.decision is not None
    assert [r.code.value for r in step.outcome.decision.reasons] == ["not_released"]
    assert "release_at none" in render_timeline(timeline)


def test_the_model_refuses_two_items_with_one_id() -> None:
    members = [
        Member(profile=lc.Profile(id=f"p-{n}"), rewards=[lc.Reward(id=7, value_initial=Decimal(1))])
        for n in (1, 2)
    ]
    with pytest.raises(lc.InvalidRequest, match=r"expected distinct reward ids, got \[7, 7\]"):
        Model(at=utc("2026-01-01 00:00:00"), members=members)


def test_a_reward_without_an_id_is_named_as_such_rwd3() -> None:
    scenario = minimal(
        members=[{"profile": {"id": "p-1"}, "rewards": [{"value_initial": "5.00"}]}],
        events=[{"type": "redeem_rewards", "member": "p-1", "amount": "2.00"}],
    )
    text = render_timeline(run_scenario(parse_scenario(scenario)))
    assert "redeemed 2.00 of 2.00: 2.00 from a reward without an id" in text


@pytest.mark.parametrize(
    ("definition", "where"),
    [
        pytest.param("tea", "$.members[0].benefits[0].definition", id="named-by-handle"),
        pytest.param(
            {"handle": "tea"}, "$.members[0].benefits[0].definition.handle", id="embedded"
        ),
    ],
)
def test_an_unknown_holding_definition_is_reported_once(definition: Any, where: str) -> None:
    scenario = minimal(
        members=[{"profile": {"id": "p-1"}, "benefits": [{"definition": definition}]}]
    )
    with pytest.raises(lc.PayloadError) as caught:
        parse_scenario(scenario)
    assert [p.where for p in caught.value.problems] == [where]
