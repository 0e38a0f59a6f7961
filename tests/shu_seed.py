"""A small cooperative's year 2026, for the SHU tests: four members on the root cooperative's
roster (Ani, Budi, Citra, Dewi), a farmer who is not a member (Pak Tono), loans' jasa, produce
bought, goods taken on payroll, sales, a loss, entries just outside the year and a reversal.
The expected SHU is worked out by hand in tests/storage/test_shu.py."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from domain import ledger as L
from domain import shu as rules
from domain.ledger import SavingsKind
from domain.people import Role
from storage import ledger, roster
from storage import shu as stored
from storage.db import clock_at
from storage.people import add_role, insert_person

WIB = ZoneInfo("Asia/Jakarta")
BYLAWS = rules.Rules(
    4_000, 2_000, 2_000, (("pengurus", 1_000), ("karyawan", 500), ("pendidikan", 500))
)


def wib(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> int:
    return int(dt.datetime(year, month, day, hour, minute, tzinfo=WIB).timestamp())


async def person(db, n: int, name: str, roles=(Role.MEMBER,), org_id: int = 1) -> int:
    async def make(conn):
        person_id = await insert_person(
            conn, telegram_user_id=700 + n, chat_id=700 + n, full_name=name,
            phone=f"+62813555000{n:02d}", language="id", timezone="Asia/Jakarta", org_id=org_id,
        )  # fmt: skip
        for role in roles:
            await add_role(conn, person_id, role)
        return person_id

    return await db.write(make)


async def post(db, at: int, lines, reference: str | None = None, reason: str = "seed"):
    with clock_at(at):
        return await db.write(ledger.post, lines, None, reason, reference)


async def _members(db) -> dict[str, int]:
    """Roster ids by first name; Ani and Budi are registered (Ani also sells produce)."""
    ids = {}
    for n, name in enumerate(("Ani", "Budi", "Citra", "Dewi"), start=1):
        await db.write(roster.add, org_id=1, member_number=f"K-{n}", full_name=name,
                       phone=f"+62813444000{n:02d}")  # fmt: skip
        row = await db.fetchone("SELECT id FROM roster WHERE member_number = ?", (f"K-{n}",))
        ids[name] = row["id"]
    for n, name in ((1, "Ani"), (2, "Budi")):
        person_id = await person(db, n, name)

        async def link(conn, person_id=person_id, name=name):
            await conn.execute(
                "UPDATE roster SET person_id = ? WHERE id = ?", (person_id, ids[name])
            )

        await db.write(link)
        ids[f"{name}:person"] = person_id
    return ids


async def _loan(db, roster_id: int, person_id: int) -> int:
    async def make(conn):
        cur = await conn.execute(
            "INSERT INTO loan_products (org_id, code, version, name, max_amount, max_tenor,"
            " rate_bp, method, max_share_bp, set_at) VALUES (1, ?, 1, 'Umum', 10000000, 12,"
            " 100, 'flat', 3000, 0) RETURNING id",
            (f"u{roster_id}",),
        )
        product_id = (await cur.fetchone())[0]
        cur = await conn.execute(
            "INSERT INTO loans (org_id, roster_id, person_id, product_id, amount_rupiah,"
            " tenor_months, rate_bp, method, fee_rupiah, purpose, status, applied_at)"
            " VALUES (1, ?, ?, ?, 5000000, 12, 100, 'flat', 0, 'sekolah', 'disbursed', 0)"
            " RETURNING id",
            (roster_id, person_id, product_id),
        )
        return (await cur.fetchone())[0]

    return await db.write(make)


def _save(roster_id: int, kind: SavingsKind, amount: int):
    return [L.debit(L.cash(1), amount), L.credit(L.member_savings(roster_id, kind), amount)]


def _income(account: str, amount: int):
    return [L.debit(L.cash(1), amount), L.credit(account, amount)]


async def seed_year(db) -> dict[str, int]:
    ids = await _members(db)
    ani, budi, citra, dewi = (ids[n] for n in ("Ani", "Budi", "Citra", "Dewi"))
    tono = await person(db, 9, "Pak Tono", (Role.FARMER,))
    # before the year: pokok of three members (and a sale that is not 2026's)
    for member in (ani, budi, citra):
        await post(db, wib(2025, 12, 15), _save(member, SavingsKind.POKOK, 100_000))
    await post(db, wib(2025, 12, 20), _income(L.sales(1), 999_000))
    # savings in the year: Ani's wajib monthly, Budi's in one lump in July, Citra's sukarela
    # (left out of jasa modal), Dewi's pokok an hour before the year ends (one month-end)
    for month in range(1, 13):
        await post(db, wib(2026, month, 10), _save(ani, SavingsKind.WAJIB, 50_000))
    await post(db, wib(2026, 7, 1, 9), _save(budi, SavingsKind.WAJIB, 600_000))
    await post(db, wib(2026, 3, 3), _save(citra, SavingsKind.SUKARELA, 1_000_000))
    await post(db, wib(2026, 12, 31, 23), _save(dewi, SavingsKind.POKOK, 100_000))
    # jasa on loans: Ani Rp200.000, Budi Rp100.000 (and Rp30.000 posted by mistake, reversed)
    ani_loan = await _loan(db, ani, ids["Ani:person"])
    budi_loan = await _loan(db, budi, ids["Budi:person"])
    await post(db, wib(2026, 4, 25), _income(L.loan_interest(1), 120_000), f"loan:{ani_loan}:i:4")
    await post(db, wib(2026, 5, 25), _income(L.loan_interest(1), 80_000), f"loan:{ani_loan}:i:5")
    await post(db, wib(2026, 5, 25), _income(L.loan_interest(1), 100_000), f"loan:{budi_loan}:i:5")
    wrong = await post(
        db, wib(2026, 6, 25), _income(L.loan_interest(1), 30_000), f"loan:{budi_loan}:i:6"
    )
    with clock_at(wib(2026, 6, 26)):
        await db.write(ledger.reverse, wrong.id, None, "posted twice")
    await post(db, wib(2026, 2, 1), _income(L.loan_fees(1), 50_000))
    # produce bought: from Ani (a member) Rp1.200.000, from Pak Tono Rp800.000 less a
    # Rp20.000 transport charge; both paid
    await post(db, wib(2026, 8, 5), [L.debit(L.purchases(1), 1_200_000),
               L.credit(L.farmer_payable(ids["Ani:person"]), 1_200_000)], "offer:1:owed")  # fmt: skip
    await post(db, wib(2026, 8, 6), [L.debit(L.purchases(1), 800_000), L.credit(L.fees(1), 20_000),
               L.credit(L.farmer_payable(tono), 780_000)], "offer:2:owed")  # fmt: skip
    await post(db, wib(2026, 8, 7), [L.debit(L.farmer_payable(ids["Ani:person"]), 1_200_000),
               L.credit(L.cash(1), 1_200_000)], "offer:1:paid")  # fmt: skip
    await post(db, wib(2026, 8, 7), [L.debit(L.farmer_payable(tono), 780_000),
               L.credit(L.cash(1), 780_000)], "offer:2:paid")  # fmt: skip
    # sales Rp3.000.000; Citra takes goods for Rp400.000 on payroll, repaid in December
    await post(db, wib(2026, 9, 9), _income(L.sales(1), 3_000_000))
    await post(db, wib(2026, 10, 1), [L.debit(L.member_receivable(citra), 400_000),
               L.credit(L.sales(1), 400_000)])  # fmt: skip
    await post(db, wib(2026, 12, 1), [L.debit(L.cash(1), 400_000),
               L.credit(L.member_receivable(citra), 400_000)])  # fmt: skip
    # a loss, and a sale just after the year (1 January 2027, 00.30 WIB)
    await post(db, wib(2026, 11, 11), [L.debit(L.losses(1), 100_000), L.credit(L.cash(1), 100_000)])
    await post(db, wib(2027, 1, 1, 0, 30), _income(L.sales(1), 777))
    await db.write(stored.set_rules, 1, BYLAWS, dt.date(2026, 1, 1))
    ids["tono"] = tono
    return ids
