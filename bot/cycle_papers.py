"""The papers of an order cycle's close, as PDF (fpdf2, laid out as bot.sales_pdf) and XLSX
(openpyxl, write-only): one **purchase order** per supplier (its items, the units ordered,
the supplier's price, the totals in figures and words) and the **delivery plan** (per
cooperative, grouped by kecamatan, each item and its units).

Every text is in the language in use when a paper is made (call inside ``use_locale``). The
delivery plan is streamed from storage.cycles.plan_rows into the file a page at a time: a
cycle of 10,000 cooperatives is never held as objects.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from bot.i18n import (
    _,
    current_language,
    format_date,
    format_money,
    format_number,
    format_time,
    ngettext,
)
from bot.sales_pdf import Column, Paper, render
from bot.statement_pdf import _latin1
from domain import regions
from domain.cycles import order_number
from domain.terbilang import in_words
from storage import cycles
from storage.cycles import Cycle, ItemTotal, Supplier
from storage.db import Database
from storage.orgs import Organisation

# Each unit's name for a count, in the reader's language (Indonesian has no plural).
UNIT_WORDS: dict[str, Callable[[int], str]] = {
    "karung": lambda n: ngettext("sack", "sacks", n),
    "sak": lambda n: ngettext("bag", "bags", n),
    "bungkus": lambda n: ngettext("pack", "packs", n),
    "liter": lambda n: ngettext("litre", "litres", n),
    "kg": lambda n: ngettext("kg", "kg", n),
}


def units(quantity: int, unit: str) -> str:
    """``10 karung`` / ``10 sacks``."""
    return f"{format_number(quantity)} {UNIT_WORDS[unit](quantity)}"


def unit_name(unit: str) -> str:
    """The unit as in "Rp62.000 per karung"."""
    return UNIT_WORDS[unit](1)


def closing_time(cycle: Cycle, zone: str) -> str:
    """``Kamis, 10 Desember 2026 pukul 17.00 WIB`` where the reader lives."""
    at = datetime.fromtimestamp(cycle.closes_at, UTC)
    return _("{day} at {time}").format(day=format_date(at, zone), time=format_time(at, zone))


@lru_cache(maxsize=16384)
def _district_name(code: str) -> str:
    found = regions.region(code)
    if found is None:
        return code or "-"
    regency = regions.region(code[:5])
    return f"Kec. {found.name}, {regency.short_name if regency else code[:5]}"


@lru_cache(maxsize=131072)
def _village_name(code: str) -> str:
    found = regions.region(code)
    return found.name if found else code


# --- the purchase order ------------------------------------------------------------------------


@dataclass(frozen=True)
class PurchaseOrder:
    hub: Organisation
    cycle: Cycle
    supplier: Supplier
    lines: list[ItemTotal]  # ordered > 0 first, as storage gives them

    @property
    def total(self) -> int:
        return sum(t.ordered * t.item.price_rupiah for t in self.lines)


async def purchase_order(
    db: Database, hub: Organisation, cycle: Cycle, supplier: Supplier
) -> PurchaseOrder:
    found = [t for t in await cycles.purchase_order(db, cycle.id, supplier.id) if t.ordered > 0]
    return PurchaseOrder(hub, cycle, supplier, found)


def _po_title(po: PurchaseOrder) -> str:
    return _("Purchase order {number}").format(number=f"{po.cycle.number}-{po.supplier.id}")


def _po_facts(po: PurchaseOrder, zone: str) -> list[tuple[str, str]]:
    from domain.people import display_phone

    who = po.supplier.name
    if po.supplier.contact:
        who = f"{who} ({po.supplier.contact})"
    facts = [(_("Supplier"), who)]
    if po.supplier.phone:
        facts.append((_("Phone number"), display_phone(po.supplier.phone)))
    facts += [
        (_("Order cycle"), f"{po.cycle.number} {po.cycle.name}"),
        (_("Orders closed"), closing_time(po.cycle, zone)),
        (_("Deliver on"), format_date(po.cycle.delivery_day)),
    ]
    return facts


def _po_rows(po: PurchaseOrder) -> list[tuple[str, ...]]:
    return [
        (str(n), t.item.name, units(t.ordered, t.item.unit),
         format_money(t.item.price_rupiah), format_money(t.ordered * t.item.price_rupiah))
        for n, t in enumerate(po.lines, 1)
    ]  # fmt: skip


def purchase_order_pdf(po: PurchaseOrder, zone: str) -> bytes:
    paper = Paper(
        cooperative=po.hub.name, address=po.hub.address, title=_po_title(po), facts=_po_facts(po, zone),
        columns=[Column(_("No."), 10), Column(_("Item"), 70), Column(_("Quantity"), 30, True),
                 Column(_("Price per unit"), 35, True), Column(_("Total"), 35, True)],
        rows=_po_rows(po), totals=[(_("Total"), format_money(po.total))],
        notes=[_("In words: {words}").format(words=in_words(po.total, current_language()))] if po.total else [],
        signatures=[_("Supplier"), _("Hub administrator")],
        footer=_("Prices are the supplier's, without the hub's fee."),
    )  # fmt: skip
    return render(paper)


def purchase_order_xlsx(po: PurchaseOrder, zone: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_("Purchase order")[:31])
    sheet.append([po.hub.name])
    sheet.append([_po_title(po)])
    for label, value in _po_facts(po, zone):
        sheet.append([label, value])
    sheet.append([])
    sheet.append([_("No."), _("Item"), _("Unit"), _("Quantity"), _("Price per unit"), _("Total")])
    for n, t in enumerate(po.lines, 1):
        sheet.append(
            [
                n,
                t.item.name,
                t.item.unit,
                t.ordered,
                t.item.price_rupiah,
                t.ordered * t.item.price_rupiah,
            ]
        )
    sheet.append([None, _("Total"), None, None, None, po.total])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the delivery plan ----------------------------------------------------------------------------


def _plan_title(cycle: Cycle) -> str:
    return _("Delivery plan {number}").format(number=cycle.number)


def _plan_headers() -> list[str]:
    return [
        _("District"),
        _("Village"),
        _("Cooperative"),
        _("Order"),
        _("Item"),
        _("Quantity"),
        _("Total"),
    ]


async def plan_xlsx(
    db: Database, hub: Organisation, cycle: Cycle, zone: str, out: Path | io.BytesIO
) -> int:
    """The delivery plan as XLSX into ``out``; the number of lines written."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_("Delivery plan")[:31])
    sheet.append([hub.name])
    sheet.append([_plan_title(cycle), cycle.name])
    sheet.append([_("Delivery day"), format_date(cycle.delivery_day)])
    sheet.append([])
    sheet.append([_("District code"), *_plan_headers()[:2], _("Cooperative code"), *_plan_headers()[2:5],
                  _("Unit"), _("Quantity"), _("Total")])  # fmt: skip
    count = 0
    async for row in cycles.plan_rows(db, cycle.id):
        sheet.append([
            row.district, _district_name(row.district), _village_name(row.village_code), row.org_code,
            row.org_name, rules_number(row.order_id), row.item_name, row.unit, row.quantity, row.total_rupiah,
        ])  # fmt: skip
        count += 1
    book.save(out)
    return count


def rules_number(order_id: int) -> str:
    return order_number(order_id)


class _PlanPdf:
    """A table drawn row by row (a header again on each page), grouped by kecamatan."""

    WIDTHS = (40, 28, 42, 20, 50, 20, 30)  # mm, scaled to the page
    LINE = 5.0

    def __init__(self, hub: Organisation, cycle: Cycle) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(format="A4", orientation="L")
        self.pdf.set_margins(12, 12, 12)
        self.pdf.set_auto_page_break(False)
        self.pdf.set_title(_latin1(_plan_title(cycle)))
        self.width = self.pdf.w - 24
        scale = self.width / sum(self.WIDTHS)
        self.widths = [w * scale for w in self.WIDTHS]
        self.headers = _plan_headers()
        self.pdf.add_page()
        self.pdf.set_font("Helvetica", "B", 13)
        self.pdf.cell(0, 7, _latin1(hub.name), new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_font("Helvetica", "B", 12)
        self.pdf.cell(
            0, 7, _latin1(f"{_plan_title(cycle)}: {cycle.name}"), new_x="LMARGIN", new_y="NEXT"
        )
        self.pdf.set_font("Helvetica", "", 9)
        self.pdf.cell(0, 5, _latin1(_("Delivery day: {day}").format(day=format_date(cycle.delivery_day))),
                      new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        self.pdf.ln(2)
        self.style = None
        self._row(self.headers, bold=True)
        self.district = self.order = None

    def _row(self, cells, bold: bool = False) -> None:
        """One row: each text placed at its baseline (pdf.text, not pdf.cell: a plan of
        50,000 lines is drawn in a few seconds), figures right-aligned, a rule under it."""
        pdf = self.pdf
        style = "B" if bold else ""
        if self.style != style:
            pdf.set_font("Helvetica", style, 8)
            self.style = style
        top, x = pdf.get_y(), 12.0
        for n, (w, text) in enumerate(zip(self.widths, cells, strict=True)):
            if text:
                text = _latin1(str(text))[:60]
                left = x + w - pdf.get_string_width(text) - 1 if n >= 5 else x + 1
                pdf.text(left, top + 4.2, text)
            x += w
        pdf.set_line_width(0.3 if bold else 0.1)
        pdf.line(12, top + self.LINE + 1, 12 + self.width, top + self.LINE + 1)
        pdf.set_xy(12, top + self.LINE + 1)

    def _room(self) -> None:
        """A new page when this one is full: its header again, and the kecamatan and the
        cooperative said again on its first row."""
        if self.pdf.get_y() + self.LINE + 2 > self.pdf.h - 12:
            self.pdf.add_page()
            self._row(self.headers, bold=True)
            self.district = self.order = None

    def add(self, row: cycles.PlanRow) -> None:
        self._room()
        new_district, new_order = row.district != self.district, row.order_id != self.order
        self.district, self.order = row.district, row.order_id
        self._row([
            _district_name(row.district) if new_district else "",
            _village_name(row.village_code) if new_order else "",
            row.org_name if new_order else "", rules_number(row.order_id) if new_order else "",
            row.item_name, units(row.quantity, row.unit), format_money(row.total_rupiah),
        ])  # fmt: skip

    def output(self) -> bytes:
        return bytes(self.pdf.output())


async def plan_pdf(db: Database, hub: Organisation, cycle: Cycle) -> tuple[bytes, int]:
    """The delivery plan as PDF bytes, and its number of lines."""
    paper, count = _PlanPdf(hub, cycle), 0
    async for row in cycles.plan_rows(db, cycle.id):
        paper.add(row)
        count += 1
    return paper.output(), count


def file_stem(kind: str, cycle: Cycle, supplier: Supplier | None = None) -> str:
    """A file's name: plain letters, digits and hyphens."""
    tail = f"-{supplier.id}" if supplier else ""
    return f"{kind}-{cycle.number}{tail}"
