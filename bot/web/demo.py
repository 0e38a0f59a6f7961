"""The demo's Telegram-like chat page (``koperasi-bot demo``): the page at ``/``, its static
files, the cast, the page's texts in the reader's language, and the emulator's control API
proxied under ``/emu/`` (same origin: the page needs no other address, and nothing beyond
127.0.0.1 is exposed). The people on the page act only through the emulator, so the bot they
talk to is the real one."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.web import HTTPError, RequestHandler, StaticFileHandler

from domain import N_
from domain.people import LANGUAGES
from storage import people
from storage.db import Database

STATIC = Path(__file__).with_name("static") / "demo"

#: What the page may ask the emulator to do or show (anything else is 404).
PROXIED = frozenset(
    {
        "add_user", "send_message", "press_button", "share_contact", "share_location",
        "block", "unblock", "messages", "wait_change", "chat", "callback_answer",
        "wait_callback_answer", "web_app_init_data", "file",
    }
)  # fmt: skip
PROXY_CONNECTIONS = 200
WAIT_SECONDS = 70.0  # a long poll of the page asks for at most 25 s

#: Where a person's location is when they press 📍 on the page: a village's place (by the
#: most specific code prefix), else the middle of Klaten.
PLACES: dict[str, tuple[float, float]] = {
    "33.10.11.2004": (-7.7060, 110.6750),  # Desa Kujon, Kec. Ceper
    "33.10.11": (-7.7010, 110.6680),  # Kec. Ceper
    "33.10": (-7.7056, 110.6060),  # Kab. Klaten
    "32.75": (-6.2383, 106.9756),  # Kota Bekasi
    "32.16": (-6.3227, 107.1376),  # Kab. Bekasi
}
DEFAULT_PLACE = PLACES["33.10"]

#: The page's own words (the bot's come from the bot).
LABELS: dict[str, str] = {
    "title": N_("Koperasi bot demo"),
    "intro": N_("Everything here is a real bot on a test Telegram. Nothing leaves this computer."),
    "new_person": N_("➕ New person"),
    "new_person_name": N_("First name of the new person:"),
    "left": N_("Left chat"),
    "right": N_("Right chat"),
    "send": N_("Send"),
    "message": N_("Message"),
    "typing": N_("typing…"),
    "edited": N_("edited"),
    "download": N_("Download"),
    "blocked": N_("You blocked the bot. It cannot send you messages."),
    "unblock": N_("Unblock the bot"),
    "block": N_("Block the bot"),
    "refused_429": N_("Telegram held back a message: too many too fast. The bot waits {seconds} s and sends it again."),
    "refused_403": N_("Telegram refused a message: the person blocked the bot."),
    "refused_400": N_("Telegram refused a call of the bot: {description}"),
    "menu": N_("Menu"),
    "close": N_("Close"),
    "empty": N_("No messages yet. Send /start to begin."),
    "alert_ok": N_("OK"),
    "offline": N_("The demo has stopped. Start it again with koperasi-bot demo."),
}  # fmt: skip


def page_labels(language: str) -> dict[str, str]:
    from bot.i18n import gettext, use_locale

    with use_locale(language):
        return {key: gettext(msgid) for key, msgid in LABELS.items()}


def place_of(village_code: str | None) -> tuple[float, float]:
    code = village_code or ""
    for prefix in sorted(PLACES, key=len, reverse=True):
        if code == prefix or code.startswith(prefix + "."):
            return PLACES[prefix]
    return DEFAULT_PLACE


class _Local(RequestHandler):
    """Only for pages on this computer: a request naming another host (DNS rebinding) is
    refused; nothing here is ever cached."""

    def prepare(self) -> None:
        host = self.request.host.rsplit(":", 1)[0].strip("[]")
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise HTTPError(403)
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    def json(self, value: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(value, ensure_ascii=False))

    def check_xsrf_cookie(self) -> None:  # no cookies: POSTs must be JSON (a CORS preflight)
        pass


class PageHandler(_Local):
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' blob: data:; style-src 'self';"
            " script-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'",
        )
        self.finish((STATIC / "index.html").read_bytes())


class CastHandler(_Local):
    def initialize(self, cast: Sequence[dict[str, Any]], dashboard_url: str) -> None:
        self.cast = cast
        self.dashboard_url = dashboard_url

    def get(self) -> None:
        self.json({"people": list(self.cast), "control": "/emu", "dashboard": self.dashboard_url})


class LabelsHandler(_Local):
    def get(self) -> None:
        language = self.get_query_argument("lang", "id")
        if language not in LANGUAGES:
            language = "id"
        self.json({"language": language, "labels": page_labels(language)})


class PlaceHandler(_Local):
    """Where the person is (for 📍): their village if they registered one."""

    def initialize(self, db: Database) -> None:
        self.db = db

    async def get(self) -> None:
        try:
            user_id = int(self.get_query_argument("user_id", ""))
        except ValueError:
            raise HTTPError(400) from None
        person = await people.by_telegram_id(self.db, user_id)
        latitude, longitude = place_of(person.village_code if person else None)
        self.json({"latitude": latitude, "longitude": longitude})


class EmulatorProxy(_Local):
    """``/emu/<action>`` → the emulator's ``/control/<action>`` (allow-listed)."""

    def initialize(self, control_url: str, client: AsyncHTTPClient) -> None:
        self.control_url = control_url.rstrip("/")
        self.client = client

    async def get(self, action: str) -> None:
        await self._forward(action, "GET", None)

    async def post(self, action: str) -> None:
        if not self.request.headers.get("Content-Type", "").startswith("application/json"):
            raise HTTPError(415)
        await self._forward(action, "POST", self.request.body or b"{}")

    async def _forward(self, action: str, method: str, body: bytes | None) -> None:
        if action not in PROXIED:
            raise HTTPError(404)
        query = {
            k: v[-1].decode("utf-8", "replace") for k, v in self.request.query_arguments.items()
        }
        url = f"{self.control_url}/{action}" + (f"?{urlencode(query)}" if query else "")
        request = HTTPRequest(
            url, method=method, body=body, request_timeout=WAIT_SECONDS,
            headers={"Content-Type": "application/json"} if body is not None else None,
        )  # fmt: skip
        try:
            answer = await self.client.fetch(request, raise_error=False)
        except (HTTPClientError, OSError) as exc:  # the emulator is gone (the demo stops)
            self.json({"ok": False, "error": str(exc)}, 502)
            return
        self.set_status(answer.code if answer.code >= 200 else 502)
        for header in ("Content-Type", "Content-Disposition"):
            if header in answer.headers:
                self.set_header(header, answer.headers[header])
        self.finish(answer.body or b"")


def demo_routes(
    db: Database, control_url: str, *, cast: Sequence[dict[str, Any]], dashboard_url: str = ""
) -> list:
    """Tornado URL rules of the chat page (``/``), its files, the cast, the texts and the
    emulator's control API under ``/emu/``."""
    # Its own client: every open chat holds a long poll (tornado's shared client allows 10).
    client = AsyncHTTPClient(force_instance=True, max_clients=PROXY_CONNECTIONS)
    return [
        (r"/", PageHandler),
        (r"/static/demo/(.*)", StaticFileHandler, {"path": str(STATIC)}),
        (r"/api/cast", CastHandler, {"cast": cast, "dashboard_url": dashboard_url}),
        (r"/api/labels", LabelsHandler),
        (r"/api/place", PlaceHandler, {"db": db}),
        (r"/emu/([a-z_]+)", EmulatorProxy, {"control_url": control_url, "client": client}),
    ]
