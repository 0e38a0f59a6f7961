"""Telegram's answers nobody reads are not turned into ``Message`` objects (``bot.unparsed``):
the replies of the kit and the buttons it closes (the offer alerts now leave through the
outbox, which still parses its answers). PTB's parsing of those answers was about a third of the CPU of a
``/jual`` update (issue 14 §6). The calls still reach the chat, are numbered and recorded by
the sent-call journal, and a replay answers them from the record."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton, Message, Update
from telegram.ext import ApplicationHandlerStop, CommandHandler

from bot import unparsed
from bot.wiring import build_application
from handlers import kit
from storage import offers, people
from tests.handlers.test_offer import _coordinator, _farmer_offers, market  # noqa: F401
from tests.harness import UNLIMITED
from tests.pipeline.test_sent_calls import TwiceWorld


@pytest.fixture
def answers_parsed(monkeypatch):
    """Messages PTB builds from Telegram's answers to the bot's calls (not those inside the
    updates it receives), as (chat id, message id)."""
    built: list[tuple[int, int]] = []
    incoming = 0
    parse_update, parse_message = Update.de_json.__func__, Message.de_json.__func__

    def update_de_json(cls, data, bot=None):
        nonlocal incoming
        incoming += 1
        try:
            return parse_update(cls, data, bot)
        finally:
            incoming -= 1

    def message_de_json(cls, data, bot=None):
        if not incoming and data:
            built.append((data["chat"]["id"], data["message_id"]))
        return parse_message(cls, data, bot)

    monkeypatch.setattr(Update, "de_json", classmethod(update_de_json))
    monkeypatch.setattr(Message, "de_json", classmethod(message_de_json))
    return built


async def test_an_offer_parses_none_of_telegrams_answers_in_the_farmers_chat(
    world,
    market,  # noqa: F811
    answers_parsed,
):
    andi = await _coordinator(world, 811, "33.10")
    replies = await _farmer_offers(world, market)

    farmer = await people.by_telegram_id(world.db, 801)
    offer = (await offers.of_farmer(world.db, farmer.id))[0]
    assert offer.number in replies[-1]  # the flow went through, every reply reached the chat
    assert len(world.telegram.calls_of("editMessageText")) >= 3  # buttons closed as before
    alert = next(m for m in world.telegram.messages[811] if offer.number in m.text)
    assert await offers.alerts(world.db, offer.id) == [
        ((await people.by_telegram_id(world.db, 811)).id, 811, alert.message_id)
    ]  # the alert's message id, read from the raw answer
    assert andi.buttons() == ["✋ Ambil penjemputan ini", "🔎 Rincian"]
    assert [chat for chat, _ in answers_parsed if chat == 801] == []  # the farmer's chat


class KitTwiceWorld(TwiceWorld):
    """``/twice`` answered with two ``kit.reply`` (the first with a button)."""

    async def start(self) -> KitTwiceWorld:
        self.app = build_application(
            self.settings,
            request=self.telegram,
            get_updates_request=self.telegram,
            send_limits=UNLIMITED,
        )

        async def twice(update, context) -> None:
            button = InlineKeyboardButton("x", callback_data="x")
            await kit.reply(update, "Satu", kit.keyboard([[button]]))
            await kit.reply(update, "Dua")
            raise ApplicationHandlerStop

        self.app.add_handler(CommandHandler("twice", twice), group=-10)
        await self.app.initialize()
        await self.app.start()
        await self.app.update_queue.join()
        return self


async def test_an_unparsed_reply_is_journaled_and_not_sent_again_on_a_replay(tmp_path):
    world = await KitTwiceWorld(str(tmp_path / "k.sqlite3")).start()
    try:
        budi = world.person(9302)
        world.telegram.die_at("sendMessage", 2)  # "Satu" accepted, the process dies sending "Dua"
        assert await budi.send("/twice") == ["Satu"]
        await world.kill()  # a new process processes it again: "Satu" from the record
        assert budi.texts() == ["Satu", "Dua"]
        sends = world.telegram.calls_of("sendMessage")
        assert [call.params["text"] for call in sends] == ["Satu", "Dua"]  # each sent once
        assert world.telegram.messages[9302][0].reply_markup == {
            "inline_keyboard": [[{"text": "x", "callback_data": "x"}]]
        }
        assert world.app.update_processor.journal.replayed == 1  # "Satu" was journaled
    finally:
        await world.stop()


@pytest.mark.parametrize(
    "buttons",
    [
        [InlineKeyboardButton("✅ Ya", callback_data="ok:1")],
        [InlineKeyboardButton("Peta", url="https://example.org/?q=1")],
        [InlineKeyboardButton("Bayar", pay=True), InlineKeyboardButton("x", callback_data="y")],
        [InlineKeyboardButton("Cari", switch_inline_query_current_chat="cabai")],
        [InlineKeyboardButton("z", callback_data="z", api_kwargs={"style": "danger"})],
    ],
)
def test_a_keyboard_is_written_as_ptb_writes_it(buttons):
    markup = kit.keyboard([buttons, buttons[:1]])
    assert unparsed.markup_json(markup) == markup.to_dict()
