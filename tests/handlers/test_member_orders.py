"""/belanja and /serahkan (issue 18, union members order in a cycle): a member of a union
cooperative under the hub orders with sukarela, is refused beyond the balance, orders less;
the hold shows in /saldo and /tarik cannot take it; a cancel releases it, a reorder holds it
again; after the close the PUK's officer hands it over and the ledger posts it once. The payroll
path; forged buttons (another hub's cycle, another organisation's order); the close."""

from __future__ import annotations

import pytest

from domain import ledger as L
from domain.ledger import SavingsKind, SavingsWithdrawalRefused
from domain.member_orders import PayBy
from domain.people import Role
from storage import cycles, ledger, orgs, roster, savings_desk
from storage import member_orders as stored
from storage.db import now_utc
from tests.cycles_seed import open_cycle
from tests.handlers.flows import YES_ID, register_member
from tests.handlers.test_network import _someone
from tests.network_seed import hub_with_network
from tests.texts import said

PHONE = "+6281377770001"
PICK = "SP-0001 Sembako Desember"
BERAS, MINYAK = "Beras SPHP 5 kg", "Minyak goreng 1 L"
NOT_ACTIVE = "This button is no longer active."


def summary() -> str:
    return said("🧾 See the summary")


def sukarela() -> str:
    return said("💰 From my voluntary savings")


def payroll() -> str:
    return said("🧾 Payroll deduction next month")


@pytest.fixture
async def union(world):
    return await union_world(world)


async def union_world(world) -> dict:
    """The hub with one village cooperative and an open cycle; a union cooperative under the
    hub (Koperasi Buruh Klaten) with Sri on its roster (sukarela Rp150.000, take-home
    Rp2.000.000) and its treasurer Tono; a cooperative under another hub with Wati."""
    ids = await hub_with_network(world.db, klaten=1, boyolali=0)
    cycle, suppliers, items = await open_cycle(world.db, ids["hub"], minimum=700_000)
    await world.db.write(
        orgs.add, code="kop-buruh", name="Koperasi Buruh Klaten", kind="coop_primary", parent_code="hub"
    )  # fmt: skip
    await world.db.write(
        orgs.add, code="kop-lain", name="Koperasi Buruh Lain", kind="coop_primary", parent_code="other-hub"
    )  # fmt: skip
    buruh = (await orgs.by_code(world.db, "kop-buruh")).id
    lain = (await orgs.by_code(world.db, "kop-lain")).id
    await world.db.write(
        roster.add, org_id=buruh, member_number="B-001", full_name="Sri Wahyuni", phone=PHONE,
        take_home=2_000_000,
    )  # fmt: skip
    await world.db.write(
        roster.add, org_id=lain, member_number="L-001", full_name="Wati", phone="+6281377770002"
    )
    roster_id = (await world.db.fetchone("SELECT id FROM roster WHERE member_number = 'B-001'"))[
        "id"
    ]
    await world.db.write(
        ledger.post,
        [L.debit(L.cash(buruh), 150_000), L.credit(L.member_savings(roster_id, SavingsKind.SUKARELA), 150_000)],
        None, "Setoran sukarela",
    )  # fmt: skip
    sri = world.person(981, "Sri")
    await register_member(sri, PHONE[1:])
    wati = world.person(983, "Wati")
    await register_member(wati, "6281377770002")
    tono = await _someone(world, 982, buruh, [Role.TREASURER], name="Tono Wijaya")
    return {"cycle": cycle, "items": items, "suppliers": suppliers, "roster": roster_id,
            "sri": sri, "wati": wati, "tono": tono, "buruh": buruh, "hub": ids["hub"]}  # fmt: skip


def _refused(world) -> bool:
    return world.telegram.calls_of("answerCallbackQuery")[-1].params.get("text") == said(NOT_ACTIVE)


async def _sukarela(world, roster_id: int) -> int:
    return await ledger.balance(world.db, L.member_savings(roster_id, SavingsKind.SUKARELA))


async def test_a_member_orders_from_sukarela_holds_it_and_picks_it_up(world, union):
    sri, tono, roster_id = union["sri"], union["tono"], union["roster"]
    beras, minyak, _npk = union["items"]
    assert await sri.send("/belanja") == [said("Which order cycle? Pick one.")]
    (items_text,) = await sri.press(PICK)
    assert "Beras SPHP 5 kg: Rp62.000 + biaya hub Rp2.000 per karung, sisa 40 karung" in items_text
    await sri.press(BERAS)
    await sri.send("5 karung")
    (asked,) = await sri.press(summary())
    assert "5 karung Beras SPHP 5 kg: Rp320.000" in asked
    assert sri.buttons()[-3:] == [sukarela(), payroll(), said("✏️ Change the order")]
    # Rp320.000 from Rp150.000 of sukarela: refused with the balance, asked again
    refused, again = await sri.press(sukarela())
    assert refused == said(
        "Your voluntary savings: {available}. Your shopping: {total}. Order less, or pay by payroll deduction.",
        available="Rp150.000", total="Rp320.000",
    )  # fmt: skip
    assert again.endswith(said("How will you pay? Pick one."))
    # orders less: 2 sacks (Rp128.000)
    await sri.press(said("✏️ Change the order"))
    await sri.press(BERAS)
    await sri.send("2")
    await sri.press(summary())
    (confirm,) = await sri.press(sukarela())
    assert "2 karung Beras SPHP 5 kg: Rp128.000" in confirm
    assert said("Paid from: voluntary savings (held now, taken at pickup)") in confirm
    assert "Koperasi Buruh Klaten" in confirm
    (saved,) = await sri.press(YES_ID)
    assert saved.startswith(
        said("Order {number} is saved: {total}.", number="PSN-0001", total="Rp128.000")
    )
    order = await stored.order_of(world.db, union["cycle"].id, (await _person_id(world, 981)))
    assert (
        order.pay_by == "sukarela"
        and order.org_id == union["buruh"]
        and order.roster_id == roster_id
    )
    assert (await cycles.item(world.db, beras.id)).left == 38  # the stock is the cooperatives' too
    assert await stored.held(world.db, roster_id) == 128_000
    assert await _sukarela(world, roster_id) == 150_000  # held, not taken

    # /saldo shows the hold
    (balance,) = await sri.send("/saldo")
    assert said("Held for shopping: {amount}", amount="Rp128.000") in balance.splitlines()
    # /tarik cannot take what is held: Rp22.000 is available
    await tono.send("/tarik")
    await tono.send("B-001")
    (too_much,) = await tono.send("50.000")
    assert too_much.startswith(said(
        "That is more than can be withdrawn: {balance}. {held} is held for goods the member ordered.",
        balance="Rp22.000", held="Rp128.000"))  # fmt: skip
    with pytest.raises(SavingsWithdrawalRefused):
        await world.db.write(
            savings_desk.ask_withdrawal, roster_id, SavingsKind.SUKARELA, 22_001, 982
        )
    await tono.send("/cancel")

    # cancel releases the hold and the stock
    await sri.send("/belanja")
    (existing,) = await sri.press(PICK)
    assert existing.startswith(
        said("Your order {number} in {cycle}:", number="PSN-0001", cycle="Sembako Desember")
    )
    (cancelled,) = await sri.press(said("❌ Cancel the order"))
    assert (
        said("The {amount} held from your voluntary savings is free again.", amount="Rp128.000")
        in cancelled
    )
    assert await stored.held(world.db, roster_id) == 0
    assert (await cycles.item(world.db, beras.id)).left == 40
    assert (
        said("Held for shopping: {amount}", amount="Rp128.000") not in (await sri.send("/saldo"))[0]
    )

    # reorder: 1 sack and 2 litres (Rp95.000), the same PSN number
    await sri.send("/belanja")
    await sri.press(PICK)
    await sri.press(BERAS)
    await sri.send("1")
    await sri.press(MINYAK)
    await sri.send("2 liter")
    await sri.press(summary())
    await sri.press(sukarela())
    (saved,) = await sri.press(YES_ID)
    assert saved.startswith(
        said("Order {number} is saved: {total}.", number="PSN-0001", total="Rp95.000")
    )
    assert await stored.held(world.db, roster_id) == 95_000

    # nothing to hand over before the close
    assert await tono.send("/serahkan") == [
        said("No member's order is waiting at your cooperative now.")
    ]
    assert await world.db.write(cycles.close, union["cycle"].id)
    # after the close: refused with the close time
    from bot.cycle_papers import closing_time
    from bot.i18n import use_locale

    with use_locale("id"):
        close_said = closing_time(await cycles.get(world.db, union["cycle"].id), "Asia/Jakarta")
    assert await sri.send("/belanja") == [
        said("Orders for {cycle} closed {time}. No other order cycle of your hub is open now.",
             cycle="Sembako Desember", time=close_said)
    ]  # fmt: skip
    # the member is told at the close, once
    from handlers import member_orders as member_handlers

    jobs = {job.name: job for job in world.app.job_queue.jobs()}
    await jobs["tell-member-orders"].run(world.app)  # the job as scheduled
    assert await member_handlers.tell_closed(world.db, None) == 0  # told once
    await world.outbox_sent()
    assert sri.texts()[-1].startswith(said("Orders for {cycle} are closed. Your order {number}:", cycle="Sembako Desember", number="PSN-0001"))  # fmt: skip
    # the delivery plan carries it to the member's organisation (no desa: kecamatan "-")
    from bot import cycle_papers

    hub = await orgs.by_id(world.db, union["hub"])
    pdf, count = await cycle_papers.plan_pdf(
        world.db, hub, await cycles.get(world.db, union["cycle"].id)
    )
    assert count == 2 and pdf.startswith(b"%PDF")
    # the officer hands it over: posted once, the member told
    listing = await tono.send("/serahkan")
    assert listing[1].startswith(said("{number}: {name} ({member_number})", number="PSN-0001", name="Sri Wahyuni", member_number="B-001"))  # fmt: skip
    card = world.telegram.messages[982][-1]
    done = await tono.press(said("✅ Handed over"))
    assert done == [
        said("{number} is handed over. {total} is recorded.", number="PSN-0001", total="Rp95.000")
    ]
    again = await tono.press_data(card, f"blh:{order.id}")  # a double tap
    assert again == [said("{number} was handed over already.", number="PSN-0001")]
    await world.outbox_sent()
    told = sri.texts()[-1]
    assert told.startswith(said("You picked up your order {number} at {place}.", number="PSN-0001", place="Koperasi Buruh Klaten"))  # fmt: skip

    # the ledger: sukarela down Rp95.000, the supplier owed the goods, the hub its fees
    assert await _sukarela(world, roster_id) == 55_000
    assert await stored.held(world.db, roster_id) == 0
    bulog = union["suppliers"][0]
    assert await ledger.balance(world.db, L.supplier_payable(bulog.id)) == 62_000 + 2 * 15_000
    assert await ledger.balance(world.db, L.hub_fees(union["hub"])) == 2_000 + 2 * 500
    entries = await world.db.fetchall(
        "SELECT COUNT(*) AS n FROM ledger_entries WHERE reference = ?",
        (f"member-order:{order.id}",),
    )
    assert entries[0]["n"] == 1
    moves = "\n".join(await sri.send("/mutasi"))
    assert said("Goods from the hub, order {number}", number="PSN-0001") in moves


async def _closes_at(world, cycle_id: int, at: int) -> None:
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute("UPDATE order_cycles SET closes_at = ? WHERE id = ?", (at, cycle_id))


async def _person_id(world, user_id: int) -> int:
    return (
        await world.db.fetchone("SELECT id FROM people WHERE telegram_user_id = ?", (user_id,))
    )["id"]


async def test_payroll_needs_the_take_home_pay_and_stays_within_its_share(world, union):
    sri, tono, roster_id = union["sri"], union["tono"], union["roster"]
    # without a take-home pay on the roster: refused with what to do
    await world.db.write(roster.set_take_home, roster_id, None)
    await sri.send("/belanja")
    await sri.press(PICK)
    await sri.press(BERAS)
    await sri.send("1")
    await sri.press(summary())
    refused, _again = await sri.press(payroll())
    assert refused == said("Your cooperative does not know your take-home pay. Payroll deduction is not possible. Pay from voluntary savings, or ask your cooperative.")  # fmt: skip
    await world.db.write(roster.set_take_home, roster_id, 2_000_000)
    await sri.send("/cancel")
    await sri.send("/belanja")
    await sri.press(PICK)
    await sri.press("Pupuk NPK 50 kg")
    await sri.send("4 sak")  # Rp740.000: over 30 % of Rp2.000.000
    await sri.press(summary())
    refused, _again = await sri.press(payroll())
    assert refused == said(
        "On payroll you may buy at most {room} more: {share} of your take-home pay, less what is still to be deducted. Your shopping: {total}. Order less.",
        room="Rp600.000", share="30%", total="Rp740.000",
    )  # fmt: skip
    await sri.press(said("✏️ Change the order"))
    await sri.press("Pupuk NPK 50 kg")
    await sri.send("3")
    await sri.press(summary())
    (confirm,) = await sri.press(payroll())
    assert said("Paid by: payroll deduction next month") in confirm
    (saved,) = await sri.press(YES_ID)
    assert said("It is deducted from your pay after pickup.") in saved
    assert await stored.held(world.db, roster_id) == 0  # payroll holds no sukarela
    assert await stored.payroll_owed(world.db, roster_id) == 555_000
    await world.db.write(cycles.close, union["cycle"].id)
    await tono.send("/serahkan")
    await tono.press(said("✅ Handed over"))
    assert await ledger.balance(world.db, L.member_receivable(roster_id)) == 555_000
    assert await _sukarela(world, roster_id) == 150_000
    pupuk = union["suppliers"][1]
    assert await ledger.balance(world.db, L.supplier_payable(pupuk.id)) == 540_000
    assert await stored.payroll_owed(world.db, roster_id) == 555_000  # owed now in the ledger


async def test_forged_buttons_and_the_close(world, union):
    sri, tono, wati = union["sri"], union["tono"], union["wati"]
    # Wati's cooperative is under another hub: no cycle for her, and a forged one is refused
    assert await wati.send("/belanja") == [
        said("No order cycle of your cooperative's hub is open now. Please try again later.")
    ]
    # Sri's order, then the cycle closes while she is at the confirmation
    await sri.send("/belanja")
    sent = world.telegram.messages[981][-1]
    await sri.press_data(sent, "blc:999")  # a cycle never offered
    assert _refused(world)
    await sri.press(PICK)
    await sri.press(BERAS)
    await sri.send("1")
    await sri.press(summary())
    await sri.press(sukarela())
    await _closes_at(world, union["cycle"].id, now_utc() - 1)
    from bot.cycle_papers import closing_time
    from bot.i18n import use_locale

    cycle = await cycles.get(world.db, union["cycle"].id)
    with use_locale("id"):
        close_said = closing_time(cycle, "Asia/Jakarta")
    (closed,) = await sri.press(YES_ID)
    assert closed == said("Orders are closed since {time}. Nothing was saved.", time=close_said)

    # an order handed over by an officer of another organisation: refused
    await _closes_at(world, cycle.id, now_utc() + 3600)
    person = await _person_id(world, 981)
    order = await world.db.write(
        stored.place, cycle.id, union["roster"], person, union["buruh"], {union["items"][0].id: 1}, PayBy.SUKARELA
    )  # fmt: skip
    await world.db.write(cycles.close, cycle.id)
    stranger = await _someone(world, 984, union["hub"], [Role.ADMIN], name="Orang Lain")
    await stranger.send("/serahkan")
    await stranger.press_data(world.telegram.messages[984][-1], f"blh:{order.id}")
    assert _refused(world)
    # nobody hands over their own order: Sri made an officer of her cooperative
    async with world.db.transaction(bookkeeping=True) as conn:
        from storage import people

        await people.add_role(conn, person, Role.COORDINATOR)
    await sri.send("/serahkan")
    assert await sri.press(said("✅ Handed over")) == [
        said("You cannot hand over your own order. Ask another officer.")
    ]
    assert (await stored.get(world.db, order.id)).status == "frozen"
    await tono.send("/serahkan")
    await tono.press(said("✅ Handed over"))
    assert (await stored.get(world.db, order.id)).status == "delivered"


async def test_a_withdrawal_approved_after_an_order_respects_its_hold(world, union):
    roster_id, cycle = union["roster"], union["cycle"]
    tono = await _person_id(world, 982)
    asked = await world.db.write(
        savings_desk.ask_withdrawal, roster_id, SavingsKind.SUKARELA, 100_000, tono
    )
    person = await _person_id(world, 981)
    beras = union["items"][0]
    await world.db.write(
        stored.place, cycle.id, roster_id, person, union["buruh"], {beras.id: 2}, PayBy.SUKARELA
    )
    await _someone(world, 985, union["buruh"], [Role.ADMIN], name="Admin Buruh")
    admin = await _person_id(world, 985)
    with pytest.raises(SavingsWithdrawalRefused):  # Rp128.000 of Rp150.000 is held
        await world.db.write(savings_desk.decide, asked.id, admin, frozenset({Role.ADMIN}), True)
    assert await _sukarela(world, roster_id) == 150_000
