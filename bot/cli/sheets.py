"""The spreadsheets of the back office: read and write CSV or XLSX (by the file's extension),
find the header row, show progress on large files, print rupiah.

CSV: UTF-8 (with or without the BOM Excel writes, else Windows-1252), separated by ``,``,
``;`` (Excel in an Indonesian locale) or tabs. XLSX: the first sheet, through openpyxl.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bot.cli.common import CliError
from domain.cells import csv_safe
from domain.money import rupiah
from storage.savings_sheets import Column, Layout, looks_like_header, match_header

__all__ = ["rupiah"]

#: How far down a title or notes above the header may go.
HEADER_SEARCH_ROWS = 10

Row = tuple[int, Sequence[object]]  # the row number as the spreadsheet shows it, the cells


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise CliError(f"{path.name}: a spreadsheet is .csv or .xlsx")


def _csv_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    """The separator used most in the first lines (csv.Sniffer is thrown by a title row)."""
    head = "\n".join(text.splitlines()[: HEADER_SEARCH_ROWS * 2])
    return max(",;\t", key=head.count)


def _csv_rows(path: Path) -> Iterator[Sequence[object]]:
    text = _csv_text(path)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))


def _xlsx_rows(path: Path) -> Iterator[Sequence[object]]:
    import openpyxl  # here, not at the top: the bot itself never reads a spreadsheet

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike: not a workbook
        raise CliError(f"{path.name}: not an XLSX workbook ({exc})") from None
    try:
        yield from book.worksheets[0].iter_rows(values_only=True)
    finally:
        book.close()


def read_rows(path: Path) -> Iterator[Row]:
    """Every row that has something in it, numbered as the spreadsheet shows it."""
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    rows = _csv_rows(path) if _kind(path) == "csv" else _xlsx_rows(path)
    for number, cells in enumerate(rows, start=1):
        if any(c is not None and str(c).strip() for c in cells):
            yield number, cells


def count_rows(path: Path) -> int | None:
    """About how many rows (for the progress bar), without reading the cells."""
    if _kind(path) == "csv":
        with path.open("rb") as f:
            return sum(1 for _ in f)
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return book.worksheets[0].max_row
    finally:
        book.close()


def header_and_rows(
    rows: Iterator[Row], columns: Sequence[Column]
) -> tuple[Layout, list[str], Iterator[Row]]:
    """The header (the first row naming two known columns, within the first rows; a title
    above it is skipped), what is wrong with it, and the rows after it."""
    seen = []
    for number, cells in rows:
        seen.append((number, cells))
        if looks_like_header(cells, columns) or len(seen) == HEADER_SEARCH_ROWS:
            break
    if not seen:
        return Layout({}, {}), ["the file is empty"], iter(())
    found = next((i for i, (_, c) in enumerate(seen) if looks_like_header(c, columns)), 0)
    layout, problems = match_header(seen[found][1], columns)
    return layout, problems, _chain(seen[found + 1 :], rows)


def _chain(first: list[Row], rest: Iterator[Row]) -> Iterator[Row]:
    yield from first
    yield from rest


@contextmanager
def progress(total: int | None, what: str):
    """A progress bar on stderr when it is a terminal (nothing in scripts and tests);
    yields a function to call with the number of rows done since the last call."""
    from tqdm import tqdm

    with tqdm(total=total, unit=" rows", desc=what, disable=None, file=sys.stderr) as bar:
        yield bar.update


def xlsx_cell(sheet, value: object):
    """Text is stored as a string cell, never as a formula (openpyxl makes ``=…`` a formula,
    and only that: other text it stores as a string, so it is passed as it is, which writes
    a large sheet a third faster)."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str) or not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


#: Characters Excel refuses in a sheet's name.
_BAD_TITLE = re.compile(r"[\\/*?:\[\]]")


def sheet_title(path: Path) -> str:
    """The sheet's name from the file's: at most 31 characters, none of \\ / * ? : [ ]."""
    return " ".join(_BAD_TITLE.sub(" ", path.stem).split())[:31] or "sheet"


@contextmanager
def _cannot_write(path: Path):
    try:
        yield
    except OSError as exc:
        raise CliError(f"{path.name}: cannot write it ({exc.strerror or exc})") from None


@contextmanager
def sheet_writer(path: Path, header: Sequence[str]):
    """Yields ``append(row)`` writing a CSV (UTF-8 with a BOM, so Excel shows names right) or
    an XLSX (written as it goes: a million lines never sit in memory). Text that looks like a
    formula is written as text; a file that cannot be written is one line, not a traceback."""
    if not path.parent.is_dir():
        raise CliError(f"{path.name}: cannot write it: no folder {str(path.parent)!r}")
    if _kind(path) == "csv":
        with _cannot_write(path):
            f = path.open("w", encoding="utf-8-sig", newline="")
        with f:
            out = csv.writer(f)
            out.writerow(header)
            yield lambda row: out.writerow([csv_safe(v) for v in row])
        return
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(path))
    sheet.append(list(header))
    yield lambda row: sheet.append([xlsx_cell(sheet, v) for v in row])
    with _cannot_write(path):
        book.save(path)
