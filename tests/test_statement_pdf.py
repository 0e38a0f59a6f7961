"""The savings statement PDF read back: every piece of text stays inside its column (a long
description wraps instead of running into "Pokok"), amounts are right-aligned in their columns,
the opening and closing balances sit under the kinds' headers, the cooperative's name and
address head it, and every page says "Halaman n dari N"."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from bot.i18n import use_locale
from bot.statement_pdf import WIDTHS, StatementLabels, render_statement
from domain import ledger as L
from domain.ledger import SavingsKind
from storage.savings import MemberLine, Savings, Statement

LONG = "Saldo awal simpanan (dari pembukuan sebelumnya), dipindahkan dari buku kas lama koperasi"


@dataclass
class _Member:
    full_name: str = "Sri Wahyuni"
    member_number: str = "SP-001"


def _statement(movements: int) -> Statement:
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    opening = Savings(
        {SavingsKind.POKOK: 100_000, SavingsKind.WAJIB: 1_250_000, SavingsKind.SUKARELA: 0}
    )
    lines, balances = [], dict(opening.by_kind)
    for n in range(movements):
        kind = list(SavingsKind)[n % 3]
        balances[kind] += 50_000
        reason = (
            LONG
            if n == 0
            else L.coded_reason(L.REASON_DEPOSIT_MONTH, kind=kind.value, month="2026-10")
        )
        lines.append(
            MemberLine(
                n + 1, start + 86_400 * n, kind, 50_000, balances[kind], reason, None, None, None
            )
        )
    return Statement(start, start + 86_400 * 365, opening, lines, Savings(balances))


def _chunks(page):
    """(text, x, y, font size) of every piece of text drawn on ``page``."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((text.strip(), tm[4], tm[5], size))

    page.extract_text(visitor_text=visit)
    return found


def _width(text: str, bold: bool, size: float) -> float:
    pdf = FPDF()
    pdf.set_font("Helvetica", "B" if bold else "", size)
    return pdf.get_string_width(text) * 72 / 25.4  # mm → points


@pytest.mark.parametrize("language", ["id", "en"])
def test_columns_do_not_run_together_and_amounts_are_right_aligned(language):
    with use_locale(language):
        labels = StatementLabels.now("Asia/Jakarta")
        pdf = render_statement(
            _statement(70), _Member(), "Koperasi Merah Putih Kujon", labels,
            "Jl. Raya Ceper No. 12, Kujon, Ceper, Klaten 57465",
        )  # fmt: skip
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    edges = [10 * 72 / 25.4]
    for width in WIDTHS:
        edges.append(edges[-1] + width * 72 / 25.4)
    table_chunks = 0
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        pages = "Halaman {} dari {}" if language == "id" else "Page {} of {}"
        assert pages.format(number, len(reader.pages)) in text
        for chunk, x, _y, size in _chunks(page):
            if size != 8 or chunk.startswith(("Halaman", "Page", "Dibuat", "Made")):
                continue  # the table is set in 8 pt; the foot and the date made are not cells
            column = next(i for i in range(len(WIDTHS)) if edges[i] - 0.5 <= x < edges[i + 1])
            right = x + min(_width(chunk, False, size), _width(chunk, True, size))
            assert right <= edges[column + 1] + 0.5, (chunk, column)
            if re.fullmatch(r"[+-]?Rp[\d.,]+", chunk):
                table_chunks += 1
                assert column >= 2, chunk  # money only in the kinds' and the balance columns
                assert edges[column + 1] - right < 6, ("not right-aligned", chunk)
    assert table_chunks > 70 * 2


def test_the_head_and_the_balances_are_where_a_reader_looks():
    with use_locale("id"):
        pdf = render_statement(
            _statement(3), _Member(), "Koperasi Merah Putih Kujon", StatementLabels.now("Asia/Jakarta"),
            "Jl. Raya Ceper No. 12, Kujon, Ceper, Klaten 57465",
        )  # fmt: skip
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    text = page.extract_text()
    head = text.splitlines()[:4]
    assert head[0] == "Koperasi Merah Putih Kujon"
    assert head[1] == "Jl. Raya Ceper No. 12, Kujon, Ceper, Klaten 57465"
    assert head[2] == "Laporan simpanan"
    assert "Sri Wahyuni (SP-001)" in text and "1 Jan 2026 - " in text
    assert "sebelumnya)Pokok" not in text and "Rp100.000Rp" not in text
    chunks = _chunks(page)
    x_of = {}
    for chunk, x, y, _size in chunks:
        x_of.setdefault(chunk, []).append((x, y))
    # the opening and closing rows: each kind's balance under its own header
    header_y = x_of["Pokok"][0][1]
    opening_y = x_of["Saldo awal"][0][1]
    closing_y = x_of["Saldo akhir"][0][1]
    assert header_y > opening_y > closing_y  # PDF y grows upwards
    row = {chunk: x for chunk, x, y, _ in chunks if abs(y - opening_y) < 1}
    assert set(row) >= {"Saldo awal", "Rp100.000", "Rp1.250.000", "Rp0", "Rp1.350.000"}
    assert row["Rp100.000"] < row["Rp1.250.000"] < row["Rp0"] < row["Rp1.350.000"]
    assert "Setoran simpanan wajib bulan Oktober 2026" in text or "Oktober 2026" in text
