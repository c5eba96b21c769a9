"""A testing toolkit for services that use loyalty_core as their reference implementation.

Install it with the ``testing`` extra (``pip install 'loyalty-core[testing]'``), which pulls in
`hypothesis <https://hypothesis.readthedocs.io>`_. The toolkit lives in submodules, imported
on demand, so that ``import loyalty_core`` (and this package) never imports hypothesis:

- :mod:`loyalty_core.testing.strategies`: hypothesis strategies for every platform value
  (definitions, instances, profiles, policies), for API payloads (valid ones, and near-valid
  invalid ones paired with the JSON path of the field that breaks them), for JSON Logic
  conditions over a profile schema with matching profile data, and for zones and instants that
  concentrate on DST transitions, month ends and window boundaries. Every value they generate
  is one the library accepts, unless a strategy is asked for invalid input.
- :mod:`loyalty_core.testing.model`: a reference model of the platform's state and a
  hypothesis state machine that checks a real system against it.
- :mod:`loyalty_core.testing.service`: :class:`InMemoryService`, a reference adapter for that
  machine (an in-memory service built on loyalty_core) to copy; it needs no hypothesis, and is
  importable from here as ``loyalty_core.testing.InMemoryService``.

Without hypothesis, importing the strategies or the machine raises an :class:`ImportError`
that says how to install it (:data:`INSTALL_HINT`).
"""

from __future__ import annotations

from typing import Final

# The reference adapter needs no hypothesis, so the package imports it eagerly.
from loyalty_core.testing.service import InMemoryService

__all__ = ["INSTALL_HINT", "InMemoryService"]

INSTALL_HINT: Final = (
    "{module} needs hypothesis, which the 'testing' extra installs: "
    "pip install 'loyalty-core[testing]'"
)
"""The message of the :class:`ImportError` raised when hypothesis is missing (``{module}`` is
the module being imported)."""
