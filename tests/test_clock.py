from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pendulum
import pytest

from loyalty_core import InvalidRequest, clock
from tests.helpers import utc

NY = ZoneInfo("America/New_York")
MEL = ZoneInfo("Australia/Melbourne")


class TestInstants:
    """TIME-1/TIME-2: instants are plain UTC datetimes; naive ones are refused."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            pytest.param(
                datetime(2023, 11, 7, 5, 31, 56, tzinfo=timezone(timedelta(hours=10))),
                utc("2023-11-06 19:31:56"),
                id="TIME-1-offset-converted",
            ),
            pytest.param(
                datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NY),
                utc("2026-11-01 06:30:00"),
                id="TIME-1-fold-respected",
            ),
            pytest.param(
                datetime(2021, 1, 1, 0, 0, 0, 5, tzinfo=ZoneInfo("UTC")),
                utc("2021-01-01 00:00:00.000005"),
                id="TIME-1-zoneinfo-utc-becomes-datetime-utc-microseconds-kept",
            ),
        ],
    )
    def test_as_instant(self, value: datetime, expected: datetime) -> None:
        result = clock.as_instant(value, name="at")
        assert result == expected
        assert result.tzinfo is UTC
        assert type(result) is datetime

    def test_pendulum_datetime_becomes_plain_datetime(self) -> None:
        value = pendulum.datetime(2026, 3, 8, 12, tz="America/New_York")
        result = clock.as_instant(value, name="at")
        assert type(result) is datetime
        assert result.tzinfo is UTC
        assert result == utc("2026-03-08 16:00:00")

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param(datetime(2026, 1, 1), id="TIME-2-naive"),
            pytest.param("2026-01-01 00:00:00", id="TIME-2-string"),
            pytest.param(date(2026, 1, 1), id="TIME-2-date"),
        ],
    )
    def test_refused(self, value: object) -> None:
        with pytest.raises(InvalidRequest, match=r"^at: expected an aware datetime"):
            clock.as_instant(value, name="at")


class TestZones:
    """TIME-3: IANA names through zoneinfo; unknown names are InvalidRequest."""

    def test_name_and_zoneinfo(self) -> None:
        assert clock.zone("UTC").key == "UTC"
        assert clock.zone(MEL) is MEL

    @pytest.mark.parametrize("value", ["Mars/Olympus", "", None, 10, "../etc/passwd"])
    def test_unknown(self, value: object) -> None:
        with pytest.raises(InvalidRequest, match=r"^tz: expected an IANA time zone name"):
            clock.zone(value, name="tz")  # type: ignore[arg-type]


class TestWallTime:
    """TIME-5 (Q39): gaps move forward by the gap; ambiguous times take the earlier instant."""

    @pytest.mark.parametrize(
        ("wall", "tz", "expected"),
        [
            pytest.param(
                datetime(2026, 3, 8, 2, 30), NY, utc("2026-03-08 07:30:00"), id="TIME-5-gap-forward"
            ),
            pytest.param(
                datetime(2026, 11, 1, 1, 30),
                NY,
                utc("2026-11-01 05:30:00"),
                id="TIME-5-fold-earlier",
            ),
            pytest.param(
                datetime(2026, 11, 1, 1, 30, fold=1),
                NY,
                utc("2026-11-01 05:30:00"),
                id="TIME-5-fold-attribute-ignored",
            ),
            pytest.param(
                datetime(2026, 10, 4, 2, 15),
                ZoneInfo("Australia/Lord_Howe"),
                utc("2026-10-03 15:45:00"),  # = 02:45 +11, forward by the 30-minute gap
                id="TIME-5-half-hour-gap",
            ),
        ],
    )
    def test_wall_to_instant(self, wall: datetime, tz: ZoneInfo, expected: datetime) -> None:
        assert clock.wall_to_instant(wall, tz) == expected

    @pytest.mark.parametrize(
        ("instant", "tz", "expected"),
        [
            pytest.param(utc("2021-02-09 13:00:00"), MEL, date(2021, 2, 10), id="TIME-4-melbourne"),
            pytest.param(
                utc("2021-02-09 13:00:00"), ZoneInfo("UTC"), date(2021, 2, 9), id="TIME-4-utc"
            ),
        ],
    )
    def test_local_date(self, instant: datetime, tz: ZoneInfo, expected: date) -> None:
        assert clock.local_date(instant, tz) == expected


class TestDayBounds:
    """TIME-8: the last second of a day is the next day's start minus one second."""

    @pytest.mark.parametrize(
        ("day", "tz", "start", "end"),
        [
            pytest.param(
                date(2021, 4, 24),
                ZoneInfo("UTC"),
                utc("2021-04-24 00:00:00"),
                utc("2021-04-24 23:59:59"),
                id="TIME-8-utc",
            ),
            pytest.param(
                date(2026, 4, 5),
                MEL,
                utc("2026-04-04 13:00:00"),
                utc("2026-04-05 13:59:59"),
                id="TIME-8-dst-end-day-has-25-hours",
            ),
            pytest.param(
                date(2026, 3, 8),
                ZoneInfo("America/Havana"),
                utc("2026-03-08 05:00:00"),
                utc("2026-03-09 03:59:59"),
                id="TIME-8-havana-midnight-in-gap-starts-after-gap",
            ),
            pytest.param(
                date(2026, 4, 4),
                ZoneInfo("America/Santiago"),
                utc("2026-04-04 03:00:00"),
                utc("2026-04-05 03:59:59"),
                id="TIME-8-santiago-fold-before-midnight-second-2359",
            ),
        ],
    )
    def test_bounds(self, day: date, tz: ZoneInfo, start: datetime, end: datetime) -> None:
        assert clock.start_of_day(day, tz) == start
        assert clock.end_of_day(day, tz) == end
        assert clock.is_end_of_day(end, tz)
        assert not clock.is_end_of_day(end - timedelta(seconds=1), tz)

    def test_santiago_direct_2359_would_be_an_hour_early(self) -> None:
        """Q4: building 23:59:59 directly on a fold-at-midnight day is an hour wrong."""
        tz = ZoneInfo("America/Santiago")
        direct = datetime(2026, 4, 4, 23, 59, 59, tzinfo=tz).astimezone(UTC)
        assert clock.end_of_day(date(2026, 4, 4), tz) - direct == timedelta(hours=1)


class TestCalendarArithmetic:
    """TIME-6 (Q8): calendar units on local dates, month ends clamped."""

    @pytest.mark.parametrize(
        ("day", "amount", "unit", "expected"),
        [
            pytest.param(date(2024, 1, 31), 1, "months", date(2024, 2, 29), id="TIME-6-clamp-leap"),
            pytest.param(date(2025, 1, 31), 1, "months", date(2025, 2, 28), id="TIME-6-clamp"),
            pytest.param(
                date(2024, 2, 29), 1, "years", date(2025, 2, 28), id="TIME-6-feb29-plus-year"
            ),
            pytest.param(date(2025, 12, 31), 2, "weeks", date(2026, 1, 14), id="TIME-6-weeks"),
            pytest.param(date(2025, 12, 31), -1, "days", date(2025, 12, 30), id="TIME-6-negative"),
            pytest.param(
                date(2024, 3, 31), -1, "months", date(2024, 2, 29), id="TIME-6-minus-month"
            ),
        ],
    )
    def test_add_to_date(self, day: date, amount: int, unit: str, expected: date) -> None:
        assert clock.add_to_date(day, amount, unit) == expected  # type: ignore[arg-type]

    def test_unknown_unit(self) -> None:
        with pytest.raises(InvalidRequest, match="fortnights"):
            clock.add_to_date(date(2025, 1, 1), 1, "fortnights")  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("instant", "tz", "amount", "unit", "expected"),
        [
            pytest.param(
                utc("2026-04-01 12:59:59"),
                MEL,
                10,
                "days",
                utc("2026-04-11 13:59:59"),
                id="TIME-6-end-of-day-stays-end-of-day-across-dst",
            ),
            pytest.param(
                utc("2026-03-02 04:59:59"),
                NY,
                10,
                "days",
                utc("2026-03-12 03:59:59"),
                id="TIME-6-new-york-spring",
            ),
            pytest.param(
                utc("2026-03-07 07:30:00"),
                NY,
                1,
                "days",
                utc("2026-03-08 07:30:00"),
                id="TIME-6-wall-time-in-gap-moves-forward",
            ),
            pytest.param(
                utc("2026-10-31 05:30:00"),
                NY,
                1,
                "days",
                utc("2026-11-01 05:30:00"),
                id="TIME-6-wall-time-in-fold-takes-earlier",
            ),
            pytest.param(
                utc("2026-03-31 13:30:00"),
                MEL,
                1,
                "months",
                utc("2026-04-30 14:30:00"),
                id="TIME-6-month-keeps-wall-time",
            ),
        ],
    )
    def test_shift_keep_wall(
        self, instant: datetime, tz: ZoneInfo, amount: int, unit: str, expected: datetime
    ) -> None:
        assert clock.shift_keep_wall(instant, tz, amount, unit) == expected  # type: ignore[arg-type]


class TestParsing:
    """PAY-2: exactly three datetime shapes."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            pytest.param("2021-03-05 00:06:51", datetime(2021, 3, 5, 0, 6, 51), id="PAY-2a-naive"),
            pytest.param("2024-12-06", datetime(2024, 12, 6), id="PAY-2c-bare-date"),
            pytest.param(
                "2023-11-07T05:31:56Z", datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC), id="PAY-2b-z"
            ),
            pytest.param(
                "2023-11-07 05:31:56.5+10:00",
                datetime(2023, 11, 7, 5, 31, 56, 500000, tzinfo=timezone(timedelta(hours=10))),
                id="PAY-2b-space-fraction-offset",
            ),
        ],
    )
    def test_accepted(self, text: str, expected: datetime) -> None:
        parsed = clock.parse_datetime(text)
        assert parsed == expected
        assert (parsed.tzinfo is None) == (expected.tzinfo is None)

    @pytest.mark.parametrize(
        "text",
        [
            pytest.param("2023-11-07T05:31:56", id="PAY-2-T-without-offset"),
            pytest.param("2023-11-07 05:31", id="PAY-2-missing-seconds"),
            pytest.param("2023-11-07 24:00:00", id="PAY-2-hour-24"),
            pytest.param("2023-11-07 23:59:60", id="PAY-2-second-60"),
            pytest.param("2021-02-30 10:00:00", id="PAY-2-impossible-date"),
            pytest.param("2023-11-07T05:31:56.1234567Z", id="PAY-2-seven-fraction-digits"),
            pytest.param("07/11/2023", id="PAY-2-other-format"),
            pytest.param("2023-11-07 05:31:56.5", id="PAY-2-naive-with-fraction"),
            pytest.param(" 2023-11-07 05:31:56", id="PAY-2-whitespace"),
            pytest.param("2023-11-07T05:31:56+24:00", id="PAY-2-offset-24h"),
        ],
    )
    def test_refused(self, text: str) -> None:
        with pytest.raises(ValueError, match="expected"):
            clock.parse_datetime(text)

    def test_lenient_cli_parsing(self) -> None:
        assert clock.parse_lenient("2026-03-01 09:00", MEL) == utc("2026-02-28 22:00:00")
        assert clock.parse_lenient("2026-03-01T09:00:00+00:00", MEL) == utc("2026-03-01 09:00:00")
        with pytest.raises(InvalidRequest, match="next tuesday"):
            clock.parse_lenient("next tuesday", MEL)


class TestRendering:
    """PAY-5 and Reason.detail renderings."""

    def test_format_instant(self) -> None:
        assert clock.format_instant(utc("2026-04-19 13:59:59")) == "2026-04-19T13:59:59Z"
        assert clock.format_instant(utc("2026-11-01 06:30:00.5")) == "2026-11-01T06:30:00.500000Z"

    def test_format_wall(self) -> None:
        assert clock.format_wall(utc("2026-04-19 13:59:59")) == "2026-04-19 13:59:59"
        assert clock.format_wall(utc("2026-04-19 13:59:59"), MEL) == "2026-04-19 23:59:59"
        assert clock.format_wall(utc("2026-11-01 06:30:00.5")) == "2026-11-01T06:30:00.500000Z"

    def test_describe_span(self) -> None:
        assert (
            clock.describe_span(utc("2026-01-01 00:00:00"), utc("2026-01-04 00:00:00")) == "3 days"
        )
        assert (
            clock.describe_span(utc("2026-01-04 00:00:00"), utc("2026-01-01 00:00:00")) == "-3 days"
        )
