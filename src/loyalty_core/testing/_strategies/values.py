"""The platform's values, profiles and policies, built through their constructors.

Private: import them from :mod:`loyalty_core.testing.strategies`. Each value's fields come
from its class's field table through :func:`~loyalty_core.testing._strategies.kinds.field_values`
(one strategy per field kind); what stays here is what a kind cannot know: the keyword-only
knobs (``claimable``, ``active_at``, ...) and the cross-field rules (``value_remaining <=
value_initial``, a claim window that does not end before it starts, flags and counters that
allow a claim, an issue and expiry around ``active_at``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from hypothesis import strategies as st

from loyalty_core.benefits import Benefit, BenefitDefinition
from loyalty_core.credits import Credit, CreditDefinition
from loyalty_core.errors import InvalidRequest, Problem
from loyalty_core.limits import show
from loyalty_core.policy import Policy
from loyalty_core.profiles import Profile
from loyalty_core.rewards import Reward, RewardDefinition
from loyalty_core.testing._strategies.conditions import (
    DEFAULT_PROFILE_SCHEMA,
    ProfileSchema,
    profile_contexts,
)
from loyalty_core.testing._strategies.instants import instants, stored_instants, utc_instant
from loyalty_core.testing._strategies.kinds import (
    COUNTS,
    FLAGS,
    NO_CONDITION,
    POSITIVE_COUNTS,
    TEXTS,
    as_strategy,
    condition_inputs,
    field_values,
    json_values,
    money,
    optional,
)


def _fields_of(
    cls: type[Any], *skip: str, schema: ProfileSchema = DEFAULT_PROFILE_SCHEMA
) -> st.SearchStrategy[dict[str, Any]]:
    """``cls``'s fields drawn by their kinds, but ``skip``; embedded values from this module."""
    return field_values(cls, skip=skip, schema=schema, nested=value_strategy)


@st.composite
def _money_pair(draw: st.DrawFn, *, positive: bool = False) -> tuple[Decimal, Decimal | None]:
    """``(value_initial, value_remaining)``: remaining ``<= initial``, or None (= initial)."""
    initial = draw(money(positive=positive))
    if draw(st.booleans()):
        return initial, None
    places = draw(st.integers(0, 4))
    top = int(initial.scaleb(places))  # the most units of 10**-places that fit in initial
    if positive and top < 1:
        return initial, None
    units = draw(st.integers(1 if positive else 0, top))
    return initial, Decimal(units).scaleb(-places)


# --- benefit definitions: the claim rules' fields (CLM) ----------------------------------------

# (is_claimable, is_archived, is_published, is_assignable) that refuse a claim (CLM-1 to CLM-4).
_REFUSING_FLAGS: Final = tuple(
    flags
    for flags in itertools.product((False, True), repeat=4)
    if flags != (True, False, True, True)
)


_CLAIM_FLAGS: Final = ("is_claimable", "is_archived", "is_published", "is_assignable")
_CLAIM_RULE_FIELDS: Final = (
    "claim_period_start_at",
    "claim_period_end_at",
    "end_at",
    *_CLAIM_FLAGS,
    "max_global_redemptions",
    "total_global_redemptions",
    "force_allocation",
    "total_allocations_remaining",
    "claim_condition",
    "view_condition",
    "visibility_condition",
)
"""The fields a benefit definition's knobs and cross-field rules draw; the rest by kind."""


def _claim_flags(draw: st.DrawFn, *, claimable: bool | None) -> dict[str, bool]:
    """The flags of CLM-1 to CLM-4: free, all allowing a claim, or at least one refusing."""
    if claimable is None:
        flags: tuple[bool, ...] = draw(st.tuples(FLAGS, FLAGS, FLAGS, FLAGS))
    elif claimable:
        flags = (True, False, True, True)
    else:
        flags = draw(st.sampled_from(_REFUSING_FLAGS))
    return dict(zip(_CLAIM_FLAGS, flags, strict=True))


def _global_limit(
    draw: st.DrawFn, *, claimable: bool | None, with_limit: bool | None
) -> dict[str, int | None]:
    """``max_global_redemptions`` and ``total_global_redemptions`` (CLM-12, RED-11)."""
    if with_limit is None:
        cap = draw(optional(COUNTS))
    elif with_limit:
        cap = draw(COUNTS)
    else:
        cap = None
    if claimable and cap is not None:
        cap = max(cap, 1)
        total = draw(st.integers(0, cap - 1))  # something left: CLM-12 allows the claim
    else:
        total = draw(COUNTS)
    return {"max_global_redemptions": cap, "total_global_redemptions": total}


def _allocations(draw: st.DrawFn, *, claimable: bool | None) -> dict[str, Any]:
    """``force_allocation`` and ``total_allocations_remaining`` (CLM-13)."""
    force = draw(FLAGS)
    remaining = draw(optional(COUNTS))
    if claimable and force and (remaining is None or remaining < 1):
        remaining = draw(POSITIVE_COUNTS)
    return {"force_allocation": force, "total_allocations_remaining": remaining}


def _conditions(
    draw: st.DrawFn, rules: st.SearchStrategy[Any], *, with_condition: bool | None
) -> dict[str, Any]:
    """The three condition fields (CLM-8, VIS): a claim condition set, absent, or either."""
    some_condition = st.one_of(NO_CONDITION, rules)
    if with_condition is None:
        claim = draw(some_condition)
    elif with_condition:
        claim = draw(rules)
    else:
        claim = draw(NO_CONDITION)
    others = NO_CONDITION if with_condition is False else some_condition
    return {
        "claim_condition": claim,
        "view_condition": draw(others),
        "visibility_condition": draw(others),
    }


def benefit_definitions(
    *,
    claimable: bool | None = None,
    with_global_limit: bool | None = None,
    with_condition: bool | None = None,
    open_at: datetime | None = None,
    schema: ProfileSchema = DEFAULT_PROFILE_SCHEMA,
) -> st.SearchStrategy[BenefitDefinition]:
    """Generate valid :class:`~loyalty_core.BenefitDefinition` values, built by the constructor.

    Every field is drawn independently (present or absent, any valid value) unless a knob
    fixes it:

    - ``claimable=True``: the flags allow a claim (``is_claimable``, ``is_published``,
      ``is_assignable`` true, ``is_archived`` false: CLM-1 to CLM-4), and no counter refuses
      one (global remaining > 0, CLM-12; allocations remaining > 0 when ``force_allocation``,
      CLM-13). The window, ``end_at``, the condition and the member's holdings may still
      refuse; combine with ``open_at`` and ``with_condition=False`` for definitions that any
      new member may claim at ``open_at``. ``claimable=False``: at least one of CLM-1 to
      CLM-4 refuses (under the default policy).
    - ``with_global_limit=True``: ``max_global_redemptions`` is set (``False``: it is null).
    - ``with_condition=True``: ``claim_condition`` is a rule from :func:`conditions` over
      ``schema`` (``max_depth=1``, as a dict or as JSON text), and the view and visibility
      conditions may be set too. ``False``: no condition at all (each given as null, ``""``,
      ``[]`` or ``{}``).
    - ``open_at``: the claim window contains the instant (bounds inclusive, CLM-5, CLM-6) and
      ``end_at`` is not before it (CLM-7); the bounds concentrate around it.

    Shrinks towards a definition with every field at its default, apart from what a knob fixes.
    """
    at = None if open_at is None else utc_instant(open_at, "open_at")
    near = () if at is None else (at,)
    stamps = stored_instants()
    bound_before = stamps if at is None else instants(near=near, max_value=at)
    bound_after = stamps if at is None else instants(near=near, min_value=at)
    condition_values = condition_inputs(schema)
    by_kind = _fields_of(BenefitDefinition, *_CLAIM_RULE_FIELDS, schema=schema)

    @st.composite
    def definitions(draw: st.DrawFn) -> BenefitDefinition:
        fields = draw(by_kind)
        # Claim window (CLM-5, CLM-6; PAY-11: start <= end) and end_at (CLM-7).
        start = draw(optional(bound_before))
        end = draw(optional(bound_after))
        if start is not None and end is not None and start > end:
            start, end = end, start
        fields["claim_period_start_at"] = start
        fields["claim_period_end_at"] = end
        fields["end_at"] = draw(optional(bound_after))
        fields.update(_claim_flags(draw, claimable=claimable))
        fields.update(_global_limit(draw, claimable=claimable, with_limit=with_global_limit))
        fields.update(_allocations(draw, claimable=claimable))
        fields.update(_conditions(draw, condition_values, with_condition=with_condition))
        return BenefitDefinition(**fields)

    return definitions()


# --- issued values: benefits, rewards, credits --------------------------------------------------

_INSTANCE_TIMES: Final = ("issued_at", "expires_at")


def _instance_times(draw: st.DrawFn, at: datetime) -> dict[str, Any]:
    """``issued_at`` and ``expires_at``: issued and not expired at ``at``."""
    return {
        "issued_at": draw(optional(instants(near=(at,), max_value=at))),
        "expires_at": draw(optional(instants(near=(at,), min_value=at))),
    }


def _active_skip(at: datetime | None, *fields: str) -> tuple[str, ...]:
    """The fields a value strategy draws itself: ``fields``, and the issue and expiry at ``at``."""
    return fields if at is None else (*fields, *_INSTANCE_TIMES)


def benefits(
    *,
    definition: BenefitDefinition | st.SearchStrategy[BenefitDefinition] | None = None,
    active_at: datetime | None = None,
    claimed: bool | None = None,
) -> st.SearchStrategy[Benefit]:
    """Generate valid :class:`~loyalty_core.Benefit` values, each embedding its definition.

    ``definition`` is a definition, a strategy of them, or ``None`` for
    :func:`benefit_definitions`. ``active_at`` makes every benefit *active* at that instant
    (RED-1): issued (``issued_at`` null or ``<= active_at``), not expired (``expires_at`` null
    or ``>= active_at``) and not used up (``redemptions_remaining`` > 0, or null with a
    definition whose ``max_redemptions`` is not 0). ``claimed=True`` sets ``claimed_at``
    (``False``: it is null), which is what CLM-9/CLM-10 count as a claim. Shrinks towards a
    benefit with every field null but its (shrunk) definition.
    """
    at = None if active_at is None else utc_instant(active_at, "active_at")
    definitions: st.SearchStrategy[BenefitDefinition] = as_strategy(
        definition, benefit_definitions()
    )
    stamps = stored_instants()
    skip = _active_skip(at, "definition", *(() if claimed is None else ("claimed_at",)))
    by_kind = _fields_of(Benefit, *skip)

    @st.composite
    def build(draw: st.DrawFn) -> Benefit:
        embedded = draw(definitions)
        fields = draw(by_kind)
        if at is not None:
            fields.update(_instance_times(draw, at))
        if claimed:
            fields["claimed_at"] = draw(stamps)
        if at is not None:
            left = fields.get("redemptions_remaining")
            if left == 0 or (left is None and embedded.max_redemptions == 0):
                fields["redemptions_remaining"] = draw(POSITIVE_COUNTS)
        return Benefit(definition=embedded, **fields)

    return build()


def reward_definitions(*, extendable: bool | None = None) -> st.SearchStrategy[RewardDefinition]:
    """Generate valid :class:`~loyalty_core.RewardDefinition` values, built by the constructor.

    ``extendable`` fixes ``is_extendable`` (EXT-4). Shrinks towards ``RewardDefinition()``
    (with ``is_extendable`` as fixed).
    """
    fixed = {} if extendable is None else {"is_extendable": extendable}
    return _fields_of(RewardDefinition, *fixed).map(
        lambda fields: RewardDefinition(**{**fields, **fixed})
    )


_VALUE_FIELDS: Final = ("value_initial", "value_remaining", "definition")
"""The fields of a reward or credit drawn together: remaining <= initial (RWD-8, CRD-15)."""


def rewards(
    *,
    definition: RewardDefinition | st.SearchStrategy[RewardDefinition | None] | None = None,
    active_at: datetime | None = None,
) -> st.SearchStrategy[Reward]:
    """Generate valid :class:`~loyalty_core.Reward` values (``value_remaining <= value_initial``).

    ``definition`` is a definition, a strategy of them (it may give ``None``), or ``None`` for
    an optional :func:`reward_definitions`. ``active_at`` makes every reward *active* at that
    instant (RWD-1): issued (``issued_at`` null or ``<= active_at``), not expired
    (``expires_at`` null or ``>= active_at``) and ``value_remaining > 0``, so
    ``reward_balance([r], at=active_at) == r.value_remaining``. Shrinks towards
    ``Reward(value_initial=Decimal('0'))`` (``Decimal('1')`` with ``active_at``).
    """
    at = None if active_at is None else utc_instant(active_at, "active_at")
    definitions: st.SearchStrategy[RewardDefinition | None] = as_strategy(
        definition, optional(reward_definitions())
    )
    by_kind = _fields_of(Reward, *_active_skip(at, *_VALUE_FIELDS))

    @st.composite
    def build(draw: st.DrawFn) -> Reward:
        initial, remaining = draw(_money_pair(positive=at is not None))
        fields = draw(by_kind)
        if at is not None:
            fields.update(_instance_times(draw, at))
        fields["value_remaining"] = remaining  # None means value_initial (PAY-9)
        return Reward(value_initial=initial, definition=draw(definitions), **fields)

    return build()


def credit_definitions(
    *, require_security_code: bool | None = None
) -> st.SearchStrategy[CreditDefinition]:
    """Generate valid :class:`~loyalty_core.CreditDefinition` values, built by the constructor.

    ``require_security_code`` fixes that flag (CRD-10). Shrinks towards ``CreditDefinition()``
    (with the flag as fixed).
    """
    fixed = (
        {} if require_security_code is None else {"require_security_code": require_security_code}
    )
    return _fields_of(CreditDefinition, *fixed).map(
        lambda fields: CreditDefinition(**{**fields, **fixed})
    )


def credits(  # noqa: A001 - named after the value it generates, like rewards() and benefits()
    *,
    definition: CreditDefinition | st.SearchStrategy[CreditDefinition | None] | None = None,
    redeemable_at: datetime | None = None,
) -> st.SearchStrategy[Credit]:
    """Generate valid :class:`~loyalty_core.Credit` values (``value_remaining <= value_initial``).

    ``definition`` is a definition, a strategy of them (it may give ``None``), or ``None`` for
    an optional :func:`credit_definitions`. ``redeemable_at`` makes every credit redeemable at
    that instant for any amount up to ``value_remaining`` (> 0) when the caller passes
    ``security_code=credit.security_code``: issued, released (``released_at`` set and
    ``<= redeemable_at``), not expired, not locked (CRD-6 to CRD-12), and holding a non-empty
    ``security_code`` when its definition requires one. Shrinks towards
    ``Credit(value_initial=Decimal('0'))`` (``Decimal('1')`` and the fields above with
    ``redeemable_at``).
    """
    at = None if redeemable_at is None else utc_instant(redeemable_at, "redeemable_at")
    definitions: st.SearchStrategy[CreditDefinition | None] = as_strategy(
        definition, optional(credit_definitions())
    )
    by_kind = _fields_of(Credit, *_active_skip(at, *_VALUE_FIELDS))

    @st.composite
    def build(draw: st.DrawFn) -> Credit:
        initial, remaining = draw(_money_pair(positive=at is not None))
        embedded = draw(definitions)
        fields = draw(by_kind)
        if at is not None:
            fields.update(_instance_times(draw, at))
            fields["released_at"] = draw(instants(near=(at,), max_value=at))
            if fields.get("locked"):
                # CRD-4: a lock that has expired by `at` (at == lock_expires_at is unlocked).
                fields["lock_expires_at"] = draw(instants(near=(at,), max_value=at))
            if embedded is not None and embedded.require_security_code:
                fields["security_code"] = draw(st.text(min_size=1, max_size=12))
        fields["value_remaining"] = remaining  # None means value_initial (PAY-9)
        return Credit(value_initial=initial, definition=embedded, **fields)

    return build()


# --- profiles and policies ----------------------------------------------------------------------


def profiles(*, schema: ProfileSchema | None = None) -> st.SearchStrategy[Profile]:
    """Generate valid :class:`~loyalty_core.Profile` values: a string id (or none) and a context.

    Without ``schema`` the context is any JSON object; with one it is
    :func:`profile_contexts` of that schema, so :func:`conditions` over the same schema read
    it. A context ``id`` that is not a string is dropped (a profile's id is a string, PAY-7).
    Shrinks towards ``Profile()``.
    """
    contexts: st.SearchStrategy[dict[str, Any]] = (
        st.dictionaries(st.text(max_size=8), json_values(), max_size=5)
        if schema is None
        else profile_contexts(schema)
    )

    @st.composite
    def build(draw: st.DrawFn) -> Profile:
        context = draw(contexts)
        if not isinstance(context.get("id"), str):
            context.pop("id", None)
        profile_id = context.get("id")
        if profile_id is None:
            profile_id = draw(optional(TEXTS))
        return Profile(context=context, id=profile_id)

    return build()


def policies() -> st.SearchStrategy[Policy]:
    """Generate every :class:`~loyalty_core.Policy`: each switch of POL-2 to POL-6 drawn freely.

    Shrinks towards ``DEFAULT_POLICY``.
    """
    default = Policy()

    def flag(name: str) -> st.SearchStrategy[bool]:
        value: bool = getattr(default, name)
        return st.sampled_from((value, not value))

    return st.builds(
        Policy,
        reclaim_requires_inactive=flag("reclaim_requires_inactive"),
        one_claim_per_campaign=flag("one_claim_per_campaign"),
        claims_require_assignable=flag("claims_require_assignable"),
        allow_extend_expired=flag("allow_extend_expired"),
        remind_offset_sign=st.sampled_from(("after", "before")),
    )


# --- one strategy per value class ---------------------------------------------------------------

VALUE_STRATEGIES: Final[Mapping[type[Any], Callable[[], st.SearchStrategy[Any]]]] = (
    MappingProxyType(
        {
            BenefitDefinition: benefit_definitions,
            Benefit: benefits,
            RewardDefinition: reward_definitions,
            Reward: rewards,
            CreditDefinition: credit_definitions,
            Credit: credits,
            Profile: profiles,
        }
    )
)
"""The strategy of each of the seven values: for payloads and for embedded values."""


def value_strategy(cls: type[Any]) -> st.SearchStrategy[Any]:
    """The strategy of value class ``cls`` with its knobs at their defaults.

    Raises :class:`~loyalty_core.errors.InvalidRequest` naming ``cls`` for any other class.
    """
    maker = VALUE_STRATEGIES.get(cls)
    if maker is None:
        names = ", ".join(c.__name__ for c in VALUE_STRATEGIES)
        msg = f"expected one of {names}, got {show(cls)}"
        raise InvalidRequest(Problem("cls", msg))
    return maker()
