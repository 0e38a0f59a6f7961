"""The produce question of the administrators' conversations (/setharga, /butuh ➕): every
active produce as buttons, or a name typed and found in the catalog; and a price refused
with its reason. Written once for both."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from bot.context import BotContext
from bot.i18n import _, format_money, gettext, unit_name
from domain.money import max_price
from domain.produce import CATALOG
from domain.quantity import PRICE_REASONS
from handlers.kit import Choice, Draft, reply
from handlers.wording import produce_name

Chosen = Callable[[Update, BotContext, str, str | None], Awaitable[Any]]


def options(draft: type[Draft]) -> Callable[[BotContext], list[tuple[str, str]]]:
    """The produce buttons: those a typed name narrowed to, else every active one."""

    def produce_options(context: BotContext) -> list[tuple[str, str]]:
        narrowed = draft.load(context).offered
        codes = narrowed if narrowed else [c.code for c in CATALOG if c.active]
        return [(produce_name(CATALOG[code]), code) for code in codes if CATALOG.get(code)]

    return produce_options


def typed(draft: type[Draft], step: Callable[[], Choice], chosen: Chosen):
    """A name typed at the produce question: taken when it names one (with its grade when
    the name says it, "gkp"), else the buttons again, narrowed to what it matched."""

    async def produce_typed(update: Update, context: BotContext) -> Any:
        found = CATALOG.search(update.effective_message.text)
        if len(found) == 1:
            grade = found[0].grade.code if found[0].grade else None
            return await chosen(update, context, found[0].commodity.code, grade)
        if not found:
            await reply(update, _("I do not know that produce. Tap one of the buttons."))
        answers = draft.load(context)
        answers.offered = [m.commodity.code for m in found] or None
        answers.save(context)
        return await step().ask(update, context)

    return produce_typed


def price_refusal(reason: str, base_unit: str) -> str:
    """Why a typed price per ``base_unit`` was refused, in the person's language."""
    return gettext(PRICE_REASONS[reason]).format(
        unit=unit_name(base_unit), most=format_money(max_price(base_unit))
    )
