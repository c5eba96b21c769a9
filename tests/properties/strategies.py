"""Hypothesis strategies for our own property tests: a thin layer over the public toolkit.

The strategies live in :mod:`loyalty_core.testing.strategies`, the module other services use
(issue 6); this module keeps the names our property tests import, re-exporting the public
strategies, and adds the few helpers only our tests need: plain instant ranges and the
brute-force :func:`day_exists` oracle.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from hypothesis import strategies as st

from loyalty_core.testing.strategies import (
    CURATED_ZONES,
    Transition,
    all_zone_names,
    aware_instants,
    benefit_definitions,
    benefits,
    claim_timeframes,
    conditions,
    credit_definitions,
    fold_walls,
    gap_walls,
    json_values,
    local_dates,
    money,
    month_end_instants,
    profiles,
    reward_definitions,
    rewards,
    transition_instants,
    transitions,
    zoned_instants,
    zoned_walls,
    zones,
)
from loyalty_core.testing.strategies import credits as credit_items

T = TypeVar("T")

__all__ = [
    "CURATED_ZONES",
    "Transition",
    "all_zone_names",
    "aware_instants",
    "benefit_definitions",
    "benefits",
    "claim_timeframes",
    "conditions",
    "credit_definitions",
    "credit_items",
    "day_exists",
    "fold_walls",
    "gap_walls",
    "instants_near_transitions",
    "json_values",
    "local_dates",
    "money",
    "month_end_instants",
    "near",
    "optional",
    "plain_instants",
    "profiles",
    "reward_definitions",
    "rewards",
    "timeframe_values",
    "transition_instants",
    "transitions",
    "utc_instants",
    "within_1901_2199",
    "zoned_instants",
    "zoned_walls",
    "zones",
]


_DAY_US = 86_400 * 10**6


def within_1901_2199(instant: datetime) -> bool:
    """Whether ``instant`` lies where every instant 60 days around it is storable and zoned."""
    return datetime(1901, 1, 1, tzinfo=UTC) <= instant <= datetime(2199, 1, 1, tzinfo=UTC)


def near(base: datetime) -> st.SearchStrategy[datetime]:
    """Instants close to ``base``: exactly on it, ±1 µs, ±1 s, hours, days, or up to 60 days."""
    special = st.sampled_from(
        [0, 1, -1, 10**6, -(10**6), 3600 * 10**6, -3600 * 10**6, _DAY_US, -_DAY_US, 7 * _DAY_US]
    )
    anywhere = st.integers(-60 * _DAY_US, 60 * _DAY_US)
    return st.one_of(special, anywhere).map(lambda us: base + timedelta(microseconds=us))


def optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    """``strategy``'s values, or ``None``."""
    return st.one_of(st.none(), strategy)


def timeframe_values() -> st.SearchStrategy[Any]:
    """`claim_timeframe` text (CLM-16; constructors read it): none, a calendar window, 1-3 units."""
    return st.one_of(
        st.none(),
        st.sampled_from(["day", "week", "month", "year"]),
        st.builds(
            lambda n, unit: f"{n} {unit}",
            st.integers(1, 3),
            st.sampled_from(["days", "weeks", "months", "years"]),
        ),
    )


def plain_instants() -> st.SearchStrategy[datetime]:
    """Random UTC instants 1970–2100 (microseconds included); shrinks towards 2000-01-01."""
    return st.datetimes(
        min_value=datetime(1970, 1, 1),
        max_value=datetime(2100, 12, 31, 23, 59, 59, 999_999),
        timezones=st.just(UTC),
    )


def utc_instants() -> st.SearchStrategy[datetime]:
    """UTC instants 1900–2200, microseconds included; shrinks towards 2000-01-01 00:00:00Z."""
    return st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 12, 31, 23, 59, 59, 999_999),
        timezones=st.just(UTC),
    )


def instants_near_transitions() -> st.SearchStrategy[datetime]:
    """An aware UTC instant near a DST transition of some real zone (see ``zoned_instants``)."""
    return zoned_instants().map(lambda pair: pair[1])


def day_exists(day: date, zone_name: str) -> bool:
    """Tell whether some instant has local date ``day`` in the zone (stdlib, by brute force).

    Every wall time of the day is tried at each quarter hour; a day exists iff one of them
    reads back as itself. (Only Pacific/Apia 2011-12-30 fails in 1970–2100.)
    """
    tz = zoneinfo.ZoneInfo(zone_name)
    for minutes in range(0, 24 * 60, 15):
        wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
        for fold in (0, 1):
            back = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC).astimezone(tz)
            if back.replace(tzinfo=None) == wall:
                return True
    return False
