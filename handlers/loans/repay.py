"""Repaying a member's loan: /pinjaman for the member (what is left, the next installment and
its date, any arrears, the schedule as a PDF), /angsur for a treasurer (a member's loan by its
number or the member number, then 💵 an installment typed as people write it, never more
than owed, or 🏁 the early payoff; never the member themselves), /tunggakan (loans in
arrears by class, with what is overdue, ▶ paged) and the reminder job a few days before each
due date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler

from bot.context import BotContext
from bot.i18n import _, format_date, format_money, format_short_date, gettext, ngettext, use_locale
from domain import loans as rules
from domain import repayments as R
from domain.money import parse_rupiah, record_id
from domain.people import InvalidInput
from handlers.kit import (
    END,
    Buttons,
    Draft,
    Typed,
    answer_query,
    close_buttons,
    conversation,
    for_command,
    keyboard,
    need,
    refuse_button,
    reply,
    tell,
    tell_person,
    today,
    writes,
)
from handlers.loans.common import SCHEDULE_BUTTONS, months
from handlers.menus import cancel
from storage import loans as stored
from storage import repayments, savings

#: 💵 an installment, 🏁 the payoff, of the loan the button names.
PAY_BUTTONS = Buttons("pjn", value=r"[ap][0-9]", max_length=13)
#: ▶ the next page of /tunggakan.
ARREARS_BUTTONS = Buttons("pjt", value=r"[0-9]", max_length=4)
#: The loans /tunggakan shows in one message.
ARREARS_SHOWN = 20


def standing_text(s: repayments.Standing, zone: str) -> str:
    """A loan being repaid as its member and the officers read it."""
    loan = s.loan
    lines = [
        _("Loan {number}: {amount}, {months}").format(
            number=loan.number, amount=format_money(loan.amount_rupiah),
            months=months(loan.tenor_months)),
        _("Loan principal left: {amount}").format(amount=format_money(s.principal_left)),
        _("Interest left: {amount}").format(amount=format_money(s.interest_left)),
    ]  # fmt: skip
    if s.penalty:
        lines.append(_("Late penalty: {amount}").format(amount=format_money(s.penalty)))
    if s.next_due is not None:
        d = s.next_due
        lines.append(_("Next installment: {amount} on {date}").format(
            amount=format_money(d.principal_owed + d.interest_owed),
            date=format_short_date(d.due_on, zone)))  # fmt: skip
    if s.days_overdue:
        lines.append(ngettext(
            "Overdue {n} day ({status}).", "Overdue {n} days ({status}).", s.days_overdue,
        ).format(n=s.days_overdue, status=gettext(R.ARREARS_WORDS[s.arrears])))  # fmt: skip
    return "\n".join(lines)


# --- /pinjaman: the member's own loans -------------------------------------------------------


@for_command("pinjaman")
async def show_my_loans(update: Update, context: BotContext) -> None:
    person = context.person
    member = await stored.membership(context.db, person.id, person.org_id)
    found = [] if member is None else await stored.of_member(context.db, member.id)
    open_loans = [loan for loan in found if loan.status == rules.Status.DISBURSED]
    if not open_loans:
        await reply(update, _("You have no loan to repay. To borrow, send /pinjam."))
        return
    on = today(person.timezone)
    for loan in open_loans:
        s = await repayments.standing(context.db, loan, on)
        text = standing_text(s, person.timezone)
        if s.days_overdue:
            text += "\n" + _("Please pay the overdue installment at the treasurer's desk.")
        button = SCHEDULE_BUTTONS.button(_("📄 Schedule PDF"), str(loan.id))
        await reply(update, text, keyboard([[button]]))


# --- /tunggakan: loans in arrears by class ---------------------------------------------------


@for_command("tunggakan")
async def show_arrears(update: Update, context: BotContext) -> None:
    await _arrears_page(update, context, 0)


@for_command("tunggakan")
async def on_arrears_page(update: Update, context: BotContext) -> None:
    """▶ of /tunggakan: the next page (of the presser's own cooperative, whatever it says)."""
    await answer_query(update)
    await _arrears_page(update, context, int(ARREARS_BUTTONS.value(update) or 0))


async def _late_loans(context: BotContext) -> list[tuple[int, repayments.OpenLoan, int]]:
    """(days overdue, loan, what is overdue) of the cooperative, the longest overdue first."""
    on = today(context.person.timezone)
    late = []
    for loans in (await repayments.open_loans(context.db, context.person.org_id)).values():
        for loan in loans:
            if days := R.days_overdue(list(loan.dues), on):
                late.append((days, loan, R.owed_by(list(loan.dues), loan.penalty_bp, on, on)))
    return sorted(late, key=lambda item: (-item[0], item[1].loan_id))


async def _arrears_page(update: Update, context: BotContext, page: int) -> None:
    late = await _late_loans(context)
    if not late:
        await reply(update, _("No loan is overdue. All are current (lancar)."))
        return
    shown = late[page * ARREARS_SHOWN : (page + 1) * ARREARS_SHOWN]
    by_class: dict[R.Arrears, list[str]] = {}
    for days, loan, overdue in shown:
        member = need(await savings.member(context.db, loan.roster_id))
        by_class.setdefault(R.arrears_class(days), []).append(
            ngettext("{number} {name}: {amount} overdue, {n} day",
                     "{number} {name}: {amount} overdue, {n} days", days).format(
                number=rules.loan_number(loan.loan_id), name=member.full_name,
                amount=format_money(overdue), n=days))  # fmt: skip
    lines = [_("Loans in arrears: {n}, {amount} overdue in all").format(
        n=len(late), amount=format_money(sum(item[2] for item in late)))]  # fmt: skip
    for cls in reversed(R.Arrears):
        if cls in by_class:
            lines += ["", gettext(R.ARREARS_WORDS[cls]).capitalize() + ":", *by_class[cls]]
    more = len(late) > (page + 1) * ARREARS_SHOWN
    markup = keyboard([[ARREARS_BUTTONS.button(_("More ▶"), str(page + 1))]]) if more else None
    await reply(update, "\n".join(lines), markup)


# --- /angsur: a payment at the desk ----------------------------------------------------------

WHICH = "repay.which"
AMOUNT = "repay.amount"


@dataclass
class RepayDraft(Draft):
    key = "loan_repay"
    loan_id: int | None = None


def parse_which(text: str) -> str:
    """A loan number (KP-0007, kp7) or a member number as typed."""
    cleaned = " ".join((text or "").split())
    if not 1 <= len(cleaned) <= 40:
        raise InvalidInput("repay.which")
    return cleaned


async def _loan_named(context: BotContext, text: str) -> stored.Loan | None:
    """The cooperative's loan being repaid that ``text`` names (loan or member number)."""
    org = context.person.org_id
    found = re.fullmatch(r"(?i)kp-?0*([1-9][0-9]{0,8})", text)
    if found:
        loan = await stored.get(context.db, int(found[1]))
        candidates = [loan] if loan is not None else []
    else:
        member = await savings.member_by_number(context.db, org, text)
        candidates = [] if member is None else await stored.of_member(context.db, member.id)
    return next(
        (loan for loan in candidates
         if loan.status == rules.Status.DISBURSED and loan.org_id == org),
        None,
    )  # fmt: skip


def _pay_buttons(loan_id: int, payoff: int):
    return keyboard([
        [PAY_BUTTONS.button(_("💵 Installment"), f"a{loan_id}")],
        [PAY_BUTTONS.button(_("🏁 Pay off: {amount}").format(amount=format_money(payoff)), f"p{loan_id}")],
    ])  # fmt: skip


async def _loan_typed(update: Update, context: BotContext, text: str) -> str | int:
    loan = await _loan_named(context, text)
    if loan is None:
        await reply(
            update, _("No loan being repaid has that number.") + "\n" + WHICH_STEP.question()
        )
        return WHICH
    if loan.person_id == context.person.id:
        await reply(
            update, _("You cannot record a payment on your own loan. Another officer will.")
        )
        return END
    on = today(context.person.timezone)
    member = need(await savings.member(context.db, loan.roster_id))
    s = await repayments.standing(context.db, loan, on)
    payoff = await repayments.payoff_of(context.db, loan, on)
    text = _("{name} (member {member_number})").format(
        name=member.full_name, member_number=member.member_number
    ) + "\n" + standing_text(s, context.person.timezone)  # fmt: skip
    await reply(update, text, _pay_buttons(loan.id, payoff.total))
    return END


WHICH_STEP = Typed(
    WHICH, lambda: _("Type the loan number (for example KP-0007) or the member number."),
    parse_which, _loan_typed,
    reasons={"repay.which": lambda: _("A loan number looks like KP-0007.")},
)  # fmt: skip


@for_command("angsur")
async def start(update: Update, context: BotContext) -> str:
    RepayDraft.drop(context)
    return await WHICH_STEP.ask(update, context)


@writes("loan.payoff")
async def on_pay_button(update: Update, context: BotContext) -> str | int:
    """💵 asks for the amount; 🏁 pays the loan off at once (the button shows the amount)."""
    value = PAY_BUTTONS.value(update)
    loan_id = record_id(value[1:]) or 0
    if value[0] == "p":
        await _record(update, context, loan_id, None)
        return END
    loan = await stored.get(context.db, loan_id)
    if loan is None or context.person.org_id not in (loan.org_id, 1):
        await refuse_button(update)
        return END
    if loan.person_id == context.person.id:
        await close_buttons(update)
        await reply(
            update, _("You cannot record a payment on your own loan. Another officer will.")
        )
        return END
    await close_buttons(update, _("💵 Installment"))
    RepayDraft(loan.id).save(context)
    return await AMOUNT_STEP.ask(update, context)


async def _record(update: Update, context: BotContext, loan_id: int, amount: int | None) -> bool:
    """The payment (None: the payoff); False when refused with a question to ask again."""
    try:
        paid = await context.db.write(
            repayments.pay, loan_id, amount, context.person.id, context.person.org_id,
            context.person.roles, "cash", f"u{update.update_id}",
            today(context.person.timezone).isoformat(),
        )  # fmt: skip
    except repayments.PaymentRefused as refused:
        return await _refused(update, refused)
    if update.callback_query:
        await close_buttons(update)
    loan, split = paid.loan, paid.split
    said = (
        _("Loan {number} is paid off: {amount} received.")
        if paid.paid_off
        else _("{amount} received for loan {number}.")
    ).format(number=loan.number, amount=format_money(split.total))
    parts = split_text(split)
    left = (
        ""
        if paid.paid_off
        else "\n" + _("Still owed: {amount}.").format(amount=format_money(paid.owed_after))
    )
    await reply(update, f"{said}\n{parts}{left}")
    await tell_person(context, loan.person_id, lambda: _member_notice(paid),
                      key=f"loan-paid:{loan.id}:u{update.update_id}", kind="decision")  # fmt: skip
    return True


def split_text(split: R.Split) -> str:
    """``Pokok Rp216.666, jasa Rp50.000.``: the parts paid, those of Rp0 left out."""
    parts = [
        words.format(amount=format_money(amount))
        for words, amount in ((_("principal {amount}"), split.principal),
                              (_("interest {amount}"), split.interest),
                              (_("penalty {amount}"), split.penalty))
        if amount
    ]  # fmt: skip
    text = ", ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _member_notice(paid: repayments.Paid) -> str:
    if paid.paid_off:
        return _("Your loan {number} is paid off. Thank you!").format(number=paid.loan.number)
    return _("The cooperative received {amount} for your loan {number}. Still owed: {left}.").format(
        amount=format_money(paid.split.total), number=paid.loan.number,
        left=format_money(paid.owed_after))  # fmt: skip


async def _refused(update: Update, refused: repayments.PaymentRefused) -> bool:
    if refused.reason == "repay.too_much":
        await reply(update, _("That is more than is owed: {owed}.").format(
            owed=format_money(refused.owed)) + "\n" + _question_amount())  # fmt: skip
        return False
    if update.callback_query:
        await close_buttons(update)
    if refused.reason == "repay.own":
        await reply(
            update, _("You cannot record a payment on your own loan. Another officer will.")
        )
    elif refused.reason == "repay.not_open":
        await reply(update, _("This loan is not being repaid any more."))
    else:
        await refuse_button(update)
    return True


def _question_amount() -> str:
    return _("How much did the member pay? For example 500.000 or 1,5 juta.")


@writes("loan.repay")
async def _amount_typed(update: Update, context: BotContext, amount: int) -> str | int:
    loan_id = need(RepayDraft.load(context).loan_id)
    if not await _record(update, context, loan_id, amount):
        return AMOUNT
    RepayDraft.drop(context)
    return END


def _parse_amount(text: str) -> int:
    return parse_rupiah(text, reason="repay.amount", too_high="repay.amount")


AMOUNT_STEP = Typed(
    AMOUNT, _question_amount, _parse_amount, _amount_typed,
    reasons={"repay.amount": lambda: _("I could not read that amount.")},
)  # fmt: skip


def repay_conversation() -> ConversationHandler:
    return conversation(
        "loan_repay", "angsur",
        entry_points=[CommandHandler("angsur", start), PAY_BUTTONS.handler(on_pay_button)],
        steps=[WHICH_STEP, AMOUNT_STEP], cancel=cancel,
    )  # fmt: skip


# --- reminders before each due date ----------------------------------------------------------


async def loan_reminders(context: BotContext) -> None:
    """A job once a day in each zone (context.job.data), in the morning there."""
    zone = context.job.data
    await send_loan_reminders(context, zone, datetime.now(ZoneInfo(zone)).date())


async def send_loan_reminders(context: BotContext, zone: str, day: dt.date) -> int:
    """Remind each member living in ``zone`` of an installment due within a few days, once
    per installment whichever process runs it. Returns how many were sent."""
    sent = 0
    for due in await repayments.due_soon(context.db, zone, day):
        if not await context.db.write(repayments.claim_reminder, due.loan_id, due.number):
            continue
        with use_locale(due.language):
            text = _("Reminder: the installment of your loan {number}, {amount}, is due on {date}. It is deducted from your pay, or pay it at the treasurer's desk.").format(
                number=rules.loan_number(due.loan_id), amount=format_money(due.amount),
                date=format_date(due.due_on, zone))  # fmt: skip
        await tell(context, key=f"loan-reminder:{due.loan_id}:{due.number}", kind="reminder",
                   person_id=due.person_id, chat_id=due.chat_id, text=text)  # fmt: skip
        sent += 1
    return sent
