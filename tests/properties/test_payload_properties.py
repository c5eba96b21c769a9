"""Property tests of the PAY rules (RULES.md section 12): the payload boundary.

Round trips of the seven values (PAY-1), robustness of ``from_api`` against any JSON-like
payload (PAY-12: it parses or raises ``PayloadError``, nothing else), and the money laws
(PAY-8).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    Credit,
    CreditDefinition,
    InvalidRequest,
    PayloadError,
    Profile,
    Reward,
    RewardDefinition,
    clock,
)
from loyalty_core._fields import BadValue, to_money
from loyalty_core.payloads import parse_claim_request, parse_redeem_request
from tests.properties import strategies as lst

VALUES: Final[dict[type[Any], st.SearchStrategy[Any]]] = {
    BenefitDefinition: lst.benefit_definitions(),
    Benefit: lst.benefits(),
    RewardDefinition: lst.reward_definitions(),
    Reward: lst.rewards(),
    CreditDefinition: lst.credit_definitions(),
    Credit: lst.credit_items(),
    Profile: lst.profiles(),
}
CLASSES: Final = tuple(VALUES)
IDS: Final = [cls.__name__ for cls in CLASSES]
DEFINITION_OF: Final[dict[type[Any], type[Any]]] = {
    Benefit: BenefitDefinition,
    Reward: RewardDefinition,
    Credit: CreditDefinition,
}


def instants_in(value: Any) -> list[datetime]:
    """Every datetime stored on a value or on its embedded definition."""
    if not attrs.has(type(value)):
        return []
    found: list[datetime] = []
    for attribute in attrs.fields(type(value)):
        item = getattr(value, attribute.name)
        if isinstance(item, datetime):
            found.append(item)
        elif attrs.has(type(item)):
            found.extend(instants_in(item))
    return found


# --- PAY-1: round trips --------------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
@given(data=st.data())
def test_pay1_round_trip_through_to_api(cls: type[Any], data: st.DataObject) -> None:
    """PAY-1: ``type(x).from_api(x.to_api()) == x`` for each of the seven values.

    The rebuilt value has the same type, renders the same payload, and stores every instant
    as a plain UTC datetime (TIME-1).
    """
    value = data.draw(VALUES[cls])
    payload = value.to_api()
    back = cls.from_api(payload)
    assert type(back) is cls
    assert back == value
    assert back.to_api() == payload
    for instant in instants_in(back):
        assert type(instant) is datetime
        assert instant.tzinfo is UTC


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
@given(data=st.data())
def test_pay1_round_trip_through_json_text(cls: type[Any], data: st.DataObject) -> None:
    """PAY-1: the round trip also holds through JSON text (``json.dumps`` then ``json.loads``).

    ``to_api`` returns JSON-serialisable data only (strings for money and instants).
    """
    value = data.draw(VALUES[cls])
    text = json.dumps(value.to_api(), allow_nan=False)
    assert cls.from_api(json.loads(text)) == value


def constructed_or_none(build: Callable[[], Any]) -> Any:
    """The value ``build`` makes, or None when the constructor refuses it (InvalidRequest)."""
    try:
        return build()
    except InvalidRequest:
        return None


@given(st.datetimes(timezones=st.just(UTC)))
def test_pay1_round_trip_keeps_every_representable_instant(instant: datetime) -> None:
    """PAY-1/PAY-5: any instant a constructor accepts survives ``to_api`` and ``from_api``.

    Every instant from ``clock.EARLIEST`` (0001-01-02) to ``clock.LATEST`` (9999-12-30) UTC is
    accepted, years before 1000 included (PAY-2 writes four-digit years); outside that range
    the constructor raises ``InvalidRequest``, nothing else.
    """
    benefit = constructed_or_none(
        lambda: Benefit(definition=BenefitDefinition(end_at=instant), issued_at=instant)
    )
    if clock.EARLIEST <= instant <= clock.LATEST:
        assert benefit is not None
    if benefit is not None:
        assert Benefit.from_api(benefit.to_api()) == benefit


@given(
    st.one_of(
        st.datetimes(timezones=st.just(UTC)),
        st.datetimes(min_value=datetime(9999, 12, 29), timezones=st.just(UTC)),
        st.datetimes(max_value=datetime(1, 1, 3), timezones=st.just(UTC)),
    ),
    st.sampled_from(lst.CURATED_ZONES),
)
def test_pay5_reward_to_api_renders_every_representable_instant(
    instant: datetime, zone_name: str
) -> None:
    """PAY-1/PAY-5: a reward's ``to_api`` (with its local twins) works for any stored instant.

    ``issued_local_at``/``expires_local_at`` are the wall times in the reward's zone; an
    instant the constructor accepts must render and round-trip in any zone, even next to the
    ends of the representable range.
    """
    reward = constructed_or_none(
        lambda: Reward(
            value_initial=Decimal(1), issued_at=instant, expires_at=instant, timezone=zone_name
        )
    )
    if clock.EARLIEST <= instant <= clock.LATEST:
        assert reward is not None
    if reward is not None:
        assert Reward.from_api(reward.to_api()) == reward


# --- PAY-12: any payload parses or raises PayloadError --------------------------------------


def field_names(cls: type[Any]) -> tuple[str, ...]:
    """The JSON keys a value class reads."""
    if cls is Profile:
        return ("id", "external_id", "tier_handle")
    return tuple(a.name for a in attrs.fields(cls))


@st.composite
def datetime_texts(draw: st.DrawFn) -> str:
    """Strings shaped like the PAY-2 datetimes, valid or not, near the representable edges.

    Components range a little past their limits (month 13, hour 24, second 60, 7 fraction
    digits, offset ±24:00), years include 0001 and 9999, and one branch writes the first or
    last day of the representable range with an offset that may push it out of range.
    """
    edge = draw(st.booleans())
    if edge:
        first = draw(st.booleans())
        day = "0001-01-01" if first else "9999-12-31"
        hour = draw(st.integers(0, 23))
        sign = "+" if first else "-"
        shift = draw(st.integers(0, 23))
        return f"{day}T{hour:02d}:{'00:00' if first else '59:59'}{sign}{shift:02d}:00"
    year = draw(st.one_of(st.sampled_from((1, 999, 1000, 1970, 2024, 9999)), st.integers(0, 9999)))
    month_number = draw(st.integers(0, 13))
    day_of_month = draw(st.integers(0, 32))
    text = f"{year:04d}-{month_number:02d}-{day_of_month:02d}"
    shape = draw(st.sampled_from(("date", "naive", "T", "space", "T-naive")))
    if shape == "date":
        return text
    hour, minute, second = draw(st.tuples(*(st.integers(0, n) for n in (24, 60, 61))))
    sep = "T" if shape.startswith("T") else " "
    text += f"{sep}{hour:02d}:{minute:02d}:{second:02d}"
    if shape in {"naive", "T-naive"}:
        return text
    fraction = draw(st.text(alphabet="0123456789", min_size=0, max_size=7))
    if fraction:
        text += "." + fraction
    offset: str = draw(
        st.one_of(
            st.just("Z"),
            st.builds(
                "{}{:02d}:{:02d}".format,
                st.sampled_from("+-"),
                st.integers(0, 24),
                st.integers(0, 59),
            ),
        )
    )
    return text + offset


def nasty_values() -> st.SearchStrategy[Any]:
    """Values to put under a payload key.

    Any JSON, datetime-, money- and timeframe-like text, integral floats, big and negative
    integers, booleans.
    """
    return st.one_of(
        lst.json_values(finite=False),
        datetime_texts(),
        st.from_regex(r"\A-?\d{1,6}(\.\d{0,3})?([eE][+-]?\d)?\s?\Z"),
        st.from_regex(r"\A ?\d{0,3} ?(day|week|month|year)s? ?\Z"),
        st.sampled_from(("", "[]", "{}", "true", "null", '{"==":[1,1]}', "UTC", "Mars/Base")),
        st.integers(-(2**70), 2**70).map(float),
        st.sampled_from((0, -1, 23, 24, 2**63, -(2**63), True, False, 1.5, -0.0)),
    )


# Built once: a strategy is immutable, and building these (regexes, nested one_of) in every
# draw cost more than drawing from them.
NASTY: Final = nasty_values()
JSON_VALUES: Final = lst.json_values(finite=False)
DATETIME_TEXTS: Final = datetime_texts()
_MADE_UP: Final[dict[type[Any], st.SearchStrategy[dict[str, Any]]]] = {
    cls: st.dictionaries(st.sampled_from(field_names(cls)) | st.text(max_size=6), NASTY, max_size=8)
    for cls in CLASSES
}
_MADE_UP_DEFINITIONS: Final[dict[type[Any], st.SearchStrategy[dict[str, Any]]]] = {
    cls: st.dictionaries(st.sampled_from(field_names(definition_cls)), NASTY, max_size=8)
    for cls, definition_cls in DEFINITION_OF.items()
}


@st.composite
def made_up_payloads(draw: st.DrawFn, cls: type[Any]) -> Any:
    """A payload built from scratch.

    Any JSON value, or an object with the class's keys (and a nested ``definition`` object)
    holding nasty values.
    """
    if draw(st.integers(0, 4)) == 0:
        return draw(JSON_VALUES)
    payload = draw(_MADE_UP[cls])
    if cls in _MADE_UP_DEFINITIONS and draw(st.booleans()):
        return {**payload, "definition": draw(_MADE_UP_DEFINITIONS[cls])}
    return payload


@st.composite
def mutated_payloads(draw: st.DrawFn, cls: type[Any]) -> Any:
    """A valid payload (``x.to_api()``) with one to three keys changed.

    Each chosen key (top level or inside ``definition``) is set to a nasty value or deleted.
    """
    payload: dict[str, Any] = draw(VALUES[cls]).to_api()
    for _ in range(draw(st.integers(1, 3))):
        target = payload
        definition = payload.get("definition")
        if isinstance(definition, dict) and draw(st.booleans()):
            target = definition
        keys = sorted(target) or ["id"]
        key = draw(st.one_of(st.sampled_from(keys), st.text(max_size=6)))
        if draw(st.integers(0, 5)) == 0:
            target.pop(key, None)
        else:
            target[key] = draw(NASTY)
    return payload


def assert_parses_or_payload_error(cls: type[Any], payload: Any) -> None:
    """PAY-12: ``from_api`` returns a value of ``cls`` or raises ``PayloadError`` only.

    Each problem of the error names a JSON path starting with ``$``.
    """
    try:
        value = cls.from_api(payload)
    except PayloadError as exc:
        error = exc
    else:
        assert type(value) is cls
        return
    assert error.problems
    for problem in error.problems:
        assert problem.where.startswith("$"), problem
        assert problem.message, problem
    assert str(error).startswith("$")


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
@given(data=st.data())
def test_pay12_any_payload_parses_or_raises_payload_error(
    cls: type[Any], data: st.DataObject
) -> None:
    """PAY-1/PAY-12: any JSON-like payload either parses or raises ``PayloadError``.

    The error names paths that start with ``$``; never KeyError, TypeError, OverflowError or
    anything else escapes.
    """
    assert_parses_or_payload_error(cls, data.draw(made_up_payloads(cls)))


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
@given(data=st.data())
def test_pay12_mutated_valid_payload_parses_or_raises_payload_error(
    cls: type[Any], data: st.DataObject
) -> None:
    """PAY-12: a valid payload with a few keys changed parses or raises ``PayloadError``.

    Keys are set to random JSON (or removed); the error names paths that start with ``$``;
    nothing else escapes.
    """
    assert_parses_or_payload_error(cls, data.draw(mutated_payloads(cls)))


def instant_fields(cls: type[Any]) -> tuple[str, ...]:
    """The keys of a value class that hold instants (annotated ``datetime | None``)."""
    return tuple(a.name for a in attrs.fields(cls) if "datetime" in str(a.type))


@pytest.mark.parametrize("cls", [c for c in CLASSES if c is not Profile], ids=IDS[:-1])
@given(data=st.data())
def test_pay12_datetime_text_in_an_instant_field_parses_or_raises_payload_error(
    cls: type[Any], data: st.DataObject
) -> None:
    """PAY-2/PAY-12: datetime-shaped text under an instant key parses or is a ``PayloadError``.

    Valid and invalid shapes alike, including offsets that move an instant next to
    0001-01-01 or 9999-12-31 out of the representable range: the answer is a value or a
    ``PayloadError``, never an ``OverflowError``.
    """
    payload: dict[str, Any] = data.draw(VALUES[cls]).to_api()
    target = payload
    definition_cls = DEFINITION_OF.get(cls)
    if definition_cls is not None and isinstance(payload.get("definition"), dict):
        if data.draw(st.booleans()):
            target = payload["definition"]
            cls_of_target = definition_cls
        else:
            cls_of_target = cls
    else:
        cls_of_target = cls
    key = data.draw(st.sampled_from(instant_fields(cls_of_target)))
    target[key] = data.draw(DATETIME_TEXTS)
    if "claim_period_end_at" in target:
        target["claim_period_end_at"] = None  # keep PAY-11's window check out of the way
    assert_parses_or_payload_error(cls, payload)


@given(JSON_VALUES.filter(lambda v: not isinstance(v, dict)))
def test_pay1_non_mapping_is_a_payload_error_at_the_root(payload: Any) -> None:
    """PAY-1: a payload that is not a mapping is a ``PayloadError`` at ``$`` (every class)."""
    for cls in CLASSES:
        with pytest.raises(PayloadError) as caught:
            cls.from_api(payload)
        assert [p.where for p in caught.value.problems] == ["$"]


# --- PAY-8: money --------------------------------------------------------------------------


def within_money_limits(amount: Decimal) -> bool:
    """The Limits page's money bounds: below 10**18 in size, at most 18 decimal places."""
    exponent = amount.as_tuple().exponent
    return abs(amount) < Decimal(10) ** 18 and isinstance(exponent, int) and exponent >= -18


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_pay8_float_money_is_its_shortest_repr(number: float) -> None:
    """PAY-8/Q40: a finite float becomes ``Decimal(repr(x))`` exactly, scale included.

    So ``0.1`` is ``Decimal('0.1')``, never the binary expansion. Through a payload (a
    non-negative ``value_initial``), also after a JSON text round trip of the number. A float
    outside the money limits (10**18, 18 places) is rejected, never rounded.
    """
    expected = Decimal(repr(number))
    if not within_money_limits(expected):
        with pytest.raises(BadValue):
            to_money(number)
        return
    assert to_money(number).as_tuple() == expected.as_tuple()
    magnitude = abs(number)
    payload = json.loads(json.dumps({"value_initial": magnitude}))
    parsed = Reward.from_api(payload).value_initial
    assert parsed.as_tuple() == Decimal(repr(magnitude)).as_tuple()
    assert float(parsed) == magnitude


@given(st.from_regex(r"\A-?(0|[1-9][0-9]{0,20})(\.[0-9]{1,20})?\Z"))
def test_pay8_money_strings_keep_their_scale(text: str) -> None:
    """PAY-8: a decimal money string is kept exactly, scale included.

    ``"12.50"`` stays ``Decimal("12.50")``, and ``to_api`` writes it back as the same text.
    Outside the money limits it is rejected.
    """
    if not within_money_limits(Decimal(text)):
        with pytest.raises(BadValue):
            to_money(text)
        return
    assert to_money(text).as_tuple() == Decimal(text).as_tuple()
    positive = text.removeprefix("-")
    reward = Reward.from_api({"value_initial": positive, "value_remaining": positive})
    assert reward.value_initial.as_tuple() == Decimal(positive).as_tuple()
    assert reward.to_api()["value_initial"] == positive
    assert reward.to_api()["value_remaining"] == positive


@given(st.one_of(st.integers(), st.integers(-(10**18) - 2, 10**18 + 2)))
def test_pay8_int_money_is_exact(number: int) -> None:
    """PAY-8: an ``int`` becomes exactly that value, with no fraction digits, below 10**18."""
    if abs(number) >= 10**18:
        with pytest.raises(BadValue):
            to_money(number)
        return
    money = to_money(number)
    assert money == number
    assert money.as_tuple().exponent == 0


@given(
    st.one_of(
        st.booleans(),
        st.sampled_from((math.nan, math.inf, -math.inf, Decimal("NaN"), Decimal("-Infinity"))),
        st.from_regex(r"\A-?\d{1,4}(\.\d{1,3})?[eE][+-]?\d{1,2}\Z"),
        st.from_regex(r"\A\s+-?\d{1,4}\Z|\A-?\d{1,4}\s+\Z"),
        st.sampled_from(("", "-", ".5", "5.", "+5", "1_000", "0x10", "١٢")),
    )
)
def test_pay8_rejected_money(value: Any) -> None:
    """PAY-8: booleans, NaN, ±Infinity, exponents, whitespace and other text are rejected.

    A payload holding one is a ``PayloadError`` at ``$.value_initial``.
    """
    with pytest.raises(BadValue):
        to_money(value)
    with pytest.raises(PayloadError) as caught:
        Reward.from_api({"value_initial": value})
    assert [p.where for p in caught.value.problems] == ["$.value_initial"]


_BODY_KEYS = st.sampled_from(["definition", "timezone", "external_id", "meta", "count", "x"])


@given(
    body=st.one_of(
        lst.json_values(),
        st.dictionaries(_BODY_KEYS, lst.json_values(), max_size=5),
    )
)
def test_request_bodies_parse_or_raise_payload_error(body: Any) -> None:
    """PAY-12: a Claim or Redeem request body either parses or raises ``PayloadError``.

    A parsed claim body has string ``definition`` and a known zone; a parsed count is >= 1.
    """
    claim_problems: list[str] = []
    try:
        request = parse_claim_request(body)
    except PayloadError as error:
        claim_problems = [p.where for p in error.problems]
    else:
        assert isinstance(request.definition, str)
        assert clock.zone(request.timezone).key == request.timezone
    assert all(where.startswith("$") for where in claim_problems)
    redeem_problems: list[str] = []
    try:
        count = parse_redeem_request(body)
    except PayloadError as error:
        redeem_problems = [p.where for p in error.problems]
    else:
        assert type(count) is int
        assert count >= 1
    assert redeem_problems in ([], ["$"], ["$.count"])
