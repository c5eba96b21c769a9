"""Parsing a scenario's JSON: every problem collected, by JSON path, into one ``PayloadError``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

import attrs

import loyalty_core as lc
from loyalty_core import clock
from loyalty_core._fields import (
    BadValue,
    Problems,
    check_bool,
    check_count,
    check_payload_count,
    check_text,
    check_zone,
    checked,
    integral,
    to_positive_money,
)
from loyalty_core.limits import ShapeError, copy_json, key_segment, show
from loyalty_core.model import KINDS, Member
from loyalty_core.payloads import parse_extend_request, parse_instant
from loyalty_core.redemptions import CHANNELS
from loyalty_core.scenarios._values import (
    Advance,
    Claim,
    EditCredit,
    Event,
    Extend,
    Redeem,
    RedeemCredit,
    RedeemRewards,
    Return,
    Scenario,
)

__all__ = ["parse_scenario"]

T = TypeVar("T")

_TOP_KEYS: Final = (
    "name",
    "description",
    "start_at",
    "timezone",
    "policy",
    "definitions",
    "members",
    "events",
)
_MEMBER_KEYS: Final = ("profile", "benefits", "rewards", "credits")

_ITEMS: Final[Mapping[str, type[Any]]] = {
    "benefits": lc.Benefit,
    "rewards": lc.Reward,
    "credits": lc.Credit,
}


_QUOTED: Final = 10
"""The most names a message lists."""


def _quoted(names: Sequence[str]) -> str:
    shown = ", ".join(show(name) for name in names[:_QUOTED])
    return shown + (", ..." if len(names) > _QUOTED else "")


class _Reader(Problems):
    """The scenario's problems (the payload boundary's one collector), and its shape checks."""

    def mapping(self, raw: object, path: str, keys: Sequence[str]) -> Mapping[str, Any] | None:
        if not isinstance(raw, Mapping):
            self.add(path, f"expected an object, got {show(raw)}")
            return None
        for key in raw:
            if key not in keys:
                where = path + key_segment(key)
                self.add(where, f"unknown key; expected one of {_quoted(keys)}")
        return raw

    def array(self, data: Mapping[str, Any], key: str, path: str) -> list[Any]:
        raw = data.get(key)
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.add(f"{path}.{key}", f"expected an array, got {show(raw)}")
            return []
        return raw

    def value(self, cls: type[T], raw: object, path: str) -> T | None:
        try:
            return cls.from_api(raw)  # type: ignore[attr-defined, no-any-return]
        except lc.PayloadError as exc:
            self.reroot(exc, path)
            return None


# --- checks of the scenario's own fields ---------------------------------------------------------


def _check_index(value: object) -> int:
    # PAY-7: 1.0 is 1, as in every payload; an item index is a count (0 to MAX_INT).
    return checked(check_count, integral, value)


def _one_of(choices: Sequence[str]) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value not in choices:
            msg = f"expected one of {_quoted(choices)}, got {show(value)}"
            raise BadValue(msg)
        return str(value)

    return check


def _check_object(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        msg = f"expected an object, got {show(value)}"
        raise BadValue(msg)
    try:
        return MappingProxyType(copy_json(value))
    except ShapeError as exc:
        msg = f"expected a JSON object: {exc} at {exc.where('$')}"
        raise BadValue(msg) from None


# --- the parser ----------------------------------------------------------------------------------


@attrs.define
class _Parser:
    """Parse one scenario; the fields hold what the events may refer to."""

    read: _Reader = attrs.field(factory=_Reader)
    zone: ZoneInfo = clock.UTC_ZONE
    zone_name: str = "UTC"
    handles: dict[str, lc.BenefitDefinition] = attrs.field(factory=dict)
    members: dict[str, Member] = attrs.field(factory=dict)
    member_ids_ok: bool = True
    """False once a member failed to parse: its id may be the one an event names."""
    handles_ok: bool = True
    """False once a definition failed to parse: its handle may be the one an event names."""
    moved_to: datetime | None = None
    """The instant the event being parsed moves the clock to, once its ``at`` or ``to`` parsed."""

    def unknown_handle(self, handle: str, path: str) -> None:
        if self.handles_ok:
            self.read.add(
                path,
                f"expected one of the scenario's handles ({_quoted(list(self.handles))}), "
                f"got {show(handle)}",
            )

    def instant(self, raw: object, path: str) -> datetime | None:
        try:
            return parse_instant(raw, naive_zone=self.zone, path=path)
        except lc.PayloadError as exc:
            self.read.problems.extend(exc.problems)
            return None

    def policy(self, raw: object) -> lc.Policy:
        if raw is None:
            return lc.DEFAULT_POLICY
        switches = tuple(a.name for a in attrs.fields(lc.Policy))
        data = self.read.mapping(raw, "$.policy", switches)
        if data is None:
            return lc.DEFAULT_POLICY
        try:
            return lc.Policy(**{k: v for k, v in data.items() if k in switches})
        except lc.InvalidRequest as exc:
            for problem in exc.problems:
                self.read.add(f"$.policy.{problem.where}", problem.message)
            return lc.DEFAULT_POLICY

    def definitions(self, data: Mapping[str, Any]) -> tuple[lc.BenefitDefinition, ...]:
        found = []
        first: dict[str, str] = {}
        for index, raw in enumerate(self.read.array(data, "definitions", "$")):
            path = f"$.definitions[{index}]"
            definition = self.read.value(lc.BenefitDefinition, raw, path)
            if definition is None:
                self.handles_ok = False
                continue
            handle = definition.handle
            if handle is None:
                self.read.add(f"{path}.handle", "is required, got null or nothing")
            elif handle in first:
                self.read.add(
                    f"{path}.handle",
                    f"expected a handle distinct from {first[handle]}.handle, got {show(handle)}",
                )
            else:
                first[handle] = path
                self.handles[handle] = definition
                found.append(definition)
        return tuple(found)

    def members_of(self, data: Mapping[str, Any]) -> tuple[Member, ...]:
        found = []
        first: dict[str, str] = {}
        first_item: dict[tuple[str, int], str] = {}
        for index, raw in enumerate(self.read.array(data, "members", "$")):
            path = f"$.members[{index}]"
            member = self.member(raw, path)
            if member is None:
                self.member_ids_ok = False
                continue
            self.distinct_item_ids(member, path, first_item)
            profile_id = member.profile_id
            if profile_id in first:
                self.read.add(
                    f"{path}.profile.id",
                    f"expected an id distinct from {first[profile_id]}.profile.id, "
                    f"got {show(profile_id)}",
                )
                continue
            first[profile_id] = path
            self.members[profile_id] = member
            found.append(member)
        return tuple(found)

    def distinct_item_ids(
        self, member: Member, path: str, first: dict[tuple[str, int], str]
    ) -> None:
        # Items are named by id (extend, EXT-10): an id names one item of its kind in the
        # whole scenario, or an extension would reach several.
        for key in _ITEMS:
            for index, item in enumerate(getattr(member, key)):
                if item.id is None:
                    continue
                where = f"{path}.{key}[{index}].id"
                seen = first.setdefault((key, item.id), where)
                if seen != where:
                    self.read.add(
                        where, f"expected an id distinct from {seen}, got {show(item.id)}"
                    )

    def member(self, raw: object, path: str) -> Member | None:
        data = self.read.mapping(raw, path, _MEMBER_KEYS)
        if data is None:
            return None
        before = len(self.read.problems)
        profile = None
        if data.get("profile") is None:
            self.read.add(f"{path}.profile", "is required, got null or nothing")
        else:
            profile = self.read.value(lc.Profile, data["profile"], f"{path}.profile")
            if profile is not None and profile.id is None:
                self.read.add(f"{path}.profile.id", "is required, got null or nothing")
        profile_id = None if profile is None else profile.id
        held = {
            key: tuple(
                self.holding(cls, item, f"{path}.{key}[{i}]", profile_id)
                for i, item in enumerate(self.read.array(data, key, path))
            )
            for key, cls in _ITEMS.items()
        }
        if profile is None or len(self.read.problems) != before:
            return None
        return Member(profile=profile, **held)

    def holding(self, cls: type[Any], raw: object, path: str, profile_id: str | None) -> Any:
        named = isinstance(raw, Mapping) and isinstance(raw.get("definition"), str)
        if cls is lc.Benefit and isinstance(raw, Mapping):
            raw = self.embed_definition(raw, path)  # reports an unknown handle it names
        item = self.read.value(cls, raw, path)
        if item is None:
            return None
        if cls is lc.Benefit and not named and item.definition.handle not in self.handles:
            self.unknown_handle(item.definition.handle, f"{path}.definition.handle")
        if profile_id is not None and item.profile_id is None:
            # A holding belongs to its member: a null profile_id is the member's (EXT-2 reads it).
            return attrs.evolve(item, profile_id=profile_id)
        if profile_id is not None and item.profile_id != profile_id:
            self.read.add(
                f"{path}.profile_id",
                f"expected the member's id {show(profile_id)} or null, got {show(item.profile_id)}",
            )
        return item

    def embed_definition(self, raw: Mapping[str, Any], path: str) -> Mapping[str, Any]:
        # A benefit may name its definition by handle; it then embeds the scenario's definition,
        # so that defaults such as redemptions_remaining come from it (PAY-9).
        handle = raw.get("definition")
        if not isinstance(handle, str):
            return raw
        definition = self.handles.get(handle)
        if definition is None:
            self.unknown_handle(handle, f"{path}.definition")
            return {**raw, "definition": {"handle": handle}}
        return {**raw, "definition": definition.to_api()}

    # --- events ----------------------------------------------------------------------------------

    def events(self, data: Mapping[str, Any], start_at: datetime | None) -> tuple[Event, ...]:
        if data.get("events") is None:
            self.read.add("$.events", "is required, got null or nothing")
        found = []
        now, left_by = start_at, "$.start_at"
        for index, raw in enumerate(self.read.array(data, "events", "$")):
            path = f"$.events[{index}]"
            self.moved_to = None
            event = self.event(raw, path)
            # Time order is checked even for an event with other problems, so that each
            # problem is reported where it is.
            moved_to = self.moved_to
            if moved_to is not None and now is not None:
                key = "to" if isinstance(raw, Mapping) and raw.get("type") == "advance" else "at"
                if moved_to < now:
                    self.read.add(
                        f"{path}.{key}",
                        f"expected an instant at or after {clock.format_instant(now)}, where "
                        f"{left_by} left the clock, got {show(raw[key])}",
                    )
                    continue
                now, left_by = moved_to, path
            if event is not None:
                found.append(event)
        return tuple(found)

    def event(self, raw: object, path: str) -> Event | None:
        if not isinstance(raw, Mapping):
            self.read.add(path, f"expected an object, got {show(raw)}")
            return None
        kind = raw.get("type")
        if not isinstance(kind, str) or kind not in _EVENT_KEYS:
            self.read.add(
                f"{path}.type", f"expected one of {_quoted(list(_EVENT_KEYS))}, got {show(kind)}"
            )
            return None
        keys = _EVENT_KEYS[kind]
        data = self.read.mapping(raw, path, ("type", *keys))
        assert data is not None  # noqa: S101 - checked above
        before = len(self.read.problems)
        values: dict[str, Any] = {"note": self.read.optional(check_text, data, "note", path)}
        if "at" in keys and data.get("at") is not None:
            values["at"] = self.moved_to = self.instant(data["at"], f"{path}.at")
        if "member" in keys:
            values["member"] = self.member_ref(data, path)
        make = getattr(self, f"event_{kind}")
        values.update(make(data, path, values.get("member")))
        if len(self.read.problems) != before:
            return None
        cls = _EVENT_TYPES[kind]
        return cls(**{k: v for k, v in values.items() if v is not None})  # type: ignore[no-any-return]

    def member_ref(self, data: Mapping[str, Any], path: str) -> str | None:
        profile_id = self.read.required(check_text, data, "member", path)
        if profile_id is not None and self.member_ids_ok and profile_id not in self.members:
            self.read.add(
                f"{path}.member",
                f"expected the id of one of the scenario's members "
                f"({_quoted(list(self.members))}), got {show(profile_id)}",
            )
        return profile_id

    def event_claim(self, data: Mapping[str, Any], path: str, _: str | None) -> dict[str, Any]:
        handle = self.read.required(check_text, data, "definition", path)
        if handle is not None and handle not in self.handles:
            self.unknown_handle(handle, f"{path}.definition")
        zone = self.read.optional(check_zone, data, "timezone", path)
        return {"definition": handle, "timezone": zone or self.zone_name}

    def event_redeem(self, data: Mapping[str, Any], path: str, _: str | None) -> dict[str, Any]:
        return {
            "benefit": self.read.required(_check_index, data, "benefit", path),
            "count": self.read.optional(check_payload_count, data, "count", path),
            "channel": self.read.optional(_one_of(CHANNELS), data, "channel", path),
        }

    def event_return(self, data: Mapping[str, Any], path: str, _: str | None) -> dict[str, Any]:
        return {
            "benefit": self.read.required(_check_index, data, "benefit", path),
            "count": self.read.optional(check_payload_count, data, "count", path),
        }

    def event_extend(self, data: Mapping[str, Any], path: str, _: str | None) -> dict[str, Any]:
        kind = self.read.required(_one_of(KINDS), data, "kind", path)
        body = {key: data.get(key) for key in ("ids", "extend_days", "extend_date")}
        try:
            # EXT-1: the same checks as the Extend Reward request body.
            request = parse_extend_request({"profile_id": "", **body})
        except lc.PayloadError as exc:
            self.read.reroot(exc, path)
            return {"kind": kind}
        return {
            "kind": kind,
            "ids": request.ids,
            "extend_days": request.extend_days,
            "extend_date": request.extend_date,
        }

    def event_redeem_rewards(
        self, data: Mapping[str, Any], path: str, _: str | None
    ) -> dict[str, Any]:
        return {
            "amount": self.read.required(to_positive_money, data, "amount", path),
            "strict": self.read.optional(check_bool, data, "strict", path),
        }

    def credit_ref(self, data: Mapping[str, Any], path: str, member: str | None) -> int | None:
        index = self.read.required(_check_index, data, "credit", path)
        held = self.members.get(member or "")
        if index is not None and held is not None and index >= len(held.credits):
            # Events never add credits, so the position is checked here, not at run time.
            self.read.add(
                f"{path}.credit",
                f"expected a position below {show(member)}'s {len(held.credits)} credit(s), "
                f"got {show(index)}",
            )
        return index

    def event_edit_credit(
        self, data: Mapping[str, Any], path: str, member: str | None
    ) -> dict[str, Any]:
        return {
            "credit": self.credit_ref(data, path, member),
            "changes": self.read.required(_check_object, data, "changes", path),
        }

    def event_redeem_credit(
        self, data: Mapping[str, Any], path: str, member: str | None
    ) -> dict[str, Any]:
        return {
            "credit": self.credit_ref(data, path, member),
            "amount": self.read.required(to_positive_money, data, "amount", path),
            "security_code": self.read.optional(check_text, data, "security_code", path),
        }

    def event_advance(self, data: Mapping[str, Any], path: str, _: str | None) -> dict[str, Any]:
        if data.get("to") is None:
            self.read.add(f"{path}.to", "is required, got null or nothing")
            return {}
        self.moved_to = self.instant(data["to"], f"{path}.to")
        return {"to": self.moved_to}


_EVENT_TYPES: Final[Mapping[str, type[Any]]] = {
    cls.type: cls
    for cls in (Claim, Redeem, Return, Extend, RedeemRewards, EditCredit, RedeemCredit, Advance)
}
_EVENT_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    name: cls.json_keys() for name, cls in _EVENT_TYPES.items()
}
"""The keys each event type takes besides ``type`` (its class's fields); any other is a problem."""


def parse_scenario(data: object) -> Scenario:
    """Build a :class:`Scenario` from its JSON, or raise one ``PayloadError`` naming every problem.

    Everything a run needs is checked here, so that a run never fails on the scenario itself:
    the values (each parsed by its own ``from_api``, with its problems re-rooted under the
    scenario's path, e.g. ``$.definitions[0].period``), unknown keys of the scenario's own
    objects, the events' fields, the handles and member ids the events name, each credit
    position, and that time never goes back. Naive ``start_at``, ``at`` and ``to`` values are
    wall times in the scenario's ``timezone`` (default UTC, resolved by TIME-5); naive values
    inside definitions and holdings are UTC, as in every platform payload (PAY-3).

    >>> parse_scenario({"start_at": "2026-01-01", "events": [{"type": "redeem", "count": 0}]})
    Traceback (most recent call last):
    ...
    loyalty_core.errors.PayloadError: $.events[0].member: is required, got null or nothing; \
$.events[0].benefit: is required, got null or nothing; \
$.events[0].count: expected an integer >= 1, got 0
    """
    if not isinstance(data, Mapping):
        problem = lc.Problem("$", f"expected a scenario object, got {show(data)}")
        raise lc.PayloadError(problem)
    parser = _Parser()
    read = parser.read
    read.mapping(data, "$", _TOP_KEYS)
    name = read.optional(check_text, data, "name", "$")
    description = read.optional(check_text, data, "description", "$")
    zone_name = read.optional(check_zone, data, "timezone", "$")
    if zone_name is not None:
        parser.zone, parser.zone_name = clock.zone(zone_name), zone_name
    start_at = None
    if data.get("start_at") is None:
        read.add("$.start_at", "is required, got null or nothing")
    else:
        start_at = parser.instant(data["start_at"], "$.start_at")
    policy = parser.policy(data.get("policy"))
    definitions = parser.definitions(data)
    members = parser.members_of(data)
    events = parser.events(data, start_at)
    if read.problems or start_at is None:
        raise lc.PayloadError(read.problems)
    return Scenario(
        name=name,
        description=description,
        start_at=start_at,
        timezone=parser.zone_name,
        policy=policy,
        definitions=definitions,
        members=members,
        events=events,
    )
