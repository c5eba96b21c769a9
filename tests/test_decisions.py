from datetime import datetime, timedelta, timezone

import pytest

from loyalty_core import DEFAULT_POLICY, Decision, InvalidRequest, Policy, Reason, ReasonCode
from tests.helpers import utc

API_CODES = """
not_claimable archived unpublished not_assignable claim_window_not_open claim_window_closed
definition_ended condition_not_met already_claimed active_claim_exists claim_timeframe_limit
global_redemptions_exhausted allocations_exhausted campaign_already_claimed not_yet_issued
expired archived not_owned user_redeem_not_allowed redemptions_exhausted instance_limit_exceeded
global_limit_exceeded insufficient_balance not_owned already_extended not_extendable no_expiry
expired not_found not_yet_issued not_released expired locked security_code_required
security_code_mismatch insufficient_value
""".split()  # noqa: SIM905 - copied as API.md lists them


class TestReasonCode:
    """API.md: every reason code, stable snake_case values, upper-cased members."""

    def test_every_api_code(self) -> None:
        assert {c.value for c in ReasonCode} == set(API_CODES)

    def test_members(self) -> None:
        assert ReasonCode("not_claimable") is ReasonCode.NOT_CLAIMABLE
        for code in ReasonCode:
            assert code.name == code.value.upper()


class TestReason:
    def test_lazy_is_rendered_once_and_deterministic(self) -> None:
        calls: list[int] = []

        def render() -> tuple[str, dict[str, object]]:
            calls.append(1)
            return "expired at 2026-04-19T13:59:59Z", {"expires_at": "2026-04-19T13:59:59Z"}

        reason = Reason.lazy(ReasonCode.EXPIRED, render)
        assert calls == []
        assert reason.message == "expired at 2026-04-19T13:59:59Z"
        assert reason.detail == {"expires_at": "2026-04-19T13:59:59Z"}
        assert len(calls) == 1
        assert reason == Reason("expired", "expired at 2026-04-19T13:59:59Z", reason.detail)

    def test_immutable(self) -> None:
        reason = Reason(ReasonCode.LOCKED, "locked")
        with pytest.raises(AttributeError):
            reason.message = "x"  # type: ignore[misc]
        with pytest.raises(TypeError):
            reason.detail["x"] = 1  # type: ignore[index]

    def test_unknown_code(self) -> None:
        with pytest.raises(InvalidRequest, match="^code: "):
            Reason("nope", "x")


class TestDecision:
    def test_allowed(self) -> None:
        decision = Decision()
        assert decision.allowed
        assert bool(decision)
        assert decision.codes == frozenset()
        assert decision.retry_at is None

    def test_refused(self) -> None:
        reasons = (
            Reason(ReasonCode.CLAIM_WINDOW_CLOSED, "window closed"),
            Reason(ReasonCode.CONDITION_NOT_MET, "condition"),
        )
        retry = datetime(2026, 1, 1, 10, tzinfo=timezone(timedelta(hours=10)))
        decision = Decision(reasons=reasons, retry_at=retry)
        assert not decision.allowed
        assert not decision
        assert decision.reasons == reasons
        assert decision.codes == {"claim_window_closed", "condition_not_met"}
        assert decision.retry_at == utc("2026-01-01 00:00:00")
        assert decision == Decision(reasons=reasons, retry_at=utc("2026-01-01 00:00:00"))

    def test_each_code_once(self) -> None:
        with pytest.raises(InvalidRequest, match="^reasons: each code"):
            Decision(reasons=(Reason("expired", "a"), Reason("expired", "b")))

    def test_naive_retry_at(self) -> None:
        with pytest.raises(InvalidRequest, match="^retry_at: "):
            Decision(retry_at=datetime(2026, 1, 1))


class TestPolicy:
    """POL-2 to POL-6: exactly these switches and their defaults."""

    def test_defaults(self) -> None:
        import attrs

        assert {a.name: a.default for a in attrs.fields(Policy)} == {
            "reclaim_requires_inactive": True,
            "one_claim_per_campaign": False,
            "claims_require_assignable": True,
            "allow_extend_expired": True,
            "remind_offset_sign": "after",
        }
        assert Policy() == DEFAULT_POLICY

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            pytest.param({"reclaim_requires_inactive": 1}, "reclaim_requires_inactive", id="POL-2"),
            pytest.param({"one_claim_per_campaign": "yes"}, "one_claim_per_campaign", id="POL-3"),
            pytest.param(
                {"claims_require_assignable": None}, "claims_require_assignable", id="POL-4"
            ),
            pytest.param({"allow_extend_expired": 0}, "allow_extend_expired", id="POL-5"),
            pytest.param({"remind_offset_sign": "sideways"}, "remind_offset_sign", id="POL-6"),
        ],
    )
    def test_invalid(self, kwargs: dict[str, object], field: str) -> None:
        with pytest.raises(InvalidRequest, match=f"^{field}: "):
            Policy(**kwargs)  # type: ignore[arg-type]
