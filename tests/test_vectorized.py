"""The vectorised claim engine (issue 13): ``engine="auto"`` gives the python engine's frame.

For the same polars members, definitions and instants, ``claim_eligibility(..., engine="auto")``
must return the very frame ``engine="python"`` (a loop over ``check_claim``, CLM-1 to CLM-16)
returns: same columns, dtypes, row order and cells, with and without messages. The vectorised
engine translates claim conditions into polars expressions with JavaScript's semantics
(COND-10 truthiness, COND-11 equality, COND-12 order) by column dtype, and leaves every
definition whose condition it cannot translate exactly to the python engine.

Expected values come from the python engine or are written from JavaScript's semantics, never
read back from the vectorised output.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any, Final

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, event, given, reject, settings, target
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from loyalty_core import (
    BenefitDefinition,
    ConditionError,
    InvalidRequest,
    PayloadError,
    Policy,
    Profile,
)
from loyalty_core._js import to_primitive, truthy
from loyalty_core.analysis import Engine, EngineChoice, claim_eligibility, claim_engines
from loyalty_core.policy import DEFAULT_POLICY
from loyalty_core.testing import strategies
from loyalty_core.testing.strategies import policies
from tests.helpers import budget
from tests.jsonlogic_helpers import suite_cases

# strict=False runs warn about variables the frames lack; these tests read nulls on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::loyalty_core.analysis.UnknownColumnWarning")

"""json-logic-js's published suite (byte for byte /work/shared/conformance/jsonlogic)."""

BASE: Final = datetime(2026, 3, 1, 12, tzinfo=UTC)
OFFSETS: Final = (
    timedelta(days=-1),
    timedelta(seconds=-1),
    timedelta(0),
    timedelta(seconds=1),
    timedelta(days=1),
)


# --- comparing the engines ----------------------------------------------------------------------


def eligibility(
    frame: pl.DataFrame,
    definitions: Sequence[BenefitDefinition],
    ats: Sequence[datetime],
    *,
    policy: Policy = DEFAULT_POLICY,
    engine: Engine,
    with_messages: bool,
) -> pl.DataFrame | tuple[type[Exception], str]:
    """claim_eligibility's frame, or the type and text of the error it raises."""
    try:
        found = claim_eligibility(
            frame,
            definitions,
            at=ats,
            timezone="UTC",
            policy=policy,
            engine=engine,
            messages=with_messages,
            strict=False,  # the suite's conditions read variables the frame lacks on purpose
        )
    except (InvalidRequest, PayloadError) as exc:
        return type(exc), str(exc)
    assert isinstance(found, pl.DataFrame)
    return found


def assert_same_frames(
    frame: pl.DataFrame,
    definitions: Sequence[BenefitDefinition],
    ats: Sequence[datetime],
    *,
    policy: Policy = DEFAULT_POLICY,
) -> pl.DataFrame | None:
    """Assert auto == python, with and without messages (or the same error).

    Returns the python engine's frame with messages, or None when both refused the input.
    """
    python: pl.DataFrame | None = None
    for with_messages in (False, True):
        args = (frame, definitions, ats)
        auto = eligibility(*args, policy=policy, engine="auto", with_messages=with_messages)
        loop = eligibility(*args, policy=policy, engine="python", with_messages=with_messages)
        if not isinstance(loop, pl.DataFrame):
            assert not isinstance(auto, pl.DataFrame), f"python refused the input: {loop}"
            assert auto == loop
            continue
        assert isinstance(auto, pl.DataFrame), auto
        assert auto.schema == loop.schema
        assert_frame_equal(auto, loop, check_exact=True)
        python = loop
    return python


def open_definition(rule: Any, handle: str = "d") -> BenefitDefinition:
    """A claimable, published, assignable definition with no window or limits."""
    return BenefitDefinition(
        handle=handle,
        is_claimable=True,
        is_published=True,
        is_assignable=True,
        claim_condition=rule,
    )


def engines_of(frame: pl.DataFrame, definitions: Sequence[BenefitDefinition]) -> dict[str, str]:
    return {label: choice.engine for label, choice in claim_engines(frame, definitions).items()}


# --- the property: random frames, random conditions ---------------------------------------------

INTS: Final[tuple[int | None, ...]] = (
    None,
    0,
    -1,
    1,
    2,
    12,
    2**53,
    2**53 + 1,
    -(2**53) - 1,
    2**62,
    2**63 - 1,
    -(2**63),
)
FLOATS: Final[tuple[float | None, ...]] = (
    None,
    math.nan,
    -0.0,
    0.0,
    0.5,
    1.0,
    -1.0,
    12.0,
    2.0**53,
    1e300,
)
TEXTS: Final[tuple[str | None, ...]] = (
    None,
    "",
    "😀",
    "12",
    "0",
    "1",
    " 12 ",
    "-0",
    "0x10",
    "abc",
    "gold",
    "vip",
    "null",
    "gold,vip",
    "b",
    "é",
    "\ue000",
    "a😀",
)
"""Cell values; the first four of each pool are drawn more often (see ``_pick``)."""
BOOLS: Final[tuple[bool | None, ...]] = (None, True, False)

COLUMN_KINDS: Final[Mapping[str, str]] = {
    "n": "int",
    "m": "int",
    "f": "float",
    "s": "text",
    "t": "text",
    "c": "category",
    "e": "enum",
    "b": "bool",
    "z": "null",
    "tags": "texts",
    "nums": "ints",
    "flags": "bools",
    "nulls": "nulls",
    "aggregations.spend_12m": "number",
    "aggregations.tier": "text",
}
"""The columns a frame may have (besides ``id``), by kind; ``number`` is any numeric dtype."""

MISSING_PATHS: Final = ("missing_col", "aggregations.none", "x.y")
ODD_PATHS: Final = ("aggregations", "tags.0", "s.length", "nums.1", "")
"""Paths the vectorised engine refuses when the column they lean on exists: a prefix of a dotted
column (an object), a step into a list or a string, and the whole data."""

LITERALS: Final[tuple[Any, ...]] = (
    None,
    True,
    False,
    0,
    1,
    -1,
    0.5,
    2**53 + 1,
    "",
    "0",
    "1",
    "gold",
    "abc",
    "é",
    "\ue000",
    "😀",
    [],
    ["gold", "vip"],
    [1, 2],
    # beyond the brief's list: more number-like text, lists with zero and null, objects
    -0.0,
    2**53,
    " 12 ",
    "12",
    "b",
    "null",
    [0, None],
    [-0.0],
    ["gold", None],
    [True],
    {},
    {"a": 1, "b": 2},
)

UNTRANSLATABLE_OPS: Final = frozenset({"%", "+", "if", "cat"})

ENUM: Final = pl.Enum(["", "0", "😀", "gold", "vip", "é", "\ue000"])
NUMBER_DTYPES: Final[Mapping[str, tuple[Any, tuple[Any, ...]]]] = {
    "int": (pl.Int64, INTS),
    "float": (pl.Float64, FLOATS),
    "int8": (pl.Int8, (None, 0, 1, -1, 12, -128, 127)),
    "uint64": (pl.UInt64, (None, 0, 1, 2**53 + 1, 2**64 - 1)),
    "float32": (pl.Float32, (None, math.nan, 0.0, -0.0, 0.1, 0.5, 1.0, 3.4e38)),
}


def _pick(values: Sequence[Any]) -> st.SearchStrategy[Any]:
    """One of ``values``, the first four (the edgiest) as likely as all the others together."""
    return st.one_of(st.sampled_from(values[:4]), st.sampled_from(values))


def _column(name: str, kind: str, height: int, draw: st.DrawFn) -> pl.Series:
    """A column of ``height`` random cells of a kind (a list kind may hold null cells)."""
    if kind == "number":
        kind = draw(st.sampled_from(sorted(NUMBER_DTYPES)))
    if kind in NUMBER_DTYPES:
        dtype, values = NUMBER_DTYPES[kind]
        return pl.Series(
            name,
            draw(st.lists(_pick(values), min_size=height, max_size=height)),
            dtype=dtype,
        )
    scalars: Mapping[str, tuple[Any, tuple[Any, ...]]] = {
        "text": (pl.String, TEXTS),
        "category": (pl.Categorical, TEXTS),
        "enum": (ENUM, (None, *ENUM.categories.to_list())),
        "bool": (pl.Boolean, BOOLS),
        "null": (pl.Null, (None,)),
    }
    lists: Mapping[str, tuple[Any, tuple[Any, ...]]] = {
        "texts": (pl.String, TEXTS),
        "ints": (pl.Int64, INTS),
        "bools": (pl.Boolean, BOOLS),
        "nulls": (pl.Null, (None,)),
    }
    if kind in scalars:
        dtype, values = scalars[kind]
        cells: st.SearchStrategy[Any] = _pick(values)
    else:
        inner, values = lists[kind]
        if kind == "texts" and draw(st.booleans()):
            inner = pl.Categorical
        dtype = pl.List(inner)
        cells = st.none() | st.lists(_pick(values), max_size=3)
    return pl.Series(name, draw(st.lists(cells, min_size=height, max_size=height)), dtype=dtype)


@st.composite
def member_frames(draw: st.DrawFn) -> pl.DataFrame:
    """A polars member frame: unique ids and a random choice of the columns above."""
    height = draw(st.integers(min_value=0, max_value=4))
    ids = [f"m-{i}" for i in range(height)]
    # Mostly text ids; also categorical ids, an all-null id column, or no id column.
    id_kind = draw(st.sampled_from(("text",) * 7 + ("category", "null", "none")))
    columns = []
    if id_kind != "none":
        dtype = {"text": pl.String, "category": pl.Categorical, "null": pl.Null}[id_kind]
        columns.append(pl.Series("id", ids if id_kind != "null" else [None] * height, dtype=dtype))
    for name, kind in COLUMN_KINDS.items():
        if draw(st.integers(min_value=0, max_value=3)):  # three columns in four
            columns.append(_column(name, kind, height, draw))
    if draw(st.integers(min_value=0, max_value=19)) == 0:
        # Rarely, an infinite number: not JSON, so both engines refuse the frame alike.
        columns.append(pl.Series("inf", [math.inf] * height, dtype=pl.Float64))
    frame = pl.DataFrame(columns)
    nested = [c.name for c in columns if c.name.startswith("aggregations.")]
    pack: bool = draw(st.booleans())
    if nested and pack:
        # The dotted columns as one struct column, as a nested Parquet or JSON source gives
        # them; some rows may be a null struct. Both engines read the same nested object.
        nulls = draw(st.lists(st.booleans(), min_size=height, max_size=height))
        packed = pl.struct(
            [pl.col(name).alias(name.removeprefix("aggregations.")) for name in nested]
        )
        frame = frame.with_columns(
            pl.when(pl.Series(nulls, dtype=pl.Boolean))
            .then(None)
            .otherwise(packed)
            .alias("aggregations")
        ).drop(nested)
    return frame


PATHS: Final = (*COLUMN_KINDS, "id", *MISSING_PATHS)


def _vars(*, odd: bool) -> st.SearchStrategy[Any]:
    paths = st.sampled_from((*PATHS, *ODD_PATHS) if odd else PATHS)
    literal = st.sampled_from(LITERALS)
    return st.one_of(
        paths.map(lambda path: {"var": path}),
        st.tuples(paths, literal).map(lambda pair: {"var": list(pair)}),
    )


def _operands(depth: int) -> st.SearchStrategy[Any]:
    plain = st.one_of(st.sampled_from(LITERALS), _vars(odd=False), _vars(odd=True))
    if depth >= 2:
        return plain
    # Now and then a nested rule as an operand: a folded constant or a refusal.
    return st.one_of(plain, plain, plain, plain, st.deferred(lambda: rules(depth + 1)))


COMPARISONS: Final = ("==", "!=", "===", "!==", "<", "<=", ">", ">=")


def _compare(draw: st.DrawFn, depth: int) -> Any:
    operand = _operands(depth)
    return {draw(st.sampled_from(COMPARISONS)): [draw(operand), draw(operand)]}


def _between(draw: st.DrawFn, depth: int) -> Any:
    operand = _operands(depth)
    return {draw(st.sampled_from(("<", "<="))): [draw(operand), draw(operand), draw(operand)]}


def _negation(draw: st.DrawFn, depth: int) -> Any:
    operand = _operands(depth)
    inner = draw(st.one_of(operand, rules(depth + 1)) if depth < 2 else operand)
    op = draw(st.sampled_from(("!", "!!")))
    # The one-argument form may drop its array (COND-8), unless the argument is an array.
    bare = not isinstance(inner, list) and draw(st.booleans())
    return {op: inner if bare else [inner]}


def _var_rule(draw: st.DrawFn, _depth: int) -> Any:
    return draw(_vars(odd=draw(st.booleans())))


def _logic(draw: st.DrawFn, depth: int) -> Any:
    op = draw(st.sampled_from(("and", "or")))
    return {op: draw(st.lists(rules(depth + 1), min_size=1, max_size=3))}


def _inside(draw: st.DrawFn, _depth: int) -> Any:
    literal, column = draw(st.sampled_from(LITERALS)), draw(_vars(odd=False))
    # A literal needle in a (list or text) column, or a column needle in a literal.
    return {"in": [literal, column] if draw(st.booleans()) else [column, literal]}


def _missing(draw: st.DrawFn, _depth: int) -> Any:
    keys = draw(st.lists(st.sampled_from((*PATHS, *ODD_PATHS[:-1])), max_size=3))
    return {"missing": [keys] if draw(st.booleans()) else keys}


def _refused(draw: st.DrawFn, depth: int) -> Any:
    op = draw(st.sampled_from(sorted(UNTRANSLATABLE_OPS)))
    operand = _operands(depth)
    if op == "if":
        return {"if": [draw(rules(depth + 1)), draw(operand), draw(operand)]}
    return {op: [draw(_vars(odd=False)), draw(operand)]}


# Typed shapes: a column of the pool against a literal (or a column) chosen for its kind, so
# that the cases where JavaScript's rules bite (COND-10 to COND-12) come up often.

_KIND_CLASS: Final[Mapping[str, str]] = {
    "int": "number",
    "float": "number",
    "number": "number",
    "text": "string",
    "category": "string",
    "enum": "string",
    "bool": "bool",
    "null": "null",
    "texts": "list",
    "ints": "list",
    "bools": "list",
    "nulls": "list",
}
TYPED_LITERALS: Final[Mapping[str, tuple[Any, ...]]] = {
    "number": (
        *("", None, " 12 ", 0, 1, -1, 2, 12, 0.5, -0.0, 2**53, 2**53 + 1),
        *("12", "0x10", "abc", True, False, [12], [1, 2]),
    ),
    "string": (
        *("", None, "0", "\ue000", "1", "12", " 12 ", "gold", "vip", "b", "é", "😀", "a😀"),
        *("null", "gold,vip", 0, 1, True, ["gold"], []),
    ),
    "bool": (1, 0, "1", None, True, False, 2, "0", "", "true", [1], []),
    "null": (None, 0, "", False, [], "null"),
    "list": (None, "", "vip", 1, "gold", 12, 2**53, True, False, [], ["gold", "vip"]),
}
HAYSTACKS: Final[tuple[Any, ...]] = (
    ["gold", None],
    "",
    [0, None],
    "nullish",
    ["gold", "vip"],
    [1, 2],
    [-0.0],
    [True],
    [12, "12"],
    [],
    "gold,vip",
    "a😀b",
    "12 1",
)
_COLUMN_NAMES: Final = tuple(COLUMN_KINDS)


def _kind_class(name: str) -> str:
    return _KIND_CLASS[COLUMN_KINDS[name]]


def _typed_compare(draw: st.DrawFn, _depth: int) -> Any:
    name = draw(st.sampled_from(_COLUMN_NAMES))
    literal = draw(_pick(TYPED_LITERALS[_kind_class(name)]))
    pair = [{"var": name}, literal]
    return {draw(st.sampled_from(COMPARISONS)): pair if draw(st.booleans()) else pair[::-1]}


def _typed_columns(draw: st.DrawFn, _depth: int) -> Any:
    names = st.sampled_from(_COLUMN_NAMES)
    return {draw(st.sampled_from(COMPARISONS)): [{"var": draw(names)}, {"var": draw(names)}]}


def _typed_in(draw: st.DrawFn, _depth: int) -> Any:
    name = draw(st.sampled_from(_COLUMN_NAMES))
    kind = _kind_class(name)
    if kind in {"list", "string"} and draw(st.booleans()):
        return {"in": [draw(_pick(TYPED_LITERALS[kind])), {"var": name}]}
    return {"in": [{"var": name}, draw(_pick(HAYSTACKS))]}


def _typed_truth(draw: st.DrawFn, _depth: int) -> Any:
    column = {"var": draw(st.sampled_from(_COLUMN_NAMES))}
    op = draw(st.sampled_from(("!", "!!", "var")))
    return column if op == "var" else {op: [column]}


_SHAPES: Final[tuple[tuple[Callable[[st.DrawFn, int], Any], int], ...]] = (
    (_compare, 3),
    (_typed_compare, 6),
    (_typed_columns, 2),
    (_typed_in, 3),
    (_typed_truth, 3),
    (_between, 1),
    (_negation, 2),
    (_var_rule, 1),
    (_inside, 1),
    (_missing, 1),
    (_refused, 1),
)


@st.composite
def rules(draw: st.DrawFn, depth: int = 0) -> Any:
    """A JSON Logic rule from the grammar the engine translates, plus some it refuses."""
    shapes = [shape for shape, weight in _SHAPES for _ in range(weight)]
    if depth < 2:
        shapes += [_logic, _logic]
    return draw(st.sampled_from(shapes))(draw, depth)


# The engine's reading of a frame, for the check that simple conditions are vectorised.


def _scalar_kind(dtype: Any) -> str:
    if dtype.is_numeric():
        return "number"
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        return "string"
    return "bool" if dtype == pl.Boolean else "null"


class Kinds(dict[str, str]):
    """Column kinds, and which columns are fields of a struct column."""

    in_structs: frozenset[str] = frozenset()


def frame_kinds(frame: pl.DataFrame) -> dict[str, str] | None:
    """The condition kind of each column, or None when the whole frame goes to python."""
    kinds = Kinds()
    for name, dtype in frame.schema.items():
        if name == "inf" and frame.height:
            return None
        if isinstance(dtype, pl.Struct):
            fields = {f"{name}.{f.name}": _scalar_kind(f.dtype) for f in dtype.fields}
            kinds.update(fields)
            kinds.in_structs |= set(fields)
        elif isinstance(dtype, pl.List):
            kinds[name] = f"list:{_scalar_kind(dtype.inner)}"
        else:
            kinds[name] = _scalar_kind(dtype)
    return kinds


_Plain = tuple[str, Any]
"""A plain operand: ``("column", kind)`` or ``("const", value)``."""


def _plain(node: Any, kinds: Mapping[str, str]) -> _Plain | None:
    """A literal, or a var reading a column or a path that exists nowhere; else None."""
    if isinstance(node, dict):
        return _plain_var(node, kinds) if set(node) == {"var"} else None
    if isinstance(node, list) and any(isinstance(item, dict) for item in node):
        return None
    return ("const", node)


def _plain_var(node: dict[str, Any], kinds: Mapping[str, str]) -> _Plain | None:
    args = node["var"] if isinstance(node["var"], list) else [node["var"]]
    path = args[0] if args else None
    default = args[1] if len(args) > 1 else None
    if not isinstance(path, str) or path == "" or isinstance(default, list | dict):
        return None
    if path in kinds:
        if default is not None and path in getattr(kinds, "in_structs", ()):
            return None  # a null struct is a missing object: the default applies there
        return ("column", kinds[path])
    steps = path.split(".")
    nested = any(c.startswith(path + ".") for c in kinds) or any(
        ".".join(steps[:end]) in kinds for end in range(1, len(steps))
    )
    return None if nested else ("const", default)


def _loose_pair(left: _Plain, right: _Plain) -> bool:
    if left[0] == "const" and right[0] == "const":
        return True
    if left[0] == "column" and right[0] == "column":
        pair = {left[1], right[1]}
        lists = any(k.startswith("list:") for k in pair)
        return pair <= {"number", "bool"} or pair == {"string"} or ("null" in pair and not lists)
    kind, value = (left[1], right[1]) if left[0] == "column" else (right[1], left[1])
    if value is None or kind == "null":
        return True
    if isinstance(value, list) or kind.startswith("list:"):
        return False
    if kind == "string":
        return isinstance(value, str)
    return True


def _strict_pair(left: _Plain, right: _Plain) -> bool:
    if left[0] == "column" and right[0] == "column":
        return not (left[1].startswith("list:") or right[1].startswith("list:")) or (
            left[1] == right[1] and left[1] in {"number", "string", "bool"}
        )
    return True


def _less_pair(left: _Plain, right: _Plain) -> bool:
    if left[0] == "const" and right[0] == "const":
        return True
    if left[0] == "column" and right[0] == "column":
        return {left[1], right[1]} <= {"number", "bool", "null"}
    kind, value = (left[1], right[1]) if left[0] == "column" else (right[1], left[1])
    if kind.startswith("list:"):
        return False
    if kind == "string":
        text = to_primitive(value)
        return isinstance(text, str) and all(ord(ch) < 0xD800 for ch in text)
    return True


def _in_pair(needle: _Plain, haystack: _Plain) -> bool:
    if haystack[0] == "const":
        if needle[0] == "const":
            return True
        value, kind = haystack[1], needle[1]
        if isinstance(value, str):
            return value == "" or kind == "string"
        return not (isinstance(value, list) and kind.startswith("list:"))
    if needle[0] == "column":
        return False
    return not (haystack[1].startswith("list:") and needle[1] is None)


_PAIRS: Final[Mapping[str, Callable[[_Plain, _Plain], bool]]] = {
    "==": _loose_pair,
    "!=": _loose_pair,
    "===": _strict_pair,
    "!==": _strict_pair,
    "<": _less_pair,
    "<=": _less_pair,
    ">": _less_pair,
    ">=": _less_pair,
    "in": _in_pair,
}


def surely_vectorised(rule: Any, kinds: Mapping[str, str]) -> bool:
    """Whether a condition uses only constructs the engine documents as translatable.

    A conservative reading of claim_engines' documentation: var (literal path, literal
    default), comparisons, in and missing on plain operands (a literal or a var) of the
    operand types whose JavaScript semantics are reproduced (COND-10 to COND-12), and
    and/or/!/!! over such rules. Text order needs the constant below U+D800 (UTF-16 order).
    """
    if not (isinstance(rule, dict) and len(rule) == 1) or "var" in rule:
        return _plain(rule, kinds) is not None
    ((op, raw),) = rule.items()
    args = raw if isinstance(raw, list) else [raw]
    if op in {"and", "or", "!", "!!"}:
        return all(surely_vectorised(arg, kinds) for arg in args)
    if op == "missing":
        keys = args[0] if args and isinstance(args[0], list) else args
        return all(isinstance(key, str) and _plain({"var": key}, kinds) is not None for key in keys)
    test = _PAIRS.get(op)
    operands = [p for p in (_plain(arg, kinds) for arg in args) if p is not None]
    return (
        test is not None
        and len(operands) == len(args)
        and all(test(a, b) for a, b in pairwise(operands))
    )


def uses_untranslatable(rule: Any, kinds: Mapping[str, str]) -> bool:
    """Whether a rule holds a construct the engine always refuses (%, +, if, cat, odd var)."""
    if isinstance(rule, list):
        return any(uses_untranslatable(item, kinds) for item in rule)
    if not isinstance(rule, dict) or len(rule) != 1:
        return False
    ((op, raw),) = rule.items()
    if op in UNTRANSLATABLE_OPS:
        return True
    if op == "var":
        path = raw[0] if isinstance(raw, list) and raw else raw
        return isinstance(path, str) and _plain({"var": path}, kinds) is None
    return uses_untranslatable(raw, kinds)


INSTANTS: Final = st.lists(
    st.sampled_from(OFFSETS).map(lambda offset: BASE + offset), min_size=1, max_size=3
)


@st.composite
def definitions(draw: st.DrawFn, handle: str) -> BenefitDefinition:
    """A definition with random flags, window, end, caps and condition (CLM-1 to CLM-13)."""
    moments = st.none() | st.sampled_from(OFFSETS).map(lambda offset: BASE + offset)
    start, end = draw(moments), draw(moments)
    if start is not None and end is not None and start > end:
        start, end = end, start
    flags = st.sampled_from((True, True, False))
    fields: dict[str, Any] = {
        "handle": handle,
        "is_claimable": draw(flags),
        "is_published": draw(flags),
        "is_assignable": draw(flags),
        "is_archived": draw(st.sampled_from((False, False, True))),
        "claim_period_start_at": start,
        "claim_period_end_at": end,
        "end_at": draw(moments),
        "max_global_redemptions": draw(st.none() | st.integers(0, 3)),
        "total_global_redemptions": draw(st.integers(0, 3)),
        "force_allocation": draw(st.booleans()),
        "total_allocations_remaining": draw(st.none() | st.integers(0, 2)),
        "campaign": draw(st.none() | st.just("spring")),
        "claim_condition": draw(st.none() | rules()),
    }
    try:
        return BenefitDefinition(**fields)
    except ConditionError:
        reject()  # a malformed rule (COND-3) is not an example


@settings(
    max_examples=budget(150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    frame=member_frames(),
    data=st.data(),
    ats=INSTANTS,
    policy=st.one_of(st.just(DEFAULT_POLICY), policies()),
)
def test_auto_gives_the_python_frame(
    frame: pl.DataFrame, data: st.DataObject, ats: list[datetime], policy: Policy
) -> None:
    count = data.draw(st.integers(min_value=1, max_value=3), label="definitions")
    defs = [data.draw(definitions(f"d-{i}"), label=f"d-{i}") for i in range(count)]

    assert_same_frames(frame, defs, ats, policy=policy)

    choices = claim_engines(frame, defs)
    kinds = frame_kinds(frame)
    for definition in defs:
        assert definition.handle is not None
        choice = choices[definition.handle]
        rule = None if definition.claim_condition is None else definition.claim_condition.rule
        event(f"engine: {choice.engine}")
        if kinds is None:
            assert choice.engine == "python"
            continue
        if rule is None or surely_vectorised(rule, kinds):
            event("translatable by the documented grammar")
            assert choice.engine == "vectorized", (rule, choice)
        if rule is not None and uses_untranslatable(rule, kinds):
            event("has an untranslatable construct")
            assert choice.engine == "python", (rule, choice)
    vectorised = sum(choice.engine == "vectorized" for choice in choices.values())
    if frame.height:
        event(f"vectorised definitions (members > 0): {vectorised} of {count}")
    # Steer the search towards examples the vectorised engine decides.
    target(float(vectorised * min(frame.height, 1)), label="vectorised definitions")


_ATOMS: Final = (_typed_compare, _typed_columns, _typed_in, _typed_truth, _compare, _inside)


@st.composite
def atoms(draw: st.DrawFn) -> Any:
    """One comparison, membership or truthiness test, without nesting."""
    return draw(st.sampled_from(_ATOMS))(draw, 2)


@settings(max_examples=budget(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=member_frames(), rules_=st.lists(atoms(), min_size=4, max_size=12))
def test_each_atom_agrees(frame: pl.DataFrame, rules_: list[Any]) -> None:
    # Many single tests per frame, each its own open definition: a wrong answer for one
    # operand type cannot hide behind another test of an and/or.
    defs = []
    for index, rule in enumerate(rules_):
        try:
            defs.append(open_definition(rule, f"a-{index}"))
        except ConditionError:
            continue
    assert_same_frames(frame, defs, [BASE])
    choices = claim_engines(frame, defs)
    kinds = frame_kinds(frame)
    for definition in defs:
        assert definition.claim_condition is not None
        if kinds is not None and surely_vectorised(definition.claim_condition.rule, kinds):
            assert choices[definition.handle or ""].engine == "vectorized"


# --- examples: JavaScript's edge cases, one row each --------------------------------------------


def one_row(**columns: pl.Series) -> pl.DataFrame:
    return pl.DataFrame([pl.Series("id", ["m-1"]), *(s.alias(n) for n, s in columns.items())])


def series(values: list[Any], dtype: Any) -> pl.Series:
    return pl.Series("", values, dtype=dtype)


EDGE_CASES: Final = [
    # frame, rule, whether it holds under JavaScript, the engine that decides it
    pytest.param(
        one_row(n=series([12], pl.Int64)),
        {"==": [{"var": "n"}, "12"]},
        True,
        "vectorized",
        id="COND-11-number-column-equals-number-text",
    ),
    pytest.param(
        one_row(n=series([12], pl.Int64)),
        {"==": [{"var": "n"}, " 12 "]},
        True,
        "vectorized",
        id="COND-11-number-text-is-trimmed",
    ),
    pytest.param(
        one_row(t=series([""], pl.String)),
        {"==": [{"var": "t"}, 0]},
        True,
        "python",
        id="COND-11-empty-text-equals-zero-falls-back",
    ),
    pytest.param(
        one_row(b=series([True], pl.Boolean)),
        {"==": [{"var": "b"}, "1"]},
        True,
        "vectorized",
        id="COND-11-true-equals-text-one",
    ),
    pytest.param(
        one_row(n=series([2**53 + 1], pl.Int64)),
        {"==": [{"var": "n"}, 2**53]},
        True,
        "vectorized",
        id="COND-11-numbers-are-doubles",
    ),
    pytest.param(
        one_row(z=series([None], pl.Null)),
        {"==": [{"var": "z"}, None]},
        True,
        "vectorized",
        id="COND-11-null-column-equals-null",
    ),
    pytest.param(
        one_row(z=series([None], pl.Null)),
        {"==": [{"var": "z"}, 0]},
        False,
        "vectorized",
        id="COND-11-null-equals-only-null",
    ),
    pytest.param(
        one_row(),
        {"<": [{"var": "missing_col"}, 1]},
        True,
        "vectorized",
        id="COND-12-missing-is-null-is-zero",
    ),
    pytest.param(
        one_row(n=series([None], pl.Int64)),
        {"<": [{"var": "n"}, 1]},
        True,
        "vectorized",
        id="COND-12-null-cell-is-zero",
    ),
    pytest.param(
        one_row(s=series([None], pl.String)),
        {"<=": [{"var": "s"}, ""]},
        True,
        "vectorized",
        id="COND-12-null-text-cell-is-zero-not-text",
    ),
    pytest.param(
        one_row(s=series([None], pl.String)),
        {"<=": [{"var": "s"}, "b"]},
        False,
        "vectorized",
        id="COND-12-null-against-non-numeric-text-is-nan",
    ),
    pytest.param(
        one_row(n=series([1], pl.Int64)),
        {"<": [0, {"var": "n"}, 2]},
        True,
        "vectorized",
        id="COND-12-between",
    ),
    pytest.param(
        one_row(s=series(["0"], pl.String)),
        {"!!": [{"var": "s"}]},
        True,
        "vectorized",
        id="COND-10-text-zero-is-truthy",
    ),
    pytest.param(
        one_row(s=series([""], pl.String)),
        {"!!": [{"var": "s"}]},
        False,
        "vectorized",
        id="COND-10-empty-text-is-falsy",
    ),
    pytest.param(
        one_row(l=series([[]], pl.List(pl.String))),
        {"!!": [{"var": "l"}]},
        False,
        "vectorized",
        id="COND-10-empty-list-is-falsy",
    ),
    pytest.param(
        one_row(l=series([[None]], pl.List(pl.Null))),
        {"!!": [{"var": "l"}]},
        True,
        "vectorized",
        id="COND-10-list-of-null-is-truthy",
    ),
    pytest.param(
        one_row(f=series([-0.0], pl.Float64)),
        {"!": [{"var": "f"}]},
        True,
        "vectorized",
        id="COND-10-minus-zero-is-falsy",
    ),
    pytest.param(
        one_row(tags=series([["gold", "vip"]], pl.List(pl.String))),
        {"in": ["vip", {"var": "tags"}]},
        True,
        "vectorized",
        id="COND-in-text-in-list-column",
    ),
    pytest.param(
        one_row(tags=series([None], pl.List(pl.String))),
        {"in": ["vip", {"var": "tags"}]},
        False,
        "vectorized",
        id="COND-in-null-list-cell-holds-nothing",
    ),
    pytest.param(
        one_row(nums=series([[1, 2]], pl.List(pl.Int64))),
        {"in": ["1", {"var": "nums"}]},
        False,
        "vectorized",
        id="COND-in-list-membership-is-strict",
    ),
    pytest.param(
        one_row(tier=series([None], pl.String)),
        {"in": [{"var": "tier"}, ["gold", "silver"]]},
        False,
        "vectorized",
        id="COND-in-null-needle-in-list-without-null",
    ),
    pytest.param(
        one_row(tier=series([None], pl.String)),
        {"in": [{"var": "tier"}, ["gold", None]]},
        True,
        "vectorized",
        id="COND-in-null-needle-in-list-with-null",
    ),
    pytest.param(
        one_row(z=series([None], pl.Null)),
        {"in": [{"var": "z"}, ["gold", None]]},
        True,
        "vectorized",
        id="COND-in-null-column-in-list-with-null",
    ),
    pytest.param(
        one_row(tier=series([None], pl.String)),
        {"in": [{"var": "tier"}, "nullish"]},
        True,
        "vectorized",
        id="COND-in-null-needle-in-text-is-the-text-null",
    ),
    pytest.param(
        one_row(s=series([""], pl.String)),
        {"in": ["", {"var": "s"}]},
        False,
        "vectorized",
        id="COND-in-nothing-is-in-empty-text",
    ),
    pytest.param(
        one_row(f=series([-0.0], pl.Float64)),
        {"in": [{"var": "f"}, [0, 1]]},
        True,
        "vectorized",
        id="COND-in-minus-zero-is-strictly-zero",
    ),
    pytest.param(
        one_row(n=series([1], pl.Int64)),
        {"===": [{"var": "n"}, 1]},
        True,
        "vectorized",
        id="COND-11-strict-int-column",
    ),
    pytest.param(
        one_row(n=series([1.0], pl.Float64)),
        {"===": [{"var": "n"}, 1]},
        True,
        "vectorized",
        id="COND-11-strict-float-column",
    ),
    pytest.param(
        one_row(n=series([1], pl.Int64)),
        {"===": [{"var": "n"}, True]},
        False,
        "vectorized",
        id="COND-11-strict-true-is-not-one",
    ),
    pytest.param(
        one_row(b=series([True], pl.Boolean)),
        {"===": [{"var": "b"}, 1]},
        False,
        "vectorized",
        id="COND-11-strict-true-column-is-not-one",
    ),
    pytest.param(
        one_row(b=series([True], pl.Boolean)),
        {"<": [{"var": "b"}, 2]},
        True,
        "vectorized",
        id="COND-12-true-is-one",
    ),
    pytest.param(
        one_row(n=series([0], pl.Int64)),
        {"==": [{"var": "n"}, "abc"]},
        False,
        "vectorized",
        id="COND-11-non-numeric-text-is-nan",
    ),
    pytest.param(
        one_row(n=series([0], pl.Int64)),
        {"!=": [{"var": "n"}, None]},
        True,
        "vectorized",
        id="COND-11-zero-is-not-null",
    ),
    pytest.param(
        one_row(f=series([math.nan], pl.Float64)),
        {"==": [{"var": "f"}, None]},
        True,
        "vectorized",
        id="COND-5-nan-cell-is-null",
    ),
    pytest.param(
        one_row(f=series([math.nan], pl.Float64)),
        {"missing": ["f"]},
        True,
        "vectorized",
        id="COND-5-nan-cell-is-missing",
    ),
    pytest.param(
        one_row(s=series([""], pl.String)),
        {"missing": ["s"]},
        True,
        "vectorized",
        id="COND-missing-empty-text-is-missing",
    ),
    pytest.param(
        one_row(s=series(["😀"], pl.String)),
        {"<": [{"var": "s"}, "\ue000"]},
        True,
        "python",
        id="COND-12-utf16-order-private-use-falls-back",
    ),
    pytest.param(
        one_row(s=series(["😀"], pl.String)),
        {"<": [{"var": "s"}, "b"]},
        False,
        "vectorized",
        id="COND-12-utf16-order-below-surrogates-translates",
    ),
    pytest.param(
        one_row(**{"aggregations.spend_12m": series([1250.5], pl.Float64)}),
        {">": [{"var": "aggregations.spend_12m"}, 1000]},
        True,
        "vectorized",
        id="COND-4-dotted-column-is-a-nested-path",
    ),
    pytest.param(
        one_row(**{"aggregations.spend_12m": series([1250.5], pl.Float64)}),
        {"!!": [{"var": "aggregations"}]},
        True,
        "python",
        id="COND-4-the-object-of-a-dotted-column-falls-back",
    ),
]


@pytest.mark.parametrize(("frame", "rule", "holds", "engine"), EDGE_CASES)
def test_javascript_edge_case(frame: pl.DataFrame, rule: Any, holds: bool, engine: str) -> None:
    definition = open_definition(rule)
    assert engines_of(frame, [definition]) == {"d": engine}
    python = assert_same_frames(frame, [definition], [BASE])
    assert python is not None
    auto = claim_eligibility(frame, definition, at=BASE, timezone="UTC", strict=False)
    assert auto["allowed"].to_list() == [holds]
    assert auto["condition_not_met"].to_list() == [not holds]
    assert python["allowed"].to_list() == [holds]


def test_fallback_reason_names_the_construct() -> None:
    frame = one_row(t=series([""], pl.String))
    choice = claim_engines(frame, [open_definition({"==": [{"var": "t"}, 0]})])["d"]
    assert choice.engine == "python"
    assert choice.reason  # it names what made the difference
    vectorised = claim_engines(frame, [open_definition({"==": [{"var": "t"}, ""]})])["d"]
    assert vectorised == EngineChoice("vectorized", "")


def test_mixed_engines_keep_the_row_order() -> None:
    # Two members, three definitions (vectorised, python, vectorised), two instants: the rows
    # run member, definition, instant whichever engine decided each definition.
    frame = pl.DataFrame({"id": ["m-1", "m-2"], "n": [3, None], "s": ["", "gold"]})
    defs = [
        open_definition({">": [{"var": "n"}, 2]}, "a"),
        open_definition({"==": [{"var": "s"}, 0]}, "b"),
        open_definition({"!!": [{"var": "s"}]}, "c"),
    ]
    assert engines_of(frame, defs) == {"a": "vectorized", "b": "python", "c": "vectorized"}
    ats = [BASE, BASE + timedelta(days=1)]
    python = assert_same_frames(frame, defs, ats)
    assert python is not None
    assert python["definition"].to_list() == ["a", "a", "b", "b", "c", "c"] * 2
    # m-1: 3 > 2, "" == 0, "" falsy; m-2: null > 2 is 0 > 2, "gold" == 0 is NaN == 0, truthy.
    member_1 = [True, True, True, True, False, False]
    member_2 = [False, False, False, False, True, True]
    assert python["allowed"].to_list() == member_1 + member_2


# --- regressions: frames the vectorised engine misread ------------------------------------------
# Each failed against the engine of commit 71ec6c4 (a column name clashing with the engine's own
# columns or read by polars as a pattern; bad input the python engine refuses) or against a
# later working copy (a condition that is a constant, explained for one member only).


REGRESSIONS: Final = [
    pytest.param(
        pl.DataFrame({"id": ["m-1"], "__profile_id": ["x"]}),
        {"==": [{"var": "__profile_id"}, "x"]},
        id="column-named-__profile_id-is-the-members-own",
    ),
    pytest.param(
        pl.DataFrame({"id": ["m-1"], "__timezone": ["x"]}),
        {"==": [{"var": "__timezone"}, "x"]},
        id="column-named-__timezone-is-the-members-own",
    ),
    pytest.param(
        pl.DataFrame({"id": ["m-1"], "__member": [5]}),
        {"==": [{"var": "__member"}, 5]},
        id="column-named-__member-does-not-clash",
    ),
    pytest.param(
        pl.DataFrame({"id": ["m-1"], "^id$": ["q"]}),
        {"==": [{"var": "^id$"}, "q"]},
        id="column-name-is-not-a-regex",
    ),
    pytest.param(
        pl.DataFrame({"id": ["m-1"], "*": [0]}),
        {"!": [{"var": "*"}]},
        id="column-named-star-is-not-a-wildcard",
    ),
    pytest.param(
        pl.DataFrame({"id.x": ["m-1"]}),
        {"==": [1, 1]},
        id="PAY-7-dotted-column-nesting-under-id-is-bad-input",
    ),
    pytest.param(
        pl.DataFrame({".".join(["a"] * 129): [1]}),
        {"==": [1, 1]},
        id="dotted-column-nesting-deeper-than-MAX_NESTING-is-bad-input",
    ),
    pytest.param(
        pl.DataFrame({"id": ["m-1", "m-2"]}),
        {"var": "n"},
        id="CLM-8-a-constant-condition-is-explained-for-every-member",
    ),
    pytest.param(
        pl.DataFrame(
            {"id": ["m-1", "m-2"], "n": [None, None]}, schema={"id": pl.String, "n": pl.Int64}
        ),
        {"==": [1, 2]},
        id="CLM-8-a-folded-condition-is-explained-for-every-member",
    ),
    pytest.param(
        pl.DataFrame(schema={"id": pl.String}),
        {"var": "n"},
        id="CLM-8-a-constant-condition-over-no-members",
    ),
]


@pytest.mark.parametrize(("frame", "rule"), REGRESSIONS)
def test_frames_the_engine_once_misread(frame: pl.DataFrame, rule: Any) -> None:
    assert_same_frames(frame, [open_definition(rule)], [BASE])


# --- the JSON Logic conformance suite on one-row frames ---------------------------------------


def _literal_vars(node: Any) -> bool:
    """Whether every var in a rule has a literal text path (no computed or whole-data read)."""
    if isinstance(node, list):
        return all(_literal_vars(item) for item in node)
    if not isinstance(node, dict):
        return True
    if len(node) == 1 and "var" in node:
        raw = node["var"]
        args = raw if isinstance(raw, list) else [raw]
        return bool(args) and isinstance(args[0], str) and all(map(_literal_vars, args[1:]))
    return all(_literal_vars(value) for value in node.values())


def _flat_columns(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any] | None:
    """Data as dotted columns: scalars and flat lists of one type; None when not so."""
    found: dict[str, Any] = {}
    for key, value in data.items():
        if "." in key or key == "":
            return None
        name = prefix + key
        if isinstance(value, dict):
            nested = _flat_columns(value, name + ".") if value else None
            if nested is None:
                return None
            found.update(nested)
        elif isinstance(value, list):
            kinds = {type(item) for item in value}
            if len(kinds) > 1 or kinds & {list, dict}:
                return None
            found[name] = value
        else:
            found[name] = value
    return found


_DATA_OPERATORS: Final = frozenset({"var", "missing", "missing_some"})


def _reads_data(node: Any) -> bool:
    if isinstance(node, list):
        return any(_reads_data(item) for item in node)
    if not isinstance(node, dict):
        return False
    return bool(_DATA_OPERATORS & set(node)) or any(_reads_data(v) for v in node.values())


def _frame_of(rule: Any, data: Any) -> pl.DataFrame | None:
    """A one-row member frame holding ``data`` (an id added), or None when it has none."""
    if data is None and not _reads_data(rule):
        data = {}  # the rule reads no data: an empty member gives the same value
    if not isinstance(data, dict):
        return None
    columns = _flat_columns(data)
    if columns is None or not isinstance(columns.get("id", ""), str):
        return None
    columns = {"id": columns.get("id", "m-1"), **columns}
    try:
        return pl.DataFrame([pl.Series(name, [value]) for name, value in columns.items()])
    except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError):
        return None


def _suite_cases() -> list[Any]:
    params = []
    for case_id, rule, data, expected in suite_cases():
        if not (isinstance(rule, dict) and len(rule) == 1) or not _literal_vars(rule):
            continue
        frame = _frame_of(rule, data)
        if frame is None:
            continue
        try:
            definition = open_definition(rule)
        except ConditionError:
            continue
        params.append(pytest.param(frame, definition, expected, id=case_id))
    return params


SUITE_CASES: Final = _suite_cases()


@pytest.mark.parametrize(("frame", "definition", "expected"), SUITE_CASES)
def test_conformance_case(
    frame: pl.DataFrame, definition: BenefitDefinition, expected: Any
) -> None:
    python = assert_same_frames(frame, [definition], [BASE])
    assert python is not None
    # The suite's value is json-logic-js's: the claim is allowed iff it is truthy (COND-4).
    assert python["allowed"].to_list() == [truthy(expected)]


def test_conformance_cases_are_mostly_vectorised() -> None:
    engines = [
        engines_of(frame, [definition])["d"]
        for frame, definition, _ in (case.values for case in SUITE_CASES)
    ]
    vectorised = engines.count("vectorized")
    print(f"JSON Logic suite: {len(engines)} cases ran, {vectorised} vectorised")  # noqa: T201
    assert len(engines) >= 230
    assert vectorised >= 100


# --- the exported strategies ------------------------------------------------------------------


def _profiles_frame(profiles: Sequence[Profile]) -> pl.DataFrame | None:
    """The profiles' JSON as polars builds it: nested objects become struct columns."""
    try:
        return pl.DataFrame([profile.to_api() for profile in profiles])
    except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError):
        # A mixed column polars will not type, or an integer past i128: nothing to compare.
        return None


@settings(max_examples=budget(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_exported_strategies_agree_on_both_engines(data: st.DataObject) -> None:
    """The exported strategies' profiles, definitions, holdings and policies agree.

    Conditions are drawn over the profiles' schema; nested fields become struct columns. The
    vectorised frame equals the python one cell for cell, holders included.
    """
    members = data.draw(
        st.lists(strategies.profiles(), min_size=1, max_size=5, unique_by=lambda p: p.id),
        label="profiles",
    )
    frame = _profiles_frame(members)
    assume(frame is not None)
    assert frame is not None
    definitions = data.draw(
        st.lists(
            strategies.benefit_definitions(),
            min_size=1,
            max_size=3,
            unique_by=lambda d: (d.handle, d.id),
        ),
        label="definitions",
    )
    held = strategies.benefits(definition=st.sampled_from(definitions))
    holdings = {
        member.id: data.draw(st.lists(held, max_size=3), label=f"holdings of {member.id}")
        for member in members
        if member.id is not None
    }
    ats = data.draw(st.lists(strategies.instants(), min_size=1, max_size=3), label="at")
    policy = data.draw(policies(), label="policy")
    zone = data.draw(strategies.zones(), label="zone")
    for messages in (False, True):
        options: dict[str, Any] = {
            "at": ats,
            "timezone": zone,
            "holdings": holdings,
            "policy": policy,
            "messages": messages,
            "strict": False,
        }
        try:
            loop = claim_eligibility(frame, definitions, engine="python", **options)
        except (InvalidRequest, PayloadError) as exc:
            with pytest.raises(type(exc)):
                claim_eligibility(frame, definitions, **options)
            continue
        auto = claim_eligibility(frame, definitions, with_engine=True, **options)
        event(f"engines: {sorted(set(auto['engine']))}")
        assert_frame_equal(auto.drop("engine"), loop, check_exact=True)
