"""Running a scenario through the reference model, and what each step changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import attrs

import loyalty_core as lc
from loyalty_core.model import KINDS, STATE_FIELDS, Item, Kind, Member, Model
from loyalty_core.periods import before_issue
from loyalty_core.scenarios._values import (
    Change,
    EditCredit,
    FieldChange,
    Scenario,
    Step,
    Subject,
    Timeline,
)

__all__ = ["definition_view", "item_view", "run_scenario"]

_SHOWN: Final[Mapping[Subject, tuple[str, ...]]] = STATE_FIELDS
"""The stored fields a timeline shows for each kind: those the operations change (one table
with the state machine's compared fields); items also show ``status``, credits ``release_at``
(CRD-3), and new items ``issued_at``."""


def run_scenario(scenario: Scenario) -> Timeline:
    """Apply every event of ``scenario`` to its starting model, in order, and record each step.

    An event's ``at`` first moves the clock forward (:meth:`~loyalty_core.testing.model.Model.
    advance`); the event then runs through the reference model, which applies the library's
    rules. A refusal is a result, not an error: the step records the decision and the run goes
    on. So does an event that is bad input at run time (an index past the member's benefits,
    a return of more than was redeemed, an Edit Credit body the credit rejects): the step is
    ``rejected`` with the error and changes nothing.

    >>> from loyalty_core.scenarios import parse_scenario
    >>> scenario = parse_scenario({
    ...     "start_at": "2026-01-01T00:00:00Z",
    ...     "definitions": [{"handle": "coffee", "is_claimable": True, "is_published": True,
    ...                      "is_assignable": True, "max_redemptions": 1, "period": 30}],
    ...     "members": [{"profile": {"id": "p-1"}}],
    ...     "events": [{"type": "claim", "member": "p-1", "definition": "coffee"},
    ...                {"type": "claim", "member": "p-1", "definition": "coffee"}]})
    >>> [(step.result, step.outcome.describe()) for step in run_scenario(scenario).steps]
    [('accepted', 'accepted'), ('refused', 'refused with already_claimed')]
    """
    start = scenario.start()
    model = start
    steps: list[Step] = []
    for number, event in enumerate(scenario.events, start=1):
        before = model
        if event.at is not None and event.at > model.at:
            model, _ = model.advance(event.at)
        # An advance changes no stored value, but what it expires shows in `status`.
        model, outcome = event.apply(model)
        if isinstance(event, EditCredit) and isinstance(outcome.error, lc.PayloadError):
            # The Edit Credit body's problems, named where the body sits in the scenario.
            body = f"$.events[{number - 1}].changes"
            outcome = attrs.evolve(outcome, error=lc.PayloadError(outcome.error.under(body)))
        steps.append(
            Step(
                number=number,
                event=event,
                at=model.at,
                outcome=outcome,
                changes=_changes(before, model),
                model=model,
            )
        )
    return Timeline(scenario=scenario, start=start, steps=tuple(steps))


# --- views: the fields a timeline shows ----------------------------------------------------------


def _status(item: Item, at: datetime) -> str:
    """Say whether an item is usable at ``at``, in the order its redemption rules check."""
    # RED-1, RWD-1, CRD-6 to CRD-9: each word is decided by the rule's own function.
    if before_issue(item.issued_at, at):
        return "not yet issued"
    if isinstance(item, lc.Credit) and not lc.is_released(item, at=at):
        return "not released"
    if lc.is_expired(item.expires_at, at):
        return "expired"
    if isinstance(item, lc.Credit) and lc.is_locked(item, at=at):
        return "locked"
    if isinstance(item, lc.Benefit):
        used_up = item.redemptions_remaining == 0
    else:
        used_up = item.value_remaining == 0
    return "used up" if used_up else "active"


def item_view(kind: Kind, item: Item, at: datetime, *, created: bool = False) -> dict[str, Any]:
    """Return the fields a timeline shows for an item at ``at``, by name, in display order.

    ``status`` comes first; a new item (``created``) also shows ``issued_at``; a credit shows
    its ``release_at`` (CRD-3).
    """
    view: dict[str, Any] = {"status": _status(item, at)}
    if created:
        view["issued_at"] = item.issued_at
    if isinstance(item, lc.Credit):
        try:
            view["release_at"] = lc.release_at(item)
        except lc.LoyaltyError:
            # A release past year 9999 (CRD-3): the checks read it as never released.
            view["release_at"] = None
    for name in _SHOWN[kind]:
        view[name] = getattr(item, name)
    return view


def definition_view(definition: lc.BenefitDefinition) -> dict[str, Any]:
    """Return a definition's counters (CLM-18, RED-10), by name; allocations only when used."""
    view = {name: getattr(definition, name) for name in _SHOWN["definition"]}
    if not definition.force_allocation and definition.total_allocations_remaining is None:
        del view["total_allocations_remaining"]
    return view


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name=name, before=before.get(name), after=value)
        for name, value in after.items()
        if before.get(name) != value
    )


def _changes(before: Model, after: Model) -> tuple[Change, ...]:
    found: list[Change] = []
    for old, new in zip(before.definitions, after.definitions, strict=True):
        fields = _diff(definition_view(old), definition_view(new))
        if fields:
            found.append(Change(kind="definition", handle=new.handle, fields=fields))
    for old_member, new_member in zip(before.members, after.members, strict=True):
        found.extend(_member_changes(old_member, new_member, before.at, after.at))
    return tuple(found)


def _member_changes(old: Member, new: Member, was: datetime, now: datetime) -> list[Change]:
    found: list[Change] = []
    for kind in KINDS:
        held: Sequence[Item] = old.items(kind)
        for index, item in enumerate(new.items(kind)):
            created = index >= len(held)
            after = item_view(kind, item, now, created=created)
            fields = (
                _diff({}, after) if created else _diff(item_view(kind, held[index], was), after)
            )
            if fields:
                found.append(
                    Change(
                        kind=kind,
                        owner=new.profile_id,
                        index=index,
                        item_id=item.id,
                        timezone=item.zone.key,
                        created=created,
                        fields=fields,
                    )
                )
    return found
