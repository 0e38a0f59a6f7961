"""Translations (Babel gettext catalogs) and locale-aware formatting.

The language of the person being served is held per update in a ContextVar, so
``_("…")`` anywhere in a handler speaks their language; jobs that write to many people
wrap each message in ``use_locale(person.language)``.
"""

from __future__ import annotations

import contextvars
import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from domain import money
from domain.people import DEFAULT_LANGUAGE, LANGUAGES
from domain.regions import TIMEZONES

DOMAIN = "messages"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=DEFAULT_LANGUAGE)
_catalogs: dict[str, Translations] = {}


class CatalogMissing(RuntimeError):
    """A language the bot speaks has no catalog: refuse to start rather than speak msgids."""


def _compile(po_path: Path) -> Translations:
    # The .po file is the source of truth; compiling it here means a stale or missing
    # .mo can never make the bot speak an older text. Fuzzy entries are left out.
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=po_path.parent.parent.name, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def load_catalogs(directory: Path = LOCALES_DIR) -> dict[str, Translations]:
    """Load every language's catalog once; raise CatalogMissing if one is absent."""
    loaded = {}
    for language in LANGUAGES:
        po_path = directory / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po_path.is_file():
            raise CatalogMissing(f"no translation catalog for '{language}' at {po_path}")
        loaded[language] = _compile(po_path)
    _catalogs.clear()
    _catalogs.update(loaded)
    return loaded


def _translations() -> Translations:
    if not _catalogs:
        load_catalogs()
    return _catalogs[_current.get()]


def current_language() -> str:
    return _current.get()


def set_language(language: str) -> None:
    """Speak ``language`` for the rest of this update (this task's context)."""
    _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def use_locale(language: str) -> Iterator[None]:
    token = _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    return _translations().gettext(message)


def gettext(message: str) -> str:
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations().ngettext(singular, plural, n)


# --- formatting --------------------------------------------------------------------------


@functools.cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@functools.cache
def _number_pattern(pattern: str) -> numbers.NumberPattern:
    return numbers.parse_pattern(pattern)


def format_number(value: int | float | Decimal) -> str:
    return _number(value, _current.get())


@functools.lru_cache(maxsize=4096)
def _number(value: int | float | Decimal, language: str) -> str:
    # ``numbers.format_decimal`` without parsing the locale and the pattern again; the same
    # quantities come back in every summary and alert, and equal numbers (2, 2.0,
    # Decimal("2.000")) are written alike by this pattern, so they may share an entry
    return _number_pattern("#,##0.###").apply(value, _locale(language))


def format_money(rupiah: int) -> str:
    """Whole rupiah the Indonesian way, ``Rp6.500`` (CLDR would add ``,00``)."""
    return money.rupiah(rupiah, _group_symbol(_current.get()))


@functools.cache
def _group_symbol(language: str) -> str:
    return numbers.get_group_symbol(_locale(language))


# Every unit goes through ngettext: "1 egg", "2 eggs" in English, "butir" either way.
UNITS = {
    "kg": lambda n: ngettext("kg", "kg", n),
    "kuintal": lambda n: ngettext("quintal", "quintals", n),
    "ton": lambda n: ngettext("ton", "tons", n),
    "ekor": lambda n: ngettext("head", "head", n),
    "butir": lambda n: ngettext("egg", "eggs", n),
    "ons": lambda n: ngettext("ons (100 g)", "ons (100 g)", n),
    "liter": lambda n: ngettext("litre", "litres", n),
    "rak": lambda n: ngettext("tray of eggs", "trays of eggs", n),
}


def unit_name(unit: str) -> str:
    """The unit as in "Rp6.500 per kg": its singular name in the person's language."""
    return UNITS[unit](1)


def format_quantity(value: int | float | Decimal, unit: str) -> str:
    """``1.500 kg``, ``2 ekor``, ``1 egg``: the number in the person's writing, then the unit."""
    count = int(value) if value == int(value) else 2  # a fraction reads as plural
    return f"{format_number(value)} {UNITS[unit](count)}"


def _zone(timezone: str | tzinfo) -> tzinfo:
    return ZoneInfo(timezone) if isinstance(timezone, str) else timezone


def format_date(value: date | datetime, timezone: str = "Asia/Jakarta") -> str:
    """``Rabu, 3 Desember 2025`` in the person's zone."""
    if isinstance(value, datetime):
        value = value.astimezone(_zone(timezone)).date()
    return _long_date(value, _current.get())


@functools.lru_cache(maxsize=1024)
def _long_date(day: date, language: str) -> str:
    # the /jual day buttons write the same week's days again at every question
    return dates.format_date(day, "EEEE, d MMMM y", locale=_locale(language))


def format_month(year: int, month: int) -> str:
    """``November 2025``."""
    return dates.format_date(date(year, month, 1), "MMMM y", locale=_locale(_current.get()))


def format_short_date(value: date | datetime, timezone: str = "Asia/Jakarta") -> str:
    """``3 Nov 2025`` (lists and statements, where the weekday would crowd the line)."""
    if isinstance(value, datetime):
        value = value.astimezone(_zone(timezone)).date()
    return dates.format_date(value, "d MMM y", locale=_locale(_current.get()))


def format_time(value: datetime, timezone: str = "Asia/Jakarta") -> str:
    """``06.00 WIB`` (Indonesian) or ``06:00 WIB``: the clock where the person lives, with
    the zone people say."""
    local = value.astimezone(_zone(timezone))
    label = TIMEZONES.get(timezone, local.tzname() or "")
    pattern = "HH.mm" if _current.get() == "id" else "HH:mm"
    return f"{dates.format_time(local, pattern, locale=_locale(_current.get()))} {label}".strip()
