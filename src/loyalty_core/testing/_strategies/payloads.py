"""API payloads: valid ones in every shape the platform sends, and ones broken in one place (PAY).

Private: import them from :mod:`loyalty_core.testing.strategies`. A payload is ``to_api()`` of a
value from :mod:`loyalty_core.testing._strategies.values`, re-spelled (:func:`api_payloads`) or
broken in exactly one field, with the JSON path ``from_api`` reports (:func:`invalid_payloads`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Final, NamedTuple

from hypothesis import strategies as st

from loyalty_core import _fields, clock
from loyalty_core.benefits import Benefit, BenefitDefinition
from loyalty_core.credits import Credit
from loyalty_core.profiles import Profile
from loyalty_core.rewards import Reward
from loyalty_core.testing._strategies.instants import SPECIAL_DELTAS, instants
from loyalty_core.testing._strategies.kinds import money
from loyalty_core.testing._strategies.values import value_strategy


def _offset_text(draw: st.DrawFn, instant: datetime) -> str:
    """An instant as a PAY-2 (b) string with a random offset (the same instant)."""
    minutes = draw(st.integers(-14 * 60, 14 * 60))
    local = instant.astimezone(timezone(timedelta(minutes=minutes)))
    text = local.isoformat(sep=draw(st.sampled_from(("T", " "))))
    return text.replace("+00:00", "Z") if draw(st.booleans()) else text


def _vary(draw: st.DrawFn, value: object, payload: dict[str, Any]) -> dict[str, Any]:
    """Re-spell some fields of a value's payload in other accepted shapes (same value)."""
    for name, item in list(payload.items()):
        attribute = getattr(value, name, None)
        if item is None or attribute is None or not draw(st.booleans()):
            continue
        if isinstance(attribute, datetime):
            payload[name] = _offset_text(draw, attribute)  # PAY-2 (b)
        elif type(attribute) is int and abs(attribute) <= 2**53:
            payload[name] = float(attribute)  # PAY-7: an integral float is an integer
        elif isinstance(attribute, _fields.Value) and isinstance(item, dict):
            payload[name] = _vary(draw, attribute, item)
    return payload


_UNKNOWN_KEYS: Final = st.dictionaries(
    st.text(max_size=8).map(lambda s: "x-" + s),
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    max_size=3,
)


def api_payloads(cls: type[Any], *, vary: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Generate valid API payloads (the platform's JSON shape) of one of the seven values.

    ``cls`` is ``BenefitDefinition``, ``Benefit``, ``RewardDefinition``, ``Reward``,
    ``CreditDefinition``, ``Credit`` or ``Profile``. Each payload is ``x.to_api()`` of a value
    from this module's strategy for ``cls``; with ``vary`` (the default) some fields are then
    spelled in other shapes the platform also sends: instants as ISO 8601 with a random offset
    or ``Z`` (PAY-2), integers as integral floats (``30.0``, PAY-7), and unknown ``"x-…"`` keys
    (kept in ``extra``, PAY-10; a profile keeps them in its context). ``cls.from_api`` accepts
    every payload. Shrinks towards the payload of the simplest value, spelled as ``to_api``
    writes it.
    """
    values = value_strategy(cls)

    @st.composite
    def payloads(draw: st.DrawFn) -> dict[str, Any]:
        value = draw(values)
        payload: dict[str, Any] = value.to_api()
        if not vary:
            return payload
        if not isinstance(value, Profile):
            payload = _vary(draw, value, payload)
        payload.update(draw(_UNKNOWN_KEYS))
        return payload

    return payloads()


class InvalidPayload(NamedTuple):
    """A near-valid payload and the JSON path of the one field that makes it invalid."""

    payload: Any
    """The payload: a valid one with exactly one field (or the whole of it) broken."""
    json_path: str
    """Where ``from_api`` reports the problem: ``$``, ``$.period``, ``$.definition.is_archived``."""


_NOT_OBJECTS: Final = st.sampled_from(([], "x", 5, True, 1.5))


def _break_window(draw: st.DrawFn, payload: dict[str, Any]) -> str:
    """PAY-11: a claim window that starts after it ends (both bounds valid)."""
    end = draw(instants())
    delta = draw(st.sampled_from(SPECIAL_DELTAS).filter(lambda d: d > timedelta(0)))
    if end + delta > clock.LATEST:  # pragma: no cover - instants() stay far from year 9999
        end -= delta
    payload["claim_period_start_at"] = clock.format_wall(end + delta)
    payload["claim_period_end_at"] = clock.format_wall(end)
    return "claim_period_start_at"


def _break_remaining_global(draw: st.DrawFn, payload: dict[str, Any]) -> str:
    """PAY-9: a total_global_redemptions_remaining outside 0..max filling a missing total."""
    cap = draw(st.integers(0, 1000))
    payload["total_global_redemptions"] = None
    payload["max_global_redemptions"] = cap
    payload["total_global_redemptions_remaining"] = draw(
        st.one_of(
            st.integers(cap + 1, cap + 1000), st.integers(-1000, -1), st.sampled_from(("1", True))
        )
    )
    return "total_global_redemptions_remaining"


def _break_value(draw: st.DrawFn, payload: dict[str, Any]) -> str:
    """RWD-8, Q37: a value_remaining above value_initial."""
    initial = Decimal(payload["value_initial"])
    payload["value_remaining"] = format(initial + draw(money(positive=True)), "f")
    return "value_remaining"


def _break_required(draw: st.DrawFn, payload: dict[str, Any], name: str) -> str:
    """PAY-9: a required key null or missing."""
    if draw(st.booleans()):
        payload[name] = None
    else:
        payload.pop(name, None)
    return name


_CROSS_FIELD: Final[Mapping[type[Any], tuple[Callable[[st.DrawFn, dict[str, Any]], str], ...]]] = {
    BenefitDefinition: (_break_window, _break_remaining_global),
    Benefit: (functools.partial(_break_required, name="definition"),),
    Reward: (_break_value, functools.partial(_break_required, name="value_initial")),
    Credit: (_break_value, functools.partial(_break_required, name="value_initial")),
}
"""Per class: the ways to break a payload other than one field's value."""


def _break_field(draw: st.DrawFn, cls: type[Any], payload: dict[str, Any], name: str) -> str:
    """Give field ``name`` a value one step from valid; return the path below the field."""
    kind = dict(_fields.specs(cls))[name]
    nested = kind.value_class
    if nested is not None and not kind.many:
        inner = payload.get(name)
        if isinstance(inner, dict) and draw(st.booleans()):
            return "." + _break(draw, nested, inner)
    value, suffix = draw(st.sampled_from(kind.bad))
    payload[name] = value
    return str(suffix)


def _break(draw: st.DrawFn, cls: type[Any], payload: dict[str, Any]) -> str:
    """Break one thing in ``payload`` (a valid payload of ``cls``); return its path below ``$``."""
    names = [name for name, kind in _fields.specs(cls) if kind.bad]
    cross = _CROSS_FIELD.get(cls, ())
    choice = draw(st.integers(0, len(names) + len(cross) - 1))
    if choice < len(names):
        name = names[choice]
        return name + _break_field(draw, cls, payload, name)
    return cross[choice - len(names)](draw, payload)


def invalid_payloads(cls: type[Any]) -> st.SearchStrategy[InvalidPayload]:
    """Generate near-valid payloads of ``cls`` that break in exactly one place, with its path.

    Each item is an :class:`InvalidPayload` ``(payload, json_path)``: a valid payload of
    ``cls`` (see :func:`api_payloads`) with one thing wrong, and the JSON path at which
    ``cls.from_api`` reports it, its only problem. What breaks: one field given a value one
    step from valid (a negative period, a non-bool flag, a bad datetime string, an unknown
    zone, a money string with an exponent, an unknown period type or claim timeframe, a
    malformed condition, possibly inside the condition: ``$.claim_condition.and[1]``), a field
    of the embedded definition (``$.definition.period``), a required key missing (PAY-9), a
    claim window that ends before it starts (reported at ``$.claim_period_start_at``, PAY-11),
    a ``value_remaining`` above ``value_initial``, or a payload that is not an object (``$``).
    For ``Profile``: a non-string ``id``, or not an object.

    Assert that your service rejects the payload, at ``json_path`` if it reports paths.
    Shrinks towards the simplest value's payload with a field of the first kind broken.
    """
    values = value_strategy(cls)

    @st.composite
    def broken(draw: st.DrawFn) -> InvalidPayload:
        value = draw(values)
        payload: dict[str, Any] = value.to_api()
        if draw(st.integers(0, 9)) == 0:
            return InvalidPayload(draw(st.one_of(_NOT_OBJECTS, st.just([payload]))), "$")
        if cls is Profile:
            payload["id"] = draw(st.sampled_from((5, 1.5, True, ["a"], {"a": 1})))
            return InvalidPayload(payload, "$.id")
        return InvalidPayload(payload, "$." + _break(draw, cls, payload))

    return broken()
