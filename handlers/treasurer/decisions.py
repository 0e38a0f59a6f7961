"""The second officer's [Setujui] [Tolak]: never the maker's own request; the maker and the
member are told, the other officers' buttons closed."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.i18n import _, format_money, gettext, use_locale
from bot.notices import notify
from domain.ledger import LedgerError, SavingsKind, SavingsWithdrawalRefused
from handlers.kit import (
    close_buttons,
    keyboard,
    need,
    refuse_button,
    reply,
    tell,
    writes,
    yes_no_press,
)
from handlers.savings import KIND_LABELS
from handlers.treasurer.common import BULK, DECIDE_BUTTONS, REVERSAL, WITHDRAWAL
from handlers.wording import in_sentence
from storage import people
from storage import savings as stored
from storage import savings_desk as desk
from storage.outbox import OutgoingMessage

log = logging.getLogger(__name__)


async def summary_of(context: BotContext, made: desk.Request) -> tuple[str, str]:
    member = need(
        await stored.member(
            context.db, made.roster_id or await desk.roster_of_entry(context.db, made.entry_id)
        )
    )
    return member.full_name, member.member_number


async def alert_checkers(context: BotContext, made: desk.Request, member: tuple[str, str]) -> None:
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
        what = _("undo entry {number} of {member}, because {reason}").format(
            number=made.entry_id, member=who, reason=made.reason
        )
    else:
        what = _("withdraw {amount} from {kind} of {member}").format(
            amount=format_money(made.amount), kind=in_sentence(gettext(KIND_LABELS[SavingsKind(made.savings_kind)])), member=who)  # fmt: skip
    return _("Request {number} from {maker}: {what}. Approve it?").format(
        number=made.id, maker=maker, what=what
    )


# --- the second officer decides ----------------------------------------------------------------


@writes("savings.decide")
async def on_decision(update: Update, context: BotContext) -> None:
    approve, request_id = yes_no_press(DECIDE_BUTTONS, update)
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
                amount=format_money(decided.amount), kind=in_sentence(gettext(KIND_LABELS[kind])), balance=format_money(savings[kind]))  # fmt: skip
        return _("The cooperative cancelled a wrong entry in your savings. Reason: {reason}. Your total is now {total}. Send /mutasi to see it.").format(
            number=decided.entry_id, reason=decided.reason, total=format_money(savings.total))  # fmt: skip

    await tell_member(context, member, text, key=f"decided-member:{decided.id}")


async def tell_member(context: BotContext, member: stored.Member, text, *, key: str) -> None:
    """A member who registered in the bot hears of a change to their savings."""
    person = await people.by_id(context.db, member.person_id) if member.person_id else None
    if not (person and person.chat_id and person.reachable):
        return
    with use_locale(person.language):
        message = text()
    await tell(context, key=key, kind="savings", person_id=person.id, chat_id=person.chat_id,
               text=message)  # fmt: skip
