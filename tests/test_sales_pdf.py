"""The surat jalan and the faktur read back: the lot's farmers and villages, the weights
sent, accepted and rejected with the reason, three signatures; the invoice's lines, total,
total in words, due date and where to pay; Indonesian and English."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

from pypdf import PdfReader

from bot.i18n import use_locale
from bot.sales_pdf import delivery_note, invoice, render
from storage.sales import Buyer, Delivery, Invoice, Sale
from storage.stock import Source

AT = int(datetime(2026, 12, 21, 3, 0, tzinfo=UTC).timestamp())
SALE = Sale(7, 1, 3, "Bulog Kancab Klaten", "gabah", "GKG", "800", 8_000, "2026-12-20",
            "2026-12-27", "Gudang Bulog Ceper", "open", AT)  # fmt: skip
BUYER = Buyer(3, 1, "Bulog Kancab Klaten", "bulog", "Pak Hadi", "+6281234567890", 14)
DELIVERY = Delivery(11, 7, "SJ/2026/0001", "500", "450", "50", "kadar air tinggi", 2_925_000,
                    None, None, AT)  # fmt: skip
SOURCES = [
    Source(41, "TW-0041", "Pak Sarno", "33.10.11.2004", AT - 86_400 * 3, Decimal("300")),
    Source(42, "TW-0042", "Bu Wati", "33.10.11.2005", AT - 86_400 * 2, Decimal("200")),
]


@dataclass
class _Line:
    number: str
    received: str
    amount_rupiah: int
    cut_rupiah: int = 0
    measured: bool = False


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _note(language: str) -> bytes:
    with use_locale(language):
        paper = delivery_note(
            cooperative="Koperasi Merah Putih Klaten", address="Jl. Raya Ceper 12, Klaten",
            sale=SALE, delivery=DELIVERY, buyer=BUYER, sources=SOURCES, zone="Asia/Jakarta",
        )  # fmt: skip
    return render(paper)


def _invoice(
    language: str, bank: str | None = "BRI 0123-01-000123-30-1 a.n. Koperasi Merah Putih Klaten"
) -> bytes:
    bill = Invoice(5, 1, 7, 3, "FKT/2026/0001", "2026-12-21", "2027-01-04", 3_600_000, 0, "unpaid")
    with use_locale(language):
        paper = invoice(
            cooperative="Koperasi Merah Putih Klaten", address="Jl. Raya Ceper 12, Klaten",
            bank_account=bank, sale=SALE, invoice=bill,
            lines=[_Line("SJ/2026/0001", "450", 3_600_000)], buyer=BUYER, zone="Asia/Jakarta",
        )  # fmt: skip
    return render(paper)


def test_the_delivery_note_names_the_farmers_villages_and_weights():
    text = _text(_note("id"))
    assert "SURAT JALAN" in text and "SJ/2026/0001" in text and "PJ-0007" in text
    assert "Bulog Kancab Klaten (Pak Hadi)" in text and "Gudang Bulog Ceper" in text
    for farmer, village, kilos in (
        ("Pak Sarno", "Kujon", "300 kg"),
        ("Bu Wati", "Ceper", "200 kg"),
    ):
        line = next(row for row in text.splitlines() if farmer in row)
        assert village in line and kilos in line
    assert "TW-0041" in text and "Jumat, 18 Desember 2026" in text  # picked up, in WIB
    assert "500 kg" in text and "450 kg" in text and "50 kg (kadar air tinggi)" in text
    for who in ("Pengirim", "Sopir", "Penerima"):
        assert who in text


def test_the_invoice_has_its_total_in_words_due_date_and_bank():
    text = _text(_invoice("id"))
    assert "FAKTUR" in text and "FKT/2026/0001" in text
    assert "Senin, 4 Januari 2027" in text  # due after 14 days
    assert "Rp8.000" in text and "Rp3.600.000" in text and "450 kg" in text
    assert "Tiga juta enam ratus ribu rupiah" in text
    assert "BRI 0123-01-000123-30-1" in text
    english = _text(_invoice("en", bank=None))
    assert "INVOICE" in english and "Three million six hundred thousand rupiah" in english
    assert "Monday 4 January 2027" in english or "Monday, 4 January 2027" in english
    assert "in cash" in english


# Buyers pay by the same measurements: Rp425 per kg off the contract's Rp8.000 for 27 % kadar
# air and 8 % hampa/kotoran, on the surat jalan and on the faktur.
MEASURED = replace(DELIVERY, moisture="27", foreign_matter="8", cut_rupiah=425, rafaksi_table_id=2)


def test_the_delivery_note_and_the_invoice_print_the_buyers_readings_and_the_cut():
    with use_locale("id"):
        note = render(delivery_note(
            cooperative="Koperasi Merah Putih Klaten", address=None, sale=SALE, delivery=MEASURED,
            buyer=BUYER, sources=SOURCES, zone="Asia/Jakarta",
        ))  # fmt: skip
    assert "Kadar air 27 %, hampa/kotoran 8 %: potongan Rp425 per kg" in _text(note)
    line = replace(MEASURED, amount_rupiah=3_408_750)  # 450 kg × Rp7.575
    bill = Invoice(5, 1, 7, 3, "FKT/2026/0001", "2026-12-21", "2027-01-04", 3_408_750, 0, "unpaid")
    with use_locale("id"):
        text = _text(render(invoice(
            cooperative="Koperasi Merah Putih Klaten", address=None, bank_account=None, sale=SALE,
            invoice=bill, lines=[line], buyer=BUYER, zone="Asia/Jakarta",
        )))  # fmt: skip
    row = next(r for r in text.splitlines() if r.startswith("SJ/2026/0001") and "450 kg" in r)
    assert "Rp7.575" in row and "Rp3.408.750" in row
    assert "Kadar air 27 %, hampa/kotoran 8 %: potongan Rp425 per kg" in text
    assert "Tiga juta empat ratus delapan ribu tujuh ratus lima puluh rupiah" in text
