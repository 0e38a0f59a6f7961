"""One conversation at a time: a conversation started ends the one before (saying so), /cancel
ends them all, drafts are kept per conversation and expire after a day, and a lost draft names
the command to send again. Every pair of conversations is interleaved, from the registry."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from domain.people import Role
from handlers import kit
from storage import offers, people, pickups, prices, stock
from storage.offers import NewOffer, ProxyFarmer, Shown
from tests.handlers.flows import YES_ID
from tests.handlers.test_offer import _prices
from tests.handlers.test_savings_member import _member
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.texts import said

KUJON = "33.10.11.2004"
ANI = 951  # an administrator, treasurer, coordinator and farmer at once


def stopped(command: str) -> str:
    return said("/{command} is stopped. Nothing of it was saved.", command=command)


async def _ani(world):
    """Prices, a member on the roster (phone 0813-7777-0001), and Ani holding every role,
    living in Kujon, with an offer she entered for a farmer (hers to schedule)."""
    await _prices(world)
    await _member(world)
    ani = await _person_with_roles(
        world, ANI, [Role.ADMIN, Role.TREASURER, Role.COORDINATOR, Role.FARMER, Role.MEMBER]
    )
    person = await people.by_telegram_id(world.db, ANI)
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute("UPDATE people SET village_code = ? WHERE id = ?", (KUJON, person.id))
    await world.db.write(offers.set_coverage, person.id, ("33.10",))
    price = await prices.price_in_force(world.db, "gabah", "GKP", KUJON, kit.clock())
    made = []
    for n in range(3):  # taken / scheduled (to weigh) / picked up (to pay by transfer)
        new = NewOffer(commodity="gabah", grade="GKP", quantity=Decimal(100), typed_amount=Decimal(100),
                       typed_unit="kg", ready_on=kit.today("Asia/Jakarta"))  # fmt: skip
        offer, _farmer = await world.db.write(
            offers.create_for, person.id, ProxyFarmer(f"Pak Darmo {n}", f"+62812999900{n:02d}", KUJON),
            new, Shown(price.id, ()),
        )  # fmt: skip
        if n >= 1:
            await world.db.write(
                pickups.schedule,
                offer.id,
                person.id,
                person.roles,
                kit.today("Asia/Jakarta"),
                (6, 9),
            )
        if n == 2:
            await world.db.write(
                pickups.record, offer.id, person.id, person.roles, "GKP", Decimal(100)
            )
        made.append(offer.id)
    made += await _a_sale_invoiced(world)
    # The sale's warehouse holds gabah GKP too (an administrator keeps every one).
    place = (await stock.warehouses(world.db, 1))[0]
    async with world.db.transaction(bookkeeping=True) as conn:
        await stock.new_batch(
            conn, org_id=1, warehouse_id=place.id, commodity="gabah", grade="GKP",
            quantity=Decimal(500), cost_rupiah=3_250_000, origin="pickup", received_at=0,
            sources={made[0]: Decimal(500)},
        )  # fmt: skip
    made.append(await _a_loan_approved(world, person.id))
    await ani.send("/help")  # a message to press forged buttons on
    return ani, made


async def _a_loan_approved(world, ani_id: int) -> int:
    """A loan product; Ani on the roster (to start /pinjam); Sri's loan approved by two other
    officers, waiting to be paid out (Ani's to pay out by transfer)."""
    from domain import loans as rules
    from storage import loans, roster

    product = await world.db.write(loans.add_product, 1, "umum", rules.Product(
        "Pinjaman Umum", 20_000_000, 24, 100, rules.Method.FLAT, 0, 0, 0, 3_000))  # fmt: skip
    await world.db.write(roster.add, org_id=1, member_number="SP-951", full_name="Ani",
                         phone=f"+62812{ANI:07d}", take_home=5_000_000)  # fmt: skip
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute(
            "UPDATE roster SET person_id = ? WHERE member_number = 'SP-951'", (ani_id,)
        )
        await conn.execute("UPDATE roster SET take_home_rupiah = 5000000")
    sri = await world.db.fetchone("SELECT id, person_id FROM roster WHERE member_number = 'SP-001'")
    loan = await world.db.write(loans.apply, sri["id"], sri["person_id"], product.id, 1_000_000,
                                6, "biaya sekolah", kit.today("Asia/Jakarta").isoformat())  # fmt: skip
    officers = [await _person_with_roles(world, n, [Role.TREASURER]) for n in (952, 953)]
    for officer in officers:
        who = await people.by_telegram_id(world.db, officer.user_id)
        await world.db.write(loans.decide, loan.id, who.id, 1, who.roles, True)
    return loan.id


async def _a_sale_invoiced(world) -> list[int]:
    """A buyer, 500 kg of gabah GKG in a warehouse, a sale of 200 kg of it with 100 kg
    delivered and invoiced: its id (100 kg still to deliver) and its invoice's (unpaid)."""
    from datetime import timedelta

    from storage import sales, stock

    async with world.db.transaction() as conn:
        buyer = await sales.add_buyer(conn, 1, "Bulog Kancab Klaten", "bulog")
        place = await stock.add_warehouse(conn, 1, "Gudang Kujon", KUJON)
        await stock.new_batch(
            conn, org_id=1, warehouse_id=place.id, commodity="gabah", grade="GKG",
            quantity=Decimal(500), cost_rupiah=3_500_000, origin="pickup", received_at=0, sources={},
        )  # fmt: skip
        today = kit.today("Asia/Jakarta")
        sale = await sales.record_sale(conn, 1, buyer.id, "gabah", "GKG", Decimal(200), 8_000,
                                       today, today + timedelta(days=7), "Gudang Bulog Ceper")  # fmt: skip
        await sales.deliver(conn, 1, sale.id, Decimal(100), Decimal(100))
        bill = await sales.issue_invoice(conn, 1, sale.id)
    return [sale.id, bill.id]


async def _press_data(who, data):
    return await who.press_data(who.world.telegram.messages[who.user_id][-1], data)


@dataclass
class Spec:
    """How to bring a conversation to a question, an answer it accepts there, and the first
    words of what it says to that answer."""

    command: str
    start: list[tuple[str, str]]
    answer: tuple[str, str]
    then: str


SPECS = {
    "settings_village": Spec(
        "settings",
        [("send", "/settings"), ("data", "set:area")],
        ("send", "Jawa Tengah"),
        said("Type the name of your regency or city. For example: Klaten."),
    ),
    "offer": Spec("jual", [("send", "/jual")], ("send", "gabah"), "Berapa banyak"),
    "proxy_offer": Spec(
        "jualkan",
        [("send", "/jualkan")],
        ("send", "081288880002"),
        said("What is the farmer's full name?"),
    ),
    "set_price": Spec(
        "setharga",
        [
            ("send", "/setharga"),
            ("press", "💰 Harga beli koperasi"),
            ("send", "gabah"),
            ("press", "GKP (gabah kering panen)"),
        ],
        ("send", "7.000"),  # (a phone number is now over every price's ceiling: domain.money)
        "Periksa harga baru",
    ),  # fmt: skip
    "rafaksi": Spec(
        "rafaksi",
        [("send", "/rafaksi"), ("press", "Gabah"), ("press", "✏️ Ubah")],
        ("send", "25 30"),
        "Ketik batas hampa/kotoran",
    ),
    "window_open": Spec(
        "butuh",
        [
            ("send", "/butuh"),
            ("press", "➕ Buka kebutuhan pembelian"),
            ("send", "gabah"),
            ("press", "GKP (gabah kering panen)"),
        ],
        ("send", "5 ton"),
        "Ketik harga per kg",
    ),  # fmt: skip
    "savings_desk": Spec(
        "setor", [("send", "/setor")], ("send", "081377770001"), "Simpanan yang mana?"
    ),
    "advances": Spec(
        "saprodi",
        [("send", "/saprodi")],
        ("send", f"+62812{ANI:07d}"),
        "Apa yang diterima petani?",
    ),
    "loans": Spec(
        "pinjam",
        [("send", "/pinjam"), ("nth", "0")],
        ("send", "5 juta"),
        said("Over how many months? Type the tenor, for example 12 bulan or 1 tahun."),
    ),
    # (a loan number it does not know: one it knows shows the loan and ends it)
    "loan_repay": Spec(
        "angsur",
        [("send", "/angsur")],
        ("send", "KP-9999"),
        said("No loan being repaid has that number."),
    ),
    # (an answer it refuses: one it takes ends it at once, and pays out)
    "loan_payout": Spec(
        "cairkan",
        [("data", "pjc:t{loan}")],
        ("send", "x"),
        said("A reference is 4 to 40 letters or digits."),
    ),
    "pickup_schedule": Spec("jemput", [("data", "jdw:{offer}")], ("nth", "1"), "Jam berapa"),
    "pickup_weighing": Spec(
        "jemput",
        [("data", "tmb:{scheduled}"), ("press", "GKP (gabah kering panen)")],
        ("send", "100"),
        "Periksa",
    ),
    # (an answer it refuses: one it takes ends it at once, and pays)
    "pickup_transfer": Spec(
        "jemput",
        [("data", "trf:{picked}")],
        ("send", "x"),
        said("A reference is 4 to 40 letters or digits."),
    ),  # fmt: skip
    "sales_buyer": Spec(
        "penjualan",
        [("send", "/penjualan"), ("press", "➕ Pembeli baru")],
        ("send", "SPPG Ceper"),
        "Pembeli ini jenisnya apa?",
    ),
    "sales_sale": Spec(
        "penjualan",
        [("send", "/penjualan"), ("press", "➕ Penjualan baru")],
        ("press", "Bulog Kancab Klaten"),
        "Hasil panen apa yang dijual?",
    ),
    "sales_delivery": Spec(
        "penjualan", [("data", "jlkirim:{sale}")], ("send", "50"), "Berapa yang diterima pembeli"
    ),
    "sales_payment": Spec(
        "penjualan", [("data", "jlbyr:{invoice}")], ("press", "💵 Tunai"), "Berapa yang dibayar"
    ),
    "stock_arrival": Spec(
        "gudang", [("data", "gdg:{picked}")], ("send", "95"), "Silakan periksa kedatangan"
    ),
    # (Ani's network, the root's, has no village cooperative: the area is refused and asked again)
    "announcements": Spec(
        "umumkan",
        [("send", "/umumkan")],
        ("send", "semua"),
        "Belum ada petugas koperasi desa",
    ),
    "stock_work": Spec(
        "gudang",
        [("send", "/gudang"), ("data", "stok:1.gabah.GKP")],
        ("nth", "0"),  # ☀️ drying
        "Apa mutunya sesudah itu?",
    ),
}
# Conversations no pair can reach, and why.
UNPAIRED = {
    # only for people not registered yet, who may start no other conversation (and a
    # registered person's /start answers at once): see test_registration_is_not_ended_by_a_refused_command
    "registration",
    # /pesan orders for a village cooperative: Ani's organisation is the root, where /pesan
    # shows the hub's totals without a conversation (tests/handlers/test_cycles.py)
    "cycle_order",
    # only for officers of a village cooperative, and Ani's cooperative is the root: see
    # tests/handlers/test_monthly_report.py::test_a_report_started_is_ended_by_another_conversation_and_back
    "monthly_report",
    # /belanja is for members of a union cooperative under a hub; Ani's is the root (the
    # conversation is the kit's like the others: tests/handlers/test_member_orders.py)
    "member_order",
    # /talangan is for a hub's officers naming one of its village cooperatives; Ani's
    # organisation is the root (tests/handlers/test_coop_advances.py)
    "coop_advance",
    # the count at delivery starts from 📦 on a closed cycle's order of a village cooperative,
    # the hub's payment from 💰 on an invoice: neither has a command of its own, and Ani's
    # organisation is the root (tests/handlers/test_cycle_delivery.py)
    "cycle_count",
    "cycle_pay",
}


async def _do(who, steps, offer_id):
    replies = []
    for action, value in steps:
        value = value.format(
            offer=offer_id[0],
            scheduled=offer_id[1],
            picked=offer_id[2],
            sale=offer_id[3],
            invoice=offer_id[4],
            loan=offer_id[5],
        )
        if action == "send":
            replies += await who.send(value)
        elif action == "press":
            replies += await who.press(value)
        elif action == "nth":  # the n-th button of the last message
            sent = who.world.telegram.messages[who.user_id][-1]
            buttons = [b for row in sent.reply_markup["inline_keyboard"] for b in row]
            replies += await who.press_data(sent, buttons[int(value)]["callback_data"])
        else:
            replies += await _press_data(who, value)
    return replies


async def _saved(world):
    counts = {}
    for table in ("offers", "buying_prices", "ledger_entries", "pickups", "savings_requests",
                  "buying_windows", "rafaksi_tables", "advances", "loans",
                  "loans WHERE status = 'disbursed'", "monthly_reports", "announcements"):  # fmt: skip
        counts[table] = (await world.db.fetchone(f"SELECT COUNT(*) AS n FROM {table}"))["n"]
    who = await people.by_telegram_id(world.db, ANI)
    return counts, who.village_code


async def _running(world, user_id=ANI):
    """The conversations stored as running for the person's chat."""
    key = f"[{user_id}, {user_id}]"
    rows = await world.db.fetchall("SELECT name FROM ptb_conversations WHERE key = ?", (key,))
    return sorted(row["name"] for row in rows)


def _conversations(world):
    return {c.name: c for c in kit._kit_conversations(world.app)}


def test_the_pairs_cover_the_registry(world):
    assert set(_conversations(world)) == set(SPECS) | UNPAIRED


@pytest.mark.parametrize("first,second", list(itertools.permutations(SPECS, 2)))
async def test_a_conversation_started_ends_the_one_before(world, first, second):
    ani, offer_id = await _ani(world)
    a, b = SPECS[first], SPECS[second]
    before = await _saved(world)
    await _do(ani, a.start, offer_id)
    assert await _running(world) == [first]

    started = await _do(ani, b.start, offer_id)
    replies = await _do(ani, [b.answer], offer_id)
    assert any(r.startswith(b.then) or b.then in r for r in replies), replies
    assert await _running(world) == [second]  # as stored: a restart would not bring it back
    assert first not in world.app.user_data[ANI].get(kit.CONVERSATIONS, {})  # nor its drafts
    assert await _saved(world) == before  # nothing of the first saved
    assert started.count(stopped(a.command)) == 1


async def _admin_treasurer(world):
    await _member(world)  # Sri Wahyuni, phone 0813-7777-0001
    return await _person_with_roles(world, 961, [Role.ADMIN, Role.TREASURER])


async def _prices_set(world):
    return await world.db.fetchall("SELECT id FROM buying_prices WHERE set_by IS NOT NULL")


async def _at_the_price_question(admin):
    await admin.send("/setharga")
    await admin.press("💰 Harga beli koperasi")
    await admin.send("cabe")
    await admin.press("Cabai merah")
    assert (await admin.press("Mutu A"))[0].startswith("Ketik harga baru per kg")


async def test_a_phone_typed_at_the_desk_is_not_taken_as_a_price(world):
    """The reproduction: /setharga left at the price question, /setor, the member's phone."""
    admin = await _admin_treasurer(world)
    await _at_the_price_question(admin)
    started = await admin.send("/setor")
    answered = await admin.send("081377770001")
    assert not any("Rp81.377.770.001" in text for text in admin.texts())
    if any(text.startswith("Periksa harga baru") for text in answered):
        await admin.press(YES_ID)  # what the person did: ✅ saved it "for all areas"
    assert await _prices_set(world) == []
    assert answered == [said("Which savings?")]
    assert started[0] == stopped("setharga")
    assert started[1].startswith("Anggota yang mana?")


async def test_an_abandoned_village_change_does_not_answer_the_offer(world):
    ani, _offer = await _ani(world)
    await _do(ani, SPECS["settings_village"].start, _offer)
    started = await ani.send("/jual")
    replies = await ani.send("cabe")
    assert replies[0].startswith("Pilih mutu cabai merah")
    assert started[0] == stopped("settings")


async def test_cancel_ends_every_conversation_even_two_left_from_before(world):
    """A database from before this rule may hold two running conversations for one chat."""
    admin = await _admin_treasurer(world)
    await _at_the_price_question(admin)
    async with world.db.transaction(bookkeeping=True) as conn:  # /setor left at its question
        await conn.execute(
            "INSERT INTO ptb_conversations (name, key, state) VALUES ('savings_desk', ?, ?)",
            ("[961, 961]", '"desk.find"'),
        )
    await world.restart()
    admin = world.person(961)
    conversations = _conversations(world)
    assert "savings_desk" in await _running(world, 961)  # stored; read at 961's next update
    assert await admin.send("/cancel") == [
        said("Cancelled. Nothing was changed. Send /help to see what you can do.")
    ]
    assert not any(c.running((961, 961)) for c in conversations.values())
    assert await admin.send("081377770001") == [
        said("Sorry, I did not understand that. Send /help to see what I can do.")
    ]
    await world.restart()
    rows = await world.db.fetchall("SELECT name FROM ptb_conversations")
    assert [row["name"] for row in rows] == []


async def test_drafts_are_kept_per_conversation(world):
    ani, _offer = await _ani(world)
    await ani.send("/jualkan")
    await ani.send("081288880002")  # a new farmer: the name is asked next
    kept = world.app.user_data[ANI][kit.CONVERSATIONS]
    assert kept["proxy_offer"]["drafts"]["offer"]["farmer_phone"] == "+6281288880002"
    await ani.send("/jual")
    await ani.send("gabah")
    kept = world.app.user_data[ANI][kit.CONVERSATIONS]
    assert list(kept) == ["offer"]
    assert kept["offer"]["drafts"]["offer"].get("farmer_phone") is None


async def test_an_answer_after_a_day_finds_the_conversation_expired(world, monkeypatch):
    admin = await _admin_treasurer(world)
    await _at_the_price_question(admin)
    await world.restart()  # the time of the last answer is kept across a restart
    admin = world.person(961)
    later = kit.clock() + timedelta(hours=25)
    monkeypatch.setattr(kit, "clock", lambda: later)
    assert await admin.send("6500") == [
        said("Your answers to /{command} were left more than a day ago and have expired. Nothing was saved. Send /{command} to start again.", command="setharga")
    ]  # fmt: skip
    assert await _prices_set(world) == []
    assert await admin.send("6500") == [
        said("Sorry, I did not understand that. Send /help to see what I can do.")
    ]


async def test_an_answer_within_a_day_goes_on(world, monkeypatch):
    admin = await _admin_treasurer(world)
    await _at_the_price_question(admin)
    later = kit.clock() + timedelta(hours=23)
    monkeypatch.setattr(kit, "clock", lambda: later)
    assert (await admin.send("6500"))[0].startswith("Periksa harga baru")


async def test_a_lost_draft_names_the_command_that_started_it(world):
    admin = await _admin_treasurer(world)
    await admin.send("/tarik")
    assert "Ketik jumlahnya" in (await admin.send("081377770001"))[0]
    world.app.user_data[961][kit.CONVERSATIONS]["savings_desk"]["drafts"].clear()
    replies = await admin.send("50000")
    assert replies[-1] == said(
        "Sorry, I lost your earlier answers. Please start again with /{command}.", command="tarik"
    )


async def test_registration_is_not_ended_by_a_refused_command(world):
    budi = world.person(971)
    await budi.send("/start")
    await budi.press("Bahasa Indonesia")
    assert await budi.send("/jual") == [said("Please register first: send /start.")]
    assert (await budi.press("🌾 Saya petani"))[0].startswith("Tekan tombol")
