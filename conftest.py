"""Test-wide set-up: pin the tz database to the ``tzdata`` package.

Results must not depend on the machine's zone files, so zoneinfo is told to ignore the system
tz path and read the ``tzdata`` package that loyalty_core depends on.
"""

import sys
import zoneinfo
from pathlib import Path

import hypothesis
import pytest

# Bytecode is cached even where PYTHONDONTWRITEBYTECODE is set, out of the source tree (under
# .pytest_cache/pycache): without it every pytest process (each xdist worker) compiled the test
# modules, their rewritten asserts, loyalty_core, pandas, polars and matplotlib from source again,
# about 8 of the 14 s each spent collecting.
if sys.dont_write_bytecode:
    sys.dont_write_bytecode = False
    sys.pycache_prefix = str(Path(__file__).parent / ".pytest_cache" / "pycache")

zoneinfo.reset_tzpath(to=[])
zoneinfo.ZoneInfo.clear_cache()

# The quick default run (`uv run pytest`): 25 examples where a test sets no budget, and a
# quarter of each budget written with `tests.helpers.budget`.
hypothesis.settings.register_profile("ci", deadline=None, print_blob=True, max_examples=25)
# The property tests at their full budgets (`.ci/run`: `--hypothesis-profile=thorough`).
hypothesis.settings.register_profile(
    "thorough", parent=hypothesis.settings.get_profile("ci"), max_examples=100
)
# The long fuzz run (`.ci/run`): 10,000 examples for every target that does not fix its own
# budget; `--hypothesis-profile=fuzz` selects it.
hypothesis.settings.register_profile(
    "fuzz", parent=hypothesis.settings.get_profile("ci"), max_examples=10_000
)
hypothesis.settings.load_profile("ci")


# Doctest pages that start a Dask cluster of worker processes (tens of seconds): like the Dask
# tests, they run in `.ci/run`'s Dask step (`-m dask`), not in the quick `uv run pytest`.
_DASK_PAGES = frozenset({"docs/howto/distributed.md"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the Dask doctest pages ``slow`` and ``dask``."""
    root = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(root) and item.path.relative_to(root).as_posix() in _DASK_PAGES:
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.dask)
