"""The outbox on a real SQLite file: a broadcast is enqueued once with all its rows, claimed in
order, and every fate (sent, retried, failed, gone, settled after a crash) is counted."""

from datetime import date

import pytest

from domain.broadcasts import Progress, digest_key
from storage import outbox
from storage.db import Database
from storage.migrate import migrate
from storage.outbox import OutgoingMessage
from storage.people import insert_person

NOW = 1_800_000_000


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


async def _people(db, n):
    async def add(conn):
        return [
            await insert_person(
                conn, telegram_user_id=100 + i, chat_id=100 + i, full_name=f"Petani {i}",
                phone=f"+6281200000{i:03d}", language="id", timezone="Asia/Jakarta", org_id=1,
            )
            for i in range(n)
        ]  # fmt: skip

    return await db.write(add)


async def _enqueue(db, ids, key="k1", **kwargs):
    messages = [OutgoingMessage(pid, 100 + i, f"Harga {i}") for i, pid in enumerate(ids)]
    return await db.write(outbox.enqueue, key=key, kind="price_change", messages=messages, **kwargs)


async def test_a_broadcast_is_enqueued_once_with_one_row_per_person(db):
    ids = await _people(db, 3)
    first = await _enqueue(db, [*ids, ids[0]], started_by=ids[0])  # a person named twice
    assert first.created and first.total == 3
    again = await _enqueue(db, ids[:1])
    assert again == outbox.Enqueued(first.broadcast_id, False, 3)
    assert len(await outbox.rows_of(db, first.broadcast_id)) == 3
    assert await outbox.progress(db, first.broadcast_id) == Progress(total=3)
    stored = await outbox.by_key(db, "k1")
    assert stored.started_by == ids[0] and stored.status == "sending"


async def test_enqueue_is_all_or_nothing(db):
    ids = await _people(db, 2)
    bad = [OutgoingMessage(ids[0], 100, "ok"), OutgoingMessage(99999, 1, "no such person")]
    with pytest.raises(Exception, match="(?i)foreign key"):
        await db.write(outbox.enqueue, key="k", kind="x", messages=bad)
    assert await outbox.by_key(db, "k") is None
    assert await outbox.next_due_at(db) is None


async def test_claims_come_in_order_due_and_not_busy(db):
    ids = await _people(db, 4)
    await _enqueue(db, ids, at=NOW)
    assert await outbox.claim_due(db, NOW - 1, 10) == []
    rows = await outbox.claim_due(db, NOW, 2)
    assert [r.person_id for r in rows] == ids[:2]
    rest = await outbox.claim_due(db, NOW, 10, busy=[r.id for r in rows])
    assert [r.person_id for r in rest] == ids[2:]
    assert await outbox.next_due_at(db) == NOW
    assert await outbox.next_due_at(db, after=NOW) is None


async def test_every_fate_is_counted_and_the_broadcast_finishes_once(db):
    ids = await _people(db, 5)
    enq = await _enqueue(db, ids, at=NOW)
    a, b, c, d, e = await outbox.claim_due(db, NOW, 5)
    await outbox.mark_sending(db, a.id)
    await outbox.mark_sent(db, [(a.id, 11, None)])
    await outbox.mark_sending(db, b.id)
    await outbox.retry_later(db, b.id, NOW + 10, "NetworkError: Bad Gateway")
    await outbox.mark_failed(db, c.id, "BadRequest: chat not found")
    await outbox.mark_gone(db, d.id, d.person_id, "Forbidden: bot was blocked by the user")
    await outbox.mark_sending(db, e.id)  # on the wire when the process died
    assert await outbox.progress(db, enq.broadcast_id) == Progress(5, sent=1, failed=1, gone=1)
    assert not await outbox.finish(db, enq.broadcast_id)

    assert await outbox.settle_in_flight(db) == 1
    progress = await outbox.progress(db, enq.broadcast_id)
    assert progress == Progress(5, sent=2, failed=1, gone=1, unconfirmed=1)
    assert progress.left == 1 and progress.not_delivered == 2

    assert await outbox.claim_due(db, NOW + 9, 5) == []  # b waits for its retry
    (again,) = await outbox.claim_due(db, NOW + 10, 5)
    assert again.id == b.id and again.attempts == 1
    await outbox.mark_sent(db, [(b.id, 12, None)])
    assert await outbox.finish(db, enq.broadcast_id)
    assert not await outbox.finish(db, enq.broadcast_id)  # the summary goes once
    assert (await outbox.get(db, enq.broadcast_id)).status == "done"
    states = {r["person_id"]: r["state"] for r in await outbox.rows_of(db, enq.broadcast_id)}
    assert list(states.values()) == ["sent", "sent", "failed", "gone", "sent"]


async def test_a_person_who_blocked_the_bot_gets_nothing_more(db):
    ids = await _people(db, 2)
    first = await _enqueue(db, ids, key="one", at=NOW)
    second = await _enqueue(db, ids, key="two", at=NOW)
    row = (await outbox.claim_due(db, NOW, 1))[0]
    assert await outbox.mark_gone(db, row.id, row.person_id, "Forbidden") == 2
    left = await outbox.claim_due(db, NOW, 10)
    assert {r.person_id for r in left} == {ids[1]}
    assert (await outbox.progress(db, second.broadcast_id)).gone == 1
    assert (await db.fetchone("SELECT reachable FROM people WHERE id = ?", (ids[0],)))[0] == 0
    # blocked from elsewhere (the rate limiter's hook, my_chat_member): dropped when claimed
    await db.write_one("UPDATE people SET reachable = 0 WHERE id = ?", (ids[1],))
    third = await _enqueue(db, ids[1:], key="three", at=NOW)
    assert await outbox.claim_due(db, NOW, 10) == []
    for enq in (first, second, third):
        assert (await outbox.progress(db, enq.broadcast_id)).left == 0


async def test_the_progress_message_is_begun_once(db):
    ids = await _people(db, 1)
    enq = await _enqueue(db, ids)
    assert await outbox.begin_progress_message(db, enq.broadcast_id)
    assert not await outbox.begin_progress_message(db, enq.broadcast_id)
    await outbox.set_progress(db, enq.broadcast_id, 77, NOW)
    stored = await outbox.get(db, enq.broadcast_id)
    assert (stored.progress_message_id, stored.progress_at) == (77, NOW)
    assert [b.id for b in await outbox.active(db)] == [enq.broadcast_id]


def test_the_digest_key_names_the_day_and_the_zone():
    assert digest_key(date(2026, 11, 29), "Asia/Jayapura") == "digest:2026-11-29:Asia/Jayapura"


async def test_a_notice_goes_before_a_broadcasts_backlog_and_a_withdrawn_one_never(db):
    ids = await _people(db, 6)
    await _enqueue(db, ids[:5], key="price")  # a broadcast's backlog
    await db.write(
        outbox.enqueue, key="offer-alert:1", kind="offer_alert", priority=outbox.NOTICE,
        messages=[OutgoingMessage(ids[5], 105, "Tawaran baru")],
    )  # fmt: skip
    claimed = await outbox.claim_due(db, NOW * 2, 2)
    assert [row.chat_id for row in claimed] == [105, 100]  # the alert first, then in order
    assert await outbox.withdraw(db, "offer-alert:1") == 1  # the offer was taken meanwhile
    assert not await outbox.mark_sending(db, claimed[0].id)  # its request must not leave
    assert await outbox.mark_sending(db, claimed[1].id)


async def test_marks_of_requests_leaving_together_are_one_statement(db):
    """The sender's group commit: the rows marked are returned; a withdrawn one is not (its
    request must not leave), nor one already done; a row marked before may be marked again
    (a retry after a 429)."""
    ids = await _people(db, 4)
    await _enqueue(db, ids[:2], key="price")
    await _enqueue(db, ids[2:], key="alert")
    a, b, c, d = await outbox.claim_due(db, NOW * 2, 4)
    assert await outbox.withdraw(db, "alert") == 2
    await outbox.mark_sent(db, [(b.id, 7, None)])
    assert await outbox.mark_sending_many(db, [a.id, b.id, c.id]) == {a.id}
    assert await outbox.mark_sending_many(db, [a.id]) == {a.id}
    assert await outbox.mark_sending_many(db, []) == set()
    states = {r["id"]: r["state"] for r in await outbox.rows_of(db, a.broadcast_id)}
    assert states == {a.id: "sending", b.id: "sent"}
