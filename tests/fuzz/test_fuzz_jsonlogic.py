"""Fuzz targets of JSON Logic: hostile rules and hostile data, in linear time.

The contract (RULES COND-7 to COND-14): ``jsonlogic.compile`` of any value either raises
``ConditionError`` (each problem at a JSON path under ``$``, the message short) or returns a
compiled rule; evaluating a compiled rule never raises for JSON data, however hostile: huge
ints, NaN and infinities, 50,000-character strings, 10,000-level nesting; ``explain`` and its
``summary()`` (the text of a ``condition_not_met`` reason, kept short) and ``describe()`` never
raise either; ``unknown_variables`` returns paths or raises ``ConditionError``. Work is linear
in the size of the input: each operator on 50,000-character operands completes (a super-linear
operator would make the explicit examples below hang visibly).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty_core import ConditionError, jsonlogic
from loyalty_core.jsonlogic import DEFAULT_OPERATIONS
from loyalty_core.testing import strategies as lst
from tests.fuzz import hostile
from tests.fuzz.hostile import MAX_MESSAGE, Hostile
from tests.fuzz.values import PROFILE_LEAVES, Labeled

pytestmark = pytest.mark.fuzz

_SLOW_DATA = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

OPERATORS: Final = (
    *sorted(DEFAULT_OPERATIONS.names()),
    "if",
    "?:",
    "and",
    "or",
    "map",
    "filter",
    "reduce",
    "all",
    "some",
    "none",
    "unknown_op",
    "",
    "toString",
)
"""Every COND operator, and names that are none."""

PATHS: Final = (
    "x",
    "a.b.c",
    "tags",
    "tags.0",
    "x.length",
    "",
    "0",
    "a..b",
    "__proto__",
    "a." * 2_000 + "b",
)


def _var_nodes() -> st.SearchStrategy[Any]:
    path = st.sampled_from(PATHS)
    return st.one_of(
        path.map(lambda p: {"var": p}),
        st.tuples(path, hostile.json_leaves()).map(lambda pair: {"var": [pair[0], pair[1]]}),
        st.lists(path, max_size=3).map(lambda ps: {"missing": ps}),
    )


def rules() -> st.SearchStrategy[Any]:
    """Rules of any shape: every operator, any number of operands, literals and ``var``s."""
    leaves = st.one_of(hostile.json_leaves(), _var_nodes())

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        operands = st.one_of(st.lists(children, max_size=4), children)
        return st.one_of(
            st.builds(lambda op, args: {op: args}, st.sampled_from(OPERATORS), operands),
            st.lists(children, max_size=3),
        )

    return st.recursive(leaves, extend, max_leaves=10)


@st.composite
def data(draw: st.DrawFn) -> Labeled[Any]:
    """Data for rules to read: ``x``, ``tags`` and ``a.b.c`` plain, random or hostile."""
    choices = st.one_of(
        st.sampled_from(PROFILE_LEAVES),
        hostile.json_documents(max_leaves=4).map(lambda v: Hostile(hostile.short(v), v)),
    )
    document: dict[str, Any] = {}
    labels = []
    for key in draw(st.lists(st.sampled_from(("x", "tags", "a")), unique=True)):
        leaf = draw(choices)
        document[key] = {"b": {"c": leaf.value}} if key == "a" else leaf.value
        labels.append(f"{key!r}: {leaf.label}")
    if draw(st.integers(0, 9)) == 0:
        whole = draw(st.sampled_from(hostile.HOSTILE))
        return Labeled(whole.label, whole.value)
    return Labeled("{" + ", ".join(labels) + "}", document)


def check_condition_error(exc: ConditionError) -> None:
    """Each problem at a JSON path under ``$``; a short message."""
    assert exc.problems
    for problem in exc.problems:
        assert problem.where.startswith("$"), problem.where[:200]
    text = str(exc)
    assert len(text) < MAX_MESSAGE, f"message of {len(text)} characters: {text[:300]}..."


def compile_or_none(rule: Any) -> jsonlogic.CompiledRule | None:
    """Compile ``rule``; ``None`` after checking its ``ConditionError``."""
    try:
        return jsonlogic.compile(rule)
    except ConditionError as exc:
        check_condition_error(exc)
        return None


def evaluate_everything(rule: Any, value: Any, *, also_apply: bool = False) -> None:
    """Compile, evaluate, explain, summarise, describe and list the unknown variables.

    With ``also_apply``, also ``jsonlogic.apply`` (which compiles and evaluates again).
    """
    compiled = compile_or_none(rule)
    try:
        unknown = jsonlogic.unknown_variables(rule, {"x", "tags"})
    except ConditionError as exc:
        check_condition_error(exc)
        assert compiled is None, "unknown_variables rejects a rule that compiles"
    else:
        assert isinstance(unknown, tuple)
    if compiled is None:
        return
    compiled(value)
    if also_apply:
        jsonlogic.apply(rule, value)
    why = jsonlogic.explain(rule, value)
    summary = why.summary()
    assert len(summary) < MAX_MESSAGE, f"summary of {len(summary)} characters: {summary[:300]}"
    why.describe()


@_SLOW_DATA
@given(
    rule=st.one_of(rules(), lst.conditions(), hostile.json_documents(), hostile.hostile_values()),
    value=data(),
)
def test_any_rule_compiles_or_raises_a_condition_error_and_never_fails_on_json_data(
    rule: Any, value: Labeled[Any]
) -> None:
    """The one JSON Logic fuzz target: any rule, any data, every entry point.

    Rules are arbitrary shapes, well-formed conditions of the toolkit, random JSON and hostile
    values; each goes through compile, evaluation, ``apply``, ``explain`` (its summary and
    tree) and ``unknown_variables``.
    """
    evaluate_everything(hostile.unwrap(rule), value.value, also_apply=True)


# --- explicit hostile examples ---------------------------------------------------------------

_LONG_DIGITS: Final = "1" * 50_000 + "x"
_LONG_NUMBER: Final = "9" * 50_000
_LONG_SPACES: Final = " " * 50_000 + "1"
_LONG_TEXT: Final = "x" * 50_000
_LONG_HEX: Final = "0x" + "f" * 50_000
_LONG_EXPONENT: Final = "1e" + "9" * 50_000
_LONG_POINT: Final = "0." + "0" * 50_000 + "1"
_LONG_SIGNS: Final = "-" * 50_000 + "1"
_LONG_STRINGS: Final = (
    _LONG_DIGITS,
    _LONG_NUMBER,
    _LONG_SPACES,
    _LONG_TEXT,
    _LONG_HEX,
    _LONG_EXPONENT,
    _LONG_POINT,
    _LONG_SIGNS,
    "1" * 25_000 + "." + "1" * 25_000 + "e",
    "Infinity" * 6_000,
    "1" * 50_000 + "e+",
)
"""50,000-character strings that look like numbers for a long time, and are not (or are)."""

LINEAR_OPERATIONS: Final = (
    ("==", lambda _text: {"==": [{"var": "x"}, 5]}),
    ("== (text)", lambda s: {"==": [{"var": "x"}, s[:-1] + "y"]}),
    ("!=", lambda _text: {"!=": [5, {"var": "x"}]}),
    ("<", lambda _text: {"<": [{"var": "x"}, 5]}),
    ("<= between", lambda _text: {"<=": [1, {"var": "x"}, 10]}),
    (">", lambda _text: {">": [{"var": "x"}, {"var": "x"}]}),
    ("+", lambda _text: {"+": [{"var": "x"}, 1]}),
    ("*", lambda _text: {"*": [{"var": "x"}, 2]}),
    ("-", lambda _text: {"-": [{"var": "x"}]}),
    ("/", lambda _text: {"/": [{"var": "x"}, 3]}),
    ("%", lambda _text: {"%": [{"var": "x"}, 3]}),
    ("max", lambda _text: {"max": [{"var": "x"}, 1]}),
    ("in (substring)", lambda s: {"in": [s[-100:], {"var": "x"}]}),
    ("in (array)", lambda s: {"in": [{"var": "x"}, [s, 1, "a"]]}),
    ("cat", lambda _text: {"cat": [{"var": "x"}, {"var": "x"}, 1.5]}),
    ("substr", lambda _text: {"substr": [{"var": "x"}, -25_000, 10]}),
    ("substr (text index)", lambda _text: {"substr": ["abc", {"var": "x"}]}),
    ("var (the text as path)", lambda _text: {"var": [{"var": "x"}, 0]}),
    ("missing", lambda s: {"missing": [{"var": "x"}, "a.b.c", s]}),
    ("missing_some", lambda s: {"missing_some": [1, [{"var": "x"}, s]]}),
    ("merge", lambda _text: {"merge": [{"var": "x"}, [{"var": "x"}]]}),
    ("!!", lambda _text: {"!!": [{"var": "x"}]}),
    ("if", lambda _text: {"if": [{"var": "x"}, {"var": "x"}, 1]}),
    ("map", lambda _text: {"map": [[{"var": "x"}], {"+": [{"var": ""}, 1]}]}),
    ("reduce", lambda _text: {"reduce": [[1, 2], {"+": [{"var": "x"}, 1]}, {"var": "x"}]}),
)
"""Rules reading a 50,000-character ``x``, one per operator (and per way to reach one)."""


@pytest.mark.parametrize("text", _LONG_STRINGS, ids=lambda s: f"{s[:6]!r}...{s[-3:]!r}")
@pytest.mark.parametrize(
    ("name", "build"), LINEAR_OPERATIONS, ids=[n for n, _ in LINEAR_OPERATIONS]
)
def test_each_operator_on_a_50000_character_string_completes(
    name: str, build: Any, text: str
) -> None:
    del name
    evaluate_everything(build(text), {"x": text, "a": {"b": {"c": text}}})


HUGE_VALUES: Final = (
    Hostile("10**5000", 10**5000),
    Hostile("-10**5000", -(10**5000)),
    Hostile("2**53 + 1", 2**53 + 1),
    Hostile("float('nan')", math.nan),
    Hostile("float('inf')", math.inf),
    Hostile("Decimal('1E+999999')", Decimal("1E+999999")),
    Hostile("Decimal('NaN')", Decimal("NaN")),
    Hostile("[10**5000]", [10**5000]),
    Hostile("deep_list(10000)", hostile.deep_list(10_000)),
    Hostile("deep_dict(10000)", hostile.deep_dict(10_000)),
    Hostile("deep_mixed(10000)", hostile.deep_mixed(10_000)),
    Hostile("[0]*10000", [0] * 10_000),
)
"""Data no JSON Logic operator may fail on."""


@pytest.mark.parametrize("value", HUGE_VALUES, ids=repr)
@pytest.mark.parametrize(
    ("name", "build"), LINEAR_OPERATIONS, ids=[n for n, _ in LINEAR_OPERATIONS]
)
def test_each_operator_on_huge_numbers_and_deep_data_never_raises(
    name: str, build: Any, value: Hostile
) -> None:
    del name
    evaluate_everything(build("x"), {"x": value.value, "a": {"b": {"c": value.value}}})


def _nest(operator: str, depth: int, *, leaf: Any) -> Any:
    rule = leaf
    for _ in range(depth):
        rule = {operator: [rule]}
    return rule


_WIDE_OR: Final = {"or": [{"==": [{"var": f"x{i}"}, 1]} for i in range(1000)]}

DEEP_RULES: Final = (
    Hostile("_nest('!', 1000, True)", _nest("!", 1_000, leaf=True)),
    Hostile("_nest('!', 10000, True)", _nest("!", 10_000, leaf=True)),
    Hostile("_nest('and', 10000, True)", _nest("and", 10_000, leaf=True)),
    Hostile("_nest('unknown', 10000, 1)", _nest("unknown", 10_000, leaf=1)),
    Hostile("{'==': [deep_list(1000), 1]}", {"==": [hostile.deep_list(1_000), 1]}),
    Hostile("{'==': [deep_list(10000), 1]}", {"==": [hostile.deep_list(10_000), 1]}),
    Hostile("{'in': [1, deep_mixed(10000)]}", {"in": [1, hostile.deep_mixed(10_000)]}),
    Hostile("{'var': deep_list(10000)}", {"var": hostile.deep_list(10_000)}),
    Hostile("{'cat': deep_list(10000, 'x')}", {"cat": hostile.deep_list(10_000, "x")}),
    Hostile("deep_list(10000)", hostile.deep_list(10_000)),
    Hostile("deep_dict(10000)", hostile.deep_dict(10_000)),
    Hostile("{'==': [1, 10**5000]}", {"==": [1, 10**5000]}),
    Hostile("{'+': [float('nan'), Decimal('1E+999999')]}", {"+": [math.nan, Decimal("1E+999999")]}),
    Hostile("{'var': 'x'*50000}", {"var": _LONG_TEXT}),
    Hostile("{'var': '.'.join(['a']*25000)}", {"var": ".".join(["a"] * 25_000)}),
    Hostile("{'missing': ['a.'*25000]}", {"missing": ["a." * 25_000]}),
    Hostile("{'x'*50000: [1]}", {_LONG_TEXT: [1]}),
    Hostile("{'+': [1]*1000}", {"+": [1] * 1000}),
    Hostile("{'==': [1]*1000}", {"==": [1] * 1000}),
    Hostile("{'or': [{'==': [{'var': f'x{i}'}, 1]} for i in range(1000)]}", _WIDE_OR),
    Hostile("{'missing': ['x'*50000]}", {"missing": [_LONG_TEXT]}),
)
"""Rules nested 1,000 and 10,000 levels deep, holding huge numbers, 1,000 operands or long
texts (whose summaries must stay short too)."""


@pytest.mark.parametrize("rule", DEEP_RULES, ids=repr)
def test_a_deep_or_huge_rule_compiles_or_raises_a_condition_error(rule: Hostile) -> None:
    evaluate_everything(rule.value, {"x": hostile.deep_list(10_000)})
