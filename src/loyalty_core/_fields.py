"""Field kinds shared by the value classes: one check per kind of field (PAY-6 to PAY-9).

A value class declares each field with :func:`field` and a :class:`Kind`. Its constructor runs
every field's check, collects every problem, then the class's cross-field invariants, and raises
one :class:`~loyalty_core.errors.InvalidRequest` naming each bad field. The payload boundary
(:mod:`loyalty_core.payloads`) shapes JSON into Python values and runs the *same* checks, so a
value built by ``from_api`` is exactly one a constructor would accept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Self, TypeVar

import attrs

from loyalty_core import clock
from loyalty_core.errors import ConditionError, InvalidRequest, Problem
from loyalty_core.limits import (
    MAX_DAYS,
    MAX_HOURS,
    MAX_INT,
    MAX_MONEY,
    MAX_MONEY_PLACES,
    MIN_INT,
    show,
)

__all__ = [
    "BadValue",
    "Kind",
    "Value",
    "field",
]

KIND: Final = "loyalty_core.kind"


class BadValue(ValueError):  # noqa: N818 - internal signal, never escapes the library
    """A single field's value is bad; the text says what was expected and what came."""


@attrs.frozen
class Kind:
    """A kind of field: its name (the payload boundary keys its JSON shaping on it) and check.

    ``check`` takes an already-shaped Python value and returns it normalised (e.g. an aware
    datetime as a plain UTC instant) or raises :class:`BadValue`. ``nullable`` kinds accept
    ``None`` without calling ``check``.
    """

    name: str
    check: Callable[[Any], Any]
    nullable: bool = True


def field(kind: Kind, *, default: Any = None) -> Any:
    """Declare an attrs field of the given kind (keyword-only, with a default)."""
    return attrs.field(default=default, metadata={KIND: kind})


# --- checks --------------------------------------------------------------------------------


def _int(value: object, *, minimum: int, maximum: int, expected: str) -> int:
    if type(value) is int and minimum <= value <= maximum:
        return value
    if type(value) is not int or (value < minimum and minimum >= 0):
        msg = f"expected {expected}, got {show(value)}"
    else:  # outside a limit of the docs' Limits page
        msg = f"expected an integer from {minimum} to {maximum}, got {show(value)}"
    raise BadValue(msg)


def check_count(value: object) -> int:
    """Check a count or limit: an ``int`` (not a ``bool``) from 0 to :data:`MAX_INT` (PAY-7)."""
    return _int(value, minimum=0, maximum=MAX_INT, expected="an integer >= 0")


def check_positive(value: object, maximum: int) -> int:
    """Check a count argument or an extension: an ``int`` from 1 to ``maximum`` (RED-2, EXT-1)."""
    return _int(value, minimum=1, maximum=maximum, expected="an integer >= 1")


def check_days(value: object) -> int:
    """Check a number of days to extend by: an ``int`` from 1 to :data:`MAX_DAYS` (EXT-1)."""
    return check_positive(value, MAX_DAYS)


def check_int(value: object) -> int:
    """Check an id: an ``int`` that is not a ``bool``, within 64 bits (PAY-7)."""
    return _int(value, minimum=MIN_INT, maximum=MAX_INT, expected="an integer")


def check_period(value: object) -> int:
    """Check a period or a number of days: an ``int`` from 0 to :data:`MAX_DAYS` (PAY-7).

    A period's unit can lower the bound further (:func:`loyalty_core.periods.period_problems`).
    """
    return _int(value, minimum=0, maximum=MAX_DAYS, expected="an integer >= 0")


def _offset(value: object, limit: int) -> int:
    expected = f"an integer from -{limit} to {limit}"
    return _int(value, minimum=-limit, maximum=limit, expected=expected)


def check_day_offset(value: object) -> int:
    """Check an offset in days (``notify_*_offset_days``): at most :data:`MAX_DAYS` either way."""
    return _offset(value, MAX_DAYS)


def check_hour_offset(value: object) -> int:
    """Check an offset in hours (NTF-2, NTF-5, NTF-6): at most :data:`MAX_HOURS` either way."""
    return _offset(value, MAX_HOURS)


def check_hour(value: object) -> int:
    """Check a notification hour: an ``int`` from 0 to 23 (NTF-7)."""
    return _int(value, minimum=0, maximum=23, expected="an integer from 0 to 23")


def check_bool(value: object) -> bool:
    """Check a flag: a real ``bool``; strings and 0/1 are rejected (PAY-6)."""
    if type(value) is not bool:
        msg = f"expected true or false, got {show(value)}"
        raise BadValue(msg)
    return value


def check_text(value: object) -> str:
    """Check a string field; a number is rejected (PAY-7: string ids stay strings)."""
    if type(value) is not str:
        msg = f"expected a string, got {show(value)}"
        raise BadValue(msg)
    return value


def check_texts(value: object) -> tuple[str, ...]:
    """Check a list of strings (``meta``), stored as a tuple."""
    if isinstance(value, list | tuple) and all(type(v) is str for v in value):
        return tuple(value)
    msg = f"expected an array of strings, got {show(value)}"
    raise BadValue(msg)


def check_instant(value: object) -> datetime:
    """Check an instant: an aware ``datetime``, stored as a plain UTC instant (TIME-1/2).

    A stored instant must lie within :data:`~loyalty_core.limits.EARLIEST` and
    :data:`~loyalty_core.limits.LATEST`, so that its local time exists in every zone.
    """
    if isinstance(value, datetime):
        try:
            return clock.as_instant(value, name="")
        except InvalidRequest as exc:
            raise BadValue(exc.problems[0].message) from None
    msg = f"expected an aware datetime, got {show(value)}"
    raise BadValue(msg)


def check_zone(value: object) -> str:
    """Check an IANA zone name (TIME-3); a ``ZoneInfo`` is stored by its key."""
    key = getattr(value, "key", None) if not isinstance(value, str) else value
    problem = clock.zone_error(key)
    if problem is not None:
        raise BadValue(
            problem
            if isinstance(key, str)
            else f"expected an IANA time zone name, got {show(value)}"
        )
    return key  # type: ignore[return-value]


_MONEY_TEXT: Final = re.compile(r"-?+\d++(?:\.\d++)?+", re.ASCII)
MONEY_EXPECTED: Final = (
    "a money amount (an integer, a finite number or a decimal string such as '12.50', "
    f"below 10**18 with at most {MAX_MONEY_PLACES} decimal places)"
)


def to_money(value: object) -> Decimal:
    r"""Convert a money value exactly to ``Decimal`` (PAY-8, Q40), or raise :class:`BadValue`.

    An ``int`` is exact; a ``float`` goes through its shortest round-trip text (``0.1`` →
    ``Decimal('0.1')``); a string must match ``-?\d+(\.\d+)?`` and keeps its scale; a finite
    ``Decimal`` is kept. Booleans, NaN, infinities, exponents and whitespace are rejected, and
    so is any amount of :data:`~loyalty_core.limits.MAX_MONEY` or more, or with more than
    :data:`~loyalty_core.limits.MAX_MONEY_PLACES` decimal places.
    """
    amount: Decimal | None = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, Decimal):
        if value.is_finite():
            amount = value
    elif isinstance(value, int):
        if -MAX_INT <= value <= MAX_INT:  # larger ints fail the range check below anyway
            amount = Decimal(value)
    elif isinstance(value, str):
        if _MONEY_TEXT.fullmatch(value):
            amount = Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        amount = Decimal(repr(value))
    if amount is not None and _in_money_range(amount):
        return amount
    msg = f"expected {MONEY_EXPECTED}, got {show(value)}"
    raise BadValue(msg)


def _in_money_range(amount: Decimal) -> bool:
    # Checked on the exponent first, so that 1E+999999999 is never expanded.
    exponent = amount.as_tuple().exponent
    return (
        isinstance(exponent, int)
        and -MAX_MONEY_PLACES <= exponent <= MAX_MONEY_PLACES
        and -MAX_MONEY < amount < MAX_MONEY
    )


def check_money_nonnegative(value: object) -> Decimal:
    """Check a money value that must be ``>= 0`` (CRD-15, RWD-8)."""
    amount = to_money(value)
    if amount < 0:
        msg = f"expected a money amount >= 0, got {show(value)}"
        raise BadValue(msg)
    return amount


COUNT: Final = Kind("count", check_count)
INT: Final = Kind("int", check_int)
PERIOD: Final = Kind("period", check_period)
DAY_OFFSET: Final = Kind("day_offset", check_day_offset)
HOUR_OFFSET: Final = Kind("hour_offset", check_hour_offset)
HOUR: Final = Kind("hour", check_hour)
FLAG: Final = Kind("flag", check_bool, nullable=False)
TEXT: Final = Kind("text", check_text)
TEXTS: Final = Kind("texts", check_texts)
INSTANT: Final = Kind("instant", check_instant)
ZONE: Final = Kind("zone", check_zone)
MONEY: Final = Kind("money", check_money_nonnegative)


# --- the value base class ------------------------------------------------------------------


V = TypeVar("V", bound="Value")


class Value:
    """Base of the seven platform values: validates every field on construction.

    Subclasses are ``@attrs.frozen(kw_only=True)`` classes whose fields come from
    :func:`field`. They may override :meth:`_invariants` for cross-field rules.
    """

    __slots__ = ()

    def __attrs_post_init__(self) -> None:
        """Check and normalise every field, then the invariants; raise one error naming each.

        The error is :class:`InvalidRequest`, or :class:`ConditionError` when a condition is
        among the bad fields (COND-3); either lists every problem.
        """
        problems: list[Problem] = []
        condition_error: ConditionError | None = None
        setter = object.__setattr__
        for name, kind in specs(type(self)):
            value = getattr(self, name)
            if value is None:
                if kind.nullable:
                    continue
                problems.append(Problem(name, "must not be null"))
                continue
            try:
                normalised = kind.check(value)
            except BadValue as exc:
                problems.append(Problem(name, str(exc)))
                continue
            except ConditionError as exc:
                # COND-3: a rejected condition makes a constructor raise ConditionError; its
                # JSON paths are rooted at the field ("claim_condition.and[1]").
                condition_error = condition_error or exc
                problems.extend(Problem(name + p.where[1:], p.message) for p in exc.problems)
                continue
            if normalised is not value:
                setter(self, name, normalised)
        if not problems:
            self._complete()
            problems.extend(self._invariants(""))
        if condition_error is not None:
            raise ConditionError(problems) from condition_error
        if problems:
            raise InvalidRequest(problems)

    @classmethod
    def from_api(cls, payload: object) -> Self:
        """Build the value from the platform's JSON shape (PAY rules).

        Datetimes without an offset are UTC (PAY-3), money becomes ``Decimal`` (PAY-8),
        unknown and derived keys are ignored (PAY-10). Every bad field is reported at once in
        one :class:`~loyalty_core.errors.PayloadError`, by JSON path and value (PAY-12).
        """
        from loyalty_core import payloads  # noqa: PLC0415 - the one permitted lazy import

        return payloads.from_api(cls, payload)

    def to_api(self) -> dict[str, Any]:
        """Return the platform's JSON shape (PAY-5); ``from_api(x.to_api()) == x``."""
        from loyalty_core import payloads  # noqa: PLC0415 - the one permitted lazy import

        return payloads.to_api(self)

    def _complete(self) -> None:
        """Fill fields whose null means another field's value (PAY-9); a no-op by default."""

    def _invariants(self, prefix: str) -> Iterable[Problem]:
        """Return the cross-field problems; ``prefix`` is ``""`` or a JSON path like ``$.``."""
        del prefix
        return ()


_SPECS_CACHE: dict[type, tuple[tuple[str, Kind], ...]] = {}


def specs(cls: type) -> tuple[tuple[str, Kind], ...]:
    """Return ``(field name, kind)`` for every declared field of an attrs value class."""
    found = _SPECS_CACHE.get(cls)
    if found is None:
        found = tuple((a.name, a.metadata[KIND]) for a in attrs.fields(cls) if KIND in a.metadata)
        _SPECS_CACHE[cls] = found
    return found


def build_trusted(cls: type[V], values: Mapping[str, Any]) -> V:
    """Build a value from fields that were already checked (the payload boundary's fast path).

    Every field not in ``values`` takes its declared default. Only the payload module calls
    this, after running each field's :class:`Kind` check and the class invariants itself.
    """
    obj = cls.__new__(cls)
    setter = object.__setattr__
    for attribute in attrs.fields(cls):  # type: ignore[arg-type]
        name = attribute.name
        if name in values:
            setter(obj, name, values[name])
        else:
            default = attribute.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            setter(obj, name, default)
    return obj


def check_period_type(value: object) -> object:
    """Check a period type: a :class:`~loyalty_core.PeriodType` or one of its string values."""
    from loyalty_core.periods import period_type_of  # noqa: PLC0415 - periods imports clock

    try:
        return period_type_of(value)
    except InvalidRequest as exc:
        raise BadValue(exc.problems[0].message if exc.problems else str(exc)) from None


def nested(cls: type) -> Kind:
    """Return the kind of an embedded definition of class ``cls``."""

    def check(value: object) -> object:
        if isinstance(value, cls):
            return value
        msg = f"expected a {cls.__name__}, got {show(value)}"
        raise BadValue(msg)

    return Kind(f"nested:{cls.__name__}", check)


def required(kind: Kind) -> Kind:
    """Return ``kind`` made non-nullable (PAY-9 required keys)."""
    return attrs.evolve(kind, nullable=False)


PERIOD_TYPE: Final = Kind("period_type", check_period_type, nullable=False)
OPTIONAL_FLAG: Final = Kind("optional_flag", check_bool)
