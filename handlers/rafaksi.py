"""/rafaksi: an administrator keeps the cooperative's quality-cut tables (rafaksi) from the
phone, dated like prices.

The tables now (per produce: the one in force and since when, a change to come, the
government's templates not adopted) with their produce as buttons, or a name typed → what
to do: 🏛 adopt the government's table, ✏️ its own grid (the limits of kadar air, of
hampa/kotoran, then the cut per kg of each cell), ⛔ stop (weighed as before), 🕘 the last
versions → from which day (today, tomorrow, or a date typed) → a summary → saved as a new
version from that day (storage.rafaksi.set_table). Weighings already recorded keep the table
they used: the pickup keeps its id and its cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler

from bot.context import BotContext
from bot.i18n import _, format_date, format_money, gettext, unit_name
from domain import N_
from domain import rafaksi as rules
from domain.money import max_price, parse_rupiah
from domain.people import InvalidInput
from domain.produce import CATALOG, Commodity
from domain.rafaksi import FOREIGN, MOISTURE, RafaksiRefused, Table, percent_text
from handlers import produce_pick
from handlers.kit import (
    END,
    TEXT,
    Buttons,
    Choice,
    Confirm,
    Draft,
    Step,
    Typed,
    clock,
    conversation,
    day_gone,
    day_value,
    need,
    parse_day,
    reply,
    start_over,
    today,
    writes,
)
from handlers.menus import cancel
from handlers.wording import produce_name
from storage import rafaksi
from storage.rafaksi import StoredTable

PRODUCE, ACTION, MOISTURE_LIMITS, FOREIGN_LIMITS, CUT, DAY, CONFIRM = (
    "rafaksi.produce",
    "rafaksi.action",
    "rafaksi.moisture",
    "rafaksi.foreign",
    "rafaksi.cut",
    "rafaksi.day",
    "rafaksi.confirm",
)
PRODUCE_BUTTONS = Buttons("rfprd", value=r"[a-z0-9_]", max_length=16)
ACTION_BUTTONS = Buttons("rfact", value=r"[a-z]", max_length=4)
DAY_BUTTONS = Buttons("rfday", value=r"[0-9]", max_length=8)
GOVERNMENT, OWN, STOP, HISTORY = "gov", "own", "stop", "hist"
ACTION_LABELS = {
    GOVERNMENT: N_("🏛 Use the government's table"),
    OWN: N_("✏️ Change"),
    STOP: N_("⛔ Stop"),
    HISTORY: N_("🕘 Earlier versions"),
}
HISTORY_SHOWN = 3  # the versions one button away


@dataclass
class RafaksiDraft(Draft):
    key = "rafaksi"
    listed: list[str] | None = None  # the produce /rafaksi shows (a table or a template)
    commodity: str | None = None
    actions: list[str] | None = None  # what the chosen produce allows
    action: str | None = None
    moisture: list[str] | None = None  # band limits, percent as exact decimal text
    foreign: list[str] | None = None
    cuts: list[list[int]] | None = None  # filled row by row; the first cell is 0
    day: str | None = None  # YYYYMMDD, the first day
    offered: list[str] | None = None


def _commodity(context: BotContext) -> Commodity:
    return CATALOG[need(RafaksiDraft.load(context).commodity)]


def _now() -> int:
    return int(clock().timestamp())


def _zone(context: BotContext) -> str:
    return context.person.timezone


# --- how a table reads ---------------------------------------------------------------------


def _bands(limits: tuple[Decimal, ...] | list[Decimal]) -> list[str]:
    """``sampai 25 %``, ``25–30 %``: each band of a measure by its limits."""
    shown = [_("up to {limit} %").format(limit=percent_text(limits[0]))]
    shown += [f"{percent_text(low)}–{percent_text(high)} %" for low, high in zip(limits, limits[1:], strict=False)]  # fmt: skip
    return shown


def grid_lines(table: Table, base_unit: str) -> list[str]:
    """A table in a few short lines: hampa/kotoran bands across, a line per kadar air band."""
    lines = [
        _("Cut per {unit}:").format(unit=unit_name(base_unit)),
        _("Empty grain/dirt: {bands}").format(bands=" | ".join(_bands(table.foreign))),
    ]
    for band, row in zip(_bands(table.moisture), table.cuts, strict=True):
        lines.append(_("Moisture {band}: {cuts}").format(
            band=band, cuts=" | ".join(format_money(cut) for cut in row)))  # fmt: skip
    return lines


def _since(context: BotContext, moment: int) -> str:
    return format_date(datetime.fromtimestamp(moment, UTC), _zone(context))


def _version_line(context: BotContext, version: StoredTable) -> str:
    day = _since(context, version.valid_from)
    if version.table is None:
        return _("From {date}: no rafaksi.").format(date=day)
    if version.source:
        return _("From {date}: table ({source}).").format(date=day, source=version.source)
    return _("From {date}: the cooperative's own table.").format(date=day)


async def _status(context: BotContext, code: str) -> list[str]:
    """What a produce has now: its table in force (since when), or none, and a change to
    come; the government's template when the cooperative has no table."""
    commodity, now = CATALOG[code], _now()
    org_id = context.person.org_id
    name = produce_name(commodity)
    versions = await rafaksi.history(context.db, org_id, code)
    current = next((v for v in versions if v.valid_from <= now), None)
    coming = [v for v in versions if v.valid_from > now]
    if current is not None and current.table is not None:
        lines = [_("{produce}: in force since {date}.").format(
            produce=name, date=_since(context, current.valid_from))]  # fmt: skip
        lines += grid_lines(current.table, commodity.base_unit)
    elif current is not None:
        lines = [_("{produce}: no rafaksi since {date}. It is weighed without cuts.").format(
            produce=name, date=_since(context, current.valid_from))]  # fmt: skip
    else:
        lines = [_("{produce}: no table. It is weighed without cuts.").format(produce=name)]
        template = await rafaksi.government(context.db, code)
        if template is not None and template.table is not None:
            lines.append(_("The government has a table: {source}.").format(source=template.source))
    lines += [_version_line(context, v) for v in reversed(coming)]
    return lines


# --- the produce -----------------------------------------------------------------------------


async def start(update: Update, context: BotContext) -> str:
    listed = [
        c for c in await rafaksi.commodities(context.db, context.person.org_id) if CATALOG.get(c)
    ]
    RafaksiDraft(listed=listed).save(context)
    return await PRODUCE_STEP.ask(update, context)


class ProduceChoice(Choice):
    """The tables now, then their produce as buttons."""

    async def text(self, context: BotContext) -> str:
        parts = [_("The cooperative's rafaksi tables: the cut off the price per kg by kadar air and hampa/kotoran.")]  # fmt: skip
        for code in RafaksiDraft.load(context).listed or []:
            parts.append("\n".join(await _status(context, code)))
        parts.append(_("Tap a produce to change its table, or type the name of another produce."))  # fmt: skip
        return "\n\n".join(parts)


def _produce_options(context: BotContext) -> list[tuple[str, str]]:
    """The produce shown, or those a typed name narrowed to."""
    draft = RafaksiDraft.load(context)
    codes = draft.offered if draft.offered is not None else draft.listed or []
    return [(produce_name(CATALOG[code]), code) for code in codes if CATALOG.get(code)]


async def _produce_chosen(
    update: Update, context: BotContext, code: str, _grade: str | None = None
) -> str:
    """A table is per commodity, whatever grade a typed name said."""
    now, org_id = _now(), context.person.org_id
    versions = await rafaksi.history(context.db, org_id, code)
    template = await rafaksi.government(context.db, code)
    in_force = await rafaksi.in_force(context.db, org_id, code, now)
    coming = any(v.table is not None for v in versions if v.valid_from > now)
    actions = [
        *([GOVERNMENT] if template is not None and template.table is not None else []),
        OWN,
        *([STOP] if in_force is not None or coming else []),
        *([HISTORY] if versions else []),
    ]
    draft = RafaksiDraft.load(context)
    draft.commodity, draft.actions = code, actions
    draft.save(context)
    return await ACTION_STEP.ask(update, context)


PRODUCE_STEP = ProduceChoice(
    PRODUCE, PRODUCE_BUTTONS, lambda: "", _produce_options, _produce_chosen, RafaksiDraft
)
_produce_typed = produce_pick.typed(RafaksiDraft, lambda: PRODUCE_STEP, _produce_chosen)


# --- what to do ------------------------------------------------------------------------------


class ActionChoice(Choice):
    async def text(self, context: BotContext) -> str:
        lines = await _status(context, _commodity(context).code)
        return "\n".join(lines) + "\n\n" + _("What do you want to do?")


async def _history(update: Update, context: BotContext) -> None:
    commodity = _commodity(context)
    versions = await rafaksi.history(context.db, context.person.org_id, commodity.code)
    parts = [_("The last versions of the rafaksi table of {produce}, newest first:").format(
        produce=produce_name(commodity).lower())]  # fmt: skip
    for version in versions[:HISTORY_SHOWN]:
        lines = [_version_line(context, version)]
        if version.table is not None:
            lines += grid_lines(version.table, commodity.base_unit)
        parts.append("\n".join(lines))
    await reply(update, "\n\n".join(parts))


async def _action_chosen(update: Update, context: BotContext, action: str) -> str:
    if action == HISTORY:
        await _history(update, context)
        return await ACTION_STEP.ask(update, context)
    draft = RafaksiDraft.load(context)
    draft.action, draft.moisture, draft.foreign, draft.cuts = action, None, None, None
    draft.save(context)
    if action == OWN:
        return await MOISTURE_STEP.ask(update, context)
    return await DAY_STEP.ask(update, context)


ACTION_STEP = ActionChoice(
    ACTION, ACTION_BUTTONS, lambda: "",
    lambda context: [(gettext(ACTION_LABELS[a]), a) for a in RafaksiDraft.load(context).actions or []],
    _action_chosen, RafaksiDraft,
)  # fmt: skip


# --- its own grid: the limits, then a cut per cell ------------------------------------------


def _reason(refused: InvalidInput, base_unit: str = "kg") -> str:
    text = rules.REASONS.get(refused.reason)
    if text is None:
        return _("I could not read that.")
    return gettext(text).format(
        unit=unit_name(base_unit), most=format_money(max_price(base_unit)),
        least=format_money(getattr(refused, "least", None) or 0),
    )  # fmt: skip


LIMIT_REASONS = {
    key: (lambda key=key: _reason(RafaksiRefused(key)))
    for key in ("rafaksi.limits", "rafaksi.unreadable", "rafaksi.range")
}


def _limits_stored(field: str, then) -> object:
    """Keep the limits typed as text (the draft is JSON), then the next question."""

    async def store(update: Update, context: BotContext, limits: tuple[Decimal, ...]) -> str:
        draft = RafaksiDraft.load(context)
        setattr(draft, field, [str(limit) for limit in limits])
        draft.cuts = [[0]]  # the first cell is the quality the price is for: no cut
        draft.save(context)
        return await then().ask(update, context)

    return store


MOISTURE_STEP = Typed(
    MOISTURE_LIMITS,
    lambda: _("Type the limits of kadar air in percent, from small to large. For example: 25 30. The full price holds up to the first. Above the last, the cooperative does not buy."),
    rules.parse_limits, _limits_stored("moisture", lambda: FOREIGN_STEP), LIMIT_REASONS,
)  # fmt: skip
FOREIGN_STEP = Typed(
    FOREIGN_LIMITS,
    lambda: _("Type the limits of hampa/kotoran in percent, from small to large. For example: 10 15."),
    rules.parse_limits, _limits_stored("foreign", lambda: CUT_STEP), LIMIT_REASONS,
)  # fmt: skip


def _limits(draft: RafaksiDraft, measure: str) -> list[Decimal]:
    return [Decimal(x) for x in need(draft.moisture if measure == MOISTURE else draft.foreign)]


def _next_cell(draft: RafaksiDraft) -> tuple[int, int] | None:
    """The cell whose cut is asked next (row by row), or None when the grid is full."""
    cuts, width = need(draft.cuts), len(_limits(draft, FOREIGN))
    if len(cuts[-1]) < width:
        return len(cuts) - 1, len(cuts[-1])
    if len(cuts) < len(_limits(draft, MOISTURE)):
        return len(cuts), 0
    return None


class CutStep(Step):
    """The cut per base unit of one cell (kadar air band × hampa/kotoran band), in rupiah."""

    state = CUT

    def _question(self, context: BotContext) -> str:
        draft = RafaksiDraft.load(context)
        i, j = need(_next_cell(draft))
        return _("Cut per {unit} for kadar air {moisture} and hampa/kotoran {foreign}? Type it in rupiah, for example {example}. Type 0 for no cut.").format(
            unit=unit_name(_commodity(context).base_unit), moisture=_bands(_limits(draft, MOISTURE))[i],
            foreign=_bands(_limits(draft, FOREIGN))[j], example=300,
        )  # fmt: skip

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, self._question(context))
        return CUT

    async def on_text(self, update: Update, context: BotContext) -> str:
        draft = RafaksiDraft.load(context)
        i, j = need(_next_cell(draft))
        cuts, unit = need(draft.cuts), _commodity(context).base_unit
        better = [*([cuts[i - 1][j]] if i else []), *([cuts[i][j - 1]] if j else [])]
        try:
            cut = parse_rupiah(update.effective_message.text, allow_zero=True,
                               reason="rafaksi.cut", too_high="rafaksi.cut_high")  # fmt: skip
            rules.check_cut(cut, better, unit)
        except InvalidInput as refused:
            await reply(update, _reason(refused, unit) + "\n" + self._question(context))
            return CUT
        if j == 0:
            cuts.append([cut])
        else:
            cuts[i].append(cut)
        draft.cuts = cuts
        draft.save(context)
        if _next_cell(draft) is not None:
            return await self.ask(update, context)
        return await DAY_STEP.ask(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


CUT_STEP = CutStep()


# --- from which day -------------------------------------------------------------------------


def _day_options(context: BotContext) -> list[tuple[str, str]]:
    first = today(_zone(context))
    return [(_("Today"), day_value(first)), (_("Tomorrow"), day_value(first + timedelta(days=1)))]


async def _day_chosen(update: Update, context: BotContext, value: str) -> str:
    if await day_gone(update, context, parse_day(value)):
        return await DAY_STEP.ask(update, context)
    draft = RafaksiDraft.load(context)
    draft.day = value
    draft.save(context)
    return await CONFIRM_STEP.ask(update, context)


async def _day_typed(update: Update, context: BotContext) -> str:
    """A first day typed (20-12-2026) instead of a button."""
    try:
        day = rules.parse_start(update.effective_message.text, today(_zone(context)))
    except InvalidInput as refused:
        await reply(update, _reason(refused))
        return await DAY_STEP.ask(update, context)
    return await _day_chosen(update, context, day_value(day))


DAY_STEP = Choice(
    DAY, DAY_BUTTONS, lambda: _("From which day does it apply? Tap a day, or type a date such as 20-12-2026."),
    _day_options, _day_chosen, RafaksiDraft,
)  # fmt: skip


# --- the summary -----------------------------------------------------------------------------


async def _new_table(context: BotContext) -> tuple[Table | None, str]:
    """The table the draft sets (None: no rafaksi) and its source."""
    draft = RafaksiDraft.load(context)
    if draft.action == STOP:
        return None, ""
    if draft.action == GOVERNMENT:
        template = await rafaksi.government(context.db, _commodity(context).code)
        if template is None or template.table is None:
            raise RafaksiRefused("rafaksi.table")
        return template.table, template.source
    table = rules.check_table(
        _limits(draft, MOISTURE), _limits(draft, FOREIGN), need(draft.cuts),
        _commodity(context).base_unit,
    )  # fmt: skip
    return table, ""


def _first_day(context: BotContext) -> str:
    day = need(parse_day(RafaksiDraft.load(context).day))
    if day <= today(_zone(context)):
        return _("today")
    return format_date(day, _zone(context))


async def _summary(context: BotContext) -> str:
    draft = RafaksiDraft.load(context)
    commodity = _commodity(context)
    table, source = await _new_table(context)
    kind = {
        GOVERNMENT: _("the government's ({source})").format(source=source),
        OWN: _("the cooperative's own"),
        STOP: _("none: weighed without cuts, as before"),
    }[need(draft.action)]
    lines = [
        _("Please check the new rafaksi table:"),
        _("Produce: {produce}").format(produce=produce_name(commodity)),
        _("Table: {kind}").format(kind=kind),
        *(grid_lines(table, commodity.base_unit) if table is not None else []),
        _("From: {date}").format(date=_first_day(context)),
        _("Weighings already recorded do not change."),
    ]
    return "\n".join(lines) + "\n\n" + _("Is this right?")


@writes("rafaksi.set")
async def save(update: Update, context: BotContext) -> int:
    draft = RafaksiDraft.load(context)
    commodity = _commodity(context)
    zone, day = _zone(context), need(parse_day(draft.day))
    try:
        table, source = await _new_table(context)
        await context.db.write(
            rafaksi.set_table, org_id=context.person.org_id, commodity=commodity.code, table=table,
            valid_from=rules.starts_at(day, today(zone), _now(), zone), source=source,
            set_by=context.person.id,
        )  # fmt: skip
    except InvalidInput:
        RafaksiDraft.drop(context)
        await reply(update, _("That table could not be saved. Nothing was changed. Send /rafaksi to try again."))  # fmt: skip
        return END
    first = _first_day(context)
    RafaksiDraft.drop(context)
    saved = (
        _("Saved. From {date}, {produce} is weighed without cuts.")
        if table is None
        else _("Saved. From {date}, weighings of {produce} use this table.")
    )
    await reply(update, saved.format(date=first, produce=produce_name(commodity).lower()))
    return END


change = start_over(ACTION_STEP)


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change)


def conversation_handler() -> ConversationHandler:
    return conversation(
        "rafaksi", "rafaksi", entry_points=[CommandHandler("rafaksi", start)],
        steps=[PRODUCE_STEP, ACTION_STEP, MOISTURE_STEP, FOREIGN_STEP, CUT_STEP, DAY_STEP, CONFIRM_STEP],
        states={PRODUCE: [MessageHandler(TEXT, _produce_typed)], DAY: [MessageHandler(TEXT, _day_typed)]},
        cancel=cancel,
    )  # fmt: skip
