"""Offtake's pure rules: the produce catalog and matching typed names, quantities as
Indonesians write them, money in whole rupiah, offer numbers and the offer status machine."""

from decimal import Decimal

import pytest

from domain import offers
from domain.money import parse_rupiah
from domain.offers import (
    ACTIONS,
    ALPHABET,
    FINAL,
    STATUS_LABELS,
    SYSTEM_ACTOR,
    Action,
    Actor,
    OfferActionRefused,
    OfferFacts,
    Status,
    allowed,
    next_status,
    offer_id,
    offer_number,
)
from domain.people import InvalidInput, Role
from domain.produce import CATALOG, COMMODITIES, KINDS, MEASURES, NO_GRADE, match_key
from domain.quantity import (
    PRICE_REASONS,
    REASONS,
    Quantity,
    QuantityRefused,
    amount_rupiah,
    numeral,
    parse_quantity,
    price_per_unit,
    reason_fields,
)

D = Decimal
GABAH, SAPI, TELUR, CABAI = (
    CATALOG["gabah"],
    CATALOG["sapi"],
    CATALOG["telur"],
    CATALOG["cabai_merah"],
)

# --- the catalog ------------------------------------------------------------------------


def test_the_catalog_covers_crops_plantations_and_livestock_with_stable_codes():
    codes = {c.code for c in COMMODITIES}
    assert {
        "gabah", "beras", "jagung", "cabai_merah", "cabai_rawit", "bawang_merah", "kopi", "kakao",
        "sawit_tbs", "karet", "telur", "ayam", "sapi", "kambing", "ikan",
    } <= codes  # fmt: skip
    assert len(codes) == len(COMMODITIES)
    assert {c.kind for c in COMMODITIES} == set(KINDS)


@pytest.mark.parametrize("commodity", COMMODITIES, ids=lambda c: c.code)
def test_every_commodity_is_complete_and_consistent(commodity):
    assert commodity.units[0].code == commodity.base_unit and commodity.units[0].factor == 1
    assert len({u.code for u in commodity.units}) == len(commodity.units)
    assert all(u.factor > 0 for u in commodity.units)
    assert commodity.grades and len({g.code for g in commodity.grades}) == len(commodity.grades)
    assert (NO_GRADE in {g.code for g in commodity.grades}) == (not commodity.graded)
    assert 0 < commodity.example < commodity.max_per_offer
    assert all(alias == match_key(alias) for alias in commodity.aliases)
    assert all(alias == match_key(alias) for g in commodity.grades for alias in g.aliases)
    assert all(lim.measure in MEASURES for g in commodity.grades for lim in g.limits)
    assert commodity.name_en and commodity.name_id


def test_units_have_their_factor_to_the_base_unit():
    assert {u.code: u.factor for u in GABAH.units} == {"kg": 1, "kuintal": 100, "ton": 1000}
    assert CABAI.unit("ons").factor == D("0.1")
    assert TELUR.base_unit == "butir" and TELUR.unit("rak").factor == 30
    assert SAPI.base_unit == "ekor" and SAPI.unit("kg") is None
    assert CATALOG["susu"].base_unit == "liter"


def test_grades_carry_their_criteria():
    gkp, gkg = GABAH.grade("GKP"), GABAH.grade("GKG")
    assert {lim.measure: lim.high for lim in gkp.limits} == {
        "moisture_pct": 25,
        "empty_grain_pct": 10,
    }
    assert {lim.measure: lim.high for lim in gkg.limits} == {
        "moisture_pct": 14,
        "empty_grain_pct": 3,
    }
    assert [g.code for g in CATALOG["kopi"].grades] == ["A", "B", "C"]
    assert [g.code for g in CATALOG["bawang_merah"].grades] == ["A", "B", "C"]
    assert [g.code for g in CATALOG["karet"].grades] == [NO_GRADE]
    assert not CATALOG["karet"].graded and GABAH.graded
    # what was measured gives the best grade whose limits hold
    assert GABAH.grade_for({"moisture_pct": D("13.5"), "empty_grain_pct": D("2")}).code == "GKG"
    assert GABAH.grade_for({"moisture_pct": D("22"), "empty_grain_pct": D("8")}).code == "GKP"
    assert GABAH.grade_for({"moisture_pct": D("27"), "empty_grain_pct": D("8")}) is None
    assert GABAH.grade_for({"moisture_pct": D("12")}) is None  # empty grain not measured
    # livestock by live weight; at a boundary the bigger class
    assert SAPI.grade_for({"live_weight_kg": D("420")}).code == "besar"
    assert SAPI.grade_for({"live_weight_kg": D("400")}).code == "besar"
    assert SAPI.grade_for({"live_weight_kg": D("300")}).code == "sedang"
    assert SAPI.grade_for({"live_weight_kg": D("180")}).code == "kecil"


@pytest.mark.parametrize(
    ("typed", "commodity", "grade"),
    [
        ("Cabai Merah", "cabai_merah", None),
        ("cabe merah", "cabai_merah", None),
        ("cabe rawit", "cabai_rawit", None),
        ("CABE RAWIT", "cabai_rawit", None),
        ("gabah kering giling", "gabah", "GKG"),
        ("GKP", "gabah", "GKP"),
        ("gabah gkg", "gabah", "GKG"),
        ("padi", "gabah", None),
        ("coklat", "kakao", None),
        ("Kelapa Sawit", "sawit_tbs", None),
        ("TBS", "sawit_tbs", None),
        ("telor", "telur", None),
        ("ayam kampung", "ayam", None),
        ("beras premium", "beras", "premium"),
        ("Red chilli", "cabai_merah", None),
        ("bird's eye chilli", "cabai_rawit", None),
        ("  Kopi  ", "kopi", None),
    ],
)
def test_typed_names_matched_exactly_or_by_alias(typed, commodity, grade):
    match = CATALOG.exact(typed)
    assert match.commodity.code == commodity
    assert (match.grade.code if match.grade else None) == grade
    assert [m.commodity.code for m in CATALOG.search(typed)] == [commodity]


def test_a_shared_word_offers_every_commodity_it_names_not_a_guess():
    assert CATALOG.exact("cabe") is None
    assert [m.commodity.code for m in CATALOG.search("cabe")] == ["cabai_merah", "cabai_rawit"]
    assert [m.commodity.code for m in CATALOG.search("cabai")] == ["cabai_merah", "cabai_rawit"]
    assert [m.commodity.code for m in CATALOG.search("chilli")] == ["cabai_merah", "cabai_rawit"]


@pytest.mark.parametrize(
    ("typed", "commodity"),
    [
        ("jagumg", "jagung"),
        ("bawang merh", "bawang_merah"),
        ("kambign", "kambing"),
        ("kopii", "kopi"),
        ("kak", "kakao"),
    ],
)
def test_typos_and_beginnings_give_candidates(typed, commodity):
    assert CATALOG.exact(typed) is None
    assert CATALOG.search(typed)[0].commodity.code == commodity


@pytest.mark.parametrize("typed", ["", "x", "xyz", "motor", "12345"])
def test_nonsense_names_no_produce(typed):
    assert CATALOG.search(typed) == []
    assert CATALOG.exact(typed) is None


# --- quantities -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value", "unit", "amount"),
    [
        ("1.500", "1500", "kg", "1500"),
        ("1,5", "1.5", "kg", "1.5"),
        ("1,5 ton", "1500", "ton", "1.5"),
        ("2 kuintal", "200", "kuintal", "2"),
        ("200kg", "200", "kg", "200"),
        ("1.500 kg", "1500", "kg", "1500"),
        ("setengah ton", "500", "ton", "0.5"),
        ("seperempat kuintal", "25", "kuintal", "0.25"),
        ("satu ton", "1000", "ton", "1"),
        ("dua kuintal", "200", "kuintal", "2"),
        ("6,5 rb", "6500", "kg", "6500"),
        ("6,5rb kg", "6500", "kg", "6500"),
        ("1.5 ton", "1500", "ton", "1.5"),
        ("1.25 ton", "1250", "ton", "1.25"),
        ("1,5ton", "1500", "ton", "1.5"),
        ("0.500 ton", "500", "ton", "0.5"),  # 0 cannot begin thousands: a decimal point
        ("1.500,5 kg", "1500.5", "kg", "1500.5"),
        ("1,500.5 kg", "1500.5", "kg", "1500.5"),
        ("10.000", "10000", "kg", "10000"),
        ("100.000 kg", "100000", "kg", "100000"),  # exactly the ceiling
        ("2,5 kw", "250", "kuintal", "2.5"),
        ("3 kwintal", "300", "kuintal", "3"),
        ("2 Ton", "2000", "ton", "2"),
        ("500 kilo", "500", "kg", "500"),
        ("2 ton gabah", "2000", "ton", "2"),
        ("1.500 kg gabah kering", "1500", "kg", "1500"),
        ("gabah 2 ton", "2000", "ton", "2"),
        ("sekitar 2 ton", "2000", "ton", "2"),
        ("kira-kira 300 kg", "300", "kg", "300"),
        ("dua ratus lima puluh kg", "250", "kg", "250"),
        ("seribu lima ratus", "1500", "kg", "1500"),
        ("dua belas kuintal", "1200", "kuintal", "12"),
        ("sebelas ton", "11000", "ton", "11"),
        ("tiga perempat ton", "750", "ton", "0.75"),
        ("dua setengah kuintal", "250", "kuintal", "2.5"),
        ("satu setengah ton", "1500", "ton", "1.5"),
        ("1/2 ton", "500", "ton", "0.5"),
        ("½ ton", "500", "ton", "0.5"),
        ("12 ribu", "12000", "kg", "12000"),
        ("200 kg.", "200", "kg", "200"),
        ("200 Kg,", "200", "kg", "200"),
        ("200 kg gkp", "200", "kg", "200"),
        ("0,0004 ton", "0.4", "ton", "0.0004"),
    ],
)
def test_quantities_as_indonesians_write_them(typed, value, unit, amount):
    assert parse_quantity(typed, GABAH) == Quantity(D(value), unit, D(amount))


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1.500", "1500"),
        ("1,5", "1.5"),
        ("1,500", "1.5"),
        ("1.5", "1.5"),
        ("1.50", "1.5"),
        ("0.500", "0.5"),
        ("1234.500", "1234.5"),
        ("1.5000", "1.5"),
        ("1.500.000", "1500000"),
        ("1,500,000", "1500000"),
        ("1.500,25", "1500.25"),
        ("1,500.25", "1500.25"),
        ("007", "7"),
    ],
)
def test_the_rule_for_dots_and_commas(written, value):
    assert numeral(written) == D(value)


@pytest.mark.parametrize(
    "written", ["1.50.000", "1,50,000", "0.500.000", "1.500,000.5", "1,5,", ".5", "1..5", "1.2.3"]
)
def test_numbers_that_follow_no_rule(written):
    assert numeral(written) is None


def test_counted_produce_and_other_units():
    assert parse_quantity("12 ekor sapi", SAPI) == Quantity(D(12), "ekor", D(12))
    assert parse_quantity("2", SAPI) == Quantity(D(2), "ekor", D(2))
    assert parse_quantity("2 rak", TELUR) == Quantity(D(60), "rak", D(2))
    assert parse_quantity("300 butir telur", TELUR) == Quantity(D(300), "butir", D(300))
    assert parse_quantity("cabe 2 ons", CABAI) == Quantity(D("0.2"), "ons", D(2))
    assert parse_quantity("20 liter", CATALOG["susu"]).value == 20


def test_weights_keep_grams_rounded_half_up():
    assert parse_quantity("1,2345 kg", GABAH).value == D("1.235")
    assert parse_quantity("1,2344 kg", GABAH).value == D("1.234")


@pytest.mark.parametrize(
    ("typed", "commodity", "reason"),
    [
        ("0", GABAH, "quantity.zero"),
        ("0 kg", GABAH, "quantity.zero"),
        ("nol", GABAH, "quantity.zero"),
        ("0,0001 kg", GABAH, "quantity.zero"),  # less than a gram
        ("-5", GABAH, "quantity.negative"),
        ("- 5 kg", GABAH, "quantity.negative"),
        ("minus 5", GABAH, "quantity.negative"),
        ("−200 kg", GABAH, "quantity.negative"),
        ("100.001 kg", GABAH, "quantity.too_big"),
        ("1.500.000", GABAH, "quantity.too_big"),
        ("200 ton", GABAH, "quantity.too_big"),
        ("101 ekor", SAPI, "quantity.too_big"),
        ("5 ekor", GABAH, "quantity.unit"),
        ("1 ons", GABAH, "quantity.unit"),
        ("2 kg", SAPI, "quantity.unit"),
        ("1 kg", TELUR, "quantity.unit"),
        ("5 karung", GABAH, "quantity.unit"),  # a word for a unit the bot does not know
        ("1,5 ekor", SAPI, "quantity.fraction"),
        ("setengah", SAPI, "quantity.fraction"),
        ("1/4 rak", TELUR, "quantity.fraction"),  # 7,5 eggs
        ("", GABAH, "quantity.unreadable"),
        ("halo", GABAH, "quantity.unreadable"),
        ("kg", GABAH, "quantity.unreadable"),
        ("banyak sekali", GABAH, "quantity.unreadable"),
        ("1.5.0", GABAH, "quantity.unreadable"),
        ("1.50.000", GABAH, "quantity.unreadable"),
        ("1,50,000", GABAH, "quantity.unreadable"),
        ("2 3", GABAH, "quantity.unreadable"),
        ("dua tiga", GABAH, "quantity.unreadable"),
        ("ton 2", GABAH, "quantity.unreadable"),
        ("200 kg 300", GABAH, "quantity.unreadable"),
        ("1/3 ton", GABAH, "quantity.unreadable"),
        ("sepertiga", GABAH, "quantity.unreadable"),
    ],
)
def test_quantities_refused_with_a_reason(typed, commodity, reason):
    with pytest.raises(QuantityRefused) as refused:
        parse_quantity(typed, commodity)
    assert refused.value.reason == reason
    assert isinstance(refused.value, InvalidInput)
    assert refused.value.commodity is commodity


def test_every_refusal_reason_has_a_text_with_known_placeholders():
    import re
    import string

    raised = {
        "quantity.zero", "quantity.negative", "quantity.too_big", "quantity.unit",
        "quantity.unreadable", "quantity.fraction",
    }  # fmt: skip
    assert set(REASONS) == raised
    fields = reason_fields(GABAH)
    assert fields == {
        "commodity": "Unhusked rice",
        "unit": "kg",
        "example": 500,
        "maximum": 100_000,
    }
    for text in REASONS.values():
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        assert names <= set(fields)
        assert "example" in names  # every answer says what to type
        assert not re.search(r";", text)


# --- money ------------------------------------------------------------------------------


def test_amounts_are_whole_rupiah_rounded_half_up():
    assert amount_rupiah(6500, D(1500)) == 9_750_000
    assert amount_rupiah(6500, D("12.345")) == 80_243  # 80.242,5 → up
    assert amount_rupiah(6500, D("12.3449")) == 80_242  # 80.241,85 → 80.242
    assert amount_rupiah(3, D("0.5")) == 2  # 1,5 → 2
    assert amount_rupiah(1, D("0.499")) == 0
    assert amount_rupiah(200, D(3)) == 600
    assert isinstance(amount_rupiah(6500, D("1.5")), int)
    with pytest.raises(TypeError):
        amount_rupiah(6500.0, D(1))
    with pytest.raises(TypeError):
        amount_rupiah(6500, 1.5)


def test_a_price_per_base_unit_said_per_other_units():
    assert price_per_unit(6500, GABAH.unit("kuintal")) == 650_000
    assert price_per_unit(6500, GABAH.unit("ton")) == 6_500_000
    assert price_per_unit(45_005, CABAI.unit("ons")) == 4501  # 4.500,5 → up
    assert price_per_unit(2000, TELUR.unit("rak")) == 60_000


@pytest.mark.parametrize(
    ("typed", "rupiah"),
    [
        ("6500", 6500),
        ("6.500", 6500),
        ("enam", 6),
        ("Rp6.500", 6500),
        ("Rp 6.500,-", 6500),
        ("rp6.500,00", 6500),
        ("6,5 rb", 6500),
        ("6,5rb", 6500),
        ("enam ribu lima ratus", 6500),
        ("Rp12.000", 12000),
        ("1.250.000", 1_250_000),
    ],
)
def test_prices_as_administrators_type_them(typed, rupiah):
    assert parse_rupiah(typed) == rupiah


@pytest.mark.parametrize("typed", ["", "0", "-6500", "6,5", "Rp", "gratis", "6.500,5", "6 500"])
def test_prices_that_are_not_whole_rupiah(typed):
    with pytest.raises(InvalidInput) as refused:
        parse_rupiah(typed)
    assert refused.value.reason == "price.amount"
    assert "price.amount" in PRICE_REASONS


# --- offer numbers ----------------------------------------------------------------------


def test_offer_numbers_round_trip_and_are_short():
    for n in [*range(1, 5000), 29_790, 29_791, 923_520, 923_521, 10**9]:
        number = offer_number(n)
        assert offer_id(number) == n
        assert number.startswith("TW-")
    assert len(offer_number(1)) == len("TW-7K3P")
    assert len(offer_number(29_790)) == 7 and len(offer_number(29_791)) == 8


def test_offer_numbers_use_no_ambiguous_characters():
    assert not set(ALPHABET) & set("0O1IL")
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    for n in range(1, 3000):
        assert not set(offer_number(n)[3:]) & set("0O1IL")


def test_consecutive_offers_do_not_look_alike():
    a, b = offer_number(100)[3:], offer_number(101)[3:]
    assert sum(x != y for x, y in zip(a, b, strict=True)) >= 2


def test_offer_numbers_are_read_forgivingly():
    number = offer_number(42)
    code = number[3:]
    for typed in (
        number,
        number.lower(),
        f"tw {code}",
        code,
        code.lower(),
        f"TW{code}",
        f" {code[:2]} {code[2:]} ",
    ):
        assert offer_id(typed) == 42, typed


def test_a_misheard_offer_number_names_no_offer():
    code = offer_number(4242)[3:]
    for i in range(len(code)):  # every single wrong character
        for ch in ALPHABET:
            if ch != code[i]:
                assert offer_id(code[:i] + ch + code[i + 1 :]) is None
    for i in range(len(code) - 1):  # neighbours swapped
        if code[i] != code[i + 1]:
            assert offer_id(code[:i] + code[i + 1] + code[i] + code[i + 2 :]) is None
    for typed in ("", "TW-", "TW-0042", "TW-OOOO", "TW-1I1L", "TW-7K3", "halo", None):
        assert offer_id(typed) is None


@pytest.mark.parametrize("bad", [0, -1, True, 1.0, "42"])
def test_offer_numbers_need_a_positive_id(bad):
    with pytest.raises(ValueError):
        offer_number(bad)


# --- the status machine -----------------------------------------------------------------

FARMER, OTHER_FARMER, COORD, OTHER_COORD, TREASURER, ADMIN = 1, 2, 10, 11, 20, 30


def _farmer(pid=FARMER):
    return Actor(pid, frozenset({Role.FARMER}))


def _coordinator(pid=COORD, covers=True):
    return Actor(pid, frozenset({Role.COORDINATOR}), covers_village=covers)


def _offer(status, taker=None, entered_by=None):
    return OfferFacts(Status(status), FARMER, taker, entered_by)


def test_the_happy_path():
    offer = _offer("open")
    assert next_status(offer, Action.TAKE, _coordinator()) is Status.TAKEN
    assert next_status(_offer("taken", COORD), Action.SCHEDULE, _coordinator()) is Status.SCHEDULED
    assert (
        next_status(_offer("scheduled", COORD), Action.RESCHEDULE, _coordinator())
        is Status.SCHEDULED
    )
    assert (
        next_status(_offer("scheduled", COORD), Action.CONFIRM, _coordinator()) is Status.PICKED_UP
    )
    assert next_status(_offer("picked_up", COORD), Action.PAY, _coordinator()) is Status.PAID
    treasurer = Actor(TREASURER, frozenset({Role.TREASURER}), same_cooperative=True)
    assert next_status(_offer("picked_up", COORD), Action.PAY, treasurer) is Status.PAID
    assert next_status(offer, Action.CANCEL, _farmer()) is Status.CANCELLED
    assert next_status(offer, Action.EXPIRE, SYSTEM_ACTOR) is Status.EXPIRED


def test_an_offer_entered_for_a_farmer_without_telegram_is_cancelled_by_who_entered_it():
    offer = _offer("open", entered_by=COORD)
    assert next_status(offer, Action.CANCEL, _coordinator(covers=False)) is Status.CANCELLED
    assert not allowed(offer, Action.CANCEL, _coordinator(OTHER_COORD))


@pytest.mark.parametrize(
    ("status", "action", "actor", "reason"),
    [
        # a farmer cancels only their own open offer
        ("taken", Action.CANCEL, _farmer(), "offer.status"),
        ("scheduled", Action.CANCEL, _farmer(), "offer.status"),
        ("open", Action.CANCEL, _farmer(OTHER_FARMER), "offer.not_allowed"),
        ("open", Action.CANCEL, _coordinator(), "offer.not_allowed"),
        # a farmer cannot take, schedule, confirm or pay
        ("open", Action.TAKE, _farmer(), "offer.not_allowed"),
        ("taken", Action.SCHEDULE, _farmer(), "offer.not_allowed"),
        ("scheduled", Action.CONFIRM, _farmer(), "offer.not_allowed"),
        ("picked_up", Action.PAY, _farmer(), "offer.not_allowed"),
        # a coordinator takes only in their coverage, only an open offer
        ("open", Action.TAKE, _coordinator(covers=False), "offer.not_allowed"),
        ("taken", Action.TAKE, _coordinator(OTHER_COORD), "offer.already_taken"),
        ("scheduled", Action.TAKE, _coordinator(OTHER_COORD), "offer.already_taken"),
        ("cancelled", Action.TAKE, _coordinator(), "offer.status"),
        ("expired", Action.TAKE, _coordinator(), "offer.status"),
        # only the taker schedules, confirms; in order
        ("taken", Action.SCHEDULE, _coordinator(OTHER_COORD), "offer.not_allowed"),
        ("scheduled", Action.CONFIRM, _coordinator(OTHER_COORD), "offer.not_allowed"),
        ("taken", Action.CONFIRM, _coordinator(), "offer.status"),
        ("open", Action.SCHEDULE, _coordinator(), "offer.not_allowed"),  # nobody took it
        ("picked_up", Action.SCHEDULE, _coordinator(), "offer.status"),
        # paid once, by the taker or a treasurer of the cooperative
        ("scheduled", Action.PAY, _coordinator(), "offer.status"),
        ("paid", Action.PAY, _coordinator(), "offer.status"),
        (
            "picked_up",
            Action.PAY,
            Actor(TREASURER, frozenset({Role.TREASURER})),
            "offer.not_allowed",
        ),
        ("picked_up", Action.PAY, _coordinator(OTHER_COORD), "offer.not_allowed"),
        # only the bot expires, only open offers
        ("open", Action.EXPIRE, _coordinator(), "offer.not_allowed"),
        ("taken", Action.EXPIRE, SYSTEM_ACTOR, "offer.status"),
        ("open", Action.TAKE, SYSTEM_ACTOR, "offer.not_allowed"),
    ],
)
def test_forbidden_transitions(status, action, actor, reason):
    offer = _offer(status, taker=COORD if status not in ("open", "cancelled", "expired") else None)
    with pytest.raises(OfferActionRefused) as refused:
        next_status(offer, action, actor)
    assert refused.value.reason == reason
    assert refused.value.status is offer.status
    assert not allowed(offer, action, actor)


def test_an_administrator_never_takes_but_assigns_in_their_cooperative():
    admin = Actor(ADMIN, frozenset({Role.ADMIN}), covers_village=True, same_cooperative=True)
    assert not allowed(_offer("open"), Action.TAKE, admin)
    assert next_status(_offer("open"), Action.ASSIGN, admin) is Status.TAKEN
    assert not allowed(_offer("open"), Action.ASSIGN, Actor(ADMIN, frozenset({Role.ADMIN})))


def test_final_statuses_allow_nothing_and_every_status_is_labelled():
    everyone = [
        _farmer(),
        _coordinator(),
        SYSTEM_ACTOR,
        Actor(TREASURER, frozenset({Role.TREASURER}), same_cooperative=True),
    ]
    for status in FINAL:
        for action in Action:
            assert not any(allowed(_offer(status, COORD), action, who) for who in everyone)
    assert set(STATUS_LABELS) == set(Status)
    reachable = {Status.OPEN} | {rule.to for rule in ACTIONS.values()}
    assert reachable == set(Status)
    assert set(offers.REASONS) == {
        "offer.not_allowed", "offer.already_taken", "offer.status", "offer.own",
        "offer.disputed", "offer.held",
    }  # fmt: skip


# --- any text at all --------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = st.sampled_from(
    ["1", "5", "00", "1.500", "1,5", ".", ",", "-", " ", "kg", "ton", "ekor", "rb", "setengah", "dua",
     "belas", "ratus", "ribu", "juta", "perempat", "/", "½", "gabah", "x", "9" * 30, "\n", "sekitar"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.lists(_PIECES, max_size=8).map("".join),
        st.lists(_PIECES, max_size=8).map(" ".join),
    )
)
def test_any_text_is_a_quantity_or_a_reason(text):
    for commodity in (GABAH, SAPI):
        try:
            quantity = parse_quantity(text, commodity)
        except QuantityRefused as refused:
            assert refused.reason in REASONS
        else:
            assert 0 < quantity.value <= commodity.max_per_offer
            assert (
                quantity.value == quantity.amount * commodity.unit(quantity.unit).factor
                or not commodity.counted
            )


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=100_000))
def test_whole_kilograms_written_with_dots_read_back(n):
    written = f"{n:,}".replace(",", ".")  # 1.500, 100.000: as Indonesians group thousands
    assert parse_quantity(written, GABAH).value == n
    assert parse_quantity(f"{written} kg", GABAH).value == n
