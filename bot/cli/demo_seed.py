"""The demo's people and their history: ``koperasi-bot demo`` seeds a fresh database with
:func:`seed_demo` so that every feature has something to show on first sight.

Everything is written by the bot's own use cases (registration by invite, by village, by
roster; the price board; offers, pickups, weighings, payments; payroll batches and the
treasurer's desk; the price digest through the outbox), each run at a moment of the last
year through :func:`storage.db.clock_at`: the rows, the audit log and the ledger's hash
chain are what the bot itself would have written, had these people used it for a year.

What there is (``now`` is when the demo starts; a fixed random seed, so every run is alike):

* the root organisation renamed *Federasi Koperasi Serikat Pekerja*, with its administrator;
* a union cooperative in Bekasi (Kab. 32.16 and Kota 32.75, with its address): an
  administrator, two treasurers (maker–checker), twelve members on its roster since up to
  twelve months, six of them on Telegram; pokok once, wajib by monthly payroll batches (three
  members behind by 1–3 months), sukarela at the desk and one approved withdrawal;
* a village cooperative in Klaten (Desa Kujon, buying in Kec. Ceper, 33.10.11) with an
  administrator, a ketua, a treasurer (bendahara), a coordinator covering Kujon, Pokak and
  Kurung, and five farmers there (one speaks English); a second village cooperative in
  Desa Jombong (Kab. Boyolali) with its ketua: the hub's network in /koperasi; Kujon filed
  last month's report (/laporan), Jombong not yet; one announcement of the federation to
  their officers (/umumkan), read by Kujon's ketua;
* buying prices per grade for gabah, jagung and cabai merah beside HPP and the market price,
  a new version each week for 14 weeks; a transport deduction for gabah; the government's
  rafaksi table for gabah adopted by the Klaten cooperative three weeks ago (its gabah
  weighings since carry kadar air, hampa/kotoran and the cut);
* six weeks of purchases (weighed, most paid, the last ones still owed; one entered by the
  coordinator for a farmer without Telegram), an offer nobody
  has taken yet, a pickup scheduled for tomorrow, and yesterday's price digest delivered;
* two buyers of the Klaten cooperative: Bulog's sale of dried gabah delivered (a little
  rejected, the rest cut by Bulog's kadar air and hampa/kotoran) and invoiced, the SPPG kitchen's sale still to deliver.
* a buying window opened three days ago: 10 ton of gabah GKP from Kec. Ceper for ten days
  more, the offers made since counting toward it.
* an input advance of pupuk to Wulan approved last week (maker–checker): her last harvest
  repaid part of it, the rest is still owed.
* the Bekasi cooperative's loan product *Pinjaman Umum* (the take-home pay of its members came
  with the roster) and Siti's loan application waiting for two officers (/cairkan, /pinjam).
* an open order cycle of the hub (the federation, parent of both village cooperatives):
  sembako and pupuk from two suppliers, closing in five days at 17.00 WIB; Kujon's ketua
  ordered yesterday, Jombong has not yet (/pesan, the dashboard's cycles panel).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from domain import loans as loan_rules
from domain import regions
from domain import stock as stock_rules
from domain.advances import What
from domain.broadcasts import digest_key
from domain.ledger import SavingsKind
from domain.people import Role
from domain.pickups import DeductionKind
from domain.savings import Month
from domain.windows import deadline_of
from storage import (
    advances,
    cycles,
    deductions,
    invites,
    ledger,
    loans,
    offers,
    orgs,
    outbox,
    people,
    pickups,
    prices,
    rafaksi,
    registration,
    sales,
    savings,
    savings_desk,
    savings_import,
    savings_sheets,
    stock,
    windows,
)
from storage.db import Database, clock_at
from storage.registration import Applicant

SEED = 15_2026  # the random walk of prices and weights: the same demo every time
FIRST_USER_ID = 7_000_001
WIB = ZoneInfo(regions.WIB)

ROOT = "pusat"
FEDERATION_NAME = "Federasi Koperasi Serikat Pekerja"
BEKASI = "kopkar-bekasi"
BEKASI_NAME = "Koperasi Karyawan Sejahtera Bekasi"
BEKASI_ADDRESS = "Jl. Industri Selatan 5 No. 17, Cikarang Selatan, Kab. Bekasi 17550"
KLATEN = "kdkmp-kujon"
KLATEN_NAME = "Koperasi Desa Merah Putih Kujon"
KLATEN_ADDRESS = "Jl. Raya Ceper–Klaten Km 3, Kujon, Ceper, Klaten 57465"
ADVANCE_GOODS, ADVANCE_RP = "Urea 4 sak, NPK Phonska 2 sak", 5_000_000  # Wulan's pupuk
CEPER = "33.10.11"  # Kec. Ceper, Kab. Klaten: the village cooperative buys here
KUJON, POKAK, KURUNG = "33.10.11.2004", "33.10.11.2005", "33.10.11.2013"
KLATEN_REGENCY = "33.10"
# A second village cooperative of the hub's network, in another kabupaten (/koperasi).
CEPOGO = "kdkmp-jombong"
CEPOGO_NAME = "Koperasi Desa Merah Putih Jombong"
JOMBONG = "33.09.03.2002"  # Desa Jombong, Kec. Cepogo, Kab. Boyolali

POKOK, WAJIB = 100_000, 50_000


@dataclass(frozen=True)
class DemoPerson:
    user_id: int
    first_name: str
    last_name: str
    language: str
    phone: str
    role: str  # "admin" | "treasurer" | "coordinator" | "farmer" | "member"
    org_slug: str
    title: str  # e.g. "Pak Darto — petani, Desa Kujon, Klaten": the page's switcher

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def _person(n: int, first: str, last: str, phone: str, role: str, org: str, title: str,
            language: str = "id") -> DemoPerson:  # fmt: skip
    return DemoPerson(FIRST_USER_ID + n, first, last, language, phone, role, org, title)


# The cast, in the order the page's switcher lists them. Phones are fictitious (E.164, as the
# bot stores them); villages are real Kemendagri codes.
CAST: tuple[DemoPerson, ...] = (
    _person(0, "Retno", "Wulandari", "+6281311040001", "admin", ROOT,
            "Bu Retno — pengurus, Federasi (pusat; /koperasi, /umumkan)"),
    _person(1, "Agus", "Setiawan", "+6281298110002", "admin", BEKASI,
            "Pak Agus — pengurus, Koperasi Karyawan Bekasi"),
    _person(2, "Dewi", "Lestari", "+6281298110003", "treasurer", BEKASI,
            "Bu Dewi — bendahara, Koperasi Karyawan Bekasi (/cairkan)"),
    _person(3, "Ujang", "Supriatna", "+6285711220004", "treasurer", BEKASI,
            "Pak Ujang — bendahara kedua, Koperasi Karyawan Bekasi"),
    _person(4, "Siti", "Rahmawati", "+6281380330005", "member", BEKASI,
            "Bu Siti — anggota koperasi, Bekasi (/pinjam: permohonan KP-0001)"),
    _person(5, "Dedi", "Kurniawan", "+6281380330006", "member", BEKASI,
            "Pak Dedi — anggota koperasi, Bekasi (wajib tertunggak 2 bulan)"),
    _person(6, "Neneng", "Hasanah", "+6289611440007", "member", BEKASI,
            "Bu Neneng — anggota koperasi, Bekasi (wajib tertunggak 1 bulan)"),
    _person(7, "Eko", "Prasetyo", "+6281380330008", "member", BEKASI,
            "Pak Eko — anggota koperasi, Bekasi (baru 5 bulan)"),
    _person(8, "Bambang", "Sutrisno", "+6281225550009", "admin", KLATEN,
            "Pak Bambang — pengurus, KDKMP Kujon, Klaten"),
    _person(9, "Joko", "Susilo", "+6281225550010", "coordinator", KLATEN,
            "Mas Joko — koordinator, Kujon, Pokak, Kurung (Klaten)"),
    _person(10, "Sudarto", "", "+6282136660011", "farmer", KLATEN,
            "Pak Darto — petani, Desa Kujon, Klaten"),
    _person(11, "Sumiyati", "", "+6282136660012", "farmer", KLATEN,
            "Bu Sumiyati — petani, Desa Pokak, Klaten"),
    _person(12, "Slamet", "Riyadi", "+6285290770013", "farmer", KLATEN,
            "Pak Slamet — petani, Desa Kurung, Klaten"),
    _person(13, "Wulan", "Sari", "+6285290770014", "farmer", KLATEN,
            "Mbak Wulan — petani, Desa Kujon, Klaten (English)", language="en"),
    _person(14, "Paijo", "Wiyono", "+6282136660015", "farmer", KLATEN,
            "Pak Paijo — petani, Desa Pokak, Klaten"),
    _person(15, "Tri", "Handayani", "+6281225550016", "treasurer", KLATEN,
            "Bu Tri — bendahara, KDKMP Kujon, Klaten (bayar petani)"),
    _person(16, "Sri", "Mulyani", "+6281225550017", "keeper", KLATEN,
            "Bu Sri — penjaga gudang, Gudang Kujon, Klaten (/gudang)"),
    _person(17, "Harjono", "Wibowo", "+6281225550018", "chair", KLATEN,
            "Pak Harjono — ketua, KDKMP Kujon, Klaten (/koperasi, /laporan)"),
    _person(18, "Sumarni", "", "+6285640880019", "chair", CEPOGO,
            "Bu Sumarni — ketua, KDKMP Jombong, Boyolali (/laporan belum dikirim)"),
)  # fmt: skip

# Who does what, by their place in CAST.
FEDERATION_ADMIN, BEKASI_ADMIN, TREASURER, CHECKER = 0, 1, 2, 3  # CHECKER: the second treasurer
SITI, DEDI, NENENG, EKO = 4, 5, 6, 7
KLATEN_ADMIN, COORDINATOR = 8, 9
DARTO, SUMIYATI, SLAMET, WULAN, PAIJO = 10, 11, 12, 13, 14
KLATEN_TREASURER = 15  # pays the farmers what is still owed (/jemput)
KEEPER = 16  # keeps the Gudang Kujon: gabah brought in, part of it dried (/gudang)
KLATEN_CHAIR, CEPOGO_CHAIR = 17, 18  # ketua of the two village cooperatives (/koperasi)
WAREHOUSE_NAME = "Gudang Kujon"
FARMER_VILLAGE = {DARTO: KUJON, SUMIYATI: POKAK, SLAMET: KURUNG, WULAN: KUJON, PAIJO: POKAK}
COORDINATOR_COVERS = (KUJON, POKAK, KURUNG)
# Mas Joko enters the offers of a farmer who has no Telegram (no user id: not in CAST).
PROXY_FARMER = offers.ProxyFarmer("Karto Sumarno", "+6281393880016", KURUNG)


@dataclass(frozen=True)
class _Member:
    number: str
    name: str
    phone: str
    months_ago: int  # joined this many months before the demo's month
    behind: int = 0  # the last months the payroll did not deduct wajib


# The Bekasi roster: six on Telegram, six not (their savings show in the treasurer's views).
ROSTER = (
    _Member("KKB-0001", "Siti Rahmawati", "+6281380330005", 12),
    _Member("KKB-0002", "Dedi Kurniawan", "+6281380330006", 12, behind=2),
    _Member("KKB-0003", "Neneng Hasanah", "+6289611440007", 11, behind=1),
    _Member("KKB-0004", "Asep Saepudin", "+6281380330104", 12, behind=3),
    _Member("KKB-0005", "Sri Wahyuni", "+6281380330105", 12),
    _Member("KKB-0006", "Yayan Sopian", "+6285711220106", 10),
    _Member("KKB-0007", "Lilis Suryani", "+6285711220107", 9),
    _Member("KKB-0008", "Budi Hartono", "+6281298110108", 8),
    _Member("KKB-0009", "Rina Marlina", "+6289611440109", 7),
    _Member("KKB-0010", "Eko Prasetyo", "+6281380330008", 5),
    _Member("KKB-0011", "Ujang Supriatna", "+6285711220004", 12),
    _Member("KKB-0012", "Dewi Lestari", "+6281298110003", 12),
)

# Buying prices per kg at the start of the history, and how far a week moves them.
_BUYING_START = {
    ("gabah", "GKP"): (6_700, 100, 6_550, 7_150),
    ("gabah", "GKG"): (8_250, 100, 8_050, 8_700),
    ("jagung", "-"): (5_700, 100, 5_550, 6_150),
    ("cabai_merah", "A"): (34_000, 3_000, 24_000, 48_000),
}
_CHILLI_STEPS = {"B": 5_000, "C": 10_000}  # grade B and C below A
MARKET_SOURCE = "Pasar Ceper, Klaten"
HISTORY_WEEKS = 14
TRANSPORT_GABAH = 50  # rupiah per kg, shown on the receipt


def _at(day: date, hour: int, minute: int = 0) -> int:
    return int(datetime.combine(day, time(hour, minute), WIB).timestamp())


def _months_back(month: Month, n: int) -> Month:
    return month.plus(-n)


class _Seeder:
    def __init__(self, db: Database, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("seed_demo needs an aware datetime")
        self.db = db
        self.now = int(now.timestamp())
        self.today = now.astimezone(WIB).date()
        self.rng = random.Random(SEED)
        self.readings = random.Random(SEED + 1)  # rafaksi readings: the rest stays as it was
        self.ids: dict[int, int] = {}  # CAST index → person id
        self.org: dict[str, int] = {}
        self.made: dict[int, int] = {}  # a purchase's key → its offer id

    async def at(self, when: int, use_case, /, *args, **kwargs):
        with clock_at(min(when, self.now)):
            return await self.db.write(use_case, *args, **kwargs)

    def roles(self, n: int) -> frozenset[Role]:
        return frozenset({Role(CAST[n].role)})

    # --- organisations and people ------------------------------------------------------------

    async def organisations(self, when: int) -> None:
        await self.at(when, orgs.set_name, ROOT, FEDERATION_NAME)
        await self.at(when, orgs.add, code=BEKASI, name=BEKASI_NAME, kind="coop_primary",
                      parent_code=ROOT, covers=("32.16", "32.75"))  # fmt: skip
        await self.at(when, orgs.set_address, BEKASI, BEKASI_ADDRESS)
        await self.at(when, orgs.add, code=KLATEN, name=KLATEN_NAME, kind="kdkmp",
                      parent_code=ROOT, covers=(CEPER,), village=KUJON)  # fmt: skip
        await self.at(when, orgs.set_address, KLATEN, KLATEN_ADDRESS)
        await self.at(when, orgs.add, code=CEPOGO, name=CEPOGO_NAME, kind="kdkmp",
                      parent_code=ROOT, village=JOMBONG)  # fmt: skip
        for code in (ROOT, BEKASI, KLATEN, CEPOGO):
            self.org[code] = (await orgs.by_code(self.db, code)).id

    def applicant(self, n: int) -> Applicant:
        p = CAST[n]
        return Applicant(p.user_id, p.user_id, p.phone, p.language, p.full_name)

    async def staff(self, n: int, when: int, invited_by: int | None) -> None:
        p = CAST[n]
        invite = await self.at(
            when, invites.create, role=Role(p.role), org_id=self.org[p.org_slug],
            valid_hours=72, created_by=invited_by,
        )  # fmt: skip
        done = await self.at(
            when + 3600, registration.register_staff, self.applicant(n), invite.code
        )
        self.ids[n] = done.person_id

    async def farmer(self, n: int, when: int) -> None:
        done = await self.at(
            when, registration.register_farmer, self.applicant(n), FARMER_VILLAGE[n]
        )
        self.ids[n] = done.person_id

    async def member(self, n: int, when: int) -> None:
        done = await self.at(when, registration.register_member, self.applicant(n))
        self.ids.setdefault(n, done.person_id)

    # --- prices ------------------------------------------------------------------------------

    async def price_history(self, first_day: date) -> list[tuple[int, object]]:
        """The weekly price board as (time, write) events (HPP comes with the migrations)."""
        events: list[tuple[int, object]] = []
        walk = {key: first for key, (first, _, _, _) in _BUYING_START.items()}
        for week in range(HISTORY_WEEKS):
            day = first_day + timedelta(days=7 * week)
            when = _at(day - timedelta(days=1), 15, 30)  # set on Sunday for Monday
            for key, (_, step, low, high) in _BUYING_START.items():
                if week:
                    move = self.rng.choice((-2, -1, -1, 0, 1, 1, 2)) * step // 2
                    walk[key] = max(low, min(high, walk[key] + move))
            board = dict(walk)
            for grade, below in _CHILLI_STEPS.items():
                board[("cabai_merah", grade)] = board[("cabai_merah", "A")] - below
            for (commodity, grade), amount in board.items():
                events.append((when, (prices.set_price, dict(
                    commodity=commodity, grade=grade, area_prefix=CEPER, price_rupiah=amount,
                    valid_from=prices.day_start(day, CEPER), set_by=self.ids[KLATEN_ADMIN],
                    source="", kind=prices.BUYING))))  # fmt: skip
            for commodity, grade in (("gabah", "GKP"), ("jagung", "-"), ("cabai_merah", "A")):
                spread = 2_500 if commodity == "cabai_merah" else self.rng.choice((150, 200, 300))
                events.append((when + 60, (prices.set_price, dict(
                    commodity=commodity, grade=grade, area_prefix=KLATEN_REGENCY,
                    price_rupiah=board[(commodity, grade)] + spread,
                    valid_from=prices.day_start(day, KLATEN_REGENCY), set_by=self.ids[KLATEN_ADMIN],
                    source=MARKET_SOURCE, kind=prices.MARKET))))  # fmt: skip
        return events

    # --- offtake -------------------------------------------------------------------------------

    async def offer(self, n: int, when: int, commodity: str, grade: str, kg: int,
                    unit: str = "kg") -> offers.Offer:  # fmt: skip
        farmer = self.ids[n]
        village = FARMER_VILLAGE[n]
        price = await prices.price_in_force(self.db, commodity, grade, village, when)
        rates = await deductions.in_force(self.db, self.org[KLATEN], commodity, when)
        typed = Decimal(kg) / 100 if unit == "kuintal" else Decimal(kg)
        new = offers.NewOffer(
            commodity=commodity, grade=grade, quantity=Decimal(kg), typed_amount=typed,
            typed_unit=unit, ready_on=datetime.fromtimestamp(when, WIB).date() + timedelta(days=1),
        )  # fmt: skip
        return await self.at(when, offers.create, farmer, new, offers.Shown(price.id, rates))

    async def sell(self, key: int, n: int, day: date, commodity: str, grade: str, kg: int,
                   unit: str, window: tuple[int, int]) -> None:  # fmt: skip
        """The farmer offers at dawn; the coordinator takes it and schedules the next day."""
        coordinator, roles = self.ids[COORDINATOR], self.roles(COORDINATOR)
        made = await self.offer(n, _at(day, 6, 40), commodity, grade, kg, unit)
        self.made[key] = made.id
        await self.at(_at(day, 7, 15), offers.take, made.id, coordinator, roles)
        await self.at(_at(day, 7, 20), pickups.schedule, made.id, coordinator, roles,
                      day + timedelta(days=1), window)  # fmt: skip

    async def sell_for(self, key: int, day: date, window: tuple[int, int]) -> None:
        """The coordinator enters the offer of a farmer without Telegram: his at once."""
        coordinator, roles = self.ids[COORDINATOR], self.roles(COORDINATOR)
        when = _at(day, 8)
        village = PROXY_FARMER.village_code
        price = await prices.price_in_force(self.db, "gabah", "GKP", village, when)
        rates = await deductions.in_force(self.db, self.org[KLATEN], "gabah", when)
        new = offers.NewOffer(
            commodity="gabah", grade="GKP", quantity=Decimal(2_000), typed_amount=Decimal(2),
            typed_unit="ton", ready_on=day + timedelta(days=1),
        )  # fmt: skip
        made, _ = await self.at(
            when, offers.create_for, coordinator, PROXY_FARMER, new, offers.Shown(price.id, rates)
        )
        self.made[key] = made.id
        await self.at(when + 300, pickups.schedule, made.id, coordinator, roles,
                      day + timedelta(days=1), window)  # fmt: skip

    async def weigh(self, key: int, n: int | None, when: int, commodity: str, grade: str, kg: int,
                    paid: bool) -> None:  # fmt: skip
        """At the pickup: weighed and graded, the farmer agrees, and (but for the last days'
        receipts) paid in cash or by transfer."""
        coordinator, roles, offer_id = (
            self.ids[COORDINATOR],
            self.roles(COORDINATOR),
            self.made[key],
        )
        found = grade
        if commodity == "cabai_merah" and self.rng.random() < 0.3:
            found = "B"  # graded down at the scale: the receipt shows it
        weighed = Decimal(round(kg * self.rng.uniform(0.96, 1.015)))
        readings = None
        if commodity == "gabah":  # asked where a rafaksi table is in force, ignored before
            readings = (Decimal(self.readings.randrange(220, 290)) / 10,
                        Decimal(self.readings.randrange(40, 130)) / 10)  # fmt: skip
        await self.at(when, pickups.record, offer_id, coordinator, roles, found, weighed, readings)
        if n is not None:  # a farmer without Telegram answers nothing
            await self.at(when + 600, pickups.answer, offer_id, self.ids[n], True)
        if paid:
            payment = (
                pickups.CASH if self.rng.random() < 0.6
                else pickups.Payment("transfer", f"BRI {self.rng.randrange(10**9, 10**10)}")
            )  # fmt: skip
            await self.at(when + 1200, pickups.pay, offer_id, coordinator, roles, payment)

    # --- savings -----------------------------------------------------------------------------

    async def roster(self, when: int, this_month: Month) -> None:
        header = ["No Anggota", "Nama", "No HP", "Tanggal Masuk", "Gaji Bersih"]
        layout, missing = savings_sheets.match_header(header, savings_sheets.MEMBER_COLUMNS)
        assert not missing, missing
        rows, errors = [], []
        for i, m in enumerate(ROSTER, start=2):
            joined = _months_back(this_month, m.months_ago)
            pay = 4_200_000 + 150_000 * (i % 5)  # the factory's take-home pay, for loans
            values = [
                m.number,
                m.name,
                m.phone,
                date(joined.year, joined.month, 1).isoformat(),
                pay,
            ]
            row, found = savings_sheets.read_member(
                i, values, layout, default_cooperative=BEKASI, today=self.today
            )
            rows.append(row)
            errors += found
        await self.at(when, savings_import.import_members, rows, errors, layout,
                      "anggota-kopkar-bekasi.xlsx")  # fmt: skip

    async def payroll(self, month: Month, this_month: Month, when: int) -> None:
        """The month's payroll deductions as one batch: pokok of the new members, wajib of
        everyone the employer deducted (not those behind)."""
        header = ["No Anggota", "Bulan", "Jumlah", "Jenis"]
        layout, missing = savings_sheets.match_header(header, savings_sheets.DEPOSIT_COLUMNS)
        assert not missing, missing
        values = []
        for m in ROSTER:
            joined = _months_back(this_month, m.months_ago)
            if month < joined:
                continue
            if month == joined:
                values.append([m.number, str(month), POKOK, "pokok"])
            if month <= this_month.plus(-m.behind):  # the last `behind` months not deducted
                values.append([m.number, str(month), WAJIB, "wajib"])
        rows = []
        for i, cells in enumerate(values, start=2):
            row, errors = savings_sheets.read_deposit(i, cells, layout)
            assert not errors, errors
            rows.append(row)
        batch = savings_import.Batch(
            self.org[BEKASI], f"deposits:{BEKASI}:gaji-{month}", f"potongan-gaji-{month}.xlsx",
            savings_sheets.batch_hash(rows),
        )  # fmt: skip
        await self.at(when, savings_import.import_deposits, batch, rows, [], layout)

    async def roster_id(self, number: str) -> int:
        return (await savings.member_by_number(self.db, self.org[BEKASI], number)).id


def _weeks_before(today: date, weeks: int) -> date:
    """The Monday ``weeks`` weeks before this week's."""
    return today - timedelta(days=today.weekday() + 7 * weeks)


async def seed_demo(db: Database, *, now: datetime) -> tuple[DemoPerson, ...]:
    """Seed a fresh, migrated database with the demo's year (see the module's doc); returns
    the cast. Refused (ValueError) on a database that has people already."""
    if await people.by_telegram_id(db, CAST[0].user_id) is not None:
        raise ValueError("seed_demo needs a fresh database (the demo's people are there already)")
    s = _Seeder(db, now)
    this_month = Month.of(s.today)
    first_day = _weeks_before(s.today, HISTORY_WEEKS - 1)
    before = this_month.plus(-13)
    start = min(_at(date(before.year, before.month, 20), 9), _at(first_day - timedelta(days=10), 9))

    # The organisations and their officers, a year and more ago.
    await s.organisations(start)
    await s.staff(FEDERATION_ADMIN, start + 3600, None)
    await s.staff(BEKASI_ADMIN, start + 86_400, s.ids[FEDERATION_ADMIN])
    await s.staff(TREASURER, start + 2 * 86_400, s.ids[BEKASI_ADMIN])
    await s.staff(CHECKER, start + 2 * 86_400 + 7200, s.ids[BEKASI_ADMIN])
    await s.staff(KLATEN_ADMIN, start + 3 * 86_400, s.ids[FEDERATION_ADMIN])
    await s.staff(COORDINATOR, start + 4 * 86_400, s.ids[KLATEN_ADMIN])
    await s.staff(KLATEN_TREASURER, start + 4 * 86_400 + 3600, s.ids[KLATEN_ADMIN])
    await s.at(
        start + 4 * 86_400 + 7200, offers.set_coverage, s.ids[COORDINATOR], COORDINATOR_COVERS
    )
    await s.staff(KEEPER, start + 4 * 86_400 + 9000, s.ids[KLATEN_ADMIN])
    await s.staff(KLATEN_CHAIR, start + 4 * 86_400 + 10_800, s.ids[FEDERATION_ADMIN])
    await s.staff(CEPOGO_CHAIR, start + 5 * 86_400, s.ids[FEDERATION_ADMIN])
    await s.at(start + 4 * 86_400 + 14_400, stock.add_warehouse, s.org[KLATEN], WAREHOUSE_NAME,
               KUJON, s.ids[KEEPER], s.ids[KLATEN_ADMIN])  # fmt: skip
    await s.at(start + 4 * 86_400, savings.set_rate, s.org[BEKASI],
               _months_back(this_month, 12), POKOK, WAJIB)  # fmt: skip
    await s.at(start + 4 * 86_400, savings.set_reminder, s.org[BEKASI], 5, "08:00")
    await s.roster(start + 5 * 86_400, this_month)

    # What happens over the year, in time order (one ledger chain for both cooperatives).
    events: list[tuple[int, int, object]] = []

    def event(when: int, action) -> None:
        events.append((min(when, s.now - 60), len(events), action))

    for back in range(12, -1, -1):
        month = _months_back(this_month, back)
        payday = _at(month.first_day(), 10)  # deducted from the month's first payroll
        event(payday, ("payroll", month))
    # Members join the bot through the months (the treasurers, on Telegram before the roster
    # came, were linked by its import); farmers a little before the history starts.
    for k, (n, months) in enumerate(((SITI, 11), (DEDI, 9), (NENENG, 6), (EKO, 4))):
        m = _months_back(this_month, months)
        event(_at(date(m.year, m.month, 12 + k), 19, 5), ("member", n))
    for k, n in enumerate((DARTO, SUMIYATI, SLAMET, WULAN, PAIJO)):
        event(_at(first_day - timedelta(days=6 - k), 18, 30), ("farmer", n))
    # Sukarela at the desk (Bu Dewi records them), and one withdrawal checked by Pak Ujang.
    for back in range(12, 0, -1):  # past months only: nothing is dated after `now`
        m = _months_back(this_month, back)
        event(
            _at(date(m.year, m.month, 20), 13),
            ("deposit", ("KKB-0001", 250_000 + 50_000 * (back % 4))),
        )
        if back in (7, 3):
            event(_at(date(m.year, m.month, 21), 11), ("deposit", ("KKB-0005", 500_000)))
        if back in (4, 1):
            event(_at(date(m.year, m.month, 22), 10), ("deposit", ("KKB-0010", 150_000)))
        if back == 2:
            event(_at(date(m.year, m.month, 18), 14), ("withdraw", ("KKB-0001", 750_000)))
    event(_at(first_day - timedelta(days=2), 9), ("transport", None))
    event(_at(_weeks_before(s.today, 3), 8), ("rafaksi", None))
    for when, write in await s.price_history(first_day):
        event(when, ("price", write))
    # Six weeks of purchases: the last ten days' receipts are still owed.
    plan = (
        (DARTO, "gabah", "GKP", 1_800, "kuintal"), (SUMIYATI, "jagung", "-", 900, "kg"),
        (SLAMET, "cabai_merah", "A", 150, "kg"), (PAIJO, "gabah", "GKP", 1_200, "kg"),
        (WULAN, "cabai_merah", "A", 80, "kg"), (DARTO, "jagung", "-", 1_500, "kg"),
    )  # fmt: skip
    for week in range(6, 0, -1):
        monday = _weeks_before(s.today, week)
        for k in range(2 + (week % 2)):
            n, commodity, grade, kg, unit = plan[(week * 2 + k) % len(plan)]
            day = monday + timedelta(days=1 + 2 * k)
            kg = int(kg * s.rng.uniform(0.8, 1.2)) // 10 * 10
            paid = (s.today - day).days > 10
            window = s.rng.choice(((6, 9), (9, 12), (12, 15)))
            key = len(events)
            event(_at(day, 6, 40), ("sell", (key, n, day, commodity, grade, kg, unit, window)))
            weighed = _at(day + timedelta(days=1), window[0], 40)
            event(weighed, ("weigh", (key, n, weighed, commodity, grade, kg, paid)))
    # An input advance (pupuk) to Wulan after her second-last harvest: her last one repays
    # part of it, the rest is still owed (/utang, the dashboard's advances panel).
    event(_at(_weeks_before(s.today, 1) + timedelta(days=1), 10), ("advance", WULAN))
    event(_at(s.today - timedelta(days=3), 9), ("window", None))  # the cooperative's need
    proxy_day, key = _weeks_before(s.today, 3) + timedelta(days=3), len(events)
    event(_at(proxy_day, 8), ("sell_for", (key, proxy_day, (9, 12))))
    weighed = _at(proxy_day + timedelta(days=1), 9, 40)
    event(weighed, ("weigh", (key, None, weighed, "gabah", "GKP", 2_000, True)))

    for when, _seq, (kind, what) in sorted(events, key=lambda e: (e[0], e[1])):
        await _run(s, kind, what, when, this_month)

    # Now: the gabah in the warehouse, a pickup scheduled for tomorrow, an offer waiting,
    # yesterday's digest delivered.
    await _stock(s)
    await _sales(s)
    await _scheduled_pickup(s)
    await _order_cycle(s)
    morning = _at(s.today, 6, 30)
    await s.offer(
        WULAN, morning if s.now - morning >= 600 else s.now - 3 * 3600, "cabai_merah", "A", 120
    )
    await _delivered_digest(s)
    await _loans(s)
    await _mentoring(s, this_month)
    return CAST


#: The Bekasi cooperative's loan product, and Siti's application waiting for two officers.
LOAN_PRODUCT = loan_rules.Product(
    "Pinjaman Umum", 20_000_000, 24, 100, loan_rules.Method.FLAT, fee_rupiah=10_000, fee_bp=100,
    min_member_months=6, max_share_bp=3_000,
)  # fmt: skip
LOAN_RP, LOAN_MONTHS, LOAN_PURPOSE = 5_000_000, 12, "biaya sekolah anak"


async def _loans(s: _Seeder) -> None:
    product = await s.at(s.now - 30 * 86_400, loans.add_product, s.org[BEKASI], "umum",
                         LOAN_PRODUCT, s.ids[BEKASI_ADMIN])  # fmt: skip
    member = await savings.member_by_number(s.db, s.org[BEKASI], "KKB-0001")
    await s.at(s.now - 2 * 3600, loans.apply, member.id, s.ids[SITI], product.id, LOAN_RP,
               LOAN_MONTHS, LOAN_PURPOSE, s.today.isoformat())  # fmt: skip


async def _run(s: _Seeder, kind: str, what, when: int, this_month: Month) -> None:
    if kind == "payroll":
        await s.payroll(what, this_month, when)
    elif kind == "member":
        await s.member(what, when)
    elif kind == "farmer":
        await s.farmer(what, when)
    elif kind == "deposit":
        number, amount = what
        await s.at(when, savings_desk.deposit, await s.roster_id(number), SavingsKind.SUKARELA,
                   amount, s.ids[TREASURER])  # fmt: skip
    elif kind == "withdraw":
        number, amount = what
        asked = await s.at(when, savings_desk.ask_withdrawal, await s.roster_id(number),
                           SavingsKind.SUKARELA, amount, s.ids[TREASURER])  # fmt: skip
        await s.at(
            when + 1800, savings_desk.decide, asked.id, s.ids[CHECKER], s.roles(CHECKER), True
        )
    elif kind == "advance":
        asked = await s.at(when, advances.ask, s.ids[what], What.PUPUK, ADVANCE_GOODS, ADVANCE_RP,
                           s.ids[KLATEN_TREASURER], s.org[KLATEN])  # fmt: skip
        await s.at(when + 3600, advances.decide, asked.id, s.ids[KLATEN_ADMIN], s.org[KLATEN],
                   s.roles(KLATEN_ADMIN), True)  # fmt: skip
    elif kind == "transport":
        await s.at(when, deductions.set_rate, org_id=s.org[KLATEN], kind=DeductionKind.TRANSPORT,
                   rupiah_per_unit=TRANSPORT_GABAH, commodity="gabah", set_by=s.ids[KLATEN_ADMIN])  # fmt: skip
    elif kind == "rafaksi":
        template = await rafaksi.government(s.db, "gabah", when)
        await s.at(when, rafaksi.set_table, org_id=s.org[KLATEN], commodity="gabah",
                   table=template.table, valid_from=when, source=template.source,
                   set_by=s.ids[KLATEN_ADMIN])  # fmt: skip
    elif kind == "price":
        use_case, kwargs = what
        await s.at(when, use_case, **kwargs)
    elif kind == "sell":
        await s.sell(*what)
    elif kind == "sell_for":
        await s.sell_for(*what)
    elif kind == "weigh":
        await s.weigh(*what)
    elif kind == "window":
        await s.at(when, windows.open_window, org_id=s.org[KLATEN], commodity="gabah", grade="GKP",
                   area_prefix=CEPER, target=Decimal(10_000), target_unit="ton", price_rupiah=6_500,
                   deadline=deadline_of(s.today + timedelta(days=10), regions.WIB),
                   opened_by=s.ids[KLATEN_ADMIN])  # fmt: skip


async def _stock(s: _Seeder) -> None:
    """The gabah weighed over the weeks, brought into the Gudang Kujon this morning with a
    little shrink (the newest left on its way, for Mas Joko's 📦), and half of it dried."""
    keeper, roles = s.ids[KEEPER], s.roles(KEEPER)
    org = s.org[KLATEN]
    place = (await stock.warehouses(s.db, org))[0]
    way = [p for p in await stock.on_the_way(s.db, keeper, org, roles) if p.commodity == "gabah"]
    when = max(s.now - 4 * 3600, await ledger.last_at(s.db) + 60)  # the ledger stays in time order
    for k, pickup in enumerate(way[:-1]):
        arrived = (pickup.quantity * Decimal("0.985")).quantize(Decimal(1))
        await s.at(when + 60 * k, stock.arrive, [pickup.offer_id], place.id, keeper, org, roles,
                   arrived)  # fmt: skip
    held = sum(b.quantity for b in await stock.available(s.db, org, "gabah", "GKP", place.id))
    if held > 0:
        dried = (held / 2).quantize(Decimal(1))
        await s.at(when + 3600, stock.transform, place.id, keeper, org, roles,
                   stock_rules.MoveKind.DRYING, "gabah", "GKP", dried, "GKG",
                   (dried * Decimal("0.86")).quantize(Decimal(1)))  # fmt: skip


async def _sales(s: _Seeder) -> None:
    """Two buyers of the Klaten cooperative: Bulog took most of the dried gabah (delivered,
    a little rejected for moisture, the rest cut by Bulog's readings, invoiced, not paid yet); the SPPG kitchen's sale of
    gabah GKP waits for its delivery (/penjualan)."""
    org, admin = s.org[KLATEN], s.ids[KLATEN_ADMIN]
    when = max(s.now - 1800, await ledger.last_at(s.db) + 60)  # the ledger stays in time order
    await s.at(when, sales.set_bank_account, org, "BRI 0123-01-000123-30-1 a.n. KDKMP Kujon")
    bulog = await s.at(when, sales.add_buyer, org, "Bulog Kancab Klaten", "bulog",
                       phone="+6282133334444", contact="Pak Hadi", terms_days=14, by=admin)  # fmt: skip
    sppg = await s.at(when, sales.add_buyer, org, "SPPG Ceper", "sppg", phone="+6285655556666",
                      contact="Bu Ratna", terms_days=7, by=admin)  # fmt: skip
    until = s.today + timedelta(days=7)
    for buyer, grade, share, price in (
        (bulog, "GKG", Decimal("0.8"), 8_200),
        (sppg, "GKP", Decimal("0.3"), 7_000),
    ):
        held = sum(b.quantity for b in await stock.available(s.db, org, "gabah", grade))
        kilos = (held * share).quantize(Decimal(1))
        if kilos <= 0:
            continue
        sale = await s.at(when + 60, sales.record_sale, org, buyer.id, "gabah", grade, kilos, price,
                          s.today, until, "Gudang Bulog Ceper" if buyer is bulog else "Dapur SPPG Ceper",
                          admin)  # fmt: skip
        if buyer is bulog:
            rejected = (kilos * Decimal("0.02")).quantize(Decimal(1))
            # Bulog measured what it took: 24 % kadar air, 11 % hampa/kotoran (Rp300 per kg
            # off by the cooperative's table, where it has one in force)
            with clock_at(when + 120):
                table = await sales.quality_table(s.db, org, "gabah")
            readings = (Decimal("24"), Decimal("11")) if table else None
            await s.at(when + 120, sales.deliver, org, sale.id, kilos, kilos - rejected,
                       "kadar air tinggi", admin, readings)  # fmt: skip
            await s.at(when + 180, sales.issue_invoice, org, sale.id, admin)


async def _scheduled_pickup(s: _Seeder) -> None:
    coordinator, roles = s.ids[COORDINATOR], s.roles(COORDINATOR)
    yesterday = s.today - timedelta(days=1)
    made = await s.offer(DARTO, _at(yesterday, 7, 10), "gabah", "GKP", 1_500, "kuintal")
    await s.at(_at(yesterday, 8), offers.take, made.id, coordinator, roles)
    await s.at(_at(yesterday, 8, 5), pickups.schedule, made.id, coordinator, roles,
               s.today + timedelta(days=1), (6, 9))  # fmt: skip


# The hub's open cycle: (supplier, item, unit, price, hub fee, stock) and Kujon's order.
CYCLE_NAME = "Sembako dan Pupuk Desember"
CYCLE_ITEMS = (
    ("Bulog Klaten", "Beras SPHP 5 kg", "karung", 62_000, 2_000, 200),
    ("Bulog Klaten", "Minyak goreng 1 L", "liter", 15_000, 500, 600),
    ("Bulog Klaten", "Gula pasir 1 kg", "bungkus", 16_500, 500, 400),
    ("Pupuk Kaltim Solo", "Pupuk NPK Phonska 50 kg", "sak", 180_000, 5_000, 80),
)
KUJON_ORDER = {"Beras SPHP 5 kg": 20, "Minyak goreng 1 L": 48, "Pupuk NPK Phonska 50 kg": 4}


async def _order_cycle(s: _Seeder) -> None:
    opened = _at(s.today - timedelta(days=2), 9)
    closes = _at(s.today + timedelta(days=5), 17)
    cycle = await s.at(opened, cycles.open_cycle, hub_id=s.org[ROOT], name=CYCLE_NAME, closes_at=closes,
                       delivery_on=s.today + timedelta(days=8), minimum_rupiah=500_000,
                       timezone=regions.WIB, opened_by=s.ids[FEDERATION_ADMIN])  # fmt: skip
    suppliers, items = {}, {}
    for supplier, name, unit, price, fee, stock_units in CYCLE_ITEMS:
        if supplier not in suppliers:
            suppliers[supplier] = await s.at(
                opened, cycles.add_supplier, s.org[ROOT], supplier, None, None
            )
        made = await s.at(opened, cycles.add_item, cycle_id=cycle.id, supplier_id=suppliers[supplier].id,
                          name=name, unit=unit, price_rupiah=price, fee_rupiah=fee, stock=stock_units)  # fmt: skip
        items[name] = made.id
    await s.at(_at(s.today - timedelta(days=1), 10), cycles.place, cycle.id, s.org[KLATEN],
               {items[name]: units for name, units in KUJON_ORDER.items()}, s.ids[KLATEN_CHAIR])  # fmt: skip


async def _delivered_digest(s: _Seeder) -> None:
    """Yesterday's morning prices to every subscriber (the farmers, subscribed by their
    offers), queued and sent as the bot's outbox sender does."""
    from handlers.prices import enqueue_digest  # the wiring may import handlers

    yesterday = s.today - timedelta(days=1)
    at = _at(yesterday, 6)
    context = SimpleNamespace(
        db=s.db, application=SimpleNamespace(bot_data=SimpleNamespace(outbox=None))
    )
    with clock_at(at):
        await enqueue_digest(context, regions.WIB, yesterday)
        found = await outbox.by_key(s.db, digest_key(yesterday, regions.WIB))
        rows = await outbox.claim_due(s.db, at, 1000)
        for k, row in enumerate(rows):
            await outbox.mark_sending(s.db, row.id, at + k)
            await outbox.mark_sent(s.db, [(row.id, 900 + k, None)])
        await outbox.finish(s.db, found.id, at + len(rows))


# Kujon's report of last month (Jombong has not filed: the reminder's case), and one
# announcement of the federation to both cooperatives' officers, read by Kujon's ketua.
REPORT_FIGURES = (312, 4_650_000, 38_250_000, 12_400_000)  # members, Rp, Rp, grams
REPORT_PROBLEMS = "Pupuk subsidi datang terlambat dua minggu."
ANNOUNCEMENT = "Rapat koordinasi koperasi desa hari Sabtu pukul 09.00 di kantor federasi. Bawa laporan bulanan."


async def _mentoring(s: _Seeder, this_month: Month) -> None:
    from domain.monthly_reports import Figures
    from storage import announcements, monthly_reports

    filed_at = min(_at(this_month.first_day() + timedelta(days=1), 10), s.now - 7200)
    await s.at(filed_at, monthly_reports.file, s.ids[KLATEN_CHAIR], this_month.plus(-1),
               Figures(*REPORT_FIGURES), REPORT_PROBLEMS)  # fmt: skip
    made, _officers = await s.at(s.now - 5400, announcements.send, s.org[ROOT], "", ANNOUNCEMENT,
                                 s.ids[FEDERATION_ADMIN])  # fmt: skip
    await s.at(s.now - 3600, announcements.mark_read, made.id, s.ids[KLATEN_CHAIR])


async def demo_cast(db: Database) -> tuple[DemoPerson, ...]:
    """The cast of a database seeded before (the demo restarted without --fresh): the same
    people, as long as they are registered there."""
    for person in CAST:
        if await people.by_telegram_id(db, person.user_id) is None:
            raise LookupError(f"not a demo database: nobody with Telegram id {person.user_id}")
    return CAST
