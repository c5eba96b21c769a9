"""Plots of analysis frames: claim eligibility over time, and an expiry calendar.

Each function returns a :class:`matplotlib.figure.Figure` built with matplotlib's
object-oriented API, never ``pyplot``: no global state, no dependence on the display backend,
so it works headless (in a test, a notebook or a web service). Save one with
``figure.savefig("eligibility.png")``; in a notebook, a figure as the last expression of a cell
is shown.

Both take pandas or polars frames, as returned by
:func:`~loyalty_core.analysis.claim_eligibility` and
:func:`~loyalty_core.analysis.expiry_table`. A frame missing a column, or a bad argument,
raises :class:`~loyalty_core.InvalidRequest` naming the parameter.

Colours are stable: an outcome (``allowed`` or a reason code) or an item kind has the same
colour in every plot (:data:`OUTCOME_COLORS`, :data:`KIND_COLORS`), so figures can be compared
side by side.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any, Final, Literal

from loyalty_core.analysis._batch import CLAIM_CODES
from loyalty_core.analysis._frames import columns_of, is_null
from loyalty_core.decisions import ReasonCode
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import show

try:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
except ImportError:  # pragma: no cover - the analysis extra brings matplotlib
    msg = "loyalty_core.analysis.plots needs matplotlib: pip install 'loyalty-core[analysis]'"
    raise ImportError(msg) from None

__all__ = [
    "KIND_COLORS",
    "MAX_WEEKS",
    "OUTCOME_COLORS",
    "Weekday",
    "plot_eligibility",
    "plot_expiry_calendar",
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
"""The colour of each outcome in :func:`plot_eligibility`: ``allowed`` (green) and every code of
:data:`~loyalty_core.analysis.CLAIM_CODES`."""

KIND_COLORS: Final[Mapping[str, str]] = MappingProxyType(
    {"benefit": "#1f77b4", "reward": "#ff7f0e", "credit": "#9467bd"}
)
"""The colour of each item kind in :func:`plot_expiry_calendar`; other kinds are grey."""

_OTHER_COLOR: Final = "#7f7f7f"

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


def _instant(value: object, where: str) -> datetime:
    """Return a cell of an ``at`` column as a plain aware UTC datetime."""
    to_py = getattr(value, "to_pydatetime", None)  # a pandas Timestamp
    if to_py is not None and not is_null(value):
        value = to_py()
    if not isinstance(value, datetime) or value.tzinfo is None:
        msg = f"expected aware datetimes in the 'at' column, got {show(value)}"
        raise InvalidRequest(Problem(where, msg))
    return value.astimezone(UTC)


def _day(value: object, where: str) -> date | None:
    """Return a cell of an ``expires_on`` column as a date, or ``None`` when null."""
    if is_null(value):
        return None
    to_py = getattr(value, "to_pydatetime", None)
    if to_py is not None:
        value = to_py()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    msg = f"expected dates (or nulls) in the 'expires_on' column, got {show(value)}"
    raise InvalidRequest(Problem(where, msg))


def _stack(
    ax: Axes,
    labels: Sequence[str],
    series: Mapping[str, Sequence[int]],
    colors: Mapping[str, str],
) -> None:
    """Draw one bar per label, stacking ``series`` bottom-up in the mapping's order."""
    positions = list(range(len(labels)))
    bottom = [0] * len(labels)
    for name, heights in series.items():
        ax.bar(
            positions,
            heights,
            bottom=bottom,
            label=name,
            color=colors.get(name, _OTHER_COLOR),
            width=0.8,
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_xticks(positions, labels)
    if len(labels) > 8:
        ax.tick_params(axis="x", labelrotation=90)
    ax.set_xlim(-0.5, max(len(labels), 1) - 0.5)


# --- eligibility ---------------------------------------------------------------------------------


def _first_outcome(allowed: bool, flags: Mapping[str, bool]) -> str:  # noqa: FBT001 - a cell
    """Return the outcome a row is drawn under: ``allowed``, or its first failed rule.

    ``flags`` maps each code of :data:`~loyalty_core.analysis.CLAIM_CODES` to the row's boolean
    column; the first one set, in the CLM table's order, is the earliest failed rule.

    >>> _first_outcome(False, {"claim_window_not_open": True, "condition_not_met": True})
    'claim_window_not_open'
    """
    if allowed:
        return ALLOWED
    for code in CLAIM_CODES:
        if flags.get(code.value):
            return code.value
    msg = f"a refused row has no reason column set: {show(dict(flags))}"
    raise InvalidRequest(Problem("frame", msg))


def plot_eligibility(
    frame: Any,
    *,
    definition: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Plot claim eligibility over time: one stacked bar per instant of a claim_eligibility frame.

    ``frame`` is a :func:`~loyalty_core.analysis.claim_eligibility` frame (pandas or polars),
    usually evaluated at several instants. Each bar is one instant (in UTC, oldest first) and
    stacks the rows of that instant: ``allowed`` at the bottom, then each refusal reason in the
    CLM table's order. A row refused for several reasons is counted once, under its *first*
    reason (the earliest failed rule in the CLM table, the first code of its ``reasons``), so a
    bar's height is the number of members evaluated at that instant. :func:`summarize
    <loyalty_core.analysis.summarize>` gives the full counts, where a member refused for three
    reasons counts under each.

    One definition is plotted: ``definition`` (a handle, as in the frame's ``definition``
    column) picks it, and may be left out when the frame holds only one. Colours follow
    :data:`OUTCOME_COLORS`; only the outcomes that occur are drawn and in the legend. With
    ``ax``, the plot is drawn on that axes and its figure returned.

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
    ['allowed', 'condition_not_met']
    """
    codes = [code.value for code in CLAIM_CODES]
    data = columns_of(frame, ["definition", "at", "allowed", *codes], name="frame")
    if not data["allowed"]:
        raise InvalidRequest(Problem("frame", "expected at least one row, got none"))
    present = list(dict.fromkeys(data["definition"]))
    if definition is None:
        if len(present) > 1:
            msg = f"expected one of {show(present)} since the frame holds several definitions"
            raise InvalidRequest(Problem("definition", msg))
        chosen = present[0]
    elif definition in present:
        chosen = definition
    else:
        msg = f"expected one of the frame's definitions {show(present)}, got {show(definition)}"
        raise InvalidRequest(Problem("definition", msg))

    counts: dict[datetime, Counter[str]] = {}
    for index, label in enumerate(data["definition"]):
        if label != chosen:
            continue
        instant = _instant(data["at"][index], "frame")
        flags = {code: bool(data[code][index]) for code in codes}
        outcome = _first_outcome(bool(data["allowed"][index]), flags)
        counts.setdefault(instant, Counter())[outcome] += 1

    instants = sorted(counts)
    outcomes = [o for o in (ALLOWED, *codes) if any(counts[t][o] for t in instants)]
    figure, axes = _canvas(ax)
    # Dates alone when every instant is a UTC midnight (a daily series), else date and time.
    midnights = all(t.time() == time(0) for t in instants)
    labels = [t.strftime("%Y-%m-%d" if midnights else "%Y-%m-%d\n%H:%M") for t in instants]
    _stack(axes, labels, {o: [counts[t][o] for t in instants] for o in outcomes}, OUTCOME_COLORS)
    axes.set_title(f"Claim eligibility: {chosen}\n(refused rows under their first failed rule)")
    axes.set_xlabel("instant (00:00 UTC)" if midnights else "instant (UTC)")
    axes.set_ylabel("members")
    axes.legend(title="outcome", loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    return figure


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


def plot_expiry_calendar(
    table: Any,
    *,
    by_kind: bool = True,
    week_start: Weekday = "monday",
    ax: Axes | None = None,
) -> Figure:
    """Plot how many items expire each week, by local date: one bar per calendar week.

    ``table`` is an :func:`~loyalty_core.analysis.expiry_table` frame (pandas or polars). An
    item is counted in the week of ``expires_on``, its expiry's *local* date in the item's own
    zone (TIME-3), so an item expiring at 09:00 on a Monday in Melbourne counts in the week that
    Monday starts, although it is still Sunday in UTC. Weeks start on ``week_start`` (Monday by
    default) and are labelled by their first day; every week between the first and the last
    expiry is drawn, empty ones included (at most :data:`MAX_WEEKS`). With ``by_kind``, bars
    are stacked by ``kind`` (benefits, rewards, credits, coloured per :data:`KIND_COLORS`).
    Items that never expire (a null ``expires_on``) are left out; the title says how many. With
    ``ax``, the plot is drawn on that axes and its figure returned.

    >>> from datetime import UTC, datetime
    >>> from loyalty_core import Reward
    >>> from loyalty_core.analysis import expiry_table
    >>> rewards = [Reward(id=n, timezone="Australia/Melbourne", value_initial=10,
    ...                   expires_at=datetime(2027, 3, n, 12, 59, 59, tzinfo=UTC))
    ...            for n in (6, 7, 8)]
    >>> figure = plot_expiry_calendar(expiry_table(rewards))
    >>> axes = figure.axes[0]
    >>> [tick.get_text() for tick in axes.get_xticklabels()]
    ['2027-03-01', '2027-03-08']
    >>> [int(patch.get_height()) for patch in axes.patches]
    [2, 1]
    """
    if not isinstance(by_kind, bool):
        raise InvalidRequest(Problem("by_kind", f"expected a bool, got {show(by_kind)}"))
    if week_start not in _WEEKDAYS:
        msg = f"expected one of {show(list(_WEEKDAYS))}, got {show(week_start)}"
        raise InvalidRequest(Problem("week_start", msg))
    data = columns_of(table, ["kind", "expires_on"], name="table")
    per_week: dict[date, Counter[str]] = {}
    kinds: list[str] = []
    never = 0
    for kind, cell in zip(data["kind"], data["expires_on"], strict=True):
        day = _day(cell, "table")
        if day is None:
            never += 1
            continue
        name = str(kind) if by_kind else "items"
        if name not in kinds:
            kinds.append(name)
        per_week.setdefault(_week_start(day, week_start), Counter())[name] += 1

    known = [k for k in KIND_COLORS if k in kinds]
    order = [*known, *sorted(k for k in kinds if k not in KIND_COLORS)]
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
    figure, axes = _canvas(ax)
    empty: Counter[str] = Counter()
    series = {k: [per_week.get(w, empty)[k] for w in weeks] for k in order}
    colors = {"items": KIND_COLORS["benefit"], **KIND_COLORS}
    _stack(axes, [w.isoformat() for w in weeks], series, colors)
    left_out = f"; {never} without expiry left out" if never else ""
    axes.set_title(f"Items expiring per week (local dates){left_out}")
    axes.set_xlabel(f"week starting {week_start.capitalize()} (local date)")
    axes.set_ylabel("items")
    if weeks and by_kind:
        axes.legend(title="kind")
    if not weeks:
        axes.text(0.5, 0.5, "no item expires", ha="center", va="center", transform=axes.transAxes)
    return figure
