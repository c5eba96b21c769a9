"""Plots of analysis frames: claim eligibility over time, why claims fail, an expiry calendar.

Each function returns a :class:`matplotlib.figure.Figure` built with matplotlib's
object-oriented API, never ``pyplot``: no global state, no dependence on the display backend,
so it works headless (in a test, a notebook or a web service). Save one with
``figure.savefig("eligibility.png")``; in a notebook, a figure as the last expression of a cell
is shown. With ``ax``, a plot is drawn on that axes and the figure holding it returned.

They take pandas or polars frames, as returned by
:func:`~loyalty_core.analysis.claim_eligibility` and
:func:`~loyalty_core.analysis.expiry_table`. A frame missing a column, or a bad argument,
raises :class:`~loyalty_core.InvalidRequest` naming the parameter.

The figures are made to be read on a slide: time runs along a real date axis (uneven gaps
show as gaps, and ticks are thinned to a readable few whatever the number of instants),
count axes have whole-number ticks, and legends use the human labels of
:data:`~loyalty_core.decisions.REASON_LABELS`. Colours are stable: an outcome (``allowed`` or
a reason code) or an item kind has the same colour in every plot (:data:`OUTCOME_COLORS`,
:data:`KIND_COLORS`), so figures can be compared side by side.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from numbers import Real
from types import MappingProxyType
from typing import Any, Final, Literal

from loyalty_core.analysis._batch import CLAIM_CODES
from loyalty_core.analysis._frames import columns_of, is_frame, is_null
from loyalty_core.decisions import ReasonCode
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import show

try:
    from matplotlib import dates as mdates
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import Formatter, Locator, MaxNLocator, PercentFormatter
except ImportError:  # pragma: no cover - the analysis extra brings matplotlib
    msg = "loyalty_core.analysis.plots needs matplotlib: pip install 'loyalty-core[analysis]'"
    raise ImportError(msg) from None

__all__ = [
    "KIND_COLORS",
    "MAX_WEEKS",
    "OUTCOME_COLORS",
    "StackBy",
    "Weekday",
    "plot_eligibility",
    "plot_expiry_calendar",
    "plot_reasons",
]

ALLOWED: Final = "allowed"

OUTCOME_COLORS: Final[Mapping[str, str]] = MappingProxyType(
    {
        ALLOWED: "#2ca02c",
        ReasonCode.NOT_CLAIMABLE.value: "#7f7f7f",
        ReasonCode.ARCHIVED.value: "#8c564b",
        ReasonCode.UNPUBLISHED.value: "#c7c7c7",
        ReasonCode.NOT_ASSIGNABLE.value: "#e377c2",
        ReasonCode.CLAIM_WINDOW_NOT_OPEN.value: "#1f77b4",
        ReasonCode.CLAIM_WINDOW_CLOSED.value: "#17becf",
        ReasonCode.DEFINITION_ENDED.value: "#393b79",
        ReasonCode.CONDITION_NOT_MET.value: "#ff7f0e",
        ReasonCode.ALREADY_CLAIMED.value: "#9467bd",
        ReasonCode.ACTIVE_CLAIM_EXISTS.value: "#c5b0d5",
        ReasonCode.CLAIM_TIMEFRAME_LIMIT.value: "#bcbd22",
        ReasonCode.GLOBAL_REDEMPTIONS_EXHAUSTED.value: "#d62728",
        ReasonCode.ALLOCATIONS_EXHAUSTED.value: "#ff9896",
        ReasonCode.CAMPAIGN_ALREADY_CLAIMED.value: "#f7b6d2",
    }
)
"""The colour of each outcome in :func:`plot_eligibility` and :func:`plot_reasons`, keyed by
code: ``allowed`` (green) and every code of :data:`~loyalty_core.analysis.CLAIM_CODES`."""

KIND_COLORS: Final[Mapping[str, str]] = MappingProxyType(
    {"benefit": "#1f77b4", "reward": "#ff7f0e", "credit": "#9467bd"}
)
"""The colour of each item kind in :func:`plot_expiry_calendar`; other kinds are grey."""

_KIND_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {"benefit": "Benefits", "reward": "Rewards", "credit": "Credits"}
)

_OTHER_COLOR: Final = "#7f7f7f"

# Definitions have no colour of their own: they take these in order of size, and the ones
# past the last share "other definitions", so a legend never grows past a readable length.
_SERIES_COLORS: Final = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
)
_NO_DEFINITION: Final = "No definition"
_NO_DEFINITION_COLOR: Final = "#c7c7c7"

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
"""The day a calendar week starts on."""

_WEEKDAYS: Final[tuple[Weekday, ...]] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

_FIGSIZE: Final = (9.0, 4.8)

MAX_WEEKS: Final = 520
"""The most weeks :func:`plot_expiry_calendar` draws (ten years of bars); a longer span is an
error asking to filter the table, rather than an unreadable figure."""

# Bars fill this share of the smallest gap between two neighbours; past _SOLID_BARS bars they
# touch, since a sliver of white between bars a pixel wide only draws stripes.
_BAR_FILL: Final = 0.8
_SOLID_BARS: Final = 120
_MAX_TICKS: Final = 9


def _date2num(value: date) -> float:
    """Return matplotlib's day number of a date or an aware datetime (its epoch, its units)."""
    convert: Callable[[date], float] = mdates.date2num  # matplotlib.dates is not annotated
    return float(convert(value))


# --- shared helpers ----------------------------------------------------------------------------


def _canvas(ax: Axes | None) -> tuple[Figure, Axes]:
    """Return a new figure with one axes, or ``ax`` with the figure it belongs to."""
    if ax is None:
        figure = Figure(figsize=_FIGSIZE, layout="constrained")
        return figure, figure.add_subplot()
    if not isinstance(ax, Axes):
        raise InvalidRequest(Problem("ax", f"expected matplotlib Axes or None, got {show(ax)}"))
    parent = ax.figure  # the Figure, or a SubFigure of it
    root = parent if isinstance(parent, Figure) else parent.figure
    return root, ax


def _check_bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidRequest(Problem(where, f"expected a bool, got {show(value)}"))
    return value


def _label(outcome: str) -> str:
    """Return the legend label of an outcome: ``Allowed``, or the reason code's human label.

    >>> _label("allowed"), _label("claim_window_not_open")
    ('Allowed', 'Claim window not open yet')
    """
    return "Allowed" if outcome == ALLOWED else ReasonCode(outcome).label


def _instant(value: object, where: str, column: str) -> datetime:
    """Return a cell of the instant column as a plain aware UTC datetime."""
    to_py = getattr(value, "to_pydatetime", None)  # a pandas Timestamp
    if to_py is not None and not is_null(value):
        value = to_py()
    if not isinstance(value, datetime) or value.tzinfo is None:
        msg = f"expected aware datetimes in the {show(column)} column, got {show(value)}"
        raise InvalidRequest(Problem(where, msg))
    return value.astimezone(UTC)


def _day(value: object, where: str) -> date | None:
    """Return a cell of an ``expires_on`` column as a date, or ``None`` when null.

    Dates, datetimes (a pandas ``datetime64`` column normalised to midnight) and ISO text (a
    table read back from CSV without ``parse_dates``) are read as the date they name.

    >>> _day("2027-03-01", "table"), _day("2027-03-01 00:00:00", "table")
    (datetime.date(2027, 3, 1), datetime.date(2027, 3, 1))
    """
    if is_null(value):
        return None
    to_py = getattr(value, "to_pydatetime", None)
    if to_py is not None:
        value = to_py()
    if isinstance(value, str):
        with contextlib.suppress(ValueError):  # not ISO text: refused below
            value = datetime.fromisoformat(value.strip())
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    msg = f"expected dates (or nulls) in the 'expires_on' column, got {show(value)}"
    raise InvalidRequest(Problem(where, msg))


def _number(value: object, column: str) -> float:
    """Return a cell of a ``weight`` column as a float; a null weighs 0."""
    if is_null(value):
        return 0.0
    if isinstance(value, Decimal | Real) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer past a double's range (10**5000, say)
            number = math.inf
        if math.isfinite(number):
            return number
    msg = f"expected finite numbers (or nulls) in the {show(column)} column, got {show(value)}"
    raise InvalidRequest(Problem("weight", msg))


def _text(value: object, where: str, column: str, row: int) -> str | None:
    """Return a cell of a text column (``definition``, ``kind``), or ``None`` when null."""
    if isinstance(value, str):
        return value
    if is_null(value):
        return None
    msg = f"expected text (or nulls) in the {show(column)} column, got {show(value)} in row {row}"
    raise InvalidRequest(Problem(where, msg))


def _flags(data: Mapping[str, Sequence[Any]], names: Sequence[str], where: str) -> None:
    """Check that the ``names`` columns of ``data`` hold booleans only (Python or numpy)."""
    for name in names:
        for row, value in enumerate(data[name]):
            if isinstance(value, bool):
                continue
            kind = type(value)
            if kind.__module__ == "numpy" and kind.__name__ in {"bool", "bool_"}:
                continue
            msg = f"expected booleans in the {show(name)} column, got {show(value)} in row {row}"
            raise InvalidRequest(Problem(where, msg))


def _bar_width(starts: Sequence[float], default: float) -> float:
    """Return the width of bars at ``starts`` (sorted day numbers): a share of the least gap."""
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    gap = min(gaps, default=default)
    return gap if len(starts) > _SOLID_BARS else gap * _BAR_FILL


def _stack(  # noqa: PLR0913 - the bars' geometry and their look
    axes: Axes,
    starts: Sequence[float],
    *,
    width: float,
    series: Mapping[str, Sequence[float]],
    colors: Mapping[str, str],
    labels: Mapping[str, str],
    align: Literal["center", "edge"],
) -> None:
    """Draw a bar at each of ``starts``, stacking ``series`` bottom-up in the mapping's order.

    Only bars taller than zero are drawn: a zero one shows nothing, and hundreds of them slow
    matplotlib down (it tracks each patch's limits).
    """
    bottom = [0.0] * len(starts)
    for name, heights in series.items():
        drawn = [n for n, height in enumerate(heights) if height]
        axes.bar(
            [starts[n] for n in drawn],
            [heights[n] for n in drawn],
            bottom=[bottom[n] for n in drawn],
            width=width,
            align=align,
            label=labels.get(name, name),
            color=colors.get(name, _OTHER_COLOR),
            linewidth=0,
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]


def _date_axis(axes: Axes) -> None:
    """Make the x axis a UTC date axis, with a readable few ticks whatever its span.

    Call it before drawing: setting the units afterwards recomputes every patch's limits.
    """
    axes.xaxis_date(UTC)
    # matplotlib.dates is not annotated: typed names for the two classes it lends.
    auto: Callable[..., Locator] = mdates.AutoDateLocator
    concise: Callable[..., Formatter] = mdates.ConciseDateFormatter
    locator = auto(tz=UTC, minticks=3, maxticks=_MAX_TICKS)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(concise(locator, tz=UTC))


def _date_limits(axes: Axes, low: float, high: float) -> None:
    """Show dates ``low`` to ``high`` (day numbers), within the years 1 to 9999."""
    # matplotlib's dates run from 0001-01-01 to 9999-12-31. Day numbers depend on its epoch,
    # fixed at the first conversion: never convert at import, so a caller may still set it.
    first = _date2num(datetime(1, 1, 1, tzinfo=UTC))
    last = _date2num(datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
    axes.set_xlim(max(low, first), min(high, last))


def _count_axis(axis: Any, *, share: bool) -> None:
    """Give a count axis whole-number ticks, or a share axis percent ticks."""
    if share:
        axis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    else:
        axis.set_major_locator(MaxNLocator(integer=True))


def _legend(axes: Axes, title: str) -> None:
    """Put the legend right of the axes, in the order the series stack up from the bottom."""
    axes.legend(
        title=title,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize="small",
        frameon=False,
    )


# --- eligibility ---------------------------------------------------------------------------------


Tally = Counter[tuple[datetime, tuple[str, ...]]]
"""How many rows of one definition were decided at each instant with each set of failed rules
(the codes in the CLM table's order; none for an allowed row)."""


def _failed(allowed: bool, flags: Sequence[bool]) -> tuple[str, ...]:  # noqa: FBT001 - a cell
    """Return the codes a row failed, in the CLM table's order; none when it is allowed.

    ``flags`` are the row's boolean columns, one per code of
    :data:`~loyalty_core.analysis.CLAIM_CODES`, in that order.

    >>> _failed(False, [c in ("claim_window_not_open", "condition_not_met")
    ...                 for c in CLAIM_CODES])
    ('claim_window_not_open', 'condition_not_met')
    """
    if allowed:
        return ()
    failed = tuple(code.value for code, flag in zip(CLAIM_CODES, flags, strict=True) if flag)
    if not failed:
        shown = {code.value: bool(flag) for code, flag in zip(CLAIM_CODES, flags, strict=True)}
        msg = f"a refused row has no reason column set: {show(shown)}"
        raise InvalidRequest(Problem("frame", msg))
    return failed


def _instant_column(frame: Any) -> str:
    """Return the instant column's name: ``instant``, or ``at`` (frames of earlier releases)."""
    if is_frame(frame) and "instant" not in frame.columns and "at" in frame.columns:
        return "at"
    return "instant"


def _chosen(labels: Sequence[object], definition: str | None) -> str:
    """Return the definition to plot: ``definition``, or the frame's only one."""
    for row, label in enumerate(labels):
        if not isinstance(label, str):
            msg = f"expected text in the 'definition' column, got {show(label)} in row {row}"
            raise InvalidRequest(Problem("frame", msg))
    present = list(dict.fromkeys(labels))
    if definition is None:
        if len(present) > 1:
            msg = f"expected one of {show(present)} since the frame holds several definitions"
            raise InvalidRequest(Problem("definition", msg))
        return str(present[0])
    if definition in present:
        return definition
    msg = f"expected one of the frame's definitions {show(present)}, got {show(definition)}"
    raise InvalidRequest(Problem("definition", msg))


def _tally(frame: Any, definition: str | None) -> tuple[str, Tally]:
    """Return the chosen definition's handle and how its rows were decided at each instant.

    Only the ``allowed`` and per-code boolean columns are read, never ``reasons``.
    """
    codes = [code.value for code in CLAIM_CODES]
    column = _instant_column(frame)
    if definition is not None and not isinstance(definition, str):
        msg = f"expected a definition handle (a string) or None, got {show(definition)}"
        raise InvalidRequest(Problem("definition", msg))
    data = columns_of(frame, ["definition", column, "allowed", *codes], name="frame")
    if not data["allowed"]:
        raise InvalidRequest(Problem("frame", "expected at least one row, got none"))
    labels = data["definition"]
    _flags(data, ["allowed", *codes], "frame")
    chosen = _chosen(labels, definition)
    raw: Counter[tuple[datetime, tuple[str, ...]]] = Counter()
    flags = zip(*(data[code] for code in codes), strict=True)
    for label, cell, allowed, row in zip(labels, data[column], data["allowed"], flags, strict=True):
        if label == chosen:
            # A datetime (a pandas Timestamp is one) is a key as it is; anything else is read
            # as an instant first, which refuses it (a list or dict cell could not be a key).
            key = cell if isinstance(cell, datetime) else _instant(cell, "frame", column)
            raw[key, _failed(bool(allowed), row)] += 1
    tally: Tally = Counter()
    instants: dict[datetime, datetime] = {}
    for (cell, failed), count in raw.items():
        if cell not in instants:
            instants[cell] = _instant(cell, "frame", column)
        tally[instants[cell], failed] += count
    return chosen, tally


def plot_eligibility(
    frame: Any,
    *,
    definition: str | None = None,
    share: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Plot claim eligibility over time: a stacked bar per instant, refusals by first failed rule.

    ``frame`` is a :func:`~loyalty_core.analysis.claim_eligibility` frame (pandas or polars),
    usually evaluated at several instants. Each bar stands at its instant on a UTC date axis
    (uneven gaps between instants show; bars are as wide as most of the smallest gap), and
    stacks the rows of that instant: ``Allowed`` at the bottom, then each refusal reason in
    the CLM table's order. A row refused for several reasons is counted once, under its *first*
    failed rule (the earliest in the CLM table), so a bar's height is the number of members
    evaluated at that instant; :func:`plot_reasons` shows every rule a row fails, overlaps
    included.

    ``share=True`` draws each outcome's percentage of the rows at its instant instead of a
    count, so every bar reaches 100%. One definition is plotted: ``definition`` (a handle, as
    in the frame's ``definition`` column) picks it, and may be left out when the frame holds
    only one. The legend uses the reasons' human labels
    (:attr:`~loyalty_core.decisions.ReasonCode.label`) and colours follow
    :data:`OUTCOME_COLORS`; only the outcomes that occur are drawn. The frame's instants are
    read from its ``instant`` column (``at`` in a frame from an older release).

    >>> from datetime import UTC, datetime
    >>> from loyalty_core import BenefitDefinition
    >>> from loyalty_core.analysis import claim_eligibility
    >>> gold = BenefitDefinition(handle="gold-lounge", is_claimable=True, is_published=True,
    ...                          is_assignable=True,
    ...                          claim_condition={"==": [{"var": "tier_handle"}, "gold"]})
    >>> frame = claim_eligibility([{"id": "m-1", "tier_handle": "gold"},
    ...                            {"id": "m-2", "tier_handle": "silver"}], gold,
    ...                           at=[datetime(2026, 3, 1, tzinfo=UTC),
    ...                               datetime(2026, 3, 2, tzinfo=UTC)], timezone="UTC")
    >>> figure = plot_eligibility(frame)
    >>> [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    ['Allowed', 'Condition not met']
    """
    _check_bool(share, "share")
    chosen, tally = _tally(frame, definition)
    counts: dict[datetime, Counter[str]] = {}
    for (instant, failed), count in tally.items():
        counts.setdefault(instant, Counter())[failed[0] if failed else ALLOWED] += count

    instants = sorted(counts)
    codes = [code.value for code in CLAIM_CODES]
    outcomes = [o for o in (ALLOWED, *codes) if any(counts[t][o] for t in instants)]
    totals = [counts[t].total() for t in instants]
    series = {
        o: [
            100 * counts[t][o] / total if share else counts[t][o]
            for t, total in zip(instants, totals, strict=True)
        ]
        for o in outcomes
    }
    starts = [_date2num(t) for t in instants]
    width = _bar_width(starts, default=1.0)
    figure, axes = _canvas(ax)
    labels = {o: _label(o) for o in outcomes}
    _date_axis(axes)
    _stack(
        axes,
        starts,
        width=width,
        series=series,
        colors=OUTCOME_COLORS,
        labels=labels,
        align="center",
    )
    _date_limits(axes, starts[0] - width, starts[-1] + width)
    _count_axis(axes.yaxis, share=share)
    what = "share of members" if share else "members"
    axes.set_title(f"Claim eligibility: {chosen}\n({what}; refused ones by first failed rule)")
    axes.set_xlabel("instant (UTC)")
    axes.set_ylabel(what)
    if share:
        axes.set_ylim(0, 100)
    _legend(axes, "outcome")
    return figure


def plot_reasons(
    frame: Any,
    *,
    definition: str | None = None,
    share: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Plot how often each claim rule fails: every rule a row fails, overlaps included.

    ``frame`` is a :func:`~loyalty_core.analysis.claim_eligibility` frame (pandas or polars).
    Each failed rule (in the CLM table's order, top to bottom, only those that fail at all)
    gets a horizontal bar in two tones: the pale bar counts the rows that fail it *at all*,
    whatever else they fail, so a row refused for three reasons counts under each; the solid
    part counts the rows it refuses *alone*, the ones that would be allowed if only that rule
    gave way. Each bar is labelled with both counts. Where the pale bar is much longer than
    the solid one, the rule mostly fails together with others. :func:`plot_eligibility`
    stacks each refused row once only, under its first failed rule.

    Every row of the chosen definition counts, at every instant of the frame (filter the frame
    to one instant to count members). ``share=True`` draws percentages of all those rows,
    allowed ones included (the bars may add up to more than 100%). ``definition`` picks the
    definition as in :func:`plot_eligibility`. Rules are named by their human labels and
    coloured per :data:`OUTCOME_COLORS`.

    >>> from datetime import UTC, datetime
    >>> from loyalty_core import BenefitDefinition
    >>> from loyalty_core.analysis import claim_eligibility
    >>> late = BenefitDefinition(handle="late", is_claimable=True, is_published=True,
    ...                          is_assignable=True,
    ...                          claim_period_start_at=datetime(2026, 4, 1, tzinfo=UTC),
    ...                          claim_condition={"==": [{"var": "tier_handle"}, "gold"]})
    >>> frame = claim_eligibility([{"id": "m-1", "tier_handle": "gold"},
    ...                            {"id": "m-2", "tier_handle": "silver"}], late,
    ...                           at=datetime(2026, 3, 1, tzinfo=UTC), timezone="UTC")
    >>> axes = plot_reasons(frame).axes[0]
    >>> [label.get_text() for label in axes.get_yticklabels()]
    ['Claim window not open yet', 'Condition not met']
    >>> [[int(bar.get_width()) for bar in bars] for bars in axes.containers]
    [[2, 1], [1, 0]]
    """
    _check_bool(share, "share")
    chosen, tally = _tally(frame, definition)
    every: Counter[str] = Counter()
    alone: Counter[str] = Counter()
    for (_, failed), count in tally.items():
        for code in failed:
            every[code] += count
        if len(failed) == 1:
            alone[failed[0]] += count
    reasons = [code.value for code in CLAIM_CODES if every[code.value]]
    total = tally.total()
    refused = sum(count for (_, failed), count in tally.items() if failed)
    scale = 100 / total if share else 1

    figure, axes = _canvas(ax)
    places = list(range(len(reasons)))
    colors = [OUTCOME_COLORS[r] for r in reasons]
    wide = [every[r] * scale for r in reasons]
    solid = [alone[r] * scale for r in reasons]
    axes.barh(places, wide, height=0.7, color=colors, alpha=0.35, label="fails it")
    axes.barh(places, solid, height=0.7, color=colors, label="fails only it")
    for place, r in zip(places, reasons, strict=True):
        text = f"{_amount(every[r] * scale, share)} ({_amount(alone[r] * scale, share)} alone)"
        axes.annotate(
            text,
            (every[r] * scale, place),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
        )
    axes.set_yticks(places, [_label(r) for r in reasons])
    axes.set_ylim(max(len(reasons), 1) - 0.5, -0.5)  # the CLM table's order, top to bottom
    # Room right of the longest bar for its label; a share axis stops its ticks at 100%.
    axes.set_xlim(0, max(wide, default=1) * 1.35)
    _count_axis(axes.xaxis, share=share)
    if share:
        axes.set_xticks(range(0, 101, 20))
    instants = sorted({instant for instant, _ in tally})
    # One instant: each row is a member. Several: a member counts once per instant.
    counted = "members" if len(instants) == 1 else "rows"
    when = (
        f"at {instants[0]:%Y-%m-%d %H:%M} UTC"
        if len(instants) == 1
        else f"over {len(instants)} instants, {instants[0]:%Y-%m-%d} to {instants[-1]:%Y-%m-%d}"
    )
    axes.set_title(
        f"Why claims of {chosen} are refused\n{refused} of {total} {counted} refused {when}"
    )
    unit = counted if len(instants) == 1 else "rows (a member at an instant)"
    axes.set_xlabel(f"share of {unit}" if share else unit)
    axes.legend(
        handles=[
            Patch(color=_OTHER_COLOR, alpha=0.35, label="fail this rule (maybe others too)"),
            Patch(color=_OTHER_COLOR, label="fail only this rule"),
        ],
        title=f"{counted} that",
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize="small",
        frameon=False,
    )
    if not reasons:
        axes.text(0.5, 0.5, "no claim refused", ha="center", va="center", transform=axes.transAxes)
    return figure


def _amount(value: float, share: bool) -> str:  # noqa: FBT001 - a formatting switch
    """Return a bar's label: a whole count, or a percentage to one decimal.

    >>> _amount(12.0, False), _amount(100 / 3, True)
    ('12', '33.3%')
    """
    return f"{value:.1f}%" if share else f"{value:.0f}"


# --- expiry calendar -----------------------------------------------------------------------------


def _week_start(day: date, week_start: Weekday = "monday") -> date:
    """Return the first day of the calendar week holding ``day``.

    >>> _week_start(date(2027, 3, 3)), _week_start(date(2027, 3, 3), "sunday")
    (datetime.date(2027, 3, 1), datetime.date(2027, 2, 28))
    """
    offset = (day.weekday() - _WEEKDAYS.index(week_start)) % 7
    if day.toordinal() <= offset:
        return date.min  # the week began before year 1: draw it from 0001-01-01
    return day - timedelta(days=offset)


StackBy = Literal["kind", "definition"]
"""What :func:`plot_expiry_calendar` stacks its bars by."""

_OTHER_DEFINITIONS: Final = "Other definitions"
_STACK_BY: Final[tuple[StackBy, ...]] = ("kind", "definition")


def _split(by: object, by_kind: object) -> StackBy | None:
    """Check ``by`` and the older ``by_kind`` switch; return what to stack by."""
    split = _stack_by(by)
    if by_kind is not None:
        _check_bool(by_kind, "by_kind")
        if split != "kind":
            msg = f"expected by_kind left out when by is given, got by_kind={show(by_kind)}"
            raise InvalidRequest(Problem("by_kind", msg))
        return "kind" if by_kind else None
    return split


def _stack_by(by: object) -> StackBy | None:
    """Check ``by``: a string first, since ``==`` compares a Series or an array item by item."""
    if by is None:
        return None
    if isinstance(by, str):
        for choice in _STACK_BY:
            if by == choice:
                return choice
    msg = f"expected 'kind', 'definition' or None, got {show(by)}"
    raise InvalidRequest(Problem("by", msg))


def _series_of(
    totals: Mapping[str, float], split: StackBy | None
) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Return the series to stack (bottom first), their colours and their legend labels.

    Kinds keep :data:`KIND_COLORS`; definitions take :data:`_SERIES_COLORS` largest first,
    the rest summed as one series, and items without a definition come last.
    """
    names = [name for name, amount in totals.items() if amount]
    if split is None:
        return names, {"items": KIND_COLORS["benefit"]}, {}
    if split == "kind":
        order = [k for k in KIND_COLORS if k in names]
        order += sorted(k for k in names if k not in KIND_COLORS)
        return order, dict(KIND_COLORS), {k: _KIND_LABELS.get(k, k) for k in order}
    handles = sorted((n for n in names if n != _NO_DEFINITION), key=lambda n: (-totals[n], n))
    order = handles[: len(_SERIES_COLORS)]
    colors = dict(zip(order, _SERIES_COLORS, strict=False))
    if len(handles) > len(order):
        order.append(_OTHER_DEFINITIONS)
    if _NO_DEFINITION in names:
        order.append(_NO_DEFINITION)
        colors[_NO_DEFINITION] = _NO_DEFINITION_COLOR
    return order, colors, {}


def plot_expiry_calendar(  # noqa: PLR0913 - a table, three choices of what to draw, and ax
    table: Any,
    *,
    by: StackBy | None = "kind",
    weight: str | None = None,
    week_start: Weekday = "monday",
    by_kind: bool | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Plot how many items (or how much value) expire each week, by local date.

    ``table`` is an :func:`~loyalty_core.analysis.expiry_table` frame (pandas or polars). An
    item is counted in the week of ``expires_on``, its expiry's *local* date in the item's own
    zone (TIME-3), so an item expiring at 09:00 on a Monday in Melbourne counts in the week that
    Monday starts, although it is still Sunday in UTC. Weeks start on ``week_start`` (Monday by
    default); each bar spans its week on a date axis, from the first day, and every week
    between the first and the last expiry is there, empty ones included (at most
    :data:`MAX_WEEKS`). ``expires_on`` may hold dates, datetimes or ISO text (a table read
    back from CSV).

    ``by`` chooses what the bars are stacked by: ``"kind"`` (the default: benefits, rewards,
    credits, coloured per :data:`KIND_COLORS`), ``"definition"`` (the ``definition`` column's
    handles, largest first; past eight, the rest are summed as "Other definitions", and items
    without a definition are drawn last, in grey), or ``None`` for plain bars. ``by_kind`` is
    the older switch: ``by_kind=False`` is ``by=None``.

    ``weight`` names a numeric column (``"remaining_value"``, say) whose cells are summed
    instead of counting items: Decimal, int or float cells, a null weighing 0. Items that never
    expire (a null ``expires_on``) are left out; the title says how many.

    >>> from datetime import UTC, datetime
    >>> from loyalty_core import Reward
    >>> from loyalty_core.analysis import expiry_table
    >>> rewards = [Reward(id=n, timezone="Australia/Melbourne", value_initial=10,
    ...                   expires_at=datetime(2027, 3, n, 12, 59, 59, tzinfo=UTC))
    ...            for n in (6, 7, 8)]
    >>> figure = plot_expiry_calendar(expiry_table(rewards))
    >>> axes = figure.axes[0]
    >>> from matplotlib.dates import num2date
    >>> [f"{num2date(bar.get_x()):%Y-%m-%d}" for bar in axes.patches]
    ['2027-03-01', '2027-03-08']
    >>> [int(bar.get_height()) for bar in axes.patches]
    [2, 1]
    """
    split = _split(by, by_kind)
    if not isinstance(week_start, str) or week_start not in _WEEKDAYS:
        msg = f"expected one of {show(list(_WEEKDAYS))}, got {show(week_start)}"
        raise InvalidRequest(Problem("week_start", msg))
    if weight is not None and not isinstance(weight, str):
        raise InvalidRequest(Problem("weight", f"expected a column name, got {show(weight)}"))
    per_week, never = _weekly(table, split, weight, week_start)
    weeks, series, colors, labels = _calendar(per_week, split)

    figure, axes = _canvas(ax)
    starts = [_date2num(week) for week in weeks]
    if weeks:
        _date_axis(axes)
    width = _bar_width(starts, default=7.0)
    _stack(axes, starts, width=width, series=series, colors=colors, labels=labels, align="edge")
    if all(float(h).is_integer() for heights in series.values() for h in heights):
        _count_axis(axes.yaxis, share=False)
    if weeks:
        _date_limits(axes, starts[0] - 7, starts[-1] + 14)
    else:
        axes.set_xticks([])
        axes.set_yticks([])
        axes.text(0.5, 0.5, "no item expires", ha="center", va="center", transform=axes.transAxes)
    what = "items" if weight is None else weight.replace("_", " ")
    left_out = f"; {never} without expiry left out" if never else ""
    axes.set_title(f"{what.capitalize()} expiring per week (local dates){left_out}")
    axes.set_xlabel(f"week starting {week_start.capitalize()} (local date)")
    axes.set_ylabel(what)
    if weeks and split is not None:
        _legend(axes, split)
    return figure


def _weekly(
    table: Any, split: StackBy | None, weight: str | None, week_start: Weekday
) -> tuple[dict[date, dict[str, float]], int]:
    """Return the amount expiring each week per series, and how many items never expire."""
    names = ["kind", "expires_on"]
    if split == "definition":
        names.append("definition")
    if weight is not None:
        names.append(weight)
    data = columns_of(table, list(dict.fromkeys(names)), name="table")
    per_week: dict[date, dict[str, float]] = {}
    never = 0
    for index, cell in enumerate(data["expires_on"]):
        day = _day(cell, "table")
        if day is None:
            never += 1
            continue
        name = "items"
        if split is not None:
            group = _text(data[split][index], "table", split, index)
            name = _NO_DEFINITION if group is None else group
        amount = 1.0 if weight is None else _number(data[weight][index], weight)
        bucket = per_week.setdefault(_week_start(day, week_start), {})
        bucket[name] = bucket.get(name, 0.0) + amount
    return per_week, never


def _calendar(
    per_week: Mapping[date, Mapping[str, float]], split: StackBy | None
) -> tuple[list[date], dict[str, list[float]], dict[str, str], dict[str, str]]:
    """Return every week from the first to the last, each series' bars, colours and labels."""
    totals: Counter[str] = Counter()
    for bucket in per_week.values():
        totals.update(bucket)
    order, colors, labels = _series_of(totals, split)
    weeks: list[date] = []
    if per_week:
        first, last = min(per_week), max(per_week)
        count = (last - first).days // 7 + 1
        if count > MAX_WEEKS:
            msg = (
                f"expected expiries within {MAX_WEEKS} weeks to draw, got {count} weeks from "
                f"{first} to {last}; filter the table first"
            )
            raise InvalidRequest(Problem("table", msg))
        weeks = [first + timedelta(weeks=n) for n in range(count)]
    series: dict[str, list[float]] = {name: [] for name in order}
    for week in weeks:
        bucket = per_week.get(week, {})
        for name in order:
            series[name].append(bucket.get(name, 0.0))
        if _OTHER_DEFINITIONS in series:  # every definition past the ones drawn on their own
            series[_OTHER_DEFINITIONS][-1] = sum(
                amount for name, amount in bucket.items() if name not in series
            )
    return weeks, series, colors, labels
