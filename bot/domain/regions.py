"""Indonesia's 38 provinces and the time zone each lies in (WIB/WITA/WIT, no DST)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
TIMEZONES = {WIB: "WIB", WITA: "WITA", WIT: "WIT"}

_PROVINCES: dict[str, str] = {
    "Aceh": WIB, "Sumatera Utara": WIB, "Sumatera Barat": WIB, "Riau": WIB,
    "Kepulauan Riau": WIB, "Jambi": WIB, "Sumatera Selatan": WIB,
    "Kepulauan Bangka Belitung": WIB, "Bengkulu": WIB, "Lampung": WIB, "DKI Jakarta": WIB,
    "Jawa Barat": WIB, "Banten": WIB, "Jawa Tengah": WIB, "DI Yogyakarta": WIB,
    "Jawa Timur": WIB, "Kalimantan Barat": WIB, "Kalimantan Tengah": WIB,
    "Bali": WITA, "Nusa Tenggara Barat": WITA, "Nusa Tenggara Timur": WITA,
    "Kalimantan Selatan": WITA, "Kalimantan Timur": WITA, "Kalimantan Utara": WITA,
    "Sulawesi Utara": WITA, "Gorontalo": WITA, "Sulawesi Tengah": WITA, "Sulawesi Barat": WITA,
    "Sulawesi Selatan": WITA, "Sulawesi Tenggara": WITA,
    "Maluku": WIT, "Maluku Utara": WIT, "Papua": WIT, "Papua Barat": WIT,
    "Papua Barat Daya": WIT, "Papua Selatan": WIT, "Papua Tengah": WIT, "Papua Pegunungan": WIT,
}  # fmt: skip

# How people commonly write them.
_ALIASES = {
    "jakarta": "DKI Jakarta", "dki": "DKI Jakarta", "jogja": "DI Yogyakarta",
    "yogya": "DI Yogyakarta", "yogyakarta": "DI Yogyakarta", "diy": "DI Yogyakarta",
    "jabar": "Jawa Barat", "jateng": "Jawa Tengah", "jatim": "Jawa Timur",
    "sumut": "Sumatera Utara", "sumbar": "Sumatera Barat", "sumsel": "Sumatera Selatan",
    "kepri": "Kepulauan Riau", "babel": "Kepulauan Bangka Belitung",
    "bangka belitung": "Kepulauan Bangka Belitung", "ntb": "Nusa Tenggara Barat",
    "ntt": "Nusa Tenggara Timur", "kalbar": "Kalimantan Barat", "kalteng": "Kalimantan Tengah",
    "kalsel": "Kalimantan Selatan", "kaltim": "Kalimantan Timur", "kaltara": "Kalimantan Utara",
    "sulut": "Sulawesi Utara", "sulteng": "Sulawesi Tengah", "sulbar": "Sulawesi Barat",
    "sulsel": "Sulawesi Selatan", "sultra": "Sulawesi Tenggara", "malut": "Maluku Utara",
    "papbar": "Papua Barat", "nad": "Aceh",
}  # fmt: skip


@dataclass(frozen=True)
class Province:
    name: str
    timezone: str

    @property
    def zone_label(self) -> str:
        return TIMEZONES[self.timezone]


def _key(text: str) -> str:
    text = re.sub(r"[^a-z ]", " ", text.lower())
    text = re.sub(r"\b(provinsi|prov|propinsi|daerah istimewa)\b", " ", text)
    return " ".join(text.split())


_BY_KEY = {_key(name): name for name in _PROVINCES} | _ALIASES


def province(name: str) -> Province:
    return Province(name, _PROVINCES[name])


def all_provinces() -> list[Province]:
    return [Province(name, tz) for name, tz in _PROVINCES.items()]


def find_province(typed: str) -> Province | None:
    """The province named exactly (any case, with or without "Provinsi") or by a common alias."""
    name = _BY_KEY.get(_key(typed))
    return province(name) if name else None


def suggest_provinces(typed: str, limit: int = 3) -> list[Province]:
    """Provinces a person probably meant when the name was misspelt, best first."""
    key = _key(typed)
    if not key:
        return []
    close = difflib.get_close_matches(key, list(_BY_KEY), n=limit * 2, cutoff=0.6)
    names = list(dict.fromkeys(_BY_KEY[k] for k in close))[:limit]
    return [province(name) for name in names]


def timezone_for(province_name: str) -> str:
    return _PROVINCES.get(province_name, WIB)


@dataclass(frozen=True)
class Area:
    """A village and the administrative levels above it."""

    province: str
    regency: str
    district: str
    village: str
    id: int | None = None

    @property
    def timezone(self) -> str:
        return timezone_for(self.province)
