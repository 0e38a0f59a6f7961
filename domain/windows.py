"""Buying windows: buying led by demand (issue 17).

A window says the cooperative needs ``target`` (base units) of one produce, of one grade or
any, from one area (a Kemendagri code prefix), at a price per base unit, until a deadline.
Farmers see it where they already look (/harga, the morning prices, /jual); the offers they
confirm while it is open fill it; it closes as *filled* at the target, *closed short* at the
deadline, or *cancelled* by the cooperative.

Choices, said once here:

- An offer counts toward the oldest open window it matches (commodity, grade or any, the
  farmer's village under the area, the same cooperative) when the farmer confirms it before
  the deadline; it counts toward one window only, and whole, even past the target (the
  farmer is not asked to split a harvest).
- What an offer brings is what was offered; once weighed, the weight found at the scale
  replaces it. A withdrawn or expired offer stops counting. A window already closed stays
  closed whatever a later weighing finds (its farmers were told).
- The price is the one the cooperative announces with the window: an offer that counts
  toward it locks the higher of it and the buying price in force (:func:`offer_price`), so
  a window never pays a farmer less than the board does. The summary shows that price
  before the farmer confirms; the guarantee's length is the buying price's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain import N_
from domain.people import InvalidInput
from domain.produce import Commodity, Unit
from domain.quantity import Quantity, parse_quantity
from domain.regions import within

ANY_GRADE = ""


class State(StrEnum):
    OPEN = "open"
    FILLED = "filled"
    CLOSED_SHORT = "closed_short"
    CANCELLED = "cancelled"


CLOSED = (State.FILLED, State.CLOSED_SHORT, State.CANCELLED)

# How a window's state reads (the dashboard's column).
STATE_LABELS = {
    State.OPEN: N_("open"),
    State.FILLED: N_("filled"),
    State.CLOSED_SHORT: N_("closed short"),
    State.CANCELLED: N_("cancelled"),
}

# Statuses of an offer that no longer brings anything to a window.
OFFER_GONE = frozenset({"cancelled", "expired"})
# Statuses of an offer whose weight at the scale is known.
OFFER_WEIGHED = frozenset({"picked_up", "paid"})

# A window holds at most this many offers' worth (the commodity's most per offer): far
# above a truck, low enough that a phone number typed as a target is refused.
MAX_OFFERS_IN_WINDOW = 1000
# The furthest deadline: a window is for a harvest, not a year.
MAX_DAYS = 120

REASONS = {
    "window.target": N_("I could not read that amount. Type the amount and unit, for example {example}."),
    "window.target_too_big": N_("That is more than one buying window can hold. Type a smaller amount."),
    "window.deadline": N_("I could not read that date. Type it as 2026-12-20."),
    "window.deadline_past": N_("That day has passed. Type a day from today on."),
    "window.deadline_far": N_("That day is too far. A buying window lasts at most 120 days."),
    "window.grade": N_("That grade does not exist for this produce. Pick one of its grades."),
    "window.area": N_("Your cooperative does not buy in that area. Type a code of your area, for example 33.10."),
    "window.closed": N_("This buying window is closed already."),
}  # fmt: skip


@dataclass(frozen=True)
class Window:
    """What the rules need of a window (storage.windows.BuyingWindow carries the rest)."""

    org_id: int
    commodity: str
    grade: str  # ANY_GRADE: any
    area_prefix: str
    target: Decimal
    deadline: int
    state: State
    created_at: int
    price_rupiah: int = 0  # per base unit, what the cooperative offers while it is open


def window_number(window_id: int) -> str:
    """How people quote a window: ``#12``."""
    return f"#{window_id}"


def counts(
    window: Window, *, org_id: int, commodity: str, grade: str, village_code: str, at: int
) -> bool:
    """Whether an offer confirmed at ``at`` counts toward ``window``."""
    return (
        window.state == State.OPEN
        and window.created_at <= at < window.deadline
        and window.org_id == org_id
        and window.commodity == commodity
        and window.grade in (ANY_GRADE, grade)
        and within(village_code, window.area_prefix)
    )


def offer_price(buying_price: int, window: Window | None, grade: str) -> int:
    """The price per base unit an offer of ``grade`` locks: the window's where it counts
    toward one that offers more (of that grade, or of any), else the buying price."""
    if window is None or window.grade not in (ANY_GRADE, grade):
        return buying_price
    return max(buying_price, window.price_rupiah)


def brings(status: str, offered: Decimal, weighed: Decimal | None) -> Decimal:
    """What one counted offer brings now: nothing once withdrawn or expired, the weight at
    the scale once weighed, else what was offered."""
    if status in OFFER_GONE:
        return Decimal(0)
    if status in OFFER_WEIGHED and weighed is not None:
        return weighed
    return offered


def closing_state(window: Window, collected: Decimal, now: int) -> State | None:
    """The state an open window moves to now, or None while it stays open: filled at the
    target (first, even at the deadline), closed short once the deadline passed."""
    if window.state != State.OPEN:
        return None
    if collected >= window.target:
        return State.FILLED
    if now >= window.deadline:
        return State.CLOSED_SHORT
    return None


def still_needed(window: Window, collected: Decimal) -> Decimal:
    return max(window.target - collected, Decimal(0))


# --- what an administrator types --------------------------------------------------------------


def parse_target(text: str, commodity: Commodity) -> Quantity:
    """A target as people write it ("5 ton", "50 kuintal", "5000"); InvalidInput with a key
    of :data:`REASONS` otherwise. Its ceiling is :data:`MAX_OFFERS_IN_WINDOW` offers."""
    roomy = replace(commodity, max_per_offer=commodity.max_per_offer * MAX_OFFERS_IN_WINDOW)
    try:
        return parse_quantity(text, roomy)
    except InvalidInput as refused:
        reason = (
            "window.target_too_big" if refused.reason == "quantity.too_big" else "window.target"
        )
        raise InvalidInput(reason) from None


def check_grade(commodity: Commodity, grade: str) -> str:
    if grade != ANY_GRADE and commodity.grade(grade) is None:
        raise InvalidInput("window.grade")
    return grade


def deadline_of(day: date, timezone: str) -> int:
    """A deadline "until Saturday 20 December": the end of that day where the cooperative
    is, as unix seconds UTC."""
    end = datetime.combine(day + timedelta(days=1), time(0, 0), ZoneInfo(timezone))
    return int(end.astimezone(UTC).timestamp())


def last_day(deadline: int, timezone: str) -> date:
    """The day a deadline is said as (the last day the window is open, locally)."""
    return (datetime.fromtimestamp(deadline - 1, UTC).astimezone(ZoneInfo(timezone))).date()


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("window.deadline") from None


def check_deadline(day: date, today: date) -> date:
    if day < today:
        raise InvalidInput("window.deadline_past")
    if day > today + timedelta(days=MAX_DAYS):
        raise InvalidInput("window.deadline_far")
    return day


def display_unit(target: Decimal, commodity: Commodity) -> Unit:
    """The unit a target reads best in: the largest of the commodity's units it holds at
    least one of (5.000 kg → ton, 800 kg → kuintal)."""
    fitting = [u for u in commodity.units if u.factor <= target and u.factor >= 1]
    return max(fitting, key=lambda u: u.factor) if fitting else commodity.units[0]


def in_unit(value: Decimal, unit: Unit) -> Decimal:
    """``value`` (base units) said in ``unit``, to at most three decimals (3.200 kg → 3,2 ton)."""
    said = (value / unit.factor).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    return said.normalize() if said != said.to_integral_value() else said.to_integral_value()
