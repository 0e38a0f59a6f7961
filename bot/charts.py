"""Price trend charts as PNG images: the cooperative's buying price of one produce over the
last 30 or 90 days, beside a reference price (HPP) when there is one, labelled in the
reader's language, with a Rupiah axis written the local way (``Rp6.500`` in Indonesian,
``Rp6,500`` in English) and dates as people read them (``3 Des`` / ``3 Dec``).

matplotlib draws headless (the Agg canvas; pyplot is never imported, so no GUI backend and no
global figure state). Drawing takes a tenth of a second or more: handlers call
:func:`trend_png`, which draws in a worker thread (``asyncio.to_thread``) so the event loop
keeps answering others meanwhile; one chart is drawn at a time (matplotlib is not made for
threads). :func:`build_figure` and :func:`to_png` are the two halves, for tests.

Usage (a handler)::

    days = await prices.series(db, "cabai_merah", "A", person.village_code, start, today)
    png = await trend_png(TrendChart(name, "kg", [(d.day, d.price_rupiah) for d in days]),
                          person.language)
    await update.effective_chat.send_photo(png, caption=...)
"""

from __future__ import annotations

import asyncio
import io
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from babel import dates as babel_dates

from bot.i18n import (
    _,
    current_language,
    format_money,
    format_number,
    ngettext,
    unit_name,
    use_locale,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_PX, HEIGHT_PX, DPI = 800, 500, 100
COOPERATIVE_COLOUR = "#b3261e"  # the red of Merah Putih
REFERENCE_COLOUR = "#5f6368"

Series = Sequence[tuple[date, int | None]]  # (day, whole rupiah or None: no price that day)

_drawing = threading.Lock()


@dataclass(frozen=True)
class TrendChart:
    """What a chart shows. ``produce`` is the produce's name as the reader says it (with its
    grade if it has several: "Cabai merah, Grade A"), ``unit`` the catalog's base unit code
    (``kg``, ``ekor`` …). ``reference_label`` defaults to the government reference price."""

    produce: str
    unit: str
    cooperative: Series
    reference: Series | None = None
    reference_label: str | None = None


def _money_axis(language: str):
    def label(value: float, _position: int) -> str:
        with use_locale(language):
            return format_money(int(round(value)))

    return label


def _date_axis(language: str):
    from matplotlib import dates as mdates

    def label(value: float, _position: int) -> str:
        day = mdates.num2date(value).date()
        return babel_dates.format_date(day, "d MMM", locale=language)

    return label


def _points(series: Series) -> tuple[list[datetime], list[float]]:
    """Days as datetimes (matplotlib's date axis), prices as floats with NaN for no price;
    the last day's price is drawn on to the end of that day."""
    xs = [datetime(d.year, d.month, d.day) for d, _ in series]
    ys = [math.nan if v is None else float(v) for _, v in series]
    if xs:
        xs.append(xs[-1] + timedelta(days=1))
        ys.append(ys[-1])
    return xs, ys


def _limits(values: list[float]) -> tuple[float, float] | None:
    known = [v for v in values if not math.isnan(v)]
    if not known:
        return None
    low, high = min(known), max(known)
    pad = max((high - low) * 0.08, high * 0.03, 1.0)
    return max(0.0, low - pad), high + pad


def build_figure(chart: TrendChart, language: str | None = None) -> Figure:
    """The chart as a matplotlib Figure of 800 × 500 px, every text in ``language`` (the
    current one if None)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    language = language or current_language()
    with use_locale(language):
        days = len(chart.cooperative)
        title = ngettext(
            "{produce}: price per {unit}, last {days} day",
            "{produce}: price per {unit}, last {days} days",
            days,
        ).format(produce=chart.produce, unit=unit_name(chart.unit), days=days)
        x_label = _("Date")
        y_label = _("Rupiah per {unit}").format(unit=unit_name(chart.unit))
        cooperative_label = _("Cooperative buying price")
        reference_label = chart.reference_label or _("Government purchase price (HPP)")
        empty_label = _("No price was set in this period.")

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=13, loc="left")
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)

    xs, ys = _points(chart.cooperative)
    values = list(ys)
    axes.step(
        xs, ys, where="post", color=COOPERATIVE_COLOUR, linewidth=2.2, label=cooperative_label
    )
    if chart.reference:
        rx, ry = _points(chart.reference)
        values += ry
        axes.step(
            rx, ry, where="post", color=REFERENCE_COLOUR, linewidth=1.6, linestyle="--",
            label=reference_label,
        )  # fmt: skip
    limits = _limits(values)
    if limits is None:
        axes.text(
            0.5, 0.5, empty_label, transform=axes.transAxes, ha="center", va="center",
            fontsize=12, color=REFERENCE_COLOUR,
        )  # fmt: skip
        axes.set_yticks([])
    else:
        axes.set_ylim(*limits)
        axes.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True, steps=[1, 2, 2.5, 5, 10]))
        axes.yaxis.set_major_formatter(FuncFormatter(_money_axis(language)))
    if xs:
        axes.set_xlim(xs[0], xs[-1])
    axes.xaxis.set_major_formatter(FuncFormatter(_date_axis(language)))
    axes.grid(True, color="#dddddd", linewidth=0.8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="best", frameon=False)
    return figure


def to_png(figure: Figure) -> bytes:
    """The figure as PNG bytes, at its own size (800 × 500 px for :func:`build_figure`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figure.dpi, metadata={"Software": None})
    return buffer.getvalue()


def render_png(chart: TrendChart, language: str) -> bytes:
    """Builds and saves the chart (blocking: a tenth of a second or more)."""
    with _drawing:
        return to_png(build_figure(chart, language))


async def trend_png(chart: TrendChart, language: str | None = None) -> bytes:
    """The chart as PNG bytes, drawn in a worker thread: the event loop is not held up."""
    return await asyncio.to_thread(render_png, chart, language or current_language())


# --- weekly volume (report offtake) --------------------------------------------------------

Weeks = Sequence[tuple[date, float, float]]  # (Monday, kilos bought, kilos sold)


def build_volume_figure(weeks: Weeks, language: str | None = None) -> Figure:
    """Kilos bought and sold per week, side by side bars (800 × 500 px)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    language = language or current_language()
    with use_locale(language):
        title = _("Volume bought and sold per week (kg)")
        bought_label, sold_label = _("Bought from farmers"), _("Sold to buyers")
        x_label = _("Week of")

        def kilos(value: float, _position: int) -> str:
            with use_locale(language):
                return format_number(int(round(value)))

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=13, loc="left")
    axes.set_xlabel(x_label)
    positions = list(range(len(weeks)))
    axes.bar([p - 0.2 for p in positions], [b for _d, b, _s in weeks], width=0.4,
             color=COOPERATIVE_COLOUR, label=bought_label)  # fmt: skip
    axes.bar([p + 0.2 for p in positions], [s for _d, _b, s in weeks], width=0.4,
             color=REFERENCE_COLOUR, label=sold_label)  # fmt: skip
    step = max(1, len(weeks) // 12)  # at most ~12 labels on a year's 53 weeks
    axes.set_xticks(positions[::step])
    axes.set_xticklabels(
        [babel_dates.format_date(d, "d MMM", locale=language) for d, _b, _s in weeks][::step]
    )
    axes.yaxis.set_major_formatter(FuncFormatter(kilos))
    axes.grid(True, axis="y", color="#dddddd", linewidth=0.8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="best", frameon=False)
    return figure


def volume_png(weeks: Weeks, language: str | None = None) -> bytes:
    with _drawing:
        return to_png(build_volume_figure(weeks, language))
