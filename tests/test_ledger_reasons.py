"""Ledger reasons read in the reader's language: codes through the catalogs, months in words,
any other text as it was stored."""

import pytest

from bot.i18n import use_locale
from bot.ledger_reasons import reason_text
from domain import ledger as L


@pytest.mark.parametrize(
    ("stored", "id_", "en"),
    [
        (L.coded_reason(L.REASON_DEPOSIT_MONTH, kind="wajib", month="2026-10"),
         "Setoran simpanan wajib bulan Oktober 2026", "Deposit to mandatory savings for October 2026"),
        (L.coded_reason(L.REASON_DEPOSIT_DESK, kind="sukarela"),
         "Setoran simpanan sukarela di loket", "Deposit to voluntary savings at the desk"),
        (L.coded_reason(L.REASON_WITHDRAWAL, kind="sukarela"),
         "Penarikan simpanan sukarela", "Withdrawal from voluntary savings"),
        (L.coded_reason(L.REASON_CANCELLED, why="salah ketik"),
         "Dibatalkan: salah ketik", "Cancelled: salah ketik"),
        (L.coded_reason(L.REASON_PICKED_UP, number="TW-0042", quantity="1500", produce="gabah", grade="GKP"),
         "Penjemputan TW-0042: 1.500 gabah, GKP (gabah kering panen)",
         "Pickup TW-0042: 1,500 unhusked rice, GKP (freshly harvested)"),
        (L.coded_reason(L.REASON_STOCK_ARRIVAL, warehouse="Gudang Kujon", quantity="985", produce="gabah", grade="GKP"),
         "Masuk Gudang Kujon: 985 gabah, GKP (gabah kering panen)",
         "Into Gudang Kujon: 985 unhusked rice, GKP (freshly harvested)"),
        (L.coded_reason(L.REASON_STOCK_LOSS, why="dimakan tikus", quantity="10", produce="gabah", grade="GKG"),
         "Stok hilang (dimakan tikus): 10 gabah, GKG (gabah kering giling)",
         "Stock lost (dimakan tikus): 10 unhusked rice, GKG (dried)"),
        (L.coded_reason(L.REASON_STOCK_COST, kind="drying", quantity="852", produce="gabah", grade="GKG"),
         "Biaya pengeringan: 852 gabah, GKG (gabah kering giling)",
         "Drying fee: 852 unhusked rice, GKG (dried)"),
        (L.coded_reason(L.REASON_PAID_CASH, number="TW-0042"),
         "Dibayar tunai, TW-0042", "Paid in cash, TW-0042"),
        (L.coded_reason(L.REASON_ADVANCE, number="PIN-0007", what="pupuk"),
         "Pinjaman input PIN-0007: pupuk", "Input advance PIN-0007: fertiliser"),
        (L.coded_reason(L.REASON_LOAN_PAID_OUT, number="KP-0001", via="cash"),
         "Pencairan pinjaman KP-0001 tunai", "Loan KP-0001 paid out in cash"),
        (L.coded_reason(L.REASON_LOAN_PAID_OUT, number="KP-0002", via="transfer", transfer="BRI 123"),
         "Pencairan pinjaman KP-0002 lewat transfer BRI 123", "Loan KP-0002 paid out by transfer BRI 123"),
        (L.coded_reason(L.REASON_LOAN_REPAID, number="KP-0001", source="payroll", month="2027-01"),
         "Angsuran pinjaman KP-0001, dipotong gaji bulan Januari 2027",
         "Installment of loan KP-0001, deducted from pay for January 2027"),
        (L.coded_reason(L.REASON_LOAN_REPAID, number="KP-0001", source="payoff"),
         "Pelunasan pinjaman KP-0001", "Early payoff of loan KP-0001"),
        (L.coded_reason(L.REASON_LOAN_REPAID, number="KP-0001", source="counter"),
         "Angsuran pinjaman KP-0001, dibayar di loket", "Installment of loan KP-0001, paid at the desk"),
        (L.coded_reason(L.REASON_PAYROLL_BELANJA, month="2027-01"),
         "Belanja di koperasi, dipotong gaji bulan Januari 2027",
         "Goods from the cooperative, deducted from pay for January 2027"),
        ("Simpanan wajib 2026-10", "Simpanan wajib 2026-10", "Simpanan wajib 2026-10"),
        ('savings.unknown {"a":"b"}', 'savings.unknown {"a":"b"}', 'savings.unknown {"a":"b"}'),
        ('savings.deposit.month {"kind":"emas"}',) * 3,
    ],
)  # fmt: skip
def test_reasons_in_each_language(stored, id_, en):
    with use_locale("id"):
        assert reason_text(stored) == id_
    with use_locale("en"):
        assert reason_text(stored) == en
