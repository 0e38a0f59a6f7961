"""Rafaksi in the weighing's transaction: no readings where the cooperative's table asks
them, or readings outside it, write nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.rafaksi import RafaksiRefused
from storage import rafaksi
from storage.db import Database, now_utc
from storage.offers import ProxyFarmer
from tests.storage.test_rafaksi_panel import _weighed
from tests.web import dashdata as d


@pytest.mark.parametrize(
    "readings, reason",
    [(None, "rafaksi.not_measured"), ((Decimal(31), Decimal(5)), "rafaksi.out_of_table")],
)
async def test_a_weighing_the_table_refuses_writes_nothing(tmp_path, readings, reason):
    async with Database(str(tmp_path / "k.sqlite3")) as db:
        seeded = await d.seed(db)
        template = await rafaksi.government(db, "gabah")
        await db.write(rafaksi.set_table, org_id=seeded.a_id, commodity="gabah",
                       table=template.table, valid_from=now_utc() - 60)  # fmt: skip
        before = await db.fetchone(
            "SELECT (SELECT COUNT(*) FROM ledger_entries) AS entries,"
            " (SELECT COUNT(*) FROM pickups WHERE picked_up_at IS NOT NULL) AS weighed"
        )
        farmer = ProxyFarmer("Pak Slamet", "+6281299990011", d.KUJON)
        with pytest.raises(RafaksiRefused) as refused:
            await _weighed(db, d.COORDINATOR_A, farmer, 200, readings)
        assert refused.value.reason == reason
        after = await db.fetchone(
            "SELECT (SELECT COUNT(*) FROM ledger_entries) AS entries,"
            " (SELECT COUNT(*) FROM pickups WHERE picked_up_at IS NOT NULL) AS weighed,"
            " (SELECT COUNT(*) FROM pickups WHERE quantity IS NULL) AS unweighed"
        )
        assert (after["entries"], after["weighed"]) == (before["entries"], before["weighed"])
        assert after["unweighed"] == 1  # scheduled, still to weigh
