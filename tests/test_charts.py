"""The price trend chart is a real PNG of 800 × 500 px, under 100 KB, labelled in the reader's
language (title, axes, legend, dates, a Rupiah axis written the local way), drawn without
holding up the event loop."""

from __future__ import annotations

import asyncio
import io
import re
import struct
import time
from datetime import date, timedelta

import pytest
from PIL import Image

from bot.charts import HEIGHT_PX, WIDTH_PX, TrendChart, build_figure, to_png, trend_png
from bot.i18n import _, ngettext, use_locale

START = date(2025, 11, 20)  # 30 days reach into December: "Des" / "Dec"


def _chart(days: int = 30, reference: bool = True) -> TrendChart:
    coop = [
        (
            START + timedelta(days=i),
            6500 if i < 10 else 6800 if i < 20 else None if i < 22 else 7100,
        )
        for i in range(days)
    ]
    hpp = [(START + timedelta(days=i), 6500) for i in range(days)] if reference else None
    return TrendChart("Gabah, GKP", "kg", coop, hpp)


def _ihdr(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    return struct.unpack(">II", png[16:24])


def _texts(figure) -> dict[str, list[str]]:
    figure.canvas.draw()
    (axes,) = figure.axes
    return {
        "title": [axes.get_title(loc="left")],
        "x": [axes.get_xlabel()],
        "y": [axes.get_ylabel()],
        "legend": [t.get_text() for t in axes.get_legend().get_texts()],
        "yticks": [t.get_text() for t in axes.get_yticklabels()],
        "xticks": [t.get_text() for t in axes.get_xticklabels()],
    }


@pytest.mark.parametrize("days", [30, 90])
def test_the_chart_is_a_small_png_of_800_by_500(days):
    png = to_png(build_figure(_chart(days), "id"))
    assert _ihdr(png) == (WIDTH_PX, HEIGHT_PX) == (800, 500)
    assert len(png) < 100_000
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (800, 500)


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_label_is_in_the_readers_language(language):
    texts = _texts(build_figure(_chart(), language))
    with use_locale(language):
        assert texts["title"] == [
            ngettext(
                "{produce}: price per {unit}, last {days} day",
                "{produce}: price per {unit}, last {days} days",
                30,
            ).format(produce="Gabah, GKP", unit="kg", days=30)
        ]
        assert texts["x"] == [_("Date")]
        assert texts["y"] == [_("Rupiah per {unit}").format(unit="kg")]
        assert texts["legend"] == [
            _("Cooperative buying price"),
            _("Government purchase price (HPP)"),
        ]
    money = [t for t in texts["yticks"] if t]
    thousands = "." if language == "id" else ","  # Rp6.800 / Rp6,800
    assert len(money) >= 3
    assert all(re.fullmatch(rf"Rp\d{{1,3}}(\{thousands}\d{{3}})+", t) for t in money), money
    month = "Des" if language == "id" else "Dec"
    assert any(t.endswith(f" {month}") for t in texts["xticks"]), texts["xticks"]


def test_the_language_is_the_one_asked_for_not_the_current_one():
    with use_locale("en"):
        texts = _texts(build_figure(_chart(), "id"))
    assert any(t.endswith("Des") for t in texts["xticks"])


def test_a_period_without_any_price_still_draws():
    chart = TrendChart(
        "Kopi, Grade A", "kg", [(START + timedelta(days=i), None) for i in range(30)]
    )
    figure = build_figure(chart, "en")
    with use_locale("en"):
        assert _("No price was set in this period.") in [t.get_text() for t in figure.axes[0].texts]
    assert _ihdr(to_png(figure)) == (800, 500)


async def test_drawing_leaves_the_event_loop_free():
    turns: list[float] = []
    stop = False

    async def ticker():
        while not stop:
            turns.append(time.monotonic())
            await asyncio.sleep(0.002)

    running = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    started = time.monotonic()
    png = await trend_png(_chart(90), "id")
    ended = time.monotonic()
    stop = True
    await running
    assert _ihdr(png) == (800, 500)
    during = [t for t in turns if started < t < ended]
    # drawn in the loop itself, the ticker would not have turned once meanwhile
    assert len(during) >= 2, (len(during), ended - started)
