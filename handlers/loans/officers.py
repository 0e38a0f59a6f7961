"""The officers' side of a member's loan: the approval card (the member's savings, loans and
wajib payments beside the application), ✅/❌ by two officers (never the applicant, never
the same officer twice), then the payout in /cairkan: 💵 cash at once, 🏦 transfer with its
reference. The member is told each decision, and gets the schedule when paid out."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler

from bot.context import BotContext
from bot.i18n import _, format_money, format_month, format_short_date, use_locale
from domain import loans as rules
from domain.ledger import LedgerError
from domain.money import record_id
from domain.pickups import transfer_reference
from domain.savings import Month
from handlers.kit import (
    END,
    Draft,
    Typed,
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
from handlers.loans.common import (
    DECIDE_BUTTONS,
    PAYOUT_BUTTONS,
    installment_line,
    loan_line,
    schedule_notice,
    terms,
)
from handlers.menus import cancel
from handlers.officer_decisions import decide_pressed
from storage import loans as stored
from storage import people, savings

log = logging.getLogger(__name__)

TRANSFER = "loan.transfer"


async def card_text(context: BotContext, loan: stored.Loan, viewer_id: int) -> str:
    """The application with what the officers weigh it by (in the reader's language)."""
    member = need(await savings.member(context.db, loan.roster_id))
    saved = await savings.balances(context.db, loan.roster_id)
    rows = loan.schedule(rules.first_due(datetime.fromtimestamp(loan.applied_at, UTC).date()))
    others = [
        other for other in await stored.of_member(context.db, loan.roster_id) if other.id != loan.id
    ]
    this_month = Month.of(today(context.person.timezone))
    dues = await savings.tagihan(context.db, loan.roster_id, this_month)
    pay = await stored.take_home(context.db, loan.roster_id)
    lines = [
        _("Loan application {number} from {name} (member {member_number})").format(
            number=loan.number, name=member.full_name, member_number=member.member_number),
        terms(loan.amount_rupiah, loan.tenor_months, loan.rate_bp, loan.method),
        installment_line(rows),
        _("Purpose: {purpose}").format(purpose=loan.purpose),
        _("Take-home pay: {pay}").format(pay=format_money(pay) if pay else _("unknown")),
        _("Savings: {total} (principal {pokok}, mandatory {wajib}, voluntary {sukarela})").format(
            total=format_money(saved.total), pokok=format_money(saved.by_kind["pokok"]),
            wajib=format_money(saved.by_kind["wajib"]), sukarela=format_money(saved.by_kind["sukarela"])),
    ]  # fmt: skip
    last = next(
        (m for m in await savings.recent(context.db, loan.roster_id, 5) if m.change > 0), None
    )
    if last is not None:
        lines.append(_("Last deposit: {amount} on {date}").format(
            amount=format_money(last.change),
            date=format_short_date(datetime.fromtimestamp(last.at, UTC), context.person.timezone)))  # fmt: skip
    if dues is not None and dues.unpaid:
        first = dues.unpaid[0].month
        lines.append(_("Mandatory savings unpaid since {month}: {owed}").format(
            month=format_month(first.year, first.month), owed=format_money(dues.owed)))  # fmt: skip
    elif dues is not None:
        lines.append(_("Mandatory savings: paid up to date"))
    lines.append(_("Other loans: {loans}").format(
        loans="; ".join(loan_line(o) for o in others[:5]) if others else _("none")))  # fmt: skip
    lines.append(_("Two officers must approve it."))
    return "\n".join(lines)


# --- ✅ / ❌ ------------------------------------------------------------------------------------


@writes("loan.decide")
async def on_decision(update: Update, context: BotContext) -> None:
    found = await decide_pressed(
        update, context, DECIDE_BUTTONS, stored.decide, stored.DecisionRefused,
        lambda update, refused: _refused(update, refused.reason),
    )  # fmt: skip
    if found is None:
        return
    approve, decided = found
    await close_buttons(update, _("✅ Approve") if approve else _("❌ Refuse"))
    loan = decided.loan
    if not decided.final:
        await reply(update, _("Your approval of {number} is recorded. A second officer must approve it too.").format(
            number=loan.number))  # fmt: skip
        return
    if not approve:
        await reply(
            update, _("Loan {number} is refused. I told the member.").format(number=loan.number)
        )
        await tell_person(context, loan.person_id, lambda: _("Your loan application {number} is refused by the cooperative. Ask the treasurer why.").format(
            number=loan.number), key=f"loan-refused:{loan.id}", kind="decision")  # fmt: skip
        return
    await reply(update, _("Loan {number} is approved by two officers. Pay it out: {received}.").format(
        number=loan.number, received=format_money(loan.amount_rupiah - loan.fee_rupiah)), _payout_buttons(loan.id))  # fmt: skip
    await tell_person(context, loan.person_id, lambda: _("Your loan {number} is approved. The treasurer will pay it out.").format(
        number=loan.number), key=f"loan-approved:{loan.id}", kind="decision")  # fmt: skip
    others = frozenset({loan.person_id, context.person.id})
    for person_id, chat_id, language in await stored.officers(context.db, loan.org_id, others):
        with use_locale(language):
            text = _("Loan {number} is approved by two officers. Pay it out: {received}.").format(
                number=loan.number, received=format_money(loan.amount_rupiah - loan.fee_rupiah)
            )
            markup = _payout_buttons(loan.id)
        await tell(context, key=f"loan-payout:{loan.id}:{person_id}", kind="decision",
                   person_id=person_id, chat_id=chat_id, text=text, markup=markup)  # fmt: skip


async def _refused(update: Update, reason: str) -> None:
    if reason == "loan.own":
        await close_buttons(update)
        await reply(update, _("You cannot decide on your own loan. Other officers will."))
    elif reason == "loan.twice":
        await close_buttons(update)
        await reply(update, _("You already decided on this loan. A second officer must decide."))
    elif reason == "loan.decided":
        await close_buttons(update)
        await reply(update, _("This loan is already decided."))
    else:
        await refuse_button(update)


def decide_buttons(loan_id: int):
    return keyboard([[DECIDE_BUTTONS.button(_("✅ Approve"), f"ok{loan_id}"),
                      DECIDE_BUTTONS.button(_("❌ Refuse"), f"no{loan_id}")]])  # fmt: skip


def _payout_buttons(loan_id: int):
    return keyboard([[PAYOUT_BUTTONS.button(_("💵 Cash"), f"c{loan_id}"),
                      PAYOUT_BUTTONS.button(_("🏦 Transfer"), f"t{loan_id}")]])  # fmt: skip


# --- /cairkan: the payout --------------------------------------------------------------------


@for_command("cairkan")
async def show_payouts(update: Update, context: BotContext) -> int:
    """Applications this officer may still decide (with the card), then loans to pay out."""
    org = None if context.person.org_id == 1 else context.person.org_id
    for loan in (await stored.waiting_for(context.db, org, context.person.id))[:10]:
        await reply(
            update, await card_text(context, loan, context.person.id), decide_buttons(loan.id)
        )
    waiting = await stored.approved_in(context.db, org)
    if not waiting:
        await reply(update, _("No approved loan is waiting to be paid out."))
        return END
    for loan in waiting[:10]:
        member = need(await savings.member(context.db, loan.roster_id))
        await reply(update, _("{number}: {name}, {received} to pay out ({amount} less the fee {fee})").format(
            number=loan.number, name=member.full_name, received=format_money(loan.amount_rupiah - loan.fee_rupiah),
            amount=format_money(loan.amount_rupiah), fee=format_money(loan.fee_rupiah)), _payout_buttons(loan.id))  # fmt: skip
    return END


@dataclass
class PayoutDraft(Draft):
    key = "loan_payout"
    loan_id: int | None = None


@writes("loan.disburse")
async def on_payout(update: Update, context: BotContext) -> str | int:
    """💵 pays out at once; 🏦 asks for the transfer's reference first."""
    value = PAYOUT_BUTTONS.value(update)
    loan_id = record_id(value[1:]) or 0
    if value[0] == "c":  # the use case checks everything (a replay gets its stored answer)
        await _pay_out(update, context, loan_id, "cash", None)
        return END
    loan = await stored.get(context.db, loan_id)
    if loan is None or context.person.org_id not in (loan.org_id, 1):
        await refuse_button(update)
        return END
    if loan.person_id == context.person.id:
        await _refused(update, "loan.own")
        return END
    if loan.status != rules.Status.APPROVED:
        await _refused(update, "loan.decided")
        return END
    await close_buttons(update, _("🏦 Transfer"))
    PayoutDraft(loan.id).save(context)
    return await TRANSFER_STEP.ask(update, context)


async def _pay_out(
    update: Update, context: BotContext, loan_id: int, via: str, reference: str | None
) -> None:
    try:
        loan = await context.db.write(
            stored.disburse, loan_id, context.person.id, context.person.org_id,
            context.person.roles, via, reference, today(context.person.timezone).isoformat(),
        )  # fmt: skip
    except stored.DecisionRefused as refused:
        await _refused(update, refused.reason)
        return
    except LedgerError:
        # The domain checks keep every payout postable; should one not be, nothing moved (the
        # transaction rolled back) and the officer must not read "already decided".
        log.exception("loan %s: the payout could not be posted", loan_id)
        await reply(update, _("Loan {number} could not be paid out: nothing was recorded. Tell the cooperative's administrator.").format(
            number=rules.loan_number(loan_id)))  # fmt: skip
        return
    if update.callback_query:
        await close_buttons(update, _("💵 Cash"))
    await reply(update, _("Loan {number} is paid out: {received}. I sent the member the schedule.").format(
        number=loan.number, received=format_money(loan.amount_rupiah - loan.fee_rupiah)))  # fmt: skip
    rows = await stored.installments(context.db, loan.id)
    member = await people.by_id(context.db, loan.person_id)
    zone = member.timezone if member else context.person.timezone
    await tell_person(context, loan.person_id, lambda: schedule_notice(loan, rows, zone),
                      key=f"loan-paid-out:{loan.id}", kind="decision")  # fmt: skip


@writes("loan.disburse_transfer")
async def _reference_typed(update: Update, context: BotContext, reference: str) -> int:
    loan_id = need(PayoutDraft.load(context).loan_id)
    PayoutDraft.drop(context)
    await _pay_out(update, context, loan_id, "transfer", reference)
    return END


TRANSFER_STEP = Typed(
    TRANSFER, lambda: _("Type the transfer reference from the bank receipt, for example 240915123456."),
    transfer_reference, _reference_typed,
    reasons={"payment.reference": lambda: _("A reference is 4 to 40 letters or digits.")},
)  # fmt: skip


def payout_conversation() -> ConversationHandler:
    return conversation(
        "loan_payout", "cairkan",
        entry_points=[CommandHandler("cairkan", show_payouts), PAYOUT_BUTTONS.handler(on_payout)],
        steps=[TRANSFER_STEP], cancel=cancel,
    )  # fmt: skip
