"""Announcements of a hub to the officers of its village cooperatives (issue 18): the area
as people type it (a Kemendagri code prefix, or "semua" for the whole network) and the
text's bounds."""

from __future__ import annotations

import unicodedata

from domain import regions
from domain.people import InvalidInput

MAX_TEXT = 1000  # an announcement fits one Telegram message with its heading
EVERYWHERE = ""
_ALL_WORDS = frozenset({"semua", "all", "seluruh", "semua wilayah", "everywhere", "*"})


def parse_area(text: str) -> str:
    """``33.10`` (Kab. Klaten), ``33.10.11`` (Kec. Ceper), ``semua`` (''): a known region's
    code, else InvalidInput("announcement.area")."""
    cleaned = " ".join(unicodedata.normalize("NFKC", text or "").lower().split())
    if cleaned in _ALL_WORDS:
        return EVERYWHERE
    if regions.region(cleaned) is None:
        raise InvalidInput("announcement.area")
    return cleaned


def parse_text(text: str) -> str:
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    if len(cleaned) < 3:
        raise InvalidInput("announcement.short")
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput("announcement.long")
    return cleaned
