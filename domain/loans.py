"""Member loans (issue 19): products, schedules and the checks of an application. Pure rules.

**Rate.** A product's rate is *per month* in basis points of the principal (``rate_bp``, an
integer: 125 is 1,25 % a month), so it is stored and compared exactly; the arithmetic below
uses exact fractions and rounds only where a rupiah is paid.

**Schedules** (:func:`schedule`), one row per installment (*angsuran*) with its principal
(*pokok*) and interest (*jasa*), whole rupiah:

- ``flat``: jasa on the original pokok every month (pokok × rate); pokok in equal parts.
- ``annuity`` (*anuitas*): one installment for every month, jasa on what is still owed.
- ``declining`` (*menurun*, *efektif*): pokok in equal parts, jasa on what is still owed, so
  the installment goes down.

**Rounding rule.** Equal parts (flat and declining pokok, flat jasa) are rounded down to the
rupiah and the last installment takes the remainder; the flat total jasa is pokok × rate ×
tenor rounded half up. A month's jasa on what is owed (annuity, declining) is rounded half up
(Rp0,50 becomes Rp1); the annuity's installment is rounded half up (a rupiah less where that
rounding, compounded, would pay the pokok off before the last month) and its last one takes
what is left of the pokok. So the pokok parts always sum exactly to the pokok, and the
installments exactly to pokok plus jasa; no part is ever below zero.

**Fee.** A product's admin fee (*biaya administrasi*) is a fixed amount plus a share of the
pokok in basis points, rounded half up; it is kept from what is paid out.

**Checks** (:func:`check`) raise :class:`LoanRefused` with a stable reason and what would be
allowed: over the product's maximum, a tenor over its maximum, a membership shorter than the
product's minimum, a largest installment above the share of take-home pay (with the largest
amount allowed for that tenor, :func:`most_for_pay`), an unknown take-home pay (the share
check cannot pass), a second loan where the product allows one at a time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from domain import N_
from domain.people import InvalidInput

#: The smallest loan: below it a schedule of many months would be parts of a few rupiah.
MIN_AMOUNT = 100_000
#: The longest tenor a product may have (ten years).
MAX_TENOR = 120
#: The highest rate a product may have: 10 % a month is far above any koperasi's.
MAX_RATE_BP = 1_000
#: The highest penalty (denda) a month on what is overdue: 10 %.
MAX_PENALTY_BP = 1_000
#: A purpose as the member writes it ("biaya sekolah anak").
MAX_PURPOSE = 120
#: What :func:`most_for_pay` offers is rounded down to this (people read Rp7.500.000).
SUGGEST_STEP = 100_000
BP = 10_000  # basis points in one


class Method(StrEnum):
    FLAT = "flat"
    ANNUITY = "annuity"
    DECLINING = "declining"


METHOD_LABELS = {
    Method.FLAT: N_("flat"),
    Method.ANNUITY: N_("annuity"),
    Method.DECLINING: N_("declining balance"),
}


class Status(StrEnum):
    APPLIED = "applied"  # waits for two officers
    APPROVED = "approved"  # two officers said yes: waits to be paid out
    DISBURSED = "disbursed"  # paid out: the member owes the schedule
    REFUSED = "refused"
    CANCELLED = "cancelled"
    PAID = "paid"  # lunas: every installment paid (repayment comes in a later session)


#: A loan the member still has: a second one needs a product that allows a top-up.
ACTIVE = frozenset({Status.APPLIED, Status.APPROVED, Status.DISBURSED})
#: Officers who must approve before a loan is paid out.
APPROVALS_NEEDED = 2


def half_up(value: Fraction) -> int:
    """Whole rupiah, Rp0,50 up."""
    return int(
        (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
    )


@dataclass(frozen=True)
class Product:
    name: str
    max_amount: int
    max_tenor: int  # months
    rate_bp: int  # per month
    method: Method
    fee_rupiah: int = 0
    fee_bp: int = 0  # of the pokok
    min_member_months: int = 0
    max_share_bp: int = 3_000  # the largest installment as a share of take-home pay
    top_up: bool = False
    penalty_bp: int = 0  # denda per month overdue, on what is unpaid (domain.repayments)

    def fee(self, amount: int) -> int:
        return fee(amount, self.fee_rupiah, self.fee_bp)


def fee(amount: int, fee_rupiah: int, fee_bp: int) -> int:
    return fee_rupiah + half_up(Fraction(amount * fee_bp, BP))


def smallest_amount(product: Product) -> int:
    """The smallest loan of ``product``: :data:`MIN_AMOUNT`, or more where the admin fee (kept
    at the payout) would leave the member nothing: the first thousand whose fee is less than
    it. The fee grows slower than the amount (at most 10 %), so every larger amount passes."""
    amount = max(MIN_AMOUNT, product.fee_rupiah * BP // (BP - product.fee_bp) + 1)
    while product.fee(amount) >= amount:
        amount += 1
    return -(-amount // 1_000) * 1_000 if amount > MIN_AMOUNT else amount


class ProductInvalid(ValueError):
    """A product the command line refuses; the message says which field and why."""


def check_product(product: Product) -> Product:
    if not product.name.strip() or len(product.name) > 60:
        raise ProductInvalid("a name of 1 to 60 characters")
    if not MIN_AMOUNT <= product.max_amount <= 10**12:
        raise ProductInvalid(f"the maximum amount is from Rp{MIN_AMOUNT} to Rp10^12")
    if not 1 <= product.max_tenor <= MAX_TENOR:
        raise ProductInvalid(f"the tenor is 1 to {MAX_TENOR} months")
    if not 0 <= product.rate_bp <= MAX_RATE_BP:
        raise ProductInvalid(f"the rate is 0 to {MAX_RATE_BP} basis points a month")
    if product.fee_rupiah < 0 or not 0 <= product.fee_bp <= 1_000:
        raise ProductInvalid("the fee is a fixed amount from 0 and 0 to 1000 basis points")
    if product.fee(product.max_amount) >= product.max_amount:
        raise ProductInvalid("the fee takes the whole loan")
    if not 0 <= product.min_member_months <= 600:
        raise ProductInvalid("the minimum membership is 0 to 600 months")
    if not 1 <= product.max_share_bp <= BP:
        raise ProductInvalid("the share of take-home pay is 1 to 10000 basis points")
    if not 0 <= product.penalty_bp <= MAX_PENALTY_BP:
        raise ProductInvalid(f"the penalty is 0 to {MAX_PENALTY_BP} basis points a month")
    return product


@dataclass(frozen=True)
class Installment:
    number: int  # 1 … tenor
    due_on: dt.date
    principal: int
    interest: int
    balance_after: int  # pokok still owed after it

    @property
    def total(self) -> int:
        return self.principal + self.interest


def _equal_parts(total: int, count: int) -> list[int]:
    """``total`` in ``count`` parts rounded down, the last one taking the remainder."""
    part = total // count
    return [part] * (count - 1) + [total - part * (count - 1)]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, the month's last day where it is shorter (31 → 30)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


def _parts(amount: int, tenor: int, rate: Fraction, method: Method) -> list[tuple[int, int]]:
    if method is Method.FLAT:
        interest = half_up(amount * rate * tenor)
        return list(zip(_equal_parts(amount, tenor), _equal_parts(interest, tenor), strict=True))
    if method is Method.DECLINING:
        balance, rows = amount, []
        for principal in _equal_parts(amount, tenor):
            rows.append((principal, half_up(balance * rate)))
            balance -= principal
        return rows
    exact = Fraction(amount, tenor) if rate == 0 else amount * rate / (1 - (1 + rate) ** -tenor)
    installment = half_up(exact)
    while (rows := _annuity(amount, tenor, rate, installment)) is None:
        # The rupiah rounding, compounded over a long tenor at a high rate, would pay the
        # pokok off before the last month: one rupiah less a month, the last takes the rest.
        installment -= 1
    return rows


def _annuity(
    amount: int, tenor: int, rate: Fraction, installment: int
) -> list[tuple[int, int]] | None:
    """Equal installments of ``installment``, the last one taking what is left of the pokok;
    None when the pokok would be paid off before the last month."""
    balance, rows = amount, []
    for number in range(1, tenor + 1):
        interest = half_up(balance * rate)
        principal = balance if number == tenor else max(0, installment - interest)
        if number < tenor and principal >= balance:
            return None
        rows.append((principal, interest))
        balance -= principal
    return rows


def schedule(
    amount: int, tenor: int, rate_bp: int, method: Method | str, first_due: dt.date
) -> list[Installment]:
    """The installments of a loan of ``amount`` over ``tenor`` months at ``rate_bp`` a month,
    the first due on ``first_due`` and each a month after (see the rounding rule above)."""
    if amount <= 0 or tenor <= 0 or rate_bp < 0:
        raise ValueError("a loan has an amount, a tenor and a rate")
    rows, balance = [], amount
    parts = _parts(amount, tenor, Fraction(rate_bp, BP), Method(method))
    for number, (principal, interest) in enumerate(parts, start=1):
        balance -= principal
        rows.append(
            Installment(number, add_months(first_due, number - 1), principal, interest, balance)
        )
    return rows


def first_due(applied_on: dt.date) -> dt.date:
    """The first installment: the same day of the next month, as a payroll month follows."""
    return add_months(applied_on, 1)


@dataclass(frozen=True)
class Simulation:
    amount: int
    tenor: int
    fee: int
    rows: tuple[Installment, ...]

    @property
    def interest(self) -> int:
        return sum(row.interest for row in self.rows)

    @property
    def total(self) -> int:
        """What the member pays back: pokok plus jasa (the fee is kept at the payout)."""
        return sum(row.total for row in self.rows)

    @property
    def largest(self) -> int:
        return max(row.total for row in self.rows)

    @property
    def received(self) -> int:
        return self.amount - self.fee


def simulate(product: Product, amount: int, tenor: int, applied_on: dt.date) -> Simulation:
    rows = schedule(amount, tenor, product.rate_bp, product.method, first_due(applied_on))
    return Simulation(amount, tenor, product.fee(amount), tuple(rows))


# --- the checks of an application ------------------------------------------------------------


class LoanRefused(Exception):
    """A stable ``reason`` (``loan.…``) a handler turns into words, and what would be allowed:
    ``most`` rupiah, ``months`` (a tenor, or months of membership still needed)."""

    def __init__(self, reason: str, most: int = 0, months: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.most = most
        self.months = months


def member_months(joined_on: dt.date, today: dt.date) -> int:
    """Whole months of membership: 15 January to 14 March is one, to 15 March two."""
    months = (today.year - joined_on.year) * 12 + today.month - joined_on.month
    return max(0, months - (today.day < joined_on.day))


def installment_room(take_home: int, share_bp: int, other_installments: int) -> int:
    """The largest installment the pay allows, less the member's other loans' installments."""
    return max(0, take_home * share_bp // BP - other_installments)


def most_for_pay(product: Product, tenor: int, room: int, applied_on: dt.date) -> int:
    """The largest amount (rounded down to :data:`SUGGEST_STEP`, within the product's maximum)
    whose largest installment over ``tenor`` fits ``room``; 0 when not even the smallest loan
    does. The largest installment grows with the amount, so a bisection finds it."""

    def fits(amount: int) -> bool:
        return simulate(product, amount, tenor, applied_on).largest <= room

    smallest = smallest_amount(product)
    low, high = 0, product.max_amount
    if fits(high):
        return high
    while high - low > 1:
        middle = (low + high) // 2
        if middle >= smallest and fits(middle):
            low = middle
        else:
            high = middle
    most = low - low % SUGGEST_STEP if low >= SUGGEST_STEP else low
    if most < smallest:  # rounded below the product's smallest loan, which still fits
        most = smallest if low >= smallest else 0
    return most


@dataclass(frozen=True)
class Applicant:
    joined_on: dt.date | None
    take_home: int | None  # per month; None: not on the roster
    active_loans: int = 0  # applied, approved or disbursed
    other_installments: int = 0  # the largest installments of those loans, summed


def check_amount(product: Product, amount: int) -> int:
    smallest = smallest_amount(product)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < smallest:
        raise LoanRefused("loan.too_small", most=smallest)
    if amount > product.max_amount:
        raise LoanRefused("loan.over_max", most=product.max_amount)
    return amount


def check_tenor(product: Product, tenor: int) -> int:
    if not 1 <= tenor <= product.max_tenor:
        raise LoanRefused("loan.tenor", months=product.max_tenor)
    return tenor


def check_member(product: Product, applicant: Applicant, today: dt.date) -> None:
    """What does not depend on the amount: membership long enough, one loan at a time, a
    take-home pay known (without it no installment can be checked)."""
    if product.min_member_months:
        if applicant.joined_on is None:
            raise LoanRefused("loan.joined_unknown", months=product.min_member_months)
        have = member_months(applicant.joined_on, today)
        if have < product.min_member_months:
            raise LoanRefused("loan.membership", months=product.min_member_months - have)
    if applicant.active_loans and not product.top_up:
        raise LoanRefused("loan.one_at_a_time")
    if applicant.take_home is None:
        raise LoanRefused("loan.pay_unknown")


def check(
    product: Product, applicant: Applicant, amount: int, tenor: int, today: dt.date
) -> Simulation:
    """Every check in the order a member meets them; the simulation when all pass."""
    check_member(product, applicant, today)
    check_amount(product, amount)
    check_tenor(product, tenor)
    simulation = simulate(product, amount, tenor, today)
    room = installment_room(applicant.take_home, product.max_share_bp, applicant.other_installments)
    if simulation.largest > room:
        raise LoanRefused("loan.installment", most=most_for_pay(product, tenor, room, today))
    return simulation


def check_purpose(text: str | None) -> str:
    cleaned = " ".join((text or "").split())
    if not 3 <= len(cleaned) <= MAX_PURPOSE:
        raise LoanRefused("loan.purpose")
    return cleaned


# --- who decides ------------------------------------------------------------------------------


def may_approve(applicant_id: int, officer_id: int, approved_by: frozenset[int]) -> bool:
    """Never the applicant, never the same officer twice (the role is checked by the caller)."""
    return officer_id != applicant_id and officer_id not in approved_by


LOAN_PREFIX = "KP"  # kredit/pinjaman anggota: PIN- is an input advance, PJ- a sale


def loan_number(loan_id: int) -> str:
    """How people quote a loan: ``KP-0007``."""
    return f"{LOAN_PREFIX}-{loan_id:04d}"


# --- what people type ------------------------------------------------------------------------

_TENOR_UNITS = {
    "bulan": 1, "bln": 1, "bl": 1, "month": 1, "months": 1, "mo": 1,
    "tahun": 12, "thn": 12, "th": 12, "year": 12, "years": 12, "yr": 12,
}  # fmt: skip
_TENOR_WORDS = {"setahun": 12, "sebulan": 1, "dua tahun": 24, "tiga tahun": 36, "setengah tahun": 6}


def parse_tenor(text: str) -> int:
    """Months as people write them: ``12``, ``12 bulan``, ``1 tahun``, ``1,5 tahun``,
    ``setahun``, ``24 bln``; InvalidInput("loan.tenor_text") for anything else."""
    cleaned = " ".join((text or "").lower().replace(",", ".").split())
    if cleaned in _TENOR_WORDS:
        return _TENOR_WORDS[cleaned]
    found = re.fullmatch(r"(\d{1,3}(?:\.\d)?)\s*([a-z]*)", cleaned)
    if not found or (found[2] and found[2] not in _TENOR_UNITS):
        raise InvalidInput("loan.tenor_text")
    months = Fraction(found[1]) * _TENOR_UNITS.get(found[2], 1)
    if months.denominator != 1 or months <= 0:
        raise InvalidInput("loan.tenor_text")
    return int(months)
