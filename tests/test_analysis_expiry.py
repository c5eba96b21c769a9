"""expiry_table (issue 14 point 4): typed dates, the definition, what remains, used-up items.

Local dates follow TIME-4 in each item's zone (TIME-3, CRD-1); an item is used up when nothing
is left to redeem (RED-1, RWD-1, CRD-12), and such items are left out unless asked for.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty_core import (
    Benefit,
    BenefitDefinition,
    Credit,
    CreditDefinition,
    InvalidRequest,
    Reward,
    RewardDefinition,
    check_redemption,
    is_reward_active,
    redeem_benefit,
    redeem_credit,
    redeem_rewards,
    reward_balance,
)
from loyalty_core.analysis import expiry_table
from loyalty_core.testing.strategies import benefits, rewards
from loyalty_core.testing.strategies import credits as credit_items
from tests.frames import rows
from tests.helpers import budget, utc

MELBOURNE: Final = "Australia/Melbourne"
AT: Final = utc("2026-03-01 00:00:00")
SETTINGS: Final = settings(max_examples=budget(60), suppress_health_check=[HealthCheck.too_slow])


def reward(n: int, expires: str, **fields: Any) -> Reward:
    return Reward(
        id=n,
        timezone=fields.pop("timezone", MELBOURNE),
        value_initial=fields.pop("value_initial", Decimal("10.00")),
        issued_at=utc("2026-01-01 00:00:00"),
        expires_at=utc(expires),
        **fields,
    )


def week_of_items() -> list[Reward]:
    """Rewards expiring on local Mondays 2 and 9 March and Sunday 15 March 2026, in Melbourne."""
    return [
        reward(1, "2026-03-01 13:59:59"),  # Mon 2 March 00:59:59 AEDT, still 1 March in UTC
        reward(2, "2026-03-09 12:59:59"),  # Mon 9 March 23:59:59 AEDT
        reward(3, "2026-03-09 13:00:00"),  # Tue 10 March 00:00 AEDT
        reward(4, "2026-03-15 12:59:59"),  # Sun 15 March 23:59:59 AEDT
    ]


class TestTypedDates:
    """Dates are date columns: `.dt` and `resample` work in pandas, Date/Datetime in polars."""

    def test_dt_works_on_expires_on(self) -> None:
        table = expiry_table(week_of_items())
        assert table["expires_on"].dt.year.to_list() == [2026] * 4
        assert table["expires_on"].dt.day.to_list() == [2, 9, 10, 15]
        assert table["expires_on"].dt.day_name().to_list() == [
            "Monday",
            "Monday",
            "Tuesday",
            "Sunday",
        ]

    def test_expires_on_is_the_local_midnight(self) -> None:
        table = expiry_table(week_of_items())
        assert str(table["expires_on"].dtype).startswith("datetime64")
        assert table["expires_on"].dt.tz is None
        assert table["expires_on"].iloc[0] == pd.Timestamp("2026-03-02 00:00:00")
        assert (table["expires_on"] == table["expires_on"].dt.normalize()).all()

    def test_resample_by_week(self) -> None:
        table = expiry_table(week_of_items())
        weekly = table.resample("W-SUN", on="expires_on")["id"].count()
        assert weekly.to_dict() == {
            pd.Timestamp("2026-03-08"): 1,  # the week to Sunday 8 March: 2 March
            pd.Timestamp("2026-03-15"): 3,  # 9, 10 and 15 March
        }

    def test_expires_local_is_typed_too(self) -> None:
        table = expiry_table(week_of_items())
        assert str(table["expires_local"].dtype).startswith("datetime64")
        assert table["expires_local"].dt.hour.to_list() == [0, 23, 0, 23]

    def test_a_never_expiring_item_is_nat(self) -> None:
        table = expiry_table([attrs.evolve(week_of_items()[0], expires_at=None)])
        assert table["expires_on"].isna().all()
        assert str(table["expires_on"].dtype).startswith("datetime64")

    def test_the_years_1_and_9999_fit(self) -> None:
        first = Reward(id=1, value_initial=Decimal(1), expires_at=utc("0001-01-02 12:00:00"))
        last = Reward(id=2, value_initial=Decimal(1), expires_at=utc("9999-12-30 23:59:59"))
        table = expiry_table([first, last])
        assert table["expires_on"].dt.year.to_list() == [1, 9999]

    def test_polars_types(self) -> None:
        table = expiry_table(week_of_items(), backend="polars")
        assert table.schema["expires_on"] == pl.Date
        assert table.schema["expires_local"] == pl.Datetime("us")
        assert table.schema["expires_at"] == pl.Datetime("us", "UTC")
        assert table["expires_on"].to_list()[:2] == [date(2026, 3, 2), date(2026, 3, 9)]
        assert table["expires_on"].dt.weekday().to_list() == [1, 1, 2, 7]

    def test_an_empty_table_keeps_its_types(self) -> None:
        table = expiry_table([])
        assert str(table["expires_on"].dtype).startswith("datetime64")
        assert expiry_table([], backend="polars").schema["expires_on"] == pl.Date


class TestDefinition:
    """The `definition` column: the embedded definition's handle, else #id, else null."""

    def test_each_kind(self) -> None:
        items: list[Any] = [
            Benefit(id=1, definition=BenefitDefinition(handle="spend-1000")),
            Benefit(id=2, definition=BenefitDefinition(id=101)),
            Reward(id=3, value_initial=Decimal(1), definition=RewardDefinition(handle="welcome")),
            Reward(id=4, value_initial=Decimal(1)),
            Credit(id=5, value_initial=Decimal(1), definition=CreditDefinition(handle="gift")),
            Credit(id=6, value_initial=Decimal(1), credit_definition_id=77),
            Credit(id=7, value_initial=Decimal(1)),
        ]
        expected = ["spend-1000", "#101", "welcome", None, "gift", "#77", None]
        assert expiry_table(items, backend="polars")["definition"].to_list() == expected
        table = expiry_table(items)
        assert table["definition"].isna().to_list() == [e is None for e in expected]
        assert table["definition"].dropna().to_list() == [e for e in expected if e is not None]


class TestRemaining:
    """What remains is the item's own: value for rewards and credits, redemptions for benefits."""

    def test_remaining_value_is_the_reward_balance(self) -> None:
        partly = reward(1, "2026-12-31 12:59:59", value_remaining=Decimal("2.50"))
        whole = reward(2, "2026-12-31 12:59:59")
        table = expiry_table([partly, whole])
        for item, value in zip([partly, whole], table["remaining_value"], strict=True):
            assert value == reward_balance([item], at=AT)  # RWD-2 of an active reward
        assert list(table["remaining_value"]) == [Decimal("2.50"), Decimal("10.00")]

    def test_after_a_redemption(self) -> None:
        (spent,) = redeem_rewards([reward(1, "2026-12-31 12:59:59")], "7.25", at=AT).rewards
        (row,) = rows(expiry_table([spent]))
        assert row["remaining_value"] == Decimal("2.75")
        assert row["remaining_count"] is None or pd.isna(row["remaining_count"])

    def test_a_credits_remaining_value(self) -> None:
        credit = Credit(id=1, value_initial=Decimal(50), value_remaining=Decimal("12.34"))
        assert rows(expiry_table([credit]))[0]["remaining_value"] == Decimal("12.34")

    def test_remaining_count_of_a_benefit(self) -> None:
        definition = BenefitDefinition(max_redemptions=3)
        fresh = Benefit(id=1, definition=definition)  # null: the definition's max (PAY-9)
        used = redeem_benefit(fresh, at=AT, count=2).benefit
        unlimited = Benefit(id=2, definition=BenefitDefinition())
        got = rows(expiry_table([fresh, used, unlimited]))
        assert [row["remaining_count"] for row in got[:2]] == [3, 1]
        assert pd.isna(got[2]["remaining_count"])  # no limit
        assert all(row["remaining_value"] is None for row in got)

    def test_polars_money_is_exact(self) -> None:
        items = [
            reward(1, "2026-12-31 12:59:59", value_remaining=Decimal("2.5")),
            reward(2, "2026-12-31 12:59:59", value_initial=Decimal("0.001")),
        ]
        table = expiry_table(items, backend="polars")
        assert isinstance(table.schema["remaining_value"], pl.Decimal)
        assert table["remaining_value"].to_list() == [Decimal("2.5"), Decimal("0.001")]
        assert table.schema["remaining_count"] == pl.Int64

    def test_column_order(self) -> None:
        assert list(expiry_table([], used_up="flag").columns) == [
            "kind",
            "id",
            "profile_id",
            "definition",
            "timezone",
            "issued_at",
            "expires_at",
            "expires_local",
            "expires_on",
            "remaining_value",
            "remaining_count",
            "used_up",
        ]


def used_up_items() -> list[Any]:
    """A used-up reward, benefit and credit (each by the library's redemption), and live ones."""
    live_reward = reward(1, "2026-12-31 12:59:59")
    (spent_reward,) = redeem_rewards([attrs.evolve(live_reward, id=2)], "10.00", at=AT).rewards
    live_benefit = Benefit(id=3, definition=BenefitDefinition(max_redemptions=1))
    spent_benefit = redeem_benefit(attrs.evolve(live_benefit, id=4), at=AT).benefit
    live_credit = Credit(id=5, value_initial=Decimal(20))
    spent_credit = redeem_credit(attrs.evolve(live_credit, id=6), 20, at=AT).credit
    return [live_reward, spent_reward, live_benefit, spent_benefit, live_credit, spent_credit]


# Built once, not in every draw.
_ANY_ITEM: Final = st.one_of(benefits(), rewards(), credit_items())
_LEFT: Final = st.sampled_from([None, 0, 1])


@st.composite
def items_some_spent(draw: st.DrawFn) -> Any:
    """A benefit, reward or credit; about half of them with 0 or 1 left to redeem."""
    item = draw(_ANY_ITEM)
    left = draw(_LEFT)
    if left is None:
        return item
    if isinstance(item, Benefit):
        return attrs.evolve(item, redemptions_remaining=left)
    return attrs.evolve(item, value_remaining=min(Decimal(left), item.value_initial))


class TestUsedUp:
    """Nothing left to redeem (RED-1, RWD-1, CRD-12): left out by default, or flagged."""

    def test_the_redemptions_used_everything(self) -> None:
        items = used_up_items()
        assert [i.id for i in items] == [1, 2, 3, 4, 5, 6]
        assert items[1].value_remaining == 0
        assert items[3].redemptions_remaining == 0
        assert items[5].value_remaining == 0

    def test_excluded_by_default(self) -> None:
        assert list(expiry_table(used_up_items())["id"]) == [1, 3, 5]
        polars = expiry_table(used_up_items(), backend="polars")
        assert polars["id"].to_list() == [1, 3, 5]
        assert "used_up" not in polars.columns

    def test_flagged(self) -> None:
        table = expiry_table(used_up_items(), used_up="flag")
        assert list(table["id"]) == [1, 2, 3, 4, 5, 6]
        assert list(table["used_up"]) == [False, True, False, True, False, True]
        assert table["used_up"].dtype == bool

    def test_included(self) -> None:
        table = expiry_table(used_up_items(), used_up="include")
        assert list(table["id"]) == [1, 2, 3, 4, 5, 6]
        assert "used_up" not in table.columns

    def test_a_global_cap_does_not_use_a_benefit_up(self) -> None:
        """RED-1 counts the instance's own redemptions; RED-9's global cap is the definition's."""
        capped = BenefitDefinition(max_global_redemptions=5, total_global_redemptions=5)
        benefit = Benefit(id=1, redemptions_remaining=2, definition=capped)
        assert benefit.total_global_redemptions_remaining == 0
        (row,) = rows(expiry_table([benefit]))
        assert row["remaining_count"] == 2

    @pytest.mark.parametrize("used_up", [True, False, "flagged", None])
    def test_bad_choice_is_named(self, used_up: Any) -> None:
        with pytest.raises(InvalidRequest, match=r"^used_up: expected 'exclude', 'flag'"):
            expiry_table(used_up_items(), used_up=used_up)

    @SETTINGS
    @given(items=st.lists(items_some_spent(), max_size=6))
    def test_exactly_the_used_up_items_are_flagged(self, items: list[Any]) -> None:
        """Used up is each rule's own verdict; the default leaves exactly those out, in order."""
        expected = []
        for item in items:
            timeless = attrs.evolve(item, issued_at=None, expires_at=None)
            if isinstance(item, Benefit):
                codes = check_redemption(timeless, at=AT).codes
                expected.append(any(code.value == "redemptions_exhausted" for code in codes))
            elif isinstance(item, Reward):
                expected.append(not is_reward_active(timeless, at=AT))
            else:
                expected.append(item.value_remaining == Decimal(0))
        flagged = rows(expiry_table(items, used_up="flag", backend="polars"))
        assert [row["used_up"] for row in flagged] == expected
        kept = rows(expiry_table(items))
        assert len(kept) == expected.count(False)
        live = [item for item, spent in zip(items, expected, strict=True) if not spent]
        for row, item in zip(kept, live, strict=True):
            assert row["kind"] == type(item).__name__.lower()
            if item.expires_at is None:
                assert row["expires_on"] is None
            else:
                local = item.expires_at.astimezone(item.zone)
                assert row["expires_on"] == pd.Timestamp(local.date())
            if isinstance(item, Benefit):
                assert row["remaining_value"] is None
            else:
                assert row["remaining_value"] == item.value_remaining


def test_the_docstring_example_sunday() -> None:
    """Melbourne's 2026-04-05 13:59:59Z is 23:59:59 AEST on Sunday 5 April (after DST ends)."""
    item = reward(7, "2026-04-05 13:59:59")
    (row,) = rows(expiry_table([item], backend="polars"))
    assert row["expires_on"] == date(2026, 4, 5)
    assert row["expires_local"] == datetime(2026, 4, 5, 23, 59, 59)
    assert row["expires_at"] == datetime(2026, 4, 5, 13, 59, 59, tzinfo=UTC)


class TestHostileInput:
    """Bad arguments are InvalidRequest at their parameter, never another error."""

    @pytest.mark.parametrize(
        "used_up",
        [
            pytest.param(pd.Series(["flag"]), id="series"),
            pytest.param(np.array(["flag"]), id="array"),
            pytest.param(["flag"], id="list"),
        ],
    )
    def test_a_used_up_that_is_not_text_is_named(self, used_up: Any) -> None:
        with pytest.raises(InvalidRequest, match=r"^used_up: expected 'exclude', 'flag'"):
            expiry_table(used_up_items(), used_up=used_up)

    def test_deeply_nested_mappings_are_refused_at_their_path(self) -> None:
        nested: Any = []
        for _ in range(10_000):
            nested = {"p": nested}
        with pytest.raises(InvalidRequest) as error:
            expiry_table(nested)
        assert [p.where for p in error.value.problems] == ["items['p']"]
        assert len(str(error.value)) < 300

    def test_a_mapping_of_owners_takes_an_item_or_an_iterable(self) -> None:
        one, two = reward(1, "2026-03-02 00:00:00"), reward(2, "2026-03-03 00:00:00")
        got = rows(expiry_table({"p-1": one, "p-2": (item for item in [two])}))
        assert [(row["id"], row["profile_id"]) for row in got] == [(1, "p-1"), (2, "p-2")]
        with pytest.raises(InvalidRequest, match=r"^items\['p-1'\]: expected a Benefit"):
            expiry_table({"p-1": {"p-2": one}})
