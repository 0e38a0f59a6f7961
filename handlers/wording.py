"""Lines several handlers say the same way (an offer's alert, its summary, its receipt)."""

from __future__ import annotations

from bot.domain.pickups import DEDUCTION_LABELS, Deduction
from bot.domain.produce import Commodity
from bot.i18n import _, format_money, gettext, unit_name


def deductions_line(taken: tuple[Deduction, ...], commodity: Commodity) -> str:
    """One line, each deduction named with its rate and amount (receipts keep to six
    lines): ``Potongan: ongkos angkut Rp100 per kg (Rp20.000), bongkar muat …``."""
    if not taken:
        return _("Deductions: none")
    items = [
        _("{service} {rate} per {unit} ({amount})").format(
            service=gettext(DEDUCTION_LABELS[d.kind]),
            rate=format_money(d.rupiah_per_unit),
            unit=unit_name(commodity.base_unit),
            amount=format_money(d.amount),
        )
        for d in taken
    ]
    return _("Deductions: {items}").format(items=", ".join(items))
