"""Small helpers shared by the tests: fixed instants written as the rulebook writes them."""

from datetime import UTC, datetime


def utc(text: str) -> datetime:
    """Return the UTC instant written ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (as RULES.md writes it)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
