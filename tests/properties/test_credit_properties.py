"""Property tests of the CRD rules (RULES.md section 9): credits and the Edit Credit body."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs
from hypothesis import event, given, settings
from hypothesis import strategies as st

from loyalty_core import Credit, CreditDefinition, Decision, PayloadError, PeriodType, Problem
from loyalty_core.credits import (
    _release,
    check_credit_redemption,
    is_locked,
    is_released,
    redeem_credit,
)
from loyalty_core.payloads import edit_credit
from tests.helpers import budget
from tests.properties import strategies as lst

US: Final = timedelta(microseconds=1)
EDIT_KEYS: Final = (
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
FIELDS: Final = tuple(a.name for a in attrs.fields(Credit))

CREDITS: Final = lst.credit_items()
LIMIT: Final = settings(max_examples=budget(100))


def _wall(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


_DATES: Final = st.one_of(
    lst.utc_instants().map(_iso),
    lst.utc_instants().map(_wall),
    lst.utc_instants().map(lambda t: t.date().isoformat()),
    lst.utc_instants(),
    st.none(),
)
_EMAILS: Final = st.one_of(
    st.none(),
    st.from_regex(r"[a-z0-9.+_-]{1,8}@[a-z0-9]{1,8}(\.[a-z]{2,4}){1,2}", fullmatch=True),
)
_TEXT: Final = st.one_of(st.none(), st.text(max_size=8))
_VALID_VALUES: Final[dict[str, st.SearchStrategy[Any]]] = {
    "recipient_email": _EMAILS,
    "locked": st.booleans(),
    "is_imported": st.one_of(st.none(), st.booleans()),
    "location_id": st.one_of(st.none(), st.integers(-(2**40), 2**40)),
    "meta": st.one_of(st.none(), st.lists(st.text(max_size=5), max_size=3)),
    **dict.fromkeys(("issued_at", "expires_at", "released_at", "extended_at"), _DATES),
    "lock_expires_at": _DATES,
    **{
        key: _TEXT
        for key in EDIT_KEYS
        if key.endswith(("_name", "_id", "_namespace", "_number", "_code")) and key != "location_id"
    },
    "message": _TEXT,
}


@st.composite
def valid_bodies(draw: st.DrawFn, credit: Credit) -> dict[str, Any]:
    """An Edit Credit body every field of which is valid for ``credit`` (CRD-15 to CRD-17)."""
    body: dict[str, Any] = draw(st.fixed_dictionaries({}, optional=_VALID_VALUES))
    definition = credit.definition
    if definition is not None and "profile_id" in body:
        # CRD-17: keep the owner the definition insists on.
        owner, new = credit.profile_id, body["profile_id"]
        if new is None and definition.require_assigned:
            body["profile_id"] = "p-1" if owner is None else owner  # "" is an owner too
        elif owner is not None and new not in {None, owner} and not definition.is_reassignable:
            body["profile_id"] = owner
    cap = None if definition is None else definition.max_value
    money = draw(st.sampled_from(("neither", "initial", "remaining", "both")))
    initial, remaining = credit.value_initial, credit.value_remaining
    if cap is not None and money in {"initial", "both"} and remaining > cap:
        money = "neither"  # CRD-17: no value_initial can cover both the remaining and the cap
    if money in {"initial", "both"}:
        floor = remaining if money == "initial" else Decimal(0)
        initial = draw(lst.money().filter(lambda m: m >= floor and (cap is None or m <= cap)))
        body["value_initial"] = draw(st.sampled_from((str(initial), initial)))
    if money in {"remaining", "both"}:
        remaining = draw(lst.money().filter(lambda m: m <= initial))
        body["value_remaining"] = str(remaining)
    return body


def outcome(credit: Credit, body: object) -> Credit | None:
    """Edit ``credit``; ``None`` for a PayloadError; anything else escapes and fails the test."""
    problems: tuple[Problem, ...] = ()
    try:
        edited = edit_credit(credit, body)
    except PayloadError as error:
        problems = error.problems
    else:
        assert type(edited) is Credit
        # A valid Credit: the constructor accepts every field as edit_credit stored it.
        assert Credit(**attrs.asdict(edited, recurse=False)) == edited
        assert Decimal(0) <= edited.value_remaining <= edited.value_initial
        return edited
    assert problems
    for problem in problems:
        assert problem.where == "$" or problem.where.startswith("$.")
    return None


def unchanged_fields(before: Credit, after: Credit, body: dict[str, Any]) -> None:
    """Every field the body does not set is as it was (CRD-14; null value_remaining keeps)."""
    for name in FIELDS:
        mentioned = name in body and not (name == "value_remaining" and body[name] is None)
        if not mentioned:
            assert getattr(after, name) == getattr(before, name), name


_BODY_VALUES: Final = st.one_of(
    lst.json_values(),
    st.sampled_from(("2025-01-01 00:00:00", "2025-01-01T00:00:00Z", "jsmith@example.com", "12.50")),
)


@LIMIT
@given(credit=CREDITS, body=lst.json_values())
def test_any_json_edits_or_raises_payload_error(credit: Credit, body: Any) -> None:
    """CRD-14, PAY-12: any JSON value gives a valid Credit or a PayloadError, nothing else."""
    outcome(credit, body)


@LIMIT
@given(
    credit=CREDITS,
    body=st.dictionaries(
        st.one_of(st.sampled_from(EDIT_KEYS), st.text(max_size=6)), _BODY_VALUES, max_size=6
    ),
)
def test_any_body_edits_only_what_it_mentions(credit: Credit, body: dict[str, Any]) -> None:
    """CRD-14: an edit (of any JSON-like body) never changes a field the body does not mention."""
    edited = outcome(credit, body)
    event("edited" if edited is not None else "PayloadError")
    if edited is not None:
        unchanged_fields(credit, edited, body)


@LIMIT
@given(data=st.data(), credit=CREDITS)
def test_valid_bodies_apply_and_mutations_never_crash(credit: Credit, data: st.DataObject) -> None:
    """CRD-15: a valid body applies; with one field mutated it applies or fails at that path."""
    body = data.draw(valid_bodies(credit))
    edited = outcome(credit, body)
    assert edited is not None
    unchanged_fields(credit, edited, body)
    for key in ("locked", "is_imported", "recipient_email"):
        if key in body:
            assert getattr(edited, key) == body[key]
    key = data.draw(st.sampled_from(EDIT_KEYS))
    mutated = {**body, key: data.draw(_BODY_VALUES)}
    paths: set[str] = set()
    outcome(credit, mutated)
    try:
        edit_credit(credit, mutated)
    except PayloadError as error:
        paths = {p.where for p in error.problems}
    allowed = {f"$.{key}"}
    if key in {"value_initial", "value_remaining"}:
        allowed |= {"$.value_initial", "$.value_remaining"}  # CRD-16 names both
    assert paths <= allowed


# --- redemption -----------------------------------------------------------------------------

_OFFSETS: Final = st.one_of(
    st.none(),
    st.integers(-10 * 86_400, 40 * 86_400).map(lambda s: timedelta(seconds=s)),
)


@st.composite
def timed_credits(draw: st.DrawFn) -> Credit:
    """Credits passing CRD-10 to CRD-12 for amounts <= 5, their bounds weeks apart."""
    zone, base = draw(lst.zoned_instants(curated_only=True))

    def near() -> datetime | None:
        offset = draw(_OFFSETS)
        return None if offset is None else base + offset

    definition = CreditDefinition(
        timezone=draw(st.sampled_from((None, "UTC", "America/New_York"))),
        release_period=draw(st.one_of(st.none(), st.integers(0, 40))),
        release_period_type=draw(st.sampled_from(PeriodType)),
        release_period_absolute_expiry=near(),
    )
    return Credit(
        value_initial=Decimal(5),
        timezone=draw(st.sampled_from((None, zone))),
        issued_at=base,
        expires_at=near(),
        released_at=near() if draw(st.booleans()) else None,
        locked=draw(st.booleans()),
        lock_expires_at=near(),
        definition=definition,
    )


CREDITS_FOR_CHECKS: Final = st.one_of(CREDITS, timed_credits(), timed_credits())


@st.composite
def instants_near(draw: st.DrawFn, credit: Credit) -> datetime:
    """An instant on, or a microsecond or a day either side of, one of the credit's bounds."""
    instants = (credit.issued_at, credit.expires_at, _release(credit)[0], credit.lock_expires_at)
    bounds = [t for t in instants if t is not None]
    if not bounds or draw(st.integers(0, 4)) == 0:
        return draw(lst.utc_instants())
    bound = draw(st.sampled_from(bounds))
    delta = draw(st.sampled_from((timedelta(0), US, -US, timedelta(days=1), -timedelta(days=1))))
    return bound + delta


_AMOUNTS: Final = st.one_of(
    lst.money(max_units=10**6).filter(lambda m: m > 0),
    st.integers(1, 10**6),
    st.sampled_from(("0.01", "12.50", "1")),
)
_CODES: Final = st.one_of(st.none(), st.just(""), st.text(max_size=4))


@LIMIT
@given(data=st.data(), credit=CREDITS_FOR_CHECKS, amount=_AMOUNTS, code=_CODES)
def test_redeem_is_all_or_nothing_and_never_negative(
    credit: Credit, amount: Any, code: str | None, data: st.DataObject
) -> None:
    """CRD-13: value_remaining never goes negative; allowed subtracts exactly, refused keeps all."""
    at = data.draw(instants_near(credit))
    share = data.draw(st.sampled_from((None, 1, 37, 100)))
    if share is not None and credit.value_remaining > 0:
        amount = credit.value_remaining * share / 100  # often within the value remaining
    result = redeem_credit(credit, amount, at=at, security_code=code)
    event("allowed" if result.decision.allowed else "refused")
    assert result.decision == check_credit_redemption(credit, amount, at=at, security_code=code)
    assert result.credit.value_remaining >= 0
    if result.decision.allowed:
        assert result.credit.value_remaining + Decimal(amount) == credit.value_remaining
        assert attrs.evolve(result.credit, value_remaining=credit.value_remaining) == credit
    else:
        assert result.credit == credit


@LIMIT
@given(data=st.data(), credit=CREDITS_FOR_CHECKS)
def test_locked_iff_locked_and_before_lock_expiry(credit: Credit, data: st.DataObject) -> None:
    """CRD-4 (Q32): locked iff ``locked`` and (``lock_expires_at`` null or ``at`` before it)."""
    at = data.draw(instants_near(credit))
    until = credit.lock_expires_at
    if until is not None and data.draw(st.booleans()):
        at = until + data.draw(st.sampled_from((timedelta(0), US, -US)))
    expected = credit.locked and (until is None or at < until)
    assert is_locked(credit, at=at) is expected
    unlocked = attrs.evolve(credit, locked=False)
    assert not is_locked(unlocked, at=at)


def _allowed(credit: Credit, amount: Any, code: str | None, at: datetime) -> bool:
    return check_credit_redemption(credit, amount, at=at, security_code=code).allowed


@LIMIT
@given(
    data=st.data(),
    credit=CREDITS_FOR_CHECKS,
    amount=st.one_of(_AMOUNTS, st.just(1), st.just(1), st.just(1)),
    code=st.one_of(_CODES, st.none()),
)
def test_retry_at_is_the_first_change(
    credit: Credit, amount: Any, code: str | None, data: st.DataObject
) -> None:
    """TIME-9: allowed changes at retry_at, not at retry_at - 1 µs nor at any bound before it."""
    at = data.draw(instants_near(credit))
    decision: Decision = check_credit_redemption(credit, amount, at=at, security_code=code)
    retry = decision.retry_at
    event(f"allowed={decision.allowed}, retry_at {'unset' if retry is None else 'set'}")
    instants = (credit.issued_at, credit.expires_at, _release(credit)[0], credit.lock_expires_at)
    bounds = {t + d for t in instants if t is not None for d in (timedelta(0), US)}
    if retry is None:
        later = [t for t in bounds if t > at]
    else:
        assert retry > at
        assert _allowed(credit, amount, code, retry) != decision.allowed
        if retry - US > at:
            assert _allowed(credit, amount, code, retry - US) == decision.allowed
        later = [t for t in bounds if at < t < retry]
    for t in later:
        assert _allowed(credit, amount, code, t) == decision.allowed


@LIMIT
@given(data=st.data(), credit=CREDITS_FOR_CHECKS)
def test_released_never_reverts(credit: Credit, data: st.DataObject) -> None:
    """CRD-3: once released, a credit stays released at every later instant."""
    at, later = sorted((data.draw(instants_near(credit)), data.draw(instants_near(credit))))
    if is_released(credit, at=at):
        assert is_released(credit, at=later)
