import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    ClaimTimeframe,
    ConditionError,
    Credit,
    CreditDefinition,
    InvalidRequest,
    PayloadError,
    PeriodType,
    Profile,
    Reward,
    RewardDefinition,
    compute_expiry,
)
from loyalty_core.payloads import (
    ClaimRequest,
    ExtendRequest,
    parse_claim_request,
    parse_extend_request,
    parse_redeem_request,
)
from tests.helpers import utc

DATA = Path(__file__).parent / "data"


def claim_response() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "claim_benefit_response.json").read_text())["data"]
    return data


def problems(error: PayloadError) -> dict[str, str]:
    return {p.where: p.message for p in error.problems}


class TestClaimBenefitResponse:
    """PAY-1: the Claim Benefit response of the API pages parses into a Benefit."""

    def test_parses(self) -> None:
        benefit = Benefit.from_api(claim_response())
        assert benefit.id == 123
        assert benefit.issued_at == utc("2021-03-05 00:06:51")
        assert benefit.expires_at == utc("2021-04-24 23:59:59")
        assert benefit.timezone == "UTC"
        assert benefit.redemptions_remaining == 1
        definition = benefit.definition
        assert definition.period == 50
        assert definition.period_type is PeriodType.DAYS
        assert definition.claim_period_start_at == utc("2020-12-25 07:00:00")
        assert definition.claim_condition is not None
        assert definition.claim_condition.rule == {"===": ["female", {"var": "gender"}]}
        assert definition.claim_timeframe is None  # COND-1/CLM-16: [] means none
        assert definition.view_condition is None
        assert definition.notify_remind_offset_days == -14
        assert benefit.total_global_redemptions_remaining == 1

    def test_round_trip(self) -> None:
        benefit = Benefit.from_api(claim_response())
        assert Benefit.from_api(benefit.to_api()) == benefit
        assert Benefit.from_api(json.loads(json.dumps(benefit.to_api()))) == benefit

    def test_to_api_leaves_out_derived_keys_and_keeps_the_rest(self) -> None:
        """PAY-10 (revised): derived keys are not written back; every other key is kept."""
        payload = claim_response()
        rendered = Benefit.from_api(payload).to_api()
        for key in ("is_expired", "is_redeemable", "total_global_redemptions_remaining"):
            assert key not in rendered
        for key in ("created_at", "redeem_code_pos", "combine_meta", "source_type"):
            assert rendered[key] == payload[key]  # PAY-4: kept in extra, not read
        assert rendered["definition"]["tags"] == payload["definition"]["tags"]
        assert rendered["issued_at"] == "2021-03-05 00:06:51"


class TestDatetimes:
    """PAY-2/PAY-3: three shapes; a naive datetime in a response is UTC."""

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            pytest.param(
                "2021-03-05 00:06:51", utc("2021-03-05 00:06:51"), id="PAY-3-naive-is-utc"
            ),
            pytest.param("2030-01-01 11:00:00", utc("2030-01-01 11:00:00"), id="PAY-3-not-local"),
            pytest.param("2024-12-06", utc("2024-12-06 00:00:00"), id="PAY-2c-bare-date"),
            pytest.param("2023-11-07T05:31:56Z", utc("2023-11-07 05:31:56"), id="PAY-2b-z"),
            pytest.param(
                "2023-11-07T05:31:56+10:00", utc("2023-11-06 19:31:56"), id="PAY-2b-offset"
            ),
            pytest.param(
                "2026-11-01T06:30:00.500000Z", utc("2026-11-01 06:30:00.5"), id="PAY-2b-fraction"
            ),
            pytest.param(datetime(2021, 3, 5), utc("2021-03-05 00:00:00"), id="PAY-2-naive-object"),
        ],
    )
    def test_accepted(self, raw: object, expected: datetime) -> None:
        benefit = Benefit.from_api(
            {"timezone": "Australia/Melbourne", "expires_at": raw, "definition": {}}
        )
        assert benefit.expires_at == expected
        assert benefit.expires_at is not None
        assert benefit.expires_at.tzinfo is UTC

    @pytest.mark.parametrize(
        "raw",
        [
            pytest.param("2023-11-07T05:31:56", id="PAY-2-T-without-offset"),
            pytest.param("2021-02-30 10:00:00", id="PAY-2-impossible-date"),
            pytest.param("07/11/2023", id="PAY-2-other"),
            pytest.param(1700000000, id="PAY-2-number"),
        ],
    )
    def test_refused(self, raw: object) -> None:
        with pytest.raises(PayloadError) as caught:
            Benefit.from_api({"expires_at": raw, "definition": {}})
        assert set(problems(caught.value)) == {"$.expires_at"}
        assert repr(raw) in str(caught.value)

    def test_rendering(self) -> None:
        """PAY-5: UTC shape (a) when whole seconds, else (b); rewards get local twins."""
        reward = Reward(
            value_initial=Decimal(10),
            timezone="Australia/Melbourne",
            expires_at=utc("2026-04-19 13:59:59"),
            issued_at=utc("2026-11-01 06:30:00.5"),
        )
        rendered = reward.to_api()
        assert rendered["expires_at"] == "2026-04-19 13:59:59"
        assert rendered["expires_local_at"] == "2026-04-19 23:59:59"
        assert rendered["issued_at"] == "2026-11-01T06:30:00.500000Z"
        assert Reward.from_api(rendered) == reward


class TestMoney:
    """PAY-8 (Q40): exact Decimals from numbers and strings."""

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            pytest.param(0.1, "0.1", id="PAY-8-float-shortest"),
            pytest.param("12.50", "12.50", id="PAY-8-string-keeps-scale"),
            pytest.param(10, "10", id="PAY-8-int"),
            pytest.param(Decimal("3.000"), "3.000", id="PAY-8-decimal-kept"),
            pytest.param(1e16, "1E+16", id="PAY-8-large-float"),
        ],
    )
    def test_accepted(self, raw: object, expected: str) -> None:
        reward = Reward.from_api({"value_initial": raw})
        assert reward.value_initial == Decimal(expected)
        assert str(reward.value_initial) == expected
        assert reward.value_remaining == reward.value_initial  # PAY-9

    @pytest.mark.parametrize(
        "raw",
        [
            pytest.param(True, id="PAY-8-bool"),
            pytest.param("1e3", id="PAY-8-exponent"),
            pytest.param(" 1.00", id="PAY-8-whitespace"),
            pytest.param(float("nan"), id="PAY-8-nan"),
            pytest.param(float("inf"), id="PAY-8-inf"),
            pytest.param("1.", id="PAY-8-trailing-dot"),
            pytest.param(Decimal("NaN"), id="PAY-8-decimal-nan"),
            pytest.param([1], id="PAY-8-list"),
        ],
    )
    def test_refused(self, raw: object) -> None:
        with pytest.raises(PayloadError, match=r"^\$\.value_initial: expected a money amount"):
            Reward.from_api({"value_initial": raw})

    def test_rendered_fixed_point(self) -> None:
        assert Reward(value_initial=Decimal("1E+2")).to_api()["value_initial"] == "100"


class TestIntegersAndBooleans:
    """PAY-6/PAY-7: integers are ints (or integral floats); booleans are JSON booleans."""

    def test_integral_float(self) -> None:
        assert BenefitDefinition.from_api({"period": 30.0}).period == 30

    @pytest.mark.parametrize(
        ("key", "raw", "message"),
        [
            pytest.param("period", -1, "expected an integer >= 0, got -1", id="PAY-7-negative"),
            pytest.param("period", "30", "expected an integer >= 0, got '30'", id="PAY-7-string"),
            pytest.param("period", True, "expected an integer >= 0, got True", id="PAY-7-bool"),
            pytest.param("period", 1.5, "expected an integer >= 0, got 1.5", id="PAY-7-fraction"),
            pytest.param("id", "17", "expected an integer, got '17'", id="PAY-7-id-string"),
            pytest.param(
                "notify_issue_offset_hour",
                24,
                "expected an integer from 0 to 23, got 24",
                id="NTF-7-hour-24",
            ),
            pytest.param(
                "is_claimable", "true", "expected true or false, got 'true'", id="PAY-6-string-bool"
            ),
            pytest.param("is_claimable", 1, "expected true or false, got 1", id="PAY-6-one"),
            pytest.param("handle", 5, "expected a string, got 5", id="PAY-7-string-field-number"),
            pytest.param(
                "period_type", "fortnights", "expected one of days", id="PAY-11-period-type"
            ),
        ],
    )
    def test_refused(self, key: str, raw: object, message: str) -> None:
        with pytest.raises(PayloadError) as caught:
            BenefitDefinition.from_api({key: raw})
        assert problems(caught.value)[f"$.{key}"].startswith(message)

    def test_offsets_may_be_negative(self) -> None:
        assert (
            BenefitDefinition.from_api({"notify_schedule_offset": -3}).notify_schedule_offset == -3
        )

    def test_null_flags(self) -> None:
        """PAY-6: null or missing means false, except allow_user_redeem, which means true."""
        definition = BenefitDefinition.from_api({"is_claimable": None, "allow_user_redeem": None})
        assert definition.is_claimable is False
        assert definition.allow_user_redeem is True
        assert BenefitDefinition.from_api({"allow_user_redeem": False}).allow_user_redeem is False

    def test_profile_id_string(self) -> None:
        with pytest.raises(PayloadError, match=r"\$\.profile_id: expected a string, got 42"):
            Benefit.from_api({"profile_id": 42, "definition": {}})


class TestRequiredAndDefaults:
    """PAY-9: only value_initial (rewards, credits) and definition (benefits) are required."""

    @pytest.mark.parametrize(
        ("cls", "payload", "path"),
        [
            pytest.param(Reward, {}, "$.value_initial", id="PAY-9-reward-value-initial"),
            pytest.param(
                Credit, {"value_initial": None}, "$.value_initial", id="PAY-9-credit-null"
            ),
            pytest.param(Benefit, {}, "$.definition", id="PAY-9-benefit-definition"),
        ],
    )
    def test_required(self, cls: type[Any], payload: dict[str, Any], path: str) -> None:
        with pytest.raises(PayloadError) as caught:
            cls.from_api(payload)
        assert path in problems(caught.value)

    @pytest.mark.parametrize(
        "cls", [BenefitDefinition, RewardDefinition, CreditDefinition], ids=lambda c: c.__name__
    )
    def test_definitions_need_nothing(self, cls: type[Any]) -> None:
        assert cls.from_api({}) == cls()

    def test_redemptions_remaining_defaults_to_max(self) -> None:
        benefit = Benefit.from_api({"definition": {"max_redemptions": 3}})
        assert benefit.redemptions_remaining == 3
        assert Benefit.from_api({"definition": {}}).redemptions_remaining is None

    def test_total_global_redemptions_from_remaining(self) -> None:
        definition = BenefitDefinition.from_api(
            {"max_global_redemptions": 100, "total_global_redemptions_remaining": 3}
        )
        assert definition.total_global_redemptions == 97
        both = BenefitDefinition.from_api(
            {
                "max_global_redemptions": 100,
                "total_global_redemptions": 10,
                "total_global_redemptions_remaining": 3,
            }
        )
        assert both.total_global_redemptions == 10

    def test_credit_zone_falls_back_to_definition(self) -> None:
        """CRD-1/TIME-3: a credit's zone is its own, else its definition's, else UTC."""
        credit = Credit.from_api(
            {"value_initial": 1, "definition": {"timezone": "America/New_York"}}
        )
        assert credit.zone.key == "America/New_York"
        assert Credit.from_api({"value_initial": 1}).zone.key == "UTC"
        assert Reward.from_api({"value_initial": 1}).zone.key == "UTC"

    def test_null_definition_on_reward(self) -> None:
        assert Reward.from_api({"value_initial": 1, "definition": None}).definition is None


class TestRuleFields:
    """PAY-11: rule fields are validated at from_api."""

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            pytest.param("month", ClaimTimeframe(unit="month"), id="CLM-16-calendar"),
            pytest.param(["1", "months"], ClaimTimeframe(unit="month", count=1), id="CLM-16-list"),
            pytest.param(" 30 Days ", ClaimTimeframe(unit="day", count=30), id="CLM-16-trim-case"),
            pytest.param("", None, id="CLM-16-empty"),
            pytest.param([], None, id="CLM-16-empty-list"),
        ],
    )
    def test_timeframe(self, raw: object, expected: ClaimTimeframe | None) -> None:
        assert BenefitDefinition.from_api({"claim_timeframe": raw}).claim_timeframe == expected

    @pytest.mark.parametrize("raw", ["fortnight", "0 days", "1  days", ["1", 2], 5, "days 1"])
    def test_bad_timeframe(self, raw: object) -> None:
        with pytest.raises(PayloadError) as caught:
            BenefitDefinition.from_api({"claim_timeframe": raw})
        assert repr(raw) in problems(caught.value)["$.claim_timeframe"]

    def test_window_start_after_end(self) -> None:
        with pytest.raises(PayloadError) as caught:
            BenefitDefinition.from_api(
                {
                    "claim_period_start_at": "2022-01-01",
                    "claim_period_end_at": "2021-01-01 00:00:00",
                }
            )
        message = problems(caught.value)["$.claim_period_start_at"]
        assert "$.claim_period_end_at" in message
        assert "2022-01-01 00:00:00" in message
        assert "2021-01-01 00:00:00" in message

    def test_window_one_instant(self) -> None:
        definition = BenefitDefinition.from_api(
            {"claim_period_start_at": "2022-01-01", "claim_period_end_at": "2022-01-01"}
        )
        assert definition.claim_period_start_at == definition.claim_period_end_at

    def test_expires_before_issued_is_kept(self) -> None:
        """EXP-8/Q9: an explicit expires_at earlier than issued_at is kept."""
        benefit = Benefit.from_api(
            {"issued_at": "2025-01-02", "expires_at": "2025-01-01", "definition": {"period": 5}}
        )
        assert benefit.expires_at == utc("2025-01-01 00:00:00")

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            pytest.param(None, None, id="COND-1-null"),
            pytest.param("", None, id="COND-1-empty-string"),
            pytest.param([], None, id="COND-1-empty-list"),
            pytest.param({}, None, id="COND-1-empty-object"),
            pytest.param("[]", None, id="COND-2-string-of-empty"),
            pytest.param('{"!": [false]}', {"!": [False]}, id="COND-2-decoded"),
            pytest.param({"var": "a"}, {"var": "a"}, id="COND-3-object"),
        ],
    )
    def test_condition(self, raw: object, expected: object) -> None:
        condition = BenefitDefinition.from_api({"claim_condition": raw}).claim_condition
        assert (None if condition is None else condition.rule) == expected

    @pytest.mark.parametrize(
        "raw",
        [
            pytest.param([1], id="COND-3-list"),
            pytest.param(5, id="COND-3-number"),
            pytest.param(True, id="COND-3-bool"),
            pytest.param({"a": 1, "b": 2}, id="COND-3-multi-key"),
            pytest.param("{not json", id="COND-2-not-json"),
            pytest.param({"and": [True, {"foo": 1}]}, id="COND-7-unknown-operator-deep"),
            pytest.param('{"==": [1]}', id="COND-7-arity-in-text"),
        ],
    )
    def test_bad_condition(self, raw: object) -> None:
        with pytest.raises(PayloadError) as caught:
            BenefitDefinition.from_api({"view_condition": raw, "period": -1})
        found = problems(caught.value)
        assert "$.period" in found  # PAY-12: every problem at once
        assert {p for p in found if p != "$.period"} <= {
            "$.view_condition",
            "$.view_condition.and[1]",
        }
        assert len(found) == 2
        assert isinstance(caught.value.__cause__, ConditionError)  # COND-3: chained


class TestErrors:
    """PAY-12: every bad field by JSON path and value, at once; nothing else escapes."""

    def test_nested_paths_collected(self) -> None:
        with pytest.raises(PayloadError) as caught:
            Benefit.from_api(
                {
                    "issued_at": "yesterday",
                    "definition": {"max_redemptions": -1, "is_published": "yes"},
                }
            )
        assert problems(caught.value) == {
            "$.issued_at": problems(caught.value)["$.issued_at"],
            "$.definition.max_redemptions": "expected an integer >= 0, got -1",
            "$.definition.is_published": "expected true or false, got 'yes'",
        }
        assert "'yesterday'" in problems(caught.value)["$.issued_at"]
        assert str(caught.value).startswith("$.issued_at: ")

    @pytest.mark.parametrize("payload", [[], "x", 5, None], ids=repr)
    def test_not_a_mapping(self, payload: object) -> None:
        for cls in (Benefit, BenefitDefinition, Reward, Credit, Profile):
            with pytest.raises(PayloadError, match=r"^\$: expected an object"):
                cls.from_api(payload)

    def test_definition_not_a_mapping(self) -> None:
        with pytest.raises(PayloadError, match=r"^\$\.definition: expected an object, got 5$"):
            Benefit.from_api({"definition": 5})

    def test_value_remaining_above_initial(self) -> None:
        """Q37/CRD-16/RWD-8: names both paths and values."""
        with pytest.raises(PayloadError) as caught:
            Credit.from_api({"value_initial": 10, "value_remaining": "20.00"})
        assert str(caught.value) == "$.value_remaining: 20.00 exceeds $.value_initial 10"

    def test_negative_money(self) -> None:
        with pytest.raises(
            PayloadError, match=r"\$\.value_remaining: expected a money amount >= 0"
        ):
            Reward.from_api({"value_initial": 10, "value_remaining": "-1"})

    def test_unknown_keys_kept_in_extra(self) -> None:
        """PAY-10: an unmodelled key is kept, not read; strict mode rejects it instead."""
        reward = Reward.from_api({"value_initial": 1, "colour": "red"})
        assert reward == Reward(value_initial=Decimal(1), extra={"colour": "red"})
        assert reward != Reward(value_initial=Decimal(1))
        with pytest.raises(PayloadError, match=r"^\$\.colour: is not a key of Reward"):
            Reward.from_api({"value_initial": 1, "colour": "red"}, strict=True)

    def test_is_value_error(self) -> None:
        with pytest.raises(ValueError, match="value_initial"):
            Reward.from_api({})


class TestConstructors:
    """PAY-12: a direct constructor checks the same fields and raises InvalidRequest."""

    def test_collects_every_field(self) -> None:
        with pytest.raises(InvalidRequest) as caught:
            BenefitDefinition(period=-1, is_claimable="yes", end_at=datetime(2025, 1, 1))  # type: ignore[arg-type]
        assert [p.where for p in caught.value.problems] == ["period", "end_at", "is_claimable"]

    def test_normalises_instants_and_zones(self) -> None:
        from zoneinfo import ZoneInfo

        benefit = Benefit(
            definition=BenefitDefinition(),
            timezone=ZoneInfo("Australia/Melbourne"),  # type: ignore[arg-type]
            issued_at=datetime(2026, 1, 1, 11, tzinfo=ZoneInfo("Australia/Melbourne")),
        )
        assert benefit.timezone == "Australia/Melbourne"
        assert benefit.issued_at == utc("2026-01-01 00:00:00")
        assert benefit.issued_at is not None
        assert benefit.issued_at.tzinfo is UTC

    def test_unknown_zone(self) -> None:
        with pytest.raises(InvalidRequest, match="^timezone: expected an IANA"):
            Reward(value_initial=Decimal(1), timezone="Mars/Olympus")

    def test_window_invariant(self) -> None:
        with pytest.raises(InvalidRequest, match="^claim_period_start_at: the claim window"):
            BenefitDefinition(
                claim_period_start_at=utc("2022-01-01 00:00:00"),
                claim_period_end_at=utc("2021-01-01 00:00:00"),
            )

    def test_condition_error(self) -> None:
        """COND-3: a constructor raises ConditionError for a condition, naming every problem."""
        with pytest.raises(ConditionError) as caught:
            BenefitDefinition(claim_condition=[1], period=-1)  # type: ignore[arg-type]
        assert [p.where for p in caught.value.problems] == ["period", "claim_condition"]
        with pytest.raises(
            ConditionError, match=r"^view_condition\.and\[1\]: unknown operator 'foo'$"
        ):
            BenefitDefinition(view_condition={"and": [True, {"foo": 1}]})  # type: ignore[arg-type]

    def test_condition_compiled_once(self) -> None:
        """COND-3: conditions are compiled when the definition is built, and evaluate."""
        definition = BenefitDefinition.from_api(
            {"claim_condition": '{"in": ["vip", {"var": "flattened_tags"}]}'}
        )
        condition = definition.claim_condition
        assert condition is not None
        assert condition.holds({"flattened_tags": ["vip", "stylist-client"]})
        assert not condition.holds({"flattened_tags": []})
        assert not condition.holds(Profile.from_api({"id": "p-1"}).context)

    def test_values_are_frozen(self) -> None:
        import attrs

        definition = BenefitDefinition()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            definition.period = 5  # type: ignore[misc]


class TestProfile:
    """PAY-1/PAY-10: a profile keeps its whole mapping, read-only, as condition context."""

    def test_context(self) -> None:
        source: dict[str, Any] = {
            "id": "p-1",
            "tier_handle": "gold",
            "aggregations": {"spend_12m": 1250.5},
        }
        profile = Profile.from_api(source)
        source["aggregations"]["spend_12m"] = 0
        assert profile.id == "p-1"
        assert profile.context["aggregations"]["spend_12m"] == 1250.5
        with pytest.raises(TypeError):
            profile.context["tier_handle"] = "silver"  # type: ignore[index]
        assert Profile.from_api(profile.to_api()) == profile

    def test_id_must_be_string(self) -> None:
        with pytest.raises(PayloadError, match=r"^\$\.id: expected a string, got 7$"):
            Profile.from_api({"id": 7})

    def test_id_and_context_agree(self) -> None:
        assert Profile(id="p-2").context["id"] == "p-2"
        with pytest.raises(InvalidRequest, match="^id: "):
            Profile(id="p-2", context={"id": "p-3"})


class TestRepresentableInstants:
    """TIME-1: a stored instant's local time must exist in every zone (years 1 to 9999)."""

    @pytest.mark.parametrize(
        "raw",
        [
            pytest.param("9999-12-31T01:59:59-23:00", id="TIME-1-past-year-9999-in-utc"),
            pytest.param("9999-12-31 13:00:00", id="TIME-1-local-time-past-9999-somewhere"),
            pytest.param("0001-01-01 05:00:00", id="TIME-1-local-time-before-year-1-somewhere"),
        ],
    )
    def test_refused(self, raw: str) -> None:
        with pytest.raises(PayloadError) as caught:
            Reward.from_api({"value_initial": 1, "expires_at": raw})
        assert problems(caught.value) == {
            "$.expires_at": f"expected an instant from 0001-01-02 to 9999-12-30 UTC, got {raw!r}"
        }

    def test_extremes_round_trip(self) -> None:
        for text in ("0001-01-02 00:00:00", "9999-12-30T23:59:59.999999Z"):
            reward = Reward.from_api(
                {"value_initial": 1, "expires_at": text, "timezone": "Pacific/Kiritimati"}
            )
            assert Reward.from_api(reward.to_api()) == reward

    def test_expiry_past_9999_is_invalid_request(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^period: .* past the last storable day"):
            compute_expiry(utc("9999-12-01 00:00:00"), timezone="UTC", period=50)

    def test_expiry_on_the_last_day_of_9999_is_past_the_storable_range(self) -> None:
        # Representable (9999-12-31 11:59:59Z) but not storable: the same error.
        with pytest.raises(InvalidRequest, match=r"^period: .* past the last storable day"):
            compute_expiry(utc("9999-12-30 10:00:00"), timezone="Etc/GMT+12", period=1)


class TestRequestBodies:
    """The Claim Benefit and Redeem Benefit request bodies (seeds 000, 001)."""

    def test_claim_body(self) -> None:
        request = parse_claim_request(
            {
                "definition": "birthday-coffee",
                "timezone": "Australia/Melbourne",
                "external_id": "ext-1",
                "meta": ["a", "b"],
                "unknown": 1,
            }
        )
        assert request == ClaimRequest(
            definition="birthday-coffee",
            timezone="Australia/Melbourne",
            external_id="ext-1",
            meta=("a", "b"),
        )

    def test_claim_body_collects_every_problem(self) -> None:
        with pytest.raises(PayloadError) as caught:
            parse_claim_request({"timezone": "Mars/Olympus", "external_id": 5, "meta": [1]})
        assert set(problems(caught.value)) == {
            "$.definition",
            "$.timezone",
            "$.external_id",
            "$.meta",
        }
        assert "'Mars/Olympus'" in problems(caught.value)["$.timezone"]

    @pytest.mark.parametrize("body", [[], "x", None])
    def test_claim_body_not_an_object(self, body: object) -> None:
        with pytest.raises(PayloadError, match=r"^\$: expected an object"):
            parse_claim_request(body)

    @pytest.mark.parametrize(
        ("body", "expected"),
        [
            pytest.param({}, 1, id="Q19-missing-count-is-1"),
            pytest.param({"count": None}, 1, id="Q19-null-count-is-1"),
            pytest.param({"count": 3}, 3, id="RED-2-count"),
            pytest.param({"count": 3.0}, 3, id="PAY-7-integral-float"),
        ],
    )
    def test_redeem_body(self, body: dict[str, object], expected: int) -> None:
        assert parse_redeem_request(body) == expected

    @pytest.mark.parametrize("count", [0, -1, True, 1.5, "2"], ids=repr)
    def test_redeem_body_bad_count(self, count: object) -> None:
        """Q20: a bad count in a body is a PayloadError naming $.count and the value."""
        with pytest.raises(PayloadError) as caught:
            parse_redeem_request({"count": count})
        assert problems(caught.value) == {"$.count": f"expected an integer >= 1, got {count!r}"}


class TestExtendRequestBody:
    """The Extend Reward request body (seed 003): profile_id, ids (min 1), days xor date."""

    def test_days(self) -> None:
        request = parse_extend_request({"profile_id": "p-1", "ids": [4, 7.0], "extend_days": 30})
        assert request == ExtendRequest(profile_id="p-1", ids=(4, 7), extend_days=30)

    def test_date_kept_as_written(self) -> None:
        """EXT-8: a naive extend_date stays text, to be read in each item's zone."""
        request = parse_extend_request(
            {"profile_id": "p-1", "ids": [1], "extend_date": "2030-01-01 11:00:00"}
        )
        assert request.extend_date == "2030-01-01 11:00:00"
        assert request.extend_days is None

    @pytest.mark.parametrize(
        ("body", "paths"),
        [
            pytest.param({}, {"$.profile_id", "$.ids", "$.extend_days"}, id="EXT-1-empty"),
            pytest.param(
                {"profile_id": "p", "ids": [1], "extend_days": 1, "extend_date": "2030-01-01"},
                {"$.extend_days"},
                id="EXT-1-both",
            ),
            pytest.param(
                {"profile_id": "p", "ids": [1], "extend_days": True},
                {"$.extend_days"},
                id="EXT-1-bool-days",
            ),
            pytest.param(
                {"profile_id": "p", "ids": [1], "extend_date": "2023-11-07T05:31:56"},
                {"$.extend_date"},
                id="PAY-2-T-without-offset",
            ),
            pytest.param(
                {"profile_id": 7, "ids": ["x", 2], "extend_days": 1},
                {"$.profile_id", "$.ids[0]"},
                id="PAY-7-types",
            ),
        ],
    )
    def test_refused(self, body: dict[str, object], paths: set[str]) -> None:
        with pytest.raises(PayloadError) as caught:
            parse_extend_request(body)
        assert set(problems(caught.value)) == paths
