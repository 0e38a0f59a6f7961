"""/katalog: an administrator stops or starts buying a commodity with one tap, for the
farmers of their own cooperative (adding commodities, grades and aliases, or stopping one
everywhere, is on the command line: ``koperasi-bot catalog``)."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.i18n import _
from domain.produce import CATALOG
from handlers.kit import Buttons, answer_query, for_command, keyboard, refuse_button, reply, writes
from handlers.wording import produce_name
from storage import catalog

# "+gabah": start buying, "-gabah": stop. The state is in the button, so a double tap or
# an old list sets it once, never back and forth.
TOGGLE_BUTTONS = Buttons("kat", value=r"[+-][a-z0-9_]", max_length=16)


def _markup(stopped: frozenset[str]):
    bought = {c.code: c.active and c.code not in stopped for c in CATALOG}
    rows = [
        [
            TOGGLE_BUTTONS.button(
                ("✅ " if bought[c.code] else "⛔ ") + produce_name(c),
                ("-" if bought[c.code] else "+") + c.code,
            )
        ]
        for c in CATALOG
    ]
    return keyboard(rows)


def _text() -> str:
    return _(
        "✅ bought, ⛔ not bought. Tap a produce to stop or start buying it. Farmers see only what is bought and has a price."
    )


@for_command("katalog")
async def show_catalog(update: Update, context: BotContext) -> None:
    await reply(update, _text(), _markup(await catalog.stopped(context.db, context.person.org_id)))


@for_command("katalog")
@writes("catalog.toggle")
async def toggle(update: Update, context: BotContext) -> None:
    value = TOGGLE_BUTTONS.value(update)
    commodity = CATALOG.get(value[1:])
    if commodity is None:
        await refuse_button(update)
        return
    stop = value.startswith("-")
    org_id = context.person.org_id  # the administrator's own cooperative, never the others
    await context.db.write(catalog.set_stopped, org_id, commodity.code, stop, by=context.person.id)
    said = (
        _("{produce} is no longer bought. Farmers do not see it in /jual.")
        if stop
        else _("{produce} is bought again. Farmers see it where it has a price.")
    ).format(produce=produce_name(commodity))
    await answer_query(update)
    await update.callback_query.edit_message_text(
        _text(), reply_markup=_markup(await catalog.stopped(context.db, org_id))
    )
    await reply(update, said)
