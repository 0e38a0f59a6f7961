"""An order cycle after its close (issue 18): the hub's side of the money. Its administrator
or treasurer sees the unpaid invoices under its cycles in /pesan, each with a 💰 Record a
payment button: the amount (never more than owed), the transfer reference, a summary, then
saved; the cooperative's officers are told what is still owed. The same transfer reference
twice is recorded once (storage.cycle_delivery.pay)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from bot.i18n import _, format_money
from domain import cycle_delivery as rules
from domain.cycle_delivery import PaymentRefused
from domain.money import parse_rupiah, record_id
from domain.people import InvalidInput, Role
from handlers.cycle_delivery import tell_officers
from handlers.kit import (
    END,
    Buttons,
    Confirm,
    Draft,
    Typed,
    answer_query,
    conversation,
    keyboard,
    need,
    refuse_button,
    reply,
    stored_in,
    writes,
)
from handlers.menus import cancel
from storage import cycle_delivery, orgs
from storage.cycle_delivery import Invoice

PAY_BUTTONS = Buttons("pdb", value=r"[0-9]", max_length=12)  # the order whose invoice is paid
AMOUNT, REFERENCE, CONFIRM_PAY = "payment.amount", "payment.reference", "payment.confirm"
HUB_ROLES = frozenset({Role.ADMIN, Role.TREASURER})


@dataclass
class PayDraft(Draft):
    key = "cycle_pay"
    order_id: int | None = None
    amount: int | None = None
    reference: str | None = None


async def show_unpaid(update: Update, context: BotContext) -> None:
    """Under the hub's cycles in /pesan: the invoices still owed on, a button each."""
    found = await cycle_delivery.unpaid(context.db, context.person.org_id)
    if not found:
        return
    text, rows = [_("Invoices not paid yet:")], []
    for bill in found:
        coop = await orgs.by_id(context.db, bill.org_id)
        text.append(_("{number} ({order}) {coop}: {owed} of {total} owed").format(
            number=bill.number, order=bill.order_number, coop=coop.name,
            owed=format_money(bill.owed), total=format_money(bill.total_rupiah)))  # fmt: skip
        rows.append([PAY_BUTTONS.button(
            _("💰 Record a payment: {order}").format(order=bill.order_number), str(bill.order_id))])  # fmt: skip
    await reply(update, "\n".join(text), keyboard(rows))


async def _hub_invoice(context: BotContext, order_id: int | None) -> Invoice | None:
    """The invoice if it is the presser's hub's and the presser may record money there."""
    bill = await cycle_delivery.invoice(context.db, order_id) if order_id else None
    if bill is None or bill.hub_id != context.person.org_id:
        return None
    return bill if context.person.has_any(HUB_ROLES) else None


async def start_pay(update: Update, context: BotContext) -> int | str:
    bill = await _hub_invoice(context, record_id(PAY_BUTTONS.value(update) or ""))
    if bill is None:
        await refuse_button(update)
        return END
    await answer_query(update)
    if bill.owed <= 0:
        await reply(update, _("Invoice {number} is paid in full.").format(number=bill.number))
        return END
    PayDraft(order_id=bill.order_id).save(context)
    return await AMOUNT_STEP.ask(update, context)


def _amount_question() -> str:
    return _("Type the amount paid in whole rupiah, for example 500.000.")


class AmountStep(Typed):
    async def ask(self, update: Update, context: BotContext) -> str:
        bill = need(await _hub_invoice(context, PayDraft.load(context).order_id))
        coop = await orgs.by_id(context.db, bill.org_id)
        await reply(update, _("Invoice {number} of {coop}: {owed} is owed.").format(
            number=bill.number, coop=coop.name, owed=format_money(bill.owed))
            + "\n" + _amount_question())  # fmt: skip
        return self.state


async def _amount_typed(update: Update, context: BotContext, amount: int) -> str:
    draft = PayDraft.load(context)
    bill = need(await _hub_invoice(context, draft.order_id))
    if bill.owed <= 0:  # paid in full meanwhile (another officer, the command line)
        PayDraft.drop(context)
        await reply(update, _("Invoice {number} is paid in full.").format(number=bill.number)
                    + " " + _("Nothing was saved."))  # fmt: skip
        return END
    if amount > bill.owed:
        await reply(update, _("That is more than is owed. Only {owed} is owed.").format(
            owed=format_money(bill.owed)) + "\n" + _amount_question())  # fmt: skip
        return AMOUNT
    draft.amount = amount
    draft.save(context)
    return await REFERENCE_STEP.ask(update, context)


def _parse_amount(text: str) -> int:
    return parse_rupiah(text, reason="pay.amount", too_high="pay.amount")


AMOUNT_STEP = AmountStep(
    AMOUNT, _amount_question, _parse_amount, _amount_typed,
    reasons={"pay.amount": lambda: _("I could not read that amount.")},
)  # fmt: skip


def _reference_question() -> str:
    return _("Type the transfer reference as the bank shows it, for example BRI 2026120401.")


REFERENCE_STEP = Typed(
    REFERENCE, _reference_question, rules.check_reference,
    stored_in(PayDraft, "reference", lambda: CONFIRM_PAY_STEP),
    reasons={"pay.reference": lambda: _("A transfer reference has 3 to 60 characters.")},
)  # fmt: skip


async def _pay_summary(context: BotContext) -> str:
    draft = PayDraft.load(context)
    bill = need(await _hub_invoice(context, draft.order_id))
    coop = await orgs.by_id(context.db, bill.org_id)
    return "\n".join([
        _("Payment from {coop} for invoice {number}:").format(coop=coop.name, number=bill.number),
        _("Amount: {amount}").format(amount=format_money(need(draft.amount))),
        _("Transfer: {reference}").format(reference=need(draft.reference)),
        _("Still owed after it: {owed}").format(owed=format_money(bill.owed - draft.amount)),
        _("Is it right?"),
    ])  # fmt: skip


async def _pay_again(update: Update, context: BotContext) -> str:
    await reply(update, _("Let us go through it again."))
    return await AMOUNT_STEP.ask(update, context)


@writes("cycle.pay")
async def save_payment(update: Update, context: BotContext) -> int:
    draft = PayDraft.load(context)
    PayDraft.drop(context)
    order_id, amount, reference = need(draft.order_id), need(draft.amount), need(draft.reference)
    try:
        done = await context.db.write(
            cycle_delivery.pay, order_id, context.person.org_id, amount, reference,
            context.person.id,
        )  # fmt: skip
    except PaymentRefused as refused:
        if refused.reason == "more":
            text = _("That is more than is owed. Only {owed} is owed. Nothing was saved.").format(
                owed=format_money(refused.owed))  # fmt: skip
        elif refused.reason == "reference":
            text = _("That transfer reference is recorded for another invoice. Nothing was saved.")
        else:
            text = _("Nothing is owed on this invoice. Nothing was saved.")
        await reply(update, text)
        return END
    except (LookupError, InvalidInput):
        await reply(update, _("This invoice cannot take a payment now. Nothing was saved."))
        return END
    bill = done.invoice
    if not done.first:
        head = _("Transfer {reference} was recorded already: {amount}.").format(
            reference=done.reference, amount=format_money(done.amount_rupiah))  # fmt: skip
    else:
        head = _("Payment saved: {amount} for {number}.").format(
            amount=format_money(done.amount_rupiah), number=bill.number)  # fmt: skip
    await reply(update, head + "\n" + _still_owed(bill))
    if done.first:
        await _tell_paid(context, done)
    return END


async def _tell_paid(context: BotContext, done: cycle_delivery.Payment) -> None:
    bill = done.invoice
    await tell_officers(
        context, bill.org_id,
        lambda: _("The hub received your payment of {amount} for {number}.").format(
            amount=format_money(done.amount_rupiah), number=bill.number) + "\n" + _still_owed(bill),
        key=f"cycle-paid:{done.id}", kind="cycle_paid",
    )  # fmt: skip


def _still_owed(bill: Invoice) -> str:
    if bill.owed == 0:
        return _("Paid in full.")
    return _("Still owed: {owed}.").format(owed=format_money(bill.owed))


CONFIRM_PAY_STEP = Confirm(CONFIRM_PAY, _pay_summary, save_payment, _pay_again)


def pay_conversation() -> ConversationHandler:
    return conversation(
        "cycle_pay", "pesan", entry_points=[PAY_BUTTONS.handler(start_pay)],
        steps=[AMOUNT_STEP, REFERENCE_STEP, CONFIRM_PAY_STEP], cancel=cancel,
    )  # fmt: skip
