"""Notebook displays and short reprs (issue 14, points 7 and 8b).

Every display is bounded whatever the value holds: the house rule "no repr of unbounded values"
holds for ``__repr__`` and ``_repr_html_`` alike, and every text in the HTML is escaped.
"""

from __future__ import annotations

import json
import re
import string
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any, Final

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import loyalty_core as lc
from loyalty_core import Decision, Profile, Reason, ReasonCode
from loyalty_core.jsonlogic import Explanation, explain
from loyalty_core.scenarios import parse_scenario, run_scenario
from loyalty_core.testing import strategies as lst
from tests.helpers import EXAMPLES

MAX_HTML: Final = 100_000
"""The documented bound on one table's HTML."""
ALLOWED_TAGS: Final = frozenset(
    {"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "em"}
)
NBSP: Final = "\u00a0"


class _Table(HTMLParser):
    """Read back what a display shows: its tags, caption, header, body rows and notes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.caption = ""
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.notes: list[str] = []
        self._section = ""
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        del attrs
        self.tags.append(tag)
        if tag in {"thead", "tbody", "tfoot"}:
            self._section = tag
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._section == "tbody":
            self.rows.append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag in {"td", "th"} and self._cell is not None:
            text = "".join(self._cell)
            if self._section == "thead":
                self.header.append(text)
            elif self._section == "tbody":
                self.rows[-1].append(text)
            else:
                self.notes.append(text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self.caption += data
        elif self._cell is not None:
            self._cell.append(data)


def read_table(html: str) -> _Table:
    """Parse a display's HTML, checking it is one bounded table of known tags only."""
    assert len(html) <= MAX_HTML
    assert html.startswith("<table>")
    assert html.endswith("</table>")
    table = _Table()
    table.feed(html)
    table.close()
    assert set(table.tags) <= ALLOWED_TAGS, set(table.tags) - ALLOWED_TAGS
    return table


def by_name(table: _Table) -> dict[str, str]:
    """The rows of a two-column table, by their first cell."""
    return {row[0]: row[1] for row in table.rows}


def field_names(text: str) -> list[str]:
    """The ``name=`` of a value's repr, outermost level only (nested reprs are left out)."""
    names, depth, start = [], 0, 0
    quote: str | None = None
    escaped = False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif quote:
            escaped = char == "\\"
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
            start = index + 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 1:
            start = index + 2
        elif char == "=" and depth == 1 and text[start:index].isidentifier():
            names.append(text[start:index])
    return names


def example_definition() -> lc.BenefitDefinition:
    payload = json.loads((EXAMPLES / "benefit-definition.json").read_text(encoding="utf-8"))
    return lc.BenefitDefinition.from_api(payload)


def deep_rule(depth: int) -> dict[str, Any]:
    """``{"!": {"!": ... {"var": "x"}}}`` nested ``depth`` levels, built with a loop."""
    rule: dict[str, Any] = {"var": "x"}
    for _ in range(depth):
        rule = {"!": rule}
    return rule


# --- decisions ------------------------------------------------------------------------------


class TestDecisionDisplay:
    """A decision shows Allowed or Refused, then one row per reason: code, label, message."""

    def test_a_refusal_lists_every_reason_with_its_code_label_and_message(self) -> None:
        decision = Decision(
            reasons=(
                Reason(ReasonCode.CLAIM_WINDOW_NOT_OPEN, "the claim window opens at 2026-02-01"),
                Reason(ReasonCode.EXPIRED, "the benefit expired at 2026-01-01"),
            )
        )
        table = read_table(decision._repr_html_())
        assert table.caption == "Refused"
        assert table.header == ["code", "reason", "message"]
        assert table.rows == [
            [
                "claim_window_not_open",
                "Claim window not open yet",
                "the claim window opens at 2026-02-01",
            ],
            ["expired", "Expired", "the benefit expired at 2026-01-01"],
        ]
        assert table.notes == []

    def test_an_allowed_decision_says_allowed_and_has_no_row(self) -> None:
        table = read_table(Decision()._repr_html_())
        assert (table.caption, table.rows, table.notes) == ("Allowed", [], [])

    def test_retry_at_is_shown_when_set(self) -> None:
        decision = Decision(
            reasons=(Reason(ReasonCode.LOCKED, "locked"),),
            retry_at=datetime(2026, 1, 1, 12, tzinfo=UTC),
        )
        assert read_table(decision._repr_html_()).notes == ["retry at 2026-01-01T12:00:00Z"]

    def test_a_message_with_markup_is_escaped(self) -> None:
        message = "<script>alert('x')</script> & more"
        html = Decision(reasons=(Reason(ReasonCode.LOCKED, message),))._repr_html_()
        assert "<script" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in html
        assert read_table(html).rows[0][2] == message

    def test_a_50000_character_message_is_cut(self) -> None:
        html = Decision(reasons=(Reason(ReasonCode.LOCKED, "m" * 50_000),))._repr_html_()
        assert len(html) < 2_000
        assert read_table(html).rows[0][2].endswith("(50000 characters)")

    def test_to_json_is_typed_by_decision_json(self) -> None:
        from loyalty_core.decisions import DecisionJSON, ReasonJSON

        assert DecisionJSON.__required_keys__ == {"allowed", "reasons", "retry_at"}
        assert ReasonJSON.__required_keys__ == {"code", "message", "detail"}
        found = Decision(reasons=(Reason(ReasonCode.LOCKED, "locked", {"at": "x"}),)).to_json()
        assert found == {
            "allowed": False,
            "reasons": [{"code": "locked", "message": "locked", "detail": {"at": "x"}}],
            "retry_at": None,
        }


# --- platform values ------------------------------------------------------------------------

EXAMPLE_FIELDS: Final = [
    "id",
    "name",
    "handle",
    "period",
    "is_claimable",
    "is_published",
    "is_assignable",
    "is_reclaimable",
    "claim_period_start_at",
    "claim_period_end_at",
    "claim_condition",
    "max_redemptions",
    "extra",
]
"""The fields of examples/benefit-definition.json that differ from a definition's defaults
(its ``max_global_redemptions`` is null, the default; created_at and updated_at are extra)."""


class TestValueRepr:
    """A value's repr names only the fields that differ from their defaults, shortened."""

    def test_the_example_definition_shows_only_its_non_default_fields(self) -> None:
        shown = repr(example_definition())
        assert shown.startswith("BenefitDefinition(id=12, name='Welcome voucher', ")
        assert field_names(shown) == EXAMPLE_FIELDS
        assert "claim_period_start_at=2020-12-25T07:00:00Z" in shown
        assert 'claim_condition={"===": ["female", {"var": "gender"}]}' in shown
        assert len(shown) < 600

    def test_a_definition_with_every_field_at_its_default_shows_none(self) -> None:
        assert repr(lc.BenefitDefinition()) == "BenefitDefinition()"
        assert str(lc.Reward(value_initial=Decimal(5))) == (
            "Reward(value_initial=Decimal('5'), value_remaining=Decimal('5'))"
        )

    def test_an_embedded_definition_is_shortened(self) -> None:
        definition = attrs.evolve(example_definition(), name="n" * 500)
        benefit = lc.Benefit(id=7, profile_id="p-1", definition=definition)
        shown = repr(benefit)
        assert field_names(shown) == ["id", "profile_id", "redemptions_remaining", "definition"]
        assert "definition=BenefitDefinition(id=12, " in shown
        assert len(shown) < 250

    def test_a_50000_character_string_is_cut_in_repr_and_html(self) -> None:
        definition = lc.BenefitDefinition(handle="h", name="x" * 50_000)
        assert len(repr(definition)) < 200
        assert "(50000 characters)" in repr(definition)
        table = read_table(definition._repr_html_())
        assert len(definition._repr_html_()) < 2_000
        assert by_name(table)["name"].endswith("(50000 characters)")

    def test_the_deepest_and_widest_extra_values_render_quickly_and_short(self) -> None:
        deep: Any = "bottom"
        for _ in range(lc.limits.MAX_NESTING - 1):
            deep = [deep]
        wide = {f"key{n}": n for n in range(10_000)}
        definition = lc.BenefitDefinition(extra={"deep": deep, "wide": wide})
        assert len(repr(definition)) < 200
        table = read_table(definition._repr_html_())
        assert [row[0] for row in table.rows] == ["extra.deep", "extra.wide"]
        assert all(len(row[1]) <= 200 for row in table.rows)

    def test_the_deepest_condition_is_short_and_a_deeper_one_is_never_stored(self) -> None:
        deepest = lc.BenefitDefinition(claim_condition=lc.conditions.to_condition(deep_rule(63)))
        shown = repr(deepest)
        assert len(shown) < 120
        assert shown.startswith('BenefitDefinition(claim_condition={"!": {"!": ')
        assert shown.endswith("})")
        assert '{"var"' not in shown  # cut before the innermost rule, brackets closed
        assert shown.count("{") == shown.count("}")
        with pytest.raises(lc.PayloadError, match="nesting deeper than 64 levels"):
            lc.BenefitDefinition.from_api({"claim_condition": deep_rule(10_000)})

    def test_the_security_code_is_masked(self) -> None:
        credit = lc.Credit(value_initial=Decimal(5), security_code="8642")
        assert "8642" not in repr(credit)
        assert "security_code='***'" in repr(credit)
        assert "8642" not in credit._repr_html_()

    def test_equality_and_hash_still_compare_every_field(self) -> None:
        a, b = example_definition(), example_definition()
        assert a == b
        assert hash(a) == hash(b)
        archived = attrs.evolve(a, is_archived=True)
        assert archived != a
        assert "is_archived" not in repr(a)
        assert "is_archived=True" in repr(archived)


class TestValueHtml:
    """A value's HTML table has one row per non-default field, under its class and handle."""

    def test_the_example_definition_has_one_row_per_non_default_field(self) -> None:
        table = read_table(example_definition()._repr_html_())
        assert table.caption == "BenefitDefinition 'welcome-voucher' (id 12)"
        assert table.header == ["field", "value"]
        names = [name for name, _ in table.rows]
        assert names == [*EXAMPLE_FIELDS[:-1], "extra.created_at", "extra.updated_at"]
        rows = by_name(table)
        assert rows["claim_condition"] == '{"===": ["female", {"var": "gender"}]}'
        assert rows["extra.created_at"] == "'2020-12-01 00:00:00'"

    def test_an_instance_is_captioned_by_its_id(self) -> None:
        reward = lc.Reward(id=4, value_initial=Decimal(5))
        assert read_table(reward._repr_html_()).caption == "Reward id 4"

    def test_a_value_at_its_defaults_says_so(self) -> None:
        table = read_table(lc.BenefitDefinition()._repr_html_())
        assert (table.caption, table.rows) == ("BenefitDefinition", [])
        assert table.notes == ["every field has its default value"]


VALUES: Final = st.one_of(
    lst.benefit_definitions(),
    lst.benefits(),
    lst.rewards(),
    lst.credits(),
    lst.reward_definitions(),
    lst.credit_definitions(),
)


def _is_default(value: object, default: object) -> bool:
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = default.factory()  # type: ignore[attr-defined]
    return value is default or (type(value) is type(default) and value == default)


@given(VALUES)
def test_a_repr_names_exactly_the_non_default_fields_in_bounded_length(value: Any) -> None:
    """Property: the names are the non-default fields, in order, unless the rest is counted."""
    expected = [
        a.name
        for a in attrs.fields(type(value))
        if not _is_default(getattr(value, a.name), a.default)
        and not (a.name == "extra" and not value.extra)
    ]
    shown = repr(value)
    names = field_names(shown)
    assert names == expected[: len(names)]
    if len(names) < len(expected):
        assert shown.endswith(f"... {len(expected) - len(names)} more)")
    assert len(shown) < 1_250
    rows = read_table(value._repr_html_()).rows
    assert [row[0] for row in rows if not row[0].startswith("extra")] == [
        name for name in expected if name != "extra"
    ]


HOSTILE_TEXT: Final = st.text(alphabet=string.ascii_letters + "<>&/ =;!-", max_size=60)


@given(lst.json_values(), HOSTILE_TEXT)
def test_any_json_value_renders_bounded_and_escaped(value: Any, text: str) -> None:
    """Property: arbitrary JSON in a value's extra and a profile's context stays markup-free."""
    definition = lc.BenefitDefinition(handle=text, extra={"data": value, "text": text})
    table = read_table(definition._repr_html_())
    assert table.caption == f"BenefitDefinition '{text}'"
    assert by_name(table)["extra.text"] == f"'{text}'"
    assert len(repr(definition)) < 400
    profile = Profile(id=text, context={"value": value, "text": text})
    rows = read_table(profile._repr_html_()).rows
    assert ["text", f"'{text}'"] in rows
    assert len(repr(profile)) < 200


# --- profiles -------------------------------------------------------------------------------


class TestProfileDisplay:
    """A profile shows its id and its attributes, nested objects as dotted paths."""

    def test_one_row_per_attribute_with_nested_objects_flattened(self) -> None:
        profile = Profile.from_api(
            {"id": "p-1", "tier_handle": "gold", "aggregations": {"spend_12m": 900}}
        )
        table = read_table(profile._repr_html_())
        assert table.caption == "Profile 'p-1'"
        assert table.rows == [
            ["id", "'p-1'"],
            ["tier_handle", "'gold'"],
            ["aggregations.spend_12m", "900"],
        ]

    def test_a_huge_profile_is_bounded(self) -> None:
        context = {f"k{n}": "v" * 50_000 for n in range(1_000)}
        profile = Profile(id="i" * 50_000, context=context)
        assert len(repr(profile)) < 250
        table = read_table(profile._repr_html_())
        assert len(table.rows) == 100
        assert table.notes == ["only the first 100 rows are shown"]

    def test_the_repr_shows_the_context_besides_the_id(self) -> None:
        profile = Profile(id="p-1", context={"tier_handle": "gold"})
        assert repr(profile) == "Profile(id='p-1', context={'tier_handle': 'gold'})"


# --- explanations ---------------------------------------------------------------------------


def _depth(cell: str) -> int:
    return (len(cell) - len(cell.lstrip(NBSP))) // 2


class TestExplanationHtml:
    """An explanation shows one row per explained clause: its rule, value and whether it holds."""

    def test_one_row_per_node_with_its_value_and_mark(self) -> None:
        why = explain({"or": [{"var": "vip"}, {"in": ["vip", {"var": "tags"}]}]}, {"tags": ["new"]})
        table = read_table(why._repr_html_())
        assert table.caption == "Explanation: fails"
        assert table.header == ["rule", "value", "holds"]
        assert [(_depth(r[0]), r[0].lstrip(NBSP), r[1], r[2]) for r in table.rows] == [
            (0, '{"or": [{"var": "vip"}, {"in": ["vip", {"var": "tags"}]}]}', "false", "✗ false"),
            (1, '{"var": "vip"}', "null", "✗ false"),
            (1, '{"in": ["vip", {"var": "tags"}]}', "false", "✗ false"),
            (2, '{"var": "tags"}', '["new"]', "✓ true"),
        ]

    def test_a_rule_that_holds_is_marked_true(self) -> None:
        table = read_table(explain({">": [{"var": "n"}, 1]}, {"n": 5})._repr_html_())
        assert table.caption == "Explanation: holds"
        assert [row[1:] for row in table.rows] == [["true", "✓ true"], ["5", "✓ true"]]

    def test_a_10000_deep_tree_is_bounded_without_recursion(self) -> None:
        rule = deep_rule(10_000)
        why = Explanation(value=True, holds=True, deciding=(), reads={}, rule={"var": "x"})
        for _ in range(10_000):
            why = Explanation(
                value=False, holds=False, deciding=((rule, why),), reads={}, rule=rule
            )
        html = why._repr_html_()
        table = read_table(html)
        assert len(table.rows) == 65  # 64 levels, then one row saying what is left out
        assert table.rows[-1][0].lstrip(NBSP) == "... 1 deeper clause(s) not shown"
        assert all(len(row[0]) <= 300 for row in table.rows)
        assert repr(why).startswith("Explanation(value=False, holds=False, deciding=<1 clause>")

    def test_a_wide_tree_shows_at_most_100_rows(self) -> None:
        why = explain({"and": [{"var": f"v{n}"} for n in range(500)]}, {})
        assert len(why.deciding) == 1
        deciding = tuple((n, why) for n in range(10_000))
        wide = Explanation(value=True, holds=True, deciding=deciding, reads={})
        table = read_table(wide._repr_html_())
        assert len(table.rows) == 100
        assert table.notes == ["only the first 100 rows are shown"]


# --- timelines ------------------------------------------------------------------------------

SCENARIO: Final = {
    "name": "coffee <pass>",
    "start_at": "2026-03-01T00:00:00Z",
    "definitions": [
        {
            "handle": "coffee",
            "is_claimable": True,
            "is_published": True,
            "is_assignable": True,
            "max_redemptions": 1,
            "period": 30,
        }
    ],
    "members": [{"profile": {"id": "p-1"}}],
    "events": [
        {
            "type": "claim",
            "member": "p-1",
            "definition": "coffee",
            "timezone": "Australia/Melbourne",
        },
        {"type": "redeem", "at": "2026-04-20T00:00:00Z", "member": "p-1", "benefit": 0},
    ],
}


class TestTimelineDisplay:
    """A timeline shows one row per step: number, clock, event and outcome."""

    def test_one_row_per_step(self) -> None:
        timeline = run_scenario(parse_scenario(SCENARIO))
        table = read_table(timeline._repr_html_())
        assert table.caption == "Timeline of 'coffee <pass>': 2 step(s)"
        assert table.header == ["#", "at", "event", "outcome"]
        assert table.rows == [
            [
                "1",
                "2026-03-01T00:00:00Z",
                "claim 'coffee' for 'p-1' in Australia/Melbourne",
                "accepted",
            ],
            [
                "2",
                "2026-04-20T00:00:00Z",
                "redeem 1 of 'p-1' benefit #0 on the api channel",
                "refused with expired",
            ],
        ]
        assert repr(timeline) == "Timeline(scenario='coffee <pass>', steps=2)"

    def test_a_long_timeline_shows_at_most_100_steps(self) -> None:
        stamps = [f"2026-03-02T{n // 60:02d}:{n % 60:02d}:00Z" for n in range(150)]
        many = {**SCENARIO, "events": [{"type": "advance", "to": stamp} for stamp in stamps]}
        timeline = run_scenario(parse_scenario(many))
        assert len(timeline.steps) == 150
        table = read_table(timeline._repr_html_())
        assert [row[0] for row in table.rows] == [str(n) for n in range(1, 101)]
        assert table.notes == ["only the first 100 rows are shown"]


def test_every_display_is_plain_html_without_scripts_or_styles_sheets() -> None:
    """No ``<script>``, ``<style>`` or ``<link>``: only the table's own tags."""
    html = "".join(
        (
            Decision(reasons=(Reason(ReasonCode.LOCKED, "<style>x</style>"),))._repr_html_(),
            example_definition()._repr_html_(),
            Profile(id="<link>")._repr_html_(),
            explain({"var": "<script>"}, {})._repr_html_(),
            run_scenario(parse_scenario(SCENARIO))._repr_html_(),
        )
    )
    assert not re.search(r"<(script|style|link)", html)
