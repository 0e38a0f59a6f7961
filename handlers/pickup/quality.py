"""The quality readings at the scale (rafaksi): where the cooperative has a table for the
produce, the weighing asks moisture (*kadar air*) and empty grain/dirt (*hampa/kotoran*) as
people type them, each refused with its reason and asked again (handlers.quality, shared
with a sale's delivery); the cut they give comes off the locked price (domain.rafaksi).
Produce without a table is weighed as before."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.context import BotContext
from bot.i18n import _, format_number
from bot.quality_words import refusal
from domain.rafaksi import FOREIGN, MOISTURE
from handlers import quality
from handlers.kit import Step
from handlers.pickup.common import FOREIGN as FOREIGN_STATE
from handlers.pickup.common import MOISTURE as MOISTURE_STATE
from handlers.pickup.common import PickupDraft, draft_offer
from handlers.quality import readings
from storage import rafaksi
from storage.db import now_utc

__all__ = ["reading_steps", "readings", "refusal", "table_of", "terms_line"]


async def table_of(context: BotContext) -> rafaksi.StoredTable | None:
    """The cooperative's table for the offer's produce in force now, if it has one."""
    offer = await draft_offer(context)
    return await rafaksi.in_force(context.db, offer.org_id, offer.commodity, now_utc())


def reading_steps(
    after: Callable[[], Callable[[Update, BotContext], Awaitable[str]]],
) -> list[Step]:
    """The two readings in order; ``after`` is what follows the last (the summary)."""
    return quality.reading_steps((MOISTURE_STATE, FOREIGN_STATE), PickupDraft, table_of, after)


async def terms_line(context: BotContext, org_id: int, commodity: str) -> str | None:
    """Where the cooperative cuts by a table, what the full price is for: said to the farmer
    before the offer is saved, so the cut at the scale comes as no surprise."""
    found = await rafaksi.in_force(context.db, org_id, commodity, now_utc())
    if found is None:
        return None
    return _("The full price holds up to {moisture} % moisture and {foreign} % empty grain/dirt. Above that, a cut (rafaksi) comes off at the weighing.").format(
        moisture=format_number(found.table.base(MOISTURE)), foreign=format_number(found.table.base(FOREIGN)))  # fmt: skip
