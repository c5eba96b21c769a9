"""Batch claim eligibility, its summary, what-if comparisons and expiry tables.

Every row is one call of the library's own rule function (``check_claim``; expiry from the
stored ``expires_at``), so a batch answer can never differ from the per-request one.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, overload
from zoneinfo import ZoneInfo

import attrs

from loyalty_core import clock
from loyalty_core._jsonlogic_compile import is_var
from loyalty_core.analysis._frames import (
    Backend,
    Column,
    backend_of,
    build_frame,
    check_backend,
    columns_of,
    definition_label,
    is_frame,
    is_null,
    polars_to_pandas,
    records_of,
)
from loyalty_core.analysis._vector import (
    Base,
    EngineChoice,
    Untranslatable,
    aliases,
    base_answers,
    load_members,
    member_columns,
    struct_fields,
    translate,
)
from loyalty_core.benefits import Benefit, BenefitDefinition
from loyalty_core.claims import CLAIM_RULES, check_claim, prepare_claim
from loyalty_core.conditions import Condition
from loyalty_core.decisions import ReasonCode
from loyalty_core.errors import InvalidRequest, PayloadError, Problem
from loyalty_core.jsonlogic import unknown_variables
from loyalty_core.limits import closest, show
from loyalty_core.policy import DEFAULT_POLICY, Policy
from loyalty_core.profiles import Profile

__all__ = [
    "CLAIM_CODES",
    "ELIGIBILITY_COLUMNS",
    "SLOW_ENGINE_DECISIONS",
    "Engine",
    "EngineChoice",
    "SlowEngineWarning",
    "UnknownColumnWarning",
    "claim_eligibility",
    "claim_engines",
    "summarize",
    "to_profiles",
    "what_if",
]

CLAIM_CODES: Final[tuple[ReasonCode, ...]] = tuple(rule.code for rule in CLAIM_RULES)
"""The reason codes a claim can be refused with (CLM-1 to CLM-14), in the CLM table's order:
one boolean column each in :func:`claim_eligibility`'s frame."""

ELIGIBILITY_COLUMNS: Final[tuple[str, ...]] = (
    "profile_id",
    "definition",
    "instant",
    "timezone",
    "allowed",
    *(code.value for code in CLAIM_CODES),
    "reasons",
    "messages",
    "retry_at",
)
"""The columns of :func:`claim_eligibility`'s frame, in order (``messages`` only when asked
for, which is the default; with ``with_engine=True`` an ``engine`` column follows)."""

SLOW_ENGINE_DECISIONS: Final = 100_000
"""With ``engine="auto"``, :func:`claim_eligibility` warns (:class:`SlowEngineWarning`) when
at least this many decisions go to the python engine: about 25 µs each, so seconds."""


class SlowEngineWarning(UserWarning):
    """Many rows of :func:`claim_eligibility` are decided by the python engine, and why.

    Silence it with ``engine="python"`` (the loop was meant) or the :mod:`warnings` filters;
    :func:`claim_engines` says which definitions the vectorised engine cannot decide.
    """


_OUTCOME_ALLOWED: Final = "allowed"

_ELIGIBILITY_KINDS: Final[Mapping[str, Column]] = {
    "profile_id": "str",
    "definition": "str",
    "instant": "instant",
    "timezone": "str",
    "allowed": "bool",
    **dict.fromkeys((code.value for code in CLAIM_CODES), "bool"),
    "reasons": "texts",
    "messages": "texts",
    "retry_at": "instant",
    "engine": "str",
}
_SUMMARY_KINDS: Final[Mapping[str, Column]] = {
    "outcome": "str",
    "count": "int",
    "sole": "int",
    "rows": "int",
    "share": "float",
}
_WHAT_IF_KINDS: Final[Mapping[str, Column]] = {
    "profile_id": "str",
    "definition": "str",
    "instant": "instant",
    "allowed_before": "bool",
    "allowed_after": "bool",
    "reasons_before": "texts",
    "reasons_after": "texts",
    "change": "str",
}


# --- inputs ------------------------------------------------------------------------------------


def to_profiles(profiles: Any) -> tuple[Profile, ...]:
    """Return members as :class:`~loyalty_core.Profile` values.

    ``profiles`` is a pandas or polars DataFrame (one member per row; the ``id`` column is the
    profile id, a string; a dotted column such as ``aggregations.spend_12m`` becomes the nested
    key a condition reads; a missing cell is null), or an iterable of ``Profile`` values or
    profile JSON mappings. Cells are taken as they are: a list read from a CSV is text, and
    JSON Logic's ``in`` on text tests for a substring, so split such columns into lists first.
    Every bad row is reported at once, by position:

    >>> to_profiles([{"id": "m-1", "tier_handle": "gold"}])[0].context["tier_handle"]
    'gold'
    >>> to_profiles([{"id": 7}])
    Traceback (most recent call last):
    ...
    loyalty_core.errors.PayloadError: profiles[0].id: expected a string, got 7
    """
    if isinstance(profiles, Profile):
        return (profiles,)
    if _is_lazy(profiles):
        profiles = profiles.collect()
    if is_frame(profiles):
        rows: Iterable[Any] = records_of(profiles)
    elif isinstance(profiles, Iterable) and not isinstance(profiles, str | bytes | Mapping):
        if _is_series(profiles):
            msg = (
                "expected a DataFrame of members, got a Series: pass the whole frame "
                "(a one-column frame is frame[[name]] in pandas, frame.select(name) in polars)"
            )
            raise InvalidRequest(Problem("profiles", msg))
        rows = profiles
    else:
        raise InvalidRequest(Problem("profiles", _not_members(profiles)))
    found: list[Profile] = []
    problems: list[Problem] = []
    for index, row in enumerate(rows):
        if isinstance(row, Profile):
            found.append(row)
            continue
        try:
            found.append(Profile.from_api(row))
        except PayloadError as exc:
            problems.extend(exc.under(f"profiles[{index}]"))
    if problems:
        raise PayloadError(problems)
    return tuple(found)


def _not_members(profiles: object) -> str:
    """Say what ``profiles`` should have been, with the fix for the likeliest mistake."""
    kind = type(profiles).__name__
    if isinstance(profiles, Mapping):
        if profiles and all(isinstance(v, list | tuple) for v in profiles.values()):
            return (
                "expected a DataFrame or an iterable of profiles, got a mapping of columns: "
                "build a frame first (pandas.DataFrame(data) or polars.DataFrame(data))"
            )
        return (
            "expected a DataFrame or an iterable of profiles, got one mapping: "
            "wrap one profile in a list ([profile])"
        )
    return (
        "expected a pandas or polars DataFrame (or a polars LazyFrame), or an iterable of "
        f"Profile values or profile JSON objects, got a {kind}: {show(profiles)}"
    )


def _is_series(value: object) -> bool:
    kind = type(value)
    return kind.__name__ == "Series" and kind.__module__.split(".")[0] in {"pandas", "polars"}


def _definition_rows(frame: Any) -> list[dict[str, Any]]:
    """A frame of definitions as API JSON objects; a null cell is a field left out."""
    if _is_lazy(frame):
        frame = frame.collect()
    return [{k: v for k, v in row.items() if v is not None} for row in records_of(frame)]


def _definitions(definitions: object) -> tuple[tuple[BenefitDefinition, str], ...]:
    """Definitions as values, each with its frame label: values, API JSON objects or a frame.

    An API object is read by :meth:`BenefitDefinition.from_api`, and every bad field of every
    definition is reported at once, under ``definitions[i]``.
    """
    if isinstance(definitions, BenefitDefinition | Mapping):
        definitions = (definitions,)
    elif is_frame(definitions) or _is_lazy(definitions):
        definitions = _definition_rows(definitions)
    if not isinstance(definitions, Iterable) or isinstance(definitions, str | bytes):
        msg = (
            "expected a BenefitDefinition, its API JSON object, or a list or frame of them, "
            f"got a {type(definitions).__name__}: {show(definitions)}"
        )
        raise InvalidRequest(Problem("definitions", msg))
    found: list[tuple[BenefitDefinition, str]] = []
    problems: list[Problem] = []
    for index, definition in enumerate(definitions):
        if isinstance(definition, Mapping):
            try:
                definition = BenefitDefinition.from_api(definition)  # noqa: PLW2901 - read once
            except PayloadError as exc:
                problems.extend(exc.under(f"definitions[{index}]"))
                continue
        elif not isinstance(definition, BenefitDefinition):
            msg = (
                "expected a BenefitDefinition or its API JSON object "
                f"(BenefitDefinition.from_api reads it), got a {type(definition).__name__}"
            )
            raise InvalidRequest(Problem(f"definitions[{index}]", msg))
        found.append((definition, _label(definition, index)))
    if problems:
        raise PayloadError(problems)
    labels = [label for _, label in found]
    if len(set(labels)) != len(labels):
        msg = f"expected distinct handles (the frame's `definition` column), got {show(labels)}"
        raise InvalidRequest(Problem("definitions", msg))
    return tuple(found)


def _label(definition: BenefitDefinition, index: int) -> str:
    # The `definition` column: the handle, else the id, else the position.
    label = definition_label(definition)
    return f"definitions[{index}]" if label is None else label


def _instants(at: object) -> tuple[datetime, ...]:
    if isinstance(at, datetime):
        return (clock.as_instant(at, name="at"),)
    if not isinstance(at, Iterable) or isinstance(at, str | bytes | Mapping):
        msg = f"expected an aware datetime or a sequence of them, got {show(at)}"
        raise InvalidRequest(Problem("at", msg))
    instants = tuple(clock.as_instant(t, name=f"at[{i}]") for i, t in enumerate(at))
    if not instants:
        raise InvalidRequest(Problem("at", "expected at least one instant, got none"))
    return instants


@attrs.frozen
class _RowZones:
    """One zone cell per member row, from a column of the members' frame or a Series."""

    cells: Sequence[object]
    source: str = "timezone"


def _frame_names(frame: Any) -> list[str]:
    """The column names of a frame (eager or lazy), or none for anything else."""
    if _is_lazy(frame):
        return [str(name) for name in frame.collect_schema().names()]
    if is_frame(frame):
        return [str(name) for name in frame.columns]
    return []


def _zone_input(profiles: Any, timezone: object) -> object:
    """Read ``timezone`` given as a column name or a Series as one zone cell per member row.

    A string naming a column of the members' frame is that column (a column name wins over
    a zone of the same name); a pandas or polars Series is read row for row. Anything else
    is returned as given, for :func:`_zones`.
    """
    if isinstance(timezone, str) and timezone in _frame_names(profiles):
        if _is_lazy(profiles):
            cells = profiles.select(timezone).collect().get_column(timezone).to_list()
        else:
            cells = profiles[timezone].to_list()
        return _RowZones(cells, f"timezone (the column {show(timezone)})")
    if _is_series(timezone):
        index = getattr(timezone, "index", None)  # pandas: read by position, so same index
        if (
            index is not None
            and is_frame(profiles)
            and backend_of(profiles) == "pandas"
            and len(index) == len(profiles.index)  # a wrong length is told by _zones
            and not index.equals(profiles.index)
        ):
            msg = (
                "expected a Series on the members' index (its rows are read in order), "
                "got one whose index differs: align it first with .reindex(frame.index)"
            )
            raise InvalidRequest(Problem("timezone", msg))
        return _RowZones(timezone.to_list())  # type: ignore[attr-defined]
    if isinstance(timezone, str) and (names := _frame_names(profiles)):
        try:
            clock.zone(timezone)
        except InvalidRequest:
            close = closest(timezone, names)
            msg = (
                "expected an IANA zone name or a column of the members' frame, "
                f"got {show(timezone)}" + (f" (closest columns: {show(close)})" if close else "")
            )
            raise InvalidRequest(Problem("timezone", msg)) from None
    return timezone


def _zones(timezone: object, ids: Sequence[str | None]) -> list[str]:
    # Zones are kept by their IANA key: a ZoneInfo given is stored as its name (TIME-3).
    if isinstance(timezone, str | ZoneInfo):
        return [clock.zone(timezone).key] * len(ids)
    if isinstance(timezone, _RowZones):
        if len(timezone.cells) != len(ids):
            msg = f"expected one zone per member ({len(ids)}), got {len(timezone.cells)}"
            raise InvalidRequest(Problem(timezone.source, msg))
        found: list[str] = []
        for row, cell in enumerate(timezone.cells):
            if is_null(cell):
                msg = f"expected a zone for every member, got none in row {row}"
                raise InvalidRequest(Problem(timezone.source, msg))
            found.append(clock.zone(cell, name=f"{timezone.source}[{row}]").key)  # type: ignore[arg-type]
        return found
    if not isinstance(timezone, Mapping):
        msg = (
            "expected a zone name, a column of the members' frame, a Series or a mapping of "
            f"profile id to zone name, got a {type(timezone).__name__}: {show(timezone)}"
        )
        raise InvalidRequest(Problem("timezone", msg))
    zones: list[str] = []
    for profile_id in ids:
        name = timezone.get(profile_id) if profile_id is not None else None
        if name is None:
            msg = f"expected a zone for every profile id, got none for {show(profile_id)}"
            raise InvalidRequest(Problem("timezone", msg))
        zones.append(clock.zone(name, name=f"timezone[{show(profile_id)}]").key)
    return zones


def _held_by_id(holdings: object) -> dict[object, tuple[Benefit, ...]]:
    """Check ``holdings`` and read each member's benefits once (an iterator is consumed)."""
    if holdings is None:
        return {}
    if not isinstance(holdings, Mapping):
        msg = f"expected a mapping of profile id to that member's benefits, got {show(holdings)}"
        raise InvalidRequest(Problem("holdings", msg))
    found: dict[object, tuple[Benefit, ...]] = {}
    for key, held in holdings.items():
        if isinstance(held, Benefit):
            held = (held,)  # noqa: PLW2901 - one benefit stands for itself
        if not isinstance(held, Iterable) or isinstance(held, str | bytes | Mapping):
            msg = f"expected an iterable of Benefits, got {show(held)}"
            raise InvalidRequest(Problem(f"holdings[{show(key)}]", msg))
        items = tuple(held)
        for index, item in enumerate(items):
            if not isinstance(item, Benefit):
                msg = f"expected a Benefit, got {show(item)}"
                raise InvalidRequest(Problem(f"holdings[{show(key)}][{index}]", msg))
        found[key] = items
    return found


def _holdings(holdings: object, profiles: Sequence[Profile]) -> list[tuple[Benefit, ...]]:
    found = _held_by_id(holdings)
    return [found.get(p.id, ()) for p in profiles]


# --- clause columns ----------------------------------------------------------------------------


@attrs.frozen
class _Clauses:
    """The clause columns of a run (``clauses=True``): their names, and each definition's."""

    names: tuple[str, ...] = ()
    """Every clause column, in order of first appearance over the definitions."""
    of: Mapping[str, tuple[tuple[str, Condition], ...]] = attrs.field(factory=dict)
    """Per definition label: its clauses, each with its column."""

    @classmethod
    def build(cls, pairs: Sequence[tuple[BenefitDefinition, str]]) -> _Clauses:
        """Name the clauses of every definition's condition (:meth:`Condition.clauses`)."""
        named: dict[Condition, str] = {}  # a clause shared by definitions is one column
        taken = set(_ELIGIBILITY_KINDS)
        numbered: dict[str, int] = {}  # per name, the last number given: linear, not quadratic
        of: dict[str, tuple[tuple[str, Condition], ...]] = {}
        for definition, label in pairs:
            condition = definition.claim_condition
            if condition is None:
                continue
            own: list[tuple[str, Condition]] = []
            for clause in condition.clauses():
                if clause not in named:
                    base = clause_name(clause)
                    if base.startswith("__"):
                        base = f"({base})"  # the engine's own working columns start with __
                    name, count = base, numbered.get(base, 1)
                    # A clash with a column of the frame, or with a different clause cut to
                    # the same name, gets a number.
                    while name in taken:
                        count += 1
                        name = f"{base} #{count}"
                    numbered[base] = count
                    taken.add(name)
                    named[clause] = name
                own.append((named[clause], clause))
            of[label] = tuple(own)
        return cls(tuple(named.values()), of)

    def extend(
        self, cells: Mapping[str, list[bool | None]], profile: Profile, label: str, count: int
    ) -> None:
        """Add ``count`` rows of one member and definition to each clause column's cells."""
        if not self.names:
            return
        data = profile.condition_data()
        own = {name: clause.holds(data) for name, clause in self.of.get(label, ())}
        for name, column in cells.items():
            column.extend([own.get(name)] * count)

    def kinds(self) -> Mapping[str, Column]:
        """The column kinds of the frame with these clause columns."""
        if not self.names:
            return _ELIGIBILITY_KINDS
        return {**_ELIGIBILITY_KINDS, **dict.fromkeys(self.names, "maybe_bool")}


_LONGEST_CLAUSE: Final = 80
"""A clause column's name is cut to this many characters (then ``…``)."""

_NAMED_OPERATORS: Final = frozenset({"==", "!=", "===", "!==", "<", "<=", ">", ">=", "in"})


def clause_name(clause: Condition) -> str:
    """Name a clause as a reader writes it: ``aggregations.spend_12m > 1000``.

    A comparison (or ``in``) of a variable with a literal reads ``path op literal``, the
    literal as JSON; a lone variable reads as its path, and ``!`` of one as ``not path``.
    Anything else is the clause's compact JSON text. Names are cut to 80 characters.

    >>> from loyalty_core.conditions import to_condition
    >>> clause_name(to_condition({">": [{"var": "aggregations.spend_12m"}, 1000]}))
    'aggregations.spend_12m > 1000'
    >>> clause_name(to_condition({"in": ["vip", {"var": "flattened_tags"}]}))
    '"vip" in flattened_tags'
    >>> clause_name(to_condition({"var": "is_vip"}))
    'is_vip'
    >>> clause_name(to_condition({"%": [{"var": "n"}, 2]}))
    '{"%":[{"var":"n"},2]}'
    """
    rule = clause.rule
    ((operator, raw),) = rule.items()
    operands = raw if isinstance(raw, list) else [raw]
    texts = [_operand_name(operand) for operand in operands]
    if operator in _NAMED_OPERATORS and len(operands) == 2 and None not in texts:
        name = f"{texts[0]} {operator} {texts[1]}"
    elif operator == "var" and len(operands) == 1 and _is_var({"var": operands[0]}):
        name = str(operands[0])  # the path itself, not the path as a JSON string
    elif operator == "!" and len(operands) == 1 and _is_var(operands[0]):
        name = f"not {texts[0]}"
    else:
        name = clause.source
    return name if len(name) <= _LONGEST_CLAUSE else name[: _LONGEST_CLAUSE - 1] + "…"


def _is_var(operand: object) -> bool:
    """Whether an operand is a ``var`` of a plain path (no default), named by that path."""
    return (
        is_var(operand)
        and isinstance(operand["var"], str | int)
        and not isinstance(operand["var"], bool)
        and operand["var"] != ""  # the whole data object: named by the clause's JSON instead
    )


def _operand_name(operand: object) -> str | None:
    """A variable's path, or a literal's compact JSON; ``None`` for a computed operand."""
    if _is_var(operand):
        return str(operand["var"])  # type: ignore[index]
    if isinstance(operand, dict):
        return None
    text = json.dumps(operand, separators=(", ", ": "), ensure_ascii=False)
    return text if len(text) <= _LONGEST_CLAUSE else None


_NO_CLAUSES: Final = _Clauses()


# --- claim eligibility -------------------------------------------------------------------------


def _decide(  # noqa: PLR0913 - the batch's validated inputs
    members: Sequence[Profile],
    zones: Sequence[str],
    held: Sequence[tuple[Benefit, ...]],
    pairs: Sequence[tuple[BenefitDefinition, str]],
    instants: Sequence[datetime],
    *,
    policy: Policy,
    with_messages: bool,
    bar: Any = None,
    clauses: _Clauses = _NO_CLAUSES,
) -> dict[str, Sequence[Any]]:
    """Run check_claim for every (member, definition, instant) and lay the answers out.

    ``bar`` (a tqdm progress bar, or ``None``) advances by one per member. Each clause column
    holds whether the clause holds for the member (the same at every instant), and null in
    the rows of a definition without that clause.
    """
    profile_ids: list[str | None] = []
    labels: list[str] = []
    ats: list[datetime] = []
    row_zones: list[str] = []
    allowed: list[bool] = []
    reasons: list[list[str]] = []
    texts: list[list[str]] = []
    retry: list[datetime | None] = []
    flagged: list[tuple[int, ReasonCode]] = []
    clause_cells: dict[str, list[bool | None]] = {name: [] for name in clauses.names}
    row = 0
    for profile, tz, benefits in zip(members, zones, held, strict=True):
        for definition, label in pairs:
            clauses.extend(clause_cells, profile, label, len(instants))
            for instant in instants:
                decision = check_claim(
                    definition, profile, at=instant, timezone=tz, holdings=benefits, policy=policy
                )
                found = decision.reasons
                profile_ids.append(profile.id)
                labels.append(label)
                ats.append(instant)
                row_zones.append(tz)
                allowed.append(not found)
                if found:
                    reasons.append([r.code.value for r in found])
                    if with_messages:
                        texts.append([r.message for r in found])
                    flagged.extend((row, r.code) for r in found)
                else:
                    reasons.append([])
                    if with_messages:
                        texts.append([])
                retry.append(decision.retry_at)
                row += 1
        if bar is not None:
            bar.update(1)

    by_code: dict[ReasonCode, list[bool]] = {code: [False] * row for code in CLAIM_CODES}
    for index, code in flagged:
        by_code[code][index] = True
    columns: dict[str, Sequence[Any]] = {
        "profile_id": profile_ids,
        "definition": labels,
        "instant": ats,
        "timezone": row_zones,
        "allowed": allowed,
        **{code.value: by_code[code] for code in CLAIM_CODES},
        "reasons": reasons,
        "messages": texts,
        "retry_at": retry,
        **clause_cells,
    }
    if not with_messages:
        del columns["messages"]
    return columns


if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

    Definitions: TypeAlias = (
        BenefitDefinition
        | Mapping[str, Any]
        | Iterable[BenefitDefinition | Mapping[str, Any]]
        | pd.DataFrame
        | pl.DataFrame
    )
    Zones: TypeAlias = str | Mapping[str, str] | pd.Series[str] | pl.Series
else:  # pandas and polars are optional: at run time a frame or a Series is Any
    #: What ``definitions`` may be: one definition (a value or its API object), a sequence
    #: of them, or a pandas/polars frame with one API object per row.
    Definitions: TypeAlias = (
        BenefitDefinition
        | Mapping[str, Any]
        | Iterable[BenefitDefinition | Mapping[str, Any]]
        | Any
    )
    #: What ``timezone`` may be: a zone name for everyone, a mapping of profile id to zone
    #: name, the name of the members' frame's column of zone names, or a pandas/polars Series
    #: of zone names (row for row).
    Zones: TypeAlias = str | Mapping[str, str] | Any


@overload
def claim_eligibility(  # type: ignore[overload-overlap]
    profiles: pl.LazyFrame,
    definitions: Definitions,
    *,
    at: datetime | Iterable[datetime],
    timezone: Zones,
    holdings: Mapping[str, Iterable[Benefit]] | None = ...,
    policy: Policy = ...,
    backend: Literal["polars"] | None = ...,
    messages: bool = ...,
    engine: Engine = ...,
    progress: bool | None = ...,
    with_engine: bool = ...,
    strict: bool = ...,
    clauses: bool = ...,
) -> pl.LazyFrame: ...
@overload
def claim_eligibility(  # type: ignore[overload-overlap]
    profiles: pl.DataFrame,
    definitions: Definitions,
    *,
    at: datetime | Iterable[datetime],
    timezone: Zones,
    holdings: Mapping[str, Iterable[Benefit]] | None = ...,
    policy: Policy = ...,
    backend: Literal["polars"] | None = ...,
    messages: bool = ...,
    engine: Engine = ...,
    progress: bool | None = ...,
    with_engine: bool = ...,
    strict: bool = ...,
    clauses: bool = ...,
) -> pl.DataFrame: ...
@overload
def claim_eligibility(
    profiles: object,
    definitions: Definitions,
    *,
    at: datetime | Iterable[datetime],
    timezone: Zones,
    holdings: Mapping[str, Iterable[Benefit]] | None = ...,
    policy: Policy = ...,
    backend: Literal["polars"],
    messages: bool = ...,
    engine: Engine = ...,
    progress: bool | None = ...,
    with_engine: bool = ...,
    strict: bool = ...,
    clauses: bool = ...,
) -> pl.DataFrame: ...
@overload
def claim_eligibility(
    profiles: object,
    definitions: Definitions,
    *,
    at: datetime | Iterable[datetime],
    timezone: Zones,
    holdings: Mapping[str, Iterable[Benefit]] | None = ...,
    policy: Policy = ...,
    backend: Literal["pandas"] | None = ...,
    messages: bool = ...,
    engine: Engine = ...,
    progress: bool | None = ...,
    with_engine: bool = ...,
    strict: bool = ...,
    clauses: bool = ...,
) -> pd.DataFrame: ...
@overload
def claim_eligibility(
    profiles: object,
    definitions: Definitions,
    *,
    at: datetime | Iterable[datetime],
    timezone: Zones,
    holdings: Mapping[str, Iterable[Benefit]] | None = ...,
    policy: Policy = ...,
    backend: Backend | None = ...,
    messages: bool = ...,
    engine: Engine = ...,
    progress: bool | None = ...,
    with_engine: bool = ...,
    strict: bool = ...,
    clauses: bool = ...,
) -> pd.DataFrame | pl.DataFrame | pl.LazyFrame: ...


def claim_eligibility(  # noqa: PLR0913 - the issue fixes these keywords
    profiles: Any,
    definitions: Definitions,
    *,
    at: datetime | Iterable[datetime],
    timezone: Zones,
    holdings: Mapping[str, Iterable[Benefit]] | None = None,
    policy: Policy = DEFAULT_POLICY,
    backend: Backend | None = None,
    messages: bool = True,
    engine: Engine = "auto",
    progress: bool | None = None,
    with_engine: bool = False,
    strict: bool = True,
    clauses: bool = False,
) -> Any:
    """Decide every claim of ``definitions`` by ``profiles`` at ``at``: one row per decision.

    Each row is ``check_claim(definition, profile, at=…, timezone=…, holdings=…,
    policy=policy)`` (CLM-1 to CLM-16), laid out in the columns :data:`ELIGIBILITY_COLUMNS`:
    ``profile_id``, ``definition`` (the handle), ``instant`` and ``retry_at`` (UTC; ``retry_at``
    is TIME-9's, null when nothing changes), ``timezone``, ``allowed``, one boolean column per
    reason code of :data:`CLAIM_CODES`, ``reasons`` (the list of the failed rules' codes in the
    CLM table's order) and ``messages`` (the list of their messages, in the same order). Rows
    run member by member, then definition, then instant.

    Every row is decided on its own against the definition as given: nothing is consumed, so
    allocations and global caps are checked (CLM-12, CLM-13) but a row allowed does not spend
    them for the next. "Who could claim" is answered per member; how many claims the stock
    would actually serve is the smaller of that count and what remains.

    ``messages=False`` leaves the ``messages`` column out. Messages are rendered on demand, and
    explaining a failed condition costs several times the check itself, so a count of who is
    refused and why runs much faster without them.

    ``clauses=True`` adds one nullable boolean column per distinct top-level clause of the
    definitions' claim conditions (the operands of a top-level ``and``; any other condition is
    one clause), named after the clause (``aggregations.spend_12m > 1000``): whether that
    clause holds for the member (COND-4's truthiness), null on the rows of a definition without
    it. Both engines compute them.

    ``profiles`` is anything :func:`to_profiles` takes (a pandas or polars DataFrame, a polars
    LazyFrame, profiles or their API objects). ``definitions`` is a
    :class:`~loyalty_core.BenefitDefinition` or its API object, a sequence of them, or a frame
    with one API object per row (:data:`Definitions`). ``at`` is an aware datetime or a
    sequence of them. ``timezone`` is the zone each member's new benefit would get (TIME-3):
    one zone name for everyone, a mapping of profile id to zone name, the name of a column of
    the members' frame holding zone names (a column wins over a zone of the same name), or a
    pandas/polars Series of zone names, row for row (:data:`Zones`). ``holdings`` maps profile
    ids to that member's benefits. The result is a pandas DataFrame, or a polars one when
    ``profiles`` is a polars frame or ``backend="polars"`` (a LazyFrame when ``profiles`` is
    one). Bad input raises :class:`~loyalty_core.InvalidRequest` (or
    :class:`~loyalty_core.PayloadError` for a bad profile or definition object) before any row
    is decided.

    Before anything is decided, each condition's variables are checked against the frame's
    columns (COND-13): a variable that is neither a column nor inside a struct column would
    read as null for every member, so with ``strict=True`` (the default) it raises
    :class:`~loyalty_core.InvalidRequest` naming the definition, the variable and the closest
    columns; ``strict=False`` warns (:class:`UnknownColumnWarning`) and evaluates anyway.
    Members given as profiles or dicts have no columns to check.

    ``engine`` chooses how rows are decided: ``"python"`` calls ``check_claim`` for each row;
    ``"vectorized"`` and ``"auto"`` (the default) decide each definition with polars
    expressions when the members are a polars DataFrame or LazyFrame and its condition
    translates exactly, and with the loop otherwise (:func:`claim_engines` says which, and
    why). The frame is the same either way, cell for cell. A LazyFrame in gives a LazyFrame
    out; ``"vectorized"`` raises ``ImportError`` when polars is missing.

    ``with_engine=True`` adds an ``engine`` column saying which engine decided each row
    (``"vectorized"`` or ``"python"``). With ``engine="auto"``, a run where at least
    :data:`SLOW_ENGINE_DECISIONS` decisions go to the python engine warns
    (:class:`SlowEngineWarning`) and says why.

    ``progress`` shows a progress bar (tqdm's) over the members the loop decides: ``None``
    (the default) shows it in a notebook or a terminal when tqdm is installed, and never in a
    pipe or a log; ``False`` never, ``True`` whenever tqdm is installed.

    >>> from datetime import UTC, datetime
    >>> from loyalty_core import BenefitDefinition
    >>> gold = BenefitDefinition(handle="gold-lounge", is_claimable=True, is_published=True,
    ...                          is_assignable=True,
    ...                          claim_condition={"==": [{"var": "tier_handle"}, "gold"]})
    >>> frame = claim_eligibility([{"id": "m-1", "tier_handle": "gold"},
    ...                            {"id": "m-2", "tier_handle": "silver"}],
    ...                           gold, at=datetime(2026, 3, 1, tzinfo=UTC), timezone="UTC")
    >>> frame[["profile_id", "allowed", "condition_not_met", "reasons"]]
      profile_id  allowed  condition_not_met              reasons
    0        m-1     True              False                   []
    1        m-2    False               True  [condition_not_met]
    """
    chosen = check_backend(backend) if backend is not None else backend_of(profiles)
    _check_switches(
        engine=engine,
        messages=messages,
        progress=progress,
        with_engine=with_engine,
        strict=strict,
        clauses=clauses,
    )
    pairs = _definitions(definitions)
    clause_set = _Clauses.build(pairs) if clauses else _NO_CLAUSES
    definitions = [definition for definition, _ in pairs]  # API objects read once
    _check_variables(profiles, pairs, strict=strict)
    zones_in = _zone_input(profiles, timezone)
    plan = _vector_plan(profiles, definitions, holdings, engine)
    if plan is not None:
        frame = _vectorised(
            plan,
            at=at,
            timezone=zones_in,
            policy=policy,
            with_messages=messages,
            progress=progress,
            with_engine=with_engine,
            hint=engine == "auto",
            clauses=clause_set,
        )
        if chosen == "polars":
            lazy_in = _is_lazy(profiles) and not _is_lazy(frame)  # no definitions: no query
            return frame.lazy() if lazy_in else frame
        if type(frame) is not plan.polars.DataFrame:
            frame = frame.collect()
        return polars_to_pandas(frame, clause_set.kinds())
    lazy = _is_lazy(profiles)
    if lazy:
        profiles = profiles.collect()
        if backend is None:
            chosen = "polars"
    members = to_profiles(profiles)
    instants = _instants(at)
    zones = _zones(zones_in, [p.id for p in members])
    held = _holdings(holdings, members)
    if not isinstance(policy, Policy):
        raise InvalidRequest(Problem("policy", f"expected a Policy, got {show(policy)}"))
    if engine == "auto":
        _hint(len(members) * len(pairs) * len(instants), _why_python(profiles, engine))
    with _bar(len(members), "claim_eligibility (python engine)", progress=progress) as bar:
        columns = _decide(
            members,
            zones,
            held,
            pairs,
            instants,
            policy=policy,
            with_messages=messages,
            bar=bar,
            clauses=clause_set,
        )
    if with_engine:
        columns["engine"] = ["python"] * len(columns["allowed"])
    frame = build_frame(columns, clause_set.kinds(), chosen)
    return frame.lazy() if lazy and chosen == "polars" else frame  # lazy in, lazy out


class UnknownColumnWarning(UserWarning):
    """A condition reads a variable that is not a column of the members' frame (COND-13).

    Raised as :class:`~loyalty_core.InvalidRequest` by default; ``strict=False`` warns with
    this instead and evaluates anyway (the variable reads as null for every member).
    """


def _frame_paths(frame: Any) -> tuple[set[str], set[str]]:
    """The paths a frame's columns give a condition: the columns, and the objects they form.

    The first set holds each column, or each field of a struct column, by its dotted path: it
    covers its own path and, per COND-13, the paths extending it (into a list or an object
    cell). The second holds the parents those paths nest in (``aggregations`` for
    ``aggregations.spend_12m``, a struct column itself): reading one reads an object, but
    covers no other path under it. Built with a stack, not recursion.
    """
    leaves: set[str] = set()
    parents: set[str] = set()
    stack: list[tuple[str, Any]] = []
    if _is_lazy(frame) or backend_of(frame) == "polars":
        stack.extend((str(name), dtype) for name, dtype in frame.collect_schema().items())
    else:
        stack.extend((str(name), None) for name in frame.columns)
    while stack:
        name, dtype = stack.pop()
        parts = name.split(".")
        parents.update(".".join(parts[:end]) for end in range(1, len(parts)))
        fields = getattr(dtype, "fields", None)
        if isinstance(fields, list):
            parents.add(name)
            stack.extend((f"{name}.{field.name}", field.dtype) for field in fields)
        else:
            leaves.add(name)
    return leaves, parents


def _check_variables(
    profiles: Any, pairs: Sequence[tuple[BenefitDefinition, str]], *, strict: bool
) -> None:
    """Check each condition's variables against the members' frame's columns (COND-13).

    Only a frame has columns to check; members given as values or JSON objects are not
    checked (each may hold different keys). A missing variable raises, naming the closest
    columns, or with ``strict=False`` warns (:class:`UnknownColumnWarning`).
    """
    if not (is_frame(profiles) or _is_lazy(profiles)):
        return
    known, parents = _frame_paths(profiles)
    names = sorted(known)
    problems: list[Problem] = []
    for index, (definition, label) in enumerate(pairs):
        condition = definition.claim_condition
        if condition is None:
            continue
        for path in unknown_variables(condition.rule, known):
            if path in parents:
                continue
            close = closest(path, names)
            hint = f"; closest columns: {show(close)}" if close else ""
            msg = (
                f"the condition of {show(label)} reads {show(path)}, which is not a column of "
                f"the members' frame{hint}"
            )
            problems.append(Problem(f"definitions[{index}].claim_condition", msg))
    if not problems:
        return
    if strict:
        last = "pass strict=False to evaluate anyway (a missing variable reads as null)"
        raise InvalidRequest([*problems, Problem("strict", last)])
    for problem in problems:
        text = f"{problem}; every member reads it as null"
        warnings.warn(text, UnknownColumnWarning, stacklevel=4)


def _check_switches(*, engine: object, progress: object, **flags: object) -> None:
    """Check claim_eligibility's switches: ``engine``, ``progress`` and the boolean ``flags``."""
    if engine not in _ENGINES:
        msg = f"expected 'auto', 'python' or 'vectorized', got {show(engine)}"
        raise InvalidRequest(Problem("engine", msg))
    for name, value in flags.items():
        if type(value) is not bool:
            raise InvalidRequest(Problem(name, f"expected True or False, got {show(value)}"))
    if progress is not None and type(progress) is not bool:
        msg = f"expected True, False or None, got {show(progress)}"
        raise InvalidRequest(Problem("progress", msg))


def _hint(decisions: int, why: str, *, depth: int = 3) -> None:
    """Warn when ``decisions`` rows go to the python engine under ``engine="auto"``.

    ``depth`` is the stack level of claim_eligibility's caller, whom the warning names.
    """
    if decisions >= SLOW_ENGINE_DECISIONS:
        msg = (
            f"{decisions:,} decisions go to the python engine (about 25 µs each): {why}. "
            "claim_engines() says which definitions the vectorised engine cannot decide; "
            "pass engine='python' to silence this"
        )
        warnings.warn(msg, SlowEngineWarning, stacklevel=depth)


@contextlib.contextmanager
def _bar(total: int, description: str, *, progress: bool | None) -> Iterator[Any]:
    """A tqdm bar over ``total`` members, or ``None`` (see ``claim_eligibility``'s progress)."""
    if progress is False or total == 0:
        yield None
        return
    try:
        auto = importlib.import_module("tqdm.auto")
    except ImportError:
        yield None
        return
    if progress is None and not _interactive():
        yield None
        return
    bar = auto.tqdm(total=total, desc=description, unit="member", leave=False)
    try:
        yield bar
    finally:
        bar.close()


def _interactive() -> bool:
    """Whether a person is watching: a notebook kernel, or standard error on a terminal."""
    shell = sys.modules.get("IPython")
    if shell is not None:
        ipython = getattr(shell, "get_ipython", lambda: None)()
        if ipython is not None and type(ipython).__name__ == "ZMQInteractiveShell":
            return True
    stream = sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


# --- the vectorised engine ----------------------------------------------------------------------

Engine = Literal["auto", "python", "vectorized"]
"""Which engine :func:`claim_eligibility` uses (see :func:`claim_engines`)."""

_ENGINES: Final = ("auto", "python", "vectorized")


@attrs.frozen
class _Plan:
    """What the vectorised engine runs: the frame, its columns' kinds, each definition's fate."""

    polars: Any
    frame: Any
    kinds: Mapping[str, str]
    pairs: tuple[tuple[BenefitDefinition, str], ...]
    conditions: tuple[Any, ...]
    """Per definition: its condition as a polars expression, or ``None`` for the python engine."""
    choices: Mapping[str, EngineChoice]
    holdings: object
    in_structs: frozenset[str] = frozenset()

    def clause_values(self, clause: Condition) -> Any:
        """Whether ``clause`` holds for each member: an expression, or a Series from the loop.

        A clause of a translated condition translates too; should one not, the library's own
        rule decides it member by member, so the column is exact either way.
        """
        pl = self.polars
        try:
            return translate(pl, clause.rule, self.kinds, self.in_structs)
        except Untranslatable:
            profiles = to_profiles(_eager(pl, self.frame))
            held = [clause.holds(p.condition_data()) for p in profiles]
            return pl.lit(pl.Series(held, dtype=pl.Boolean))


def _polars_or_none(engine: str) -> Any:
    try:
        return importlib.import_module("polars")
    except ImportError:
        if engine == "vectorized":
            msg = "engine='vectorized' needs polars: pip install polars"
            raise ImportError(msg) from None
        return None


def _vector_plan(profiles: Any, definitions: object, holdings: object, engine: str) -> _Plan | None:
    """Plan the vectorised run, or return ``None`` when the python engine decides every row."""
    if engine == "python":
        return None
    polars = _polars_or_none(engine)
    if polars is None:
        return None
    if backend_of(profiles, default="polars") == "pandas":
        profiles = _from_pandas(polars, profiles)
    if type(profiles) not in {polars.DataFrame, polars.LazyFrame}:
        return None
    kinds = member_columns(polars, profiles)
    if kinds is None:
        return None
    in_structs = struct_fields(polars, profiles)
    pairs = _definitions(definitions)
    conditions: list[Any] = []
    choices: dict[str, EngineChoice] = {}
    for definition, label in pairs:
        condition = definition.claim_condition
        try:
            expr = (
                polars.lit(value=True)
                if condition is None
                else translate(polars, condition.rule, kinds, in_structs)
            )
        except Untranslatable as exc:
            conditions.append(None)
            choices[label] = EngineChoice("python", f"the condition uses {exc.reason}")
            continue
        conditions.append(expr)
        choices[label] = EngineChoice("vectorized")
    return _Plan(polars, profiles, kinds, pairs, tuple(conditions), choices, holdings, in_structs)


def _from_pandas(polars: Any, frame: Any) -> Any:
    """A pandas frame of members through Arrow, or ``None`` when Arrow cannot type it exactly.

    A column Arrow refuses (mixed objects, for instance) leaves the frame to the python engine,
    which reads it cell by cell.
    """
    if any(not isinstance(name, str) for name in frame.columns):
        return None
    try:
        return polars.from_pandas(frame)
    except Exception:  # noqa: BLE001 - any refusal means: the python engine reads this frame
        return None


def claim_engines(
    profiles: Any,
    definitions: BenefitDefinition | Iterable[BenefitDefinition],
    *,
    holdings: Mapping[str, Iterable[Benefit]] | None = None,
    engine: Engine = "auto",
) -> dict[str, EngineChoice]:
    """Say which engine :func:`claim_eligibility` uses for each definition, and why.

    The vectorised engine decides a definition when the members are a polars DataFrame (or
    LazyFrame) whose columns it reads exactly (numbers, text, booleans, nulls, lists of text,
    integers or booleans) and the definition's condition translates: ``var``,
    ``==``, ``!=``, ``===``, ``!==``, ``<``, ``<=``, ``>``, ``>=``, ``!``, ``!!``, ``and``,
    ``or``, ``in`` and ``missing``, on the operand types whose JavaScript semantics it can
    reproduce. Everything else is decided by the python engine, which gives the same answer
    row by row; the ``reason`` says what made the difference. Keys are the frame's
    ``definition`` labels. Struct columns count as their fields, named with dots. With
    ``holdings``, the members holding a claimed copy of a vectorised definition (or of its
    campaign, under ``one_claim_per_campaign``) get their answers as steps in time (the
    library's check at each TIME-9 candidate instant, joined to the instants), or from the
    loop when ``messages=True``; ``claim_eligibility(..., with_engine=True)`` shows each row's.

    >>> import polars as pl
    >>> from loyalty_core import BenefitDefinition
    >>> members = pl.DataFrame({"id": ["m-1"], "tier_handle": ["gold"]})
    >>> gold = BenefitDefinition(
    ...     handle="gold", claim_condition={"==": [{"var": "tier_handle"}, "gold"]}
    ... )
    >>> odd = BenefitDefinition(handle="odd", claim_condition={"%": [{"var": "n"}, 2]})
    >>> {label: choice.engine for label, choice in claim_engines(members, [gold, odd]).items()}
    {'gold': 'vectorized', 'odd': 'python'}
    """
    plan = _vector_plan(profiles, definitions, holdings, engine)
    if plan is None:
        why = _why_python(profiles, engine)
        return {label: EngineChoice("python", why) for _, label in _definitions(definitions)}
    return dict(plan.choices)


def _why_python(profiles: Any, engine: str) -> str:
    if engine == "python":
        return "engine='python' was asked for"
    polars = _polars_or_none(engine)
    if polars is None:
        return "polars is not installed"
    if backend_of(profiles, default="polars") == "pandas":
        return "the pandas frame has a column Arrow cannot type exactly (or pyarrow is missing)"
    if type(profiles) not in {polars.DataFrame, polars.LazyFrame}:
        return "the members are not a DataFrame (pandas or polars) or a polars LazyFrame"
    return "the frame has a column the engine does not read exactly (or bad input)"


def _vectorised(  # noqa: PLR0913 - claim_eligibility's checked keywords
    plan: _Plan,
    *,
    at: object,
    timezone: object,
    policy: object,
    with_messages: bool,
    progress: bool | None = None,
    with_engine: bool = False,
    hint: bool = False,
    clauses: _Clauses = _NO_CLAUSES,
) -> Any:
    """Decide every row: vectorised definitions as expressions, the others by the loop.

    ``hint`` warns when many rows go to the loop (``engine="auto"``, :func:`_hint`).
    """
    pl = plan.polars
    instants = _instants(at)
    members, zones = _members(plan, timezone)
    held_by_id = _held_by_id(plan.holdings)
    if not isinstance(policy, Policy):
        raise InvalidRequest(Problem("policy", f"expected a Policy, got {show(policy)}"))
    holders = _Holders.of(pl, plan, held_by_id, zones()) if held_by_id else None
    blocks = []
    python_pairs: list[tuple[int, tuple[BenefitDefinition, str]]] = []
    for index, (pair, condition) in enumerate(zip(plan.pairs, plan.conditions, strict=True)):
        if condition is None:
            python_pairs.append((index, pair))
            continue
        segments = None
        if holders is not None and not with_messages:
            # CLM-9 to CLM-11, CLM-14, CLM-16: each holder's answers as steps in time, joined
            # to the instants; messages quote the instant, so with them the loop decides.
            segments = holders.segments(pair, instants, policy, progress=progress)
        block = _vector_block(
            pl,
            members,
            condition,
            pair,
            index=index,
            instants=instants,
            policy=policy,
            with_messages=with_messages,
            original=plan.frame,
            segments=segments,
            progress=progress,
            clauses=[
                (name, plan.clause_values(clause)) for name, clause in clauses.of.get(pair[1], ())
            ],
            clause_names=clauses.names,
        )
        if holders is not None and with_messages:
            # The members holding what these rules read are decided by the loop; every other
            # member's rows stay vectorised.
            found = holders.decide(
                pair, index, instants, policy, with_messages=with_messages, clauses=clauses
            )
            if found is not None:
                rows, members_held = found
                block = block.filter(~pl.col("__member").is_in(members_held))
                blocks.append(rows)
        blocks.append(block)
    if python_pairs:
        profiles = to_profiles(_eager(pl, plan.frame))
        held = [held_by_id.get(p.id, ()) for p in profiles]
        if hint:
            why = "; ".join(
                f"{show(p[1])}: {plan.choices[p[1]].reason}" for _, p in python_pairs[:3]
            )
            _hint(len(profiles) * len(python_pairs) * len(instants), why, depth=4)
        for index, pair in python_pairs:
            with _bar(len(profiles), f"{pair[1]} (python engine)", progress=progress) as bar:
                columns = _decide(
                    profiles,
                    zones(),
                    held,
                    [pair],
                    instants,
                    policy=policy,
                    with_messages=with_messages,
                    bar=bar,
                    clauses=clauses,
                )
            blocks.append(
                _keyed(pl, build_frame(columns, clauses.kinds(), "polars"), index, len(instants))
            )
    return _assemble(
        pl, plan, blocks, with_messages=with_messages, with_engine=with_engine, clauses=clauses
    )


def _members(plan: _Plan, timezone: object) -> tuple[Any, Callable[[], list[str]]]:
    """The members as the engine reads them, and their zones as a list (built on demand)."""
    pl = plan.polars
    has_ids = "id" in plan.kinds
    profile_id = (
        pl.col(aliases(plan.kinds)["id"]).cast(pl.String)
        if has_ids
        else pl.lit(None, dtype=pl.String)
    )
    if isinstance(timezone, str | ZoneInfo):
        key = clock.zone(timezone).key
        zone = pl.lit(key, dtype=pl.String)

        def zones() -> list[str]:
            return [key] * _eager(pl, plan.frame).height

    else:
        # A zone per member: looked up and checked one member at a time, as the loop does.
        eager = _eager(pl, plan.frame)
        ids = eager.get_column("id").cast(pl.String).to_list() if has_ids else []
        found = _zones(timezone, ids or [None] * eager.height)
        zone = pl.Series(found, dtype=pl.String)

        def zones() -> list[str]:
            return found

    members = (
        load_members(pl, plan.frame, plan.kinds)
        .with_columns(profile_id.alias("__profile_id"), zone.alias("__timezone"))
        .with_row_index("__member")
    )
    return members, zones


def _keyed(pl: Any, frame: Any, index: int, count: int) -> Any:
    """A loop-decided definition's rows with their keys: member, definition and instant."""
    return (
        frame.lazy()
        .with_row_index("__row")
        .with_columns(
            (pl.col("__row") // count).cast(pl.UInt32).alias("__member"),
            pl.lit(index, dtype=pl.UInt32).alias("__definition"),
            (pl.col("__row") % count).cast(pl.UInt32).alias("__instant"),
            pl.lit("python", dtype=pl.String).alias("engine"),
        )
        .drop("__row")
    )


def _assemble(  # noqa: PLR0913 - the blocks and the run's column switches
    pl: Any,
    plan: _Plan,
    blocks: list[Any],
    *,
    with_messages: bool,
    with_engine: bool,
    clauses: _Clauses = _NO_CLAUSES,
) -> Any:
    """Put the blocks in the loop's row order: member, then definition, then instant."""
    names = [n for n in ELIGIBILITY_COLUMNS if with_messages or n != "messages"]
    names.extend(clauses.names)
    if with_engine:
        names.append("engine")
    order = ["__member", "__definition", "__instant"]
    if not blocks:
        return build_frame({n: [] for n in names}, clauses.kinds(), "polars")
    if len(blocks) == 1:
        # One block: members, then instants, is already the loop's row order.
        query = blocks[0].select(names)
    else:
        query = (
            pl.concat(
                [b.select([*order, *names]).cast(dict.fromkeys(order, pl.UInt32)) for b in blocks]
            )
            .sort(order)
            .select(names)
        )
    # A LazyFrame in gives a LazyFrame out: the caller may stream it (sink_parquet).
    return query if type(plan.frame) is pl.LazyFrame else query.collect()


@attrs.frozen
class _Holders:
    """The members with holdings, read once: who they are and what they hold (CLM-15)."""

    polars: Any
    frame: Any
    """The plan's members, eager, with their row numbers."""
    rows: Mapping[object, tuple[int, ...]]
    """The row numbers of each profile id that has holdings."""
    held: Mapping[object, tuple[Benefit, ...]]
    zones: Sequence[str]

    @classmethod
    def of(
        cls,
        pl: Any,
        plan: _Plan,
        held: Mapping[object, tuple[Benefit, ...]],
        zones: Sequence[str],
    ) -> _Holders:
        """Read the members once and find the rows of each profile id with holdings."""
        eager = _eager(pl, plan.frame)
        ids = (
            eager.get_column("id").cast(pl.String).to_list()
            if "id" in plan.kinds
            else [None] * eager.height
        )
        rows: dict[object, list[int]] = {}
        for row, profile_id in enumerate(ids):
            if held.get(profile_id):
                rows.setdefault(profile_id, []).append(row)
        return cls(pl, eager, {k: tuple(v) for k, v in rows.items()}, held, zones)

    def claim(
        self,
        definition: BenefitDefinition,
        profile_id: object,
        at: datetime,
        zone: str,
        policy: Policy,
    ) -> Any:
        """The holder's claim check, or ``None`` when no rule of it reads their holdings."""
        probe = Profile(id=profile_id if isinstance(profile_id, str) else None)
        claim, _ = prepare_claim(definition, probe, at, zone, self.held[profile_id], policy)
        return claim if claim.reads_holdings() else None

    def decide(  # noqa: PLR0913 - one definition's slice, and the run's switches
        self,
        pair: tuple[BenefitDefinition, str],
        index: int,
        instants: Sequence[datetime],
        policy: Policy,
        *,
        with_messages: bool,
        clauses: _Clauses = _NO_CLAUSES,
    ) -> tuple[Any, list[int]] | None:
        """The loop's rows for the members whose holdings the definition's rules read."""
        chosen: list[int] = []
        for profile_id, rows in self.rows.items():
            if self.claim(pair[0], profile_id, instants[0], "UTC", policy) is not None:
                chosen.extend(rows)
        if not chosen:
            return None
        chosen.sort()
        pl = self.polars
        profiles = _profiles_at(pl, self.frame, chosen)
        columns = _decide(
            profiles,
            [self.zones[row] for row in chosen],
            [self.held.get(p.id, ()) for p in profiles],
            [pair],
            instants,
            policy=policy,
            with_messages=with_messages,
            clauses=clauses,
        )
        count = len(instants)
        frame = build_frame(columns, clauses.kinds(), "polars").with_columns(
            pl.Series("__member", [row for row in chosen for _ in range(count)], dtype=pl.UInt32),
            pl.lit(index, dtype=pl.UInt32).alias("__definition"),
            pl.Series("__instant", list(range(count)) * len(chosen), dtype=pl.UInt32),
            pl.lit("python", dtype=pl.String).alias("engine"),
        )
        return frame.lazy(), chosen

    def segments(
        self,
        pair: tuple[BenefitDefinition, str],
        instants: Sequence[datetime],
        policy: Policy,
        *,
        progress: bool | None,
    ) -> tuple[Any, list[int]] | None:
        """Each holder's answers as steps in time, for the members whose holdings count.

        A holder's answer (with the condition taken as holding) can change only at TIME-9's
        candidate instants, so ``check_claim``'s own rules are run once at the earliest
        instant asked about and once at each later candidate; every instant then takes the
        answer of the latest step at or before it (an as-of join), and ``retry_at`` is the
        next step whose ``allowed`` differs. Cost: a few rule runs per held benefit, whatever
        the number of instants. Returns the steps (``__member``, ``__from`` and the answer
        columns) and the holders' row numbers, or ``None`` when no member holds anything the
        definition's rules read.
        """
        definition = attrs.evolve(pair[0], claim_condition=None)
        first = min(instants)
        members: list[int] = []
        starts: list[datetime] = []
        retries: list[datetime | None] = []
        answers: list[int] = []
        distinct: dict[tuple[ReasonCode, ...], int] = {}
        chosen: list[int] = []
        done: dict[tuple[object, str], _Steps | None] = {}
        with _bar(len(self.rows), f"{pair[1]} (holdings)", progress=progress) as bar:
            for profile_id, rows in self.rows.items():
                for row in rows:
                    zone = self.zones[row]
                    key = (profile_id, zone)
                    if key not in done:
                        claim = self.claim(definition, profile_id, first, zone, policy)
                        done[key] = None if claim is None else _steps(claim, first)
                    steps = done[key]
                    if steps is None:
                        continue
                    chosen.append(row)
                    members.extend([row] * len(steps.starts))
                    starts.extend(steps.starts)
                    retries.extend(steps.retries)
                    answers.extend(distinct.setdefault(c, len(distinct)) for c in steps.codes)
                if bar is not None:
                    bar.update(1)
        if not chosen:
            return None
        pl = self.polars
        # Few distinct answers, many steps: each answer's columns are built once, then joined.
        table, _ = _answer_table(
            pl, [Base(c, None, ()) for c in distinct], with_messages=False, every_code=True
        )
        del table["__retry"]
        table["__answer"] = pl.Series(range(len(distinct)), dtype=pl.UInt32)
        steps = pl.DataFrame(
            {
                "__member": pl.Series(members, dtype=pl.UInt32),
                "__from": _instant_series(pl, starts),
                "__retry": _instant_series(pl, retries),
                "__answer": pl.Series(answers, dtype=pl.UInt32),
            }
        ).lazy()
        joined = steps.join(pl.DataFrame(table).lazy(), on="__answer", how="left")
        return joined.drop("__answer").sort("__from"), sorted(chosen)


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def _instant_series(pl: Any, instants: Sequence[datetime | None]) -> Any:
    """UTC instants as a polars column, through integers (several times faster than objects)."""
    micros = [None if t is None else (t - _EPOCH) // _MICROSECOND for t in instants]
    return pl.Series(micros, dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))


@attrs.frozen
class _Steps:
    """A holder's answers in time: from each start on, the failed codes and ``retry_at``."""

    starts: list[datetime]
    codes: list[tuple[ReasonCode, ...]]
    retries: list[datetime | None]


def _steps(claim: Any, first: datetime) -> _Steps:
    """A claim's answers from ``first`` on: at ``first`` and at each later TIME-9 candidate.

    Each step's ``retry_at`` is the next step whose ``allowed`` differs (TIME-9): between
    candidates the answer cannot change.
    """
    points = sorted({first, *(c for c in claim.candidates() if c is not None and c > first)})
    codes = [tuple(r.code for r in claim.evaluate(point)[0]) for point in points]
    retry: list[datetime | None] = [None] * len(points)
    nearest: dict[bool, datetime | None] = {True: None, False: None}
    for k in range(len(points) - 1, -1, -1):
        allowed = not codes[k]
        retry[k] = nearest[not allowed]
        nearest[allowed] = points[k]
    return _Steps(points, codes, retry)


def _profiles_at(pl: Any, frame: Any, rows: Sequence[int]) -> tuple[Profile, ...]:
    """The members at ``rows`` of an eager polars frame, as the python engine reads them."""
    if not frame.width:
        return to_profiles([{}] * len(rows))  # a frame without columns: members without data
    return to_profiles(frame.select(pl.all().gather(rows)))


def _is_lazy(value: object) -> bool:
    kind = type(value)
    return kind.__name__ == "LazyFrame" and kind.__module__.split(".")[0] == "polars"


def _eager(pl: Any, frame: Any) -> Any:
    """The frame itself, or a LazyFrame collected (for the parts that read every member)."""
    return frame.collect() if type(frame) is pl.LazyFrame else frame


def _answer_table(
    pl: Any, answers: Sequence[Base], *, with_messages: bool, every_code: bool
) -> tuple[dict[str, Any], dict[ReasonCode, Any]]:
    """Answers (with the condition taken as holding) as columns, and each code's flag.

    ``__reasons_met`` and ``__reasons_not_met`` are the ``reasons`` text when the member's
    condition holds and when it fails (``condition_not_met`` in its place in the CLM table).
    A code that fails in every answer or in none is a constant, unless ``every_code``.
    """
    split = CLAIM_CODES.index(ReasonCode.CONDITION_NOT_MET)
    before = set(CLAIM_CODES[:split])

    def joined(codes: Iterable[ReasonCode]) -> list[str]:
        return [code.value for code in codes]

    table: dict[str, Any] = {
        "__base_allowed": pl.Series([not b.codes for b in answers], dtype=pl.Boolean),
        "__reasons_met": pl.Series([joined(b.codes) for b in answers], dtype=pl.List(pl.String)),
        "__reasons_not_met": pl.Series(
            [
                joined(
                    [c for c in b.codes if c in before]
                    + [ReasonCode.CONDITION_NOT_MET]
                    + [c for c in b.codes if c not in before]
                )
                for b in answers
            ],
            dtype=pl.List(pl.String),
        ),
        "__retry": pl.Series([b.retry_at for b in answers], dtype=pl.Datetime("us", "UTC")),
    }
    flags: dict[ReasonCode, Any] = {}
    for code in CLAIM_CODES:
        if code is ReasonCode.CONDITION_NOT_MET:
            continue
        values = [code in b.codes for b in answers]
        if len(set(values)) == 1 and not every_code:
            flags[code] = pl.lit(values[0], dtype=pl.Boolean)
        else:
            table[f"__code_{code.value}"] = pl.Series(values, dtype=pl.Boolean)
            flags[code] = pl.col(f"__code_{code.value}")
    if with_messages:
        cut = [sum(1 for c in b.codes if c in before) for b in answers]
        table["__messages_met"] = pl.Series(
            [list(b.messages) for b in answers], dtype=pl.List(pl.String)
        )
        table["__messages_before"] = pl.Series(
            [list(b.messages[:n]) for b, n in zip(answers, cut, strict=True)],
            dtype=pl.List(pl.String),
        )
        table["__messages_after"] = pl.Series(
            [list(b.messages[n:]) for b, n in zip(answers, cut, strict=True)],
            dtype=pl.List(pl.String),
        )
    return table, flags


def _vector_block(  # noqa: PLR0913 - one definition's slice of the run
    pl: Any,
    members: Any,
    condition: Any,
    pair: tuple[BenefitDefinition, str],
    *,
    index: int,
    instants: Sequence[datetime],
    policy: Policy,
    with_messages: bool,
    original: Any,
    segments: tuple[Any, list[int]] | None = None,
    progress: bool | None = None,
    clauses: Sequence[tuple[str, Any]] = (),
    clause_names: Sequence[str] = (),
) -> Any:
    """One definition's rows: its per-instant answers broadcast over the members' conditions.

    ``original`` is the members' frame as given, read only for the messages of failed
    conditions (they quote the member's own values). ``segments`` are the holders' answers
    as steps in time (:meth:`_Holders.segments`): their rows take those instead.
    """
    definition, label = pair
    bases = base_answers(definition, instants, policy, with_messages=with_messages)
    table, flags = _answer_table(
        pl, bases, with_messages=with_messages, every_code=segments is not None
    )
    keys = {
        "__instant": pl.Series(range(len(instants)), dtype=pl.UInt32),
        "instant": pl.Series(list(instants), dtype=pl.Datetime("us", "UTC")),
    }
    per_instant = pl.DataFrame({**keys, **table}).lazy()
    rows = members.lazy().select(
        "__member",
        pl.col("__profile_id").alias("profile_id"),
        pl.col("__timezone").alias("timezone"),
        condition.alias("__holds"),
        *[values.alias(f"__clause_{name}") for name, values in clauses],
    )
    if with_messages:
        # With the row numbers, so that a constant condition is still one value per member.
        holds_now = _eager(pl, members.select("__member", condition.alias("__holds")))["__holds"]
        rows = rows.with_columns(
            _condition_messages(
                pl, original, holds_now, pair, at=instants[0], progress=progress
            ).alias("__condition")
        )
    answered = rows.join(per_instant, how="cross", maintain_order="left_right")
    if segments is not None:
        steps, chosen = segments
        held = pl.col("__member").is_in(pl.Series(chosen, dtype=pl.UInt32))
        stepped = (
            rows.filter(held)
            .join(pl.DataFrame(keys).lazy(), how="cross")
            .sort("instant")
            .join_asof(
                steps,
                left_on="instant",
                right_on="__from",
                by="__member",
                strategy="backward",
                check_sortedness=False,
            )
            .drop("__from")
        )
        answered = pl.concat(
            [answered.filter(~held), stepped.select(answered.collect_schema().names())]
        ).sort(["__member", "__instant"])
    holds = pl.col("__holds")
    columns = [
        pl.col("__member"),
        pl.lit(index, dtype=pl.UInt32).alias("__definition"),
        pl.col("__instant"),
        pl.col("profile_id"),
        pl.lit(label, dtype=pl.String).alias("definition"),
        pl.col("instant"),
        pl.col("timezone"),
        (pl.col("__base_allowed") & holds).alias("allowed"),
        *[
            (~holds).alias(code.value)
            if code is ReasonCode.CONDITION_NOT_MET
            else flags[code].alias(code.value)
            for code in CLAIM_CODES
        ],
        pl.when(holds)
        .then(pl.col("__reasons_met"))
        .otherwise(pl.col("__reasons_not_met"))
        .alias("reasons"),
    ]
    if with_messages:
        columns.append(
            pl.when(holds)
            .then(pl.col("__messages_met"))
            .otherwise(
                pl.concat_list(
                    [pl.col("__messages_before"), pl.col("__condition"), pl.col("__messages_after")]
                )
            )
            .alias("messages")
        )
    columns.append(
        pl.when(holds)
        .then(pl.col("__retry"))
        .otherwise(None)
        .cast(pl.Datetime("us", "UTC"))
        .alias("retry_at")
    )
    own = {name for name, _ in clauses}
    columns.extend(
        pl.col(f"__clause_{name}").alias(name)
        if name in own
        else pl.lit(None, dtype=pl.Boolean).alias(name)
        for name in clause_names
    )
    columns.append(pl.lit("vectorized", dtype=pl.String).alias("engine"))
    return answered.select(columns)


def _condition_messages(  # noqa: PLR0913 - the members, their answers and the bar's switch
    pl: Any,
    original: Any,
    holds: Any,
    pair: tuple[BenefitDefinition, str],
    *,
    at: datetime,
    progress: bool | None,
) -> Any:
    """The ``condition_not_met`` message of each member whose condition fails (CLM-8).

    Explained by the library's own check on the member's own row (``original``, the frame as
    given), one member at a time and only for those members: the message does not depend on
    the instant. A progress bar counts them (``progress``, as in ``claim_eligibility``).
    """
    definition, label = pair
    frame = _eager(pl, original)
    failing = [row for row, holds_here in enumerate(holds.to_list()) if not holds_here]
    messages: list[str | None] = [None] * frame.height
    if failing:
        members = _profiles_at(pl, frame, failing)
        with _bar(len(failing), f"{label} (messages)", progress=progress) as bar:
            for member, profile in zip(failing, members, strict=True):
                decision = check_claim(definition, profile, at=at, timezone="UTC")
                messages[member] = next(
                    r.message for r in decision.reasons if r.code is ReasonCode.CONDITION_NOT_MET
                )
                if bar is not None:
                    bar.update(1)
    return pl.Series(messages, dtype=pl.String)


# --- summaries ---------------------------------------------------------------------------------


def _group_key(column: list[Any], key: str) -> list[Any]:
    # A group key is a scalar; every missing cell (NaN, NaT, null) is one group.
    cells = [None if is_null(cell) else cell for cell in column]
    try:
        set(cells)
    except TypeError:
        msg = f"expected a column of scalars to group by, got lists or objects in {show(key)}"
        raise InvalidRequest(Problem("by", msg)) from None
    return cells


def _renamed_keys(frame: Any, keys: list[str]) -> list[str]:
    """Read ``"at"`` as ``"instant"`` in a frame that has no ``at`` column (deprecated)."""
    if _is_lazy(frame):
        names = set(frame.collect_schema().names())
    elif is_frame(frame):
        names = {str(name) for name in frame.columns}
    else:
        return keys  # not a frame: columns_of names the problem
    if "at" not in keys or "at" in names or "instant" not in names:
        return keys
    msg = (
        "the eligibility frame's `at` column is now called `instant`: "
        "group by 'instant' (reading 'at' as 'instant' goes away in the next release)"
    )
    warnings.warn(msg, FutureWarning, stacklevel=3)
    return ["instant" if key == "at" else key for key in keys]


def summarize(frame: Any, *, by: str | Sequence[str] = ("definition", "instant")) -> Any:
    """Count each outcome of a :func:`claim_eligibility` frame, per group of ``by`` columns.

    One row per group and outcome (``allowed``, or a reason code that occurred), with
    ``count`` (rows with that outcome; a member refused for three reasons counts under each),
    ``sole`` (rows refused for that reason alone: they would be allowed without it),
    ``rows`` (the group's size) and ``share`` (``count / rows``). Groups keep the order they
    first appear in; outcomes follow the CLM table, ``allowed`` first. The result has the
    frame's backend.

    >>> from datetime import UTC, datetime
    >>> from loyalty_core import BenefitDefinition
    >>> closed = BenefitDefinition(handle="closed", is_published=True, is_assignable=True)
    >>> frame = claim_eligibility([{"id": "m-1"}, {"id": "m-2"}], closed,
    ...                           at=datetime(2026, 3, 1, tzinfo=UTC), timezone="UTC")
    >>> summarize(frame, by=["definition"])
      definition        outcome  count  sole  rows  share
    0     closed  not_claimable      2     2     2    1.0
    """
    keys = _renamed_keys(frame, [by] if isinstance(by, str) else list(by))
    codes = [code.value for code in CLAIM_CODES]
    counted = _summarize_polars(frame, keys, codes)
    if counted is not None:
        return counted
    return _summarize_rows(frame, keys, codes)


def _summarize_rows(frame: Any, keys: list[str], codes: list[str]) -> Any:
    """``summarize`` row by row, for any frame."""
    data = columns_of(frame, [*keys, "allowed", *codes], name="frame")
    for key in keys:
        data[key] = _group_key(data[key], key)
    rows: dict[tuple[Any, ...], int] = {}
    counts: dict[tuple[Any, ...], Counter[str]] = {}
    sole: dict[tuple[Any, ...], Counter[str]] = {}
    key_columns = [data[k] for k in keys]
    flag_columns = [data[c] for c in codes]
    for index, is_allowed in enumerate(data["allowed"]):
        group = tuple(column[index] for column in key_columns)
        if group not in rows:
            rows[group] = 0
            counts[group] = Counter()
            sole[group] = Counter()
        rows[group] += 1
        if is_allowed:
            counts[group][_OUTCOME_ALLOWED] += 1
            continue
        failed = [code for code, column in zip(codes, flag_columns, strict=True) if column[index]]
        counts[group].update(failed)
        if len(failed) == 1:
            sole[group][failed[0]] += 1
    out: dict[str, list[Any]] = {k: [] for k in keys}
    out.update(outcome=[], count=[], sole=[], rows=[], share=[])
    for group, size in rows.items():
        for outcome in (_OUTCOME_ALLOWED, *codes):
            count = counts[group][outcome]
            if not count:
                continue
            for key, value in zip(keys, group, strict=True):
                out[key].append(value)
            out["outcome"].append(outcome)
            out["count"].append(count)
            out["sole"].append(sole[group][outcome] if outcome != _OUTCOME_ALLOWED else 0)
            out["rows"].append(size)
            out["share"].append(count / size)
    kinds: dict[str, Column] = {key: _ELIGIBILITY_KINDS.get(key, "any") for key in keys}
    kinds.update(_SUMMARY_KINDS)
    return build_frame(out, kinds, backend_of(frame))


def _summarize_polars(frame: Any, keys: list[str], codes: list[str]) -> Any:
    """``summarize`` of a polars frame as one group-by, or ``None`` to count row by row.

    Row by row it is, whenever the group-by could group differently: a float key (NaN joins
    the null group there) or a key that is not a scalar (an error there), or a missing column.
    """
    if backend_of(frame) != "polars" or not is_frame(frame):
        return None
    pl = importlib.import_module("polars")
    schema = frame.schema
    needed = [*keys, "allowed", *codes]
    if any(name not in schema for name in needed) or len(set(keys)) != len(keys):
        return None
    if any(schema[k].is_float() or schema[k].is_nested() or schema[k] == pl.Object for k in keys):
        return None
    failed = pl.sum_horizontal([pl.col(c).cast(pl.UInt32) for c in codes])
    single = (failed == 1) & ~pl.col("allowed")
    stats = (
        frame.group_by(keys, maintain_order=True)
        .agg(
            pl.len().alias("__rows"),
            pl.col("allowed").sum().alias("__allowed"),
            *[pl.col(c).sum().alias(f"__count_{c}") for c in codes],
            *[(pl.col(c) & single).sum().alias(f"__sole_{c}") for c in codes],
        )
        .to_dict(as_series=False)
    )
    out: dict[str, list[Any]] = {k: [] for k in keys}
    out.update(outcome=[], count=[], sole=[], rows=[], share=[])
    for index, size in enumerate(stats["__rows"]):
        found = [(_OUTCOME_ALLOWED, stats["__allowed"][index], 0)]
        found += [(c, stats[f"__count_{c}"][index], stats[f"__sole_{c}"][index]) for c in codes]
        for outcome, count, sole in found:
            if not count:
                continue
            for key in keys:
                out[key].append(stats[key][index])
            out["outcome"].append(outcome)
            out["count"].append(count)
            out["sole"].append(sole)
            out["rows"].append(size)
            out["share"].append(count / size)
    kinds: dict[str, Column] = {key: _ELIGIBILITY_KINDS.get(key, "any") for key in keys}
    kinds.update(_SUMMARY_KINDS)
    return build_frame(out, kinds, "polars")


def what_if(  # noqa: PLR0913 - the comparison needs the same inputs as claim_eligibility
    profiles: Any,
    old: BenefitDefinition | Policy,
    new: BenefitDefinition | Policy,
    *,
    at: datetime | Iterable[datetime],
    timezone: Zones,
    holdings: Mapping[str, Iterable[Benefit]] | None = None,
    definitions: Definitions | None = None,
    policy: Policy = DEFAULT_POLICY,
    backend: Backend | None = None,
) -> Any:
    """Show whose claim outcome changes between two definitions, or between two policies.

    With two :class:`~loyalty_core.BenefitDefinition` values, each member's claim of ``old``
    is compared with their claim of ``new`` under ``policy``. With two
    :class:`~loyalty_core.Policy` values, the claims of ``definitions`` are compared under
    each. Only rows whose ``allowed`` or reasons differ are returned, with the columns
    ``profile_id``, ``definition`` (the new one's handle), ``instant``, ``allowed_before``,
    ``allowed_after``, ``reasons_before``, ``reasons_after`` and ``change`` (``"gained"``,
    ``"lost"`` or ``"reasons"``: refused both ways, for different reasons).

    >>> from datetime import UTC, datetime
    >>> import attrs
    >>> from loyalty_core import BenefitDefinition
    >>> old = BenefitDefinition(handle="spa", is_claimable=True, is_published=True,
    ...                         is_assignable=True,
    ...                         claim_condition={">": [{"var": "aggregations.spend_12m"}, 1000]})
    >>> new = attrs.evolve(old, claim_condition={">": [{"var": "aggregations.spend_12m"}, 500]})
    >>> members = [{"id": "m-1", "aggregations": {"spend_12m": 700}},
    ...            {"id": "m-2", "aggregations": {"spend_12m": 300}}]
    >>> changed = what_if(members, old, new, at=datetime(2026, 3, 1, tzinfo=UTC),
    ...                   timezone="UTC")
    >>> changed[["profile_id", "allowed_before", "allowed_after", "change"]]
      profile_id  allowed_before  allowed_after  change
    0        m-1           False           True  gained
    """
    chosen = check_backend(backend) if backend is not None else backend_of(profiles)
    # A frame is read by each run (so the vectorised engine may decide both); any other input
    # is read once here: both runs must see the same iterables' contents.
    framed = is_frame(profiles) or _is_lazy(profiles)
    members = profiles if framed else to_profiles(profiles)
    polars = _polars_or_none("auto") if framed else None
    common: dict[str, Any] = {
        "at": _instants(at),
        "timezone": timezone,
        "holdings": None if holdings is None else _held_by_id(holdings),
        "backend": "polars" if polars is not None else None,
    }
    before, after = _both_runs(members, old, new, definitions, policy, common)
    if polars is not None:
        changed = _changes_polars(polars, before, after)
        if chosen == "polars":
            return changed
        return build_frame(changed.to_dict(as_series=False), _WHAT_IF_KINDS, chosen)
    names = ["profile_id", "definition", "instant", "allowed", "reasons"]
    was = columns_of(before, names)
    now = columns_of(after, names)
    out: dict[str, list[Any]] = {
        "profile_id": [],
        "definition": [],
        "instant": [],
        "allowed_before": [],
        "allowed_after": [],
        "reasons_before": [],
        "reasons_after": [],
        "change": [],
    }
    for index, (allowed_before, allowed_after) in enumerate(
        zip(was["allowed"], now["allowed"], strict=True)
    ):
        reasons_before, reasons_after = was["reasons"][index], now["reasons"][index]
        if allowed_before == allowed_after and reasons_before == reasons_after:
            continue
        out["profile_id"].append(now["profile_id"][index])
        out["definition"].append(now["definition"][index])
        out["instant"].append(now["instant"][index])
        out["allowed_before"].append(allowed_before)
        out["allowed_after"].append(allowed_after)
        out["reasons_before"].append(reasons_before)
        out["reasons_after"].append(reasons_after)
        if allowed_before == allowed_after:
            out["change"].append("reasons")
        else:
            out["change"].append("gained" if allowed_after else "lost")
    return build_frame(out, _WHAT_IF_KINDS, chosen)


def _both_runs(  # noqa: PLR0913, PLR0917 - what_if's arguments, checked once
    members: Any,
    old: object,
    new: object,
    definitions: object,
    policy: Policy,
    common: Mapping[str, Any],
) -> tuple[Any, Any]:
    """The eligibility frames before and after the change (definitions or policies)."""
    if definitions is not None:
        definitions = [definition for definition, _ in _definitions(definitions)]
    if isinstance(old, BenefitDefinition) and isinstance(new, BenefitDefinition):
        if definitions is not None:
            msg = "expected no definitions when old and new are definitions"
            raise InvalidRequest(Problem("definitions", msg))
        before = claim_eligibility(members, old, policy=policy, messages=False, **common)
        after = claim_eligibility(members, new, policy=policy, messages=False, **common)
    elif isinstance(old, Policy) and isinstance(new, Policy):
        if definitions is None:
            msg = "expected the definitions to compare when old and new are policies"
            raise InvalidRequest(Problem("definitions", msg))
        before = claim_eligibility(members, definitions, policy=old, messages=False, **common)
        after = claim_eligibility(members, definitions, policy=new, messages=False, **common)
    else:
        msg = f"expected two BenefitDefinitions or two Policies, got {show(old)} and {show(new)}"
        raise InvalidRequest(Problem("old, new", msg))
    return before, after


def _changes_polars(pl: Any, before: Any, after: Any) -> Any:
    """The rows whose outcome or reasons differ between two eligibility frames, as one query."""
    if type(before) is pl.LazyFrame:
        before, after = before.collect(), after.collect()
    was_allowed, now_allowed = before.get_column("allowed"), after.get_column("allowed")
    frame = pl.DataFrame(
        {
            "profile_id": after.get_column("profile_id"),
            "definition": after.get_column("definition"),
            "instant": after.get_column("instant"),
            "allowed_before": was_allowed,
            "allowed_after": now_allowed,
            "reasons_before": before.get_column("reasons"),
            "reasons_after": after.get_column("reasons"),
        }
    )
    same = pl.col("allowed_before") == pl.col("allowed_after")
    return frame.filter(~same | (pl.col("reasons_before") != pl.col("reasons_after"))).with_columns(
        pl.when(same)
        .then(pl.lit("reasons"))
        .when(pl.col("allowed_after"))
        .then(pl.lit("gained"))
        .otherwise(pl.lit("lost"))
        .alias("change")
    )
