"""Run koperasi-bot like ``python -m bot run`` does, but with a chosen send budget.

``python -m bot run`` always uses the default :class:`bot.runtime.ratelimit.SendLimits`
(29 sends/s overall, 0.95/s per private chat), which caps a reply-per-update bot at about
29 updates/s whatever the hardware.  To measure how many updates the bot itself can
*process*, ``bench/throughput.py`` also runs it with the limits lifted (as
``tests/harness.py`` does for flow tests) - this launcher, nothing else differs::

    TELEGRAM_BOT_TOKEN=... KOPERASI_DB_PATH=... \\
        python -m bench.run_bot --api-url http://127.0.0.1:PORT/bot --send-limits unlimited
"""

from __future__ import annotations

import argparse

from telegram.ext import SimpleUpdateProcessor
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.logsafe import setup_logging
from bot.runtime.ratelimit import SendLimits
from bot.wiring import build_application

UNLIMITED = SendLimits(overall_rate=1e6, overall_burst=1e6, private_rate=1e6, private_burst=1e6)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run_bot",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--send-limits", choices=["default", "unlimited"], default="unlimited")
    parser.add_argument(
        "--processor",
        choices=["ordered", "unordered"],
        default="ordered",
        help="unordered: a NEGATIVE CONTROL for the order check - PTB's plain "
        "concurrent_updates(64) (no per-chat order, no exactly-once commit) "
        "instead of the bot's ExactlyOnceProcessor",
    )
    parser.add_argument(
        "--pool-size",
        type=int,
        default=0,
        help="diagnostic: HTTPX connection pool size for Bot API calls (0: the bot's "
        "default, i.e. PTB's 256)",
    )
    parser.add_argument(
        "--shared",
        action="store_true",
        help="as `koperasi-bot run` since issue 16: other processes may share the database "
        "(chats leased, outbox claimed, jobs once: bot.runtime.multiproc)",
    )
    args = parser.parse_args(argv)
    settings = Settings.load(env_file=None, api_url=args.api_url)
    # Same as bot.cli.run.run_bot (polling branch).
    setup_logging(settings.log_level, settings.token)
    limits = UNLIMITED if args.send_limits == "unlimited" else None
    request = HTTPXRequest(connection_pool_size=args.pool_size) if args.pool_size else None
    app = build_application(settings, send_limits=limits, request=request, shared=args.shared)
    if args.processor == "unordered":
        app._update_processor = SimpleUpdateProcessor(settings.concurrency)
    app.run_polling(allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
