"""Scenarios: a starting state and timed events, run through the rules into a timeline.

A scenario is a JSON document (see the how-to *Run a scenario*): benefit definitions, members
with their profiles and holdings (benefits, rewards, credits), and events (claim, redeem,
return, extend, redeem rewards, edit or redeem a credit, advance the clock), each at an
instant that never goes back. :func:`parse_scenario` checks all of it up front and raises one
:class:`~loyalty_core.PayloadError` naming every problem by JSON path; :func:`run_scenario`
applies the events through the reference model (the one ``loyalty_core.testing.model``
exports) and returns a :class:`Timeline`; :func:`render_timeline` and
:func:`timeline_to_json` show it. The core stays pure: nothing here reads a file or the clock.

>>> scenario = parse_scenario({
...     "start_at": "2026-03-01T00:00:00Z",
...     "definitions": [{"handle": "coffee", "is_claimable": True, "is_published": True,
...                      "is_assignable": True, "max_redemptions": 1, "period": 30}],
...     "members": [{"profile": {"id": "p-1"}}],
...     "events": [
...         {"type": "claim", "member": "p-1", "definition": "coffee",
...          "timezone": "Australia/Melbourne"},
...         {"type": "redeem", "at": "2026-04-20T00:00:00Z", "member": "p-1", "benefit": 0}]})
>>> timeline = run_scenario(scenario)
>>> [step.result for step in timeline.steps]
['accepted', 'refused']
>>> text = render_timeline(timeline)
>>> print(text[text.index("2. "):text.index("final state")].strip())
2. 2026-04-20T00:00:00Z
    redeem 1 of 'p-1' benefit #0 on the api channel
    refused
      - expired: the benefit expired at 2026-03-31T12:59:59Z; at is 2026-04-20T00:00:00Z
    ~ 'p-1' benefit #0 (id 1), Australia/Melbourne
        status active -> expired
"""

from loyalty_core.scenarios._parse import parse_scenario
from loyalty_core.scenarios._render import format_local, render_timeline, timeline_to_json
from loyalty_core.scenarios._run import run_scenario
from loyalty_core.scenarios._values import (
    Advance,
    Change,
    Claim,
    EditCredit,
    Event,
    Extend,
    FieldChange,
    Redeem,
    RedeemCredit,
    RedeemRewards,
    Return,
    Scenario,
    Step,
    Timeline,
)

__all__ = [
    "Advance",
    "Change",
    "Claim",
    "EditCredit",
    "Event",
    "Extend",
    "FieldChange",
    "Redeem",
    "RedeemCredit",
    "RedeemRewards",
    "Return",
    "Scenario",
    "Step",
    "Timeline",
    "format_local",
    "parse_scenario",
    "render_timeline",
    "run_scenario",
    "timeline_to_json",
]
