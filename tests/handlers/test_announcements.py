"""Announcements (issue 18, mentoring): the hub's administrator announces to the officers of
an area with two village cooperatives (the area named, the officers counted, a preview),
each gets it through the outbox with "✅ Sudah dibaca"; two reads and a double tap count two;
a forged button is refused; the sender sees "Dibaca 2 dari 3" on /umumkan."""

from __future__ import annotations

from domain.people import Role
from storage import announcements as stored
from tests.handlers.flows import YES_ID
from tests.handlers.test_network import _someone
from tests.network_seed import BOYOLALI, KLATEN, hub_with_network, villages
from tests.texts import said

NOT_ACTIVE = "This button is no longer active."


async def _network(world):
    """Klaten's two cooperatives with three officers (one reads English), Boyolali's one with
    a ketua, another hub's cooperative with one; the hub's administrator."""
    ids = await hub_with_network(world.db, klaten=2, boyolali=1)
    a, b = (ids[f"kop-{v}"] for v in villages(KLATEN, 2))
    boyolali = ids[f"kop-{villages(BOYOLALI, 1)[0]}"]
    officers = [
        await _someone(world, 821, a, [Role.CHAIR], name="Harjono"),
        await _someone(world, 822, a, [Role.TREASURER], name="Wati", language="en"),
        await _someone(world, 823, b, [Role.STORE_MANAGER], name="Gita"),
    ]
    elsewhere = await _someone(world, 824, boyolali, [Role.CHAIR], name="Joko")
    stranger = await _someone(world, 825, ids["kop-other"], [Role.CHAIR], name="Lain")
    admin = await _someone(world, 826, ids["hub"], [Role.ADMIN], name="Bu Hub")
    return ids, officers, elsewhere, stranger, admin


def _refused(world) -> bool:
    return world.telegram.calls_of("answerCallbackQuery")[-1].params.get("text") == said(NOT_ACTIVE)


async def test_an_announcement_to_an_area_is_read_and_counted(world):
    ids, (harjono, wati, gita), joko, stranger, admin = await _network(world)
    assert await admin.send("/umumkan") == [
        said(
            "Who is it for? Type the area code, for example 33.10 for Kab. Klaten. Type semua for the whole network."
        )  # fmt: skip
    ]
    assert (await admin.send("99.99"))[0].startswith(said("I do not know that area code."))
    assert (await admin.send("33.11"))[0].startswith(  # only another hub's cooperative there
        "Belum ada petugas koperasi desa yang terdaftar di Kab. Sukoharjo (33.11)."
    )
    assert await admin.send("33.10") == [
        "Kab. Klaten (33.10): sampai ke 3 petugas.",
        said("Type the announcement."),
    ]
    (preview,) = await admin.send("Rapat anggota hari Sabtu pukul 09.00 di balai desa.")
    assert preview == (
        "Pratinjau:\n\nRapat anggota hari Sabtu pukul 09.00 di balai desa.\n\n"
        "Untuk: Kab. Klaten (33.10), 3 petugas. Kirim sekarang?"
    )
    assert await admin.press(YES_ID) == [
        "Sudah dikirim ke 3 petugas. Dibaca 0 dari 3: angka di pesan ini bertambah saat mereka membaca."
    ]
    status = world.telegram.messages[826][-1]
    await world.outbox_sent()
    (got,) = harjono.take_new()
    assert got == (
        "📢 Pengumuman dari Koperasi Hub Jateng:\n\nRapat anggota hari Sabtu pukul 09.00 di balai desa."
        "\n\nTekan ✅ Sudah dibaca setelah Anda membacanya."
    )
    assert harjono.buttons() == ["✅ Sudah dibaca"]
    assert wati.take_new()[0].startswith("📢 Announcement from Koperasi Hub Jateng:")
    assert wati.buttons() == ["✅ Read"]
    assert len(gita.take_new()) == 1
    assert joko.take_new() == [] and stranger.take_new() == []  # not in the area, not the network

    # two reads, a double tap; a forged press by someone not addressed
    sent, data = harjono.button("✅ Sudah dibaca")
    await harjono.press("✅ Sudah dibaca")
    assert await harjono.press_data(sent, data) == []
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params.get("text") == said(
        "You have already marked it as read. Thank you."
    )
    await wati.press("✅ Read")
    await joko.send("/help")  # a message of Joko's own to press a forged button on
    await stranger.send("/help")
    joko_sent = world.telegram.messages[824][-1]
    assert await joko.press_data(joko_sent, data) == [] and _refused(world)
    assert await stranger.press_data(world.telegram.messages[825][-1], data) == []
    assert _refused(world)
    assert await joko.press_data(joko_sent, "umb:99999999") == [] and _refused(world)

    (made,) = await stored.last_of(world.db, ids["hub"])
    assert (made.recipients, made.read_count) == (3, 2)
    # the sender's message was edited at the first read; the second, within seconds, waits
    assert status.text.startswith("Sudah dikirim ke 3 petugas. Dibaca 1 dari 3")
    listing = await admin.send("/umumkan")
    assert listing[0].splitlines()[0] == "Pengumuman terakhir Anda:"
    assert (
        listing[0]
        .splitlines()[1]
        .endswith(
            "Kab. Klaten (33.10): “Rapat anggota hari Sabtu pukul 09.00 di balai desa.”. Dibaca 2 dari 3."
        )
    )
    await gita.press("✅ Sudah dibaca")  # updated as people read
    assert (await admin.send("/umumkan"))[0].splitlines()[1].endswith("Dibaca 3 dari 3.")
    # the last read always edits the sender's message: the final count is never left behind
    assert status.text.startswith("Sudah dikirim ke 3 petugas. Dibaca 3 dari 3")


async def test_the_whole_network_and_who_may_announce(world):
    ids, officers, joko, _stranger, admin = await _network(world)
    await admin.send("/umumkan")
    assert (await admin.send("semua"))[0] == "seluruh jaringan: sampai ke 4 petugas."
    # an officer who blocked the bot is not reached, nor counted
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute("UPDATE people SET reachable = 0 WHERE telegram_user_id = 824")
    await admin.send("/umumkan")
    assert (await admin.send("semua"))[0] == "seluruh jaringan: sampai ke 3 petugas."
    # a village officer holds no /umumkan; a village cooperative's pengurus is refused
    assert await officers[0].send("/umumkan") == [said("Sorry, this command is not available to you.")]  # fmt: skip
    pengurus = await _someone(world, 827, officers and ids[f"kop-{villages(KLATEN, 1)[0]}"], [Role.ADMIN])  # fmt: skip
    assert await pengurus.send("/umumkan") == [
        said(
            "Announcements are sent by the hub's administrators. Your cooperative is a village cooperative."
        )  # fmt: skip
    ]


async def test_the_announcement_reads_in_english(world):
    ids, _officers, _joko, _stranger, _admin = await _network(world)
    admin = await _someone(world, 828, ids["hub"], [Role.ADMIN], language="en")
    await admin.send("/umumkan")
    assert await admin.send("33.09") == [
        "Kab. Boyolali (33.09): it reaches 1 officer.",
        "Type the announcement.",
    ]
    assert await admin.send("Beras SPHP datang Senin.") == [
        "Preview:\n\nBeras SPHP datang Senin.\n\nTo: Kab. Boyolali (33.09), 1 officer. Send it?"
    ]
    assert await admin.press("✅ Yes, save") == [
        "Sent to 1 officer. Read by 0 of 1: this message counts as they read."
    ]
