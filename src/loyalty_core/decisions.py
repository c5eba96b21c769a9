"""Reason codes, reasons and decisions: a business "no" as data.

Every check of the library returns a :class:`Decision`. A refused decision lists every rule that
failed, in the order its check runs them, each as a :class:`Reason` with a stable
:class:`ReasonCode`, a human message and a JSON-serialisable ``detail``.

>>> from loyalty_core import Decision, Reason, ReasonCode
>>> d = Decision(reasons=(Reason(ReasonCode.EXPIRED, "expired at 2026-04-19T13:59:59Z"),))
>>> bool(d), d.allowed, sorted(code.value for code in d.codes)
(False, False, ['expired'])
>>> bool(Decision())
True
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, TypedDict

from loyalty_core import _display, clock
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import show

__all__ = [
    "REASON_LABELS",
    "Decision",
    "DecisionJSON",
    "Reason",
    "ReasonCode",
    "ReasonJSON",
    "after",
    "bound_reason",
    "first_change",
]


class ReasonCode(enum.StrEnum):
    """Every refusal reason, as a stable snake_case string.

    Members are the upper-cased values: ``ReasonCode.NOT_CLAIMABLE == "not_claimable"``. A code
    shared by several checks (``archived``, ``expired``, ``not_yet_issued``) is one member.
    """

    # Claims (CLM-1 to CLM-14).
    NOT_CLAIMABLE = "not_claimable"
    ARCHIVED = "archived"
    UNPUBLISHED = "unpublished"
    NOT_ASSIGNABLE = "not_assignable"
    CLAIM_WINDOW_NOT_OPEN = "claim_window_not_open"
    CLAIM_WINDOW_CLOSED = "claim_window_closed"
    DEFINITION_ENDED = "definition_ended"
    CONDITION_NOT_MET = "condition_not_met"
    ALREADY_CLAIMED = "already_claimed"
    ACTIVE_CLAIM_EXISTS = "active_claim_exists"
    CLAIM_TIMEFRAME_LIMIT = "claim_timeframe_limit"
    GLOBAL_REDEMPTIONS_EXHAUSTED = "global_redemptions_exhausted"
    ALLOCATIONS_EXHAUSTED = "allocations_exhausted"
    CAMPAIGN_ALREADY_CLAIMED = "campaign_already_claimed"
    # Redemptions (RED-4 to RED-15; not_owned is listed with the extensions).
    NOT_YET_ISSUED = "not_yet_issued"
    EXPIRED = "expired"
    USER_REDEEM_NOT_ALLOWED = "user_redeem_not_allowed"
    REDEMPTIONS_EXHAUSTED = "redemptions_exhausted"
    INSTANCE_LIMIT_EXCEEDED = "instance_limit_exceeded"
    GLOBAL_LIMIT_EXCEEDED = "global_limit_exceeded"
    # Rewards (RWD-5).
    INSUFFICIENT_BALANCE = "insufficient_balance"
    # Extensions (EXT-2 to EXT-6, EXT-11).
    NOT_OWNED = "not_owned"
    ALREADY_EXTENDED = "already_extended"
    NOT_EXTENDABLE = "not_extendable"
    NO_EXPIRY = "no_expiry"
    NOT_FOUND = "not_found"
    # Credits (CRD-6 to CRD-12).
    NOT_RELEASED = "not_released"
    LOCKED = "locked"
    SECURITY_CODE_REQUIRED = "security_code_required"
    SECURITY_CODE_MISMATCH = "security_code_mismatch"
    INSUFFICIENT_VALUE = "insufficient_value"

    @property
    def label(self) -> str:
        """A short human label for tables, legends and notebook displays.

        >>> ReasonCode.CLAIM_WINDOW_NOT_OPEN.label
        'Claim window not open yet'

        Labels come from :data:`REASON_LABELS`; the code stays the stable identifier.
        """
        return REASON_LABELS[self]


REASON_LABELS: Mapping[ReasonCode, str] = MappingProxyType(
    {
        ReasonCode.NOT_CLAIMABLE: "Not claimable",
        ReasonCode.ARCHIVED: "Archived",
        ReasonCode.UNPUBLISHED: "Not published",
        ReasonCode.NOT_ASSIGNABLE: "Not assignable",
        ReasonCode.CLAIM_WINDOW_NOT_OPEN: "Claim window not open yet",
        ReasonCode.CLAIM_WINDOW_CLOSED: "Claim window closed",
        ReasonCode.DEFINITION_ENDED: "Definition ended",
        ReasonCode.CONDITION_NOT_MET: "Condition not met",
        ReasonCode.ALREADY_CLAIMED: "Already claimed",
        ReasonCode.ACTIVE_CLAIM_EXISTS: "Active claim exists",
        ReasonCode.CLAIM_TIMEFRAME_LIMIT: "Timeframe limit reached",
        ReasonCode.GLOBAL_REDEMPTIONS_EXHAUSTED: "Global redemptions used up",
        ReasonCode.ALLOCATIONS_EXHAUSTED: "Allocations used up",
        ReasonCode.CAMPAIGN_ALREADY_CLAIMED: "Campaign already claimed",
        ReasonCode.NOT_YET_ISSUED: "Not yet issued",
        ReasonCode.EXPIRED: "Expired",
        ReasonCode.USER_REDEEM_NOT_ALLOWED: "Member may not redeem",
        ReasonCode.REDEMPTIONS_EXHAUSTED: "Redemptions used up",
        ReasonCode.INSTANCE_LIMIT_EXCEEDED: "Per-benefit limit exceeded",
        ReasonCode.GLOBAL_LIMIT_EXCEEDED: "Global limit exceeded",
        ReasonCode.INSUFFICIENT_BALANCE: "Insufficient balance",
        ReasonCode.NOT_OWNED: "Not owned",
        ReasonCode.ALREADY_EXTENDED: "Already extended",
        ReasonCode.NOT_EXTENDABLE: "Not extendable",
        ReasonCode.NO_EXPIRY: "No expiry",
        ReasonCode.NOT_FOUND: "Not found",
        ReasonCode.NOT_RELEASED: "Not released yet",
        ReasonCode.LOCKED: "Locked",
        ReasonCode.SECURITY_CODE_REQUIRED: "Security code required",
        ReasonCode.SECURITY_CODE_MISMATCH: "Security code mismatch",
        ReasonCode.INSUFFICIENT_VALUE: "Insufficient value",
    }
)
"""One human label per :class:`ReasonCode` (every code has one): the single table behind
:attr:`ReasonCode.label`, the plots' legends and the notebook displays of decisions."""


Render = Callable[[], tuple[str, Mapping[str, Any]]]


class ReasonJSON(TypedDict):
    """One reason as :meth:`Decision.to_json` writes it: its code's value, message and detail."""

    code: str
    message: str
    detail: dict[str, Any]


class DecisionJSON(TypedDict):
    """A decision as :meth:`Decision.to_json` writes it (the command line's ``--json``).

    ``retry_at`` is ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` or ``None`` (TIME-9).
    """

    allowed: bool
    reasons: list[ReasonJSON]
    retry_at: str | None


class Reason:
    """One failed rule: its code, a message and the same facts as JSON-serialisable data.

    ``message`` starts lowercase and says the observed value and the limit; ``detail`` holds the
    same facts (money as fixed-point strings, instants as ``YYYY-MM-DDTHH:MM:SSZ``). Checks on a
    hot path build reasons with :meth:`lazy`, so the text is only formatted when read; it is
    deterministic either way. Reasons are immutable, and equal when code, message and detail
    are equal.

    >>> r = Reason.lazy(ReasonCode.LOCKED, lambda: ("locked until x", {"until": "x"}))
    >>> r.message, dict(r.detail)
    ('locked until x', {'until': 'x'})
    """

    __slots__ = ("_code", "_detail", "_message", "_render")

    _code: ReasonCode
    _message: str | None
    _detail: Mapping[str, Any] | None
    _render: Render | None

    def __init__(
        self,
        code: ReasonCode | str,
        message: str,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Build a reason from its code, message and detail (``{}`` when omitted)."""
        self._set(code, message, MappingProxyType(dict(detail or {})), None)

    @classmethod
    def lazy(cls, code: ReasonCode | str, render: Render) -> Reason:
        """Build a reason whose message and detail are computed by ``render`` on first access."""
        reason = cls.__new__(cls)
        reason._set(code, None, None, render)  # noqa: SLF001 - our own instance
        return reason

    def _set(
        self,
        code: ReasonCode | str,
        message: str | None,
        detail: Mapping[str, Any] | None,
        render: Render | None,
    ) -> None:
        # Immutable from outside: code, message and detail are read-only properties.
        try:
            self._code = code if type(code) is ReasonCode else ReasonCode(code)
        except ValueError:
            msg = f"expected a ReasonCode, got {show(code)}"
            raise InvalidRequest(Problem("code", msg)) from None
        self._message = message
        self._detail = detail
        self._render = render

    def _materialise(self) -> None:
        if self._render is not None:
            message, detail = self._render()
            self._message = message
            self._detail = MappingProxyType(dict(detail))
            self._render = None

    @property
    def code(self) -> ReasonCode:
        """The stable reason code."""
        return self._code

    @property
    def message(self) -> str:
        """The human-readable message: the observed value and the limit."""
        self._materialise()
        assert self._message is not None  # noqa: S101 - set by _materialise
        return self._message

    @property
    def detail(self) -> Mapping[str, Any]:
        """The same facts as the message, as read-only JSON-serialisable data."""
        self._materialise()
        assert self._detail is not None  # noqa: S101 - set by _materialise
        return self._detail

    def __eq__(self, other: object) -> bool:
        """Compare code, message and detail."""
        if not isinstance(other, Reason):
            return NotImplemented
        return (self.code, self.message, dict(self.detail)) == (
            other.code,
            other.message,
            dict(other.detail),
        )

    def __hash__(self) -> int:
        """Hash the code and message."""
        return hash((self.code, self.message))

    def __repr__(self) -> str:
        """Show code and message."""
        return f"Reason({show(self.code.value)}, {show(self.message)})"


class Decision:
    """The answer of a check: allowed, or refused with every failed rule.

    ``allowed`` is true iff ``reasons`` is empty; ``bool(decision)`` is ``allowed``. ``codes``
    is the frozenset of the reasons' codes. ``retry_at`` is the earliest instant after the
    check's ``at`` at which the same check with only ``at`` changed gives a different
    ``allowed`` (TIME-9), or ``None``.
    """

    __slots__ = ("_reasons", "_retry", "_retry_at")

    _reasons: tuple[Reason, ...]
    _retry_at: datetime | None
    _retry: Callable[[], datetime | None] | None

    def __init__(
        self,
        *,
        reasons: tuple[Reason, ...] = (),
        retry_at: datetime | None = None,
    ) -> None:
        """Build a decision; an empty ``reasons`` means allowed."""
        found = tuple(reasons)
        for reason in found:
            if not isinstance(reason, Reason):
                msg = f"expected Reason values, got {show(reason)}"
                raise InvalidRequest(Problem("reasons", msg))
        codes = [r.code for r in found]
        if len(set(codes)) != len(codes):
            msg = f"each code may appear once, got {show([c.value for c in codes])}"
            raise InvalidRequest(Problem("reasons", msg))
        if retry_at is not None:
            retry_at = clock.as_instant(retry_at, name="retry_at", bounded=False)
        # Immutable from outside: the public attributes are read-only properties.
        self._reasons = found
        self._retry_at = retry_at
        self._retry = None

    @classmethod
    def trusted(
        cls,
        reasons: tuple[Reason, ...],
        retry: datetime | Callable[[], datetime | None] | None,
    ) -> Decision:
        """Build a decision from reasons a check produced, skipping the argument checks.

        The library's own checks use this on their hot path: their reasons are ``Reason``
        values with distinct codes by construction. ``retry`` is the UTC ``retry_at``, ``None``,
        or a callable computing it on first access.
        """
        decision = cls.__new__(cls)
        decision._reasons = reasons  # noqa: SLF001 - our own new instance
        if callable(retry):
            decision._retry_at = None  # noqa: SLF001
            decision._retry = retry  # noqa: SLF001
        else:
            decision._retry_at = retry  # noqa: SLF001
            decision._retry = None  # noqa: SLF001
        return decision

    @property
    def allowed(self) -> bool:
        """Whether the check passed: true iff no rule failed."""
        return not self._reasons

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Every failed rule, in the order the check ran them."""
        return self._reasons

    @property
    def retry_at(self) -> datetime | None:
        """The earliest later instant at which ``allowed`` changes (TIME-9), or ``None``."""
        retry = self._retry
        if retry is not None:
            found = retry()
            self._retry_at = (
                None if found is None else clock.as_instant(found, name="retry_at", bounded=False)
            )
            self._retry = None
        return self._retry_at

    @property
    def codes(self) -> frozenset[ReasonCode]:
        """The codes of the failed rules."""
        return frozenset(r.code for r in self._reasons)

    def __bool__(self) -> bool:
        """Return :attr:`allowed`."""
        return not self._reasons

    def __iter__(self) -> Iterator[Reason]:
        """Iterate over the reasons."""
        return iter(self._reasons)

    def to_json(self) -> DecisionJSON:
        """Return the decision as JSON data: what the command line's ``--json`` prints.

        >>> from datetime import UTC
        >>> Decision(reasons=(Reason(ReasonCode.EXPIRED, "expired", {"at": "x"}),),
        ...          retry_at=datetime(2026, 1, 1, tzinfo=UTC)).to_json()
        {'allowed': False, 'reasons': [{'code': 'expired', 'message': 'expired', \
'detail': {'at': 'x'}}], 'retry_at': '2026-01-01T00:00:00Z'}
        """
        retry_at = self.retry_at
        return {
            "allowed": self.allowed,
            "reasons": [
                {"code": r.code.value, "message": r.message, "detail": _copy(r.detail)}
                for r in self._reasons
            ],
            "retry_at": None if retry_at is None else clock.format_instant(retry_at),
        }

    def __eq__(self, other: object) -> bool:
        """Compare reasons and retry_at."""
        if not isinstance(other, Decision):
            return NotImplemented
        return (self._reasons, self.retry_at) == (other._reasons, other.retry_at)

    def __hash__(self) -> int:
        """Hash reasons and retry_at."""
        return hash((self._reasons, self.retry_at))

    def __repr__(self) -> str:
        """Show the outcome, the codes and retry_at (short: each code appears at most once)."""
        codes = ", ".join(repr(r.code.value) for r in self._reasons)
        return (
            f"Decision(allowed={self.allowed}, reasons=[{codes}], retry_at={show(self.retry_at)})"
        )

    def _repr_html_(self) -> str:
        """Return an HTML table for notebooks: ``Allowed`` or ``Refused``, then every reason.

        One row per reason: its code, its human label (:attr:`ReasonCode.label`) and its
        message; ``retry_at``, when set, in a note below. Texts are escaped and bounded.

        >>> d = Decision(reasons=(Reason(ReasonCode.LOCKED, "locked until <x>"),))
        >>> '<caption style="text-align:left">Refused</caption>' in d._repr_html_()
        True
        >>> "Locked" in d._repr_html_(), "locked until &lt;x&gt;" in d._repr_html_()
        (True, True)
        """
        retry_at = self.retry_at
        notes: tuple[str, ...] = ()
        if retry_at is not None:
            # TIME-9: when a refusal could next be allowed, or when an allowed one changes.
            when = "retry at" if self._reasons else "changes at"
            notes = (f"{when} {clock.format_instant(retry_at)}",)
        return _display.html_table(
            "Allowed" if self.allowed else "Refused",
            ("code", "reason", "message") if self._reasons else (),
            ((r.code.value, r.code.label, r.message) for r in self._reasons),
            notes=notes,
        )


def _copy(value: Any) -> Any:
    # A detail is JSON data already (the public API); the copy shares no list or mapping with it.
    if isinstance(value, Mapping):
        return {str(key): _copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(item) for item in value]
    return value


_ONE_MICROSECOND = timedelta(microseconds=1)


def after(bound: datetime) -> datetime:
    """Return ``bound + 1 µs``: the retry candidate of a bound that refuses when ``at > bound``.

    TIME-9: a bound that refuses when ``at > X`` contributes X + 1 µs; one that refuses when
    ``at < X`` contributes X itself.
    """
    return bound + _ONE_MICROSECOND


def first_change(
    at: datetime,
    allowed: bool,  # noqa: FBT001 - the outcome at `at`, read positionally by every check
    candidates: Iterable[datetime | None],
    allowed_at: Callable[[datetime], bool],
) -> datetime | None:
    """Return the earliest candidate ``t > at`` where ``allowed_at(t) != allowed`` (TIME-9).

    Between candidate instants a check's outcome cannot change, so testing the candidates later
    than ``at`` in ascending order finds ``retry_at``; ``None`` when none changes it.
    """
    for instant in sorted({c for c in candidates if c is not None and c > at}):
        if allowed_at(instant) != allowed:
            return instant
    return None


def bound_reason(code: ReasonCode, text: str, key: str, bound: datetime, at: datetime) -> Reason:
    """A lazy reason for a failed time bound: ``"<text> <bound>; at is <at>"``.

    ``detail`` holds ``at`` and the bound under ``key``, both as ``YYYY-MM-DDTHH:MM:SSZ``.

    >>> from datetime import UTC, datetime
    >>> r = bound_reason(ReasonCode.EXPIRED, "the benefit expired at", "expires_at",
    ...                  datetime(2026, 4, 19, 13, 59, 59, tzinfo=UTC),
    ...                  datetime(2026, 4, 20, tzinfo=UTC))
    >>> r.message
    'the benefit expired at 2026-04-19T13:59:59Z; at is 2026-04-20T00:00:00Z'
    """

    def render() -> tuple[str, dict[str, str]]:
        shown, now = clock.format_instant(bound), clock.format_instant(at)
        return f"{text} {shown}; at is {now}", {"at": now, key: shown}

    return Reason.lazy(code, render)
