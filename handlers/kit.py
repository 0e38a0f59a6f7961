"""The conversation kit: one way to write a conversation, so that every flow is short and
alike and gets the same safety for free.

* :func:`conversation` adds the name, persistence, ``/cancel``, a reminder in button
  states and the role check on every state callback (roles from ``domain.commands``).
  It is a :class:`KitConversation`: one conversation runs per chat (starting one ends the
  other, saying so; ``/cancel`` ends all), and an answer after a day finds it expired.
* :class:`Buttons` is typed callback data: one registry, unique prefixes, values parsed
  strictly (ASCII only) and within Telegram's 64 bytes; anything else is "no longer valid".
* :class:`Draft` is a typed draft (a dataclass per conversation) kept in ``user_data``
  under the conversation running, and gone with it.
* Steps: :class:`Choice` (buttons, paged by the kit's own "More" family, "none of these"), :class:`Typed` (a domain
  parser that raises ``InvalidInput``; the question comes again) and :class:`Confirm`
  (summary, Yes / Change).
* :func:`writes` declares a handler that writes; only declared handlers may write while an
  update is processed (``storage.db.Database.write``), and the replay-after-crash test finds
  every one of them in the handler registry.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import functools
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import unparsed
from bot.context import BotContext
from bot.i18n import _, use_locale
from bot.notices import notify
from domain import N_
from domain.commands import BY_NAME
from domain.people import InvalidInput, Role
from storage import people
from storage.db import current_update_id, current_writer
from storage.outbox import OutgoingMessage

log = logging.getLogger(__name__)

END = ConversationHandler.END
# A new text message: an edit of an earlier one never answers the question asked now.
TEXT = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
Callback = Callable[[Update, BotContext], Awaitable[Any]]
D = TypeVar("D", bound="Draft")
MAX_CALLBACK_BYTES = 64


def clock() -> datetime:
    """Now, for conversations' ages and the days buttons name (tests move it)."""
    return datetime.now(UTC)


def today(zone: str) -> date:
    """The date where the person lives, by :func:`clock`."""
    return clock().astimezone(ZoneInfo(zone)).date()


# Day buttons and drafts carry the date the label showed (never "in N days", which moves at
# midnight between the question and the press).
def day_value(day: date) -> str:
    return f"{day:%Y%m%d}"


def parse_day(value: str | None) -> date | None:
    try:
        return datetime.strptime(value or "", "%Y%m%d").date()
    except ValueError:
        return None


async def day_gone(update: Update, context: BotContext, day: date | None) -> bool:
    """True, and the person told, when ``day`` has passed where they live (the question is
    asked again by the caller)."""
    if day is not None and day >= today(context.person.timezone):
        return False
    await reply(update, _("That day has already passed. Please pick the day again."))
    return True


# --- replies ---------------------------------------------------------------------------


#: Telegram's longest message text, in UTF-16 code units (an emoji counts two).
TEXT_LIMIT = 4096


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(line: str, limit: int) -> tuple[str, str]:
    """The longest head of ``line`` within ``limit``, and the rest."""
    cut = min(len(line), limit)
    while _utf16(line[:cut]) > limit:
        cut -= 1
    return line[:cut], line[cut:]


def message_pieces(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """``text`` in messages Telegram takes: cut at line breaks, a longer line where it must.
    A list grown past what anyone planned is sent whole, in parts, rather than refused."""
    if _utf16(text) <= limit:
        return [text]
    pieces: list[str] = []
    current: str | None = None
    for line in text.split("\n"):
        while _utf16(line) > limit:  # one line longer than a message
            head, line = _cut(line, limit)
            if current is not None:
                pieces.append(current)
                current = None
            pieces.append(head)
        joined = line if current is None else f"{current}\n{line}"
        if _utf16(joined) > limit:
            pieces.append(current)
            current = line
        else:
            current = joined
    if current is not None:
        pieces.append(current)
    return [piece for piece in pieces if piece.strip()] or [text[:limit]]


async def reply(update: Update, text: str, markup: object = None) -> None:
    """Answer in the chat the update came from (message or button press). Nothing reads the
    sent message: Telegram's answer is not parsed (``bot.unparsed``). A text over Telegram's
    limit goes in parts, the buttons with the last."""
    pieces = message_pieces(text)
    for piece in pieces[:-1]:
        await unparsed.send_message(update.get_bot(), update.effective_chat.id, piece)
    await unparsed.send_message(update.get_bot(), update.effective_chat.id, pieces[-1], markup)


async def answer_query(update: Update, text: str | None = None) -> None:
    """Answer a button press. A query Telegram no longer accepts (too old, e.g. pressed
    while the bot was down) is normal: go on without answering it."""
    try:
        await update.callback_query.answer(text)
    except BadRequest as exc:
        log.debug("button press not answered: %s", exc)


async def close_buttons(update: Update, chosen: str | None = None) -> None:
    """Answer a button press and take its buttons away, showing what was chosen, so the
    same question cannot be answered twice. A typed answer has no buttons to close (a
    use case shared by a press and a typed step may call this for both)."""
    query = update.callback_query
    if query is None:
        return
    await answer_query(update)
    message = query.message
    if message is None:  # an inline message: no buttons of a chat to close
        return
    text = message.text
    bot = update.get_bot()
    try:  # the edited message is not read: Telegram's answer is not parsed (bot.unparsed)
        if chosen and text:
            mark = (
                chosen if not chosen[:1].isalnum() else f"✅ {chosen}"
            )  # an emoji marks it already
            await unparsed.edit_message_text(
                bot, message.chat.id, message.message_id, f"{text}\n\n{mark}"
            )
        else:
            await unparsed.edit_message_reply_markup(bot, message.chat.id, message.message_id)
    except TelegramError as exc:  # the message is gone or already edited: nothing to close
        log.debug("could not close buttons: %s", exc)


async def refuse_button(update: Update, context: BotContext | None = None) -> None:
    """A button from an old message, a forged one, or a value never offered; reached from a
    typed step, it is said in the chat."""
    if update.callback_query is None:
        await reply(update, _("This button is no longer active."))
        return
    await answer_query(update, _("This button is no longer active."))


# --- typed callback data -------------------------------------------------------------------


class Buttons:
    """A family of inline buttons: ``prefix:value``, the value parsed strictly."""

    registry: ClassVar[dict[str, Buttons]] = {}

    def __init__(self, prefix: str, *, value: str = r"[a-z0-9_]", max_length: int = 16) -> None:
        if prefix in Buttons.registry:
            raise ValueError(f"callback prefix {prefix!r} is used twice")
        if not re.fullmatch(r"[a-z]{1,8}", prefix):
            raise ValueError(f"callback prefix {prefix!r}: 1-8 lower-case letters")
        self.prefix = prefix
        self.max_length = max_length
        self.regex = re.compile(rf"^{prefix}:({value}{{1,{max_length}}})$", re.ASCII)
        Buttons.registry[prefix] = self

    @property
    def max_bytes(self) -> int:
        return len(self.prefix) + 1 + self.max_length

    def data(self, value: str) -> str:
        data = f"{self.prefix}:{value}"
        if not self.regex.match(data) or len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"{value!r} is not a value of {self.prefix!r} buttons")
        return data

    def button(self, label: str, value: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=self.data(value))

    def value(self, update: Update) -> str | None:
        match = self.regex.match(update.callback_query.data or "")
        return match[1] if match else None

    def handler(self, callback: Callback, only: str | None = None) -> CallbackQueryHandler:
        """Presses of this family (or only of the value ``only``) go to ``callback``."""
        pattern = re.compile(rf"^{self.prefix}:({re.escape(only)})$") if only else self.regex
        return CallbackQueryHandler(callback, pattern=pattern)


def yes_no_press(buttons: Buttons, update: Update) -> tuple[bool, int]:
    """A press of a family whose values are ``ok<id>`` / ``no<id>`` (its pattern allows only
    those, 12 digits at most): whether it says yes, and the id."""
    value = buttons.value(update)
    return value.startswith("ok"), int(value[2:])


def keyboard(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows])


# --- typed drafts ------------------------------------------------------------------------


@dataclasses.dataclass
class Draft:
    """A conversation's answers so far, kept as a plain dict (it is persisted as JSON) under
    the conversation that is running (see :class:`KitConversation`): two conversations
    using the same draft class (/jual and /jualkan) never share answers, and a draft ends
    with its conversation. Subclasses are dataclasses with defaults for every field."""

    key: ClassVar[str] = "draft"

    @classmethod
    def load(cls: type[D], context: BotContext) -> D:
        stored = _drafts(context).get(cls.key) or {}
        known = _field_names(cls)
        return cls(**{k: v for k, v in stored.items() if k in known})

    def save(self, context: BotContext) -> None:
        # a copy of the plain values (what asdict gives, at a fifth of its time)
        _drafts(context)[self.key] = {k: _plain(v) for k, v in vars(self).items()}

    @classmethod
    def drop(cls, context: BotContext) -> None:
        _drafts(context).pop(cls.key, None)


@functools.cache
def _field_names(draft: type[Draft]) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(draft))


def _plain(value: Any) -> Any:
    return [_plain(v) for v in value] if isinstance(value, list) else value


class DraftLost(Exception):
    """A step found an answer it needs missing (the draft was dropped elsewhere)."""


def need(value: Any) -> Any:
    if value is None:
        raise DraftLost
    return value


# --- work that need not hold up the person's update ------------------------------------------

# Sends to other people (alerts to 50 coordinators through the bulk lane, their edits) run
# after the update is answered, so the update frees its processing slot at once: awaited
# inside it they waited for the bulk lane and held the slot, and everyone's next reply queued
# behind them (bench.offtake: farmer reply p95 ×27). PTB awaits these tasks at stop.
_BACKGROUND: set[asyncio.Task] = set()


def in_background(context: BotContext, work: Awaitable[Any], name: str) -> None:
    """Run ``work`` after the update, in a fresh context: none of the update's (its id, its
    writer, the numbering of its writes and of its Bot API calls) is inherited, so its writes
    are transactions of their own, its calls are not the update's (a stop does not cut them
    as the update's next call), and a replay of the update never meets them."""
    task = contextvars.Context().run(context.application.create_task, work, name=name)
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


async def background_done() -> None:
    """Until the background work started so far has finished (tests)."""
    while _BACKGROUND:
        await asyncio.gather(*list(_BACKGROUND), return_exceptions=True)


# --- telling other people --------------------------------------------------------------------


async def tell(context: BotContext, *, key: str, kind: str, person_id: int, chat_id: int,
               text: str, markup: InlineKeyboardMarkup | None = None) -> None:  # fmt: skip
    """A notice to someone other than the person answered, through the outbox (bot.runtime.broadcast
    notify): once per ``key`` and update whatever replays or restarts (a replay of the update
    finds it queued; another update, a second weighing say, tells again), a 403 or a 429
    handled there, and the person answered never held up or stopped by it. Outside an update
    (a job) the key alone makes it once."""
    update_id = current_update_id.get()
    message = OutgoingMessage(
        person_id, chat_id, text, json.dumps(markup.to_dict()) if markup else None
    )
    key = key if update_id is None else f"{key}:u{update_id}"
    await notify(context.db, context.bot_data.outbox, key=key, kind=kind, messages=[message])


async def tell_person(context: BotContext, person_id: int | None, text: Callable[[], str], *,
                      key: str, kind: str) -> None:  # fmt: skip
    """:func:`tell` someone known by id, ``text`` rendered in their language; nothing for a
    person without a chat (a farmer entered for them) or who blocked the bot."""
    found = await people.by_id(context.db, person_id) if person_id else None
    if not (found and found.chat_id and found.reachable):
        return
    with use_locale(found.language):
        message = text()
    await tell(context, key=key, kind=kind, person_id=found.id, chat_id=found.chat_id, text=message)


# --- who may write, who may act --------------------------------------------------------------

# Every handler declared as writing, by name: the replay-after-crash test covers each.
WRITERS: dict[str, Callback] = {}


def writes(name: str) -> Callable[[Callback], Callback]:
    """Declare a handler that writes (through ``Database.write``) under a stable name."""

    def wrap(callback: Callback) -> Callback:
        if name in WRITERS:
            raise ValueError(f"two writing handlers are named {name!r}")

        @functools.wraps(callback)
        async def writer(update: Update, context: BotContext, *args: Any) -> Any:
            token = current_writer.set(name)
            try:
                return await callback(update, context, *args)
            finally:
                current_writer.reset(token)

        writer.writer = name
        WRITERS[name] = writer
        return writer

    return wrap


def roles_of(command: str) -> frozenset[Role] | None:
    """Who may use a command: the one table in ``domain.commands``."""
    return BY_NAME[command].roles


async def refuse_person(update: Update, context: BotContext, roles: frozenset[Role]) -> bool:
    """Tell a person who may not act why; True when they were refused (a refused button
    press is answered here; an allowed one is left for its handler to answer, once)."""
    person = context.person
    if person is not None and person.has_any(roles):
        return False
    if update.callback_query:
        await answer_query(update)
    if person is None:
        await reply(update, _("Please register first: send /start."))
    else:
        await reply(update, _("Sorry, this command is not available to you."))
    return True


def for_command(command: str) -> Callable[[Callback], Callback]:
    """Let a handler run only for the roles its command allows."""
    roles = roles_of(command)

    def wrap(callback: Callback) -> Callback:
        if roles is None:
            return callback

        @functools.wraps(callback)
        async def guarded(update: Update, context: BotContext) -> Any:
            if await refuse_person(update, context, roles):
                return END
            return await callback(update, context)

        guarded.required_roles = roles
        return guarded

    return wrap


# --- steps -------------------------------------------------------------------------------------

Next = Callable[[Update, BotContext, Any], Awaitable[Any]]


class Step:
    """One question of a conversation: ``ask`` puts it, ``handlers`` take the answer."""

    state: str

    async def ask(self, update: Update, context: BotContext) -> str:
        raise NotImplementedError

    def handlers(self) -> list[BaseHandler]:
        raise NotImplementedError

    button_state = False


class Typed(Step):
    """A typed answer read by a domain parser: ``InvalidInput`` gets its reason and the
    question again."""

    def __init__(self, state: str, question: Callable[[], str], parse: Callable[[str], Any], then: Next,
                 reasons: dict[str, Callable[[], str]], markup: Callable[[], object] | None = None) -> None:  # fmt: skip
        self.state, self.question, self.parse, self.then = state, question, parse, then
        self.reasons, self.markup = reasons, markup

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, self.question(), self.markup() if self.markup else None)
        return self.state

    async def on_text(self, update: Update, context: BotContext) -> Any:
        try:
            value = self.parse(update.effective_message.text)
        except InvalidInput as exc:
            reason = self.reasons.get(exc.reason)
            await reply(
                update,
                (reason() if reason else _("I could not read that.")) + "\n" + self.question(),
            )
            return self.state
        return await self.then(update, context, value)

    def handlers(self) -> list[BaseHandler]:
        return [MessageHandler(TEXT, self.on_text)]


def stored_in(draft: type[Draft], field: str, then: Callable[[], Step]) -> Next:
    """What a Typed step does with its answer most often: keep it in ``field`` of the draft,
    then put the next question (``then`` is called late: steps are defined in any order)."""

    async def store(update: Update, context: BotContext, value: Any) -> Any:
        found = draft.load(context)
        setattr(found, field, value)
        found.save(context)
        return await then().ask(update, context)

    return store


# "More ▶" of every Choice: the kit's own family, so paging works whatever values a family
# takes (numbers only, say); the page is read in the state whose question it pages.
PAGE_BUTTONS = Buttons("page", value=r"[0-9]", max_length=3)


class Choice(Step):
    """Buttons to pick from, ``page_size`` at a time, optionally "None of these". The values
    offered are kept in the draft, and a press of anything else is refused."""

    button_state = True

    def __init__(self, state: str, buttons: Buttons, question: Callable[[], str],
                 options: Callable[[BotContext], Sequence[tuple[str, str]]], then: Next,
                 draft: type[Draft], *, none: Next | None = None, page_size: int = 8) -> None:  # fmt: skip
        self.state, self.buttons, self.question, self.options = state, buttons, question, options
        self.then, self.draft, self.none, self.page_size = then, draft, none, page_size
        if none:
            buttons.data("none")  # the family must carry it: fail at start-up, not at a press

    def _markup(self, options: Sequence[tuple[str, str]], page: int) -> InlineKeyboardMarkup:
        shown = options[page * self.page_size : (page + 1) * self.page_size]
        rows = [[self.buttons.button(label, value)] for label, value in shown]
        if len(options) > (page + 1) * self.page_size:
            rows.append([PAGE_BUTTONS.button(_("More ▶"), str(page + 1))])
        if self.none:
            rows.append([self.buttons.button(_("None of these"), "none")])
        return keyboard(rows)

    async def text(self, context: BotContext) -> str:
        """The question; a subclass may compose it from the draft (prices, criteria…)."""
        return self.question()

    async def ask(self, update: Update, context: BotContext, page: int = 0) -> str:
        options = list(self.options(context))
        draft = self.draft.load(context)
        draft.offered = [value for _label, value in options]
        draft.save(context)
        await reply(update, await self.text(context), self._markup(options, page))
        return self.state

    async def on_press(self, update: Update, context: BotContext) -> Any:
        value = self.buttons.value(update)
        offered = self.draft.load(context).offered or []
        if value == "none" and self.none:
            await close_buttons(update, _("None of these"))
            return await self.none(update, context, None)
        if value not in offered:
            await refuse_button(update)
            return self.state
        labels = dict((v, label) for label, v in self.options(context))
        await close_buttons(update, labels.get(value))
        return await self.then(update, context, value)

    async def on_page(self, update: Update, context: BotContext) -> Any:
        page = int(PAGE_BUTTONS.value(update))
        if page * self.page_size >= len(self.draft.load(context).offered or []):
            await refuse_button(update)  # forged: no such page
            return self.state
        await close_buttons(update)
        return await self.ask(update, context, page)

    def handlers(self) -> list[BaseHandler]:
        return [self.buttons.handler(self.on_press), PAGE_BUTTONS.handler(self.on_page)]


CONFIRM_BUTTONS = Buttons("ok", value=r"(?:yes|no)", max_length=1)


class Confirm(Step):
    """A summary with ✅ Yes, save / ✏️ No, change."""

    button_state = True

    def __init__(self, state: str, summary: Callable[[BotContext], Awaitable[str]], save: Callback,
                 change: Callback, no_label: str = N_("✏️ No, change")) -> None:  # fmt: skip
        self.state, self.summary, self.save, self.change = state, summary, save, change
        self.no_label = no_label  # a flow whose "no" ends it says so (✖️ No, cancel)

    async def ask(self, update: Update, context: BotContext) -> str:
        buttons = keyboard([[CONFIRM_BUTTONS.button(_("✅ Yes, save"), "yes"),
                             CONFIRM_BUTTONS.button(_(self.no_label), "no")]])  # fmt: skip
        await reply(update, await self.summary(context), buttons)
        return self.state

    async def on_press(self, update: Update, context: BotContext) -> Any:
        if CONFIRM_BUTTONS.value(update) == "yes":
            await close_buttons(update, _("✅ Yes, save"))
            return await self.save(update, context)
        await close_buttons(update, _(self.no_label))
        return await self.change(update, context)

    def handlers(self) -> list[BaseHandler]:
        return [CONFIRM_BUTTONS.handler(self.on_press)]


def start_over(first: Step, fresh: Callable[[BotContext], Draft] | None = None) -> Callback:
    """A confirmation's ✏️ No, change: the draft made afresh (``fresh`` keeps what the
    conversation was started for, e.g. the sale), said so, and the first question asked again."""

    async def change(update: Update, context: BotContext) -> Any:
        if fresh is not None:
            fresh(context).save(context)
        await reply(update, _("Let us go through it again."))
        return await first.ask(update, context)

    return change


# --- the conversation ----------------------------------------------------------------------------

# One active conversation per chat. Each running conversation keeps, in ``user_data`` (persisted
# with it, so a restart keeps it): when it last heard the person, the command that started it
# and its drafts. ``user_data[CONVERSATIONS][name] = {"at": unix seconds, "command": "jual",
# "drafts": {draft key: {...}}}``.
CONVERSATIONS = "conversations"
# An answer to a question left unanswered longer than this finds the conversation expired.
EXPIRES_AFTER = timedelta(days=1)


def _box(context: BotContext, name: str) -> dict:
    return context.user_data.setdefault(CONVERSATIONS, {}).setdefault(name, {})


def _drafts(context: BotContext) -> dict:
    """Where the running conversation keeps its drafts (outside any: ``user_data`` itself)."""
    name = getattr(context, "conversation", None)
    if name is None:
        return context.user_data
    return _box(context, name).setdefault("drafts", {})


def _forget(context: BotContext, name: str) -> None:
    if context.user_data is not None:
        context.user_data.get(CONVERSATIONS, {}).pop(name, None)


def command_of(context: BotContext) -> str:
    """The command that started the running conversation (to send again)."""
    name = getattr(context, "conversation", None)
    box = context.user_data.get(CONVERSATIONS, {}).get(name, {}) if name else {}
    return box.get("command") or "start"


def _kit_conversations(application: Application) -> list[KitConversation]:
    return [
        handler
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, KitConversation)
    ]


class KitConversation(ConversationHandler):
    """A ConversationHandler that owns the chat while it runs: its entry point ends every
    other conversation of the chat (saying so), an answer after :data:`EXPIRES_AFTER` of
    silence ends it, and its drafts live and end with it."""

    def __init__(self, *, command: str, roles: frozenset[Role] | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.command, self.roles = command, roles

    def running(self, key: tuple) -> bool:
        return key in self._conversations

    def end(self, context: BotContext, key: tuple) -> None:
        """End this conversation for ``key`` (persisted as ended at the update's commit)."""
        self._update_state(self.END, key)
        _forget(context, self.name)

    async def handle_update(self, update: Update, application: Application, check_result: Any,
                            context: BotContext) -> object | None:  # fmt: skip
        state, key, handler, _check = check_result
        box = _box(context, self.name)
        now = int(clock().timestamp())
        if handler in self.entry_points:
            if self.roles is None or (context.person and context.person.has_any(self.roles)):
                await self._end_others(update, context, key)
            _forget(context, self.name)  # a fresh start: nothing of an earlier run
            box = _box(context, self.name)
            box["command"] = _entry_command(handler) or self.command
        elif state is not None and handler not in self.fallbacks:
            if now - box.get("at", now) > EXPIRES_AFTER.total_seconds():
                await self._expired(update, context, key, box.get("command") or self.command)
                return None
        box["at"] = now
        context.conversation = self.name
        try:
            return await super().handle_update(update, application, check_result, context)
        finally:
            context.conversation = None
            if not self.running(key):
                _forget(context, self.name)

    async def _end_others(self, update: Update, context: BotContext, key: tuple) -> None:
        for other in _kit_conversations(context.application):
            if other is not self and other.running(key):
                command = (
                    context.user_data.get(CONVERSATIONS, {}).get(other.name, {}).get("command")
                )
                other.end(context, key)
                await reply(update, _("/{command} is stopped. Nothing of it was saved.").format(
                    command=command or other.command))  # fmt: skip

    async def _expired(self, update: Update, context: BotContext, key: tuple, command: str) -> None:
        self.end(context, key)
        if update.callback_query:
            await close_buttons(update)
        await reply(update, _("Your answers to /{command} were left more than a day ago and have expired. Nothing was saved. Send /{command} to start again.").format(
            command=command))  # fmt: skip


def _entry_command(handler: BaseHandler) -> str | None:
    commands = getattr(handler, "commands", None)
    return sorted(commands)[0] if commands else None


def end_all(update: Update, context: BotContext) -> None:
    """End every conversation of this chat (/cancel), with their drafts."""
    for conversation_ in _kit_conversations(context.application):
        key = conversation_._get_key(update)
        if conversation_.running(key):
            conversation_.end(context, key)
    if context.user_data is not None:
        context.user_data.pop(CONVERSATIONS, None)


async def remind_buttons(update: Update, context: BotContext) -> None:
    await reply(update, _("Please tap one of the buttons above, or send /cancel to stop."))


def _guard(callback: Callback, roles: frozenset[Role] | None) -> Callback:
    """Every state callback: the role check (when the command has roles) and a lost draft
    ending the conversation politely instead of an error."""

    @functools.wraps(callback)
    async def guarded(update: Update, context: BotContext) -> Any:
        if roles is not None and await refuse_person(update, context, roles):
            return END
        try:
            return await callback(update, context)
        except DraftLost:
            await reply(update, _("Sorry, I lost your earlier answers. Please start again with /{command}.").format(
                command=command_of(context)))  # fmt: skip
            return END

    return guarded


def _guarded(handler: BaseHandler, roles: frozenset[Role] | None) -> BaseHandler:
    handler.callback = _guard(handler.callback, roles)
    return handler


def conversation(name: str, command: str, *, entry_points: list[BaseHandler], steps: Sequence[Step],
                 states: dict[str, list[BaseHandler]] | None = None,
                 fallbacks: Sequence[BaseHandler] = (), cancel: Callback) -> ConversationHandler:  # fmt: skip
    """A persistent conversation named ``name`` whose people need ``command``'s roles."""
    roles = roles_of(command)
    extra = dict(states or {})
    all_states: dict[str, list[BaseHandler]] = {}
    for step in steps:
        # the step's own handlers, then the conversation's extra ones for that state (a typed
        # name at a button question, say), and last the reminder to use the buttons
        handlers = [*step.handlers(), *extra.pop(step.state, [])]
        if step.button_state:
            handlers.append(MessageHandler(TEXT, remind_buttons_in(step.state)))
        all_states[step.state] = handlers
    all_states.update(extra)
    return KitConversation(
        command=command,
        roles=roles,
        name=name,
        persistent=True,
        entry_points=[_guarded(h, roles) for h in entry_points],
        states={state: [_guarded(h, roles) for h in hs] for state, hs in all_states.items()},
        fallbacks=[CommandHandler("cancel", cancel), *fallbacks],
        allow_reentry=True,
    )


def remind_buttons_in(state: str) -> Callback:
    async def remind(update: Update, context: BotContext) -> str:
        await remind_buttons(update, context)
        return state

    return remind
