"""/harga: today's prices for the person's village: the cooperative's buying price with its
change since the previous one (▲ ▼), its date and source, beside the government's reference
price (HPP) and a market price where one was recorded; ``/harga cabe`` for one commodity
(typed forgivingly) with a button to sell at that price and trend charts. /langganan: which
prices come every morning; one tap stops them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import Update

from bot.charts import TrendChart, trend_png
from bot.context import BotContext
from bot.i18n import (
    _,
    format_date,
    format_money,
    format_number,
    format_short_date,
    format_time,
    ngettext,
    unit_name,
    use_locale,
)
from domain import regions
from domain.broadcasts import PRICE_CHANGE, PRICE_DIGEST, digest_key
from domain.commands import in_scope
from domain.produce import CATALOG, Commodity
from handlers import windows
from handlers.kit import (
    Buttons,
    answer_query,
    close_buttons,
    for_command,
    keyboard,
    refuse_button,
    reply,
    writes,
)
from handlers.wording import produce_in_sentence, produce_name, produce_with_grade
from storage import catalog, orgs, outbox, prices, subscriptions
from storage.prices import MARKET, REFERENCE, BuyingPrice

SELL_BUTTONS = Buttons("jualh", value=r"[a-z0-9_]", max_length=16)
CHART_BUTTONS = Buttons("grafik", value=r"[a-z0-9_]", max_length=20)  # <days>_<commodity>
SUBSCRIBE_BUTTONS = Buttons("lgn", value=r"[+-][a-z0-9_]", max_length=16)
STOP_ALL_BUTTONS = Buttons("lgnstop", value=r"[a-z]", max_length=3)
CHART_DAYS = (30, 90)


def _now() -> datetime:
    return datetime.now().astimezone()


async def _change(context: BotContext, price: BuyingPrice, village: str) -> str:
    """``▲ Rp300`` or ``▼ Rp500`` against the version before this one; '' when none."""
    before = await prices.price_in_force(
        context.db, price.commodity, price.grade, village, price.valid_from - 1, price.kind
    )
    if before is None or before.price_rupiah == price.price_rupiah:
        return ""
    arrow = "▲" if price.price_rupiah > before.price_rupiah else "▼"
    return f" {arrow} {format_money(abs(price.price_rupiah - before.price_rupiah))}"


async def price_lines(context: BotContext, village: str, zone: str, commodity: str) -> list[str]:
    """One line per grade the cooperative buys ``commodity`` in, for ``village``."""
    known = CATALOG.get(commodity)
    if known is None or commodity in await _stopped(context, village):
        return []
    now = _now()
    reference = {
        p.grade: p
        for p in await prices.prices_in_force(context.db, village, now, commodity, REFERENCE)
    }
    market = {
        p.grade: p
        for p in await prices.prices_in_force(context.db, village, now, commodity, MARKET)
    }
    lines = []
    for price in await prices.prices_in_force(context.db, village, now, commodity):
        line = _("{produce}: {price} per {unit}{change} ({date}, {source})").format(
            produce=produce_with_grade(known, price.grade), price=format_money(price.price_rupiah),
            unit=unit_name(known.base_unit), change=await _change(context, price, village),
            date=format_short_date(datetime.fromtimestamp(price.valid_from, ZoneInfo(zone)), zone),
            source=price.source or _("the cooperative"),
        )  # fmt: skip
        extra = [
            _("{label} {price}").format(label=label, price=format_money(found.price_rupiah))
            for label, found in ((_("HPP"), reference.get(price.grade)), (_("market"), market.get(price.grade)))
            if found
        ]  # fmt: skip
        lines.append(line + "".join(" · " + e for e in extra))
    return lines


async def _village_or_ask(update: Update, context: BotContext) -> str | None:
    if context.person.village_code:
        return context.person.village_code
    await reply(update, _("I do not know your village yet. Send /settings and pick your village."))
    return None


def _village_name(code: str) -> str:
    place = regions.place(code)
    return place.village if place else code


# --- /harga --------------------------------------------------------------------------------


async def _stopped(context: BotContext, village: str) -> frozenset[str]:
    """What the cooperative of the village no longer buys (/katalog)."""
    return await catalog.stopped(context.db, await orgs.for_village(context.db, village))


@for_command("harga")
async def show_prices(update: Update, context: BotContext) -> None:
    village = await _village_or_ask(update, context)
    if village is None:
        return
    typed = " ".join(context.args or [])
    if typed:
        await _one_commodity(update, context, village, typed)
        return
    mine = await subscriptions.of_person(context.db, context.person.id)
    bought = [p.commodity for p in await prices.prices_in_force(context.db, village, _now())]
    stops = await _stopped(context, village)
    codes = [
        c for c in dict.fromkeys(mine or bought)
        if (k := CATALOG.get(c)) and k.active and c not in stops
    ]  # fmt: skip
    zone = context.person.timezone
    lines = []
    for code in codes:
        lines += await price_lines(context, village, zone, code)
    if not lines:
        await reply(update, _("The cooperative has no buying prices for your village yet."))
        return
    title = _("The cooperative's buying prices in {village}, {date}:").format(
        village=_village_name(village), date=format_date(_now(), zone))  # fmt: skip
    hint = _("Send /harga and a name for one produce, for example /harga cabai.")
    needs = []  # buying windows open here: the cooperative needs these now
    for code in codes:
        needs += await windows.need_lines(context.db, context.person.org_id, village, zone, code)
    await reply(update, "\n".join([title, *lines, *needs, "", hint]))


async def _one_commodity(update: Update, context: BotContext, village: str, typed: str) -> None:
    stops = await _stopped(context, village)
    found = [
        m.commodity for m in CATALOG.search(typed)
        if m.commodity.active and m.commodity.code not in stops
    ]  # fmt: skip
    if not found:
        await reply(
            update,
            _('I do not know "{typed}". Try another name, for example gabah, cabai, kopi.').format(
                typed=typed[:40]
            ),
        )
        return
    zone = context.person.timezone
    for commodity in found[:3]:  # "cabai": both chillies
        lines = await price_lines(context, village, zone, commodity.code)
        if not lines:
            await reply(
                update,
                _("The cooperative does not buy {produce} in your village now.").format(
                    produce=produce_name(commodity)
                ),
            )
            continue
        title = _("The cooperative's buying prices in {village}, {date}:").format(
            village=_village_name(village), date=format_date(_now(), zone))  # fmt: skip
        needs = await windows.need_lines(
            context.db, context.person.org_id, village, zone, commodity.code
        )
        text = "\n".join(
            [
                title,
                *lines,
                *needs,
                "",
                _("Once you sell, the cooperative guarantees this price for up to 7 days."),
            ]
        )
        await reply(update, text, _commodity_buttons(commodity))


def _commodity_buttons(commodity: Commodity):
    rows = [
        [
            SELL_BUTTONS.button(
                _("💰 Sell {produce} at this price").format(produce=produce_in_sentence(commodity)),
                commodity.code,
            )
        ]
    ]
    rows.append(
        [
            CHART_BUTTONS.button(_("📈 {days} days").format(days=days), f"{days}_{commodity.code}")
            for days in CHART_DAYS
        ]
    )
    return keyboard(rows)  # fmt: skip


# --- /langganan ----------------------------------------------------------------------------


async def _subscription_markup(context: BotContext, village: str):
    mine = set(await subscriptions.of_person(context.db, context.person.id))
    bought = [p.commodity for p in await prices.prices_in_force(context.db, village, _now())]
    codes = [c for c in dict.fromkeys([*sorted(mine), *bought]) if CATALOG.get(c)]
    rows = [
        [SUBSCRIBE_BUTTONS.button(("🔔 " if c in mine else "🔕 ") + produce_name(CATALOG[c]), ("-" if c in mine else "+") + c)]
        for c in codes
    ]  # fmt: skip
    if mine:
        rows.append([STOP_ALL_BUTTONS.button(_("🔕 Stop them all"), "all")])
    return keyboard(rows)


def _subscription_text(context: BotContext) -> str:
    """The morning digest's time where the person lives (an administrator can move it)."""
    zone = context.person.timezone
    at = datetime.combine(_now().date(), context.application.digest_time, ZoneInfo(zone))
    return _(
        "🔔 you get its price every morning at {time}, 🔕 you do not. Tap a produce to change it."
    ).format(time=format_time(at, zone))


@for_command("langganan")
async def show_subscriptions(update: Update, context: BotContext) -> None:
    village = await _village_or_ask(update, context)
    if village is None:
        return
    await reply(update, _subscription_text(context), await _subscription_markup(context, village))


@for_command("langganan")
@writes("prices.subscribe")
async def on_subscription(update: Update, context: BotContext) -> None:
    value = SUBSCRIBE_BUTTONS.value(update)
    commodity = CATALOG.get(value[1:])
    if commodity is None or not context.person.village_code:
        await refuse_button(update)
        return
    on = value.startswith("+")
    await context.db.write(subscriptions.set_subscribed, context.person.id, commodity.code, on)
    await answer_query(update)
    await update.callback_query.edit_message_text(
        _subscription_text(context),
        reply_markup=await _subscription_markup(context, context.person.village_code),
    )
    said = (
        _("You will get the price of {produce} every morning.")
        if on
        else _("You will no longer get the price of {produce}.")
    )
    await reply(update, said.format(produce=produce_in_sentence(commodity)))


@writes("prices.stop_all")
async def on_stop_all(update: Update, context: BotContext) -> None:
    """One tap, from /langganan or from a morning digest: no more prices."""
    if context.person is None:
        await refuse_button(update)
        return
    await context.db.write(subscriptions.stop_all, context.person.id)
    await answer_query(update)
    await update.callback_query.edit_message_reply_markup(None)
    await reply(update, _("Done: no more morning prices. Send /langganan to choose them again."))


# --- the morning digest and a price change told now --------------------------------------------

DIGEST_LINES = 4  # prices in one morning message (six lines or fewer in all)


async def price_digest(context: BotContext) -> None:
    """A job at the digest time in each zone (context.job.data): every subscriber living
    there gets one message with their prices, through the outbox (resumable, bulk lane)."""
    zone = context.job.data
    await enqueue_digest(context, zone, datetime.now(ZoneInfo(zone)).date())


async def enqueue_digest(context: BotContext, zone: str, day) -> int:
    """One message per subscriber of ``zone`` for ``day``; returns how many were queued (0
    when that day's digest was queued before: a restart never queues it twice)."""
    rendered: dict[tuple, list[str]] = {}  # villages and languages repeat: render each once
    needs: dict[tuple, list[str]] = {}  # the buying windows open in a village, per language
    messages = []
    for who in await subscriptions.subscribers(context.db, zone):
        with use_locale(who.language):
            lines = []
            for code in who.commodities:
                key = (who.village_code, code, who.language)
                if key not in rendered:
                    rendered[key] = await price_lines(context, who.village_code, zone, code)
                lines += rendered[key]
            if not lines:
                continue
            key = (who.village_code, who.language, who.commodities)
            if key not in needs:
                org_id = await orgs.for_village(context.db, who.village_code)
                needs[key] = [
                    line for code in who.commodities
                    for line in await windows.need_lines(context.db, org_id, who.village_code, zone, code)
                ]  # fmt: skip
            text = _digest_text(who.village_code, zone, day, lines, needs[key])
            markup = keyboard([[STOP_ALL_BUTTONS.button(_("🔕 Stop the morning prices"), "all")]])
        messages.append(outbox.OutgoingMessage(who.person_id, who.chat_id, text, markup.to_json()))
    done = await context.db.write(
        outbox.enqueue, key=digest_key(day, zone), kind=PRICE_DIGEST, messages=messages
    )
    _wake_sender(context)
    return done.total if done.created else 0


# A digest more than this late is not sent any more that day (tomorrow's will come).
CATCH_UP_HOURS = 6


async def digest_catch_up(context: BotContext) -> None:
    """At start: in each zone whose digest time passed today less than CATCH_UP_HOURS ago,
    the digest goes out now unless it was queued already (the key makes it once)."""
    await catch_up_digests(context, datetime.now(UTC), context.job.data)


async def catch_up_digests(context: BotContext, now: datetime, at: time) -> list[str]:
    """The zones whose digest was queued now."""
    queued = []
    for zone in regions.TIMEZONES:
        local = now.astimezone(ZoneInfo(zone))
        due = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
        if not timedelta(0) <= local - due < timedelta(hours=CATCH_UP_HOURS):
            continue
        if await outbox.by_key(context.db, digest_key(local.date(), zone)) is None:
            await enqueue_digest(context, zone, local.date())
            queued.append(zone)
    return queued


def _digest_text(village: str, zone: str, day, lines: list[str], needs: list[str] = ()) -> str:
    title = _("Today's cooperative prices in {village}, {date}:").format(
        village=_village_name(village), date=format_date(day, zone))  # fmt: skip
    shown = lines[:DIGEST_LINES]
    if len(lines) > DIGEST_LINES:
        shown.append(_("and {count} more: send /harga").format(count=len(lines) - DIGEST_LINES))
    shown += list(needs)[:1]  # the first buying window open there (six lines or so in all)
    return "\n".join([title, *shown, _("To sell, send /jual.")])


def _wake_sender(context: BotContext) -> None:
    sender = context.application.bot_data.outbox
    if sender is not None:
        sender.wake()


async def tell_price_change(context: BotContext, price: BuyingPrice, started_by: int) -> int:
    """The new buying price to everyone subscribed to its commodity in its area, now,
    through the outbox; the administrator who set it sees the progress. Returns how many.
    Thousands of subscribers share few villages and languages: each text is made once."""
    commodity = CATALOG[price.commodity]
    holds: dict[str, bool] = {}  # village → is this the price in force there?
    texts: dict[tuple[str, str, str], tuple[str, str]] = {}  # (village, zone, language) → message
    messages = []
    for who in await subscriptions.subscribers(context.db):
        if price.commodity not in who.commodities or not regions.within(
            who.village_code, price.area_prefix
        ):
            continue
        if who.village_code not in holds:
            in_force = await prices.price_in_force(
                context.db, price.commodity, price.grade, who.village_code, _now()
            )
            holds[who.village_code] = in_force is not None and in_force.id == price.id
        if not holds[who.village_code]:  # a more specific price holds there
            continue
        key = (who.village_code, who.timezone, who.language)
        if key not in texts:
            texts[key] = await _change_message(context, price, commodity, *key)
        text, markup = texts[key]
        messages.append(outbox.OutgoingMessage(who.person_id, who.chat_id, text, markup))
    if not messages:
        return 0
    done = await context.db.write(
        outbox.enqueue,
        key=f"price:{price.id}",
        kind=PRICE_CHANGE,
        messages=messages,
        started_by=started_by,
    )
    _wake_sender(context)
    return done.total


@for_command("setharga")
@writes("prices.tell")
async def on_tell(update: Update, context: BotContext) -> None:
    """The administrator's "send it now" under a saved price (handlers.set_price)."""
    price = await prices.get(context.db, int(Buttons.registry["kabar"].value(update)))
    if (
        price is None
        or price.kind != prices.BUYING
        or not in_scope(price.area_prefix, await orgs.coverage(context.db, context.person.org_id))
    ):  # another cooperative's price is not this administrator's to announce
        await refuse_button(update)
        return
    await close_buttons(update, _("📣 Send it to the subscribers now"))  # answered before the work
    count = await tell_price_change(context, price, context.person.id)
    if count:
        await reply(
            update,
            ngettext(
                "Sending it to {count} subscriber. This message shows how it goes.",
                "Sending it to {count} subscribers. This message shows how it goes.",
                count,
            ).format(count=format_number(count)),
        )
    else:
        await reply(update, _("Nobody in that area follows this price yet."))


async def _change_message(
    context: BotContext,
    price: BuyingPrice,
    commodity: Commodity,
    village: str,
    zone: str,
    language: str,
) -> tuple[str, str]:
    with use_locale(language):
        when = format_date(datetime.fromtimestamp(price.valid_from, ZoneInfo(zone)), zone)
        lines = [_("New cooperative price from {date}:").format(date=when)]
        lines += await price_lines(context, village, zone, price.commodity)
        return "\n".join(lines), _commodity_buttons(commodity).to_json()


# --- the trend chart -------------------------------------------------------------------------------


@for_command("harga")
async def on_chart(update: Update, context: BotContext) -> None:
    """A PNG of the last 30 or 90 days of the cooperative's price (its best-paid grade bought
    in the person's village), beside HPP where there is one."""
    days, _sep, code = CHART_BUTTONS.value(update).partition("_")
    commodity = CATALOG.get(code)
    village = context.person.village_code
    if commodity is None or not days.isdigit() or int(days) not in CHART_DAYS or not village:
        await refuse_button(update)
        return
    await answer_query(update)
    bought = await prices.prices_in_force(context.db, village, _now(), commodity.code)
    grade = bought[0].grade if bought else commodity.grades[0].code
    end = datetime.now(ZoneInfo(context.person.timezone)).date()
    start = end - timedelta(days=int(days) - 1)
    ours = await prices.series(context.db, commodity.code, grade, village, start, end)
    hpp = await prices.series(context.db, commodity.code, grade, village, start, end, REFERENCE)
    chart = TrendChart(
        produce_with_grade(commodity, grade), commodity.base_unit,
        [(d.day, d.price_rupiah) for d in ours],
        [(d.day, d.price_rupiah) for d in hpp] if any(d.price_rupiah for d in hpp) else None,
    )  # fmt: skip
    png = await trend_png(chart, context.person.language)
    caption = _("{produce}, last {days} days, {village}").format(
        produce=produce_with_grade(commodity, grade), days=days, village=_village_name(village))  # fmt: skip
    await update.effective_chat.send_photo(png, caption=caption)
