"""The dashboard's "rekap" panel: this month's figures per cooperative the viewer may see,
the same as /rekap's (storage.figures), nothing of a cooperative outside the scope."""

from __future__ import annotations

from datetime import date

import pytest

from storage import dashboard
from tests import market_seed as m


@pytest.fixture
async def db(tmp_path):
    async with m.seeded(str(tmp_path / "rekap.sqlite3")) as database:
        yield database


def _scope(*org_ids):
    return dashboard.Scope(org_ids, "id", "Asia/Jakarta", m.at(date(2026, 11, 28)))


async def test_this_months_figures_per_cooperative(db):
    assert "rekap" in dashboard.PANELS
    rows = await dashboard.rows(db, "rekap", _scope(1, m.KLATEN, m.OTHER))
    assert rows == [
        {"cooperative": "Koperasi Tani Klaten", "bought_kg": 3700.5, "bought": m.NOV_GABAH_RP + m.NOV_CABAI_RP,
         "sold": m.SOLD_RP, "margin": 1_750_000, "stock": m.STOCK_RP, "owed_farmers": m.OWED_TO_FARMERS,
         "owed_buyers": m.OWED_BY_BUYERS},
        {"cooperative": "Koperasi Boyolali", "bought_kg": 5000, "bought": 34_000_000, "sold": 0, "margin": 0,
         "stock": 0, "owed_farmers": 34_000_000, "owed_buyers": 0},
    ]  # fmt: skip
    only_other = await dashboard.rows(db, "rekap", _scope(m.OTHER))
    assert [r["cooperative"] for r in only_other] == ["Koperasi Boyolali"]
    assert await dashboard.rows(db, "rekap", _scope()) == []
