"""The broadcast sender: drains the outbox (``storage.outbox``) through the bulk lane, and
resumes where it stopped after a crash or a restart without sending anyone the same
broadcast twice.

How a broadcast is sent::

    await context.db.write(outbox.enqueue, key=digest_key(day, zone), kind=PRICE_DIGEST,
                           messages=[OutgoingMessage(person_id, chat_id, text), ...])
    context.bot_data.outbox.wake()      # else the sender finds it within POLL_SECONDS

:class:`OutboxSender` is started with the application and stopped with it. It claims due
rows, sends each through the rate limiter's bulk lane (or, with paid broadcasts on, with
``allow_paid_broadcast=True`` in the 1,000/s paid lane) and records what became of it. The
application gives it the lean path (``bot.runtime.bulk``: the row's JSON body posted on
keep-alive connections of its own, no PTB ``Bot`` or ``Message``); without a transport it
sends with ``bot.send_message``, to the same effect
(``test_the_lean_path_sends_what_the_ptb_path_sent``).

* **429** (flood limit): the rate limiter already waited ``retry_after`` and tried again
  (``max_retries``); refused still, the message is queued again for after ``retry_after``
  and the sender claims nothing new until then. Not counted as a failure.
* **403** (the person blocked the bot): the row is ``gone``, every other queued message to
  them too, and they are marked unreachable (the limiter's hook does the same by chat id).
* A refusal that may pass and certainly did not deliver the message (Telegram's 5xx, no
  connection, no free connection): tried again after 5 s, 10 s, 20 s … (at most 10 minutes
  apart), given up after ``MAX_ATTEMPTS`` (``domain.broadcasts``).
* Any other refusal (400: chat not found, text refused): ``failed``, not retried.

**Exactly once, or at most once.** A row is marked ``sending`` right before its request
leaves (``bot.runtime.ratelimit.on_the_wire``: after the rate limiter granted it, so rows
still waiting for their turn stay ``queued``) and ``sent`` with Telegram's message id once
Telegram answered. The marks of requests leaving together are one statement (a group commit,
:class:`_SendingMarks`), the sent marks too (``Batcher``): each request leaves only once its
own mark is committed. Telegram has no idempotency key: for a request that was on its way when
the process died, or that got no answer (a read timeout, a connection broken after the
request was written), nobody can tell whether the person got it. Such a message is counted as
sent and never sent again: **at most once**, possibly missed, never twice. At start
(:meth:`OutboxSender.start`) rows left ``sending`` are settled that way
(``storage.outbox.settle_in_flight``); there are at most as many as were on the wire at the
crash (``concurrency``, in practice the few a fraction of a second of sending holds).
A stop (SIGTERM) cuts nothing: messages waiting for their turn are cancelled and stay
queued; those on the wire get ``grace`` seconds to come back and be recorded.

The administrator who started a broadcast gets one message, edited at most every
``PROGRESS_EVERY_SECONDS`` (sent / failed / left), and a summary when it is done (at most
once: the broadcast is marked done first).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

import httpx
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.i18n import _, format_number, use_locale
from bot.runtime.batch import Batcher
from bot.runtime.bulk import BulkTransport, answer, message_body
from bot.runtime.ratelimit import BULK, as_it_leaves, on_the_wire, retry_after_seconds
from domain.broadcasts import (
    MAX_ATTEMPTS,
    PROGRESS_EVERY_SECONDS,
    Progress,
    gives_up,
    report_due,
    retry_delay,
)
from storage import outbox, people
from storage.db import Database
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

# A broadcast enqueued by another process (the command line) is found within this time; one
# enqueued in the bot is sent at once (wake()).
POLL_SECONDS = 1.0
# Messages handed to the rate limiter at once: enough to keep its budget busy while each
# request takes its round trip (30/s × ~0.1 s; 1,000/s × ~0.1 s for paid broadcasts).
CONCURRENCY = 8
PAID_CONCURRENCY = 160

# The request never reached Telegram: no connection, none free, or not even written out.
_NEVER_LEFT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
)


def may_have_arrived(exc: BaseException) -> bool:
    """Whether a send that ended with ``exc`` may still have been delivered: no answer came
    although the request was (or may have been) written out: a read timeout, a connection
    broken while waiting for the answer, or a timeout whose cause is not known. An answer
    from Telegram (any status: 5xx, 429, 403, 400) or a request that never left: False."""
    if isinstance(exc, RetryAfter | Forbidden | BadRequest):
        return False
    if not isinstance(exc, NetworkError):
        return True  # anything unexpected while the request was out: assume it arrived
    cause = exc.__cause__
    if isinstance(cause, _NEVER_LEFT):
        return False
    if cause is None:
        # PTB raises a bare NetworkError for an HTTP error status (Telegram answered), and
        # TimedOut always from the transport's timeout (only a fake transport has none).
        return isinstance(exc, TimedOut)
    return True


def _markup(row: OutboxRow, bot: Bot) -> InlineKeyboardMarkup | None:
    if not row.reply_markup:
        return None
    return InlineKeyboardMarkup.de_json(json.loads(row.reply_markup), bot)


def progress_text(progress: Progress, *, done: bool = False) -> str:
    """The administrator's progress message, in the current language."""
    return "\n".join([
        _("📣 The broadcast is done.") if done else _("📣 Sending the broadcast…"),
        _("Sent: {count}").format(count=format_number(progress.sent)),
        _("Failed: {count}").format(count=format_number(progress.not_delivered)),
        _("Left: {count}").format(count=format_number(progress.left)),
    ])  # fmt: skip


def summary_text(progress: Progress) -> str:
    """The summary when a broadcast is done, in the current language."""
    lines = [
        _("📣 The broadcast is done."),
        _("Sent: {count}").format(count=format_number(progress.sent)),
    ]
    if progress.gone:
        lines.append(_("Blocked the bot: {count}").format(count=format_number(progress.gone)))
    if progress.failed:
        lines.append(_("Failed: {count}").format(count=format_number(progress.failed)))
    return "\n".join(lines)


class _Withdrawn(Exception):
    """The row was withdrawn while it waited for its turn: its request must not leave."""


def _withdrawn(exc: BaseException | None) -> bool:
    while exc is not None:  # PTB wraps what a transport raises in a NetworkError
        if isinstance(exc, _Withdrawn):
            return True
        exc = exc.__cause__
    return False


class _SendingMarks:
    """Group commit of 'sending' marks: the rows whose requests are about to leave while a
    mark is being written go together in the next statement (at 1,000 messages/s, one commit
    per message was a good part of the sender's cost). Each request leaves only once its own
    mark is committed, as before; a mark that failed to be written stops its request."""

    def __init__(self, db: Database, holder: str | None = None) -> None:
        self._db = db
        self._holder = holder  # this process's claim (storage.outbox.mark_sending)
        self._pending: list[tuple[int, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def mark(self, row_id: int) -> bool:
        """True once the row is marked 'sending'; False: withdrawn, it must not leave."""
        marked: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((row_id, marked))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="OutboxSender:marks")
        return await marked

    async def _write_all(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                marked = await outbox.mark_sending_many(
                    self._db, [row_id for row_id, _ in batch], holder=self._holder
                )
            except Exception as exc:  # noqa: BLE001 - each request waiting for it fails
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for row_id, future in batch:
                if not future.done():
                    future.set_result(row_id in marked)


class OutboxSender:
    """One per application: see the module docstring.

    Args:
        bot: The application's bot (its rate limiter paces the sends).
        db: The database holding the outbox.
        paid: Send as paid broadcasts (``allow_paid_broadcast=True``, Telegram Stars).
        concurrency: Messages handed to the rate limiter at once.
        max_retries: 429s the rate limiter waits out itself before the sender requeues.
        max_attempts: Failures that may pass before a message is given up.
        backoff: Seconds to wait after the n-th such failure.
        poll_seconds, progress_seconds: How often the outbox is looked at without being
            woken, and the administrator's message edited at most.
        clock: Unix seconds (tests may move time).
        transport: The lean path (``bot.runtime.bulk``): rows are posted as JSON bodies through
            the bot's rate limiter, without PTB's ``Bot``. None: ``bot.send_message``.
    """

    def __init__(
        self,
        bot: Bot,
        db: Database,
        *,
        paid: bool = False,
        concurrency: int | None = None,
        max_retries: int = 3,
        max_attempts: int = MAX_ATTEMPTS,
        backoff: Callable[[int], float] = retry_delay,
        poll_seconds: float = POLL_SECONDS,
        progress_seconds: float = PROGRESS_EVERY_SECONDS,
        clock: Callable[[], float] = time.time,
        identity: str | None = None,
        transport: BulkTransport | None = None,
    ) -> None:
        self._bot = bot
        # Rows are claimed in the table for this process (other processes send from the
        # same outbox: storage.outbox); None: the only sender (tests building one alone).
        self.identity = identity
        self._db = db
        self.paid = paid
        self.concurrency = concurrency or (PAID_CONCURRENCY if paid else CONCURRENCY)
        self.max_retries = max_retries
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.poll_seconds = poll_seconds
        self.progress_seconds = progress_seconds
        self._clock = clock
        self._transport = transport
        self._limiter = getattr(bot, "rate_limiter", None)
        self._marks = _SendingMarks(db, identity)
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None
        self._claimed: deque[OutboxRow] = deque()  # claimed, not started
        self._sending: dict[int, asyncio.Task[None]] = {}  # row id → its task
        # Rows past their turn in the rate limiter: being marked 'sending', or marked and on
        # the wire. A stop lets these finish (for a while); the others it cancels.
        self._marking: set[int] = set()
        self._on_wire: set[int] = set()
        self._paused_until = 0.0  # Telegram's last retry_after
        self._reported: dict[int, tuple[float, Progress]] = {}  # broadcast id → last edit
        self._sent: Batcher[tuple[int, int | None, str | None]] | None = None
        self._stopping = False
        self.settled_at_start = 0  # rows left 'sending' by the process before
        # The transport marks rows right before their requests leave (bot.runtime.http)
        request = transport if transport is not None else getattr(bot, "request", None)
        self._announced = bool(getattr(request, "announces_leaving", False))

    # ------------------------------------------------------------------ life cycle

    @property
    def running(self) -> bool:
        return self._loop is not None and not self._loop.done()

    async def start(self) -> None:
        """Settles what the process before left on the wire, then sends in the background."""
        if self.running:
            return
        self._stopping = False
        self.settled_at_start = await outbox.settle_in_flight(
            self._db, shared=self.identity is not None
        )
        if self.settled_at_start:
            log.warning(
                "%d broadcast message(s) were on their way to Telegram when the bot stopped:"
                " counted as sent, not sent again",
                self.settled_at_start,
            )
        db = self._db
        self._sent = Batcher(lambda rows: outbox.mark_sent(db, rows), "sent broadcast messages")
        if self._transport is not None:
            await self._transport.initialize()
        self._loop = asyncio.create_task(self._run(), name="OutboxSender")

    def wake(self) -> None:
        """Look at the outbox now (a broadcast was just enqueued)."""
        self._wake.set()

    async def stop(self, grace: float) -> None:
        """Claims nothing more; messages waiting for their turn are cancelled (they stay
        queued), those on the wire get ``grace`` seconds to come back and be recorded; then
        whatever is left is cancelled (a row left ``sending`` is settled at the next start)."""
        if self._loop is None:
            return
        self._stopping = True
        self._wake.set()
        for row_id, task in list(self._sending.items()):
            if row_id not in self._on_wire and row_id not in self._marking:
                task.cancel()
        pending = {t for t in (self._loop, *self._sending.values()) if not t.done()}
        if pending:
            _, late = await asyncio.wait(pending, timeout=grace)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=0.5)
        if self._sent is not None:
            await self._sent.flush()
        if self._transport is not None:
            await self._transport.shutdown()
        self._claimed.clear()
        if self.identity is not None:  # what it did not send: another sender's at once
            try:
                await outbox.release(self._db, self.identity)
            except Exception:  # noqa: BLE001 - the claims lapse by themselves
                log.exception("could not give back the claimed outbox rows")
        self._loop = None

    async def settle(self, within: float = 10.0) -> None:
        """Until the messages on their way now are answered and recorded (their message ids
        stored): e.g. before the alerts of an offer just taken are edited."""
        sending = [task for task in self._sending.values() if not task.done()]
        if sending:
            await asyncio.wait(sending, timeout=within)
        if self._sent is not None:
            await self._sent.flush()

    async def idle(self, within: float = 10.0) -> None:
        """Until nothing is due: every row due now sent and recorded (tests)."""
        deadline = time.monotonic() + within
        while self.running:
            await self.settle(within)
            due = await outbox.next_due_at(self._db)
            if not self._claimed and not self._sending and (due is None or due > self._clock()):
                if self._sent is not None:
                    await self._sent.flush()
                return
            if time.monotonic() > deadline:
                raise TimeoutError("the outbox is still sending")
            self._wake.set()
            await asyncio.sleep(0.005)

    # ------------------------------------------------------------------ the loop

    async def _run(self) -> None:
        last_report = 0.0
        while not self._stopping:
            self._wake.clear()
            try:
                await self._fill()
                now = time.monotonic()
                if now - last_report >= min(1.0, self.progress_seconds) or not self._sending:
                    last_report = now
                    await self._report()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the sender must outlive a bad moment
                log.exception("broadcast sender: retrying in %.0f s", self.poll_seconds)
            if self._stopping:
                break
            await self._sleep()

    async def _sleep(self) -> None:
        """Until woken (enqueued, a message done), the next row is due, or POLL_SECONDS."""
        timeout = self.poll_seconds
        now = self._clock()
        if self._paused_until > now:
            timeout = min(timeout, self._paused_until - now)
        elif self._claimed and len(self._sending) < self.concurrency:
            return
        elif not self._claimed:
            # Rows due now are all claimed or being sent: the next one due later.
            due = await outbox.next_due_at(self._db, after=int(now))
            if due is not None:
                timeout = min(timeout, max(0.0, due - now))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(timeout, 0.01))

    async def _fill(self) -> None:
        """Keeps ``concurrency`` messages in the rate limiter, claiming more when few are left."""
        if self._clock() < self._paused_until:
            return
        if len(self._claimed) < self.concurrency:
            busy = set(self._sending) | {row.id for row in self._claimed}
            rows = await outbox.claim_due(
                self._db,
                int(self._clock()),
                2 * self.concurrency - len(self._claimed),
                busy,
                holder=self.identity,
            )
            self._claimed.extend(rows)
        while self._claimed and len(self._sending) < self.concurrency and not self._stopping:
            row = self._claimed.popleft()
            task = asyncio.create_task(self._send(row), name=f"outbox:{row.id}")
            self._sending[row.id] = task

    # ------------------------------------------------------------------ one message

    async def _send(self, row: OutboxRow) -> None:
        async def before_wire() -> None:
            self._marking.add(row.id)
            try:
                marked = await self._marks.mark(row.id)
            finally:
                self._marking.discard(row.id)
            if not marked:  # withdrawn meanwhile: the request must not leave
                raise _Withdrawn(row.id)
            self._on_wire.add(row.id)  # from here on, Telegram may get it

        args = {"lane": BULK, "max_retries": self.max_retries}
        # Marked 'sending' as late as can be: by the transport, its connection in hand (else
        # when the rate limiter lets it go), so a kill finds at most the one row whose mark
        # was just written and whose request had not left yet.
        hooked = as_it_leaves if self._announced else on_the_wire
        try:
            with hooked(before_wire):
                if self._transport is not None:
                    message_id = await self._post(row, args, before_wire)
                else:
                    message = await self._bot.send_message(
                        row.chat_id, row.text, reply_markup=_markup(row, self._bot),
                        allow_paid_broadcast=True if self.paid else None, rate_limit_args=args,
                    )  # fmt: skip
                    message_id = message.message_id
        except asyncio.CancelledError:
            raise  # a stop: queued rows stay queued, a row on the wire is settled at start
        except Exception as exc:  # noqa: BLE001 - every outcome is recorded
            if _withdrawn(exc):
                log.debug("outbox row %s withdrawn before it was sent", row.id)
            else:
                await self._record_failure(row, exc)
        else:
            self._record_sent(row.id, message_id, None)
        finally:
            self._sending.pop(row.id, None)
            self._marking.discard(row.id)
            self._on_wire.discard(row.id)
            self._wake.set()

    async def _post(
        self, row: OutboxRow, args: dict, before_wire: Callable[[], Awaitable[None]]
    ) -> int | None:
        """The lean path: the row's JSON body through the rate limiter (its lane, 429 waits
        and 403 hook, as for ``bot.send_message``) to the transport; Telegram's message id."""
        body = message_body(row.chat_id, row.text, row.reply_markup, paid=self.paid)
        transport = self._transport
        assert transport is not None

        async def call(*_: object, **__: object) -> dict:
            status, payload = await transport.post("sendMessage", body)
            return answer(status, payload)

        if self._limiter is None:
            if not self._announced:
                await before_wire()
            result = await call()
        else:
            data: dict[str, object] = {"chat_id": row.chat_id}
            if self.paid:
                data["allow_paid_broadcast"] = True  # the paid lane
            result = await self._limiter.process_request(call, (), {}, "sendMessage", data, args)
        return result.get("message_id") if isinstance(result, dict) else None

    def _record_sent(self, row_id: int, message_id: int | None, error: str | None) -> None:
        """Written in the next group commit (a crash before it leaves the row 'sending',
        which counts as sent too); the loop looks again once it is written."""
        assert self._sent is not None
        written = self._sent.submit((row_id, message_id, error))
        written.add_done_callback(lambda _: self._wake.set())

    async def _record_failure(self, row: OutboxRow, exc: Exception) -> None:
        db = self._db
        now = self._clock()
        reason = f"{type(exc).__name__}: {exc}"
        try:
            if isinstance(exc, RetryAfter):
                wait = retry_after_seconds(exc)
                self._paused_until = max(self._paused_until, now + wait)
                await outbox.retry_later(db, row.id, math.ceil(now + wait), reason, failure=False)
            elif isinstance(exc, Forbidden):
                await outbox.mark_gone(db, row.id, row.person_id, reason)
            elif row.id in self._on_wire and may_have_arrived(exc):
                log.warning("broadcast message %s: no answer from Telegram (%s)", row.id, reason)
                self._record_sent(row.id, None, f"{outbox.UNCONFIRMED} ({reason})")
            elif isinstance(exc, BadRequest):  # (a NetworkError in PTB) refused for good
                await outbox.mark_failed(db, row.id, reason)
            elif isinstance(exc, NetworkError) or not isinstance(exc, TelegramError):
                # Telegram's 5xx, no connection, or our own trouble before the request left.
                failures = row.attempts + 1
                if gives_up(failures, self.max_attempts):
                    await outbox.mark_failed(db, row.id, reason)
                else:
                    due = math.ceil(now + self.backoff(failures))
                    await outbox.retry_later(db, row.id, due, reason)
                if not isinstance(exc, TelegramError):
                    log.error("broadcast message %s not sent", row.id, exc_info=exc)
            else:  # other refusals (401, 409 …): sending it again would be refused again
                await outbox.mark_failed(db, row.id, reason)
        except Exception:  # noqa: BLE001 - the row stays as it is; settled or retried later
            log.exception("broadcast message %s: could not record %s", row.id, reason)

    # ------------------------------------------------------------------ the administrator

    async def _report(self) -> None:
        """Edits the progress messages that are due and finishes broadcasts that are done."""
        for broadcast in await outbox.active(self._db):
            progress = await outbox.progress(self._db, broadcast.id)
            starter = None
            if broadcast.started_by is not None:
                starter = await people.by_id(self._db, broadcast.started_by)
            if progress.finished:
                if self._sent is not None:
                    await self._sent.flush()
                progress = await outbox.progress(self._db, broadcast.id)
                if await outbox.finish(self._db, broadcast.id):
                    self._reported.pop(broadcast.id, None)
                    if starter is not None and starter.chat_id is not None:
                        await self._tell_done(broadcast, starter, progress)
                continue
            if starter is None or starter.chat_id is None:
                continue
            await self._show_progress(broadcast, starter, progress)

    async def _show_progress(self, broadcast, starter, progress: Progress) -> None:
        now = time.monotonic()
        last = self._reported.get(broadcast.id)
        if last is not None and (
            last[1] == progress or not report_due(last[0], now, self.progress_seconds)
        ):
            return
        with use_locale(starter.language):
            text = progress_text(progress)
        message_id = broadcast.progress_message_id
        try:
            if message_id is None:
                if not await outbox.begin_progress_message(self._db, broadcast.id):
                    return
                sent = await self._bot.send_message(starter.chat_id, text)
                message_id = sent.message_id
                await outbox.set_progress(self._db, broadcast.id, message_id, int(self._clock()))
            elif message_id > 0:
                await self._bot.edit_message_text(
                    text, chat_id=starter.chat_id, message_id=message_id
                )
                await outbox.set_progress(self._db, broadcast.id, None, int(self._clock()))
        except TelegramError as exc:
            log.info("broadcast %s: progress not shown: %s", broadcast.id, exc)
        self._reported[broadcast.id] = (now, progress)

    async def _tell_done(self, broadcast, starter, progress: Progress) -> None:
        with use_locale(starter.language):
            final, summary = progress_text(progress, done=True), summary_text(progress)
        try:
            if broadcast.progress_message_id:
                with contextlib.suppress(BadRequest):  # not modified: it showed these already
                    await self._bot.edit_message_text(
                        final, chat_id=starter.chat_id, message_id=broadcast.progress_message_id
                    )
            await self._bot.send_message(starter.chat_id, summary)
        except TelegramError as exc:
            log.info("broadcast %s: summary not sent: %s", broadcast.id, exc)
