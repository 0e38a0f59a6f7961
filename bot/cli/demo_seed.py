"""STUB of the demo's seed (lane `seed` writes the real one; the lead replaces this file at the
merge): one administrator, one coordinator covering Kec. Ceper (Klaten) and one farmer in Desa
Kujon, and the cooperative's price of red chilli there, through the storage use cases. Only
the interface matters to ``koperasi-bot demo``: ``DemoPerson``, ``seed_demo``, ``demo_cast``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import regions
from domain.people import Role
from storage import offers, people, prices, registration
from storage.db import Database


@dataclass(frozen=True)
class DemoPerson:
    user_id: int
    first_name: str
    last_name: str
    language: str
    phone: str
    role: str  # "admin" | "treasurer" | "coordinator" | "farmer" | "member"
    org_slug: str
    title: str  # e.g. "Pak Darto, petani, Desa Kujon (Klaten)" shown in the page's switcher


KUJON = "33.10.11.2004"
CAST: tuple[DemoPerson, ...] = (
    DemoPerson(
        9_100_001, "Darto", "Wiyono", "id", "+6281200000001", "farmer", "pusat",
        "Pak Darto, petani, Desa Kujon (Klaten)",
    ),
    DemoPerson(
        9_100_002, "Sari", "Dewi", "id", "+6281200000002", "coordinator", "pusat",
        "Bu Sari, koordinator, Kec. Ceper (Klaten)",
    ),
    DemoPerson(
        9_100_003, "Agus", "Salim", "id", "+6281200000003", "admin", "pusat",
        "Pak Agus, pengurus, Koperasi Merah Putih",
    ),
)  # fmt: skip


async def _staff(conn, person: DemoPerson) -> int:
    person_id = await people.insert_person(
        conn, telegram_user_id=person.user_id, chat_id=person.user_id,
        full_name=f"{person.first_name} {person.last_name}", phone=person.phone,
        language=person.language, timezone=regions.WIB, org_id=1,
    )  # fmt: skip
    await people.add_role(conn, person_id, Role(person.role))
    return person_id


async def seed_demo(db: Database, *, now: datetime) -> tuple[DemoPerson, ...]:
    farmer, coordinator, admin = CAST
    await db.write(_staff, admin)
    coordinator_id = await db.write(_staff, coordinator)
    await db.write(offers.set_coverage, coordinator_id, ("33.10.11",))
    await db.write(
        registration.register_farmer,
        registration.Applicant(
            farmer.user_id, farmer.user_id, farmer.phone, farmer.language,
            f"{farmer.first_name} {farmer.last_name}",
        ),
        KUJON,
    )  # fmt: skip
    await db.write(
        prices.set_price, commodity="cabai_merah", grade="A", area_prefix="33.10",
        price_rupiah=32_000, valid_from=now, source="demo",
    )  # fmt: skip
    return CAST


async def demo_cast(db: Database) -> tuple[DemoPerson, ...]:
    """The cast of a database seeded before (empty if it was not)."""
    found = [p for p in CAST if await people.by_telegram_id(db, p.user_id) is not None]
    return tuple(found)
