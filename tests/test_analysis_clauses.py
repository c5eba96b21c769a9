"""Clause columns (``claim_eligibility(..., clauses=True)``) and "why not" naming every clause.

With ``clauses=True`` the frame gets one nullable boolean column per distinct top-level clause
of each definition's condition (the operands of a top-level ``and`` whose operands are all
operator objects; otherwise the whole condition): whether that clause is truthy for the member
(COND-4, COND-10), null in the rows of a definition without it. The example tests check cells
written by hand, on both engines and every input shape; the property test checks each cell
against ``jsonlogic.apply`` of the clause alone (the oracle) and the two engines against each
other. A refused condition's message lists every failing clause, not only the first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from loyalty_core import BenefitDefinition, InvalidRequest, Profile, check_claim, jsonlogic
from loyalty_core.analysis import ELIGIBILITY_COLUMNS, claim_eligibility, claim_engines
from loyalty_core.analysis._vector import Untranslatable, translate
from loyalty_core.conditions import to_condition
from tests.helpers import budget

AT: Final = datetime(2027, 3, 1, tzinfo=UTC)
LATER: Final = datetime(2027, 9, 1, 12, tzinfo=UTC)
ENGINES: Final = ("python", "vectorized")
KINDS: Final = ("pandas", "polars", "lazy")

SPEND: Final = {">": [{"var": "aggregations.spend_12m"}, 1000]}
VIP: Final = {"in": ["vip", {"var": "flattened_tags"}]}
SPEND_AND_VIP: Final = {"and": [SPEND, VIP]}
SPEND_NAME: Final = "aggregations.spend_12m > 1000"
VIP_NAME: Final = '"vip" in flattened_tags'
BASE: Final = list(ELIGIBILITY_COLUMNS)

# Five members, so that every combination of the two clauses occurs (by hand, from COND-10):
#   m-1: 1500 > 1000, "vip" in ["vip"]             -> True,  True  (allowed)
#   m-2: 1500 > 1000, "vip" not in ["newsletter"]  -> True,  False
#   m-3: 900 <= 1000, "vip" in ["newsletter", "vip"] -> False, True
#   m-4: 1000 is not > 1000, [] holds nothing      -> False, False
#   m-5: null spend, "VIP" is not "vip"            -> False, False
IDS: Final = ["m-1", "m-2", "m-3", "m-4", "m-5"]
SPENDS: Final = [1500.0, 1500.0, 900.0, 1000.0, None]
TAGS: Final = [["vip"], ["newsletter"], ["newsletter", "vip"], [], ["VIP"]]
SPEND_HOLDS: Final = [True, True, False, False, False]
VIP_HOLDS: Final = [True, False, True, False, False]


def definition(handle: str, condition: Any) -> BenefitDefinition:
    """An open, claimable definition: only its condition can refuse a claim."""
    return BenefitDefinition(
        handle=handle,
        is_claimable=True,
        is_published=True,
        is_assignable=True,
        claim_condition=condition,
    )


def members_polars() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": IDS,
            "aggregations.spend_12m": pl.Series(SPENDS, dtype=pl.Float64),
            "flattened_tags": pl.Series(TAGS, dtype=pl.List(pl.String)),
        }
    )


def members(kind: str) -> Any:
    frame = members_polars()
    return {"pandas": frame.to_pandas(), "polars": frame, "lazy": frame.lazy()}[kind]


def eligibility(profiles: Any, definitions: Any, **options: Any) -> pl.DataFrame:
    """claim_eligibility's frame, as an eager polars frame whatever came in."""
    frame = claim_eligibility(profiles, definitions, at=AT, timezone="UTC", **options)
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    if isinstance(frame, pd.DataFrame):
        frame = pl.from_pandas(frame)
    assert isinstance(frame, pl.DataFrame)
    return frame


def column(frame: pl.DataFrame, name: str) -> list[Any]:
    return list(frame.get_column(name).to_list())


# --- the columns and their cells ----------------------------------------------------------------


class TestClauseColumns:
    """Names and cells of the clause columns, against values written by hand."""

    @pytest.mark.parametrize("engine", ENGINES)
    @pytest.mark.parametrize("kind", KINDS)
    def test_each_clause_is_a_column_of_its_truth(self, kind: str, engine: str) -> None:
        found = eligibility(
            members(kind), definition("lounge", SPEND_AND_VIP), clauses=True, engine=engine
        )
        assert found.columns == [*BASE, SPEND_NAME, VIP_NAME]
        assert found.schema[SPEND_NAME] == pl.Boolean
        assert found.schema[VIP_NAME] == pl.Boolean
        assert column(found, "profile_id") == IDS
        assert column(found, SPEND_NAME) == SPEND_HOLDS
        assert column(found, VIP_NAME) == VIP_HOLDS
        assert column(found, "allowed") == [True, False, False, False, False]

    @pytest.mark.parametrize("kind", KINDS)
    def test_the_engines_give_the_same_frame(self, kind: str) -> None:
        one = definition("lounge", SPEND_AND_VIP)
        two = definition("big-spender", {">=": [{"var": "aggregations.spend_12m"}, 900]})
        options: dict[str, Any] = {"at": [AT, LATER], "timezone": "UTC", "clauses": True}
        python = claim_eligibility(members(kind), [one, two], engine="python", **options)
        vectorized = claim_eligibility(members(kind), [one, two], engine="vectorized", **options)
        if kind == "pandas":
            assert isinstance(python, pd.DataFrame)
            assert str(python[SPEND_NAME].dtype) == "boolean"  # nullable, not object
            pd.testing.assert_frame_equal(python, vectorized)
        else:
            assert isinstance(python, type(vectorized))
            if kind == "lazy":
                python, vectorized = python.collect(), vectorized.collect()
            assert_frame_equal(python, vectorized)
        # Rows run member, definition, instant: a clause's cell is the same at both instants.
        found = pl.from_pandas(python) if kind == "pandas" else python
        assert column(found, SPEND_NAME) == [
            cell for holds in SPEND_HOLDS for cell in (holds, holds, None, None)
        ]

    @pytest.mark.parametrize("engine", ENGINES)
    def test_another_definitions_clauses_are_null(self, engine: str) -> None:
        gold = {"==": [{"var": "tier_handle"}, "gold"]}
        frame = members_polars().with_columns(
            pl.Series("tier_handle", ["gold", "silver", None, "gold", "bronze"])
        )
        both = [definition("lounge", SPEND_AND_VIP), definition("gold", gold)]
        found = eligibility(frame, both, clauses=True, engine=engine)
        assert found.columns == [*BASE, SPEND_NAME, VIP_NAME, 'tier_handle == "gold"']
        assert column(found, "definition") == ["lounge", "gold"] * 5
        nulls: list[bool | None] = [None] * 5
        assert column(found, SPEND_NAME) == interleave(SPEND_HOLDS, nulls)
        assert column(found, VIP_NAME) == interleave(VIP_HOLDS, nulls)
        gold_holds: list[bool | None] = [True, False, False, True, False]
        assert column(found, 'tier_handle == "gold"') == interleave(nulls, gold_holds)

    @pytest.mark.parametrize("engine", ENGINES)
    def test_a_clause_shared_by_two_definitions_is_one_column(self, engine: str) -> None:
        both = [definition("lounge", SPEND_AND_VIP), definition("spender", SPEND)]
        found = eligibility(members_polars(), both, clauses=True, engine=engine)
        assert found.columns == [*BASE, SPEND_NAME, VIP_NAME]
        assert column(found, SPEND_NAME) == interleave(SPEND_HOLDS, SPEND_HOLDS)
        assert column(found, VIP_NAME) == interleave(VIP_HOLDS, [None] * 5)

    @pytest.mark.parametrize("engine", ENGINES)
    def test_a_condition_that_is_not_an_and_is_one_clause(self, engine: str) -> None:
        either = {"or": [SPEND, VIP]}
        found = eligibility(
            members_polars(), definition("either", either), clauses=True, engine=engine
        )
        name = (
            '{"or":[{">":[{"var":"aggregations.spend_12m"},1000]},'
            '{"in":["vip",{"var":"flattened_tags"}]}]}'
        )
        assert found.columns == [*BASE, name[:79] + "…"]
        assert column(found, name[:79] + "…") == [True, True, True, False, False]

    @pytest.mark.parametrize("engine", ENGINES)
    def test_a_single_comparison_is_one_clause(self, engine: str) -> None:
        found = eligibility(
            members_polars(), definition("spender", SPEND), clauses=True, engine=engine
        )
        assert found.columns == [*BASE, SPEND_NAME]
        assert column(found, SPEND_NAME) == SPEND_HOLDS

    @pytest.mark.parametrize("engine", ENGINES)
    def test_an_and_with_a_literal_operand_is_one_clause(self, engine: str) -> None:
        rule = {"and": [True, SPEND]}
        found = eligibility(
            members_polars(), definition("spender", rule), clauses=True, engine=engine
        )
        name = '{"and":[true,{">":[{"var":"aggregations.spend_12m"},1000]}]}'
        assert found.columns == [*BASE, name]
        assert column(found, name) == SPEND_HOLDS

    @pytest.mark.parametrize("engine", ENGINES)
    def test_a_lone_variable_and_its_negation_read_as_the_path(self, engine: str) -> None:
        frame = members_polars().with_columns(pl.Series("opted_in", [1, 0, None, 2, 0]))
        rule = {"and": [{"var": "opted_in"}, {"!": {"var": "flattened_tags"}}]}
        found = eligibility(frame, definition("opted", rule), clauses=True, engine=engine)
        assert found.columns == [*BASE, "opted_in", "not flattened_tags"]
        assert column(found, "opted_in") == [True, False, False, True, False]
        # Only the empty list is falsy (COND-10): m-4 has no tags.
        assert column(found, "not flattened_tags") == [False, False, False, True, False]

    @pytest.mark.parametrize("engine", ENGINES)
    def test_a_clause_named_like_the_engine_s_working_columns(self, engine: str) -> None:
        # The vectorised engine works with columns such as __member: a clause reading a
        # member column of that name must not collide with them (polars DuplicateError).
        frame = members_polars().with_columns(pl.Series("__member", [True, False] * 2 + [True]))
        rule = {"and": [{"var": "__member"}, {">": [{"var": "aggregations.spend_12m"}, 1000]}]}
        found = eligibility(frame, definition("odd", rule), clauses=True, engine=engine)
        assert found.columns[len(BASE) :] == ["(__member)", SPEND_NAME]
        assert column(found, "(__member)") == [True, False, True, False, True]

    def test_many_clauses_cut_to_one_name_are_numbered_in_order(self) -> None:
        long = "y" * 100
        rule = {"and": [{"==": [{"var": "id"}, f"{long}{i}"]} for i in range(300)]}
        found = eligibility(members_polars(), definition("many", rule), clauses=True)
        names = found.columns[len(BASE) :]
        assert len(names) == len(set(names)) == 300
        assert names[1:] == [f"{names[0]} #{n}" for n in range(2, 301)]

    @pytest.mark.parametrize("engine", ENGINES)
    def test_the_empty_path_is_named_by_the_clause_s_json(self, engine: str) -> None:
        # {"var": ""} reads the whole data object: no path to name it by, so never "".
        rule = {"and": [{"var": ""}, {">": [{"var": ""}, 1]}]}
        found = eligibility(members_polars(), definition("whole", rule), clauses=True,
                            engine=engine, strict=False)  # fmt: skip
        names = found.columns[len(BASE) :]
        assert len(names) == 2
        assert all(name.strip() and '"var"' in name for name in names), names

    def test_a_clause_the_engine_cannot_translate_is_decided_by_the_rule(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Should a clause of a translated condition not translate on its own, the vectorised
        # engine decides that clause member by member; the column is the same.
        def refusing(polars: Any, rule: Any, *args: Any) -> Any:
            if rule == SPEND:
                reason = "a refused clause"
                raise Untranslatable(reason)
            return translate(polars, rule, *args)

        monkeypatch.setattr("loyalty_core.analysis._batch.translate", refusing)
        lounge = definition("lounge", SPEND_AND_VIP)
        assert claim_engines(members_polars(), lounge)["lounge"].engine == "vectorized"
        for kind in ("polars", "lazy"):
            found = eligibility(members(kind), lounge, clauses=True, engine="vectorized")
            assert found.columns == [*BASE, SPEND_NAME, VIP_NAME]
            assert column(found, SPEND_NAME) == SPEND_HOLDS
            assert column(found, VIP_NAME) == VIP_HOLDS

    @pytest.mark.parametrize("engine", ENGINES)
    def test_a_definition_without_a_condition_adds_no_column(self, engine: str) -> None:
        both = [definition("open", None), definition("lounge", SPEND_AND_VIP)]
        found = eligibility(members_polars(), both, clauses=True, engine=engine)
        assert found.columns == [*BASE, SPEND_NAME, VIP_NAME]
        assert column(found, SPEND_NAME) == interleave([None] * 5, SPEND_HOLDS)
        alone = eligibility(members_polars(), definition("open", None), clauses=True, engine=engine)
        assert alone.columns == BASE

    @pytest.mark.parametrize("engine", ENGINES)
    @pytest.mark.parametrize("kind", KINDS)
    def test_without_clauses_there_is_no_extra_column(self, kind: str, engine: str) -> None:
        lounge = definition("lounge", SPEND_AND_VIP)
        assert eligibility(members(kind), lounge, engine=engine).columns == BASE
        off = eligibility(members(kind), lounge, engine=engine, clauses=False)
        assert off.columns == BASE

    @pytest.mark.parametrize("bad", ["yes", 1, None, "True"])
    def test_clauses_must_be_a_boolean(self, bad: object) -> None:
        with pytest.raises(InvalidRequest, match="clauses") as caught:
            claim_eligibility(
                members_polars(),
                definition("lounge", SPEND_AND_VIP),
                at=AT,
                timezone="UTC",
                clauses=bad,  # type: ignore[call-overload]
            )
        assert [problem.where for problem in caught.value.problems] == ["clauses"]
        assert repr(bad) in str(caught.value)


def interleave(first: Sequence[bool | None], second: Sequence[bool | None]) -> list[bool | None]:
    """The cells of two definitions' rows, member by member."""
    return [cell for pair in zip(first, second, strict=True) for cell in pair]


class TestNames:
    """Clashing names get `` #2``; long names are cut to 80 characters."""

    @pytest.mark.parametrize("engine", ENGINES)
    def test_a_clause_named_like_a_frame_column_gets_a_number(self, engine: str) -> None:
        frame = members_polars().with_columns(pl.Series("allowed", [1, 0, 0, 0, 1]))
        rule = {"and": [{"var": "allowed"}, SPEND]}
        found = eligibility(frame, definition("odd", rule), clauses=True, engine=engine)
        assert found.columns == [*BASE, "allowed #2", SPEND_NAME]
        assert column(found, "allowed #2") == [True, False, False, False, True]
        assert column(found, "allowed") == [True, False, False, False, False]

    @pytest.mark.parametrize("engine", ENGINES)
    def test_different_clauses_with_one_name_are_numbered(self, engine: str) -> None:
        # A variable whose path reads like a comparison, and the comparison itself.
        frame = members_polars().with_columns(
            pl.Series("aggregations.spend_12m > 1000", [0, 0, 1, 1, 0])
        )
        rule = {"and": [SPEND, {"var": "aggregations.spend_12m > 1000"}]}
        found = eligibility(frame, definition("twins", rule), clauses=True, engine=engine)
        renamed = "aggregations.spend_12m > 1000 #2"
        assert found.columns == [*BASE, SPEND_NAME, renamed]
        assert column(found, SPEND_NAME) == SPEND_HOLDS
        assert column(found, renamed) == [False, False, True, True, False]

    @pytest.mark.parametrize("engine", ENGINES)
    def test_long_names_are_cut_to_80_characters_and_kept_apart(self, engine: str) -> None:
        path = "aggregations." + "x" * 90
        frame = members_polars().with_columns(pl.Series(path, [5, 50, 500, None, 0]))
        rule = {"and": [{">": [{"var": path}, 10]}, {">": [{"var": path}, 100]}]}
        found = eligibility(frame, definition("long", rule), clauses=True, engine=engine)
        cut = f"{path} > 10"[:79] + "…"
        assert len(cut) == 80
        assert found.columns == [*BASE, cut, f"{cut} #2"]
        assert column(found, cut) == [False, True, True, False, False]
        assert column(found, f"{cut} #2") == [False, False, True, False, False]

    @pytest.mark.parametrize("engine", ENGINES)
    def test_a_repeated_clause_is_one_column(self, engine: str) -> None:
        found = eligibility(
            members_polars(),
            definition("twice", {"and": [SPEND, VIP, SPEND]}),
            clauses=True,
            engine=engine,
        )
        assert found.columns == [*BASE, SPEND_NAME, VIP_NAME]
        assert column(found, SPEND_NAME) == SPEND_HOLDS

    def test_a_repeated_clause_is_listed_once(self) -> None:
        rule = to_condition({"and": [SPEND, VIP, SPEND]})
        assert rule is not None
        said = rule.why_not({"aggregations": {"spend_12m": 5}, "flattened_tags": []})
        assert said.count("aggregations.spend_12m") == 1
        assert "flattened_tags" in said


# --- why not: every failing clause ----------------------------------------------------------------


def profile(spend: float | None, tags: list[str]) -> Profile:
    return Profile(id="m", context={"aggregations": {"spend_12m": spend}, "flattened_tags": tags})


def refusal(member: Profile) -> str:
    decision = check_claim(definition("lounge", SPEND_AND_VIP), member, at=AT, timezone="UTC")
    [reason] = decision.reasons
    assert reason.code.value == "condition_not_met"
    return reason.message


class TestWhyNot:
    """The condition_not_met message names every failing clause of a top-level ``and``."""

    def test_two_failing_clauses_are_both_named(self) -> None:
        # A short-circuiting explanation stops at the spend clause and never reads the tags.
        message = refusal(profile(900, ["newsletter"]))
        assert message.startswith("the claim condition does not hold: ")
        assert "aggregations.spend_12m" in message
        assert "flattened_tags" in message
        assert ", and " in message
        assert message.index("aggregations.spend_12m") < message.index("flattened_tags")

    def test_only_the_failing_clause_is_named(self) -> None:
        spend_only = refusal(profile(900, ["vip"]))
        assert "aggregations.spend_12m" in spend_only
        assert "flattened_tags" not in spend_only
        tags_only = refusal(profile(1500, ["newsletter"]))
        assert "flattened_tags" in tags_only
        assert "aggregations.spend_12m" not in tags_only

    def test_a_holding_condition_is_no_reason(self) -> None:
        decision = check_claim(
            definition("lounge", SPEND_AND_VIP), profile(1500, ["vip"]), at=AT, timezone="UTC"
        )
        assert decision.allowed
        assert decision.reasons == ()

    @pytest.mark.parametrize("engine", ENGINES)
    @pytest.mark.parametrize("kind", KINDS)
    def test_the_messages_column_names_every_failing_clause(self, kind: str, engine: str) -> None:
        found = eligibility(members(kind), definition("lounge", SPEND_AND_VIP), engine=engine)
        messages = [list(cell) for cell in found.get_column("messages").to_list()]
        assert messages[0] == []
        # m-2 fails the tags only, m-3 the spend only, m-4 and m-5 both.
        named = [
            ("aggregations.spend_12m" in text, "flattened_tags" in text) for [text] in messages[1:]
        ]
        assert named == [(False, True), (True, False), (True, True), (True, True)]

    def test_at_most_ten_failing_clauses_are_listed(self) -> None:
        rule = to_condition({"and": [{"==": [{"var": f"v{i:02}"}, i]} for i in range(12)]})
        assert rule is not None
        said = rule.why_not({f"v{i:02}": -1 for i in range(12)})
        assert [f"v{i:02}" in said for i in range(12)] == [True] * 10 + [False] * 2
        assert said.count(", and ") == 9
        assert said.endswith(" (and 2 more)")
        ten = rule.why_not({f"v{i:02}": -1 if i < 10 else i for i in range(12)})
        assert "more)" not in ten
        assert ten.count(", and ") == 9

    def test_the_line_stays_short_however_long_each_clause_s_summary(self) -> None:
        # Twelve failing `or` clauses of twelve operands each: every summary is bounded on its
        # own, and the line stops naming clauses once it is about 1,000 characters long.
        clause = {"or": [{"==": [{"var": f"v{i:02}"}, "x" * 60]} for i in range(12)]}
        rule = to_condition(
            {
                "and": [{"!": {"var": f"w{n}"}} for n in range(2)]
                + [clause] * 1
                + [{"or": [*clause["or"], {"var": f"u{n}"}]} for n in range(11)]
            }
        )
        assert rule is not None
        data = {f"w{n}": True for n in range(2)}
        said = rule.why_not(data)
        assert said.startswith("not (w0 is true), and not (w1 is true), and ")
        assert len(said) < 2_000
        # 14 clauses fail; ten would be named by count alone (and 4 more): fewer fit the line.
        more = said.rsplit(" (and ", 1)[1]
        assert more.endswith(" more)")
        assert int(more.removesuffix(" more)")) > 4

    def test_a_rule_that_holds_is_explained_not_refused(self) -> None:
        rule = to_condition(SPEND_AND_VIP)
        assert rule is not None
        data = {"aggregations": {"spend_12m": 1500}, "flattened_tags": ["vip"]}
        assert rule.holds(data)
        assert rule.why_not(data) == rule.explain(data).summary()


# --- the property: each cell is the clause's own truth, on both engines ---------------------------

NUMBERS: Final = st.one_of(st.none(), st.integers(-3, 12))
TEXTS: Final = st.one_of(st.none(), st.sampled_from(["", "a", "b", "gold", "3", "10", "0"]))
LITERALS: Final = st.one_of(st.integers(-3, 12), st.sampled_from(["", "a", "gold", "3", "10"]))
COMPARISONS: Final = (">", ">=", "<", "<=", "==", "!=", "===", "!==")


def literal_name(value: object) -> str:
    return json.dumps(value, separators=(", ", ": "), ensure_ascii=False)


@st.composite
def clause(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A clause and the name a reader gives it, written independently of clause_name."""
    path = draw(st.sampled_from(["n", "s"]))
    shape = draw(st.sampled_from(["compare", "compare", "compare", "in", "var", "not"]))
    if shape == "compare":
        operator = draw(st.sampled_from(COMPARISONS))
        limit = draw(LITERALS)
        if draw(st.booleans()):
            return f"{path} {operator} {literal_name(limit)}", {operator: [{"var": path}, limit]}
        return f"{literal_name(limit)} {operator} {path}", {operator: [limit, {"var": path}]}
    if shape == "in":
        among = draw(st.lists(LITERALS, min_size=1, max_size=3))
        return f"{path} in {literal_name(among)}", {"in": [{"var": path}, among]}
    if shape == "var":
        return path, {"var": path}
    return f"not {path}", {"!": [{"var": path}]}


@settings(max_examples=budget(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(NUMBERS, TEXTS), max_size=6),
    first=st.lists(clause(), min_size=2, max_size=3),  # a clause may repeat: one column
    second=st.lists(clause(), min_size=1, max_size=1),
)
def test_each_clause_cell_is_the_clauses_own_truth(
    rows: list[tuple[int | None, str | None]],
    first: list[tuple[str, dict[str, Any]]],
    second: list[tuple[str, dict[str, Any]]],
) -> None:
    frame = pl.DataFrame(
        {
            "id": [f"m-{i}" for i in range(len(rows))],
            "n": pl.Series([n for n, _ in rows], dtype=pl.Int64),
            "s": pl.Series([s for _, s in rows], dtype=pl.String),
        }
    )
    definitions = [
        definition("first", {"and": [rule for _, rule in first]}),
        definition("second", second[0][1]),
    ]
    for handle, choice in claim_engines(frame, definitions).items():
        event(f"{handle}: {choice.engine}")
    python = eligibility(frame, definitions, clauses=True, engine="python")
    vectorized = eligibility(frame, definitions, clauses=True, engine="vectorized")
    assert_frame_equal(python, vectorized)

    names = list(dict.fromkeys(name for name, _ in [*first, *second]))
    assert python.columns == [*BASE, *names]
    expected: dict[str, list[bool | None]] = {name: [] for name in names}
    for n, s in rows:
        data = {"n": n, "s": s}
        for own in (first, second):
            truth = {name: jsonlogic.truthy(jsonlogic.apply(rule, data)) for name, rule in own}
            for name in names:
                expected[name].append(truth.get(name))
    for name in names:
        assert column(python, name) == expected[name], name
    # The condition holds exactly when every clause does (an `and` of them).
    allowed = column(python, "allowed")
    for row, holds in enumerate(allowed):
        own = first if row % 2 == 0 else second
        assert holds == all(expected[name][row] for name, _ in own)
