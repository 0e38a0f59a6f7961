"""Issue 14, section 2: money that cannot go wrong and roles that cannot be stretched.
Ceilings on every amount, nobody dealing with himself, disputes before payment, only
coordinators taking offers, administrators' actions scoped to their cooperatives, and the
treasurer's pay buttons."""

from __future__ import annotations

import re

import pytest

import handlers  # noqa: F401  (registers every button family)
from domain.people import Role
from handlers.kit import Buttons
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.harness import Sent
from tests.texts import said

WENT_WRONG = said("Sorry, something went wrong on our side. Please try again in a moment.")


def _forged_values(family: Buttons) -> list[str]:
    """Values of ``family`` made of as many digits as its pattern lets through: a forged
    button with an id past SQLite's 64-bit integers."""
    found = []
    for digits in ("9" * 30,):
        for shape in (
            "{d}", "ok{d}", "no{d}", "{d}b{d}", "{d}m{d}", "{d}d20261203", "{d}m0", "+{d}",
        ):  # fmt: skip
            for cut in range(len(digits) + 20, 0, -1):
                value = shape.format(d=digits)[:cut]
                if family.regex.match(f"{family.prefix}:{value}"):
                    found.append(value)
                    break
    return sorted(set(found))


FAMILIES = sorted(
    (prefix, value)
    for prefix, family in Buttons.registry.items()
    for value in _forged_values(family)
    if re.search(r"\d{12}", value)
)


@pytest.mark.parametrize(("prefix", "value"), FAMILIES, ids=lambda v: str(v)[:14])
async def test_a_forged_button_with_a_huge_number_is_refused_not_a_crash(world, prefix, value):
    everyone = await _person_with_roles(world, 990, list(Role))
    await everyone.send("/help")
    sent = world.telegram.messages[990][-1]
    await everyone.press_data(Sent(sent.message_id, 990, sent.text), f"{prefix}:{value}")
    assert WENT_WRONG not in everyone.texts()


# --- limits on every amount --------------------------------------------------------------


@pytest.mark.parametrize("typed", ["9.000.000.000.000.000.000", "9" * 20, "081377770001"])
async def test_setharga_refuses_a_price_over_the_commodity_ceiling_and_asks_again(world, typed):
    from storage import prices

    admin = await _person_with_roles(world, 901, [Role.ADMIN])
    await admin.send("/setharga")
    await admin.press("💰 Harga beli koperasi")
    await admin.send("cabe")
    await admin.press("Cabai merah")
    await admin.press("Mutu A")
    answer = await admin.send(typed)
    assert WENT_WRONG not in answer
    assert len(answer) == 1 and "Rp1.000.000" in answer[0]  # what is allowed
    assert answer[0].endswith("Ketik harga baru per kg, misalnya Rp6.500.")  # asked again
    assert (await admin.send("31.500"))[0].startswith("Periksa harga baru:")
    rows = await world.db.fetchall("SELECT 1 FROM buying_prices WHERE price_rupiah > 1000000")
    assert rows == []
    with pytest.raises(Exception) as refused:
        await world.db.write(
            prices.set_price, commodity="cabai_merah", grade="A", area_prefix="",
            price_rupiah=1_000_001, valid_from=0,
        )  # fmt: skip
    assert getattr(refused.value, "reason", None) == "price.too_high"


@pytest.mark.parametrize("typed", ["9.000.000.000.000.000", "9" * 25, "100.000.001"])
async def test_a_deposit_over_the_desk_ceiling_is_refused_and_asked_again(world, typed):
    from domain.ledger import SavingsKind
    from storage import savings as stored
    from tests.handlers.test_savings_desk import _desk

    _sri, roster_id, tono, _ani = await _desk(world)
    await tono.send("/setor")
    await tono.send("sri wahyuni")
    await tono.press("Simpanan sukarela")
    answer = await tono.send(typed)
    assert WENT_WRONG not in answer
    assert len(answer) == 1 and "Rp100.000.000" in answer[0]
    assert "Ketik jumlahnya" in answer[0]  # the question again
    assert (await tono.send("100.000.000"))[0].startswith("Setor Rp100.000.000")
    assert (await stored.balances(world.db, roster_id))[SavingsKind.SUKARELA] == 250_000


# --- nobody deals with himself; only coordinators take; disputes; treasurers pay ----------

from domain import ledger as L  # noqa: E402
from storage import ledger, offers, people  # noqa: E402
from tests.handlers.flows import YES_ID, register_farmer  # noqa: E402
from tests.handlers.test_offer import _coordinator, _prices  # noqa: E402
from tests.handlers.test_offtake_field import HOME  # noqa: E402


async def _gabah(farmer, amount="200 kg"):
    await farmer.send("/jual")
    await farmer.press("Gabah")
    await farmer.send(amount)
    await farmer.press("Besok")
    await farmer.tap(HOME)
    await farmer.press(YES_ID)


async def _farmer_coordinator(world):
    """Budi farms in Kujon and is also the coordinator of Kab. Klaten."""
    await _prices(world)
    budi = world.person(701, "Budi")
    await register_farmer(budi)
    person = await people.by_telegram_id(world.db, 701)
    async with world.db.transaction(bookkeeping=True) as conn:
        await people.add_role(conn, person.id, Role.COORDINATOR)
    await world.db.write(offers.set_coverage, person.id, ("33.10",))
    return budi, person


async def _last_offer(world, person):
    return (await offers.of_farmer(world.db, person.id))[0]


def _answered(world):
    return world.telegram.calls_of("answerCallbackQuery")[-1].params.get("text")


async def test_a_coordinator_who_farms_is_not_alerted_and_cannot_take_his_own_offer(world):
    budi, person = await _farmer_coordinator(world)
    sari = await _coordinator(world, 731, "33.10")
    await _gabah(budi)
    offer = await _last_offer(world, person)
    alerted = {p for p, _c, _m in await offers.alerts(world.db, offer.id)}
    assert person.id not in alerted and alerted  # Sari was alerted, Budi was not
    sent = world.telegram.messages[701][-1]
    await budi.press_data(sent, f"ambil:{offer.id}")  # forged: his own offer
    assert (await offers.get(world.db, offer.id)).status == "open"
    assert _answered(world) == said(
        "Offer {number} is your own. Another person of the cooperative handles it."
    ).format(number=offer.number)
    await sari.press("✋ Ambil penjemputan ini")
    assert (await offers.get(world.db, offer.id)).taker_id != person.id


async def _scheduled_by(world, coordinator, offer):
    await coordinator.press("✋ Ambil penjemputan ini")
    await coordinator.press("📅 Jadwalkan penjemputan")
    await coordinator.press(coordinator.buttons()[-6])
    await coordinator.press("09.00–12.00")


async def _weigh(coordinator, offer, weight):
    await coordinator.send("/jemput")
    await coordinator.press(f"⚖️ Timbang {offer.number}")
    await coordinator.press("GKP (gabah kering panen)")
    await coordinator.send(weight)
    return await coordinator.press(YES_ID)


async def test_a_weight_far_above_the_offer_waits_for_a_second_person(world):
    await _prices(world)
    budi = world.person(701, "Budi")
    await register_farmer(budi)
    farmer = await people.by_telegram_id(world.db, 701)
    sari = await _coordinator(world, 731, "33.10")
    admin = await _person_with_roles(world, 741, [Role.ADMIN])
    await _gabah(budi, "200 kg")
    offer = await _last_offer(world, farmer)
    await _scheduled_by(world, sari, offer)
    budi.take_new()
    said_back = await _weigh(sari, offer, "2 ton")
    assert said_back == [said(
        "The weight is far above the offer, so a second person must confirm it. I asked the administrators and the other coordinators. The farmer gets the receipt after that."
    )]  # fmt: skip
    assert (await offers.get(world.db, offer.id)).status == "scheduled"
    assert await ledger.balance(world.db, L.farmer_payable(farmer.id)) == 0
    assert budi.take_new() == []  # no receipt yet
    assert offer.number in admin.texts()[-1] and "2.000 kg" in admin.texts()[-1]
    # the weigher cannot confirm his own weighing with a forged button
    sent = world.telegram.messages[731][-1]
    await sari.press_data(sent, f"tbcek:ok{offer.id}")
    assert (await offers.get(world.db, offer.id)).status == "scheduled"
    await admin.press("✅ Sesuai")
    assert (await offers.get(world.db, offer.id)).status == "picked_up"
    assert await ledger.balance(world.db, L.farmer_payable(farmer.id)) == 13_000_000
    assert budi.take_new()[-1].startswith(f"Tanda terima {offer.number}")
    assert "💵 Dibayar tunai" in sari.buttons()


async def test_a_refused_weighing_is_weighed_again(world):
    await _prices(world)
    budi = world.person(701, "Budi")
    await register_farmer(budi)
    farmer = await people.by_telegram_id(world.db, 701)
    sari = await _coordinator(world, 731, "33.10")
    admin = await _person_with_roles(world, 741, [Role.ADMIN])
    await _gabah(budi, "200 kg")
    offer = await _last_offer(world, farmer)
    await _scheduled_by(world, sari, offer)
    await _weigh(sari, offer, "2 ton")
    await admin.press("❌ Timbang lagi")
    assert sari.texts()[-1].endswith("Silakan timbang lagi.")
    await _weigh(sari, offer, "210 kg")  # within the rule: recorded at once
    assert (await offers.get(world.db, offer.id)).status == "picked_up"
    assert await ledger.balance(world.db, L.farmer_payable(farmer.id)) == 1_365_000


async def test_a_disputed_receipt_is_paid_only_after_an_administrator_settles_it(world):
    await _prices(world)
    budi = world.person(701, "Budi")
    await register_farmer(budi)
    farmer = await people.by_telegram_id(world.db, 701)
    sari = await _coordinator(world, 731, "33.10")
    admin = await _person_with_roles(world, 741, [Role.ADMIN])
    await _gabah(budi, "200 kg")
    offer = await _last_offer(world, farmer)
    await _scheduled_by(world, sari, offer)
    await _weigh(sari, offer, "200 kg")
    await budi.press("⚠️ Tidak sesuai")
    await sari.press("💵 Dibayar tunai")
    assert _answered(world) == said(
        "The farmer disputes receipt {number}. An administrator settles it before it is paid."
    ).format(number=offer.number)
    assert (await offers.get(world.db, offer.id)).status == "picked_up"
    assert await ledger.balance(world.db, L.farmer_payable(farmer.id)) == 1_300_000
    # another cooperative's administrator cannot settle it with a forged button
    async with world.db.transaction(bookkeeping=True) as conn:
        from storage import orgs

        other = await orgs.add(
            conn, code="kop-lain", name="Koperasi Lain", kind="coop_primary", parent_code=None,
            covers=("35",),
        )  # fmt: skip
        stranger_id = await people.insert_person(
            conn, telegram_user_id=742, chat_id=742, full_name="Orang Lain", phone="+6281200000742",
            language="id", timezone="Asia/Jakarta", org_id=other,
        )  # fmt: skip
        await people.add_role(conn, stranger_id, Role.ADMIN)
    stranger = world.person(742)
    await stranger.press_data(world.telegram.messages[741][-1], f"damai:ok{offer.id}")
    await sari.press("💵 Dibayar tunai")
    assert (await offers.get(world.db, offer.id)).status == "picked_up"
    await admin.press("🤝 Selesai, tanda terima benar")
    assert budi.texts()[-1].startswith(
        f"Keberatan Anda atas tanda terima {offer.number} sudah selesai"
    )
    await sari.press("💵 Dibayar tunai")
    assert (await offers.get(world.db, offer.id)).status == "paid"


async def test_only_coordinators_take_and_a_forged_take_from_another_cooperative_fails(world):
    await _prices(world)
    budi = world.person(701, "Budi")
    await register_farmer(budi)
    farmer = await people.by_telegram_id(world.db, 701)
    admin = await _person_with_roles(world, 741, [Role.ADMIN])
    await _gabah(budi)
    offer = await _last_offer(world, farmer)
    assert "✋ Ambil penjemputan ini" not in admin.buttons()  # alerted to assign, not to take
    await admin.press_data(world.telegram.messages[741][-1], f"ambil:{offer.id}")
    assert (await offers.get(world.db, offer.id)).status == "open"


async def test_a_treasurer_pays_the_receipts_of_his_cooperative_under_jemput(world):
    await _prices(world)
    budi = world.person(701, "Budi")
    await register_farmer(budi)
    farmer = await people.by_telegram_id(world.db, 701)
    sari = await _coordinator(world, 731, "33.10")
    tono = await _person_with_roles(world, 751, [Role.TREASURER])
    await _gabah(budi, "200 kg")
    offer = await _last_offer(world, farmer)
    await _scheduled_by(world, sari, offer)
    await _weigh(sari, offer, "200 kg")
    shown = await tono.send("/jemput")
    assert any(t.startswith(f"Tanda terima {offer.number}") for t in shown)
    await tono.press("💵 Dibayar tunai")
    assert (await offers.get(world.db, offer.id)).status == "paid"
    assert (await tono.send("/jemput")) == [said("No picked-up produce waits for payment now.")]


# --- administrators act for their own cooperative --------------------------------------


async def _two_cooperatives(world):
    """Kop. Klaten covers Kab. Klaten (Budi's village); Kop. Jatim covers Jawa Timur."""
    from storage import orgs

    async with world.db.transaction(bookkeeping=True) as conn:
        klaten = await orgs.add(
            conn, code="kop-klaten", name="Koperasi Tani Klaten", kind="coop_primary",
            parent_code=None, covers=("33.10",),
        )  # fmt: skip
        jatim = await orgs.add(
            conn, code="kop-jatim", name="Koperasi Jatim", kind="coop_primary", parent_code=None,
            covers=("35",),
        )  # fmt: skip
    admins = []
    for user_id, org_id in ((781, klaten), (782, jatim)):
        admin = await _person_with_roles(world, user_id, [Role.ADMIN])
        async with world.db.transaction(bookkeeping=True) as conn:
            await conn.execute(
                "UPDATE people SET org_id = ? WHERE telegram_user_id = ?", (org_id, user_id)
            )
        admins.append(admin)
    return klaten, jatim, *admins


async def test_a_forged_kabar_cannot_announce_another_cooperatives_price(world):
    from storage import outbox, prices, subscriptions

    _klaten, _jatim, _klaten_admin, jatim_admin = await _two_cooperatives(world)
    budi = world.person(701, "Budi")
    await register_farmer(budi)
    farmer = await people.by_telegram_id(world.db, 701)
    await world.db.write(subscriptions.subscribe, farmer.id, "gabah")
    price = await world.db.write(
        prices.set_price, commodity="gabah", grade="GKP", area_prefix="33.10",
        price_rupiah=6800, valid_from=0,
    )  # fmt: skip
    await jatim_admin.send("/help")
    await jatim_admin.press_data(world.telegram.messages[782][-1], f"kabar:{price.id}")
    assert await outbox.by_key(world.db, f"price:{price.id}") is None
    assert _answered(world) == said("This button is no longer active.")


def _newest_buttons(world, user_id):
    markup = world.telegram.messages[user_id][-1].reply_markup or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_a_catalog_stop_is_for_the_administrators_own_cooperative(world):
    from storage import catalog

    await _prices(world)  # gabah GKP in all Jawa Tengah
    klaten, jatim, klaten_admin, jatim_admin = await _two_cooperatives(world)
    budi = world.person(701, "Budi")
    await register_farmer(budi)  # Kujon: a farmer of Kop. Klaten
    await jatim_admin.send("/katalog")
    await jatim_admin.press("✅ Gabah")
    assert await catalog.stopped(world.db, jatim) == {"gabah"}
    await budi.send("/jual")
    assert "Gabah" in _newest_buttons(world, 701)  # another cooperative's stop is not Budi's
    await budi.send("/cancel")
    await klaten_admin.send("/katalog")
    await klaten_admin.press("✅ Gabah")
    await budi.send("/jual")
    assert _newest_buttons(world, 701) == ["Cabai merah"]
    await budi.send("/cancel")
    assert not any("Gabah" in line for line in (await budi.send("/harga"))[0].splitlines())
    # nor in the morning digest of those who follow it
    from datetime import date

    from bot.context import BotContext
    from handlers.prices import enqueue_digest
    from storage import subscriptions

    farmer = await people.by_telegram_id(world.db, 701)
    await world.db.write(subscriptions.subscribe, farmer.id, "gabah")
    assert await enqueue_digest(BotContext(world.app), "Asia/Jakarta", date(2026, 12, 4)) == 0


async def test_a_disputed_receipt_may_be_weighed_again_and_the_debt_is_reversed(world):
    await _prices(world)
    budi = world.person(701, "Budi")
    await register_farmer(budi)
    farmer = await people.by_telegram_id(world.db, 701)
    sari = await _coordinator(world, 731, "33.10")
    admin = await _person_with_roles(world, 741, [Role.ADMIN])
    await _gabah(budi, "200 kg")
    offer = await _last_offer(world, farmer)
    await _scheduled_by(world, sari, offer)
    await _weigh(sari, offer, "200 kg")
    await budi.press("⚠️ Tidak sesuai")
    await admin.press("⚖️ Timbang ulang")
    assert (await offers.get(world.db, offer.id)).status == "scheduled"
    assert await ledger.balance(world.db, L.farmer_payable(farmer.id)) == 0  # reversed
    assert budi.texts()[-1].startswith(f"Keberatan Anda atas tanda terima {offer.number}")
    await sari.press(f"⚖️ Timbang {offer.number}")
    await sari.press("GKP (gabah kering panen)")
    await sari.send("190 kg")
    await sari.press(YES_ID)
    assert await ledger.balance(world.db, L.farmer_payable(farmer.id)) == 1_235_000
    assert budi.texts()[-1].startswith(f"Tanda terima {offer.number}")
    await budi.press("✅ Sesuai")
    await sari.press("💵 Dibayar tunai")
    assert (await offers.get(world.db, offer.id)).status == "paid"


async def test_the_desk_ceiling_is_the_cooperatives_rule(world):
    from domain.ledger import SavingsKind
    from storage import savings as stored
    from storage import savings_desk
    from tests.handlers.test_savings_desk import _desk

    _sri, roster_id, tono, _ani = await _desk(world)
    member = await stored.member(world.db, roster_id)
    await world.db.write(savings_desk.set_limit, member.org_id, 5_000_000)
    await tono.send("/setor")
    await tono.send("sri wahyuni")
    await tono.press("Simpanan sukarela")
    answer = await tono.send("7.500.000")
    assert "Rp5.000.000" in answer[0] and "Ketik jumlahnya" in answer[0]
    with pytest.raises(Exception) as refused:
        await world.db.write(
            savings_desk.deposit, roster_id, SavingsKind.SUKARELA, 5_000_001, member.person_id
        )
    assert getattr(refused.value, "reason", None) == "amount.too_high"
    assert (await tono.send("5.000.000"))[0].startswith("Setor Rp5.000.000")
