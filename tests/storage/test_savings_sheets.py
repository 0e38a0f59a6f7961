"""Spreadsheet cells as treasurers write them (dates, months, kinds, phones), headers in English
or Indonesian, every error of a row reported with its column (moved from domain/ with the code)."""

import datetime as dt

import pytest

from domain.ledger import SavingsKind
from domain.savings import Month
from storage.savings_sheets import (
    DEPOSIT_COLUMNS,
    MEMBER_COLUMNS,
    CellError,
    RowError,
    batch_hash,
    column_letter,
    duplicate_deposits,
    duplicate_members,
    looks_like_header,
    match_header,
    parse_date,
    parse_kind,
    parse_month,
    parse_phone,
    read_deposit,
    read_member,
)

TODAY = dt.date(2025, 12, 10)


# --- cells ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    ["2024-01-31", "31/01/2024", "31-01-2024", "31.01.2024", dt.date(2024, 1, 31),
     dt.datetime(2024, 1, 31, 0, 0)],
)  # fmt: skip
def test_dates_as_written(cell):
    assert parse_date(cell, today=TODAY) == dt.date(2024, 1, 31)


@pytest.mark.parametrize(
    ("cell", "why"),
    [("2024-13-01", "not a date"), ("31/02/2024", "not a date"), ("kemarin", "not a date"),
     ("2026-01-01", "future"), ("", "empty")],
)  # fmt: skip
def test_bad_dates(cell, why):
    with pytest.raises(CellError, match=why):
        parse_date(cell, today=TODAY)


@pytest.mark.parametrize(
    "cell",
    ["2025-11", "2025/11", "11/2025", "11-2025", "2025-11-01", "Nov 2025", "November 2025",
     "nopember 2025", dt.date(2025, 11, 1), dt.datetime(2025, 11, 30)],
)  # fmt: skip
def test_months_as_written(cell):
    assert parse_month(cell) == Month(2025, 11)


@pytest.mark.parametrize("cell", ["2025-13", "13/2025", "Novem 2025", "", "2025"])
def test_bad_months(cell):
    with pytest.raises(CellError):
        parse_month(cell)


def test_kinds_of_savings():
    assert parse_kind("") is SavingsKind.WAJIB
    assert parse_kind(None) is SavingsKind.WAJIB
    assert parse_kind("Simpanan Sukarela") is SavingsKind.SUKARELA
    assert parse_kind("POKOK") is SavingsKind.POKOK
    with pytest.raises(CellError, match="pokok, wajib or sukarela"):
        parse_kind("deposito")


@pytest.mark.parametrize(
    "cell",
    ["0812-3456-7890", "+62 812 3456 7890", "62812-3456-7890", "081234567890", 81234567890,
     81234567890.0, "8123-4567-890"],
)  # fmt: skip
def test_phones_in_any_indonesian_writing(cell):
    assert parse_phone(cell) == "+6281234567890"


def test_a_short_phone_is_refused():
    with pytest.raises(CellError, match="not a phone number"):
        parse_phone("0812")


# --- headers and rows -------------------------------------------------------------------


def test_indonesian_and_english_headers():
    indonesian = ["No", "No. Anggota", "Nama", "HP", "Koperasi", "Tgl Masuk", "Simpanan Pokok",
                  "Wajib", "Sukarela", "Catatan"]  # fmt: skip
    layout, problems = match_header(indonesian, MEMBER_COLUMNS)
    assert problems == []
    assert layout.index == {
        "member_number": 1, "name": 2, "phone": 3, "cooperative": 4, "joined_on": 5,
        "pokok": 6, "wajib": 7, "sukarela": 8,
    }  # fmt: skip
    assert layout.header["phone"] == "HP (D)"
    english = ["member_number", "name", "phone", "join_date"]
    layout, problems = match_header(english, MEMBER_COLUMNS)
    assert problems == [] and "pokok" not in layout.index
    assert looks_like_header(english, MEMBER_COLUMNS)
    assert not looks_like_header(["Daftar Anggota Koperasi", None], MEMBER_COLUMNS)


def test_a_missing_or_doubled_column_is_named():
    _, problems = match_header(["Nama", "HP", "Telepon", "Bulan"], MEMBER_COLUMNS)
    assert problems == [
        "columns 'HP (B)' and 'Telepon' both mean phone: keep one",
        "no column for member_number (e.g. 'member number' or 'no anggota')",
        "no column for joined_on (e.g. 'join date' or 'tanggal masuk')",
    ]


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA",
    ]  # fmt: skip


MEMBER_HEADER = ["No Anggota", "Nama", "HP", "Koperasi", "Tanggal Masuk", "Pokok", "Wajib",
                 "Sukarela"]  # fmt: skip


def _member(values, **kwargs):
    layout, _ = match_header(MEMBER_HEADER, MEMBER_COLUMNS)
    options = {"default_cooperative": None, "today": TODAY, "cooperatives": {"kop-a"}} | kwargs
    return read_member(7, values, layout, **options)


def test_a_member_row_read():
    row, errors = _member(
        ["B-7", "sri wahyuni", "0813-1111-2222", "kop-a", "15/01/2024", "100.000", 1_200_000, None]
    )
    assert errors == []
    assert (row.member_number, row.name, row.phone, row.joined_on) == (
        "B-7", "Sri Wahyuni", "+6281311112222", dt.date(2024, 1, 15),
    )  # fmt: skip
    assert row.opening == {
        SavingsKind.POKOK: 100_000, SavingsKind.WAJIB: 1_200_000, SavingsKind.SUKARELA: 0,
    }  # fmt: skip
    assert row.opening_total == 1_300_000


def test_every_bad_cell_of_a_row_is_reported_with_its_column():
    row, errors = _member(["", "4", "0812", "kop-x", "2024-13-01", "1.5", "-5", "1,5"])
    assert row is None
    assert [(e.row, e.column) for e in sorted(errors)] == [
        (7, "No Anggota (A)"), (7, "Nama (B)"), (7, "HP (C)"), (7, "Koperasi (D)"),
        (7, "Tanggal Masuk (E)"), (7, "Pokok (F)"), (7, "Wajib (G)"), (7, "Sukarela (H)"),
    ]  # fmt: skip
    assert str(sorted(errors)[2]) == "row 7, column HP (C): not a phone number: '0812'"


def test_the_cooperative_comes_from_the_row_or_the_default():
    values = ["B-7", "Sri", "0813-1111-2222", "", "2024-01-15", "", "", ""]
    assert _member(values, default_cooperative="kop-a")[0].cooperative == "kop-a"
    _, errors = _member(values)
    assert [e.message for e in errors] == ["empty, and no --org given"]


def test_a_member_number_or_phone_twice_in_one_cooperative():
    layout, _ = match_header(MEMBER_HEADER, MEMBER_COLUMNS)
    rows = [
        _member(["B-1", "Ani", "0813-1111-0001", "kop-a", "2024-01-15"])[0],
        _member(["B-1", "Budi", "0813-1111-0002", "kop-a", "2024-01-15"])[0],
        _member(["B-3", "Cici", "0813-1111-0001", "kop-a", "2024-01-15"])[0],
    ]
    rows = [r.__class__(**{**r.__dict__, "row": n}) for n, r in enumerate(rows, start=2)]
    assert duplicate_members(rows, layout) == [
        RowError(3, "No Anggota (A)", "also in row 2", 0),
        RowError(4, "HP (C)", "also in row 2", 2),
    ]


DEPOSIT_HEADER = ["No Anggota", "Bulan", "Jumlah", "Jenis"]


def test_deposit_rows():
    layout, problems = match_header(DEPOSIT_HEADER, DEPOSIT_COLUMNS)
    assert problems == []
    row, errors = read_deposit(2, ["B-1", "11/2025", "50.000", ""], layout)
    assert errors == [] and (row.month, row.amount, row.kind) == (
        Month(2025, 11), 50_000, SavingsKind.WAJIB,
    )  # fmt: skip
    _, errors = read_deposit(3, ["B-1", "bulan lalu", "0", "emas"], layout)
    assert [e.column for e in sorted(errors)] == ["Bulan (B)", "Jumlah (C)", "Jenis (D)"]
    twice = [read_deposit(n, ["B-1", "2025-11", "50000"], layout)[0] for n in (2, 3)]
    assert [str(e) for e in duplicate_deposits(twice, layout)] == [
        "row 3, column Bulan (B): wajib 2025-11 of member B-1 is also in row 2"
    ]


def test_a_batch_is_known_by_its_content_whatever_the_order():
    layout, _ = match_header(DEPOSIT_HEADER, DEPOSIT_COLUMNS)
    a = [read_deposit(n, [f"B-{n}", "2025-11", "50000"], layout)[0] for n in (1, 2)]
    b = [read_deposit(n, [f"B-{3 - n}", "11/2025", "50.000"], layout)[0] for n in (1, 2)]
    assert batch_hash(a) == batch_hash(b)
    c = [read_deposit(n, [f"B-{n}", "2025-12", "50000"], layout)[0] for n in (1, 2)]
    assert batch_hash(a) != batch_hash(c)
