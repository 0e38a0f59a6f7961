"""/saldo shows the member's SHU of the year so far, once the cooperative has its bylaws'
percentages; without them the line is not there."""

from __future__ import annotations

import datetime as dt

from domain import ledger as L
from domain import shu as rules
from storage import ledger
from storage import shu as stored
from tests.handlers.test_savings_member import _member


async def _sale(world, amount: int) -> None:
    await world.db.write(
        ledger.post, [L.debit(L.cash(1), amount), L.credit(L.sales(1), amount)], None, "Penjualan"
    )


async def test_saldo_shows_the_estimate_when_the_rules_are_set(world):
    stored.forget_estimates()
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
