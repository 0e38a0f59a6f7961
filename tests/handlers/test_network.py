"""/koperasi and the officers of village cooperatives (issue 18): a ketua invited by the hub's
administrator joins their cooperative; the hub sees its 50 cooperatives by kabupaten, 20 a
page; an officer sees their own cooperative only, and a forged button naming another one is
refused; the texts read in Indonesian and English."""

from __future__ import annotations

from domain import regions
from domain.people import Role, display_phone
from storage import invites, orgs, people
from tests.handlers.test_staff_and_roles import _join_with_invite
from tests.network_seed import KLATEN, hub_with_network, villages
from tests.texts import said

NOT_ACTIVE = "This button is no longer active."


async def _someone(world, user_id, org_id, roles, language="id", name="Uji Coba"):
    async with world.db.transaction(bookkeeping=True) as conn:
        person_id = await people.insert_person(
            conn, telegram_user_id=user_id, chat_id=user_id, full_name=name, phone=f"+62812{user_id:07d}",
            language=language, timezone="Asia/Jakarta", org_id=org_id,
        )  # fmt: skip
        for role in roles:
            await people.add_role(conn, person_id, role)
    return world.person(user_id)


def _refused(world) -> bool:
    return world.telegram.calls_of("answerCallbackQuery")[-1].params.get("text") == said(NOT_ACTIVE)


async def test_the_hub_invites_a_ketua_who_then_sees_their_cooperative(world):
    ids = await hub_with_network(world.db, klaten=2, boyolali=0)
    kujon_code = f"kop-{villages(KLATEN, 1)[0]}"
    admin = await _someone(world, 501, ids["hub"], [Role.ADMIN])

    # not in the network, not a village cooperative: refused with what to do
    (answer,) = await admin.send("/invite ketua kop-other")
    assert answer == said("Your network has no cooperative with the code {code}. Send /koperasi to see them.", code="kop-other")  # fmt: skip
    (answer,) = await admin.send("/invite ketua")
    assert answer.startswith("Jabatan ketua hanya ada di koperasi desa.")
    assert await world.db.fetchone("SELECT 1 FROM invites") is None

    (answer,) = await admin.send(f"/invite ketua {kujon_code}")
    kujon = await orgs.by_code(world.db, kujon_code)
    assert answer.startswith(
        f"Tautan undangan untuk jabatan ketua di {kujon.name}. Hanya bisa dipakai sekali"
    )
    code = answer.rsplit("start=", 1)[1]
    invite = await invites.usable(world.db, code)
    assert (invite.role, invite.org_id) == (Role.CHAIR, kujon.id)

    replies = await _join_with_invite(world, 502, code, "6281200000502", name="Harjono Wibowo")
    assert "Jabatan: ketua" in replies[0] and f"Organisasi: {kujon.name}" in replies[0]
    assert replies[1].startswith(
        f"Selamat datang, Harjono Wibowo! Anda sekarang ketua di {kujon.name}."
    )
    ketua = await people.by_telegram_id(world.db, 502)
    assert (ketua.roles, ketua.org_id) == ({Role.CHAIR}, kujon.id)

    # "pengelola gerai" is two words; bendahara is the treasurer's role
    (answer,) = await admin.send(f"/invite pengelola gerai {kujon_code}")
    code = answer.rsplit("start=", 1)[1]
    assert (await invites.usable(world.db, code)).role == Role.STORE_MANAGER
    await _join_with_invite(world, 503, code, "6281200000503", name="Gita Purnama")

    card = await world.person(502).send("/koperasi")
    place = regions.place(kujon.village_code)
    assert card == [
        f"{kujon.name}\nDesa {place.village}, Kec. {place.district}, Kab. Klaten\n"
        "Ketua: Harjono Wibowo, 0812-0000-0502\nBendahara: belum ada\n"
        "Pengelola gerai: Gita Purnama, 0812-0000-0503\nLaporan bulanan: belum ada laporan"
    ]
    # the card has no buttons to the rest of the network
    assert world.person(502).buttons() == []


async def test_the_hub_pages_through_fifty_cooperatives_in_two_kabupaten(world):
    ids = await hub_with_network(world.db)
    admin = await _someone(world, 511, ids["hub"], [Role.ADMIN])
    first = villages(KLATEN, 1)[0]
    await _someone(world, 512, ids[f"kop-{first}"], [Role.CHAIR], name="Budi Ketua")

    (index,) = await admin.send("/koperasi")
    assert index.splitlines()[:4] == [
        "Ada 50 koperasi desa di jaringan Anda.", "", "Kab. Boyolali: 20 koperasi", "Kab. Klaten: 30 koperasi",
    ]  # fmt: skip
    assert "KDKMP Lain" not in index  # another hub's
    assert admin.buttons() == ["Kab. Boyolali (20)", "Kab. Klaten (30)"]

    (page,) = await admin.press("Kab. Klaten (30)")
    lines = page.splitlines()
    assert lines[0] == "Kab. Klaten: koperasi ke-1 sampai ke-20 dari 30."
    assert (
        lines[2].startswith("1. KDKMP ")
        and lines[4] == f"   Ketua: Budi Ketua, {display_phone('+628120000512')} · 1 petugas"
    )
    assert "20. KDKMP " in page and "21. " not in page
    labels = admin.buttons()[2:]
    assert labels == [str(n) for n in range(1, 21)] + ["Kabupaten", "▶"]

    (page,) = await admin.press("▶")
    assert page.splitlines()[0] == "Kab. Klaten: koperasi ke-21 sampai ke-30 dari 30."
    assert "21. KDKMP " in page and "30. KDKMP " in page
    (card,) = await admin.press("21")
    assert card.startswith("KDKMP ") and "Ketua: belum ada" in card
    coop = await orgs.by_id(world.db, ids[f"kop-{villages(KLATEN, 21)[20]}"])
    assert card.splitlines()[0] == coop.name
    (back,) = await admin.press("◀ Kab. Klaten")
    assert back.startswith("Kab. Klaten: koperasi ke-1 sampai")

    # a forged page past the end, another hub's cooperative, a regency the hub has none in
    sent, _data = admin.button("▶")
    for data in (
        "kop:r3310p2",
        f"kop:c{ids['kop-other']}",
        f"kop:c{ids['hub']}",
        "kop:r3311p0",
        "kop:x",
    ):
        assert await admin.press_data(sent, data) == [], data
        assert _refused(world), data


async def test_an_officer_of_one_cooperative_cannot_open_another(world):
    ids = await hub_with_network(world.db, klaten=2, boyolali=0)
    a, b = (ids[f"kop-{v}"] for v in villages(KLATEN, 2))
    treasurer = await _someone(world, 521, a, [Role.TREASURER])
    (card,) = await treasurer.send("/koperasi")
    assert card.splitlines()[0] == (await orgs.by_id(world.db, a)).name
    sent = world.telegram.messages[521][-1]
    # B's card, the hub's listing and a kabupaten page, all by forged data
    for data in (f"kop:c{b}", "kop:i0", "kop:r3310p0"):
        assert await treasurer.press_data(sent, data) == [], data
        assert _refused(world), data
    # their own card is theirs to open
    (again,) = await treasurer.press_data(sent, f"kop:c{a}")
    assert again == card
    # a farmer of the cooperative is not an officer: no /koperasi
    farmer = await _someone(world, 522, a, [Role.FARMER])
    assert await farmer.send("/koperasi") == [said("Sorry, this command is not available to you.")]


async def test_the_listing_in_english(world):
    ids = await hub_with_network(world.db, klaten=1, boyolali=0)
    admin = await _someone(world, 531, ids["hub"], [Role.ADMIN], language="en")
    (index,) = await admin.send("/koperasi")
    assert index == (
        "1 village cooperative in your network.\n\nKab. Klaten: 1 cooperative\n"
        "Press a regency to see its cooperatives."
    )
    (page,) = await admin.press("Kab. Klaten (1)")
    coop = await orgs.by_id(world.db, ids[f"kop-{villages(KLATEN, 1)[0]}"])
    place = regions.place(coop.village_code)
    village = f"Village {place.village}, Kec. {place.district}, Kab. Klaten"
    assert page == (
        "Kab. Klaten: cooperatives 1 to 1 of 1.\n\n"
        f"1. {coop.name}\n   {village}\n   Chair: none yet · 0 officers\n\n"
        "Press a number to see a cooperative's officers."
    )
    (card,) = await admin.press("1")
    assert card == (
        f"{coop.name}\n{village}\nChair: none yet\n"
        "Treasurer: none yet\nStore manager: none yet\nMonthly report: none yet"
    )
    (answer,) = await admin.send("/invite ketua")
    assert answer.startswith("The role chair is only for a village cooperative.")


async def test_a_hub_with_no_village_cooperative_yet(world):
    await world.db.write(
        orgs.add, code="hub", name="Hub", kind="coop_secondary", parent_code="pusat"
    )
    hub = await orgs.by_code(world.db, "hub")
    admin = await _someone(world, 541, hub.id, [Role.ADMIN])
    assert await admin.send("/koperasi") == [said("No village cooperative is in your network yet.")]


async def test_a_card_lists_a_few_officers_per_role_and_counts_the_rest(world):
    """Found by the hub fuzz: a cooperative with a hundred ketua (a test's leftovers, or a
    careless import) made a card longer than Telegram takes, and /koperasi failed."""
    ids = await hub_with_network(world.db, klaten=1, boyolali=0)
    (village,) = (ids[f"kop-{v}"] for v in villages(KLATEN, 1))
    for n in range(120):
        await _someone(world, 600 + n, village, [Role.CHAIR], name=f"Ketua Nomor {n:03d}")
    ketua = world.person(600)
    (card,) = await ketua.send("/koperasi")
    chairs = [line for line in card.splitlines() if line.startswith("Ketua: Ketua Nomor")]
    assert len(chairs) == 5
    assert "Ketua: dan 115 lainnya" in card.splitlines()
