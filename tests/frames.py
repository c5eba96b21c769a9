"""Reading analysis frames back in tests: rows as dicts of Python values, pandas or polars."""

from typing import Any

import pandas as pd
import polars as pl


def rows(frame: Any) -> list[dict[str, Any]]:
    """The frame's rows as dicts of Python values; pandas' NaT becomes ``None``."""
    if isinstance(frame, pl.DataFrame):
        return frame.to_dicts()
    return [
        {key: (None if value is pd.NaT else value) for key, value in row.items()}
        for row in frame.to_dict("records")
    ]
