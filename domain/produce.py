"""The produce catalog: what farmers offer, in which units, in which grades.

The catalog is data, not code: :data:`COMMODITIES` is a tuple of frozen dataclasses, and
migration ``0004_offtake.sql`` seeds the same rows into the tables ``commodities``,
``commodity_units``, ``grades``, ``grade_limits`` and ``commodity_aliases`` so that
administrators can edit them later (``storage.catalog.load`` reads them back into a
:class:`Catalog`; a test keeps the seed and this tuple equal).

- Every commodity has a stable ``code`` (``gabah``, ``cabai_merah``): the code is what
  callback data, prices, offers and CSV files name; display names are msgids.
- ``name_en`` is the msgid shown (source strings are English; the Indonesian catalog
  translates it to ``name_id``); ``name_id`` is also kept as data for matching and admins.
- A base unit (``kg``, ``ekor``, ``butir``, ``liter``) in which quantities are stored and
  prices are set (integer rupiah per base unit); other units carry their factor to it.
- Grades carry their criteria as a msgid and, where they are measured, as limits
  (``moisture_pct`` at most 25 …). Where there is no grading, one grade ``-``.
- ``max_per_offer``: the most one offer may hold, in the base unit; more is refused as
  absurd (a typo of a few zeros, usually).
- Aliases are the words people type (``cabe rawit``, ``gabah kering giling``, ``coklat``);
  an alias may name a grade too (``gkg`` is gabah, grade GKG). They are stored as match
  keys (:func:`match_key`): lower case, letters and digits, single spaces.

Figures in criteria come from the sources named next to them; they are defaults the
cooperative may change in the database, never rules in code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from rapidfuzz import fuzz, process

from domain import N_

# Base units and the other units people use. Unit codes are what bot.i18n formats
# (``format_quantity(value, unit)``) and what ``commodity_units.unit`` holds.
KG, EKOR, BUTIR, LITER = "kg", "ekor", "butir", "liter"
KUINTAL, TON, ONS, RAK = "kuintal", "ton", "ons", "rak"
COUNTED_UNITS = frozenset({EKOR, BUTIR})  # a base unit counted whole (no 1,5 ekor)

# The grade of a commodity that has no grading.
NO_GRADE = "-"

# Kinds of produce, as people group them (crops, plantation produce, livestock, fish).
CROP, PLANTATION, LIVESTOCK, FISHERY = "crop", "plantation", "livestock", "fishery"
KINDS = (CROP, PLANTATION, LIVESTOCK, FISHERY)
KIND_LABELS = {
    CROP: N_("food crops and vegetables"),
    PLANTATION: N_("plantation produce"),
    LIVESTOCK: N_("livestock, eggs and milk"),
    FISHERY: N_("fish"),
}

# What a grade's limits measure (the coordinator records these at pickup).
MEASURES = {
    "moisture_pct": N_("moisture (%)"),
    "empty_grain_pct": N_("empty grain (%)"),
    "broken_pct": N_("broken grains (%)"),
    "defects_per_300g": N_("defects per 300 g"),
    "beans_per_100g": N_("beans per 100 g"),
    "live_weight_kg": N_("live weight (kg)"),
    "tree_age_years": N_("age of the trees (years)"),
}


@dataclass(frozen=True)
class Unit:
    """A unit people use for a commodity: ``factor`` base units make one of it."""

    code: str
    factor: Decimal


@dataclass(frozen=True)
class Limit:
    """One measured criterion of a grade: ``low <= value <= high`` (either may be open)."""

    measure: str
    low: Decimal | None = None
    high: Decimal | None = None

    def holds(self, value: Decimal) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


@dataclass(frozen=True)
class Grade:
    code: str
    label: str  # msgid, e.g. "GKP (freshly harvested)"
    criteria: str  # msgid: the criteria in words, for the farmer and the coordinator
    limits: tuple[Limit, ...] = ()
    aliases: tuple[str, ...] = ()  # match keys naming this commodity in this grade

    def meets(self, measured: dict[str, Decimal]) -> bool:
        """Whether every limit holds for what was measured (an unmeasured limit fails)."""
        return all(m.measure in measured and m.holds(measured[m.measure]) for m in self.limits)


@dataclass(frozen=True)
class Commodity:
    code: str
    kind: str
    name_id: str
    name_en: str  # msgid
    base_unit: str
    units: tuple[Unit, ...]  # the base unit first (factor 1)
    grades: tuple[Grade, ...]  # best first
    max_per_offer: int  # in the base unit
    example: int  # a typical amount in the base unit, for "for example …" in texts
    aliases: tuple[str, ...] = ()  # match keys, besides the names
    active: bool = True  # False: no longer bought (kept for the offers that name it)

    def unit(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)

    def grade(self, code: str) -> Grade | None:
        return next((g for g in self.grades if g.code == code), None)

    @property
    def graded(self) -> bool:
        """Whether the farmer is asked for a grade (skipped where there is one)."""
        return len(self.grades) > 1

    @property
    def counted(self) -> bool:
        return self.base_unit in COUNTED_UNITS

    def grade_for(self, measured: dict[str, Decimal]) -> Grade | None:
        """The first (best) grade whose limits all hold for what was measured."""
        return next((g for g in self.grades if g.limits and g.meets(measured)), None)


def _d(text: str) -> Decimal:
    return Decimal(text)


def _weights(*units: str) -> tuple[Unit, ...]:
    factors = {KG: "1", KUINTAL: "100", TON: "1000", ONS: "0.1"}
    return tuple(Unit(u, _d(factors[u])) for u in units)


_BULK = _weights(KG, KUINTAL, TON)
_FRESH = _weights(KG, ONS, KUINTAL, TON)  # sold in small amounts too


def _abc(
    a: str, b: str, c: str, limits: tuple[tuple[Limit, ...], ...] = ((), (), ())
) -> tuple[Grade, ...]:
    return (
        Grade("A", N_("Grade A"), a, limits[0]),
        Grade("B", N_("Grade B"), b, limits[1]),
        Grade("C", N_("Grade C"), c, limits[2]),
    )


def _ungraded(criteria: str = N_("no grading")) -> tuple[Grade, ...]:
    return (Grade(NO_GRADE, N_("ungraded"), criteria),)


def _by_live_weight(small: str, large: str, labels: tuple[str, str, str]) -> tuple[Grade, ...]:
    """Livestock classes by live weight, the heaviest first (at a boundary the bigger class
    wins: the farmer's benefit)."""
    return (
        Grade("besar", N_("large"), labels[0], (Limit("live_weight_kg", low=_d(large)),)),
        Grade(
            "sedang",
            N_("medium"),
            labels[1],
            (Limit("live_weight_kg", low=_d(small), high=_d(large)),),
        ),
        Grade("kecil", N_("small"), labels[2], (Limit("live_weight_kg", high=_d(small)),)),
    )


def _lim(measure: str, high: str | None = None, low: str | None = None) -> Limit:
    return Limit(measure, _d(low) if low else None, _d(high) if high else None)


COMMODITIES: tuple[Commodity, ...] = (
    Commodity(
        "gabah", CROP, "Gabah", N_("Unhusked rice"), KG, _BULK,
        # HPP 2025 (Bapanas): GKP at the farm gate, GKG at the mill (the drier, better grade first).
        (
            Grade("GKG", N_("GKG (dried)"), N_("moisture at most 14%, empty grain at most 3%"),
                  (_lim("moisture_pct", "14"), _lim("empty_grain_pct", "3")),
                  ("gkg", "gabah kering giling", "gabah kering")),
            Grade("GKP", N_("GKP (freshly harvested)"), N_("moisture at most 25%, empty grain at most 10%"),
                  (_lim("moisture_pct", "25"), _lim("empty_grain_pct", "10")),
                  ("gkp", "gabah kering panen", "gabah basah")),
        ),
        max_per_offer=100_000, example=500, aliases=("padi", "paddy", "unhusked rice", "rice paddy"),
    ),
    Commodity(
        "beras", CROP, "Beras", N_("Milled rice"), KG, _BULK,
        # SNI 6128:2020: premium at most 15% broken, medium at most 25%, both moisture at most 14%.
        (
            Grade("premium", N_("premium rice"), N_("broken grains at most 15%, moisture at most 14%"),
                  (_lim("broken_pct", "15"), _lim("moisture_pct", "14")), ("beras premium",)),
            Grade("medium", N_("medium rice"), N_("broken grains at most 25%, moisture at most 14%"),
                  (_lim("broken_pct", "25"), _lim("moisture_pct", "14")), ("beras medium",)),
        ),
        max_per_offer=50_000, example=500, aliases=("rice", "milled rice"),
    ),
    Commodity(
        "jagung", CROP, "Jagung", N_("Maize"), KG, _BULK,
        # HPP 2025: shelled maize at the farm gate, moisture 18-20%.
        _ungraded(N_("shelled kernels, moisture at most 20%")),
        max_per_offer=100_000, example=500,
        aliases=("jagung pipil", "jagung pipilan", "jagung kering", "corn", "maize"),
    ),
    Commodity(
        "cabai_merah", CROP, "Cabai merah", N_("Red chilli"), KG, _FRESH,
        _abc(N_("fresh and firm, evenly red, no damage"), N_("fresh, mostly red, a little damage"),
             N_("mixed colour or size, some damage")),
        max_per_offer=20_000, example=50,
        aliases=("cabai keriting", "cabai merah keriting", "cabai besar", "cabai merah besar",
                 "lombok merah", "red chilli", "red chili", "red chillies"),
    ),
    Commodity(
        "cabai_rawit", CROP, "Cabai rawit", N_("Bird's eye chilli"), KG, _FRESH,
        _abc(N_("fresh and firm, evenly coloured, no damage"), N_("fresh, a little damage"),
             N_("mixed colour or size, some damage")),
        max_per_offer=20_000, example=50,
        aliases=("rawit", "cengek", "lombok rawit", "cabai rawit merah", "cabai rawit hijau",
                 "birds eye chilli", "birds eye chili", "bird eye chilli"),
    ),
    Commodity(
        "bawang_merah", CROP, "Bawang merah", N_("Shallots"), KG, _FRESH,
        _abc(N_("large dry bulbs, clean, no damage"), N_("medium dry bulbs, a little damage"),
             N_("small or mixed bulbs, some damage")),
        max_per_offer=20_000, example=100, aliases=("brambang", "bawang abang", "shallot", "shallots"),
    ),
    Commodity(
        "kopi", PLANTATION, "Kopi", N_("Coffee beans"), KG, _FRESH,
        # SNI 01-2907-2008 (green beans): defects per 300 g, moisture at most 12.5%.
        _abc(N_("green beans, at most 11 defects per 300 g, moisture at most 12.5%"),
             N_("green beans, at most 25 defects per 300 g, moisture at most 12.5%"),
             N_("green beans, at most 44 defects per 300 g, moisture at most 12.5%"),
             ((_lim("defects_per_300g", "11"), _lim("moisture_pct", "12.5")),
              (_lim("defects_per_300g", "25"), _lim("moisture_pct", "12.5")),
              (_lim("defects_per_300g", "44"), _lim("moisture_pct", "12.5")))),
        max_per_offer=20_000, example=100,
        aliases=("kopi biji", "kopi ose", "kopi beras", "kopi robusta", "kopi arabika", "robusta",
                 "arabika", "arabica", "coffee", "green coffee"),
    ),
    Commodity(
        "kakao", PLANTATION, "Kakao", N_("Cocoa beans"), KG, _FRESH,
        # SNI 2323:2008 (dried cocoa beans): beans per 100 g, moisture at most 7.5%.
        _abc(N_("dried beans, at most 100 beans per 100 g, moisture at most 7.5%"),
             N_("dried beans, at most 110 beans per 100 g, moisture at most 7.5%"),
             N_("dried beans, at most 120 beans per 100 g, moisture at most 7.5%"),
             ((_lim("beans_per_100g", "100"), _lim("moisture_pct", "7.5")),
              (_lim("beans_per_100g", "110"), _lim("moisture_pct", "7.5")),
              (_lim("beans_per_100g", "120"), _lim("moisture_pct", "7.5")))),
        max_per_offer=20_000, example=100,
        aliases=("coklat", "biji kakao", "biji coklat", "cocoa", "cacao", "cocoa beans"),
    ),
    Commodity(
        "sawit_tbs", PLANTATION, "Kelapa sawit (TBS)", N_("Oil palm fruit bunches"), KG, _BULK,
        # Provinces price TBS twice a month by the age of the trees.
        (
            Grade("3-5", N_("trees 3 to 5 years"), N_("trees aged 3 to 5 years"),
                  (_lim("tree_age_years", "5", "3"),)),
            Grade("6-9", N_("trees 6 to 9 years"), N_("trees aged 6 to 9 years"),
                  (_lim("tree_age_years", "9", "6"),)),
            Grade("10-20", N_("trees 10 to 20 years"), N_("trees aged 10 to 20 years"),
                  (_lim("tree_age_years", "20", "10"),)),
            Grade("21+", N_("trees 21 years or older"), N_("trees aged 21 years or more"),
                  (_lim("tree_age_years", None, "21"),)),
        ),
        max_per_offer=100_000, example=500,
        aliases=("sawit", "kelapa sawit", "tbs", "buah sawit", "tandan buah segar", "oil palm",
                 "palm fruit", "ffb"),
    ),
    Commodity(
        "karet", PLANTATION, "Karet", N_("Rubber"), KG, _BULK,
        _ungraded(N_("clean cup lumps or slabs")),
        max_per_offer=50_000, example=200, aliases=("getah karet", "bokar", "lump karet", "rubber"),
    ),
    Commodity(
        "telur", LIVESTOCK, "Telur ayam", N_("Eggs"), BUTIR,
        (Unit(BUTIR, _d("1")), Unit(RAK, _d("30"))),
        _ungraded(N_("clean, whole shells")),
        max_per_offer=50_000, example=300, aliases=("telur ayam", "egg", "eggs"),
    ),
    Commodity(
        "ayam", LIVESTOCK, "Ayam", N_("Chickens"), EKOR, (Unit(EKOR, _d("1")),),
        _by_live_weight("1.5", "2", (N_("over 2 kg live weight"), N_("1.5 to 2 kg live weight"),
                                     N_("under 1.5 kg live weight"))),
        max_per_offer=10_000, example=50,
        aliases=("ayam potong", "ayam broiler", "broiler", "ayam kampung", "ayam pedaging",
                 "chicken", "chickens"),
    ),
    Commodity(
        "sapi", LIVESTOCK, "Sapi", N_("Cattle"), EKOR, (Unit(EKOR, _d("1")),),
        _by_live_weight("250", "400", (N_("over 400 kg live weight"), N_("250 to 400 kg live weight"),
                                       N_("under 250 kg live weight"))),
        max_per_offer=100, example=2, aliases=("sapi potong", "lembu", "cattle", "cow", "cows"),
    ),
    Commodity(
        "kambing", LIVESTOCK, "Kambing", N_("Goats"), EKOR, (Unit(EKOR, _d("1")),),
        _by_live_weight("20", "35", (N_("over 35 kg live weight"), N_("20 to 35 kg live weight"),
                                     N_("under 20 kg live weight"))),
        max_per_offer=500, example=5, aliases=("wedus", "goat", "goats"),
    ),
    Commodity(
        "ikan", FISHERY, "Ikan", N_("Fish"), KG, _FRESH,
        _ungraded(N_("fresh, alive or on ice")),
        max_per_offer=50_000, example=100,
        aliases=("ikan air tawar", "lele", "ikan lele", "nila", "ikan nila", "gurame", "patin",
                 "ikan mas", "fish"),
    ),
    Commodity(
        "susu", LIVESTOCK, "Susu sapi segar", N_("Fresh cow's milk"), LITER,
        (Unit(LITER, _d("1")),),
        _ungraded(N_("fresh, cooled, not watered down")),
        max_per_offer=10_000, example=20, aliases=("susu sapi", "susu segar", "milk", "fresh milk"),
    ),
)  # fmt: skip


# --- a commodity an administrator adds -----------------------------------------------------

# The units a base unit can be sold in, with their standard factors (bot.i18n names them).
STANDARD_UNITS: dict[str, tuple[tuple[str, Decimal], ...]] = {
    KG: ((KUINTAL, Decimal(100)), (TON, Decimal(1000)), (ONS, Decimal("0.1"))),
    BUTIR: ((RAK, Decimal(30)),),
    EKOR: (),
    LITER: (),
}
CODE = re.compile(r"[a-z][a-z0-9_]{1,15}")
GRADE_CODE = re.compile(r"[A-Za-z0-9+-]{1,8}")


@dataclass(frozen=True)
class NewCommodity:
    """What ``koperasi-bot catalog add`` asks for."""

    code: str
    kind: str
    name_id: str
    name_en: str
    base_unit: str
    units: tuple[str, ...]  # besides the base unit, from STANDARD_UNITS[base_unit]
    max_per_offer: int
    example: int
    criteria: str = ""


def check_new_commodity(new: NewCommodity) -> None:
    """InvalidInput with a CATALOG_REASONS key when something cannot be stored."""
    from domain.people import InvalidInput  # people imports nothing from here

    allowed = {unit for unit, _factor in STANDARD_UNITS.get(new.base_unit, ())}
    if not CODE.fullmatch(new.code):
        raise InvalidInput("catalog.code")
    if new.kind not in KINDS:
        raise InvalidInput("catalog.kind")
    if new.base_unit not in STANDARD_UNITS or not set(new.units) <= allowed:
        raise InvalidInput("catalog.unit")
    if not new.name_id.strip() or not new.name_en.strip():
        raise InvalidInput("catalog.name")
    if not 0 < new.example <= new.max_per_offer:
        raise InvalidInput("catalog.amounts")


def units_of(new: NewCommodity) -> list[tuple[str, Decimal]]:
    """The base unit (factor 1), then the chosen ones in their standard order."""
    extra = [(u, f) for u, f in STANDARD_UNITS[new.base_unit] if u in new.units]
    return [(new.base_unit, Decimal(1)), *extra]


# For the command line (English only, like every operator message).
CATALOG_REASONS = {
    "catalog.code": "a code is 2 to 16 lower-case letters, digits or _, starting with a letter",
    "catalog.code_taken": "that code is taken",
    "catalog.kind": f"the kind is one of: {', '.join(KINDS)}",
    "catalog.unit": "the base unit is kg, ekor, butir or liter; other units: kuintal, ton, ons (for kg), rak (for butir)",
    "catalog.name": "both names are needed",
    "catalog.amounts": "the example must be above 0 and at most the most per offer",
    "catalog.grade": "a grade code is 1 to 8 letters, digits, + or -, with a label",
    "catalog.alias": "an alias has at least 2 letters or digits",
    "price.commodity": "no such commodity",
    "price.grade": "no such grade of that commodity",
}


# --- matching what people type ---------------------------------------------------------

_NOT_ALNUM = re.compile(r"[^a-z0-9 ]+")
# Spellings people use for a word of a name: "cabe" is "cabai", "telor" is "telur".
SPELLINGS = {
    "cabe": "cabai", "cabay": "cabai", "telor": "telur", "cokelat": "coklat", "kakau": "kakao",
    "jagong": "jagung",
}  # fmt: skip


def match_key(text: str) -> str:
    """A name as compared: lower case without accents, apostrophes dropped, other marks as
    spaces, words spelled the common way (``Cabe Rawit!`` → ``cabai rawit``)."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    text = _NOT_ALNUM.sub(" ", text.replace("'", "").replace("’", ""))
    return " ".join(SPELLINGS.get(word, word) for word in text.split())


@dataclass(frozen=True)
class Match:
    """A commodity a typed text names; ``grade`` when the text names the grade too."""

    commodity: Commodity
    grade: Grade | None = None
    score: float = 100.0


@dataclass(frozen=True)
class Catalog:
    """A set of commodities with lookups; :data:`CATALOG` is the seed, and
    ``storage.catalog.load`` builds one from the database."""

    commodities: tuple[Commodity, ...]

    def get(self, code: str) -> Commodity | None:
        return self._by_code.get(code)

    def replace_with(self, other: Catalog) -> None:
        """Take ``other``'s commodities in place: every module holding this catalog (the
        bot's :data:`CATALOG`) sees an administrator's edits without being imported again."""
        object.__setattr__(self, "commodities", other.commodities)
        for cached in ("_by_code", "_keys"):
            self.__dict__.pop(cached, None)

    def __getitem__(self, code: str) -> Commodity:
        return self._by_code[code]

    def __iter__(self):
        return iter(self.commodities)

    def __len__(self) -> int:
        return len(self.commodities)

    @cached_property
    def _by_code(self) -> dict[str, Commodity]:
        return {c.code: c for c in self.commodities}

    @cached_property
    def _keys(self) -> dict[str, tuple[str, str | None]]:
        """Match key → (commodity code, grade code or None). A key two commodities share
        names neither exactly (it is found by search and offered as a choice)."""
        found: dict[str, set[tuple[str, str | None]]] = {}
        for c in self.commodities:
            names = {
                match_key(c.name_id),
                match_key(c.name_en),
                match_key(c.code.replace("_", " ")),
            }
            for key in names | {match_key(a) for a in c.aliases}:
                found.setdefault(key, set()).add((c.code, None))
            for g in c.grades:
                keys = {match_key(a) for a in g.aliases}
                if g.code != NO_GRADE:
                    keys |= {f"{match_key(c.name_id)} {match_key(g.code)}"}
                for key in keys:
                    found.setdefault(key, set()).add((c.code, g.code))
        return {key: next(iter(v)) for key, v in found.items() if key and len(v) == 1}

    def _match(self, code: str, grade: str | None, score: float) -> Match:
        commodity = self[code]
        return Match(commodity, commodity.grade(grade) if grade else None, score)

    def exact(self, typed: str) -> Match | None:
        """The one commodity (and grade) ``typed`` names exactly or by alias, else None."""
        hit = self._keys.get(match_key(typed))
        return self._match(*hit, 100.0) if hit else None

    def search(self, typed: str, limit: int = 8) -> list[Match]:
        """Commodities ``typed`` probably means, best first, one entry per commodity: an
        exact name or alias alone; else every commodity with a name containing the typed
        words (``cabai`` → both chillies), then close spellings (``jagumg``)."""
        key = match_key(typed)
        if len(key) < 2:
            return []
        exact = self.exact(typed)
        if exact:
            return [exact]
        best: dict[str, Match] = {}

        def offer(code: str, grade: str | None, score: float) -> None:
            if code not in best or best[code].score < score:
                best[code] = self._match(code, grade, score)

        words = key.split()
        for name, (code, grade) in self._keys.items():
            name_words = name.split()
            if all(any(n.startswith(w) for n in name_words) for w in words):
                offer(code, None if len(words) < len(name_words) else grade, 95.0)
        for name, score, _ in process.extract(
            key, list(self._keys), scorer=_score, limit=limit * 3, score_cutoff=75
        ):
            code, grade = self._keys[name]
            offer(code, grade, score)
        order = {c.code: i for i, c in enumerate(self.commodities)}
        ranked = sorted(best.values(), key=lambda m: (-m.score, order[m.commodity.code]))
        return ranked[:limit]


def _score(query: str, choice: str, **kwargs: object) -> float:
    # Whole-name similarity forgives typos; a typed beginning ("kak") counts too.
    whole = fuzz.ratio(query, choice)
    start = 90.0 if len(query) >= 3 and choice.startswith(query) else 0.0
    return max(whole, start, fuzz.token_set_ratio(query, choice) - 10)


CATALOG = Catalog(COMMODITIES)
