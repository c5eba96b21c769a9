"""Benchmarks for the vectorised claim engine (issue 13).

Run on demand: ``uv run python benchmarks/bench_vectorized.py [--pairs 200000,2000000]
[--python 20000]``.

For each size P, a polars frame of members (half pass the 2-clause condition
``tier_handle == "gold" and aggregations.spend_12m > 1000``) is checked against one definition
with a claim window, at 10 instants spread over the window's opening and closing, so there are
P (member, definition, instant) pairs. Every figure is per pair and measured in the same run:

- **floor**: a hand-written polars query computing ``allowed`` and one boolean column per claim
  code for the same pairs (the window bounds and the condition written by hand, the constant
  codes as literals): what any exact engine must at least do;
- **vectorised**: ``claim_eligibility(frame, definition, at=…, engine="vectorized",
  messages=False)``, the whole eligibility frame (codes, ``reasons``, ``retry_at``);
- **python**: the same with ``engine="python"`` on ``--python`` pairs (a sample: it is slow).

Goals: vectorised <= 5x the floor at 200k and 2M pairs; vectorised >= 100x faster per pair
than the python engine with ``messages=False``.

``--spark M`` runs M members x 10 instants through Spark's ``mapInArrow`` on a local session of
two cores (needs ``uv run --group spark``), and the same pairs in one process.

``--dask M`` runs M members x 10 instants as 4 pandas partitions on a local Dask cluster of two
worker processes (the distributed how-to's recipe: each partition takes the vectorised engine
through Arrow), and the same pairs in one process.

``--holdings M`` runs M members x 10 instants where every other member holds a claimed copy
(claim timeframe ``month``: CLM-9 to CLM-11, CLM-16), vectorised and with the python engine on
a sample of ``--python`` pairs.

``--stream M`` also runs M members x 31 days (62M pairs for M = 2,000,000) from a LazyFrame
streamed to a Parquet file with ``sink_parquet``, and reports the time and the peak resident
set of the process (goal: <= 4 GB).
"""

from __future__ import annotations

import argparse
import functools
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import polars as pl

from loyalty_core import Benefit, BenefitDefinition, ClaimTimeframe
from loyalty_core.analysis import CLAIM_CODES, claim_eligibility
from loyalty_core.conditions import to_condition

INSTANTS = 10
OPENS = datetime(2026, 3, 1, tzinfo=UTC)
CLOSES = datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC)
DEFINITION = BenefitDefinition(
    handle="march-gold",
    is_claimable=True,
    is_published=True,
    is_assignable=True,
    claim_period_start_at=OPENS,
    claim_period_end_at=CLOSES,
    claim_condition=to_condition(
        {
            "and": [
                {"==": [{"var": "tier_handle"}, "gold"]},
                {">": [{"var": "aggregations.spend_12m"}, 1000]},
            ]
        }
    ),
)
ATS = [OPENS + timedelta(days=4 * i - 6) for i in range(INSTANTS)]


def members(count: int) -> pl.DataFrame:
    """``count`` members: every other one gold with a spend over 1000."""
    index = pl.col("index")
    return pl.DataFrame({"index": pl.int_range(count, eager=True)}).select(
        index.cast(pl.String).str.pad_start(8, "0").alias("id"),
        pl.when(index % 2 == 0)
        .then(pl.lit("gold"))
        .otherwise(pl.lit("silver"))
        .alias("tier_handle"),
        (index % 3000 + 1001 * (index % 2 == 0)).cast(pl.Float64).alias("aggregations.spend_12m"),
    )


def floor(frame: pl.DataFrame) -> pl.DataFrame:
    """The hand-written query: allowed and one boolean per claim code, for every pair."""
    instants = pl.DataFrame({"at": pl.Series(ATS, dtype=pl.Datetime("us", "UTC"))})
    holds = (pl.col("tier_handle") == "gold").fill_null(value=False) & (
        pl.col("aggregations.spend_12m") > 1000
    ).fill_null(value=False)
    not_open = pl.col("at") < OPENS
    closed = pl.col("at") > CLOSES
    codes = {code.value: pl.lit(value=False) for code in CLAIM_CODES}
    codes |= {
        "claim_window_not_open": not_open,
        "claim_window_closed": closed,
        "condition_not_met": ~holds,
    }
    return frame.join(instants, how="cross", maintain_order="left_right").select(
        pl.col("id"),
        pl.col("at"),
        (~not_open & ~closed & holds).alias("allowed"),
        *[expr.alias(name) for name, expr in codes.items()],
    )


def best(run: Callable[[], Any], *, repeat: int = 3) -> float:
    """The best of ``repeat`` wall times, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    """Print the per-pair table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", default="200000,2000000")
    parser.add_argument("--python", type=int, default=20_000)
    parser.add_argument("--stream", type=int, default=0, help="members for the streamed run")
    parser.add_argument("--spark", type=int, default=0, help="members for the Spark run")
    parser.add_argument("--dask", type=int, default=0, help="members for the Dask run")
    parser.add_argument("--holdings", type=int, default=0, help="members for the holdings run")
    args = parser.parse_args()
    print(f"polars {pl.__version__}; {INSTANTS} instants per member; per pair in ns")
    print(f"{'pairs':>10} {'floor':>8} {'vectorised':>11} {'ratio':>7}  target")
    vectorised_ns: list[float] = []
    for pairs in (int(p) for p in args.pairs.split(",")):
        frame = members(pairs // INSTANTS)

        def ours(frame: pl.DataFrame = frame) -> Any:
            return claim_eligibility(
                frame, DEFINITION, at=ATS, timezone="UTC", engine="vectorized", messages=False
            )

        assert ours().height == floor(frame).height == pairs
        assert ours()["allowed"].to_list() == floor(frame)["allowed"].to_list()
        floor_ns = best(functools.partial(floor, frame)) / pairs * 1e9
        ours_ns = best(ours) / pairs * 1e9
        vectorised_ns.append(ours_ns)
        ratio = ours_ns / floor_ns
        verdict = "ok" if ratio <= 5 else "MISSED"
        print(f"{pairs:>10} {floor_ns:>8.1f} {ours_ns:>11.1f} {ratio:>6.2f}x  <= 5x {verdict}")
    sample = members(args.python // INSTANTS)
    python_ns = (
        best(
            lambda: claim_eligibility(
                sample, DEFINITION, at=ATS, timezone="UTC", engine="python", messages=False
            ),
            repeat=1,
        )
        / args.python
        * 1e9
    )
    speedup = python_ns / min(vectorised_ns)
    verdict = "ok" if speedup >= 100 else "MISSED"
    print(f"python engine: {python_ns:,.0f} ns per pair ({args.python} pairs)")
    print(f"vectorised is {speedup:,.0f}x faster per pair  >= 100x {verdict}")
    if args.stream:
        stream(args.stream)
    if args.spark:
        spark_run(args.spark)
    if args.dask:
        dask_run(args.dask)
    if args.holdings:
        holdings_run(args.holdings, args.python)
    return 0


def dask_run(count: int) -> None:
    """``count`` members x 10 instants as pandas partitions on two Dask workers."""
    import importlib  # noqa: PLC0415 - only this optional run needs them

    dd: Any = importlib.import_module("dask.dataframe")
    distributed: Any = importlib.import_module("distributed")
    frame = members(count).to_pandas()
    options: dict[str, Any] = {"at": ATS, "timezone": "UTC", "messages": False}
    meta = claim_eligibility(frame.head(0), DEFINITION, **options)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        source = client.persist(dd.from_pandas(frame, npartitions=4))

        def run() -> int:
            lazy = source.map_partitions(claim_eligibility, DEFINITION, meta=meta, **options)
            return int(client.compute(lazy["allowed"].sum()).result())

        pairs = count * INSTANTS
        dask_ns = best(run, repeat=2) / pairs * 1e9
    local_ns = (
        best(lambda: int(claim_eligibility(frame, DEFINITION, **options)["allowed"].sum()))
        / pairs
        * 1e9
    )
    print(
        f"dask, 2 worker processes, {pairs:,} pairs (pandas partitions): {dask_ns:.0f} ns/pair; "
        f"one process {local_ns:.0f} ns/pair ({dask_ns / local_ns:.1f}x)"
    )


def holdings_run(count: int, sample: int) -> None:
    """``count`` members x 10 instants, every other one holding a claimed copy."""
    definition = attrs.evolve(
        DEFINITION, id=1, is_reclaimable=True, claim_timeframe=ClaimTimeframe(unit="month")
    )
    claimed = OPENS + timedelta(days=3)

    def held(count: int) -> dict[str, list[Benefit]]:
        return {
            f"{index:08d}": [
                Benefit(
                    id=index,
                    definition=definition,
                    claimed_at=claimed + timedelta(minutes=index % 5000),
                    issued_at=claimed,
                    expires_at=claimed + timedelta(days=10),
                    redemptions_remaining=1,
                )
            ]
            for index in range(0, count, 2)
        }

    frame, holdings = members(count), held(count)
    options: dict[str, Any] = {"at": ATS, "timezone": "UTC", "messages": False}
    pairs = count * INSTANTS
    fast = best(
        lambda: claim_eligibility(frame, definition, holdings=holdings, **options), repeat=2
    )
    few = sample // INSTANTS
    slow = best(
        lambda: claim_eligibility(
            members(few), definition, holdings=held(few), engine="python", **options
        ),
        repeat=1,
    )
    fast_ns, slow_ns = fast / pairs * 1e9, slow / (few * INSTANTS) * 1e9
    print(
        f"holdings, {pairs:,} pairs (half the members hold a claimed copy): vectorised "
        f"{fast_ns:,.0f} ns/pair; python engine {slow_ns:,.0f} ns/pair "
        f"({slow_ns / fast_ns:,.0f}x)"
    )


def spark_run(count: int) -> None:
    """``count`` members x 10 instants with Spark's mapInArrow, against one process."""
    import importlib  # noqa: PLC0415 - only this optional run needs them
    import os  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from loyalty_core.analysis import eligibility_batches, spark_schema  # noqa: PLC0415

    # The spark dependency group is optional: imported by name, so mypy needs no stubs.
    spark_session: Any = importlib.import_module("pyspark.sql").SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        spark_session.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    frame = members(count)
    flat = frame.rename({name: name.replace(".", "__") for name in frame.columns})
    source = session.createDataFrame(flat.to_arrow(compat_level=pl.CompatLevel.oldest()))
    source = source.repartition(2).cache()
    source.count()

    def run() -> int:
        result = source.mapInArrow(
            lambda batches: eligibility_batches(
                batches, DEFINITION, at=ATS, timezone="UTC", separator="__"
            ),
            spark_schema(),
        )
        return int(result.where("allowed").count())

    pairs = count * INSTANTS
    spark_ns = best(run, repeat=2) / pairs * 1e9
    local_ns = (
        best(
            lambda: (
                claim_eligibility(frame, DEFINITION, at=ATS, timezone="UTC", messages=False)
                .filter(pl.col("allowed"))
                .height
            )
        )
        / pairs
        * 1e9
    )
    session.stop()
    print(
        f"spark local[2], {pairs:,} pairs: {spark_ns:.0f} ns/pair; one process "
        f"{local_ns:.0f} ns/pair ({spark_ns / local_ns:.1f}x)"
    )


def stream(count: int) -> None:
    """``count`` members x 31 days from a LazyFrame to Parquet: time and peak memory."""
    days = [OPENS + timedelta(days=day) for day in range(31)]
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "eligibility.parquet"
        start = time.perf_counter()
        lazy = claim_eligibility(
            members(count).lazy(), DEFINITION, at=days, timezone="UTC", messages=False
        )
        lazy.sink_parquet(target)
        elapsed = time.perf_counter() - start
        rows = pl.scan_parquet(target).select(pl.len()).collect().item()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"streamed {rows:,} pairs to Parquet in {elapsed:.1f} s "
        f"({elapsed / rows * 1e9:.0f} ns/pair, Parquet writing included); "
        f"peak resident set {peak:,.0f} MB  <= 4096 MB {'ok' if peak <= 4096 else 'MISSED'}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
