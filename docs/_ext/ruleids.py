"""Link every rule ID (``CLM-3``) and decision ID (``Q15``) of the docs to where it is defined.

Read phase (:class:`RuleIdTargets`): a rules page (``rules/...``) names the prefixes it defines
at the end of its title (``# Claims and visibility (CLM, VIS)``), and defines a rule ID with
one of those prefixes by

* a table body row whose first cell is exactly the ID (``| CLM-3 | ... |``), or
* a list item that opens with the ID in bold (``- **CLM-15 Holdings.** ...``,
  ``- **RED-2/RED-3.** ...``);

a rule of another prefix quoted there (the claims page restates TIME-9) is only a mention.

a decision ID is defined on the decisions page by a table body row whose first cell is exactly
the ID (``| Q15 | ... |``). The row or item gets the anchor ``rule-clm-3`` or ``decision-q15``,
recorded in the ``ruleids`` domain. tests/test_docs_links.py reads the same conventions from
the markdown.

Write phase (:class:`RuleIdLinks`): every other mention of an ID in plain text, outside code
and existing links, becomes a link to its definition. An ID that nothing defines is a warning,
so ``sphinx-build -W`` fails on a dangling reference; on the pages listed in
``ruleids_lenient_docs`` (the changelog, which quotes history) it stays plain text instead.
IDs with a prefix of ``ruleids_not_rule_prefixes`` (``UTF-8``) are not rule IDs and are left
alone.
"""
# ruff: noqa: INP001

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from typing import Any, ClassVar, Final, cast

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata

__all__ = ["ID_PATTERN", "anchor", "setup"]

logger = logging.getLogger(__name__)

#: A decision (``Q21b``) or anything shaped like a rule ID (``TIME-9``, but also ``UTF-8``).
#: No nested or overlapping quantifiers, so matching is linear.
ID_PATTERN: Final = re.compile(r"\b(?:Q[0-9]{1,3}[a-z]?|[A-Z]{2,5}-[0-9]{1,4}[a-z]?)\b")
_DECISION: Final = re.compile(r"Q[0-9]{1,3}[a-z]?")
_RULE: Final = re.compile(r"[A-Z]{2,5}-[0-9]{1,4}[a-z]?")
#: Marks a defining cell or bold lead, whose text is never turned into a link.
_DEFINITION_CLASS: Final = "rule-id-definition"
#: Text under these nodes is code, a link already, or not shown.
_SKIPPED: Final = (
    nodes.literal,
    nodes.FixedTextElement,
    nodes.reference,
    nodes.Invisible,
    nodes.raw,
    nodes.math,
    nodes.system_message,
    addnodes.pending_xref,
    addnodes.desc_signature,
)


def anchor(ident: str) -> str:
    """Give the HTML anchor of a rule or decision ID: ``rule-clm-3``, ``decision-q21b``."""
    kind = "decision" if _DECISION.fullmatch(ident) else "rule"
    return f"{kind}-{ident.lower()}"


class RuleIdsDomain(Domain):
    """Where each ID is defined: ``targets`` maps an ID to its page and anchor."""

    name = "ruleids"
    label = "Rule and decision IDs"
    data_version = 1
    initial_data: ClassVar[dict[str, Any]] = {"targets": {}}

    @property
    def targets(self) -> dict[str, tuple[str, str]]:
        """Map each defined ID to ``(docname, anchor)``."""
        return cast("dict[str, tuple[str, str]]", self.data.setdefault("targets", {}))

    def clear_doc(self, docname: str) -> None:
        """Forget the IDs a page defined before it is read again."""
        for ident, (page, _) in list(self.targets.items()):
            if page == docname:
                del self.targets[ident]

    def merge_domaindata(self, docnames: AbstractSet[str], otherdata: dict[str, Any]) -> None:
        """Take the IDs defined by pages read in a parallel worker."""
        for ident, (page, target) in otherdata["targets"].items():
            if page in docnames:
                self.targets[ident] = (page, target)

    def define(self, ident: str, docname: str, node: nodes.Element) -> None:
        """Record ``ident`` as defined by ``node`` on ``docname``; the first definition wins."""
        known = self.targets.get(ident)
        if known is None:
            self.targets[ident] = (docname, anchor(ident))
            node["ids"].append(anchor(ident))
        elif known[0] != docname:
            logger.warning(
                "%s is defined twice: on %s and here",
                ident,
                known[0],
                location=node,
                type="ruleids",
                subtype="duplicate",
            )


def _prefix(ident: str) -> str:
    """Give the prefix of a rule ID (``CLM`` of ``CLM-3``), or ``Q`` for a decision."""
    return "Q" if _DECISION.fullmatch(ident) else ident.split("-", 1)[0]


def _owned_prefixes(document: nodes.document) -> frozenset[str]:
    """Read the prefixes a rules page defines from its title: ``Claims and visibility (CLM, VIS)``.

    A rules page may quote a rule of another page (claims quote TIME-9); only the IDs of its own
    prefixes are definitions there.
    """
    title = next(document.findall(nodes.title), None)
    text = title.astext().strip() if title is not None else ""
    if not text.endswith(")") or "(" not in text:
        return frozenset()
    names = text[text.rindex("(") + 1 : -1].split(",")
    return frozenset(name.strip() for name in names)


def _lead_ids(item: nodes.list_item) -> tuple[nodes.strong, list[str]] | None:
    """Return the bold lead of a list item and the rule IDs it opens with, if any."""
    if not item.children or not isinstance(item[0], nodes.paragraph):
        return None
    # MyST may open the paragraph with an empty text node.
    lead = next((child for child in item[0].children if child.astext().strip()), None)
    if not isinstance(lead, nodes.strong):
        return None
    words = lead.astext().split(maxsplit=1)
    if not words:
        return None
    idents = words[0].rstrip(".:,").split("/")
    if all(_RULE.fullmatch(ident) for ident in idents):
        return lead, idents
    return None


class RuleIdTargets(SphinxTransform):
    """Make each defining table row or bold-led list item a link target."""

    default_priority = 500

    def apply(self, **kwargs: Any) -> None:  # noqa: ARG002 - the transform API passes kwargs
        """Find the definitions of the page being read, if it is a rules or decisions page."""
        docname = self.env.docname
        if docname == self.config.ruleids_decisions_page:
            pattern = _DECISION
        elif docname.startswith(self.config.ruleids_rules_prefix):
            pattern = _RULE
        else:
            return
        owned = _owned_prefixes(self.document) if pattern is _RULE else frozenset("Q")
        domain = cast("RuleIdsDomain", self.env.get_domain(RuleIdsDomain.name))
        for row in self.document.findall(nodes.row):
            if not isinstance(row.parent, nodes.tbody) or not row.children:
                continue
            cell = row[0]
            ident = cell.astext().strip()
            if pattern.fullmatch(ident) and _prefix(ident) in owned:
                cell["classes"].append(_DEFINITION_CLASS)
                domain.define(ident, docname, row)
        if pattern is _RULE:
            for item in self.document.findall(nodes.list_item):
                found = _lead_ids(item)
                if found is not None and all(_prefix(ident) in owned for ident in found[1]):
                    lead, idents = found
                    lead["classes"].append(_DEFINITION_CLASS)
                    for ident in idents:
                        domain.define(ident, docname, item)


def _is_skipped(text: nodes.Text) -> bool:
    node: nodes.Node | None = text.parent
    while node is not None:
        if isinstance(node, _SKIPPED):
            return True
        if isinstance(node, nodes.Element) and _DEFINITION_CLASS in node["classes"]:
            return True
        node = node.parent
    return False


class RuleIdLinks(SphinxPostTransform):
    """Turn every plain-text ID into a link to its definition; warn about undefined ones."""

    default_priority = 100

    def run(self, **kwargs: Any) -> None:  # noqa: ARG002 - the transform API passes kwargs
        """Rewrite the text nodes of the page being written."""
        domain = cast("RuleIdsDomain", self.env.get_domain(RuleIdsDomain.name))
        docname = self.env.docname
        lenient = docname in self.config.ruleids_lenient_docs
        ignored = frozenset(self.config.ruleids_not_rule_prefixes)
        for text in list(self.document.findall(nodes.Text)):
            if _is_skipped(text):
                continue
            parts = self._split(text, domain.targets, ignored, lenient=lenient)
            if parts is not None:
                text.parent.replace(text, parts)

    def _split(
        self,
        text: nodes.Text,
        targets: dict[str, tuple[str, str]],
        ignored: frozenset[str],
        *,
        lenient: bool,
    ) -> list[nodes.Node] | None:
        """Return ``text`` as text and link nodes, or ``None`` when it holds no ID to link."""
        source = str(text)
        parts: list[nodes.Node] = []
        start = 0
        for match in ID_PATTERN.finditer(source):
            ident = match.group()
            if not ident.startswith("Q") and ident.split("-", 1)[0] in ignored:
                continue
            target = targets.get(ident)
            if target is None:
                if not lenient:
                    logger.warning(
                        "%s names no rule or decision of the docs",
                        ident,
                        location=text.parent,
                        type="ruleids",
                        subtype="undefined",
                    )
                continue
            parts.append(nodes.Text(source[start : match.start()]))
            parts.append(self._link(ident, *target))
            start = match.end()
        if not parts:
            return None
        parts.append(nodes.Text(source[start:]))
        return [part for part in parts if not isinstance(part, nodes.Text) or str(part)]

    def _link(self, ident: str, page: str, target: str) -> nodes.reference:
        link = nodes.reference("", ident, internal=True, classes=["rule-id"])
        if page == self.env.docname:
            link["refid"] = target
        else:
            link["refuri"] = f"{self.app.builder.get_relative_uri(self.env.docname, page)}#{target}"
        return link


def _defines_ids(app: Sphinx, docname: str) -> bool:
    return docname == app.config.ruleids_decisions_page or docname.startswith(
        app.config.ruleids_rules_prefix
    )


def _reread_all(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Re-read every page when a page that defines IDs changes, so no link goes stale."""
    touched = added | changed | removed
    if any(_defines_ids(app, docname) for docname in touched):
        return sorted(env.found_docs - touched)
    return []


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the domain, both transforms and their settings."""
    app.add_config_value("ruleids_rules_prefix", "rules/", "env", str)
    app.add_config_value("ruleids_decisions_page", "reference/decisions", "env", str)
    app.add_config_value("ruleids_lenient_docs", ["changelog"], "env", list)
    app.add_config_value("ruleids_not_rule_prefixes", ["UTF"], "env", list)
    app.add_domain(RuleIdsDomain)
    app.add_transform(RuleIdTargets)
    app.add_post_transform(RuleIdLinks)
    app.connect("env-get-outdated", _reread_all)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
