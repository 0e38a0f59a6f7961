"""People, roles and the rules of registering them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from domain import N_


class Role(StrEnum):
    FARMER = "farmer"
    MEMBER = "member"
    COORDINATOR = "coordinator"
    TREASURER = "treasurer"
    ADMIN = "admin"
    KEEPER = "keeper"  # penjaga gudang: keeps one or more warehouses of the cooperative
    # Officers of a village cooperative (KDKMP/KMP) beside its bendahara (TREASURER).
    CHAIR = "chair"  # ketua
    STORE_MANAGER = "store_manager"  # pengelola gerai: runs the cooperative's shop


ROLE_LABELS = {
    Role.FARMER: N_("farmer"),
    Role.MEMBER: N_("member"),
    Role.COORDINATOR: N_("coordinator"),
    Role.TREASURER: N_("treasurer"),
    Role.ADMIN: N_("administrator"),
    Role.KEEPER: N_("warehouse keeper"),
    Role.CHAIR: N_("chair"),
    Role.STORE_MANAGER: N_("store manager"),
}

# What people may type for a role (English and Indonesian).
ROLE_WORDS = {
    "farmer": Role.FARMER, "petani": Role.FARMER, "member": Role.MEMBER, "anggota": Role.MEMBER,
    "coordinator": Role.COORDINATOR, "koordinator": Role.COORDINATOR,
    "treasurer": Role.TREASURER, "bendahara": Role.TREASURER,
    "admin": Role.ADMIN, "administrator": Role.ADMIN, "pengurus": Role.ADMIN,
    "keeper": Role.KEEPER, "penjaga": Role.KEEPER, "penjaga gudang": Role.KEEPER,
    "chair": Role.CHAIR, "ketua": Role.CHAIR,
    "store_manager": Role.STORE_MANAGER, "pengelola": Role.STORE_MANAGER,
    "pengelola gerai": Role.STORE_MANAGER, "pengelola_gerai": Role.STORE_MANAGER, "gerai": Role.STORE_MANAGER,
}  # fmt: skip

# Roles given through an invite link; farmers and members register themselves.
STAFF_ROLES = frozenset(
    {Role.COORDINATOR, Role.TREASURER, Role.ADMIN, Role.KEEPER, Role.CHAIR, Role.STORE_MANAGER}
)
# A village cooperative's officers: ketua, bendahara, pengelola gerai.
VILLAGE_OFFICERS = (Role.CHAIR, Role.TREASURER, Role.STORE_MANAGER)

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
# Each language named in itself, so a person finds theirs whatever the bot speaks now.
LANGUAGE_LABELS = {"id": "Bahasa Indonesia", "en": "English"}


@dataclass(frozen=True)
class Person:
    id: int
    full_name: str
    language: str
    timezone: str
    org_id: int
    telegram_user_id: int | None = None
    chat_id: int | None = None
    phone: str | None = None
    area_id: int | None = None  # a place typed before village codes (see needs_village)
    village_code: str | None = None
    reachable: bool = True
    roles: frozenset[Role] = field(default_factory=frozenset)

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)

    @property
    def needs_village(self) -> bool:
        """A farmer whose place was typed before codes and could not be matched for sure."""
        return self.village_code is None and (self.area_id is not None or Role.FARMER in self.roles)


class InvalidInput(ValueError):
    """Input a person typed that the bot cannot accept; ``reason`` is a msgid."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise_phone(raw: str) -> str:
    """``0812-3456-7890``, ``62812…`` or ``+62 812…`` → ``+6281234567890`` (E.164)."""
    # Any script's decimal digits read as their value ("٣" is 3); everything else goes.
    digits = "".join(str(unicodedata.decimal(ch)) for ch in raw or "" if ch.isdecimal())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    if not 8 <= len(digits) <= 15:
        raise InvalidInput("phone")
    return "+" + digits


def display_phone(e164: str) -> str:
    """``+6281234567890`` → ``0812-3456-7890``, as people write it; other numbers as stored."""
    from lokal import parse_phone  # here: importing lokal compiles ~200 patterns (0.4 s)

    parsed = parse_phone(e164 or "")
    return parsed.national if parsed.valid and parsed.national else (e164 or "")


_SPACES = re.compile(r"\s+")
_NAME_CHARS = re.compile(r"^[^\W\d_][\w .,'’()/-]*$")


def clean_name(raw: str, *, max_length: int = 60) -> str:
    """A person's name as typed: trimmed, single-spaced, letters first; typed all in small
    letters ("budi santoso"), it is capitalised as on an ID card."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", raw or "")).strip()
    if len(text) < 2 or len(text) > max_length or not _NAME_CHARS.match(text):
        raise InvalidInput("name")
    return (
        " ".join(word[:1].upper() + word[1:] for word in text.split(" "))
        if text.islower()
        else text
    )


def short_text(raw: str, *, low: int, high: int, reason: str) -> str:
    """A few words typed (a reason, a source): spaces tidied, ``low`` to ``high`` characters,
    else InvalidInput(``reason``)."""
    cleaned = " ".join((raw or "").split())
    if not low <= len(cleaned) <= high:
        raise InvalidInput(reason)
    return cleaned
