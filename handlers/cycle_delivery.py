"""An order cycle after its close (issue 18): the **count step**.

A village cooperative's officer sends /pesan once the cycle closed: each order on its way has
a 📦 Goods have arrived button. The count: ✅ All as ordered, or each item typed as people write
it (``8``, ``8 karung``, ``semua``, ``0``), never more than ordered; a summary (ordered vs
received, the shortfall credited, the invoice total), then saved. The invoice (faktur) PDF
comes back at once and the cooperative's other officers are told. A second count of the same
order is answered with the first one's invoice. The hub's payments: handlers.cycle_payments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from telegram import Update
from telegram.ext import ConversationHandler

from bot import cycle_invoice
from bot.context import BotContext
from bot.cycle_papers import units
from bot.i18n import _, format_date, format_money, gettext, ngettext, use_locale
from bot.notices import Sender
from domain import cycle_delivery as rules
from domain.cycles import REASONS as ORDER_REASONS
from domain.cycles import OrderStatus, local_day
from domain.money import record_id
from domain.people import InvalidInput
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
from storage import cycle_delivery, cycles, orgs, outbox
from storage.cycle_delivery import Invoice, Owed
from storage.cycles import Order
from storage.db import Database, now_utc

COUNT_BUTTONS = Buttons("pdt", value=r"[0-9]", max_length=12)  # the order to count
HOW_BUTTONS = Buttons("pdh", value=r"[a-z]", max_length=4)  # all, each
HOW, LINE, CONFIRM_COUNT = "delivery.how", "delivery.line", "delivery.confirm"


@dataclass
class CountDraft(Draft):
    key = "cycle_count"
    order_id: int | None = None
    received: dict | None = None  # item id (text: the draft is JSON) → units
    item_id: int | None = None  # the line being asked
    offered: list[str] | None = None


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
    if not bill.total_rupiah:  # nothing arrived: no invoice to pay, only the credit
        return _(
            "Nothing of order {order} arrived, so there is nothing to pay. The hub has been told."
        ).format(order=bill.order_number)
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
    """The order if it is the presser's cooperative's own (else a forged or stale button, or
    a member's order picked up at the cooperative: not counted here)."""
    found = await cycles.order(context.db, order_id) if order_id else None
    if found is None or found.org_id != context.person.org_id:
        return None
    if not await cycle_delivery.a_cooperatives(context.db, found.id):
        return None
    return found


async def _send_invoice(update: Update, context: BotContext, bill: Invoice) -> None:
    """The faktur PDF; none when nothing is to be paid (a faktur of Rp0 confuses)."""
    if not bill.total_rupiah:
        return
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
    if order.status != OrderStatus.FROZEN:  # still open, or cancelled: nothing is on its way
        await reply(update, _("This order cannot be counted now. Nothing was saved."))
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
        await _tell_counted(context, bill)
    return END


async def tell_officers(
    context: BotContext, org_id: int, text, *, key: str, kind: str, skip: int | None = None
) -> None:
    """Each officer of the cooperative (but ``skip``) told ``text()`` in their language,
    through the outbox, once per ``key``."""
    for person_id in await cycle_delivery.officers_of(context.db, org_id):
        if person_id != skip:
            await tell_person(context, person_id, text, key=f"{key}:{person_id}", kind=kind)


async def _tell_counted(context: BotContext, bill: Invoice) -> None:
    """The cooperative's other officers learn of the count and its invoice."""
    await tell_officers(
        context, bill.org_id,
        lambda: _("{name} counted the goods of order {order}.").format(
            name=context.person.full_name, order=bill.order_number)
        + "\n" + invoice_text(bill, context.person.timezone),
        key=f"cycle-invoice:{bill.order_id}", kind="cycle_invoice", skip=context.person.id,
    )  # fmt: skip
    if bill.credited_rupiah:  # the hub's administrators learn of a shortfall (their supplier's)
        coop = await orgs.by_id(context.db, bill.org_id)
        for admin in await cycles.administrators(context.db, bill.hub_id):
            await tell_person(
                context, admin.person_id,
                lambda: _("{coop} counted order {order}: goods worth {amount} did not arrive and are credited.").format(
                    coop=coop.name, order=bill.order_number, amount=format_money(bill.credited_rupiah)),
                key=f"cycle-short:{bill.order_id}:{admin.person_id}", kind="cycle_invoice",
            )  # fmt: skip


CONFIRM_COUNT_STEP = Confirm(CONFIRM_COUNT, _count_summary, save_count, _count_again)


def count_conversation() -> ConversationHandler:
    return conversation(
        "cycle_count", "pesan", entry_points=[COUNT_BUTTONS.handler(start_count)],
        steps=[HOW_STEP, LINE_STEP, CONFIRM_COUNT_STEP], cancel=cancel,
    )  # fmt: skip


# --- the delivery day: a notice with the button (a job, once across processes) ------------------


async def tell_delivery_day(db: Database, sender: Sender | None, now: int | None = None) -> int:
    """On a closed cycle's delivery day (the hub's day, WIB), the officers of each cooperative
    whose order is on its way get the 📦 button, in their language, once (the outbox's key).
    How many were queued."""
    today = local_day(now_utc() if now is None else now, cycle_delivery.BOOKS_ZONE).isoformat()
    queued = 0
    for cycle_id in await cycle_delivery.due_for_delivery_notice(db, today):
        cycle = need(await cycles.get(db, cycle_id))
        orders = {o.org_id: o for o in await cycles.frozen_orders(db, cycle_id)}
        messages = []
        for officer in await cycles.ordering_officers(db, cycle_id):
            order = orders[officer.org_id]
            with use_locale(officer.language):
                text = _("The goods of order {number} ({cycle}) come today. When they arrive, press 📦 Goods have arrived.").format(
                    number=order.number, cycle=cycle.name)  # fmt: skip
                markup = keyboard(
                    [[COUNT_BUTTONS.button(_("📦 Goods have arrived"), str(order.id))]]
                )
            messages.append(outbox.OutgoingMessage(
                officer.person_id, officer.chat_id, text, json.dumps(markup.to_dict())))  # fmt: skip
        done = await db.write(cycle_delivery.tell_delivery_day, cycle_id, messages)
        queued += done.total if done.created else 0
    if queued and sender is not None:
        sender.wake()
    return queued


async def delivery_day(context: BotContext) -> None:
    await tell_delivery_day(context.db, context.bot_data.outbox)
