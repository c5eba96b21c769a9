from datetime import UTC, datetime, timedelta, timezone

import pytest

from loyalty_core import InvalidRequest, PeriodType, compute_expiry, is_expired
from loyalty_core.periods import explain_expiry
from tests.helpers import utc


class TestComputeExpiry:
    """EXP-3 to EXP-7: the rulebook's expiry table, row by row."""

    @pytest.mark.parametrize(
        ("issued_at", "tz", "period", "period_type", "end_at", "expected"),
        [
            pytest.param(
                utc("2021-03-05 00:06:51"),
                "UTC",
                50,
                "days",
                None,
                utc("2021-04-24 23:59:59"),
                id="EXP-3-golden-Q5",
            ),
            pytest.param(
                utc("2026-03-19 23:00:00"),
                "Australia/Melbourne",
                30,
                "days",
                None,
                utc("2026-04-19 13:59:59"),
                id="EXP-3-dst-end-local-2359",
            ),
            pytest.param(
                utc("2021-02-09 13:00:00"),
                "Australia/Melbourne",
                30,
                "days",
                None,
                utc("2021-03-12 12:59:59"),
                id="EXP-3-local-issue-date",
            ),
            pytest.param(
                utc("2021-02-09 13:00:00"),
                "UTC",
                30,
                "days",
                None,
                utc("2021-03-11 23:59:59"),
                id="EXP-3-same-instant-in-utc",
            ),
            pytest.param(
                utc("2024-01-31 20:00:00"),
                "America/New_York",
                1,
                "months",
                None,
                utc("2024-03-01 04:59:59"),
                id="EXP-3-month-clamp",
            ),
            pytest.param(
                utc("2024-02-29 12:00:00"),
                "UTC",
                1,
                "years",
                None,
                utc("2025-02-28 23:59:59"),
                id="EXP-3-years-clamp",
            ),
            pytest.param(
                utc("2025-01-01 12:00:00"),
                "UTC",
                2,
                PeriodType.WEEKS,
                None,
                utc("2025-01-15 23:59:59"),
                id="EXP-3-weeks",
            ),
            pytest.param(
                utc("2025-07-16 13:30:00"),
                "America/New_York",
                2,
                "absolute_week",
                None,
                utc("2025-08-04 03:59:59"),
                id="EXP-5-absolute-week",
            ),
            pytest.param(
                utc("2025-07-16 13:30:00"),
                "America/New_York",
                0,
                "absolute_week",
                None,
                utc("2025-07-21 03:59:59"),
                id="EXP-5-absolute-week-period-0-this-week",
            ),
            pytest.param(
                utc("2025-07-20 13:30:00"),
                "America/New_York",
                None,
                "absolute_week",
                None,
                utc("2025-07-21 03:59:59"),
                id="EXP-5-issued-on-sunday-null-period",
            ),
            pytest.param(
                utc("2025-01-31 01:00:00"),
                "Australia/Melbourne",
                1,
                "absolute_month",
                None,
                utc("2025-02-28 12:59:59"),
                id="EXP-6-absolute-month",
            ),
            pytest.param(
                utc("2025-12-15 01:00:00"),
                "UTC",
                1,
                "absolute_month",
                None,
                utc("2026-01-31 23:59:59"),
                id="EXP-6-across-year-end",
            ),
            pytest.param(
                utc("2025-06-01 10:00:00"),
                "UTC",
                50,
                "days",
                utc("2025-06-30 00:00:00"),
                utc("2025-06-30 00:00:00"),
                id="EXP-7-end-at-caps",
            ),
            pytest.param(
                utc("2025-06-01 10:00:00"),
                "UTC",
                5,
                "days",
                utc("2025-06-30 00:00:00"),
                utc("2025-06-06 23:59:59"),
                id="EXP-7-end-at-later-no-cap",
            ),
            pytest.param(
                utc("2025-06-01 10:00:00"),
                "UTC",
                0,
                "days",
                utc("2025-06-30 00:00:00"),
                None,
                id="EXP-7-none-stays-none",
            ),
            pytest.param(
                utc("2025-06-01 10:00:00"), "UTC", 0, "days", None, None, id="EXP-3-period-0-never"
            ),
            pytest.param(
                utc("2025-06-01 10:00:00"),
                "UTC",
                None,
                None,
                None,
                None,
                id="EXP-3-null-period-null-type-never",
            ),
        ],
    )
    def test_table(
        self,
        issued_at: datetime,
        tz: str,
        period: int | None,
        period_type: str | None,
        end_at: datetime | None,
        expected: datetime | None,
    ) -> None:
        result = compute_expiry(
            issued_at, timezone=tz, period=period, period_type=period_type, end_at=end_at
        )
        assert result == expected
        if result is not None:
            assert result.tzinfo is UTC

    def test_absolute_date(self) -> None:
        """EXP-4: absolute_expiry itself, no snapping, period ignored; EXP-7 still caps it."""
        absolute = datetime(2026, 1, 1, 10, 30, tzinfo=timezone(timedelta(hours=10)))
        issued = utc("2025-06-01 10:00:00")
        result = compute_expiry(
            issued, timezone="UTC", period=99, period_type="absolute_date", absolute_expiry=absolute
        )
        assert result == utc("2026-01-01 00:30:00")
        capped = compute_expiry(
            issued,
            timezone="UTC",
            period=None,
            period_type="absolute_date",
            absolute_expiry=absolute,
            end_at=utc("2025-12-31 00:00:00"),
        )
        assert capped == utc("2025-12-31 00:00:00")
        assert compute_expiry(issued, timezone="UTC", period=1, period_type="absolute_date") is None

    @pytest.mark.parametrize(
        ("kwargs", "names"),
        [
            pytest.param({"period": -1}, "period", id="EXP-2-negative-period"),
            pytest.param({"period": True}, "period", id="EXP-2-bool-period"),
            pytest.param({"period": 1.0}, "period", id="EXP-2-float-period"),
            pytest.param(
                {"period": 1, "period_type": "fortnights"}, "period_type", id="EXP-2-type"
            ),
            pytest.param({"period": 1, "timezone": "Mars/Olympus"}, "timezone", id="EXP-2-zone"),
            pytest.param(
                {"period": 1, "issued_at": datetime(2025, 1, 1)},
                "issued_at",
                id="TIME-2-naive-issued",
            ),
            pytest.param(
                {"period": 1, "end_at": datetime(2025, 1, 1)}, "end_at", id="TIME-2-naive-end-at"
            ),
            pytest.param(
                {
                    "period": 1,
                    "period_type": "absolute_date",
                    "absolute_expiry": datetime(2025, 1, 1),
                },
                "absolute_expiry",
                id="TIME-2-naive-absolute",
            ),
        ],
    )
    def test_invalid_arguments(self, kwargs: dict[str, object], names: str) -> None:
        arguments: dict[str, object] = {"timezone": "UTC", "issued_at": utc("2025-01-01 00:00:00")}
        arguments.update(kwargs)
        issued = arguments.pop("issued_at")
        with pytest.raises(InvalidRequest, match=rf"^{names}: "):
            compute_expiry(issued, **arguments)  # type: ignore[arg-type]

    def test_explain_matches_compute(self) -> None:
        explained = explain_expiry(
            utc("2025-06-01 10:00:00"), timezone="UTC", period=50, end_at=utc("2025-06-30 00:00:00")
        )
        assert explained.expires_at == utc("2025-06-30 00:00:00")
        assert explained.uncapped == utc("2025-07-21 23:59:59")
        assert explained.capped_by_end_at
        assert explained.rule == "EXP-3"
        assert "EXP-7" in explained.summary


class TestIsExpired:
    """EXP-1 (Q3): expires_at is the last valid instant; null never expires."""

    @pytest.mark.parametrize(
        ("expires_at", "at", "expected"),
        [
            pytest.param(
                utc("2021-04-24 23:59:59"), utc("2021-04-24 23:59:59"), False, id="EXP-1-at-bound"
            ),
            pytest.param(
                utc("2021-04-24 23:59:59"),
                utc("2021-04-24 23:59:59.000001"),
                True,
                id="EXP-1-one-microsecond-after",
            ),
            pytest.param(None, utc("2999-01-01 00:00:00"), False, id="EXP-1-null-never"),
            pytest.param(
                utc("2026-11-01 05:30:00"),
                datetime(
                    2026,
                    11,
                    1,
                    1,
                    30,
                    fold=1,
                    tzinfo=__import__("zoneinfo").ZoneInfo("America/New_York"),
                ),
                True,
                id="EXP-1-compared-in-utc-not-wall-time",
            ),
        ],
    )
    def test_table(self, expires_at: datetime | None, at: datetime, expected: bool) -> None:
        assert is_expired(expires_at, at) is expected

    def test_naive_at(self) -> None:
        with pytest.raises(InvalidRequest, match="^at: "):
            is_expired(None, datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("period_type", "period"),
    [
        pytest.param(PeriodType.ABSOLUTE_MONTH, None, id="EXP-6-issued-in-the-last-second"),
        pytest.param(PeriodType.ABSOLUTE_WEEK, 0, id="EXP-5-issued-in-the-last-second"),
    ],
)
def test_an_issue_inside_the_last_second_keeps_the_last_second(
    period_type: PeriodType, period: int | None
) -> None:
    """TIME-8: the last second of 2000-01-30/31 is 23:59:59.000000, even for a later issue."""
    issued = datetime(
        2000, 1, 30 if period_type is PeriodType.ABSOLUTE_WEEK else 31, 23, 59, 59, 1, tzinfo=UTC
    )
    expiry = compute_expiry(issued, timezone="UTC", period=period, period_type=period_type)
    assert expiry == issued.replace(microsecond=0)
