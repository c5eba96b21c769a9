"""Credits: release, lock, redemption and Edit Credit (RULES.md section 9, CRD)."""

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest

from loyalty_core import Credit, CreditDefinition, InvalidRequest, PayloadError
from loyalty_core.credits import (
    CreditRedemption,
    check_credit_redemption,
    is_locked,
    is_released,
    redeem_credit,
    release_at,
)
from loyalty_core.limits import MAX_DAYS
from loyalty_core.payloads import edit_credit
from tests.helpers import codes, utc

US = timedelta(microseconds=1)
NEW_YORK = "America/New_York"
MELBOURNE = "Australia/Melbourne"


def problems(error: PayloadError) -> dict[str, str]:
    return {p.where: p.message for p in error.problems}


# --- RULES §9 example tables -------------------------------------------------------------------

RELEASING = Credit(
    timezone=NEW_YORK,
    issued_at=utc("2025-03-05 19:20:00"),
    value_initial=Decimal(50),
    definition=CreditDefinition(release_period=7),
)
LOCK_END = utc("2025-06-01 10:00:00")


class TestCrdTable:
    """The CRD example table of RULES §9, row by row."""

    def test_release_7_days_across_new_york_dst(self) -> None:
        # 14:20 EST + 7 days = 14:20 EDT: the UTC span is 6 d 23 h.
        assert release_at(RELEASING) == utc("2025-03-12 18:20:00")
        assert release_at(RELEASING) - RELEASING.issued_at == timedelta(days=6, hours=23)  # type: ignore[operator]

    def test_one_second_before_release_not_released(self) -> None:
        decision = check_credit_redemption(RELEASING, 10, at=utc("2025-03-12 18:19:59"))
        assert codes(decision) == ["not_released"]
        assert decision.retry_at == utc("2025-03-12 18:20:00")

    def test_at_release_allowed(self) -> None:
        decision = check_credit_redemption(RELEASING, 10, at=utc("2025-03-12 18:20:00"))
        assert decision.allowed
        assert decision.retry_at is None

    def test_lock_boundary(self) -> None:
        credit = Credit(value_initial=Decimal(50), locked=True, lock_expires_at=LOCK_END)
        before = check_credit_redemption(credit, 10, at=utc("2025-06-01 09:59:59"))
        assert codes(before) == ["locked"]
        assert before.retry_at == LOCK_END
        at_end = check_credit_redemption(credit, 10, at=LOCK_END)
        assert at_end.allowed
        assert at_end.retry_at is None

    def test_insufficient_value(self) -> None:
        credit = Credit(value_initial=Decimal(50), value_remaining=Decimal("25.00"))
        decision = check_credit_redemption(credit, 30, at=LOCK_END)
        assert codes(decision) == ["insufficient_value"]
        assert dict(decision.reasons[0].detail) == {"amount": "30", "value_remaining": "25.00"}
        assert decision.reasons[0].message == "amount 30 exceeds the value remaining 25.00"
        assert decision.retry_at is None

    def test_security_code_required(self) -> None:
        credit = Credit(
            value_initial=Decimal(50),
            security_code="9999",
            definition=CreditDefinition(require_security_code=True),
        )
        assert codes(check_credit_redemption(credit, 1, at=LOCK_END)) == ["security_code_required"]

    def test_security_code_mismatch(self) -> None:
        credit = Credit(
            value_initial=Decimal(50),
            security_code="9999",
            definition=CreditDefinition(require_security_code=True),
        )
        decision = check_credit_redemption(credit, 1, at=LOCK_END, security_code="1234")
        assert codes(decision) == ["security_code_mismatch"]
        assert check_credit_redemption(credit, 1, at=LOCK_END, security_code="9999").allowed


EDITED = Credit(timezone=MELBOURNE, value_initial=Decimal(50), value_remaining=Decimal("20.00"))


class TestEditTable:
    """The Edit Credit example table of RULES §9 (Melbourne, value 50.00, remaining 20.00)."""

    def test_remaining_and_lock(self) -> None:
        changes = {
            "value_remaining": "12.50",
            "locked": True,
            "lock_expires_at": "2025-06-01T10:00:00Z",
        }
        edited = edit_credit(EDITED, changes)
        assert edited.value_remaining == Decimal("12.50")
        assert str(edited.value_remaining) == "12.50"
        assert edited.locked is True
        assert edited.lock_expires_at == utc("2025-06-01 10:00:00")
        assert edited.lock_expires_at.tzinfo is UTC
        assert attrs.evolve(
            edited, value_remaining=Decimal("20.00"), locked=False, lock_expires_at=None
        ) == (EDITED)

    def test_naive_expires_at_is_melbourne_wall_time(self) -> None:
        edited = edit_credit(EDITED, {"expires_at": "2026-01-31 23:59:59"})
        assert edited.expires_at == utc("2026-01-31 12:59:59")

    def test_value_initial_below_remaining(self) -> None:
        with pytest.raises(PayloadError) as caught:
            edit_credit(EDITED, {"value_initial": 10})
        assert str(caught.value) == "$.value_remaining: 20.00 exceeds $.value_initial 10"

    def test_one_error_names_all_three_paths(self) -> None:
        changes = {
            "value_initial": -1,
            "recipient_email": "jsmith@example",
            "issued_at": "2025-02-30 10:00:00",
        }
        with pytest.raises(PayloadError) as caught:
            edit_credit(EDITED, changes)
        found = problems(caught.value)
        assert set(found) == {"$.value_initial", "$.recipient_email", "$.issued_at"}
        assert "-1" in found["$.value_initial"]
        assert "'jsmith@example'" in found["$.recipient_email"]
        assert "'2025-02-30 10:00:00'" in found["$.issued_at"]

    def test_locked_null_rejected(self) -> None:
        with pytest.raises(PayloadError) as caught:
            edit_credit(EDITED, {"locked": None})
        assert str(caught.value) == "$.locked: must not be null, got None"

    def test_unknown_key_unchanged(self) -> None:
        assert edit_credit(EDITED, {"foo": 1}) == EDITED


# --- CRD-1, CRD-3: release -------------------------------------------------------------------


def releasing(
    issued_at: str | None,
    zone: str | None,
    *,
    released_at: datetime | None = None,
    **definition: Any,
) -> Credit:
    return Credit(
        value_initial=Decimal(10),
        timezone=zone,
        issued_at=None if issued_at is None else utc(issued_at),
        released_at=released_at,
        definition=CreditDefinition(**definition),
    )


class TestRelease:
    """CRD-3 (Q31): the release instant is released_at, else computed from the definition.

    Relative types keep the local wall time (TIME-6) with no end-of-day snapping; absolute_date
    is the definition's instant; absolute_week/month end like EXP-5/EXP-6.
    """

    @pytest.mark.parametrize(
        ("credit", "expected"),
        [
            pytest.param(
                releasing("2025-03-05 19:20:00", NEW_YORK, release_period=7),
                utc("2025-03-12 18:20:00"),
                id="CRD-3-days-wall-kept-across-dst",
            ),
            pytest.param(
                releasing(
                    "2025-03-05 19:20:00",
                    NEW_YORK,
                    release_period=7,
                    release_period_type="days",
                ),
                utc("2025-03-12 18:20:00"),
                id="CRD-3-days-explicit",
            ),
            pytest.param(
                releasing(
                    "2025-03-05 19:20:00", NEW_YORK, release_period=2, release_period_type="weeks"
                ),
                utc("2025-03-19 18:20:00"),
                id="CRD-3-weeks",
            ),
            pytest.param(
                releasing(
                    "2024-01-31 20:00:00", NEW_YORK, release_period=1, release_period_type="months"
                ),
                utc("2024-02-29 20:00:00"),
                id="CRD-3-months-clamped",
            ),
            pytest.param(
                releasing(
                    "2024-02-29 12:00:00", "UTC", release_period=1, release_period_type="years"
                ),
                utc("2025-02-28 12:00:00"),
                id="CRD-3-years-leap-day",
            ),
            pytest.param(
                releasing("2026-03-19 23:00:00", MELBOURNE, release_period=30),
                utc("2026-04-19 00:00:00"),
                id="CRD-3-days-melbourne-dst-end",
            ),
            pytest.param(
                releasing("2025-03-08 07:30:00", NEW_YORK, release_period=1),
                utc("2025-03-09 07:30:00"),
                id="CRD-3-wall-time-in-gap-moves-forward",
            ),
            pytest.param(
                releasing("2025-03-05 19:20:00", NEW_YORK, release_period=0),
                utc("2025-03-05 19:20:00"),
                id="CRD-3-zero-days-is-issued_at",
            ),
            pytest.param(
                releasing(
                    "2025-03-05 19:20:00",
                    NEW_YORK,
                    release_period=5,
                    release_period_type="absolute_date",
                    release_period_absolute_expiry=utc("2025-07-01 00:00:00"),
                ),
                utc("2025-07-01 00:00:00"),
                id="CRD-3-absolute_date-period-ignored",
            ),
            pytest.param(
                releasing(
                    None,
                    None,
                    release_period_type="absolute_date",
                    release_period_absolute_expiry=utc("2025-07-01 00:00:00"),
                ),
                utc("2025-07-01 00:00:00"),
                id="CRD-3-absolute_date-without-issued_at",
            ),
            pytest.param(
                releasing("2025-03-05 19:20:00", NEW_YORK, release_period_type="absolute_date"),
                None,
                id="CRD-3-absolute_date-null",
            ),
            pytest.param(
                releasing(
                    "2025-07-16 13:30:00",
                    NEW_YORK,
                    release_period=2,
                    release_period_type="absolute_week",
                ),
                utc("2025-08-04 03:59:59"),
                id="CRD-3-EXP-5-absolute_week",
            ),
            pytest.param(
                releasing("2025-07-16 13:30:00", NEW_YORK, release_period_type="absolute_week"),
                utc("2025-07-21 03:59:59"),
                id="CRD-3-EXP-5-absolute_week-null-period-is-0",
            ),
            pytest.param(
                releasing(
                    "2025-01-31 01:00:00",
                    MELBOURNE,
                    release_period=1,
                    release_period_type="absolute_month",
                ),
                utc("2025-02-28 12:59:59"),
                id="CRD-3-EXP-6-absolute_month",
            ),
            pytest.param(
                releasing("2025-01-31 01:00:00", MELBOURNE, release_period_type="absolute_month"),
                utc("2025-01-31 12:59:59"),
                id="CRD-3-EXP-6-absolute_month-null-period-is-0",
            ),
            pytest.param(
                releasing("2025-03-05 19:20:00", NEW_YORK),
                None,
                id="CRD-3-null-release_period",
            ),
            pytest.param(
                releasing(None, NEW_YORK, release_period=7),
                None,
                id="CRD-3-relative-without-issued_at",
            ),
            pytest.param(
                releasing(None, NEW_YORK, release_period=1, release_period_type="absolute_week"),
                None,
                id="CRD-3-absolute_week-without-issued_at",
            ),
            pytest.param(
                releasing(
                    "2025-03-05 19:20:00",
                    NEW_YORK,
                    released_at=utc("2025-04-01 00:00:00"),
                    release_period=7,
                ),
                utc("2025-04-01 00:00:00"),
                id="CRD-3-released_at-wins",
            ),
            pytest.param(
                Credit(value_initial=Decimal(10), issued_at=utc("2025-03-05 19:20:00")),
                None,
                id="CRD-3-PAY-9-null-definition",
            ),
        ],
    )
    def test_release_at(self, credit: Credit, expected: datetime | None) -> None:
        assert release_at(credit) == expected

    def test_last_second_of_day_stays_last_second(self) -> None:
        # Decision: TIME-6 applies in full, including its last-second exception. Santiago's
        # clocks go back at midnight 2025-04-06, so 23:59:59 on 2025-04-05 occurs twice; an
        # issued_at at the last second of 2025-04-04 releases at the last second of 04-05
        # (the later 23:59:59), not at the first reading of that wall time (02:59:59Z).
        credit = releasing("2025-04-05 02:59:59", "America/Santiago", release_period=1)
        assert release_at(credit) == utc("2025-04-06 03:59:59")

    def test_mid_day_time_is_not_snapped(self) -> None:
        credit = releasing("2025-03-05 19:20:00.5", NEW_YORK, release_period=1)
        assert release_at(credit) == utc("2025-03-06 19:20:00.5")

    def test_release_past_9999(self) -> None:
        # The longest release period (MAX_DAYS) is valid, but from 2025 it ends past 9999.
        credit = releasing("2025-03-05 19:20:00", NEW_YORK, release_period=MAX_DAYS)
        with pytest.raises(InvalidRequest, match="release_period"):
            release_at(credit)
        at = utc("9999-12-30 00:00:00")
        assert not is_released(credit, at=at)
        decision = check_credit_redemption(credit, 1, at=at)
        assert codes(decision) == ["not_released"]
        assert decision.retry_at is None
        assert "past year 9999" in decision.reasons[0].message
        assert decision.reasons[0].detail["released_at"] is None

    @pytest.mark.parametrize(
        ("at", "expected"),
        [
            pytest.param(utc("2025-03-12 18:20:00"), True, id="CRD-3-released-exactly-at"),
            pytest.param(utc("2025-03-12 18:20:00") - US, False, id="CRD-3-1us-before"),
            pytest.param(utc("2030-01-01 00:00:00"), True, id="CRD-3-later"),
        ],
    )
    def test_is_released_boundary(self, at: datetime, expected: bool) -> None:
        assert is_released(RELEASING, at=at) is expected

    def test_no_release_instant_is_released(self) -> None:
        assert is_released(Credit(value_initial=Decimal(1)), at=utc("1900-01-01 00:00:00"))

    def test_any_zone_for_at(self) -> None:
        at = utc("2025-03-12 18:20:00").astimezone(timezone(timedelta(hours=-4)))
        assert is_released(RELEASING, at=at)

    @pytest.mark.parametrize(
        ("own", "definition", "expected"),
        [
            pytest.param(None, NEW_YORK, utc("2025-03-12 18:20:00"), id="CRD-1-definition-zone"),
            pytest.param(None, None, utc("2025-03-12 19:20:00"), id="CRD-1-utc-fallback"),
            pytest.param("UTC", NEW_YORK, utc("2025-03-12 19:20:00"), id="CRD-1-own-zone-wins"),
            pytest.param(NEW_YORK, "UTC", utc("2025-03-12 18:20:00"), id="CRD-1-own-new-york"),
        ],
    )
    def test_zone_fallback(
        self, own: str | None, definition: str | None, expected: datetime
    ) -> None:
        credit = releasing("2025-03-05 19:20:00", own, release_period=7, timezone=definition)
        assert release_at(credit) == expected


# --- CRD-4: lock ---------------------------------------------------------------------------


class TestLock:
    """CRD-4 (Q32): locked iff locked and (lock_expires_at is null or at < lock_expires_at)."""

    @pytest.mark.parametrize(
        ("locked", "until", "at", "expected"),
        [
            pytest.param(False, None, LOCK_END, False, id="CRD-4-not-locked"),
            pytest.param(False, LOCK_END, LOCK_END - US, False, id="CRD-4-expiry-without-lock"),
            pytest.param(True, None, utc("2999-01-01 00:00:00"), True, id="CRD-4-no-expiry"),
            pytest.param(True, LOCK_END, LOCK_END - US, True, id="CRD-4-1us-before"),
            pytest.param(True, LOCK_END, LOCK_END, False, id="CRD-4-exactly-at-unlocked"),
            pytest.param(True, LOCK_END, LOCK_END + US, False, id="CRD-4-after"),
        ],
    )
    def test_is_locked(
        self, locked: bool, until: datetime | None, at: datetime, expected: bool
    ) -> None:
        credit = Credit(value_initial=Decimal(1), locked=locked, lock_expires_at=until)
        assert is_locked(credit, at=at) is expected
        assert ("locked" in codes(check_credit_redemption(credit, 1, at=at))) is expected

    def test_locked_for_good(self) -> None:
        credit = Credit(value_initial=Decimal(1), locked=True)
        decision = check_credit_redemption(credit, 1, at=LOCK_END)
        assert codes(decision) == ["locked"]
        assert decision.retry_at is None
        assert decision.reasons[0].detail["lock_expires_at"] is None

    def test_lock_message(self) -> None:
        credit = Credit(value_initial=Decimal(1), locked=True, lock_expires_at=LOCK_END)
        reason = check_credit_redemption(credit, 1, at=utc("2025-06-01 09:00:00")).reasons[0]
        assert reason.message == (
            "the credit is locked until 2025-06-01T10:00:00Z; at is 2025-06-01T09:00:00Z"
        )
        assert dict(reason.detail) == {
            "at": "2025-06-01T09:00:00Z",
            "lock_expires_at": "2025-06-01T10:00:00Z",
        }


# --- CRD-5 to CRD-12: the check ------------------------------------------------------------

ISSUED = utc("2025-01-01 00:00:00")
EXPIRES = utc("2025-12-31 12:59:59")
AT = utc("2025-06-15 00:00:00")
PLAIN = Credit(
    value_initial=Decimal(50),
    value_remaining=Decimal("20.00"),
    issued_at=ISSUED,
    expires_at=EXPIRES,
)


class TestAmount:
    """CRD-5 (RWD-4): amount is money (PAY-8); an amount <= 0 or not money is InvalidRequest."""

    @pytest.mark.parametrize(
        "amount",
        [
            pytest.param(0, id="CRD-5-zero"),
            pytest.param("0.00", id="CRD-5-zero-string"),
            pytest.param(-1, id="CRD-5-negative"),
            pytest.param("-0.01", id="CRD-5-negative-string"),
            pytest.param(True, id="CRD-5-bool"),
            pytest.param("1e3", id="CRD-5-exponent"),
            pytest.param(" 1", id="CRD-5-whitespace"),
            pytest.param(float("nan"), id="CRD-5-nan"),
            pytest.param(float("inf"), id="CRD-5-infinity"),
            pytest.param(Decimal("NaN"), id="CRD-5-decimal-nan"),
            pytest.param(None, id="CRD-5-none"),
        ],
    )
    def test_invalid(self, amount: Any) -> None:
        for call in (check_credit_redemption, redeem_credit):
            with pytest.raises(InvalidRequest) as caught:
                call(PLAIN, amount, at=AT)
            assert caught.value.problems[0].where == "amount"
            assert repr(amount) in str(caught.value)

    @pytest.mark.parametrize(
        ("amount", "remaining"),
        [
            pytest.param(Decimal("7.5"), Decimal("12.50"), id="CRD-5-decimal"),
            pytest.param(7, Decimal("13.00"), id="CRD-5-int"),
            pytest.param(0.1, Decimal("19.90"), id="CRD-5-float-shortest-text"),
            pytest.param("12.50", Decimal("7.50"), id="CRD-5-string"),
        ],
    )
    def test_valid(self, amount: Any, remaining: Decimal) -> None:
        assert redeem_credit(PLAIN, amount, at=AT).credit.value_remaining == remaining

    def test_other_arguments(self) -> None:
        with pytest.raises(InvalidRequest, match="at"):
            check_credit_redemption(PLAIN, 1, at=datetime(2025, 6, 15))
        with pytest.raises(InvalidRequest, match="credit"):
            check_credit_redemption(PLAIN.to_api(), 1, at=AT)  # type: ignore[arg-type]
        with pytest.raises(InvalidRequest, match="security_code"):
            check_credit_redemption(PLAIN, 1, at=AT, security_code=1234)  # type: ignore[arg-type]
        for call in (release_at, lambda c: is_released(c, at=AT), lambda c: is_locked(c, at=AT)):
            with pytest.raises(InvalidRequest, match="credit"):
                call(None)  # type: ignore[arg-type]
        with pytest.raises(InvalidRequest, match="at"):
            is_locked(PLAIN, at=datetime(2025, 6, 15))
        with pytest.raises(InvalidRequest, match="at"):
            is_released(PLAIN, at=datetime(2025, 6, 15))


class TestTimedRules:
    """CRD-6 (Q36), CRD-8 (EXP-1): issued_at and expires_at are both inclusive bounds."""

    @pytest.mark.parametrize(
        ("at", "expected", "retry_at"),
        [
            pytest.param(ISSUED - US, ["not_yet_issued"], ISSUED, id="CRD-6-1us-before"),
            pytest.param(ISSUED, [], EXPIRES + US, id="CRD-6-exactly-at-issued_at"),
            pytest.param(EXPIRES, [], EXPIRES + US, id="CRD-8-exactly-at-expires_at-valid"),
            pytest.param(EXPIRES + US, ["expired"], None, id="CRD-8-1us-after"),
        ],
    )
    def test_bounds(self, at: datetime, expected: list[str], retry_at: datetime | None) -> None:
        decision = check_credit_redemption(PLAIN, 1, at=at)
        assert codes(decision) == expected
        assert decision.retry_at == retry_at

    def test_messages(self) -> None:
        early = check_credit_redemption(PLAIN, 1, at=utc("2024-12-31 00:00:00")).reasons[0]
        assert early.message == (
            "the credit is issued at 2025-01-01T00:00:00Z; at is 2024-12-31T00:00:00Z"
        )
        late = check_credit_redemption(PLAIN, 1, at=utc("2026-01-01 00:00:00")).reasons[0]
        assert late.message == (
            "the credit expired at 2025-12-31T12:59:59Z; at is 2026-01-01T00:00:00Z"
        )
        assert dict(late.detail) == {
            "at": "2026-01-01T00:00:00Z",
            "expires_at": "2025-12-31T12:59:59Z",
        }

    def test_not_released_message(self) -> None:
        reason = check_credit_redemption(RELEASING, 1, at=utc("2025-03-10 00:00:00")).reasons[0]
        assert reason.message == (
            "the credit is released at 2025-03-12T18:20:00Z; at is 2025-03-10T00:00:00Z"
        )
        assert dict(reason.detail) == {
            "at": "2025-03-10T00:00:00Z",
            "released_at": "2025-03-12T18:20:00Z",
        }


def coded(*, require: bool = False, stored: str | None = None, remaining: str = "20.00") -> Credit:
    return Credit(
        value_initial=Decimal(50),
        value_remaining=Decimal(remaining),
        security_code=stored,
        definition=CreditDefinition(require_security_code=require),
    )


REQ_9999 = coded(require=True, stored="9999")
REQ_NONE = coded(require=True)
REQUIRED = "security_code_required"
MISMATCH = "security_code_mismatch"


class TestSecurityCode:
    """CRD-10: a required code may not be null or ""; CRD-11: a given code must match exactly.

    "" counts as no code on either side: it never satisfies CRD-10 and never mismatches.
    """

    @pytest.mark.parametrize(
        ("credit", "given", "expected"),
        [
            pytest.param(REQ_9999, None, [REQUIRED], id="CRD-10-null"),
            pytest.param(REQ_9999, "", [REQUIRED], id="CRD-10-empty-is-missing"),
            pytest.param(REQ_NONE, None, [REQUIRED], id="CRD-10-no-stored-code"),
            pytest.param(REQ_NONE, "1234", [], id="CRD-10-any-code-when-none-stored"),
            pytest.param(REQ_9999, "9999", [], id="CRD-11-match"),
            pytest.param(REQ_9999, "1234", [MISMATCH], id="CRD-11-mismatch"),
            pytest.param(coded(stored="abCD"), "abcd", [MISMATCH], id="CRD-11-case-sensitive"),
            pytest.param(coded(stored="9999"), "9999 ", [MISMATCH], id="CRD-11-exact-no-strip"),
            pytest.param(coded(stored="9999"), None, [], id="CRD-11-not-given-not-required"),
            pytest.param(coded(stored="9999"), "", [], id="CRD-11-empty-given-is-missing"),
            pytest.param(coded(stored=""), "1234", [], id="CRD-11-empty-stored-is-unset"),
            pytest.param(coded(), None, [], id="CRD-10-not-required"),
            pytest.param(Credit(value_initial=Decimal(1)), None, [], id="CRD-10-null-definition"),
        ],
    )
    def test_codes(self, credit: Credit, given: str | None, expected: list[str]) -> None:
        decision = check_credit_redemption(credit, 1, at=AT, security_code=given)
        assert codes(decision) == expected

    def test_mismatch_shows_no_code(self) -> None:
        reason = check_credit_redemption(
            coded(stored="9999"), 1, at=AT, security_code="1234"
        ).reasons[0]
        text = reason.message + json.dumps(dict(reason.detail))
        assert "9999" not in text
        assert "1234" not in text

    def test_required_message(self) -> None:
        reason = check_credit_redemption(coded(require=True), 1, at=AT, security_code="").reasons[0]
        assert reason.message == "the definition requires a security code, got ''"
        assert dict(reason.detail) == {"require_security_code": True, "security_code": ""}


class TestValue:
    """CRD-12: refused when amount > value_remaining; partial use is allowed."""

    @pytest.mark.parametrize(
        ("amount", "expected"),
        [
            pytest.param("20.00", [], id="CRD-12-exactly-remaining"),
            pytest.param("20.001", ["insufficient_value"], id="CRD-12-just-over"),
            pytest.param("0.01", [], id="CRD-12-partial"),
            pytest.param(30, ["insufficient_value"], id="CRD-12-over"),
        ],
    )
    def test_amounts(self, amount: object, expected: list[str]) -> None:
        assert codes(check_credit_redemption(PLAIN, amount, at=AT)) == expected  # type: ignore[arg-type]

    def test_used_up(self) -> None:
        empty = coded(remaining="0")
        assert codes(check_credit_redemption(empty, "0.01", at=AT)) == ["insufficient_value"]


class TestOrderAndRetry:
    """CRD-6..CRD-12 run in table order and every failure is listed; retry_at follows TIME-9."""

    def test_every_failure_in_table_order(self) -> None:
        credit = Credit(
            value_initial=Decimal(50),
            value_remaining=Decimal("5.00"),
            issued_at=utc("2025-07-01 00:00:00"),
            expires_at=utc("2025-05-01 00:00:00"),  # kept although before issued_at (EXP-8)
            released_at=utc("2025-08-01 00:00:00"),
            locked=True,
            definition=CreditDefinition(require_security_code=True),
        )
        decision = check_credit_redemption(credit, 10, at=AT)
        assert codes(decision) == [
            "not_yet_issued",
            "not_released",
            "expired",
            "locked",
            "security_code_required",
            "insufficient_value",
        ]
        assert decision.retry_at is None
        for reason in decision.reasons:
            json.dumps(dict(reason.detail))
            assert reason.message[0].islower()

    def test_mismatch_after_locked(self) -> None:
        credit = attrs.evolve(coded(stored="9999"), locked=True)
        decision = check_credit_redemption(credit, 30, at=AT, security_code="1")
        assert codes(decision) == ["locked", "security_code_mismatch", "insufficient_value"]

    def test_static_failure_has_no_retry(self) -> None:
        credit = attrs.evolve(coded(require=True), locked=True, lock_expires_at=LOCK_END)
        decision = check_credit_redemption(credit, 1, at=utc("2025-06-01 09:00:00"))
        assert codes(decision) == ["locked", "security_code_required"]
        assert decision.retry_at is None

    def test_retry_waits_for_every_timed_rule(self) -> None:
        credit = Credit(
            value_initial=Decimal(5),
            released_at=utc("2025-06-01 08:00:00"),
            locked=True,
            lock_expires_at=LOCK_END,
        )
        decision = check_credit_redemption(credit, 1, at=utc("2025-06-01 07:00:00"))
        assert codes(decision) == ["not_released", "locked"]
        assert decision.retry_at == LOCK_END

    def test_allowed_retries_at_expiry(self) -> None:
        decision = check_credit_redemption(PLAIN, 1, at=AT)
        assert decision.allowed
        assert decision.retry_at == EXPIRES + US

    def test_unlocked_lock_expiry_is_no_candidate(self) -> None:
        credit = Credit(value_initial=Decimal(1), lock_expires_at=LOCK_END)
        assert check_credit_redemption(credit, 1, at=LOCK_END - US).retry_at is None

    def test_retry_from_computed_release(self) -> None:
        decision = check_credit_redemption(RELEASING, 1, at=RELEASING.issued_at)  # type: ignore[arg-type]
        assert codes(decision) == ["not_released"]
        assert decision.retry_at == utc("2025-03-12 18:20:00")


# --- CRD-13: redemption ----------------------------------------------------------------------


class TestRedeem:
    """CRD-13: redeem_credit is all-or-nothing and subtracts amount from value_remaining."""

    def test_subtracts_exactly(self) -> None:
        result = redeem_credit(PLAIN, "12.5", at=AT)
        assert isinstance(result, CreditRedemption)
        assert result.decision.allowed
        assert result.credit.value_remaining == Decimal("7.50")
        assert str(result.credit.value_remaining) == "7.50"
        assert attrs.evolve(result.credit, value_remaining=Decimal("20.00")) == PLAIN

    def test_refused_changes_nothing(self) -> None:
        result = redeem_credit(PLAIN, 30, at=AT)
        assert codes(result.decision) == ["insufficient_value"]
        assert result.credit is PLAIN

    def test_same_decision_as_check(self) -> None:
        for amount, at in ((30, AT), (1, AT), (1, EXPIRES + US)):
            check = check_credit_redemption(PLAIN, amount, at=at, security_code="x")
            assert redeem_credit(PLAIN, amount, at=at, security_code="x").decision == check

    def test_no_rounding_beyond_28_digits(self) -> None:
        # 18 digits before the point and 18 after: the most the money limits allow.
        credit = Credit(value_initial=Decimal("100000000000000000.0000"))
        amount = "0.000000000000000001"
        result = redeem_credit(credit, amount, at=AT)
        assert result.credit.value_remaining == Decimal("99999999999999999.999999999999999999")
        assert result.credit.value_remaining + Decimal(amount) == credit.value_initial

    def test_use_it_all_then_nothing_left(self) -> None:
        first = redeem_credit(PLAIN, "20.00", at=AT).credit
        assert first.value_remaining == 0
        assert codes(redeem_credit(first, "0.01", at=AT).decision) == ["insufficient_value"]

    def test_result_is_frozen(self) -> None:
        result = redeem_credit(PLAIN, 1, at=AT)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            result.credit = PLAIN  # type: ignore[misc]


# --- CRD-14 to CRD-16: Edit Credit -----------------------------------------------------------

BASE = Credit(
    id=3,
    timezone=MELBOURNE,
    value_initial=Decimal(50),
    value_remaining=Decimal("20.00"),
    recipient_email="old@example.com",
    recipient_first_name="Jo",
    issued_at=utc("2025-01-01 00:00:00"),
    expires_at=utc("2025-12-31 12:59:59"),
    released_at=utc("2025-01-08 00:00:00"),
    extended_at=utc("2025-02-01 00:00:00"),
    lock_expires_at=utc("2025-03-01 00:00:00"),
    locked=True,
    is_imported=True,
    location_id=9,
    meta=("old",),
    security_code="9999",
    definition=CreditDefinition(release_period=7, period=30),
)
DATE_KEYS = ("issued_at", "expires_at", "released_at", "extended_at", "lock_expires_at")
TEXT_KEYS = (
    "recipient_first_name",
    "message",
    "profile_id",
    "creator_profile_id",
    "external_id",
    "external_namespace",
    "credit_number",
    "security_code",
    "location_external_id",
    "location_external_code",
)

ACCEPTED: list[Any] = [
    pytest.param("value_initial", 50, Decimal(50), id="CRD-15-value_initial-int"),
    pytest.param("value_initial", "60.00", Decimal("60.00"), id="CRD-15-value_initial-string"),
    pytest.param("value_initial", 20.5, Decimal("20.5"), id="CRD-15-value_initial-float"),
    pytest.param("value_initial", "20.00", Decimal("20.00"), id="CRD-16-initial-equals-remaining"),
    pytest.param("value_remaining", "0", Decimal(0), id="CRD-15-value_remaining-zero"),
    pytest.param("value_remaining", 50, Decimal(50), id="CRD-16-remaining-equals-initial"),
    pytest.param("value_remaining", None, Decimal("20.00"), id="CRD-15-value_remaining-null-keeps"),
    pytest.param("recipient_email", "jsmith@example.com", "jsmith@example.com", id="CRD-15-email"),
    pytest.param(
        "recipient_email",
        "o'neil.j+tag@mail.example-shop.com.au",
        "o'neil.j+tag@mail.example-shop.com.au",
        id="CRD-15-email-special-characters",
    ),
    pytest.param("recipient_email", None, None, id="CRD-15-email-null"),
    pytest.param("locked", False, False, id="CRD-15-locked-false"),
    pytest.param("locked", True, True, id="CRD-15-locked-true"),
    pytest.param("is_imported", False, False, id="CRD-15-is_imported-false"),
    pytest.param("is_imported", None, None, id="CRD-15-is_imported-null"),
    pytest.param("location_id", 123, 123, id="CRD-15-location_id"),
    pytest.param("location_id", 30.0, 30, id="CRD-15-location_id-integral-float"),
    pytest.param("location_id", -4, -4, id="CRD-15-location_id-negative-id"),
    pytest.param("location_id", None, None, id="CRD-15-location_id-null"),
    pytest.param("meta", ["a", "b"], ("a", "b"), id="CRD-15-meta"),
    pytest.param("meta", [], (), id="CRD-15-meta-empty"),
    pytest.param("meta", None, None, id="CRD-15-meta-null"),
    *(
        pytest.param(key, value, expected, id=f"CRD-15-{key}-{label}")
        for key in DATE_KEYS
        for value, expected, label in (
            ("2023-11-07T05:31:56Z", utc("2023-11-07 05:31:56"), "instant"),
            ("2023-11-07T05:31:56+10:00", utc("2023-11-06 19:31:56"), "offset"),
            ("2023-11-07 05:31:56.25Z", utc("2023-11-07 05:31:56.25"), "fraction"),
            ("2026-01-31 23:59:59", utc("2026-01-31 12:59:59"), "naive-melbourne"),
            ("2026-01-31", utc("2026-01-30 13:00:00"), "bare-date-melbourne"),
            (datetime(2026, 1, 31, 23, 59, 59), utc("2026-01-31 12:59:59"), "naive-datetime"),
            (utc("2026-01-31 23:59:59"), utc("2026-01-31 23:59:59"), "aware-datetime"),
            (None, None, "null"),
        )
    ),
    *(
        pytest.param(key, value, value, id=f"CRD-15-{key}-{label}")
        for key in TEXT_KEYS
        for value, label in (("x Y 1", "string"), ("", "empty"), (None, "null"))
    ),
]


REJECTED: list[Any] = [
    pytest.param("value_initial", None, id="CRD-15-value_initial-null"),
    pytest.param("value_initial", -1, id="CRD-15-value_initial-negative"),
    pytest.param("value_initial", True, id="CRD-15-value_initial-bool"),
    pytest.param("value_initial", "1e3", id="CRD-15-value_initial-exponent"),
    pytest.param("value_initial", "ten", id="CRD-15-value_initial-text"),
    pytest.param("value_initial", float("inf"), id="CRD-15-value_initial-infinity"),
    pytest.param("value_remaining", "-0.01", id="CRD-15-value_remaining-negative"),
    pytest.param("value_remaining", "12,50", id="CRD-15-value_remaining-comma"),
    pytest.param("value_remaining", False, id="CRD-15-value_remaining-bool"),
    pytest.param("value_remaining", [1], id="CRD-15-value_remaining-list"),
    pytest.param("recipient_email", "jsmith@example", id="CRD-15-email-no-dot"),
    pytest.param("recipient_email", "j smith@example.com", id="CRD-15-email-space"),
    pytest.param("recipient_email", "jsmith@example.com ", id="CRD-15-email-trailing-space"),
    pytest.param("recipient_email", "jsmith@example.com\n", id="CRD-15-email-trailing-newline"),
    pytest.param("recipient_email", "jsmith@@example.com", id="CRD-15-email-two-at"),
    pytest.param("recipient_email", "@example.com", id="CRD-15-email-no-local-part"),
    pytest.param("recipient_email", "jsmith@-example.com", id="CRD-15-email-label-hyphen"),
    pytest.param("recipient_email", "jsmith@example..com", id="CRD-15-email-empty-label"),
    pytest.param("recipient_email", "jsmith", id="CRD-15-email-no-at"),
    pytest.param("recipient_email", 5, id="CRD-15-email-number"),
    pytest.param("locked", None, id="CRD-15-locked-null"),
    pytest.param("locked", "true", id="CRD-15-locked-string"),
    pytest.param("locked", 1, id="CRD-15-locked-one"),
    pytest.param("is_imported", "false", id="CRD-15-is_imported-string"),
    pytest.param("is_imported", 0, id="CRD-15-is_imported-zero"),
    pytest.param("location_id", "123", id="CRD-15-location_id-string"),
    pytest.param("location_id", 1.5, id="CRD-15-location_id-fraction"),
    pytest.param("location_id", True, id="CRD-15-location_id-bool"),
    pytest.param("meta", "a", id="CRD-15-meta-string"),
    pytest.param("meta", [1], id="CRD-15-meta-number-item"),
    pytest.param("meta", {"a": "b"}, id="CRD-15-meta-object"),
    *(
        pytest.param(key, value, id=f"CRD-15-{key}-{label}")
        for key in DATE_KEYS
        for value, label in (
            ("2023-11-07T05:31:56", "T-without-offset"),
            ("2021-02-30 10:00:00", "impossible-date"),
            ("07/11/2023", "other-shape"),
            ("2023-11-07 24:00:00", "hour-24"),
            ("2023-11-07 05:31", "no-seconds"),
            ("2023-11-07T05:31:56.1234567Z", "seven-fraction-digits"),
            ("0001-01-01 00:00:00", "before-representable"),
            (1699335116, "number"),
            (True, "bool"),
        )
    ),
    *(
        pytest.param(key, value, id=f"CRD-15-{key}-{label}")
        for key in TEXT_KEYS
        for value, label in ((5, "number"), (False, "bool"), (["x"], "list"))
    ),
]


class TestEditFields:
    """CRD-15: every field of the Edit Credit body, accepted and rejected."""

    @pytest.mark.parametrize(("key", "value", "expected"), ACCEPTED)
    def test_accepted(self, key: str, value: Any, expected: Any) -> None:
        edited = edit_credit(BASE, {key: value})
        assert getattr(edited, key) == expected
        assert type(getattr(edited, key)) is type(expected)
        # CRD-14: nothing else changes.
        assert attrs.evolve(edited, **{key: getattr(BASE, key)}) == BASE

    @pytest.mark.parametrize(("key", "value"), REJECTED)
    def test_rejected(self, key: str, value: Any) -> None:
        with pytest.raises(PayloadError) as caught:
            edit_credit(BASE, {key: value})
        found = problems(caught.value)
        assert list(found) == [f"$.{key}"]
        assert repr(value) in found[f"$.{key}"]

    def test_every_body_key_covered(self) -> None:
        keys = {key for param in ACCEPTED for key in param.values[:1]}
        assert keys == {
            *DATE_KEYS,
            *TEXT_KEYS,
            "value_initial",
            "value_remaining",
            "recipient_email",
            "locked",
            "is_imported",
            "location_id",
            "meta",
        }

    def test_all_fields_at_once(self) -> None:
        body = {
            "issued_at": "2023-11-07T05:31:56Z",
            "expires_at": "2023-11-07T05:31:56Z",
            "released_at": "2023-11-07T05:31:56Z",
            "recipient_first_name": "Ann",
            "recipient_email": "jsmith@example.com",
            "message": "hi",
            "profile_id": "p-1",
            "creator_profile_id": "p-2",
            "extended_at": "2023-11-07T05:31:56Z",
            "value_initial": 1,
            "value_remaining": 1,
            "external_id": "e",
            "external_namespace": "n",
            "credit_number": "c",
            "security_code": "s",
            "location_id": 123,
            "location_external_id": "l",
            "location_external_code": "lc",
            "locked": True,
            "lock_expires_at": "2023-11-07T05:31:56Z",
            "is_imported": True,
            "meta": ["m"],
        }
        edited = edit_credit(BASE, body)
        assert edited.value_initial == edited.value_remaining == 1
        assert edited.meta == ("m",)
        assert edited.id == BASE.id
        assert edited.definition == BASE.definition
        assert Credit(**attrs.asdict(edited, recurse=False)) == edited


class TestEditMerge:
    """CRD-14: a present key replaces its field, an absent key keeps it, unknown keys ignored."""

    @pytest.mark.parametrize(
        "changes",
        [
            pytest.param({}, id="CRD-14-empty"),
            pytest.param({"foo": 1}, id="CRD-14-unknown-key"),
            pytest.param({"timezone": "UTC", "id": 4}, id="CRD-14-not-body-keys"),
            pytest.param({"definition": None, "has_notified_issue": True}, id="CRD-14-more-keys"),
            pytest.param({"value_remaining": None}, id="CRD-15-null-remaining-keeps"),
            pytest.param({1: "x"}, id="CRD-14-non-string-key"),
        ],
    )
    def test_unchanged(self, changes: dict[Any, Any]) -> None:
        assert edit_credit(BASE, changes) == BASE

    @pytest.mark.parametrize(
        "changes",
        [
            pytest.param([], id="CRD-14-list"),
            pytest.param("{}", id="CRD-14-string"),
            pytest.param(None, id="CRD-14-null"),
            pytest.param(5, id="CRD-14-number"),
        ],
    )
    def test_not_a_mapping(self, changes: object) -> None:
        with pytest.raises(PayloadError) as caught:
            edit_credit(BASE, changes)
        assert list(problems(caught.value)) == ["$"]
        assert repr(changes) in str(caught.value)

    def test_credit_must_be_a_credit(self) -> None:
        with pytest.raises(InvalidRequest, match="credit"):
            edit_credit(BASE.to_api(), {})  # type: ignore[arg-type]

    def test_expiry_and_release_never_recomputed(self) -> None:
        edited = edit_credit(BASE, {"issued_at": "2030-01-01 00:00:00"})
        assert edited.issued_at == utc("2029-12-31 13:00:00")
        assert edited.expires_at == BASE.expires_at
        assert edited.released_at == BASE.released_at
        cleared = edit_credit(BASE, {"expires_at": None, "released_at": None})
        assert cleared.expires_at is None
        assert cleared.released_at is None

    def test_every_problem_in_one_error(self) -> None:
        with pytest.raises(PayloadError) as caught:
            edit_credit(
                BASE,
                {"value_initial": 10, "locked": None, "meta": "x", "recipient_email": ""},
            )
        assert problems(caught.value) == {
            "$.recipient_email": "expected an email address such as 'jsmith@example.com', got ''",
            "$.locked": "must not be null, got None",
            "$.meta": "expected an array of strings, got 'x'",
            "$.value_remaining": "20.00 exceeds $.value_initial 10",
        }

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            pytest.param(
                {"value_initial": "19.99"},
                "$.value_remaining: 20.00 exceeds $.value_initial 19.99",
                id="CRD-16-initial-below-remaining",
            ),
            pytest.param(
                {"value_remaining": "50.01"},
                "$.value_remaining: 50.01 exceeds $.value_initial 50",
                id="CRD-16-remaining-above-initial",
            ),
            pytest.param(
                {"value_initial": 0, "value_remaining": "0.001"},
                "$.value_remaining: 0.001 exceeds $.value_initial 0",
                id="CRD-16-both-given",
            ),
        ],
    )
    def test_value_invariant(self, changes: dict[str, Any], message: str) -> None:
        with pytest.raises(PayloadError) as caught:
            edit_credit(BASE, changes)
        assert str(caught.value) == message

    def test_both_values_changed_together(self) -> None:
        edited = edit_credit(BASE, {"value_initial": 10, "value_remaining": "2.5"})
        assert (edited.value_initial, edited.value_remaining) == (Decimal(10), Decimal("2.5"))

    def test_no_value_check_when_a_value_is_bad(self) -> None:
        with pytest.raises(PayloadError) as caught:
            edit_credit(BASE, {"value_initial": 10, "value_remaining": -1})
        assert list(problems(caught.value)) == ["$.value_remaining"]

    def test_null_remaining_with_lower_initial(self) -> None:
        with pytest.raises(PayloadError, match=r"\$\.value_remaining: 20\.00 exceeds"):
            edit_credit(BASE, {"value_initial": "19", "value_remaining": None})


class TestEditDates:
    """CRD-15 (Q35): naive dates in the body are wall times in the credit's zone (CRD-1, TIME-5)."""

    @pytest.mark.parametrize(
        ("own", "definition", "wall", "expected"),
        [
            pytest.param(
                NEW_YORK, None, "2026-03-08 02:30:00", utc("2026-03-08 07:30:00"), id="TIME-5-gap"
            ),
            pytest.param(
                NEW_YORK, None, "2026-11-01 01:30:00", utc("2026-11-01 05:30:00"), id="TIME-5-fold"
            ),
            pytest.param(
                None, MELBOURNE, "2026-01-31 23:59:59", utc("2026-01-31 12:59:59"), id="CRD-1-def"
            ),
            pytest.param(
                None, None, "2026-01-31 23:59:59", utc("2026-01-31 23:59:59"), id="CRD-1-utc"
            ),
        ],
    )
    def test_zone(
        self, own: str | None, definition: str | None, wall: str, expected: datetime
    ) -> None:
        credit = Credit(
            value_initial=Decimal(1), timezone=own, definition=CreditDefinition(timezone=definition)
        )
        assert edit_credit(credit, {"lock_expires_at": wall}).lock_expires_at == expected

    def test_stored_in_utc(self) -> None:
        edited = edit_credit(BASE, {"issued_at": "2023-11-07T05:31:56+10:00"})
        assert edited.issued_at is not None
        assert edited.issued_at.tzinfo is UTC


def test_a_redeemed_credit_is_the_credit_with_less_remaining() -> None:
    """CRD-5: redeeming copies the credit with a smaller remainder and nothing else changes.

    The copy is made without re-checking fields (``_value_items.with_remaining``, shared with
    rewards); it must equal what ``attrs.evolve`` builds and checks, unknown keys included.
    """
    credit = Credit.from_api(
        {
            "id": 7,
            "profile_id": "p-1",
            "value_initial": "50.00",
            "value_remaining": "20.00",
            "security_code": "1234",
            "expires_at": "2027-01-01 12:59:59",
            "definition": {"id": 3, "timezone": "Australia/Melbourne", "max_value": "100.00"},
            "platform_only": {"kept": True},
        }
    )
    used = redeem_credit(credit, "12.50", at=utc("2026-06-01 00:00:00"), security_code="1234")
    assert used.decision.allowed
    assert used.credit == attrs.evolve(credit, value_remaining=Decimal("7.50"))
    assert used.credit.to_api() == {**credit.to_api(), "value_remaining": "7.50"}
    assert credit.value_remaining == Decimal("20.00")  # the original is untouched
