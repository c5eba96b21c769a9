"""Rendering a timeline: readable text, and the same facts as JSON-serialisable data."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

import loyalty_core as lc
from loyalty_core import clock
from loyalty_core.limits import show
from loyalty_core.model import KINDS, Model
from loyalty_core.scenarios._run import definition_view, item_view
from loyalty_core.scenarios._values import Advance, Change, Event, Step, Timeline

__all__ = ["format_local", "render_timeline", "timeline_to_json"]

_WIDTH: Final = 96


def format_local(instant: datetime, zone: ZoneInfo) -> str:
    """Render an instant as a wall time in ``zone`` with the zone and its offset (TIME-3).

    >>> from datetime import UTC
    >>> melbourne = clock.zone("Australia/Melbourne")
    >>> format_local(datetime(2026, 4, 19, 13, 59, 59, tzinfo=UTC), melbourne)
    '2026-04-19 23:59:59 Australia/Melbourne (+10:00)'
    """
    return f"{clock.format_wall(instant, zone)} {zone.key} ({clock.format_offset(instant, zone)})"


def _when(instant: datetime, zone: ZoneInfo) -> str:
    utc = clock.format_instant(instant)
    return utc if zone.key == "UTC" else f"{utc} = {format_local(instant, zone)}"


# --- text ----------------------------------------------------------------------------------------


def _text(value: Any, zone: ZoneInfo) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_local(value, zone)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _label(change: Change) -> str:
    if change.kind == "definition":
        return f"definition {show(change.handle)}"
    item_id = "" if change.item_id is None else f" (id {change.item_id})"
    return f"{show(change.owner)} {change.kind} #{change.index}{item_id}, {change.timezone}"


def _change_lines(change: Change) -> list[str]:
    zone = clock.zone(change.timezone)
    mark = "+ new" if change.created else "~"
    lines = [f"    {mark} {_label(change)}"]
    for field in change.fields:
        after = _text(field.after, zone)
        shown = after if change.created else f"{_text(field.before, zone)} -> {after}"
        lines.append(f"        {field.name} {shown}")
    return lines


def _reason_lines(decision: lc.Decision, indent: str) -> list[str]:
    lines = [f"{indent}- {r.code.value}: {r.message}" for r in decision.reasons]
    # TIME-9: for a refusal, retry_at is when the same request could next be allowed (an
    # allowed decision's retry_at, when it would stop being allowed, stays in the JSON).
    if not decision.allowed and decision.retry_at is not None:
        lines.append(f"{indent}retry at {clock.format_instant(decision.retry_at)}")
    return lines


def _outcome_lines(step: Step) -> list[str]:
    outcome = step.outcome
    if isinstance(step.event, Advance) and outcome.error is None:
        return []
    if outcome.error is not None:
        return [f"    rejected as bad input: {outcome.error}"]
    # A refused Decision is falsy (its __bool__ is `allowed`): test for None explicitly.
    decision = lc.Decision() if outcome.decision is None else outcome.decision
    lines = ["    " + step.result]
    lines.extend(_reason_lines(decision, "      "))
    for item_id, skipped in outcome.skipped:
        lines.append(f"    skipped id {item_id}")
        lines.extend(_reason_lines(skipped, "      "))
    if outcome.redeemed is not None:
        taken = ", ".join(
            f"{format(v, 'f')} from " + ("a reward without an id" if i is None else f"reward {i}")
            for i, v in outcome.deductions
        )
        requested = format(getattr(step.event, "amount", Decimal(0)), "f")
        lines.append(
            f"    redeemed {format(outcome.redeemed, 'f')} of {requested}"
            + (f": {taken}" if taken else "")
        )
    record = outcome.redemption
    if record is not None:
        # RED-16: the record of the redemption, as the platform's response holds it.
        counted = ", ".join(f"{item.count} of {item.type} {item.id}" for item in record.items)
        lines.append(f"    record: {counted} for profile {show(record.profile_id)}")
    return lines


def _state_lines(model: Model) -> list[str]:
    lines = []
    for definition in model.definitions:
        counters = ", ".join(
            f"{k} {_text(v, clock.UTC_ZONE)}" for k, v in definition_view(definition).items()
        )
        lines.append(f"  definition {show(definition.handle)}: {counters}")
    for member in model.members:
        lines.append(f"  member {show(member.profile_id)}")
        held = False
        for kind in KINDS:
            for index, item in enumerate(member.items(kind)):
                held = True
                zone = item.zone
                item_id = "" if item.id is None else f" (id {item.id})"
                lines.append(f"    {kind} #{index}{item_id}, {zone.key}")
                lines.extend(
                    f"        {name} {_text(value, zone)}"
                    for name, value in item_view(kind, item, model.at).items()
                )
        if not held:
            lines.append("    holds nothing")
    return lines


def _policy_text(policy: lc.Policy) -> str:
    changed = [
        f"{a.name}={_text(getattr(policy, a.name), clock.UTC_ZONE)}"
        for a in attrs.fields(lc.Policy)
        if getattr(policy, a.name) != a.default
    ]
    return ", ".join(changed) if changed else "the defaults"


def render_timeline(timeline: Timeline) -> str:
    """Render a timeline as text: the scenario, its starting state, each step, the final state.

    Each step shows the clock, the event, its decision (every failed rule with its code and
    message, and ``retry_at``), or ``rejected as bad input`` with the error, then what it
    changed: counters, values and dates, each instant shown in its item's own zone (TIME-3).
    """
    scenario = timeline.scenario
    zone = clock.zone(scenario.timezone)
    lines = [f"scenario: {scenario.name or '(unnamed)'}"]
    if scenario.description:
        lines.extend(
            textwrap.wrap(scenario.description, _WIDTH, initial_indent="  ", subsequent_indent="  ")
        )
    lines.append(f"policy: {_policy_text(scenario.policy)}")
    lines.append("")
    lines.append(f"start at {_when(timeline.start.at, zone)}")
    lines.extend(_state_lines(timeline.start))
    for step in timeline.steps:
        lines.append("")
        lines.append(f"{step.number}. {_when(step.at, zone)}")
        lines.append(f"    {step.event.describe()}")
        if step.event.note:
            lines.extend(
                textwrap.wrap(
                    step.event.note, _WIDTH, initial_indent="    | ", subsequent_indent="    | "
                )
            )
        lines.extend(_outcome_lines(step))
        for change in step.changes:
            lines.extend(_change_lines(change))
    lines.append("")
    lines.append(f"final state at {_when(timeline.final.at, zone)}")
    lines.extend(_state_lines(timeline.final))
    return "\n".join(lines) + "\n"


# --- JSON ----------------------------------------------------------------------------------------


def _json(value: Any) -> Any:
    """Turn a value into JSON: instants ``YYYY-MM-DDTHH:MM:SSZ``, money fixed-point (PAY-8)."""
    if isinstance(value, datetime):
        return clock.format_instant(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def _event_json(event: Event) -> dict[str, Any]:
    found: dict[str, Any] = {"type": event.type}
    for a in attrs.fields(type(event)):
        value = getattr(event, a.name)
        if value is not None:
            found[a.name] = _json(value)
    return found


def _view_json(view: Mapping[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    found = {}
    for name, value in view.items():
        found[name] = _json(value)
        if isinstance(value, datetime):
            found[f"{name}_local"] = format_local(value, zone)
    return found


def _change_json(change: Change) -> dict[str, Any]:
    zone = clock.zone(change.timezone)
    found: dict[str, Any] = {"kind": change.kind}
    if change.kind == "definition":
        found["handle"] = change.handle
    else:
        found.update(
            owner=change.owner,
            index=change.index,
            id=change.item_id,
            timezone=change.timezone,
            created=change.created,
        )
    fields = []
    for field in change.fields:
        entry = {"name": field.name, "before": _json(field.before), "after": _json(field.after)}
        for side in ("before", "after"):
            value = getattr(field, side)
            if isinstance(value, datetime):
                entry[f"{side}_local"] = format_local(value, zone)
        fields.append(entry)
    found["fields"] = fields
    return found


def _state_json(model: Model) -> dict[str, Any]:
    return {
        "at": _json(model.at),
        "definitions": [
            {"handle": d.handle, **_json(definition_view(d))} for d in model.definitions
        ],
        "members": [
            {
                "profile_id": member.profile_id,
                **{
                    f"{kind}s": [
                        {
                            "index": index,
                            "id": item.id,
                            "timezone": item.zone.key,
                            **_view_json(item_view(kind, item, model.at), item.zone),
                        }
                        for index, item in enumerate(member.items(kind))
                    ]
                    for kind in KINDS
                },
            }
            for member in model.members
        ],
    }


def _step_json(step: Step) -> dict[str, Any]:
    outcome = step.outcome
    return {
        "number": step.number,
        "at": _json(step.at),
        "event": _event_json(step.event),
        "result": step.result,
        "decision": None if outcome.decision is None else outcome.decision.to_json(),
        "error": None if outcome.error is None else str(outcome.error),
        "skipped": [{"id": i, **d.to_json()} for i, d in outcome.skipped],
        "redeemed": _json(outcome.redeemed),
        "deductions": [[i, _json(v)] for i, v in outcome.deductions],
        "redemption": None if outcome.redemption is None else outcome.redemption.to_api(),
        "changes": [_change_json(c) for c in step.changes],
    }


def timeline_to_json(timeline: Timeline) -> dict[str, Any]:
    """Return the timeline as JSON-serialisable data: the same steps :func:`render_timeline` shows.

    Instants are ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` (with a ``*_local`` twin in the item's zone),
    money is a fixed-point string (PAY-8), reasons carry ``code``, ``message`` and ``detail``.
    """
    scenario = timeline.scenario
    return {
        "name": scenario.name,
        "description": scenario.description,
        "timezone": scenario.timezone,
        "policy": {a.name: getattr(scenario.policy, a.name) for a in attrs.fields(lc.Policy)},
        "start": _state_json(timeline.start),
        "steps": [_step_json(step) for step in timeline.steps],
        "final": _state_json(timeline.final),
    }
