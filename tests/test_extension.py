"""EXT rules (RULES §8): extending rewards, benefits and credits.

Expected instants are the rulebook's literals, or are computed here with plain ``zoneinfo``
(never with the library's clock helpers).
"""

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    Credit,
    CreditDefinition,
    Decision,
    InvalidRequest,
    Policy,
    Reward,
    RewardDefinition,
)
from loyalty_core.extension import Extendable, ExtensionResult, extend, is_extendable
from tests.helpers import codes, utc

US = timedelta(microseconds=1)
SECOND = timedelta(seconds=1)
MELBOURNE = "Australia/Melbourne"
NEW_YORK = "America/New_York"
AT = utc("2026-04-03 00:00:00")
STRICT = Policy(allow_extend_expired=False)

KINDS = ("reward", "benefit", "credit")


def reward(**fields: Any) -> Reward:
    """An extendable reward of p-1 expiring 2026-05-01 23:59:59Z, never extended."""
    base: dict[str, Any] = {
        "id": 1,
        "profile_id": "p-1",
        "timezone": "UTC",
        "value_initial": Decimal("10.00"),
        "expires_at": utc("2026-05-01 23:59:59"),
        "definition": RewardDefinition(is_extendable=True),
    }
    base.update(fields)
    return Reward(**base)


def benefit(**fields: Any) -> Benefit:
    """An extendable benefit of p-1 expiring 2026-05-01 23:59:59Z, never extended."""
    base: dict[str, Any] = {
        "id": 1,
        "profile_id": "p-1",
        "timezone": "UTC",
        "expires_at": utc("2026-05-01 23:59:59"),
        "definition": BenefitDefinition(is_extendable=True),
    }
    base.update(fields)
    return Benefit(**base)


def credit(**fields: Any) -> Credit:
    """An extendable credit of p-1 expiring 2026-05-01 23:59:59Z, never extended."""
    base: dict[str, Any] = {
        "id": 1,
        "profile_id": "p-1",
        "timezone": "UTC",
        "value_initial": Decimal("50.00"),
        "expires_at": utc("2026-05-01 23:59:59"),
        "definition": CreditDefinition(is_extendable=True),
    }
    base.update(fields)
    return Credit(**base)


def item_of(kind: str, *, extendable: bool = True, **fields: Any) -> Extendable:
    """An item of the given kind; ``extendable`` sets its definition's ``is_extendable``."""
    if kind == "reward":
        return reward(definition=RewardDefinition(is_extendable=extendable), **fields)
    if kind == "benefit":
        return benefit(definition=BenefitDefinition(is_extendable=extendable), **fields)
    return credit(definition=CreditDefinition(is_extendable=extendable), **fields)


def run(
    *items: Extendable, policy: Policy | None = None, at: datetime = AT, **request: Any
) -> ExtensionResult:
    if "extend_days" not in request and "extend_date" not in request:
        request["extend_days"] = 10
    if policy is not None:
        request["policy"] = policy
    return extend(list(items), profile_id="p-1", at=at, **request)


def only_extended(result: ExtensionResult) -> Extendable:
    assert result.skipped == ()
    assert len(result.extended) == 1
    return result.extended[0]


def only_skipped(result: ExtensionResult) -> tuple[int | None, Decision]:
    assert result.extended == ()
    assert len(result.skipped) == 1
    return result.skipped[0]


def wall(text: str, zone: str) -> datetime:
    """The UTC instant of a local wall time, resolved with ``fold=0`` (TIME-5)."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


def local(instant: datetime, zone: str) -> datetime:
    """The naive local wall time of an instant."""
    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


# --- RULES §8 example tables ---------------------------------------------------------------------


ITEM_A: dict[str, Any] = {
    "id": 1,
    "timezone": MELBOURNE,
    "expires_at": utc("2026-04-01 12:59:59"),
}


class TestExtendDaysTable:
    """EXT table: at = 2026-04-03 00:00:00Z, profile p-1, extend_days=10, default policy."""

    @pytest.mark.parametrize(
        ("fields", "extendable", "expected"),
        [
            pytest.param(
                ITEM_A, True, utc("2026-04-11 13:59:59"), id="EXT-table-A-melbourne-eod-expired"
            ),
            pytest.param(
                {"id": 2, "timezone": NEW_YORK, "expires_at": utc("2026-03-02 04:59:59")},
                True,
                utc("2026-03-12 03:59:59"),
                id="EXT-table-B-new-york-eod",
            ),
        ],
    )
    @pytest.mark.parametrize("kind", KINDS)
    def test_extended_rows(
        self, kind: str, fields: dict[str, Any], extendable: bool, expected: datetime
    ) -> None:
        item = item_of(kind, extendable=extendable, **fields)
        result = only_extended(run(item))
        assert expected == result.expires_at
        assert result.expires_at.tzinfo is UTC
        assert result.extended_at == AT

    def test_row_a_utc_span_is_ten_days_one_hour(self) -> None:
        result = only_extended(run(reward(**ITEM_A)))
        assert result.expires_at is not None
        assert timedelta(days=10, hours=1) == result.expires_at - ITEM_A["expires_at"]
        assert datetime(2026, 4, 11, 23, 59, 59) == local(result.expires_at, MELBOURNE)

    @pytest.mark.parametrize(
        ("fields", "extendable", "expected_codes"),
        [
            pytest.param(
                {"id": 3, "extended_at": utc("2026-02-01 00:00:00")},
                True,
                ["already_extended"],
                id="EXT-table-C-already-extended",
            ),
            pytest.param({"id": 4, "profile_id": "p-2"}, True, ["not_owned"], id="EXT-table-D"),
            pytest.param({"id": 5, "expires_at": None}, True, ["no_expiry"], id="EXT-table-E"),
            pytest.param(
                {"id": 6, "extended_at": utc("2026-02-01 00:00:00")},
                False,
                ["already_extended", "not_extendable"],
                id="EXT-table-F-two-reasons",
            ),
        ],
    )
    @pytest.mark.parametrize("kind", KINDS)
    def test_skipped_rows(
        self, kind: str, fields: dict[str, Any], extendable: bool, expected_codes: list[str]
    ) -> None:
        item = item_of(kind, extendable=extendable, **fields)
        item_id, decision = only_skipped(run(item))
        assert fields["id"] == item_id
        assert expected_codes == codes(decision)
        assert not decision.allowed
        assert decision.retry_at is None

    @pytest.mark.parametrize("kind", KINDS)
    def test_row_a_without_allow_extend_expired(self, kind: str) -> None:
        item_id, decision = only_skipped(run(item_of(kind, **ITEM_A), policy=STRICT))
        assert item_id == 1
        assert codes(decision) == ["expired"]
        assert decision.retry_at is None

    def test_whole_table_in_one_request(self) -> None:
        items = [
            reward(**ITEM_A),
            reward(id=2, timezone=NEW_YORK, expires_at=utc("2026-03-02 04:59:59")),
            reward(id=3, extended_at=utc("2026-02-01 00:00:00")),
            reward(id=4, profile_id="p-2"),
            reward(id=5, expires_at=None),
            reward(
                id=6,
                extended_at=utc("2026-02-01 00:00:00"),
                definition=RewardDefinition(is_extendable=False),
            ),
        ]
        result = run(*items)
        assert [r.id for r in result.extended] == [1, 2]
        assert [utc("2026-04-11 13:59:59"), utc("2026-03-12 03:59:59")] == [
            r.expires_at for r in result.extended
        ]
        assert [(i, codes(d)) for i, d in result.skipped] == [
            (3, ["already_extended"]),
            (4, ["not_owned"]),
            (5, ["no_expiry"]),
            (6, ["already_extended", "not_extendable"]),
        ]


class TestExtendDateTable:
    """EXT extend_date table: a naive string is a wall time in each item's zone (EXT-8, Q35)."""

    @pytest.mark.parametrize(
        ("extend_date", "zone", "old", "expected"),
        [
            pytest.param(
                "2030-01-01 11:00:00",
                MELBOURNE,
                utc("2026-05-01 13:59:59"),
                utc("2030-01-01 00:00:00"),
                id="EXT-8-melbourne-wall",
            ),
            pytest.param(
                "2030-01-01 11:00:00",
                NEW_YORK,
                utc("2026-05-01 13:59:59"),
                utc("2030-01-01 16:00:00"),
                id="EXT-8-new-york-wall",
            ),
            pytest.param(
                "2030-01-01 11:00:00",
                MELBOURNE,
                None,
                utc("2030-01-01 00:00:00"),
                id="EXT-8-any-old-expiry-even-null",
            ),
            pytest.param(
                "2025-12-31T00:00:00Z",
                MELBOURNE,
                utc("2026-06-30 13:59:59"),
                utc("2025-12-31 00:00:00"),
                id="EXT-8-earlier-offset-date-melbourne",
            ),
            pytest.param(
                "2025-12-31T00:00:00Z",
                NEW_YORK,
                utc("2026-06-30 13:59:59"),
                utc("2025-12-31 00:00:00"),
                id="EXT-8-earlier-offset-date-new-york",
            ),
        ],
    )
    @pytest.mark.parametrize("kind", KINDS)
    def test_rows(
        self, kind: str, extend_date: str, zone: str, old: datetime | None, expected: datetime
    ) -> None:
        item = item_of(kind, timezone=zone, expires_at=old)
        result = only_extended(run(item, extend_date=extend_date))
        assert expected == result.expires_at
        assert result.expires_at.tzinfo is UTC
        assert result.extended_at == AT

    def test_one_naive_string_gives_each_item_its_own_instant(self) -> None:
        items = [
            reward(id=1, timezone=MELBOURNE),
            reward(id=2, timezone=NEW_YORK),
            reward(id=3, timezone=None),
        ]
        result = run(*items, extend_date="2030-01-01 11:00:00")
        assert [
            utc("2030-01-01 00:00:00"),
            utc("2030-01-01 16:00:00"),
            utc("2030-01-01 11:00:00"),
        ] == [r.expires_at for r in result.extended]

    @pytest.mark.parametrize(
        "request_args",
        [
            pytest.param({"extend_days": 10, "extend_date": "2030-01-01 11:00:00"}, id="both"),
            pytest.param({"extend_days": 0}, id="zero-days"),
        ],
    )
    def test_invalid_request_rows(self, request_args: dict[str, Any]) -> None:
        with pytest.raises(InvalidRequest):
            extend([reward()], profile_id="p-1", at=AT, **request_args)


# --- EXT-1: the request ---------------------------------------------------------------------------


class TestExt1Request:
    """EXT-1.

    Exactly one of extend_days (an int >= 1, not a bool) and extend_date (aware datetime or a PAY-2
    string); anything else raises InvalidRequest naming the parameter.
    """

    @pytest.mark.parametrize(
        ("request_args", "parameter"),
        [
            pytest.param(
                {"extend_days": 1, "extend_date": utc("2030-01-01 00:00:00")},
                "extend_",
                id="EXT-1-both",
            ),
            pytest.param({}, "extend_", id="EXT-1-neither"),
            pytest.param({"extend_days": None, "extend_date": None}, "extend_", id="EXT-1-nones"),
            pytest.param({"extend_days": 0}, "extend_days", id="EXT-1-zero"),
            pytest.param({"extend_days": -1}, "extend_days", id="EXT-1-negative"),
            pytest.param({"extend_days": True}, "extend_days", id="EXT-1-true"),
            pytest.param({"extend_days": False}, "extend_days", id="EXT-1-false"),
            pytest.param({"extend_days": 1.5}, "extend_days", id="EXT-1-fraction"),
            pytest.param({"extend_days": 10.0}, "extend_days", id="EXT-1-integral-float"),
            pytest.param({"extend_days": "10"}, "extend_days", id="EXT-1-string-days"),
            pytest.param(
                {"extend_date": datetime(2030, 1, 1, 11)}, "extend_date", id="EXT-1-naive-datetime"
            ),
            pytest.param(
                {"extend_date": "2030-01-01T11:00:00"}, "extend_date", id="EXT-1-T-without-offset"
            ),
            pytest.param(
                {"extend_date": "2030-01-01 11:00"}, "extend_date", id="EXT-1-missing-seconds"
            ),
            pytest.param(
                {"extend_date": "2030-02-30 10:00:00"}, "extend_date", id="EXT-1-impossible-date"
            ),
            pytest.param({"extend_date": "2030-01-01 24:00:00"}, "extend_date", id="EXT-1-hour-24"),
            pytest.param(
                {"extend_date": "2030-01-01 10:00:60"}, "extend_date", id="EXT-1-second-60"
            ),
            pytest.param(
                {"extend_date": "2030-01-01T10:00:00.1234567Z"},
                "extend_date",
                id="EXT-1-seven-fraction-digits",
            ),
            pytest.param({"extend_date": "tomorrow"}, "extend_date", id="EXT-1-word"),
            pytest.param({"extend_date": ""}, "extend_date", id="EXT-1-empty-string"),
            pytest.param({"extend_date": " 2030-01-01"}, "extend_date", id="EXT-1-whitespace"),
            pytest.param({"extend_date": date(2030, 1, 1)}, "extend_date", id="EXT-1-date-object"),
            pytest.param({"extend_date": 1_893_456_000}, "extend_date", id="EXT-1-timestamp"),
        ],
    )
    def test_invalid(self, request_args: dict[str, Any], parameter: str) -> None:
        with pytest.raises(InvalidRequest, match=parameter):
            extend([reward()], profile_id="p-1", at=AT, **request_args)

    def test_invalid_even_with_no_items(self) -> None:
        with pytest.raises(InvalidRequest, match="extend_days"):
            extend([], profile_id="p-1", at=AT, extend_days=0)

    def test_naive_at_is_rejected(self) -> None:
        with pytest.raises(InvalidRequest, match="at"):
            extend([reward()], profile_id="p-1", at=datetime(2026, 4, 3), extend_days=1)

    @pytest.mark.parametrize(
        "extend_date",
        [
            pytest.param("2030-01-01 11:00:00", id="EXT-1-shape-a"),
            pytest.param("2030-01-01T11:00:00Z", id="EXT-1-shape-b-Z"),
            pytest.param("2030-01-01 11:00:00+10:00", id="EXT-1-shape-b-space-offset"),
            pytest.param("2030-01-01T11:00:00.5-05:00", id="EXT-1-shape-b-fraction"),
            pytest.param("2030-01-01", id="EXT-1-shape-c"),
            pytest.param(utc("2030-01-01 11:00:00"), id="EXT-1-aware-datetime"),
        ],
    )
    def test_valid_extend_date_shapes(self, extend_date: str | datetime) -> None:
        only_extended(run(reward(), extend_date=extend_date))

    @pytest.mark.parametrize("days", [1, 10, 365, 3650])
    def test_valid_extend_days(self, days: int) -> None:
        result = only_extended(run(reward(), extend_days=days))
        assert utc("2026-05-01 23:59:59") + timedelta(days=days) == result.expires_at


# --- EXT-2 to EXT-6: the checks -------------------------------------------------------------------


class TestExt2Owner:
    """EXT-2: skipped with not_owned when item.profile_id != profile_id; null never matches."""

    @pytest.mark.parametrize(
        "owner",
        [
            pytest.param(None, id="EXT-2-null-owner"),
            pytest.param("p-2", id="EXT-2-other-owner"),
            pytest.param("P-1", id="EXT-2-case-differs"),
            pytest.param("p-1 ", id="EXT-2-trailing-space"),
        ],
    )
    @pytest.mark.parametrize("kind", KINDS)
    def test_not_owned(self, kind: str, owner: str | None) -> None:
        _, decision = only_skipped(run(item_of(kind, profile_id=owner)))
        assert codes(decision) == ["not_owned"]
        assert repr(owner) in decision.reasons[0].message

    def test_empty_request_profile_does_not_match_null_owner(self) -> None:
        result = extend([reward(profile_id=None)], profile_id="", at=AT, extend_days=1)
        assert codes(only_skipped(result)[1]) == ["not_owned"]

    @pytest.mark.parametrize("kind", KINDS)
    def test_owned(self, kind: str) -> None:
        only_extended(run(item_of(kind)))


class TestExt3AlreadyExtended:
    """EXT-3: an item whose extended_at is set is skipped with already_extended."""

    @pytest.mark.parametrize("kind", KINDS)
    def test_extended_before(self, kind: str) -> None:
        item = item_of(kind, extended_at=utc("2026-02-01 00:00:00"))
        _, decision = only_skipped(run(item))
        assert codes(decision) == ["already_extended"]
        assert "2026-02-01" in decision.reasons[0].message

    @pytest.mark.parametrize("kind", KINDS)
    def test_extended_at_in_the_future_still_counts(self, kind: str) -> None:
        item = item_of(kind, extended_at=utc("2030-01-01 00:00:00"))
        assert codes(only_skipped(run(item))[1]) == ["already_extended"]

    @pytest.mark.parametrize("kind", KINDS)
    def test_extend_date_does_not_bypass(self, kind: str) -> None:
        item = item_of(kind, extended_at=utc("2026-02-01 00:00:00"))
        result = run(item, extend_date="2030-01-01 00:00:00")
        assert codes(only_skipped(result)[1]) == ["already_extended"]


class TestExt4Extendable:
    """EXT-4: a null definition, or one whose is_extendable is not true, gives not_extendable."""

    @pytest.mark.parametrize("kind", KINDS)
    def test_definition_not_extendable(self, kind: str) -> None:
        item = item_of(kind, extendable=False)
        assert not is_extendable(item)
        assert codes(only_skipped(run(item))[1]) == ["not_extendable"]

    @pytest.mark.parametrize(
        "item",
        [
            pytest.param(reward(definition=None), id="EXT-4-reward-null-definition"),
            pytest.param(credit(definition=None), id="EXT-4-credit-null-definition"),
        ],
    )
    def test_null_definition(self, item: Extendable) -> None:
        assert not is_extendable(item)
        _, decision = only_skipped(run(item))
        assert codes(decision) == ["not_extendable"]
        assert decision.reasons[0].message[0].islower()

    def test_default_definitions_are_not_extendable(self) -> None:
        assert not is_extendable(reward(definition=RewardDefinition()))
        assert not is_extendable(benefit(definition=BenefitDefinition()))
        assert not is_extendable(credit(definition=CreditDefinition()))

    @pytest.mark.parametrize("kind", KINDS)
    def test_extendable(self, kind: str) -> None:
        assert is_extendable(item_of(kind))

    def test_credit_extendability_comes_from_the_credit_definition(self) -> None:
        item = credit(definition=CreditDefinition(is_extendable=True, timezone=MELBOURNE))
        assert is_extendable(item)
        only_extended(run(item))


class TestExt5NoExpiry:
    """EXT-5.

    With extend_days, an item whose expires_at is null is skipped with no_expiry; extend_date on a
    never-expiring item is allowed.
    """

    @pytest.mark.parametrize("kind", KINDS)
    def test_days_on_null_expiry(self, kind: str) -> None:
        _, decision = only_skipped(run(item_of(kind, expires_at=None), extend_days=1))
        assert codes(decision) == ["no_expiry"]
        assert decision.reasons[0].message[0].islower()

    @pytest.mark.parametrize("kind", KINDS)
    def test_date_on_null_expiry(self, kind: str) -> None:
        item = item_of(kind, expires_at=None)
        result = only_extended(run(item, extend_date=utc("2030-01-01 00:00:00")))
        assert utc("2030-01-01 00:00:00") == result.expires_at

    @pytest.mark.parametrize("kind", KINDS)
    def test_date_on_null_expiry_under_strict_policy(self, kind: str) -> None:
        item = item_of(kind, expires_at=None)
        result = run(item, extend_date="2030-01-01", policy=STRICT)
        assert utc("2030-01-01 00:00:00") == only_extended(result).expires_at


class TestExt6Expired:
    """EXT-6.

    Expired at `at` (at > expires_at) and not allow_extend_expired gives expired; expires_at itself
    is the last valid instant.
    """

    @pytest.mark.parametrize(
        ("expires_at", "expected_codes"),
        [
            pytest.param(AT - US, ["expired"], id="EXT-6-expired-1us-before"),
            pytest.param(AT - timedelta(days=400), ["expired"], id="EXT-6-long-expired"),
            pytest.param(AT, [], id="EXT-6-expires-exactly-at"),
            pytest.param(AT + US, [], id="EXT-6-expires-1us-after"),
        ],
    )
    @pytest.mark.parametrize("kind", KINDS)
    def test_strict_policy(
        self, kind: str, expires_at: datetime, expected_codes: list[str]
    ) -> None:
        result = run(item_of(kind, expires_at=expires_at), policy=STRICT)
        assert expected_codes == [c for _, d in result.skipped for c in codes(d)]
        assert len(result.extended) == (0 if expected_codes else 1)

    @pytest.mark.parametrize("kind", KINDS)
    def test_default_policy_extends_expired(self, kind: str) -> None:
        result = only_extended(run(item_of(kind, expires_at=AT - US)))
        assert AT - US + timedelta(days=10) == result.expires_at

    def test_expired_message_has_both_instants(self) -> None:
        _, decision = only_skipped(
            run(reward(expires_at=utc("2026-04-01 12:59:59")), policy=STRICT)
        )
        message = decision.reasons[0].message
        assert message[0].islower()
        assert "2026-04-01T12:59:59Z" in message
        assert "2026-04-03T00:00:00Z" in message

    def test_aware_at_in_another_zone(self) -> None:
        at = AT.astimezone(ZoneInfo(MELBOURNE))
        result = run(reward(expires_at=AT), policy=STRICT, at=at)
        assert only_extended(result).extended_at == AT
        assert only_extended(result).extended_at.tzinfo is UTC  # type: ignore[union-attr]

    @pytest.mark.parametrize("kind", KINDS)
    def test_every_reason_in_table_order(self, kind: str) -> None:
        item = item_of(
            kind,
            extendable=False,
            profile_id="p-2",
            extended_at=utc("2026-01-01 00:00:00"),
            expires_at=AT - SECOND,
        )
        _, decision = only_skipped(run(item, policy=STRICT))
        assert codes(decision) == ["not_owned", "already_extended", "not_extendable", "expired"]
        for reason in decision.reasons:
            assert reason.message[0].islower()

    @pytest.mark.parametrize("kind", KINDS)
    def test_every_reason_with_no_expiry(self, kind: str) -> None:
        item = item_of(
            kind,
            extendable=False,
            profile_id=None,
            extended_at=utc("2026-01-01 00:00:00"),
            expires_at=None,
        )
        _, decision = only_skipped(run(item, policy=STRICT))
        assert codes(decision) == ["not_owned", "already_extended", "not_extendable", "no_expiry"]


# --- EXT-7: extend_days keeps the local wall time ------------------------------------------------


class TestExt7Days:
    """EXT-7.

    The old expiry plus N calendar days in the item's zone, local wall time kept; the last second of
    a day stays the last second of the new day (TIME-6, Q28).
    """

    @pytest.mark.parametrize(
        ("zone", "old_wall", "days", "new_wall"),
        [
            # Southern zone: Melbourne leaves DST on 2026-04-05 (AEDT +11 -> AEST +10).
            pytest.param(
                MELBOURNE,
                "2026-04-01 23:59:59",
                10,
                "2026-04-11 23:59:59",
                id="EXT-7-melbourne-april-eod",
            ),
            pytest.param(
                MELBOURNE,
                "2026-04-04 23:59:59",
                1,
                "2026-04-05 23:59:59",
                id="EXT-7-melbourne-onto-dst-end-day",
            ),
            pytest.param(
                MELBOURNE,
                "2026-04-01 09:15:30",
                10,
                "2026-04-11 09:15:30",
                id="EXT-7-melbourne-april-non-eod",
            ),
            # Melbourne enters DST on 2026-10-04 (02:00 -> 03:00).
            pytest.param(
                MELBOURNE,
                "2026-09-28 23:59:59",
                10,
                "2026-10-08 23:59:59",
                id="EXT-7-melbourne-october-eod",
            ),
            # Northern zone: New York enters DST on 2026-03-08, leaves it on 2026-11-01.
            pytest.param(
                NEW_YORK,
                "2026-03-01 23:59:59",
                10,
                "2026-03-11 23:59:59",
                id="EXT-7-new-york-march-eod",
            ),
            pytest.param(
                NEW_YORK,
                "2026-03-01 08:00:00",
                10,
                "2026-03-11 08:00:00",
                id="EXT-7-new-york-march-non-eod",
            ),
            pytest.param(
                NEW_YORK,
                "2026-10-25 23:59:59",
                10,
                "2026-11-04 23:59:59",
                id="EXT-7-new-york-november-eod",
            ),
            pytest.param(
                NEW_YORK,
                "2026-10-25 12:00:00.250000",
                10,
                "2026-11-04 12:00:00.250000",
                id="EXT-7-new-york-november-microseconds-kept",
            ),
            pytest.param(
                NEW_YORK,
                "2026-10-31 01:30:00",
                1,
                "2026-11-01 01:30:00",
                id="EXT-7-new-york-into-fold-takes-first",
            ),
            pytest.param(
                "UTC", "2024-02-28 23:59:59", 1, "2024-02-29 23:59:59", id="EXT-7-utc-leap-day"
            ),
            pytest.param(
                "UTC", "2025-12-31 23:59:59", 365, "2026-12-31 23:59:59", id="EXT-7-utc-a-year"
            ),
        ],
    )
    @pytest.mark.parametrize("kind", KINDS)
    def test_wall_time_kept(
        self, kind: str, zone: str, old_wall: str, days: int, new_wall: str
    ) -> None:
        old = wall(old_wall, zone)
        item = item_of(kind, timezone=zone, expires_at=old)
        result = only_extended(run(item, extend_days=days, at=old))
        assert wall(new_wall, zone) == result.expires_at
        assert datetime.fromisoformat(new_wall) == local(result.expires_at, zone)

    def test_new_york_march_utc_span_is_an_hour_short(self) -> None:
        old = utc("2026-03-02 04:59:59")  # 03-01 23:59:59 EST
        result = only_extended(run(reward(timezone=NEW_YORK, expires_at=old)))
        assert timedelta(days=10, hours=-1) == result.expires_at - old  # type: ignore[operator]

    def test_new_york_november_utc_span_is_an_hour_long(self) -> None:
        old = utc("2026-10-26 03:59:59")  # 10-25 23:59:59 EDT
        result = only_extended(run(reward(timezone=NEW_YORK, expires_at=old)))
        assert utc("2026-11-05 04:59:59") == result.expires_at
        assert timedelta(days=10, hours=1) == result.expires_at - old

    @pytest.mark.parametrize(
        ("zone", "old_wall", "days", "expected"),
        [
            # 2026-03-08 02:30 does not exist in New York: it moves forward by the hour gap.
            pytest.param(
                NEW_YORK,
                "2026-03-01 02:30:00",
                7,
                utc("2026-03-08 07:30:00"),
                id="EXT-7-new-york-gap-moves-forward",
            ),
            # 2026-10-04 02:15 does not exist in Melbourne (02:00 AEST -> 03:00 AEDT).
            pytest.param(
                MELBOURNE,
                "2026-09-27 02:15:00",
                7,
                wall("2026-10-04 03:15:00", MELBOURNE),
                id="EXT-7-melbourne-gap-moves-forward",
            ),
        ],
    )
    @pytest.mark.parametrize("kind", KINDS)
    def test_wall_time_in_a_gap(
        self, kind: str, zone: str, old_wall: str, days: int, expected: datetime
    ) -> None:
        item = item_of(kind, timezone=zone, expires_at=wall(old_wall, zone))
        result = only_extended(run(item, extend_days=days))
        assert expected == result.expires_at

    def test_gap_example_is_0330_edt(self) -> None:
        item = reward(timezone=NEW_YORK, expires_at=wall("2026-03-01 02:30:00", NEW_YORK))
        result = only_extended(run(item, extend_days=7))
        assert datetime(2026, 3, 8, 3, 30) == local(result.expires_at, NEW_YORK)  # type: ignore[arg-type]

    def test_last_second_of_a_day_that_changes_offset_at_midnight(self) -> None:
        # Havana: DST starts at 00:00 on 2026-03-08 (00:00 -> 01:00), so the last second of
        # 2026-03-07 is 23:59:59 CST and 2026-03-08 has 23 hours.
        zone = "America/Havana"
        tz = ZoneInfo(zone)
        old = datetime(2026, 3, 1, 23, 59, 59, tzinfo=tz).astimezone(UTC)
        result = only_extended(run(reward(timezone=zone, expires_at=old), extend_days=6))
        start_of_8th = datetime.combine(date(2026, 3, 8), time(), tz).astimezone(UTC)
        assert start_of_8th - SECOND == result.expires_at

    def test_second_occurrence_of_a_fold_wall_is_kept_as_wall(self) -> None:
        # 2026-11-01 01:30 EST (the second 01:30) plus 1 day: 2026-11-02 01:30 EST.
        old = utc("2026-11-01 06:30:00")
        result = only_extended(run(reward(timezone=NEW_YORK, expires_at=old), extend_days=1))
        assert utc("2026-11-02 06:30:00") == result.expires_at

    def test_null_timezone_means_utc(self) -> None:
        old = utc("2026-03-01 23:59:59")
        result = only_extended(run(reward(timezone=None, expires_at=old), extend_days=10))
        assert utc("2026-03-11 23:59:59") == result.expires_at

    def test_credit_uses_its_definitions_zone(self) -> None:
        item = credit(
            timezone=None,
            expires_at=utc("2026-04-01 12:59:59"),  # 23:59:59 AEDT
            definition=CreditDefinition(is_extendable=True, timezone=MELBOURNE),
        )
        assert utc("2026-04-11 13:59:59") == only_extended(run(item)).expires_at

    def test_credit_own_zone_wins_over_its_definitions(self) -> None:
        item = credit(
            timezone=NEW_YORK,
            expires_at=utc("2026-03-02 04:59:59"),
            definition=CreditDefinition(is_extendable=True, timezone=MELBOURNE),
        )
        assert utc("2026-03-12 03:59:59") == only_extended(run(item)).expires_at


# --- EXT-8: extend_date replaces the expiry -------------------------------------------------------


class TestExt8Date:
    """EXT-8.

    Extend_date replaces expires_at (earlier allowed); an offset string or aware datetime is one
    instant; a naive string is a wall time in each item's zone (Q35).
    """

    @pytest.mark.parametrize(
        ("extend_date", "zone", "expected"),
        [
            pytest.param(
                "2026-10-04 02:30:00",
                MELBOURNE,
                wall("2026-10-04 03:30:00", MELBOURNE),
                id="EXT-8-melbourne-gap-moves-forward",
            ),
            pytest.param(
                "2026-11-01 01:30:00",
                NEW_YORK,
                utc("2026-11-01 05:30:00"),
                id="EXT-8-new-york-fold-takes-first",
            ),
            pytest.param(
                "2026-03-08 02:30:00",
                NEW_YORK,
                utc("2026-03-08 07:30:00"),
                id="EXT-8-new-york-gap-moves-forward",
            ),
            pytest.param(
                "2030-01-01", MELBOURNE, utc("2029-12-31 13:00:00"), id="EXT-8-bare-date-melbourne"
            ),
            pytest.param(
                "2030-01-01", NEW_YORK, utc("2030-01-01 05:00:00"), id="EXT-8-bare-date-new-york"
            ),
            pytest.param(
                "2030-07-01 00:00:00+10:00",
                NEW_YORK,
                utc("2030-06-30 14:00:00"),
                id="EXT-8-offset-string-is-one-instant",
            ),
            pytest.param(
                "2030-07-01 00:00:00.5Z",
                MELBOURNE,
                utc("2030-07-01 00:00:00.500000"),
                id="EXT-8-fraction-kept",
            ),
        ],
    )
    def test_string(self, extend_date: str, zone: str, expected: datetime) -> None:
        item = reward(timezone=zone)
        result = only_extended(run(item, extend_date=extend_date))
        assert expected == result.expires_at
        assert result.expires_at.tzinfo is UTC

    @pytest.mark.parametrize(
        "tz",
        [
            pytest.param(ZoneInfo(MELBOURNE), id="EXT-8-aware-melbourne"),
            pytest.param(ZoneInfo(NEW_YORK), id="EXT-8-aware-new-york"),
            pytest.param(timezone(timedelta(hours=-3, minutes=-30)), id="EXT-8-aware-offset"),
            pytest.param(ZoneInfo("UTC"), id="EXT-8-aware-zoneinfo-utc"),
            pytest.param(UTC, id="EXT-8-aware-utc"),
        ],
    )
    @pytest.mark.parametrize("kind", KINDS)
    def test_aware_datetime_becomes_utc(self, kind: str, tz: Any) -> None:
        instant = utc("2030-01-01 00:00:00")
        items = [
            item_of(kind, id=1, timezone=MELBOURNE),
            item_of(kind, id=2, timezone=NEW_YORK),
        ]
        result = run(*items, extend_date=instant.astimezone(tz))
        assert [instant, instant] == [r.expires_at for r in result.extended]
        for r in result.extended:
            assert r.expires_at.tzinfo is UTC  # type: ignore[union-attr]

    @pytest.mark.parametrize("kind", KINDS)
    def test_earlier_and_before_at_is_allowed(self, kind: str) -> None:
        item = item_of(kind, expires_at=utc("2026-06-30 13:59:59"))
        result = only_extended(run(item, extend_date=utc("2020-01-01 00:00:00")))
        assert utc("2020-01-01 00:00:00") == result.expires_at

    def test_credit_naive_string_in_its_definitions_zone(self) -> None:
        item = credit(
            timezone=None, definition=CreditDefinition(is_extendable=True, timezone=MELBOURNE)
        )
        result = only_extended(run(item, extend_date="2030-01-01 11:00:00"))
        assert utc("2030-01-01 00:00:00") == result.expires_at


# --- EXT-9: the effect ----------------------------------------------------------------------------


FLAG_FIELDS = ("has_notified_expiry", "has_notified_remind")


class TestExt9Effect:
    """EXT-9.

    New expires_at, extended_at = at, has_notified_expiry/has_notified_remind reset where the kind
    has them; nothing else changes.
    """

    def test_reward(self) -> None:
        item = reward(
            id=7,
            timezone=MELBOURNE,
            issued_at=utc("2026-01-01 00:00:00"),
            value_remaining=Decimal("3.50"),
            has_notified_issue=True,
            has_notified_expiry=True,
            has_notified_extend=True,
        )
        result = only_extended(run(item))
        assert isinstance(result, Reward)
        assert result.extended_at == AT
        assert result.has_notified_expiry is False
        assert result.has_notified_issue is True
        assert result.has_notified_extend is True
        assert (
            attrs.evolve(
                item, expires_at=result.expires_at, extended_at=AT, has_notified_expiry=False
            )
            == result
        )

    def test_credit(self) -> None:
        item = credit(
            id=8,
            timezone=NEW_YORK,
            issued_at=utc("2026-01-01 00:00:00"),
            released_at=utc("2026-01-02 00:00:00"),
            value_remaining=Decimal("20.00"),
            locked=True,
            security_code="1234",
            meta=("a", "b"),
            has_notified_issue=True,
            has_notified_expiry=True,
            has_notified_release=True,
            has_notified_remind=True,
            has_notified_extend=True,
        )
        result = only_extended(run(item))
        assert isinstance(result, Credit)
        assert result.has_notified_expiry is False
        assert result.has_notified_remind is False
        assert result.has_notified_issue is True
        assert result.has_notified_release is True
        assert result.has_notified_extend is True
        expected = attrs.evolve(
            item,
            expires_at=result.expires_at,
            extended_at=AT,
            has_notified_expiry=False,
            has_notified_remind=False,
        )
        assert expected == result

    def test_benefit(self) -> None:
        item = benefit(
            id=9,
            timezone=MELBOURNE,
            issued_at=utc("2026-01-01 00:00:00"),
            claimed_at=utc("2026-01-01 00:00:00"),
            redemptions_remaining=2,
            external_id="x-9",
        )
        result = only_extended(run(item))
        assert isinstance(result, Benefit)
        assert attrs.evolve(item, expires_at=result.expires_at, extended_at=AT) == result

    def test_input_is_not_mutated(self) -> None:
        item = reward(has_notified_expiry=True)
        before = attrs.asdict(item)
        run(item)
        assert before == attrs.asdict(item)

    def test_extended_at_is_utc(self) -> None:
        at = datetime(2026, 4, 3, 11, tzinfo=ZoneInfo(MELBOURNE))
        result = only_extended(run(reward(), at=at))
        assert utc("2026-04-03 00:00:00") == result.extended_at
        assert result.extended_at.tzinfo is UTC

    def test_skipped_item_keeps_flags(self) -> None:
        item = reward(profile_id="p-2", has_notified_expiry=True)
        result = run(item)
        assert result.extended == ()


# --- EXT-10: the result ---------------------------------------------------------------------------


class TestExt10Result:
    """EXT-10.

    Extended and skipped keep input order; a repeated non-null id is skipped with already_extended
    plus its own reasons; null ids are never duplicates; every kind alike.
    """

    def test_input_order_in_both_lists(self) -> None:
        items = [
            reward(id=5, profile_id="p-2"),
            reward(id=3),
            reward(id=9, expires_at=None),
            reward(id=1),
            reward(id=2, profile_id=None),
            reward(id=8),
        ]
        result = run(*items)
        assert [r.id for r in result.extended] == [3, 1, 8]
        assert [i for i, _ in result.skipped] == [5, 9, 2]

    @pytest.mark.parametrize("kind", KINDS)
    def test_repeated_id_second_is_skipped(self, kind: str) -> None:
        first = item_of(kind, id=4, timezone=MELBOURNE)
        second = item_of(kind, id=4, timezone=NEW_YORK)
        result = run(first, second)
        assert [first.expires_at + timedelta(days=10)] == [  # type: ignore[operator]
            r.expires_at for r in result.extended
        ]
        assert [(i, codes(d)) for i, d in result.skipped] == [(4, ["already_extended"])]

    @pytest.mark.parametrize("kind", KINDS)
    def test_repeated_id_skipped_even_when_first_was_skipped(self, kind: str) -> None:
        first = item_of(kind, id=4, profile_id="p-2")
        second = item_of(kind, id=4)
        result = run(first, second)
        assert result.extended == ()
        assert [(i, codes(d)) for i, d in result.skipped] == [
            (4, ["not_owned"]),
            (4, ["already_extended"]),
        ]

    @pytest.mark.parametrize("kind", KINDS)
    def test_repeated_id_gets_its_own_reasons_too(self, kind: str) -> None:
        first = item_of(kind, id=4)
        second = item_of(kind, id=4, profile_id="p-2", extendable=False, expires_at=None)
        result = run(first, second)
        assert [r.id for r in result.extended] == [4]
        assert [(i, codes(d)) for i, d in result.skipped] == [
            (4, ["not_owned", "already_extended", "not_extendable", "no_expiry"])
        ]

    def test_repeated_id_already_extended_listed_once(self) -> None:
        extended_before = utc("2026-01-01 00:00:00")
        result = run(reward(id=4), reward(id=4, extended_at=extended_before))
        assert [(i, codes(d)) for i, d in result.skipped] == [(4, ["already_extended"])]

    def test_third_occurrence_is_skipped_too(self) -> None:
        result = run(reward(id=4), reward(id=4), reward(id=4))
        assert [r.id for r in result.extended] == [4]
        assert [(i, codes(d)) for i, d in result.skipped] == [
            (4, ["already_extended"]),
            (4, ["already_extended"]),
        ]

    def test_interleaved_duplicates_keep_order(self) -> None:
        result = run(reward(id=1), reward(id=2), reward(id=1), reward(id=3), reward(id=2))
        assert [r.id for r in result.extended] == [1, 2, 3]
        assert [i for i, _ in result.skipped] == [1, 2]

    @pytest.mark.parametrize("kind", KINDS)
    def test_null_ids_are_never_duplicates(self, kind: str) -> None:
        result = run(item_of(kind, id=None), item_of(kind, id=None), item_of(kind, id=None))
        assert result.skipped == ()
        assert [r.id for r in result.extended] == [None, None, None]

    def test_reward_and_credit_with_the_same_id_are_not_duplicates(self) -> None:
        result = run(reward(id=4), credit(id=4))
        assert result.skipped == ()
        assert [Reward, Credit] == [type(r) for r in result.extended]

    def test_mixed_kinds_in_input_order(self) -> None:
        items: list[Extendable] = [
            credit(id=1),
            reward(id=2, profile_id="p-2"),
            benefit(id=3),
            reward(id=4),
            credit(id=5, expires_at=None),
        ]
        result = run(*items)
        assert [(Credit, 1), (Benefit, 3), (Reward, 4)] == [
            (type(r), r.id) for r in result.extended
        ]
        assert [(i, codes(d)) for i, d in result.skipped] == [
            (2, ["not_owned"]),
            (5, ["no_expiry"]),
        ]

    def test_empty_request(self) -> None:
        assert ExtensionResult(extended=(), skipped=()) == run()

    def test_accepts_any_iterable(self) -> None:
        result = extend(
            (r for r in [reward(id=1), reward(id=2)]), profile_id="p-1", at=AT, extend_days=1
        )
        assert [r.id for r in result.extended] == [1, 2]

    def test_skipped_decisions_are_refusals_without_retry(self) -> None:
        items = [
            reward(id=1, profile_id="p-2"),
            reward(id=2, extended_at=utc("2026-01-01 00:00:00")),
            reward(id=3, definition=None),
            reward(id=4, expires_at=None),
            reward(id=5, expires_at=AT - timedelta(days=1)),
            reward(id=5),
        ]
        result = run(*items, policy=STRICT)
        assert len(result.skipped) == 6
        for _, decision in result.skipped:
            assert not decision.allowed
            assert not decision
            assert decision.retry_at is None
            assert decision.reasons
            for reason in decision.reasons:
                assert reason.message
                assert reason.message[0].islower()

    def test_not_owned_message_names_both_profiles(self) -> None:
        _, decision = only_skipped(run(reward(profile_id="Owner-X")))
        message = decision.reasons[0].message
        assert "'Owner-X'" in message
        assert "'p-1'" in message

    def test_non_item_is_rejected(self) -> None:
        with pytest.raises(InvalidRequest):
            extend([reward(), "not an item"], profile_id="p-1", at=AT, extend_days=1)  # type: ignore[list-item]
