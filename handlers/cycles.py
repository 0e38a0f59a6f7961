"""/pesan: a village cooperative's officer (ketua, bendahara, pengelola gerai) orders goods
from the hub's open order cycle: the cycle, its items with the price and the hub's fee per
unit and what is left of the stock, an item and its quantity as people write it, again, a
summary with the totals and the close time, then saved; the order changed or cancelled until
the close. A hub's administrator sees each cycle's totals per item and gets its purchase
orders and delivery plan as documents. The jobs: the close (once), the notices of the close,
the reminder a day before it."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler

from bot.context import BotContext
from bot.cycle_papers import closing_time, units
from bot.i18n import _, format_date, format_money, ngettext, use_locale
from bot.notices import Sender
from domain import cycles as rules
from domain.cycles import OrderRefused, OrderStatus
from domain.money import record_id
from domain.network import is_village
from domain.people import Role
from handlers import cycle_delivery, cycle_invoices, cycle_payments
from handlers.cycle_shopping import (
    CycleStep,
    Shop,
    closed_text,
    draft_lines,
    offered,
    order_lines,
    order_text,
)
from handlers.kit import (
    END,
    Buttons,
    Confirm,
    Draft,
    answer_query,
    conversation,
    for_command,
    keyboard,
    need,
    refuse_button,
    reply,
    writes,
)
from handlers.menus import cancel
from storage import cycles, orgs, outbox
from storage.cycles import Cycle, Item, Order
from storage.db import Database

log = logging.getLogger(__name__)

CYCLE, ITEM, QUANTITY, CONFIRM, EXISTING = (
    "cycle.pick", "cycle.item", "cycle.quantity", "cycle.confirm", "cycle.existing",
)  # fmt: skip
CYCLE_BUTTONS = Buttons("psc", value=r"[0-9]", max_length=12)
ITEM_BUTTONS = Buttons("psi", value=r"[a-z0-9]", max_length=13)  # i<item id>, or "sum"
EXISTING_BUTTONS = Buttons("pse", value=r"[a-z]", max_length=6)  # change, cancel, keep
# Outside the conversation, a hub administrator's papers: <cycle>s<supplier>, <cycle>p (plan).
PAPER_BUTTONS = Buttons("psp", value=r"[0-9sp]", max_length=26)
_PAPER = re.compile(r"^(\d{1,12})(?:s(\d{1,12})|(p))$", re.ASCII)
HUB_ROLES = frozenset({Role.ADMIN, Role.TREASURER})
CLOSED_KIND = "cycle_closed"
REMINDER_KIND = "cycle_reminder"


@dataclass
class OrderDraft(Draft):
    key = "cycle_order"
    cycle_id: int | None = None
    lines: dict | None = None  # item id (text: the draft is JSON) → units
    item_id: int | None = None
    offered: list[str] | None = None


async def _own(context: BotContext, cycle_id: int) -> dict[int, int]:
    """What the cooperative's own open order holds of each item (its to change)."""
    mine = await cycles.order_of(context.db, cycle_id, context.person.org_id)
    return order_lines(mine) if mine is not None and mine.status == OrderStatus.OPEN else {}


# --- the conversation -------------------------------------------------------------------------------


async def _own_village(context: BotContext) -> bool:
    own = await orgs.by_id(context.db, context.person.org_id)
    return own is not None and is_village(own.kind)


async def start(update: Update, context: BotContext) -> int | str:
    if not await _own_village(context):
        if context.person.has_any(HUB_ROLES):
            await show_hub(update, context)
        else:
            await reply(update, _("Only officers of a village cooperative order goods here."))
        return END
    await cycle_delivery.show_arrivals(update, context)  # closed cycles' orders on their way
    await cycle_invoices.offer_invoices(update, context)  # the cooperative's own invoices
    found = await cycles.open_for(context.db, context.person.org_id)
    if not found:
        await reply(
            update, _("No order cycle of your hub is open now. I will tell you when one opens.")
        )
        return END
    OrderDraft().save(context)
    return await CYCLE_STEP.ask(update, context)


async def _open_cycles(context: BotContext) -> list[Cycle]:
    return await cycles.open_for(context.db, context.person.org_id)


async def _cycle_chosen(update: Update, context: BotContext, value: str) -> str:
    cycle = await cycles.get(context.db, int(value))
    if cycle is None or not await cycles.may_order(context.db, cycle, context.person.org_id):
        await refuse_button(update)
        return END
    mine = await cycles.order_of(context.db, cycle.id, context.person.org_id)
    if mine is not None and mine.status != OrderStatus.OPEN:
        mine = None
    return await SHOP.begin(
        update, context, OrderDraft(cycle_id=cycle.id, lines={}), cycle, mine, []
    )


CYCLE_STEP = CycleStep(CYCLE, CYCLE_BUTTONS, OrderDraft, _open_cycles, _cycle_chosen)


@writes("cycle.cancel")
async def cancel_order(update: Update, context: BotContext) -> int:
    draft = OrderDraft.load(context)
    cycle = need(await cycles.get(context.db, need(draft.cycle_id)))
    OrderDraft.drop(context)
    try:
        done = await context.db.write(
            cycles.cancel, cycle.id, context.person.org_id, context.person.id
        )
    except OrderRefused:
        await reply(update, closed_text(cycle, context.person.timezone))
        return END
    except LookupError:
        await reply(
            update, _("Your cooperative has no open order in this cycle. Nothing was changed.")
        )
        return END
    await reply(update, _("Order {number} is cancelled. You may order again until {time}. Send /pesan.").format(
        number=done.number, time=closing_time(cycle, context.person.timezone)))  # fmt: skip
    return END


async def _summary_or_again(update: Update, context: BotContext) -> str:
    """The summary, or the minimum not reached: how much more, and the items again."""
    draft = OrderDraft.load(context)
    cycle = need(await cycles.get(context.db, need(draft.cycle_id)))
    items = await offered(context, cycle.id)
    found = [
        rules.Line(i, q, items[i].price_rupiah, items[i].fee_rupiah)
        for i, q in draft_lines(draft).items()
    ]
    total = rules.totals(found).total
    if total < cycle.minimum_rupiah:
        await reply(update, _("The minimum order is {minimum}. Your order is {total}. Add {short} more.").format(
            minimum=format_money(cycle.minimum_rupiah), total=format_money(total),
            short=format_money(cycle.minimum_rupiah - total)))  # fmt: skip
        return await SHOP.items.ask(update, context)
    return await CONFIRM_STEP.ask(update, context)


SHOP = Shop(
    OrderDraft, item=(ITEM, ITEM_BUTTONS), quantity=QUANTITY, existing=(EXISTING, EXISTING_BUTTONS),
    own=_own, summary=_summary_or_again, cancel=cancel_order,
)  # fmt: skip


async def _summary(context: BotContext) -> str:
    cycle, text = await SHOP.summary_head(context)
    text.append(_("Delivery: {day}. Orders close {time}.").format(
        day=format_date(cycle.delivery_day), time=closing_time(cycle, context.person.timezone)))  # fmt: skip
    text.append(_("Is it right?"))
    return "\n".join(text)


@writes("cycle.order")
async def save(update: Update, context: BotContext) -> int | str:
    draft = OrderDraft.load(context)
    cycle = need(await cycles.get(context.db, need(draft.cycle_id)))
    zone = context.person.timezone
    try:
        done = await context.db.write(
            cycles.place, cycle.id, context.person.org_id, draft_lines(draft), context.person.id
        )
    except LookupError:
        OrderDraft.drop(context)
        await reply(
            update,
            _("This order cycle is not one your cooperative may order in. Nothing was saved."),
        )
        return END
    except OrderRefused as refused:
        if refused.reason == "closed":
            OrderDraft.drop(context)
            await reply(update, closed_text(cycle, zone))
            return END
        if refused.reason == "stock":  # another cooperative took it since: what is left now
            return await SHOP.stock_taken(update, context, refused, _(
                "Only {left} of {name} are left now. Another cooperative ordered first. Nothing was saved yet."))  # fmt: skip
        return await _summary_or_again(update, context)
    OrderDraft.drop(context)
    await reply(update, _("Order {number} is saved: {total}. You may change or cancel it until {time}. Send /pesan.").format(
        number=done.number, total=format_money(done.totals.total), time=closing_time(cycle, zone)))  # fmt: skip
    return END


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, SHOP.change)


def conversation_handler() -> ConversationHandler:
    return conversation(
        "cycle_order", "pesan", entry_points=[CommandHandler("pesan", start)],
        steps=[CYCLE_STEP, SHOP.items, SHOP.quantity, CONFIRM_STEP],
        states={EXISTING: [EXISTING_BUTTONS.handler(SHOP.on_existing)]}, cancel=cancel,
    )  # fmt: skip


# --- the hub's view: totals and papers ----------------------------------------------------------------


async def _hub_cycles(context: BotContext) -> list[Cycle]:
    return (await cycles.of_hub(context.db, context.person.org_id))[:5]


async def show_hub(update: Update, context: BotContext) -> None:
    found = await _hub_cycles(context)
    if not found:
        await reply(
            update,
            _("Your cooperative has no order cycle. Open one with: koperasi-bot cycle open."),
        )
        return
    zone = context.person.timezone
    for cycle in found:
        totals = await cycles.item_totals(context.db, cycle.id)
        state = (
            _("open until {time}") if cycle.status == rules.Status.OPEN else _("closed at {time}")
        )
        text = [f"{cycle.number} {cycle.name}: {state.format(time=closing_time(cycle, zone))}"]
        for t in totals:
            text.append(ngettext(
                "{name} ({supplier}): {ordered} from {orders} cooperative, {left} left",
                "{name} ({supplier}): {ordered} from {orders} cooperatives, {left} left", t.orders,
            ).format(
                name=t.item.name, supplier=t.supplier, ordered=units(t.ordered, t.item.unit),
                orders=t.orders, left=units(t.item.left, t.item.unit)))  # fmt: skip
        fees = sum(t.ordered * t.item.fee_rupiah for t in totals)
        goods = sum(t.ordered * t.item.price_rupiah for t in totals)
        text.append(_("Goods: {amount}").format(amount=format_money(goods)))
        text.append(_("Hub fee: {amount}").format(amount=format_money(fees)))
        suppliers = sorted({(t.supplier, t.item.supplier_id) for t in totals if t.ordered})
        rows = [[PAPER_BUTTONS.button(_("📄 Purchase order: {supplier}").format(supplier=name), f"{cycle.id}s{sid}")]
                for name, sid in suppliers]  # fmt: skip
        if suppliers:
            rows.append([PAPER_BUTTONS.button(_("📄 Delivery plan"), f"{cycle.id}p")])
        await reply(update, "\n".join(text), keyboard(rows) if rows else None)
    await cycle_payments.show_unpaid(update, context)


@for_command("pesan")
async def on_paper(update: Update, context: BotContext) -> None:
    """A purchase order or the delivery plan of a cycle of the presser's own hub, as a PDF."""
    from bot import cycle_papers as papers

    match = _PAPER.match(PAPER_BUTTONS.value(update) or "")
    cycle = (
        await cycles.get(context.db, record_id(match[1])) if match and record_id(match[1]) else None
    )
    if (
        cycle is None
        or cycle.hub_id != context.person.org_id
        or not context.person.has_any(HUB_ROLES)
    ):
        await refuse_button(update)
        return
    hub = await orgs.by_id(context.db, cycle.hub_id)
    if match[2]:
        supplier = await cycles.supplier(context.db, int(match[2]))
        if supplier is None or supplier.hub_id != cycle.hub_id:
            await refuse_button(update)
            return
        await answer_query(update)
        po = await papers.purchase_order(context.db, hub, cycle, supplier)
        data = papers.purchase_order_pdf(po, context.person.timezone)
        name, caption = papers.file_stem("po", cycle, supplier), _("Purchase order for {supplier}").format(supplier=supplier.name)  # fmt: skip
    else:
        await answer_query(update)
        data, _count = await papers.plan_pdf(context.db, hub, cycle)
        name, caption = (
            papers.file_stem("plan", cycle),
            _("Delivery plan of {cycle}").format(cycle=cycle.name),
        )
    await update.effective_chat.send_document(data, filename=f"{name}.pdf", caption=caption)


# --- the jobs: the close, its notices, the reminder -------------------------------------------------


def officer_order_text(cycle: Cycle, order: Order, offered: dict[int, Item], zone: str) -> str:
    text = [_("Orders for {cycle} are closed. Your order {number} goes to the hub:").format(
        cycle=cycle.name, number=order.number)]  # fmt: skip
    text += order_text(order_lines(order), offered)
    text.append(_("Delivery: {day}.").format(day=format_date(cycle.delivery_day)))
    return "\n".join(text)


async def announce_closed(db: Database, sender: Sender | None) -> int:
    """Every closed cycle not told yet: each ordering cooperative's officers get their order,
    the hub's administrators the totals and where the papers are, in their language, queued
    and marked told in one transaction (a restart or another process tells nobody twice)."""
    told = 0
    for cycle in await cycles.unannounced(db):
        offered = {i.id: i for i in await cycles.items(db, cycle.id)}
        orders = await cycles.frozen_orders(db, cycle.id)
        by_org = {o.org_id: o for o in orders}
        messages = []
        for officer in await cycles.ordering_officers(db, cycle.id):
            with use_locale(officer.language):
                text = officer_order_text(cycle, by_org[officer.org_id], offered, officer.timezone)
            messages.append(outbox.OutgoingMessage(officer.person_id, officer.chat_id, text))
        totals = await cycles.item_totals(db, cycle.id)
        for admin in await cycles.administrators(db, cycle.hub_id):
            with use_locale(admin.language):
                text = [ngettext(
                    "Orders for {cycle} are closed. {count} cooperative ordered.",
                    "Orders for {cycle} are closed. {count} cooperatives ordered.", len(orders),
                ).format(cycle=cycle.name, count=len(orders))]  # fmt: skip
                text += [_("{name}: {ordered}").format(name=t.item.name, ordered=units(t.ordered, t.item.unit))
                         for t in totals if t.ordered]  # fmt: skip
                text.append(_("Send /pesan to get the purchase orders and the delivery plan."))
            messages.append(outbox.OutgoingMessage(admin.person_id, admin.chat_id, "\n".join(text)))
        if await db.write(cycles.announce, cycle.id, messages) is not None:
            told += 1
    if told and sender is not None:
        sender.wake()
    return told


async def close_cycles(context: BotContext) -> None:
    """A job (once across processes): cycles past their closing time close, and every close
    not told yet is told."""
    closed = await context.db.write(cycles.close_due)
    if closed:
        log.info("%d order cycle(s) closed", len(closed))
    await announce_closed(context.db, context.bot_data.outbox)


async def remind(db: Database, sender: Sender | None, now: int | None = None) -> int:
    """A day before a cycle's close: the officers of its hub's cooperatives that have not
    ordered, once each, in their language with the close in their zone. How many were queued."""
    queued = 0
    for cycle in await cycles.due_for_reminder(db, now):
        messages = []
        for officer in await cycles.to_remind(db, cycle):
            with use_locale(officer.language):
                text = _("Your cooperative has not ordered in {cycle} yet. Orders close {time}. Send /pesan to order.").format(
                    cycle=cycle.name, time=closing_time(cycle, officer.timezone))  # fmt: skip
            messages.append(outbox.OutgoingMessage(officer.person_id, officer.chat_id, text))
        queued += await db.write(cycles.remind, cycle.id, messages)
    if queued and sender is not None:
        sender.wake()
    return queued


async def remind_cycles(context: BotContext) -> None:
    await remind(context.db, context.bot_data.outbox)
