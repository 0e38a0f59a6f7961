"""Monthly reports and announcements in storage, on both databases: versions append and the
latest counts; only a village cooperative's officer files, for their own cooperative; the
network read in pages (keyset on the desa code) with this month and the month before; the
panel's totals; a reminder claimed once per officer and day; a read recorded once, and only
by whom the announcement was sent to."""

from __future__ import annotations

import pytest

from domain import monthly_reports as rules
from domain.people import Role
from domain.savings import Month
from storage import announcements, orgs, people
from storage import monthly_reports as stored
from storage.db import Database
from storage.migrate import migrate
from tests.network_seed import BOYOLALI, KLATEN, hub_with_network, villages

NOV, OCT = Month(2026, 11), Month(2026, 10)


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


async def _officer(db, org_id, user_id, role=Role.CHAIR, name="Ketua"):
    async with db.transaction(bookkeeping=True) as conn:
        person_id = await people.insert_person(
            conn, telegram_user_id=user_id, chat_id=user_id, full_name=name, phone=f"+62812{user_id:07d}",
            language="id", timezone="Asia/Jakarta", org_id=org_id,
        )  # fmt: skip
        await people.add_role(conn, person_id, role)
    return person_id


def _figures(members, rupiah=0):
    return rules.Figures(members, rupiah, rupiah, 0)


async def test_versions_the_latest_counts_and_only_officers_of_a_village_file(db):
    ids = await hub_with_network(db, klaten=2, boyolali=1)
    a, b = (ids[f"kop-{v}"] for v in villages(KLATEN, 2))
    c = ids[f"kop-{villages(BOYOLALI, 1)[0]}"]
    ketua = await _officer(db, a, 1, name="Harjono")
    wati = await _officer(db, a, 2, Role.TREASURER, name="Wati")
    hub_admin = await _officer(db, ids["hub"], 3, Role.ADMIN)
    hub_treasurer = await _officer(db, ids["hub"], 4, Role.TREASURER)

    first = await db.write(stored.file, ketua, NOV, _figures(245, 1_000), "-")
    second = await db.write(stored.file, wati, NOV, _figures(250, 2_000), "Pupuk terlambat")
    await db.write(stored.file, ketua, OCT, _figures(240), "-")
    assert (first.version, second.version, first.org_id) == (1, 2, a)
    assert (await stored.latest(db, a, NOV)).members == 250
    assert (await stored.last_filed(db, a)).filer_name == "Wati"  # the newest month first
    assert [r.version for r in await stored.versions(db, a, NOV)] == [1, 2]
    assert await stored.latest(db, b, NOV) is None
    for who in (hub_admin, hub_treasurer):
        with pytest.raises(stored.ReportRefused):
            await db.write(stored.file, who, NOV, _figures(1), "-")
    with pytest.raises(rules.InvalidInput):
        await db.write(stored.file, ketua, NOV, _figures(1, rules.MAX_RUPIAH + 1), "-")

    # the network in pages of one: every cooperative once, by desa code, both months
    rows = [r async for r in stored.network(db, ids["hub"], NOV, page=1)]
    assert [r.org_id for r in rows] == [c, a, b]  # Boyolali (33.09) before Klaten (33.10)
    assert (rows[1].now.members, rows[1].before.members, rows[0].now, rows[2].before) == (
        250,
        240,
        None,
        None,
    )
    assert [r.org_id async for r in stored.network(db, ids["other-hub"], NOV)] == [ids["kop-other"]]

    boyolali, klaten = await stored.by_regency(db, (ids["hub"], a, b, c), NOV)
    assert (boyolali["regency"], boyolali["cooperatives"], boyolali["filed"]) == (BOYOLALI, 1, 0)
    assert klaten == {"regency": KLATEN, "cooperatives": 2, "filed": 1, "members": 250,
                      "savings_rupiah": 2_000, "store_sales_rupiah": 2_000, "produce_grams": 0,
                      "before_members": 240, "before_savings_rupiah": 0, "before_store_sales_rupiah": 0,
                      "before_produce_grams": 0}  # fmt: skip

    # reminders: officers of cooperatives that have not filed, each claimed once a day
    slamet = await _officer(db, b, 5, name="Slamet")
    due = await stored.not_filed(db, "Asia/Jakarta", NOV, "2026-12-01")
    assert [d.person_id for d in due] == [slamet]
    assert await db.write(stored.claim_reminder, slamet, "2026-12-01", b, NOV) is True
    assert await db.write(stored.claim_reminder, slamet, "2026-12-01", b, NOV) is False
    assert await stored.not_filed(db, "Asia/Jakarta", NOV, "2026-12-01") == []
    assert len(await stored.not_filed(db, "Asia/Jakarta", NOV, "2026-12-02")) == 1
    assert await stored.not_filed(db, "Asia/Jakarta", OCT, "2026-11-02") == [
        stored.Due(slamet, 5, "id", b, (await orgs.by_id(db, b)).name)
    ]


async def test_an_announcement_reaches_an_area_and_counts_each_read_once(db):
    ids = await hub_with_network(db, klaten=2, boyolali=1)
    a, b = (ids[f"kop-{v}"] for v in villages(KLATEN, 2))
    c = ids[f"kop-{villages(BOYOLALI, 1)[0]}"]
    one, two = await _officer(db, a, 11), await _officer(db, b, 12, Role.STORE_MANAGER)
    three = await _officer(db, c, 13)
    await _officer(db, ids["kop-other"], 14)  # another network
    sender = await _officer(db, ids["hub"], 15, Role.ADMIN)
    assert [o.person_id for o in await announcements.reached(db, ids["hub"], "33.10")] == [one, two]
    assert len(await announcements.reached(db, ids["hub"], "")) == 3
    assert await announcements.reached(db, ids["hub"], "33.11") == []

    made, officers = await db.write(announcements.send, ids["hub"], "33.10", "Rapat Sabtu", sender)
    assert [o.person_id for o in officers] == [one, two] and made.recipients == 2
    assert await db.write(announcements.mark_read, made.id, one) is True
    assert await db.write(announcements.mark_read, made.id, one) is False
    with pytest.raises(announcements.NotAddressed):
        await db.write(announcements.mark_read, made.id, three)
    (listed,) = await announcements.last_of(db, ids["hub"])
    assert (listed.read_count, listed.recipients, listed.body) == (1, 2, "Rapat Sabtu")
