"""Pickups: the time windows a coordinator offers a farmer, and what the cooperative takes
off the amount for its services (transport, handling), itemised on the summary and receipt."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain import N_
from domain.people import InvalidInput
from domain.quantity import amount_rupiah

# (start hour, end hour), local time where the farmer lives.
WINDOWS = ((6, 9), (9, 12), (12, 15), (15, 18))


def window_code(window: tuple[int, int]) -> str:
    return f"{window[0]:02d}{window[1]:02d}"


def parse_window(code: str) -> tuple[int, int] | None:
    """``"0609"`` → (6, 9) when it is one of WINDOWS, else None (forged data)."""
    found = [w for w in WINDOWS if window_code(w) == code]
    return found[0] if found else None


# --- deductions -------------------------------------------------------------------------


class DeductionKind(StrEnum):
    TRANSPORT = "transport"
    HANDLING = "handling"


DEDUCTION_LABELS = {
    DeductionKind.TRANSPORT: N_("transport"),
    DeductionKind.HANDLING: N_("loading and handling"),
}


@dataclass(frozen=True)
class Rate:
    """Whole rupiah per base unit the cooperative takes off for one service."""

    kind: DeductionKind
    rupiah_per_unit: int


@dataclass(frozen=True)
class Deduction:
    kind: DeductionKind
    rupiah_per_unit: int
    amount: int


def deductions(rates: tuple[Rate, ...], quantity: Decimal, gross: int) -> tuple[Deduction, ...]:
    """Each rate on ``quantity`` (whole rupiah, half up), in the order of DeductionKind. They
    never take more than ``gross``: the farmer is never left owing for selling (the last
    one is cut down to what is left)."""
    found, left = [], gross
    order = list(DeductionKind)
    for rate in sorted(rates, key=lambda r: order.index(r.kind)):
        amount = min(amount_rupiah(rate.rupiah_per_unit, quantity), left)
        if amount > 0:
            found.append(Deduction(rate.kind, rate.rupiah_per_unit, amount))
            left -= amount
    return tuple(found)


def net_amount(gross: int, taken: tuple[Deduction, ...]) -> int:
    """What the farmer is paid."""
    return gross - sum(d.amount for d in taken)


# --- payment ----------------------------------------------------------------------------

_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./-]{2,38}[A-Za-z0-9]")


def transfer_reference(text: str) -> str:
    """A bank transfer's reference as typed (``240915123456``, ``BRI 1234/XI``), spaces
    tidied; InvalidInput("payment.reference") unless 4 to 40 letters, digits, ``./-``."""
    cleaned = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not _REFERENCE.fullmatch(cleaned):
        raise InvalidInput("payment.reference")
    return cleaned


# --- a weighing far above the offer ---------------------------------------------------------

# Found more than this share of what was offered (in percent), a weighing waits for a second
# person before it is owed to the farmer: 2 ton found against 200 kg offered is a typing
# slip or a deal with oneself. A commodity may have its own share (none does yet).
SECOND_LOOK_PERCENT = 150
SECOND_LOOK_BY_COMMODITY: dict[str, int] = {}


def needs_second_look(commodity: str, offered: Decimal, found: Decimal) -> bool:
    percent = SECOND_LOOK_BY_COMMODITY.get(commodity, SECOND_LOOK_PERCENT)
    return found * 100 > offered * percent
