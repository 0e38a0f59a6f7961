"""Asking where a person lives: province (typed, forgiving), then a known village to pick
or regency, district and village typed. Shared by registration and /settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import BotContext
from bot.domain.people import InvalidInput, clean_place
from bot.domain.regions import Area, all_provinces, find_province, province, suggest_provinces
from bot.i18n import _
from handlers.common import close_buttons, inline, reply
from storage import areas

PROVINCE, PROVINCE_PICK, REGENCY, DISTRICT, VILLAGE = (
    "area.province", "area.province_pick", "area.regency", "area.district", "area.village",
)  # fmt: skip

_PROVINCES = [p.name for p in all_provinces()]


def _ask_regency() -> str:
    return _("Type the name of your regency or city (kabupaten/kota).")


# The typed levels below the province, in the order they are asked: (state, field, question).
_PLACES = (
    (REGENCY, "regency", _ask_regency),
    (DISTRICT, "district", lambda: _("Type the name of your district (kecamatan).")),
    (VILLAGE, "village", lambda: _("Type the name of your village (desa/kelurahan).")),
)
OnArea = Callable[[Update, BotContext, Area], Awaitable[str]]


class AreaSteps:
    """The area questions; ``draft_key`` says where in user_data the answers go and
    ``on_done`` decides what comes after the village."""

    def __init__(self, draft_key: str, on_done: OnArea) -> None:
        self.draft_key = draft_key
        self.on_done = on_done

    def _draft(self, context: BotContext) -> dict:
        return context.user_data.setdefault(self.draft_key, {})

    async def ask_province(self, update: Update, context: BotContext) -> str:
        await reply(update, _("Which province do you live in? Type its name, for example: Jawa Tengah."))
        return PROVINCE

    async def on_province_text(self, update: Update, context: BotContext) -> str:
        typed = update.effective_message.text
        exact = find_province(typed)
        if exact:
            return await self._province_chosen(update, context, exact.name)
        found = suggest_provinces(typed)
        if not found:
            await reply(update, _("I do not know the province \"{typed}\". Please type it again, for example: Jawa Timur.").format(typed=typed[:40]))
            return PROVINCE
        rows = [[(p.name, f"prov:{_PROVINCES.index(p.name)}")] for p in found]
        rows.append([(_("None of these"), "prov:none")])
        await reply(update, _("Did you mean one of these provinces?"), inline(rows))
        return PROVINCE_PICK

    async def on_province_pick(self, update: Update, context: BotContext) -> str:
        choice = update.callback_query.data.split(":", 1)[1]
        if choice == "none" or not choice.isdigit() or int(choice) >= len(_PROVINCES):
            await close_buttons(update, _("None of these"))
            return await self.ask_province(update, context)
        name = _PROVINCES[int(choice)]
        await close_buttons(update, name)
        return await self._province_chosen(update, context, name)

    async def remind_pick(self, update: Update, context: BotContext) -> str:
        await reply(update, _("Please tap one of the buttons above, or send /cancel to stop."))
        return PROVINCE_PICK

    async def _province_chosen(self, update: Update, context: BotContext, name: str) -> str:
        self._draft(context)["province"] = name
        known = await areas.known_in_province(context.db, name)
        if known:
            rows = [[(_("{village}, {district}").format(village=a.village, district=a.district), f"area:{a.id}")] for a in known]
            await reply(update, _("Tap your village if it is listed. Otherwise type the name of your regency or city (kabupaten/kota)."), inline(rows))
        else:
            await reply(update, _ask_regency())
        return REGENCY

    async def on_known_area(self, update: Update, context: BotContext) -> str:
        area_id = update.callback_query.data.split(":", 1)[1]
        area = await areas.by_id(context.db, int(area_id)) if area_id.isdigit() else None
        if area is None or area.province != self._draft(context).get("province"):
            await close_buttons(update)
            await reply(update, _("That button is no longer valid. Type the name of your regency or city (kabupaten/kota)."))
            return REGENCY
        await close_buttons(update, area.village)
        self._draft(context).update(regency=area.regency, district=area.district, village=area.village)
        return await self.on_done(update, context, self.area(context))

    async def _typed_place(self, update: Update, context: BotContext, level: int) -> str:
        """An answer to the regency, district or village question; the next one follows."""
        state, field, question = _PLACES[level]
        try:
            self._draft(context)[field] = clean_place(update.effective_message.text)
        except InvalidInput:
            await reply(update, _("Please type the name in letters (2 to 60 characters).") + "\n" + question())
            return state
        if level + 1 == len(_PLACES):
            return await self.on_done(update, context, self.area(context))
        next_state, _field, next_question = _PLACES[level + 1]
        await reply(update, next_question())
        return next_state

    async def on_regency(self, update: Update, context: BotContext) -> str:
        return await self._typed_place(update, context, 0)

    async def on_district(self, update: Update, context: BotContext) -> str:
        return await self._typed_place(update, context, 1)

    async def on_village(self, update: Update, context: BotContext) -> str:
        return await self._typed_place(update, context, 2)

    def area(self, context: BotContext) -> Area:
        draft = self._draft(context)
        return Area(province(draft["province"]).name, draft["regency"], draft["district"], draft["village"])

    def states(self) -> dict[str, list]:
        text = filters.TEXT & ~filters.COMMAND
        return {
            PROVINCE: [MessageHandler(text, self.on_province_text)],
            PROVINCE_PICK: [
                CallbackQueryHandler(self.on_province_pick, pattern=r"^prov:"),
                MessageHandler(text, self.remind_pick),
            ],
            REGENCY: [
                CallbackQueryHandler(self.on_known_area, pattern=r"^area:"),
                MessageHandler(text, self.on_regency),
            ],
            DISTRICT: [MessageHandler(text, self.on_district)],
            VILLAGE: [MessageHandler(text, self.on_village)],
        }
