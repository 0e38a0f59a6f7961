"""What the sales conversations share: their button families, the typed step that reads
with the draft's produce in mind, refusals in words, and how a sale reads in the chat."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler

from bot.context import BotContext
from bot.i18n import _, format_date, format_money, format_quantity, gettext, unit_name
from domain import N_
from domain.money import max_price
from domain.people import InvalidInput
from domain.produce import CATALOG
from domain.quantity import REASONS as QUANTITY_REASONS
from domain.sales import REASONS
from handlers.kit import TEXT, Buttons, Step, reply
from handlers.wording import produce_with_grade_in_sentence
from storage import sales

# Buttons: the sale's card, starting a new buyer or sale, a delivery, an invoice, a payment.
SALE_BUTTONS = Buttons("jlp", value=r"[0-9]", max_length=12)
NEW_BUTTONS = Buttons("jlbaru", value=r"[bs]", max_length=1)
DELIVER_BUTTONS = Buttons("jlkirim", value=r"[0-9]", max_length=12)
INVOICE_BUTTONS = Buttons("jlfkt", value=r"[0-9]", max_length=12)
PAYMENT_BUTTONS = Buttons("jlbyr", value=r"[0-9]", max_length=12)
CLOSE_BUTTONS = Buttons("jltutup", value=r"[0-9]", max_length=12)  # close the sale short
CLOSE_ANSWER_BUTTONS = Buttons("jltt", value=r"(?:ok|no)[0-9]", max_length=14)  # Ya/Tidak
COMMAND = "penjualan"


def unit_of(commodity: str) -> str:
    found = CATALOG.get(commodity)
    return found.base_unit if found else "kg"


def quantity_text(value: Decimal | str, commodity: str) -> str:
    return format_quantity(Decimal(value), unit_of(commodity))


def refusal(refused: InvalidInput, commodity: str | None = None) -> str:
    """What was wrong and what to do, in the person's language."""
    unit = unit_of(commodity) if commodity else "kg"
    if refused.reason == "quantity.too_big":
        return _("That is more than one sale holds. Type a smaller amount.")
    if refused.reason in QUANTITY_REASONS and commodity:
        found = CATALOG[commodity]
        return gettext(QUANTITY_REASONS[refused.reason]).format(
            commodity=produce_with_grade_in_sentence(found, found.grades[0].code),
            unit=unit_name(unit), example=quantity_text(found.example, commodity),
            maximum="",
        )  # fmt: skip
    text = REASONS.get(refused.reason)
    if text is None:
        return _("I could not read that.")
    fields: dict[str, Any] = {"unit": unit_name(unit), "most": format_money(max_price(unit))}
    fields["example"] = "20-12-2026"
    for key, value in getattr(refused, "fields", {}).items():
        fields[key] = quantity_text(value, commodity or "") if isinstance(value, Decimal) else (
            format_money(value) if isinstance(value, int) else value
        )  # fmt: skip
    return gettext(text).format(**fields)


def says(text: Callable[[], str]) -> Callable[[BotContext], Awaitable[str]]:
    """A question of :class:`Ask` that is a fixed text (made in the person's language)."""

    async def question(context: BotContext) -> str:
        return text()

    return question


class Ask(Step):
    """A typed answer read with the conversation's draft in mind (the produce's units, what
    is left of the lot): ``parse(context, text)`` raises InvalidInput, which is answered
    with its reason and the question again."""

    def __init__(
        self, state: str, question: Callable[[BotContext], Awaitable[str]],
        parse: Callable[[BotContext, str], Awaitable[Any]], then: Callable[..., Awaitable[Any]],
        commodity: Callable[[BotContext], str | None] = lambda context: None,
    ) -> None:  # fmt: skip
        self.state, self.question, self.parse, self.then = state, question, parse, then
        self.commodity = commodity

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, await self.question(context))
        return self.state

    async def on_text(self, update: Update, context: BotContext) -> Any:
        try:
            value = await self.parse(context, update.effective_message.text)
        except InvalidInput as refused:
            text = refusal(refused, self.commodity(context))
            await reply(update, text + "\n" + await self.question(context))
            return self.state
        return await self.then(update, context, value)

    def handlers(self) -> list[BaseHandler]:
        return [MessageHandler(TEXT, self.on_text)]


STATUS_LABELS = {
    "open": N_("still to deliver"),
    "delivered": N_("delivered, not invoiced"),
    "invoiced": N_("invoiced, not paid"),
    "paid": N_("paid"),
}
# A sale closed short (nothing left to deliver), by where its money stands.
CLOSED_STATUS_LABELS = {
    "delivered": N_("closed short, not invoiced"),
    "invoiced": N_("closed short, invoiced, not paid"),
    "paid": N_("closed short, nothing owed"),
}


def sale_line(sale: sales.Sale) -> str:
    """``PJ-0007 · Bulog Kancab Klaten · 800 kg gabah, GKG · to deliver``."""
    produce = (
        produce_with_grade_in_sentence(CATALOG[sale.commodity], sale.grade)
        if CATALOG.get(sale.commodity)
        else sale.commodity
    )
    labels = STATUS_LABELS if sale.closed_at is None else CLOSED_STATUS_LABELS
    status = gettext(labels.get(sale.status, STATUS_LABELS[sale.status]))
    return f"{sale.number} · {sale.buyer_name} · {quantity_text(sale.quantity, sale.commodity)} {produce} · {status}"


def window_text(sale: sales.Sale, zone: str) -> str:
    return _("{start} to {end}").format(
        start=format_date(date.fromisoformat(sale.deliver_from), zone),
        end=format_date(date.fromisoformat(sale.deliver_until), zone),
    )
