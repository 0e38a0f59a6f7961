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
