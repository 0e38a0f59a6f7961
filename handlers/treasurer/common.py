"""What the desk's modules share: its states, buttons and draft, and finding the member."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.context import BotContext
from handlers.kit import (
    Buttons,
    Draft,
    need,
)
from storage import savings as stored
from storage import savings_desk as desk

log = logging.getLogger(__name__)
BULK = {"lane": "bulk"}
FIND, PICK, KIND, AMOUNT, ENTRY, REASON, CONFIRM = (
    "desk.find", "desk.pick", "desk.kind", "desk.amount", "desk.entry", "desk.reason", "desk.confirm",
)  # fmt: skip
MEMBER_BUTTONS = Buttons("anggt", value=r"[0-9]", max_length=12)
KIND_BUTTONS = Buttons("jsimp", value=r"[a-z]", max_length=8)
DECIDE_BUTTONS = Buttons("ptj", value=r"(?:ok|no)[0-9]", max_length=14)
ENTRY_BUTTONS = Buttons("entri", value=r"[0-9]", max_length=12)
DEPOSIT, WITHDRAWAL, REVERSAL = "deposit", "withdrawal", "reversal"


@dataclass
class DeskDraft(Draft):
    key = "desk"
    action: str | None = None
    roster_id: int | None = None
    kind: str | None = None
    amount: int | None = None
    entry_id: int | None = None
    reason: str | None = None
    labels: list[str] | None = None  # of the entries offered
    offered: list[str] | None = None


async def member_of_draft(context: BotContext) -> stored.Member:
    return need(await stored.member(context.db, need(DeskDraft.load(context).roster_id)))


async def member_by_id(context: BotContext, entry) -> stored.Member:
    return need(
        await stored.member(context.db, need(await desk.roster_of_entry(context.db, entry.id)))
    )
