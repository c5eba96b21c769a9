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

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, Protocol

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
from loyalty_core.limits import show

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
)
from loyalty_core.payloads import parse_instant
from loyalty_core.redemptions import CHANNELS

__all__ = [
    "COMPARED",
    "ZONES",
    "Adapter",
    "Channel",
    "DivergenceError",
    "ItemRef",
    "Kind",
    "LoyaltyStateMachine",
    "Member",
    "MemberState",
    "Model",
    "Outcome",
    "Snapshot",
    "observe",
    "start_models",
]

ZONES: Final = ("UTC", "Australia/Melbourne", "America/New_York", "Europe/London")
"""The zones the machine claims in and gives rewards and credits: a DST flip on either side."""

COMPARED: Final[Mapping[str, tuple[str, ...]]] = {
    # The start models use no allocations, so a definition's allocations never change here.
    "definitions": tuple(
        name for name in STATE_FIELDS["definition"] if name != "total_allocations_remaining"
    ),
    **{f"{kind}s": STATE_FIELDS[kind] for kind in KINDS},
}
"""The JSON keys :func:`observe` reads from each part of a :class:`Snapshot`: the fields the
operations change (:data:`loyalty_core.model.STATE_FIELDS`, which timelines show too)."""

_INSTANT_KEYS: Final = frozenset({"expires_at", "extended_at", "lock_expires_at"})
_MONEY_KEYS: Final = frozenset({"value_initial", "value_remaining"})


class DivergenceError(AssertionError):
    """The service under test differs from the reference model, or broke an invariant."""


# --- the adapter a service implements ------------------------------------------------------------


class Adapter(Protocol):
    """What a service implements so that :class:`LoyaltyStateMachine` can drive it.

    Each operation performs one request against the real system at its current instant (the
    last :meth:`advance`) and returns the changed item's JSON, or ``None`` when the system
    refused the request or rejected it as bad input. Items are named by position: a member's
    benefits in claim order (after those it started with), rewards and credits in the order
    they were seeded.
    """

    def claim(self, handle: str, profile_id: str, timezone: str) -> Mapping[str, Any] | None:
        """Claim the definition ``handle`` for the member; return the new benefit or ``None``."""
        ...

    def redeem(
        self, profile_id: str, benefit_index: int, count: int, channel: Channel
    ) -> Mapping[str, Any] | None:
        """Redeem ``count`` of the member's benefit; return the benefit or ``None``."""
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

    def advance(self, to: datetime) -> None:
        """Move the system's clock forward to ``to`` (a UTC instant)."""
        ...

    def state(self) -> Snapshot:
        """Read the whole state back: definitions' counters and every member's items."""
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


def _first_difference(service: Any, model: Any, where: str) -> str | None:
    """Return where ``service`` first differs from ``model``, or ``None`` when they are equal."""
    pairs: list[tuple[Any, Any, str]] = []
    if isinstance(service, dict) and isinstance(model, dict):
        if set(service) != set(model):
            return f"{where}: the service has keys {sorted(service)}, the model {sorted(model)}"
        pairs = [(service[key], model[key], f"{where}[{show(key)}]") for key in model]
    elif isinstance(service, list) and isinstance(model, list):
        if len(service) != len(model):
            return f"{where}: the service holds {len(service)} items, the model {len(model)}"
        pairs = [
            (mine, theirs, f"{where}[{i}]")
            for i, (mine, theirs) in enumerate(zip(service, model, strict=True))
        ]
    elif service != model:
        return f"{where}: the service has {show(service)}, the model {show(model)}"
    for mine, theirs, place in pairs:
        found = _first_difference(mine, theirs, place)
        if found is not None:
            return found
    return None


# --- the state machine ---------------------------------------------------------------------------

_START: Final = datetime(2026, 1, 1, tzinfo=UTC)


@st.composite
def _start_model(draw: st.DrawFn, members: int, definitions: int) -> Model:
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
            period=draw(st.integers(7, 60)),
            max_redemptions=draw(st.integers(2, 3)),
            max_global_redemptions=draw(st.integers(3, 5)),
        )
        for number in range(1, definitions + 1)
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
            )
            for _ in range(draw(st.integers(0, 2)))
        ]
        held = [
            lc.Credit(
                id=next(credit_ids),
                profile_id=profile_id,
                timezone=draw(st.sampled_from(ZONES)),
                value_initial=Decimal(draw(st.integers(5, 50))),
                issued_at=at - timedelta(days=1),
                expires_at=at + timedelta(days=draw(st.integers(1, 40))),
                definition=lc.CreditDefinition(is_extendable=draw(st.booleans())),
            )
            for _ in range(draw(st.integers(0, 1)))
        ]
        people.append(Member(profile=lc.Profile(id=profile_id), rewards=rewards, credits=held))
    model = Model(at=at, definitions=found, members=people)
    # Some members start holding a claimed benefit, so that redemptions can begin at once.
    for member in people:
        for definition in found:
            if draw(st.booleans()):
                zone = draw(st.sampled_from(ZONES))
                model, _ = model.claim(definition.handle or "", member.profile_id, zone)
    return attrs.evolve(model, refusals=())


def start_models(*, members: int = 3, definitions: int = 2) -> st.SearchStrategy[Model]:
    """Draw a starting :class:`Model` with ``members`` members and ``definitions`` definitions.

    Definitions ``def-1``, ``def-2``, … are claimable, published and assignable, with a
    global cap of 3 to 5, ``max_redemptions`` 2 or 3 and a period of 7 to 60 days; whether they
    are reclaimable, extendable and redeemable by the customer varies. Members ``p-1``, … hold
    0 to 2 rewards and 0 or 1 credit in the :data:`ZONES`, some expiring within 40 days, and
    may already hold a claimed benefit of each definition. The clock starts in 2026. Shrinks
    towards members holding nothing, definitions that are not reclaimable, extendable or
    user-redeemable, with period 7, two redemptions each and a global cap of 3, at
    2026-01-01 00:00:00Z.
    """
    return _start_model(members, definitions)


_PICK: Final = st.integers(0, 9)
"""A choice among the current members or items, taken modulo their number (shrinks to 0)."""

_DELTAS: Final = st.one_of(
    st.integers(1, 120).map(lambda n: timedelta(minutes=n)),
    st.integers(1, 48).map(lambda n: timedelta(hours=n)),
    st.integers(1, 6).map(lambda n: timedelta(days=n)),
    st.integers(1, 2).map(lambda n: timedelta(weeks=n)),
)
"""A clock advance: minutes, hours, days or weeks (shrinks to one minute)."""

_EDITS: Final = st.fixed_dictionaries(
    {},
    optional={
        "value_remaining": st.decimals(
            min_value=0, max_value=60, places=2, allow_nan=False, allow_infinity=False
        ).map(str),
        "locked": st.booleans(),
        "lock_expires_at": st.none() | st.integers(-48, 24 * 30),
        "expires_at": st.none() | st.integers(-48, 24 * 60),
    },
)
"""An Edit Credit body; instants are drawn as hour offsets from the clock and written out later."""

_EXTEND_HOW: Final = st.one_of(
    st.tuples(st.just("days"), st.integers(1, 30)),
    st.tuples(st.just("instant"), st.integers(-48, 24 * 60)),
    st.tuples(st.just("wall"), st.integers(-2, 60)),
)


class LoyaltyStateMachine(RuleBasedStateMachine):
    """Drive a service and the reference :class:`Model` with the same random operations.

    Subclass it, implement :meth:`make_adapter`, and expose ``TestCase`` to pytest::

        class MyServiceMachine(LoyaltyStateMachine):
            def make_adapter(self, start: Model) -> Adapter:
                return MyServiceAdapter(start)

        TestMyService = MyServiceMachine.TestCase

    Each run starts from a model drawn by :meth:`start_models` (override it to start from your
    own definitions and profiles, e.g. ``st.just(model)``) and performs claims, redemptions,
    returns, extensions, rewards redemptions, credit edits and clock advances. After each
    operation the service must have accepted exactly what the model accepted (a redemption of
    an expired benefit is refused by both), and after every step its :meth:`Adapter.state`
    must equal the model's on the :data:`COMPARED` keys and keep the invariants: no global
    redemption count above its cap, no negative count or value, no item extended twice. A
    failure raises :class:`DivergenceError`, and hypothesis shrinks it to a short program.
    """

    def __init__(self) -> None:
        """Start empty: the initialize rule draws the starting model and builds the adapter."""
        super().__init__()
        self._model: Model | None = None
        self._adapter: Adapter | None = None
        self._baselines: dict[tuple[str, int], int] = {}
        self._initial_totals: dict[str, int] = {}
        self._extended: dict[str, Any] = {}

    # --- the parts a service provides ---------------------------------------------------------

    def make_adapter(self, start: Model) -> Adapter:
        """Return an adapter for a fresh system seeded with ``start``'s state (override this).

        Seed the system with ``start.definitions``, each member's profile, rewards and credits
        (``to_api()`` gives their JSON), and set its clock to ``start.at``.
        """
        raise NotImplementedError

    def start_models(self) -> st.SearchStrategy[Model]:
        """Return the strategy for the starting model: :func:`start_models` unless overridden."""
        return start_models()

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
        """The adapter of the service under test."""
        if self._adapter is None:
            msg = "the machine has not been initialised"
            raise RuntimeError(msg)
        return self._adapter

    def _member(self, pick: int, *, having: Kind | None = None) -> Member | None:
        members = [m for m in self.model.members if having is None or m.items(having)]
        return members[pick % len(members)] if members else None

    def _agree(self, call: str, outcome: Outcome, *, service_accepted: bool) -> None:
        if outcome.accepted != service_accepted:
            said = "accepted" if service_accepted else "refused or rejected"
            msg = f"{call}: the model {outcome.describe()}, but the service {said} it"
            raise DivergenceError(msg)

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

    @rule(pick_definition=_PICK, pick_member=_PICK, timezone=st.sampled_from(ZONES))
    def claim(self, pick_definition: int, pick_member: int, timezone: str) -> None:
        """Claim a definition for a member in a zone, in the model and the service."""
        definitions = self.model.definitions
        member = self._member(pick_member)
        if not definitions or member is None:
            return
        handle = definitions[pick_definition % len(definitions)].handle or ""
        outcome = self._step(*self.model.claim(handle, member.profile_id, timezone))
        got = self.adapter.claim(handle, member.profile_id, timezone)
        self._agree(
            f"claim({show(handle)}, {show(member.profile_id)}, {show(timezone)})",
            outcome,
            service_accepted=got is not None,
        )
        if outcome.accepted:
            benefit = outcome.items[0]
            index = len(self.model.member(member.profile_id).benefits) - 1
            if isinstance(benefit, lc.Benefit) and benefit.redemptions_remaining is not None:
                self._baselines[member.profile_id, index] = benefit.redemptions_remaining

    def _holds(self, kind: Kind) -> bool:
        return self._model is not None and any(m.items(kind) for m in self._model.members)

    @precondition(lambda self: self._holds("benefit"))
    @rule(
        pick_member=_PICK,
        pick_benefit=_PICK,
        count=st.integers(1, 3),
        channel=st.sampled_from(CHANNELS),
    )
    def redeem(self, pick_member: int, pick_benefit: int, count: int, channel: Channel) -> None:
        """Redeem 1 to 3 of a member's benefit through any channel."""
        self._redeem(pick_member, pick_benefit, count, channel)

    @precondition(lambda self: self._holds("benefit"))
    @rule(pick_member=_PICK, pick_benefit=_PICK)
    def redeem_one(self, pick_member: int, pick_benefit: int) -> None:
        """Redeem one at the till: the everyday request, so the machine makes it often."""
        self._redeem(pick_member, pick_benefit, 1, "staff")

    def _redeem(self, pick_member: int, pick_benefit: int, count: int, channel: Channel) -> None:
        # Checks that an expired benefit is refused by both (EXP-1, RED-5).
        member = self._member(pick_member, having="benefit")
        if member is None:
            return
        index = pick_benefit % len(member.benefits)
        expired = lc.is_expired(member.benefits[index].expires_at, self.model.at)
        outcome = self._step(*self.model.redeem(member.profile_id, index, count, channel))
        got = self.adapter.redeem(member.profile_id, index, count, channel)
        call = f"redeem({show(member.profile_id)}, {index}, count={count}, channel={show(channel)})"
        if expired and got is not None:
            msg = f"{call}: the service redeemed a benefit that expired at {self.model.at}"
            raise DivergenceError(msg)
        self._agree(call, outcome, service_accepted=got is not None)

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

    @precondition(lambda self: bool(self._redeemed()))
    @rule(pick=_PICK, count=st.integers(1, 3))
    def return_(self, pick: int, count: int) -> None:
        """Return redemptions of a redeemed benefit (more than were redeemed is bad input)."""
        candidates = self._redeemed()
        member, index = candidates[pick % len(candidates)]
        outcome = self._step(*self.model.return_(member.profile_id, index, count))
        got = self.adapter.return_(member.profile_id, index, count)
        call = f"return_({show(member.profile_id)}, {index}, count={count})"
        self._agree(call, outcome, service_accepted=got is not None)

    @rule(
        kind=st.sampled_from(KINDS),
        pick_member=_PICK,
        refs=st.lists(st.tuples(_PICK, _PICK), min_size=1, max_size=3),
        how=_EXTEND_HOW,
    )
    def extend(
        self, kind: Kind, pick_member: int, refs: list[tuple[int, int]], how: tuple[str, int]
    ) -> None:
        """Extend some items of one kind (mostly the member's own) by days or to a date."""
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
        outcome = self._step(
            *self.model.extend(member.profile_id, kind, ids, extend_days=days, extend_date=date)
        )
        got = self.adapter.extend(member.profile_id, kind, named, days, date)
        call = (
            f"extend({show(member.profile_id)}, {show(kind)}, {show(named)}, {show(days)}, "
            f"{show(date)})"
        )
        self._agree(call, outcome, service_accepted=got is not None)
        if got is not None and len(got) != len(outcome.items):
            msg = f"{call}: the service extended {len(got)} items, the model {len(outcome.items)}"
            raise DivergenceError(msg)

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
        outcome = self._step(*self.model.redeem_rewards(member.profile_id, amount, strict=strict))
        got = self.adapter.redeem_rewards(member.profile_id, amount, strict=strict)
        call = f"redeem_rewards({show(member.profile_id)}, {amount}, strict={strict})"
        self._agree(call, outcome, service_accepted=got is not None)
        if got is not None and Decimal(got) != outcome.redeemed:
            msg = f"{call}: the service redeemed {got}, the model {outcome.redeemed}"
            raise DivergenceError(msg)

    @precondition(lambda self: self._holds("credit"))
    @rule(pick_member=_PICK, pick_credit=_PICK, edits=_EDITS)
    def edit_credit(self, pick_member: int, pick_credit: int, edits: dict[str, Any]) -> None:
        """Edit a member's credit: value, lock and expiry (a value above the initial is bad)."""
        member = self._member(pick_member, having="credit")
        if member is None:
            return
        index = pick_credit % len(member.credits)
        changes = {
            key: self._hours(value) if key.endswith("_at") and value is not None else value
            for key, value in edits.items()
        }
        outcome = self._step(*self.model.edit_credit(member.profile_id, index, changes))
        got = self.adapter.edit_credit(member.profile_id, index, changes)
        call = f"edit_credit({show(member.profile_id)}, {index}, {show(changes)})"
        self._agree(call, outcome, service_accepted=got is not None)

    @rule(delta=_DELTAS)
    def advance(self, delta: timedelta) -> None:
        """Move both clocks forward by minutes, hours or days."""
        to = self.model.at + delta
        self._step(*self.model.advance(to))
        self.adapter.advance(to)

    # --- invariants ------------------------------------------------------------------------------

    @invariant()
    def service_matches_model(self) -> None:
        """Check the service's state: the invariants first, then equality with the model."""
        if self._model is None or self._adapter is None:
            return
        service = observe(self.adapter.state())
        expected = _observed(self.model)
        self._check_invariants(service)
        found = _first_difference(service, expected, "state")
        if found is not None:
            raise DivergenceError(found)

    def _check_invariants(self, service: Mapping[str, Any]) -> None:
        for profile_id, parts in service.get("members", {}).items():
            for part, items in parts.items():
                for index, item in enumerate(items):
                    where = f"members[{show(profile_id)}].{part}[{index}]"
                    for key in ("redemptions_remaining", "value_remaining", "value_initial"):
                        value = item.get(key)
                        if value is not None and value < 0:
                            msg = f"{where}.{key} is negative: {value}"
                            raise DivergenceError(msg)
                    self._check_extended_once(where, item.get("extended_at"))
        for handle, counters in service.get("definitions", {}).items():
            for key, value in counters.items():
                if value is not None and value < 0:
                    msg = f"definitions[{show(handle)}].{key} is negative: {value}"
                    raise DivergenceError(msg)
        self._check_caps(service)

    def _check_extended_once(self, where: str, extended_at: Any) -> None:
        if extended_at is None:
            return
        seen = self._extended.setdefault(where, extended_at)
        if seen != extended_at:
            msg = f"{where} was extended twice: at {seen} and again at {extended_at}"
            raise DivergenceError(msg)

    def _check_caps(self, service: Mapping[str, Any]) -> None:
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
                    msg = (
                        f"definition {show(handle)}: {value} redemptions by {what}, above "
                        f"max_global_redemptions {cap}"
                    )
                    raise DivergenceError(msg)
