"""A member's savings statement as a PDF (fpdf2): the cooperative, the member, the period,
the opening balance per kind, every movement, the closing balance per kind. Texts come
translated in ``StatementLabels`` (made in the reader's language); rendering is CPU work,
run it in a thread (``asyncio.to_thread``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF

from bot.i18n import _, format_date, format_money, format_short_date, gettext
from domain import N_
from domain.ledger import SavingsKind

KIND_SHORT = {
    SavingsKind.POKOK: N_("Principal (pokok)"),
    SavingsKind.WAJIB: N_("Mandatory (wajib)"),
    SavingsKind.SUKARELA: N_("Voluntary (sukarela)"),
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
    kind: str
    change: str
    balance: str
    total: str
    none: str
    made: str
    kinds: dict[SavingsKind, str]
    zone: str

    @classmethod
    def now(cls, zone: str) -> StatementLabels:
        """Labels in the language in use now (call it inside the reader's locale)."""
        return cls(
            title=_("Savings statement"), member=_("Member"), period=_("Period"),
            opening=_("Opening balance"), closing=_("Closing balance"), date=_("Date"),
            description=_("Description"), kind=_("Savings"), change=_("Amount"), balance=_("Balance"),
            total=_("Total"), none=_("No movements in this period."), made=_("Made on {date}"),
            kinds={kind: gettext(label) for kind, label in KIND_SHORT.items()}, zone=zone,
        )  # fmt: skip


def _latin1(text: str) -> str:
    """The PDF's core font writes Latin-1: anything else (a rare letter in a name, a dash
    the bot writes) becomes its nearest plain form."""
    text = text.replace("—", "-").replace("−", "-").replace("–", "-")
    return text.encode("latin-1", "replace").decode("latin-1")


class _Page(FPDF):
    def cell_row(self, widths: tuple[int, ...], cells: tuple[str, ...], bold: bool = False) -> None:
        self.set_font("Helvetica", "B" if bold else "", 9)
        for i, (width, text) in enumerate(zip(widths, cells, strict=True)):
            align = "R" if i >= len(cells) - 2 else "L"
            self.cell(width, 6, _latin1(text), border="B", align=align)
        self.ln(6)


WIDTHS = (26, 74, 30, 30, 30)


def render_statement(statement, member, cooperative: str, labels: StatementLabels) -> bytes:
    """The PDF bytes of ``statement`` (storage.savings.Statement) for ``member``."""
    zone = ZoneInfo(labels.zone)
    pdf = _Page(format="A4")
    pdf.set_title(_latin1(f"{labels.title} {member.member_number}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin1(f"{labels.title} - {cooperative}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    start = datetime.fromtimestamp(statement.start, zone)
    end = datetime.fromtimestamp(statement.end - 1, zone)
    for line in (
        f"{labels.member}: {member.full_name} ({member.member_number})",
        f"{labels.period}: {format_short_date(start, labels.zone)} - {format_short_date(end, labels.zone)}",
    ):
        pdf.cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _balances(pdf, labels.opening, statement.opening, labels)
    pdf.ln(2)
    pdf.cell_row(
        WIDTHS,
        (labels.date, labels.description, labels.kind, labels.change, labels.balance),
        bold=True,
    )
    if not statement.lines:
        pdf.cell(0, 6, _latin1(labels.none), new_x="LMARGIN", new_y="NEXT")
    for line in statement.lines:
        sign = "+" if line.change > 0 else "-"
        pdf.cell_row(WIDTHS, (
            format_short_date(datetime.fromtimestamp(line.at, zone), labels.zone), line.reason[:48],
            labels.kinds[line.kind], sign + format_money(abs(line.change)), format_money(line.balance),
        ))  # fmt: skip
    pdf.ln(2)
    _balances(pdf, labels.closing, statement.closing, labels)
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    made = labels.made.format(date=format_date(datetime.now(zone), labels.zone))
    pdf.cell(0, 5, _latin1(made), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _balances(pdf: _Page, title: str, savings, labels: StatementLabels) -> None:
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for kind in SavingsKind:
        pdf.cell(60, 6, _latin1(labels.kinds[kind]))
        pdf.cell(
            40, 6, _latin1(format_money(savings[kind])), align="R", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.cell(60, 6, _latin1(labels.total))
    pdf.cell(40, 6, _latin1(format_money(savings.total)), align="R", new_x="LMARGIN", new_y="NEXT")
