import pytest

from bot.domain.commands import COMMANDS, commands_for, public_commands
from bot.domain.invites import deep_link, looks_like_code, new_code
from bot.domain.people import InvalidInput, Role, clean_name, clean_place, normalise_phone
from bot.domain.regions import WIB, WIT, WITA, all_provinces, find_province, suggest_provinces


@pytest.mark.parametrize(
    "raw",
    ["081234567890", "6281234567890", "+62 812-3456-7890", "0812 3456 7890", "(0812) 3456.7890"],
)
def test_phone_numbers_normalise_to_e164(raw):
    assert normalise_phone(raw) == "+6281234567890"


@pytest.mark.parametrize("raw", ["", "12345", "halo", "+1234567890123456"])
def test_phone_numbers_that_are_not(raw):
    with pytest.raises(InvalidInput):
        normalise_phone(raw)


def test_names_are_trimmed_and_checked():
    assert clean_name("  Budi   Santoso ") == "Budi Santoso"
    assert clean_name("I Ketut Arsana") == "I Ketut Arsana"
    assert clean_name("Siti Nur'aini") == "Siti Nur'aini"
    for bad in ["", "B", "123", "/start", "x" * 61]:
        with pytest.raises(InvalidInput):
            clean_name(bad)


def test_place_names_capitalised_as_on_signs():
    assert clean_place("sukamaju") == "Sukamaju"
    assert clean_place("kota baru") == "Kota Baru"
    assert clean_place("DKI") == "DKI"


def test_every_province_has_one_of_the_three_zones():
    provinces = all_provinces()
    assert len(provinces) == 38
    zones = {p.timezone for p in provinces}
    assert zones == {WIB, WITA, WIT}
    assert find_province("Bali").timezone == WITA
    assert find_province("Papua Pegunungan").timezone == WIT
    assert find_province("DI Yogyakarta").timezone == WIB


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("jatim", "Jawa Timur"), ("Provinsi Jawa Tengah", "Jawa Tengah"), ("JOGJA", "DI Yogyakarta"), ("ntt", "Nusa Tenggara Timur")],
)
def test_provinces_by_name_or_alias(typed, expected):
    assert find_province(typed).name == expected


def test_misspelt_provinces_get_suggestions():
    assert find_province("jawa tenga") is None
    assert suggest_provinces("jawa tenga")[0].name == "Jawa Tengah"
    assert [p.name for p in suggest_provinces("sulawesi selatn")][0] == "Sulawesi Selatan"
    assert suggest_provinces("xyz") == []


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
