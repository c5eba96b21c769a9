"""Benefit redemption, returns, and claim-and-redeem (RED rules).

Redemption is all-or-nothing (Q18): a refused redemption changes nothing; an allowed one lowers
the instance's ``redemptions_remaining`` and raises its embedded definition's
``total_global_redemptions``. The library keeps no state: the global cap holds across members
when each operation receives the definition returned by the previous one (RED-10).

>>> from datetime import UTC, datetime
>>> from loyalty_core import Benefit, BenefitDefinition
>>> b = Benefit(definition=BenefitDefinition(max_redemptions=3, max_global_redemptions=100,
...                                          total_global_redemptions=97),
...             redemptions_remaining=2)
>>> result = redeem_benefit(b, at=datetime(2026, 3, 1, tzinfo=UTC), count=2)
>>> result.benefit.redemptions_remaining, result.benefit.definition.total_global_redemptions
(0, 99)
>>> [r.code.value for r in check_redemption(result.benefit, at=datetime(2026, 3, 1, tzinfo=UTC))]
['redemptions_exhausted']
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final, Literal, get_args
from zoneinfo import ZoneInfo

import attrs

from loyalty_core import clock
from loyalty_core._fields import (
    BadValue,
    build_trusted,
    check_arguments,
    check_positive,
    evolve_trusted,
    specs,
)
from loyalty_core.benefits import Benefit, BenefitDefinition, global_remaining
from loyalty_core.claims import ClaimResult, decide_claim, new_benefit, prepare_claim
from loyalty_core.decisions import (
    Decision,
    Reason,
    ReasonCode,
    after,
    bound_reason,
    first_change,
)
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import MAX_INT, show
from loyalty_core.periods import before_issue, past_expiry
from loyalty_core.policy import DEFAULT_POLICY, Policy
from loyalty_core.profiles import Profile
from loyalty_core.records import Redemption, RedemptionItem

__all__ = [
    "CHANNELS",
    "Channel",
    "RedemptionResult",
    "check_redemption",
    "claim_and_redeem",
    "redeem_benefit",
    "return_redemption",
]

Channel = Literal["api", "staff", "customer"]
"""Who asks for a redemption (RED-3): an integration, a staff member, or the member."""

CHANNELS: Final[tuple[Channel, ...]] = get_args(Channel)
"""The channels, in order: ``("api", "staff", "customer")`` (RED-3)."""
_CHANNELS: Final = frozenset(CHANNELS)
_iso = clock.format_instant


@attrs.frozen(kw_only=True)
class RedemptionResult:
    """The outcome of :func:`redeem_benefit`: the decision, the benefit, and the record.

    ``redemption`` is the :class:`~loyalty_core.Redemption` record of an allowed redemption
    (RED-16), ``None`` when refused.
    """

    decision: Decision
    benefit: Benefit
    redemption: Redemption | None = None


def _count(count: object, name: str = "count") -> int:
    # RED-2 (Q20): an int, not a bool, >= 1 (and at most MAX_INT, the docs' Limits page).
    try:
        return check_positive(count, MAX_INT)
    except BadValue as exc:
        raise InvalidRequest(Problem(name, str(exc))) from None


def _channel(channel: object) -> Channel:
    # RED-3: one of the three channels.
    if not isinstance(channel, str) or channel not in CHANNELS:
        raise InvalidRequest(
            Problem("channel", f"expected 'api', 'staff' or 'customer', got {show(channel)}")
        )
    return channel


def _owner(profile_id: object) -> str | None:
    # RED-15: the profile in the request path, a string, or None when the caller has none.
    if profile_id is None or type(profile_id) is str:
        return profile_id
    raise InvalidRequest(Problem("profile_id", f"expected a string, got {show(profile_id)}"))


def _static_reasons(
    benefit: Benefit, count: int, channel: Channel, profile_id: str | None
) -> tuple[list[Reason], list[Reason]]:
    """The failures no instant can cure: RED-14, RED-15 and RED-6, then RED-7 to RED-9."""
    d = benefit.definition
    before: list[Reason] = []
    if d.is_archived:  # RED-14 (Q21c)
        before.append(
            Reason(ReasonCode.ARCHIVED, "the definition is archived", {"is_archived": True})
        )
    owner = benefit.profile_id
    if profile_id is not None and owner is not None and owner != profile_id:  # RED-15
        before.append(
            Reason(
                ReasonCode.NOT_OWNED,
                f"the benefit belongs to profile {show(owner)}, not {show(profile_id)}",
                {"profile_id": profile_id, "owner": owner},
            )
        )
    if channel == "customer" and not d.allow_user_redeem:  # RED-6 (Q23)
        before.append(
            Reason(
                ReasonCode.USER_REDEEM_NOT_ALLOWED,
                "members may not redeem this benefit themselves (allow_user_redeem is false)",
                {"channel": channel, "allow_user_redeem": False},
            )
        )
    limits: list[Reason] = []
    remaining = benefit.redemptions_remaining
    if remaining == 0:  # RED-7 (Q21)
        limits.append(
            Reason(
                ReasonCode.REDEMPTIONS_EXHAUSTED,
                f"no redemptions remain of {show(d.max_redemptions)}",
                {"redemptions_remaining": 0, "max_redemptions": d.max_redemptions},
            )
        )
    elif remaining is not None and count > remaining:  # RED-8 (Q18)
        limits.append(
            Reason(
                ReasonCode.INSTANCE_LIMIT_EXCEEDED,
                f"count {count} exceeds the {remaining} redemptions remaining",
                {"count": count, "redemptions_remaining": remaining},
            )
        )
    left = global_remaining(d)
    if left is not None and count > left:  # RED-9
        limits.append(
            Reason(
                ReasonCode.GLOBAL_LIMIT_EXCEEDED,
                f"count {count} exceeds the {left} global redemptions remaining "
                f"({d.total_global_redemptions} used of {d.max_global_redemptions})",
                {
                    "count": count,
                    "global_remaining": left,
                    "total_global_redemptions": d.total_global_redemptions,
                    "max_global_redemptions": d.max_global_redemptions,
                },
            )
        )
    return before, limits


def _timed_reasons(benefit: Benefit, at: datetime) -> list[Reason]:
    """RED-4 and RED-5: not yet issued (Q36) and expired (EXP-1)."""
    found: list[Reason] = []
    issued, expires = benefit.issued_at, benefit.expires_at
    if before_issue(issued, at):  # RED-4
        found.append(
            bound_reason(
                ReasonCode.NOT_YET_ISSUED, "the benefit is issued at", "issued_at", issued, at
            )
        )
    if past_expiry(expires, at):  # RED-5
        found.append(
            bound_reason(ReasonCode.EXPIRED, "the benefit expired at", "expires_at", expires, at)
        )
    return found


def _redemption_decision(
    benefit: Benefit,
    now: datetime,
    count: int,
    channel: Channel,
    profile_id: str | None = None,
) -> Decision:
    before, limits = _static_reasons(benefit, count, channel, profile_id)
    reasons = (*_timed_reasons(benefit, now), *before, *limits)
    if before or limits:
        return Decision.trusted(reasons, None)
    allowed = not reasons
    expires = benefit.expires_at
    candidates = (benefit.issued_at, None if expires is None else after(expires))
    return Decision.trusted(
        reasons,
        lambda: first_change(now, allowed, candidates, lambda t: not _timed_reasons(benefit, t)),
    )


def _check_benefit(benefit: object) -> Benefit:
    if not isinstance(benefit, Benefit):
        raise InvalidRequest(Problem("benefit", f"expected a Benefit, got {show(benefit)}"))
    return benefit


def check_redemption(  # noqa: PLR0913 - the signature is fixed by the public API
    benefit: Benefit,
    *,
    at: datetime,
    count: int = 1,
    channel: Channel = "api",
    profile_id: str | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> Decision:
    """Decide whether ``count`` redemptions of ``benefit`` may go through at ``at`` (RED rules).

    The checks run in the order RED-4, RED-5, RED-14, RED-15, RED-6, RED-7, RED-8, RED-9 and
    the decision lists every failure. ``profile_id`` is the profile in the request's path: a
    benefit owned by another profile is refused with ``not_owned`` (RED-15); ``None`` (the
    default) skips that check, as does a benefit with no owner. ``count`` must be an ``int``
    >= 1, ``channel`` one of ``"api"``, ``"staff"``, ``"customer"`` and ``profile_id`` a
    string or ``None``; otherwise :class:`InvalidRequest`.

    >>> from datetime import UTC, datetime
    >>> from loyalty_core import Benefit, BenefitDefinition
    >>> mine = Benefit(profile_id="p-1", definition=BenefitDefinition())
    >>> check_redemption(mine, at=datetime(2026, 3, 1, tzinfo=UTC), profile_id="p-2").codes
    frozenset({<ReasonCode.NOT_OWNED: 'not_owned'>})
    """
    allowed = _allowed_until(benefit, at, count, channel, profile_id, policy)
    if allowed is not None:
        return allowed
    checked = _check_benefit(benefit)
    now = clock.as_instant(at, name="at")
    return _redemption_decision(checked, now, _count(count), _channel(channel), _owner(profile_id))


def _allowed_until(  # noqa: PLR0913, PLR0917 - check_redemption's arguments, as given
    benefit: object,
    at: object,
    count: object,
    channel: object,
    profile_id: object,
    policy: object,
) -> Decision | None:
    """The allowed decision of the common request, or None to take the general path.

    The common request: a Benefit, a UTC instant in range, an int count in range, a known
    channel, a string or no profile, a Policy, and every RED rule passing. Its ``retry_at`` is
    the instant after ``expires_at`` (TIME-9: the other candidate, ``issued_at``, has passed).
    Anything else, refusals included, gets the general path's checks and reasons.
    """
    if not (
        type(benefit) is Benefit
        and type(at) is datetime
        and at.tzinfo is UTC
        and type(count) is int
        and 1 <= count <= MAX_INT  # RED-2
        and type(channel) is str
        and channel in _CHANNELS  # RED-3
        and (profile_id is None or type(profile_id) is str)
        and type(policy) is Policy  # no redemption rule reads a switch yet
        and clock.EARLIEST <= at <= clock.LATEST
    ):
        return None
    d = benefit.definition
    issued, expires, owner = benefit.issued_at, benefit.expires_at, benefit.profile_id
    remaining, cap = benefit.redemptions_remaining, d.max_global_redemptions
    if (
        (issued is None or at >= issued)  # RED-4
        and (expires is None or at <= expires)  # RED-5
        and not d.is_archived  # RED-14
        and (profile_id is None or owner is None or owner == profile_id)  # RED-15
        and (channel != "customer" or d.allow_user_redeem)  # RED-6
        and (remaining is None or count <= remaining)  # RED-7, RED-8 (count >= 1)
        and (cap is None or count <= cap - d.total_global_redemptions)  # RED-9
    ):
        return Decision.trusted((), None if expires is None else after(expires))
    return None


def _apply_redemption(benefit: Benefit, count: int) -> Benefit:
    # RED-10: remaining drops by count (null stays null); the global total rises by count.
    # An allowed redemption keeps both within their bounds (RED-8, RED-9), so the copies need
    # no re-check, unless an uncapped total would pass the largest integer a field holds.
    remaining = benefit.redemptions_remaining
    total = benefit.definition.total_global_redemptions + count
    if total > MAX_INT:
        attrs.evolve(benefit.definition, total_global_redemptions=total)  # names the field
    definition = evolve_trusted(benefit.definition, total_global_redemptions=total)
    return evolve_trusted(
        benefit,
        redemptions_remaining=None if remaining is None else remaining - count,
        definition=definition,
    )


_RECORD_KINDS: Final = dict(specs(Redemption))


def redeem_benefit(  # noqa: PLR0913 - the signature is fixed by the public API
    benefit: Benefit,
    *,
    at: datetime,
    count: int = 1,
    channel: Channel = "api",
    profile_id: str | None = None,
    location_id: int | None = None,
    transaction_id: str | None = None,
    meta: list[Any] | tuple[Any, ...] | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> RedemptionResult:
    """Redeem ``count`` of ``benefit`` at ``at``, all or nothing (RED-10, Q18).

    The result's ``benefit`` has ``redemptions_remaining`` lowered and its definition's
    ``total_global_redemptions`` raised; when refused it is the benefit given, unchanged.
    ``profile_id`` is the profile in the request's path (RED-15, see :func:`check_redemption`).
    An allowed redemption also gets its record (RED-16): ``id`` null, ``profile_id`` the
    request's (else the benefit's), ``type`` ``"benefit"``, ``redeem_at`` = ``at``,
    ``location_id``, ``transaction_id`` and ``meta`` as given, and one item naming the benefit
    and ``count``. Bad extras raise :class:`InvalidRequest`, whatever the decision.

    >>> from datetime import UTC, datetime
    >>> from loyalty_core import Benefit, BenefitDefinition
    >>> b = Benefit(id=7, profile_id="p-1", definition=BenefitDefinition(max_redemptions=2))
    >>> done = redeem_benefit(b, at=datetime(2026, 3, 1, 9, tzinfo=UTC), location_id=12)
    >>> done.benefit.redemptions_remaining, done.redemption.to_api()["items"]
    (1, [{'id': 7, 'type': 'benefit', 'value': None, 'count': 1, 'type_attributes': None}])
    """
    decision = check_redemption(
        benefit, at=at, count=count, channel=channel, profile_id=profile_id, policy=policy
    )
    # RED-16: what the caller gives for the record, checked whatever the decision.
    record = (
        {}
        if location_id is None and transaction_id is None and meta is None
        else check_arguments(
            (name, _RECORD_KINDS[name], value)
            for name, value in (
                ("location_id", location_id),
                ("transaction_id", transaction_id),
                ("meta", meta),
            )
        )
    )
    if not decision.allowed:
        return RedemptionResult(decision=decision, benefit=benefit)
    owner = benefit.profile_id if profile_id is None else profile_id
    redemption = build_trusted(
        Redemption,
        {
            "profile_id": owner,
            "type": "benefit",
            "redeem_at": clock.as_instant(at, name="at"),
            "items": (
                build_trusted(
                    RedemptionItem, {"id": benefit.id, "type": "benefit", "count": count}
                ),
            ),
            **record,
        },
    )
    return RedemptionResult(
        decision=decision, benefit=_apply_redemption(benefit, count), redemption=redemption
    )


def return_redemption(benefit: Benefit, count: int, *, at: datetime) -> Benefit:
    """Give back ``count`` redemptions of ``benefit`` (RED-12).

    The redeemed total is ``max_redemptions - redemptions_remaining``, or the definition's
    ``total_global_redemptions`` when ``max_redemptions`` is null; ``count`` must be an ``int``
    from 1 to that total. ``redemptions_remaining`` rises by ``count`` (null stays null) and the
    definition's ``total_global_redemptions`` falls by it (never below 0). The expiry is not
    touched, so an expired benefit stays expired.

    >>> from datetime import UTC, datetime
    >>> from loyalty_core import Benefit, BenefitDefinition
    >>> b = Benefit(definition=BenefitDefinition(max_redemptions=3, total_global_redemptions=99),
    ...             redemptions_remaining=0)
    >>> back = return_redemption(b, 1, at=datetime(2026, 3, 1, tzinfo=UTC))
    >>> back.redemptions_remaining, back.definition.total_global_redemptions
    (1, 98)
    """
    checked = _check_benefit(benefit)
    clock.as_instant(at, name="at")
    d = checked.definition
    remaining = checked.redemptions_remaining
    if d.max_redemptions is not None and remaining is not None:
        redeemed = d.max_redemptions - remaining
    else:
        redeemed = d.total_global_redemptions
    given = _count(count)
    if given > redeemed:
        msg = f"expected at most the {redeemed} redemptions redeemed, got {show(count)}"
        raise InvalidRequest(Problem("count", msg))
    definition = attrs.evolve(
        d, total_global_redemptions=max(0, d.total_global_redemptions - given)
    )
    return attrs.evolve(
        checked,
        redemptions_remaining=None if remaining is None else remaining + given,
        definition=definition,
    )


def claim_and_redeem(  # noqa: PLR0913 - the signature is fixed by the public API
    definition: BenefitDefinition,
    profile: Profile,
    *,
    at: datetime,
    timezone: str | ZoneInfo,
    holdings: Iterable[Benefit] = (),
    count: int = 1,
    channel: Channel = "api",
    policy: Policy = DEFAULT_POLICY,
    external_id: str | None = None,
) -> ClaimResult:
    """Claim and redeem in one step: nothing is claimed if the redemption would be refused (RED-13).

    ``count`` and ``channel`` are validated first. The decision is the claim's refusal, or else
    the redemption's (checked on the new instance at ``at``). When allowed, ``benefit`` is the
    redeemed new instance and ``definition`` has both its created and redeemed counters advanced.
    """
    given, how = _count(count), _channel(channel)
    claim, now = prepare_claim(definition, profile, at, timezone, holdings, policy)

    def outcome(t: datetime) -> tuple[Decision, Benefit | None]:
        decision = decide_claim(claim, t)
        if not decision.allowed:
            return decision, None
        benefit = new_benefit(definition, profile, at=t, tz=claim.tz, external_id=external_id)
        return _redemption_decision(benefit, t, given, how), benefit

    decision, benefit = outcome(now)
    # TIME-9: the claim's candidates, plus the new instance's expiry for absolute_date.
    candidates = claim.candidates()
    if definition.absolute_expiry is not None:
        candidates.append(after(definition.absolute_expiry))
    allowed = decision.allowed
    final = Decision.trusted(
        decision.reasons,
        lambda: first_change(now, allowed, candidates, lambda t: outcome(t)[0].allowed),
    )
    if benefit is None or not allowed:
        return ClaimResult(decision=final, benefit=None, definition=definition)
    redeemed = _apply_redemption(benefit, given)
    return ClaimResult(decision=final, benefit=redeemed, definition=redeemed.definition)
