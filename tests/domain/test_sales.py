"""The selling rules without a database: allocation, cost shares, deliveries, invoices,
payments, numbers, and sums in words."""

from datetime import date
from decimal import Decimal as D

import pytest

from domain import sales as S
from domain.produce import CATALOG
from domain.quantity import parse_quantity
from domain.terbilang import english, in_words, indonesian


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol rupiah"),
        (11, "sebelas rupiah"),
        (100, "seratus rupiah"),
        (1000, "seribu rupiah"),
        (1_000_000, "satu juta rupiah"),
        (1_200_000, "satu juta dua ratus ribu rupiah"),
        (1_250_000, "satu juta dua ratus lima puluh ribu rupiah"),
        (10**12, "satu triliun rupiah"),
    ],
)
def test_terbilang_in_indonesian(amount, words):
    assert indonesian(amount) == words
    assert in_words(amount, "id") == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "zero rupiah"),
        (11, "eleven rupiah"),
        (100, "one hundred rupiah"),
        (101, "one hundred and one rupiah"),
        (1000, "one thousand rupiah"),
        (1005, "one thousand and five rupiah"),
        (1_000_000, "one million rupiah"),
        (1_200_000, "one million two hundred thousand rupiah"),
        (21_345, "twenty-one thousand three hundred and forty-five rupiah"),
        (10**12, "one trillion rupiah"),
    ],
)
def test_terbilang_in_english(amount, words):
    assert english(amount) == words
    assert in_words(amount, "en") == words


@pytest.mark.parametrize("bad", [-1, 10**15, 1.5, True])
def test_no_words_for_what_is_not_money(bad):
    with pytest.raises((TypeError, ValueError)):
        english(bad)
    with pytest.raises((TypeError, ValueError)):
        indonesian(bad)


def test_allocation_takes_the_oldest_batches_first():
    batches = [S.Held(7, D("300")), S.Held(9, D("500")), S.Held(12, D("1000"))]
    assert S.allocate(D("650"), batches) == [S.Piece(7, D("300")), S.Piece(9, D("350"))]
    assert S.allocate(D("300"), batches) == [S.Piece(7, D("300"))]


def test_a_sale_larger_than_stock_is_refused_with_what_there_is():
    with pytest.raises(S.SaleRefused) as refused:
        S.allocate(D("900.5"), [S.Held(1, D("400")), S.Held(2, D("500"))])
    assert refused.value.reason == "sale.stock"
    assert refused.value.fields == {"available": D("900")}


def test_cost_shares_are_whole_rupiah_and_the_last_kilo_takes_the_rest():
    assert S.cost_share(1000, D("3"), D("1")) == 333
    assert S.cost_share(1000, D("3"), D("2")) == 667  # 666,67 half up
    assert S.cost_share(1000, D("3"), D("3")) == 1000
    # taken in three parts, the parts add up to the whole
    left, held, parts = 1000, D("3"), []
    for _ in range(3):
        part = S.cost_share(left, held, D("1"))
        parts.append(part)
        left, held = left - part, held - 1
    assert sum(parts) == 1000


def test_a_partial_delivery_with_a_rejection():
    lot = [S.Held(1, D("300"), 1_950_000), S.Held(2, D("500"), 3_500_000)]
    plan = S.plan_delivery(lot, D("400"), D("350"), "kadar air tinggi")
    # accepted: the oldest 300 kg whole and 50 kg of the second piece
    assert plan.accepted == (S.Piece(1, D("300"), 1_950_000), S.Piece(2, D("50"), 350_000))
    # rejected: the next 50 kg of the second piece, at its share of what was left
    assert plan.rejected == (S.Piece(2, D("50"), 350_000),)
    assert plan.received == D("350") and plan.rejected_quantity == D("50")
    assert plan.cost == 2_300_000


@pytest.mark.parametrize(
    ("sent", "received", "reason", "refusal"),
    [
        (D("801"), D("801"), None, "delivery.too_heavy"),
        (D("0"), D("0"), None, "delivery.too_heavy"),
        (D("100"), D("101"), None, "delivery.received"),
        (D("100"), D("90"), "", "delivery.reason"),
    ],
)
def test_deliveries_the_rules_refuse(sent, received, reason, refusal):
    lot = [S.Held(1, D("300"), 1), S.Held(2, D("500"), 1)]
    with pytest.raises(S.SaleRefused) as refused:
        S.plan_delivery(lot, sent, received, reason)
    assert refused.value.reason == refusal


def test_nothing_left_to_deliver():
    with pytest.raises(S.SaleRefused) as refused:
        S.plan_delivery([S.Held(1, D("0"), 0)], D("1"), D("1"), None)
    assert refused.value.reason == "delivery.nothing"


def test_invoice_lines_round_half_up_and_the_total_is_their_sum():
    lines = S.invoice_lines(8_333, [(1, D("12.345")), (2, D("0.5")), (3, D("0"))])
    assert [line.amount_rupiah for line in lines] == [102_871, 4_167]  # 102.870,885 and 4.166,5
    assert S.invoice_total(lines) == 107_038
    with pytest.raises(S.SaleRefused) as refused:
        S.invoice_lines(8_000, [(1, D("0"))])
    assert refused.value.reason == "invoice.nothing"


def test_due_date_from_payment_terms():
    assert S.due_date(date(2026, 12, 20), 14) == date(2027, 1, 3)
    assert S.due_date(date(2026, 12, 20), 0) == date(2026, 12, 20)
    with pytest.raises(S.SaleRefused):
        S.due_date(date(2026, 12, 20), 91)
    assert S.parse_terms("14 hari") == 14
    assert S.parse_terms("30 days") == 30
    for bad in ("-1", "dua", "100", ""):
        with pytest.raises(S.SaleRefused):
            S.parse_terms(bad)


def test_a_price_of_zero_is_refused():
    with pytest.raises(S.SaleRefused) as refused:
        S.check_sale_price(0, 1_000_000)
    assert refused.value.reason == "sale.price"
    with pytest.raises(S.SaleRefused) as refused:
        S.check_sale_price(1_000_001, 1_000_000)
    assert refused.value.reason == "sale.price_too_high"
    assert S.check_sale_price(8_000, 1_000_000) == 8_000


def test_an_invoice_paid_twice_is_refused():
    assert S.check_payment(1_000_000, 0, 400_000) == 400_000
    with pytest.raises(S.SaleRefused) as refused:
        S.check_payment(1_000_000, 400_000, 700_000)
    assert refused.value.reason == "invoice.overpaid" and refused.value.fields == {"owed": 600_000}
    with pytest.raises(S.SaleRefused) as refused:
        S.check_payment(1_000_000, 1_000_000, 1_000_000)
    assert refused.value.reason == "invoice.paid"


def test_a_transfer_needs_its_reference():
    assert S.check_payment_reference("cash", "anything") is None
    assert S.check_payment_reference("transfer", " BRI  1234 ") == "BRI 1234"
    with pytest.raises(S.SaleRefused):
        S.check_payment_reference("transfer", "")


def test_a_sale_holds_more_than_one_offer():
    gabah = CATALOG["gabah"]
    assert parse_quantity("150 ton", S.sale_commodity(gabah)).value == D("150000")


def test_status_and_numbers():
    assert S.sale_status(D("1"), D("0"), 0) is S.SaleStatus.OPEN
    assert S.sale_status(D("0"), D("5"), 0) is S.SaleStatus.DELIVERED
    assert S.sale_status(D("0"), D("0"), 10) is S.SaleStatus.INVOICED
    assert S.sale_status(D("0"), D("0"), 0) is S.SaleStatus.PAID
    assert S.sale_number(42) == "PJ-0042"
    assert S.document_number(S.INVOICE_PREFIX, 2026, 12) == "FKT/2026/0012"


def test_delivery_dates_as_people_type_them():
    today = date(2026, 12, 4)
    for typed in ("20-12-2026", "20/12/2026", "20.12.2026", "2026-12-20", "20-12", "20 12"):
        assert S.parse_date(typed, today) == date(2026, 12, 20)
    assert S.parse_date("3-1", today) == date(2027, 1, 3)  # passed this year: next year's
    for bad in ("kemarin", "31-02-2027", "1-12-2026", "1-1-2029", ""):
        with pytest.raises(S.SaleRefused):
            S.parse_date(bad, today)


def test_an_invoice_line_is_cut_by_the_buyers_readings_never_below_zero():
    """Buyers pay by the same measurements: 380 kg at Rp8.000 less Rp425 (27 % kadar air, 8 %
    hampa/kotoran by the GKP table) is 380 × Rp7.575; a delivery without readings is billed
    at the contract price; a cut above the price bills the kilos at zero, never below."""
    from domain import rafaksi

    table = rafaksi.check_table(["25", "30"], ["10", "15"], [[0, 300], [425, 750]])
    cut = rafaksi.cut_for(table, D("27"), D("8"))
    lines = S.invoice_lines(8_000, [(1, D("380"), cut.rupiah_per_unit), (2, D("100"))])
    assert [(line.price_rupiah, line.cut_rupiah, line.amount_rupiah) for line in lines] == [
        (7_575, 425, 2_878_500),
        (8_000, 0, 800_000),
    ]
    assert S.invoice_total(lines) == 3_678_500
    assert S.price_less_cut(500, 750) == 0
    lines = S.invoice_lines(500, [(1, D("10"), 750), (2, D("10"), 0)])
    assert [line.amount_rupiah for line in lines] == [0, 5_000]
    with pytest.raises(S.SaleRefused) as refused:  # nothing to bill: every line cut to zero
        S.invoice_lines(500, [(1, D("10"), 750)])
    assert refused.value.reason == "invoice.nothing"
