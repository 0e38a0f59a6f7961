"""Steps people take in flow tests, written once."""

from __future__ import annotations

from tests.harness import Someone

PHONE = "6281234567890"
FARMER_ID, MEMBER_ID = "🌾 Saya petani", "👷 Saya anggota serikat pekerja"
FARMER_EN, MEMBER_EN = "🌾 I am a farmer", "👷 I am a union member"
YES_ID, YES_EN = "✅ Ya, simpan", "✅ Yes, save"


async def register_farmer(
    who: Someone,
    *,
    name: str = "Budi Santoso",
    phone: str = PHONE,
    province: str = "Jawa Tengah",
    place: tuple[str, str, str] = ("Klaten", "Ceper", "Kujon"),
    language: str = "Bahasa Indonesia",
) -> list[str]:
    """Every reply of a farmer's registration, in order (each place typed exactly)."""
    english = language == "English"
    replies = await who.send("/start")
    replies += await who.press(language)
    replies += await who.press(FARMER_EN if english else FARMER_ID)
    replies += await who.share_contact(phone)
    replies += await who.send(name)
    replies += await who.send(province)
    for answer in place:
        replies += await who.send(answer)
    replies += await who.press(YES_EN if english else YES_ID)
    return replies


async def register_member(
    who: Someone, phone: str, language: str = "Bahasa Indonesia"
) -> list[str]:
    replies = await who.send("/start")
    replies += await who.press(language)
    replies += await who.press(MEMBER_EN if language == "English" else MEMBER_ID)
    replies += await who.share_contact(phone)
    return replies
