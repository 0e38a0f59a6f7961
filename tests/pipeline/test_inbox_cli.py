"""``koperasi-bot inbox list-failed | retry | drop``: what the operator sees and does with
quarantined updates (and the one-line descriptions behind it)."""

from __future__ import annotations

import asyncio
import json

from bot.cli import main
from bot.runtime.quarantine import describe, excerpt
from storage import dead_letters, inbox
from storage.db import Database
from storage.migrate import migrate
from tests.pipeline.polling import poll_without_persistent_ids, private_message

TOKEN = "7000000001:AAFakeTokenForFlowTests_0123456789abc"


def _db_with_letters(path: str) -> None:
    async def fill() -> None:
        async with Database(path) as db:
            await migrate(db)
            poll = {"update_id": 41, **poll_without_persistent_ids(9101)}
            contact = {
                "update_id": 42,
                **private_message(
                    9102, contact={"phone_number": "6281234567890", "first_name": "Siti"}
                ),
            }
            for update in (poll, contact):
                await inbox.store(db, update["update_id"], json.dumps(update))
            await dead_letters.quarantine(db, [
                (41, json.dumps(poll), "TypeError: `persistent_id` is a required argument since Bot API 9.6"),
                (42, json.dumps(contact), "Unfinished: started by 3 processes, none finished it (crash, kill or hang)"),
            ])  # fmt: skip

    asyncio.run(fill())


def _cli(path: str, *args: str) -> int:
    return main(["--env-file", "/nonexistent.env", "--db", path, "inbox", *args])


def test_list_retry_and_drop(tmp_path, capsys):
    path = str(tmp_path / "k.sqlite3")
    _db_with_letters(path)

    assert _cli(path, "list-failed") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("update 41 (received ") and out[0].endswith(
        "UTC): TypeError: `persistent_id` is a required argument since Bot API 9.6"
    )
    assert out[1] == '  message poll in chat 9101: "Harga gabah minggu ini? Hubungi 0812-****-7890"'
    assert out[2].startswith("update 42 (received ") and "Unfinished: started by 3" in out[2]
    assert out[3] == "  message contact in chat 9102"  # a contact's number is never shown
    assert out[4].startswith("2 quarantined updates;")
    assert "6281234567890" not in "\n".join(out)

    assert _cli(path, "retry", "41") == 0
    assert capsys.readouterr().out == "update 41 queued again: processed when the bot next starts\n"
    assert _cli(path, "retry", "41") == 2  # not quarantined any more
    assert "no quarantined update 41" in capsys.readouterr().err
    assert _cli(path, "drop", "--all") == 0
    assert capsys.readouterr().out == "1 update(s) dropped\n"
    assert _cli(path, "list-failed") == 0
    assert capsys.readouterr().out == "no quarantined updates\n"

    async def check() -> None:
        async with Database(path) as db:
            assert [uid for uid, _, attempts in await inbox.pending_attempts(db)] == [41]
            assert await inbox.is_applied(
                db, 42
            )  # dropped: never processed, a delivery again dropped

    asyncio.run(check())


def test_an_error_line_is_short_and_holds_neither_token_nor_phone():
    from bot.logsafe import install

    install(TOKEN)
    try:
        line = describe(ValueError(f"bad {TOKEN} for +6281234567890 " + "x" * 500))
    finally:
        install(None)
    assert line.startswith("ValueError: bad <token> for 0812-****-7890 x")
    assert len(line) <= len("ValueError: ") + 200
    assert excerpt("not json") == "(not JSON)"
    assert (
        excerpt(json.dumps({"update_id": 1, "callback_query": {"id": "1", "data": 7}}))
        == "callback_query"
    )
    assert excerpt(json.dumps({"update_id": 1, "message": {"chat": 5}})) == "message"
