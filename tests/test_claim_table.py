"""The claim check's rule table (CLM-1 to CLM-14): one ordered table, and its per-definition plan.

``claims.CLAIM_RULES`` is the only place the CLM order is written: ``check_claim`` runs its rows
and the analysis frame's reason columns follow it. Each row says what its answer reads; the part
that reads only the definition and the policy is prepared once per (definition, policy) pair and
kept on the definition, which must never serve a stale answer.
"""

from __future__ import annotations

import copy
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_core import (
    DEFAULT_POLICY,
    Benefit,
    BenefitDefinition,
    InvalidRequest,
    Policy,
    Profile,
    ReasonCode,
    check_claim,
    claims,
)
from loyalty_core.analysis import CLAIM_CODES
from tests.helpers import budget, codes

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
OPEN: dict[str, Any] = {"is_claimable": True, "is_published": True, "is_assignable": True}


def test_the_table_is_the_clm_table_in_order() -> None:
    """CLM-1 to CLM-14, each once, in the rulebook's order, each with its own code."""
    assert [rule.rule_id for rule in claims.CLAIM_RULES] == [f"CLM-{n}" for n in range(1, 15)]
    assert len({rule.code for rule in claims.CLAIM_RULES}) == 14


def test_the_analysis_columns_follow_the_table() -> None:
    """The frame's reason columns are the table's codes, in its order (one home for the order)."""
    assert tuple(rule.code for rule in claims.CLAIM_RULES) == CLAIM_CODES
    assert CLAIM_CODES[0] is ReasonCode.NOT_CLAIMABLE
    assert CLAIM_CODES[-1] is ReasonCode.CAMPAIGN_ALREADY_CLAIMED


@pytest.mark.parametrize(
    ("rule_id", "reads"),
    [
        ("CLM-1", "definition"),
        ("CLM-2", "definition"),
        ("CLM-3", "definition"),
        ("CLM-4", "definition"),
        ("CLM-5", "instant"),
        ("CLM-6", "instant"),
        ("CLM-7", "instant"),
        ("CLM-8", "claimant"),
        ("CLM-9", "claimant"),
        ("CLM-10", "instant"),
        ("CLM-11", "instant"),
        ("CLM-12", "definition"),
        ("CLM-13", "definition"),
        ("CLM-14", "instant"),
    ],
)
def test_each_row_says_what_it_reads(rule_id: str, reads: str) -> None:
    """Only CLM-1 to CLM-4, CLM-12 and CLM-13 may be decided without the claimant (TIME-9)."""
    (rule,) = [r for r in claims.CLAIM_RULES if r.rule_id == rule_id]
    assert rule.reads == reads


def test_every_failure_comes_in_table_order() -> None:
    """A definition failing ten rules at once lists them in the table's order."""
    definition = BenefitDefinition(
        handle="d-1",
        is_claimable=False,
        is_archived=True,
        is_published=False,
        is_assignable=False,
        claim_period_start_at=AT + timedelta(days=1),
        end_at=AT - timedelta(days=1),
        claim_condition={"==": [{"var": "tier"}, "gold"]},  # type: ignore[arg-type]
        max_global_redemptions=1,
        total_global_redemptions=1,
        force_allocation=True,
        total_allocations_remaining=0,
    )
    held = Benefit(definition=definition, claimed_at=AT - timedelta(days=3), profile_id="p-1")
    decision = check_claim(definition, Profile(id="p-1"), at=AT, timezone="UTC", holdings=[held])
    expected = [
        "not_claimable",
        "archived",
        "unpublished",
        "not_assignable",
        "claim_window_not_open",
        "definition_ended",
        "condition_not_met",
        "already_claimed",
        "global_redemptions_exhausted",
        "allocations_exhausted",
    ]
    assert codes(decision) == expected


class TestPlanMemo:
    """The per-definition plan is a pure memo: kept on the definition, never stale."""

    def test_an_advanced_definition_is_decided_afresh(self) -> None:
        """CLM-12: the definition returned after the last redemption is refused at once."""
        definition = BenefitDefinition(**OPEN, max_global_redemptions=1)
        assert check_claim(definition, Profile(id="p-1"), at=AT, timezone="UTC").allowed
        used = attrs.evolve(definition, total_global_redemptions=1)
        refused = check_claim(used, Profile(id="p-1"), at=AT, timezone="UTC")
        assert codes(refused) == ["global_redemptions_exhausted"]
        # and the first one is still allowed: each keeps its own plan
        assert check_claim(definition, Profile(id="p-1"), at=AT, timezone="UTC").allowed

    def test_the_policy_is_part_of_the_key(self) -> None:
        """CLM-4 under both values of claims_require_assignable, on one definition object."""
        definition = BenefitDefinition(is_claimable=True, is_published=True)
        strict = check_claim(definition, Profile(), at=AT, timezone="UTC")
        lenient = check_claim(
            definition,
            Profile(),
            at=AT,
            timezone="UTC",
            policy=Policy(claims_require_assignable=False),
        )
        assert codes(strict) == ["not_assignable"]
        assert lenient.allowed

    def test_the_plan_lives_on_the_definition_not_in_its_copies(self) -> None:
        """A copy (evolve, copy) starts without the plan; equality ignores it."""
        definition = BenefitDefinition(**OPEN, max_global_redemptions=1)
        assert check_claim(definition, Profile(), at=AT, timezone="UTC").allowed
        assert claims.definition_plan(definition, DEFAULT_POLICY) is claims.definition_plan(
            definition, DEFAULT_POLICY
        )
        assert getattr(attrs.evolve(definition), "_derived", None) is None
        assert getattr(copy.copy(definition), "_derived", None) is None
        assert definition == BenefitDefinition(**OPEN, max_global_redemptions=1)

    def test_thousands_of_short_lived_definitions(self) -> None:
        """Each decided by its own fields, whatever was decided before."""
        for n in range(2_000):
            definition = BenefitDefinition(
                is_claimable=n % 2 == 0, is_published=True, is_assignable=True
            )
            decision = check_claim(definition, Profile(), at=AT, timezone="UTC")
            assert decision.allowed is (n % 2 == 0), n

    def test_threads_agree_with_one_thread(self) -> None:
        """Many threads deciding many definitions get the answers one thread gets."""

        def make() -> list[BenefitDefinition]:
            return [
                BenefitDefinition(
                    **OPEN,
                    max_global_redemptions=3,
                    total_global_redemptions=n % 4,
                    end_at=AT + timedelta(hours=n % 3 - 1),
                )
                for n in range(600)
            ]

        expected = [codes(check_claim(d, Profile(), at=AT, timezone="UTC")) for d in make()]
        definitions = make()  # no plan yet: the threads build them concurrently
        got: dict[int, list[list[str]]] = {}

        def work(worker: int) -> None:
            got[worker] = [
                codes(check_claim(d, Profile(), at=AT, timezone="UTC")) for d in definitions
            ]

        threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(answers == expected for answers in got.values())


@settings(max_examples=budget(200))
@given(
    flags=st.fixed_dictionaries(
        {
            name: st.booleans()
            for name in ("is_claimable", "is_archived", "is_published", "is_assignable")
        }
    ),
    cap=st.none() | st.integers(0, 3),
    used=st.integers(0, 4),
    force=st.booleans(),
    allocations=st.none() | st.integers(0, 2),
    require_assignable=st.booleans(),
    again=st.booleans(),
)
def test_definition_rows_agree_with_the_rules_written_out(
    flags: dict[str, Any],
    cap: int | None,
    used: int,
    force: bool,
    allocations: int | None,
    require_assignable: bool,
    again: bool,
) -> None:
    """CLM-1 to CLM-4, CLM-12, CLM-13 as the rulebook writes them, on the first and a memo hit."""
    definition = BenefitDefinition(
        **flags,
        max_global_redemptions=cap,
        total_global_redemptions=min(used, cap) if cap is not None else used,
        force_allocation=force,
        total_allocations_remaining=allocations,
    )
    policy = Policy(claims_require_assignable=require_assignable)
    expected = []
    if not flags["is_claimable"]:
        expected.append("not_claimable")
    if flags["is_archived"]:
        expected.append("archived")
    if not flags["is_published"]:
        expected.append("unpublished")
    if not flags["is_assignable"] and require_assignable:
        expected.append("not_assignable")
    if cap is not None and min(used, cap) >= cap:
        expected.append("global_redemptions_exhausted")
    if force and (allocations is None or allocations <= 0):
        expected.append("allocations_exhausted")
    for _ in range(2 if again else 1):
        decision = check_claim(definition, Profile(), at=AT, timezone="UTC", policy=policy)
        assert codes(decision) == expected


@pytest.mark.parametrize("holdings", [5, None, object()])
def test_holdings_that_are_not_iterable_are_bad_input(holdings: object) -> None:
    """CLM-15: holdings must be an iterable of benefits; anything else names the argument."""
    with pytest.raises(InvalidRequest) as caught:
        check_claim(
            BenefitDefinition(**OPEN),
            Profile(),
            at=AT,
            timezone="UTC",
            holdings=holdings,  # type: ignore[arg-type]
        )
    (problem,) = caught.value.problems
    assert problem.where == "holdings"
    assert "expected an iterable of Benefit values" in problem.message
