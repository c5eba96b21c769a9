"""claim_eligibility per partition of a Spark frame (``mapInArrow``), on a local Spark session.

Each partition's Arrow batches are decided by the vectorised engine in a Python worker; the
rows collected from Spark must be exactly the single-process frame. Needs pyspark and Java:
``.ci/run`` installs the ``spark`` dependency group and runs this module (markers ``slow`` and
``spark``); the default ``uv run pytest`` skips it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from loyalty_core.analysis import claim_eligibility, eligibility_batches, example_path, spark_schema
from tests.helpers import example_definitions

pytestmark = [
    pytest.mark.slow,
    pytest.mark.spark,
    # PySpark warns about pandas 3 on every Arrow conversion; no pandas is used here.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

pyspark_sql = pytest.importorskip(
    "pyspark.sql", reason="the spark dependency group is not installed"
)

ROOT = Path(__file__).resolve().parent.parent
INSTANTS = [
    datetime(2027, 2, 28, tzinfo=UTC),  # before the voucher's window opens (13:00 UTC)
    datetime(2027, 3, 1, 6, tzinfo=UTC),
    datetime(2027, 3, 3, tzinfo=UTC),  # after the lounge pass's window closed
]


def members() -> pl.DataFrame:
    """The 200 sample members, tags split into lists, ids as text."""
    return pl.read_csv(example_path("members.csv")).with_columns(
        pl.col("flattened_tags").str.split(";").fill_null([])
    )


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    # The Python workers must be this interpreter, with loyalty_core and polars installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("loyalty_core")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    yield session
    session.stop()


def _collected(spark: Any, frame: pl.DataFrame, *, messages: bool) -> pl.DataFrame:
    found = example_definitions()
    # Spark reads a dot in a name as a struct field: nested fields travel as "a__b".
    flat = frame.rename({name: name.replace(".", "__") for name in frame.columns})
    table = (
        spark.createDataFrame(flat.to_arrow(compat_level=pl.CompatLevel.oldest()))
        .repartition(3)
        .mapInArrow(
            lambda batches: eligibility_batches(
                batches, found, at=INSTANTS, timezone="UTC", messages=messages, separator="__"
            ),
            spark_schema(messages=messages),
        )
        .toArrow()
    )
    return pl.from_arrow(table)  # type: ignore[return-value]


@pytest.mark.parametrize("messages", [False, True], ids=["codes", "messages"])
def test_spark_partitions_give_the_single_process_frame(spark: Any, *, messages: bool) -> None:
    """Rows are independent: Spark's partitions, concatenated, are the in-process frame."""
    frame = members()
    expected = claim_eligibility(
        frame, example_definitions(), at=INSTANTS, timezone="UTC", messages=messages
    )
    got = _collected(spark, frame, messages=messages)
    keys = ["profile_id", "definition", "instant"]
    assert got.height == expected.height == 200 * 2 * 3
    assert_frame_equal(got.sort(keys), expected.sort(keys), check_dtypes=True)
