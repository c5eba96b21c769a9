"""Valid but hostile values and arguments for the rule functions' fuzz targets.

Three sources of values, mixed: the library's own strategies (``loyalty_core.testing``), values
whose fields sit at the edges of what a value may hold (the largest periods, offsets, counters
and ids, instants on the first and last storable days, the +14:00 and -12:00 zones, money at its
limits, 50,000-character texts, conditions comparing with 50,000-character literals), and
whatever parses out of mutated examples and seed shapes. A :class:`Labeled` value prints as a
short description, not as a value holding 50,000 characters.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Final, Generic, TypeVar
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    Credit,
    CreditDefinition,
    InvalidRequest,
    PayloadError,
    PeriodType,
    Profile,
    Reward,
    RewardDefinition,
)
from loyalty_core._fields import specs
from loyalty_core.limits import MAX_DAYS, MAX_HOURS, MAX_INT, MIN_INT
from loyalty_core.testing import strategies as lst
from tests.fuzz import hostile
from tests.fuzz.hostile import EDGE_INSTANTS, Hostile

T = TypeVar("T")


class Labeled(Generic[T]):
    """A value that prints as a short label (how it was made), not as the value itself."""

    __slots__ = ("label", "value")

    def __init__(self, label: str, value: T) -> None:
        """Label ``value``."""
        self.label = label
        self.value = value

    def __repr__(self) -> str:
        """Return the label."""
        return self.label


_X: Final = "x" * 50_000
_DIGITS: Final = "1" * 50_000 + "x"


def _deep_not(depth: int) -> dict[str, Any]:
    rule: Any = {"var": "x"}
    for _ in range(depth):
        rule = {"!": rule}
    return dict(rule)


def _wide_or(width: int) -> dict[str, Any]:
    return {"or": [{"==": [{"var": f"x{i}"}, 1]} for i in range(width)]}


EDGE_FIELDS: Final[Mapping[str, tuple[Hostile, ...]]] = {
    "count": (Hostile("0", 0), Hostile("1", 1), Hostile("2**63 - 1", MAX_INT)),
    "int": (Hostile("-2**63", MIN_INT), Hostile("2**63 - 1", MAX_INT), Hostile("0", 0)),
    "period": (
        Hostile("0", 0),
        Hostile("1", 1),
        Hostile("MAX_DAYS", MAX_DAYS),
        Hostile("MAX_DAYS // 7", MAX_DAYS // 7),
        Hostile("119987", 119_987),
        Hostile("9998", 9998),
    ),
    "day_offset": (
        Hostile("-MAX_DAYS", -MAX_DAYS),
        Hostile("MAX_DAYS", MAX_DAYS),
        Hostile("-1", -1),
        Hostile("0", 0),
    ),
    "hour_offset": (
        Hostile("-MAX_HOURS", -MAX_HOURS),
        Hostile("MAX_HOURS", MAX_HOURS),
        Hostile("-1", -1),
    ),
    "hour": (Hostile("0", 0), Hostile("23", 23)),
    "flag": (Hostile("True", True), Hostile("False", False)),  # noqa: FBT003 - JSON values
    "optional_flag": (Hostile("None", None), Hostile("True", True)),  # noqa: FBT003
    "text": (Hostile("''", ""), Hostile("'x'*50000", _X), Hostile("'\\ud800'", "\ud800")),
    "texts": (Hostile("[]", []), Hostile("['x'*50000]", [_X])),
    "instant": (
        Hostile("'0001-01-02 00:00:00'", "0001-01-02 00:00:00"),
        Hostile("'0001-01-02T00:00:00Z'", "0001-01-02T00:00:00Z"),
        Hostile("'9999-12-30 23:59:59'", "9999-12-30 23:59:59"),
        Hostile("'9999-12-30T23:59:59.999999Z'", "9999-12-30T23:59:59.999999Z"),
        Hostile("'2026-03-08 07:00:00'", "2026-03-08 07:00:00"),
        Hostile("'2011-12-30 10:00:00'", "2011-12-30 10:00:00"),
    ),
    "zone": (
        Hostile("'Pacific/Kiritimati'", "Pacific/Kiritimati"),
        Hostile("'Etc/GMT+12'", "Etc/GMT+12"),
        Hostile("'Pacific/Apia'", "Pacific/Apia"),
        Hostile("'America/Havana'", "America/Havana"),
        Hostile("'Australia/Lord_Howe'", "Australia/Lord_Howe"),
        Hostile("'Factory'", "Factory"),
    ),
    "money": (
        Hostile("'0'", "0"),
        Hostile("'1'", "1"),
        Hostile("'999999999999999999.999999999999999999'", "999999999999999999.999999999999999999"),
        Hostile("'0.000000000000000001'", "0.000000000000000001"),
    ),
    "period_type": tuple(Hostile(repr(p.value), p.value) for p in PeriodType),
    "timeframe": (
        Hostile("'day'", "day"),
        Hostile("'month'", "month"),
        Hostile("'1 day'", "1 day"),
        Hostile("f'{MAX_DAYS} days'", f"{MAX_DAYS} days"),
        Hostile("'9998 years'", "9998 years"),
        Hostile("'119987 months'", "119987 months"),
    ),
    "condition": (
        Hostile("{'==': [{'var': 'x'}, '1'*50000+'x']}", {"==": [{"var": "x"}, _DIGITS]}),
        Hostile("{'<': [{'var': 'x'}, 10**30]}", {"<": [{"var": "x"}, 10**30]}),
        Hostile("{'in': ['vip', {'var': 'tags'}]}", {"in": ["vip", {"var": "tags"}]}),
        Hostile("{'!!': {'var': 'a.b.c'}}", {"!!": {"var": "a.b.c"}}),
        Hostile(
            "{'cat': [{'var': 'x'}, {'var': 'tags'}]}", {"cat": [{"var": "x"}, {"var": "tags"}]}
        ),
        Hostile("{'+': [{'var': 'x'}, 1]}", {"+": [{"var": "x"}, 1]}),
        Hostile("_deep_not(63)", _deep_not(63)),
        Hostile("{'var': 'x'*50000}", {"var": _X}),
        Hostile("{'missing': ['x'*50000]}", {"missing": [_X]}),
        Hostile("_wide_or(300)", _wide_or(300)),
        Hostile('\'{"==": [{"var": "x"}, 1]}\'', '{"==": [{"var": "x"}, 1]}'),
    ),
}
"""Per field kind: valid values at the edges of what the kind accepts (or near them)."""

_EMBEDDED: Final[Mapping[type[Any], type[Any]]] = {
    Benefit: BenefitDefinition,
    Reward: RewardDefinition,
    Credit: CreditDefinition,
}


def _full_payload(cls: type[Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if cls in _EMBEDDED:
        kwargs["definition"] = _EMBEDDED[cls]()
    if cls in {Reward, Credit}:
        kwargs["value_initial"] = Decimal("10.00")
    payload: dict[str, Any] = cls(**kwargs).to_api()
    return payload


@st.composite
def _edge_payload(draw: st.DrawFn, cls: type[Any]) -> tuple[str, dict[str, Any]]:
    """A full payload of ``cls`` with some fields (nested ones too) set to edge values."""
    payload = _full_payload(cls)
    changes: list[str] = []
    targets: list[tuple[dict[str, Any], str, str]] = [
        (payload, name, kind.name) for name, kind in specs(cls) if kind.name in EDGE_FIELDS
    ]
    if cls in _EMBEDDED:
        nested = payload["definition"]
        targets += [
            (nested, name, kind.name)
            for name, kind in specs(_EMBEDDED[cls])
            if kind.name in EDGE_FIELDS
        ]
    chosen = draw(st.lists(st.sampled_from(range(len(targets))), max_size=8, unique=True))
    for index in chosen:
        where, name, kind = targets[index]
        edge = draw(st.sampled_from(EDGE_FIELDS[kind]))
        where[name] = edge.value
        prefix = "definition." if where is not payload else ""
        changes.append(f"{prefix}{name}={edge.label}")
    return ", ".join(changes), payload


def _parse_or_simple(cls: type[Any], label: str, payload: Any) -> Labeled[Any]:
    try:
        return Labeled(label, cls.from_api(payload))
    except PayloadError:
        simple = cls.from_api(_full_payload(cls))
        return Labeled(f"simple {cls.__name__} (rejected: {label})", simple)


@st.composite
def edge_values(draw: st.DrawFn, cls: type[Any]) -> Labeled[Any]:
    """Values of ``cls`` with fields at their edges; a rejected mix gives the simple value."""
    changes, payload = draw(_edge_payload(cls))
    return _parse_or_simple(cls, f"{cls.__name__}.from_api({{{changes}}})", payload)


@st.composite
def parsed_mutants(draw: st.DrawFn, cls: type[Any]) -> Labeled[Any]:
    """Values parsed from mutated examples and seed shapes (the simple value when rejected)."""
    mutant = draw(hostile.mutants(hostile.value_bases(cls), max_changes=3))
    return _parse_or_simple(cls, repr(mutant), mutant.document)


@st.composite
def labeled(draw: st.DrawFn, strategy: st.SearchStrategy[Any], what: str = "") -> Labeled[Any]:
    """A value of ``strategy`` labeled by its ``repr`` (or by ``what`` and its type's name)."""
    value = draw(strategy)
    if isinstance(value, Hostile):
        return Labeled(value.label, value.value)
    return Labeled(f"{type(value).__name__}({what})" if what else repr(value), value)


_LIBRARY: Final[Mapping[type[Any], st.SearchStrategy[Any]]] = {
    BenefitDefinition: lst.benefit_definitions(),
    Benefit: lst.benefits(),
    RewardDefinition: lst.reward_definitions(),
    Reward: lst.rewards(),
    CreditDefinition: lst.credit_definitions(),
    Credit: lst.credits(),
}


@functools.cache
def values_of(cls: type[Any], *, toolkit: bool = True) -> st.SearchStrategy[Labeled[Any]]:
    """Values of ``cls`` from the three sources (the toolkit's, slow to draw, one time in nine)."""
    edges, mutants = edge_values(cls), parsed_mutants(cls)
    if not toolkit:
        return st.one_of(edges, mutants)
    library = labeled(_LIBRARY[cls], "... from the toolkit")
    return st.one_of(*(edges, mutants) * 4, library)


# --- profiles ----------------------------------------------------------------------------------

PROFILE_LEAVES: Final = (
    Hostile("'1'*50000+'x'", _DIGITS),
    Hostile("'x'*50000", _X),
    Hostile("'9'*50000", "9" * 50_000),
    Hostile("10**5000", 10**5000),
    Hostile("-10**5000", -(10**5000)),
    Hostile("2**63", 2**63),
    Hostile("1e308", 1e308),
    Hostile("float('nan')", math.nan),
    Hostile("float('inf')", math.inf),
    Hostile("Decimal('1E+999999')", Decimal("1E+999999")),
    Hostile("deep_list(120)", hostile.deep_list(120)),
    Hostile("deep_dict(120)", hostile.deep_dict(120)),
    Hostile("['vip']*10000", ["vip"] * 10_000),
    Hostile("'\\ud800'", "\ud800"),
    Hostile("'vip'", "vip"),
    Hostile("None", None),
    Hostile("[]", []),
    Hostile("{}", {}),
)
"""What a member's data may hold where a condition reads it."""


_READ: Final = ("x", "tags", "a", "gender", "tier_handle", "flattened_tags", "aggregations")
"""The profile keys the edge conditions and the examples' conditions read."""


@st.composite
def hostile_profiles(draw: st.DrawFn) -> Labeled[Profile]:
    """A profile whose data read by the conditions (the edge ones, the examples') is hostile.

    A leaf the profile refuses (a profile holds JSON only) is left out.
    """
    context: dict[str, Any] = {"id": "p-1"}
    labels: list[str] = []
    for key in draw(st.lists(st.sampled_from(_READ), unique=True)):
        leaf = draw(st.sampled_from(PROFILE_LEAVES))
        value = leaf.value
        if key == "a":
            value = {"b": {"c": leaf.value}}
        elif key == "aggregations":
            value = {"spend_12m": leaf.value}
        try:
            Profile(context={key: value})
        except InvalidRequest:
            continue
        context[key] = value
        labels.append(f"{key}: {leaf.label}")
    return Labeled(f"Profile(context={{{', '.join(labels)}}})", Profile(context=context))


@functools.cache
def profiles() -> st.SearchStrategy[Labeled[Profile]]:
    """Profiles from the toolkit and hostile ones."""
    toolkit = labeled(lst.profiles(), "... from the toolkit")
    return st.one_of(hostile_profiles(), hostile_profiles(), toolkit)


# --- arguments ---------------------------------------------------------------------------------


_ZONES: Final = (
    UTC,
    timezone(timedelta(hours=14)),
    timezone(timedelta(hours=-12)),
    *(ZoneInfo(name) for name in lst.CURATED_ZONES),
)


@functools.cache
def instants() -> st.SearchStrategy[Labeled[datetime]]:
    """Aware ``at`` instants: anywhere in years 1 to 9999, at the ends of time, or the toolkit's.

    The toolkit's lie near DST transitions and month ends (and are slow to draw).
    """
    anywhere = st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(_ZONES),
    )
    edges = st.sampled_from(EDGE_INSTANTS)
    toolkit = lst.aware_instants(lst.instants())
    return labeled(st.one_of(anywhere, edges, anywhere, edges, toolkit))


COUNTS: Final = (
    Hostile("1", 1),
    Hostile("2", 2),
    Hostile("3", 3),
    Hostile("2**31", 2**31),
    Hostile("2**63 - 1", MAX_INT),
    Hostile("2**63", 2**63),
    Hostile("10**30", 10**30),
    Hostile("10**5000", 10**5000),
)
"""Counts >= 1: small, at and past 64 bits, and past Python's 4,300-digit ``str`` limit."""


@functools.cache
def counts() -> st.SearchStrategy[Labeled[int]]:
    """Counts >= 1."""
    return labeled(st.sampled_from(COUNTS))


AMOUNTS: Final = (
    Hostile("Decimal('0.01')", Decimal("0.01")),
    Hostile("Decimal('12.50')", Decimal("12.50")),
    Hostile("'5'", "5"),
    Hostile("7", 7),
    Hostile("0.1", 0.1),
    Hostile("5e-324", 5e-324),
    Hostile("1e308", 1e308),
    Hostile("Decimal('1E-999999')", Decimal("1E-999999")),
    Hostile("Decimal('1E+999999')", Decimal("1E+999999")),
    Hostile("10**5000", 10**5000),
    Hostile("'9'*50000", "9" * 50_000),
    Hostile("'0.'+'0'*50000+'1'", "0." + "0" * 50_000 + "1"),
    Hostile(
        "Decimal('999999999999999999.999999999999999999')",
        Decimal("999999999999999999.999999999999999999"),
    ),
    Hostile("Decimal('0.000000000000000001')", Decimal("0.000000000000000001")),
)
"""Amounts > 0: tiny, huge, and past every limit, as Decimal, str, int and float."""


@functools.cache
def amounts() -> st.SearchStrategy[Labeled[Any]]:
    """Amounts > 0."""
    return labeled(st.sampled_from(AMOUNTS))


@functools.cache
def zone_names() -> st.SearchStrategy[Labeled[str]]:
    """Zone names: real ones (the odd ones first) and junk."""
    odd = st.sampled_from((*EDGE_FIELDS["zone"], *hostile.HOSTILE_ZONES))
    return labeled(st.one_of(lst.zones(), odd))


EXTEND_DATES: Final = (
    *(Hostile(h.label, h.value) for h in EDGE_INSTANTS),
    *hostile.HOSTILE_DATES,
    Hostile("'2026-05-01 00:00:00'", "2026-05-01 00:00:00"),
    Hostile("'2026-05-01T00:00:00Z'", "2026-05-01T00:00:00Z"),
)
"""``extend_date`` values: aware datetimes at the ends of time and hostile date strings."""


TEXTS: Final = (
    Hostile("'p-1'", "p-1"),
    Hostile("'4821'", "4821"),
    Hostile("''", ""),
    Hostile("'<string>'", "<string>"),
    Hostile("'x'*50000", _X),
    Hostile("'\\ud800'", "\ud800"),
)
"""Ids and codes: plain, empty, a placeholder, 50,000 characters, a lone surrogate."""


@functools.cache
def texts() -> st.SearchStrategy[Labeled[str]]:
    """An id or code."""
    return labeled(st.sampled_from(TEXTS))
