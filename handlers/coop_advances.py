"""/talangan: a hub officer (administrator or treasurer) gives one of the hub's village
cooperatives an advance: the cooperative's code, the amount (within the hub's rule, which
counts what the cooperative owes the hub already), what it is for, a summary, ✅. A second
officer of the hub approves or rejects it from the alert; approved, the ledger posts it
(debit ``receivable:coop``, credit the hub's bank) and the maker is told."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler

from bot.context import BotContext
from bot.i18n import _, format_money, use_locale
from domain import N_
from domain import coop_advances as rules
from domain.money import parse_rupiah
from domain.people import InvalidInput, short_text
from handlers.kit import (
    END,
    Buttons,
    Confirm,
    Draft,
    Typed,
    conversation,
    keyboard,
    need,
    reply,
    tell,
    tell_person,
    writes,
)
from handlers.menus import cancel
from handlers.officer_decisions import advance_decided
from storage import coop_advances as stored
from storage import orgs

CODE, AMOUNT, PURPOSE, CONFIRM = "tk.code", "tk.amount", "tk.purpose", "tk.confirm"
DECIDE_BUTTONS = Buttons("tkd", value=r"(?:ok|no)[0-9]", max_length=14)


@dataclass
class CoopAdvanceDraft(Draft):
    key = "coop_advance"
    coop_id: int | None = None
    amount: int | None = None
    purpose: str | None = None


async def start(update: Update, context: BotContext) -> str:
    CoopAdvanceDraft().save(context)
    return await CODE_STEP.ask(update, context)


async def _code_typed(update: Update, context: BotContext, code: str) -> str:
    coop = await stored.coop_of_hub(context.db, context.person.org_id, code)
    if coop is None:
        await reply(update, _("Your network has no cooperative with the code {code}. Send /koperasi to see them.").format(
            code=code) + "\n" + _code_question())  # fmt: skip
        return CODE
    draft = CoopAdvanceDraft.load(context)
    draft.coop_id = coop.id
    draft.save(context)
    return await AMOUNT_STEP.ask(update, context)


def _code_question() -> str:
    return _("Type the code of the village cooperative, for example kdkmp-kujon.")


CODE_STEP = Typed(CODE, _code_question, lambda text: text.strip()[:40], _code_typed, reasons={})


def _amount_question() -> str:
    return _("Type the amount in rupiah, for example 10.000.000.")


async def _amount_typed(update: Update, context: BotContext, amount: int) -> str:
    draft = CoopAdvanceDraft.load(context)
    hub_id = context.person.org_id
    try:
        rules.check_amount(
            amount,
            await stored.owed(context.db, need(draft.coop_id)),
            await stored.limit(context.db, hub_id),
        )
    except rules.AdvanceRefused as refused:
        await reply(
            update,
            _too_high(await stored.limit(context.db, hub_id), refused.most)
            + "\n"
            + _amount_question(),
        )
        return AMOUNT
    draft.amount = amount
    draft.save(context)
    return await PURPOSE_STEP.ask(update, context)


def _too_high(rule: int, most: int) -> str:
    return _("That is more than the hub's rule: a cooperative owes the hub at most {rule} at once. This one may receive at most {most} more.").format(
        rule=format_money(rule), most=format_money(most))  # fmt: skip


AMOUNT_STEP = Typed(
    AMOUNT, _amount_question, partial(parse_rupiah, reason="coop_advance.amount", too_high="coop_advance.amount"),
    _amount_typed, reasons={"coop_advance.amount": lambda: _("Type the amount in whole rupiah, for example 10.000.000.")},
)  # fmt: skip


async def _purpose_typed(update: Update, context: BotContext, purpose: str) -> str:
    draft = CoopAdvanceDraft.load(context)
    draft.purpose = purpose
    draft.save(context)
    return await CONFIRM_STEP.ask(update, context)


PURPOSE_STEP = Typed(
    PURPOSE, lambda: _("What is it for? For example: modal pupuk musim tanam."),
    partial(short_text, low=rules.MIN_PURPOSE, high=rules.MAX_PURPOSE, reason="coop_advance.purpose"),
    _purpose_typed,
    reasons={"coop_advance.purpose": lambda: _("Type 3 to 80 letters.")},
)  # fmt: skip


async def _coop_name(context: BotContext, coop_id: int) -> str:
    return (await orgs.by_id(context.db, coop_id)).name


async def _summary(context: BotContext) -> str:
    draft = CoopAdvanceDraft.load(context)
    return _("Give {cooperative} an advance of {amount} for {purpose}? It is what the cooperative owes the hub. A second officer must approve it.").format(
        cooperative=await _coop_name(context, need(draft.coop_id)), amount=format_money(need(draft.amount)),
        purpose=need(draft.purpose))  # fmt: skip


@writes("coop_advance.ask")
async def save(update: Update, context: BotContext) -> int:
    draft = CoopAdvanceDraft.load(context)
    CoopAdvanceDraft.drop(context)
    try:
        made = await context.db.write(
            stored.ask, context.person.org_id, need(draft.coop_id), need(draft.amount),
            need(draft.purpose), context.person.id,
        )  # fmt: skip
    except (rules.AdvanceRefused, LookupError, InvalidInput):
        await reply(update, _("This cannot be saved any more: what the cooperative owes has changed. Nothing was saved. Send /talangan to start again."))  # fmt: skip
        return END
    await reply(update, _("Advance {number} is waiting for a second officer. I will tell you when it is decided.").format(
        number=made.number))  # fmt: skip
    name = await _coop_name(context, made.coop_id)
    for person_id, chat_id, language in await stored.checkers(
        context.db, made.hub_id, made.maker_id
    ):
        with use_locale(language):
            text = _("Advance {number} from {maker}: {amount} for {cooperative} ({purpose}). Approve it?").format(
                number=made.number, maker=context.person.full_name, amount=format_money(made.amount_rupiah),
                cooperative=name, purpose=made.purpose)  # fmt: skip
            buttons = [[DECIDE_BUTTONS.button(_("✅ Approve"), f"ok{made.id}"),
                        DECIDE_BUTTONS.button(_("❌ Reject"), f"no{made.id}")]]  # fmt: skip
        await tell(context, key=f"coop-advance-ask:{made.id}:{person_id}", kind="decision",
                   person_id=person_id, chat_id=chat_id, text=text, markup=keyboard(buttons))  # fmt: skip
    return END


async def change(update: Update, context: BotContext) -> int:
    CoopAdvanceDraft.drop(context)
    await reply(
        update,
        _("Cancelled. Nothing was saved. To start again, send {command}.").format(
            command="/talangan"
        ),
    )
    return END


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change, N_("✖️ No, cancel"))


def conversation_handler() -> ConversationHandler:
    return conversation(
        "coop_advance", "talangan", entry_points=[CommandHandler("talangan", start)],
        steps=[CODE_STEP, AMOUNT_STEP, PURPOSE_STEP, CONFIRM_STEP], cancel=cancel,
    )  # fmt: skip


@writes("coop_advance.decide")
async def on_decision(update: Update, context: BotContext) -> None:
    found = await advance_decided(
        update, context, DECIDE_BUTTONS, stored.decide, stored.DecisionRefused
    )
    if found is None:
        return
    _approve, decided = found

    def text() -> str:
        if decided.status == "approved":
            return _("Advance {number} is approved by {name}.").format(
                number=decided.number, name=context.person.full_name
            )
        return _("Advance {number} is rejected by {name}. Nothing was recorded.").format(
            number=decided.number, name=context.person.full_name)  # fmt: skip

    await tell_person(
        context, decided.maker_id, text, key=f"coop-advance-decided:{decided.id}", kind="decision"
    )
