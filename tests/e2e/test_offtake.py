"""The real bot process: prices and a coordinator's area set from the command line, a farmer
offers cabai, the coordinator takes, schedules and weighs it, the farmer gets the receipt and
agrees, the coordinator pays; the ledger holds the money."""

from __future__ import annotations

import pytest

from domain import ledger as L
from storage import ledger, offers, people
from storage.db import Database
from tests.e2e.botproc import run_cli
from tests.e2e.flow import STEPS, Farmer, Step

pytestmark = pytest.mark.asyncio

COORDINATOR_ID = 626_262


async def test_offer_take_weigh_receipt_paid_over_long_polling(emu, bots):
    await run_cli(
        bots.db_path,
        "price",
        "set",
        "cabai_merah",
        "32000",
        "--grade",
        "A",
        "--area",
        "33.10",
        cwd=bots.dir,
    )
    bot = await bots.start()
    farmer = Farmer(emu)
    for step in STEPS:  # Budi registers in Desa Kujon (33.10.11.2004)
        await farmer.do(step)

    sari = Farmer(emu, COORDINATOR_ID, "Sari")  # a coordinator joins with an invite link
    invite = await run_cli(
        bots.db_path,
        "invite",
        "coordinator",
        "--org",
        "pusat",
        "--bot-username",
        "kopbot",
        cwd=bots.dir,
    )
    await sari.do(
        Step(
            "send", f"/start {invite.strip().rsplit('=', 1)[1]}", "Selamat datang di bot koperasi."
        )
    )
    await sari.do(Step("press", "Bahasa Indonesia", "Tekan tombol 📱"))
    await sari.do(Step("contact", "6281355550001", "Siapa nama lengkap Anda?"))
    await sari.do(Step("send", "Sari Dewi", "Periksa data Anda:"))
    await sari.do(
        Step("press", "✅ Ya, simpan", "Selamat datang, Sari Dewi! Anda sekarang koordinator")
    )
    await run_cli(
        bots.db_path, "person", "cover", "33.10.11", "--phone", "0813-5555-0001", cwd=bots.dir
    )

    await farmer.do(Step("send", "/jual", "Apa yang ingin Anda jual?"))
    await farmer.do(
        Step("press", "Cabai merah", "Berapa banyak cabai merah")
    )  # one grade priced: not asked
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
    assert "Total: Rp6.256.000 (enam juta dua ratus lima puluh enam ribu rupiah)" in receipt.text
    await farmer.do(
        Step("press", "✅ Sesuai", "Terima kasih. Koperasi akan membayar Anda Rp6.256.000.")
    )
    await sari.act(Step("press", "💵 Dibayar tunai", ""))
    await farmer.expect_reply(f"Koperasi sudah membayar {number} tunai sebesar Rp6.256.000.")
    await bot.stop()

    async with Database(str(bots.db_path)) as db:
        budi = await people.by_telegram_id(db, farmer.user_id)
        (offer,) = await offers.of_farmer(db, budi.id)
        assert offer.status == "paid" and offer.number == number
        assert await ledger.balance(db, L.farmer_payable(budi.id)) == 0
        assert await ledger.balance(db, L.purchases(offer.org_id)) == 6_256_000
        assert await ledger.verify(db) is None
    assert "ledger intact: 2 entries" in await run_cli(
        bots.db_path, "audit", "verify", cwd=bots.dir
    )
