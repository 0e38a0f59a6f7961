"""The control API over HTTP (`SandboxClient`) and the emulator's building blocks."""

from __future__ import annotations

import asyncio

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from emulator import BotApiEmulator, FloodLimits, SandboxClient, SandboxError
from emulator.errors import ApiError
from emulator.formatting import render
from emulator.limits import FloodLimiter

pytestmark = pytest.mark.asyncio

SITI = 1001


async def test_sandbox_client_drives_people_over_http(emu, bot):
    async with SandboxClient(emu.control_url) as people:
        update_id = await people.send_command(SITI, "start", first_name="Siti")
        (update,) = await bot.get_updates()
        assert update.update_id == update_id and update.message.text == "/start"

        # Bot replies after a while; the client long-polls for it.
        async def reply_later():
            await asyncio.sleep(0.1)
            await bot.send_message(
                SITI,
                "Pilih menu",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("Saldo", callback_data="menu:saldo")]]
                ),
            )

        task = asyncio.create_task(reply_later())
        (menu,) = await people.wait_for_messages(SITI, 1, timeout=2)
        await task
        assert menu.text == "Pilih menu" and menu["buttons"] == ["Saldo"]
        assert menu.inline_keyboard == [[{"text": "Saldo", "callback_data": "menu:saldo"}]]

        query_id = await people.press_button(SITI, "Saldo")
        (update,) = await bot.get_updates(offset=update_id + 1)
        assert update.callback_query.id == query_id
        await update.callback_query.answer("Memuat...")
        answer = await people.wait_callback_answer(query_id, timeout=1)
        assert answer["answered"] and answer["text"] == "Memuat..."

        async def edit_later():
            await asyncio.sleep(0.05)
            await bot.edit_message_text("Saldo: Rp 150.000", SITI, menu.message_id)

        task = asyncio.create_task(edit_later())
        msgs = await people.wait_for(SITI, lambda ms: ms[0].edited, timeout=2)
        await task
        assert msgs[0].text == "Saldo: Rp 150.000" and msgs[0].inline_keyboard is None
        assert len(await people.messages(SITI, include_user=True)) == 2

        with pytest.raises(TimeoutError):
            await people.wait_for_messages(SITI, 5, timeout=0.1)
        with pytest.raises(SandboxError, match="no inline button"):
            await people.press_button(SITI, "Tidak ada")

        await people.share_contact(SITI, "628111", contact_user_id=0, contact_first_name="Ani")
        await people.send_photo(SITI, b"fake-jpeg", caption="foto")
        await people.send_document(SITI, b"%PDF-1.4", file_name="ktp.pdf")
        kinds = [m.kind for m in await people.messages(SITI, include_user=True)]
        assert kinds[-3:] == ["contact", "photo", "document"]
        updates = await bot.get_updates(offset=update.update_id + 1)
        assert updates[0].message.contact.user_id is None
        doc = updates[2].message.document
        assert doc.file_name == "ktp.pdf"
        assert bytes(await (await bot.get_file(doc.file_id)).download_as_bytearray()) == b"%PDF-1.4"

        await people.block(SITI)
        assert (await people.stats())["refused_403"] == 0
        await people.unblock(SITI)

        await bot.set_my_commands([("start", "Mulai")])
        assert await people.commands() == [{"command": "start", "description": "Mulai"}]
        assert await people.webhook() is None
        await people.set_latency(0.05)
        assert (await people.stats())["latency"] == 0.05
        limits = await people.set_flood_limits(True, private_burst=1)
        assert limits["enabled"] and limits["private_burst"] == 1
        stats = await people.stats()
        assert stats["requests"]["sendMessage"] == 1 and stats["sends"] == 1
        assert [c["chat"]["id"] for c in await people.chats()] == [SITI]

        await people.reset()
        assert await people.chats() == []
        assert (await people.stats())["latency"] == 0.0
        assert await people.commands() != []  # bot configuration survives a reset


async def test_control_http_errors_and_get(emu):
    async with SandboxClient(emu.base_url) as people:  # any of the emulator's URLs works
        with pytest.raises(SandboxError, match="chat 5 not found"):
            await people.press_button(5, "x")
        with pytest.raises(SandboxError, match="bad arguments"):
            await people._call("send_message", user_id=1)
        with pytest.raises(SandboxError, match="unknown control action"):
            await people._call("explode")
        await people.send_message(7, "hi")
        r = await people._http.get(f"{emu.control_url}/messages?chat_id=7&include_user=true")
        assert r.json()["result"]["messages"][0]["text"] == "hi"
        r = await people._http.get(f"{emu.control_url}/send_message?user_id=1&text=x")
        assert r.status_code == 405


async def test_in_process_wait_for_and_group_requires_user(emu):
    with pytest.raises(TimeoutError):
        await emu.wait_for_messages(SITI, 1, timeout=0.05)
    await emu.send_message(SITI, "hi", chat_id=-42, chat_title="Grup")
    with pytest.raises(Exception, match="user_id is required"):
        await emu.press_button(-42, "x")


async def test_flood_limiter_numbers_and_refill():
    now = [100.0]
    limiter = FloodLimiter(FloodLimits(), clock=lambda: now[0])
    assert [limiter.acquire(1) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire(1) == pytest.approx(1.0)
    now[0] += 1.0  # one token back per second
    assert limiter.acquire(1) == 0.0
    for _ in range(20):
        assert limiter.acquire(-7) == 0.0
    assert limiter.acquire(-7) == pytest.approx(60.0)
    now[0] += 60.0
    assert limiter.acquire(-7) == 0.0
    # Global: 30 tokens, refilled at 30/s.
    limiter.reset()
    waits = [limiter.acquire(uid) for uid in range(1000, 1031)]
    assert waits[:30] == [0.0] * 30 and waits[30] == pytest.approx(1 / 30)


async def test_render_html_markdown_entities():
    text, entities = render('<b>Halo</b> <a href="https://x.id">Ibu</a> &lt;3', "HTML")
    assert text == "Halo Ibu <3"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "text_link", "offset": 5, "length": 3, "url": "https://x.id"},
    ]
    text, entities = render("*Saldo*: Rp 1\\.000 😀 _ok_", "MarkdownV2")
    assert text == "Saldo: Rp 1.000 😀 ok"
    assert entities[1] == {"type": "italic", "offset": 19, "length": 2}  # emoji = 2 UTF-16 units
    for bad in ("<b>x</i>", "<b>x", "</b>", "<br>", "<span>x</span>"):
        with pytest.raises(ApiError, match="can't parse entities"):
            render(bad, "HTML")
    with pytest.raises(ApiError, match="Can't find end of Bold entity at byte offset 0"):
        render("*tebal", "MarkdownV2")
    with pytest.raises(ApiError, match="Can't find end of the entity starting"):
        render("_miring", "Markdown")


async def test_start_stop_with_pending_long_poll():
    emu = BotApiEmulator()
    await emu.start()
    waiter = asyncio.create_task(emu.wait_for_messages(1, 1, timeout=10))
    await asyncio.sleep(0.01)
    await emu.stop()
    with pytest.raises(TimeoutError):
        await waiter
