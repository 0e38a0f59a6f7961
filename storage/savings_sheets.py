"""Reading a members or deposits spreadsheet the way Indonesian treasurers write it: dates,
months, kinds, phones, member numbers and names in cells; headers in English or Indonesian;
every bad cell of a row reported by row and column. The rules these rows follow (months, whole
rupiah, dues) are ``domain.savings``; the use cases that store them ``storage.savings_import``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from domain.ledger import SavingsKind
from domain.people import InvalidInput, clean_name, normalise_phone
from domain.savings import CellError, Month, parse_rupiah

__all__ = ["CellError", "parse_rupiah"]

_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def parse_date(value: object, *, today: dt.date) -> dt.date:
    """``2024-01-31``, ``31/01/2024`` (day first, as in Indonesia), ``31-01-2024`` or a real
    spreadsheet date; not in the future."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = str(value or "").strip()
        if not text:
            raise CellError("empty")
        try:
            if found := _DMY.fullmatch(text):
                day = dt.date(int(found[3]), int(found[2]), int(found[1]))
            else:
                day = dt.date.fromisoformat(text[:10] if "T" in text else text)
        except ValueError:
            raise CellError(f"not a date: {text!r} (write 2024-01-31 or 31/01/2024)") from None
    if day > today:
        raise CellError(f"in the future: {day.isoformat()}")
    if day.year < 1900:
        raise CellError(f"too long ago: {day.isoformat()}")
    return day


_MONTH_NAMES = {
    name: n
    for n, names in enumerate(
        [
            ("januari", "january", "jan"), ("februari", "february", "feb", "pebruari"),
            ("maret", "march", "mar"), ("april", "apr"), ("mei", "may"),
            ("juni", "june", "jun"), ("juli", "july", "jul"),
            ("agustus", "august", "agu", "agt", "aug"), ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"), ("november", "nopember", "nov"),
            ("desember", "december", "des", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip


def parse_month(value: object) -> Month:
    """``2025-11``, ``11/2025``, ``2025-11-01``, ``Nov 2025``, ``November 2025`` or a
    spreadsheet date."""
    if isinstance(value, dt.date):
        return Month.of(value)
    text = str(value or "").strip().lower()
    if not text:
        raise CellError("empty")
    patterns = (
        (r"(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?", lambda f: (int(f[1]), int(f[2]))),
        (r"(\d{1,2})[-/.](\d{4})", lambda f: (int(f[2]), int(f[1]))),
        (r"([a-z]+)[\s-]+(\d{4})", lambda f: (int(f[2]), _MONTH_NAMES.get(f[1], 0))),
    )
    for pattern, year_month in patterns:
        if found := re.fullmatch(pattern, text):
            try:
                return Month(*year_month(found))
            except ValueError:
                break
    raise CellError(f"not a month: {value!r} (write 2025-11)")


_KIND_WORDS = {kind.value: kind for kind in SavingsKind} | {
    "sp": SavingsKind.POKOK, "sw": SavingsKind.WAJIB, "ss": SavingsKind.SUKARELA,
    "principal": SavingsKind.POKOK, "mandatory": SavingsKind.WAJIB,
    "voluntary": SavingsKind.SUKARELA,
}  # fmt: skip


def parse_kind(value: object, default: SavingsKind = SavingsKind.WAJIB) -> SavingsKind:
    """``wajib``, ``Simpanan Wajib``, ``SW`` …; empty is ``default``."""
    text = re.sub(r"^simpanan\s+", "", str(value or "").strip().lower())
    if not text:
        return default
    if text in _KIND_WORDS:
        return _KIND_WORDS[text]
    raise CellError(f"not a kind of savings: {value!r} (pokok, wajib or sukarela)")


def parse_phone(value: object) -> str:
    """Any Indonesian writing, stored ``+62…``. A number typed into a spreadsheet cell lost its
    leading 0 (``81234567890``): a mobile number starting with 8 gets it back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value or "").strip()
    if not text:
        raise CellError("empty")
    if text[:1] == "8":
        text = "0" + text
    try:
        return normalise_phone(text)
    except InvalidInput:
        raise CellError(f"not a phone number: {text!r}") from None


#: A member number, as printed on the card: letters, digits and - / . _
_MEMBER_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z./_-]{0,31}")


def parse_member_number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number cell: 7.0 is member 7
    text = str(value if value is not None else "").strip()
    if not text:
        raise CellError("empty")
    if not _MEMBER_NUMBER.fullmatch(text):
        raise CellError(f"not a member number: {text!r}")
    return text


def parse_name(value: object) -> str:
    try:
        return clean_name(str(value or ""), max_length=100)
    except InvalidInput:
        raise CellError(f"not a name: {str(value or '')!r}") from None


# --- headers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A field of a spreadsheet: its English name and the headers people give it."""

    field: str
    aliases: tuple[str, ...]
    required: bool = True


# English name first, then the usual Indonesian one (both shown when a column is missing).
MEMBER_COLUMNS = (
    Column("member_number", ("member number", "no anggota", "member no", "nomor anggota", "nomer anggota", "nia", "id anggota")),
    Column("name", ("name", "nama", "full name", "nama lengkap", "nama anggota")),
    Column("phone", ("phone", "hp", "phone number", "mobile", "no hp", "nomor hp", "telepon", "no telepon", "nomor telepon", "telp", "no telp", "wa", "no wa", "whatsapp")),
    Column("cooperative", ("cooperative", "koperasi", "org", "org code", "kode koperasi"), required=False),
    Column("joined_on", ("join date", "tanggal masuk", "joined", "joined on", "tgl masuk", "tanggal bergabung", "tanggal daftar")),
    Column("pokok", ("pokok", "simpanan pokok", "saldo pokok"), required=False),
    Column("wajib", ("wajib", "simpanan wajib", "saldo wajib"), required=False),
    Column("sukarela", ("sukarela", "simpanan sukarela", "saldo sukarela"), required=False),
    # loans (issue 19): the installment may take a share of it; empty is unknown
    Column("take_home", ("take-home pay", "take home pay", "take home", "gaji bersih", "thp", "penghasilan bersih"), required=False),
)  # fmt: skip

DEPOSIT_COLUMNS = (
    Column("member_number", MEMBER_COLUMNS[0].aliases),
    Column("month", ("month", "bulan", "period", "periode")),
    Column("amount", ("amount", "jumlah", "nominal", "potongan", "setoran")),
    Column("kind", ("kind", "jenis", "type", "savings", "jenis simpanan", "simpanan"), required=False),
)  # fmt: skip


def _header_key(text: object) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", unicodedata.normalize("NFKC", str(text or "")).lower())
    return words.strip()


@dataclass(frozen=True)
class Layout:
    """Where each field is: ``index`` of the cell in a row, and the header as written."""

    index: dict[str, int]
    header: dict[str, str]

    def cell(self, values: Sequence[object], name: str) -> object:
        at = self.index.get(name)
        return values[at] if at is not None and at < len(values) else None

    def error(self, row: int, name: str, message: str) -> RowError:
        """An error in the cell of field ``name`` (named by its header) of ``row``."""
        return RowError(row, self.header.get(name, name), message, self.index.get(name, -1))


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how the spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def match_header(cells: Sequence[object], columns: Sequence[Column]) -> tuple[Layout, list[str]]:
    """The layout of a header row, and what is wrong with it (a missing required column, a
    column given twice). Unknown columns (a running number, notes) are ignored."""
    by_alias = {alias: col.field for col in columns for alias in col.aliases}
    index: dict[str, int] = {}
    header: dict[str, str] = {}
    problems = []
    for at, cell in enumerate(cells):
        name = by_alias.get(_header_key(cell))
        if name is None:
            continue
        if name in index:
            problems.append(
                f"columns {header[name]!r} and {str(cell).strip()!r} both mean {name}: keep one"
            )
            continue
        index[name], header[name] = at, f"{str(cell).strip()} ({column_letter(at)})"
    for col in columns:
        if col.required and col.field not in index:
            problems.append(
                f"no column for {col.field} (e.g. {col.aliases[0]!r} or {col.aliases[1]!r})"
            )
    return Layout(index, header), problems


def looks_like_header(cells: Sequence[object], columns: Sequence[Column]) -> bool:
    """Two or more cells name columns: the header (a sheet often has a title above it)."""
    aliases = {alias for col in columns for alias in col.aliases}
    return sum(_header_key(c) in aliases for c in cells) >= 2


# --- rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """What is wrong in one cell (or row, when ``column`` is empty), for the person to fix;
    ``position`` is the column's index, so errors sort as the sheet reads."""

    row: int
    column: str
    message: str
    position: int = -1

    def __lt__(self, other: RowError) -> bool:
        return (self.row, self.position, self.column, self.message) < (
            other.row, other.position, other.column, other.message,
        )  # fmt: skip

    def __str__(self) -> str:
        where = f"row {self.row}, column {self.column}" if self.column else f"row {self.row}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class MemberRow:
    row: int
    cooperative: str
    member_number: str
    name: str
    phone: str
    joined_on: dt.date
    opening: dict[SavingsKind, int] = field(hash=False, compare=True)
    take_home: int | None = None  # per month, whole rupiah; None: not in the file

    @property
    def opening_total(self) -> int:
        return sum(self.opening.values())


@dataclass(frozen=True)
class DepositRow:
    row: int
    member_number: str
    month: Month
    amount: int
    kind: SavingsKind


class CellReader:
    """Reads the cells of one row, collecting an error per bad cell instead of stopping."""

    def __init__(self, row: int, values: Sequence[object], layout: Layout) -> None:
        self.row, self.values, self.layout = row, values, layout
        self.errors: list[RowError] = []

    def read(self, name: str, parse, *args, **kwargs):
        try:
            return parse(self.layout.cell(self.values, name), *args, **kwargs)
        except CellError as exc:
            self.errors.append(self.layout.error(self.row, name, str(exc)))
            return None


def read_member(
    row: int, values: Sequence[object], layout: Layout, *, default_cooperative: str | None,
    today: dt.date, cooperatives: Collection[str] | None = None,
) -> tuple[MemberRow | None, list[RowError]]:  # fmt: skip
    """One row of a members file; ``cooperatives``: the codes that exist, if known."""
    cells = CellReader(row, values, layout)
    number = cells.read("member_number", parse_member_number)
    name = cells.read("name", parse_name)
    phone = cells.read("phone", parse_phone)
    joined_on = cells.read("joined_on", parse_date, today=today)
    opening = {k: cells.read(k.value, parse_rupiah, required=False) for k in SavingsKind}
    take_home = cells.read("take_home", parse_rupiah, required=False) or None
    cooperative = str(layout.cell(values, "cooperative") or "").strip() or default_cooperative
    if not cooperative:
        cells.errors.append(layout.error(row, "cooperative", "empty, and no --org given"))
    elif cooperatives is not None and cooperative not in cooperatives:
        cells.errors.append(layout.error(row, "cooperative", f"no cooperative {cooperative!r}"))
    if cells.errors:
        return None, cells.errors
    return MemberRow(row, cooperative, number, name, phone, joined_on, opening, take_home), []


def read_deposit(
    row: int, values: Sequence[object], layout: Layout
) -> tuple[DepositRow | None, list[RowError]]:
    cells = CellReader(row, values, layout)
    number = cells.read("member_number", parse_member_number)
    month = cells.read("month", parse_month)
    amount = cells.read("amount", parse_rupiah)
    kind = cells.read("kind", parse_kind)
    if amount == 0:
        cells.errors.append(layout.error(row, "amount", "zero: leave the row out"))
    if cells.errors:
        return None, cells.errors
    return DepositRow(row, number, month, amount, kind), []


def duplicate_members(rows: Iterable[MemberRow], layout: Layout) -> list[RowError]:
    """A member number or a phone given twice for one cooperative."""
    errors, numbers, phones = [], {}, {}
    for r in rows:
        for seen, key, name in (
            (numbers, (r.cooperative, r.member_number), "member_number"),
            (phones, (r.cooperative, r.phone), "phone"),
        ):
            if key in seen:
                errors.append(layout.error(r.row, name, f"also in row {seen[key]}"))
            else:
                seen[key] = r.row
    return errors


def duplicate_deposits(rows: Iterable[DepositRow], layout: Layout) -> list[RowError]:
    """The same member, kind and month twice in one batch: a row typed twice."""
    errors, seen = [], {}
    for r in rows:
        key = (r.member_number, r.kind, r.month)
        if key in seen:
            errors.append(
                layout.error(r.row, "month", f"{r.kind.value} {r.month} of member"
                         f" {r.member_number} is also in row {seen[key]}")
            )  # fmt: skip
        else:
            seen[key] = r.row
    return errors


def batch_hash(rows: Iterable[DepositRow]) -> str:
    """The content of a deposits batch, whatever its file format or row order: SHA-256 of its
    sorted canonical rows (member, kind, month, amount)."""
    lines = sorted(f"{r.member_number}\t{r.kind.value}\t{r.month}\t{r.amount}" for r in rows)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
