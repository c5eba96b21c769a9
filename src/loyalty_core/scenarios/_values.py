"""The values of a scenario: its events, the scenario itself, and the timeline a run produces."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

import attrs

import loyalty_core as lc
from loyalty_core import _display, clock
from loyalty_core.limits import show
from loyalty_core.model import Channel, Item, Kind, Member, Model, Outcome

__all__ = [
    "Advance",
    "Change",
    "Claim",
    "EditCredit",
    "Event",
    "Extend",
    "FieldChange",
    "Redeem",
    "RedeemCredit",
    "RedeemRewards",
    "Return",
    "Scenario",
    "Step",
    "Timeline",
]


# --- events ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Event:
    """What every event has: the instant it happens at (optional) and a note for the reader."""

    type: ClassVar[str]
    at: datetime | None = None
    """Move the clock forward to this instant before the event; ``None`` keeps the clock."""
    note: str | None = None
    """Free text shown with the event in the timeline."""

    @classmethod
    def json_keys(cls) -> tuple[str, ...]:
        """The keys the event takes in a scenario file besides ``type``: its fields, in order."""
        return tuple(field.name for field in attrs.fields(cls))


@attrs.frozen(kw_only=True)
class Claim(_Event):
    """Claim the definition ``definition`` (a handle) for ``member`` in ``timezone`` (CLM)."""

    type: ClassVar[str] = "claim"
    member: str
    definition: str
    timezone: str

    def apply(self, model: Model) -> tuple[Model, Outcome]:
        """Apply the event to ``model`` at its current instant."""
        return model.claim(self.definition, self.member, self.timezone)

    def describe(self) -> str:
        """Say what the event asks for, in a few words."""
        return f"claim {show(self.definition)} for {show(self.member)} in {self.timezone}"


@attrs.frozen(kw_only=True)
class Redeem(_Event):
    """Redeem ``count`` of the member's benefit at position ``benefit`` (RED-2 to RED-10)."""

    type: ClassVar[str] = "redeem"
    member: str
    benefit: int
    count: int = 1
    channel: Channel = "api"

    def apply(self, model: Model) -> tuple[Model, Outcome]:
        """Apply the event to ``model`` at its current instant."""
        return model.redeem(self.member, self.benefit, self.count, self.channel)

    def describe(self) -> str:
        """Say what the event asks for, in a few words."""
        return (
            f"redeem {self.count} of {show(self.member)} benefit #{self.benefit} "
            f"on the {self.channel} channel"
        )


@attrs.frozen(kw_only=True)
class Return(_Event):
    """Give back ``count`` redemptions of the member's benefit at position ``benefit`` (RED-12)."""

    type: ClassVar[str] = "return"
    member: str
    benefit: int
    count: int = 1

    def apply(self, model: Model) -> tuple[Model, Outcome]:
        """Apply the event to ``model`` at its current instant."""
        return model.return_(self.member, self.benefit, self.count)

    def describe(self) -> str:
        """Say what the event asks for, in a few words."""
        return f"return {self.count} redemption(s) of {show(self.member)} benefit #{self.benefit}"


@attrs.frozen(kw_only=True)
class Extend(_Event):
    """Extend the items of ``kind`` with ``ids`` on behalf of ``member`` (EXT-1 to EXT-10)."""

    type: ClassVar[str] = "extend"
    member: str
    kind: Kind
    ids: tuple[int, ...]
    extend_days: int | None = None
    extend_date: str | None = None
    """As written: a naive one is a wall time in each item's zone (EXT-8)."""

    def apply(self, model: Model) -> tuple[Model, Outcome]:
        """Apply the event to ``model`` at its current instant."""
        return model.extend(
            self.member,
            self.kind,
            self.ids,
            extend_days=self.extend_days,
            extend_date=self.extend_date,
        )

    def describe(self) -> str:
        """Say what the event asks for, in a few words."""
        how = (
            f"by {self.extend_days} day(s)"
            if self.extend_days is not None
            else f"to {self.extend_date}"
        )
        ids = ", ".join(str(i) for i in self.ids)
        return f"extend {self.kind}(s) {ids} for {show(self.member)} {how}"


@attrs.frozen(kw_only=True)
class RedeemRewards(_Event):
    """Redeem ``amount`` from the member's rewards, nearest expiry first (RWD-1 to RWD-7)."""

    type: ClassVar[str] = "redeem_rewards"
    member: str
    amount: Decimal
    strict: bool = False

    def apply(self, model: Model) -> tuple[Model, Outcome]:
        """Apply the event to ``model`` at its current instant."""
        return model.redeem_rewards(self.member, self.amount, strict=self.strict)

    def describe(self) -> str:
        """Say what the event asks for, in a few words."""
        strict = " (strict)" if self.strict else ""
        return f"redeem {format(self.amount, 'f')} from {show(self.member)}'s rewards{strict}"


@attrs.frozen(kw_only=True)
class EditCredit(_Event):
    """Apply an Edit Credit body to the member's credit at position ``credit`` (CRD-14 to 16)."""

    type: ClassVar[str] = "edit_credit"
    member: str
    credit: int
    changes: Mapping[str, Any]
    """The Edit Credit request body, as written (a read-only mapping)."""

    def apply(self, model: Model) -> tuple[Model, Outcome]:
        """Apply the event to ``model`` at its current instant."""
        return model.edit_credit(self.member, self.credit, self.changes)

    def describe(self) -> str:
        """Say what the event asks for, in a few words."""
        keys = ", ".join(self.changes) or "nothing"
        return f"edit {show(self.member)} credit #{self.credit}: {keys}"


@attrs.frozen(kw_only=True)
class RedeemCredit(_Event):
    """Use ``amount`` of the member's credit at position ``credit`` (CRD-6 to CRD-13)."""

    type: ClassVar[str] = "redeem_credit"
    member: str
    credit: int
    amount: Decimal
    security_code: str | None = None

    def apply(self, model: Model) -> tuple[Model, Outcome]:
        """Apply the event to ``model`` at its current instant."""
        return model.redeem_credit(
            self.member, self.credit, self.amount, security_code=self.security_code
        )

    def describe(self) -> str:
        """Say what the event asks for, in a few words."""
        code = "" if self.security_code is None else f" with code {show(self.security_code)}"
        return (
            f"redeem {format(self.amount, 'f')} of {show(self.member)} credit #{self.credit}{code}"
        )


@attrs.frozen(kw_only=True)
class Advance(_Event):
    """Move the clock forward to ``to``; nothing else happens."""

    type: ClassVar[str] = "advance"
    to: datetime

    @classmethod
    def json_keys(cls) -> tuple[str, ...]:
        """``note`` and ``to``: the clock moves to ``to``, so an ``at`` would say it twice."""
        return tuple(name for name in super().json_keys() if name != "at")

    def apply(self, model: Model) -> tuple[Model, Outcome]:
        """Apply the event to ``model``: move its clock."""
        return model.advance(self.to)

    def describe(self) -> str:
        """Say what the event asks for, in a few words."""
        return "advance the clock"


Event = Claim | Redeem | Return | Extend | RedeemRewards | EditCredit | RedeemCredit | Advance
"""One event of a scenario."""


# --- the scenario --------------------------------------------------------------------------------


def _definitions(items: Any) -> tuple[lc.BenefitDefinition, ...]:
    return tuple(items)


def _members(items: Any) -> tuple[Member, ...]:
    return tuple(items)


def _events(items: Any) -> tuple[Event, ...]:
    return tuple(items)


@attrs.frozen(kw_only=True)
class Scenario:
    """A parsed scenario: the starting state and the timed events to apply to it.

    Build one with :func:`~loyalty_core.scenarios.parse_scenario`, which checks everything a
    run needs (handles, member ids, the order of time) up front.
    """

    name: str | None = None
    description: str | None = None
    start_at: datetime
    timezone: str = "UTC"
    """The zone of naive instants in ``start_at``, the events' ``at`` and ``to``."""
    policy: lc.Policy = lc.DEFAULT_POLICY
    definitions: tuple[lc.BenefitDefinition, ...] = attrs.field(default=(), converter=_definitions)
    members: tuple[Member, ...] = attrs.field(default=(), converter=_members)
    events: tuple[Event, ...] = attrs.field(default=(), converter=_events)

    def start(self) -> Model:
        """Return the reference model the scenario starts from."""
        return Model(
            at=self.start_at,
            definitions=self.definitions,
            members=self.members,
            policy=self.policy,
        )


# --- the timeline --------------------------------------------------------------------------------

Subject = Literal["definition", "benefit", "reward", "credit"]


@attrs.frozen(kw_only=True)
class FieldChange:
    """One field of one item or definition, before and after a step."""

    name: str
    before: Any
    after: Any


@attrs.frozen(kw_only=True)
class Change:
    """What one step changed in one definition or item.

    ``kind`` is ``"definition"`` (named by ``handle``) or the item's kind (named by its
    ``owner``'s profile id, its ``index`` in the owner's list of that kind, and its ``item_id``).
    ``timezone`` is the zone its instants are shown in (TIME-3). ``created`` is true for an item
    the step created (a claim), whose ``fields`` then list every shown field with ``before``
    ``None``. ``status`` is a derived field: ``active``, ``expired``, ``used up``, ``not yet
    issued``, and for credits ``not released`` and ``locked``.
    """

    kind: Subject
    handle: str | None = None
    owner: str | None = None
    index: int | None = None
    item_id: int | None = None
    timezone: str = "UTC"
    created: bool = False
    fields: tuple[FieldChange, ...] = ()


@attrs.frozen(kw_only=True)
class Step:
    """One event applied: the clock it ran at, its outcome, what it changed, and the model after."""

    number: int
    """The event's position in the scenario, counted from 1."""
    event: Event
    at: datetime
    """The clock when the event ran (after its ``at`` moved it)."""
    outcome: Outcome
    changes: tuple[Change, ...] = ()
    model: Model

    @property
    def result(self) -> Literal["accepted", "refused", "rejected"]:
        """``accepted``, ``refused`` (a business no) or ``rejected`` (bad input at run time)."""
        if self.outcome.error is not None:
            return "rejected"
        return "accepted" if self.outcome.accepted else "refused"


@attrs.frozen(kw_only=True)
class Timeline:
    """The result of :func:`~loyalty_core.scenarios.run_scenario`: every step, in order."""

    scenario: Scenario
    start: Model
    steps: tuple[Step, ...] = ()

    @property
    def final(self) -> Model:
        """The model after the last step (the start when there are no events)."""
        return self.steps[-1].model if self.steps else self.start

    def __repr__(self) -> str:
        """Name the scenario and count the steps; the models are left out."""
        name = "" if self.scenario.name is None else f"scenario={show(self.scenario.name)}, "
        return f"Timeline({name}steps={len(self.steps)})"

    def _repr_html_(self) -> str:
        """Return an HTML table for notebooks: one row per step, its event and its outcome.

        Each row has the step's number, the clock it ran at (UTC), what the event asks for
        and what happened (``accepted``, ``refused with`` the codes, or ``rejected as bad
        input``). Rows and texts are bounded; :func:`~loyalty_core.scenarios.render_timeline`
        shows every change.
        """
        name = self.scenario.name
        caption = f"Timeline of {show(name)}" if name is not None else "Timeline"
        return _display.html_table(
            f"{caption}: {len(self.steps)} step(s)",
            ("#", "at", "event", "outcome"),
            (
                (
                    str(step.number),
                    clock.format_instant(step.at),
                    step.event.describe(),
                    step.outcome.describe(),
                )
                for step in self.steps
            ),
            empty="no step",
        )


def item_zone(item: Item) -> str:
    """Return the zone name an item's instants are shown in (TIME-3, CRD-1)."""
    return item.zone.key
