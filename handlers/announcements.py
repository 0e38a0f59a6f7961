"""/umumkan: a hub's administrator announces something to the officers of the network's
village cooperatives in an area (a code prefix, or "semua"): the area with its name and how
many officers it reaches, the text, a preview, then sent through the outbox, each message
with a "✅ Sudah dibaca" button. A press records the read once; the sender sees "Read by 12
of 40" on /umumkan, and on the "Sent to 40 officers" message, edited as officers read."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, ConversationHandler

from bot import unparsed
from bot.context import BotContext
from bot.i18n import _, format_short_date, ngettext, use_locale
from bot.notices import notify
from domain import announcements as rules
from domain import regions
from domain.money import record_id
from domain.network import is_village
from handlers.kit import (
    END,
    Buttons,
    Confirm,
    Draft,
    Typed,
    answer_query,
    close_buttons,
    conversation,
    keyboard,
    need,
    refuse_button,
    reply,
    start_over,
    stored_in,
    writes,
)
from handlers.menus import cancel
from storage import announcements as stored
from storage import orgs, people
from storage.outbox import OutgoingMessage

log = logging.getLogger(__name__)

AREA, TEXT, CONFIRM = "announce.area", "announce.text", "announce.confirm"
READ_BUTTONS = Buttons("umb", value=r"[0-9]", max_length=12)
PREVIEW_CHARS = 60


@dataclass
class AnnouncementDraft(Draft):
    key = "announcement"
    area: str | None = None
    text: str | None = None


def area_name(area: str) -> str:
    if area == rules.EVERYWHERE:
        return _("the whole network")
    found = regions.region(area)
    return f"{found.short_name} ({area})" if found else area


def _read_line(sent: stored.Announcement, zone: str) -> str:
    body = sent.body if len(sent.body) <= PREVIEW_CHARS else sent.body[:PREVIEW_CHARS] + "…"
    return _("{date}, {area}: “{text}”. Read by {read} of {total}.").format(
        date=format_short_date(dt.datetime.fromtimestamp(sent.sent_at, dt.UTC), zone),
        area=area_name(sent.area), text=body, read=sent.read_count, total=sent.recipients,
    )  # fmt: skip


async def start(update: Update, context: BotContext) -> str:
    own = await orgs.by_id(context.db, context.person.org_id)
    if own is not None and is_village(own.kind):
        await reply(update, _("Announcements are sent by the hub's administrators. Your cooperative is a village cooperative."))  # fmt: skip
        return END
    sent = await stored.last_of(context.db, context.person.org_id)
    if sent:
        lines = [_("Your last announcements:")]
        lines += [_read_line(a, context.person.timezone) for a in sent]
        await reply(update, "\n".join(lines))
    AnnouncementDraft().save(context)
    return await AREA_STEP.ask(update, context)


def _area_question() -> str:
    return _("Who is it for? Type the area code, for example 33.10 for Kab. Klaten. Type semua for the whole network.")  # fmt: skip


async def _area_typed(update: Update, context: BotContext, area: str) -> str:
    reached = await stored.reached(context.db, context.person.org_id, area)
    if not reached:
        await reply(update, _("No officer of a village cooperative in {area} is registered yet. Type another area.").format(
            area=area_name(area)) + "\n" + _area_question())  # fmt: skip
        return AREA
    draft = AnnouncementDraft.load(context)
    draft.area = area
    draft.save(context)
    await reply(update, ngettext(
        "{area}: it reaches {count} officer.", "{area}: it reaches {count} officers.", len(reached),
    ).format(area=area_name(area), count=len(reached)))  # fmt: skip
    return await TEXT_STEP.ask(update, context)


AREA_STEP = Typed(
    AREA, _area_question, rules.parse_area, _area_typed,
    reasons={"announcement.area": lambda: _("I do not know that area code.")},
)  # fmt: skip

TEXT_STEP = Typed(
    TEXT, lambda: _("Type the announcement."), rules.parse_text,
    stored_in(AnnouncementDraft, "text", lambda: CONFIRM_STEP),
    reasons={"announcement.short": lambda: _("That is too short. Type the whole announcement."),
             "announcement.long": lambda: _("That is too long. Type at most 1000 letters.")},
)  # fmt: skip


async def _summary(context: BotContext) -> str:
    draft = AnnouncementDraft.load(context)
    reached = await stored.reached(context.db, context.person.org_id, need(draft.area))
    return ngettext(
        "Preview:\n\n{text}\n\nTo: {area}, {count} officer. Send it?",
        "Preview:\n\n{text}\n\nTo: {area}, {count} officers. Send it?", len(reached),
    ).format(text=need(draft.text), area=area_name(need(draft.area)), count=len(reached))  # fmt: skip


def announcement_text(hub: str, body: str) -> str:
    return _("📢 Announcement from {hub}:\n\n{text}\n\nPress ✅ Read when you have read it.").format(
        hub=hub, text=body)  # fmt: skip


@writes("announcement.send")
async def save(update: Update, context: BotContext) -> int:
    draft = AnnouncementDraft.load(context)
    made, officers = await context.db.write(
        stored.send, context.person.org_id, need(draft.area), need(draft.text), context.person.id
    )
    AnnouncementDraft.drop(context)
    hub = await orgs.by_id(context.db, made.org_id)
    messages = []
    for officer in officers:
        with use_locale(officer.language):
            markup = keyboard([[READ_BUTTONS.button(_("✅ Read"), str(made.id))]])
            messages.append(OutgoingMessage(
                officer.person_id, officer.chat_id, announcement_text(hub.name, made.body),
                json.dumps(markup.to_dict()),
            ))  # fmt: skip
    await notify(context.db, context.bot_data.outbox, key=f"announcement:{made.id}",
                 kind="announcement", messages=messages)  # fmt: skip
    chat_id = update.effective_chat.id
    status = await unparsed.send_message(update.get_bot(), chat_id, status_text(made))
    await context.db.write(stored.remember_status, made.id, chat_id, status["message_id"])
    return END


def status_text(sent: stored.Announcement) -> str:
    """The sender's message, edited as officers read."""
    return ngettext(
        "Sent to {count} officer. Read by {read} of {count}: this message counts as they read.",
        "Sent to {count} officers. Read by {read} of {count}: this message counts as they read.",
        sent.recipients,
    ).format(count=sent.recipients, read=sent.read_count)


async def _edit_status(context: BotContext, sent: stored.Announcement) -> None:
    """Best effort: a status message deleted or too old to edit leaves /umumkan's count."""
    sender = await people.by_id(context.db, sent.sent_by)
    with use_locale(sender.language if sender else "id"):
        text = status_text(sent)
    try:
        await unparsed.edit_message_text(
            context.bot, need(sent.status_chat_id), need(sent.status_message_id), text
        )
    except TelegramError as exc:
        log.debug("announcement %s: the count was not edited: %s", sent.id, exc)


CONFIRM_STEP = Confirm(
    CONFIRM, _summary, save, start_over(AREA_STEP, lambda c: AnnouncementDraft())
)


def conversation_handler() -> ConversationHandler:
    return conversation(
        "announcements", "umumkan", entry_points=[CommandHandler("umumkan", start)],
        steps=[AREA_STEP, TEXT_STEP, CONFIRM_STEP], cancel=cancel,
    )  # fmt: skip


# --- ✅ Sudah dibaca ----------------------------------------------------------------------------


@writes("announcement.read")
async def on_read(update: Update, context: BotContext) -> None:
    announcement_id = record_id(READ_BUTTONS.value(update))
    if context.person is None or announcement_id is None:
        await refuse_button(update)
        return
    try:
        read = await context.db.write(stored.record_read, announcement_id, context.person.id)
    except stored.NotAddressed:
        await refuse_button(update)
        return
    if not read.recorded:
        await answer_query(update, _("You have already marked it as read. Thank you."))
        return
    await close_buttons(update, _("✅ Read"))
    if read.status is not None:
        await _edit_status(context, read.status)
