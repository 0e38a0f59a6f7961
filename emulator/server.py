"""Tornado wiring: Bot API (`/bot<token>/<method>`), file downloads
(`/file/bot<token>/<path>`) and the JSON control API (`/control/<action>`)."""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tornado.web import Application, RequestHandler

from .emulator import dump_json
from .errors import ApiError, ControlError
from .methods import Params, Upload

if TYPE_CHECKING:
    from .emulator import BotApiEmulator

log = logging.getLogger(__name__)
_NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}


def parse_params(request: Any) -> Params:
    """Merge query string and body (JSON, urlencoded or multipart) into `Params`."""
    values: dict[str, Any] = {
        k: v[-1].decode("utf-8", "replace") for k, v in request.query_arguments.items()
    }
    content_type = request.headers.get("Content-Type", "")
    if content_type.startswith("application/json"):
        if request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON object") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON object expected")
            values.update(body)
    else:
        # tornado already parsed urlencoded / multipart bodies for us
        for k, v in request.body_arguments.items():
            values[k] = v[-1].decode("utf-8", "replace")
    files = {
        name: Upload(parts[0].filename, parts[0].content_type, parts[0].body)
        for name, parts in request.files.items()
        if parts
    }
    return Params(values, files)


class _Base(RequestHandler):
    def initialize(self, emu: BotApiEmulator) -> None:
        self.emu = emu

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")

    def reply(self, status: int, body: bytes) -> None:
        self.set_status(status)
        self.finish(body)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # Unexpected exceptions: keep the answer in Bot API shape.
        self.finish(
            dump_json({"ok": False, "error_code": status_code, "description": self._reason})
        )

    def check_xsrf_cookie(self) -> None:  # API endpoints, never cookie-authenticated
        pass


_ABORTED = object()


class _Abortable(_Base):
    """Runs a long wait as a task that is cancelled if the client hangs up, so an
    abandoned long-poll neither lingers nor gets answered (e.g. with 409) later."""

    _task: asyncio.Future | None = None
    _client_gone = False

    async def run_abortable(self, coro: Any) -> Any:
        """The coroutine's result, or `_ABORTED` if the client disconnected."""
        self._task = asyncio.ensure_future(coro)
        try:
            return await self._task
        except asyncio.CancelledError:
            if self._client_gone:
                return _ABORTED
            raise
        finally:
            self._task = None

    def on_connection_close(self) -> None:
        self._client_gone = True
        if self._task is not None:
            self._task.cancel()


class BotApiHandler(_Abortable):
    async def get(self, token: str, method: str) -> None:
        await self._handle(token, method)

    async def post(self, token: str, method: str) -> None:
        await self._handle(token, method)

    async def _handle(self, token: str, method: str) -> None:
        try:
            params = parse_params(self.request)
        except ApiError as exc:
            self.reply(exc.error_code, dump_json(exc.to_api()))
            return
        if not method:
            self.reply(404, dump_json(_NOT_FOUND))
            return
        call = self.emu.handle_api_call(token, method, params)
        if method.lower() != "getupdates":
            # Other methods complete even if the client gives up, like on Telegram.
            status, body = await call
            self.reply(status, body)
            return
        answer = await self.run_abortable(call)
        if answer is not _ABORTED:
            self.reply(*answer)


class FileHandler(_Base):
    async def get(self, token: str, path: str) -> None:
        if not self.emu.accepts_token(token):
            self.reply(
                401, dump_json({"ok": False, "error_code": 401, "description": "Unauthorized"})
            )
            return
        emu = self.emu
        emu.state.stats.requests["<file download>"] += 1
        if emu.latency > 0:
            await asyncio.sleep(emu.latency)
        stored = emu.state.files.by_path(path)
        if stored is None:
            self.reply(404, dump_json(_NOT_FOUND))
            return
        self.set_header("Content-Type", stored.mime_type or "application/octet-stream")
        self.reply(200, stored.data)


class FileByIdHandler(_Base):
    """GET /control/file?file_id=…: a file's bytes for a page that has no token."""

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Access-Control-Allow-Origin", "*")

    def get(self) -> None:
        found = self.emu.file_by_id(self.get_query_argument("file_id", ""))
        if found is None:
            self.reply(404, dump_json({"ok": False, "error": "file not found", "result": None}))
            return
        data, mime, name = found
        self.set_header("Content-Type", mime)
        self.set_header("X-Content-Type-Options", "nosniff")
        if name:
            self.set_header("Content-Disposition", f"inline; filename*=UTF-8''{quote(name)}")
        self.reply(200, data)


class NotFoundHandler(_Base):
    def prepare(self) -> None:
        self.reply(404, dump_json(_NOT_FOUND))


class IndexHandler(_Base):
    def get(self) -> None:
        self.reply(
            200,
            dump_json(
                {
                    "ok": True,
                    "result": {
                        "service": "Telegram Bot API sandbox",
                        "base_url": self.emu.base_url,
                        "base_file_url": self.emu.base_file_url,
                        "control_url": self.emu.control_url,
                        "token_for_tests": self.emu.token_for_tests,
                        "control_actions": sorted([*CONTROL_ACTIONS, "file"]),
                    },
                }
            ),
        )


# ---------------------------------------------------------------- control API


def _decode_b64(kwargs: dict[str, Any], src: str, dst: str) -> dict[str, Any]:
    """JSON has no bytes: file content travels base64-encoded (as `src` or `dst`)."""
    value = kwargs.pop(src, kwargs.get(dst))
    if isinstance(value, str):
        kwargs[dst] = base64.b64decode(value)
    return kwargs


@dataclass(frozen=True)
class ControlAction:
    method: str
    readonly: bool = False  # may be called with GET ?query=args (browser friendly)
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None


CONTROL_ACTIONS: dict[str, ControlAction] = {
    "add_user": ControlAction("add_user"),
    "send_message": ControlAction("send_message"),
    "send_command": ControlAction("send_command"),
    "press_button": ControlAction("press_button"),
    "share_contact": ControlAction("share_contact"),
    "share_location": ControlAction("share_location"),
    "send_photo": ControlAction(
        "send_photo", prepare=lambda kw: _decode_b64(kw, "photo_base64", "photo")
    ),
    "send_document": ControlAction(
        "send_document", prepare=lambda kw: _decode_b64(kw, "data_base64", "data")
    ),
    "block": ControlAction("block"),
    "unblock": ControlAction("unblock"),
    "messages": ControlAction("transcript", readonly=True),
    "wait_for_messages": ControlAction("wait_for_messages", readonly=True),
    "wait_change": ControlAction("wait_change", readonly=True),
    "chats": ControlAction("chats", readonly=True),
    "chat": ControlAction("chat", readonly=True),
    "callback_answer": ControlAction("callback_answer", readonly=True),
    "wait_callback_answer": ControlAction("wait_callback_answer", readonly=True),
    "pending_updates": ControlAction("pending_updates", readonly=True),
    "commands": ControlAction("commands", readonly=True),
    "all_commands": ControlAction("all_commands", readonly=True),
    "webhook": ControlAction("webhook", readonly=True),
    "stats": ControlAction("stats", readonly=True),
    "web_app_init_data": ControlAction("web_app_init_data", readonly=True),
    "set_latency": ControlAction("set_latency"),
    "set_flood_limits": ControlAction("set_flood_limits"),
    "reset_stats": ControlAction("reset_stats"),
    "reset": ControlAction("reset"),
}


def jsonable(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _query_value(raw: bytes) -> Any:
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)  # numbers, booleans, JSON objects
    except ValueError:
        return text


class ControlHandler(_Abortable):
    def set_default_headers(self) -> None:
        super().set_default_headers()
        # A browser page served from elsewhere may drive the people.
        self.set_header("Access-Control-Allow-Origin", "*")
        self.set_header("Access-Control-Allow-Headers", "Content-Type")
        self.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")

    def options(self, action: str) -> None:
        self.set_status(204)
        self.finish()

    async def get(self, action: str) -> None:
        kwargs = {k: _query_value(v[-1]) for k, v in self.request.query_arguments.items()}
        await self._run(action, kwargs, readonly_only=True)

    async def post(self, action: str) -> None:
        try:
            kwargs = json.loads(self.request.body) if self.request.body else {}
        except ValueError:
            self._fail(400, "request body must be a JSON object")
            return
        if not isinstance(kwargs, dict):
            self._fail(400, "request body must be a JSON object")
            return
        await self._run(action, kwargs, readonly_only=False)

    def _fail(self, status: int, error: str, result: Any = None) -> None:
        self.reply(status, dump_json({"ok": False, "error": error, "result": result}))

    async def _run(self, action: str, kwargs: dict[str, Any], readonly_only: bool) -> None:
        spec = CONTROL_ACTIONS.get(action)
        if spec is None:
            self._fail(404, f"unknown control action {action!r}")
            return
        if readonly_only and not spec.readonly:
            self._fail(405, f"{action} changes state: use POST")
            return
        fn = getattr(self.emu, spec.method)
        try:
            if spec.prepare is not None:
                kwargs = spec.prepare(kwargs)
            inspect.signature(fn).bind(**kwargs)
        except (TypeError, ValueError) as exc:
            self._fail(400, f"bad arguments for {action}: {exc}")
            return
        try:
            if spec.readonly:  # waits: drop them when the caller hangs up
                result = await self.run_abortable(fn(**kwargs))
                if result is _ABORTED:
                    return
            else:
                result = await fn(**kwargs)
        except ControlError as exc:
            self._fail(400, str(exc))
            return
        except TimeoutError as exc:
            self._fail(408, str(exc) or "timeout")
            return
        self.reply(200, dump_json({"ok": True, "result": jsonable(result)}))


def build_app(emu: BotApiEmulator) -> Application:
    args = {"emu": emu}
    return Application(
        [
            (r"/", IndexHandler, args),
            (r"/bot([^/]*)/([^/]*)", BotApiHandler, args),
            (r"/file/bot([^/]+)/(.+)", FileHandler, args),
            (r"/control/file", FileByIdHandler, args),
            (r"/control/([A-Za-z_]+)", ControlHandler, args),
        ],
        default_handler_class=NotFoundHandler,
        default_handler_args=args,
        # per-request access logs would dominate a benchmark's profile
        log_function=lambda handler: None,
    )
