"""The dashboard's panels (issue 15): read-only queries, each scoped to the organisations a
person may see. An administrator or treasurer sees their own cooperative and, for an officer
of a federation or any parent node, every node below it; farmers, members and coordinators
see nothing. A panel is a small registered unit (name, title msgid, columns, chart kind,
query): a later feature adds its own with ``@panel(...)``. Money is whole rupiah."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain import N_, regions
from domain.people import Role
from domain.produce import CATALOG
from domain.savings import Month
from storage import figures, orgs, savings
from storage.db import Database

#: The roles that open the dashboard.
OFFICERS = (Role.ADMIN, Role.TREASURER)


@dataclass(frozen=True)
class Viewer:
    """Who asks, and what they may see (``org_ids`` empty: nothing)."""

    person_id: int
    full_name: str
    language: str
    timezone: str
    org_ids: tuple[int, ...]


@dataclass(frozen=True)
class Org:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # msgid
    kind: str = "text"  # text | number | money | date
    # a text column of codes: each code's msgid, shown translated (the row keeps the code)
    labels: tuple[tuple[str, str], ...] = ()

    def label_of(self, value: object) -> str | None:
        """The msgid a code of this column reads as (None: not a coded column, or unknown)."""
        return dict(self.labels).get(value) if self.labels else None


@dataclass(frozen=True)
class Scope:
    org_ids: tuple[int, ...]
    language: str
    timezone: str
    now: int


Query = Callable[[Database, Scope], Awaitable[list[dict]]]


@dataclass(frozen=True)
class Panel:
    name: str
    title: str  # msgid
    columns: tuple[Column, ...]
    chart: str | None  # "bar", "bars" (two series), or None
    chart_x: str | None
    chart_y: tuple[str, ...]
    query: Query


PANELS: dict[str, Panel] = {}


def panel(name: str, title: str, columns: tuple[Column, ...], *, chart: str | None = None,
          x: str | None = None, y: tuple[str, ...] = ()) -> Callable[[Query], Query]:  # fmt: skip
    def register(query: Query) -> Query:
        PANELS[name] = Panel(name, title, columns, chart, x, y, query)
        return query

    return register


# --- who sees what ------------------------------------------------------------------------


async def viewer(db: Database, telegram_user_id: int) -> Viewer | None:
    """The person behind a Telegram account with the organisations their roles open to them
    (their own node and everything below it); None when the account is not registered."""
    person = await db.fetchone(
        "SELECT id, full_name, language, timezone, org_id FROM people WHERE telegram_user_id = ?",
        (telegram_user_id,),
    )
    if person is None:
        return None
    officer = await db.fetchone(
        "SELECT 1 FROM person_roles WHERE person_id = ? AND role IN (?, ?)",
        (person["id"], *(r.value for r in OFFICERS)),
    )
    org_ids: tuple[int, ...] = ()
    if officer:
        org_ids = await orgs.below(db, person["org_id"])
    return Viewer(
        person["id"], person["full_name"], person["language"], person["timezone"], org_ids
    )


async def organisations(db: Database, org_ids: tuple[int, ...]) -> list[Org]:
    if not org_ids:
        return []
    rows = await db.fetchall(
        f"SELECT id, code, name FROM organisations WHERE id IN ({_marks(org_ids)}) ORDER BY id",
        org_ids,
    )
    return [Org(row["id"], row["code"], row["name"]) for row in rows]


async def officers(db: Database) -> list[tuple[int, str]]:
    """(chat id, language) of every administrator and treasurer the bot can write to."""
    rows = await db.fetchall(
        "SELECT DISTINCT p.chat_id, p.language FROM people p JOIN person_roles r"
        " ON r.person_id = p.id WHERE r.role IN (?, ?) AND p.chat_id IS NOT NULL"
        " AND p.reachable = 1 ORDER BY p.chat_id",
        tuple(r.value for r in OFFICERS),
    )
    return [(row["chat_id"], row["language"]) for row in rows]


async def rows(db: Database, name: str, scope: Scope) -> list[dict]:
    """The rows of one panel for ``scope`` (nothing when the scope is empty)."""
    if not scope.org_ids:
        return []
    return await PANELS[name].query(db, scope)


def _marks(values: tuple) -> str:
    return ", ".join("?" for _ in values)


def _commodity(row, language: str) -> str:
    return row["name_en"] if language == "en" and row["name_en"] else row["name_id"]


def _village(code: str | None) -> str:
    if not code:
        return ""
    found = regions.region(code)
    return found.name if found else code


def _local_day(at: int, timezone: str) -> date:
    return datetime.fromtimestamp(at, UTC).astimezone(ZoneInfo(timezone)).date()


def _number(value: Decimal) -> int | float:
    return int(value) if value == int(value) else float(value)


# --- the first panels ---------------------------------------------------------------------


@panel(
    "purchases", N_("Purchases by week"),
    (Column("week", N_("Week of"), "date"), Column("commodity", N_("Produce")),
     Column("village", N_("Village")), Column("quantity", N_("Quantity (kg)"), "number"),
     Column("amount", N_("Amount"), "money")),
    chart="bar", x="week", y=("amount",),
)  # fmt: skip
async def purchases(db: Database, scope: Scope) -> list[dict]:
    """Weighed receipts summed by week (Monday, in the viewer's zone), produce and village."""
    found = await db.fetchall(
        "SELECT k.picked_up_at, k.quantity, k.amount_rupiah, o.village_code, c.name_id, c.name_en"
        " FROM pickups k JOIN offers o ON o.id = k.offer_id"
        " JOIN commodities c ON c.code = o.commodity"
        f" WHERE k.picked_up_at IS NOT NULL AND o.org_id IN ({_marks(scope.org_ids)})"
        " AND o.status IN ('picked_up', 'paid')",
        scope.org_ids,
    )
    sums: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0])
    for row in found:
        day = _local_day(row["picked_up_at"], scope.timezone)
        week = day - timedelta(days=day.weekday())
        key = (week.isoformat(), _commodity(row, scope.language), _village(row["village_code"]))
        sums[key][0] += Decimal(row["quantity"] or "0")
        sums[key][1] += row["amount_rupiah"] or 0
    return [
        {"week": k[0], "commodity": k[1], "village": k[2], "quantity": _number(q), "amount": a}
        for k, (q, a) in sorted(sums.items())
    ]


_LIVE = "NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = {e}.id)"


@panel(
    "owed", N_("Owed to farmers"),
    (Column("farmer", N_("Farmer")), Column("village", N_("Village")),
     Column("receipts", N_("Unpaid receipts"), "number"), Column("owed", N_("Owed"), "money"),
     Column("since", N_("Oldest receipt"), "date")),
)  # fmt: skip
async def owed(db: Database, scope: Scope) -> list[dict]:
    """Receipts weighed and not yet paid, from the ledger: the farmer's payable line of each
    offer's live ``offer:<id>:owed`` entry with no live ``offer:<id>:paid`` entry."""
    found = await db.fetchall(
        "SELECT p.id AS farmer_id, p.full_name, p.village_code, -l.amount AS owed, e.at"
        " FROM offers o JOIN people p ON p.id = o.farmer_id"
        " JOIN ledger_entries e ON e.reference = 'offer:' || CAST(o.id AS TEXT) || ':owed'"
        " JOIN ledger_lines l ON l.entry_id = e.id"
        " JOIN ledger_accounts a ON a.id = l.account_id AND a.kind = 'payable_farmer'"
        f" WHERE o.org_id IN ({_marks(scope.org_ids)}) AND {_LIVE.format(e='e')}"
        " AND NOT EXISTS (SELECT 1 FROM ledger_entries x"
        " WHERE x.reference = 'offer:' || CAST(o.id AS TEXT) || ':paid' AND "
        f"{_LIVE.format(e='x')})",
        scope.org_ids,
    )
    by_farmer: dict[int, dict] = {}
    for row in found:
        item = by_farmer.setdefault(
            row["farmer_id"],
            {"farmer": row["full_name"], "village": _village(row["village_code"]),
             "receipts": 0, "owed": 0, "since": None},
        )  # fmt: skip
        item["receipts"] += 1
        item["owed"] += row["owed"]
        day = _local_day(row["at"], scope.timezone).isoformat()
        item["since"] = min(item["since"] or day, day)
    return sorted(by_farmer.values(), key=lambda r: (-r["owed"], r["farmer"]))


@panel(
    "prices", N_("Prices against HPP"),
    (Column("commodity", N_("Produce")), Column("grade", N_("Grade")),
     Column("area", N_("Area")), Column("price", N_("Cooperative price"), "money"),
     Column("hpp", N_("HPP"), "money"), Column("difference", N_("Difference"), "money")),
    chart="bars", x="commodity", y=("price", "hpp"),
)  # fmt: skip
async def prices(db: Database, scope: Scope) -> list[dict]:
    """The cooperative's buying price in force now per produce, grade and area (everywhere,
    or an area the viewer's organisations cover), beside the HPP in force."""
    coverage = await db.fetchall(
        f"SELECT prefix FROM org_coverage WHERE org_id IN ({_marks(scope.org_ids)})",
        scope.org_ids,
    )
    prefixes = [row["prefix"] for row in coverage]
    found = await db.fetchall(
        "SELECT b.kind, b.commodity, b.grade, b.area_prefix, b.price_rupiah, b.valid_from, b.id,"
        " c.name_id, c.name_en, c.position FROM buying_prices b"
        " JOIN commodities c ON c.code = b.commodity"
        " WHERE b.kind IN ('buying', 'reference') AND b.valid_from <= ?"
        " AND (b.valid_until IS NULL OR b.valid_until > ?)",
        (scope.now, scope.now),
    )
    latest: dict[tuple, object] = {}
    for row in found:
        key = (row["kind"], row["commodity"], row["grade"], row["area_prefix"])
        if key not in latest or (row["valid_from"], row["id"]) > (latest[key]["valid_from"], latest[key]["id"]):  # fmt: skip
            latest[key] = row
    hpp = {(k[1], k[2]): r["price_rupiah"] for k, r in latest.items() if k[0] == "reference" and not k[3]}  # fmt: skip

    def covered(area: str) -> bool:
        return not area or any(regions.within(area, p) or regions.within(p, area) for p in prefixes)

    result = []
    for (kind, code, grade, area), row in sorted(
        latest.items(), key=lambda i: (i[1]["position"], i[0])
    ):
        if kind != "buying" or not covered(area):
            continue
        reference = hpp.get((code, grade))
        result.append({
            "commodity": _commodity(row, scope.language), "grade": grade,
            "area": _village(area) if area else "", "price": row["price_rupiah"],
            "hpp": reference, "difference": None if reference is None else row["price_rupiah"] - reference,
        })  # fmt: skip
    return result


@panel(
    "savings", N_("Savings by cooperative"),
    (Column("cooperative", N_("Cooperative")), Column("kind", N_("Savings")),
     Column("members", N_("Members"), "number"), Column("total", N_("Total"), "money")),
)  # fmt: skip
async def savings_totals(db: Database, scope: Scope) -> list[dict]:
    result = []
    for org in await organisations(db, scope.org_ids):
        members = await savings.member_balances(db, org.id)
        if not members:
            continue
        for kind in savings.KINDS:
            result.append({
                "cooperative": org.name, "kind": str(kind), "members": len(members),
                "total": sum(m.savings.by_kind[kind] for m in members),
            })  # fmt: skip
    return result


@panel(
    "wajib_behind", N_("Members behind on wajib"),
    (Column("member", N_("Member")), Column("number", N_("Member number")),
     Column("cooperative", N_("Cooperative")), Column("months", N_("Months behind"), "number"),
     Column("owed", N_("Owed"), "money")),
)  # fmt: skip
async def wajib_behind(db: Database, scope: Scope) -> list[dict]:
    through = Month.of(_local_day(scope.now, scope.timezone))
    result = []
    for org in await organisations(db, scope.org_ids):
        for item in await savings.member_balances(db, org.id):
            dues = await savings.tagihan(db, item.member.id, through)
            if dues is None or not dues.unpaid:
                continue
            result.append({
                "member": item.member.full_name, "number": item.member.member_number,
                "cooperative": org.name, "months": len(dues.unpaid), "owed": dues.owed,
            })  # fmt: skip
    return sorted(result, key=lambda r: (-r["months"], r["member"]))


@panel(
    "broadcasts", N_("Broadcasts and delivery"),
    (Column("started", N_("Started"), "date"), Column("kind", N_("Kind")),
     Column("sent", N_("Sent"), "number"), Column("failed", N_("Failed"), "number"),
     Column("pending", N_("Pending"), "number")),
)  # fmt: skip
async def broadcasts(db: Database, scope: Scope) -> list[dict]:
    """Each broadcast's messages to people of the viewer's organisations, by their fate."""
    found = await db.fetchall(
        "SELECT b.id, b.kind, b.created_at,"
        " SUM(CASE WHEN x.state = 'sent' THEN 1 ELSE 0 END) AS sent,"
        " SUM(CASE WHEN x.state IN ('failed', 'gone') THEN 1 ELSE 0 END) AS failed,"
        " SUM(CASE WHEN x.state IN ('queued', 'sending') THEN 1 ELSE 0 END) AS pending"
        " FROM broadcasts b JOIN outbox x ON x.broadcast_id = b.id"
        " JOIN people p ON p.id = x.person_id"
        f" WHERE p.org_id IN ({_marks(scope.org_ids)})"
        " GROUP BY b.id, b.kind, b.created_at ORDER BY b.created_at DESC, b.id DESC LIMIT 200",
        scope.org_ids,
    )
    return [
        {"started": _local_day(r["created_at"], scope.timezone).isoformat(), "kind": r["kind"],
         "sent": r["sent"], "failed": r["failed"], "pending": r["pending"]}
        for r in found
    ]  # fmt: skip


def _in_kg(code: str) -> bool:
    found = CATALOG.get(code)
    return found is not None and found.base_unit == "kg"


@panel(
    "rekap", N_("This month's figures"),
    (Column("cooperative", N_("Cooperative")), Column("bought_kg", N_("Bought (kg)"), "number"),
     Column("bought", N_("Bought"), "money"), Column("sold", N_("Sold"), "money"),
     Column("margin", N_("Margin"), "money"), Column("stock", N_("Stock at cost"), "money"),
     Column("owed_farmers", N_("Owed to farmers"), "money"),
     Column("owed_buyers", N_("Owed by buyers"), "money")),
    chart="bars", x="cooperative", y=("bought", "sold"),
)  # fmt: skip
async def rekap(db: Database, scope: Scope) -> list[dict]:
    """This month (in the viewer's zone) per cooperative, the figures /rekap shows (storage.figures)."""
    period = figures.Period.month_of(_local_day(scope.now, scope.timezone), scope.timezone)
    result = []
    for org in await organisations(db, scope.org_ids):
        found = await figures.figures(db, (org.id,), period)
        if not (found.bought or found.sold or found.stock or found.owed_to_farmers.count
                or (found.owed_by_buyers and found.owed_by_buyers.count)):  # fmt: skip
            continue
        result.append({
            "cooperative": org.name,
            "bought_kg": _number(sum((b.quantity for b in found.bought if _in_kg(b.commodity)), Decimal(0))),
            "bought": found.bought_amount,
            "sold": sum(s.amount for s in found.sold or []),
            "margin": sum(m.margin for m in found.margin or []),
            "stock": sum(s.cost for s in found.stock or []),
            "owed_farmers": found.owed_to_farmers.amount,
            "owed_buyers": found.owed_by_buyers.amount if found.owed_by_buyers else 0,
        })  # fmt: skip
    return result


# Panels of later features, each in its own module (imported last: they use the above).
from storage import advances_panel as _advances  # noqa: E402, F401
from storage import cycle_delivery as _cycle_delivery  # noqa: E402, F401
from storage import cycles as _cycles  # noqa: E402, F401
from storage import dashboard_rafaksi as _rafaksi  # noqa: E402, F401
from storage import loans_panel as _loans  # noqa: E402, F401
from storage import monthly_reports as _monthly_reports  # noqa: E402, F401
from storage import network as _network  # noqa: E402, F401
from storage import sales as _sales  # noqa: E402, F401
from storage import stock_panel as _stock  # noqa: E402, F401
from storage import windows as _windows  # noqa: E402, F401
