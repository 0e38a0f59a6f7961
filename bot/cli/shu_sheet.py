"""The RAT sheet of a year's SHU, for the members' meeting: the year's income and costs, the
SHU and its split by the bylaws, then one row per member (average savings, business with the
cooperative, jasa modal, jasa usaha, SHU). As a workbook (openpyxl write-only, the roster
read a page at a time, so 100.000 members never sit in memory as cells) and as a PDF (fpdf2).
Labels in the language in use (call inside ``use_locale``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

from bot.cli.sheets import xlsx_cell
from bot.i18n import _, format_money, format_number, gettext
from bot.statement_pdf import _latin1
from domain import N_
from domain.ledger import AccountKind
from storage import shu as stored
from storage.catalog import Source
from storage.orgs import Organisation

KIND_LABELS = {
    AccountKind.SALES: N_("Sales of produce"),
    AccountKind.FEES: N_("Charges to farmers"),
    AccountKind.LOAN_FEES: N_("Loan admin fees"),
    AccountKind.LOAN_INTEREST: N_("Interest on loans (jasa)"),
    AccountKind.LOAN_PENALTIES: N_("Loan penalties"),
    AccountKind.HUB_FEES: N_("Hub fees"),
    AccountKind.PURCHASES: N_("Produce bought"),
    AccountKind.COGS: N_("Cost of goods sold"),
    AccountKind.LOSSES: N_("Stock lost"),
}


def _percent(bp: int) -> str:
    return f"{format_number(Decimal(bp) / 100)} %"


def summary_rows(done: stored.Computed) -> list[tuple[str, str, int | None]]:
    """(label, percent, rupiah) rows of the sheet's top: income, costs, SHU, the split."""
    split, bylaws = done.split, done.rules.rules
    rows: list[tuple[str, str, int | None]] = [(_("Income"), "", None)]
    rows += [(gettext(KIND_LABELS[k]), "", done.by_kind[k]) for k in stored.INCOME_KINDS]
    rows.append((_("Total income"), "", split.income))
    rows.append((_("Costs"), "", None))
    rows += [(gettext(KIND_LABELS[k]), "", done.by_kind[k]) for k in stored.COST_KINDS]
    rows.append((_("Total costs"), "", split.costs))
    rows.append((_("SHU of the year"), "", split.shu))
    rows.append((_("From business with non-members (to the reserve)"), "", split.nonmember_share))
    rows.append((_("From business with members (split by the bylaws)"), "", split.from_members))
    rows.append((_("Reserve (cadangan)"), _percent(bylaws.reserve_bp), split.reserve_share))
    rows.append((_("Jasa modal (by average savings)"), _percent(bylaws.modal_bp), split.modal))
    rows.append((_("Jasa usaha (by business)"), _percent(bylaws.usaha_bp), split.usaha))
    shares = dict(bylaws.funds)
    rows += [
        (_("Fund: {name}").format(name=name), _percent(shares[name]), amount)
        for name, amount in split.funds
    ]
    if split.unshared:
        rows.append((_("Members' part nobody could receive (to the reserve)"), "", split.unshared))
    rows.append((_("Total reserve"), "", split.reserve))
    return rows


def member_header() -> tuple[str, ...]:
    return (
        _("Member number"), _("Name"), _("Average savings (Rp)"), _("Business (Rp)"),
        _("Jasa modal (Rp)"), _("Jasa usaha (Rp)"), _("SHU (Rp)"),
    )  # fmt: skip


async def member_rows(source: Source, org_id: int, done: stored.Computed) -> AsyncIterator[tuple]:
    shares = iter(done.split.members)
    async for page in stored.roster_pages(source, org_id):
        for r in page:
            m = next(shares)
            yield (r["member_number"], r["full_name"], m.average_savings, m.business, m.modal,
                   m.usaha, m.total)  # fmt: skip
        await asyncio.sleep(0)


def _title(org: Organisation, done: stored.Computed) -> str:
    return _("SHU {year} of {cooperative}").format(year=done.period.year, cooperative=org.name)


def _note(done: stored.Computed) -> str:
    return _(
        "Bylaws version {version}. Average savings: the mean of the 12 month-end balances of"
        " principal and mandatory savings. Business: interest paid on loans, produce sold to"
        " the cooperative and goods taken on payroll deduction. Every part is rounded down to"
        " the rupiah and the rupiah left over go to the largest remainders."
    ).format(version=done.rules.version)


async def write_xlsx(path: Path, org: Organisation, done: stored.Computed, source: Source) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_("SHU")[:31])
    sheet.append([xlsx_cell(sheet, _title(org, done))])
    for label, percent, amount in summary_rows(done):
        sheet.append([xlsx_cell(sheet, label), xlsx_cell(sheet, percent), amount])
    sheet.append([xlsx_cell(sheet, _note(done))])
    members = book.create_sheet(_("Members")[:31])
    members.append([xlsx_cell(members, h) for h in member_header()])
    async for row in member_rows(source, org.id, done):
        members.append([xlsx_cell(members, v) for v in row])
    book.save(path)


_WIDTHS = (22, 38, 30, 26, 24, 24, 26)


async def render_pdf(path: Path, org: Organisation, done: stored.Computed, source: Source) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, _latin1(_title(org, done)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    bold = {_("Total income"), _("Total costs"), _("SHU of the year"), _("Total reserve")}
    for label, percent, amount in summary_rows(done):
        pdf.set_font("Helvetica", "B" if amount is None or label in bold else "", 9)
        pdf.cell(120, 5, _latin1(label))
        pdf.cell(20, 5, _latin1(percent), align="R")
        pdf.cell(50, 5, "" if amount is None else _latin1(format_money(amount)), align="R",
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(190, 4.5, _latin1(_note(done)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 7)
    for i, (width, text) in enumerate(zip(_WIDTHS, member_header(), strict=True)):
        pdf.cell(width, 5, _latin1(text), align="L" if i < 2 else "R")
    pdf.ln(5)
    pdf.set_font("Helvetica", "", 7)
    async for row in member_rows(source, org.id, done):
        cells = [row[0], row[1][:40], *(format_money(v) for v in row[2:])]
        for i, (width, text) in enumerate(zip(_WIDTHS, cells, strict=True)):
            pdf.cell(width, 4.5, _latin1(str(text)), align="L" if i < 2 else "R")
        pdf.ln(4.5)
    await asyncio.to_thread(pdf.output, str(path))
