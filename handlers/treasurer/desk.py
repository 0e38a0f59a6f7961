"""/setor, /tarik and /koreksi: find the member (number, phone or name), the kind and the amount
or the entry and why, a summary, then ✅: a deposit is recorded at once, a withdrawal or a
cancellation waits for a second officer."""

from __future__ import annotations

import logging
from functools import partial

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler

from bot.context import BotContext
from bot.i18n import _, format_money, gettext
from domain import N_
from domain.ledger import LedgerError, SavingsKind, SavingsWithdrawalRefused
from domain.money import check_desk_amount, parse_rupiah
from domain.people import InvalidInput, short_text
from handlers.kit import (
    END,
    TEXT,
    Choice,
    Confirm,
    Step,
    Typed,
    close_buttons,
    conversation,
    need,
    refuse_button,
    reply,
    stored_in,
    writes,
)
from handlers.menus import cancel
from handlers.savings import KIND_LABELS, KIND_WORDS
from handlers.treasurer.common import (
    AMOUNT,
    CONFIRM,
    DEPOSIT,
    ENTRY,
    ENTRY_BUTTONS,
    FIND,
    KIND,
    KIND_BUTTONS,
    MEMBER_BUTTONS,
    PICK,
    REASON,
    REVERSAL,
    WITHDRAWAL,
    DeskDraft,
    member_by_id,
    member_of_draft,
)
from handlers.treasurer.decisions import alert_checkers, summary_of, tell_member
from handlers.wording import in_sentence
from storage import member_orders
from storage import savings as stored
from storage import savings_desk as desk

log = logging.getLogger(__name__)

# --- who ----------------------------------------------------------------------------------


async def start_deposit(update: Update, context: BotContext) -> str:
    DeskDraft(action=DEPOSIT).save(context)
    return await FIND_STEP.ask(update, context)


async def start_withdrawal(update: Update, context: BotContext) -> str:
    DeskDraft(action=WITHDRAWAL, kind=SavingsKind.SUKARELA.value).save(context)
    return await FIND_STEP.ask(update, context)


class FindStep(Step):
    state = FIND

    def _question(self) -> str:
        return _("Which member? Type their member number, phone number or name.")

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, self._question())
        return FIND

    async def on_text(self, update: Update, context: BotContext) -> str:
        typed = update.effective_message.text
        found = await desk.find_members(context.db, context.person.org_id, typed)
        if not found:
            await reply(update, _('I found no member "{typed}". Check it and type it again.').format(
                typed=typed.strip()[:40]) + "\n" + self._question())  # fmt: skip
            return FIND
        if len(found) == 1:
            return await _member_chosen(update, context, str(found[0].id))
        draft = DeskDraft.load(context)
        draft.offered = [str(m.id) for m in found]
        draft.save(context)
        return await PICK_STEP.ask(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


FIND_STEP = FindStep()


async def _candidates(context: BotContext) -> list[tuple[str, str]]:
    found = [await stored.member(context.db, int(i)) for i in DeskDraft.load(context).offered or []]
    return [(f"{m.full_name} ({m.member_number})", str(m.id)) for m in found if m]


class PickMember(Choice):
    async def ask(self, update: Update, context: BotContext, page: int = 0) -> str:
        options = await _candidates(context)
        await reply(update, _("Which one?"), self._markup(options, page))
        return self.state

    async def on_press(self, update: Update, context: BotContext):
        value = self.buttons.value(update)
        if value not in (DeskDraft.load(context).offered or []):
            await refuse_button(update)
            return self.state
        await close_buttons(update)
        return await _member_chosen(update, context, value)


PICK_STEP = PickMember(PICK, MEMBER_BUTTONS, lambda: "", lambda context: [], None, DeskDraft)


async def _member_chosen(update: Update, context: BotContext, roster_id: str) -> str:
    draft = DeskDraft.load(context)
    draft.roster_id = int(roster_id)
    draft.save(context)
    if draft.action == DEPOSIT:
        return await KIND_STEP.ask(update, context)
    if draft.action == REVERSAL:
        return await ENTRY_STEP.ask(update, context)
    return await AMOUNT_STEP.ask(update, context)


async def _kind_chosen(update: Update, context: BotContext, kind: str) -> str:
    draft = DeskDraft.load(context)
    draft.kind = kind
    draft.save(context)
    return await AMOUNT_STEP.ask(update, context)


KIND_STEP = Choice(
    KIND, KIND_BUTTONS, lambda: _("Which savings?"),
    lambda context: [(gettext(KIND_LABELS[k]), k.value) for k in SavingsKind], _kind_chosen, DeskDraft,
)  # fmt: skip


# --- how much ----------------------------------------------------------------------------


class AmountStep(Step):
    state = AMOUNT

    async def _question(self, context: BotContext) -> str:
        draft = DeskDraft.load(context)
        member = await member_of_draft(context)
        kind = SavingsKind(need(draft.kind))
        balance = (await stored.balances(context.db, member.id))[kind]
        return _("Balance of {kind} of {name} ({number}): {balance}. Type the amount, for example 50000.").format(
            name=member.full_name, number=member.member_number, balance=format_money(balance),
            kind=in_sentence(gettext(KIND_LABELS[kind])),
        )  # fmt: skip

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, await self._question(context))
        return AMOUNT

    async def on_text(self, update: Update, context: BotContext) -> str:
        draft = DeskDraft.load(context)
        try:
            most = await desk.limit(context.db, (await member_of_draft(context)).org_id)
            amount = check_desk_amount(
                parse_rupiah(update.effective_message.text, too_high="amount.too_high"), most
            )
        except InvalidInput as refused:
            why = (
                _("At most {most} at a time. Record a larger amount as several entries.").format(
                    most=format_money(most)
                )
                if refused.reason == "amount.too_high"
                else _("Type the amount in whole rupiah, for example 50000.")
            )
            await reply(update, why + "\n" + await self._question(context))
            return AMOUNT
        if draft.action == WITHDRAWAL:
            balance = await desk.withdrawable(
                context.db, need(draft.roster_id), SavingsKind(need(draft.kind))
            )
            if amount > balance:
                held = await member_orders.held(context.db, need(draft.roster_id))
                text = (
                    _("That is more than can be withdrawn: {balance}. {held} is held for goods the member ordered.")
                    if held and SavingsKind(need(draft.kind)) is SavingsKind.SUKARELA
                    else _("That is more than the balance of {balance}.")
                ).format(balance=format_money(balance), held=format_money(held))  # fmt: skip
                await reply(update, text + "\n" + await self._question(context))
                return AMOUNT
        draft.amount = amount
        draft.save(context)
        return await CONFIRM_STEP.ask(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


AMOUNT_STEP = AmountStep()


# --- /koreksi: which entry, why -------------------------------------------------------------


async def start_reversal(update: Update, context: BotContext) -> str:
    DeskDraft(action=REVERSAL).save(context)
    return await FIND_STEP.ask(update, context)


class EntryChoice(Choice):
    """The member's latest entries (not undone, not corrections themselves) as buttons."""

    async def ask(self, update: Update, context: BotContext, page: int = 0) -> str | int:
        draft = DeskDraft.load(context)
        lines = await stored.recent(context.db, need(draft.roster_id), limit=8)
        options: dict[int, list[str]] = {}
        for line in lines:
            if line.reversed_by or line.reverses:
                continue
            change = ("+" if line.change > 0 else "−") + format_money(abs(line.change))
            options.setdefault(line.entry_id, []).append(
                f"{change} {gettext(KIND_WORDS[line.kind])}"
            )
        if not options:
            DeskDraft.drop(context)
            await reply(update, _("This member has no entry that can be undone."))
            return END
        draft.offered = [str(e) for e in options]
        draft.labels = [f"#{entry} " + ", ".join(parts) for entry, parts in options.items()]
        draft.save(context)
        return await super().ask(update, context, page)


def _entry_options(context: BotContext) -> list[tuple[str, str]]:
    draft = DeskDraft.load(context)
    return list(zip(draft.labels or [], draft.offered or [], strict=False))


async def _entry_chosen(update: Update, context: BotContext, entry_id: str) -> str:
    draft = DeskDraft.load(context)
    draft.entry_id = int(entry_id)
    draft.save(context)
    return await REASON_STEP.ask(update, context)


ENTRY_STEP = EntryChoice(
    ENTRY, ENTRY_BUTTONS, lambda: _("Which entry is wrong? The latest ones:"), _entry_options, _entry_chosen, DeskDraft,
)  # fmt: skip


REASON_STEP = Typed(
    REASON, lambda: _("Why must it be undone? Type the reason in a few words."),
    partial(short_text, low=3, high=120, reason="desk.reason"), stored_in(DeskDraft, "reason", lambda: CONFIRM_STEP),
    reasons={"desk.reason": lambda: _("Type the reason in 3 to 120 letters.")},
)  # fmt: skip


# --- the summary, and what happens at ✅ -------------------------------------------------------


async def _summary(context: BotContext) -> str:
    draft = DeskDraft.load(context)
    member = await member_of_draft(context)
    who = _("{name} ({number})").format(name=member.full_name, number=member.member_number)
    if draft.action == REVERSAL:
        text = _("Undo entry {number} of {member}? Reason: {reason}. A second officer must approve it.").format(
            number=draft.entry_id, member=who, reason=draft.reason)  # fmt: skip
    else:
        kind = in_sentence(gettext(KIND_LABELS[SavingsKind(need(draft.kind))]))
        text = (
            _("Deposit {amount} to {kind} of {member}?") if draft.action == DEPOSIT
            else _("Withdraw {amount} from {kind} of {member}? A second officer must approve it.")
        ).format(amount=format_money(need(draft.amount)), kind=kind, member=who)  # fmt: skip
    return text


async def save(update: Update, context: BotContext) -> int:
    action = DeskDraft.load(context).action
    if action == DEPOSIT:
        return await _save_deposit(update, context)
    return await _save_request(update, context)


@writes("savings.deposit")
async def _save_deposit(update: Update, context: BotContext) -> int:
    draft = DeskDraft.load(context)
    kind = SavingsKind(need(draft.kind))
    entry, savings = await context.db.write(
        desk.deposit, need(draft.roster_id), kind, need(draft.amount), context.person.id
    )
    DeskDraft.drop(context)
    member = await member_by_id(context, entry)
    await reply(update, _("Saved as entry {number}. {kind} of {name} is now {balance}.").format(
        number=entry.id, kind=in_sentence(gettext(KIND_LABELS[kind])), name=member.full_name, balance=format_money(savings[kind])))  # fmt: skip
    await tell_member(context, member, lambda: _("Your deposit of {amount} to {kind} is recorded. It is now {balance}.").format(
        amount=format_money(draft.amount), kind=in_sentence(gettext(KIND_LABELS[kind])), balance=format_money(savings[kind])),
        key=f"deposit:{entry.id}")  # fmt: skip
    return END


@writes("savings.request")
async def _save_request(update: Update, context: BotContext) -> int:
    draft = DeskDraft.load(context)
    try:
        if draft.action == WITHDRAWAL:
            made = await context.db.write(
                desk.ask_withdrawal, need(draft.roster_id), SavingsKind(need(draft.kind)), need(draft.amount), context.person.id
            )  # fmt: skip
        else:
            made, _entry = await context.db.write(
                desk.ask_reversal, context.person.org_id, need(draft.entry_id), need(draft.reason), context.person.id
            )  # fmt: skip
    except (SavingsWithdrawalRefused, desk.NotReversible, LedgerError):
        DeskDraft.drop(context)
        await reply(
            update,
            _(
                "This cannot be done any more: the balance or the entry has changed. Nothing was saved."
            ),
        )
        return END
    DeskDraft.drop(context)
    await reply(
        update,
        _(
            "Request {number} is waiting for a second officer. I will tell you when it is decided."
        ).format(number=made.id),
    )
    await alert_checkers(context, made, await summary_of(context, made))
    return END


async def change(update: Update, context: BotContext) -> int:
    command = {DEPOSIT: "/setor", WITHDRAWAL: "/tarik", REVERSAL: "/koreksi"}.get(
        DeskDraft.load(context).action, "/setor"
    )
    DeskDraft.drop(context)
    await reply(
        update,
        _("Cancelled. Nothing was saved. To start again, send {command}.").format(command=command),
    )
    return END


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change, N_("✖️ No, cancel"))


def conversation_handler() -> ConversationHandler:
    return conversation(
        "savings_desk", "setor",
        entry_points=[CommandHandler("setor", start_deposit), CommandHandler("tarik", start_withdrawal),
                      CommandHandler("koreksi", start_reversal)],
        steps=[FIND_STEP, PICK_STEP, KIND_STEP, AMOUNT_STEP, ENTRY_STEP, REASON_STEP, CONFIRM_STEP], cancel=cancel,
    )  # fmt: skip
