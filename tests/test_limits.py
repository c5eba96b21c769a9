"""Tests of :mod:`loyalty_core.limits`: bounded messages, nesting, and every regex of the library.

The limits keep hostile input (50,000-character strings, 10,000-deep nesting, 5,000-digit
integers) to our own errors, in time linear in its size.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from pathlib import Path
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any, Final
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import loyalty_core
import loyalty_core as lc
from loyalty_core import (
    BenefitDefinition,
    InvalidRequest,
    PayloadError,
    PeriodType,
    clock,
    compute_expiry,
    limits,
)
from loyalty_core.limits import (
    EARLIEST,
    LATEST,
    MAX_DAYS,
    MAX_INT,
    MAX_NESTING,
    MIN_INT,
    ShapeError,
    copy_json,
    is_too_deep_text,
    key_segment,
    show,
)
from loyalty_core.periods import MAX_PERIOD

SRC: Final = Path(loyalty_core.__file__).parent


def nested(levels: int, leaf: object = 1, *, key: str = "a") -> object:
    """A value nesting ``levels`` objects (``{"a": {"a": ... leaf}}``)."""
    value: object = leaf
    for _ in range(levels):
        value = {key: value}
    return value


class TestShow:
    """Messages show a value like ``repr`` when it is small, and a bounded summary otherwise."""

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param(-1, id="int"),
            pytest.param("tier-2", id="text"),
            pytest.param(1.5, id="float"),
            pytest.param(None, id="null"),
            pytest.param(True, id="bool"),
            pytest.param(Decimal("12.50"), id="decimal"),
            pytest.param([1, "a", None], id="list"),
            pytest.param({"b": 1, "a": [2]}, id="dict-in-insertion-order"),
            pytest.param(10**47, id="int-48-digits"),
            pytest.param("x" * 80, id="text-80-characters"),
        ],
    )
    def test_small_values_are_their_repr(self, value: object) -> None:
        assert show(value) == repr(value)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            pytest.param(
                "1" * 50_000 + "x",
                "'" + "1" * 40 + "'... (50001 characters)",
                id="50k-text",
            ),
            pytest.param(10**5000, "an integer of 5001 digits", id="5000-digits"),
            pytest.param(-(10**5000), "a negative integer of 5001 digits", id="negative"),
            pytest.param(10**48, "an integer of 49 digits", id="49-digits"),
            pytest.param(
                Decimal("1" * 60), "a Decimal of 60 digits", id="decimal-with-many-digits"
            ),
            pytest.param(list(range(100)), "[0, 1, 2, 3, 4, 5, ...]", id="long-list"),
        ],
    )
    def test_large_values_are_summarised(self, value: object, expected: str) -> None:
        assert show(value) == expected

    def test_an_integer_past_the_str_limit_is_shown_without_error(self) -> None:
        # Python refuses str() of ints over 4,300 digits; show() says roughly how many.
        assert show(10**100_000) == "an integer of about 100000 digits"

    def test_deep_and_cyclic_containers_are_cut(self) -> None:
        cyclic: list[object] = []
        cyclic.append(cyclic)
        assert show(nested(10_000)) == "{'a': {'a': {'a': {...}}}}"
        assert show(cyclic) == "[[[[...]]]]"

    def test_a_value_whose_repr_fails_is_named_by_type(self) -> None:
        class Broken:
            def __repr__(self) -> str:
                raise RuntimeError

        assert show(Broken()) == "<Broken object>"

    @given(st.recursive(st.none() | st.integers() | st.text(), st.lists, max_leaves=50))
    def test_show_is_repr_or_bounded(self, value: object) -> None:
        """Whatever the value, the rendering is its repr or at most 300 characters."""
        shown = show(value)
        assert shown == repr(value) or len(shown) <= 300
        assert len(shown) <= max(300, len(repr(value)))

    @given(st.text(min_size=81, max_size=2_000))
    def test_long_text_keeps_its_head_and_says_its_length(self, text: str) -> None:
        assert show(text) == f"{text[:40]!r}... ({len(text)} characters)"


class TestKeySegment:
    """JSON paths name keys as ``.key`` or ``["key"]``; a long key is shortened."""

    @pytest.mark.parametrize(
        ("key", "expected"),
        [
            ("spend_12m", ".spend_12m"),
            ("==", '["=="]'),
            ('a"b', '["a\\"b"]'),
            (7, "[7]"),
            ("k" * 100, '["' + "k" * 40 + '... (100 characters)"]'),
        ],
    )
    def test_segments(self, key: object, expected: str) -> None:
        assert key_segment(key) == expected


class TestNesting:
    """One depth limit (MAX_NESTING = 128) for every JSON-ish value, found without recursion."""

    def test_copy_keeps_values_and_order_and_shares_no_container(self) -> None:
        data: dict[str, Any] = {"z": [1, {"y": (2, 3)}], "a": {"b": None}}
        copied = copy_json(data)
        assert copied == {"z": [1, {"y": [2, 3]}], "a": {"b": None}}
        assert list(copied) == ["z", "a"]
        assert copied["z"] is not data["z"]
        assert copied["a"] is not data["a"]

    def test_copy_accepts_the_limit_and_names_the_first_level_past_it(self) -> None:
        assert copy_json(nested(MAX_NESTING)) == nested(MAX_NESTING)
        with pytest.raises(ShapeError) as raised:
            copy_json(nested(MAX_NESTING + 1))
        assert raised.value.where("$") == "$" + ".a" * MAX_NESTING

    @pytest.mark.parametrize("levels", [1_000, 100_000])
    def test_copy_of_hostile_nesting_is_a_nesting_error(self, levels: int) -> None:
        with pytest.raises(ShapeError):
            copy_json(nested(levels))

    def test_a_cycle_is_too_deep(self) -> None:
        cyclic: dict[str, object] = {}
        cyclic["self"] = cyclic
        with pytest.raises(ShapeError):
            copy_json(cyclic)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            pytest.param("[" * 128 + "]" * 128, False, id="at-the-limit"),
            pytest.param("[" * 129 + "]" * 129, True, id="one-past"),
            pytest.param("[" * 50_000, True, id="unterminated-50k"),
            pytest.param('["' + "[" * 500 + '"]', False, id="brackets-in-a-string"),
            pytest.param('["\\"' + "[" * 500 + '"]', False, id="escaped-quote"),
            pytest.param('{"a":' * 129 + "1" + "}" * 129, True, id="objects"),
            pytest.param("[1]," * 10_000, False, id="wide-not-deep"),
            pytest.param('"' + "[" * 500, False, id="brackets-only-in-an-unterminated-string"),
            pytest.param('"' + "[" * 500 + '"', False, id="brackets-only-in-a-string"),
        ],
    )
    def test_text_depth(self, text: str, expected: bool) -> None:
        assert is_too_deep_text(text) is expected

    @given(st.recursive(st.integers() | st.text(), st.lists, max_leaves=200))
    def test_text_depth_agrees_with_the_decoded_value(self, value: object) -> None:
        """The text check and the depth of the decoded value agree (strings ignored)."""
        import json

        def depth(item: object) -> int:
            deepest, stack = 0, [(item, 0)]
            while stack:
                current, level = stack.pop()
                if isinstance(current, list):
                    stack.extend((child, level + 1) for child in current)
                    level += 1
                deepest = max(deepest, level)
            return deepest

        assert is_too_deep_text(json.dumps(value)) is (depth(value) > MAX_NESTING)


# --- every regex of the library -----------------------------------------------------------------


def library_modules() -> Iterator[Any]:
    """Import every module of loyalty_core (the analysis and testing extras are installed)."""
    yield loyalty_core
    for info in pkgutil.walk_packages(loyalty_core.__path__, "loyalty_core."):
        yield importlib.import_module(info.name)


def library_patterns() -> list[Any]:
    """Every compiled pattern a module of loyalty_core holds at module level."""
    found: dict[int, Any] = {}
    for module in library_modules():
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found.setdefault(id(value), pytest.param(value, id=f"{module.__name__}.{name}"))
    return list(found.values())


PATTERNS: Final = library_patterns()
_UNBOUNDED: Final = sre_constants.MAXREPEAT
_BACKTRACKING_REPEATS: Final = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)


def unbounded_backtracking_repeats(parsed: Any) -> list[str]:
    """The greedy or lazy repeats without an upper bound, outside any atomic group."""
    found: list[str] = []
    stack = [parsed]
    while stack:
        for op, argument in stack.pop():
            if op is sre_constants.ATOMIC_GROUP:
                continue  # nothing inside an atomic group is backtracked into
            if op in _BACKTRACKING_REPEATS:
                _low, high, body = argument
                if high == _UNBOUNDED:
                    found.append(f"{op} over {body}")
                stack.append(body)
            elif op is sre_constants.POSSESSIVE_REPEAT:
                stack.append(argument[2])
            elif op is sre_constants.SUBPATTERN:
                stack.append(argument[-1])
            elif op is sre_constants.BRANCH:
                stack.extend(argument[1])
    return found


def test_the_library_holds_the_patterns_we_know_of() -> None:
    """The audit below sees every pattern: at least the ten the library defines."""
    assert len(PATTERNS) >= 10


@pytest.mark.parametrize("pattern", PATTERNS)
def test_no_pattern_can_backtrack_into_an_unbounded_repeat(pattern: re.Pattern[str]) -> None:
    """Every unbounded repeat is possessive (or atomic), so matching is linear in the input."""
    assert unbounded_backtracking_repeats(sre_parse.parse(pattern.pattern, pattern.flags)) == []


HOSTILE: Final = (
    "1" * 50_000 + "x",
    "1" * 25_000 + "." + "1" * 25_000 + "e",
    "a" * 50_000 + "!",
    "a@" + "a" * 50_000 + "!",
    "a@a" + ".a-" * 17_000,
    "0x" + "f" * 50_000 + "g",
    '"' + "\\" * 50_000,
    '"' + "\\a" * 25_000,
    "[" * 50_000,
    "9" * 50_000 + " days",
    "-" * 50_000,
    "2021-01-01" + " " * 50_000,
    " " * 50_000 + "+10:00x",
)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_pattern_answers_adversarial_50k_input(pattern: re.Pattern[str]) -> None:
    """Each pattern is fed adversarial 50,000-character text with every kind of call.

    Written so that no input matches where it must not: a pattern that backtracked
    quadratically would take minutes here (the old number pattern took 26 s at 32k).
    """
    for text in HOSTILE:
        pattern.fullmatch(text)
        pattern.match(text)
        pattern.sub("", text[:5_000])
        pattern.search(text[:5_000])


def test_regexes_are_compiled_once_at_module_level() -> None:
    """No module calls ``re.search``/``re.match``/... with a pattern of the moment.

    Every pattern is a module-level constant, so the audit above sees all of them.
    """
    calls: list[str] = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {
            id(node.value) for node in tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
        }
        calls.extend(
            f"{path.relative_to(SRC)}:{node.lineno} re.{node.func.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and not (node.func.attr == "compile" and id(node) in top_level)
        )
    assert calls == []


# --- values in messages -------------------------------------------------------------------------

# Rendering a value with repr is allowed only where it is bounded by construction.
_REPR_ALLOWED: Final = {
    "limits.py",  # the one home of show()
    "_fields.py",  # repr(float): the shortest round-trip digits of a money float (PAY-8)
    "_js.py",  # repr(float): the digits of String(number)
    "decisions.py",  # repr of ReasonCode values, the library's own short names
}


def test_no_message_renders_an_unbounded_value_with_repr() -> None:
    """Messages go through ``limits.show``: no ``!r`` conversion, ``repr()`` only where bounded."""
    found: list[str] = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.FormattedValue)
                and node.conversion == ord("r")
                and path.name != "limits.py"
            ):
                found.append(f"{path.relative_to(SRC)}:{node.lineno} !r")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "repr"
                and path.name not in _REPR_ALLOWED
            ):
                found.append(f"{path.relative_to(SRC)}:{node.lineno} repr()")
    assert found == []


def test_limits_module_is_documented_in_the_reference() -> None:
    """The limits are public and listed on the docs page."""
    page = (SRC.parents[1] / "docs" / "reference" / "limits.md").read_text(encoding="utf-8")
    for name in limits.__all__:
        if name.isupper():
            assert name in page, name
    assert sys.modules["loyalty_core.limits"] is limits


# --- periods: bounded by what can reach year 9999 -----------------------------------------------


@given(
    period_type=st.sampled_from(PeriodType),
    period=st.one_of(
        st.integers(0, MAX_DAYS + 10),
        st.sampled_from(sorted({n + d for n in MAX_PERIOD.values() for d in (-1, 0, 1)})),
    ),
    zone_name=st.sampled_from(("UTC", "Etc/GMT-14", "Etc/GMT+12", "Australia/Lord_Howe")),
)
def test_a_period_is_accepted_iff_its_end_is_storable_from_the_earliest_issue(
    period_type: PeriodType, period: int, zone_name: str
) -> None:
    """A definition accepts a period iff it does not exceed ``MAX_PERIOD`` of its type.

    Then an item issued at ``EARLIEST`` gets a storable expiry in any zone: the bound is
    exactly "reaches year 9999 from some issue date" (the Limits page).
    """
    if period > MAX_PERIOD[period_type]:
        with pytest.raises(InvalidRequest) as raised:
            BenefitDefinition(period=period, period_type=period_type)
        assert [problem.where for problem in raised.value.problems] == ["period"]
        return
    BenefitDefinition(period=period, period_type=period_type)
    if period_type is not PeriodType.ABSOLUTE_DATE:
        expiry = compute_expiry(
            EARLIEST, timezone=zone_name, period=period, period_type=period_type
        )
        assert expiry is None or EARLIEST <= expiry <= LATEST


@given(
    count=st.integers(MIN_INT - 2, MAX_INT + 2) | st.sampled_from((MIN_INT, MAX_INT)),
    field=st.sampled_from(("id", "max_redemptions", "notify_issue_offset_days")),
)
def test_integer_fields_accept_exactly_their_range(count: int, field: str) -> None:
    """Ids take 64 bits, counts 0 to MAX_INT, day offsets ±MAX_DAYS; nothing else parses."""
    low, high = {
        "id": (MIN_INT, MAX_INT),
        "max_redemptions": (0, MAX_INT),
        "notify_issue_offset_days": (-MAX_DAYS, MAX_DAYS),
    }[field]
    if low <= count <= high:
        assert getattr(BenefitDefinition.from_api({field: count}), field) == count
        return
    with pytest.raises(PayloadError) as raised:
        BenefitDefinition.from_api({field: count})
    assert [problem.where for problem in raised.value.problems] == [f"$.{field}"]
    assert len(str(raised.value)) < 300


class TestJsonValues:
    """A profile's context is JSON: finite numbers (int, float, Decimal, COND-5), string keys."""

    @pytest.mark.parametrize(
        ("value", "where"),
        [
            pytest.param({"a": float("nan")}, "$.a", id="nan"),
            pytest.param({"a": [1, float("inf")]}, "$.a[1]", id="infinity"),
            pytest.param({"a": Decimal("NaN")}, "$.a", id="decimal-nan"),
            pytest.param({"a": 2**1024}, "$.a", id="an-int-past-a-double"),
            pytest.param({"a": 10**5000}, "$.a", id="an-int-of-5001-digits"),
            pytest.param({"a": {1: "x"}}, "$.a", id="a-key-that-is-not-a-string"),
            pytest.param({"a": object()}, "$.a", id="an-object"),
            pytest.param({"a": {"b"}}, "$.a", id="a-set"),
        ],
    )
    def test_not_json(self, value: object, where: str) -> None:
        with pytest.raises(ShapeError) as raised:
            copy_json(value)
        assert raised.value.where("$") == where
        assert len(str(raised.value)) < 200

    @pytest.mark.parametrize(
        "value",
        [2**1024 - 1, -(2**1023), 1.7976931348623157e308, Decimal("12.50"), "", None, True],
    )
    def test_json_scalars_are_kept(self, value: object) -> None:
        assert copy_json({"a": value}) == {"a": value}

    @given(
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(max_size=5),
            lambda children: (
                st.lists(children, max_size=3)
                | st.dictionaries(st.text(max_size=5), children, max_size=3)
            ),
            max_leaves=30,
        ),
        st.integers(0, 3),
    )
    def test_any_json_value_is_copied_equal_or_refused_for_its_depth(
        self, value: object, wrap: int
    ) -> None:
        """A JSON value copies to an equal one sharing no container, iff it nests <= 128."""
        for _ in range(wrap * 50):
            value = [value]

        def depth(item: object) -> int:
            deepest, stack = 0, [(item, 0)]
            while stack:
                current, level = stack.pop()
                if isinstance(current, list | dict):
                    level += 1
                    children = current.values() if isinstance(current, dict) else current
                    stack.extend((child, level) for child in children)
                deepest = max(deepest, level)
            return deepest

        if depth(value) > MAX_NESTING:
            with pytest.raises(ShapeError):
                copy_json(value)
            return
        copied = copy_json(value)
        assert copied == value
        assert copied is not value or not isinstance(value, list | dict)


class TestInstantsInMessages:
    """Instants in messages and details go through one formatter (limits.show_instant)."""

    def test_a_naive_at_is_named_as_naive_without_python_syntax(self) -> None:
        """TIME-2: the error says naive and shows the wall time, not datetime.datetime(...)."""
        with pytest.raises(InvalidRequest) as caught:
            lc.check_claim(
                lc.BenefitDefinition(), lc.Profile(), at=datetime(2026, 3, 1, 9, 30), timezone="UTC"
            )
        (problem,) = caught.value.problems
        assert problem.where == "at"
        assert problem.message.endswith("got 2026-03-01T09:30:00 (naive)")
        assert "datetime.datetime" not in str(caught.value)

    @pytest.mark.parametrize(
        ("value", "shown"),
        [
            (datetime(2026, 3, 1, tzinfo=UTC), "2026-03-01T00:00:00Z"),
            (datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC), "0999-01-02T03:04:05.000006Z"),
            (
                datetime(2026, 3, 1, 9, tzinfo=timezone(timedelta(hours=9, minutes=30))),
                "2026-03-01T09:00:00+09:30",
            ),
            (datetime(2026, 3, 1), "2026-03-01T00:00:00 (naive)"),
            (date(2026, 2, 28), "2026-02-28"),
        ],
    )
    def test_show_writes_instants_and_dates_in_iso_form(self, value: object, shown: str) -> None:
        assert show(value) == shown

    def test_format_instant_is_show_instant_in_utc(self) -> None:
        """The JSON details' form (format_instant) and messages' form agree on every instant."""
        melbourne = datetime(2026, 4, 5, 2, 30, tzinfo=ZoneInfo("Australia/Melbourne"))
        assert clock.format_instant(melbourne) == show(melbourne.astimezone(UTC))
        assert clock.format_instant(melbourne) == "2026-04-04T15:30:00Z"

    def test_a_zone_that_cannot_give_an_offset_is_named_not_raised(self) -> None:
        class Broken(tzinfo):
            def utcoffset(self, dt: datetime | None) -> timedelta:  # noqa: ARG002 - tzinfo API
                raise ValueError

            def dst(self, dt: datetime | None) -> None:  # noqa: ARG002 - tzinfo API
                return None

            def tzname(self, dt: datetime | None) -> str:  # noqa: ARG002 - tzinfo API
                return "broken"

        assert show(datetime(2026, 3, 1, tzinfo=Broken())) == "<datetime object>"
