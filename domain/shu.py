"""The year-end SHU (*sisa hasil usaha*): pure rules, whole rupiah, no database.

**The bylaws (AD/ART)** give each part of the SHU a share in basis points (100 = 1 %) that sum
to 100 %: the reserve (*cadangan*), the members' part (*jasa anggota*) split into *jasa modal*
and *jasa usaha*, and funds with names the cooperative chooses (*dana pengurus, karyawan,
pendidikan, sosial* …). They are versioned: a year uses the version in force on 31 December.

**The SHU** is the year's income (sales, fees, loan fees, jasa on loans, penalties, hub fees)
less its costs (produce bought, cost of goods sold, stock lost).

**Members and non-members.** The SHU is first split by business volume (rupiah): the members'
volume is the jasa they paid on loans, the produce they sold to the cooperative and the goods
they took on payroll deduction; the non-members' volume is the produce bought from farmers who
are not on the roster. The non-members' share (rounded down) goes to the reserve whole; only
the members' share is split by the bylaws (UU 25/1992 art. 45: the SHU from business with
members is shared among members).

**Rounding.** Every split is by the largest remainder: each part gets the whole rupiah below
its exact share, and the rupiah left over go one each to the largest fractions (ties: the
first part in the bylaws' order, or the lowest roster id), so the parts sum exactly to what is
split. A part with nobody to give it to (no savings, no business) goes to the reserve.

**Jasa modal** is shared by average savings: the mean of the twelve month-end balances of
simpanan pokok + wajib (sukarela is left out: it can be taken out any day and is not the
members' capital). **Jasa usaha** by the member's business volume as above.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TOTAL_BP = 10_000
MONTHS = 12
#: The largest SHU the command computes (Rp1 triliun): anything above is a typo in the books.
MAX_SHU = 10**12
FUND_NAME = re.compile(r"[a-z][a-z0-9]{0,19}")
MAX_FUNDS = 8


class RulesInvalid(ValueError):
    """Bylaws percentages that cannot be used (the message says why, in English)."""


@dataclass(frozen=True)
class Rules:
    """The bylaws' split, in basis points; ``funds`` in the order the bylaws list them."""

    reserve_bp: int
    modal_bp: int
    usaha_bp: int
    funds: tuple[tuple[str, int], ...] = ()

    @property
    def members_bp(self) -> int:
        return self.modal_bp + self.usaha_bp

    def check(self) -> Rules:
        shares = [self.reserve_bp, self.modal_bp, self.usaha_bp, *(bp for _, bp in self.funds)]
        if any(isinstance(bp, bool) or not isinstance(bp, int) or bp < 0 for bp in shares):
            raise RulesInvalid("every share is a whole number of basis points, 0 or more")
        names = [name for name, _ in self.funds]
        if len(names) > MAX_FUNDS:
            raise RulesInvalid(f"at most {MAX_FUNDS} funds")
        for name in names:
            if not FUND_NAME.fullmatch(name):
                raise RulesInvalid(f"a fund's name is a-z and 0-9, up to 20: {name!r}")
        if len(set(names)) != len(names):
            raise RulesInvalid("a fund is named twice")
        if sum(shares) != TOTAL_BP:
            raise RulesInvalid(f"the shares sum to {sum(shares) / 100:g} %, not 100 %")
        return self


def apportion(total: int, weights: Mapping[object, int]) -> dict[object, int]:
    """``total`` rupiah split by ``weights`` (whole numbers ≥ 0), largest remainder: the parts
    sum to ``total`` exactly. Ties go to the key met first (``weights``' order). All weights
    0 (or none): an empty split (the caller decides where the money goes)."""
    whole = sum(weights.values())
    if whole <= 0 or total <= 0:
        return {}
    shares: dict[object, int] = {}
    fractions = []
    for order, (key, weight) in enumerate(weights.items()):
        share, rest = divmod(total * weight, whole)
        shares[key] = share
        if rest:
            fractions.append((-rest, order, key))
    left = total - sum(shares.values())
    fractions.sort()
    for _, _, key in fractions[:left]:
        shares[key] += 1
    return shares


@dataclass(frozen=True)
class MemberShare:
    roster_id: int
    savings_months: int  # the sum of the month-end balances (pokok + wajib): 12 × the average
    business: int  # jasa paid + produce sold to the cooperative + goods taken, rupiah
    modal: int
    usaha: int

    @property
    def average_savings(self) -> int:
        """The average savings, rounded down to the rupiah (shown; the split uses the sum)."""
        return self.savings_months // MONTHS

    @property
    def total(self) -> int:
        return self.modal + self.usaha


@dataclass(frozen=True)
class Split:
    """A year's SHU and where each rupiah goes. ``reserve`` includes the non-members' share and
    any members' part nobody could receive; parts sum to ``shu`` exactly."""

    income: int
    costs: int
    shu: int
    nonmember_share: int
    reserve: int
    modal: int
    usaha: int
    funds: tuple[tuple[str, int], ...]
    members: tuple[MemberShare, ...]
    unshared: int = 0  # of jasa modal or usaha, nobody to give it to (in ``reserve``)

    @property
    def members_total(self) -> int:
        return self.modal + self.usaha

    @property
    def from_members(self) -> int:
        """The SHU of business with members: what the bylaws split."""
        return self.shu - self.nonmember_share if self.shu > 0 else 0

    @property
    def reserve_share(self) -> int:
        """The bylaws' reserve part of the members' SHU (``reserve`` less the rest it holds)."""
        return self.reserve - self.nonmember_share - self.unshared


@dataclass(frozen=True)
class YearFigures:
    """What the ledger says about a year (whole rupiah): income and costs, and per member
    (roster id) the month-end savings sum and the business volume; ``nonmember_business`` is
    produce bought from farmers who are not on the roster."""

    income: int
    costs: int
    savings_months: Mapping[int, int]
    business: Mapping[int, int]
    nonmember_business: int


def _parts(amount: int, rules: Rules) -> dict[str, int]:
    weights = {"reserve": rules.reserve_bp, "modal": rules.modal_bp, "usaha": rules.usaha_bp}
    weights.update({f"fund:{name}": bp for name, bp in rules.funds})
    return apportion(amount, weights)


def split(figures: YearFigures, rules: Rules, roster_ids: Iterable[int]) -> Split:
    """The year's SHU split by ``rules`` among the members ``roster_ids`` (every member listed,
    in that order; those with nothing get 0). A loss (income ≤ costs) shares nothing."""
    shu = figures.income - figures.costs
    if shu > MAX_SHU:
        raise RulesInvalid(f"an SHU over Rp{MAX_SHU}: check the books")
    ids = list(roster_ids)
    if shu <= 0:
        nobody = tuple(
            MemberShare(r, figures.savings_months.get(r, 0), figures.business.get(r, 0), 0, 0)
            for r in ids
        )
        funds = tuple((name, 0) for name, _ in rules.funds)
        return Split(figures.income, figures.costs, shu, 0, 0, 0, 0, funds, nobody)
    member_business = sum(max(v, 0) for v in figures.business.values())
    volume = member_business + max(figures.nonmember_business, 0)
    nonmember = shu * max(figures.nonmember_business, 0) // volume if volume else 0
    parts = _parts(shu - nonmember, rules)
    savings = {r: max(figures.savings_months.get(r, 0), 0) for r in ids}
    business = {r: max(figures.business.get(r, 0), 0) for r in ids}
    modal = apportion(parts.get("modal", 0), savings)
    usaha = apportion(parts.get("usaha", 0), business)
    modal_total, usaha_total = sum(modal.values()), sum(usaha.values())
    unshared = parts.get("modal", 0) - modal_total + parts.get("usaha", 0) - usaha_total
    reserve = nonmember + parts.get("reserve", 0) + unshared
    members = tuple(
        MemberShare(r, savings[r], business[r], modal.get(r, 0), usaha.get(r, 0)) for r in ids
    )
    funds = tuple((name, parts.get(f"fund:{name}", 0)) for name, _ in rules.funds)
    return Split(
        figures.income, figures.costs, shu, nonmember, reserve, modal_total, usaha_total,
        funds, members, unshared,
    )  # fmt: skip
