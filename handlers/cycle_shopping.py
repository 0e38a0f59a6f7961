"""The shopping core that /pesan (a village cooperative orders from its hub's cycle) and
/belanja (a union member orders for pickup at the PUK) share: the cycle choice, the items with
the stock shown, the quantity as people write it with its refusals, the closed-now check, the
order's lines with their totals and the change/cancel/keep menu of an order there already.

A :class:`Shop` holds what differs between the two: the draft class, the states and button
families, whose own open order counts as room (``own``), where 🧾 See the summary leads
(``summary``) and how an order is cancelled (``cancel``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.context import BotContext
from bot.cycle_papers import closing_time, unit_name, units
from bot.i18n import _, format_date, format_money, gettext
from domain import cycles as rules
from domain.cycles import OrderRefused
from domain.people import InvalidInput
from handlers.kit import (
    END,
    Buttons,
    Choice,
    Draft,
    Typed,
    close_buttons,
    keyboard,
    need,
    reply,
)
from storage import cycles
from storage.cycles import Cycle, Item, Order
from storage.db import now_utc
from storage.member_orders import MemberOrder

Own = Callable[[BotContext, int], Awaitable[dict[int, int]]]
Goes = Callable[[Update, BotContext], Awaitable[int | str]]

# --- how an order reads ---------------------------------------------------------------------------


def item_line(item: Item) -> str:
    return _("{name}: {price} + hub fee {fee} per {unit}, {left} left").format(
        name=item.name, price=format_money(item.price_rupiah), fee=format_money(item.fee_rupiah),
        unit=unit_name(item.unit), left=units(item.left, item.unit),
    )  # fmt: skip


def order_text(lines: dict[int, int], offered: dict[int, Item]) -> list[str]:
    """Each line with its total, then the goods, the hub's fee and what is paid."""
    found = [
        rules.Line(i, q, offered[i].price_rupiah, offered[i].fee_rupiah)
        for i, q in sorted(lines.items())
    ]
    text = [
        _("{quantity} {name}: {total}").format(
            quantity=units(x.quantity, offered[x.item_id].unit),
            name=offered[x.item_id].name,
            total=format_money(x.total),
        )  # fmt: skip
        for x in found
    ]
    sums = rules.totals(found)
    text += [
        _("Goods: {amount}").format(amount=format_money(sums.goods)),
        _("Hub fee: {amount}").format(amount=format_money(sums.fees)),
        _("Total to pay: {amount}").format(amount=format_money(sums.total)),
    ]
    return text


def closed_text(cycle: Cycle, zone: str) -> str:
    return _("Orders are closed since {time}. Nothing was saved.").format(
        time=closing_time(cycle, zone)
    )


def draft_lines(draft: Draft) -> dict[int, int]:
    """The draft's lines (item ids are text there: the draft is JSON) without the zeros."""
    return {int(k): v for k, v in (draft.lines or {}).items() if v > 0}


def order_lines(order: Order | MemberOrder) -> dict[int, int]:
    """A saved order's lines: item id → units."""
    return {x.item_id: x.quantity for x in order.lines}


def as_draft_lines(lines: dict[int, int]) -> dict[str, int]:
    return {str(k): v for k, v in lines.items()}


async def offered(context: BotContext, cycle_id: int) -> dict[int, Item]:
    return {i.id: i for i in await cycles.items(context.db, cycle_id)}


def _with_own(item: Item, own: int) -> Item:
    """The item as this orderer sees it: what their own live order holds counts as left."""
    return Item(**{**item.__dict__, "taken": item.taken - own})


def _quantity_question() -> str:
    return _("Type a whole number, for example 10. Type 0 to take it out of the order.")


# --- the steps --------------------------------------------------------------------------------------


class CycleStep(Choice):
    """The open cycles (``open_cycles`` finds them for the orderer), one button each."""

    def __init__(self, state: str, buttons: Buttons, draft: type[Draft],
                 open_cycles: Callable[[BotContext], Awaitable[list[Cycle]]],
                 chosen: Callable[[Update, BotContext, str], Awaitable[int | str]]) -> None:  # fmt: skip
        super().__init__(
            state, buttons, lambda: _("Which order cycle? Pick one."), _cycle_options, chosen, draft
        )
        self.open_cycles = open_cycles

    async def ask(self, update: Update, context: BotContext, page: int = 0) -> str:
        context.cycles_open = await self.open_cycles(context)
        return await super().ask(update, context, page)

    async def on_press(self, update: Update, context: BotContext):
        context.cycles_open = await self.open_cycles(context)
        return await super().on_press(update, context)


def _cycle_options(context: BotContext) -> list[tuple[str, str]]:
    return [(f"{c.number} {c.name}", str(c.id)) for c in context.cycles_open]


class ItemStep(Choice):
    """The items with their prices and what is left, the order so far, a button per item and
    one to see the summary."""

    def __init__(self, shop: Shop, state: str, buttons: Buttons) -> None:
        super().__init__(
            state, buttons, lambda: "", shop.item_options, shop.item_chosen, shop.draft,
            page_size=10,
        )  # fmt: skip
        self.shop = shop

    async def ask(self, update: Update, context: BotContext, page: int = 0) -> str | int:
        draft = self.draft.load(context)
        if await self.shop.closed_now(update, context, draft):
            return END
        context.cycle_items = await offered(context, need(draft.cycle_id))
        return await super().ask(update, context, page)

    async def on_press(self, update: Update, context: BotContext):
        draft = self.draft.load(context)
        context.cycle_items = await offered(context, need(draft.cycle_id))
        return await super().on_press(update, context)

    async def text(self, context: BotContext) -> str:
        draft = self.draft.load(context)
        cycle = need(await cycles.get(context.db, need(draft.cycle_id)))
        items = context.cycle_items
        own = await self.shop.own(context, cycle.id)
        text = [_("{cycle}: goods from the hub, delivered {day}.").format(
            cycle=cycle.name, day=format_date(cycle.delivery_day))]  # fmt: skip
        for item in items.values():  # what the orderer's own order holds is theirs to change
            text.append(item_line(_with_own(item, own.get(item.id, 0))))
        lines = draft_lines(draft)
        if lines:
            text += ["", _("Your order so far:"), *order_text(lines, items)]
            text += ["", _("Pick an item to add or change it, or press 🧾 See the summary.")]
        else:
            text += ["", _("Pick an item to order.")]
        return "\n".join(text)


class QuantityStep(Typed):
    def __init__(self, shop: Shop, state: str) -> None:
        super().__init__(state, _quantity_question, str, shop.quantity_typed, reasons={})
        self.shop = shop

    async def ask(self, update: Update, context: BotContext) -> str | int:
        if await self.shop.closed_now(update, context, self.shop.draft.load(context)):
            return END
        item, room = await self.shop.room(context)
        await reply(update, _("How many {unit} of {name}? {left} left.").format(
            unit=units(2, item.unit).split(" ", 1)[1], name=item.name, left=units(room, item.unit),
        ) + "\n" + _quantity_question())  # fmt: skip
        return self.state

    async def on_text(self, update: Update, context: BotContext):
        draft = self.shop.draft.load(context)
        item = need(await cycles.item(context.db, need(draft.item_id)))
        typed = update.effective_message.text or ""
        try:
            quantity = 0 if typed.strip() == "0" else rules.parse_quantity(typed, item.unit)
        except InvalidInput as exc:
            reason = gettext(rules.REASONS[exc.reason]).format(
                unit=unit_name(item.unit), most=rules.MAX_LINE
            )
            await reply(update, reason + "\n" + _quantity_question())
            return self.state
        return await self.shop.quantity_typed(update, context, quantity)


# --- the shop: the steps wired together, with the hooks for what differs ----------------------------


class Shop:
    def __init__(self, draft: type[Draft], *, item: tuple[str, Buttons], quantity: str,
                 existing: tuple[str, Buttons], own: Own, summary: Goes, cancel: Goes) -> None:  # fmt: skip
        self.draft, self.own, self.summary, self.cancel = draft, own, summary, cancel
        self.existing_state, self.existing_buttons = existing
        self.items = ItemStep(self, *item)
        self.quantity = QuantityStep(self, quantity)

    async def closed_now(self, update: Update, context: BotContext, draft: Draft) -> bool:
        """True, and said with the close time, when the cycle closed while the orderer chose."""
        cycle = need(await cycles.get(context.db, need(draft.cycle_id)))
        if cycle.open_at(now_utc()):
            return False
        self.draft.drop(context)
        await reply(update, closed_text(cycle, context.person.timezone))
        return True

    def item_options(self, context: BotContext) -> list[tuple[str, str]]:
        options = [(item.name, f"i{item.id}") for item in context.cycle_items.values()]
        if draft_lines(self.draft.load(context)):
            options.append((_("🧾 See the summary"), "sum"))
        return options

    async def item_chosen(self, update: Update, context: BotContext, value: str) -> int | str:
        if value == "sum":
            return await self.summary(update, context)
        draft = self.draft.load(context)
        draft.item_id = int(value[1:])
        draft.save(context)
        return await self.quantity.ask(update, context)

    async def room(self, context: BotContext) -> tuple[Item, int]:
        """The item being ordered and how many units the orderer may have of it now."""
        item = need(await cycles.item(context.db, need(self.draft.load(context).item_id)))
        return item, item.left + (await self.own(context, item.cycle_id)).get(item.id, 0)

    async def quantity_typed(self, update: Update, context: BotContext, quantity: int) -> str:
        draft = self.draft.load(context)
        item, room = await self.room(context)
        if quantity > room:
            await reply(update, _("Only {left} of {name} are left. Type a smaller number.").format(
                left=units(room, item.unit), name=item.name) + "\n" + _quantity_question())  # fmt: skip
            return self.quantity.state
        lines = dict(draft.lines or {})
        lines.pop(str(item.id), None)
        if quantity:
            lines[str(item.id)] = quantity
        draft.lines, draft.item_id = lines, None
        draft.save(context)
        return await self.items.ask(update, context)

    async def stock_taken(self, update: Update, context: BotContext, refused: OrderRefused,
                          told: str) -> int | str:  # fmt: skip
        """Saving found less left than ordered: ``told`` (with {left} and {name}), and the
        quantity of that item asked again."""
        item = need(await cycles.item(context.db, need(refused.item_id)))
        await reply(update, told.format(left=units(refused.left, item.unit), name=item.name))
        draft = self.draft.load(context)
        draft.item_id = item.id
        draft.save(context)
        return await self.quantity.ask(update, context)

    async def summary_head(self, context: BotContext) -> tuple[Cycle, list[str]]:
        """The cycle of the draft, and its order's lines under "Your order in …"."""
        draft = self.draft.load(context)
        cycle = need(await cycles.get(context.db, need(draft.cycle_id)))
        items = await offered(context, cycle.id)
        text = [
            _("Your order in {cycle}:").format(cycle=cycle.name),
            *order_text(draft_lines(draft), items),
        ]
        return cycle, text

    async def begin(self, update: Update, context: BotContext, draft: Draft, cycle: Cycle,
                    mine: Order | MemberOrder | None, extra: list[str]) -> int | str:  # fmt: skip
        """The cycle chosen: the items, or the orderer's open order there (its lines taken into
        the draft) with ``extra`` lines and the change/cancel/keep menu."""
        if mine is None:
            draft.save(context)
            return await self.items.ask(update, context)
        draft.lines = as_draft_lines(order_lines(mine))
        draft.save(context)
        await self.show_existing(update, context, cycle, mine.number, order_lines(mine), extra)
        return self.existing_state

    async def show_existing(self, update: Update, context: BotContext, cycle: Cycle,
                            number: str, lines: dict[int, int], extra: list[str]) -> None:  # fmt: skip
        """An order there already, with ✏️ change, ❌ cancel and 👍 keep."""
        items = await offered(context, cycle.id)
        text = [_("Your order {number} in {cycle}:").format(number=number, cycle=cycle.name)]
        text += order_text(lines, items) + extra
        text.append(_("You may change or cancel it until {time}.").format(
            time=closing_time(cycle, context.person.timezone)))  # fmt: skip
        buttons = keyboard([
            [self.existing_buttons.button(_("✏️ Change the order"), "change")],
            [self.existing_buttons.button(_("❌ Cancel the order"), "cancel")],
            [self.existing_buttons.button(_("👍 Keep it"), "keep")],
        ])  # fmt: skip
        await reply(update, "\n".join(text), buttons)

    async def on_existing(self, update: Update, context: BotContext) -> int | str:
        value = self.existing_buttons.value(update)
        if value == "change":
            await close_buttons(update, _("✏️ Change the order"))
            return await self.items.ask(update, context)
        if value == "cancel":
            await close_buttons(update, _("❌ Cancel the order"))
            return await self.cancel(update, context)
        await close_buttons(update, _("👍 Keep it"))
        self.draft.drop(context)
        await reply(update, _("Fine. Your order stays as it is."))
        return END

    async def change(self, update: Update, context: BotContext) -> int | str:
        return await self.items.ask(update, context)
