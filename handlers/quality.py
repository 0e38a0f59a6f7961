"""The two rafaksi questions, moisture (*kadar air*) then empty grain/dirt (*hampa/kotoran*),
asked where the cooperative has a table for the produce: at the scale (handlers.pickup) and
at a sale's delivery, for the buyer's readings (handlers.sales.delivery). Each reading is
typed as people write it (domain.rafaksi.parse_percent), refused with its reason and asked
again; a reading above the table's last band is refused with the table's highest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from telegram import Update
from telegram.ext import MessageHandler

from bot.context import BotContext
from bot.i18n import _, format_number
from bot.quality_words import refusal
from domain.rafaksi import FOREIGN, MOISTURE, RafaksiRefused, parse_percent
from handlers.kit import TEXT, Draft, Step, reply
from storage.rafaksi import StoredTable

Next = Callable[[], Callable[[Update, BotContext], Awaitable[str]]]


class Reading(Step):
    """One reading (``measure``) kept in the ``draft``'s field ``field`` as exact text;
    ``table`` finds the table in force for the conversation's produce."""

    def __init__(self, measure: str, state: str, question: Callable[[], str], draft: type[Draft],
                 field: str, table: Callable[[BotContext], Awaitable[StoredTable | None]],
                 then: Next) -> None:  # fmt: skip
        self.measure, self.state, self.question = measure, state, question
        self.draft, self.field, self.table, self.then = draft, field, table, then

    async def _question(self, context: BotContext) -> str:
        found = await self.table(context)
        base = format_number(found.table.base(self.measure)) if found else "?"
        return self.question().format(base=base)

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, await self._question(context))
        return self.state

    async def on_text(self, update: Update, context: BotContext) -> str:
        try:
            value = parse_percent(update.effective_message.text)
            found = await self.table(context)
            if found is not None:
                found.table.band(self.measure, value)
        except RafaksiRefused as refused:
            await reply(update, refusal(refused) + "\n" + await self._question(context))
            return self.state
        draft = self.draft.load(context)
        setattr(draft, self.field, str(value))
        draft.save(context)
        return await self.then()(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


def readings(draft: Draft) -> tuple[Decimal, Decimal] | None:
    """The draft's readings (its ``moisture`` and ``foreign``), when both were typed."""
    moisture, foreign = getattr(draft, "moisture", None), getattr(draft, "foreign", None)
    if moisture is None or foreign is None:
        return None
    return Decimal(moisture), Decimal(foreign)


def scale_questions() -> tuple[str, str]:
    """The questions at the scale: what the cooperative's own meter showed."""
    return (
        _("What moisture (kadar air) did the meter show? Type the percentage, for example 24 or 24,5. The full price holds up to {base} %."),
        _("How much empty grain and dirt (hampa/kotoran) did you find? Type the percentage, for example 8 or 8,5. The full price holds up to {base} %."),
    )  # fmt: skip


def reading_steps(
    states: tuple[str, str], draft: type[Draft],
    table: Callable[[BotContext], Awaitable[StoredTable | None]], after: Next,
    questions: Callable[[], tuple[str, str]] = scale_questions,
) -> list[Step]:  # fmt: skip
    """The two readings in order (kept in ``draft``'s fields ``moisture`` and ``foreign``);
    ``questions`` gives their texts (with ``{base}``: the highest reading without a cut);
    ``after`` is what follows the last (the summary)."""
    foreign = Reading(FOREIGN, states[1], lambda: questions()[1], draft, "foreign", table, after)
    moisture = Reading(
        MOISTURE, states[0], lambda: questions()[0], draft, "moisture", table,
        lambda: foreign.ask,
    )  # fmt: skip
    return [moisture, foreign]
