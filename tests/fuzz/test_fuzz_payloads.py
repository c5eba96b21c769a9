"""Fuzz targets of the payload boundary: every parser on random, mutated and hostile JSON.

The contract: ``from_api`` of the seven values, the request-body parsers
(``parse_claim_request``, ``parse_redeem_request``, ``parse_extend_request``,
``parse_instant``), ``edit_credit`` and ``scenarios.parse_scenario`` either return or raise
``PayloadError``, never another exception (no ``RecursionError``, ``OverflowError``, plain
``ValueError`` or ``TypeError``), whatever the input: random JSON, the shipped examples and
the seed pages' shapes with keys dropped, duplicated, retyped or given hostile values (huge and
non-finite numbers, 50,000-character strings, 1,000- and 10,000-level nesting, impossible
dates, junk zone names). Each problem is at a JSON path under ``$`` and the message stays
under 5,000 characters. Whatever parses round-trips: ``cls.from_api(v.to_api()) == v`` and
``v.to_api()`` is strict JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty_core import (
    Credit,
    CreditDefinition,
    PayloadError,
    PeriodType,
    clock,
    edit_credit,
)
from loyalty_core.payloads import (
    ClaimRequest,
    ExtendRequest,
    parse_claim_request,
    parse_extend_request,
    parse_instant,
    parse_redeem_request,
)
from loyalty_core.scenarios import Scenario, parse_scenario
from tests.fuzz import hostile
from tests.fuzz.hostile import HOSTILE, Hostile, Mutant

pytestmark = pytest.mark.fuzz


class Target:
    """A parser under test: how to call it, what it should return, and its base payloads."""

    def __init__(
        self,
        name: str,
        parse: Callable[[Any], Any],
        check: Callable[[Any], None],
        bases: dict[str, Any],
    ) -> None:
        """Name the target, its call, the check of what it returns, and its bases."""
        self.name = name
        self.parse = parse
        self.check = check
        self.bases = bases

    def __repr__(self) -> str:
        """Return the target's name."""
        return self.name


def _check_request(kind: type[Any]) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        assert isinstance(value, kind)

    return check


def _check_count(value: Any) -> None:
    assert type(value) is int
    assert value >= 1


def _check_instant(value: Any) -> None:
    assert isinstance(value, datetime)
    assert value.tzinfo is UTC
    assert clock.EARLIEST <= value <= clock.LATEST


def _check_scenario(value: Any) -> None:
    assert isinstance(value, Scenario)


EXAMPLE_CREDIT: Final = Credit.from_api(hostile.load_json(hostile.EXAMPLES / "credit.json"))
EDGE_CREDIT: Final = Credit(
    timezone="Pacific/Kiritimati",
    issued_at=datetime(9999, 12, 30, tzinfo=UTC),
    value_initial=Decimal("999999999999999999.999999999999999999"),
    value_remaining=Decimal("0.000000000000000001"),
    definition=CreditDefinition(timezone="Etc/GMT+12", period=1, period_type=PeriodType.YEARS),
)
"""A credit at the edges: issued on the last storable day, in the +14:00 zone, money at its
limits, with a definition in the -12:00 zone."""

_INSTANT_BASES: Final = {
    "ISO instants": "2023-11-07T05:31:56Z",
    "a naive instant": "2021-03-05 00:06:51",
    "a date": "2021-03-05",
}


def _targets() -> tuple[Target, ...]:
    found = [
        Target(f"{cls.__name__}.from_api", cls.from_api, hostile.check_round_trip, bases)
        for cls in hostile.VALUE_CLASSES
        for bases in (hostile.value_bases(cls),)
    ]
    found += [
        Target(
            "parse_claim_request",
            parse_claim_request,
            _check_request(ClaimRequest),
            hostile.request_bases("claim"),
        ),
        Target(
            "parse_redeem_request",
            parse_redeem_request,
            _check_count,
            hostile.request_bases("redeem"),
        ),
        Target(
            "parse_extend_request",
            parse_extend_request,
            _check_request(ExtendRequest),
            hostile.request_bases("extend"),
        ),
        Target("parse_instant", parse_instant, _check_instant, _INSTANT_BASES),
        Target(
            "parse_instant(naive_zone=Pacific/Kiritimati)",
            lambda raw: parse_instant(raw, naive_zone=ZoneInfo("Pacific/Kiritimati")),
            _check_instant,
            _INSTANT_BASES,
        ),
        Target(
            "parse_instant(naive_zone=Etc/GMT+12)",
            lambda raw: parse_instant(raw, naive_zone=ZoneInfo("Etc/GMT+12")),
            _check_instant,
            _INSTANT_BASES,
        ),
        Target(
            "edit_credit(examples/credit.json, changes)",
            lambda changes: edit_credit(EXAMPLE_CREDIT, changes),
            hostile.check_round_trip,
            hostile.request_bases("edit-credit"),
        ),
        Target(
            "edit_credit(EDGE_CREDIT, changes)",
            lambda changes: edit_credit(EDGE_CREDIT, changes),
            hostile.check_round_trip,
            hostile.request_bases("edit-credit"),
        ),
        Target("parse_scenario", parse_scenario, _check_scenario, hostile.scenario_bases()),
    ]
    return tuple(found)


TARGETS: Final = _targets()
IDS: Final = [target.name for target in TARGETS]


def run_target(target: Target, payload: Any) -> None:
    """Parse ``payload``: a ``PayloadError`` is checked, a value checked and round-tripped."""
    value = hostile.parse_only_payload_errors(target.parse, payload)
    if value is not None:
        target.check(value)


VALUE_TARGETS: Final = TARGETS[:7]
REQUEST_TARGETS: Final = TARGETS[7:-1]
SCENARIO_TARGET: Final = TARGETS[-1]


ALL_BASES: Final = tuple(
    (f"{target.name}: {name}", base) for target in TARGETS for name, base in target.bases.items()
)
"""Every base payload of every parser: a mutated one goes to every parser, not only its own."""


@st.composite
def documents(draw: st.DrawFn) -> Any:
    """Random JSON, a hostile value, a mutated base, or a base with a hostile value anywhere."""
    mode = draw(st.sampled_from(("random", "mutated", "hostile anywhere")), label="mode")
    if mode == "random":
        return hostile.unwrap(draw(hostile.documents_or_hostile(), label="document"))
    name, base = draw(st.sampled_from(ALL_BASES), label="base")
    if mode == "mutated":
        mutant: Mutant = draw(hostile.mutants({name: base}), label="mutant")
        return mutant.document
    paths = {hostile.path_text(p): p for p in hostile.paths_of(base)}
    path = draw(st.sampled_from(sorted(paths)), label="at")
    value = draw(hostile.hostile_values(), label="value")
    return hostile.set_at(hostile.copy_plain(base), paths[path], value.value)


@given(document=documents())
def test_every_parser_given_any_document_returns_a_value_or_raises_a_payload_error_only(
    document: Any,
) -> None:
    """The one payload fuzz target: each document goes through all 14 parsers.

    Documents are random JSON, the examples' and seed pages' shapes with keys dropped,
    duplicated or retyped (any parser's base, so a Reward mutant also meets the Claim body
    parser), or a base with a hostile value at any location. Under the ``fuzz`` profile every
    parser sees 10,000 documents.
    """
    for target in TARGETS:
        run_target(target, document)


def _sweep(target: Target, value: Hostile) -> list[str]:
    """Put ``value`` at every location of every base of ``target``; return what failed."""
    failures: list[str] = []
    for name, base in target.bases.items():
        for path in hostile.paths_of(base):
            document = hostile.set_at(hostile.copy_plain(base), path, value.value)
            try:
                run_target(target, document)
            except Exception as exc:  # noqa: BLE001 - every failure is collected and reported
                where = hostile.path_text(path)
                failures.append(f"{name}: {where} = {value!r}: {type(exc).__name__}: {exc!s:.200}")
    return failures


@pytest.mark.slow
@pytest.mark.parametrize("value", HOSTILE, ids=[v.label[:40] for v in HOSTILE])
@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_every_location_of_every_base_takes_each_hostile_value_without_a_crash(
    target: Target, value: Hostile
) -> None:
    """The exhaustive sweep (slow: about a minute): every hostile value at every location."""
    failures = _sweep(target, value)
    assert not failures, f"{len(failures)} failures, e.g.\n" + "\n".join(failures[:10])


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_a_parser_rejects_a_payload_nested_10000_levels_deep_at_the_root(target: Target) -> None:
    for value in (hostile.deep_list(10_000), hostile.deep_dict(10_000)):
        run_target(target, value)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"id": "p-1", "x": 10**5000}, id="an int over 4,300 digits"),
        pytest.param({"id": "p-1", "x": float("nan")}, id="NaN"),
        pytest.param({"id": "p-1", "x": float("inf")}, id="Infinity"),
        pytest.param({"id": "p-1", "x": Decimal("1E+999999")}, id="a huge Decimal"),
        pytest.param({"id": "p-1", "x": Decimal("12.50")}, id="a Decimal amount"),
        pytest.param({"id": "p-1", "x": hostile.deep_dict(127)}, id="127 levels"),
    ],
)
def test_a_profile_that_parses_renders_strict_json(payload: dict[str, Any]) -> None:
    run_target(TARGETS[IDS.index("Profile.from_api")], payload)


MANY_PROBLEMS: Final = (
    pytest.param(
        parse_extend_request,
        {"profile_id": "p-1", "ids": ["x"] * 50_000, "extend_days": 1},
        id="50,000 bad ids",
    ),
    pytest.param(
        parse_scenario,
        {"start_at": "2026-01-01", "events": [{"type": "x" * 100}] * 10_000},
        id="10,000 bad events",
    ),
    pytest.param(
        parse_scenario,
        {"start_at": "2026-01-01", "members": [{"profile": {"id": 5}}] * 10_000},
        id="10,000 bad members",
    ),
    pytest.param(
        lambda body: edit_credit(EXAMPLE_CREDIT, body),
        dict.fromkeys(
            hostile.request_bases("edit-credit")["seed edit-credit-request"], "x" * 50000
        ),
        id="every edit key 50,000 characters",
    ),
    *(
        pytest.param(
            cls.from_api,
            dict.fromkeys(hostile.value_bases(cls)[f"to_api() of a simple {cls.__name__}"], bad),
            id=f"every field of a {cls.__name__} {label}",
        )
        for cls in hostile.VALUE_CLASSES[:-1]
        for label, bad in (("'x'*50000", "x" * 50_000), ("-10**5000", -(10**5000)))
    ),
)


@pytest.mark.parametrize(("parse", "payload"), MANY_PROBLEMS)
def test_a_payload_with_thousands_of_problems_gets_a_short_message(
    parse: Callable[[Any], Any], payload: Any
) -> None:
    with pytest.raises(PayloadError) as caught:
        parse(payload)
    hostile.check_payload_error(caught.value)
