# ruff: noqa: INP001 - an example script, not a package
"""A web service's request handler built on loyalty_core: JSON in, decision and platform JSON out.

The handler serves four of the platform's endpoints from an in-memory store of platform JSON:

- ``POST /v3/profiles/{profile}/benefits/claim``           (Claim Benefit)
- ``POST /v3/profiles/{profile}/benefits/{benefit}/redeem`` (Add Benefit Redemption)
- ``POST /v3/rewards/extend``                               (Extend Reward)
- ``PUT  /v3/credits/{credit}``                             (Edit Credit)

Each request is parsed by the library's request parsers, decided by its rules, and answered
with the platform's JSON. Bad input is a 422 whose ``errors`` name every bad field by JSON
path; a business "no" is a 409 with the reasons; an unknown path or id is a 404. The store
keeps platform JSON, and values go through ``from_api``/``to_api``, so keys the library does
not model (a benefit's redeem codes, a credit's ``staff_id``) survive every write (PAY-10).

The core never reads the clock: :func:`handle` takes ``at``, and only the HTTP entry point at
the bottom reads it. Run ``uv run python examples/service.py`` to serve the bundled examples
on http://127.0.0.1:8000, then for instance::

    curl -X POST localhost:8000/v3/profiles/p-1/benefits/123/redeem -d '{"count": 1}'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import attrs

import loyalty_core as lc

EXAMPLES = Path(__file__).parent

JSON = Any
Answer = tuple[int, JSON]
"""An HTTP status and the JSON body to send."""


@attrs.define
class Store:
    """The service's data, as the platform's JSON, by id (a database in a real service)."""

    definitions: dict[str, JSON] = attrs.field(factory=dict)
    """Benefit definitions by handle."""
    profiles: dict[str, JSON] = attrs.field(factory=dict)
    benefits: dict[int, JSON] = attrs.field(factory=dict)
    rewards: dict[int, JSON] = attrs.field(factory=dict)
    credits: dict[int, JSON] = attrs.field(factory=dict)
    next_id: int = 1000

    @classmethod
    def from_examples(cls, folder: Path = EXAMPLES) -> Store:
        """Load the bundled examples: a definition, a profile, a benefit, rewards, a credit."""

        def read(name: str) -> JSON:
            return json.loads((folder / name).read_text())

        definition = read("benefit-definition.json")
        benefit = read("benefit.json")
        credit = read("credit.json")
        return cls(
            definitions={definition["handle"]: definition},
            profiles={p["id"]: p for p in (read("profile.json"), {"id": "p-1"})},
            benefits={benefit["id"]: benefit},
            rewards={r["id"]: r for r in (*read("rewards.json"), read("reward.json"))},
            credits={credit["id"]: credit},
        )


def problems_answer(error: lc.LoyaltyError) -> Answer:
    """A 422 naming every bad field by JSON path, as the platform's validation errors do."""
    errors: dict[str, list[str]] = {}
    for problem in getattr(error, "problems", ()):
        errors.setdefault(problem.where, []).append(problem.message)
    return 422, {"message": "The given data was invalid.", "errors": errors}


def refusal_answer(decision: lc.Decision) -> Answer:
    """A 409 with every reason the rules refused for (stable codes, messages, details)."""
    return 409, {"message": "Refused.", **decision.to_json()}


def claim(store: Store, at: datetime, profile_id: str, body: JSON) -> Answer:
    """Claim Benefit: parse the body, decide (CLM rules), store the new benefit."""
    request = lc.parse_claim_request(body)
    definition_json = store.definitions.get(request.definition)
    profile_json = store.profiles.get(profile_id)
    if definition_json is None or profile_json is None:
        return 404, {"message": "No such definition or profile."}
    definition = lc.BenefitDefinition.from_api(definition_json)
    holdings = [
        lc.Benefit.from_api(b) for b in store.benefits.values() if b["profile_id"] == profile_id
    ]
    result = lc.claim_benefit(
        definition,
        lc.Profile.from_api(profile_json),
        at=at,
        timezone=request.timezone,
        holdings=holdings,
        external_id=request.external_id,
        meta=request.meta,
    )
    if result.benefit is None:
        return refusal_answer(result.decision)
    benefit = attrs.evolve(result.benefit, id=store.next_id)
    store.next_id += 1
    store.benefits[benefit.id] = benefit.to_api()  # type: ignore[index]
    store.definitions[request.definition] = result.definition.to_api()
    return 201, {"data": benefit.to_api()}


def redeem(store: Store, at: datetime, profile_id: str, benefit_id: int, body: JSON) -> Answer:
    """Add Benefit Redemption: the path's profile must own the benefit (RED-15)."""
    count = lc.parse_redeem_request(body)
    stored = store.benefits.get(benefit_id)
    if stored is None:
        return 404, {"message": "No such benefit."}
    result = lc.redeem_benefit(
        lc.Benefit.from_api(stored), at=at, count=count, profile_id=profile_id
    )
    if result.redemption is None:
        return refusal_answer(result.decision)
    store.benefits[benefit_id] = result.benefit.to_api()
    record = attrs.evolve(result.redemption, id=store.next_id)
    store.next_id += 1
    return 201, {"data": record.to_api()}


def extend_rewards(store: Store, at: datetime, body: JSON) -> Answer:
    """Extend Reward: the body names rewards by id; unknown ids are reported (EXT-11)."""
    request = lc.parse_extend_request(body)
    rewards = [lc.Reward.from_api(r) for r in store.rewards.values()]
    result = lc.extend_request(rewards, request, at=at)
    for reward in result.extended:
        store.rewards[reward.id] = reward.to_api()  # type: ignore[index]
    skipped = [{"id": item_id, **decision.to_json()} for item_id, decision in result.skipped]
    return 200, {"data": [reward.to_api() for reward in result.extended], "skipped": skipped}


def edit_credit(store: Store, at: datetime, credit_id: int, body: JSON) -> Answer:
    """Edit Credit: every bad field, and every edit the definition forbids (CRD-17), is a 422."""
    del at  # an edit is not decided at an instant
    stored = store.credits.get(credit_id)
    if stored is None:
        return 404, {"message": "No such credit."}
    edited = lc.edit_credit(lc.Credit.from_api(stored), body)
    store.credits[credit_id] = edited.to_api()
    return 200, {"data": edited.to_api()}


_ROUTES: list[tuple[str, re.Pattern[str], Callable[..., Answer]]] = [
    ("POST", re.compile(r"/v3/profiles/([^/]++)/benefits/claim"), claim),
    ("POST", re.compile(r"/v3/profiles/([^/]++)/benefits/([0-9]{1,18})/redeem"), redeem),
    ("POST", re.compile(r"/v3/rewards/extend"), extend_rewards),
    ("PUT", re.compile(r"/v3/credits/([0-9]{1,18})"), edit_credit),
]


def handle(store: Store, method: str, path: str, body: bytes, *, at: datetime) -> Answer:
    """Answer one request: route it, parse its JSON, decide, and write the platform's JSON.

    ``at`` is the instant of the request, read from the clock by the caller.
    """
    for verb, pattern, endpoint in _ROUTES:
        match = pattern.fullmatch(path)
        if match is None or verb != method:
            continue
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return 400, {"message": "The body is not JSON."}
        args: list[Any] = [int(p) if p.isdigit() else p for p in match.groups()]
        try:
            return endpoint(store, at, *args, data)
        except lc.LoyaltyError as error:  # PayloadError, InvalidRequest: bad input
            return problems_answer(error)
    return 404, {"message": f"No route for {method} {path[:100]}."}


def serve(store: Store, port: int = 8000) -> None:  # pragma: no cover - run by hand
    """Serve ``store`` over HTTP; the only place that reads the clock."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, payload = handle(
                store,
                self.command,
                self.path,
                self.rfile.read(length),
                at=datetime.now(UTC),  # noqa: TID251 - the service, not the core, reads the clock
            )
            text = json.dumps(payload, indent=2).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        do_POST = do_PUT = _answer  # noqa: N815 - http.server's names

    HTTPServer(("127.0.0.1", port), Handler).serve_forever()


_ADA = "9b2f7a0e-5c1d-4a55-8d0e-1f2a3b4c5d6e"


def demo(at: datetime) -> list[tuple[str, str, Answer]]:
    """Run a few requests against the bundled examples; return (method, path, answer) each."""
    store = Store.from_examples()
    requests: list[tuple[str, str, Mapping[str, Any]]] = [
        ("POST", f"/v3/profiles/{_ADA}/benefits/claim", {"definition": "welcome-voucher"}),
        ("POST", f"/v3/profiles/{_ADA}/benefits/123/redeem", {}),
        ("POST", "/v3/profiles/someone-else/benefits/123/redeem", {"count": 1}),
        ("POST", "/v3/rewards/extend", {"profile_id": "p-1", "ids": [4, 99], "extend_days": 30}),
        ("PUT", "/v3/credits/901", {"value_remaining": "-1", "recipient_email": "ada@"}),
    ]
    return [
        (method, path, handle(store, method, path, json.dumps(body).encode(), at=at))
        for method, path, body in requests
    ]


if __name__ == "__main__":  # pragma: no cover - run by hand
    serve(Store.from_examples())
