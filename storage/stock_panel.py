"""The dashboard's stock panel: stock on hand per warehouse × commodity × grade, kilos and
cost, of the viewer's cooperatives only (registered by storage.dashboard importing it)."""

from __future__ import annotations

from domain import N_
from storage import stock
from storage.dashboard import Column, Scope, _number, panel
from storage.db import Database


@panel(
    "stock", N_("Stock on hand"),
    (Column("warehouse", N_("Warehouse")), Column("commodity", N_("Produce")),
     Column("grade", N_("Grade")), Column("quantity", N_("Quantity (kg)"), "number"),
     Column("cost", N_("Cost"), "money")),
)  # fmt: skip
async def stock_on_hand(db: Database, scope: Scope) -> list[dict]:
    names = {
        r["code"]: r["name_en"] if scope.language == "en" and r["name_en"] else r["name_id"]
        for r in await db.fetchall("SELECT code, name_id, name_en FROM commodities")
    }
    return [
        {"warehouse": h.warehouse, "commodity": names.get(h.commodity, h.commodity),
         "grade": h.grade, "quantity": _number(h.quantity), "cost": h.cost_rupiah}
        for h in await stock.on_hand(db, list(scope.org_ids))
    ]  # fmt: skip
