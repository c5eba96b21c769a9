"""Fuzz targets of the rule functions: valid arguments, hostile values, only LoyaltyError.

The contract: every public rule function, given values that parsed (from the toolkit's
strategies, with fields at their edges, or out of mutated examples) and valid arguments (aware
``at`` instants anywhere in years 1 to 9999 and any zone, counts >= 1, amounts > 0, zone names),
returns a result or raises a ``LoyaltyError`` subclass; never ``OverflowError``, a plain
``ValueError``, ``TypeError``, ``RecursionError`` or ``KeyError``. Every reason of every
decision has a message and a JSON ``detail`` that can be computed and stay short, its
``retry_at`` can be computed (an instant or ``None``), and every value a rule returns
round-trips through ``to_api``/``from_api`` as strict JSON. A mutated scenario that parses
runs, renders as text and as strict JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    ClaimResult,
    Credit,
    CreditDefinition,
    Decision,
    Profile,
    Reward,
    RewardDefinition,
    check_claim,
    check_credit_redemption,
    check_redemption,
    claim_and_redeem,
    claim_benefit,
    compute_expiry,
    edit_credit,
    extend,
    is_expired,
    is_locked,
    is_released,
    is_reward_active,
    is_visible,
    notification_schedule,
    redeem_benefit,
    redeem_credit,
    redeem_rewards,
    release_at,
    return_redemption,
    reward_balance,
)
from loyalty_core.redemptions import Channel
from loyalty_core.scenarios import parse_scenario, render_timeline, run_scenario, timeline_to_json
from loyalty_core.testing import strategies as lst
from tests.fuzz import hostile
from tests.fuzz import values as fv
from tests.fuzz.hostile import check_reason_texts, check_round_trip, only_loyalty_errors
from tests.fuzz.values import Labeled

pytestmark = pytest.mark.fuzz

# Values with 50,000-character texts and 10,000-element lists are slow to generate.
_SLOW_DATA = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

CHANNELS: st.SearchStrategy[Channel] = st.sampled_from(("api", "staff", "customer"))
POLICIES: Final = lst.policies()
# Strategies are built once: hypothesis validates each strategy object the first time it draws.
HOLDINGS: Final = st.lists(fv.values_of(Benefit, toolkit=False), max_size=2)
OPTIONAL_TEXTS: Final = st.one_of(st.none(), fv.texts())
REWARD_LISTS: Final = st.lists(fv.values_of(Reward), max_size=4)
EXTEND_DATES: Final = fv.labeled(st.sampled_from(fv.EXTEND_DATES))
EDIT_BODIES: Final = hostile.mutants(hostile.request_bases("edit-credit"), max_changes=3)
DEFINITIONS: Final = st.one_of(
    fv.values_of(BenefitDefinition), fv.values_of(RewardDefinition), fv.values_of(CreditDefinition)
)
SCENARIO_MUTANTS: Final = hostile.mutants(hostile.scenario_bases(), max_changes=3)


def _check_claim_result(result: ClaimResult | None) -> None:
    if result is None:
        return
    check_reason_texts(result.decision)
    check_round_trip(result.definition)
    if result.benefit is not None:
        check_round_trip(result.benefit)


def _claims(data: st.DataObject) -> None:
    definition: Labeled[BenefitDefinition] = data.draw(
        fv.values_of(BenefitDefinition), label="definition"
    )
    profile: Labeled[Any] = data.draw(fv.profiles(), label="profile")
    at: Labeled[Any] = data.draw(fv.instants(), label="at")
    zone: Labeled[str] = data.draw(fv.zone_names(), label="zone")
    holdings: list[Labeled[Benefit]] = data.draw(HOLDINGS, label="holdings")
    count: Labeled[int] = data.draw(fv.counts(), label="count")
    channel: Channel = data.draw(CHANNELS, label="channel")
    policy: Any = data.draw(POLICIES, label="policy")
    external_id: Labeled[str] | None = data.draw(OPTIONAL_TEXTS, label="external_id")
    args: dict[str, Any] = {
        "at": at.value,
        "timezone": zone.value,
        "holdings": [h.value for h in holdings],
        "policy": policy,
    }
    d, p = definition.value, profile.value
    decision = only_loyalty_errors(lambda: check_claim(d, p, **args))
    if decision is not None:
        check_reason_texts(decision)
    external = None if external_id is None else external_id.value
    _check_claim_result(
        only_loyalty_errors(lambda: claim_benefit(d, p, external_id=external, **args))
    )
    _check_claim_result(
        only_loyalty_errors(
            lambda: claim_and_redeem(d, p, count=count.value, channel=channel, **args)
        )
    )
    only_loyalty_errors(lambda: is_visible(d, p, at=at.value, policy=policy))


def _redemptions(data: st.DataObject) -> None:
    benefit: Labeled[Benefit] = data.draw(fv.values_of(Benefit), label="benefit")
    at: Labeled[Any] = data.draw(fv.instants(), label="at")
    count: Labeled[int] = data.draw(fv.counts(), label="count")
    channel: Channel = data.draw(CHANNELS, label="channel")
    policy: Any = data.draw(POLICIES, label="policy")
    b, t, n = benefit.value, at.value, count.value
    decision = only_loyalty_errors(
        lambda: check_redemption(b, at=t, count=n, channel=channel, policy=policy)
    )
    if decision is not None:
        check_reason_texts(decision)
    result = only_loyalty_errors(
        lambda: redeem_benefit(b, at=t, count=n, channel=channel, policy=policy)
    )
    if result is not None:
        check_reason_texts(result.decision)
        check_round_trip(result.benefit)
    returned = only_loyalty_errors(lambda: return_redemption(b, n, at=t))
    if returned is not None:
        check_round_trip(returned)


def _rewards(data: st.DataObject) -> None:
    rewards: list[Labeled[Reward]] = data.draw(REWARD_LISTS, label="rewards")
    at: Labeled[Any] = data.draw(fv.instants(), label="at")
    amount: Labeled[Any] = data.draw(fv.amounts(), label="amount")
    strict: bool = data.draw(st.booleans(), label="strict")
    items, t = [r.value for r in rewards], at.value
    only_loyalty_errors(lambda: reward_balance(items, at=t))
    for item in items:
        only_loyalty_errors(lambda item=item: is_reward_active(item, at=t))  # type: ignore[misc]
    plan = only_loyalty_errors(lambda: redeem_rewards(items, amount.value, at=t, strict=strict))
    if plan is not None:
        check_reason_texts(plan.decision)
        json.dumps([format(plan.requested, "f"), format(plan.redeemed, "f")])
        for reward in plan.rewards:
            check_round_trip(reward)


ITEMS = st.one_of(fv.values_of(Reward), fv.values_of(Benefit), fv.values_of(Credit))
ITEM_LISTS: Final = st.lists(ITEMS, max_size=3)


def _extension(data: st.DataObject) -> None:
    items: list[Labeled[Any]] = data.draw(ITEM_LISTS, label="items")
    profile_id: Labeled[str] = data.draw(fv.texts(), label="profile_id")
    at: Labeled[Any] = data.draw(fv.instants(), label="at")
    by_days: bool = data.draw(st.booleans(), label="by_days")
    days: Labeled[int] = data.draw(fv.counts(), label="days")
    date: Labeled[Any] = data.draw(EXTEND_DATES, label="date")
    policy: Any = data.draw(POLICIES, label="policy")
    how: dict[str, Any] = {"extend_days": days.value} if by_days else {"extend_date": date.value}
    result = only_loyalty_errors(
        lambda: extend(
            [i.value for i in items], profile_id=profile_id.value, at=at.value, policy=policy, **how
        )
    )
    if result is not None:
        for item in result.extended:
            check_round_trip(item)
        for _, decision in result.skipped:
            check_reason_texts(decision)


def _credits(data: st.DataObject) -> None:
    credit: Labeled[Credit] = data.draw(fv.values_of(Credit), label="credit")
    at: Labeled[Any] = data.draw(fv.instants(), label="at")
    amount: Labeled[Any] = data.draw(fv.amounts(), label="amount")
    code: Labeled[str] | None = data.draw(OPTIONAL_TEXTS, label="code")
    changes: hostile.Mutant = data.draw(EDIT_BODIES, label="changes")
    c, t, code_text = credit.value, at.value, None if code is None else code.value
    decision = only_loyalty_errors(
        lambda: check_credit_redemption(c, amount.value, at=t, security_code=code_text)
    )
    if decision is not None:
        check_reason_texts(decision)
    result = only_loyalty_errors(
        lambda: redeem_credit(c, amount.value, at=t, security_code=code_text)
    )
    if result is not None:
        check_reason_texts(result.decision)
        check_round_trip(result.credit)
    only_loyalty_errors(lambda: release_at(c))
    only_loyalty_errors(lambda: is_released(c, at=t))
    only_loyalty_errors(lambda: is_locked(c, at=t))
    edited = hostile.parse_only_payload_errors(lambda body: edit_credit(c, body), changes.document)
    if edited is not None:
        check_round_trip(edited)


def _notifications(data: st.DataObject) -> None:
    item: Labeled[Any] = data.draw(ITEMS, label="item")
    policy: Any = data.draw(POLICIES, label="policy")
    only_loyalty_errors(lambda: notification_schedule(item.value, policy=policy))


def _expiry(
    data: st.DataObject,
) -> None:
    definition: Labeled[Any] = data.draw(DEFINITIONS, label="definition")
    issued_at: Labeled[Any] = data.draw(fv.instants(), label="issued_at")
    zone: Labeled[str] = data.draw(fv.zone_names(), label="zone")
    at: Labeled[Any] = data.draw(fv.instants(), label="at")
    d = definition.value
    expiry = only_loyalty_errors(
        lambda: compute_expiry(
            issued_at.value,
            timezone=zone.value,
            period=d.period,
            period_type=d.period_type,
            absolute_expiry=d.absolute_expiry,
            end_at=getattr(d, "end_at", None),
        )
    )
    only_loyalty_errors(lambda: is_expired(expiry, at.value))


def _scenarios(
    data: st.DataObject,
) -> None:
    mutant = data.draw(SCENARIO_MUTANTS, label="mutant")
    scenario = hostile.parse_only_payload_errors(parse_scenario, mutant.document)
    if scenario is None:
        return
    timeline = only_loyalty_errors(lambda: run_scenario(scenario))
    if timeline is None:
        return
    text = render_timeline(timeline)
    assert isinstance(text, str)
    json.dumps(timeline_to_json(timeline), allow_nan=False)


FAMILIES: Final = (
    _claims,
    _redemptions,
    _rewards,
    _extension,
    _credits,
    _notifications,
    _expiry,
    _scenarios,
)
"""One function per family of rules; each draws its own arguments."""


@_SLOW_DATA
@given(family=st.sampled_from(FAMILIES), data=st.data())
def test_every_rule_function_returns_or_raises_a_loyalty_error_only(
    family: Callable[[st.DataObject], None], data: st.DataObject
) -> None:
    """The one rule fuzz target: a family of rules on values that parsed, valid arguments.

    The families: claims (check, claim, claim and redeem, visibility), redemptions (check,
    redeem, return), rewards (balance, active, redeem), extension, credits (check, redeem,
    release, lock, edit), notification schedules, computed expiries, and whole scenarios run
    and rendered. Under the ``fuzz`` profile the target runs 10,000 examples, about 1,250 per
    family.
    """
    family(data)


# --- explicit hostile examples ---------------------------------------------------------------

_LONG: Final = "1" * 50_000 + "x"
_AT: Final = datetime(2026, 1, 1, tzinfo=UTC)


def _definition(condition: Any) -> BenefitDefinition:
    return BenefitDefinition.from_api(
        {
            "is_claimable": True,
            "is_published": True,
            "is_assignable": True,
            "claim_condition": condition,
        }
    )


def _claim_decision(condition: Any, context: dict[str, Any]) -> Decision:
    profile = Profile.from_api({"id": "p-1", **context})
    return check_claim(_definition(condition), profile, at=_AT, timezone="UTC")


def _extend_decision(profile_id: str) -> Decision:
    reward = Reward.from_api(
        {
            "value_initial": "1",
            "profile_id": "p-1",
            "expires_at": "2027-01-01 00:00:00",
            "definition": {"is_extendable": True},
        }
    )
    result = extend([reward], profile_id=profile_id, at=_AT, extend_days=1)
    return result.skipped[0][1]


def _expiring_at_the_end_of_time() -> Decision:
    benefit = Benefit.from_api({"expires_at": "9999-12-30T23:59:59.999999Z", "definition": {}})
    return check_redemption(benefit, at=_AT)


HOSTILE_DECISIONS: Final = (
    pytest.param(
        lambda: _claim_decision({"===": ["female", {"var": "gender"}]}, {"gender": _LONG}),
        id="a condition reading a 50,000-character profile value",
    ),
    pytest.param(
        lambda: _claim_decision({"var": "x" * 50_000}, {}),
        id="a condition reading a 50,000-character path",
    ),
    pytest.param(
        lambda: _claim_decision({"!": {"missing": ["x" * 50_000]}}, {}),
        id="a condition missing a 50,000-character key",
    ),
    pytest.param(
        lambda: _claim_decision({"or": [{"==": [{"var": f"x{i}"}, 1]} for i in range(1000)]}, {}),
        id="a condition of 1,000 operands",
    ),
    pytest.param(
        lambda: _claim_decision({"in": ["vip", {"var": "tags"}]}, {"tags": [_LONG] * 100}),
        id="a condition reading 100 strings of 50,000 characters",
    ),
    pytest.param(lambda: _extend_decision("x" * 50_000), id="extend by a 50,000-character owner"),
    pytest.param(_expiring_at_the_end_of_time, id="a benefit expiring at the end of time"),
)


@pytest.mark.parametrize("decide", HOSTILE_DECISIONS)
def test_a_refusal_of_hostile_input_explains_itself_in_short_texts(
    decide: Callable[[], Decision],
) -> None:
    check_reason_texts(decide())


def _scenario_with(name: str, path: hostile.JSONPath, value: Any) -> Any:
    document = hostile.scenario_bases()[f"examples/scenarios/{name}.json"]
    return hostile.set_at(hostile.copy_plain(document), path, value)


HOSTILE_SCENARIOS: Final = (
    pytest.param(
        _scenario_with("anniversary", ("events", 3, "benefit"), 10**5000),
        id="a benefit index of 10**5000",
    ),
    pytest.param(
        _scenario_with("anniversary", ("events", 3, "benefit"), 2**63),
        id="a benefit index of 2**63",
    ),
    pytest.param(
        _scenario_with("anniversary", ("members", 0, "profile", "id"), "x" * 50_000),
        id="a 50,000-character member id",
    ),
    pytest.param(
        _scenario_with("gift-card-credit", ("events", 0, "amount"), "9" * 17 + ".5"),
        id="an amount near the money limit",
    ),
    pytest.param(
        _scenario_with("limited-voucher", ("start_at",), "0001-01-02 00:00:00"),
        id="a start in year 1",
    ),
)


@pytest.mark.parametrize("document", HOSTILE_SCENARIOS)
def test_a_hostile_scenario_that_parses_runs_renders_and_dumps_without_a_crash(
    document: Any,
) -> None:
    scenario = hostile.parse_only_payload_errors(parse_scenario, document)
    if scenario is None:
        return
    timeline = only_loyalty_errors(lambda: run_scenario(scenario))
    if timeline is None:
        return
    assert isinstance(render_timeline(timeline), str)
    json.dumps(timeline_to_json(timeline), allow_nan=False)
