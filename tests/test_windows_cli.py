"""``koperasi-bot window open|list|close``: a window from the command line, refused with one
clear line when a part of it cannot be."""

from __future__ import annotations

from datetime import date, timedelta

from tests.test_config_and_cli import _cli


def test_a_window_opened_listed_and_closed_on_the_command_line(monkeypatch, tmp_path, capsys):
    until = (date.today() + timedelta(days=20)).isoformat()
    assert _cli(monkeypatch, tmp_path, "org", "add", "klaten", "KDKMP Klaten", "--kind", "kdkmp",
                "--covers", "33.10") == 0  # fmt: skip
    capsys.readouterr()
    opened = ("window", "open", "--org", "klaten", "--commodity", "gabah", "--grade", "GKP",
              "--area", "33.10", "--target", "5 ton", "--price", "6.500", "--until", until)  # fmt: skip
    assert _cli(monkeypatch, tmp_path, *opened) == 0
    assert capsys.readouterr().out.startswith(
        "window #1 open: 5000 kg of gabah GKP in 33.10 at Rp6.500"
    )

    for change, said in (
        (("--area", "35"), "does not buy in that area"),  # not the cooperative's area
        (("--target", "banyak"), "could not read that amount"),
        (("--price", "0"), "whole rupiah"),
        (("--price", "2000000"), "at most"),
        (("--until", "2020-01-01"), "That day has passed"),
        (("--grade", "Z"), "grade does not exist"),
    ):  # fmt: skip
        args = list(opened)
        for flag, value in zip(change[::2], change[1::2], strict=True):
            args[args.index(flag) + 1] = value
        assert _cli(monkeypatch, tmp_path, *args) == 2, change
        assert said in capsys.readouterr().err, change

    assert _cli(monkeypatch, tmp_path, "window", "list", "--org", "klaten") == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.split("\t")[:6] == ["#1", "open", "gabah", "GKP", "33.10", "0/5000 kg"]
    assert _cli(monkeypatch, tmp_path, "window", "close", "1") == 0
    assert "closed_short" in capsys.readouterr().out
    assert _cli(monkeypatch, tmp_path, "window", "close", "1") == 2  # closed already
    assert "closed already" in capsys.readouterr().err
    assert _cli(monkeypatch, tmp_path, "window", "close", "9") == 2
