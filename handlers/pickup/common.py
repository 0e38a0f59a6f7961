"""What the pickup modules share: their button families and states, the draft, who may act on
an offer, and the receipt's text."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from telegram import Update

from bot.context import BotContext
from bot.i18n import (
    _,
    current_language,
    format_money,
    format_quantity,
    gettext,
    unit_name,
)
from bot.quality_words import rafaksi_line
from domain.offers import REASONS, STATUS_LABELS, Action, OfferActionRefused, Status
from domain.pickups import (
    deductions,
)
from domain.produce import CATALOG, NO_GRADE
from handlers.kit import (
    Buttons,
    Draft,
    answer_query,
    keyboard,
    need,
    refuse_button,
)
from handlers.wording import (
    deductions_line,
    is_weighed,
    produce_name,
)
from storage import deductions as deduction_rates
from storage import offers, pickups
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
MOISTURE, FOREIGN = "pickup.moisture", "pickup.foreign"  # rafaksi readings at the scale
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
    moisture: str | None = None  # rafaksi readings, percent as exact decimal text
    foreign: str | None = None


def window_label(window: tuple[int, int]) -> str:
    sep = "." if current_language() == "id" else ":"
    return f"{window[0]:02d}{sep}00–{window[1]:02d}{sep}00"


async def draft_offer(context: BotContext) -> Offer:
    return need(await offers.get(context.db, need(PickupDraft.load(context).offer_id)))


async def may(context: BotContext, offer: Offer, action: Action) -> bool:
    """The offer's rules (domain.offers), asked before a button opens a step."""
    return await pickups.may(context.db, offer, action, context.person.id, context.person.roles)


async def refuse(
    update: Update, context: BotContext, refused: OfferActionRefused, offer_id: int
) -> None:
    """A press the offer's rules refuse: the reason when it says more than "no longer active"."""
    offer = await offers.get(context.db, offer_id)
    if offer is None or refused.reason in ("offer.not_allowed", "offer.status"):
        await refuse_button(update)
        return
    await answer_query(update, gettext(REASONS[refused.reason]).format(
        number=offer.number, status=gettext(STATUS_LABELS[offer.status])))  # fmt: skip


def pay_buttons(offer: Offer):
    return keyboard([[PAY_BUTTONS.button(_("💵 Paid in cash"), str(offer.id)),
                      TRANSFER_BUTTONS.button(_("🏦 Paid by transfer"), str(offer.id))]])  # fmt: skip


async def receipt_text(context: BotContext, offer: Offer, pickup: pickups.Pickup) -> str:
    """The weighing in figures, the deductions itemised, then the input advances repaid from
    it, the total paid (in Indonesian also in words) and whether it is paid."""
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
    quality = [rafaksi_line(Decimal(pickup.moisture), Decimal(pickup.foreign_matter),
                            pickup.cut_rupiah, commodity.base_unit)] if pickup.measured else []  # fmt: skip
    return "\n".join([
        _("Receipt {number}").format(number=offer.number),
        _("Produce: {produce}").format(produce=produce_name(commodity) + grade),
        *quality,
        weight_line(commodity.base_unit, bool(taken)).format(**weight),
        # "Deductions: none" gives its place to the advance's line (receipts keep to six lines)
        *([] if pickup.advance_rupiah and not taken else [deductions_line(taken, commodity)]),
        *([_("Input advance repaid: {amount} (still owed {left})").format(
            amount=format_money(pickup.advance_rupiah), left=format_money(pickup.advance_left_rupiah))]
          if pickup.advance_rupiah else []),
        _("Total: {total}").format(total=total),
        _("Payment: {status}").format(status=payment_line(offer, pickup)),
    ])  # fmt: skip


def weight_line(unit: str, gross: bool) -> str:
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


def payment_line(offer: Offer, pickup: pickups.Pickup) -> str:
    if pickup.paid_by == "transfer":
        return _("paid by transfer, reference {reference}").format(
            reference=pickup.payment_reference
        )
    if pickup.paid_by == "cash":
        return _("paid in cash")
    if offer.status is Status.PICKED_UP:
        return _("not paid yet")
    return gettext(STATUS_LABELS[offer.status])
