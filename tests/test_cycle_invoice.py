"""The cycle invoice in English read whole (the PDF), and the ledger reasons of the count and
the payments in both languages."""

import io

import pytest
from pypdf import PdfReader

from bot import cycle_invoice
from bot.i18n import use_locale
from bot.ledger_reasons import reason_text
from domain import cycle_delivery as C
from domain import ledger as L
from domain.cycles import Line
from storage.cycle_delivery import Invoice
from storage.cycles import Cycle, Item, Order
from storage.orgs import Organisation


@pytest.mark.parametrize(
    ("stored", "id_", "en"),
    [
        (L.coded_reason(C.REASON_INVOICED, invoice="FKT/2026/0001", order="PSN-0001"),
         "Faktur FKT/2026/0001 untuk barang yang diterima, pesanan PSN-0001",
         "Invoice FKT/2026/0001 for goods received, order PSN-0001"),
        (L.coded_reason(C.REASON_PAID, invoice="FKT/2026/0001", transfer="BRI 1"),
         "Koperasi membayar lewat transfer BRI 1, FKT/2026/0001",
         "Cooperative paid by transfer BRI 1, FKT/2026/0001"),
        (L.coded_reason(C.REASON_SUPPLIER_PAID, supplier="Bulog Klaten", transfer="BRI 9"),
         "Dibayar ke Bulog Klaten lewat transfer BRI 9", "Paid Bulog Klaten by transfer BRI 9"),
    ],
)  # fmt: skip
def test_reasons_in_both_languages(stored, id_, en):
    for language, expected in (("id", id_), ("en", en)):
        with use_locale(language):
            assert reason_text(stored) == expected


def test_the_invoice_in_english():
    hub = Organisation(2, 1, "coop_secondary", "hub", "Koperasi Hub Jateng", "Jl. Pemuda 1, Klaten")
    coop = Organisation(4, 2, "kdkmp", "kop", "KDKMP Kujon", None, "33.10.11.2004")
    cycle = Cycle(1, 2, "Sembako Desember", 0, "2026-12-14", 0, "closed", None, 0, 0, 0)
    items = {
        1: Item(1, 1, 7, "Beras SPHP 5 kg", "karung", 62_000, 2_000, 40, 10),
        2: Item(2, 1, 7, "Minyak goreng 1 L", "liter", 15_000, 500, 500, 24),
    }
    order = Order(1, 1, 4, "invoiced", None, (Line(1, 10, 62_000, 2_000), Line(2, 24, 15_000, 500)))
    bill = Invoice(
        1, 2, 4, "FKT/2026/0001", 856_000, 28_000, 128_000, 884_000, 0, 1_796_000_000, "2026-12-28"
    )
    with use_locale("en"):
        paper = cycle_invoice.paper(
            hub=hub, bank_account="BRI 0123-01-000123-30-1 a.n. Koperasi Hub Jateng", coop=coop,
            cycle=cycle, order=order, offered=items, received={1: 8, 2: 24}, bill=bill,
            zone="Asia/Jakarta",
        )  # fmt: skip
        data = cycle_invoice.render(paper)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    for piece in ("INVOICE (FAKTUR)", "FKT/2026/0001", "KDKMP Kujon", "10 sacks", "8 sacks",
                  "Rp884,000", "2 sacks Beras SPHP 5 kg did not arrive: Rp128,000 credited, not billed.",
                  "Eight hundred and eighty-four thousand rupiah", "Monday, 28 December 2026"):  # fmt: skip
        assert piece.lower() in text.lower(), (piece, text)
