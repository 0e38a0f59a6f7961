"""/koperasi: the hub's network of village cooperatives (issue 18). A hub's administrator or
treasurer sees the village cooperatives below their organisation counted per kabupaten, a
kabupaten's page of them (20 at a time, ◀ ▶) and a cooperative's card with its officers; an
officer of a village cooperative sees their own cooperative's card only. Read-only: every
press is checked against what the presser may see (storage.network), a forged one refused."""

from __future__ import annotations

import re

from telegram import Update

from bot.context import BotContext
from bot.i18n import _, ngettext
from domain import network as rules
from domain import regions
from domain.people import VILLAGE_OFFICERS, Role, display_phone
from handlers.cycle_delivery import owed_line
from handlers.cycle_invoices import invoices_button
from handlers.kit import Buttons, answer_query, for_command, keyboard, refuse_button, reply
from handlers.menus import role_label
from handlers.monthly_report import report_line
from storage import cycle_delivery, monthly_reports, network, orgs
from storage.monthly_reports import Report
from storage.network import Cooperative

# i<page>: the kabupaten; r<kabupaten without its dot>p<page>: a kabupaten's cooperatives;
# c<organisation id>: a cooperative's card.
NETWORK_BUTTONS = Buttons("kop", value=r"[a-z0-9]", max_length=16)
_VALUE = re.compile(r"^(?:i(\d{1,6})|r(\d{4})p(\d{1,6})|c(\d{1,12}))$", re.ASCII)
_PER_ROW = 5


def _regency_name(code: str) -> str:
    found = regions.region(code)
    return found.short_name if found else code


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _where(village_code: str) -> str:
    place = regions.place(village_code)
    if place is None:
        return village_code
    return _("Village {village}, Kec. {district}, {regency}").format(
        village=place.village, district=place.district, regency=_regency_name(village_code[:5])
    )


#: Officers listed per role on a card (a cooperative has one or two; the card stays short).
CARD_OFFICERS = 5


def card_text(coop: Cooperative, report: Report | None = None) -> str:
    """A cooperative's card: where it is, each officer with their phone, its monthly report."""
    lines = [coop.org.name] + ([_where(coop.org.village_code)] if coop.org.village_code else [])
    for role in (*VILLAGE_OFFICERS, Role.ADMIN):
        holders = [o for o in coop.officers if o.role == role]
        label = _capital(role_label(role))
        if not holders and role != Role.ADMIN:
            lines.append(_("{role}: none yet").format(role=label))
        for officer in holders[:CARD_OFFICERS]:
            lines.append(_("{role}: {name}, {phone}").format(
                role=label, name=officer.full_name,
                phone=display_phone(officer.phone) if officer.phone else _("no phone number"),
            ))  # fmt: skip
        if len(holders) > CARD_OFFICERS:
            more = len(holders) - CARD_OFFICERS
            lines.append(ngettext("{role}: and {count} more", "{role}: and {count} more", more).format(
                role=label, count=more))  # fmt: skip
    lines.append(report_line(report))
    return "\n".join(lines)


async def _card(update: Update, context: BotContext, coop: Cooperative, back: bool) -> None:
    markup = None
    if back and coop.org.village_code:
        regency = coop.org.village_code[:5]
        markup = keyboard([[NETWORK_BUTTONS.button(
            f"◀ {_regency_name(regency)}", f"r{regency.replace('.', '')}p0"
        )]])  # fmt: skip
    report = await monthly_reports.last_filed(context.db, coop.org.id)
    owed = owed_line(await cycle_delivery.owed_by(context.db, coop.org.id))
    if owed and coop.org.id == context.person.org_id:  # its own officer: the invoices behind it
        markup = keyboard([*(markup.inline_keyboard if markup else []), [invoices_button()]])
    await reply(update, card_text(coop, report) + (f"\n{owed}" if owed else ""), markup)


def _nav(page: int, total: int, value: str, middle: list | None = None) -> list:
    """◀ ▶ for a paged list around ``middle`` (``value`` formats a page into a button value)."""
    row = [NETWORK_BUTTONS.button("◀", value.format(page - 1))] if page > 0 else []
    row += middle or []
    if page + 1 < rules.pages(total):
        row.append(NETWORK_BUTTONS.button("▶", value.format(page + 1)))
    return row


Shown = tuple[str, object] | None  # a page's text and buttons; None: no such page


async def _index(context: BotContext, page: int) -> Shown:
    """The kabupaten of the network with their counts."""
    found = await network.regencies(context.db, context.person.org_id)
    if rules.clamp_page(page, len(found)) is None:
        return None
    total = sum(n for _code, n in found)
    if not found:
        return _("No village cooperative is in your network yet."), None
    shown = found[page * rules.PAGE_SIZE : (page + 1) * rules.PAGE_SIZE]
    lines = [ngettext(
        "{count} village cooperative in your network.",
        "{count} village cooperatives in your network.", total,
    ).format(count=total), ""]  # fmt: skip
    rows = []
    for code, n in shown:
        name = _regency_name(code)
        lines.append(ngettext("{regency}: {count} cooperative", "{regency}: {count} cooperatives", n).format(
            regency=name, count=n
        ))  # fmt: skip
        rows.append([NETWORK_BUTTONS.button(f"{name} ({n})", f"r{code.replace('.', '')}p0")])
    if rules.pages(len(found)) > 1:
        lines.append(
            _("Page {page} of {pages}.").format(page=page + 1, pages=rules.pages(len(found)))
        )
    lines.append(_("Press a regency to see its cooperatives."))
    nav = _nav(page, len(found), "i{}")
    return "\n".join(lines), keyboard(rows + ([nav] if nav else []))


def _list_line(number: int, coop: Cooperative) -> str:
    chair = next((o for o in coop.officers if o.role == Role.CHAIR), None)
    officers = len({(o.full_name, o.phone) for o in coop.officers})
    who = (
        _("Chair: {name}, {phone}").format(
            name=chair.full_name, phone=display_phone(chair.phone) if chair.phone else "-"
        )
        if chair
        else _("Chair: none yet")
    )
    count = ngettext("{count} officer", "{count} officers", officers).format(count=officers)
    return f"{number}. {coop.org.name}\n   {_where(coop.org.village_code)}\n   {who} · {count}"


async def _regency(context: BotContext, regency: str, page: int) -> Shown:
    """One page of a kabupaten's cooperatives (None when the viewer has none there)."""
    counts = dict(await network.regencies(context.db, context.person.org_id))
    total = counts.get(regency, 0)
    if total == 0 or rules.clamp_page(page, total) is None:
        return None
    found = await network.in_regency(context.db, context.person.org_id, regency, page)
    first = page * rules.PAGE_SIZE + 1
    lines = [_("{regency}: cooperatives {first} to {last} of {total}.").format(
        regency=_regency_name(regency), first=first, last=first + len(found) - 1, total=total
    ), ""]  # fmt: skip
    lines += [_list_line(first + k, coop) for k, coop in enumerate(found)]
    lines += ["", _("Press a number to see a cooperative's officers.")]
    numbers = [NETWORK_BUTTONS.button(str(first + k), f"c{c.org.id}") for k, c in enumerate(found)]
    rows = [numbers[k : k + _PER_ROW] for k in range(0, len(numbers), _PER_ROW)]
    back = NETWORK_BUTTONS.button(_("Regencies"), "i0")
    rows.append(_nav(page, total, f"r{regency.replace('.', '')}p{{}}", [back]))
    return "\n".join(lines), keyboard(rows)


async def _own_org(context: BotContext):
    return await orgs.by_id(context.db, context.person.org_id)


@for_command("koperasi")
async def show_network(update: Update, context: BotContext) -> None:
    own = await _own_org(context)
    if own is not None and rules.is_village(own.kind):
        coop = await network.visible(context.db, own.id, own.id)
        await _card(update, context, coop, back=False)
        return
    text, markup = await _index(context, 0)
    await reply(update, text, markup)


@for_command("koperasi")
async def on_network(update: Update, context: BotContext) -> None:
    match = _VALUE.match(NETWORK_BUTTONS.value(update) or "")
    own = await _own_org(context)
    village_officer = own is not None and rules.is_village(own.kind)
    if match and match[4]:
        coop = await network.visible(context.db, context.person.org_id, int(match[4]))
        if coop is None:
            await refuse_button(update, context)
            return
        await answer_query(update)
        await _card(update, context, coop, back=not village_officer)
        return
    shown = None
    if match and not village_officer:  # a village officer sees their own card only
        if match[1] is not None:
            shown = await _index(context, int(match[1]))
        else:
            shown = await _regency(context, f"{match[2][:2]}.{match[2][2:]}", int(match[3]))
    if shown is None:
        await refuse_button(update, context)
        return
    await answer_query(update)
    await reply(update, *shown)
