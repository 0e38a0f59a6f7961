"""/jemput: a coordinator's pickups. Schedule one (day and time window; the farmer is told),
then record the weighing (the grade and weight found): the amount comes from the locked
price of that grade, and the farmer gets a receipt to agree with or dispute."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from lokal import terbilang
from telegram import Update
from telegram.ext import ConversationHandler, MessageHandler

from bot.broadcast import notify
from bot.context import BotContext
from bot.i18n import (
    _,
    current_language,
    format_date,
    format_money,
    format_quantity,
    gettext,
    unit_name,
    use_locale,
)
from domain.ledger import LedgerError
from domain.offers import STATUS_LABELS, OfferActionRefused, Status
from domain.people import Role, display_phone
from domain.pickups import (
    WINDOWS,
    deductions,
    net_amount,
    parse_window,
    transfer_reference,
    window_code,
)
from domain.produce import CATALOG, NO_GRADE
from domain.quantity import QuantityRefused, amount_rupiah, parse_quantity
from domain.regions import TIMEZONES
from handlers.kit import (
    END,
    TEXT,
    Buttons,
    Choice,
    Confirm,
    Draft,
    Step,
    Typed,
    answer_query,
    close_buttons,
    conversation,
    for_command,
    keyboard,
    need,
    refuse_button,
    reply,
    writes,
)
from handlers.menus import cancel
from handlers.offer import _name, _refusal
from handlers.wording import deductions_line
from storage import deductions as deduction_rates
from storage import offers, people, pickups
from storage.offers import Offer
from storage.outbox import OutgoingMessage

log = logging.getLogger(__name__)
SCHEDULE_BUTTONS = Buttons("jdw", value=r"[0-9]", max_length=12)
WEIGH_BUTTONS = Buttons("tmb", value=r"[0-9]", max_length=12)
PICK_DAY_BUTTONS = Buttons("jday", value=r"[0-9]", max_length=1)
WINDOW_BUTTONS = Buttons("jwin", value=r"[0-9]", max_length=4)
FOUND_GRADE_BUTTONS = Buttons("jgrd", value=r"[A-Za-z0-9_-]", max_length=8)
RECEIPT_BUTTONS = Buttons("trm", value=r"(?:ok|no)[0-9]", max_length=14)
PAY_BUTTONS = Buttons("bayar", value=r"[0-9]", max_length=12)
TRANSFER_BUTTONS = Buttons("trf", value=r"[0-9]", max_length=12)
CHANGE_BUTTONS = Buttons("ganti", value=r"[0-9]", max_length=12)
CHANGE_DAY_BUTTONS = Buttons("gtgl", value=r"[0-9d]", max_length=21)
DAY, WINDOW, GRADE, WEIGHT, CONFIRM, TRANSFER = (
    "pickup.day",
    "pickup.window",
    "pickup.grade",
    "pickup.weight",
    "pickup.confirm",
    "pickup.transfer",
)
BULK = {"lane": "bulk"}


@dataclass
class PickupDraft(Draft):
    key = "pickup"
    offer_id: int | None = None
    commodity: str | None = None
    day: int | None = None
    grade: str | None = None
    quantity: str | None = None
    offered: list[str] | None = None


def _window_label(window: tuple[int, int]) -> str:
    sep = "." if current_language() == "id" else ":"
    return f"{window[0]:02d}{sep}00–{window[1]:02d}{sep}00"


async def _offer(context: BotContext) -> Offer:
    return need(await offers.get(context.db, need(PickupDraft.load(context).offer_id)))


# --- /jemput ---------------------------------------------------------------------------------------


@for_command("jemput")
async def show_pickups(update: Update, context: BotContext) -> None:
    mine = await pickups.of_coordinator(context.db, context.person.id)
    if not mine:
        await reply(update, _("You have no pickups now. New offers in your area come as messages."))
        return
    lines, rows = [_("Your pickups:")], []
    for offer, pickup in mine:
        commodity = CATALOG[offer.commodity]
        when = (
            _("{date}, {window}").format(date=format_date(date.fromisoformat(pickup.pickup_on)), window=_window_label((pickup.window_start, pickup.window_end)))
            if pickup else _("not scheduled yet")
        )  # fmt: skip
        lines.append(_("{number}: {amount} {produce} — {when}").format(
            number=offer.number, amount=format_quantity(Decimal(offer.quantity), commodity.base_unit),
            produce=_name(commodity), when=when,
        ))  # fmt: skip
        if pickup and pickup.requested_on:
            lines.append(
                _("   the farmer asks for {date}").format(
                    date=format_date(date.fromisoformat(pickup.requested_on))
                )
            )
        row = [
            SCHEDULE_BUTTONS.button(
                _("📅 Schedule {number}").format(number=offer.number), str(offer.id)
            )
        ]
        if offer.status is Status.SCHEDULED:
            row.append(
                WEIGH_BUTTONS.button(
                    _("⚖️ Weigh {number}").format(number=offer.number), str(offer.id)
                )
            )
        rows.append(row)
    await reply(update, "\n".join(lines), keyboard(rows))


# --- scheduling --------------------------------------------------------------------------------------


async def start_schedule(update: Update, context: BotContext) -> str:
    offer = await offers.get(context.db, int(SCHEDULE_BUTTONS.value(update)))
    if (
        offer is None
        or offer.taker_id != context.person.id
        or offer.status not in (Status.TAKEN, Status.SCHEDULED)
    ):
        await refuse_button(update)
        return END
    await answer_query(update)
    PickupDraft(offer_id=offer.id).save(context)
    return await DAY_STEP.ask(update, context)


def _day_options(context: BotContext) -> list[tuple[str, str]]:
    today = datetime.now(ZoneInfo(context.person.timezone)).date()
    return [(format_date(today + timedelta(days=d)), str(d)) for d in range(7)]


async def _day_chosen(update: Update, context: BotContext, days: str) -> str:
    draft = PickupDraft.load(context)
    draft.day = int(days)
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
    day = datetime.now(ZoneInfo(context.person.timezone)).date() + timedelta(days=need(draft.day))
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
        number=offer.number, date=format_date(day), window=_window_label(window), zone=zone
    ))  # fmt: skip
    if farmer and farmer.chat_id:
        with use_locale(farmer.language):
            text = _("Your offer {number} will be picked up on {date}, between {window} {zone}. If that does not suit you, call the coordinator: {phone}.").format(
                number=offer.number, date=format_date(day), window=_window_label(window),
                zone=TIMEZONES.get(farmer.timezone, ""),
                phone=_phone(context),
            )  # fmt: skip
            markup = keyboard([[CHANGE_BUTTONS.button(_("🔁 Ask for another day"), str(offer.id))]])
        await notify(
            context.db, context.bot_data.outbox, key=f"scheduled:{offer.id}:{pickup.pickup_on}:{code}",
            kind="scheduled", messages=[OutgoingMessage(farmer.id, farmer.chat_id, text, json.dumps(markup.to_dict()))],
        )  # fmt: skip
    return END


def _phone(context: BotContext) -> str:
    return display_phone(context.person.phone or "")


WINDOW_STEP = Choice(
    WINDOW, WINDOW_BUTTONS, lambda: _("At what time?"),
    lambda context: [(_window_label(w), window_code(w)) for w in WINDOWS], _window_chosen, PickupDraft,
)  # fmt: skip


# --- weighing ----------------------------------------------------------------------------------------


async def start_weighing(update: Update, context: BotContext) -> str | int:
    offer = await offers.get(context.db, int(WEIGH_BUTTONS.value(update)))
    if offer is None or offer.taker_id != context.person.id or offer.status is not Status.SCHEDULED:
        await refuse_button(update)
        return END
    await answer_query(update)
    commodity = CATALOG[offer.commodity]
    PickupDraft(offer_id=offer.id, commodity=commodity.code).save(context)
    if not commodity.graded:
        return await _grade_found(update, context, NO_GRADE)
    return await GRADE_STEP.ask(update, context)


def _grades(context: BotContext) -> list[tuple[str, str]]:
    commodity = CATALOG[need(PickupDraft.load(context).commodity)]
    return [(gettext(g.label), g.code) for g in commodity.grades]


async def _grade_found(update: Update, context: BotContext, grade: str) -> str:
    draft = PickupDraft.load(context)
    draft.grade = grade
    draft.save(context)
    return await WEIGHT_STEP.ask(update, context)


class GradeFound(Choice):
    """The grades of the offer's produce, with their criteria."""

    async def text(self, context: BotContext) -> str:
        offer = await _offer(context)
        commodity = CATALOG[offer.commodity]
        lines = [
            _("Which grade did you find? The farmer offered {grade}.").format(
                grade=gettext(commodity.grade(offer.grade).label)
            )
        ]
        lines += [f"{gettext(g.label)}: {gettext(g.criteria)}" for g in commodity.grades]
        return "\n".join(lines)


GRADE_STEP = GradeFound(GRADE, FOUND_GRADE_BUTTONS, lambda: "", _grades, _grade_found, PickupDraft)


class WeightStep(Step):
    """The weight (or number of head) found, as people write it."""

    state = WEIGHT

    async def _question(self, context: BotContext) -> str:
        offer = await _offer(context)
        commodity = CATALOG[offer.commodity]
        return _("What is the weight you found? The farmer offered {amount}.").format(
            amount=format_quantity(Decimal(offer.quantity), commodity.base_unit)
        )

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, await self._question(context))
        return WEIGHT

    async def on_text(self, update: Update, context: BotContext) -> str:
        commodity = CATALOG[(await _offer(context)).commodity]
        try:
            quantity = parse_quantity(update.effective_message.text, commodity)
        except QuantityRefused as refused:
            await reply(
                update, _refusal(refused.reason, commodity) + "\n" + await self._question(context)
            )
            return WEIGHT
        draft = PickupDraft.load(context)
        draft.quantity = str(quantity.value)
        draft.save(context)
        return await CONFIRM_STEP.ask(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


WEIGHT_STEP = WeightStep()


async def _weighing_summary(context: BotContext) -> str:
    draft = PickupDraft.load(context)
    offer = await _offer(context)
    commodity = CATALOG[offer.commodity]
    price = await pickups.locked_price(context.db, offer, need(draft.grade))
    if price is None:
        return _(
            "The cooperative had no price for that grade when the offer was made. Send /cancel and call the cooperative."
        )
    quantity = Decimal(need(draft.quantity))
    gross = amount_rupiah(price, quantity)
    taken = deductions(await deduction_rates.locked(context.db, offer.id), quantity, gross)
    return "\n".join([
        _("Please check the weighing of {number}:").format(number=offer.number),
        _("Grade: {grade}").format(grade=gettext(commodity.grade(need(draft.grade)).label)),
        _("Weight: {amount} × {price} per {unit}").format(amount=format_quantity(quantity, commodity.base_unit), price=format_money(price), unit=unit_name(commodity.base_unit)),
        deductions_line(taken, commodity),
        _("Total: {total}").format(total=format_money(net_amount(gross, taken))),
        "", _("Is this right?"),
    ])  # fmt: skip


@writes("pickup.record")
async def save_weighing(update: Update, context: BotContext) -> int:
    draft = PickupDraft.load(context)
    try:
        offer, pickup = await context.db.write(
            pickups.record, need(draft.offer_id), context.person.id, context.person.roles,
            need(draft.grade), Decimal(need(draft.quantity)),
        )  # fmt: skip
    except (OfferActionRefused, pickups.NoPriceForGrade):
        PickupDraft.drop(context)
        await reply(update, _("This weighing cannot be recorded. Please call the cooperative."))
        return END
    PickupDraft.drop(context)
    receipt = await _receipt(context, offer, pickup)
    farmer = await people.by_id(context.db, offer.farmer_id)
    on_telegram = farmer is not None and farmer.chat_id is not None
    after = (
        _("Sent to the farmer. Tap a button once you have paid.")
        if on_telegram
        else _(
            "The farmer has no Telegram: read the receipt to them. Tap a button once you have paid."
        )
    )
    await reply(update, receipt + "\n\n" + after, _pay_buttons(offer))
    if on_telegram:
        with use_locale(farmer.language):
            text = await _receipt(context, offer, pickup) + "\n\n" + _("Is this receipt right?")
            buttons = keyboard([[RECEIPT_BUTTONS.button(_("✅ Right"), f"ok{offer.id}"),
                                 RECEIPT_BUTTONS.button(_("⚠️ Not right"), f"no{offer.id}")]])  # fmt: skip
        await notify(
            context.db, context.bot_data.outbox, key=f"receipt:{offer.id}:{pickup.picked_up_at}",
            kind="receipt", messages=[OutgoingMessage(farmer.id, farmer.chat_id, text, json.dumps(buttons.to_dict()))],
        )  # fmt: skip
    return END


def _pay_buttons(offer: Offer):
    return keyboard([[PAY_BUTTONS.button(_("💵 Paid in cash"), str(offer.id)),
                      TRANSFER_BUTTONS.button(_("🏦 Paid by transfer"), str(offer.id))]])  # fmt: skip


async def _receipt(context: BotContext, offer: Offer, pickup: pickups.Pickup) -> str:
    """The weighing in figures, the deductions itemised, the total (in Indonesian also in
    words) and whether it is paid."""
    commodity = CATALOG[offer.commodity]
    quantity = Decimal(pickup.quantity)
    taken = deductions(
        await deduction_rates.locked(context.db, offer.id), quantity, pickup.amount_rupiah
    )
    total = format_money(pickup.net_rupiah)
    if current_language() == "id":
        total = f"{total} ({terbilang(pickup.net_rupiah)} rupiah)"
    grade = "" if pickup.grade == NO_GRADE else ", " + gettext(commodity.grade(pickup.grade).label)
    weight = dict(amount=format_quantity(quantity, commodity.base_unit), price=format_money(pickup.price_rupiah),
                  unit=unit_name(commodity.base_unit), gross=format_money(pickup.amount_rupiah))  # fmt: skip
    return "\n".join([
        _("Receipt {number}").format(number=offer.number),
        _("Produce: {produce}").format(produce=_name(commodity) + grade),
        (_("Weight: {amount} × {price} per {unit} = {gross}") if taken else _("Weight: {amount} × {price} per {unit}")).format(**weight),
        deductions_line(taken, commodity),
        _("Total: {total}").format(total=total),
        _("Payment: {status}").format(status=_payment(offer, pickup)),
    ])  # fmt: skip


def _payment(offer: Offer, pickup: pickups.Pickup) -> str:
    if pickup.paid_by == "transfer":
        return _("paid by transfer, reference {reference}").format(
            reference=pickup.payment_reference
        )
    if pickup.paid_by == "cash":
        return _("paid in cash")
    return gettext(STATUS_LABELS[offer.status])


async def weigh_again(update: Update, context: BotContext) -> str:
    await reply(update, _("Let us go through it again."))
    offer = await _offer(context)
    if not CATALOG[offer.commodity].graded:
        return await WEIGHT_STEP.ask(update, context)
    return await GRADE_STEP.ask(update, context)


CONFIRM_STEP = Confirm(CONFIRM, _weighing_summary, save_weighing, weigh_again)


# --- the farmer's answer to the receipt ------------------------------------------------------------------------


@writes("receipt.answer")
async def on_receipt_answer(update: Update, context: BotContext) -> None:
    value = RECEIPT_BUTTONS.value(update)
    agreed, offer_id = value.startswith("ok"), int(value[2:])
    if context.person is None:
        await refuse_button(update)
        return
    try:
        offer, pickup = await context.db.write(pickups.answer, offer_id, context.person.id, agreed)
    except OfferActionRefused:
        await refuse_button(update)
        return
    await close_buttons(update, _("✅ Right") if agreed else _("⚠️ Not right"))
    if agreed:
        await reply(
            update,
            _("Thank you. The cooperative will pay you {total}.").format(
                total=format_money(pickup.net_rupiah)
            ),
        )
        return
    await reply(update, _("The cooperative's administrators are told. They will call you."))
    await _tell_admins_of_dispute(context, offer, pickup)


@writes("offer.pay")
async def on_paid(update: Update, context: BotContext) -> None:
    """The taker (or a treasurer) paid the farmer in cash: settled once, the farmer told."""
    if context.person is None:
        await refuse_button(update)
        return
    try:
        offer, pickup = await context.db.write(
            pickups.pay, int(PAY_BUTTONS.value(update)), context.person.id, context.person.roles
        )
    except (OfferActionRefused, LedgerError):
        await refuse_button(update)
        return
    await close_buttons(update, _("💵 Paid in cash"))
    await _tell_farmer_paid(context, offer, pickup)


async def _tell_farmer_paid(context: BotContext, offer: Offer, pickup: pickups.Pickup) -> None:
    farmer = await people.by_id(context.db, offer.farmer_id)
    if not (farmer and farmer.chat_id):
        return
    with use_locale(farmer.language):
        text = (
            _("Offer {number} is paid by transfer: {total}, reference {reference}. Thank you for selling to the cooperative.")
            if pickup.paid_by == "transfer"
            else _("Offer {number} is paid: {total} in cash. Thank you for selling to the cooperative.")
        ).format(number=offer.number, total=format_money(pickup.net_rupiah), reference=pickup.payment_reference)  # fmt: skip
    await notify(
        context.db, context.bot_data.outbox, key=f"paid:{offer.id}", kind="paid",
        messages=[OutgoingMessage(farmer.id, farmer.chat_id, text)],
    )  # fmt: skip


async def start_transfer(update: Update, context: BotContext) -> str | int:
    offer = await offers.get(context.db, int(TRANSFER_BUTTONS.value(update)))
    if offer is None or offer.status is not Status.PICKED_UP or not _may_pay(context, offer):
        await refuse_button(update)
        return END
    await close_buttons(update, _("🏦 Paid by transfer"))
    PickupDraft(offer_id=offer.id).save(context)
    return await TRANSFER_STEP.ask(update, context)


def _may_pay(context: BotContext, offer: Offer) -> bool:
    return offer.taker_id == context.person.id or Role.TREASURER in context.person.roles


@writes("offer.pay_transfer")
async def _transfer_typed(update: Update, context: BotContext, reference: str) -> int:
    draft = PickupDraft.load(context)
    try:
        offer, pickup = await context.db.write(
            pickups.pay, need(draft.offer_id), context.person.id, context.person.roles,
            pickups.Payment("transfer", reference),
        )  # fmt: skip
    except (OfferActionRefused, LedgerError):
        PickupDraft.drop(context)
        await reply(
            update, _("That is no longer possible: this offer is already paid or not yours.")
        )
        return END
    PickupDraft.drop(context)
    await reply(update, _("OK. {number} is paid by transfer, reference {reference}. I told the farmer.").format(
        number=offer.number, reference=reference))  # fmt: skip
    await _tell_farmer_paid(context, offer, pickup)
    return END


TRANSFER_STEP = Typed(
    TRANSFER, lambda: _("Type the transfer reference from the bank receipt, for example 240915123456."),
    transfer_reference, _transfer_typed,
    reasons={"payment.reference": lambda: _("A reference is 4 to 40 letters or digits.")},
)  # fmt: skip


async def _tell_admins_of_dispute(
    context: BotContext, offer: Offer, pickup: pickups.Pickup
) -> None:
    farmer = context.person
    messages = []
    for admin in await offers.administrators(context.db, offer.org_id):
        with use_locale(admin.language):
            text = _("Dispute: {name} says receipt {number} is not right. Please call them: {phone}.").format(
                name=farmer.full_name, number=offer.number, phone=display_phone(farmer.phone or "")
            )  # fmt: skip
        messages.append(OutgoingMessage(admin.person_id, admin.chat_id, text))
    key = f"dispute:{offer.id}:{pickup.picked_up_at}"  # once per receipt
    await notify(context.db, context.bot_data.outbox, key=key, kind="dispute", messages=messages)


# --- the farmer asks for another day --------------------------------------------------------------------------

CHANGE_DAYS = 7


async def ask_change(update: Update, context: BotContext) -> None:
    """The farmer's schedule message: which day would suit them better (the coordinator decides)."""
    offer = await offers.get(context.db, int(CHANGE_BUTTONS.value(update)))
    if (
        context.person is None
        or offer is None
        or offer.farmer_id != context.person.id
        or offer.status is not Status.SCHEDULED
    ):
        await refuse_button(update)
        return
    await answer_query(update)
    today = datetime.now(ZoneInfo(context.person.timezone)).date()
    days = [today + timedelta(days=d) for d in range(CHANGE_DAYS)]
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
                            _("📅 Schedule {number}").format(number=offer.number), str(offer.id)
                        )
                    ]
                ]
            )
        await context.bot.send_message(
            coordinator.chat_id, text, reply_markup=markup, rate_limit_args=BULK
        )


def _change_day(update: Update, context: BotContext) -> tuple[int, date | None]:
    """The offer and the day a pressed button names; no day when it is not one offered
    (forged, or pressed days later)."""
    offer_id, _sep, day = CHANGE_DAY_BUTTONS.value(update).partition("d")
    try:
        chosen = datetime.strptime(day, "%Y%m%d").date()
    except ValueError:
        return 0, None
    tz = context.person.timezone if context.person else "Asia/Jakarta"
    today = datetime.now(ZoneInfo(tz)).date()
    fits = offer_id.isdigit() and today <= chosen < today + timedelta(days=CHANGE_DAYS)
    return (int(offer_id), chosen) if fits else (0, None)


def schedule_conversation() -> ConversationHandler:
    return conversation(
        "pickup_schedule", "jemput", entry_points=[SCHEDULE_BUTTONS.handler(start_schedule)],
        steps=[DAY_STEP, WINDOW_STEP], cancel=cancel,
    )  # fmt: skip


def transfer_conversation() -> ConversationHandler:
    return conversation(
        "pickup_transfer", "jemput", entry_points=[TRANSFER_BUTTONS.handler(start_transfer)],
        steps=[TRANSFER_STEP], cancel=cancel,
    )  # fmt: skip


def weighing_conversation() -> ConversationHandler:
    return conversation(
        "pickup_weighing", "jemput", entry_points=[WEIGH_BUTTONS.handler(start_weighing)],
        steps=[GRADE_STEP, WEIGHT_STEP, CONFIRM_STEP], cancel=cancel,
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
                    window=_window_label((pickup.window_start, pickup.window_end)), number=offer.number,
                    amount=format_quantity(Decimal(offer.quantity), commodity.base_unit), produce=_name(commodity),
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
