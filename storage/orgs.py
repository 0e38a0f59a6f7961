"""The organisation tree: confederation > federation > PUK, cooperatives and partner
village cooperatives (KDKMP/KMP) as nodes with a parent."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database, now_utc

KINDS = ("confederation", "federation", "puk", "coop_primary", "coop_secondary", "kdkmp", "kmp")
ROOT_ID = 1


@dataclass(frozen=True)
class Organisation:
    id: int
    parent_id: int | None
    kind: str
    code: str
    name: str
    province: str | None


class OrgError(ValueError):
    pass


async def by_code(db: Database, code: str) -> Organisation | None:
    row = await db.fetchone("SELECT * FROM organisations WHERE code = ?", (code,))
    return Organisation(**{k: row[k] for k in Organisation.__dataclass_fields__}) if row else None


async def by_id(db: Database, org_id: int) -> Organisation | None:
    row = await db.fetchone("SELECT * FROM organisations WHERE id = ?", (org_id,))
    return Organisation(**{k: row[k] for k in Organisation.__dataclass_fields__}) if row else None


async def add(
    db: Database, *, code: str, name: str, kind: str, parent_code: str | None, province: str | None
) -> Organisation:
    if kind not in KINDS:
        raise OrgError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    parent = await by_code(db, parent_code or "pusat")
    if parent is None:
        raise OrgError(f"no organisation with code {parent_code!r}")
    if await by_code(db, code):
        raise OrgError(f"code {code!r} is taken")
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO organisations (parent_id, kind, code, name, province, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (parent.id, kind, code, name, province, now_utc()),
        )
    return await by_code(db, code)


async def tree(db: Database) -> list[tuple[int, Organisation]]:
    """Every node with its depth, parents before children."""
    rows = await db.fetchall(
        "WITH RECURSIVE t(id, depth, path) AS ("
        " SELECT id, 0, printf('%08d', id) FROM organisations WHERE parent_id IS NULL"
        " UNION ALL SELECT o.id, t.depth + 1, t.path || '/' || printf('%08d', o.id)"
        " FROM organisations o JOIN t ON o.parent_id = t.id)"
        " SELECT o.*, t.depth FROM organisations o JOIN t USING (id) ORDER BY t.path"
    )
    return [
        (row["depth"], Organisation(**{k: row[k] for k in Organisation.__dataclass_fields__}))
        for row in rows
    ]


async def for_province(db: Database, province: str) -> int:
    """The node that takes in farmers of a province: the first one covering it, else the root."""
    row = await db.fetchone(
        "SELECT id FROM organisations WHERE province = ? ORDER BY id LIMIT 1", (province,)
    )
    return row["id"] if row else ROOT_ID
