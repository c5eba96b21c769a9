"""When items expire: a table of benefits, rewards and credits, in UTC and in their own zone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Final

from loyalty_core import clock
from loyalty_core.analysis._frames import Backend, Column, build_frame, check_backend
from loyalty_core.benefits import Benefit
from loyalty_core.credits import Credit
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import show
from loyalty_core.rewards import Reward

__all__ = ["expiry_table"]

Item = Benefit | Reward | Credit

_EXPIRY_KINDS: Final[Mapping[str, Column]] = {
    "kind": "str",
    "id": "int",
    "profile_id": "str",
    "timezone": "str",
    "issued_at": "instant",
    "expires_at": "instant",
    "expires_local": "wall",
    "expires_on": "date",
}


# --- expiry ------------------------------------------------------------------------------------


def _items(items: object, where: str = "items") -> list[tuple[str | None, Item]]:
    if isinstance(items, Benefit | Reward | Credit):
        return [(None, items)]
    if isinstance(items, Mapping):
        pairs: list[tuple[str | None, Item]] = []
        for owner, held in items.items():
            if not isinstance(owner, str):
                msg = f"expected profile ids (strings) as keys, got {show(owner)}"
                raise InvalidRequest(Problem("items", msg))
            pairs.extend((owner, item) for _, item in _items(held, f"items[{show(owner)}]"))
        return pairs
    if not isinstance(items, Iterable) or isinstance(items, str | bytes):
        msg = f"expected benefits, rewards or credits, got {show(items)}"
        raise InvalidRequest(Problem(where, msg))
    found: list[tuple[str | None, Item]] = []
    for index, item in enumerate(items):
        if not isinstance(item, Benefit | Reward | Credit):
            msg = f"expected a Benefit, Reward or Credit, got {show(item)}"
            raise InvalidRequest(Problem(f"{where}[{index}]", msg))
        found.append((None, item))
    return found


def expiry_table(items: Any, *, backend: Backend = "pandas") -> Any:
    """Tabulate when each benefit, reward or credit expires, in UTC and in its own zone.

    ``items`` is an iterable of items, or a mapping of profile id to items (which fills
    ``profile_id`` where an item has none). Columns: ``kind`` (``benefit``, ``reward`` or
    ``credit``), ``id``, ``profile_id``, ``timezone`` (the item's zone, TIME-3: a credit
    falls back on its definition's, then UTC), ``issued_at`` and ``expires_at`` (UTC),
    ``expires_local`` (the expiry's wall time in the item's zone, without offset) and
    ``expires_on`` (its local date). A never-expiring item has nulls. One row per item, in the
    given order.

    >>> from loyalty_core import Reward
    >>> reward = Reward.from_api({"id": 7, "timezone": "Australia/Melbourne",
    ...                           "value_initial": "10.00",
    ...                           "expires_at": "2026-04-05 13:59:59"})
    >>> table = expiry_table([reward])
    >>> table[["kind", "id", "expires_at", "expires_local"]]
         kind  id                expires_at       expires_local
    0  reward   7 2026-04-05 13:59:59+00:00 2026-04-05 23:59:59
    """
    chosen = check_backend(backend)
    out: dict[str, list[Any]] = {
        "kind": [],
        "id": [],
        "profile_id": [],
        "timezone": [],
        "issued_at": [],
        "expires_at": [],
        "expires_local": [],
        "expires_on": [],
    }
    for owner, item in _items(items):
        tz = item.zone
        expires_at = item.expires_at
        local: datetime | None = None
        local_on: date | None = None
        if expires_at is not None:
            local = expires_at.astimezone(tz).replace(tzinfo=None)
            local_on = clock.local_date(expires_at, tz)
        out["kind"].append(type(item).__name__.lower())
        out["id"].append(item.id)
        out["profile_id"].append(item.profile_id if item.profile_id is not None else owner)
        out["timezone"].append(tz.key)
        out["issued_at"].append(item.issued_at)
        out["expires_at"].append(expires_at)
        out["expires_local"].append(local)
        out["expires_on"].append(local_on)
    return build_frame(out, _EXPIRY_KINDS, chosen)
