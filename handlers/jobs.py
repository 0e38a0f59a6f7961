"""Scheduled work in one place: what runs when, registered at every start (APScheduler keeps
nothing on disk). The application calls :func:`schedule` once the database is open."""

from __future__ import annotations

import functools
import time as time_module
from collections.abc import Awaitable, Callable
from datetime import datetime, time
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.context import BotContext
from domain.monthly_reports import REMINDER_HOUR as REPORT_REMINDER_HOUR
from domain.produce import CATALOG
from domain.regions import TIMEZONES
from handlers import (
    alerts,
    cycle_delivery,
    cycles,
    member_orders,
    monthly_report,
    prices,
    savings,
    windows,
)
from handlers.loans import repay as loan_repay
from handlers.pickup import schedule as pickups
from storage import catalog, job_runs
from storage.leases import process_identity

Job = Callable[[BotContext], Awaitable[None]]

# --- once across processes -------------------------------------------------------------
# Several processes may serve one database (issue 16): each schedules every job, and a run
# takes its slot in storage.job_runs first; the process that gets it runs, the others skip.
# Repeating jobs' slots are windows of their interval (processes started at other moments
# fire at other phases, still once per window); daily ones', the local day where they run.


def every(seconds: int) -> Callable[[BotContext], str]:
    return lambda context: str(int(time_module.time()) // seconds)


def local_day(context: BotContext) -> str:
    return datetime.now(ZoneInfo(context.job.data)).date().isoformat()


def once(name: str, job: Job, slot: Callable[[BotContext], str]) -> Job:
    """``job`` run only by the process that claims ``name`` for this slot."""

    @functools.wraps(job)
    async def guarded(context: BotContext) -> None:
        if await job_runs.claim(context.db, name, slot(context), process_identity()):
            await job(context)

    return guarded


# Edits of the produce catalog by the command line (another process) reach the bot within
# this time; edits in the bot itself take effect at once.
CATALOG_REFRESH_SECONDS = 300


async def refresh_catalog(context: BotContext) -> None:
    CATALOG.replace_with(await catalog.load(context.db, include_inactive=True))


def schedule(app: Application) -> None:
    app.job_queue.run_repeating(
        once("expire-offers", alerts.expire_offers, every(600)), interval=600, first=60, name="expire-offers",
        job_kwargs={"id": "expire-offers", "replace_existing": True, "coalesce": True, "misfire_grace_time": 600},
    )  # fmt: skip
    app.job_queue.run_repeating(
        once("alert-missed", alerts.alert_missed, every(300)), interval=300, first=90, name="alert-missed",
        job_kwargs={"id": "alert-missed", "replace_existing": True, "coalesce": True, "misfire_grace_time": 300},
    )  # fmt: skip
    # buying windows past their deadline close, and every close is told (once: storage.windows)
    app.job_queue.run_repeating(
        once("close-windows", windows.close_windows, every(60)), interval=60, first=20, name="close-windows",
        job_kwargs={"id": "close-windows", "replace_existing": True, "coalesce": True, "misfire_grace_time": 600},
    )  # fmt: skip
    # order cycles past their closing time close and are told; a day before, the reminder
    app.job_queue.run_repeating(
        once("close-cycles", cycles.close_cycles, every(60)), interval=60, first=25, name="close-cycles",
        job_kwargs={"id": "close-cycles", "replace_existing": True, "coalesce": True, "misfire_grace_time": 600},
    )  # fmt: skip
    app.job_queue.run_repeating(  # members whose orders a close froze: what, where, when
        once("tell-member-orders", member_orders.tell_closed_job, every(60)), interval=60, first=35,
        name="tell-member-orders", job_kwargs={"id": "tell-member-orders", "replace_existing": True,
                                               "coalesce": True, "misfire_grace_time": 600},
    )  # fmt: skip
    app.job_queue.run_repeating(
        once("remind-cycles", cycles.remind_cycles, every(600)), interval=600, first=45, name="remind-cycles",
        job_kwargs={"id": "remind-cycles", "replace_existing": True, "coalesce": True, "misfire_grace_time": 600},
    )  # fmt: skip
    # a closed cycle's delivery day: its officers get the 📦 button (once: the outbox's key)
    app.job_queue.run_repeating(
        once("delivery-day", cycle_delivery.delivery_day, every(600)), interval=600, first=50, name="delivery-day",
        job_kwargs={"id": "delivery-day", "replace_existing": True, "coalesce": True, "misfire_grace_time": 600},
    )  # fmt: skip
    app.job_queue.run_repeating(
        refresh_catalog, interval=CATALOG_REFRESH_SECONDS, first=CATALOG_REFRESH_SECONDS, name="catalog",
        job_kwargs={"id": "catalog", "replace_existing": True, "coalesce": True},
    )  # fmt: skip
    # (the catalog is each process's own copy: refreshed by every process)
    # each cooperative's wajib reminder, at its day and time where each member lives
    app.job_queue.run_repeating(
        once("wajib-reminders", savings.wajib_reminders, every(60)), interval=60, first=30, name="wajib-reminders",
        job_kwargs={"id": "wajib-reminders", "replace_existing": True, "coalesce": True, "misfire_grace_time": 600},
    )  # fmt: skip
    for zone in TIMEZONES:  # the morning prices, at the digest time where people live
        app.job_queue.run_daily(
            once(f"price-digest-{zone}", prices.price_digest, local_day), app.digest_time.replace(tzinfo=ZoneInfo(zone)),
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
            once(f"digest-{zone}", pickups.morning_digest, local_day), time(6, 0, tzinfo=ZoneInfo(zone)), data=zone,
            name=f"digest-{zone}", job_kwargs={"id": f"digest-{zone}", "replace_existing": True,
                                               "coalesce": True, "misfire_grace_time": 3600},
        )  # fmt: skip
    for zone in TIMEZONES:  # loan installments due in a few days, 08:00 where members live
        app.job_queue.run_daily(
            once(f"loan-reminders-{zone}", loan_repay.loan_reminders, local_day), time(8, 0, tzinfo=ZoneInfo(zone)),
            data=zone, name=f"loan-reminders-{zone}",
            job_kwargs={"id": f"loan-reminders-{zone}", "replace_existing": True, "coalesce": True,
                        "misfire_grace_time": 3 * 3600},
        )  # fmt: skip
    for zone in TIMEZONES:  # the monthly report reminder, 09:00 where the officers live (1st-10th)
        app.job_queue.run_daily(
            once(f"report-reminders-{zone}", monthly_report.report_reminders, local_day),
            time(REPORT_REMINDER_HOUR, 0, tzinfo=ZoneInfo(zone)), data=zone, name=f"report-reminders-{zone}",
            job_kwargs={"id": f"report-reminders-{zone}", "replace_existing": True, "coalesce": True,
                        "misfire_grace_time": 3 * 3600},
        )  # fmt: skip
