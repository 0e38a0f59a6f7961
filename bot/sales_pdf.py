"""The two papers of a sale, as PDF (fpdf2, as bot.statement_pdf): the delivery note
(*surat jalan*: the lot sent with the farmers and villages its kilos came from, the weights
sent and accepted, the buyer's quality readings and their cut where a rafaksi table applied,
three signatures) and the invoice (*faktur*: one line per delivery at the contract price
less its cut, each cut with its readings, the total in figures and in words, the due date,
where to pay).

Every text is made in the reader's language first (:func:`delivery_note`, :func:`invoice`
build a :class:`Paper` inside the reader's locale); :func:`render` only lays it out, so it
can run in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from bot.i18n import _, current_language, format_date, format_money, format_quantity, unit_name
from bot.ledger_reasons import _produce
from bot.quality_words import rafaksi_line
from bot.statement_pdf import _latin1
from domain import regions
from domain.produce import CATALOG
from domain.sales import price_less_cut
from domain.terbilang import in_words


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # mm
    right: bool = False  # figures are right-aligned


@dataclass
class Paper:
    """What a sale's paper says, already in the reader's language."""

    cooperative: str
    address: str | None
    title: str
    facts: list[tuple[str, str]]  # "Label: value" lines under the title
    columns: list[Column]
    rows: list[tuple[str, ...]]
    totals: list[tuple[str, str]] = field(default_factory=list)  # under the table, bold
    notes: list[str] = field(default_factory=list)  # paragraphs after the totals
    signatures: list[str] = field(default_factory=list)  # who signs, left to right
    footer: str = ""


LINE = 5.0


def render(paper: Paper) -> bytes:
    """The PDF bytes of ``paper`` (A4, 15 mm margins)."""
    from fpdf import FPDF  # loaded when the first paper is drawn, not at start

    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(_latin1(paper.title))
    pdf.add_page()
    width = pdf.w - 30
    # the cooperative, as on a letterhead
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, _latin1(paper.cooperative), new_x="LMARGIN", new_y="NEXT")
    if paper.address:
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 4.5, _latin1(paper.address), new_x="LMARGIN", new_y="NEXT")
    pdf.set_line_width(0.4)
    pdf.line(15, pdf.get_y() + 2, 15 + width, pdf.get_y() + 2)
    pdf.ln(5)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin1(paper.title), new_x="LMARGIN", new_y="NEXT")
    for label, value in paper.facts:
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(38, LINE, _latin1(label))
        pdf.set_font("Helvetica", "B", 9)
        pdf.multi_cell(0, LINE, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    # the table: a header row, then one row per line
    scale = width / sum(c.width for c in paper.columns)
    widths = [c.width * scale for c in paper.columns]
    for bold, cells in (
        (True, tuple(c.title for c in paper.columns)),
        *((False, r) for r in paper.rows),
    ):
        pdf.set_font("Helvetica", "B" if bold else "", 8.5)
        top = pdf.get_y()
        x = 15
        for column, w, text in zip(paper.columns, widths, cells, strict=True):
            pdf.set_xy(x, top + 0.6)
            pdf.cell(w, LINE, _latin1(text), align="R" if column.right else "L")
            x += w
        pdf.set_line_width(0.3 if bold else 0.1)
        pdf.line(15, top + LINE + 1.2, 15 + width, top + LINE + 1.2)
        pdf.set_xy(15, top + LINE + 1.2)
    pdf.ln(2)
    for label, value in paper.totals:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(width - 50, 6, _latin1(label), align="R")
        pdf.cell(50, 6, _latin1(value), align="R", new_x="LMARGIN", new_y="NEXT")
    for note in paper.notes:
        pdf.ln(1.5)
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 4.8, _latin1(note), align="L", new_x="LMARGIN", new_y="NEXT")
    if paper.signatures:
        pdf.ln(8)
        box = width / 3  # up to three signatures; fewer stand at the right, as on a letter
        left = 15 + width - box * len(paper.signatures)
        top = pdf.get_y()
        for i, who in enumerate(paper.signatures):
            pdf.set_xy(left + i * box, top)
            pdf.set_font("Helvetica", "", 9)
            pdf.cell(box, LINE, _latin1(who), align="C")
            pdf.line(left + i * box + 6, top + 26, left + (i + 1) * box - 6, top + 26)
        pdf.set_xy(15, top + 30)
    if paper.footer:
        pdf.set_font("Helvetica", "I", 8)
        pdf.cell(0, 5, _latin1(paper.footer), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# --- what each paper says ---------------------------------------------------------------------


def produce_label(commodity: str, grade: str) -> str:
    """``Gabah, GKG (gabah kering giling)`` in the reader's language; the code where the
    catalog no longer knows it."""
    text = _produce({"produce": commodity, "grade": grade})
    return text[:1].upper() + text[1:]


def _unit(commodity: str) -> str:
    found = CATALOG.get(commodity)
    return found.base_unit if found else "kg"


def _village(code: str) -> str:
    found = regions.place(code)
    if found is None:
        return code
    return f"{found.village}, {found.district}"


def _day(at: int, zone: str) -> str:
    return format_date(datetime.fromtimestamp(at, UTC), zone)


def quality_line(delivery, unit: str) -> str | None:
    """The buyer's readings and the cut they gave, where the delivery has them."""
    if not delivery.measured:
        return None
    return rafaksi_line(
        Decimal(delivery.moisture), Decimal(delivery.foreign_matter), delivery.cut_rupiah, unit
    )


def delivery_note(
    *, cooperative: str, address: str | None, sale, delivery, buyer, sources, zone: str
) -> Paper:
    """The surat jalan of ``delivery`` (storage.sales.Delivery) of ``sale`` to ``buyer``;
    ``sources`` are storage.stock.trace's pickups of its kilos."""
    unit = _unit(sale.commodity)
    sent, received, rejected = (
        Decimal(v) for v in (delivery.sent, delivery.received, delivery.rejected)
    )
    facts = [
        (_("Number"), delivery.number),
        (_("Date"), _day(delivery.delivered_at, zone)),
        (_("Sale"), sale.number),
        (_("Buyer"), buyer.name + (f" ({buyer.contact})" if buyer.contact else "")),
        (_("Delivered to"), sale.place),
        (_("Produce"), produce_label(sale.commodity, sale.grade)),
        (_("Sent"), format_quantity(sent, unit)),
        (_("Accepted by the buyer"), format_quantity(received, unit)),
    ]
    if rejected > 0:
        facts.append(
            (_("Rejected"), f"{format_quantity(rejected, unit)} ({delivery.reject_reason})")
        )
    quality = quality_line(delivery, unit)
    if quality:
        facts.append((_("Quality (buyer)"), quality))
    columns = [
        Column(_("Offer"), 22), Column(_("Farmer"), 50), Column(_("Village"), 58),
        Column(_("Picked up"), 40), Column(_("Quantity"), 30, right=True),
    ]  # fmt: skip
    rows = [
        (s.offer_number, s.farmer_name, _village(s.village_code),
         _day(s.picked_up_at, zone) if s.picked_up_at else "-", format_quantity(Decimal(s.quantity), unit))
        for s in sources
    ]  # fmt: skip
    return Paper(
        cooperative=cooperative, address=address, title=_("DELIVERY NOTE (SURAT JALAN)"),
        facts=facts, columns=columns, rows=rows,
        notes=[_("The produce above comes from these farmers' harvests, picked up and weighed by the cooperative.")],
        signatures=[_("Sender"), _("Driver"), _("Receiver")],
    )  # fmt: skip


def invoice(
    *, cooperative: str, address: str | None, bank_account: str | None, sale, invoice, lines,
    buyer, zone: str,
) -> Paper:  # fmt: skip
    """The faktur ``invoice`` (storage.sales.Invoice) of ``sale``: ``lines`` its deliveries."""
    unit = _unit(sale.commodity)
    facts = [
        (_("Number"), invoice.number),
        (_("Date"), format_date(date.fromisoformat(invoice.issued_on), zone)),
        (_("Due date"), format_date(date.fromisoformat(invoice.due_on), zone)),
        (_("To"), buyer.name + (f" ({buyer.contact})" if buyer.contact else "")),
        (_("Sale"), sale.number),
    ]
    columns = [
        Column(_("Delivery note"), 32), Column(_("Produce"), 58), Column(_("Quantity"), 30, right=True),
        Column(_("Price per {unit}").format(unit=unit_name(unit)), 30, right=True),
        Column(_("Amount"), 34, right=True),
    ]  # fmt: skip
    rows = [
        (d.number, produce_label(sale.commodity, sale.grade),
         format_quantity(Decimal(d.received), unit),
         format_money(price_less_cut(sale.price_rupiah, d.cut_rupiah)), format_money(d.amount_rupiah or 0))
        for d in lines
        if Decimal(d.received) > 0
    ]  # fmt: skip
    words = in_words(invoice.total_rupiah, current_language())
    notes = [_("In words: {words}").format(words=words[:1].upper() + words[1:])]
    notes += [
        _("{number}: {quality}. The contract price of {price} per {unit} less the cut.").format(
            number=d.number, quality=quality_line(d, unit),
            price=format_money(sale.price_rupiah), unit=unit_name(unit),
        )
        for d in lines
        if Decimal(d.received) > 0 and d.measured
    ]  # fmt: skip
    notes.append(
        _("Please pay by transfer to {account}, quoting {number}.").format(
            account=bank_account, number=invoice.number
        )
        if bank_account
        else _("Please pay in cash at the cooperative's office, quoting {number}.").format(
            number=invoice.number
        )
    )
    return Paper(
        cooperative=cooperative, address=address, title=_("INVOICE (FAKTUR)"), facts=facts,
        columns=columns, rows=rows, totals=[(_("Total"), format_money(invoice.total_rupiah))],
        notes=notes, signatures=[_("For the cooperative")],
    )  # fmt: skip


# --- from the database ------------------------------------------------------------------------


async def delivery_note_pdf(db, org_id: int, delivery_id: int, zone: str) -> bytes:
    """The surat jalan of a delivery of ``org_id``, in the language in use (the bot and the
    command line share it)."""
    from storage import orgs, sales, stock

    delivery = await sales.delivery(db, org_id, delivery_id)
    sale = await sales.sale(db, org_id, delivery.sale_id)
    org = await orgs.by_id(db, org_id)
    paper = delivery_note(
        cooperative=org.name, address=org.address, sale=sale, delivery=delivery,
        buyer=await sales.buyer(db, org_id, sale.buyer_id),
        sources=await stock.trace(db, await sales.delivery_batches(db, delivery.id)), zone=zone,
    )  # fmt: skip
    return await asyncio.to_thread(render, paper)


async def invoice_pdf(db, org_id: int, invoice_id: int, zone: str) -> bytes:
    """The faktur of an invoice of ``org_id``, in the language in use."""
    from storage import orgs, sales

    bill = await sales.invoice(db, org_id, invoice_id)
    sale = await sales.sale(db, org_id, bill.sale_id)
    org = await orgs.by_id(db, org_id)
    paper = invoice(
        cooperative=org.name, address=org.address, bank_account=await sales.bank_account(db, org_id),
        sale=sale, invoice=bill, lines=await sales.invoice_deliveries(db, bill.id),
        buyer=await sales.buyer(db, org_id, sale.buyer_id), zone=zone,
    )  # fmt: skip
    return await asyncio.to_thread(render, paper)
