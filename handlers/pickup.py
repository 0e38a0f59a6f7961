"""/jemput: a coordinator's pickups. Schedule one (day and time window; the farmer is told),
then record the weighing (the grade and weight found): the amount comes from the locked
price of that grade, and the farmer gets a receipt to agree with or dispute."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ConversationHandler, MessageHandler

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
from domain.commands import BUTTONS as BUTTON_ROLES
from domain.ledger import LedgerError
from domain.offers import REASONS, STATUS_LABELS, Action, OfferActionRefused, Status
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
    day_gone,
    day_value,
    for_command,
    keyboard,
    need,
    parse_day,
    refuse_button,
    refuse_person,
    reply,
    today,
    writes,
)
from handlers.menus import cancel
from handlers.offer import _name, _refusal
from handlers.wording import deductions_line, grade_line, is_weighed, produce_in_sentence
from storage import deductions as deduction_rates
from storage import offers, people, pickups
from storage.offers import Offer

log = logging.getLogger(__name__)
SCHEDULE_BUTTONS = Buttons("jdw", value=r"[0-9]", max_length=12)
WEIGH_BUTTONS = Buttons("tmb", value=r"[0-9]", max_length=12)
PICK_DAY_BUTTONS = Buttons("jday", value=r"[0-9]", max_length=8)  # the date: 20261204
WINDOW_BUTTONS = Buttons("jwin", value=r"[0-9]", max_length=4)
FOUND_GRADE_BUTTONS = Buttons("jgrd", value=r"[A-Za-z0-9_-]", max_length=8)
RECEIPT_BUTTONS = Buttons("trm", value=r"(?:ok|no)[0-9]", max_length=14)
PAY_BUTTONS = Buttons("bayar", value=r"[0-9]", max_length=12)
TRANSFER_BUTTONS = Buttons("trf", value=r"[0-9]", max_length=12)
CHANGE_BUTTONS = Buttons("ganti", value=r"[0-9]", max_length=12)
CHANGE_DAY_BUTTONS = Buttons("gtgl", value=r"[0-9d]", max_length=21)
CHECK_BUTTONS = Buttons("tbcek", value=r"(?:ok|no)[0-9]", max_length=14)  # a held weighing
SETTLE_BUTTONS = Buttons("damai", value=r"(?:ok|no)[0-9]", max_length=14)  # a disputed receipt
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
    day: str | None = None  # the day the pressed button showed, 20261204
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
    if Role.TREASURER in context.person.roles:  # the cooperative's receipts to pay
        await show_to_pay(update, context)
        if Role.COORDINATOR not in context.person.roles:
            return
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
            produce=produce_in_sentence(commodity), when=when,
        ))  # fmt: skip
        if pickup and pickup.requested_on:
            lines.append(
                _("   the farmer asks for {date}").format(
                    date=format_date(date.fromisoformat(pickup.requested_on))
                )
            )
        row = [
            SCHEDULE_BUTTONS.button(
                _("📅 Schedule the pickup of {number}").format(number=offer.number), str(offer.id)
            )
        ]
        if await _may(context, offer, Action.CONFIRM):  # not while a weighing waits
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
    action = Action.RESCHEDULE if offer and offer.status is Status.SCHEDULED else Action.SCHEDULE
    if offer is None or not await _may(context, offer, action):
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
        number=offer.number, date=format_date(day), window=_window_label(window), zone=zone
    ))  # fmt: skip
    if farmer and farmer.chat_id:
        with use_locale(farmer.language):
            text = _("The coordinator will pick up your {produce} ({number}) on {date}, {window} {zone}. If that time does not suit you, call the coordinator on {phone}.").format(
                produce=produce_in_sentence(CATALOG[offer.commodity]), number=offer.number, date=format_date(day), window=_window_label(window),
                zone=TIMEZONES.get(farmer.timezone, ""),
                phone=_phone(context),
            )  # fmt: skip
            markup = keyboard([[CHANGE_BUTTONS.button(_("🔁 Ask for another day"), str(offer.id))]])
        await context.bot.send_message(
            farmer.chat_id, text, reply_markup=markup, rate_limit_args=BULK
        )
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
    if offer is None or not await _may(context, offer, Action.CONFIRM):
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
            _("Which grade is it, now that you have checked? The farmer said {grade}.").format(
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
        question = (
            _("What is the weight you found? The farmer said {amount}.")
            if is_weighed(commodity.base_unit)
            else _("How many did you count? The farmer said {amount}.")
        )
        return question.format(amount=format_quantity(Decimal(offer.quantity), commodity.base_unit))

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
        grade_line(gettext(commodity.grade(need(draft.grade)).label)),
        (_("Weight: {amount} × {price} per {unit}") if is_weighed(commodity.base_unit) else _("Quantity: {amount} × {price} per {unit}")).format(amount=format_quantity(quantity, commodity.base_unit), price=format_money(price), unit=unit_name(commodity.base_unit)),
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
    if pickup.held:
        asked = await _ask_second_look(context, offer, pickup)
        await reply(update, (
            _("The weight is far above the offer, so a second person must confirm it. I asked the administrators and the other coordinators. The farmer gets the receipt after that.")
            if asked else _("The weight is far above the offer, so a second person must confirm it. Nobody else in the cooperative can do it yet. Please call the cooperative.")
        ))  # fmt: skip
        return END
    await _receipt_out(update, context, offer, pickup)
    return END


def _after_receipt(farmer_on_telegram: bool) -> str:
    """What the taker does once the receipt is out, in the language in use."""
    if farmer_on_telegram:
        return _("The receipt is sent to the farmer. Once you have paid, tap 💵 or 🏦 below.")
    return _("The farmer has no Telegram: read the receipt to them. Once you have paid, tap 💵 or 🏦 below.")  # fmt: skip


async def _receipt_out(
    update: Update | None, context: BotContext, offer: Offer, pickup: pickups.Pickup
) -> None:
    """The receipt to the taker (to ``update``'s chat, else to the taker's) with the pay
    buttons, and to the farmer to agree with or dispute."""
    receipt = await _receipt(context, offer, pickup)
    farmer = await people.by_id(context.db, offer.farmer_id)
    on_telegram = farmer is not None and farmer.chat_id is not None
    if update is not None:
        await reply(update, receipt + "\n\n" + _after_receipt(on_telegram), _pay_buttons(offer))
    else:
        taker = await people.by_id(context.db, need(offer.taker_id))
        if taker and taker.chat_id:
            with use_locale(taker.language):
                text = await _receipt(context, offer, pickup) + "\n\n" + _after_receipt(on_telegram)
                markup = _pay_buttons(offer)
            await context.bot.send_message(
                taker.chat_id, text, reply_markup=markup, rate_limit_args=BULK
            )
    if on_telegram:
        with use_locale(farmer.language):
            text = await _receipt(context, offer, pickup) + "\n\n" + _("Is this receipt right?")
            buttons = keyboard([[RECEIPT_BUTTONS.button(_("✅ Right"), f"ok{offer.id}"),
                                 RECEIPT_BUTTONS.button(_("⚠️ Not right"), f"no{offer.id}")]])  # fmt: skip
        await context.bot.send_message(
            farmer.chat_id, text, reply_markup=buttons, rate_limit_args=BULK
        )


async def _may(context: BotContext, offer: Offer, action: Action) -> bool:
    """The offer's rules (domain.offers), asked before a button opens a step."""
    return await pickups.may(context.db, offer, action, context.person.id, context.person.roles)


async def _refuse(
    update: Update, context: BotContext, refused: OfferActionRefused, offer_id: int
) -> None:
    """A press the offer's rules refuse: the reason when it says more than "no longer active"."""
    offer = await offers.get(context.db, offer_id)
    if offer is None or refused.reason in ("offer.not_allowed", "offer.status"):
        await refuse_button(update)
        return
    await answer_query(update, gettext(REASONS[refused.reason]).format(
        number=offer.number, status=gettext(STATUS_LABELS[offer.status])))  # fmt: skip


# --- a weighing far above the offer: a second person confirms -----------------------------


async def _ask_second_look(context: BotContext, offer: Offer, pickup: pickups.Pickup) -> int:
    commodity = CATALOG[offer.commodity]
    weigher = await people.by_id(context.db, need(offer.taker_id))
    asked = 0
    for who in await pickups.checkers(context.db, offer):
        with use_locale(who.language):
            text = _("Please confirm the weighing of {number}: {name} found {found}, the farmer offered {offered}. Is it right?").format(
                number=offer.number, name=weigher.full_name if weigher else "?",
                found=format_quantity(Decimal(pickup.quantity), commodity.base_unit),
                offered=format_quantity(Decimal(offer.quantity), commodity.base_unit),
            )  # fmt: skip
            buttons = keyboard([[CHECK_BUTTONS.button(_("✅ Right"), f"ok{offer.id}"),
                                 CHECK_BUTTONS.button(_("❌ Weigh again"), f"no{offer.id}")]])  # fmt: skip
        try:
            await context.bot.send_message(
                who.chat_id, text, reply_markup=buttons, rate_limit_args=BULK
            )
            asked += 1
        except TelegramError as exc:
            log.info("weighing check of %s not sent to %s: %s", offer.id, who.person_id, exc)
    return asked


@writes("pickup.check_weight")
async def on_weight_checked(update: Update, context: BotContext) -> None:
    if await refuse_person(update, context, BUTTON_ROLES["weighing.check"]):
        return
    value = CHECK_BUTTONS.value(update)
    ok, offer_id = value.startswith("ok"), int(value[2:])
    try:
        offer, pickup = await context.db.write(
            pickups.check_weight, offer_id, context.person.id, context.person.roles, ok
        )
    except OfferActionRefused as refused:
        await _refuse(update, context, refused, offer_id)
        return
    await close_buttons(update, _("✅ Right") if ok else _("❌ Weigh again"))
    if ok:
        await _receipt_out(None, context, offer, pickup)
        return
    taker = await people.by_id(context.db, need(offer.taker_id))
    if taker and taker.chat_id:
        with use_locale(taker.language):
            text = _("{name} did not confirm the weighing of {number}. Please weigh it again.").format(
                name=context.person.full_name, number=offer.number)  # fmt: skip
            markup = keyboard([[WEIGH_BUTTONS.button(
                _("⚖️ Weigh {number}").format(number=offer.number), str(offer.id))]])  # fmt: skip
        await context.bot.send_message(
            taker.chat_id, text, reply_markup=markup, rate_limit_args=BULK
        )


# --- under /jemput, a treasurer pays the farmers of the cooperative -----------------------


async def show_to_pay(update: Update, context: BotContext) -> None:
    found = await pickups.to_pay(context.db, context.person.id)
    if not found:
        await reply(update, _("No picked-up produce waits for payment now."))
        return
    await reply(update, _("Picked up, not paid yet:"))
    for offer, pickup in found:
        await reply(update, await _receipt(context, offer, pickup), _pay_buttons(offer))


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
        from lokal import terbilang  # lokal: imported on first use (0.4 s)

        total = f"{total} ({terbilang(pickup.net_rupiah)} rupiah)"
    grade = "" if pickup.grade == NO_GRADE else ", " + gettext(commodity.grade(pickup.grade).label)
    weight = dict(amount=format_quantity(quantity, commodity.base_unit), price=format_money(pickup.price_rupiah),
                  unit=unit_name(commodity.base_unit), gross=format_money(pickup.amount_rupiah))  # fmt: skip
    return "\n".join([
        _("Receipt {number}").format(number=offer.number),
        _("Produce: {produce}").format(produce=_name(commodity) + grade),
        _weight_line(commodity.base_unit, bool(taken)).format(**weight),
        deductions_line(taken, commodity),
        _("Total: {total}").format(total=total),
        _("Payment: {status}").format(status=_payment(offer, pickup)),
    ])  # fmt: skip


def _weight_line(unit: str, gross: bool) -> str:
    """``Berat: 1.500 kg × …`` for what is weighed, ``Jumlah: 2 ekor × …`` for what is counted."""
    if is_weighed(unit):
        return (
            _("Weight: {amount} × {price} per {unit} = {gross}")
            if gross
            else _("Weight: {amount} × {price} per {unit}")
        )
    return (
        _("Quantity: {amount} × {price} per {unit} = {gross}")
        if gross
        else _("Quantity: {amount} × {price} per {unit}")
    )


def _payment(offer: Offer, pickup: pickups.Pickup) -> str:
    if pickup.paid_by == "transfer":
        return _("paid by transfer, reference {reference}").format(
            reference=pickup.payment_reference
        )
    if pickup.paid_by == "cash":
        return _("paid in cash")
    if offer.status is Status.PICKED_UP:
        return _("not paid yet")
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
    offer_id = int(PAY_BUTTONS.value(update))
    try:
        offer, pickup = await context.db.write(
            pickups.pay, offer_id, context.person.id, context.person.roles
        )
    except OfferActionRefused as refused:
        await _refuse(update, context, refused, offer_id)
        return
    except LedgerError:
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
    await context.bot.send_message(farmer.chat_id, text, rate_limit_args=BULK)


async def start_transfer(update: Update, context: BotContext) -> str | int:
    offer = await offers.get(context.db, int(TRANSFER_BUTTONS.value(update)))
    if offer is None:
        await refuse_button(update)
        return END
    try:
        await pickups.may_or_refuse(
            context.db, offer, Action.PAY, context.person.id, context.person.roles
        )
    except OfferActionRefused as refused:
        await _refuse(update, context, refused, offer.id)
        return END
    await close_buttons(update, _("🏦 Paid by transfer"))
    PickupDraft(offer_id=offer.id).save(context)
    return await TRANSFER_STEP.ask(update, context)


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
    for admin in await offers.administrators(context.db, offer.org_id):
        if admin.person_id == farmer.id:  # never settles his own dispute
            continue
        with use_locale(admin.language):
            text = _("Dispute: {name} says receipt {number} is not right. Please call {name} on {phone}.").format(
                name=farmer.full_name, number=offer.number, phone=display_phone(farmer.phone or "")
            )  # fmt: skip
            text += "\n" + _(
                "It is not paid until you settle it. Tap a button once you have agreed with the farmer."
            )
            markup = keyboard([
                [SETTLE_BUTTONS.button(_("🤝 Settled: the receipt stands"), f"ok{offer.id}")],
                [SETTLE_BUTTONS.button(_("⚖️ Weigh it again"), f"no{offer.id}")],
            ])  # fmt: skip
        await context.bot.send_message(
            admin.chat_id, text, reply_markup=markup, rate_limit_args=BULK
        )


@writes("receipt.settle")
async def on_settle(update: Update, context: BotContext) -> None:
    """An administrator settles a disputed receipt: it stands and may be paid now, or it is
    weighed again; the farmer and the taker are told."""
    if await refuse_person(update, context, BUTTON_ROLES["dispute.settle"]):
        return
    value = SETTLE_BUTTONS.value(update)
    stands, offer_id = value.startswith("ok"), int(value[2:])
    try:
        offer, pickup = await context.db.write(
            pickups.settle, offer_id, context.person.id, context.person.roles, stands
        )
    except OfferActionRefused as refused:
        await _refuse(update, context, refused, offer_id)
        return
    if not stands:
        await close_buttons(update, _("⚖️ Weigh it again"))
        await _tell_weigh_again(context, offer)
        return
    await close_buttons(update, _("🤝 Settled: the receipt stands"))
    farmer = await people.by_id(context.db, offer.farmer_id)
    if farmer and farmer.chat_id:
        with use_locale(farmer.language):
            text = _("Your dispute about receipt {number} is settled: the receipt stands at {total}. The cooperative will pay you.").format(
                number=offer.number, total=format_money(pickup.net_rupiah))  # fmt: skip
        await context.bot.send_message(farmer.chat_id, text, rate_limit_args=BULK)
    taker = await people.by_id(context.db, need(offer.taker_id))
    if taker and taker.chat_id:
        with use_locale(taker.language):
            text = _("The dispute about receipt {number} is settled. You may pay the farmer now.").format(
                number=offer.number)  # fmt: skip
            markup = _pay_buttons(offer)
        await context.bot.send_message(
            taker.chat_id, text, reply_markup=markup, rate_limit_args=BULK
        )


async def _tell_weigh_again(context: BotContext, offer: Offer) -> None:
    farmer = await people.by_id(context.db, offer.farmer_id)
    if farmer and farmer.chat_id:
        with use_locale(farmer.language):
            text = _("Your dispute about receipt {number} is settled: the coordinator will weigh it again. You will get a new receipt.").format(
                number=offer.number)  # fmt: skip
        await context.bot.send_message(farmer.chat_id, text, rate_limit_args=BULK)
    taker = await people.by_id(context.db, need(offer.taker_id))
    if taker and taker.chat_id:
        with use_locale(taker.language):
            text = _("The administrator asks you to weigh {number} again, with the farmer.").format(
                number=offer.number)  # fmt: skip
            markup = keyboard([[WEIGH_BUTTONS.button(
                _("⚖️ Weigh {number}").format(number=offer.number), str(offer.id))]])  # fmt: skip
        await context.bot.send_message(
            taker.chat_id, text, reply_markup=markup, rate_limit_args=BULK
        )


# --- the farmer asks for another day --------------------------------------------------------------------------

CHANGE_DAYS = 7


async def ask_change(update: Update, context: BotContext) -> None:
    """The farmer's schedule message: which day would suit them better (the coordinator decides)."""
    offer = await offers.get(context.db, int(CHANGE_BUTTONS.value(update)))
    if (
        context.person is None
        or offer is None
        or not await _may(context, offer, Action.REQUEST_CHANGE)
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
        await context.bot.send_message(
            coordinator.chat_id, text, reply_markup=markup, rate_limit_args=BULK
        )


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
    """One message per coordinator with pickups on ``day``; returns how many were sent."""
    sent = 0
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
                    amount=format_quantity(Decimal(offer.quantity), commodity.base_unit), produce=produce_in_sentence(commodity),
                    name=farmer.full_name, phone=display_phone(farmer.phone or ""),
                ))  # fmt: skip
            text = "\n".join(lines)
        try:
            await context.bot.send_message(coordinator.chat_id, text, rate_limit_args=BULK)
            sent += 1
        except TelegramError as exc:
            log.info("digest not sent to %s: %s", person_id, exc)
    return sent
