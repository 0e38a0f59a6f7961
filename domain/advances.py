"""Input advances (pinjaman input): pupuk, bibit or cash given to a farmer before the harvest
and taken back from the harvest payment (issue 18). Pure rules, no database.

- An advance is requested by one officer and approved or rejected by a second (maker–checker,
  :func:`domain.commands.may_check`); only an approved advance is owed.
- The cooperative's rule caps what one farmer may owe in advances at once
  (:data:`DEFAULT_MAX_OUTSTANDING` unless set with ``koperasi-bot org advances``).
- **Netting at a weighing** (:func:`netting`): the price board's deductions (transport,
  handling) come off the gross first; what is left, the harvest payment's net, repays the
  outstanding advances, oldest first, never more than that net: the farmer is never paid below
  zero, and an advance larger than one harvest is repaid over several.
- The borrower is a farmer today; ``borrower_kind`` in the table leaves room for a village
  cooperative as borrower (the network lane's cooperatives).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain import N_

#: What one farmer may owe in advances at once where the cooperative set no rule:
#: about a season's pupuk and bibit for a quarter hectare of padi.
DEFAULT_MAX_OUTSTANDING = 5_000_000
#: A description of goods: "Urea 2 sak", "benih padi Inpari 32 25 kg".
MAX_DESCRIPTION = 80
#: An advance still owed this many days after its approval is listed for the officers.
OVERDUE_DAYS = 120


class What(StrEnum):
    PUPUK = "pupuk"
    BIBIT = "bibit"
    CASH = "cash"

    @property
    def goods(self) -> bool:
        return self is not What.CASH


WHAT_LABELS = {
    What.PUPUK: N_("🌱 Fertiliser (pupuk)"),
    What.BIBIT: N_("🌾 Seed (bibit)"),
    What.CASH: N_("💵 Cash"),
}
WHAT_WORDS = {What.PUPUK: N_("fertiliser"), What.BIBIT: N_("seed"), What.CASH: N_("cash")}


class Status(StrEnum):
    REQUESTED = "requested"  # waits for a second officer
    APPROVED = "approved"  # given: owed until repaid from harvests
    REJECTED = "rejected"
    REPAID = "repaid"


class AdvanceRefused(Exception):
    """A stable ``reason`` (``advance.…``) a handler or the command line turns into words."""

    def __init__(self, reason: str, most: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.most = most  # advance.too_high: what may still be advanced


def room(outstanding: int, ceiling: int) -> int:
    """What may still be advanced to a farmer who owes ``outstanding`` under ``ceiling``."""
    return max(0, ceiling - outstanding)


def check_amount(amount: int, outstanding: int, ceiling: int) -> int:
    """Whole rupiah above zero, within the cooperative's ceiling counting what the farmer
    already owes and what waits for approval; else AdvanceRefused."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise AdvanceRefused("advance.amount")
    if amount > room(outstanding, ceiling):
        raise AdvanceRefused("advance.too_high", room(outstanding, ceiling))
    return amount


def check_description(what: What, text: str | None) -> str | None:
    """Goods need a description (what and how much); cash needs none."""
    if not what.goods:
        return None
    cleaned = " ".join((text or "").split())
    if not 3 <= len(cleaned) <= MAX_DESCRIPTION:
        raise AdvanceRefused("advance.description")
    return cleaned


@dataclass(frozen=True)
class Owed:
    """An approved advance and what is still owed on it."""

    advance_id: int
    left: int


def netting(owed: Iterable[Owed], harvest_net: int) -> list[tuple[int, int]]:
    """``[(advance_id, taken)]``: what a harvest payment of ``harvest_net`` (after the price
    board's deductions) repays, oldest advance first (``owed`` in the order given), never more
    than the payment nor than an advance's balance. Advances with nothing taken are left out."""
    available = max(0, harvest_net)
    taken: list[tuple[int, int]] = []
    for advance in owed:
        if available == 0:
            break
        part = min(advance.left, available)
        if part > 0:
            taken.append((advance.advance_id, part))
            available -= part
    return taken


def overdue(approved_at: int, now: int, days: int = OVERDUE_DAYS) -> bool:
    """Whether an advance approved at ``approved_at`` (Unix seconds) and still owed at ``now``
    is listed for the officers."""
    return now - approved_at >= days * 86_400


ADVANCE_PREFIX = "PIN"  # pinjaman input: PJ- is a sale (penjualan)


def advance_number(advance_id: int) -> str:
    """How people quote an advance: ``PIN-0007``."""
    return f"{ADVANCE_PREFIX}-{advance_id:04d}"
