"""Lines several handlers say the same way (an offer's alert, its summary, its receipt)."""

from __future__ import annotations

from bot.i18n import _, current_language, format_money, gettext, unit_name
from domain.pickups import DEDUCTION_LABELS, Deduction
from domain.produce import NO_GRADE, Commodity


def produce_name(commodity: Commodity) -> str:
    """The commodity's name in the person's language. One added by an administrator has no
    translation in the catalogs: Indonesian readers get its Indonesian name."""
    translated = gettext(commodity.name_en)
    if translated == commodity.name_en and current_language() == "id":
        return commodity.name_id
    return translated


def in_sentence(label: str) -> str:
    """A label as it stands inside a sentence: ``Cabai merah`` → ``cabai merah``, ``Simpanan
    wajib`` → ``simpanan wajib``; an abbreviation (``GKP …``, ``HPP``) keeps its capitals."""
    if label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def produce_in_sentence(commodity: Commodity) -> str:
    """The commodity's name inside a sentence: "Berapa banyak cabai merah yang mau Anda jual?"."""
    return in_sentence(produce_name(commodity))


#: Units a coordinator weighs (the rest he counts or measures: ekor, butir, rak, liter).
WEIGHED = frozenset({"kg", "kuintal", "ton", "ons"})


def is_weighed(unit: str) -> bool:
    return unit in WEIGHED


def grade_line(label: str) -> str:
    """``Mutu: GKP (gabah kering panen)``; a label that names itself (``Mutu B``) alone,
    not ``Mutu: Mutu B``."""
    if label.split(" ")[0].lower() == _("Grade").lower():
        return label
    return _("Grade: {grade}").format(grade=label)


def produce_with_grade(commodity: Commodity, grade: str) -> str:
    """``Cabai merah, Mutu A``; the name alone where there is no grading."""
    found = commodity.grade(grade)
    if grade == NO_GRADE or found is None:
        return produce_name(commodity)
    return f"{produce_name(commodity)}, {gettext(found.label)}"


def produce_with_grade_in_sentence(commodity: Commodity, grade: str) -> str:
    """``cabai merah, Mutu A`` (inside a sentence or after a quantity: "1.500 kg gabah, GKP")."""
    return in_sentence(produce_with_grade(commodity, grade))


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
