"""examples/service.py, the how-to's web service handler, runs and answers as documented.

Each request goes through the library's request parsers and rules: redemption records and
owners (RED-15, RED-16), extension by ids (EXT-11), credit edits with every bad field named
(CRD-15 to CRD-17, PAY-12), and platform keys the library does not model kept (PAY-10).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Final

import pytest

EXAMPLE: Final = Path(__file__).parents[1] / "examples" / "service.py"
ADA: Final = "9b2f7a0e-5c1d-4a55-8d0e-1f2a3b4c5d6e"
AT: Final = datetime(2026, 3, 25, tzinfo=UTC)


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("service_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # attrs resolves the module's annotations through it
    spec.loader.exec_module(module)
    return module


service: Final = _load()


@pytest.fixture
def store() -> Any:
    return service.Store.from_examples()


def call(store: Any, method: str, path: str, body: object, at: datetime = AT) -> tuple[int, Any]:
    status, answer = service.handle(store, method, path, json.dumps(body).encode(), at=at)
    json.dumps(answer, allow_nan=False)  # every answer is plain JSON
    return status, answer


class TestRedeem:
    def test_the_owner_redeems_and_gets_the_record(self, store: Any) -> None:
        """RED-16: the record names the path's profile, the benefit, the count and the instant."""
        store.benefits[123]["redeem_code_pos"] = "COFFEE-1234"  # a key no rule reads
        status, answer = call(store, "POST", f"/v3/profiles/{ADA}/benefits/123/redeem", {})
        assert status == 201
        record = answer["data"]
        assert record["profile_id"] == ADA
        assert record["type"] == "benefit"
        assert record["redeem_at"] == "2026-03-25 00:00:00"
        assert [(i["type"], i["id"], i["count"]) for i in record["items"]] == [("benefit", 123, 1)]
        stored = store.benefits[123]
        assert stored["redemptions_remaining"] == 2  # 3 before, one redeemed (RED-10)
        assert stored["redeem_code_pos"] == "COFFEE-1234"  # PAY-10: kept through the write

    def test_another_profile_is_refused_as_not_owned(self, store: Any) -> None:
        """RED-15: the path's profile differs from the benefit's owner: a 409, nothing spent."""
        before = dict(store.benefits[123])
        status, answer = call(store, "POST", "/v3/profiles/p-2/benefits/123/redeem", {"count": 1})
        assert status == 409
        assert [r["code"] for r in answer["reasons"]] == ["not_owned"]
        assert store.benefits[123] == before

    def test_a_bad_count_is_a_422_at_its_path(self, store: Any) -> None:
        status, answer = call(
            store, "POST", f"/v3/profiles/{ADA}/benefits/123/redeem", {"count": 0}
        )
        assert status == 422
        assert list(answer["errors"]) == ["$.count"]


class TestClaim:
    def test_claim_stores_the_benefit_with_its_meta(self, store: Any) -> None:
        """CLM-17: the body's external_id and meta are kept on the new benefit."""
        body = {
            "definition": "welcome-voucher",
            "timezone": "Australia/Melbourne",
            "external_id": "order-1",
            "meta": ["app"],
        }
        at = datetime(2021, 3, 5, tzinfo=UTC)  # inside the example's claim window
        status, answer = call(store, "POST", f"/v3/profiles/{ADA}/benefits/claim", body, at)
        assert status == 201
        benefit = answer["data"]
        assert (benefit["external_id"], benefit["meta"]) == ("order-1", ["app"])
        assert store.benefits[benefit["id"]] == benefit

    def test_a_closed_window_is_a_409_with_the_reasons(self, store: Any) -> None:
        body = {"definition": "welcome-voucher", "timezone": "UTC"}
        status, answer = call(store, "POST", f"/v3/profiles/{ADA}/benefits/claim", body)
        assert status == 409
        assert "claim_window_closed" in [r["code"] for r in answer["reasons"]]

    def test_a_bad_body_names_every_field(self, store: Any) -> None:
        body = {"timezone": "Mars/Base", "meta": "app"}
        status, answer = call(store, "POST", f"/v3/profiles/{ADA}/benefits/claim", body)
        assert status == 422
        assert sorted(answer["errors"]) == ["$.definition", "$.meta", "$.timezone"]


def test_extend_reports_unknown_ids_as_not_found(store: Any) -> None:
    """EXT-11: the body's ids name rewards; one naming none is skipped with not_found."""
    body = {"profile_id": "p-1", "ids": [4, 99], "extend_days": 30}
    status, answer = call(store, "POST", "/v3/rewards/extend", body)
    assert status == 200
    assert [r["id"] for r in answer["data"]] == [4]
    assert [(s["id"], [r["code"] for r in s["reasons"]]) for s in answer["skipped"]] == [
        (99, ["not_found"])
    ]
    assert store.rewards[4]["extended_at"] == "2026-03-25 00:00:00"


def test_a_credit_edit_names_every_bad_field(store: Any) -> None:
    """CRD-15, PAY-12: one 422 with every bad field by JSON path; the credit is untouched."""
    before = dict(store.credits[901])
    body = {"value_remaining": "-1", "recipient_email": "ada@", "issued_at": "2025-02-30"}
    status, answer = call(store, "PUT", "/v3/credits/901", body)
    assert status == 422
    assert sorted(answer["errors"]) == ["$.issued_at", "$.recipient_email", "$.value_remaining"]
    assert store.credits[901] == before


def test_a_credit_edit_the_definition_forbids_is_a_422(store: Any) -> None:
    """CRD-17: a credit whose definition is not reassignable keeps its owner."""
    store.credits[901]["definition"] = {"is_reassignable": False, "max_value": 100}
    status, answer = call(
        store, "PUT", "/v3/credits/901", {"profile_id": "p-2", "value_initial": 150}
    )
    assert status == 422
    assert sorted(answer["errors"]) == ["$.profile_id", "$.value_initial"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        pytest.param("GET", "/v3/credits/901", b"", 404, id="unknown-method"),
        pytest.param("POST", "/v3/nowhere", b"{}", 404, id="unknown-path"),
        pytest.param("PUT", "/v3/credits/5", b"{}", 404, id="unknown-credit"),
        pytest.param("PUT", "/v3/credits/901", b"{not json", 400, id="not-json"),
    ],
)
def test_routing(store: Any, method: str, path: str, body: bytes, status: int) -> None:
    assert service.handle(store, method, path, body, at=AT)[0] == status


def test_the_demo_runs() -> None:
    """The how-to's walk-through: every request gets a documented status."""
    statuses = [answer[0] for _, _, answer in service.demo(AT)]
    assert statuses == [422, 201, 409, 200, 422]
