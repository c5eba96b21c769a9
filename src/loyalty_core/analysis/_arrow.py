"""Claim eligibility over Arrow record batches: the unit Spark's ``mapInArrow`` hands out.

Each batch of members becomes a polars frame, is decided by :func:`claim_eligibility` (so by
the vectorised engine wherever it applies), and goes back as Arrow batches with a fixed
schema, the one :func:`spark_schema` spells for Spark. No batch reads another, so a cluster
gives the same rows as one process, partition by partition.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from loyalty_core.analysis._batch import CLAIM_CODES, claim_eligibility
from loyalty_core.analysis._frames import import_or_hint
from loyalty_core.benefits import Benefit, BenefitDefinition
from loyalty_core.policy import DEFAULT_POLICY, Policy

__all__ = ["eligibility_batches", "spark_schema"]


def _arrow_schema(pa: Any, *, messages: bool) -> Any:
    instant = pa.timestamp("us", tz="UTC")
    fields = [
        ("profile_id", pa.string()),
        ("definition", pa.string()),
        ("instant", instant),
        ("timezone", pa.string()),
        ("allowed", pa.bool_()),
        *[(code.value, pa.bool_()) for code in CLAIM_CODES],
        ("reasons", pa.list_(pa.string())),
    ]
    if messages:
        fields.append(("messages", pa.list_(pa.string())))
    fields.append(("retry_at", instant))
    return pa.schema(fields)


def spark_schema(*, messages: bool = False) -> str:
    """The Spark DDL schema of :func:`eligibility_batches`'s batches, for ``mapInArrow``.

    >>> spark_schema().split(", ")[:4]
    ['profile_id string', 'definition string', 'instant timestamp', 'timezone string']
    """
    columns = [
        "profile_id string",
        "definition string",
        "instant timestamp",
        "timezone string",
        "allowed boolean",
        *[f"{code.value} boolean" for code in CLAIM_CODES],
        "reasons array<string>",
    ]
    if messages:
        columns.append("messages array<string>")
    columns.append("retry_at timestamp")
    return ", ".join(columns)


def eligibility_batches(  # noqa: PLR0913 - claim_eligibility's keywords, passed through
    batches: Iterable[Any],
    definitions: BenefitDefinition | Iterable[BenefitDefinition],
    *,
    at: datetime | Iterable[datetime],
    timezone: str | Mapping[str, str],
    holdings: Mapping[str, Iterable[Benefit]] | None = None,
    policy: Policy = DEFAULT_POLICY,
    messages: bool = False,
    separator: str = ".",
) -> Iterator[Any]:
    """Decide the claims of the members in each Arrow record batch; yield the rows as batches.

    Each batch holds members as :func:`claim_eligibility` reads a frame (an ``id`` column,
    dotted columns for nested fields). The rows come back in the frame's order, as Arrow
    batches of the schema :func:`spark_schema` gives (``messages`` only when asked for).
    Spark reads a dot in a column name as a struct field, so name nested fields with another
    ``separator`` there (``aggregations__spend_12m`` with ``separator="__"``): each batch's
    names are read with the separator replaced by a dot. With Spark::

        members.mapInArrow(
            lambda batches: eligibility_batches(
                batches, definitions, at=days, timezone="UTC", separator="__"
            ),
            spark_schema(),
        )

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> from loyalty_core import BenefitDefinition
    >>> members = pa.RecordBatch.from_pydict({"id": ["m-1", "m-2"], "tier": ["gold", "silver"]})
    >>> gold = BenefitDefinition(handle="gold", is_claimable=True, is_published=True,
    ...                          is_assignable=True,
    ...                          claim_condition={"==": [{"var": "tier"}, "gold"]})
    >>> rows = pa.Table.from_batches(eligibility_batches(
    ...     [members], gold, at=datetime(2026, 3, 1, tzinfo=UTC), timezone="UTC"))
    >>> rows.column("allowed").to_pylist()
    [True, False]
    """
    pl = import_or_hint("polars")
    pa = import_or_hint("pyarrow")
    schema = _arrow_schema(pa, messages=messages)
    for batch in batches:
        members = pl.from_arrow(batch)
        if separator != ".":
            members = members.rename(
                {name: name.replace(separator, ".") for name in members.columns}
            )
        frame = claim_eligibility(
            members,
            definitions,
            at=at,
            timezone=timezone,
            holdings=holdings,
            policy=policy,
            backend="polars",
            messages=messages,
        )
        yield from frame.to_arrow(compat_level=pl.CompatLevel.oldest()).cast(schema).to_batches()
