"""The treasurer's desk in the bot: /setor records a deposit at once; /tarik (a sukarela
withdrawal) and /koreksi (a reversal of an entry) wait for a second officer, who gets
[Setujui] [Tolak]. Nobody approves their own request; the member is told when it is done.

Finding the member: their number, phone or name (typos forgiven); several matches come as
buttons."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler

from bot.broadcast import notify
from bot.context import BotContext
from bot.i18n import _, format_money, gettext, use_locale
from domain.ledger import LedgerError, SavingsKind, SavingsWithdrawalRefused
from domain.people import InvalidInput, short_text
from domain.quantity import parse_rupiah
from handlers.kit import (
    END,
    TEXT,
    Buttons,
    Choice,
    Confirm,
    Draft,
    Step,
    Typed,
    close_buttons,
    conversation,
    keyboard,
    need,
    refuse_button,
    reply,
    stored_in,
    writes,
)
from handlers.menus import cancel
from handlers.savings import KIND_LABELS, KIND_WORDS
from storage import people
from storage import savings as stored
from storage import savings_desk as desk
from storage.outbox import OutgoingMessage

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


async def _member(context: BotContext) -> stored.Member:
    return need(await stored.member(context.db, need(DeskDraft.load(context).roster_id)))


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
        member = await _member(context)
        kind = SavingsKind(need(draft.kind))
        balance = (await stored.balances(context.db, member.id))[kind]
        return _("{name} ({number}) has {balance} in {kind}. How much? Type the amount, for example 50.000.").format(
            name=member.full_name, number=member.member_number, balance=format_money(balance),
            kind=gettext(KIND_LABELS[kind]),
        )  # fmt: skip

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, await self._question(context))
        return AMOUNT

    async def on_text(self, update: Update, context: BotContext) -> str:
        draft = DeskDraft.load(context)
        try:
            amount = parse_rupiah(update.effective_message.text)
        except InvalidInput:
            await reply(
                update,
                _("Type the amount in whole rupiah, for example 50.000.")
                + "\n"
                + await self._question(context),
            )
            return AMOUNT
        if draft.action == WITHDRAWAL:
            balance = (await stored.balances(context.db, need(draft.roster_id)))[
                SavingsKind(need(draft.kind))
            ]
            if amount > balance:
                await reply(update, _("That is more than the balance of {balance}.").format(
                    balance=format_money(balance)) + "\n" + await self._question(context))  # fmt: skip
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
    member = await _member(context)
    who = _("{name} ({number})").format(name=member.full_name, number=member.member_number)
    if draft.action == REVERSAL:
        text = _("Undo entry {number} of {member}? Reason: {reason}. A second officer must approve it.").format(
            number=draft.entry_id, member=who, reason=draft.reason)  # fmt: skip
    else:
        kind = gettext(KIND_LABELS[SavingsKind(need(draft.kind))])
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
    member = await _member_by_id(context, entry)
    await reply(update, _("Saved as entry {number}. {kind} of {name} is now {balance}.").format(
        number=entry.id, kind=gettext(KIND_LABELS[kind]), name=member.full_name, balance=format_money(savings[kind])))  # fmt: skip
    await _tell_member(context, member, lambda: _("Your deposit of {amount} to {kind} is recorded. It is now {balance}.").format(
        amount=format_money(draft.amount), kind=gettext(KIND_LABELS[kind]), balance=format_money(savings[kind])))  # fmt: skip
    return END


async def _member_by_id(context: BotContext, entry) -> stored.Member:
    return need(
        await stored.member(context.db, need(await desk.roster_of_entry(context.db, entry.id)))
    )


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
    await _alert_checkers(context, made, await _summary_of(context, made))
    return END


async def _summary_of(context: BotContext, made: desk.Request) -> tuple[str, str]:
    member = need(
        await stored.member(
            context.db, made.roster_id or await desk.roster_of_entry(context.db, made.entry_id)
        )
    )
    return member.full_name, member.member_number


async def _alert_checkers(context: BotContext, made: desk.Request, member: tuple[str, str]) -> None:
    sent = []
    for person_id, chat_id, language in await desk.checkers(context.db, made.org_id, made.maker_id):
        with use_locale(language):
            text = _request_text(made, member, context.person.full_name)
            buttons = keyboard([[DECIDE_BUTTONS.button(_("✅ Approve"), f"ok{made.id}"),
                                 DECIDE_BUTTONS.button(_("❌ Reject"), f"no{made.id}")]])  # fmt: skip
        try:
            message = await context.bot.send_message(
                chat_id, text, reply_markup=buttons, rate_limit_args=BULK
            )
        except TelegramError as exc:
            log.info("request %s not sent to %s: %s", made.id, person_id, exc)
            continue
        sent.append((person_id, chat_id, message.message_id))
    if sent:
        await context.db.write(desk.record_alerts, made.id, sent)
    else:
        log.warning("request %s: no second officer to approve it", made.id)


def _request_text(made: desk.Request, member: tuple[str, str], maker: str) -> str:
    who = _("{name} ({number})").format(name=member[0], number=member[1])
    if made.action == REVERSAL:
        what = _("undo entry {number} of {member}: {reason}").format(
            number=made.entry_id, member=who, reason=made.reason
        )
    else:
        what = _("withdraw {amount} from {kind} of {member}").format(
            amount=format_money(made.amount), kind=gettext(KIND_LABELS[SavingsKind(made.savings_kind)]), member=who)  # fmt: skip
    return _("Request {number} from {maker}: {what}. Approve it?").format(
        number=made.id, maker=maker, what=what
    )


# --- the second officer decides ----------------------------------------------------------------


@writes("savings.decide")
async def on_decision(update: Update, context: BotContext) -> None:
    value = DECIDE_BUTTONS.value(update)
    approve, request_id = value.startswith("ok"), int(value[2:])
    if context.person is None:
        await refuse_button(update)
        return
    try:
        decided = await context.db.write(
            desk.decide, request_id, context.person.id, context.person.roles, approve
        )
    except desk.DecisionRefused:
        await refuse_button(update)
        return
    except (SavingsWithdrawalRefused, LedgerError):
        await close_buttons(update)
        await reply(
            update,
            _(
                "Request {number} cannot be applied any more: the balance has changed. Reject it."
            ).format(number=request_id),
        )
        return
    await close_buttons(update, _("✅ Approve") if approve else _("❌ Reject"))
    status = _("approved") if approve else _("rejected")
    await reply(update, _("Request {number} is {status}.").format(number=request_id, status=status))
    await _close_other_alerts(context, decided)
    await _tell_maker(context, decided)
    if approve:
        await _tell_member_of(context, decided)


async def _close_other_alerts(context: BotContext, decided: desk.Request) -> None:
    for person_id, chat_id, message_id in await desk.alerts(context.db, decided.id):
        if person_id == context.person.id:
            continue
        who = await people.by_id(context.db, person_id)
        with use_locale(who.language if who else "id"):
            text = _("Request {number} was decided by {name}.").format(
                number=decided.id, name=context.person.full_name
            )
        try:
            await context.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, rate_limit_args=BULK
            )
        except TelegramError as exc:
            log.debug("request alert %s/%s not edited: %s", chat_id, message_id, exc)


async def _tell_maker(context: BotContext, decided: desk.Request) -> None:
    maker = await people.by_id(context.db, decided.maker_id)
    if not (maker and maker.chat_id):
        return
    with use_locale(maker.language):
        text = (
            _("Request {number} is approved by {name} and recorded.") if decided.status == "approved"
            else _("Request {number} is rejected by {name}. Nothing was recorded.")
        ).format(number=decided.id, name=context.person.full_name)  # fmt: skip
    await notify(
        context.db, context.bot_data.outbox, key=f"decided:{decided.id}", kind="decision",
        messages=[OutgoingMessage(maker.id, maker.chat_id, text)],
    )  # fmt: skip


async def _tell_member_of(context: BotContext, decided: desk.Request) -> None:
    roster_id = decided.roster_id or await desk.roster_of_entry(context.db, decided.entry_id)
    member = await stored.member(context.db, roster_id)
    savings = await stored.balances(context.db, roster_id)

    def text() -> str:
        if decided.action == WITHDRAWAL:
            kind = SavingsKind(decided.savings_kind)
            return _("Your withdrawal of {amount} from {kind} is done. It is now {balance}.").format(
                amount=format_money(decided.amount), kind=gettext(KIND_LABELS[kind]), balance=format_money(savings[kind]))  # fmt: skip
        return _("The cooperative corrected entry {number} of your savings: {reason}. Your total is now {total}.").format(
            number=decided.entry_id, reason=decided.reason, total=format_money(savings.total))  # fmt: skip

    await _tell_member(context, member, text)


async def _tell_member(context: BotContext, member: stored.Member, text) -> None:
    """A member who registered in the bot hears of a change to their savings."""
    person = await people.by_id(context.db, member.person_id) if member.person_id else None
    if not (person and person.chat_id and person.reachable):
        return
    with use_locale(person.language):
        message = text()
    try:
        await context.bot.send_message(person.chat_id, message, rate_limit_args=BULK)
    except TelegramError as exc:
        log.info("member %s not told: %s", member.id, exc)


async def change(update: Update, context: BotContext) -> int:
    DeskDraft.drop(context)
    await reply(update, _("Nothing was saved. Send the command again to start over."))
    return END


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change)


def conversation_handler() -> ConversationHandler:
    return conversation(
        "savings_desk", "setor",
        entry_points=[CommandHandler("setor", start_deposit), CommandHandler("tarik", start_withdrawal),
                      CommandHandler("koreksi", start_reversal)],
        steps=[FIND_STEP, PICK_STEP, KIND_STEP, AMOUNT_STEP, ENTRY_STEP, REASON_STEP, CONFIRM_STEP], cancel=cancel,
    )  # fmt: skip
