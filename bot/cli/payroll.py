"""``koperasi-bot payroll export|import --org CODE``: the month's payroll deduction.

``export --month 2026-12 FILE`` writes what HR deducts per member (Indonesian headers: No
Anggota, Nama, Bulan, Simpanan Wajib, Angsuran Pinjaman, Tunggakan Pinjaman, Belanja Koperasi,
Total Potongan, and an empty Dipotong for what was actually deducted), written as it goes.
``import FILE`` books what was deducted: the export's file with Dipotong filled, or a simpler
sheet (No Anggota, Bulan, Jumlah). Every row is checked first; a clean file is posted in one
transaction; a batch is recorded once (by ``--batch NAME`` or by its content).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from bot.cli.common import CliError, on_database
from bot.cli.members import org_id_of, refuse
from bot.cli.sheets import header_and_rows, progress, read_rows, rupiah, sheet_writer
from bot.config import Settings
from domain.savings import Month
from storage import payroll
from storage.db import Database
from storage.savings_import import Batch

_BATCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _month(text: str) -> Month:
    try:
        return Month.parse(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"a month is YYYY-MM (2026-12), not {text!r}") from None


def add_parser(sub) -> None:
    group = sub.add_parser("payroll", help="payroll deduction: wajib, loan installments, goods")
    actions = group.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="what each member's employer must deduct")
    export.add_argument("file", type=Path, help="the sheet to write (.xlsx or .csv)")
    export.add_argument("--org", required=True, help="the cooperative code")
    export.add_argument("--month", required=True, type=_month, help="the month (2026-12)")
    imp = actions.add_parser(
        "import",
        help="book what the employer deducted, once",
        description="Columns: member number (No Anggota), month (Bulan: 2026-12), what was"
        " deducted (Dipotong or Jumlah, whole rupiah). Split into wajib, then loan installments"
        " (penalty, jasa, pokok; oldest first), then goods; a short deduction leaves arrears,"
        " more than owed goes to sukarela.",
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--org", required=True, help="the cooperative code")
    imp.add_argument("--batch", help="a name for the batch (default: from its content)")
    group.set_defaults(handler=on_database(payroll_command))


async def payroll_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    org_id = await org_id_of(db, args.org)
    if args.action == "export":
        return await _export(db, org_id, args)
    return await _import(db, org_id, args)


async def _export(db: Database, org_id: int, args: argparse.Namespace) -> int:
    count = total = 0
    with sheet_writer(args.file, payroll.EXPORT_HEADER) as append:
        async for row in payroll.export_rows(db, org_id, args.month):
            append(row)
            count, total = count + 1, total + row[7]
    print(f"{args.file.name}: {count} members to deduct for {args.month}, {rupiah(total)} in all")
    return 0


async def _import(db: Database, org_id: int, args: argparse.Namespace) -> int:
    if args.batch is not None and not _BATCH_NAME.fullmatch(args.batch):
        raise CliError(f"--batch is letters, digits, . _ - (e.g. gaji-2026-12), not {args.batch!r}")
    path: Path = args.file
    layout, problems, cells = header_and_rows(read_rows(path), payroll.PAYROLL_COLUMNS)
    if problems:
        raise CliError(f"{path.name}: {'; '.join(problems)}")
    rows, errors = [], []
    for number, values in cells:
        row, wrong = payroll.read_row(number, values, layout)
        rows += [row] if row else []
        errors += wrong
    content = payroll.content_hash(rows)
    key = args.batch or content[:16]
    batch = Batch(org_id, f"payroll:{args.org}:{key}", path.name, content)
    with progress(len(rows), "writing") as step:
        try:
            done = await db.write(payroll.import_payroll, batch, key, rows, errors, layout, step)
        except payroll.BatchAlreadyRecorded as already:
            b = already.recorded
            raise CliError(
                f"{path.name}: already recorded as batch {b.reference} (from {b.file_name}:"
                f" {b.row_count} rows, {rupiah(b.total)}); nothing was recorded again"
            ) from None
        except payroll.ImportRefused as refused:
            raise refuse(path, refused.errors, "recorded") from None
    print(
        f"{path.name}: batch {done.batch.reference} for {done.month}: {done.batch.row_count}"
        f" members, {rupiah(done.batch.total)} (wajib {rupiah(done.wajib)}, pokok"
        f" {rupiah(done.principal)}, jasa {rupiah(done.interest)}, denda {rupiah(done.penalty)},"
        f" belanja {rupiah(done.belanja)}, sukarela {rupiah(done.sukarela)}); {done.short} paid"
        f" less than due, {done.paid_off} loans paid off"
    )
    return 0
