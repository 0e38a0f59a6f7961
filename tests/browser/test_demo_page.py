"""THE demo test: ``koperasi-bot demo`` as a process, its chat page in Chromium. A new person
registers as a farmer through the page (language, shared contact, name, places typed as
people type them), offers red chilli with /jual through the buttons, and the coordinator's
chat beside it on the same page gets the alert and takes it (✋). Then the page on a phone's
screen. With KOPERASI_SCREENSHOTS=1 it saves docs/demo-ponsel.png and docs/demo-desktop.png."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.demoproc import DemoProcess

ROOT = Path(__file__).resolve().parents[2]
STEP = 45_000  # ms: one answer of the bot on a loaded 2-core machine
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture
def demo(tmp_path):
    process = DemoProcess(tmp_path / "demo", "--fresh")
    url = process.wait_ready()
    yield url
    assert process.stop() == 0, "".join(process.errors)[-2000:]


def _pane(page, index: int):
    return page.locator(f'.pane[data-pane="{index}"]')


def _bot_says(pane, text: str):
    from playwright.sync_api import expect

    expect(pane.locator(".msg.in", has_text=text).last).to_be_visible(timeout=STEP)


def _press(pane, label: str):
    button = pane.locator(".inline-button", has_text=label).last
    button.wait_for(timeout=STEP)
    button.click()


def _type(pane, text: str):
    pane.locator(".compose-text").fill(text)
    pane.locator(".send").click()


def _shot(page, name: str) -> None:
    if os.environ.get("KOPERASI_SCREENSHOTS") == "1":
        page.screenshot(path=str(ROOT / "docs" / name))


def test_a_new_farmer_offers_and_the_coordinator_takes_it_side_by_side(browser, phone_page, demo):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DESKTOP, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(demo)
    expect(page.locator("body")).to_have_attribute("data-ready", "1", timeout=STEP)
    farmer, coordinator = _pane(page, 0), _pane(page, 1)
    expect(coordinator.locator("select.person option:checked")).to_have_text(
        re.compile("koordinator")
    )

    # A new person, registering from /start as a farmer.
    farmer.locator("select.person").select_option("new")
    farmer.locator(".new-name").fill("Wati")
    farmer.locator(".new-ok").click()
    expect(farmer.locator(".note.empty")).to_be_visible()
    _type(farmer, "/start")
    _bot_says(farmer, "Pilih bahasa")
    _press(farmer, "Bahasa Indonesia")
    _bot_says(farmer, "Anda mendaftar sebagai apa?")
    _press(farmer, "🌾 Saya petani")
    contact = farmer.locator(".reply-key", has_text="📱")
    contact.wait_for(timeout=STEP)
    contact.click()
    expect(farmer.locator(".msg.out", has_text="📱 62812")).to_be_visible(timeout=STEP)
    _bot_says(farmer, "Siapa nama lengkap Anda?")
    _type(farmer, "Wati Lestari")
    _bot_says(farmer, "Ketik nama provinsi Anda")
    _type(farmer, "jateng")
    _bot_says(farmer, "Ketik nama kabupaten atau kota Anda")
    _type(farmer, "klaten")
    _bot_says(farmer, "Ketik nama kecamatan Anda")
    _type(farmer, "ceper")
    _bot_says(farmer, "Ketik nama desa atau kelurahan Anda")
    _type(farmer, "kujon")
    _bot_says(farmer, "Periksa data Anda:")
    expect(farmer.locator(".msg.in", has_text="Periksa data Anda:").last).to_contain_text("Kujon")
    _press(farmer, "✅ Ya, simpan")
    _bot_says(farmer, "Anda sudah terdaftar sebagai petani")

    # /jual through the buttons.
    _type(farmer, "/jual")
    _press(farmer, "Cabai merah")
    _bot_says(farmer, "Pilih mutu cabai merah Anda")
    _press(farmer, "Mutu A")
    _bot_says(farmer, "Berapa banyak cabai merah")
    _type(farmer, "2 kuintal")
    _bot_says(farmer, "Kapan siap dijemput?")
    _press(farmer, "Besok")
    _bot_says(farmer, "Di mana koordinator menjemputnya?")
    home = farmer.locator(".reply-key", has_text="🏠")
    home.wait_for(timeout=STEP)
    home.click()
    _bot_says(farmer, "Periksa tawaran Anda:")
    _press(farmer, "✅ Ya, simpan")
    _bot_says(farmer, "Tawaran Anda sudah disimpan.")
    saved = farmer.locator(".msg.in", has_text="Tawaran Anda sudah disimpan.").last.inner_text()
    number = re.search(r"TW-[0-9A-Z]{4}", saved)[0]

    # The coordinator's chat, beside it, gets the alert and takes it.
    alert = coordinator.locator(".msg.in", has_text=f"Tawaran baru {number}").last
    expect(alert).to_be_visible(timeout=STEP)
    expect(alert).to_contain_text("Wati Lestari")
    _press(coordinator, "✋ Ambil penjemputan ini")
    _bot_says(farmer, "Kabar baik: koordinator Joko")
    expect(
        coordinator.locator(".inline-button", has_text="📅 Jadwalkan penjemputan").last
    ).to_be_visible(timeout=STEP)
    expect(
        coordinator.locator(".inline-button", has_text="✋ Ambil penjemputan ini")
    ).to_have_count(0)
    _shot(page, "demo-desktop.png")
    assert errors == []
    context.close()

    # The same page on a phone: one chat at a time, a tab for each.
    phone_page.goto(demo)
    expect(phone_page.locator("body")).to_have_attribute("data-ready", "1", timeout=STEP)
    expect(phone_page.locator("#tabs")).to_be_visible()
    expect(_pane(phone_page, 1)).to_be_hidden()
    phone_page.locator('#tabs button[data-tab="1"]').click()
    expect(_pane(phone_page, 1)).to_be_visible()
    expect(
        _pane(phone_page, 1).locator(".msg.in", has_text=f"Tawaran baru {number}")
    ).to_be_visible(timeout=STEP)
    _shot(phone_page, "demo-ponsel.png")


HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
HOSTILE_NAME = '<img src=x onerror="__pwned=3">'  # the name field takes 40 characters


def test_what_people_type_is_shown_as_text_never_run(browser, demo):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(demo)
    expect(page.locator("body")).to_have_attribute("data-ready", "1", timeout=STEP)
    pane = _pane(page, 0)
    pane.locator("select.person").select_option("new")
    pane.locator(".new-name").fill(HOSTILE_NAME)
    pane.locator(".new-ok").click()
    expect(pane.locator("select.person option:checked")).to_have_text(HOSTILE_NAME)
    _type(pane, HOSTILE)
    expect(pane.locator(".msg.out", has_text=HOSTILE)).to_be_visible(timeout=STEP)
    _bot_says(pane, "")  # the bot answered (its reply may name the person)
    _type(pane, "/start")
    _bot_says(pane, "Pilih bahasa")
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".pane img").count() == 0  # no element came out of the text

    # Telegram's formatting from entities (UTF-16 offsets, nested), links only http(s).
    html = page.evaluate(
        """() => formatted("🌶 Harga <b>cabai</b> A lihat di sini x", [
            {type: "bold", offset: 3, length: 18}, {type: "italic", offset: 9, length: 12},
            {type: "code", offset: 22, length: 1},
            {type: "text_link", offset: 24, length: 13, url: "https://koperasi.example/h"},
            {type: "text_link", offset: 38, length: 1, url: "javascript:alert(1)"},
        ]).innerHTML"""
    )
    assert html == (
        '🌶 <b class="e-bold">Harga <i class="e-italic">&lt;b&gt;cabai&lt;/b&gt;</i></b> '
        '<code class="e-code">A</code> '
        '<a href="https://koperasi.example/h" target="_blank" rel="noopener noreferrer">'
        'lihat di sini</a> <span class="e-text_link">x</span>'
    )
    assert page.evaluate("window.__pwned") is None

    # Blocking the bot is shown plainly, with the way back.
    pane.locator("button.block").click()
    banner = pane.locator(".banner")
    expect(banner).to_be_visible(timeout=STEP)
    expect(banner).to_contain_text("memblokir bot")
    banner.locator("button.unblock").click()
    expect(banner).to_be_hidden(timeout=STEP)
    context.close()
