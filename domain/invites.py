"""Invite links for staff: single use, expiring."""

from __future__ import annotations

import re
import secrets

# Telegram deep-link payloads allow A-Z a-z 0-9 _ - and at most 64 characters.
_CODE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def new_code() -> str:
    return secrets.token_urlsafe(12)


def looks_like_code(payload: str) -> bool:
    return bool(_CODE.match(payload or ""))


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"
