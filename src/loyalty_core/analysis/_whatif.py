"""What-if helpers: edit a definition's claim condition, and sweep a threshold over members.

A what-if starts from a definition and changes one thing in its ``claim_condition`` (COND-1 to
COND-3): the literal a variable is compared with (:func:`with_threshold`), a clause added or
removed (:func:`with_clause`, :func:`without_clause`; the clauses are those of
:meth:`~loyalty_core.conditions.Condition.clauses`, as ``claim_eligibility(clauses=True)`` and
``why_not`` count them). Each returns a new :class:`~loyalty_core.BenefitDefinition`, validated
and compiled like any other (``attrs.evolve``), under a derived handle that says what changed,
so that the variants and the original can be decided side by side. :func:`thresholds` lists
what :func:`with_threshold` can change, and :func:`sweep` counts who may claim for each of
several thresholds.

Targets. A *variable* is the path a ``var`` reads (``"aggregations.spend_12m"``). A *JSON path*
starts with ``$`` and walks the rule: ``.name`` or ``["name"]`` for an object key, ``[n]`` for
an array index. Error messages write paths the library's way (``$.and[1][">"][1]``: keys that
are not identifiers in brackets); ``$.and[1].>[1]`` (a dotted key runs to the next ``.`` or
``[``) is read the same.

Derived handles. The base is the definition's handle, else ``#`` and its id (as
:func:`~loyalty_core.analysis.claim_eligibility` labels it), else ``definition``; each edit
appends one bracketed suffix: ``[variable=value]`` or ``[path=value]`` (the value as JSON),
``[+clause]`` (the clause's canonical JSON) and ``[-variable]`` or ``[-and[i]]``; an edit's
text past 80 characters is cut to its head and a digest of the whole, so a handle stays short.
Pass ``handle=`` to choose the handle instead.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from loyalty_core import clock
from loyalty_core._jsonlogic_compile import var_argument
from loyalty_core.analysis._batch import Zones, claim_eligibility
from loyalty_core.analysis._frames import (
    Backend,
    Column,
    backend_of,
    build_frame,
    check_backend,
    definition_label,
    import_or_hint,
)
from loyalty_core.benefits import Benefit, BenefitDefinition
from loyalty_core.conditions import Condition, to_condition
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import (
    Path,
    ShapeError,
    copy_json,
    listing,
    path_segments,
    path_text,
    shorten,
    show,
)
from loyalty_core.policy import DEFAULT_POLICY, Policy

__all__ = ["Threshold", "sweep", "thresholds", "with_clause", "with_threshold", "without_clause"]

_COMPARISONS: Final = frozenset({">", ">=", "<", "<=", "==", "===", "!=", "!=="})
_BETWEEN: Final = frozenset({"<", "<="})  # the two operators with a 3-operand form (COND-7)
_SCALARS: Final = (str, bool, int, float, type(None))
_LONGEST_EDIT: Final = 80
# One step of a JSON path: `.name` (up to the next `.` or `[`), `[index]` or `["name"]`. An
# index has at most 18 digits (int() of a longer digit string is slow, and no rule is so long).
_SEGMENT: Final = re.compile(r'\.([^.\[]++)|\[([0-9]{1,18})\]|\[("(?:[^"\\]|\\.)*+")\]')
_SWEEP_KINDS: Final[Mapping[str, Column]] = {
    "definition": "str",
    "instant": "instant",
    "allowed": "int",
    "rows": "int",
    "share": "float",
}


@attrs.frozen(kw_only=True)
class Threshold:
    """One literal compared with a variable in a claim condition (what :func:`with_threshold` sets).

    ``path`` is the literal's JSON path, ``variable`` the path its ``var`` reads, ``operator``
    the comparison and ``value`` the literal (JSON data); ``comparison`` is the whole
    comparison as text. A 3-operand ``<``/``<=`` (between) gives two thresholds, its lower and
    upper bound, on the same variable.
    """

    path: str
    variable: str
    operator: str
    value: Any
    comparison: str

    def __str__(self) -> str:
        """Render as ``path (comparison)``."""
        return f"{self.path} ({self.comparison})"


# --- reading a rule ----------------------------------------------------------------------------


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _variable(operand: object) -> str | None:
    """The path a ``{"var": path}`` operand reads (a default may follow), else ``None``."""
    path = var_argument(operand)
    return path if isinstance(path, str) else None


def _comparison(name: str, args: list[Any], where: Path) -> list[tuple[Path, Threshold]]:
    """The thresholds of one comparison node: a variable against a literal, either order."""
    texts = [_variable(arg) or shorten(_json_text(arg)) for arg in args]
    sides: list[tuple[int, str, str]] = []  # (the literal's index, its variable, the text)
    if len(args) == 2:
        for var_at, lit_at in ((0, 1), (1, 0)):
            variable = _variable(args[var_at])
            if variable is not None and isinstance(args[lit_at], _SCALARS):
                sides.append((lit_at, variable, f"{texts[0]} {name} {texts[1]}"))
    elif len(args) == 3 and name in _BETWEEN:
        variable = _variable(args[1])
        if variable is not None and all(isinstance(args[i], _SCALARS) for i in (0, 2)):
            between = f"{texts[0]} {name} {variable} {name} {texts[2]}"
            sides.append((0, variable, f"{between}, lower bound"))
            sides.append((2, variable, f"{between}, upper bound"))
    return [
        (
            (where, at),
            Threshold(
                path=path_text("$", (where, at)),
                variable=variable,
                operator=name,
                value=args[at],
                comparison=text,
            ),
        )
        for at, variable, text in sides
    ]


def _scan(rule: object) -> list[tuple[Path, Threshold]]:
    """Every threshold of a rule, in document order (an explicit stack: no recursion)."""
    found: list[tuple[Path, Threshold]] = []
    stack: list[tuple[object, Path]] = [(rule, None)]
    while stack:
        node, where = stack.pop()
        children: list[tuple[object, Path]] = []
        if isinstance(node, list):
            children = [(item, (where, i)) for i, item in enumerate(node)]
        elif isinstance(node, dict) and len(node) == 1:  # an operator (COND-7)
            ((name, raw),) = node.items()
            key: Path = (where, name)
            if isinstance(raw, list):
                children = [(item, (key, i)) for i, item in enumerate(raw)]
                if name in _COMPARISONS:
                    found.extend(_comparison(name, raw, key))
            else:
                children = [(raw, key)]
        stack.extend(reversed(children))
    return found


def _checked(definition: object) -> BenefitDefinition:
    if not isinstance(definition, BenefitDefinition):
        msg = f"expected a BenefitDefinition, got {show(definition)}"
        raise InvalidRequest(Problem("definition", msg))
    return definition


def thresholds(definition: BenefitDefinition) -> tuple[Threshold, ...]:
    """List the literals a definition's claim condition compares with a variable.

    The comparisons are ``>``, ``>=``, ``<``, ``<=``, ``==``, ``===``, ``!=`` and ``!==``
    between a ``var`` (a string path, with or without a default) and a JSON scalar, in either
    order, and the bounds of a 3-operand ``<``/``<=``; anywhere in the rule, in document order.

    >>> voucher = BenefitDefinition(handle="spend-1000", claim_condition={"and": [
    ...     {"in": [{"var": "tier_handle"}, ["silver", "gold"]]},
    ...     {">": [{"var": "aggregations.spend_12m"}, 1000]}]})
    >>> [str(t) for t in thresholds(voucher)]
    ['$.and[1][">"][1] (aggregations.spend_12m > 1000)']
    """
    condition = _checked(definition).claim_condition
    if condition is None:
        return ()
    return tuple(threshold for _, threshold in _scan(condition.rule))


# --- editing a rule ----------------------------------------------------------------------------


def _parse(target: str) -> list[str | int]:
    """The segments of a JSON path (``$.and[1][">"][1]`` or ``$.and[1].>[1]``)."""
    segments: list[str | int] = []
    position = 1
    while position < len(target):
        match = _SEGMENT.match(target, position)
        if match is None:
            msg = (
                f"expected a JSON path such as '$.and[1][\">\"][1]', got {show(target)}: "
                f"cannot read it from character {position}"
            )
            raise InvalidRequest(Problem("target", msg))
        name, index, quoted = match.groups()
        if quoted is not None:
            try:
                name = json.loads(quoted)
            except ValueError:
                msg = f"expected a JSON string in brackets, got {show(quoted)} in {show(target)}"
                raise InvalidRequest(Problem("target", msg)) from None
        segments.append(int(index) if index is not None else name)
        position = match.end()
    return segments


def _is_literal(node: object) -> bool:
    """Whether a node is data, not logic: no operator object anywhere in it (COND-7)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict) and len(item) == 1:
            return False
        if isinstance(item, list):
            stack.extend(item)
    return True


def _locate(rule: Any, target: str) -> list[str | int]:
    """Check a JSON path against the rule: it must lead to a literal."""
    segments = _parse(target)
    node = rule
    where: Path = None
    for segment in segments:
        found = (isinstance(segment, int) and isinstance(node, list) and segment < len(node)) or (
            isinstance(segment, str) and isinstance(node, dict) and segment in node
        )
        if not found:
            missing = path_text("", (None, segment))
            there = f"{path_text('$', where)} has no {missing}"
            if rule is None:
                there = "the definition has no claim_condition"
            msg = f"expected a JSON path into the claim condition, got {show(target)}: {there}"
            raise InvalidRequest(Problem("target", msg))
        node = node[segment]
        where = (where, segment)
    if not _is_literal(node):
        msg = (
            f"expected the JSON path of a literal, got {show(target)}, which holds logic: "
            "with_clause and without_clause change clauses"
        )
        raise InvalidRequest(Problem("target", msg))
    return segments


def _json_value(value: object, where: str, *, arrays: bool) -> Any:
    """A threshold value as the JSON data a rule holds; a Decimal as the number it reads as."""
    items = list(value) if arrays and isinstance(value, list | tuple) else None
    scalars = [value] if items is None else items
    converted: list[Any] = []
    for item in scalars:
        if isinstance(item, Decimal) and item.is_finite():
            item = int(item) if item == item.to_integral_value() else float(item)  # noqa: PLW2901
        if not isinstance(item, _SCALARS) or (isinstance(item, float) and not math.isfinite(item)):
            kinds = "a JSON number, string, boolean or null" + (", or an array of them" * arrays)
            raise InvalidRequest(Problem(where, f"expected {kinds}, got {show(value)}"))
        converted.append(item)
    try:
        copy_json(converted)  # numbers beyond a double's range are not JSON either
    except ShapeError as error:
        # Its message says what it got already; an array's item is named by its index.
        at = error.where(where) if items is not None else where
        raise InvalidRequest(Problem(at, str(error))) from None
    return converted if items is not None else converted[0]


def _listing(found: Sequence[Threshold]) -> str:
    return listing((str(t) for t in found), len(found), "; ", more="; and {} more")


def _match(rule: Any, target: str) -> list[str | int]:
    """The segments of the one literal compared with the variable ``target``."""
    found = _scan(rule) if rule is not None else []
    chosen = [(where, t) for where, t in found if t.variable == target]
    if len(chosen) == 1:
        return path_segments(chosen[0][0])
    head = f"expected a variable compared with a literal exactly once, got {show(target)}"
    if rule is None:
        msg = f"{head}: the definition has no claim_condition"
    elif not chosen:
        listed = _listing([t for _, t in found]) or "none"
        msg = f"{head}, which no comparison reads; the comparisons with a literal: {listed}"
    else:
        listed = _listing([t for _, t in chosen])
        msg = f"{head}, which {len(chosen)} comparisons read: {listed}; name one by its JSON path"
    raise InvalidRequest(Problem("target", msg))


def _edit_text(sign: str, text: str) -> str:
    """Return a handle's edit suffix: ``sign`` and ``text``, its head and a digest past 80 chars.

    Every edit goes through here, so a handle stays short whatever the value, clause or
    variable, and distinct edits keep distinct handles (the digest is of the whole text).

    >>> _edit_text("-", "aggregations.spend_12m")
    '-aggregations.spend_12m'
    >>> _edit_text("", "$.in[1]=" + "x" * 100)
    '$.in[1]=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...6453046113ba'
    """
    if len(text) > _LONGEST_EDIT:
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        text = f"{text[:60]}...{digest}"
    return f"{sign}{text}"


def _handle(definition: BenefitDefinition, edit: str, handle: object) -> str:
    if handle is not None:
        if not isinstance(handle, str):
            raise InvalidRequest(
                Problem("handle", f"expected a string or None, got {show(handle)}")
            )
        return handle
    base = definition_label(definition)
    return f"{'definition' if base is None else base}[{edit}]"


def _edited(
    definition: BenefitDefinition, target: object, value: object, handle: object, where: str
) -> BenefitDefinition:
    if not isinstance(target, str):
        msg = f"expected a variable or a JSON path (a string), got {show(target)}"
        raise InvalidRequest(Problem("target", msg))
    condition = definition.claim_condition
    rule: Any = condition.rule if condition is not None else None
    is_path = target.startswith("$")
    if is_path:
        segments = _locate(rule, target)
        label = path_text("$", _linked(segments))
    else:
        segments = _match(rule, target)
        label = target
    data = _json_value(value, where, arrays=is_path)
    if not segments:  # "$" with no condition (a condition's root is logic, COND-3)
        msg = f"expected the JSON path of a literal below $, got {show(target)}"
        raise InvalidRequest(Problem("target", msg))
    parent = rule
    for segment in segments[:-1]:
        parent = parent[segment]
    parent[segments[-1]] = data
    edit = _edit_text("", f"{label}={_json_text(data)}")
    return _evolved(definition, rule, _handle(definition, edit, handle))


def _evolved(definition: BenefitDefinition, rule: Any, handle: str) -> BenefitDefinition:
    # Compiled once here (COND-3); evolve re-validates every other field as a constructor does.
    condition = to_condition(rule, path="claim_condition")
    return attrs.evolve(definition, claim_condition=condition, handle=handle)


def _linked(segments: Iterable[str | int]) -> Path:
    where: Path = None
    for segment in segments:
        where = (where, segment)
    return where


def with_threshold(
    definition: BenefitDefinition, target: str, value: Any, *, handle: str | None = None
) -> BenefitDefinition:
    """Return ``definition`` with the literal a variable is compared with replaced by ``value``.

    ``target`` is a variable (it must be compared with a literal exactly once: see
    :func:`thresholds`; otherwise :class:`~loyalty_core.InvalidRequest` lists the comparisons)
    or the JSON path of any literal of the claim condition (then ``value`` may also be an array,
    for an ``in`` list). ``value`` is a JSON scalar; a ``Decimal`` is written as the number it
    reads as. The handle is derived (``spend-1000[aggregations.spend_12m=800]``) unless
    ``handle`` is given; every other field, the id included, is kept.

    >>> voucher = BenefitDefinition(handle="spend-1000", claim_condition={"and": [
    ...     {"in": [{"var": "tier_handle"}, ["silver", "gold"]]},
    ...     {">": [{"var": "aggregations.spend_12m"}, 1000]}]})
    >>> cheaper = with_threshold(voucher, "aggregations.spend_12m", 800)
    >>> cheaper.handle, cheaper.claim_condition.rule["and"][1]
    ('spend-1000[aggregations.spend_12m=800]', {'>': [{'var': 'aggregations.spend_12m'}, 800]})
    >>> with_threshold(voucher, '$.and[0].in[1]', ["gold"]).handle
    'spend-1000[$.and[0].in[1]=["gold"]]'
    """
    return _edited(_checked(definition), target, value, handle, "value")


def _clauses(condition: Condition | None) -> tuple[Condition, ...]:
    """The clauses of a claim condition, as :meth:`Condition.clauses` splits it (none: none).

    The one split the library uses: ``claim_eligibility(clauses=True)`` columns,
    :meth:`~loyalty_core.conditions.Condition.why_not` and these helpers agree.
    """
    return () if condition is None else condition.clauses()


def _anded(clauses: Sequence[Condition]) -> Any:
    """The rule that holds when every clause does: none, the clause, or their ``and``."""
    if not clauses:
        return None
    if len(clauses) == 1:
        return clauses[0].rule
    return {"and": [clause.rule for clause in clauses]}


def with_clause(
    definition: BenefitDefinition, clause: Any, *, handle: str | None = None
) -> BenefitDefinition:
    """Return ``definition`` with ``clause`` added to its claim condition's clauses.

    The clauses are those of :meth:`~loyalty_core.conditions.Condition.clauses` (as
    ``claim_eligibility(clauses=True)`` and ``why_not`` count them): the operands of a
    top-level ``and`` of two or more operator objects, a repeated one once; otherwise the
    whole condition is one clause. The result is the ``and`` of those clauses and ``clause``,
    last, so it is the new condition's last clause (unless it was a clause already); a
    definition without a condition gets ``clause`` as its condition. ``clause`` is a rule as
    a condition field takes it (an operator object, its JSON text, or a
    :class:`~loyalty_core.conditions.Condition`); one that does not compile raises
    :class:`~loyalty_core.ConditionError` at ``clause`` (COND-3), an empty one (COND-1)
    :class:`~loyalty_core.InvalidRequest`. The handle is derived
    (``spend-1000[+{"in":["vip",{"var":"flattened_tags"}]}]``) unless ``handle`` is given.

    >>> gold = BenefitDefinition(handle="gold", claim_condition={"==": [{"var": "tier_handle"},
    ...                                                                 "gold"]})
    >>> vip = with_clause(gold, {"in": ["vip", {"var": "flattened_tags"}]})
    >>> vip.claim_condition.rule
    {'and': [{'==': [{'var': 'tier_handle'}, 'gold']}, {'in': ['vip', {'var': 'flattened_tags'}]}]}
    >>> vip.handle
    'gold[+{"in":["vip",{"var":"flattened_tags"}]}]'
    """
    definition = _checked(definition)
    added = to_condition(clause, path="clause")
    if added is None:
        msg = f"expected a JSON Logic rule (an operator object), got {show(clause)}"
        raise InvalidRequest(Problem("clause", msg))
    rule = _anded([*_clauses(definition.claim_condition), added])
    return _evolved(definition, rule, _handle(definition, _edit_text("+", added.source), handle))


def without_clause(
    definition: BenefitDefinition, target: str | int, *, handle: str | None = None
) -> BenefitDefinition:
    """Return ``definition`` without one clause of its claim condition.

    The clauses are those of :meth:`~loyalty_core.conditions.Condition.clauses`, so index
    ``i`` is the ``i``-th clause column of ``claim_eligibility(clauses=True)``: the operands
    of a top-level ``and`` of two or more operator objects, a repeated one once (removing it
    removes every copy); any other condition, an ``and`` with a literal operand included, is
    one clause, index 0. ``target`` is the clause's index, or a variable that exactly one
    clause reads (COND-13's literal paths,
    :meth:`~loyalty_core.jsonlogic.CompiledRule.variables`). When one clause remains it
    becomes the condition; when none remains the definition has no condition. The handle is
    derived (``spend-1000[-aggregations.spend_12m]``, ``spend-1000[-and[1]]``) unless
    ``handle`` is given.

    >>> voucher = BenefitDefinition(handle="spend-1000", claim_condition={"and": [
    ...     {"in": [{"var": "tier_handle"}, ["silver", "gold"]]},
    ...     {">": [{"var": "aggregations.spend_12m"}, 1000]}]})
    >>> any_spend = without_clause(voucher, "aggregations.spend_12m")
    >>> any_spend.handle, any_spend.claim_condition.rule
    ('spend-1000[-aggregations.spend_12m]', {'in': [{'var': 'tier_handle'}, ['silver', 'gold']]})
    >>> without_clause(any_spend, 0).claim_condition is None
    True
    >>> vip = BenefitDefinition(handle="vip", claim_condition={"and": [{"var": "vip"}, True]})
    >>> without_clause(vip, 1)
    Traceback (most recent call last):
    ...
    loyalty_core.errors.InvalidRequest: target: expected a clause index from 0 to 0, got 1
    """
    definition = _checked(definition)
    clauses = _clauses(definition.claim_condition)
    if not clauses:
        msg = f"expected a definition with a claim_condition, got {show(definition.handle)}: none"
        raise InvalidRequest(Problem("definition", msg))
    if isinstance(target, int) and not isinstance(target, bool):
        if not 0 <= target < len(clauses):
            msg = f"expected a clause index from 0 to {len(clauses) - 1}, got {show(target)}"
            raise InvalidRequest(Problem("target", msg))
        index, edit = target, _edit_text("-", f"and[{target}]")
    elif isinstance(target, str):
        reads = [clause.compiled.variables() for clause in clauses]
        matching = [i for i, paths in enumerate(reads) if target in paths]
        if len(matching) != 1:
            listed = "; ".join(
                f"[{i}] {', '.join(paths) or '(none)'}" for i, paths in enumerate(reads)
            )
            msg = (
                f"expected a variable that exactly one clause reads, got {show(target)}, which "
                f"{len(matching)} clauses read; the clauses read: {shorten(listed)}"
            )
            raise InvalidRequest(Problem("target", msg))
        index, edit = matching[0], _edit_text("-", target)
    else:
        msg = f"expected a clause index or a variable, got {show(target)}"
        raise InvalidRequest(Problem("target", msg))
    rule = _anded(clauses[:index] + clauses[index + 1 :])
    return _evolved(definition, rule, _handle(definition, edit, handle))


# --- sweeping a threshold ----------------------------------------------------------------------


def _value_kind(values: Sequence[Any]) -> Column:
    present = [v for v in values if v is not None]
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "float"
    if all(isinstance(v, str) for v in present):
        return "str"
    if all(isinstance(v, bool) for v in present):
        return "bool"
    return "any"


def _counts(frame: Any) -> dict[tuple[str, datetime], tuple[int, int]]:
    """Allowed and total rows of a claim_eligibility frame, per (definition, instant)."""
    groups: Iterable[tuple[Any, Any, Any, Any]]
    if backend_of(frame) == "polars":
        polars = import_or_hint("polars")
        grouped = frame.group_by("definition", "instant").agg(
            polars.col("allowed").sum().alias("n"), polars.len().alias("rows")
        )
        if isinstance(grouped, polars.LazyFrame):
            grouped = grouped.collect()
        groups = grouped.iter_rows()
    else:
        grouped = frame.groupby(["definition", "instant"], sort=False)["allowed"].agg(
            ["sum", "size"]
        )
        groups = ((*key, n, rows) for key, n, rows in grouped.itertuples(name=None))
    counts: dict[tuple[str, datetime], tuple[int, int]] = {}
    for label, at, n, rows in groups:
        moment = at.to_pydatetime() if hasattr(at, "to_pydatetime") else at
        counts[str(label), clock.as_instant(moment, name="instant")] = (int(n), int(rows))
    return counts


def sweep(  # noqa: PLR0913 - claim_eligibility's inputs, and what to sweep
    members: Any,
    definition: BenefitDefinition,
    target: str,
    values: Iterable[Any],
    *,
    at: datetime | Iterable[datetime],
    timezone: Zones,
    holdings: Mapping[str, Iterable[Benefit]] | None = None,
    policy: Policy = DEFAULT_POLICY,
    backend: Backend | None = None,
) -> Any:
    """Count who may claim ``definition`` with each of ``values`` as the ``target`` threshold.

    Each value makes a variant (:func:`with_threshold`); one
    :func:`~loyalty_core.analysis.claim_eligibility` call decides every variant for every
    member at every instant (``messages=False``), with the same ``timezone``, ``holdings`` and
    ``policy``. The result has one row per (value, instant), values in the given order, then
    instants: ``value``, ``definition`` (the variant's handle), ``instant``, ``allowed`` (how
    many members may claim), ``rows`` (how many were decided) and ``share``
    (``allowed / rows``). A pandas frame, or a polars one when ``members`` is a polars frame
    (or LazyFrame) or ``backend="polars"``. The values must give distinct handles.

    >>> from datetime import UTC, datetime
    >>> voucher = BenefitDefinition(handle="spend", is_claimable=True, is_published=True,
    ...                             is_assignable=True,
    ...                             claim_condition={">": [{"var": "spend"}, 1000]})
    >>> members = [{"id": f"m-{n}", "spend": spend} for n, spend in enumerate([500, 900, 1500])]
    >>> sweep(members, voucher, "spend", [1000, 800, 400],
    ...       at=datetime(2027, 3, 1, tzinfo=UTC), timezone="UTC")
       value        definition                   instant  allowed  rows     share
    0   1000  spend[spend=1000] 2027-03-01 00:00:00+00:00        1     3  0.333333
    1    800   spend[spend=800] 2027-03-01 00:00:00+00:00        2     3  0.666667
    2    400   spend[spend=400] 2027-03-01 00:00:00+00:00        3     3  1.000000
    """
    definition = _checked(definition)
    chosen = check_backend(backend) if backend is not None else backend_of(members)
    if not isinstance(values, Iterable) or isinstance(values, str | bytes | Mapping):
        raise InvalidRequest(
            Problem("values", f"expected a sequence of values, got {show(values)}")
        )
    given = list(values)
    if not given:
        raise InvalidRequest(Problem("values", "expected at least one value, got none"))
    variants = [
        _edited(definition, target, value, None, f"values[{i}]") for i, value in enumerate(given)
    ]
    labels = [variant.handle for variant in variants]
    seen: dict[str | None, int] = {}
    for index, label in enumerate(labels):
        first = seen.setdefault(label, index)
        if first != index:  # claim_eligibility needs distinct handles
            msg = f"expected distinct values, got {show(given[index])} again (as values[{first}])"
            raise InvalidRequest(Problem(f"values[{index}]", msg))
    if isinstance(at, Iterable) and not isinstance(at, str | bytes | Mapping):
        at = tuple(at)  # read once: claim_eligibility and the rows below both need them
    frame = claim_eligibility(
        members,
        variants,
        at=at,
        timezone=timezone,
        holdings=holdings,
        policy=policy,
        backend=backend,
        messages=False,
    )
    instants = [clock.as_instant(t, name="at") for t in (at if isinstance(at, tuple) else (at,))]
    counts = _counts(frame)
    out: dict[str, list[Any]] = {name: [] for name in ("value", *_SWEEP_KINDS)}
    for variant, value in zip(variants, given, strict=True):
        label = str(variant.handle)
        data = _json_value(value, "values", arrays=True)
        for instant in dict.fromkeys(instants):
            allowed, rows = counts.get((label, instant), (0, 0))
            out["value"].append(data)
            out["definition"].append(label)
            out["instant"].append(instant)
            out["allowed"].append(allowed)
            out["rows"].append(rows)
            out["share"].append(allowed / rows if rows else None)
    kind = _value_kind(out["value"])
    if kind == "any":  # a mix of kinds: each value as its JSON text
        out["value"] = [_json_text(value) for value in out["value"]]
        kind = "str"
    kinds = {"value": kind, **_SWEEP_KINDS}
    return build_frame(out, kinds, chosen)
