"""The ledger's pure rules: account codes, whole-rupiah amounts, balanced entries, the sign
convention, the savings rules and the hash chain's canonical form."""

import hashlib
from decimal import Decimal
from fractions import Fraction

import pytest

from domain import ledger as L
from domain.ledger import (
    GENESIS_HASH,
    AccountKind,
    Entry,
    InvalidAccount,
    InvalidAmount,
    InvalidEntry,
    Line,
    Overdrawn,
    Posted,
    SavingsKind,
    SavingsWithdrawalRefused,
    UnbalancedEntry,
)

# --- accounts ---------------------------------------------------------------------------


def test_account_codes_and_their_kinds():
    assert L.member_savings(7, "wajib") == "member:7:wajib"
    assert L.member_savings(7, SavingsKind.POKOK) == "member:7:pokok"
    assert L.farmer_payable(12) == "payable:farmer:12"
    assert [f(3) for f in (L.cash, L.bank, L.purchases, L.fees, L.sales, L.opening, L.receivable)] == [
        "cash:3", "bank:3", "purchases:3", "fees:3", "sales:3", "opening:3", "receivable:3",
    ]  # fmt: skip
    # savings are owned by the roster entry (the membership), not by a person
    account = L.parse_account("member:7:sukarela")
    assert (account.kind, account.roster_id, account.person_id, account.org_id) == (
        AccountKind.SAVINGS_SUKARELA, 7, None, None,
    )  # fmt: skip
    assert L.parse_account("receivable:3").kind.normal is L.Side.DEBIT
    assert L.parse_account("payable:farmer:12").kind is AccountKind.PAYABLE_FARMER
    assert L.parse_account("cash:3").org_id == 3
    assert L.parse_account(L.inventory(3)).kind is AccountKind.INVENTORY
    assert L.parse_account(L.buyer_receivable(5)).kind is AccountKind.RECEIVABLE_BUYER


@pytest.mark.parametrize(
    "code",
    ["", "cash", "cash:", "cash:0", "cash:03", "cash:-1", "Cash:1", " cash:1", "cash:1 ", "member:7:deposito",
     "member:7", "payable:7", "payable:farmer:x", "kas:1", "member:7:wajib:1", "receivable:buyer:0",
     "receivable:buyer:", "buyer:5", 42, None],
)  # fmt: skip
def test_anything_else_is_not_an_account(code):
    with pytest.raises(InvalidAccount):
        L.parse_account(code)


@pytest.mark.parametrize("bad", [0, -1, True, 1.0, "7"])
def test_account_owners_are_positive_ints(bad):
    with pytest.raises(InvalidAccount):
        L.member_savings(bad, "wajib")
    with pytest.raises(InvalidAccount):
        L.cash(bad)
    with pytest.raises(InvalidAccount):
        L.member_savings(7, "deposito")


def test_normal_sides():
    debit_normal = {
        AccountKind.CASH,
        AccountKind.BANK,
        AccountKind.PURCHASES,
        AccountKind.RECEIVABLE,
        AccountKind.INVENTORY,
        AccountKind.COGS,
        AccountKind.LOSSES,
        AccountKind.RECEIVABLE_BUYER,
        AccountKind.RECEIVABLE_FARMER,
        AccountKind.RECEIVABLE_LOAN,
        AccountKind.RECEIVABLE_COOP,
        AccountKind.RECEIVABLE_MEMBER,
    }
    for kind in AccountKind:
        assert kind.normal is (L.Side.DEBIT if kind in debit_normal else L.Side.CREDIT), kind
    # a member who saved Rp50.000: the raw sum of the account's lines is -50.000
    assert L.normal_balance(AccountKind.SAVINGS_WAJIB, -50_000) == 50_000
    assert L.normal_balance(AccountKind.CASH, 50_000) == 50_000
    assert L.raw_change(AccountKind.SAVINGS_WAJIB, 50_000) == -50_000
    assert {k for k in AccountKind if k.never_negative} == {
        AccountKind.SAVINGS_POKOK, AccountKind.SAVINGS_WAJIB, AccountKind.SAVINGS_SUKARELA,
        AccountKind.PAYABLE_FARMER, AccountKind.RECEIVABLE_BUYER, AccountKind.RECEIVABLE_FARMER,
        AccountKind.RECEIVABLE_LOAN, AccountKind.RECEIVABLE_COOP, AccountKind.PAYABLE_SUPPLIER,
        AccountKind.RECEIVABLE_MEMBER,
    }  # fmt: skip
    # loans: the pokok owed on one loan (never below zero), the admin fees as income
    assert L.parse_account(L.loan_receivable(7)).kind is AccountKind.RECEIVABLE_LOAN
    assert L.parse_account(L.loan_fees(3)) == L.Account(
        "loanfees:3", AccountKind.LOAN_FEES, org_id=3
    )
    assert AccountKind.LOAN_FEES.normal is L.Side.CREDIT
    # repayment, hub cycles, member purchases on payroll
    assert L.parse_account(L.loan_interest(3)).kind is AccountKind.LOAN_INTEREST
    assert L.parse_account(L.loan_penalties(3)).kind is AccountKind.LOAN_PENALTIES
    assert L.parse_account(L.hub_fees(3)).kind is AccountKind.HUB_FEES
    assert L.parse_account(L.coop_receivable(9)) == L.Account(
        "receivable:coop:9", AccountKind.RECEIVABLE_COOP, org_id=9
    )
    assert L.parse_account(L.supplier_payable(4)).kind is AccountKind.PAYABLE_SUPPLIER
    assert L.parse_account(L.member_receivable(5)) == L.Account(
        "receivable:member:5", AccountKind.RECEIVABLE_MEMBER, roster_id=5
    )


# --- amounts and entries ----------------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [
        1.0,
        6500.0,
        0.5,
        Decimal("6500"),
        Decimal("6500.00"),
        Fraction(1, 1),
        True,
        False,
        "6500",
        None,
    ],
)
def test_only_whole_rupiah_ints_are_amounts(amount):
    with pytest.raises(InvalidAmount):
        L.check_amount(amount)
    with pytest.raises(InvalidAmount):
        L.debit("cash:1", amount)
    with pytest.raises(InvalidAmount):
        L.check_lines([Line("cash:1", amount), Line("member:7:wajib", -6500)])


@pytest.mark.parametrize("amount", [0, -1, L.MAX_AMOUNT + 1])
def test_amounts_are_positive_and_sane(amount):
    with pytest.raises(InvalidAmount):
        L.credit("cash:1", amount)
    assert L.check_amount(L.MAX_AMOUNT) == L.MAX_AMOUNT


def test_debit_is_positive_credit_negative():
    assert L.debit("cash:1", 50_000) == Line("cash:1", 50_000)
    assert L.credit("member:7:wajib", 50_000) == Line("member:7:wajib", -50_000)


def test_a_balanced_entry_passes():
    lines = [
        L.debit("purchases:1", 9_750_000),
        L.credit("fees:1", 300_000),
        L.credit("payable:farmer:12", 9_450_000),
    ]
    assert L.check_lines(lines) == tuple(lines)


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ([Line("cash:1", 50_000), Line("member:7:wajib", -40_000)], UnbalancedEntry),
        ([Line("cash:1", 50_000), Line("member:7:wajib", 50_000)], UnbalancedEntry),
        ([Line("cash:1", 50_000)], InvalidEntry),
        ([], InvalidEntry),
        ([Line("cash:1", 50_000), Line("cash:1", -50_000)], InvalidEntry),  # one account twice
        (
            [Line("cash:1", 50_000), Line("member:7:wajib", -50_000), Line("bank:1", 0)],
            InvalidAmount,
        ),
        ([Line("cash:1", 50_000), Line("kas:1", -50_000)], InvalidAccount),
        ([Line("cash:1", 50_000), ("member:7:wajib", -50_000)], InvalidEntry),
    ],
)
def test_bad_entries_are_refused(lines, error):
    with pytest.raises(error):
        L.check_lines(lines)


def test_an_unbalanced_entry_says_by_how_much():
    with pytest.raises(UnbalancedEntry, match="differ by 10000"):
        L.check_lines([L.debit("cash:1", 50_000), L.credit("member:7:wajib", 40_000)])


def test_a_reversal_mirrors_the_lines():
    lines = (L.debit("cash:1", 50_000), L.credit("member:7:wajib", 50_000))
    assert L.mirrored(lines) == (L.credit("cash:1", 50_000), L.debit("member:7:wajib", 50_000))
    assert sum(line.amount for line in L.mirrored(lines)) == 0


@pytest.mark.parametrize("reason", ["", "   ", None, 5, "x" * (L.MAX_REASON + 1)])
def test_an_entry_needs_a_reason(reason):
    with pytest.raises(InvalidEntry):
        L.check_reason(reason)


@pytest.mark.parametrize("author", [0, -3, True, "7", 7.0])
def test_an_author_is_a_person_id_or_nobody(author):
    assert L.check_author(None) is None and L.check_author(7) == 7
    with pytest.raises(InvalidEntry):
        L.check_author(author)


@pytest.mark.parametrize("reference", ["", " offer:1", "offer:1 ", 42, "x" * (L.MAX_REFERENCE + 1)])
def test_references_are_short_trimmed_text(reference):
    assert L.check_reference("offer:42:owed") == "offer:42:owed"
    with pytest.raises(InvalidEntry):
        L.check_reference(reference)


def test_never_negative_accounts_cannot_be_overdrawn():
    sukarela = L.parse_account("member:7:sukarela")
    L.check_not_overdrawn(sukarela, -50_000, 50_000)  # withdraw everything: 0 left
    with pytest.raises(Overdrawn) as refused:
        L.check_not_overdrawn(sukarela, -50_000, 50_001)
    assert (refused.value.balance, refused.value.change) == (50_000, -50_001)
    L.check_not_overdrawn(L.parse_account("cash:1"), 0, -1)  # cash is not guarded here


# --- the savings rules ------------------------------------------------------------------


def test_sukarela_is_withdrawn_up_to_the_balance_never_beyond():
    L.check_savings_withdrawal("sukarela", 100_000, 100_000, member=True)
    L.check_savings_withdrawal(SavingsKind.SUKARELA, 100_000, 1, member=True)
    with pytest.raises(SavingsWithdrawalRefused) as refused:
        L.check_savings_withdrawal("sukarela", 100_000, 100_001, member=True)
    assert refused.value.reason == "savings.insufficient"
    assert not L.savings_withdrawal_allowed("sukarela", 0, 1, member=True)
    with pytest.raises(InvalidAmount):
        L.check_savings_withdrawal("sukarela", 100_000, 5_000.0, member=True)


@pytest.mark.parametrize("kind", ["pokok", "wajib"])
def test_pokok_and_wajib_are_locked_while_a_member(kind):
    with pytest.raises(SavingsWithdrawalRefused) as refused:
        L.check_savings_withdrawal(kind, 1_000_000, 1, member=True)
    assert refused.value.reason == "savings.locked"
    # returned when membership ends, at most what was saved
    assert L.savings_withdrawal_allowed(kind, 1_000_000, 1_000_000, member=False)
    assert not L.savings_withdrawal_allowed(kind, 1_000_000, 1_000_001, member=False)


# --- the canonical form and the chain ---------------------------------------------------


ENTRY = Entry(
    id=1, at=1_764_720_000, author=None, reason="Simpanan pokok, Budi “Ucok” Santoso", reference="batch:opening-2025",
    reverses=None, lines=(Posted("cash:1", 100_000, 100_000), Posted("member:7:pokok", -100_000, -100_000)),
    hash="",
)  # fmt: skip


def test_the_canonical_form_is_sorted_compact_json_with_utf8_text():
    assert L.canonical(ENTRY) == (
        '{"at":1764720000,"author":null,"id":1,"lines":[{"account":"cash:1","amount":100000,'
        '"balance_after":100000},{"account":"member:7:pokok","amount":-100000,"balance_after":-100000}],'
        '"reason":"Simpanan pokok, Budi “Ucok” Santoso","reference":"batch:opening-2025","reverses":null,"v":1}'
    )


def test_the_hash_chains_from_the_genesis_value():
    expected = hashlib.sha256((GENESIS_HASH + L.canonical(ENTRY)).encode("utf-8")).hexdigest()
    assert L.chain_hash(GENESIS_HASH, ENTRY) == expected
    # a fixed vector: changing the canonical form by accident breaks every stored chain
    assert expected == FIRST_HASH
    second = Entry(2, ENTRY.at, 7, "Setoran", None, 1, ENTRY.lines, "")
    assert L.chain_hash(expected, second) != L.chain_hash(GENESIS_HASH, second)


@pytest.mark.parametrize(
    "change",
    [
        {"at": ENTRY.at + 1}, {"author": 7}, {"reason": ENTRY.reason + " "}, {"reference": None},
        {"reverses": 3}, {"id": 2},
        {"lines": (Posted("cash:1", 100_001, 100_000), ENTRY.lines[1])},
        {"lines": (Posted("cash:1", 100_000, 100_001), ENTRY.lines[1])},
        {"lines": (Posted("cash:2", 100_000, 100_000), ENTRY.lines[1])},
        {"lines": tuple(reversed(ENTRY.lines))},
    ],
)  # fmt: skip
def test_every_field_is_in_the_hash(change):
    changed = Entry(**{**ENTRY.__dict__, **change})
    assert L.chain_hash(GENESIS_HASH, changed) != L.chain_hash(GENESIS_HASH, ENTRY)


# SHA-256 of GENESIS_HASH + the canonical form above, computed once and written down.
FIRST_HASH = "fa68d390be2476ac29f596cbb86031e4ae57bcaf6dbf439a01d23638d19fbaa6"


def test_a_reason_the_code_writes_is_a_code_with_its_parameters():
    stored = L.coded_reason(L.REASON_DEPOSIT_MONTH, month="2026-10", kind="wajib")
    assert stored == 'savings.deposit.month {"kind":"wajib","month":"2026-10"}'
    assert L.parse_reason(stored) == (L.REASON_DEPOSIT_MONTH, {"kind": "wajib", "month": "2026-10"})
    assert L.parse_reason(L.coded_reason(L.REASON_OPENING)) == (L.REASON_OPENING, {})
    # reasons typed by people, and those stored before codes, are text
    for text in ("Simpanan wajib 2026-10", "Koreksi: salah ketik", "Dibayar tunai TW-0042", ""):
        assert L.parse_reason(text) is None
    assert L.parse_reason('savings.cancelled {"why": ["x"]}') is None
    with pytest.raises(L.InvalidEntry):
        L.coded_reason("Setoran simpanan")
