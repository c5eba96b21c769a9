"""The shipped reference adapter, scoped machines and the install hint (issue 16)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings

import loyalty_core as lc
from loyalty_core.testing import InMemoryService
from loyalty_core.testing.model import (
    NUDGES,
    Adapter,
    DivergenceError,
    LoyaltyStateMachine,
    Member,
    Model,
    boundaries,
    observe,
    scope,
)
from tests.helpers import budget, definition

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


class ShippedMachine(LoyaltyStateMachine):
    def make_adapter(self, start: Model) -> Adapter:
        return InMemoryService(start)


ShippedMachine.TestCase.settings = settings(
    max_examples=budget(150),
    stateful_step_count=50,
    suppress_health_check=[HealthCheck.too_slow],
)
TestShippedService = ShippedMachine.TestCase
"""The shipped adapter agrees with the model on every operation, at every boundary."""


ClaimsAndRedemptions = ShippedMachine.scoped({"claim", "redeem"})
ClaimsAndRedemptions.TestCase.settings = settings(
    max_examples=budget(40), suppress_health_check=[HealthCheck.too_slow]
)
TestClaimsAndRedemptions = ClaimsAndRedemptions.TestCase


class RewardsOnly:
    """Only what a rewards service has: no claim, redeem or credit methods at all."""

    def __init__(self, start: Model) -> None:
        self.inner = InMemoryService(start)

    def redeem_rewards(self, profile_id: str, amount: Decimal, *, strict: bool) -> Decimal | None:
        return self.inner.redeem_rewards(profile_id, amount, strict=strict)

    def extend(self, *args: object) -> object:
        return self.inner.extend(*args)  # type: ignore[arg-type]

    def advance(self, to: datetime) -> None:
        self.inner.advance(to)

    def state(self) -> object:
        return self.inner.state()


class RewardsMachine(LoyaltyStateMachine):
    operations = frozenset({"rewards"})

    def make_adapter(self, start: Model) -> RewardsOnly:  # type: ignore[override]
        assert start.definitions == ()
        assert all(not m.benefits and not m.credits for m in start.members)
        return RewardsOnly(start)


RewardsMachine.TestCase.settings = settings(
    max_examples=budget(40), suppress_health_check=[HealthCheck.too_slow]
)
TestRewardsOnly = RewardsMachine.TestCase
"""A scoped machine calls only the scope's methods: RewardsOnly has no claim or edit_credit."""


class TestScope:
    def test_families_and_names(self) -> None:
        assert scope({"benefits"}).kinds == ("benefit",)
        assert scope({"claim", "redeem_rewards"}).kinds == ("benefit", "reward")
        assert scope({"extend"}).kinds == ("benefit", "reward", "credit")
        assert scope("credits").operations == {"edit_credit", "extend"}

    def test_unknown_name(self) -> None:
        with pytest.raises(lc.InvalidRequest, match="unknown operation 'redeem_credit'") as info:
            LoyaltyStateMachine.scoped({"redeem_credit"})
        assert [p.where for p in info.value.problems] == ["operations"]
        assert "did you mean 'edit_credit'?" in str(info.value)
        with pytest.raises(lc.InvalidRequest, match="unknown operation 5"):
            scope([5])  # type: ignore[list-item]

    def test_scoped_subclass_keeps_the_adapter(self) -> None:
        machine = ClaimsAndRedemptions()
        assert isinstance(machine, ShippedMachine)
        assert machine.scope.operations == {"claim", "redeem"}


class TestBoundaries:
    """The clock can land exactly on, and just after, every instant an answer changes at."""

    def test_expiry_window_end_and_lock(self) -> None:
        ends = AT + timedelta(hours=5)
        window = definition(handle="d-1", claim_period_end_at=ends, end_at=ends + timedelta(1))
        credit = lc.Credit(
            id=1,
            value_initial=Decimal(5),
            timezone="UTC",
            expires_at=AT + timedelta(hours=3),
            lock_expires_at=AT + timedelta(hours=2),
            locked=True,
        )
        model = Model(
            at=AT,
            definitions=(window,),
            members=(Member(profile=lc.Profile(id="p-1"), credits=(credit,)),),
        )
        found = boundaries(model)
        for instant in (ends, ends + timedelta(1), credit.expires_at, credit.lock_expires_at):
            assert instant in found
        assert found == sorted(found)
        assert all(b > AT - timedelta(seconds=1) for b in found)
        assert timedelta(microseconds=1) in NUDGES

    def test_dst_transition_of_an_item_zone(self) -> None:
        # Melbourne leaves DST on 2026-04-05 at 03:00 local (16:00 UTC on the 4th).
        model = Model(at=AT, members=(Member(profile=lc.Profile(id="p-1")),))
        assert datetime(2026, 4, 4, 16, tzinfo=UTC) in boundaries(model)


class TestInMemoryService:
    """The shipped adapter's own behaviour (RED-10, CLM-18)."""

    def test_counters_reach_every_holder(self) -> None:
        coffee = definition(handle="coffee", max_redemptions=2, max_global_redemptions=3)
        members = (Member(profile=lc.Profile(id="p-1")), Member(profile=lc.Profile(id="p-2")))
        service = InMemoryService(Model(at=AT, definitions=(coffee,), members=members))
        assert service.claim("coffee", "p-1", "UTC") is not None
        assert service.claim("coffee", "p-2", "UTC") is not None
        assert service.redeem("p-1", 0, 2, "api") is not None
        assert service.redeem("p-2", 0, 2, "api") is None  # RED-9 global cap, seen via RED-10
        state = observe(service.state())
        assert state["definitions"]["coffee"]["total_global_redemptions"] == 2

    def test_bad_input_is_none(self) -> None:
        service = InMemoryService(Model(at=AT, members=(Member(profile=lc.Profile(id="p-1")),)))
        assert service.redeem_rewards("p-1", Decimal(0), strict=False) is None  # RWD-4


def _import_without_hypothesis(module: str) -> subprocess.CompletedProcess[str]:
    code = f"import sys; sys.modules['hypothesis'] = None; import {module}"
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "module", ["loyalty_core.testing.strategies", "loyalty_core.testing.model"]
)
def test_install_hint_without_hypothesis(module: str) -> None:
    found = _import_without_hypothesis(module)
    assert found.returncode != 0
    assert "ImportError: " + module + " needs hypothesis" in found.stderr
    assert "pip install 'loyalty-core[testing]'" in found.stderr


def test_service_and_package_need_no_hypothesis() -> None:
    found = _import_without_hypothesis("loyalty_core.testing.service, loyalty_core.testing")
    assert found.returncode == 0, found.stderr


class TestReadableFailures:
    """A failure reads in a few lines: the step first, then each diverging field."""

    def test_compact_model_repr(self) -> None:
        coffee = definition(handle="coffee", period=7, max_redemptions=2)
        model, _ = Model(
            at=AT, definitions=(coffee,), members=(Member(profile=lc.Profile(id="p-1")),)
        ).claim("coffee", "p-1", "UTC")
        shown = repr(model)
        assert "notify_" not in shown  # defaults are left out
        assert "definition='coffee'" in shown  # a benefit names its definition by handle
        assert shown.startswith("Model(at=2026-03-01T12:00:00Z, definitions=[BenefitDefinition(")
        assert len(shown) < 600  # 788 with attrs' repr; hypothesis printed every field

    def test_divergence_names_the_step_and_the_fields(self) -> None:
        from hypothesis import Phase
        from hypothesis.stateful import run_state_machine_as_test

        from tests.test_broken_adapters import DEFAULT_BUDGET, StaleDefinitionCopy

        class Stale(LoyaltyStateMachine):
            def make_adapter(self, start: Model) -> Adapter:
                return StaleDefinitionCopy(start)

        quick = settings(DEFAULT_BUDGET, phases=[Phase.generate])
        with pytest.raises(DivergenceError) as caught:
            run_state_machine_as_test(Stale, settings=quick)
        first = str(caught.value).splitlines()
        assert first[0].startswith("step ")
        assert " at 20" in first[0]
        if "differs from the model's" in first[0]:  # then one line per field
            assert all(": model " in line and ", service " in line for line in first[1:])
