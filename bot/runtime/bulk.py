"""The outbox's lean way to Telegram: ``sendMessage`` with a body written once from the row,
posted without PTB's ``Bot``, its answer read for the four fields the sender needs.

Through ``bot.send_message`` one broadcast message cost ~2 ms of the bot's one core, half of
it PTB (parameters turned into ``RequestParameter`` objects, the answer into a ``Message``
with its ``Chat``, ``User`` and keyboard) and httpx's client layer around one big pool
(README, "the same with paid broadcasts"). Here an outbox row, which already holds its text
and keyboard as Bot API JSON, becomes the JSON body in one ``json.dumps``; it goes through
the same rate limiter (lanes, 429 waits, the 403 hook) and leaves through
:class:`HttpxBulkTransport`: httpx clients kept open (keep-alive), each with a few
connections, so that httpcore's pool never scans many; the answer is parsed with ``json``
and only ``ok``/``result.message_id``/``error_code``/``description``/``parameters`` are read.

Refusals become the exceptions PTB raises for them (``RetryAfter``, ``Forbidden``,
``BadRequest``, ``NetworkError`` …, :func:`answer`), and transport failures the ones its
HTTPXRequest raises (``TimedOut``/``NetworkError`` *from* the httpx error), so the rate
limiter and ``bot.runtime.broadcast`` decide on them as they did for PTB's path.
"""

from __future__ import annotations

import json
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

from bot.runtime.http import POOL_TIMEOUT_SECONDS, _tls, _trace

# Connections per httpx client: httpcore looks at each connection of its pool for every
# request it places and every one it frees (bot.runtime.http), so many small pools.
CONNECTIONS_PER_CLIENT = 8
# PTB's HTTPXRequest defaults: 5 s to connect, write and read (Telegram answers in ~0.1 s).
TIMEOUT_SECONDS = 5.0

_JSON_HEADERS = {"Content-Type": "application/json"}


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


class HttpxBulkTransport:
    """httpx clients kept open for the process, ``connections`` in all; each post goes to
    the client with the fewest posts in flight. Announces each request right before it is
    written out, its connection in hand (``bot.runtime.http._trace``)."""

    announces_leaving = True

    def __init__(
        self,
        base_url: str,
        connections: int,
        *,
        per_client: int = CONNECTIONS_PER_CLIENT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._count = max(1, -(-connections // per_client))  # ceil
        self._per_client = per_client
        self._transport = transport  # tests
        self._clients: list[httpx.AsyncClient] = []
        self._in_flight: list[int] = []
        self._extensions = {"trace": _trace}

    def _client(self) -> httpx.AsyncClient:
        limits = httpx.Limits(
            max_connections=self._per_client, max_keepalive_connections=self._per_client
        )
        timeout = httpx.Timeout(TIMEOUT_SECONDS, pool=POOL_TIMEOUT_SECONDS)
        if self._transport is not None:
            return httpx.AsyncClient(transport=self._transport, timeout=timeout)
        return httpx.AsyncClient(limits=limits, timeout=timeout, verify=_tls())

    async def initialize(self) -> None:
        if not self._clients:
            self._clients = [self._client() for _ in range(self._count)]
            self._in_flight = [0] * self._count

    async def shutdown(self) -> None:
        clients, self._clients = self._clients, []
        for client in clients:
            await client.aclose()

    async def post(self, method: str, body: bytes) -> tuple[int, bytes]:
        if not self._clients:
            await self.initialize()
        in_flight = self._in_flight
        index = in_flight.index(min(in_flight))
        in_flight[index] += 1
        try:
            response = await self._clients[index].post(
                f"{self.base_url}/{method}",
                content=body,
                headers=_JSON_HEADERS,
                extensions=self._extensions,
            )
        except httpx.TimeoutException as err:  # as PTB's HTTPXRequest.do_request
            raise TimedOut(f"httpx.{type(err).__name__}: {err}") from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{type(err).__name__}: {err}") from err
        finally:
            in_flight[index] -= 1
        return response.status_code, response.content


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
