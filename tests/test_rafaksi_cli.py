"""``koperasi-bot rafaksi``: a cooperative adopts the government's GKP table, sets its own
from a day on, stops it; malformed tables are refused with one line and exit code 2."""

from __future__ import annotations

import asyncio

from bot.cli import main
from storage import rafaksi
from storage.db import Database


def _cli(monkeypatch, db_path, *args):
    for key in ("TELEGRAM_BOT_TOKEN", "KOPERASI_DB_PATH", "KOPERASI_BOT_USERNAME"):
        monkeypatch.delenv(key, raising=False)
    return main(["--env-file", "/nonexistent.env", "--db", str(db_path), *args])


def _in_force(db_path, at=2**40):
    async def read():
        async with Database(str(db_path)) as db:
            return await rafaksi.in_force(db, 1, "gabah", at)

    return asyncio.run(read())


def test_tables_are_adopted_set_shown_and_stopped(monkeypatch, tmp_path, capsys):
    db = tmp_path / "k.sqlite3"
    base = ("rafaksi", "set", "--org", "pusat", "--commodity", "gabah")
    assert _cli(monkeypatch, db, "rafaksi", "show", "--org", "pusat", "--commodity", "gabah") == 0
    shown = capsys.readouterr().out
    assert "pusat gabah: no rafaksi now" in shown and "Kepbadan Bapanas 2/2025" in shown
    assert "≤30 %  Rp425  Rp750" in shown

    assert _cli(monkeypatch, db, *base, "--government") == 0
    assert _in_force(db).table.cuts == ((0, 300), (425, 750))
    assert "Kepbadan Bapanas 2/2025" in _in_force(db).source

    own = ("--moisture", "25", "27,5", "30", "--foreign", "10", "15",
           "--cut", "0", "200", "--cut", "150", "350", "--cut", "400", "Rp600", "--from", "2030-01-01")  # fmt: skip
    assert _cli(monkeypatch, db, *base, *own) == 0
    out = capsys.readouterr().out
    assert "pusat gabah: this table from 2030-01-01" in out and "≤27,5 %" in out
    table = _in_force(db).table
    assert [str(m) for m in table.moisture] == ["25", "27.5", "30"]
    assert table.cuts == ((0, 200), (150, 350), (400, 600))
    assert _in_force(db, at=1_800_000_000).table.cuts == ((0, 300), (425, 750))  # before 2030

    assert _cli(monkeypatch, db, *base, "--off", "--from", "2031-01-01") == 0
    assert _in_force(db) is None
    assert _cli(monkeypatch, db, "rafaksi", "show", "--org", "pusat", "--commodity", "gabah") == 0
    assert "3 version(s)" in capsys.readouterr().out


def test_malformed_tables_and_unknown_names_are_refused(monkeypatch, tmp_path, capsys):
    db = tmp_path / "k.sqlite3"
    base = ("rafaksi", "set", "--org", "pusat", "--commodity", "gabah")
    refused = [
        ("--moisture", "25", "30", "--foreign", "10", "--cut", "0"),  # a row missing
        ("--moisture", "25", "--foreign", "10", "--cut", "100"),  # the base band cuts
        ("--moisture", "30", "25", "--foreign", "10", "--cut", "0", "--cut", "5"),  # falling
        ("--moisture", "25", "30", "--foreign", "10", "--cut", "0", "--cut", "2000000"),  # ceiling
        ("--moisture", "25"),  # no hampa bands
    ]
    for args in refused:
        assert _cli(monkeypatch, db, *base, *args) == 2, args
    assert (
        _cli(monkeypatch, db, "rafaksi", "set", "--org", "nope", "--commodity", "gabah", "--off")
        == 2
    )
    assert (
        _cli(monkeypatch, db, "rafaksi", "set", "--org", "pusat", "--commodity", "padi", "--off")
        == 2
    )
    assert "rafaksi refused" in capsys.readouterr().err
    assert _in_force(db) is None
