"""A farmer registering through the emulator, step by step, and what the database holds.

``Farmer`` plays the person (in-process emulator calls, no HTTP) and reads the bot's
replies in order; ``STEPS`` is the Indonesian registration of ``Budi Santoso`` from the
brief, one entry per update the person causes; ``db_snapshot`` reads the SQLite file with
the project's own storage functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator import BotApiEmulator, StoredMessage
from storage import people
from storage.db import Database

# One step's reply within this; generous for a loaded 2-core machine (the bot paces its
# sends to ~1/s per chat, and a restart re-imports PTB).
STEP_TIMEOUT = 20.0

USER_ID = 424_242
PHONE_SHARED = "6281234567890"
PHONE_E164 = "+6281234567890"
PHONE_SHOWN = "0812-3456-7890"
NAME = "Budi Santoso"

WELCOME = "Selamat datang di bot koperasi. Pilih bahasa Anda:"
WHO = "Anda mendaftar sebagai apa?"
SHARE_PHONE = "Tekan tombol 📱 Kirim nomor HP saya di bawah."
ASK_NAME = "Siapa nama lengkap Anda?"
ASK_PROVINCE = "Ketik nama provinsi Anda. Contoh: Jawa Tengah."
ASK_REGENCY = "✅ Jawa Tengah\nKetik nama kabupaten atau kota Anda."
ASK_DISTRICT = "✅ Kabupaten Klaten\nKetik nama kecamatan Anda."
ASK_VILLAGE = "✅ Ceper\nKetik nama desa atau kelurahan Anda."
SUMMARY = "Periksa data Anda:"
SAVE, CHANGE = "✅ Ya, simpan", "✏️ Tidak, ubah"
FARMER_BUTTON, MEMBER_BUTTON = "🌾 Saya petani", "👷 Saya anggota serikat pekerja"
VILLAGE, VILLAGE_CODE = "Kujon", "33.10.11.2004"
THANKS = f"Terima kasih, {NAME}! Anda sudah terdaftar sebagai petani."
WELCOME_BACK = f"Selamat datang kembali, {NAME}!"
COMMAND_LIST = "Yang bisa Anda lakukan:"


@dataclass(frozen=True)
class Step:
    kind: str  # send | press | contact
    value: str
    reply: str  # the bot's answer starts with this


STEPS: tuple[Step, ...] = (
    Step("send", "/start", WELCOME),
    Step("press", "Bahasa Indonesia", WHO),
    Step("press", FARMER_BUTTON, SHARE_PHONE),
    Step("contact", PHONE_SHARED, ASK_NAME),
    Step("send", NAME, ASK_PROVINCE),
    Step("send", "Jawa Tengah", ASK_REGENCY),
    Step("send", "Klaten", ASK_DISTRICT),
    Step("send", "Ceper", ASK_VILLAGE),
    Step("send", VILLAGE, SUMMARY),
    Step("press", SAVE, THANKS),
)
# Indexes into STEPS.
NAME_STEP = 4
PROVINCE_STEP = 5
CONFIRM_STEP = len(STEPS) - 1


class Farmer:
    """One person in a private chat with the bot."""

    def __init__(self, emu: BotApiEmulator, user_id: int = USER_ID, first_name: str = "Budi"):
        self.emu = emu
        self.user_id = user_id
        self.first_name = first_name
        self.seen = 0  # bot messages already read by the test

    # -- acting ------------------------------------------------------------------------
    async def act(self, step: Step) -> int:
        """Do what ``step`` says; the update_id it caused."""
        if step.kind == "send":
            update_id = await self.emu.send_message(
                self.user_id, step.value, first_name=self.first_name, language_code="id"
            )
        elif step.kind == "contact":
            update_id = await self.emu.share_contact(self.user_id, step.value)
        elif step.kind == "press":
            query_id = await self.emu.press_button(self.user_id, step.value)
            update_id = (await self.emu.callback_answer(query_id)).update_id
        else:
            raise ValueError(step.kind)
        assert update_id is not None, f"the emulator dropped {step}"
        return update_id

    # -- reading -----------------------------------------------------------------------
    async def bot_messages(self) -> list[StoredMessage]:
        return await self.emu.messages(self.user_id)

    async def texts(self) -> list[str]:
        return [m.text or "" for m in await self.bot_messages()]

    async def next_reply(self, within: float = STEP_TIMEOUT) -> StoredMessage:
        """The bot's next message after those already read."""
        msgs = await self.emu.wait_for_messages(self.user_id, self.seen + 1, timeout=within)
        self.seen += 1
        return msgs[self.seen - 1]

    async def expect_reply(self, start: str, within: float = STEP_TIMEOUT) -> StoredMessage:
        msg = await self.next_reply(within)
        assert (msg.text or "").startswith(start), (
            f"expected a reply starting {start!r}, got {msg.text!r};"
            f" transcript: {await self.texts()}"
        )
        return msg

    async def do(self, step: Step, within: float = STEP_TIMEOUT) -> StoredMessage:
        await self.act(step)
        return await self.expect_reply(step.reply, within)

    async def count_replies(self, start: str) -> int:
        return sum(text.startswith(start) for text in await self.texts())

    async def wait_reply_count(self, start: str, count: int, within: float = STEP_TIMEOUT) -> None:
        def enough(msgs) -> bool:
            return sum((m.text or "").startswith(start) for m in msgs) >= count

        await self.emu.wait_for(self.user_id, enough, timeout=within)


def check_reply_details(index: int, msg: StoredMessage) -> None:
    """What one registration step's reply must carry besides its first words."""
    step = STEPS[index]
    if step.reply == WELCOME:
        assert msg.buttons == ["Bahasa Indonesia", "English"]
    elif step.reply == WHO:
        assert msg.buttons == [FARMER_BUTTON, MEMBER_BUTTON]
    elif step.reply == SHARE_PHONE:
        keyboard = msg.reply_keyboard
        assert keyboard is not None, msg.reply_markup
        assert [b["request_contact"] for row in keyboard["rows"] for b in row] == [True]
    elif step.reply == SUMMARY:
        check_summary(msg)
    elif step.reply == THANKS:
        assert COMMAND_LIST in msg.text and "/help" in msg.text, msg.text


def check_summary(msg: StoredMessage) -> None:
    text = msg.text or ""
    for line in (
        f"Nama: {NAME}",
        f"Nomor HP: {PHONE_SHOWN}",
        f"Desa/kelurahan: {VILLAGE}",
        "Kecamatan: Ceper",
        "Kabupaten/kota: Kabupaten Klaten",
        "Provinsi: Jawa Tengah",
        "Zona waktu: WIB",
    ):
        assert line in text, f"{line!r} missing from the summary:\n{text}"
    assert msg.buttons == [SAVE, CHANGE]


# -- the database ----------------------------------------------------------------------


@dataclass
class DbSnapshot:
    person: Any  # domain.people.Person | None
    people: int
    roles: list[tuple[int, str]]
    village_code: str | None
    audit: list[tuple[str, str]]
    inbox: list[tuple[int, int | None]]  # (update_id, applied_at)
    conversations: list[tuple[str, str, str]]

    @property
    def unapplied(self) -> list[int]:
        return [uid for uid, applied in self.inbox if applied is None]


async def db_snapshot(path: Path, user_id: int = USER_ID) -> DbSnapshot:
    """Read the database (the bot stopped, or briefly while it runs: WAL readers are fine)."""
    async with Database(str(path)) as db:
        person = await people.by_telegram_id(db, user_id)
        n_people = (await db.fetchone("SELECT COUNT(*) AS n FROM people"))["n"]
        roles = [
            (r["person_id"], r["role"])
            for r in await db.fetchall("SELECT person_id, role FROM person_roles ORDER BY 1, 2")
        ]
        audit = [
            (r["action"], r["subject"])
            for r in await db.fetchall("SELECT action, subject FROM audit_log ORDER BY id")
        ]
        inbox = [
            (r["update_id"], r["applied_at"])
            for r in await db.fetchall("SELECT update_id, applied_at FROM inbox ORDER BY update_id")
        ]
        conversations = [
            (r["name"], r["key"], r["state"])
            for r in await db.fetchall("SELECT name, key, state FROM ptb_conversations")
        ]
    village = person.village_code if person else None
    return DbSnapshot(person, n_people, roles, village, audit, inbox, conversations)


async def person_exists(path: Path, user_id: int = USER_ID) -> bool:
    async with Database(str(path)) as db:
        row = await db.fetchone("SELECT 1 FROM people WHERE telegram_user_id = ?", (user_id,))
    return row is not None


def check_registered(snap: DbSnapshot, update_ids: list[int] | None = None) -> None:
    """Exactly one farmer, Budi, with his phone and village; nothing recorded twice;
    every update the bot received applied."""
    person = snap.person
    assert person is not None, "no person for the farmer's Telegram id"
    assert snap.people == 1, f"{snap.people} people in the database"
    assert person.full_name == NAME
    assert person.phone == PHONE_E164
    assert {r.value for r in person.roles} == {"farmer"}
    assert snap.roles == [(person.id, "farmer")]
    assert snap.village_code == VILLAGE_CODE
    register_rows = [a for a in snap.audit if a[0] == "register.farmer"]
    grant_rows = [a for a in snap.audit if a[0] == "role.grant"]
    assert len(register_rows) == 1, snap.audit
    assert len(grant_rows) == 1, snap.audit
    assert len(snap.audit) == len(set(snap.audit)), f"duplicated audit rows: {snap.audit}"
    assert snap.unapplied == [], f"inbox rows never applied: {snap.unapplied}"
    if update_ids is not None:
        stored = {uid for uid, _ in snap.inbox}
        missing = sorted(set(update_ids) - stored)
        assert not missing, f"updates the person caused but the inbox never got: {missing}"


async def update_applied(path: Path, update_id: int) -> bool:
    async with Database(str(path)) as db:
        row = await db.fetchone("SELECT applied_at FROM inbox WHERE update_id = ?", (update_id,))
    return row is not None and row["applied_at"] is not None


# -- the emulator's counters (synchronous: usable as kill conditions) ---------------------


def api_calls(emu: BotApiEmulator, method: str) -> int:
    """How many ``method`` requests reached the emulator (counted on arrival, before any
    latency, so a request counted here may still be in flight)."""
    return emu.state.stats.requests.get(method, 0)


def sends_settled(emu: BotApiEmulator) -> bool:
    """Every sendMessage that reached the emulator has been carried out (none in flight,
    including those of a process killed meanwhile: like Telegram, the emulator finishes
    a request whose client hung up)."""
    return emu.state.stats.sends >= api_calls(emu, "sendMessage")


def updates_run_again(database: Path) -> dict[int, dict[int, int]]:
    """Per private chat, which of its updates (0 = the chat's first) a process that died
    left unfinished, so that a later process ran it again, and how many times (the inbox's
    ``attempts``). A reply that reached someone twice is the bot's fault unless the update
    it answers is here: then the first copy went out from a process killed before its record
    of the call was on disk, which no bot can avoid."""
    from tests.dbcheck import run_sql  # the PostgreSQL driver only when a test asks

    rows = run_sql(
        database,
        "SELECT update_id, lease_key, attempts FROM inbox WHERE lease_key LIKE ?"
        " ORDER BY update_id",
        ("c:%",),
    )
    seen: dict[int, int] = {}
    run_again: dict[int, dict[int, int]] = {}
    for _, lease_key, attempts in rows:
        chat_id = int(lease_key[2:])
        nth = seen[chat_id] = seen.get(chat_id, -1) + 1
        if attempts > 0:
            run_again.setdefault(chat_id, {})[nth] = attempts
    return run_again


def update_answered(text: str, replies: list[list[str]]) -> int | None:
    """Which of a person's updates a bot message answers: ``replies[n]`` holds the replies
    to their n-th update (a message is the reply when it starts with one of them)."""
    return next(
        (n for n, texts in enumerate(replies) if any(text.startswith(t) for t in texts)), None
    )
