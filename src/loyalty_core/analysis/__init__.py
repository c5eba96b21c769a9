"""Rule analysis at scale: claim eligibility for many members as a DataFrame, and its summaries.

Install the ``analysis`` extra (``pip install 'loyalty-core[analysis]'``: pandas and
matplotlib). Polars frames are accepted too (and returned when given), if polars is installed.
Each function here is a loop over the library's own rule functions, so a batch answer is
always the per-request answer; none reads the clock or does I/O.

- :func:`claim_eligibility`: one row per (member, definition, instant) with ``allowed``, one
  boolean column per reason code, the messages and ``retry_at``.
- :func:`summarize`: how many rows were allowed, and refused for each reason.
- :func:`what_if`: whose outcome changes between two definitions or two policies.
- :func:`expiry_table`: when items expire, in UTC and in their own zone.
- :mod:`loyalty_core.analysis.plots`: eligibility over time and an expiry calendar.

The batch functions work on any slice of the members, so they run unchanged per partition of
a Dask or Spark frame (see the distributed how-to in the docs).
"""

from loyalty_core.analysis._arrow import eligibility_batches, spark_schema
from loyalty_core.analysis._batch import (
    CLAIM_CODES,
    ELIGIBILITY_COLUMNS,
    Engine,
    EngineChoice,
    claim_eligibility,
    claim_engines,
    expiry_table,
    summarize,
    to_profiles,
    what_if,
)
from loyalty_core.analysis._frames import Backend

__all__ = [
    "CLAIM_CODES",
    "ELIGIBILITY_COLUMNS",
    "Backend",
    "Engine",
    "EngineChoice",
    "claim_eligibility",
    "claim_engines",
    "eligibility_batches",
    "expiry_table",
    "spark_schema",
    "summarize",
    "to_profiles",
    "what_if",
]
