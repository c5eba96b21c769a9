"""Fuzz targets of the ``loyalty-core`` command: damaged files and hostile arguments.

The contract: whatever the files (random or mutated JSON, truncated text, bytes that are not
UTF-8, nesting 100,000 levels deep, numbers past every limit) and the arguments (``--at`` in
year 1 or 9999 or with a +25:00 offset, 50,000-character values, huge ``--count``, junk
``--timezone``), every subcommand exits 0 (ok or allowed), 1 (refused) or 2 (bad input), writes
no traceback and at most 5,000 characters to stderr, and prints JSON when ``--json`` is given
and it did not fail. Exit status 3 (an internal error: a bug) fails the target. ``--help``
exits 0 and writes to the stdout ``main`` is given. Most runs are in-process
(``loyalty_core.cli.main`` with ``io.StringIO`` streams); a few run the real command in a
subprocess, where bytes reach stdin as they are.
"""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty_core.cli import main
from tests.fuzz import hostile
from tests.fuzz.hostile import EXAMPLES, MAX_MESSAGE

pytestmark = pytest.mark.fuzz

_SLOW_DATA = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- JSON text of any document, hostile values included --------------------------------------


def _number_text(value: float | Decimal) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        # Past Python's str limit: a stand-in of 5,000 digits (still past it when read).
        big = value.bit_length() > 13_000
        text = ("-" if value < 0 else "") + "1" * 5000 if big else int.__repr__(value)
    elif isinstance(value, float) and not math.isfinite(value):
        text = "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    else:
        text = repr(value) if isinstance(value, float) else str(value)
    return text


class _Raw:
    """A piece of JSON text, written as it is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _container_pieces(item: dict[Any, Any] | list[Any] | tuple[Any, ...]) -> list[Any]:
    """An array or object as text pieces and the values between them."""
    pieces: list[Any] = []
    if isinstance(item, dict):
        for key, value in item.items():
            pieces += [_Raw(", " if pieces else "{"), _Raw(json.dumps(str(key)) + ": "), value]
        return [*(pieces or [_Raw("{")]), _Raw("}")]
    for value in item:
        pieces += [_Raw(", " if pieces else "["), value]
    return [*(pieces or [_Raw("[")]), _Raw("]")]


def json_text(document: Any) -> str:
    """Write ``document`` as JSON text without recursion (NaN and huge numbers written raw)."""
    parts: list[str] = []
    stack: list[Any] = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, _Raw):
            parts.append(item.text)
        elif item is None:
            parts.append("null")
        elif isinstance(item, int | float | Decimal):
            parts.append(_number_text(item))
        elif isinstance(item, dict | list | tuple):
            stack.extend(reversed(_container_pieces(item)))
        else:
            parts.append(json.dumps(str(item)))
    return "".join(parts)


# --- files ---------------------------------------------------------------------------------


class FileSpec:
    """A file's content: an example (maybe mutated, maybe damaged), printed as its recipe."""

    __slots__ = ("content", "label")

    def __init__(self, label: str, content: bytes) -> None:
        """Record the recipe and the bytes."""
        self.label = label
        self.content = content

    def __repr__(self) -> str:
        """Return the recipe."""
        return self.label


_TEXT_DAMAGE: Final[tuple[tuple[str, Callable[[str], bytes]], ...]] = (
    ("truncated to half", lambda t: t[: len(t) // 2].encode()),
    ("truncated by one", lambda t: t[:-1].encode()),
    ("with a \\xff byte", lambda t: t.encode()[:5] + b"\xff" + t.encode()[5:]),
    ("with a lone surrogate's bytes", lambda t: t.encode()[:1] + b"\xed\xa0\x80" + t.encode()[1:]),
    (
        "as Latin-1 with an e-acute",
        lambda t: t.replace('"', '"\xe9', 1).encode("latin-1", "replace"),
    ),
    ("with a UTF-8 BOM", lambda t: b"\xef\xbb\xbf" + t.encode()),
    ("as UTF-16", lambda t: t.encode("utf-16")),
    ("inside 100,000 brackets", lambda t: ("[" * 100_000 + t + "]" * 100_000).encode()),
    ("inside 1,000 brackets", lambda t: ("[" * 1000 + t + "]" * 1000).encode()),
    ("with a NUL", lambda t: t.replace(",", ",\x00", 1).encode()),
    ("empty", lambda _: b""),
    ("with a NaN key appended", lambda t: _append_key(t, '"period": NaN')),
    ("with a 5,000-digit number appended", lambda t: _append_key(t, '"period": ' + "9" * 5000)),
    ("with 1e999999 appended", lambda t: _append_key(t, '"value_initial": 1e999999')),
    ("with a duplicate id", lambda t: _append_key(t, '"id": "x"')),
    ("with a duplicate definition", lambda t: _append_key(t, '"definition": []')),
    ("with an escaped lone surrogate", lambda t: _append_key(t, '"name": "\\ud800"')),
)
"""Ways to damage a file's text: cut, badly encoded, too deep, or with odd members appended."""


def _append_key(text: str, member: str) -> bytes:
    stripped = text.rstrip()
    if stripped.endswith("}"):
        return (stripped[:-1].rstrip() + ", " + member + "}").encode()
    if stripped.endswith("]"):
        return (stripped[:-1].rstrip() + ", {" + member + "}]").encode()
    return text.encode()


@st.composite
def files(draw: st.DrawFn, bases: dict[str, Any]) -> FileSpec:
    """A file for one role: one of ``bases``, often as it is, else mutated or damaged as text."""
    changes = draw(st.sampled_from((0, 0, 0, 1, 2)))
    mutant = draw(hostile.mutants(bases, max_changes=changes))
    text = json_text(mutant.document)
    label = repr(mutant)
    if draw(st.integers(0, 7)) == 0:
        how, damage = draw(st.sampled_from(_TEXT_DAMAGE))
        return FileSpec(f"{label}, {how}", damage(text))
    return FileSpec(label, text.encode("utf-8", "surrogatepass"))


def _load(*names: str) -> dict[str, Any]:
    return {f"examples/{name}": hostile.load_json(EXAMPLES / name) for name in names}


ROLES: Final[dict[str, dict[str, Any]]] = {
    "benefit": _load("benefit.json"),
    "definition": _load("benefit-definition.json"),
    "profile": _load("profile.json"),
    "reward": _load("reward.json"),
    "rewards": _load("rewards.json", "reward.json"),
    "credit": _load("credit.json"),
    "holdings": {"[examples/benefit.json]": [hostile.load_json(EXAMPLES / "benefit.json")]},
    "changes": hostile.request_bases("edit-credit"),
    "request": hostile.request_bases("extend"),
    "scenario": hostile.scenario_bases(),
}
"""The base files of each role an argument plays."""


# --- arguments -----------------------------------------------------------------------------

LONG: Final = "x" * 50_000

AT: Final = (
    "2026-04-01T00:00:00Z",
    "2021-03-05 00:06:51",
    "2026-03-08 02:30:00",
    "2026-11-01 01:30:00",
    "2026-04-19T13:59:59Z",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31 23:59:59",
    "9999-12-30T23:59:59.999999Z",
    "0001-01-01",
    "0001-01-01T00:00:00+14:00",
    "0001-01-02 00:00:00",
    "2021-01-01T00:00:00+25:00",
    "2021-01-01T00:00:00-24:00",
    "2021-02-30",
    "10000-01-01",
    "2021-W01-1",
    "2021-001",
    "P1D",
    "T10:00",
    "now",
    "",
    " ",
    "-1",
    LONG,
    "9" * 50_000,
    "2021-01-01T00:00:00." + "9" * 50_000,
    "1e308",
    "\ud800",
)
"""``--at``, ``--issued-at`` and ``--extend-date`` values: valid, at the ends of time, junk."""

COUNT: Final = ("1", "2", "0", "-1", "9" * 50_000, str(2**63), "1e3", "", "٣", "1_000", " 3", "+3")
ZONES: Final = (
    "UTC",
    "Australia/Melbourne",
    "America/New_York",
    "Pacific/Kiritimati",
    "Etc/GMT+12",
    "../etc",
    "",
    "UTC\x00",
    "A" * 50_000,
    "/etc/passwd",
    "Factory",
)
AMOUNT: Final = (
    "12.50",
    "5",
    "0",
    "-1",
    "1e999999",
    "1E+999999",
    "NaN",
    "sNaN",
    "Infinity",
    "9" * 50_000,
    "0." + "0" * 50_000 + "1",
    "１２",
    "1_0",
    " 5",
    "-0",
)
POLICY: Final = (
    "reclaim_requires_inactive=true",
    "remind_offset_sign=before",
    "remind_offset_sign=sideways",
    "allow_extend_expired=1",
    "x=y",
    "=",
    "noequals",
    "allow_extend_expired=" + LONG,
    "__class__=1",
    LONG + "=true",
)
TEXT: Final = ("p-1", "", "4821", LONG, "\ud800")


Command = tuple[list[str], dict[str, FileSpec]]
KINDS: Final = ("benefit", "reward", "credit")


class _Builder:
    """Draws one subcommand's files and options."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.roles: dict[str, FileSpec] = {}

    def file(self, role: str) -> str:
        """A file of ``role``; its path is filled in when the files are written."""
        self.roles[role] = self.draw(files(ROLES[role]))
        return f"@{role}"

    def at(self, *, required: bool = True) -> list[str]:
        """An ``--at`` option, mostly valid."""
        strategy = st.sampled_from(AT[:5] * 4 + AT).map(lambda v: [f"--at={v}"])
        return self.draw(strategy if required else st.one_of(st.just([]), strategy))

    def option(self, name: str, values: tuple[str, ...], valid: int = 2) -> list[str]:
        """No option, or one of ``values``: mostly one of the first ``valid`` ones."""
        option = st.sampled_from(values[:valid] * 4 + values)
        return self.draw(st.one_of(st.just([]), option.map(lambda v: [f"{name}={v}"])))

    def flag(self, name: str) -> list[str]:
        """The flag, or nothing."""
        return [name] if self.draw(st.booleans()) else []

    def kind(self) -> str:
        """A kind of item."""
        return self.draw(st.sampled_from(KINDS))


def _expiry(b: _Builder) -> list[str]:
    kind = b.kind()
    return [b.file(kind), f"--kind={kind}", *b.at(required=False)] + (
        b.option("--issued-at", AT, 5) + b.option("--timezone", ZONES, 5)
    )


def _claim(b: _Builder) -> list[str]:
    argv = [b.file("definition"), b.file("profile"), *b.at()]
    if b.draw(st.booleans()):
        argv.append(f"--holdings={b.file('holdings')}")
    return argv + (
        b.option("--timezone", ZONES, 5)
        + b.option("--count", COUNT)
        + b.option("--channel", ("api", "staff", "customer", "web"), 3)
        + b.option("--policy", POLICY, 3)
    )


def _redeem(b: _Builder) -> list[str]:
    return [b.file("benefit"), *b.at()] + (
        b.option("--timezone", ZONES, 5)
        + b.option("--count", COUNT)
        + b.option("--policy", POLICY, 3)
    )


def _extend(b: _Builder) -> list[str]:
    kind = b.kind()
    argv = [b.file(kind if kind != "reward" else "rewards"), f"--kind={kind}", *b.at()]
    how = b.draw(st.sampled_from(("days", "date", "request")))
    if how == "request":
        argv.append(f"--request={b.file('request')}")
    else:
        argv += b.option("--profile-id", TEXT, 1)
        argv += (
            b.option("--extend-days", COUNT) if how == "days" else b.option("--extend-date", AT, 5)
        )
    return argv + b.option("--policy", POLICY, 3)


def _schedule(b: _Builder) -> list[str]:
    kind = b.kind()
    return [b.file(kind), f"--kind={kind}", *b.option("--policy", POLICY, 3)]


def _rewards(b: _Builder) -> list[str]:
    return [b.file("rewards"), *b.at(), *b.option("--amount", AMOUNT), *b.flag("--strict")]


def _credit(b: _Builder) -> list[str]:
    action = b.draw(st.sampled_from(("check", "redeem", "edit")))
    argv = [action, b.file("credit")]
    if action == "edit":
        argv.append(b.file("changes"))
    return argv + (
        b.at(required=action != "edit")
        + b.option("--amount", AMOUNT)
        + b.option("--security-code", TEXT, 3)
    )


def _run(b: _Builder) -> list[str]:
    return [b.file("scenario")]


SUBCOMMANDS: Final[dict[str, Callable[[_Builder], list[str]]]] = {
    "expiry": _expiry,
    "claim": _claim,
    "redeem": _redeem,
    "extend": _extend,
    "schedule": _schedule,
    "rewards": _rewards,
    "credit": _credit,
    "run": _run,
}


@st.composite
def commands(draw: st.DrawFn) -> Command:
    """A subcommand with its files and options: mostly valid, any of them hostile."""
    name = draw(st.sampled_from(sorted(SUBCOMMANDS)))
    builder = _Builder(draw)
    argv = [name, *SUBCOMMANDS[name](builder), *builder.flag("--json")]
    return argv, builder.roles


# --- running -------------------------------------------------------------------------------


def check_outcome(argv: list[str], status: int, out: str, err: str) -> None:
    """Exit 0, 1 or 2; no traceback; a short stderr; JSON on stdout for ``--json``."""
    assert status in {0, 1, 2}, f"exit status {status}: {err[:500]}"
    assert "Traceback" not in err, err[-2000:]
    assert len(err) < MAX_MESSAGE, f"stderr of {len(err)} characters: {err[:300]}..."
    if "--json" in argv and status in {0, 1}:
        json.loads(out)


def run_in_process(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    """Run ``main`` with string streams; an exception escaping it fails the caller."""
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def materialise(directory: Path, command: Command) -> list[str]:
    """Write the command's files into ``directory``; return its argv with their paths."""
    argv, roles = command
    paths: dict[str, str] = {}
    for role, spec in roles.items():
        path = directory / f"{role}.json"
        path.write_bytes(spec.content)
        paths[f"@{role}"] = str(path)
    resolved = []
    for arg in argv:
        for token, path_text in paths.items():
            arg = arg.replace(token, path_text)  # noqa: PLW2901 - the resolved argument
        resolved.append(arg)
    return resolved


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory for the files of the in-process runs (rewritten by each example)."""
    return tmp_path_factory.mktemp("cli-fuzz")


@_SLOW_DATA
@given(command=commands())
def test_every_subcommand_on_damaged_files_and_hostile_options_exits_0_1_or_2_quietly(
    workdir: Path, command: Command
) -> None:
    argv = materialise(workdir, command)
    status, out, err = run_in_process(argv)
    check_outcome(argv, status, out, err)


# --- explicit hostile examples ---------------------------------------------------------------

VALID: Final[dict[str, list[str]]] = {
    "expiry": ["expiry", str(EXAMPLES / "benefit.json")],
    "claim": [
        "claim",
        str(EXAMPLES / "benefit-definition.json"),
        str(EXAMPLES / "profile.json"),
        "--count=1",
    ],
    "redeem": ["redeem", str(EXAMPLES / "benefit.json")],
    "extend": ["extend", str(EXAMPLES / "rewards.json"), "--profile-id=p-1", "--extend-days=30"],
    "rewards": ["rewards", str(EXAMPLES / "rewards.json"), "--amount=12.50"],
    "credit": ["credit", "redeem", str(EXAMPLES / "credit.json"), "--amount=5"],
}
"""Valid invocations that take ``--at``."""

EDGE_AT: Final = (
    "9999-12-31T23:59:59-14:00",
    "9999-12-31 23:59:59",
    "0001-01-01",
    "0001-01-01T00:00:00+14:00",
    "2021-01-01T00:00:00+25:00",
    LONG,
    "9" * 50_000,
)


@pytest.mark.parametrize("at", EDGE_AT, ids=lambda v: v[:30])
@pytest.mark.parametrize("name", sorted(VALID))
@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_an_at_at_the_ends_of_time_or_junk_exits_0_1_or_2_quietly(
    name: str, at: str, as_json: bool
) -> None:
    argv = [*VALID[name], f"--at={at}", *(["--json"] if as_json else [])]
    check_outcome(argv, *run_in_process(argv))


@pytest.mark.parametrize(
    "extra",
    [
        ["--issued-at=9999-12-31T23:59:59-14:00"],
        ["--issued-at=9999-12-30 23:59:59", "--timezone=Pacific/Kiritimati"],
        ["--issued-at=0001-01-02 00:00:00", "--timezone=Etc/GMT+12"],
        ["--timezone=UTC\x00"],
        ["--timezone=" + "A" * 50_000],
    ],
    ids=lambda v: str(v)[:40],
)
@pytest.mark.parametrize("kind", ["benefit", "reward", "credit"])
def test_expiry_with_edge_issue_instants_and_junk_zones_exits_0_1_or_2_quietly(
    kind: str, extra: list[str]
) -> None:
    argv = ["expiry", str(EXAMPLES / f"{kind}.json"), f"--kind={kind}", *extra, "--json"]
    check_outcome(argv, *run_in_process(argv))


FILE_DAMAGE: Final = (
    pytest.param(b"\xff\xfe\x00{", id="not UTF-8"),
    pytest.param(b'{"period": 30', id="truncated"),
    pytest.param(b"[" * 100_000, id="100,000 brackets"),
    pytest.param(b'{"period": ' + b"9" * 5000 + b"}", id="5,000 digits"),
    pytest.param(b'{"period": NaN}', id="NaN"),
    pytest.param(b'{"name": "' + b"x" * 50_000 + b'", "period": -1}', id="50,000 characters"),
    pytest.param(b"\xef\xbb\xbf{}", id="BOM"),
    pytest.param('{"name": "\ud800"}'.encode("utf-8", "surrogatepass"), id="surrogate bytes"),
    pytest.param(b'{"name": "\\ud800", "timezone": "UTC"}', id="escaped surrogate"),
)


DAMAGED_ROLES: Final = (
    ["expiry", "@"],
    ["claim", "@", str(EXAMPLES / "profile.json"), "--at=2026-01-01"],
    ["claim", str(EXAMPLES / "benefit-definition.json"), "@", "--at=2026-01-01", "--json"],
    ["redeem", "@", "--at=2026-01-01"],
    ["extend", "@", "--profile-id=p-1", "--extend-days=1", "--at=2026-01-01", "--json"],
    ["schedule", "@"],
    ["rewards", "@", "--at=2026-01-01", "--amount=1", "--json"],
    ["credit", "check", "@", "--at=2026-01-01", "--amount=1"],
    ["credit", "edit", str(EXAMPLES / "credit.json"), "@"],
    ["run", "@", "--json"],
)
"""Every role a file plays, with ``@`` for the damaged file."""


@pytest.mark.parametrize("content", FILE_DAMAGE)
@pytest.mark.parametrize(
    "argv",
    DAMAGED_ROLES,
    ids=lambda v: " ".join(a if a == "@" or not a.startswith("/") else Path(a).name for a in v),
)
def test_a_damaged_file_in_any_role_exits_2_quietly(
    tmp_path: Path, argv: list[str], content: bytes
) -> None:
    path = tmp_path / "damaged.json"
    path.write_bytes(content)
    resolved = [str(path) if arg == "@" else arg for arg in argv]
    check_outcome(resolved, *run_in_process(resolved))


def test_a_damaged_scenario_on_stdin_exits_2_quietly() -> None:
    for text in ("[" * 100_000, '{"events": ' + "9" * 5000 + "}", '{"name": "\ud800"'):
        check_outcome(["run", "-"], *run_in_process(["run", "-"], stdin=text))


@pytest.mark.parametrize("name", ["", *sorted(SUBCOMMANDS)])
def test_help_exits_0_and_goes_to_the_given_stdout(name: str) -> None:
    argv = [name, "--help"] if name else ["--help"]
    status, out, err = run_in_process(argv)
    check_outcome(argv, status, out, err)
    assert status == 0
    assert "usage: loyalty-core" in out


# --- the real command, in a subprocess ---------------------------------------------------------

_COMMAND: Final = [sys.executable, "-m", "loyalty_core.cli"]


def _run_process(args: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*_COMMAND, *args], input=stdin, capture_output=True, timeout=120, check=False
    )
    return (
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        pytest.param(["run", "-"], b"\xff\xfe{not utf-8", id="run, non-UTF-8 stdin"),
        pytest.param(
            ["expiry", "-", "--json"], b'{"name": "\\ud800", "period": 3}', id="surrogate"
        ),
        pytest.param(
            ["redeem", str(EXAMPLES / "benefit.json"), "--at=9999-12-31T23:59:59-14:00"],
            b"",
            id="redeem, --at at the end of time",
        ),
    ],
)
def test_the_real_command_exits_0_1_or_2_without_a_traceback(args: list[str], stdin: bytes) -> None:
    check_outcome(args, *_run_process(args, stdin))
