"""A sum of money in words, as an invoice (*faktur*) or a receipt prints it below the figure
(*terbilang*): "satu juta dua ratus ribu rupiah"; in English "one million two hundred
thousand rupiah". Whole rupiah only, from nol up to 999 triliun (the ledger's ceiling is
10^15)."""

from __future__ import annotations

LIMIT = 10**15  # domain.ledger.MAX_AMOUNT: nothing larger is ever booked

_EN_ONES = (
    "", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)  # fmt: skip
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_EN_SCALES = ("", "thousand", "million", "billion", "trillion")


def _check(amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("money is whole rupiah (int)")
    if not 0 <= amount < LIMIT:
        raise ValueError(f"no words for Rp{amount}")
    return amount


def indonesian(amount: int) -> str:
    """``1200000`` → "satu juta dua ratus ribu rupiah"; ``0`` → "nol rupiah"; ``1000`` →
    "seribu rupiah" (lokal-id's terbilang, the one the house already ships)."""
    from lokal.terbilang import terbilang  # here: lokal compiles its patterns on import

    return terbilang(_check(amount), currency=True)


def _en_below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = [f"{_EN_ONES[hundreds]} hundred"] if hundreds else []
    if rest:
        tens, ones = divmod(rest, 10)
        small = (
            _EN_ONES[rest]
            if rest < 20
            else "-".join(w for w in (_EN_TENS[tens], _EN_ONES[ones]) if w)
        )
        words.append(("and " if hundreds else "") + small)
    return " ".join(words)


def english(amount: int) -> str:
    """``1200000`` → "one million two hundred thousand rupiah"; British "and" before the
    tens ("one hundred and one"); ``0`` → "zero rupiah"."""
    value = _check(amount)
    if value == 0:
        return "zero rupiah"
    groups = []
    while value:
        value, group = divmod(value, 1000)
        groups.append(group)
    words = [
        " ".join(w for w in (_en_below_thousand(g), _EN_SCALES[i]) if w)
        for i, g in reversed(list(enumerate(groups)))
        if g
    ]
    # "one thousand and five": a last group below a hundred after larger ones takes "and"
    if len(words) > 1 and 0 < groups[0] < 100:
        words[-1] = "and " + words[-1]
    return " ".join(words) + " rupiah"


def in_words(amount: int, language: str) -> str:
    """The amount in words in ``language`` ("id" or "en")."""
    return english(amount) if language == "en" else indonesian(amount)
