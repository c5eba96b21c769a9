"""Benchmarks for the foundation: expiry, the payload boundary, and the choice of time library.

Run on demand (never in CI's test run): ``uv run python benchmarks/bench_foundation.py``.
Every figure is printed beside a reference measured in the same run, so the ratios hold on any
machine. Targets (issue 2): ``compute_expiry`` within 1.5x of a minimal stdlib recipe for the
same result; ``Benefit.from_api`` within 2x of a hand-written dict-to-constructor; a
definition whose condition is cached within 1.5x of a hand-written constructor that does not
compile.
"""

from __future__ import annotations

import json
import sys
import timeit
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pendulum

from loyalty_core import Benefit, BenefitDefinition, compute_expiry
from loyalty_core._fields import DERIVED
from loyalty_core.conditions import clear_cache, to_condition

ROOT = Path(__file__).resolve().parent.parent
MEL = ZoneInfo("Australia/Melbourne")
ISSUED = datetime(2026, 3, 19, 23, 0, tzinfo=UTC)
EXPECTED = datetime(2026, 4, 19, 13, 59, 59, tzinfo=UTC)


def best_ns(func: Callable[[], object], *, number: int, repeat: int = 7) -> float:
    """Return the best per-call time in nanoseconds over ``repeat`` runs of ``number`` calls."""
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number * 1e9


# --- compute_expiry against the minimal stdlib recipe ----------------------------------------


def stdlib_expiry() -> datetime:
    """The least code that gives the same answer in every zone.

    Local date + N days, next midnight - 1 s, and the check that the midnight exists (TIME-8: a
    day whose midnight falls in a gap starts at the gap's end; that branch never runs here).
    """
    day = ISSUED.astimezone(MEL).date() + timedelta(days=31)
    start = datetime.combine(day, time(), MEL).astimezone(UTC)
    back = start.astimezone(MEL)
    if back.hour or back.minute or back.second or back.day != day.day:  # pragma: no cover
        raise NotImplementedError
    return start - timedelta(seconds=1)


def ours_expiry() -> datetime | None:
    """The library call under test."""
    return compute_expiry(ISSUED, timezone="Australia/Melbourne", period=30)


def pendulum_expiry() -> datetime:
    """The same computation written with pendulum 3."""
    local = pendulum.instance(ISSUED).in_timezone("Australia/Melbourne")
    return local.add(days=30).end_of("day").replace(microsecond=0).in_timezone("UTC")


# --- from_api against a hand-written dict-to-constructor --------------------------------------


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def _rest(data: dict[str, Any], cls: type[Any]) -> dict[str, Any]:
    """The keys a value does not model, kept as ``extra`` (PAY-10), derived keys left out."""
    skip = {a.name for a in attrs.fields(cls)} | DERIVED
    return {key: value for key, value in data.items() if key not in skip}


def hand_written(data: dict[str, Any]) -> Benefit:
    """What a careful user would write by hand for the fields loyalty_core stores and keeps."""
    d = data["definition"]
    definition = definition_by_hand(
        d, to_condition(d["claim_condition"]), to_condition(d["view_condition"])
    )
    return Benefit(
        id=data["id"],
        profile_id=data["profile_id"],
        external_id=data["external_id"],
        timezone=data["timezone"],
        issued_at=_dt(data["issued_at"]),
        claimed_at=_dt(data["claimed_at"]),
        expires_at=_dt(data["expires_at"]),
        extended_at=_dt(data["extended_at"]),
        redemptions_remaining=data["redemptions_remaining"],
        meta=data["meta"],
        definition=definition,
        extra=_rest(data, Benefit),
    )


def definition_by_hand(d: dict[str, Any], claim: Any, view: Any) -> BenefitDefinition:
    """A definition built by hand from its JSON, given its conditions already compiled."""
    return BenefitDefinition(
        id=d["id"],
        name=d["name"],
        handle=d["handle"],
        region_id=d["region_id"],
        period=d["period"],
        max_redemptions=d["max_redemptions"],
        max_global_redemptions=d["max_global_redemptions"],
        is_extendable=bool(d["is_extendable"]),
        is_assignable=bool(d["is_assignable"]),
        is_reassignable=bool(d["is_reassignable"]),
        is_published=bool(d["is_published"]),
        is_archived=bool(d["is_archived"]),
        is_claimable=bool(d["is_claimable"]),
        is_reclaimable=bool(d["is_reclaimable"]),
        allow_user_redeem=d["allow_user_redeem"] is not False,
        force_allocation=bool(d["force_allocation"]),
        claim_period_start_at=_dt(d["claim_period_start_at"]),
        claim_period_end_at=_dt(d["claim_period_end_at"]),
        end_at=_dt(d["end_at"]),
        claim_condition=claim,
        view_condition=view,
        notify_schedule_offset=d["notify_schedule_offset"],
        notify_issue_offset_days=d["notify_issue_offset_days"],
        notify_issue_offset_hour=d["notify_issue_offset_hour"],
        notify_remind_offset_days=d["notify_remind_offset_days"],
        notify_remind_offset_hour=d["notify_remind_offset_hour"],
        notify_extend_offset_days=d["notify_extend_offset_days"],
        notify_extend_offset_hour=d["notify_extend_offset_hour"],
        remind_target_id=d["remind_target_id"],
        extend_target_id=d["extend_target_id"],
        issue_target_id=d["issue_target_id"],
        same_campaign_count=d["same_campaign_count"],
        extra=_rest(d, BenefitDefinition),
    )


# --- the report ---------------------------------------------------------------------------------


def main() -> int:
    """Print the table; exit 1 if a target is missed."""
    assert ours_expiry() == stdlib_expiry() == EXPECTED == pendulum_expiry()
    payload = json.loads((ROOT / "tests/data/claim_benefit_response.json").read_text())["data"]
    assert Benefit.from_api(payload) == hand_written(payload)

    rows: list[tuple[str, float, str, float, float | None]] = []
    stdlib_ns = best_ns(stdlib_expiry, number=20_000)
    ours_ns = best_ns(ours_expiry, number=20_000)
    pendulum_ns = best_ns(pendulum_expiry, number=2_000)
    rows.append(("compute_expiry (30 days, Melbourne)", ours_ns, "stdlib recipe", stdlib_ns, 1.5))
    rows.append(("pendulum 3, same expiry", pendulum_ns, "stdlib recipe", stdlib_ns, None))

    ours_parse = best_ns(lambda: Benefit.from_api(payload), number=2_000)
    hand_parse = best_ns(lambda: hand_written(payload), number=2_000)
    rows.append(
        ("Benefit.from_api (Claim Benefit response)", ours_parse, "hand-written", hand_parse, 2.0)
    )
    # A definition whose condition was seen before: from_api finds it in the condition cache;
    # the reference is given the compiled conditions, so neither compiles.
    d = payload["definition"]
    claim, view = to_condition(d["claim_condition"]), to_condition(d["view_condition"])
    assert BenefitDefinition.from_api(d) == definition_by_hand(d, claim, view)
    rows.append(
        (
            "BenefitDefinition.from_api, condition cached",
            best_ns(lambda: BenefitDefinition.from_api(d), number=2_000),
            "hand-written, no compiling",
            best_ns(lambda: definition_by_hand(d, claim, view), number=2_000),
            1.5,
        )
    )

    def compiling() -> BenefitDefinition:
        clear_cache()
        return BenefitDefinition.from_api(d)

    first = best_ns(compiling, number=500)
    rows.append(
        (
            "BenefitDefinition.from_api, compiling",
            first,
            "hand-written, no compiling",
            best_ns(lambda: definition_by_hand(d, claim, view), number=2_000),
            None,
        )
    )
    rendered = Benefit.from_api(payload)
    rows.append(
        ("Benefit.to_api", best_ns(rendered.to_api, number=2_000), "from_api", ours_parse, None)
    )

    # Local wall time -> instant, in a fold: stdlib vs pendulum (Q39 wants the earlier instant).
    ny = ZoneInfo("America/New_York")
    wall_std = datetime(2026, 11, 1, 1, 30, tzinfo=ny).astimezone(UTC)
    wall_pen = pendulum.datetime(2026, 11, 1, 1, 30, tz="America/New_York").in_timezone("UTC")
    local_std = best_ns(lambda: ISSUED.astimezone(MEL).date(), number=50_000)
    local_pen = best_ns(
        lambda: pendulum.instance(ISSUED).in_timezone("Australia/Melbourne").date(), number=5_000
    )
    rows.append(("local date, pendulum", local_pen, "local date, zoneinfo", local_std, None))
    start_std = best_ns(
        lambda: datetime.combine(date(2026, 4, 5), time(), MEL).astimezone(UTC), number=50_000
    )
    start_pen = best_ns(
        lambda: pendulum.datetime(2026, 4, 5, tz="Australia/Melbourne").in_timezone("UTC"),
        number=5_000,
    )
    rows.append(
        ("start of local day, pendulum", start_pen, "start of local day, zoneinfo", start_std, None)
    )

    print(f"python {sys.version.split()[0]}, pendulum {metadata.version('pendulum')}")
    print(
        f"{'measured':44} {'ns/call':>10}   {'reference':30} {'ns/call':>10} {'ratio':>7}  target"
    )
    missed = False
    for name, value, ref_name, ref, target in rows:
        ratio = value / ref
        verdict = (
            "" if target is None else (f"<= {target}x " + ("ok" if ratio <= target else "MISSED"))
        )
        missed |= target is not None and ratio > target
        print(f"{name:44} {value:10.0f}   {ref_name:30} {ref:10.0f} {ratio:6.2f}x  {verdict}")
    print()
    print("ambiguous 2026-11-01 01:30 America/New_York (Q39 wants the earlier, 05:30Z):")
    print(f"  zoneinfo fold=0 -> {wall_std:%H:%MZ}; pendulum.datetime -> {wall_pen:%H:%MZ}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
