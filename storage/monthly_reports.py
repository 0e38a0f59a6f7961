"""Monthly reports of village cooperatives (issue 18, mentoring): filed by an officer of the
cooperative, append-only (filing a month again adds a version; the highest counts), the
officers reminded until it is filed, and the hub's reads: the card's last report, the
dashboard panel and the network export (streamed a page at a time)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiosqlite

from domain import N_
from domain import monthly_reports as rules
from domain.network import VILLAGE_KINDS
from domain.people import VILLAGE_OFFICERS
from domain.savings import Month
from storage.catalog import Source, fetchall
from storage.dashboard import Column, Scope, _marks, panel
from storage.db import Database, now_utc
from storage.network import _BELOW
from storage.people import audit

_OFFICER_ROLES = tuple(role.value for role in VILLAGE_OFFICERS)


class ReportRefused(Exception):
    """The filer is not an officer of a village cooperative (a forged or stale state)."""


@dataclass(frozen=True)
class Report:
    id: int
    org_id: int
    month: str
    version: int
    members: int
    savings_rupiah: int
    store_sales_rupiah: int
    produce_grams: int
    problems: str
    filed_by: int
    filed_at: int
    filer_name: str = ""

    @property
    def figures(self) -> rules.Figures:
        return rules.Figures(
            self.members, self.savings_rupiah, self.store_sales_rupiah, self.produce_grams
        )


_SELECT = (
    "SELECT r.id, r.org_id, r.month, r.version, r.members, r.savings_rupiah,"
    " r.store_sales_rupiah, r.produce_grams, r.problems, r.filed_by, r.filed_at,"
    " p.full_name AS filer_name FROM monthly_reports r JOIN people p ON p.id = r.filed_by"
)


def _latest(alias: str) -> str:
    """The version that counts: no higher one of the same cooperative and month."""
    return (
        f"NOT EXISTS (SELECT 1 FROM monthly_reports n WHERE n.org_id = {alias}.org_id"
        f" AND n.month = {alias}.month AND n.version > {alias}.version)"
    )


def _report(row) -> Report:
    return Report(**{k: row[k] for k in Report.__dataclass_fields__})


async def file(
    conn: aiosqlite.Connection, person_id: int, month: Month, figures: rules.Figures, problems: str
) -> Report:
    """A use case: the officer's cooperative's report of ``month``, as a new version. The
    cooperative is the officer's own (people.org_id), read here, never from a button."""
    rows = list(await conn.execute_fetchall(
        "SELECT p.org_id FROM people p JOIN organisations o ON o.id = p.org_id"
        f" JOIN person_roles r ON r.person_id = p.id AND r.role IN ({_marks(_OFFICER_ROLES)})"
        f" WHERE p.id = ? AND o.kind IN ({_marks(VILLAGE_KINDS)})",
        (*_OFFICER_ROLES, person_id, *VILLAGE_KINDS),
    ))  # fmt: skip
    if not rows:
        raise ReportRefused
    org_id = rows[0]["org_id"]
    rules.check_rupiah(figures.savings_rupiah)
    rules.check_rupiah(figures.store_sales_rupiah)
    cur = await conn.execute(
        "INSERT INTO monthly_reports (org_id, month, version, members, savings_rupiah,"
        " store_sales_rupiah, produce_grams, problems, filed_by, filed_at)"
        " SELECT ?, ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM monthly_reports"
        " WHERE org_id = ? AND month = ? RETURNING id",
        (org_id, str(month), figures.members, figures.savings_rupiah, figures.store_sales_rupiah,
         figures.produce_grams, problems, person_id, now_utc(), org_id, str(month)),
    )  # fmt: skip
    report_id = (await cur.fetchone())[0]
    await audit(conn, person_id, "report.file", f"monthly_report:{report_id}", month=str(month))
    found = await fetchall(conn, f"{_SELECT} WHERE r.id = ?", (report_id,))
    return _report(found[0])


async def latest(source: Source, org_id: int, month: Month) -> Report | None:
    """The version of ``month`` that counts, or None when none was filed."""
    rows = await fetchall(
        source,
        f"{_SELECT} WHERE r.org_id = ? AND r.month = ? ORDER BY r.version DESC LIMIT 1",
        (org_id, str(month)),
    )
    return _report(rows[0]) if rows else None


async def last_filed(source: Source, org_id: int) -> Report | None:
    """The latest version of the most recent month reported (the /koperasi card's line)."""
    rows = await fetchall(
        source,
        f"{_SELECT} WHERE r.org_id = ? ORDER BY r.month DESC, r.version DESC LIMIT 1",
        (org_id,),
    )
    return _report(rows[0]) if rows else None


async def versions(source: Source, org_id: int, month: Month) -> list[Report]:
    """Every version of ``month``, the first first (the history)."""
    rows = await fetchall(
        source, f"{_SELECT} WHERE r.org_id = ? AND r.month = ? ORDER BY r.version", (org_id, str(month))
    )  # fmt: skip
    return [_report(r) for r in rows]


@dataclass(frozen=True)
class Colleague:
    person_id: int
    chat_id: int
    language: str


async def colleagues(source: Source, org_id: int, but: int) -> list[Colleague]:
    """The cooperative's other officers who can be told (who filed)."""
    rows = await fetchall(
        source,
        "SELECT DISTINCT p.id, p.chat_id, p.language FROM people p"
        " JOIN person_roles r ON r.person_id = p.id"
        f" WHERE p.org_id = ? AND p.id <> ? AND r.role IN ({_marks(_OFFICER_ROLES)})"
        " AND p.chat_id IS NOT NULL AND p.reachable = 1 ORDER BY p.id",
        (org_id, but, *_OFFICER_ROLES),
    )
    return [Colleague(r["id"], r["chat_id"], r["language"]) for r in rows]


# --- reminders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    person_id: int
    chat_id: int
    language: str
    org_id: int
    org_name: str


async def not_filed(source: Source, timezone: str, month: Month, day: str) -> list[Due]:
    """Reachable officers living in ``timezone`` of village cooperatives that have not filed
    ``month``, not reminded on ``day`` yet."""
    rows = await fetchall(
        source,
        "SELECT DISTINCT p.id, p.chat_id, p.language, o.id AS org_id, o.name FROM people p"
        " JOIN person_roles r ON r.person_id = p.id JOIN organisations o ON o.id = p.org_id"
        f" WHERE r.role IN ({_marks(_OFFICER_ROLES)}) AND o.kind IN ({_marks(VILLAGE_KINDS)})"
        " AND p.timezone = ? AND p.chat_id IS NOT NULL AND p.reachable = 1"
        " AND NOT EXISTS (SELECT 1 FROM monthly_reports m WHERE m.org_id = o.id AND m.month = ?)"
        " AND NOT EXISTS (SELECT 1 FROM monthly_report_reminders s WHERE s.person_id = p.id AND s.day = ?)"
        " ORDER BY o.id, p.id",
        (*_OFFICER_ROLES, *VILLAGE_KINDS, timezone, str(month), day),
    )
    return [Due(r["id"], r["chat_id"], r["language"], r["org_id"], r["name"]) for r in rows]


async def claim_reminder(
    conn: aiosqlite.Connection, person_id: int, day: str, org_id: int, month: Month
) -> bool:
    """Mark ``person_id`` reminded on ``day``; False when a process already did."""
    cur = await conn.execute(
        "INSERT INTO monthly_report_reminders (person_id, day, org_id, month, sent_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id, day) DO NOTHING",
        (person_id, day, org_id, str(month), now_utc()),
    )
    return cur.rowcount == 1


# --- the hub's reads --------------------------------------------------------------------------

_VILLAGE = f"o.kind IN ({_marks(VILLAGE_KINDS)}) AND o.village_code IS NOT NULL"
_FIGURES = ("members", "savings_rupiah", "store_sales_rupiah", "produce_grams")
# Cooperatives read per query when the export streams: each page walks the tree below the hub
# again (the recursive CTE), so pages are large (80,000 in 8 queries: 2.3 s, against 5.9 s
# with pages of 2,000), yet a page is a few MB.
EXPORT_PAGE = 10_000


@dataclass(frozen=True)
class NetworkRow:
    org_id: int
    name: str
    village_code: str
    now: Report | None
    before: Report | None


def _side(row, prefix: str) -> Report | None:
    if row[f"{prefix}id"] is None:
        return None
    return Report(
        id=row[f"{prefix}id"], org_id=row["org_id"], month=row[f"{prefix}month"],
        version=row[f"{prefix}version"], members=row[f"{prefix}members"],
        savings_rupiah=row[f"{prefix}savings_rupiah"], store_sales_rupiah=row[f"{prefix}store_sales_rupiah"],
        produce_grams=row[f"{prefix}produce_grams"], problems=row[f"{prefix}problems"],
        filed_by=row[f"{prefix}filed_by"], filed_at=row[f"{prefix}filed_at"],
        filer_name=row[f"{prefix}filer_name"] or "",
    )  # fmt: skip


def _join(alias: str, prefix: str) -> tuple[str, str]:
    """Columns and join of the latest version of a month (the month is a parameter)."""
    cols = ", ".join(
        f"{alias}.{c} AS {prefix}{c}"
        for c in ("id", "month", "version", *_FIGURES, "problems", "filed_by", "filed_at")
    )
    cols += f", {alias}p.full_name AS {prefix}filer_name"
    join = (
        f" LEFT JOIN monthly_reports {alias} ON {alias}.org_id = o.id AND {alias}.month = ?"
        f" AND {_latest(alias)}"
        f" LEFT JOIN people {alias}p ON {alias}p.id = {alias}.filed_by"
    )
    return cols, join


async def network(
    db: Database, root_id: int, month: Month, page: int = EXPORT_PAGE
) -> AsyncIterator[NetworkRow]:
    """Every village cooperative below ``root_id`` by desa code (so by kabupaten), with its
    report of ``month`` and of the month before, read ``page`` cooperatives at a time (keyset
    on the desa code: a hub of 80,000 never sits in memory)."""
    now_cols, now_join = _join("a", "a_")
    before_cols, before_join = _join("b", "b_")
    after = ""
    while True:
        rows = await db.fetchall(
            f"{_BELOW}SELECT o.id AS org_id, o.name, o.village_code, {now_cols}, {before_cols}"
            f" FROM organisations o JOIN below x ON x.id = o.id{now_join}{before_join}"
            f" WHERE {_VILLAGE} AND o.village_code > ? ORDER BY o.village_code LIMIT ?",
            (root_id, str(month), str(month.plus(-1)), *VILLAGE_KINDS, after, page),
        )
        for row in rows:
            yield NetworkRow(
                row["org_id"], row["name"], row["village_code"], _side(row, "a_"), _side(row, "b_")
            )
        if len(rows) < page:
            return
        after = rows[-1]["village_code"]


async def by_regency(source: Source, org_ids: tuple[int, ...], month: Month) -> list[dict]:
    """Per kabupaten of the village cooperatives among ``org_ids``: how many, how many filed
    ``month``, the sums of its figures and of the month before's (the trend)."""
    regency = "SUBSTR(o.village_code, 1, 5)"
    sums = ", ".join(f"SUM(a.{c}) AS {c}, SUM(b.{c}) AS before_{c}" for c in _FIGURES)
    rows = await fetchall(
        source,
        f"SELECT {regency} AS regency, COUNT(*) AS cooperatives, COUNT(a.id) AS filed, {sums}"
        f" FROM organisations o"
        f" LEFT JOIN monthly_reports a ON a.org_id = o.id AND a.month = ? AND {_latest('a')}"
        f" LEFT JOIN monthly_reports b ON b.org_id = o.id AND b.month = ? AND {_latest('b')}"
        f" WHERE o.id IN ({_marks(org_ids)}) AND {_VILLAGE} GROUP BY {regency} ORDER BY {regency}",
        (str(month), str(month.plus(-1)), *org_ids, *VILLAGE_KINDS),
    )
    return [
        {"regency": r["regency"], "cooperatives": int(r["cooperatives"]), "filed": int(r["filed"]),
         **{c: int(r[c] or 0) for c in _FIGURES}, **{f"before_{c}": int(r[f"before_{c}"] or 0) for c in _FIGURES}}
        for r in rows
    ]  # fmt: skip


@panel(
    "monthly_reports", N_("Monthly reports of the village cooperatives"),
    (Column("regency", N_("Regency or city")), Column("filed", N_("Filed"), "number"),
     Column("not_filed", N_("Not filed"), "number"), Column("members", N_("Members"), "number"),
     Column("savings", N_("Savings collected (Rp)"), "money"),
     Column("savings_change", N_("Savings, change (Rp)"), "money"),
     Column("store_sales", N_("Store sales (Rp)"), "money"),
     Column("store_sales_change", N_("Store sales, change (Rp)"), "money"),
     Column("produce_kg", N_("Produce sent to the hub (kg)"), "number")),
    chart="bar", x="regency", y=("filed", "not_filed"),
)  # fmt: skip
async def reports_panel(db: Database, scope: Scope) -> list[dict]:
    """The month reported now (the last one, in the viewer's zone) per kabupaten of the
    viewer's network (scope.org_ids): filed or not, the sums, and the change from the month
    before (the sums of both months, whoever filed them)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from domain import regions

    today = dt.datetime.fromtimestamp(scope.now, ZoneInfo(scope.timezone)).date()
    result = []
    for row in await by_regency(db, scope.org_ids, rules.report_month(today)):
        found = regions.region(row["regency"])
        result.append({
            "regency": found.short_name if found else row["regency"], "filed": row["filed"],
            "not_filed": row["cooperatives"] - row["filed"], "members": row["members"],
            "savings": row["savings_rupiah"],
            "savings_change": row["savings_rupiah"] - row["before_savings_rupiah"],
            "store_sales": row["store_sales_rupiah"],
            "store_sales_change": row["store_sales_rupiah"] - row["before_store_sales_rupiah"],
            "produce_kg": row["produce_grams"] // 1000,
        })  # fmt: skip
    return result
