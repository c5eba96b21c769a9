"""The sample programme the tutorial and the how-tos read, shipped inside the package."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Final, Literal

from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import show

ExampleName = Literal["members.csv", "definitions.json"]

#: The files :func:`example_path` can find.
EXAMPLE_FILES: Final = ("members.csv", "definitions.json")


def example_path(name: ExampleName) -> Path:
    """The path of one of the sample files installed with the package.

    ``"members.csv"`` holds 200 members, one a row (``id``, ``timezone``, ``tier_handle``,
    ``aggregations.spend_12m``, ``flattened_tags`` as semicolon-separated text, ``joined_on``);
    ``"definitions.json"`` a list of two Benefit Definitions in the platform's JSON shape (a
    ``spend-1000`` voucher and a ``lounge-pass``). They are what the analysis tutorial reads, so
    it runs from an installed package with no checkout. Nothing is read here: the path is
    returned for ``pandas.read_csv``, ``polars.read_csv``, ``json.loads(path.read_text())`` or
    a Dask or Spark reader.

    >>> example_path("members.csv").name
    'members.csv'
    >>> example_path("members.txt")
    Traceback (most recent call last):
    ...
    loyalty_core.errors.InvalidRequest: name: expected 'members.csv' or ..., got 'members.txt'
    """
    if not isinstance(name, str) or name not in EXAMPLE_FILES:
        expected = " or ".join(f"'{known}'" for known in EXAMPLE_FILES)
        raise InvalidRequest(Problem("name", f"expected {expected}, got {show(name)}"))
    return Path(str(files("loyalty_core.analysis") / "examples" / name))
