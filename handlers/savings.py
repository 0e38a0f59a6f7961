"""A member's savings: /saldo (balance per kind, as of now), /mutasi (the latest movements,
page by page), /tagihan (months of simpanan wajib paid and due) and a statement for a
period as a PDF. A person may be a member of more than one cooperative: each is shown."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import Update

from bot.context import BotContext
from bot.i18n import (
    _,
    format_date,
    format_money,
    format_month,
    format_short_date,
    format_time,
    gettext,
    use_locale,
)
from bot.ledger_reasons import reason_text
from domain import N_
from domain.ledger import SavingsKind
from domain.money import record_id
from domain.savings import Month, period_bounds, reminder_month
from handlers.kit import Buttons, answer_query, for_command, keyboard, refuse_button, reply, tell
from storage import member_orders, orgs, reminders, shu
from storage import savings as stored
from storage.savings import Member

log = logging.getLogger(__name__)
KIND_LABELS = {
    SavingsKind.POKOK: N_("Principal savings (pokok)"),
    SavingsKind.WAJIB: N_("Mandatory savings (wajib)"),
    SavingsKind.SUKARELA: N_("Voluntary savings (sukarela)"),
}
KIND_WORDS = {
    SavingsKind.POKOK: N_("pokok"),
    SavingsKind.WAJIB: N_("wajib"),
    SavingsKind.SUKARELA: N_("sukarela"),
}
PAGE = 8  # entries per /mutasi page
MOVES_BUTTONS = Buttons("mts", value=r"[0-9b]", max_length=24)  # <roster>b<before entry>
DUES_BUTTONS = Buttons("tgh", value=r"[0-9]", max_length=12)
STATEMENT_BUTTONS = Buttons("stm", value=r"[0-9m]", max_length=16)  # <roster>m<months>
STATEMENT_MONTHS = (1, 3, 12)


async def _memberships(update: Update, context: BotContext) -> list[Member]:
    found = await stored.memberships(context.db, context.person.id)
    if not found:
        await reply(
            update,
            _("You are not on a cooperative's member list yet. Please ask your cooperative."),
        )
    return found


async def _own(update: Update, context: BotContext, roster_id: int | None) -> Member | None:
    """The membership a button names, when it is the presser's own; refused otherwise
    (``None``: the button named no id a table can hold)."""
    member = None if roster_id is None else await stored.member(context.db, roster_id)
    if member is None or context.person is None or member.person_id != context.person.id:
        await refuse_button(update)
        return None
    return member


async def _cooperative(context: BotContext, member: Member) -> str:
    return (await orgs.by_id(context.db, member.org_id)).name


# --- /saldo -------------------------------------------------------------------------------


@for_command("saldo")
async def show_balance(update: Update, context: BotContext) -> None:
    for member in await _memberships(update, context):
        await reply(update, await balance_text(context, member), _member_buttons(member))


async def balance_text(context: BotContext, member: Member) -> str:
    savings = await stored.balances(context.db, member.id)
    now = datetime.now(ZoneInfo(context.person.timezone))
    zone = context.person.timezone
    lines = [_("Your savings at {cooperative}, {date} at {time}:").format(
        cooperative=await _cooperative(context, member), date=format_date(now, zone), time=format_time(now, zone))]  # fmt: skip
    lines += [
        _("{kind}: {amount}").format(kind=gettext(KIND_LABELS[kind]), amount=format_money(savings[kind]))
        for kind in SavingsKind
    ]  # fmt: skip
    held = await member_orders.held(context.db, member.id)
    if held:  # goods ordered from the hub, paid from sukarela at pickup
        lines.append(_("Held for shopping: {amount}").format(amount=format_money(held)))
    lines.append(_("Total: {total}").format(total=format_money(savings.total)))
    estimate = await shu.estimate(context.db, member.org_id, member.id, int(now.timestamp()))
    if estimate is not None:
        lines.append(
            _("Estimated SHU {year} so far: {amount}").format(
                year=now.year, amount=format_money(estimate)
            )
        )
    return "\n".join(lines)


def _member_buttons(member: Member):
    return keyboard([
        [MOVES_BUTTONS.button(_("📜 Movements"), str(member.id)), DUES_BUTTONS.button(_("🧾 Dues"), str(member.id))],
        [STATEMENT_BUTTONS.button(_("📄 Statement (PDF)"), f"{member.id}m0")],
    ])  # fmt: skip


# --- /mutasi ------------------------------------------------------------------------------


@for_command("mutasi")
async def show_moves(update: Update, context: BotContext) -> None:
    for member in await _memberships(update, context):
        await _send_moves(update, context, member, None)


@for_command("saldo")
async def on_moves(update: Update, context: BotContext) -> None:
    roster, _sep, before = MOVES_BUTTONS.value(update).partition("b")
    member = await _own(update, context, record_id(roster))
    if member is None or (before and record_id(before) is None):  # past a 64-bit id: forged
        if member is not None:
            await refuse_button(update)
        return
    await answer_query(update)
    await _send_moves(update, context, member, record_id(before) if before else None)


async def _send_moves(
    update: Update, context: BotContext, member: Member, before: int | None
) -> None:
    lines = await stored.recent(context.db, member.id, limit=PAGE, before=before)
    cooperative = await _cooperative(context, member)
    if not lines:
        text = (
            _("No movements yet at {cooperative}.") if before is None
            else _("No earlier movements at {cooperative}.")
        ).format(cooperative=cooperative)  # fmt: skip
        await reply(update, text)
        return
    zone = context.person.timezone
    title = _("Savings movements at {cooperative}, newest first:") if before is None else _(
        "Earlier movements at {cooperative}:")  # fmt: skip
    text = [title.format(cooperative=cooperative)]
    for line in lines:
        text.append(_("{date}: {change} {kind}, {reason} (balance {balance})").format(
            date=format_short_date(datetime.fromtimestamp(line.at, ZoneInfo(zone)), zone),
            change=("+" if line.change > 0 else "−") + format_money(abs(line.change)),
            kind=gettext(KIND_WORDS[line.kind]), reason=reason_text(line.reason), balance=format_money(line.balance),
        ) + (" " + _("(reversed)") if line.reversed_by else ""))  # fmt: skip
    markup = None
    if len({line.entry_id for line in lines}) == PAGE:
        oldest = min(line.entry_id for line in lines)
        markup = keyboard([[MOVES_BUTTONS.button(_("◀ Earlier"), f"{member.id}b{oldest}")]])
    await reply(update, "\n".join(text), markup)


# --- /tagihan -----------------------------------------------------------------------------


@for_command("tagihan")
async def show_dues(update: Update, context: BotContext) -> None:
    for member in await _memberships(update, context):
        await reply(update, await dues_text(context, member))


@for_command("saldo")
async def on_dues(update: Update, context: BotContext) -> None:
    member = await _own(update, context, record_id(DUES_BUTTONS.value(update)))
    if member is not None:
        await answer_query(update)
        await reply(update, await dues_text(context, member))


async def dues_text(context: BotContext, member: Member) -> str:
    this_month = Month.of(datetime.now(ZoneInfo(context.person.timezone)).date())
    dues = await stored.tagihan(context.db, member.id, this_month)
    cooperative = await _cooperative(context, member)
    if dues is None:
        return _(
            "Your cooperative has not recorded when you joined, so I cannot count your dues. Please ask your cooperative."
        )
    lines = [_("Mandatory savings (wajib) at {cooperative}:").format(cooperative=cooperative)]
    paid = [m for m in dues.paid_months if m <= this_month]
    if paid:
        last = max(paid)
        lines.append(_("Paid up to: {month}").format(month=format_month(last.year, last.month)))
    if dues.unpaid:
        shown = ", ".join(
            _("{month} ({amount})").format(month=format_month(m.month.year, m.month.month), amount=format_money(m.amount - m.paid))
            for m in dues.unpaid
        )  # fmt: skip
        lines.append(_("Not paid yet: {months}").format(months=shown))
        lines.append(_("Total due: {amount}").format(amount=format_money(dues.owed)))
    else:
        lines.append(_("Nothing is due. Thank you!"))
    return "\n".join(lines)


# --- the statement as a PDF ---------------------------------------------------------------------


@for_command("saldo")
async def on_statement(update: Update, context: BotContext) -> None:
    roster, _sep, months = STATEMENT_BUTTONS.value(update).partition("m")
    member = await _own(update, context, record_id(roster))
    if member is None:
        return
    if not months.isdigit() or (int(months) not in (0, *STATEMENT_MONTHS)):
        await refuse_button(update)
        return
    await answer_query(update)
    if int(months) == 0:  # which period?
        labels = {1: _("This month"), 3: _("Last 3 months"), 12: _("Last 12 months")}
        rows = [[STATEMENT_BUTTONS.button(labels[n], f"{member.id}m{n}")] for n in STATEMENT_MONTHS]
        await reply(update, _("Which period?"), keyboard(rows))
        return
    await _send_statement(update, context, member, int(months))


async def _send_statement(update: Update, context: BotContext, member: Member, months: int) -> None:
    zone = context.person.timezone
    last = Month.of(datetime.now(ZoneInfo(zone)).date())
    first = last.plus(1 - months)
    start, end = period_bounds(first, last, zone)
    statement = await stored.statement(context.db, member.id, start, end)
    org = await orgs.by_id(context.db, member.org_id)
    from bot.statement_pdf import StatementLabels, render_statement  # fpdf2: ~0.5 s, ~16 MiB

    labels = StatementLabels.now(zone)
    pdf = await asyncio.to_thread(
        render_statement, statement, member, org.name, labels, org.address
    )
    stem = _("savings-statement")  # the file's name: plain letters and hyphens
    name = f"{stem}-{member.member_number}-{first}-{last}.pdf".replace("/", "-")
    caption = (
        _("Statement for {month}").format(month=format_month(last.year, last.month))
        if first == last
        else _("Statement {first} to {last}").format(
            first=format_month(first.year, first.month), last=format_month(last.year, last.month)
        )
    )
    await update.effective_chat.send_document(pdf, filename=name, caption=caption)


# --- the monthly wajib reminder -----------------------------------------------------------------


async def wajib_reminders(context: BotContext) -> None:
    """A job every minute: members whose reminder time has come, in their own zone."""
    await send_wajib_reminders(context, datetime.now(UTC))


async def send_wajib_reminders(context: BotContext, now: datetime) -> int:
    """Remind every member of a cooperative with a reminder set whose local day and time have
    come this month, who has not paid this month's wajib and was not reminded of it yet.
    Returns how many were sent."""
    sent = 0
    for setting in await reminders.settings(context.db):
        for zone in await reminders.zones(context.db, setting.org_id):
            month = reminder_month(now.astimezone(ZoneInfo(zone)), setting.day, setting.local_time)
            if month is None:
                continue
            for who in await reminders.not_yet_reminded(context.db, setting.org_id, zone, month):
                sent += await _remind(context, who, month)
    return sent


async def _remind(context: BotContext, who: reminders.Recipient, month: Month) -> int:
    dues = await stored.tagihan(context.db, who.member.id, month)
    due = next((m for m in dues.unpaid if m.month == month), None) if dues else None
    if due is None:  # paid (or nothing billed, or no join date to count from)
        return 0
    if not await context.db.write(reminders.claim, who.member.id, month):
        return 0
    with use_locale(who.language):
        text = _("Reminder: your mandatory savings (wajib) for {month}, {amount}, is not paid yet. In all you owe {owed}. Please pay your cooperative's treasurer. Send /tagihan to see the months.").format(
            month=format_month(month.year, month.month), amount=format_money(due.amount - due.paid), owed=format_money(dues.owed),
        )  # fmt: skip
    await tell(context, key=f"wajib-reminder:{who.member.id}:{month}", kind="reminder",
               person_id=who.member.person_id, chat_id=who.chat_id, text=text)  # fmt: skip
    return 1
