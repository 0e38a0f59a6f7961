"""The log filter: neither the bot token nor a phone number survives into a log line, wherever
it hides (the message, its arguments, a traceback), whichever logger the record comes from."""

from __future__ import annotations

import io
import logging

import pytest

from bot import logsafe
from bot.logsafe import QuietBootstrapFailure, RedactingFilter, mask_phones

TOKEN = "123456789:AAExampleExampleExampleExample1234"
SECRET_HALF = TOKEN.split(":")[1]


@pytest.fixture
def root_log():
    """The root logger with one plain handler (pytest's own put aside), filters installed."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG)
    logsafe.install(TOKEN)
    try:
        yield out
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        logsafe.install(None)


class _Request:
    """An argument whose text holds the token (as PTB's and httpx's objects do)."""

    def __str__(self) -> str:
        return f"<Request POST https://api.telegram.org/bot{TOKEN}/getMe>"


def test_token_in_the_message_and_in_the_arguments(root_log):
    log = logging.getLogger("httpx")  # a child logger: its records reach the root's handler
    log.info(f"HTTP Request: POST https://api.telegram.org/bot{TOKEN}/getMe")
    log.info("HTTP Request: %s %s", "POST", f"https://api.telegram.org/bot{TOKEN}/getUpdates")
    log.debug("sending %s", _Request())
    log.debug("token %(t)s", {"t": TOKEN})
    text = root_log.getvalue()
    assert TOKEN not in text and SECRET_HALF not in text
    assert text.count("/bot<token>/") == 3 and "token <token>" in text


def test_token_in_a_traceback(root_log):
    from telegram.error import InvalidToken

    try:
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    except InvalidToken:
        logging.getLogger("telegram.ext.Application").exception("start-up failed")
    text = root_log.getvalue()
    assert "Traceback (most recent call last)" in text
    assert "The token `<token>` was rejected" in text
    assert TOKEN not in text and SECRET_HALF not in text


def test_exc_info_given_explicitly_and_stack_info(root_log):
    exc = ValueError(f"bad url .../bot{TOKEN}/getMe for 081234567890")
    logging.getLogger("bot.cli").debug("failed", exc_info=exc, stack_info=True)
    text = root_log.getvalue()
    assert "ValueError: bad url .../bot<token>/getMe for 0812-****-7890" in text
    assert "Stack (most recent call last)" in text
    assert TOKEN not in text and "081234567890" not in text


def test_the_secret_half_of_the_token_alone_is_masked():
    assert RedactingFilter(TOKEN).redact(f"secret={SECRET_HALF}") == "secret=<token>"


def test_without_a_token_only_phones_are_masked():
    assert RedactingFilter(None).redact("hello 081234567890") == "hello 0812-****-7890"


@pytest.mark.parametrize(
    "phone",
    [
        "+6281234567890",
        "6281234567890",
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "+62 812-3456-7890",
    ],
)
def test_phone_number_forms_are_masked(phone):
    assert mask_phones(phone) == "0812-****-7890"
    assert mask_phones(f"{{'phone_number': '{phone}', 'user_id': 1001}}") == (
        "{'phone_number': '0812-****-7890', 'user_id': 1001}"
    )


def test_shorter_and_longer_numbers_keep_their_length_in_the_mask():
    assert mask_phones("0813-1111-222") == "0813-****-1222"  # 11 digits
    assert mask_phones("+62812123456789") == "0812-****-6789"  # 13 digits: the longest
    assert mask_phones("+628121234567890") == "+628121234567890"  # 14: not a mobile number


@pytest.mark.parametrize(
    "text",
    [
        "update_id 628123456 chat 6281234567",  # Telegram ids, too short for a mobile number
        "chat -1001234567890 message 081",  # a group id; a lone prefix
        "date 1764312345, 0812",
        "id 99081234567890",  # inside a longer number
        "bot7000000001:AAH",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert mask_phones(text) == text


def test_phones_in_a_whole_update_logged_at_debug(root_log):
    update = {"message": {"contact": {"phone_number": "6281234567890", "user_id": 1001}}}
    logging.getLogger("telegram.ext.Application").debug("Processing update %s", update)
    text = root_log.getvalue()
    assert "6281234567890" not in text and "'phone_number': '0812-****-7890'" in text


def test_install_is_idempotent_and_scrub_uses_the_installed_token(root_log):
    logsafe.install(TOKEN)
    for handler in logging.getLogger().handlers:  # ours, and pytest's while a test runs
        kinds = [type(f) for f in handler.filters]
        assert kinds.count(RedactingFilter) == 1 and kinds.count(QuietBootstrapFailure) == 1
    assert logsafe.scrub(f"bot{TOKEN} +6281234567890") == "bot<token> 0812-****-7890"


def test_ptb_report_of_a_failed_start_is_left_to_the_command(root_log):
    ptb = logging.getLogger("telegram.ext")
    try:
        raise OSError("unreachable")
    except OSError:
        ptb.exception(
            "%s Failed run number %s of %s. Aborting.",
            "Network Retry Loop (Bootstrap Initialize Application):",
            0,
            0,
        )
        ptb.exception(
            "%s Invalid token. Aborting retry loop.",
            "Network Retry Loop (Bootstrap Initialize Application):",
        )
        ptb.error("No error handlers are registered, logging exception.")  # not start-up: kept
    ptb.debug("Network Retry Loop (Bootstrap Initialize Application): Starting")  # DEBUG: kept
    lines = root_log.getvalue().splitlines()
    assert lines == [
        "ERROR telegram.ext: No error handlers are registered, logging exception.",
        "DEBUG telegram.ext: Network Retry Loop (Bootstrap Initialize Application): Starting",
    ]
