"""What the member's and the officers' loan messages share: buttons, the loan's terms, the
simulation and the schedule in words, the PDF of a schedule."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

from telegram import Update

from bot.context import BotContext
from bot.i18n import _, format_money, format_number, format_short_date, gettext, ngettext
from domain import N_
from domain import loans as rules
from handlers.kit import Buttons, need
from storage import loans as stored
from storage import orgs

#: The first months of a schedule shown in a message (the PDF has them all).
SHOWN_MONTHS = 3

DECIDE_BUTTONS = Buttons("pjk", value=r"(?:ok|no)[0-9]", max_length=14)
PAYOUT_BUTTONS = Buttons("pjc", value=r"[ct][0-9]", max_length=13)
SCHEDULE_BUTTONS = Buttons("pjj", value=r"[0-9]", max_length=12)
CANCEL_BUTTONS = Buttons("pjb", value=r"[0-9]", max_length=12)

STATUS_WORDS = {
    rules.Status.APPLIED: N_("waiting for approval"),
    rules.Status.APPROVED: N_("approved, waiting to be paid out"),
    rules.Status.DISBURSED: N_("paid out"),
    rules.Status.REFUSED: N_("refused"),
    rules.Status.CANCELLED: N_("cancelled"),
    rules.Status.PAID: N_("paid off"),
}


def months(n: int) -> str:
    return ngettext("{n} month", "{n} months", n).format(n=n)


def rate(rate_bp: int) -> str:
    return _("{rate} % a month").format(rate=format_number(Decimal(rate_bp) / 100))


def terms(amount: int, tenor: int, rate_bp: int, method: str) -> str:
    """``Rp5.000.000, 12 bulan, jasa 1 % per bulan (flat)``."""
    return _("{amount}, {months}, interest {rate} ({method})").format(
        amount=format_money(amount), months=months(tenor), rate=rate(rate_bp),
        method=gettext(rules.METHOD_LABELS[rules.Method(method)]),
    )  # fmt: skip


def installment_line(rows: list[rules.Installment] | tuple[rules.Installment, ...]) -> str:
    first, last = rows[0].total, rows[-1].total
    if all(r.total == first for r in rows[:-1]) and abs(last - first) <= 1:
        return _("Installment: {amount} a month").format(amount=format_money(first))
    return _("Installment: {first} the first month, {last} the last").format(
        first=format_money(first), last=format_money(last)
    )


def schedule_lines(rows, zone: str, shown: int = SHOWN_MONTHS) -> list[str]:
    lines = [
        _("{number}. {date}: {total} (principal {principal}, interest {interest})").format(
            number=r.number,
            date=format_short_date(r.due_on, zone),
            total=format_money(r.total),
            principal=format_money(r.principal),
            interest=format_money(r.interest),
        )  # fmt: skip
        for r in rows[:shown]
    ]
    if len(rows) > shown:
        lines.append(
            ngettext("… and {n} more month.", "… and {n} more months.", len(rows) - shown).format(
                n=len(rows) - shown
            )
        )
    return lines


def simulation_text(name: str, simulation: rules.Simulation, product, zone: str) -> str:
    lines = [
        _("Simulation: {product}").format(product=name),
        _("Loan principal: {amount}").format(amount=format_money(simulation.amount)),
        _("Tenor: {months}, interest {rate} ({method})").format(
            months=months(simulation.tenor),
            rate=rate(product.rate_bp),
            method=gettext(rules.METHOD_LABELS[rules.Method(product.method)]),
        ),  # fmt: skip
        installment_line(simulation.rows),
        _("Admin fee: {fee}. You receive {received}.").format(
            fee=format_money(simulation.fee), received=format_money(simulation.received)
        ),
        _("Total to pay back: {total}").format(total=format_money(simulation.total)),
        "",
        _("The first months:"),
        *schedule_lines(simulation.rows, zone),
    ]
    return "\n".join(lines)


async def send_schedule_pdf(
    update: Update, context: BotContext, rows, *, loan_name: str, member: str, org_id: int,
    amount: int, tenor: int, rate_bp: int, method: str, fee: int,
) -> None:  # fmt: skip
    """The whole schedule as a PDF, in the reader's language."""
    from bot.loan_pdf import ScheduleLabels, render_schedule  # fpdf2: loaded on first use

    zone = context.person.timezone
    labels = ScheduleLabels.now(
        zone, terms=terms(amount, tenor, rate_bp, method), fee=fee, received=amount - fee,
        note=_("Interest is rounded to the rupiah, half up. Equal parts are rounded down and the last installment takes the remainder."),
    )  # fmt: skip
    org = await orgs.by_id(context.db, org_id)
    pdf = await asyncio.to_thread(render_schedule, list(rows), member, loan_name, org.name, labels)
    stem = _("loan-schedule")  # the file's name: plain letters and hyphens
    name = f"{stem}-{loan_name}.pdf".replace(" ", "-").replace("/", "-")
    await update.effective_chat.send_document(
        pdf, filename=name, caption=_("Schedule of {loan}").format(loan=loan_name)
    )


def loan_line(loan: stored.Loan) -> str:
    status = gettext(STATUS_WORDS[rules.Status(loan.status)])
    if loan.status == rules.Status.APPLIED and loan.approvals:
        status = _("{status} ({approvals} of {needed})").format(
            status=status, approvals=loan.approvals, needed=rules.APPROVALS_NEEDED
        )
    return _("{number}: {amount}, {months}, {status}").format(
        number=loan.number, amount=format_money(loan.amount_rupiah),
        months=months(loan.tenor_months), status=status,
    )  # fmt: skip


def schedule_notice(loan: stored.Loan, rows, zone: str) -> str:
    """What the member receives when the loan is paid out (through the outbox)."""
    paid = datetime.fromtimestamp(need(loan.disbursed_at), UTC)
    return "\n".join([
        _("Your loan {number} is paid out: {received} ({amount} less the admin fee {fee}).").format(
            number=loan.number, received=format_money(loan.amount_rupiah - loan.fee_rupiah),
            amount=format_money(loan.amount_rupiah), fee=format_money(loan.fee_rupiah)),
        _("Paid on {date}. Your installments:").format(date=format_short_date(paid, zone)),
        *schedule_lines(rows, zone),
        _("Send /pinjaman to see the whole schedule as a PDF."),
    ])  # fmt: skip
