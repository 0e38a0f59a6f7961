"""➕ New buyer (from /penjualan): name → kind (buttons) → phone ("-" for none) → payment terms
in days → a summary → saved in the cooperative's list of buyers."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from bot.i18n import _, gettext
from domain.people import display_phone
from domain.sales import BUYER_KIND_LABELS, BuyerKind, parse_terms
from handlers.kit import (
    END,
    Buttons,
    Choice,
    Confirm,
    Draft,
    answer_query,
    conversation,
    need,
    reply,
    start_over,
    stored_in,
    writes,
)
from handlers.menus import cancel
from handlers.sales.common import COMMAND, NEW_BUTTONS, Ask, says
from storage import sales

NAME, KIND, PHONE, TERMS, CONFIRM = (
    "buyer.name", "buyer.kind", "buyer.phone", "buyer.terms", "buyer.confirm",
)  # fmt: skip
KIND_BUTTONS = Buttons("jlpbl", value=r"[a-z]", max_length=8)


@dataclass
class BuyerDraft(Draft):
    key = "buyer"
    name: str | None = None
    kind: str | None = None
    phone: str | None = None
    terms: int | None = None
    offered: list[str] | None = None


async def start(update: Update, context: BotContext) -> str:
    await answer_query(update)
    BuyerDraft().save(context)
    return await NAME_STEP.ask(update, context)


async def _name(context: BotContext, text: str) -> str:
    return sales.clean_buyer_name(text)


async def _phone(context: BotContext, text: str) -> str | None:
    return sales.clean_phone(text)


async def _terms(context: BotContext, text: str) -> int:
    return parse_terms(text)


NAME_STEP = Ask(
    NAME, says(lambda: _("Type the buyer's name, for example Bulog Kancab Klaten.")),
    _name, stored_in(BuyerDraft, "name", lambda: KIND_STEP),
)  # fmt: skip
KIND_STEP = Choice(
    KIND, KIND_BUTTONS, lambda: _("What kind of buyer is it?"),
    lambda context: [(gettext(label), kind.value) for kind, label in BUYER_KIND_LABELS.items()],
    stored_in(BuyerDraft, "kind", lambda: PHONE_STEP), BuyerDraft,
)  # fmt: skip
PHONE_STEP = Ask(
    PHONE, says(lambda: _("Type the buyer's phone number, for example 0812-3456-7890. Type - if there is none.")),
    _phone, stored_in(BuyerDraft, "phone", lambda: TERMS_STEP),
)  # fmt: skip
TERMS_STEP = Ask(
    TERMS, says(lambda: _("In how many days does the buyer pay an invoice? Type 0 for cash on delivery, or for example 14.")),
    _terms, stored_in(BuyerDraft, "terms", lambda: CONFIRM_STEP),
)  # fmt: skip


async def _summary(context: BotContext) -> str:
    draft = BuyerDraft.load(context)
    lines = [
        _("Please check the new buyer:"),
        _("Name: {name}").format(name=need(draft.name)),
        _("Kind: {kind}").format(kind=gettext(BUYER_KIND_LABELS[BuyerKind(need(draft.kind))])),
        _("Phone number: {phone}").format(phone=display_phone(draft.phone) if draft.phone else "-"),
        _("Pays within: {days} days").format(days=need(draft.terms)),
    ]
    return "\n".join(lines) + "\n\n" + _("Is this right?")


@writes("sales.buyer")
async def save(update: Update, context: BotContext) -> int:
    draft = BuyerDraft.load(context)
    buyer = await context.db.write(
        sales.add_buyer, context.person.org_id, need(draft.name), need(draft.kind),
        phone=draft.phone, terms_days=need(draft.terms), by=context.person.id,
    )  # fmt: skip
    BuyerDraft.drop(context)
    await reply(
        update,
        _("Saved. {name} is in your list of buyers. Send /penjualan to record a sale.").format(
            name=buyer.name
        ),
    )
    return END


change = start_over(NAME_STEP, lambda _context: BuyerDraft())


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change)


def conversation_handler() -> ConversationHandler:
    return conversation(
        "sales_buyer", COMMAND, entry_points=[NEW_BUTTONS.handler(start, only="b")],
        steps=[NAME_STEP, KIND_STEP, PHONE_STEP, TERMS_STEP, CONFIRM_STEP], cancel=cancel,
    )  # fmt: skip
