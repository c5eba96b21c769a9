"""The vectorised claim engine: a definition's claim check as polars expressions over members.

A claim check (CLM-1 to CLM-16) splits into what depends on the member and what does not.
Without holdings, only the claim condition (CLM-8) reads the member; every other rule reads the
definition and the instant. So each (definition, instant) is decided once by the library's own
:func:`~loyalty_core.check_claim` on a member-free copy of the definition, and the condition is
translated from JSON Logic into one polars expression, evaluated for every member at once. The
answers are broadcast to one row per (member, definition, instant), exactly as the python engine
lays them out.

The translation is exact or refused: each operator, operand type and column type it accepts
has JavaScript's semantics (COND-10 to COND-12), resolved from the column's dtype when the
expression is built. Anything else raises :class:`Untranslatable` naming the construct, and
that definition is decided by the python engine instead; the answer is never approximated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any, Final, NoReturn

import attrs

from loyalty_core import _js as js
from loyalty_core._jsonlogic_ops import op_in, split_path
from loyalty_core.benefits import BenefitDefinition
from loyalty_core.claims import check_claim
from loyalty_core.decisions import ReasonCode
from loyalty_core.limits import MAX_NESTING, show
from loyalty_core.policy import Policy
from loyalty_core.profiles import Profile

__all__ = [
    "Base",
    "ColumnKind",
    "EngineChoice",
    "Untranslatable",
    "aliases",
    "base_answers",
    "load_members",
    "member_columns",
    "translate",
]

ColumnKind = str
"""How a frame column reads in a condition: ``number``, ``string``, ``bool``, ``null``, or
``list:<kind>`` for a list column of one of those."""


class Untranslatable(Exception):  # noqa: N818 - a signal: this definition goes to python
    """A construct the vectorised engine cannot evaluate exactly; ``reason`` names it."""

    def __init__(self, reason: str) -> None:
        """Record why the definition falls back to the python engine."""
        super().__init__(reason)
        self.reason = reason


def _refuse(reason: str) -> NoReturn:
    """Give up on this definition: the python engine decides it (``reason`` names why)."""
    raise Untranslatable(reason)


@attrs.frozen
class EngineChoice:
    """Which engine decides a definition's rows, and why (``reason`` is ``""`` when vectorised)."""

    engine: str
    reason: str = ""


# --- the member frame ---------------------------------------------------------------------------


def _kind_of(polars: Any, dtype: Any) -> ColumnKind | None:
    """The condition kind of a polars dtype, or ``None`` when the engine does not read it."""
    if dtype.is_numeric() and not isinstance(dtype, polars.Decimal):
        return "number"
    if dtype in (polars.String, polars.Categorical) or isinstance(
        dtype, polars.Categorical | polars.Enum
    ):
        return "string"
    if dtype == polars.Boolean:
        return "bool"
    if dtype == polars.Null:
        return "null"
    if isinstance(dtype, polars.List):
        inner = _kind_of(polars, dtype.inner)
        if inner in {"string", "bool", "null"} or (inner == "number" and dtype.inner.is_integer()):
            return f"list:{inner}"
    return None


def _leaves(
    polars: Any, schema: Mapping[str, Any]
) -> list[tuple[str, int, tuple[str, ...], Any]] | None:
    """Each column the engine reads: its dotted name, position, struct fields and dtype.

    A struct column stands for the nested object the python engine reads from it: each of its
    fields, at any depth, is a column named with dots (``aggregations.spend_12m``). ``None``
    when a struct has no field, or a field name that holds a dot or is empty (the python
    engine would nest it differently).
    """
    found: list[tuple[str, int, tuple[str, ...], Any]] = []
    pending: list[tuple[str, int, tuple[str, ...], Any]] = [
        (str(name), index, (), dtype) for index, (name, dtype) in enumerate(schema.items())
    ]
    pending.reverse()
    while pending:
        name, index, fields, dtype = pending.pop()
        if not isinstance(dtype, polars.Struct):
            found.append((name, index, fields, dtype))
            continue
        inner = list(dtype.fields)
        if not inner or any(not f.name or "." in f.name for f in inner):
            return None
        pending.extend(
            (f"{name}.{f.name}", index, (*fields, f.name), f.dtype) for f in reversed(inner)
        )
    return found


def member_columns(polars: Any, frame: Any) -> dict[str, ColumnKind] | None:
    """The condition kinds of a member frame's columns, or ``None`` to use the python engine.

    Struct columns count as their fields, named with dots (:func:`_leaves`). ``None`` when
    the python engine would read the frame differently or refuse it: a column of another dtype
    (dates, decimals, nested lists, lists of floats), an ``id`` column that is not text, an
    infinite number (not JSON), or dotted names that nest under another column (the python
    engine reports those as bad input).
    """
    schema = frame.collect_schema()
    nests = _nests_like_the_loop({str(name) for name in schema})
    leaves = _leaves(polars, schema) if nests else None
    if leaves is None:
        return None
    kinds: dict[str, ColumnKind] = {}
    for name, _, _, dtype in leaves:
        kind = _kind_of(polars, dtype)
        if kind is None or name in kinds:
            return None
        kinds[name] = kind
    if kinds.get("id", "string") not in {"string", "null"}:
        return None
    if not _nests_like_the_loop(set(kinds)):
        return None
    floats = [_source(polars, index, fields) for _, index, fields, d in leaves if d.is_float()]
    if floats:
        # An infinite number is not JSON: the python engine reports it as bad input.
        check = frame.select(polars.any_horizontal([f.is_infinite().any() for f in floats]))
        if type(check) is polars.LazyFrame:
            check = check.collect()
        if check.item():
            return None
    return kinds


def struct_fields(polars: Any, frame: Any) -> frozenset[str]:
    """The dotted names of the fields read from struct columns (:func:`_leaves`)."""
    return frozenset(
        name for name, _, fields, _ in _leaves(polars, frame.collect_schema()) or [] if fields
    )


def _source(polars: Any, index: int, fields: Sequence[str]) -> Any:
    """The expression reading a column by position, then into its struct fields."""
    column = polars.nth(index)
    for field in fields:
        column = column.struct.field(field)
    return column


def _nests_like_the_loop(names: set[str]) -> bool:
    """Whether dotted names nest as the loop nests them, with nothing it reports as bad input."""
    for name in names:
        parts = name.split(".")
        if any(".".join(parts[:end]) in names for end in range(1, len(parts))):
            return False  # a column nesting under another column
        if parts[0] == "id" and len(parts) > 1:
            return False  # nesting under the profile's id (PAY-7)
        if len(parts) >= MAX_NESTING - 1:
            return False  # deeper than a profile may nest
    return True


def aliases(kinds: Mapping[str, ColumnKind]) -> dict[str, str]:
    """The engine's own name for each member column, by position.

    No name a member frame may have (``__member``, ``*``, ``^id$``, …) is then ever read as a
    pattern, or clashes with the engine's own columns.
    """
    return {name: f"__c{index}" for index, name in enumerate(kinds)}


def load_members(polars: Any, frame: Any, kinds: Mapping[str, ColumnKind]) -> Any:
    """The member frame as the engine reads it: numbers as Float64 (NaN as null), text as text.

    The python engine reads a NaN cell as null and every JSON number as a double (COND-5); a
    categorical column is its text. Columns are taken by position and renamed (:func:`aliases`).
    """
    exprs = []
    renamed = aliases(kinds)
    leaves = _leaves(polars, frame.collect_schema()) or []
    for name, index, fields, _ in leaves:
        kind = kinds[name]
        column = _source(polars, index, fields)
        if kind == "number":
            column = column.cast(polars.Float64).fill_nan(None)
        elif kind == "string":
            column = column.cast(polars.String)
        elif kind == "list:number":
            column = column.cast(polars.List(polars.Float64))
        exprs.append(column.alias(renamed[name]))
    # Without columns, a row number keeps the members' count (an empty select has no rows).
    return frame.select(exprs or [polars.int_range(polars.len()).alias("__rows")])


# --- the translation ----------------------------------------------------------------------------


@attrs.frozen
class _Const:
    """A value known when the expression is built (a literal, or a variable naming no column)."""

    value: Any


@attrs.frozen
class _Col:
    """A column read by ``var``: its name and condition kind."""

    name: str
    kind: ColumnKind


@attrs.frozen
class _Bool:
    """A boolean expression with no nulls (a comparison's or a logical operator's result)."""

    expr: Any


_Operand = _Const | _Col | _Bool


def _is_logic(node: object) -> bool:
    return isinstance(node, dict) and len(node) == 1


def _args(node: dict[str, Any]) -> tuple[str, list[Any]]:
    ((op, raw),) = node.items()
    return op, list(raw) if isinstance(raw, list) else [raw]


def _is_text_safe(text: str) -> bool:
    # Polars orders text by UTF-8 bytes, that is by code point. JavaScript orders by UTF-16 code
    # unit. The two agree whenever one side has only characters below U+D800 (the first
    # differing character then decides alike in both), which is checked on the constant side.
    return all(ord(ch) < 0xD800 for ch in text)


class _Translator:
    """Translates one rule over one member frame's columns (``kinds``)."""

    def __init__(
        self,
        polars: Any,
        kinds: Mapping[str, ColumnKind],
        in_structs: AbstractSet[str] = frozenset(),
    ) -> None:
        self.pl = polars
        self.kinds = kinds
        self.in_structs = in_structs
        self.aliases = aliases(kinds)

    # Values ---------------------------------------------------------------------------------

    def value(self, node: Any) -> _Operand:
        if not isinstance(node, dict):
            if isinstance(node, list):
                if any(isinstance(item, dict) for item in node):
                    _refuse("an array literal holding logic")
                return _Const(node)
            return _Const(node)
        if len(node) != 1:
            _refuse("an object literal")
        op, args = _args(node)
        handler = self._VALUES.get(op)
        if handler is None:
            _refuse(f"the operator {show(op)}")
        return handler(self, args)

    def var(self, args: list[Any]) -> _Operand:
        if not args or _is_logic(args[0]) or isinstance(args[0], list | dict):
            _refuse("a var whose path is computed or the whole data")
        if len(args) > 1 and (_is_logic(args[1]) or isinstance(args[1], list | dict)):
            _refuse("a var whose default is computed")
        steps = split_path(args[0])
        if steps is None:
            _refuse("a var of the whole data")
        name = ".".join(steps)
        kind = self.kinds.get(name)
        if kind is not None:
            if name in self.in_structs and len(args) > 1 and args[1] is not None:
                # A null struct is a missing object, where the default applies; a null field
                # is a null value, where it does not. One column cannot tell them apart.
                _refuse(f"a var with a default into a struct column ({show(name)})")
            # Every row has every column, so the key is present and a default never applies.
            return _Col(self.aliases[name], kind)
        prefix = name + "."
        if any(column.startswith(prefix) for column in self.kinds):
            _refuse(f"a var reading an object ({show(name)})")
        if any(".".join(steps[:end]) in self.kinds for end in range(1, len(steps))):
            _refuse(f"a var stepping into a value ({show(name)})")
        return _Const(args[1] if len(args) > 1 else None)

    def compare(self, args: list[Any], test: Callable[[_Operand, _Operand], Any]) -> _Operand:
        left, right = self.value(args[0]), self.value(args[1])
        return self._bool(test(left, right))

    def _bool(self, found: Any) -> _Operand:
        if isinstance(found, bool):
            return _Const(found)
        return _Bool(found)

    def loose(self, args: list[Any]) -> _Operand:
        return self.compare(args, self.loose_equal)

    def loose_not(self, args: list[Any]) -> _Operand:
        return self._negate(self.loose(args))

    def strict(self, args: list[Any]) -> _Operand:
        return self.compare(args, self.strict_equal)

    def strict_not(self, args: list[Any]) -> _Operand:
        return self._negate(self.strict(args))

    def _negate(self, found: _Operand) -> _Operand:
        if isinstance(found, _Const):
            return _Const(not found.value)
        assert isinstance(found, _Bool)  # noqa: S101 - comparisons give constants or booleans
        return _Bool(~found.expr)

    def less_than(self, args: list[Any]) -> _Operand:
        return self._chain(args, or_equal=False)

    def less_equal(self, args: list[Any]) -> _Operand:
        return self._chain(args, or_equal=True)

    def greater(self, args: list[Any]) -> _Operand:
        return self.compare([args[1], args[0]], self._less(or_equal=False))

    def greater_equal(self, args: list[Any]) -> _Operand:
        return self.compare([args[1], args[0]], self._less(or_equal=True))

    def _chain(self, args: list[Any], *, or_equal: bool) -> _Operand:
        first = self.compare(args[:2], self._less(or_equal=or_equal))
        if len(args) < 3:
            return first
        second = self.compare(args[1:3], self._less(or_equal=or_equal))
        return self._all([first, second])

    def not_(self, args: list[Any]) -> _Operand:
        return self._bool_or_const(~self.truth(args[0]))

    def not_not(self, args: list[Any]) -> _Operand:
        return self._bool_or_const(self.truth(args[0]))

    def _bool_or_const(self, expr: Any) -> _Operand:
        return _Bool(expr)

    def inside(self, args: list[Any]) -> _Operand:
        needle, haystack = self.value(args[0]), self.value(args[1])
        return self._bool(self._in(needle, haystack))

    def _values_not_allowed(self, _args: list[Any]) -> _Operand:
        _refuse("and/or/missing used as a value")

    _VALUES: Final[Mapping[str, Callable[[_Translator, list[Any]], _Operand]]] = {
        "var": var,
        "==": loose,
        "!=": loose_not,
        "===": strict,
        "!==": strict_not,
        "<": less_than,
        "<=": less_equal,
        ">": greater,
        ">=": greater_equal,
        "!": not_,
        "!!": not_not,
        "in": inside,
    }

    # Truthiness (COND-10) ------------------------------------------------------------------

    def truth(self, node: Any) -> Any:  # noqa: PLR0911 - one answer per kind
        """A non-null boolean expression: whether ``node``'s value is truthy."""
        pl = self.pl
        if _is_logic(node):
            op, args = _args(node)
            if op in {"and", "or"}:
                # The value of and/or is one of its operands; its truthiness is all/any of theirs.
                parts = [self.truth(arg) for arg in args]
                return pl.all_horizontal(parts) if op == "and" else pl.any_horizontal(parts)
            if op == "missing":
                return self._missing(args)
        found = self.value(node)
        if isinstance(found, _Const):
            return pl.lit(js.truthy(found.value))
        if isinstance(found, _Bool):
            return found.expr
        column = pl.col(found.name)
        kind = found.kind
        if kind == "number":
            return (column != 0).fill_null(value=False)
        if kind == "string":
            return (column.str.len_bytes() > 0).fill_null(value=False)
        if kind == "bool":
            return column.fill_null(value=False)
        if kind == "null":
            return pl.lit(value=False)
        return (column.list.len() > 0).fill_null(value=False)

    def _missing(self, args: list[Any]) -> Any:
        pl = self.pl
        keys = args[0] if args and isinstance(args[0], list) else args
        parts = []
        for key in keys:
            if isinstance(key, list | dict):
                _refuse("a missing key with a default or logic")
            found = self.var([key])
            if isinstance(found, _Const):
                value = found.value
                parts.append(pl.lit(value is None or (isinstance(value, str) and value == "")))
            else:
                assert isinstance(found, _Col)  # noqa: S101 - var gives a column or a constant
                column = pl.col(found.name)
                empty = column.is_null()
                if found.kind == "string":
                    empty = empty | (column == "").fill_null(value=False)
                parts.append(empty)
        return pl.any_horizontal(parts) if parts else pl.lit(value=False)

    def _all(self, parts: Sequence[_Operand]) -> _Operand:
        pl = self.pl
        exprs = [
            pl.lit(js.truthy(p.value)) if isinstance(p, _Const) else p.expr  # type: ignore[union-attr]
            for p in parts
        ]
        return _Bool(pl.all_horizontal(exprs))

    # Equality (COND-11) ---------------------------------------------------------------------

    def loose_equal(self, left: _Operand, right: _Operand) -> Any:
        left, right = self._concrete(left), self._concrete(right)
        if isinstance(left, _Const) and isinstance(right, _Const):
            return js.loose_equal(left.value, right.value)
        if isinstance(left, _Const):
            left, right = right, left
        assert isinstance(left, _Col)  # noqa: S101 - a constant was swapped to the right
        if isinstance(right, _Col):
            return self._columns_equal(left, right)
        return self._column_loose_equals(left, right.value)

    def _column_loose_equals(self, column: _Col, value: Any) -> Any:
        pl = self.pl
        expr, kind = pl.col(column.name), column.kind
        if value is None:
            return expr.is_null() if kind != "null" else True
        if kind == "null":
            return False
        if isinstance(value, list | dict) or kind.startswith("list:"):
            _refuse("== between an array or object and another value")
        if isinstance(value, bool):
            value = int(value)
        if kind == "string":
            if isinstance(value, str):
                return (expr == value).fill_null(value=False)
            _refuse("== between a text column and a number (ToNumber of each cell)")
        # A number or boolean column: both sides as doubles (a boolean is 0 or 1).
        number = js.string_to_number(value) if isinstance(value, str) else js.to_double(value)
        if math.isnan(number):
            return False
        return (expr.cast(pl.Float64) == number).fill_null(value=False)

    def _columns_equal(self, left: _Col, right: _Col) -> Any:
        pl = self.pl
        kinds = {left.kind, right.kind}
        a, b = pl.col(left.name), pl.col(right.name)
        both_null = a.is_null() & b.is_null()
        if kinds <= {"number", "bool"}:
            return both_null | (a.cast(pl.Float64) == b.cast(pl.Float64)).fill_null(value=False)
        if kinds == {"string"}:
            return both_null | (a == b).fill_null(value=False)
        if "null" in kinds and not any(k.startswith("list:") for k in kinds):
            return both_null
        _refuse(f"== between columns of kinds {sorted(kinds)}")

    def strict_equal(self, left: _Operand, right: _Operand) -> Any:  # noqa: C901, PLR0911 - JS cases
        left, right = self._concrete(left), self._concrete(right)
        if isinstance(left, _Const) and isinstance(right, _Const):
            return js.strict_equal(left.value, right.value)
        if isinstance(left, _Const):
            left, right = right, left
        assert isinstance(left, _Col)  # noqa: S101 - a constant was swapped to the right
        pl = self.pl
        expr, kind = pl.col(left.name), left.kind
        if isinstance(right, _Col):
            if left.kind == right.kind and kind in {"number", "string", "bool"}:
                other = pl.col(right.name)
                return (expr.is_null() & other.is_null()) | (expr == other).fill_null(value=False)
            if "list:" in left.kind + right.kind:
                _refuse("=== between array columns (object identity)")
            return expr.is_null() & pl.col(right.name).is_null()
        value = right.value
        if value is None:
            return expr.is_null() if kind != "null" else True
        if kind == "null" or isinstance(value, list | dict):
            return False
        if isinstance(value, bool):
            return (expr == value).fill_null(value=False) if kind == "bool" else False
        if isinstance(value, str):
            return (expr == value).fill_null(value=False) if kind == "string" else False
        if kind == "number":
            return (expr == js.to_double(value)).fill_null(value=False)
        return False

    # Order (COND-12) ------------------------------------------------------------------------

    def _less(self, *, or_equal: bool) -> Callable[[_Operand, _Operand], Any]:
        def test(left: _Operand, right: _Operand) -> Any:
            return self.less(left, right, or_equal=or_equal)

        return test

    def less(self, left: _Operand, right: _Operand, *, or_equal: bool) -> Any:  # noqa: C901 - JS cases
        left, right = self._concrete(left), self._concrete(right)
        if isinstance(left, _Const) and isinstance(right, _Const):
            return js.less(left.value, right.value, or_equal=or_equal)
        pl = self.pl
        if isinstance(left, _Col) and isinstance(right, _Col):
            if {left.kind, right.kind} <= {"number", "bool", "null"}:
                a, b = self._as_number(left), self._as_number(right)
                return (a <= b) if or_equal else (a < b)
            _refuse("< between text or array columns")
        column, constant = (left, right) if isinstance(left, _Col) else (right, left)
        assert isinstance(column, _Col)  # noqa: S101 - one side is a column
        assert isinstance(constant, _Const)  # noqa: S101 - the other a constant
        value = js.to_primitive(constant.value)
        if column.kind.startswith("list:"):
            _refuse("< on an array column")
        if column.kind == "string":
            if not isinstance(value, str):
                _refuse("< between a text column and a number (ToNumber per cell)")
            if not _is_text_safe(value):
                _refuse("< on text with characters from U+D800 up")
            expr = pl.col(column.name)
            # A null cell is not text: both sides go through ToNumber, null being 0.
            on_null = (
                js.less(None, value, or_equal=or_equal)
                if column is left
                else js.less(value, None, or_equal=or_equal)
            )
            if column is left:
                compared = (expr <= value) if or_equal else (expr < value)
            else:
                compared = (expr >= value) if or_equal else (expr > value)
            return pl.when(expr.is_null()).then(pl.lit(on_null)).otherwise(compared)
        number = js.to_number(value)
        if math.isnan(number):
            return False
        expr = self._as_number(column)
        if column is left:
            return (expr <= number) if or_equal else (expr < number)
        return (expr >= number) if or_equal else (expr > number)

    def _as_number(self, column: _Col) -> Any:
        # ToNumber: null is 0, true 1, false 0; numbers are already doubles.
        pl = self.pl
        if column.kind == "null":
            return pl.lit(0.0)
        return pl.col(column.name).cast(pl.Float64).fill_null(0.0)

    # Membership ------------------------------------------------------------------------------

    def _in(self, needle: _Operand, haystack: _Operand) -> Any:  # noqa: PLR0911 - JS cases
        needle, haystack = self._concrete(needle), self._concrete(haystack)
        if isinstance(needle, _Const) and isinstance(haystack, _Const):
            return op_in(needle.value, haystack.value)
        pl = self.pl
        if isinstance(haystack, _Const):
            assert isinstance(needle, _Col)  # noqa: S101 - the other side is a column
            return self._column_in_constant(needle, haystack.value)
        if isinstance(needle, _Col):
            _refuse("in between two columns")
        assert isinstance(needle, _Const)  # noqa: S101 - a column haystack, a constant needle
        value, expr, kind = needle.value, pl.col(haystack.name), haystack.kind
        if kind == "string":
            text = js.js_string(value)
            return ((expr != "") & expr.str.contains(text, literal=True)).fill_null(value=False)
        if not kind.startswith("list:"):
            return False
        inner = kind.removeprefix("list:")
        if value is None:
            _refuse("in looking for null in an array column")
        if inner == "null" or isinstance(value, list | dict):
            return False
        matches = {
            "string": isinstance(value, str),
            "bool": isinstance(value, bool),
            "number": js.is_number(value),
        }[inner]
        if not matches:
            return False
        wanted = js.to_double(value) if inner == "number" else value
        return expr.list.contains(wanted).fill_null(value=False)

    def _column_in_constant(self, needle: _Col, haystack: Any) -> Any:
        pl = self.pl
        expr, kind = pl.col(needle.name), needle.kind
        if isinstance(haystack, str):
            if haystack == "":
                return False
            if kind != "string":
                _refuse("in with a non-text column in a text")
            return (
                pl.when(expr.is_null())
                .then(pl.lit(js.contains_text(haystack, "null")))
                .otherwise(pl.lit(haystack).str.contains(expr, literal=True))
            )
        if not isinstance(haystack, list):
            return False
        if kind.startswith("list:"):
            _refuse("in of an array column in an array (object identity)")
        has_null = any(item is None for item in haystack)
        if kind == "null":
            return has_null
        if kind == "string":
            items: list[Any] = [i for i in haystack if isinstance(i, str)]
        elif kind == "bool":
            items = [i for i in haystack if isinstance(i, bool)]
        else:
            items = [js.to_double(i) for i in haystack if js.is_number(i)]
        found = expr.is_in(items) if items else pl.lit(value=False)
        return pl.when(expr.is_null()).then(pl.lit(has_null)).otherwise(found)

    def _concrete(self, operand: _Operand) -> _Const | _Col:
        if isinstance(operand, _Bool):
            _refuse("a comparison's result used as an operand")
        return operand


def translate(
    polars: Any,
    rule: Any,
    kinds: Mapping[str, ColumnKind],
    in_structs: AbstractSet[str] = frozenset(),
) -> Any:
    """Translate a condition into a non-null boolean expression: whether it holds (COND-10).

    Raises :class:`Untranslatable` naming the first construct that cannot be evaluated exactly.
    """
    return _Translator(polars, kinds, in_structs).truth(rule)


# --- the definition-level answers ----------------------------------------------------------------

_CONDITION_CODE: Final = ReasonCode.CONDITION_NOT_MET


@attrs.frozen
class Base:
    """A definition's answer at one instant for a member whose condition holds, and the codes."""

    codes: tuple[ReasonCode, ...]
    """The failed rules' codes when the condition holds (no member-dependent rule fails)."""
    retry_at: datetime | None
    messages: tuple[str, ...]


def base_answers(
    definition: BenefitDefinition,
    instants: Sequence[datetime],
    policy: Policy,
    *,
    with_messages: bool,
) -> list[Base]:
    """Decide a definition at each instant with its condition taken as holding (CLM-1 to 16).

    Without holdings no other rule reads the member, so each answer holds for every member
    whose condition holds; one whose condition fails also gets ``condition_not_met`` and no
    ``retry_at`` (a failure no instant cures, TIME-9).
    """
    free = attrs.evolve(definition, claim_condition=None)
    found = []
    for at in instants:
        decision = check_claim(free, _NOBODY, at=at, timezone="UTC", policy=policy)
        codes = tuple(reason.code for reason in decision.reasons)
        messages = tuple(reason.message for reason in decision.reasons) if with_messages else ()
        found.append(Base(codes, decision.retry_at, messages))
    return found


_NOBODY: Final = Profile()
