"""Savings rules (pure): months, the wajib dues of a member, reading the cells of a members or
deposits spreadsheet the way Indonesian treasurers write them, and checking every row.

Amounts are whole rupiah (``int``); a month is :class:`Month`; times are Unix seconds UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from domain.ledger import MAX_AMOUNT, SavingsKind
from domain.money import parse_rupiah as parse_typed_rupiah
from domain.money import rupiah  # noqa: F401 (the one formatter, read here by the command line)
from domain.people import InvalidInput, clean_name, normalise_phone

# --- months -----------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.month <= 12 and 1900 <= self.year <= 9999):
            raise ValueError(f"no such month: {self.year}-{self.month}")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2025-11`` (as stored)."""
        found = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not found:
            raise ValueError(f"not a month: {text!r}")
        return cls(int(found[1]), int(found[2]))

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def minus(self, other: Month) -> int:
        """How many months from ``other`` to this one."""
        return (self.year - other.year) * 12 + self.month - other.month

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


def months(first: Month, last: Month) -> list[Month]:
    """``first`` … ``last`` inclusive (empty when last is before first)."""
    return [first.plus(n) for n in range(last.minus(first) + 1)]


def period_bounds(first: Month, last: Month, zone: str) -> tuple[int, int]:
    """The months ``first`` … ``last`` where the member lives, as UTC seconds [start, end)."""
    tz = ZoneInfo(zone)
    start = dt.datetime.combine(first.first_day(), dt.time(), tz)
    end = dt.datetime.combine(last.plus(1).first_day(), dt.time(), tz)
    return int(start.timestamp()), int(end.timestamp())


# --- what a cooperative charges ---------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Pokok and monthly wajib in force from ``from_month`` until the next rate."""

    from_month: Month
    pokok: int
    wajib: int


def rate_in(rates: Iterable[Rate], month: Month) -> Rate | None:
    """The rate in force in ``month``, or None (nothing was set then: nothing is billed)."""
    earlier = [r for r in rates if r.from_month <= month]
    return max(earlier, key=lambda r: r.from_month) if earlier else None


def wajib_in(rates: Iterable[Rate], month: Month) -> int:
    rate = rate_in(rates, month)
    return rate.wajib if rate else 0


@dataclass(frozen=True)
class MonthDue:
    month: Month
    amount: int  # wajib billed for the month
    paid: int  # of it, covered by what was saved

    @property
    def settled(self) -> bool:
        return self.paid >= self.amount


@dataclass(frozen=True)
class Dues:
    """The tagihan: wajib billed from the month of joining to ``through``, and what the wajib
    saved covers, oldest month first (arrears are paid before the current month)."""

    billed: tuple[MonthDue, ...]  # months with something to pay, oldest first
    saved: int  # the wajib balance
    ahead: tuple[MonthDue, ...]  # later months already covered by what is left over

    @property
    def owed(self) -> int:
        return sum(m.amount - m.paid for m in self.billed)

    @property
    def unpaid(self) -> tuple[MonthDue, ...]:
        return tuple(m for m in self.billed if not m.settled)

    @property
    def paid_months(self) -> tuple[Month, ...]:
        return tuple(m.month for m in (*self.billed, *self.ahead) if m.settled)

    def is_paid(self, month: Month) -> bool:
        return month in self.paid_months


#: How far ahead a surplus is spread over future months (a wajib of Rp0 would never end).
MAX_MONTHS_AHEAD = 120


def dues(joined: Month, through: Month, rates: Sequence[Rate], saved: int) -> Dues:
    """What a member who joined in ``joined`` owes up to and including ``through``, given the
    wajib they have saved (``saved``, the balance: reversals and opening balances included).
    A month with no rate in force is not billed."""
    left, billed = saved, []
    for month in months(joined, through):
        amount = wajib_in(rates, month)
        if amount:
            paid = min(left, amount)
            left -= paid
            billed.append(MonthDue(month, amount, paid))
    ahead, month = [], through.plus(1)
    while left > 0 and len(ahead) < MAX_MONTHS_AHEAD:
        amount = wajib_in(rates, month)
        if amount == 0:
            break
        paid = min(left, amount)
        left -= paid
        ahead.append(MonthDue(month, amount, paid))
        month = month.plus(1)
    return Dues(tuple(billed), saved, tuple(ahead))


# --- settings ---------------------------------------------------------------------------


def check_reminder(day: int, local_time: str) -> tuple[int, str]:
    """A day of the month every month has (1-28) and a time ``HH:MM`` (``9:00`` → ``09:00``)."""
    if not 1 <= day <= 28:
        raise InvalidInput("reminder day is 1 to 28 (every month has it)")
    found = re.fullmatch(r"([01]?\d|2[0-3])[:.]([0-5]\d)", local_time.strip())
    if not found:
        raise InvalidInput(f"not a time of day (HH:MM): {local_time!r}")
    return day, f"{int(found[1]):02d}:{found[2]}"


# --- reading cells ----------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read; the message says why, for the person who typed it."""


def parse_rupiah(value: object, *, required: bool = True) -> int:
    """Whole rupiah: ``1.500.000``, ``1500000``, ``Rp1.500.000``, ``Rp 1.500.000,-`` or a
    spreadsheet number. Refused: decimals (``1.500,50``, ``12,5``), negatives, a dot that is not
    a thousands group (``1.5``). Empty is 0 unless ``required``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise CellError("empty")
        return 0
    if isinstance(value, bool):
        raise CellError(f"not an amount: {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(f"not whole rupiah: {value}")
        value = int(value)
    if isinstance(value, int):
        amount = value
    else:
        text = str(value).strip().lower().replace(" ", "")
        if text.startswith("-"):
            raise CellError(f"negative: {value!r}")
        try:  # the one parser of typed rupiah
            amount = parse_typed_rupiah(text, allow_zero=True)
        except InvalidInput:
            raise CellError(f"not whole rupiah: {value!r} (write 1.500.000 or 1500000)") from None
    if amount < 0:
        raise CellError(f"negative: {amount}")
    if amount > MAX_AMOUNT:
        raise CellError(f"too large: {amount}")
    return amount


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


class _Cells:
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
    cells = _Cells(row, values, layout)
    number = cells.read("member_number", parse_member_number)
    name = cells.read("name", parse_name)
    phone = cells.read("phone", parse_phone)
    joined_on = cells.read("joined_on", parse_date, today=today)
    opening = {k: cells.read(k.value, parse_rupiah, required=False) for k in SavingsKind}
    cooperative = str(layout.cell(values, "cooperative") or "").strip() or default_cooperative
    if not cooperative:
        cells.errors.append(layout.error(row, "cooperative", "empty, and no --org given"))
    elif cooperatives is not None and cooperative not in cooperatives:
        cells.errors.append(layout.error(row, "cooperative", f"no cooperative {cooperative!r}"))
    if cells.errors:
        return None, cells.errors
    return MemberRow(row, cooperative, number, name, phone, joined_on, opening), []


def read_deposit(
    row: int, values: Sequence[object], layout: Layout
) -> tuple[DepositRow | None, list[RowError]]:
    cells = _Cells(row, values, layout)
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


# --- the monthly wajib reminder ---------------------------------------------------------


def reminder_month(now_local: dt.datetime, day: int, local_time: str) -> Month | None:
    """The month whose wajib reminder is due at ``now_local`` (the member's own clock): from
    ``day`` at ``local_time`` until the month ends, so a bot that was down on the day still
    reminds later that month; None before it."""
    hour, minute = (int(part) for part in local_time.split(":"))
    due = now_local.replace(day=day, hour=hour, minute=minute, second=0, microsecond=0)
    return Month.of(now_local.date()) if now_local >= due else None
