"""prices.series: the buying price in force for a village on every day of a period, the same
version price_in_force picks at the end of each day in the village's zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage import prices
from storage.db import Database
from storage.migrate import migrate

KUJON = "33.10.11.2004"  # Desa Kujon, Kab. Klaten (WIB)
JAYAPURA_VILLAGE = "91.71.01.1001"  # a village in Kota Jayapura (WIT)
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


def _at(day: date, hour: int = 0, zone=WIB) -> int:
    return int(datetime.combine(day, time(hour), zone).timestamp())


async def _set(db, price, area="", since=None, until=None, grade="GKP", kind=prices.BUYING):
    return await db.write(
        prices.set_price, commodity="gabah", grade=grade, area_prefix=area, price_rupiah=price,
        valid_from=since, valid_until=until, source="test", kind=kind,
    )  # fmt: skip


async def test_each_day_gets_the_price_in_force_at_its_end(db):
    d = date(2025, 12, 1)
    await _set(db, 6500, since=_at(d))  # everywhere
    await _set(db, 6700, area="33.10", since=_at(d + timedelta(days=3)))  # Klaten, from day 3
    await _set(db, 6900, area="33.10", since=_at(d + timedelta(days=5), 14))  # 14:00 on day 5
    await _set(
        db, 7500, area=KUJON, since=_at(d + timedelta(days=7)), until=_at(d + timedelta(days=9))
    )
    await _set(db, 9999, grade="GKG", since=_at(d))  # another grade: not in this series
    await _set(db, 8888, since=_at(d), kind=prices.MARKET)  # another kind: neither
    days = await prices.series(
        db, "gabah", "GKP", KUJON, d - timedelta(days=1), d + timedelta(days=10)
    )
    assert [x.day for x in days] == [d + timedelta(days=n) for n in range(-1, 11)]
    assert [x.price_rupiah for x in days] == [
        None, 6500, 6500, 6500, 6700, 6700, 6900, 6900, 7500, 7500, 6900, 6900,
    ]  # fmt: skip
    for x in days:
        end = _at(x.day + timedelta(days=1)) - 1
        in_force = await prices.price_in_force(db, "gabah", "GKP", KUJON, end)
        assert x.price_id == (in_force.id if in_force else None), x


async def test_the_reference_price_beside_it(db):
    d = date(2025, 12, 1)
    await _set(db, 6800, since=_at(d))
    days = await prices.series(
        db, "gabah", "GKP", KUJON, d, d + timedelta(days=2), prices.REFERENCE
    )
    assert [x.price_rupiah for x in days] == [6500, 6500, 6500]  # HPP 2025, seeded


async def test_days_are_the_villages_own(db):
    # A price from 23:00 WIB on 1 Dec starts at 01:00 WIT on 2 Dec: for a village in Papua it
    # is the price of 2 Dec, in Java already that of 1 Dec.
    d = date(2025, 12, 1)
    await _set(db, 6500, since=_at(d - timedelta(days=5)))
    await _set(db, 7000, since=_at(d, 23))  # 23:00 WIB on 1 Dec = 01:00 WIT on 2 Dec
    wib = await prices.series(db, "gabah", "GKP", KUJON, d, d + timedelta(days=1))
    wit = await prices.series(db, "gabah", "GKP", JAYAPURA_VILLAGE, d, d + timedelta(days=1))
    assert [x.price_rupiah for x in wib] == [7000, 7000]
    assert [x.price_rupiah for x in wit] == [6500, 7000]


async def test_an_empty_or_reversed_period(db):
    assert await prices.series(db, "gabah", "GKP", KUJON, date(2025, 1, 2), date(2025, 1, 1)) == []
    days = await prices.series(db, "gabah", "GKP", KUJON, date(2025, 1, 1), date(2025, 1, 30))
    assert len(days) == 30 and {x.price_rupiah for x in days} == {None}


async def test_ninety_days_in_one_query_stay_fast(db):
    start = date(2025, 1, 1)
    for n in range(0, 90, 3):
        await _set(db, 6000 + n, since=_at(start + timedelta(days=n)))
    began = datetime.now(UTC)
    days = await prices.series(db, "gabah", "GKP", KUJON, start, start + timedelta(days=89))
    assert (datetime.now(UTC) - began).total_seconds() < 0.5
    assert [x.price_rupiah for x in days[:7]] == [6000, 6000, 6000, 6003, 6003, 6003, 6006]
