"""Pickup alerts: a new offer goes to every coordinator covering its village (else to the
cooperative's administrators) through the outbox (bot.runtime.broadcast), with a button to take it. The first to
take wins; the other alerts are edited to say so; the farmer is told who comes."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.i18n import _, format_date, format_money, format_quantity, gettext, unit_name, use_locale
from bot.notices import notify
from domain import regions
from domain.commands import BUTTONS as BUTTON_ROLES
from domain.money import record_id
from domain.offers import REASONS, STATUS_LABELS, Action, OfferActionRefused
from domain.people import Person, display_phone
from domain.pickups import deductions
from domain.produce import CATALOG
from domain.quantity import amount_rupiah
from handlers import windows
from handlers.kit import (
    Buttons,
    answer_query,
    close_buttons,
    in_background,
    keyboard,
    refuse_button,
    refuse_person,
    reply,
    tell,
    writes,
)
from handlers.wording import deductions_line, produce_in_sentence, produce_with_grade_in_sentence
from storage import deductions as deduction_rates
from storage import offers, outbox, people, pickups
from storage import windows as window_store
from storage.offers import Offer
from storage.outbox import OutgoingMessage

log = logging.getLogger(__name__)
TAKE_BUTTONS = Buttons("ambil", value=r"[0-9]", max_length=12)
DETAIL_BUTTONS = Buttons("rinci", value=r"[0-9]", max_length=12)
ASSIGN_BUTTONS = Buttons("tugas", value=r"[0-9]", max_length=12)
ASSIGN_TO_BUTTONS = Buttons("tugask", value=r"[0-9k]", max_length=25)  # <offer>k<coordinator>
# The bulk lane of the send budget (bot.runtime.ratelimit): replies to people waiting go first.
BULK = {"lane": "bulk"}
OFFER_ALERT = "offer_alert"  # the outbox's kind of an offer's alerts


def _produce(offer: Offer) -> str:
    return produce_with_grade_in_sentence(CATALOG[offer.commodity], offer.grade)


def _alert_text(
    offer: Offer, farmer_name: str, farmer_phone: str, timezone: str, window_id: int | None = None
) -> str:
    commodity = CATALOG[offer.commodity]
    place = regions.place(offer.village_code)
    quantity = Decimal(offer.quantity)
    return "\n".join([
        _("New offer {number}").format(number=offer.number),
        _("{amount} {produce}").format(amount=format_quantity(quantity, commodity.base_unit), produce=_produce(offer)),
        _("Price: {price} per {unit}, about {total} in all").format(
            price=format_money(offer.price_rupiah), unit=unit_name(commodity.base_unit),
            total=format_money(amount_rupiah(offer.price_rupiah, quantity))),
        _("Ready for pickup: {date}").format(date=format_date(date.fromisoformat(offer.ready_on), timezone)),
        _("Village: {village}, {district}, {regency}").format(village=place.village, district=place.district, regency=place.regency),
        _("Farmer: {name}, {phone}").format(name=farmer_name, phone=farmer_phone),
        *([_("📍 The farmer shared the pickup location. Tap 🔎 Details to see it.")] if offer.latitude is not None else []),
        *([_("📷 With a photo. Tap 🔎 Details to see it.")] if offer.photo_file_id else []),
        *windows.window_of_offer_line(window_id),  # which buying window it fills
    ])  # fmt: skip


async def new_offer(context: BotContext, offer: Offer) -> None:
    """Alert everyone who should pick this offer up, through the outbox: one message per
    person under the offer's key, queued once (a second call adds nothing), sent by
    bot.runtime.broadcast (a stop or a crash resumes it and sends nobody a second one); the
    message ids Telegram gives are kept there for the edits when the offer is taken."""
    farmer = await people.by_id(context.db, offer.farmer_id)
    window_id = await window_store.window_of_offer(context.db, offer.id)
    messages = []
    for who in await offers.recipients(context.db, offer):
        with use_locale(who.language):
            text = _alert_text(
                offer, farmer.full_name, display_phone(farmer.phone or ""), who.timezone, window_id
            )
            first = (
                ASSIGN_BUTTONS.button(_("👥 Give it to a coordinator"), str(offer.id))
                if who.assigns  # an administrator: no coordinator covers the village
                else TAKE_BUTTONS.button(_("✋ Take this pickup"), str(offer.id))
            )
            markup = keyboard([[first, DETAIL_BUTTONS.button(_("🔎 Details"), str(offer.id))]])
        messages.append(
            OutgoingMessage(who.person_id, who.chat_id, text, json.dumps(markup.to_dict()))
        )
    if not messages:
        log.warning(
            "offer %s: nobody to alert (no coordinator covers %s, no administrator)",
            offer.id,
            offer.village_code,
        )
        return
    await notify(
        context.db, context.bot_data.outbox, key=offers.alert_key(offer.id), kind=OFFER_ALERT,
        messages=messages,
    )  # fmt: skip


async def _edit_alerts(
    context: BotContext, offer: Offer, text_for: Callable[[], str], skip: int | None = None
) -> None:
    """The alerts not sent yet are withdrawn; those Telegram took are edited."""
    await outbox.withdraw(context.db, offers.alert_key(offer.id))
    if context.bot_data.outbox is not None:
        await context.bot_data.outbox.settle()  # alerts on their way: their ids are stored
    for person_id, chat_id, message_id in await offers.alerts(context.db, offer.id):
        if person_id == skip:
            continue
        who = await people.by_id(context.db, person_id)
        with use_locale(who.language if who else "id"):
            text = text_for()
        try:
            await context.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, rate_limit_args=BULK
            )
        except TelegramError as exc:
            log.debug("alert %s/%s not edited: %s", chat_id, message_id, exc)


async def offer_closed(context: BotContext, offer: Offer) -> None:
    """The offer is no longer open: nobody should try to take it."""
    label = STATUS_LABELS[offer.status]
    await _edit_alerts(
        context,
        offer,
        lambda: _("Offer {number}: {status}.").format(number=offer.number, status=gettext(label)),
    )


@writes("offer.take")
async def take(update: Update, context: BotContext) -> None:
    if await refuse_person(update, context, BUTTON_ROLES["offer.take"]):
        return
    offer_id = int(TAKE_BUTTONS.value(update))
    try:
        offer = await context.db.write(
            offers.take, offer_id, context.person.id, context.person.roles
        )
    except OfferActionRefused as refused:
        current = await offers.get(context.db, offer_id)
        number = current.number if current else "?"
        status = gettext(STATUS_LABELS[current.status]) if current else ""
        await answer_query(
            update, gettext(REASONS[refused.reason]).format(number=number, status=status)
        )
        return
    await answer_query(update)
    # handlers.pickup's buttons, by their registry entry (that module imports this one)
    schedule = keyboard(
        [[Buttons.registry["jdw"].button(_("📅 Schedule the pickup"), str(offer.id))]]
    )
    await update.callback_query.edit_message_text(
        update.callback_query.message.text
        + "\n\n"
        + _("✅ You took this pickup. Call the farmer to agree a time."),
        reply_markup=schedule,
    )
    await _taken(context, offer, context.person)


async def _taken(context: BotContext, offer: Offer, taker: Person) -> None:
    """The other alerts say it is gone; the farmer hears who comes."""
    farmer = await people.by_id(context.db, offer.farmer_id)
    taken = _edit_alerts(
        context,
        offer,
        lambda: _("Offer {number} was taken by another coordinator.").format(number=offer.number),
        skip=context.person.id,
    )
    in_background(context, taken, f"taken-{offer.id}")
    if farmer and farmer.chat_id:
        with use_locale(farmer.language):
            text = _("Good news: coordinator {name} ({phone}) will pick up your {produce} ({number}). They will call you to agree a time.").format(
                produce=produce_in_sentence(CATALOG[offer.commodity]), name=taker.full_name, phone=display_phone(taker.phone or ""), number=offer.number
            )  # fmt: skip
        await tell(context, key=f"taken:{offer.id}", kind="taken", person_id=farmer.id,
                   chat_id=farmer.chat_id, text=text)  # fmt: skip


# --- an administrator gives an offer nobody covers to a coordinator ----------------------------


async def ask_assign(update: Update, context: BotContext) -> None:
    """The administrator's alert: which of the cooperative's coordinators picks it up."""
    if await refuse_person(update, context, BUTTON_ROLES["offer.assign"]):
        return
    offer = await offers.get(context.db, record_id(ASSIGN_BUTTONS.value(update)) or 0)
    if offer is None or not await pickups.may(
        context.db, offer, Action.ASSIGN, context.person.id, context.person.roles
    ):
        await refuse_button(update)
        return
    await answer_query(update)
    found = await offers.coordinators_for(context.db, offer)
    if not found:
        await reply(update, _("Your cooperative has no coordinator yet. Invite one with /invite."))
        return
    rows = [
        [ASSIGN_TO_BUTTONS.button(name, f"{offer.id}k{person_id}")] for person_id, name in found
    ]
    await reply(
        update, _("Who picks up offer {number}?").format(number=offer.number), keyboard(rows)
    )


@writes("offer.assign")
async def assign(update: Update, context: BotContext) -> None:
    if await refuse_person(update, context, BUTTON_ROLES["offer.assign"]):
        return
    offer_id, _sep, coordinator_id = ASSIGN_TO_BUTTONS.value(update).partition("k")
    offer_id, coordinator_id = record_id(offer_id), record_id(coordinator_id)
    if offer_id is None or coordinator_id is None:
        await refuse_button(update)
        return
    try:
        offer = await context.db.write(
            offers.assign, offer_id, context.person.id, context.person.roles, coordinator_id
        )
    except OfferActionRefused as refused:
        current = await offers.get(context.db, offer_id)
        await answer_query(update, gettext(REASONS[refused.reason]).format(
            number=current.number if current else "?",
            status=gettext(STATUS_LABELS[current.status]) if current else ""))  # fmt: skip
        return
    coordinator = await people.by_id(context.db, coordinator_id)
    await close_buttons(update, coordinator.full_name)
    await reply(update, _("OK. {name} picks up offer {number}. I told them and the farmer.").format(
        name=coordinator.full_name, number=offer.number))  # fmt: skip
    if coordinator.chat_id:
        with use_locale(coordinator.language):
            text = _alert_text(offer, *(await _farmer_of(context, offer)), coordinator.timezone)
            text += "\n\n" + _(
                "An administrator gave you this pickup. Call the farmer to agree a time."
            )
            markup = keyboard(
                [[Buttons.registry["jdw"].button(_("📅 Schedule the pickup"), str(offer.id))]]
            )
        await tell(context, key=f"assigned:{offer.id}", kind="assigned", person_id=coordinator.id,
                   chat_id=coordinator.chat_id, text=text, markup=markup)  # fmt: skip
    await _taken(context, offer, coordinator)


async def _farmer_of(context: BotContext, offer: Offer) -> tuple[str, str]:
    farmer = await people.by_id(context.db, offer.farmer_id)
    return farmer.full_name, display_phone(farmer.phone or "")


async def detail(update: Update, context: BotContext) -> None:
    """What does not fit an alert: the grade's criteria, the guarantee, the deductions, and
    the farmer's photo and location. For those alerted about the offer and its taker."""
    if await refuse_person(update, context, BUTTON_ROLES["offer.detail"]):
        return
    offer = await offers.get(context.db, int(DETAIL_BUTTONS.value(update)))
    alerted = offer is not None and any(
        person_id == context.person.id
        for person_id, _c, _m in await offers.alerts(context.db, offer.id)
    )
    if offer is None or not (alerted or offer.taker_id == context.person.id):
        await refuse_button(update)
        return
    await answer_query(update)
    commodity = CATALOG[offer.commodity]
    grade = commodity.grade(offer.grade)
    lines = [
        _("Offer {number}: {status}").format(number=offer.number, status=gettext(STATUS_LABELS[offer.status])),
        _("{produce}: {criteria}").format(produce=_produce(offer), criteria=gettext(grade.criteria)),
        _("The price is guaranteed until {date}.").format(date=format_date(
            datetime.fromtimestamp(offer.guaranteed_until, ZoneInfo(context.person.timezone)), context.person.timezone)),
    ]  # fmt: skip
    rates = await deduction_rates.locked(context.db, offer.id)
    quantity = Decimal(offer.quantity)
    gross = amount_rupiah(offer.price_rupiah, quantity)
    lines.append(deductions_line(deductions(rates, quantity, gross), commodity))
    lines += windows.window_of_offer_line(await window_store.window_of_offer(context.db, offer.id))
    await reply(update, "\n".join(lines))
    if offer.latitude is not None:
        await context.bot.send_location(update.effective_chat.id, offer.latitude, offer.longitude)
    if offer.photo_file_id:
        await context.bot.send_photo(
            update.effective_chat.id, offer.photo_file_id, caption=offer.number
        )


async def alert_missed(context: BotContext) -> None:
    """A job: an offer saved just before a stop may have no alerts queued yet (they are
    queued after the farmer's answer): queue them now. An offer nobody can be alerted about stays open and
    is logged each time (no coordinator covers it and no administrator is reachable)."""
    for offer in await offers.unalerted(context.db, older_than=120):
        await new_offer(context, offer)


async def expire_offers(context: BotContext) -> None:
    """A job: offers nobody took in time expire; each farmer is told, the alerts say so."""
    expired = await context.db.write(offers.expire_due, context.settings.offer_hours * 3600)
    for offer in expired:
        farmer = await people.by_id(context.db, offer.farmer_id)
        if farmer and farmer.chat_id and farmer.reachable:
            with use_locale(farmer.language):
                text = _(
                    "Nobody took your offer {number} in time, so it has expired. Send /jual to offer again."
                ).format(number=offer.number)
            await tell(context, key=f"expired:{offer.id}", kind="expired", person_id=farmer.id,
                       chat_id=farmer.chat_id, text=text)  # fmt: skip
        await offer_closed(context, offer)
    if expired:
        log.info("%d offer(s) expired", len(expired))
