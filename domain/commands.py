"""Which commands exist and who may use them: the one table that /help, the command
menus and the access check all read."""

from __future__ import annotations

from dataclasses import dataclass

from domain import N_
from domain.people import Role


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # msgid, translated when shown
    roles: frozenset[Role] | None = None  # None: anyone, even before registering

    def allowed(self, roles: frozenset[Role]) -> bool:
        return self.roles is None or bool(self.roles & roles)


REGISTERED = frozenset(Role)  # any role: the person has registered

COMMANDS: tuple[Command, ...] = (
    Command("start", N_("Register or start again")),
    Command("help", N_("See what I can do for you")),
    Command("settings", N_("Change your language, time zone or village"), REGISTERED),
    Command("language", N_("Change the language"), REGISTERED),
    Command("cancel", N_("Stop what you are doing")),
    Command("harga", N_("See today's prices for your village"), REGISTERED),
    Command("langganan", N_("Choose which prices come every morning"), REGISTERED),
    Command("jual", N_("Sell your harvest at the cooperative's price"), frozenset({Role.FARMER})),
    Command("tawaran", N_("See and cancel your offers"), frozenset({Role.FARMER})),
    Command(
        "jualkan",
        N_("Enter an offer for a farmer without Telegram"),
        frozenset({Role.COORDINATOR}),
    ),
    Command("saldo", N_("See your savings"), frozenset({Role.MEMBER})),
    Command("mutasi", N_("See your latest savings movements"), frozenset({Role.MEMBER})),
    Command(
        "tagihan",
        N_("See which months of mandatory savings (wajib) are paid"),
        frozenset({Role.MEMBER}),
    ),
    Command(
        "pinjam",
        N_("Borrow from the cooperative: simulate a loan, apply, see your loans"),
        frozenset({Role.MEMBER}),
    ),
    Command(
        "pinjaman",
        N_("See your loan: what is left, the next installment, the schedule"),
        frozenset({Role.MEMBER}),
    ),
    Command("setor", N_("Record a member's savings deposit"), frozenset({Role.TREASURER})),
    Command(
        "tarik",
        N_("Withdraw voluntary savings (a second officer approves)"),
        frozenset({Role.TREASURER}),
    ),
    Command(
        "koreksi",
        N_("Undo a wrong savings entry (a second officer approves)"),
        frozenset({Role.TREASURER}),
    ),
    Command(
        "jemput",
        N_("See pickups: schedule, record the weighing, pay the farmer"),
        frozenset({Role.COORDINATOR, Role.TREASURER}),
    ),
    Command(
        "rekap",
        N_("See the figures: bought, sold, stock, margin, what is owed"),
        frozenset({Role.ADMIN, Role.TREASURER}),
    ),
    Command(
        "gudang",
        N_("See the warehouse: stock, pickups coming in, drying and losses"),
        frozenset({Role.KEEPER, Role.ADMIN, Role.COORDINATOR}),
    ),
    Command(
        "saprodi",
        N_("Give a farmer an input advance: pupuk, bibit or cash (a second officer approves)"),
        frozenset({Role.ADMIN, Role.TREASURER, Role.COORDINATOR}),
    ),
    Command(
        "utang",
        N_("See input advances: what is owed and repaid"),
        frozenset({Role.FARMER, Role.ADMIN, Role.TREASURER}),
    ),
    Command(
        "cairkan",
        N_("Member loans: approve applications, pay out approved ones"),
        frozenset({Role.ADMIN, Role.TREASURER}),
    ),
    Command(
        "angsur",
        N_("Record a loan installment paid at the desk, or an early payoff"),
        frozenset({Role.ADMIN, Role.TREASURER}),
    ),
    Command(
        "tunggakan",
        N_("See loans in arrears by class, with what is overdue"),
        frozenset({Role.ADMIN, Role.TREASURER}),
    ),
    Command(
        "pesan",
        N_("Order goods from the hub, or see what a cycle ordered"),
        frozenset({Role.CHAIR, Role.TREASURER, Role.STORE_MANAGER, Role.ADMIN}),
    ),
    Command(
        "belanja",
        N_("Order goods from your hub for pickup at your workplace, paid from savings or pay"),
        frozenset({Role.MEMBER}),
    ),
    Command(
        "serahkan",
        N_("Hand over members' goods ordered from the hub"),
        frozenset({Role.COORDINATOR, Role.TREASURER, Role.ADMIN}),
    ),
    Command(
        "talangan",
        N_("Give a village cooperative of the hub an advance (a second officer approves)"),
        frozenset({Role.ADMIN, Role.TREASURER}),
    ),
    Command("setharga", N_("Set the cooperative's buying price"), frozenset({Role.ADMIN})),
    Command(
        "rafaksi",
        N_("Set the quality cuts (rafaksi) by kadar air and hampa"),
        frozenset({Role.ADMIN}),
    ),
    Command("katalog", N_("Stop or start buying a produce"), frozenset({Role.ADMIN})),
    Command(
        "penjualan",
        N_("Sell to buyers: sales, deliveries, invoices, payments"),
        frozenset({Role.ADMIN}),
    ),
    Command("butuh", N_("See and close the cooperative's buying windows"), frozenset({Role.ADMIN})),
    Command(
        "koperasi",
        N_("See the village cooperatives of the network and their officers"),
        frozenset({Role.ADMIN, Role.TREASURER, Role.CHAIR, Role.STORE_MANAGER}),
    ),
    Command(
        "laporan",
        N_("File your village cooperative's monthly report"),
        frozenset({Role.CHAIR, Role.TREASURER, Role.STORE_MANAGER}),
    ),
    Command(
        "umumkan",
        N_("Send an announcement to the officers of the network's cooperatives"),
        frozenset({Role.ADMIN}),
    ),
    Command("invite", N_("Make an invite link for cooperative staff"), frozenset({Role.ADMIN})),
    Command(
        "shu",
        N_("The year's SHU: approve posting it to the members' savings"),
        frozenset({Role.ADMIN, Role.TREASURER, Role.CHAIR}),
    ),
)

BY_NAME = {command.name: command for command in COMMANDS}


# Buttons that belong to no command, and the roles that may press them. The offer's own
# rules (domain.offers) then decide for the object the button names: which cooperative,
# which status, never one's own offer.
BUTTONS: dict[str, frozenset[Role]] = {
    "offer.take": frozenset({Role.COORDINATOR}),
    "offer.detail": frozenset({Role.COORDINATOR, Role.ADMIN}),
    "offer.assign": frozenset({Role.ADMIN}),
    "offer.pay": frozenset({Role.COORDINATOR, Role.TREASURER}),
    "weighing.check": frozenset({Role.COORDINATOR, Role.ADMIN}),
    "dispute.settle": frozenset({Role.ADMIN}),
    "savings.decide": frozenset({Role.TREASURER, Role.ADMIN}),  # never the maker (storage)
    "advance.decide": frozenset({Role.TREASURER, Role.ADMIN}),  # never the maker (storage)
    # a member's loan: two officers approve, then one pays it out; never the applicant
    "loan.decide": frozenset({Role.TREASURER, Role.ADMIN}),
    "loan.disburse": frozenset({Role.TREASURER, Role.ADMIN}),
    "coop_advance.decide": frozenset({Role.TREASURER, Role.ADMIN}),  # a hub's; never the maker
    "loan.repay": frozenset({Role.TREASURER, Role.ADMIN}),  # never the member (storage)
}


def may_check(button: str, maker_id: int, checker_id: int, roles: frozenset[Role]) -> bool:
    """Maker–checker: whether ``checker_id`` holding ``roles`` may decide what ``maker_id``
    asked (a withdrawal, an advance): a role of ``button`` and never one's own request."""
    return maker_id != checker_id and bool(roles & BUTTONS[button])


def in_scope(area_prefix: str, coverage: list[str] | tuple[str, ...]) -> bool:
    """Whether an administrator whose cooperative covers ``coverage`` (code prefixes; none:
    the root, everywhere) may act on something of ``area_prefix`` ('' is everywhere)."""
    if not coverage:
        return True
    return any(area_prefix == p or area_prefix.startswith(p + ".") for p in coverage)


def commands_for(roles: frozenset[Role]) -> list[Command]:
    return [command for command in COMMANDS if command.allowed(roles)]


def public_commands() -> list[Command]:
    return [command for command in COMMANDS if command.roles is None]
