"""One strategy per field kind, and a value class's fields drawn from them.

Private: the public names (:func:`money`, :func:`claim_timeframes`, :func:`json_values`) are
imported from :mod:`loyalty_core.testing.strategies`. A value class describes its fields once,
each with a :class:`~loyalty_core._fields.Kind` (:func:`loyalty_core._fields.specs`);
:func:`field_values` reads that table and draws each field from the strategy of its kind, so
a field added to a value class is generated with no edit here. Only a kind new to
:mod:`loyalty_core._fields` needs a line in :data:`STRATEGIES_BY_KIND`, and a class's
cross-field rules (a remaining value within the initial one, a claim window that does not end
before it starts) stay with the value strategies of
:mod:`loyalty_core.testing._strategies.values`, which leave those fields out here.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, TypeVar

import attrs
from hypothesis import strategies as st

from loyalty_core import _fields
from loyalty_core.benefits import TIMEFRAME, ClaimTimeframe
from loyalty_core.limits import MAX_DAYS, MAX_HOURS, show
from loyalty_core.periods import MAX_PERIOD, PeriodType
from loyalty_core.testing._strategies.conditions import (
    DEFAULT_PROFILE_SCHEMA,
    ProfileSchema,
    conditions,
)
from loyalty_core.testing._strategies.instants import stored_instants, zones

T = TypeVar("T")


def optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    """``strategy``'s values, or ``None``."""
    return st.one_of(st.none(), strategy)


def some_of(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the given keyword fields (each present or not); shrinks towards none of them."""
    return st.fixed_dictionaries({}, optional=strategies)


def as_strategy(value: T | st.SearchStrategy[T] | None, default: st.SearchStrategy[T]) -> Any:
    """A knob given as a value, a strategy, or ``None`` (then ``default``), as a strategy."""
    if value is None:
        return default
    if isinstance(value, st.SearchStrategy):
        return value
    return st.just(value)


# --- the building blocks ----------------------------------------------------------------------

IDS: Final = st.integers(-(2**53), 2**53)
COUNTS: Final = st.integers(0, 2**40)
POSITIVE_COUNTS: Final = st.integers(1, 2**40)
PERIODS: Final = st.integers(0, min(MAX_PERIOD.values()))
"""Periods valid for every period type (the longest years period)."""
FLAGS: Final = st.booleans()
TEXTS: Final = st.text(max_size=12)
PERIOD_TYPES: Final = st.sampled_from(PeriodType)
EXTRA: Final = st.dictionaries(
    st.text(max_size=8).map(lambda key: "x_" + key),
    st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), TEXTS, st.lists(TEXTS)),
    max_size=2,
)
"""A value's ``extra``: unmodelled keys (never a field name) kept verbatim (PAY-10)."""
NO_CONDITION: Final[st.SearchStrategy[Any]] = st.sampled_from((None, "", [], {}))
"""The spellings of "no condition" a condition field accepts (COND-1)."""

# Days to extend by, and offsets in days and hours: the whole range of their kinds, which are
# the bounds of the docs' Limits page.
_DAYS: Final = st.integers(0, MAX_DAYS)
_DAY_OFFSETS: Final = st.integers(-MAX_DAYS, MAX_DAYS)
_HOUR_OFFSETS: Final = st.integers(-MAX_HOURS, MAX_HOURS)
_HOURS: Final = st.integers(0, 23)
_TEXT_LISTS: Final = st.lists(TEXTS, max_size=3)
_JSON_SCALARS: Final = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), TEXTS)


def money(*, max_units: int = 10**12, positive: bool = False) -> st.SearchStrategy[Decimal]:
    """Generate money: ``Decimal`` amounts ``>= 0`` with 0–4 decimal places, scale kept.

    ``Decimal('12.50')`` keeps its two places, as a payload's ``"12.50"`` does (PAY-8). With
    ``positive`` the amount is ``> 0``. At most ``max_units`` in the last place. Shrinks towards
    ``Decimal('0')`` (``Decimal('1')`` with ``positive``).
    """
    return st.builds(
        lambda units, places: Decimal(units).scaleb(-places),
        st.integers(1 if positive else 0, max_units),
        st.integers(0, 4),
    )


def claim_timeframes() -> st.SearchStrategy[ClaimTimeframe | None]:
    """Generate calendar (``count=None``) or rolling (``count >= 1``) timeframes, or None (CLM-16).

    Shrinks towards ``None``, then ``ClaimTimeframe(unit="day")``.
    """
    return optional(
        st.builds(
            ClaimTimeframe,
            unit=st.sampled_from(("day", "week", "month", "year")),
            count=optional(st.integers(1, MAX_PERIOD[PeriodType.YEARS])),
        )
    )


def json_values(*, finite: bool = True) -> st.SearchStrategy[Any]:
    """Generate JSON data: dicts, lists, strings, ints, floats, booleans and null, nested.

    With ``finite=False`` floats include NaN and ±Infinity (``json.loads`` accepts them).
    Shrinks towards ``None``.
    """
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=not finite, allow_infinity=not finite),
        st.text(max_size=10),
    )
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=8), children, max_size=4),
        ),
        max_leaves=12,
    )


def condition_inputs(schema: ProfileSchema) -> st.SearchStrategy[Any]:
    """A condition field's input: a rule over ``schema`` (``max_depth=1``) or its JSON text."""
    rules = conditions(schema, max_depth=1)
    return st.one_of(rules, rules.map(json.dumps))


# --- field kind -> strategy ---------------------------------------------------------------------

KindStrategy = Callable[[ProfileSchema], st.SearchStrategy[Any]]
"""Make the strategy of one field kind; the schema is what a condition field reads."""

STRATEGIES_BY_KIND: Final[Mapping[str, KindStrategy]] = MappingProxyType(
    {
        _fields.INT.name: lambda _: IDS,
        _fields.COUNT.name: lambda _: COUNTS,
        # Unpaired (days to extend by): the kind's whole range. A period read with a period type
        # is drawn with it (see _period_pair).
        _fields.PERIOD.name: lambda _: _DAYS,
        _fields.DAY_OFFSET.name: lambda _: _DAY_OFFSETS,
        _fields.HOUR_OFFSET.name: lambda _: _HOUR_OFFSETS,
        _fields.HOUR.name: lambda _: _HOURS,
        _fields.FLAG.name: lambda _: FLAGS,
        _fields.OPTIONAL_FLAG.name: lambda _: FLAGS,
        _fields.TEXT.name: lambda _: TEXTS,
        _fields.TEXTS.name: lambda _: _TEXT_LISTS,
        _fields.INSTANT.name: lambda _: stored_instants(),
        _fields.ZONE.name: lambda _: zones(),
        _fields.MONEY.name: lambda _: money(),
        _fields.SIGNED_MONEY.name: lambda _: st.one_of(
            money(), money(positive=True).map(operator.neg)
        ),
        _fields.PERIOD_TYPE.name: lambda _: PERIOD_TYPES,
        _fields.CONDITION.name: lambda schema: st.one_of(NO_CONDITION, condition_inputs(schema)),
        _fields.JSON_OBJECT.name: lambda _: st.dictionaries(
            st.text(max_size=8), _JSON_SCALARS, max_size=3
        ),
        _fields.JSON_ARRAY.name: lambda _: st.one_of(_TEXT_LISTS, _TEXT_LISTS.map(tuple)),
        TIMEFRAME.name: lambda _: claim_timeframes(),  # CLM-16
    }
)
"""The strategy of each field kind of :mod:`loyalty_core._fields`, by the kind's name.

Each gives only values the kind's check accepts; together they are what a value class's
fields are drawn from (:func:`field_values`). An embedded value's kind
(:func:`loyalty_core._fields.nested`) is not here: the value strategies give it.
"""

NestedStrategy = Callable[[type[Any]], st.SearchStrategy[Any]]
"""The strategy of an embedded value's class (a benefit's definition)."""


def kind_strategy(
    kind: _fields.Kind,
    *,
    schema: ProfileSchema = DEFAULT_PROFILE_SCHEMA,
    nested: NestedStrategy | None = None,
    where: str = "field",
) -> st.SearchStrategy[Any]:
    """The strategy of one field ``kind`` (``where`` names the field in an error).

    An embedded value (``kind.value_class``) comes from ``nested``, a list of up to three of
    them when ``kind.many``. A kind with no strategy raises ``NotImplementedError``, naming it:
    a new kind in :mod:`loyalty_core._fields` needs a line in :data:`STRATEGIES_BY_KIND`.
    """
    value_class = kind.value_class
    if value_class is not None and nested is not None:
        one = nested(value_class)
        return st.lists(one, max_size=3) if kind.many else one
    make = STRATEGIES_BY_KIND.get(kind.name)
    if make is None:
        msg = (
            f"no strategy for the field kind {show(kind.name)} of {where}; add one to "
            "loyalty_core.testing._strategies.kinds.STRATEGIES_BY_KIND"
        )
        raise NotImplementedError(msg)
    return make(schema)


def _period_pairs(kinds: Mapping[str, _fields.Kind]) -> dict[str, str]:
    """Each period field read with a period type field, ``{"period": "period_type"}``.

    The pairs are the fields ``X`` of the period kind with a field ``X_type`` of the period type
    kind: what :func:`loyalty_core.periods.period_problems` checks.
    """
    return {
        name: f"{name}_type"
        for name, kind in kinds.items()
        if kind.name == _fields.PERIOD.name
        and getattr(kinds.get(f"{name}_type"), "name", None) == _fields.PERIOD_TYPE.name
    }


@st.composite
def _period_pair(draw: st.DrawFn, period: str, unit: str, default: PeriodType) -> dict[str, Any]:
    """A period type and a period it allows (``MAX_PERIOD``), each present or not."""
    fields = draw(some_of(**{unit: PERIOD_TYPES}))
    longest = MAX_PERIOD[fields.get(unit, default)]
    fields.update(draw(some_of(**{period: st.one_of(PERIODS, st.integers(0, longest))})))
    return fields


def _unit_default(default: object) -> PeriodType:
    """The period type an absent type field means (years, the shortest limit, if unknown)."""
    return default if isinstance(default, PeriodType) else PeriodType.YEARS


def _merged(parts: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in parts:
        merged.update(part)
    return merged


def field_values(
    cls: type[Any],
    *,
    skip: Collection[str] = (),
    schema: ProfileSchema = DEFAULT_PROFILE_SCHEMA,
    nested: NestedStrategy | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Generate keyword arguments for ``cls``: some of its fields, each drawn by its kind.

    The fields and their kinds are ``cls``'s own table (:func:`loyalty_core._fields.specs`).
    Each field is present or absent (absent: its default), except a required field with no
    default, which is always drawn; ``extra`` gets unmodelled keys (PAY-10). A period read with
    a period type (``period`` and ``period_type``) stays within the type's ``MAX_PERIOD``. The
    fields in ``skip`` are left out, for the caller to draw under a knob or a cross-field rule;
    so are their period partners. Shrinks towards no field at all.
    """
    kinds = dict(_fields.specs(cls))
    attributes = attrs.fields_dict(cls)
    pairs = {
        period: unit
        for period, unit in _period_pairs(kinds).items()
        if period not in skip and unit not in skip
    }
    paired = set(pairs) | set(pairs.values())
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional_fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, kind in kinds.items():
        if name in skip or name in paired:
            continue
        strategy = kind_strategy(kind, schema=schema, nested=nested, where=f"{cls.__name__}.{name}")
        if not kind.nullable and attributes[name].default is None:
            required[name] = strategy  # PAY-9: a required key without a default
        else:
            optional_fields[name] = strategy
    if "extra" in attributes and "extra" not in skip:
        optional_fields["extra"] = EXTRA
    singles = st.fixed_dictionaries(required, optional=optional_fields)
    if not pairs:
        return singles
    drawn_with_types = (
        _period_pair(period, unit, _unit_default(attributes[unit].default))
        for period, unit in pairs.items()
    )
    return st.tuples(singles, *drawn_with_types).map(_merged)
