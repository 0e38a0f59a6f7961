"""``koperasi-bot deposits import FILE --org CODE``: a payroll-deduction batch.

Columns: member number (No Anggota), month (Bulan, 2025-11), amount (Jumlah), and optionally
the kind (Jenis: pokok, wajib, sukarela; wajib when empty). Every row is checked first; a
clean file is posted in one transaction, an entry per row. A batch is recorded once: named
by ``--batch NAME`` or by its content, and the same rows are refused under any name.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from bot.cli.common import CliError, on_database
from bot.cli.members import org_id_of, refuse
from bot.cli.sheets import count_rows, header_and_rows, progress, read_rows, rupiah
from bot.config import Settings
from storage.db import Database
from storage.savings_import import (
    PAID_INTO,
    Batch,
    BatchAlreadyRecorded,
    ImportRefused,
    import_deposits,
)
from storage.savings_sheets import DEPOSIT_COLUMNS, batch_hash, read_deposit

_BATCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def add_parser(sub) -> None:
    deposits = sub.add_parser("deposits", help="deposits to members' savings from spreadsheets")
    deposits_sub = deposits.add_subparsers(dest="action", required=True)
    imp = deposits_sub.add_parser(
        "import",
        help="record a payroll-deduction batch (CSV or XLSX) once",
        description="Columns (English or Indonesian headers): member number (No Anggota),"
        " month (Bulan: 2025-11), amount (Jumlah, whole rupiah), kind (Jenis: pokok, wajib,"
        " sukarela; wajib when left out).",
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--org", required=True, help="the cooperative code")
    imp.add_argument(
        "--batch", help="a name for the batch, e.g. payroll-2025-11 (default: from its content)"
    )
    imp.add_argument(
        "--paid-into",
        choices=tuple(PAID_INTO),
        default="receivable",
        help="where the money is: receivable (owed by the employer until transferred;"
        " the default), bank or cash",
    )
    deposits.set_defaults(handler=on_database(deposits_command))


def _when(at: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(at))


async def deposits_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    org_id = await org_id_of(db, args.org)
    if args.batch is not None and not _BATCH_NAME.fullmatch(args.batch):
        raise CliError(
            f"--batch is letters, digits, . _ - (e.g. payroll-2025-11), not {args.batch!r}"
        )
    path: Path = args.file
    layout, problems, rows = header_and_rows(read_rows(path), DEPOSIT_COLUMNS)
    if problems:
        raise CliError(f"{path.name}: {'; '.join(problems)}")
    deposits, errors = [], []
    with progress(count_rows(path), "checking") as step:
        for number, cells in rows:
            deposit, wrong = read_deposit(number, cells, layout)
            deposits += [deposit] if deposit else []
            errors += wrong
            step(1)
    content = batch_hash(deposits)
    batch = Batch(org_id, f"deposits:{args.org}:{args.batch or content[:16]}", path.name, content)
    with progress(len(deposits), "writing") as step:
        try:
            done = await db.write(
                import_deposits, batch, deposits, errors, layout, args.paid_into, step
            )
        except BatchAlreadyRecorded as already:
            b = already.recorded
            raise CliError(
                f"{path.name}: already recorded on {_when(b.recorded_at)} as batch {b.reference}"
                f" (from {b.file_name}: {b.row_count} deposits, {rupiah(b.total)}, ledger entries"
                f" {b.first_entry}-{b.last_entry}); nothing was recorded again"
            ) from None
        except ImportRefused as refused:
            raise refuse(path, refused.errors, "recorded") from None
    b = done.batch
    kinds = ", ".join(f"{k.value} {rupiah(v)}" for k, v in done.by_kind.items() if v)
    print(
        f"{path.name}: batch {b.reference} recorded: {b.row_count} deposits, {rupiah(b.total)}"
        f" ({kinds}) into {args.paid_into}, ledger entries {b.first_entry}-{b.last_entry}"
    )
    return 0
