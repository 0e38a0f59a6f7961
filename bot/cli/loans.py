"""``koperasi-bot loan product add|list --org CODE``: a cooperative's loan products.

``add`` with a code that exists adds the product's next version (loans applied before keep
theirs); ``retire`` stops lending under it; ``list`` shows the products in force,
``--history`` every version. Rates and shares
are typed as percent (``1,25`` is 1,25 % a month) and stored exactly in basis points."""

from __future__ import annotations

import argparse
import re
from decimal import Decimal, InvalidOperation

from bot.cli.common import CliError, on_database
from bot.cli.savings_settings import _amount
from bot.cli.sheets import rupiah
from bot.config import Settings
from domain import loans as rules
from storage import loans, orgs
from storage.db import Database


def percent_bp(text: str) -> int:
    """``1,25`` or ``1.25`` (percent) → 125 basis points, exactly; no finer than 0,01 %."""
    try:
        value = Decimal(text.strip().rstrip("%").replace(",", "."))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    bp = value * 100
    if bp != bp.to_integral_value() or bp < 0:
        raise argparse.ArgumentTypeError(f"a percentage to 0,01 at most: {text!r}")
    return int(bp)


def _code(text: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,19}", text):
        raise argparse.ArgumentTypeError(f"a product code is a-z, 0-9 and -, up to 20: {text!r}")
    return text


def _bp(bp: int) -> str:
    return f"{Decimal(bp) / 100:f}".replace(".", ",") + " %"


def add_parser(sub) -> None:
    loan = sub.add_parser("loan", help="member loans: the cooperative's products")
    loan_sub = loan.add_subparsers(dest="what", required=True)
    product = loan_sub.add_parser("product", help="loan products (versioned)")
    product_sub = product.add_subparsers(dest="action", required=True)
    add = product_sub.add_parser("add", help="add a product, or the next version of one")
    add.add_argument("--org", required=True, help="the cooperative code")
    add.add_argument("--code", required=True, type=_code, help="the product's code (umum)")
    add.add_argument("--name", required=True, help="as members see it (Pinjaman Umum)")
    add.add_argument("--max", required=True, type=_amount, help="the largest amount (20000000)")
    add.add_argument("--tenor", required=True, type=int, help="the longest tenor, months (24)")
    add.add_argument("--rate", required=True, type=percent_bp, help="percent a month (1,25)")
    add.add_argument("--method", required=True, choices=[m.value for m in rules.Method])
    add.add_argument("--fee", type=_amount, default=0, help="admin fee, fixed rupiah")
    add.add_argument(
        "--fee-percent", type=percent_bp, default=0, help="admin fee, percent of the loan"
    )
    add.add_argument("--min-months", type=int, default=0, help="months of membership needed")
    add.add_argument(
        "--share", type=percent_bp, default=3_000,
        help="the largest installment as percent of take-home pay (30)",
    )  # fmt: skip
    add.add_argument("--top-up", action="store_true", help="a second loan beside an open one")
    add.add_argument(
        "--penalty", type=percent_bp, default=0,
        help="denda: percent a month on an overdue installment's unpaid part (0,5)",
    )  # fmt: skip
    retire = product_sub.add_parser("retire", help="stop lending under a product (kept in history)")
    retire.add_argument("--org", required=True)
    retire.add_argument("--code", required=True, type=_code)
    lst = product_sub.add_parser("list", help="the products in force")
    lst.add_argument("--org", required=True)
    lst.add_argument("--history", action="store_true", help="every version")
    loan.set_defaults(handler=on_database(loan_command))


async def loan_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    org = await orgs.by_code(db, args.org)
    if org is None:
        raise CliError(f"no organisation with code {args.org!r}")
    if args.action == "add":
        product = rules.Product(
            args.name.strip(), args.max, args.tenor, args.rate, rules.Method(args.method),
            args.fee, args.fee_percent, args.min_months, args.share, args.top_up, args.penalty,
        )  # fmt: skip
        try:
            stored = await db.write(loans.add_product, org.id, args.code, product)
        except rules.ProductInvalid as exc:
            raise CliError(f"product refused: {exc}") from None
        print(f"{org.code}: product {stored.code} version {stored.version} saved")
        return 0
    if args.action == "retire":
        try:
            stored = await db.write(loans.retire_product, org.id, args.code)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        print(f"{org.code}: product {stored.code} retired (version {stored.version})")
        return 0
    for p in await loans.products(db, org.id, history=args.history):
        print(
            f"{org.code} {p.code} v{p.version}: {p.name}, up to {rupiah(p.max_amount)} over"
            f" {p.max_tenor} months, {_bp(p.rate_bp)} a month {p.method}, fee"
            f" {rupiah(p.fee_rupiah)} + {_bp(p.fee_bp)}, member {p.min_member_months} months,"
            f" installment up to {_bp(p.max_share_bp)} of pay, penalty {_bp(p.penalty_bp)} a month"
            f"{', top-up allowed' if p.top_up else ''}{' (retired)' if p.retired else ''}"
        )
    return 0
