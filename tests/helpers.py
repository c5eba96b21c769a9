"""Small helpers shared by the tests: instants as the rulebook writes them, example budgets."""

from datetime import UTC, datetime

from hypothesis import settings


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
