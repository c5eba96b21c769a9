"""Helpers shared by the JSON Logic tests: JSON-value comparison and a plain operator table."""

import json
import math
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from loyalty_core.jsonlogic import DEFAULT_OPERATIONS, Operations

SUITE = Path(__file__).parent / "data" / "jsonlogic" / "tests.json"
"""The reference test suite of the condition language (a copy of the shared conformance file)."""


def suite_cases() -> Iterator[tuple[str, Any, Any, Any]]:
    """Each case of the reference suite as ``(id, rule, data, expected)``, named by section."""
    section = "start"
    for index, entry in enumerate(json.loads(SUITE.read_text(encoding="utf-8"))):
        if isinstance(entry, str):
            section = entry.strip("# ").split(",")[0].lower().replace(" ", "-")[:30]
            continue
        rule, data, expected = entry
        yield f"Q38-{index:03d}-{section}", rule, data, expected


def _double(value: float | Decimal) -> float:
    """A JSON number as JavaScript holds it (a double); huge integers become ±Infinity."""
    if isinstance(value, Decimal) and value.is_nan():
        return math.nan  # float() refuses a signalling NaN
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def same_json(actual: object, expected: object) -> bool:
    """Compare as JSON values: true is not 1, 1 == 1.0, NaN equals NaN, -0 is not 0."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(actual, int | float | Decimal) and isinstance(expected, int | float | Decimal):
        left, right = _double(actual), _double(expected)
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    if isinstance(actual, list | tuple) and isinstance(expected, list | tuple):
        return len(actual) == len(expected) and all(
            same_json(a, e) for a, e in zip(actual, expected, strict=True)
        )
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        return actual.keys() == expected.keys() and all(
            same_json(actual[k], expected[k]) for k in actual
        )
    return type(actual) is type(expected) and actual == expected


def generic_operations() -> Operations:
    """Re-register every built-in: the compiler then applies none of its fast paths."""
    table = DEFAULT_OPERATIONS
    for name in DEFAULT_OPERATIONS.names():
        operation = DEFAULT_OPERATIONS.get(name)
        if operation is not None:
            table = table.with_operation(
                name,
                operation.fn,
                min_args=operation.min_args,
                max_args=operation.max_args,
                uses_data=operation.uses_data,
            )
    return table
