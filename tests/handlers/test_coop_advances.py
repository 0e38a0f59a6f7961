"""/talangan (issue 18, financing): a hub officer gives one of its village cooperatives an
advance, a second officer approves it, the ledger posts it to what the cooperative owes the
hub; past the hub's rule refused with the rule; a code outside the network, a forged or own
approval refused."""

from __future__ import annotations

from domain import ledger as L
from domain.people import Role
from storage import coop_advances, ledger, orgs
from tests.handlers.flows import YES_ID
from tests.handlers.test_network import _someone
from tests.network_seed import KLATEN, hub_with_network, villages
from tests.texts import said

NOT_ACTIVE = "This button is no longer active."


async def hub_officers(world):
    """The hub (rule: Rp20.000.000 per cooperative) with one village cooperative, its
    administrator Rina and treasurer Dedi, and the other hub's administrator."""
    ids = await hub_with_network(world.db, klaten=1, boyolali=0)
    await world.db.write(coop_advances.set_limit, ids["hub"], 20_000_000)
    rina = await _someone(world, 701, ids["hub"], [Role.ADMIN], name="Rina Hub")
    dedi = await _someone(world, 702, ids["hub"], [Role.TREASURER], name="Dedi Hub")
    other = await _someone(world, 703, ids["other-hub"], [Role.ADMIN], name="Orang Lain")
    return ids, f"kop-{villages(KLATEN, 1)[0]}", rina, dedi, other


def _refused(world) -> bool:
    return world.telegram.calls_of("answerCallbackQuery")[-1].params.get("text") == said(NOT_ACTIVE)


async def test_an_advance_to_a_village_cooperative_is_approved_by_a_second_officer(world):
    ids, code, rina, dedi, other = await hub_officers(world)
    coop = ids[code]
    assert await rina.send("/talangan") == [
        said("Type the code of the village cooperative, for example kdkmp-kujon.")
    ]
    (answer,) = await rina.send("kop-other")  # another hub's cooperative
    assert answer.startswith(said("Your network has no cooperative with the code {code}. Send /koperasi to see them.", code="kop-other"))  # fmt: skip
    await rina.send(code)
    (answer,) = await rina.send("25 juta")
    assert answer.startswith(said(
        "That is more than the hub's rule: a cooperative owes the hub at most {rule} at once. This one may receive at most {most} more.",
        rule="Rp20.000.000", most="Rp20.000.000"))  # fmt: skip
    await rina.send("15.000.000")
    (summary,) = await rina.send("modal pupuk musim tanam")
    assert "Rp15.000.000" in summary and "modal pupuk musim tanam" in summary
    (waiting,) = await rina.press(YES_ID)
    assert waiting.startswith(said("Advance {number} is waiting for a second officer. I will tell you when it is decided.", number="TK-0001"))  # fmt: skip
    await world.outbox_sent()
    alert = world.telegram.messages[702][-1]
    name = (await orgs.by_id(world.db, coop)).name
    assert alert.text == said(
        "Advance {number} from {maker}: {amount} for {cooperative} ({purpose}). Approve it?",
        number="TK-0001", maker="Rina Hub", amount="Rp15.000.000", cooperative=name,
        purpose="modal pupuk musim tanam",
    )  # fmt: skip
    # forged: the other hub's administrator, and the maker herself
    await other.press_data(alert, "tkd:ok1")
    assert _refused(world)
    await rina.press_data(alert, "tkd:ok1")
    assert _refused(world)
    assert await ledger.balance(world.db, L.coop_receivable(coop)) == 0
    approved = (await dedi.press(said("✅ Approve")))[-1]
    assert approved == said(
        "Advance {number} is {status}.", number="TK-0001", status=said("approved")
    )
    assert await ledger.balance(world.db, L.coop_receivable(coop)) == 15_000_000
    assert await ledger.balance(world.db, L.bank(ids["hub"])) == -15_000_000
    await dedi.press_data(alert, "tkd:ok1")  # a double tap
    assert _refused(world)
    await world.outbox_sent()
    assert rina.texts()[-1] == said(
        "Advance {number} is approved by {name}.", number="TK-0001", name="Dedi Hub"
    )
    # what it owes counts: Rp5.000.000 more at most
    await rina.send("/talangan")
    await rina.send(code)
    (answer,) = await rina.send("6.000.000")
    assert "Rp5.000.000" in answer


async def test_only_hub_officers_give_advances(world):
    ids, code, _rina, _dedi, _other = await hub_officers(world)
    ketua = await _someone(world, 704, ids[code], [Role.CHAIR], name="Ketua Desa")
    assert await ketua.send("/talangan") == [said("Sorry, this command is not available to you.")]
