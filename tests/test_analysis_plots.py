"""Plots of analysis frames: eligibility over time, failed rules, and the expiry calendar.

Expected bar heights are written from the inputs (or counted from the ``reasons`` column, a
different column from the boolean flags the plots read), never read back from the plot code.
Bars are read back by where they stand on the date axis, converted with matplotlib's own
``num2date``, and legends by their text.
"""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from loyalty_core import Benefit, BenefitDefinition, Credit, InvalidRequest, Reward
from loyalty_core.analysis import CLAIM_CODES, claim_eligibility, example_path, expiry_table
from loyalty_core.analysis.plots import (
    KIND_COLORS,
    OUTCOME_COLORS,
    plot_eligibility,
    plot_expiry_calendar,
    plot_reasons,
)
from loyalty_core.decisions import REASON_LABELS, ReasonCode
from tests import helpers
from tests.helpers import example_definitions, utc

ROOT = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OPENS = utc("2027-02-28 13:00:00")  # 2027-03-01 00:00 in Melbourne
BEFORE, AFTER = utc("2027-02-27 00:00:00"), utc("2027-03-01 00:00:00")
MOST_TICK_LABELS = 12

ALLOWED = "Allowed"
NOT_OPEN = REASON_LABELS[ReasonCode.CLAIM_WINDOW_NOT_OPEN]
NOT_MET = REASON_LABELS[ReasonCode.CONDITION_NOT_MET]
CODE_OF_LABEL = {ALLOWED: "allowed", **{REASON_LABELS[c]: c.value for c in CLAIM_CODES}}


def lounge(**fields: Any) -> BenefitDefinition:
    """A gold-only definition whose claim window opens at OPENS."""
    base: dict[str, Any] = {
        "handle": "lounge",
        "claim_period_start_at": OPENS,
        "claim_condition": {"==": [{"var": "tier_handle"}, "gold"]},
    }
    return helpers.definition(**(base | fields))


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


def day_of(number: float) -> str:
    """The UTC date (and time, unless midnight) of a matplotlib date number, to the minute."""
    convert: Callable[..., datetime] = mdates.num2date  # matplotlib.dates is not annotated
    moment = convert(round(number * 1440) / 1440, tz=UTC)
    day = moment.date().isoformat()  # strftime writes year 1 as "1"
    return day if moment.time() == time(0) else f"{day} {moment:%H:%M}"


def number_of(moment: date) -> float:
    convert: Callable[[date], float] = mdates.date2num
    return float(convert(moment))


def bar_containers(axes: Any) -> list[BarContainer]:
    found = list(axes.containers)
    assert all(isinstance(container, BarContainer) for container in found)
    return found


def bars(figure: Figure, *, at: str = "center") -> dict[str, dict[str, float]]:
    """Each bar series of the figure's one axes: label -> {date of the bar: height}.

    A bar's date is its centre (an eligibility instant) or, with ``at="edge"``, its left edge
    (the first day of a calendar week).
    """
    (axes,) = figure.axes
    found: dict[str, dict[str, float]] = {}
    for container in bar_containers(axes):
        heights: dict[str, float] = {}
        for patch in container.patches:
            where = patch.get_x() + (patch.get_width() / 2 if at == "center" else 0)
            heights[day_of(where)] = patch.get_height()
        found[str(container.get_label())] = heights
    return found


def reason_bars(figure: Figure) -> dict[str, tuple[float, float]]:
    """Each row of plot_reasons: label -> (rows failing it at all, rows failing it alone)."""
    (axes,) = figure.axes
    labels = [label.get_text() for label in axes.get_yticklabels()]
    every, alone = bar_containers(axes)
    return {
        labels[round(wide.get_y() + wide.get_height() / 2)]: (wide.get_width(), solid.get_width())
        for wide, solid in zip(every.patches, alone.patches, strict=True)
    }


def legend_of(figure: Figure) -> list[str]:
    legend = figure.axes[0].get_legend()
    assert legend is not None
    return [text.get_text() for text in legend.get_texts()]


def shown_tick_labels(figure: Figure) -> list[str]:
    """The x tick labels a rendering of the figure's one axes shows (after layout, in view)."""
    FigureCanvasAgg(figure)
    figure.draw_without_rendering()
    (axes,) = figure.axes
    return [label.get_text() for label in axes.get_xticklabels() if label.get_text()]


def whole_ticks(locations: Any, limits: tuple[float, float]) -> bool:
    low, high = sorted(limits)
    shown = [float(loc) for loc in locations if low <= loc <= high]
    return bool(shown) and all(loc.is_integer() for loc in shown)


def hourly(count: int, start: datetime = OPENS - timedelta(hours=10)) -> list[datetime]:
    return [start + timedelta(hours=n) for n in range(count)]


def reasons_of(cell: Any) -> list[str]:
    """The codes of a ``reasons`` cell: a list of codes, or (older frames) comma-joined text."""
    if isinstance(cell, str):
        return cell.split(", ") if cell else []
    return [str(code) for code in cell]


def instant_column(frame: Any) -> str:
    return "instant" if "instant" in frame.columns else "at"


class TestEligibilityPlot:
    """A stacked bar per instant on a date axis: allowed, then refused rows by first reason."""

    def test_hand_counted_bars(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=[AFTER, BEFORE], timezone="UTC")
        figure = plot_eligibility(frame)
        # Before the window opens every row fails CLM-5 first (silver and bronze also fail
        # CLM-8, later in the table); after it, gold is allowed and the others fail CLM-8.
        expected = {
            ALLOWED: {"2027-03-01": 1},
            NOT_OPEN: {"2027-02-27": 3},
            NOT_MET: {"2027-03-01": 2},
        }
        assert expected == bars(figure)
        assert list(expected) == legend_of(figure)

    def test_legend_uses_human_labels(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC")
        assert legend_of(plot_eligibility(frame)) == [
            "Allowed",
            "Claim window not open yet",
            "Condition not met",
        ]

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
        for at, cell in zip(rows[instant_column(rows)], rows["reasons"], strict=True):
            failed = reasons_of(cell)
            outcome = REASON_LABELS[ReasonCode(failed[0])] if failed else ALLOWED
            expected.setdefault(outcome, Counter())[f"{at:%Y-%m-%d}"] += 1
        assert {label: dict(days) for label, days in expected.items()} == bars(figure)
        totals = Counter[str]()
        for heights in bars(figure).values():
            totals.update({day: int(n) for day, n in heights.items()})
        assert set(totals.values()) == {200}  # every bar is as tall as the member count

    def test_the_x_axis_is_a_date_axis_where_uneven_gaps_show(self) -> None:
        instants = [BEFORE, AFTER, AFTER + timedelta(days=7)]
        frame = claim_eligibility(MEMBERS, lounge(), at=instants, timezone="UTC")
        (axes,) = plot_eligibility(frame).axes
        assert isinstance(axes.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
        assert isinstance(axes.xaxis.get_major_locator(), mdates.AutoDateLocator)
        centres = sorted(
            {round(p.get_x() + p.get_width() / 2, 6) for c in axes.containers for p in c}
        )
        assert centres == [round(number_of(t), 6) for t in instants]
        # The smallest gap is two days: bars take 80% of it, everywhere.
        assert {round(p.get_width(), 6) for c in axes.containers for p in c} == {1.6}

    @pytest.mark.parametrize(
        "instants",
        [
            pytest.param(hourly(50), id="50-hourly"),
            pytest.param([BEFORE + timedelta(weeks=n) for n in range(520)], id="520-weekly"),
        ],
    )
    def test_tick_labels_are_thinned(self, instants: list[datetime]) -> None:
        frame = claim_eligibility(MEMBERS[:1], lounge(), at=instants, timezone="UTC")
        labels = shown_tick_labels(plot_eligibility(frame))
        assert 3 <= len(labels) <= MOST_TICK_LABELS

    def test_sub_daily_ticks_show_times(self) -> None:
        frame = claim_eligibility(MEMBERS[:1], lounge(), at=hourly(12), timezone="UTC")
        labels = shown_tick_labels(plot_eligibility(frame))
        assert any(label.endswith(":00") for label in labels)

    def test_count_ticks_are_whole_numbers(self) -> None:
        frame = claim_eligibility(MEMBERS[:1], lounge(), at=[BEFORE, AFTER], timezone="UTC")
        (axes,) = plot_eligibility(frame).axes
        assert whole_ticks(axes.get_yticks(), axes.get_ylim())

    def test_share_draws_percentages_of_each_instant(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC")
        figure = plot_eligibility(frame, share=True)
        expected = {
            ALLOWED: {"2027-03-01": pytest.approx(100 / 3)},
            NOT_OPEN: {"2027-02-27": pytest.approx(100.0)},
            NOT_MET: {"2027-03-01": pytest.approx(200 / 3)},
        }
        assert expected == bars(figure)
        (axes,) = figure.axes
        assert isinstance(axes.yaxis.get_major_formatter(), PercentFormatter)
        assert axes.get_ylabel() == "share of members"
        assert axes.get_ylim() == (0.0, 100.0)

    def test_share_sums_to_100_at_every_instant(self) -> None:
        frame = example_eligibility()
        totals = Counter[str]()
        for heights in bars(plot_eligibility(frame, definition="spend-1000", share=True)).values():
            totals.update(heights)
        assert len(totals) == 5
        assert all(total == pytest.approx(100) for total in totals.values())

    def test_title_and_axes_say_what_is_drawn(self) -> None:
        frame = claim_eligibility(
            MEMBERS, lounge(), at=[AFTER, AFTER + timedelta(hours=6)], timezone="UTC"
        )
        (axes,) = plot_eligibility(frame).axes
        assert "lounge" in axes.get_title()
        assert "first failed rule" in axes.get_title()
        assert axes.get_xlabel() == "instant (UTC)"
        assert axes.get_ylabel() == "members"

    def test_colours_are_fixed_per_outcome(self) -> None:
        one = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        other = claim_eligibility(
            MEMBERS, lounge(is_published=False), at=[BEFORE, AFTER], timezone="UTC"
        )
        for frame in (one, other):
            for container in bar_containers(plot_eligibility(frame).axes[0]):
                code = CODE_OF_LABEL[str(container.get_label())]
                for patch in container.patches:
                    assert to_rgba(OUTCOME_COLORS[code]) == patch.get_facecolor()
        assert len(set(OUTCOME_COLORS.values())) == len(OUTCOME_COLORS)

    def test_polars_input_draws_the_same_bars(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC")
        as_polars = claim_eligibility(
            MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC", backend="polars"
        )
        assert isinstance(as_polars, pl.DataFrame)
        assert bars(plot_eligibility(frame)) == bars(plot_eligibility(as_polars))

    def test_a_frame_with_the_older_at_column_draws_the_same_bars(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC")
        older = frame.rename(columns={"instant": "at"})
        assert "instant" not in older.columns
        assert bars(plot_eligibility(frame)) == bars(plot_eligibility(older))

    def test_several_definitions_need_definition(self) -> None:
        frame = claim_eligibility(
            MEMBERS, [lounge(), lounge(id=2, handle="spa")], at=AFTER, timezone="UTC"
        )
        with pytest.raises(InvalidRequest) as error:
            plot_eligibility(frame)
        assert [p.where for p in error.value.problems] == ["definition"]
        assert "'lounge'" in str(error.value)
        assert "'spa'" in str(error.value)
        assert bars(plot_eligibility(frame, definition="spa"))[ALLOWED] == {"2027-03-01": 1}

    def test_unknown_definition_is_named(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        with pytest.raises(InvalidRequest, match=r"^definition: .*'lounge'.*'gym'"):
            plot_eligibility(frame, definition="gym")

    def test_a_missing_column_is_named(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        with pytest.raises(InvalidRequest, match=r"^frame: .*'allowed'"):
            plot_eligibility(frame.drop(columns=["allowed"]))

    def test_a_missing_instant_column_is_named_by_its_new_name(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        with pytest.raises(InvalidRequest, match=r"^frame: .*\['instant'\]"):
            plot_eligibility(frame.drop(columns=[instant_column(frame)]))

    def test_naive_instants_are_refused(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        column = instant_column(frame)
        frame[column] = frame[column].dt.tz_localize(None)
        with pytest.raises(InvalidRequest, match=r"^frame: expected aware datetimes in the '"):
            plot_eligibility(frame)

    def test_a_refused_row_without_a_reason_is_named(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=BEFORE, timezone="UTC")
        frame["claim_window_not_open"] = False
        frame["condition_not_met"] = False
        with pytest.raises(InvalidRequest, match=r"^frame: a refused row has no reason"):
            plot_eligibility(frame)

    def test_not_a_frame(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^frame: expected a pandas or polars"):
            plot_eligibility([{"definition": "x"}])

    def test_an_empty_frame_is_refused(self) -> None:
        frame = claim_eligibility([], lounge(), at=AFTER, timezone="UTC")
        with pytest.raises(InvalidRequest, match=r"^frame: expected at least one row"):
            plot_eligibility(frame)

    def test_a_bad_share_is_named(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        with pytest.raises(InvalidRequest, match=r"^share: expected a bool, got 'yes'"):
            plot_eligibility(frame, share="yes")  # type: ignore[arg-type]

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


class TestReasonsPlot:
    """A bar per failed rule: the rows failing it at all (overlaps included), and alone."""

    def test_a_row_counts_under_every_reason_it_fails(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC")
        # Before the window: gold fails CLM-5 alone, silver and bronze fail CLM-5 and CLM-8.
        # After it: gold is allowed, silver and bronze fail CLM-8 alone.
        expected = {NOT_OPEN: (3, 1), NOT_MET: (4, 2)}
        assert expected == reason_bars(plot_reasons(frame))

    def test_counts_on_the_example_data_match_the_reasons_column(self) -> None:
        frame = example_eligibility()
        rows = frame[frame["definition"] == "spend-1000"]
        every, alone = Counter[str](), Counter[str]()
        for cell in rows["reasons"]:
            failed = reasons_of(cell)
            every.update(failed)
            if len(failed) == 1:
                alone.update(failed)
        expected = {REASON_LABELS[ReasonCode(c)]: (every[c], alone[c]) for c in every}
        assert expected == reason_bars(plot_reasons(frame, definition="spend-1000"))

    def test_rules_are_listed_in_the_clm_table_order_top_down(self) -> None:
        frame = claim_eligibility(
            MEMBERS, lounge(is_published=False), at=[BEFORE, AFTER], timezone="UTC"
        )
        (axes,) = plot_reasons(frame).axes
        labels = [label.get_text() for label in axes.get_yticklabels()]
        assert labels == ["Not published", NOT_OPEN, NOT_MET]
        bottom, top = axes.get_ylim()
        assert bottom > top  # the first label is drawn at the top

    def test_share_draws_percentages_of_all_rows(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC")
        figure = plot_reasons(frame, share=True)
        expected: dict[str, tuple[Any, Any]] = {
            NOT_OPEN: (pytest.approx(50.0), pytest.approx(100 / 6)),
            NOT_MET: (pytest.approx(400 / 6), pytest.approx(200 / 6)),
        }
        assert expected == reason_bars(figure)
        (axes,) = figure.axes
        assert isinstance(axes.xaxis.get_major_formatter(), PercentFormatter)

    def test_title_and_axes_say_what_is_counted(self) -> None:
        one = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        (axes,) = plot_reasons(one).axes
        assert "lounge" in axes.get_title()
        assert "2 of 3 members refused" in axes.get_title()
        assert axes.get_xlabel() == "members"
        assert whole_ticks(axes.get_xticks(), axes.get_xlim())
        several = claim_eligibility(MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC")
        (axes,) = plot_reasons(several).axes
        assert "5 of 6 rows refused over 2 instants" in axes.get_title()

    def test_bars_are_labelled_with_both_counts(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC")
        (axes,) = plot_reasons(frame).axes
        assert [text.get_text() for text in axes.texts] == ["3 (1 alone)", "4 (2 alone)"]

    def test_colours_are_the_outcome_colours(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC")
        (axes,) = plot_reasons(frame).axes
        labels = [label.get_text() for label in axes.get_yticklabels()]
        for container in bar_containers(axes):
            for label, patch in zip(labels, container.patches, strict=True):
                assert to_rgb(patch.get_facecolor()) == to_rgb(OUTCOME_COLORS[CODE_OF_LABEL[label]])
        assert legend_of(plot_reasons(frame)) == [
            "fail this rule (maybe others too)",
            "fail only this rule",
        ]

    def test_nothing_refused_says_so(self) -> None:
        frame = claim_eligibility(MEMBERS[:1], lounge(), at=AFTER, timezone="UTC")
        (axes,) = plot_reasons(frame).axes
        assert not axes.patches
        assert [text.get_text() for text in axes.texts] == ["no claim refused"]

    def test_polars_input_draws_the_same_bars(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC")
        as_polars = claim_eligibility(
            MEMBERS, lounge(), at=[BEFORE, AFTER], timezone="UTC", backend="polars"
        )
        assert reason_bars(plot_reasons(frame)) == reason_bars(plot_reasons(as_polars))

    def test_several_definitions_need_definition(self) -> None:
        frame = claim_eligibility(
            MEMBERS, [lounge(), lounge(id=2, handle="spa")], at=AFTER, timezone="UTC"
        )
        with pytest.raises(InvalidRequest, match=r"^definition: .*'lounge'.*'spa'"):
            plot_reasons(frame)
        assert reason_bars(plot_reasons(frame, definition="spa")) == {NOT_MET: (2, 2)}

    def test_bad_arguments_are_named(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        with pytest.raises(InvalidRequest, match=r"^share: "):
            plot_reasons(frame, share=1)  # type: ignore[arg-type]
        with pytest.raises(InvalidRequest, match=r"^ax: "):
            plot_reasons(frame, ax=0)  # type: ignore[arg-type]

    def test_draws_on_a_given_axes(self) -> None:
        figure = Figure()
        left, right = figure.subplots(1, 2)
        frame = claim_eligibility(MEMBERS, lounge(), at=BEFORE, timezone="UTC")
        assert plot_reasons(frame, ax=left) is figure
        assert len(left.containers) == 2
        assert not right.containers


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


def held() -> pd.DataFrame:
    """A hand-built expiry table with the definition and value columns, in weeks of March 2027."""
    return pd.DataFrame(
        {
            "kind": ["benefit", "benefit", "benefit", "reward", "reward", "credit", "benefit"],
            "definition": ["spa", "gym", "spa", None, None, None, "spa"],
            "expires_on": [
                date(2027, 3, 1),
                date(2027, 3, 2),
                date(2027, 3, 9),
                date(2027, 3, 3),
                date(2027, 3, 10),
                date(2027, 3, 7),
                None,
            ],
            "remaining_value": [
                None,
                None,
                None,
                Decimal("5.50"),
                Decimal("2.25"),
                Decimal(1),
                None,
            ],
        }
    )


class TestExpiryCalendar:
    """Items (or value) per calendar week of their local expiry date; never-expiring left out."""

    def test_weeks_by_local_date_stacked_by_kind(self) -> None:
        figure = plot_expiry_calendar(expiry_table(items()))
        expected = {
            "Benefits": {"2027-03-01": 1},
            "Rewards": {"2027-03-01": 1, "2027-03-15": 1},
            "Credits": {"2027-03-01": 1},
        }
        assert expected == bars(figure, at="edge")
        assert legend_of(figure) == ["Benefits", "Rewards", "Credits"]
        (axes,) = figure.axes
        assert "1 without expiry left out" in axes.get_title()
        assert axes.get_xlabel() == "week starting Monday (local date)"

    def test_weeks_may_start_on_sunday(self) -> None:
        figure = plot_expiry_calendar(expiry_table(items()), by=None, week_start="sunday")
        # Sunday 28 Feb .. Sat 6 Mar: the reward (1 Mar) and the credit (3 Mar); Sunday 7 Mar
        # starts the next week (the benefit); Sunday 21 Mar the last (the second reward).
        expected = {"items": {"2027-02-28": 2, "2027-03-07": 1, "2027-03-21": 1}}
        assert expected == bars(figure, at="edge")
        assert figure.axes[0].get_legend() is None

    def test_by_kind_false_is_by_none(self) -> None:
        table = expiry_table(items())
        assert bars(plot_expiry_calendar(table, by_kind=False), at="edge") == bars(
            plot_expiry_calendar(table, by=None), at="edge"
        )
        assert bars(plot_expiry_calendar(table, by_kind=True), at="edge") == bars(
            plot_expiry_calendar(table), at="edge"
        )

    def test_the_x_axis_is_a_date_axis_with_a_bar_per_week(self) -> None:
        (axes,) = plot_expiry_calendar(expiry_table(items())).axes
        assert isinstance(axes.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
        # Each bar starts on its week's Monday and stays inside the week.
        for patch in (bar for container in bar_containers(axes) for bar in container):
            assert day_of(patch.get_x()) in {"2027-03-01", "2027-03-15"}
            assert 0 < patch.get_width() <= 7

    def test_tick_labels_are_thinned_over_520_weeks(self) -> None:
        table = pd.DataFrame(
            {
                "kind": ["reward"] * 3,
                "expires_on": [date(2027, 1, 4), date(2030, 6, 3), date(2036, 12, 15)],
            }
        )
        figure = plot_expiry_calendar(table)
        assert len(figure.axes[0].patches) == 3
        assert 3 <= len(shown_tick_labels(figure)) <= MOST_TICK_LABELS

    def test_count_ticks_are_whole_numbers(self) -> None:
        (axes,) = plot_expiry_calendar(expiry_table(items())).axes
        assert whole_ticks(axes.get_yticks(), axes.get_ylim())

    def test_by_definition_stacks_handles_largest_first(self) -> None:
        figure = plot_expiry_calendar(held(), by="definition")
        expected = {
            "spa": {"2027-03-01": 1, "2027-03-08": 1},
            "gym": {"2027-03-01": 1},
            "No definition": {"2027-03-01": 2, "2027-03-08": 1},
        }
        assert expected == bars(figure, at="edge")
        assert legend_of(figure) == ["spa", "gym", "No definition"]
        (axes,) = figure.axes
        legend = axes.get_legend()
        assert legend is not None
        assert legend.get_title().get_text() == "definition"

    def test_past_eight_definitions_the_rest_are_summed(self) -> None:
        handles = [f"d{n}" for n in range(10) for _ in range(10 - n)]  # d0 x10 .. d9 x1
        table = pd.DataFrame(
            {"kind": "benefit", "definition": handles, "expires_on": date(2027, 3, 1)}
        )
        figure = plot_expiry_calendar(table, by="definition")
        assert legend_of(figure) == [*(f"d{n}" for n in range(8)), "Other definitions"]
        assert bars(figure, at="edge")["Other definitions"] == {"2027-03-01": 2 + 1}

    def test_weight_sums_a_value_column(self) -> None:
        figure = plot_expiry_calendar(held(), weight="remaining_value")
        # The benefits hold no value (nulls weigh nothing): only rewards and the credit show.
        expected = {
            "Rewards": {"2027-03-01": 5.5, "2027-03-08": 2.25},
            "Credits": {"2027-03-01": 1.0},
        }
        assert expected == bars(figure, at="edge")
        (axes,) = figure.axes
        assert axes.get_ylabel() == "remaining value"
        assert axes.get_title().startswith("Remaining value expiring per week")

    def test_weight_by_definition(self) -> None:
        counts: list[Any] = [1, 3, 2, None, None, None, 4]
        table = held().assign(remaining_count=pd.Series(counts, dtype="Int64"))  # nulls are NA
        figure = plot_expiry_calendar(table, by="definition", weight="remaining_count")
        expected = {"gym": {"2027-03-01": 3}, "spa": {"2027-03-01": 1, "2027-03-08": 2}}
        assert expected == bars(figure, at="edge")
        (axes,) = figure.axes
        assert whole_ticks(axes.get_yticks(), axes.get_ylim())

    def test_weight_accepts_float_and_polars_decimal_cells(self) -> None:
        expected = bars(plot_expiry_calendar(held(), weight="remaining_value"), at="edge")
        values: list[Any] = [None, None, None, 5.5, 2.25, 1.0, None]
        as_float = held().assign(remaining_value=pd.Series(values, dtype="float64"))
        assert bars(plot_expiry_calendar(as_float, weight="remaining_value"), at="edge") == expected
        as_polars = pl.from_pandas(held().drop(columns=["remaining_value"])).with_columns(
            pl.Series("remaining_value", list(held()["remaining_value"]), dtype=pl.Decimal(10, 2))
        )
        assert (
            bars(plot_expiry_calendar(as_polars, weight="remaining_value"), at="edge") == expected
        )

    @pytest.mark.parametrize(
        "cell", [pytest.param("5.50", id="text"), pytest.param(True, id="bool")]
    )
    def test_a_weight_that_is_not_a_number_is_named(self, cell: object) -> None:
        table = pd.DataFrame({"kind": ["reward"], "expires_on": [date(2027, 3, 1)], "v": [cell]})
        with pytest.raises(InvalidRequest, match=r"^weight: expected finite numbers .*'v'"):
            plot_expiry_calendar(table, weight="v")

    def test_a_missing_weight_column_is_named(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^table: .*'remaining_value'"):
            plot_expiry_calendar(
                expiry_table(items()).drop(columns=["remaining_value"], errors="ignore"),
                weight="remaining_value",
            )

    def test_by_definition_needs_a_definition_column(self) -> None:
        table = held().drop(columns=["definition"])
        with pytest.raises(InvalidRequest, match=r"^table: .*'definition'"):
            plot_expiry_calendar(table, by="definition")

    def test_typed_date_columns_and_text_draw_the_same_bars(self) -> None:
        expected = bars(plot_expiry_calendar(held()), at="edge")
        as_datetime64 = held().assign(expires_on=pd.to_datetime(held()["expires_on"]))
        as_text = held().assign(expires_on=[d and d.isoformat() for d in held()["expires_on"]])
        as_polars = pl.from_pandas(held().drop(columns=["remaining_value"]))
        assert as_polars.schema["expires_on"] == pl.Date
        for table in (as_datetime64, as_text, as_polars):
            assert bars(plot_expiry_calendar(table), at="edge") == expected

    def test_the_last_days_of_year_9999_are_drawn(self) -> None:
        last = Reward(id=9, value_initial=Decimal(1), expires_at=utc("9999-12-30 23:59:59"))
        figure = plot_expiry_calendar(expiry_table([last]), week_start="friday")
        assert bars(figure, at="edge") == {"Rewards": {"9999-12-24": 1}}
        assert png_of(figure).startswith(PNG_SIGNATURE)

    def test_the_first_week_of_year_1_is_drawn(self) -> None:
        first = Reward(id=9, value_initial=Decimal(1), expires_at=utc("0001-01-02 12:00:00"))
        figure = plot_expiry_calendar(expiry_table([first]), week_start="sunday")
        assert bars(figure, at="edge") == {"Rewards": {"0001-01-01": 1}}
        assert png_of(figure).startswith(PNG_SIGNATURE)

    def test_a_span_past_max_weeks_asks_to_filter(self) -> None:
        spread = [
            Reward(id=1, value_initial=Decimal(1), expires_at=utc("2027-01-01 00:00:00")),
            Reward(id=2, value_initial=Decimal(1), expires_at=utc("2500-01-01 00:00:00")),
        ]
        with pytest.raises(InvalidRequest, match=r"table: expected expiries within 520 weeks"):
            plot_expiry_calendar(expiry_table(spread))

    def test_colours_are_fixed_per_kind(self) -> None:
        (axes,) = plot_expiry_calendar(expiry_table(items())).axes
        kinds = {"Benefits": "benefit", "Rewards": "reward", "Credits": "credit"}
        for container in axes.containers:
            kind = kinds[str(container.get_label())]
            assert all(to_rgba(KIND_COLORS[kind]) == p.get_facecolor() for p in container)

    def test_polars_input_draws_the_same_bars(self) -> None:
        pandas_figure = plot_expiry_calendar(expiry_table(items()))
        polars_figure = plot_expiry_calendar(expiry_table(items(), backend="polars"))
        assert bars(pandas_figure, at="edge") == bars(polars_figure, at="edge")

    @pytest.mark.parametrize("parse", [True, False], ids=["parse-dates", "text"])
    def test_a_table_read_back_from_csv_is_accepted(self, *, parse: bool) -> None:
        buffer = io.StringIO()
        expiry_table(items()).to_csv(buffer, index=False)
        buffer.seek(0)
        table = pd.read_csv(buffer, parse_dates=["expires_on"] if parse else False)
        assert bars(plot_expiry_calendar(table), at="edge") == bars(
            plot_expiry_calendar(expiry_table(items())), at="edge"
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

    def test_bad_by_is_named(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^by: expected 'kind', 'definition' or None"):
            plot_expiry_calendar(held(), by="tier")  # type: ignore[arg-type]

    def test_bad_by_kind_is_named(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^by_kind: "):
            plot_expiry_calendar(expiry_table(items()), by_kind="yes")  # type: ignore[arg-type]
        with pytest.raises(InvalidRequest, match=r"^by_kind: expected by_kind left out"):
            plot_expiry_calendar(held(), by="definition", by_kind=True)

    def test_a_bad_weight_is_named(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^weight: expected a column name, got 3"):
            plot_expiry_calendar(held(), weight=3)  # type: ignore[arg-type]

    def test_a_missing_column_is_named(self) -> None:
        table = expiry_table(items()).drop(columns=["expires_on"])
        with pytest.raises(InvalidRequest, match=r"^table: .*'expires_on'"):
            plot_expiry_calendar(table)

    def test_a_cell_that_is_not_a_date_is_named(self) -> None:
        table = pd.DataFrame({"kind": ["reward"], "expires_on": ["soon"]})
        with pytest.raises(InvalidRequest, match=r"^table: expected dates .*'soon'"):
            plot_expiry_calendar(table)

    def test_renders_to_png(self) -> None:
        data = png_of(plot_expiry_calendar(expiry_table(items())))
        assert data.startswith(PNG_SIGNATURE)
        assert len(data) > 10_000


def test_importing_plots_neither_imports_pyplot_nor_fixes_the_date_epoch() -> None:
    code = (
        "import sys, loyalty_core.analysis.plots\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
        "import matplotlib.dates\n"
        "matplotlib.dates.set_epoch('2000-01-01T00:00:00')  # raises once a date is converted\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # noqa: S603


# --- the tutorial's figures ----------------------------------------------------------------------


def example_members() -> pd.DataFrame:
    members = pd.read_csv(example_path("members.csv"))
    members["flattened_tags"] = members["flattened_tags"].map(
        lambda cell: cell.split(";") if isinstance(cell, str) else []
    )
    return members


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
            "expiry-calendar.png",
            lambda: plot_expiry_calendar(example_expiry(), by="definition"),
            id="calendar",
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


def deep_list(depth: int) -> list[Any]:
    """A list nested ``depth`` levels deep, built without recursion."""
    nested: list[Any] = []
    for _ in range(depth - 1):
        nested = [nested]
    return nested


class TestHostileInput:
    """Hostile cells and arguments are InvalidRequest at their parameter, never another error."""

    def test_a_huge_integer_weight_is_named(self) -> None:
        table = pd.DataFrame(
            {"kind": ["reward"], "expires_on": [date(2027, 3, 1)], "v": [10**5000]}
        )
        with pytest.raises(InvalidRequest, match=r"^weight: expected finite numbers .*5001 digits"):
            plot_expiry_calendar(table, weight="v")

    @pytest.mark.parametrize("by", ["definition", "kind"])
    @pytest.mark.parametrize(
        "cell",
        [
            pytest.param(10**5000, id="huge-int"),
            pytest.param(deep_list(10_000), id="deep-list"),
            pytest.param(3, id="int"),
        ],
    )
    def test_a_group_cell_that_is_not_text_is_named(self, by: str, cell: object) -> None:
        table = pd.DataFrame(
            {
                "kind": ["reward", "reward"],
                "definition": ["spa", "spa"],
                "expires_on": [date(2027, 3, 1)] * 2,
            }
        )
        table[by] = pd.Series(["spa", cell], dtype="object")
        with pytest.raises(InvalidRequest) as error:
            plot_expiry_calendar(table, by=by)  # type: ignore[arg-type]
        assert [p.where for p in error.value.problems] == ["table"]
        message = str(error.value)
        assert f"in the '{by}' column" in message
        assert message.endswith("in row 1")
        assert len(message) < 300

    @pytest.mark.parametrize(
        "cell",
        [pytest.param([1, 2], id="list"), pytest.param({"a": 1}, id="dict")],
    )
    def test_an_unhashable_instant_cell_is_named(self, cell: object) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        column = instant_column(frame)
        frame[column] = pd.Series([cell, *frame[column][1:]], dtype="object")
        for plot in (plot_eligibility, plot_reasons):
            with pytest.raises(InvalidRequest, match=r"^frame: expected aware datetimes"):
                plot(frame)

    @pytest.mark.parametrize(
        "cell",
        [
            pytest.param([1, 2], id="list"),
            pytest.param(10**5000, id="huge-int"),
            pytest.param(None, id="null"),
        ],
    )
    def test_a_definition_cell_that_is_not_text_is_named(self, cell: object) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        frame["definition"] = pd.Series(["lounge", cell, "lounge"], dtype="object")
        for plot in (plot_eligibility, plot_reasons):
            with pytest.raises(InvalidRequest) as error:
                plot(frame)
            assert [p.where for p in error.value.problems] == ["frame"]
            assert "in the 'definition' column" in str(error.value)
            assert str(error.value).endswith("in row 1")

    def test_a_huge_integer_as_the_only_definition_is_named(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        frame["definition"] = pd.Series([10**5000] * 3, dtype="object")
        with pytest.raises(InvalidRequest, match=r"^frame: expected text .*5001 digits"):
            plot_eligibility(frame)

    def test_a_null_flag_is_named(self) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        frame["allowed"] = pd.Series([True, pd.NA, False], dtype="boolean")
        with pytest.raises(InvalidRequest, match=r"^frame: expected booleans in the 'allowed'"):
            plot_reasons(frame)

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param(pd.Series(["lounge"]), id="series"),
            pytest.param(np.array(["lounge"]), id="array"),
            pytest.param(["lounge"], id="list"),
        ],
    )
    def test_a_definition_that_is_not_text_is_named(self, value: object) -> None:
        frame = claim_eligibility(MEMBERS, lounge(), at=AFTER, timezone="UTC")
        for plot in (plot_eligibility, plot_reasons):
            with pytest.raises(InvalidRequest, match=r"^definition: expected a definition handle"):
                plot(frame, definition=value)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param(pd.Series(["kind"]), id="series"),
            pytest.param(np.array(["kind"]), id="array"),
            pytest.param(["kind"], id="list"),
        ],
    )
    def test_by_and_week_start_that_are_not_text_are_named(self, value: object) -> None:
        with pytest.raises(InvalidRequest, match=r"^by: expected 'kind', 'definition' or None"):
            plot_expiry_calendar(held(), by=value)  # type: ignore[arg-type]
        with pytest.raises(InvalidRequest, match=r"^by: "):
            plot_expiry_calendar(held(), by=value, by_kind=True)  # type: ignore[arg-type]
        with pytest.raises(InvalidRequest, match=r"^week_start: expected one of"):
            plot_expiry_calendar(held(), week_start=value)  # type: ignore[arg-type]
