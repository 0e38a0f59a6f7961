"""The outbox's lean way to Telegram: ``sendMessage`` with a body written once from the row,
posted without PTB's ``Bot`` or httpx, its answer read for the few fields the sender needs.

Through ``bot.send_message`` one broadcast message cost ~2 ms of the bot's one core, half of
it PTB (parameters turned into ``RequestParameter`` objects, the answer into a ``Message``
with its ``Chat``, ``User`` and keyboard) and the httpx/httpcore/anyio stack (README, "the
same with paid broadcasts"). Here an outbox row, which already holds its text and keyboard as
Bot API JSON, becomes the JSON body in one ``json.dumps`` (:func:`message_body`); it goes
through the same rate limiter (lanes, 429 waits, the 403 hook) and leaves through
:class:`AsyncioBulkTransport`, keep-alive connections of its own; the answer is parsed with
``json`` and only ``result.message_id``, or ``description``/``parameters`` and the status of a
refusal, are read (:func:`answer`).

Refusals become the exceptions PTB raises for them (``RetryAfter``, ``Forbidden``,
``BadRequest``, ``NetworkError`` …), and transport failures the ones its HTTPXRequest raises
(``TimedOut``/``NetworkError`` *from* the httpx error of the same meaning), so the rate
limiter and ``bot.runtime.broadcast`` decide on them as they did for PTB's path.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from http import HTTPStatus
from typing import Any, Protocol

import httpx
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.runtime.http import POOL_TIMEOUT_SECONDS, _tls
from bot.runtime.ratelimit import leaving

# PTB's HTTPXRequest defaults: 5 s to connect, write and read (Telegram answers in ~0.1 s).
TIMEOUT_SECONDS = 5.0


def message_body(
    chat_id: int, text: str, reply_markup: str | None = None, *, paid: bool = False
) -> bytes:
    """The ``sendMessage`` request for an outbox row, as JSON: what PTB sends for
    ``bot.send_message(chat_id, text, reply_markup=…, allow_paid_broadcast=…)``. The keyboard
    is the row's Bot API JSON text, put in as it is (it was written by ``json.dumps``)."""
    head = json.dumps({"chat_id": chat_id, "text": text})[:-1]
    if reply_markup:
        head += ', "reply_markup": ' + reply_markup
    if paid:
        head += ', "allow_paid_broadcast": true'
    return (head + "}").encode()


def answer(status: int, payload: bytes) -> dict[str, Any]:
    """Telegram's answer: the ``result`` of a 2xx, else the exception PTB raises for it
    (``telegram.request.BaseRequest._request_wrapper``'s rules, in the same order)."""
    try:
        data = json.loads(payload)
    except ValueError as exc:
        if 200 <= status <= 299:
            raise TelegramError("Invalid server response") from exc
        data = None
    if 200 <= status <= 299:
        return data["result"]
    try:
        message = f"{HTTPStatus(status).phrase} ({status})"
    except ValueError:
        message = f"Unknown HTTPError ({status})"
    if isinstance(data, dict):
        message = data.get("description") or message
        parameters = data.get("parameters")
        if parameters:
            if parameters.get("migrate_to_chat_id"):
                raise ChatMigrated(parameters["migrate_to_chat_id"])
            if parameters.get("retry_after"):
                raise RetryAfter(parameters["retry_after"])
    if status == HTTPStatus.FORBIDDEN:
        raise Forbidden(message)
    if status in (HTTPStatus.NOT_FOUND, HTTPStatus.UNAUTHORIZED):
        raise InvalidToken(message)
    if status == HTTPStatus.BAD_REQUEST:
        raise BadRequest(message)
    if status == HTTPStatus.CONFLICT:
        raise Conflict(message)
    raise NetworkError(message)


class BulkTransport(Protocol):
    """Posts a JSON body to a Bot API method: (HTTP status, body). Raises PTB's ``TimedOut``
    or ``NetworkError`` (from the cause) when no answer came."""

    announces_leaving: bool  # awaits bot.runtime.ratelimit.leaving() as each request leaves

    async def post(self, method: str, body: bytes) -> tuple[int, bytes]: ...

    async def initialize(self) -> None: ...

    async def shutdown(self) -> None: ...


class _Response(Exception):
    """Raised inside the protocol: the connection ended before a whole answer came."""


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; the answer to its one request at a time is read
    as it comes in (Content-Length, chunked, or up to the end of the connection)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False  # the server closed it, or it broke: never used again
        self._buf = bytearray()
        self._answer: asyncio.Future[tuple[int, bytes, bool]] | None = None

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buf += data
        if self._answer is not None:
            self._parse(eof=False)

    def eof_received(self) -> bool:
        self.closed = True
        if self._answer is not None:
            self._parse(eof=True)
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._answer is not None and not self._answer.done():
            self._parse(eof=True)

    # -- one request
    def request(self, data: bytes) -> asyncio.Future[tuple[int, bytes, bool]]:
        """Writes the request out; the future: (status, body, whether to keep the connection)."""
        assert self.transport is not None
        self._buf.clear()
        self._answer = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return self._answer

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _parse(self, *, eof: bool) -> None:
        answer = self._answer
        if answer is None or answer.done():
            return
        try:
            parsed = _parse_response(self._buf, eof=eof)
        except _Response as exc:
            answer.set_exception(exc)
        else:
            if parsed is not None:
                self._answer = None
                answer.set_result(parsed)
            elif eof:
                answer.set_exception(_Response("the connection ended before the whole answer"))


def _parse_response(buf: bytearray, *, eof: bool) -> tuple[int, bytes, bool] | None:
    """(status, body, keep-alive) once the whole answer is in ``buf``; None: not yet."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
    try:
        version, status = lines[0].split(" ", 2)[:2]
        code = int(status)
    except ValueError:
        raise _Response(f"not an HTTP answer: {lines[0][:80]!r}") from None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    keep = version == "HTTP/1.1" and headers.get("connection") != "close"
    start = end + 4
    if "chunked" in headers.get("transfer-encoding", ""):
        body = bytearray()
        at = start
        while True:
            line_end = buf.find(b"\r\n", at)
            if line_end < 0:
                return None
            try:
                size = int(bytes(buf[at:line_end]).split(b";", 1)[0], 16)
            except ValueError:
                raise _Response("a broken chunk") from None
            if size == 0:  # then trailers (none, in practice) and an empty line
                if buf.find(b"\r\n\r\n", line_end) < 0:
                    return None
                return code, bytes(body), keep
            if len(buf) < line_end + 2 + size + 2:
                return None
            body += buf[line_end + 2 : line_end + 2 + size]
            at = line_end + 2 + size + 2
    if "content-length" in headers:
        length = int(headers["content-length"])
        if len(buf) < start + length:
            return None
        return code, bytes(buf[start : start + length]), keep
    if not eof:  # delimited by the end of the connection
        return None
    return code, bytes(buf[start:]), False


class AsyncioBulkTransport:
    """The outbox's own HTTP/1.1 client on asyncio's protocols: up to ``connections`` kept
    open to the Bot API (TLS for https), each carrying one request at a time.

    Why not httpx here: under ``--profile-bot`` at ~1,000 posts/s most of the bot's CPU went
    to httpcore's pool (each request placed and each connection freed looks at every
    connection of the pool, and asks each idle one whether the server closed it, a ``poll``
    through anyio's socket attributes) and anyio's locks and cancel scopes, not to Telegram's
    answers. Here a connection learns that the server closed it as it happens
    (``eof_received``/``connection_lost``), and a request is three writes' worth of bytes.

    Failures are PTB's exceptions *from* httpx's exception of the same meaning (a request
    that never left: ``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``; one that may have
    arrived: ``ReadTimeout``, ``RemoteProtocolError``), so
    ``bot.runtime.broadcast.may_have_arrived`` tells them apart as for PTB's transport.
    Requests are announced (:func:`bot.runtime.ratelimit.leaving`) right before they are
    written, their connection in hand. Proxies are not spoken to: the Bot API URL directly.
    """

    announces_leaving = True

    def __init__(
        self,
        base_url: str,
        connections: int,
        *,
        timeout: float = TIMEOUT_SECONDS,
        pool_timeout: float = POOL_TIMEOUT_SECONDS,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        url = httpx.URL(base_url.rstrip("/"))
        self._ssl = ssl_context  # None: httpx's default context (the CA bundle), for https
        self.base_url = str(url)
        self._host = url.host
        self._tls = url.scheme == "https"
        self._port = url.port or (443 if self._tls else 80)
        host = f"[{self._host}]" if ":" in self._host else self._host  # an IPv6 address
        if self._port != (443 if self._tls else 80):
            host = f"{host}:{self._port}"
        self._path = url.raw_path.decode("ascii")
        self._head = (
            f"Host: {host}\r\nUser-Agent: koperasi-bot\r\nAccept: application/json\r\n"
            "Content-Type: application/json\r\nContent-Length: "
        )
        self._heads: dict[str, bytes] = {}
        self._timeout = timeout
        self._pool_timeout = pool_timeout
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[_Connection] = []
        self._busy: set[_Connection] = set()

    async def initialize(self) -> None:
        """Connections are made as they are needed."""

    async def shutdown(self) -> None:
        for conn in (*self._idle, *self._busy):
            conn.close()
        self._idle.clear()

    def _request_head(self, method: str) -> bytes:
        head = self._heads.get(method)
        if head is None:
            head = self._heads[method] = (
                f"POST {self._path}/{method} HTTP/1.1\r\n{self._head}".encode("latin-1")
            )
        return head

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self._timeout):
                _, conn = await loop.create_connection(
                    _Connection,
                    self._host,
                    self._port,
                    ssl=(self._ssl or _tls()) if self._tls else None,
                    server_hostname=self._host if self._tls else None,
                )
        except TimeoutError as err:
            raise TimedOut("connecting to the Bot API timed out") from httpx.ConnectTimeout(
                str(err)
            )
        except OSError as err:
            raise NetworkError(f"connecting to the Bot API failed: {err}") from httpx.ConnectError(
                str(err)
            )
        return conn

    async def post(self, method: str, body: bytes) -> tuple[int, bytes]:
        slots = self._slots
        if slots.locked():
            try:
                async with asyncio.timeout(self._pool_timeout):
                    await slots.acquire()
            except TimeoutError as err:
                raise TimedOut("no free connection") from httpx.PoolTimeout(str(err))
        else:
            await slots.acquire()
        try:
            return await self._post(method, body)
        finally:
            slots.release()

    async def _post(self, method: str, body: bytes) -> tuple[int, bytes]:
        conn = None
        while self._idle:
            found = self._idle.pop()
            if not found.closed and not found.transport.is_closing():
                conn = found
                break
            found.close()
        if conn is None:
            conn = await self._connect()
        try:
            await leaving()  # the connection in hand, nothing written yet
        except BaseException:
            self._idle.append(conn)  # nothing was written: it serves the next one
            raise
        if conn.closed or conn.transport.is_closing():  # closed while the mark was written
            conn.close()
            conn = await self._connect()  # failing, the request never left
        self._busy.add(conn)
        keep = False
        try:
            answered = conn.request(
                self._request_head(method) + f"{len(body)}\r\n\r\n".encode() + body
            )
            try:
                async with asyncio.timeout(self._timeout):
                    status, payload, keep = await answered
            except TimeoutError as err:
                raise TimedOut("no answer from the Bot API") from httpx.ReadTimeout(str(err))
            except _Response as err:
                raise NetworkError(f"the Bot API's answer broke off: {err}") from (
                    httpx.RemoteProtocolError(str(err))
                )
            return status, payload
        finally:
            self._busy.discard(conn)
            if keep and not conn.closed:
                self._idle.append(conn)
            else:
                conn.close()  # a failure, a stop, or the server's wish: a new one next time


class RequestTransport:
    """Posts through any PTB ``BaseRequest`` (the tests' fake Telegram): the body's fields
    as PTB's request parameters."""

    def __init__(self, request: BaseRequest, base_url: str) -> None:
        self._request = request
        self.base_url = base_url.rstrip("/")
        self.announces_leaving = bool(getattr(request, "announces_leaving", False))

    async def initialize(self) -> None:
        """The request is the bot's: PTB initialises and shuts it down."""

    async def shutdown(self) -> None:
        pass

    async def post(self, method: str, body: bytes) -> tuple[int, bytes]:
        params = json.loads(body)
        data = RequestData([RequestParameter(k, v, None) for k, v in params.items()])
        try:
            return await self._request.do_request(f"{self.base_url}/{method}", "POST", data)
        except TelegramError:
            raise
        except Exception as exc:  # as PTB's _request_wrapper
            raise NetworkError(f"Unknown error in HTTP implementation: {exc!r}") from exc
