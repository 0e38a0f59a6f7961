"""The broadcast sender in the real Application over the fake Bot API transport: one message
per person; 403 stops sending to that person; 429 honoured; refusals that may pass retried,
others not; a message without an answer never sent again; a restart mid-broadcast sends the
rest and nobody twice; the administrator sees progress and a summary; paid broadcasts; the lean path (the
application's, bot.runtime.bulk) sends what the PTB path sent."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.i18n import use_locale
from bot.runtime.broadcast import may_have_arrived, progress_text, summary_text
from bot.runtime.ratelimit import leaving
from storage import outbox, people
from storage.outbox import OutgoingMessage
from tests.harness import World

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

ADMIN_CHAT = 900


async def _people(world: World, n: int, first: int = 100, language: str = "id") -> list[int]:
    async def add(conn):
        return [
            await people.insert_person(
                conn, telegram_user_id=first + i, chat_id=first + i, full_name=f"Petani {i}",
                phone=f"+62812{first + i:07d}", language=language, timezone="Asia/Jakarta", org_id=1,
            )
            for i in range(n)
        ]  # fmt: skip

    return await world.db.write(add)


async def _broadcast(world: World, ids: list[int], key: str = "b1", **kwargs) -> outbox.Enqueued:
    rows = await world.db.fetchall(
        f"SELECT id, chat_id FROM people WHERE id IN ({','.join('?' * len(ids))})", tuple(ids)
    )
    chat = {row["id"]: row["chat_id"] for row in rows}
    messages = [OutgoingMessage(pid, chat[pid], f"Harga cabai hari ini #{pid}") for pid in ids]
    enqueued = await world.db.write(
        outbox.enqueue, key=key, kind="price_change", messages=messages, **kwargs
    )
    world.app.bot_data.outbox.wake()
    return enqueued


async def _done(world: World, broadcast_id: int, within: float = 10.0) -> outbox.Broadcast:
    deadline = time.monotonic() + within
    while True:
        found = await outbox.get(world.db, broadcast_id)
        if found.status == "done":
            return found
        if time.monotonic() > deadline:
            rows = await outbox.rows_of(world.db, broadcast_id)
            raise AssertionError(f"broadcast {broadcast_id} not done within {within}s: {rows}")
        await asyncio.sleep(0.02)


async def _until(condition, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while True:
        if condition():
            return
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.005)


def _received(world: World, chat_id: int) -> list[str]:
    return [m.text for m in world.telegram.messages.get(chat_id, []) if m.text.startswith("Harga")]


def _sender(world: World):
    return world.app.bot_data.outbox


async def test_one_message_per_person_once_even_if_enqueued_again(world):
    ids = await _people(world, 12)
    first = await _broadcast(world, ids)
    await _done(world, first.broadcast_id)
    again = await _broadcast(world, ids)  # the same key: the same broadcast
    assert again == outbox.Enqueued(first.broadcast_id, False, 12)
    await asyncio.sleep(0.1)
    for i, pid in enumerate(ids):
        assert _received(world, 100 + i) == [f"Harga cabai hari ini #{pid}"]
    sends = world.telegram.calls_of("sendMessage")
    assert len(sends) == 12
    assert all(call.params.get("allow_paid_broadcast") is None for call in sends)
    rows = await outbox.rows_of(world.db, first.broadcast_id)
    assert {r["state"] for r in rows} == {"sent"} and all(r["message_id"] for r in rows)


async def test_a_button_goes_with_the_message(world):
    (pid,) = await _people(world, 1)
    markup = {"inline_keyboard": [[{"text": "Jual", "callback_data": "jual:cabai"}]]}
    message = OutgoingMessage(pid, 100, "Harga cabai", json.dumps(markup))
    enq = await world.db.write(outbox.enqueue, key="k", kind="price_change", messages=[message])
    _sender(world).wake()
    await _done(world, enq.broadcast_id)
    assert world.telegram.messages[100][0].reply_markup == markup


async def test_a_person_who_blocked_the_bot_is_marked_and_gets_nothing_more(world):
    ids = await _people(world, 4)
    world.telegram.fail_next("sendMessage", status=403)
    first = await _broadcast(world, ids)
    await _done(world, first.broadcast_id)
    blocked_chat = int(world.telegram.calls_of("sendMessage")[0].params["chat_id"])
    blocked = await people.by_telegram_id(world.db, blocked_chat)
    assert blocked.reachable is False
    assert (await outbox.progress(world.db, first.broadcast_id)).gone == 1
    second = await _broadcast(world, ids, key="b2")
    await _done(world, second.broadcast_id)
    assert _received(world, blocked_chat) == []
    assert [int(c.params["chat_id"]) for c in world.telegram.calls_of("sendMessage")].count(
        blocked_chat
    ) == 1  # tried once, in the first broadcast only
    assert (await outbox.progress(world.db, second.broadcast_id)).gone == 1
    for chat in {100, 101, 102, 103} - {blocked_chat}:
        assert len(_received(world, chat)) == 2


async def test_a_429_is_waited_out_by_the_rate_limiter_and_the_message_sent_once(world):
    ids = await _people(world, 3)
    world.telegram.fail_next("sendMessage", status=429, retry_after=1)
    started = time.monotonic()
    enq = await _broadcast(world, ids)
    await _done(world, enq.broadcast_id)
    assert time.monotonic() - started >= 1.0
    assert len(world.telegram.calls_of("sendMessage")) == 4
    for chat in (100, 101, 102):
        assert len(_received(world, chat)) == 1
    rows = await outbox.rows_of(world.db, enq.broadcast_id)
    assert {r["attempts"] for r in rows} == {0}


async def test_a_429_the_limiter_gives_up_on_pauses_the_sender_and_is_not_a_failure(world):
    sender = _sender(world)
    sender.max_retries = 0  # the limiter raises the 429 at once
    ids = await _people(world, 2)
    world.telegram.fail_next("sendMessage", status=429, retry_after=1)
    started = time.monotonic()
    enq = await _broadcast(world, ids)
    await _done(world, enq.broadcast_id)
    calls = world.telegram.calls_of("sendMessage")
    assert len(calls) == 3
    refused = int(calls[0].params["chat_id"])
    assert len(_received(world, refused)) == 1
    assert time.monotonic() - started >= 0.9  # the refused one waited for retry_after
    rows = await outbox.rows_of(world.db, enq.broadcast_id)
    assert [r["attempts"] for r in rows] == [0, 0]
    assert all(r["state"] == "sent" for r in rows)


async def test_refusals_that_may_pass_are_retried_then_given_up(world):
    sender = _sender(world)
    sender.backoff = lambda failures: 0
    sender.max_attempts = 3
    (pid,) = await _people(world, 1)
    world.telegram.fail_next("sendMessage", status=502)  # Bad Gateway
    world.telegram.fail_next("sendMessage", status=500)
    enq = await _broadcast(world, [pid])
    await _done(world, enq.broadcast_id)
    assert _received(world, 100) == [f"Harga cabai hari ini #{pid}"]
    (row,) = await outbox.rows_of(world.db, enq.broadcast_id)
    assert (row["state"], row["attempts"]) == ("sent", 2)

    (other,) = await _people(world, 1, first=300)
    for _ in range(3):
        world.telegram.fail_next("sendMessage", status=500)
    enq = await _broadcast(world, [other], key="b2")
    await _done(world, enq.broadcast_id)
    (row,) = await outbox.rows_of(world.db, enq.broadcast_id)
    assert (row["state"], row["attempts"]) == ("failed", 3)
    assert _received(world, 300) == []


async def test_a_refusal_for_good_is_not_retried(world):
    (pid,) = await _people(world, 1)
    world.telegram.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
    enq = await _broadcast(world, [pid])
    await _done(world, enq.broadcast_id)
    (row,) = await outbox.rows_of(world.db, enq.broadcast_id)
    assert row["state"] == "failed" and row["error"].startswith("BadRequest"), row
    assert len(world.telegram.calls_of("sendMessage")) == 1


async def test_a_message_without_an_answer_is_counted_sent_and_never_repeated(world):
    (pid,) = await _people(world, 1)
    world.telegram.fail_next("sendMessage", status=0)  # a timeout: it may have arrived
    enq = await _broadcast(world, [pid])
    await _done(world, enq.broadcast_id)
    (row,) = await outbox.rows_of(world.db, enq.broadcast_id)
    assert row["state"] == "sent" and row["message_id"] is None
    assert row["error"].startswith(outbox.UNCONFIRMED)
    assert len(world.telegram.calls_of("sendMessage")) == 1
    assert (await outbox.progress(world.db, enq.broadcast_id)).unconfirmed == 1


def test_what_may_have_arrived():
    def caused(exc, cause):
        exc.__cause__ = cause
        return exc

    request = httpx.Request("POST", "http://x")
    assert not may_have_arrived(NetworkError("Bad Gateway"))  # Telegram answered 502
    assert not may_have_arrived(RetryAfter(3))
    assert not may_have_arrived(Forbidden("blocked"))
    assert not may_have_arrived(BadRequest("chat not found"))
    for never_left in (httpx.ConnectError("refused", request=request),
                       httpx.PoolTimeout("no free connection", request=request),
                       httpx.ConnectTimeout("slow", request=request)):  # fmt: skip
        assert not may_have_arrived(caused(TimedOut(), never_left)), never_left
    assert may_have_arrived(caused(TimedOut(), httpx.ReadTimeout("no answer", request=request)))
    assert may_have_arrived(
        caused(NetworkError("x"), httpx.RemoteProtocolError("closed", request=request))
    )
    assert may_have_arrived(TimedOut())  # cause unknown: assume the worst


async def test_the_administrator_progress_message_counts(world):
    (admin,) = await _people(world, 1, first=ADMIN_CHAT, language="en")
    ids = await _people(world, 3)
    _sender(world).progress_seconds = 0
    # Telegram takes a while to accept each subscriber's message, so that the broadcast is
    # under way when the sender reports (a broadcast done at once has only its summary).
    answer = world.telegram.do_request

    async def slowly(url, method, request_data=None, **kwargs):
        params = request_data.parameters if request_data else {}
        if url.endswith("/sendMessage") and params.get("chat_id") != ADMIN_CHAT:
            await asyncio.sleep(0.3)
        return await answer(url, method, request_data, **kwargs)

    world.telegram.do_request = slowly
    enq = await _broadcast(world, ids, started_by=admin)
    await _done(world, enq.broadcast_id)
    await asyncio.sleep(0.05)
    admin_chat = world.telegram.messages[ADMIN_CHAT]
    assert len(admin_chat) == 2
    progress_message, summary = admin_chat
    assert "Left: 0" in progress_message.text and "Sent: 3" in progress_message.text
    assert any("Left: 3" in text for text in progress_message.edits)
    assert "Sent: 3" in summary.text and "Failed" not in summary.text
    stored = await outbox.get(world.db, enq.broadcast_id)
    assert stored.progress_message_id == progress_message.message_id


async def test_the_summary_names_who_blocked_the_bot(world):
    (admin,) = await _people(world, 1, first=ADMIN_CHAT, language="en")
    ids = await _people(world, 3)
    await people.set_reachable(world.db, 101, False)
    enq = await _broadcast(world, ids, started_by=admin)
    await _done(world, enq.broadcast_id)
    await asyncio.sleep(0.05)
    progress = await outbox.progress(world.db, enq.broadcast_id)
    assert (progress.sent, progress.gone) == (2, 1)
    with use_locale("en"):
        final, summary = progress_text(progress, done=True), summary_text(progress)
    shown = [m.text for m in world.telegram.messages[ADMIN_CHAT]]
    # a progress message appears only if the sender reported before the end (timing): if it
    # did, it was edited to the final counts; the summary always comes, last
    assert shown in ([final, summary], [summary])
    assert "Blocked the bot: 1" in summary
    assert _received(world, 101) == []


async def test_paid_broadcasts_carry_allow_paid_broadcast(tmp_path):
    world = await World(str(tmp_path / "k.sqlite3"), paid_broadcast="on").start()
    try:
        ids = await _people(world, 3)
        enq = await _broadcast(world, ids)
        await _done(world, enq.broadcast_id)
        sends = world.telegram.calls_of("sendMessage")
        assert len(sends) == 3
        assert all(str(call.params["allow_paid_broadcast"]).lower() == "true" for call in sends)
    finally:
        await world.stop()


class SlowTelegram:
    """Makes sendMessage take ``delay`` seconds (or hang until released) on a FakeTelegram."""

    def __init__(self, telegram, delay: float) -> None:
        self.delay = delay
        self.hang = False
        self.hanging = 0  # sends that reached "Telegram" and wait for an answer forever
        original = telegram.do_request

        async def do_request(url, method, request_data=None, **kwargs):
            if url.endswith("/sendMessage"):
                await leaving()  # the request is out: "Telegram" has it from here on
                if self.hang:
                    self.hanging += 1
                    await asyncio.Event().wait()
                await asyncio.sleep(self.delay)
            return await original(url, method, request_data, **kwargs)

        telegram.do_request = do_request


async def test_a_restart_mid_broadcast_sends_the_rest_and_nobody_twice(tmp_path):
    path = str(tmp_path / "k.sqlite3")
    world = await World(path).start()
    SlowTelegram(world.telegram, 0.02)
    ids = await _people(world, 60)
    enq = await _broadcast(world, ids)
    await _until(lambda: len(world.telegram.calls_of("sendMessage")) >= 15)
    await world.stop()  # SIGTERM: what is on the wire comes back, what waits stays queued
    first = world.telegram
    between = await _reopen_progress(path, enq.broadcast_id)
    assert 15 <= between.sent < 60 and between.unconfirmed == 0

    world = await World(path).start()
    try:
        await _done(world, enq.broadcast_id)
        for i in range(60):
            got = _received_in(first, 100 + i) + _received_in(world.telegram, 100 + i)
            assert got == [f"Harga cabai hari ini #{ids[i]}"], (100 + i, got)
    finally:
        await world.stop()


async def test_a_message_on_the_wire_at_a_crash_is_not_sent_again(tmp_path):
    path = str(tmp_path / "k.sqlite3")
    world = await World(path).start()
    slow = SlowTelegram(world.telegram, 0.0)
    ids = await _people(world, 10)
    slow.hang = True  # every send reaches "Telegram" and no answer comes back
    enq = await _broadcast(world, ids)
    await _until(lambda: slow.hanging >= 8)  # the sender's concurrency
    await world.stop()  # the answers do not come within the grace: cut off, like a kill
    world = await World(path).start()
    try:
        assert _sender(world).settled_at_start == 8
        await _done(world, enq.broadcast_id)
        progress = await outbox.progress(world.db, enq.broadcast_id)
        assert progress.sent == 10 and progress.unconfirmed == 8
        rows = await outbox.rows_of(world.db, enq.broadcast_id)
        on_the_wire = {r["chat_id"] for r in rows if r["message_id"] is None}
        again = [int(c.params["chat_id"]) for c in world.telegram.calls_of("sendMessage")]
        assert len(again) == 2 and not set(again) & on_the_wire
    finally:
        await world.stop()


async def test_a_kill_at_the_very_start_loses_at_most_one_message(world):
    """Rows are marked 'sending' only as their requests leave, not when the rate limiter
    lets them go: requests that still wait for a connection when the process is killed are
    not marked, so they are sent after the restart instead of being counted as sent."""
    telegram = world.telegram
    answer = telegram.do_request
    waiting = iter(range(1, 1000))

    async def connecting(url, method, request_data=None, **kwargs):
        if url.endswith("/sendMessage"):  # a new connection each: the first one soonest
            await asyncio.sleep(0.05 * next(waiting))
        return await answer(url, method, request_data, **kwargs)

    telegram.do_request = connecting
    ids = await _people(world, 20)
    await _broadcast(world, ids)
    await _until(lambda: len(telegram.calls_of("sendMessage")) >= 1)
    await _sender(world).stop(0)  # a kill: nothing gets a grace
    await asyncio.sleep(0.1)  # a mark already on its way to the database lands
    arrived = {int(c.params["chat_id"]) for c in telegram.calls_of("sendMessage")}
    rows = await world.db.fetchall("SELECT chat_id, state FROM outbox")
    counted = {r["chat_id"] for r in rows if r["state"] in ("sending", "sent")}
    assert len(counted - arrived) <= 1, (counted, arrived)  # counted as sent, never arrived
    assert {r["state"] for r in rows} <= {"queued", "sending", "sent"}


async def test_rows_withdrawn_while_waiting_never_leave(world):
    """An offer taken while its alerts wait in the outbox: the rows not sent yet (claimed by
    the sender or not) are withdrawn and their requests never leave."""
    SlowTelegram(world.telegram, 0.1)
    # 40: the first 8 are answered after 0.1 s, and the budget lets the next 8 go (and be
    # marked, in one commit) before the test can withdraw; 24 are then left, 8 of them claimed
    ids = await _people(world, 40)
    enq = await _broadcast(world, ids)
    await _until(lambda: len(world.telegram.calls_of("sendMessage")) >= 1)
    withdrawn = await outbox.withdraw(world.db, "b1")
    await _sender(world).idle(within=10)
    rows = await outbox.rows_of(world.db, enq.broadcast_id)
    sent = {r["chat_id"] for r in rows if r["state"] == "sent"}
    assert withdrawn >= 10 and len(sent) + withdrawn == 40
    assert {int(c.params["chat_id"]) for c in world.telegram.calls_of("sendMessage")} == sent
    assert {r["error"] for r in rows if r["state"] == "failed"} == {outbox.WITHDRAWN}


def _received_in(telegram, chat_id: int) -> list[str]:
    return [m.text for m in telegram.messages.get(chat_id, []) if m.text.startswith("Harga")]


async def _reopen_progress(path: str, broadcast_id: int):
    from storage.db import Database

    async with Database(path) as db:
        return await outbox.progress(db, broadcast_id)


def test_paid_broadcasts_are_a_setting_off_by_default():
    from bot.config import ConfigError, Settings

    def load(**env):
        return Settings.load(environ=env, env_file=None, require_token=False)

    assert load().paid_broadcast is False
    assert load(KOPERASI_PAID_BROADCAST="on").paid_broadcast is True
    assert load(KOPERASI_PAID_BROADCAST="0").paid_broadcast is False
    with pytest.raises(ConfigError, match="KOPERASI_PAID_BROADCAST must be on or off"):
        load(KOPERASI_PAID_BROADCAST="maybe")


async def test_the_lean_path_sends_what_the_ptb_path_sent(tmp_path):
    """The same rows through ``bot.send_message`` (transport None) and through the lean path
    (bot.runtime.bulk): Telegram gets the same parameters for each person."""
    from bot.runtime.broadcast import OutboxSender
    from bot.runtime.bulk import RequestTransport

    world = await World(str(tmp_path / "k.sqlite3"), paid_broadcast="on").start()
    try:
        await _sender(world).stop(1)
        ids = await _people(world, 3)
        markup = {"inline_keyboard": [[{"text": "🌾 Jual", "callback_data": "jual:gabah"}]]}
        messages = [
            OutgoingMessage(pid, 100 + i, f'📣 Harga "gabah" #{pid}\nRp7.000 \\ <b>&</b>',
                            json.dumps(markup) if i else None)
            for i, pid in enumerate(ids)
        ]  # fmt: skip
        bot = world.app.bot
        for key, transport in (
            ("ptb", None),
            ("lean", RequestTransport(world.telegram, bot.base_url)),
        ):
            sender = OutboxSender(bot, world.db, paid=True, transport=transport)
            await sender.start()
            enq = await world.db.write(
                outbox.enqueue, key=key, kind="price_change", messages=messages
            )
            sender.wake()
            await _done(world, enq.broadcast_id)
            await sender.stop(1)
            rows = await outbox.rows_of(world.db, enq.broadcast_id)
            assert {r["state"] for r in rows} == {"sent"} and all(r["message_id"] for r in rows)
        sends = world.telegram.calls_of("sendMessage")
        assert len(sends) == 6

        def by_chat(calls):
            return sorted((c.params for c in calls), key=lambda p: int(p["chat_id"]))

        assert by_chat(sends[:3]) == by_chat(sends[3:])
        assert by_chat(sends[3:])[1]["reply_markup"] == markup
        assert by_chat(sends[3:])[0]["text"] == messages[0].text
    finally:
        await world.stop()
