"""100 farmers register while the bot is SIGKILLed 5 times at random moments (seeded): all
of them end registered, and nothing reaches anyone twice except what no bot can avoid.

Every update not done at a kill is processed again by the next process. Calls Telegram had
accepted for it are answered from the bot's record instead of being made again (before the
record: the button press answered again and the chosen button ticked again, each refused by
Telegram with 400, about 400 times in such a run; a step with two messages sent its first
one again). What remains: a send on its way when the process died (Telegram delivers it, the
bot never heard back), which arrives twice.

The figures are printed (``-s``); ``python -m tests.e2e.crowd`` runs the same from the shell.
"""

from __future__ import annotations

import pytest

from tests.e2e.crowd import run_crowd

pytestmark = pytest.mark.asyncio

FARMERS, KILLS = 100, 5
# Calls on the wire at one moment here (≈60 calls/s, 50 ms each): ≈3. A replayed update's
# calls that Telegram had answered are not made again, so refusals stay around that.
REFUSED_PER_KILL = 5


async def test_a_crowd_registering_through_sigkills_gets_nothing_twice_but_sends_in_flight(
    emu, bots
):
    outcome = await run_crowd(emu, bots.start, farmers=FARMERS, kills=KILLS, seed=1)
    print(f"\n{outcome.summary()}")
    assert len(outcome.kills) == KILLS, "the crowd finished before every kill"
    in_flight = sum(kill.in_flight for kill in outcome.kills)
    # A reply whose 200 was on its way back at the kill (delivered just before it, the
    # bot's record not yet written) counts with the sends in flight: at most one per kill.
    assert outcome.repeated_messages <= in_flight + KILLS, outcome.repeats
    assert outcome.unexplained == {}, outcome.unexplained
    refused = outcome.refused.get("400", 0)
    assert refused <= REFUSED_PER_KILL * KILLS, (
        f"{refused} calls refused: replays made accepted calls again"
    )
