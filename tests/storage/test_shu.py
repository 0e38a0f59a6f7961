"""The year's SHU from the ledger (both databases), against the figures worked out by hand
for the small cooperative of tests/shu_seed.py; the bylaws' versions; propose and approve
(maker–checker, posted once)."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import ledger as L
from domain import shu as rules
from domain.ledger import SavingsKind
from domain.people import Role
from storage import ledger, orgs
from storage import shu as stored
from storage.db import Database, clock_at
from storage.migrate import migrate
from tests.shu_seed import BYLAWS, person, post, seed_year, wib


async def _propose(db, person_id):
    """Propose 2026 on 5 January 2027 (a year is proposed once it is over)."""
    with clock_at(wib(2027, 1, 5)):
        return await db.write(stored.propose, 1, 2026, person_id)


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


async def test_the_year_computed_equals_the_hand_computation(db):
    ids = await seed_year(db)
    done = await stored.compute(db, 1, 2026)
    split = done.split
    # Income: sales 3.000.000 + goods 400.000, farmers' charge 20.000, loan fees 50.000,
    # jasa 120.000 + 80.000 + 100.000 (the 30.000 reversed); the 999.000 of 2025 and the 777
    # of 2027 are other years. Costs: produce 1.200.000 + 800.000, loss 100.000.
    assert (split.income, split.costs, split.shu) == (3_770_000, 2_100_000, 1_670_000)
    # Business: Ani jasa 200.000 + produce 1.200.000 = 1.400.000, Budi jasa 100.000, Citra
    # goods 400.000: members 1.900.000; Pak Tono (not on the roster) 780.000.
    # Non-members' share: 1.670.000 × 780.000 / 2.680.000 = 486.044,78 → 486.044.
    assert split.nonmember_share == 486_044
    # Members' SHU 1.183.956 by the bylaws: reserve 40 % 473.582,4; modal and usaha 20 %
    # 236.791,2 each; pengurus 10 % 118.395,6; karyawan and pendidikan 5 % 59.197,8 each.
    # Floors sum to 1.183.953: the 3 rupiah left go to karyawan, pendidikan (,8), pengurus (,6).
    assert (split.modal, split.usaha) == (236_791, 236_791)
    assert split.funds == (("pengurus", 118_396), ("karyawan", 59_198), ("pendidikan", 59_198))
    assert split.reserve == 486_044 + 473_582
    # Jasa modal by month-end savings: Ani 12 × 100.000 + 50.000 × (1 + … + 12) = 5.100.000,
    # Budi 12 × 100.000 + 6 × 600.000 = 4.800.000, Citra 12 × 100.000 (sukarela left out),
    # Dewi 100.000 (one month-end): of 11.200.000. 236.791 × 51/112 = 107.824,47;
    # × 48/112 = 101.481,86; × 12/112 = 25.370,46; × 1/112 = 2.114,21 → 2 rupiah left: Budi, Ani.
    # Jasa usaha 236.791 × 14/19 = 174.477,58; × 1/19 = 12.462,68; × 4/19 = 49.850,74
    # → 2 rupiah left: Citra, Budi.
    by_member = {m.roster_id: (m.average_savings, m.business, m.modal, m.usaha, m.total)
                 for m in split.members}  # fmt: skip
    assert by_member == {
        ids["Ani"]: (425_000, 1_400_000, 107_825, 174_477, 282_302),
        ids["Budi"]: (400_000, 100_000, 101_482, 12_463, 113_945),
        ids["Citra"]: (100_000, 400_000, 25_370, 49_851, 75_221),
        ids["Dewi"]: (8_333, 0, 2_114, 0, 2_114),
    }
    assert split.reserve + split.modal + split.usaha + sum(a for _, a in split.funds) == 1_670_000
    assert done.rules.version == 1


async def test_a_year_uses_the_version_in_force_on_31_december(db):
    first = await db.write(stored.set_rules, 1, BYLAWS, dt.date(2026, 1, 1))
    june = rules.Rules(3_000, 3_000, 3_000, (("sosial", 1_000),))
    second = await db.write(stored.set_rules, 1, june, dt.date(2026, 6, 1))
    later = await db.write(stored.set_rules, 1, rules.Rules(10_000, 0, 0), dt.date(2027, 1, 1))
    assert (first.version, second.version, later.version) == (1, 2, 3)
    assert (await stored.in_force(db, 1, dt.date(2026, 5, 31))).id == first.id
    assert (await stored.in_force(db, 1, dt.date(2026, 12, 31))).rules == june
    assert (await stored.in_force(db, 1, dt.date(2027, 1, 1))).version == 3
    assert await stored.in_force(db, 1, dt.date(2025, 12, 31)) is None
    assert [v.version for v in await stored.history(db, 1)] == [1, 2, 3]
    with pytest.raises(rules.RulesInvalid, match="sum to 90 %"):
        await db.write(stored.set_rules, 1, rules.Rules(4_000, 2_000, 3_000), dt.date(2026, 1, 1))
    with pytest.raises(stored.NoRules):
        await stored.compute(db, 1, 2025)


async def test_propose_then_another_officer_approves_once(db):
    ids = await seed_year(db)
    maker = await person(db, 21, "Bendahara", (Role.TREASURER,))
    checker = await person(db, 22, "Ketua", (Role.ADMIN,))
    member = ids["Ani:person"]
    with pytest.raises(stored.PostingRefused, match="shu.not_officer"):
        await _propose(db, member)
    with pytest.raises(stored.PostingRefused, match="shu.open"):  # 31 December, 23.59 WIB
        with clock_at(wib(2026, 12, 31, 23, 59)):
            await db.write(stored.propose, 1, 2026, maker)
    with pytest.raises(stored.PostingRefused, match="shu.none"):
        await db.write(stored.approve, 1, 2026, checker)
    proposal = await _propose(db, maker)
    assert (proposal.shu, proposal.members, proposal.status) == (1_670_000, 473_582, "proposed")
    with pytest.raises(stored.PostingRefused, match="shu.own"):
        await db.write(stored.approve, 1, 2026, maker)
    posted = await db.write(stored.approve, 1, 2026, checker)
    entry = await ledger.get(db, posted.entry_id)
    assert (posted.status, posted.approved_by) == ("posted", checker)
    assert len(entry.lines) == 1 + 1 + 3 + 4  # the SHU, the reserve, 3 funds, 4 members
    with pytest.raises(stored.PostingRefused, match="shu.posted"):
        await db.write(stored.approve, 1, 2026, checker)
    with pytest.raises(stored.PostingRefused, match="shu.posted"):
        await _propose(db, maker)
    assert (await ledger.by_reference(db, "shu:1:2026")).id == entry.id
    sukarela = await ledger.balances(db, [L.member_savings(ids[n], SavingsKind.SUKARELA)
                                          for n in ("Ani", "Citra", "Dewi")])  # fmt: skip
    assert list(sukarela.values()) == [282_302, 1_000_000 + 75_221, 2_114]
    assert await ledger.balance(db, L.shu_reserve(1)) == 959_626
    assert await ledger.balance(db, L.shu_fund(1, "pengurus")) == 118_396
    assert await ledger.balance(db, L.shu_shared(1)) == -1_670_000
    assert await ledger.verify(db) is None


async def test_an_approval_on_changed_figures_is_refused(db):
    await seed_year(db)
    maker = await person(db, 21, "Bendahara", (Role.TREASURER,))
    checker = await person(db, 22, "Ketua", (Role.CHAIR,))
    await _propose(db, maker)
    await post(db, wib(2026, 12, 30), [L.debit(L.cash(1), 10_000), L.credit(L.sales(1), 10_000)])
    with pytest.raises(stored.PostingRefused, match="shu.changed"):
        await db.write(stored.approve, 1, 2026, checker)
    assert await ledger.by_reference(db, "shu:1:2026") is None


async def test_another_cooperatives_officer_may_not_propose(db):
    await seed_year(db)

    other = await db.write(
        orgs.add, code="desa", name="Koperasi Desa", kind="coop_primary", parent_code="pusat"
    )
    stranger = await person(db, 23, "Bendahara Desa", (Role.TREASURER,), org_id=other)
    with pytest.raises(stored.PostingRefused, match="shu.not_officer"):
        await _propose(db, stranger)


async def test_the_estimate_so_far_uses_the_rules_in_force_and_is_kept_for_the_day(db):
    ids = await seed_year(db)
    stored.forget_estimates()
    now = int(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC).timestamp())  # 1 Jan WIB
    assert await stored.estimate(db, 1, ids["Ani"], now - 3600 * 24) is not None
    stored.forget_estimates()
    mid = int(dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC).timestamp())
    assert await stored.estimate(db, 1, ids["Dewi"], mid) == 0  # Dewi saved nothing yet
    assert await stored.estimate(db, 1, 999, mid) == 0  # unknown roster id: nothing
    stored.forget_estimates()
    assert (
        await stored.estimate(db, 1, ids["Ani"], int(dt.datetime(2025, 6, 1).timestamp())) is None
    )


async def test_a_slow_estimate_is_computed_in_the_background(db, monkeypatch):
    import asyncio

    ids = await seed_year(db)
    stored.forget_estimates()
    monkeypatch.setattr(stored, "ESTIMATE_WAIT", 0)
    mid = int(dt.datetime(2026, 12, 31, 16, 59, tzinfo=dt.UTC).timestamp())  # 23.59 WIB
    assert await stored.estimate(db, 1, ids["Ani"], mid) is None  # not ready: no line yet
    for _ in range(500):
        if not stored._PENDING:
            break
        await asyncio.sleep(0.01)
    assert await stored.estimate(db, 1, ids["Ani"], mid) == 282_302  # the whole year by then
    stored.forget_estimates()
