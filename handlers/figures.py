"""/rekap: the market's figures for administrators and treasurers (issue 17). This month
first, then buttons for this week, this month, last month, or a typed range
("/rekap 1-15 Nov"). A federation's officer sees the cooperatives below it together.
The figures come from storage.figures; this module only writes them down."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from telegram import Update

from bot.context import BotContext
from bot.i18n import (
    _,
    format_money,
    format_month,
    format_number,
    format_quantity,
    format_short_date,
    gettext,
    ngettext,
    unit_name,
)
from domain import periods
from domain.people import InvalidInput
from domain.produce import CATALOG
from handlers.kit import (
    Buttons,
    answer_query,
    day_value,
    for_command,
    keyboard,
    parse_day,
    refuse_button,
    reply,
    today,
)
from handlers.wording import produce_name, produce_with_grade
from storage import figures as stored
from storage import orgs
from storage.figures import Figures, Period

# <first day>x<last day>: the buttons carry the dates they named (a press next month still
# shows the month the button said).
PERIOD_BUTTONS = Buttons("rkp", value=r"[0-9x]", max_length=17)
#: Kilos from which a weight reads in tons ("12,5 ton"): a treasurer's round figure.
TONS_FROM = Decimal(10_000)


def _period_value(first: date, last: date) -> str:
    return f"{day_value(first)}x{day_value(last)}"


def _buttons(day: date):
    return keyboard([
        [PERIOD_BUTTONS.button(_("This week"), _period_value(*periods.week_of(day))),
         PERIOD_BUTTONS.button(_("This month"), _period_value(*periods.month_of(day)))],
        [PERIOD_BUTTONS.button(_("Last month"), _period_value(*periods.previous_month(day))),
         PERIOD_BUTTONS.button(_("📅 Other dates"), "x")],
    ])  # fmt: skip


@for_command("rekap")
async def show_figures(update: Update, context: BotContext) -> None:
    day = today(context.person.timezone)
    first, last = periods.month_of(day)
    if context.args:
        try:
            first, last = periods.parse_range(" ".join(context.args), day)
        except InvalidInput as refused:
            await reply(update, gettext(refused.reason))
            return
    await _send(update, context, first, last)


@for_command("rekap")
async def on_period(update: Update, context: BotContext) -> None:
    value = PERIOD_BUTTONS.value(update)
    if value == "x":
        await answer_query(update)
        await reply(update, _("Type /rekap with the dates, for example: /rekap 1-15 Nov"))
        return
    start, _sep, end = value.partition("x")
    first, last = parse_day(start), parse_day(end)
    if first is None or last is None or last < first or (last - first).days >= periods.MAX_DAYS:
        await refuse_button(update)
        return
    await answer_query(update)
    await _send(update, context, first, last)


async def _send(update: Update, context: BotContext, first: date, last: date) -> None:
    person = context.person
    org_ids = await orgs.below(context.db, person.org_id)  # an officer's node and those below it
    period = Period(first, last, person.timezone)
    found = await stored.figures(context.db, org_ids, period)
    name = (await orgs.by_id(context.db, person.org_id)).name
    await reply(update, render(found, name, len(org_ids)), _buttons(today(person.timezone)))


# --- writing the figures down ---------------------------------------------------------------


def weight(value: Decimal, unit: str) -> str:
    """``3.500,5 kg``; from 10 ton on ``12,5 ton`` (one decimal); other units as they are."""
    if unit == "kg" and value >= TONS_FROM:
        tons = (value / 1000).quantize(Decimal("0.1"))
        return format_quantity(tons.normalize() if tons == tons.to_integral() else tons, "ton")
    return format_quantity(value, unit)


def _unit(code: str) -> str:
    found = CATALOG.get(code)
    return found.base_unit if found else "kg"


def _name(code: str, grade: str | None = None) -> str:
    found = CATALOG.get(code)
    if found is None:
        return code
    return produce_with_grade(found, grade) if grade else produce_name(found)


def _dates(period: Period) -> str:
    """``November 2026`` for a whole month, else ``1 Nov 2026 sampai 15 Nov 2026``."""
    if (period.first, period.last) == periods.month_of(period.first):
        return format_month(period.first.year, period.first.month)
    if period.first == period.last:
        return format_short_date(period.first)
    return _("{first} to {last}").format(
        first=format_short_date(period.first), last=format_short_date(period.last)
    )


def render(found: Figures, cooperative: str, cooperatives: int) -> str:
    """The figures as the message /rekap sends: a heading, then a short block per section
    (a section whose tables are not there yet is left out)."""
    heading = (
        _("Figures of {cooperative}").format(cooperative=cooperative) if cooperatives <= 1
        else ngettext("Figures of {cooperative} and {n} cooperative below it",
                      "Figures of {cooperative} and {n} cooperatives below it",
                      cooperatives - 1).format(cooperative=cooperative, n=cooperatives - 1)
    )  # fmt: skip
    blocks = [f"{heading}\n{_dates(found.period)}"]
    blocks.append(_bought(found))
    if found.sold is not None:
        blocks.append(_sold(found))
    if found.margin is not None:
        blocks.append(_margin(found))
    if found.stock is not None:
        blocks.append(_stock(found))
    blocks.append(_owed(found))
    return "\n\n".join(blocks)


def _bought(found: Figures) -> str:
    if not found.bought:
        return _("Bought: nothing in this period.")
    lines = [
        _("Bought: {amount} from {farmers} in {villages}").format(
            amount=format_money(found.bought_amount),
            farmers=ngettext("{n} farmer", "{n} farmers", found.farmers).format(n=format_number(found.farmers)),
            villages=ngettext("{n} village", "{n} villages", found.villages).format(n=format_number(found.villages)),
        )
    ]  # fmt: skip
    for b in found.bought:
        unit = _unit(b.commodity)
        price = _("average {price} per {unit}").format(
            price=format_money(b.average_price or 0), unit=unit_name(unit)
        )
        line = _("• {produce}: {quantity}, {price}").format(
            produce=_name(b.commodity, b.grade), quantity=weight(b.quantity, unit), price=price
        )
        if b.hpp is not None:
            line = _("{line} (HPP {hpp})").format(line=line, hpp=format_money(b.hpp))
        lines.append(line)
    return "\n".join(lines)


def _sold(found: Figures) -> str:
    if not found.sold:
        return _("Sold: nothing invoiced in this period.")
    total = sum(s.amount for s in found.sold)
    lines = [_("Sold (invoiced): {amount}").format(amount=format_money(total))]
    lines += [
        _("• {produce}: {quantity}, {amount}").format(
            produce=_name(s.commodity), quantity=weight(s.quantity, _unit(s.commodity)), amount=format_money(s.amount)
        )
        for s in found.sold
    ]  # fmt: skip
    return "\n".join(lines)


def _margin(found: Figures) -> str:
    if not found.margin:
        return _("Margin: no delivery or invoice in this period.")
    total = sum(m.margin for m in found.margin)
    lines = [_("Margin: {amount}").format(amount=format_money(total))]
    lines += [
        _("• {produce}: {margin} (sold {revenue}, cost {cost})").format(
            produce=_name(m.commodity), margin=format_money(m.margin),
            revenue=format_money(m.revenue), cost=format_money(m.cost),
        )
        for m in found.margin
    ]  # fmt: skip
    return "\n".join(lines)


def _stock(found: Figures) -> str:
    """One line per warehouse (its kilos and their cost): the detail per produce and grade
    is in the report's Stock sheet."""
    if not found.stock:
        return _("Stock in the warehouses: none now.")
    lines = [
        _("Stock in the warehouses now: {cost} at cost").format(
            cost=format_money(sum(s.cost for s in found.stock))
        )
    ]
    warehouses: dict[int, list] = {}
    for s in found.stock:
        item = warehouses.setdefault(s.warehouse_id, [s.warehouse, Decimal(0), 0])
        item[1] += s.quantity if _unit(s.commodity) == "kg" else 0
        item[2] += s.cost
    lines += [
        _("• {warehouse}: {quantity}, {cost}").format(warehouse=name, quantity=weight(kilos, "kg"), cost=format_money(cost))
        for name, kilos, cost in warehouses.values()
    ]  # fmt: skip
    return "\n".join(lines)


def _owed(found: Figures) -> str:
    farmers = found.owed_to_farmers
    lines = [
        _("Owed to farmers now: {amount} ({receipts})").format(
            amount=format_money(farmers.amount),
            receipts=ngettext("{n} receipt not paid", "{n} receipts not paid", farmers.count).format(n=format_number(farmers.count)),
        )
    ]  # fmt: skip
    if (buyers := found.owed_by_buyers) is not None:
        lines.append(
            _("Owed by buyers now: {amount} ({invoices})").format(
                amount=format_money(buyers.amount),
                invoices=ngettext("{n} invoice not paid", "{n} invoices not paid", buyers.count).format(n=format_number(buyers.count)),
            )
        )  # fmt: skip
    return "\n".join(lines)
