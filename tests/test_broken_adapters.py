"""The machine finds bugs real services make: one broken adapter per bug.

Each adapter is the shipped :class:`~loyalty_core.testing.InMemoryService` with one thing
broken, the way a real service gets it wrong. The quick test runs the machine once against
each at hypothesis' default budget (100 examples of up to 50 steps) and expects a
:class:`DivergenceError`; the slow test runs it with 20 seeds per adapter and expects the bug
found in at least 19 of them, recording the median number of examples to the first failure and
the time it took.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Final, NoReturn

import attrs
import pytest
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.stateful import run_state_machine_as_test

import loyalty_core as lc
from loyalty_core.testing import InMemoryService
from loyalty_core.testing.model import (
    Adapter,
    Channel,
    DivergenceError,
    ItemRef,
    Kind,
    LoyaltyStateMachine,
    Model,
)

SECOND = timedelta(seconds=1)


class IgnoresGlobalCap(InMemoryService):
    """RED-9: redeems without checking the global cap (it still advances the counter)."""

    def redeem(
        self,
        profile_id: str,
        benefit_index: int,
        count: int,
        channel: Channel,
        *,
        owner: str | None = None,
    ) -> Mapping[str, Any] | None:
        holder = owner or profile_id
        benefit = self.current(self.benefits[holder][benefit_index])
        cap = benefit.definition.max_global_redemptions
        uncapped = attrs.evolve(
            benefit, definition=attrs.evolve(benefit.definition, max_global_redemptions=None)
        )
        result = lc.redeem_benefit(
            uncapped, at=self.at, count=count, channel=channel, profile_id=profile_id
        )
        if not result.decision:
            return None
        redeemed = attrs.evolve(
            result.benefit,
            definition=attrs.evolve(result.benefit.definition, max_global_redemptions=cap),
        )
        self.save_benefit(holder, benefit_index, redeemed)
        return redeemed.to_api()


class StaleDefinitionCopy(InMemoryService):
    """RED-10: redeems against the definition copied at claim time, not the latest one."""

    def current(self, benefit: lc.Benefit) -> lc.Benefit:
        return benefit


class ExtendsTwice(InMemoryService):
    """EXT-3: forgets that an item was extended, so extends it again."""

    def extend(
        self,
        profile_id: str,
        kind: Kind,
        items: Sequence[ItemRef],
        extend_days: int | None,
        extend_date: str | None,
    ) -> Sequence[Mapping[str, Any]] | None:
        table = self.store(kind)
        for owner, index in items:
            table[owner][index] = attrs.evolve(table[owner][index], extended_at=None)
        return super().extend(profile_id, kind, items, extend_days, extend_date)


class LatestExpiryFirst(InMemoryService):
    """RWD-3: takes the amount from the reward expiring last (no expiry first), not soonest."""

    def redeem_rewards(self, profile_id: str, amount: Decimal, *, strict: bool) -> Decimal | None:
        held = self.rewards[profile_id]
        try:
            result = lc.redeem_rewards(held, amount, at=self.at, strict=strict)
        except lc.LoyaltyError:
            return None
        if not result.decision:
            return None
        latest = datetime.max.replace(tzinfo=self.at.tzinfo)
        order = sorted(range(len(held)), key=lambda i: held[i].expires_at or latest, reverse=True)
        needed = result.redeemed
        for index in order:
            reward = held[index]
            available = lc.reward_balance([reward], at=self.at)
            take = min(needed, available)
            if take > 0:
                held[index] = attrs.evolve(reward, value_remaining=reward.value_remaining - take)
                needed -= take
        return result.redeemed


class CustomerAsStaff(InMemoryService):
    """RED-6: treats the customer's own app as the till, so allow_user_redeem is never read."""

    def redeem(
        self,
        profile_id: str,
        benefit_index: int,
        count: int,
        channel: Channel,  # noqa: ARG002 - the bug: the channel is never read
        *,
        owner: str | None = None,
    ) -> Mapping[str, Any] | None:
        return super().redeem(profile_id, benefit_index, count, "staff", owner=owner)


class ExpiryAtLocalMidnight(InMemoryService):
    """EXP-3: stores a claimed benefit's expiry at 00:00 local on its last day, not 23:59:59."""

    def claim(self, handle: str, profile_id: str, timezone: str) -> Mapping[str, Any] | None:
        if super().claim(handle, profile_id, timezone) is None:
            return None
        benefit = self.benefits[profile_id][-1]
        if benefit.expires_at is None:
            return benefit.to_api()
        local = benefit.expires_at.astimezone(benefit.zone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        self.benefits[profile_id][-1] = attrs.evolve(benefit, expires_at=midnight)
        return self.benefits[profile_id][-1].to_api()


class RedeemsJustAfterExpiry(InMemoryService):
    """EXP-1: compares expiry to the second, so a benefit still redeems up to 1 s after it."""

    def redeem(
        self,
        profile_id: str,
        benefit_index: int,
        count: int,
        channel: Channel,
        *,
        owner: str | None = None,
    ) -> Mapping[str, Any] | None:
        expires_at = self.benefits[owner or profile_id][benefit_index].expires_at
        now = self.at
        if expires_at is not None and expires_at < now <= expires_at + SECOND:
            self.at = expires_at  # "not expired yet"
        try:
            return super().redeem(profile_id, benefit_index, count, channel, owner=owner)
        finally:
            self.at = now


class RedeemsAnothersBenefit(InMemoryService):
    """RED-15: finds the benefit by its id alone, so any profile may redeem it."""

    def redeem(
        self,
        profile_id: str,
        benefit_index: int,
        count: int,
        channel: Channel,
        *,
        owner: str | None = None,
    ) -> Mapping[str, Any] | None:
        holder = owner or profile_id
        return super().redeem(holder, benefit_index, count, channel)


class ClaimsJustAfterWindow(InMemoryService):
    """CLM-6: lets a claim through up to 1 s after ``claim_period_end_at``."""

    def claim(self, handle: str, profile_id: str, timezone: str) -> Mapping[str, Any] | None:
        stored = self.definitions[handle]
        end = stored.claim_period_end_at
        if end is None:
            return super().claim(handle, profile_id, timezone)
        self.definitions[handle] = attrs.evolve(stored, claim_period_end_at=end + SECOND)
        try:
            return super().claim(handle, profile_id, timezone)
        finally:
            self.definitions[handle] = attrs.evolve(
                self.definitions[handle], claim_period_end_at=end
            )


class ReassignsAnyCredit(InMemoryService):
    """CRD-17: an edit moves a credit to another profile even when it is not reassignable."""

    def edit_credit(
        self, profile_id: str, credit_index: int, changes: Mapping[str, Any]
    ) -> Mapping[str, Any] | None:
        credit = self.credits[profile_id][credit_index]
        rules = credit.definition or lc.CreditDefinition()
        lenient = attrs.evolve(credit, definition=attrs.evolve(rules, is_reassignable=True))
        try:
            edited = lc.edit_credit(lenient, changes)
        except lc.LoyaltyError:
            return None
        self.credits[profile_id][credit_index] = attrs.evolve(edited, definition=credit.definition)
        return edited.to_api()


BROKEN: Final = {
    "RED-9-ignores-global-cap": IgnoresGlobalCap,
    "RED-10-stale-definition-copy": StaleDefinitionCopy,
    "EXT-3-extends-twice": ExtendsTwice,
    "RWD-3-latest-expiry-first": LatestExpiryFirst,
    "RED-6-customer-as-staff": CustomerAsStaff,
    "EXP-3-expiry-at-local-midnight": ExpiryAtLocalMidnight,
    "EXP-1-redeems-1s-after-expiry": RedeemsJustAfterExpiry,
    "CLM-6-claims-1s-after-window": ClaimsJustAfterWindow,
    "RED-15-redeems-anothers-benefit": RedeemsAnothersBenefit,
    "CRD-17-reassigns-any-credit": ReassignsAnyCredit,
}

DEFAULT_BUDGET: Final = settings(
    max_examples=100,  # hypothesis' default, whatever the profile says
    stateful_step_count=50,
    database=None,  # search afresh rather than replay a saved failure
    phases=[Phase.explicit, Phase.generate],  # shrinking only shortens the report
    report_multiple_bugs=False,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=False,
)


@attrs.define
class Run:
    """What one run found: the examples and seconds to the first failure, and the error."""

    examples: int = 0
    first_failure: int | None = None
    seconds: float | None = None
    # CPU seconds of this process: the measure holds on a busy machine too.
    started: float = attrs.field(factory=time.process_time)


class Measured(LoyaltyStateMachine):
    """The machine against one broken service, counting examples up to the first failure."""

    service: ClassVar[type[InMemoryService]] = InMemoryService
    run: ClassVar[Run] = Run()

    def make_adapter(self, start: Model) -> Adapter:
        type(self).run.examples += 1
        return self.service(start)

    def fail(self, message: str) -> NoReturn:
        found = type(self).run
        if found.first_failure is None:
            found.first_failure = found.examples
            found.seconds = time.process_time() - found.started
        super().fail(message)


def hunt(service: type[InMemoryService], at_seed: int | None = None) -> tuple[Run, Exception]:
    """Run the machine once against ``service``; return the run and the error it raised."""
    machine: type[Measured] = type(
        f"Against{service.__name__}", (Measured,), {"service": service, "run": Run()}
    )
    if at_seed is not None:
        machine = seed(at_seed)(machine)
    with pytest.raises((DivergenceError, ExceptionGroup)) as caught:
        run_state_machine_as_test(machine, settings=DEFAULT_BUDGET)
    return machine.run, caught.value


@pytest.mark.parametrize("service", BROKEN.values(), ids=BROKEN.keys())
def test_the_machine_finds_the_bug(service: type[InMemoryService]) -> None:
    found, error = hunt(service, at_seed=16)
    assert isinstance(error, DivergenceError), error
    assert found.first_failure is not None


def test_the_shipped_service_is_not_broken() -> None:
    machine: type[Measured] = type("AgainstShipped", (Measured,), {"run": Run()})
    budget = settings(DEFAULT_BUDGET, max_examples=25)
    run_state_machine_as_test(machine, settings=budget)
    assert machine.run.first_failure is None


SEEDS: Final = range(20)
ROOT: Final = Path(__file__).resolve().parent.parent


def measure(name: str) -> dict[str, Any]:
    """Hunt the broken adapter ``name`` once per seed; the figures of the issue's table."""
    runs = []
    for number in SEEDS:
        try:
            found, _ = hunt(BROKEN[name], at_seed=number)
        except pytest.fail.Exception:  # hunt's pytest.raises: the bug was not found
            continue
        runs.append(found)
    examples = [r.first_failure for r in runs if r.first_failure is not None]
    seconds = [r.seconds for r in runs if r.seconds is not None]
    return {
        "found": len(runs),
        "median_examples": statistics.median(examples) if examples else None,
        "median_seconds": statistics.median(seconds) if seconds else None,
        "max_seconds": max(seconds, default=None),
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", BROKEN.keys())
def test_detection_rate(name: str) -> None:
    """Each bug is found with at least 19 of 20 seeds at the default budget.

    Measured in a fresh interpreter that imports only this module and loyalty_core: hypothesis
    mixes the constants of every local module already imported into its draws, so within a
    test run the figures would also depend on which other test files happened to be imported
    first (we saw one adapter move between 18 and 20 of 20 that way). A fresh process measures
    the machine, the same on every run.
    """
    code = (
        "import json, sys; from tests.test_broken_adapters import measure; "
        "print(json.dumps(measure(sys.argv[1])))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code, name],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-2_000:]
    figures = json.loads(done.stdout.splitlines()[-1])
    print(f"{name}: {figures}")  # noqa: T201 - the measurement is the point; `-s` shows it
    assert figures["found"] >= 19, figures
