"""Benchmarks for the per-request decisions against a hand-written floor.

Run on demand: ``uv run python benchmarks/bench_claims.py [--million]``. The floor is an inline
function applying the same checks to the same plain values (dicts) and returning the failed
codes. Goals, as same-run ratios: ``check_claim`` allowed with a compiled 2-clause condition <= 4x
the floor; refused with three reasons <= 10x; ``check_redemption`` <= 3x. ``redeem_benefit``,
``check_credit_redemption`` and ``is_visible`` are reported against their floors. The
throughput row runs a request mix (half claims allowed, a fifth refused, the rest redemptions
applied with ``redeem_benefit``) and reports decisions per second on one core. ``--million``
also runs 1,000,000 ``check_claim`` calls and reports the cost per call in each tenth (it must
stay flat).
"""

from __future__ import annotations

import sys
import time
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    Credit,
    Profile,
    check_claim,
    check_credit_redemption,
    check_redemption,
    is_visible,
    redeem_benefit,
)

AT = datetime(2026, 3, 1, tzinfo=UTC)
CONDITION = {
    "and": [
        {">": [{"var": "aggregations.spend_12m"}, 1000]},
        {"===": [{"var": "tier_handle"}, "tier-2"]},
    ]
}
OPEN = BenefitDefinition(
    is_claimable=True,
    is_published=True,
    is_assignable=True,
    claim_period_start_at=datetime(2026, 1, 1, tzinfo=UTC),
    claim_period_end_at=datetime(2026, 12, 31, tzinfo=UTC),
    claim_condition=CONDITION,  # type: ignore[arg-type]
    max_global_redemptions=100,
    total_global_redemptions=3,
    period=30,
    max_redemptions=1,
)
CLOSED = BenefitDefinition(
    is_claimable=False,
    is_published=True,
    is_assignable=True,
    claim_period_start_at=datetime(2026, 1, 1, tzinfo=UTC),
    claim_period_end_at=datetime(2026, 2, 1, tzinfo=UTC),
    claim_condition=CONDITION,  # type: ignore[arg-type]
)
MEMBER = Profile(
    context={"id": "p-1", "tier_handle": "tier-2", "aggregations": {"spend_12m": 1500}}
)
OUTSIDER = Profile(
    context={"id": "p-2", "tier_handle": "tier-1", "aggregations": {"spend_12m": 10}}
)
VISIBLE = BenefitDefinition(is_published=True, view_condition=CONDITION)  # type: ignore[arg-type]
BENEFIT = Benefit(
    definition=OPEN,
    issued_at=datetime(2026, 2, 1, tzinfo=UTC),
    expires_at=datetime(2026, 4, 1, tzinfo=UTC),
    redemptions_remaining=1,
)

# The floor: the same facts as plain Python values, checked inline.
PLAIN: dict[str, Any] = {
    "is_claimable": True,
    "is_archived": False,
    "is_published": True,
    "is_assignable": True,
    "start": OPEN.claim_period_start_at,
    "end": OPEN.claim_period_end_at,
    "end_at": None,
    "max_global": 100,
    "total_global": 3,
}


def floor_claim(d: dict[str, Any], p: dict[str, Any], at: datetime) -> list[str]:
    """Hand-written claim checks on plain values: the failed codes."""
    failed = []
    if not d["is_claimable"]:
        failed.append("not_claimable")
    if d["is_archived"]:
        failed.append("archived")
    if not d["is_published"]:
        failed.append("unpublished")
    if not d["is_assignable"]:
        failed.append("not_assignable")
    if d["start"] is not None and at < d["start"]:
        failed.append("claim_window_not_open")
    if d["end"] is not None and at > d["end"]:
        failed.append("claim_window_closed")
    if d["end_at"] is not None and at > d["end_at"]:
        failed.append("definition_ended")
    if not (p["aggregations"]["spend_12m"] > 1000 and p["tier_handle"] == "tier-2"):
        failed.append("condition_not_met")
    if d["max_global"] is not None and d["max_global"] - d["total_global"] <= 0:
        failed.append("global_redemptions_exhausted")
    return failed


def floor_redemption(b: dict[str, Any], at: datetime, count: int) -> list[str]:
    """Hand-written redemption checks on plain values: the failed codes."""
    failed = []
    if b["issued_at"] is not None and at < b["issued_at"]:
        failed.append("not_yet_issued")
    if b["expires_at"] is not None and at > b["expires_at"]:
        failed.append("expired")
    if b["remaining"] == 0:
        failed.append("redemptions_exhausted")
    elif b["remaining"] is not None and count > b["remaining"]:
        failed.append("instance_limit_exceeded")
    left = None if b["max_global"] is None else max(0, b["max_global"] - b["total_global"])
    if left is not None and count > left:
        failed.append("global_limit_exceeded")
    return failed


PLAIN_BENEFIT: dict[str, Any] = {
    "issued_at": BENEFIT.issued_at,
    "expires_at": BENEFIT.expires_at,
    "remaining": 1,
    "max_global": 100,
    "total_global": 3,
}


def floor_redeem(b: dict[str, Any], d: dict[str, Any], at: datetime, count: int) -> Any:
    """Hand-written redeem: the checks, then the updated benefit and definition as new dicts."""
    if floor_redemption(b, at, count):
        return None
    definition = dict(d, total_global_redemptions=d["total_global_redemptions"] + count)
    remaining = b["remaining"]
    benefit = dict(b, remaining=None if remaining is None else remaining - count)
    benefit["definition"] = definition
    record = {"type": "benefit", "redeem_at": at, "items": [{"count": count}]}
    return benefit, record


CREDIT = Credit(
    value_initial=Decimal(50),
    value_remaining=Decimal("25.00"),
    issued_at=datetime(2026, 2, 1, tzinfo=UTC),
)
PLAIN_CREDIT: dict[str, Any] = {
    "issued_at": CREDIT.issued_at,
    "released_at": None,
    "expires_at": None,
    "locked": False,
    "lock_expires_at": None,
    "require_code": False,
    "code": None,
    "remaining": CREDIT.value_remaining,
}


def floor_credit(c: dict[str, Any], amount: Decimal, at: datetime, code: str | None) -> list[str]:
    """Hand-written credit checks on plain values: the failed codes (CRD-6 to CRD-12)."""
    failed = []
    if c["issued_at"] is not None and at < c["issued_at"]:
        failed.append("not_yet_issued")
    if c["released_at"] is not None and at < c["released_at"]:
        failed.append("not_released")
    if c["expires_at"] is not None and at > c["expires_at"]:
        failed.append("expired")
    if c["locked"] and (c["lock_expires_at"] is None or at < c["lock_expires_at"]):
        failed.append("locked")
    if c["require_code"] and not code:
        failed.append("security_code_required")
    if code and c["code"] and code != c["code"]:
        failed.append("security_code_mismatch")
    if amount > c["remaining"]:
        failed.append("insufficient_value")
    return failed


def floor_visible(d: dict[str, Any], p: dict[str, Any]) -> bool:
    """Hand-written VIS-1: published, not archived, the view condition holds."""
    return bool(
        d["is_published"]
        and not d["is_archived"]
        and p["aggregations"]["spend_12m"] > 1000
        and p["tier_handle"] == "tier-2"
    )


def best_ns(func: Callable[[], object], number: int) -> float:
    """Best per-call time in ns over 7 repeats."""
    return min(timeit.repeat(func, number=number, repeat=7)) / number * 1e9


def main() -> int:
    """Print the table; exit 1 when a goal is missed."""
    member, outsider = dict(MEMBER.context), dict(OUTSIDER.context)
    closed_plain = {**PLAIN, "is_claimable": False, "end": CLOSED.claim_period_end_at}
    assert floor_claim(PLAIN, member, AT) == []
    assert check_claim(OPEN, MEMBER, at=AT, timezone="UTC").allowed
    refused = check_claim(CLOSED, OUTSIDER, at=AT, timezone="UTC")
    codes = [r.code.value for r in refused.reasons]
    assert codes == floor_claim(closed_plain, outsider, AT)
    assert codes == ["not_claimable", "claim_window_closed", "condition_not_met"], codes
    assert check_redemption(BENEFIT, at=AT).allowed
    assert floor_redemption(PLAIN_BENEFIT, AT, 1) == []

    plain_definition = {a.name: getattr(OPEN, a.name) for a in attrs.fields(BenefitDefinition)}
    assert redeem_benefit(BENEFIT, at=AT).decision.allowed
    assert floor_redeem(PLAIN_BENEFIT, plain_definition, AT, 1) is not None
    ten = Decimal(10)
    assert check_credit_redemption(CREDIT, ten, at=AT).allowed
    assert floor_credit(PLAIN_CREDIT, ten, AT, None) == []
    assert is_visible(VISIBLE, MEMBER, at=AT) is floor_visible(PLAIN, member) is True

    n = 20_000
    rows: list[tuple[str, float, float, float | None]] = [
        (
            "check_claim, allowed, 2-clause condition",
            best_ns(lambda: check_claim(OPEN, MEMBER, at=AT, timezone="UTC"), n),
            best_ns(lambda: floor_claim(PLAIN, member, AT), n),
            4.0,
        ),
        (
            "check_claim, refused with 3 reasons",
            best_ns(lambda: check_claim(CLOSED, OUTSIDER, at=AT, timezone="UTC"), n),
            best_ns(lambda: floor_claim(closed_plain, outsider, AT), n),
            10.0,
        ),
        (
            "check_redemption, allowed",
            best_ns(lambda: check_redemption(BENEFIT, at=AT), n),
            best_ns(lambda: floor_redemption(PLAIN_BENEFIT, AT, 1), n),
            3.0,
        ),
        (
            "redeem_benefit, allowed (new values)",
            best_ns(lambda: redeem_benefit(BENEFIT, at=AT), n // 10),
            best_ns(lambda: floor_redeem(PLAIN_BENEFIT, plain_definition, AT, 1), n // 10),
            None,
        ),
        (
            "check_credit_redemption, allowed",
            best_ns(lambda: check_credit_redemption(CREDIT, ten, at=AT), n),
            best_ns(lambda: floor_credit(PLAIN_CREDIT, ten, AT, None), n),
            None,
        ),
        (
            "is_visible, 2-clause view condition",
            best_ns(lambda: is_visible(VISIBLE, MEMBER, at=AT), n),
            best_ns(lambda: floor_visible(PLAIN, member), n),
            None,
        ),
    ]
    print(f"{'measured':42} {'ns/call':>9} {'floor ns':>9} {'ratio':>7}  goal")
    missed = False
    for name, ours, floor, goal in rows:
        ratio = ours / floor
        if goal is None:
            print(f"{name:42} {ours:9.0f} {floor:9.0f} {ratio:6.2f}x  (reported)")
            continue
        missed |= ratio > goal
        verdict = "ok" if ratio <= goal else "MISSED"
        print(f"{name:42} {ours:9.0f} {floor:9.0f} {ratio:6.2f}x  <= {goal}x {verdict}")
    throughput()

    if "--million" in sys.argv:
        chunk = 100_000
        per_call = []
        for _ in range(10):
            start = time.perf_counter()
            for _ in range(chunk):
                check_claim(OPEN, MEMBER, at=AT, timezone="UTC")
            per_call.append((time.perf_counter() - start) / chunk * 1e9)
        print(
            "1,000,000 check_claim calls, ns/call per tenth:",
            " ".join(f"{v:.0f}" for v in per_call),
        )
        print(f"last tenth / first tenth: {per_call[-1] / per_call[0]:.2f}")
    return 1 if missed else 0


def throughput(requests: int = 200_000) -> None:
    """Decisions per second on one core for a realistic mix, against the floor's mix."""
    member, outsider = dict(MEMBER.context), dict(OUTSIDER.context)
    closed_plain = {**PLAIN, "is_claimable": False, "end": CLOSED.claim_period_end_at}
    plain_definition = {a.name: getattr(OPEN, a.name) for a in attrs.fields(BenefitDefinition)}
    ours: list[Callable[[], object]] = [
        lambda: check_claim(OPEN, MEMBER, at=AT, timezone="UTC"),
        lambda: check_claim(CLOSED, OUTSIDER, at=AT, timezone="UTC"),
        lambda: redeem_benefit(BENEFIT, at=AT),
    ]
    floors: list[Callable[[], object]] = [
        lambda: floor_claim(PLAIN, member, AT),
        lambda: floor_claim(closed_plain, outsider, AT),
        lambda: floor_redeem(PLAIN_BENEFIT, plain_definition, AT, 1),
    ]
    # Half claims allowed, a fifth refused, three tenths redemptions, interleaved.
    mix = [0] * 5 + [1] * 2 + [2] * 3
    plan = [mix[i % len(mix)] for i in range(requests)]
    for label, calls in (("loyalty_core", ours), ("floor", floors)):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for index in plan:
                calls[index]()
            best = min(best, time.perf_counter() - start)
        print(f"throughput, {label}: {requests / best:,.0f} decisions/s on one core")


if __name__ == "__main__":
    raise SystemExit(main())
