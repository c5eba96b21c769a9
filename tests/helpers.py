"""Helpers shared by the tests: instants as the rulebook writes them, budgets, codes, builders."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import settings

from loyalty_core import BenefitDefinition, Decision
from loyalty_core.analysis import example_path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
"""The bundled examples the tutorial and the command use."""


def utc(text: str) -> datetime:
    """Return the UTC instant written ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (as RULES.md writes it)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def budget(examples: int) -> int:
    """A property test's example budget, scaled by the active hypothesis profile.

    Budgets are written for the ``thorough`` profile (100 examples by default), which `.ci/run`
    runs; the quick default run (``ci``, 25) takes a quarter of each, never fewer than 10.
    """
    active = settings.default
    scale = 100 if active is None else active.max_examples
    return max(10, examples * scale // 100)


def codes(decision: Decision) -> list[str]:
    """The codes of a decision's failed rules, in the rule table's order."""
    return [r.code.value for r in decision.reasons]


def definition(**fields: Any) -> BenefitDefinition:
    """A claimable, published, assignable definition (id 1, handle ``d-1``), no window or limits.

    Only what ``fields`` sets can refuse a claim (CLM-1 to CLM-5 pass); ``fields`` override the
    id and handle too.
    """
    base: dict[str, Any] = {
        "id": 1,
        "handle": "d-1",
        "is_claimable": True,
        "is_published": True,
        "is_assignable": True,
    }
    return BenefitDefinition(**(base | fields))


def example_definitions() -> list[BenefitDefinition]:
    """The bundled ``examples/definitions.json``, read as definitions."""
    payloads = json.loads(example_path("definitions.json").read_text(encoding="utf-8"))
    return [BenefitDefinition.from_api(payload) for payload in payloads]
