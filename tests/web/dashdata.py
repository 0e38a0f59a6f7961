"""Two cooperatives with figures for the dashboard tests, built with the storage use cases.

Cooperative A (Klaten, under a federation) has a weighed receipt not yet paid, members with
savings, one behind on wajib; cooperative B (Bekasi, not under the federation) has its own
receipt. Names people typed carry HTML, so that a page that runs them fails the tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from domain.people import Role
from domain.savings import Month
from storage import offers, orgs, pickups, prices, savings
from storage.db import Database, now_utc
from storage.migrate import migrate
from storage.offers import NewOffer, ProxyFarmer, Shown
from storage.people import add_role, insert_person
from storage.savings_import import import_members
from storage.savings_sheets import MEMBER_COLUMNS, match_header, read_member

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
KUJON = "33.10.11.2004"  # Desa Kujon, Kec. Ceper, Kab. Klaten
SETIA_ASIH = "32.16.01.1007"  # Kab. Bekasi

ADMIN_A, TREASURER_B, FARMER_A, FED_ADMIN, COORDINATOR_A, STRANGER = (
    7001,
    7002,
    7003,
    7004,
    7005,
    7999,
)
EVIL_NAME = '<img src=x onerror="window.pwned=1">'
EVIL_COOP = "Koperasi <script>window.pwned=2</script> Tani"
FORMULA_FARMER = '=HYPERLINK("http://x","klik")'
FARMER_A_NAME = "Pak Darto"
FARMER_B_NAME = "Bu Sumarni"


@dataclass(frozen=True)
class Seeded:
    fed_id: int
    a_id: int
    b_id: int


async def _person(db, user_id, name, org_code, roles, language="id") -> int:
    org = await orgs.by_code(db, org_code)

    async def add(conn):
        person_id = await insert_person(
            conn, telegram_user_id=user_id, chat_id=user_id, full_name=name,
            phone=f"+62812{user_id:07d}", language=language, timezone="Asia/Jakarta", org_id=org.id,
        )  # fmt: skip
        for role in roles:
            await add_role(conn, person_id, role)
        return person_id

    return await db.write(add)


async def _receipt(db, coordinator_id, farmer: ProxyFarmer, kg: int) -> None:
    roles = frozenset({Role.COORDINATOR})
    await db.write(offers.set_coverage, coordinator_id, (farmer.village_code[:5],))
    price = await prices.price_in_force(db, "gabah", "GKP", farmer.village_code, now_utc())
    today = dt.date.today()
    new = NewOffer(commodity="gabah", grade="GKP", quantity=Decimal(kg), typed_amount=Decimal(kg),
                   typed_unit="kg", ready_on=today)  # fmt: skip
    offer, _ = await db.write(offers.create_for, coordinator_id, farmer, new, Shown(price.id, ()))
    await db.write(pickups.schedule, offer.id, coordinator_id, roles, today, (6, 9))
    await db.write(pickups.record, offer.id, coordinator_id, roles, "GKP", Decimal(kg))


async def seed(db: Database) -> Seeded:
    await migrate(db)
    await db.write(
        orgs.add, code="fed", name="Federasi Serikat Tani", kind="federation", parent_code=None
    )
    await db.write(orgs.add, code="kop-a", name=EVIL_COOP, kind="coop_primary", parent_code="fed",
                   covers=("33.10",))  # fmt: skip
    await db.write(orgs.add, code="kop-b", name="Koperasi Buruh Bekasi", kind="coop_primary",
                   parent_code=None, covers=("32.16",))  # fmt: skip
    fed, a, b = [await orgs.by_code(db, c) for c in ("fed", "kop-a", "kop-b")]
    await _person(db, ADMIN_A, EVIL_NAME, "kop-a", [Role.ADMIN])
    coordinator_a = await _person(db, COORDINATOR_A, "Mas Joko", "kop-a", [Role.COORDINATOR])
    treasurer_b = await _person(
        db, TREASURER_B, "Bu Wati", "kop-b", [Role.TREASURER, Role.COORDINATOR], "en"
    )
    await _person(db, FARMER_A, "Pak Karyo", "kop-a", [Role.FARMER, Role.MEMBER])
    await _person(db, FED_ADMIN, "Pak Sutrisno", "fed", [Role.ADMIN])
    start = now_utc() - 30 * 86400
    await db.write(prices.set_price, commodity="gabah", grade="GKP", area_prefix="", price_rupiah=6800,
                   valid_from=start)  # fmt: skip
    await _receipt(db, coordinator_a, ProxyFarmer(FARMER_A_NAME, "+6281299990001", KUJON), 100)
    await _receipt(db, coordinator_a, ProxyFarmer(FORMULA_FARMER, "+6281299990002", KUJON), 50)
    await _receipt(db, treasurer_b, ProxyFarmer(FARMER_B_NAME, "+6281299990003", SETIA_ASIH), 40)
    # Members of A: one paid up in wajib, one behind since joining.
    this_month = Month.of(dt.date.today())
    await db.write(savings.set_rate, a.id, Month(2025, 1), pokok=100_000, wajib=25_000)
    header = ["No Anggota", "Nama", "HP", "Koperasi", "Tanggal Masuk", "Pokok", "Wajib", "Sukarela"]
    layout, _ = match_header(header, MEMBER_COLUMNS)
    joined = dt.date(this_month.year, this_month.month, 1) - dt.timedelta(days=70)
    sheet = [
        ["A-1", "Sri Wahyuni", "0813-1111-0001", "kop-a", joined.isoformat(), "100.000", "75.000", "250.000"],
        ["A-2", "Budi Santoso", "0813-1111-0002", "kop-a", joined.isoformat(), "100.000", "", ""],
    ]  # fmt: skip
    rows = []
    for number, values in enumerate(sheet, start=2):
        row, wrong = read_member(
            number, values, layout, default_cooperative=None, today=dt.date.today()
        )
        assert not wrong, wrong
        rows.append(row)
    await db.write(import_members, rows, [], layout, "anggota.csv")
    return Seeded(fed.id, a.id, b.id)
