"""Time loyalty_core.jsonlogic beside one peer JSON Logic library, in the same run.

Issue 3 ("Performance") compares our compiled rules with four PyPI peers. Two of them install a
top-level ``json_logic`` package, so each peer lives in its own throwaway virtual environment
together with an editable install of loyalty_core, and this script is run once per environment::

    uv venv /tmp/peer-qubit --python 3.11
    uv pip install --python /tmp/peer-qubit/bin/python json-logic-qubit -e /work/main
    /tmp/peer-qubit/bin/python benchmarks/jsonlogic_peers.py

(likewise ``panzi-json-logic``, ``python-jsonlogic`` and ``jsonlogic-rs``). Run with the
project's own venv (``uv run python benchmarks/jsonlogic_peers.py``) it times ours and the floor
only. The script needs only the standard library; the peer is imported through
:mod:`importlib` and handled as ``Any``.

For every workload (the 2-clause spend/tier condition on a matching profile, the example
conditions of RULES.md §3, and a 10-clause rule) it prints nanoseconds per call, best of 7
timeit repeats, for: ``compile(rule)``, our compiled rule, our ``apply``, the peer's apply, the
peer's prepared form where it has one, and the hand-written Python floor. Each result is checked
against the expected JSON value first; a wrong value or an exception is shown instead of a
ratio. It then counts how many of the 277 cases of tests/data/jsonlogic/tests.json the peer and
ours pass (JSON equality: ``true`` is not ``1``, ``1 == 1.0``; an exception, a timeout or a
RecursionError is a failure).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import importlib.metadata
import json
import math
import platform
import signal
import sys
import timeit
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any

from loyalty_core.jsonlogic import apply, compile  # noqa: A004 - the module's name for it

SUITE = Path(__file__).resolve().parent.parent / "tests" / "data" / "jsonlogic" / "tests.json"
REPEATS = 7
CASE_TIMEOUT = 2.0

Fn = Callable[[Any], Any]

# --------------------------------------------------------------------------- workloads

TWO: dict[str, Any] = {
    "and": [
        {">": [{"var": "aggregations.spend_12m"}, 1000]},
        {"===": [{"var": "tier_handle"}, "tier-2"]},
    ]
}
TEN: dict[str, Any] = {
    "and": [
        {">": [{"var": "aggregations.spend_12m"}, 1000]},
        {"===": [{"var": "tier_handle"}, "tier-2"]},
        {"in": ["vip", {"var": "flattened_tags"}]},
        {">=": [{"var": "birth_year"}, 1950]},
        {"<": ["2020-01-01 00:00:00", {"var": "joined_at"}, "2030-01-01 00:00:00"]},
        {"!": {"var": "attributes.comms.email_optout"}},
        {"==": [{"var": "gender"}, "female"]},
        {"<=": [{"var": "aggregations.shop_count"}, 100]},
        {"!==": [{"var": "email"}, None]},
        {">": [{"var": "point_balance"}, 0]},
    ]
}
# The matching profile of benchmarks/bench_jsonlogic.py.
PROFILE: dict[str, Any] = {
    "id": "p-1",
    "email": "a@example.com",
    "gender": "female",
    "tier_handle": "tier-2",
    "birth_year": 1985,
    "flattened_tags": ["vip", "stylist-client"],
    "joined_at": "2023-01-15 00:00:00",
    "point_balance": 10,
    "attributes": {"comms": {"email_optout": False}},
    "aggregations": {"spend_12m": 1250.5, "shop_count": 3},
}
# RULES.md §3, footnote 1: the sample profile P of the example table.
P: dict[str, Any] = {
    "id": "p-1",
    "tier_handle": "gold",
    "birth_year": 1985,
    "gender": "female",
    "flattened_tags": ["vip", "stylist-client"],
    "joined_at": "2023-01-15 00:00:00",
    "aggregations": {"spend_12m": 1250.5},
}


def _floor_two(d: Any) -> Any:
    return d["aggregations"]["spend_12m"] > 1000 and d["tier_handle"] == "tier-2"


def _floor_ten(d: Any) -> Any:
    return (
        d["aggregations"]["spend_12m"] > 1000
        and d["tier_handle"] == "tier-2"
        and "vip" in d["flattened_tags"]
        and d["birth_year"] >= 1950
        and "2020-01-01 00:00:00" < d["joined_at"] < "2030-01-01 00:00:00"
        and not d["attributes"]["comms"]["email_optout"]
        and d["gender"] == "female"
        and d["aggregations"]["shop_count"] <= 100
        and d["email"] is not None
        and d["point_balance"] > 0
    )


def _floor_var_default(d: Any) -> Any:
    a = d.get("a")
    return a.get("b", 7) if isinstance(a, dict) else 7


@dataclass(frozen=True)
class Workload:
    """One rule on one datum, its expected JSON value and its hand-written Python floor."""

    name: str
    rule: Any
    data: Any
    expected: Any
    floor: Fn


WORKLOADS: tuple[Workload, ...] = (
    Workload("2-clause spend/tier", TWO, PROFILE, expected=True, floor=_floor_two),
    Workload(
        "ex: in vip flattened_tags",
        {"in": ["vip", {"var": "flattened_tags"}]},
        P,
        expected=True,
        floor=lambda d: "vip" in d["flattened_tags"],
    ),
    Workload(
        "ex: spend_all > 1000 (absent)",
        {">": [{"var": "aggregations.spend_all"}, 1000]},
        P,
        expected=False,
        floor=lambda d: (d["aggregations"].get("spend_all") or 0) > 1000,
    ),
    Workload(
        'ex: birth_year == "1985"',
        {"==": [{"var": "birth_year"}, "1985"]},
        P,
        expected=True,
        floor=lambda d: d["birth_year"] == 1985,
    ),
    Workload(
        'ex: birth_year === "1985"',
        {"===": [{"var": "birth_year"}, "1985"]},
        P,
        expected=False,
        floor=lambda d: d["birth_year"] == "1985",
    ),
    Workload(
        "ex: joined_at between",
        {"<": ["2023-01-01 00:00:00", {"var": "joined_at"}, "2024-01-01 00:00:00"]},
        P,
        expected=True,
        floor=lambda d: "2023-01-01 00:00:00" < d["joined_at"] < "2024-01-01 00:00:00",
    ),
    Workload("ex: and [1,[],2]", {"and": [1, [], 2]}, None, [], lambda _: 1 and [] and 2),  # noqa: SIM223
    Workload("ex: or [0,'','x']", {"or": [0, "", "x"]}, None, "x", lambda _: 0 or "" or "x"),  # noqa: SIM222
    Workload(
        "ex: var a.b default 7 {a:{b:null}}",
        {"var": ["a.b", 7]},
        {"a": {"b": None}},
        None,
        _floor_var_default,
    ),
    Workload(
        "ex: var a.b default 7 {a:null}",
        {"var": ["a.b", 7]},
        {"a": None},
        7,
        _floor_var_default,
    ),
    Workload(
        "ex: var flattened_tags.length",
        {"var": "flattened_tags.length"},
        P,
        2,
        lambda d: len(d["flattened_tags"]),
    ),
    Workload(
        "ex: var flattened_tags.1",
        {"var": "flattened_tags.1"},
        P,
        "stylist-client",
        lambda d: d["flattened_tags"][1],
    ),
    Workload(
        "ex: var tier_handle.0", {"var": "tier_handle.0"}, P, "g", lambda d: d["tier_handle"][0]
    ),
    Workload("10-clause", TEN, PROFILE, expected=True, floor=_floor_ten),
)

# --------------------------------------------------------------------------- peers


@dataclass
class Peer:
    """A peer library found in this interpreter.

    ``apply(rule, data)`` is the library's one-shot entry point. ``prepare(rule)`` returns a
    one-argument callable of the data when the library has a parse-once form (else ``None``).
    """

    label: str
    version: str
    apply: Callable[[Any, Any], Any]
    prepare: Callable[[Any], Fn] | None = None
    notes: list[str] = field(default_factory=list)


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _json_logic_peer(distribution: str, label: str) -> Peer | None:
    """json-logic-qubit and panzi-json-logic: both are ``json_logic.jsonLogic(rule, data)``."""
    version = _version(distribution)
    if version is None:
        return None
    module: Any = importlib.import_module("json_logic")
    return Peer(label, version, module.jsonLogic, notes=["no parse-once form"])


def _python_jsonlogic_peer() -> Peer | None:
    """python-jsonlogic: parse, build an operator tree, evaluate (dotted ``var`` paths)."""
    version = _version("python-jsonlogic")
    if version is None:
        return None
    core: Any = importlib.import_module("jsonlogic")
    operators: Any = importlib.import_module("jsonlogic.operators")
    evaluation: Any = importlib.import_module("jsonlogic.evaluation")
    resolving: Any = importlib.import_module("jsonlogic.resolving")
    settings = {"reference_parser": resolving.DotReferenceParser()}
    registry = operators.operator_registry

    def prepare(rule: Any) -> Fn:
        tree = core.JSONLogicExpression.from_json(rule).as_operator_tree(registry)

        def run(data: Any) -> Any:
            return evaluation.evaluate(tree, data, None, settings)

        return run

    def apply_(rule: Any, data: Any) -> Any:
        return prepare(rule)(data)

    return Peer(
        "python-jsonlogic",
        version,
        apply_,
        prepare,
        notes=[
            "prepared = JSONLogicExpression.from_json(rule).as_operator_tree(registry) once",
            "evaluate(tree, data, None, {'reference_parser': DotReferenceParser()})",
            "registry has only: " + ", ".join(sorted(registry._registry)),  # noqa: SLF001
        ],
    )


def _jsonlogic_rs_peer() -> Peer | None:
    """jsonlogic-rs: ``apply`` serialises rule and data to JSON on every call."""
    version = _version("jsonlogic-rs")
    if version is None:
        return None
    module: Any = importlib.import_module("jsonlogic_rs")

    def prepare(rule: Any) -> Fn:
        serialized = json.dumps(rule)
        apply_serialized = module.apply_serialized
        dumps, loads = json.dumps, json.loads

        def run(data: Any) -> Any:
            return apply_serialized(serialized, dumps(data), loads)

        return run

    return Peer(
        "jsonlogic-rs",
        version,
        module.apply,
        prepare,
        notes=["prepared = rule serialised once; apply_serialized(rule_json, dumps(data), loads)"],
    )


def find_peer() -> Peer | None:
    """Return the peer installed in this interpreter, checked with a trivial rule."""
    finders: tuple[Callable[[], Peer | None], ...] = (
        lambda: _json_logic_peer("json-logic-qubit", "json-logic-qubit"),
        lambda: _json_logic_peer("panzi-json-logic", "panzi-json-logic"),
        _python_jsonlogic_peer,
        _jsonlogic_rs_peer,
    )
    for finder in finders:
        try:
            peer = finder()
        except ImportError as error:
            print(f"(peer import failed: {error})")
            continue
        if peer is None:
            continue
        try:
            ok = peer.apply({"==": [1, 1]}, None) is True
        except Exception as error:  # noqa: BLE001 - a broken peer is reported, not fatal
            print(f"(peer {peer.label} failed a trivial rule: {error!r})")
            continue
        if ok:
            return peer
        print(f"(peer {peer.label} gave a wrong value for a trivial rule)")
    return None


# --------------------------------------------------------------------------- comparing


def same_json(actual: object, expected: object) -> bool:
    """Compare as JSON values: true is not 1, 1 == 1.0, NaN equals NaN."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(actual, int | float | Decimal) and isinstance(expected, int | float | Decimal):
        left, right = float(actual), float(expected)
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return left == right
    if isinstance(actual, list | tuple) and isinstance(expected, list | tuple):
        return len(actual) == len(expected) and all(
            same_json(a, e) for a, e in zip(actual, expected, strict=True)
        )
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        return actual.keys() == expected.keys() and all(
            same_json(actual[k], expected[k]) for k in actual
        )
    return type(actual) is type(expected) and actual == expected


class CaseTimeoutError(Exception):
    """A single conformance case ran longer than :data:`CASE_TIMEOUT`."""


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    raise CaseTimeoutError


def guarded(fn: Callable[[], Any]) -> tuple[bool, Any]:
    """Call ``fn`` under a timeout; return ``(True, value)`` or ``(False, the problem)``."""
    use_alarm = hasattr(signal, "setitimer")
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, CASE_TIMEOUT)
    try:
        return True, fn()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 - pyo3 panics derive from BaseException
        return False, error
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def conformance(run: Callable[[Any, Any], Any]) -> tuple[int, int, list[str]]:
    """Return (passed, total, first failures) of ``run`` on the reference suite."""
    cases = [
        case for case in json.loads(SUITE.read_text(encoding="utf-8")) if isinstance(case, list)
    ]
    passed = 0
    failures: list[str] = []
    for rule, data, expected in cases:
        ok, value = guarded(functools.partial(run, rule, data))
        if ok and same_json(value, expected):
            passed += 1
        elif len(failures) < 8:
            got = f"raised {type(value).__name__}" if not ok else f"gave {value!r}"
            failures.append(f"{json.dumps(rule)} on {json.dumps(data)}: {got}, want {expected!r}")
    return passed, len(cases), failures


# --------------------------------------------------------------------------- timing


def ns_per_call(fn: Callable[[], object], target: float) -> float:
    """Best of :data:`REPEATS` timeit loops of about ``target`` seconds, in ns per call."""
    timer = timeit.Timer(fn)
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= target / 5:
            break
        number *= 2
    number = max(1, int(number * target / elapsed))
    return min(timer.repeat(REPEATS, number)) / number * 1e9


@dataclass
class Cell:
    """One timing: ns/call, or why there is none (wrong value, exception, unsupported)."""

    ns: float | None
    problem: str = ""

    def text(self) -> str:
        """Render for the Markdown table."""
        if self.ns is None:
            return self.problem
        shown = f"{self.ns:,.0f}"
        return f"{shown} ({self.problem})" if self.problem else shown


def measure(fn: Callable[[], Any], expected: Any, target: float, *, check: bool = True) -> Cell:
    """Check ``fn()`` against ``expected`` (unless ``check`` is off), then time it."""
    ok, value = guarded(fn)
    if not ok:
        return Cell(None, f"raises {type(value).__name__}")
    if check and not same_json(value, expected):
        return Cell(ns_per_call(fn, target), f"wrong: {value!r}")
    return Cell(ns_per_call(fn, target))


def ratio(top: Cell, bottom: Cell) -> str:
    """Return ``top / bottom`` as ``12.3x`` when both are correct timings."""
    if top.ns is None or bottom.ns is None or top.problem or bottom.problem:
        return "–"
    return f"{top.ns / bottom.ns:.1f}x"


@dataclass
class Row:
    """The cells of one workload."""

    workload: Workload
    ours_compile: Cell
    ours_compiled: Cell
    ours_apply: Cell
    floor: Cell
    peer_apply: Cell | None
    peer_prepared: Cell | None


def time_workload(work: Workload, peer: Peer | None, target: float) -> Row:
    """Measure every implementation on one workload."""
    rule, data, expected = work.rule, work.data, work.expected
    compiled = compile(rule)
    ours_compile = measure(lambda: compile(rule), None, target, check=False)
    evaluate = compiled.evaluate  # the public hot-path entry; compiled(data) adds one frame
    ours_compiled = measure(lambda: evaluate(data), expected, target)
    ours_apply = measure(lambda: apply(rule, data), expected, target)
    floor = measure(lambda: work.floor(data), expected, target)
    peer_apply: Cell | None = None
    peer_prepared: Cell | None = None
    if peer is not None:
        peer_apply = measure(lambda: peer.apply(rule, data), expected, target)
        if peer.prepare is not None:
            ok, prepared = guarded(lambda: peer.prepare(rule) if peer.prepare else None)
            if ok:
                peer_prepared = measure(lambda: prepared(data), expected, target)
            else:
                peer_prepared = Cell(None, f"prepare raises {type(prepared).__name__}")
    return Row(work, ours_compile, ours_compiled, ours_apply, floor, peer_apply, peer_prepared)


def best_peer(row: Row) -> Cell | None:
    """Return the peer's faster correct timing (apply or prepared), if any."""
    cells = [c for c in (row.peer_apply, row.peer_prepared) if c and c.ns is not None]
    good = [c for c in cells if not c.problem]
    return min(good, key=lambda c: c.ns or 0.0) if good else None


def print_table(rows: list[Row], peer: Peer | None) -> None:
    """Print the timings and ratios as Markdown."""
    label = peer.label if peer else "no peer"
    head = ["workload", "ours compile()", "ours compiled", "ours apply", f"{label} apply"]
    if peer and peer.prepare:
        head.append(f"{label} prepared")
    head += ["floor", "peer/ours-compiled", "ours-compiled/floor"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        cells = [
            row.workload.name,
            row.ours_compile.text(),
            row.ours_compiled.text(),
            row.ours_apply.text(),
            row.peer_apply.text() if row.peer_apply else "–",
        ]
        if peer and peer.prepare:
            cells.append(row.peer_prepared.text() if row.peer_prepared else "–")
        best = best_peer(row)
        cells += [
            row.floor.text(),
            ratio(best, row.ours_compiled) if best else "–",
            ratio(row.ours_compiled, row.floor),
        ]
        print("| " + " | ".join(cells) + " |")
    print()
    print("ns/call, best of 7 timeit repeats. peer/ours-compiled uses the peer's faster correct")
    print("form (prepared if it has one and it is correct, else apply).")


def main() -> None:
    """Detect the peer, time every workload, count conformance."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--target", type=float, default=0.05, help="seconds per timed repeat (default 0.05)"
    )
    parser.add_argument("--no-conformance", action="store_true", help="skip the tests.json count")
    args = parser.parse_args()

    print(f"Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"{platform.platform()}; executable {sys.executable}")
    print(f"loyalty_core {_version('loyalty-core')}")
    peer = find_peer()
    if peer is None:
        print("peer: none importable (timing ours and the floor only)")
    else:
        print(f"peer: {peer.label} {peer.version}")
        for note in peer.notes:
            print(f"  - {note}")
    print()

    rows = [time_workload(work, peer, args.target) for work in WORKLOADS]
    print_table(rows, peer)
    empty = ns_per_call(lambda: None, args.target)
    print(f"Harness overhead (an empty lambda, included in every cell): {empty:.0f} ns/call.")

    if not args.no_conformance:
        print()
        print("| implementation | tests.json cases passed |")
        print("|---|---|")
        ours_passed, total, ours_failures = conformance(apply)
        print(f"| loyalty_core {_version('loyalty-core')} | {ours_passed}/{total} |")
        peer_failures: list[str] = []
        if peer is not None:
            peer_passed, total, peer_failures = conformance(peer.apply)
            print(f"| {peer.label} {peer.version} | {peer_passed}/{total} |")
        for name, failures in (("loyalty_core", ours_failures), ("peer", peer_failures)):
            if failures:
                print(f"\nfirst {name} failures:")
                for failure in failures:
                    print(f"  {failure}")


if __name__ == "__main__":
    main()
