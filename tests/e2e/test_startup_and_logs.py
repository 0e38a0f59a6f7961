"""The real ``koperasi-bot run`` when it cannot start, and what it logs when it can: a failed
start is one line on stderr and exit code 2 (a traceback only at DEBUG), and neither the token
nor a phone number reaches the log, at INFO or at DEBUG."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from emulator import BotApiEmulator
from tests.e2e.botproc import _child_env, _die_with_parent, free_port
from tests.e2e.flow import STEPS, Farmer

pytestmark = pytest.mark.asyncio

CANNOT_REACH = "koperasi-bot: cannot reach the Bot API: "
REFUSED = "koperasi-bot: Telegram refused the token (TELEGRAM_BOT_TOKEN): check it with @BotFather"


async def koperasi_bot(
    cwd: Path, *args: str, token: str, level: str = "INFO"
) -> tuple[int, str, str]:
    """``python -m bot ARGS`` as an operator runs it: (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--env-file", str(cwd / "no-such.env"), *args,
        cwd=cwd, env={**_child_env(token), "KOPERASI_LOG_LEVEL": level},
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        preexec_fn=_die_with_parent,
    )  # fmt: skip
    try:
        async with asyncio.timeout(60):
            out, err = await proc.communicate()  # the loop runs on: the emulator answers
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    return proc.returncode, out.decode(), err.decode()


async def migrated_db(tmp_path: Path, token: str) -> str:
    """A database already migrated, so that a start logs nothing before it fails."""
    db = str(tmp_path / "k.sqlite3")
    code, _, err = await koperasi_bot(tmp_path, "--db", db, "db", "migrate", token=token)
    assert code == 0, err
    return db


def assert_no_secret(text: str, token: str) -> None:
    assert token not in text and token.split(":")[1] not in text, text


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_unreachable_bot_api_is_one_line_and_exit_2(tmp_path, level):
    token = "123456789:AAExampleExampleExampleExample1234"
    db = await migrated_db(tmp_path, token)
    api = f"http://127.0.0.1:{free_port()}/bot"  # nothing listens there
    code, out, err = await koperasi_bot(
        tmp_path, "--db", db, "run", "--api-url", api, token=token, level=level
    )
    assert code == 2, err
    assert out == ""
    lines = err.splitlines()
    if level == "INFO":
        assert len(lines) == 1 and lines[0].startswith(CANNOT_REACH), err
    else:
        assert lines[-1].startswith(CANNOT_REACH) and "Traceback (most recent call last)" in err, (
            err
        )
        assert "Aborting" not in err, err  # the traceback once, not PTB's report of it too
    assert_no_secret(out + err, token)


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_rejected_token_is_one_line_and_exit_2_and_never_logged(tmp_path, level):
    valid = "7000000001:AAH_the-valid-token-of-this-bot-0123456789"
    wrong = "7000000001:AAH_well-formed-but-WRONG-token-9876543210"
    async with BotApiEmulator(valid_tokens=[valid]) as emu:
        db = await migrated_db(tmp_path, wrong)
        code, out, err = await koperasi_bot(
            tmp_path, "--db", db, "run", "--api-url", emu.base_url, token=wrong, level=level
        )
        assert (await emu.stats())["requests"] == {}  # refused before anything counted
    assert code == 2, err
    assert out == ""
    if level == "INFO":
        assert err.splitlines() == [REFUSED]
    else:
        assert err.splitlines()[-1] == REFUSED
        assert "Traceback (most recent call last)" in err  # PTB's InvalidToken names the token...
        assert "The token `<token>` was rejected" in err  # ...masked
        assert "/bot<token>/getMe" in err  # httpx's request line at DEBUG, masked
    assert_no_secret(out + err, wrong)


@pytest.mark.sqlite_file
@pytest.mark.parametrize(
    ("where", "message"),
    [("no/such/folder/k.sqlite3", "database folder does not exist"), (".", "cannot open database")],
)
async def test_database_that_cannot_open_is_one_line_and_exit_2(tmp_path, where, message):
    token = "123456789:AAExampleExampleExampleExample1234"
    db = str(tmp_path / where)  # "." : a folder where the file should be
    api = f"http://127.0.0.1:{free_port()}/bot"
    code, out, err = await koperasi_bot(tmp_path, "--db", db, "run", "--api-url", api, token=token)
    assert code == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("koperasi-bot: ") and message in err, err
    assert_no_secret(out + err, token)


async def test_a_postgresql_server_that_does_not_answer_is_one_line_without_its_password(tmp_path):
    token = "123456789:AAExampleExampleExampleExample1234"
    url = f"postgresql://koperasi:Rahasia-99@127.0.0.1:{free_port()}/koperasi"
    api = f"http://127.0.0.1:{free_port()}/bot"
    code, out, err = await koperasi_bot(tmp_path, "--db", url, "run", "--api-url", api, token=token)
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(
        f"koperasi-bot: cannot open database postgresql://koperasi@127.0.0.1:{url.split(':')[3]}"
    ), err
    assert "Rahasia-99" not in out + err
    assert_no_secret(out + err, token)


async def test_debug_log_of_a_registration_has_neither_token_nor_phone(emu: BotApiEmulator, bots):
    bot = await bots.start(env={"KOPERASI_LOG_LEVEL": "DEBUG"})
    farmer = Farmer(emu)
    for step in STEPS:  # shares 6281234567890; the summary shows it back
        await farmer.do(step)
    await bot.stop()
    log = bot.log()
    assert " DEBUG " in log and "/bot<token>/" in log  # httpx's request lines, at DEBUG
    assert_no_secret(log, emu.token_for_tests)
    assert "0812-****-7890" in log  # the contact PTB logs with the update
    for leaked in ("81234567890", "812-3456-7890", "812 3456 7890", "3456-7890", "3456 7890"):
        assert leaked not in log, leaked
