"""``koperasi-bot supplier`` and ``koperasi-bot cycle``: a hub's suppliers, a cycle opened with
its items, refusals in one line, two cooperatives' orders, the close (once), the purchase
order as XLSX and PDF read back line by line, the delivery plan grouped by kecamatan."""

from __future__ import annotations

import asyncio
import io
from datetime import date, timedelta

import openpyxl
from pypdf import PdfReader

from storage import cycles, orgs
from storage.db import Database
from tests.test_config_and_cli import _cli

KUJON, POKAK, JOMBONG = "33.10.11.2004", "33.10.11.2005", "33.09.03.2002"  # Jombong: Kab. Boyolali


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def _setup(monkeypatch, tmp_path, capsys):
    run = lambda *args: _cli(monkeypatch, tmp_path, *args)  # noqa: E731
    assert (
        run(
            "org", "add", "hub", "Koperasi Hub Jateng", "--kind", "coop_secondary", "--covers", "33"
        )
        == 0
    )
    for code, village in (("kujon", KUJON), ("pokak", POKAK), ("jombong", JOMBONG)):
        assert run("org", "add", code, f"KDKMP {code.title()}", "--kind", "kdkmp", "--parent", "hub", "--village", village) == 0  # fmt: skip
    assert run("supplier", "add", "--org", "hub", "Bulog Klaten", "--phone", "0811-0000-0001", "--contact", "Pak Joko") == 0  # fmt: skip
    assert run("supplier", "add", "--org", "hub", "Pupuk Kaltim Solo") == 0
    capsys.readouterr()
    return run


def test_a_cycle_from_opening_to_its_papers(monkeypatch, tmp_path, capsys):
    run = _setup(monkeypatch, tmp_path, capsys)
    assert run("supplier", "add", "--org", "hub", "Bulog Klaten") == 2
    assert "already" in capsys.readouterr().err
    assert run("supplier", "list", "--org", "hub") == 0
    assert capsys.readouterr().out.splitlines() == [
        "1\tBulog Klaten\t0811-0000-0001\tPak Joko",
        "2\tPupuk Kaltim Solo\t-\t-",
    ]
    closes = date.today() + timedelta(days=5)
    opened = ("cycle", "open", "--org", "hub", "--name", "Sembako Desember", "--closes", f"{closes} 17:00",
              "--delivery", str(closes + timedelta(days=4)), "--minimum", "500.000")  # fmt: skip
    for change, said in (
        (("--closes", "2020-01-01 17:00"), "The close must be after now"),
        (("--closes", "besok"), "The close must be after now"),
        (("--delivery", str(closes)), "delivery day must be after the close"),
        (("--minimum", "2000000000"), "minimum order"),
        (("--name", "x"), "3 to 60 letters"),
    ):
        args = list(opened)
        args[args.index(change[0]) + 1] = change[1]
        assert run(*args) == 2, change
        assert said in capsys.readouterr().err, change
    assert run(*opened) == 0
    assert capsys.readouterr().out.startswith(
        "cycle SP-0001 (1) open for hub: Sembako Desember, closes"
    )
    items = (
        ("Bulog Klaten", "Beras SPHP 5 kg", "karung", "62.000", "2000", "40"),
        ("1", "Minyak goreng 1 L", "liter", "15000", "500", "500"),
        ("pupuk kaltim solo", "Pupuk NPK 50 kg", "sak", "180000", "5000", "100"),
    )
    for supplier, name, unit, price, fee, stock in items:
        assert run("cycle", "item", "add", "1", "--supplier", supplier, "--name", name, "--unit", unit,
                   "--price", price, "--fee", fee, "--stock", stock) == 0  # fmt: skip
    capsys.readouterr()
    for change, said in (
        (("--unit", "ton"), "karung, sak"), (("--price", "20 juta"), "at most Rp10.000.000"),
        (("--supplier", "Toko"), "no supplier 'Toko'"), (("--name", "Beras SPHP 5 kg"), "already"),
    ):  # fmt: skip
        args = ["cycle", "item", "add", "1", "--supplier", "1", "--name", "Gula 1 kg", "--unit", "kg",
                "--price", "17000", "--stock", "10"]  # fmt: skip
        args[args.index(change[0]) + 1] = change[1]
        assert run(*args) == 2, change
        assert said in capsys.readouterr().err, change

    async def order():
        async with Database(str(tmp_path / "k.sqlite3")) as db:
            ids = {c: (await orgs.by_code(db, c)).id for c in ("kujon", "pokak", "jombong")}
            await db.write(cycles.place, 1, ids["kujon"], {1: 10, 3: 2}, None)
            await db.write(cycles.place, 1, ids["jombong"], {1: 5, 2: 24}, None)
            await db.write(cycles.place, 1, ids["pokak"], {3: 4}, None)
            await db.write(cycles.cancel, 1, ids["pokak"], None)

    asyncio.run(order())
    assert run("cycle", "show", "1") == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[0] == f"SP-0001\tSembako Desember\topen\tdelivery {closes + timedelta(days=4)}"
    assert [line.split("\t")[2] + " " + line.split("\t")[6] for line in shown[1:]] == [
        "Beras SPHP 5 kg ordered 15/40",
        "Minyak goreng 1 L ordered 24/500",
        "Pupuk NPK 50 kg ordered 2/100",
    ]
    assert run("cycle", "close", "1") == 0
    assert run("cycle", "close", "1") == 2 and "closed already" in capsys.readouterr().err
    assert run("cycle", "list", "--org", "hub") == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("SP-0001\tclosed\tSembako Desember")

    # the purchase order of Bulog, as XLSX and PDF, line by line
    assert run("cycle", "po", "1", "--supplier", "Bulog Klaten", str(tmp_path / "po.xlsx")) == 0
    assert "2 items, Rp1.290.000" in capsys.readouterr().out
    rows = [
        r for r in openpyxl.load_workbook(tmp_path / "po.xlsx").active.iter_rows(values_only=True)
    ]
    header = rows.index(("No.", "Barang", "Satuan", "Jumlah", "Harga per satuan", "Total"))
    assert rows[header + 1 :] == [
        (1, "Beras SPHP 5 kg", "karung", 15, 62_000, 930_000),
        (2, "Minyak goreng 1 L", "liter", 24, 15_000, 360_000),
        (None, "Total", None, None, None, 1_290_000),
    ]
    assert ("Pemasok", "Bulog Klaten (Pak Joko)", None, None, None, None) in rows
    assert run("cycle", "po", "1", "--supplier", "1", str(tmp_path / "po.pdf")) == 0
    text = _pdf_text(tmp_path / "po.pdf")
    assert "Pesanan pembelian SP-0001-1" in text and "Koperasi Hub Jateng" in text
    for piece in ("15 karung", "Rp62.000", "Rp930.000", "24 liter", "Rp360.000", "Rp1.290.000",
                  "satu juta dua ratus sembilan puluh ribu rupiah"):  # fmt: skip
        assert piece in text, piece
    assert "Rp64.000" not in text  # the supplier's price, never with the hub's fee

    # the delivery plan: Boyolali's kecamatan before Klaten's, the cancelled order left out
    assert run("cycle", "plan", "1", str(tmp_path / "plan.xlsx")) == 0
    assert "4 lines" in capsys.readouterr().out
    rows = list(openpyxl.load_workbook(tmp_path / "plan.xlsx").active.iter_rows(values_only=True))
    lines = rows[5:]
    assert [(r[0], r[4], r[6], r[8], r[9]) for r in lines] == [
        ("33.09.03", "KDKMP Jombong", "Beras SPHP 5 kg", 5, 320_000),
        ("33.09.03", "KDKMP Jombong", "Minyak goreng 1 L", 24, 372_000),
        ("33.10.11", "KDKMP Kujon", "Beras SPHP 5 kg", 10, 640_000),
        ("33.10.11", "KDKMP Kujon", "Pupuk NPK 50 kg", 2, 370_000),
    ]
    assert lines[2][1] == "Kec. Ceper, Kab. Klaten" and lines[2][2] == "Kujon"
    assert run("cycle", "plan", "1", str(tmp_path / "plan.pdf"), "--language", "en") == 0
    text = _pdf_text(tmp_path / "plan.pdf")
    assert (
        "Delivery plan SP-0001" in text and "Kec. Ceper, Kab. Klaten" in text and "10 sacks" in text
    )
    assert run("cycle", "plan", "1", str(tmp_path / "plan.csv")) == 2
    assert run("cycle", "show", "9") == 2 and "no cycle 9" in capsys.readouterr().err
