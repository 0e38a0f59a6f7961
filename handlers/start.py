"""/start: registration of farmers and members, and staff joining through an invite link.

language → who are you → own phone (share contact) → [farmer: name, area, confirm]
                                                   → [member: linked to the roster by phone]
invite link → language → phone → name → confirm (role and organisation from the invite)
"""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.domain.invites import looks_like_code
from bot.domain.people import (
    LANGUAGE_LABELS,
    InvalidInput,
    Person,
    clean_name,
    normalise_phone,
)
from bot.domain.regions import TIMEZONES, Area
from bot.i18n import _, set_language
from handlers.area import AreaSteps
from handlers.common import (
    DRAFT,
    cancel,
    close_buttons,
    help_text,
    inline,
    once,
    reply,
    role_label,
    set_person_menu,
)
from storage import invites, orgs, people, registration
from storage.people import PersonExists

LANGUAGE, KIND, CONTACT, NAME, CONFIRM = "language", "kind", "contact", "name", "confirm"
END = ConversationHandler.END
FARMER, MEMBER, STAFF = "farmer", "member", "staff"


def _draft(context: BotContext) -> dict:
    return context.user_data.setdefault(DRAFT, {})


async def start(update: Update, context: BotContext) -> str | int:
    payload = context.args[0] if context.args else ""
    if looks_like_code(payload):
        return await _start_with_invite(update, context, payload)
    if context.person:
        await _welcome_back(update, context.person)
        return END
    context.user_data[DRAFT] = {k: v for k, v in _draft(context).items() if k == "lang"}
    return await _ask_language(update)


async def _start_with_invite(update: Update, context: BotContext, code: str) -> str | int:
    invite = await invites.usable(context.db, code)
    if invite is None:
        await reply(update, _("This invite link has already been used or has expired. Please ask your administrator for a new one."))
        return END
    if context.person:  # already known: the invite only adds the role
        person = context.person
        _draft(context).update(kind=STAFF, invite=code, phone=person.phone, name=person.full_name, lang=person.language)
        return await _finish_staff(update, context)
    context.user_data[DRAFT] = {"kind": STAFF, "invite": code}
    return await _ask_language(update)


async def _welcome_back(update: Update, person: Person) -> None:
    await reply(update, _("Welcome back, {name}!").format(name=person.full_name) + "\n\n" + help_text(person.roles))


async def _ask_language(update: Update) -> str:
    rows = [[(label, f"lang:{code}")] for code, label in LANGUAGE_LABELS.items()]
    await reply(update, _("Welcome to the cooperative bot. Choose your language:"), inline(rows))
    return LANGUAGE


async def on_language(update: Update, context: BotContext) -> str:
    language = update.callback_query.data.split(":", 1)[1]
    language = language if language in LANGUAGE_LABELS else context.settings.default_language
    await close_buttons(update, LANGUAGE_LABELS[language])
    _draft(context)["lang"] = language
    set_language(language)
    if _draft(context).get("kind") == STAFF:
        return await _ask_contact(update)
    rows = [[(_("I am a farmer"), "kind:farmer")], [(_("I am a union member"), "kind:member")]]
    await reply(update, _("Who are you?"), inline(rows))
    return KIND


async def on_kind(update: Update, context: BotContext) -> str:
    kind = update.callback_query.data.split(":", 1)[1]
    kind = kind if kind in (FARMER, MEMBER) else FARMER
    await close_buttons(update, _("I am a farmer") if kind == FARMER else _("I am a union member"))
    _draft(context)["kind"] = kind
    return await _ask_contact(update)


async def _ask_contact(update: Update) -> str:
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(_("📱 Share my phone number"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await reply(update, _("Tap the button below to share your phone number with the cooperative."), keyboard)
    return CONTACT


async def on_contact(update: Update, context: BotContext) -> str | int:
    contact = update.effective_message.contact
    if contact.user_id != update.effective_user.id:
        await reply(update, _("That is someone else's phone number. Please share your own number with the button below."))
        return await _ask_contact(update)
    try:
        phone = normalise_phone(contact.phone_number)
    except InvalidInput:
        await reply(update, _("I could not read that phone number. Please try the button again."))
        return await _ask_contact(update)
    _draft(context)["phone"] = phone
    if _draft(context)["kind"] == MEMBER:
        return await _finish_member(update, context)
    await reply(update, _("What is your full name?"), ReplyKeyboardRemove())
    return NAME


async def on_contact_missing(update: Update, context: BotContext) -> str:
    await reply(update, _("Please use the button below to share your phone number; typing it is not enough."))
    return await _ask_contact(update)


async def on_name(update: Update, context: BotContext) -> str | int:
    try:
        _draft(context)["name"] = clean_name(update.effective_message.text)
    except InvalidInput:
        await reply(update, _("Please type your name in letters (2 to 60 characters).") + "\n" + _("What is your full name?"))
        return NAME
    if _draft(context)["kind"] == STAFF:
        return await _confirm_staff(update, context)
    return await AREA.ask_province(update, context)


async def _confirm_farmer(update: Update, context: BotContext, area: Area) -> str:
    draft = _draft(context)
    text = _(
        "Please check your details:\n"
        "Name: {name}\nPhone: {phone}\nVillage: {village}\nDistrict: {district}\n"
        "Regency/city: {regency}\nProvince: {province}\nTime zone: {zone}\n\nIs this right?"
    ).format(
        name=draft["name"], phone=draft["phone"], village=area.village, district=area.district,
        regency=area.regency, province=area.province, zone=TIMEZONES[area.timezone],
    )  # fmt: skip
    await reply(update, text, _confirm_buttons())
    return CONFIRM


async def _confirm_staff(update: Update, context: BotContext) -> str:
    draft = _draft(context)
    invite = await invites.usable(context.db, draft["invite"])
    if invite is None:
        return await _invite_gone(update, context)
    org = await orgs.by_id(context.db, invite.org_id)
    text = _("Please check your details:\nName: {name}\nPhone: {phone}\nRole: {role}\nOrganisation: {org}\n\nIs this right?").format(
        name=draft["name"], phone=draft["phone"], role=role_label(invite.role), org=org.name
    )
    await reply(update, text, _confirm_buttons())
    return CONFIRM


def _confirm_buttons():
    return inline([[(_("✅ Yes, save"), "ok:yes"), (_("✏️ No, change"), "ok:no")]])


async def on_confirm(update: Update, context: BotContext) -> str | int:
    if update.callback_query.data != "ok:yes":
        await close_buttons(update, _("✏️ No, change"))
        await reply(update, _("Let us start again from your name.") + "\n" + _("What is your full name?"))
        return NAME
    await close_buttons(update, _("✅ Yes, save"))
    if _draft(context)["kind"] == STAFF:
        return await _finish_staff(update, context)
    return await _finish_farmer(update, context)


async def remind_buttons(update: Update, context: BotContext) -> None:
    await reply(update, _("Please tap one of the buttons above, or send /cancel to stop."))


def _applicant(update: Update, context: BotContext) -> registration.Applicant:
    draft = _draft(context)
    return registration.Applicant(
        telegram_user_id=update.effective_user.id,
        chat_id=update.effective_chat.id,
        phone=draft["phone"],
        language=draft.get("lang", context.settings.default_language),
        full_name=draft.get("name", ""),
    )


async def _done(update: Update, context: BotContext, person: Person, text: str) -> int:
    context.user_data.pop(DRAFT, None)
    await reply(update, text + "\n\n" + help_text(person.roles), ReplyKeyboardRemove())
    await set_person_menu(context, person)
    return END


async def _already_taken(update: Update, context: BotContext) -> int:
    context.user_data.pop(DRAFT, None)
    await reply(update, _("This phone number is already registered to another Telegram account. Please contact your cooperative's administrator."), ReplyKeyboardRemove())
    return END


async def _registered(context: BotContext, update: Update) -> Person:
    """The person this update registered, read back when it is processed again after a
    crash (its registration was committed; only the answer is missing)."""
    return await people.by_telegram_id(context.db, update.effective_user.id)


async def _finish_farmer(update: Update, context: BotContext) -> int:
    try:
        person = await once(registration.register_farmer(context.db, _applicant(update, context), AREA.area(context)))
    except PersonExists:
        return await _already_taken(update, context)
    person = person or await _registered(context, update)
    return await _done(update, context, person, _("Thank you, {name}! You are registered as a farmer.").format(name=person.full_name))


async def _finish_member(update: Update, context: BotContext) -> int:
    try:
        person = await once(registration.register_member(context.db, _applicant(update, context)))
    except registration.NotOnRoster:
        phone = context.user_data.pop(DRAFT, {}).get("phone")
        await reply(update, _("The number {phone} is not on the member list of any cooperative. Please ask your cooperative's administrator to add it, then send /start again.").format(phone=phone), ReplyKeyboardRemove())
        return END
    except PersonExists:
        return await _already_taken(update, context)
    person = person or await _registered(context, update)
    org = await orgs.by_id(context.db, person.org_id)
    return await _done(update, context, person, _("Welcome, {name}! You are registered as a member of {org}.").format(name=person.full_name, org=org.name))


async def _finish_staff(update: Update, context: BotContext) -> int:
    code = _draft(context)["invite"]
    try:
        done = await once(registration.register_staff(context.db, _applicant(update, context), code))
    except registration.InviteUnusable:
        return await _invite_gone(update, context)
    except PersonExists:
        return await _already_taken(update, context)
    person, role = done or (await _registered(context, update), (await invites.get(context.db, code)).role)
    org = await orgs.by_id(context.db, person.org_id)
    return await _done(update, context, person, _("Welcome, {name}! You are now {role} of {org}.").format(name=person.full_name, role=role_label(role), org=org.name))


async def _invite_gone(update: Update, context: BotContext) -> int:
    context.user_data.pop(DRAFT, None)
    await reply(update, _("This invite link has already been used or has expired. Please ask your administrator for a new one."), ReplyKeyboardRemove())
    return END


AREA = AreaSteps(DRAFT, _confirm_farmer)


def conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        name="registration",
        persistent=True,
        entry_points=[CommandHandler("start", start, filters.ChatType.PRIVATE)],
        states={
            LANGUAGE: [CallbackQueryHandler(on_language, pattern=r"^lang:"), MessageHandler(text, remind_buttons)],
            KIND: [CallbackQueryHandler(on_kind, pattern=r"^kind:"), MessageHandler(text, remind_buttons)],
            CONTACT: [
                MessageHandler(filters.CONTACT, on_contact),
                MessageHandler(filters.ALL & ~filters.COMMAND, on_contact_missing),
            ],
            NAME: [MessageHandler(text, on_name)],
            **AREA.states(),
            CONFIRM: [CallbackQueryHandler(on_confirm, pattern=r"^ok:"), MessageHandler(text, remind_buttons)],
        },
        fallbacks=[CommandHandler("cancel", cancel), CommandHandler("start", start)],
        allow_reentry=True,
    )
