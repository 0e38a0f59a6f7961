"""The stock contract other lanes build on (storage.stock): batches oldest first, take with
its cost share (the last kilo takes the rest), give back, not enough stock refused, and
every kilo traced to its pickups."""

from decimal import Decimal

import pytest

from domain import ledger as L
from domain import regions
from domain import stock as rules
from domain.people import Role
from storage import ledger, stock
from storage.db import Database
from storage.migrate import migrate
from storage.people import insert_person

ORG = 1


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


async def _setup(db):
    """A farmer with two picked-up offers of gabah GKP, a second cooperative, and a warehouse
    in each."""
    async with db.transaction() as conn:
        farmer = await insert_person(
            conn, telegram_user_id=501, chat_id=501, full_name="Pak Sarno", phone="+6281200000501",
            language="id", timezone=regions.WIB, org_id=ORG,
        )  # fmt: skip
        cur = await conn.execute(
            "INSERT INTO buying_prices (commodity, grade, price_rupiah, valid_from, set_at)"
            " VALUES ('gabah', 'GKP', 6500, 0, 0) RETURNING id"
        )
        price = (await cur.fetchone())[0]
        offers = []
        for n, kilos in enumerate(("600", "400")):
            cur = await conn.execute(
                "INSERT INTO offers (farmer_id, org_id, village_code, commodity, grade, quantity,"
                " typed_amount, typed_unit, price_id, price_rupiah, guaranteed_until, ready_on,"
                " status, created_at, updated_at) VALUES (?, ?, '33.10.11.2004', 'gabah', 'GKP', ?, ?,"
                " 'kg', ?, 6500, 0, '2026-12-01', 'picked_up', 0, 0) RETURNING id",
                (farmer, ORG, kilos, kilos, price),
            )
            offer = (await cur.fetchone())[0]
            await conn.execute(
                "INSERT INTO pickups (offer_id, coordinator_id, pickup_on, window_start, window_end,"
                " grade, quantity, price_rupiah, amount_rupiah, picked_up_at, scheduled_at)"
                " VALUES (?, ?, '2026-12-01', 8, 10, 'GKP', ?, 6500, ?, ?, 0)",
                (offer, farmer, kilos, 6500 * int(kilos), 1000 + n),
            )
            offers.append(offer)
        cur = await conn.execute(
            "INSERT INTO organisations (name, code, kind, parent_id, created_at) VALUES ('Kop B', 'KOPB', 'coop_primary', 1, 0)"
            " RETURNING id"
        )
        other = (await cur.fetchone())[0]
        warehouses = []
        for org in (ORG, other):
            cur = await conn.execute(
                "INSERT INTO warehouses (org_id, name, village_code, created_at)"
                " VALUES (?, 'Gudang Kujon', '33.10.11.2004', 0) RETURNING id",
                (org,),
            )
            warehouses.append((await cur.fetchone())[0])
    return farmer, offers, warehouses, other


async def _batch(db, warehouse, quantity, cost, at, sources, org=ORG, grade="GKP"):
    async with db.transaction() as conn:
        return await stock.new_batch(
            conn, org_id=org, warehouse_id=warehouse, commodity="gabah", grade=grade,
            quantity=Decimal(quantity), cost_rupiah=cost, origin="pickup", received_at=at,
            sources=sources,
        )  # fmt: skip


async def test_available_oldest_first_only_holding_and_only_this_cooperative(db):
    _, offers, (mine, theirs), other = await _setup(db)
    late = await _batch(db, mine, "400", 2_600_000, 20, {offers[1]: Decimal(400)})
    early = await _batch(db, mine, "600", 3_900_000, 10, {offers[0]: Decimal(600)})
    await _batch(db, mine, "0", 0, 5, {offers[0]: Decimal(1)})  # emptied: not offered
    await _batch(db, mine, "100", 650_000, 1, {offers[0]: Decimal(100)}, grade="GKG")
    await _batch(db, theirs, "900", 1, 1, {offers[0]: Decimal(900)}, org=other)
    found = await stock.available(db, ORG, "gabah", "GKP")
    assert [b.id for b in found] == [early, late]
    assert found[0].quantity == Decimal(600) and found[0].cost_rupiah == 3_900_000
    assert found[0].origin == "pickup" and found[0].parent_batch_id is None
    assert [b.id for b in await stock.available(db, ORG, "gabah", "GKP", warehouse_id=theirs)] == []
    assert [b.id for b in await stock.available(db, other, "gabah", "GKP")] != []


async def test_take_in_parts_gives_away_exactly_the_cost(db):
    _, offers, (mine, _), _ = await _setup(db)
    batch = await _batch(db, mine, "3", 100, 10, {offers[0]: Decimal(3)})
    costs = []
    for _ in range(3):
        costs.append(await db.write(stock.take, batch, Decimal(1)))
    assert costs == [33, 34, 33]  # 100/3 = 33 (half up), 50/2 = 34 (the rest of 67), 33
    assert sum(costs) == 100
    left = await stock.batch(db, batch)
    assert left.quantity == 0 and left.cost_rupiah == 0
    assert await stock.available(db, ORG, "gabah", "GKP") == []


async def test_take_more_than_the_batch_holds_is_refused_and_changes_nothing(db):
    _, offers, (mine, _), _ = await _setup(db)
    batch = await _batch(db, mine, "12.5", 81_250, 10, {offers[0]: Decimal("12.5")})
    with pytest.raises(stock.NotEnoughStock) as refused:
        await db.write(stock.take, batch, Decimal("12.501"))
    assert refused.value.available == Decimal("12.5")
    with pytest.raises(stock.NotEnoughStock):
        await db.write(stock.take, 999_999, Decimal(1))
    with pytest.raises(rules.StockRefused):
        await db.write(stock.take, batch, Decimal(0))
    left = await stock.batch(db, batch)
    assert left.quantity == Decimal("12.5") and left.cost_rupiah == 81_250


async def test_give_back_restores_kilos_and_cost(db):
    _, offers, (mine, _), _ = await _setup(db)
    batch = await _batch(db, mine, "600", 3_900_000, 10, {offers[0]: Decimal(600)})
    cost = await db.write(stock.take, batch, Decimal("250.5"))
    assert cost == 1_628_250
    await db.write(stock.give_back, batch, Decimal("50.5"), 328_250)
    left = await stock.batch(db, batch)
    assert left.quantity == Decimal(400) and left.cost_rupiah == 2_600_000
    assert (await db.fetchone("SELECT quantity FROM stock_batches WHERE id = ?", (batch,)))[
        "quantity"
    ] == "400"


async def test_trace_names_farmers_villages_and_dates(db):
    _, offers, (mine, _), _ = await _setup(db)
    one = await _batch(db, mine, "600", 1, 10, {offers[0]: Decimal(600)})
    both = await _batch(
        db, mine, "350", 1, 20, {offers[0]: Decimal("150.25"), offers[1]: Decimal("200")}
    )
    found = await stock.trace(db, [both, one])
    assert [(s.offer_id, s.quantity) for s in found] == [
        (offers[0], Decimal("750.25")),
        (offers[1], Decimal(200)),
    ]
    first = found[0]
    assert first.farmer_name == "Pak Sarno" and first.village_code == "33.10.11.2004"
    assert first.picked_up_at == 1000 and first.offer_number.startswith("TW-")
    assert await stock.trace(db, []) == []


def test_rules_split_cost_share_yield_and_shrink():
    assert rules.split(Decimal(1), [Decimal(1)] * 3) == [
        Decimal("0.334"), Decimal("0.333"), Decimal("0.333")
    ]  # fmt: skip
    assert sum(rules.split(Decimal("100"), [Decimal(7), Decimal(3)], Decimal(1))) == 100
    assert rules.cost_share(100, Decimal(3), Decimal(3)) == 100
    assert rules.text(Decimal("1500.000")) == "1500" and rules.text(Decimal("0.000")) == "0"
    assert rules.text(Decimal("12.50")) == "12.5"
    assert rules.percent(rules.yield_of(Decimal(1000), Decimal(865))) == Decimal("86.5")
    assert rules.shrink(Decimal(1000), Decimal(985)) == Decimal(15)
    for bad in (lambda: rules.yield_of(Decimal(10), Decimal(11)),
                lambda: rules.yield_of(Decimal(10), Decimal(-1)),
                lambda: rules.shrink(Decimal(10), Decimal(11)),
                lambda: rules.check_reason("  ")):  # fmt: skip
        with pytest.raises(rules.StockRefused):
            bad()


# --- the use cases: arrival, drying, processing, sorting, loss --------------------------

KEEPER = frozenset({Role.KEEPER})
COORD = frozenset({Role.COORDINATOR})


async def _keeper(db, warehouse, n=77, org=ORG):
    async with db.transaction() as conn:
        person = await insert_person(
            conn, telegram_user_id=900 + n, chat_id=900 + n, full_name=f"Penjaga {n}",
            phone=f"+62812000009{n:02d}", language="id", timezone=regions.WIB, org_id=org,
        )  # fmt: skip
        await conn.execute("UPDATE warehouses SET keeper_id = ? WHERE id = ?", (person, warehouse))
    return person


async def _ledger_lines(db, reference):
    return {
        r["account"]: r["amount"]
        for r in await db.fetchall(
            "SELECT a.code AS account, l.amount FROM ledger_lines l"
            " JOIN ledger_accounts a ON a.id = l.account_id"
            " JOIN ledger_entries e ON e.id = l.entry_id WHERE e.reference = ?",
            (reference,),
        )
    }


async def test_arrival_shrink_drying_sorting_loss_cost_and_trace(db):
    farmer, offers, (mine, _), _ = await _setup(db)
    keeper = await _keeper(db, mine)
    # The taker brings both pickups (1.000 kg weighed at the farms), 985 kg at the warehouse.
    arrival = await db.write(stock.arrive, offers, mine, farmer, ORG, COORD, Decimal(985))
    assert arrival.shrink == Decimal(15) and arrival.cost_rupiah == 6_500_000
    assert await _ledger_lines(db, f"stock:arrival:{arrival.batch_id}") == {
        L.inventory(ORG): 6_500_000, L.purchases(ORG): -6_500_000,
    }  # fmt: skip
    assert [(s.offer_id, s.quantity) for s in await stock.trace(db, [arrival.batch_id])] == [
        (offers[0], Decimal(591)), (offers[1], Decimal(394)),
    ]  # fmt: skip
    # Once: a second arrival of the same pickup is refused and writes nothing.
    with pytest.raises(stock.AlreadyArrived):
        await db.write(stock.arrive, [offers[1]], mine, keeper, ORG, KEEPER, None)
    assert len(await stock.available(db, ORG, "gabah", "GKP")) == 1
    assert await stock.on_the_way(db, keeper, ORG, KEEPER) == []

    # Drying 985 kg GKP into 852 kg GKG: rendemen 86,5 %, the cost travels with the kilos.
    dried = await db.write(
        stock.transform, mine, keeper, ORG, KEEPER, rules.MoveKind.DRYING, "gabah", "GKP",
        Decimal(985), "GKG", Decimal(852),
    )  # fmt: skip
    assert rules.percent(dried.yield_fraction) == Decimal("86.5")
    assert dried.cost_rupiah == 6_500_000
    gkg = await stock.available(db, ORG, "gabah", "GKG")
    assert [(b.quantity, b.cost_rupiah, b.origin, b.parent_batch_id) for b in gkg] == [
        (Decimal(852), 6_500_000, "drying", arrival.batch_id)
    ]
    traced = await stock.trace(db, [gkg[0].id])
    assert {s.offer_id for s in traced} == set(offers)
    assert sum(s.quantity for s in traced) == Decimal(852)
    # Sorting 52 kg into GKP again (a poorer grade): kilos split, cost in proportion.
    sorted_ = await db.write(
        stock.transform, mine, keeper, ORG, KEEPER, rules.MoveKind.SORTING, "gabah", "GKG",
        Decimal(52), "GKP",
    )  # fmt: skip
    assert sorted_.quantity_out == Decimal(52) and sorted_.cost_rupiah == 396_714
    # A loss of 10 kg GKG with a reason: its cost written off in the ledger.
    loss = await db.write(
        stock.lose, mine, keeper, ORG, KEEPER, "gabah", "GKG", Decimal(10), "dimakan tikus"
    )
    assert loss.cost_rupiah == 76_291
    assert await _ledger_lines(db, f"stock:loss:{loss.move_id}") == {
        L.losses(ORG): 76_291, L.inventory(ORG): -76_291,
    }  # fmt: skip
    held = {(h.grade, h.quantity, h.cost_rupiah) for h in await stock.on_hand(db, [ORG])}
    assert held == {("GKG", Decimal(790), 6_026_995), ("GKP", Decimal(52), 396_714)}
    # Inventory in the ledger equals the cost still in stock.
    rows = await db.fetchall(
        "SELECT SUM(l.amount) AS n FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id"
        " WHERE a.code = ?",
        (L.inventory(ORG),),
    )
    assert int(rows[0]["n"]) == 6_026_995 + 396_714
    assert await ledger.verify(db) is None


async def test_refusals_write_nothing(db):
    farmer, offers, (mine, theirs), other = await _setup(db)
    keeper = await _keeper(db, mine)
    stranger = await _keeper(db, theirs, n=78, org=other)
    moves = "SELECT COUNT(*) AS n FROM stock_moves"
    # Heavier at the warehouse than at the pickup; another cooperative's warehouse; another
    # keeper's warehouse; a coordinator who did not take the pickup.
    with pytest.raises(rules.StockRefused):
        await db.write(stock.arrive, [offers[0]], mine, farmer, ORG, COORD, Decimal(601))
    with pytest.raises(stock.NotYours):
        await db.write(stock.arrive, [offers[0]], theirs, farmer, ORG, COORD, None)
    with pytest.raises(stock.NotYours):
        await db.write(stock.arrive, [offers[0]], mine, stranger, other, KEEPER, None)
    with pytest.raises(stock.NotYours):
        await db.write(stock.arrive, [offers[0]], mine, keeper, ORG, COORD, None)
    await db.write(stock.arrive, [offers[0]], mine, keeper, ORG, KEEPER, None)
    n = (await db.fetchone(moves))["n"]
    work = (rules.MoveKind.DRYING, "gabah", "GKP")
    with pytest.raises(rules.StockRefused):  # a yield above 100 %
        await db.write(
            stock.transform, mine, keeper, ORG, KEEPER, *work, Decimal(100), "GKG", Decimal(101)
        )
    with pytest.raises(rules.StockRefused):  # a negative yield
        await db.write(
            stock.transform, mine, keeper, ORG, KEEPER, *work, Decimal(100), "GKG", Decimal(-1)
        )
    with pytest.raises(stock.NotEnoughStock) as short:
        await db.write(
            stock.transform, mine, keeper, ORG, KEEPER, *work, Decimal(601), "GKG", Decimal(500)
        )
    assert short.value.available == Decimal(600)
    with pytest.raises(stock.NotYours):  # another keeper's warehouse
        await db.write(
            stock.transform, mine, stranger, other, KEEPER, *work, Decimal(1), "GKG", Decimal(1)
        )
    with pytest.raises(stock.NotYours):  # a coordinator does not keep the warehouse
        await db.write(stock.lose, mine, farmer, ORG, COORD, "gabah", "GKP", Decimal(1), "tumpah")
    with pytest.raises(rules.StockRefused):
        await db.write(stock.lose, mine, keeper, ORG, KEEPER, "gabah", "GKP", Decimal(1), "")
    assert (await db.fetchone(moves))["n"] == n
    assert (await stock.available(db, ORG, "gabah", "GKP"))[0].quantity == Decimal(600)


async def test_processing_gabah_into_beras(db):
    farmer, offers, (mine, _), _ = await _setup(db)
    keeper = await _keeper(db, mine)
    await db.write(stock.arrive, offers, mine, keeper, ORG, KEEPER, None)
    made = await db.write(
        stock.transform, mine, keeper, ORG, KEEPER, rules.MoveKind.PROCESSING, "gabah", "GKP",
        Decimal(1000), "premium", Decimal(630),
    )  # fmt: skip
    assert (made.out_commodity, made.quantity_out, made.cost_rupiah) == ("beras", 630, 6_500_000)
    assert [b.commodity for b in await stock.available(db, ORG, "beras", "premium")] == ["beras"]


def test_cli_warehouse_add_and_list(tmp_path, capsys):
    from bot.cli import main

    path = str(tmp_path / "k.sqlite3")

    async def person():
        async with Database(path) as database:
            await migrate(database)
            async with database.transaction() as conn:
                await insert_person(
                    conn, telegram_user_id=1, chat_id=1, full_name="Bu Tini", phone="+6281234567890",
                    language="id", timezone=regions.WIB, org_id=ORG,
                )  # fmt: skip

    import asyncio

    asyncio.run(person())
    code = asyncio.run(_root_code(path))
    assert main(["--db", path, "warehouse", "add", "--org", code, "--name", "Gudang Kujon",
                 "--village", "33.10.11.2004", "--keeper", "0812-3456-7890"]) == 0  # fmt: skip
    assert "Bu Tini" in capsys.readouterr().out
    assert main(["--db", path, "warehouse", "add", "--org", code, "--name", "Gudang Kujon",
                 "--village", "33.10.11.2004"]) == 2  # fmt: skip
    assert main(["--db", path, "warehouse", "add", "--org", code, "--name", "Gudang X",
                 "--village", "33.10"]) == 2  # fmt: skip
    capsys.readouterr()
    assert main(["--db", path, "warehouse", "list"]) == 0
    out = capsys.readouterr().out
    assert "Gudang Kujon" in out and "keeper: Bu Tini" in out

    async def roles():
        async with Database(path) as database:
            return [r["role"] for r in await database.fetchall("SELECT role FROM person_roles")]

    assert asyncio.run(roles()) == ["keeper"]
    assert main(["--db", path, "warehouse", "keeper", "1", "--phone", "0812-3456-7890"]) == 0
    assert main(["--db", path, "warehouse", "keeper", "9", "--phone", "0812-3456-7890"]) == 2
    assert main(["--db", path, "warehouse", "keeper", "1", "--phone", "0812-0000-0000"]) == 2


async def _root_code(path):
    async with Database(path) as database:
        return (await database.fetchone("SELECT code FROM organisations WHERE id = 1"))["code"]


async def test_dashboard_panel_shows_only_the_viewers_cooperatives(db):
    from storage import dashboard

    farmer, offers, (mine, theirs), other = await _setup(db)
    await db.write(stock.arrive, [offers[0]], mine, farmer, ORG, COORD, Decimal("590.5"))
    await _batch(db, theirs, "900", 1, 1, {offers[1]: Decimal(900)}, org=other)
    scope = dashboard.Scope((ORG,), "id", "Asia/Jakarta", 0)
    assert await dashboard.rows(db, "stock", scope) == [
        {"warehouse": "Gudang Kujon", "commodity": "Gabah", "grade": "GKP", "quantity": 590.5,
         "cost": 3_900_000}
    ]  # fmt: skip
    english = dashboard.Scope((other,), "en", "Asia/Jakarta", 0)
    assert [r["commodity"] for r in await dashboard.rows(db, "stock", english)] == ["Unhusked rice"]
