"""What every registration shares: the draft, the language, the own phone number (share
contact), and the welcome at the end."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import BotContext
from bot.i18n import _, set_language
from domain.people import LANGUAGE_LABELS, InvalidInput, clean_name, normalise_phone
from handlers.kit import Buttons, Choice, Draft, Next, Step, Typed, reply
from handlers.menus import PICKED_LANGUAGE, help_text, set_person_menu
from storage import people
from storage.registration import Applicant

FARMER, MEMBER, STAFF = "farmer", "member", "staff"
LANGUAGE, KIND, CONTACT = "language", "kind", "contact"


@dataclass
class Registration(Draft):
    key = "registration"
    kind: str | None = None
    invite: str | None = None
    phone: str | None = None
    name: str | None = None
    place: list[str] | None = None
    offered: list[str] | None = None


LANGUAGE_BUTTONS = Buttons("lang", value=r"[a-z]", max_length=2)


def language_step(then: Next) -> Choice:
    async def chosen(update: Update, context: BotContext, language: str) -> object:
        context.user_data[PICKED_LANGUAGE] = language
        set_language(language)
        return await then(update, context, language)

    return Choice(
        LANGUAGE, LANGUAGE_BUTTONS, lambda: _("Welcome to the cooperative bot. Choose your language:"),
        lambda context: [(label, code) for code, label in LANGUAGE_LABELS.items()], chosen, Registration,
    )  # fmt: skip


def _share_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(_("📱 Send my phone number"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


class ContactStep(Step):
    """The person's own number, by Telegram's share-contact button (a typed number could be
    anyone's)."""

    state = CONTACT

    def __init__(self, then: Next) -> None:
        self.then = then

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(
            update,
            _("Tap the button 📱 Send my phone number below. Then agree if Telegram asks."),
            _share_keyboard(),
        )
        return CONTACT

    async def on_contact(self, update: Update, context: BotContext) -> object:
        contact = update.effective_message.contact
        if contact.user_id != update.effective_user.id:
            await reply(
                update,
                _(
                    "That is someone else's phone number. Please send your own number with the button below."
                ),
            )
            return await self.ask(update, context)
        try:
            phone = normalise_phone(contact.phone_number)
        except InvalidInput:
            await reply(
                update, _("I could not read that phone number. Please try the button again.")
            )
            return await self.ask(update, context)
        draft = Registration.load(context)
        draft.phone = phone
        draft.save(context)
        return await self.then(update, context, phone)

    async def on_other(self, update: Update, context: BotContext) -> str:
        await reply(update, _("Typing the number is not enough. Please use the button below."))
        return await self.ask(update, context)

    def handlers(self) -> list[BaseHandler]:
        return [
            MessageHandler(filters.CONTACT, self.on_contact),
            MessageHandler(filters.ALL & ~filters.COMMAND, self.on_other),
        ]


def name_step(state: str, then: Next) -> Typed:
    """The full name, typed (farmers and staff ask it at different points)."""
    return Typed(
        state, lambda: _("What is your full name?"), clean_name, then,
        reasons={"name": lambda: _("Please type your name in letters, 2 to 60 of them.")},
        markup=ReplyKeyboardRemove,
    )  # fmt: skip


async def welcome_registered(update: Update, context: BotContext, text: str) -> int:
    """The last message of a registration: what happened, then what they can do now."""
    Registration.drop(context)
    context.user_data.pop(PICKED_LANGUAGE, None)
    person = await people.by_telegram_id(context.db, update.effective_user.id)
    await reply(update, text + "\n\n" + help_text(person.roles), ReplyKeyboardRemove())
    await set_person_menu(context, person)
    return -1


async def phone_taken(update: Update, context: BotContext) -> int:
    Registration.drop(context)
    await reply(
        update,
        _(
            "This phone number is already registered to another Telegram account. Please contact your cooperative's administrator."
        ),
        ReplyKeyboardRemove(),
    )
    return -1


def applicant(update: Update, context: BotContext) -> Applicant:
    draft = Registration.load(context)
    return Applicant(
        telegram_user_id=update.effective_user.id,
        chat_id=update.effective_chat.id,
        phone=draft.phone or "",
        language=context.user_data.get(PICKED_LANGUAGE) or context.settings.default_language,
        full_name=draft.name or "",
    )
