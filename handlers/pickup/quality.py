"""The quality readings at the scale (rafaksi): where the cooperative has a table for the
produce, the weighing asks moisture (*kadar air*) and empty grain/dirt (*hampa/kotoran*) as
people type them, each refused with its reason and asked again; the cut they give comes off
the locked price (domain.rafaksi). Produce without a table is weighed as before."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from telegram import Update
from telegram.ext import MessageHandler

from bot.context import BotContext
from bot.i18n import _, format_number, gettext
from domain.rafaksi import (
    FOREIGN,
    MEASURE_LABELS,
    MOISTURE,
    REASONS,
    RafaksiRefused,
    parse_percent,
)
from handlers.kit import TEXT, Step, reply
from handlers.pickup.common import FOREIGN as FOREIGN_STATE
from handlers.pickup.common import MOISTURE as MOISTURE_STATE
from handlers.pickup.common import PickupDraft, draft_offer
from storage import rafaksi
from storage.db import now_utc


async def table_of(context: BotContext) -> rafaksi.StoredTable | None:
    """The cooperative's table for the offer's produce in force now, if it has one."""
    offer = await draft_offer(context)
    return await rafaksi.in_force(context.db, offer.org_id, offer.commodity, now_utc())


def refusal(refused: RafaksiRefused) -> str:
    """What was wrong with a reading, in the language in use."""
    text = gettext(REASONS.get(refused.reason, REASONS["rafaksi.unreadable"]))
    if refused.measure is None:
        return text
    return text.format(
        measure=gettext(MEASURE_LABELS[refused.measure]),
        highest=format_number(refused.highest) + " %",
    )


class Reading(Step):
    """One reading (``measure``), typed as people write it; out of the table's bands it is
    refused with the table's highest reading, and asked again."""

    def __init__(self, measure: str, state: str, question: Callable[[], str],
                 field: str, then: Callable[[], Callable[[Update, BotContext], Awaitable[str]]]) -> None:  # fmt: skip
        self.measure, self.state, self.question = measure, state, question
        self.field, self.then = field, then

    async def _question(self, context: BotContext) -> str:
        found = await table_of(context)
        base = format_number(found.table.base(self.measure)) if found else "?"
        return self.question().format(base=base)

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, await self._question(context))
        return self.state

    async def on_text(self, update: Update, context: BotContext) -> str:
        try:
            value = parse_percent(update.effective_message.text)
            found = await table_of(context)
            if found is not None:
                found.table.band(self.measure, value)
        except RafaksiRefused as refused:
            await reply(update, refusal(refused) + "\n" + await self._question(context))
            return self.state
        draft = PickupDraft.load(context)
        setattr(draft, self.field, str(value))
        draft.save(context)
        return await self.then()(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


def reading_steps(
    after: Callable[[], Callable[[Update, BotContext], Awaitable[str]]],
) -> list[Step]:
    """The two readings in order; ``after`` is what follows the last (the summary)."""
    foreign = Reading(
        FOREIGN, FOREIGN_STATE,
        lambda: _("How much empty grain and dirt (hampa/kotoran) did you find? Type the percentage, for example 8 or 8,5. The full price holds up to {base} %."),
        "foreign", after,
    )  # fmt: skip
    moisture = Reading(
        MOISTURE, MOISTURE_STATE,
        lambda: _("What moisture (kadar air) did the meter show? Type the percentage, for example 24 or 24,5. The full price holds up to {base} %."),
        "moisture", lambda: foreign.ask,
    )  # fmt: skip
    return [moisture, foreign]


def readings(draft: PickupDraft) -> tuple[Decimal, Decimal] | None:
    """The draft's readings, when both were typed."""
    if draft.moisture is None or draft.foreign is None:
        return None
    return Decimal(draft.moisture), Decimal(draft.foreign)


async def terms_line(context: BotContext, org_id: int, commodity: str) -> str | None:
    """Where the cooperative cuts by a table, what the full price is for: said to the farmer
    before the offer is saved, so the cut at the scale comes as no surprise."""
    found = await rafaksi.in_force(context.db, org_id, commodity, now_utc())
    if found is None:
        return None
    return _("The full price holds up to {moisture} % moisture and {foreign} % empty grain/dirt. Above that, a cut (rafaksi) comes off at the weighing.").format(
        moisture=format_number(found.table.base(MOISTURE)), foreign=format_number(found.table.base(FOREIGN)))  # fmt: skip
