"""Rate limiter for sends: one Telegram budget, two priority lanes.

Telegram refuses sends with 429 beyond about 30 messages/s overall, about 1/s per private chat
(short bursts allowed) and 20/min per group. :class:`PriorityRateLimiter` keeps the bot under
those numbers (:class:`SendLimits`) so that it normally never sees a 429, and decides who goes
first when the budget is short:

* **interactive** (default): replies to a person who is waiting right now;
* **bulk**: broadcasts, alerts, reminders. They only get tokens that interactive sends don't
  need, so a backlog of thousands of bulk messages delays a reply by at most one token (~35 ms).

Choosing a lane (a send that names none is interactive)::

    await bot.send_message(chat_id, text, rate_limit_args=BULK)        # one call
    await bot.send_message(chat_id, text, rate_limit_args={"lane": BULK, "max_retries": 5})

**Paid broadcasts.** A send carrying ``allow_paid_broadcast=True`` (the bot pays 0.1 Telegram
Star per message) is not held to the 30/s: Telegram takes up to 1,000 such messages a second.
They go to a third lane, ``PAID``, with a budget of its own (``SendLimits.paid_rate``), so
they neither wait for nor take the tokens replies need; the per-chat limits still apply.

**On the wire.** :func:`on_the_wire` registers a coroutine function awaited right before a
send of the current context leaves (after its tokens are granted, before each attempt): the
outbox uses it to record "this message may now reach Telegram" only for the requests that
really go out, not for those still waiting for their turn.

Scheduling, in short: a send that finds no queue and free tokens goes straight out (the fast
path). Otherwise it joins its chat's FIFO queue for its lane. The head of each chat queue is
either *ready* (its chat may send now; it waits in its lane's heap, ordered by arrival, for a
global token) or *parked* until its chat may send again. Parking is what keeps one throttled
chat from holding up everybody else. A single dispatcher task hands out global tokens,
interactive heap first, and sleeps until the next token or the next parked chat is due.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dtm
import enum
import heapq
import inspect
import itertools
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from telegram.error import Forbidden, RetryAfter
from telegram.ext import BaseRateLimiter

__all__ = [
    "BULK",
    "INTERACTIVE",
    "PAID",
    "RETRY_MARGIN",
    "Lane",
    "PriorityRateLimiter",
    "SendLimits",
    "as_it_leaves",
    "first_in_line",
    "is_counted",
    "leaving",
    "on_the_wire",
    "resolve_lane",
    "retry_after_seconds",
]

_LOGGER = logging.getLogger(__name__)

# Floating point slack when comparing token counts and times.
_EPS = 1e-9
# Added to Telegram's retry_after: it is rounded and our clock is not Telegram's.
RETRY_MARGIN = 0.1


class Lane(enum.StrEnum):
    """Priority lane of a send. Interactive sends always go before waiting bulk sends; paid
    broadcasts have a budget of their own (chosen by the request, not by the caller)."""

    INTERACTIVE = "interactive"
    BULK = "bulk"
    PAID = "paid"


INTERACTIVE = Lane.INTERACTIVE
BULK = Lane.BULK
PAID = Lane.PAID
_LANES = (INTERACTIVE, BULK, PAID)  # in priority order (PAID takes no shared tokens)

_before_wire: contextvars.ContextVar[Callable[[], Awaitable[None]] | None] = contextvars.ContextVar(
    "before_wire", default=None
)


@contextlib.contextmanager
def on_the_wire(hook: Callable[[], Awaitable[None]]) -> Iterator[None]:
    """Inside the block, ``await hook()`` runs right before each send leaves for Telegram
    (after the rate limiter granted it; again before a retry after a 429). An exception from
    the hook stops the send: the request does not go out."""
    token = _before_wire.set(hook)
    try:
        yield
    finally:
        _before_wire.reset(token)


_first_in_line: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "first_in_line", default=False
)
# Subtracted from a send's arrival number: it sorts before every send queued in its lane.
_AHEAD = 1 << 62


@contextlib.contextmanager
def first_in_line() -> Iterator[None]:
    """Inside the block, sends go before every send already waiting in their lane (the
    limits still hold: they wait for a token and for their chat, never for the queue).
    For an update run again after a crash: it runs alone until it is done (a second crash
    during it is then its own), so the sooner its replies leave, the sooner everybody else
    runs, and it is not blamed for a crash while it only waited for its turn."""
    token = _first_in_line.set(True)
    try:
        yield
    finally:
        _first_in_line.reset(token)


_leaving: contextvars.ContextVar[Callable[[], Awaitable[None]] | None] = contextvars.ContextVar(
    "leaving", default=None
)


@contextlib.contextmanager
def as_it_leaves(hook: Callable[[], Awaitable[None]]) -> Iterator[None]:
    """Like :func:`on_the_wire`, later: inside the block a transport that announces its
    requests (``announces_leaving = True``, see :func:`leaving`) awaits ``hook()`` right
    before it writes each one out, its connection in hand. Only for such a transport."""
    token = _leaving.set(hook)
    try:
        yield
    finally:
        _leaving.reset(token)


async def leaving() -> None:
    """Awaited by a transport right before it writes a request out (see :func:`as_it_leaves`);
    an exception from the hook stops the request."""
    hook = _leaving.get()
    if hook is not None:
        await hook()


def resolve_lane(rate_limit_args: object) -> Lane:
    """The lane a request goes to: ``rate_limit_args`` if it names one, else interactive.

    Accepted: ``None``, a :class:`Lane` or its string, or a mapping with a ``"lane"`` key.
    """
    if rate_limit_args is None:
        return INTERACTIVE
    if isinstance(rate_limit_args, Mapping):
        lane = rate_limit_args.get("lane")
        return INTERACTIVE if lane is None else Lane(lane)
    return Lane(rate_limit_args)  # type: ignore[arg-type]


# Methods Telegram counts against the send budget: messages and their edits (an edit counts
# in its chat like a message). sendChatAction is a send* method that isn't a message;
# everything else (answers, deletions, getUpdates, setMyCommands...) is not counted.
_COUNTED_PREFIXES = ("send", "copy", "forward", "editMessage")
_NOT_COUNTED = frozenset({"sendChatAction"})


def is_counted(endpoint: str) -> bool:
    """Whether a Bot API method uses the message budget (and so waits for tokens)."""
    return endpoint.startswith(_COUNTED_PREFIXES) and endpoint not in _NOT_COUNTED


def retry_after_seconds(exc: RetryAfter) -> float:
    """``exc.retry_after`` in seconds, whether PTB gives an int or a timedelta (PTB_TIMEDELTA)."""
    with warnings.catch_warnings():
        # Reading the int flavour warns about the coming switch to timedelta; we handle both.
        warnings.simplefilter("ignore", DeprecationWarning)
        value = exc.retry_after
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)


@dataclass(frozen=True, slots=True)
class SendLimits:
    """The budget, a hair below what Telegram (and the loopback emulator) enforce.

    Telegram: 30/s overall (bucket of 30), 1/s per private chat (bucket of 3), 20 per 60 s per
    group. The margins absorb the difference between when we send and when Telegram counts.
    """

    overall_rate: float = 29.0  # tokens per second for all counted sends together
    # Bucket size: how many may go out at once after a quiet spell. Half of Telegram's 30:
    # a token is taken when a send is granted, but a burst granted while the event loop was
    # busy (queuing a 3,000-message broadcast blocks it ~0.4 s) reaches Telegram all at once;
    # with 28 the benchmark saw a few 429s at the start of every broadcast.
    overall_burst: float = 15.0
    private_rate: float = 0.95  # per private chat (positive chat_id)
    private_burst: float = 3.0
    group_max: int = 20  # per group/channel (negative or @username chat_id) ...
    group_window: float = 61.0  # ... within this many seconds (sliding window)
    # Paid broadcasts (allow_paid_broadcast=True): Telegram's 1,000/s, a budget of their own.
    paid_rate: float = 980.0
    paid_burst: float = 100.0

    def __post_init__(self) -> None:
        if min(self.overall_rate, self.private_rate, self.group_window, self.paid_rate) <= 0:
            raise ValueError("rates and the group window must be positive")
        if min(self.overall_burst, self.private_burst, self.group_max, self.paid_burst) < 1:
            raise ValueError("bursts and group_max must be at least 1")


class _TokenBucket:
    """Classic token bucket; ``stamp`` may lie in the future while Telegram told us to wait."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def _refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def ready(self, now: float) -> bool:
        """Whether a send may go out now."""
        self._refill(now)
        return self.tokens >= 1.0 - _EPS

    def next_at(self, now: float) -> float:
        """When the next send may go out (``now`` if it may go now)."""
        if self.ready(now):
            return now
        return max(now, self.stamp) + (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1.0

    def hold(self, now: float, until: float) -> None:
        """Nothing before ``until``, then one send, then the normal rate (a 429's meaning)."""
        self._refill(now)
        self.tokens = 0.0
        self.stamp = max(self.stamp, now, until - 1.0 / self.rate)

    def idle(self, now: float) -> bool:
        """Full again, i.e. indistinguishable from a fresh bucket."""
        self._refill(now)
        return self.tokens >= self.capacity - _EPS


class _SlidingWindow:
    """At most ``limit`` sends within any ``window`` seconds."""

    __slots__ = ("held_until", "limit", "sent", "window")

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.sent: deque[float] = deque(maxlen=limit)  # append drops the expired oldest
        self.held_until = float("-inf")  # a 429's retry_after for this chat

    def ready(self, now: float) -> bool:
        return now >= self.held_until and (
            len(self.sent) < self.limit or self.sent[0] + self.window <= now
        )

    def next_at(self, now: float) -> float:
        if len(self.sent) < self.limit:
            return max(now, self.held_until)
        return max(now, self.held_until, self.sent[0] + self.window)

    def take(self, now: float) -> None:
        self.sent.append(now)

    def hold(self, now: float, until: float) -> None:
        """Nothing before ``until`` (a 429 for this chat)."""
        self.held_until = max(self.held_until, until)

    def idle(self, now: float) -> bool:
        return now >= self.held_until and (not self.sent or self.sent[-1] + self.window <= now)


class _NoLimit:
    """Sends without a chat_id: only the global budget applies."""

    __slots__ = ()

    def ready(self, now: float) -> bool:
        return True

    def next_at(self, now: float) -> float:
        return now

    def take(self, now: float) -> None:
        pass

    def hold(self, now: float, until: float) -> None:
        pass

    def idle(self, now: float) -> bool:
        return True


_Limit = _TokenBucket | _SlidingWindow | _NoLimit
_Waiter = tuple[int, asyncio.Future[None]]  # (arrival sequence number, granted when done)


class _Chat:
    """Per-chat limit state plus the sends of this chat waiting in each lane (FIFO)."""

    __slots__ = ("limit", "listed", "parked", "queues")

    def __init__(self, limit: _Limit) -> None:
        self.limit = limit
        self.parked = False  # True while in the parked heap, waiting for its own limit
        self.queues: dict[Lane, deque[_Waiter]] = {lane: deque() for lane in _LANES}
        # Arrival number of this chat's entry in each lane's ready heap (-1: none), so that a
        # head is never listed twice.
        self.listed: dict[Lane, int] = dict.fromkeys(_LANES, -1)

    def empty(self) -> bool:
        return not any(self.queues.values())


def _chat_key(chat_id: object) -> Hashable | None:
    if isinstance(chat_id, str):
        with contextlib.suppress(ValueError):
            return int(chat_id)  # "123" and 123 are the same chat
    return chat_id  # type: ignore[return-value]


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


JSONDict = dict[str, Any]
ForbiddenHook = Callable[[int | str], Awaitable[None] | None]
Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


class PriorityRateLimiter(BaseRateLimiter[Any]):
    """Keeps sends under Telegram's limits; interactive sends go before bulk ones.

    Args:
        limits: The budget; defaults to :class:`SendLimits`.
        max_retries: How often a send refused with 429 is retried before the error is raised.
        on_forbidden: Called (and awaited if async) with the chat_id when Telegram answers 403,
            e.g. because the person blocked the bot. The error is re-raised afterwards.
        clock: Monotonic time in seconds. Tests inject a fake one together with ``sleep``.
        sleep: Awaitable sleep matching ``clock``; defaults to the event loop's timers.
        sweep_threshold: Chat states kept before idle ones (limits fully recovered) are dropped.
    """

    __slots__ = (
        "_chats",
        "_clock",
        "_dispatcher",
        "_global",
        "_last_429",
        "_limits",
        "_max_retries",
        "_on_forbidden",
        "_order",
        "_paid",
        "_parked",
        "_ready",
        "_sleep",
        "_sweep_at",
        "_sweep_threshold",
        "_waiting",
        "_wake",
    )

    def __init__(
        self,
        limits: SendLimits | None = None,
        *,
        max_retries: int = 3,
        on_forbidden: ForbiddenHook | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        sweep_threshold: int = 4096,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must not be negative")
        self._limits = limits or SendLimits()
        self._max_retries = max_retries
        self._on_forbidden = on_forbidden
        self._clock = clock
        self._sleep = sleep
        self._sweep_threshold = self._sweep_at = sweep_threshold
        limits = self._limits
        self._global = _TokenBucket(limits.overall_rate, limits.overall_burst, clock())
        self._paid = _TokenBucket(limits.paid_rate, limits.paid_burst, clock())
        self._chats: dict[Hashable | None, _Chat] = {}
        # Heads of chat queues whose chat may send now: (arrival seq, tiebreak, chat) per lane.
        # Entries are checked when popped; one whose head has moved on is simply dropped.
        self._ready: dict[Lane, list[tuple[int, int, _Chat]]] = {lane: [] for lane in _LANES}
        # Chats whose own limit is exhausted: (time it recovers, tiebreak, chat).
        self._parked: list[tuple[float, int, _Chat]] = []
        self._waiting: dict[Lane, int] = dict.fromkeys(_LANES, 0)  # queued (incl. cancelled)
        self._order = itertools.count()  # arrival numbers and heap tiebreaks
        self._dispatcher: asyncio.Task[None] | None = None
        self._wake: asyncio.Future[None] | None = None
        # The chat of the last 429 and until when it is held (see _back_off).
        self._last_429: tuple[Hashable | None, float] = (None, float("-inf"))

    # ------------------------------------------------------------------ public API

    @property
    def limits(self) -> SendLimits:
        return self._limits

    def waiting(self, lane: Lane | None = None) -> int:
        """Sends queued for tokens (in ``lane``, or in total)."""
        if lane is not None:
            return self._waiting[Lane(lane)]
        return sum(self._waiting.values())

    @property
    def tracked_chats(self) -> int:
        """Chats whose limit state is remembered (bounded by periodic sweeping)."""
        return len(self._chats)

    async def initialize(self) -> None:
        """Nothing to allocate: the dispatcher starts when the first send has to wait."""

    async def shutdown(self) -> None:
        """Stops the dispatcher; sends still waiting for tokens are cancelled."""
        dispatcher, self._dispatcher = self._dispatcher, None
        if dispatcher is not None:
            dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await dispatcher
        self._drop_waiters(None)

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Any,
    ) -> bool | JSONDict | list[JSONDict]:
        """Waits for the budget (counted sends only), sends, and handles 429 and 403."""
        lane, max_retries = self._parse_args(rate_limit_args)
        if data.get("allow_paid_broadcast"):
            lane = PAID
        elif lane is PAID:  # only a paid request may use the paid budget
            lane = BULK
        chat_id = data.get("chat_id")
        key = chat_id if type(chat_id) is int else _chat_key(chat_id)
        counted = is_counted(endpoint)
        seq = next(self._order)  # kept across retries, so a retried send stays near the front
        if _first_in_line.get():
            seq -= _AHEAD
        attempt = 0
        while True:
            if counted:
                now = self._clock()
                if not self._try_take(key, lane, now):
                    await self._wait_for_tokens(key, lane, seq, now)
            hook = _before_wire.get()
            if hook is not None:
                await hook()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= max_retries:
                    _LOGGER.warning("%s refused with 429 after %d retries", endpoint, attempt)
                    raise
                attempt += 1
                await self._back_off(key, counted, retry_after_seconds(exc) + RETRY_MARGIN, lane)
            except Forbidden:
                await self._report_forbidden(chat_id)
                raise

    def _parse_args(self, rate_limit_args: Any) -> tuple[Lane, int]:
        """(lane, max_retries) from ``rate_limit_args``; see :func:`resolve_lane`."""
        if rate_limit_args is None:
            return INTERACTIVE, self._max_retries
        max_retries = self._max_retries
        if isinstance(rate_limit_args, Mapping):
            max_retries = int(rate_limit_args.get("max_retries", max_retries))
        return resolve_lane(rate_limit_args), max_retries

    # ------------------------------------------------------------------ 429 / 403

    async def _back_off(
        self, key: Hashable | None, counted: bool, delay: float, lane: Lane = INTERACTIVE
    ) -> None:
        """Telegram's 429 for a counted method holds its chat for ``retry_after``; the other
        chats go on. A 429 without a chat, or one for another chat while a chat is held
        (several chats at once: the overall limit), pauses the whole send budget (the paid
        one for a paid send). Other methods just wait themselves."""
        _LOGGER.info("Telegram asked to wait %.1f s (chat %s)", delay, key)
        if not counted:
            await (self._sleep or asyncio.sleep)(delay)
            return
        now = self._clock()
        until = now + delay
        last_key, last_until = self._last_429
        if key is None or (last_key != key and last_until > now):
            (self._paid if lane is PAID else self._global).hold(now, until)
        self._last_429 = (key, max(until, last_until) if last_key == key else until)
        chat = self._chat(key, now)
        chat.limit.hold(now, until)
        if self._dispatcher is not None:
            self._kick()  # its sleep was computed before the hold
        # The retry then waits for the (held) budget like any other send.

    async def _report_forbidden(self, chat_id: object) -> None:
        if self._on_forbidden is None or chat_id is None:
            return
        try:
            result = self._on_forbidden(chat_id)  # type: ignore[arg-type]
            if inspect.isawaitable(result):
                await result
        except Exception:  # the 403 is what the caller must see, not the hook's failure
            _LOGGER.exception("on_forbidden hook failed for chat %s", chat_id)

    # ------------------------------------------------------------------ fast path

    def _try_take(self, key: Hashable | None, lane: Lane, now: float) -> bool:
        """Takes the tokens right away if nobody is queued ahead and the budget allows."""
        # (Module constants, not Lane.X: enum attribute access is slow and this runs per send.)
        if lane is PAID:
            if self._waiting[PAID]:
                return False
            budget = self._paid
        else:
            if self._waiting[INTERACTIVE] or (lane is BULK and self._waiting[BULK]):
                return False  # queued sends come first (interactive may pass queued bulk)
            budget = self._global
        if not budget.ready(now):
            return False
        chat = self._chat(key, now)
        if not chat.limit.ready(now):
            return False
        budget.take(now)
        chat.limit.take(now)
        return True

    # ------------------------------------------------------------------ slow path

    async def _wait_for_tokens(
        self, key: Hashable | None, lane: Lane, seq: int, now: float
    ) -> None:
        """Queues the send; the dispatcher resolves the future after taking its tokens."""
        chat = self._chat(key, now)
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = chat.queues[lane]
        if queue and seq < queue[0][0]:
            queue.appendleft((seq, granted))  # a retry keeps its place ahead of later sends
        else:
            queue.append((seq, granted))
        self._waiting[lane] += 1
        if queue[0][1] is granted:
            self._offer(chat, lane, now)
        self._kick()
        await granted  # if cancelled, the dispatcher drops the entry when it meets it

    def _chat(self, key: Hashable | None, now: float) -> _Chat:
        chat = self._chats.get(key)
        if chat is None:
            if len(self._chats) >= self._sweep_at:
                self._sweep(now)
            chat = self._chats[key] = _Chat(self._new_limit(key))
        return chat

    def _new_limit(self, key: Hashable | None) -> _Limit:
        limits = self._limits
        if key is None:
            return _NoLimit()
        if isinstance(key, int) and key > 0:
            return _TokenBucket(limits.private_rate, limits.private_burst, self._clock())
        return _SlidingWindow(limits.group_max, limits.group_window)  # groups, channels, @names

    def _sweep(self, now: float) -> None:
        """Forgets chats with nothing queued whose limit recovered: they equal new ones."""
        idle = [
            key
            for key, chat in self._chats.items()
            if not chat.parked and chat.empty() and chat.limit.idle(now)
        ]
        for key in idle:
            del self._chats[key]
        self._sweep_at = max(self._sweep_threshold, 2 * len(self._chats))

    def _head(self, chat: _Chat, lane: Lane) -> _Waiter | None:
        """The chat's first live waiter in ``lane``; drops ones cancelled while waiting."""
        queue = chat.queues[lane]
        while queue and queue[0][1].done():
            queue.popleft()
            self._waiting[lane] -= 1
        return queue[0] if queue else None

    def _offer(self, chat: _Chat, lane: Lane, now: float) -> None:
        """Makes the chat's head in ``lane`` visible: ready for a global token, or parked."""
        head = self._head(chat, lane)
        if head is None or chat.parked or chat.listed[lane] == head[0]:
            return  # nothing to offer, offered again on unpark, or already listed
        if chat.limit.next_at(now) > now:
            self._park(chat, now)
        else:
            chat.listed[lane] = head[0]
            heapq.heappush(self._ready[lane], (head[0], next(self._order), chat))

    def _park(self, chat: _Chat, now: float) -> None:
        chat.parked = True
        heapq.heappush(self._parked, (chat.limit.next_at(now), next(self._order), chat))

    def _unpark(self, now: float) -> None:
        while self._parked and self._parked[0][0] <= now:
            chat = heapq.heappop(self._parked)[2]
            chat.parked = False
            for lane in _LANES:
                self._offer(chat, lane, now)  # parks again if its limit was held meanwhile

    def _grant(self, now: float) -> None:
        """Hands out the global tokens available now: interactive first, each lane FIFO (paid
        sends from their own budget)."""
        for lane in _LANES:
            budget = self._paid if lane is PAID else self._global
            heap = self._ready[lane]
            while heap:
                seq, _, chat = heap[0]
                head = self._head(chat, lane)
                if chat.parked or head is None or head[0] != seq:
                    self._pop_ready(lane)  # stale: the chat is parked or its head moved on
                    self._offer(chat, lane, now)  # no-op unless a cancelled head had a successor
                    continue
                if budget.next_at(now) > now:
                    break  # out of tokens: bulk finds the shared budget empty too
                self._pop_ready(lane)
                if chat.limit.next_at(now) > now:
                    self._park(chat, now)  # this chat waits; the others keep going
                    continue
                budget.take(now)
                chat.limit.take(now)
                chat.queues[lane].popleft()
                self._waiting[lane] -= 1
                head[1].set_result(None)
                self._offer(chat, lane, now)  # the chat's next send, if any

    def _pop_ready(self, lane: Lane) -> None:
        seq, _, chat = heapq.heappop(self._ready[lane])
        if chat.listed[lane] == seq:
            chat.listed[lane] = -1

    def _next_wake(self, now: float) -> float | None:
        """Seconds until something can change: a global token or a parked chat recovering."""
        due = []
        if self._ready[INTERACTIVE] or self._ready[BULK]:
            due.append(self._global.next_at(now))
        if self._ready[PAID]:
            due.append(self._paid.next_at(now))
        if self._parked:
            due.append(self._parked[0][0])
        return max(0.0, min(due) - now) if due else None

    # ------------------------------------------------------------------ dispatcher task

    def _kick(self) -> None:
        """Starts the dispatcher, or wakes it so it looks at the queues again."""
        if self._dispatcher is None:
            self._dispatcher = asyncio.get_running_loop().create_task(
                self._dispatch(), name="PriorityRateLimiter:dispatcher"
            )
        elif self._wake is not None:
            _resolve(self._wake)

    async def _dispatch(self) -> None:
        try:
            while True:
                now = self._clock()
                self._unpark(now)
                self._grant(now)
                if not any(self._waiting.values()):
                    break
                await self._idle(self._next_wake(now))
            self._forget_stale_entries()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug here must not leave senders hanging forever
            _LOGGER.exception("rate limiter dispatcher failed")
            self._drop_waiters(exc)
        finally:
            if self._dispatcher is asyncio.current_task():
                self._dispatcher = None

    async def _idle(self, delay: float | None) -> None:
        """Sleeps ``delay`` seconds (forever if None) or until :meth:`_kick`."""
        loop = asyncio.get_running_loop()
        wake = self._wake = loop.create_future()
        timer: asyncio.TimerHandle | asyncio.Task[None] | None = None
        if delay is not None and self._sleep is None:
            timer = loop.call_later(delay, _resolve, wake)  # cheapest in real time
        elif delay is not None:
            timer = loop.create_task(self._sleep(delay))  # type: ignore[arg-type]
            timer.add_done_callback(lambda _: _resolve(wake))
        try:
            await wake
        finally:
            self._wake = None
            if timer is not None:
                timer.cancel()

    def _forget_stale_entries(self) -> None:
        """Nothing is queued: every heap entry left is stale; drop them with their chats."""
        for heap in self._ready.values():
            for _, _, chat in heap:
                chat.listed = dict.fromkeys(_LANES, -1)
            heap.clear()
        for _, _, chat in self._parked:
            chat.parked = False
        self._parked.clear()

    def _drop_waiters(self, exc: BaseException | None) -> None:
        """Fails (or with ``None`` cancels) every queued send and resets the queues."""
        for chat in self._chats.values():
            for queue in chat.queues.values():
                for _, granted in queue:
                    if granted.done():
                        continue
                    if exc is None:
                        granted.cancel()
                    else:
                        granted.set_exception(exc)
                queue.clear()
        self._waiting = dict.fromkeys(_LANES, 0)
        self._forget_stale_entries()
