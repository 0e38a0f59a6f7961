"""Steps of the offtake that several end-to-end tests drive through the real process: staff
joining with an invite link, and Budi's cabai merah offered, taken, scheduled, weighed and
paid (the buying half the market's sale starts from)."""

from __future__ import annotations

from emulator import BotApiEmulator, StoredMessage
from tests.e2e.botproc import run_cli
from tests.e2e.flow import STEPS, Farmer, Step


async def join_with_invite(
    emu: BotApiEmulator,
    bots,
    role: str,
    user_id: int,
    name: str,
    phone: str,
    english=False,
    org: str = "pusat",
) -> Farmer:
    """An officer of ``org`` (a coordinator or administrator of ``pusat`` unless said) who joins
    with an invite link."""
    person = Farmer(emu, user_id, name.split()[0])
    invite = await run_cli(
        bots.db_path, "invite", role, "--org", org, "--bot-username", "kopbot", cwd=bots.dir
    )
    token = invite.strip().rsplit("=", 1)[1]
    await person.do(Step("send", f"/start {token}", "Selamat datang di bot koperasi."))
    await person.do(Step("press", "English" if english else "Bahasa Indonesia", ""))
    await person.do(Step("contact", phone, ""))
    await person.do(Step("send", name, ""))
    welcome = "Welcome, " if english else "Selamat datang, "
    await person.do(Step("press", "✅ Yes, save" if english else "✅ Ya, simpan", welcome + name))
    return person


async def weighed_and_paid(
    emu: BotApiEmulator, bots, coordinator_id: int, phone: str
) -> tuple[Farmer, Farmer, str, StoredMessage]:
    """Budi registers and offers 2 kuintal of cabai merah; Sari (a coordinator covering Ceper)
    takes, schedules and weighs it (195,5 kg, grade A), Budi agrees, Sari pays in cash.
    Needs the price of cabai merah grade A in 33.10. (Budi, Sari, offer number, receipt)."""
    farmer = Farmer(emu)
    for step in STEPS:  # Budi registers in Desa Kujon (33.10.11.2004)
        await farmer.do(step)
    sari = await join_with_invite(emu, bots, "coordinator", coordinator_id, "Sari Dewi", phone)
    local = "0" + phone[2:5] + "-" + phone[5:9] + "-" + phone[9:]  # 62813… → 0813-…
    await run_cli(bots.db_path, "person", "cover", "33.10.11", "--phone", local, cwd=bots.dir)

    await farmer.do(Step("send", "/jual", "Apa yang ingin Anda jual?"))
    # one grade priced: not asked
    await farmer.do(Step("press", "Cabai merah", "Berapa banyak cabai merah"))
    await farmer.do(Step("send", "2 kuintal", "Kapan siap dijemput?"))
    await farmer.do(Step("press", "Besok", "Di mana koordinator menjemputnya?"))
    await farmer.do(Step("send", "🏠 Di desa saya, Kujon", "🏠 Dijemput di desa Anda."))
    await farmer.expect_reply("Periksa tawaran Anda:")
    saved = await farmer.do(Step("press", "✅ Ya, simpan", "Tawaran Anda sudah disimpan."))
    number = saved.text.split("Nomornya ", 1)[1].split(".", 1)[0]

    await sari.expect_reply(f"Tawaran baru {number}")
    await sari.act(Step("press", "✋ Ambil penjemputan ini", ""))
    await farmer.expect_reply("Kabar baik: koordinator Sari Dewi")
    await sari.act(Step("press", "📅 Jadwalkan penjemputan", ""))
    await sari.expect_reply("Hari apa Anda menjemput?")
    day = (await sari.bot_messages())[-1].buttons[0]  # today
    await sari.do(Step("press", day, "Jam berapa?"))
    await sari.do(Step("press", "06.00–09.00", f"Baik. Penjemputan {number}"))
    await farmer.expect_reply("Koordinator akan menjemput cabai merah Anda")
    await sari.do(Step("send", "/jemput", "Penjemputan Anda:"))
    await sari.do(
        Step(
            "press",
            f"⚖️ Timbang {number}",
            "Setelah diperiksa, mutunya apa? Petani menyebut Mutu A.",
        )
    )
    await sari.do(Step("press", "Mutu A", "Berapa hasil timbang Anda?"))
    await sari.do(Step("send", "195,5 kg", f"Periksa hasil timbang {number}:"))
    await sari.do(Step("press", "✅ Ya, simpan", f"Tanda terima {number}"))
    receipt = await farmer.expect_reply(f"Tanda terima {number}")
    await farmer.do(
        Step("press", "✅ Sesuai", "Terima kasih. Koperasi akan membayar Anda Rp6.256.000.")
    )
    await sari.act(Step("press", "💵 Dibayar tunai", ""))
    await farmer.expect_reply(f"Koperasi sudah membayar {number} tunai sebesar Rp6.256.000.")
    return farmer, sari, number, receipt
