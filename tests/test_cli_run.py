"""``koperasi-bot run``: the webhook server serves the path of the public webhook URL."""

import pytest

from bot.cli.run import webhook_path


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://bot.example.org/hook", "/hook"),
        ("https://bot.example.org:8443/koperasi/hook/", "/koperasi/hook/"),
        ("https://bot.example.org/hook?x=1", "/hook"),
        ("https://bot.example.org/", "/"),
        ("https://bot.example.org", "/"),
    ],
)
def test_webhook_path_is_the_urls_path(url, path):
    assert webhook_path(url) == path


def test_every_failure_an_operator_can_fix_is_one_line():
    from telegram.error import BadRequest, InvalidToken, TimedOut

    from bot.cli import _one_line
    from storage.db import DatabaseError

    token = "123456789:AAExampleExampleExampleExample1234"
    assert token not in _one_line(InvalidToken(f"The token `{token}` was rejected by the server."))
    assert _one_line(TimedOut()).startswith("cannot reach the Bot API: ")
    assert _one_line(BadRequest("Bad webhook: https url must be provided")) == (
        "the Bot API refused: Bad webhook: https url must be provided"
    )
    assert (
        _one_line(DatabaseError("cannot open database x: Is a directory"))
        == "cannot open database x: Is a directory"
    )
    assert _one_line(KeyError("a bug")) is None  # a bug: the (redacted) traceback instead
