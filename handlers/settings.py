"""/settings and /language: language, time zone and village of a registered person."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from bot.i18n import _, set_language
from domain import regions
from domain.people import LANGUAGE_LABELS
from handlers.kit import (
    END,
    Buttons,
    Draft,
    close_buttons,
    conversation,
    for_command,
    keyboard,
    refuse_button,
    reply,
    writes,
)
from handlers.menus import cancel, set_person_menu
from handlers.place import PlaceSteps
from storage import areas, people

SETTING_BUTTONS = Buttons("set", value=r"(?:lang|tz|area)", max_length=1)
LANGUAGE_BUTTONS = Buttons("setlang", value=r"[a-z]", max_length=2)
ZONE_BUTTONS = Buttons("settz", value=r"(?:wib|wita|wit)", max_length=1)
_ZONES = {"wib": regions.WIB, "wita": regions.WITA, "wit": regions.WIT}


@dataclass
class VillageChange(Draft):
    key = "village_change"
    place: list[str] | None = None
    offered: list[str] | None = None


def _language_buttons():
    return keyboard(
        [[LANGUAGE_BUTTONS.button(label, code) for code, label in LANGUAGE_LABELS.items()]]
    )


@for_command("language")
async def ask_language(update: Update, context: BotContext) -> None:
    await reply(update, _("Choose your language:"), _language_buttons())


@for_command("language")
@writes("settings.language")
async def on_language(update: Update, context: BotContext) -> None:
    language = LANGUAGE_BUTTONS.value(update)
    if language not in LANGUAGE_LABELS:
        await refuse_button(update)
        return
    await close_buttons(update, LANGUAGE_LABELS[language])
    await context.db.write(people.set_language, context.person.id, language)
    set_language(language)
    await reply(
        update,
        _("OK. I will speak {language} with you.").format(language=LANGUAGE_LABELS[language]),
    )
    await set_person_menu(context, await people.by_id(context.db, context.person.id))


async def _place_line(context: BotContext) -> str:
    person = context.person
    place = regions.place(person.village_code) if person.village_code else None
    if place:
        return _("{village}, {district}, {regency}, {province}").format(**place.__dict__)
    typed = await areas.by_id(context.db, person.area_id) if person.area_id else None
    if typed:
        return _(
            "{village}, {district} (not found in the official list: please pick it again)"
        ).format(village=typed.village, district=typed.district)
    return _("not set")


@for_command("settings")
async def show_settings(update: Update, context: BotContext) -> None:
    person = context.person
    text = _("Your settings:\nLanguage: {language}\nTime zone: {zone}\nVillage: {place}").format(
        language=LANGUAGE_LABELS[person.language], zone=regions.TIMEZONES.get(person.timezone, person.timezone),
        place=await _place_line(context),
    )  # fmt: skip
    rows = [
        [
            SETTING_BUTTONS.button(_("Language"), "lang"),
            SETTING_BUTTONS.button(_("Time zone"), "tz"),
        ],
        [SETTING_BUTTONS.button(_("Village"), "area")],
    ]
    await reply(update, text, keyboard(rows))


@for_command("settings")
async def on_setting(update: Update, context: BotContext) -> None:
    choice = SETTING_BUTTONS.value(update)
    await close_buttons(update)
    if choice == "lang":
        await reply(update, _("Choose your language:"), _language_buttons())
    elif choice == "tz":
        rows = [
            [ZONE_BUTTONS.button(label, key)]
            for key, label in (("wib", "WIB"), ("wita", "WITA"), ("wit", "WIT"))
        ]
        await reply(update, _(
            "Which time zone do you live in?\n"
            "WIB: Sumatera, Jawa, Kalimantan Barat, Kalimantan Tengah.\n"
            "WITA: Bali, Nusa Tenggara, Kalimantan Selatan, Kalimantan Timur, Kalimantan Utara, Sulawesi.\n"
            "WIT: Maluku, Papua."
        ), keyboard(rows))  # fmt: skip


@for_command("settings")
@writes("settings.timezone")
async def on_timezone(update: Update, context: BotContext) -> None:
    key = ZONE_BUTTONS.value(update)
    label = regions.TIMEZONES[_ZONES[key]]
    await close_buttons(update, label)
    await context.db.write(people.set_timezone, context.person.id, _ZONES[key])
    await reply(update, _("OK. Times will be shown in {zone}.").format(zone=label))


async def start_village_change(update: Update, context: BotContext) -> str:
    await close_buttons(update, _("Village"))
    VillageChange().save(context)
    return await VILLAGE.ask(update, context)


async def ask_village_again(update: Update, context: BotContext) -> int:
    """For someone whose village was typed before the official list was used."""
    rows = [[SETTING_BUTTONS.button(_("Pick my village"), "area")]]
    await reply(
        update,
        _(
            "Welcome back, {name}! Please pick your village once more from the official list."
        ).format(name=context.person.full_name),
        keyboard(rows),
    )
    return END


@writes("settings.village")
async def _save_village(update: Update, context: BotContext, code: str) -> int:
    place = regions.place(code)
    await context.db.write(people.set_village, context.person.id, code, place.timezone)
    VillageChange.drop(context)
    await reply(update, _("OK. Your village is now {village}, {district}, {regency}, {province} (time zone {zone}).").format(
        village=place.village, district=place.district, regency=place.regency, province=place.province,
        zone=regions.TIMEZONES[place.timezone],
    ))  # fmt: skip
    return END


VILLAGE = PlaceSteps(VillageChange, _save_village)


def village_conversation() -> ConversationHandler:
    return conversation(
        "settings_village", "settings",
        entry_points=[SETTING_BUTTONS.handler(start_village_change, only="area")],
        steps=[], states=VILLAGE.states(), cancel=cancel,
    )  # fmt: skip
