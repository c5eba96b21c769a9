"""Values holding a compiled condition print in hypothesis's failure reports and in IPython."""

from __future__ import annotations

from hypothesis import given
from hypothesis.vendor.pretty import pretty

from loyalty_core import BenefitDefinition, jsonlogic
from loyalty_core.conditions import to_condition
from loyalty_core.testing import strategies as lst

RULE = {"and": [{"!!": [{"var": "a"}]}, {"<": [1, {"var": "b"}, 3]}]}


def test_a_definition_with_a_condition_pretty_prints() -> None:
    """The report of a failing example shows the condition's rule, not its closures."""
    text = pretty(BenefitDefinition(claim_condition=RULE))  # type: ignore[arg-type]
    assert "to_condition({'and': [{'!!': [{'var': 'a'}]}," in text


def test_a_compiled_rule_pretty_prints_as_the_call_that_builds_it() -> None:
    """COND-3: a compiled rule and a condition print as the call that builds them."""
    assert pretty(jsonlogic.compile(RULE)) == "compile({'and': [{'!!': [...]}, {'<': [...]}]})"
    assert repr(jsonlogic.compile(RULE)).startswith("<function compile({'and': [{'!!'")
    assert pretty(to_condition(RULE)) == f"to_condition({pretty(RULE)})"


@given(lst.benefit_definitions(with_condition=True))
def test_every_generated_definition_pretty_prints(definition: BenefitDefinition) -> None:
    """Whatever condition the exported strategy draws, the definition can be reported."""
    assert pretty(definition).startswith("BenefitDefinition(")


def test_a_huge_compiled_rule_prints_briefly() -> None:
    """The printed form of a compiled rule is bounded, whatever the rule holds."""
    rule = {"in": [{"var": "tier"}, ["x" * 50_000, *range(10_000)]]}
    assert len(pretty(jsonlogic.compile(rule))) < 300
