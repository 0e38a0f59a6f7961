"""``koperasi-bot cycle count|pay|invoice`` and ``supplier pay``: the hub records the count for
a cooperative with no phone (more than ordered refused with the figure), the invoice PDF, a
cooperative's transfer (more than owed refused, the same reference twice recorded once) and
its payment to a supplier (never more than owed)."""

from __future__ import annotations

import asyncio
import io
from datetime import date, timedelta

from pypdf import PdfReader

from storage import cycles, orgs
from storage.db import Database
from tests.test_cycles_cli import _setup


def test_count_invoice_and_payments_from_the_command_line(monkeypatch, tmp_path, capsys):
    run = _setup(monkeypatch, tmp_path, capsys)
    closes = date.today() + timedelta(days=5)
    assert run("cycle", "open", "--org", "hub", "--name", "Sembako Desember", "--closes", f"{closes} 17:00",
               "--delivery", str(closes + timedelta(days=4))) == 0  # fmt: skip
    assert run("cycle", "item", "add", "1", "--supplier", "1", "--name", "Beras SPHP 5 kg", "--unit", "karung",
               "--price", "62000", "--fee", "2000", "--stock", "40") == 0  # fmt: skip

    async def order():
        async with Database(str(tmp_path / "k.sqlite3")) as db:
            kujon = (await orgs.by_code(db, "kujon")).id
            await db.write(cycles.place, 1, kujon, {1: 10}, None)

    asyncio.run(order())
    capsys.readouterr()
    assert run("cycle", "count", "--order", "PSN-0001", "--received", "Beras SPHP 5 kg=8") == 2
    assert "cycle is not closed" in capsys.readouterr().err
    assert run("cycle", "close", "1") == 0
    assert run("cycle", "count", "--order", "PSN-0001", "--received", "Beras SPHP 5 kg=12") == 2
    assert "Only 10 were ordered" in capsys.readouterr().err
    assert run("cycle", "count", "--order", "PSN-0001", "--received", "Gula=1") == 2
    assert run("cycle", "count", "--order", "PSN-0001", "--received", "Beras SPHP 5 kg=8") == 0
    out = capsys.readouterr().out
    assert "credited Rp128.000, total Rp512.000" in out and "invoice FKT/" in out
    assert run("cycle", "count", "--order", "PSN-0001") == 0  # a second count: the first's result
    assert "counted before" in capsys.readouterr().out
    assert run("cycle", "invoice", "--order", "PSN-0001", str(tmp_path / "f.pdf")) == 0
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO((tmp_path / "f.pdf").read_bytes())).pages
    )
    assert "Rp512.000" in text and "lima ratus dua belas ribu rupiah" in text.lower()

    assert run("cycle", "pay", "--order", "PSN-0001", "--amount", "600.000", "--ref", "BNI 77") == 2
    assert "more than is owed (Rp512.000)" in capsys.readouterr().err
    assert run("cycle", "pay", "--order", "PSN-0001", "--amount", "200.000", "--ref", "BNI 77") == 0
    assert "still owed Rp312.000" in capsys.readouterr().out
    assert run("cycle", "pay", "--order", "PSN-0001", "--amount", "200.000", "--ref", "BNI 77") == 0
    assert "recorded before" in capsys.readouterr().out
    assert run("cycle", "pay", "--order", "PSN-0001", "--amount", "312.000", "--ref", "BNI 78") == 0
    assert "still owed Rp0" in capsys.readouterr().out

    pay = ("supplier", "pay", "--org", "hub", "--supplier", "Bulog Klaten", "--ref", "BRI 9")
    assert run(*pay, "--amount", "496.001") == 2
    assert "more than is owed (Rp496.000)" in capsys.readouterr().err
    assert run(*pay, "--amount", "496.000") == 0
    assert "still owed Rp0" in capsys.readouterr().out
