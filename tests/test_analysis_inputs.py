"""The analyst's inputs (issue 14): zones, definitions and frames in the shapes analysts hold.

Each test is a friction point an analyst met: the expected frames are the ones the long way
round gives (a mapping of zones, definitions read by ``from_api``), never the code's own output.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from loyalty_core import BenefitDefinition, InvalidRequest, PayloadError
from loyalty_core.analysis import (
    UnknownColumnWarning,
    claim_eligibility,
    example_path,
    summarize,
    to_profiles,
    what_if,
)
from tests.helpers import utc

ROOT = Path(__file__).resolve().parents[1]
PAYLOADS: list[dict[str, Any]] = json.loads(
    example_path("definitions.json").read_text(encoding="utf-8")
)
LAUNCH = utc("2027-03-01 00:00:00")


def members_pandas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["m-1", "m-2", "m-3"],
            "timezone": ["UTC", "Australia/Melbourne", "America/New_York"],
            "tier_handle": ["gold", "silver", "bronze"],
            "aggregations.spend_12m": [1500.0, 900.0, 2000.0],
            "flattened_tags": [["vip"], [], ["newsletter"]],
        }
    )


def members_polars() -> pl.DataFrame:
    return pl.from_pandas(members_pandas())


def members_of(kind: str) -> Any:
    """The members as a pandas frame, a polars frame or a polars LazyFrame."""
    if kind == "lazy":
        return members_polars().lazy()
    return members_polars() if kind == "polars" else members_pandas()


def definitions() -> list[BenefitDefinition]:
    return [BenefitDefinition.from_api(payload) for payload in PAYLOADS]


def zone_map(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["id"], frame["timezone"], strict=True))


class TestTimezone:
    """``timezone`` as a zone name, a mapping, a column of the frame or a Series."""

    @pytest.mark.parametrize("kind", ["pandas", "polars", "lazy"])
    def test_a_column_name_reads_the_frames_own_column(self, kind: str) -> None:
        members = members_of(kind)
        got = claim_eligibility(members, definitions(), at=LAUNCH, timezone="timezone")
        expected = claim_eligibility(
            members, definitions(), at=LAUNCH, timezone=zone_map(members_pandas())
        )
        if kind == "lazy":
            got, expected = got.collect(), expected.collect()
        assert list(got["timezone"]) == [
            zone for zone in members_pandas()["timezone"] for _ in range(2)
        ]
        if kind == "pandas":
            pd.testing.assert_frame_equal(got, expected)
        else:
            assert_frame_equal(got, expected)

    @pytest.mark.parametrize("kind", ["pandas", "polars"])
    def test_a_series_is_read_row_for_row(self, kind: str) -> None:
        members = members_pandas()
        zones: Any = members["timezone"] if kind == "pandas" else pl.Series(members["timezone"])
        got = claim_eligibility(members, definitions(), at=LAUNCH, timezone=zones)
        assert list(got["timezone"]) == [z for z in members["timezone"] for _ in range(2)]

    def test_a_pandas_series_on_another_index_is_refused_not_misread(self) -> None:
        # Read by position, a reordered Series would give members each other's zones.
        members = members_pandas()
        shuffled = members["timezone"].iloc[::-1]
        with pytest.raises(InvalidRequest, match=r"^timezone: .*reindex") as caught:
            claim_eligibility(members, definitions(), at=LAUNCH, timezone=shuffled)
        assert len(str(caught.value)) < 300
        realigned = shuffled.reindex(members.index)
        got = claim_eligibility(members, definitions(), at=LAUNCH, timezone=realigned)
        assert list(got["timezone"]) == [z for z in members["timezone"] for _ in range(2)]

    def test_a_short_series_is_refused_by_length_not_printed(self) -> None:
        members = members_pandas()
        zones = pd.Series(["UTC"] * 2 + ["x" * 50_000])[:2]
        with pytest.raises(InvalidRequest, match=r"one zone per member \(3\), got 2") as caught:
            claim_eligibility(members, definitions(), at=LAUNCH, timezone=zones)
        assert len(str(caught.value)) < 300

    def test_a_bad_cell_is_named_by_row(self) -> None:
        members = members_pandas()
        members.loc[1, "timezone"] = "Mars/Olympus"
        with pytest.raises(InvalidRequest) as caught:
            claim_eligibility(members, definitions(), at=LAUNCH, timezone="timezone")
        (problem,) = caught.value.problems
        assert problem.where == "timezone (the column 'timezone')[1]"

    def test_a_null_cell_is_named_by_row(self) -> None:
        members = members_pandas()
        members.loc[2, "timezone"] = None
        with pytest.raises(InvalidRequest, match=r"none in row 2"):
            claim_eligibility(members, definitions(), at=LAUNCH, timezone="timezone")

    def test_a_misspelt_column_suggests_the_close_one(self) -> None:
        with pytest.raises(InvalidRequest, match=r"closest columns: \['timezone'\]"):
            claim_eligibility(members_pandas(), definitions(), at=LAUNCH, timezone="timezon")

    def test_a_zone_name_still_applies_to_everyone(self) -> None:
        got = claim_eligibility(members_pandas(), definitions(), at=LAUNCH, timezone="Asia/Tokyo")
        assert set(got["timezone"]) == {"Asia/Tokyo"}

    def test_what_if_takes_the_column_too(self) -> None:
        voucher, _ = definitions()
        cheaper = BenefitDefinition.from_api(
            {
                **PAYLOADS[0],
                "claim_condition": {
                    "and": [
                        {"in": [{"var": "tier_handle"}, ["silver", "gold"]]},
                        {">": [{"var": "aggregations.spend_12m"}, 800]},
                    ]
                },
            }
        )
        changed = what_if(members_pandas(), voucher, cheaper, at=LAUNCH, timezone="timezone")
        # m-2 is silver with 900: refused at > 1000, allowed at > 800.
        assert changed["profile_id"].tolist() == ["m-2"]
        assert changed["change"].tolist() == ["gained"]


class TestDefinitions:
    """Definitions as values, API objects, lists or frames of API objects."""

    def test_api_objects_give_the_frame_of_their_values(self) -> None:
        got = claim_eligibility(members_pandas(), PAYLOADS, at=LAUNCH, timezone="UTC")
        expected = claim_eligibility(members_pandas(), definitions(), at=LAUNCH, timezone="UTC")
        pd.testing.assert_frame_equal(got, expected)

    def test_one_api_object_is_one_definition(self) -> None:
        got = claim_eligibility(members_pandas(), PAYLOADS[0], at=LAUNCH, timezone="UTC")
        assert set(got["definition"]) == {"spend-1000"}

    @pytest.mark.parametrize("kind", ["pandas", "polars"])
    def test_a_frame_of_api_objects(self, kind: str) -> None:
        # A frame read from JSON: one definition a row, a missing key a null cell.
        # polars cannot hold two differently shaped conditions in one struct column: there
        # the condition is JSON text, which the platform accepts too (COND-2).
        rows = PAYLOADS
        if kind == "polars":
            rows = [{**p, "claim_condition": json.dumps(p["claim_condition"])} for p in PAYLOADS]
        table: Any = pd.DataFrame(rows) if kind == "pandas" else pl.DataFrame(rows)
        got = claim_eligibility(members_pandas(), table, at=LAUNCH, timezone="UTC")
        expected = claim_eligibility(members_pandas(), definitions(), at=LAUNCH, timezone="UTC")
        pd.testing.assert_frame_equal(got, expected)

    def test_bad_api_objects_are_reported_by_position_and_field(self) -> None:
        bad = [PAYLOADS[0], {**PAYLOADS[1], "period": -3, "handle": 12}]
        with pytest.raises(PayloadError) as caught:
            claim_eligibility(members_pandas(), bad, at=LAUNCH, timezone="UTC")
        wheres = sorted(p.where for p in caught.value.problems)
        assert wheres == ["definitions[1].handle", "definitions[1].period"]

    def test_something_else_names_from_api_and_not_the_whole_value(self) -> None:
        with pytest.raises(InvalidRequest, match=r"BenefitDefinition\.from_api") as caught:
            claim_eligibility(
                members_pandas(),
                [definitions()[0], ["x" * 50_000]],  # type: ignore[list-item]
                at=LAUNCH,
                timezone="UTC",
            )
        assert len(str(caught.value)) < 300


class TestConditionVariables:
    """COND-13 against the frame: a condition reading a column the frame lacks."""

    TYPO = BenefitDefinition.from_api(
        {
            **PAYLOADS[0],
            "claim_condition": {">": [{"var": "aggregations.spend12m"}, 1000]},
        }
    )

    @pytest.mark.parametrize("kind", ["pandas", "polars", "lazy"])
    def test_a_typo_raises_with_the_closest_column(self, kind: str) -> None:
        members = members_of(kind)
        with pytest.raises(InvalidRequest) as caught:
            claim_eligibility(members, self.TYPO, at=LAUNCH, timezone="UTC")
        first, last = caught.value.problems
        assert first.where == "definitions[0].claim_condition"
        assert "'aggregations.spend12m'" in first.message
        assert "closest columns: ['aggregations.spend_12m']" in first.message
        assert last.where == "strict"

    def test_strict_false_warns_and_refuses_everyone(self) -> None:
        with pytest.warns(UnknownColumnWarning, match=r"aggregations\.spend12m"):
            got = claim_eligibility(
                members_pandas(), self.TYPO, at=LAUNCH, timezone="UTC", strict=False
            )
        assert not got["allowed"].any()

    def test_struct_fields_and_parents_of_dotted_columns_are_columns(self) -> None:
        nested = pl.DataFrame(
            {"id": ["m-1"], "aggregations": [{"spend_12m": 1500.0}], "tier_handle": ["gold"]}
        )
        parent = BenefitDefinition(
            handle="parent",
            claim_condition={"!!": [{"var": "aggregations"}]},  # type: ignore[arg-type]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            claim_eligibility(nested, [definitions()[0], parent], at=LAUNCH, timezone="UTC")
            claim_eligibility(members_pandas(), parent, at=LAUNCH, timezone="UTC")

    def test_members_as_json_objects_are_not_checked(self) -> None:
        # Each object may hold different keys: a missing one is a member without it.
        got = claim_eligibility([{"id": "m-1"}], self.TYPO, at=LAUNCH, timezone="UTC")
        assert got["reasons"].tolist() == [["condition_not_met"]]


class TestMembers:
    """Members in the shapes analysts hold, and a hint for the ones that are not members."""

    def test_to_profiles_takes_a_lazy_frame(self) -> None:
        profiles = to_profiles(members_polars().lazy())
        assert [p.id for p in profiles] == ["m-1", "m-2", "m-3"]

    def test_a_series_asks_for_the_frame(self) -> None:
        with pytest.raises(InvalidRequest, match=r"got a Series: pass the whole frame"):
            to_profiles(members_pandas()["id"])

    def test_a_mapping_of_columns_asks_for_a_frame(self) -> None:
        with pytest.raises(InvalidRequest, match=r"pandas\.DataFrame\(data\)"):
            to_profiles({"id": ["m-1", "m-2"]})

    def test_one_profile_object_asks_for_a_list(self) -> None:
        with pytest.raises(InvalidRequest, match=r"\[profile\]"):
            to_profiles({"id": "m-1"})


class TestFrameColumns:
    """``instant`` for the column, ``reasons`` as a list column, in both backends."""

    @pytest.mark.parametrize("kind", ["pandas", "polars"])
    def test_instant_column_and_list_reasons(self, kind: str) -> None:
        members: Any = members_pandas() if kind == "pandas" else members_polars()
        got = claim_eligibility(members, definitions(), at=LAUNCH, timezone="UTC")
        assert "at" not in got.columns
        assert list(got["instant"]) == [LAUNCH] * 6
        reasons = list(got["reasons"])
        # m-3 is bronze: the voucher's condition fails; nothing else does at the launch.
        assert [list(r) for r in reasons[4:]] == [["condition_not_met"], ["condition_not_met"]]
        assert list(reasons[0]) == []
        if kind == "polars":
            assert got.schema["reasons"] == pl.List(pl.String)

    def test_summarize_by_at_still_works_and_warns(self) -> None:
        frame = claim_eligibility(members_pandas(), definitions(), at=LAUNCH, timezone="UTC")
        with pytest.warns(FutureWarning, match=r"now called `instant`"):
            old = summarize(frame, by=["at"])
        new = summarize(frame, by=["instant"])
        pd.testing.assert_frame_equal(old, new)
