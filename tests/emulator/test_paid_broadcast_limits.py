"""The emulator's flood limits for paid broadcasts (allow_paid_broadcast=true): a budget of
their own, 1,000/s, beside the free 30/s; a chat's own limit still applies."""

from emulator.limits import FloodLimiter, FloodLimits


def test_the_emulator_counts_paid_broadcasts_against_their_own_budget():
    now = [0.0]
    flood = FloodLimiter(FloodLimits(global_rate=30.0, global_burst=30), clock=lambda: now[0])
    assert all(flood.acquire(chat) == 0.0 for chat in range(1, 31))
    assert flood.acquire(31) > 0  # the free budget is spent
    assert all(flood.acquire(chat, paid=True) == 0.0 for chat in range(100, 1100))
    assert flood.acquire(2000, paid=True) > 0  # 1,000 at once, then 1,000/s
    now[0] += 0.01
    assert sum(flood.acquire(chat, paid=True) == 0.0 for chat in range(3000, 3020)) == 10
    assert flood.acquire(1, paid=True) > 0  # a chat's own limit holds for paid sends too
