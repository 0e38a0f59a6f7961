"""The emulator as a real python-telegram-bot `Bot` sees it."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
import warnings

import httpx
import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from emulator import BotApiEmulator

pytestmark = pytest.mark.asyncio

SITI = 1001


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in pairs]])


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 deprecates the int form
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def raw_call(emu: BotApiEmulator, method: str, **params) -> tuple[int, dict]:
    """Bypass PTB to see the exact wire answer (JSON body)."""
    async with httpx.AsyncClient(trust_env=False) as http:
        r = await http.post(f"{emu.base_url}{emu.token_for_tests}/{method}", json=params)
    return r.status_code, r.json()


async def test_get_me_uses_token_id_and_username(emu, bot):
    me = await bot.get_me()
    assert me.id == int(emu.token_for_tests.split(":")[0])
    assert me.username == "koperasi_test_bot"
    assert me.is_bot


async def test_user_message_through_get_updates_confirmed_by_offset(emu, bot):
    update_id = await emu.send_command(SITI, "start", first_name="Siti", language_code="id")
    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [update_id]
    msg = updates[0].message
    assert msg.text == "/start"
    assert msg.from_user.first_name == "Siti" and msg.from_user.language_code == "id"
    assert msg.chat.type == "private" and msg.chat.id == SITI
    assert msg.entities[0].type == "bot_command"
    # Not confirmed yet: delivered again.
    assert [u.update_id for u in await bot.get_updates()] == [update_id]
    assert await bot.get_updates(offset=update_id + 1) == ()
    assert await emu.pending_updates() == []


async def test_long_poll_wakes_when_update_arrives(emu, bot):
    started = time.perf_counter()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    await emu.send_message(SITI, "halo")
    updates = await poll
    assert updates[0].message.text == "halo"
    assert time.perf_counter() - started < 1.0


async def test_inline_button_press_produces_callback_query(emu, bot):
    await emu.send_command(SITI, "start")
    sent = await bot.send_message(
        SITI,
        "Setor hasil panen?",
        reply_markup=keyboard(("Ya", "offer:yes"), ("Tidak", "offer:no")),
    )
    last = (await bot.get_updates())[-1].update_id

    query_id = await emu.press_button(SITI, "Tidak")
    updates = await bot.get_updates(offset=last + 1, timeout=1)
    query = updates[0].callback_query
    assert query.id == query_id
    assert query.data == "offer:no"
    assert query.from_user.id == SITI
    assert query.message.message_id == sent.message_id
    assert query.message.reply_markup == sent.reply_markup
    assert query.chat_instance

    assert await query.answer("Dicatat", show_alert=True)
    record = await emu.callback_answer(query_id)
    assert record.answered and record.answer_text == "Dicatat" and record.show_alert
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query("12345")


async def test_edit_not_modified_and_missing_messages(emu, bot):
    await emu.send_message(SITI, "hi")
    markup = keyboard(("OK", "ok"))
    sent = await bot.send_message(SITI, "Saldo: 10", reply_markup=markup)
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("Saldo: 10", SITI, sent.message_id, reply_markup=markup)
    edited = await bot.edit_message_text("Saldo: 12", SITI, sent.message_id, reply_markup=markup)
    assert edited.text == "Saldo: 12" and edited.edit_date is not None
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_reply_markup(SITI, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", SITI, 999)
    assert await bot.delete_message(SITI, sent.message_id)
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(SITI, sent.message_id)

    (msg,) = await emu.messages(SITI)
    assert msg.deleted and msg.edited
    assert [v["text"] for v in msg.versions] == ["Saldo: 10", "Saldo: 12"]

    status, body = await raw_call(emu, "editMessageText", chat_id=SITI, message_id=999, text="x")
    assert status == 400
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message to edit not found",
    }


async def test_strict_validation_messages(emu, bot):
    await emu.send_message(SITI, "hi")
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(SITI, "x", reply_markup=keyboard(("A", "a" * 65)))
    # 64 bytes is fine, but 33 two-byte characters are 66 bytes.
    await bot.send_message(SITI, "x", reply_markup=keyboard(("A", "a" * 64)))
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(SITI, "x", reply_markup=keyboard(("A", "é" * 33)))
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(SITI, "x" * 4097)
    await bot.send_message(SITI, "x" * 4096)
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await bot.send_photo(SITI, b"img", caption="c" * 1025)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(424242, "who?")
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(SITI, "<b>tebal", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(SITI, "re", reply_parameters=ReplyParameters(777))
    ok = await bot.send_message(
        SITI, "re", reply_parameters=ReplyParameters(777, allow_sending_without_reply=True)
    )
    assert ok.reply_to_message is None

    for params, description in [
        ({"text": ""}, "Bad Request: message text is empty"),
        (
            {"text": "a <3 b", "parse_mode": "HTML"},
            'Bad Request: can\'t parse entities: Unsupported start tag "3" at byte offset 2',
        ),
        (
            {"text": "Rp 1.000", "parse_mode": "MarkdownV2"},
            "Bad Request: can't parse entities: Character '.' is reserved and must be "
            "escaped with the preceding '\\'",
        ),
    ]:
        status, body = await raw_call(emu, "sendMessage", chat_id=SITI, **params)
        assert (status, body["description"]) == (400, description)


async def test_blocked_user_gets_403(emu, bot):
    await emu.send_message(SITI, "hi")
    await emu.block(SITI)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(SITI, "promo")
    kinds = [
        u.my_chat_member.new_chat_member.status for u in await bot.get_updates() if u.my_chat_member
    ]
    assert kinds == ["kicked"]
    await emu.unblock(SITI)
    await bot.send_message(SITI, "welcome back")
    stats = await emu.stats()
    assert stats["refused_403"] == 1 and stats["sends"] == 1


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_limits_per_chat_group_and_global(emu, bot):
    for uid in (1, 2, 3, 4, 5, 6):
        await emu.send_message(uid, "hi")
    await emu.send_message(7, "hi group", chat_id=-500, chat_title="Koperasi Tani")

    await emu.set_flood_limits(True)
    for _ in range(3):  # private burst capacity
        await bot.send_message(1, "x")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1, "x")
    assert retry_seconds(caught.value) >= 1
    status, body = await raw_call(emu, "sendMessage", chat_id=1, text="x")
    assert status == 429 and body["parameters"]["retry_after"] >= 1
    assert body["description"].startswith("Too Many Requests: retry after ")
    # Not counted: edits and chat actions.
    await bot.send_chat_action(1, "typing")
    await bot.send_message(2, "other chat is fine")

    await emu.set_flood_limits(True, group_max=2, global_burst=4, global_rate=0.5)
    await bot.send_message(-500, "g1")
    await bot.send_message(-500, "g2")
    with pytest.raises(RetryAfter):
        await bot.send_message(-500, "g3")
    await bot.send_message(3, "global 3")
    await bot.send_message(4, "global 4")
    with pytest.raises(RetryAfter):  # global bucket (capacity 4) is empty now
        await bot.send_message(5, "global 5")

    stats = await emu.stats()
    assert stats["refused_429"] == 4
    await emu.set_flood_limits(False)
    await bot.send_message(1, "unlimited again")


async def test_latency_applies_to_every_call(emu, bot):
    await emu.set_latency(0.2)
    started = time.perf_counter()
    await bot.get_me()
    assert time.perf_counter() - started >= 0.2
    await emu.set_latency(0)
    started = time.perf_counter()
    await bot.get_me()
    assert time.perf_counter() - started < 0.2


class _Hook(RequestHandler):
    def initialize(self, box: dict) -> None:
        self.box = box

    def post(self) -> None:
        calls = self.box["calls"]
        calls.append(
            (
                self.request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                json.loads(self.request.body),
            )
        )
        if len(calls) == 1:
            self.set_status(500)  # first delivery fails: Telegram must retry
            return
        self.box["done"].set()


async def test_webhook_delivery_secret_retry_and_conflict(emu, bot):
    box = {"calls": [], "done": asyncio.Event()}
    sockets = bind_sockets(0, "127.0.0.1")
    server = HTTPServer(Application([(r"/hook", _Hook, {"box": box})]))
    server.add_sockets(sockets)
    url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/hook"
    try:
        assert await bot.set_webhook(url, secret_token="rahasia_42", max_connections=5)
        with pytest.raises(Conflict, match="(?i)webhook is active"):
            await bot.get_updates()
        update_id = await emu.send_message(SITI, "via webhook")
        await asyncio.wait_for(box["done"].wait(), 3)
        assert len(box["calls"]) == 2
        for secret, update in box["calls"]:
            assert secret == "rahasia_42"
            assert update["update_id"] == update_id
            assert update["message"]["text"] == "via webhook"
        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        assert "500" in info.last_error_message and info.last_error_date is not None
        hook = await emu.webhook()
        assert hook["secret_token"] == "rahasia_42" and hook["max_connections"] == 5
        assert (await emu.stats())["webhook_failures"] == 1
    finally:
        assert await bot.delete_webhook()
        server.stop()
        await server.close_all_connections()
    assert await emu.webhook() is None
    assert await bot.get_updates() == ()


async def test_document_upload_get_file_and_download(emu, bot):
    await emu.send_message(SITI, "kirim nota")
    payload = bytes(range(256)) * 10
    sent = await bot.send_document(SITI, payload, filename="nota.pdf", caption="Nota")
    assert sent.document.file_name == "nota.pdf" and sent.document.file_size == len(payload)
    tg_file = await bot.get_file(sent.document.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == payload
    # Re-sending by file_id reuses the stored file.
    again = await bot.send_document(SITI, sent.document.file_id)
    assert again.document.file_unique_id == sent.document.file_unique_id
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_document(SITI, "no-such-file-id")


async def test_photo_from_user_can_be_downloaded(emu, bot):
    png = (
        b"\x89PNG\r\n\x1a\n"
        + b"\0\0\0\rIHDR"
        + (640).to_bytes(4, "big")
        + (480).to_bytes(4, "big")
        + b"rest-of-image"
    )
    await emu.send_photo(SITI, png, caption="panen cabai")
    (update,) = await bot.get_updates()
    largest = update.message.photo[-1]
    assert (largest.width, largest.height) == (640, 480)
    assert update.message.caption == "panen cabai"
    data = await (await bot.get_file(largest.file_id)).download_as_bytearray()
    assert bytes(data) == png


async def test_contact_location_and_reply_keyboards(emu, bot):
    await emu.send_command(SITI, "daftar", first_name="Siti", last_name="Aminah")
    await bot.send_message(
        SITI,
        "Bagikan nomor",
        reply_markup=ReplyKeyboardMarkup(
            [
                [KeyboardButton("Kirim nomor", request_contact=True)],
                [KeyboardButton("Lokasi", request_location=True)],
            ],
            one_time_keyboard=True,
        ),
    )
    await emu.share_contact(SITI, "6281234567890")
    await emu.share_contact(SITI, "6289999", contact_first_name="Budi", contact_user_id=2002)
    await emu.share_location(SITI, -6.2, 106.8)
    await bot.send_message(SITI, "Terima kasih", reply_markup=ReplyKeyboardRemove())

    messages = [u.message for u in await bot.get_updates()]
    own, other, where = messages[1].contact, messages[2].contact, messages[3].location
    assert (own.user_id, own.first_name, own.last_name) == (SITI, "Siti", "Aminah")
    assert (other.user_id, other.first_name) == (2002, "Budi")
    assert (where.latitude, where.longitude) == (-6.2, 106.8)

    ask, thanks = await emu.messages(SITI)
    rows = ask.reply_keyboard["rows"]
    assert rows[0][0] == {"text": "Kirim nomor", "request_contact": True, "request_location": False}
    assert rows[1][0]["request_location"] and ask.reply_keyboard["one_time_keyboard"]
    assert thanks.remove_keyboard
    assert (await emu.chat(SITI))["reply_keyboard"] is None


async def test_commands_menu_and_misc_methods(emu, bot):
    await bot.set_my_commands([("start", "Mulai"), ("saldo", "Cek simpanan")])
    await bot.set_my_commands([("start", "Start")], language_code="en")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "saldo"]
    assert await emu.commands(language_code="en") == [{"command": "start", "description": "Start"}]
    assert len(await emu.all_commands()) == 2
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await bot.set_my_commands([("Saldo", "x")])
    assert await bot.delete_my_commands(language_code="en")
    assert await emu.commands(language_code="en") == []
    assert await bot.set_chat_menu_button()
    await emu.send_message(SITI, "hi")
    assert await bot.send_chat_action(SITI, "typing")
    with pytest.raises(BadRequest, match="(?i)wrong parameter action"):
        await bot.send_chat_action(SITI, "dancing")
    assert await bot.log_out() and await bot.close()

    status, body = await raw_call(emu, "noSuchMethod")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, body = await raw_call(emu, "GETME")  # method names are case-insensitive
    assert status == 200 and body["result"]["username"] == "koperasi_test_bot"
    async with httpx.AsyncClient(trust_env=False) as http:
        r = await http.get(f"{emu.base_url}not-a-token/getMe")
    assert r.status_code == 401 and r.json()["description"] == "Unauthorized"


async def test_only_valid_tokens_are_accepted_when_given():
    import telegram
    from telegram.error import InvalidToken

    async with BotApiEmulator(
        valid_tokens=["7000000001:AAH_the-one-valid-token-0123456789abc"]
    ) as emu:
        good = telegram.Bot(
            "7000000001:AAH_the-one-valid-token-0123456789abc", base_url=emu.base_url
        )
        assert (await good.get_me()).id == 7000000001
        wrong = telegram.Bot(
            "7000000001:AAH_a-well-formed-but-wrong-token-012345", base_url=emu.base_url
        )
        with pytest.raises(InvalidToken):  # Telegram: 401 Unauthorized
            await wrong.get_me()
        async with httpx.AsyncClient(trust_env=False) as http:
            r = await http.get(
                f"{emu.base_file_url}7000000001:AAH_a-well-formed-but-wrong-token-012345/x"
            )
        assert r.status_code == 401


async def test_group_chat_messages(emu, bot):
    await emu.send_message(
        3003,
        "/saldo@koperasi_test_bot",
        chat_id=-1001234567890,
        chat_title="KUD Makmur",
        first_name="Wayan",
    )
    (update,) = await bot.get_updates()
    assert update.message.chat.type == "supergroup"
    assert update.message.chat.title == "KUD Makmur"
    assert update.message.from_user.id == 3003
    sent = await bot.send_message(
        -1001234567890, "Saldo dikirim lewat chat pribadi", reply_markup=keyboard(("Buka", "open"))
    )
    assert sent.chat.id == -1001234567890
    query_id = await emu.press_button(-1001234567890, "Buka", user_id=3003)
    assert query_id


async def test_concurrent_get_updates_conflict(emu):
    # PTB's Bot serialises requests on one connection, so use two raw clients.
    url = f"{emu.base_url}{emu.token_for_tests}/getUpdates"
    async with httpx.AsyncClient(trust_env=False) as a, httpx.AsyncClient(trust_env=False) as b:
        first = asyncio.create_task(a.post(url, json={"timeout": 3}))
        await asyncio.sleep(0.05)
        second = asyncio.create_task(b.post(url, json={"timeout": 3}))
        response = await first
        assert response.status_code == 409
        assert response.json()["description"] == (
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running"
        )
        await emu.send_message(SITI, "for the newest poller")
        body = (await second).json()
        assert body["result"][0]["message"]["text"] == "for the newest poller"


async def test_many_people_in_process_is_fast(emu, bot):
    """A benchmark-sized load: 600 people write, the bot drains and answers everyone."""
    started = time.perf_counter()
    for uid in range(10_000, 10_600):
        await emu.send_message(uid, "/start", first_name=f"Petani {uid}")
    seen, offset = 0, None
    while seen < 600:
        updates = await bot.get_updates(offset=offset, limit=100)
        seen += len(updates)
        offset = updates[-1].update_id + 1
    for uid in range(10_000, 10_600):  # PTB's default Bot uses a single connection
        await bot.send_message(uid, "Selamat datang")
    waited = await asyncio.gather(
        *(emu.wait_for_messages(uid, 1, timeout=2) for uid in range(10_000, 10_600))
    )
    assert all(msgs[0].text == "Selamat datang" for msgs in waited)
    assert (await emu.stats())["sends"] == 600
    assert time.perf_counter() - started < 8


async def test_ptb_application_polling_end_to_end(emu):
    """A real PTB Application (Updater polling) talking to the emulator."""
    from telegram.ext import Application, CallbackQueryHandler, CommandHandler

    async def start(update, context):
        await update.message.reply_text("Selamat datang!", reply_markup=keyboard(("Saldo", "s")))

    async def saldo(update, context):
        await update.callback_query.answer()
        await update.callback_query.edit_message_text("Saldo: Rp 0")

    app = (
        Application.builder()
        .token(emu.token_for_tests)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(saldo))
    async with app:
        await app.updater.start_polling(poll_interval=0, timeout=2)
        await app.start()
        try:
            await emu.send_command(SITI, "start", first_name="Siti")
            (welcome,) = await emu.wait_for_messages(SITI, 1, timeout=3)
            assert welcome.text == "Selamat datang!" and welcome.reply_to_message_id is None
            query_id = await emu.press_button(SITI, "Saldo")
            await emu.wait_for(SITI, lambda ms: ms[0].text == "Saldo: Rp 0", timeout=3)
            assert (await emu.wait_callback_answer(query_id, timeout=3)).answered
        finally:
            await app.updater.stop()
            await app.stop()
    stats = await emu.stats()
    assert stats["requests"]["deleteWebhook"] == 1 and stats["errors"] == {}
