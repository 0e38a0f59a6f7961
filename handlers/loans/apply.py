"""/pinjam: a member's loans first ("Pinjaman saya"), then a product, the amount and the tenor
as people write them, the simulation (📄 the whole schedule as a PDF), the purpose, and the
application goes to the cooperative's officers. A refusal says why and what would be allowed,
and asks again where another answer can pass."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler

from bot.context import BotContext
from bot.i18n import _, format_money, format_short_date, use_locale
from domain import loans as rules
from domain.money import parse_rupiah, record_id
from handlers.kit import (
    END,
    Buttons,
    Choice,
    Draft,
    Step,
    Typed,
    answer_query,
    close_buttons,
    conversation,
    for_command,
    keyboard,
    need,
    refuse_button,
    reply,
    tell,
    today,
    writes,
)
from handlers.loans.common import (
    CANCEL_BUTTONS,
    SCHEDULE_BUTTONS,
    loan_line,
    months,
    send_schedule_pdf,
    simulation_text,
)
from handlers.loans.officers import card_text, decide_buttons
from handlers.menus import cancel
from storage import loans as stored
from storage import repayments
from storage.savings import Member

PRODUCT, AMOUNT, TENOR, SIMULATION, PURPOSE = (
    "loan.product", "loan.amount", "loan.tenor", "loan.simulation", "loan.purpose",
)  # fmt: skip
PRODUCT_BUTTONS = Buttons("pjp", value=r"[0-9]", max_length=12)
SIMULATION_BUTTONS = Buttons("pjs", value=r"[a-z]", max_length=6)


@dataclass
class LoanDraft(Draft):
    key = "loan"
    roster_id: int | None = None
    product_id: int | None = None
    amount: int | None = None
    tenor: int | None = None
    products: list[list[str]] | None = None  # [label, product id] as offered
    offered: list[str] | None = None


async def _member(context: BotContext) -> Member | None:
    return await stored.membership(context.db, context.person.id, context.person.org_id)


async def _product(context: BotContext) -> stored.StoredProduct:
    return need(await stored.product_by_id(context.db, need(LoanDraft.load(context).product_id)))


# --- "Pinjaman saya" and the product ----------------------------------------------------------


@for_command("pinjam")
async def start(update: Update, context: BotContext) -> str | int:
    member = await _member(context)
    if member is None:
        await reply(update, _("Your name is not on the cooperative's member list yet. Ask the treasurer to add you."))  # fmt: skip
        return END
    mine = await stored.of_member(context.db, member.id)
    if mine:
        await reply(update, *await _my_loans(context, mine))
    products = await stored.products(context.db, member.org_id)
    if not products:
        await reply(update, _("Your cooperative offers no loans in the bot yet."))
        return END
    LoanDraft(roster_id=member.id).save(context)
    return await PRODUCT_STEP.ask(update, context)


async def _my_loans(context: BotContext, mine: list[stored.Loan]) -> tuple[str, object]:
    """ "Pinjaman saya": each loan, the next installment of one paid out, 📄 its schedule."""
    zone = context.person.timezone
    lines, buttons = [_("Your loans:")], []
    for loan in mine[:10]:
        lines.append(loan_line(loan))
        if loan.status == rules.Status.DISBURSED:
            due = (await repayments.standing(context.db, loan, today(zone))).next_due
            if due is not None:  # the oldest not paid, less what is paid of it
                lines.append(_("Next installment: {amount} on {date}").format(
                    amount=format_money(due.principal_owed + due.interest_owed),
                    date=format_short_date(due.due_on, zone)))  # fmt: skip
            buttons.append([SCHEDULE_BUTTONS.button(_("📄 Schedule {number}").format(number=loan.number), str(loan.id))])  # fmt: skip
        if loan.status in (rules.Status.APPLIED, rules.Status.APPROVED):
            buttons.append([CANCEL_BUTTONS.button(_("✖️ Cancel {number}").format(number=loan.number), str(loan.id))])  # fmt: skip
    return "\n".join(lines), keyboard(buttons) if buttons else None


async def _product_chosen(update: Update, context: BotContext, value: str) -> str | int:
    draft = LoanDraft.load(context)
    product = await stored.product_by_id(context.db, int(value))
    member = need(await stored.membership(context.db, context.person.id, context.person.org_id))
    if product is None or product.org_id != member.org_id:
        await refuse_button(update)
        return PRODUCT
    try:  # what no amount can change, said before anything is typed
        rules.check_member(
            product.rules,
            await stored.applicant(context.db, member),
            today(context.person.timezone),
        )
    except rules.LoanRefused as refused:
        await reply(update, await _refusal(context, refused))
        LoanDraft.drop(context)
        return END
    draft.product_id = product.id
    draft.save(context)
    return await AMOUNT_STEP.ask(update, context)


class _ProductChoice(Choice):
    """The products of the member's cooperative, read when asked and kept in the draft (the
    press is checked against what was offered)."""

    async def ask(self, update: Update, context: BotContext, page: int = 0) -> str:
        member = need(await _member(context))
        draft = LoanDraft.load(context)
        draft.products = [[_("{name}: up to {amount}, {months}").format(
            name=p.name, amount=format_money(p.max_amount), months=months(p.max_tenor)), str(p.id)]
            for p in await stored.products(context.db, member.org_id)]  # fmt: skip
        draft.save(context)
        return await super().ask(update, context, page)


PRODUCT_STEP = _ProductChoice(
    PRODUCT, PRODUCT_BUTTONS, lambda: _("Which loan? Tap one."),
    lambda context: [(label, value) for label, value in LoanDraft.load(context).products or []],
    _product_chosen, LoanDraft,
)  # fmt: skip


# --- amount and tenor ------------------------------------------------------------------------


def _amount_question() -> str:
    return _("How much do you want to borrow? Type the amount, for example 5 juta or 5.000.000.")


def _tenor_question() -> str:
    return _("Over how many months? Type the tenor, for example 12 bulan or 1 tahun.")


async def _amount_typed(update: Update, context: BotContext, amount: int) -> str | int:
    product = await _product(context)
    try:
        rules.check_amount(product.rules, amount)
    except rules.LoanRefused as refused:
        await reply(update, await _refusal(context, refused) + "\n" + _amount_question())
        return AMOUNT
    draft = LoanDraft.load(context)
    draft.amount = amount
    draft.save(context)
    if draft.tenor:  # asked again after a too-large installment: the tenor stands
        return await _simulate(update, context)
    return await TENOR_STEP.ask(update, context)


AMOUNT_STEP = Typed(
    AMOUNT, _amount_question, lambda text: parse_rupiah(text, reason="loan.amount", too_high="loan.amount"),
    _amount_typed, reasons={"loan.amount": lambda: _("I could not read that amount.")},
)  # fmt: skip


async def _tenor_typed(update: Update, context: BotContext, tenor: int) -> str | int:
    product = await _product(context)
    try:
        rules.check_tenor(product.rules, tenor)
    except rules.LoanRefused as refused:
        await reply(update, await _refusal(context, refused) + "\n" + _tenor_question())
        return TENOR
    draft = LoanDraft.load(context)
    draft.tenor = tenor
    draft.save(context)
    return await _simulate(update, context)


TENOR_STEP = Typed(
    TENOR, _tenor_question, rules.parse_tenor, _tenor_typed,
    reasons={"loan.tenor_text": lambda: _("I could not read that tenor.")},
)  # fmt: skip


async def _simulate(update: Update, context: BotContext) -> str | int:
    draft = LoanDraft.load(context)
    member = need(await _member(context))
    try:
        await stored.simulate(context.db, member, need(draft.product_id), need(draft.amount),
                              need(draft.tenor), today(context.person.timezone))  # fmt: skip
    except rules.LoanRefused as refused:
        text = await _refusal(context, refused)
        if refused.reason == "loan.installment" and refused.most:
            await reply(update, text + "\n" + _("Type a smaller amount."))
            return AMOUNT
        if refused.reason == "loan.installment":
            draft.tenor = None
            draft.save(context)
            await reply(update, text + "\n" + _tenor_question())
            return TENOR
        LoanDraft.drop(context)
        await reply(update, text)
        return END
    return await SIMULATION_STEP.ask(update, context)


# --- the simulation, then the purpose --------------------------------------------------------


class _Simulation(Step):
    state = SIMULATION
    button_state = True

    async def ask(self, update: Update, context: BotContext) -> str:
        draft = LoanDraft.load(context)
        product = await _product(context)
        member = need(await _member(context))
        simulation = await stored.simulate(context.db, member, product.id, need(draft.amount),
                                           need(draft.tenor), today(context.person.timezone))  # fmt: skip
        buttons = keyboard([
            [SIMULATION_BUTTONS.button(_("📄 Schedule PDF"), "pdf")],
            [SIMULATION_BUTTONS.button(_("✅ Apply"), "apply"),
             SIMULATION_BUTTONS.button(_("✏️ Change"), "change")],
        ])  # fmt: skip
        text = simulation_text(product.name, simulation, product, context.person.timezone)
        await reply(update, text, buttons)
        return self.state

    async def on_press(self, update: Update, context: BotContext) -> str | int:
        value = SIMULATION_BUTTONS.value(update)
        if value == "pdf":
            await answer_query(update)
            await _send_simulation_pdf(update, context)
            return self.state
        if value == "apply":
            await close_buttons(update, _("✅ Apply"))
            return await PURPOSE_STEP.ask(update, context)
        if value == "change":
            await close_buttons(update, _("✏️ Change"))
            LoanDraft(roster_id=LoanDraft.load(context).roster_id).save(context)  # afresh
            await reply(update, _("Let us go through it again."))
            return await PRODUCT_STEP.ask(update, context)
        await refuse_button(update)
        return self.state

    def handlers(self) -> list[BaseHandler]:
        return [SIMULATION_BUTTONS.handler(self.on_press)]


SIMULATION_STEP = _Simulation()


async def _send_simulation_pdf(update: Update, context: BotContext) -> None:
    draft = LoanDraft.load(context)
    product = await _product(context)
    member = need(await _member(context))
    simulation = await stored.simulate(context.db, member, product.id, need(draft.amount),
                                       need(draft.tenor), today(context.person.timezone))  # fmt: skip
    await send_schedule_pdf(
        update, context, simulation.rows, loan_name=_("simulation"),
        member=f"{member.full_name} ({member.member_number})", org_id=member.org_id,
        amount=simulation.amount, tenor=simulation.tenor, rate_bp=product.rate_bp,
        method=product.method, fee=simulation.fee,
    )  # fmt: skip


@writes("loan.apply")
async def _purpose_typed(update: Update, context: BotContext, purpose: str) -> int:
    draft = LoanDraft.load(context)
    try:
        loan = await context.db.write(
            stored.apply, need(draft.roster_id), context.person.id, need(draft.product_id),
            need(draft.amount), need(draft.tenor), purpose, today(context.person.timezone).isoformat(),
        )  # fmt: skip
    except rules.LoanRefused as refused:
        LoanDraft.drop(context)
        await reply(update, await _refusal(context, refused) + "\n" + _("Nothing was saved. Send /pinjam to start again."))  # fmt: skip
        return END
    LoanDraft.drop(context)
    await reply(update, _("Your application {number} is sent. Two officers of the cooperative will check it. I will tell you their decision.").format(
        number=loan.number))  # fmt: skip
    await alert_officers(context, loan)
    return END


PURPOSE_STEP = Typed(
    PURPOSE, lambda: _("What is the loan for? Type it in a few words, for example biaya sekolah anak."),
    lambda text: _purpose(text), _purpose_typed,
    reasons={"loan.purpose": lambda: _("Type 3 to 120 letters.")},
)  # fmt: skip


def _purpose(text: str) -> str:
    from domain.people import InvalidInput

    try:
        return rules.check_purpose(text)
    except rules.LoanRefused:
        raise InvalidInput("loan.purpose") from None


async def alert_officers(context: BotContext, loan: stored.Loan) -> None:
    """The cooperative's treasurers and administrators (never the applicant), through the
    outbox: a replay or a crash never asks them twice."""
    for person_id, chat_id, language in await stored.officers(
        context.db, loan.org_id, frozenset({loan.person_id})
    ):
        with use_locale(language):
            text = await card_text(context, loan, person_id)
            buttons = decide_buttons(loan.id)
        await tell(context, key=f"loan-applied:{loan.id}:{person_id}", kind="decision",
                   person_id=person_id, chat_id=chat_id, text=text, markup=buttons)  # fmt: skip


# --- refusals in words ----------------------------------------------------------------------


async def _refusal(context: BotContext, refused: rules.LoanRefused) -> str:
    reason = refused.reason
    if reason == "loan.over_max":
        return _("That is more than this loan lends. You may borrow at most {most}.").format(most=format_money(refused.most))  # fmt: skip
    if reason == "loan.too_small":
        return _("The smallest loan is {most}.").format(most=format_money(refused.most))
    if reason == "loan.tenor":
        return _("The longest tenor of this loan is {months}.").format(months=months(refused.months))  # fmt: skip
    if reason == "loan.installment" and refused.most:
        tenor = need(LoanDraft.load(context).tenor)
        return _("The installment is more than your pay allows. At most {most} for {months} with your pay.").format(
            most=format_money(refused.most), months=months(tenor))  # fmt: skip
    if reason == "loan.installment":
        return _("Even the smallest loan is too much for your pay over this tenor. Try a longer tenor.")  # fmt: skip
    if reason == "loan.membership":
        return _("This loan needs a longer membership. You may apply in {months}.").format(months=months(refused.months))  # fmt: skip
    if reason == "loan.joined_unknown":
        return _("The cooperative does not know when you joined. Ask the treasurer to record it.")
    if reason == "loan.pay_unknown":
        return _("The cooperative does not know your take-home pay, so I cannot check the installment. Ask the treasurer to record it.")  # fmt: skip
    if reason == "loan.one_at_a_time":
        return _("You already have a loan. This loan is given one at a time: pay off the first one.")  # fmt: skip
    return _("This loan is no longer offered.")


# --- the schedule of a loan paid out ---------------------------------------------------------


@for_command("pinjam")
async def on_schedule(update: Update, context: BotContext) -> None:
    """📄 of "Pinjaman saya": the member's own loan only (an officer's is in /cairkan)."""
    loan = await stored.get(context.db, record_id(SCHEDULE_BUTTONS.value(update)) or 0)
    if loan is None or loan.person_id != context.person.id or loan.status != rules.Status.DISBURSED:
        await refuse_button(update)
        return
    await answer_query(update)
    member = need(await stored.membership(context.db, context.person.id, context.person.org_id))
    await send_schedule_pdf(
        update, context, await stored.installments(context.db, loan.id), loan_name=loan.number,
        member=f"{member.full_name} ({member.member_number})", org_id=loan.org_id,
        amount=loan.amount_rupiah, tenor=loan.tenor_months, rate_bp=loan.rate_bp,
        method=loan.method, fee=loan.fee_rupiah,
    )  # fmt: skip


@writes("loan.cancel")
@for_command("pinjam")
async def on_cancel(update: Update, context: BotContext) -> None:
    """✖️ of "Pinjaman saya": the member withdraws an application not paid out yet."""
    try:
        loan = await context.db.write(
            stored.cancel, record_id(CANCEL_BUTTONS.value(update)) or 0, context.person.id
        )
    except stored.DecisionRefused:
        await refuse_button(update)
        return
    await close_buttons(update)
    await reply(update, _("Your application {number} is cancelled.").format(number=loan.number))


def conversation_handler() -> ConversationHandler:
    return conversation(
        "loans", "pinjam", entry_points=[CommandHandler("pinjam", start)],
        steps=[PRODUCT_STEP, AMOUNT_STEP, TENOR_STEP, SIMULATION_STEP, PURPOSE_STEP], cancel=cancel,
    )  # fmt: skip
