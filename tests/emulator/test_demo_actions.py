"""What a chat page in the browser needs from the emulator: a Mini App's signed initData, files
by file_id without the token, refusals and the typing indicator kept per chat."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qsl, unquote

import httpx
import pytest
import telegram
from telegram.error import BadRequest, Forbidden, RetryAfter

from emulator import SandboxClient

pytestmark = pytest.mark.asyncio

SITI = 1001


def _independent_check(init_data: str, token: str) -> dict[str, str]:
    """Telegram's documented rule, written out again here (not the emulator's code): split the
    raw string on '&', URL-decode each value, sort all but `hash`, join with newlines."""
    pairs = dict(
        (part.split("=", 1)[0], unquote(part.split("=", 1)[1])) for part in init_data.split("&")
    )
    received = pairs.pop("hash")
    check = "\n".join(f"{key}={pairs[key]}" for key in sorted(pairs))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received, expected), "hash does not verify"
    return pairs


async def test_web_app_init_data_verifies_with_the_bots_token(emu, bot):
    await bot.get_me()  # the bot's token is what the emulator signs with
    await emu.add_user(SITI, "Siti", "Rahayu", language_code="en")
    async with SandboxClient(emu.control_url) as people:
        init_data = await people.web_app_init_data(SITI, auth_date=1_700_000_000)
    fields = _independent_check(init_data, emu.token_for_tests)
    assert fields["auth_date"] == "1700000000"
    assert fields["query_id"]
    user = json.loads(fields["user"])
    assert user["id"] == SITI
    assert (user["first_name"], user["last_name"], user["language_code"]) == (
        "Siti",
        "Rahayu",
        "en",
    )
    # the raw string is URL-encoded: the JSON's braces and quotes do not appear bare
    assert "{" not in init_data and dict(parse_qsl(init_data))["user"] == fields["user"]


async def test_init_data_of_another_token_does_not_verify(emu):
    token = "7000000002:AAH_another-bot-token-0123456789abcdef"
    other = telegram.Bot(token, base_url=emu.base_url)
    async with other:
        await other.get_me()
    init_data = await emu.web_app_init_data(SITI)
    _independent_check(init_data, token)
    with pytest.raises(AssertionError, match="does not verify"):
        _independent_check(init_data, emu.token_for_tests)


async def test_init_data_with_a_name_that_needs_escaping(emu):
    await emu.add_user(SITI, 'Sri & "Tini" <script>', language_code="id")
    init_data = await emu.web_app_init_data(SITI)
    fields = _independent_check(init_data, emu.token_for_tests)
    assert json.loads(fields["user"])["first_name"] == 'Sri & "Tini" <script>'


async def test_file_by_id_without_the_token(emu, bot):
    await emu.send_message(SITI, "/start")
    sent = await bot.send_document(
        SITI, b"%PDF-1.4 statement", filename="rekening.pdf", caption="Rekening"
    )
    async with httpx.AsyncClient() as http:
        r = await http.get(f"{emu.control_url}/file", params={"file_id": sent.document.file_id})
        assert r.status_code == 200
        assert r.content == b"%PDF-1.4 statement"
        assert r.headers["content-type"] == "application/pdf"
        assert "rekening.pdf" in r.headers["content-disposition"]
        missing = await http.get(f"{emu.control_url}/file", params={"file_id": "nope"})
        assert missing.status_code == 404


async def test_refusals_and_typing_are_in_the_transcript(emu, bot):
    await emu.send_message(SITI, "/start")
    before = (await emu.transcript(SITI))["version"]
    await bot.send_chat_action(SITI, "typing")
    after = await emu.transcript(SITI)
    assert after["version"] > before  # a long-polling page wakes up for it
    assert after["last_action"] == "typing" and after["last_action_at"] > 0

    await emu.set_flood_limits(True, private_burst=1)
    await bot.send_message(SITI, "one")
    with pytest.raises(RetryAfter):
        await bot.send_message(SITI, "two")
    await emu.set_flood_limits(False)
    with pytest.raises(BadRequest):
        await bot.edit_message_text("x", chat_id=SITI, message_id=999)
    await emu.block(SITI)
    blocked = await emu.transcript(SITI)
    assert blocked["blocked"] is True
    with pytest.raises(Forbidden):
        await bot.send_message(SITI, "three")

    async with SandboxClient(emu.control_url) as people:
        seen = await people.transcript(SITI)
    codes = [(r["method"], r["error_code"]) for r in seen["refusals"]]
    assert codes == [("sendMessage", 429), ("editMessageText", 400), ("sendMessage", 403)]
    assert seen["refusals"][0]["retry_after"] >= 1
    assert "blocked" in seen["refusals"][2]["description"]
    assert seen["blocked"] is True
    await emu.unblock(SITI)
    assert (await emu.transcript(SITI))["blocked"] is False


async def test_a_callback_answer_read_with_get_and_a_numeric_looking_id(emu, bot):
    sent = await emu.send_message(SITI, "/start")
    assert sent is not None
    await bot.send_message(
        SITI,
        "Pilih",
        reply_markup=telegram.InlineKeyboardMarkup.from_button(
            telegram.InlineKeyboardButton("Ya", callback_data="yes")
        ),
    )
    query_id = await emu.press_button(SITI, "Ya")
    await bot.answer_callback_query(query_id, text="Baik", show_alert=True)
    async with httpx.AsyncClient() as http:
        r = await http.get(
            f"{emu.control_url}/wait_callback_answer",
            params={"callback_query_id": query_id, "timeout": 2},
        )
    assert r.status_code == 200, r.text
    assert r.json()["result"]["text"] == "Baik" and r.json()["result"]["show_alert"] is True
