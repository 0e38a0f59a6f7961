"""Member loans (issue 19): products per cooperative (versioned), applications checked by
domain.loans, two officers' approvals, the payout and its schedule.

Money: the payout ``loan:<id>:disbursed`` debits ``receivable:loan:<id>`` with the pokok and
credits the cooperative's cash or bank with what the member receives and ``loanfees:<org>``
with the admin fee, kept at the payout. It is posted in the same transaction as the status
change from approved to disbursed (a conditional UPDATE: a double tap or two officers at
once pay out once), and the reference makes the ledger itself refuse a second one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import aiosqlite

from domain import ledger as L
from domain import loans as rules
from domain.commands import BUTTONS
from domain.people import Role
from storage import ledger
from storage.catalog import Source, fetchall
from storage.db import now_utc
from storage.people import audit
from storage.savings import MEMBER_SELECT, Member, member_of

# --- products --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredProduct:
    id: int
    org_id: int
    code: str
    version: int
    name: str
    max_amount: int
    max_tenor: int
    rate_bp: int
    method: str
    fee_rupiah: int
    fee_bp: int
    min_member_months: int
    max_share_bp: int
    top_up: bool
    retired: bool
    set_at: int
    penalty_bp: int = 0

    @property
    def rules(self) -> rules.Product:
        return rules.Product(
            self.name, self.max_amount, self.max_tenor, self.rate_bp, rules.Method(self.method),
            self.fee_rupiah, self.fee_bp, self.min_member_months, self.max_share_bp, self.top_up,
            self.penalty_bp,
        )  # fmt: skip


_PRODUCT = (
    "SELECT id, org_id, code, version, name, max_amount, max_tenor, rate_bp, method, fee_rupiah,"
    " fee_bp, min_member_months, max_share_bp, top_up, retired, set_at, penalty_bp"
    " FROM loan_products"
)


def _product(row) -> StoredProduct:
    values = {k: row[k] for k in row.keys()}
    values["top_up"], values["retired"] = row["top_up"] == 1, row["retired"] == 1
    return StoredProduct(**values)


async def add_product(
    conn: aiosqlite.Connection, org_id: int, code: str, product: rules.Product,
    by: int | None = None,
) -> StoredProduct:  # fmt: skip
    """The product's next version (the first when ``code`` is new): loans applied before keep
    the version they were applied under."""
    rules.check_product(product)
    rows = await fetchall(
        conn,
        "SELECT COALESCE(MAX(version), 0) AS v FROM loan_products WHERE org_id = ? AND code = ?",
        (org_id, code),
    )
    cur = await conn.execute(
        "INSERT INTO loan_products (org_id, code, version, name, max_amount, max_tenor, rate_bp,"
        " method, fee_rupiah, fee_bp, min_member_months, max_share_bp, top_up, set_by, set_at,"
        " penalty_bp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (org_id, code, rows[0]["v"] + 1, product.name, product.max_amount, product.max_tenor,
         product.rate_bp, product.method.value, product.fee_rupiah, product.fee_bp,
         product.min_member_months, product.max_share_bp, 1 if product.top_up else 0, by, now_utc(),
         product.penalty_bp),
    )  # fmt: skip
    product_id = (await cur.fetchone())[0]
    await audit(conn, by, "loan.product", f"loan_product:{product_id}", code=code)
    return await product_by_id(conn, product_id)


async def retire_product(
    conn: aiosqlite.Connection, org_id: int, code: str, by: int | None = None
) -> StoredProduct:
    """Stop lending under ``code``: a last version with the same terms, marked retired (the
    history stays; loans applied before keep theirs). ValueError for an unknown code."""
    found = [p for p in await products(conn, org_id, history=True) if p.code == code]
    if not found:
        raise ValueError(f"no loan product {code!r}")
    last = found[-1]
    if last.retired:
        return last
    cur = await conn.execute(
        "INSERT INTO loan_products (org_id, code, version, name, max_amount, max_tenor, rate_bp,"
        " method, fee_rupiah, fee_bp, min_member_months, max_share_bp, top_up, retired, set_by,"
        " set_at, penalty_bp) SELECT org_id, code, version + 1, name, max_amount, max_tenor,"
        " rate_bp, method, fee_rupiah, fee_bp, min_member_months, max_share_bp, top_up, 1, ?, ?,"
        " penalty_bp FROM loan_products"
        " WHERE id = ? RETURNING id",
        (by, now_utc(), last.id),
    )
    product_id = (await cur.fetchone())[0]
    await audit(conn, by, "loan.product.retired", f"loan_product:{product_id}", code=code)
    return await product_by_id(conn, product_id)


async def product_by_id(source: Source, product_id: int) -> StoredProduct | None:
    rows = await fetchall(source, f"{_PRODUCT} WHERE id = ?", (product_id,))
    return _product(rows[0]) if rows else None


async def products(source: Source, org_id: int, *, history: bool = False) -> list[StoredProduct]:
    """The cooperative's products in force (the newest version of each code, not retired);
    every version with ``history``."""
    rows = await fetchall(source, f"{_PRODUCT} WHERE org_id = ? ORDER BY code, version", (org_id,))
    found = [_product(r) for r in rows]
    if history:
        return found
    newest = {p.code: p for p in found}
    return [p for p in newest.values() if not p.retired]


async def in_force(source: Source, product_id: int) -> bool:
    found = await product_by_id(source, product_id)
    return found is not None and any(
        p.id == product_id for p in await products(source, found.org_id)
    )


# --- loans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loan:
    id: int
    org_id: int
    roster_id: int
    person_id: int
    product_id: int
    amount_rupiah: int
    tenor_months: int
    rate_bp: int
    method: str
    fee_rupiah: int
    purpose: str
    status: str
    applied_at: int
    decided_at: int | None
    disbursed_at: int | None
    disbursed_via: str | None
    transfer_ref: str | None
    first_due: str | None
    approvals: int = 0

    @property
    def number(self) -> str:
        return rules.loan_number(self.id)

    def schedule(self, first_due: dt.date) -> list[rules.Installment]:
        return rules.schedule(
            self.amount_rupiah, self.tenor_months, self.rate_bp, self.method, first_due
        )


_LOAN = (
    "SELECT l.id, l.org_id, l.roster_id, l.person_id, l.product_id, l.amount_rupiah,"
    " l.tenor_months, l.rate_bp, l.method, l.fee_rupiah, l.purpose, l.status, l.applied_at,"
    " l.decided_at, l.disbursed_at, l.disbursed_via, l.transfer_ref, l.first_due,"
    " (SELECT COUNT(*) FROM loan_approvals a WHERE a.loan_id = l.id AND a.approve = 1) AS approvals"
    " FROM loans l"
)


def _loan(row) -> Loan:
    return Loan(**{k: row[k] for k in row.keys()})


async def get(source: Source, loan_id: int) -> Loan | None:
    rows = await fetchall(source, f"{_LOAN} WHERE l.id = ?", (loan_id,))
    return _loan(rows[0]) if rows else None


async def of_member(source: Source, roster_id: int) -> list[Loan]:
    """The member's loans, newest first."""
    rows = await fetchall(source, f"{_LOAN} WHERE l.roster_id = ? ORDER BY l.id DESC", (roster_id,))
    return [_loan(r) for r in rows]


async def membership(source: Source, person_id: int, org_id: int) -> Member | None:
    """The person's roster entry in their cooperative (else their first): who borrows."""
    rows = await fetchall(source, f"{MEMBER_SELECT} WHERE person_id = ? ORDER BY id", (person_id,))
    members = [member_of(r) for r in rows]
    return next((m for m in members if m.org_id == org_id), members[0] if members else None)


async def take_home(source: Source, roster_id: int) -> int | None:
    rows = await fetchall(source, "SELECT take_home_rupiah FROM roster WHERE id = ?", (roster_id,))
    return rows[0]["take_home_rupiah"] if rows else None


async def applicant(source: Source, member: Member) -> rules.Applicant:
    """What the checks need: membership, take-home pay, the loans still open and their largest
    installments (a top-up must fit beside them)."""
    active = [loan for loan in await of_member(source, member.id) if loan.status in rules.ACTIVE]
    others = sum(
        max(row.total for row in loan.schedule(dt.date(2000, 1, 1))) for loan in active
    )  # fmt: skip
    return rules.Applicant(
        member.joined_on, await take_home(source, member.id), len(active), others
    )


async def simulate(
    source: Source, member: Member, product_id: int, amount: int, tenor: int, today: dt.date
) -> rules.Simulation:
    """The checks and the simulation (LoanRefused says why and what would be allowed)."""
    product = await product_by_id(source, product_id)
    if product is None or product.org_id != member.org_id:
        raise rules.LoanRefused("loan.no_product")
    return rules.check(product.rules, await applicant(source, member), amount, tenor, today)


async def apply(
    conn: aiosqlite.Connection, roster_id: int, person_id: int, product_id: int, amount: int,
    tenor: int, purpose: str, today: str,
) -> Loan:  # fmt: skip
    """An application, checked again inside the transaction (the roster or another loan may
    have changed since the simulation); ``today`` is the member's date (ISO)."""
    member = next(
        (m for m in [await _member(conn, roster_id)] if m and m.person_id == person_id), None
    )
    if member is None:
        raise rules.LoanRefused("loan.not_member")
    if not await in_force(conn, product_id):
        raise rules.LoanRefused("loan.no_product")
    purpose = rules.check_purpose(purpose)
    product = await product_by_id(conn, product_id)
    simulation = await simulate(
        conn, member, product_id, amount, tenor, dt.date.fromisoformat(today)
    )
    cur = await conn.execute(
        "INSERT INTO loans (org_id, roster_id, person_id, product_id, amount_rupiah, tenor_months,"
        " rate_bp, method, fee_rupiah, purpose, status, applied_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'applied', ?) RETURNING id",
        (member.org_id, roster_id, person_id, product_id, amount, tenor, product.rate_bp,
         product.method, simulation.fee, purpose, now_utc()),
    )  # fmt: skip
    loan_id = (await cur.fetchone())[0]
    await audit(conn, person_id, "loan.applied", f"loan:{loan_id}", amount=amount, tenor=tenor)
    return await get(conn, loan_id)


async def _member(source: Source, roster_id: int) -> Member | None:
    rows = await fetchall(source, f"{MEMBER_SELECT} WHERE id = ?", (roster_id,))
    return member_of(rows[0]) if rows else None


async def cancel(conn: aiosqlite.Connection, loan_id: int, person_id: int) -> Loan:
    """The applicant withdraws an application nobody has paid out yet."""
    cur = await conn.execute(
        "UPDATE loans SET status = 'cancelled', decided_at = ? WHERE id = ? AND person_id = ?"
        " AND status IN ('applied', 'approved')",
        (now_utc(), loan_id, person_id),
    )
    if cur.rowcount == 0:
        raise DecisionRefused("loan.decided")
    await audit(conn, person_id, "loan.cancelled", f"loan:{loan_id}")
    return await get(conn, loan_id)


# --- the officers decide ---------------------------------------------------------------------


class DecisionRefused(Exception):
    """``reason``: loan.not_officer (another cooperative, no such loan, not a treasurer or
    administrator), loan.own (the applicant), loan.twice (the same officer again),
    loan.decided (no longer waiting)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def _may_act(
    conn: aiosqlite.Connection, loan_id: int, officer_org: int, roles: frozenset[Role],
    button: str,
) -> Loan:  # fmt: skip
    found = await get(conn, loan_id)
    if found is None or officer_org not in (found.org_id, 1) or not roles & BUTTONS[button]:
        raise DecisionRefused("loan.not_officer")
    return found


@dataclass(frozen=True)
class Decision:
    loan: Loan
    approve: bool
    final: bool  # this decision approved (the second yes) or refused the loan


async def decide(
    conn: aiosqlite.Connection, loan_id: int, officer_id: int, officer_org: int,
    roles: frozenset[Role], approve: bool,
) -> Decision:  # fmt: skip
    """An officer's yes or no, once: two yeses approve the loan, one no refuses it. Never the
    applicant, never the same officer twice (the key of loan_approvals refuses it too)."""
    found = await _may_act(conn, loan_id, officer_org, roles, "loan.decide")
    rows = await fetchall(
        conn, "SELECT officer_id FROM loan_approvals WHERE loan_id = ?", (loan_id,)
    )
    before = frozenset(r["officer_id"] for r in rows)
    if officer_id == found.person_id:
        raise DecisionRefused("loan.own")
    if not rules.may_approve(found.person_id, officer_id, before):
        raise DecisionRefused("loan.twice")
    if found.status != rules.Status.APPLIED:
        raise DecisionRefused("loan.decided")
    now = now_utc()
    await conn.execute(
        "INSERT INTO loan_approvals (loan_id, officer_id, approve, at) VALUES (?, ?, ?, ?)",
        (loan_id, officer_id, 1 if approve else 0, now),
    )
    final = not approve or found.approvals + 1 >= rules.APPROVALS_NEEDED
    if final:
        cur = await conn.execute(
            "UPDATE loans SET status = ?, decided_at = ? WHERE id = ? AND status = 'applied'",
            ("approved" if approve else "refused", now, loan_id),
        )
        if cur.rowcount == 0:
            raise DecisionRefused("loan.decided")
    await audit(conn, officer_id, "loan.approve" if approve else "loan.refuse", f"loan:{loan_id}")
    return Decision(await get(conn, loan_id), approve, final)


async def deciders(source: Source, loan_id: int) -> list[int]:
    rows = await fetchall(
        source, "SELECT officer_id FROM loan_approvals WHERE loan_id = ? ORDER BY at", (loan_id,)
    )
    return [r["officer_id"] for r in rows]


async def disburse(
    conn: aiosqlite.Connection, loan_id: int, officer_id: int, officer_org: int,
    roles: frozenset[Role], via: str, transfer_ref: str | None, today: str,
) -> Loan:  # fmt: skip
    """Pay out an approved loan, once: the status change and the posting commit together
    (nothing in between can be lost), the schedule rows with them, due a month apart from
    a month after ``today`` (the officer's date, ISO)."""
    found = await _may_act(conn, loan_id, officer_org, roles, "loan.disburse")
    if officer_id == found.person_id:
        raise DecisionRefused("loan.own")
    if via not in ("cash", "transfer") or (via == "transfer") != bool(transfer_ref):
        raise DecisionRefused("loan.via")
    first = rules.first_due(dt.date.fromisoformat(today))
    now = now_utc()
    cur = await conn.execute(
        "UPDATE loans SET status = 'disbursed', disbursed_at = ?, disbursed_by = ?,"
        " disbursed_via = ?, transfer_ref = ?, first_due = ? WHERE id = ? AND status = 'approved'",
        (now, officer_id, via, transfer_ref, first.isoformat(), loan_id),
    )
    if cur.rowcount == 0:
        raise DecisionRefused("loan.decided")
    rows = found.schedule(first)
    await conn.executemany(
        "INSERT INTO loan_installments (loan_id, number, due_on, principal_rupiah, interest_rupiah)"
        " VALUES (?, ?, ?, ?, ?)",
        [(loan_id, r.number, r.due_on.isoformat(), r.principal, r.interest) for r in rows],
    )
    paid_from = L.bank(found.org_id) if via == "transfer" else L.cash(found.org_id)
    lines = [L.debit(L.loan_receivable(loan_id), found.amount_rupiah),
             L.credit(paid_from, found.amount_rupiah - found.fee_rupiah)]  # fmt: skip
    if found.fee_rupiah:
        lines.append(L.credit(L.loan_fees(found.org_id), found.fee_rupiah))
    params = {"number": found.number, "via": via} | (
        {"transfer": transfer_ref} if transfer_ref else {}
    )
    await ledger.post(
        conn, lines, officer_id, L.coded_reason(L.REASON_LOAN_PAID_OUT, **params),
        f"loan:{loan_id}:disbursed",
    )  # fmt: skip
    await audit(conn, officer_id, "loan.disbursed", f"loan:{loan_id}", via=via)
    return await get(conn, loan_id)


async def installments(source: Source, loan_id: int) -> list[rules.Installment]:
    """The stored schedule of a loan paid out (empty before)."""
    rows = await fetchall(
        source,
        "SELECT number, due_on, principal_rupiah, interest_rupiah FROM loan_installments"
        " WHERE loan_id = ? ORDER BY number",
        (loan_id,),
    )
    found, balance = [], sum(r["principal_rupiah"] for r in rows)
    for r in rows:
        balance -= r["principal_rupiah"]
        found.append(rules.Installment(
            r["number"], dt.date.fromisoformat(str(r["due_on"])), r["principal_rupiah"],
            r["interest_rupiah"], balance,
        ))  # fmt: skip
    return found


async def officers(source: Source, org_id: int, but: frozenset[int]) -> list[tuple[int, int, str]]:
    """(person id, chat id, language) of who may decide a loan of ``org_id``: its treasurers
    and administrators (and the root's), never the applicant nor who already decided."""
    rows = await fetchall(
        source,
        "SELECT DISTINCT p.id, p.chat_id, p.language FROM people p JOIN person_roles r ON r.person_id = p.id"
        " WHERE r.role IN ('treasurer', 'admin') AND p.org_id IN (?, 1)"
        " AND p.chat_id IS NOT NULL AND p.reachable = 1 ORDER BY p.id",
        (org_id,),
    )
    return [(r["id"], r["chat_id"], r["language"]) for r in rows if r["id"] not in but]


async def approved_in(source: Source, org_id: int | None) -> list[Loan]:
    """Loans approved and waiting to be paid out, oldest first (``None``: every cooperative)."""
    return await _in(source, "approved", org_id)


async def waiting_for(source: Source, org_id: int | None, officer_id: int) -> list[Loan]:
    """Applications ``officer_id`` may still decide: not their own, not decided by them."""
    rows = await fetchall(
        source, "SELECT loan_id FROM loan_approvals WHERE officer_id = ?", (officer_id,)
    )
    decided = {r["loan_id"] for r in rows}
    return [
        loan for loan in await _in(source, "applied", org_id)
        if loan.person_id != officer_id and loan.id not in decided
    ]  # fmt: skip


async def _in(source: Source, status: str, org_id: int | None) -> list[Loan]:
    where, params = ("", (status,)) if org_id is None else (" AND l.org_id = ?", (status, org_id))
    rows = await fetchall(source, f"{_LOAN} WHERE l.status = ?{where} ORDER BY l.id", params)
    return [_loan(r) for r in rows]
