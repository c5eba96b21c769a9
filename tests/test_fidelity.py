"""PAY-1, PAY-9, PAY-10: payload fidelity, from ``from_api`` through ``to_api`` and back.

Every key a value does not model is kept verbatim, in order and read-only in ``extra`` and
written back by ``to_api``, at every level; derived keys are never kept; ``strict=True`` names
every unmodelled key instead. The seed payloads in ``tests/data/seeds/`` are the response
examples of the platform's API pages (RULES.md, PAY sources), with every placeholder filled
with a realistic valid value and every key of the page kept, nested ones included, in the
page's order:

- ``000_claim_benefit.json``: Claim Benefit, a ``Benefit`` with its embedded definition;
- ``001_redeem_benefit.json``: Add Benefit Redemption, a ``Redemption`` whose item's
  ``type_attributes`` is a credit (itself a valid ``Credit`` payload);
- ``002_benefit_definition.json``: a ``BenefitDefinition`` with every attribute the
  "Benefit definition properties" page lists (the page has no JSON example; ``end_at``, typed
  INTEGER there, is a date-time as on the Claim Benefit page and in TIME-7);
- ``003_extend_reward.json``: Extend Reward, a list of ``Reward``;
- ``004_edit_credit.json``: Edit Credit, a ``Credit`` with its embedded definition.

Expected values come from the payloads and the rulebook, never from the library's output.
"""

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    Credit,
    CreditDefinition,
    InvalidRequest,
    PayloadError,
    Redemption,
    RedemptionItem,
    Reward,
    RewardDefinition,
)
from loyalty_core.limits import key_segment
from loyalty_core.testing.strategies import api_payloads
from tests.helpers import budget

SEEDS = Path(__file__).parent / "data" / "seeds"

DERIVED = frozenset(
    {
        "is_expired",
        "is_redeemable",
        "is_active",
        "issued_local_at",
        "expires_local_at",
        "notify_issue_at",
        "notify_expiry_at",
        "total_global_redemptions_remaining",
    }
)
"""PAY-10's derived keys: never stored, never kept in ``extra``."""

REWRITTEN: Mapping[type[Any], frozenset[str]] = {
    Reward: frozenset({"issued_local_at", "expires_local_at"}),  # PAY-5 local twins
    BenefitDefinition: frozenset({"total_global_redemptions_remaining"}),  # RED-11
}
"""The derived keys ``to_api`` recomputes (PAY-10); every other derived key is left out."""

VALUE_CLASSES: tuple[type[Any], ...] = (
    BenefitDefinition,
    Benefit,
    RewardDefinition,
    Reward,
    CreditDefinition,
    Credit,
)

NESTED: Mapping[tuple[type[Any], str], type[Any]] = {
    (Benefit, "definition"): BenefitDefinition,
    (Reward, "definition"): RewardDefinition,
    (Credit, "definition"): CreditDefinition,
    (Redemption, "items"): RedemptionItem,
}
"""Modelled keys that hold embedded platform values (with their own ``extra``)."""

FAST = settings(max_examples=budget(50))


def modelled(cls: type[Any]) -> frozenset[str]:
    """The keys ``cls`` models: its attrs fields except ``extra``."""
    return frozenset(a.name for a in attrs.fields(cls) if a.name != "extra")


def known(cls: type[Any]) -> frozenset[str]:
    return modelled(cls) | DERIVED


def dumps(value: Any) -> str:
    """Exact JSON text: tells ``true`` from ``1`` and keeps key order."""
    return json.dumps(value, ensure_ascii=False)


def normalised(value: Any) -> Any:
    return json.loads(dumps(value))


# ==============================================================================================
# Seeds: the API pages' response examples
# ==============================================================================================


def load(name: str) -> Any:
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))["data"]


def pick(data: Any, steps: tuple[str | int, ...]) -> dict[str, Any]:
    for step in steps:
        data = data[step]
    assert isinstance(data, dict)
    return data


Checker = Callable[[Any, Any], bool]


def pay8_money(raw: Any) -> Decimal:
    """PAY-8: an int exactly, a float through its shortest text, a decimal string as written."""
    assert not isinstance(raw, bool)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    assert isinstance(raw, int) or re.fullmatch(r"-?\d+(\.\d+)?", raw)
    return Decimal(raw)


def same_money(sent: Any, got: Any) -> bool:
    """Money re-rendered as a fixed-point string (PAY-8: ``format(value, "f")``)."""
    return isinstance(got, str) and got == format(pay8_money(sent), "f")


def _rule(value: Any) -> Any:
    if isinstance(value, str):
        value = json.loads(value) if value else None  # COND-2: a string is decoded as JSON
    return None if value in (None, [], {}) else value  # COND-1: these mean "no condition"


def same_condition(sent: Any, got: Any) -> bool:
    """A condition re-rendered as its decoded rule, or null for "no condition"."""
    return dumps(_rule(sent)) == dumps(got)


_WINDOW = re.compile(r"(\d+) (day|week|month|year)s?|(day|week|month|year)")


def _window(value: Any) -> tuple[int | None, str] | None:
    # CLM-16: a string or strings joined with spaces, trimmed and lower-cased; "" or [] is none.
    text = " ".join(value) if isinstance(value, list) else value
    if text is None or not text.strip():
        return None
    match = _WINDOW.fullmatch(text.strip().lower())
    assert match is not None, text
    return (int(match[1]), match[2]) if match[1] else (None, match[3])


def same_timeframe(sent: Any, got: Any) -> bool:
    """A claim timeframe re-rendered as one string naming the same window (CLM-16)."""
    return isinstance(got, str | None) and _window(sent) == _window(got)


class Seed(NamedTuple):
    file: str
    steps: tuple[str | int, ...]
    cls: type[Any]
    allowed: Mapping[str, Checker]
    """Modelled keys whose canonical form differs from the seed, and how they must compare."""

    def payload(self) -> dict[str, Any]:
        return pick(load(self.file), self.steps)


SEED_CASES = [
    pytest.param(
        Seed(
            "000_claim_benefit.json",
            (),
            Benefit,
            {
                "$.definition.claim_condition": same_condition,  # a JSON Logic string, decoded
                "$.definition.claim_timeframe": same_timeframe,  # ["1", "months"] -> one string
                "$.definition.view_condition": same_condition,  # [] means no condition
            },
        ),
        id="000-claim-benefit",
    ),
    pytest.param(
        Seed(
            "001_redeem_benefit.json",
            (),
            Redemption,
            {"$.items[0].value": same_money},  # the number 25 is written as "25"
        ),
        id="001-redeem-benefit",
    ),
    pytest.param(
        Seed(
            "001_redeem_benefit.json",
            ("items", 0, "type_attributes"),
            Credit,
            {"$.definition.max_value": same_money},
        ),
        id="001-redeemed-credit",
    ),
    pytest.param(
        Seed(
            "002_benefit_definition.json",
            (),
            BenefitDefinition,
            {"$.claim_condition": same_condition},
        ),
        id="002-benefit-definition",
    ),
    pytest.param(Seed("003_extend_reward.json", (0,), Reward, {}), id="003-extend-reward"),
    pytest.param(
        Seed("004_edit_credit.json", (), Credit, {"$.definition.max_value": same_money}),
        id="004-edit-credit",
    ),
]


def compare(
    cls: type[Any], sent: Mapping[str, Any], got: Mapping[str, Any], path: str = "$"
) -> tuple[list[str], dict[str, tuple[Any, Any]]]:
    """Compare a payload with ``to_api``'s output: the keys missing, and the values differing.

    Derived keys are skipped; embedded values are compared key by key; every other value
    (unmodelled keys included) must be the same JSON after normalisation.
    """
    missing: list[str] = []
    differing: dict[str, tuple[Any, Any]] = {}
    for key, item in sent.items():
        where = f"{path}.{key}"
        if key in DERIVED:
            continue
        if key not in got:
            missing.append(where)
            continue
        inner = NESTED.get((cls, key))
        if inner is not None and item is not None:
            pairs = (
                [
                    (f"{where}[{i}]", s, g)
                    for i, (s, g) in enumerate(zip(item, got[key], strict=True))
                ]
                if isinstance(item, list)
                else [(where, item, got[key])]
            )
            for at, s, g in pairs:
                lost, changed = compare(inner, s, g, at)
                missing += lost
                differing.update(changed)
        elif dumps(normalised(item)) != dumps(normalised(got[key])):
            differing[where] = (item, got[key])
    return missing, differing


def unmodelled(cls: type[Any], payload: Mapping[str, Any], path: str = "$") -> list[str]:
    """The JSON paths of every key that neither ``cls`` nor an embedded value models."""
    found: list[str] = []
    names = modelled(cls)
    for key, item in payload.items():
        assert re.fullmatch(r"[A-Za-z_]\w*", key), key  # seed keys render as ".key"
        if key in DERIVED:
            continue
        if key not in names:
            found.append(f"{path}.{key}")
            continue
        inner = NESTED.get((cls, key))
        if inner is not None and item is not None:
            if isinstance(item, list):
                for i, each in enumerate(item):
                    found += unmodelled(inner, each, f"{path}.{key}[{i}]")
            else:
                found += unmodelled(inner, item, f"{path}.{key}")
    return found


def check_extra(cls: type[Any], value: Any, payload: Mapping[str, Any]) -> None:
    """``value.extra`` (and each embedded value's) holds exactly the unmodelled keys, in order."""
    names = known(cls)
    expected = {k: v for k, v in payload.items() if k not in names}
    assert list(value.extra) == list(expected)
    assert value.extra == expected
    for key, item in payload.items():
        inner = NESTED.get((cls, key))
        if inner is None or item is None:
            continue
        embedded = getattr(value, key)
        if isinstance(item, list):
            assert len(embedded) == len(item)
            for each_value, each_payload in zip(embedded, item, strict=True):
                check_extra(inner, each_value, each_payload)
        else:
            check_extra(inner, embedded, item)


@pytest.mark.parametrize("seed", SEED_CASES)
def test_pay1_from_api_reads_the_seed(seed: Seed) -> None:
    payload = seed.payload()
    value = seed.cls.from_api(payload)
    assert type(value) is seed.cls
    assert value.id == payload["id"]


@pytest.mark.parametrize("seed", SEED_CASES)
def test_pay10_extra_holds_every_unmodelled_key_in_order(seed: Seed) -> None:
    payload = seed.payload()
    check_extra(seed.cls, seed.cls.from_api(payload), payload)


@pytest.mark.parametrize("seed", SEED_CASES)
def test_pay10_to_api_keeps_every_key_of_the_seed(seed: Seed) -> None:
    """Every non-derived key comes back, at every level; only canonical forms may differ."""
    payload = seed.payload()
    rendered = seed.cls.from_api(payload).to_api()
    missing, differing = compare(seed.cls, payload, rendered)
    assert missing == []
    assert set(differing) == set(seed.allowed)
    for where, (sent, got) in differing.items():
        assert seed.allowed[where](sent, got), (where, sent, got)


@pytest.mark.parametrize("seed", SEED_CASES)
def test_pay10_to_api_writes_derived_keys_only_where_recomputed(seed: Seed) -> None:
    def walk(cls: type[Any], out: Mapping[str, Any]) -> None:
        assert DERIVED & set(out) == REWRITTEN.get(cls, frozenset())
        for (owner, key), inner in NESTED.items():
            if owner is cls and out.get(key) is not None:
                for each in out[key] if isinstance(out[key], list) else [out[key]]:
                    walk(inner, each)

    walk(seed.cls, seed.cls.from_api(seed.payload()).to_api())


@pytest.mark.parametrize("seed", SEED_CASES)
def test_pay1_round_trip_and_fixed_point(seed: Seed) -> None:
    value = seed.cls.from_api(seed.payload())
    once = value.to_api()
    again = seed.cls.from_api(once)
    assert again == value
    assert hash(again) == hash(value)
    assert seed.cls.from_api(normalised(once)) == value
    assert dumps(again.to_api()) == dumps(once)  # a fixed point, key order included


@pytest.mark.parametrize("seed", SEED_CASES)
def test_pay10_strict_names_exactly_the_unmodelled_keys(seed: Seed) -> None:
    payload = seed.payload()
    expected = unmodelled(seed.cls, payload)
    assert expected  # every seed has display keys the values do not model
    with pytest.raises(PayloadError) as info:
        seed.cls.from_api(payload, strict=True)
    assert Counter(p.where for p in info.value.problems) == Counter(expected)


def test_pay10_benefit_definition_recomputes_global_remaining() -> None:
    """RED-11: the written remaining is max(0, max_global_redemptions - total_global_...)."""
    payload = load("002_benefit_definition.json")
    out = BenefitDefinition.from_api(payload).to_api()
    expected = max(0, payload["max_global_redemptions"] - payload["total_global_redemptions"])
    assert out["total_global_redemptions_remaining"] == expected
    assert expected == payload["total_global_redemptions_remaining"]  # the seed is consistent


def test_pay10_benefit_derives_its_global_remaining() -> None:
    """RED-11: the instance's remaining is min(redemptions_remaining, global remaining)."""
    payload = load("000_claim_benefit.json")
    benefit = Benefit.from_api(payload)
    definition = payload["definition"]
    global_left = definition["max_global_redemptions"] - definition.get(
        "total_global_redemptions", 0
    )  # PAY-9: no counter and no remaining in the payload means 0 redeemed
    expected = min(payload["redemptions_remaining"], global_left)
    assert benefit.total_global_redemptions_remaining == expected
    assert expected == payload["total_global_redemptions_remaining"]
    assert benefit.to_api()["definition"]["total_global_redemptions_remaining"] == global_left


def test_pay5_reward_local_twins_are_recomputed() -> None:
    """PAY-5 with the rulebook's example: 2026-04-19 13:59:59Z is 23:59:59 in Melbourne."""
    payload = load("003_extend_reward.json")[0]
    out = Reward.from_api(payload).to_api()
    assert (out["issued_local_at"], out["expires_local_at"]) == (
        "2026-03-20 10:00:00",  # 2026-03-19 23:00:00Z = 10:00 AEDT (+11), EXP table row 2
        "2026-04-19 23:59:59",  # AEST (+10) after DST ended on 2026-04-05
    )
    assert out["issued_local_at"] == payload["issued_local_at"]
    assert out["expires_local_at"] == payload["expires_local_at"]


def test_redemption_item_keeps_the_credit_read_only() -> None:
    payload = load("001_redeem_benefit.json")
    credit = payload["items"][0]["type_attributes"]
    kept = Redemption.from_api(payload).items[0].type_attributes
    assert isinstance(kept, Mapping)
    assert kept == credit
    assert list(kept) == list(credit)
    fields = kept["definition"]["custom_fields"]
    assert fields == credit["definition"]["custom_fields"]  # an array equals the list it came as
    with pytest.raises(TypeError):
        kept["id"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        fields[0] = {}
    with pytest.raises(TypeError):
        fields[0]["name"] = "x"
    credit["definition"]["name"] = "changed after reading"
    assert kept["definition"]["name"] == "Gift card"  # a copy, not a view of the input


# ==============================================================================================
# Properties: random unknown keys on random valid payloads
# ==============================================================================================

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=12,
)

ALL_NAMES = sorted(
    set().union(*(modelled(c) for c in (*VALUE_CLASSES, Redemption, RedemptionItem)), {"extra"})
)


def _extra_keys(cls: type[Any]) -> st.SearchStrategy[str]:
    """Keys ``cls`` does not know: any text, other classes' fields, near-misses of its own."""
    names = known(cls)
    near = st.sampled_from(
        sorted(
            variant
            for k in modelled(cls)
            for variant in (k.upper(), k + "s", k[:-1], " " + k, k + "\n", k + "." + k)
        )
    )
    return st.one_of(st.text(), st.sampled_from(ALL_NAMES), near).filter(lambda k: k not in names)


EXTRAS: Mapping[type[Any], st.SearchStrategy[dict[str, Any]]] = {
    cls: st.dictionaries(_extra_keys(cls), json_values, max_size=5)
    for cls in (*VALUE_CLASSES, Redemption, RedemptionItem)
}
"""Per class: unknown items with any JSON values (built once: strategies validate on first use)."""

PAYLOADS: Mapping[type[Any], st.SearchStrategy[dict[str, Any]]] = {
    cls: api_payloads(cls, vary=False) for cls in VALUE_CLASSES
}
"""Per class: valid payloads, as ``to_api`` writes them."""


def unknown_items(cls: type[Any], payload: Mapping[str, Any]) -> dict[str, Any]:
    """The items of ``payload`` that ``cls`` does not know, in payload order."""
    names = known(cls)
    return {k: v for k, v in payload.items() if k not in names}


@st.composite
def interleaved(draw: st.DrawFn, cls: type[Any], payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with random unknown keys of ``cls`` inserted anywhere among its keys."""
    extras = draw(EXTRAS[cls])
    items = list(payload.items())
    for key, item in extras.items():
        if key not in payload:
            items.insert(draw(st.integers(0, len(items))), (key, item))
    return dict(items)


@st.composite
def payloads_with_unknown_keys(draw: st.DrawFn, cls: type[Any]) -> dict[str, Any]:
    """A valid payload of ``cls`` with unknown keys at its top and in its embedded definition.

    The payload strategy may already have put unknown keys there too; the tests read the
    unknown keys back from the payload itself.
    """
    payload = draw(interleaved(cls, draw(PAYLOADS[cls])))
    inner = NESTED.get((cls, "definition"))
    if inner is not None and payload.get("definition") is not None and draw(st.booleans()):
        payload["definition"] = draw(interleaved(inner, payload["definition"]))
    return payload


def loosely(value: Any) -> Any:
    """A JSON value up to key order, with 1 the same number as 1.0 (``true`` is not ``1``)."""
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, dict):
        return ("object", frozenset((k, loosely(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("array", tuple(loosely(v) for v in value))
    if isinstance(value, int | float):
        return ("number", value)
    return (type(value).__name__, value)


@st.composite
def other_extras(draw: st.DrawFn, cls: type[Any], extras: dict[str, Any]) -> dict[str, Any]:
    """Unknown items to compare with ``extras``: an equal copy, a close variant, or any."""
    keys = list(extras)
    choice = draw(st.integers(0, 3))
    if choice == 0:
        copy: dict[str, Any] = normalised(extras)  # an equal copy
        return copy
    if choice == 1:  # one value changed, or a key added
        key = ""
        if draw(st.booleans()) and keys:
            key = draw(st.sampled_from(keys))
        return {**extras, key: draw(json_values)}
    if choice == 2:  # one key fewer
        return {k: v for k, v in extras.items() if k not in keys[:1]}
    return draw(EXTRAS[cls])  # anything else


@pytest.mark.parametrize("cls", VALUE_CLASSES, ids=lambda c: c.__name__)
@FAST
@given(data=st.data())
def test_pay10_unknown_keys_survive_and_strict_names_them(cls: type[Any], data: Any) -> None:
    """PAY-10 and PAY-1 on random payloads with random unknown keys, at two levels.

    The unknown keys come back from ``to_api`` as the same JSON, in the same order; derived
    keys are left out unless recomputed; the round trip is a fixed point; ``strict=True`` names
    exactly the unknown keys by path; ``extra`` takes part in equality and hashing.
    """
    payload = data.draw(payloads_with_unknown_keys(cls))
    inner = NESTED.get((cls, "definition"))
    levels: list[tuple[type[Any], Mapping[str, Any], str]] = [(cls, payload, "$")]
    if inner is not None and payload.get("definition") is not None:
        levels.append((inner, payload["definition"], "$.definition"))

    value = cls.from_api(payload)
    rendered = value.to_api()
    for level_cls, sent, path in levels:
        extras = unknown_items(level_cls, sent)
        kept = value if path == "$" else value.definition
        out = rendered if path == "$" else rendered["definition"]
        assert list(kept.extra) == list(extras)
        assert [k for k in out if k in extras] == list(extras)  # in order, after modelled keys
        assert dumps({k: out[k] for k in out if k in extras}) == dumps(extras)
        assert DERIVED & set(out) <= REWRITTEN.get(level_cls, frozenset())

    # PAY-1: the round trip, through JSON text too, and a fixed point.
    assert cls.from_api(rendered) == value
    assert cls.from_api(normalised(rendered)) == value
    assert dumps(cls.from_api(rendered).to_api()) == dumps(rendered)

    # Strict mode names every unknown key, and nothing else.
    expected = Counter(
        path + key_segment(key)
        for level_cls, sent, path in levels
        for key in unknown_items(level_cls, sent)
    )
    if not expected:
        assert cls.from_api(payload, strict=True) == value
    else:
        with pytest.raises(PayloadError) as info:
            cls.from_api(payload, strict=True)
        assert Counter(p.where for p in info.value.problems) == expected

    # Equality: the same payload with other unknown items at the top.
    extras = unknown_items(cls, payload)
    others = data.draw(other_extras(cls, extras))
    other = cls.from_api({k: v for k, v in payload.items() if k not in extras} | others)
    if dumps(others) == dumps(extras):
        assert other == value
        assert hash(other) == hash(value)
    elif loosely(others) != loosely(extras):
        assert other != value
    # Otherwise they differ only in key order: mappings compare as mappings do.


# ==============================================================================================
# Examples
# ==============================================================================================


def test_pay10_extra_is_read_only() -> None:
    payload: dict[str, Any] = {"value_initial": "10.00", "x-note": {"tags": ["a"], "n": 1}}
    reward = Reward.from_api(payload)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        reward.extra = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        reward.extra["x-note"] = 2  # type: ignore[index]
    with pytest.raises(TypeError):
        del reward.extra["x-note"]  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        reward.extra["x-note"]["n"] = 2
    with pytest.raises(AttributeError):
        reward.extra["x-note"]["tags"].append("b")
    payload["x-note"]["tags"].append("changed")  # the input is copied, not shared
    out = reward.to_api()
    assert out["x-note"] == {"tags": ["a"], "n": 1}
    out["x-note"]["tags"].append("changed")  # and so is the output
    assert reward.extra["x-note"]["tags"] == ["a"]


@pytest.mark.parametrize(
    "key", ["period", "is_claimable", "is_expired", "total_global_redemptions_remaining"]
)
def test_pay10_a_known_key_cannot_be_extra(key: str) -> None:
    """A modelled key is a field, and a derived key is never stored (PAY-10)."""
    with pytest.raises(InvalidRequest) as info:
        BenefitDefinition(extra={key: 1})
    assert [p.where for p in info.value.problems] == [f"extra.{key}"]


def test_pay10_strict_hints_the_closest_key() -> None:
    with pytest.raises(PayloadError) as info:
        Benefit.from_api({"definition": {"is_claimabel": True}}, strict=True)
    [problem] = info.value.problems
    assert problem.where == "$.definition.is_claimabel"
    assert "did you mean 'is_claimable'?" in problem.message


def test_pay10_strict_with_a_huge_key_is_short_and_quick() -> None:
    key = "k" * 50_000
    started = time.perf_counter()
    with pytest.raises(PayloadError) as info:
        BenefitDefinition.from_api({key: 1}, strict=True)
    elapsed = time.perf_counter() - started
    [problem] = info.value.problems
    assert problem.where == "$" + key_segment(key)
    assert len(str(info.value)) < 2000
    assert len(str(problem)) < 2000
    assert elapsed < 1.0
    assert BenefitDefinition.from_api({key: 1}).to_api()[key] == 1  # kept whole otherwise


def test_pay10_extra_tells_true_from_1() -> None:
    """JSON ``true`` and ``1`` are different values (PAY-6), so values keeping them differ.

    ``to_api`` writes ``true`` for one and ``1`` for the other, so ``extra`` compares items as
    JSON values, not with Python's ``==`` (where ``True == 1``).
    """
    a = BenefitDefinition.from_api({"x-flag": True})
    b = BenefitDefinition.from_api({"x-flag": 1})
    assert dumps(a.to_api()) != dumps(b.to_api())
    assert a != b
