"""Steps people take in flow tests, written once."""

from __future__ import annotations

from tests.harness import Someone

PHONE = "6281234567890"


async def register_farmer(
    who: Someone,
    *,
    name: str = "Budi Santoso",
    phone: str = PHONE,
    province: str = "Jawa Tengah",
    place: tuple[str, str, str] = ("Klaten", "Ceper", "Sukamaju"),
    language: str = "Bahasa Indonesia",
) -> list[str]:
    """Every reply of a farmer's registration, in order."""
    english = language == "English"
    replies = await who.send("/start")
    replies += await who.press(language)
    replies += await who.press("I am a farmer" if english else "Saya petani")
    replies += await who.share_contact(phone)
    replies += await who.send(name)
    replies += await who.send(province)
    for answer in place:
        replies += await who.send(answer)
    replies += await who.press("✅ Yes, save" if english else "✅ Ya, simpan")
    return replies


async def register_member(who: Someone, phone: str, language: str = "Bahasa Indonesia") -> list[str]:
    replies = await who.send("/start")
    replies += await who.press(language)
    replies += await who.press("I am a union member" if language == "English" else "Saya anggota serikat")
    replies += await who.share_contact(phone)
    return replies
