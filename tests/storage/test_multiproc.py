"""Claims of several processes on one database (issue 16): two ``Database`` objects on one
SQLite file (two connections each, as two processes have) racing for chat leases, outbox
rows and scheduled jobs' slots. Whoever wins, nothing is taken twice."""

from __future__ import annotations

import asyncio

import pytest

from storage import inbox, job_runs, leases, outbox, people
from storage.db import Database, now_utc
from storage.migrate import migrate

pytestmark = pytest.mark.asyncio

A, B = "host:1:aaaaaa", "host:2:bbbbbb"


@pytest.fixture
async def two(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    first = await Database(path).open()
    await migrate(first)
    second = await Database(path).open()
    yield first, second
    await first.close()
    await second.close()


async def test_a_chat_lease_goes_to_one_process_of_two_racing(two):
    first, second = two
    keys = [f"c:{n}" for n in range(60)]
    got_a, got_b = await asyncio.gather(
        asyncio.gather(*(leases.hold(first, key, A) for key in keys)),
        asyncio.gather(*(leases.hold(second, key, B) for key in reversed(keys))),
    )
    won_a = {key for key, held in zip(keys, got_a, strict=True) if held}
    won_b = {key for key, held in zip(reversed(keys), got_b, strict=True) if held}
    assert won_a | won_b == set(keys) and not won_a & won_b
    for key in keys:
        holder, _, epoch = await leases.holder_of(first, key)
        assert holder == (A if key in won_a else B) and epoch == 1


async def test_a_lease_is_renewed_by_its_holder_and_taken_only_once_it_lapsed(two):
    first, second = two
    now = now_utc()
    held = await leases.hold(first, "c:7", A, now=now)
    assert held.epoch == 1
    assert await leases.hold(second, "c:7", B, now=now + 5) is None  # live: left to A
    assert (await leases.hold(first, "c:7", A, now=now + 5)).epoch == 1  # renewed, same epoch
    later = now + 5 + leases.LEASE_SECONDS + 1
    taken = await leases.hold(second, "c:7", B, now=later)  # lapsed (A died): B takes it
    assert taken.epoch == 2
    # A comes back: another epoch, so A knows B processed the chat meanwhile
    back = await leases.hold(first, "c:7", A, now=later + leases.LEASE_SECONDS + 1)
    assert back.epoch == 3
    assert await leases.renew(first, ["c:7", "c:8"], A) == {"c:7"}
    assert await leases.renew(second, ["c:7"], B) == set()


async def test_released_chats_are_taken_at_once_and_keep_their_epoch(two):
    first, second = two
    await leases.hold(first, "c:1", A)
    await leases.release_all(first, A)
    taken = await leases.hold(second, "c:1", B)
    assert taken is not None and taken.epoch == 2


async def test_the_sweep_finds_updates_of_own_and_free_chats_not_of_others_live_ones(two):
    first, second = two
    now = now_utc()
    await inbox.store(first, 1, "{}", "c:10")  # A's chat
    await inbox.store(first, 2, "{}", "c:20")  # B's chat
    await inbox.store(first, 3, "{}", "c:30")  # nobody's: its process died
    await inbox.store(first, 4, "{}", "c:10")
    await leases.hold(first, "c:10", A)
    await leases.hold(second, "c:20", B)
    later = now + leases.SWEEP_GRACE_SECONDS + 1
    assert [u for u, _, _ in await leases.sweepable(first, A, now=later)] == [1, 3, 4]
    assert [u for u, _, _ in await leases.sweepable(second, B, now=later)] == [2, 3]
    # just received by someone: left to them for the grace period
    assert [u for u, _, _ in await leases.sweepable(second, B, now=now)] == [2]
    # the chat's unapplied updates before an update, and the update itself
    assert [u for u, _ in await leases.unapplied_of(first, "c:10", 4)] == [1, 4]


async def _people(db: Database, n: int) -> list[int]:
    async def add(conn):
        return [
            await people.insert_person(
                conn, telegram_user_id=500 + i, chat_id=500 + i, full_name=f"Petani {i}",
                phone=f"+62812{500 + i:07d}", language="id", timezone="Asia/Jakarta", org_id=1,
            )
            for i in range(n)
        ]  # fmt: skip

    return await db.write(add)


async def _enqueue(db: Database, ids: list[int]) -> None:
    messages = [outbox.OutgoingMessage(pid, 500 + i, f"Harga #{pid}") for i, pid in enumerate(ids)]

    async def use_case(conn):
        return await outbox.enqueue(conn, key="b1", kind="price", messages=messages)

    await db.write(use_case)


async def test_two_senders_claiming_at_once_never_take_the_same_row(two):
    first, second = two
    ids = await _people(first, 120)
    await _enqueue(first, ids)
    now = now_utc()
    taken: dict[str, list[int]] = {A: [], B: []}

    async def drain(db: Database, holder: str) -> None:
        while rows := await outbox.claim_due(db, now, 7, holder=holder):
            taken[holder] += [row.id for row in rows]
            await asyncio.sleep(0)

    # One claim each first (both get rows), then both drain at once, however the machine's
    # load schedules them.
    taken[A] += [row.id for row in await outbox.claim_due(first, now, 7, holder=A)]
    taken[B] += [row.id for row in await outbox.claim_due(second, now, 7, holder=B)]
    await asyncio.gather(drain(first, A), drain(second, B))
    assert len(taken[A]) + len(taken[B]) == 120
    assert not set(taken[A]) & set(taken[B])
    assert taken[A] and taken[B]  # both worked
    # a row is marked sending only by the sender whose claim it is
    row_a, row_b = taken[A][0], taken[B][0]
    assert not await outbox.mark_sending(second, row_a, holder=B)
    assert await outbox.mark_sending(first, row_a, holder=A)
    assert await outbox.mark_sending(second, row_b, holder=B)


async def test_a_dead_senders_rows_are_taken_again_or_settled_never_sent_twice(two):
    first, second = two
    ids = await _people(first, 10)
    await _enqueue(first, ids)
    now = now_utc()
    claimed = await outbox.claim_due(first, now, 10, holder=A)
    assert await outbox.mark_sending(first, claimed[0].id, holder=A)  # on the wire at the kill
    assert await outbox.claim_due(second, now, 10, holder=B) == []  # A's claims are live
    assert await outbox.settle_abandoned(second, A) == 1  # A is known dead
    retaken = await outbox.claim_due(second, now, 10, holder=B)
    assert sorted(r.id for r in retaken) == sorted(r.id for r in claimed[1:])
    rows = {r["id"]: r for r in await outbox.rows_of(second, 1)}
    assert rows[claimed[0].id]["state"] == "sent"  # counted as sent: never again
    assert rows[claimed[0].id]["error"] == outbox.UNCONFIRMED
    # B stops: what it claimed is anyone's again
    await outbox.release(second, B)
    again = await outbox.claim_due(first, now, 10, holder=A)
    assert len(again) == 9


async def test_a_scheduled_job_runs_once_per_slot_whoever_races(two):
    first, second = two
    slots = [str(n) for n in range(30)]
    got_a, got_b = await asyncio.gather(
        asyncio.gather(*(job_runs.claim(first, "expire-offers", s, A) for s in slots)),
        asyncio.gather(*(job_runs.claim(second, "expire-offers", s, B) for s in slots)),
    )
    assert all(a != b for a, b in zip(got_a, got_b, strict=True))  # exactly one of the two
    runs = await job_runs.who_ran(first, "expire-offers")
    assert sorted(slot for slot, _ in runs) == sorted(slots)
    assert not await job_runs.claim(first, "expire-offers", "0", A)  # a second run: skipped
