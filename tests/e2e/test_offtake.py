"""The real bot process: prices and a coordinator's area set from the command line, a farmer
offers cabai, the coordinator takes, schedules and weighs it, the farmer gets the receipt and
agrees, the coordinator pays; the ledger holds the money."""

from __future__ import annotations

import pytest

from domain import ledger as L
from storage import ledger, offers, people
from storage.db import Database
from tests.e2e.botproc import run_cli
from tests.e2e.offtake_steps import weighed_and_paid

pytestmark = pytest.mark.asyncio

COORDINATOR_ID = 626_262


async def test_offer_take_weigh_receipt_paid_over_long_polling(emu, bots):
    await run_cli(
        bots.db_path,
        "price",
        "set",
        "cabai_merah",
        "32000",
        "--grade",
        "A",
        "--area",
        "33.10",
        cwd=bots.dir,
    )
    bot = await bots.start()
    farmer, _sari, number, receipt = await weighed_and_paid(
        emu, bots, COORDINATOR_ID, "6281355550001"
    )
    assert "Total: Rp6.256.000 (enam juta dua ratus lima puluh enam ribu rupiah)" in receipt.text
    await bot.stop()

    async with Database(str(bots.db_path)) as db:
        budi = await people.by_telegram_id(db, farmer.user_id)
        (offer,) = await offers.of_farmer(db, budi.id)
        assert offer.status == "paid" and offer.number == number
        assert await ledger.balance(db, L.farmer_payable(budi.id)) == 0
        assert await ledger.balance(db, L.purchases(offer.org_id)) == 6_256_000
        assert await ledger.verify(db) is None
    assert "ledger intact: 2 entries" in await run_cli(
        bots.db_path, "audit", "verify", cwd=bots.dir
    )
