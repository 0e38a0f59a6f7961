"""A loan's schedule as a PDF (fpdf2, the statement's page and table,
bot.statement_pdf): the cooperative at the top, the member, the loan's terms, then one row
per installment (due date, installment number, pokok, jasa, angsuran, pokok still owed) and
the totals. Texts come translated in ``ScheduleLabels``; rendering is CPU work, run it in a
thread (``asyncio.to_thread``)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import _, format_money, format_short_date
from bot.statement_pdf import _latin1, _pdf_class
from domain.loans import Installment


@dataclass(frozen=True)
class ScheduleLabels:
    title: str
    member: str
    loan: str
    terms: str  # "Rp5.000.000, 12 months, 1 % a month flat"
    fee: str
    received: str
    date: str
    installment: str  # "Installment {number}"
    principal: str
    interest: str
    total: str
    left: str
    totals: str
    note: str
    page: str
    zone: str

    @classmethod
    def now(cls, zone: str, *, terms: str, fee: int, received: int, note: str) -> ScheduleLabels:
        """Labels in the language in use now (call it inside the reader's locale)."""
        return cls(
            title=_("Loan schedule"), member=_("Member"), loan=_("Loan"), terms=terms,
            fee=_("Admin fee: {fee}").format(fee=format_money(fee)),
            received=_("You receive: {amount}").format(amount=format_money(received)),
            date=_("Due"), installment=_("Installment {number}"), principal=_("Principal"),
            interest=_("Interest"), total=_("Installment"), left=_("Principal left"),
            totals=_("Total"), note=note, page=_("Page {page} of {pages}"), zone=zone,
        )  # fmt: skip


def render_schedule(
    rows: list[Installment], member: str, loan: str, cooperative: str, labels: ScheduleLabels
) -> bytes:
    """The PDF bytes of a schedule for ``member`` ("Sri Wahyuni (A-1)") and ``loan`` (its
    number, or the simulation's words)."""
    pdf = _pdf_class()(format="A4")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(False)
    pdf.page_label = labels.page
    pdf.table_header = (
        labels.date, "", labels.principal, labels.interest, labels.total, labels.left,
    )  # fmt: skip
    pdf.set_title(_latin1(f"{labels.title} {loan}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, _latin1(cooperative), new_x="LMARGIN", new_y="NEXT")
    pdf.set_line_width(0.4)
    pdf.line(10, pdf.get_y() + 2, 200, pdf.get_y() + 2)
    pdf.ln(5)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, _latin1(labels.title), new_x="LMARGIN", new_y="NEXT")
    for label, value in ((labels.member, member), (labels.loan, f"{loan}: {labels.terms}")):
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(22, 5, _latin1(label))
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(0, 5, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, _latin1(f"{labels.fee}. {labels.received}."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_auto_page_break(False, margin=16)
    pdf.header_row()
    for row in rows:
        pdf.row((
            format_short_date(row.due_on, labels.zone), labels.installment.format(number=row.number),
            format_money(row.principal), format_money(row.interest), format_money(row.total),
            format_money(row.balance_after),
        ))  # fmt: skip
    pdf.row((
        "", labels.totals, format_money(sum(r.principal for r in rows)),
        format_money(sum(r.interest for r in rows)), format_money(sum(r.total for r in rows)), "",
    ), bold=True, rule=0.4)  # fmt: skip
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 4.5, _latin1(labels.note), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
