"""Fuzz test of the hub's and the loans' conversations: the same checks as ``test_fuzz`` (no
ERROR logged, every message and press answered once, nothing to another chat, no English to
an Indonesian speaker, no raw placeholder), on people who can reach them.

The same officers serve every example: the ketua of a village cooperative and the bendahara
of another (an order cycle is open: ``/pesan``, ``/laporan``), the hub's administrator
(``/koperasi``, ``/umumkan``, the cycle's papers) and two officers of a cooperative with a
loan product (``/cairkan``); each example brings a new union member with take-home pay on
its roster (``/pinjam``, ``/saldo``). Hypothesis draws what they do: the commands with odd arguments, answers
that move the conversations on (``10 karung``, ``5 juta``, ``1 tahun``, ``33.10``), any text,
presses of buttons the bot really sent, and forged button data. One World serves every
example, so orders and loans pile up across them as they would in a week of use.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from domain import loans as rules
from domain.cycles import local_day
from domain.people import Role
from storage import cycles, loans, people, roster
from storage.db import now_utc
from tests.cycles_seed import open_cycle
from tests.handlers.test_fuzz import (
    FORGED_DATA,
    TEXTS,
    Act,
    ErrorRecords,
    Player,
    StrictTelegram,
    _clean,
    _fresh_phone,
)
from tests.harness import World
from tests.network_seed import KLATEN, hub_with_network, villages

CI_EXAMPLES = 60
LONG_EXAMPLES = 1000

UMUM = rules.Product("Pinjaman Umum", 20_000_000, 24, 100, rules.Method.FLAT, 10_000, 100, 0, 3_000)
KETUA, BENDAHARA, HUB_ADMIN, MEMBER, TREASURER, TREASURER_2 = range(6)

COMMAND_NAMES = ["pesan", "pesan", "pinjam", "pinjam", "pinjaman", "laporan", "laporan", "umumkan",
                 "koperasi", "cairkan", "cairkan", "saldo", "cancel", "help", "start", "tarik"]  # fmt: skip
ARGS = st.one_of(
    st.just(""), st.sampled_from(["semua", "33.10", "2", "p2", "x" * 70, "{name}", "%s"]), TEXTS
)
COMMANDS = st.builds(lambda name, args: _clean(f"/{name} {args}"), st.sampled_from(COMMAND_NAMES), ARGS)  # fmt: skip
ANSWERS = st.sampled_from([
    "10", "10 karung", "sepuluh", "31", "0", "-5", "2,5", "1.000", "99999999999999999999", "5 liter",
    "5 juta", "Rp 2.000.000", "1 tahun", "12", "12 bulan", "120", "biaya sekolah anak", "semua",
    "33.10", "33", "Rapat anggota Sabtu pukul 09.00.", "45", "3.500.000", "tidak ada", "ya", "batal",
])  # fmt: skip


def _acts(n: int) -> st.SearchStrategy[Act]:
    who = st.integers(0, n - 1)
    return st.one_of(
        st.builds(Act, st.just("command"), who, COMMANDS),
        st.builds(Act, st.just("command"), who, COMMANDS),
        st.builds(Act, st.just("text"), who, ANSWERS),
        st.builds(Act, st.just("text"), who, ANSWERS),
        st.builds(Act, st.just("text"), who, TEXTS),
        st.builds(Act, st.just("press"), who, st.integers(0, 10**6)),
        st.builds(Act, st.just("latest"), who, st.integers(0, 10**6)),
        st.builds(Act, st.just("latest"), who, st.integers(0, 10**6)),
        st.builds(Act, st.just("latest"), who, st.integers(0, 10**6)),
        st.builds(Act, st.just("forge"), who, FORGED_DATA),
    )


def _journey(who: int, *steps: object) -> tuple[Act, ...]:
    """A conversation walked the way a person would; random acts follow it. A step ``@pdt:``
    presses the newest button whose data starts so (📦, 💰, 🧾 of the closed cycle)."""
    return tuple(
        Act("latest", who, step) if isinstance(step, int)
        else Act("prefix", who, step[1:]) if step.startswith("@")
        else Act("text", who, step)
        for step in steps
    )  # fmt: skip


#: Walks deep into each conversation (a button press is an int: which of the latest buttons).
JOURNEYS = [
    _journey(KETUA, "/pesan", 0, 0, "10 karung", -1, 0, 0),
    _journey(KETUA, "/pesan", 0, 1, "24", 2, "5", -1, 0),
    _journey(BENDAHARA, "/pesan", 0, 0, "31", "5", -1, 0),
    _journey(MEMBER, "/pinjam", 0, "5 juta", "1 tahun", 1, "biaya sekolah anak", 0),
    _journey(MEMBER, "/pinjam", 0, "30 juta", "12", "3 juta", "6 bulan", 0, 1),
    _journey(KETUA, "/laporan", 0, "45", "3.500.000", "1.000.000", "1.500", "tidak ada", 0),
    _journey(HUB_ADMIN, "/umumkan", "33.10", "Rapat anggota Sabtu pukul 09.00.", 0),
    _journey(HUB_ADMIN, "/koperasi", 0, 1, 0),
    _journey(HUB_ADMIN, "/pesan", 0, 0, 1),
    _journey(TREASURER, "/cairkan", 0, 0, 0),
    # the closed cycle: the count (each item, all as ordered, nothing arrived), the hub's
    # payment, the cooperative's own invoices
    _journey(KETUA, "/pesan", "@pdt:", "@pdh:each", "8", "semua", 0),
    _journey(KETUA, "/pesan", "@pdt:", "@pdh:all", 0),
    _journey(BENDAHARA, "/pesan", "@pdt:", "@pdh:each", "0", 0),
    _journey(HUB_ADMIN, "/pesan", "@pdb:", "100.000", "BRI 2026120401", 0),
    _journey(HUB_ADMIN, "/pesan", "@pdb:", "1,5 jt", "Rp 50.000,-", "BRI 7", 0),
    _journey(KETUA, "/pesan", "@pdi:l", "@pdi:"),
]
ACTS = st.tuples(st.sampled_from(JOURNEYS), st.lists(_acts(6), min_size=0, max_size=25)).map(
    lambda t: [*t[0], *t[1]]
)
_members = itertools.count(0)


class HubPlayer(Player):
    """Plays acts on the network the fixture built: fresh people each example."""

    def _may_write(self, chat_id: int, chats: set[int]) -> bool:
        """Notices go to officers (an application to the treasurers, an order to the hub, a
        report to the other officers): to people of these examples, never anyone else."""
        return chat_id in chats or chat_id in self.staff_chats

    async def _act(self, act: Act) -> None:
        if act.kind == "prefix":
            await self._press_prefix(act)
            return
        if act.kind != "latest":
            await super()._act(act)
            return
        who = self.people[act.who]
        buttons = self._buttons(who)
        latest = (
            [(sent, data) for sent, data in buttons if sent is buttons[-1][0]] if buttons else []
        )
        if not latest:
            await self._act(Act("text", act.who, "10"))
            return
        sent, data = latest[act.value % len(latest)]
        await self._private(who, "press", self._query(who, sent, data))

    async def _press_prefix(self, act: Act) -> None:
        """The newest button whose data starts with ``act.value``; none: a number typed."""
        who = self.people[act.who]
        found = [(sent, data) for sent, data in self._buttons(who) if data.startswith(act.value)]
        if not found:
            await self._act(Act("text", act.who, "10"))
            return
        sent, data = found[-1]
        await self._private(who, "press", self._query(who, sent, data))

    def __init__(self, world: World, errors: ErrorRecords, ids: dict[str, int]) -> None:
        super().__init__(world, errors)
        self.ids = ids
        self.staff_chats: set[int] = set()
        self.staff: list = []
        self.typed = {}
        self.phones = {}

    async def play_acts(self, acts: list[Act]) -> None:
        self.examples += 1
        self.errors.records.clear()
        self.transcript = []
        self.invite_code = "NOINVITE"
        base = 900_000_000 + next(_members) * 10
        if not self.staff:  # the same officers all along, as in a cooperative
            await self._hire_staff()
        member = self.world.person(base, "Sri")
        self.people = [*self.staff[:MEMBER], member, *self.staff[MEMBER:]]
        self.staff_chats.add(member.user_id)
        await self._member(member, base)
        self._no_errors("setting up the people")
        for act in acts:
            await self._act(act)
        await self._check_people()

    async def _hire_staff(self) -> None:
        village_a, village_b = (self.ids[f"kop-{v}"] for v in villages(KLATEN, 2))
        staff = [
            (village_a, Role.CHAIR, "id"),
            (village_b, Role.TREASURER, "en"),
            (self.ids["hub"], Role.ADMIN, "id"),
            (1, Role.TREASURER, "id"),
            (1, Role.ADMIN, "id"),
        ]
        for n, (org_id, role, language) in enumerate(staff):
            who = self.world.person(899_000_000 + n, f"Uji{n}")
            await self._staff(who, org_id, role, language)
            self.staff.append(who)
        self.staff_chats |= {who.user_id for who in self.staff}

    async def _staff(self, who, org_id: int, role: Role, language: str) -> None:
        phone = _fresh_phone()
        self.typed[who.user_id] = {who.user["first_name"]}
        self.phones[who.user_id] = phone
        async with self.world.db.transaction(bookkeeping=True) as conn:
            person_id = await people.insert_person(
                conn, telegram_user_id=who.user_id, chat_id=who.user_id, full_name=f"Petugas {who.user_id}",
                phone="+" + phone, language=language, timezone="Asia/Jakarta", org_id=org_id,
            )  # fmt: skip
            await people.add_role(conn, person_id, role)
        self.transcript.append(f"[{who.user_id}] is {role.value} of organisation {org_id}")

    async def _member(self, who, base: int) -> None:
        """On the roster with take-home pay, registered through the bot."""
        phone = _fresh_phone()
        self.typed[who.user_id] = {who.user["first_name"], "Sri Wahyuni"}
        self.phones[who.user_id] = phone
        await self.world.db.write(roster.add, org_id=1, member_number=f"SP-{base}", full_name="Sri Wahyuni",
                                  phone="+" + phone, take_home=4_000_000)  # fmt: skip
        async with self.world.db.transaction(bookkeeping=True) as conn:
            await conn.execute(
                "UPDATE roster SET joined_on = '2024-01-02' WHERE member_number = ?",
                (f"SP-{base}",),
            )
        self.transcript.append(f"[{who.user_id}] registers as a member")
        for step in ["/start", ("label", "Bahasa Indonesia"), ("label", "👷 Saya anggota serikat pekerja"),
                     ("contact", "+" + phone)]:  # fmt: skip
            await self._checked_step(who, step)


async def _closed_cycle(db, ids: dict[str, int], suppliers) -> None:
    """A cycle already closed, the two village cooperatives' orders frozen (goods on the way):
    the count, the invoice and the hub's payments to walk."""
    bulog, pupuk = suppliers
    closes = now_utc() + 3600
    cycle = await db.write(
        cycles.open_cycle, hub_id=ids["hub"], name="Sembako November", closes_at=closes,
        delivery_on=local_day(closes, "Asia/Jakarta") + timedelta(days=1), minimum_rupiah=0,
        timezone="Asia/Jakarta", opened_by=None,
    )  # fmt: skip
    beras, npk = [
        await db.write(
            cycles.add_item,
            cycle_id=cycle.id,
            supplier_id=supplier.id,
            name=name,
            unit=unit,
            price_rupiah=price,
            fee_rupiah=fee,
            stock=100,
        )  # fmt: skip
        for supplier, name, unit, price, fee in (
            (bulog, "Beras SPHP 5 kg", "karung", 62_000, 2_000),
            (pupuk, "Pupuk NPK 50 kg", "sak", 180_000, 5_000),
        )
    ]
    village_a, village_b = (ids[f"kop-{v}"] for v in villages(KLATEN, 2))
    await db.write(cycles.place, cycle.id, village_a, {beras.id: 10, npk.id: 2}, None)
    await db.write(cycles.place, cycle.id, village_b, {npk.id: 4}, None)
    assert await db.write(cycles.close, cycle.id)


@pytest.fixture
def player(tmp_path):
    """One World with the network, an open cycle and a loan product, on its own loop."""
    errors = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(errors)
    runner = asyncio.Runner()
    world = World(str(tmp_path / "fuzz-hub.sqlite3"))
    world.telegram = StrictTelegram()
    runner.run(world.start())

    async def network() -> dict[str, int]:
        ids = await hub_with_network(world.db, klaten=2, boyolali=1)
        _cycle, suppliers, _items = await open_cycle(world.db, ids["hub"], days=30)
        await _closed_cycle(world.db, ids, suppliers)
        await world.db.write(loans.add_product, 1, "umum", UMUM)
        return ids

    try:
        yield runner, HubPlayer(world, errors, runner.run(network()))
    finally:
        runner.run(world.stop())
        runner.close()
        root.removeHandler(errors)


def test_random_use_of_the_hub_and_the_loans(player, request):
    runner, fuzz = player
    long = request.config.getoption("--fuzz-long")
    started = time.monotonic()
    cache = getattr(request.config, "cache", None)

    @settings(
        max_examples=LONG_EXAMPLES if long else CI_EXAMPLES,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        database=DirectoryBasedExampleDatabase(str(cache.mkdir("hypothesis-hub")))
        if cache
        else None,
        print_blob=True,
    )
    @given(acts=ACTS)
    def fuzz_hub(acts: list[Act]) -> None:
        runner.run(fuzz.play_acts(acts))

    fuzz_hub()
    orders = runner.run(fuzz.world.db.fetchone("SELECT COUNT(*) AS n FROM cycle_orders"))
    applied = runner.run(fuzz.world.db.fetchone("SELECT COUNT(*) AS n FROM loans"))
    counted = runner.run(fuzz.world.db.fetchone("SELECT COUNT(*) AS n FROM cycle_invoices"))
    paid = runner.run(fuzz.world.db.fetchone("SELECT COUNT(*) AS n FROM cycle_payments"))
    print(f"\nfuzz hub: {fuzz.examples} examples, {fuzz.updates} updates in {time.monotonic() - started:.1f} s; "
          f"by kind {dict(fuzz.kinds)}; {orders['n']} orders, {applied['n']} loans applied, "
          f"{counted['n']} orders counted, {paid['n']} payments to the hub")  # fmt: skip
