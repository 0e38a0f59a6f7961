"""``koperasi-bot loan product add|list``: versions, rates as percent stored in basis points,
a product refused with one line; ``roster add --take-home``."""

from __future__ import annotations

import asyncio

import pytest

from bot.cli import main
from storage import loans
from storage.db import Database


def _run(capsys, db_path, *args):
    code = main(["--db", db_path, *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_products_added_listed_and_versioned(tmp_path, capsys):
    db_path = str(tmp_path / "k.sqlite3")
    add = ["loan", "product", "add", "--org", "pusat", "--code", "umum", "--name", "Pinjaman Umum",
           "--max", "20.000.000", "--tenor", "24", "--rate", "1,25", "--method", "annuity",
           "--fee", "10000", "--fee-percent", "1", "--min-months", "6", "--penalty", "0,5",
           "--share", "30"]  # fmt: skip
    assert _run(capsys, db_path, *add)[0] == 0
    code, out = _run(capsys, db_path, *add[:-2], "--share", "35")
    assert (code, out.strip()) == (0, "pusat: product umum version 2 saved")
    code, out = _run(capsys, db_path, "loan", "product", "list", "--org", "pusat")
    assert (
        "umum v2: Pinjaman Umum, up to Rp20.000.000 over 24 months, 1,25 % a month annuity" in out
    )
    assert "35 % of pay" in out and "v1" not in out
    assert (
        "v1" in _run(capsys, db_path, "loan", "product", "list", "--org", "pusat", "--history")[1]
    )

    async def stored():
        async with Database(db_path) as db:
            return await loans.products(db, 1)

    product = asyncio.run(stored())[0]
    assert (product.rate_bp, product.fee_bp, product.max_share_bp) == (125, 100, 3_500)
    assert product.penalty_bp == 50 and "penalty 0,5 % a month" in out
    retire = ["loan", "product", "retire", "--org", "pusat", "--code", "umum"]
    assert _run(capsys, db_path, *retire) == (0, "pusat: product umum retired (version 3)\n")
    assert asyncio.run(stored()) == []  # no longer offered on /pinjam
    assert (
        "(retired)"
        in _run(capsys, db_path, "loan", "product", "list", "--org", "pusat", "--history")[1]
    )
    code, out = _run(
        capsys, db_path, "loan", "product", "retire", "--org", "pusat", "--code", "lain"
    )
    assert (code, "no loan product 'lain'" in out) == (2, True)


@pytest.mark.parametrize(
    ("changes", "said"),
    [({"--rate": "1,255"}, "a percentage to 0,01 at most"),
     ({"--tenor": "200"}, "the tenor is 1 to 120 months"),
     ({"--org": "nowhere"}, "no organisation with code 'nowhere'")],
)  # fmt: skip
def test_a_product_refused_in_one_line(tmp_path, capsys, changes, said):
    given = {"--org": "pusat", "--code": "umum", "--name": "Umum", "--max": "5000000",
             "--tenor": "12", "--rate": "1", "--method": "flat"} | changes  # fmt: skip
    args = ["loan", "product", "add", *(x for pair in given.items() for x in pair)]
    try:  # a bad percentage is refused by the argument parser itself (exit code 2)
        code, out = _run(capsys, str(tmp_path / "k.sqlite3"), *args)
    except SystemExit as exit_:
        code, out = exit_.code, capsys.readouterr().err
    assert code == 2 and said in out


def test_roster_add_takes_the_take_home_pay(tmp_path, capsys):
    db_path = str(tmp_path / "k.sqlite3")
    code, _ = _run(capsys, db_path, "roster", "add", "--org", "pusat", "--number", "A-1",
                   "--name", "Sri", "--phone", "0813-1111-2222", "--take-home", "4.500.000")  # fmt: skip
    assert code == 0

    async def pay():
        async with Database(db_path) as db:
            row = await db.fetchone("SELECT id FROM roster")
            return await loans.take_home(db, row["id"])

    assert asyncio.run(pay()) == 4_500_000
