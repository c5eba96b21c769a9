"""claim_eligibility per partition of a Dask frame, on a cluster of two worker processes.

Rows are independent, so evaluating partitions on other processes and concatenating them must
give exactly the in-process frame; the zone mapping and the holdings travel as arguments.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cloudpickle  # type: ignore[import-untyped] # dask's serialiser ships no stubs
import pandas as pd
import pytest

from loyalty_core import Benefit, claim_benefit
from loyalty_core.analysis import ELIGIBILITY_COLUMNS, claim_eligibility, example_path, to_profiles
from tests.helpers import example_definitions

# Worker processes take seconds to start: the long runs (`.ci/run`) take these, on their own.
pytestmark = [pytest.mark.slow, pytest.mark.dask]


@pytest.fixture(scope="module")
def dask() -> Any:
    """Dask, imported by the tests that run (importing it costs seconds of every collection)."""
    return pytest.importorskip("dask")


@pytest.fixture(scope="module")
def dd() -> Any:
    return pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="module")
def distributed() -> Any:
    return pytest.importorskip("distributed")


ROOT = Path(__file__).resolve().parent.parent
MEMBERS_CSV = example_path("members.csv")
INSTANTS = [
    datetime(2027, 2, 28, tzinfo=UTC),  # before the voucher's window opens (13:00 UTC)
    datetime(2027, 3, 1, 6, tzinfo=UTC),
    datetime(2027, 3, 3, tzinfo=UTC),  # after the lounge pass's window closed
]

# The workers run this module's functions without importing it (it is a test, not a package
# module), so cloudpickle ships them by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def split_tags(cell: object) -> list[str]:
    """A CSV cell of semicolon-separated tags as a list; an empty cell as no tags."""
    return cell.split(";") if isinstance(cell, str) else []


def prepared(members: pd.DataFrame) -> pd.DataFrame:
    return members.assign(flattened_tags=members["flattened_tags"].map(split_tags))


def eligibility(partition: pd.DataFrame, definitions: Any, **options: Any) -> Any:
    """The partition function: prepare the rows, then evaluate them."""
    return claim_eligibility(prepared(partition), definitions, **options)


@pytest.fixture(scope="module")
def client(distributed: Any) -> Iterator[Any]:
    """Two worker processes of one thread each, no dashboard."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,  # logging.ERROR: a cluster's INFO lines are not test output
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):
        yield connected


@pytest.fixture(scope="module")
def members() -> pd.DataFrame:
    return pd.read_csv(MEMBERS_CSV)


@pytest.fixture(scope="module")
def zones(members: pd.DataFrame) -> dict[str, str]:
    return dict(zip(members["id"], members["timezone"], strict=True))


@pytest.fixture(scope="module")
def holdings(members: pd.DataFrame, zones: dict[str, str]) -> dict[str, list[Benefit]]:
    """The voucher, claimed at its opening by every member who qualifies then."""
    voucher = example_definitions()[0]
    held: dict[str, list[Benefit]] = {}
    for profile in to_profiles(prepared(members)):
        assert profile.id is not None
        claimed = claim_benefit(voucher, profile, at=INSTANTS[1], timezone=zones[profile.id])
        if claimed.benefit is not None:
            held[profile.id] = [claimed.benefit]
    return held


def in_process(members: pd.DataFrame, **options: Any) -> pd.DataFrame:
    frame: pd.DataFrame = claim_eligibility(prepared(members), example_definitions(), **options)
    return frame


def test_partitions_on_worker_processes_give_the_in_process_frame(
    client: Any, dd: Any, members: pd.DataFrame, zones: dict[str, str]
) -> None:
    options: dict[str, Any] = {"at": INSTANTS, "timezone": zones}
    meta = claim_eligibility([], example_definitions(), **options)
    lazy = dd.from_pandas(members, npartitions=4).map_partitions(
        eligibility, example_definitions(), meta=meta, **options
    )
    assert lazy.npartitions == 4
    computed = client.compute(lazy).result()
    expected = in_process(members, **options)
    assert list(computed.columns) == list(ELIGIBILITY_COLUMNS)
    assert len(computed) == 200 * 2 * len(INSTANTS)
    # Partitions keep their rows' index; a concatenation in partition order is the frame.
    pd.testing.assert_frame_equal(expected, computed.reset_index(drop=True))
    workers = client.run(lambda: __import__("os").getpid())
    assert len(set(workers.values())) == 2


def test_holdings_travel_to_the_workers(
    client: Any,
    dask: Any,
    dd: Any,
    members: pd.DataFrame,
    zones: dict[str, str],
    holdings: dict[str, list[Benefit]],
) -> None:
    later = datetime(2027, 3, 2, tzinfo=UTC)
    options: dict[str, Any] = {"at": later, "timezone": zones}
    meta = claim_eligibility([], example_definitions(), **options)
    # Wrapped in dask.delayed, the mapping is stored once in the graph, and each partition's
    # call receives the mapping itself (the how-to's advice for large holdings).
    shared = dask.delayed(holdings, pure=True)
    lazy = dd.from_pandas(members, npartitions=4).map_partitions(
        eligibility, example_definitions(), meta=meta, holdings=shared, **options
    )
    computed = client.compute(lazy).result().reset_index(drop=True)
    pd.testing.assert_frame_equal(in_process(members, holdings=holdings, **options), computed)
    voucher = computed[computed["definition"] == "spend-1000"]
    # CLM-9: everyone who claimed the (non-reclaimable) voucher is refused it now.
    assert sorted(voucher.loc[voucher["already_claimed"], "profile_id"]) == sorted(holdings)
    assert len(holdings) > 0


def test_read_csv_partitions_give_the_in_process_frame(
    client: Any, dd: Any, members: pd.DataFrame, zones: dict[str, str]
) -> None:
    # Text columns are read as text in every block, even a block whose tags are all empty.
    text = dict.fromkeys(["id", "timezone", "tier_handle", "flattened_tags", "joined_on"], str)
    lazy_members = dd.read_csv(MEMBERS_CSV, dtype=text, blocksize=3_000)
    assert lazy_members.npartitions > 1
    options: dict[str, Any] = {"at": INSTANTS[2], "timezone": zones}
    meta = claim_eligibility([], example_definitions(), **options)
    computed = client.compute(
        lazy_members.map_partitions(eligibility, example_definitions(), meta=meta, **options)
    ).result()
    pd.testing.assert_frame_equal(in_process(members, **options), computed.reset_index(drop=True))
