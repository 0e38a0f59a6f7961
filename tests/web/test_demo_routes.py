"""The demo page's routes without a browser: another host name is refused (DNS rebinding),
the place a 📍 shares, the page's texts in both languages."""

from __future__ import annotations

import pytest

from bot.web.demo import DEFAULT_PLACE, LABELS, PLACES, page_labels, place_of


def test_place_of_a_village_is_its_most_specific_prefix():
    assert place_of("33.10.11.2004") == PLACES["33.10.11.2004"]
    assert place_of("33.10.11.2001") == PLACES["33.10.11"]
    assert place_of("33.10.01.2001") == PLACES["33.10"]
    assert place_of("33.101") == DEFAULT_PLACE  # a prefix is whole code parts, not characters
    assert place_of(None) == DEFAULT_PLACE


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_page_text_is_translated(language):
    labels = page_labels(language)
    assert set(labels) == set(LABELS)
    if language == "id":
        differ = [k for k in LABELS if labels[k] != LABELS[k]]
        assert len(differ) >= len(LABELS) - 2  # "Menu" and "OK" read the same
    assert "{seconds}" in labels["refused_429"]


async def test_a_request_for_another_host_is_refused(tmp_path):
    from tornado.httpclient import AsyncHTTPClient
    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets
    from tornado.web import Application

    from bot.web.demo import demo_routes
    from storage.db import Database

    async with Database(str(tmp_path / "x.sqlite3")) as db:
        sockets = bind_sockets(0, "127.0.0.1")
        port = sockets[0].getsockname()[1]
        server = HTTPServer(Application(demo_routes(db, "http://127.0.0.1:9/control", cast=[])))
        server.add_sockets(sockets)
        try:
            client = AsyncHTTPClient()
            ok = await client.fetch(f"http://127.0.0.1:{port}/api/cast", raise_error=False)
            assert ok.code == 200
            evil = await client.fetch(
                f"http://127.0.0.1:{port}/api/cast",
                headers={"Host": f"attacker.example:{port}"},
                raise_error=False,
            )
            assert evil.code == 403
            gone = await client.fetch(
                f"http://127.0.0.1:{port}/emu/messages?chat_id=1", raise_error=False
            )
            assert gone.code == 502  # the emulator is not there: said, not hung
        finally:
            server.stop()


async def test_many_open_chats_do_not_starve_the_proxy(tmp_path):
    """Each open chat holds a long poll: a dozen of them (two tabs, a phone) and a button press
    still goes through at once."""
    import asyncio
    import time

    from tornado.httpclient import AsyncHTTPClient
    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets
    from tornado.web import Application

    from bot.web.demo import demo_routes
    from emulator import BotApiEmulator
    from storage.db import Database

    async with BotApiEmulator() as emu, Database(str(tmp_path / "x.sqlite3")) as db:
        sockets = bind_sockets(0, "127.0.0.1")
        base = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
        server = HTTPServer(Application(demo_routes(db, emu.control_url, cast=[])))
        server.add_sockets(sockets)
        client = AsyncHTTPClient(force_instance=True, max_clients=50)
        try:
            polls = [
                asyncio.ensure_future(
                    client.fetch(f"{base}/emu/wait_change?chat_id={n}&version=0&timeout=4")
                )
                for n in range(1, 13)
            ]
            await asyncio.sleep(0.3)
            started = time.monotonic()
            answer = await client.fetch(
                f"{base}/emu/send_message", method="POST",
                body='{"user_id": 5, "text": "/start"}',
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            assert answer.code == 200 and time.monotonic() - started < 2
            changed = await polls[4]  # chat 5's long poll woke with its message
            assert b'"changed":true' in changed.body
        finally:
            for poll in polls:
                poll.cancel()
            client.close()
            server.stop()
