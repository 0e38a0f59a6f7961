"""A member's savings statement as a PDF (fpdf2), laid out like a bank's: the cooperative's name
and address at the top, the member and the period, then one table with fixed columns (date,
description wrapped, pokok, wajib, sukarela, total balance; amounts right-aligned), the opening
balance as its first row and the closing balance as its last, aligned with their columns, and
"Page 1 of 2" at the foot of every page. Texts come translated in ``StatementLabels`` (made in
the reader's language); rendering is CPU work, run it in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import _, format_date, format_money, format_short_date, gettext
from bot.ledger_reasons import reason_text
from domain import N_
from domain.ledger import SavingsKind

#: The column headers of the kinds (narrow columns).
KIND_COLUMN = {
    SavingsKind.POKOK: N_("Principal"),
    SavingsKind.WAJIB: N_("Mandatory"),
    SavingsKind.SUKARELA: N_("Voluntary"),
}


@dataclass(frozen=True)
class StatementLabels:
    """Every word of the PDF, in the reader's language, and how to write dates and money."""

    title: str
    member: str
    period: str
    opening: str
    closing: str
    date: str
    description: str
    balance: str
    none: str
    made: str
    page: str
    kinds: dict[SavingsKind, str]
    zone: str
    reason: object = reason_text  # a stored ledger reason, read in the reader's language

    @classmethod
    def now(cls, zone: str) -> StatementLabels:
        """Labels in the language in use now (call it inside the reader's locale); the
        reasons of the movements are read in it too (``reason``)."""
        from bot.i18n import current_language, use_locale

        language = current_language()

        def reason(stored: str) -> str:
            with use_locale(language):  # rendering runs in a thread: carry the language
                return reason_text(stored)

        return cls(
            title=_("Savings statement"), member=_("Member"), period=_("Period"),
            opening=_("Opening balance"), closing=_("Closing balance"), date=_("Date"),
            description=_("Description"), balance=_("Balance"),
            none=_("No movements in this period."), made=_("Made on {date}"),
            page=_("Page {page} of {pages}"),
            kinds={kind: gettext(label) for kind, label in KIND_COLUMN.items()}, zone=zone,
            reason=reason,
        )  # fmt: skip


def _latin1(text: str) -> str:
    """The PDF's core font writes Latin-1: anything else (a rare letter in a name, a dash
    the bot writes) becomes its nearest plain form."""
    text = text.replace("—", "-").replace("−", "-").replace("–", "-")
    return text.encode("latin-1", "replace").decode("latin-1")


#: Column widths in mm (A4 less 10 mm margins: 190): date, description, the three kinds, total.
WIDTHS = (22, 64, 26, 26, 26, 26)
LINE = 4.6  # mm per line of text in the table
FONT = 8


def _pdf_class():
    from fpdf import FPDF  # fpdf2 is loaded when the first statement is drawn, not at start

    class Page(FPDF):
        page_label = ""
        table_header: tuple[str, ...] = ()

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", "", 8)
            text = self.page_label.format(page=self.page_no(), pages=self.str_alias_nb_pages)
            self.cell(0, 5, _latin1(text), align="R")

        def header_row(self) -> None:
            self.row(self.table_header, bold=True, rule=0.4)

        def row(self, cells: tuple[str, ...], *, bold: bool = False, rule: float = 0.1) -> None:
            """One row of the table: the description wraps, the amounts are right-aligned in
            their own column; a new page repeats the header."""
            self.set_font("Helvetica", "B" if bold else "", FONT)
            lines = self.multi_cell(
                WIDTHS[1], LINE, _latin1(cells[1]), dry_run=True, output="LINES"
            )
            height = LINE * max(1, len(lines)) + 1
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
                if cells is not self.table_header:
                    self.header_row()
                    self.set_font("Helvetica", "B" if bold else "", FONT)
            top, x = self.get_y(), self.l_margin
            for i, (width, text) in enumerate(zip(WIDTHS, cells, strict=True)):
                self.set_xy(x, top + 0.5)
                if i == 1:
                    self.multi_cell(width, LINE, _latin1(text), align="L")
                else:
                    self.cell(width, LINE, _latin1(text), align="L" if i == 0 else "R")
                x += width
            self.set_line_width(rule)
            self.line(self.l_margin, top + height, self.l_margin + sum(WIDTHS), top + height)
            self.set_xy(self.l_margin, top + height)

    return Page


def render_statement(
    statement, member, cooperative: str, labels: StatementLabels, address: str | None = None
) -> bytes:
    """The PDF bytes of ``statement`` (storage.savings.Statement) for ``member``."""
    zone = ZoneInfo(labels.zone)
    pdf = _pdf_class()(format="A4")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(False)
    pdf.page_label = labels.page
    pdf.table_header = (
        labels.date, labels.description, *(labels.kinds[k] for k in SavingsKind), labels.balance,
    )  # fmt: skip
    pdf.set_title(_latin1(f"{labels.title} {member.member_number}"))
    pdf.add_page()
    # the cooperative, as on a letterhead
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, _latin1(cooperative), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    if address:
        pdf.multi_cell(0, 4.5, _latin1(address), new_x="LMARGIN", new_y="NEXT")
    pdf.set_line_width(0.4)
    pdf.line(10, pdf.get_y() + 2, 200, pdf.get_y() + 2)
    pdf.ln(5)
    # what this is, for whom, for when
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, _latin1(labels.title), new_x="LMARGIN", new_y="NEXT")
    start = datetime.fromtimestamp(statement.start, zone)
    end = datetime.fromtimestamp(statement.end - 1, zone)
    period = f"{format_short_date(start, labels.zone)} - {format_short_date(end, labels.zone)}"
    for label, value in (
        (labels.member, f"{member.full_name} ({member.member_number})"),
        (labels.period, period),
    ):
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(22, 5, _latin1(label))
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(0, 5, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    # the table: opening balance, every movement, closing balance
    pdf.set_auto_page_break(False, margin=16)
    pdf.header_row()
    pdf.row(_balance_row(labels.opening, statement.opening), bold=True)
    total = statement.opening.total
    if not statement.lines:
        pdf.row(("", labels.none, "", "", "", ""))
    for line in statement.lines:
        total += line.change
        changes = [
            ("+" if line.change > 0 else "-") + format_money(abs(line.change))
            if kind == line.kind else ""
            for kind in SavingsKind
        ]  # fmt: skip
        pdf.row((
            format_short_date(datetime.fromtimestamp(line.at, zone), labels.zone),
            labels.reason(line.reason), *changes, format_money(total),
        ))  # fmt: skip
    pdf.row(_balance_row(labels.closing, statement.closing), bold=True, rule=0.4)
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    made = labels.made.format(date=format_date(datetime.now(zone), labels.zone))
    pdf.cell(0, 5, _latin1(made), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _balance_row(title: str, savings) -> tuple[str, ...]:
    return ("", title, *(format_money(savings[kind]) for kind in SavingsKind),
            format_money(savings.total))  # fmt: skip
