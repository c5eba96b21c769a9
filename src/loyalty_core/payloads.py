"""The payload boundary: the platform's JSON into values and back (PAY rules).

This module holds every conversion between API JSON and the library's values; domain code never
sees a dict from the wire. ``from_api`` shapes each JSON field into its Python type (datetime
strings, integral floats, money strings, condition text), runs the same field checks as the
value's constructor, collects every problem by JSON path, and raises one
:class:`~loyalty_core.errors.PayloadError`.

>>> from loyalty_core import Benefit
>>> b = Benefit.from_api({"id": 7, "issued_at": "2021-03-05 00:06:51",
...                       "definition": {"period": 50, "max_redemptions": 1}})
>>> b.issued_at, b.redemptions_remaining
(datetime.datetime(2021, 3, 5, 0, 6, 51, tzinfo=datetime.timezone.utc), 1)
>>> Benefit.from_api({"definition": {"period": -1, "is_claimable": "true"}})
Traceback (most recent call last):
...
loyalty_core.errors.PayloadError: $.definition.period: expected an integer >= 0, got -1; \
$.definition.is_claimable: expected true or false, got 'true'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

from loyalty_core import clock
from loyalty_core._fields import (
    ZONE,
    BadValue,
    Kind,
    Value,
    build_trusted,
    check_days,
    check_instant,
    check_int,
    check_positive,
    check_text,
    check_texts,
    specs,
)
from loyalty_core.benefits import BenefitDefinition, ClaimTimeframe
from loyalty_core.conditions import to_condition
from loyalty_core.credits import Credit
from loyalty_core.errors import ConditionError, InvalidRequest, PayloadError, Problem
from loyalty_core.limits import MAX_INT, show
from loyalty_core.profiles import Profile
from loyalty_core.rewards import Reward

__all__ = [
    "ClaimRequest",
    "ExtendRequest",
    "checked",
    "edit_credit",
    "from_api",
    "integral",
    "parse_claim_request",
    "parse_extend_request",
    "parse_instant",
    "parse_redeem_request",
    "profile_from_api",
    "to_api",
]

V = TypeVar("V", bound=Value)


# --- JSON shaping, per kind ----------------------------------------------------------------


def integral(raw: Any) -> Any:
    """Return an integral float or Decimal (``30.0``) as an ``int`` (PAY-7), else ``raw``.

    The caller's integer check then rejects everything else (``30.5``, ``"30"``, ``True``).
    """
    kind = type(raw)
    if kind is float:
        if raw.is_integer():
            return int(raw)
    elif (
        kind is Decimal
        and raw.is_finite()
        # Only modest Decimals are converted: int(Decimal("1E+999999999")) never ends.
        and raw.adjusted() < _DIGITS_TO_CONVERT
        and raw == raw.to_integral_value()
    ):
        return int(raw)
    return raw


_DIGITS_TO_CONVERT: Final = 40
"""Larger integral Decimals stay Decimals (every integer field rejects them anyway)."""


def parse_instant(raw: object, naive_zone: Any = UTC, *, path: str = "$") -> datetime:
    """Turn a payload datetime into a UTC instant (PAY-2, PAY-3), or raise ``PayloadError``.

    Strings take the three PAY-2 shapes; a ``datetime`` object is accepted as it is. A naive
    value is a wall time in ``naive_zone``: UTC for what the platform returns, the item's zone
    for request bodies (Q35). The instant must be one a value can store. The error names
    ``path`` and the value.

    >>> parse_instant("2023-11-07T05:31:56+10:00")
    datetime.datetime(2023, 11, 6, 19, 31, 56, tzinfo=datetime.timezone.utc)
    """
    try:
        return check_instant(_shape_instant(raw, naive_zone))
    except BadValue as exc:
        raise PayloadError(Problem(path, str(exc))) from None


def _shape_instant(raw: object, naive_zone: Any = UTC) -> datetime:
    """Parse a payload datetime into an aware datetime; the INSTANT kind's check follows."""
    if isinstance(raw, str):
        try:
            parsed = clock.parse_datetime(raw)
        except ValueError as exc:
            raise BadValue(str(exc)) from None
    elif isinstance(raw, datetime):
        parsed = raw
    else:
        msg = f"expected a datetime string, got {show(raw)}"
        raise BadValue(msg)
    if parsed.tzinfo is None:
        if naive_zone is UTC:
            return parsed.replace(tzinfo=UTC)
        try:
            return clock.wall_to_instant(parsed, naive_zone)
        except OverflowError:
            msg = f"expected a wall time whose instant Python can represent, got {show(raw)}"
            raise BadValue(msg) from None
    return parsed


_SHAPERS: Final[dict[str, Callable[[Any], Any]]] = {
    "count": integral,
    "int": integral,
    "period": integral,
    "day_offset": integral,
    "hour_offset": integral,
    "hour": integral,
    "instant": _shape_instant,
}


# --- rendering, per kind (PAY-5, PAY-8) ----------------------------------------------------


_RENDERERS: Final[dict[str, Callable[[Any], Any]]] = {
    "instant": clock.format_wall,
    "money": lambda value: format(value, "f"),
    "period_type": lambda value: value.value,
    "condition": lambda value: value.rule,
    "timeframe": ClaimTimeframe.to_api,
    "texts": list,
}


# --- from_api ------------------------------------------------------------------------------


class _Collector:
    """The problems of one payload, and the first condition error to chain as the cause."""

    __slots__ = ("cause", "problems")

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.cause: ConditionError | None = None


def from_api(cls: type[V], payload: object) -> V:
    """Build a value of ``cls`` from the platform's JSON, or raise one ``PayloadError``."""
    found = _Collector()
    value = _parse(cls, payload, "$", found)
    if found.problems or value is None:
        raise PayloadError(found.problems) from found.cause
    return value


def _parse(cls: type[V], payload: object, path: str, found: _Collector) -> V | None:
    if not isinstance(payload, Mapping):
        found.problems.append(Problem(path, f"expected an object, got {show(payload)}"))
        return None
    problems = found.problems
    before = len(problems)
    prefix = f"{path}."
    values: dict[str, Any] = {}
    for name, kind in specs(cls):
        raw = payload.get(name)
        if raw is None:
            if not kind.nullable and _has_no_default(cls, name):
                # PAY-9: required keys must be present and non-null.
                problems.append(Problem(prefix + name, "is required, got null or nothing"))
            continue
        values[name] = _field(cls, name, kind, raw, prefix + name, found)
    if cls is BenefitDefinition:
        _fill_total_global_redemptions(payload, values, prefix, problems)
    if len(problems) != before:
        return None
    value = build_trusted(cls, values)
    value._complete()  # noqa: SLF001 - the boundary completes what it builds
    problems.extend(value._invariants(prefix))  # noqa: SLF001 - shared invariant checks
    return value if len(problems) == before else None


def _field(  # noqa: PLR0913, PLR0917 - one call site, every argument needed
    cls: type,
    name: str,
    kind: Kind,
    raw: Any,
    path: str,
    found: _Collector,
) -> Any:
    name_of_kind = kind.name
    if name_of_kind.startswith("nested:"):
        nested_cls = _nested_class(cls, name)
        return _parse(nested_cls, raw, path, found)
    if name_of_kind == "condition":
        try:
            return to_condition(raw, path=path)
        except ConditionError as exc:
            # COND-3: recorded at the field's path; the first one is chained as the cause.
            found.problems.extend(exc.problems)
            if found.cause is None:
                found.cause = exc
            return None
    try:
        return checked(kind.check, _SHAPERS.get(name_of_kind), raw)
    except BadValue as exc:
        found.problems.append(Problem(path, str(exc)))
        return None


T = TypeVar("T")


def checked(check: Callable[[Any], T], shaper: Callable[[Any], Any] | None, raw: object) -> T:
    """Shape ``raw`` for its kind, then check it; an error shows ``raw`` itself (PAY-12).

    ``shaper`` turns the JSON form into the Python one (:func:`integral` makes ``30.0`` an int);
    ``check`` is a field check that raises ``BadValue``. The message then shows the payload's own
    value, not the shaped one.
    """
    shaped = raw if shaper is None else shaper(raw)
    try:
        return check(shaped)
    except BadValue as exc:
        if shaped is raw:
            raise
        # PAY-12 shows the payload's own value, not the shape it was parsed into.
        raise BadValue(str(exc).removesuffix(show(shaped)) + show(raw)) from None


_NESTED: Final[dict[tuple[type, str], type]] = {}


def _nested_class(cls: type, name: str) -> type:
    key = (cls, name)
    found = _NESTED.get(key)
    if found is None:
        import typing  # noqa: PLC0415 - resolved once per class and field

        hints = typing.get_type_hints(cls)
        found = next(
            t for t in typing.get_args(hints[name]) or (hints[name],) if t is not type(None)
        )
        _NESTED[key] = found
    return found


def _has_no_default(cls: type, name: str) -> bool:
    import attrs  # noqa: PLC0415 - rarely reached

    return getattr(attrs.fields(cls), name).default is None


def _fill_total_global_redemptions(
    payload: Mapping[str, Any], values: dict[str, Any], prefix: str, problems: list[Problem]
) -> None:
    # PAY-9: total_global_redemptions_remaining only fills a missing total_global_redemptions.
    remaining = payload.get("total_global_redemptions_remaining")
    cap = values.get("max_global_redemptions")
    if payload.get("total_global_redemptions") is not None or remaining is None or cap is None:
        return
    path = f"{prefix}total_global_redemptions_remaining"
    remaining = integral(remaining)
    if type(remaining) is not int or not 0 <= remaining <= cap:
        problems.append(
            Problem(
                path,
                f"expected an integer from 0 to max_global_redemptions {cap}, "
                f"got {show(remaining)}",
            )
        )
        return
    values["total_global_redemptions"] = cap - remaining


def profile_from_api(payload: object) -> Profile:
    """Build a :class:`~loyalty_core.Profile` from its JSON, or raise ``PayloadError``."""
    if not isinstance(payload, Mapping):
        raise PayloadError(Problem("$", f"expected an object, got {show(payload)}"))
    try:
        return Profile(context=payload)
    except InvalidRequest as exc:
        raise PayloadError(
            Problem(_context_path(p.where), p.message) for p in exc.problems
        ) from None


def _context_path(where: str) -> str:
    """The payload is the profile's context: ``context.a`` is ``$.a``, ``id`` is ``$.id``."""
    rest = where.removeprefix("context")
    return f"${rest}" if rest != where else f"$.{where}"


# --- to_api --------------------------------------------------------------------------------


def to_api(value: Value) -> dict[str, Any]:
    """Return the platform's JSON shape of a value: stored fields only (PAY-5, PAY-10)."""
    out: dict[str, Any] = {}
    for name, kind in specs(type(value)):
        item = getattr(value, name)
        if item is None:
            out[name] = None
            continue
        kind_name = kind.name
        if kind_name.startswith("nested:"):
            out[name] = to_api(item)
            continue
        render = _RENDERERS.get(kind_name)
        out[name] = render(item) if render is not None else item
    if isinstance(value, Reward):
        # PAY-5: rewards also carry their local twins, as the platform returns them.
        tz = value.zone
        for name in ("issued_at", "expires_at"):
            instant = getattr(value, name)
            twin = name.replace("_at", "_local_at")
            out[twin] = None if instant is None else clock.format_wall(instant, tz).split(".")[0]
    return out


# --- request bodies --------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ClaimRequest:
    """The Claim Benefit request body: which definition, in which zone, with what extras."""

    definition: str
    """The definition to claim (its handle or id, as the platform's path takes it)."""
    timezone: str
    """The IANA zone the new benefit gets (CLM-17)."""
    external_id: str | None = None
    meta: tuple[str, ...] | None = None


def _body(body: object) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise PayloadError(Problem("$", f"expected an object, got {show(body)}"))
    return body


def parse_claim_request(body: object) -> ClaimRequest:
    """Parse a Claim Benefit request body, or raise one ``PayloadError`` naming every bad field.

    ``definition`` and ``timezone`` are required strings (``timezone`` an IANA name);
    ``external_id`` is a string or null, ``meta`` an array of strings or null.

    >>> request = parse_claim_request({"definition": "coffee", "timezone": "Australia/Melbourne"})
    >>> request.definition, request.timezone, request.external_id
    ('coffee', 'Australia/Melbourne', None)
    """
    data = _body(body)
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    checks: tuple[tuple[str, Callable[[Any], Any], bool], ...] = (
        ("definition", check_text, True),
        ("timezone", ZONE.check, True),
        ("external_id", check_text, False),
        ("meta", check_texts, False),
    )
    for key, check, is_required in checks:
        raw = data.get(key)
        if raw is None:
            if is_required:
                problems.append(Problem(f"$.{key}", "is required, got null or nothing"))
            continue
        try:
            values[key] = check(raw)
        except BadValue as exc:
            problems.append(Problem(f"$.{key}", str(exc)))
    if problems:
        raise PayloadError(problems)
    return ClaimRequest(**values)


def parse_redeem_request(body: object) -> int:
    """Parse a Redeem Benefit request body into its ``count`` (RED-2; missing means 1, Q19).

    >>> parse_redeem_request({"count": 2}), parse_redeem_request({})
    (2, 1)
    """
    raw = _body(body).get("count")
    if raw is None:
        return 1
    try:
        return checked(lambda count: check_positive(count, MAX_INT), integral, raw)
    except BadValue as exc:
        raise PayloadError(Problem("$.count", str(exc))) from None


# --- the Edit Credit request body (CRD-14 to CRD-16) ------------------------------------------

_EDIT_CREDIT_KEYS: Final = (
    "issued_at",
    "expires_at",
    "released_at",
    "recipient_first_name",
    "recipient_email",
    "message",
    "profile_id",
    "creator_profile_id",
    "extended_at",
    "value_initial",
    "value_remaining",
    "external_id",
    "external_namespace",
    "credit_number",
    "security_code",
    "location_id",
    "location_external_id",
    "location_external_code",
    "locked",
    "lock_expires_at",
    "is_imported",
    "meta",
)
"""The keys of the Edit Credit body, in the platform's order; every other key is ignored."""

_EMAIL: Final = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]++@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)++$"
)
"""CRD-15's ``recipient_email`` pattern as RULES.md gives it (used with fullmatch), with its two
unbounded repeats possessive: the same language, matched without backtracking into them (the
local part cannot hold the ``@``, and a label cannot hold the dot that ends it)."""

_MONEY_PATHS: Final = frozenset({"$.value_initial", "$.value_remaining"})


def _edit_field(key: str, kind: Kind, raw: Any, tz: tzinfo) -> Any:
    """Shape and check one present, non-null field of an Edit Credit body (CRD-15)."""
    shaper = _SHAPERS.get(kind.name)
    if kind.name == "instant":
        # Q35, PAY-3: a naive datetime in a request body is a wall time in the credit's zone.
        shaper = functools.partial(_shape_instant, naive_zone=tz)
    value = checked(kind.check, shaper, raw)
    if key == "recipient_email" and _EMAIL.fullmatch(value) is None:
        msg = f"expected an email address such as 'jsmith@example.com', got {show(raw)}"
        raise BadValue(msg)
    return value


def edit_credit(credit: Credit, changes: object) -> Credit:
    """Apply an Edit Credit request body to ``credit`` (CRD-14 to CRD-16).

    A key that is present replaces its field, an absent key keeps it, and unknown keys are
    ignored. Dates take the PAY-2 shapes, and a naive one is a wall time in the credit's zone
    (CRD-1, Q35). Null clears a nullable field, keeps the current ``value_remaining``, and is
    rejected for ``value_initial`` and ``locked``. After merging, ``0 <= value_remaining <=
    value_initial`` must hold (Q37). Expiry and release are never recomputed (Q9). Every bad
    field is reported at once in one :class:`~loyalty_core.errors.PayloadError`, by JSON path;
    a ``changes`` that is not a mapping is a ``PayloadError`` at ``$``.

    >>> credit = Credit(timezone="Australia/Melbourne", value_initial=50, value_remaining="20.00")
    >>> edited = edit_credit(credit, {"value_remaining": "12.50",
    ...                               "expires_at": "2026-01-31 23:59:59"})
    >>> edited.value_remaining, str(edited.expires_at)
    (Decimal('12.50'), '2026-01-31 12:59:59+00:00')
    >>> edit_credit(credit, {"value_initial": 10})
    Traceback (most recent call last):
    ...
    loyalty_core.errors.PayloadError: $.value_remaining: 20.00 exceeds $.value_initial 10
    """
    if not isinstance(credit, Credit):
        raise InvalidRequest(Problem("credit", f"expected a Credit, got {show(credit)}"))
    data = _body(changes)
    kinds = dict(specs(Credit))
    tz = credit.zone
    values = {name: getattr(credit, name) for name in kinds}
    problems: list[Problem] = []
    for key in _EDIT_CREDIT_KEYS:
        if key not in data:
            continue  # CRD-14: an absent key keeps the field
        raw, kind, path = data[key], kinds[key], f"$.{key}"
        if raw is None:
            if key == "value_remaining":
                continue  # CRD-15: null leaves the current value unchanged
            if kind.nullable:
                values[key] = None
            else:
                # CRD-15: value_initial and locked may not be null.
                problems.append(Problem(path, "must not be null, got None"))
            continue
        try:
            values[key] = _edit_field(key, kind, raw, tz)
        except BadValue as exc:
            problems.append(Problem(path, str(exc)))
    edited = build_trusted(Credit, values)
    if not any(p.where in _MONEY_PATHS for p in problems):
        # CRD-16 (Q37): the value invariant, once both values are individually valid.
        problems.extend(edited._invariants("$."))  # noqa: SLF001 - shared invariant checks
    if problems:
        raise PayloadError(problems)
    return edited


# --- the Extend Reward request body (EXT-1) ----------------------------------------------------


@attrs.frozen(kw_only=True)
class ExtendRequest:
    """The Extend Reward request body: whose items, which ids, and by how much (EXT-1)."""

    profile_id: str
    ids: tuple[int, ...]
    extend_days: int | None = None
    extend_date: str | None = None
    """The new expiry as written: a naive one is a wall time in each item's zone (EXT-8)."""


def _extend_ids(ids: object, problems: list[Problem]) -> tuple[int, ...] | None:
    if not isinstance(ids, list) or not ids:
        problems.append(Problem("$.ids", f"expected an array of at least one id, got {show(ids)}"))
        return None
    found: list[int] = []
    for index, raw in enumerate(ids):
        try:
            found.append(checked(check_int, integral, raw))
        except BadValue as exc:
            problems.append(Problem(f"$.ids[{index}]", str(exc)))
    return tuple(found)


def _extend_how(days: object, date_text: object, problems: list[Problem]) -> dict[str, Any]:
    # EXT-1: exactly one of extend_days (an integer >= 1) and extend_date (a PAY-2 string).
    if (days is None) == (date_text is None):
        problems.append(
            Problem(
                "$.extend_days",
                "expected exactly one of extend_days and extend_date, got "
                f"extend_days={show(days)}, extend_date={show(date_text)}",
            )
        )
        return {}
    if days is not None:
        try:
            return {"extend_days": checked(check_days, integral, days)}
        except BadValue as exc:
            problems.append(Problem("$.extend_days", str(exc)))
        return {}
    try:
        clock.parse_datetime(date_text)  # type: ignore[arg-type]
    except ValueError as exc:
        problems.append(Problem("$.extend_date", str(exc)))
        return {}
    return {"extend_date": date_text}


def parse_extend_request(body: object) -> ExtendRequest:
    """Parse an Extend Reward request body, or raise one ``PayloadError`` naming every problem.

    ``profile_id`` is a required string; ``ids`` an array of at least one integer; exactly one
    of ``extend_days`` (an integer >= 1) and ``extend_date`` (a PAY-2 datetime string).

    >>> request = parse_extend_request({"profile_id": "p-1", "ids": [4, 7], "extend_days": 30})
    >>> request.ids, request.extend_days
    ((4, 7), 30)
    """
    data = _body(body)
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    profile_id = data.get("profile_id")
    if type(profile_id) is str:
        values["profile_id"] = profile_id
    else:
        problems.append(Problem("$.profile_id", f"expected a string, got {show(profile_id)}"))
    ids = _extend_ids(data.get("ids"), problems)
    if ids is not None:
        values["ids"] = ids
    values.update(_extend_how(data.get("extend_days"), data.get("extend_date"), problems))
    if problems:
        raise PayloadError(problems)
    return ExtendRequest(**values)
