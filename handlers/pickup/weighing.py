"""Weighing: the grade and weight found, priced at the offer's locked price; a weight far
above the offer waits for a second person; the receipt goes to the farmer, who agrees or
disputes; an administrator settles a dispute."""

from __future__ import annotations

import json
import logging
from decimal import Decimal

from telegram import Update
from telegram.ext import ConversationHandler, MessageHandler

from bot.context import BotContext
from bot.i18n import (
    _,
    format_money,
    format_quantity,
    gettext,
    unit_name,
    use_locale,
)
from bot.notices import notify
from domain import rafaksi
from domain.commands import BUTTONS as BUTTON_ROLES
from domain.offers import Action, OfferActionRefused
from domain.people import display_phone
from domain.pickups import (
    deductions,
    net_amount,
)
from domain.produce import CATALOG, NO_GRADE
from domain.quantity import QuantityRefused, amount_rupiah, parse_quantity
from handlers.kit import (
    END,
    TEXT,
    Choice,
    Confirm,
    Step,
    answer_query,
    close_buttons,
    conversation,
    keyboard,
    need,
    refuse_button,
    refuse_person,
    reply,
    tell,
    writes,
    yes_no_press,
)
from handlers.menus import cancel
from handlers.offer.draft import refusal
from handlers.pickup.common import (
    CHECK_BUTTONS,
    CONFIRM,
    FOUND_GRADE_BUTTONS,
    GRADE,
    RECEIPT_BUTTONS,
    SETTLE_BUTTONS,
    WEIGH_BUTTONS,
    WEIGHT,
    PickupDraft,
    draft_offer,
    may,
    pay_buttons,
    rafaksi_line,
    receipt_text,
    refuse,
)
from handlers.pickup.quality import reading_steps, readings, table_of
from handlers.pickup.quality import refusal as quality_refusal
from handlers.warehouse.common import ARRIVE_BUTTONS
from handlers.wording import (
    deductions_line,
    grade_line,
    is_weighed,
)
from storage import deductions as deduction_rates
from storage import offers, people, pickups, stock
from storage.offers import Offer
from storage.outbox import OutgoingMessage

log = logging.getLogger(__name__)

# --- weighing ----------------------------------------------------------------------------------------


async def start_weighing(update: Update, context: BotContext) -> str | int:
    offer = await offers.get(context.db, int(WEIGH_BUTTONS.value(update)))
    if offer is None or not await may(context, offer, Action.CONFIRM):
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
        offer = await draft_offer(context)
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
        offer = await draft_offer(context)
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
        commodity = CATALOG[(await draft_offer(context)).commodity]
        try:
            quantity = parse_quantity(update.effective_message.text, commodity)
        except QuantityRefused as refused:
            await reply(
                update, refusal(refused.reason, commodity) + "\n" + await self._question(context)
            )
            return WEIGHT
        draft = PickupDraft.load(context)
        draft.quantity = str(quantity.value)
        draft.moisture = draft.foreign = None  # asked again with every weight
        draft.save(context)
        if await table_of(context) is not None:
            return await READING_STEPS[0].ask(update, context)
        return await CONFIRM_STEP.ask(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


WEIGHT_STEP = WeightStep()
READING_STEPS = reading_steps(lambda: CONFIRM_STEP.ask)


async def _weighing_summary(context: BotContext) -> str:
    draft = PickupDraft.load(context)
    offer = await draft_offer(context)
    commodity = CATALOG[offer.commodity]
    price = await pickups.locked_price(context.db, offer, need(draft.grade))
    if price is None:
        return _(
            "The cooperative had no price for that grade when the offer was made. Send /cancel and call the cooperative."
        )
    quantity = Decimal(need(draft.quantity))
    quality = []
    table, measured = await table_of(context), readings(draft)
    if table is not None and measured is not None:
        try:
            cut = rafaksi.cut_for(table.table, *measured)
            price = rafaksi.price_after(price, cut)
        except rafaksi.RafaksiRefused as refused:
            return quality_refusal(refused)
        quality = [rafaksi_line(*measured, cut.rupiah_per_unit, commodity.base_unit)]
    gross = amount_rupiah(price, quantity)
    taken = deductions(await deduction_rates.locked(context.db, offer.id), quantity, gross)
    return "\n".join([
        _("Please check the weighing of {number}:").format(number=offer.number),
        grade_line(gettext(commodity.grade(need(draft.grade)).label)),
        *quality,
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
            need(draft.grade), Decimal(need(draft.quantity)), readings(draft),
        )  # fmt: skip
    except (OfferActionRefused, pickups.NoPriceForGrade):
        PickupDraft.drop(context)
        await reply(update, _("This weighing cannot be recorded. Please call the cooperative."))
        return END
    except rafaksi.RafaksiRefused as refused:  # the table changed since the readings
        PickupDraft.drop(context)
        await reply(update, quality_refusal(refused))
        return END
    PickupDraft.drop(context)
    if pickup.held:
        asked = await _ask_second_look(context, offer, pickup)
        await reply(update, (
            _("The weight is far above the offer, so a second person must confirm it. I asked the administrators and the other coordinators. The farmer gets the receipt after that.")
            if asked else _("The weight is far above the offer, so a second person must confirm it. Nobody else in the cooperative can do it yet. Please call the cooperative.")
        ))  # fmt: skip
        return END
    await receipt_out(update, context, offer, pickup)
    return END


def after_receipt(farmer_on_telegram: bool) -> str:
    """What the taker does once the receipt is out, in the language in use."""
    if farmer_on_telegram:
        return _("The receipt is sent to the farmer. Once you have paid, tap 💵 or 🏦 below.")
    return _("The farmer has no Telegram: read the receipt to them. Once you have paid, tap 💵 or 🏦 below.")  # fmt: skip


async def receipt_out(
    update: Update | None, context: BotContext, offer: Offer, pickup: pickups.Pickup
) -> None:
    """The receipt to the taker (to ``update``'s chat, else to the taker's) with the pay
    buttons, and to the farmer to agree with or dispute."""
    receipt = await receipt_text(context, offer, pickup)
    farmer = await people.by_id(context.db, offer.farmer_id)
    on_telegram = farmer is not None and farmer.chat_id is not None
    if update is not None:
        await reply(
            update,
            receipt + "\n\n" + after_receipt(on_telegram),
            await _taker_buttons(context, offer),
        )
    else:
        taker = await people.by_id(context.db, need(offer.taker_id))
        if taker and taker.chat_id:
            with use_locale(taker.language):
                text = (
                    await receipt_text(context, offer, pickup) + "\n\n" + after_receipt(on_telegram)
                )
                markup = await _taker_buttons(context, offer)
            await tell(context, key=f"receipt-taker:{offer.id}:{pickup.picked_up_at}", kind="receipt",
                       person_id=taker.id, chat_id=taker.chat_id, text=text, markup=markup)  # fmt: skip
    if on_telegram:
        with use_locale(farmer.language):
            text = await receipt_text(context, offer, pickup) + "\n\n" + _("Is this receipt right?")
            buttons = keyboard([[RECEIPT_BUTTONS.button(_("✅ Right"), f"ok{offer.id}"),
                                 RECEIPT_BUTTONS.button(_("⚠️ Not right"), f"no{offer.id}")]])  # fmt: skip
        await tell(context, key=f"receipt:{offer.id}:{pickup.picked_up_at}", kind="receipt",
                   person_id=farmer.id, chat_id=farmer.chat_id, text=text, markup=buttons)  # fmt: skip


async def _taker_buttons(context: BotContext, offer: Offer):
    """Pay the farmer; and, where the cooperative has a warehouse, 📦 once it is there."""
    markup = pay_buttons(offer)
    if not await stock.warehouses(context.db, offer.org_id):
        return markup
    arrive = ARRIVE_BUTTONS.button(
        _("📦 In the warehouse: {number}").format(number=offer.number), str(offer.id)
    )
    return keyboard([*markup.inline_keyboard, [arrive]])


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
        await tell(context, key=f"check:{offer.id}:{pickup.picked_up_at}:{who.person_id}", kind="check",
                   person_id=who.person_id, chat_id=who.chat_id, text=text, markup=buttons)  # fmt: skip
        asked += 1
    return asked


@writes("pickup.check_weight")
async def on_weight_checked(update: Update, context: BotContext) -> None:
    if await refuse_person(update, context, BUTTON_ROLES["weighing.check"]):
        return
    ok, offer_id = yes_no_press(CHECK_BUTTONS, update)
    try:
        offer, pickup = await context.db.write(
            pickups.check_weight, offer_id, context.person.id, context.person.roles, ok
        )
    except OfferActionRefused as refused:
        await refuse(update, context, refused, offer_id)
        return
    await close_buttons(update, _("✅ Right") if ok else _("❌ Weigh again"))
    if ok:
        await receipt_out(None, context, offer, pickup)
        return
    taker = await people.by_id(context.db, need(offer.taker_id))
    if taker and taker.chat_id:
        with use_locale(taker.language):
            text = _("{name} did not confirm the weighing of {number}. Please weigh it again.").format(
                name=context.person.full_name, number=offer.number)  # fmt: skip
            markup = keyboard([[WEIGH_BUTTONS.button(
                _("⚖️ Weigh {number}").format(number=offer.number), str(offer.id))]])  # fmt: skip
        await tell(context, key=f"check-refused:{offer.id}:{pickup.picked_up_at}", kind="check",
                   person_id=taker.id, chat_id=taker.chat_id, text=text, markup=markup)  # fmt: skip


async def weigh_again(update: Update, context: BotContext) -> str:
    await reply(update, _("Let us go through it again."))
    offer = await draft_offer(context)
    if not CATALOG[offer.commodity].graded:
        return await WEIGHT_STEP.ask(update, context)
    return await GRADE_STEP.ask(update, context)


CONFIRM_STEP = Confirm(CONFIRM, _weighing_summary, save_weighing, weigh_again)


# --- the farmer's answer to the receipt ------------------------------------------------------------------------


@writes("receipt.answer")
async def on_receipt_answer(update: Update, context: BotContext) -> None:
    agreed, offer_id = yes_no_press(RECEIPT_BUTTONS, update)
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


async def _tell_admins_of_dispute(
    context: BotContext, offer: Offer, pickup: pickups.Pickup
) -> None:
    farmer = context.person
    messages = []
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
        messages.append(
            OutgoingMessage(admin.person_id, admin.chat_id, text, json.dumps(markup.to_dict()))
        )
    key = f"dispute:{offer.id}:{pickup.picked_up_at}"  # once per receipt
    await notify(context.db, context.bot_data.outbox, key=key, kind="dispute", messages=messages)


@writes("receipt.settle")
async def on_settle(update: Update, context: BotContext) -> None:
    """An administrator settles a disputed receipt: it stands and may be paid now, or it is
    weighed again; the farmer and the taker are told."""
    if await refuse_person(update, context, BUTTON_ROLES["dispute.settle"]):
        return
    stands, offer_id = yes_no_press(SETTLE_BUTTONS, update)
    try:
        offer, pickup = await context.db.write(
            pickups.settle, offer_id, context.person.id, context.person.roles, stands
        )
    except OfferActionRefused as refused:
        await refuse(update, context, refused, offer_id)
        return
    if not stands:
        await close_buttons(update, _("⚖️ Weigh it again"))
        await _tell_weigh_again(context, offer, pickup)
        return
    await close_buttons(update, _("🤝 Settled: the receipt stands"))
    farmer = await people.by_id(context.db, offer.farmer_id)
    if farmer and farmer.chat_id:
        with use_locale(farmer.language):
            text = _("Your dispute about receipt {number} is settled: the receipt stands at {total}. The cooperative will pay you.").format(
                number=offer.number, total=format_money(pickup.net_rupiah))  # fmt: skip
        await tell(context, key=f"settled:{offer.id}:{pickup.picked_up_at}", kind="settled",
                   person_id=farmer.id, chat_id=farmer.chat_id, text=text)  # fmt: skip
    taker = await people.by_id(context.db, need(offer.taker_id))
    if taker and taker.chat_id:
        with use_locale(taker.language):
            text = _("The dispute about receipt {number} is settled. You may pay the farmer now.").format(
                number=offer.number)  # fmt: skip
            markup = pay_buttons(offer)
        await tell(context, key=f"settled-taker:{offer.id}:{pickup.picked_up_at}", kind="settled",
                   person_id=taker.id, chat_id=taker.chat_id, text=text, markup=markup)  # fmt: skip


async def _tell_weigh_again(context: BotContext, offer: Offer, pickup: pickups.Pickup) -> None:
    farmer = await people.by_id(context.db, offer.farmer_id)
    if farmer and farmer.chat_id:
        with use_locale(farmer.language):
            text = _("Your dispute about receipt {number} is settled: the coordinator will weigh it again. You will get a new receipt.").format(
                number=offer.number)  # fmt: skip
        await tell(context, key=f"reweigh:{offer.id}:{pickup.picked_up_at}", kind="settled",
                   person_id=farmer.id, chat_id=farmer.chat_id, text=text)  # fmt: skip
    taker = await people.by_id(context.db, need(offer.taker_id))
    if taker and taker.chat_id:
        with use_locale(taker.language):
            text = _("The administrator asks you to weigh {number} again, with the farmer.").format(
                number=offer.number)  # fmt: skip
            markup = keyboard([[WEIGH_BUTTONS.button(
                _("⚖️ Weigh {number}").format(number=offer.number), str(offer.id))]])  # fmt: skip
        await tell(context, key=f"reweigh-taker:{offer.id}:{pickup.picked_up_at}", kind="settled",
                   person_id=taker.id, chat_id=taker.chat_id, text=text, markup=markup)  # fmt: skip


def weighing_conversation() -> ConversationHandler:
    return conversation(
        "pickup_weighing", "jemput", entry_points=[WEIGH_BUTTONS.handler(start_weighing)],
        steps=[GRADE_STEP, WEIGHT_STEP, *READING_STEPS, CONFIRM_STEP], cancel=cancel,
    )  # fmt: skip
