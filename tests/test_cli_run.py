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


def test_dashboard_port_flag_and_settings():
    from bot.cli import _parser
    from bot.config import ConfigError, Settings

    args = _parser().parse_args(["run", "--dashboard-port", "8090"])
    assert args.dashboard_port == 8090
    settings = Settings.load(environ={}, env_file=None, require_token=False, dashboard_port=8090)
    assert (settings.dashboard_port, settings.dashboard_listen, settings.dashboard_url) == (
        8090,
        "127.0.0.1",
        "",
    )
    assert Settings.load(environ={}, env_file=None, require_token=False).dashboard_port == 0
    with pytest.raises(ConfigError, match="KOPERASI_DASHBOARD_URL"):
        Settings.load(environ={"KOPERASI_DASHBOARD_URL": "koperasi.example/dasbor"}, env_file=None,
                      require_token=False)  # fmt: skip
    with pytest.raises(ConfigError, match="KOPERASI_DASHBOARD_PORT"):
        Settings.load(
            environ={"KOPERASI_DASHBOARD_PORT": "70000"}, env_file=None, require_token=False
        )


async def test_run_serves_the_dashboard_in_the_bots_loop_and_stops_it(tmp_path):
    import socket

    import httpx

    from bot.cli.run import serve_dashboard
    from tests.harness import World

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    world = await World(str(tmp_path / "k.sqlite3"), dashboard_port=port).start()
    try:
        serve_dashboard(world.app, world.settings)
        await world.app.post_init(world.app)
        async with httpx.AsyncClient() as client:
            page = await client.get(f"http://127.0.0.1:{port}/dasbor/")
            assert page.status_code == 200 and "dasbor.js" in page.text
            api = await client.get(f"http://127.0.0.1:{port}/dasbor/api/panels")
            assert api.status_code == 401
        await world.app.post_stop(world.app)
        async with httpx.AsyncClient() as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(f"http://127.0.0.1:{port}/dasbor/")
    finally:
        await world.stop()


def test_no_dashboard_server_without_a_port(tmp_path):
    from bot.cli.run import serve_dashboard
    from bot.config import Settings

    class App:
        post_init = post_stop = None

    app = App()
    serve_dashboard(app, Settings.load(environ={}, env_file=None, require_token=False))
    assert app.post_init is None and app.post_stop is None
