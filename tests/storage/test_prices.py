"""The stored catalog and buying prices on a real SQLite file: the seed equals the domain's
catalog, prices are set through validated use cases, and the most specific price in force wins."""

from datetime import UTC, date, datetime

import pytest

from domain import regions
from domain.people import InvalidInput
from domain.produce import CATALOG
from domain.quantity import PRICE_REASONS
from storage import catalog, effects, prices
from storage.db import Database, current_update_id, current_writer
from storage.migrate import applied_versions, migrate
from storage.people import insert_person
from storage.prices import BuyingPrice, PriceImportRefused, RowError
from tests.dbcheck import table_exists

KUJON = "33.10.11.2004"  # Desa Kujon, Kec. Ceper, Kab. Klaten, Jawa Tengah
KAJEN = "33.10.11.2002"  # Desa Kajen, Kec. Ceper
GROGOL = "33.11.01.2001"  # Desa Grogol, Kec. Weru, Kab. Sukoharjo
BALI_VILLAGE = "51.04.01.2001"

JAN, FEB, MAR, APR = (int(datetime(2025, m, 1, tzinfo=UTC).timestamp()) for m in (1, 2, 3, 4))
DAY = 86_400


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


async def _set(
    db,
    price,
    area="",
    *,
    commodity="gabah",
    grade="GKP",
    since=JAN,
    until=None,
    source="test",
    by=None,
):
    return await db.write(
        prices.set_price, commodity=commodity, grade=grade, area_prefix=area, price_rupiah=price,
        valid_from=since, valid_until=until, source=source, set_by=by,
    )  # fmt: skip


async def _price(db, village, at, commodity="gabah", grade="GKP"):
    found = await prices.price_in_force(db, commodity, grade, village, at)
    return found.price_rupiah if found else None


# --- the catalog ------------------------------------------------------------------------


async def test_the_migration_applies_on_a_fresh_database_and_seeds_the_catalog(db):
    assert 4 in await applied_versions(db)
    assert await migrate(db) == []
    for table in (
        "commodities",
        "commodity_units",
        "grades",
        "grade_limits",
        "commodity_aliases",
        "buying_prices",
    ):
        assert await table_exists(db, table)
    assert (await db.fetchone("SELECT COUNT(*) AS n FROM commodities"))["n"] == len(CATALOG)
    assert (await db.fetchone("SELECT COUNT(*) AS n FROM buying_prices WHERE kind = 'buying'"))[
        "n"
    ] == 0


async def test_the_seed_is_the_domain_catalog(db):
    stored = await catalog.load(db)
    assert stored == CATALOG
    # field by field, so a difference reads well when it fails
    for mine, seeded in zip(CATALOG.commodities, stored.commodities, strict=True):
        assert seeded == mine, mine.code
    assert stored["kopi"].grade("A").limits[1].high == CATALOG["kopi"].grade("A").limits[1].high


async def test_an_edited_catalog_is_what_the_bot_reads(db):
    async with db.transaction() as conn:
        await conn.execute("UPDATE commodities SET max_per_offer = 5 WHERE code = 'sapi'")
        await conn.execute("UPDATE commodities SET active = 0 WHERE code = 'karet'")
        await conn.execute(
            "INSERT INTO commodity_aliases (commodity, grade, alias, position) VALUES ('sapi', NULL, 'sapi bali', 99)"
        )
    stored = await catalog.load(db)
    assert stored["sapi"].max_per_offer == 5
    assert stored.get("karet") is None and (await catalog.load(db, include_inactive=True)).get(
        "karet"
    )
    assert stored.exact("Sapi Bali").commodity.code == "sapi"


async def test_the_catalog_reads_inside_a_use_case_too(db):
    async def read(conn):
        return len(await catalog.load(conn))

    assert await db.write(read) == len(CATALOG)


# --- setting a price --------------------------------------------------------------------


async def test_a_price_is_set_with_its_author_and_kept_in_the_audit_log(db):
    async with db.transaction() as conn:
        admin = await insert_person(
            conn, telegram_user_id=7, chat_id=7, full_name="Siti", phone="+6281234567890",
            language="id", timezone=regions.WIB, org_id=1,
        )  # fmt: skip
    price = await _set(db, 6500, "33", by=admin, source="HPP Bapanas 2025")
    assert price == BuyingPrice(
        price.id, "gabah", "GKP", "33", 6500, JAN, None, "HPP Bapanas 2025", admin, price.set_at
    )
    row = await db.fetchone("SELECT * FROM audit_log WHERE action = 'price.set'")
    assert row["actor_id"] == admin and row["subject"] == f"price:{price.id}"
    assert await prices.history(db, "gabah") == [price]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"price": 0}, "price.amount"),
        ({"price": -6500}, "price.amount"),
        ({"price": 6500.0}, "price.amount"),
        ({"price": "6500"}, "price.amount"),
        ({"price": True}, "price.amount"),
        ({"commodity": "durian"}, "price.commodity"),
        ({"grade": "A"}, "price.grade"),  # gabah has GKP and GKG
        ({"grade": "-"}, "price.grade"),
        ({"commodity": "karet", "grade": "A"}, "price.grade"),
        ({"area": "99"}, "price.area"),
        ({"area": "33.99"}, "price.area"),
        ({"area": "33.10."}, "price.area"),
        ({"area": "Klaten"}, "price.area"),
        ({"area": "%"}, "price.area"),
        ({"until": JAN}, "price.dates"),
        ({"until": JAN - DAY}, "price.dates"),
    ],
)
async def test_set_price_refuses_what_is_not_a_price(db, changes, reason):
    args = {
        "price": 6500,
        "area": "33",
        "commodity": "gabah",
        "grade": "GKP",
        "until": None,
    } | changes
    with pytest.raises(InvalidInput) as refused:
        await _set(
            db,
            args["price"],
            args["area"],
            commodity=args["commodity"],
            grade=args["grade"],
            until=args["until"],
        )
    assert refused.value.reason == reason
    assert reason in PRICE_REASONS
    assert (await db.fetchone("SELECT COUNT(*) AS n FROM buying_prices WHERE kind = 'buying'"))[
        "n"
    ] == 0


async def test_every_level_of_place_and_everywhere_are_areas(db):
    for area in ("", "33", "33.10", "33.10.11", KUJON):
        await _set(db, 6500, area)
    await _set(db, 2000, "", commodity="karet", grade="-")


async def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        prices.timestamp(datetime(2025, 1, 1))
    assert prices.timestamp(datetime(2025, 1, 1, tzinfo=UTC)) == JAN


# --- which price is in force --------------------------------------------------------------


async def test_the_most_specific_area_wins(db):
    await _set(db, 6500, "33")  # all of Jawa Tengah
    await _set(db, 6700, "33.10")  # Kab. Klaten
    at = FEB
    assert await _price(db, KUJON, at) == 6700  # in Klaten
    assert await _price(db, GROGOL, at) == 6500  # in Jawa Tengah, not Klaten
    assert await _price(db, BALI_VILLAGE, at) is None  # no price there
    await _set(db, 6800, "33.10.11")  # Kec. Ceper
    await _set(db, 6000, "")  # everywhere
    assert await _price(db, KUJON, at) == 6800
    assert await _price(db, GROGOL, at) == 6500
    assert await _price(db, BALI_VILLAGE, at) == 6000
    await _set(db, 6900, KUJON)  # one village
    assert await _price(db, KUJON, at) == 6900
    assert await _price(db, KAJEN, at) == 6800


async def test_a_prefix_covers_only_whole_code_parts(db):
    with pytest.raises(InvalidInput):
        await _set(db, 7000, "33.1")  # not a code
    await _set(db, 6500, "33.10")
    assert await _price(db, "33.10.11.2004", FEB) == 6500
    assert await _price(db, "33.100.01.2001", FEB) is None  # 33.10 is no prefix of 33.100


async def test_prices_are_per_commodity_and_grade(db):
    await _set(db, 6500, "33", grade="GKP")
    await _set(db, 8000, "33", grade="GKG")
    await _set(db, 45000, "33", commodity="cabai_merah", grade="A")
    assert await _price(db, KUJON, FEB, grade="GKG") == 8000
    assert await _price(db, KUJON, FEB, commodity="cabai_merah", grade="A") == 45000
    assert await _price(db, KUJON, FEB, commodity="cabai_merah", grade="B") is None


async def test_a_price_holds_from_its_start_until_its_end(db):
    await _set(db, 6500, "33", since=FEB, until=MAR)
    assert await _price(db, KUJON, FEB - 1) is None  # not yet
    assert await _price(db, KUJON, FEB) == 6500
    assert await _price(db, KUJON, MAR - 1) == 6500
    assert await _price(db, KUJON, MAR) is None  # expired: the end is exclusive


async def test_an_expired_specific_price_gives_way_to_the_wider_one(db):
    await _set(db, 6500, "33")
    await _set(db, 7000, "33.10", since=JAN, until=FEB)  # a promotion in Klaten, in January
    assert await _price(db, KUJON, JAN + DAY) == 7000
    assert await _price(db, KUJON, FEB + DAY) == 6500


async def test_a_newer_version_supersedes_and_history_is_kept(db):
    first = await _set(db, 6500, "33", since=JAN)
    second = await _set(db, 6800, "33", since=MAR)
    assert await _price(db, KUJON, FEB) == 6500  # before the new version starts
    assert await _price(db, KUJON, MAR) == 6800
    correction = await _set(db, 6750, "33", since=MAR)  # same start, set later: a correction
    assert await _price(db, KUJON, APR) == 6750
    assert await prices.history(db, "gabah", "GKP") == [first, second, correction]
    assert await prices.history(db, "gabah", "GKG") == []


async def test_a_temporary_version_ends_and_the_standing_one_holds_again(db):
    await _set(db, 6500, "33", since=JAN)
    await _set(db, 7000, "33", since=FEB, until=MAR)
    assert await _price(db, KUJON, FEB + DAY) == 7000
    assert await _price(db, KUJON, MAR + DAY) == 6500


async def test_every_price_in_force_for_a_village(db):
    await _set(db, 6500, "33", grade="GKP")
    await _set(db, 6700, "33.10", grade="GKP")
    await _set(db, 8000, "", grade="GKG")
    await _set(db, 9000, "", grade="GKG", since=MAR)
    await _set(db, 45000, "33.11", commodity="cabai_merah", grade="A")
    found = await prices.prices_in_force(db, KUJON, APR)
    assert [(p.commodity, p.grade, p.price_rupiah) for p in found] == [
        ("gabah", "GKG", 9000),
        ("gabah", "GKP", 6700),
    ]
    found = await prices.prices_in_force(db, GROGOL, FEB)
    assert [(p.commodity, p.grade, p.price_rupiah) for p in found] == [
        ("cabai_merah", "A", 45000), ("gabah", "GKG", 8000), ("gabah", "GKP", 6500),
    ]  # fmt: skip
    only = await prices.prices_in_force(db, GROGOL, FEB, commodity="cabai_merah")
    assert [p.price_rupiah for p in only] == [45000]


async def test_a_price_read_inside_a_use_case_sees_its_own_transaction(db):
    async def set_and_read(conn):
        await prices.set_price(
            conn,
            commodity="gabah",
            grade="GKP",
            area_prefix="33",
            price_rupiah=6500,
            valid_from=JAN,
        )
        return await prices.price_in_force(conn, "gabah", "GKP", KUJON, FEB)

    assert (await db.write(set_and_read)).price_rupiah == 6500


async def test_set_price_is_replay_safe_and_its_result_storable(db):
    update, writer = current_update_id.set(77), current_writer.set("test")
    try:
        first = await _set(db, 6500, "33")
        from storage import db as db_module

        db_module._write_seq.set((-1, 0))  # processed again after a crash
        again = await _set(db, 6500, "33")
    finally:
        current_update_id.reset(update)
        current_writer.reset(writer)
    assert again == first
    assert effects.decode(effects.encode(first)) == first
    assert len(await prices.history(db, "gabah")) == 1


# --- days in the area's zone --------------------------------------------------------------


def test_a_day_starts_at_midnight_where_the_area_is():
    assert prices.day_start(date(2025, 1, 1), "33") == JAN - 7 * 3600  # WIB
    assert prices.day_start(date(2025, 1, 1), "51") == JAN - 8 * 3600  # Bali, WITA
    assert prices.day_start(date(2025, 1, 1), "94") == JAN - 9 * 3600  # Papua, WIT
    assert prices.day_start(date(2025, 1, 1)) == JAN - 7 * 3600


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2025-12-31", date(2025, 12, 31)),
        ("31/12/2025", date(2025, 12, 31)),
        ("1-2-2025", date(2025, 2, 1)),
        ("3.12.2025", date(2025, 12, 3)),
    ],
)
def test_days_as_written(typed, day):
    assert prices.parse_day(typed) == day


@pytest.mark.parametrize("typed", ["", "besok", "2025-13-01", "31/02/2025", "12/31/2025"])
def test_days_that_are_not(typed):
    with pytest.raises(InvalidInput):
        prices.parse_day(typed)


# --- importing a price file ---------------------------------------------------------------


def _row(**cells):
    return {
        "commodity": "gabah",
        "grade": "GKP",
        "area": "33",
        "price": "6.500",
        "valid_from": "2025-02-01",
        "valid_until": "",
        "source": "",
    } | cells


async def test_a_price_file_is_imported_whole(db):
    rows = [
        _row(),
        _row(grade="gkg", price="Rp8.000", area="-"),
        _row(
            commodity="Cabai Merah",
            grade="A",
            price="45.000",
            area="33.10",
            valid_until="28/02/2025",
            source="Pasar Klaten",
        ),
        _row(commodity="karet", grade="", price="12000", area=""),  # one grade: none needed
        _row(
            commodity="gabah kering giling", grade="", price="8.200", area="33.10"
        ),  # the name says the grade
    ]
    imported = await db.write(prices.import_prices, rows, source="harga-feb.csv")
    assert [(p.commodity, p.grade, p.area_prefix, p.price_rupiah) for p in imported] == [
        ("gabah", "GKP", "33", 6500), ("gabah", "GKG", "", 8000), ("cabai_merah", "A", "33.10", 45000),
        ("karet", "-", "", 12000), ("gabah", "GKG", "33.10", 8200),
    ]  # fmt: skip
    feb_1_wib = FEB - 7 * 3600
    assert imported[0].valid_from == feb_1_wib and imported[0].valid_until is None
    assert imported[2].valid_until == feb_1_wib + 28 * DAY  # the whole of 28 February, WIB
    assert imported[0].source == "harga-feb.csv" and imported[2].source == "Pasar Klaten"
    assert await _price(db, KUJON, FEB, grade="GKG") == 8200


async def test_one_bad_row_imports_nothing_and_every_bad_cell_is_named(db):
    rows = [
        _row(),
        _row(commodity="durian"),  # line 3
        _row(grade="Z", price="gratis"),  # line 4
        _row(area="33.99", valid_from="besok"),  # line 5
        _row(valid_from="2025-03-01", valid_until="2025-02-01"),  # line 6
        _row(price=""),  # line 7
        _row(),  # line 8: the same price as line 2
        _row(commodity="cabai_merah", grade=""),  # line 9: chillies are graded
    ]
    with pytest.raises(PriceImportRefused) as refused:
        await db.write(prices.import_prices, rows)
    assert refused.value.errors == (
        RowError(3, "commodity", "price.commodity"),
        RowError(4, "grade", "price.grade"),
        RowError(4, "price", "price.amount"),
        RowError(5, "area", "price.area"),
        RowError(5, "valid_from", "price.date"),
        RowError(6, "valid_until", "price.dates"),
        RowError(7, "price", "price.missing"),
        RowError(8, "valid_from", "price.duplicate"),
        RowError(9, "grade", "price.grade"),
    )
    assert {e.reason for e in refused.value.errors} <= set(PRICE_REASONS)
    assert await prices.history(db, "gabah") == []


async def test_a_file_without_a_needed_column_is_refused(db):
    with pytest.raises(PriceImportRefused) as refused:
        await db.write(
            prices.import_prices, [{"Commodity": "gabah", "Grade": "GKP", "Harga": "6500"}]
        )
    assert refused.value.errors == (
        RowError(1, "price", "price.column"),
        RowError(1, "valid_from", "price.column"),
    )


async def test_column_names_are_forgiven_their_case(db):
    rows = [
        {
            "Commodity": "gabah",
            "GRADE": "GKP",
            "Area": "33",
            "Price": "6500",
            "Valid_From": "1/2/2025",
        }
    ]
    imported = await db.write(prices.import_prices, rows)
    assert imported[0].price_rupiah == 6500


async def test_a_price_file_may_carry_hpp_and_market_prices_beside_the_buying_ones(db):
    rows = [
        {"commodity": "gabah", "grade": "GKP", "area": "33", "price": "6.700", "valid_from": "1/3/2026"},
        {"commodity": "gabah", "grade": "GKP", "area": "33", "price": "6.600", "valid_from": "1/3/2026",
         "kind": "HPP", "source": "Perbadan 2026"},
        {"commodity": "gabah", "grade": "GKP", "area": "33", "price": "6.900", "valid_from": "1/3/2026",
         "kind": "pasar", "source": "Pasar Klaten"},
    ]  # fmt: skip
    imported = await db.write(prices.import_prices, rows)
    assert [(p.kind, p.price_rupiah) for p in imported] == [
        ("buying", 6700), ("reference", 6600), ("market", 6900),
    ]  # fmt: skip
    at = datetime(2026, 3, 2, tzinfo=UTC)
    assert (await prices.price_in_force(db, "gabah", "GKP", "33.10", at)).price_rupiah == 6700
    hpp = await prices.price_in_force(db, "gabah", "GKP", "33.10", at, prices.REFERENCE)
    assert (hpp.price_rupiah, hpp.source) == (6600, "Perbadan 2026")
    with pytest.raises(PriceImportRefused) as refused:
        await db.write(prices.import_prices, [{**rows[0], "kind": "grosir"}])
    assert refused.value.errors == (RowError(2, "kind", "price.kind"),)
