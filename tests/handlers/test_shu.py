"""/saldo shows the member's SHU of the year so far, once the cooperative has its bylaws'
percentages (without them the line is not there); /shu shows a proposal to a second officer,
whose [✅ Approve and post] posts it once; a forged or stale button is refused."""

from __future__ import annotations

import datetime as dt

from domain import ledger as L
from domain import shu as rules
from domain.people import Role
from storage import ledger, orgs
from storage import shu as stored
from tests.handlers.test_savings_member import _member
from tests.texts import said


async def _sale(world, amount: int) -> None:
    await world.db.write(
        ledger.post, [L.debit(L.cash(1), amount), L.credit(L.sales(1), amount)], None, "Penjualan"
    )


async def test_saldo_shows_the_estimate_when_the_rules_are_set(world, monkeypatch):
    stored.forget_estimates()
    monkeypatch.setattr(stored, "ESTIMATE_WAIT", 30.0)  # a busy test machine: wait for it
    sri, _roster_id = await _member(world)
    await _sale(world, 1_000_000)
    before = (await sri.send("/saldo"))[0]
    assert "SHU" not in before  # no bylaws yet: no estimate
    split = rules.Rules(4_000, 2_000, 2_000, (("pengurus", 1_000), ("sosial", 1_000)))
    await world.db.write(stored.set_rules, 1, split, dt.date(2026, 1, 1))
    stored.forget_estimates()
    lines = (await sri.send("/saldo"))[0].splitlines()
    # SHU so far Rp1.000.000 (the sale); Sri is the only member with savings: jasa modal
    # 20 % is hers whole; nobody did business yet, so jasa usaha stays in the reserve.
    year = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).year
    assert lines[-1] == f"Perkiraan SHU {year} sampai hari ini: Rp200.000"
    assert lines[-2] == "Total: Rp450.000"
    await _sale(world, 1_000_000)  # kept for the day: the figure does not move on every tap
    assert (await sri.send("/saldo"))[0].splitlines()[-1].endswith("Rp200.000")


async def _proposed(world):
    """The small cooperative's 2026, proposed by its treasurer (Telegram user 721); the
    administrator is user 722 (tests/shu_seed.py)."""
    from tests.shu_seed import person, seed_year

    ids = await seed_year(world.db)
    maker = await person(world.db, 21, "Bendahara", (Role.TREASURER,))
    await person(world.db, 22, "Ketua", (Role.ADMIN,))
    from storage.db import clock_at
    from tests.shu_seed import wib

    with clock_at(wib(2027, 1, 5)):  # a year is proposed once it is over
        await world.db.write(stored.propose, 1, 2026, maker)
    return ids


async def test_a_second_officer_approves_the_proposal_with_a_button(world):
    ids = await _proposed(world)
    maker, checker = world.person(721), world.person(722)
    own = (await maker.send("/shu"))[0]
    assert own.splitlines()[-1] == said("Another officer approves it.")
    assert maker.buttons() == []
    card = (await checker.send("/shu"))[0].splitlines()
    assert card[:3] == ["SHU 2026, diusulkan oleh Bendahara", "SHU: Rp1.670.000",
                        "Bagian anggota: Rp473.582"]  # fmt: skip
    answer = await checker.press(said("✅ Approve and post"))
    assert answer == ["SHU 2026 sudah dibukukan. Rp473.582 masuk ke simpanan sukarela anggota."]
    balance = await ledger.balance(world.db, L.member_savings(ids["Ani"], L.SavingsKind.SUKARELA))
    assert balance == 282_302
    assert (await checker.send("/shu")) == [said("No SHU is waiting for approval.")]


async def test_a_forged_or_stale_approval_button_is_refused(world):
    from tests.shu_seed import person

    await _proposed(world)
    other = await world.db.write(
        orgs.add, code="desa", name="Koperasi Desa", kind="coop_primary", parent_code="pusat"
    )
    await person(world.db, 23, "Bendahara Desa", (Role.TREASURER,), org_id=other)
    stranger, checker = world.person(723), world.person(722)
    await checker.send("/shu")
    sent, _data = checker.button(said("✅ Approve and post"))
    posting = await stored.proposal(world.db, 1, 2026)
    await stranger.press_data(sent, f"shuok:{posting.id}")  # another cooperative's officer
    await stranger.press_data(sent, "shuok:999")  # no such proposal
    refused = said("This button is no longer active.")
    answers = [c.params.get("text") for c in world.telegram.calls_of("answerCallbackQuery")]
    assert answers[-2:] == [refused, refused]
    assert await ledger.by_reference(world.db, "shu:1:2026") is None


async def test_the_maker_pressing_an_approval_is_told_another_officer_approves(world):
    await _proposed(world)
    maker, checker = world.person(721), world.person(722)
    await checker.send("/shu")
    sent, data = checker.button(said("✅ Approve and post"))
    answer = await maker.press_data(sent, data)
    assert answer[-1] == said(
        "You proposed the SHU {year}. Another officer approves it.", year=2026
    )
    assert await ledger.by_reference(world.db, "shu:1:2026") is None
