"""Issue 14: the analysis functions' return types flow to the user's type checker.

``typing.assert_type`` does nothing at run time; ``mypy --strict`` (run by CI over the tests)
fails if ``claim_eligibility`` on a pandas frame is not typed ``pandas.DataFrame``, on polars
``polars.DataFrame``, on a LazyFrame ``polars.LazyFrame``. The run-time checks say that the
types are the truth.
"""

from __future__ import annotations

import typing
from datetime import UTC, datetime
from typing import assert_type

import pandas as pd
import polars as pl

from loyalty_core import Decision, DecisionJSON, Profile, ReasonCode, ReasonJSON, check_claim
from loyalty_core.analysis import claim_eligibility, sweep, what_if
from tests.helpers import example_definitions

AT = datetime(2027, 3, 1, tzinfo=UTC)
ROWS = [{"id": "m-1", "tier_handle": "gold", "aggregations.spend_12m": 1500.0,
         "flattened_tags": ["vip"]}]  # fmt: skip


def test_pandas_in_pandas_out() -> None:
    frame = claim_eligibility(pd.DataFrame(ROWS), example_definitions(), at=AT, timezone="UTC")
    assert_type(frame, pd.DataFrame)
    assert type(frame) is pd.DataFrame


def test_polars_in_polars_out() -> None:
    frame = claim_eligibility(pl.DataFrame(ROWS), example_definitions(), at=AT, timezone="UTC")
    assert_type(frame, pl.DataFrame)
    assert type(frame) is pl.DataFrame


def test_lazy_in_lazy_out_from_either_engine() -> None:
    for engine in ("auto", "python"):
        frame = claim_eligibility(
            pl.DataFrame(ROWS).lazy(), example_definitions(), at=AT, timezone="UTC", engine=engine
        )
        assert_type(frame, pl.LazyFrame)
        assert type(frame) is pl.LazyFrame, engine
        nothing = claim_eligibility(pl.DataFrame(ROWS).lazy(), [], at=AT, timezone="UTC")
        assert type(nothing) is pl.LazyFrame  # no definitions: still the promised type


def test_rows_in_pandas_out_unless_polars_is_asked_for() -> None:
    frame = claim_eligibility(ROWS, example_definitions(), at=AT, timezone="UTC")
    assert_type(frame, pd.DataFrame)
    assert type(frame) is pd.DataFrame
    chosen = claim_eligibility(ROWS, example_definitions(), at=AT, timezone="UTC", backend="polars")
    assert_type(chosen, pl.DataFrame)
    assert type(chosen) is pl.DataFrame
    back = claim_eligibility(
        pl.DataFrame(ROWS), example_definitions(), at=AT, timezone="UTC", backend="pandas"
    )
    assert_type(back, pd.DataFrame)
    assert type(back) is pd.DataFrame


def test_the_type_aliases_resolve_at_run_time() -> None:
    # typing.get_type_hints (Sphinx, cattrs, pydantic use it) must not need pandas or polars.
    for function in (claim_eligibility, sweep, what_if):
        hints = typing.get_type_hints(function)
        assert {"timezone"} <= set(hints)


def test_decision_json_is_a_typed_dict() -> None:
    (definition, _) = example_definitions()
    decision = check_claim(
        definition, Profile.from_api({"id": "m-1", "tier_handle": "bronze"}), at=AT, timezone="UTC"
    )
    assert_type(decision, Decision)
    payload = decision.to_json()
    assert_type(payload, DecisionJSON)
    assert set(payload) == set(DecisionJSON.__annotations__)
    reasons: list[ReasonJSON] = payload["reasons"]
    assert [reason["code"] for reason in reasons] == [c.value for c in decision.codes]
    assert ReasonCode.CONDITION_NOT_MET.value in [reason["code"] for reason in reasons]
