"""Asking where a person lives, as a Kemendagri village code: province, regency/city,
district, village. At each level the person types a few letters; an exact name is taken
(and said back), otherwise up to eight close matches come as buttons with "None of these".
Typing again at a level searches again. Shared by registration and /settings.

A button answers only the level it was offered for: the codes offered are kept in the
draft, so a press on an older question (a repeated one after a crash, say) is refused, and
a typed name is looked up inside the level above, so an answer meant for another question
cannot land in the wrong field unnoticed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler

from bot.context import BotContext
from bot.i18n import _
from domain import regions
from handlers.kit import TEXT, Buttons, Choice, Draft, reply

PLACE_BUTTONS = Buttons("pl", value=r"[0-9a-z.]", max_length=13)
STATES = {
    regions.PROVINCE: "place.province",
    regions.REGENCY: "place.regency",
    regions.DISTRICT: "place.district",
    regions.VILLAGE: "place.village",
}
OnVillage = Callable[[Update, BotContext, str], Awaitable[Any]]


def _question(level: int, farmer: bool = False) -> str:
    """The question of ``level``, to the person about themselves or (``farmer``) to a
    coordinator about the farmer he sells for."""
    if farmer:
        return {
            regions.PROVINCE: lambda: _("Type the name of the farmer's province. For example: Jawa Tengah."),
            regions.REGENCY: lambda: _("Type the name of the farmer's regency or city. For example: Klaten."),
            regions.DISTRICT: lambda: _("Type the name of the farmer's district (kecamatan)."),
            regions.VILLAGE: lambda: _("Type the name of the farmer's village (desa or kelurahan)."),
        }[level]()  # fmt: skip
    return {
        regions.PROVINCE: lambda: _("Type the name of your province. For example: Jawa Tengah."),
        regions.REGENCY: lambda: _("Type the name of your regency or city. For example: Klaten."),
        regions.DISTRICT: lambda: _("Type the name of your district (kecamatan)."),
        regions.VILLAGE: lambda: _("Type the name of your village (desa or kelurahan)."),
    }[level]()


def _labels(found: list[regions.Region]) -> list[tuple[str, str]]:
    """Button labels; where two share a name, the level above tells them apart."""
    names = [r.short_name for r in found]
    labels = []
    for region, name in zip(found, names, strict=True):
        if names.count(name) > 1 and region.parent_code:
            name = f"{name} — {regions.region(region.parent_code).short_name}"
        labels.append((name, region.code))
    return labels


class PlaceSteps:
    """The four levels; answers go to ``draft.place`` (codes, one per level) and
    ``on_village`` decides what comes after the village."""

    def __init__(self, draft: type[Draft], on_village: OnVillage, farmer: bool = False) -> None:
        self.draft = draft
        self.on_village = on_village
        self.farmer = farmer  # asked about the farmer a coordinator sells for (/jualkan)
        self.picks = {level: self._pick(level) for level in STATES}

    def _pick(self, level: int) -> Choice:
        """The candidates found for what the person typed, as buttons."""

        def candidates(context: BotContext) -> list[tuple[str, str]]:
            found = [regions.region(code) for code in self.draft.load(context).offered or []]
            return _labels([r for r in found if r is not None])

        async def picked(update: Update, context: BotContext, code: str) -> Any:
            return await self._chosen(update, context, level, regions.region(code))

        async def none(update: Update, context: BotContext, _value: object) -> str:
            return await self.ask(update, context, level)

        def question() -> str:
            if self.farmer:
                return _(
                    'Tap the farmer\'s {level}. If it is not here, tap "None of these".'
                ).format(level=_(regions.LEVEL_NAMES[level]))
            return _('Tap your {level}. If it is not here, tap "None of these".').format(
                level=_(regions.LEVEL_NAMES[level])
            )

        return Choice(
            STATES[level], PLACE_BUTTONS, question, candidates, picked, self.draft, none=none
        )

    async def ask(
        self, update: Update, context: BotContext, level: int = regions.PROVINCE, said: str = ""
    ) -> str:
        """Put the question of ``level``, after ``said`` (the answer just taken) if any."""
        question = _question(level, self.farmer)
        await reply(update, f"✅ {said}\n{question}" if said else question)
        return STATES[level]

    def _within(self, context: BotContext, level: int) -> str | None:
        place = self.draft.load(context).place or []
        return place[level - 2] if level > 1 and len(place) >= level - 1 else None

    async def _on_text(self, update: Update, context: BotContext, level: int) -> str:
        typed = update.effective_message.text.strip()
        within = self._within(context, level)
        if level > 1 and within is None:
            return await self.ask(update, context)  # lost the level above: start at the top
        exact = regions.exact_match(typed, level, within)
        if exact:  # said back with the next question (the summary shows the village)
            return await self._chosen(update, context, level, exact, said=exact.name)
        found = regions.search(typed, level, within)
        if not found:
            await reply(
                update,
                _('I could not find "{typed}". Check the spelling and type it again.').format(
                    typed=typed[:40]
                )
                + "\n"
                + _question(level, self.farmer),
            )
            return STATES[level]
        draft = self.draft.load(context)
        draft.offered = [r.code for r in found]
        draft.save(context)
        return await self.picks[level].ask(update, context)

    async def _chosen(
        self,
        update: Update,
        context: BotContext,
        level: int,
        region: regions.Region,
        said: str = "",
    ) -> Any:
        draft = self.draft.load(context)
        draft.place = (draft.place or [])[: level - 1] + [region.code]
        draft.offered = []
        draft.save(context)
        if level == regions.VILLAGE:
            return await self.on_village(update, context, region.code)
        return await self.ask(update, context, level + 1, said)

    def states(self) -> dict[str, list[BaseHandler]]:
        """Each level's state takes a pick from the candidates, or a name typed (again)."""

        def text(level: int):
            async def on_text(update: Update, context: BotContext) -> str:
                return await self._on_text(update, context, level)

            return on_text

        return {
            state: [*self.picks[level].handlers(), MessageHandler(TEXT, text(level))]
            for level, state in STATES.items()
        }
