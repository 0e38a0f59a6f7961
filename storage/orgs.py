"""The organisation tree: confederation > federation > PUK, cooperatives and partner
village cooperatives (KDKMP/KMP) as nodes with a parent."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from domain import network, regions
from storage.catalog import Source, fetchall
from storage.db import Database, now_utc

KINDS = ("confederation", "federation", "puk", "coop_primary", "coop_secondary", "kdkmp", "kmp")
VILLAGE_KINDS = network.VILLAGE_KINDS  # a village cooperative: serves one desa (village_code)
ROOT_ID = 1


@dataclass(frozen=True)
class Organisation:
    id: int
    parent_id: int | None
    kind: str
    code: str
    name: str
    address: str | None = None
    village_code: str | None = None  # a village cooperative's desa (one per desa)


class OrgError(ValueError):
    pass


async def by_code(db: Database, code: str) -> Organisation | None:
    row = await db.fetchone("SELECT * FROM organisations WHERE code = ?", (code,))
    return Organisation(**{k: row[k] for k in Organisation.__dataclass_fields__}) if row else None


async def by_id(db: Database, org_id: int) -> Organisation | None:
    row = await db.fetchone("SELECT * FROM organisations WHERE id = ?", (org_id,))
    return Organisation(**{k: row[k] for k in Organisation.__dataclass_fields__}) if row else None


async def add(
    conn: aiosqlite.Connection,
    *,
    code: str,
    name: str,
    kind: str,
    parent_code: str | None,
    covers: tuple[str, ...] = (),
    village: str | None = None,
) -> int:
    """A new node under ``parent_code`` covering the given village-code prefixes; a village
    cooperative (kdkmp/kmp) with ``village`` serves that desa, which it covers too, and no
    other cooperative may serve the same desa."""
    if kind not in KINDS:
        raise OrgError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    if village is not None:
        place = regions.region(village)
        if kind not in VILLAGE_KINDS:
            raise OrgError(f"only a village cooperative ({', '.join(VILLAGE_KINDS)}) has a village")
        if place is None or place.level != regions.VILLAGE:
            raise OrgError(f"not a village code: {village!r} (e.g. 33.10.11.2004)")
        async with conn.execute(
            "SELECT code FROM organisations WHERE village_code = ?", (village,)
        ) as cur:
            other = await cur.fetchone()
        if other is not None:
            raise OrgError(
                f"village {village} ({place.name}) already has a cooperative: {other['code']}"
            )
        if not any(regions.within(village, prefix) for prefix in covers):
            covers = (*covers, village)  # it covers its desa (unless a wider prefix does)
    async with conn.execute(
        "SELECT id FROM organisations WHERE code = ?", (parent_code or "pusat",)
    ) as cur:
        parent = await cur.fetchone()
    if parent is None:
        raise OrgError(f"no organisation with code {parent_code!r}")
    async with conn.execute("SELECT 1 FROM organisations WHERE code = ?", (code,)) as cur:
        if await cur.fetchone():
            raise OrgError(f"code {code!r} is taken")
    cur = await conn.execute(
        "INSERT INTO organisations (parent_id, kind, code, name, village_code, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (parent["id"], kind, code, name, village, now_utc()),
    )
    org_id = (await cur.fetchone())[0]
    await conn.executemany(
        "INSERT INTO org_coverage (org_id, prefix) VALUES (?, ?)",
        [(org_id, p) for p in covers],
    )
    return org_id


async def set_address(conn: aiosqlite.Connection, code: str, address: str | None) -> bool:
    """The cooperative's postal address (None clears it); False when there is no such code."""
    cur = await conn.execute(
        "UPDATE organisations SET address = ? WHERE code = ?", (address or None, code)
    )
    return cur.rowcount == 1


async def set_name(conn: aiosqlite.Connection, code: str, name: str) -> bool:
    """The node's name as people read it (the root's is set at installation); False when
    there is no such code."""
    name = " ".join(name.split())
    if not name:
        raise OrgError("a name cannot be empty")
    cur = await conn.execute("UPDATE organisations SET name = ? WHERE code = ?", (name, code))
    return cur.rowcount == 1


async def coverage(db: Database, org_id: int) -> list[str]:
    rows = await db.fetchall(
        "SELECT prefix FROM org_coverage WHERE org_id = ? ORDER BY prefix", (org_id,)
    )
    return [row["prefix"] for row in rows]


async def below(source: Source, org_id: int) -> tuple[int, ...]:
    """The organisation and every node below it, by id: what its officers may see."""
    rows = await fetchall(
        source,
        "WITH RECURSIVE below(id) AS (SELECT CAST(? AS BIGINT)"
        " UNION SELECT o.id FROM organisations o JOIN below b ON o.parent_id = b.id)"
        " SELECT id FROM below ORDER BY id",
        (org_id,),
    )
    return tuple(row["id"] for row in rows)


async def tree(db: Database) -> list[tuple[int, Organisation]]:
    """Every node with its depth, parents before children."""
    rows = await db.fetchall(
        "WITH RECURSIVE t(id, depth, path) AS ("
        # Paths of fixed-width numbers sort parents before children (100000000 + id: nine
        # digits in both databases' CAST, where printf / lpad are one database's only).
        " SELECT id, 0, CAST(100000000 + id AS TEXT) FROM organisations WHERE parent_id IS NULL"
        " UNION ALL SELECT o.id, t.depth + 1, t.path || '/' || CAST(100000000 + o.id AS TEXT)"
        " FROM organisations o JOIN t ON o.parent_id = t.id)"
        " SELECT o.*, t.depth FROM organisations o JOIN t USING (id) ORDER BY t.path"
    )
    return [
        (row["depth"], Organisation(**{k: row[k] for k in Organisation.__dataclass_fields__}))
        for row in rows
    ]


async def for_village(source: Source, village_code: str) -> int:
    """The node that takes in a village's farmers: the one with the most specific covering
    prefix (``33.10.11`` before ``33``), else the root."""
    rows = await fetchall(
        source,
        "SELECT org_id FROM org_coverage WHERE prefix = ? OR ? LIKE prefix || '.%'"
        " ORDER BY LENGTH(prefix) DESC, org_id LIMIT 1",
        (village_code, village_code),
    )
    return rows[0]["org_id"] if rows else ROOT_ID


async def backfill_coverage(db: Database) -> int:
    """Nodes made before coverage prefixes named a province by text: give them its code."""
    rows = await db.fetchall(
        "SELECT id, province FROM organisations o WHERE province IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM org_coverage c WHERE c.org_id = o.id)"
    )
    found = [(row["id"], regions.exact_match(row["province"], regions.PROVINCE)) for row in rows]
    found = [(org_id, province.code) for org_id, province in found if province]
    if found:
        async with db.transaction(bookkeeping=True) as conn:
            await conn.executemany("INSERT INTO org_coverage (org_id, prefix) VALUES (?, ?)", found)
    return len(found)
