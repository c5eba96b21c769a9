"""Benchmark ``extend`` of 1,000 rewards against a minimal stdlib reference (issue 5).

Run on demand: ``uv run python benchmarks/bench_extension.py``. The reference extends the same
plain values (expiry, zone) by N calendar days, wall time kept, with zoneinfo, and builds the
updated reward with ``attrs.evolve``: the least work that gives the same result. Goal: ``extend``
within 2x of it per item.
"""

from __future__ import annotations

import timeit
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs

from loyalty_core import Reward, RewardDefinition, extend

AT = datetime(2026, 4, 3, tzinfo=UTC)
ZONES = ("Australia/Melbourne", "America/New_York", "Europe/London", "UTC")
DEFINITION = RewardDefinition(is_extendable=True)
REWARDS = [
    Reward(
        id=i,
        profile_id="p-1",
        value_initial=Decimal(10),
        timezone=ZONES[i % len(ZONES)],
        # the last second of a local day (most real expiries) or 17:00 local
        expires_at=datetime(2026, 3, 1 + i % 28, 12 + i % 12, 59, 59, tzinfo=UTC),
        definition=DEFINITION,
    )
    for i in range(1000)
]


def reference(rewards: list[Reward], days: int) -> list[Reward]:
    """N calendar days in each reward's zone, wall time kept (end of day stays end of day)."""
    out = []
    one = timedelta(days=1)
    for reward in rewards:
        tz = ZoneInfo(reward.timezone or "UTC")
        expires = reward.expires_at
        assert expires is not None
        local = expires.astimezone(tz)
        day = local.date()
        end = datetime.combine(day + one, time(), tz).astimezone(UTC) - timedelta(seconds=1)
        target = day + timedelta(days=days)
        if expires == end:
            new = datetime.combine(target + one, time(), tz).astimezone(UTC) - timedelta(seconds=1)
        else:
            new = datetime.combine(target, local.time(), tz).astimezone(UTC)
        out.append(attrs.evolve(reward, expires_at=new, extended_at=AT, has_notified_expiry=False))
    return out


def main() -> int:
    """Print ours vs the reference per item; exit 1 when the goal is missed."""
    ours = extend(REWARDS, profile_id="p-1", at=AT, extend_days=30).extended
    assert list(ours) == reference(REWARDS, 30)
    number = 5
    ours_ns = (
        min(
            timeit.repeat(
                lambda: extend(REWARDS, profile_id="p-1", at=AT, extend_days=30),
                number=number,
                repeat=5,
            )
        )
        / number
        / len(REWARDS)
        * 1e9
    )
    ref_ns = (
        min(timeit.repeat(lambda: reference(REWARDS, 30), number=number, repeat=5))
        / number
        / len(REWARDS)
        * 1e9
    )
    ratio = ours_ns / ref_ns
    verdict = "ok" if ratio <= 2.0 else "MISSED"
    print(f"extend, 1,000 rewards: {ours_ns:.0f} ns/item; reference {ref_ns:.0f} ns/item;")
    print(f"ratio {ratio:.2f}x (goal <= 2x) {verdict}")
    return 0 if ratio <= 2.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
