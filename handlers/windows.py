"""Buying windows as people meet them (domain.windows): the line "the cooperative needs 5 tons
of gabah until …" under /harga, the morning prices and the /jual quantity question; the close
told once to the farmers who sold into it and to the one who opened it; the job that closes
windows past their deadline; /butuh, where an administrator sees the cooperative's windows
and closes one."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from telegram import Update

from bot.context import BotContext
from bot.i18n import (
    _,
    format_date,
    format_money,
    format_quantity,
    gettext,
    ngettext,
    unit_name,
    use_locale,
)
from bot.notices import Sender
from domain import windows as rules
from domain.money import record_id
from domain.people import InvalidInput
from domain.produce import CATALOG, Commodity
from domain.windows import State
from handlers.kit import (
    Buttons,
    answer_query,
    close_buttons,
    for_command,
    in_background,
    keyboard,
    refuse_button,
    reply,
    writes,
)
from handlers.window_open import OPEN_BUTTONS
from handlers.wording import produce_in_sentence, produce_with_grade_in_sentence
from storage import outbox, prices, windows
from storage.db import Database
from storage.windows import BuyingWindow, Progress

log = logging.getLogger(__name__)
CLOSE_BUTTONS = Buttons("btutup", value=r"[0-9]", max_length=12)


# --- how a window reads -------------------------------------------------------------------


def _produce(commodity: Commodity, grade: str) -> str:
    if grade == rules.ANY_GRADE:
        return produce_in_sentence(commodity)
    return produce_with_grade_in_sentence(commodity, grade)


def amounts(window: BuyingWindow, collected: Decimal) -> tuple[str, str]:
    """The target and what was collected, both in the unit the target reads best in (5 ton,
    3,2 ton), in the reader's language."""
    commodity = CATALOG[window.commodity]
    unit = commodity.unit(window.target_unit) or rules.display_unit(
        Decimal(window.target), commodity
    )
    return (
        format_quantity(rules.in_unit(Decimal(window.target), unit), unit.code),
        format_quantity(rules.in_unit(collected, unit), unit.code),
    )


def need_line(found: Progress, zone: str) -> str:
    """ "The cooperative needs 5 tons of gabah GKP until Saturday, 20 December 2026: 3.2 tons
    collected so far." """
    window = found.window
    commodity = CATALOG[window.commodity]
    target, collected = amounts(window, found.collected)
    return _("The cooperative needs {target} {produce} until {date}. {collected} collected so far ({number}).").format(
        target=target, produce=_produce(commodity, window.grade), collected=collected, number=window.number,
        date=format_date(rules.last_day(window.deadline, zone), zone),
    )  # fmt: skip


async def need_lines(
    db: Database, org_id: int, village: str, zone: str, commodity: str | None = None,
    grade: str | None = None,
) -> list[str]:  # fmt: skip
    """One line per open window an offer from ``village`` would fill; with the window's
    price when an offer would lock it (domain.windows.offer_price: not below the board's)."""
    lines, priced = [], set()
    for found in await windows.open_here(db, org_id, village, commodity, grade):
        line = need_line(found, zone)
        window = found.window
        in_force = await prices.price_in_force(
            db, window.commodity, grade or window.grade, village, datetime.now().astimezone()
        )
        # An offer counts toward the oldest window it matches, which pays the higher price.
        first = window.commodity not in priced
        priced.add(window.commodity)
        if first and in_force is not None and in_force.price_rupiah <= window.price_rupiah:
            line += " " + _("Guaranteed price: {price} per {unit}.").format(
                price=format_money(window.price_rupiah), unit=unit_name(CATALOG[window.commodity].base_unit)
            )  # fmt: skip
        lines.append(line)
    return lines


# --- the close, told once -------------------------------------------------------------------


def _seller_text(window: BuyingWindow, collected: Decimal, brought: Decimal, zone: str) -> str:
    commodity = CATALOG[window.commodity]
    mine = format_quantity(brought, commodity.base_unit)
    target, got = amounts(window, collected)
    produce = _produce(commodity, window.grade)
    if window.state == State.FILLED:
        return _("The cooperative's need {number} for {target} {produce} is filled. Your {amount} is part of it. Thank you.").format(
            number=window.number, target=target, produce=produce, amount=mine)  # fmt: skip
    if window.state == State.CLOSED_SHORT:
        return _("The cooperative's need {number} for {produce} closed on {date} with {collected} of {target}. Your offer of {amount} still stands.").format(
            number=window.number, produce=produce, collected=got, target=target, amount=mine,
            date=format_date(rules.last_day(window.deadline, zone), zone))  # fmt: skip
    return _("The cooperative cancelled its need {number} for {produce}. Your offer of {amount} still stands at its price.").format(
        number=window.number, produce=produce, amount=mine)  # fmt: skip


def _opener_text(window: BuyingWindow, collected: Decimal, sellers: int) -> str:
    commodity = CATALOG[window.commodity]
    target, got = amounts(window, collected)
    produce = _produce(commodity, window.grade)
    if window.state == State.FILLED:
        said = ngettext(
            "Need {number} is filled: {collected} of {target} {produce} from {farmers} farmer. Send /jemput to see the pickups.",
            "Need {number} is filled: {collected} of {target} {produce} from {farmers} farmers. Send /jemput to see the pickups.",
            sellers,
        )  # fmt: skip
    elif window.state == State.CLOSED_SHORT:
        said = ngettext(
            "Need {number} closed short: {collected} of {target} {produce} collected from {farmers} farmer by the deadline.",
            "Need {number} closed short: {collected} of {target} {produce} collected from {farmers} farmers by the deadline.",
            sellers,
        )  # fmt: skip
    else:
        said = _("Need {number} is cancelled: {collected} of {target} {produce} had been offered.")
    return said.format(number=window.number, collected=got, target=target, produce=produce, farmers=sellers)  # fmt: skip


async def announce_closed(db: Database, sender: Sender | None) -> int:
    """Every closed window not told yet: one notice to each farmer who sold into it and to
    whoever opened it (the cooperative's administrators when the command line did; not
    the one who closed it by hand), in
    their language, through the outbox. Queued and marked told in one transaction under the
    window's key: a second run, a restart, another process, tells nobody twice. Returns how
    many windows were told now."""
    told = 0
    for window in await windows.unannounced(db):
        collected = await windows.collected(db, window.id)
        sellers = await windows.sellers(db, window.id)
        messages = []
        for seller in sellers:
            if seller.chat_id is None:
                continue
            with use_locale(seller.language):
                text = _seller_text(window, collected, seller.quantity, seller.timezone)
            messages.append(outbox.OutgoingMessage(seller.person_id, seller.chat_id, text))
        for who in await windows.openers(db, window):
            with use_locale(who.language):
                text = _opener_text(window, collected, len(sellers))
            messages.append(outbox.OutgoingMessage(who.person_id, who.chat_id, text))
        if await db.write(windows.announce, window.id, messages) is not None:
            told += 1
    if told and sender is not None:
        sender.wake()
    return told


async def close_windows(context: BotContext) -> None:
    """A job (once across processes): windows past their deadline close (short, or filled
    when a weighing reached the target), and every close not told yet is told."""
    closed = await context.db.write(windows.close_due)
    if closed:
        log.info("%d buying window(s) closed at their deadline", len(closed))
    await announce_closed(context.db, context.bot_data.outbox)


async def after_offer(context: BotContext) -> None:
    """After an offer was saved or a window closed by hand (in the background, outside the
    update): the window that closed is told."""
    await announce_closed(context.db, context.bot_data.outbox)


def window_of_offer_line(window_id: int | None) -> list[str]:
    """The coordinator's alert line: which need the offer fills."""
    if window_id is None:
        return []
    return [_("For the cooperative's need {number}").format(number=rules.window_number(window_id))]


# --- /butuh: the cooperative's windows ----------------------------------------------------------


def _list_line(found: Progress, zone: str) -> str:
    window = found.window
    commodity = CATALOG[window.commodity]
    target, collected = amounts(window, found.collected)
    return _("{number}: {collected} of {target} {produce}, until {date}, {price} per {unit}").format(
        number=window.number, collected=collected, target=target, produce=_produce(commodity, window.grade),
        date=format_date(rules.last_day(window.deadline, zone), zone),
        price=format_money(window.price_rupiah), unit=unit_name(commodity.base_unit),
    )  # fmt: skip


@for_command("butuh")
async def show_windows(update: Update, context: BotContext) -> None:
    """The cooperative's open windows, each with a button to close it now."""
    zone = context.person.timezone
    found = await windows.of_org(context.db, context.person.org_id, include_closed=False)
    rows = [[CLOSE_BUTTONS.button(_("✖ Close {number} now").format(number=f.window.number), str(f.window.id))] for f in found]  # fmt: skip
    rows.append([OPEN_BUTTONS.button(_("➕ Open a buying window"), "new")])
    if not found:
        text = _(
            "Your cooperative has no open buying window. Tap ➕ Open a buying window to say what it needs."
        )
    else:
        text = "\n".join(
            [_("Open buying windows of your cooperative:"), *(_list_line(f, zone) for f in found)]
        )
    await reply(update, text, keyboard(rows))


@for_command("butuh")
@writes("window.close")
async def on_close(update: Update, context: BotContext) -> None:
    """An administrator closes a window of their own cooperative now; its farmers are told."""
    window_id = record_id(CLOSE_BUTTONS.value(update))
    window = await windows.get(context.db, window_id) if window_id else None
    if window is None or window.org_id != context.person.org_id:  # another cooperative's
        await refuse_button(update)
        return
    try:  # the use case decides whether it is still open (a replay gets its stored result)
        done = await context.db.write(
            windows.close, window.id, context.person.id, (context.person.org_id,)
        )
    except InvalidInput as refused:
        await answer_query(update, gettext(rules.REASONS[refused.reason]))
        return
    await close_buttons(update, _("✖ Close {number} now").format(number=done.number))
    collected = await windows.collected(context.db, done.id)
    target, got = amounts(done, collected)
    await reply(update, _("Need {number} is closed: {collected} of {target}. I will tell its farmers.").format(
        number=done.number, collected=got, target=target))  # fmt: skip
    in_background(context, after_offer(context), f"window-closed-{done.id}")
