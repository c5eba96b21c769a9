from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from loyalty_core import InvalidRequest, Reward, RewardDefinition
from loyalty_core.decisions import ReasonCode
from loyalty_core.rewards import (
    RewardRedemption,
    is_reward_active,
    redeem_rewards,
    reward_balance,
)
from tests.helpers import utc

US = timedelta(microseconds=1)
MELBOURNE = "Australia/Melbourne"
AT = utc("2025-06-25 02:00:00")


def reward(remaining: str, **fields: Any) -> Reward:
    """A Melbourne reward holding ``remaining`` (``value_initial`` defaults to the same)."""
    fields.setdefault("value_initial", Decimal(remaining))
    fields.setdefault("timezone", MELBOURNE)
    return Reward(value_remaining=Decimal(remaining), **fields)


def pairs(result: RewardRedemption) -> list[tuple[int | None, str]]:
    """The deductions with amounts as fixed-point text, so the scale is compared too."""
    return [(ident, format(amount, "f")) for ident, amount in result.deductions]


# --- RULES §7 example table -----------------------------------------------------------------------

R12 = reward(
    "10.00", id=12, expires_at=utc("2025-07-15 13:59:59"), issued_at=utc("2025-06-01 00:00:00")
)
R4 = reward(
    "5.00", id=4, expires_at=utc("2025-07-15 13:59:59"), issued_at=utc("2025-06-10 00:00:00")
)
R7 = reward(
    "3.00", id=7, expires_at=utc("2025-07-15 13:59:59"), issued_at=utc("2025-06-10 00:00:00")
)
R9 = reward(
    "4.00", id=9, expires_at=utc("2025-07-01 13:59:59"), issued_at=utc("2025-06-05 00:00:00")
)
R2 = reward("20.00", id=2, expires_at=None, issued_at=utc("2025-01-01 00:00:00"))
R1 = reward(
    "50.00", id=1, expires_at=utc("2025-06-20 13:59:59"), issued_at=utc("2025-05-01 00:00:00")
)
R3 = reward(
    "8.00", id=3, expires_at=utc("2025-08-01 13:59:59"), issued_at=utc("2025-07-01 00:00:00")
)
R6 = reward(
    "0.00",
    id=6,
    value_initial="10.00",
    expires_at=utc("2025-07-10 13:59:59"),
    issued_at=utc("2025-06-02 00:00:00"),
)
TABLE = (R12, R4, R7, R9, R2, R1, R3, R6)


class TestRwdTable:
    """RWD example table: eight rewards at 2025-06-25 02:00:00Z (RULES §7)."""

    @pytest.mark.parametrize(
        ("item", "active"),
        [
            pytest.param(R12, True, id="RWD-1-table-12-active"),
            pytest.param(R4, True, id="RWD-1-table-4-active"),
            pytest.param(R7, True, id="RWD-1-table-7-active"),
            pytest.param(R9, True, id="RWD-1-table-9-active"),
            pytest.param(R2, True, id="RWD-1-table-2-active-null-expiry"),
            pytest.param(R1, False, id="RWD-1-table-1-expired"),
            pytest.param(R3, False, id="RWD-1-table-3-not-yet-issued"),
            pytest.param(R6, False, id="RWD-1-table-6-used-up"),
        ],
    )
    def test_active_column(self, item: Reward, active: bool) -> None:
        assert is_reward_active(item, at=AT) is active

    def test_order_is_9_12_4_7_2(self) -> None:
        result = redeem_rewards(TABLE, 1000, at=AT)
        assert [ident for ident, _ in result.deductions] == [9, 12, 4, 7, 2]

    def test_balance_is_42_00(self) -> None:
        balance = reward_balance(TABLE, at=AT)
        assert balance == Decimal("42.00")
        assert format(balance, "f") == "42.00"

    def test_amount_20(self) -> None:
        result = redeem_rewards(TABLE, 20, at=AT)
        assert result.decision.allowed
        assert result.requested == Decimal(20)
        assert format(result.redeemed, "f") == "20.00"
        assert pairs(result) == [(9, "4.00"), (12, "10.00"), (4, "5.00"), (7, "1.00")]

    def test_amount_50(self) -> None:
        result = redeem_rewards(TABLE, 50, at=AT)
        assert result.decision.allowed
        assert result.requested == Decimal(50)
        assert format(result.redeemed, "f") == "42.00"
        assert pairs(result) == [
            (9, "4.00"),
            (12, "10.00"),
            (4, "5.00"),
            (7, "3.00"),
            (2, "20.00"),
        ]

    def test_amount_50_strict(self) -> None:
        result = redeem_rewards(TABLE, 50, at=AT, strict=True)
        assert [r.code for r in result.decision.reasons] == [ReasonCode.INSUFFICIENT_BALANCE]
        assert repr(result.redeemed) == "Decimal('0')"
        assert result.deductions == ()
        assert result.rewards == TABLE

    def test_amount_20_remainders_in_input_order(self) -> None:
        result = redeem_rewards(TABLE, 20, at=AT)
        assert [format(r.value_remaining, "f") for r in result.rewards] == [
            "0.00",  # 12
            "0.00",  # 4
            "2.00",  # 7
            "0.00",  # 9
            "20.00",  # 2
            "50.00",  # 1 (expired, untouched)
            "8.00",  # 3 (not yet issued, untouched)
            "0.00",  # 6
        ]
        assert [r.id for r in result.rewards] == [12, 4, 7, 9, 2, 1, 3, 6]


class TestActive:
    """RWD-1: active iff issued_at null or <= at (Q36), not expired (EXP-1), value_remaining > 0."""

    @pytest.mark.parametrize(
        ("fields", "at", "active"),
        [
            pytest.param({"issued_at": AT}, AT, True, id="RWD-1-issued-exactly-at"),
            pytest.param({"issued_at": AT + US}, AT, False, id="RWD-1-issued-1us-later"),
            pytest.param({"issued_at": None}, AT, True, id="RWD-1-null-issued"),
            pytest.param({"expires_at": AT}, AT, True, id="RWD-1-expires-exactly-at"),
            pytest.param({"expires_at": AT}, AT + US, False, id="RWD-1-expired-1us-after"),
            pytest.param({"expires_at": None}, AT, True, id="RWD-1-null-expiry"),
            pytest.param(
                {"issued_at": AT, "expires_at": AT}, AT, True, id="RWD-1-one-instant-life"
            ),
            pytest.param(
                {"issued_at": AT, "expires_at": AT - US},
                AT,
                False,
                id="RWD-1-expiry-before-issue-never-active",
            ),
        ],
    )
    def test_bounds(self, fields: dict[str, Any], at: datetime, active: bool) -> None:
        assert is_reward_active(reward("1.00", **fields), at=at) is active

    @pytest.mark.parametrize(
        ("remaining", "active"),
        [
            pytest.param("0", False, id="RWD-1-remaining-0-inactive"),
            pytest.param("0.00", False, id="RWD-1-remaining-0.00-inactive"),
            pytest.param("0.01", True, id="RWD-1-remaining-0.01-active"),
        ],
    )
    def test_remaining(self, remaining: str, active: bool) -> None:
        item = reward(remaining, value_initial="5.00")
        assert is_reward_active(item, at=AT) is active

    def test_at_in_another_zone_is_the_same_instant(self) -> None:
        item = reward("1.00", expires_at=AT)
        local = AT.astimezone(ZoneInfo(MELBOURNE))
        assert is_reward_active(item, at=local) is True
        assert is_reward_active(item, at=(AT + US).astimezone(ZoneInfo(MELBOURNE))) is False

    def test_naive_at_is_invalid(self) -> None:
        with pytest.raises(InvalidRequest, match="^at: "):
            is_reward_active(R12, at=datetime(2025, 6, 25))

    def test_non_reward_is_invalid(self) -> None:
        with pytest.raises(InvalidRequest, match="^reward: expected a Reward, got 'x'"):
            is_reward_active("x", at=AT)  # type: ignore[arg-type]


class TestBalance:
    """RWD-2: the exact Decimal sum of value_remaining over active rewards; Decimal("0") if none."""

    def test_none_active_is_decimal_0(self) -> None:
        balance = reward_balance([R1, R3, R6], at=AT)
        assert repr(balance) == "Decimal('0')"

    def test_empty_is_decimal_0(self) -> None:
        assert repr(reward_balance([], at=AT)) == "Decimal('0')"

    def test_exact_decimal_sum(self) -> None:
        items = [Reward.from_api({"value_initial": 0.1}), Reward.from_api({"value_initial": 0.2})]
        assert reward_balance(items, at=AT) == Decimal("0.3")

    def test_any_iterable(self) -> None:
        def generate() -> Iterator[Reward]:
            yield R12
            yield R9

        assert reward_balance(generate(), at=AT) == Decimal("14.00")

    def test_bad_item_is_named_by_index(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^rewards\[1\]: expected a Reward, got 3"):
            reward_balance([R12, 3], at=AT)  # type: ignore[list-item]

    def test_non_iterable_is_invalid(self) -> None:
        with pytest.raises(InvalidRequest, match="^rewards: "):
            reward_balance(R12, at=AT)  # type: ignore[arg-type]

    def test_naive_at_is_invalid(self) -> None:
        with pytest.raises(InvalidRequest, match="^at: "):
            reward_balance(TABLE, at=datetime(2025, 6, 25))


class TestOrder:
    """RWD-3 (Q24): ascending expires_at, then issued_at, then id, each with null last."""

    @staticmethod
    def order(*items: Reward) -> list[int | None]:
        return [ident for ident, _ in redeem_rewards(items, 10_000, at=AT).deductions]

    @pytest.mark.parametrize(
        ("items", "expected"),
        [
            pytest.param(
                (
                    reward("1", id=1, expires_at=None),
                    reward("1", id=2, expires_at=AT + 2 * US),
                    reward("1", id=3, expires_at=AT + US),
                ),
                [3, 2, 1],
                id="RWD-3-null-expiry-last",
            ),
            pytest.param(
                (
                    reward("1", id=1, expires_at=AT + US, issued_at=None),
                    reward("1", id=2, expires_at=AT + US, issued_at=AT),
                    reward("1", id=3, expires_at=AT + US, issued_at=AT - US),
                ),
                [3, 2, 1],
                id="RWD-3-equal-expiry-by-issued-null-last",
            ),
            pytest.param(
                (
                    reward("1", id=None, expires_at=AT, issued_at=AT),
                    reward("1", id=10, expires_at=AT, issued_at=AT),
                    reward("1", id=9, expires_at=AT, issued_at=AT),
                    reward("1", id=-1, expires_at=AT, issued_at=AT),
                ),
                [-1, 9, 10, None],
                id="RWD-3-equal-expiry-and-issue-by-integer-id-null-last",
            ),
            pytest.param(
                (
                    reward("1", id=1, expires_at=AT + US, issued_at=AT - 2 * US),
                    reward("1", id=2, expires_at=AT, issued_at=AT),
                ),
                [2, 1],
                id="RWD-3-expiry-before-issued-at",
            ),
            pytest.param(
                (
                    reward("1", id=1, expires_at=None, issued_at=AT),
                    reward("1", id=2, expires_at=None, issued_at=None),
                    reward("1", id=3, expires_at=None, issued_at=AT - US),
                ),
                [3, 1, 2],
                id="RWD-3-null-expiry-then-issued-null-last",
            ),
            pytest.param(
                (
                    reward("1", id=2, expires_at=AT, issued_at=None),
                    reward("1", id=1, expires_at=AT, issued_at=None),
                ),
                [1, 2],
                id="RWD-3-null-issued-tie-by-id",
            ),
        ],
    )
    def test_order(self, items: tuple[Reward, ...], expected: list[int | None]) -> None:
        assert self.order(*items) == expected

    def test_full_tie_keeps_input_order(self) -> None:
        first = reward("1.00", id=None, value_initial="9.00")
        second = reward("2.00", id=None, value_initial="9.00")
        result = redeem_rewards([first, second], "1.50", at=AT)
        assert pairs(result) == [(None, "1.00"), (None, "0.50")]

    def test_inactive_rewards_take_no_part(self) -> None:
        items = (
            reward("5", id=1, expires_at=AT - US),
            reward("5", id=2, issued_at=AT + US),
            reward("5", id=3, value_initial="7"),
        )
        assert self.order(*items) == [3]


class TestAmount:
    """RWD-4: amount converted like money (PAY-8); <= 0 raises InvalidRequest naming the value."""

    @pytest.mark.parametrize(
        "amount",
        [
            pytest.param(0, id="RWD-4-zero"),
            pytest.param(Decimal("0.00"), id="RWD-4-zero-decimal"),
            pytest.param("0", id="RWD-4-zero-string"),
            pytest.param(-1, id="RWD-4-negative"),
            pytest.param("-0.01", id="RWD-4-negative-string"),
            pytest.param(True, id="RWD-4-bool"),
            pytest.param(False, id="RWD-4-bool-false"),
            pytest.param("1e3", id="RWD-4-exponent-string"),
            pytest.param(" 12", id="RWD-4-whitespace-string"),
            pytest.param("12.", id="RWD-4-trailing-dot"),
            pytest.param(float("nan"), id="RWD-4-float-nan"),
            pytest.param(Decimal("NaN"), id="RWD-4-decimal-nan"),
            pytest.param(float("inf"), id="RWD-4-infinity"),
            pytest.param(None, id="RWD-4-none"),
            pytest.param([5], id="RWD-4-list"),
        ],
    )
    def test_rejected(self, amount: Any) -> None:
        with pytest.raises(InvalidRequest) as caught:
            redeem_rewards(TABLE, amount, at=AT)
        (problem,) = caught.value.problems
        assert problem.where == "amount"
        assert problem.message.endswith(f"got {amount!r}")

    @pytest.mark.parametrize(
        ("amount", "requested"),
        [
            pytest.param("12.50", "12.50", id="RWD-4-string-keeps-scale"),
            pytest.param("7", "7", id="RWD-4-integer-string"),
            pytest.param(0.1, "0.1", id="RWD-4-float-shortest-text"),
            pytest.param(5, "5", id="RWD-4-int"),
            pytest.param(Decimal("0.001"), "0.001", id="RWD-4-decimal-kept"),
        ],
    )
    def test_accepted(self, amount: Any, requested: str) -> None:
        result = redeem_rewards(TABLE, amount, at=AT)
        assert format(result.requested, "f") == requested
        assert result.redeemed == Decimal(requested)

    def test_bad_reward_named_by_index(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^rewards\[2\]: expected a Reward, got None"):
            redeem_rewards([R12, R9, None], 5, at=AT)  # type: ignore[list-item]

    def test_naive_at_is_invalid(self) -> None:
        with pytest.raises(InvalidRequest, match="^at: "):
            redeem_rewards(TABLE, 5, at=datetime(2025, 6, 25))


class TestStrict:
    """RWD-5 (Q25): strict and balance < amount: refused, nothing consumed; retry_at per TIME-9."""

    def test_refusal_reason(self) -> None:
        result = redeem_rewards(TABLE, 50, at=AT, strict=True)
        (reason,) = result.decision.reasons
        assert reason.code == ReasonCode.INSUFFICIENT_BALANCE
        assert reason.message == "requested 50 exceeds the balance 42.00"
        assert dict(reason.detail) == {"requested": "50", "balance": "42.00"}

    def test_refusal_changes_nothing(self) -> None:
        result = redeem_rewards(list(TABLE), "42.01", at=AT, strict=True)
        assert not result.decision
        assert result.requested == Decimal("42.01")
        assert repr(result.redeemed) == "Decimal('0')"
        assert result.deductions == ()
        assert all(a is b for a, b in zip(result.rewards, TABLE, strict=True))

    def test_exact_balance_is_allowed(self) -> None:
        result = redeem_rewards(TABLE, "42.00", at=AT, strict=True)
        assert result.decision.allowed
        assert result.redeemed == Decimal("42.00")
        assert all(r.value_remaining == 0 for r in result.rewards if r.id in {9, 12, 4, 7, 2})

    def test_covered_amount_consumes_like_default(self) -> None:
        strict = redeem_rewards(TABLE, 20, at=AT, strict=True)
        default = redeem_rewards(TABLE, 20, at=AT)
        assert strict.decision.allowed
        assert (strict.deductions, strict.rewards) == (default.deductions, default.rewards)

    @pytest.mark.parametrize(
        ("amount", "retry_at"),
        [
            # Reward 3 is issued at 2025-07-01 00:00:00Z: the balance becomes 50.00.
            pytest.param(50, utc("2025-07-01 00:00:00"), id="TIME-9-RWD-5-refused-until-issue"),
            # Still refused at 50.00; no later instant raises the balance again.
            pytest.param(51, None, id="TIME-9-RWD-5-refused-for-ever"),
            # 42.00 + 8.00 - 4.00 (9 expired) = 46.00, then 12, 4 and 7 expire: 28.00.
            pytest.param(
                42, utc("2025-07-15 13:59:59") + US, id="TIME-9-RWD-5-allowed-until-expiry"
            ),
            # 46.00 after 9 expires, then 28.00 once 12, 4 and 7 expire.
            pytest.param(
                30, utc("2025-07-15 13:59:59") + US, id="TIME-9-RWD-5-30-survives-9-expiring"
            ),
            # 28.00 until 3 expires (20.00 left).
            pytest.param(28, utc("2025-08-01 13:59:59") + US, id="TIME-9-RWD-5-28-until-3-expires"),
            # Reward 2 never expires.
            pytest.param(20, None, id="TIME-9-RWD-5-allowed-for-ever"),
        ],
    )
    def test_retry_at(self, amount: int, retry_at: datetime | None) -> None:
        result = redeem_rewards(TABLE, amount, at=AT, strict=True)
        assert result.decision.retry_at == retry_at

    def test_retry_at_ignores_used_up_rewards(self) -> None:
        used = reward("0", value_initial="5", issued_at=AT + US)
        result = redeem_rewards([used, reward("1")], 2, at=AT, strict=True)
        assert result.decision.retry_at is None

    def test_retry_at_at_this_instant_is_not_a_candidate(self) -> None:
        # Issued exactly at `at`: already active, so it cannot be the change.
        items = [reward("1", issued_at=AT), reward("1", issued_at=AT + US)]
        result = redeem_rewards(items, 2, at=AT, strict=True)
        assert result.decision.retry_at == AT + US

    def test_retry_at_is_utc(self) -> None:
        result = redeem_rewards(TABLE, 50, at=AT.astimezone(ZoneInfo(MELBOURNE)), strict=True)
        assert result.decision.retry_at == utc("2025-07-01 00:00:00")
        assert result.decision.retry_at.tzinfo is utc("2025-07-01 00:00:00").tzinfo


class TestDefault:
    """RWD-6 (Q25): non-strict is allowed and redeems min(amount, balance); retry_at is None."""

    @pytest.mark.parametrize(
        ("amount", "redeemed"),
        [
            pytest.param("41.99", "41.99", id="RWD-6-below-balance"),
            pytest.param("42.00", "42.00", id="RWD-6-exact-balance"),
            pytest.param("42.01", "42.00", id="RWD-6-above-balance"),
            pytest.param(10**9, "42.00", id="RWD-6-far-above-balance"),
        ],
    )
    def test_redeemed(self, amount: Any, redeemed: str) -> None:
        result = redeem_rewards(TABLE, amount, at=AT)
        assert result.decision.allowed
        assert result.decision.retry_at is None
        assert format(result.redeemed, "f") == redeemed
        assert sum(a for _, a in result.deductions) == Decimal(redeemed)

    def test_nothing_active_is_allowed_with_nothing_redeemed(self) -> None:
        result = redeem_rewards([R1, R3, R6], 5, at=AT)
        assert result.decision.allowed
        assert repr(result.redeemed) == "Decimal('0')"
        assert result.deductions == ()
        assert result.rewards == (R1, R3, R6)

    def test_empty_is_allowed(self) -> None:
        result = redeem_rewards([], 5, at=AT)
        assert result.decision.allowed
        assert (result.redeemed, result.deductions, result.rewards) == (Decimal(0), (), ())

    def test_stops_once_covered(self) -> None:
        result = redeem_rewards(TABLE, 4, at=AT)
        assert pairs(result) == [(9, "4.00")]
        assert [r.value_remaining for r in result.rewards] == [
            R12.value_remaining,
            R4.value_remaining,
            R7.value_remaining,
            Decimal(0),
            R2.value_remaining,
            R1.value_remaining,
            R3.value_remaining,
            R6.value_remaining,
        ]


class TestResult:
    """RWD-7: deductions in consumption order, non-zero only; rewards in input order, exact."""

    def test_scale_kept(self) -> None:
        result = redeem_rewards([reward("10.00")], 4, at=AT)
        assert repr(result.rewards[0].value_remaining) == "Decimal('6.00')"
        assert pairs(result) == [(None, "4")]
        assert repr(result.redeemed) == "Decimal('4')"

    def test_whole_remainder_keeps_the_reward_scale(self) -> None:
        result = redeem_rewards([reward("4.00", id=1)], 4, at=AT)
        assert pairs(result) == [(1, "4.00")]
        assert repr(result.rewards[0].value_remaining) == "Decimal('0.00')"

    def test_exact_decimal_no_rounding(self) -> None:
        items = [reward("0.1", id=1), reward("0.2", id=2), reward("1000000000000.0001", id=3)]
        result = redeem_rewards(items, "0.3000", at=AT)
        assert format(result.redeemed, "f") == "0.3"  # 0.1 + 0.2, each taken whole
        assert format(result.rewards[2].value_remaining, "f") == "1000000000000.0001"
        result = redeem_rewards(items, "1000000000000.3", at=AT)
        assert format(result.rewards[2].value_remaining, "f") == "0.0001"

    def test_zero_deductions_are_left_out(self) -> None:
        items = [reward("0.00", id=1, value_initial="1"), reward("2", id=2)]
        assert pairs(redeem_rewards(items, 1, at=AT)) == [(2, "1")]

    def test_copies_change_only_value_remaining(self) -> None:
        full = Reward(
            id=5,
            profile_id="p-1",
            timezone=MELBOURNE,
            value_initial=Decimal("30.00"),
            value_remaining=Decimal("12.50"),
            issued_at=utc("2025-06-01 00:00:00"),
            expires_at=utc("2025-07-15 13:59:59"),
            extended_at=utc("2025-06-20 00:00:00"),
            has_notified_issue=True,
            has_notified_expiry=True,
            has_notified_extend=True,
            definition=RewardDefinition(id=3, is_extendable=True, extend_days=30),
        )
        (copy,) = redeem_rewards([full], "2.5", at=AT).rewards
        expected = attrs.evolve(full, value_remaining=Decimal("10.00"))
        assert copy == expected
        assert type(copy) is Reward
        assert hash(copy) == hash(expected)
        assert Reward.from_api(copy.to_api()) == expected
        assert full.value_remaining == Decimal("12.50")

    def test_input_order_and_length_preserved(self) -> None:
        items = [R2, R6, R9, R1, R12]
        result = redeem_rewards(items, 5, at=AT)
        assert [r.id for r in result.rewards] == [2, 6, 9, 1, 12]
        assert [format(r.value_remaining, "f") for r in result.rewards] == [
            "20.00",
            "0.00",
            "0.00",
            "50.00",
            "9.00",
        ]

    def test_untouched_rewards_are_the_given_values(self) -> None:
        result = redeem_rewards(TABLE, 4, at=AT)
        assert [a is b for a, b in zip(result.rewards, TABLE, strict=True)] == [
            True,
            True,
            True,
            False,
            True,
            True,
            True,
            True,
        ]

    def test_duplicate_ids_each_consumed(self) -> None:
        items = [reward("1", id=7), reward("1", id=7)]
        result = redeem_rewards(items, 2, at=AT)
        assert pairs(result) == [(7, "1"), (7, "1")]
        assert [r.value_remaining for r in result.rewards] == [0, 0]

    def test_result_is_frozen(self) -> None:
        result = redeem_rewards(TABLE, 4, at=AT)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            result.redeemed = Decimal(1)  # type: ignore[misc]
