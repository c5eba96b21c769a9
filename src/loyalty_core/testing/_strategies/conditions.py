"""Profile schemas, profile data and JSON Logic conditions over them (COND).

Private: import them from :mod:`loyalty_core.testing.strategies`. :func:`conditions` gives
rules that compile and read only a schema's variables; :func:`profile_contexts` gives data
matching the schema, drawn from the same values the rules compare with.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final, Literal

from hypothesis import strategies as st

from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import show

VariableType = Literal["string", "integer", "number", "boolean", "strings", "datetime"]
"""The type of one profile variable: ``"strings"`` is an array of strings (tags), and
``"datetime"`` a ``"YYYY-MM-DD HH:MM:SS"`` string (compared as text, COND-5)."""

ProfileSchema = Mapping[str, VariableType]
"""A profile schema: each variable's dotted path (``"aggregations.spend_12m"``) and type."""

_COMMS: Final = tuple(
    f"attributes.comms.{channel}_{kind}"
    for channel in ("email", "sms", "push", "phone", "post")
    for kind in ("promo", "optout")
)

DEFAULT_PROFILE_SCHEMA: Final[ProfileSchema] = MappingProxyType(
    {
        "tier_handle": "string",
        "first_name": "string",
        "last_name": "string",
        "email": "string",
        "gender": "string",
        "birth_year": "integer",
        "birth_month": "integer",
        "birth_day": "integer",
        "flattened_tags": "strings",
        "flattened_statuses": "strings",
        "reward_balance": "number",
        "point_balance": "number",
        "joined_at": "datetime",
        "aggregations.spend_12m": "number",
        "aggregations.spend_all": "number",
        "aggregations.spend_atv_12m": "number",
        "aggregations.shop_count": "integer",
        "tier.handle": "string",
        "tier.name": "string",
        **dict.fromkeys(_COMMS, "boolean"),
    }
)
"""The documented context variables of COND-6 (``definition.handle``, null in a claim,
left out)."""

_VARIABLE_TYPES: Final = frozenset(
    ("string", "integer", "number", "boolean", "strings", "datetime")
)
_WORDS: Final = ("gold", "silver", "bronze", "tier-2", "vip", "stylist-client", "female", "")


def _checked_schema(schema: ProfileSchema) -> tuple[tuple[str, VariableType], ...]:
    """Validate a schema: non-empty, known types, whole-segment paths, no path inside another."""
    if not isinstance(schema, Mapping) or not schema:
        msg = f"expected a non-empty mapping of variable paths to types, got {show(schema)}"
        raise InvalidRequest(Problem("schema", msg))
    items = tuple(schema.items())
    for path, kind in items:
        if not isinstance(path, str) or not all(path.split(".")):
            msg = f"expected a dotted variable path, got {show(path)}"
            raise InvalidRequest(Problem("schema", msg))
        if kind not in _VARIABLE_TYPES:
            msg = (
                f"expected one of {', '.join(sorted(_VARIABLE_TYPES))} for {show(path)}, "
                f"got {show(kind)}"
            )
            raise InvalidRequest(Problem("schema", msg))
    for path, _ in items:
        for other, _ in items:
            if other.startswith(path + "."):
                msg = f"{show(other)} lies inside {show(path)}; a variable cannot hold both"
                raise InvalidRequest(Problem("schema", msg))
    return items


def _datetime_texts() -> st.SearchStrategy[str]:
    return st.datetimes(
        min_value=datetime(1990, 1, 1, tzinfo=UTC).replace(tzinfo=None),
        max_value=datetime(2035, 12, 31, tzinfo=UTC).replace(tzinfo=None),
    ).map(lambda d: d.replace(microsecond=0).isoformat(sep=" "))


_STRINGS: Final = st.one_of(st.sampled_from(_WORDS), st.text(max_size=8))
_NUMBERS: Final = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)


def _values_of(kind: VariableType) -> st.SearchStrategy[Any]:
    """The values a variable of ``kind`` holds; conditions compare with the same values."""
    if kind == "string":
        return _STRINGS
    if kind == "integer":
        return st.one_of(st.integers(0, 100), st.integers(1900, 2030), st.integers(-1000, 10**6))
    if kind == "number":
        return _NUMBERS
    if kind == "boolean":
        return st.booleans()
    if kind == "strings":
        return st.lists(st.sampled_from(_WORDS[:-1]), max_size=4, unique=True)
    return _datetime_texts()


def profile_contexts(
    schema: ProfileSchema = DEFAULT_PROFILE_SCHEMA, *, allow_missing: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """Generate profile data (the JSON a condition reads, COND-4) matching ``schema``.

    Each variable is set at its dotted path (``aggregations.spend_12m`` becomes
    ``{"aggregations": {"spend_12m": ...}}``) to a value of its type, drawn from the same
    values :func:`conditions` compares with, so rules hold and fail about equally often. With
    ``allow_missing`` (the default) a variable may also be absent or ``null`` (COND-5). Every
    value is plain JSON (finite floats). Shrinks towards ``{}`` (with ``allow_missing``),
    otherwise towards the simplest value of each variable (``"gold"``, ``0``, ``false``, ``[]``).
    """
    items = _checked_schema(schema)

    @st.composite
    def contexts(draw: st.DrawFn) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for path, kind in items:
            values = _values_of(kind)
            if allow_missing:
                choice = draw(st.sampled_from(("absent", "value", "null")))
                if choice == "absent":
                    continue
                value = None if choice == "null" else draw(values)
            else:
                value = draw(values)
            *parents, last = path.split(".")
            node = data
            for step in parents:
                node = node.setdefault(step, {})
            node[last] = value
        return data

    return contexts()


_EQUALITY: Final = ("==", "===", "!=", "!==")
_ORDER: Final = ("<", "<=", ">", ">=")


def _number_rules(path: str, kind: VariableType) -> st.SearchStrategy[dict[str, Any]]:
    var = {"var": path}
    values = _values_of(kind)
    operand = st.one_of(
        st.just(var),
        st.builds(lambda op, c: {op: [var, c]}, st.sampled_from(("+", "-", "*")), values),
        values.map(lambda default: {"var": [path, default]}),
    )
    return st.one_of(
        st.builds(
            lambda op, x, c: {op: [x, c]}, st.sampled_from(_EQUALITY + _ORDER), operand, values
        ),
        st.builds(lambda op, c, x: {op: [c, x]}, st.sampled_from(_ORDER), values, operand),
        st.builds(
            lambda op, a, b: {op: [min(a, b), var, max(a, b)]},
            st.sampled_from(("<", "<=")),
            values,
            values,
        ),
        st.builds(lambda c: {"==": [{"%": [var, 2]}, c]}, st.sampled_from((0, 1))),
    )


def _text_rules(path: str, kind: VariableType) -> st.SearchStrategy[dict[str, Any]]:
    var = {"var": path}
    values = _values_of(kind)
    rules = [
        st.builds(lambda op, c: {op: [var, c]}, st.sampled_from(_EQUALITY + _ORDER), values),
        st.builds(
            lambda op, a, b: {op: [min(a, b), var, max(a, b)]},
            st.sampled_from(("<", "<=")),
            values,
            values,
        ),
    ]
    if kind == "string":
        rules += [
            values.map(lambda c: {"in": [c, var]}),
            st.lists(values, min_size=1, max_size=3).map(lambda cs: {"in": [var, cs]}),
            st.builds(
                lambda n, c: {"===": [{"substr": [var, 0, n]}, c]}, st.integers(0, 4), values
            ),
            values.map(lambda c: {"==": [{"cat": [var, "-"]}, c + "-"]}),
        ]
    return st.one_of(*rules)


def _boolean_rules(path: str) -> st.SearchStrategy[dict[str, Any]]:
    var = {"var": path}
    return st.one_of(
        st.builds(lambda op, b: {op: [var, b]}, st.sampled_from(_EQUALITY), st.booleans()),
        st.sampled_from(("!!", "!")).map(lambda op: {op: [var]}),
    )


def _list_rules(path: str) -> st.SearchStrategy[dict[str, Any]]:
    var = {"var": path}
    words = st.sampled_from(_WORDS[:-1])
    return st.one_of(
        words.map(lambda c: {"in": [c, var]}),
        st.builds(
            lambda q, c: {q: [var, {"===": [{"var": ""}, c]}]},
            st.sampled_from(("some", "all", "none")),
            words,
        ),
        st.builds(
            lambda op, n: {op: [{"var": f"{path}.length"}, n]},
            st.sampled_from(_EQUALITY + _ORDER),
            st.integers(0, 4),
        ),
    )


def _leaf_rules(items: tuple[tuple[str, VariableType], ...]) -> st.SearchStrategy[dict[str, Any]]:
    per_variable: list[st.SearchStrategy[dict[str, Any]]] = []
    for path, kind in items:
        if kind in {"integer", "number"}:
            per_variable.append(_number_rules(path, kind))
        elif kind in {"string", "datetime"}:
            per_variable.append(_text_rules(path, kind))
        elif kind == "boolean":
            per_variable.append(_boolean_rules(path))
        else:
            per_variable.append(_list_rules(path))
    paths = st.lists(st.sampled_from([p for p, _ in items]), min_size=1, max_size=3, unique=True)
    missing = st.one_of(
        paths.map(lambda ps: {"missing": ps}),
        st.builds(lambda n, ps: {"missing_some": [n, ps]}, st.integers(0, 2), paths),
    )
    return st.one_of(*per_variable, missing)


def conditions(
    schema: ProfileSchema = DEFAULT_PROFILE_SCHEMA, *, max_depth: int = 3
) -> st.SearchStrategy[dict[str, Any]]:
    """Generate well-formed JSON Logic rules over the variables of ``schema`` (COND-6, COND-7).

    Each rule is an operator object (a ``dict`` with one key) that compiles: only operators of
    the COND arity table, with argument counts inside it. Leaves compare a variable with values
    of its type (``==``/``===``/``<``…, the three-argument "between" form, ``in`` on strings and
    tag arrays, ``some``/``all``/``none`` over tags, ``substr``, ``cat``, ``+``/``-``/``*``/``%``,
    ``var`` with a default, ``missing``/``missing_some``); up to ``max_depth`` (0–20) levels of
    ``and``, ``or``, ``!``, ``!!`` and ``if`` combine them. Every ``var`` path is a schema
    variable (or its ``.length``), except ``""`` inside the element logic of ``some``/``all``/
    ``none``, so ``unknown_variables(rule, schema)`` is empty. Use :func:`profile_contexts` for
    matching data.

    Shrinks towards ``{"==": [{"var": <first variable>}, <its simplest value>]}``: with the
    default schema, ``{"==": [{"var": "tier_handle"}, "gold"]}``.
    """
    items = _checked_schema(schema)
    if type(max_depth) is not int or not 0 <= max_depth <= 20:
        msg = f"expected an integer from 0 to 20, got {show(max_depth)}"
        raise InvalidRequest(Problem("max_depth", msg))
    rules = _leaf_rules(items)
    for _ in range(max_depth):
        inner = rules
        rules = st.one_of(
            inner,
            st.builds(
                lambda op, xs: {op: xs},
                st.sampled_from(("and", "or")),
                st.lists(inner, min_size=1, max_size=3),
            ),
            st.builds(lambda op, x: {op: [x]}, st.sampled_from(("!", "!!")), inner),
            st.tuples(inner, inner, inner).map(lambda t: {"if": list(t)}),
        )
    return rules
