"""The redemption record: what the platform's Redeem Benefit response holds (RED-16).

A :class:`Redemption` is a platform value like the seven others: ``from_api`` reads the
response shape of the Add Benefit Redemption page, ``to_api`` writes it back, and every key it
does not model (``profile``, ``location``, ``total_localised``, ``created_at``, ...) is kept in
``extra`` (PAY-10). :func:`~loyalty_core.redeem_benefit` returns one for an allowed redemption.

>>> record = Redemption.from_api({"id": 9, "type": "benefit", "total": "0.00",
...     "redeem_at": "2026-03-01 10:00:00", "location": {"id": 3},
...     "items": [{"id": 7, "type": "benefit", "count": 1}]})
>>> record.items[0].count, record.total, record.extra["location"]["id"]
(1, Decimal('0.00'), 3)
>>> record.to_api()["redeem_at"], record.to_api()["location"]
('2026-03-01 10:00:00', {'id': 3})
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from loyalty_core import _fields as f
from loyalty_core._fields import Value, extra_field, field

__all__ = ["Redemption", "RedemptionItem"]


@attrs.frozen(kw_only=True)
class RedemptionItem(Value):
    """One item of a redemption: what was redeemed (``type`` and ``id``) and how many.

    ``value`` is money (PAY-8); ``type_attributes`` is the redeemed item as the platform
    embeds it, kept read-only as it came.
    """

    id: int | None = field(f.INT)
    type: str | None = field(f.TEXT)
    value: Decimal | None = field(f.SIGNED_MONEY)
    count: int | None = field(f.COUNT)
    type_attributes: Mapping[str, Any] | None = field(f.JSON_OBJECT)
    extra: Mapping[str, Any] = extra_field()
    """Every key of the payload this class does not model, read-only and in order (PAY-10)."""


@attrs.frozen(kw_only=True)
class Redemption(Value):
    """A redemption record (RED-16): who redeemed what, where and when.

    ``id`` is null until the platform stores it. ``total`` is money (PAY-8); ``meta`` and
    ``transaction`` are kept read-only as they came; each of ``items`` is a :class:`RedemptionItem`.
    """

    id: int | None = field(f.INT)
    profile_id: str | None = field(f.TEXT)
    type: str | None = field(f.TEXT)
    total: Decimal | None = field(f.SIGNED_MONEY)
    meta: tuple[Any, ...] | None = field(f.JSON_ARRAY)
    location_id: int | None = field(f.INT)
    transaction_id: str | None = field(f.TEXT)
    items: tuple[RedemptionItem, ...] = field(
        f.required(f.nested(RedemptionItem, many=True)), default=()
    )
    redeem_at: datetime | None = field(f.INSTANT)
    transaction: Mapping[str, Any] | None = field(f.JSON_OBJECT)
    extra: Mapping[str, Any] = extra_field()
    """Every key of the payload this class does not model, read-only and in order (PAY-10)."""
