"""/shu for a cooperative's officers: the year's SHU a treasurer proposed (``koperasi-bot shu
propose``) waits here for a second officer's [✅ Approve and post]; never the maker's. The
approval posts each member's part to their simpanan sukarela, once (storage.shu.approve)."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.i18n import _, format_money
from handlers.kit import Buttons, close_buttons, for_command, keyboard, refuse_button, reply, writes
from storage import people
from storage import shu as stored

APPROVE_BUTTONS = Buttons("shuok", value=r"[0-9]", max_length=12)  # <posting id>


def _refusal(reason: str, year: int) -> str:
    texts = {
        "shu.posted": _("The SHU {year} is already posted. Nothing more was recorded."),
        "shu.own": _("You proposed the SHU {year}. Another officer approves it."),
        "shu.changed": _(
            "The books changed after the SHU {year} was proposed. Ask the treasurer to propose it again."
        ),
        "shu.nothing": _("There is no SHU to share in {year}. Nothing was recorded."),
        "shu.no_rules": _("The cooperative has no SHU percentages for {year}. Nothing was recorded."),
    }  # fmt: skip
    return texts.get(reason, _("This button is no longer active.")).format(year=year)


@for_command("shu")
async def show_waiting(update: Update, context: BotContext) -> None:
    waiting = await stored.waiting(context.db, context.person.org_id)
    if not waiting:
        await reply(update, _("No SHU is waiting for approval."))
        return
    for found in waiting:
        maker = await people.by_id(context.db, found.proposed_by)
        lines = [
            _("SHU {year}, proposed by {name}").format(year=found.year, name=maker.full_name),
            _("SHU: {amount}").format(amount=format_money(found.shu)),
            _("Members' part: {amount}").format(amount=format_money(found.members)),
        ]
        if found.proposed_by == context.person.id:
            lines.append(_("Another officer approves it."))
            await reply(update, "\n".join(lines))
            continue
        lines.append(_("Approve it? Each member's part goes to their voluntary savings."))
        button = APPROVE_BUTTONS.button(_("✅ Approve and post"), str(found.id))
        await reply(update, "\n".join(lines), keyboard([[button]]))


@writes("shu.approve")
async def on_approve(update: Update, context: BotContext) -> None:
    found = await stored.proposal_by_id(context.db, int(APPROVE_BUTTONS.value(update)))
    if context.person is None or found is None:
        await refuse_button(update)
        return
    try:
        posted = await context.db.write(stored.approve, found.org_id, found.year, context.person.id)
    except stored.PostingRefused as exc:
        if exc.reason == "shu.not_officer":  # another cooperative's, or not an officer
            await refuse_button(update)
            return
        await close_buttons(update)
        await reply(update, _refusal(exc.reason, found.year))
        return
    await close_buttons(update, _("✅ Approve and post"))
    await reply(
        update,
        _("SHU {year} is posted. {amount} went to the members' voluntary savings.").format(
            year=posted.year, amount=format_money(posted.members)
        ),
    )
