"""/saprodi: an officer gives a farmer an input advance (pupuk, bibit or cash): the farmer by
phone, what, the goods' description, the value, a summary, then a second officer approves or
rejects (never the maker: domain.commands.may_check) and the farmer is told. /utang: what is
owed, for the farmer; for officers, who owes, the overdue marked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler

from bot.context import BotContext
from bot.i18n import _, format_date, format_money, gettext, use_locale
from domain import N_
from domain import advances as rules
from domain.money import parse_rupiah
from domain.people import Role, display_phone, normalise_phone, short_text
from handlers.kit import (
    END,
    Buttons,
    Choice,
    Confirm,
    Draft,
    Typed,
    conversation,
    for_command,
    keyboard,
    need,
    reply,
    stored_in,
    tell,
    tell_person,
    writes,
)
from handlers.menus import cancel
from handlers.officer_decisions import advance_decided
from handlers.wording import in_sentence
from storage import advances as stored
from storage import savings_desk as desk
from storage.db import now_utc

PHONE, WHAT, DESCRIPTION, AMOUNT, CONFIRM = (
    "advance.phone", "advance.what", "advance.description", "advance.amount", "advance.confirm",
)  # fmt: skip
WHAT_BUTTONS = Buttons("pjw", value=r"[a-z]", max_length=6)
DECIDE_BUTTONS = Buttons("pjd", value=r"(?:ok|no)[0-9]", max_length=14)


@dataclass
class AdvanceDraft(Draft):
    key = "advance"
    farmer_id: int | None = None
    what: str | None = None
    description: str | None = None
    amount: int | None = None
    offered: list[str] | None = None


def _what_words(what: str) -> str:
    advance_what = rules.What(what)
    return in_sentence(gettext(rules.WHAT_WORDS[advance_what]))


async def _farmer(context: BotContext) -> stored.Farmer:
    return need(await stored.farmer(context.db, need(AdvanceDraft.load(context).farmer_id)))


# --- who, what, how much -------------------------------------------------------------------


async def start(update: Update, context: BotContext) -> str:
    AdvanceDraft().save(context)
    return await PHONE_STEP.ask(update, context)


def _phone_question() -> str:
    return _("Which farmer? Type their phone number, for example 0812-3456-7890.")


async def _phone_typed(update: Update, context: BotContext, phone: str) -> str:
    found = await stored.farmer_by_phone(context.db, phone, context.person.org_id)
    if found is None:
        await reply(update, _("I found no farmer with {phone} in your cooperative. Check it and type it again.").format(
            phone=display_phone(phone)) + "\n" + _phone_question())  # fmt: skip
        return PHONE
    draft = AdvanceDraft.load(context)
    draft.farmer_id = found.id
    draft.save(context)
    return await WHAT_STEP.ask(update, context)


PHONE_STEP = Typed(
    PHONE, _phone_question, normalise_phone, _phone_typed,
    reasons={"phone": lambda: _("That is not an Indonesian phone number.")},
)  # fmt: skip


async def _what_chosen(update: Update, context: BotContext, what: str) -> str:
    draft = AdvanceDraft.load(context)
    draft.what = what
    draft.save(context)
    if rules.What(what).goods:
        return await DESCRIPTION_STEP.ask(update, context)
    return await AMOUNT_STEP.ask(update, context)


WHAT_STEP = Choice(
    WHAT, WHAT_BUTTONS, lambda: _("What does the farmer receive?"),
    lambda context: [(gettext(rules.WHAT_LABELS[w]), w.value) for w in rules.What], _what_chosen, AdvanceDraft,
)  # fmt: skip


DESCRIPTION_STEP = Typed(
    DESCRIPTION, lambda: _("Type what is given and how much, for example Urea 2 sak."),
    partial(short_text, low=3, high=rules.MAX_DESCRIPTION, reason="advance.description"),
    stored_in(AdvanceDraft, "description", lambda: AMOUNT_STEP),
    reasons={"advance.description": lambda: _("Type 3 to 80 letters.")},
)  # fmt: skip


def _amount_question() -> str:
    return _("Type its value in rupiah, for example 750000.")


async def _amount_typed(update: Update, context: BotContext, amount: int) -> str:
    farmer = await _farmer(context)
    most = await stored.room(context.db, farmer.id, farmer.org_id)
    try:
        rules.check_amount(amount, 0, most)
    except rules.AdvanceRefused:
        await reply(update, _("That is more than the cooperative allows. {name} may receive at most {most} more.").format(
            name=farmer.full_name, most=format_money(most)) + "\n" + _amount_question())  # fmt: skip
        return AMOUNT
    draft = AdvanceDraft.load(context)
    draft.amount = amount
    draft.save(context)
    return await CONFIRM_STEP.ask(update, context)


AMOUNT_STEP = Typed(
    AMOUNT, _amount_question, partial(parse_rupiah, reason="advance.amount", too_high="advance.amount"),
    _amount_typed, reasons={"advance.amount": lambda: _("Type the value in whole rupiah, for example 750000.")},
)  # fmt: skip


async def _summary(context: BotContext) -> str:
    draft = AdvanceDraft.load(context)
    farmer = await _farmer(context)
    what = _what_words(need(draft.what))
    if draft.description:
        what = _("{what}: {description}").format(what=what, description=draft.description)
    return _("Give {name} ({phone}) an advance of {amount} ({what})? It is taken from their next harvests. A second officer must approve it.").format(
        name=farmer.full_name, phone=display_phone(farmer.phone or ""), amount=format_money(need(draft.amount)), what=what)  # fmt: skip


@writes("advance.ask")
async def save(update: Update, context: BotContext) -> int:
    draft = AdvanceDraft.load(context)
    try:
        made = await context.db.write(
            stored.ask, need(draft.farmer_id), rules.What(need(draft.what)), draft.description,
            need(draft.amount), context.person.id, context.person.org_id,
        )  # fmt: skip
    except rules.AdvanceRefused:
        AdvanceDraft.drop(context)
        await reply(update, _("This cannot be saved any more: what the farmer owes has changed. Nothing was saved. Send /saprodi to start again."))  # fmt: skip
        return END
    AdvanceDraft.drop(context)
    await reply(update, _("Advance {number} is waiting for a second officer. I will tell you when it is decided.").format(
        number=made.number))  # fmt: skip
    await _alert_checkers(context, made)
    return END


async def _alert_checkers(context: BotContext, made: stored.Advance) -> None:
    """The cooperative's treasurers and administrators but the maker (the savings desk's list),
    through the outbox: a replay or a crash never asks them twice."""
    farmer = need(await stored.farmer(context.db, made.farmer_id))
    for person_id, chat_id, language in await desk.checkers(context.db, made.org_id, made.maker_id):
        with use_locale(language):
            text = _("Advance {number} from {maker}: {amount} ({what}) for {name}. Approve it?").format(
                number=made.number, maker=context.person.full_name, amount=format_money(made.amount_rupiah),
                what=made.description or _what_words(made.what), name=farmer.full_name)  # fmt: skip
            buttons = [[DECIDE_BUTTONS.button(_("✅ Approve"), f"ok{made.id}"),
                        DECIDE_BUTTONS.button(_("❌ Reject"), f"no{made.id}")]]  # fmt: skip
        await tell(context, key=f"advance-ask:{made.id}:{person_id}", kind="decision",
                   person_id=person_id, chat_id=chat_id, text=text, markup=keyboard(buttons))  # fmt: skip


async def change(update: Update, context: BotContext) -> int:
    AdvanceDraft.drop(context)
    await reply(
        update,
        _("Cancelled. Nothing was saved. To start again, send {command}.").format(
            command="/saprodi"
        ),
    )
    return END


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change, N_("✖️ No, cancel"))


def conversation_handler() -> ConversationHandler:
    return conversation(
        "advances", "saprodi", entry_points=[CommandHandler("saprodi", start)],
        steps=[PHONE_STEP, WHAT_STEP, DESCRIPTION_STEP, AMOUNT_STEP, CONFIRM_STEP], cancel=cancel,
    )  # fmt: skip


# --- the second officer decides --------------------------------------------------------------


@writes("advance.decide")
async def on_decision(update: Update, context: BotContext) -> None:
    found = await advance_decided(
        update, context, DECIDE_BUTTONS, stored.decide, stored.DecisionRefused
    )
    if found is None:
        return
    approve, decided = found
    await _tell_maker(context, decided)
    if approve:
        await _tell_farmer(context, decided)


async def _tell_maker(context: BotContext, decided: stored.Advance) -> None:
    def text() -> str:
        if decided.status == "approved":
            return _("Advance {number} is approved by {name}.").format(
                number=decided.number, name=context.person.full_name
            )
        return _("Advance {number} is rejected by {name}. Nothing was recorded.").format(
            number=decided.number, name=context.person.full_name
        )

    await tell_person(
        context, decided.maker_id, text, key=f"advance-decided:{decided.id}", kind="decision"
    )


async def _tell_farmer(context: BotContext, decided: stored.Advance) -> None:
    """In the farmer's language; a farmer without Telegram hears it from the officer."""
    owed = await stored.outstanding(context.db, decided.farmer_id)

    def text() -> str:
        return _("The cooperative gave you an advance of {amount} ({what}). It is taken from your next harvest payments. You now owe {owed}. Send /utang to see it.").format(
            amount=format_money(decided.amount_rupiah), what=decided.description or _what_words(decided.what),
            owed=format_money(owed))  # fmt: skip

    await tell_person(
        context, decided.farmer_id, text, key=f"advance-given:{decided.id}", kind="advance"
    )


# --- /utang ---------------------------------------------------------------------------------


@for_command("utang")
async def show_debts(update: Update, context: BotContext) -> None:
    person = context.person
    if person.has_any(frozenset({Role.ADMIN, Role.TREASURER})):
        await reply(update, await officer_text(context))
    if Role.FARMER in person.roles:
        await reply(update, await farmer_text(context, person.id))


async def farmer_text(context: BotContext, farmer_id: int) -> str:
    mine = [
        a
        for a in await stored.of_farmer(context.db, farmer_id)
        if a.status in ("approved", "repaid")
    ]
    if not mine:
        return _("You have no input advances.")
    zone = context.person.timezone
    lines = [
        _("You owe {owed} for input advances.").format(owed=format_money(sum(a.left for a in mine)))
    ]
    for advance in mine:
        lines.append(_("{number}, {date}: {amount} ({what}), still owed {left}").format(
            number=advance.number, date=format_date(datetime.fromtimestamp(advance.decided_at, UTC), zone), amount=format_money(advance.amount_rupiah),
            what=advance.description or _what_words(advance.what), left=format_money(advance.left)))  # fmt: skip
    for paid in await stored.repayments(context.db, farmer_id):
        lines.append(_("Repaid from {offer}: {amount}").format(offer=paid.offer_number, amount=format_money(paid.amount_rupiah)))  # fmt: skip
    return "\n".join(lines)


async def officer_text(context: BotContext) -> str:
    org = context.person.org_id
    rows = await stored.owed_in(context.db, None if org == 1 else [org])
    if not rows:
        return _("No farmer owes an input advance.")
    now = now_utc()
    lines = [_("Input advances still owed:")]
    for row in rows[:30]:
        line = _("{name} ({phone}): {left}").format(
            name=row.full_name, phone=display_phone(row.phone or ""), left=format_money(row.left)
        )
        if rules.overdue(row.oldest_at, now):
            line = _("{line} (overdue: given on {date})").format(
                line=line,
                date=format_date(
                    datetime.fromtimestamp(row.oldest_at, UTC), context.person.timezone
                ),
            )
        lines.append(line)
    return "\n".join(lines)


def tawaran_line(owed: int) -> str | None:
    """The line /tawaran adds for a farmer who owes on advances."""
    if owed <= 0:
        return None
    return _("You owe {owed} for input advances. It is taken from your next harvest. Send /utang to see it.").format(owed=format_money(owed))  # fmt: skip
