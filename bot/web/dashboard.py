"""The dashboard, a Telegram Mini App served under ``/dasbor/`` (issue 15).

Every API call carries ``Authorization: tma <initData>`` (bot.web.initdata): missing, forged or
stale is 401, a valid person who may see nothing (a farmer, a member, a coordinator, a
stranger) is 403, and neither says anything about any cooperative. The page itself is static
(bot/web/static): no inline script, every text people typed inserted with textContent; its
labels come translated from the API in the person's language, money formatted as the bot
writes it."""

from __future__ import annotations

import csv
import io
import json
import logging
import time
from datetime import date
from pathlib import Path
from typing import Any

import tornado.web

from bot.i18n import _, format_money, format_number, format_short_date, gettext, use_locale
from bot.ledger_reasons import KIND_IN_SENTENCE
from bot.web.initdata import InitDataError, WebAppSession, verify_init_data
from domain import N_
from domain.cells import csv_safe
from domain.ledger import SavingsKind
from domain.people import DEFAULT_LANGUAGE, LANGUAGES
from storage import dashboard
from storage.db import Database

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"

#: No inline script or style, nothing from elsewhere; Telegram's web clients may frame it.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
)

#: Labels the page needs besides the panels' own (translated per request).
LABELS = {
    "title": N_("Dashboard"),
    "cooperative": N_("Cooperative"),
    "all": N_("All my cooperatives"),
    "download": N_("Download CSV"),
    "empty": N_("Nothing to show yet."),
    "loading": N_("Loading…"),
    "sort": N_("Tap a column title to sort."),
    "signed_in": N_("Signed in as {name}"),
    "failed": N_("The dashboard could not load. Close it and open it again."),
}

#: The refusals: nothing of any cooperative in them.
NOT_SIGNED_IN = N_(
    "This page is not signed by Telegram, or it is more than an hour old. Open it again with the 📊 Dashboard button in the bot's chat."
)
NOTHING_TO_SEE = N_(
    "The dashboard is for administrators and treasurers. Your role has no dashboard."
)
NO_SUCH_ORG = N_("You cannot see that cooperative.")


def _language_of_request(handler: tornado.web.RequestHandler) -> str:
    accept = (handler.request.headers.get("Accept-Language") or "").lower()
    for part in accept.split(","):
        code = part.split(";")[0].strip()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def _cell(kind: str, value: Any, timezone: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "money":
        return format_money(int(value))
    if kind == "number":
        return format_number(value)
    if kind == "date":
        return format_short_date(date.fromisoformat(value), timezone)
    if isinstance(value, str) and value in SavingsKind.__members__.values():
        return gettext(KIND_IN_SENTENCE[SavingsKind(value)])
    return str(value)


def _coded(column: dashboard.Column, value: Any) -> Any:
    """A coded column's value in the person's words (a window's state); others as they are."""
    msgid = column.label_of(value)
    return gettext(msgid) if msgid else value


def _shown(column: dashboard.Column, value: Any, timezone: str) -> str:
    msgid = column.label_of(value)
    return gettext(msgid) if msgid else _cell(column.kind, value, timezone)


class _Base(tornado.web.RequestHandler):
    def initialize(self, db: Database, token: str, clock=time.time) -> None:
        self.db = db
        self.token = token
        self.clock = clock

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-store")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        with use_locale(_language_of_request(self)):
            self.finish(json.dumps({"error": _(LABELS["failed"])}, ensure_ascii=False))


class PageHandler(_Base):
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish((STATIC / "dasbor.html").read_bytes())


class StaticHandler(tornado.web.StaticFileHandler):
    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")


class _Api(_Base):
    language = DEFAULT_LANGUAGE
    viewer: dashboard.Viewer

    def _refuse(self, status: int, message: str, language: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        with use_locale(language):
            self.finish(json.dumps({"error": _(message)}, ensure_ascii=False))

    async def prepare(self) -> None:
        header = self.request.headers.get("Authorization", "")
        scheme, _sep, init_data = header.partition(" ")
        try:
            if scheme.lower() != "tma":
                raise InitDataError("no tma authorization")
            session: WebAppSession = verify_init_data(
                init_data.strip(), self.token, now=self.clock()
            )
        except InitDataError as exc:
            log.info("dashboard refused: %s", exc)
            return self._refuse(401, NOT_SIGNED_IN, _language_of_request(self))
        found = await dashboard.viewer(self.db, session.user_id)
        language = (
            found.language if found else session.language_code if session.language_code in LANGUAGES else _language_of_request(self)
        )  # fmt: skip
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        if found is None or not found.org_ids:
            return self._refuse(403, NOTHING_TO_SEE, self.language)
        self.viewer = found

    def _json(self, value: object) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(value, ensure_ascii=False))

    def _scope(self) -> dashboard.Scope | None:
        wanted = self.get_query_argument("org", "")
        org_ids = self.viewer.org_ids
        if wanted:
            if not wanted.isdigit() or int(wanted) not in org_ids:
                self._refuse(403, NO_SUCH_ORG, self.language)
                return None
            org_ids = (int(wanted),)
        return dashboard.Scope(org_ids, self.language, self.viewer.timezone, int(self.clock()))


class PanelsHandler(_Api):
    async def get(self) -> None:
        orgs = await dashboard.organisations(self.db, self.viewer.org_ids)
        with use_locale(self.language):
            labels = {key: _(msgid) for key, msgid in LABELS.items()}
            labels["signed_in"] = labels["signed_in"].format(name=self.viewer.full_name)
            panels = [
                {
                    "name": p.name, "title": _(p.title), "chart": p.chart, "x": p.chart_x,
                    "y": list(p.chart_y),
                    "columns": [{"key": c.key, "label": _(c.label), "kind": c.kind} for c in p.columns],
                }
                for p in dashboard.PANELS.values()
            ]  # fmt: skip
        self._json({
            "language": self.language,
            "me": {"name": self.viewer.full_name},
            "organisations": [{"id": o.id, "name": o.name} for o in orgs],
            "labels": labels,
            "panels": panels,
        })  # fmt: skip


class PanelHandler(_Api):
    async def get(self, name: str, extension: str | None = None) -> None:
        found = dashboard.PANELS.get(name)
        if found is None:
            raise tornado.web.HTTPError(404)
        scope = self._scope()
        if scope is None:
            return
        rows = await dashboard.rows(self.db, name, scope)
        with use_locale(self.language):
            if extension == ".csv":
                return self._csv(found, rows)
            display = [{c.key: _shown(c, row.get(c.key), scope.timezone) for c in found.columns}
                       for row in rows]  # fmt: skip
        self._json({"rows": rows, "display": display})

    def _csv(self, found: dashboard.Panel, rows: list[dict]) -> None:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([csv_safe(_(c.label)) for c in found.columns])
        for row in rows:  # coded columns in words, the rest as stored
            writer.writerow([csv_safe(_coded(c, row.get(c.key))) for c in found.columns])
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="{found.name}.csv"')
        self.finish(out.getvalue().encode("utf-8-sig"))


def dashboard_routes(db: Database, token: str, *, prefix: str = "/dasbor", clock=time.time) -> list:
    """The tornado URL rules of the dashboard: the page, its static files, the JSON API and
    the CSV downloads, under ``prefix``."""
    prefix = prefix.rstrip("/")
    options = {"db": db, "token": token, "clock": clock}
    return [
        (rf"{prefix}/?", PageHandler, options),
        (rf"{prefix}/static/(.*)", StaticHandler, {"path": str(STATIC)}),
        (rf"{prefix}/api/panels", PanelsHandler, options),
        (rf"{prefix}/api/panel/([a-z_]+)(\.csv)?", PanelHandler, options),
    ]
