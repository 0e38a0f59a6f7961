"""Who may do what with an offer (domain.offers): nobody deals with himself, only
coordinators take, administrators assign and settle, a second person checks a weighing far
above the offer, a disputed receipt waits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.offers import (
    Action,
    Actor,
    OfferActionRefused,
    OfferFacts,
    Status,
    allowed,
    next_status,
)
from domain.people import Role
from domain.pickups import needs_second_look

FARMER, COORD, OTHER, ADMIN, TREASURER = 1, 10, 11, 30, 20
ALL = frozenset(Role)


def _facts(status, taker=None, **more):
    return OfferFacts(Status(status), FARMER, taker, **more)


def _refused(offer, action, actor):
    with pytest.raises(OfferActionRefused) as refused:
        next_status(offer, action, actor)
    return refused.value.reason


def test_a_coordinator_who_farms_never_deals_with_his_own_offer():
    himself = Actor(FARMER, ALL, covers_village=True, same_cooperative=True)
    assert _refused(_facts("open"), Action.TAKE, himself) == "offer.own"
    assert _refused(_facts("open"), Action.ASSIGN, himself) == "offer.own"
    taken = _facts("taken", FARMER)  # (an old row where he took it)
    assert _refused(taken, Action.SCHEDULE, himself) == "offer.own"
    assert _refused(_facts("scheduled", FARMER), Action.CONFIRM, himself) == "offer.own"
    assert _refused(_facts("picked_up", COORD), Action.PAY, himself) == "offer.own"
    assert (
        _refused(_facts("scheduled", COORD, held=True), Action.CHECK_WEIGHT, himself) == "offer.own"
    )
    assert (
        _refused(_facts("picked_up", COORD, disputed=True), Action.SETTLE, himself) == "offer.own"
    )
    assert next_status(_facts("open"), Action.CANCEL, himself) is Status.CANCELLED  # his own


def test_only_coordinators_take():
    admin = Actor(ADMIN, frozenset({Role.ADMIN}), covers_village=True, same_cooperative=True)
    assert _refused(_facts("open"), Action.TAKE, admin) == "offer.not_allowed"
    stranger_admin = Actor(ADMIN, frozenset({Role.ADMIN}))  # another cooperative's
    assert _refused(_facts("open"), Action.ASSIGN, stranger_admin) == "offer.not_allowed"
    assert next_status(_facts("open"), Action.ASSIGN, admin) is Status.TAKEN


def test_a_disputed_receipt_is_paid_only_after_it_is_settled():
    taker = Actor(COORD, frozenset({Role.COORDINATOR}))
    disputed = _facts("picked_up", COORD, disputed=True)
    assert _refused(disputed, Action.PAY, taker) == "offer.disputed"
    treasurer = Actor(TREASURER, frozenset({Role.TREASURER}), same_cooperative=True)
    assert not allowed(disputed, Action.PAY, treasurer)
    admin = Actor(ADMIN, frozenset({Role.ADMIN}), same_cooperative=True)
    assert next_status(disputed, Action.SETTLE, admin) is Status.PICKED_UP
    assert _refused(_facts("picked_up", COORD), Action.SETTLE, admin) == "offer.status"
    assert next_status(_facts("picked_up", COORD), Action.PAY, taker) is Status.PAID
    assert next_status(disputed, Action.REWEIGH, admin) is Status.SCHEDULED
    assert _refused(_facts("picked_up", COORD), Action.REWEIGH, admin) == "offer.status"


def test_a_held_weighing_is_checked_by_a_second_person_of_the_cooperative():
    held = _facts("scheduled", COORD, held=True)
    taker = Actor(COORD, frozenset({Role.COORDINATOR}), same_cooperative=True)
    assert _refused(held, Action.CHECK_WEIGHT, taker) == "offer.not_allowed"
    assert _refused(held, Action.CONFIRM, taker) == "offer.held"
    colleague = Actor(OTHER, frozenset({Role.COORDINATOR}), same_cooperative=True)
    assert next_status(held, Action.CHECK_WEIGHT, colleague) is Status.PICKED_UP
    outsider = Actor(OTHER, frozenset({Role.COORDINATOR}))
    assert not allowed(held, Action.CHECK_WEIGHT, outsider)
    admin = Actor(ADMIN, frozenset({Role.ADMIN}), same_cooperative=True)
    assert allowed(held, Action.CHECK_WEIGHT, admin)
    assert not allowed(_facts("scheduled", COORD), Action.CHECK_WEIGHT, admin)  # nothing held


@pytest.mark.parametrize(
    ("offered", "found", "held"),
    [("200", "2000", True), ("200", "300", False), ("200", "300.001", True), ("200", "150", False)],
)
def test_a_weight_over_150_percent_of_the_offer_needs_a_second_look(offered, found, held):
    assert needs_second_look("gabah", Decimal(offered), Decimal(found)) is held
