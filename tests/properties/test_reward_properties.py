"""Property tests of the RWD rules: balance, consumption order, conservation, strictness.

Expectations are computed here from RULES.md §7 directly, never by the code under test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, localcontext
from typing import Final

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty_core import Reward
from loyalty_core.rewards import redeem_rewards, reward_balance
from tests.helpers import budget
from tests.properties.strategies import money, rewards

AT: Final = datetime(2025, 6, 25, 2, tzinfo=UTC)
US: Final = timedelta(microseconds=1)
SETTINGS: Final = settings(max_examples=budget(200), suppress_health_check=[HealthCheck.too_slow])

# Instants at and around AT, so that the bounds, ties and nulls of RWD-1/RWD-3 come up often.
_NEAR: Final = st.sampled_from(
    tuple(AT + delta for delta in (-timedelta(days=2), -US, timedelta(0), US, timedelta(days=2)))
)
_TIMES: Final = st.one_of(st.none(), _NEAR)


# Built once, not in every draw.
_REMAINING: Final = money(max_units=10**6)
_EXTRA: Final = st.sampled_from((Decimal(0), Decimal("0.5"), Decimal(3)))
_FEW_IDS: Final = st.one_of(st.none(), st.integers(-2, 3))


@st.composite
def near_rewards(draw: st.DrawFn) -> Reward:
    """A reward whose issue and expiry lie near AT, with few distinct ids (to force ties)."""
    remaining = draw(_REMAINING)
    extra = draw(_EXTRA)
    return Reward(
        id=draw(_FEW_IDS),
        value_initial=remaining + extra,
        value_remaining=remaining,
        issued_at=draw(_TIMES),
        expires_at=draw(_TIMES),
    )


REWARD_LISTS: Final = st.lists(
    st.one_of(near_rewards(), near_rewards(), near_rewards(), rewards()), max_size=8
)
AMOUNTS: Final = money(max_units=10**7).filter(lambda m: m > 0)


def active(reward: Reward, at: datetime) -> bool:
    """RWD-1 written out: issued by `at`, not past its expiry, something left."""
    if reward.issued_at is not None and reward.issued_at > at:
        return False
    if reward.expires_at is not None and reward.expires_at < at:
        return False
    return reward.value_remaining != 0


def expected_order(items: list[Reward], at: datetime) -> list[int]:
    """RWD-3 written out: the indices of the active rewards, (expiry, issued_at, id) nulls last."""

    def key(index: int) -> tuple[object, ...]:
        r = items[index]
        return (
            (1, AT) if r.expires_at is None else (0, r.expires_at),
            (1, AT) if r.issued_at is None else (0, r.issued_at),
            (1, 0) if r.id is None else (0, r.id),
            index,
        )

    return sorted((i for i, r in enumerate(items) if active(r, at)), key=key)


def total_balance(items: list[Reward], at: datetime) -> Decimal:
    return sum((r.value_remaining for r in items if active(r, at)), Decimal(0))


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[Reward], Decimal]:
    """Rewards and an amount: random, or the exact balance, or just above or below it."""
    items = draw(REWARD_LISTS)
    balance = total_balance(items, AT)
    near = [b for b in (balance, balance + Decimal("0.01"), balance - Decimal("0.01")) if b > 0]
    amount = draw(st.one_of(AMOUNTS, st.sampled_from(near)) if near else AMOUNTS)
    return items, amount


@SETTINGS
@given(items=REWARD_LISTS)
def test_balance_is_the_sum_of_active_remainders(items: list[Reward]) -> None:
    """RWD-2: the balance is the exact sum of value_remaining over the active rewards."""
    assert reward_balance(items, at=AT) == total_balance(items, AT)


@SETTINGS
@given(case=cases())
def test_default_redeems_min_of_amount_and_balance(case: tuple[list[Reward], Decimal]) -> None:
    """RWD-6: non-strict is allowed, redeems min(amount, balance) = sum(deductions), no retry."""
    items, amount = case
    result = redeem_rewards(items, amount, at=AT)
    assert result.decision.allowed
    assert result.decision.retry_at is None
    assert result.requested == amount
    assert result.redeemed == min(amount, total_balance(items, AT))
    assert sum((d for _, d in result.deductions), Decimal(0)) == result.redeemed


@SETTINGS
@given(case=cases(), strict=st.booleans())
def test_each_reward_gives_at_most_what_it_holds(
    case: tuple[list[Reward], Decimal], strict: bool
) -> None:
    """RWD-7: no remainder below 0, none above the old one; only value_remaining changes."""
    items, amount = case
    result = redeem_rewards(items, amount, at=AT, strict=strict)
    assert len(result.rewards) == len(items)
    for old, new in zip(items, result.rewards, strict=True):
        assert 0 <= new.value_remaining <= old.value_remaining
        assert new == attrs.evolve(old, value_remaining=new.value_remaining)
        if not active(old, AT):
            assert new is old
    assert all(d > 0 for _, d in result.deductions)


@SETTINGS
@given(case=cases(), strict=st.booleans())
def test_deductions_follow_the_order(case: tuple[list[Reward], Decimal], strict: bool) -> None:
    """RWD-3/RWD-6: deductions go by (expiry, issued_at, id) nulls last; all but the last whole."""
    items, amount = case
    result = redeem_rewards(items, amount, at=AT, strict=strict)
    order = expected_order(items, AT)
    taken = [
        (items[i].id, items[i].value_remaining - result.rewards[i].value_remaining) for i in order
    ]
    consumed = [pair for pair in taken if pair[1] != 0]
    assert list(result.deductions) == consumed
    # A prefix of the order is consumed, and every reward but the last is emptied.
    count = len(consumed)
    assert all(d == 0 for _, d in taken[count:])
    for i in order[: max(count - 1, 0)]:
        assert result.rewards[i].value_remaining == 0


@SETTINGS
@given(case=cases())
def test_strict_redeems_all_or_nothing(case: tuple[list[Reward], Decimal]) -> None:
    """RWD-5: strict redeems exactly the amount, or is refused and changes nothing."""
    items, amount = case
    result = redeem_rewards(items, amount, at=AT, strict=True)
    balance = total_balance(items, AT)
    if balance >= amount:
        assert result.decision.allowed
        assert result.redeemed == amount
    else:
        assert [r.code.value for r in result.decision.reasons] == ["insufficient_balance"]
        assert result.redeemed == 0
        assert result.deductions == ()
        assert all(a is b for a, b in zip(result.rewards, items, strict=True))


@SETTINGS
@given(case=cases(), strict=st.booleans())
def test_total_value_is_conserved(case: tuple[list[Reward], Decimal], strict: bool) -> None:
    """RWD-7: the new remainders sum to the old ones minus what was redeemed, exactly."""
    items, amount = case
    result = redeem_rewards(items, amount, at=AT, strict=strict)
    before = sum((r.value_remaining for r in items), Decimal(0))
    after = sum((r.value_remaining for r in result.rewards), Decimal(0))
    assert after == before - result.redeemed


@SETTINGS
@given(case=cases())
def test_strict_retry_at_is_the_first_change(case: tuple[list[Reward], Decimal]) -> None:
    """TIME-9: strict retry_at is the first later bound where the outcome flips, else None."""
    items, amount = case
    result = redeem_rewards(items, amount, at=AT, strict=True)

    def allowed(t: datetime) -> bool:
        return total_balance(items, t) >= amount

    bounds = sorted(
        {r.issued_at for r in items if r.issued_at is not None}
        | {r.expires_at + US for r in items if r.expires_at is not None}
    )
    later = [t for t in bounds if t > AT]
    flips = [t for t in later if allowed(t) != result.decision.allowed]
    assert result.decision.retry_at == (flips[0] if flips else None)


# Money at the edge of the bounds (limits.MAX_MONEY, MAX_MONEY_PLACES): 18 integer and 18 decimal
# digits, 36 significant digits, past the default context's 28.
_WIDE: Final = st.builds(lambda units: Decimal(f"{units}E-18"), st.integers(1, 10**36 - 1))


@SETTINGS
@given(
    remainders=st.lists(_WIDE, min_size=1, max_size=4),
    amount=st.one_of(_WIDE, st.sampled_from([Decimal("1E-18"), Decimal("0.000000000000000001")])),
    strict=st.booleans(),
)
def test_arithmetic_is_exact_at_the_money_bounds(
    remainders: list[Decimal], amount: Decimal, strict: bool
) -> None:
    """RWD-2, RWD-7: sums and remainders are exact for any amount the bounds admit (Q40).

    The default Decimal context keeps 28 digits, so 999999999999999999.999999999999999999 less
    1E-18 used to round up to 10**18, a value no payload may hold.
    """
    items = [Reward(value_initial=r, value_remaining=r) for r in remainders]
    with localcontext(prec=100):
        balance = sum(remainders, Decimal(0))
    assert reward_balance(items, at=AT) == balance
    result = redeem_rewards(items, amount, at=AT, strict=strict)
    with localcontext(prec=100):
        taken = min(amount, balance) if not strict or amount <= balance else Decimal(0)
        assert result.redeemed == taken
        assert sum(r.value_remaining for r in result.rewards) == balance - taken
    for reward in result.rewards:
        assert Reward.from_api(reward.to_api()) == reward  # still a value a payload may hold
