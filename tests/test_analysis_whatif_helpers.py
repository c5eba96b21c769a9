"""What-if helpers (issue 14 point 2): editing a claim condition, and sweeping a threshold.

Each edit returns a new definition whose claim condition (COND-1 to COND-3) differs from the
original in exactly the one place asked for, under a derived handle; sweep's counts are those of
one claim_eligibility run per value (CLM-1 to CLM-16).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from loyalty_core import (
    BenefitDefinition,
    ConditionError,
    InvalidRequest,
    Profile,
    check_claim,
    claim_benefit,
)
from loyalty_core.analysis import ELIGIBILITY_COLUMNS, claim_eligibility, example_path
from loyalty_core.analysis._whatif import (
    Threshold,
    sweep,
    thresholds,
    with_clause,
    with_threshold,
    without_clause,
)
from loyalty_core.conditions import to_condition
from loyalty_core.testing.strategies import conditions, profile_contexts
from tests.helpers import budget, example_definitions

LAUNCH: Final = datetime(2027, 3, 1, tzinfo=UTC)
DAYS: Final = [datetime(2027, 2, 27, tzinfo=UTC) + timedelta(days=n) for n in range(5)]
SPEND: Final = "aggregations.spend_12m"
SETTINGS: Final = settings(
    max_examples=budget(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SPEND_RULE: Final = {
    "and": [
        {"in": [{"var": "tier_handle"}, ["silver", "gold"]]},
        {">": [{"var": SPEND}, 1000]},
    ]
}


def voucher() -> BenefitDefinition:
    """The tutorial's voucher (examples/definitions.json): silver or gold, spend over 1,000."""
    return example_definitions()[0]


def lounge() -> BenefitDefinition:
    """The tutorial's lounge pass: gold or tagged vip."""
    return example_definitions()[1]


def members() -> pd.DataFrame:
    """The tutorial's 200 members, tags split into lists."""
    frame = pd.read_csv(example_path("members.csv"))
    frame["flattened_tags"] = frame["flattened_tags"].map(
        lambda cell: cell.split(";") if isinstance(cell, str) else []
    )
    return frame


def zones() -> dict[str, str]:
    frame = members()
    return dict(zip(frame["id"], frame["timezone"], strict=True))


def with_rule(rule: Any, **fields: Any) -> BenefitDefinition:
    """A definition with ``rule`` as its claim condition (the field converts JSON, COND-2)."""
    return BenefitDefinition(claim_condition=rule, **fields)


def evolved(definition: BenefitDefinition, rule: Any) -> BenefitDefinition:
    """``attrs.evolve`` with a new claim condition, as the tutorial builds a variant by hand."""
    return attrs.evolve(definition, claim_condition=rule)


def rule_of(definition: BenefitDefinition) -> Any:
    condition = definition.claim_condition
    return None if condition is None else condition.rule


def differences(
    old: Any, new: Any, at: tuple[Any, ...] = ()
) -> list[tuple[tuple[Any, ...], Any, Any]]:
    """Where two JSON trees differ: (path, old, new) per differing node, the test's own walk."""
    if isinstance(old, dict) and isinstance(new, dict) and old.keys() == new.keys():
        return [d for key in old for d in differences(old[key], new[key], (*at, key))]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            d
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for d in differences(a, b, (*at, i))
        ]
    same = type(old) is type(new) and old == new
    return [] if same else [(at, old, new)]


def json_path(segments: tuple[Any, ...]) -> str:
    """The library's path notation, written out here: .key, ["odd key"], [index]."""
    text = "$"
    for segment in segments:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", segment):
            text += f".{segment}"
        else:
            text += f"[{json.dumps(segment)}]"
    return text


def canonical(rule: Any) -> str:
    return json.dumps(rule, sort_keys=True, separators=(",", ":"))


def clauses_of(rule: Any) -> list[Any]:
    """A condition's clauses, the split written out here.

    The operands of a top-level ``and`` of two or more operator objects (one-key objects), a
    repeated one once; otherwise the whole rule.
    """
    if rule is None:
        return []
    operands = rule.get("and") if isinstance(rule, dict) and len(rule) == 1 else None
    if not isinstance(operands, list) or len(operands) < 2:
        return [rule]
    if not all(isinstance(operand, dict) and len(operand) == 1 for operand in operands):
        return [rule]
    distinct: dict[str, Any] = {}
    for operand in operands:
        distinct.setdefault(canonical(operand), operand)
    return list(distinct.values())


class TestThresholds:
    """A threshold is a literal compared with a var: either order, and a between's bounds."""

    def test_the_voucher_has_one(self) -> None:
        assert thresholds(voucher()) == (
            Threshold(
                path='$.and[1][">"][1]',
                variable=SPEND,
                operator=">",
                value=1000,
                comparison="aggregations.spend_12m > 1000",
            ),
        )

    def test_literal_first_between_default_and_nesting(self) -> None:
        definition = with_rule(
            {
                "or": [
                    {"<=": [500, {"var": ["n", 0]}]},
                    {"<": [1, {"var": "m"}, 9]},
                    {"!": [{"===": [{"var": "tier_handle"}, "gold"]}]},
                ]
            }
        )
        got = [(t.path, t.variable, t.operator, t.value) for t in thresholds(definition)]
        assert got == [
            ('$.or[0]["<="][0]', "n", "<=", 500),
            ('$.or[1]["<"][0]', "m", "<", 1),
            ('$.or[1]["<"][2]', "m", "<", 9),
            ('$.or[2]["!"][0]["==="][1]', "tier_handle", "===", "gold"),
        ]
        assert [t.comparison for t in thresholds(definition)][1:3] == [
            "1 < m < 9, lower bound",
            "1 < m < 9, upper bound",
        ]

    @pytest.mark.parametrize(
        "rule",
        [
            pytest.param({"==": [{"var": "a"}, {"var": "b"}]}, id="two-variables"),
            pytest.param({"==": [1, 1]}, id="two-literals"),
            pytest.param({"in": [{"var": "a"}, ["x"]]}, id="not-a-comparison"),
            pytest.param({">": [{"var": {"cat": ["a"]}}, 1]}, id="computed-path"),
            pytest.param({"<": [{"var": "a"}, 1, {"var": "b"}]}, id="between-of-variables"),
        ],
    )
    def test_other_shapes_are_not_thresholds(self, rule: Any) -> None:
        assert thresholds(with_rule(rule)) == ()

    def test_no_condition_has_none(self) -> None:
        assert thresholds(BenefitDefinition()) == ()

    def test_a_definition_is_required(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^definition: expected a BenefitDefinition"):
            thresholds({"claim_condition": SPEND_RULE})  # type: ignore[arg-type]


class TestWithThreshold:
    """The one literal compared with a variable is replaced; nothing else changes."""

    def test_the_tutorial_voucher_at_800_is_the_hand_built_one(self) -> None:
        original = voucher()
        by_hand = evolved(
            original,
            {
                "and": [
                    {"in": [{"var": "tier_handle"}, ["silver", "gold"]]},
                    {">": [{"var": SPEND}, 800]},
                ]
            },
        )
        cheaper = with_threshold(original, SPEND, 800)
        assert attrs.evolve(cheaper, handle="spend-1000") == by_hand
        assert cheaper.handle == "spend-1000[aggregations.spend_12m=800]"
        frame, zone_of = members(), zones()
        ours = claim_eligibility(frame, cheaper, at=DAYS, timezone=zone_of)
        theirs = claim_eligibility(frame, by_hand, at=DAYS, timezone=zone_of)
        assert set(ours["definition"]) == {"spend-1000[aggregations.spend_12m=800]"}
        assert ours.drop(columns="definition").equals(theirs.drop(columns="definition"))
        assert int(ours["allowed"].sum()) == 3 * 67  # 53 at 1,000 and 14 more (the tutorial)

    def test_the_original_is_unchanged(self) -> None:
        original = voucher()
        with_threshold(original, SPEND, 800)
        assert rule_of(original) == SPEND_RULE

    def test_an_explicit_handle_is_kept(self) -> None:
        assert with_threshold(voucher(), SPEND, 800, handle="spend-800").handle == "spend-800"

    @pytest.mark.parametrize(
        ("fields", "expected"),
        [
            pytest.param({"id": 7}, "#7[n=2]", id="from-the-id"),
            pytest.param({}, "definition[n=2]", id="neither"),
        ],
    )
    def test_a_definition_without_handle(self, fields: dict[str, Any], expected: str) -> None:
        definition = with_rule({">": [{"var": "n"}, 1]}, **fields)
        assert with_threshold(definition, "n", 2).handle == expected

    @pytest.mark.parametrize(
        ("value", "written", "suffix"),
        [
            pytest.param(Decimal("799.50"), 799.5, "799.5", id="decimal-fraction"),
            pytest.param(Decimal("800.00"), 800, "800", id="decimal-integral"),
            pytest.param(12.5, 12.5, "12.5", id="float"),
            pytest.param("gold", "gold", '"gold"', id="text"),
            pytest.param(True, True, "true", id="bool"),
            pytest.param(None, None, "null", id="null"),
        ],
    )
    def test_values_are_json(self, value: Any, written: Any, suffix: str) -> None:
        edited = with_threshold(voucher(), SPEND, value)
        literal = rule_of(edited)["and"][1][">"][1]
        assert (type(literal), literal) == (type(written), written)
        assert edited.handle == f"spend-1000[aggregations.spend_12m={suffix}]"

    def test_every_other_field_is_kept(self) -> None:
        original = voucher()
        edited = with_threshold(original, SPEND, 5)
        changed = {
            field.name
            for field in attrs.fields(BenefitDefinition)
            if getattr(original, field.name) != getattr(edited, field.name)
        }
        assert changed == {"claim_condition", "handle"}

    def test_the_literal_may_come_first(self) -> None:
        definition = with_rule(handle="h", rule={"<": [100, {"var": "n"}]})
        assert rule_of(with_threshold(definition, "n", 5)) == {"<": [5, {"var": "n"}]}

    @pytest.mark.parametrize(
        "path",
        ['$.and[1][">"][1]', "$.and[1].>[1]", '$["and"][1][">"][1]'],
    )
    def test_by_json_path(self, path: str) -> None:
        edited = with_threshold(voucher(), path, 800)
        assert rule_of(edited)["and"][1] == {">": [{"var": SPEND}, 800]}
        assert edited.handle == 'spend-1000[$.and[1][">"][1]=800]'

    def test_a_between_bound_by_json_path(self) -> None:
        definition = with_rule({"<": [1, {"var": "m"}, 9]}, handle="b")
        assert rule_of(with_threshold(definition, '$["<"][2]', 20)) == {"<": [1, {"var": "m"}, 20]}

    def test_an_in_list_by_json_path(self) -> None:
        edited = with_threshold(voucher(), "$.and[0].in[1]", ("gold",))
        assert rule_of(edited)["and"][0] == {"in": [{"var": "tier_handle"}, ["gold"]]}
        assert edited.handle == 'spend-1000[$.and[0].in[1]=["gold"]]'

    def test_an_ambiguous_variable_names_both_comparisons(self) -> None:
        definition = with_rule({"and": [{">=": [{"var": "n"}, 100]}, {"<": [{"var": "n"}, 1000]}]})
        with pytest.raises(InvalidRequest) as caught:
            with_threshold(definition, "n", 5)
        (problem,) = caught.value.problems
        assert problem.where == "target"
        assert "'n', which 2 comparisons read" in problem.message
        assert '$.and[0][">="][1] (n >= 100)' in problem.message
        assert '$.and[1]["<"][1] (n < 1000)' in problem.message

    def test_a_between_by_variable_is_ambiguous(self) -> None:
        definition = with_rule({"<=": [1, {"var": "m"}, 9]})
        with pytest.raises(InvalidRequest, match=r"lower bound.*upper bound"):
            with_threshold(definition, "m", 5)

    def test_an_unknown_variable_lists_the_comparisons(self) -> None:
        with pytest.raises(InvalidRequest) as caught:
            with_threshold(lounge(), "aggregations.spend_12m", 5)
        message = str(caught.value)
        assert message.startswith("target: ")
        assert "'aggregations.spend_12m', which no comparison reads" in message
        assert '$.or[0]["=="][1] (tier_handle == "gold")' in message

    def test_no_condition(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^target: .*no claim_condition"):
            with_threshold(BenefitDefinition(), "n", 5)
        with pytest.raises(InvalidRequest, match=r"^target: .*no claim_condition"):
            with_threshold(BenefitDefinition(), "$.and[0]", 5)

    @pytest.mark.parametrize(
        ("target", "message"),
        [
            pytest.param("$.and[2]", r"\$\.and has no \[2\]", id="index-out-of-range"),
            pytest.param("$.or[0]", r"\$ has no \.or", id="missing-key"),
            pytest.param("$.and[1]", r"which holds logic", id="logic"),
            pytest.param('$.and[1][">"][0]', r"which holds logic", id="the-var"),
            pytest.param("$", r"which holds logic", id="root"),
            pytest.param("$.and[1", r"cannot read it from character 5", id="unclosed"),
            pytest.param("$and", r"cannot read it from character 1", id="no-dot"),
            pytest.param('$["a\\q"]', r"expected a JSON string", id="bad-escape"),
            pytest.param("$.and[" + "9" * 40 + "]", r"cannot read", id="huge-index"),
        ],
    )
    def test_bad_paths_are_named(self, target: str, message: str) -> None:
        with pytest.raises(InvalidRequest, match=r"^target: ") as caught:
            with_threshold(voucher(), target, 1)
        assert re.search(message, str(caught.value))

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param(float("nan"), id="nan"),
            pytest.param(float("inf"), id="infinity"),
            pytest.param(Decimal("NaN"), id="decimal-nan"),
            pytest.param({"var": "x"}, id="logic"),
            pytest.param([800], id="array-for-a-variable"),
            pytest.param(object(), id="object"),
            pytest.param(2**1100, id="beyond-a-double"),
        ],
    )
    def test_bad_values_are_named(self, value: Any) -> None:
        with pytest.raises(InvalidRequest, match=r"^value: expected"):
            with_threshold(voucher(), SPEND, value)

    def test_bad_arguments_are_named(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^target: .*got 3"):
            with_threshold(voucher(), 3, 1)  # type: ignore[arg-type]
        with pytest.raises(InvalidRequest, match=r"^handle: .*got 3"):
            with_threshold(voucher(), SPEND, 1, handle=3)  # type: ignore[arg-type]
        with pytest.raises(InvalidRequest, match=r"^definition: "):
            with_threshold(None, SPEND, 1)  # type: ignore[arg-type]

    @SETTINGS
    @given(
        value=st.one_of(
            st.integers(-(2**53), 2**53),
            st.floats(allow_nan=False, allow_infinity=False),
            st.text(max_size=20),
            st.booleans(),
            st.none(),
        )
    )
    def test_the_literal_read_back_is_the_value(self, value: Any) -> None:
        edited = with_threshold(voucher(), SPEND, value)
        assert rule_of(edited)["and"][1][">"][1] == value
        assert rule_of(edited)["and"][0] == SPEND_RULE["and"][0]

    @SETTINGS
    @given(rule=conditions(max_depth=2), data=st.data())
    def test_each_threshold_path_changes_that_literal_only(self, rule: Any, data: Any) -> None:
        """Editing a listed threshold changes exactly the literal at its path, next to its var."""
        definition = BenefitDefinition(handle="d", claim_condition=rule)
        found = thresholds(definition)
        assume(found)
        chosen = data.draw(st.sampled_from(found))
        edited = with_threshold(definition, chosen.path, "sentinel")
        ((where, old, new),) = differences(rule_of(definition), rule_of(edited))
        assert (json_path(where), old, new) == (chosen.path, chosen.value, "sentinel")
        parent: Any = rule
        for segment in where[:-1]:
            parent = parent[segment]
        assert where[-2] == chosen.operator
        variables = [
            item["var"] if isinstance(item["var"], str) else item["var"][0]
            for item in parent
            if isinstance(item, dict) and "var" in item
        ]
        assert variables == [chosen.variable]


class TestWithClause:
    """A clause joins the top-level and; a lone condition is wrapped; none becomes the clause."""

    VIP: Final = {"in": ["vip", {"var": "flattened_tags"}]}

    def test_added_to_an_and(self) -> None:
        edited = with_clause(voucher(), self.VIP)
        assert rule_of(edited) == {"and": [*SPEND_RULE["and"], self.VIP]}
        assert edited.handle == 'spend-1000[+{"in":["vip",{"var":"flattened_tags"}]}]'

    def test_a_lone_condition_is_wrapped(self) -> None:
        original = lounge()
        assert rule_of(with_clause(original, self.VIP)) == {"and": [rule_of(original), self.VIP]}

    def test_no_condition_becomes_the_clause(self) -> None:
        edited = with_clause(BenefitDefinition(id=3), json.dumps(self.VIP))
        assert rule_of(edited) == self.VIP
        assert edited.handle == '#3[+{"in":["vip",{"var":"flattened_tags"}]}]'

    def test_a_condition_value_is_a_clause(self) -> None:
        clause = to_condition(self.VIP)
        assert rule_of(with_clause(voucher(), clause)) == {"and": [*SPEND_RULE["and"], self.VIP]}

    def test_a_long_clause_gets_a_short_handle(self) -> None:
        clause = {"in": [{"var": "tier_handle"}, [f"tier-{n}" for n in range(30)]]}
        handle = with_clause(voucher(), clause).handle
        assert handle is not None
        assert len(handle) < 100
        assert handle != with_clause(voucher(), {"in": [{"var": "tier_handle"}, ["x"] * 30]}).handle

    def test_a_bad_clause_is_a_condition_error(self) -> None:
        with pytest.raises(ConditionError, match=r"^clause: unknown operator 'foo'"):
            with_clause(voucher(), {"foo": [1]})

    @pytest.mark.parametrize("clause", [None, {}, [], ""])
    def test_an_empty_clause_is_refused(self, clause: Any) -> None:
        with pytest.raises(InvalidRequest, match=r"^clause: expected a JSON Logic rule"):
            with_clause(voucher(), clause)

    @SETTINGS
    @given(
        rule=st.one_of(st.none(), conditions(max_depth=2)),
        clause=conditions(max_depth=1),
        context=profile_contexts(),
    )
    def test_the_clause_is_anded(self, rule: Any, clause: Any, context: Any) -> None:
        """The new condition holds exactly when the old one (none: always) and the clause do."""
        old = to_condition(rule)
        new = with_clause(with_rule(rule), clause).claim_condition
        assert new is not None
        expected = (old is None or old.holds(context)) and to_condition(clause).holds(context)  # type: ignore[union-attr]
        assert new.holds(context) == expected


class TestWithoutClause:
    """A top-level clause goes, by index or by the variable it reads; one left is the condition."""

    def test_by_variable(self) -> None:
        edited = without_clause(voucher(), SPEND)
        assert rule_of(edited) == SPEND_RULE["and"][0]
        assert edited.handle == "spend-1000[-aggregations.spend_12m]"

    def test_by_index(self) -> None:
        edited = without_clause(voucher(), 0)
        assert rule_of(edited) == SPEND_RULE["and"][1]
        assert edited.handle == "spend-1000[-and[0]]"

    def test_three_clauses_keep_an_and(self) -> None:
        three = with_clause(voucher(), {"!!": [{"var": "email"}]}, handle="three")
        assert rule_of(without_clause(three, 1)) == {
            "and": [SPEND_RULE["and"][0], {"!!": [{"var": "email"}]}]
        }

    def test_the_last_clause_leaves_no_condition(self) -> None:
        assert without_clause(lounge(), 0).claim_condition is None
        single = with_rule({"and": [{"var": "ok"}]})
        assert without_clause(single, "ok").claim_condition is None

    def test_a_variable_read_by_two_clauses_is_refused(self) -> None:
        definition = with_rule({"and": [{">": [{"var": "n"}, 1]}, {"<": [{"var": "n"}, 9]}]})
        with pytest.raises(InvalidRequest) as caught:
            without_clause(definition, "n")
        message = str(caught.value)
        assert message.startswith("target: ")
        assert "'n', which 2 clauses read" in message
        assert "[0] n; [1] n" in message

    @pytest.mark.parametrize(
        ("target", "where"),
        [
            pytest.param(2, "target", id="index-past-the-end"),
            pytest.param(-1, "target", id="negative"),
            pytest.param(True, "target", id="bool"),
            pytest.param("email", "target", id="unread-variable"),
            pytest.param(1.0, "target", id="float"),
        ],
    )
    def test_bad_targets_are_named(self, target: Any, where: str) -> None:
        with pytest.raises(InvalidRequest) as caught:
            without_clause(voucher(), target)
        assert [p.where for p in caught.value.problems] == [where]
        assert "got " in str(caught.value)

    def test_no_condition_is_refused(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^definition: expected a definition with a"):
            without_clause(BenefitDefinition(handle="open"), 0)

    @SETTINGS
    @given(
        rule=st.one_of(st.none(), conditions(max_depth=2)),
        clause=conditions(max_depth=1),
    )
    def test_without_undoes_with(self, rule: Any, clause: Any) -> None:
        """Adding a clause and removing the last one gives the condition back."""
        clauses = clauses_of(rule)
        # A repeated clause is one clause: the condition comes back with it once.
        assume(len(clauses) <= 1 or canonical(rule) == canonical({"and": clauses}))
        assume(canonical(clause) not in {canonical(c) for c in clauses})
        definition = BenefitDefinition(handle="d", claim_condition=rule)
        added = with_clause(definition, clause)
        last = len(clauses_of(rule_of(added))) - 1
        assert without_clause(added, last, handle="d") == definition

    @SETTINGS
    @given(rule=conditions(max_depth=2), data=st.data())
    def test_the_other_clauses_stay_in_order(self, rule: Any, data: Any) -> None:
        clauses = clauses_of(rule)
        index = data.draw(st.integers(0, len(clauses) - 1))
        kept = clauses[:index] + clauses[index + 1 :]
        remaining = clauses_of(rule_of(without_clause(with_rule(rule), index)))
        assert remaining == (kept if len(kept) != 1 else clauses_of(kept[0]))


class TestOneClauseSplit:
    """Clauses are Condition.clauses(), as claim_eligibility(clauses=True) and why_not count."""

    GOLD: Final = {"==": [{"var": "tier_handle"}, "gold"]}
    SPENT: Final = {">": [{"var": SPEND}, 1000]}
    VIP: Final = {"var": "vip"}

    @SETTINGS
    @given(rule=conditions(max_depth=2))
    def test_the_split_written_out_is_the_conditions(self, rule: Any) -> None:
        condition = to_condition(rule)
        assert condition is not None
        assert [c.rule for c in condition.clauses()] == clauses_of(rule)

    def test_a_repeated_clause_is_one(self) -> None:
        definition = with_rule({"and": [self.SPENT, self.SPENT, self.GOLD]}, handle="d")
        assert rule_of(without_clause(definition, 0)) == self.GOLD
        assert rule_of(without_clause(definition, 1)) == self.SPENT
        assert rule_of(without_clause(definition, SPEND)) == self.GOLD
        with pytest.raises(InvalidRequest, match=r"^target: expected a clause index from 0 to 1"):
            without_clause(definition, 2)

    def test_an_and_with_a_literal_is_one_clause(self) -> None:
        definition = with_rule({"and": [self.VIP, True]}, handle="d")
        with pytest.raises(InvalidRequest, match=r"^target: .*from 0 to 0, got 1"):
            without_clause(definition, 1)
        assert without_clause(definition, 0).claim_condition is None
        assert without_clause(definition, "vip").claim_condition is None
        added = with_clause(definition, self.GOLD)
        assert rule_of(added) == {"and": [{"and": [self.VIP, True]}, self.GOLD]}
        assert without_clause(added, 1, handle="d") == definition

    def test_indexes_are_the_clause_columns_and_why_not(self) -> None:
        definition = with_rule(
            {"and": [self.SPENT, self.GOLD, self.SPENT, {"in": ["vip", {"var": "tags"}]}]},
            handle="d",
            is_claimable=True,
            is_published=True,
            is_assignable=True,
        )
        member = {
            "id": "m-1",
            "tier_handle": "silver",
            "tags": [],
            "aggregations": {"spend_12m": 10},
        }

        def clause_columns(variant: BenefitDefinition) -> list[str]:
            frame = claim_eligibility([member], variant, at=LAUNCH, timezone="UTC", clauses=True)
            return [c for c in frame.columns if c not in ELIGIBILITY_COLUMNS]

        def failing(variant: BenefitDefinition) -> list[str]:
            condition = variant.claim_condition
            assert condition is not None
            return condition.why_not(member).split(", and ")

        columns, reasons = clause_columns(definition), failing(definition)
        assert len(columns) == len(reasons) == 3
        for index in range(3):
            variant = without_clause(definition, index)
            assert clause_columns(variant) == columns[:index] + columns[index + 1 :]
            assert failing(variant) == reasons[:index] + reasons[index + 1 :]


class TestBoundedHandles:
    """Every edit's text is cut to its head and a digest: a handle never grows with the input."""

    def test_a_long_threshold_value(self) -> None:
        handle = with_threshold(voucher(), "$.and[0].in[1]", ["x" * 50_000]).handle
        assert handle is not None
        assert len(handle) < 100
        assert handle.startswith('spend-1000[$.and[0].in[1]=["xxx')
        other = with_threshold(voucher(), "$.and[0].in[1]", ["x" * 49_999]).handle
        assert handle != other

    def test_a_long_variable(self) -> None:
        name = "v" * 50_000
        gold = {"==": [{"var": "tier_handle"}, "gold"]}
        definition = with_rule({"and": [{">": [{"var": name}, 1]}, gold]}, handle="d")
        for edited in (with_threshold(definition, name, 2), without_clause(definition, name)):
            assert edited.handle is not None
            assert len(edited.handle) < 100

    def test_the_clause_edit_is_cut_the_same_way(self) -> None:
        clause = {"in": [{"var": "tier_handle"}, ["x" * 50_000]]}
        handle = with_clause(voucher(), clause).handle
        assert handle is not None
        assert len(handle) < 100
        assert handle.startswith('spend-1000[+{"in":[{"var":"tier_handle"},["xxx')


class TestValueErrors:
    """A number past a double's range is named once, at the value (or its index)."""

    def test_a_huge_integer(self) -> None:
        with pytest.raises(InvalidRequest) as caught:
            with_threshold(voucher(), SPEND, 2**1024)
        assert [p.where for p in caught.value.problems] == ["value"]
        assert str(caught.value).count("got") == 1

    def test_a_huge_integer_in_an_array(self) -> None:
        with pytest.raises(InvalidRequest) as caught:
            with_threshold(voucher(), "$.and[0].in[1]", ["gold", 10**5000])
        assert [p.where for p in caught.value.problems] == ["value[1]"]
        assert str(caught.value).count("got") == 1
        assert "5001 digits" in str(caught.value)


class TestSweep:
    """One row per (value, instant): the counts of claim_eligibility for each variant."""

    def expected(
        self, frame: Any, values: list[Any], instants: list[datetime], **extra: Any
    ) -> list[tuple[Any, ...]]:
        """Counts from one claim_eligibility call per value, each variant built by hand."""
        rows = []
        for value in values:
            rule = json.loads(json.dumps(SPEND_RULE))
            rule["and"][1][">"][1] = value
            variant = evolved(voucher(), rule)
            got = claim_eligibility(frame, variant, at=instants, timezone=zones(), **extra)
            if isinstance(got, pl.DataFrame):
                got = got.to_pandas()
            column = "instant" if "instant" in got.columns else "at"
            for instant in instants:
                allowed = got.loc[got[column] == instant, "allowed"]
                rows.append((value, instant, int(allowed.sum()), len(allowed)))
        return rows

    @staticmethod
    def got(table: Any) -> list[tuple[Any, ...]]:
        if isinstance(table, pl.DataFrame):
            table = table.to_pandas()
        return [
            (row.value, row.instant.to_pydatetime(), row.allowed, row.rows)
            for row in table.itertuples()
        ]

    def test_the_counts_are_those_of_separate_runs(self) -> None:
        values = [1000, 800, 500]
        table = sweep(members(), voucher(), SPEND, values, at=DAYS, timezone=zones())
        assert isinstance(table, pd.DataFrame)
        assert list(table.columns) == ["value", "definition", "instant", "allowed", "rows", "share"]
        assert self.got(table) == self.expected(members(), values, DAYS)
        assert (table["share"] == table["allowed"] / table["rows"]).all()
        assert table["definition"].iloc[5] == "spend-1000[aggregations.spend_12m=800]"

    def test_polars_in_polars_out(self) -> None:
        people = pl.from_pandas(members())
        table = sweep(people, voucher(), SPEND, [1000, 750], at=LAUNCH, timezone=zones())
        assert isinstance(table, pl.DataFrame)
        assert table.schema["instant"] == pl.Datetime("us", "UTC")
        assert self.got(table) == self.expected(people, [1000, 750], [LAUNCH])
        lazy = sweep(people.lazy(), voucher(), SPEND, [1000, 750], at=LAUNCH, timezone=zones())
        assert lazy.equals(table)

    def test_backend_chooses_the_output(self) -> None:
        table = sweep(
            members(), voucher(), SPEND, [900], at=LAUNCH, timezone=zones(), backend="polars"
        )
        assert isinstance(table, pl.DataFrame)

    def test_holdings_count(self) -> None:
        """A member holding the voucher may not claim any variant (same id: CLM-9)."""
        profile = Profile.from_api(
            {"id": "m-0004", "tier_handle": "silver", "aggregations": {"spend_12m": 1490.29}}
        )
        held = claim_benefit(voucher(), profile, at=LAUNCH, timezone="UTC").benefit
        assert held is not None
        holdings = {"m-0004": [held]}
        table = sweep(
            members(), voucher(), SPEND, [1000, 800], at=LAUNCH, timezone=zones(), holdings=holdings
        )
        assert self.got(table) == self.expected(members(), [1000, 800], [LAUNCH], holdings=holdings)
        assert list(table["allowed"]) == [52, 66]

    def test_no_members_gives_empty_counts(self) -> None:
        table = sweep([], voucher(), SPEND, [1, 2], at=LAUNCH, timezone="UTC")
        assert list(table["rows"]) == [0, 0]
        assert table["share"].isna().all()

    def test_an_iterator_of_instants_is_read_once(self) -> None:
        table = sweep(
            members(), voucher(), SPEND, iter([900]), at=iter(DAYS[1:3]), timezone=zones()
        )
        assert [row[1] for row in self.got(table)] == DAYS[1:3]

    def test_mixed_values_are_shown_as_json(self) -> None:
        table = sweep(members(), voucher(), SPEND, [800, "800"], at=LAUNCH, timezone=zones())
        assert list(table["value"]) == ["800", '"800"']

    @pytest.mark.parametrize(
        ("values", "where"),
        [
            pytest.param([], "values", id="none"),
            pytest.param("800", "values", id="text"),
            pytest.param(800, "values", id="scalar"),
            pytest.param([800, 800], "values[1]", id="repeated"),
            pytest.param([800, float("nan")], "values[1]", id="not-json"),
        ],
    )
    def test_bad_values_are_named(self, values: Any, where: str) -> None:
        with pytest.raises(InvalidRequest) as caught:
            sweep(members(), voucher(), SPEND, values, at=LAUNCH, timezone=zones())
        assert [p.where for p in caught.value.problems] == [where]

    def test_bad_instants_are_claim_eligibilitys_errors(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^at"):
            sweep(members(), voucher(), SPEND, [800], at=datetime(2027, 3, 1), timezone=zones())

    @SETTINGS
    @given(
        spends=st.lists(st.integers(0, 2000), min_size=1, max_size=8),
        values=st.lists(st.integers(0, 2000), min_size=1, max_size=5, unique=True),
    )
    def test_each_count_is_the_per_member_check(self, spends: list[int], values: list[int]) -> None:
        """Each count is the number of check_claim calls allowed, member by member."""
        definition = with_rule(
            {">": [{"var": "spend"}, 0]},
            handle="spend",
            is_claimable=True,
            is_published=True,
            is_assignable=True,
        )
        people = [{"id": f"m-{n}", "spend": spend} for n, spend in enumerate(spends)]
        table = sweep(people, definition, "spend", values, at=LAUNCH, timezone="UTC")
        expected = []
        for value in values:
            variant = evolved(definition, {">": [{"var": "spend"}, value]})
            allowed = sum(
                check_claim(variant, Profile.from_api(p), at=LAUNCH, timezone="UTC").allowed
                for p in people
            )
            expected.append((value, LAUNCH, allowed, len(people)))
        assert self.got(table) == expected
