"""NTF rules (RULES §10): the notification schedule of rewards, benefits and credits."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    Credit,
    CreditDefinition,
    InvalidRequest,
    PayloadError,
    Policy,
    Reward,
    RewardDefinition,
)
from loyalty_core.notifications import NotificationSchedule, notification_schedule
from tests.helpers import utc

MELBOURNE = "Australia/Melbourne"
NEW_YORK = "America/New_York"
BEFORE = Policy(remind_offset_sign="before")

ISSUED = utc("2026-03-19 23:00:00")  # 2026-03-20 10:00 AEDT
EXPIRES = utc("2026-04-19 13:59:59")  # 2026-04-19 23:59:59 AEST

TABLE_DEFINITION: dict[str, Any] = {
    "is_extendable": True,
    "notify_issue_offset_days": 0,
    "notify_issue_offset_hour": 9,
    "notify_remind_offset_days": -14,
    "notify_remind_offset_hour": 10,
    "notify_extend_offset_days": -7,
    "notify_extend_offset_hour": 18,
    "notify_schedule_offset": 2,
}

NOTHING = NotificationSchedule(issue_at=None, remind_at=None, extend_at=None, expiry_at=None)


def wall(text: str, zone: str) -> datetime:
    """The UTC instant of a local wall time, resolved with ``fold=0`` (TIME-5)."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


def table_benefit(**changes: Any) -> Benefit:
    """The EXP #2 benefit of the NTF table, with definition fields overridden by ``changes``."""
    fields = {**TABLE_DEFINITION, **changes}
    return Benefit(
        id=1,
        profile_id="p-1",
        timezone=MELBOURNE,
        issued_at=ISSUED,
        expires_at=EXPIRES,
        definition=BenefitDefinition(**fields),
    )


def reward(definition: RewardDefinition | None, **fields: Any) -> Reward:
    base: dict[str, Any] = {
        "id": 1,
        "timezone": MELBOURNE,
        "value_initial": Decimal(10),
        "issued_at": ISSUED,
        "expires_at": EXPIRES,
        "definition": definition,
    }
    base.update(fields)
    return Reward(**base)


class TestNtfTable:
    """NTF table.

    The Melbourne benefit; issue 0 d @9, remind −14 d @10, extend −7 d @18, notify_schedule_offset 2
    (NTF-2 to NTF-6).
    """

    def test_whole_schedule(self) -> None:
        expected = NotificationSchedule(
            issue_at=utc("2026-03-19 20:00:00"),
            remind_at=utc("2026-04-04 22:00:00"),
            extend_at=utc("2026-04-12 06:00:00"),
            expiry_at=None,
        )
        assert expected == notification_schedule(table_benefit())

    @pytest.mark.parametrize(
        ("field", "local_target", "before_offset", "expected"),
        [
            pytest.param(
                "issue_at",
                "2026-03-20 09:00:00",
                utc("2026-03-19 22:00:00"),
                utc("2026-03-19 20:00:00"),
                id="NTF-2-table-issue-aedt",
            ),
            pytest.param(
                "remind_at",
                "2026-04-05 10:00:00",
                utc("2026-04-05 00:00:00"),
                utc("2026-04-04 22:00:00"),
                id="NTF-3-table-remind-dst-end-day",
            ),
            pytest.param(
                "extend_at",
                "2026-04-12 18:00:00",
                utc("2026-04-12 08:00:00"),
                utc("2026-04-12 06:00:00"),
                id="NTF-4-table-extend-aest",
            ),
        ],
    )
    def test_rows(
        self, field: str, local_target: str, before_offset: datetime, expected: datetime
    ) -> None:
        assert wall(local_target, MELBOURNE) == before_offset
        unshifted = notification_schedule(table_benefit(notify_schedule_offset=None))
        assert before_offset == getattr(unshifted, field)
        result = notification_schedule(table_benefit())
        assert expected == getattr(result, field)
        assert getattr(result, field).tzinfo is UTC

    def test_expiry_row_is_none_for_a_benefit(self) -> None:
        assert notification_schedule(table_benefit()).expiry_at is None

    def test_before_sign_row(self) -> None:
        item = table_benefit(notify_remind_offset_days=14)
        assert utc("2026-04-04 22:00:00") == notification_schedule(item, policy=BEFORE).remind_at

    def test_before_sign_also_applies_to_extend(self) -> None:
        item = table_benefit(notify_extend_offset_days=7)
        assert utc("2026-04-12 06:00:00") == notification_schedule(item, policy=BEFORE).extend_at

    def test_before_sign_with_negative_days_is_after_expiry(self) -> None:
        item = table_benefit(notify_remind_offset_days=-3, notify_schedule_offset=None)
        expected = wall("2026-04-22 10:00:00", MELBOURNE)
        assert expected == notification_schedule(item, policy=BEFORE).remind_at

    def test_new_york_fold_row(self) -> None:
        item = Benefit(
            timezone=NEW_YORK,
            expires_at=utc("2026-11-09 04:59:59"),
            definition=BenefitDefinition(notify_remind_offset_days=-7, notify_remind_offset_hour=1),
        )
        assert utc("2026-11-01 05:00:00") == notification_schedule(item).remind_at

    def test_new_york_gap_row(self) -> None:
        item = Benefit(
            timezone=NEW_YORK,
            issued_at=utc("2026-03-07 17:00:00"),
            definition=BenefitDefinition(notify_issue_offset_days=1, notify_issue_offset_hour=2),
        )
        assert utc("2026-03-08 07:00:00") == notification_schedule(item).issue_at


class TestNtf2Issue:
    """NTF-2.

    Local issue date + days at the hour (null hour = 0), else a reward's legacy notify_issue_offset
    hours after issued_at; None without issued_at.
    """

    def test_null_hour_is_midnight(self) -> None:
        item = table_benefit(notify_issue_offset_hour=None, notify_schedule_offset=None)
        assert wall("2026-03-20 00:00:00", MELBOURNE) == notification_schedule(item).issue_at

    def test_days_in_local_dates(self) -> None:
        # Local issue date is 2026-03-20 in Melbourne although the UTC date is 03-19.
        item = table_benefit(notify_issue_offset_days=3, notify_schedule_offset=None)
        assert wall("2026-03-23 09:00:00", MELBOURNE) == notification_schedule(item).issue_at

    def test_negative_days(self) -> None:
        item = table_benefit(notify_issue_offset_days=-1, notify_schedule_offset=None)
        assert wall("2026-03-19 09:00:00", MELBOURNE) == notification_schedule(item).issue_at

    @pytest.mark.parametrize(
        ("legacy", "offset", "expected"),
        [
            pytest.param(5, None, utc("2026-03-20 04:00:00"), id="NTF-2-legacy-hours"),
            pytest.param(0, None, ISSUED, id="NTF-2-legacy-zero"),
            pytest.param(-2, None, utc("2026-03-19 21:00:00"), id="NTF-2-legacy-negative"),
            pytest.param(48, 2, utc("2026-03-21 21:00:00"), id="NTF-2-legacy-with-offset"),
        ],
    )
    def test_reward_legacy_hours(self, legacy: int, offset: int | None, expected: datetime) -> None:
        definition = RewardDefinition(notify_issue_offset=legacy, notify_schedule_offset=offset)
        assert expected == notification_schedule(reward(definition)).issue_at

    def test_legacy_hours_are_elapsed_time_across_dst(self) -> None:
        # 2026-04-04 12:00Z + 24 h: UTC arithmetic, not a wall time.
        definition = RewardDefinition(notify_issue_offset=24)
        item = reward(definition, issued_at=utc("2026-04-04 12:00:00"))
        assert utc("2026-04-05 12:00:00") == notification_schedule(item).issue_at

    def test_days_win_over_legacy(self) -> None:
        definition = RewardDefinition(
            notify_issue_offset=5, notify_issue_offset_days=1, notify_issue_offset_hour=9
        )
        expected = wall("2026-03-21 09:00:00", MELBOURNE)
        assert expected == notification_schedule(reward(definition)).issue_at

    def test_reward_day_based_issue(self) -> None:
        definition = RewardDefinition(notify_issue_offset_days=0, notify_issue_offset_hour=23)
        expected = wall("2026-03-20 23:00:00", MELBOURNE)
        assert expected == notification_schedule(reward(definition)).issue_at

    def test_null_issued_at(self) -> None:
        definition = RewardDefinition(notify_issue_offset=5, notify_issue_offset_days=1)
        assert notification_schedule(reward(definition, issued_at=None)).issue_at is None
        benefit = Benefit(
            timezone=MELBOURNE, expires_at=EXPIRES, definition=BenefitDefinition(**TABLE_DEFINITION)
        )
        assert notification_schedule(benefit).issue_at is None

    def test_no_issue_fields(self) -> None:
        assert notification_schedule(reward(RewardDefinition())).issue_at is None
        item = table_benefit(notify_issue_offset_days=None)
        assert notification_schedule(item).issue_at is None

    def test_hour_only_gives_nothing(self) -> None:
        item = table_benefit(notify_issue_offset_days=None, notify_issue_offset_hour=9)
        assert notification_schedule(item).issue_at is None


class TestNtf3Remind:
    """NTF-3.

    Local expiry date + days (sign per policy) at the remind hour; None without expires_at or days.
    """

    def test_null_hour_is_midnight(self) -> None:
        item = table_benefit(notify_remind_offset_hour=None, notify_schedule_offset=None)
        assert wall("2026-04-05 00:00:00", MELBOURNE) == notification_schedule(item).remind_at

    def test_positive_days_after_expiry(self) -> None:
        item = table_benefit(notify_remind_offset_days=2, notify_schedule_offset=None)
        assert wall("2026-04-21 10:00:00", MELBOURNE) == notification_schedule(item).remind_at

    def test_zero_days_is_the_expiry_date(self) -> None:
        item = table_benefit(notify_remind_offset_days=0, notify_schedule_offset=None)
        assert wall("2026-04-19 10:00:00", MELBOURNE) == notification_schedule(item).remind_at

    def test_null_expires_at(self) -> None:
        item = Benefit(
            timezone=MELBOURNE, issued_at=ISSUED, definition=BenefitDefinition(**TABLE_DEFINITION)
        )
        result = notification_schedule(item)
        assert result.remind_at is None
        assert result.extend_at is None
        assert result.expiry_at is None
        assert result.issue_at is not None

    def test_null_days(self) -> None:
        item = table_benefit(notify_remind_offset_days=None)
        assert notification_schedule(item).remind_at is None

    def test_reward_remind(self) -> None:
        definition = RewardDefinition(notify_remind_offset_days=-1, notify_remind_offset_hour=8)
        expected = wall("2026-04-18 08:00:00", MELBOURNE)
        assert expected == notification_schedule(reward(definition)).remind_at

    def test_null_timezone_is_utc(self) -> None:
        item = Benefit(
            expires_at=EXPIRES,
            definition=BenefitDefinition(notify_remind_offset_days=-1, notify_remind_offset_hour=8),
        )
        assert utc("2026-04-18 08:00:00") == notification_schedule(item).remind_at


class TestNtf4Extend:
    """NTF-4.

    Like NTF-3 with notify_extend_*, only when the definition is extendable and the item is not yet
    extended.
    """

    def test_not_extendable(self) -> None:
        item = table_benefit(is_extendable=False)
        result = notification_schedule(item)
        assert result.extend_at is None
        assert result.remind_at is not None

    def test_already_extended(self) -> None:
        item = Benefit(
            timezone=MELBOURNE,
            issued_at=ISSUED,
            expires_at=EXPIRES,
            extended_at=utc("2026-04-01 00:00:00"),
            definition=BenefitDefinition(**TABLE_DEFINITION),
        )
        result = notification_schedule(item)
        assert result.extend_at is None
        assert utc("2026-04-04 22:00:00") == result.remind_at

    def test_null_hour_is_midnight(self) -> None:
        item = table_benefit(notify_extend_offset_hour=None, notify_schedule_offset=None)
        assert wall("2026-04-12 00:00:00", MELBOURNE) == notification_schedule(item).extend_at

    def test_reward_extend(self) -> None:
        definition = RewardDefinition(
            is_extendable=True, notify_extend_offset_days=-7, notify_extend_offset_hour=18
        )
        expected = wall("2026-04-12 18:00:00", MELBOURNE)
        assert expected == notification_schedule(reward(definition)).extend_at
        extended = reward(definition, extended_at=utc("2026-04-01 00:00:00"))
        assert notification_schedule(extended).extend_at is None
        closed = RewardDefinition(notify_extend_offset_days=-7, notify_extend_offset_hour=18)
        assert notification_schedule(reward(closed)).extend_at is None

    def test_credit_kind_has_no_extend_fields(self) -> None:
        item = Credit(
            value_initial=Decimal(5),
            timezone=MELBOURNE,
            expires_at=EXPIRES,
            definition=CreditDefinition(is_extendable=True, notify_remind_offset_days=-1),
        )
        assert notification_schedule(item).extend_at is None


class TestNtf5Expiry:
    """NTF-5: a reward's legacy notify_expiry_offset hours before expires_at."""

    @pytest.mark.parametrize(
        ("hours", "offset", "expected"),
        [
            pytest.param(24, None, utc("2026-04-18 13:59:59"), id="NTF-5-a-day-before"),
            pytest.param(0, None, EXPIRES, id="NTF-5-zero"),
            pytest.param(-3, None, utc("2026-04-19 16:59:59"), id="NTF-5-negative-is-after"),
            pytest.param(24, 2, utc("2026-04-18 11:59:59"), id="NTF-5-with-schedule-offset"),
        ],
    )
    def test_legacy_hours(self, hours: int, offset: int | None, expected: datetime) -> None:
        definition = RewardDefinition(notify_expiry_offset=hours, notify_schedule_offset=offset)
        assert expected == notification_schedule(reward(definition)).expiry_at

    def test_legacy_hours_are_elapsed_time_across_dst(self) -> None:
        # 2026-04-05 23:59:59 AEST is 13:59:59Z; 48 h earlier crosses the DST end.
        definition = RewardDefinition(notify_expiry_offset=48)
        item = reward(definition, expires_at=utc("2026-04-05 13:59:59"))
        assert utc("2026-04-03 13:59:59") == notification_schedule(item).expiry_at

    def test_null_expires_at(self) -> None:
        definition = RewardDefinition(notify_expiry_offset=24)
        assert notification_schedule(reward(definition, expires_at=None)).expiry_at is None

    def test_null_offset(self) -> None:
        assert notification_schedule(reward(RewardDefinition())).expiry_at is None


class TestNtf6ScheduleOffset:
    """NTF-6: notify_schedule_offset hours are subtracted from every instant; negative = later."""

    @pytest.mark.parametrize(
        ("offset", "shift"),
        [
            pytest.param(None, 0, id="NTF-6-null"),
            pytest.param(0, 0, id="NTF-6-zero"),
            pytest.param(2, -2, id="NTF-6-earlier"),
            pytest.param(-3, 3, id="NTF-6-negative-later"),
            pytest.param(48, -48, id="NTF-6-two-days"),
        ],
    )
    def test_every_field(self, offset: int | None, shift: int) -> None:
        definition = RewardDefinition(
            is_extendable=True,
            notify_issue_offset_days=0,
            notify_issue_offset_hour=9,
            notify_remind_offset_days=-14,
            notify_remind_offset_hour=10,
            notify_extend_offset_days=-7,
            notify_extend_offset_hour=18,
            notify_expiry_offset=24,
            notify_schedule_offset=offset,
        )
        delta = timedelta(hours=shift)
        expected = NotificationSchedule(
            issue_at=utc("2026-03-19 22:00:00") + delta,
            remind_at=utc("2026-04-05 00:00:00") + delta,
            extend_at=utc("2026-04-12 08:00:00") + delta,
            expiry_at=utc("2026-04-18 13:59:59") + delta,
        )
        assert expected == notification_schedule(reward(definition))

    def test_offset_applies_to_legacy_issue(self) -> None:
        definition = RewardDefinition(notify_issue_offset=5, notify_schedule_offset=-1)
        assert utc("2026-03-20 05:00:00") == notification_schedule(reward(definition)).issue_at


class TestNtf1Definition:
    """NTF-1.

    The item's definition and timezone (a credit falls back to its definition's, CRD-1); no
    definition means nothing is planned; past instants are still returned.
    """

    def test_reward_without_definition(self) -> None:
        assert notification_schedule(reward(None)) == NOTHING

    def test_credit_without_definition(self) -> None:
        item = Credit(
            value_initial=Decimal(5), timezone=MELBOURNE, issued_at=ISSUED, expires_at=EXPIRES
        )
        assert notification_schedule(item) == NOTHING

    def test_empty_definition(self) -> None:
        assert notification_schedule(reward(RewardDefinition())) == NOTHING

    def test_credit_uses_its_definitions_zone(self) -> None:
        item = Credit(
            value_initial=Decimal(5),
            timezone=None,
            issued_at=ISSUED,
            expires_at=EXPIRES,
            definition=CreditDefinition(
                timezone=MELBOURNE,
                notify_issue_offset_days=0,
                notify_issue_offset_hour=9,
                notify_remind_offset_days=-14,
                notify_remind_offset_hour=10,
                notify_schedule_offset=2,
            ),
        )
        result = notification_schedule(item)
        assert utc("2026-03-19 20:00:00") == result.issue_at
        assert utc("2026-04-04 22:00:00") == result.remind_at
        assert result.extend_at is None
        assert result.expiry_at is None

    def test_credit_own_zone_wins(self) -> None:
        item = Credit(
            value_initial=Decimal(5),
            timezone=NEW_YORK,
            expires_at=utc("2026-11-09 04:59:59"),
            definition=CreditDefinition(
                timezone=MELBOURNE, notify_remind_offset_days=-7, notify_remind_offset_hour=1
            ),
        )
        assert utc("2026-11-01 05:00:00") == notification_schedule(item).remind_at

    def test_credit_without_any_zone_is_utc(self) -> None:
        item = Credit(
            value_initial=Decimal(5),
            expires_at=utc("2026-04-19 13:59:59"),
            definition=CreditDefinition(notify_remind_offset_days=-1, notify_remind_offset_hour=8),
        )
        assert utc("2026-04-18 08:00:00") == notification_schedule(item).remind_at

    def test_past_instants_are_returned(self) -> None:
        item = reward(
            RewardDefinition(notify_issue_offset_days=0),
            issued_at=utc("2001-01-01 00:00:00"),
            timezone="UTC",
        )
        assert utc("2001-01-01 00:00:00") == notification_schedule(item).issue_at

    def test_not_an_item(self) -> None:
        with pytest.raises(InvalidRequest, match="item"):
            notification_schedule(RewardDefinition())  # type: ignore[arg-type]


HOUR_FIELDS = (
    "notify_issue_offset_hour",
    "notify_remind_offset_hour",
    "notify_extend_offset_hour",
)


class TestNtf7Hours:
    """NTF-7.

    An hour field is null or 0–23; days and offsets are any integers. Rejected on the definition:
    InvalidRequest from a constructor, PayloadError from from_api.
    """

    @pytest.mark.parametrize("bad", [24, -1, 100, True, 9.5, "9"])
    @pytest.mark.parametrize("field", HOUR_FIELDS)
    @pytest.mark.parametrize("kind", [BenefitDefinition, RewardDefinition])
    def test_constructor_rejects(self, kind: type[Any], field: str, bad: object) -> None:
        with pytest.raises(InvalidRequest, match=field):
            kind(**{field: bad})

    @pytest.mark.parametrize("field", HOUR_FIELDS[:2])
    def test_credit_definition_constructor_rejects(self, field: str) -> None:
        fields: dict[str, Any] = {field: 24}
        with pytest.raises(InvalidRequest, match=field):
            CreditDefinition(**fields)

    @pytest.mark.parametrize("bad", [24, -1, True, 9.5, "9"])
    @pytest.mark.parametrize("field", HOUR_FIELDS)
    @pytest.mark.parametrize("kind", [BenefitDefinition, RewardDefinition])
    def test_from_api_rejects(self, kind: type[Any], field: str, bad: object) -> None:
        with pytest.raises(PayloadError) as caught:
            kind.from_api({field: bad})
        assert f"$.{field}" in [p.where for p in caught.value.problems]

    def test_from_api_collects_every_bad_hour(self) -> None:
        with pytest.raises(PayloadError) as caught:
            BenefitDefinition.from_api(dict.fromkeys(HOUR_FIELDS, 24))
        assert sorted(f"$.{f}" for f in HOUR_FIELDS) == sorted(
            p.where for p in caught.value.problems
        )

    def test_nested_definition_path(self) -> None:
        with pytest.raises(PayloadError) as caught:
            Benefit.from_api({"definition": {"notify_remind_offset_hour": 24}})
        assert [p.where for p in caught.value.problems] == [
            "$.definition.notify_remind_offset_hour"
        ]

    @pytest.mark.parametrize("hour", [None, 0, 23])
    @pytest.mark.parametrize("field", HOUR_FIELDS)
    def test_valid_hours(self, field: str, hour: int | None) -> None:
        fields: dict[str, Any] = {field: hour}
        assert getattr(BenefitDefinition(**fields), field) == hour
        assert getattr(BenefitDefinition.from_api(fields), field) == hour

    def test_hour_23(self) -> None:
        item = table_benefit(notify_remind_offset_hour=23, notify_schedule_offset=None)
        assert wall("2026-04-05 23:00:00", MELBOURNE) == notification_schedule(item).remind_at

    @pytest.mark.parametrize("value", [-(10**6), -1, 0, 10**6])
    def test_days_and_offsets_any_integer(self, value: int) -> None:
        definition = BenefitDefinition(
            notify_issue_offset_days=value,
            notify_remind_offset_days=value,
            notify_extend_offset_days=value,
            notify_schedule_offset=value,
        )
        assert definition.notify_schedule_offset == value
        legacy = RewardDefinition(notify_issue_offset=value, notify_expiry_offset=value)
        assert legacy.notify_expiry_offset == value
