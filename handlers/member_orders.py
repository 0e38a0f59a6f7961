"""/belanja: a union member orders goods of their hub's open order cycle for pickup at their
PUK: the cycle, items and quantities as /pesan asks them (the same stock), a summary, then how
to pay (💰 from sukarela, held now and taken at pickup, or 🧾 payroll deduction next month),
✅. Until the close /belanja shows the order with ✏️ change and ❌ cancel (the hold follows).

/serahkan: an officer of the PUK (coordinator, treasurer, administrator) lists the members'
orders waiting there after the close, each with ✅ Handed over: the payment is posted once and
the member is told."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler

from bot.context import BotContext
from bot.cycle_papers import closing_time
from bot.i18n import _, format_date, format_money, use_locale
from bot.notices import Sender, notify
from domain import cycles as rules
from domain import member_orders as M
from domain.cycles import OrderRefused
from domain.ledger import LedgerError
from domain.member_orders import PayBy, PaymentRefused
from domain.money import record_id
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
    Choice,
    Confirm,
    Draft,
    close_buttons,
    conversation,
    for_command,
    keyboard,
    need,
    refuse_button,
    reply,
    tell_person,
    writes,
)
from handlers.menus import cancel
from storage import cycles, orgs, outbox
from storage import member_orders as stored
from storage.cycles import Cycle, Item
from storage.db import Database, now_utc
from storage.member_orders import Shopper

CYCLE, ITEM, QUANTITY, PAY, CONFIRM, EXISTING = (
    "shop.cycle", "shop.item", "shop.quantity", "shop.pay", "shop.confirm", "shop.existing",
)  # fmt: skip
CYCLE_BUTTONS = Buttons("blc", value=r"[0-9]", max_length=12)
ITEM_BUTTONS = Buttons("bli", value=r"[a-z0-9]", max_length=13)  # i<item id>, or "sum"
# sukarela (s), payroll (p), change (c); the family takes any short code like every Choice
# family (the kit refuses a value it did not offer)
PAY_BUTTONS = Buttons("blp", value=r"[a-z]", max_length=2)
EXISTING_BUTTONS = Buttons("ble", value=r"[a-z]", max_length=6)  # change, cancel, keep
HAND_OVER_BUTTONS = Buttons("blh", value=r"[0-9]", max_length=12)  # <order id>


@dataclass
class ShopDraft(Draft):
    key = "member_order"
    cycle_id: int | None = None
    lines: dict | None = None  # item id (text: the draft is JSON) → units
    item_id: int | None = None
    pay_by: str | None = None
    offered: list[str] | None = None


async def _shopper(context: BotContext) -> Shopper | None:
    return await stored.shopper(context.db, context.person.id, context.person.org_id)


def _total(lines: dict[int, int], offered: dict[int, Item]) -> int:
    return sum(q * (offered[i].price_rupiah + offered[i].fee_rupiah) for i, q in lines.items())


def refusal_text(refused: PaymentRefused) -> str:
    """Why the order cannot be paid that way, and what to do."""
    if refused.reason == "sukarela":
        return _("Your voluntary savings: {available}. Your shopping: {total}. Order less, or pay by payroll deduction.").format(
            available=format_money(refused.available), total=format_money(refused.total))  # fmt: skip
    if refused.reason == "take_home":
        return _(
            "Your cooperative does not know your take-home pay. Payroll deduction is not possible. Pay from voluntary savings, or ask your cooperative."
        )
    if refused.reason == "payroll":
        return _("On payroll you may buy at most {room} more: {share} of your take-home pay, less what is still to be deducted. Your shopping: {total}. Order less.").format(
            room=format_money(refused.room), share=f"{M.PAYROLL_SHARE_BP * 100 // M.BP}%", total=format_money(refused.total))  # fmt: skip
    return _("One order is at most {most}. Your shopping: {total}. Order less.").format(
        most=format_money(M.MAX_ORDER), total=format_money(refused.total))  # fmt: skip


def pay_words(pay_by: PayBy) -> str:
    if pay_by is PayBy.SUKARELA:
        return _("Paid from: voluntary savings (held now, taken at pickup)")
    return _("Paid by: payroll deduction next month")


# --- start: the cycle, an order there already -------------------------------------------------------


@for_command("belanja")
async def start(update: Update, context: BotContext) -> int | str:
    shopper = await _shopper(context)
    if shopper is None:
        await reply(update, _("Only members of a union cooperative with a hub shop here. Please ask your cooperative."))  # fmt: skip
        return END
    if not await stored.open_cycles(context.db, shopper.hub_id):
        await reply(update, await _none_open(context, shopper))
        return END
    ShopDraft().save(context)
    return await CYCLE_STEP.ask(update, context)


async def _none_open(context: BotContext, shopper: Shopper) -> str:
    """No cycle open: the last one's close time when there is one (orders after it are refused)."""
    last = (await cycles.of_hub(context.db, shopper.hub_id))[:1]
    if last:
        return _("Orders for {cycle} closed {time}. No other order cycle of your hub is open now.").format(
            cycle=last[0].name, time=closing_time(last[0], context.person.timezone))  # fmt: skip
    return _("No order cycle of your cooperative's hub is open now. Please try again later.")


async def _open_cycles(context: BotContext) -> list[Cycle]:
    shopper = await _shopper(context)
    return await stored.open_cycles(context.db, shopper.hub_id) if shopper else []


async def _cycle_chosen(update: Update, context: BotContext, value: str) -> str:
    cycle = await cycles.get(context.db, int(value))
    shopper = await _shopper(context)
    if cycle is None or shopper is None or cycle.hub_id != shopper.hub_id:
        await refuse_button(update)
        return END
    draft = ShopDraft(cycle_id=cycle.id, lines={})
    mine = await stored.order_of(context.db, cycle.id, context.person.id)
    if mine is None or mine.status != "open":
        return await SHOP.begin(update, context, draft, cycle, None, [])
    draft.pay_by = mine.pay_by.value
    return await SHOP.begin(update, context, draft, cycle, mine, [pay_words(mine.pay_by)])


CYCLE_STEP = CycleStep(CYCLE, CYCLE_BUTTONS, ShopDraft, _open_cycles, _cycle_chosen)


@writes("member_order.cancel")
async def cancel_order(update: Update, context: BotContext) -> int:
    draft = ShopDraft.load(context)
    cycle = need(await cycles.get(context.db, need(draft.cycle_id)))
    shopper = need(await _shopper(context))
    ShopDraft.drop(context)
    try:
        done = await context.db.write(stored.cancel, cycle.id, shopper.member.id, context.person.id)
    except OrderRefused:
        await reply(update, closed_text(cycle, context.person.timezone))
        return END
    except LookupError:
        await reply(update, _("You have no open order in this cycle. Nothing was changed."))
        return END
    text = _("Order {number} is cancelled. You may order again until {time}. Send /belanja.").format(
        number=done.number, time=closing_time(cycle, context.person.timezone))  # fmt: skip
    if done.pay_by is PayBy.SUKARELA:
        text += "\n" + _("The {amount} held from your voluntary savings is free again.").format(
            amount=format_money(done.totals.total))  # fmt: skip
    await reply(update, text)
    return END


# --- items and quantities ------------------------------------------------------------------------------


async def _own(context: BotContext, cycle_id: int) -> dict[int, int]:
    """What the member's own open order holds of each item (theirs to change)."""
    mine = await stored.order_of(context.db, cycle_id, context.person.id)
    return order_lines(mine) if mine and mine.status == "open" else {}


async def _to_pay(update: Update, context: BotContext) -> int | str:
    return await PAY_STEP.ask(update, context)


SHOP = Shop(
    ShopDraft, item=(ITEM, ITEM_BUTTONS), quantity=QUANTITY, existing=(EXISTING, EXISTING_BUTTONS),
    own=_own, summary=_to_pay, cancel=cancel_order,
)  # fmt: skip


# --- how to pay, the summary, saved --------------------------------------------------------------------


class PayStep(Choice):
    async def text(self, context: BotContext) -> str:
        _cycle, text = await SHOP.summary_head(context)
        text.append(_("How will you pay? Pick one."))
        return "\n".join(text)


def _pay_options(context: BotContext) -> list[tuple[str, str]]:
    return [
        (_("💰 From my voluntary savings"), "s"),
        (_("🧾 Payroll deduction next month"), "p"),
        (_("✏️ Change the order"), "c"),
    ]


async def _pay_chosen(update: Update, context: BotContext, value: str) -> str:
    if value == "c":
        return await SHOP.items.ask(update, context)
    draft = ShopDraft.load(context)
    draft.pay_by = PayBy.SUKARELA.value if value == "s" else PayBy.PAYROLL.value
    draft.save(context)
    items = await offered(context, need(draft.cycle_id))
    shopper = need(await _shopper(context))
    mine = await stored.order_of(context.db, need(draft.cycle_id), context.person.id)
    total = _total(draft_lines(draft), items)
    try:
        M.check_ceiling(rules.Totals(total, 0))
        await stored.check_payment(
            context.db, shopper.member.id, PayBy(draft.pay_by), total, mine.id if mine else None
        )
    except PaymentRefused as refused:
        await reply(update, refusal_text(refused))
        return await PAY_STEP.ask(update, context)
    return await CONFIRM_STEP.ask(update, context)


PAY_STEP = PayStep(PAY, PAY_BUTTONS, lambda: "", _pay_options, _pay_chosen, ShopDraft)


async def _summary(context: BotContext) -> str:
    cycle, text = await SHOP.summary_head(context)
    draft = ShopDraft.load(context)
    place = await orgs.by_id(context.db, context.person.org_id)
    text.append(pay_words(PayBy(need(draft.pay_by))))
    text.append(_("Pick it up at {place} after the delivery on {day}.").format(
        place=place.name, day=format_date(cycle.delivery_day)))  # fmt: skip
    text.append(_("Orders close {time}.").format(time=closing_time(cycle, context.person.timezone)))
    text.append(_("Is it right?"))
    return "\n".join(text)


@writes("member_order.place")
async def save(update: Update, context: BotContext) -> int | str:
    draft = ShopDraft.load(context)
    cycle = need(await cycles.get(context.db, need(draft.cycle_id)))
    shopper = need(await _shopper(context))
    zone = context.person.timezone
    try:
        done = await context.db.write(
            stored.place, cycle.id, shopper.member.id, context.person.id, shopper.pickup_org_id,
            draft_lines(draft), PayBy(need(draft.pay_by)),
        )  # fmt: skip
    except LookupError:
        ShopDraft.drop(context)
        await reply(update, _("This order cycle is not one you may order in. Nothing was saved."))
        return END
    except PaymentRefused as refused:
        await reply(update, refusal_text(refused))
        return await PAY_STEP.ask(update, context)
    except OrderRefused as refused:
        if refused.reason != "stock":
            ShopDraft.drop(context)
            await reply(update, closed_text(cycle, zone))
            return END
        return await SHOP.stock_taken(update, context, refused, _(
            "Only {left} of {name} are left now. Someone else ordered first. Nothing was saved yet."))  # fmt: skip
    ShopDraft.drop(context)
    text = [
        _("Order {number} is saved: {total}.").format(
            number=done.number, total=format_money(done.totals.total)
        )
    ]
    if done.pay_by is PayBy.SUKARELA:
        text.append(_("{amount} of your voluntary savings is held for it until pickup.").format(
            amount=format_money(done.totals.total)))  # fmt: skip
    else:
        text.append(_("It is deducted from your pay after pickup."))
    text.append(
        _("You may change or cancel it until {time}. Send /belanja.").format(
            time=closing_time(cycle, zone)
        )
    )
    await reply(update, "\n".join(text))
    return END


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, SHOP.change)


def conversation_handler() -> ConversationHandler:
    return conversation(
        "member_order", "belanja", entry_points=[CommandHandler("belanja", start)],
        steps=[CYCLE_STEP, SHOP.items, SHOP.quantity, PAY_STEP, CONFIRM_STEP],
        states={EXISTING: [EXISTING_BUTTONS.handler(SHOP.on_existing)]}, cancel=cancel,
    )  # fmt: skip


# --- /serahkan: the pickup at the PUK -----------------------------------------------------------------


def _hand_over_text(waiting: stored.ToHandOver, offered: dict[int, Item]) -> str:
    order = waiting.order
    text = [_("{number}: {name} ({member_number})").format(
        number=order.number, name=waiting.member_name, member_number=waiting.member_number)]  # fmt: skip
    text += order_text(order_lines(order), offered)
    text.append(
        pay_words(order.pay_by)
        if order.pay_by is PayBy.PAYROLL
        else _("Paid from: voluntary savings")
    )
    return "\n".join(text)


@for_command("serahkan")
async def show_hand_over(update: Update, context: BotContext) -> None:
    waiting = await stored.to_hand_over(context.db, context.person.org_id)
    if not waiting:
        await reply(update, _("No member's order is waiting at your cooperative now."))
        return
    await reply(update, _("Members' orders to hand over. Press ✅ when the member has the goods."))
    items: dict[int, dict[int, Item]] = {}
    for found in waiting:
        cycle_id = found.order.cycle_id
        if cycle_id not in items:
            items[cycle_id] = await offered(context, cycle_id)
        button = keyboard([[HAND_OVER_BUTTONS.button(_("✅ Handed over"), str(found.order.id))]])
        await reply(update, _hand_over_text(found, items[cycle_id]), button)


@for_command("serahkan")
@writes("member_order.pickup")
async def on_hand_over(update: Update, context: BotContext) -> None:
    order_id = record_id(HAND_OVER_BUTTONS.value(update) or "")
    order = await stored.get(context.db, order_id) if order_id else None
    if order is None or order.org_id != context.person.org_id:
        await refuse_button(update)
        return
    try:
        done = await context.db.write(
            stored.pick_up, order.id, context.person.id, context.person.org_id
        )
    except LookupError:
        await refuse_button(update)
        return
    except stored.NotYours:
        await close_buttons(update)
        await reply(update, _("You cannot hand over your own order. Ask another officer."))
        return
    except stored.AlreadyPickedUp:
        await close_buttons(update)
        await reply(update, _("{number} was handed over already.").format(number=order.number))
        return
    except LedgerError:
        await close_buttons(update)
        await reply(update, _("{number} cannot be paid from the member's voluntary savings now: the balance has changed. Nothing was saved. Ask the treasurer.").format(
            number=order.number))  # fmt: skip
        return
    await close_buttons(update, _("✅ Handed over"))
    await reply(update, _("{number} is handed over. {total} is recorded.").format(
        number=done.number, total=format_money(done.totals.total)))  # fmt: skip
    place = await orgs.by_id(context.db, done.org_id)

    def told() -> str:
        paid = (
            _("{total} was taken from your voluntary savings.")
            if done.pay_by is PayBy.SUKARELA
            else _("{total} will be deducted from your pay.")
        )
        return _("You picked up your order {number} at {place}.").format(
            number=done.number, place=place.name) + "\n" + paid.format(total=format_money(done.totals.total))  # fmt: skip

    await tell_person(
        context, done.person_id, told, key=f"member-order-pickup:{done.id}", kind="member_order"
    )


# --- the job: members told at the close ------------------------------------------------------------

TOLD_WITHIN = 2 * 86400  # cycles closed this recently are looked at (a bot down a day still tells)


async def tell_closed(db: Database, sender: Sender | None, now: int | None = None) -> int:
    """Each member whose order a cycle's close froze: what they ordered, how it is paid, where
    and from when to pick it up, in their language; once per cycle (the outbox's key), across
    processes and restarts. How many were queued."""
    now = now_utc() if now is None else now
    queued = 0
    for cycle in await stored.closed_since(db, now - TOLD_WITHIN):
        key = f"member-orders-closed:{cycle.id}"
        if await outbox.by_key(db, key) is not None:
            continue
        offered = {i.id: i for i in await cycles.items(db, cycle.id)}
        messages = []
        for found in await stored.to_tell(db, cycle.id):
            with use_locale(found.language):
                text = [_("Orders for {cycle} are closed. Your order {number}:").format(
                    cycle=cycle.name, number=found.order.number)]  # fmt: skip
                text += order_text(order_lines(found.order), offered)
                text.append(pay_words(found.order.pay_by))
                text.append(_("Pick it up at {place} after the delivery on {day}.").format(
                    place=found.place, day=format_date(cycle.delivery_day)))  # fmt: skip
            messages.append(
                outbox.OutgoingMessage(found.order.person_id, found.chat_id, "\n".join(text))
            )
        if messages:
            await notify(db, sender, key=key, kind="member_order", messages=messages)
            queued += len(messages)
    return queued


async def tell_closed_job(context: BotContext) -> None:
    await tell_closed(context.db, context.bot_data.outbox)
