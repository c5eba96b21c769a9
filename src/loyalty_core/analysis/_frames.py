"""Building data frames from columns, and reading columns back, for pandas and polars alike.

The analysis functions work on plain Python columns (``dict[str, list]``); only the first and
last step touch a frame library. A frame is read through ``frame[name].to_list()`` and
``frame.columns``, which pandas and polars share, so either may be passed in; what comes out
is the backend the caller asked for, by default the input's.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import show

__all__ = [
    "Backend",
    "Column",
    "backend_of",
    "build_frame",
    "columns_of",
    "definition_label",
    "import_or_hint",
    "is_frame",
    "is_null",
    "records_of",
]

Backend = Literal["pandas", "polars"]
"""The frame libraries the analysis functions return."""

_INSTALL_HINT = "install the analysis extra: pip install 'loyalty-core[analysis]'"


def import_or_hint(name: str) -> Any:
    """Import an optional dependency, or raise ``ImportError`` saying how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        msg = f"loyalty_core.analysis needs {name}: {_INSTALL_HINT}"
        if name == "polars":
            msg = "backend='polars' needs polars: pip install polars"
        raise ImportError(msg) from None


def definition_label(definition: object) -> str | None:
    """A definition's name in a frame's ``definition`` column: its handle, else ``#`` and id.

    One rule for the eligibility frame, the expiry table and the what-if handles; ``None``
    when the definition has neither (each caller says what stands in).
    """
    handle = getattr(definition, "handle", None)
    if handle is not None:
        return str(handle)
    number = getattr(definition, "id", None)
    return None if number is None else f"#{number}"


def is_frame(value: object) -> bool:
    """Whether ``value`` is a pandas or polars DataFrame (judged by its class, not imported)."""
    kind = type(value)
    return kind.__name__ == "DataFrame" and kind.__module__.split(".")[0] in {"pandas", "polars"}


def backend_of(value: object, default: Backend = "pandas") -> Backend:
    """Return the frame library of ``value``, or ``default`` when it is not a frame.

    A polars LazyFrame is a polars input too.
    """
    kind = type(value)
    if kind.__name__ == "LazyFrame" and kind.__module__.split(".")[0] == "polars":
        return "polars"
    if is_frame(value):
        return "polars" if type(value).__module__.startswith("polars") else "pandas"
    return default


def check_backend(value: object) -> Backend:
    """Check a ``backend`` argument."""
    if value not in ("pandas", "polars"):
        raise InvalidRequest(
            Problem("backend", f"expected 'pandas' or 'polars', got {show(value)}")
        )
    return value


def columns_of(frame: Any, names: Sequence[str], *, name: str = "frame") -> dict[str, list[Any]]:
    """Read ``names`` from a pandas or polars frame as Python lists; a missing one is named."""
    if not is_frame(frame):
        msg = f"expected a pandas or polars DataFrame, got {type(frame).__name__}"
        raise InvalidRequest(Problem(name, msg))
    present = _labels(frame, name)
    missing = [n for n in names if n not in present]
    if missing:
        msg = f"expected the columns {show(missing)}, which are missing; it has {show(present)}"
        raise InvalidRequest(Problem(name, msg))
    return {n: list(frame[n].to_list()) for n in names}


def _labels(frame: Any, name: str) -> list[Any]:
    labels = list(frame.columns)
    repeated = sorted({str(c) for c in labels if labels.count(c) > 1})
    if repeated:
        msg = f"expected distinct column names, got {show(repeated)} more than once"
        raise InvalidRequest(Problem(name, msg))
    return labels


def is_null(value: object) -> bool:
    """Whether a cell is missing: ``None``, pandas' NaN, NaT or NA, or polars' null."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in {"NAType", "NaTType"}


def _cell(value: Any) -> Any:
    # A cell as JSON data of its own: a missing cell is null; objects and lists are copied
    # (nesting a dotted column must not write into the caller's data); numpy arrays and
    # scalars (list columns read from Parquet, for instance) become Python lists and numbers.
    if is_null(value):
        return None
    if isinstance(value, Mapping):
        return {str(key): _cell(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_cell(item) for item in value]
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return _cell(value.tolist())
    return value


def _nest(row: Mapping[str, Any]) -> dict[str, Any]:
    # Dotted column names become nested objects: "aggregations.spend_12m" -> {"aggregations":
    # {"spend_12m": ...}}, the path a condition's {"var": "aggregations.spend_12m"} reads.
    nested: dict[str, Any] = {}
    for key, raw in row.items():
        value = _cell(raw)
        parts = str(key).split(".")
        target = nested
        for part in parts[:-1]:
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                msg = (
                    f"column {show(key)} nests under {show(part)}, which is also a column of "
                    "its own"
                )
                raise InvalidRequest(Problem("profiles", msg))
            target = child
        if parts[-1] in target and isinstance(target[parts[-1]], dict):
            msg = f"column {show(key)} is also the parent of a dotted column"
            raise InvalidRequest(Problem("profiles", msg))
        target[parts[-1]] = value
    return nested


def records_of(frame: Any) -> list[dict[str, Any]]:
    """Return a frame's rows as profile JSON: dotted columns nested, missing cells null."""
    labels = _labels(frame, "profiles")
    if not labels:
        return [{} for _ in range(len(frame))]  # rows without columns are still members
    names = [str(c) for c in labels]
    columns = [frame[c].to_list() for c in labels]
    return [_nest(dict(zip(names, row, strict=True))) for row in zip(*columns, strict=True)]


Column = Literal[
    "instant", "wall", "date", "bool", "maybe_bool", "int", "float", "str", "texts", "any"
]
"""A column's kind: ``instant`` a UTC datetime, ``wall`` a naive local datetime, ``date`` a
calendar date; ``texts`` a list of strings; ``maybe_bool`` a boolean that may be null (pandas'
nullable ``boolean``); ``any`` whatever the frame library infers from the values (a caller's
own column); the others as named. Every kind may hold nulls except ``bool`` and ``texts``."""

_PANDAS: Final[Mapping[Column, str]] = {
    "instant": "datetime64[us, UTC]",
    "wall": "datetime64[us]",
    "date": "object",
    "bool": "bool",
    "maybe_bool": "boolean",
    "int": "Int64",
    "float": "float64",
    "str": "str",
    "texts": "object",
    "any": "",
}


def _polars_type(polars: Any, kind: Column) -> Any:
    return {
        "instant": polars.Datetime("us", "UTC"),
        "wall": polars.Datetime("us"),
        "date": polars.Date,
        "bool": polars.Boolean,
        "maybe_bool": polars.Boolean,
        "int": polars.Int64,
        "float": polars.Float64,
        "str": polars.String,
        "texts": polars.List(polars.String),
        "any": None,
    }[kind]


def polars_to_pandas(frame: Any, kinds: Mapping[str, Column]) -> Any:
    """A polars frame as the pandas frame :func:`build_frame` would build from its values.

    Through Arrow, column by column in the types of ``kinds``; list columns (``texts``) become
    lists per cell, as ``build_frame`` makes them, rather than Arrow's arrays.
    """
    pandas = import_or_hint("pandas")
    lists = [name for name in frame.columns if kinds[name] == "texts"]
    try:
        converted = frame.drop(lists).to_pandas()
    except ImportError:  # no pyarrow: value by value
        return build_frame(frame.to_dict(as_series=False), kinds, "pandas")
    columns = {}
    for name in frame.columns:
        if name in lists:
            columns[name] = pandas.Series(frame.get_column(name).to_list(), dtype="object")
        else:
            columns[name] = converted[name].astype(_PANDAS[kinds[name]] or None)
    return pandas.DataFrame(columns)


def build_frame(
    columns: Mapping[str, Sequence[Any]], kinds: Mapping[str, Column], backend: Backend
) -> Any:
    """Build a pandas or polars DataFrame from equal-length columns, in the given order.

    Each column gets the type of its kind, so that an empty or all-null column still has it.
    """
    if backend == "polars":
        polars = import_or_hint("polars")
        return polars.DataFrame(
            [
                polars.Series(name, list(values), dtype=_polars_type(polars, kinds[name]))
                for name, values in columns.items()
            ]
        )
    pandas = import_or_hint("pandas")
    return pandas.DataFrame(
        {
            name: pandas.Series(list(values), dtype=_PANDAS[kinds[name]] or None)
            for name, values in columns.items()
        }
    )
