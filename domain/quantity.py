"""Quantities as Indonesians write them, and money as whole rupiah.

:func:`parse_quantity` reads what a farmer types for an amount of a commodity and returns it
in the commodity's base unit, or raises :class:`QuantityRefused` (an ``InvalidInput``) whose
``reason`` says what was wrong; :data:`REASONS` gives the text for each reason.

How numbers are read (Indonesian writing first; decided once, here):

- ``,`` is the decimal comma: ``1,5`` is one and a half, and so is ``1,500`` (a single
  comma is never thousands grouping; the bot says the amount back before anything is saved).
- ``.`` groups thousands: ``1.500`` is fifteen hundred, ``1.500.000`` a million and a half.
  A single dot is grouping only when exactly three digits follow it and one to three digits
  not starting with 0 come before it; otherwise it cannot be grouping and is a decimal
  point: ``1.5 ton``, ``2.75``, ``0.500`` (half), ``1234.5``.
- With both marks, the last one is the decimal separator and the other must group by
  threes: ``1.500,5`` and ``1,500.5`` are both fifteen hundred and a half. Several commas
  group thousands (``1,500,000``); groups that are not three digits are unreadable.
- ``rb``/``ribu`` multiply by a thousand and ``jt``/``juta`` by a million: ``6,5 rb`` is
  6.500. Words work too: ``satu``…``sembilan``, ``sepuluh``, ``sebelas``, ``belas``,
  ``puluh``, ``ratus``, ``seratus``, ``seribu``; ``setengah`` (½), ``seperempat`` (¼),
  ``tiga perempat`` (¾), ``dua setengah`` (2½); ``1/2``, ``½``.
- The unit may follow with or without a space (``200kg``, ``1,5ton``); no unit means the
  base unit; the produce's name may follow (``1.500 kg gabah``); ``sekitar``/``kira-kira``
  in front is ignored.
- In the base unit, weights and volumes keep three decimals (grams, millilitres; rounded
  half up); heads and eggs must be whole.

Refused, each with its own reason: unreadable text (``quantity.unreadable``), a unit the
commodity is not sold by or an unknown unit word (``quantity.unit``), a minus sign
(``quantity.negative``), zero (``quantity.zero``), a part of a head or egg
(``quantity.fraction``), more than the commodity's ``max_per_offer`` (``quantity.too_big``).

Money is never a float: prices are integer rupiah per base unit, and an amount is
``price × quantity`` rounded to whole rupiah **half up** (``Decimal`` with
``ROUND_HALF_UP``: Rp0,50 becomes Rp1, Rp0,49 becomes Rp0). Each line of a receipt (the
produce, each deduction) is rounded on its own, then the lines are added.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from domain import N_
from domain.people import InvalidInput
from domain.produce import SPELLINGS, Commodity, Unit, match_key

# The words people write for each unit (English too).
UNIT_WORDS = {
    "kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg", "kilogram": "kg", "kilograms": "kg",
    "kuintal": "kuintal", "kwintal": "kuintal", "kuintal2": "kuintal", "kw": "kuintal",
    "kwt": "kuintal", "ku": "kuintal", "quintal": "kuintal", "quintals": "kuintal", "q": "kuintal",
    "ton": "ton", "tons": "ton", "tonne": "ton", "tonnes": "ton", "t": "ton",
    "ons": "ons", "hg": "ons",
    "ekor": "ekor", "ekr": "ekor", "ek": "ekor", "head": "ekor", "heads": "ekor",
    "butir": "butir", "btr": "butir", "biji": "butir", "bj": "butir", "egg": "butir", "eggs": "butir",
    "rak": "rak", "tray": "rak", "trays": "rak",
    "liter": "liter", "litre": "liter", "liters": "liter", "litres": "liter", "ltr": "liter",
    "lt": "liter", "l": "liter",
}  # fmt: skip

_DIGIT_WORDS = {
    "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
    "delapan": 8, "sembilan": 9,
}  # fmt: skip
_SE_WORDS = {"sepuluh": 10, "sebelas": 11, "seratus": 100}
_TENS = {"puluh": 10, "ratus": 100}
_SCALES = {"ribu": 1000, "rb": 1000, "rbu": 1000, "juta": 1_000_000, "jt": 1_000_000}
_SE_SCALES = {"seribu": 1000, "sejuta": 1_000_000}
_HALVES = {"setengah": Decimal("0.5"), "seperempat": Decimal("0.25")}
_FRACTION_DENOMINATORS = {2, 4, 5, 10}
_HEDGES = re.compile(
    r"^(sekitar|kira kira|kurang lebih|lebih kurang|kurleb|kira2|about|approx|approximately|around|±|\+/?-)\s*"
)
_THREE = Decimal("0.001")


@dataclass(frozen=True)
class Quantity:
    """An amount of a commodity: ``value`` in its base unit, and what the person typed
    (``amount`` in ``unit``: ``Decimal("1.5")``, ``"ton"`` for "1,5 ton")."""

    value: Decimal
    unit: str
    amount: Decimal


class QuantityRefused(InvalidInput):
    """A typed amount the bot cannot accept. ``reason`` is a key of :data:`REASONS`;
    ``commodity`` gives the placeholders (see :func:`reason_fields`)."""

    def __init__(self, reason: str, commodity: Commodity) -> None:
        super().__init__(reason)
        self.commodity = commodity


# What was wrong and what to do (texts per ../shared/LANGUAGE.md). Placeholders:
# {commodity} the produce's name, {unit} its base unit, {example} a typical amount with
# its unit, {maximum} the most one offer holds with its unit (see reason_fields).
REASONS = {
    "quantity.unreadable": N_("I could not read that amount. Type a number and the unit, for example {example}."),
    "quantity.unit": N_("{commodity} is not offered in that unit. Type the amount in {unit}, for example {example}."),
    "quantity.negative": N_("Type the amount without a minus sign, for example {example}."),
    "quantity.zero": N_("The amount must be more than zero. Type the amount, for example {example}."),
    "quantity.fraction": N_("Count {commodity} in whole numbers. Type a whole number, for example {example}."),
    "quantity.too_big": N_("That is too much for one offer of {commodity}. One offer holds at most {maximum}. Type a smaller amount, for example {example}."),
}  # fmt: skip


def reason_fields(commodity: Commodity) -> dict[str, object]:
    """The raw values behind the placeholders of :data:`REASONS` (the caller formats them in
    the person's language): ``commodity`` a msgid, ``unit`` a unit code, ``example`` and
    ``maximum`` amounts in that unit."""
    return {
        "commodity": commodity.name_en,
        "unit": commodity.base_unit,
        "example": commodity.example,
        "maximum": commodity.max_per_offer,
    }


def _clean(value: Decimal) -> Decimal:
    """``1500.0`` → ``1500``, ``1.50`` → ``1.5`` (never exponent notation)."""
    integral = value.to_integral_value()
    return integral.quantize(Decimal(1)) if value == integral else value.normalize()


def _grouped(text: str, sep: str) -> str | None:
    """``1.500.000`` (``sep`` ".") → ``1500000``; None unless it groups by threes."""
    first, *rest = text.split(sep)
    if not rest or not 1 <= len(first) <= 3 or first.startswith("0"):
        return None
    if any(len(group) != 3 for group in rest):
        return None
    return first + "".join(rest)


_NUMERAL = re.compile(r"^\d([\d.,]*\d)?$")


def numeral(token: str) -> Decimal | None:
    """One written number by the rules in the module docstring, or None."""
    if "/" in token:
        top, _, bottom = token.partition("/")
        if top.isdigit() and bottom.isdigit() and int(bottom) in _FRACTION_DENOMINATORS:
            return Decimal(int(top)) / Decimal(int(bottom))
        return None
    if not _NUMERAL.match(token):
        return None
    dots, commas = token.count("."), token.count(",")
    if dots and commas:
        decimal_mark = "," if token.rfind(",") > token.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        whole, _, fraction = token.rpartition(decimal_mark)
        if decimal_mark in whole:
            return None
        digits = _grouped(whole, group_mark) if group_mark in whole else whole
        return Decimal(f"{digits}.{fraction}") if digits and fraction.isdigit() else None
    if commas:
        if commas > 1:
            digits = _grouped(token, ",")
            return Decimal(digits) if digits else None
        return Decimal(token.replace(",", "."))
    if dots:
        if dots > 1:
            digits = _grouped(token, ".")
            return Decimal(digits) if digits else None
        whole, _, fraction = token.partition(".")
        grouped = _grouped(token, ".")
        return Decimal(grouped) if grouped else Decimal(f"{whole}.{fraction}")
    return Decimal(token)


def number(tokens: list[str]) -> Decimal | None:
    """Figures and Indonesian number words (``dua ratus``, ``6,5 rb``, ``satu setengah``)
    as one number, or None when they do not make one."""
    total = group = Decimal(0)
    last: Decimal | None = None  # the number being built below "puluh"/"ratus"/a scale
    for token in tokens:
        figure = numeral(token)
        if figure is not None or token in _DIGIT_WORDS:
            if last is not None:
                return None  # two numbers in a row: "2 3", "dua tiga"
            last = figure if figure is not None else Decimal(_DIGIT_WORDS[token])
        elif token == "belas":
            if last is None or not 1 <= last <= 9 or last != last.to_integral_value():
                return None
            group, last = group + 10 + last, None
        elif token in _TENS:
            if last is None:
                return None
            group, last = group + last * _TENS[token], None
        elif token in _SE_WORDS:
            if last is not None:
                return None
            group += _SE_WORDS[token]
        elif token in _SCALES or token in _SE_SCALES:
            if token in _SE_SCALES:
                if last is not None or group:
                    return None
                amount, scale = Decimal(1), _SE_SCALES[token]
            else:
                amount, scale = group + (last or 0), _SCALES[token]
            if not amount:
                return None
            total, group, last = total + amount * scale, Decimal(0), None
        elif token in _HALVES:
            if last is not None and last != last.to_integral_value():
                return None
            last = (last or Decimal(0)) + _HALVES[token]
        elif token == "perempat":  # "tiga perempat": three quarters
            if last is None or not 1 <= last <= 3:
                return None
            last = last / 4
        else:
            return None
    if last is None and not group and not total:
        return None
    return total + group + (last or 0)


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text or "").lower().strip()
    text = text.replace("\u2044", "/").replace("−", "-").replace("–", "-").replace("—", "-")
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # kira-kira
    text = _HEDGES.sub("", text.strip())
    text = re.sub(r"[!?;:]+|[.,]+$", " ", text)
    text = re.sub(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)", " ", text)
    text = re.sub(r"^-\s*|^minus\s+", "- ", text)
    return text.split()


@lru_cache(maxsize=256)
def _name_words(commodity: Commodity) -> frozenset[str]:
    """Every word of the produce's names and aliases (to drop "gabah" from "2 ton gabah")."""
    keys = {
        match_key(commodity.name_id),
        match_key(commodity.name_en),
        *map(match_key, commodity.aliases),
    }
    keys |= {match_key(a) for g in commodity.grades for a in g.aliases}
    return frozenset(word for key in keys for word in key.split())


def _is_number_word(token: str) -> bool:
    return (
        token in _DIGIT_WORDS
        or token in _SE_WORDS
        or token in _TENS
        or token in _SCALES
        or token in _SE_SCALES
        or token in _HALVES
        or token in ("belas", "perempat")
    )


def _without_names(tokens: list[str], commodity: Commodity) -> list[str]:
    """``2 ton gabah kering`` → ``2 ton``; ``cabe 2 kg`` → ``2 kg``: words of the produce's
    names before or after the amount are dropped (never a unit or number word)."""
    words = _name_words(commodity)

    def drops(token: str) -> bool:
        return (
            SPELLINGS.get(token, token) in words
            and token not in UNIT_WORDS
            and not _is_number_word(token)
        )

    while tokens and drops(tokens[-1]):
        tokens = tokens[:-1]
    while tokens and drops(tokens[0]):
        tokens = tokens[1:]
    return tokens


def parse_quantity(text: str, commodity: Commodity) -> Quantity:
    """What a person typed as an amount of ``commodity`` (rules in the module docstring)."""
    tokens = _without_names(_tokens(text), commodity)
    negative = bool(tokens) and tokens[0] == "-"
    tokens = tokens[1:] if negative else tokens
    unit_code = commodity.base_unit
    if tokens and tokens[-1] in UNIT_WORDS:
        unit_code, tokens = UNIT_WORDS[tokens[-1]], tokens[:-1]
        known = True
    elif (
        len(tokens) > 1
        and tokens[-1].isalpha()
        and not _is_number_word(tokens[-1])
        and number(tokens[:-1]) is not None
    ):
        known, tokens = False, tokens[:-1]  # "5 karung": a number and a word the bot does not know
    else:
        known = True
    amount = number(tokens)
    if amount is None:
        raise QuantityRefused("quantity.unreadable", commodity)
    unit: Unit | None = commodity.unit(unit_code) if known else None
    if unit is None:
        raise QuantityRefused("quantity.unit", commodity)
    if negative and amount:
        raise QuantityRefused("quantity.negative", commodity)
    value = amount * unit.factor
    if value > commodity.max_per_offer:  # before rounding: a number of 30 digits is just too big
        raise QuantityRefused("quantity.too_big", commodity)
    if not commodity.counted:
        value = value.quantize(_THREE, rounding=ROUND_HALF_UP)
    if not value:
        raise QuantityRefused("quantity.zero", commodity)
    if commodity.counted and value != value.to_integral_value():
        raise QuantityRefused("quantity.fraction", commodity)
    return Quantity(_clean(value), unit.code, _clean(amount))


# --- money ----------------------------------------------------------------------------

_RUPIAH = Decimal(1)


def amount_rupiah(price_rupiah: int, quantity: Decimal | int) -> int:
    """``price_rupiah`` (per base unit) × ``quantity`` (in the base unit), rounded to whole
    rupiah half up: Rp6.500 × 12,345 kg = Rp80.242,5 → Rp80.243."""
    if isinstance(price_rupiah, bool) or not isinstance(price_rupiah, int):
        raise TypeError("prices are whole rupiah (int)")
    if isinstance(quantity, float) or isinstance(quantity, bool):
        raise TypeError("quantities are Decimal, never float")
    exact = Decimal(price_rupiah) * Decimal(quantity)
    return int(exact.quantize(_RUPIAH, rounding=ROUND_HALF_UP))


def price_per_unit(price_rupiah: int, unit: Unit) -> int:
    """A price per base unit said per another unit: Rp6.500 per kg is Rp650.000 per
    kuintal and Rp650 per ons (rounded half up where it is not whole)."""
    return amount_rupiah(price_rupiah, unit.factor)


# Why a buying price (typed by an administrator, or a CSV row) was refused; {unit} is the
# commodity's base unit where known. storage.prices raises these reasons.
PRICE_REASONS = {
    "price.amount": N_("Type the price in whole rupiah per {unit}, for example 6500."),
    "price.too_high": N_("A price per {unit} is at most {most}. Type the price again."),
    "price.commodity": N_("I do not know that produce. Type its name as in the list, for example gabah."),
    "price.grade": N_("That grade does not exist for this produce. Pick one of its grades."),
    "price.area": N_("I do not know that area. Type a village code or a part of one, for example 33.10."),
    "price.dates": N_("The end date must come after the start date. Type the dates again."),
    "price.date": N_("I could not read that date. Type it as 2025-12-31."),
    "price.missing": N_("This column is empty. Fill it in and import the file again."),
    "price.duplicate": N_("This price appears twice in the file. Keep one row and import again."),
    "price.column": N_("This column is missing. Add it to the first row and import again."),
    "price.kind": N_("The price kind column must be empty (the cooperative's price), hpp or pasar."),
}  # fmt: skip
