"""Settings validation and the koperasi-bot command line (run in-process; exit codes)."""

import pytest

from bot.cli import main
from bot.config import ConfigError, Settings

TOKEN = "123456789:AAExampleExampleExampleExample1234"


def test_defaults_and_env_file(tmp_path):
    env = tmp_path / ".env"
    env.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nKOPERASI_CONCURRENCY=8\n")
    settings = Settings.load(environ={}, env_file=env)
    assert settings.concurrency == 8
    assert settings.db_path == "koperasi.sqlite3"
    assert settings.file_url == "https://api.telegram.org/file/bot"
    assert TOKEN not in repr(settings)


def test_environment_wins_over_env_file_and_flags_over_both(tmp_path):
    env = tmp_path / ".env"
    env.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nKOPERASI_DB_PATH=a.db\n")
    assert Settings.load(environ={"KOPERASI_DB_PATH": "b.db"}, env_file=env).db_path == "b.db"
    assert (
        Settings.load(environ={"KOPERASI_DB_PATH": "b.db"}, env_file=env, db_path="c.db").db_path
        == "c.db"
    )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "nonsense"}, "looks malformed"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "KOPERASI_CONCURRENCY": "many"}, "whole number"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "KOPERASI_CONCURRENCY": "0"}, "between 1 and 1024"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "KOPERASI_DEFAULT_LANGUAGE": "fr"}, "one of id, en"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "KOPERASI_API_URL": "ftp://x"}, "http"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "KOPERASI_WEBHOOK_SECRET": "has space"}, "SECRET"),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "KOPERASI_WEBHOOK_URL": "https://x.example/hook"},
            "SECRET is required",
        ),
    ],
)
def test_bad_settings_are_one_clear_line(environ, message):
    with pytest.raises(ConfigError, match=message):
        Settings.load(environ=environ, env_file=None)


def _cli(monkeypatch, tmp_path, *args, env=None):
    monkeypatch.chdir(tmp_path)
    for key in ("TELEGRAM_BOT_TOKEN", "KOPERASI_DB_PATH", "KOPERASI_BOT_USERNAME"):
        monkeypatch.delenv(key, raising=False)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    return main(["--db", str(tmp_path / "k.sqlite3"), *args])


def test_run_without_token_exits_2_with_one_line(monkeypatch, tmp_path, capsys):
    assert _cli(monkeypatch, tmp_path, "run") == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and "TELEGRAM_BOT_TOKEN is not set" in err and "Traceback" not in err
    )


@pytest.mark.sqlite_file
def test_run_with_unusable_database_path_exits_2(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    assert main(["--db", str(tmp_path / "no" / "such" / "k.sqlite3"), "db", "status"]) == 2
    assert "database folder does not exist" in capsys.readouterr().err


def test_organisations_roster_invites_and_roles(monkeypatch, tmp_path, capsys):
    assert _cli(monkeypatch, tmp_path, "db", "migrate") == 0
    assert _cli(monkeypatch, tmp_path, "org", "add", "fspmi", "FSPMI", "--kind", "federation") == 0
    assert (
        _cli(
            monkeypatch,
            tmp_path,
            "org",
            "add",
            "kop-bekasi",
            "Koperasi Buruh Bekasi",
            "--kind",
            "coop_primary",
            "--parent",
            "fspmi",
        )
        == 0
    )
    capsys.readouterr()
    assert _cli(monkeypatch, tmp_path, "org", "list") == 0
    assert capsys.readouterr().out.splitlines() == [
        "pusat  Koperasi Merah Putih  [coop_secondary]",
        "  fspmi  FSPMI  [federation]",
        "    kop-bekasi  Koperasi Buruh Bekasi  [coop_primary]",
    ]
    assert (
        _cli(monkeypatch, tmp_path, "org", "add", "x", "X", "--kind", "puk", "--parent", "nope")
        == 2
    )
    assert "no organisation with code 'nope'" in capsys.readouterr().err

    assert (
        _cli(
            monkeypatch,
            tmp_path,
            "roster",
            "add",
            "--org",
            "kop-bekasi",
            "--number",
            "B-7",
            "--name",
            "Sri",
            "--phone",
            "0813 1111 2222",
        )
        == 0
    )
    assert (
        _cli(
            monkeypatch,
            tmp_path,
            "roster",
            "add",
            "--org",
            "kop-bekasi",
            "--number",
            "B-7",
            "--name",
            "Sri",
            "--phone",
            "0813 1111 2222",
        )
        == 2
    )
    capsys.readouterr()

    assert (
        _cli(
            monkeypatch,
            tmp_path,
            "invite",
            "koordinator",
            "--org",
            "kop-bekasi",
            "--bot-username",
            "kopbot",
        )
        == 0
    )
    assert capsys.readouterr().out.startswith("https://t.me/kopbot?start=")
    assert (
        _cli(
            monkeypatch, tmp_path, "invite", "farmer", "--org", "pusat", "--bot-username", "kopbot"
        )
        == 2
    )
    assert _cli(monkeypatch, tmp_path, "invite", "admin", "--org", "pusat") == 2
    assert "KOPERASI_BOT_USERNAME" in capsys.readouterr().err

    assert _cli(monkeypatch, tmp_path, "person", "grant", "admin", "--phone", "0812 0000 0000") == 2
    assert "no registered person" in capsys.readouterr().err


def test_db_status_then_migrate(monkeypatch, tmp_path, capsys):
    assert _cli(monkeypatch, tmp_path, "db", "status") == 0
    before = capsys.readouterr().out.strip().splitlines()
    assert before[0] == "0001_initial: pending" and all(
        line.endswith(": pending") for line in before
    )
    assert _cli(monkeypatch, tmp_path, "db", "migrate") == 0
    capsys.readouterr()
    assert _cli(monkeypatch, tmp_path, "db", "status") == 0
    after = capsys.readouterr().out.strip().splitlines()
    assert after == [line.replace(": pending", ": applied") for line in before]


def test_first_admin_is_granted_by_phone(monkeypatch, tmp_path, capsys):
    import asyncio

    from domain.people import Role
    from storage import people
    from storage.db import Database

    async def register_someone():
        async with Database(str(tmp_path / "k.sqlite3")) as db:
            async with db.transaction() as conn:
                await people.insert_person(
                    conn,
                    telegram_user_id=5,
                    chat_id=5,
                    full_name="Ani",
                    phone="+6281200000005",
                    language="id",
                    timezone="Asia/Jakarta",
                    org_id=1,
                )

    async def roles():
        async with Database(str(tmp_path / "k.sqlite3")) as db:
            return (await people.by_telegram_id(db, 5)).roles

    assert _cli(monkeypatch, tmp_path, "db", "migrate") == 0
    asyncio.run(register_someone())
    assert _cli(monkeypatch, tmp_path, "person", "grant", "admin", "--phone", "0812 0000 0005") == 0
    assert asyncio.run(roles()) == {Role.ADMIN}
    assert _cli(monkeypatch, tmp_path, "person", "revoke", "pengurus", "--telegram-id", "5") == 0
    assert asyncio.run(roles()) == frozenset()


def test_readme_lists_every_setting_with_its_default():
    from pathlib import Path

    from bot.config import SETTINGS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    for setting in SETTINGS.values():
        default = f"`{setting.default}`" if setting.default else "—"
        assert f"| `{setting.env}` | {default} |" in readme, setting.env


def test_prices_and_coverage_from_the_command_line(monkeypatch, tmp_path, capsys):
    assert (
        _cli(
            monkeypatch,
            tmp_path,
            "price",
            "set",
            "cabai_merah",
            "32000",
            "--grade",
            "A",
            "--area",
            "33.10",
        )
        == 0
    )
    assert _cli(monkeypatch, tmp_path, "price", "set", "gabah", "6500") == 2  # gabah has grades
    assert "pass --grade" in capsys.readouterr().err
    (tmp_path / "harga.csv").write_text(
        "commodity,grade,area,price,valid_from\njagung,,33,5.500,2025-01-01\ncabai_merah,Z,33,1,2025-01-01\n",
        "utf-8",
    )
    assert _cli(monkeypatch, tmp_path, "price", "import", "harga.csv") == 2
    out = capsys.readouterr()
    assert "line 3, column grade" in out.out and "nothing was imported" in out.err
    (tmp_path / "harga.csv").write_text(
        "commodity,grade,area,price,valid_from\njagung,,33,5.500,2025-01-01\n", "utf-8"
    )
    assert _cli(monkeypatch, tmp_path, "price", "import", "harga.csv") == 0
    assert _cli(monkeypatch, tmp_path, "price", "list", "33.10.11.2004") == 0
    listed = capsys.readouterr().out
    assert "cabai_merah\tA\t33.10\tRp32.000" in listed and "jagung\t-\t33\tRp5.500" in listed
    assert (
        _cli(monkeypatch, tmp_path, "person", "cover", "33.10", "--phone", "0812-0000-0000") == 2
    )  # nobody
