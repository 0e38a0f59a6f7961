"""Run the emulator by hand: ``python -m emulator --port 8081``.

Then start the bot with ``--api-url http://127.0.0.1:8081/bot`` and the printed token,
and play the people with e.g.::

    curl -s localhost:8081/control/send_message -d '{"user_id": 1001, "text": "/start"}'
    curl -s 'localhost:8081/control/messages?chat_id=1001'
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from .emulator import BotApiEmulator
from .limits import FloodLimits


async def _serve(args: argparse.Namespace) -> None:
    emu = BotApiEmulator(
        host=args.host,
        port=args.port,
        bot_username=args.username,
        latency=args.latency,
        flood_enabled=args.flood,
        flood_limits=FloodLimits(),
    )
    async with emu:
        print(f"Bot API base URL : {emu.base_url}")
        print(f"File base URL    : {emu.base_file_url}")
        print(f"Control API      : {emu.control_url}/<action>")
        print(f"Token for tests  : {emu.token_for_tests}", flush=True)
        await asyncio.Event().wait()  # until Ctrl-C


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--username", default="koperasi_test_bot", help="bot username")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per Bot API call")
    parser.add_argument("--flood", action="store_true", help="enable flood limits")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
