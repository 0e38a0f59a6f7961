"""The dashboard's rafaksi panel: what the quality cuts took this month, per produce."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain import N_
from domain.quantity import amount_rupiah
from storage.dashboard import Column, Scope, _commodity, _local_day, _marks, _number, panel
from storage.db import Database


def month_start(scope: Scope) -> int:
    """00:00 on the first of the viewer's month, in their zone, as Unix seconds."""
    first = _local_day(scope.now, scope.timezone).replace(day=1)
    return int(
        datetime.combine(first, time(0), ZoneInfo(scope.timezone)).astimezone(UTC).timestamp()
    )


@panel(
    "rafaksi", N_("Quality cuts this month"),
    (Column("commodity", N_("Produce")), Column("weighings", N_("Weighings measured"), "number"),
     Column("quantity", N_("Quantity (kg)"), "number"), Column("cut_quantity", N_("Cut (kg)"), "number"),
     Column("cut", N_("Rupiah cut"), "money")),
    chart="bar", x="commodity", y=("cut",),
)  # fmt: skip
async def rafaksi_cuts(db: Database, scope: Scope) -> list[dict]:
    """Weighings with rafaksi readings since the first of the month: their kilos, the
    kilos that were cut and the rupiah the cuts took (cut per kg × kg, as on the receipt)."""
    found = await db.fetchall(
        "SELECT k.quantity, k.cut_rupiah, c.name_id, c.name_en FROM pickups k"
        " JOIN offers o ON o.id = k.offer_id JOIN commodities c ON c.code = o.commodity"
        f" WHERE k.moisture IS NOT NULL AND k.picked_up_at >= ? AND o.org_id IN ({_marks(scope.org_ids)})"
        " AND o.status IN ('picked_up', 'paid')",
        (month_start(scope), *scope.org_ids),
    )
    sums: dict[str, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), 0])
    for row in found:
        quantity = Decimal(row["quantity"] or "0")
        item = sums[_commodity(row, scope.language)]
        item[0] += 1
        item[1] += quantity
        if row["cut_rupiah"]:
            item[2] += quantity
            item[3] += amount_rupiah(row["cut_rupiah"], quantity)
    return [
        {"commodity": name, "weighings": n, "quantity": _number(q), "cut_quantity": _number(cq), "cut": cut}
        for name, (n, q, cq, cut) in sorted(sums.items())
    ]  # fmt: skip
