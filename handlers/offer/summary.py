"""The summary a farmer (or the coordinator entering for one) checks before ✅."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.context import BotContext
from bot.i18n import _, format_date, format_money, format_quantity, unit_name
from domain import regions
from domain.offers import (
    guaranteed_until,
)
from domain.people import display_phone
from domain.pickups import Rate, deductions, net_amount
from domain.produce import CATALOG, Commodity
from domain.quantity import amount_rupiah
from domain.windows import window_number
from handlers.kit import (
    need,
)
from handlers.offer.draft import OfferDraft, ready_day, village_of
from handlers.pickup.quality import terms_line
from handlers.wording import deductions_line, produce_with_grade
from storage import orgs, prices

# --- summary and saving ------------------------------------------------------------------------------


async def summary(context: BotContext) -> str:
    draft = OfferDraft.load(context)
    commodity = CATALOG[need(draft.commodity)]
    price = need(await prices.get(context.db, need(draft.price_id)))
    locked = draft.price_rupiah or price.price_rupiah  # a buying window's may be higher
    quantity = Decimal(need(draft.quantity))
    title = (
        _("Please check the offer for {name}:").format(name=draft.farmer_name)
        if draft.for_someone_else
        else _("Please check your offer:")
    )
    lines = [offer_text(
        title, commodity, need(draft.grade), quantity,
        need(draft.unit), Decimal(need(draft.amount)), locked,
        ready_day(draft), regions.place(village_of(context)),
        context.person.timezone,
    )]  # fmt: skip
    if locked > price.price_rupiah:
        lines.append(_("This price is for the cooperative's need {number}. Usual buying price: {price} per {unit}.").format(
            number=window_number(need(draft.window_id)), price=format_money(price.price_rupiah),
            unit=unit_name(commodity.base_unit)))  # fmt: skip
    if draft.for_someone_else:
        lines.append(_("Farmer: {name}, {phone}").format(
            name=draft.farmer_name, phone=display_phone(need(draft.farmer_phone))))  # fmt: skip
    elif draft.latitude is not None:
        lines.append(_("📍 Pickup at the location you sent."))
    lines += money_lines(commodity, locked, quantity, draft.shown().rates, draft.for_someone_else)
    org_id = (
        await orgs.for_village(context.db, village_of(context))
        if draft.for_someone_else
        else context.person.org_id
    )
    terms = await terms_line(context, org_id, commodity.code)
    if terms:
        lines.append(terms)
    until = datetime.fromtimestamp(
        guaranteed_until(price.valid_until, int(datetime.now().timestamp()))
    )
    lines.append(_("The price is guaranteed until {date}.").format(
        date=format_date(until.astimezone(ZoneInfo(context.person.timezone)), context.person.timezone)))  # fmt: skip
    if not draft.for_someone_else:
        lines.append(_("📷 Photo: attached.") if draft.photo_file_id else _(
            "📷 You may send a photo of your harvest now (not required)."))  # fmt: skip
    return "\n".join(lines) + "\n\n" + _("Is this right?")


def money_lines(
    commodity: Commodity, price: int, quantity: Decimal, rates: tuple[Rate, ...],
    for_farmer: bool = False,
) -> list[str]:  # fmt: skip
    """The deductions known now, itemised, and what is left for the farmer."""
    gross = amount_rupiah(price, quantity)
    taken = deductions(rates, quantity, gross)
    if not taken:
        return [deductions_line(taken, commodity)]
    return [deductions_line(taken, commodity),
            (_("The farmer receives about: {net}") if for_farmer else _("You receive about: {net}")).format(
                net=format_money(net_amount(gross, taken)))]  # fmt: skip


def offer_text(title: str, commodity: Commodity, grade: str, quantity: Decimal, unit: str, amount: Decimal,
                price: int, ready: date, place: regions.Place, timezone: str) -> str:  # fmt: skip
    produce = produce_with_grade(commodity, grade)
    typed = format_quantity(amount, unit)
    whole = format_quantity(quantity, commodity.base_unit)
    return "\n".join([
        title,
        _("Produce: {produce}").format(produce=produce),
        _("Amount: {amount}").format(amount=typed if typed == whole else f"{typed} ({whole})"),
        _("Cooperative's buying price: {price} per {unit}").format(price=format_money(price), unit=unit_name(commodity.base_unit)),
        _("Estimated total: {total}").format(total=format_money(amount_rupiah(price, quantity))),
        _("Ready for pickup: {date}").format(date=format_date(ready, timezone)),
        _("Pickup at: {village}, {district}, {regency}").format(village=place.village, district=place.district, regency=place.regency),
    ])  # fmt: skip
