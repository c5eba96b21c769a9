"""The vectorised engine with holdings: holders' answers as steps in time equal the loop's.

``claim_eligibility(..., engine="auto")`` decides the members who hold benefits of a
definition (CLM-9, CLM-10, CLM-11, CLM-14, CLM-16, read through CLM-15) by running
``check_claim``'s rules once at the earliest instant asked about and once at each TIME-9
candidate, then joining those steps to the instants (``messages=False``); with messages the
loop decides them. Either way the frame must be the one ``engine="python"`` (a
``check_claim`` per row, the oracle) returns, cell for cell.

The property tests draw members, definitions, holdings and instants that all lie near one DST
transition of a member's zone (as ``tests/properties/test_claim_properties.py`` does), so
that calendar windows, rolling windows, expiries and claim windows start and stop refusing
between the instants asked about. The example tests check values computed by hand from
RULES.md, on both engines, not only their agreement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs
import polars as pl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from loyalty_core import Benefit, BenefitDefinition, Policy
from loyalty_core.analysis import Engine, _batch, claim_eligibility, claim_engines
from loyalty_core.policy import DEFAULT_POLICY
from tests.helpers import budget
from tests.helpers import definition as open_definition
from tests.properties.strategies import (
    near,
    optional,
    timeframe_values,
    transition_instants,
    within_1901_2199,
    zones,
)

US: Final = timedelta(microseconds=1)
SETTINGS: Final = settings(max_examples=budget(60), suppress_health_check=[HealthCheck.too_slow])

# Zones with DST on either hemisphere, one without, and UTC; plus the curated troublemakers.
DST_ZONES: Final = (
    "UTC",
    "America/New_York",
    "Australia/Melbourne",
    "Europe/London",
    "Asia/Tokyo",
)
ZONES: Final[st.SearchStrategy[str]] = st.one_of(
    st.sampled_from(DST_ZONES), zones(curated_only=True)
)
MEMBER_IDS: Final = ("m-0", "m-1", "m-2", "m-3", "m-4")
CAMPAIGNS: Final = (None, "", "spring", "summer")
TIMEFRAMES: Final = timeframe_values()
MOSTLY_TRUE: Final = st.sampled_from([True, True, True, False])
MOSTLY_FALSE: Final = st.sampled_from([False, False, False, True])

# Conditions the engine translates (claim_engines says "vectorized"), by the columns they read.
N_CONDITIONS: Final[tuple[Any, ...]] = (None, {">": [{"var": "n"}, 3]}, {"<=": [{"var": "n"}, 2]})
TIER_CONDITIONS: Final[tuple[Any, ...]] = (
    {"==": [{"var": "tier"}, "gold"]},
    {"and": [{">": [{"var": "n"}, 1]}, {"!=": [{"var": "tier"}, "silver"]}]},
)


# --- the scenarios ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """One claim_eligibility call: members, definitions, instants, zones, holdings, policy."""

    frame: pl.DataFrame
    definitions: list[BenefitDefinition]
    at: list[datetime]
    timezone: str | dict[str, str]
    holdings: dict[Any, list[Benefit]]
    policy: Policy

    def run(self, *, engine: Engine, messages: bool, lazy: bool = False) -> pl.DataFrame:
        members: pl.DataFrame | pl.LazyFrame = self.frame.lazy() if lazy else self.frame
        found = claim_eligibility(
            members,
            self.definitions,
            at=self.at,
            timezone=self.timezone,
            holdings=self.holdings,
            policy=self.policy,
            messages=messages,
            engine=engine,
        )
        if lazy:
            assert isinstance(found, pl.LazyFrame)
            found = found.collect()
        assert isinstance(found, pl.DataFrame)
        return found


@st.composite
def static_fields(draw: st.DrawFn) -> dict[str, Any]:
    """The fields of the rules no instant changes (CLM-1 to CLM-4, CLM-12, CLM-13).

    Mostly all open, so that the rules of time and holdings decide most rows.
    """
    if draw(MOSTLY_TRUE):
        return {"is_claimable": True, "is_published": True, "is_assignable": True}
    return {
        "is_claimable": draw(MOSTLY_TRUE),
        "is_published": draw(MOSTLY_TRUE),
        "is_assignable": draw(MOSTLY_TRUE),
        "is_archived": draw(MOSTLY_FALSE),
        "max_global_redemptions": draw(optional(st.integers(0, 3))),
        "total_global_redemptions": draw(st.integers(0, 4)),
        "force_allocation": draw(st.booleans()),
        "total_allocations_remaining": draw(optional(st.integers(0, 2))),
    }


@st.composite
def definitions(
    draw: st.DrawFn, base: datetime, *, tier: bool
) -> tuple[list[BenefitDefinition], BenefitDefinition]:
    """1–4 definitions with windows, ends and timeframes near ``base``, and an "other" one.

    Ids may repeat or be null (CLM-15 then matches by handle); a definition without a handle
    has a unique id, so that the frame's ``definition`` labels stay distinct.
    """
    conditions = N_CONDITIONS + (TIER_CONDITIONS if tier else ())
    found = []
    for k in range(draw(st.integers(1, 4))):
        start, end = draw(optional(near(base))), draw(optional(near(base)))
        if start is not None and end is not None and start > end:
            start, end = end, start
        definition_id = draw(st.sampled_from([None, k + 1, 1, 10 + k]))
        handle = f"d-{k}" if definition_id != 10 + k or draw(st.booleans()) else None
        found.append(
            BenefitDefinition(
                id=definition_id,
                handle=handle,
                is_reclaimable=draw(MOSTLY_TRUE),
                campaign=draw(st.sampled_from(CAMPAIGNS)),
                claim_timeframe=draw(TIMEFRAMES),
                claim_period_start_at=start,
                claim_period_end_at=end,
                end_at=draw(optional(near(base))),
                max_redemptions=draw(optional(st.integers(0, 2))),
                claim_condition=draw(st.sampled_from(conditions)),
                **draw(static_fields()),
            )
        )
    other = BenefitDefinition(
        id=draw(st.sampled_from([None, 99])),
        handle="other",
        campaign=draw(st.sampled_from(["spring", "summer"])),
        is_reclaimable=True,
    )
    return found, other


@st.composite
def benefits(
    draw: st.DrawFn,
    base: datetime,
    owner: str | None,
    held: Sequence[BenefitDefinition],
    *,
    empty: bool = True,
) -> list[Benefit]:
    """0–4 benefits (1–4 unless ``empty``) of ``held``'s definitions, or of copies of them.

    A copy without an id is matched by handle, one with another id is not (CLM-15).

    Claims, issues and expiries lie before and after the instants asked about.
    """
    found: list[Benefit] = []
    if empty and draw(MOSTLY_FALSE):
        return found  # a key with no benefits
    for index in range(draw(st.integers(1, 4))):
        definition = draw(st.sampled_from(held))
        copy = draw(st.sampled_from(["same", "same", "same", "no-id", "other-id"]))
        if copy == "no-id":
            definition = attrs.evolve(definition, id=None)  # CLM-15: matched by handle
        elif copy == "other-id":
            definition = attrs.evolve(definition, id=(definition.id or 0) + 50)
        claimed = draw(st.one_of(near(base), near(base), st.none()))
        found.append(
            Benefit(
                id=index,
                profile_id=draw(st.sampled_from([owner, owner, None, "someone-else"])),
                timezone=draw(st.sampled_from([None, "UTC", "Australia/Melbourne"])),
                definition=definition,
                claimed_at=claimed,
                issued_at=draw(st.one_of(st.just(claimed), optional(near(base)))),
                expires_at=draw(optional(near(base))),
                redemptions_remaining=draw(optional(st.integers(0, 2))),
            )
        )
    return found


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Members (some holding benefits), definitions, instants near a DST transition, a policy.

    The zone is one string or a mapping of profile id to zone (with a key for no member);
    with one string a member may have a null id. The holdings have a key with no member row
    and may leave members out.
    """
    ids: list[str | None] = list(
        draw(st.lists(st.sampled_from(MEMBER_IDS), min_size=1, max_size=4, unique=True))
    )
    if draw(MOSTLY_FALSE):
        ids.append(ids[0])  # the same profile id on two rows
    timezone: str | dict[str, str]
    if draw(st.booleans()):
        per_member = {str(i): draw(ZONES) for i in ids if i is not None}
        per_member["ghost"] = "UTC"
        zone, timezone = per_member[str(ids[0])], per_member
    else:
        zone = timezone = draw(ZONES)
        if draw(MOSTLY_FALSE):
            ids.append(None)  # a member without an id: every holding counts (CLM-15)
    base = draw(transition_instants(zone).filter(within_1901_2199))

    tier = draw(st.booleans())
    columns: dict[str, Any] = {
        "id": pl.Series(ids, dtype=pl.String),
        "n": pl.Series([draw(optional(st.integers(0, 6))) for _ in ids], dtype=pl.Int64),
    }
    if tier:
        tiers = [draw(optional(st.sampled_from(["gold", "silver"]))) for _ in ids]
        columns["tier"] = pl.Series(tiers, dtype=pl.String)
    frame = pl.DataFrame(columns)

    found, other = draw(definitions(base, tier=tier))
    holdings: dict[Any, list[Benefit]] = {}
    for index, owner in enumerate(dict.fromkeys(ids)):
        if index == 0:
            holdings[owner] = draw(benefits(base, owner, [*found, other], empty=False))
        elif draw(st.sampled_from([True, True, False])):
            holdings[owner] = draw(benefits(base, owner, [*found, other]))
    if draw(st.booleans()):
        holdings["ghost"] = draw(benefits(base, "ghost", [*found, other]))

    ats = draw(st.lists(near(base), min_size=1, max_size=6))
    if len(ats) < 6 and draw(st.booleans()):
        ats.insert(draw(st.integers(0, len(ats))), draw(st.sampled_from(ats)))
    policy = Policy(
        reclaim_requires_inactive=draw(st.booleans()),
        one_claim_per_campaign=draw(st.booleans()),
        claims_require_assignable=draw(MOSTLY_TRUE),
    )
    return Scenario(frame, found, ats, timezone, holdings, policy)


def assert_same(scenario: Scenario, *, messages: bool, lazy: bool = False) -> pl.DataFrame:
    """Assert auto == python on the scenario; return the python engine's frame."""
    engines = claim_engines(scenario.frame, scenario.definitions, holdings=scenario.holdings)
    assert {choice.engine for choice in engines.values()} == {"vectorized"}, engines
    loop = scenario.run(engine="python", messages=messages)
    auto = scenario.run(engine="auto", messages=messages, lazy=lazy)
    assert auto.schema == loop.schema
    assert_frame_equal(auto, loop, check_exact=True)
    holders = loop.filter(
        pl.col("profile_id").is_in([k for k, v in scenario.holdings.items() if v])
    )
    event(f"holders' rows allowed: {'some' if holders['allowed'].any() else 'none'}")
    event(f"holders' rows refused: {'some' if not holders['allowed'].all() else 'none'}")
    event(f"holders' retry_at set: {'some' if holders['retry_at'].is_not_null().any() else 'none'}")
    return loop


# --- the properties -----------------------------------------------------------------------------


@settings(SETTINGS, max_examples=budget(80))
@given(scenario=scenarios())
def test_holders_as_steps_in_time_equal_the_loop(scenario: Scenario) -> None:
    """CLM-9 to CLM-16 and TIME-9 without messages: the steps give the loop's frame.

    The steps and the as-of join give the loop's ``allowed``, reasons, flags and ``retry_at``
    at every instant, for every member.
    """
    assert_same(scenario, messages=False)


@SETTINGS
@given(scenario=scenarios())
def test_holders_with_messages_equal_the_loop(scenario: Scenario) -> None:
    """With messages the holders go through the loop, and everyone else stays vectorised."""
    assert_same(scenario, messages=True)


@settings(SETTINGS, max_examples=budget(40))
@given(scenario=scenarios())
def test_a_lazy_frame_of_holders_equals_the_loop(scenario: Scenario) -> None:
    """A LazyFrame in gives a LazyFrame out, and it collects to the loop's frame."""
    assert_same(scenario, messages=False, lazy=True)


# --- examples from the rulebook -----------------------------------------------------------------

Row = tuple[bool, str, datetime | None]
"""A row's ``allowed``, ``reasons`` (comma-joined here, for short tables) and ``retry_at``."""


def every_engine(
    frame: pl.DataFrame,
    definition: BenefitDefinition,
    at: Sequence[datetime],
    *,
    timezone: str,
    holdings: dict[str, list[Benefit]],
    policy: Policy = DEFAULT_POLICY,
) -> dict[str, list[Row]]:
    """Each engine's rows (the steps without messages, the loop with, and the oracle)."""
    runs: tuple[tuple[str, Engine, bool], ...] = (
        ("steps", "auto", False),
        ("auto with messages", "auto", True),
        ("python", "python", False),
    )
    found: dict[str, list[Row]] = {}
    for name, engine, messages in runs:
        result = claim_eligibility(
            frame,
            definition,
            at=at,
            timezone=timezone,
            holdings=holdings,
            policy=policy,
            engine=engine,
            messages=messages,
        )
        reasons = [", ".join(codes) for codes in result["reasons"].to_list()]
        found[name] = list(zip(result["allowed"], reasons, result["retry_at"], strict=True))
    return found


def expect(found: dict[str, list[Row]], expected: Sequence[Row]) -> None:
    for name, rows in found.items():
        assert rows == list(expected), name


def utc(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


MELBOURNE_MONTH: Final = [
    # 2026-03-31 23:59:59 AEDT: still March, before the April claim was made.
    (True, "", utc(2026, 3, 31, 13)),
    # 2026-04-01 00:00 AEDT: April holds the claim made 30 minutes later.
    (False, "claim_timeframe_limit", utc(2026, 4, 30, 14)),
    # 2026-04-20 12:00 AEST (the rulebook's row): May starts 00:00 AEST = 14:00Z.
    (False, "claim_timeframe_limit", utc(2026, 4, 30, 14)),
    (False, "claim_timeframe_limit", utc(2026, 4, 30, 14)),
    (True, "", None),
    (True, "", None),
]
"""The month timeframe's answers at the Melbourne instants (allowed, reasons, retry_at)."""


@pytest.mark.parametrize(
    ("timeframe", "expected"),
    [
        pytest.param("month", MELBOURNE_MONTH, id="CLM-16-calendar-window-after-at"),
        pytest.param(
            "1 months",
            [
                # Before the claim the rolling window already refuses: at < claimed_at + 1 month.
                (False, "claim_timeframe_limit", utc(2026, 4, 30, 14, 30)),
                (False, "claim_timeframe_limit", utc(2026, 4, 30, 14, 30)),
                (False, "claim_timeframe_limit", utc(2026, 4, 30, 14, 30)),
                (False, "claim_timeframe_limit", utc(2026, 4, 30, 14, 30)),
                (False, "claim_timeframe_limit", utc(2026, 4, 30, 14, 30)),
                # 2026-05-01 00:30 AEST: the wall time kept across the end of DST (TIME-6).
                (True, "", None),
            ],
            id="CLM-16-rolling-month-keeps-wall-time-DST",
        ),
    ],
)
def test_claim_timeframe_in_melbourne(timeframe: str, expected: list[Row]) -> None:
    """CLM-16's rulebook example, with a claim made after some of the instants.

    The claim was at 2026-03-31 13:30Z (= 2026-04-01 00:30 AEDT) and is used up; Melbourne
    leaves DST on 2026-04-05, so April starts at +11 (13:00Z) and May at +10 (14:00Z).
    """
    definition = open_definition(id=1, handle="d", is_reclaimable=True, claim_timeframe=timeframe)
    claimed = utc(2026, 3, 31, 13, 30)
    held = Benefit(
        id=1,
        profile_id="m-1",
        definition=definition,
        claimed_at=claimed,
        issued_at=claimed,
        redemptions_remaining=0,
    )
    at = [
        utc(2026, 3, 31, 12, 59, 59),
        utc(2026, 3, 31, 13),
        utc(2026, 4, 20, 2),
        utc(2026, 4, 30, 13, 59, 59),
        utc(2026, 4, 30, 14),
        utc(2026, 4, 30, 14, 30),
    ]
    if timeframe == "month":
        at[-1] = utc(2026, 4, 30, 14) + US
    found = every_engine(
        pl.DataFrame({"id": ["m-1"]}),
        definition,
        at,
        timezone="Australia/Melbourne",
        holdings={"m-1": [held]},
    )
    expect(found, expected)


@pytest.mark.parametrize(
    ("policy", "reclaimable", "expected"),
    [
        pytest.param(
            DEFAULT_POLICY,
            True,
            [
                # Not yet issued (RED-1), so not active: allowed until the issue.
                (True, "", utc(2025, 5, 1, 10)),
                (False, "active_claim_exists", utc(2025, 5, 31, 23, 59, 59) + US),
                (False, "active_claim_exists", utc(2025, 5, 31, 23, 59, 59) + US),
                (True, "", None),
                (True, "", None),
            ],
            id="CLM-10-active-until-expiry-plus-1us",
        ),
        pytest.param(
            Policy(reclaim_requires_inactive=False),
            True,
            [(True, "", None)] * 5,
            id="CLM-10-active-allowed-without-the-policy",
        ),
        pytest.param(
            DEFAULT_POLICY,
            False,
            [(False, "already_claimed", None)] * 5,
            id="CLM-9-any-state-refuses-forever",
        ),
    ],
)
def test_reclaim_of_an_active_holding(
    policy: Policy, *, reclaimable: bool, expected: list[Row]
) -> None:
    """CLM-9 and CLM-10's rulebook example, from before the issue to after the expiry.

    H was claimed 2025-05-01 10:00Z and expires 2025-05-31 23:59:59Z with one redemption
    left: active (RED-1) from its issue, expired from 23:59:59.000001Z (EXP-1).
    """
    definition = open_definition(id=1, handle="r", period=30, is_reclaimable=reclaimable)
    claimed = utc(2025, 5, 1, 10)
    held = Benefit(
        id=1,
        profile_id="m-1",
        definition=definition,
        claimed_at=claimed,
        issued_at=claimed,
        expires_at=utc(2025, 5, 31, 23, 59, 59),
        redemptions_remaining=1,
    )
    at = [
        claimed - timedelta(seconds=1),
        utc(2025, 5, 20),
        utc(2025, 5, 31, 23, 59, 59),
        utc(2025, 5, 31, 23, 59, 59) + US,
        utc(2025, 6, 1),
    ]
    found = every_engine(
        pl.DataFrame({"id": ["m-1"]}),
        definition,
        at,
        timezone="UTC",
        holdings={"m-1": [held]},
        policy=policy,
    )
    expect(found, expected)


@pytest.mark.parametrize(
    ("campaign", "expected"),
    [
        pytest.param(
            "spring",
            [
                (False, "campaign_already_claimed", utc(2026, 6, 30, 23, 59, 59) + US),
                (False, "campaign_already_claimed", utc(2026, 6, 30, 23, 59, 59) + US),
                (True, "", None),
            ],
            id="CLM-14-campaign-holding",
        ),
        pytest.param("summer", [(True, "", None)] * 3, id="CLM-14-other-campaign"),
        pytest.param("", [(True, "", None)] * 3, id="CLM-14-empty-campaign-never-refuses"),
    ],
)
def test_one_claim_per_campaign(campaign: str, expected: list[Row]) -> None:
    """CLM-14: another definition's active claimed benefit of the campaign refuses.

    It refuses until it expires (+1 µs, TIME-9); a different or empty campaign never does.
    """
    definition = open_definition(id=1, handle="a", campaign=campaign, is_reclaimable=True)
    sibling = open_definition(id=2, handle="b", campaign="spring")
    claimed = utc(2026, 6, 1, 9)
    held = Benefit(
        id=5,
        profile_id="m-1",
        definition=sibling,
        claimed_at=claimed,
        issued_at=claimed,
        expires_at=utc(2026, 6, 30, 23, 59, 59),
    )
    at = [utc(2026, 6, 2), utc(2026, 6, 30, 23, 59, 59), utc(2026, 6, 30, 23, 59, 59) + US]
    found = every_engine(
        pl.DataFrame({"id": ["m-1"]}),
        definition,
        at,
        timezone="Europe/London",
        holdings={"m-1": [held]},
        policy=Policy(one_claim_per_campaign=True),
    )
    expect(found, expected)


def test_holdings_count_by_owner_then_by_id_or_handle() -> None:
    """CLM-15: which holdings count for a member, and of which definition.

    A holding of another profile does not count; one without a profile does. A definition
    matches by id when both are set, else by handle; an unclaimed holding never counts.
    """
    definition = open_definition(id=7, handle="d")
    claimed = utc(2026, 1, 10)

    def held(profile_id: str | None, of: BenefitDefinition, at: datetime | None) -> Benefit:
        return Benefit(id=1, profile_id=profile_id, definition=of, claimed_at=at, issued_at=at)

    holdings = {
        "m-1": [held("m-2", definition, claimed)],  # another profile's
        "m-2": [held(None, definition, claimed)],  # no profile: counts
        "m-3": [held("m-3", attrs.evolve(definition, id=None), claimed)],  # by handle
        "m-4": [held("m-4", attrs.evolve(definition, id=8), claimed)],  # ids differ
        "m-5": [held("m-5", definition, None)],  # issued without a claim
        "m-9": [held("m-9", definition, claimed)],  # no member row
    }
    members = pl.DataFrame({"id": ["m-1", "m-2", "m-3", "m-4", "m-5", "m-6"]})
    found = every_engine(members, definition, [utc(2026, 2, 1)], timezone="UTC", holdings=holdings)
    claimed_once = (False, "already_claimed", None)
    free = (True, "", None)
    expect(found, [free, claimed_once, claimed_once, free, free, free])


@pytest.mark.parametrize(
    ("zone", "claimed", "at", "expected"),
    [
        pytest.param(
            # 2026-03-08 is 23 hours long in New York: 05:00Z (EST) to 04:00Z (EDT) next day.
            "America/New_York",
            utc(2026, 3, 8, 6),
            [
                utc(2026, 3, 8, 4, 59, 59),
                utc(2026, 3, 8, 5),
                utc(2026, 3, 9, 3, 59, 59, 999_999),
                utc(2026, 3, 9, 4),
            ],
            [
                (True, "", utc(2026, 3, 8, 5)),
                (False, "claim_timeframe_limit", utc(2026, 3, 9, 4)),
                (False, "claim_timeframe_limit", utc(2026, 3, 9, 4)),
                (True, "", None),
            ],
            id="TIME-9-retry-at-window-start-DST",
        ),
        pytest.param(
            # 2026-10-25 is 25 hours long in London: 23:00Z (BST) to 00:00Z (GMT) next day.
            "Europe/London",
            utc(2026, 10, 25, 12),
            [
                utc(2026, 10, 24, 22, 59, 59),
                utc(2026, 10, 24, 23),
                utc(2026, 10, 25, 23, 59, 59, 999_999),
                utc(2026, 10, 26),
            ],
            [
                (True, "", utc(2026, 10, 24, 23)),
                (False, "claim_timeframe_limit", utc(2026, 10, 26)),
                (False, "claim_timeframe_limit", utc(2026, 10, 26)),
                (True, "", None),
            ],
            id="TIME-9-retry-at-window-end-DST-fall-back",
        ),
    ],
)
def test_day_window_across_a_transition(
    zone: str, claimed: datetime, at: list[datetime], expected: list[Row]
) -> None:
    """TIME-9 with CLM-16 ``day`` and TIME-8 on a 23- and a 25-hour local day.

    The local day holding a claim refuses from its first instant (even before the claim) to
    the next day's start; ``retry_at`` is the window's start, then the next one's.
    """
    definition = open_definition(id=1, handle="daily", is_reclaimable=True, claim_timeframe="day")
    held = Benefit(
        id=1,
        profile_id="m-1",
        definition=definition,
        claimed_at=claimed,
        issued_at=claimed,
        redemptions_remaining=0,
    )
    found = every_engine(
        pl.DataFrame({"id": ["m-1"]}), definition, at, timezone=zone, holdings={"m-1": [held]}
    )
    expect(found, expected)


def test_holders_take_the_steps_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without messages the holders' rows come from ``_Holders.segments``, not the loop."""
    calls: list[bool] = []
    original: Callable[..., Any] = _batch._Holders.segments

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        found = original(self, *args, **kwargs)
        calls.append(found is not None)
        return found

    monkeypatch.setattr(_batch._Holders, "segments", spy)
    test_claim_timeframe_in_melbourne("month", MELBOURNE_MONTH)
    assert calls == [True]
