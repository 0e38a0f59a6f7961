"""Catalogs complete, fresh and consistent; money, quantities and dates formatted the local way."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot import i18n
from bot.i18n import (
    CatalogMissing,
    format_date,
    format_money,
    format_quantity,
    format_time,
    load_catalogs,
    use_locale,
)

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def _read(path):
    with path.open("rb") as fh:
        return read_po(fh)


def _msgids_in_code() -> set[str]:
    found = set()
    for package in ("domain", "bot", "handlers", "storage"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")]
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_template_is_fresh():
    pot = {
        m.id if isinstance(m.id, str) else m.id[0] for m in _read(LOCALES / "messages.pot") if m.id
    }
    assert _msgids_in_code() == pot, "run: pybabel extract (see README, Translations)"


@pytest.mark.parametrize("language", ["id", "en"])
def test_catalog_is_complete_not_fuzzy_and_keeps_placeholders(language):
    catalog = _read(LOCALES / language / "LC_MESSAGES" / "messages.po")
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert _msgids_in_code() <= ids, "strings missing from the catalog"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        ids_ = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {message.id!r}"
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) == sorted(PLACEHOLDER.findall(ids_[0])), (
                message.id
            )


def test_missing_catalog_stops_start_up(tmp_path):
    (tmp_path / "en" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "en" / "LC_MESSAGES" / "messages.po").write_text("")
    with pytest.raises(CatalogMissing, match="'id'"):
        load_catalogs(tmp_path)
    load_catalogs()


def test_texts_follow_the_locale():
    with use_locale("id"):
        assert i18n._("What is your full name?") == "Siapa nama lengkap Anda?"
    with use_locale("en"):
        assert i18n._("What is your full name?") == "What is your full name?"


@pytest.mark.parametrize(
    ("language", "amount", "text"),
    [
        ("id", 6500, "Rp6.500"),
        ("id", 1250000, "Rp1.250.000"),
        ("id", 0, "Rp0"),
        ("id", -200, "-Rp200"),
        ("en", 6500, "Rp6,500"),
    ],
)
def test_money_is_whole_rupiah(language, amount, text):
    with use_locale(language):
        assert format_money(amount) == text


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        format_money(6500.0)


def test_quantities_with_units():
    with use_locale("id"):
        assert format_quantity(1500, "kg") == "1.500 kg"
        assert format_quantity(1.5, "ton") == "1,5 ton"
        assert format_quantity(2, "ekor") == "2 ekor"
    with use_locale("en"):
        assert format_quantity(2, "ekor") == "2 head"
        assert (format_quantity(1, "butir"), format_quantity(300, "butir")) == ("1 egg", "300 eggs")
    with use_locale("id"):
        assert (format_quantity(1, "butir"), format_quantity(1500, "kg")) == ("1 butir", "1.500 kg")


def test_dates_and_times_in_the_persons_zone():
    with use_locale("id"):
        assert format_date(date(2025, 12, 3)) == "Rabu, 3 Desember 2025"
        late_evening_utc = datetime(2025, 12, 2, 23, 30, tzinfo=UTC)
        assert format_date(late_evening_utc, "Asia/Jakarta") == "Rabu, 3 Desember 2025"
        assert (
            format_time(datetime(2025, 12, 2, 23, 0, tzinfo=UTC), "Asia/Jayapura") == "08.00 WIT"
        )  # a dot in Indonesian
    with use_locale("en"):
        assert format_time(datetime(2025, 12, 2, 23, 0, tzinfo=UTC), "Asia/Jayapura") == "08:00 WIT"
    with use_locale("en"):
        assert format_date(date(2025, 12, 3)) == "Wednesday, 3 December 2025"
