"""A reference adapter: an in-memory loyalty service that uses loyalty_core for every rule.

:class:`InMemoryService` implements every method of :class:`~loyalty_core.testing.model.
Adapter` over its own storage (its own ids, its own copy of each definition), the way a real
service would: it reads what it stores, asks loyalty_core for the decision, and writes back
what loyalty_core returns. It passes :class:`~loyalty_core.testing.model.LoyaltyStateMachine`
and is meant to be copied: replace each dictionary with your tables and each method body with
your request handler, and keep the calls to loyalty_core.

This module needs no hypothesis: the service is plain Python.

>>> from datetime import UTC, datetime
>>> from loyalty_core import BenefitDefinition, Profile
>>> from loyalty_core.model import Member, Model
>>> coffee = BenefitDefinition(id=1, handle="coffee", is_claimable=True, is_published=True,
...                            is_assignable=True, max_redemptions=2)
>>> service = InMemoryService(Model(at=datetime(2026, 1, 1, tzinfo=UTC), definitions=(coffee,),
...                                 members=(Member(profile=Profile(id="p-1")),)))
>>> service.claim("coffee", "p-1", "UTC")["redemptions_remaining"]
2
>>> service.redeem("p-1", 0, 1, "staff")["redemptions_remaining"]
1
>>> service.state()["definitions"]["coffee"]["total_global_redemptions"]
1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

import loyalty_core as lc
from loyalty_core.model import STATE_FIELDS, Channel, ItemRef, Kind, Model, Snapshot

__all__ = ["InMemoryService"]


class InMemoryService:
    """A toy loyalty service: its own storage and ids, loyalty_core for every rule.

    Built from the machine's starting :class:`~loyalty_core.model.Model` (its definitions,
    members and clock). Every operation returns the changed item's JSON (``to_api()``) or
    ``None`` for a refusal or bad input (what a real service answers with a 4xx). Storage
    keeps each benefit with the definition it was claimed under; every read embeds the latest
    definition (:meth:`current`, RED-10), and every write stores the definition's new counters
    (CLM-18). Claimed benefits get the service's own ids, from 501: they need not match the
    model's.

    Subclass it to break one thing on purpose (the test suite does, in
    ``tests/test_broken_adapters.py``), or copy it as the start of your own adapter.
    """

    def __init__(self, start: Model) -> None:
        """Seed the storage with ``start``'s definitions, members and clock."""
        self.at: datetime = start.at
        self.policy: lc.Policy = start.policy
        self.definitions: dict[str, lc.BenefitDefinition] = {
            d.handle or "": d for d in start.definitions
        }
        self.profiles: dict[str, lc.Profile] = {m.profile_id: m.profile for m in start.members}
        self.benefits: dict[str, list[lc.Benefit]] = {
            m.profile_id: list(m.benefits) for m in start.members
        }
        self.rewards: dict[str, list[lc.Reward]] = {
            m.profile_id: list(m.rewards) for m in start.members
        }
        self.credits: dict[str, list[lc.Credit]] = {
            m.profile_id: list(m.credits) for m in start.members
        }
        self.next_id = 500

    # --- storage ---------------------------------------------------------------------------------

    def current(self, benefit: lc.Benefit) -> lc.Benefit:
        """Return ``benefit`` with the latest stored copy of its definition embedded (RED-10)."""
        latest = self.definitions[benefit.definition.handle or ""]
        return benefit if benefit.definition == latest else attrs.evolve(benefit, definition=latest)

    def save_benefit(self, profile_id: str, index: int, benefit: lc.Benefit) -> None:
        """Store ``benefit`` at its position and its definition's counters (RED-10, CLM-18)."""
        self.benefits[profile_id][index] = benefit
        self.definitions[benefit.definition.handle or ""] = benefit.definition

    def store(self, kind: Kind) -> dict[str, list[Any]]:
        """Return the table of ``kind``: each member's items of that kind, by profile id."""
        if kind == "benefit":
            return self.benefits
        if kind == "reward":
            return self.rewards
        return self.credits

    # --- operations ------------------------------------------------------------------------------

    def claim(self, handle: str, profile_id: str, timezone: str) -> Mapping[str, Any] | None:
        """Claim ``handle`` for the member in ``timezone`` (CLM rules); the new benefit's JSON."""
        try:
            result = lc.claim_benefit(
                self.definitions[handle],
                self.profiles[profile_id],
                at=self.at,
                timezone=timezone,
                holdings=[self.current(b) for b in self.benefits[profile_id]],
                policy=self.policy,
            )
        except lc.LoyaltyError:
            return None
        if result.benefit is None:
            return None
        self.next_id += 1
        benefit = attrs.evolve(result.benefit, id=self.next_id)
        self.benefits[profile_id].append(benefit)
        self.definitions[handle] = result.definition
        return benefit.to_api()

    def redeem(
        self,
        profile_id: str,
        benefit_index: int,
        count: int,
        channel: Channel,
        *,
        owner: str | None = None,
    ) -> Mapping[str, Any] | None:
        """Redeem ``count`` of a benefit through ``channel`` (RED-4 to RED-16).

        ``profile_id`` is the request's profile; the benefit is ``owner``'s (by default the
        same). loyalty_core refuses a benefit another profile owns (RED-15).
        """
        holder = owner or profile_id
        benefit = self.current(self.benefits[holder][benefit_index])
        try:
            result = lc.redeem_benefit(
                benefit,
                at=self.at,
                count=count,
                channel=channel,
                profile_id=profile_id,
                policy=self.policy,
            )
        except lc.LoyaltyError:
            return None
        if not result.decision:
            return None
        self.save_benefit(holder, benefit_index, result.benefit)
        return result.benefit.to_api()

    def return_(self, profile_id: str, benefit_index: int, count: int) -> Mapping[str, Any] | None:
        """Give back ``count`` redemptions of the member's benefit (RED-12)."""
        benefit = self.current(self.benefits[profile_id][benefit_index])
        try:
            returned = lc.return_redemption(benefit, count, at=self.at)
        except lc.LoyaltyError:
            return None
        self.save_benefit(profile_id, benefit_index, returned)
        return returned.to_api()

    def extend(
        self,
        profile_id: str,
        kind: Kind,
        items: Sequence[ItemRef],
        extend_days: int | None,
        extend_date: str | None,
    ) -> Sequence[Mapping[str, Any]] | None:
        """Extend the named items on behalf of ``profile_id`` (EXT-1 to EXT-10).

        Items another profile owns, or named twice, are skipped by loyalty_core; the extended
        ones are stored wherever they live.
        """
        table = self.store(kind)
        found = [table[owner][index] for owner, index in items]
        if kind == "benefit":
            found = [self.current(b) for b in found]
        try:
            result = lc.extend(
                found,
                profile_id=profile_id,
                at=self.at,
                extend_days=extend_days,
                extend_date=extend_date,
                policy=self.policy,
            )
        except lc.LoyaltyError:
            return None
        extended = {item.id: item for item in result.extended}
        for owned in table.values():
            for index, item in enumerate(owned):
                if item.id in extended:
                    owned[index] = extended[item.id]
        return [item.to_api() for item in result.extended]

    def redeem_rewards(self, profile_id: str, amount: Decimal, *, strict: bool) -> Decimal | None:
        """Redeem ``amount`` from the member's rewards, nearest expiry first (RWD-1 to RWD-7)."""
        try:
            result = lc.redeem_rewards(self.rewards[profile_id], amount, at=self.at, strict=strict)
        except lc.LoyaltyError:
            return None
        if not result.decision:
            return None
        self.rewards[profile_id] = list(result.rewards)
        return result.redeemed

    def edit_credit(
        self, profile_id: str, credit_index: int, changes: Mapping[str, Any]
    ) -> Mapping[str, Any] | None:
        """Apply an Edit Credit body to the member's credit (CRD-14 to CRD-16)."""
        try:
            edited = lc.edit_credit(self.credits[profile_id][credit_index], changes)
        except lc.LoyaltyError:
            return None
        self.credits[profile_id][credit_index] = edited
        return edited.to_api()

    def advance(self, to: datetime) -> None:
        """Move the service's clock to ``to``."""
        self.at = to

    def state(self) -> Snapshot:
        """Read everything back: the stored fields and each credit's owner.

        The fields are :data:`~loyalty_core.model.STATE_FIELDS`, and a credit's ``profile_id``.

        Values stay Python values (``datetime``, ``Decimal``): cheaper than ``to_api()``, and
        :func:`~loyalty_core.testing.model.observe` reads either.
        """

        def lean(kind: Any, item: Any) -> dict[str, Any]:
            found = {key: getattr(item, key) for key in STATE_FIELDS[kind]}
            if kind == "credit":  # an edit may reassign a credit (CRD-17)
                found["profile_id"] = item.profile_id
            return found

        return {
            "definitions": {h: lean("definition", d) for h, d in self.definitions.items()},
            "members": {
                profile_id: {
                    "benefits": [lean("benefit", b) for b in self.benefits[profile_id]],
                    "rewards": [lean("reward", r) for r in self.rewards[profile_id]],
                    "credits": [lean("credit", c) for c in self.credits[profile_id]],
                }
                for profile_id in self.profiles
            },
        }
