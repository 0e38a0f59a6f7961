"""An officer's ✅ / ❌ press on a record waiting for a second officer (a saprodi advance, a
cooperative's advance, a loan): the press read, the decision written once by the storage's
``decide`` (it checks who may decide: the officer's cooperative and roles, nobody their own
business) and a refusal answered. Each family keeps its own texts after the decision."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from bot.context import BotContext
from bot.i18n import _
from handlers.kit import Buttons, close_buttons, refuse_button, reply, yes_no_press

Refused = Callable[[Update, Exception], Awaitable[None]]


async def _refuse(update: Update, _refused: Exception) -> None:
    await refuse_button(update)


async def decide_pressed(update: Update, context: BotContext, buttons: Buttons,
                         decide: Callable[..., Any], refusal: type[Exception],
                         on_refused: Refused = _refuse) -> tuple[bool, Any] | None:  # fmt: skip
    """Whether the press said yes and what ``decide`` returned; None when it was refused
    (``on_refused`` has answered, a refused button by default)."""
    approve, decided_id = yes_no_press(buttons, update)
    if context.person is None:
        await refuse_button(update)
        return None
    try:
        decided = await context.db.write(
            decide, decided_id, context.person.id, context.person.org_id,
            context.person.roles, approve,
        )  # fmt: skip
    except refusal as refused:
        await on_refused(update, refused)
        return None
    return approve, decided


async def advance_decided(update: Update, context: BotContext, buttons: Buttons,
                          decide: Callable[..., Any], refusal: type[Exception]) -> tuple[bool, Any] | None:  # fmt: skip
    """An advance's decision, said to the officer: "Advance … is approved/rejected". Whether
    it was approved and what was decided, or None when refused."""
    found = await decide_pressed(update, context, buttons, decide, refusal)
    if found is None:
        return None
    approve, decided = found
    await close_buttons(update, _("✅ Approve") if approve else _("❌ Reject"))
    status = _("approved") if approve else _("rejected")
    await reply(
        update, _("Advance {number} is {status}.").format(number=decided.number, status=status)
    )
    return found
