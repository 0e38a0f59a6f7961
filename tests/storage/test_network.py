"""The hub's network in storage: a village cooperative per desa (kinds, parent, coverage),
the kabupaten counts and pages below a hub, officers in order, what a viewer may open, and
the dashboard's network panel."""

from __future__ import annotations

import pytest

from domain.people import Role
from storage import network, orgs, people
from storage.dashboard import PANELS, Scope
from storage.db import Database, now_utc
from storage.migrate import migrate
from tests.network_seed import BOYOLALI, KLATEN, hub_with_network, villages

KUJON = "33.10.11.2004"


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


async def _add(db, code, kind="kdkmp", village=KUJON, parent="pusat", covers=()):
    return await db.write(
        orgs.add, code=code, name=code.upper(), kind=kind, parent_code=parent, covers=covers, village=village
    )  # fmt: skip


async def test_a_village_cooperative_serves_one_desa_and_covers_it(db):
    await _add(db, "hub", kind="coop_secondary", village=None)
    org_id = await _add(db, "kdkmp-kujon", parent="hub")
    kujon = await orgs.by_code(db, "kdkmp-kujon")
    assert (kujon.id, kujon.kind, kujon.village_code) == (org_id, "kdkmp", KUJON)
    assert kujon.parent_id == (await orgs.by_code(db, "hub")).id
    assert await orgs.coverage(db, org_id) == [KUJON]
    assert await orgs.for_village(db, KUJON) == org_id  # its desa's farmers come to it
    # a second cooperative for the same desa, whatever its kind, is refused
    for kind in ("kdkmp", "kmp"):
        with pytest.raises(orgs.OrgError, match="already has a cooperative: kdkmp-kujon"):
            await _add(db, f"another-{kind}", kind=kind)
    assert await orgs.by_code(db, "another-kmp") is None
    # a kmp in the next desa is fine; a wider coverage already holding the desa is kept as is
    await _add(db, "kmp-pokak", kind="kmp", village="33.10.11.2005", covers=("33.10.11",))
    assert await orgs.coverage(db, (await orgs.by_code(db, "kmp-pokak")).id) == ["33.10.11"]


@pytest.mark.parametrize(
    ("kind", "village", "parent", "said"),
    [
        ("puk", KUJON, "pusat", "only a village cooperative"),
        ("kdkmp", "33.10.11", "pusat", "not a village code"),
        ("kdkmp", "99.99.99.9999", "pusat", "not a village code"),
        ("kdkmp", KUJON, "nowhere", "no organisation with code 'nowhere'"),
    ],
)
async def test_what_a_village_cooperative_cannot_be(db, kind, village, parent, said):
    with pytest.raises(orgs.OrgError, match=said):
        await _add(db, "bad", kind=kind, village=village, parent=parent)
    assert await orgs.by_code(db, "bad") is None


async def _officer(db, org_id, name, phone, *roles):
    async with db.transaction(bookkeeping=True) as conn:
        person_id = await people.insert_person(
            conn, telegram_user_id=None, chat_id=None, full_name=name, phone=phone,
            language="id", timezone="Asia/Jakarta", org_id=org_id,
        )  # fmt: skip
        for role in roles:
            await people.add_role(conn, person_id, role)
    return person_id


async def test_the_network_below_a_hub_by_kabupaten_in_pages(db):
    ids = await hub_with_network(db)
    hub = ids["hub"]
    assert await network.regencies(db, hub) == [(BOYOLALI, 20), (KLATEN, 30)]
    assert await network.regencies(db, ids["other-hub"]) == [("33.11", 1)]
    assert await network.regencies(db, orgs.ROOT_ID) == [(BOYOLALI, 20), (KLATEN, 30), ("33.11", 1)]
    first = await network.in_regency(db, hub, KLATEN, 0)
    second = await network.in_regency(db, hub, KLATEN, 1)
    assert [c.org.village_code for c in first + second] == villages(KLATEN, 30)
    assert (len(first), len(second)) == (20, 10)
    assert await network.in_regency(db, hub, KLATEN, 2) == []
    assert await network.in_regency(db, ids["other-hub"], KLATEN, 0) == []


async def test_officers_in_card_order_and_what_a_viewer_may_open(db):
    ids = await hub_with_network(db, klaten=2, boyolali=0)
    a, b = (ids[f"kop-{v}"] for v in villages(KLATEN, 2))
    await _officer(db, a, "Sri Bendahara", "+6281200000002", Role.TREASURER)
    await _officer(db, a, "Budi Ketua", "+6281200000001", Role.CHAIR)
    await _officer(db, a, "Gita Gerai", None, Role.STORE_MANAGER)
    await _officer(db, a, "Tono Petani", "+6281200000009", Role.FARMER)  # not an officer
    await _officer(db, b, "Ani Ketua", "+6281200000003", Role.CHAIR)
    card = await network.visible(db, ids["hub"], a)
    assert [(o.full_name, o.role) for o in card.officers] == [
        ("Budi Ketua", Role.CHAIR), ("Sri Bendahara", Role.TREASURER), ("Gita Gerai", Role.STORE_MANAGER),
    ]  # fmt: skip
    # an officer's own cooperative is theirs to open; the next village's and another hub's are not
    assert (await network.visible(db, a, a)).org.id == a
    assert await network.visible(db, a, b) is None
    assert await network.visible(db, ids["other-hub"], a) is None
    assert await network.visible(db, ids["hub"], ids["hub"]) is None  # not a village cooperative


async def test_the_network_panel_counts_per_kabupaten_for_the_viewers_network_only(db):
    ids = await hub_with_network(db, klaten=3, boyolali=2)
    a = ids[f"kop-{villages(KLATEN, 1)[0]}"]
    await _officer(db, a, "Budi Ketua", "+6281200000001", Role.CHAIR, Role.TREASURER)
    await _officer(db, a, "Sri Bendahara", "+6281200000002", Role.TREASURER)
    scope = Scope(await orgs.below(db, ids["hub"]), "id", "Asia/Jakarta", now_utc())
    rows = await PANELS["network"].query(db, scope)
    assert rows == [
        {"regency": "Kab. Boyolali", "cooperatives": 2, "officers": 0},
        {"regency": "Kab. Klaten", "cooperatives": 3, "officers": 2},
    ]
    own = Scope(await orgs.below(db, a), "id", "Asia/Jakarta", now_utc())
    assert await PANELS["network"].query(db, own) == [
        {"regency": "Kab. Klaten", "cooperatives": 1, "officers": 2}
    ]
