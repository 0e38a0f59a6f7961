"""/laporan: an officer of a village cooperative (ketua, bendahara, pengelola gerai) files the
cooperative's monthly report: the month (the last one, or the one before on a button),
members, savings collected, store sales, produce sent to the hub, problems; a summary; saved
as a new version (filing again replaces it, the history kept); the colleagues are told who
filed. The daily reminder from the 1st to the 10th, in each officer's zone, until filed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler

from bot.context import BotContext
from bot.i18n import _, format_date, format_money, format_month, format_number, use_locale
from domain import monthly_reports as rules
from domain.money import parse_rupiah
from domain.network import is_village
from domain.people import InvalidInput
from domain.savings import Month
from handlers.kit import (
    END,
    Buttons,
    Choice,
    Confirm,
    Draft,
    Typed,
    conversation,
    need,
    reply,
    start_over,
    stored_in,
    tell,
    today,
    writes,
)
from handlers.menus import cancel
from storage import monthly_reports as stored
from storage import orgs

MONTH, MEMBERS, SAVINGS, SALES, PRODUCE, PROBLEMS, CONFIRM = (
    "report.month", "report.members", "report.savings", "report.sales", "report.produce",
    "report.problems", "report.confirm",
)  # fmt: skip
MONTH_BUTTONS = Buttons("lpb", value=r"[0-9]", max_length=6)


@dataclass
class ReportDraft(Draft):
    key = "monthly_report"
    month: str | None = None
    members: int | None = None
    savings: int | None = None
    sales: int | None = None
    produce_grams: int | None = None
    problems: str | None = None
    offered: list[str] | None = None


def month_name(month: Month | str) -> str:
    month = Month.parse(month) if isinstance(month, str) else month
    return format_month(month.year, month.month)


def kilos(grams: int) -> str:
    kg = Decimal(grams) / 1000
    return _("{quantity} kg").format(quantity=format_number(kg.normalize() if kg else 0))


def _figures_lines(report: rules.Figures, problems: str) -> list[str]:
    return [
        _("Members: {count}").format(count=format_number(report.members)),
        _("Savings collected: {amount}").format(amount=format_money(report.savings_rupiah)),
        _("Store sales: {amount}").format(amount=format_money(report.store_sales_rupiah)),
        _("Produce sent to the hub: {quantity}").format(quantity=kilos(report.produce_grams)),
        _("Problems: {text}").format(text=problems if rules.has_problems(problems) else _("none")),
    ]


def report_line(report: stored.Report | None) -> str:
    """The /koperasi card's line: the last month reported, who filed, the key figures."""
    if report is None:
        return _("Monthly report: none yet")
    return _("Monthly report {month} (filed by {name}): {members} members, savings {savings}, store sales {sales}, {produce} to the hub").format(
        month=month_name(report.month), name=report.filer_name, members=format_number(report.members),
        savings=format_money(report.savings_rupiah), sales=format_money(report.store_sales_rupiah),
        produce=kilos(report.produce_grams))  # fmt: skip


# --- the conversation ------------------------------------------------------------------------


async def start(update: Update, context: BotContext) -> str:
    own = await orgs.by_id(context.db, context.person.org_id)
    if own is None or not is_village(own.kind):
        await reply(update, _("Monthly reports are filed by the officers of a village cooperative. Your cooperative is not one."))  # fmt: skip
        return END
    ReportDraft().save(context)
    return await MONTH_STEP.ask(update, context)


def _months(context: BotContext) -> list[tuple[str, str]]:
    return [
        (month_name(m), f"{m.year:04d}{m.month:02d}")
        for m in rules.months_offered(today(context.person.timezone))
    ]


async def _month_chosen(update: Update, context: BotContext, value: str) -> str:
    draft = ReportDraft.load(context)
    draft.month = f"{value[:4]}-{value[4:]}"
    draft.save(context)
    filed = await stored.latest(context.db, context.person.org_id, Month.parse(draft.month))
    if filed is not None:
        await reply(update, _("{name} filed the report for {month} on {date}. What you type now replaces it. The earlier report is kept.").format(
            name=filed.filer_name, month=month_name(filed.month),
            date=format_date(dt.datetime.fromtimestamp(filed.filed_at, dt.UTC), context.person.timezone)))  # fmt: skip
    return await MEMBERS_STEP.ask(update, context)


MONTH_STEP = Choice(
    MONTH, MONTH_BUTTONS, lambda: _("Which month do you report? Pick it below."), _months,
    _month_chosen, ReportDraft,
)  # fmt: skip

MEMBERS_STEP = Typed(
    MEMBERS, lambda: _("How many members does the cooperative have? Type a number, for example 245."),
    rules.parse_members, stored_in(ReportDraft, "members", lambda: SAVINGS_STEP),
    reasons={"report.members": lambda: _("Type the number of members, for example 245."),
             "report.members_high": lambda: _("That is too many members for one cooperative.")},
)  # fmt: skip


def _rupiah(text: str) -> int:
    if text.strip() in ("-", "0"):
        return 0
    return rules.check_rupiah(
        parse_rupiah(text, allow_zero=True, reason="report.rupiah", too_high="report.rupiah_high")
    )


_RUPIAH_REASONS = {
    "report.rupiah": lambda: _("Type an amount in rupiah, for example 1.500.000 or 1,5 juta."),
    "report.rupiah_high": lambda: _("That amount is too large. Check the number of zeros."),
}

SAVINGS_STEP = Typed(
    SAVINGS, lambda: _("How much savings did the cooperative collect this month? Type it in rupiah, for example 1,5 juta. Type 0 for none."),
    _rupiah, stored_in(ReportDraft, "savings", lambda: SALES_STEP), reasons=_RUPIAH_REASONS,
)  # fmt: skip

SALES_STEP = Typed(
    SALES, lambda: _("How much did the store (gerai) sell this month? Type it in rupiah, for example 12.500.000. Type 0 for none."),
    _rupiah, stored_in(ReportDraft, "sales", lambda: PRODUCE_STEP), reasons=_RUPIAH_REASONS,
)  # fmt: skip

PRODUCE_STEP = Typed(
    PRODUCE, lambda: _("How much produce did the cooperative send to the hub this month? Type it in kg, for example 1.500 kg or 2 ton. Type 0 for none."),
    rules.parse_produce_grams, stored_in(ReportDraft, "produce_grams", lambda: PROBLEMS_STEP),
    reasons={"report.produce": lambda: _("Type a weight, for example 1.500 kg or 2 ton."),
             "report.produce_high": lambda: _("That weight is too large. Check the number of zeros.")},
)  # fmt: skip


PROBLEMS_STEP = Typed(
    PROBLEMS, lambda: _("What problems did the cooperative have this month? Type them in a few words. Type - for none."),
    rules.parse_problems, stored_in(ReportDraft, "problems", lambda: CONFIRM_STEP),
    reasons={"report.problems": lambda: _("Type the problems in a few words, or - for none."),
             "report.problems_long": lambda: _("That is too long. Type at most 1000 letters.")},
)  # fmt: skip


def _draft_figures(draft: ReportDraft) -> rules.Figures:
    return rules.Figures(
        need(draft.members), need(draft.savings), need(draft.sales), need(draft.produce_grams)
    )


async def _summary(context: BotContext) -> str:
    draft = ReportDraft.load(context)
    own = await orgs.by_id(context.db, context.person.org_id)
    lines = [_("Monthly report of {cooperative} for {month}:").format(
        cooperative=own.name, month=month_name(need(draft.month)))]  # fmt: skip
    lines += _figures_lines(_draft_figures(draft), need(draft.problems))
    lines.append(_("Is this correct?"))
    return "\n".join(lines)


@writes("report.file")
async def save(update: Update, context: BotContext) -> int:
    draft = ReportDraft.load(context)
    try:
        filed = await context.db.write(
            stored.file, context.person.id, Month.parse(need(draft.month)), _draft_figures(draft),
            need(draft.problems),
        )  # fmt: skip
    except (stored.ReportRefused, InvalidInput):
        ReportDraft.drop(context)
        await reply(update, _("This report cannot be saved. You are no longer an officer of a village cooperative. Nothing was saved."))  # fmt: skip
        return END
    ReportDraft.drop(context)
    if filed.version > 1:
        text = _("Saved. The report for {month} is replaced. The earlier one is kept.")
    else:
        text = _("Saved. Thank you. The hub sees the report for {month} now.")
    await reply(update, text.format(month=month_name(filed.month)))
    await _tell_colleagues(context, filed)
    return END


async def _tell_colleagues(context: BotContext, filed: stored.Report) -> None:
    """The other officers of the cooperative hear who filed (through the outbox: once)."""
    for colleague in await stored.colleagues(context.db, filed.org_id, context.person.id):
        with use_locale(colleague.language):
            text = _("{name} filed the monthly report for {month}. Send /koperasi to see it.").format(
                name=context.person.full_name, month=month_name(filed.month))  # fmt: skip
        await tell(context, key=f"report-filed:{filed.id}:{colleague.person_id}", kind="report",
                   person_id=colleague.person_id, chat_id=colleague.chat_id, text=text)  # fmt: skip


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, start_over(MONTH_STEP, lambda c: ReportDraft()))


def conversation_handler() -> ConversationHandler:
    return conversation(
        "monthly_report", "laporan", entry_points=[CommandHandler("laporan", start)],
        steps=[MONTH_STEP, MEMBERS_STEP, SAVINGS_STEP, SALES_STEP, PRODUCE_STEP, PROBLEMS_STEP,
               CONFIRM_STEP], cancel=cancel,
    )  # fmt: skip


# --- the daily reminder ------------------------------------------------------------------------


async def report_reminders(context: BotContext) -> None:
    """A job once a day in each zone (context.job.data), at REMINDER_HOUR local time."""
    zone = context.job.data
    await send_report_reminders(context, zone, dt.datetime.now(ZoneInfo(zone)).date())


async def send_report_reminders(context: BotContext, zone: str, day: dt.date) -> int:
    """Remind the officers living in ``zone`` of every village cooperative that has not filed
    the month due on ``day`` (the 1st to the 10th), each once that day. Returns how many."""
    month = rules.reminder_due(day)
    if month is None:
        return 0
    sent = 0
    for due in await stored.not_filed(context.db, zone, month, day.isoformat()):
        if not await context.db.write(stored.claim_reminder, due.person_id, day.isoformat(), due.org_id, month):  # fmt: skip
            continue
        with use_locale(due.language):
            text = _("Reminder: the monthly report of {cooperative} for {month} is not filed yet. Send /laporan to file it. It takes two minutes.").format(
                cooperative=due.org_name, month=month_name(month))  # fmt: skip
            if rules.is_last_reminder(day):
                text += "\n" + _("This is the last reminder for {month}.").format(month=month_name(month))  # fmt: skip
        await tell(context, key=f"report-reminder:{due.person_id}:{day.isoformat()}", kind="reminder",
                   person_id=due.person_id, chat_id=due.chat_id, text=text)  # fmt: skip
        sent += 1
    return sent
