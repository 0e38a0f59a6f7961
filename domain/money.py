"""Money as people type and read it, and the ceilings every amount has.

- :func:`parse_rupiah` is the one parser of rupiah typed by a person (a price, a deposit, a
  withdrawal, a spreadsheet cell): ``6500``, ``6.500``, ``Rp 6.500``, ``Rp6.500,-``,
  ``6,5 rb``, ``1,5 juta``, ``enam ribu lima ratus``. Whole rupiah only.
- :func:`rupiah` is the one formatter: ``Rp6.500`` (``bot.i18n.format_money`` gives it the
  reader's thousands separator).
- Ceilings: a buying price per base unit by the commodity's unit (:data:`MAX_PRICE`), an
  amount at the savings desk by the cooperative's rule (:data:`MAX_DESK_AMOUNT`), and ids
  carried by buttons (:func:`record_id`, never past SQLite's 64-bit integers). A weight's
  ceiling is the commodity's ``max_per_offer`` (domain.quantity) and, at the pickup, the
  share of the offer that needs a second person (domain.pickups).
"""

from __future__ import annotations

import re
import unicodedata

from domain.ledger import MAX_AMOUNT
from domain.people import InvalidInput
from domain.quantity import number


def parse_rupiah(
    text: str, *, allow_zero: bool = False, reason: str = "price.amount",
    too_high: str = "price.too_high",
) -> int:  # fmt: skip
    """Whole rupiah as typed, above zero (or zero when ``allow_zero``); else
    InvalidInput(``reason``), or InvalidInput(``too_high``) past the ledger's MAX_AMOUNT. A
    figure of 30 digits is refused here, never passed on to overflow a database integer."""
    cleaned = unicodedata.normalize("NFKC", text or "").lower().strip()
    cleaned = re.sub(r"^rp\.?\s*", "", cleaned)
    cleaned = re.sub(r"(,-|,00|\.-|\.00)$", "", cleaned.strip())
    cleaned = re.sub(r"(?<=\d)(?=[a-z])", " ", cleaned)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", cleaned):  # 50,000 (English): rupiah have no decimals
        cleaned = cleaned.replace(",", "")
    if len(re.sub(r"\D", "", cleaned)) > 30:
        raise InvalidInput(too_high if re.fullmatch(r"[\d.]+", cleaned) else reason)
    value = number(cleaned.split())
    if value is None or value < 0 or (value == 0 and not allow_zero):
        raise InvalidInput(reason)
    if value != value.to_integral_value():
        raise InvalidInput(reason)
    if value > MAX_AMOUNT:
        raise InvalidInput(too_high)
    return int(value)


def rupiah(amount: int, group: str = ".") -> str:
    """``Rp1.500.000``; ``-Rp5.000`` below zero; ``group`` separates the thousands."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("money is whole rupiah (int)")
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", group)


# --- ceilings ---------------------------------------------------------------------------

# The highest buying price per base unit: far above any farm-gate price (gabah Rp6.500 per
# kg, a cow some Rp25.000.000 per head), low enough that a phone number or a mistyped
# figure is refused.
MAX_PRICE = {"kg": 1_000_000, "liter": 1_000_000, "butir": 100_000, "ekor": 500_000_000}
DEFAULT_MAX_PRICE = 1_000_000


def max_price(base_unit: str) -> int:
    return MAX_PRICE.get(base_unit, DEFAULT_MAX_PRICE)


def check_price(price_rupiah: int, base_unit: str) -> int:
    """InvalidInput("price.too_high") when a price per ``base_unit`` is over its ceiling."""
    if price_rupiah > max_price(base_unit):
        raise InvalidInput("price.too_high")
    return price_rupiah


# The most one deposit or withdrawal at the savings desk moves when the cooperative set no
# rule of its own (storage.savings_desk.limit): more is brought in as several entries, or
# through an import the board checks.
MAX_DESK_AMOUNT = 100_000_000


def check_desk_amount(amount: int, limit: int = MAX_DESK_AMOUNT) -> int:
    """InvalidInput("amount.too_high") for a deposit or withdrawal over ``limit``."""
    if amount > limit:
        raise InvalidInput("amount.too_high")
    return amount


MAX_ID = 2**63 - 1  # SQLite's (and PostgreSQL's bigint) largest integer


def record_id(text: str | None) -> int | None:
    """The id a button's digits name, or None when they name nothing a table can hold
    (empty, not digits, past a 64-bit integer): a forged button, refused politely."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    found = int(text)
    return found if 0 < found <= MAX_ID else None
