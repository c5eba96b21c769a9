"""Property tests of the scenario boundary: malformed input is a PayloadError, never a crash.

Each example takes a shipped scenario and replaces or deletes up to three of its parts
(anything from a whole event list to one instant) with arbitrary JSON. Whatever comes out,
parsing either fails with one ``PayloadError`` naming JSON paths, or the scenario runs and
renders as text and as JSON: a run-time bad event is a step, not an exception.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty_core import PayloadError
from loyalty_core.scenarios import parse_scenario, render_timeline, run_scenario, timeline_to_json
from tests.helpers import budget
from tests.properties.strategies import json_values

EXAMPLES: Final = Path(__file__).parents[2] / "examples" / "scenarios"
SCENARIOS: Final = tuple(
    json.loads(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob("*.json"))
)
Path_ = tuple[str | int, ...]


def _paths(value: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


# Built once, not in every draw.
JSON_VALUES: Final = json_values()


@st.composite
def damaged_scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], list[Path_]]:
    """A shipped scenario with up to three parts replaced by arbitrary JSON or deleted."""
    document: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(SCENARIOS)))
    damaged: list[Path_] = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(list(_paths(document))[1:]))
        parent: Any = document
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
        damaged.append(path)
    return document, damaged


def test_every_shipped_scenario_is_sampled() -> None:
    assert len(SCENARIOS) == 4


@settings(max_examples=budget(300), suppress_health_check=[HealthCheck.too_slow])
@given(damaged_scenarios())
def test_damage_is_a_payload_error_or_a_run(case: tuple[dict[str, Any], list[Path_]]) -> None:
    document, _ = case
    error: PayloadError | None = None
    try:
        scenario = parse_scenario(document)
    except PayloadError as exc:
        error = exc
    if error is not None:
        assert error.problems
        assert all(problem.where.startswith("$") for problem in error.problems)
        return
    timeline = run_scenario(scenario)
    assert len(timeline.steps) == len(document["events"])
    assert render_timeline(timeline)
    json.dumps(timeline_to_json(timeline))
