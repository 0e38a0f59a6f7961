"""``koperasi-bot shu …``: the year-end SHU (sisa hasil usaha) of a cooperative.

* ``shu rules set --org CODE --reserve 40 --modal 20 --usaha 20 --fund pengurus=5 … [--from
  2026-01-01]``: the bylaws' percentages (AD/ART), summing to 100 %; each ``set`` adds a
  version, and a year uses the version in force on its 31 December. ``shu rules show``.
* ``shu compute --org CODE --year 2026 [--xlsx F] [--pdf F] [--lang id]``: the year's SHU from
  the ledger and its split (rules in ``domain.shu``), one line per member; the RAT sheet as a
  workbook (written as it is read) and a PDF.
* ``shu propose|approve --org CODE --year 2026 --as PHONE``: maker and checker (two different
  officers: treasurer, administrator or chair); the approval posts the year once, each
  member's part to their simpanan sukarela (reference ``shu:<org>:<year>``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from pathlib import Path

from bot.cli.common import CliError, on_database
from bot.cli.loans import _bp, percent_bp
from bot.cli.sheets import rupiah
from bot.cli.shu_sheet import render_pdf, write_xlsx
from bot.config import Settings
from bot.i18n import use_locale
from domain import shu as rules
from domain.people import DEFAULT_LANGUAGE, LANGUAGES, InvalidInput, normalise_phone
from storage import orgs, people
from storage import shu as stored
from storage.db import Database

REFUSALS = {
    "shu.not_officer": "{who} is not a treasurer, administrator or chair of this cooperative",
    "shu.open": "{year} is not over yet: propose its SHU from 1 January {next}",
    "shu.posted": "the SHU of {year} is already posted",
    "shu.none": "nothing is proposed for {year}: run `shu propose` first",
    "shu.own": "{who} proposed it: another officer approves",
    "shu.changed": "the ledger changed since the proposal: propose {year} again",
    "shu.nothing": "no SHU to share in {year} (income does not exceed costs)",
    "shu.no_rules": "no SHU rules in force on 31 December {year}: run `shu rules set` first",
}


def _fund(text: str) -> tuple[str, int]:
    name, sep, share = text.partition("=")
    if not sep or not rules.FUND_NAME.fullmatch(name.strip()):
        raise argparse.ArgumentTypeError(f"a fund is NAME=PERCENT, e.g. pengurus=5: {text!r}")
    return name.strip(), percent_bp(share)


def _year(text: str) -> int:
    if not text.isdigit() or not 2000 <= int(text) <= 2999:
        raise argparse.ArgumentTypeError(f"a year, e.g. 2026: {text!r}")
    return int(text)


def add_parser(sub) -> None:
    shu = sub.add_parser("shu", help="the year-end SHU: bylaws percentages, compute, post")
    shu_sub = shu.add_subparsers(dest="action", required=True)
    rules_p = shu_sub.add_parser("rules", help="the bylaws' percentages (versioned)")
    rules_sub = rules_p.add_subparsers(dest="rules_action", required=True)
    put = rules_sub.add_parser("set", help="add a version of the percentages")
    put.add_argument("--org", required=True, help="the cooperative code")
    put.add_argument("--reserve", required=True, type=percent_bp, help="cadangan, percent (40)")
    put.add_argument("--modal", required=True, type=percent_bp, help="jasa modal, percent (20)")
    put.add_argument("--usaha", required=True, type=percent_bp, help="jasa usaha, percent (20)")
    put.add_argument("--fund", action="append", default=[], type=_fund,
                     help="a fund as NAME=PERCENT (pengurus=5); repeat for each")  # fmt: skip
    put.add_argument("--from", dest="first", type=dt.date.fromisoformat, default=None,
                     help="in force from YYYY-MM-DD (default: today)")  # fmt: skip
    show = rules_sub.add_parser("show", help="the percentages in force, or every version")
    show.add_argument("--org", required=True)
    show.add_argument("--history", action="store_true")
    comp = shu_sub.add_parser("compute", help="a year's SHU from the ledger, one line per member")
    comp.add_argument("--org", required=True)
    comp.add_argument("--year", required=True, type=_year)
    comp.add_argument("--xlsx", type=Path, help="the RAT sheet as a workbook")
    comp.add_argument("--pdf", type=Path, help="the RAT sheet as a PDF")
    comp.add_argument("--lang", default=DEFAULT_LANGUAGE, choices=LANGUAGES,
                      help=f"language of the sheets (default {DEFAULT_LANGUAGE})")  # fmt: skip
    comp.add_argument("--quiet", action="store_true", help="the totals only, no line per member")
    for verb in ("propose", "approve"):
        p = shu_sub.add_parser(verb, help=f"{verb} posting a year's SHU (maker, then checker)")
        p.add_argument("--org", required=True)
        p.add_argument("--year", required=True, type=_year)
        p.add_argument("--as", dest="who", required=True, help="the officer's phone number")
    shu.set_defaults(handler=on_database(shu_command))


async def shu_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    org = await orgs.by_code(db, args.org)
    if org is None:
        raise CliError(f"no organisation with code {args.org!r}")
    if args.action == "rules":
        return await (_set_rules if args.rules_action == "set" else _show_rules)(args, db, org)
    if args.action == "compute":
        return await _compute(args, db, org)
    return await _post(args, db, org)


async def _set_rules(args: argparse.Namespace, db: Database, org) -> int:
    new = rules.Rules(args.reserve, args.modal, args.usaha, tuple(args.fund))
    first = args.first or dt.date.today()
    try:
        saved = await db.write(stored.set_rules, org.id, new, first)
    except rules.RulesInvalid as exc:
        raise CliError(f"SHU rules refused: {exc}") from None
    print(f"{org.code}: SHU rules version {saved.version} from {first.isoformat()}: {_line(new)}")
    return 0


def _line(split: rules.Rules) -> str:
    funds = "".join(f", fund {name} {_bp(bp)}" for name, bp in split.funds)
    return (
        f"reserve {_bp(split.reserve_bp)}, jasa modal {_bp(split.modal_bp)},"
        f" jasa usaha {_bp(split.usaha_bp)}{funds}"
    )


async def _show_rules(args: argparse.Namespace, db: Database, org) -> int:
    found = (
        await stored.history(db, org.id)
        if args.history
        else [v for v in [await stored.in_force(db, org.id, dt.date.today())] if v]
    )
    if not found:
        print(f"{org.code}: no SHU rules in force")
    for v in found:
        print(f"{org.code} v{v.version} from {v.effective_from.isoformat()}: {_line(v.rules)}")
    return 0


def _writable(path: Path | None) -> None:
    if path is not None and not path.parent.is_dir():
        raise CliError(f"{path.name}: cannot write it: no folder {str(path.parent)!r}")


async def _compute(args: argparse.Namespace, db: Database, org) -> int:
    _writable(args.xlsx)
    _writable(args.pdf)
    try:
        done = await stored.compute(db, org.id, args.year)
    except stored.NoRules:
        raise CliError(REFUSALS["shu.no_rules"].format(year=args.year)) from None
    split = done.split
    print(f"{org.code} SHU {args.year} (rules v{done.rules.version}): income"
          f" {rupiah(split.income)}, costs {rupiah(split.costs)}, SHU {rupiah(split.shu)}")  # fmt: skip
    funds = "".join(f", fund {name} {rupiah(amount)}" for name, amount in split.funds)
    print(f"  non-members' share {rupiah(split.nonmember_share)} (to the reserve); reserve"
          f" {rupiah(split.reserve)}, jasa modal {rupiah(split.modal)}, jasa usaha"
          f" {rupiah(split.usaha)}{funds}")  # fmt: skip
    if not args.quiet:
        await _member_lines(db, org.id, split)
    with use_locale(args.lang):
        if args.xlsx is not None:
            await _save(args.xlsx, lambda: write_xlsx(args.xlsx, org, done, db))
        if args.pdf is not None:
            await _save(args.pdf, lambda: render_pdf(args.pdf, org, done, db))
    return 0


async def _save(path: Path, write) -> None:
    try:
        await write()
    except OSError as exc:
        raise CliError(f"{path.name}: cannot write it ({exc.strerror or exc})") from None
    print(f"{path.name}: written")


async def _member_lines(db: Database, org_id: int, split: rules.Split) -> None:
    shares = iter(split.members)
    async for rows in stored.roster_pages(db, org_id):
        out = []
        for r in rows:
            m = next(shares)
            out.append(
                f"{r['member_number']}\t{r['full_name']}\taverage savings"
                f" {rupiah(m.average_savings)}\tbusiness {rupiah(m.business)}\tjasa modal"
                f" {rupiah(m.modal)}\tjasa usaha {rupiah(m.usaha)}\tSHU {rupiah(m.total)}"
            )
        print("\n".join(out))
        await asyncio.sleep(0)


async def _post(args: argparse.Namespace, db: Database, org) -> int:
    try:
        person = await people.by_phone(db, normalise_phone(args.who))
    except InvalidInput:
        raise CliError(f"not a phone number: {args.who!r}") from None
    if person is None:
        raise CliError(f"no registered person with phone {args.who}")
    use_case = stored.propose if args.action == "propose" else stored.approve
    try:
        found = await db.write(use_case, org.id, args.year, person.id)
    except stored.PostingRefused as exc:
        message = REFUSALS[exc.reason].format(
            who=person.full_name, year=args.year, next=args.year + 1
        )
        raise CliError(f"{args.action} refused: {message}") from None
    if args.action == "propose":
        print(f"{org.code} SHU {args.year} proposed by {person.full_name}: SHU"
              f" {rupiah(found.shu)}, members {rupiah(found.members)}; another officer approves"
              f" with `shu approve`")  # fmt: skip
    else:
        print(f"{org.code} SHU {args.year} approved by {person.full_name} and posted as ledger"
              f" entry {found.entry_id} ({stored.reference(org.id, args.year)}): members"
              f" {rupiah(found.members)} to their simpanan sukarela")  # fmt: skip
    return 0
