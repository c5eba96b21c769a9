"""The caller's choices where the platform's behaviour is undecided (the POL rules).

>>> Policy().reclaim_requires_inactive, DEFAULT_POLICY == Policy()
(True, True)
>>> Policy(remind_offset_sign="sideways")
Traceback (most recent call last):
...
loyalty_core.errors.InvalidRequest: remind_offset_sign: expected 'after' or 'before', got 'sideways'
"""

from __future__ import annotations

from typing import Literal

import attrs

from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import show

__all__ = ["DEFAULT_POLICY", "Policy", "RemindOffsetSign"]

RemindOffsetSign = Literal["after", "before"]


def _flag(instance: Policy, attribute: attrs.Attribute[bool], value: object) -> None:
    del instance
    if type(value) is not bool:
        raise InvalidRequest(Problem(attribute.name, f"expected True or False, got {show(value)}"))


def _sign(instance: Policy, attribute: attrs.Attribute[str], value: object) -> None:
    del instance
    if value not in ("after", "before"):
        raise InvalidRequest(
            Problem(attribute.name, f"expected 'after' or 'before', got {show(value)}")
        )


@attrs.frozen(kw_only=True)
class Policy:
    """Exactly the switches POL-2 to POL-6, each with its default (Q10, Q13, Q14, Q26, Q33).

    A policy is a pure input, never global state: pass it to the checks that read it.
    """

    reclaim_requires_inactive: bool = attrs.field(default=True, validator=_flag)
    """POL-2 (Q10): a reclaimable definition may not be claimed while an active claimed copy is
    held (CLM-10). When false, it may be held more than once."""

    one_claim_per_campaign: bool = attrs.field(default=False, validator=_flag)
    """POL-3 (Q13): at most one active claimed benefit per non-empty ``campaign`` (CLM-14)."""

    claims_require_assignable: bool = attrs.field(default=True, validator=_flag)
    """POL-4 (Q14): a claim needs the definition's ``is_assignable`` (CLM-4)."""

    allow_extend_expired: bool = attrs.field(default=True, validator=_flag)
    """POL-5 (Q26): expired items may be extended; when false they are skipped (EXT-6)."""

    remind_offset_sign: RemindOffsetSign = attrs.field(default="after", validator=_sign)
    """POL-6 (Q33): ``"after"`` adds the remind/extend offset days as written (negative means
    before expiry); ``"before"`` subtracts them (NTF-3, NTF-4)."""


DEFAULT_POLICY = Policy()
"""``Policy()``: every switch at its default."""
