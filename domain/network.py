"""The hub's network of village cooperatives (issue 18): which officers a village
cooperative has, where it lies (its kabupaten is the first two parts of its desa code), and
how a long listing is cut into pages."""

from __future__ import annotations

from domain.people import VILLAGE_OFFICERS, Role

VILLAGE_KINDS = ("kdkmp", "kmp")
PAGE_SIZE = 20  # cooperatives or kabupaten per page of /koperasi
# Only a village cooperative has a ketua or a pengelola gerai; the other roles fit any node.
VILLAGE_ONLY_ROLES = frozenset({Role.CHAIR, Role.STORE_MANAGER})
# The order officers are listed in on a cooperative's card.
CARD_ROLES = (*VILLAGE_OFFICERS, Role.ADMIN)


def is_village(kind: str) -> bool:
    return kind in VILLAGE_KINDS


def role_fits(role: Role, kind: str) -> bool:
    """Whether an invite for ``role`` may name an organisation of ``kind``."""
    return role not in VILLAGE_ONLY_ROLES or is_village(kind)


def regency_of(village_code: str) -> str:
    """``33.10.11.2004`` → ``33.10`` (Kab. Klaten)."""
    return ".".join(village_code.split(".")[:2])


def pages(total: int, size: int = PAGE_SIZE) -> int:
    """How many pages ``total`` rows fill (one, empty, for none)."""
    return max(1, -(-total // size))


def clamp_page(page: int, total: int, size: int = PAGE_SIZE) -> int | None:
    """``page`` if it exists for ``total`` rows, else None (a stale or forged button)."""
    return page if 0 <= page < pages(total, size) else None
