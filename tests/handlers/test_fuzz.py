"""Fuzz test: a handful of random people send random updates to the real bot.

Hypothesis draws people (registered farmers, members, administrators, people half-way
through a registration, an invite or a village change, strangers) and a list of updates
from them: texts (any unicode, superscript and Arabic-Indic digits, 4096 characters,
injection strings), commands with random arguments, presses of buttons the bot really sent,
forged button data, shared contacts (own, someone else's, unreadable), messages in a group,
edited messages, stickers, photos, locations, channel posts, blocking and unblocking.
Every update goes through ``World.deliver`` (the real PTB Application over a fake Bot API
that refuses what Telegram refuses), and after each one:

* nothing was logged at ERROR (``koperasi.errors``, ``telegram.ext``, anywhere), and no
  "something went wrong" reached anyone;
* a private message or button press got an answer (a message, an edit, or for a button
  the answer to the press); a button press is always answered;
* the bot wrote only to the chat the update came from; in a group only the pointer to the
  private chat, and only for a command addressed to this bot;
* a person who speaks Indonesian got no English;
* no bot text holds a raw placeholder (``{name}``, ``{``, ``%(``, ``%s``) the person did
  not type themselves;
* a press is answered once, and every phone number stored is E.164 in ASCII digits.

CI runs 200 examples (about 15 s); ``pytest --fuzz-long`` runs 3000 (a few minutes).
Each example uses fresh Telegram ids and phone numbers, so one World serves them all.
A failure prints the scenario (Hypothesis shrinks it) and the updates and replies before it.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import logging
import re
import time
import unicodedata
from dataclasses import dataclass

import pytest
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase
from telegram import Update

from bot.i18n import DOMAIN, LOCALES_DIR, gettext, use_locale
from domain.people import LANGUAGE_LABELS, LANGUAGES, Role
from handlers.kit import Buttons
from handlers.menus import PICKED_LANGUAGE
from storage import inbox, invites, people, roster
from tests.handlers.flows import (
    FARMER_EN,
    FARMER_ID,
    MEMBER_EN,
    MEMBER_ID,
    YES_EN,
    YES_ID,
    register_farmer,
)
from tests.harness import BOT_USER, BOT_USERNAME, Call, FakeTelegram, Sent, Someone, World

CI_EXAMPLES = 200
LONG_EXAMPLES = 3000

# --- a fake Telegram that refuses what Telegram refuses ---------------------------------------


class StrictTelegram(FakeTelegram):
    """``FakeTelegram`` plus Telegram's 400s: an edit of a message that is gone or would not
    change, an empty or too long text, a press answered twice or with a too long text,
    button data over 64 bytes. The bot must expect these (or never cause them)."""

    def __init__(self) -> None:
        super().__init__()
        self.answered: set[str] = set()
        # Seconds per request: a little while several updates are handled at once.
        self.latency = 0.0

    async def do_request(self, url: str, method: str, request_data=None, **kwargs):
        await asyncio.sleep(self.latency)  # a real request lets other updates run meanwhile
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        refusal = self._refusal(api_method, params)
        if refusal:
            self.calls.append(Call(api_method, {**params, "refused": refusal}))
            body = {"ok": False, "error_code": 400, "description": f"Bad Request: {refusal}"}
            return 400, json.dumps(body).encode()
        return await super().do_request(url, method, request_data, **kwargs)

    def _message(self, params: dict) -> Sent | None:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        return next((m for m in self.messages.get(chat_id, []) if m.message_id == message_id), None)

    def _refusal(self, method: str, params: dict) -> str | None:
        if method in ("sendMessage", "editMessageText"):
            text = params.get("text") or ""
            if not text.strip():
                return "message text is empty"
            if len(text) > 4096:
                return "message is too long"
        markup = params.get("reply_markup")
        if isinstance(markup, dict):
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if not button.get("text"):
                        return "text buttons are unallowed in the inline keyboard"
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(data.encode()) <= 64:
                        return "BUTTON_DATA_INVALID"
        if method in ("editMessageText", "editMessageReplyMarkup"):
            sent = self._message(params)
            if sent is None:
                return "message to edit not found"
            same_text = method == "editMessageReplyMarkup" or params.get("text") == sent.text
            if same_text and (params.get("reply_markup") or None) == (sent.reply_markup or None):
                return "message is not modified: specified new message content and reply markup are exactly the same"
        if method == "answerCallbackQuery":
            if len(params.get("text") or "") > 200:
                return "MESSAGE_TOO_LONG"
            query_id = str(params["callback_query_id"])
            if query_id in self.answered:
                return "query is too old and response timeout expired or query ID is invalid"
            self.answered.add(query_id)
        return None


# --- what is checked --------------------------------------------------------------------------


class ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def describe(self) -> str:
        lines = []
        for record in self.records:
            lines.append(f"{record.name}: {record.getMessage()}")
            if record.exc_info:
                trace = logging.Formatter().formatException(record.exc_info)
                lines.append("".join(trace.splitlines(True)[-12:]))
        return "\n".join(lines)


def _msgstrs(language: str) -> list[tuple[str, str]]:
    with open(LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as po:
        catalog = read_po(po, locale=language)
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(msgid, msgstr) for msgid, msgstr in zip(ids, strings, strict=False)]
    return pairs


def _opening(line: str) -> str:
    """The first two words of a line, cut before the first placeholder."""
    words = []
    for word in line.split()[:2]:
        if "{" in word:
            break
        words.append(word)
    return " ".join(words)


def _english_openings() -> set[str]:
    """How English texts begin (each line of each msgid whose Indonesian is different),
    minus every way an Indonesian text begins."""
    english, indonesian = set(), set()
    for msgid, msgstr in _msgstrs("id"):
        indonesian |= {_opening(line) for line in msgstr.splitlines()}
        if msgstr and msgstr != msgid:
            english |= {_opening(line) for line in msgid.splitlines()}
    return {opening for opening in english - indonesian if len(opening) >= 4}


ENGLISH_OPENINGS = _english_openings()
# A few words no Indonesian text starts with, whatever the catalogs say.
ENGLISH_WORDS = re.compile(
    r"^(Please|Sorry|Type the|Tap|Thank you|Welcome|Choose|Cancelled|Here is|You are|I could not)\b"
)
PLACEHOLDER = re.compile(r"[{}]|%\(|%[sdr]\b")
E164 = re.compile(r"\+[0-9]{8,15}", re.ASCII)
# What the bot shows a person (the transcript of a failure lists these).
SHOWN = ("sendMessage", "editMessageText", "answerCallbackQuery", "editMessageReplyMarkup")
HELP_LINE = re.compile(r"^/\w+ — ")
BOT_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,})?")


WENT_WRONG = "Sorry, something went wrong on our side. Please try again in a moment."


def _went_wrong() -> set[str]:
    texts = set()
    for language in LANGUAGES:
        with use_locale(language):
            texts.add(gettext(WENT_WRONG))
    return texts | {"Maaf, ada gangguan"}


# --- scenarios ------------------------------------------------------------------------------------

REGISTRATION_STEPS = 10  # /start … ✅ Yes, save (see Player._set_up)


@dataclass(frozen=True)
class Setup:
    """Who a person is before the random updates start."""

    kind: str  # farmer (progress steps of registration done), member, admin, invitee, stranger
    progress: int
    language: str  # the label picked: "Bahasa Indonesia" or "English"
    client_language: str | None  # Telegram's language_code of their app
    first_name: str
    name: str
    village_steps: int  # a registered farmer: steps into /settings → Village
    phone_style: str = "plain"  # how their own number comes in the shared contact (see _styled)


@dataclass(frozen=True)
class Act:
    kind: str
    who: int
    value: object = None
    extra: object = None


@dataclass(frozen=True)
class Scenario:
    people: tuple[Setup, ...]
    acts: tuple[Act, ...]
    invite_role: Role


SPECIAL_TEXTS = [
    "'; DROP TABLE people;--", "Robert'); DROP TABLE people;--", "' OR 1=1 --", "{name}", "{", "}",
    "{0}", "{name!r}", "{phone}", "%s", "%(name)s", "%d", "%", "\\", "\u200b", "\u202e", "\ufeff",
    "\x00", "Budi\nSantoso", "<b>tebal</b>", "*tebal*", "`x`", "[a](tg://user?id=1)", "²", "٣", "Budi²",
    "٣٣", "١٢٣", "0812٣٤٥٦٧٨٩٠", "08123456789", "+62 812-3456-7890", "Jawa Tengah", "jawa tenga",
    "JAWA TENGAH", "Klaten", "Ceper", "Kujon", "Kota Jayapura", "Papua", "Bali", "ya", "yes", "tidak",
    "none", "None of these", "Tidak ada yang cocok", "Bahasa Indonesia", "English", "🌾 Saya petani",
    "✅ Ya, simpan", "✅ Yes, save", "Budi Santoso", "Sri", "/", "//start", "/ start", "🌾", "👍🏽",
    "ﷺ", "𝕭𝖚𝖉𝖎", "Ⅻ", "x" * 61, "a" * 4096, "²" * 4096, "٣" * 4096, "🌾" * 2048, "{" * 4096,
    "%s" * 2048, ("Jawa Tengah\n" * 400)[:4096], "Please\nSorry", "Tap",
]  # fmt: skip


def _clean(text: str) -> str:
    # Telegram trims a message and sends none that is empty.
    text = text.strip()
    return text if text else "."


TEXTS = st.one_of(
    st.text(min_size=1, max_size=60),
    st.sampled_from(SPECIAL_TEXTS),
    st.text(alphabet=st.sampled_from("²³¹٣٤٠۳0123456789 +-()."), min_size=1, max_size=20),
    st.tuples(st.sampled_from(["a", "²", "٣", "🌾", "{", " x"]), st.integers(1, 4096)).map(lambda t: (t[0] * t[1])[:4096]),
).map(_clean)  # fmt: skip

COMMAND_NAMES = ["start", "start", "cancel", "help", "settings", "language", "invite", "foo", "START",
                 f"start@{BOT_USERNAME}", f"help@{BOT_USERNAME}", "start@other_bot", "settings@other_bot"]  # fmt: skip
SPECIAL_ARGS = [
    "<invite>", "<invite>", "koordinator", "bendahara", "admin", "ADMIN", "ABCDEFGH12345678",
    "x" * 64, "x" * 65, "²²²²²²²²", "٣٣٣٣٣٣٣٣", "{name}", "%s", "' OR 1=1 --", "a b c",
]  # fmt: skip
ARGS = st.one_of(st.just(""), st.sampled_from(SPECIAL_ARGS), st.text(max_size=30))
COMMANDS = st.builds(lambda name, args: _clean(f"/{name} {args}"), st.sampled_from(COMMAND_NAMES), ARGS)  # fmt: skip

SPECIAL_VALUES = [
    "²", "٣", "99999999999999999999999", "maybe", "none", "p1", "p0", "p-1", "p99999999999",
    "yes", "no", "id", "en", "xx", "wib", "wita", "wit", "lang", "tz", "area", "farmer",
    "member", "staff", "f", "33", "33.10", "33.10.01", "33.10.01.2001", "91.71", "..", ":",
    "33.10.01.2001.1", "yesno", "YES",
]  # fmt: skip
BUTTON_VALUES = st.one_of(st.sampled_from(SPECIAL_VALUES), st.text(max_size=20))
PREFIXES = st.sampled_from(sorted(Buttons.registry))
FORGED_DATA = st.one_of(
    st.builds(lambda prefix, value: f"{prefix}:{value}", PREFIXES, BUTTON_VALUES),
    st.text(min_size=1, max_size=64),
    st.sampled_from(["ok", "pl", "ok:", "pl:", ":yes", "ok:yes:yes", "set:area ", "x" * 64]),
).filter(lambda data: 1 <= len(data.encode()) <= 64)

ODD_PHONES = [
    "abc", "+", "²²²²²²²²²²", "٠٨١٢٣٤٥٦٧٨٩٠", "0812-3456-7890", "+1 555 0100",
    "62812345678901234567", "0", "+62 812 ٣٤٥٦ ٧٨٩٠", "{phone}",
]  # fmt: skip
PHONES = st.one_of(
    st.sampled_from(["fresh", "fresh", "taken", "roster"]),
    st.sampled_from(ODD_PHONES),
    st.text(min_size=1, max_size=20),
)
OWNERS = st.sampled_from(["self", "self", "other", "none", "stranger"])
SETUPS = st.builds(
    Setup,
    kind=st.sampled_from(["farmer", "farmer", "farmer", "farmer", "member", "admin", "invitee", "stranger"]),
    progress=st.one_of(st.just(REGISTRATION_STEPS), st.integers(0, REGISTRATION_STEPS)),
    language=st.sampled_from(sorted(LANGUAGE_LABELS.values())),
    client_language=st.sampled_from(["id", "id", "en", None, "de", "pt-br", "in"]),
    first_name=st.sampled_from(["Siti", "Budi", "{name}", "%s", "Ṣiti", "عائشة", "Budi²"]),
    name=st.sampled_from(["Budi Santoso", "Siti Ṅurhaliza", "Budi²", "عبد الله", "O'Neil Jr.", "Ni Luh Putu"]),
    village_steps=st.integers(0, 4),
    phone_style=st.sampled_from(["plain", "plain", "plain", "local", "spaced", "arabic", "persian", "fullwidth"]),
)  # fmt: skip
GOOD_TEXTS = st.sampled_from([
    "Budi Santoso", "Jawa Tengah", "Klaten", "Ceper", "Kujon", "jawa tenga", "Papua", "Kota Jayapura", "Bali",
    "Sri Wahyuni",
])  # fmt: skip


def _private_acts(who: st.SearchStrategy[int]) -> st.SearchStrategy[Act]:
    return st.one_of(
        st.builds(Act, st.just("text"), who, st.one_of(TEXTS, GOOD_TEXTS)),
        st.builds(Act, st.just("command"), who, COMMANDS),
        st.builds(Act, st.just("press"), who, st.integers(0, 10**6)),
        st.builds(Act, st.just("contact"), who, PHONES, OWNERS),
    )


def _acts(n: int) -> st.SearchStrategy[Act]:
    who = st.integers(0, n - 1)
    # Updates from 2…n different people at once (one each: a chat's updates run in order).
    people = st.lists(_private_acts(who), min_size=2, max_size=n, unique_by=lambda act: act.who)
    burst = people.map(tuple)
    return st.one_of(
        *([st.builds(Act, st.just("burst"), st.just(0), burst)] * 2 if n > 1 else []),
        st.builds(Act, st.just("text"), who, TEXTS),
        st.builds(Act, st.just("text"), who, GOOD_TEXTS),  # answers that move a conversation on
        st.builds(Act, st.just("command"), who, COMMANDS),
        st.builds(Act, st.just("command"), who, COMMANDS),
        st.builds(Act, st.just("press"), who, st.integers(0, 10**6)),  # a button the bot sent
        st.builds(Act, st.just("press"), who, st.integers(0, 10**6)),
        st.builds(Act, st.just("forge"), who, FORGED_DATA),
        st.builds(Act, st.just("contact"), who, PHONES, OWNERS),
        st.builds(Act, st.just("group"), who, st.just("command"), COMMANDS),
        st.builds(
            Act, st.just("group"), who, st.sampled_from(["text", "edited", "photo", "press"]), TEXTS
        ),
        st.builds(
            Act,
            st.just("other"),
            who,
            st.sampled_from(["edited", "sticker", "photo", "location", "blocked", "unblocked"]),
            TEXTS,
        ),
        st.builds(Act, st.just("channel"), who, TEXTS),
    )


@st.composite
def scenarios(draw, max_acts: int = 20) -> Scenario:
    n = draw(st.integers(1, 4))  # (st.lists would mostly draw one person)
    setups = draw(st.lists(SETUPS, min_size=n, max_size=n))
    acts = draw(st.lists(_acts(len(setups)), min_size=1, max_size=max_acts))
    role = draw(st.sampled_from([Role.COORDINATOR, Role.TREASURER, Role.ADMIN]))
    return Scenario(tuple(setups), tuple(acts), role)


# --- playing a scenario ------------------------------------------------------------------------

_examples = itertools.count(1)
_batch_update_ids = itertools.count(3_000_000_000)  # far from the harness's own update ids
_phones = itertools.count(1)


def _fresh_phone() -> str:
    return f"6281{next(_phones) + 700_000_000:09d}"


DIGITS = {"arabic": "٠١٢٣٤٥٦٧٨٩", "persian": "۰۱۲۳۴۵۶۷۸۹", "fullwidth": "０１２３４５６７８９"}


def _styled(phone: str, style: str) -> str:
    """``6281…`` as a phone may send it: +62 812 …, 0812…, or in another script's digits."""
    if style == "local":
        return "0" + phone[2:]
    if style == "spaced":
        return f"+{phone[:2]} {phone[2:5]} {phone[5:9]} {phone[9:]}"
    if style in DIGITS:
        return "+" + phone.translate(str.maketrans("0123456789", DIGITS[style]))
    return phone


def _variants(typed: str) -> set[str]:
    stripped = typed.strip()
    spaced = " ".join(stripped.split())
    forms = {typed, stripped, stripped[:40], spaced, spaced[:40], spaced.title()}
    forms |= {unicodedata.normalize("NFC", form) for form in forms}
    return {form for form in forms if form}


class FuzzFailure(AssertionError):
    pass


@dataclass
class Delivery:
    """One update on its way, and what is expected of the bot's answer to it."""

    kind: str
    body: dict
    who: Someone | None
    chat_id: int
    typed: str | None
    must_answer: bool  # a private message or a press: never silence
    press: bool  # a button press: answered, once
    pointer_allowed: bool  # a command in a group: the pointer to the private chat
    silent: bool  # blocked / unblocked: nothing to say

    @property
    def label(self) -> str:
        return f"[{self.who.user_id if self.who else 'channel'}] {self.kind}: {_short(self.typed)}"

    @property
    def query_id(self) -> str | None:
        return self.body["callback_query"]["id"] if "callback_query" in self.body else None

    @property
    def press_data(self) -> str:
        return self.body["callback_query"]["data"] if "callback_query" in self.body else ""

    def owns(self, call: Call) -> bool:
        """This update's part of the calls made while several were handled at once."""
        if call.method == "answerCallbackQuery":
            return str(call.params.get("callback_query_id")) == self.query_id
        return "chat_id" in call.params and int(call.params["chat_id"]) == self.chat_id


class Player:
    """Plays scenarios on one World and checks every update."""

    def __init__(self, world: World, errors: ErrorRecords) -> None:
        self.world = world
        self.telegram = world.telegram
        self.errors = errors
        self.went_wrong = _went_wrong()
        self.registered_phones: list[str] = []
        self.examples = 0
        self.updates = 0
        self.kinds: collections.Counter[str] = collections.Counter()
        self.burst: list[Delivery] | None = None

    # -- the scenario ------------------------------------------------------------------------
    async def play(self, scenario: Scenario) -> None:
        self.examples += 1
        self.errors.records.clear()
        self.transcript: list[str] = []
        base = next(_examples) * 10 + 800_000_000
        self.group = {"id": -(10**12 + base), "type": "supergroup", "title": "Kelompok Tani"}
        self.channel = {"id": -(2 * 10**12 + base), "type": "channel", "title": "Info Koperasi"}
        self.typed: dict[int, set[str]] = {}
        self.phones: dict[int, str] = {}
        self.roster_phone = "+" + _fresh_phone()
        await self.world.db.write(roster.add, org_id=1, member_number=f"F-{base}", full_name="Sri Wahyuni",
                                  phone=self.roster_phone)  # fmt: skip
        invite = await self.world.db.write(invites.create, role=scenario.invite_role, org_id=1, valid_hours=24,
                                           created_by=None)  # fmt: skip
        self.invite_code = invite.code
        self.people: list[Someone] = []
        for i, setup in enumerate(scenario.people):
            who = self.world.person(base + i, setup.first_name, setup.client_language)
            who.user["language_code"] = setup.client_language
            self.people.append(who)
            self.typed[who.user_id] = {setup.first_name, setup.name}
            self.phones[who.user_id] = _fresh_phone()
            await self._set_up(who, setup)
        self._no_errors("setting up the people")
        for act in scenario.acts:
            await self._act(act)
        await self._check_people()

    async def _check_people(self) -> None:
        """What the example left in the database: phone numbers in E.164, ASCII digits."""
        for who in self.people:
            person = await people.by_telegram_id(self.world.db, who.user_id)
            if person is None or E164.fullmatch(person.phone or ""):
                continue
            self._fail(f"[{who.user_id}] registered with the phone number {person.phone!r}")

    async def _set_up(self, who: Someone, setup: Setup) -> None:
        phone = _styled(self.phones[who.user_id], setup.phone_style)
        english = setup.language == "English"
        if setup.kind == "farmer" and setup.progress == REGISTRATION_STEPS:
            self.transcript.append(f"[{who.user_id}] registers as a farmer ({setup.language})")
            await register_farmer(who, name=setup.name, phone=phone, language=setup.language)
            self.registered_phones.append(phone)
            assert await people.by_telegram_id(self.world.db, who.user_id), (
                "register_farmer did not register"
            )
            village = ["/settings", ("data", "set:area"), "Jawa Tengah", "Klaten", "Ceper"]
            for step in village[: setup.village_steps]:
                await self._checked_step(who, step)
        elif setup.kind == "farmer":
            steps = ["/start", ("label", setup.language), ("label", FARMER_EN if english else FARMER_ID),
                     ("contact", phone), setup.name, "Jawa Tengah", "Klaten", "Ceper", "Kujon",
                     ("label", YES_EN if english else YES_ID)]  # fmt: skip
            for step in steps[: setup.progress]:
                await self._checked_step(who, step)
        elif setup.kind == "member":
            steps = ["/start", ("label", setup.language), ("label", MEMBER_EN if english else MEMBER_ID),
                     ("contact", self.roster_phone)]  # fmt: skip
            for step in steps[: setup.progress]:
                await self._checked_step(who, step)
        elif setup.kind == "admin":
            async with self.world.db.transaction(bookkeeping=True) as conn:
                person_id = await people.insert_person(
                    conn, telegram_user_id=who.user_id, chat_id=who.user_id, full_name=setup.name,
                    phone="+" + self.phones[who.user_id], language="en" if english else "id", timezone="Asia/Jakarta", org_id=1,
                )  # fmt: skip
                await people.add_role(conn, person_id, Role.ADMIN)
            self.registered_phones.append(self.phones[who.user_id])
            self.transcript.append(f"[{who.user_id}] is an administrator ({setup.language})")
        elif setup.kind == "invitee":  # an invite of their own: a link works once
            invite = await self.world.db.write(invites.create, role=Role.COORDINATOR, org_id=1, valid_hours=24,
                                               created_by=None)  # fmt: skip
            steps = [f"/start {invite.code}", ("label", setup.language), ("contact", phone), setup.name,
                     ("label", YES_EN if english else YES_ID)]  # fmt: skip
            for step in steps[: setup.progress]:
                await self._checked_step(who, step)

    async def _checked_step(self, who: Someone, step: object) -> None:
        if isinstance(step, str):
            await self._private(who, "text", self._text_message(who, step), typed=step)
        elif step[0] == "label":
            sent, data = who.button(step[1])
            await self._private(who, "press", self._query(who, sent, data), typed=step[1])
        elif step[0] == "data":
            sent = self._sent_with(who, step[1])
            if sent is not None:
                await self._private(who, "press", self._query(who, sent, step[1]))
        elif step[0] == "contact":
            await self._private(
                who, "contact", self._contact(who, step[1], who.user_id), typed=step[1]
            )

    # -- one random update ---------------------------------------------------------------------
    async def _act(self, act: Act) -> None:
        who = self.people[act.who]
        if act.kind == "text":
            await self._private(who, "text", self._text_message(who, act.value), typed=act.value)
        elif act.kind == "command":
            text = act.value.replace("<invite>", self.invite_code)
            await self._private(who, "command", self._text_message(who, text), typed=text)
        elif act.kind == "press":
            buttons = self._buttons(who)
            if buttons:
                sent, data = buttons[act.value % len(buttons)]
            else:  # nothing to press yet: a press on a message that is gone
                sent, data = Sent(10**9, who.user_id, "?"), "ok:yes"
            await self._private(who, "press", self._query(who, sent, data))
        elif act.kind == "forge":
            chat = self.telegram.messages.get(who.user_id) or [Sent(10**9, who.user_id, "?")]
            await self._private(
                who, "press", self._query(who, chat[-1], act.value), typed=act.value
            )
        elif act.kind == "contact":
            phone = self._phone(who, act.value)
            owner = {"self": who.user_id, "none": None, "stranger": who.user_id + 10**9,
                     "other": next((p.user_id for p in self.people if p is not who), who.user_id + 1)}[act.extra]  # fmt: skip
            await self._private(who, "contact", self._contact(who, phone, owner), typed=phone)
        elif act.kind == "group":
            await self._in_group(who, act.value, act.extra)
        elif act.kind == "other":
            await self._other(who, act.value, act.extra)
        elif act.kind == "burst":
            await self._burst(act.value)
        elif act.kind == "channel":
            post = {"message_id": next(self.world.message_ids), "date": int(time.time()), "chat": self.channel,
                    "sender_chat": self.channel, "text": act.value}  # fmt: skip
            await self._deliver(
                "channel post", {"channel_post": post}, None, self.channel["id"], typed=act.value
            )

    def _phone(self, who: Someone, choice: str) -> str:
        if choice == "fresh":
            return _fresh_phone()
        if choice == "taken":
            return (
                self.registered_phones[-1] if self.registered_phones else self.phones[who.user_id]
            )
        if choice == "roster":
            return self.roster_phone
        return choice

    # -- updates ---------------------------------------------------------------------------------
    def _text_message(self, who: Someone, text: str, chat: dict | None = None) -> dict:
        content: dict = {"text": text}
        command = BOT_COMMAND.match(text)
        if command:  # Telegram marks a command as such: /letters_digits, maybe @bot_username
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command[0])}]
        return {"message": self._message(who, chat, **content)}

    def _message(self, who: Someone, chat: dict | None = None, **content) -> dict:
        return {"message_id": next(self.world.message_ids), "date": int(time.time()), "chat": chat or who.chat,
                "from": who.user, **content}  # fmt: skip

    def _query(self, who: Someone, sent: Sent, data: str, chat: dict | None = None) -> dict:
        message = {"message_id": sent.message_id, "date": int(time.time()), "chat": chat or who.chat,
                   "from": BOT_USER, "text": sent.text}  # fmt: skip
        query = {"id": f"q{next(self.world.message_ids)}", "from": who.user, "chat_instance": f"ci{who.user_id}",
                 "data": data, "message": message}  # fmt: skip
        return {"callback_query": query}

    def _contact(self, who: Someone, phone: str, owner: int | None) -> dict:
        contact = {"phone_number": phone, "first_name": who.user["first_name"]}
        if owner is not None:
            contact["user_id"] = owner
        return {"message": self._message(who, contact=contact)}

    def _buttons(self, who: Someone) -> list[tuple[Sent, str]]:
        return [
            (sent, button["callback_data"])
            for sent in self.telegram.messages.get(who.user_id, [])
            for row in (sent.reply_markup or {}).get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]

    def _sent_with(self, who: Someone, data: str) -> Sent | None:
        return next((sent for sent, d in reversed(self._buttons(who)) if d == data), None)

    async def _in_group(self, who: Someone, kind: str, text: str) -> None:
        if kind == "press":
            sent = Sent(next(self.world.message_ids), self.group["id"], "Kelompok")
            body = self._query(
                who, sent, text.encode()[:64].decode(errors="ignore") or "x", chat=self.group
            )
        elif kind == "edited":
            message = self._message(who, self.group, text=text, edit_date=int(time.time()))
            body = {"edited_message": message}
        elif kind == "photo":
            photo = [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}]
            body = {"message": self._message(who, self.group, photo=photo, caption=text[:1024])}
        else:
            body = self._text_message(who, text, self.group)
        command = BOT_COMMAND.match(text) if kind in ("text", "command") else None
        addressed = command is not None and command[1] in (None, f"@{BOT_USERNAME}")
        await self._deliver(
            f"group {kind}", body, who, self.group["id"], typed=text, pointer_allowed=addressed
        )

    async def _other(self, who: Someone, kind: str, text: str) -> None:
        now = int(time.time())
        if kind == "edited":
            body = {"edited_message": self._message(who, text=text, edit_date=now)}
            await self._deliver("edited message", body, who, who.user_id, typed=text)
            return
        if kind in ("blocked", "unblocked"):
            old, new = ("member", "kicked") if kind == "blocked" else ("kicked", "member")
            change = {"chat": who.chat, "from": who.user, "date": now,
                      "old_chat_member": {"user": BOT_USER, "status": old, **({"until_date": 0} if old == "kicked" else {})},
                      "new_chat_member": {"user": BOT_USER, "status": new, **({"until_date": 0} if new == "kicked" else {})}}  # fmt: skip
            await self._deliver(kind, {"my_chat_member": change}, who, who.user_id, silent=True)
            return
        content = {
            "sticker": {"sticker": {"file_id": "CAAD", "file_unique_id": "AgAD", "width": 512, "height": 512,
                                    "is_animated": False, "is_video": False, "type": "regular"}},
            "photo": {"photo": [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}],
                      "caption": text[:1024]},
            "location": {"location": {"latitude": -7.7, "longitude": 110.6}},
        }[kind]  # fmt: skip
        await self._private(who, kind, {"message": self._message(who, **content)}, typed=text)

    async def _private(self, who: Someone, kind: str, body: dict, typed: str | None = None) -> None:
        await self._deliver(
            kind, body, who, who.user_id, typed=typed, must_answer=True, press=kind == "press"
        )

    # -- delivering and checking ---------------------------------------------------------------
    async def _language(self, who: Someone | None) -> str | None:
        """The language this person should be spoken to in (handlers.menus.load_person)."""
        if who is None:
            return None
        person = await people.by_telegram_id(self.world.db, who.user_id)
        if person:
            return person.language
        picked = (self.world.app.user_data.get(who.user_id) or {}).get(PICKED_LANGUAGE)
        client = (who.user.get("language_code") or "")[:2]
        return picked or (client if client in LANGUAGES else self.world.settings.default_language)

    async def _deliver(self, kind: str, body: dict, who: Someone | None, chat_id: int, *, typed: str | None = None,
                       must_answer: bool = False, press: bool = False, pointer_allowed: bool = False,
                       silent: bool = False) -> None:  # fmt: skip
        update = Delivery(
            kind, body, who, chat_id, typed, must_answer, press, pointer_allowed, silent
        )
        if self.burst is not None:
            self.burst.append(update)  # delivered with the rest of the burst
        else:
            await self._deliver_all([update])

    async def _burst(self, acts: tuple[Act, ...]) -> None:
        """Updates from different people at the same moment: the bot handles different
        chats concurrently, and each person must still get their own answer in their language."""
        self.burst = []
        for act in acts:
            await self._act(act)
        burst, self.burst = self.burst, None
        self.kinds["burst"] += 1
        self.transcript.append(f"-- {len(burst)} updates at once:")
        await self._deliver_all(burst)

    async def _deliver_batch(self, bodies: list[dict]) -> None:
        """Several updates as one getUpdates batch brings them (bot.runtime.updates): stored in the
        inbox together, then queued back to back, so the bot works on them at the same time."""
        app, queue = self.world.app, self.world.app.update_queue
        raw = [{"update_id": next(_batch_update_ids), **body} for body in bodies]
        applied = await inbox.store_batch(
            queue.db, [(u["update_id"], json.dumps(u, ensure_ascii=False)) for u in raw]
        )
        queue.stored_batch([u["update_id"] for u in raw], applied)
        for update in raw:
            await queue.put(Update.de_json(update, app.bot))
        self.telegram.latency = 0.001
        try:
            await asyncio.wait_for(queue.join(), timeout=10)
        finally:
            self.telegram.latency = 0.0

    async def _deliver_all(self, updates: list[Delivery]) -> None:
        before = []
        for update in updates:
            if update.who is not None and update.typed:
                self.typed[update.who.user_id].add(update.typed)
            self.updates += 1
            self.kinds[update.kind] += 1
            before.append(await self._language(update.who))
            self.transcript.append(update.label)
        start = len(self.telegram.calls)
        if len(updates) == 1:
            await self.world.deliver(updates[0].body)
        else:
            await self._deliver_batch([update.body for update in updates])
        calls = self.telegram.calls[start:]
        for call in calls:
            if call.method in SHOWN:
                refused = f" REFUSED: {call.params['refused']}" if "refused" in call.params else ""
                self.transcript.append(f"    ← {call.method} {call.params.get('chat_id', '')}: "
                                       f"{_short(call.params.get('text'))}{refused}")  # fmt: skip
        self._no_errors(updates[0].label)
        chats = {update.chat_id for update in updates}
        for call in calls:
            if call.method in ("sendMessage", "editMessageText") and not self._may_write(
                int(call.params["chat_id"]), chats
            ):
                self._fail(
                    f"the bot wrote to chat {call.params['chat_id']}, not {chats}: {call.params.get('text')!r}"
                )
        for update, language in zip(updates, before, strict=True):
            mine = [call for call in calls if update.owns(call)]
            indonesian = language == "id" and await self._language(update.who) == "id"
            self._check(update, mine, indonesian)

    def _may_write(self, chat_id: int, chats: set[int]) -> bool:
        """Only to the chats the updates came from: nobody here is owed a notice."""
        return chat_id in chats

    def _fail(self, problem: str) -> None:
        raise FuzzFailure(
            problem + "\n\nwhat happened (newest last):\n" + "\n".join(self.transcript[-40:])
        )

    def _no_errors(self, label: str) -> None:
        if self.errors.records:
            self._fail(f"{label}: logged at ERROR:\n{self.errors.describe()}")

    def _check(self, update: Delivery, calls: list[Call], indonesian: bool) -> None:
        label, who, chat_id = update.label, update.who, update.chat_id
        refused = [call for call in calls if "refused" in call.params]
        for call in refused:
            # A press answered late or a button-closing edit that changes nothing is normal
            # (the kit tolerates both); anything else refused means the bot sent something
            # Telegram does not take.
            if call.method not in (
                "answerCallbackQuery",
                "editMessageReplyMarkup",
                "editMessageText",
            ):
                self._fail(f"{label}: Telegram refused {call.method}: {call.params['refused']}")
        messages = [
            call
            for call in calls
            if call.method in ("sendMessage", "editMessageText") and "refused" not in call.params
        ]
        answers = [
            call
            for call in calls
            if call.method == "answerCallbackQuery" and "refused" not in call.params
        ]
        texts = [call.params.get("text") or "" for call in messages + answers]
        for text in texts:
            if any(wrong in text for wrong in self.went_wrong):
                self._fail(f"{label}: the person was told something went wrong: {text!r}")
        if chat_id < 0:  # a group or a channel
            pointer = f"https://t.me/{BOT_USERNAME}"
            sends = [call for call in messages if call.method == "sendMessage"]
            if (
                [c for c in messages if c.method != "sendMessage"]
                or len(sends) > (1 if update.pointer_allowed else 0)
                or any(pointer not in (c.params.get("text") or "") for c in sends)
            ):
                self._fail(f"{label}: in a group the bot may only point to the private chat, once, for a command "
                           f"to it; it sent {[c.params.get('text') for c in messages]!r}")  # fmt: skip
        if update.silent and messages:
            self._fail(f"{label}: the bot wrote {[c.params.get('text') for c in messages]!r}")
        if update.must_answer and not (messages or answers):
            self._fail(f"{label}: no answer at all")
        if update.press and not answers:
            self._fail(f"{label}: the button press was not answered (the button keeps spinning)")
        all_answers = [call for call in calls if call.method == "answerCallbackQuery"]
        if len(all_answers) > 1:  # Telegram takes the first; a notice in a later one is lost
            self._fail(f"{label}: the press was answered {len(all_answers)} times: "
                       f"{[(c.params.get('text'), c.params.get('refused')) for c in all_answers]!r}")  # fmt: skip
        typed = (
            set().union(*(_variants(t) for t in self.typed.get(who.user_id, ()))) if who else set()
        )
        typed = sorted(typed, key=len, reverse=True)
        for call in messages + answers:
            text = call.params.get("text") or ""
            if call.method == "editMessageText" and "\n\n✅ " in text:
                text = text.rsplit("\n\n✅ ", 1)[1]  # the question stays as it was asked
            for form in typed:
                text = text.replace(form, "")
            if PLACEHOLDER.search(text):
                self._fail(f"{label}: a raw placeholder in {call.params.get('text')!r}")
            if indonesian:
                for line in text.splitlines():
                    line = HELP_LINE.sub("", line.strip().removeprefix("✅").strip())
                    if ENGLISH_WORDS.match(line) or _opening(line) in ENGLISH_OPENINGS:
                        self._fail(
                            f"{label}: English to a person who speaks Indonesian: {call.params.get('text')!r}"
                        )


def _short(text: object) -> str:
    text = repr(text)
    return text if len(text) <= 90 else f"{text[:60]}…({len(text)} chars)…{text[-20:]}"


# --- the test ---------------------------------------------------------------------------------------


@pytest.fixture
def player(tmp_path):
    """One World on its own event loop for the whole test; each example runs in that loop."""
    errors = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(errors)
    runner = asyncio.Runner()
    world = World(str(tmp_path / "fuzz.sqlite3"))
    world.telegram = StrictTelegram()
    runner.run(world.start())
    try:
        yield runner, Player(world, errors)
    finally:
        runner.run(world.stop())
        runner.close()
        root.removeHandler(errors)


def test_random_updates_from_random_people(player, request):
    runner, fuzz = player
    long = request.config.getoption("--fuzz-long")
    started = time.monotonic()
    # Hypothesis keeps failing examples in .pytest_cache and replays them first next time.
    cache = getattr(request.config, "cache", None)

    @settings(
        max_examples=LONG_EXAMPLES if long else CI_EXAMPLES,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        database=DirectoryBasedExampleDatabase(str(cache.mkdir("hypothesis"))) if cache else None,
        print_blob=True,
    )
    @given(scenario=scenarios(max_acts=40 if long else 20))
    def fuzz_bot(scenario: Scenario) -> None:
        runner.run(fuzz.play(scenario))

    fuzz_bot()
    print(f"\nfuzz: {fuzz.examples} examples, {fuzz.updates} updates in {time.monotonic() - started:.1f} s; "
          f"by kind {dict(fuzz.kinds)}")  # fmt: skip
