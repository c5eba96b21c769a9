"""Hypothesis strategies for loyalty_core's values, API payloads, conditions and instants.

Use them to test a service against loyalty_core, the reference implementation. Every strategy
generates only values the library accepts (each value round-trips ``from_api(to_api())``),
except :func:`invalid_payloads`, which exists to produce input the library rejects.

Time strategies aim at the places where calendar code breaks: real DST transitions of real
zones (found once per zone by scanning its UTC offset, then cached), month ends, leap days,
the odd zones (Lord Howe's 30-minute DST, Havana's skipped midnight, Nuuk's late-evening
changes, Apia's skipped 2011-12-30) and the boundaries you name (a claim window's ends, an
expiry). Plain random instants would need thousands of examples to land within a second of a
transition; these land there on purpose.

Value strategies build the seven platform values through their constructors, with keyword-only
knobs where a test wants a particular kind of value (``benefit_definitions(claimable=True)``,
``rewards(active_at=at)``). Payload strategies give the platform's JSON shapes, valid
(:func:`api_payloads`) or broken in exactly one field (:func:`invalid_payloads`). Condition
strategies give well-formed JSON Logic rules over a profile schema (:func:`conditions`) and
profile data matching that schema (:func:`profile_contexts`).

>>> from hypothesis import given
>>> from loyalty_core import Reward, reward_balance
>>> @given(rewards(active_at=AT))
... def test_an_active_reward_counts(reward):
...     assert reward_balance([reward], at=AT) == reward.value_remaining
>>> test_an_active_reward_counts()
"""

from __future__ import annotations

from loyalty_core.testing import INSTALL_HINT

try:
    import hypothesis  # noqa: F401 - checked here, to say how to install it when missing
except ImportError as missing:
    raise ImportError(INSTALL_HINT.format(module=__name__)) from missing

# The strategies live in private submodules (loyalty_core.testing._strategies), one per seam:
# instants, conditions, kinds (one strategy per field kind), values and payloads. This module is
# the one public name for all of them.
from loyalty_core.testing._strategies.conditions import (
    DEFAULT_PROFILE_SCHEMA,
    ProfileSchema,
    VariableType,
    conditions,
    profile_contexts,
)
from loyalty_core.testing._strategies.instants import (
    AT,
    CURATED_ZONES,
    Transition,
    all_zone_names,
    aware_instants,
    fold_walls,
    gap_walls,
    instants,
    local_dates,
    month_end_instants,
    transition_instants,
    transitions,
    zoned_instants,
    zoned_walls,
    zones,
)
from loyalty_core.testing._strategies.kinds import claim_timeframes, json_values, money
from loyalty_core.testing._strategies.payloads import (
    InvalidPayload,
    api_payloads,
    invalid_payloads,
)
from loyalty_core.testing._strategies.values import (
    benefit_definitions,
    benefits,
    credit_definitions,
    credits,  # noqa: A004 - named after the value it generates, like rewards() and benefits()
    policies,
    profiles,
    reward_definitions,
    rewards,
)

__all__ = [
    "AT",
    "CURATED_ZONES",
    "DEFAULT_PROFILE_SCHEMA",
    "InvalidPayload",
    "ProfileSchema",
    "Transition",
    "VariableType",
    "all_zone_names",
    "api_payloads",
    "aware_instants",
    "benefit_definitions",
    "benefits",
    "claim_timeframes",
    "conditions",
    "credit_definitions",
    "credits",
    "fold_walls",
    "gap_walls",
    "instants",
    "invalid_payloads",
    "json_values",
    "local_dates",
    "money",
    "month_end_instants",
    "policies",
    "profile_contexts",
    "profiles",
    "reward_definitions",
    "rewards",
    "transition_instants",
    "transitions",
    "zoned_instants",
    "zoned_walls",
    "zones",
]
