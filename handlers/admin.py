"""Administrators: invite links for staff (the same as `koperasi-bot invite`): for their own
cooperative, or with a code for a cooperative of their network (``/invite ketua kdkmp-kujon``)."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update

from bot.context import BotContext
from bot.i18n import _, format_date, format_time
from domain.invites import deep_link
from domain.network import role_fits
from domain.people import ROLE_WORDS, STAFF_ROLES
from handlers.kit import for_command, reply, writes
from handlers.menus import role_label
from storage import invites, orgs


def _role_and_code(args: list[str]) -> tuple[str, str | None]:
    """``ketua kdkmp-kujon`` → ("ketua", "kdkmp-kujon"); ``pengelola gerai`` → (that, None)."""
    words = [a.lower() for a in args]
    if " ".join(words) in ROLE_WORDS or len(words) < 2:
        return " ".join(words), None
    return " ".join(words[:-1]), args[-1]


@for_command("invite")
@writes("admin.invite")
async def make_invite(update: Update, context: BotContext) -> None:
    word, code = _role_and_code(context.args or [])
    role = ROLE_WORDS.get(word)
    if role not in STAFF_ROLES:
        await reply(
            update,
            _(
                "Which role is the invite for? Send for example: /invite koordinator (or bendahara, admin, penjaga, ketua, pengelola gerai)."
            ),
        )
        return
    org = await orgs.by_id(context.db, context.person.org_id)
    if code is not None:
        org = await orgs.by_code(context.db, code)
        if org is None or org.id not in await orgs.below(context.db, context.person.org_id):
            await reply(update, _("Your network has no cooperative with the code {code}. Send /koperasi to see them.").format(code=code))  # fmt: skip
            return
    if not role_fits(role, org.kind):
        await reply(update, _("The role {role} is only for a village cooperative. Send for example: /invite {word} kdkmp-kujon").format(
            role=role_label(role), word=word,
        ))  # fmt: skip
        return
    invite = await context.db.write(
        invites.create, role=role, org_id=org.id,
        valid_hours=context.settings.invite_hours, created_by=context.person.id,
    )  # fmt: skip
    until = datetime.fromtimestamp(invite.expires_at, UTC)
    tz = context.person.timezone
    text = (
        _("Invite link for the role {role}. It works once, until {date} at {time}:\n{link}")
        if org.id == context.person.org_id
        else _("Invite link for the role {role} at {org}. It works once, until {date} at {time}:\n{link}")
    )  # fmt: skip
    await reply(update, text.format(
        role=role_label(role), org=org.name, date=format_date(until, tz), time=format_time(until, tz),
        link=deep_link(context.bot.username, invite.code),
    ))  # fmt: skip
