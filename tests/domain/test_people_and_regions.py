import pytest

from domain import regions
from domain.commands import COMMANDS, commands_for, public_commands
from domain.invites import deep_link, looks_like_code, new_code
from domain.people import InvalidInput, Role, clean_name, display_phone, normalise_phone
from domain.regions import WIB, WIT, WITA


@pytest.mark.parametrize(
    "raw",
    ["081234567890", "6281234567890", "+62 812-3456-7890", "0812 3456 7890", "(0812) 3456.7890"],
)
def test_phone_numbers_normalise_to_e164(raw):
    assert normalise_phone(raw) == "+6281234567890"


def test_digits_of_other_scripts_read_as_their_value_and_superscripts_do_not_count():
    assert normalise_phone("+62 812 ٣٤٥٦ ٧٨٩٠") == "+6281234567890"
    with pytest.raises(InvalidInput):
        normalise_phone("²²²²²²²²²²")


@pytest.mark.parametrize("raw", ["", "12345", "halo", "+1234567890123456"])
def test_phone_numbers_that_are_not(raw):
    with pytest.raises(InvalidInput):
        normalise_phone(raw)


def test_phone_numbers_are_shown_as_people_write_them():
    assert display_phone("+6281234567890") == "0812-3456-7890"
    assert display_phone("+15551234567") == "+15551234567"  # not Indonesian: as stored


def test_names_are_trimmed_and_checked():
    assert clean_name("  Budi   Santoso ") == "Budi Santoso"
    assert clean_name("I Ketut Arsana") == "I Ketut Arsana"
    assert clean_name("Siti Nur'aini") == "Siti Nur'aini"
    assert clean_name("budi santoso") == "Budi Santoso"  # typed in small letters
    assert clean_name("I Gusti ngurah") == "I Gusti ngurah"  # as the person wrote it
    for bad in ["", "B", "123", "/start", "x" * 61]:
        with pytest.raises(InvalidInput):
            clean_name(bad)


def test_every_province_has_one_of_the_three_zones():
    provinces = regions.provinces()
    assert len(provinces) == 38
    assert {regions.timezone_for(p.code) for p in provinces} == {WIB, WITA, WIT}
    by_name = {p.name: regions.timezone_for(p.code) for p in provinces}
    assert by_name["Bali"] == by_name["Kalimantan Selatan"] == by_name["Kalimantan Utara"] == WITA
    assert by_name["Kalimantan Barat"] == by_name["DI Yogyakarta"] == WIB
    assert by_name["Papua Pegunungan"] == WIT


@pytest.mark.parametrize(
    ("typed", "level", "within", "code"),
    [
        ("jatim", regions.PROVINCE, None, "35"),
        ("Provinsi Jawa Tengah", regions.PROVINCE, None, "33"),
        ("JOGJA", regions.PROVINCE, None, "34"),
        ("kab klaten", regions.REGENCY, "33", "33.10"),
        ("Klaten", regions.REGENCY, "33", "33.10"),
        ("kota bandung", regions.REGENCY, "32", "32.73"),
        ("Kec. Ceper", regions.DISTRICT, "33.10", "33.10.11"),
        ("desa kujon", regions.VILLAGE, "33.10.11", "33.10.11.2004"),
    ],
)
def test_places_named_exactly_or_by_alias(typed, level, within, code):
    assert regions.exact_match(typed, level, within).code == code


def test_typos_and_shared_names_give_candidates_not_a_guess():
    assert regions.exact_match("cepper", regions.DISTRICT, "33.10") is None
    assert regions.search("cepper", regions.DISTRICT, "33.10")[0].code == "33.10.11"
    assert regions.search("jawa tenga", regions.PROVINCE)[0].name == "Jawa Tengah"
    # Kabupaten and Kota Bandung share the name: both offered, neither taken
    assert regions.exact_match("bandung", regions.REGENCY, "32") is None
    assert {"32.04", "32.73"} <= {r.code for r in regions.search("bandung", regions.REGENCY, "32")}
    # a village that does not exist in Kec. Ceper
    assert regions.search("Sukamaju", regions.VILLAGE, "33.10.11") == []
    assert regions.search("xyz", regions.PROVINCE) == []


def test_codes_name_their_place_and_forged_codes_name_nothing():
    place = regions.place("33.10.11.2004")
    assert (place.village, place.district, place.regency, place.province) == (
        "Kujon",
        "Ceper",
        "Kabupaten Klaten",
        "Jawa Tengah",
    )
    assert place.timezone == WIB
    for forged in ["33.10.11.9999", "²", "٣٣", "33.10.11.2004x", "99999999999999999999999", ""]:
        assert regions.region(forged) is None
    assert regions.find_code("Jawa Tengah", "Klaten", "Ceper", "Kujon") == "33.10.11.2004"
    assert regions.find_code("Jawa Tengah", "Klaten", "Ceper", "Sukamaju") is None


def test_commands_by_role():
    assert [c.name for c in public_commands()] == ["start", "help", "cancel"]
    assert "invite" in [c.name for c in commands_for(frozenset({Role.ADMIN}))]
    assert "invite" not in [c.name for c in commands_for(frozenset({Role.FARMER, Role.MEMBER}))]
    assert "settings" in [c.name for c in commands_for(frozenset({Role.FARMER}))]
    assert "settings" not in [c.name for c in commands_for(frozenset())]
    assert len({c.name for c in COMMANDS}) == len(COMMANDS)


def test_invite_codes_fit_a_deep_link():
    code = new_code()
    assert looks_like_code(code) and len(code) <= 64
    assert deep_link("kopbot", code) == f"https://t.me/kopbot?start={code}"
    assert not looks_like_code("") and not looks_like_code("bad code!")
