"""The outbox's lean path (bot.runtime.bulk) against the loopback emulator: a message posted
as a JSON body arrives as PTB's ``send_message`` would have sent it; Telegram's refusals come
back as PTB's exceptions; every request is announced right before it leaves, and one the
announcement refuses never arrives; a request that never left is told apart. Its HTTP/1.1
client against a scripted loopback server: answers in pieces or chunks, connections kept
alive until the server closes them, an answer that breaks off or never comes."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import ssl
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import telegram
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.runtime.broadcast import may_have_arrived
from bot.runtime.bulk import AsyncioBulkTransport, answer, message_body
from bot.runtime.ratelimit import as_it_leaves, retry_after_seconds
from emulator import BotApiEmulator

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TEXT = '📣 Harga beli gabah GKP: Rp7.000/kg (sebelumnya Rp6.500)\n<b>bukan HTML</b> & "kutip"'
MARKUP = {"inline_keyboard": [[{"text": "🌾 Jual gabah", "callback_data": "jual:gabah"}]]}


@pytest_asyncio.fixture
async def emu():
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest_asyncio.fixture
async def transport(emu):
    lean = AsyncioBulkTransport(f"{emu.base_url}{emu.token_for_tests}", 4)
    await lean.initialize()
    try:
        yield lean
    finally:
        await lean.shutdown()


async def _post(transport, chat_id, text=TEXT, markup=None, *, paid=True) -> dict:
    body = message_body(chat_id, text, json.dumps(markup) if markup else None, paid=paid)
    return answer(*await transport.post("sendMessage", body))


async def test_a_lean_message_arrives_as_the_ptb_one_does(emu, transport):
    for user in (501, 502):
        await emu.add_user(user, "Petani", open_chat=True)
    sent = await _post(transport, 501, markup=MARKUP)
    bot = telegram.Bot(emu.token_for_tests, base_url=emu.base_url)
    async with bot:
        await bot.send_message(
            502,
            TEXT,
            reply_markup=telegram.InlineKeyboardMarkup.de_json(MARKUP, bot),
            allow_paid_broadcast=True,
        )
    (lean,) = await emu.messages(501)
    (ptb,) = await emu.messages(502)
    assert sent["message_id"] == lean.message_id
    assert lean.raw_text == ptb.raw_text == TEXT and lean.parse_mode is ptb.parse_mode is None
    assert lean.reply_markup == ptb.reply_markup == MARKUP
    assert (await emu.stats())["paid_broadcasts"] == 2


async def test_refusals_come_back_as_ptbs_exceptions(emu, transport):
    await emu.add_user(501, "Petani", open_chat=True)
    await emu.add_user(502, "Petani", open_chat=True)
    await emu.block(502)
    with pytest.raises(Forbidden, match="blocked"):
        await _post(transport, 502)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await _post(transport, 999_999)
    await emu.set_flood_limits(True, private_burst=1)
    await _post(transport, 501, paid=False)
    with pytest.raises(RetryAfter) as refused:
        await _post(transport, 501, paid=False)
    assert retry_after_seconds(refused.value) >= 1
    assert len(await emu.messages(501)) == 1
    with pytest.raises(NetworkError):
        answer(502, b"<html>Bad Gateway</html>")


async def test_each_request_is_announced_as_it_leaves_and_a_refused_one_never_arrives(
    emu, transport
):
    await emu.add_user(501, "Petani", open_chat=True)
    announced = []

    async def leaving():
        announced.append(len(await emu.messages(501)))  # nothing of it at Telegram yet

    with as_it_leaves(leaving):
        for _ in range(3):
            await _post(transport, 501)
    assert announced == [0, 1, 2]

    class Withdrawn(Exception):
        pass

    async def withdrawn():
        raise Withdrawn

    with as_it_leaves(withdrawn), pytest.raises(Withdrawn):
        await _post(transport, 501)
    assert len(await emu.messages(501)) == 3
    await _post(transport, 501)  # the transport goes on after a refused request
    assert len(await emu.messages(501)) == 4


async def test_a_request_that_never_left_is_told_apart():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    lean = AsyncioBulkTransport(f"http://127.0.0.1:{port}/bot1:x", 2)
    try:
        with pytest.raises(NetworkError) as failed:
            await lean.post("sendMessage", message_body(501, "x"))
    finally:
        await lean.shutdown()
    assert isinstance(failed.value.__cause__, httpx.ConnectError)
    assert not may_have_arrived(failed.value)


def test_the_body_is_the_rows_json():
    body = json.loads(message_body(7, TEXT, json.dumps(MARKUP), paid=True))
    assert body == {
        "chat_id": 7,
        "text": TEXT,
        "reply_markup": MARKUP,
        "allow_paid_broadcast": True,
    }
    assert json.loads(message_body(7, "x")) == {"chat_id": 7, "text": "x"}


# ---------------------------------------------------------------- the HTTP/1.1 client itself


class Server:
    """A loopback HTTP server answering each request by ``script`` (a list of what to do
    per request: bytes written in pieces, "close" or "hang"), counting connections."""

    def __init__(self, script, tls=None):
        self.script = list(script)
        self.tls = tls
        self.connections = 0
        self.bodies = []

    async def __aenter__(self):
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self.tls)
        scheme = "https" if self.tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/bot1:x"
        return self

    async def __aexit__(self, *exc):
        self._server.close()

    async def _handle(self, reader, writer):
        self.connections += 1
        try:
            while self.script:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"Content-Length: (\d+)", head)[1])
                self.bodies.append(json.loads(await reader.readexactly(length)))
                step = self.script.pop(0)
                if step == "hang":
                    await asyncio.Event().wait()
                if step == "close":
                    break
                for piece in step:
                    if piece is None:  # closes the connection once idle, unannounced
                        await asyncio.sleep(0.05)
                        return
                    writer.write(piece)
                    await writer.drain()
                    await asyncio.sleep(0.01)
                if b"Connection: close" in step[0]:
                    break
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()


def _ok(message_id, *, close=False, chunked=False):
    body = json.dumps({"ok": True, "result": {"message_id": message_id}}).encode()
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    if close:
        head += b"Connection: close\r\n"
    if chunked:
        half = len(body) // 2
        chunks = [b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:half], body[half:])]
        return [head + b"Transfer-Encoding: chunked\r\n\r\n", *chunks, b"0\r\n\r\n"]
    return [head + b"Content-Length: %d\r\n\r\n" % len(body), body[:5], body[5:]]


async def test_answers_in_pieces_or_chunks_are_read_whole_and_connections_kept():
    script = [_ok(1), _ok(2, chunked=True), _ok(3, close=True), _ok(4)]
    async with Server(script) as server:
        lean = AsyncioBulkTransport(server.url, 4)
        try:
            ids = [(await _post(lean, 7, paid=False))["message_id"] for _ in range(4)]
        finally:
            await lean.shutdown()
    assert ids == [1, 2, 3, 4]
    assert server.connections == 2  # kept alive, until the server said close
    assert server.bodies[0] == {"chat_id": 7, "text": TEXT}


async def test_an_answer_that_breaks_off_or_never_comes_may_have_arrived():
    async with Server(["close", "hang"]) as server:
        lean = AsyncioBulkTransport(server.url, 4, timeout=0.3)
        try:
            with pytest.raises(NetworkError) as broken:
                await _post(lean, 7)
            with pytest.raises(TimedOut) as silent:
                await _post(lean, 7)
        finally:
            await lean.shutdown()
    assert isinstance(broken.value.__cause__, httpx.RemoteProtocolError)
    assert isinstance(silent.value.__cause__, httpx.ReadTimeout)
    assert may_have_arrived(broken.value) and may_have_arrived(silent.value)


async def test_a_connection_the_server_closed_while_idle_is_not_used_again():
    async with Server([[*_ok(1), None], _ok(2)]) as server:
        lean = AsyncioBulkTransport(server.url, 4)
        try:
            first = await _post(lean, 7)
            await asyncio.sleep(0.2)  # the server closes it meanwhile
            second = await _post(lean, 7)
        finally:
            await lean.shutdown()
    assert (first["message_id"], second["message_id"]) == (1, 2)
    assert server.connections == 2


async def test_https_with_the_certificate_checked():
    """As to api.telegram.org: TLS, the server's certificate checked against the CA given
    (a self-signed one for 127.0.0.1, in tests/runtime/data), connections kept."""
    data = Path(__file__).parent / "data"
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(data / "loopback-cert.pem", data / "loopback-key.pem")
    trusting = ssl.create_default_context(cafile=str(data / "loopback-cert.pem"))
    async with Server([_ok(1), _ok(2, chunked=True), _ok(3)], tls=server_side) as server:
        lean = AsyncioBulkTransport(server.url, 2, ssl_context=trusting)
        try:
            ids = [(await _post(lean, 7))["message_id"] for _ in range(2)]
        finally:
            await lean.shutdown()
        distrusting = AsyncioBulkTransport(server.url, 2)  # the system's CAs: refused
        try:
            with pytest.raises(NetworkError) as refused:
                await _post(distrusting, 7)
        finally:
            await distrusting.shutdown()
    assert ids == [1, 2] and server.connections == 1  # kept alive
    assert isinstance(refused.value.__cause__, httpx.ConnectError)
    assert not may_have_arrived(refused.value)  # the request never left
