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

from loyalty_core import Credit, CreditDefinition, PayloadError, Profile, clock, edit_credit
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
    definition=CreditDefinition(timezone="Etc/GMT+12", period=1, period_type="years"),
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
            lambda raw: parse_instant(raw, ZoneInfo("Pacific/Kiritimati")),
            _check_instant,
            _INSTANT_BASES,
        ),
        Target(
            "parse_instant(naive_zone=Etc/GMT+12)",
            lambda raw: parse_instant(raw, ZoneInfo("Etc/GMT+12")),
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


@given(target=st.sampled_from(TARGETS), document=hostile.documents_or_hostile())
def test_a_parser_given_random_json_returns_a_value_or_raises_a_payload_error_only(
    target: Target, document: Any
) -> None:
    run_target(target, hostile.unwrap(document))


@pytest.mark.parametrize("target", VALUE_TARGETS, ids=IDS[:7])
@given(data=st.data())
def test_from_api_given_a_mutated_example_or_seed_returns_a_value_or_a_payload_error_only(
    target: Target, data: st.DataObject
) -> None:
    mutant: Mutant = data.draw(hostile.mutants(target.bases), label="mutant")
    run_target(target, mutant.document)


@given(target=st.sampled_from(REQUEST_TARGETS), data=st.data())
def test_a_request_parser_given_a_mutated_body_returns_a_value_or_a_payload_error_only(
    target: Target, data: st.DataObject
) -> None:
    mutant: Mutant = data.draw(hostile.mutants(target.bases), label="mutant")
    run_target(target, mutant.document)


@given(data=st.data())
def test_parse_scenario_given_a_mutated_shipped_scenario_returns_or_raises_a_payload_error(
    data: st.DataObject,
) -> None:
    mutant: Mutant = data.draw(hostile.mutants(SCENARIO_TARGET.bases), label="mutant")
    run_target(SCENARIO_TARGET, mutant.document)


@given(target=st.sampled_from(TARGETS), data=st.data())
def test_a_parser_given_a_hostile_value_anywhere_in_a_base_returns_or_raises_a_payload_error(
    target: Target, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(sorted(target.bases)), label="base")
    base = target.bases[name]
    paths = {hostile.path_text(p): p for p in hostile.paths_of(base)}
    path = data.draw(st.sampled_from(sorted(paths)), label="at")
    value = data.draw(hostile.hostile_values(), label="value")
    run_target(target, hostile.set_at(hostile.copy_plain(base), paths[path], value.value))


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
        pytest.param({"id": "p-1", "x": Decimal("1E+999999")}, id="a Decimal"),
        pytest.param({"id": "p-1", "x": hostile.deep_dict(127)}, id="127 levels"),
    ],
)
def test_a_profile_that_parses_renders_strict_json(payload: dict[str, Any]) -> None:
    run_target(TARGETS[IDS.index("Profile.from_api")], payload)


def test_a_payload_error_lists_problems_by_path() -> None:
    with pytest.raises(PayloadError) as caught:
        Profile.from_api([1])
    hostile.check_payload_error(caught.value)
