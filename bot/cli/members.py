"""``koperasi-bot members import|export``: the roster with savings, from and to spreadsheets.

``members import FILE`` reads every row first and reports every error by row and column;
only a file without errors is imported, in one transaction. Importing it again changes
nothing (``0 new, N unchanged``); a member stored with other data is reported, never
overwritten.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from bot.cli.common import CliError, on_database
from bot.cli.sheets import count_rows, header_and_rows, progress, read_rows, rupiah, sheet_writer
from bot.config import Settings
from domain.people import display_phone
from storage import orgs, savings
from storage.db import Database
from storage.savings_import import ImportRefused, import_members
from storage.savings_sheets import MEMBER_COLUMNS, RowError, read_member

EXPORT_HEADER = (
    "Koperasi", "No Anggota", "Nama", "HP", "Tanggal Masuk", "Pokok", "Wajib", "Sukarela",
    "Total", "Terdaftar",
)  # fmt: skip


def add_parser(sub) -> None:
    members = sub.add_parser("members", help="members and their savings, from and to spreadsheets")
    members_sub = members.add_subparsers(dest="action", required=True)
    imp = members_sub.add_parser(
        "import",
        help="import members with opening balances from a CSV or XLSX file",
        description="Columns (English or Indonesian headers): member number (No Anggota), name"
        " (Nama), phone (HP/Telepon), cooperative (Koperasi; or --org), join date (Tanggal"
        " Masuk), and opening balances Pokok, Wajib, Sukarela in whole rupiah.",
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--org", help="cooperative code for rows without a Koperasi column")
    exp = members_sub.add_parser("export", help="members with balances per kind, to CSV or XLSX")
    exp.add_argument("file", type=Path, help="members.csv or members.xlsx")
    exp.add_argument("--org", help="one cooperative's members only")
    members.set_defaults(handler=on_database(members_command))


async def members_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    if args.action == "import":
        return await _import(args, db)
    return await _export(args, db)


async def org_id_of(db: Database, code: str | None) -> int | None:
    if code is None:
        return None
    org = await orgs.by_code(db, code)
    if org is None:
        raise CliError(f"no organisation with code {code!r}")
    return org.id


def refuse(path: Path, errors: list[RowError], what: str) -> CliError:
    """Print every error, oldest row first; the one line that ends the command."""
    for error in sorted(errors):
        print(f"  {error}", file=sys.stderr)
    rows = len({e.row for e in errors})
    return CliError(
        f"{path.name}: {_count(len(errors), 'error')} in {_count(rows, 'row')}; nothing was {what}"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


async def _import(args: argparse.Namespace, db: Database) -> int:
    await org_id_of(db, args.org)
    cooperatives = {node.code for _, node in await orgs.tree(db)}
    path: Path = args.file
    layout, problems, rows = header_and_rows(read_rows(path), MEMBER_COLUMNS)
    if problems:
        raise CliError(f"{path.name}: {'; '.join(problems)}")
    members, errors, today = [], [], dt.date.today()
    with progress(count_rows(path), "checking") as step:
        for number, cells in rows:
            member, wrong = read_member(
                number, cells, layout, default_cooperative=args.org, today=today,
                cooperatives=cooperatives,
            )  # fmt: skip
            members += [member] if member else []
            errors += wrong
            step(1)
    with progress(len(members), "writing") as step:
        try:
            done = await db.write(import_members, members, errors, layout, path.name, step)
        except ImportRefused as refused:
            raise refuse(path, refused.errors, "imported") from None
    print(
        f"{path.name}: {done.new} new, {done.completed} completed, {done.unchanged} unchanged;"
        f" {done.linked} linked to registered people"
    )
    if any(done.opening.values()):
        print(
            "opening balances: "
            + ", ".join(f"{kind.value} {rupiah(amount)}" for kind, amount in done.opening.items())
        )
    return 0


async def _export(args: argparse.Namespace, db: Database) -> int:
    found = await savings.member_balances(db, await org_id_of(db, args.org))
    xlsx = args.file.suffix.lower() != ".csv"
    with sheet_writer(args.file, EXPORT_HEADER) as append:
        for m in found:
            joined = m.member.joined_on
            append((
                m.cooperative, m.member.member_number, m.member.full_name,
                display_phone(m.member.phone),
                joined if xlsx or joined is None else joined.isoformat(),
                *m.savings.by_kind.values(), m.savings.total,
                "ya" if m.member.person_id else "belum",
            ))  # fmt: skip
    total = sum(m.savings.total for m in found)
    print(f"{args.file.name}: {len(found)} members, savings {rupiah(total)}")
    return 0
