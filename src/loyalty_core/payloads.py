"""The request bodies of the platform's pages (PAY rules): claim, redeem, extend, edit credit.

Values convert themselves (``from_api``/``to_api``, in :mod:`loyalty_core._fields`); this
module parses what a client *sends*: each body becomes a value, or one
:class:`~loyalty_core.errors.PayloadError` naming every bad field by JSON path. A naive datetime
in a body is a wall time in the item's zone (PAY-3, Q35).

>>> parse_claim_request({"definition": "coffee", "timezone": "UTC", "meta": ["app"]}).meta
('app',)
>>> parse_extend_request({"profile_id": "p-1", "ids": [4], "extend_days": 0})
Traceback (most recent call last):
...
loyalty_core.errors.PayloadError: $.extend_days: expected an integer >= 1, got 0
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from types import MappingProxyType
from typing import Any, Final

import attrs

from loyalty_core import clock
from loyalty_core._fields import (
    ZONE,
    BadValue,
    Kind,
    Problems,
    build_trusted,
    check_days,
    check_instant,
    check_int,
    check_payload_count,
    check_text,
    check_texts,
    checked,
    integral,
    shape_instant,
    specs,
)
from loyalty_core.credits import Credit
from loyalty_core.errors import InvalidRequest, PayloadError, Problem
from loyalty_core.extension import ExtendRequest
from loyalty_core.limits import show

__all__ = [
    "ClaimRequest",
    "CreditChanges",
    "ExtendRequest",
    "edit_credit",
    "parse_claim_request",
    "parse_edit_credit_request",
    "parse_extend_request",
    "parse_instant",
    "parse_redeem_request",
]


def parse_instant(raw: object, *, naive_zone: Any = UTC, path: str = "$") -> datetime:
    """Turn a payload datetime into a UTC instant (PAY-2, PAY-3), or raise ``PayloadError``.

    Strings take the three PAY-2 shapes; a ``datetime`` object is accepted as it is. A naive
    value is a wall time in ``naive_zone``: UTC for what the platform returns, the item's zone
    for request bodies (Q35). The instant must be one a value can store. The error names
    ``path`` and the value.

    >>> parse_instant("2023-11-07T05:31:56+10:00")
    datetime.datetime(2023, 11, 6, 19, 31, 56, tzinfo=datetime.timezone.utc)
    """
    try:
        return check_instant(shape_instant(raw, naive_zone))
    except BadValue as exc:
        raise PayloadError(Problem(path, str(exc))) from None


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
    found = Problems()
    values: dict[str, Any] = {
        "definition": found.required(check_text, data, "definition", "$"),
        "timezone": found.required(ZONE.check, data, "timezone", "$"),
        "external_id": found.optional(check_text, data, "external_id", "$"),
        "meta": found.optional(check_texts, data, "meta", "$"),
    }
    found.raise_if_any()
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
        return check_payload_count(raw)
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
"""CRD-15's ``recipient_email`` pattern as the rule states it (used with fullmatch), with its two
unbounded repeats possessive: the same language, matched without backtracking into them (the
local part cannot hold the ``@``, and a label cannot hold the dot that ends it)."""

_MONEY_PATHS: Final = frozenset({"$.value_initial", "$.value_remaining"})


def _read_only(values: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(values))


@attrs.frozen
class CreditChanges:
    """A parsed Edit Credit body (CRD-14, CRD-15): the keys it sets, checked, in body order.

    ``values`` maps each present key to its new value (``None`` clears a nullable field);
    absent keys, unknown keys and a null ``value_remaining`` are not in it (they keep the
    field). Datetimes are UTC instants: a naive one was read in the zone given to the parser.
    """

    values: Mapping[str, Any] = attrs.field(converter=_read_only, hash=False)


def _edit_field(key: str, kind: Kind, raw: Any, tz: tzinfo) -> Any:
    """Shape and check one present, non-null field of an Edit Credit body (CRD-15)."""
    shaper = kind.shape
    if kind is _INSTANT_KIND:
        # Q35, PAY-3: a naive datetime in a request body is a wall time in the credit's zone.
        def shaper(value: object) -> datetime:
            return shape_instant(value, tz)

    if key == "meta":
        # CRD-15: the body's meta is an array of strings (a response may hold any JSON).
        return check_texts(raw)
    value = checked(kind.check, shaper, raw)
    if key == "recipient_email" and _EMAIL.fullmatch(value) is None:
        msg = f"expected an email address such as 'jsmith@example.com', got {show(raw)}"
        raise BadValue(msg)
    return value


_CREDIT_KINDS: Final = dict(specs(Credit))
_INSTANT_KIND: Final = _CREDIT_KINDS["issued_at"]


def _parse_changes(data: Mapping[str, Any], tz: tzinfo, found: Problems) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key in _EDIT_CREDIT_KEYS:
        if key not in data:
            continue  # CRD-14: an absent key keeps the field
        raw, kind, path = data[key], _CREDIT_KINDS[key], f"$.{key}"
        if raw is None:
            if key == "value_remaining":
                continue  # CRD-15: null leaves the current value unchanged
            if kind.nullable:
                changes[key] = None
            else:
                # CRD-15: value_initial and locked may not be null.
                found.add(path, "must not be null, got None")
            continue
        try:
            changes[key] = _edit_field(key, kind, raw, tz)
        except BadValue as exc:
            found.add(path, str(exc))
    return changes


def parse_edit_credit_request(body: object, *, timezone: str = "UTC") -> CreditChanges:
    """Parse an Edit Credit request body (CRD-14, CRD-15), or raise one ``PayloadError``.

    ``timezone`` is the credit's zone: a naive datetime in the body is a wall time there
    (PAY-3, Q35). Unknown keys are ignored; every bad field is reported at once, by JSON path.
    :func:`edit_credit` parses with the credit's own zone and applies the result.

    >>> changes = parse_edit_credit_request({"value_remaining": "12.50", "foo": 1})
    >>> dict(changes.values)
    {'value_remaining': Decimal('12.50')}
    """
    try:
        zone = clock.zone(ZONE.check(timezone))
    except BadValue as exc:
        raise InvalidRequest(Problem("timezone", str(exc))) from None
    found = Problems()
    changes = _parse_changes(_body(body), zone, found)
    found.raise_if_any()
    return CreditChanges(changes)


def edit_credit(credit: Credit, changes: object) -> Credit:
    """Apply an Edit Credit request body to ``credit`` (CRD-14 to CRD-17).

    A key that is present replaces its field, an absent key keeps it, and unknown keys are
    ignored. Dates take the PAY-2 shapes, and a naive one is a wall time in the credit's zone
    (CRD-1, Q35). Null clears a nullable field, keeps the current ``value_remaining``, and is
    rejected for ``value_initial`` and ``locked``. After merging, ``0 <= value_remaining <=
    value_initial`` must hold (Q37), and the credit's definition must allow the edit (CRD-17):
    no change of owner unless it ``is_reassignable``, no null owner when it
    ``require_assigned``, no ``value_initial`` above its ``max_value``. Expiry and release are
    never recomputed (Q9). Every bad field is reported at once in one
    :class:`~loyalty_core.errors.PayloadError`, by JSON path; a ``changes`` that is not a
    mapping is a ``PayloadError`` at ``$``. ``changes`` may also be a parsed
    :class:`CreditChanges`.

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
    found = Problems()
    problems = found.problems
    if isinstance(changes, CreditChanges):
        parsed = dict(changes.values)
    else:
        parsed = _parse_changes(_body(changes), credit.zone, found)
    values = {name: getattr(credit, name) for name in _CREDIT_KINDS}
    values.update(parsed)
    values["extra"] = credit.extra
    edited = build_trusted(Credit, values)
    if not any(p.where in _MONEY_PATHS for p in problems):
        # CRD-16 (Q37): the value invariant, once both values are individually valid.
        problems.extend(edited._invariants("$."))  # noqa: SLF001 - shared invariant checks
    problems.extend(_definition_problems(credit, edited, parsed.keys(), problems))
    found.raise_if_any()
    return edited


def _definition_problems(
    before: Credit, after: Credit, sent: Iterable[str], found: list[Problem]
) -> list[Problem]:
    """CRD-17: the edits the credit's definition forbids, each at its path.

    Only the keys the body sets are judged: an edit of ``message`` is not refused because the
    stored credit already breaks a rule its definition gained later.
    """
    definition = after.definition
    if definition is None:
        return []
    problems: list[Problem] = []
    sent = set(sent) - {p.where.removeprefix("$.") for p in found}
    owner, new_owner = before.profile_id, after.profile_id
    if "profile_id" in sent:
        if new_owner is None and definition.require_assigned:
            problems.append(
                Problem(
                    "$.profile_id",
                    "the credit's definition has require_assigned true, so profile_id may not "
                    "be null, got None",
                )
            )
        elif (
            owner is not None
            and new_owner is not None
            and new_owner != owner
            and not definition.is_reassignable
        ):
            problems.append(
                Problem(
                    "$.profile_id",
                    f"the credit's definition is not reassignable, so its owner {show(owner)} "
                    f"may not change, got {show(new_owner)}",
                )
            )
    cap = definition.max_value
    if cap is not None and "value_initial" in sent and after.value_initial > cap:
        problems.append(
            Problem(
                "$.value_initial",
                f"{format(after.value_initial, 'f')} exceeds the definition's max_value "
                f"{format(cap, 'f')}",
            )
        )
    return problems


# --- the Extend Reward request body (EXT-1) ----------------------------------------------------


def _extend_ids(ids: object, found: Problems) -> tuple[int, ...] | None:
    if not isinstance(ids, list) or not ids:
        found.add("$.ids", f"expected an array of at least one id, got {show(ids)}")
        return None
    read = [found.check(_check_id, raw, f"$.ids[{index}]") for index, raw in enumerate(ids)]
    return tuple(i for i in read if i is not None)


def _check_id(raw: object) -> int:
    return checked(check_int, integral, raw)


def _extend_how(days: object, date_text: object, found: Problems) -> dict[str, Any]:
    # EXT-1: exactly one of extend_days (an integer >= 1) and extend_date (a PAY-2 string).
    if (days is None) == (date_text is None):
        found.add(
            "$.extend_days",
            "expected exactly one of extend_days and extend_date, got "
            f"extend_days={show(days)}, extend_date={show(date_text)}",
        )
        return {}
    if days is not None:
        checked_days = found.check(_check_days, days, "$.extend_days")
        return {} if checked_days is None else {"extend_days": checked_days}
    try:
        clock.parse_datetime(date_text)  # type: ignore[arg-type]
    except ValueError as exc:
        found.add("$.extend_date", str(exc))
        return {}
    return {"extend_date": date_text}


def _check_days(raw: object) -> int:
    return checked(check_days, integral, raw)


def parse_extend_request(body: object) -> ExtendRequest:
    """Parse an Extend Reward request body, or raise one ``PayloadError`` naming every problem.

    ``profile_id`` is a required string; ``ids`` an array of at least one integer; exactly one
    of ``extend_days`` (an integer >= 1) and ``extend_date`` (a PAY-2 datetime string).

    >>> request = parse_extend_request({"profile_id": "p-1", "ids": [4, 7], "extend_days": 30})
    >>> request.ids, request.extend_days
    ((4, 7), 30)
    """
    data = _body(body)
    found = Problems()
    values: dict[str, Any] = {}
    profile_id = data.get("profile_id")
    if type(profile_id) is str:
        values["profile_id"] = profile_id
    else:
        found.add("$.profile_id", f"expected a string, got {show(profile_id)}")
    ids = _extend_ids(data.get("ids"), found)
    if ids is not None:
        values["ids"] = ids
    values.update(_extend_how(data.get("extend_days"), data.get("extend_date"), found))
    found.raise_if_any()
    return ExtendRequest(**values)
