"""Settings, read once at start-up from the environment (and a ``.env`` file) and validated.

Nothing here runs at import time; the token never appears in ``repr`` or logs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path

from dotenv import dotenv_values

from domain.people import LANGUAGES

TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")


class ConfigError(ValueError):
    """A setting is missing or wrong; the message is one line a person can act on."""


@dataclass(frozen=True)
class Setting:
    env: str
    default: str | None
    help: str


# The one list of settings: read by Settings.load and printed into the README table.
SETTINGS: dict[str, Setting] = {
    "token": Setting("TELEGRAM_BOT_TOKEN", None, "Bot token from @BotFather (required to run)."),
    "db_path": Setting("KOPERASI_DB_PATH", "koperasi.sqlite3", "SQLite database file; created and migrated on first start."),
    "db_url": Setting("KOPERASI_DB_URL", "", "PostgreSQL instead of the SQLite file: postgresql://user:password@host:5432/koperasi (needs pip install '.[postgres]'); migrated on first start; several bot processes may share it."),
    "api_url": Setting("KOPERASI_API_URL", "https://api.telegram.org/bot", "Bot API base URL (a self-hosted telegram-bot-api or the loopback emulator)."),
    "file_api_url": Setting("KOPERASI_FILE_API_URL", "", "Bot API file URL; empty: derived from KOPERASI_API_URL."),
    "bot_username": Setting("KOPERASI_BOT_USERNAME", "", "Bot username for invite links when the CLI cannot ask Telegram."),
    "default_language": Setting("KOPERASI_DEFAULT_LANGUAGE", "id", "Language before a person picks one (id or en)."),
    "concurrency": Setting("KOPERASI_CONCURRENCY", "64", "Updates of different chats processed at once (same chat: always in order)."),
    "invite_hours": Setting("KOPERASI_INVITE_HOURS", "72", "How long an invite link stays valid."),
    "offer_hours": Setting("KOPERASI_OFFER_HOURS", "72", "How long an offer nobody takes stays open; then it expires and the farmer is told."),
    "webhook_url": Setting("KOPERASI_WEBHOOK_URL", "", "Public HTTPS URL for webhook mode; empty: long polling."),
    "webhook_listen": Setting("KOPERASI_WEBHOOK_LISTEN", "127.0.0.1", "Address the webhook server binds to."),
    "webhook_port": Setting("KOPERASI_WEBHOOK_PORT", "8443", "Port the webhook server listens on."),
    "webhook_secret": Setting("KOPERASI_WEBHOOK_SECRET", "", "Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Z a-z 0-9 _ -)."),
    "log_level": Setting("KOPERASI_LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING or ERROR."),
    "digest_time": Setting("KOPERASI_DIGEST_TIME", "06:00", "Local time of the morning price digest, in each person's own zone (WIB, WITA, WIT)."),
    "dashboard_port": Setting("KOPERASI_DASHBOARD_PORT", "0", "Port of the dashboard's web server (Telegram Mini App); 0: no dashboard."),
    "dashboard_listen": Setting("KOPERASI_DASHBOARD_LISTEN", "127.0.0.1", "Address the dashboard's web server binds to (behind an HTTPS reverse proxy)."),
    "dashboard_url": Setting("KOPERASI_DASHBOARD_URL", "", "Public HTTPS URL of the dashboard (e.g. https://koperasi.example/dasbor/): administrators and treasurers get the 📊 Dasbor menu button opening it; empty: no button."),
    "backup_dir": Setting("KOPERASI_BACKUP_DIR", "", "Folder of the daily backup (koperasi-YYYYMMDD-HHMMSS.sqlite3, or .dump on PostgreSQL), taken at 02:00 WIB while the bot runs; empty: no daily backup."),
    "backup_keep": Setting("KOPERASI_BACKUP_KEEP", "7", "Daily backups kept in KOPERASI_BACKUP_DIR; older ones are deleted."),
    "metrics_port": Setting("KOPERASI_METRICS_PORT", "0", "Port serving /metrics (Prometheus) and /healthz beside the bot; 0: off."),
    "metrics_listen": Setting("KOPERASI_METRICS_LISTEN", "127.0.0.1", "Address the /metrics and /healthz server binds to."),
    "paid_broadcast": Setting("KOPERASI_PAID_BROADCAST", "off", "on: broadcasts are sent as paid broadcasts (allow_paid_broadcast), up to 1,000 messages/s instead of 30/s, each costing 0.1 Telegram Star from the bot's balance; off: free, 30/s."),
}  # fmt: skip

_TRUE = ("1", "on", "yes", "true")
_FALSE = ("0", "off", "no", "false")


def parse_clock(value: str) -> time:
    """``06:00`` or ``6.00`` (Indonesian) as a time of day; ConfigError otherwise."""
    found = re.fullmatch(r"([01]?\d|2[0-3])[:.]([0-5]\d)", (value or "").strip())
    if not found:
        raise ConfigError(f"not a time of day: {value!r}")
    return time(int(found[1]), int(found[2]))


def _clock(name: str, value: str) -> time:
    try:
        return parse_clock(value)
    except ConfigError:
        raise ConfigError(f"{SETTINGS[name].env} must be a time of day like 06:00") from None


def _bool(name: str, text: str) -> bool:
    value = text.strip().lower()
    if value not in _TRUE + _FALSE:
        raise ConfigError(f"{SETTINGS[name].env} must be on or off, got {text!r}")
    return value in _TRUE


def _int(name: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{SETTINGS[name].env} must be a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{SETTINGS[name].env} must be between {low} and {high}, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    db_path: str = "koperasi.sqlite3"
    db_url: str = field(default="", repr=False)  # holds a password
    api_url: str = "https://api.telegram.org/bot"
    file_api_url: str = ""
    bot_username: str = ""
    default_language: str = "id"
    concurrency: int = 64
    invite_hours: int = 72
    offer_hours: int = 72
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str = field(default="", repr=False)
    log_level: str = "INFO"
    paid_broadcast: bool = False
    dashboard_port: int = 0
    dashboard_listen: str = "127.0.0.1"
    dashboard_url: str = ""
    backup_dir: str = ""
    backup_keep: int = 7
    metrics_port: int = 0
    metrics_listen: str = "127.0.0.1"
    digest_time: time = time(6, 0)

    @property
    def database(self) -> str:
        """What storage.db.Database opens: the PostgreSQL URL when set, else the SQLite file."""
        return self.db_url or self.db_path

    @property
    def file_url(self) -> str:
        return self.file_api_url or self.api_url.replace("/bot", "/file/bot", 1)

    @classmethod
    def load(
        cls,
        environ: Mapping[str, str] | None = None,
        env_file: str | Path | None = ".env",
        require_token: bool = True,
        **overrides: object,
    ) -> Settings:
        """Environment wins over ``.env``; ``overrides`` (command-line flags) win over both."""
        source: dict[str, str | None] = {}
        if env_file and Path(env_file).is_file():
            source.update(dotenv_values(env_file))
        source.update(os.environ if environ is None else environ)
        raw = {
            name: (source.get(s.env) if source.get(s.env) not in (None, "") else s.default)
            for name, s in SETTINGS.items()
        }
        raw.update({k: str(v) for k, v in overrides.items() if v is not None})
        return cls._validated(raw, require_token)

    @classmethod
    def _validated(cls, raw: dict[str, str | None], require_token: bool) -> Settings:
        token = (raw["token"] or "").strip()
        if require_token and not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in the environment or in .env"
            )
        if token and not TOKEN_PATTERN.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN looks malformed: it should look like 123456789:AA… as @BotFather gave it"
            )
        if raw["default_language"] not in LANGUAGES:
            raise ConfigError(f"KOPERASI_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        if raw["log_level"].upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ConfigError("KOPERASI_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        secret = raw["webhook_secret"] or ""
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ConfigError(
                "KOPERASI_WEBHOOK_SECRET may hold only A-Z a-z 0-9 _ - (1 to 256 characters)"
            )
        if raw["webhook_url"] and not secret:
            raise ConfigError(
                "KOPERASI_WEBHOOK_SECRET is required with KOPERASI_WEBHOOK_URL, so that only Telegram can post updates"
            )
        if raw["db_url"] and not re.match(r"^postgres(ql)?://", raw["db_url"]):
            raise ConfigError(
                "KOPERASI_DB_URL must be a PostgreSQL URL like postgresql://user:password@host:5432/koperasi"
            )
        for name in ("api_url", "webhook_url", "dashboard_url"):
            if raw[name] and not re.match(r"^https?://", raw[name]):
                raise ConfigError(f"{SETTINGS[name].env} must start with http:// or https://")
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        values.update(
            token=token,
            concurrency=_int("concurrency", raw["concurrency"], 1, 1024),
            invite_hours=_int("invite_hours", raw["invite_hours"], 1, 24 * 30),
            offer_hours=_int("offer_hours", raw["offer_hours"], 1, 24 * 30),
            webhook_port=_int("webhook_port", raw["webhook_port"], 1, 65535),
            dashboard_port=_int("dashboard_port", raw["dashboard_port"], 0, 65535),
            backup_keep=_int("backup_keep", raw["backup_keep"], 1, 3650),
            metrics_port=_int("metrics_port", raw["metrics_port"], 0, 65535),
            log_level=raw["log_level"].upper(),
            paid_broadcast=_bool("paid_broadcast", raw["paid_broadcast"]),
            digest_time=_clock("digest_time", raw["digest_time"]),
        )
        return cls(**values)
