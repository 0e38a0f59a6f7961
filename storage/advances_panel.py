"""The dashboard's "advances" panel: input advances still owed per farmer of the viewer's
cooperatives, the oldest approval beside it (what is overdue, domain.advances.overdue)."""

from __future__ import annotations

from domain import N_
from domain import advances as rules
from storage import advances
from storage.dashboard import Column, Scope, _local_day, panel
from storage.db import Database


@panel(
    "advances", N_("Input advances owed"),
    (Column("farmer", N_("Farmer")), Column("phone", N_("Phone number")),
     Column("owed", N_("Owed"), "money"), Column("since", N_("Given on"), "date"),
     Column("overdue", N_("Overdue"))),
)  # fmt: skip
async def advances_panel(db: Database, scope: Scope) -> list[dict]:
    if not scope.org_ids:
        return []
    return [
        {"farmer": row.full_name, "phone": row.phone or "", "owed": row.left,
         "since": _local_day(row.oldest_at, scope.timezone).isoformat(),
         "overdue": "⚠️" if rules.overdue(row.oldest_at, scope.now) else ""}
        for row in (await advances.owed_in(db, list(scope.org_ids)))[:200]
    ]  # fmt: skip
