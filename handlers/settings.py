"""/settings and /language: language, time zone and area of a registered person."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.context import BotContext
from bot.domain.commands import REGISTERED
from bot.domain.people import LANGUAGE_LABELS
from bot.domain.regions import TIMEZONES, Area
from bot.i18n import _, set_language
from handlers.area import AreaSteps
from handlers.common import cancel, close_buttons, inline, once, reply, requires, set_person_menu
from storage import areas, people

EVERYONE = tuple(REGISTERED)
_ZONE_BY_LABEL = {label: zone for zone, label in TIMEZONES.items()}
AREA_DRAFT = "area_draft"


def _language_buttons():
    return inline([[(label, f"setlang:{code}") for code, label in LANGUAGE_LABELS.items()]])


@requires(*EVERYONE)
async def ask_language(update: Update, context: BotContext) -> None:
    await reply(update, _("Choose your language:"), _language_buttons())


@requires(*EVERYONE)
async def on_language(update: Update, context: BotContext) -> None:
    language = update.callback_query.data.split(":", 1)[1]
    if language not in LANGUAGE_LABELS:
        await close_buttons(update)
        return
    await close_buttons(update, LANGUAGE_LABELS[language])
    await once(people.set_language(context.db, context.person.id, language))
    set_language(language)
    person = await people.by_id(context.db, context.person.id)
    await reply(update, _("Done. I will speak {language} with you.").format(language=LANGUAGE_LABELS[language]))
    await set_person_menu(context, person)


async def _summary(context: BotContext) -> str:
    person = context.person
    area = await areas.by_id(context.db, person.area_id) if person.area_id else None
    place = _("{village}, {district}, {regency}, {province}").format(**area.__dict__) if area else _("not set")
    return _("Your settings:\nLanguage: {language}\nTime zone: {zone}\nArea: {area}").format(
        language=LANGUAGE_LABELS[person.language], zone=TIMEZONES.get(person.timezone, person.timezone), area=place
    )


@requires(*EVERYONE)
async def show_settings(update: Update, context: BotContext) -> None:
    rows = [[(_("Language"), "set:lang"), (_("Time zone"), "set:tz")], [(_("Area"), "set:area")]]
    await reply(update, await _summary(context), inline(rows))


@requires(*EVERYONE)
async def on_setting(update: Update, context: BotContext) -> None:
    choice = update.callback_query.data.split(":", 1)[1]
    await close_buttons(update)
    if choice == "lang":
        await reply(update, _("Choose your language:"), _language_buttons())
    elif choice == "tz":
        rows = [[(label, f"settz:{label}") for label in _ZONE_BY_LABEL]]
        await reply(update, _("Which time zone do you live in? WIB (Java, Sumatra, West and Central Kalimantan), WITA (Bali, Nusa Tenggara, Sulawesi, East Kalimantan), WIT (Maluku, Papua)."), inline(rows))


@requires(*EVERYONE)
async def on_timezone(update: Update, context: BotContext) -> None:
    label = update.callback_query.data.split(":", 1)[1]
    zone = _ZONE_BY_LABEL.get(label)
    if zone is None:
        await close_buttons(update)
        return
    await close_buttons(update, label)
    await once(people.set_timezone(context.db, context.person.id, zone))
    await reply(update, _("Done. Times will be shown in {zone}.").format(zone=label))


@requires(*EVERYONE)
async def start_area_change(update: Update, context: BotContext) -> str:
    await close_buttons(update, _("Area"))
    context.user_data[AREA_DRAFT] = {}
    return await AREA.ask_province(update, context)


async def _save_area(update: Update, context: BotContext, area: Area) -> int:
    await once(areas.set_person_area(context.db, context.person.id, area))
    context.user_data.pop(AREA_DRAFT, None)
    await reply(update, _("Done. Your area is now {village}, {district}, {regency}, {province} (time zone {zone}).").format(
        village=area.village, district=area.district, regency=area.regency, province=area.province, zone=TIMEZONES[area.timezone]
    ))
    return ConversationHandler.END


AREA = AreaSteps(AREA_DRAFT, _save_area)


def area_conversation() -> ConversationHandler:
    return ConversationHandler(
        name="settings_area",
        persistent=True,
        entry_points=[CallbackQueryHandler(start_area_change, pattern=r"^set:area$")],
        states=AREA.states(),
        fallbacks=[CommandHandler("cancel", cancel)],
    )
