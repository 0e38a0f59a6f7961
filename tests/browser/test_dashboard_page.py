"""The dashboard page in Chromium on a phone-sized screen: the panels with the seeded figures,
people's names shown as text (no script of theirs runs), and a forged initData refused.

With KOPERASI_SCREENSHOTS=1 the test saves docs/dasbor-ponsel.png and docs/dasbor-ditolak.png."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.web.dashboard import dashboard_routes
from bot.web.initdata import sign_init_data
from bot.web.server import start_web_server
from storage.db import Database
from tests.web import dashdata as d

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The dashboard on a free port, served from a thread with its own event loop."""
    path = str(tmp_path_factory.mktemp("dash") / "k.sqlite3")
    ready = threading.Event()
    held: dict = {}

    async def serve() -> None:
        async with Database(path) as db:
            await d.seed(db)
            server = await start_web_server(
                dashboard_routes(db, d.TOKEN), listen="127.0.0.1", port=0
            )
            held["port"] = server.port
            held["stop"] = stop = asyncio.Event()
            ready.set()
            await stop.wait()
            await server.stop()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=lambda: loop.run_until_complete(serve()), daemon=True)
    thread.start()
    assert ready.wait(30), "the dashboard server did not start"
    yield f"http://127.0.0.1:{held['port']}/dasbor/"
    loop.call_soon_threadsafe(held["stop"].set)
    thread.join(10)


def _url(site: str, user_id: int, *, forged: bool = False) -> str:
    init_data = sign_init_data(d.TOKEN, {"id": user_id, "first_name": "X", "language_code": "id"},
                               auth_date=int(time.time()))  # fmt: skip
    if forged:
        init_data = init_data.replace(f"%22id%22%3A{user_id}", f"%22id%22%3A{d.FED_ADMIN}")
    return f"{site}#tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=android"


def _screenshot(page, name: str) -> None:
    if os.environ.get("KOPERASI_SCREENSHOTS") == "1":
        page.screenshot(path=str(DOCS / name), full_page=False)


def test_valid_init_data_shows_the_panels_and_names_as_text(site, phone_page):
    page = phone_page
    page.goto(_url(site, d.ADMIN_A))
    owed = page.locator("#panel-owed table")
    owed.wait_for(timeout=10_000)
    page.locator("#panel-purchases svg rect").first.wait_for(timeout=10_000)
    page.locator("#panel-savings table").wait_for(timeout=10_000)
    assert d.FARMER_A_NAME in owed.inner_text()
    assert "Rp680.000" in owed.inner_text()
    assert "Kujon" in page.locator("#panel-purchases table").inner_text()
    assert "Sumarni" not in page.locator("main").inner_text()  # cooperative B's farmer
    # What people typed is text: the administrator's name and the cooperative's name.
    assert d.EVIL_NAME in page.locator("#who").inner_text()
    assert d.EVIL_COOP in page.locator("#panel-savings").inner_text()
    assert page.locator("img").count() == 0
    assert page.locator("main script, header script").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.evaluate("document.documentElement.lang") == "id"
    assert page.locator("#org-label").is_hidden()  # one cooperative: no switch
    _screenshot(page, "dasbor-ponsel.png")
    # Sorting: the owed amounts, largest first as served; a tap sorts them upwards.
    farmers = lambda: page.locator("#panel-owed tbody tr td:first-child").all_inner_texts()  # noqa: E731
    assert farmers() == [d.FARMER_A_NAME, d.FORMULA_FARMER]
    page.locator("#panel-owed th[data-key=owed]").click()
    assert farmers() == [d.FORMULA_FARMER, d.FARMER_A_NAME]
    page.locator("#panel-owed th[data-key=owed]").click()
    assert farmers() == [d.FARMER_A_NAME, d.FORMULA_FARMER]
    # Nothing wider than the phone but the tables' own scrolling boxes.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The CSV button downloads the table, formulas quoted.
    with page.expect_download() as download:
        page.locator("#panel-owed button.csv").click()
    content = Path(download.value.path()).read_text("utf-8-sig")
    assert "'" + d.FORMULA_FARMER.replace('"', '""') in content
    assert "680000" in content


def test_init_data_is_kept_for_the_session(site, phone_page):
    phone_page.goto(_url(site, d.ADMIN_A))
    phone_page.locator("#panel-owed table").wait_for(timeout=10_000)
    phone_page.goto(site)  # Telegram's hash gone: sessionStorage keeps the initData
    phone_page.locator("#panel-owed table").wait_for(timeout=10_000)


def test_forged_init_data_shows_the_translated_refusal(site, phone_page):
    page = phone_page
    page.goto(_url(site, d.ADMIN_A, forged=True))
    refused = page.locator("#status.refused")
    refused.wait_for(timeout=10_000)
    assert "📊 Dasbor" in refused.inner_text()
    body = page.locator("body").inner_text()
    for secret in ("Kujon", d.FARMER_A_NAME, "Rp", "Koperasi <script>"):
        assert secret not in body
    assert page.locator("section").count() == 0
    _screenshot(page, "dasbor-ditolak.png")


def test_a_farmer_sees_the_refusal_and_no_figures(site, phone_page):
    phone_page.goto(_url(site, d.FARMER_A))
    refused = phone_page.locator("#status.refused")
    refused.wait_for(timeout=10_000)
    assert "bendahara" in refused.inner_text()
    assert "Rp" not in phone_page.locator("body").inner_text()


def test_desktop_layout_and_the_cooperative_switch(site, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="id-ID")
    try:
        page.goto(_url(site, d.FED_ADMIN))
        page.locator("#panel-owed table").wait_for(timeout=10_000)
        options = page.locator("#org option").all_inner_texts()
        assert d.EVIL_COOP in options  # an option's text, not markup
        page.locator("#org").select_option(label="Federasi Serikat Tani")
        page.locator("#panel-owed p.empty").wait_for(timeout=10_000)
        assert page.evaluate("typeof window.pwned") == "undefined"
    finally:
        page.close()
