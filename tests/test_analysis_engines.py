"""The analysis functions on both engines give the same frames (issue 13), whatever the input.

The python engine (``engine="python"``, a ``check_claim`` per row) is the oracle: the
vectorised engine must give its frame cell for cell, with holdings, on pandas and polars input,
lazy or not, and ``summarize``/``what_if`` must not change when they take the fast path.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from loyalty_core import Benefit, BenefitDefinition, ClaimTimeframe, InvalidRequest, Policy
from loyalty_core.analysis import (
    SlowEngineWarning,
    _batch,
    claim_eligibility,
    claim_engines,
    example_path,
    summarize,
    what_if,
)
from loyalty_core.conditions import to_condition
from tests.helpers import example_definitions

# strict=False runs warn about variables the frames lack; these tests read nulls on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::loyalty_core.analysis.UnknownColumnWarning")

ROOT = Path(__file__).resolve().parent.parent
DAYS = [datetime(2027, 2, 27, tzinfo=UTC) + timedelta(days=n) for n in range(5)]


def people() -> pl.DataFrame:
    return pl.read_csv(example_path("members.csv")).with_columns(
        pl.col("flattened_tags").str.split(";").fill_null([])
    )


def zones(frame: pl.DataFrame) -> dict[str, str]:
    return dict(zip(frame["id"].to_list(), frame["timezone"].to_list(), strict=True))


@pytest.fixture
def loop_only() -> Iterator[None]:
    """Make every analysis function take its row-by-row path (the oracle)."""
    saved = (_batch._vector_plan, _batch._polars_or_none, _batch._summarize_polars)
    _batch._vector_plan = lambda *_, **__: None
    _batch._polars_or_none = lambda *_, **__: None
    _batch._summarize_polars = lambda *_, **__: None
    yield
    _batch._vector_plan, _batch._polars_or_none, _batch._summarize_polars = saved


def both(call: Any, request: pytest.FixtureRequest) -> tuple[Any, Any]:
    fast = call()
    request.getfixturevalue("loop_only")
    return fast, call()


@pytest.mark.parametrize("messages", [True, False], ids=["messages", "codes"])
@pytest.mark.parametrize("kind", ["polars", "lazy", "pandas"])
def test_the_sample_on_every_input(kind: str, *, messages: bool) -> None:
    """The tutorial's members as polars, lazy polars and pandas: both engines agree."""
    frame = people()
    members: Any = {"polars": frame, "lazy": frame.lazy(), "pandas": frame.to_pandas()}[kind]
    found = example_definitions()
    assert {c.engine for c in claim_engines(members, found).values()} == {"vectorized"}
    fast = claim_eligibility(members, found, at=DAYS, timezone=zones(frame), messages=messages)
    slow = claim_eligibility(
        members, found, at=DAYS, timezone=zones(frame), messages=messages, engine="python"
    )
    if kind == "lazy":  # a LazyFrame in gives a LazyFrame out, from either engine
        assert isinstance(fast, pl.LazyFrame)
        assert isinstance(slow, pl.LazyFrame)
        fast, slow = fast.collect(), slow.collect()
    if kind == "pandas":
        pd.testing.assert_frame_equal(fast, slow)
    else:
        assert_frame_equal(fast, slow)


def test_holders_are_decided_by_the_loop_and_everyone_else_vectorised() -> None:
    """CLM-9, CLM-10, CLM-11, CLM-14, CLM-16: holdings change the rows of their holders only."""
    frame = people()
    voucher, lounge = example_definitions()
    voucher = attrs.evolve(
        voucher, id=7, is_reclaimable=True, claim_timeframe=ClaimTimeframe(unit="month")
    )
    claimed = datetime(2027, 3, 1, 2, tzinfo=UTC)
    held = Benefit(
        id=70,
        profile_id="m-0004",
        definition=voucher,
        claimed_at=claimed,
        issued_at=claimed,
        expires_at=claimed + timedelta(days=30),
    )
    holdings = {"m-0004": [held], "m-0010": [held], "nobody": [held]}
    options: dict[str, Any] = {"at": DAYS, "timezone": zones(frame), "holdings": holdings}
    fast = claim_eligibility(frame, [voucher, lounge], **options)
    slow = claim_eligibility(frame, [voucher, lounge], engine="python", **options)
    assert_frame_equal(fast, slow)
    m4 = slow.filter((pl.col("profile_id") == "m-0004") & (pl.col("definition") == "spend-1000"))
    assert "active_claim_exists" in m4["reasons"].to_list()[-1]  # the loop's answer was used


def test_a_fallback_definition_keeps_the_row_order() -> None:
    """A definition the engine cannot translate sits between vectorised ones, in order."""
    frame = people()
    voucher, lounge = example_definitions()
    odd = BenefitDefinition(
        handle="odd",
        is_claimable=True,
        claim_condition=to_condition({"%": [{"var": "aggregations.spend_12m"}, 2]}),
    )
    engines = claim_engines(frame, [voucher, odd, lounge])
    assert [engines[h].engine for h in ("spend-1000", "odd", "lounge-pass")] == [
        "vectorized",
        "python",
        "vectorized",
    ]
    assert "'%'" in engines["odd"].reason
    fast = claim_eligibility(frame, [voucher, odd, lounge], at=DAYS, timezone="UTC")
    slow = claim_eligibility(
        frame, [voucher, odd, lounge], at=DAYS, timezone="UTC", engine="python"
    )
    assert_frame_equal(fast, slow)


@pytest.mark.parametrize(
    "by",
    [
        ["definition"],
        ["instant"],
        ["definition", "instant"],
        "profile_id",
        ["timezone", "definition"],
    ],
)
def test_summarize_by_group_by_equals_the_count(by: Any, request: pytest.FixtureRequest) -> None:
    frame = people()
    eligibility = claim_eligibility(frame, example_definitions(), at=DAYS, timezone=zones(frame))
    fast, slow = both(lambda: summarize(eligibility, by=by), request)
    assert_frame_equal(fast, slow)


@pytest.mark.parametrize("backend", [None, "pandas"])
def test_what_if_on_a_frame_equals_the_loop(
    backend: str | None, request: pytest.FixtureRequest
) -> None:
    frame = people()
    voucher, lounge = example_definitions()
    cheaper = attrs.evolve(
        voucher,
        claim_condition=to_condition(
            {
                "and": [
                    {"in": [{"var": "tier_handle"}, ["silver", "gold"]]},
                    {">": [{"var": "aggregations.spend_12m"}, 500]},
                ]
            }
        ),
    )
    options: dict[str, Any] = {"at": DAYS, "timezone": zones(frame), "backend": backend}
    fast, slow = both(lambda: what_if(frame, voucher, cheaper, **options), request)
    if backend == "pandas":
        pd.testing.assert_frame_equal(fast, slow)
    else:
        assert_frame_equal(fast, slow)
    assert len(fast) > 0
    policies = both(
        lambda: what_if(
            frame,
            Policy(),
            Policy(claims_require_assignable=False),
            definitions=[voucher, lounge],
            **options,
        ),
        request,
    )
    assert type(policies[0]) is type(policies[1])


class TestArguments:
    def test_an_unknown_engine(self) -> None:
        with pytest.raises(InvalidRequest, match="^engine: expected 'auto', 'python' or"):
            claim_eligibility(  # type: ignore[call-overload] # deliberately wrong
                people(),
                example_definitions(),
                at=DAYS,
                timezone="UTC",
                engine="fast",
            )

    def test_a_bad_progress(self) -> None:
        with pytest.raises(InvalidRequest, match="^progress: expected True, False or None"):
            claim_eligibility(  # type: ignore[call-overload] # deliberately wrong
                people(),
                example_definitions(),
                at=DAYS,
                timezone="UTC",
                progress="y",
            )

    def test_a_list_of_profiles_goes_to_the_loop(self) -> None:
        choices = claim_engines([{"id": "m-1"}], example_definitions())
        assert {c.engine for c in choices.values()} == {"python"}
        assert all("not a DataFrame" in c.reason for c in choices.values())


class TestProgress:
    """A progress bar over the members the loop decides, shown only to a person watching."""

    odd = BenefitDefinition(handle="odd", claim_condition=to_condition({"%": [{"var": "n"}, 2]}))
    members = pl.DataFrame({"id": [f"m-{i}" for i in range(50)], "n": list(range(50))})

    def test_shown_when_asked(self, capsys: pytest.CaptureFixture[str]) -> None:
        claim_eligibility(self.members, self.odd, at=DAYS[0], timezone="UTC", progress=True)
        assert "odd (python engine)" in capsys.readouterr().err

    def test_hidden_in_a_pipe_by_default(self, capsys: pytest.CaptureFixture[str]) -> None:
        claim_eligibility(self.members, self.odd, at=DAYS[0], timezone="UTC")
        assert capsys.readouterr().err == ""

    def test_never_when_off(self, capsys: pytest.CaptureFixture[str]) -> None:
        claim_eligibility(
            self.members, self.odd, at=DAYS[0], timezone="UTC", engine="python", progress=False
        )
        assert capsys.readouterr().err == ""

    def test_vectorised_runs_count_their_slow_parts(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The vectorised engine's loops (failed conditions' messages, holders) show a bar."""
        even = BenefitDefinition(
            handle="even",
            is_claimable=True,
            claim_condition=to_condition({"<": [{"var": "n"}, 10]}),
        )
        claim_eligibility(self.members, even, at=DAYS[0], timezone="UTC", progress=True)
        assert "even (messages)" in capsys.readouterr().err
        claimed = datetime(2027, 2, 1, tzinfo=UTC)
        held = Benefit(definition=even, claimed_at=claimed, issued_at=claimed)
        claim_eligibility(
            self.members,
            even,
            at=DAYS,
            timezone="UTC",
            holdings={"m-1": [held]},
            messages=False,
            progress=True,
        )
        assert "even (holdings)" in capsys.readouterr().err


class TestEngineShown:
    """The frame can say which engine decided each row; a slow fallback is announced."""

    odd = BenefitDefinition(handle="odd", claim_condition=to_condition({"%": [{"var": "n"}, 2]}))
    low = BenefitDefinition(handle="low", claim_condition=to_condition({"<": [{"var": "n"}, 2]}))

    def test_an_engine_column_when_asked(self) -> None:
        members = pl.DataFrame({"id": ["m-1", "m-2"], "n": [1, 4]})
        frame = claim_eligibility(
            members, [self.low, self.odd], at=DAYS[:2], timezone="UTC", with_engine=True
        )
        assert frame.columns[-1] == "engine"
        by_definition = dict(zip(frame["definition"], frame["engine"], strict=True))
        assert by_definition == {"low": "vectorized", "odd": "python"}
        loop = claim_eligibility(
            members.to_pandas(),
            self.low,
            at=DAYS[0],
            timezone="UTC",
            engine="python",
            with_engine=True,
        )
        assert loop["engine"].tolist() == ["python", "python"]
        plain = claim_eligibility(members, self.low, at=DAYS[0], timezone="UTC")
        assert "engine" not in plain.columns

    def test_with_engine_must_be_a_bool(self) -> None:
        with pytest.raises(InvalidRequest, match="^with_engine: expected True or False, got 1$"):
            claim_eligibility(  # type: ignore[call-overload] # deliberately wrong
                people(),
                example_definitions(),
                at=DAYS,
                timezone="UTC",
                with_engine=1,
            )

    @pytest.fixture
    def threshold(self, monkeypatch: pytest.MonkeyPatch) -> int:
        """A threshold of 8 decisions, so that the loop it announces stays quick."""
        monkeypatch.setattr(_batch, "SLOW_ENGINE_DECISIONS", 8)
        return 8

    def test_many_loop_decisions_warn_and_say_why(self, threshold: int) -> None:
        members = pl.DataFrame({"id": [f"m-{i}" for i in range(threshold // 2)], "n": [0] * 4})
        with pytest.warns(SlowEngineWarning, match=r"^8 decisions .* 'odd': .*'%'") as seen:
            claim_eligibility(
                members, [self.low, self.odd], at=DAYS[:2], timezone="UTC", messages=False
            )
        assert seen[0].filename == __file__  # the warning names the caller's line

    def test_a_list_of_profiles_says_to_pass_a_frame(self, threshold: int) -> None:
        members = [{"id": f"m-{i}", "n": 0} for i in range(threshold)]
        with pytest.warns(SlowEngineWarning, match="not a DataFrame") as seen:
            claim_eligibility(members, self.low, at=DAYS[0], timezone="UTC")
        assert seen[0].filename == __file__

    def test_no_warning_below_the_threshold_or_when_python_is_asked(self, threshold: int) -> None:
        members = pl.DataFrame({"id": [f"m-{i}" for i in range(threshold - 1)], "n": [0] * 7})
        claim_eligibility(members, self.odd, at=DAYS[0], timezone="UTC")  # warnings are errors
        claim_eligibility(members, self.odd, at=DAYS[:2], timezone="UTC", engine="python")


def test_struct_columns_read_as_nested_fields() -> None:
    """A struct column is the nested object a condition reads (COND-1 paths), null rows too."""
    members = pl.DataFrame(
        {
            "id": ["m-1", "m-2", "m-3", "m-4"],
            "aggregations": [
                {"spend_12m": 1500.0, "tier": {"handle": "gold"}},
                {"spend_12m": 200.0, "tier": {"handle": "gold"}},
                None,
                {"spend_12m": None, "tier": None},
            ],
        }
    )
    rule = {
        "and": [
            {">": [{"var": "aggregations.spend_12m"}, 1000]},
            {"==": [{"var": "aggregations.tier.handle"}, "gold"]},
        ]
    }
    gold = BenefitDefinition(
        handle="gold",
        is_claimable=True,
        is_published=True,
        is_assignable=True,
        claim_condition=to_condition(rule),
    )
    assert claim_engines(members, gold)["gold"].engine == "vectorized"
    frame = claim_eligibility(members, gold, at=DAYS[0], timezone="UTC", with_engine=True)
    assert frame["allowed"].to_list() == [True, False, False, False]
    assert set(frame["engine"]) == {"vectorized"}
    slow = claim_eligibility(members, gold, at=DAYS[0], timezone="UTC", engine="python")
    assert_frame_equal(frame.drop("engine"), slow)
    whole = BenefitDefinition(
        handle="whole", claim_condition=to_condition({"!": {"var": "aggregations.tier"}})
    )
    assert "reading an object" in claim_engines(members, whole)["whole"].reason
    # A null struct is a missing object, so a var's default applies to m-3 but not to m-4,
    # whose field is null: the engine cannot tell them apart in one column, and falls back.
    rich = BenefitDefinition(
        handle="rich",
        is_claimable=True,
        is_published=True,
        is_assignable=True,
        claim_condition=to_condition({">": [{"var": ["aggregations.spend_12m", 5000]}, 1000]}),
    )
    assert (
        "a var with a default into a struct column" in claim_engines(members, rich)["rich"].reason
    )
    frame = claim_eligibility(members, rich, at=DAYS[0], timezone="UTC")
    assert frame["allowed"].to_list() == [True, False, True, False]


@pytest.mark.parametrize("kind", ["polars", "pandas"])
def test_rows_without_columns_are_members_without_data(kind: str) -> None:
    """A frame of two rows and no column is two members with no data.

    Found by the exported strategies: the loop read it as no member at all, and crashed on the
    zones.
    """
    polars_frame = pl.DataFrame([{}, {}])
    members: Any = polars_frame if kind == "polars" else pd.DataFrame(index=[0, 1])
    open_: dict[str, Any] = {"is_claimable": True, "is_published": True, "is_assignable": True}
    blank = BenefitDefinition(
        handle="blank", claim_condition=to_condition({"!": {"var": "tier_handle"}}), **open_
    )
    odd = BenefitDefinition(
        handle="odd", claim_condition=to_condition({"%": [{"var": "n"}, 2]}), **open_
    )
    frame = claim_eligibility(members, [blank, odd], at=DAYS[0], timezone="UTC", strict=False)
    assert list(frame["allowed"]) == [True, False, True, False]
    slow = claim_eligibility(
        members, [blank, odd], at=DAYS[0], timezone="UTC", engine="python", strict=False
    )
    if kind == "polars":
        assert_frame_equal(frame, slow)
    else:
        pd.testing.assert_frame_equal(frame, slow)
