"""Benchmarks for claim and redemption checks against a hand-written floor (issue 4).

Run on demand: ``uv run python benchmarks/bench_claims.py [--million]``. The floor is an inline
function applying the same checks to the same plain values and returning the failed codes.
Goals, as same-run ratios: ``check_claim`` allowed with a compiled 2-clause condition <= 5x the
floor; refused with three reasons <= 15x; ``check_redemption`` <= 5x. ``--million`` also runs
1,000,000 ``check_claim`` calls and reports the cost per call in each tenth (it must stay flat).
"""

from __future__ import annotations

import sys
import time
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    Profile,
    check_claim,
    check_redemption,
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

    n = 20_000
    rows = [
        (
            "check_claim, allowed, 2-clause condition",
            best_ns(lambda: check_claim(OPEN, MEMBER, at=AT, timezone="UTC"), n),
            best_ns(lambda: floor_claim(PLAIN, member, AT), n),
            5.0,
        ),
        (
            "check_claim, refused with 3 reasons",
            best_ns(lambda: check_claim(CLOSED, OUTSIDER, at=AT, timezone="UTC"), n),
            best_ns(lambda: floor_claim(closed_plain, outsider, AT), n),
            15.0,
        ),
        (
            "check_redemption, allowed",
            best_ns(lambda: check_redemption(BENEFIT, at=AT), n),
            best_ns(lambda: floor_redemption(PLAIN_BENEFIT, AT, 1), n),
            5.0,
        ),
    ]
    print(f"{'measured':42} {'ns/call':>9} {'floor ns':>9} {'ratio':>7}  goal")
    missed = False
    for name, ours, floor, goal in rows:
        ratio = ours / floor
        missed |= ratio > goal
        verdict = "ok" if ratio <= goal else "MISSED"
        print(f"{name:42} {ours:9.0f} {floor:9.0f} {ratio:6.2f}x  <= {goal}x {verdict}")

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


if __name__ == "__main__":
    raise SystemExit(main())
