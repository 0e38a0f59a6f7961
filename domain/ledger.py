"""The one ledger of the cooperative: pure rules (no database).

Offtake (what the cooperative owes farmers, and pays them) and Savings (simpanan pokok, wajib,
sukarela) post to the same double-entry ledger, in whole rupiah, append-only.

**Sign convention.** A line carries one signed integer ``amount``: a *debit* is positive, a
*credit* negative, and the lines of an entry sum to zero. An account's raw balance is the sum
of its lines (debits minus credits). Each kind of account has a *normal side*: assets and
expenses (cash, bank, purchases) grow with debits; what the cooperative owes or holds for
others (member savings, farmer payables) and its income grow with credits. The balance shown
to people is the raw balance on the normal side (:func:`normal_balance`): a member who saved
Rp50.000 has +50.000 on ``member:7:sukarela`` although the raw sum of its lines is −50.000.
Use :func:`debit` and :func:`credit` to build lines; never negate by hand.

**Accounts** are named by a code (:func:`parse_account` is the grammar): one per membership
(roster entry) per kind of savings, one payable per farmer, and per cooperative (organisation)
its cash, bank, purchases, fees charged to farmers, sales, opening balances and receivables.
They are created on first use.

**The chain.** Every entry stores ``hash = SHA-256(previous entry's hash, as 64 lowercase hex
characters in ASCII || canonical(entry) in UTF-8)``, the first entry chaining from
:data:`GENESIS_HASH`. Entry ids are 1, 2, 3 … without gaps, so a removed entry shows as a
missing id. :func:`canonical` is RFC 8785 (JCS) JSON of an object with sorted keys and no
spaces — ``{"at":…,"author":…,"id":…,"lines":[{"account":…,"amount":…,"balance_after":…},…],
"reason":…,"reference":…,"reverses":…,"v":1}`` — reproducible in any language (it holds only
integers, strings, null and arrays, so Python's ``json.dumps`` output equals JCS). The hash
proves that nothing was edited, reordered or removed *before* the last entry; that the last
entries were not cut off needs the last hash kept elsewhere (``audit verify`` prints it and
checks one given with ``--anchor``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

#: The hash the first entry chains from.
GENESIS_HASH = "0" * 64
#: Version of the canonical form (part of it, so a future form cannot collide with this one).
CANONICAL_VERSION = 1
#: The largest amount of one line: Rp1.000.000.000.000.000 (a typo with extra zeros, or an
#: overflow of the 64-bit sums, is refused rather than booked).
MAX_AMOUNT = 10**15
MAX_REASON = 500
MAX_REFERENCE = 200


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class SavingsKind(StrEnum):
    POKOK = "pokok"  # once, on joining; not withdrawable while a member
    WAJIB = "wajib"  # periodic (monthly); not withdrawable while a member
    SUKARELA = "sukarela"  # any time; withdrawable, never beyond the balance


class AccountKind(StrEnum):
    SAVINGS_POKOK = "savings_pokok"
    SAVINGS_WAJIB = "savings_wajib"
    SAVINGS_SUKARELA = "savings_sukarela"
    PAYABLE_FARMER = "payable_farmer"  # what the cooperative owes a farmer for produce taken
    CASH = "cash"  # the cooperative's cash (in the office or the coordinators' hands)
    BANK = "bank"  # the cooperative's bank account (transfers)
    PURCHASES = "purchases"  # cost of produce bought from farmers
    FEES = "fees"  # charges deducted from farmers (transport, handling): income
    SALES = "sales"  # produce sold on: income
    OPENING = "opening"  # opening balances brought in from earlier books (equity)
    # what others owe the cooperative: payroll deductions until the employer transfers them
    RECEIVABLE = "receivable"
    # Market (issue 17): produce in stock at cost (moved from purchases when it reaches a
    # warehouse), its cost when delivered to a buyer, stock written off, what a buyer owes.
    INVENTORY = "inventory"
    COGS = "cogs"
    LOSSES = "losses"
    RECEIVABLE_BUYER = "receivable_buyer"
    # Hub (issue 18): what a farmer owes for an input advance (pupuk, bibit, cash), repaid
    # from their harvests.
    RECEIVABLE_FARMER = "receivable_farmer"
    # Loans (issue 19): the pokok a member owes on a loan paid out, and the cooperative's
    # income from loan admin fees (jasa, the interest, comes with repayment).
    RECEIVABLE_LOAN = "receivable_loan"
    LOAN_FEES = "loan_fees"
    # Loans, repayment: jasa (the interest) and penalties (denda) as income, kept apart so the
    # year's SHU can give jasa usaha back by interest paid.
    LOAN_INTEREST = "loan_interest"
    LOAN_PENALTIES = "loan_penalties"
    # Hub order cycles: what a village cooperative owes the hub (goods invoiced, advances), what
    # the hub owes a supplier for goods received, and the hub's fee per item as income.
    RECEIVABLE_COOP = "receivable_coop"
    PAYABLE_SUPPLIER = "payable_supplier"
    HUB_FEES = "hub_fees"
    # What a union member owes for goods taken on payroll deduction (collected by payroll
    # import with the wajib and the installments).
    RECEIVABLE_MEMBER = "receivable_member"
    # SHU (issue 19, the year-end surplus): what a posted year's SHU took out of the surplus
    # (``shu:<org>``, debited with the whole SHU: the income and cost accounts are never
    # closed, so this equity account going below zero is what has been shared out), the
    # reserve it built (``shureserve:<org>``, cadangan) and the funds it set aside
    # (``shufund:<org>:<name>``: dana pengurus, karyawan, pendidikan, sosial …).
    SHU = "shu"
    SHU_RESERVE = "shu_reserve"
    SHU_FUND = "shu_fund"

    @property
    def normal(self) -> Side:
        return Side.DEBIT if self in _DEBIT_NORMAL else Side.CREDIT

    @property
    def never_negative(self) -> bool:
        """Its balance (on the normal side) may never go below zero: nobody has less than
        nothing saved, and a farmer is never paid more than is owed (a second payment of the
        same produce is refused by the ledger itself)."""
        return self in _NEVER_NEGATIVE


_DEBIT_NORMAL = frozenset({
    AccountKind.CASH, AccountKind.BANK, AccountKind.PURCHASES, AccountKind.RECEIVABLE,
    AccountKind.INVENTORY, AccountKind.COGS, AccountKind.LOSSES, AccountKind.RECEIVABLE_BUYER,
    AccountKind.RECEIVABLE_FARMER, AccountKind.RECEIVABLE_LOAN, AccountKind.RECEIVABLE_COOP,
    AccountKind.RECEIVABLE_MEMBER,
})  # fmt: skip
_NEVER_NEGATIVE = frozenset({
    AccountKind.SAVINGS_POKOK, AccountKind.SAVINGS_WAJIB, AccountKind.SAVINGS_SUKARELA,
    AccountKind.PAYABLE_FARMER, AccountKind.RECEIVABLE_BUYER, AccountKind.RECEIVABLE_FARMER,
    AccountKind.RECEIVABLE_LOAN, AccountKind.RECEIVABLE_COOP, AccountKind.PAYABLE_SUPPLIER,
    AccountKind.RECEIVABLE_MEMBER,
})  # fmt: skip

SAVINGS_ACCOUNT = {
    SavingsKind.POKOK: AccountKind.SAVINGS_POKOK,
    SavingsKind.WAJIB: AccountKind.SAVINGS_WAJIB,
    SavingsKind.SUKARELA: AccountKind.SAVINGS_SUKARELA,
}
# Account codes per organisation: "<word>:<org_id>".
_ORG_WORDS = {
    "cash": AccountKind.CASH,
    "bank": AccountKind.BANK,
    "purchases": AccountKind.PURCHASES,
    "fees": AccountKind.FEES,
    "sales": AccountKind.SALES,
    "opening": AccountKind.OPENING,
    "receivable": AccountKind.RECEIVABLE,
    "inventory": AccountKind.INVENTORY,
    "cogs": AccountKind.COGS,
    "losses": AccountKind.LOSSES,
    "loanfees": AccountKind.LOAN_FEES,
    "loaninterest": AccountKind.LOAN_INTEREST,
    "loanpenalty": AccountKind.LOAN_PENALTIES,
    "hubfees": AccountKind.HUB_FEES,
    "shu": AccountKind.SHU,
    "shureserve": AccountKind.SHU_RESERVE,
}
_ID = r"([1-9][0-9]{0,17})"
_MEMBER = re.compile(rf"^member:{_ID}:(pokok|wajib|sukarela)$")
_PAYABLE = re.compile(rf"^payable:farmer:{_ID}$")
_BUYER = re.compile(rf"^receivable:buyer:{_ID}$")
_FARMER_RECEIVABLE = re.compile(rf"^receivable:farmer:{_ID}$")
_LOAN_RECEIVABLE = re.compile(rf"^receivable:loan:{_ID}$")
_COOP_RECEIVABLE = re.compile(rf"^receivable:coop:{_ID}$")
_SUPPLIER_PAYABLE = re.compile(rf"^payable:supplier:{_ID}$")
_MEMBER_RECEIVABLE = re.compile(rf"^receivable:member:{_ID}$")
_SHU_FUND = re.compile(rf"^shufund:{_ID}:([a-z][a-z0-9]{{0,19}})$")
_ORG = re.compile(rf"^({'|'.join(_ORG_WORDS)}):{_ID}$")


# --- errors -----------------------------------------------------------------------------


class LedgerError(Exception):
    """A posting the ledger refuses; ``reason`` is a stable code (``ledger.…``) a handler
    or the command line turns into words, the message says it in English."""

    reason = "ledger.refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class InvalidAmount(LedgerError):
    reason = "ledger.amount"


class InvalidAccount(LedgerError):
    reason = "ledger.account"


class UnbalancedEntry(LedgerError):
    reason = "ledger.unbalanced"


class InvalidEntry(LedgerError):
    """No reason, an author that is not a person id, too few lines, one account twice."""

    reason = "ledger.entry"


class DuplicateReference(LedgerError):
    """The reference already names a live (not reversed) entry: a batch posted twice."""

    reason = "ledger.duplicate"

    def __init__(self, reference: str, entry_id: int) -> None:
        super().__init__(f"{reference!r} is already posted as entry {entry_id}")
        self.reference = reference
        self.entry_id = entry_id


class EntryNotFound(LedgerError):
    reason = "ledger.no_entry"


class AlreadyReversed(LedgerError):
    reason = "ledger.already_reversed"

    def __init__(self, entry_id: int, by: int) -> None:
        super().__init__(f"entry {entry_id} is already reversed by entry {by}")
        self.entry_id = entry_id
        self.by = by


class Overdrawn(LedgerError):
    """The posting would take an account that may not go below zero below zero."""

    reason = "ledger.overdrawn"

    def __init__(self, account: str, balance: int, change: int) -> None:
        super().__init__(
            f"{account} holds {balance}: a change of {change} would take it below zero"
        )
        self.account = account
        self.balance = balance
        self.change = change


class SavingsWithdrawalRefused(LedgerError):
    """A withdrawal the savings rules do not allow (``reason`` says which rule)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# --- amounts and accounts ---------------------------------------------------------------


def check_amount(amount: object, *, allow_zero: bool = False) -> int:
    """Whole rupiah as a Python int: floats, Decimals, bools and strings are refused (money is
    never a float, and ``True`` is not one rupiah); so are negatives and absurd sizes."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        kind = "Decimal" if isinstance(amount, Decimal) else type(amount).__name__
        raise InvalidAmount(f"an amount is whole rupiah as an int, not a {kind}: {amount!r}")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidAmount(f"an amount must be positive: {amount}")
    if amount > MAX_AMOUNT:
        raise InvalidAmount(f"an amount over Rp{MAX_AMOUNT}: {amount}")
    return amount


@dataclass(frozen=True)
class Account:
    code: str
    kind: AccountKind
    person_id: int | None = None
    org_id: int | None = None
    roster_id: int | None = None  # member savings: the membership that owns them

    @property
    def normal(self) -> Side:
        return self.kind.normal


def _positive_id(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidAccount(f"{what} must be a positive int, not {value!r}")
    return value


def member_savings(roster_id: int, kind: SavingsKind | str) -> str:
    """``member:<roster_id>:pokok|wajib|sukarela``: keyed by the roster entry (a membership of
    one cooperative), not by the person. A member imported from the books has savings before
    they ever open the bot; when they register, their phone links the roster entry to them
    and they see what is already there. A person in two cooperatives has two sets."""
    try:
        kind = SavingsKind(kind)
    except ValueError:
        raise InvalidAccount(f"no such kind of savings: {kind!r}") from None
    return f"member:{_positive_id(roster_id, 'a roster id')}:{kind.value}"


def farmer_payable(person_id: int) -> str:
    """``payable:farmer:<person_id>``: what the cooperative owes the farmer."""
    return f"payable:farmer:{_positive_id(person_id, 'a person id')}"


def _org_account(word: str, org_id: int) -> str:
    return f"{word}:{_positive_id(org_id, 'an organisation id')}"


def cash(org_id: int) -> str:
    return _org_account("cash", org_id)


def bank(org_id: int) -> str:
    return _org_account("bank", org_id)


def purchases(org_id: int) -> str:
    return _org_account("purchases", org_id)


def fees(org_id: int) -> str:
    return _org_account("fees", org_id)


def sales(org_id: int) -> str:
    return _org_account("sales", org_id)


def opening(org_id: int) -> str:
    return _org_account("opening", org_id)


def receivable(org_id: int) -> str:
    return _org_account("receivable", org_id)


def inventory(org_id: int) -> str:
    return _org_account("inventory", org_id)


def cogs(org_id: int) -> str:
    return _org_account("cogs", org_id)


def losses(org_id: int) -> str:
    return _org_account("losses", org_id)


def buyer_receivable(buyer_id: int) -> str:
    """``receivable:buyer:<buyer_id>``: what a buyer owes for produce delivered and invoiced
    (never below zero: an invoice is not paid twice)."""
    return f"receivable:buyer:{_positive_id(buyer_id, 'a buyer id')}"


def farmer_receivable(person_id: int) -> str:
    """``receivable:farmer:<person_id>``: what a farmer owes for input advances (never below
    zero: a harvest repays at most what is owed)."""
    return f"receivable:farmer:{_positive_id(person_id, 'a person id')}"


def loan_receivable(loan_id: int) -> str:
    """``receivable:loan:<loan_id>``: the pokok a member still owes on a loan paid out (never
    below zero: a loan is not repaid twice). One account per loan, so a member's two loans
    (a top-up) and their schedules stay apart."""
    return f"receivable:loan:{_positive_id(loan_id, 'a loan id')}"


def loan_fees(org_id: int) -> str:
    """``loanfees:<org_id>``: income from loan admin fees, kept at the payout."""
    return _org_account("loanfees", org_id)


def loan_interest(org_id: int) -> str:
    """``loaninterest:<org_id>``: income from jasa paid on loans."""
    return _org_account("loaninterest", org_id)


def loan_penalties(org_id: int) -> str:
    """``loanpenalty:<org_id>``: income from penalties (denda) on late installments."""
    return _org_account("loanpenalty", org_id)


def hub_fees(org_id: int) -> str:
    """``hubfees:<org_id>``: the hub's fee per item of an order cycle, as income."""
    return _org_account("hubfees", org_id)


def coop_receivable(org_id: int) -> str:
    """``receivable:coop:<org_id>``: what a village cooperative owes its hub (goods invoiced,
    advances); never below zero: a payment is not taken twice."""
    return f"receivable:coop:{_positive_id(org_id, 'an organisation id')}"


def supplier_payable(supplier_id: int) -> str:
    """``payable:supplier:<supplier_id>``: what the hub owes a supplier for goods received;
    never below zero: a supplier is not paid twice."""
    return f"payable:supplier:{_positive_id(supplier_id, 'a supplier id')}"


def member_receivable(roster_id: int) -> str:
    """``receivable:member:<roster_id>``: what a member owes for goods taken on payroll
    deduction (keyed by the membership, as savings are); never below zero."""
    return f"receivable:member:{_positive_id(roster_id, 'a roster id')}"


def shu_shared(org_id: int) -> str:
    """``shu:<org_id>``: debited with a year's whole SHU when it is posted (equity)."""
    return _org_account("shu", org_id)


def shu_reserve(org_id: int) -> str:
    """``shureserve:<org_id>``: the reserve (cadangan) built from the years' SHU."""
    return _org_account("shureserve", org_id)


def shu_fund(org_id: int, name: str) -> str:
    """``shufund:<org_id>:<name>``: a fund set aside from the SHU by the bylaws (``pengurus``,
    ``karyawan``, ``pendidikan``, ``sosial`` …; a-z and 0-9, up to 20)."""
    code = f"shufund:{_positive_id(org_id, 'an organisation id')}:{name}"
    if not _SHU_FUND.match(code):
        raise InvalidAccount(f"not a fund name: {name!r}")
    return code


def parse_account(code: object) -> Account:
    """The account a code names; InvalidAccount for anything else (no spaces, no case
    variants, no leading zeros: one account has exactly one code)."""
    if isinstance(code, str):
        if found := _MEMBER.match(code):
            return Account(code, SAVINGS_ACCOUNT[SavingsKind(found[2])], roster_id=int(found[1]))
        if found := _PAYABLE.match(code):
            return Account(code, AccountKind.PAYABLE_FARMER, person_id=int(found[1]))
        if found := _BUYER.match(code):
            return Account(code, AccountKind.RECEIVABLE_BUYER)
        if found := _FARMER_RECEIVABLE.match(code):
            return Account(code, AccountKind.RECEIVABLE_FARMER, person_id=int(found[1]))
        if found := _LOAN_RECEIVABLE.match(code):
            return Account(code, AccountKind.RECEIVABLE_LOAN)
        if found := _COOP_RECEIVABLE.match(code):
            return Account(code, AccountKind.RECEIVABLE_COOP, org_id=int(found[1]))
        if found := _SUPPLIER_PAYABLE.match(code):
            return Account(code, AccountKind.PAYABLE_SUPPLIER)
        if found := _MEMBER_RECEIVABLE.match(code):
            return Account(code, AccountKind.RECEIVABLE_MEMBER, roster_id=int(found[1]))
        if found := _SHU_FUND.match(code):
            return Account(code, AccountKind.SHU_FUND, org_id=int(found[1]))
        if found := _ORG.match(code):
            return Account(code, _ORG_WORDS[found[1]], org_id=int(found[2]))
    raise InvalidAccount(f"not an account code: {code!r}")


def normal_balance(kind: AccountKind, raw: int) -> int:
    """The raw balance (debits minus credits) as people read it: positive on the normal side."""
    return raw if kind.normal is Side.DEBIT else -raw


def raw_change(kind: AccountKind, change: int) -> int:
    """The line amount that changes ``kind``'s normal balance by ``change``."""
    return change if kind.normal is Side.DEBIT else -change


def check_not_overdrawn(account: Account, raw_before: int, raw_amount: int) -> None:
    """Refuse a line that takes a never-negative account below zero (Overdrawn)."""
    after = normal_balance(account.kind, raw_before + raw_amount)
    if account.kind.never_negative and after < 0:
        raise Overdrawn(
            account.code,
            normal_balance(account.kind, raw_before),
            normal_balance(account.kind, raw_amount),
        )


# --- lines and entries ------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line to post: ``amount`` > 0 debits ``account``, < 0 credits it."""

    account: str
    amount: int


def debit(account: str, amount: int) -> Line:
    return Line(parse_account(account).code, check_amount(amount))


def credit(account: str, amount: int) -> Line:
    return Line(parse_account(account).code, -check_amount(amount))


def check_lines(lines: Iterable[Line]) -> tuple[Line, ...]:
    """The lines of one entry, checked: at least two, each a valid account and a non-zero
    whole amount, each account once (sum them), debits equal to credits (UnbalancedEntry)."""
    checked = tuple(lines)
    if len(checked) < 2:
        raise InvalidEntry("an entry has at least two lines")
    seen: set[str] = set()
    for line in checked:
        if not isinstance(line, Line):
            raise InvalidEntry(f"not a ledger line: {line!r}")
        parse_account(line.account)
        if isinstance(line.amount, bool) or not isinstance(line.amount, int):
            check_amount(line.amount)  # raises: the same message as everywhere
        check_amount(abs(line.amount))
        if line.account in seen:
            raise InvalidEntry(
                f"{line.account} appears twice in one entry: post one line with the sum"
            )
        seen.add(line.account)
    total = sum(line.amount for line in checked)
    if total != 0:
        debits = sum(line.amount for line in checked if line.amount > 0)
        raise UnbalancedEntry(f"debits {debits} and credits {debits - total} differ by {total}")
    return checked


def mirrored(lines: Iterable[Line]) -> tuple[Line, ...]:
    """The lines that undo ``lines`` (a reversal): same accounts, opposite amounts."""
    return tuple(Line(line.account, -line.amount) for line in lines)


def check_reason(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidEntry("an entry needs a reason")
    if len(reason) > MAX_REASON:
        raise InvalidEntry(f"a reason is at most {MAX_REASON} characters")
    return reason


def check_reference(reference: object) -> str | None:
    """None, or a short text without spaces at its ends: ``offer:42:owed``, ``batch:payroll-2025-12``."""
    if reference is None:
        return None
    if not isinstance(reference, str) or not reference or reference != reference.strip():
        raise InvalidEntry(f"not a reference: {reference!r}")
    if len(reference) > MAX_REFERENCE:
        raise InvalidEntry(f"a reference is at most {MAX_REFERENCE} characters")
    return reference


def check_author(author: object) -> int | None:
    """A person id, or None for the system or the command line."""
    if author is None:
        return None
    if isinstance(author, bool) or not isinstance(author, int) or author <= 0:
        raise InvalidEntry(f"an author is a person id or None, not {author!r}")
    return author


@dataclass(frozen=True)
class Posted:
    """A line as posted: with the account's raw balance after it (debits minus credits)."""

    account: str
    amount: int
    balance_after: int


@dataclass(frozen=True)
class Entry:
    """A journal entry as stored. ``author`` is a person id or None (system, command line);
    ``at`` Unix seconds UTC; ``reverses`` the id of the entry it undoes, if it is a reversal."""

    id: int
    at: int
    author: int | None
    reason: str
    reference: str | None
    reverses: int | None
    lines: tuple[Posted, ...]
    hash: str


def canonical(entry: Entry) -> str:
    """The entry's content as hashed (everything but its own hash): RFC 8785 JSON."""
    document = {
        "v": CANONICAL_VERSION,
        "id": entry.id,
        "at": entry.at,
        "author": entry.author,
        "reason": entry.reason,
        "reference": entry.reference,
        "reverses": entry.reverses,
        "lines": [
            {"account": line.account, "amount": line.amount, "balance_after": line.balance_after}
            for line in entry.lines
        ],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(previous: str, entry: Entry) -> str:
    """SHA-256 of the previous entry's hash (hex, ASCII) followed by the canonical entry (UTF-8)."""
    return hashlib.sha256(previous.encode("ascii") + canonical(entry).encode("utf-8")).hexdigest()


# --- reasons the code writes ------------------------------------------------------------

# A reason the code writes is a stable code and its parameters as JSON, for example
# ``savings.deposit.month {"kind":"wajib","month":"2026-10"}``: it is read in the reader's own
# language (bot.ledger_reasons). The stored text is what the chain hashes, so this form never
# changes once written; a reason a person typed, and every reason written before codes, is
# plain text and shown as it is.
REASON_DEPOSIT_DESK = "savings.deposit.desk"  # kind
REASON_DEPOSIT_MONTH = "savings.deposit.month"  # kind, month (2026-10)
REASON_OPENING = "savings.opening"
REASON_WITHDRAWAL = "savings.withdrawal"  # kind
REASON_CANCELLED = "savings.cancelled"  # why (typed by the treasurer)
REASON_PICKED_UP = "offer.picked_up"  # number, quantity (base units), produce, grade
REASON_PAID_CASH = "offer.paid.cash"  # number
REASON_PAID_TRANSFER = "offer.paid.transfer"  # number, transfer (its reference)
REASON_STOCK_ARRIVAL = "stock.arrival"  # warehouse (its name), quantity, produce, grade
REASON_STOCK_LOSS = "stock.loss"  # why (typed by the keeper), quantity, produce, grade
REASON_STOCK_COST = "stock.cost"  # kind (drying or processing), quantity, produce, grade

REASON_ADVANCE = "advance.given"  # number (ADV-…), what (pupuk, bibit, cash)
REASON_LOAN_PAID_OUT = "loan.disbursed"  # number (KP-…), via (cash or transfer), transfer
REASON_LOAN_REPAID = "loan.repaid"  # number (KP-…), source (payroll, counter, payoff), month
REASON_PAYROLL_BELANJA = "payroll.belanja"  # month: goods taken, deducted from pay
REASON_SHU = "shu.posted"  # year

_CODED = re.compile(r"([a-z]+(?:\.[a-z_]+)+)(?: (\{.*\}))?", re.DOTALL)


def coded_reason(code: str, **params: str | int) -> str:
    """The reason stored for ``code`` with ``params`` (keys sorted: one text per meaning)."""
    if not _CODED.fullmatch(code):
        raise InvalidEntry(f"not a reason code: {code!r}")
    if not params:
        return code
    return f"{code} {json.dumps(params, sort_keys=True, separators=(',', ':'), ensure_ascii=False)}"


def parse_reason(reason: str) -> tuple[str, dict[str, str | int]] | None:
    """``(code, params)`` of a reason the code wrote; None for text (typed, or older)."""
    found = _CODED.fullmatch(reason or "")
    if not found:
        return None
    if found[2] is None:
        return found[1], {}
    try:
        params = json.loads(found[2])
    except ValueError:
        return None
    if not isinstance(params, dict) or not all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in params.values()
    ):
        return None
    return found[1], params


# --- the savings rules ------------------------------------------------------------------


def check_savings_withdrawal(
    kind: SavingsKind | str, balance: int, amount: int, *, member: bool
) -> None:
    """May a person take ``amount`` out of their ``kind`` savings holding ``balance``?

    Pokok and wajib come back only when membership ends (``member=False``), and then at most
    what was saved; sukarela any time, never beyond the balance. Raises
    SavingsWithdrawalRefused (``savings.locked`` or ``savings.insufficient``) or InvalidAmount.
    """
    kind = SavingsKind(kind)
    check_amount(amount)
    check_amount(balance, allow_zero=True)
    if kind is not SavingsKind.SUKARELA and member:
        raise SavingsWithdrawalRefused(
            "savings.locked", f"simpanan {kind.value} cannot be withdrawn while one is a member"
        )
    if amount > balance:
        raise SavingsWithdrawalRefused(
            "savings.insufficient",
            f"a withdrawal of {amount} from simpanan {kind.value} holding {balance}",
        )


def savings_withdrawal_allowed(
    kind: SavingsKind | str, balance: int, amount: int, *, member: bool
) -> bool:
    try:
        check_savings_withdrawal(kind, balance, amount, member=member)
    except LedgerError:
        return False
    return True
