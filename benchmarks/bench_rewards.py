"""Benchmark of reward redemption against a minimal sort-and-consume reference (issue 5).

Run on demand: ``uv run python benchmarks/bench_rewards.py``. The reference is an inline
function over the same facts as plain tuples ``(id, issued_at, expires_at, remaining)``: it
keeps the active ones (RWD-1), sorts them by (expiry, issued_at, id) with nulls last (RWD-3),
takes from each until the amount is covered (RWD-6) and returns the deductions and the new
tuples. Goal, as a same-run ratio: ``redeem_rewards`` over 50 rewards <= 3x the reference.
"""

from __future__ import annotations

import functools
import math
import timeit
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from loyalty_core.rewards import Reward, RewardDefinition, redeem_rewards

AT = datetime(2025, 6, 25, 2, tzinfo=UTC)
NEVER = datetime.max.replace(tzinfo=UTC)
DEFINITION = RewardDefinition(id=1, name="Birthday", is_extendable=True, period=30)
GOAL = 3.0

Plain = tuple[int | None, datetime | None, datetime | None, Decimal]


def build(count: int) -> list[Reward]:
    """``count`` rewards: mostly active, a few expired, future or used up, some null fields."""
    found = []
    for i in range(count):
        issued = AT - timedelta(days=(i * 7) % 40) if i % 9 else None
        expires = AT + timedelta(days=(i * 13) % 60 - 5) if i % 7 else None
        remaining = Decimal(0) if i % 11 == 10 else Decimal(f"{(i * 37) % 50 + 1}.{i % 100:02d}")
        found.append(
            Reward(
                id=None if i % 17 == 16 else 1000 - i,
                profile_id="p-1",
                timezone="Australia/Melbourne",
                value_initial=remaining + 5,
                value_remaining=remaining,
                issued_at=issued,
                expires_at=expires,
                definition=DEFINITION,
            )
        )
    return found


def reference(
    items: list[Plain], amount: Decimal, at: datetime
) -> tuple[list[tuple[int | None, Decimal]], list[Plain]]:
    """Sort and consume on plain tuples: the deductions and the updated tuples."""
    active = [
        (i, item)
        for i, item in enumerate(items)
        if (item[1] is None or item[1] <= at) and (item[2] is None or at <= item[2]) and item[3] > 0
    ]
    active.sort(
        key=lambda pair: (
            NEVER if pair[1][2] is None else pair[1][2],
            NEVER if pair[1][1] is None else pair[1][1],
            math.inf if pair[1][0] is None else pair[1][0],
        )
    )
    needed = amount
    deductions = []
    updated = list(items)
    for i, (ident, issued, expires, remaining) in active:
        take = min(remaining, needed)
        deductions.append((ident, take))
        updated[i] = (ident, issued, expires, remaining - take)
        needed -= take
        if not needed:
            break
    return deductions, updated


def best_ns(func: Callable[[], object], number: int) -> float:
    """Best per-call time in ns over 7 repeats."""
    return min(timeit.repeat(func, number=number, repeat=7)) / number * 1e9


def main() -> int:
    """Print the table; exit 1 when a goal is missed."""
    rewards = build(50)
    plain: list[Plain] = [(r.id, r.issued_at, r.expires_at, r.value_remaining) for r in rewards]
    cases = [
        ("50 rewards, amount 60 (a few consumed)", Decimal(60)),
        ("50 rewards, amount 10000 (all consumed)", Decimal(10000)),
    ]
    print(f"{'measured':44} {'ns/call':>9} {'ref ns':>9} {'ratio':>7}  goal")
    missed = False
    for name, amount in cases:
        ours = redeem_rewards(rewards, amount, at=AT)
        deductions, updated = reference(plain, amount, AT)
        assert list(ours.deductions) == deductions
        assert [r.value_remaining for r in ours.rewards] == [u[3] for u in updated]
        n = 2_000
        ours_ns = best_ns(functools.partial(redeem_rewards, rewards, amount, at=AT), n)
        ref_ns = best_ns(functools.partial(reference, plain, amount, AT), n)
        ratio = ours_ns / ref_ns
        missed |= ratio > GOAL
        verdict = "ok" if ratio <= GOAL else "MISSED"
        print(f"{name:44} {ours_ns:9.0f} {ref_ns:9.0f} {ratio:6.2f}x  <= {GOAL}x {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
