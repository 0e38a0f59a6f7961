"""Offers of produce: the numbers people quote on the phone, and who may move an offer from
one status to the next.

Offer numbers
-------------
``TW-`` and at least four characters from an alphabet without the look-alikes 0/O, 1/I/L:
``23456789ABCDEFGHJKMNPQRSTUVWXYZ`` (31 characters). The number is the database id, encoded
(:func:`offer_number`) and decoded back (:func:`offer_id`); nothing is stored for it.

- The id is written in base 31 in at least three characters (ids below 29.791 take three,
  then the number grows by one character at a time), after a fixed shuffle of the ids of
  that width (``id × 917 + 211 mod 31^width``) so that consecutive offers do not differ in
  one character only (``TW-22B7`` and ``TW-22C7`` are easy to mix up on the phone).
- A last check character follows (weighted sum mod 31; 31 is prime, so a single wrong
  character and two neighbouring characters swapped are always caught): a misheard number
  names no offer rather than someone else's.
- Reading back forgives case, spaces, dashes and a missing ``TW``: ``tw 7k3p``, ``7K3P``.

Statuses
--------
``open`` → ``taken`` → ``scheduled`` → ``picked_up`` → ``paid``; ``open`` → ``cancelled``
or ``expired``. Only a coordinator takes an offer; an administrator of the offer's
cooperative assigns one to a coordinator. Nobody deals with himself: the offer's farmer is
never its taker, weigher, payer or checker. A weighing far above the offer is held until a
second person (an administrator or another coordinator of the cooperative) confirms it; a
disputed receipt is not paid until an administrator settles the dispute. :func:`next_status` says what an action does to an offer and raises
:class:`OfferActionRefused` when the status or the person does not allow it. Storage applies
the change with one conditional update (``… WHERE id = ? AND status IN (from)``, see
:data:`ACTIONS`), so two coordinators pressing *Take* at once: exactly one row changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain import N_
from domain.people import Role

PREFIX = "TW"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_BASE = len(ALPHABET)  # 31, a prime
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
MIN_WIDTH = 3  # payload characters; with the check character, at least four
_MULTIPLIER, _OFFSET = 917, 211  # the shuffle; 917 is coprime with 31, so it is a bijection


def _width(offer_id: int) -> int:
    width = MIN_WIDTH
    while offer_id >= _BASE**width:
        width += 1
    return width


def _check(values: list[int]) -> int:
    return sum((i + 1) * v for i, v in enumerate(values)) % _BASE


def offer_number(offer_id: int) -> str:
    """The number people quote for offer ``offer_id`` (a positive database id):
    ``offer_number(42)`` → ``TW-`` and four characters."""
    if isinstance(offer_id, bool) or not isinstance(offer_id, int) or offer_id < 1:
        raise ValueError(f"offer ids are positive integers, not {offer_id!r}")
    width = _width(offer_id)
    shuffled = (offer_id * _MULTIPLIER + _OFFSET) % _BASE**width
    values = []
    for _ in range(width):
        shuffled, digit = divmod(shuffled, _BASE)
        values.append(digit)
    values.reverse()
    values.append(_check(values))
    return f"{PREFIX}-" + "".join(ALPHABET[v] for v in values)


def offer_id(text: str) -> int | None:
    """The offer id a typed or spoken number names, or None when it names none (a wrong
    character, a check that does not match, a number not in its shortest form)."""
    text = (text or "").upper().strip()
    compact = "".join(ch for ch in text if ch not in " -_.#")
    if text.startswith(PREFIX) and text[len(PREFIX) : len(PREFIX) + 1] in (" ", "-", "_", "."):
        return _decode(compact[len(PREFIX) :])
    if compact.startswith(PREFIX):  # "TW7K3P"; or a number that itself begins with T, W
        found = _decode(compact[len(PREFIX) :])
        if found is not None:
            return found
    return _decode(compact)


def _decode(compact: str) -> int | None:
    if len(compact) < MIN_WIDTH + 1 or any(ch not in _VALUE for ch in compact):
        return None
    values = [_VALUE[ch] for ch in compact]
    payload, check = values[:-1], values[-1]
    if _check(payload) != check:
        return None
    width, shuffled = len(payload), 0
    for v in payload:
        shuffled = shuffled * _BASE + v
    modulus = _BASE**width
    found = ((shuffled - _OFFSET) * pow(_MULTIPLIER, -1, modulus)) % modulus
    if found < 1 or _width(found) != width:
        return None
    return found


# --- the guarantee ----------------------------------------------------------------------

# How long the locked price holds when the price itself has no earlier end.
GUARANTEE_SECONDS = 7 * 24 * 3600


def guaranteed_until(price_valid_until: int | None, now: int) -> int:
    """Until when an offer confirmed at ``now`` keeps its price: a week, or the price's own
    end if that comes first."""
    week = now + GUARANTEE_SECONDS
    return min(price_valid_until or week, week)


# --- statuses -------------------------------------------------------------------------


class Status(StrEnum):
    OPEN = "open"
    TAKEN = "taken"
    SCHEDULED = "scheduled"
    PICKED_UP = "picked_up"
    PAID = "paid"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


STATUS_LABELS = {
    Status.OPEN: N_("waiting for a coordinator"),
    Status.TAKEN: N_("taken by a coordinator"),
    Status.SCHEDULED: N_("pickup scheduled"),
    Status.PICKED_UP: N_("picked up, not paid yet"),
    Status.PAID: N_("paid"),
    Status.CANCELLED: N_("cancelled"),
    Status.EXPIRED: N_("expired, nobody took it"),
}

# An offer in one of these never changes again.
FINAL = frozenset({Status.PAID, Status.CANCELLED, Status.EXPIRED})


class Action(StrEnum):
    TAKE = "take"
    CANCEL = "cancel"
    EXPIRE = "expire"
    SCHEDULE = "schedule"
    RESCHEDULE = "reschedule"
    CONFIRM = "confirm"  # picked up: weight and grade recorded
    PAY = "pay"
    ASSIGN = "assign"  # an administrator gives an open offer to a coordinator
    CHECK_WEIGHT = "check_weight"  # a second person confirms a weighing far above the offer
    SETTLE = "settle"  # an administrator settles a disputed receipt: it stands
    REWEIGH = "reweigh"  # an administrator settles a disputed receipt: weigh it again
    REQUEST_CHANGE = "request_change"  # the farmer asks for another pickup day


# Who may act: the farmer who made the offer (or the coordinator who entered it for a
# farmer without Telegram), the coordinator who took it, a coordinator covering the
# offer's village, a treasurer or an administrator of the offer's cooperative, another
# coordinator of it (a colleague of the taker), or the bot itself (expiry).
OWNER, TAKER, COVERING, TREASURER, SYSTEM = "owner", "taker", "covering", "treasurer", "system"
ADMINISTRATOR, COLLEAGUE = "administrator", "colleague"

# What the offer's own farmer may never do to it, whatever other role he holds.
DEALINGS = frozenset({
    "take", "assign", "schedule", "reschedule", "confirm", "pay", "check_weight", "settle", "reweigh",
})  # fmt: skip


@dataclass(frozen=True)
class Rule:
    allowed_from: frozenset[Status]
    to: Status
    who: frozenset[str]


ACTIONS: dict[Action, Rule] = {
    Action.TAKE: Rule(frozenset({Status.OPEN}), Status.TAKEN, frozenset({COVERING})),
    Action.CANCEL: Rule(frozenset({Status.OPEN}), Status.CANCELLED, frozenset({OWNER})),
    Action.EXPIRE: Rule(frozenset({Status.OPEN}), Status.EXPIRED, frozenset({SYSTEM})),
    Action.SCHEDULE: Rule(frozenset({Status.TAKEN}), Status.SCHEDULED, frozenset({TAKER})),
    Action.RESCHEDULE: Rule(frozenset({Status.SCHEDULED}), Status.SCHEDULED, frozenset({TAKER})),
    Action.CONFIRM: Rule(frozenset({Status.SCHEDULED}), Status.PICKED_UP, frozenset({TAKER})),
    Action.PAY: Rule(frozenset({Status.PICKED_UP}), Status.PAID, frozenset({TAKER, TREASURER})),
    Action.ASSIGN: Rule(frozenset({Status.OPEN}), Status.TAKEN, frozenset({ADMINISTRATOR})),
    Action.CHECK_WEIGHT: Rule(
        frozenset({Status.SCHEDULED}), Status.PICKED_UP, frozenset({ADMINISTRATOR, COLLEAGUE})
    ),
    Action.SETTLE: Rule(
        frozenset({Status.PICKED_UP}), Status.PICKED_UP, frozenset({ADMINISTRATOR})
    ),
    Action.REWEIGH: Rule(
        frozenset({Status.PICKED_UP}), Status.SCHEDULED, frozenset({ADMINISTRATOR})
    ),
    Action.REQUEST_CHANGE: Rule(
        frozenset({Status.SCHEDULED}), Status.SCHEDULED, frozenset({OWNER})
    ),
}


@dataclass(frozen=True)
class OfferFacts:
    """What the rules need to know about an offer."""

    status: Status
    farmer_id: int
    taker_id: int | None = None
    entered_by: int | None = None  # the coordinator who entered it for a farmer without Telegram
    held: bool = False  # weighed far above the offer, waiting for a second person
    disputed: bool = False  # the farmer said the receipt is not right, not settled yet


@dataclass(frozen=True)
class Actor:
    """Who presses the button. ``covers_village``: storage found that this coordinator's
    coverage includes the offer's village; ``same_cooperative``: the person belongs to the
    offer's cooperative (or to the root, which oversees every one). ``None`` as person: the
    bot itself (expiry)."""

    person_id: int | None
    roles: frozenset[Role] = frozenset()
    covers_village: bool = False
    same_cooperative: bool = False


SYSTEM_ACTOR = Actor(None)


def capacities(offer: OfferFacts, actor: Actor) -> frozenset[str]:
    """In which capacities ``actor`` stands to ``offer``."""
    if actor.person_id is None:
        return frozenset({SYSTEM})
    found = set()
    if actor.person_id == offer.farmer_id or (
        offer.entered_by is not None and actor.person_id == offer.entered_by
    ):
        found.add(OWNER)
    if (
        offer.taker_id is not None
        and actor.person_id == offer.taker_id
        and Role.COORDINATOR in actor.roles
    ):
        found.add(TAKER)
    if actor.covers_village and Role.COORDINATOR in actor.roles:
        found.add(COVERING)
    if actor.same_cooperative and Role.TREASURER in actor.roles:
        found.add(TREASURER)
    if actor.same_cooperative and Role.ADMIN in actor.roles:
        found.add(ADMINISTRATOR)
    if (
        actor.same_cooperative
        and Role.COORDINATOR in actor.roles
        and actor.person_id != offer.taker_id
    ):
        found.add(COLLEAGUE)
    return frozenset(found)


class OfferActionRefused(Exception):
    """An action the offer's status or the person does not allow. ``reason`` is a key of
    :data:`REASONS`; ``status`` the offer's status when it was refused."""

    def __init__(self, reason: str, action: Action, status: Status) -> None:
        super().__init__(f"{reason}: {action.value} on a {status.value} offer")
        self.reason = reason
        self.action = action
        self.status = status


# Texts for the reasons; {number} is the offer number, {status} the label of its status.
REASONS = {
    "offer.not_allowed": N_("You cannot do this with offer {number}."),
    "offer.already_taken": N_("Another coordinator has already taken offer {number}."),
    "offer.status": N_("That is no longer possible. Offer {number}: {status}."),
    "offer.own": N_("Offer {number} is your own. Another person of the cooperative handles it."),
    "offer.disputed": N_("The farmer disputes receipt {number}. An administrator settles it before it is paid."),
    "offer.held": N_("The weighing of {number} waits for a second person to confirm it."),
}  # fmt: skip


def allowed(offer: OfferFacts, action: Action, actor: Actor) -> bool:
    try:
        next_status(offer, action, actor)
    except OfferActionRefused:
        return False
    return True


def next_status(offer: OfferFacts, action: Action, actor: Actor) -> Status:
    """The status ``action`` by ``actor`` moves ``offer`` to, or OfferActionRefused.

    The person is checked first, so someone who may never act on the offer learns nothing
    about its status; a coordinator who may take it but was a moment too late is told it
    was taken."""
    rule = ACTIONS[action]
    who = capacities(offer, actor)
    if not who & rule.who:
        raise OfferActionRefused("offer.not_allowed", action, offer.status)
    if action.value in DEALINGS and actor.person_id == offer.farmer_id:
        raise OfferActionRefused("offer.own", action, offer.status)
    if offer.status not in rule.allowed_from:
        late_take = action in (Action.TAKE, Action.ASSIGN) and offer.status not in FINAL
        raise OfferActionRefused(
            "offer.already_taken" if late_take else "offer.status", action, offer.status
        )
    if action is Action.CHECK_WEIGHT and not offer.held:
        raise OfferActionRefused("offer.status", action, offer.status)
    if action in (Action.CONFIRM, Action.RESCHEDULE) and offer.held:
        raise OfferActionRefused("offer.held", action, offer.status)
    if action is Action.PAY and offer.disputed:
        raise OfferActionRefused("offer.disputed", action, offer.status)
    if action in (Action.SETTLE, Action.REWEIGH) and not offer.disputed:
        raise OfferActionRefused("offer.status", action, offer.status)
    return rule.to


def may_receive(offer: OfferFacts, person_id: int) -> bool:
    """Whether ``person_id`` may be given the offer (alerted about it, assigned it): never
    its own farmer."""
    return person_id != offer.farmer_id
