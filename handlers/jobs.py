"""Scheduled work in one place: what runs when, registered at every start (APScheduler keeps
nothing on disk). The application calls :func:`schedule` once the database is open."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.context import BotContext
from domain.produce import CATALOG
from domain.regions import TIMEZONES
from handlers import alerts, prices, savings
from handlers.pickup import schedule as pickups
from storage import catalog

# Edits of the produce catalog by the command line (another process) reach the bot within
# this time; edits in the bot itself take effect at once.
CATALOG_REFRESH_SECONDS = 300


async def refresh_catalog(context: BotContext) -> None:
    CATALOG.replace_with(await catalog.load(context.db, include_inactive=True))


def schedule(app: Application) -> None:
    app.job_queue.run_repeating(
        alerts.expire_offers, interval=600, first=60, name="expire-offers",
        job_kwargs={"id": "expire-offers", "replace_existing": True, "coalesce": True, "misfire_grace_time": 600},
    )  # fmt: skip
    app.job_queue.run_repeating(
        alerts.alert_missed, interval=300, first=90, name="alert-missed",
        job_kwargs={"id": "alert-missed", "replace_existing": True, "coalesce": True, "misfire_grace_time": 300},
    )  # fmt: skip
    app.job_queue.run_repeating(
        refresh_catalog, interval=CATALOG_REFRESH_SECONDS, first=CATALOG_REFRESH_SECONDS, name="catalog",
        job_kwargs={"id": "catalog", "replace_existing": True, "coalesce": True},
    )  # fmt: skip
    # each cooperative's wajib reminder, at its day and time where each member lives
    app.job_queue.run_repeating(
        savings.wajib_reminders, interval=60, first=30, name="wajib-reminders",
        job_kwargs={"id": "wajib-reminders", "replace_existing": True, "coalesce": True, "misfire_grace_time": 600},
    )  # fmt: skip
    for zone in TIMEZONES:  # the morning prices, at the digest time where people live
        app.job_queue.run_daily(
            prices.price_digest, app.digest_time.replace(tzinfo=ZoneInfo(zone)),
            data=zone, name=f"price-digest-{zone}",
            job_kwargs={"id": f"price-digest-{zone}", "replace_existing": True, "coalesce": True,
                        "misfire_grace_time": 3 * 3600},
        )  # fmt: skip
    # a digest the bot was down for (its time passed today, not queued yet) goes out now
    app.job_queue.run_once(
        prices.digest_catch_up,
        when=5,
        data=app.digest_time,
        name="price-digest-catch-up",
    )
    for zone in TIMEZONES:  # 06:00 where the coordinators live (WIB, WITA, WIT)
        app.job_queue.run_daily(
            pickups.morning_digest, time(6, 0, tzinfo=ZoneInfo(zone)), data=zone,
            name=f"digest-{zone}", job_kwargs={"id": f"digest-{zone}", "replace_existing": True,
                                               "coalesce": True, "misfire_grace_time": 3600},
        )  # fmt: skip
