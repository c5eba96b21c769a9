"""Docs that stand alone: every rule and decision ID a page mentions is defined on a page.

The markdown of ``docs/`` is read as text, with no Sphinx build, using the conventions that the
docs' ``ruleids`` extension turns into link targets:

* a decision (``Q15``) is defined by a table row of ``docs/reference/decisions.md`` whose first
  cell is the ID;
* a rule (``CLM-3``) is defined on a page of ``docs/rules/`` whose title names its prefix
  (``# Claims and visibility (CLM, VIS)``), by a table row whose first cell is the ID or by a
  list item that opens with the ID in bold (``- **CLM-15 Holdings.**``, ``- **RED-2/RED-3.**``).

No page may send the reader to a file or a tracker the built docs do not contain:
``DECISIONS.md``, ``API.md``, ``RULES.md`` or "issue N" (the included CHANGELOG.md is not a page
of ``docs/`` and may quote its history). When the specification the project was built from is
at hand (``$LOYALTY_CORE_SPEC``, by default /work/shared/spec), the decisions page must define
exactly its decisions and the rules pages exactly its rules; a clean clone skips that part.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

import pytest

DOCS: Final = Path(__file__).resolve().parents[1] / "docs"
DECISIONS_PAGE: Final = DOCS / "reference" / "decisions.md"
RULES_DIR: Final = DOCS / "rules"
SPEC: Final = Path(os.environ.get("LOYALTY_CORE_SPEC", "/work/shared/spec"))

DECISION: Final = re.compile(r"\bQ[0-9]{1,3}[a-z]?\b")
RULE: Final = re.compile(r"\b([A-Z]{2,5})-[0-9]{1,4}[a-z]?\b")
# Shaped like a rule ID but not one: UTF-8, UTF-16 (as in the extension's configuration).
NOT_RULE_PREFIXES: Final = frozenset({"UTF"})
# The first cell of a table row, and the bold opening of a list item.
ROW: Final = re.compile(r"^\| *([A-Z0-9-]{2,12}[a-z]?) *\|", re.MULTILINE)
LEAD: Final = re.compile(r"^ *[-*] +\*\*([A-Z0-9/-]{2,40})", re.MULTILINE)
FENCE: Final = re.compile(r"^(`{3,}).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE: Final = re.compile(r"`[^`\n]*`")
UNREACHABLE: Final = re.compile(
    r"\b(?:RULES|DECISIONS|API)\.md\b|\bRULES\b|\bDECISIONS\b|\b[Ii]ssues? #?[0-9]+"
)


def _pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.relative_to(DOCS).parts)


def _prose(text: str) -> str:
    """The text of a page without its code (fenced blocks and inline literals), lines kept."""
    blanked = FENCE.sub(lambda m: "\n" * m.group().count("\n"), text)
    return INLINE_CODE.sub("", blanked)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _owned_prefixes(text: str) -> frozenset[str]:
    """The prefixes a rules page defines, named at the end of its title: ``(TIME, EXP)``."""
    title = text.split("\n", 1)[0].strip()
    if not title.startswith("# ") or not title.endswith(")") or "(" not in title:
        return frozenset()
    return frozenset(name.strip() for name in title[title.rindex("(") + 1 : -1].split(","))


def _decisions_defined() -> list[str]:
    text = DECISIONS_PAGE.read_text(encoding="utf-8")
    return [m.group(1) for m in ROW.finditer(text) if DECISION.fullmatch(m.group(1))]


def _rules_defined() -> dict[str, str]:
    """Map each rule ID to the rules page that defines it."""
    defined: dict[str, str] = {}
    for page in sorted(RULES_DIR.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        owned = _owned_prefixes(text)
        found = [m.group(1) for m in ROW.finditer(text)]
        for m in LEAD.finditer(text):
            found += m.group(1).rstrip(".:,").split("/")
        for ident in found:
            match = RULE.fullmatch(ident)
            if match and match.group(1) in owned:
                defined.setdefault(ident, page.name)
    return defined


def _mentions(pattern: re.Pattern[str]) -> list[tuple[str, int, str]]:
    """Every ``(page, line, ID)`` that ``pattern`` finds in the prose of the pages."""
    found: list[tuple[str, int, str]] = []
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        prose = _prose(text)
        name = page.relative_to(DOCS).as_posix()
        found += [(name, _line(prose, m.start()), m.group()) for m in pattern.finditer(prose)]
    return found


def test_the_decisions_page_defines_each_decision_once() -> None:
    defined = _decisions_defined()
    assert defined, "docs/reference/decisions.md defines no decision"
    assert len(defined) == len(set(defined)), sorted(d for d in defined if defined.count(d) > 1)


def test_every_decision_mentioned_is_defined() -> None:
    defined = set(_decisions_defined())
    dangling = [m for m in _mentions(DECISION) if m[2] not in defined]
    assert not dangling, f"decisions the decisions page does not define: {dangling}"


def test_every_rule_mentioned_is_defined() -> None:
    defined = _rules_defined()
    dangling = [
        m
        for m in _mentions(RULE)
        if m[2].split("-", 1)[0] not in NOT_RULE_PREFIXES and m[2] not in defined
    ]
    assert not dangling, f"rule IDs no rules page defines: {dangling}"


def test_no_page_points_outside_the_docs() -> None:
    found: list[tuple[str, int, str]] = []
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        name = page.relative_to(DOCS).as_posix()
        found += [(name, _line(text, m.start()), m.group()) for m in UNREACHABLE.finditer(text)]
    assert not found, f"references a reader of the docs cannot follow: {found}"


def _spec(name: str) -> str:
    path = SPEC / name
    if not path.is_file():
        pytest.skip(f"the specification ({path}) is not at hand")
    return path.read_text(encoding="utf-8")


def test_the_decisions_are_those_of_the_specification() -> None:
    spec = {
        m.group(1) for m in ROW.finditer(_spec("DECISIONS.md")) if DECISION.fullmatch(m.group(1))
    }
    assert set(_decisions_defined()) == spec


def test_the_rules_are_those_of_the_specification() -> None:
    spec = {
        m.group() for m in RULE.finditer(_spec("RULES.md")) if m.group(1) not in NOT_RULE_PREFIXES
    }
    assert set(_rules_defined()) == spec
