"""Sphinx configuration for the loyalty_core documentation."""

import sys
from pathlib import Path

# The local extensions of docs/_ext (ruleids: links rule and decision IDs to their definitions).
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "loyalty_core"
author = "loyalty_core developers"
copyright = "2026, loyalty_core developers"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "ruleids",
]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = "loyalty_core"
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}
intersphinx_mapping: dict[str, tuple[str, None]] = {}
suppress_warnings = ["myst.xref_missing"]
