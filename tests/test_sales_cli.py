"""Sales from the command line: buyer add/list, sale add (refused beyond stock), deliver with
a rejection and its surat jalan, invoice with its faktur, pay (a second full payment refused),
the bank account printed on the faktur."""

import asyncio
import io
from decimal import Decimal as D

from pypdf import PdfReader

from bot.cli import main
from storage.db import Database
from storage.migrate import migrate
from tests.storage.test_stock import _batch, _setup


def _seed(path):
    async def seed():
        async with Database(path) as db:
            await migrate(db)
            _farmer, offers, warehouses, _other = await _setup(db)
            await _batch(db, warehouses[0], "600", 3_900_000, 100, {offers[0]: D("600")})
            await _batch(db, warehouses[0], "400", 2_600_000, 200, {offers[1]: D("400")})

    asyncio.run(seed())


def _pdf_text(path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


def _cli(monkeypatch, tmp_path, capsys):
    """``koperasi-bot --db …`` on a seeded database: run(*args) → (code, out, err)."""
    monkeypatch.chdir(tmp_path)
    for key in ("TELEGRAM_BOT_TOKEN", "KOPERASI_DB_PATH", "KOPERASI_BOT_USERNAME"):
        monkeypatch.delenv(key, raising=False)
    path = str(tmp_path / "k.sqlite3")
    _seed(path)

    def run(*args):
        code = main(["--db", path, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run, path


def test_a_sale_from_the_command_line(monkeypatch, tmp_path, capsys):
    run, path = _cli(monkeypatch, tmp_path, capsys)

    code, out, _err = run("buyer", "add", "--org", "pusat", "--name", "Bulog Kancab Klaten",
                          "--kind", "bulog", "--phone", "0812-3456-7890", "--terms", "14")  # fmt: skip
    assert code == 0 and out.startswith("buyer 1: Bulog Kancab Klaten (bulog), pays in 14 days")
    assert "0812-3456-7890" in run("buyer", "list", "--org", "pusat")[1]
    assert run("buyer", "add", "--org", "pusat", "--name", "X", "--kind", "bulog")[0] == 2

    sale = ("sale", "add", "--org", "pusat", "--buyer", "1", "--commodity", "gabah", "--grade", "GKP",
            "--price", "8.000", "--until", "2027-01-31", "--place", "Gudang Bulog Ceper")  # fmt: skip
    code, _out, err = run(*sale, "--quantity", "11 kuintal")
    assert code == 2 and "Only 1000 is there" in err
    phone_as_price = [a if a != "8.000" else "081234567890" for a in sale]
    code, _out, err = run(*phone_as_price, "--quantity", "8 kuintal")  # the ceiling, named
    assert code == 2 and "A price per kg is at most Rp1,000,000." in err, err
    code, out, _err = run(*sale, "--quantity", "8 kuintal")
    assert (
        code == 0
        and out.startswith("sale PJ-0001: 800 kg gabah GKP")
        and "lot cost Rp5200000" in out
    )

    assert run("sale", "bank", "--org", "pusat", "BRI 0123-01-000123-30-1")[0] == 0
    note = tmp_path / "sj.pdf"
    code, out, _err = run("sale", "deliver", "PJ-0001", "--org", "pusat", "--sent", "500 kg",
                          "--received", "450", "--reason", "kadar air tinggi", "--pdf", str(note))  # fmt: skip
    assert code == 0 and "sent 500, accepted 450, rejected 50" in out
    assert "Pak Sarno" in _pdf_text(note) and "SURAT JALAN" in _pdf_text(note)
    faktur = tmp_path / "fkt.pdf"
    code, out, _err = run("sale", "invoice", "PJ-0001", "--org", "pusat", "--pdf", str(faktur))
    assert code == 0 and "Rp3600000" in out
    text = _pdf_text(faktur)
    assert "Tiga juta enam ratus ribu rupiah" in text and "BRI 0123-01-000123-30-1" in text
    number = out.split()[1].rstrip(":")
    assert (
        run(
            "sale", "pay", number, "--org", "pusat", "--amount", "3.600.000", "--transfer", "BRI 99"
        )[0]
        == 0
    )
    code, _out, err = run("sale", "pay", number, "--org", "pusat", "--amount", "3.600.000")
    assert code == 2 and "already paid in full" in err
    assert "margin Rp675000" in run("sale", "list", "--org", "pusat")[1]


def test_a_delivery_from_the_command_line_with_the_buyers_readings(monkeypatch, tmp_path, capsys):
    """``--moisture`` and ``--foreign``: refused while gabah has no rafaksi table, required
    once the cooperative adopts one; the cut comes off the invoice line and the faktur says it."""
    run, _path = _cli(monkeypatch, tmp_path, capsys)

    run("buyer", "add", "--org", "pusat", "--name", "Bulog Kancab Klaten", "--kind", "bulog")
    assert run("sale", "add", "--org", "pusat", "--buyer", "1", "--commodity", "gabah", "--grade",
               "GKP", "--price", "8.000", "--until", "2027-01-31", "--place", "Gudang Bulog Ceper",
               "--quantity", "8 kuintal")[0] == 0  # fmt: skip
    deliver = ("sale", "deliver", "PJ-0001", "--org", "pusat", "--sent", "500 kg", "--received",
               "450", "--reason", "kadar air tinggi")  # fmt: skip
    code, _out, err = run(*deliver, "--moisture", "27", "--foreign", "8")
    assert code == 2 and "no rafaksi table in force for gabah" in err
    assert run("rafaksi", "set", "--org", "pusat", "--commodity", "gabah", "--government")[0] == 0
    code, _out, err = run(*deliver)
    assert code == 2 and "give the buyer's readings with --moisture and --foreign" in err
    code, _out, err = run(*deliver, "--moisture", "35", "--foreign", "8")
    assert code == 2 and "Moisture above 30 % is outside the cooperative's table" in err
    code, _out, err = run(*deliver, "--moisture", "basah", "--foreign", "8")
    assert code == 2 and "I could not read that" in err
    code, out, _err = run(*deliver, "--moisture", "27", "--foreign", "8 %")
    assert code == 0 and "moisture 27 %, foreign 8 %: cut Rp425 per kg" in out
    faktur = tmp_path / "fkt.pdf"
    code, out, _err = run("sale", "invoice", "PJ-0001", "--org", "pusat", "--pdf", str(faktur))
    assert code == 0 and "Rp3408750" in out  # 450 kg × (Rp8.000 − Rp425)
    text = _pdf_text(faktur)
    assert "Kadar air 27 %, hampa/kotoran 8 %: potongan Rp425 per kg" in text
    assert "Tiga juta empat ratus delapan ribu tujuh ratus lima puluh rupiah" in text


def test_a_sale_closed_short_from_the_command_line(monkeypatch, tmp_path, capsys):
    """``sale close PJ-0001``: the kilos left in the lot go back to stock, once; another
    cooperative's code finds no such sale; a sale all delivered has nothing to close."""
    run, path = _cli(monkeypatch, tmp_path, capsys)

    run("buyer", "add", "--org", "pusat", "--name", "SPPG Ceper", "--kind", "sppg")
    sale = ("sale", "add", "--org", "pusat", "--buyer", "1", "--commodity", "gabah", "--grade", "GKP",
            "--price", "8.000", "--until", "2027-01-31", "--place", "Dapur SPPG Ceper")  # fmt: skip
    assert run(*sale, "--quantity", "8 kuintal")[0] == 0
    assert run("sale", "deliver", "PJ-0001", "--org", "pusat", "--sent", "500 kg")[0] == 0

    code, _out, err = run("sale", "close", "PJ-0001", "--org", "KOPB")  # not theirs
    assert code == 2 and "cannot find that sale" in err
    code, out, _err = run("sale", "close", "PJ-0001", "--org", "pusat")
    assert code == 0 and out.startswith("sale PJ-0001 closed short: 300 gabah GKP back to stock")
    code, _out, err = run("sale", "close", "PJ-0001", "--org", "pusat")
    assert code == 2 and "closed already" in err
    code, _out, err = run("sale", "deliver", "PJ-0001", "--org", "pusat", "--sent", "10 kg")
    assert code == 2 and "Nothing of this lot is left" in err
    listed = run("sale", "list", "--org", "pusat")[1]
    assert "left 0" in listed and "delivered, closed short" in listed

    async def held():
        async with Database(path) as db:
            rows = await db.fetchall("SELECT quantity FROM stock_batches WHERE org_id = 1")
            return sum(D(r["quantity"]) for r in rows)

    assert asyncio.run(held()) == 1000 - 500  # 800 allocated, 500 delivered, 300 back

    assert run(*sale, "--quantity", "1 kuintal")[0] == 0
    assert run("sale", "deliver", "PJ-0002", "--org", "pusat", "--sent", "100 kg")[0] == 0
    code, _out, err = run("sale", "close", "PJ-0002", "--org", "pusat")
    assert code == 2 and "Every kilo of this sale is delivered" in err
