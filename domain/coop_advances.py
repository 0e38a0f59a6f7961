"""Advances from a hub to its village cooperatives (issue 18, financing): pure rules.

A hub officer (administrator or treasurer) asks, a second one approves (maker–checker, as
/tarik and the farmers' advances: :func:`domain.commands.may_check`, never the maker). The
hub's rule caps what one village cooperative may owe it at once: what ``receivable:coop``
holds (goods invoiced and advances not yet paid back) plus the advances still waiting for a
decision plus this one; :data:`DEFAULT_MAX_OWED` where the hub set none. Approved, the ledger
posts ``coop-advance:<id>``: debit ``receivable:coop:<coop>``, credit ``bank:<hub>`` (a hub
pays a cooperative by transfer)."""

from __future__ import annotations

from domain import ledger as L
from domain.advances import AdvanceRefused, check_amount

#: What one village cooperative may owe its hub at once where the hub set no rule.
DEFAULT_MAX_OWED = 50_000_000
#: What the advance is for: "modal pupuk musim tanam", "bibit jagung".
MIN_PURPOSE, MAX_PURPOSE = 3, 80
#: The ledger reason: number (TK-…).
REASON_GIVEN = "hub.coop_advance"

__all__ = ["AdvanceRefused", "check_amount", "check_purpose", "entry_lines", "number", "reference"]


def number(advance_id: int) -> str:
    """How people quote it: ``TK-0001`` (talangan koperasi)."""
    return f"TK-{advance_id:04d}"


def reference(advance_id: int) -> str:
    return f"coop-advance:{advance_id}"


def check_purpose(text: str) -> str:
    cleaned = " ".join((text or "").split())
    if not MIN_PURPOSE <= len(cleaned) <= MAX_PURPOSE:
        raise AdvanceRefused("coop_advance.purpose")
    return cleaned


def entry_lines(coop_id: int, hub_id: int, amount: int) -> list[L.Line]:
    return [L.debit(L.coop_receivable(coop_id), amount), L.credit(L.bank(hub_id), amount)]
