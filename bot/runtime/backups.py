"""The daily backup (optional): with ``KOPERASI_BACKUP_DIR`` set, the running bot copies its
database there every night (``koperasi-YYYYMMDD-HHMMSS.sqlite3``, UTC; ``.dump`` on
PostgreSQL) and deletes the oldest beyond ``KOPERASI_BACKUP_KEEP``."""

from __future__ import annotations

import logging
import os
import re
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram.ext import Application

from storage import backup as store
from storage import job_runs
from storage.leases import process_identity

log = logging.getLogger(__name__)

# 02:00 WIB: after the day's work, before the 06:00 digests.
BACKUP_TIME = time(2, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
JOB_NAME = "daily-backup"
_OURS = re.compile(r"^koperasi-\d{8}-\d{6}\.(sqlite3|dump)$")


def backup_name(at: datetime, postgres: bool) -> str:
    return f"koperasi-{at.astimezone(UTC):%Y%m%d-%H%M%S}.{'dump' if postgres else 'sqlite3'}"


def rotate(folder: str | Path, keep: int) -> list[str]:
    """Delete the oldest of this job's files beyond ``keep`` (their names sort by time);
    other files in the folder are never touched. Returns the names deleted."""
    ours = sorted(name for name in os.listdir(folder) if _OURS.match(name))
    gone = ours[: max(len(ours) - keep, 0)]
    for name in gone:
        os.unlink(Path(folder, name))
    return gone


def _source(db) -> tuple[str, str | None]:
    """(SQLite path, PostgreSQL URL or None) of the bot's open database."""
    if getattr(db, "dialect", "sqlite") == "postgresql":
        return "", db.url
    return db.path, None


async def daily_backup(context) -> None:
    settings = context.bot_data.settings
    today = datetime.now(UTC).date().isoformat()
    # Several processes on one database: one of them takes the day's backup (storage.job_runs).
    if not await job_runs.claim(context.bot_data.db, JOB_NAME, today, process_identity()):
        return
    path, url = _source(context.bot_data.db)
    target = Path(settings.backup_dir, backup_name(datetime.now(UTC), url is not None))
    try:
        copied = await store.backup(path, str(target), url)
    except store.BackupError as exc:  # logged, and tried again tomorrow: the bot goes on
        log.error("daily backup failed: %s", exc)
        return
    gone = rotate(settings.backup_dir, settings.backup_keep)
    log.info(
        "daily backup written: %s (%d bytes)%s",
        copied.path,
        copied.size,
        f"; deleted the oldest: {', '.join(gone)}" if gone else "",
    )


def schedule(app: Application) -> None:
    """Registered with the other jobs at every start; nothing without KOPERASI_BACKUP_DIR."""
    settings = app.bot_data.settings
    if not settings.backup_dir or app.job_queue is None:
        return
    os.makedirs(settings.backup_dir, mode=0o700, exist_ok=True)
    app.job_queue.run_daily(
        daily_backup, BACKUP_TIME, name=JOB_NAME,
        job_kwargs={"id": JOB_NAME, "replace_existing": True, "coalesce": True,
                    "misfire_grace_time": 3 * 3600},
    )  # fmt: skip
