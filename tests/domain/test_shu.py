"""The SHU's pure rules: the bylaws sum to 100 %, the largest-remainder split sums exactly,
the non-members' share goes to the reserve, a part nobody can receive stays in the reserve."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import ledger as L
from domain import shu as rules

BYLAWS = rules.Rules(4_000, 2_000, 2_000, (("pengurus", 1_000), ("sosial", 1_000)))


def test_the_bylaws_must_sum_to_100_percent_with_good_fund_names():
    assert BYLAWS.check() is BYLAWS and BYLAWS.members_bp == 4_000
    for bad, said in (
        (rules.Rules(4_000, 2_000, 2_000), "sum to 80 %"),
        (rules.Rules(4_000, 2_000, 2_000, (("Dana Sosial", 2_000),)), "a fund's name"),
        (rules.Rules(4_000, 2_000, 2_000, (("a", 1_000), ("a", 1_000))), "named twice"),
        (rules.Rules(12_000, -2_000, 0), "0 or more"),
    ):
        with pytest.raises(rules.RulesInvalid, match=said):
            bad.check()


def test_apportion_gives_the_left_over_rupiah_to_the_largest_fractions():
    # 100 by 1:1:1 → 33,33 each: one rupiah left, to the first met
    assert rules.apportion(100, {"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert rules.apportion(10, {"a": 1, "b": 2}) == {"a": 3, "b": 7}  # 3,33 and 6,67
    assert rules.apportion(10, {"a": 0, "b": 0}) == {}
    assert rules.apportion(0, {"a": 1}) == {}


@settings(max_examples=300, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=rules.MAX_SHU),
    weights=st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=40),
)
def test_apportion_sums_exactly_and_each_part_is_within_a_rupiah(total, weights):
    keyed = dict(enumerate(weights))
    shares = rules.apportion(total, keyed)
    if not shares:
        assert total == 0 or sum(weights) == 0
        return
    assert sum(shares.values()) == total
    whole = sum(weights)
    for key, weight in keyed.items():
        exact = total * weight
        assert shares[key] * whole <= exact + whole and shares[key] * whole >= exact - whole


def _figures(**changes):
    base = {"income": 1_000_000, "costs": 0, "savings_months": {1: 300, 2: 100},
            "business": {1: 50, 2: 0}, "nonmember_business": 50}  # fmt: skip
    return rules.YearFigures(**(base | changes))


def test_the_non_members_share_goes_to_the_reserve_and_the_rest_by_the_bylaws():
    split = rules.split(_figures(), BYLAWS, [1, 2, 3])
    assert split.nonmember_share == 500_000  # half the business was with a non-member
    assert (split.modal, split.usaha) == (100_000, 100_000)  # 20 % of the members' 500.000
    assert split.reserve == 500_000 + 200_000
    assert split.funds == (("pengurus", 50_000), ("sosial", 50_000))
    assert [(m.modal, m.usaha) for m in split.members] == [(75_000, 100_000), (25_000, 0), (0, 0)]


def test_a_part_nobody_can_receive_stays_in_the_reserve_and_a_loss_shares_nothing():
    split = rules.split(_figures(business={}, nonmember_business=0), BYLAWS, [1, 2])
    assert split.usaha == 0 and split.reserve == 400_000 + 200_000
    assert (split.unshared, split.reserve_share, split.from_members) == (
        200_000,
        400_000,
        1_000_000,
    )
    loss = rules.split(_figures(costs=2_000_000), BYLAWS, [1, 2])
    assert (loss.shu, loss.reserve, loss.members_total) == (-1_000_000, 0, 0)
    assert all(m.total == 0 for m in loss.members)


def test_the_shu_accounts_are_equity_and_funds_per_name():
    assert L.parse_account(L.shu_fund(3, "pendidikan")) == L.Account(
        "shufund:3:pendidikan", L.AccountKind.SHU_FUND, org_id=3
    )
    assert L.parse_account(L.shu_reserve(3)).kind is L.AccountKind.SHU_RESERVE
    assert L.parse_account(L.shu_shared(3)).kind is L.AccountKind.SHU
    with pytest.raises(L.InvalidAccount):
        L.shu_fund(3, "Dana Sosial")
