"""The cache of compiled conditions: a pure memo keyed by canonical JSON text (COND-3).

A definition's condition is compiled once per distinct rule, not once per definition built:
``to_condition`` keeps each compiled :class:`Condition` under its canonical text (and under the
text it was given, for JSON text). A hit must be indistinguishable from compiling afresh.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings

from loyalty_core import BenefitDefinition, ConditionError, InvalidRequest, jsonlogic
from loyalty_core import conditions as c
from loyalty_core.testing import strategies as lts
from tests.helpers import budget

RULE = {"and": [{">": [{"var": "spend"}, 1000]}, {"==": [{"var": "tier"}, "gold"]}]}


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    c.clear_cache()
    yield
    c.set_cache_size(c.DEFAULT_CACHE_SIZE)
    c.clear_cache()


def test_a_rule_seen_before_is_not_compiled_again() -> None:
    first = c.to_condition(RULE)
    assert first is not None
    another = {"and": ({">": [{"var": "spend"}, 1000]}, {"==": ({"var": "tier"}, "gold")})}
    assert c.to_condition(another) is first  # another object, tuples for arrays
    assert c.to_condition(first.source) is first  # its canonical text
    assert c.cache_info() == c.CacheInfo(hits=2, misses=1, maxsize=1024, currsize=1)


def test_json_text_is_kept_as_given_too() -> None:
    text = '{ "==" : [ {"var": "tier"}, "gold" ] }'
    first = c.to_condition(text)
    assert c.to_condition(text) is first
    assert c.to_condition({"==": [{"var": "tier"}, "gold"]}) is first
    assert c.cache_info().currsize == 2  # the canonical text and the text as given


def test_definitions_share_the_compiled_rule() -> None:
    one = BenefitDefinition(claim_condition=RULE)  # type: ignore[arg-type]
    two = BenefitDefinition.from_api({"claim_condition": RULE})
    assert one.claim_condition is two.claim_condition


def test_changing_the_given_rule_afterwards_changes_nothing() -> None:
    rule: dict[str, Any] = {"==": [{"var": "tier"}, "gold"]}
    condition = c.to_condition(rule)
    assert condition is not None
    rule["=="][1] = "silver"
    assert condition.holds({"tier": "gold"})
    assert c.to_condition({"==": [{"var": "tier"}, "gold"]}) is condition
    assert c.to_condition(rule) is not condition


def test_keys_that_json_would_coerce_are_not_confused() -> None:
    """``{1: ...}`` would be written ``{"1": ...}`` by json.dumps; it is not JSON at all."""
    with pytest.raises(ConditionError):
        c.to_condition({"==": [{"var": "a"}, {1: 2}]})
    with pytest.raises(ConditionError):
        c.to_condition({"==": [{"var": "a"}, float("nan")]})


def test_hostile_rules_are_errors_not_crashes() -> None:
    deep: Any = 1
    for _ in range(5_000):
        deep = {"!": [deep]}
    with pytest.raises(ConditionError):
        c.to_condition(deep)
    with pytest.raises(ConditionError):
        c.to_condition("[" * 5_000 + "]" * 5_000)
    assert c.cache_info().currsize == 0


def test_the_size_is_bounded_and_configurable() -> None:
    c.set_cache_size(3)
    rules = [{"==": [{"var": "n"}, n]} for n in range(10)]
    for rule in rules:
        c.to_condition(rule)
    assert c.cache_info().currsize == 3
    assert c.to_condition(rules[-1]) is c.to_condition(rules[-1])  # the newest are kept
    c.set_cache_size(1)
    assert c.cache_info().currsize == 1
    c.set_cache_size(0)  # off
    assert c.cache_info().currsize == 0
    assert c.to_condition(RULE) is not c.to_condition(RULE)
    assert c.to_condition(RULE) == c.to_condition(RULE)


def test_a_huge_rule_is_not_kept() -> None:
    """Past CACHED_LENGTH characters a rule is compiled each time: the cache stays small."""
    huge = {"in": [{"var": "tier"}, ["x" * 100, *range(c.CACHED_LENGTH // 4)]]}
    first = c.to_condition(huge)
    assert first is not None
    assert len(first.source) > c.CACHED_LENGTH
    assert c.to_condition(huge) == first
    assert c.cache_info().currsize == 0
    assert c.cache_info().misses == 2


@pytest.mark.parametrize("size", [-1, 2.5, "10", True, None])
def test_a_bad_size_is_bad_input(size: object) -> None:
    with pytest.raises(InvalidRequest) as caught:
        c.set_cache_size(size)  # type: ignore[arg-type]
    assert caught.value.problems[0].where == "maxsize"


def test_threads_share_the_cache_safely() -> None:
    c.set_cache_size(50)
    rules = [{"==": [{"var": "n"}, n % 80]} for n in range(400)]
    expected = [jsonlogic.compile(rule)({"n": 7}) for rule in rules]
    failures: list[str] = []

    def work() -> None:
        for rule, value in zip(rules, expected, strict=True):
            condition = c.to_condition(rule)
            if condition is None or condition.compiled({"n": 7}) != value:
                failures.append(str(rule))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert c.cache_info().currsize <= 50


SCHEMA = lts.DEFAULT_PROFILE_SCHEMA


@settings(max_examples=budget(200))
@given(rule=lts.conditions(SCHEMA), data=lts.profile_contexts(SCHEMA))
def test_a_cache_hit_answers_as_a_fresh_compile(rule: Any, data: Any) -> None:
    """COND-3: whatever the rule, the cached condition evaluates as compiling it afresh."""
    fresh = jsonlogic.compile(rule)(data)
    first = c.to_condition(rule)
    again = c.to_condition(rule)
    assert first is again
    assert first is not None
    got = first.compiled(data)
    assert got == fresh or (
        isinstance(got, float)
        and isinstance(fresh, float)
        and math.isnan(got)
        and math.isnan(fresh)
    )
