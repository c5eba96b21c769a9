"""Tests of loyalty_core.jsonlogic against RULES COND-7 to COND-14 and the reference suite."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest

from loyalty_core.errors import ConditionError, InvalidRequest
from loyalty_core.jsonlogic import (
    DEFAULT_OPERATIONS,
    MAX_DEPTH,
    CompiledRule,
    Explanation,
    JSONValue,
    Operations,
    apply,
    compile,  # noqa: A004 - the module's name for it
    explain,
    truthy,
    unknown_variables,
)
from loyalty_core.limits import MAX_NESTING
from tests.jsonlogic_helpers import generic_operations, same_json, suite_cases

NAN = math.nan
INF = math.inf

# RULES COND, footnote 1: the sample profile P.
P: Mapping[str, Any] = {
    "id": "p-1",
    "tier_handle": "gold",
    "birth_year": 1985,
    "gender": "female",
    "flattened_tags": ["vip", "stylist-client"],
    "joined_at": "2023-01-15 00:00:00",
    "aggregations": {"spend_12m": 1250.5},
}


def check(rule: object, data: object, expected: object) -> None:
    """Assert that apply, compile and explain all give ``expected``."""
    by_apply = apply(rule, data)
    by_compile = compile(rule)(data)
    by_explain = explain(rule, data)
    assert same_json(by_apply, expected), f"apply: {by_apply!r} != {expected!r}"
    assert same_json(by_compile, expected), f"compile: {by_compile!r} != {expected!r}"
    assert same_json(by_explain.value, expected), f"explain: {by_explain.value!r}"
    assert by_explain.holds is truthy(expected)


def load_suite() -> list[Any]:
    """Turn the reference suite into params, with the section name in each id."""
    return [
        pytest.param(rule, data, expected, id=case_id)
        for case_id, rule, data, expected in suite_cases()
    ]


SUITE_CASES = load_suite()


class TestReferenceSuite:
    """DECISIONS Q38: every case of json-logic-js's published suite is reproduced."""

    def test_the_suite_has_277_cases(self) -> None:
        assert len(SUITE_CASES) == 277

    @pytest.mark.parametrize(("rule", "data", "expected"), SUITE_CASES)
    def test_case(self, rule: object, data: object, expected: object) -> None:
        check(rule, data, expected)


class TestExamples:
    """The example table of RULES COND, on the sample profile P."""

    @pytest.mark.parametrize(
        ("rule", "data", "expected"),
        [
            pytest.param(
                {"in": ["vip", {"var": "flattened_tags"}]}, P, True, id="COND-ex-tag-in-tags"
            ),
            pytest.param(
                {">": [{"var": "aggregations.spend_all"}, 1000]},
                P,
                False,
                id="COND-ex-absent-key-is-null-is-0",
            ),
            pytest.param(
                {"==": [{"var": "birth_year"}, "1985"]}, P, True, id="COND-ex-loose-number-string"
            ),
            pytest.param(
                {"===": [{"var": "birth_year"}, "1985"]},
                P,
                False,
                id="COND-ex-strict-number-string",
            ),
            pytest.param(
                {"<": ["2023-01-01 00:00:00", {"var": "joined_at"}, "2024-01-01 00:00:00"]},
                P,
                True,
                id="COND-ex-text-between",
            ),
            pytest.param({"and": [1, [], 2]}, None, [], id="COND-ex-and-returns-first-falsy"),
            pytest.param({"or": [0, "", "x"]}, None, "x", id="COND-ex-or-returns-first-truthy"),
            pytest.param({"var": ["a.b", 7]}, {"a": {"b": None}}, None, id="COND-ex-null-at-end"),
            pytest.param({"var": ["a.b", 7]}, {"a": None}, 7, id="COND-ex-step-from-null"),
            pytest.param({"var": "flattened_tags.length"}, P, 2, id="COND-ex-array-length"),
            pytest.param(
                {"var": "flattened_tags.1"}, P, "stylist-client", id="COND-ex-array-index"
            ),
            pytest.param({"var": "tier_handle.0"}, P, "g", id="COND-ex-string-index"),
        ],
    )
    def test_example(self, rule: object, data: object, expected: object) -> None:
        check(rule, data, expected)

    @pytest.mark.parametrize(
        "rule",
        [
            pytest.param({"foo": [1]}, id="COND-ex-unknown-operator"),
            pytest.param({"==": [1]}, id="COND-ex-bad-arity"),
            pytest.param({"if": [True, 1, {"foo": 1}]}, id="COND-ex-unknown-in-untaken-branch"),
            pytest.param(json.loads('{"!":' * 65 + "true" + "}" * 65), id="COND-ex-65-nested-not"),
        ],
    )
    def test_example_errors(self, rule: object) -> None:
        with pytest.raises(ConditionError):
            compile(rule)
        with pytest.raises(ConditionError):
            apply(rule, P)
        with pytest.raises(ConditionError):
            explain(rule, P)


class TestLogicAndLiterals:
    """COND-7/COND-8: only one-key objects are logic; arrays evaluate element-wise."""

    @pytest.mark.parametrize(
        ("rule", "data", "expected"),
        [
            pytest.param({}, None, {}, id="COND-7-empty-object-is-data"),
            pytest.param({"a": 1, "b": 2}, None, {"a": 1, "b": 2}, id="COND-7-two-keys-is-data"),
            pytest.param(
                {"a": {"var": "x"}, "b": 1},
                {"x": 5},
                {"a": {"var": "x"}, "b": 1},
                id="COND-7-data-object-is-not-evaluated",
            ),
            pytest.param(
                [{"var": "x"}, [{"var": "y"}]], {"x": 1, "y": 2}, [1, [2]], id="COND-7-arrays"
            ),
            pytest.param('{"var": "x"}', {"x": 1}, '{"var": "x"}', id="COND-7-string-is-literal"),
            pytest.param({"var": "a"}, {"a": 1}, 1, id="COND-8-single-operand"),
            pytest.param({"var": ["a"]}, {"a": 1}, 1, id="COND-8-operand-list"),
            pytest.param({"!": [[]]}, None, True, id="COND-8-empty-array-is-one-argument"),
            pytest.param({"log": {"var": "a"}}, {"a": [1]}, [1], id="COND-9-log-returns-argument"),
        ],
    )
    def test_value(self, rule: object, data: object, expected: object) -> None:
        check(rule, data, expected)

    def test_a_data_object_comes_back_as_the_same_object(self) -> None:
        literal = {"a": 1, "b": 2}
        assert compile({"if": [True, literal]})(None) is literal

    def test_a_literal_array_is_new_on_every_evaluation(self) -> None:
        rule = compile([1, 2])
        first, second = rule(None), rule(None)
        assert first == [1, 2]
        assert first is not second

    def test_tuples_and_mappings_are_arrays_and_objects(self) -> None:
        data = MappingProxyType({"tags": ("vip", "x"), "agg": MappingProxyType({"spend": 5})})
        check({"in": ["vip", {"var": "tags"}]}, data, expected=True)
        check({">": [{"var": "agg.spend"}, 4]}, data, expected=True)
        check({"var": "tags.length"}, data, 2)
        check({"map": [{"var": "tags"}, {"cat": [{"var": ""}, "!"]}]}, data, ["vip!", "x!"])


class TestTruthiness:
    """COND-10: false, null, 0, -0, NaN, "" and [] are falsy; everything else is truthy."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            pytest.param(False, False, id="COND-10-false"),
            pytest.param(None, False, id="COND-10-null"),
            pytest.param(0, False, id="COND-10-zero"),
            pytest.param(-0.0, False, id="COND-10-negative-zero"),
            pytest.param(NAN, False, id="COND-10-nan"),
            pytest.param(Decimal(0), False, id="COND-10-decimal-zero"),
            pytest.param("", False, id="COND-10-empty-string"),
            pytest.param([], False, id="COND-10-empty-array"),
            pytest.param((), False, id="COND-10-empty-tuple"),
            pytest.param("0", True, id="COND-10-string-zero"),
            pytest.param("false", True, id="COND-10-string-false"),
            pytest.param([0], True, id="COND-10-array-of-zero"),
            pytest.param({}, True, id="COND-10-empty-object"),
            pytest.param(MappingProxyType({}), True, id="COND-10-empty-mapping"),
            pytest.param(-1, True, id="COND-10-negative"),
            pytest.param(INF, True, id="COND-10-infinity"),
            pytest.param(True, True, id="COND-10-true"),
        ],
    )
    def test_truthiness(self, value: object, expected: bool) -> None:
        assert truthy(value) is expected
        assert apply({"!!": [{"var": "v"}]}, {"v": value}) is expected
        assert apply({"!": [{"var": "v"}]}, {"v": value}) is not expected
        assert apply({"if": [{"var": "v"}, "yes", "no"]}, {"v": value}) == (
            "yes" if expected else "no"
        )


class TestEquality:
    """COND-11: loose == and != follow JavaScript; === and !== need the same type."""

    @pytest.mark.parametrize(
        ("left", "right", "expected"),
        [
            pytest.param(None, None, True, id="COND-11-null-equals-null"),
            pytest.param(None, 0, False, id="COND-11-null-equals-only-null-0"),
            pytest.param(None, "", False, id="COND-11-null-equals-only-null-empty"),
            pytest.param(None, False, False, id="COND-11-null-equals-only-null-false"),
            pytest.param(True, 1, True, id="COND-11-true-is-1"),
            pytest.param(True, "1", True, id="COND-11-true-is-1-then-string"),
            pytest.param(False, "0", True, id="COND-11-false-is-0"),
            pytest.param(True, 2, False, id="COND-11-true-is-not-2"),
            pytest.param(1, "1", True, id="COND-11-number-string"),
            pytest.param(0, "", True, id="COND-11-empty-string-is-0"),
            pytest.param(12, " 12 ", True, id="COND-11-string-trimmed"),
            pytest.param(12, "\u00a012\ufeff", True, id="COND-11-js-whitespace-trimmed"),
            pytest.param(0, "abc", False, id="COND-11-abc-is-nan"),
            pytest.param(16, "0x10", True, id="COND-11-hex-string"),
            pytest.param(5, "0b101", True, id="COND-11-binary-string"),
            pytest.param(1000, "1e3", True, id="COND-11-exponent-string"),
            pytest.param(10, "1_0", False, id="COND-11-no-underscores"),
            pytest.param(INF, "Infinity", True, id="COND-11-infinity-string"),
            pytest.param(INF, "inf", False, id="COND-11-python-inf-is-not-js"),
            pytest.param(1, 1.0, True, id="COND-11-int-float"),
            pytest.param(Decimal("1.5"), 1.5, True, id="COND-11-decimal-is-a-number"),
            pytest.param([1, 2], "1,2", True, id="COND-11-array-becomes-string"),
            pytest.param([], "", True, id="COND-11-empty-array-is-empty-string"),
            pytest.param([None], "", True, id="COND-11-null-element-is-empty"),
            pytest.param([5], 5, True, id="COND-11-array-to-number"),
            pytest.param(False, [], True, id="COND-11-false-equals-empty-array"),
            pytest.param({"a": 1, "b": 1}, "[object Object]", True, id="COND-11-object-string"),
            pytest.param([1], [1], False, id="COND-11-arrays-equal-only-if-same"),
            pytest.param(NAN, NAN, False, id="COND-11-nan-equals-nothing"),
            pytest.param("a", "a", True, id="COND-11-strings"),
        ],
    )
    def test_loose(self, left: object, right: object, expected: bool) -> None:
        data = {"l": left, "r": right}
        for rule in (
            {"==": [{"var": "l"}, {"var": "r"}]},
            {"==": [{"var": "r"}, {"var": "l"}]},
        ):
            assert apply(rule, data) is expected
            assert apply({"!=": rule["=="]}, data) is not expected

    @pytest.mark.parametrize(
        ("left", "right", "expected"),
        [
            pytest.param(None, None, True, id="COND-11-strict-null"),
            pytest.param(True, 1, False, id="COND-11-strict-bool-is-not-number"),
            pytest.param(1, True, False, id="COND-11-strict-number-is-not-bool"),
            pytest.param(False, 0, False, id="COND-11-strict-false-is-not-0"),
            pytest.param(1, 1.0, True, id="COND-11-strict-int-float"),
            pytest.param(Decimal(2), 2, True, id="COND-11-strict-decimal"),
            pytest.param(1, "1", False, id="COND-11-strict-number-string"),
            pytest.param("x", "x", True, id="COND-11-strict-strings"),
            pytest.param(0.0, -0.0, True, id="COND-11-strict-zero-signs"),
            pytest.param(NAN, NAN, False, id="COND-11-strict-nan"),
            pytest.param(2**53, 2**53 + 1, True, id="COND-11-strict-doubles"),
        ],
    )
    def test_strict(self, left: object, right: object, expected: bool) -> None:
        data = {"l": left, "r": right}
        assert apply({"===": [{"var": "l"}, {"var": "r"}]}, data) is expected
        assert apply({"!==": [{"var": "l"}, {"var": "r"}]}, data) is not expected

    @pytest.mark.parametrize(
        ("rule", "data", "expected"),
        [
            pytest.param({"===": [{"var": "v"}, True]}, {"v": 1}, False, id="COND-11-lit-true"),
            pytest.param({"===": [{"var": "v"}, 1]}, {"v": True}, False, id="COND-11-lit-1"),
            pytest.param({"==": [{"var": "v"}, 1]}, {"v": True}, True, id="COND-11-lit-loose-1"),
            pytest.param({"==": [{"var": "v"}, True]}, {"v": "1"}, True, id="COND-11-lit-bool"),
            pytest.param({"==": [None, {"var": "v"}]}, {}, True, id="COND-11-lit-null-absent"),
            pytest.param({"==": [{"var": "v"}, None]}, {"v": 0}, False, id="COND-11-lit-null"),
            pytest.param({"===": [{"var": "v"}, "a"]}, {"v": ["a"]}, False, id="COND-11-lit-s"),
            pytest.param({"==": [{"var": "v"}, "a"]}, {"v": ["a"]}, True, id="COND-11-lit-arr"),
            pytest.param({"==": [{"var": "v"}, 3]}, {"v": "3.0"}, True, id="COND-11-lit-num"),
            pytest.param({"!=": [{"var": "v"}, 3]}, {"v": Decimal(3)}, False, id="COND-11-dec"),
            pytest.param({"==": [{"var": "a.b"}, 3]}, {"a": [3]}, False, id="COND-11-step-miss"),
            pytest.param(
                {"===": [{"var": "a.b"}, None]}, {"a": {"b": None}}, True, id="COND-11-null-end"
            ),
            pytest.param(
                {"===": [{"var": "a"}, {"var": "a"}]},
                {"a": [1]},
                True,
                id="COND-11-same-array-object",
            ),
            pytest.param({"===": [[1], [1]]}, None, False, id="COND-11-two-literal-arrays"),
        ],
    )
    def test_literal_operands(self, rule: object, data: object, expected: object) -> None:
        check(rule, data, expected)


class TestRelational:
    """COND-12: strings compare by UTF-16 code units, everything else through ToNumber."""

    @pytest.mark.parametrize(
        ("left", "right", "less", "equal"),
        [
            pytest.param(1, 2, True, False, id="COND-12-numbers"),
            pytest.param("10", "9", True, False, id="COND-12-strings-as-text"),
            pytest.param("10", 9, False, False, id="COND-12-string-and-number"),
            pytest.param("a", "b", True, False, id="COND-12-text"),
            pytest.param("B", "a", True, False, id="COND-12-code-units-not-locale"),
            pytest.param("\uffff", "\U0001f600", False, False, id="COND-12-utf16-surrogates"),
            pytest.param("\U0001f600", "\uffff", True, False, id="COND-12-utf16-surrogates-rev"),
            pytest.param(None, 0, False, True, id="COND-12-null-is-0"),
            pytest.param(None, -1, False, False, id="COND-12-null-above-negative"),
            pytest.param(False, True, True, False, id="COND-12-booleans"),
            pytest.param("", 0, False, True, id="COND-12-empty-string-is-0"),
            pytest.param("abc", 1, False, False, id="COND-12-nan-compares-false"),
            pytest.param(NAN, NAN, False, False, id="COND-12-nan"),
            pytest.param([2], 10, True, False, id="COND-12-array-to-number"),
            pytest.param([2], "10", False, False, id="COND-12-array-to-text"),
            pytest.param({"a": 1, "b": 2}, "[object Object]", False, True, id="COND-12-object"),
            pytest.param(Decimal("1.5"), 2, True, False, id="COND-12-decimal"),
            pytest.param(2**53 + 1, 2**53, False, True, id="COND-12-doubles"),
            pytest.param("2023-01-15", "2023-01-15 00:00:00", True, False, id="COND-12-prefix"),
        ],
    )
    def test_order(self, left: object, right: object, less: bool, equal: bool) -> None:
        data = {"l": left, "r": right}
        greater = not less and not equal and not _has_nan(left, right)
        assert apply({"<": [{"var": "l"}, {"var": "r"}]}, data) is less
        assert apply({"<=": [{"var": "l"}, {"var": "r"}]}, data) is (less or equal)
        assert apply({">": [{"var": "r"}, {"var": "l"}]}, data) is less
        assert apply({">=": [{"var": "r"}, {"var": "l"}]}, data) is (less or equal)
        assert apply({">": [{"var": "l"}, {"var": "r"}]}, data) is greater

    @pytest.mark.parametrize(
        ("rule", "data", "expected"),
        [
            pytest.param({">": [{"var": "v"}, 1000]}, {"v": 1000.5}, True, id="COND-12-lit-gt"),
            pytest.param({">": [1000, {"var": "v"}]}, {"v": 999}, True, id="COND-12-lit-left"),
            pytest.param({">=": [{"var": "v"}, 5]}, {"v": "5"}, True, id="COND-12-lit-string"),
            pytest.param({"<": [{"var": "v"}, 5]}, {"v": None}, True, id="COND-12-lit-null"),
            pytest.param({"<": [{"var": "v"}, 5]}, {}, True, id="COND-12-lit-absent"),
            pytest.param({"<=": [{"var": "v"}, 5]}, {"v": [5]}, True, id="COND-12-lit-array"),
            pytest.param({">": [{"var": "v"}, "b"]}, {"v": "c"}, True, id="COND-12-lit-text"),
            pytest.param({">": [{"var": "v"}, "b"]}, {"v": 3}, False, id="COND-12-lit-text-num"),
            pytest.param({">": [{"var": "v"}, "é"]}, {"v": "z"}, False, id="COND-12-non-ascii"),
            pytest.param({"<": [1, {"var": "v"}, 3]}, {"v": 2}, True, id="COND-12-between"),
            pytest.param({"<": [1, {"var": "v"}, 3]}, {"v": 3}, False, id="COND-12-between-end"),
            pytest.param({"<=": [1, {"var": "v"}, 3]}, {"v": 3}, True, id="COND-12-between-le"),
            pytest.param({"<": [1, {"var": "v"}, 3]}, {"v": "2"}, True, id="COND-12-between-s"),
            pytest.param({"<": ["a", {"var": "v"}, "c"]}, {"v": 2}, False, id="COND-12-btw-mix"),
            pytest.param(
                {"<=": [{"var": "a"}, 2, {"var": "b"}]},
                {"a": 2, "b": 2},
                True,
                id="COND-12-btw-vars",
            ),
            pytest.param(
                {"<": [{"var": "v"}, 9007199254740993]}, {"v": 2**53}, False, id="COND-12-big-lit"
            ),
        ],
    )
    def test_literal_operands(self, rule: object, data: object, expected: object) -> None:
        check(rule, data, expected)


def _has_nan(*values: object) -> bool:
    return any(isinstance(v, float) and math.isnan(v) for v in values) or any(
        v == "abc" for v in values
    )


class TestVar:
    """COND table, var: dotted paths, indexes, length, defaults (COND-5: missing is null)."""

    @pytest.mark.parametrize(
        ("rule", "data", "expected"),
        [
            pytest.param({"var": ""}, {"a": 1}, {"a": 1}, id="COND-var-empty-path-whole-data"),
            pytest.param({"var": None}, [1], [1], id="COND-var-null-path-whole-data"),
            pytest.param({"var": []}, "x", "x", id="COND-var-no-path-whole-data"),
            pytest.param({"var": ["", 5]}, None, None, id="COND-var-whole-data-ignores-default"),
            pytest.param({"var": "a"}, None, None, id="COND-var-from-null"),
            pytest.param({"var": ["a", 5]}, None, 5, id="COND-var-default-from-null"),
            pytest.param({"var": ["a", 5]}, {"a": None}, None, id="COND-var-null-value-kept"),
            pytest.param({"var": ["a", 5]}, {"a": False}, False, id="COND-var-false-value"),
            pytest.param({"var": ["a.b.c", 5]}, {"a": {"b": 1}}, 5, id="COND-var-step-into-num"),
            pytest.param({"var": "a.1.b"}, {"a": [0, {"b": 2}]}, 2, id="COND-var-mixed-path"),
            pytest.param({"var": 1}, [7, 8], 8, id="COND-var-number-path"),
            pytest.param({"var": "01"}, [7, 8], None, id="COND-var-non-canonical-index"),
            pytest.param({"var": "-1"}, [7, 8], None, id="COND-var-negative-index"),
            pytest.param({"var": "2"}, [7, 8], None, id="COND-var-index-out-of-range"),
            pytest.param({"var": "length"}, [7, 8], 2, id="COND-var-array-length"),
            pytest.param({"var": "s.length"}, {"s": "abc"}, 3, id="COND-var-string-length"),
            pytest.param({"var": "s.length"}, {"s": "\U0001f600"}, 2, id="COND-var-utf16-length"),
            pytest.param({"var": "s.1"}, {"s": "a\U0001f600"}, "\ud83d", id="COND-var-utf16-unit"),
            pytest.param({"var": "s.3"}, {"s": "abc"}, None, id="COND-var-string-out-of-range"),
            pytest.param({"var": "constructor"}, {}, None, id="COND-var-no-prototype-keys"),
            pytest.param({"var": "a.map"}, {"a": []}, None, id="COND-var-no-array-methods"),
            pytest.param({"var": "a.length"}, {"a": {"length": 4}}, 4, id="COND-var-own-length"),
            pytest.param({"var": "n.x"}, {"n": 5}, None, id="COND-var-step-into-number"),
            pytest.param({"var": "a.b"}, {"a.b": 1}, None, id="COND-var-dots-split"),
            pytest.param({"var": "x"}, {"x": Decimal("1.5")}, Decimal("1.5"), id="COND-5-decimal"),
            pytest.param(
                {"var": {"cat": ["a", ".", "b"]}}, {"a": {"b": 3}}, 3, id="COND-var-computed"
            ),
            pytest.param(
                {"var": ["a", {"var": "d"}]}, {"d": "dflt"}, "dflt", id="COND-var-computed-default"
            ),
            pytest.param({"var": 1.5}, {"1": {"5": "x"}}, "x", id="COND-var-float-path-split"),
            pytest.param({"var": True}, {"true": 1}, 1, id="COND-var-bool-path-as-string"),
        ],
    )
    def test_var(self, rule: object, data: object, expected: object) -> None:
        check(rule, data, expected)


class TestMissing:
    """COND table: missing and missing_some."""

    @pytest.mark.parametrize(
        ("rule", "data", "expected"),
        [
            pytest.param({"missing": ["a", "b"]}, {"a": ""}, ["a", "b"], id="COND-missing-empty"),
            pytest.param({"missing": ["a"]}, {"a": 0}, [], id="COND-missing-zero-is-present"),
            pytest.param({"missing": ["a"]}, {"a": False}, [], id="COND-missing-false-present"),
            pytest.param({"missing": [["a", "b"], "c"]}, {}, ["a", "b"], id="COND-missing-list"),
            pytest.param({"missing": [1]}, [5], [1], id="COND-missing-number-key"),
            pytest.param({"missing": [0]}, [5], [], id="COND-missing-index-present"),
            pytest.param({"missing": [["a", "x"]]}, {}, ["a", "x"], id="COND-missing-list-of-keys"),
            pytest.param(
                {"missing_some": [1, ["a", "b"]]}, {"b": 1}, [], id="COND-missing-some-enough"
            ),
            pytest.param(
                {"missing_some": [2, ["a", "b"]]}, {"b": 1}, ["a"], id="COND-missing-some-short"
            ),
            pytest.param({"missing_some": [0, ["a"]]}, {}, [], id="COND-missing-some-need-nothing"),
            pytest.param({"missing_some": [1, "a"]}, {}, ["a"], id="COND-missing-some-string-keys"),
            pytest.param(
                {"missing_some": [1, {"var": "k"}]},
                {"k": None},
                [],
                id="COND-missing-some-null-keys-does-not-raise",
            ),
        ],
    )
    def test_missing(self, rule: object, data: object, expected: object) -> None:
        check(rule, data, expected)

    def test_an_object_from_the_data_is_not_run_as_logic(self) -> None:
        data = {"keys": [{"var": "x"}], "x": "y"}
        assert apply({"missing": {"var": "keys"}}, data) == [{"var": "x"}]


class TestControl:
    """COND table: if/?:, and/or, and the iterating operators (COND-8)."""

    @pytest.mark.parametrize(
        ("rule", "data", "expected"),
        [
            pytest.param({"if": []}, None, None, id="COND-if-no-arguments"),
            pytest.param({"if": ["x"]}, None, "x", id="COND-if-only-else"),
            pytest.param({"?:": [0, 1, 2]}, None, 2, id="COND-if-ternary"),
            pytest.param({"if": [0, 1, "", 2]}, None, None, id="COND-if-no-match-no-else"),
            pytest.param(
                {"if": [{"var": "x"}, {"var": "y"}, {"var": "z"}]},
                {"x": [0], "y": "Y"},
                "Y",
                id="COND-if-logic-everywhere",
            ),
            pytest.param({"and": [[1]]}, None, [1], id="COND-and-one"),
            pytest.param({"and": [True, "a", 0, "b"]}, None, 0, id="COND-and-first-falsy"),
            pytest.param({"or": [False, None, ""]}, None, "", id="COND-or-last"),
            pytest.param({"or": [{"var": "a"}, {"var": "b"}]}, {"b": 2}, 2, id="COND-or-vars"),
            pytest.param(
                {"and": [{">": [{"var": "a"}, 1]}, {"<": [{"var": "a"}, 5]}, True]},
                {"a": 3},
                True,
                id="COND-and-three-booleans",
            ),
            pytest.param({"map": [{"var": "a"}, 1]}, {"a": "xy"}, [], id="COND-map-non-array"),
            pytest.param({"filter": [5, True]}, None, [], id="COND-filter-non-array"),
            pytest.param(
                {"filter": [{"var": "a"}, {"var": "ok"}]},
                {"a": [{"ok": 1}, {"ok": 0}, {"ok": [0]}]},
                [{"ok": 1}, {"ok": [0]}],
                id="COND-filter-truthiness",
            ),
            pytest.param(
                {"reduce": [{"var": "a"}, {"var": "accumulator"}]},
                {"a": [1]},
                None,
                id="COND-reduce-initial-null",
            ),
            pytest.param(
                {"reduce": ["x", {"var": "current"}, {"var": "init"}]},
                {"init": 9},
                9,
                id="COND-reduce-non-array-gives-initial",
            ),
            pytest.param(
                {"reduce": [[1, 2, 3], {"cat": [{"var": "accumulator"}, {"var": "current"}]}, ""]},
                None,
                "123",
                id="COND-reduce-order",
            ),
            pytest.param({"all": [[], True]}, None, False, id="COND-all-empty"),
            pytest.param({"some": [[], True]}, None, False, id="COND-some-empty"),
            pytest.param({"none": [[], True]}, None, True, id="COND-none-empty"),
            pytest.param({"all": [{"var": "x"}, True]}, {"x": 3}, False, id="COND-all-non-array"),
            pytest.param({"none": ["abc", True]}, None, True, id="COND-none-non-array"),
            pytest.param({"all": [[1, [0]], {"var": ""}]}, None, True, id="COND-all-truthy"),
            pytest.param({"some": [[0, ""], {"var": ""}]}, None, False, id="COND-some-falsy"),
            pytest.param(
                {"map": [[[1, 2], [3]], {"merge": [{"var": ""}, 0]}]},
                None,
                [[1, 2, 0], [3, 0]],
                id="COND-map-element-data",
            ),
        ],
    )
    def test_control(self, rule: object, data: object, expected: object) -> None:
        check(rule, data, expected)


class TestArithmetic:
    """COND table: max, min, +, *, -, /, % with JavaScript conversions (COND-9)."""

    @pytest.mark.parametrize(
        ("rule", "expected"),
        [
            pytest.param({"max": ["3", 2]}, 3, id="COND-max-tonumber"),
            pytest.param({"max": [1, "x"]}, NAN, id="COND-max-nan-wins"),
            pytest.param({"min": [[], 1]}, 0, id="COND-min-empty-array-is-0"),
            pytest.param({"min": [0, {"-": [0]}]}, -0.0, id="COND-min-negative-zero"),
            pytest.param({"max": [{"-": [0]}, 0]}, 0.0, id="COND-max-positive-zero"),
            pytest.param({"max": [None, -1]}, 0, id="COND-max-null-is-0"),
            pytest.param({"+": []}, 0, id="COND-plus-empty"),
            pytest.param({"+": ["1"]}, 1, id="COND-plus-string"),
            pytest.param({"+": ["4x"]}, 4, id="COND-plus-parsefloat-prefix"),
            pytest.param({"+": ["x"]}, NAN, id="COND-plus-nan"),
            pytest.param({"+": [" \n12.5e1x"]}, 125, id="COND-plus-leading-space"),
            pytest.param({"+": ["1e"]}, 1, id="COND-plus-incomplete-exponent"),
            pytest.param({"+": ["0x10"]}, 0, id="COND-plus-no-hex"),
            pytest.param({"+": [".5"]}, 0.5, id="COND-plus-leading-dot"),
            pytest.param({"+": ["-Infinityx"]}, -INF, id="COND-plus-infinity"),
            pytest.param({"+": [None]}, NAN, id="COND-plus-null-is-nan"),
            pytest.param({"+": [True]}, NAN, id="COND-plus-true-is-nan"),
            pytest.param({"+": [[3, 4]]}, 3, id="COND-plus-array-string"),
            pytest.param({"+": [{"-": [0]}]}, 0.0, id="COND-plus-normalises-negative-zero"),
            pytest.param({"*": ["3"]}, "3", id="COND-times-single-unchanged"),
            pytest.param({"*": [2, "3"]}, 6, id="COND-times-strings"),
            pytest.param({"*": [-1, 0, 5]}, 0.0, id="COND-times-parsefloat-of-minus-zero"),
            pytest.param({"*": [1e200, 1e200]}, INF, id="COND-times-overflow"),
            pytest.param({"-": ["3"]}, -3, id="COND-minus-negation"),
            pytest.param({"-": [None]}, -0.0, id="COND-minus-null"),
            pytest.param({"-": [" 12 ", "2"]}, 10, id="COND-minus-tonumber"),
            pytest.param({"-": ["a", 1]}, NAN, id="COND-minus-nan"),
            pytest.param({"/": [1, 0]}, INF, id="COND-divide-by-zero"),
            pytest.param({"/": [-1, 0]}, -INF, id="COND-divide-negative-by-zero"),
            pytest.param({"/": [1, {"-": [0]}]}, -INF, id="COND-divide-by-negative-zero"),
            pytest.param({"/": [0, 0]}, NAN, id="COND-divide-zero-by-zero"),
            pytest.param({"/": [1e308, 1e-10]}, INF, id="COND-divide-overflow"),
            pytest.param({"%": [-5, 3]}, -2, id="COND-remainder-sign-of-dividend"),
            pytest.param({"%": [5, -3]}, 2, id="COND-remainder-positive"),
            pytest.param({"%": [5, 0]}, NAN, id="COND-remainder-by-zero"),
            pytest.param({"%": [5.5, 2]}, 1.5, id="COND-remainder-fraction"),
            pytest.param({"%": [5, "Infinity"]}, 5, id="COND-remainder-by-infinity"),
            pytest.param({"%": ["Infinity", 5]}, NAN, id="COND-remainder-of-infinity"),
            pytest.param({"+": [0.1, 0.2]}, 0.30000000000000004, id="COND-plus-doubles"),
        ],
    )
    def test_arithmetic(self, rule: object, expected: object) -> None:
        check(rule, None, expected)

    def test_results_are_python_floats(self) -> None:
        assert type(apply({"/": [1, 0]})) is float
        assert type(apply({"-": [{"var": "a"}, 1]}, {"a": Decimal("2.5")})) is float


class TestStrings:
    """COND table: merge, in, cat, substr; String() formats numbers as JavaScript does."""

    @pytest.mark.parametrize(
        ("rule", "expected"),
        [
            pytest.param({"merge": [[1, [2]], 3, None]}, [1, [2], 3, None], id="COND-merge-one"),
            pytest.param({"in": [1, "a1"]}, True, id="COND-in-number-needle"),
            pytest.param({"in": [None, "nullable"]}, True, id="COND-in-null-is-null"),
            pytest.param({"in": ["", ""]}, False, id="COND-in-empty-haystack"),
            pytest.param({"in": ["", "abc"]}, True, id="COND-in-empty-needle"),
            pytest.param({"in": [1, ["1"]]}, False, id="COND-in-strict-membership"),
            pytest.param({"in": [1, [1.0]]}, True, id="COND-in-int-float"),
            pytest.param({"in": [True, [1]]}, False, id="COND-in-bool-not-number"),
            pytest.param({"in": [[1], [[1]]]}, False, id="COND-in-arrays-by-identity"),
            pytest.param({"in": ["a", 5]}, False, id="COND-in-number-haystack"),
            pytest.param({"in": ["a", {"a": 1, "b": 2}]}, False, id="COND-in-object-haystack"),
            pytest.param({"in": ["\ud83d", "\U0001f600"]}, True, id="COND-in-utf16-units"),
            pytest.param({"cat": [None, 1.0, True, False]}, "1truefalse", id="COND-cat-basics"),
            pytest.param({"cat": [[1, [2, None]], []]}, "1,2,", id="COND-cat-arrays"),
            pytest.param({"cat": [{"a": 1, "b": 2}]}, "[object Object]", id="COND-cat-object"),
            pytest.param({"cat": [1e21, 1e-7, 0.000001]}, "1e+211e-70.000001", id="COND-cat-exp"),
            pytest.param({"cat": [123456789.125, -0.5]}, "123456789.125-0.5", id="COND-cat-dec"),
            pytest.param({"cat": [2**60]}, "1152921504606847000", id="COND-cat-big-int"),
            pytest.param({"cat": [1e20]}, "100000000000000000000", id="COND-cat-1e20"),
            pytest.param({"cat": [{"-": [0]}]}, "0", id="COND-cat-negative-zero"),
            pytest.param(
                {"cat": [{"/": [0, 0]}, {"/": [-1, 0]}]}, "NaN-Infinity", id="COND-cat-nan"
            ),
            pytest.param({"cat": [1.5e-7]}, "1.5e-7", id="COND-cat-small"),
            pytest.param({"cat": [123e-20]}, "1.23e-18", id="COND-cat-small-digits"),
            pytest.param({"substr": ["jsonlogic", 4]}, "logic", id="COND-substr-start"),
            pytest.param({"substr": ["jsonlogic", -5, -2]}, "log", id="COND-substr-neg-length"),
            pytest.param({"substr": ["jsonlogic", 1, -9]}, "", id="COND-substr-all-dropped"),
            pytest.param({"substr": ["jsonlogic", "1", "2"]}, "so", id="COND-substr-strings"),
            pytest.param({"substr": ["jsonlogic", 1, "-2"]}, "", id="COND-substr-string-neg"),
            pytest.param({"substr": ["jsonlogic", 1, None]}, "", id="COND-substr-null-length"),
            pytest.param({"substr": ["jsonlogic", 100]}, "", id="COND-substr-past-end"),
            pytest.param({"substr": ["jsonlogic", -100, 2]}, "js", id="COND-substr-before-start"),
            pytest.param({"substr": ["jsonlogic", 1.9, 2.9]}, "so", id="COND-substr-truncates"),
            pytest.param({"substr": [12345, 1, 2]}, "23", id="COND-substr-number-source"),
            pytest.param({"substr": [None, 0, 2]}, "nu", id="COND-substr-null-source"),
            pytest.param({"substr": ["a\U0001f600b", 1, 2]}, "\U0001f600", id="COND-substr-utf16"),
            pytest.param({"substr": ["a\U0001f600b", 2]}, "\ude00b", id="COND-substr-split-pair"),
        ],
    )
    def test_strings(self, rule: object, expected: object) -> None:
        check(rule, None, expected)


class TestCompileErrors:
    """COND-7: malformed rules raise ConditionError at compile, naming the bad node."""

    @pytest.mark.parametrize(
        ("rule", "message"),
        [
            pytest.param({"foo": [1]}, "$: unknown operator 'foo'", id="COND-7-unknown-operator"),
            pytest.param(
                {"and": [True, {"foo": 1}]},
                "$.and[1]: unknown operator 'foo'",
                id="COND-7-unknown-nested",
            ),
            pytest.param(
                {"if": [True, 1, {"foo": 1}]},
                "$.if[2]: unknown operator 'foo'",
                id="COND-7-unknown-in-untaken-branch",
            ),
            pytest.param(
                {"==": [{"var": "a"}, {"bar": []}]},
                "$[\"==\"][1]: unknown operator 'bar'",
                id="COND-7-quoted-key-path",
            ),
            pytest.param(
                {"!": {"bar": 1}}, "$[\"!\"]: unknown operator 'bar'", id="COND-7-single-operand"
            ),
            pytest.param([1, {"x": 1}], "$[1]: unknown operator 'x'", id="COND-7-inside-an-array"),
            pytest.param(
                {"==": [1]}, "$: operator '==' takes 2 arguments, got 1", id="COND-8-too-few"
            ),
            pytest.param(
                {"!": []}, "$: operator '!' takes 1 argument, got 0", id="COND-8-empty-list"
            ),
            pytest.param(
                {"and": []},
                "$: operator 'and' takes at least 1 argument, got 0",
                id="COND-8-and-needs-one",
            ),
            pytest.param(
                {"var": ["a", 1, 2]},
                "$: operator 'var' takes 0 to 2 arguments, got 3",
                id="COND-8-var-too-many",
            ),
            pytest.param(
                {"<": [1, 2, 3, 4]},
                "$: operator '<' takes 2 to 3 arguments, got 4",
                id="COND-8-between-too-many",
            ),
            pytest.param(
                {">": [1, 2, 3]}, "$: operator '>' takes 2 arguments, got 3", id="COND-8-gt-3"
            ),
            pytest.param(
                {"*": []}, "$: operator '*' takes at least 1 argument, got 0", id="COND-8-times"
            ),
            pytest.param(
                {"reduce": [[], 1, 2, 3]},
                "$: operator 'reduce' takes 2 to 3 arguments, got 4",
                id="COND-8-reduce",
            ),
            pytest.param(
                {"missing_some": [1]},
                "$: operator 'missing_some' takes 2 arguments, got 1",
                id="COND-8-missing-some",
            ),
            pytest.param(
                {"in": [{1, 2}, "a"]}, "$.in[0]: expected a JSON value, got {1, 2}", id="COND-7-set"
            ),
            pytest.param(
                {"cat": [b"x"]}, "$.cat[0]: expected a JSON value, got b'x'", id="COND-7-bytes"
            ),
            pytest.param(
                {"+": [NAN]}, '$["+"][0]: expected a finite number, got nan', id="COND-7-nan"
            ),
            pytest.param(
                {"+": [INF]}, '$["+"][0]: expected a finite number, got inf', id="COND-7-inf"
            ),
            pytest.param(
                {"+": [Decimal("NaN")]},
                "$[\"+\"][0]: expected a finite number, got Decimal('NaN')",
                id="COND-7-decimal-nan",
            ),
            pytest.param(
                {"a": 1, 2: "b"}, "$: expected a string key, got 2", id="COND-7-non-string-key"
            ),
            pytest.param({1: "x"}, "$: expected a string key, got 1", id="COND-7-non-string-op"),
            pytest.param(
                {"a": {"b": {1, 2}}, "c": 1},
                "$.a.b: expected a JSON value, got {1, 2}",
                id="COND-7-inside-a-data-object",
            ),
            pytest.param(
                {"a": {"x y": [None, object]}, "c": 1},
                "$.a[\"x y\"][1]: expected a JSON value, got <class 'object'>",
                id="COND-7-quoted-data-key",
            ),
        ],
    )
    def test_error(self, rule: object, message: str) -> None:
        with pytest.raises(ConditionError) as raised:
            compile(rule)
        assert str(raised.value) == message
        assert len(raised.value.problems) == 1

    def test_every_problem_is_reported(self) -> None:
        with pytest.raises(ConditionError) as raised:
            compile({"and": [{"foo": 1}, {"==": [1]}, {"var": {"bar": 2}}]})
        assert [str(p) for p in raised.value.problems] == [
            "$.and[0]: unknown operator 'foo'",
            "$.and[1]: operator '==' takes 2 arguments, got 1",
            "$.and[2].var: unknown operator 'bar'",
        ]

    def test_paths_are_rooted_at_the_given_path(self) -> None:
        with pytest.raises(ConditionError) as raised:
            compile({"and": [{"foo": 1}]}, path="$.definition.claim_condition")
        assert str(raised.value) == "$.definition.claim_condition.and[0]: unknown operator 'foo'"

    def test_a_cycle_is_not_json(self) -> None:
        cyclic: dict[str, object] = {"b": 1}
        cyclic["a"] = cyclic
        with pytest.raises(ConditionError, match="contains itself"):
            compile({"if": [True, cyclic]})

    @pytest.mark.parametrize(
        "wrap", [lambda r: {"!": r}, lambda r: [r]], ids=["COND-7-ops", "COND-7-arrays"]
    )
    def test_depth_limit(self, wrap: Callable[[object], object]) -> None:
        rule: object = True
        for _ in range(MAX_DEPTH):
            rule = wrap(rule)
        compile(rule)  # 64 levels are fine
        with pytest.raises(ConditionError, match="nesting deeper than 64 levels"):
            compile(wrap(rule))

    def test_the_deepest_node_is_named(self) -> None:
        rule: object = {"var": "a"}
        for _ in range(MAX_DEPTH):
            rule = {"!": rule}
        with pytest.raises(ConditionError) as raised:
            compile(rule)
        assert str(raised.value) == "$" + '["!"]' * 64 + ": nesting deeper than 64 levels"

    @pytest.mark.parametrize("levels", [1_000, 100_000])
    def test_hostile_nesting_is_a_condition_error_not_a_recursion_error(self, levels: int) -> None:
        rule: object = {"and": [1]}
        for _ in range(levels):
            rule = {"and": [rule]}
        with pytest.raises(ConditionError):
            compile(rule)
        with pytest.raises(ConditionError):
            explain(rule, None)

    def test_deep_data_objects_are_literals(self) -> None:
        deep: dict[str, object] = {"a": 1, "b": None}
        for _ in range(MAX_NESTING - 3):  # the if, its operand array, and the innermost one
            deep = {"a": deep, "b": 0}
        assert compile({"if": [True, deep]})(None) is deep
        # Data is never limited: it is read, not copied or decoded.
        assert apply({"cat": [{"var": "x"}]}, {"x": _nested_list(10_000)}) == ""

    def test_a_literal_nested_past_the_limit_is_a_condition_error(self) -> None:
        deep: dict[str, object] = {"a": 1, "b": None}
        for _ in range(10_000):
            deep = {"a": deep, "b": 0}
        with pytest.raises(ConditionError) as raised:
            compile({"if": [True, deep]})
        assert str(raised.value) == (
            "$.if[1]" + ".a" * (MAX_NESTING - 2) + ": nested deeper than 128 levels"
        )

    def test_a_shared_subtree_is_compiled_once(self) -> None:
        rule: object = {"var": "x"}
        for _ in range(60):
            rule = {"+": [rule, rule]}
        compiled = compile(rule)  # 2**60 paths through the tree, 61 distinct nodes
        assert compiled.variables() == ("x",)

    def test_unknown_variable_errors_are_condition_errors(self) -> None:
        with pytest.raises(ConditionError):
            unknown_variables({"foo": 1}, {"a"})
        with pytest.raises(InvalidRequest):
            unknown_variables({"var": "a"}, "a")

    def test_condition_error_is_a_value_error(self) -> None:
        with pytest.raises(ValueError, match="unknown operator"):
            apply({"nope": 1})


def _nested_list(levels: int) -> list[object]:
    value: list[object] = []
    for _ in range(levels):
        value = [value]
    return value


class TestEvaluationNeverRaises:
    """COND-9: a compiled rule never raises, whatever the data."""

    HOSTILE_DATA = (
        None,
        _nested_list(50_000),
        {"a": [NAN, INF, -INF, Decimal("sNaN"), Decimal("-Infinity"), 10**400, -(2**80)]},
        {"a": "\ud800\udfff\U0001f600", "b": {"toString": 1, "valueOf": 2, "length": "x"}},
        MappingProxyType({"a": (1, (2, None))}),
        [object(), {1, 2}, b"bytes"],
    )
    RULES = (
        {"cat": [{"var": "a"}, {"var": "b"}, {"var": ""}]},
        {"+": [{"var": "a"}, {"var": "a.0"}, {"var": "a.5"}]},
        {"max": [{"var": "a.6"}, {"var": "a.3"}]},
        {"<": [{"var": "a"}, {"var": "b"}, {"var": ""}]},
        {"==": [{"var": "a"}, {"var": "b"}]},
        {"in": [{"var": "a.0"}, {"var": "a"}]},
        {"substr": [{"var": "a"}, {"var": "a.5"}, {"var": "a.1"}]},
        {"missing_some": [{"var": "a.0"}, {"var": "b"}]},
        {"missing": {"var": "b"}},
        {"reduce": [{"var": "a"}, {"*": [{"var": "current"}, {"var": "accumulator"}]}, 1]},
        {"%": [{"var": "a.5"}, {"var": "a.3"}]},
        {"-": [{"var": "a.6"}]},
        {"var": [{"var": "b"}]},
    )

    @pytest.mark.parametrize("data", HOSTILE_DATA, ids=lambda d: type(d).__name__)
    @pytest.mark.parametrize("rule", RULES, ids=lambda r: next(iter(r)))
    def test_never_raises(self, rule: object, data: object) -> None:
        value = compile(rule)(data)
        explained = explain(rule, data).value
        assert explained is value or same_json(explained, value)


SPEND_AND_TIER: Mapping[str, Any] = MappingProxyType(
    {
        "and": [
            {">": [{"var": "aggregations.spend_12m"}, 1000]},
            {"===": [{"var": "tier_handle"}, "tier-2"]},
        ]
    }
)


class TestExplain:
    """COND-14: explain gives the value, its truthiness, the deciding operands and the reads."""

    def test_and_names_the_operand_that_short_circuited(self) -> None:
        data = {"tier_handle": "tier-1", "aggregations": {"spend_12m": 1250.5}}
        why = explain(SPEND_AND_TIER, data)
        tier_var: JSONValue = {"var": "tier_handle"}
        tier: JSONValue = {"===": [tier_var, "tier-2"]}
        read = {"tier_handle": "tier-1"}
        var_why = Explanation(value="tier-1", holds=True, deciding=(), reads=read)
        tier_why = Explanation(
            value=False, holds=False, deciding=((tier_var, var_why),), reads=read
        )
        expected = Explanation(
            value=False,
            holds=False,
            deciding=((tier, tier_why),),
            reads={"aggregations.spend_12m": 1250.5, "tier_handle": "tier-1"},
        )
        assert expected == why
        assert why.summary() == "tier_handle is 'tier-1'; needs === 'tier-2'"

    def test_and_that_holds_lists_every_operand(self) -> None:
        data = {"tier_handle": "tier-2", "aggregations": {"spend_12m": 1250.5}}
        why = explain(SPEND_AND_TIER, data)
        assert why.holds is True
        assert [rule for rule, _ in why.deciding] == SPEND_AND_TIER["and"]
        assert why.summary() == (
            "aggregations.spend_12m is 1250.5; needs > 1000, and tier_handle is 'tier-2'; "
            "needs === 'tier-2'"
        )

    def test_an_absent_variable_reads_as_null(self) -> None:
        why = explain(SPEND_AND_TIER, {})
        assert dict(why.reads) == {"aggregations.spend_12m": None, "tier_handle": None}
        assert why.summary() == "aggregations.spend_12m is null; needs > 1000"

    def test_or_that_fails_lists_every_operand(self) -> None:
        rule = {"or": [{"var": "a"}, 0, {"var": "b"}]}
        why = explain(rule, {"a": "", "b": []})
        assert why.value == []
        assert [sub for sub, _ in why.deciding] == [{"var": "a"}, {"var": "b"}]

    def test_or_names_the_truthy_operand(self) -> None:
        why = explain({"or": [{"var": "a"}, {"var": "b"}]}, {"b": 5})
        assert [sub for sub, _ in why.deciding] == [{"var": "b"}]
        assert why.summary() == "b is 5"

    def test_a_literal_that_decides_is_not_logic(self) -> None:
        why = explain({"and": [{"var": "a"}, 0]}, {"a": 1})
        assert why.deciding == ()
        assert why.value == 0

    def test_if_lists_conditions_tested_and_branch_taken(self) -> None:
        rule = {"if": [{"var": "a"}, {"var": "x"}, {"var": "b"}, {"var": "y"}, {"var": "z"}]}
        why = explain(rule, {"b": 1, "y": "Y"})
        assert [sub for sub, _ in why.deciding] == [{"var": "a"}, {"var": "b"}, {"var": "y"}]
        why = explain(rule, {"z": "Z"})
        assert [sub for sub, _ in why.deciding] == [{"var": "a"}, {"var": "b"}, {"var": "z"}]

    def test_other_operators_list_all_logic_operands(self) -> None:
        why = explain({"+": [{"var": "a"}, 1, {"var": "b"}]}, {"a": 1, "b": 2})
        assert why.value == 4
        assert [sub for sub, _ in why.deciding] == [{"var": "a"}, {"var": "b"}]
        assert [sub.value for _, sub in why.deciding] == [1, 2]

    def test_element_logic_is_not_explained_and_its_paths_not_read(self) -> None:
        rule = {"some": [{"var": "orders"}, {">": [{"var": "total"}, 100]}]}
        why = explain(rule, {"orders": [{"total": 50}, {"total": 150}]})
        assert why.value is True
        assert [sub for sub, _ in why.deciding] == [{"var": "orders"}]
        assert dict(why.reads) == {"orders": [{"total": 50}, {"total": 150}]}

    def test_reads_are_read_only(self) -> None:
        why = explain({"var": "a"}, {"a": 1})
        with pytest.raises(TypeError):
            why.reads["a"] = 2  # type: ignore[index]

    def test_explanations_are_frozen(self) -> None:
        why = explain({"var": "a"}, {"a": 1})
        with pytest.raises(AttributeError):
            why.value = 2  # type: ignore[misc]

    def test_describe_renders_a_tree(self) -> None:
        why = explain(SPEND_AND_TIER, {"tier_handle": "gold"})
        assert str(why) == why.describe()
        assert why.describe().splitlines() == [
            (
                '{"and": [{">": [{"var": "aggregations.spend_12m"}, 1000]}, '
                '{"===": [{"var": "tier_handle"}, "tier-2"]}]} -> false  (tier_handle is \'gold\')'
            ),
            '  {">": [{"var": "aggregations.spend_12m"}, 1000]} -> false',
            '    {"var": "aggregations.spend_12m"} -> null',
        ]

    @pytest.mark.parametrize(
        ("rule", "data", "summary"),
        [
            pytest.param(
                {"in": ["vip", {"var": "flattened_tags"}]},
                P,
                "flattened_tags is ['vip', 'stylist-client']; needs to contain 'vip'",
                id="COND-14-in-array",
            ),
            pytest.param(
                {"in": [{"var": "tier_handle"}, ["tier-1", "tier-2"]]},
                P,
                "tier_handle is 'gold'; needs to be in ['tier-1', 'tier-2']",
                id="COND-14-in-list",
            ),
            pytest.param(
                {"<": ["2023-01-01 00:00:00", {"var": "joined_at"}, "2023-01-02 00:00:00"]},
                P,
                "joined_at is '2023-01-15 00:00:00'; "
                "needs '2023-01-01 00:00:00' < joined_at < '2023-01-02 00:00:00'",
                id="COND-14-between",
            ),
            pytest.param(
                {"!": {"in": ["vip", {"var": "flattened_tags"}]}},
                P,
                "not (flattened_tags is ['vip', 'stylist-client']; needs to contain 'vip')",
                id="COND-14-not",
            ),
            pytest.param({"==": [1, 2]}, None, "needs 1 == 2, is false", id="COND-14-literals"),
            pytest.param(
                {"missing": ["a"]},
                {},
                'a is null; {"missing": ["a"]} is [\'a\']',
                id="COND-14-missing",
            ),
        ],
    )
    def test_summary(self, rule: object, data: object, summary: str) -> None:
        assert explain(rule, data).summary() == summary

    def test_explain_raises_like_apply(self) -> None:
        with pytest.raises(ConditionError, match=r"\$.and\[0\]: unknown operator 'x'"):
            explain({"and": [{"x": 1}]}, {})

    def test_compiled_rule_explains_too(self) -> None:
        compiled = compile(SPEND_AND_TIER)
        assert compiled.explain({}) == explain(SPEND_AND_TIER, {})


class TestUnknownVariables:
    """COND-13: literal paths the rule reads that the known paths do not cover."""

    KNOWN = frozenset({"tier_handle", "aggregations", "attributes.comms", "flattened_tags"})

    @pytest.mark.parametrize(
        ("rule", "expected"),
        [
            pytest.param({"var": "tier_handle"}, (), id="COND-13-known"),
            pytest.param({"var": "aggregations.spend_12m"}, (), id="COND-13-extends-by-segment"),
            pytest.param({"var": "aggregationsx"}, ("aggregationsx",), id="COND-13-not-a-segment"),
            pytest.param({"var": "attributes"}, ("attributes",), id="COND-13-prefix-not-covered"),
            pytest.param(
                {"and": [{"var": "b"}, {"var": "a"}, {"var": "b"}, {"var": "tier_handle"}]},
                ("b", "a"),
                id="COND-13-first-appearance-no-duplicates",
            ),
            pytest.param({"var": ""}, (), id="COND-13-whole-data-not-reported"),
            pytest.param({"var": 3}, ("3",), id="COND-13-number-path"),
            pytest.param(
                {"var": {"cat": ["x", {"var": "y"}]}},
                ("y",),
                id="COND-13-computed-path-not-reported",
            ),
            pytest.param(
                {"var": ["x", {"var": "d"}]}, ("x", "d"), id="COND-13-default-logic-reported"
            ),
            pytest.param({"missing": ["m1", "m2"]}, ("m1", "m2"), id="COND-13-missing-keys"),
            pytest.param({"missing": [["m1"], "m2"]}, ("m1",), id="COND-13-missing-key-list"),
            pytest.param(
                {"missing_some": [1, ["s1", "tier_handle"]]}, ("s1",), id="COND-13-missing-some"
            ),
            pytest.param(
                {"map": [{"var": "orders"}, {"var": "total"}]},
                ("orders",),
                id="COND-13-element-logic-not-reported",
            ),
            pytest.param(
                {"reduce": [{"var": "xs"}, {"var": "current"}, {"var": "init"}]},
                ("xs", "init"),
                id="COND-13-reduce-initial-reported",
            ),
            pytest.param(
                {"if": [{"var": "c"}, "a", {"var": "e"}]}, ("c", "e"), id="COND-13-every-branch"
            ),
        ],
    )
    def test_unknown(self, rule: object, expected: tuple[str, ...]) -> None:
        assert unknown_variables(rule, self.KNOWN) == expected

    def test_any_iterable_of_paths(self) -> None:
        assert unknown_variables({"var": "a.b"}, ["a"]) == ()
        assert unknown_variables({"var": "a.b"}, iter(["a.b"])) == ()


def _counting_table(counts: dict[str, int]) -> Operations:
    """Wrap every function operator of the default table in a counter."""
    table = DEFAULT_OPERATIONS
    for name in DEFAULT_OPERATIONS.names():
        operation = DEFAULT_OPERATIONS.get(name)
        if operation is None:  # a control operator: it cannot be replaced
            continue

        def counted(
            *args: object, _fn: Callable[..., object] = operation.fn, _name: str = name
        ) -> object:
            counts[_name] = counts.get(_name, 0) + 1
            return _fn(*args)

        table = table.with_operation(
            name,
            counted,
            min_args=operation.min_args,
            max_args=operation.max_args,
            uses_data=operation.uses_data,
        )
    return table


class TestCost:
    """Hostile rules: evaluation is O(rule size x data size) operator applications."""

    @pytest.mark.parametrize(
        "rule",
        [
            pytest.param({"map": [{"var": "xs"}, {"*": [{"var": ""}, 2]}]}, id="map"),
            pytest.param({"filter": [{"var": "xs"}, {">=": [{"var": ""}, 0]}]}, id="filter"),
            pytest.param(
                {"reduce": [{"var": "xs"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]},
                id="reduce",
            ),
            pytest.param({"all": [{"var": "xs"}, {"<": [-1, {"var": ""}]}]}, id="all"),
            pytest.param({"none": [{"var": "xs"}, {"<": [{"var": ""}, -1]}]}, id="none"),
            pytest.param(
                {"map": [{"var": "xs"}, {"some": [{"var": "ys"}, {"==": [{"var": ""}, -1]}]}]},
                id="nested",
            ),
        ],
    )
    def test_operator_calls_grow_linearly(self, rule: object) -> None:
        counts: dict[str, int] = {}
        compiled = compile(rule, operations=_counting_table(counts))

        def calls(size: int) -> int:
            counts.clear()
            compiled(
                {"xs": [{"ys": list(range(5))} if "ys" in str(rule) else i for i in range(size)]}
            )
            return sum(counts.values())

        base, one, two, four = calls(0), calls(500), calls(1000), calls(2000)
        assert one > base
        assert two - base == 2 * (one - base)
        assert four - base == 4 * (one - base)

    def test_counting_sees_each_operator(self) -> None:
        counts: dict[str, int] = {}
        table = _counting_table(counts)
        compile({"map": [{"var": "xs"}, {"*": [{"var": ""}, 2]}]}, operations=table)(
            {"xs": [1, 2, 3]}
        )
        assert counts == {"var": 4, "*": 3}

    def test_counted_rules_agree_with_fast_rules(self) -> None:
        table = _counting_table({})
        for rule, data, expected in (case.values for case in SUITE_CASES):
            assert same_json(compile(rule, operations=table)(data), expected)


class TestCustomOperations:
    """A separate, immutable operator table (no global registry)."""

    def test_add_an_operation(self) -> None:
        table = DEFAULT_OPERATIONS.with_operation(
            "plus_one", lambda x: x + 1, min_args=1, max_args=1
        )
        assert compile({"plus_one": {"var": "n"}}, operations=table)({"n": 1}) == 2
        assert "plus_one" in table
        assert "plus_one" not in DEFAULT_OPERATIONS
        with pytest.raises(ConditionError, match="unknown operator 'plus_one'"):
            compile({"plus_one": 1})

    def test_custom_arity_is_checked(self) -> None:
        table = DEFAULT_OPERATIONS.with_operation(
            "pair", lambda a, b: [a, b], min_args=2, max_args=2
        )
        with pytest.raises(ConditionError, match="operator 'pair' takes 2 arguments, got 1"):
            compile({"pair": [1]}, operations=table)

    def test_an_operation_may_read_the_data(self) -> None:
        table = DEFAULT_OPERATIONS.with_operation("keys", sorted, max_args=0, uses_data=True)
        assert apply({"keys": []}, {"b": 1, "a": 2}, operations=table) == ["a", "b"]

    def test_replace_a_builtin(self) -> None:
        table = DEFAULT_OPERATIONS.with_operation("cat", lambda *a: "|".join(map(str, a)))
        assert apply({"cat": ["a", 1]}, operations=table) == "a|1"
        assert apply({"cat": ["a", 1]}) == "a1"

    def test_remove_an_operation(self) -> None:
        table = DEFAULT_OPERATIONS.without_operation("log")
        with pytest.raises(ConditionError, match="unknown operator 'log'"):
            compile({"log": 1}, operations=table)

    @pytest.mark.parametrize("name", ["and", "if", "map", "reduce"])
    def test_control_operators_cannot_change(self, name: str) -> None:
        with pytest.raises(InvalidRequest, match="cannot change"):
            DEFAULT_OPERATIONS.with_operation(name, print)
        with pytest.raises(InvalidRequest, match="cannot change"):
            DEFAULT_OPERATIONS.without_operation(name)

    def test_bad_arguments(self) -> None:
        with pytest.raises(InvalidRequest) as raised:
            DEFAULT_OPERATIONS.with_operation("", 5, min_args=-1)  # type: ignore[arg-type]
        assert [p.where for p in raised.value.problems] == ["name", "fn", "min_args"]

    def test_explain_and_unknown_variables_take_the_table(self) -> None:
        table = DEFAULT_OPERATIONS.with_operation("twice", lambda x: [x, x], min_args=1, max_args=1)
        why = explain({"twice": {"var": "a"}}, {"a": 1}, operations=table)
        assert why.value == [1, 1]
        assert unknown_variables({"twice": {"var": "a"}}, set(), operations=table) == ("a",)


class TestCompiledRule:
    """compile() returns a reusable callable holding its source rule."""

    def test_call_and_source(self) -> None:
        rule = {"var": "a"}
        compiled = compile(rule)
        assert isinstance(compiled, CompiledRule)
        assert compiled.rule is rule
        assert compiled({"a": 3}) == 3
        assert compiled() is None

    def test_variables(self) -> None:
        compiled = compile({"and": [{"var": "a.b"}, {"missing": ["c"]}]})
        assert compiled.variables() == ("a.b", "c")


GENERIC = generic_operations()

# Values a fast path must take or hand on: ints and floats (safe and not), booleans, null,
# numeric and other strings (ASCII or not), Decimals, arrays, objects.
FAST_PATH_VALUES: tuple[object, ...] = (
    0,
    1,
    -1,
    1000,
    1985,
    1000.5,
    -0.0,
    2**53 + 1,
    10**400,
    NAN,
    INF,
    True,
    False,
    None,
    "",
    " ",
    "0",
    "1",
    "1985",
    " 1985.0 ",
    "0x7C1",
    "1e3",
    "abc",
    "Infinity",
    "tier-2",
    "é",
    "\ud83d\ude00",
    "\U0001f600",
    "2023-01-15 00:00:00",
    Decimal(1985),
    Decimal("NaN"),
    [],
    [1985],
    ["1985"],
    ("vip", "x"),
    {},
    {"a": 1},
    MappingProxyType({"b": 2}),
)
FAST_PATH_LITERALS: tuple[object, ...] = (
    0,
    1,
    1000,
    1985,
    -5,
    1000.5,
    "",
    "0",
    "1985",
    "1e3",
    "abc",
    "é",
    "2023-01-01 00:00:00",
    None,
    True,
    False,
)


def _agrees(rule: object, data: object) -> None:
    """Assert that the fast path gives the very value the generic operators give."""
    fast, generic = compile(rule)(data), compile(rule, operations=GENERIC)(data)
    same = type(fast) is type(generic) and repr(fast) == repr(generic)
    assert same, f"{rule!r} on {data!r}: {fast!r} != {generic!r}"


class TestFastPaths:
    """Every compile-time fast path gives what the unspecialised operators give."""

    @pytest.mark.parametrize("op", ["==", "!=", "===", "!==", "<", "<=", ">", ">="])
    def test_comparison_with_a_literal(self, op: str) -> None:
        # A one-key var (fused), a two-key var (fused), a three-key var and any other operand;
        # the literal on either side; the key present with each value, or absent.
        operands: list[tuple[object, Callable[[object], object]]] = [
            ({"var": "v"}, lambda v: {"v": v}),
            ({"var": "a.v"}, lambda v: {"a": {"v": v}}),
            ({"var": "a.b.v"}, lambda v: {"a": {"b": {"v": v}}}),
            ({"if": [True, {"var": "v"}, 0]}, lambda v: {"v": v}),
            ({"var": "v"}, lambda v: MappingProxyType({"v": v})),
        ]
        for literal in FAST_PATH_LITERALS:
            for operand, wrap in operands:
                for rule in ({op: [operand, literal]}, {op: [literal, operand]}):
                    for value in FAST_PATH_VALUES:
                        _agrees(rule, wrap(value))
                    _agrees(rule, {})
                    _agrees(rule, None)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (1985, True),  # an int: compared with Number("1985"), worked out once
            (1985.0, True),
            (1984, False),
            ("1985", True),  # a string: compared as a string
            (" 1985 ", False),
            (True, False),  # a boolean: as 0 or 1
            (None, False),  # null equals only null
            (Decimal(1985), True),  # anything else: the full semantics
            ([1985], True),
            (2**53 + 1, False),
        ],
    )
    def test_loose_equality_with_a_string(self, value: object, expected: bool) -> None:
        assert compile({"==": [{"var": "y"}, "1985"]})({"y": value}) is expected
        assert compile({"!=": [{"var": "y"}, "1985"]})({"y": value}) is not expected
        assert compile({"==": [{"var": "y"}, "1"]})({"y": True}) is True
        assert compile({"==": [{"var": "y"}, ""]})({"y": 0}) is True
        # Beyond 2**53 both sides round to the same double, as in JavaScript.
        assert compile({"==": [{"var": "y"}, "9007199254740993"]})({"y": 2**53 + 1}) is True

    @pytest.mark.parametrize(
        ("value", "greater", "equal", "strict"),
        [
            (1250.5, True, False, False),
            (1000, False, True, True),
            (None, False, False, False),  # null is 0 in an ordering, equal to no number
            (True, False, False, False),  # true is 1
            ("1000", False, True, False),  # a string is Number(string)
            ("2e3", True, False, False),
            ("abc", False, False, False),  # NaN
            (Decimal(1000), False, True, True),  # the full semantics
            ([2000], True, False, False),
        ],
    )
    def test_number_literal(self, value: object, greater: bool, equal: bool, strict: bool) -> None:
        for rule in ({"var": "a.s"}, {"var": "s"}):
            data = {"a": {"s": value}} if rule["var"] == "a.s" else {"s": value}
            assert compile({">": [rule, 1000]})(data) is greater
            assert compile({"<": [1000, rule]})(data) is greater
            assert compile({"==": [rule, 1000]})(data) is equal
            assert compile({"===": [rule, 1000]})(data) is strict
            assert compile({"!==": [rule, 1000]})(data) is not strict
        assert compile({">": [{"var": "a.s"}, 1000]})({"a": {}}) is False
        assert compile({"<": [{"var": "a.s"}, 1000]})({}) is True  # null < 1000

    @pytest.mark.parametrize("op", ["<", "<="])
    def test_between(self, op: str) -> None:
        for low, high in ((0, 2000), ("2020-01-01", "2030-01-01"), (1985, 1985)):
            for operand in ({"var": "v"}, {"var": "a.v"}, {"if": [True, {"var": "v"}, 0]}):
                rule = {op: [low, operand, high]}
                for value in (*FAST_PATH_VALUES, "2023-01-15"):
                    _agrees(rule, {"v": value, "a": {"v": value}})
                _agrees(rule, MappingProxyType({"v": 5}))
                _agrees(rule, None)

    def test_var_paths(self) -> None:
        paths = ["v", "0", "length", "a.v", "a.0", "a.1", "a.01", "a.length", "a.b.v"]
        paths += ["a.b.0", "a.b.length", "a.b.c.v", "a.b.c.1", "a.1.b", "a.x.length"]
        shapes: list[Callable[[object], object]] = [
            lambda v: v,
            lambda v: {"v": v, "0": v, "length": v},
            lambda v: {"a": v},
            lambda v: {"a": [v, v]},
            lambda v: {"a": (v, {"b": v})},
            lambda v: {"a": {"b": v, "0": v, "1": v, "01": v, "length": v}},
            lambda v: {"a": {"b": [v, v]}},
            lambda v: {"a": {"b": {"c": v, "v": v}, "v": v}},
            lambda v: {"a": {"b": {"c": [v, v]}}},
            lambda v: MappingProxyType({"a": MappingProxyType({"b": v, "1": v})}),
            lambda v: {"a": {"b": MappingProxyType({"c": v})}},
            lambda v: [v, {"b": v}],
        ]
        texts = ["", "xy", "é€", "\ud83d\ude00x", "\U0001f600x"]  # the last: UTF-16 != Python
        for path in paths:
            for rule in ({"var": path}, {"var": [path, 7]}, {"!": {"var": path}}):
                for shape in shapes:
                    for value in (*FAST_PATH_VALUES, *texts):
                        _agrees(rule, shape(value))
                    _agrees(rule, shape(None))
                _agrees(rule, None)
                _agrees(rule, {"a": None})
                for text in texts:
                    _agrees(rule, {"a": text})
                    _agrees(rule, text)

    def test_var_index_and_length(self) -> None:
        data = {"tags": ["vip", None], "handle": "gold", "wide": "€x", "n": {"1": "one"}}
        data["emoji"] = "\U0001f600x"  # one code point, two UTF-16 code units

        def read(path: str) -> object:
            return compile({"var": [path, "d"]})(data)

        assert read("tags.0") == "vip"
        assert read("tags.1") is None  # a null found by the last step is returned
        assert read("tags.2") == "d"
        assert read("tags.01") == "d"
        assert read("tags.length") == 2
        assert read("handle.0") == "g"
        assert read("handle.4") == "d"
        assert read("handle.length") == 4
        assert read("wide.length") == 2
        assert read("wide.0") == "€"
        assert read("emoji.1") == "\ude00"
        assert read("emoji.2") == "x"
        assert read("emoji.length") == 3
        assert read("n.1") == "one"  # an object key, not an index
        assert read("n.length") == "d"
        assert read("tags.0.length") == 3
        assert read("tags.1.length") == "d"

    @pytest.mark.parametrize(
        "value", [True, False, None, 0, -0.0, 1, NAN, "", "0", [], [0], {}, Decimal(0)]
    )
    def test_not_and_double_not(self, value: object) -> None:
        for operand in ({"var": "v"}, {"var": "a.b.c"}, {"if": [True, {"var": "v"}, 0]}):
            data = {"v": value, "a": {"b": {"c": value}}}
            assert compile({"!": operand})(data) is not truthy(value)
            assert compile({"!!": operand})(data) is truthy(value)

    @pytest.mark.parametrize(
        ("rule", "expected"),
        [
            ({"and": [1, [], 2]}, []),
            ({"or": [0, "", "x"]}, "x"),
            ({"and": [1, "a", 2]}, 2),
            ({"or": [0, "", []]}, []),
            ({"and": [1, {"var": "t"}]}, "yes"),
            ({"and": [{"var": "t"}, 0, {"var": "f"}]}, 0),
            ({"and": [{"var": "f"}, 1, {"var": "t"}]}, ""),
            ({"or": [{"var": "f"}, [[]], {"var": "t"}]}, [[]]),
            ({"or": [[], 0, {"var": "f"}]}, ""),
            ({"and": [[{"var": "t"}], {"var": "t"}]}, "yes"),
        ],
    )
    def test_and_or_with_known_operands(self, rule: object, expected: object) -> None:
        data = {"t": "yes", "f": ""}
        assert same_json(compile(rule)(data), expected)
        _agrees(rule, data)

    def test_folded_and_or_keep_identity_and_effects(self) -> None:
        folded = compile({"and": [1, [], 2]})
        assert folded() == []
        assert folded() is not folded()  # a literal array is new on every evaluation
        thing = {"k": 1, "j": 2}
        assert compile({"or": [0, thing]})() is thing  # an object literal is itself
        calls: list[object] = []

        def note() -> int:
            calls.append(1)
            return 0

        table = DEFAULT_OPERATIONS.with_operation("note", note)
        assert compile({"and": [0, {"note": []}]}, operations=table)() == 0
        assert calls == []  # never reached, as in json-logic-js
        assert compile({"and": [{"note": []}, 0, {"note": []}]}, operations=table)() == 0
        assert calls == [1]  # an operand before a known one still runs
        why = explain({"and": [1, [], 2]})
        assert (why.value, why.deciding) == ([], ())

    @pytest.mark.parametrize("count", [2, 3, 4, 5, 8, 13, 14, 40])
    def test_boolean_and_or_of_any_length(self, count: int) -> None:
        rules = [{"==": [{"var": f"k{i}"}, 1]} for i in range(count)]
        for bits in (0, 1, 2 ** (count - 1), 2**count - 1, 2**count - 2, 0b1010101 % 2**count):
            data = {f"k{i}": (bits >> i) & 1 for i in range(count)}
            assert compile({"and": rules})(data) is (bits == 2**count - 1)
            assert compile({"or": rules})(data) is (bits != 0)

    @pytest.mark.parametrize(
        "rule",
        [{"var": "a"}, {"var": ""}, 5, [1, {"var": "a"}], {"and": [1, []]}, {"+": [1, 2]}],
    )
    def test_calling_a_compiled_rule(self, rule: object) -> None:
        compiled = compile(rule)
        assert same_json(compiled(), compiled(None))
        assert same_json(compiled(data={"a": 2}), compiled({"a": 2}))
        with pytest.raises(TypeError):
            compiled({}, {})  # type: ignore[call-arg]

    def test_an_entry_point_for_any_callable(self) -> None:
        from loyalty_core import _jsonlogic_compile as ops

        wrapped = ops.entry_point(repr)  # not a Python function of ``data``: wrapped
        assert wrapped([1, 2]) == "[1, 2]"
        assert wrapped(data="abc") == "'abc'"
        assert wrapped() == "None"
        copied = ops.entry_point(ops.constant(7))
        assert copied() == 7
        assert copied(data=None) == 7

    def test_shared_readers_keep_their_defaults(self) -> None:
        assert compile({"var": "a"})({}) is None
        assert compile({"var": ["a", 7]})({}) == 7
        assert compile({"var": ["a", None]})({}) is None
        assert compile({"var": "a"})({"a": 3}) == 3
