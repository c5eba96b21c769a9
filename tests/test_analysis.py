"""Batch evaluation (issue 7): claim_eligibility, summarize, what_if, expiry_table, to_profiles.

Expected values are written from the CLM rules and the inputs, never read back from the code.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pandas as pd
import polars as pl
import pytest

from loyalty_core import (
    Benefit,
    Credit,
    CreditDefinition,
    InvalidRequest,
    PayloadError,
    Policy,
    Profile,
    Reward,
)
from loyalty_core.analysis import (
    CLAIM_CODES,
    ELIGIBILITY_COLUMNS,
    claim_eligibility,
    expiry_table,
    summarize,
    to_profiles,
    what_if,
)
from tests.frames import rows
from tests.helpers import definition, utc

MELBOURNE = "Australia/Melbourne"
LONDON = "Europe/London"
OPENS = utc("2027-02-28 13:00:00")  # 2027-03-01 00:00 in Melbourne (AEDT, +11)
SPEND_OVER_1000 = {
    "and": [
        {"==": [{"var": "tier_handle"}, "tier-2"]},
        {">": [{"var": "aggregations.spend_12m"}, 1000]},
    ]
}


MEMBERS = [
    {"id": "m-1", "tier_handle": "tier-2", "aggregations": {"spend_12m": 1500}},
    {"id": "m-2", "tier_handle": "tier-2", "aggregations": {"spend_12m": 900}},
    {"id": "m-3", "tier_handle": "tier-1", "aggregations": {"spend_12m": 5000}},
]


class TestClaimEligibility:
    """One row per (member, definition, instant), each row check_claim's decision (CLM)."""

    def test_columns_in_order(self) -> None:
        frame = claim_eligibility(MEMBERS, definition(), at=OPENS, timezone="UTC")
        assert list(frame.columns) == list(ELIGIBILITY_COLUMNS)
        assert [c for c in ELIGIBILITY_COLUMNS if c in {code.value for code in CLAIM_CODES}] == [
            code.value for code in CLAIM_CODES
        ]
        assert len(CLAIM_CODES) == 14  # every claim code of API.md

    def test_condition_splits_members_clm8(self) -> None:
        frame = claim_eligibility(
            MEMBERS, definition(claim_condition=SPEND_OVER_1000), at=OPENS, timezone=MELBOURNE
        )
        got = rows(frame)
        assert [r["profile_id"] for r in got] == ["m-1", "m-2", "m-3"]
        assert [r["allowed"] for r in got] == [True, False, False]
        assert [r["condition_not_met"] for r in got] == [False, True, True]
        assert [r["reasons"] for r in got] == [[], ["condition_not_met"], ["condition_not_met"]]
        assert list(got[0]["messages"]) == []
        assert "condition" in got[1]["messages"][0]
        assert all(r["timezone"] == MELBOURNE for r in got)
        # No other code column is set.
        others = [c.value for c in CLAIM_CODES if c.value != "condition_not_met"]
        assert not any(r[c] for r in got for c in others)

    @pytest.mark.parametrize(
        ("at", "allowed", "retry_at"),
        [
            pytest.param(OPENS - timedelta(microseconds=1), False, OPENS, id="CLM-5-before"),
            pytest.param(OPENS, True, None, id="CLM-5-at-start-inclusive"),
        ],
    )
    def test_window_start_inclusive_with_retry_at_clm5(
        self, at: datetime, allowed: bool, retry_at: datetime | None
    ) -> None:
        frame = claim_eligibility(
            [{"id": "m-1"}], definition(claim_period_start_at=OPENS), at=at, timezone="UTC"
        )
        (row,) = rows(frame)
        assert row["allowed"] is allowed
        assert row["claim_window_not_open"] is (not allowed)
        assert row["retry_at"] == retry_at

    def test_several_instants_and_definitions_order(self) -> None:
        first = definition(handle="a", claim_period_start_at=OPENS)
        second = definition(id=2, handle="b", claim_period_end_at=OPENS)
        at = [OPENS - timedelta(days=1), OPENS + timedelta(days=1)]
        got = rows(claim_eligibility(MEMBERS[:2], [first, second], at=at, timezone="UTC"))
        keys = [(r["profile_id"], r["definition"], r["instant"]) for r in got]
        assert keys == [
            (m, d, t) for m in ("m-1", "m-2") for d in ("a", "b") for t in at
        ]  # member, then definition, then instant
        # a opens at OPENS (CLM-5); b closes at OPENS (CLM-6).
        assert [r["allowed"] for r in got] == [False, True, True, False] * 2
        assert [r["claim_window_closed"] for r in got] == [False, False, False, True] * 2

    def test_several_reasons_in_check_order(self) -> None:
        closed = definition(
            is_claimable=False,
            is_published=False,
            claim_condition=SPEND_OVER_1000,
        )
        (row,) = rows(claim_eligibility([MEMBERS[1]], closed, at=OPENS, timezone="UTC"))
        assert row["reasons"] == ["not_claimable", "unpublished", "condition_not_met"]
        assert len(row["messages"]) == 3
        assert "not claimable" in row["messages"][0]
        assert "spend_12m is 900" in row["messages"][2]
        assert row["not_claimable"]
        assert row["unpublished"]
        assert row["condition_not_met"]
        assert row["retry_at"] is None  # CLM-1 can never be cured by time (TIME-9)

    def test_holdings_per_member_clm10(self) -> None:
        reclaimable = definition(is_reclaimable=True)
        held = Benefit(
            id=9,
            profile_id="m-1",
            claimed_at=OPENS - timedelta(days=3),
            issued_at=OPENS - timedelta(days=3),
            expires_at=OPENS + timedelta(days=2),
            redemptions_remaining=1,
            definition=reclaimable,
        )
        frame = claim_eligibility(
            MEMBERS[:2], reclaimable, at=OPENS, timezone="UTC", holdings={"m-1": [held]}
        )
        got = rows(frame)
        assert [r["active_claim_exists"] for r in got] == [True, False]
        # CLM-10 lifts when the held copy expires: the first microsecond after expires_at.
        assert got[0]["retry_at"] == OPENS + timedelta(days=2, microseconds=1)
        relaxed = Policy(reclaim_requires_inactive=False)  # POL-2
        frame = claim_eligibility(
            MEMBERS[:2],
            reclaimable,
            at=OPENS,
            timezone="UTC",
            holdings={"m-1": [held]},
            policy=relaxed,
        )
        assert all(r["allowed"] for r in rows(frame))

    @pytest.mark.parametrize("backend", ["pandas", "polars"])
    def test_timezone_mapping_per_member(self, backend: Any) -> None:
        zones: dict[str, Any] = {"m-1": MELBOURNE, "m-2": ZoneInfo(LONDON)}
        frame = claim_eligibility(
            MEMBERS[:2], definition(), at=OPENS, timezone=zones, backend=backend
        )
        assert [r["timezone"] for r in rows(frame)] == [MELBOURNE, LONDON]

    def test_polars_in_polars_out(self) -> None:
        members = pl.DataFrame(
            {
                "id": ["m-1", "m-2", "m-3"],
                "tier_handle": ["tier-2", "tier-2", None],
                "aggregations.spend_12m": [1500, None, 5000],
            }
        )
        frame = claim_eligibility(
            members, definition(claim_condition=SPEND_OVER_1000), at=OPENS, timezone="UTC"
        )
        assert isinstance(frame, pl.DataFrame)
        assert frame.schema["instant"] == pl.Datetime("us", "UTC")
        assert frame["allowed"].to_list() == [True, False, False]

    def test_pandas_frame_with_dotted_and_missing_cells(self) -> None:
        members = pd.DataFrame(
            {
                "id": ["m-1", "m-2"],
                "tier_handle": ["tier-2", "tier-2"],
                "aggregations.spend_12m": [1500.0, math.nan],
            }
        )
        frame = claim_eligibility(
            members, definition(claim_condition=SPEND_OVER_1000), at=OPENS, timezone="UTC"
        )
        assert isinstance(frame, pd.DataFrame)
        # A missing spend is null, and null > 1000 is false in JSON Logic (COND).
        assert frame["allowed"].tolist() == [True, False]
        assert str(frame["instant"].dtype) == "datetime64[us, UTC]"

    @pytest.mark.parametrize("backend", ["pandas", "polars"])
    def test_without_messages_the_column_is_left_out(self, backend: Any) -> None:
        condition = definition(claim_condition=SPEND_OVER_1000)
        full = claim_eligibility(MEMBERS, condition, at=OPENS, timezone="UTC", backend=backend)
        lean = claim_eligibility(
            MEMBERS, condition, at=OPENS, timezone="UTC", backend=backend, messages=False
        )
        assert list(lean.columns) == [c for c in ELIGIBILITY_COLUMNS if c != "messages"]
        assert rows(lean) == [
            {k: v for k, v in row.items() if k != "messages"} for row in rows(full)
        ]

    def test_messages_must_be_a_flag(self) -> None:
        with pytest.raises(InvalidRequest, match="messages: expected True or False, got 'no'"):
            claim_eligibility(MEMBERS, definition(), at=OPENS, timezone="UTC", messages="no")  # type: ignore[call-overload]

    def test_backend_override(self) -> None:
        frame = claim_eligibility(MEMBERS, definition(), at=OPENS, timezone="UTC", backend="polars")
        assert isinstance(frame, pl.DataFrame)

    def test_empty_members_keep_types(self) -> None:
        frame = claim_eligibility([], definition(), at=OPENS, timezone="UTC")
        assert len(frame) == 0
        assert str(frame["allowed"].dtype) == "bool"
        assert str(frame["retry_at"].dtype) == "datetime64[us, UTC]"


class TestBadInput:
    """Bad input raises the library's own errors naming the argument, before any row."""

    @pytest.mark.parametrize(
        ("kwargs", "where"),
        [
            pytest.param({"timezone": "Mars/Olympus"}, "timezone", id="unknown-zone"),
            pytest.param({"timezone": {"m-1": "UTC"}}, "timezone", id="zone-missing-for-member"),
            pytest.param(
                {"timezone": {"m-1": "UTC", "m-2": "Nowhere/Land"}},
                "timezone['m-2']",
                id="unknown-zone-in-mapping",
            ),
            pytest.param({"at": datetime(2027, 3, 1)}, "at", id="naive-at"),
            pytest.param(
                {"at": [OPENS, datetime(2027, 3, 1)]},
                "at[1]",
                id="naive-at-in-sequence",
            ),
            pytest.param({"at": []}, "at", id="no-instants"),
            pytest.param({"at": "2027-03-01"}, "at", id="at-as-text"),
            pytest.param({"holdings": {"m-1": ["benefit"]}}, "holdings['m-1'][0]", id="holding"),
            pytest.param({"holdings": ["x"]}, "holdings", id="holdings-not-mapping"),
            pytest.param({"holdings": {"m-1": "abc"}}, "holdings['m-1']", id="holdings-text"),
            pytest.param({"policy": "strict"}, "policy", id="policy"),
            pytest.param({"backend": "spark"}, "backend", id="backend"),
        ],
    )
    def test_argument_named(self, kwargs: dict[str, Any], where: str) -> None:
        arguments: dict[str, Any] = {"at": OPENS, "timezone": "UTC"} | kwargs
        with pytest.raises(InvalidRequest) as caught:
            claim_eligibility(MEMBERS[:2], definition(), **arguments)
        assert str(caught.value).startswith(f"{where}: ")

    def test_bad_profile_rows_are_all_reported(self) -> None:
        with pytest.raises(PayloadError) as caught:
            claim_eligibility(
                [{"id": "m-1"}, {"id": 2}, "m-3"], definition(), at=OPENS, timezone="UTC"
            )
        assert [p.where for p in caught.value.problems] == ["profiles[1].id", "profiles[2]"]

    def test_numeric_id_column_is_named(self) -> None:
        members = pd.DataFrame({"id": [1, 2]})
        with pytest.raises(PayloadError, match=r"profiles\[0\]\.id: expected a string, got 1"):
            claim_eligibility(members, definition(), at=OPENS, timezone="UTC")

    @pytest.mark.parametrize(
        ("definitions", "where"),
        [
            pytest.param("march", "definitions", id="text"),
            pytest.param([definition(), 7], "definitions[1]", id="not-a-definition"),
            pytest.param([definition(), definition(id=2)], "definitions", id="same-handle"),
        ],
    )
    def test_definitions_named(self, definitions: Any, where: str) -> None:
        with pytest.raises(InvalidRequest) as caught:
            claim_eligibility(MEMBERS, definitions, at=OPENS, timezone="UTC")
        assert [p.where for p in caught.value.problems] == [where]

    def test_unlabelled_definitions_fall_back_on_id_then_position(self) -> None:
        frame = claim_eligibility(
            MEMBERS[:1],
            [definition(handle=None, id=5), definition(handle=None, id=None)],
            at=OPENS,
            timezone="UTC",
        )
        assert frame["definition"].tolist() == ["#5", "definitions[1]"]

    def test_clashing_dotted_columns(self) -> None:
        members = pd.DataFrame({"id": ["m-1"], "aggregations": [1], "aggregations.spend": [2]})
        with pytest.raises(InvalidRequest, match="aggregations"):
            to_profiles(members)

    def test_not_a_source_of_profiles(self) -> None:
        with pytest.raises(InvalidRequest, match="profiles"):
            to_profiles({"id": "m-1"})


class TestToProfiles:
    """Frame rows become profile JSON: dotted names nest, missing cells are null."""

    def test_cells_are_copied_not_written_into(self) -> None:
        shared: dict[str, Any] = {"spend_12m": 5}
        members = pd.DataFrame(
            {"id": ["a", "b"], "aggregations": [shared, shared], "aggregations.visits": [1, 2]}
        )
        first, second = to_profiles(members)
        assert first.context["aggregations"] == {"spend_12m": 5, "visits": 1}
        assert second.context["aggregations"] == {"spend_12m": 5, "visits": 2}
        assert shared == {"spend_12m": 5}

    def test_numpy_cells_become_lists_and_numbers(self) -> None:
        import numpy as np

        members = pd.DataFrame({"id": ["a"], "tags": [np.array(["vip", "new"])]})
        (profile,) = to_profiles(members)
        assert profile.context["tags"] == ["vip", "new"]
        condition = definition(claim_condition={"in": ["vip", {"var": "tags"}]})
        frame = claim_eligibility(members, condition, at=OPENS, timezone="UTC")
        assert frame["allowed"].tolist() == [True]

    def test_repeated_column_names_are_named(self) -> None:
        members = pd.DataFrame([["a", 1, 2]], columns=["id", "spend", "spend"])
        with pytest.raises(InvalidRequest, match=r"profiles: .*\['spend'\] more than once"):
            to_profiles(members)

    def test_dotted_columns_nest(self) -> None:
        members = pd.DataFrame(
            {
                "id": ["m-1"],
                "aggregations.spend_12m": [12.5],
                "custom_fields.pet.name": ["Rex"],
            }
        )
        (profile,) = to_profiles(members)
        assert profile.id == "m-1"
        assert profile.context["aggregations"] == {"spend_12m": 12.5}
        assert profile.context["custom_fields"] == {"pet": {"name": "Rex"}}

    def test_polars_nulls_and_lists(self) -> None:
        members = pl.DataFrame({"id": ["m-1"], "tags": [["a", "b"]], "spend": [None]})
        (profile,) = to_profiles(members)
        assert profile.context["tags"] == ["a", "b"]
        assert profile.context["spend"] is None

    def test_profiles_pass_through(self) -> None:
        given = Profile(id="m-1")
        assert to_profiles([given]) == (given,)
        assert to_profiles(given) == (given,)


class TestSummarize:
    """Counts per outcome: a row refused for several reasons counts under each."""

    def test_counts_and_sole(self) -> None:
        refused_twice = definition(claim_condition=SPEND_OVER_1000, claim_period_start_at=OPENS)
        at = [OPENS - timedelta(days=1), OPENS]
        frame = claim_eligibility(MEMBERS, refused_twice, at=at, timezone="UTC")
        got = rows(summarize(frame))
        table = [(r["instant"], r["outcome"], r["count"], r["sole"], r["rows"]) for r in got]
        before, opening = at
        assert table == [
            # Before the window: all three wait for it; m-2 and m-3 also fail the condition.
            (before, "claim_window_not_open", 3, 1, 3),
            (before, "condition_not_met", 2, 0, 3),
            # At the start (inclusive): m-1 may claim; two fail the condition alone.
            (opening, "allowed", 1, 0, 3),
            (opening, "condition_not_met", 2, 2, 3),
        ]
        assert [r["share"] for r in got] == pytest.approx([1, 2 / 3, 1 / 3, 2 / 3])

    def test_group_by_member(self) -> None:
        frame = claim_eligibility(
            MEMBERS[:2],
            [definition(handle="a"), definition(handle="b", is_archived=True)],
            at=OPENS,
            timezone="UTC",
        )
        got = rows(summarize(frame, by=["profile_id"]))
        assert [(r["profile_id"], r["outcome"], r["count"]) for r in got] == [
            ("m-1", "allowed", 1),
            ("m-1", "archived", 1),
            ("m-2", "allowed", 1),
            ("m-2", "archived", 1),
        ]

    def test_polars_frame_gives_polars(self) -> None:
        frame = claim_eligibility(MEMBERS, definition(), at=OPENS, timezone="UTC", backend="polars")
        summary = summarize(frame)
        assert isinstance(summary, pl.DataFrame)
        assert summary["count"].to_list() == [3]

    def test_caller_columns_keep_their_type_and_nulls_group_together(self) -> None:
        frame = claim_eligibility(MEMBERS, definition(), at=OPENS, timezone="UTC")
        frame["segment"] = [1, 2, 1]
        frame["score"] = [math.nan, 1.5, math.nan]
        got = rows(summarize(frame, by="segment"))
        assert [(r["segment"], r["count"]) for r in got] == [(1, 2), (2, 1)]
        by_score = rows(summarize(frame, by=["score"]))
        assert [r["count"] for r in by_score] == [2, 1]
        polars = rows(summarize(pl.from_pandas(frame.drop(columns=["messages"])), by="segment"))
        assert [(r["segment"], r["count"]) for r in polars] == [(1, 2), (2, 1)]

    def test_grouping_by_a_list_column_is_refused(self) -> None:
        frame = claim_eligibility(MEMBERS, definition(), at=OPENS, timezone="UTC")
        with pytest.raises(InvalidRequest, match=r"by: .*'messages'"):
            summarize(frame, by=["messages"])

    def test_missing_column_is_named(self) -> None:
        with pytest.raises(InvalidRequest, match=r"frame: .*'allowed'"):
            summarize(pd.DataFrame({"definition": ["a"], "instant": [OPENS]}))


class TestWhatIf:
    """Only the rows whose outcome changes, labelled gained, lost or reasons."""

    def test_lower_threshold_gains_members(self) -> None:
        old = definition(claim_condition=SPEND_OVER_1000)
        lower = {
            "and": [
                {"==": [{"var": "tier_handle"}, "tier-2"]},
                {">": [{"var": "aggregations.spend_12m"}, 500]},
            ]
        }
        new = definition(claim_condition=lower)
        got = rows(what_if(MEMBERS, old, new, at=OPENS, timezone="UTC"))
        assert [(r["profile_id"], r["change"]) for r in got] == [("m-2", "gained")]
        assert got[0]["reasons_before"] == ["condition_not_met"]
        assert got[0]["reasons_after"] == []

    def test_policy_change_loses_and_changes_reasons(self) -> None:
        # POL-4: with claims_require_assignable false, an unassignable definition is claimable.
        unassignable = definition(handle="u", is_assignable=False)
        also_closed = definition(handle="c", is_assignable=False, is_claimable=False)
        got = rows(
            what_if(
                MEMBERS[:1],
                Policy(claims_require_assignable=False),
                Policy(),
                at=OPENS,
                timezone="UTC",
                definitions=[unassignable, also_closed],
            )
        )
        assert [(r["definition"], r["change"]) for r in got] == [("u", "lost"), ("c", "reasons")]
        assert got[1]["reasons_before"] == ["not_claimable"]
        assert got[1]["reasons_after"] == ["not_claimable", "not_assignable"]

    def test_one_shot_iterables_are_read_once(self) -> None:
        reclaimable = definition(is_reclaimable=True)
        held = Benefit(
            id=9,
            profile_id="m-1",
            claimed_at=OPENS,
            issued_at=OPENS,
            redemptions_remaining=1,
            definition=reclaimable,
        )
        changed = what_if(
            MEMBERS[:1],
            Policy(),
            Policy(one_claim_per_campaign=True),
            at=iter([OPENS, OPENS + timedelta(days=1)]),
            timezone="UTC",
            holdings={"m-1": iter([held])},
            definitions=(d for d in [reclaimable]),
        )
        # CLM-10 refuses both ways (the held copy is active); POL-3 changes nothing here.
        assert len(changed) == 0

    def test_nothing_changes(self) -> None:
        same = definition()
        frame = what_if(MEMBERS, same, same, at=OPENS, timezone="UTC")
        assert len(frame) == 0
        assert "change" in frame.columns

    @pytest.mark.parametrize(
        ("old", "new", "extra", "where"),
        [
            pytest.param(definition(), Policy(), {}, "old, new", id="mixed"),
            pytest.param(Policy(), Policy(), {}, "definitions", id="policies-need-definitions"),
            pytest.param(
                definition(), definition(), {"definitions": [definition()]}, "definitions", id="x"
            ),
        ],
    )
    def test_bad_comparison(self, old: Any, new: Any, extra: dict[str, Any], where: str) -> None:
        with pytest.raises(InvalidRequest) as caught:
            what_if(MEMBERS, old, new, at=OPENS, timezone="UTC", **extra)
        assert [p.where for p in caught.value.problems] == [where]


class TestExpiryTable:
    """Expiry in UTC and in each item's own zone (TIME-3)."""

    def test_local_times_across_dst(self) -> None:
        # Melbourne leaves daylight saving on 2026-04-05: +11 before, +10 after.
        before = Reward(
            id=1,
            profile_id="m-1",
            timezone=MELBOURNE,
            value_initial=Decimal(10),
            issued_at=utc("2026-03-01 00:00:00"),
            expires_at=utc("2026-04-04 12:59:59"),
        )
        after = attrs.evolve(before, id=2, expires_at=utc("2026-04-05 13:59:59"))
        never = attrs.evolve(before, id=3, expires_at=None)
        got = rows(expiry_table([before, after, never]))
        assert [r["expires_local"] for r in got[:2]] == [
            datetime(2026, 4, 4, 23, 59, 59),
            datetime(2026, 4, 5, 23, 59, 59),
        ]
        assert [r["expires_on"] for r in got[:2]] == [datetime(2026, 4, 4), datetime(2026, 4, 5)]
        assert got[1]["expires_at"] == utc("2026-04-05 13:59:59")
        assert got[2]["expires_at"] is None
        assert pd.isna(got[2]["expires_local"])
        assert got[2]["expires_on"] is None

    def test_the_local_date_is_not_the_utc_date_time3(self) -> None:
        # 03:59:59Z on 8 March is 22:59:59 EST on 7 March in New York.
        reward = Reward(
            id=1,
            timezone="America/New_York",
            value_initial=Decimal(1),
            expires_at=utc("2026-03-08 03:59:59"),
        )
        (row,) = rows(expiry_table([reward]))
        assert row["expires_on"] == datetime(2026, 3, 7)
        assert row["expires_local"] == datetime(2026, 3, 7, 22, 59, 59)

    def test_kinds_owners_and_credit_zone_fallback(self) -> None:
        benefit = Benefit(id=4, expires_at=utc("2026-12-31 12:59:59"), definition=definition())
        credit = Credit(
            id=5,
            value_initial=Decimal(50),
            expires_at=utc("2026-06-30 13:59:59"),
            definition=CreditDefinition(timezone=MELBOURNE),
        )
        got = rows(expiry_table({"m-7": [benefit, credit]}))
        assert [(r["kind"], r["id"], r["profile_id"], r["timezone"]) for r in got] == [
            ("benefit", 4, "m-7", "UTC"),  # no zone: UTC (TIME-3)
            ("credit", 5, "m-7", MELBOURNE),  # the definition's zone (CRD-1)
        ]
        assert got[1]["expires_on"] == datetime(2026, 6, 30)

    def test_owner_keys_are_profile_ids(self) -> None:
        reward = Reward(id=1, value_initial=Decimal(1))
        with pytest.raises(InvalidRequest, match=r"items: expected profile ids"):
            expiry_table({5: [reward]})
        with pytest.raises(InvalidRequest, match=r"items\['p-1'\]\[1\]"):
            expiry_table({"p-1": [reward, 5]})

    def test_polars_backend(self) -> None:
        reward = Reward(id=1, value_initial=Decimal(1), expires_at=utc("2026-01-01 00:00:00"))
        table = expiry_table([reward], backend="polars")
        assert isinstance(table, pl.DataFrame)
        assert table.schema["expires_on"] == pl.Date
        assert table["expires_at"].to_list() == [datetime(2026, 1, 1, tzinfo=UTC)]

    def test_bad_items(self) -> None:
        with pytest.raises(InvalidRequest, match=r"items\[1\]"):
            expiry_table([Reward(value_initial=Decimal(1)), "reward"])
        with pytest.raises(InvalidRequest, match="items"):
            expiry_table(3)
