"""The treasurer's desk: deposits recorded at once; withdrawals and reversals wait for a
second officer, who is never the one who asked; the member is told; the ledger adds up."""

from __future__ import annotations

from domain import ledger as L
from domain.ledger import SavingsKind
from domain.people import Role
from storage import ledger, people, roster
from storage import savings as stored
from tests.handlers.flows import YES_ID
from tests.handlers.test_savings_member import _member
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.texts import said


async def _desk(world):
    sri, roster_id = await _member(world)  # pokok 100.000, wajib 100.000, sukarela 250.000
    tono = await _person_with_roles(world, 991, [Role.TREASURER])
    ani = await _person_with_roles(world, 992, [Role.TREASURER])
    return sri, roster_id, tono, ani


async def _balance(world, roster_id, kind):
    return (await stored.balances(world.db, roster_id))[kind]


async def test_a_deposit_is_recorded_at_once_and_the_member_is_told(world):
    sri, roster_id, tono, _ani = await _desk(world)
    assert await tono.send("/setor") == [
        "Anggota yang mana? Ketik nomor anggota, nomor HP, atau namanya."
    ]
    assert (await tono.send("siti aminah"))[0].startswith(
        'Saya tidak menemukan anggota "siti aminah".'
    )
    assert await tono.send("sri wahyni") == ["Simpanan yang mana?"]  # a typo, one match
    asked = await tono.press("Simpanan wajib")
    assert asked == [
        "Saldo simpanan wajib Sri Wahyuni (SP-001): Rp100.000. Ketik jumlahnya, misalnya 50.000."
    ]
    assert (await tono.send("lima puluh ribu"))[
        0
    ] == "Setor Rp50.000 ke simpanan wajib Sri Wahyuni (SP-001)?"
    done = (await tono.press(YES_ID))[0]
    assert done.startswith("Sudah disimpan sebagai entri ") and done.endswith(
        "Saldo simpanan wajib Sri Wahyuni sekarang Rp150.000."
    )
    assert (
        sri.take_new()[-1]
        == "Setoran Rp50.000 ke simpanan wajib Anda sudah dicatat. Saldonya sekarang Rp150.000."
    )
    assert await _balance(world, roster_id, SavingsKind.WAJIB) == 150_000


async def test_several_members_match_and_come_as_buttons(world):
    _sri, _roster, tono, _ani = await _desk(world)
    await world.db.write(
        roster.add, org_id=1, member_number="SP-002", full_name="Sri Rahayu", phone="+6281377770002"
    )
    await tono.send("/setor")
    assert await tono.send("sri") == ["Yang mana?"]
    assert tono.buttons()[-2:] == ["Sri Wahyuni (SP-001)", "Sri Rahayu (SP-002)"]
    assert await tono.press("Sri Rahayu (SP-002)") == ["Simpanan yang mana?"]
    await tono.send("/cancel")
    await tono.send("/setor")
    assert await tono.send("0813 7777 0002") == ["Simpanan yang mana?"]  # the phone, exactly


async def test_a_withdrawal_waits_for_a_second_officer_who_is_not_the_maker(world):
    sri, roster_id, tono, ani = await _desk(world)
    await tono.send("/tarik")
    asked = await tono.send("SP-001")
    assert asked[0].startswith("Saldo simpanan sukarela Sri Wahyuni (SP-001): Rp250.000.")
    too_much = (await tono.send("300.000"))[0]
    assert too_much.startswith("Itu lebih besar dari saldonya, Rp250.000.\n")
    summary = (await tono.send("Rp100.000"))[0]
    assert summary == (
        "Tarik Rp100.000 dari simpanan sukarela Sri Wahyuni (SP-001)? "
        "Petugas kedua harus menyetujuinya."
    )
    waiting = (await tono.press(YES_ID))[0]
    assert waiting.startswith("Permintaan 1 menunggu persetujuan petugas kedua.")
    assert await _balance(world, roster_id, SavingsKind.SUKARELA) == 250_000  # not yet

    alert = ani.take_new()[-1]
    assert alert == (
        "Permintaan 1 dari Uji Coba: tarik Rp100.000 dari simpanan sukarela "
        "Sri Wahyuni (SP-001). Setujui?"
    )
    assert not [t for t in tono.take_new() if t.startswith("Permintaan 1 dari")]  # never the maker
    sent = world.telegram.messages[992][-1]
    await tono.press_data(sent, "ptj:ok1")  # the maker forges the checker's button
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
        "This button is no longer active."
    )
    assert await _balance(world, roster_id, SavingsKind.SUKARELA) == 250_000

    assert (await ani.press("✅ Setujui"))[-1] == "Permintaan 1 disetujui."
    assert await _balance(world, roster_id, SavingsKind.SUKARELA) == 150_000
    assert tono.take_new()[-1] == "Permintaan 1 disetujui oleh Uji Coba dan sudah dicatat."
    assert sri.take_new()[-1] == (
        "Penarikan Rp100.000 dari simpanan sukarela Anda sudah dicatat. Saldonya sekarang Rp150.000."
    )
    await ani.press_data(sent, "ptj:ok1")  # a double tap: applied once
    assert await _balance(world, roster_id, SavingsKind.SUKARELA) == 150_000
    assert await ledger.verify(world.db) is None


async def test_pokok_and_wajib_cannot_be_withdrawn_and_the_balance_is_checked_again(world):
    _sri, roster_id, tono, ani = await _desk(world)
    await tono.send("/tarik")
    await tono.send("SP-001")
    await tono.send("200.000")
    await tono.press(YES_ID)
    # meanwhile another withdrawal empties most of it
    await ani.send("/tarik")
    await ani.send("SP-001")
    await ani.send("200.000")
    await ani.press(YES_ID)
    ani_alert = world.telegram.messages[992][-2]  # Tono's request 1, alerted to Ani
    await tono.press("✅ Setujui")  # Tono approves Ani's request 2
    assert await _balance(world, roster_id, SavingsKind.SUKARELA) == 50_000
    replies = await ani.press_data(ani_alert, "ptj:ok1")
    assert replies[-1:] == [
        "Permintaan 1 tidak bisa dijalankan lagi karena saldonya sudah berubah. Silakan tolak."
    ]
    assert await _balance(world, roster_id, SavingsKind.SUKARELA) == 50_000
    status = await world.db.fetchone("SELECT status FROM savings_requests WHERE id = 1")
    assert status["status"] == "pending"
    assert (await ani.press_data(ani_alert, "ptj:no1"))[-1] == "Permintaan 1 ditolak."


async def test_a_reversal_names_the_entry_and_needs_approval(world):
    sri, roster_id, tono, ani = await _desk(world)
    await tono.send("/koreksi")
    shown = await tono.send("SP-001")
    assert shown == ["Entri mana yang salah? Ini yang terbaru:"]
    sukarela = next(b for b in tono.buttons() if "sukarela" in b)
    entry_id = int(sukarela.split()[0][1:])
    assert await tono.press(sukarela) == [
        "Kenapa harus dibatalkan? Ketik alasannya dengan singkat."
    ]
    assert (await tono.send("x"))[0].startswith("Ketik alasannya, 3 sampai 120 huruf.")
    summary = (await tono.send("salah ketik, seharusnya 25.000"))[0]
    assert summary == (
        f"Batalkan entri {entry_id} milik Sri Wahyuni (SP-001)? Alasan: salah ketik, "
        "seharusnya 25.000. Petugas kedua harus menyetujuinya."
    )
    await tono.press(YES_ID)
    assert (await ani.press("❌ Tolak"))[-1] == "Permintaan 1 ditolak."
    assert tono.take_new()[-1] == "Permintaan 1 ditolak oleh Uji Coba. Tidak ada yang dicatat."
    assert await _balance(world, roster_id, SavingsKind.SUKARELA) == 250_000

    await tono.send("/koreksi")
    await tono.send("SP-001")
    await tono.press(sukarela)
    await tono.send("salah ketik")
    await tono.press(YES_ID)
    await ani.press("✅ Setujui")
    assert await _balance(world, roster_id, SavingsKind.SUKARELA) == 0
    assert sri.take_new()[-1].startswith(
        "Koperasi membatalkan satu catatan simpanan Anda yang salah. Alasan: salah ketik. Total simpanan Anda sekarang Rp200.000."
    )
    reversal = await world.db.fetchone(
        "SELECT reason, author_id FROM ledger_entries WHERE reverses = ?", (entry_id,)
    )
    ani_id = (await people.by_telegram_id(world.db, 992)).id
    assert dict(reversal) == {
        "reason": L.coded_reason(L.REASON_CANCELLED, why="salah ketik"),
        "author_id": ani_id,
    }
    # undone entries are not offered again
    await tono.send("/koreksi")
    await tono.send("SP-001")
    assert not [b for b in tono.buttons()[-8:] if b == sukarela]


async def test_only_treasurers_use_the_desk(world):
    _sri, _roster, _tono, _ani = await _desk(world)
    coordinator = await _person_with_roles(world, 993, [Role.COORDINATOR])
    for command in ("/setor", "/tarik", "/koreksi"):
        assert await coordinator.send(command) == ["Maaf, Anda tidak bisa memakai ini."]
