"""Administrators: invite links for staff (the same as `koperasi-bot invite`)."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update

from bot.context import BotContext
from bot.i18n import _, format_date, format_time
from domain.invites import deep_link
from domain.people import ROLE_WORDS, STAFF_ROLES
from handlers.kit import for_command, reply, writes
from handlers.menus import role_label
from storage import invites


@for_command("invite")
@writes("admin.invite")
async def make_invite(update: Update, context: BotContext) -> None:
    word = context.args[0].lower() if context.args else ""
    role = ROLE_WORDS.get(word)
    if role not in STAFF_ROLES:
        await reply(
            update,
            _(
                "Which role is the invite for? Send for example: /invite koordinator (or bendahara, admin, penjaga)."
            ),
        )
        return
    invite = await context.db.write(
        invites.create, role=role, org_id=context.person.org_id,
        valid_hours=context.settings.invite_hours, created_by=context.person.id,
    )  # fmt: skip
    until = datetime.fromtimestamp(invite.expires_at, UTC)
    tz = context.person.timezone
    await reply(update, _("Invite link for the role {role}. It works once, until {date} at {time}:\n{link}").format(
        role=role_label(role), date=format_date(until, tz), time=format_time(until, tz),
        link=deep_link(context.bot.username, invite.code),
    ))  # fmt: skip
