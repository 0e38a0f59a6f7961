"""How rafaksi readings and their refusals read, in the language in use: shared by the
weighing's receipt, a sale's delivery (the chat, the surat jalan, the faktur) and the
quality questions of both (handlers.quality)."""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import _, format_money, format_number, gettext, unit_name
from domain.rafaksi import MEASURE_LABELS, REASONS, RafaksiRefused


def refusal(refused: RafaksiRefused) -> str:
    """What was wrong with a reading, in the language in use."""
    text = gettext(REASONS.get(refused.reason, REASONS["rafaksi.unreadable"]))
    if refused.measure is None:
        return text
    return text.format(
        measure=gettext(MEASURE_LABELS[refused.measure]),
        highest=format_number(refused.highest) + " %",
    )


def rafaksi_line(moisture: Decimal, foreign: Decimal, cut: int, unit: str) -> str:
    """``Kadar air 27 %, hampa/kotoran 8 %: potongan Rp425 per kg``: the readings and the
    cut per unit they gave (the price on the next line is already less the cut)."""
    readings = dict(moisture=format_number(moisture), foreign=format_number(foreign))
    if not cut:
        return _("Moisture {moisture} %, empty grain/dirt {foreign} %: no cut").format(**readings)
    return _("Moisture {moisture} %, empty grain/dirt {foreign} %: cut {cut} per {unit}").format(
        cut=format_money(cut), unit=unit_name(unit), **readings)  # fmt: skip
