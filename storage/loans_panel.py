"""The dashboard's "loans" panel: the member loans of the viewer's cooperatives still open
(waiting for approval, approved, paid out), newest first, with their status in the viewer's
language."""

from __future__ import annotations

from domain import N_
from domain import loans as rules
from storage.dashboard import Column, Scope, _local_day, panel
from storage.db import Database

STATUS_LABELS = (
    (rules.Status.APPLIED.value, N_("waiting for approval")),
    (rules.Status.APPROVED.value, N_("approved, waiting to be paid out")),
    (rules.Status.DISBURSED.value, N_("paid out")),
)


@panel(
    "loans", N_("Member loans"),
    (Column("number", N_("Loan")), Column("member", N_("Member")),
     Column("amount", N_("Loan principal"), "money"), Column("tenor", N_("Tenor (months)"), "number"),
     Column("status", N_("State"), labels=STATUS_LABELS), Column("applied", N_("Applied on"), "date")),
)  # fmt: skip
async def loans_panel(db: Database, scope: Scope) -> list[dict]:
    if not scope.org_ids:
        return []
    marks = ", ".join("?" * len(scope.org_ids))
    rows = await db.fetchall(
        "SELECT l.id, r.full_name, l.amount_rupiah, l.tenor_months, l.status, l.applied_at"
        f" FROM loans l JOIN roster r ON r.id = l.roster_id WHERE l.org_id IN ({marks})"
        " AND l.status IN ('applied', 'approved', 'disbursed') ORDER BY l.id DESC LIMIT 200",
        scope.org_ids,
    )
    return [
        {"number": rules.loan_number(r["id"]), "member": r["full_name"],
         "amount": r["amount_rupiah"], "tenor": r["tenor_months"], "status": r["status"],
         "applied": _local_day(r["applied_at"], scope.timezone).isoformat()}
        for r in rows
    ]  # fmt: skip
