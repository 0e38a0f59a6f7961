"""``koperasi-bot org add … --village`` and ``invite ketua``: a village cooperative per desa
from the command line, refused with one clear line when it cannot be."""

from __future__ import annotations

from tests.test_config_and_cli import _cli

KUJON = "33.10.11.2004"


def test_village_cooperatives_on_the_command_line(monkeypatch, tmp_path, capsys):
    def cli(*args):
        return _cli(monkeypatch, tmp_path, *args)

    assert cli("org", "add", "hub", "Koperasi Hub Jateng", "--kind", "coop_secondary") == 0
    assert cli("org", "add", "kdkmp-kujon", "KDKMP Kujon", "--kind", "kdkmp", "--village", KUJON,
               "--parent", "hub") == 0  # fmt: skip
    assert capsys.readouterr().out.splitlines()[-1] == (
        "added kdkmp-kujon (kdkmp) under hub, covering 33.10.11.2004 Kujon"
    )
    for args, said in (
        (("kmp-kujon", "KMP Kujon", "--kind", "kmp", "--village", KUJON), "already has a cooperative: kdkmp-kujon"),
        (("puk-kujon", "PUK", "--kind", "puk", "--village", KUJON), "only a village cooperative"),
        (("kdkmp-x", "X", "--kind", "kdkmp", "--village", "33.10"), "not a village code"),
        (("kdkmp-y", "Y", "--kind", "kdkmp", "--village", "33.10.11.2005", "--parent", "nope"), "no organisation"),
    ):  # fmt: skip
        assert cli("org", "add", *args) == 2, args
        assert said in capsys.readouterr().err, args
    assert cli("org", "add", "kmp-pokak", "KMP Pokak", "--kind", "kmp", "--village", "33.10.11.2005",
               "--parent", "hub") == 0  # fmt: skip
    capsys.readouterr()
    assert cli("org", "list") == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "  hub  Koperasi Hub Jateng  [coop_secondary]",
        "    kdkmp-kujon  KDKMP Kujon  [kdkmp]  desa 33.10.11.2004",
        "    kmp-pokak  KMP Pokak  [kmp]  desa 33.10.11.2005",
    ]

    invite = ("invite", "--bot-username", "koperasi_test_bot")
    for role in ("ketua", "bendahara", "pengelola-gerai"):
        assert cli(*invite, role, "--org", "kdkmp-kujon") == 0, role
        assert capsys.readouterr().out.startswith("https://t.me/koperasi_test_bot?start="), role
    assert cli(*invite, "ketua", "--org", "hub") == 2
    assert "only a village cooperative" in capsys.readouterr().err
