"""The library's exceptions.

A business "no" is never an exception: it is a :class:`~loyalty_core.Decision`. Exceptions are
for bad input (a payload, an argument, a constructor field) and bad configuration only. Every
exception of the library derives from :class:`LoyaltyError` and also from :class:`ValueError`,
so callers that already catch ``ValueError`` keep working.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import attrs

__all__ = [
    "MAX_LISTED",
    "ConditionError",
    "InvalidRequest",
    "LoyaltyError",
    "PayloadError",
    "Problem",
]


@attrs.frozen
class Problem:
    """One bad field: where it is, and what is wrong with it.

    ``where`` is a JSON path (``$.definition.period``) for payloads and a parameter or field
    name (``period``) for arguments and constructors. ``message`` starts lowercase and shows the
    bad value with ``!r``.
    """

    where: str
    message: str

    def __str__(self) -> str:
        """Render as ``where: message``."""
        return f"{self.where}: {self.message}"


class LoyaltyError(Exception):
    """Base class of every exception loyalty_core raises on purpose."""


MAX_LISTED: Final = 20
"""The most problems an error's message lists; :attr:`problems` keeps every one."""


class _ProblemsError(LoyaltyError, ValueError):
    """An error that lists one or more :class:`Problem` entries.

    The message joins the problems with ``"; "``; past :data:`MAX_LISTED` it says how many
    more there are, so that a payload with 50,000 bad items still gets a short message.
    """

    problems: tuple[Problem, ...]

    def __init__(self, problems: Problem | str | Iterable[Problem]) -> None:
        if isinstance(problems, str):
            found: tuple[Problem, ...] = ()
            text = problems
        else:
            found = (problems,) if isinstance(problems, Problem) else tuple(problems)
            text = "; ".join(str(p) for p in found[:MAX_LISTED])
            if len(found) > MAX_LISTED:
                text += f"; and {len(found) - MAX_LISTED} more problems"
        super().__init__(text)
        self.problems = found


class PayloadError(_ProblemsError):
    """A payload (the platform's JSON) is malformed.

    The message lists every bad field, not only the first, each by JSON path and bad value
    (PAY-12); :attr:`problems` holds them one by one:

    >>> from loyalty_core import Reward
    >>> Reward.from_api({"value_initial": "ten", "period": 1})
    Traceback (most recent call last):
    ...
    loyalty_core.errors.PayloadError: $.value_initial: expected a money amount ...
    """

    def under(self, root: str) -> tuple[Problem, ...]:
        """Return the problems with their paths moved under ``root`` (a payload inside another).

        >>> PayloadError(Problem("$.period", "expected an integer >= 0, got -1")).under(
        ...     "$.definitions[0]")
        (Problem(where='$.definitions[0].period', message='expected an integer >= 0, got -1'),)
        """
        return tuple(
            Problem(root + problem.where.removeprefix("$"), problem.message)
            for problem in self.problems
        )


class InvalidRequest(_ProblemsError):  # noqa: N818 - the name is fixed by the public API
    """A function argument or a directly constructed value is invalid.

    Raised for a naive ``at``, a ``count`` of 0, both or neither of ``extend_days`` and
    ``extend_date``, an unknown zone, and any invalid field given to a constructor. The message
    names the parameter or field and shows the value with ``!r``.
    """


class ConditionError(_ProblemsError):
    """A JSON Logic condition is malformed (COND-2, COND-3, COND-7).

    Raised at compile time, never while evaluating a compiled rule.
    """
