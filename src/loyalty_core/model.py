"""The reference model of a loyalty platform's state, free of hypothesis.

:class:`Model` holds what a loyalty platform stores (benefit definitions with their global
counters, members with their benefits, rewards and credits, and the current instant) and
applies every operation through loyalty_core's public API, threading each definition to every
member's benefits as RED-10 and CLM-18 require. Each operation returns the next model and an
:class:`Outcome`; refusals are logged in :attr:`Model.refusals`.

:mod:`loyalty_core.scenarios` runs scenarios on it (a timeline's steps hold its models), and
:mod:`loyalty_core.testing.model` re-exports it beside the hypothesis state machine that
compares a service with it; this module needs no hypothesis, so ``loyalty-core run`` works
without it.

>>> from datetime import UTC, datetime
>>> from loyalty_core import Credit, Profile
>>> model = Model(at=datetime(2026, 1, 1, tzinfo=UTC),
...               members=(Member(profile=Profile(id="p-1"),
...                               credits=(Credit(value_initial=50),)),))
>>> model, outcome = model.redeem_credit("p-1", 0, "12.50")
>>> outcome.accepted, model.member("p-1").credits[0].value_remaining
(True, Decimal('37.50'))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Literal, TypedDict, get_args

import attrs

import loyalty_core as lc
from loyalty_core import clock
from loyalty_core.limits import show
from loyalty_core.redemptions import Channel

__all__ = [
    "KINDS",
    "STATE_FIELDS",
    "Channel",
    "Item",
    "ItemRef",
    "Kind",
    "Member",
    "MemberState",
    "Model",
    "Outcome",
    "Snapshot",
    "compact",
]

Kind = Literal["benefit", "reward", "credit"]
"""The kinds of item a member holds (and ``extend`` works on)."""

ItemRef = tuple[str, int]
"""An item named by its owner's profile id and its position in the owner's list of that kind."""

Item = lc.Benefit | lc.Reward | lc.Credit

KINDS: Final[tuple[Kind, ...]] = get_args(Kind)
"""The item kinds, in the order a member lists them."""

STATE_FIELDS: Final[Mapping[Literal["definition"] | Kind, tuple[str, ...]]] = {
    "definition": (
        "total_global_created",
        "total_global_redemptions",
        "total_allocations_remaining",
    ),
    "benefit": ("redemptions_remaining", "expires_at", "extended_at"),
    "reward": ("value_remaining", "expires_at", "extended_at"),
    "credit": (
        "value_initial",
        "value_remaining",
        "expires_at",
        "extended_at",
        "locked",
        "lock_expires_at",
    ),
}
"""The stored fields that the model's operations change, per kind (CLM-18, RED-10, RWD-7,
CRD-9, CRD-14, EXT-7): what a scenario's timeline shows after each step and what the state
machine compares with a service (:data:`~loyalty_core.testing.model.COMPARED`). Security codes
are never among them (CRD-11)."""


# --- the model's values ------------------------------------------------------------------------


def _benefits(items: Iterable[lc.Benefit]) -> tuple[lc.Benefit, ...]:
    return tuple(items)


def _rewards(items: Iterable[lc.Reward]) -> tuple[lc.Reward, ...]:
    return tuple(items)


def _credits(items: Iterable[lc.Credit]) -> tuple[lc.Credit, ...]:
    return tuple(items)


def _definitions(items: Iterable[lc.BenefitDefinition]) -> tuple[lc.BenefitDefinition, ...]:
    return tuple(items)


def _members(items: Iterable[Member]) -> tuple[Member, ...]:
    return tuple(items)


@attrs.frozen(kw_only=True)
class Member:
    """One member: the profile and the benefits, rewards and credits it holds, in issue order."""

    profile: lc.Profile
    benefits: tuple[lc.Benefit, ...] = attrs.field(default=(), converter=_benefits)
    rewards: tuple[lc.Reward, ...] = attrs.field(default=(), converter=_rewards)
    credits: tuple[lc.Credit, ...] = attrs.field(default=(), converter=_credits)

    @property
    def profile_id(self) -> str:
        """The profile's id (a :class:`Model` requires one)."""
        return self.profile.id or ""

    def items(self, kind: Kind) -> tuple[Item, ...]:
        """Return the member's items of ``kind``, in issue order."""
        if kind == "benefit":
            return self.benefits
        if kind == "reward":
            return self.rewards
        return self.credits


@attrs.frozen(kw_only=True)
class Outcome:
    """What one operation did: its decision, or the error for bad input, and the items it touched.

    ``decision`` is ``None`` when the operation raised ``error`` (a :class:`~loyalty_core.
    LoyaltyError`: bad input, never a refusal). ``items`` holds the items created or changed
    (the claimed benefit, the redeemed benefit, the extended items, the rewards drawn on, the
    edited or redeemed credit); ``skipped`` holds an extension's skipped ids with their
    decisions; ``redeemed`` is what a rewards redemption took, and ``deductions`` what it took
    from each reward, ``(reward_id, amount)`` in consumption order (RWD-7); ``redemption`` is
    the record an allowed benefit redemption returns (RED-16).
    """

    operation: str
    decision: lc.Decision | None = None
    error: lc.LoyaltyError | None = None
    items: tuple[Item, ...] = ()
    skipped: tuple[tuple[int | None, lc.Decision], ...] = ()
    redeemed: Decimal | None = None
    deductions: tuple[tuple[int | None, Decimal], ...] = ()
    redemption: lc.Redemption | None = None

    @property
    def accepted(self) -> bool:
        """Whether the operation went through: no error and an allowed decision."""
        return self.error is None and self.decision is not None and self.decision.allowed

    def describe(self) -> str:
        """Say what happened in a few words: ``accepted``, the refusal codes, or the error."""
        if self.error is not None:
            return f"rejected as bad input ({self.error})"
        if self.decision is None or self.decision.allowed:
            return "accepted"
        return "refused with " + ", ".join(r.code.value for r in self.decision.reasons)


def _at(value: datetime) -> datetime:
    return clock.as_instant(value, name="at")


def _error(operation: str, where: str, message: str) -> Outcome:
    return Outcome(operation=operation, error=lc.InvalidRequest(lc.Problem(where, message)))


# --- a compact display: what differs from the defaults, definitions by handle --------------------


def _shown(value: Any) -> str:
    if isinstance(value, lc.BenefitDefinition):
        return show(value.handle)
    to_api = getattr(value, "to_api", None)
    if isinstance(value, lc.ClaimTimeframe) and callable(to_api):
        return show(to_api())
    enum_value = getattr(value, "value", None)
    if isinstance(enum_value, str) and type(value).__module__.startswith("loyalty_core"):
        return show(enum_value)
    if isinstance(value, Decimal):
        return str(value)
    return show(value)


def compact(value: Any) -> str:
    """Show an attrs value by the fields that differ from their defaults; definitions by handle.

    A benefit's embedded definition is shown as its handle, enumerations by their JSON value,
    instants as :func:`~loyalty_core.limits.show_instant` writes them. Used by
    :class:`Model`'s repr, so that a failing example reads in a few lines.

    >>> from loyalty_core import BenefitDefinition, Benefit
    >>> coffee = BenefitDefinition(handle="coffee", period=7, max_redemptions=2)
    >>> compact(coffee)
    "BenefitDefinition(handle='coffee', period=7, max_redemptions=2)"
    >>> compact(Benefit(id=3, definition=coffee))
    "Benefit(id=3, redemptions_remaining=2, definition='coffee')"
    """
    parts = []
    for field in attrs.fields(type(value)):
        if not field.repr:
            continue
        current = getattr(value, field.name)
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory(value) if default.takes_self else default.factory()
        if default is not attrs.NOTHING and current == default:
            continue
        nested = attrs.has(type(current)) and not isinstance(
            current, lc.BenefitDefinition | lc.ClaimTimeframe
        )
        parts.append(f"{field.name}={compact(current) if nested else _shown(current)}")
    return f"{type(value).__name__}({', '.join(parts)})"


@attrs.frozen(kw_only=True, repr=False)
class Model:
    """The reference model: definitions by handle, members, the current instant and the policy.

    Every operation method returns ``(next_model, outcome)`` and leaves ``self`` unchanged. A
    refused decision is appended to :attr:`refusals`; bad input (an unknown handle, profile or
    index, a bad count, a bad edit) is reported in ``outcome.error`` and changes nothing. The
    model embeds the latest definition in every member's benefits of it, so each operation sees
    the counters the previous one left (RED-10, CLM-18).

    Benefits claimed through the model get the ids ``next_id``, ``next_id + 1``, …; the ids of
    the starting items are kept. Definitions need distinct handles, members distinct profile ids.
    """

    at: datetime = attrs.field(converter=_at)
    definitions: tuple[lc.BenefitDefinition, ...] = attrs.field(default=(), converter=_definitions)
    members: tuple[Member, ...] = attrs.field(default=(), converter=_members)
    policy: lc.Policy = lc.DEFAULT_POLICY
    refusals: tuple[tuple[str, lc.Decision], ...] = ()
    """Every refusal so far, in order: ``(operation, decision)``; an extension adds one entry
    per skipped item."""

    def _lines(self) -> list[tuple[int, str]]:
        lines = [(0, f"Model(at={show(self.at)},")]
        if self.policy != lc.DEFAULT_POLICY:
            lines.append((2, f"policy={compact(self.policy)},"))
        lines.append((2, "definitions=["))
        lines.extend((4, compact(d) + ",") for d in self.definitions)
        lines.append((2, "],"))
        lines.append((2, "members=["))
        for member in self.members:
            profile = compact(member.profile)
            held = [(k, member.items(k)) for k in KINDS if member.items(k)]
            if not held:
                lines.append((4, f"Member({profile}),"))
                continue
            lines.append((4, f"Member({profile},"))
            for kind, items in held:
                lines.append((6, f"{kind}s=["))
                lines.extend((8, compact(item) + ",") for item in items)
                lines.append((6, "],"))
            lines.append((4, "),"))
        lines.append((2, "],"))
        if self.refusals:
            lines.append((2, f"refusals={len(self.refusals)},"))
        lines.append((0, ")"))
        return lines

    def __repr__(self) -> str:
        """Show the model compactly: only fields that differ from defaults (:func:`compact`).

        >>> from datetime import UTC, datetime
        >>> from loyalty_core import Profile
        >>> Model(at=datetime(2026, 1, 1, tzinfo=UTC), members=(Member(profile=Profile(id="p-1")),))
        Model(at=2026-01-01T00:00:00Z, definitions=[], members=[Member(Profile(id='p-1'))])
        """
        text = " ".join(line for _, line in self._lines())
        return text.replace("[ ", "[").replace(", ]", "]").replace(", )", ")")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # noqa: FBT001 - IPython's protocol
        """Pretty-print (IPython, hypothesis' reports): one definition or item per line."""
        if cycle:
            printer.text("Model(...)")
            return
        lines = self._lines()
        for number, (depth, line) in enumerate(lines):
            if number:
                with printer.indent(depth):
                    printer.break_()
            printer.text(line)

    def __attrs_post_init__(self) -> None:
        """Check the handles and profile ids, then embed the latest definitions (RED-10)."""
        handles = [d.handle for d in self.definitions]
        if None in handles or len(set(handles)) != len(handles):
            msg = f"expected distinct non-null handles, got {show(handles)}"
            raise lc.InvalidRequest(lc.Problem("definitions", msg))
        ids = [m.profile.id for m in self.members]
        if None in ids or len(set(ids)) != len(ids):
            msg = f"expected distinct non-null profile ids, got {show(ids)}"
            raise lc.InvalidRequest(lc.Problem("members", msg))
        for kind in KINDS:
            # Items are named by id (extend, EXT-10): one id names one item of its kind.
            item_ids = [i.id for m in self.members for i in m.items(kind) if i.id is not None]
            if len(set(item_ids)) != len(item_ids):
                msg = f"expected distinct {kind} ids, got {show(sorted(item_ids))}"
                raise lc.InvalidRequest(lc.Problem("members", msg))
        by_handle = {d.handle: d for d in self.definitions}
        synced = []
        for member in self.members:
            for benefit in member.benefits:
                if benefit.definition.handle not in by_handle:
                    msg = (
                        f"a benefit of {show(member.profile_id)} has the definition "
                        f"{show(benefit.definition.handle)}, which is not among the definitions"
                    )
                    raise lc.InvalidRequest(lc.Problem("members", msg))
            benefits = tuple(
                b
                if b.definition == by_handle[b.definition.handle]
                else attrs.evolve(b, definition=by_handle[b.definition.handle])
                for b in member.benefits
            )
            synced.append(attrs.evolve(member, benefits=benefits))
        object.__setattr__(self, "members", tuple(synced))

    # --- reading ----------------------------------------------------------------------------

    @property
    def next_id(self) -> int:
        """The id the next claimed benefit gets: one more than the largest benefit id, or 1."""
        ids = [b.id for m in self.members for b in m.benefits if b.id is not None]
        return max(ids, default=0) + 1

    def definition(self, handle: str) -> lc.BenefitDefinition:
        """Return the current definition with ``handle``; raise ``KeyError`` when unknown."""
        for definition in self.definitions:
            if definition.handle == handle:
                return definition
        raise KeyError(handle)

    def member(self, profile_id: str) -> Member:
        """Return the member with ``profile_id``; raise ``KeyError`` when unknown."""
        for member in self.members:
            if member.profile.id == profile_id:
                return member
        raise KeyError(profile_id)

    def snapshot(self) -> Snapshot:
        """Return the model's state in the shape :meth:`Adapter.state` returns (``to_api``)."""
        return {
            "definitions": {d.handle or "": d.to_api() for d in self.definitions},
            "members": {
                m.profile_id: {
                    "benefits": [b.to_api() for b in m.benefits],
                    "rewards": [r.to_api() for r in m.rewards],
                    "credits": [c.to_api() for c in m.credits],
                }
                for m in self.members
            },
        }

    # --- building the next model ---------------------------------------------------------------

    def _with(
        self,
        outcome: Outcome,
        *,
        member: Member | None = None,
        definition: lc.BenefitDefinition | None = None,
        members: Sequence[Member] | None = None,
    ) -> tuple[Model, Outcome]:
        refusals = list(self.refusals)
        if outcome.decision is not None and not outcome.decision.allowed:
            refusals.append((outcome.operation, outcome.decision))
        refusals.extend((outcome.operation, decision) for _, decision in outcome.skipped)
        new_members = list(self.members if members is None else members)
        if member is not None:
            new_members = [member if m.profile.id == member.profile.id else m for m in new_members]
        definitions = self.definitions
        if definition is not None:
            definitions = tuple(
                definition if d.handle == definition.handle else d for d in definitions
            )
        # The constructor re-embeds the latest definitions in every benefit (RED-10).
        model = attrs.evolve(
            self, definitions=definitions, members=tuple(new_members), refusals=tuple(refusals)
        )
        return model, outcome

    def _unchanged(self, outcome: Outcome) -> tuple[Model, Outcome]:
        return self._with(outcome)

    def _find_member(self, operation: str, profile_id: str) -> Member | Outcome:
        try:
            return self.member(profile_id)
        except KeyError:
            return _error(operation, "profile_id", f"unknown profile {show(profile_id)}")

    def _find_benefit(
        self, operation: str, profile_id: str, index: int
    ) -> tuple[Member, lc.Benefit] | Outcome:
        member = self._find_member(operation, profile_id)
        if isinstance(member, Outcome):
            return member
        if not 0 <= index < len(member.benefits):
            return _error(
                operation, "benefit_index", f"{show(profile_id)} has no benefit {show(index)}"
            )
        return member, member.benefits[index]

    def _find_credit(
        self, operation: str, profile_id: str, index: int
    ) -> tuple[Member, lc.Credit] | Outcome:
        member = self._find_member(operation, profile_id)
        if isinstance(member, Outcome):
            return member
        if not 0 <= index < len(member.credits):
            return _error(
                operation, "credit_index", f"{show(profile_id)} has no credit {show(index)}"
            )
        return member, member.credits[index]

    # --- operations ----------------------------------------------------------------------------

    def claim(self, handle: str, profile_id: str, timezone: str) -> tuple[Model, Outcome]:
        """Claim the definition ``handle`` for ``profile_id`` at :attr:`at` (CLM rules).

        The member's benefits are the holdings. An allowed claim appends the new benefit (with
        id :attr:`next_id`) and advances the definition's ``total_global_created`` (CLM-18).
        """
        operation = "claim"
        member = self._find_member(operation, profile_id)
        if isinstance(member, Outcome):
            return self._unchanged(member)
        try:
            definition = self.definition(handle)
        except KeyError:
            return self._unchanged(
                _error(operation, "handle", f"unknown definition {show(handle)}")
            )
        try:
            result = lc.claim_benefit(
                definition,
                member.profile,
                at=self.at,
                timezone=timezone,
                holdings=member.benefits,
                policy=self.policy,
            )
        except lc.LoyaltyError as exc:
            return self._unchanged(Outcome(operation=operation, error=exc))
        if result.benefit is None:
            return self._unchanged(Outcome(operation=operation, decision=result.decision))
        benefit = attrs.evolve(result.benefit, id=self.next_id)
        outcome = Outcome(operation=operation, decision=result.decision, items=(benefit,))
        return self._with(
            outcome,
            member=attrs.evolve(member, benefits=(*member.benefits, benefit)),
            definition=result.definition,
        )

    def redeem(
        self,
        profile_id: str,
        benefit_index: int,
        count: int = 1,
        channel: Channel = "api",
        *,
        owner: str | None = None,
    ) -> tuple[Model, Outcome]:
        """Redeem ``count`` of a benefit at ``benefit_index`` (RED-4 to RED-16).

        All or nothing: an allowed redemption lowers the benefit's ``redemptions_remaining`` and
        raises its definition's ``total_global_redemptions``, which every holder then sees.
        ``profile_id`` is the profile of the request's path; ``benefit_index`` indexes the
        benefits of ``owner`` (by default the same profile). A benefit another profile owns is
        refused with ``not_owned`` (RED-15); the outcome keeps the record (RED-16).
        """
        operation = "redeem"
        found = self._find_benefit(operation, owner or profile_id, benefit_index)
        if isinstance(found, Outcome):
            return self._unchanged(found)
        member, benefit = found
        try:
            result = lc.redeem_benefit(
                benefit,
                at=self.at,
                count=count,
                channel=channel,
                profile_id=profile_id,
                policy=self.policy,
            )
        except lc.LoyaltyError as exc:
            return self._unchanged(Outcome(operation=operation, error=exc))
        if not result.decision.allowed:
            return self._unchanged(Outcome(operation=operation, decision=result.decision))
        model, outcome = self._replace_benefit(
            operation, result.decision, member, benefit_index, result.benefit
        )
        return model, attrs.evolve(outcome, redemption=result.redemption)

    def return_(self, profile_id: str, benefit_index: int, count: int = 1) -> tuple[Model, Outcome]:
        """Give back ``count`` redemptions of the member's benefit at ``benefit_index`` (RED-12).

        A count above what was redeemed is bad input (``InvalidRequest``): nothing changes.
        """
        operation = "return"
        found = self._find_benefit(operation, profile_id, benefit_index)
        if isinstance(found, Outcome):
            return self._unchanged(found)
        member, benefit = found
        try:
            returned = lc.return_redemption(benefit, count, at=self.at)
        except lc.LoyaltyError as exc:
            return self._unchanged(Outcome(operation=operation, error=exc))
        return self._replace_benefit(operation, lc.Decision(), member, benefit_index, returned)

    def _replace_benefit(
        self,
        operation: str,
        decision: lc.Decision,
        member: Member,
        index: int,
        benefit: lc.Benefit,
    ) -> tuple[Model, Outcome]:
        benefits = list(member.benefits)
        benefits[index] = benefit
        return self._with(
            Outcome(operation=operation, decision=decision, items=(benefit,)),
            member=attrs.evolve(member, benefits=tuple(benefits)),
            definition=benefit.definition,
        )

    def extend(
        self,
        profile_id: str,
        kind: Kind,
        ids: Sequence[int],
        *,
        extend_days: int | None = None,
        extend_date: datetime | str | None = None,
    ) -> tuple[Model, Outcome]:
        """Extend the items of ``kind`` with these ids for ``profile_id`` (EXT-1 to EXT-10).

        Ids are looked up among every member's items of that kind, so another member's id is
        skipped with ``not_owned``; a repeated id is skipped with ``already_extended``. An
        unknown id is bad input. Each skipped item's decision is logged as a refusal.
        """
        operation = "extend"
        if kind not in KINDS:
            return self._unchanged(_error(operation, "kind", f"unknown kind {show(kind)}"))
        owners: dict[int, Member] = {}
        for member in self.members:
            for item in member.items(kind):
                if item.id is not None:
                    owners.setdefault(item.id, member)
        missing = [i for i in ids if i not in owners]
        if missing:
            return self._unchanged(_error(operation, "ids", f"unknown {kind} ids {show(missing)}"))
        items = [next(i for i in owners[item_id].items(kind) if i.id == item_id) for item_id in ids]
        try:
            result = lc.extend(
                items,
                profile_id=profile_id,
                at=self.at,
                extend_days=extend_days,
                extend_date=extend_date,
                policy=self.policy,
            )
        except lc.LoyaltyError as exc:
            return self._unchanged(Outcome(operation=operation, error=exc))
        extended = {item.id: item for item in result.extended}
        members = [
            _replace_items(member, kind, extended) if extended else member
            for member in self.members
        ]
        outcome = Outcome(
            operation=operation,
            decision=lc.Decision(),
            items=result.extended,
            skipped=result.skipped,
        )
        return self._with(outcome, members=members)

    def redeem_rewards(
        self, profile_id: str, amount: Decimal | str, *, strict: bool = False
    ) -> tuple[Model, Outcome]:
        """Redeem ``amount`` from the member's rewards, nearest expiry first (RWD-1 to RWD-7)."""
        operation = "redeem_rewards"
        member = self._find_member(operation, profile_id)
        if isinstance(member, Outcome):
            return self._unchanged(member)
        try:
            result = lc.redeem_rewards(member.rewards, amount, at=self.at, strict=strict)
        except lc.LoyaltyError as exc:
            return self._unchanged(Outcome(operation=operation, error=exc))
        changed = tuple(
            new for old, new in zip(member.rewards, result.rewards, strict=True) if new != old
        )
        outcome = Outcome(
            operation=operation,
            decision=result.decision,
            items=changed,
            redeemed=result.redeemed,
            deductions=result.deductions,
        )
        if not result.decision.allowed:
            return self._unchanged(outcome)
        return self._with(outcome, member=attrs.evolve(member, rewards=result.rewards))

    def edit_credit(
        self, profile_id: str, credit_index: int, changes: Mapping[str, Any]
    ) -> tuple[Model, Outcome]:
        """Apply an Edit Credit body to the member's credit at ``credit_index`` (CRD-14 to 16).

        A bad body is a ``PayloadError`` in ``outcome.error`` and changes nothing.
        """
        operation = "edit_credit"
        found = self._find_credit(operation, profile_id, credit_index)
        if isinstance(found, Outcome):
            return self._unchanged(found)
        member, credit = found
        try:
            edited = lc.edit_credit(credit, changes)
        except lc.LoyaltyError as exc:
            return self._unchanged(Outcome(operation=operation, error=exc))
        return self._replace_credit(operation, lc.Decision(), member, credit_index, edited)

    def redeem_credit(
        self,
        profile_id: str,
        credit_index: int,
        amount: Decimal | str,
        *,
        security_code: str | None = None,
    ) -> tuple[Model, Outcome]:
        """Use ``amount`` of the member's credit at ``credit_index`` (CRD-6 to CRD-13).

        All or nothing: an allowed redemption lowers the credit's ``value_remaining``. An
        unknown member or index, a bad amount or a bad code is bad input and changes nothing.
        """
        operation = "redeem_credit"
        found = self._find_credit(operation, profile_id, credit_index)
        if isinstance(found, Outcome):
            return self._unchanged(found)
        member, credit = found
        try:
            result = lc.redeem_credit(credit, amount, at=self.at, security_code=security_code)
        except lc.LoyaltyError as exc:
            return self._unchanged(Outcome(operation=operation, error=exc))
        if not result.decision.allowed:
            return self._unchanged(Outcome(operation=operation, decision=result.decision))
        return self._replace_credit(operation, result.decision, member, credit_index, result.credit)

    def _replace_credit(
        self,
        operation: str,
        decision: lc.Decision,
        member: Member,
        index: int,
        credit: lc.Credit,
    ) -> tuple[Model, Outcome]:
        held = list(member.credits)
        held[index] = credit
        outcome = Outcome(operation=operation, decision=decision, items=(credit,))
        return self._with(outcome, member=attrs.evolve(member, credits=tuple(held)))

    def advance(self, to: datetime) -> tuple[Model, Outcome]:
        """Move the clock to ``to``; going back in time or a naive ``to`` is bad input."""
        operation = "advance"
        try:
            instant = clock.as_instant(to, name="to")
        except lc.LoyaltyError as exc:
            return self._unchanged(Outcome(operation=operation, error=exc))
        if instant < self.at:
            msg = f"expected an instant >= {clock.format_instant(self.at)}, got {show(to)}"
            return self._unchanged(_error(operation, "to", msg))
        model, outcome = self._with(Outcome(operation=operation, decision=lc.Decision()))
        return attrs.evolve(model, at=instant), outcome


def _replace_items(member: Member, kind: Kind, extended: Mapping[int | None, Item]) -> Member:
    def fresh(item: Item) -> Any:
        return extended.get(item.id, item) if item.id is not None else item

    if kind == "benefit":
        return attrs.evolve(member, benefits=tuple(fresh(b) for b in member.benefits))
    if kind == "reward":
        return attrs.evolve(member, rewards=tuple(fresh(r) for r in member.rewards))
    return attrs.evolve(member, credits=tuple(fresh(c) for c in member.credits))


# --- the state in the platform's JSON shapes -----------------------------------------------------


class MemberState(TypedDict):
    """A member's items in the platform's JSON shapes, each list in issue order."""

    benefits: Sequence[Mapping[str, Any]]
    rewards: Sequence[Mapping[str, Any]]
    credits: Sequence[Mapping[str, Any]]


class Snapshot(TypedDict):
    """A whole system's state: definition JSON by handle, and each member's items by profile id.

    Only the keys in :data:`~loyalty_core.testing.model.COMPARED` are read; extra keys are
    ignored. Instants may be PAY-2 strings or aware ``datetime`` values, money a string,
    ``Decimal`` or number.
    """

    definitions: Mapping[str, Mapping[str, Any]]
    members: Mapping[str, MemberState]
