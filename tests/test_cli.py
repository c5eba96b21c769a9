import io
import json
from pathlib import Path

import pytest

from loyalty_core.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


class TestExpiry:
    """The `loyalty-core expiry` command on the bundled examples."""

    def test_golden_definition(self) -> None:
        status, out, err = run(
            "expiry",
            str(EXAMPLES / "benefit-definition.json"),
            "--issued-at",
            "2021-03-05 00:06:51",
            "--timezone",
            "UTC",
        )
        assert (status, err) == (0, "")
        assert "expires at  2021-04-24 23:59:59 UTC" in out
        assert "EXP-3" in out

    def test_instance_json(self) -> None:
        status, out, _ = run(
            "expiry", str(EXAMPLES / "benefit.json"), "--json", "--at", "2026-04-19T14:00:00Z"
        )
        assert status == 0
        result = json.loads(out)
        assert result["expires_at"] == "2026-04-19T13:59:59Z"
        assert result["expires_local"] == "2026-04-19 23:59:59"
        assert result["timezone"] == "Australia/Melbourne"
        assert result["expired"] is True

    def test_naive_issued_at_is_local_to_timezone(self) -> None:
        status, out, _ = run(
            "expiry",
            "-",
            "--issued-at",
            "2026-03-20 10:00:00",
            "--timezone",
            "Australia/Melbourne",
            "--json",
            stdin='{"period": 30}',
        )
        assert status == 0
        assert json.loads(out)["issued_at"] == "2026-03-19T23:00:00Z"
        assert json.loads(out)["expires_at"] == "2026-04-19T13:59:59Z"

    @pytest.mark.parametrize("kind", ["reward", "credit"])
    def test_other_kinds(self, kind: str) -> None:
        status, out, _ = run("expiry", str(EXAMPLES / f"{kind}.json"), "--kind", kind, "--json")
        assert status == 0
        assert json.loads(out)["kind"] == kind

    @pytest.mark.parametrize(
        ("argv", "stdin", "needle"),
        [
            pytest.param(["expiry", "-"], "{not json", "not valid JSON", id="bad-json"),
            pytest.param(
                ["expiry", "-"],
                '{"period": -1}',
                "$.period: expected an integer >= 0, got -1",
                id="payload",
            ),
            pytest.param(["expiry", "-"], '{"period": 1}', "--issued-at", id="missing-issued-at"),
            pytest.param(
                ["expiry", "-", "--issued-at", "soon"], '{"period": 1}', "'soon'", id="bad-instant"
            ),
            pytest.param(["expiry", "/nonexistent.json"], "", "cannot read", id="missing-file"),
            pytest.param(
                ["expiry", "-", "--timezone", "Mars/X", "--issued-at", "2026-01-01"],
                "{}",
                "Mars/X",
                id="zone",
            ),
            pytest.param(["frobnicate"], "", "invalid choice", id="unknown-command"),
        ],
    )
    def test_bad_input_exits_2(self, argv: list[str], stdin: str, needle: str) -> None:
        status, out, err = run(*argv, stdin=stdin)
        assert status == 2
        assert out == ""
        assert needle in err
        assert "Traceback" not in err


class TestClaimAndRedeem:
    """`loyalty-core claim` and `loyalty-core redeem`: exit 0 allowed, 1 refused, 2 bad input."""

    definition = str(EXAMPLES / "benefit-definition.json")
    profile = str(EXAMPLES / "profile.json")

    def test_claim_allowed(self) -> None:
        status, out, _ = run("claim", self.definition, self.profile, "--at", "2021-03-05 00:06:51")
        assert status == 0
        assert "decision     allowed" in out
        assert "2021-04-24T23:59:59Z" in out  # CLM-17 expiry, EXP-3
        assert "retry at     2021-05-08T23:00:00.000001Z" in out  # TIME-9: window end + 1 µs

    def test_claim_refused_json(self) -> None:
        status, out, _ = run(
            "claim", self.definition, self.profile, "--at", "2021-05-09T00:00:00Z", "--json"
        )
        assert status == 1
        result = json.loads(out)
        assert result["allowed"] is False
        assert [r["code"] for r in result["reasons"]] == ["claim_window_closed"]
        assert result["reasons"][0]["detail"]["claim_period_end_at"] == "2021-05-08T23:00:00Z"
        assert result["benefit"] is None
        assert result["definition"]["total_global_created"] == 0

    def test_claim_and_redeem(self) -> None:
        status, out, _ = run(
            "claim",
            self.definition,
            self.profile,
            "--at",
            "2021-03-05 00:06:51",
            "--count",
            "1",
            "--json",
        )
        assert status == 0
        result = json.loads(out)
        assert result["benefit"]["redemptions_remaining"] == 0
        assert result["definition"]["total_global_redemptions"] == 1
        assert result["definition"]["total_global_created"] == 1

    def test_claim_policy_switch(self) -> None:
        definition = json.dumps({"is_claimable": True, "is_published": True})
        status, _, _ = run("claim", "-", self.profile, "--at", "2021-03-05", stdin=definition)
        assert status == 1  # CLM-4: not assignable under the default policy
        status, _, _ = run(
            "claim",
            "-",
            self.profile,
            "--at",
            "2021-03-05",
            "--policy",
            "claims_require_assignable=false",
            stdin=definition,
        )
        assert status == 0

    def test_redeem(self) -> None:
        benefit = str(EXAMPLES / "benefit.json")
        status, out, _ = run(
            "redeem", benefit, "--at", "2026-04-01T00:00:00Z", "--count", "2", "--json"
        )
        assert status == 0
        assert json.loads(out)["benefit"]["redemptions_remaining"] == 1
        status, out, _ = run(
            "redeem",
            benefit,
            "--at",
            "2026-04-01T00:00:00Z",
            "--count",
            "4",
            "--channel",
            "customer",
        )
        assert status == 1
        assert "instance_limit_exceeded" in out
        assert "global_limit_exceeded" in out

    @pytest.mark.parametrize(
        "argv",
        [
            pytest.param(
                ["redeem", str(EXAMPLES / "benefit.json"), "--at", "2026-04-01", "--count", "0"],
                id="count-0",
            ),
            pytest.param(
                [
                    "redeem",
                    str(EXAMPLES / "benefit.json"),
                    "--at",
                    "2026-04-01",
                    "--count",
                    str(2**63),
                ],
                id="count-past-64-bits",  # RED-2's bound, told at the option (was a late error)
            ),
            pytest.param(["redeem", str(EXAMPLES / "benefit.json")], id="no-at"),
            pytest.param(
                [
                    "claim",
                    str(EXAMPLES / "benefit-definition.json"),
                    str(EXAMPLES / "profile.json"),
                    "--at",
                    "2021-03-05",
                    "--policy",
                    "nope",
                ],
                id="policy-shape",
            ),
            pytest.param(
                [
                    "claim",
                    str(EXAMPLES / "benefit-definition.json"),
                    str(EXAMPLES / "profile.json"),
                    "--at",
                    "2021-03-05",
                    "--holdings",
                    str(EXAMPLES / "profile.json"),
                ],
                id="holdings-not-array",
            ),
        ],
    )
    def test_bad_input(self, argv: list[str]) -> None:
        status, out, err = run(*argv)
        assert status == 2
        assert out == ""
        assert err.startswith("loyalty-core: error: ")


class TestExtendAndSchedule:
    """`loyalty-core extend` (exit 1 when any item is skipped) and `loyalty-core schedule`."""

    reward = str(EXAMPLES / "reward.json")

    def test_extend_days(self) -> None:
        status, out, _ = run(
            "extend",
            self.reward,
            "--profile-id",
            "p-1",
            "--at",
            "2026-03-01T00:00:00Z",
            "--extend-days",
            "30",
            "--json",
        )
        assert status == 0
        extended = json.loads(out)["extended"]
        # EXT-7: 2024-02-29 23:59:59 EST + 30 days = 2024-03-30 23:59:59 EDT
        assert extended[0]["expires_at"] == "2024-03-31 03:59:59"
        assert extended[0]["extended_at"] == "2026-03-01 00:00:00"

    def test_extend_skipped_exits_1(self) -> None:
        status, out, _ = run(
            "extend",
            self.reward,
            "--profile-id",
            "p-2",
            "--at",
            "2026-03-01T00:00:00Z",
            "--extend-date",
            "2030-01-01 11:00:00",
        )
        assert status == 1
        assert "not_owned" in out

    def test_extend_needs_one_of_days_and_date(self) -> None:
        status, _, err = run("extend", self.reward, "--profile-id", "p-1", "--at", "2026-03-01")
        assert status == 2
        assert "exactly one of extend_days and extend_date" in err  # EXT-1

    def test_schedule(self) -> None:
        status, out, _ = run("schedule", str(EXAMPLES / "benefit.json"), "--json")
        assert status == 0
        # NTF table of RULES §10: the same benefit and definition as examples/benefit.json
        assert json.loads(out) == {
            "issue_at": "2026-03-19T20:00:00Z",
            "remind_at": "2026-04-04T22:00:00Z",
            "extend_at": "2026-04-12T06:00:00Z",
            "expiry_at": None,
        }


class TestRewards:
    """`loyalty-core rewards`: balance and plan; exit 1 only for a strict refusal (API.md)."""

    rewards = str(EXAMPLES / "rewards.json")

    def test_plan(self) -> None:
        status, out, _ = run(
            "rewards", self.rewards, "--at", "2025-06-25T02:00:00Z", "--amount", "20", "--json"
        )
        assert status == 0
        result = json.loads(out)
        # RULES §7: balance 42.00; amount 20 takes 9, 12, 4 and 1.00 of 7
        assert result["balance"] == "42.00"
        assert result["deductions"] == [[9, "4.00"], [12, "10.00"], [4, "5.00"], [7, "1.00"]]
        assert result["redeemed"] == "20.00"

    def test_partial_non_strict_exits_0(self) -> None:
        status, out, _ = run(
            "rewards", self.rewards, "--at", "2025-06-25T02:00:00Z", "--amount", "50"
        )
        assert status == 0
        assert "42.00 of 50" in out

    def test_strict_refusal_exits_1(self) -> None:
        status, out, _ = run(
            "rewards", self.rewards, "--at", "2025-06-25T02:00:00Z", "--amount", "50", "--strict"
        )
        assert status == 1
        assert "insufficient_balance" in out

    @pytest.mark.parametrize("amount", ["0", "-1", "ten", "1e3"])
    def test_bad_amount_exits_2(self, amount: str) -> None:
        status, _, err = run("rewards", self.rewards, "--at", "2025-06-25", "--amount", amount)
        assert status == 2
        assert "amount" in err


class TestCredit:
    """`loyalty-core credit check|redeem|edit` on the bundled gift card (RULES §9)."""

    credit = str(EXAMPLES / "credit.json")

    def test_not_released_yet(self) -> None:
        status, out, _ = run(
            "credit",
            "check",
            self.credit,
            "--at",
            "2025-03-12T18:19:59Z",
            "--amount",
            "5",
            "--security-code",
            "1234",
            "--json",
        )
        assert status == 1
        result = json.loads(out)
        assert [r["code"] for r in result["reasons"]] == ["not_released"]
        assert result["retry_at"] == "2025-03-12T18:20:00Z"  # CRD-3: 7 days, wall time kept

    def test_redeem(self) -> None:
        status, out, _ = run(
            "credit",
            "redeem",
            self.credit,
            "--at",
            "2025-03-12T18:20:00Z",
            "--amount",
            "5",
            "--security-code",
            "1234",
            "--json",
        )
        assert status == 0
        assert json.loads(out)["credit"]["value_remaining"] == "15.00"

    def test_edit(self) -> None:
        body = '{"value_remaining": "12.50", "expires_at": "2026-01-31 23:59:59"}'
        status, out, _ = run("credit", "edit", self.credit, "-", stdin=body)
        assert status == 0
        edited = json.loads(out)
        assert edited["value_remaining"] == "12.50"
        # Q35: a naive date in a request body is a wall time in the credit's zone (New York)
        assert edited["expires_at"] == "2026-02-01 04:59:59"

    def test_bad_edit_exits_2(self) -> None:
        status, _, err = run("credit", "edit", self.credit, "-", stdin='{"value_initial": 10}')
        assert status == 2
        assert "$.value_remaining: 20.00 exceeds $.value_initial 10" in err


class TestExtendRequestBody:
    """`loyalty-core extend --request`: the Extend Reward body selects the items by id."""

    def test_request(self, tmp_path: Path) -> None:
        body = tmp_path / "request.json"
        body.write_text('{"profile_id": "p-1", "ids": [4, 99], "extend_days": 30}')
        status, out, _ = run(
            "extend",
            str(EXAMPLES / "reward.json"),
            "--request",
            str(body),
            "--at",
            "2026-03-01T00:00:00Z",
            "--json",
        )
        assert status == 1  # id 99 is not in the file
        result = json.loads(out)
        assert [r["id"] for r in result["extended"]] == [4]
        # EXT-11: an id naming no item is skipped with not_found, in the body's order.
        assert [(r["id"], [x["code"] for x in r["reasons"]]) for r in result["skipped"]] == [
            (99, ["not_found"])
        ]

    def test_bad_request(self, tmp_path: Path) -> None:
        body = tmp_path / "request.json"
        body.write_text('{"profile_id": "p-1", "ids": [], "extend_days": 0}')
        status, _, err = run(
            "extend", str(EXAMPLES / "reward.json"), "--request", str(body), "--at", "2026-03-01"
        )
        assert status == 2
        assert "$.ids" in err
        assert "$.extend_days" in err
