"""A reference model of the platform's state, and a stateful machine to test a service against it.

:class:`Model` holds what a loyalty platform stores (benefit definitions with their global
counters, members with their benefits, rewards and credits, and the current instant) and
applies every operation through loyalty_core's public API, threading each definition to every
member's benefits as RED-10 and CLM-18 require. Each operation returns the next model and an
:class:`Outcome`; refusals are logged in :attr:`Model.refusals`.

:class:`LoyaltyStateMachine` is a hypothesis ``RuleBasedStateMachine``. A service subclasses
it, returns an :class:`Adapter` from :meth:`~LoyaltyStateMachine.make_adapter`, and runs it
with pytest: random operations go to both the model and the service, and after every step the
service's state must equal the model's and keep the invariants. A failure raises
:class:`DivergenceError`.

>>> from datetime import UTC, datetime
>>> from loyalty_core import BenefitDefinition, Profile
>>> coffee = BenefitDefinition(id=1, handle="coffee", is_claimable=True, is_published=True,
...                            is_assignable=True, max_redemptions=2, max_global_redemptions=3)
>>> model = Model(at=datetime(2026, 1, 1, tzinfo=UTC), definitions=(coffee,),
...               members=(Member(profile=Profile(id="p-1")), Member(profile=Profile(id="p-2"))))
>>> model, _ = model.claim("coffee", "p-1", "UTC")
>>> model, _ = model.claim("coffee", "p-2", "UTC")
>>> model, outcome = model.redeem("p-1", 0, count=2)
>>> outcome.accepted, model.definition("coffee").total_global_redemptions
(True, 2)
>>> model.member("p-2").benefits[0].definition.total_global_redemptions  # RED-10
2
>>> model, outcome = model.redeem("p-2", 0, count=2)
>>> [reason.code.value for reason in outcome.decision.reasons]
['global_limit_exceeded']
>>> [(operation, decision.allowed) for operation, decision in model.refusals]
[('redeem', False)]
"""

from __future__ import annotations

from loyalty_core.testing import INSTALL_HINT

try:
    import hypothesis  # noqa: F401 - checked here, to say how to install it when missing
except ImportError as missing:
    raise ImportError(INSTALL_HINT.format(module=__name__)) from missing

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any, ClassVar, Final, NoReturn, Protocol, Self, cast
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import loyalty_core as lc
from loyalty_core import clock
from loyalty_core.limits import closest, show

# The model itself is free of hypothesis, so that loyalty_core.scenarios (and `loyalty-core
# run`) can use it without the testing extra; this module re-exports it unchanged.
from loyalty_core.model import (
    KINDS,
    STATE_FIELDS,
    Channel,
    ItemRef,
    Kind,
    Member,
    MemberState,
    Model,
    Outcome,
    Snapshot,
    compact,
)
from loyalty_core.payloads import parse_instant
from loyalty_core.redemptions import CHANNELS
from loyalty_core.testing._strategies.instants import transitions

__all__ = [
    "CLAIM_BOUNDS",
    "COMPARED",
    "FAMILIES",
    "NUDGES",
    "OPERATIONS",
    "ZONES",
    "Adapter",
    "BaseAdapter",
    "Channel",
    "DivergenceError",
    "ItemRef",
    "Kind",
    "LoyaltyStateMachine",
    "Member",
    "MemberState",
    "Model",
    "Outcome",
    "Scope",
    "Snapshot",
    "boundaries",
    "compact",
    "observe",
    "scope",
    "start_models",
]

ZONES: Final = ("UTC", "Australia/Melbourne", "America/New_York", "Europe/London")
"""The zones the machine claims in and gives rewards and credits: a DST flip on either side."""

COMPARED: Final[Mapping[str, tuple[str, ...]]] = {
    "definitions": STATE_FIELDS["definition"],
    "benefits": STATE_FIELDS["benefit"],
    "rewards": STATE_FIELDS["reward"],
    # An edit may reassign a credit (CRD-17): its owner is compared too.
    "credits": (*STATE_FIELDS["credit"], "profile_id"),
}
"""The JSON keys :func:`observe` reads from each part of a :class:`Snapshot`: the fields the
operations change (:data:`loyalty_core.model.STATE_FIELDS`, which timelines show too), and a
credit's ``profile_id``."""

OPERATIONS: Final[tuple[str, ...]] = (
    "claim",
    "redeem",
    "return",
    "extend",
    "redeem_rewards",
    "edit_credit",
)
"""The operations :class:`LoyaltyStateMachine` performs (besides moving the clock), by the
:class:`Adapter` method each calls (``return`` calls ``return_``)."""

FAMILIES: Final[Mapping[str, tuple[str, ...]]] = {
    "benefits": ("claim", "redeem", "return", "extend"),
    "rewards": ("redeem_rewards", "extend"),
    "credits": ("edit_credit", "extend"),
}
"""Names for groups of :data:`OPERATIONS`, each with the item kind it works on."""

_FAMILY_KINDS: Final[Mapping[str, Kind]] = {
    "benefits": "benefit",
    "rewards": "reward",
    "credits": "credit",
}
_KIND_OPERATIONS: Final[Mapping[Kind, frozenset[str]]] = {
    "benefit": frozenset({"claim", "redeem", "return"}),
    "reward": frozenset({"redeem_rewards"}),
    "credit": frozenset({"edit_credit"}),
}


@attrs.frozen
class Scope:
    """What a scoped machine does: its :data:`OPERATIONS`, and the item kinds it holds."""

    operations: frozenset[str]
    kinds: tuple[Kind, ...]


def scope(operations: Iterable[str]) -> Scope:
    """Resolve operation and family names (:data:`OPERATIONS`, :data:`FAMILIES`) to a scope.

    The kinds are those of the families named, and of the operations named (``claim``,
    ``redeem`` and ``return`` work on benefits, ``redeem_rewards`` on rewards, ``edit_credit``
    on credits); ``extend`` alone extends every kind. An unknown name is an
    :class:`~loyalty_core.InvalidRequest` (a ``ValueError``) at ``operations``.

    >>> scope({"claim", "redeem"})
    Scope(operations=frozenset({...}), kinds=('benefit',))
    >>> sorted(scope({"rewards"}).operations), scope({"rewards"}).kinds
    (['extend', 'redeem_rewards'], ('reward',))
    """
    if isinstance(operations, str):
        operations = (operations,)
    found: set[str] = set()
    kinds: set[Kind] = set()
    for name in operations:
        if name in FAMILIES:
            found.update(FAMILIES[name])
            kinds.add(_FAMILY_KINDS[name])
        elif name in OPERATIONS:
            found.add(name)
        else:
            msg = f"unknown operation {show(name)}: expected one of {show(OPERATIONS)} or "
            msg += f"{show(tuple(FAMILIES))}"
            hint = closest(name, (*OPERATIONS, *FAMILIES)) if isinstance(name, str) else []
            if hint:
                msg += f" (did you mean {show(hint[0])}?)"
            raise lc.InvalidRequest(lc.Problem("operations", msg))
    kinds.update(kind for kind, named in _KIND_OPERATIONS.items() if found & named)
    return Scope(frozenset(found), tuple(k for k in KINDS if k in kinds or not kinds))


_INSTANT_KEYS: Final = frozenset({"expires_at", "extended_at", "lock_expires_at"})
_SHOWN_DIFFERENCES: Final = 12
"""A divergence report lists at most this many differing fields."""
_MONEY_KEYS: Final = frozenset({"value_initial", "value_remaining"})


class DivergenceError(AssertionError):
    """The service under test differs from the reference model, or broke an invariant."""


# --- the adapter a service implements ------------------------------------------------------------


class BaseAdapter(Protocol):
    """What every adapter implements, whatever its scope: the clock and reading the state.

    A scoped machine (:meth:`LoyaltyStateMachine.scoped`) needs only these and the
    :class:`Adapter` methods of its operations.
    """

    def advance(self, to: datetime) -> None:
        """Move the system's clock forward to ``to`` (a UTC instant)."""
        ...

    def state(self) -> Snapshot:
        """Read the whole state back: definitions' counters and every member's items."""
        ...


class Adapter(BaseAdapter, Protocol):
    """What a service implements so that :class:`LoyaltyStateMachine` can drive it.

    :class:`loyalty_core.testing.InMemoryService` implements every method over its own storage:
    copy it. Each operation performs one request against the real system at its current instant (the
    last :meth:`advance`) and returns the changed item's JSON, or ``None`` when the system
    refused the request or rejected it as bad input. Items are named by position: a member's
    benefits in claim order (after those it started with), rewards and credits in the order
    they were seeded.
    """

    def claim(self, handle: str, profile_id: str, timezone: str) -> Mapping[str, Any] | None:
        """Claim the definition ``handle`` for the member; return the new benefit or ``None``."""
        ...

    def redeem(
        self,
        profile_id: str,
        benefit_index: int,
        count: int,
        channel: Channel,
        *,
        owner: str | None = None,
    ) -> Mapping[str, Any] | None:
        """Redeem ``count`` of a benefit for ``profile_id``; return the benefit or ``None``.

        ``profile_id`` is the profile of the request's path. ``benefit_index`` indexes the
        benefits of ``owner``, the member whose benefit it is; ``owner`` is passed only when
        it differs from ``profile_id`` (a request for another profile's benefit, which the
        system must refuse: RED-15).
        """
        ...

    def return_(self, profile_id: str, benefit_index: int, count: int) -> Mapping[str, Any] | None:
        """Return ``count`` redemptions of the member's benefit; return it or ``None``."""
        ...

    def extend(
        self,
        profile_id: str,
        kind: Kind,
        items: Sequence[ItemRef],
        extend_days: int | None,
        extend_date: str | None,
    ) -> Sequence[Mapping[str, Any]] | None:
        """Extend the named items on behalf of ``profile_id``; return the extended items' JSON.

        ``items`` may name another member's items (to be skipped as not owned) and may repeat
        one. Return ``None`` only when the whole request is rejected.
        """
        ...

    def redeem_rewards(self, profile_id: str, amount: Decimal, *, strict: bool) -> Decimal | None:
        """Redeem ``amount`` from the member's rewards; return the amount taken, or ``None``."""
        ...

    def edit_credit(
        self, profile_id: str, credit_index: int, changes: Mapping[str, Any]
    ) -> Mapping[str, Any] | None:
        """Send an Edit Credit body for the member's credit; return the credit or ``None``."""
        ...


# --- comparing states ---------------------------------------------------------------------------


def _normal(key: str, value: Any, where: str) -> Any:
    if value is None:
        return None
    try:
        if key in _INSTANT_KEYS:
            return parse_instant(value)
        if key in _MONEY_KEYS:
            return Decimal(str(value))
    except (ArithmeticError, ValueError) as exc:  # PayloadError is a ValueError
        msg = f"{where}: cannot read {show(value)}: {exc}"
        raise DivergenceError(msg) from None
    return value


def _fields(kind: str, data: Mapping[str, Any], where: str) -> dict[str, Any]:
    found = {}
    for key in COMPARED[kind]:
        if key not in data:
            msg = f"{where}: the key {show(key)} is missing"
            raise DivergenceError(msg)
        found[key] = _normal(key, data[key], f"{where}.{key}")
    return found


def observe(snapshot: Snapshot) -> dict[str, Any]:
    """Reduce a snapshot to the compared values (:data:`COMPARED`), parsed: instants, Decimals.

    Raise :class:`DivergenceError` when a compared key is missing or unreadable.
    """
    members: dict[str, Any] = {}
    for profile_id, state in snapshot["members"].items():
        members[profile_id] = {
            part: [
                _fields(part, item, f"members[{show(profile_id)}].{part}[{index}]")
                for index, item in enumerate(items)
            ]
            for part, items in (
                ("benefits", state["benefits"]),
                ("rewards", state["rewards"]),
                ("credits", state["credits"]),
            )
        }
    definitions = {
        handle: _fields("definitions", data, f"definitions[{show(handle)}]")
        for handle, data in snapshot["definitions"].items()
    }
    return {"definitions": definitions, "members": members}


def _observed(model: Model) -> dict[str, Any]:
    """Return what :func:`observe` gives for ``model.snapshot()``, read from the values directly."""
    parts: dict[str, Kind] = {"benefits": "benefit", "rewards": "reward", "credits": "credit"}
    return {
        "definitions": {
            d.handle: {key: getattr(d, key) for key in COMPARED["definitions"]}
            for d in model.definitions
        },
        "members": {
            m.profile_id: {
                part: [
                    {key: getattr(item, key) for key in COMPARED[part]} for item in m.items(kind)
                ]
                for part, kind in parts.items()
            }
            for m in model.members
        },
    }


def _differences(service: Any, model: Any, where: str) -> list[str]:
    """Every place where ``service`` differs from ``model``: ``path: model X, service Y``."""
    if isinstance(service, dict) and isinstance(model, dict):
        if set(service) != set(model):
            return [
                f"{where}: model has keys {show(sorted(model))}, service {show(sorted(service))}"
            ]
        # Handles and profile ids in brackets, parts and fields after a dot.
        keyed = where.endswith(("definitions", "members"))
        return [
            line
            for key in model
            for line in _differences(
                service[key], model[key], f"{where}[{show(key)}]" if keyed else f"{where}.{key}"
            )
        ]
    if isinstance(service, list) and isinstance(model, list):
        if len(service) != len(model):
            return [f"{where}: model holds {len(model)} items, service {len(service)}"]
        return [
            line
            for index, (mine, theirs) in enumerate(zip(service, model, strict=True))
            for line in _differences(mine, theirs, f"{where}[{index}]")
        ]
    if service != model:
        return [f"{where}: model {show(model)}, service {show(service)}"]
    return []


# --- the state machine ---------------------------------------------------------------------------

_START: Final = datetime(2026, 1, 1, tzinfo=UTC)
_TIMEFRAMES: Final = ("day", "week", "month", "2 days")


def _window(draw: st.DrawFn, at: datetime) -> dict[str, Any]:
    """A claim window and an end (CLM-5 to CLM-7), a timeframe (CLM-11) and allocations (CLM-13)."""
    fields: dict[str, Any] = {}
    # Two definitions in three have a window closing within two weeks, half of them within a
    # day (CLM-6).
    closes = st.integers(1, 24) | st.integers(25, 24 * 14)
    end = draw(st.none() | closes, label="claim window ends (hours)")
    start = draw(st.none() | st.integers(-48, 48), label="claim window starts (hours)")
    if end is not None:
        fields["claim_period_end_at"] = at + timedelta(hours=end)
    if start is not None and (end is None or start < end):
        fields["claim_period_start_at"] = at + timedelta(hours=start)
    ends = draw(st.none() | st.integers(1, 24 * 20), label="end_at (hours)")
    if ends is not None:  # after the window closes, so that each bound decides on its own
        fields["end_at"] = at + timedelta(hours=ends + (end or 0))
    timeframe = draw(st.none() | st.sampled_from(_TIMEFRAMES), label="claim_timeframe")
    if timeframe is not None:
        fields["claim_timeframe"] = timeframe
    allocations = draw(st.none() | st.integers(2, 6), label="allocations")
    if allocations is not None:
        fields |= {
            "force_allocation": True,
            "total_allocations": allocations,
            "total_allocations_remaining": allocations,
        }
    return fields


def _global_counters(draw: st.DrawFn) -> dict[str, Any]:
    # A global cap of 2 to 4, of which all but two may already be used by members who are not
    # in the model (a definition in use): the cap is reached within a redemption or two, and
    # claims stay open until it is (CLM-12).
    cap = draw(st.integers(2, 4))
    return {
        "max_global_redemptions": cap,
        "total_global_redemptions": draw(st.integers(0, cap - 2)),
    }


def _extended_before(at: datetime) -> st.SearchStrategy[datetime | None]:
    """Whether an item starts already extended, a day ago (EXT-3: not again); shrinks to not."""
    return st.sampled_from((None, at - timedelta(days=1)))


@st.composite
def _start_model(draw: st.DrawFn, members: int, definitions: int, kinds: tuple[Kind, ...]) -> Model:
    at = _START + timedelta(hours=draw(st.integers(0, 24 * 365)))
    found = tuple(
        lc.BenefitDefinition(
            id=number,
            handle=f"def-{number}",
            is_claimable=True,
            is_published=True,
            is_assignable=True,
            is_reclaimable=draw(st.booleans()),
            is_extendable=draw(st.booleans()),
            allow_user_redeem=draw(st.booleans()),
            period=draw(st.sampled_from((30, 7, 60, 1))),
            max_redemptions=draw(st.integers(2, 3)),
            **_global_counters(draw),
            **_window(draw, at),
        )
        for number in range(1, definitions + 1 if "benefit" in kinds else 1)
    )
    reward_ids = iter(range(1, 1000))
    credit_ids = iter(range(1, 1000))
    people = []
    for number in range(1, members + 1):
        profile_id = f"p-{number}"
        rewards = [
            lc.Reward(
                id=next(reward_ids),
                profile_id=profile_id,
                timezone=draw(st.sampled_from(ZONES)),
                value_initial=Decimal(draw(st.integers(1, 30))),
                issued_at=at - timedelta(days=draw(st.integers(0, 10))),
                expires_at=draw(
                    st.none() | st.integers(1, 40).map(lambda d: at + timedelta(days=d))
                ),
                definition=lc.RewardDefinition(is_extendable=draw(st.booleans())),
                extended_at=draw(_extended_before(at)),
            )
            for _ in range(draw(st.integers(0, 3)) if "reward" in kinds else 0)
        ]
        held = [
            lc.Credit(
                id=next(credit_ids),
                profile_id=profile_id,
                timezone=draw(st.sampled_from(ZONES)),
                value_initial=Decimal(draw(st.integers(5, 50))),
                issued_at=at - timedelta(days=1),
                expires_at=at + timedelta(days=draw(st.integers(1, 40))),
                definition=lc.CreditDefinition(
                    is_extendable=draw(st.booleans()), is_reassignable=draw(st.booleans())
                ),
                extended_at=draw(_extended_before(at)),
            )
            for _ in range(draw(st.integers(0, 1)) if "credit" in kinds else 0)
        ]
        people.append(Member(profile=lc.Profile(id=profile_id), rewards=rewards, credits=held))
    model = Model(at=at, definitions=found, members=people)
    # Some members start holding a claimed benefit, so that redemptions can begin at once; the
    # last one (with more than one member) is a newcomer who holds none, so that someone can
    # always claim and a claim's window alone can decide (CLM-5 to CLM-7).
    for member in people[:-1] if len(people) > 1 else people:
        for definition in found:
            if draw(st.booleans()):  # one in two (shrinks to holding none)
                zone = draw(st.sampled_from(ZONES))
                model, _ = model.claim(definition.handle or "", member.profile_id, zone)
    return attrs.evolve(model, refusals=())


def start_models(
    *, members: int = 3, definitions: int = 3, kinds: Iterable[Kind] = KINDS
) -> st.SearchStrategy[Model]:
    """Draw a starting :class:`Model` with ``members`` members and ``definitions`` definitions.

    Definitions ``def-1``, ``def-2``, … are claimable, published and assignable, with a
    global cap of 2 to 4 of which all but two may already be used,
    ``max_redemptions`` 2 or 3 and a period of 30, 7, 60 or 1 days;
    whether they are reclaimable, extendable and redeemable by the customer varies; most have
    a claim window closing within 14 days (CLM-5, CLM-6), and some an ``end_at`` up to 20 days
    after that (CLM-7), a claim timeframe (CLM-11) or 2 to 6 forced allocations (CLM-13).
    Members ``p-1``, … hold 0 to 3 rewards and 0 or 1 credit in the :data:`ZONES`, some
    expiring within 40 days and some already extended once, and each member but the last (a
    newcomer) holds a claimed benefit of each definition one time in two. The
    clock starts in 2026.

    Only the ``kinds`` given are held: without ``"benefit"`` there are no definitions, without
    ``"reward"`` or ``"credit"`` no rewards or credits (a scoped machine passes its kinds).
    Shrinks towards members holding nothing, definitions with no window, end, timeframe or
    allocations, not reclaimable, extendable or user-redeemable, with period 30, two
    redemptions each and a global cap of 2, at 2026-01-01 00:00:00Z.
    """
    chosen = tuple(kind for kind in KINDS if kind in set(kinds))
    return _start_model(members, definitions, chosen)


NUDGES: Final[tuple[timedelta, ...]] = (
    timedelta(microseconds=1),
    timedelta(0),
    timedelta(seconds=1),
    -timedelta(microseconds=1),
)
"""How far past a boundary the clock jumps: 1 µs, exactly on it, 1 s, or 1 µs before it."""

_NUDGE: Final = st.sampled_from((NUDGES[0], *NUDGES))
"""A nudge, 1 µs past the boundary twice as often as the others (where most off-by-ones show)."""


def boundaries(model: Model) -> list[datetime]:
    """Return the instants after ``model.at`` where an answer may change, earliest first.

    Every item's ``expires_at``, each credit's lock end and release (CRD-3), each definition's
    claim window bounds, ``end_at`` and ``absolute_expiry``, and the next local midnight and
    DST transition of every zone the items and :data:`ZONES` use; a boundary already passed by
    less than a second is kept, so that the machine can still step to just after it.

    >>> from datetime import UTC, datetime
    >>> from loyalty_core import Credit, Profile
    >>> model = Model(at=datetime(2026, 1, 1, 12, tzinfo=UTC), members=(Member(
    ...     profile=Profile(id="p-1"), credits=(Credit(value_initial=5, timezone="UTC",
    ...     expires_at=datetime(2026, 1, 1, 18, tzinfo=UTC)),)),))
    >>> [str(b) for b in boundaries(model)[:2]]  # Melbourne's midnight, then the expiry
    ['2026-01-01 13:00:00+00:00', '2026-01-01 18:00:00+00:00']
    """
    items = [instant for instant, _ in _item_boundaries(model)]
    return sorted({*items, *_zone_boundaries(model)})


_Focus = tuple[str, str, int]
"""What a boundary belongs to: ``("definition", handle, 0)``, ``("benefit", owner, index)``, or
``("item", "", 0)`` for another item's (which no rule aims at)."""
_NO_FOCUS: Final[_Focus] = ("", "", 0)
_TOWARDS: Final = ("definition", "benefit", "item", "zone")
CLAIM_BOUNDS: Final = ("claim_period_start_at", "claim_period_end_at", "end_at")
"""The definition fields whose instant decides a claim (CLM-5 to CLM-7): the bounds that
:meth:`LoyaltyStateMachine.claim_at_boundary` aims at, one kind at a time."""
_NEAR: Final = st.integers(0, 1) | st.integers(0, 7)
"""A choice among boundaries, nearest first, mostly one of the nearest two."""
_ZONE: Final = st.sampled_from(ZONES)
_STEPS: Final = (timedelta(microseconds=1), timedelta(seconds=1))
"""How far past a claim bound (or before a window's start) the refused-side claim is made."""
_CHANNEL: Final = st.sampled_from(CHANNELS)


def _item_boundaries(model: Model) -> list[tuple[datetime, _Focus]]:
    found: list[tuple[datetime | None, _Focus]] = []
    for definition in model.definitions:
        focus = ("definition", definition.handle or "", 0)
        found.extend(
            (instant, focus)
            for instant in (
                definition.claim_period_start_at,
                definition.claim_period_end_at,
                definition.end_at,
                definition.absolute_expiry,
            )
        )
    for member in model.members:
        found.extend(
            (b.expires_at, ("benefit", member.profile_id, index))
            for index, b in enumerate(member.benefits)
        )
        other: _Focus = ("item", "", 0)
        found.extend((reward.expires_at, other) for reward in member.rewards)
        found.extend((credit.expires_at, other) for credit in member.credits)
        for credit in member.credits:
            found.append((credit.lock_expires_at, other))
            found.append((lc.release_at(credit), other))
    late = model.at - timedelta(seconds=1)
    kept = {(i, f) for i, f in found if i is not None and i > late}
    return sorted(kept)


def _zone_boundaries(model: Model) -> list[datetime]:
    zones = set(ZONES)
    for member in model.members:
        for kind in KINDS:
            zones.update(i.timezone for i in member.items(kind) if i.timezone is not None)
    found: set[datetime | None] = set()
    at = model.at
    for zone in sorted(zones):
        tz = ZoneInfo(zone)
        tomorrow = at.astimezone(tz).date() + timedelta(days=1)
        found.add(datetime.combine(tomorrow, time(), tzinfo=tz).astimezone(UTC))
        found.add(next((t.at for t in transitions(zone) if t.at > at), None))
    return sorted(instant for instant in found if instant is not None)


_PICK: Final = st.integers(0, 9)
"""A choice among the current members or items, taken modulo their number (shrinks to 0)."""

_DELTAS: Final = st.one_of(
    st.integers(1, 120).map(lambda n: timedelta(minutes=n)),
    st.integers(1, 48).map(lambda n: timedelta(hours=n)),
    st.integers(1, 6).map(lambda n: timedelta(days=n)),
)
"""A clock advance: minutes, hours or days (shrinks to one minute); :meth:`LoyaltyStateMachine.jump`
goes further, to the next boundary."""

_REASSIGN: Final = st.fixed_dictionaries({"profile_id": st.integers(0, 2)})
"""The everyday Edit Credit body of a service that moves credits: a new owner alone."""

_EDITS: Final = _REASSIGN | st.fixed_dictionaries(
    {},
    optional={
        "value_remaining": st.decimals(
            min_value=0, max_value=60, places=2, allow_nan=False, allow_infinity=False
        ).map(str),
        "locked": st.booleans(),
        "lock_expires_at": st.none() | st.integers(-48, 24 * 30),
        "expires_at": st.none() | st.integers(-48, 24 * 60),
        "profile_id": st.integers(0, 2),
    },
)
"""An Edit Credit body: half the time a new owner alone (CRD-17), otherwise any of the fields.
Instants are drawn as hour offsets from the clock and written out later, and a new owner as the
position of a member."""

_EXTEND_HOW: Final = st.one_of(
    st.tuples(st.just("days"), st.integers(1, 30)),
    st.tuples(st.just("instant"), st.integers(-48, 24 * 60)),
    st.tuples(st.just("wall"), st.integers(-2, 60)),
)


def _allowed(operation: str) -> Any:
    """A precondition: the machine's scope includes ``operation`` (and it has been started)."""

    def check(machine: LoyaltyStateMachine) -> bool:
        return operation in machine.scope.operations

    return check


class LoyaltyStateMachine(RuleBasedStateMachine):
    """Drive a service and the reference :class:`Model` with the same random operations.

    Subclass it, implement :meth:`make_adapter`, and expose ``TestCase`` to pytest::

        class MyServiceMachine(LoyaltyStateMachine):
            def make_adapter(self, start: Model) -> Adapter:
                return MyServiceAdapter(start)

        TestMyService = MyServiceMachine.TestCase

    Each run starts from a model drawn by :meth:`start_models` (override it to start from your
    own definitions and profiles, e.g. ``st.just(model)``) and performs claims, redemptions,
    returns, extensions, rewards redemptions, credit edits and clock moves: random advances,
    and jumps to the instants where answers change (:func:`boundaries`, nudged by
    :data:`NUDGES`). After each operation the service must have accepted exactly what the
    model accepted (a redemption of an expired benefit is refused by both), and after every
    step its :meth:`Adapter.state` must equal the model's on the :data:`COMPARED` keys and
    keep the invariants: no global redemption count above its cap, no negative count or value,
    no item extended twice. A failure raises :class:`DivergenceError`, whose message starts
    with the failing step and lists the diverging fields; hypothesis shrinks it to a short
    program.

    Set :attr:`operations` (or use :meth:`scoped`) to test a service that does only some of
    the operations: the others are never called, and the start models hold only the kinds of
    item those operations use.
    """

    operations: ClassVar[Iterable[str]] = OPERATIONS
    """The operations and families to perform (:func:`scope`): every operation by default."""

    def __init__(self) -> None:
        """Start empty: the initialize rule draws the starting model and builds the adapter."""
        super().__init__()
        self.scope: Scope = scope(type(self).operations)
        self._model: Model | None = None
        self._adapter: BaseAdapter | None = None
        self._baselines: dict[tuple[str, int], int] = {}
        self._initial_totals: dict[str, int] = {}
        self._extended: dict[str, Any] = {}
        self._steps = 0
        self._last = "the start"

    @classmethod
    def scoped(cls, operations: Iterable[str]) -> type[Self]:
        """Return a subclass that performs only ``operations`` (names or :data:`FAMILIES`).

        >>> machine = LoyaltyStateMachine.scoped({"claim", "redeem"})
        >>> sorted(machine().scope.operations), machine().scope.kinds
        (['claim', 'redeem'], ('benefit',))
        """
        chosen = scope(operations)  # checks the names now, not at the first run
        attributes = {
            "operations": chosen.operations,
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__,
        }
        return type(cls.__name__, (cls,), attributes)

    # --- the parts a service provides ---------------------------------------------------------

    def make_adapter(self, start: Model) -> BaseAdapter:
        """Return an adapter for a fresh system seeded with ``start``'s state (override this).

        Seed the system with ``start.definitions``, each member's profile, rewards and credits
        (``to_api()`` gives their JSON), and set its clock to ``start.at``. A scoped machine
        calls only the :class:`Adapter` methods of its operations, besides ``advance`` and
        ``state``.
        """
        raise NotImplementedError

    def start_models(self) -> st.SearchStrategy[Model]:
        """Return the strategy for the starting model: :func:`start_models` of the scope's kinds."""
        return start_models(kinds=self.scope.kinds)

    # --- helpers ---------------------------------------------------------------------------------

    @property
    def model(self) -> Model:
        """The reference model after the last step."""
        if self._model is None:
            msg = "the machine has not been initialised"
            raise RuntimeError(msg)
        return self._model

    @property
    def adapter(self) -> Adapter:
        """The adapter of the service under test (only the scope's methods are called)."""
        if self._adapter is None:
            msg = "the machine has not been initialised"
            raise RuntimeError(msg)
        return cast("Adapter", self._adapter)

    def fail(self, message: str) -> NoReturn:
        """Raise :class:`DivergenceError` for the last step: its number, call and instant first."""
        __tracebackhide__ = True
        at = show(self._model.at) if self._model is not None else "the start"
        msg = f"step {self._steps}, {self._last} at {at}: {message}"
        raise DivergenceError(msg)

    def _member(self, pick: int, *, having: Kind | None = None) -> Member | None:
        members = [m for m in self.model.members if having is None or m.items(having)]
        return members[pick % len(members)] if members else None

    def _call(self, call: str) -> None:
        self._steps += 1
        self._last = call

    def _agree(self, outcome: Outcome, *, service_accepted: bool) -> None:
        __tracebackhide__ = True
        if outcome.accepted != service_accepted:
            said = "accepted" if service_accepted else "refused or rejected"
            self.fail(f"the model {outcome.describe()}, but the service {said} it")

    def _step(self, model: Model, outcome: Outcome) -> Outcome:
        self._model = model
        return outcome

    def _hours(self, hours: int) -> str:
        return clock.format_instant(self.model.at + timedelta(hours=hours))

    # --- rules -----------------------------------------------------------------------------------

    @initialize(data=st.data())
    def begin(self, data: st.DataObject) -> None:
        """Draw the starting model and build the service's adapter from it."""
        start = data.draw(self.start_models(), label="start")
        self._model = start
        self._adapter = self.make_adapter(start)
        self._initial_totals = {
            d.handle or "": d.total_global_redemptions for d in start.definitions
        }
        for member in start.members:
            for index, benefit in enumerate(member.benefits):
                if benefit.redemptions_remaining is not None:
                    self._baselines[member.profile_id, index] = benefit.redemptions_remaining

    @precondition(_allowed("claim"))
    @rule(pick_definition=_PICK, pick_member=_PICK, timezone=st.sampled_from(ZONES))
    def claim(self, pick_definition: int, pick_member: int, timezone: str) -> None:
        """Claim a definition for a member in a zone, in the model and the service."""
        definitions = self.model.definitions
        member = self._member(pick_member)
        if not definitions or member is None:
            return
        handle = definitions[pick_definition % len(definitions)].handle or ""
        self._call(f"claim({show(handle)}, {show(member.profile_id)}, {show(timezone)})")
        outcome = self._step(*self.model.claim(handle, member.profile_id, timezone))
        got = self.adapter.claim(handle, member.profile_id, timezone)
        self._agree(outcome, service_accepted=got is not None)
        if outcome.accepted:
            benefit = outcome.items[0]
            index = len(self.model.member(member.profile_id).benefits) - 1
            if isinstance(benefit, lc.Benefit) and benefit.redemptions_remaining is not None:
                self._baselines[member.profile_id, index] = benefit.redemptions_remaining

    def _holds(self, kind: Kind) -> bool:
        return self._model is not None and any(m.items(kind) for m in self._model.members)

    @precondition(lambda self: "redeem" in self.scope.operations and self._holds("benefit"))
    @rule(
        pick_member=_PICK,
        pick_benefit=_PICK,
        count=st.integers(1, 3),
        channel=st.sampled_from(CHANNELS),
    )
    def redeem(self, pick_member: int, pick_benefit: int, count: int, channel: Channel) -> None:
        """Redeem 1 to 3 of a member's benefit through any channel."""
        self._redeem(pick_member, pick_benefit, count, channel)

    @precondition(lambda self: "redeem" in self.scope.operations and self._holds("benefit"))
    @rule(pick_member=_PICK, pick_benefit=_PICK, channel=st.sampled_from(("staff", "customer")))
    def redeem_one(self, pick_member: int, pick_benefit: int, channel: Channel) -> None:
        """Redeem one at the till or in the app: the everyday request, made often (RED-6)."""
        self._redeem(pick_member, pick_benefit, 1, channel)

    @precondition(lambda self: "redeem" in self.scope.operations and self._holds("benefit"))
    @rule(pick=_PICK, count=st.integers(1, 2))
    def redeem_shared(self, pick: int, count: int) -> None:
        """Two members redeem their benefits of one definition, one after the other (RED-9, RED-10).

        The second redemption reads the global counters the first one moved: a service that
        keeps a stale copy of the definition, or forgets the global cap, answers it wrongly.
        """
        holders: dict[str, list[tuple[int, int]]] = {}
        members = [m for m in self.model.members if m.benefits]
        for position, member in enumerate(members):
            for index, benefit in enumerate(member.benefits):
                held = holders.setdefault(benefit.definition.handle or "", [])
                if all(position != seen for seen, _ in held):
                    held.append((position, index))
        shared = [held for held in holders.values() if len(held) > 1]
        if not shared:
            return
        chosen = shared[pick % len(shared)]
        for position, index in chosen[:2]:
            self._redeem(position, index, count, "staff")

    def _redeem(self, pick_member: int, pick_benefit: int, count: int, channel: Channel) -> None:
        # Checks that an expired benefit is refused by both (EXP-1, RED-5).
        member = self._member(pick_member, having="benefit")
        if member is None:
            return
        index = pick_benefit % len(member.benefits)
        self._call(
            f"redeem({show(member.profile_id)}, {index}, count={count}, channel={show(channel)})"
        )
        expires_at = member.benefits[index].expires_at
        expired = lc.is_expired(expires_at, self.model.at)
        outcome = self._step(*self.model.redeem(member.profile_id, index, count, channel))
        got = self.adapter.redeem(member.profile_id, index, count, channel)
        if expired and got is not None:
            self.fail(f"the service redeemed a benefit that expired at {show(expires_at)}")
        self._agree(outcome, service_accepted=got is not None)

    @precondition(
        lambda self: (
            "redeem" in self.scope.operations
            and self._holds("benefit")
            and self._model is not None
            and len(self._model.members) > 1
        )
    )
    @rule(pick_owner=_PICK, pick_benefit=_PICK, pick_other=_PICK, channel=_CHANNEL)
    def redeem_for_another(
        self, pick_owner: int, pick_benefit: int, pick_other: int, channel: Channel
    ) -> None:
        """Redeem one of a member's benefit with another member's profile in the request (RED-15).

        The model refuses it with ``not_owned`` (when nothing else refuses it first); so must
        the service.
        """
        owner = self._member(pick_owner, having="benefit")
        if owner is None:
            return
        others = [m for m in self.model.members if m.profile_id != owner.profile_id]
        requester = others[pick_other % len(others)].profile_id
        index = pick_benefit % len(owner.benefits)
        self._call(
            f"redeem({show(requester)}, {index}, count=1, channel={show(channel)}, "
            f"owner={show(owner.profile_id)})"
        )
        outcome = self._step(
            *self.model.redeem(requester, index, 1, channel, owner=owner.profile_id)
        )
        got = self.adapter.redeem(requester, index, 1, channel, owner=owner.profile_id)
        self._agree(outcome, service_accepted=got is not None)

    def _redeemed(self) -> list[tuple[Member, int]]:
        if self._model is None:
            return []
        return [
            (member, index)
            for member in self._model.members
            for index, benefit in enumerate(member.benefits)
            if benefit.redemptions_remaining is not None
            and benefit.definition.max_redemptions is not None
            and benefit.redemptions_remaining < benefit.definition.max_redemptions
        ]

    @precondition(lambda self: "return" in self.scope.operations and bool(self._redeemed()))
    @rule(pick=_PICK, count=st.integers(1, 3))
    def return_(self, pick: int, count: int) -> None:
        """Return redemptions of a redeemed benefit (more than were redeemed is bad input)."""
        candidates = self._redeemed()
        member, index = candidates[pick % len(candidates)]
        self._call(f"return_({show(member.profile_id)}, {index}, count={count})")
        outcome = self._step(*self.model.return_(member.profile_id, index, count))
        got = self.adapter.return_(member.profile_id, index, count)
        self._agree(outcome, service_accepted=got is not None)

    @precondition(_allowed("extend"))
    @rule(
        pick_kind=st.integers(0, 2),
        pick_member=_PICK,
        refs=st.lists(st.tuples(_PICK, _PICK), min_size=1, max_size=3),
        how=_EXTEND_HOW,
    )
    def extend(
        self, pick_kind: int, pick_member: int, refs: list[tuple[int, int]], how: tuple[str, int]
    ) -> None:
        """Extend some items of one kind (mostly the member's own) by days or to a date."""
        kind = self.scope.kinds[pick_kind % len(self.scope.kinds)]
        member = self._member(pick_member)
        if member is None:
            return
        members = self.model.members
        start = members.index(member)
        named: list[ItemRef] = []
        ids: list[int] = []
        for offset, pick in refs:
            # An offset of 0 (what it shrinks to) names the member's own items.
            owner = members[(start + offset % 2) % len(members)]
            items = owner.items(kind)
            if items and items[pick % len(items)].id is not None:
                named.append((owner.profile_id, pick % len(items)))
                ids.append(items[pick % len(items)].id or 0)
        if not named:
            return
        days: int | None = None
        date: str | None = None
        if how[0] == "days":
            days = how[1]
        elif how[0] == "instant":
            date = self._hours(how[1])
        else:  # a wall time in each item's zone (EXT-8)
            date = (self.model.at + timedelta(days=how[1])).strftime("%Y-%m-%d 23:59:59")
        self._call(
            f"extend({show(member.profile_id)}, {show(kind)}, {show(named)}, {show(days)}, "
            f"{show(date)})"
        )
        outcome = self._step(
            *self.model.extend(member.profile_id, kind, ids, extend_days=days, extend_date=date)
        )
        got = self.adapter.extend(member.profile_id, kind, named, days, date)
        self._agree(outcome, service_accepted=got is not None)
        if got is not None and len(got) != len(outcome.items):
            self.fail(f"the service extended {len(got)} items, the model {len(outcome.items)}")

    @precondition(_allowed("redeem_rewards"))
    @rule(
        pick_member=_PICK,
        amount=st.decimals(
            min_value=Decimal("0.01"),
            max_value=40,
            places=2,
            allow_nan=False,
            allow_infinity=False,
        ),
        strict=st.booleans(),
    )
    def redeem_rewards(self, pick_member: int, amount: Decimal, strict: bool) -> None:  # noqa: FBT001 - a hypothesis argument
        """Redeem an amount from a member's rewards, strictly or as far as the balance goes."""
        member = self._member(pick_member)
        if member is None:
            return
        self._call(f"redeem_rewards({show(member.profile_id)}, {amount}, strict={strict})")
        outcome = self._step(*self.model.redeem_rewards(member.profile_id, amount, strict=strict))
        got = self.adapter.redeem_rewards(member.profile_id, amount, strict=strict)
        self._agree(outcome, service_accepted=got is not None)
        if got is not None and Decimal(got) != outcome.redeemed:
            self.fail(f"the service redeemed {got}, the model {outcome.redeemed}")

    @precondition(lambda self: "edit_credit" in self.scope.operations and self._holds("credit"))
    @rule(pick_member=_PICK, pick_credit=_PICK, edits=_EDITS)
    def edit_credit(self, pick_member: int, pick_credit: int, edits: dict[str, Any]) -> None:
        """Edit a member's credit: value, lock, expiry and owner (CRD-14 to CRD-17).

        A value above the initial, or a new owner of a credit that is not reassignable, is bad
        input.
        """
        member = self._member(pick_member, having="credit")
        if member is None:
            return
        index = pick_credit % len(member.credits)
        members = self.model.members
        changes = {
            key: self._hours(value) if key.endswith("_at") and value is not None else value
            for key, value in edits.items()
        }
        if "profile_id" in changes:
            changes["profile_id"] = members[edits["profile_id"] % len(members)].profile_id
        self._call(f"edit_credit({show(member.profile_id)}, {index}, {show(changes)})")
        outcome = self._step(*self.model.edit_credit(member.profile_id, index, changes))
        got = self.adapter.edit_credit(member.profile_id, index, changes)
        self._agree(outcome, service_accepted=got is not None)

    def _jump_to(self, boundary: datetime, nudge: timedelta) -> None:
        to = boundary + nudge
        if to <= self.model.at:
            to = self.model.at + timedelta(microseconds=1)
        self._call(f"jump({show(to)})")
        self._step(*self.model.advance(to))
        self.adapter.advance(to)

    def _aimed(self, owner: str, pick: int) -> tuple[datetime, _Focus] | None:
        found = [(i, focus) for i, focus in _item_boundaries(self.model) if focus[0] == owner]
        return found[pick % len(found)] if found else None

    @precondition(_allowed("claim"))
    @rule(
        bound=st.sampled_from(CLAIM_BOUNDS),
        pick=_NEAR,
        step=st.sampled_from(_STEPS),
        pick_member=_PICK,
        timezone=_ZONE,
    )
    def claim_at_boundary(
        self, bound: str, pick: int, step: timedelta, pick_member: int, timezone: str
    ) -> None:
        """Claim a definition on both sides of its ``bound`` (CLM-5 to CLM-7).

        ``bound`` is one of :data:`CLAIM_BOUNDS`; the definition is one that has it still ahead,
        nearest first (another bound when none has). The clock jumps to the refused side first
        and then to the bound itself for the window's start (``start - step``, ``start``), and
        to the bound and then past it for an end (``end``, ``end + step``), ``step`` being 1 µs
        or 1 s. Each claim is made by a member whose claim the model accepts at the bound
        itself, when there is one, so that the bound alone decides; the refused side's claim is
        always made, the other only by a second such member.
        """
        late = self.model.at - timedelta(seconds=1)
        having: list[tuple[datetime, str, str]] = []
        for name in (bound, *CLAIM_BOUNDS):  # another bound when none has this one
            having = sorted(
                (instant, d.handle or "", name)
                for d in self.model.definitions
                if (instant := getattr(d, name)) is not None and instant > late
            )
            if having:
                break
        if not having:
            return
        boundary, handle, name = having[pick % len(having)]
        at_bound = self.model if boundary <= self.model.at else self.model.advance(boundary)[0]
        able = [
            index
            for index, member in enumerate(at_bound.members)
            if at_bound.claim(handle, member.profile_id, timezone)[1].accepted
        ]
        decisive = able[pick_member % len(able)] if able else pick_member
        other = [index for index in able if index != decisive]
        plan: list[tuple[datetime, int | None]]
        if name == "claim_period_start_at":  # refuses before the bound
            plan = [(boundary - step, decisive), (boundary, decisive)]
        else:  # refuses after the bound
            plan = [(boundary, other[0] if other else None), (boundary + step, decisive)]
        handles = [d.handle for d in self.model.definitions]
        for instant, member in plan:
            if member is None or instant <= self.model.at:
                continue
            self._jump_to(instant, timedelta(0))
            self.claim(handles.index(handle), member, timezone)

    @precondition(_allowed("redeem"))
    @rule(pick=_NEAR, nudge=_NUDGE, channel=st.sampled_from(CHANNELS))
    def redeem_at_boundary(self, pick: int, nudge: timedelta, channel: Channel) -> None:
        """Jump to a benefit's expiry (nudged), then redeem one of it (EXP-1, RED-5)."""
        aimed = self._aimed("benefit", pick)
        if aimed is None:
            return
        boundary, (_, owner, index) = aimed
        self._jump_to(boundary, nudge)
        members = [m for m in self.model.members if m.benefits]
        self._redeem(members.index(self.model.member(owner)), index, 1, channel)

    @rule(delta=_DELTAS)
    def advance(self, delta: timedelta) -> None:
        """Move both clocks forward by minutes, hours or days."""
        to = self.model.at + delta
        self._call(f"advance({show(to)})")
        self._step(*self.model.advance(to))
        self.adapter.advance(to)

    @rule(towards=st.sampled_from(_TOWARDS), pick=_NEAR, nudge=_NUDGE)
    def jump(self, towards: str, pick: int, nudge: timedelta) -> None:
        """Move both clocks to a boundary (:func:`boundaries`), nudged by 1 µs, 0 or 1 s.

        Where a rule compares instants, the answer changes at the boundary: an off-by-one
        service is wrong within a second of it, where random advances rarely land. ``towards``
        chooses the kind of boundary (a definition's window bounds and end, a benefit's expiry,
        another item's expiry, lock or release, or a zone's midnight or DST transition) and
        ``pick`` one of them, nearest first. :meth:`claim_at_boundary` and
        :meth:`redeem_at_boundary` jump and then act on the boundary's owner.
        """
        zones = [(instant, _NO_FOCUS) for instant in _zone_boundaries(self.model)]
        if towards == "zone":
            found = zones
        else:
            found = [b for b in _item_boundaries(self.model) if b[1][0] == towards]
        found = found or [*_item_boundaries(self.model), *zones]
        if found:
            self._jump_to(found[pick % len(found)][0], nudge)

    # --- invariants ------------------------------------------------------------------------------

    @invariant()
    def service_matches_model(self) -> None:
        """Check the service's state: the invariants first, then equality with the model."""
        __tracebackhide__ = True
        if self._model is None or self._adapter is None:
            return
        service = observe(self.adapter.state())
        expected = _observed(self.model)
        self._check_invariants(service)
        found = _differences(service, expected, "")
        if found:
            shown = found[:_SHOWN_DIFFERENCES]
            if len(found) > len(shown):
                shown.append(f"... and {len(found) - len(shown)} more")
            lines = "\n".join(f"  {line.removeprefix('.')}" for line in shown)
            fields = "1 field" if len(found) == 1 else f"{len(found)} fields"
            self.fail(f"the service's state differs from the model's in {fields}:\n{lines}")

    def _check_invariants(self, service: Mapping[str, Any]) -> None:
        __tracebackhide__ = True
        for profile_id, parts in service.get("members", {}).items():
            for part, items in parts.items():
                for index, item in enumerate(items):
                    where = f"members[{show(profile_id)}].{part}[{index}]"
                    for key in ("redemptions_remaining", "value_remaining", "value_initial"):
                        value = item.get(key)
                        if value is not None and value < 0:
                            self.fail(f"{where}.{key} is negative: {value}")
                    self._check_extended_once(where, item.get("extended_at"))
        for handle, counters in service.get("definitions", {}).items():
            for key, value in counters.items():
                if value is not None and value < 0:
                    self.fail(f"definitions[{show(handle)}].{key} is negative: {value}")
        self._check_caps(service)

    def _check_extended_once(self, where: str, extended_at: Any) -> None:
        __tracebackhide__ = True
        if extended_at is None:
            return
        seen = self._extended.setdefault(where, extended_at)
        if seen != extended_at:
            self.fail(f"{where} was extended twice: at {show(seen)} and at {show(extended_at)}")

    def _check_caps(self, service: Mapping[str, Any]) -> None:
        __tracebackhide__ = True
        used = dict(self._initial_totals)
        for member in self.model.members:
            benefits = service.get("members", {}).get(member.profile_id, {}).get("benefits", [])
            for index, (benefit, seen) in enumerate(zip(member.benefits, benefits, strict=False)):
                baseline = self._baselines.get((member.profile_id, index))
                remaining = seen.get("redemptions_remaining")
                if baseline is not None and remaining is not None:
                    handle = benefit.definition.handle or ""
                    used[handle] = used.get(handle, 0) + baseline - remaining
        for definition in self.model.definitions:
            cap = definition.max_global_redemptions
            handle = definition.handle or ""
            counted = service.get("definitions", {}).get(handle, {})
            total = counted.get("total_global_redemptions")
            for what, value in (("its counter", total), ("its members' benefits", used[handle])):
                if cap is not None and value is not None and value > cap:
                    self.fail(
                        f"definition {show(handle)}: {value} redemptions by {what}, above "
                        f"max_global_redemptions {cap}"
                    )
