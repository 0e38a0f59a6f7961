"""A buying window's price is what the farmer gets: an offer that counts toward a window locks
the higher of the window's price and the buying price in force; the /jual question and the
summary say so before the farmer confirms; a window that fills meanwhile is not paid."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from domain import windows as rules
from domain.people import Role
from storage import offers, pickups, prices, windows
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.handlers.test_windows import START, _farmer, _person_id, _sells


async def _window(world, price: int, target: str = "5000", grade: str = "GKP"):
    return await world.db.write(
        windows.open_window, org_id=1, commodity="gabah", grade=grade, area_prefix="33.10",
        target=Decimal(target), target_unit="ton", price_rupiah=price,
        deadline=rules.deadline_of(date.today() + timedelta(days=10), "Asia/Jakarta"),
        opened_by=None,
    )  # fmt: skip


async def _board(world, grade: str = "GKP", price: int = 6500):
    await world.db.write(
        prices.set_price, commodity="gabah", grade=grade, area_prefix="33", price_rupiah=price,
        valid_from=START,
    )  # fmt: skip


async def _sells_gkp(who, village: str, amount: str) -> None:
    """/jual where the board has two grades of gabah: GKP picked."""
    await who.send("/jual")
    await who.send("gabah")
    await who.press("GKP (gabah kering panen)")
    await who.send(amount)
    await who.press("Besok")
    await who.tap(f"🏠 Di desa saya, {village}")
    await who.press("✅ Ya, simpan")


async def _offer_of(world, user_id: int):
    return (await offers.of_farmer(world.db, await _person_id(world, user_id)))[0]


async def test_a_window_paying_more_is_the_price_the_farmer_sees_and_locks(world):
    await _board(world)
    window = await _window(world, 6800)
    budi = await _farmer(world, 1201, "Budi", "Kujon")
    joko = await _farmer(world, 1202, "Joko", "Cirahab")  # outside 33.10

    await budi.send("/jual")
    question = (await budi.send("gabah"))[-1]
    assert f"(#{window.id}). Harga dijamin koperasi: Rp6.800 per kg.\n" in question
    await budi.send("2 ton")
    await budi.press("Besok")
    summary = (await budi.tap("🏠 Di desa saya, Kujon"))[-1]
    assert "Harga beli koperasi: Rp6.800 per kg\nPerkiraan total: Rp13.600.000\n" in summary
    assert (
        f"Harga ini khusus untuk kebutuhan koperasi #{window.id}. Harga beli biasa: Rp6.500 per kg."
        in summary
    )
    await budi.press("✅ Ya, simpan")
    assert (await _offer_of(world, 1201)).price_rupiah == 6800

    replies = await _sells(joko, "Cirahab", "1 ton")  # outside the area: the board's price
    assert not any("kebutuhan" in r for r in replies)
    assert (await _offer_of(world, 1202)).price_rupiah == 6500

    # the weighing pays the window's price
    andi = await _person_with_roles(world, 1203, [Role.COORDINATOR])
    andi_id = await _person_id(world, 1203)
    offer = await _offer_of(world, 1201)
    roles = frozenset({Role.COORDINATOR})
    await world.db.write(offers.set_coverage, andi_id, ("33",))
    await world.db.write(offers.take, offer.id, andi_id, roles)
    await world.db.write(pickups.schedule, offer.id, andi_id, roles, date.today(), (6, 9))
    _offer, pickup = await world.db.write(
        pickups.record, offer.id, andi_id, roles, "GKP", Decimal(2000)
    )
    assert (pickup.price_rupiah, pickup.amount_rupiah) == (6800, 13_600_000)
    assert andi is not None


async def test_a_window_paying_less_never_lowers_the_price(world):
    await _board(world)
    window = await _window(world, 6000)
    budi = await _farmer(world, 1211, "Budi", "Kujon")
    replies = await _sells(budi, "Kujon", "1 ton")
    question, summary = replies[1], replies[-2]
    assert f"(#{window.id})." in question and "Harga dijamin" not in question
    assert "Harga beli koperasi: Rp6.500 per kg" in summary and "Harga beli biasa" not in summary
    offer = await _offer_of(world, 1211)
    assert offer.price_rupiah == 6500
    assert await windows.window_of_offer(world.db, offer.id) == window.id  # it still counts


async def test_a_window_filled_before_the_farmer_confirms_is_not_paid(world):
    await _board(world)
    window = await _window(world, 6800, target="1000")
    budi = await _farmer(world, 1221, "Budi", "Kujon")
    sari = await _farmer(world, 1222, "Sari", "Pokak")
    await budi.send("/jual")
    await budi.send("gabah")
    await budi.send("1 ton")
    await budi.press("Besok")
    assert "Rp6.800 per kg" in (await budi.tap("🏠 Di desa saya, Kujon"))[-1]

    await _sells(sari, "Pokak", "1 ton")  # fills the window first, at its price
    assert (await _offer_of(world, 1222)).price_rupiah == 6800
    assert (await windows.get(world.db, window.id)).state == rules.State.FILLED

    told = await budi.press("✅ Ya, simpan")
    assert told[0] == "Harga atau potongan baru saja berubah. Silakan periksa lagi."
    assert "Harga beli koperasi: Rp6.500 per kg" in told[-1] and "Harga beli biasa" not in told[-1]
    assert await offers.of_farmer(world.db, await _person_id(world, 1221)) == []
    await budi.press("✅ Ya, simpan")
    assert (await _offer_of(world, 1221)).price_rupiah == 6500


async def test_a_grade_found_at_the_scale_keeps_the_window_only_where_it_takes_that_grade(world):
    await _board(world, "GKP", 6500)
    await _board(world, "GKG", 6700)
    any_grade = await _window(world, 6900, grade=rules.ANY_GRADE)
    budi = await _farmer(world, 1231, "Budi", "Kujon")
    await _sells_gkp(budi, "Kujon", "1 ton")
    offer = await _offer_of(world, 1231)
    assert offer.price_rupiah == 6900
    assert await pickups.locked_price(world.db, offer, "GKG") == 6900  # any grade: still 6.900

    await world.db.write(windows.close, any_grade.id, None, None, False)
    only_gkp = await _window(world, 6600)
    sari = await _farmer(world, 1232, "Sari", "Pokak")
    await _sells_gkp(sari, "Pokak", "1 ton")
    offer = await _offer_of(world, 1232)
    assert await windows.window_of_offer(world.db, offer.id) == only_gkp.id
    assert offer.price_rupiah == 6600
    assert await pickups.locked_price(world.db, offer, "GKG") == 6700  # the board's GKG
