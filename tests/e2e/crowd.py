"""Many farmers registering at once while the bot is SIGKILLed at random moments; how many
messages reached the same person twice.

Each farmer walks ``tests.e2e.flow.STEPS`` (with a phone number of their own), waiting for
each step's reply before the next step, like a person would. A killer SIGKILLs the bot a
few times at random moments (seeded) and starts a new process on the same database at
once. At the end every farmer must be registered, and each chat's bot messages are
compared: a text that arrived twice is a repeat.

A repeat no bot can avoid: a reply Telegram accepted from a process that died before its
record of the call was on disk (the response on its way back, or the record waiting for its
commit): the next process runs the update again and cannot know the reply went out. Such a
repeat always comes from an update a killed process had not finished, which the inbox shows
(``attempts`` > 0: run again after a restart). A repeat is *explained* when the update whose
reply it is was run again; any other (an update run once, replying twice) is a repeat the
bot caused itself. This is decided from what the database holds, not from timing, so a slow
machine (a commit behind by a second) does not turn an unavoidable repeat into a failure.
:class:`Kill` records, at each kill, the sends that had reached Telegram but not been
answered (``in_flight``). Calls Telegram refused (``Outcome.refused``, by error code) show
the other kind of repeat: a button press answered again, a message edited again to what it
already says (400).

Run it as a script for the figures (``python -m tests.e2e.crowd --farmers 100 --kills 5``)
or through ``tests/e2e/test_crowd_sigkill.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from emulator import BotApiEmulator
from tests.e2e.botproc import BotProcess
from tests.e2e.flow import (
    STEP_TIMEOUT,
    STEPS,
    Farmer,
    Step,
    api_calls,
    update_answered,
    updates_run_again,
)

FIRST_USER_ID = 610_000


def phone_of(index: int) -> str:
    return f"62813{index:08d}"


def steps_of(index: int) -> list[Step]:
    """``STEPS`` with this farmer's own phone number."""
    return [
        Step(step.kind, phone_of(index), step.reply) if step.kind == "contact" else step
        for step in STEPS
    ]


@dataclass
class Kill:
    at: float  # time.time() of the SIGKILL
    in_flight: int  # sendMessage requests Telegram had but had not answered


@dataclass
class Outcome:
    farmers: int
    kills: list[Kill]
    repeats: dict[int, list[tuple[str, float]]]  # chat -> (text, first copy's sent_at)
    unexplained: dict[int, list[str]]
    seconds: float
    messages: int
    refused: dict[str, int] = field(default_factory=dict)  # Bot API errors by code ("400": …)
    runs_again: int = 0  # runs of farmers' updates after a restart (their inbox attempts)

    @property
    def repeated_messages(self) -> int:
        return sum(len(r) for r in self.repeats.values())

    @property
    def people_with_repeats(self) -> int:
        return sum(1 for r in self.repeats.values() if r)

    @property
    def unexplained_messages(self) -> int:
        return sum(len(r) for r in self.unexplained.values())

    def summary(self) -> str:
        in_flight = sum(k.in_flight for k in self.kills)
        return (
            f"{self.farmers} farmers, {len(self.kills)} SIGKILLs ({in_flight} replies in flight"
            f" at the kills), {self.messages} bot messages in {self.seconds:.1f} s:"
            f" {self.repeated_messages} repeated message(s) to {self.people_with_repeats}"
            f" person(s), from {self.runs_again} run(s) of updates a killed process left;"
            f" {self.unexplained_messages} from an update that was not run again;"
            f" calls refused by Telegram: {self.refused or 'none'}"
        )


def _as_sent(msg) -> str:
    """The text as the bot sent it (a later edit, e.g. a tick on the chosen button, aside)."""
    return msg.versions[0]["text"] or ""


async def _walk(emu: BotApiEmulator, index: int) -> None:
    farmer = Farmer(emu, FIRST_USER_ID + index, "Budi")
    seen = 0  # position in the chat after the last reply this farmer read
    for step in steps_of(index):
        await farmer.act(step)

        def answered(msgs, start=step.reply, after=seen) -> bool:
            return any((m.text or "").startswith(start) for m in msgs[after:])

        try:
            msgs = await emu.wait_for(farmer.user_id, answered, timeout=3 * STEP_TIMEOUT)
        except TimeoutError:
            shown = [
                f"{'bot' if m.from_bot else 'user'} u{m.update_id}: {(m.text or m.kind)[:40]!r}"
                for m in await emu.messages(farmer.user_id, include_user=True)
            ]
            raise AssertionError(f"farmer {index} got no reply to {step}: {shown}") from None
        seen = next(
            i + 1 for i in range(seen, len(msgs)) if (msgs[i].text or "").startswith(step.reply)
        )


async def run_crowd(
    emu: BotApiEmulator,
    start_bot,
    database: Path,
    *,
    farmers: int = 100,
    kills: int = 5,
    seed: int = 1,
    between: tuple[float, float] = (0.5, 3.0),
    latency: float = 0.05,
) -> Outcome:
    """``start_bot()`` starts a new bot process on ``database`` (returns BotProcess)."""
    rng = random.Random(seed)
    await emu.set_latency(latency)
    began = time.monotonic()
    bot: BotProcess = await start_bot()
    walkers = [asyncio.create_task(_walk(emu, i)) for i in range(farmers)]
    done = asyncio.gather(*walkers)
    record: list[Kill] = []
    try:
        for _ in range(kills):
            try:
                await asyncio.wait_for(asyncio.shield(done), rng.uniform(*between))
                break  # everybody finished before this kill
            except TimeoutError:
                pass
            in_flight = api_calls(emu, "sendMessage") - emu.state.stats.sends
            bot.kill_now()  # same event-loop step as the count: nothing in between
            record.append(Kill(time.time(), in_flight))
            await bot.kill()
            bot = await start_bot()
        await done
        await bot.stop()
    except BaseException:
        for walker in walkers:
            walker.cancel()
        await bot.kill()
        raise
    seconds = time.monotonic() - began
    await emu.set_latency(0.0)

    repeats: dict[int, list[tuple[str, float]]] = {}
    unexplained: dict[int, list[str]] = {}
    messages = 0
    run_again = updates_run_again(database)
    replies = [[step.reply] for step in STEPS]
    for index in range(farmers):
        chat_id = FIRST_USER_ID + index
        msgs = await emu.messages(chat_id)
        messages += len(msgs)
        counts = Counter(_as_sent(m) for m in msgs)
        first_at = {}
        for m in msgs:
            first_at.setdefault(_as_sent(m), m.sent_at)
        for text, count in counts.items():
            for _ in range(count - 1):
                repeats.setdefault(chat_id, []).append((text, first_at[text]))
                nth = update_answered(text, replies)
                if nth is None or nth not in run_again.get(chat_id, {}):
                    unexplained.setdefault(chat_id, []).append(text)
    refused = {str(code): n for code, n in emu.state.stats.errors.items()}
    runs_again = sum(sum(updates.values()) for updates in run_again.values())
    return Outcome(farmers, record, repeats, unexplained, seconds, messages, refused, runs_again)


async def _main(args: argparse.Namespace) -> None:
    if args.bot_src:  # the bot processes run that source tree (e.g. an older commit)
        os.environ["PYTHONPATH"] = args.bot_src
    tmp = Path(tempfile.mkdtemp(prefix="crowd-"))
    print(f"bot logs and database in {tmp}")
    started = 0
    try:
        async with BotApiEmulator(latency=0.0) as emu:

            async def start_bot() -> BotProcess:
                nonlocal started
                started += 1
                log = tmp / f"bot-{started}.log"
                return await BotProcess(emu, tmp / "koperasi.sqlite3", log, cwd=tmp).start()

            outcome = await run_crowd(
                emu, start_bot, tmp / "koperasi.sqlite3", farmers=args.farmers, kills=args.kills, seed=args.seed,
                latency=args.latency,
            )  # fmt: skip
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(outcome.summary())
    for chat_id, texts in sorted(outcome.repeats.items()):
        for text, at in texts:
            delta = min((at - k.at for k in outcome.kills), key=abs, default=float("nan"))
            print(f"  chat {chat_id}: {text[:40]!r} first delivered {delta:+.3f} s from a kill")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--farmers", type=int, default=100)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--bot-src", help="run the bot from this source tree (git archive of a commit)"
    )
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per Bot API call")
    parser.add_argument("--keep", action="store_true", help="keep the bot logs and database")
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
