"""The hub's network read for /koperasi and the dashboard: the village cooperatives below an
organisation, counted per kabupaten, a kabupaten's page of them, and their officers. Every
query takes the viewer's organisation and walks the tree below it in SQL (a hub may have
tens of thousands of cooperatives: no list of ids travels as parameters)."""

from __future__ import annotations

from dataclasses import dataclass

from domain import N_, regions
from domain.network import CARD_ROLES, PAGE_SIZE, VILLAGE_KINDS
from domain.people import Role
from storage.catalog import Source, fetchall
from storage.dashboard import Column, Scope, _marks, panel
from storage.db import Database
from storage.orgs import Organisation

# The organisation and every node below it (storage.orgs.below as a CTE to join on).
_BELOW = (
    "WITH RECURSIVE below(id) AS (SELECT CAST(? AS BIGINT)"
    " UNION SELECT o.id FROM organisations o JOIN below b ON o.parent_id = b.id) "
)
_VILLAGE = f"o.kind IN ({_marks(VILLAGE_KINDS)}) AND o.village_code IS NOT NULL"
# SUBSTR(…, 1, 5) is the kabupaten: codes are fixed width (33.10.11.2004).
_REGENCY = "SUBSTR(o.village_code, 1, 5)"


@dataclass(frozen=True)
class Officer:
    org_id: int
    full_name: str
    role: Role
    phone: str | None


@dataclass(frozen=True)
class Cooperative:
    org: Organisation
    officers: tuple[Officer, ...]


def _org(row) -> Organisation:
    return Organisation(**{k: row[k] for k in Organisation.__dataclass_fields__})


async def regencies(source: Source, root_id: int) -> list[tuple[str, int]]:
    """(kabupaten code, number of village cooperatives) below ``root_id``, by code."""
    rows = await fetchall(
        source,
        f"{_BELOW}SELECT {_REGENCY} AS regency, COUNT(*) AS n FROM organisations o"
        f" JOIN below b ON b.id = o.id WHERE {_VILLAGE} GROUP BY {_REGENCY} ORDER BY {_REGENCY}",
        (root_id, *VILLAGE_KINDS),
    )
    return [(row["regency"], row["n"]) for row in rows]


async def in_regency(
    source: Source, root_id: int, regency: str, page: int, size: int = PAGE_SIZE
) -> list[Cooperative]:
    """One page of the village cooperatives of a kabupaten below ``root_id``, by desa code,
    each with its officers."""
    rows = await fetchall(
        source,
        f"{_BELOW}SELECT o.* FROM organisations o JOIN below b ON b.id = o.id"
        f" WHERE {_VILLAGE} AND o.village_code LIKE ? ORDER BY o.village_code LIMIT ? OFFSET ?",
        (root_id, *VILLAGE_KINDS, regency + ".%", size, page * size),
    )
    found = [_org(row) for row in rows]
    officers = await officers_of(source, tuple(org.id for org in found))
    return [Cooperative(org, tuple(officers.get(org.id, ()))) for org in found]


async def visible(source: Source, root_id: int, org_id: int) -> Cooperative | None:
    """The village cooperative ``org_id`` if it lies below ``root_id`` (or is it), else None:
    what a forged button naming another network's cooperative meets."""
    rows = await fetchall(
        source,
        f"{_BELOW}SELECT o.* FROM organisations o JOIN below b ON b.id = o.id"
        f" WHERE o.id = ? AND o.kind IN ({_marks(VILLAGE_KINDS)})",
        (root_id, org_id, *VILLAGE_KINDS),
    )
    if not rows:
        return None
    org = _org(rows[0])
    return Cooperative(org, tuple((await officers_of(source, (org.id,))).get(org.id, ())))


async def officers_of(source: Source, org_ids: tuple[int, ...]) -> dict[int, list[Officer]]:
    """The officers (ketua, bendahara, pengelola gerai, pengurus) of each organisation, in
    that order, then by name."""
    if not org_ids:
        return {}
    order = " ".join(f"WHEN '{role.value}' THEN {n}" for n, role in enumerate(CARD_ROLES))
    rows = await fetchall(
        source,
        "SELECT p.org_id, p.full_name, p.phone, r.role FROM people p"
        " JOIN person_roles r ON r.person_id = p.id"
        f" WHERE p.org_id IN ({_marks(org_ids)}) AND r.role IN ({_marks(CARD_ROLES)})"
        f" ORDER BY p.org_id, CASE r.role {order} END, p.full_name, p.id",
        (*org_ids, *(role.value for role in CARD_ROLES)),
    )
    found: dict[int, list[Officer]] = {}
    for row in rows:
        found.setdefault(row["org_id"], []).append(
            Officer(row["org_id"], row["full_name"], Role(row["role"]), row["phone"])
        )
    return found


# --- the dashboard --------------------------------------------------------------------------


@panel(
    "network", N_("Village cooperatives in the network"),
    (Column("regency", N_("Regency or city")), Column("cooperatives", N_("Cooperatives"), "number"),
     Column("officers", N_("Officers"), "number")),
    chart="bar", x="regency", y=("cooperatives",),
)  # fmt: skip
async def network_panel(db: Database, scope: Scope) -> list[dict]:
    """Per kabupaten of the viewer's network: its village cooperatives and their officers
    (people holding ketua, bendahara, pengelola gerai or pengurus there)."""
    marks = _marks(scope.org_ids)
    rows = await db.fetchall(
        f"SELECT {_REGENCY} AS regency, COUNT(DISTINCT o.id) AS cooperatives,"
        " COUNT(DISTINCT r.person_id) AS officers FROM organisations o"
        " LEFT JOIN people p ON p.org_id = o.id"
        f" LEFT JOIN person_roles r ON r.person_id = p.id AND r.role IN ({_marks(CARD_ROLES)})"
        f" WHERE o.id IN ({marks}) AND {_VILLAGE} GROUP BY {_REGENCY} ORDER BY {_REGENCY}",
        (*(role.value for role in CARD_ROLES), *scope.org_ids, *VILLAGE_KINDS),
    )
    result = []
    for row in rows:
        found = regions.region(row["regency"])
        result.append({
            "regency": found.short_name if found else row["regency"],
            "cooperatives": row["cooperatives"], "officers": row["officers"],
        })  # fmt: skip
    return result
