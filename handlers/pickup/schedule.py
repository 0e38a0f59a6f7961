"""Scheduling a pickup (day and time window; the farmer is told), the farmer's request for
another day, and the coordinators' 06:00 digest of the day's pickups."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from bot.i18n import (
    _,
    format_date,
    format_quantity,
    use_locale,
)
from bot.notices import notify
from domain.offers import Action, OfferActionRefused, Status
from domain.people import display_phone
from domain.pickups import (
    WINDOWS,
    parse_window,
    window_code,
)
from domain.produce import CATALOG
from domain.regions import TIMEZONES
from handlers.kit import (
    END,
    Choice,
    answer_query,
    close_buttons,
    conversation,
    day_gone,
    day_value,
    keyboard,
    need,
    parse_day,
    refuse_button,
    reply,
    tell,
    today,
    writes,
)
from handlers.menus import cancel
from handlers.pickup.common import (
    CHANGE_BUTTONS,
    CHANGE_DAY_BUTTONS,
    DAY,
    PICK_DAY_BUTTONS,
    SCHEDULE_BUTTONS,
    WINDOW,
    WINDOW_BUTTONS,
    PickupDraft,
    may,
    window_label,
)
from handlers.wording import (
    produce_in_sentence,
)
from storage import offers, people, pickups
from storage.offers import Offer
from storage.outbox import OutgoingMessage

log = logging.getLogger(__name__)

# --- scheduling --------------------------------------------------------------------------------------


async def start_schedule(update: Update, context: BotContext) -> str:
    offer = await offers.get(context.db, int(SCHEDULE_BUTTONS.value(update)))
    action = Action.RESCHEDULE if offer and offer.status is Status.SCHEDULED else Action.SCHEDULE
    if offer is None or not await may(context, offer, action):
        await refuse_button(update)
        return END
    await answer_query(update)
    PickupDraft(offer_id=offer.id).save(context)
    return await DAY_STEP.ask(update, context)


def _day_options(context: BotContext) -> list[tuple[str, str]]:
    first = today(context.person.timezone)
    days = [first + timedelta(days=d) for d in range(7)]
    return [(format_date(day), day_value(day)) for day in days]


async def _day_chosen(update: Update, context: BotContext, value: str) -> str:
    if await day_gone(update, context, parse_day(value)):
        return await DAY_STEP.ask(update, context)
    draft = PickupDraft.load(context)
    draft.day = value
    draft.save(context)
    return await WINDOW_STEP.ask(update, context)


DAY_STEP = Choice(
    DAY,
    PICK_DAY_BUTTONS,
    lambda: _("Which day will you pick it up?"),
    _day_options,
    _day_chosen,
    PickupDraft,
)


@writes("pickup.schedule")
async def _window_chosen(update: Update, context: BotContext, code: str) -> int:
    draft = PickupDraft.load(context)
    day = parse_day(need(draft.day))
    if await day_gone(update, context, day):  # picked before midnight, the time after it
        return await DAY_STEP.ask(update, context)
    window = need(parse_window(code))
    try:
        offer, pickup = await context.db.write(
            pickups.schedule,
            need(draft.offer_id),
            context.person.id,
            context.person.roles,
            day,
            window,
        )
    except OfferActionRefused:
        await reply(update, _("This pickup cannot be scheduled any more."))
        return END
    PickupDraft.drop(context)
    farmer = await people.by_id(context.db, offer.farmer_id)
    zone = TIMEZONES.get(farmer.timezone if farmer else context.person.timezone, "")
    await reply(update, _("OK. Pickup of {number} on {date}, {window} {zone}. I told the farmer.").format(
        number=offer.number, date=format_date(day), window=window_label(window), zone=zone
    ))  # fmt: skip
    if farmer and farmer.chat_id:
        with use_locale(farmer.language):
            text = _("The coordinator will pick up your {produce} ({number}) on {date}, {window} {zone}. If that time does not suit you, call the coordinator on {phone}.").format(
                produce=produce_in_sentence(CATALOG[offer.commodity]), number=offer.number, date=format_date(day), window=window_label(window),
                zone=TIMEZONES.get(farmer.timezone, ""),
                phone=_phone(context),
            )  # fmt: skip
            markup = keyboard([[CHANGE_BUTTONS.button(_("🔁 Ask for another day"), str(offer.id))]])
        await tell(context, key=f"scheduled:{offer.id}:{day.isoformat()}:{code}", kind="scheduled",
                   person_id=farmer.id, chat_id=farmer.chat_id, text=text, markup=markup)  # fmt: skip
    return END


def _phone(context: BotContext) -> str:
    return display_phone(context.person.phone or "")


WINDOW_STEP = Choice(
    WINDOW, WINDOW_BUTTONS, lambda: _("At what time?"),
    lambda context: [(window_label(w), window_code(w)) for w in WINDOWS], _window_chosen, PickupDraft,
)  # fmt: skip


# --- the farmer asks for another day --------------------------------------------------------------------------

CHANGE_DAYS = 7


async def ask_change(update: Update, context: BotContext) -> None:
    """The farmer's schedule message: which day would suit them better (the coordinator decides)."""
    offer = await offers.get(context.db, int(CHANGE_BUTTONS.value(update)))
    if (
        context.person is None
        or offer is None
        or not await may(context, offer, Action.REQUEST_CHANGE)
    ):
        await refuse_button(update)
        return
    await answer_query(update)
    await _ask_change_day(update, context, offer)


async def _ask_change_day(update: Update, context: BotContext, offer: Offer) -> None:
    first = today(context.person.timezone)
    days = [first + timedelta(days=d) for d in range(CHANGE_DAYS)]
    rows = [
        [CHANGE_DAY_BUTTONS.button(format_date(day), f"{offer.id}d{day:%Y%m%d}")] for day in days
    ]
    await reply(update, _("Which day suits you better for {number}? The coordinator will confirm.").format(
        number=offer.number), keyboard(rows))  # fmt: skip


@writes("pickup.request_change")
async def on_change_day(update: Update, context: BotContext) -> None:
    offer_id, day = _change_day(update, context)
    if day is None or context.person is None:
        await refuse_button(update)
        return
    if day < today(context.person.timezone):  # the keyboard was shown before midnight
        offer = await offers.get(context.db, offer_id)
        if offer is None or offer.farmer_id != context.person.id:
            await refuse_button(update)
            return
        await close_buttons(update)
        await day_gone(update, context, day)
        await _ask_change_day(update, context, offer)
        return
    try:
        offer, pickup = await context.db.write(
            pickups.request_change, offer_id, context.person.id, day
        )
    except OfferActionRefused:
        await refuse_button(update)
        return
    await close_buttons(update, format_date(day))
    await reply(update, _("I asked the coordinator to come on {date} instead. They will confirm it.").format(
        date=format_date(day)))  # fmt: skip
    coordinator = await people.by_id(context.db, pickup.coordinator_id)
    if coordinator and coordinator.chat_id:
        with use_locale(coordinator.language):
            text = _("{name} asks to move pickup {number} to {date}. Please call them ({phone}) and schedule it again.").format(
                name=context.person.full_name, number=offer.number, date=format_date(day),
                phone=display_phone(context.person.phone or ""),
            )  # fmt: skip
            markup = keyboard(
                [
                    [
                        SCHEDULE_BUTTONS.button(
                            _("📅 Schedule the pickup of {number}").format(number=offer.number),
                            str(offer.id),
                        )
                    ]
                ]
            )
        await tell(context, key=f"change:{offer.id}:{day.isoformat()}", kind="change",
                   person_id=coordinator.id, chat_id=coordinator.chat_id, text=text, markup=markup)  # fmt: skip


def _change_day(update: Update, context: BotContext) -> tuple[int, date | None]:
    """The offer and the day a pressed button names; no day when it is not one offered
    (forged, or pressed a week later)."""
    offer_id, _sep, day = CHANGE_DAY_BUTTONS.value(update).partition("d")
    chosen = parse_day(day)
    if chosen is None:
        return 0, None
    first = today(context.person.timezone if context.person else "Asia/Jakarta")
    # a day gone by is told and asked again (on_change_day); one never offered is refused
    week = timedelta(days=CHANGE_DAYS)
    fits = offer_id.isdigit() and first - week <= chosen < first + week
    return (int(offer_id), chosen) if fits else (0, None)


def schedule_conversation() -> ConversationHandler:
    return conversation(
        "pickup_schedule", "jemput", entry_points=[SCHEDULE_BUTTONS.handler(start_schedule)],
        steps=[DAY_STEP, WINDOW_STEP], cancel=cancel,
    )  # fmt: skip


async def morning_digest(context: BotContext) -> None:
    """A job at 06:00 in each zone: every coordinator living there gets today's pickups."""
    await send_digest(context, context.job.data, datetime.now(ZoneInfo(context.job.data)).date())


async def send_digest(context: BotContext, timezone: str, day: date) -> int:
    """One message per coordinator with pickups on ``day``, through the outbox (once per day
    and zone: run again after a restart, it sends nobody a second); returns how many."""
    messages = []
    for person_id, todo in (await pickups.due_on(context.db, day, timezone)).items():
        coordinator = await people.by_id(context.db, person_id)
        if not (coordinator and coordinator.chat_id and coordinator.reachable):
            continue
        with use_locale(coordinator.language):
            lines = [_("Today's pickups, {date}:").format(date=format_date(day, timezone))]
            for offer, pickup in todo:
                commodity = CATALOG[offer.commodity]
                farmer = await people.by_id(context.db, offer.farmer_id)
                lines.append(_("{window}: {number}, {amount} {produce}, {name} {phone}").format(
                    window=window_label((pickup.window_start, pickup.window_end)), number=offer.number,
                    amount=format_quantity(Decimal(offer.quantity), commodity.base_unit), produce=produce_in_sentence(commodity),
                    name=farmer.full_name, phone=display_phone(farmer.phone or ""),
                ))  # fmt: skip
            text = "\n".join(lines)
        messages.append(OutgoingMessage(person_id, coordinator.chat_id, text))
    if not messages:
        return 0
    key = f"pickup-digest:{day.isoformat()}:{timezone}"
    queued = await notify(
        context.db, context.bot_data.outbox, key=key, kind="pickup_digest", messages=messages
    )
    return queued.total
