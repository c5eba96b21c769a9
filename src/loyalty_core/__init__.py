"""loyalty_core: exact, explainable loyalty-programme rules as pure functions.

Everything here is pure: no clock reads (the instant is always an argument), no I/O, no
mutation of arguments. Values are immutable attrs classes; a business "no" is a
:class:`Decision`, and exceptions (all :class:`LoyaltyError`) are for bad input only.

>>> from datetime import UTC, datetime
>>> import loyalty_core as lc
>>> str(lc.compute_expiry(datetime(2021, 3, 5, 0, 6, 51, tzinfo=UTC), timezone="UTC",
...                       period=50))
'2021-04-24 23:59:59+00:00'
"""

from loyalty_core.benefits import Benefit, BenefitDefinition, ClaimTimeframe
from loyalty_core.claims import ClaimResult, check_claim, claim_benefit, is_visible
from loyalty_core.conditions import Condition
from loyalty_core.credits import (
    Credit,
    CreditDefinition,
    CreditRedemption,
    check_credit_redemption,
    is_locked,
    is_released,
    redeem_credit,
    release_at,
)
from loyalty_core.decisions import Decision, DecisionJSON, Reason, ReasonCode, ReasonJSON
from loyalty_core.errors import ConditionError, InvalidRequest, LoyaltyError, PayloadError, Problem
from loyalty_core.extension import ExtensionResult, extend, extend_request
from loyalty_core.notifications import NotificationSchedule, notification_schedule
from loyalty_core.payloads import (
    ClaimRequest,
    CreditChanges,
    ExtendRequest,
    edit_credit,
    parse_claim_request,
    parse_edit_credit_request,
    parse_extend_request,
    parse_instant,
    parse_redeem_request,
)
from loyalty_core.periods import PeriodType, compute_expiry, is_expired
from loyalty_core.policy import DEFAULT_POLICY, Policy
from loyalty_core.profiles import Profile
from loyalty_core.records import Redemption, RedemptionItem
from loyalty_core.redemptions import (
    RedemptionResult,
    check_redemption,
    claim_and_redeem,
    redeem_benefit,
    return_redemption,
)
from loyalty_core.rewards import (
    Reward,
    RewardDefinition,
    RewardRedemption,
    is_reward_active,
    redeem_rewards,
    reward_balance,
)

__all__ = [
    "DEFAULT_POLICY",
    "Benefit",
    "BenefitDefinition",
    "ClaimRequest",
    "ClaimResult",
    "ClaimTimeframe",
    "Condition",
    "ConditionError",
    "Credit",
    "CreditChanges",
    "CreditDefinition",
    "CreditRedemption",
    "Decision",
    "DecisionJSON",
    "ExtendRequest",
    "ExtensionResult",
    "InvalidRequest",
    "LoyaltyError",
    "NotificationSchedule",
    "PayloadError",
    "PeriodType",
    "Policy",
    "Problem",
    "Profile",
    "Reason",
    "ReasonCode",
    "ReasonJSON",
    "Redemption",
    "RedemptionItem",
    "RedemptionResult",
    "Reward",
    "RewardDefinition",
    "RewardRedemption",
    "check_claim",
    "check_credit_redemption",
    "check_redemption",
    "claim_and_redeem",
    "claim_benefit",
    "compute_expiry",
    "edit_credit",
    "extend",
    "extend_request",
    "is_expired",
    "is_locked",
    "is_released",
    "is_reward_active",
    "is_visible",
    "notification_schedule",
    "parse_claim_request",
    "parse_edit_credit_request",
    "parse_extend_request",
    "parse_instant",
    "parse_redeem_request",
    "redeem_benefit",
    "redeem_credit",
    "redeem_rewards",
    "release_at",
    "return_redemption",
    "reward_balance",
]

__version__ = "0.1.0.dev0"
