"""The ``loyalty-core`` command: thin glue that parses arguments, calls the API and prints.

Exit status: 0 ok or allowed; 1 refused; 2 bad input (the error's message, never a traceback);
3 an internal error (a bug, reported in one line).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import attrs

from loyalty_core import clock, scenarios
from loyalty_core._fields import BadValue, check_int, check_positive
from loyalty_core.benefits import Benefit, BenefitDefinition
from loyalty_core.claims import claim_benefit
from loyalty_core.credits import Credit, CreditDefinition, redeem_credit
from loyalty_core.decisions import Decision
from loyalty_core.errors import MAX_LISTED, LoyaltyError, PayloadError
from loyalty_core.extension import extend, extend_request
from loyalty_core.limits import MAX_INT, MAX_NESTING, is_too_deep_text, show
from loyalty_core.notifications import notification_schedule
from loyalty_core.payloads import edit_credit, parse_extend_request
from loyalty_core.periods import explain_expiry, is_expired
from loyalty_core.policy import Policy
from loyalty_core.profiles import Profile
from loyalty_core.redemptions import CHANNELS, claim_and_redeem, redeem_benefit
from loyalty_core.rewards import Reward, RewardDefinition, redeem_rewards, reward_balance

__all__ = ["main"]

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 3

_KINDS: dict[str, tuple[type[Any], type[Any]]] = {
    "benefit": (BenefitDefinition, Benefit),
    "reward": (RewardDefinition, Reward),
    "credit": (CreditDefinition, Credit),
}


class _BadInputError(Exception):
    """Bad command-line input; the message is printed and the command exits 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise _BadInputError(message)


def _read_json(source: str, stdin: TextIO) -> Any:
    try:
        if source == "-":
            text = stdin.read()
        else:
            with open(source, encoding="utf-8") as handle:  # noqa: PTH123 - a plain path
                text = handle.read()
    except OSError as exc:
        msg = f"{source}: cannot read: {exc.strerror}"
        raise _BadInputError(msg) from None
    except UnicodeDecodeError as exc:
        msg = f"{source}: not UTF-8 text (byte {exc.start} cannot be decoded)"
        raise _BadInputError(msg) from None
    if is_too_deep_text(text):
        # One depth limit for every JSON-ish value, checked before decoding (limits).
        msg = f"{source}: not valid JSON: arrays and objects nest deeper than {MAX_NESTING} levels"
        raise _BadInputError(msg)
    try:
        return json.loads(text, parse_constant=_not_json)
    except ValueError as exc:
        # Malformed text, NaN or Infinity (not JSON), or an integer past Python's digit limit.
        msg = f"{source}: not valid JSON: {exc}"
        raise _BadInputError(msg) from None


def _not_json(constant: str) -> Any:
    msg = f"{constant} is not a JSON value"
    raise ValueError(msg)


def _instant_option(text: str | None, tz: tzinfo, option: str) -> datetime | None:
    if text is None:
        return None
    return clock.parse_lenient(text, tz, name=option)


def _local(instant: datetime, tz: tzinfo) -> str:
    local = instant.astimezone(tz)
    return f"{clock.format_wall(instant, tz)} {local.tzname()} ({clock.format_offset(instant, tz)})"


def _expiry_inputs(
    args: argparse.Namespace, stdin: TextIO
) -> tuple[Any, Any, ZoneInfo, datetime, datetime | None]:
    """Read the payload and options: (instance or None, definition, zone, issued_at, at)."""
    payload = _read_json(args.payload, stdin)
    definition_cls, instance_cls = _KINDS[args.kind]
    is_instance = isinstance(payload, dict) and isinstance(payload.get("definition"), dict)
    instance = instance_cls.from_api(payload) if is_instance else None
    definition = instance.definition if instance is not None else definition_cls.from_api(payload)
    if instance is not None and definition is None:
        msg = "$.definition: an instance without a definition has no period to compute from"
        raise _BadInputError(msg)

    if args.timezone is not None:
        zone_name = args.timezone
    elif instance is not None:
        zone_name = instance.zone.key
    else:
        zone_name = getattr(definition, "timezone", None) or "UTC"
    tz = clock.zone(zone_name, name="--timezone")
    issued_at = _instant_option(args.issued_at, tz, "--issued-at")
    if issued_at is None and instance is not None:
        issued_at = instance.issued_at
    if issued_at is None:
        msg = "--issued-at: required when the payload has no issued_at"
        raise _BadInputError(msg)
    at = _instant_option(args.at, tz, "--at")
    return instance, definition, tz, issued_at, at


def _expiry(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    instance, definition, tz, issued_at, at = _expiry_inputs(args, stdin)
    explained = explain_expiry(
        issued_at,
        timezone=tz,
        period=definition.period,
        period_type=definition.period_type,
        absolute_expiry=definition.absolute_expiry,
        end_at=getattr(definition, "end_at", None),
    )
    stored = instance.expires_at if instance is not None else None
    expired = None if at is None else is_expired(explained.expires_at, at)

    if args.json:
        result = {
            "kind": args.kind,
            "source": "instance" if instance is not None else "definition",
            "timezone": tz.key,
            "issued_at": clock.format_instant(issued_at),
            "period": definition.period,
            "period_type": definition.period_type.value,
            "rule": explained.rule,
            "expires_at": _iso(explained.expires_at),
            "expires_local": None
            if explained.expires_at is None
            else clock.format_wall(explained.expires_at, tz),
            "capped_by_end_at": explained.capped_by_end_at,
            "explanation": explained.summary,
            "stored_expires_at": _iso(stored),
            "at": _iso(at),
            "expired": expired,
        }
        out.write(json.dumps(result, indent=2) + "\n")
        return EXIT_OK

    title = getattr(definition, "name", None) or getattr(definition, "handle", None)
    label = f"{args.kind} {'instance' if instance is not None else 'definition'}"
    rows: list[tuple[str, str]] = [
        ("payload", f"{label}{f' {show(title)}' if title else ''}"),
        ("timezone", tz.key),
        ("issued at", f"{clock.format_wall(issued_at)} UTC = {_local(issued_at, tz)}"),
        ("period", f"{definition.period} {definition.period_type.value}"),
        ("rule", f"{explained.rule}: {explained.summary}"),
    ]
    if explained.expires_at is None:
        rows.append(("expires at", "never"))
    else:
        rows.append(("expires at", f"{clock.format_wall(explained.expires_at)} UTC"))
        rows.append(("local", _local(explained.expires_at, tz)))
        rows.append(("valid for", clock.describe_span(issued_at, explained.expires_at)))
    if stored is not None:
        note = "the same" if stored == explained.expires_at else "kept as given (EXP-8)"
        rows.append(("stored expiry", f"{clock.format_wall(stored)} UTC, {note}"))
    if at is not None:
        rows.append(
            (
                "at",
                f"{clock.format_wall(at)} UTC: {'expired' if expired else 'not expired'} (EXP-1)",
            )
        )
    width = max(len(name) for name, _ in rows)
    out.writelines(f"{name.ljust(width)}  {value}\n" for name, value in rows)
    return EXIT_OK


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else clock.format_instant(instant)


# --- claim and redeem ------------------------------------------------------------------------


def _policy(settings: Sequence[str]) -> Policy:
    values: dict[str, object] = {}
    for setting in settings:
        name, sep, raw = setting.partition("=")
        if not sep:
            msg = f"--policy: expected NAME=VALUE, got {show(setting)}"
            raise _BadInputError(msg)
        lowered = raw.strip().lower()
        values[name.strip()] = {"true": True, "false": False}.get(lowered, raw.strip())
    try:
        return Policy(**values)  # type: ignore[arg-type]
    except TypeError:
        known = ", ".join(a.name for a in attrs.fields(Policy))
        msg = f"--policy: expected switches among {known}, got {show(sorted(values))}"
        raise _BadInputError(msg) from None


def _decision_rows(decision: Decision, at: datetime) -> list[tuple[str, str]]:
    rows = [("decision", "allowed" if decision.allowed else "refused")]
    rows.extend((f"  {r.code.value}", r.message) for r in decision.reasons)
    retry = decision.retry_at
    if retry is not None:
        rows.append(
            ("retry at", f"{clock.format_instant(retry)} (in {clock.describe_span(at, retry)})")
        )
    return rows


def _write_rows(out: TextIO, rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    out.writelines(f"{name.ljust(width)}  {value}\n" for name, value in rows)


def _claim(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    definition = BenefitDefinition.from_api(_read_json(args.definition, stdin))
    profile = Profile.from_api(_read_json(args.profile, stdin))
    holdings_json = [] if args.holdings is None else _read_json(args.holdings, stdin)
    if not isinstance(holdings_json, list):
        msg = f"{args.holdings}: expected a JSON array of benefits"
        raise _BadInputError(msg)
    holdings = []
    for index, item in enumerate(holdings_json):
        try:
            holdings.append(Benefit.from_api(item))
        except PayloadError as exc:
            msg = f"{args.holdings}[{index}]: {exc}"
            raise _BadInputError(msg) from None
    tz = clock.zone(args.timezone, name="--timezone")
    at = _instant_option(args.at, tz, "--at")
    assert at is not None  # noqa: S101 - argparse requires --at
    policy = _policy(args.policy)
    if args.count is not None:
        result = claim_and_redeem(
            definition,
            profile,
            at=at,
            timezone=tz,
            holdings=holdings,
            count=args.count,
            channel=args.channel,
            policy=policy,
        )
    else:
        result = claim_benefit(
            definition, profile, at=at, timezone=tz, holdings=holdings, policy=policy
        )
    decision = result.decision
    if args.json:
        payload: dict[str, Any] = {**decision.to_json()}
        payload["benefit"] = None if result.benefit is None else result.benefit.to_api()
        payload["definition"] = result.definition.to_api()
        out.write(json.dumps(payload, indent=2) + "\n")
    else:
        name = definition.name or definition.handle or f"id {definition.id}"
        rows = [
            ("claim", f"{show(name)} for profile {show(profile.id)}"),
            ("at", f"{clock.format_instant(at)} = {_local(at, tz)}"),
            *_decision_rows(decision, at),
        ]
        if result.benefit is not None:
            b = result.benefit
            expiry = (
                "never"
                if b.expires_at is None
                else f"{clock.format_instant(b.expires_at)} = {_local(b.expires_at, tz)}"
            )
            rows.append(("new benefit", f"expires {expiry}"))
            rows.append(
                (
                    "",
                    (
                        f"redemptions_remaining {show(b.redemptions_remaining)}, total_global_"
                        f"redemptions_remaining {show(b.total_global_redemptions_remaining)}"
                    ),
                )
            )
        _write_rows(out, rows)
    return EXIT_OK if decision.allowed else EXIT_REFUSED


def _redeem(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    benefit = Benefit.from_api(_read_json(args.benefit, stdin))
    tz = clock.zone(args.timezone or benefit.zone.key, name="--timezone")
    at = _instant_option(args.at, tz, "--at")
    assert at is not None  # noqa: S101 - argparse requires --at
    result = redeem_benefit(
        benefit,
        at=at,
        count=args.count,
        channel=args.channel,
        profile_id=args.profile_id,
        location_id=args.location_id,
        transaction_id=args.transaction_id,
        policy=_policy(args.policy),
    )
    decision = result.decision
    record = result.redemption
    if args.json:
        payload: dict[str, Any] = {**decision.to_json()}
        payload["benefit"] = result.benefit.to_api()
        payload["redemption"] = None if record is None else record.to_api()
        out.write(json.dumps(payload, indent=2) + "\n")
    else:
        b = result.benefit
        rows = [
            ("redeem", f"{args.count} of benefit {show(benefit.id)} on the {args.channel} channel"),
            ("at", f"{clock.format_instant(at)} = {_local(at, tz)}"),
            *_decision_rows(decision, at),
            (
                "remaining",
                (
                    f"{show(b.redemptions_remaining)} on the benefit, "
                    f"{show(b.total_global_redemptions_remaining)} counting the global limit"
                ),
            ),
        ]
        if record is not None:
            # RED-16: the record the platform's Redeem Benefit response holds.
            where = [
                f"{name} {show(value)}"
                for name, value in (
                    ("location_id", record.location_id),
                    ("transaction_id", record.transaction_id),
                )
                if value is not None
            ]
            rows.append(
                (
                    "record",
                    f"profile {show(record.profile_id)}, {record.items[0].count} of benefit "
                    f"{show(benefit.id)} at {clock.format_instant(at)}"
                    + "".join(f", {part}" for part in where),
                )
            )
        _write_rows(out, rows)
    return EXIT_OK if decision.allowed else EXIT_REFUSED


# --- extend and schedule ----------------------------------------------------------------------


def _items(source: str, kind: str, stdin: TextIO) -> list[Any]:
    """Read an array of instances (or the API's ``{"data": [...]}``) of one kind."""
    data = _read_json(source, stdin)
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        msg = f"{source}: expected a JSON array of {kind}s"
        raise _BadInputError(msg)
    instance_cls = _KINDS[kind][1]
    items = []
    for index, item in enumerate(data):
        try:
            items.append(instance_cls.from_api(item))
        except PayloadError as exc:
            msg = f"{source}[{index}]: {exc}"
            raise _BadInputError(msg) from None
    return items


def _extend(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    items = _items(args.items, args.kind, stdin)
    at = _instant_option(args.at, clock.UTC_ZONE, "--at")
    assert at is not None  # noqa: S101 - argparse requires --at
    profile_id, days, date_text = args.profile_id, args.extend_days, args.extend_date
    if args.request is not None:
        if (profile_id, days, date_text) != (None, None, None):
            msg = "--request: give the profile and the extension in the body or as options"
            raise _BadInputError(msg)
        request = parse_extend_request(_read_json(args.request, stdin))
        profile_id = request.profile_id
        # EXT-11: the body's ids name the items; an id naming none is skipped as not_found.
        result = extend_request(items, request, at=at, policy=_policy(args.policy), kind=args.kind)
    elif profile_id is None:
        msg = "--profile-id: required without --request"
        raise _BadInputError(msg)
    else:
        result = extend(
            items,
            profile_id=profile_id,
            at=at,
            extend_days=days,
            extend_date=date_text,
            policy=_policy(args.policy),
        )
    old = {item.id: item.expires_at for item in items}
    if args.json:
        payload = {
            "extended": [item.to_api() for item in result.extended],
            "skipped": [
                {"id": item_id, **decision.to_json()} for item_id, decision in result.skipped
            ],
        }
        out.write(json.dumps(payload, indent=2) + "\n")
    else:
        count = len(items) if args.request is None else len(request.ids)
        what = f"{args.kind}(s)" if args.request is None else f"{args.kind} id(s) of the request"
        rows: list[tuple[str, str]] = [("extend", f"{count} {what} of {show(profile_id)}")]
        for item in result.extended:
            was = old.get(item.id)
            previous = "never" if was is None else clock.format_instant(was)
            assert item.expires_at is not None  # noqa: S101 - an extended item has an expiry
            rows.append(
                (
                    f"  extended {show(item.id)}",
                    (
                        f"{previous} -> {clock.format_instant(item.expires_at)} = "
                        f"{_local(item.expires_at, item.zone)}"
                    ),
                )
            )
        rows.extend(
            (f"  skipped {show(item_id)}", f"{reason.code.value}: {reason.message}")
            for item_id, decision in result.skipped
            for reason in decision.reasons
        )
        _write_rows(out, rows)
    return EXIT_REFUSED if result.skipped else EXIT_OK


def _schedule(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    item = _KINDS[args.kind][1].from_api(_read_json(args.item, stdin))
    plan = notification_schedule(item, policy=_policy(args.policy))
    names = ("issue_at", "remind_at", "extend_at", "expiry_at")
    if args.json:
        out.write(json.dumps({name: _iso(getattr(plan, name)) for name in names}, indent=2) + "\n")
        return EXIT_OK
    rows = [("timezone", item.zone.key)]
    for name in names:
        instant = getattr(plan, name)
        shown = (
            "-"
            if instant is None
            else f"{clock.format_instant(instant)} = {_local(instant, item.zone)}"
        )
        rows.append((name, shown))
    _write_rows(out, rows)
    return EXIT_OK


def _rewards(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    rewards = _items(args.rewards, "reward", stdin)
    at = _instant_option(args.at, clock.UTC_ZONE, "--at")
    assert at is not None  # noqa: S101 - argparse requires --at
    balance = reward_balance(rewards, at=at)
    plan = (
        None
        if args.amount is None
        else redeem_rewards(rewards, args.amount, at=at, strict=args.strict)
    )
    if args.json:
        payload: dict[str, Any] = {"balance": format(balance, "f")}
        if plan is not None:
            payload.update(plan.decision.to_json())
            payload["requested"] = format(plan.requested, "f")
            payload["redeemed"] = format(plan.redeemed, "f")
            payload["deductions"] = [[i, format(v, "f")] for i, v in plan.deductions]
            payload["rewards"] = [reward.to_api() for reward in plan.rewards]
        out.write(json.dumps(payload, indent=2) + "\n")
    else:
        rows = [
            ("rewards", f"{len(rewards)}"),
            ("balance", f"{format(balance, 'f')} at {clock.format_instant(at)}"),
        ]
        if plan is not None:
            rows.extend(_decision_rows(plan.decision, at))
            rows.append(
                ("redeemed", f"{format(plan.redeemed, 'f')} of {format(plan.requested, 'f')}")
            )
            rows.extend((f"  from {show(i)}", format(v, "f")) for i, v in plan.deductions)
        _write_rows(out, rows)
    return EXIT_REFUSED if plan is not None and not plan.decision.allowed else EXIT_OK


def _credit(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    credit = Credit.from_api(_read_json(args.credit, stdin))
    if args.action == "edit":
        edited = edit_credit(credit, _read_json(args.changes, stdin))
        out.write(json.dumps(edited.to_api(), indent=2) + "\n")
        return EXIT_OK
    if args.at is None or args.amount is None:
        msg = f"credit {args.action}: --at and --amount are required"
        raise _BadInputError(msg)
    at = _instant_option(args.at, credit.zone, "--at")
    assert at is not None  # noqa: S101 - checked above
    result = redeem_credit(credit, args.amount, at=at, security_code=args.security_code)
    decision = result.decision
    after_value = (
        result.credit.value_remaining if args.action == "redeem" else credit.value_remaining
    )
    if args.json:
        payload: dict[str, Any] = {**decision.to_json()}
        if args.action == "redeem":
            payload["credit"] = result.credit.to_api()
        out.write(json.dumps(payload, indent=2) + "\n")
    else:
        rows = [
            (args.action, f"{args.amount} of credit {show(credit.id)}"),
            ("at", f"{clock.format_instant(at)} = {_local(at, credit.zone)}"),
            *_decision_rows(decision, at),
            ("remaining", format(after_value, "f")),
        ]
        _write_rows(out, rows)
    return EXIT_OK if decision.allowed else EXIT_REFUSED


def _count_option(text: str) -> int:
    # RED-2: the library's own check of a count (an integer from 1 to MAX_INT).
    try:
        count = int(text)
    except ValueError:
        msg = f"expected an integer >= 1, got {show(text)}"
        raise argparse.ArgumentTypeError(msg) from None
    try:
        return check_positive(count, MAX_INT)
    except BadValue as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _id_option(text: str) -> int:
    try:
        return check_int(int(text))
    except (ValueError, BadValue):
        msg = f"expected a 64-bit integer id, got {show(text)}"
        raise argparse.ArgumentTypeError(msg) from None


def _add_expiry(commands: Any) -> None:
    """Add the ``expiry`` subcommand."""
    expiry = commands.add_parser(
        "expiry",
        help="compute when a benefit, reward or credit expires (EXP rules)",
        description=(
            "Read a definition or instance payload (a file, or - for stdin) and print its "
            "computed expiry in UTC and local time, with the rule that produced it."
        ),
    )
    expiry.add_argument("payload", help="JSON file of a definition or an instance, or - for stdin")
    expiry.add_argument(
        "--kind",
        choices=sorted(_KINDS),
        default="benefit",
        help="what the payload is (default: benefit)",
    )
    expiry.add_argument(
        "--issued-at",
        help="issue instant; a naive one is a wall time in --timezone (default: the instance's)",
    )
    expiry.add_argument(
        "--timezone",
        help="IANA zone of the instance (default: the instance's, else the definition's, else UTC)",
    )
    expiry.add_argument("--at", help="also say whether the item is expired at this instant")
    expiry.add_argument("--json", action="store_true", help="print JSON instead of a table")
    expiry.set_defaults(handler=_expiry)


def _add_claim(commands: Any) -> None:
    """Add the ``claim`` subcommand."""
    claim = commands.add_parser(
        "claim",
        help="decide whether a member may claim a benefit, and claim it (CLM rules)",
        description=(
            "Read a benefit definition and a profile (files, or - for one of them on stdin), "
            "run every claim rule at --at and print the decision with each failed rule."
        ),
    )
    claim.add_argument("definition", help="JSON file of the benefit definition")
    claim.add_argument("profile", help="JSON file of the member's profile")
    claim.add_argument("--holdings", help="JSON file: an array of the member's benefits")
    claim.add_argument("--at", required=True, help="the instant of the claim (naive = --timezone)")
    claim.add_argument(
        "--timezone", default="UTC", help="IANA zone of the new benefit (default UTC)"
    )
    claim.add_argument(
        "--count", type=_count_option, help="also redeem this many at once (claim_and_redeem)"
    )
    claim.add_argument("--channel", choices=CHANNELS, default="api")
    claim.add_argument("--policy", action="append", default=[], metavar="NAME=VALUE")
    claim.add_argument("--json", action="store_true", help="print JSON instead of a table")
    claim.set_defaults(handler=_claim)


def _add_redeem(commands: Any) -> None:
    """Add the ``redeem`` subcommand."""
    redeem = commands.add_parser(
        "redeem",
        help="decide whether a benefit may be redeemed, and redeem it (RED rules)",
        description="Read a benefit (with its definition) and redeem --count of it at --at.",
    )
    redeem.add_argument("benefit", help="JSON file of the benefit, or - for stdin")
    redeem.add_argument("--at", required=True, help="the instant of the redemption")
    redeem.add_argument("--timezone", help="zone of a naive --at (default: the benefit's)")
    redeem.add_argument("--count", type=_count_option, default=1)
    redeem.add_argument("--channel", choices=CHANNELS, default="api")
    redeem.add_argument(
        "--profile-id", help="the profile in the request path; another owner is refused (RED-15)"
    )
    redeem.add_argument("--location-id", type=_id_option, help="kept on the record (RED-16)")
    redeem.add_argument("--transaction-id", help="kept on the record (RED-16)")
    redeem.add_argument("--policy", action="append", default=[], metavar="NAME=VALUE")
    redeem.add_argument("--json", action="store_true", help="print JSON instead of a table")
    redeem.set_defaults(handler=_redeem)


def _add_extend(commands: Any) -> None:
    """Add the ``extend`` subcommand."""
    extender = commands.add_parser(
        "extend",
        help="extend rewards, benefits or credits once, and report what was skipped (EXT rules)",
        description=(
            'Read an array of items (or the API\'s {"data": [...]}) and extend those owned by '
            "--profile-id by --extend-days or to --extend-date. Exit 1 when any item is skipped."
        ),
    )
    extender.add_argument("items", help="JSON file of the items, or - for stdin")
    extender.add_argument("--kind", choices=sorted(_KINDS), default="reward")
    extender.add_argument("--profile-id", help="the member whose items to extend")
    extender.add_argument("--at", required=True, help="the instant of the extension (naive = UTC)")
    how = extender.add_mutually_exclusive_group()
    how.add_argument("--extend-days", type=_count_option, help="calendar days to add (EXT-7)")
    how.add_argument(
        "--extend-date",
        help="the new expiry; a naive one is a wall time in each item's zone (EXT-8)",
    )
    extender.add_argument(
        "--request",
        help="an Extend Reward request body (profile_id, ids, extend_days | extend_date) "
        "instead of the three options; only the items with those ids are extended",
    )
    extender.add_argument("--policy", action="append", default=[], metavar="NAME=VALUE")
    extender.add_argument("--json", action="store_true", help="print JSON instead of a table")
    extender.set_defaults(handler=_extend)


def _add_schedule(commands: Any) -> None:
    """Add the ``schedule`` subcommand."""
    schedule = commands.add_parser(
        "schedule",
        help="plan an item's notifications (NTF rules)",
        description="Read one reward, benefit or credit and print its notification instants.",
    )
    schedule.add_argument("item", help="JSON file of the item, or - for stdin")
    schedule.add_argument("--kind", choices=sorted(_KINDS), default="benefit")
    schedule.add_argument("--policy", action="append", default=[], metavar="NAME=VALUE")
    schedule.add_argument("--json", action="store_true", help="print JSON instead of a table")
    schedule.set_defaults(handler=_schedule)


def _add_rewards(commands: Any) -> None:
    """Add the ``rewards`` subcommand."""
    rewards = commands.add_parser(
        "rewards",
        help="a member's reward balance and a redemption plan (RWD rules)",
        description=(
            "Read an array of rewards and print the balance at --at; with --amount, the "
            "nearest-expiry-first redemption plan. Exit 1 only for a --strict refusal."
        ),
    )
    rewards.add_argument("rewards", help="JSON file of the rewards, or - for stdin")
    rewards.add_argument("--at", required=True, help="the instant (naive = UTC)")
    rewards.add_argument("--amount", help="redeem this amount (a decimal, e.g. 12.50)")
    rewards.add_argument("--strict", action="store_true", help="refuse when the balance is short")
    rewards.add_argument("--json", action="store_true", help="print JSON instead of a table")
    rewards.set_defaults(handler=_rewards)


def _add_credit(commands: Any) -> None:
    """Add the ``credit`` subcommand."""
    credit = commands.add_parser(
        "credit",
        help="check or redeem a credit, or apply an Edit Credit body (CRD rules)",
        description=(
            "check: may --amount be redeemed at --at? redeem: the same, and print the credit "
            "after it. edit: apply an Edit Credit request body and print the edited credit."
        ),
    )
    credit.add_argument("action", choices=("check", "redeem", "edit"))
    credit.add_argument("credit", help="JSON file of the credit (with its definition), or -")
    credit.add_argument("changes", nargs="?", help="edit: JSON file of the Edit Credit body")
    credit.add_argument("--at", help="check/redeem: the instant (naive = the credit's zone)")
    credit.add_argument("--amount", help="check/redeem: the amount, a decimal such as 12.50")
    credit.add_argument("--security-code", help="the code the member gave (CRD-10, CRD-11)")
    credit.add_argument("--json", action="store_true", help="print JSON instead of a table")
    credit.set_defaults(handler=_credit)


def _run(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    data = _read_json(args.scenario, stdin)
    try:
        scenario = scenarios.parse_scenario(data)
    except PayloadError as exc:
        listed = "".join(f"\n  {problem}" for problem in exc.problems[:MAX_LISTED]) or f" {exc}"
        if len(exc.problems) > MAX_LISTED:
            listed += f"\n  and {len(exc.problems) - MAX_LISTED} more problems"
        msg = f"{args.scenario}: not a valid scenario:{listed}"
        raise _BadInputError(msg) from None
    timeline = scenarios.run_scenario(scenario)
    if args.json:
        out.write(json.dumps(scenarios.timeline_to_json(timeline), indent=2) + "\n")
    else:
        out.write(scenarios.render_timeline(timeline))
    return EXIT_OK


def _add_run(commands: Any) -> None:
    """Add the ``run`` subcommand."""
    run = commands.add_parser(
        "run",
        help="run a scenario of timed events through the rules and print the timeline",
        description=(
            "Read a scenario (definitions, members and their holdings, timed events) and "
            "print each event with its decision, its reasons and the state it changed, then "
            "the final state. Refusals are results: the exit status is 0 whenever the "
            "scenario ran, and 2 when it is malformed (every bad field is named)."
        ),
    )
    run.add_argument("scenario", help="JSON file of the scenario, or - for stdin")
    run.add_argument("--json", action="store_true", help="print JSON instead of text")
    run.set_defaults(handler=_run)


@functools.cache  # built once per process: argparse takes milliseconds to build it
def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="loyalty-core",
        description="Loyalty-programme rules on the platform's JSON: expiry, claims, redemptions.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_expiry(commands)
    _add_claim(commands)
    _add_redeem(commands)
    _add_extend(commands)
    _add_schedule(commands)
    _add_rewards(commands)
    _add_credit(commands)
    _add_run(commands)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command and return its exit status.

    0 ok or allowed, 1 refused, 2 bad input (a one-line message naming the problem), 3 an
    internal error: a bug of loyalty_core, reported in one line and never as a traceback.
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    for stream in (out, err):
        if isinstance(stream, io.TextIOWrapper):
            # Input text may hold lone surrogates ("\ud800" is valid JSON): show them escaped.
            stream.reconfigure(errors="backslashreplace")
    parser = _build_parser()
    try:
        with contextlib.redirect_stdout(out):  # --help prints to the stdout given
            args = parser.parse_args(argv)
        handler: Callable[[argparse.Namespace, TextIO, TextIO], int] = args.handler
        return handler(args, out, stdin or sys.stdin)
    except (_BadInputError, LoyaltyError) as exc:
        err.write(f"loyalty-core: error: {exc}\n")
        return EXIT_BAD_INPUT
    except SystemExit as exc:  # --help and --version exit through argparse
        return int(exc.code or 0)
    except Exception as exc:  # noqa: BLE001 - never a traceback: a bug is reported as one
        err.write(
            f"loyalty-core: internal error: {type(exc).__name__}: {show(str(exc))}\n"
            "This is a bug in loyalty_core; please report it with the command and its input.\n"
        )
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
