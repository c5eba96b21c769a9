"""Laws of loyalty_core.jsonlogic (RULES COND-7 to COND-14) over random rules and data."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty_core.errors import ConditionError
from loyalty_core.jsonlogic import (
    MAX_DEPTH,
    apply,
    compile,  # noqa: A004 - the module's name for it
    explain,
    truthy,
    unknown_variables,
)
from tests.jsonlogic_helpers import generic_operations, same_json

# The arity column of the RULES COND table, with a small cap where it says "any".
ARITY: Mapping[str, tuple[int, int]] = {
    "var": (0, 2),
    "missing": (0, 3),
    "missing_some": (2, 2),
    "if": (0, 5),
    "?:": (0, 5),
    "==": (2, 2),
    "!=": (2, 2),
    "===": (2, 2),
    "!==": (2, 2),
    "!": (1, 1),
    "!!": (1, 1),
    "and": (1, 4),
    "or": (1, 4),
    ">": (2, 2),
    ">=": (2, 2),
    "<": (2, 3),
    "<=": (2, 3),
    "max": (1, 4),
    "min": (1, 4),
    "+": (0, 4),
    "*": (1, 4),
    "-": (1, 2),
    "/": (2, 2),
    "%": (2, 2),
    "map": (2, 2),
    "filter": (2, 2),
    "reduce": (2, 3),
    "all": (2, 2),
    "some": (2, 2),
    "none": (2, 2),
    "merge": (0, 4),
    "in": (2, 2),
    "cat": (0, 4),
    "substr": (2, 3),
    "log": (1, 1),
}
UNBOUNDED = {"missing", "and", "or", "max", "min", "+", "*", "merge", "cat"}

KEYS = ["a", "b", "c", "0", "1", "length", "current", "accumulator", ""]
PATHS = ["a", "b", "a.b", "a.0", "0", "1", "length", "a.length", "b.1", "", "current", "x.y.z"]
TRICKY_TEXT = ["", "0", " 12 ", "abc", "1e3", "0x10", "Infinity", "-0", "\ud83d", "\U0001f600"]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4)
    | st.sampled_from(TRICKY_TEXT)
)
# Data may hold what JSON cannot (NaN, Infinity, Decimal) and any Mapping or tuple.
data_scalars = json_scalars | st.floats() | st.decimals(places=2, allow_nan=True)
data = st.recursive(
    data_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=2), children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS), children, max_size=3).map(MappingProxyType)
    ),
    max_leaves=12,
)

leaves: st.SearchStrategy[Any] = (
    json_scalars
    | st.sampled_from(PATHS).map(lambda path: {"var": path})
    | st.tuples(st.sampled_from(PATHS), json_scalars).map(lambda p: {"var": list(p)})
    | st.just({})
    | st.dictionaries(st.sampled_from(KEYS), json_scalars, min_size=2, max_size=2)
)


def operators(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Draw an operator object whose argument count is within the COND table."""

    def build(name: str) -> st.SearchStrategy[Any]:
        low, high = ARITY[name]
        listed = st.lists(children, min_size=low, max_size=high).map(lambda args: {name: args})
        if low <= 1 <= high:  # COND-8: a single operand need not be in an array
            return listed | children.filter(lambda c: not isinstance(c, list)).map(
                lambda arg: {name: arg}
            )
        return listed

    return st.sampled_from(sorted(ARITY)).flatmap(build)


rules = st.recursive(
    leaves,
    lambda children: operators(children) | st.lists(children, max_size=3),
    max_leaves=14,
)


PLAIN = generic_operations()


@given(rule=rules, data=data)
def test_evaluation_never_raises_and_apply_is_compile(rule: object, data: object) -> None:
    """COND-9, Q38: a compiled rule evaluates on any data, and apply(r, d) is compile(r)(d)."""
    value = compile(rule)(data)
    assert same_json(apply(rule, data), value)


@given(rule=rules, data=data)
def test_fast_paths_agree_with_the_generic_operators(rule: object, data: object) -> None:
    """The compile-time specialisations give exactly what the plain operators give."""
    assert same_json(compile(rule)(data), compile(rule, operations=PLAIN)(data))


@given(rule=rules, data=data)
def test_explain_agrees_with_apply(rule: object, data: object) -> None:
    """COND-14: the explanation's value is apply's, holds is its truthiness, reads are var's."""
    why = explain(rule, data)
    value = apply(rule, data)
    assert same_json(why.value, value)
    assert why.holds is truthy(value)
    for path, observed in why.reads.items():
        assert same_json(observed, apply({"var": path}, data))
    for sub_rule, sub in why.deciding:
        assert same_json(sub.value, apply(sub_rule, data))


@given(rule=rules)
def test_known_variables_are_not_unknown(rule: object) -> None:
    """COND-13: paths reported unknown disappear once known, or once a prefix is known."""
    paths = unknown_variables(rule, set())
    assert len(set(paths)) == len(paths)
    assert unknown_variables(rule, set(paths)) == ()
    assert unknown_variables(rule, {path.split(".")[0] for path in paths}) == ()


# -- malformed rules ------------------------------------------------------------------------

not_json = st.sampled_from([{1, 2}, b"x", math.nan, math.inf, object(), Decimal("NaN"), 1j])
unknown_names = st.text(min_size=1, max_size=6).filter(lambda name: name not in ARITY)


def _bad_counts(name: str) -> list[int]:
    low, high = ARITY[name]
    bounded = name not in UNBOUNDED and name not in {"if", "?:"}
    return list(range(low)) + ([high + 1, high + 2] if bounded else [])


BAD_COUNTS = {name: _bad_counts(name) for name in ARITY if _bad_counts(name)}


@st.composite
def bad_arity(draw: st.DrawFn) -> object:
    """An operator object with too few or too many arguments (COND-8)."""
    name = draw(st.sampled_from(sorted(BAD_COUNTS)))
    count = draw(st.sampled_from(BAD_COUNTS[name]))
    return {name: [draw(rules) for _ in range(count)]}


def too_deep(rule: object, wraps: list[bool]) -> object:
    """Nest a rule in more than MAX_DEPTH operators or arrays."""
    for as_array in wraps:
        # An operator's own argument array is no level (COND-8): {"!!": [[r]]} is two levels.
        rule = [rule] if as_array else {"!!": [rule]}
    return rule


@st.composite
def malformed(draw: st.DrawFn) -> object:
    """A well-formed rule with one malformed node placed somewhere inside."""
    kind = draw(st.sampled_from(["unknown", "arity", "depth", "not-json"]))
    if kind == "unknown":
        bad: object = {draw(unknown_names): draw(rules)}
    elif kind == "arity":
        bad = draw(bad_arity())
    elif kind == "depth":
        wraps = draw(st.lists(st.booleans(), min_size=MAX_DEPTH + 1, max_size=MAX_DEPTH + 5))
        bad = too_deep(draw(rules), wraps)
    else:
        bad = {"==": [draw(not_json), draw(rules)]}
    where = draw(st.sampled_from(["top", "and", "untaken-if", "array", "element-logic"]))
    if where == "and":
        return {"and": [draw(rules), bad]}
    if where == "untaken-if":
        return {"if": [False, bad, draw(rules)]}
    if where == "array":
        return [draw(rules), bad]
    if where == "element-logic":
        return {"map": [[], bad]}
    return bad


@given(rule=malformed())
def test_malformed_rules_raise_condition_error_at_compile(rule: object) -> None:
    """COND-7: unknown operators, bad arity, nesting past 64 and non-JSON values never compile."""
    with pytest.raises(ConditionError) as raised:
        compile(rule)
    assert raised.value.problems
    assert all(problem.where.startswith("$") for problem in raised.value.problems)


anything = st.recursive(
    json_scalars | not_json,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(sorted(ARITY)) | st.text(max_size=3), children, max_size=2
        )
        | st.dictionaries(st.integers(), children, min_size=1, max_size=2)
    ),
    max_leaves=10,
)


@given(rule=anything, data=data)
def test_any_value_compiles_or_raises_condition_error(rule: object, data: object) -> None:
    """compile() raises nothing but ConditionError, and what compiles evaluates."""
    try:
        compiled = compile(rule)
    except ConditionError:
        return
    compiled(data)


# -- JavaScript conversions ----------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)


@given(number=finite)
def test_number_to_string_round_trips(number: float) -> None:
    """String(n) is the shortest round-trip form (cat), and parseFloat reads it back."""
    text = apply({"cat": [number]})
    assert isinstance(text, str)
    assert float(text) == number
    assert same_json(apply({"+": [text]}), number + 0.0)
    if number.is_integer() and abs(number) < 1e21:
        assert text.lstrip("-").isdigit()
    else:
        assert "." in text or "e" in text


values = json_scalars | st.lists(json_scalars, max_size=2)


@given(left=values, right=values)
def test_equality_laws(left: object, right: object) -> None:
    """COND-11: == and === are symmetric, === implies ==, != and !== are their negations."""
    pair = {"l": left, "r": right}
    loose = apply({"==": [{"var": "l"}, {"var": "r"}]}, pair)
    strict = apply({"===": [{"var": "l"}, {"var": "r"}]}, pair)
    assert loose is apply({"==": [{"var": "r"}, {"var": "l"}]}, pair)
    assert strict is apply({"===": [{"var": "r"}, {"var": "l"}]}, pair)
    assert not strict or loose
    assert apply({"!=": [{"var": "l"}, {"var": "r"}]}, pair) is not loose
    assert apply({"!==": [{"var": "l"}, {"var": "r"}]}, pair) is not strict


@given(
    pair=st.tuples(st.text(max_size=4), st.text(max_size=4)) | st.tuples(finite, finite),
    literal=st.booleans(),
)
def test_order_is_total_on_strings_and_finite_numbers(
    pair: tuple[object, object], literal: bool
) -> None:
    """COND-12: without NaN, exactly one of a < b, a == b, a > b holds, and >= is not <."""
    left, right = pair
    data = {"l": left, "r": right}
    b: object = right if literal else {"var": "r"}
    less = apply({"<": [{"var": "l"}, b]}, data)
    greater = apply({">": [{"var": "l"}, b]}, data)
    equal = apply({"===": [{"var": "l"}, b]}, data)
    assert [less, equal, greater].count(True) == 1
    assert apply({">=": [{"var": "l"}, b]}, data) is not less
    assert apply({"<=": [{"var": "l"}, b]}, data) is not greater
    if isinstance(left, str) and isinstance(right, str):
        utf16 = left.encode("utf-16-be", "surrogatepass") < right.encode(
            "utf-16-be", "surrogatepass"
        )
        assert less is utf16


@given(value=data)
def test_not_and_double_not_are_truthiness(value: object) -> None:
    """COND-10: ! and !! agree with truthy(), and and/or return an operand itself."""
    wrapped = {"v": value}
    assert apply({"!!": {"var": "v"}}, wrapped) is truthy(value)
    assert apply({"!": {"var": "v"}}, wrapped) is not truthy(value)
    assert apply({"and": [True, {"var": "v"}]}, wrapped) is value
    assert apply({"or": [False, {"var": "v"}]}, wrapped) is value
