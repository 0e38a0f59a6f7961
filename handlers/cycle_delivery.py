"""An order cycle after its close (issue 18): the **count step** and the **payments**.

A village cooperative's officer sends /pesan once the cycle closed: each order on its way has
a 📦 Goods have arrived button. The count: ✅ All as ordered, or each item typed as people write
it (``8``, ``8 karung``, ``semua``, ``0``), never more than ordered; a summary (ordered vs
received, the shortfall credited, the invoice total), then saved. The invoice (faktur) PDF
comes back at once and the cooperative's other officers are told. A second count of the same
order is answered with the first one's invoice.

The hub's administrator or treasurer sees the unpaid invoices under its cycles in /pesan, each
with a 💰 Record a payment button: the amount (never more than owed), the transfer reference,
a summary, then saved; the cooperative's officers are told what is still owed.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import ConversationHandler

from bot import cycle_invoice
from bot.context import BotContext
from bot.cycle_papers import units
from bot.i18n import _, format_date, format_money, gettext, ngettext
from domain import cycle_delivery as rules
from domain.cycle_delivery import PaymentRefused
from domain.cycles import REASONS as ORDER_REASONS
from domain.money import parse_rupiah, record_id
from domain.people import InvalidInput, Role
from handlers.kit import (
    END,
    Buttons,
    Choice,
    Confirm,
    Draft,
    Typed,
    answer_query,
    conversation,
    keyboard,
    need,
    refuse_button,
    reply,
    tell_person,
    writes,
)
from handlers.menus import cancel
from storage import cycle_delivery, cycles, orgs
from storage.cycle_delivery import Invoice, Owed
from storage.cycles import Order

COUNT_BUTTONS = Buttons("pdt", value=r"[0-9]", max_length=12)  # the order to count
HOW_BUTTONS = Buttons("pdh", value=r"[a-z]", max_length=4)  # all, each
PAY_BUTTONS = Buttons("pdb", value=r"[0-9]", max_length=12)  # the order whose invoice is paid
HOW, LINE, CONFIRM_COUNT = "delivery.how", "delivery.line", "delivery.confirm"
AMOUNT, REFERENCE, CONFIRM_PAY = "payment.amount", "payment.reference", "payment.confirm"
HUB_ROLES = frozenset({Role.ADMIN, Role.TREASURER})
ARRIVED = "📦"


@dataclass
class CountDraft(Draft):
    key = "cycle_count"
    order_id: int | None = None
    received: dict | None = None  # item id (text: the draft is JSON) → units
    item_id: int | None = None  # the line being asked
    offered: list[str] | None = None


@dataclass
class PayDraft(Draft):
    key = "cycle_pay"
    order_id: int | None = None
    amount: int | None = None
    reference: str | None = None


# --- what people read ------------------------------------------------------------------------------


def owed_line(owed: Owed) -> str | None:
    """``Utang ke hub: Rp1.012.000 (1 faktur belum lunas)`` for the /koperasi card; None
    when nothing is owed."""
    if owed.rupiah <= 0:
        return None
    return ngettext(
        "Owed to the hub: {amount} ({count} unpaid invoice)",
        "Owed to the hub: {amount} ({count} unpaid invoices)", owed.invoices,
    ).format(amount=format_money(owed.rupiah), count=owed.invoices)  # fmt: skip


def invoice_text(bill: Invoice, zone: str) -> str:
    lines = [
        _("Invoice {number} for order {order}:").format(
            number=bill.number, order=bill.order_number
        ),
        _("Goods: {amount}").format(amount=format_money(bill.goods_rupiah)),
        _("Hub fee: {amount}").format(amount=format_money(bill.fees_rupiah)),
    ]
    if bill.credited_rupiah:
        lines.append(
            _("Did not arrive, credited: {amount}").format(
                amount=format_money(bill.credited_rupiah)
            )
        )
    lines.append(_("Total to pay: {amount}").format(amount=format_money(bill.total_rupiah)))
    if bill.total_rupiah:
        from datetime import date

        lines.append(
            _("Pay by {day} by transfer, quoting {number}.").format(
                day=format_date(date.fromisoformat(bill.due_on), zone), number=bill.number
            )
        )
    return "\n".join(lines)


async def _offered(context: BotContext, order: Order) -> dict:
    return {i.id: i for i in await cycles.items(context.db, order.cycle_id)}


# --- where the count starts: /pesan of a village officer ----------------------------------------


async def show_arrivals(update: Update, context: BotContext) -> None:
    """Each order of the officer's cooperative on its way (its cycle closed), with the button
    that starts the count."""
    for order in await cycle_delivery.countable(context.db, context.person.org_id):
        cycle = need(await cycles.get(context.db, order.cycle_id))
        offered = await _offered(context, order)
        text = [_("Order {number} ({cycle}) is on its way. Delivery: {day}.").format(
            number=order.number, cycle=cycle.name, day=format_date(cycle.delivery_day))]  # fmt: skip
        text += [_ordered(line, offered) for line in order.lines]
        text.append(_("When the goods arrive, press 📦 Goods have arrived."))
        button = COUNT_BUTTONS.button(_("📦 Goods have arrived"), str(order.id))
        await reply(update, "\n".join(text), keyboard([[button]]))


def _ordered(line, offered) -> str:
    item = offered[line.item_id]
    return f"{units(line.quantity, item.unit)} {item.name}"


# --- the count ---------------------------------------------------------------------------------


async def _own_order(context: BotContext, order_id: int | None) -> Order | None:
    """The order if it is the presser's cooperative's (else a forged or stale button)."""
    found = await cycles.order(context.db, order_id) if order_id else None
    if found is None or found.org_id != context.person.org_id:
        return None
    return found


async def _send_invoice(update: Update, context: BotContext, bill: Invoice) -> None:
    data = await cycle_invoice.invoice_pdf(context.db, bill.order_id, context.person.timezone)
    await update.effective_chat.send_document(
        data, filename=cycle_invoice.file_name(bill), caption=_("Invoice {number}").format(number=bill.number)
    )  # fmt: skip


async def start_count(update: Update, context: BotContext) -> int | str:
    order = await _own_order(context, record_id(COUNT_BUTTONS.value(update) or ""))
    if order is None:
        await refuse_button(update)
        return END
    await answer_query(update)
    done = await cycle_delivery.invoice(context.db, order.id)
    if done is not None:  # counted before: the first count's result
        await reply(update, _("Order {number} was counted already.").format(number=order.number)
                    + "\n" + invoice_text(done, context.person.timezone))  # fmt: skip
        return END
    CountDraft(order_id=order.id, received={}).save(context)
    return await HOW_STEP.ask(update, context)


class HowStep(Choice):
    async def text(self, context: BotContext) -> str:
        order = need(await _own_order(context, CountDraft.load(context).order_id))
        offered = await _offered(context, order)
        text = [_("What arrived of order {number}? It ordered:").format(number=order.number)]
        text += [_ordered(line, offered) for line in order.lines]
        text.append(_("If everything arrived as ordered, press ✅ All as ordered. Otherwise press ✏️ Count each item."))  # fmt: skip
        return "\n".join(text)


def _how_options(context: BotContext) -> list[tuple[str, str]]:
    return [(_("✅ All as ordered"), "all"), (_("✏️ Count each item"), "each")]


async def _how_chosen(update: Update, context: BotContext, value: str) -> str:
    draft = CountDraft.load(context)
    order = need(await _own_order(context, draft.order_id))
    if value == "all":
        draft.received = {str(x.item_id): x.quantity for x in order.lines}
        draft.save(context)
        return await CONFIRM_COUNT_STEP.ask(update, context)
    draft.received, draft.item_id = {}, order.lines[0].item_id
    draft.save(context)
    return await LINE_STEP.ask(update, context)


HOW_STEP = HowStep(HOW, HOW_BUTTONS, lambda: "", _how_options, _how_chosen, CountDraft)


def _line_question() -> str:
    return _("Type how many arrived, for example 8. Type semua if all came, 0 if none came.")


async def _line(context: BotContext):
    draft = CountDraft.load(context)
    order = need(await _own_order(context, draft.order_id))
    line = next(x for x in order.lines if x.item_id == need(draft.item_id))
    return order, line, (await _offered(context, order))[line.item_id]


class LineStep(Typed):
    async def ask(self, update: Update, context: BotContext) -> str:
        _order, line, item = await _line(context)
        await reply(update, _("{name}: {ordered} ordered. How many arrived?").format(
            name=item.name, ordered=units(line.quantity, item.unit)) + "\n" + _line_question())  # fmt: skip
        return self.state

    async def on_text(self, update: Update, context: BotContext):
        order, line, item = await _line(context)
        try:
            got = rules.parse_received(
                update.effective_message.text or "", item.unit, line.quantity
            )
        except InvalidInput as exc:
            reason = rules.REASONS.get(exc.reason) or ORDER_REASONS[exc.reason]
            await reply(update, gettext(reason).format(
                ordered=units(line.quantity, item.unit), unit=units(2, item.unit).split(" ", 1)[1],
            ) + "\n" + _line_question())  # fmt: skip
            return self.state
        draft = CountDraft.load(context)
        draft.received = {**(draft.received or {}), str(line.item_id): got}
        later = [x.item_id for x in order.lines if str(x.item_id) not in draft.received]
        draft.item_id = later[0] if later else None
        draft.save(context)
        if later:
            return await self.ask(update, context)
        return await CONFIRM_COUNT_STEP.ask(update, context)


LINE_STEP = LineStep(LINE, _line_question, str, None, reasons={})


def _received(draft: CountDraft) -> dict[int, int]:
    return {int(k): v for k, v in (draft.received or {}).items()}


async def _count_summary(context: BotContext) -> str:
    draft = CountDraft.load(context)
    order = need(await _own_order(context, draft.order_id))
    offered, got = await _offered(context, order), _received(draft)
    text = [_("Count of order {number}:").format(number=order.number)]
    for line in order.lines:
        item = offered[line.item_id]
        text.append(_("{name}: ordered {ordered}, arrived {received}").format(
            name=item.name, ordered=units(line.quantity, item.unit),
            received=units(got.get(line.item_id, 0), item.unit)))  # fmt: skip
    counted = [
        rules.Counted(line, got.get(line.item_id, 0), offered[line.item_id].supplier_id)
        for line in order.lines
    ]
    figures = rules.bill(counted)
    if figures.credited:
        text.append(_("Did not arrive, credited: {amount}").format(
            amount=format_money(figures.credited)))  # fmt: skip
    text.append(_("Invoice total: {amount}").format(amount=format_money(figures.total)))
    text.append(_("Is it right?"))
    return "\n".join(text)


async def _count_again(update: Update, context: BotContext) -> str:
    draft = CountDraft.load(context)
    order = need(await _own_order(context, draft.order_id))
    draft.received, draft.item_id = {}, order.lines[0].item_id
    draft.save(context)
    await reply(update, _("Let us go through it again."))
    return await LINE_STEP.ask(update, context)


@writes("cycle.count")
async def save_count(update: Update, context: BotContext) -> int:
    draft = CountDraft.load(context)
    order_id = need(draft.order_id)
    CountDraft.drop(context)
    try:
        done = await context.db.write(
            cycle_delivery.count, order_id, context.person.org_id, _received(draft),
            context.person.id,
        )  # fmt: skip
    except (LookupError, InvalidInput):
        await reply(update, _("This order cannot be counted now. Nothing was saved."))
        return END
    bill, zone = done.invoice, context.person.timezone
    head = (
        _("Thank you. The count is saved.")
        if done.first
        else _("Order {number} was counted already.").format(number=bill.order_number)
    )
    await reply(update, head + "\n" + invoice_text(bill, zone))
    await _send_invoice(update, context, bill)
    if done.first:
        await _tell_officers(context, bill)
    return END


async def _tell_officers(context: BotContext, bill: Invoice) -> None:
    """The cooperative's other officers learn of the count and its invoice (through the
    outbox, once)."""
    for person_id in await cycle_delivery.officers_of(context.db, bill.org_id):
        if person_id == context.person.id:
            continue
        await tell_person(
            context, person_id,
            lambda: _("{name} counted the goods of order {order}.").format(
                name=context.person.full_name, order=bill.order_number)
            + "\n" + invoice_text(bill, context.person.timezone),
            key=f"cycle-invoice:{bill.order_id}:{person_id}", kind="cycle_invoice",
        )  # fmt: skip


CONFIRM_COUNT_STEP = Confirm(CONFIRM_COUNT, _count_summary, save_count, _count_again)


def count_conversation() -> ConversationHandler:
    return conversation(
        "cycle_count", "pesan", entry_points=[COUNT_BUTTONS.handler(start_count)],
        steps=[HOW_STEP, LINE_STEP, CONFIRM_COUNT_STEP], cancel=cancel,
    )  # fmt: skip


# --- the hub: unpaid invoices and payments ---------------------------------------------------------


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


async def _reference_typed(update: Update, context: BotContext, reference: str) -> str:
    draft = PayDraft.load(context)
    draft.reference = reference
    draft.save(context)
    return await CONFIRM_PAY_STEP.ask(update, context)


REFERENCE_STEP = Typed(
    REFERENCE, _reference_question, rules.check_reference, _reference_typed,
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
    tail = (
        _("Paid in full.")
        if bill.owed == 0
        else _("Still owed: {owed}.").format(owed=format_money(bill.owed))
    )
    await reply(update, head + "\n" + tail)
    if done.first:
        await _tell_paid(context, done)
    return END


async def _tell_paid(context: BotContext, done: cycle_delivery.Payment) -> None:
    bill = done.invoice
    for person_id in await cycle_delivery.officers_of(context.db, bill.org_id):
        await tell_person(
            context, person_id,
            lambda: _("The hub received your payment of {amount} for {number}.").format(
                amount=format_money(done.amount_rupiah), number=bill.number) + "\n" + (
                _("Paid in full.") if bill.owed == 0
                else _("Still owed: {owed}.").format(owed=format_money(bill.owed))),
            key=f"cycle-paid:{done.id}:{person_id}", kind="cycle_paid",
        )  # fmt: skip


CONFIRM_PAY_STEP = Confirm(CONFIRM_PAY, _pay_summary, save_payment, _pay_again)


def pay_conversation() -> ConversationHandler:
    return conversation(
        "cycle_pay", "pesan", entry_points=[PAY_BUTTONS.handler(start_pay)],
        steps=[AMOUNT_STEP, REFERENCE_STEP, CONFIRM_PAY_STEP], cancel=cancel,
    )  # fmt: skip
