"""Benchmarks for batch claim eligibility with the python engine (issue 7).

Every run here passes ``engine="python"``, the loop over ``check_claim``: the vectorised
engine (issue 13) has its own benchmark, ``bench_vectorized.py``.

Run on demand: ``uv run python benchmarks/bench_analysis.py [--sizes 10000,100000,1000000]
[--dask 200000]``.

For each size N, N members (half of them pass the 2-clause condition) are checked against one
definition, so there are N (member, definition) pairs:

- **loop**: the reference cost, measured in the same run: ``check_claim`` for every pair plus
  building its row as a dict (the same fields ``claim_eligibility`` returns: codes, messages,
  ``retry_at``), appended to a list;
- **batch**: ``claim_eligibility(profiles, definition, …)`` into a pandas DataFrame, from a
  list of ``Profile`` values;
- **frame**: the same from a pandas DataFrame of members (dotted columns, converted per row);
- **lean**: the batch from ``Profile`` values with ``messages=False``.

Goal: batch per pair <= 2x loop per pair, flat from 10k to 1M pairs; memory <= 2 GB at 1M.
Memory is measured for each size in a fresh process: its peak resident set with the inputs
built (1M ``Profile`` values), then after the batch. ``--dask N`` also runs N pairs in-process
and with Dask ``map_partitions`` on a two-worker local cluster, and reports the speed-up (the
cluster's start-up and loading the members onto it are excluded).
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from loyalty_core import BenefitDefinition, Profile, check_claim
from loyalty_core.analysis import CLAIM_CODES, claim_eligibility

AT = datetime(2027, 3, 1, tzinfo=UTC)
CONDITION = {
    "and": [
        {">": [{"var": "aggregations.spend_12m"}, 1000]},
        {"===": [{"var": "tier_handle"}, "tier-2"]},
    ]
}
DEFINITION = BenefitDefinition(
    id=1,
    handle="march-lounge",
    is_claimable=True,
    is_published=True,
    is_assignable=True,
    claim_period_start_at=datetime(2027, 1, 1, tzinfo=UTC),
    claim_condition=CONDITION,  # type: ignore[arg-type]
    period=30,
    max_redemptions=1,
)
CODES = tuple(code.value for code in CLAIM_CODES)


def member_rows(count: int) -> list[dict[str, Any]]:
    """Profile JSON for ``count`` members; even ones pass the condition, odd ones fail it."""
    return [
        {
            "id": f"m-{index:07d}",
            "tier_handle": "tier-2" if index % 4 != 3 else "tier-1",
            "aggregations": {"spend_12m": 1500 if index % 2 == 0 else 500},
        }
        for index in range(count)
    ]


def member_frame(count: int) -> pd.DataFrame:
    """The same members as a flat pandas frame with a dotted column."""
    rows = member_rows(count)
    return pd.DataFrame(
        {
            "id": [r["id"] for r in rows],
            "tier_handle": [r["tier_handle"] for r in rows],
            "aggregations.spend_12m": [r["aggregations"]["spend_12m"] for r in rows],
        }
    )


def loop(profiles: list[Profile]) -> list[dict[str, Any]]:
    """The reference: check_claim per pair, and the row built as a dict."""
    out = []
    for profile in profiles:
        decision = check_claim(DEFINITION, profile, at=AT, timezone="UTC")
        codes = {r.code.value for r in decision.reasons}
        row: dict[str, Any] = {
            "profile_id": profile.id,
            "definition": DEFINITION.handle,
            "at": AT,
            "timezone": "UTC",
            "allowed": decision.allowed,
        }
        for code in CODES:
            row[code] = code in codes
        row["reasons"] = ", ".join(r.code.value for r in decision.reasons)
        row["messages"] = [r.message for r in decision.reasons]
        row["retry_at"] = decision.retry_at
        out.append(row)
    return out


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The best wall time of ``repeat`` runs, and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def _status_mb(key: str) -> float:
    """A ``/proc/self/status`` memory figure (Linux), in MB."""
    with Path("/proc/self/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    msg = f"{key} is not in /proc/self/status"
    raise LookupError(msg)


def run_sizes(sizes: list[int]) -> int:
    """Compare batch and loop at each size; return 1 when a goal is missed."""
    missed = False
    print(
        f"{'pairs':>9} {'loop ns':>9} {'batch ns':>9} {'ratio':>6} {'frame ns':>9} {'lean ns':>9}"
    )
    for size in sizes:
        rows = member_rows(size)
        profiles = [Profile.from_api(r) for r in rows]
        repeat = 3 if size <= 100_000 else 1
        loop_s, expected = timed(lambda: loop(profiles), repeat)  # noqa: B023 - run at once
        del expected
        batch_s, frame = timed(
            lambda: claim_eligibility(profiles, DEFINITION, at=AT, timezone="UTC", engine="python"),  # noqa: B023
            repeat,
        )
        assert len(frame) == size
        assert frame["allowed"].sum() == sum(
            1
            for r in rows
            if r["tier_handle"] == "tier-2" and r["aggregations"]["spend_12m"] > 1000
        )
        del frame
        lean_s, _ = timed(
            lambda: claim_eligibility(
                profiles,  # noqa: B023
                DEFINITION,
                at=AT,
                timezone="UTC",
                messages=False,
                engine="python",
            ),
            repeat,
        )
        members = member_frame(size)
        frame_s, _ = timed(
            lambda: claim_eligibility(
                members,  # noqa: B023
                DEFINITION,
                at=AT,
                timezone="UTC",
                engine="python",
            ),
            repeat,
        )
        ratio = batch_s / loop_s
        missed |= ratio > 2
        print(
            f"{size:>9,} {loop_s / size * 1e9:>9.0f} {batch_s / size * 1e9:>9.0f} "
            f"{ratio:>6.2f} {frame_s / size * 1e9:>9.0f} "
            f"{lean_s / size * 1e9:>9.0f}"
        )
    return 1 if missed else 0


def run_dask(size: int) -> None:
    """In-process versus Dask map_partitions on a local cluster of two worker processes.

    The members are loaded onto the workers first (``persist``), as data read by Dask would be;
    then the same evaluation runs (a) with the result frame collected by the client and (b)
    with only each partition's row count collected, which is the evaluation alone.
    """
    import dask.dataframe as dd  # noqa: PLC0415 - only this mode needs dask
    from distributed import Client, LocalCluster, wait  # noqa: PLC0415

    members = member_frame(size)
    meta = claim_eligibility([], DEFINITION, at=AT, timezone="UTC")
    options: dict[str, Any] = {"at": AT, "timezone": "UTC", "engine": "python"}
    local_s, local = timed(lambda: claim_eligibility(members, DEFINITION, **options), 1)
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        Client(cluster),
    ):
        parts = dd.from_pandas(members, npartitions=8).persist()
        wait(parts)
        lazy = parts.map_partitions(claim_eligibility, DEFINITION, meta=meta, **options)
        lazy.map_partitions(len).compute()  # warm the workers (imports)
        collected_s, result = timed(lambda: lazy.compute().reset_index(drop=True), 1)
        counted_s, _ = timed(lambda: lazy.map_partitions(len).compute(), 1)
    pd.testing.assert_frame_equal(result, local)
    print(
        f"dask, {size:,} pairs: in-process {local_s:.2f} s; 2 workers {collected_s:.2f} s with "
        f"the frame collected (speed-up {local_s / collected_s:.2f}x), {counted_s:.2f} s "
        f"evaluating only (speed-up {local_s / counted_s:.2f}x)"
    )


def memory_child(size: int) -> None:
    """Run in a fresh process (Linux): resident memory with the inputs, and the batch's peak.

    The peak (``VmHWM``) is reset after the inputs are built (``/proc/self/clear_refs``), so it
    is the highest resident set while ``claim_eligibility`` ran, inputs included.
    """
    profiles = [Profile.from_api(r) for r in member_rows(size)]
    gc.collect()
    before = _status_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    frame = claim_eligibility(profiles, DEFINITION, at=AT, timezone="UTC", engine="python")
    after = _status_mb("VmHWM")
    print(f"{before:.0f} {after:.0f} {frame.memory_usage(deep=True).sum() / 2**20:.0f}")


def run_memory(sizes: list[int]) -> int:
    """Measure each size's memory in a fresh process; return 1 when 1M pairs pass 2 GB."""
    print(f"{'pairs':>9} {'inputs MB':>10} {'peak MB':>8} {'batch MB':>9} {'frame MB':>9}")
    missed = False
    for size in sizes:
        out = subprocess.run(  # noqa: S603 - this script, run by this interpreter
            [sys.executable, __file__, "--memory-child", str(size)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        before, after, frame = (float(v) for v in out)
        missed |= after > 2048
        print(f"{size:>9,} {before:>10.0f} {after:>8.0f} {after - before:>9.0f} {frame:>9.0f}")
    return 1 if missed else 0


def main() -> int:
    """Run the benchmarks named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--dask", type=int, default=0, metavar="N")
    parser.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return 0
    print(f"Python {sys.version.split()[0]}")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    status = run_sizes(sizes) | run_memory(sizes)
    if args.dask:
        run_dask(args.dask)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
