"""Plots of analysis frames: eligibility over time and the expiry calendar.

Expected bar heights are written from the inputs (or counted from the ``reasons`` text, a
different column from the boolean flags the plot reads), never read back from the plot code.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from loyalty_core import Benefit, BenefitDefinition, Credit, InvalidRequest, Reward
from loyalty_core.analysis import claim_eligibility, expiry_table
from loyalty_core.analysis.plots import (
    KIND_COLORS,
    OUTCOME_COLORS,
    plot_eligibility,
    plot_expiry_calendar,
)
from tests.helpers import utc

ROOT = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OPENS = utc("2027-02-28 13:00:00")  # 2027-03-01 00:00 in Melbourne
BEFORE, AFTER = utc("2027-02-27 00:00:00"), utc("2027-03-01 00:00:00")


def lounge(**fields: Any) -> BenefitDefinition:
    """A gold-only definition whose claim window opens at OPENS."""
    base: dict[str, Any] = {
        "id": 1,
        "handle": "lounge",
        "is_claimable": True,
        "is_published": True,
        "is_assignable": True,
        "claim_period_start_at": OPENS,
        "claim_condition": {"==": [{"var": "tier_handle"}, "gold"]},
    }
    base.update(fields)
    return BenefitDefinition(**base)


MEMBERS = [
    {"id": "m-1", "tier_handle": "gold"},
    {"id": "m-2", "tier_handle": "silver"},
    {"id": "m-3", "tier_handle": "bronze"},
]


def png_of(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)  # the Agg canvas: no display, no pyplot
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def bar_containers(axes: Any) -> list[BarContainer]:
    found = list(axes.containers)
    assert all(isinstance(container, BarContainer) for container in found)
    return found


def bars(figure: Figure) -> dict[str, dict[str, float]]:
    """Each bar series of the figure's one axes: label -> {tick label: height}."""
    (axes,) = figure.axes
    ticks = [tick.get_text() for tick in axes.get_xticklabels()]
    found: dict[str, dict[str, float]] = {}
    for container in bar_containers(axes):
        heights: dict[str, float] = {}
        for patch in container.patches:
            position = round(patch.get_x() + patch.get_width() / 2)
            heights[ticks[position]] = patch.get_height()
        found[str(container.get_label())] = heights
    return found


def legend_of(figure: Figure) -> list[str]:
    legend = figure.axes[0].get_legend()
    assert legend is not None
    return [text.get_text() for text in legend.get_texts()]


class TestEligibilityPlot:
    """One stacked bar per instant: allowed, then each refused row under its first reason."""

    def test_hand_counted_bars(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=[AFTER, BEFORE], timezone="UTC")
        figure = plot_eligibility(frame)
        # Before the window opens every row fails CLM-5 first (silver and bronze also fail
        # CLM-8, later in the table); after it, gold is allowed and the others fail CLM-8.
        expected = {
            "allowed": {"2027-02-27": 0, "2027-03-01": 1},
            "claim_window_not_open": {"2027-02-27": 3, "2027-03-01": 0},
            "condition_not_met": {"2027-02-27": 0, "2027-03-01": 2},
        }
        assert expected == bars(figure)
        assert list(expected) == legend_of(figure)

    def test_stacks_start_where_the_previous_series_ends(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        (axes,) = plot_eligibility(frame).axes
        allowed, refused = bar_containers(axes)
        assert [patch.get_y() for patch in allowed.patches] == [0.0]
        assert [patch.get_y() for patch in refused.patches] == [1.0]

    def test_bars_on_the_example_data_match_the_first_code_of_reasons(self) -> None:
        frame = example_eligibility()
        figure = plot_eligibility(frame, definition="spend-1000")
        rows = frame[frame["definition"] == "spend-1000"]
        expected: dict[str, Counter[str]] = {}
        for at, reasons in zip(rows["at"], rows["reasons"], strict=True):
            outcome = reasons.split(", ")[0] if reasons else "allowed"
            expected.setdefault(outcome, Counter())[f"{at:%Y-%m-%d}"] += 1
        drawn = bars(figure)
        assert set(expected) == set(drawn)
        for outcome, heights in drawn.items():
            assert {day: n for day, n in heights.items() if n} == dict(expected[outcome])
        totals = Counter[str]()
        for heights in drawn.values():
            totals.update({day: int(n) for day, n in heights.items()})
        assert set(totals.values()) == {200}  # every bar is as tall as the member count

    def test_title_axes_and_ticks_say_what_is_drawn(self) -> None:
        frame = claim_eligibility(
            MEMBERS, lounge(), at=[AFTER, AFTER + timedelta(hours=6)], timezone="UTC"
        )
        (axes,) = plot_eligibility(frame).axes
        assert "lounge" in axes.get_title()
        assert "first failed rule" in axes.get_title()
        assert axes.get_xlabel() == "instant (UTC)"
        assert axes.get_ylabel() == "members"
        ticks = [tick.get_text() for tick in axes.get_xticklabels()]
        assert ticks == ["2027-03-01\n00:00", "2027-03-01\n06:00"]

    def test_colours_are_fixed_per_outcome(self) -> None:
        one = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        other = claim_eligibility(
            MEMBERS, lounge(is_published=False), at=[BEFORE, AFTER], timezone="UTC"
        )
        for frame in (one, other):
            for container in bar_containers(plot_eligibility(frame).axes[0]):
                label = str(container.get_label())
                for patch in container.patches:
                    assert to_rgba(OUTCOME_COLORS[label]) == patch.get_facecolor()
        assert len(set(OUTCOME_COLORS.values())) == len(OUTCOME_COLORS)

    def test_polars_input_draws_the_same_bars(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC")
        as_polars = claim_eligibility(
            MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC", backend="polars"
        )
        assert isinstance(as_polars, pl.DataFrame)
        assert bars(plot_eligibility(frame)) == bars(plot_eligibility(as_polars))

    def test_several_definitions_need_definition(self) -> None:
        frame = claim_eligibility(
            MEMBERS, [lounge(), lounge(id=2, handle="spa")], at=AFTER, timezone="UTC"
        )
        with pytest.raises(InvalidRequest) as error:
            plot_eligibility(frame)
        assert [p.where for p in error.value.problems] == ["definition"]
        assert "'lounge'" in str(error.value)
        assert "'spa'" in str(error.value)
        assert bars(plot_eligibility(frame, definition="spa"))["allowed"] == {"2027-03-01": 1}

    def test_unknown_definition_is_named(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        with pytest.raises(InvalidRequest, match=r"^definition: .*'lounge'.*'gym'"):
            plot_eligibility(frame, definition="gym")

    def test_a_missing_column_is_named(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        with pytest.raises(InvalidRequest, match=r"^frame: .*'allowed'"):
            plot_eligibility(frame.drop(columns=["allowed"]))

    def test_not_a_frame(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^frame: expected a pandas or polars"):
            plot_eligibility([{"definition": "x"}])

    def test_an_empty_frame_is_refused(self) -> None:
        frame = claim_eligibility([], lounge(), at=AFTER, timezone="UTC")
        with pytest.raises(InvalidRequest, match=r"^frame: expected at least one row"):
            plot_eligibility(frame)

    def test_draws_on_a_given_axes(self) -> None:
        figure = Figure()
        left, right = figure.subplots(1, 2)
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        assert plot_eligibility(frame, ax=right) is figure
        assert not left.containers
        assert len(right.containers) == 2

    def test_draws_on_a_subfigure_and_returns_the_root_figure(self) -> None:
        figure = Figure()
        sub = figure.add_subfigure(figure.add_gridspec(1, 1)[0, 0])
        axes = sub.add_subplot()
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        assert plot_eligibility(frame, ax=axes) is figure

    def test_a_bad_ax_is_named(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        with pytest.raises(InvalidRequest, match=r"^ax: "):
            plot_eligibility(frame, ax="left")  # type: ignore[arg-type]

    def test_renders_to_png(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC")
        data = png_of(plot_eligibility(frame))
        assert data.startswith(PNG_SIGNATURE)
        assert len(data) > 10_000
        width, height = png_size(data)
        assert width > height > 100


def items() -> list[Benefit | Reward | Credit]:
    """Items with local expiry dates 2027-03-01 (Mon) .. 2027-03-21, and one that never expires."""
    no_limit = BenefitDefinition()
    return [
        # Sunday 2027-03-07 23:59:59 in New York is Monday 04:59:59 UTC: the week of 1 March.
        Benefit(
            id=1,
            timezone="America/New_York",
            expires_at=utc("2027-03-08 04:59:59"),
            definition=no_limit,
        ),
        # Monday 2027-03-01 09:00 in Melbourne is still Sunday 28 February in UTC.
        Reward(
            id=2,
            timezone="Australia/Melbourne",
            value_initial=Decimal(5),
            expires_at=utc("2027-02-28 22:00:00"),
        ),
        Credit(
            id=3,
            timezone="Europe/London",
            value_initial=Decimal(1),
            expires_at=utc("2027-03-03 23:59:59"),
        ),
        Reward(id=4, timezone="UTC", value_initial=Decimal(5), expires_at=utc("2027-03-21 23:00")),
        Benefit(id=5, timezone="UTC", definition=no_limit),  # never expires
    ]


class TestExpiryCalendar:
    """Items per calendar week of their local expiry date; never-expiring items left out."""

    def test_weeks_by_local_date_stacked_by_kind(self) -> None:
        figure = plot_expiry_calendar(expiry_table(items()))
        expected = {
            "benefit": {"2027-03-01": 1, "2027-03-08": 0, "2027-03-15": 0},
            "reward": {"2027-03-01": 1, "2027-03-08": 0, "2027-03-15": 1},
            "credit": {"2027-03-01": 1, "2027-03-08": 0, "2027-03-15": 0},
        }
        assert expected == bars(figure)
        assert legend_of(figure) == ["benefit", "reward", "credit"]
        (axes,) = figure.axes
        assert "1 without expiry left out" in axes.get_title()
        assert axes.get_xlabel() == "week starting Monday (local date)"

    def test_weeks_may_start_on_sunday(self) -> None:
        figure = plot_expiry_calendar(expiry_table(items()), by_kind=False, week_start="sunday")
        # Sunday 28 Feb .. Sat 6 Mar: the reward (1 Mar) and the credit (3 Mar); Sunday 7 Mar
        # starts the next week (the benefit); Sunday 21 Mar the last (the second reward).
        expected = {"items": {"2027-02-28": 2, "2027-03-07": 1, "2027-03-14": 0, "2027-03-21": 1}}
        assert expected == bars(figure)
        assert figure.axes[0].get_legend() is None

    def test_the_last_days_of_year_9999_are_drawn(self) -> None:
        last = Reward(id=9, value_initial=Decimal(1), expires_at=utc("9999-12-30 23:59:59"))
        figure = plot_expiry_calendar(expiry_table([last]), week_start="friday")
        assert bars(figure) == {"reward": {"9999-12-24": 1}}

    def test_the_first_week_of_year_1_is_drawn(self) -> None:
        first = Reward(id=9, value_initial=Decimal(1), expires_at=utc("0001-01-02 12:00:00"))
        figure = plot_expiry_calendar(expiry_table([first]), week_start="sunday")
        assert bars(figure) == {"reward": {"0001-01-01": 1}}

    def test_a_span_past_max_weeks_asks_to_filter(self) -> None:
        spread = [
            Reward(id=1, value_initial=Decimal(1), expires_at=utc("2027-01-01 00:00:00")),
            Reward(id=2, value_initial=Decimal(1), expires_at=utc("2500-01-01 00:00:00")),
        ]
        with pytest.raises(InvalidRequest, match=r"table: expected expiries within 520 weeks"):
            plot_expiry_calendar(expiry_table(spread))

    def test_colours_are_fixed_per_kind(self) -> None:
        (axes,) = plot_expiry_calendar(expiry_table(items())).axes
        for container in axes.containers:
            kind = str(container.get_label())
            assert all(to_rgba(KIND_COLORS[kind]) == p.get_facecolor() for p in container)

    def test_polars_input_draws_the_same_bars(self) -> None:
        pandas_figure = plot_expiry_calendar(expiry_table(items()))
        polars_figure = plot_expiry_calendar(expiry_table(items(), backend="polars"))
        assert bars(pandas_figure) == bars(polars_figure)

    def test_a_table_read_back_from_csv_is_accepted(self) -> None:
        # A round trip through CSV turns dates into text: parse them back as datetimes.
        buffer = io.StringIO()
        expiry_table(items()).to_csv(buffer, index=False)
        buffer.seek(0)
        table = pd.read_csv(buffer, parse_dates=["expires_on"])
        assert bars(plot_expiry_calendar(table)) == bars(
            plot_expiry_calendar(expiry_table(items()))
        )

    def test_nothing_expiring_draws_an_empty_calendar(self) -> None:
        never = [Benefit(id=1, timezone="UTC", definition=BenefitDefinition())]
        figure = plot_expiry_calendar(expiry_table(never))
        (axes,) = figure.axes
        assert not axes.patches
        assert [text.get_text() for text in axes.texts] == ["no item expires"]
        assert png_of(figure).startswith(PNG_SIGNATURE)

    def test_bad_week_start_is_named(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^week_start: .*'funday'"):
            plot_expiry_calendar(expiry_table(items()), week_start="funday")  # type: ignore[arg-type]

    def test_bad_by_kind_is_named(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^by_kind: "):
            plot_expiry_calendar(expiry_table(items()), by_kind="yes")  # type: ignore[arg-type]

    def test_a_missing_column_is_named(self) -> None:
        table = expiry_table(items()).drop(columns=["expires_on"])
        with pytest.raises(InvalidRequest, match=r"^table: .*'expires_on'"):
            plot_expiry_calendar(table)

    def test_a_cell_that_is_not_a_date_is_named(self) -> None:
        table = pd.DataFrame({"kind": ["reward"], "expires_on": ["2027-03-01"]})
        with pytest.raises(InvalidRequest, match=r"^table: expected dates"):
            plot_expiry_calendar(table)

    def test_renders_to_png(self) -> None:
        data = png_of(plot_expiry_calendar(expiry_table(items())))
        assert data.startswith(PNG_SIGNATURE)
        assert len(data) > 10_000


def test_importing_plots_does_not_import_pyplot() -> None:
    code = (
        "import sys, loyalty_core.analysis.plots\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # noqa: S603


# --- the tutorial's figures ----------------------------------------------------------------------


def example_members() -> pd.DataFrame:
    members = pd.read_csv(ROOT / "examples" / "members.csv")
    members["flattened_tags"] = members["flattened_tags"].map(
        lambda cell: cell.split(";") if isinstance(cell, str) else []
    )
    return members


def example_definitions() -> list[BenefitDefinition]:
    payloads = json.loads((ROOT / "examples" / "definitions.json").read_text(encoding="utf-8"))
    return [BenefitDefinition.from_api(payload) for payload in payloads]


def example_eligibility() -> pd.DataFrame:
    members = example_members()
    zones = dict(zip(members["id"], members["timezone"], strict=True))
    days = [datetime(2027, 2, 27, tzinfo=UTC) + timedelta(days=n) for n in range(5)]
    frame: pd.DataFrame = claim_eligibility(members, example_definitions(), at=days, timezone=zones)
    return frame


def example_expiry() -> pd.DataFrame:
    """Claim each example definition at launch and tabulate the expiries, as the tutorial does."""
    from loyalty_core import claim_benefit
    from loyalty_core.analysis import to_profiles

    members = example_members()
    zones = dict(zip(members["id"], members["timezone"], strict=True))
    launch = datetime(2027, 3, 1, tzinfo=UTC)
    held: dict[str, list[Benefit | Reward | Credit]] = {}
    for definition in example_definitions():
        current = definition
        for profile in to_profiles(members):
            assert profile.id is not None
            claimed = claim_benefit(current, profile, at=launch, timezone=zones[profile.id])
            current = claimed.definition
            if claimed.benefit is not None:
                held.setdefault(profile.id, []).append(claimed.benefit)
    table: pd.DataFrame = expiry_table(held)
    return table


def test_the_example_definitions_parse() -> None:
    handles = [definition.handle for definition in example_definitions()]
    assert handles == ["spend-1000", "lounge-pass"]


@pytest.mark.parametrize(
    ("name", "draw"),
    [
        pytest.param(
            "eligibility.png",
            lambda: plot_eligibility(example_eligibility(), definition="spend-1000"),
            id="eligibility",
        ),
        pytest.param(
            "expiry-calendar.png", lambda: plot_expiry_calendar(example_expiry()), id="calendar"
        ),
    ],
)
def test_the_tutorial_figures_are_rendered(name: str, draw: Any, tmp_path: Path) -> None:
    """The committed PNGs in docs/_static/analysis are reproducible (in size, not pixels)."""
    figure = draw()
    target = tmp_path / name
    figure.savefig(target, dpi=100)
    fresh = target.read_bytes()
    committed = (ROOT / "docs" / "_static" / "analysis" / name).read_bytes()
    assert png_size(fresh) == png_size(committed)
    assert len(fresh) > 10_000


def test_the_example_members_are_as_documented() -> None:
    members = example_members()
    assert len(members) == 200
    assert members["id"].is_unique
    assert set(members["timezone"]) == {
        "Australia/Melbourne",
        "Europe/London",
        "America/New_York",
        "UTC",
    }
    assert set(members["tier_handle"]) == {"bronze", "silver", "gold"}
    assert members["aggregations.spend_12m"].isna().any()
    assert any(tags == [] for tags in members["flattened_tags"])
    assert all(date.fromisoformat(day) < date(2027, 1, 1) for day in members["joined_on"])
