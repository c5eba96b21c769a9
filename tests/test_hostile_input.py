"""Regression tests for the hostile inputs of the hardening issue, one test per row of its table.

Each row escaped the library once (a backtracking regex, a ``RecursionError``, an
``OverflowError``, a ``ValueError`` while formatting a message, a traceback from the command).
Every one now gets the library's own error, or a result, in time linear in its size; the
limits are those of ``docs/reference/limits.md`` (``loyalty_core.limits``).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    ConditionError,
    InvalidRequest,
    PayloadError,
    Profile,
    Reward,
    check_claim,
    clock,
    compute_expiry,
    jsonlogic,
    notification_schedule,
)
from loyalty_core.cli import main
from loyalty_core.limits import MAX_DAYS, MAX_HOURS, MAX_INT, MAX_NESTING
from loyalty_core.payloads import (
    parse_claim_request,
    parse_extend_request,
    parse_redeem_request,
)
from tests.helpers import utc

EXAMPLES = Path(__file__).parents[1] / "examples"
LONGEST_MESSAGE = 2_000
"""No message of these tests may be longer: the inputs are 50,000 characters or more."""


def problems_of(error: PayloadError | InvalidRequest | ConditionError) -> dict[str, str]:
    """The error's problems as ``{path: message}``; also checks the message stays short."""
    assert len(str(error)) < LONGEST_MESSAGE
    return {problem.where: problem.message for problem in error.problems}


def nested_objects(levels: int, leaf: object = 1) -> object:
    """``{"a": {"a": ... leaf}}`` with ``levels`` objects."""
    value: object = leaf
    for _ in range(levels):
        value = {"a": value}
    return value


def nested_literal(levels: int) -> object:
    """``{"a": {"a": ..., "b": 0}, "b": 0}``: objects of two keys, literal data in a rule."""
    value: object = 1
    for _ in range(levels):
        value = {"a": value, "b": 0}
    return value


class TestRow01NumberTextIsLinear:
    """Row 1: member text compared with a number is converted in linear time (COND-11)."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            pytest.param("1" * 32_000 + "x", False, id="digits-then-a-letter"),
            pytest.param("5" + " " * 50_000, True, id="a-number-then-whitespace"),
            pytest.param(" " * 50_000 + "5.0", True, id="whitespace-then-a-number"),
            pytest.param("0" * 50_000 + "5", True, id="leading-zeros"),
            pytest.param("5" + "0" * 50_000, False, id="a-huge-number"),
        ],
    )
    def test_loose_equality_with_long_text(self, text: str, expected: bool) -> None:
        assert jsonlogic.apply({"==": [{"var": "x"}, 5]}, {"x": text}) is expected

    def test_check_claim_with_16k_first_name(self) -> None:
        rule: Any = {"==": [{"var": "first_name"}, 5]}  # the constructor compiles it (COND-3)
        definition = BenefitDefinition(
            is_claimable=True, is_published=True, is_assignable=True, claim_condition=rule
        )
        profile = Profile(context={"first_name": "1" * 16_000 + "x"})
        decision = check_claim(definition, profile, at=utc("2026-03-01 00:00:00"), timezone="UTC")
        assert [reason.code.value for reason in decision.reasons] == ["condition_not_met"]
        assert len(decision.reasons[0].message) < LONGEST_MESSAGE


class TestRow02ConditionTextTooDeep:
    """Row 2: condition text nested past MAX_NESTING is a PayloadError at its field (COND-2)."""

    @pytest.mark.parametrize("field", ["claim_condition", "view_condition"])
    def test_definition(self, field: str) -> None:
        with pytest.raises(PayloadError) as raised:
            BenefitDefinition.from_api({field: "[" * 1_000})
        assert list(problems_of(raised.value)) == [f"$.{field}"]
        assert "nested at most 128 levels" in raised.value.problems[0].message

    def test_inside_a_benefit(self) -> None:
        with pytest.raises(PayloadError) as raised:
            Benefit.from_api({"definition": {"claim_condition": "[" * 1_000}})
        assert list(problems_of(raised.value)) == ["$.definition.claim_condition"]

    def test_constructor(self) -> None:
        with pytest.raises(ConditionError, match=r"^claim_condition: expected JSON text nested"):
            BenefitDefinition(claim_condition='{"!":' * 100_000)  # type: ignore[arg-type]

    def test_deep_but_valid_text_still_compiles(self) -> None:
        text = '{"!":[' * 64 + "true" + "]}" * 64  # 128 levels of JSON, 64 of logic (COND-7)
        assert BenefitDefinition.from_api({"claim_condition": text}).claim_condition is not None


class TestRow03TimeframeDigits:
    """Row 3: a claim timeframe count past the limit is refused before int() sees it (CLM-16)."""

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param("9" * 4_301 + " days", id="4301-digits"),
            pytest.param(["9" * 50_000, "days"], id="50k-digits-as-a-list"),
            pytest.param("9999 years", id="past-year-9999"),
            pytest.param(f"{MAX_DAYS + 1} days", id="one-day-past-the-longest"),
        ],
    )
    def test_refused(self, value: object) -> None:
        with pytest.raises(PayloadError) as raised:
            BenefitDefinition.from_api({"claim_timeframe": value})
        assert list(problems_of(raised.value)) == ["$.claim_timeframe"]

    @pytest.mark.parametrize(
        "value", [f"{MAX_DAYS} days", "521722 weeks", "119987 months", "9998 years"]
    )
    def test_the_longest_windows_are_accepted(self, value: str) -> None:
        timeframe = BenefitDefinition.from_api({"claim_timeframe": value}).claim_timeframe
        assert timeframe is not None
        assert timeframe.to_api() == value

    def test_a_claim_timeframe_value_checks_its_count(self) -> None:
        from loyalty_core import ClaimTimeframe

        with pytest.raises(InvalidRequest, match=r"^count: expected None or an integer from 1"):
            ClaimTimeframe(unit="year", count=10_000)


class TestRow04DeepProfile:
    """Row 4: profile data nested past MAX_NESTING is a PayloadError at its path, not a crash."""

    def test_from_api(self) -> None:
        with pytest.raises(PayloadError) as raised:
            Profile.from_api(json.loads('{"a":' * 495 + "1" + "}" * 495))
        assert list(problems_of(raised.value)) == ["$" + ".a" * MAX_NESTING]

    def test_constructor(self) -> None:
        with pytest.raises(InvalidRequest) as raised:
            Profile(context={"tags": nested_objects(10_000)})
        assert list(problems_of(raised.value)) == ["context.tags" + ".a" * (MAX_NESTING - 1)]

    def test_the_limit_itself_is_accepted_and_round_trips(self) -> None:
        payload: Any = nested_objects(MAX_NESTING)
        assert Profile.from_api(payload).to_api() == payload

    def test_a_cycle_is_reported_not_followed(self) -> None:
        cyclic: dict[str, Any] = {}
        cyclic["me"] = cyclic
        with pytest.raises(PayloadError):
            Profile.from_api(cyclic)


class TestRow05DeepLiteral:
    """Row 5: a literal nested too deep in a condition is a ConditionError (COND-7)."""

    def test_compile(self) -> None:
        rule = {"==": [nested_literal(1_000), 1]}
        with pytest.raises(ConditionError, match="nested deeper than 128 levels"):
            jsonlogic.compile(rule)

    def test_definition(self) -> None:
        with pytest.raises(PayloadError) as raised:
            BenefitDefinition.from_api({"claim_condition": {"==": [nested_literal(1_000), 1]}})
        (where,) = problems_of(raised.value)
        assert where == '$.claim_condition["=="][0]' + ".a" * (MAX_NESTING - 2)

    def test_a_literal_within_the_limit_compiles_and_serialises(self) -> None:
        rule: Any = {"==": [nested_literal(MAX_NESTING - 2), 1]}  # the operator and its array
        definition = BenefitDefinition(claim_condition=rule)
        assert definition.claim_condition is not None
        assert json.loads(definition.claim_condition.source) == rule

    def test_a_shared_literal_is_checked_where_it_is_deepest(self) -> None:
        shared = nested_literal(MAX_NESTING - 3)
        rule = {"and": [{"==": [shared, 1]}, {"!": {"!": {"==": [shared, 1]}}}]}
        with pytest.raises(ConditionError, match="nested deeper than 128 levels"):
            jsonlogic.compile(rule)


class TestRow06NotificationOffsets:
    """Row 6: offsets no schedule can compute are refused at from_api (NTF-2, NTF-6).

    Near year 9999, a schedule past the range raises InvalidRequest naming the field.
    """

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("notify_issue_offset_days", 10**7),
            ("notify_issue_offset_days", 10**16),
            ("notify_remind_offset_days", -(10**7)),
            ("notify_issue_offset", 10**9),
            ("notify_schedule_offset", MAX_HOURS + 1),
        ],
    )
    def test_refused_at_from_api(self, field: str, value: int) -> None:
        payload = {"value_initial": 1, "issued_at": "2025-01-01", "definition": {field: value}}
        with pytest.raises(PayloadError) as raised:
            Reward.from_api(payload)
        assert list(problems_of(raised.value)) == [f"$.definition.{field}"]

    @pytest.mark.parametrize(
        ("issued_at", "definition", "issue_at"),
        [
            pytest.param(
                "0001-01-02",
                {"notify_issue_offset_days": MAX_DAYS, "notify_schedule_offset": -24},
                datetime(9999, 12, 31, tzinfo=UTC),
                id="NTF-2-the-most-days",
            ),
            pytest.param(
                "9999-12-30",
                {"notify_issue_offset_days": 0, "notify_schedule_offset": MAX_HOURS},
                datetime(1, 1, 2, tzinfo=UTC),
                id="NTF-6-the-most-hours-earlier",
            ),
            pytest.param(
                "0001-01-02",
                {"notify_issue_offset": MAX_HOURS},
                datetime(9999, 12, 30, tzinfo=UTC),
                id="NTF-2-the-most-legacy-hours",
            ),
        ],
    )
    def test_the_largest_offsets_are_computed(
        self, issued_at: str, definition: dict[str, int], issue_at: datetime
    ) -> None:
        reward = Reward.from_api(
            {"value_initial": 1, "issued_at": issued_at, "definition": definition}
        )
        assert notification_schedule(reward).issue_at == issue_at

    def test_past_year_9999_is_an_error_naming_the_field(self) -> None:
        reward = Reward.from_api(
            {
                "value_initial": 1,
                "issued_at": "2025-01-01",
                "definition": {"notify_issue_offset_days": MAX_DAYS},
            }
        )
        with pytest.raises(InvalidRequest) as raised:
            notification_schedule(reward)
        assert list(problems_of(raised.value)) == ["definition.notify_issue_offset_days"]


class TestRow07HugeIntegers:
    """Row 7: integers of thousands of digits are named in a short message, never formatted."""

    @pytest.mark.parametrize(
        "payload",
        [
            pytest.param({"period": -(10**5000)}, id="period"),
            pytest.param({"id": 10**5000}, id="id"),
            pytest.param({"max_redemptions": 10**5000}, id="limit"),
            pytest.param({"id": 2**63}, id="id-past-64-bits"),
        ],
    )
    def test_definition_fields(self, payload: dict[str, Any]) -> None:
        with pytest.raises(PayloadError) as raised:
            BenefitDefinition.from_api(payload)
        assert list(problems_of(raised.value)) == [f"$.{next(iter(payload))}"]

    def test_the_message_says_how_many_digits(self) -> None:
        with pytest.raises(PayloadError) as raised:
            BenefitDefinition.from_api({"period": -(10**5000)})
        assert problems_of(raised.value) == {
            "$.period": "expected an integer >= 0, got a negative integer of 5001 digits"
        }

    def test_the_largest_id_round_trips_through_json(self) -> None:
        definition = BenefitDefinition.from_api({"id": MAX_INT})
        assert json.loads(json.dumps(definition.to_api()))["id"] == MAX_INT

    @pytest.mark.parametrize(
        ("parse", "body", "where"),
        [
            (parse_redeem_request, {"count": 10**5000}, "$.count"),
            (parse_extend_request, {"profile_id": "p", "ids": [10**5000]}, "$.ids[0]"),
            (
                parse_extend_request,
                {"profile_id": "p", "ids": [1], "extend_days": 10**5000},
                "$.extend_days",
            ),
            (parse_claim_request, {"definition": 10**5000, "timezone": "UTC"}, "$.definition"),
        ],
    )
    def test_request_bodies(self, parse: Any, body: dict[str, Any], where: str) -> None:
        with pytest.raises(PayloadError) as raised:
            parse(body)
        assert where in problems_of(raised.value)

    def test_compiled_json_logic_reads_a_huge_number_as_javascript_does(self) -> None:
        # JSON.parse reads 1e5000 as Infinity; so does the compiler.
        assert jsonlogic.apply({"+": [10**5000, 1]}) == float("inf")


def run(argv: list[str], stdin: str = "") -> tuple[int, str]:
    err = io.StringIO()
    status = main(argv, stdin=io.StringIO(stdin), stdout=io.StringIO(), stderr=err)
    return status, err.getvalue()


class TestRows08To10TheCommand:
    """Rows 8-10: bad input to the command exits 2 with one line naming it; never a traceback."""

    def test_row_08_bytes_that_are_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "item.json"
        path.write_bytes(b'{"value_initial": "\xff\xfe"}')
        status, err = run(["schedule", "--kind", "reward", str(path)])
        assert status == 2
        assert err == f"loyalty-core: error: {path}: not UTF-8 text (byte 19 cannot be decoded)\n"

    @pytest.mark.parametrize(
        ("at", "message"),
        [
            ("9999-12-31T23:59:59-14:00", "expected an instant from 0001-01-02 to 9999-12-30 UTC"),
            ("0001-01-01", "expected an instant from 0001-01-02 to 9999-12-30 UTC"),
            ("2021-01-01T00:00:00+25:00", "expected a datetime as"),
            ("9" * 50_000, "expected a datetime as"),
        ],
    )
    def test_row_09_at_out_of_range_or_malformed(self, at: str, message: str) -> None:
        status, err = run(["redeem", str(EXAMPLES / "benefit.json"), "--at", at])
        assert status == 2
        assert err.startswith(f"loyalty-core: error: --at: {message}")
        assert err.count("\n") == 1
        assert len(err) < LONGEST_MESSAGE

    @pytest.mark.parametrize(
        ("argv", "stdin"),
        [
            pytest.param(
                ["claim", "-", str(EXAMPLES / "profile.json"), "--at", "2021-03-05 00:00:00"],
                json.dumps({"claim_condition": "[" * 1_000}),
                id="row-2-condition-text",
            ),
            pytest.param(
                ["claim", "-", str(EXAMPLES / "profile.json"), "--at", "2021-03-05 00:00:00"],
                json.dumps({"claim_timeframe": "9" * 4_301 + " days"}),
                id="row-3-timeframe",
            ),
            pytest.param(
                ["claim", str(EXAMPLES / "benefit-definition.json"), "-", "--at", "2021-03-05"],
                '{"a":' * 495 + "1" + "}" * 495,
                id="row-4-deep-profile",
            ),
            pytest.param(["run", "-"], "[" * 100_000, id="row-5-deep-scenario-file"),
            pytest.param(
                ["schedule", "--kind", "reward", "-"],
                json.dumps(
                    {
                        "value_initial": 1,
                        "issued_at": "2025-01-01",
                        "definition": {"notify_issue_offset_days": MAX_DAYS},
                    }
                ),
                id="row-6-schedule-past-9999",
            ),
            pytest.param(["expiry", "-"], '{"period": ' + "9" * 5_000 + "}", id="row-7-digits"),
        ],
    )
    def test_row_10_the_rows_through_the_command(self, argv: list[str], stdin: str) -> None:
        status, err = run(argv, stdin)
        assert status == 2, err
        assert err.startswith("loyalty-core: error: ")
        assert "Traceback" not in err
        assert len(err) < LONGEST_MESSAGE

    def test_an_internal_error_exits_3_with_one_line(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def broken(*_: object, **__: object) -> object:
            msg = "boom"
            raise KeyError(msg)

        monkeypatch.setattr("loyalty_core.cli.notification_schedule", broken)
        status, err = run(["schedule", str(EXAMPLES / "reward.json"), "--kind", "reward"])
        assert status == 3
        assert err.startswith("loyalty-core: internal error: KeyError: ")
        assert "This is a bug in loyalty_core" in err
        assert "Traceback" not in err

    def test_a_real_process_prints_no_traceback_for_bytes_that_are_not_utf8(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "scenario.json"
        path.write_bytes(b"\x80\x81{}")
        done = subprocess.run(  # noqa: S603 - our own command, with a path we made
            [sys.executable, "-m", "loyalty_core.cli", "run", str(path)],
            capture_output=True,
            check=False,
            timeout=60,
        )
        assert done.returncode == 2
        assert b"Traceback" not in done.stderr


class TestRow11DayStartAfterAGap:
    """Row 11: a day whose midnight falls in a gap starts at the gap's end (TIME-8)."""

    @pytest.mark.parametrize(
        ("zone", "day", "start"),
        [
            pytest.param(
                "America/Toronto",
                date(1919, 3, 31),
                "1919-03-31 04:30:00",
                id="TIME-8-toronto-1919",
            ),
            pytest.param(
                "America/Havana", date(2025, 3, 9), "2025-03-09 05:00:00", id="TIME-8-havana"
            ),
            pytest.param(
                "Pacific/Apia", date(2011, 12, 30), "2011-12-30 10:00:00", id="TIME-8-apia-no-day"
            ),
            pytest.param(
                "Pacific/Apia", date(2011, 12, 31), "2011-12-30 10:00:00", id="TIME-8-apia-next"
            ),
            pytest.param(
                "America/Santiago", date(2025, 9, 7), "2025-09-07 04:00:00", id="TIME-8-santiago"
            ),
        ],
    )
    def test_start_of_day(self, zone: str, day: date, start: str) -> None:
        assert clock.start_of_day(day, clock.zone(zone)) == utc(start)

    def test_the_rules_example(self) -> None:
        expiry = compute_expiry(
            datetime(1919, 3, 29, 17, tzinfo=UTC), timezone="America/Toronto", period=1
        )
        assert expiry == utc("1919-03-31 04:29:59")

    def test_an_ambiguous_midnight_starts_at_the_earlier_instant(self) -> None:
        # America/Havana fell back at 2025-11-02 01:00 CDT to 00:00 CST: midnight came twice.
        tz = clock.zone("America/Havana")
        start = clock.start_of_day(date(2025, 11, 2), tz)
        assert start == utc("2025-11-02 04:00:00")
        assert clock.end_of_day(date(2025, 11, 1), tz) == utc("2025-11-02 03:59:59")


class TestFoundByTheFuzzSuite:
    """Defects the fuzz suite (tests/fuzz) found beyond the table, each pinned by an example."""

    def test_a_summary_shortens_a_long_variable_path(self) -> None:
        path = ".".join(["a"] * 25_000)
        summary = jsonlogic.explain({"var": path}, {"x": 1}).summary()
        assert summary == f"{path[:40]}... ({len(path)} characters) is null"

    def test_a_summary_names_at_most_ten_operands_and_variables(self) -> None:
        rule = {"or": [{"==": [{"var": f"v{i}"}, 1]} for i in range(50)]}
        summary = jsonlogic.explain(rule, {}).summary()
        assert summary.startswith("v0 is null; needs == 1, and v1 is null; needs == 1")
        assert summary.endswith("v9 is null; needs == 1 (and 40 more)")
        reads = jsonlogic.explain({"missing": [f"k{i}" for i in range(50)]}, {}).summary()
        assert "(and 40 more)" in reads

    def test_an_aware_datetime_whose_offset_is_24_hours_or_more_is_invalid(self) -> None:
        import pendulum

        at = pendulum.parse("2021-01-01T00:00:00+25:00", strict=False)
        with pytest.raises(InvalidRequest, match=r"^at: expected an aware datetime with a valid"):
            clock.as_instant(at, name="at")

    def test_a_scenario_item_index_past_64_bits_is_a_payload_error(self) -> None:
        from loyalty_core.scenarios import parse_scenario

        document = json.loads((EXAMPLES / "scenarios" / "anniversary.json").read_text())
        redeem = next(i for i, e in enumerate(document["events"]) if e["type"] == "redeem")
        document["events"][redeem]["benefit"] = 10**5000
        with pytest.raises(PayloadError) as raised:
            parse_scenario(document)
        assert problems_of(raised.value) == {
            f"$.events[{redeem}].benefit": "expected an integer from 0 to 9223372036854775807, "
            "got an integer of 5001 digits"
        }

    @pytest.mark.parametrize(
        ("known", "expected"),
        [({"a"}, ()), ({"a.a"}, ()), ({"b"}, "the path"), ({"a.aa"}, "the path")],
    )
    def test_unknown_variables_of_a_path_of_25000_segments(
        self, known: set[str], expected: object
    ) -> None:
        path = ".".join(["a"] * 25_000)
        found = jsonlogic.unknown_variables({"var": path}, known)
        assert found == (() if expected == () else (path,))

    def test_help_goes_to_the_stdout_given(self) -> None:
        out = io.StringIO()
        assert main(["claim", "--help"], stdout=out, stderr=io.StringIO()) == 0
        assert out.getvalue().startswith("usage: loyalty-core claim")
