"""The per-request checks' fast paths give exactly the general path's answers.

``check_claim`` decides a claim with no holdings without building a claim, and
``check_redemption`` and ``check_credit_redemption`` an allowed request without building its
reasons; each falls back to the general path for anything else. Each property sends the same
request down both paths (a list instead of a tuple of holdings, or the same instant in a
fixed-offset zone, takes the general one) and compares every part of the decision: codes,
messages, details and ``retry_at``. A redeemed or used copy made without re-checking its
fields must equal the checked one.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_core import (
    DEFAULT_POLICY,
    Benefit,
    BenefitDefinition,
    Credit,
    Decision,
    InvalidRequest,
    Policy,
    Profile,
    check_claim,
    check_credit_redemption,
    check_redemption,
    claims,
    clock,
    redeem_benefit,
    redeem_credit,
)
from loyalty_core.limits import MAX_INT
from loyalty_core.testing import strategies as lts
from tests.helpers import budget

AT = lts.AT
ZERO = timezone(timedelta(0), "UTC+0")  # the same instant, not the UTC singleton


def parts(decision: Decision) -> tuple[Any, ...]:
    """Everything a decision says, messages and details rendered."""
    return (
        [reason.code for reason in decision.reasons],
        [reason.message for reason in decision.reasons],
        [dict(reason.detail) for reason in decision.reasons],
        decision.retry_at,
        decision.allowed,
    )


def bounds(definition: BenefitDefinition) -> list[datetime]:
    found = (definition.claim_period_start_at, definition.claim_period_end_at, definition.end_at)
    return [instant for instant in found if instant is not None] or [AT]


TICK = timedelta(microseconds=1)


def around(near: list[datetime], at: datetime) -> list[datetime]:
    """``at``, and each bound itself and a microsecond either side of it.

    That is where inclusive bounds break; each example checks all of them, rather than hoping
    to draw one.
    """
    found = [at, *(bound + step for bound in near for step in (-TICK, 0 * TICK, TICK))]
    # A bound at the edge of the instants a value may hold has a neighbour past it: bad input
    # on both paths alike, which the argument tests cover.
    return [instant for instant in found if clock.EARLIEST <= instant <= clock.LATEST]


DEFINITIONS = (
    lts.benefit_definitions(claimable=True, with_condition=False)
    | lts.benefit_definitions(claimable=True)
    | lts.benefit_definitions()
)
"""Mostly claimable ones, so that a bound alone often decides."""
PROFILES = lts.profiles()


@settings(max_examples=budget(300))
@given(
    definition=DEFINITIONS,
    profile=PROFILES,
    data=st.data(),
    zone=st.sampled_from(("UTC", "Australia/Melbourne", "America/New_York")),
    policy=st.just(DEFAULT_POLICY) | lts.policies(),
    again=st.booleans(),
)
def test_a_claim_without_holdings_decides_as_the_general_path(
    definition: BenefitDefinition,
    profile: Profile,
    data: st.DataObject,
    zone: str,
    policy: Policy,
    again: bool,
) -> None:
    """CLM-1 to CLM-8, CLM-12, CLM-13 and TIME-9, at instants on and around the bounds."""
    drawn = data.draw(lts.instants(near=bounds(definition)), label="at")
    for at in around(bounds(definition), drawn):
        general = check_claim(definition, profile, at=at, timezone=zone, holdings=[], policy=policy)
        for _ in range(2 if again else 1):  # the second call reads the plan kept on the definition
            fast = check_claim(definition, profile, at=at, timezone=zone, policy=policy)
            assert parts(fast) == parts(general), at


@st.composite
def small_benefits(draw: st.DrawFn) -> Benefit:
    """Benefits whose every RED input is drawn from a small domain, so limits are hit often."""
    most = st.integers(1, 3)
    cap = draw(st.none() | st.integers(0, 4))
    definition = BenefitDefinition(
        is_archived=draw(st.sampled_from((False, False, False, True))),
        allow_user_redeem=draw(st.sampled_from((True, True, False))),
        max_redemptions=draw(st.none() | most),
        max_global_redemptions=cap,
        total_global_redemptions=draw(st.integers(0, 4 if cap is None else cap)),
    )
    top = definition.max_redemptions
    hour = timedelta(hours=1)
    return Benefit(
        definition=definition,
        profile_id=draw(st.sampled_from((None, "p-1", "p-1", "p-2"))),
        issued_at=draw(st.none() | st.sampled_from((AT - hour, AT, AT + hour))),
        expires_at=draw(st.none() | st.sampled_from((AT - hour, AT, AT + hour))),
        redemptions_remaining=None if top is None else draw(st.integers(0, top)),
    )


BENEFITS = small_benefits() | small_benefits() | lts.benefits(active_at=AT) | lts.benefits()
"""Mostly small ones; the toolkit's own for every shape of benefit."""


@settings(max_examples=budget(600))
@given(
    benefit=BENEFITS,
    data=st.data(),
    aim=st.sampled_from(("one", "instance", "global")),
    offset=st.integers(-1, 1),
    channel=st.sampled_from(("api", "staff", "customer")),
    profile_id=st.sampled_from((None, "p-1", "p-1", "p-2")),
)
def test_a_redemption_decides_as_the_general_path(
    benefit: Any,
    data: st.DataObject,
    aim: str,
    offset: int,
    channel: Any,
    profile_id: str | None,
) -> None:
    """RED-2 to RED-9, RED-14, RED-15 and TIME-9, on and around every bound and limit."""
    near = [AT, *(t for t in (benefit.issued_at, benefit.expires_at) if t is not None)]
    drawn = data.draw(lts.instants(near=near), label="at")
    # The count lands on a limit, or one either side of it (RED-7 to RED-9).
    limit = {
        "one": 1,
        "instance": benefit.redemptions_remaining,
        "global": benefit.total_global_redemptions_remaining,
    }[aim]
    count = max(1, (1 if limit is None else limit) + offset)
    request = {"count": count, "channel": channel, "profile_id": profile_id}
    for at in around(near, drawn):
        fast = check_redemption(benefit, at=at, **request)
        general = check_redemption(benefit, at=at.astimezone(ZERO), **request)
        assert parts(fast) == parts(general), at


def test_the_fast_claim_path_covers_exactly_the_rows_without_holdings() -> None:
    """The quick path writes out CLM-5 to CLM-8: every other row reads the definition only.

    Or it needs holdings (CLM-15), so a new row cannot be skipped unnoticed.
    """
    others = [
        rule.rule_id
        for rule in claims.CLAIM_RULES
        if rule.reads != "definition" and not rule.holdings
    ]
    assert others == ["CLM-5", "CLM-6", "CLM-7", "CLM-8"]


@pytest.mark.parametrize(
    ("at", "zone", "holdings"),
    [
        (datetime(2026, 3, 1), "UTC", ()),  # naive: TIME-2
        (AT, "Mars/Olympus", ()),  # unknown zone: TIME-3
        (AT, "UTC", 5),  # not an iterable: CLM-15
    ],
)
def test_bad_arguments_still_raise(at: datetime, zone: str, holdings: Any) -> None:
    """The fast path never swallows bad input: the general path names the argument."""
    with pytest.raises(InvalidRequest):
        check_claim(BenefitDefinition(), Profile(), at=at, timezone=zone, holdings=holdings)


CREDITS = lts.credits(redeemable_at=AT) | lts.credits()


@settings(max_examples=budget(400))
@given(
    credit=CREDITS,
    data=st.data(),
    step=st.sampled_from(("-0.01", "0", "0.01")),
    code=st.sampled_from(("none", "empty", "stored", "other")),
)
def test_a_credit_redemption_decides_as_the_general_path(
    credit: Credit, data: st.DataObject, step: str, code: str
) -> None:
    """CRD-6 to CRD-12 and TIME-9, on and around every bound, the balance and the code."""
    release = credit.released_at
    near = [
        AT,
        *(
            t
            for t in (credit.issued_at, credit.expires_at, credit.lock_expires_at, release)
            if t is not None
        ),
    ]
    drawn = data.draw(lts.instants(near=near), label="at")
    amount = max(Decimal("0.01"), credit.value_remaining + Decimal(step))
    security_code = {
        "none": None,
        "empty": "",
        "stored": credit.security_code,
        "other": "not-the-code",
    }[code]
    for at in around(near, drawn):
        fast = check_credit_redemption(credit, amount, at=at, security_code=security_code)
        general = check_credit_redemption(
            credit, amount, at=at.astimezone(ZERO), security_code=security_code
        )
        assert parts(fast) == parts(general), at
        used = redeem_credit(credit, amount, at=at, security_code=security_code)
        assert used.decision.allowed == general.allowed
        if general.allowed:
            assert used.credit.value_remaining == credit.value_remaining - amount
        else:
            assert used.credit is credit


@settings(max_examples=budget(300))
@given(benefit=BENEFITS, count=st.integers(1, 3))
def test_a_redeemed_benefit_is_the_checked_copy(benefit: Benefit, count: int) -> None:
    """RED-10: the copy made without re-checking equals the one attrs.evolve checks."""
    result = redeem_benefit(benefit, at=AT, count=count)
    if not result.decision.allowed:
        assert result.benefit is benefit
        return
    remaining = benefit.redemptions_remaining
    definition = benefit.definition
    checked = attrs.evolve(
        benefit,
        redemptions_remaining=None if remaining is None else remaining - count,
        definition=attrs.evolve(
            definition, total_global_redemptions=definition.total_global_redemptions + count
        ),
    )
    assert result.benefit == checked
    assert result.benefit.to_api() == checked.to_api()


def test_an_uncapped_total_past_the_largest_integer_is_bad_input() -> None:
    """RED-10: the global total of an uncapped definition cannot pass MAX_INT."""
    full = Benefit(definition=BenefitDefinition(total_global_redemptions=MAX_INT))
    with pytest.raises(InvalidRequest) as caught:
        redeem_benefit(full, at=AT)
    assert "total_global_redemptions" in str(caught.value)
