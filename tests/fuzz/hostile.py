"""Hostile input for the fuzz targets: fixed hostile values, mutated payloads and the checks.

The library's promise on hostile input (what every target of this package enforces):

- a parser raises only :class:`~loyalty_core.PayloadError`, whose problems each sit at a JSON
  path starting with ``$`` and whose message stays short (:data:`MAX_MESSAGE` characters),
  whatever the size of the bad value;
- a rule function raises only :class:`~loyalty_core.LoyaltyError` subclasses;
- whatever parses round-trips: ``cls.from_api(v.to_api()) == v``, and ``v.to_api()`` is JSON
  (``json.dumps(..., allow_nan=False)`` succeeds).

Hostile values are *named*: a :class:`Hostile` prints as the Python expression that builds it
(``10**5000``, ``'1'*50000+'x'``, ``deep_list(10000)``), so a falsifying example is a one-line
reproducer and never a 50,000-character dump. A :class:`Mutant` (a payload changed in a few
places) prints as its base file and the list of changes.
"""

from __future__ import annotations

import functools
import json
import math
import reprlib
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from hypothesis import strategies as st

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    Credit,
    CreditDefinition,
    LoyaltyError,
    PayloadError,
    Profile,
    Reward,
    RewardDefinition,
)
from loyalty_core.analysis import example_path

ROOT: Final = Path(__file__).resolve().parents[2]
EXAMPLES: Final = ROOT / "examples"
SCENARIOS: Final = EXAMPLES / "scenarios"
DATA: Final = Path(__file__).resolve().parent / "data"

MAX_MESSAGE: Final = 5_000
"""The longest error message, reason message or stderr text the library may produce."""

VALUE_CLASSES: Final[tuple[type[Any], ...]] = (
    BenefitDefinition,
    Benefit,
    RewardDefinition,
    Reward,
    CreditDefinition,
    Credit,
    Profile,
)
"""The seven platform values, the only classes with ``from_api``/``to_api``."""


# --- named hostile values ------------------------------------------------------------------


def deep_list(depth: int, leaf: Any = 0) -> Any:
    """Build ``[[...[leaf]...]]`` nested ``depth`` levels, without recursion."""
    value: Any = leaf
    for _ in range(depth):
        value = [value]
    return value


def deep_dict(depth: int, leaf: Any = 0) -> Any:
    """Build ``{"a": {"a": ... leaf}}`` nested ``depth`` levels, without recursion."""
    value: Any = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def deep_mixed(depth: int, leaf: Any = 0) -> Any:
    """Build alternating arrays and objects nested ``depth`` levels, without recursion."""
    value: Any = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


class Hostile:
    """A hostile value that prints as the Python expression that builds it."""

    __slots__ = ("label", "value")

    def __init__(self, label: str, value: Any) -> None:
        """Name ``value`` by ``label``, a Python expression (with this module's builders)."""
        self.label = label
        self.value = value

    def __repr__(self) -> str:
        """Return the expression."""
        return self.label


def _h(label: str, value: Any) -> Hostile:
    return Hostile(label, value)


HOSTILE_NUMBERS: Final = (
    _h("10**5000", 10**5000),
    _h("-10**5000", -(10**5000)),
    _h("10**4301 - 1", 10**4301 - 1),
    _h("2**63", 2**63),
    _h("2**63 - 1", 2**63 - 1),
    _h("-2**63 - 1", -(2**63) - 1),
    _h("2**64", 2**64),
    _h("-1", -1),
    _h("0", 0),
    _h("1e308", 1e308),
    _h("-1e308", -1e308),
    _h("5e-324", 5e-324),
    _h("float('nan')", math.nan),
    _h("float('inf')", math.inf),
    _h("float('-inf')", -math.inf),
    _h("-0.0", -0.0),
    _h("1.5", 1.5),
    _h("Decimal('1E+999999')", Decimal("1E+999999")),
    _h("Decimal('-1E+999999')", Decimal("-1E+999999")),
    _h("Decimal('1E-999999')", Decimal("1E-999999")),
    _h("Decimal('30.0')", Decimal("30.0")),
    _h("True", True),  # noqa: FBT003 - a JSON value
)
"""Huge, negative, non-finite and odd numbers (ints past Python's 4,300-digit limit too)."""

HOSTILE_TEXTS: Final = (
    _h("'x'*50000", "x" * 50_000),
    _h("'1'*50000+'x'", "1" * 50_000 + "x"),
    _h("'9'*50000", "9" * 50_000),
    _h("'9'*4301+' days'", "9" * 4301 + " days"),
    _h("'1'*50000+' days'", "1" * 50_000 + " days"),
    _h("' '*50000", " " * 50_000),
    _h("'0x'+'f'*50000", "0x" + "f" * 50_000),
    _h("'1e'+'9'*50000", "1e" + "9" * 50_000),
    _h("'['*50000", "[" * 50_000),
    _h("'{\"a\":'*50000", '{"a":' * 50_000),
    _h("'é'*50000", "é" * 50_000),
    _h("'\\ud800'", "\ud800"),
    _h("'\\x00'", "\x00"),
    _h("''", ""),
    _h("'<string>'", "<string>"),
    _h("'12.50'", "12.50"),
    _h("'0.'+'0'*50000+'1'", "0." + "0" * 50_000 + "1"),
)
"""Very long strings (50,000 characters; digit strings among them), odd and empty ones."""

HOSTILE_DATES: Final = (
    _h("'0001-01-01'", "0001-01-01"),
    _h("'0001-01-01 00:00:00'", "0001-01-01 00:00:00"),
    _h("'0001-01-01T00:00:00+14:00'", "0001-01-01T00:00:00+14:00"),
    _h("'0001-01-02 00:00:00'", "0001-01-02 00:00:00"),
    _h("'9999-12-31'", "9999-12-31"),
    _h("'9999-12-31 23:59:59'", "9999-12-31 23:59:59"),
    _h("'9999-12-31T23:59:59-14:00'", "9999-12-31T23:59:59-14:00"),
    _h("'9999-12-30T23:59:59.999999Z'", "9999-12-30T23:59:59.999999Z"),
    _h("'2021-02-30'", "2021-02-30"),
    _h("'2021-01-01T00:00:00+25:00'", "2021-01-01T00:00:00+25:00"),
    _h("'2021-01-01T00:00:00-24:00'", "2021-01-01T00:00:00-24:00"),
    _h("'2021-01-01T00:00:00+23:59:59.999999'", "2021-01-01T00:00:00+23:59:59.999999"),
    _h("'2021-01-01T24:00:00Z'", "2021-01-01T24:00:00Z"),
    _h("'2021-13-01 00:00:00'", "2021-13-01 00:00:00"),
    _h("'10000-01-01 00:00:00'", "10000-01-01 00:00:00"),
    _h("'2021-01-01T00:00:00.'+'9'*50000+'Z'", "2021-01-01T00:00:00." + "9" * 50_000 + "Z"),
    _h("'2021-01-01 00:00:00'+' '*50000", "2021-01-01 00:00:00" + " " * 50_000),
    _h("'2021-W01-1'", "2021-W01-1"),
    _h("'20210101T000000Z'", "20210101T000000Z"),
)
"""Dates at and past the ends of the calendar, impossible dates and offsets."""

HOSTILE_ZONES: Final = (
    _h("'../etc'", "../etc"),
    _h("'/etc/passwd'", "/etc/passwd"),
    _h("'UTC\\x00'", "UTC\x00"),
    _h("'A'*50000", "A" * 50_000),
    _h("'UTC '", "UTC "),
    _h("'Factory'", "Factory"),
    _h("'Pacific/Kiritimati'", "Pacific/Kiritimati"),
    _h("'Etc/GMT+12'", "Etc/GMT+12"),
    _h("'right/UTC'", "right/UTC"),
    _h("'Australia/../UTC'", "Australia/../UTC"),
)
"""Zone names: path tricks, NUL bytes, 50,000 characters and the extreme offsets."""

HOSTILE_NESTING: Final = (
    _h("deep_list(1000)", deep_list(1000)),
    _h("deep_dict(1000)", deep_dict(1000)),
    _h("deep_mixed(1000)", deep_mixed(1000)),
    _h("deep_list(10000)", deep_list(10_000)),
    _h("deep_dict(10000)", deep_dict(10_000)),
    _h("deep_mixed(10000)", deep_mixed(10_000)),
    _h("deep_list(129)", deep_list(129)),
    _h("deep_dict(127)", deep_dict(127)),
    _h("[0]*10000", [0] * 10_000),
    _h("{str(i): i for i in range(5000)}", {str(i): i for i in range(5000)}),
    _h("['x'*50000]*20", ["x" * 50_000] * 20),
)
"""Deep (1,000 and 10,000 levels) and wide arrays and objects."""

HOSTILE_SHAPES: Final = (
    _h("None", None),
    _h("[]", []),
    _h("{}", {}),
    _h("['<unknown>']", ["<unknown>"]),
    _h("{'==': [1, 1]}", {"==": [1, 1]}),
)
"""Plain values of the wrong type for most fields."""

HOSTILE: Final = (
    *HOSTILE_NUMBERS,
    *HOSTILE_TEXTS,
    *HOSTILE_DATES,
    *HOSTILE_ZONES,
    *HOSTILE_NESTING,
    *HOSTILE_SHAPES,
)
"""Every named hostile value."""


@functools.cache
def hostile_values() -> st.SearchStrategy[Hostile]:
    """One of the named hostile values."""
    return st.sampled_from(HOSTILE)


# --- moderate random JSON ------------------------------------------------------------------

_ODD_TEXTS: Final = st.sampled_from(
    (
        "2021-03-05 00:06:51",
        "2021-03-05",
        "2023-11-07T05:31:56Z",
        "2023-11-07T05:31:56+10:00",
        "2021-02-29",
        "0001-01-01",
        "9999-12-31 23:59:59",
        "Australia/Melbourne",
        "UTC",
        "30 days",
        "month",
        "12.50",
        "-1",
        "1e3",
        "NaN",
        "Infinity",
        "days",
        "absolute_date",
        '{"==": [1, 1]}',
        "[]",
        "",
        " ",
        "0x1f",
        "\ud800",
    )
)


_ODD_KEYS: Final = st.sampled_from(
    (
        "id",
        "definition",
        "timezone",
        "issued_at",
        "expires_at",
        "period",
        "period_type",
        "value_initial",
        "value_remaining",
        "claim_condition",
        "claim_timeframe",
        "max_redemptions",
        "count",
        "ids",
        "profile_id",
        "extend_days",
        "extend_date",
        "events",
        "members",
        "type",
        "at",
    )
)


@functools.cache
def json_leaves() -> st.SearchStrategy[Any]:
    """JSON scalars with an eye for edges: big ints, NaN and infinities, date-like text."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from((0, 1, -1, 2**31, 2**53, 2**53 + 1, 2**63 - 1, 2**63, -(2**63))),
        st.floats(),
        st.sampled_from((Decimal("12.50"), Decimal("1E+30"), Decimal("-0"), Decimal("1E-30"))),
        st.text(max_size=12),
        _ODD_TEXTS,
    )


@functools.cache
def json_documents(*, max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Moderate JSON documents (a few levels, a dozen leaves) built from :func:`json_leaves`."""
    return st.recursive(
        json_leaves(),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.one_of(st.text(max_size=8), _ODD_KEYS), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


@functools.cache
def documents_or_hostile() -> st.SearchStrategy[Any]:
    """A random JSON document, or one of the named hostile values (as a :class:`Hostile`)."""
    return st.one_of(json_documents(), hostile_values())


def unwrap(value: Any) -> Any:
    """The value itself: a :class:`Hostile`'s value, anything else unchanged."""
    return value.value if isinstance(value, Hostile) else value


# --- bases: the shipped examples, the seed pages' shapes, full payloads ---------------------


def load_json(path: Path) -> Any:
    """Read a JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


_PLACEHOLDER_FILLS: Final[Mapping[str, Any]] = {
    "timezone": "Australia/Melbourne",
    "value_initial": "50.00",
    "value_remaining": "20.00",
    "period_type": "days",
    "release_period_type": "days",
    "recipient_email": "jsmith@example.com",
    "id": 123,
    "redemptions_remaining": 3,
}


def _fill(value: Any, key: str) -> Any:
    """The plausible value for a placeholder scalar (or an empty ``{}``) under ``key``."""
    if value == {} and key.endswith("_remaining"):
        return None
    if value == 123 and key.endswith("_hour"):
        return 9
    if value != "<string>":
        return value
    if key.endswith(("_at", "absolute_expiry", "extend_date")):
        return "2023-11-07T05:31:56Z"
    return _PLACEHOLDER_FILLS.get(key, value)


def fill_placeholders(value: Any, key: str = "") -> Any:
    """Give a seed page's shape plausible values: its ``"<string>"`` placeholders replaced.

    Instants (``*_at``, ``absolute_expiry``, ...) get an ISO 8601 instant, zones a real zone,
    money a decimal string; ``["<unknown>"]`` conditions and timeframes become null. Other
    placeholders stay as they are (they are valid strings).
    """
    if isinstance(value, dict) and value:
        return {k: fill_placeholders(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if value == ["<unknown>"] and key.endswith(("_condition", "timeframe")):
            return None
        return [fill_placeholders(v, key) for v in value]
    return _fill(value, key)


def seed(name: str) -> Any:
    """One of the seed shapes in ``data/``, by file stem (``claim-response``)."""
    return load_json(DATA / f"seed-{name}.json")


def _seed_items() -> dict[str, Any]:
    claim = seed("claim-response")["data"]
    reward = seed("extend-response")["data"][0]
    credit_edit = seed("edit-credit-response")["data"]
    credit_redeem = seed("redeem-response")["data"]["items"][0]["type_attributes"]
    return {
        "benefit": claim,
        "reward": reward,
        "credit": credit_edit,
        "credit-in-redemption": credit_redeem,
    }


def _full(cls: type[Any]) -> dict[str, Any]:
    """``to_api()`` of a simple value: every key the class stores, nested definition too."""
    embedded = {Benefit: BenefitDefinition, Reward: RewardDefinition, Credit: CreditDefinition}
    kwargs: dict[str, Any] = {}
    if cls in embedded:
        kwargs["definition"] = embedded[cls]()
    if cls in {Reward, Credit}:
        kwargs["value_initial"] = Decimal("10.00")
    if cls is Profile:
        return {"id": "p-1", "tier_handle": "gold", "aggregations": {"spend_12m": 10}}
    payload: dict[str, Any] = cls(**kwargs).to_api()
    return payload


_INSTANCE_KIND: Final[Mapping[type[Any], str]] = {
    Benefit: "benefit",
    Reward: "reward",
    Credit: "credit",
}
_DEFINITION_KIND: Final[Mapping[type[Any], str]] = {
    BenefitDefinition: "benefit",
    RewardDefinition: "reward",
    CreditDefinition: "credit",
}


def _instance_bases(kind: str) -> dict[str, Any]:
    bases = {f"examples/{kind}.json": load_json(EXAMPLES / f"{kind}.json")}
    for name, item in _seed_items().items():
        if name.startswith(kind):
            bases[f"seed {name}"] = item
            bases[f"seed {name}, filled"] = fill_placeholders(item)
    if kind == "reward":
        for index, item in enumerate(load_json(EXAMPLES / "rewards.json")[:2]):
            bases[f"examples/rewards.json[{index}]"] = item
    return bases


def _definition_bases(kind: str) -> dict[str, Any]:
    bases = {
        f"{name} .definition": item["definition"]
        for name, item in _instance_bases(kind).items()
        if isinstance(item.get("definition"), dict)
    }
    if kind == "benefit":
        bases["examples/benefit-definition.json"] = load_json(EXAMPLES / "benefit-definition.json")
        for index, item in enumerate(load_json(example_path("definitions.json"))):
            bases[f"definitions.json[{index}]"] = item
    return bases


def value_bases(cls: type[Any]) -> dict[str, Any]:
    """Base payloads of one of the seven values, by name: examples, seed shapes, full payloads.

    Each seed shape comes twice: as on the page (placeholders) and with plausible values.
    """
    bases: dict[str, Any] = {f"to_api() of a simple {cls.__name__}": _full(cls)}
    if cls in _INSTANCE_KIND:
        bases.update(_instance_bases(_INSTANCE_KIND[cls]))
    elif cls in _DEFINITION_KIND:
        bases.update(_definition_bases(_DEFINITION_KIND[cls]))
    else:
        bases["examples/profile.json"] = load_json(EXAMPLES / "profile.json")
        bases["seed redeem-response .profile"] = seed("redeem-response")["data"]["profile"]
    return bases


def scenario_bases() -> dict[str, Any]:
    """The shipped scenarios, by file name."""
    return {
        f"examples/scenarios/{path.name}": load_json(path)
        for path in sorted(SCENARIOS.glob("*.json"))
    }


def request_bases(kind: str) -> dict[str, Any]:
    """Request bodies of one kind (``claim``, ``redeem``, ``extend``, ``edit-credit``)."""
    raw = seed(f"{kind}-request")
    bases = {f"seed {kind}-request": raw, f"seed {kind}-request, filled": fill_placeholders(raw)}
    valid: dict[str, Any] = {
        "claim": {"definition": "coffee", "timezone": "Australia/Melbourne"},
        "redeem": {"count": 2},
        "extend": {"profile_id": "p-1", "ids": [4, 7], "extend_days": 30},
        "edit-credit": {"value_remaining": "12.50", "expires_at": "2026-01-31 23:59:59"},
    }
    bases[f"a valid {kind} request"] = valid[kind]
    if kind == "extend":
        bases["a valid extend request by date"] = {
            "profile_id": "p-1",
            "ids": [4],
            "extend_date": "2023-11-07T05:31:56Z",
        }
    return bases


# --- mutants -------------------------------------------------------------------------------

JSONPath = tuple[str | int, ...]

_SHORT: Final = reprlib.Repr()
_SHORT.maxstring = 60
_SHORT.maxother = 60
_SHORT.maxlevel = 3


def short(value: Any) -> str:
    """A short repr of a (moderate) generated value, for a mutant's label."""
    if isinstance(value, Hostile):
        return value.label
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"<int of {value.bit_length()} bits>"
    return _SHORT.repr(value)


def path_text(path: JSONPath) -> str:
    """Render a path as ``$.definition.period`` or ``$.events[2]``."""
    out = "$"
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else f".{step}"
    return out


def copy_plain(value: Any) -> Any:
    """Copy a JSON document: dicts and lists copied (without recursion), the rest shared."""
    if not isinstance(value, dict | list):
        return value
    top: Any = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, top)]
    while stack:
        source, target = stack.pop()
        pairs = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in pairs:
            child: Any = item
            if isinstance(item, dict | list):
                child = {} if isinstance(item, dict) else []
                stack.append((item, child))
            if isinstance(target, dict):
                target[key] = child
            else:
                target.append(child)
    return top


def paths_of(document: Any, limit: int = 400, skip: frozenset[int] = frozenset()) -> list[JSONPath]:
    """Every location in a document, the root first: object members and array items.

    At most ``limit`` locations and 8 levels; the containers whose ``id`` is in ``skip`` (the
    shared hostile values a mutant holds) are locations but are not entered.
    """
    found: list[JSONPath] = [()]
    stack: list[tuple[JSONPath, Any]] = [((), document)]
    while stack and len(found) < limit:
        path, value = stack.pop()
        children: Iterator[tuple[str | int, Any]]
        if id(value) in skip:
            continue
        if isinstance(value, dict):
            children = iter(value.items())
        elif isinstance(value, list):
            children = iter(enumerate(value))
        else:
            continue
        for step, child in children:
            found.append((*path, step))
            if isinstance(child, dict | list) and len(path) < 8:
                stack.append(((*path, step), child))
    return found[:limit]


def get_at(document: Any, path: JSONPath) -> Any:
    """The value at ``path``."""
    for step in path:
        document = document[step]
    return document


def set_at(document: Any, path: JSONPath, value: Any) -> Any:
    """Set the value at ``path`` and return the (possibly new) root."""
    if not path:
        return value
    parent = get_at(document, path[:-1])
    parent[path[-1]] = value
    return document


def drop_at(document: Any, path: JSONPath) -> Any:
    """Remove the member or item at ``path`` (the root becomes ``{}``)."""
    if not path:
        return {}
    parent = get_at(document, path[:-1])
    del parent[path[-1]]
    return document


def _retyped_number(value: float | Decimal) -> list[tuple[str, Any]]:
    try:
        small = abs(float(value)) < 1e300
    except OverflowError:  # an int too large for a float
        small = False
    return [
        ("str(it)", str(value) if not isinstance(value, int) or abs(value) < 10**100 else "1"),
        ("-it", -value),
        ("it + 1", value + 1),
        ("it * 10**20", value if isinstance(value, Decimal) else value * 10**20),
        ("it + 0.5", float(value) + 0.5 if small else 0.5),
        ("float(it)", float(value) if small else 1e300),
    ]


def _retyped(value: Any) -> list[tuple[str, Any]]:
    """Values of another JSON type that a confused client might send instead of ``value``."""
    found: list[tuple[str, Any]] = [("[it]", [value]), ("{'value': it}", {"value": value})]
    if isinstance(value, bool) or value is None:
        found += [("'true'", "true"), ("1", 1), ("'null'", "null")]
    elif isinstance(value, int | float | Decimal):
        found += _retyped_number(value)
    elif isinstance(value, str):
        found += [
            ("it[:3]", value[:3]),
            ("it + 'Z'", value + "Z"),
            ("it + '+25:00'", value + "+25:00"),
            ("' ' + it", " " + value),
            ("it.upper()", value.upper()),
            ("it * 100", value * (100 if len(value) < 1000 else 2)),
            ("it.replace('0', '9')", value.replace("0", "9")),
            ("it.replace('-', '/')", value.replace("-", "/")),
            ("int-like", 5),
        ]
    elif isinstance(value, list):
        found += [("it[0] if it else None", value[0] if value else None), ("it * 3", value * 3)]
    elif isinstance(value, dict):
        found += [("list(it.values())", list(value.values())), ("json.dumps(it)", _dumps(value))]
    return found


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return "{}"


class Mutant:
    """A base document with a few changes; prints as the base's name and the changes."""

    __slots__ = ("base", "changes", "document")

    def __init__(self, base: str, changes: tuple[str, ...], document: Any) -> None:
        """Record the base name, the changes (as text) and the mutated document."""
        self.base = base
        self.changes = changes
        self.document = document

    def __repr__(self) -> str:
        """Return ``<base>: change; change``."""
        return f"<{self.base}: {'; '.join(self.changes) or 'unchanged'}>"


_RANDOM: Final = st.one_of(json_leaves(), json_documents(max_leaves=4))
_OPERATIONS: Final = ("drop", "null", "hostile", "random", "retype", "duplicate", "add", "hostile")


class _Mutation:
    """A document being mutated: the changes so far, and the shared hostile values in it."""

    def __init__(self, draw: st.DrawFn, document: Any) -> None:
        self.draw = draw
        self.document = document
        self.changes: list[str] = []
        self.shared: set[int] = set()
        """The ids of the hostile containers placed in the document: shared with the module's
        constants (copying a 10,000-level value per example is slow), so never changed."""

    def place(self, path: JSONPath, value: Any) -> None:
        if isinstance(value, Hostile):
            value = value.value
            if isinstance(value, dict | list):
                self.shared.add(id(value))
        self.document = set_at(self.document, path, value)

    def change(self) -> None:
        draw = self.draw
        paths = paths_of(self.document, skip=frozenset(self.shared))
        path = draw(st.sampled_from(paths))
        where = path_text(path)
        operation = draw(st.sampled_from(_OPERATIONS))
        current = get_at(self.document, path)
        if operation == "drop":
            self.document = drop_at(self.document, path)
            self.changes.append(f"drop {where}")
        elif operation == "null":
            self.place(path, None)
            self.changes.append(f"{where} = None")
        elif operation in {"hostile", "random"}:
            value = draw(hostile_values() if operation == "hostile" else _RANDOM)
            self.place(path, value)
            self.changes.append(f"{where} = {short(value)}")
        elif operation == "retype" and id(current) not in self.shared:
            how, value = draw(st.sampled_from(_retyped(current)))
            self.place(path, value)
            self.changes.append(f"{where} = {how}")
        elif operation == "duplicate":
            source = draw(st.sampled_from(paths))
            if path[: len(source)] != source:  # never a value inside itself
                self.place(path, get_at(self.document, source))
                self.changes.append(f"{where} = {path_text(source)}")
        elif isinstance(current, dict) and id(current) not in self.shared:
            key = draw(st.one_of(_ODD_KEYS, st.text(max_size=6)))
            value = draw(st.one_of(_RANDOM, hostile_values()))
            if isinstance(value, Hostile) and isinstance(value.value, dict | list):
                self.shared.add(id(value.value))
            current[key] = unwrap(value)
            self.changes.append(f"{where}[{key!r}] = {short(value)}")


@st.composite
def mutants(draw: st.DrawFn, bases: Mapping[str, Any], *, max_changes: int = 4) -> Mutant:
    """Mutate one of ``bases`` in 0 to ``max_changes`` places.

    Each change, at a random location (the root included): drop the member, set it to null,
    to a named hostile value, to a random JSON document, to another JSON type (the number as a
    string, a string truncated or with an offset appended, the value wrapped in an array...),
    copy another member's value over it (a duplicated key whose last copy wins), or add an
    unknown key to an object.
    """
    name = draw(st.sampled_from(sorted(bases)))
    mutation = _Mutation(draw, copy_plain(bases[name]))
    for _ in range(draw(st.integers(0, max_changes))):
        mutation.change()
    return Mutant(name, tuple(mutation.changes), mutation.document)


# --- checks ------------------------------------------------------------------------------


def check_payload_error(exc: PayloadError) -> None:
    """A ``PayloadError`` names each problem by a JSON path under ``$``; its text is short."""
    assert exc.problems, f"a PayloadError without problems: {str(exc)[:200]!r}"
    for problem in exc.problems:
        assert problem.where.startswith("$"), f"problem not at a JSON path: {problem.where[:200]!r}"
    text = str(exc)
    assert len(text) < MAX_MESSAGE, f"message of {len(text)} characters: {text[:300]!r}..."


def _decimal_number(value: object) -> str:
    """Write a Decimal of a profile as its digits (json has no hook for numbers)."""
    if isinstance(value, Decimal) and value.is_finite():
        return str(value)
    msg = f"not JSON: {type(value).__name__}"
    raise TypeError(msg)


def check_round_trip(value: Any) -> None:
    """``from_api(to_api())`` gives the value back and ``to_api()`` is strict JSON.

    A profile's context and every value's ``extra`` keep numbers as given, ``Decimal``
    included (COND-5, PAY-10), so Decimals need a writer; everything else is strict JSON.
    """
    payload = value.to_api()
    json.dumps(payload, allow_nan=False, default=_decimal_number)
    again = type(value).from_api(payload)
    assert again == value, f"round trip changed the value: {value!r} -> {again!r}"


def parse_only_payload_errors(parse: Callable[[Any], Any], payload: Any) -> Any:
    """Run ``parse``; return its result, or ``None`` after checking its ``PayloadError``.

    Any other exception propagates and fails the calling test.
    """
    try:
        return parse(payload)
    except PayloadError as exc:
        check_payload_error(exc)
        return None


def check_reason_texts(decision: Any) -> None:
    """Every reason's message is short; its detail can be computed and is strict JSON.

    A detail holds the observed values as data, verbatim (a 50,000-character profile field a
    condition read is in it whole, in time linear in its size); the message says the same in
    a sentence of bounded length.
    """
    for reason in decision.reasons:
        message = reason.message
        assert isinstance(message, str)
        assert len(message) < MAX_MESSAGE, f"reason message of {len(message)} characters"
        json.dumps(dict(reason.detail), allow_nan=False)
    retry_at = decision.retry_at
    assert retry_at is None or retry_at.tzinfo is UTC
    json.dumps(decision.to_json(), allow_nan=False)


def only_loyalty_errors(call: Callable[[], Any]) -> Any:
    """Run ``call``; return its result, or ``None`` when it raised a ``LoyaltyError``.

    The error's message must be computable and short. Any other exception propagates.
    """
    try:
        return call()
    except LoyaltyError as exc:
        text = str(exc)
        assert len(text) < MAX_MESSAGE, f"message of {len(text)} characters: {text[:300]!r}..."
        return None


# --- instants ------------------------------------------------------------------------------


def _fixed(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


EDGE_INSTANTS: Final = (
    _h("datetime(1, 1, 1, tzinfo=UTC)", datetime(1, 1, 1, tzinfo=UTC)),
    _h("datetime(1, 1, 1, tzinfo=+14:00)", datetime(1, 1, 1, tzinfo=_fixed(14))),
    _h(
        "datetime(1, 1, 1, 23, 59, 59, tzinfo=-14:00)",
        datetime(1, 1, 1, 23, 59, 59, tzinfo=_fixed(-14)),
    ),
    _h("datetime(1, 1, 2, tzinfo=UTC)", datetime(1, 1, 2, tzinfo=UTC)),
    _h("datetime(1970, 1, 1, tzinfo=UTC)", datetime(1970, 1, 1, tzinfo=UTC)),
    _h("datetime(2026, 3, 8, 7, tzinfo=UTC)", datetime(2026, 3, 8, 7, tzinfo=UTC)),
    _h(
        "datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)",
        datetime(9999, 12, 30, 23, 59, 59, 999_999, tzinfo=UTC),
    ),
    _h("datetime(9999, 12, 31, tzinfo=UTC)", datetime(9999, 12, 31, tzinfo=UTC)),
    _h(
        "datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)",
        datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    ),
    _h(
        "datetime(9999, 12, 31, 23, 59, 59, tzinfo=-14:00)",
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=_fixed(-14)),
    ),
    _h(
        "datetime(9999, 12, 31, 23, 59, 59, tzinfo=+14:00)",
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=_fixed(14)),
    ),
    _h(
        "datetime(9999, 12, 31, 23, 59, 59, tzinfo=+23:59)",
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=_fixed(23, 59)),
    ),
    _h("datetime(1, 1, 1, tzinfo=+23:59)", datetime(1, 1, 1, tzinfo=_fixed(23, 59))),
)
"""Aware instants at and past the ends of what a value can store."""
