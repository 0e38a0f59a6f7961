"""A ledger entry's reason in the reader's language: the reasons the code writes are codes
with parameters (domain.ledger.coded_reason), read here through the catalogs, months in
words ("Oktober 2026"); a reason a person typed, and every reason stored before codes, is
shown as it was written."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from bot.i18n import _, current_language, format_month, format_number, gettext
from domain import N_
from domain import advances as A
from domain import coop_advances as CA
from domain import cycle_delivery as C
from domain import ledger as L
from domain import member_orders as MO
from domain import sales as S
from domain.ledger import SavingsKind
from domain.produce import CATALOG, NO_GRADE

#: The kind of savings inside a sentence ("Setoran simpanan wajib di loket").
KIND_IN_SENTENCE = {
    SavingsKind.POKOK: N_("principal"),
    SavingsKind.WAJIB: N_("mandatory"),
    SavingsKind.SUKARELA: N_("voluntary"),
}


def _kind(params: dict) -> str:
    return gettext(KIND_IN_SENTENCE[SavingsKind(params["kind"])])


def _month(text: str) -> str:
    year, month = (int(part) for part in str(text).split("-"))
    return format_month(year, month)


def _produce(params: dict) -> str:
    """The produce in the reader's language, lower case as inside a sentence; its code when
    the catalog no longer knows it. A grade's label likewise."""
    commodity = CATALOG.get(str(params["produce"]))
    if commodity is None:
        return str(params["produce"])
    name = gettext(commodity.name_en)
    if name == commodity.name_en and current_language() == "id":
        name = commodity.name_id
    name = name if name[:2].isupper() else name[:1].lower() + name[1:]
    grade = commodity.grade(str(params.get("grade") or ""))
    return (
        f"{name}, {gettext(grade.label)}" if grade is not None and grade.code != NO_GRADE else name
    )


def _quantity(params: dict) -> str:
    try:
        return format_number(Decimal(str(params["quantity"])))
    except InvalidOperation:
        raise ValueError(params["quantity"]) from None


def _loan_repaid(params: dict) -> str:
    number = params["number"]
    if params["source"] == "payroll":
        return _("Installment of loan {number}, deducted from pay for {month}").format(
            number=number, month=_month(params["month"])
        )
    if params["source"] == "payoff":
        return _("Early payoff of loan {number}").format(number=number)
    return _("Installment of loan {number}, paid at the desk").format(number=number)


_RENDER: dict[str, Callable[[dict], str]] = {
    L.REASON_DEPOSIT_DESK: lambda p: _("Deposit to {kind} savings at the desk").format(
        kind=_kind(p)
    ),
    L.REASON_DEPOSIT_MONTH: lambda p: _("Deposit to {kind} savings for {month}").format(
        kind=_kind(p), month=_month(p["month"])
    ),
    L.REASON_OPENING: lambda p: _("Opening balance (from the earlier books)"),
    L.REASON_WITHDRAWAL: lambda p: _("Withdrawal from {kind} savings").format(kind=_kind(p)),
    L.REASON_CANCELLED: lambda p: _("Cancelled: {why}").format(why=p["why"]),
    L.REASON_PICKED_UP: lambda p: _("Pickup {number}: {quantity} {produce}").format(
        number=p["number"], quantity=_quantity(p), produce=_produce(p)
    ),
    L.REASON_PAID_CASH: lambda p: _("Paid in cash, {number}").format(number=p["number"]),
    L.REASON_PAID_TRANSFER: lambda p: _("Paid by transfer {transfer}, {number}").format(
        transfer=p["transfer"], number=p["number"]
    ),
    L.REASON_STOCK_ARRIVAL: lambda p: _("Into {warehouse}: {quantity} {produce}").format(
        warehouse=p["warehouse"], quantity=_quantity(p), produce=_produce(p)
    ),
    L.REASON_STOCK_COST: lambda p: (
        _("Drying fee: {quantity} {produce}")
        if p["kind"] == "drying"
        else _("Processing fee: {quantity} {produce}")
    ).format(quantity=_quantity(p), produce=_produce(p)),  # fmt: skip
    L.REASON_STOCK_LOSS: lambda p: _("Stock lost ({why}): {quantity} {produce}").format(
        why=p["why"], quantity=_quantity(p), produce=_produce(p)
    ),
    L.REASON_ADVANCE: lambda p: _("Input advance {number}: {what}").format(
        number=p["number"], what=gettext(A.WHAT_WORDS[A.What(p["what"])])
    ),
    L.REASON_LOAN_PAID_OUT: lambda p: (
        _("Loan {number} paid out by transfer {transfer}").format(
            number=p["number"], transfer=p["transfer"]
        )
        if p["via"] == "transfer"
        else _("Loan {number} paid out in cash").format(number=p["number"])
    ),  # fmt: skip
    L.REASON_LOAN_REPAID: lambda p: _loan_repaid(p),
    L.REASON_PAYROLL_BELANJA: lambda p: _(
        "Goods from the cooperative, deducted from pay for {month}"
    ).format(month=_month(p["month"])),
    L.REASON_SHU: lambda p: _("SHU {year} to voluntary savings").format(year=p["year"]),
    # Market sales (storage.sales)
    S.REASON_DELIVERED: lambda p: _("Delivered {note} of sale {sale}: {quantity} {produce}").format(
        note=p["note"], sale=p["sale"], quantity=_quantity(p), produce=_produce(p)
    ),
    S.REASON_INVOICED: lambda p: _("Invoice {invoice} to {buyer}, sale {sale}").format(
        invoice=p["invoice"], buyer=p["buyer"], sale=p["sale"]
    ),
    S.REASON_PAID_CASH: lambda p: _("Buyer paid in cash, {invoice}").format(invoice=p["invoice"]),
    S.REASON_PAID_TRANSFER: lambda p: _("Buyer paid by transfer {transfer}, {invoice}").format(
        transfer=p["transfer"], invoice=p["invoice"]
    ),
    # Hub order cycles (storage.cycle_delivery)
    C.REASON_INVOICED: lambda p: _("Invoice {invoice} for goods received, order {order}").format(
        invoice=p["invoice"], order=p["order"]
    ),
    C.REASON_PAID: lambda p: _("Cooperative paid by transfer {transfer}, {invoice}").format(
        transfer=p["transfer"], invoice=p["invoice"]
    ),
    C.REASON_SUPPLIER_PAID: lambda p: _("Paid {supplier} by transfer {transfer}").format(
        supplier=p["supplier"], transfer=p["transfer"]
    ),
    # A union member's goods from the hub (storage.member_orders), picked up
    MO.REASON_PICKUP: lambda p: _("Goods from the hub, order {number}").format(number=p["number"]),
    # A hub's advance to a village cooperative (storage.coop_advances)
    CA.REASON_GIVEN: lambda p: _("Advance {number} to a village cooperative").format(
        number=p["number"]
    ),
}


def reason_text(reason: str) -> str:
    """``reason`` as the reader reads it, in the language in use (call it inside the reader's
    locale); a reason that is not a known code, or whose parameters do not fit, as stored."""
    parsed = L.parse_reason(reason)
    if parsed is None or parsed[0] not in _RENDER:
        return reason
    try:
        return _RENDER[parsed[0]](parsed[1])
    except (KeyError, ValueError, TypeError):
        return reason
