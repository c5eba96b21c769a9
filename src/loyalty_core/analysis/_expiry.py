"""When items expire: a table of benefits, rewards and credits, in UTC and in their own zone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Final, Literal

from loyalty_core import clock
from loyalty_core.analysis._frames import (
    Backend,
    Column,
    build_frame,
    check_backend,
    definition_label,
    import_or_hint,
)
from loyalty_core.benefits import Benefit
from loyalty_core.credits import Credit
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import show
from loyalty_core.rewards import Reward

__all__ = ["UsedUp", "expiry_table"]

Item = Benefit | Reward | Credit

UsedUp = Literal["exclude", "flag", "include"]
"""What :func:`expiry_table` does with used-up items: leave them out, list them with a
``used_up`` column, or list them like any other."""

_USED_UP: Final[tuple[UsedUp, ...]] = ("exclude", "flag", "include")

_EXPIRY_KINDS: Final[Mapping[str, Column]] = {
    "kind": "str",
    "id": "int",
    "profile_id": "str",
    "definition": "str",
    "timezone": "str",
    "issued_at": "instant",
    "expires_at": "instant",
    "expires_local": "wall",
    "expires_on": "date",
    "remaining_value": "any",
    "remaining_count": "int",
    "used_up": "bool",
}
# pandas has no date type: a local date is its midnight, a naive datetime64[us] (the "wall"
# kind), so that `.dt` and `resample` work. Microseconds, not nanoseconds: datetime64[ns] ends
# in 2262, and expiries run to 9999-12-30 (limits.LATEST).
_PANDAS_KINDS: Final[Mapping[str, Column]] = {**_EXPIRY_KINDS, "expires_on": "wall"}

_MONEY_PRECISION: Final = 38
"""The most digits a polars Decimal holds (money has at most 36: limits.MAX_MONEY and 18
places)."""


# --- expiry ------------------------------------------------------------------------------------


def _items(items: object) -> list[tuple[str | None, Item]]:
    """Return ``(owner, item)`` pairs: an owner for the items of a mapping, else ``None``.

    ``items`` is an item, an iterable of items, or a mapping of profile id to an item or an
    iterable of items. Only that one level of mapping is read: a mapping inside is refused at
    its path (without recursion, however deep the input nests).
    """
    if not isinstance(items, Mapping):
        return [(None, item) for item in _held(items, "items")]
    pairs: list[tuple[str | None, Item]] = []
    for owner, held in items.items():
        if not isinstance(owner, str):
            msg = f"expected profile ids (strings) as keys, got {show(owner)}"
            raise InvalidRequest(Problem("items", msg))
        where = f"items[{show(owner)}]"
        if isinstance(held, Mapping):
            msg = f"expected a Benefit, Reward or Credit, or an iterable of them, got {show(held)}"
            raise InvalidRequest(Problem(where, msg))
        pairs.extend((owner, item) for item in _held(held, where))
    return pairs


def _held(items: object, where: str) -> list[Item]:
    """Return an item, or the items of an iterable, checking each."""
    if isinstance(items, Benefit | Reward | Credit):
        return [items]
    if not isinstance(items, Iterable) or isinstance(items, str | bytes):
        msg = f"expected benefits, rewards or credits, got {show(items)}"
        raise InvalidRequest(Problem(where, msg))
    found: list[Item] = []
    for index, item in enumerate(items):
        if not isinstance(item, Benefit | Reward | Credit):
            msg = f"expected a Benefit, Reward or Credit, got {show(item)}"
            raise InvalidRequest(Problem(f"{where}[{index}]", msg))
        found.append(item)
    return found


def _definition_label(item: Item) -> str | None:
    # The `definition` column, as claim_eligibility labels its definitions: the handle, else
    # "#id". A benefit always embeds its definition; a reward or credit may not, and a credit
    # may name its definition by `credit_definition_id` alone.
    label = definition_label(item.definition)
    if label is not None:
        return label
    if isinstance(item, Credit) and item.credit_definition_id is not None:
        return f"#{item.credit_definition_id}"
    return None


def _remaining(item: Item) -> tuple[Decimal | None, int | None, bool]:
    """Return an item's remaining value, remaining count, and whether it is used up.

    The counts are the stored ones, completed by PAY-9 when the item was built (a null
    ``redemptions_remaining`` is the definition's ``max_redemptions``, ``None`` for unlimited;
    a null ``value_remaining`` is ``value_initial``).
    """
    if isinstance(item, Benefit):
        count = item.redemptions_remaining
        # RED-1: a benefit is used up iff redemptions_remaining == 0 (None is unlimited).
        return None, count, count == 0
    # RWD-1, CRD-12: nothing left to redeem iff value_remaining is 0 (it is never below 0,
    # RWD-8, Q37).
    return item.value_remaining, None, item.value_remaining == 0


def _money_series(name: str, values: Sequence[Decimal | None], backend: Backend) -> Any:
    # Money stays exact: Decimal objects in pandas (object dtype), a Decimal column in polars
    # at the largest scale among the values (so an all-null column is still a Decimal one).
    if backend == "pandas":
        return import_or_hint("pandas").Series(list(values), dtype="object", name=name)
    polars = import_or_hint("polars")
    scale = max((-int(v.as_tuple().exponent) for v in values if v is not None), default=0)
    dtype = polars.Decimal(_MONEY_PRECISION, max(0, scale))
    return polars.Series(name, list(values), dtype=dtype)


def _check_used_up(used_up: object) -> UsedUp:
    if isinstance(used_up, str):  # first: `==` compares a Series or an array item by item
        for choice in _USED_UP:
            if used_up == choice:
                return choice
    msg = f"expected 'exclude', 'flag' or 'include', got {show(used_up)}"
    raise InvalidRequest(Problem("used_up", msg))


def expiry_table(items: Any, *, backend: Backend = "pandas", used_up: UsedUp = "exclude") -> Any:
    """Tabulate when each benefit, reward or credit expires, in UTC and in its own zone.

    ``items`` is an item, an iterable of items, or a mapping of profile id to an item or an
    iterable of items (which fills ``profile_id`` where an item has none; a mapping nested
    inside is refused). One row per item, in the given order, with the columns:

    - ``kind`` (``benefit``, ``reward`` or ``credit``), ``id``, ``profile_id``;
    - ``definition``: the embedded definition's handle, else ``#`` and its id (as
      :func:`~loyalty_core.analysis.claim_eligibility` labels definitions; a credit without an
      embedded definition uses its ``credit_definition_id``), else null;
    - ``timezone``: the item's zone (TIME-3: a credit falls back on its definition's, then UTC);
    - ``issued_at`` and ``expires_at`` (UTC instants), ``expires_local`` (the expiry's wall
      time in the item's zone, without offset) and ``expires_on`` (its local date, TIME-4), all
      typed: in pandas ``datetime64`` columns (``expires_local`` and ``expires_on`` naive, the
      latter at midnight), so ``.dt`` and ``resample`` work; in polars ``Datetime`` and
      ``Date``. A never-expiring item has nulls;
    - ``remaining_value``: a reward's or credit's ``value_remaining`` (exact ``Decimal``s: an
      object column in pandas, a ``Decimal`` one in polars), null for a benefit;
    - ``remaining_count``: a benefit's ``redemptions_remaining``, null for a reward or credit,
      and for a benefit without a limit.

    An item is *used up* when nothing is left to redeem: a benefit with
    ``redemptions_remaining`` 0 (RED-1), a reward or credit with ``value_remaining`` 0 (RWD-1,
    CRD-12). ``used_up`` says what to do with them: ``"exclude"`` (the default) leaves them
    out, since nothing of theirs expires; ``"flag"`` lists them, with a boolean ``used_up``
    column; ``"include"`` lists them like any other item. The result is a pandas DataFrame, or
    a polars one with ``backend="polars"``.

    >>> from loyalty_core import Reward
    >>> reward = Reward.from_api({"id": 7, "timezone": "Australia/Melbourne",
    ...                           "value_initial": "10.00", "value_remaining": "2.50",
    ...                           "expires_at": "2026-04-05 13:59:59"})
    >>> spent = Reward.from_api({"id": 8, "value_initial": "5.00", "value_remaining": "0.00",
    ...                          "expires_at": "2026-04-05 13:59:59"})
    >>> table = expiry_table([reward, spent])
    >>> table[["kind", "id", "expires_at", "expires_local", "remaining_value"]]
         kind  id                expires_at       expires_local remaining_value
    0  reward   7 2026-04-05 13:59:59+00:00 2026-04-05 23:59:59            2.50
    >>> table["expires_on"].dt.day_name().to_list()
    ['Sunday']
    >>> expiry_table([reward, spent], used_up="flag")[["id", "used_up"]]
       id  used_up
    0   7    False
    1   8     True
    """
    chosen = check_backend(backend)
    policy = _check_used_up(used_up)
    out: dict[str, list[Any]] = {name: [] for name in _EXPIRY_KINDS}
    for owner, item in _items(items):
        value, count, spent = _remaining(item)
        if spent and policy == "exclude":
            continue
        tz = item.zone
        expires_at = item.expires_at
        local: datetime | None = None
        local_on: date | datetime | None = None
        if expires_at is not None:
            local = expires_at.astimezone(tz).replace(tzinfo=None)
            local_on = clock.local_date(expires_at, tz)
            if chosen == "pandas":
                local_on = datetime.combine(local_on, time())
        out["kind"].append(type(item).__name__.lower())
        out["id"].append(item.id)
        out["profile_id"].append(item.profile_id if item.profile_id is not None else owner)
        out["definition"].append(_definition_label(item))
        out["timezone"].append(tz.key)
        out["issued_at"].append(item.issued_at)
        out["expires_at"].append(expires_at)
        out["expires_local"].append(local)
        out["expires_on"].append(local_on)
        out["remaining_value"].append(value)
        out["remaining_count"].append(count)
        out["used_up"].append(spent)
    money = out.pop("remaining_value")
    if policy != "flag":
        del out["used_up"]
    frame = build_frame(out, _PANDAS_KINDS if chosen == "pandas" else _EXPIRY_KINDS, chosen)
    position = list(_EXPIRY_KINDS).index("remaining_value")
    series = _money_series("remaining_value", money, chosen)
    if chosen == "pandas":
        frame.insert(position, "remaining_value", series)
        return frame
    return frame.insert_column(position, series)
