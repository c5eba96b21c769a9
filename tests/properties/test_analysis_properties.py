"""Property tests of loyalty_core.analysis: a batch is exactly a loop over the rule functions.

The oracle of every property is the per-request API (``check_claim``), called in a plain loop;
the batch functions must agree with it row by row, whatever the members, definitions,
holdings, instants, zones and policy (CLM-1 to CLM-16, TIME-9), and whichever frame library.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Final

import attrs
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty_core import BenefitDefinition, Decision, Policy, Profile, check_claim
from loyalty_core.analysis import CLAIM_CODES, claim_eligibility, expiry_table, summarize, what_if
from loyalty_core.testing.strategies import DEFAULT_PROFILE_SCHEMA, policies
from tests.frames import rows
from tests.helpers import budget
from tests.properties.strategies import (
    benefit_definitions,
    benefits,
    credit_items,
    profiles,
    rewards,
    utc_instants,
    zones,
)

SETTINGS: Final = settings(max_examples=budget(40), suppress_health_check=[HealthCheck.too_slow])
CODES: Final = tuple(code.value for code in CLAIM_CODES)
# Built once, not in every draw.
_PROFILES: Final = profiles(schema=DEFAULT_PROFILE_SCHEMA)
_DEFINITIONS: Final = st.one_of(benefit_definitions(), benefit_definitions(claimable=True))
_ZONES: Final = zones()


@st.composite
def populations(
    draw: st.DrawFn,
) -> tuple[list[Profile], list[BenefitDefinition], dict[str, Any], dict[str, str]]:
    """Members with distinct ids, definitions with distinct handles, holdings and zones."""
    count = draw(st.integers(min_value=0, max_value=4))
    members = [
        attrs.evolve(profile, id=f"m-{index}")
        if profile.context.get("id") is None
        else Profile(context={**profile.context, "id": f"m-{index}"})
        for index, profile in enumerate(draw(st.lists(_PROFILES, min_size=count, max_size=count)))
    ]
    definitions = [
        attrs.evolve(definition, handle=f"d-{index}")
        for index, definition in enumerate(
            draw(
                st.lists(
                    _DEFINITIONS,
                    min_size=1,
                    max_size=3,
                )
            )
        )
    ]
    holdings: dict[str, Any] = {}
    for member in members:
        held = draw(st.lists(benefits(definition=st.sampled_from(definitions)), max_size=2))
        if held:
            holdings[member.id or ""] = [attrs.evolve(b, profile_id=member.id) for b in held]
    member_zones = {member.id or "": draw(_ZONES) for member in members}
    return members, definitions, holdings, member_zones


def _loop(
    members: list[Profile],
    definitions: list[BenefitDefinition],
    at: list[datetime],
    member_zones: dict[str, str],
    holdings: dict[str, Any],
    policy: Policy,
) -> list[tuple[str, str, datetime, Decision]]:
    return [
        (
            member.id or "",
            definition.handle or "",
            instant,
            check_claim(
                definition,
                member,
                at=instant,
                timezone=member_zones[member.id or ""],
                holdings=holdings.get(member.id or "", ()),
                policy=policy,
            ),
        )
        for member in members
        for definition in definitions
        for instant in at
    ]


@SETTINGS
@given(
    population=populations(),
    at=st.lists(utc_instants(), min_size=1, max_size=3),
    policy=policies(),
    backend=st.sampled_from(("pandas", "polars")),
)
def test_batch_equals_loop_over_check_claim(
    population: tuple[list[Profile], list[BenefitDefinition], dict[str, Any], dict[str, str]],
    at: list[datetime],
    policy: Policy,
    backend: str,
) -> None:
    members, definitions, holdings, member_zones = population
    frame = claim_eligibility(  # type: ignore[call-overload] # backend: one of the two names
        members,
        definitions,
        at=at,
        timezone=member_zones,
        holdings=holdings,
        policy=policy,
        backend=backend,
    )
    expected = _loop(members, definitions, at, member_zones, holdings, policy)
    got = rows(frame)
    assert len(got) == len(expected)
    for row, (member_id, handle, instant, decision) in zip(got, expected, strict=True):
        assert (row["profile_id"], row["definition"], row["instant"]) == (
            member_id,
            handle,
            instant,
        )
        assert row["timezone"] == member_zones[member_id]
        assert row["allowed"] is decision.allowed
        assert {code for code in CODES if row[code]} == {c.value for c in decision.codes}
        assert list(row["reasons"]) == [r.code.value for r in decision.reasons]
        assert list(row["messages"]) == [r.message for r in decision.reasons]
        assert row["retry_at"] == decision.retry_at  # TIME-9


@SETTINGS
@given(population=populations(), at=st.lists(utc_instants(), min_size=1, max_size=2))
def test_summary_counts_every_reason_of_every_row(
    population: tuple[list[Profile], list[BenefitDefinition], dict[str, Any], dict[str, str]],
    at: list[datetime],
) -> None:
    members, definitions, holdings, member_zones = population
    frame = claim_eligibility(members, definitions, at=at, timezone=member_zones, holdings=holdings)
    expected: Counter[tuple[str, datetime, str]] = Counter()
    sole: Counter[tuple[str, datetime, str]] = Counter()
    for _, handle, instant, decision in _loop(
        members, definitions, at, member_zones, holdings, Policy()
    ):
        if decision.allowed:
            expected[handle, instant, "allowed"] += 1
        for reason in decision.reasons:
            expected[handle, instant, reason.code.value] += 1
        if len(decision.reasons) == 1:
            sole[handle, instant, decision.reasons[0].code.value] += 1
    got = rows(summarize(frame))
    assert {(r["definition"], r["instant"], r["outcome"]): r["count"] for r in got} == dict(
        expected
    )
    assert {
        (r["definition"], r["instant"], r["outcome"]): r["sole"] for r in got if r["sole"]
    } == dict(sole)
    for row in got:
        assert row["rows"] == len(members) * at.count(row["instant"])  # `at` may repeat an instant
        assert row["share"] == row["count"] / row["rows"]


@SETTINGS
@given(population=populations(), at=utc_instants(), old=policies(), new=policies())
def test_what_if_lists_exactly_the_changedrows(
    population: tuple[list[Profile], list[BenefitDefinition], dict[str, Any], dict[str, str]],
    at: datetime,
    old: Policy,
    new: Policy,
) -> None:
    members, definitions, holdings, member_zones = population
    changed = what_if(
        members,
        old,
        new,
        at=at,
        timezone=member_zones,
        holdings=holdings,
        definitions=definitions,
    )
    before = _loop(members, definitions, [at], member_zones, holdings, old)
    after = _loop(members, definitions, [at], member_zones, holdings, new)
    expected = []
    for (member_id, handle, _, was), (_, _, _, now) in zip(before, after, strict=True):
        codes_before = [r.code for r in was.reasons]
        codes_after = [r.code for r in now.reasons]
        if codes_before == codes_after:
            continue
        change = "gained" if now.allowed else "lost" if was.allowed else "reasons"
        expected.append((member_id, handle, change))
    got = [(r["profile_id"], r["definition"], r["change"]) for r in rows(changed)]
    assert got == expected


@SETTINGS
@given(
    items=st.lists(
        st.one_of(benefits(), rewards(), credit_items()),
        max_size=5,
    )
)
def test_expiry_table_reads_each_item_in_its_zone(items: list[Any]) -> None:
    got = rows(expiry_table(items, used_up="include"))
    assert len(got) == len(items)
    for row, item in zip(got, items, strict=True):
        assert row["id"] == item.id or (row["id"] is None or pd.isna(row["id"]))
        assert row["timezone"] == item.zone.key  # TIME-3 (a credit may use its definition's)
        assert row["expires_at"] == item.expires_at
        if item.expires_at is None:
            assert row["expires_on"] is None
        else:
            local = item.expires_at.astimezone(item.zone)
            assert row["expires_on"] == datetime.combine(local.date(), datetime.min.time())
            assert row["expires_local"] == local.replace(tzinfo=None)
