"""Rule analysis at scale: claim eligibility for many members as a DataFrame, and its summaries.

Install the ``analysis`` extra (``pip install 'loyalty-core[analysis]'``: pandas, polars,
pyarrow, matplotlib and tqdm), or the ``polars`` extra (polars, pyarrow and matplotlib, no
pandas). Pandas and polars frames (eager or lazy) are accepted, and the result comes back in
the same kind of frame. Every answer is the library's own rule
function's answer: the python engine calls it per row, and the vectorised engine runs it once
per definition and instant (and per held benefit) and evaluates the claim condition as polars
expressions with JSON Logic's semantics, falling back to the python engine wherever it cannot
be exact. None of it reads the clock or does I/O.

- :func:`claim_eligibility`: one row per (member, definition, instant) with ``allowed``, one
  boolean column per reason code, the messages and ``retry_at``.
- :func:`summarize`: how many rows were allowed, and refused for each reason.
- :func:`what_if`: whose outcome changes between two definitions or two policies.
- :func:`thresholds`, :func:`with_threshold`, :func:`with_clause`, :func:`without_clause`:
  edit a definition's condition for a what-if; :func:`sweep`: allowed counts per threshold.
- :func:`expiry_table`: when items expire, in UTC and in their own zone.
- :func:`example_path`: the sample members and definitions installed with the package.
- :mod:`loyalty_core.analysis.plots`: eligibility over time, every failing reason, and an
  expiry calendar.

The batch functions work on any slice of the members, so they run unchanged per partition of
a Dask or Spark frame (see the distributed how-to in the docs).
"""

from loyalty_core.analysis._arrow import eligibility_batches, spark_schema
from loyalty_core.analysis._batch import (
    CLAIM_CODES,
    ELIGIBILITY_COLUMNS,
    SLOW_ENGINE_DECISIONS,
    Definitions,
    Engine,
    EngineChoice,
    SlowEngineWarning,
    UnknownColumnWarning,
    Zones,
    claim_eligibility,
    claim_engines,
    summarize,
    to_profiles,
    what_if,
)
from loyalty_core.analysis._examples import example_path
from loyalty_core.analysis._expiry import UsedUp, expiry_table
from loyalty_core.analysis._frames import Backend
from loyalty_core.analysis._whatif import (
    Threshold,
    sweep,
    thresholds,
    with_clause,
    with_threshold,
    without_clause,
)

__all__ = [
    "CLAIM_CODES",
    "ELIGIBILITY_COLUMNS",
    "SLOW_ENGINE_DECISIONS",
    "Backend",
    "Definitions",
    "Engine",
    "EngineChoice",
    "SlowEngineWarning",
    "Threshold",
    "UnknownColumnWarning",
    "UsedUp",
    "Zones",
    "claim_eligibility",
    "claim_engines",
    "eligibility_batches",
    "example_path",
    "expiry_table",
    "spark_schema",
    "summarize",
    "sweep",
    "thresholds",
    "to_profiles",
    "what_if",
    "with_clause",
    "with_threshold",
    "without_clause",
]
